#include "cache.h"
#include "store-int.h"

#include <stdlib.h>

static int step_done(struct store *s, sqlite3_stmt *st, struct err *e, const char *what)
{
	int rc = sqlite3_step(st);

	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return store_error(s, e, what);
	return 0;
}

int cache_get(struct store *s, const char *key, time_t now, char **value, struct err *e)
{
	sqlite3_stmt *st;
	sqlite3_int64 expires;
	int rc;

	*value = NULL;
	st = store_prepare(s, "SELECT value, expires_at FROM tool_cache WHERE key = ?", e);
	if (!st)
		return -1;
	store_bind_text(st, 1, key);
	rc = sqlite3_step(st);
	if (rc == SQLITE_DONE) {
		sqlite3_finalize(st);
		return 0;
	}
	if (rc != SQLITE_ROW) {
		sqlite3_finalize(st);
		return store_error(s, e, "cache lookup");
	}
	expires = sqlite3_column_int64(st, 1);
	if (expires > (sqlite3_int64)now)
		*value = store_col_text(st, 0);
	sqlite3_finalize(st);
	if (*value)
		return 1;
	return cache_prune(s, now, e) < 0 ? -1 : 0;
}

int cache_put(struct store *s, const char *key, const char *value, time_t expires_at, struct err *e)
{
	sqlite3_stmt *st;

	st = store_prepare(s,
			   "INSERT OR REPLACE INTO tool_cache(key, value, expires_at) "
			   "VALUES (?, ?, ?)",
			   e);
	if (!st)
		return -1;
	store_bind_text(st, 1, key);
	store_bind_text(st, 2, value);
	sqlite3_bind_int64(st, 3, (sqlite3_int64)expires_at);
	return step_done(s, st, e, "cache store");
}

int cache_del(struct store *s, const char *key, struct err *e)
{
	sqlite3_stmt *st = store_prepare(s, "DELETE FROM tool_cache WHERE key = ?", e);

	if (!st)
		return -1;
	store_bind_text(st, 1, key);
	return step_done(s, st, e, "cache delete");
}

int cache_prune(struct store *s, time_t now, struct err *e)
{
	sqlite3_stmt *st = store_prepare(s, "DELETE FROM tool_cache WHERE expires_at <= ?", e);

	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, (sqlite3_int64)now);
	return step_done(s, st, e, "cache prune");
}
