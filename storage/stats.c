#include "stats.h"
#include "utf8.h"
#include "store-int.h"
#include "xalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ACTIVE "state IN ('pending','running')"
/* The jobs of user ?2, or of every user when it is 0. */
#define OF_USER "(?2 = 0 OR user_id = ?2)"

static void job_cols(sqlite3_stmt *st, int col, struct stats_job *j)
{
	const unsigned char *kind = sqlite3_column_text(st, col + 1);

	j->id = sqlite3_column_int64(st, col);
	snprintf(j->kind, sizeof(j->kind), "%s", kind ? (const char *)kind : "");
	j->at = (time_t)sqlite3_column_int64(st, col + 2);
}

/* Step st once: 1 with a row, 0 without, -1 after an error (finalized then). */
static int step(struct store *s, sqlite3_stmt *st, const char *what, struct err *e)
{
	int rc = sqlite3_step(st);

	if (rc == SQLITE_ROW)
		return 1;
	if (rc == SQLITE_DONE)
		return 0;
	sqlite3_finalize(st);
	return store_error(s, e, what);
}

int stats_overdue(struct store *s, long long user, time_t before, long *count,
		  struct stats_job *first, struct err *e)
{
	sqlite3_stmt *st = store_prepare(s,
					 "SELECT count(*) OVER (), id, kind, next_run FROM jobs"
					 " WHERE " ACTIVE " AND next_run <= ?1 AND " OF_USER
					 " ORDER BY next_run, id LIMIT 1",
					 e);
	int rc;

	*count = 0;
	memset(first, 0, sizeof(*first));
	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, (sqlite3_int64)before);
	sqlite3_bind_int64(st, 2, user);
	rc = step(s, st, "overdue jobs", e);
	if (rc < 0)
		return -1;
	if (rc) {
		*count = (long)sqlite3_column_int64(st, 0);
		job_cols(st, 1, first);
	}
	sqlite3_finalize(st);
	return 0;
}

int stats_next(struct store *s, long long user, struct stats_job *next, bool *has, struct err *e)
{
	sqlite3_stmt *st = store_prepare(s,
					 "SELECT id, kind, next_run FROM jobs WHERE " ACTIVE
					 " AND next_run IS NOT NULL AND " OF_USER
					 " ORDER BY next_run, id LIMIT 1",
					 e);
	int rc;

	memset(next, 0, sizeof(*next));
	*has = false;
	if (!st)
		return -1;
	sqlite3_bind_int64(st, 2, user);
	rc = step(s, st, "next job", e);
	if (rc < 0)
		return -1;
	if (rc) {
		job_cols(st, 0, next);
		*has = true;
	}
	sqlite3_finalize(st);
	return 0;
}

int stats_failed(struct store *s, long long user, time_t since, long *count, struct stats_job *last,
		 char **channel, char **detail, struct err *e)
{
	sqlite3_stmt *st = store_prepare(
		s,
		"SELECT count(*) OVER (), f.job_id, j.kind, f.finished_at, f.channel, f.detail"
		" FROM job_runs f JOIN jobs j ON j.id = f.job_id"
		" WHERE f.result = 'failed' AND f.finished_at >= ?1"
		" AND (?2 = 0 OR j.user_id = ?2)"
		" AND NOT EXISTS (SELECT 1 FROM job_runs o WHERE o.job_id = f.job_id"
		"   AND o.occurrence = f.occurrence AND o.channel IS f.channel"
		"   AND o.result IN ('ok','skipped'))"
		" ORDER BY f.finished_at DESC, f.id DESC LIMIT 1",
		e);
	int rc;

	*count = 0;
	*channel = *detail = NULL;
	memset(last, 0, sizeof(*last));
	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, (sqlite3_int64)since);
	sqlite3_bind_int64(st, 2, user);
	rc = step(s, st, "failed deliveries", e);
	if (rc < 0)
		return -1;
	if (rc) {
		*count = (long)sqlite3_column_int64(st, 0);
		job_cols(st, 1, last);
		*channel = store_col_text(st, 4);
		*detail = store_col_text(st, 5);
	}
	sqlite3_finalize(st);
	return 0;
}

static void fill_outbox(sqlite3_stmt *st, void *p)
{
	struct stats_outbox *o = p;

	o->target = store_col_text(st, 0);
	o->entries = (long)sqlite3_column_int64(st, 1);
	o->oldest = sqlite3_column_int64(st, 2);
	o->max_attempts = sqlite3_column_int(st, 3);
}

static void unfill_outbox(void *p)
{
	free(((struct stats_outbox *)p)->target);
}

int stats_outbox(struct store *s, struct stats_outbox **out, size_t *n, struct err *e)
{
	sqlite3_stmt *st =
		store_prepare(s,
			      "SELECT target, count(*), min(id), max(attempts) FROM outbox"
			      " GROUP BY target ORDER BY target",
			      e);
	void *arr;
	int rc;

	if (!st)
		return -1;
	rc = store_collect(s, st, sizeof(**out), fill_outbox, unfill_outbox, &arr, n, "outbox", e);
	*out = arr;
	return rc;
}

void stats_outbox_free(struct stats_outbox *o, size_t n)
{
	for (size_t i = 0; i < n; i++)
		unfill_outbox(&o[i]);
	free(o);
}

static void fill_sync(sqlite3_stmt *st, void *p)
{
	struct stats_sync *o = p;

	o->target = store_col_text(st, 0);
	o->cursor = store_col_text(st, 1);
}

static void unfill_sync(void *p)
{
	struct stats_sync *o = p;

	free(o->target);
	free(o->cursor);
}

int stats_sync(struct store *s, struct stats_sync **out, size_t *n, struct err *e)
{
	sqlite3_stmt *st =
		store_prepare(s, "SELECT target, cursor FROM sync_state ORDER BY target", e);
	void *arr;
	int rc;

	if (!st)
		return -1;
	rc = store_collect(s, st, sizeof(**out), fill_sync, unfill_sync, &arr, n, "sync state", e);
	*out = arr;
	return rc;
}

void stats_sync_free(struct stats_sync *o, size_t n)
{
	for (size_t i = 0; i < n; i++)
		unfill_sync(&o[i]);
	free(o);
}

char **stats_names(struct store *s, const char *table, struct err *e)
{
	static const char *const sql[][2] = {
		{ "calendars", "SELECT name FROM calendars ORDER BY name" },
		{ "users", "SELECT name FROM users ORDER BY name" },
	};
	sqlite3_stmt *st = NULL;
	char **names;
	size_t n = 0, cap = 8;
	int rc;

	for (size_t i = 0; i < sizeof(sql) / sizeof(sql[0]) && !st; i++)
		if (!strcmp(table, sql[i][0]) && !(st = store_prepare(s, sql[i][1], e)))
			return NULL;
	if (!st) {
		err_set(e, ERR_USAGE, "no names of %s", utf8_q(table));
		return NULL;
	}
	names = xcalloc(cap, sizeof(*names));
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (n + 1 >= cap)
			names = xrealloc(names, (cap *= 2) * sizeof(*names));
		names[n++] = store_col_text(st, 0);
		names[n] = NULL;
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		stats_names_free(names);
		store_error(s, e, table);
		return NULL;
	}
	return names;
}

void stats_names_free(char **names)
{
	for (size_t i = 0; names && names[i]; i++)
		free(names[i]);
	free(names);
}
