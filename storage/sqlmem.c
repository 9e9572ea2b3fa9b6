#include "sqlmem.h"

#include <pthread.h>
#include <sched.h>
#include <stdbool.h>
#include <sqlite3.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define SQLMEM_CLASSES (SQLMEM_SMALL / 16)
#define SQLMEM_CHUNK   65536

/* Each block follows a header of 8 bytes (SQLite asks for an alignment of
 * 8): its size, odd when the block is a small one. */
#define HDR 8

struct free_block {
	struct free_block *next;
};

static atomic_flag lock = ATOMIC_FLAG_INIT;
static struct free_block *free_list[SQLMEM_CLASSES];
static char *bump, *bump_end;

static void take(void)
{
	while (atomic_flag_test_and_set_explicit(&lock, memory_order_acquire))
		sched_yield();
}

static void give(void)
{
	atomic_flag_clear_explicit(&lock, memory_order_release);
}

static int64_t *header(void *p)
{
	return (int64_t *)((char *)p - HDR);
}

static void *mem_malloc(int n)
{
	size_t size = n > 0 ? ((size_t)n + 15) & ~(size_t)15 : 16;
	int64_t *h;

	if (size > SQLMEM_SMALL) {
		h = malloc(size + HDR);
		if (!h)
			return NULL;
		*h = (int64_t)size;
		return (char *)h + HDR;
	}
	take();
	if (free_list[size / 16 - 1]) {
		struct free_block *b = free_list[size / 16 - 1];

		free_list[size / 16 - 1] = b->next;
		give();
		return b;
	}
	if (!bump || (size_t)(bump_end - bump) < size + HDR) {
		char *chunk = malloc(SQLMEM_CHUNK);

		if (!chunk) {
			give();
			return NULL;
		}
		/* the rest of the last chunk (less than a block) is left */
		bump = chunk;
		bump_end = chunk + SQLMEM_CHUNK;
	}
	h = (int64_t *)bump;
	bump += size + HDR;
	give();
	*h = (int64_t)size | 1;
	return (char *)h + HDR;
}

static void mem_free(void *p)
{
	int64_t size = *header(p);
	struct free_block *b = p;

	if (!(size & 1)) {
		free(header(p));
		return;
	}
	take();
	b->next = free_list[(size - 1) / 16 - 1];
	free_list[(size - 1) / 16 - 1] = b;
	give();
}

static int mem_size(void *p)
{
	return (int)(*header(p) & ~(int64_t)1);
}

static void *mem_realloc(void *p, int n)
{
	int old = mem_size(p);
	void *q;

	if (!(*header(p) & 1) && n > SQLMEM_SMALL) {
		int64_t *h = realloc(header(p), ((size_t)n + 15) / 16 * 16 + HDR);

		if (!h)
			return NULL;
		*h = (int64_t)(((size_t)n + 15) / 16 * 16);
		return (char *)h + HDR;
	}
	if (n > 0 && n <= old && old - n < 16)
		return p;
	q = mem_malloc(n);
	if (!q)
		return NULL;
	memcpy(q, p, (size_t)(old < n ? old : n));
	mem_free(p);
	return q;
}

static int mem_roundup(int n)
{
	return n > 0 ? (n + 15) & ~15 : 16;
}

static int mem_init(void *arg)
{
	(void)arg;
	return SQLITE_OK;
}

static void mem_shutdown(void *arg)
{
	(void)arg;
}

/* A fork() while another thread holds the lock would leave the child's
 * copy held for ever. */
static void fork_prepare(void)
{
	take();
}

#if defined(__SANITIZE_ADDRESS__)
#define SQLMEM_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define SQLMEM_ASAN 1
#endif
#endif

static const sqlite3_mem_methods methods = {
	mem_malloc, mem_free, mem_realloc, mem_size, mem_roundup, mem_init, mem_shutdown, NULL,
};

int sqlmem_install(void)
{
#ifdef SQLMEM_ASAN
	(void)methods;
	(void)fork_prepare;
	return -1;
#else
	static bool installed;

	if (installed)
		return 0;
	if (sqlite3_config(SQLITE_CONFIG_MALLOC, &methods) != SQLITE_OK)
		return -1;
	pthread_atfork(fork_prepare, give, give);
	installed = true;
	return 0;
#endif
}
