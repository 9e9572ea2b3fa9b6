#include "xalloc.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

static void die_oom(size_t n)
{
	fprintf(stderr, "nestor: out of memory (%zu bytes)\n", n);
	abort();
}

void *xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	if (!p)
		die_oom(n);
	return p;
}

void *xcalloc(size_t nmemb, size_t size)
{
	void *p = calloc(nmemb ? nmemb : 1, size ? size : 1);

	if (!p)
		die_oom(nmemb * size);
	return p;
}

void *xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);

	if (!q)
		die_oom(n);
	return q;
}

char *xstrdup(const char *s)
{
	size_t n = strlen(s) + 1;

	return memcpy(xmalloc(n), s, n);
}

char *xstrndup(const char *s, size_t n)
{
	size_t len = strnlen(s, n);
	char *p = xmalloc(len + 1);

	memcpy(p, s, len);
	p[len] = '\0';
	return p;
}

char *xasprintf(const char *fmt, ...)
{
	va_list ap;
	size_t cap;
	char *buf;
	char tmp[256];
	int n;

	va_start(ap, fmt);
	n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	if (n < 0)
		die_oom(0);
	if ((size_t)n < sizeof(tmp))
		return xstrdup(tmp);
	cap = (size_t)n + 1;
	buf = xmalloc(cap);
	va_start(ap, fmt);
	vsnprintf(buf, cap, fmt, ap);
	va_end(ap);
	return buf;
}

/* Before each xbig_realloc() block: its size, and its mapping's length (0:
 * malloc'd), kept as malloc aligns. */
union big_head {
	struct {
		size_t size, mapped;
	} b;
	max_align_t align;
};

#define BIG_MIN	  ((size_t)128 << 10)
#define HUGE_PAGE ((size_t)2 << 20)

#if defined(__SANITIZE_ADDRESS__)
/* Under AddressSanitizer the sanitizer's own heap, so that it sees every
 * byte of the large arrays too (a mapping of our own it cannot check). */
void *xbig_realloc(void *p, size_t n)
{
	return xrealloc(p, n);
}

void xbig_free(void *p)
{
	free(p);
}
#else
/* len bytes (a multiple of HUGE_PAGE) mapped at a huge page's boundary. */
static void *map_huge(size_t len)
{
	char *p = mmap(NULL, len + HUGE_PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
		       -1, 0),
	     *a;

	if (p == MAP_FAILED)
		die_oom(len);
	a = (char *)(((uintptr_t)p + HUGE_PAGE - 1) & ~(uintptr_t)(HUGE_PAGE - 1));
	if (a > p)
		munmap(p, (size_t)(a - p));
	munmap(a + len, (size_t)(p + HUGE_PAGE - a));
	madvise(a, len, MADV_HUGEPAGE);
	return a;
}

void *xbig_realloc(void *p, size_t n)
{
	union big_head *h = p ? (union big_head *)p - 1 : NULL, *q;
	size_t need = n + sizeof(*h), len;

	/* need and its rounding to huge pages must not wrap */
	if (n > SIZE_MAX - sizeof(*h) - 2 * HUGE_PAGE)
		die_oom(n);
	if (h && h->b.mapped >= need) {
		h->b.size = n;
		return p;
	}
	if (need < BIG_MIN && (!h || !h->b.mapped)) {
		q = xrealloc(h, need);
		q->b.mapped = 0;
	} else {
		len = (need + HUGE_PAGE - 1) & ~(HUGE_PAGE - 1);
		if (h && h->b.mapped) {
			/* moved or grown with its huge pages (the kernel keeps
			 * the advice and a large mapping's alignment) */
			q = mremap(h, h->b.mapped, len, MREMAP_MAYMOVE);
			if (q == MAP_FAILED)
				die_oom(n);
		} else {
			q = map_huge(len);
			if (h) {
				memcpy(q + 1, h + 1, h->b.size < n ? h->b.size : n);
				free(h);
			}
		}
		q->b.mapped = len;
	}
	q->b.size = n;
	return q + 1;
}

void xbig_free(void *p)
{
	union big_head *h = p ? (union big_head *)p - 1 : NULL;

	if (!h)
		return;
	if (h->b.mapped)
		munmap(h, h->b.mapped);
	else
		free(h);
}
#endif
