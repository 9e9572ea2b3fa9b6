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

#endif
