/*
 * replica-state.c - what sync knows of itself: cursors, the outcome of each
 * round, the outbox's backlog, and the conflicts recorded.
 */
#include "replica-int.h"
#include "xalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int replica_cursor(struct store *s, const char *target, long long *cursor, struct err *e)
{
	sqlite3_stmt *st = store_prepare(s, "SELECT cursor FROM sync_state WHERE target = ?", e);

	*cursor = 0;
	if (!st)
		return -1;
	store_bind_text(st, 1, target);
	if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL)
		*cursor = strtoll((const char *)sqlite3_column_text(st, 0), NULL, 10);
	sqlite3_finalize(st);
	return 0;
}

int replica_note(struct store *s, const char *target, time_t now, const char *error, long pushed,
		 long pulled, struct err *e)
{
	sqlite3_stmt *st = store_prepare(
		s,
		"INSERT INTO sync_state(target, last_ok, last_error, last_error_at, pushed, pulled)"
		" VALUES (?1, iif(?2 IS NULL, ?3, NULL), ?2, iif(?2 IS NULL, NULL, ?3), ?4, ?5)"
		" ON CONFLICT(target) DO UPDATE SET"
		" last_ok = iif(?2 IS NULL, ?3, last_ok),"
		" last_error = ?2, last_error_at = iif(?2 IS NULL, NULL, ?3),"
		" pushed = pushed + ?4, pulled = pulled + ?5",
		e);
	int rc;

	if (!st)
		return -1;
	store_bind_text(st, 1, target);
	store_bind_text(st, 2, error);
	sqlite3_bind_int64(st, 3, (sqlite3_int64)now);
	sqlite3_bind_int64(st, 4, pushed);
	sqlite3_bind_int64(st, 5, pulled);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : store_error(s, e, "sync: state");
}

int replica_pending(struct store *s, const char *target, long *n, time_t *oldest, struct err *e)
{
	sqlite3_stmt *st = store_prepare(s,
					 "SELECT count(*), coalesce(min(created_at), 0) FROM outbox"
					 " WHERE target = ?",
					 e);

	*n = 0;
	*oldest = 0;
	if (!st)
		return -1;
	store_bind_text(st, 1, target);
	if (sqlite3_step(st) == SQLITE_ROW) {
		*n = (long)sqlite3_column_int64(st, 0);
		*oldest = (time_t)sqlite3_column_int64(st, 1);
	}
	sqlite3_finalize(st);
	return 0;
}

static void status_row(sqlite3_stmt *st, void *elem)
{
	struct replica_status *r = elem;

	memset(r, 0, sizeof(*r));
	r->target = store_col_text(st, 0);
	r->cursor = sqlite3_column_type(st, 1) == SQLITE_NULL
			    ? 0
			    : strtoll((const char *)sqlite3_column_text(st, 1), NULL, 10);
	r->last_ok = (time_t)sqlite3_column_int64(st, 2);
	r->last_error = store_col_text(st, 3);
	r->last_error_at = (time_t)sqlite3_column_int64(st, 4);
	r->pushed = (long)sqlite3_column_int64(st, 5);
	r->pulled = (long)sqlite3_column_int64(st, 6);
}

static void status_unrow(void *elem)
{
	struct replica_status *r = elem;

	free(r->target);
	free(r->last_error);
}

int replica_status(struct store *s, struct replica_status **out, size_t *n, struct err *e)
{
	sqlite3_stmt *st =
		store_prepare(s,
			      "SELECT target, cursor, last_ok, last_error, last_error_at,"
			      " pushed, pulled FROM sync_state ORDER BY target",
			      e);
	void *arr;
	int rc;

	if (!st)
		return -1;
	rc = store_collect(s, st, sizeof(**out), status_row, status_unrow, &arr, n, "sync status",
			   e);
	*out = arr;
	return rc;
}

void replica_status_free(struct replica_status *st, size_t n)
{
	for (size_t i = 0; i < n; i++)
		status_unrow(&st[i]);
	free(st);
}

static void conflict_row(sqlite3_stmt *st, void *elem)
{
	struct replica_conflict *c = elem;

	memset(c, 0, sizeof(*c));
	c->id = sqlite3_column_int64(st, 0);
	c->at = (time_t)sqlite3_column_int64(st, 1);
	snprintf(c->entity, sizeof(c->entity), "%s", (const char *)sqlite3_column_text(st, 2));
	c->gid = store_col_text(st, 3);
	c->field = store_col_text(st, 4);
	c->mine = store_col_text(st, 5);
	c->theirs = store_col_text(st, 6);
	c->device = store_col_text(st, 7);
	c->local_id = sqlite3_column_int64(st, 8);
}

static void conflict_unrow(void *elem)
{
	struct replica_conflict *c = elem;

	free(c->gid);
	free(c->field);
	free(c->mine);
	free(c->theirs);
	free(c->device);
}

int replica_conflicts(struct store *s, size_t limit, struct replica_conflict **out, size_t *n,
		      struct err *e)
{
	char *sql = xstrdup("SELECT c.id, c.at, c.entity, c.gid, c.field, c.mine, c.theirs,"
			    " c.device, CASE c.entity");
	sqlite3_stmt *st;
	void *arr;
	int rc;

	for (size_t i = 0; i < replica_nentities; i++) {
		/* a Google sync's record names an event without a gid by its
		 * calendar's and its own Google ids (gsync_conflict; an older
		 * record by its own alone); a refusal, whose event may have no
		 * Google id since, by the event's uid too (keep_refused) */
		bool event = !strcmp(replica_entities[i].table, "events");
		char *more = xasprintf(
			"%s WHEN '%s' THEN coalesce((SELECT id FROM %s WHERE gid = c.gid), %s)",
			sql, replica_entities[i].entity, replica_entities[i].table,
			event ? "(SELECT x.id FROM events x WHERE x.deleted = 0 AND c.field ="
				" '(refused)' AND x.uid = CASE WHEN json_valid(c.theirs) THEN"
				" json_extract(c.theirs, '$.event_uid') END),"
				" (SELECT min(x.id) FROM events x JOIN calendars k"
				" ON k.id = x.calendar_id WHERE x.deleted = 0 AND c.gid"
				" IN ('google:' || x.remote_id, 'google:' || k.remote_id"
				" || '/' || x.remote_id))"
			      : "NULL");

		free(sql);
		sql = more;
	}
	{
		char *more = xasprintf("%s END FROM sync_conflicts AS c ORDER BY c.id DESC LIMIT ?",
				       sql);

		free(sql);
		sql = more;
	}
	st = store_prepare(s, sql, e);
	free(sql);
	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, limit ? (sqlite3_int64)limit : -1);
	rc = store_collect(s, st, sizeof(**out), conflict_row, conflict_unrow, &arr, n,
			   "sync conflicts", e);
	*out = arr;
	return rc;
}

void replica_conflicts_free(struct replica_conflict *c, size_t n)
{
	for (size_t i = 0; i < n; i++)
		conflict_unrow(&c[i]);
	free(c);
}
