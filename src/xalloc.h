/*
 * xalloc.h - allocation that never returns NULL.
 *
 * Out of memory is not an error nestor can recover from: these print one line
 * and abort.  Everything else (SQLite, libcurl, libical) is checked by callers.
 */
#ifndef NESTOR_XALLOC_H
#define NESTOR_XALLOC_H

#include <stddef.h>

void *xmalloc(size_t n);
void *xcalloc(size_t nmemb, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* A growable string buffer (git's strbuf, smaller). buf is always NUL-terminated. */
struct sbuf {
	char *buf;
	size_t len, cap;
};
#define SBUF_INIT { NULL, 0, 0 }
void sbuf_init(struct sbuf *sb);
void sbuf_release(struct sbuf *sb);
void sbuf_add(struct sbuf *sb, const char *data, size_t n);
void sbuf_adds(struct sbuf *sb, const char *s);
void sbuf_addf(struct sbuf *sb, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Hand the string to the caller (never NULL); the sbuf is reset. */
char *sbuf_detach(struct sbuf *sb);

#endif
