/*
 * sbuf.h - a growable string buffer (git's strbuf, smaller).
 *
 *	struct sbuf sb = SBUF_INIT;
 *
 *	sbuf_addf(&sb, "%d tasks", n);
 *	text = sbuf_detach(&sb);	(the caller frees text)
 *
 * buf is always NUL-terminated once anything was added; growth goes
 * through xrealloc, so it never fails.
 */
#ifndef NESTOR_SBUF_H
#define NESTOR_SBUF_H

#include <stddef.h>

struct sbuf {
	char *buf;
	size_t len, cap;
};
#define SBUF_INIT                                                                                  \
	{                                                                                          \
		NULL, 0, 0                                                                         \
	}
void sbuf_init(struct sbuf *sb);
void sbuf_release(struct sbuf *sb);
void sbuf_add(struct sbuf *sb, const char *data, size_t n);
void sbuf_adds(struct sbuf *sb, const char *s);
void sbuf_addf(struct sbuf *sb, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Empty it, keeping its memory for what comes next. */
void sbuf_reset(struct sbuf *sb);
/* Hand the string to the caller (never NULL); the sbuf is reset. */
char *sbuf_detach(struct sbuf *sb);

#endif
