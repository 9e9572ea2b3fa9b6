/*
 * cache.h - a small key/value cache with expiry, in the tool_cache table.
 *
 * Tools (weather, geocoding) keep what a remote API told them here for a
 * while.  Keys are namespaced by the caller ("weather:geo:en:berlin").  An
 * expired row is never returned; lookups that meet one prune every expired
 * row.  Time is a parameter: callers pass `now` (epoch seconds).
 */
#ifndef NESTOR_CACHE_H
#define NESTOR_CACHE_H

#include <time.h>

#include "err.h"
#include "store.h"

/*
 * Look key up.  Returns 1 and sets *value (newly allocated) on a hit that
 * expires after now, 0 on a miss (*value = NULL), -1 on a database error.
 */
int cache_get(struct store *s, const char *key, time_t now, char **value, struct err *e);

/* Insert or replace key; the row is valid while now < expires_at. */
int cache_put(struct store *s, const char *key, const char *value, time_t expires_at,
	      struct err *e);

/* Forget key (no error when absent). */
int cache_del(struct store *s, const char *key, struct err *e);

/* Delete every row expired at now. */
int cache_prune(struct store *s, time_t now, struct err *e);

#endif
