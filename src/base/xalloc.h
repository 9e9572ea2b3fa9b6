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

/* Arrays that may grow large (a year's occurrences at 100k events are
 * 8 MB).  From 128 KiB on (where glibc maps a block of its own anyway, all
 * fresh pages), such a block is a mapping aligned to and advised to use
 * huge pages: the first touch of a page costs about 10 us on a VM, and one
 * fault per 2 MiB instead of one per 4 KiB page saves nearly all of it
 * (bench/PROFILE.md, sixth round); below that, malloc's.  xbig_realloc(NULL,
 * n) allocates; what it gives is released by xbig_free(), never free(). */
void *xbig_realloc(void *p, size_t n);
void xbig_free(void *p);

#endif
