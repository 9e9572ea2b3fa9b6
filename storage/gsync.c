/* Google Calendar in the store (gsync.h). */
#include "gsync.h"
#include "utf8.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "event-int.h"
#include "xalloc.h"

#define CAL_COLS                                                                                   \
	"c.id, c.name, c.source = 'google', c.remote_id, c.color, c.access, c.sync, c.tz,"         \
	" c.reminders, c.sync_token,"                                                              \
	" (SELECT count(*) FROM events e WHERE e.calendar_id = c.id AND e.deleted = 0)"            \
	" FROM calendars c"

static void cal_row(sqlite3_stmt *st, void *elem)
{
	struct gsync_cal *c = elem;

	memset(c, 0, sizeof(*c));
	c->id = sqlite3_column_int64(st, 0);
	c->name = store_col_text(st, 1);
	c->google = sqlite3_column_int(st, 2) != 0;
	c->remote_id = store_col_text(st, 3);
	c->color = store_col_text(st, 4);
	c->access = store_col_text(st, 5);
	c->sync = sqlite3_column_int(st, 6) != 0;
	c->tz = store_col_text(st, 7);
	c->reminders = store_col_text(st, 8);
	c->sync_token = store_col_text(st, 9);
	c->events = (long)sqlite3_column_int64(st, 10);
}

void gsync_cal_release(struct gsync_cal *c)
{
	if (!c)
		return;
	free(c->name);
	free(c->remote_id);
	free(c->color);
	free(c->access);
	free(c->tz);
	free(c->reminders);
	free(c->sync_token);
	memset(c, 0, sizeof(*c));
}

static void cal_unrow(void *elem)
{
	gsync_cal_release(elem);
}

void gsync_cals_free(struct gsync_cal *c, size_t n)
{
	for (size_t i = 0; i < n; i++)
		gsync_cal_release(&c[i]);
	free(c);
}

int gsync_calendars(struct store *s, struct gsync_cal **out, size_t *n, struct err *e)
{
	sqlite3_stmt *st = store_prepare(s, "SELECT " CAL_COLS " ORDER BY c.name", e);
	void *arr = NULL;
	int rc;

	*out = NULL;
	*n = 0;
	if (!st)
		return -1;
	rc = store_collect(s, st, sizeof(**out), cal_row, cal_unrow, &arr, n, "calendars", e);
	*out = arr;
	return rc;
}

int gsync_calendar(struct store *s, const char *name, struct gsync_cal *out, struct err *e)
{
	sqlite3_stmt *st = store_prepare(s, "SELECT " CAL_COLS " WHERE c.name = ?", e);
	int rc;

	memset(out, 0, sizeof(*out));
	if (!st)
		return -1;
	store_bind_text(st, 1, name);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		cal_row(st, out);
	sqlite3_finalize(st);
	if (rc == SQLITE_DONE)
		return err_set(e, ERR_NOTFOUND, "no calendar named %s", utf8_q(name));
	return rc == SQLITE_ROW ? 0 : store_error(s, e, "calendar");
}

/* Run one statement with text bindings (NULL binds NULL); *changes gets
 * the rows it changed (may be NULL). */
static int run(struct store *s, const char *sql, int *changes, struct err *e, int nargs,
	       const char *const *args)
{
	sqlite3_stmt *st = store_prepare(s, sql, e);
	int rc;

	if (!st)
		return -1;
	for (int i = 0; i < nargs; i++)
		store_bind_text(st, i + 1, args[i]);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE && rc != SQLITE_ROW)
		return store_error(s, e, "calendar");
	if (changes)
		*changes = sqlite3_changes(s->db);
	return 0;
}

/* base cut on a character's boundary to at most max bytes, then suffix. */
static char *cut_name(const char *base, size_t max, const char *suffix)
{
	size_t n = strlen(base);

	n = utf8_cut(base, n < max ? n : max);
	return xasprintf("%.*s%s", (int)n, base, suffix);
}

int gsync_calendar_put(struct store *s, const char *remote_id, const char *summary,
		       const char *color, const char *access, const char *tz, const char *reminders,
		       struct err *e)
{
	static const char google[] = " (Google)";
	/* The name stored passes what a calendar's name must, here and on
	 * another device: never empty, at most STORE_TITLE_MAX bytes with the
	 * suffix a name taken already gets. */
	const char *base = summary && *summary	     ? summary
			   : remote_id && *remote_id ? remote_id
						     : "Google";
	char *plain = cut_name(base, STORE_TITLE_MAX, "");
	char *suffixed = cut_name(base, STORE_TITLE_MAX - (sizeof(google) - 1), google);
	const char *args[] = { color, access, tz, reminders, remote_id, plain, suffixed };
	int changed = 0, rc = -1;

	if (event_check_calendar(base, e) < 0) {
		err_prefix(e, "Google calendar \"%.60s\"", remote_id);
		goto out;
	}
	if (store_begin(s, e) < 0)
		goto out;
	if (run(s,
		"UPDATE calendars SET color = ?, access = ?, tz = ?, reminders = ?"
		" WHERE source = 'google' AND remote_id = ?",
		&changed, e, 5, args) < 0)
		goto fail;
	if (!changed &&
	    run(s,
		"INSERT INTO calendars(color, access, tz, reminders, remote_id, source, name)"
		" VALUES (?1, ?2, ?3, ?4, ?5, 'google', CASE WHEN EXISTS (SELECT 1 FROM calendars"
		" WHERE name = ?6) THEN ?7 ELSE ?6 END)",
		NULL, e, 7, args) < 0)
		goto fail;
	rc = store_commit(s, e);
	goto out;
fail:
	store_rollback(s);
out:
	free(plain);
	free(suffixed);
	return rc;
}

int gsync_calendar_add(struct store *s, const char *name, struct err *e)
{
	const char *args[] = { name };
	struct gsync_cal c;

	if (!name || !*name)
		return err_set(e, ERR_USAGE, "a calendar needs a name");
	if (event_check_calendar(name, e) < 0)
		return -1;
	if (gsync_calendar(s, name, &c, e) == 0) {
		gsync_cal_release(&c);
		return err_set(e, ERR_USAGE, "a calendar named %s exists", utf8_q(name));
	}
	if (e->code != ERR_NOTFOUND)
		return -1;
	err_clear(e);
	return run(s, "INSERT INTO calendars(name) VALUES (?)", NULL, e, 1, args);
}

int gsync_calendar_set_sync(struct store *s, const char *name, bool on, struct err *e)
{
	const char *args[] = { on ? "1" : "0", name };
	struct gsync_cal c;

	if (gsync_calendar(s, name, &c, e) < 0)
		return -1;
	if (!c.google) {
		gsync_cal_release(&c);
		return err_set(e, ERR_USAGE, "calendar %s is local: only Google calendars sync",
			       utf8_q(name));
	}
	gsync_cal_release(&c);
	return run(s, "UPDATE calendars SET sync = ? WHERE name = ?", NULL, e, 2, args);
}

int gsync_apply_begin(struct store *s, bool full, struct err *e)
{
	if (store_begin(s, e) < 0)
		return -1;
	if (store_exec(s, "UPDATE google_state SET applying = 1 WHERE id = 1", e) < 0 ||
	    store_exec(s,
		       "CREATE TEMP TABLE IF NOT EXISTS gsync_seen(remote_id TEXT PRIMARY KEY);"
		       "DELETE FROM temp.gsync_seen",
		       e) < 0) {
		store_rollback(s);
		return -1;
	}
	if (full && store_exec(s, "INSERT INTO temp.gsync_seen VALUES (char(0))", e) < 0) {
		store_rollback(s);
		return -1;
	}
	return 0;
}

void gsync_apply_abort(struct store *s)
{
	store_rollback(s);
}

int gsync_apply_end(struct store *s, long long cal, const char *sync_token, struct err *e)
{
	sqlite3_stmt *st;
	int rc;

	/* a full pull (marked by the NUL row): what Google no longer has goes,
	 * unless a local change of it waits to be pushed */
	st = store_prepare(s,
			   "DELETE FROM events WHERE calendar_id = ?1 AND remote_id IS NOT NULL"
			   " AND etag IS NOT NULL AND EXISTS (SELECT 1 FROM temp.gsync_seen"
			   " WHERE remote_id = char(0)) AND remote_id NOT IN (SELECT remote_id"
			   " FROM temp.gsync_seen) AND NOT EXISTS (SELECT 1 FROM outbox o WHERE"
			   " o.target = 'google' AND o.entity_id = events.id)",
			   e);
	if (!st)
		goto fail;
	sqlite3_bind_int64(st, 1, cal);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		store_error(s, e, "calendar");
		goto fail;
	}
	st = store_prepare(s, "UPDATE calendars SET sync_token = ? WHERE id = ? AND ? > 0", e);
	if (!st)
		goto fail;
	sqlite3_bind_int64(st, 3, cal);
	store_bind_text(st, 1, sync_token);
	sqlite3_bind_int64(st, 2, cal);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		store_error(s, e, "calendar");
		goto fail;
	}
	if (store_exec(s, "UPDATE google_state SET applying = 0 WHERE id = 1", e) < 0)
		goto fail;
	return store_commit(s, e);
fail:
	store_rollback(s);
	return -1;
}

int gsync_event_find(struct store *s, long long cal, const char *remote_id, struct event *out,
		     char **etag, int *pending, struct err *e)
{
	sqlite3_stmt *st = store_prepare(s,
					 "SELECT e.id, e.uid, c.name, e.summary, e.description,"
					 " e.location, e.start, e.\"end\", e.tzid, e.all_day,"
					 " e.rrule, e.exdates, e.attendees, e.alarms, e.updated_at,"
					 " e.etag, (SELECT max(1 + (o.attempts > 0)) FROM outbox o"
					 " WHERE o.target = 'google' AND o.op = 'put'"
					 " AND o.entity_id = e.id)"
					 " FROM events e JOIN"
					 " calendars c ON c.id = e.calendar_id"
					 " WHERE e.calendar_id = ? AND e.remote_id = ?"
					 " AND e.deleted = 0",
					 e);
	int rc;

	*etag = NULL;
	*pending = 0;
	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, cal);
	store_bind_text(st, 2, remote_id);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		event_from_row(st, out);
		*etag = store_col_text(st, 15);
		*pending = sqlite3_column_int(st, 16);
	}
	sqlite3_finalize(st);
	if (rc == SQLITE_DONE)
		return err_set(e, ERR_NOTFOUND, "no event with Google id %s", utf8_q(remote_id));
	if (rc != SQLITE_ROW)
		return store_error(s, e, "event");
	if (event_load_overrides(s, out, e) < 0) {
		event_release(out);
		free(*etag);
		*etag = NULL;
		return -1;
	}
	return 0;
}

int gsync_event_put(struct store *s, struct event *ev, const char *remote_id, const char *etag,
		    time_t now, struct err *e)
{
	sqlite3_stmt *st;
	int rc;

	if (event_write(s, ev, now, NULL, e) < 0)
		return -1;
	st = store_prepare(s, "UPDATE events SET remote_id = ?, etag = ? WHERE id = ?", e);
	if (!st)
		return -1;
	store_bind_text(st, 1, remote_id);
	store_bind_text(st, 2, etag);
	sqlite3_bind_int64(st, 3, ev->id);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return store_error(s, e, "event");
	return gsync_event_seen(s, remote_id, e);
}

int gsync_event_seen(struct store *s, const char *remote_id, struct err *e)
{
	sqlite3_stmt *st = store_prepare(s, "INSERT OR IGNORE INTO temp.gsync_seen VALUES (?)", e);
	int rc;

	if (!st)
		return -1;
	store_bind_text(st, 1, remote_id);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : store_error(s, e, "event");
}

int gsync_event_drop(struct store *s, long long cal, const char *remote_id, struct err *e)
{
	sqlite3_stmt *st =
		store_prepare(s, "DELETE FROM events WHERE calendar_id = ? AND remote_id = ?", e);
	int rc;

	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, cal);
	store_bind_text(st, 2, remote_id);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : store_error(s, e, "event");
}

void gsync_op_release(struct gsync_op *op)
{
	if (!op)
		return;
	free(op->calendar);
	free(op->remote_id);
	free(op->etag);
	memset(op, 0, sizeof(*op));
}

int gsync_next(struct store *s, long long after, time_t now, struct gsync_op *op, bool *found,
	       struct err *e)
{
	/* a put reads the event as it is now; a delete what the trigger kept */
	sqlite3_stmt *st = store_prepare(
		s,
		"SELECT o.id, o.op = 'del', o.entity_id, coalesce(c.remote_id,"
		" json_extract(o.payload, '$.calendar')), coalesce(ev.remote_id,"
		" json_extract(o.payload, '$.remote_id')), CASE o.op WHEN 'del' THEN"
		" json_extract(o.payload, '$.etag') ELSE ev.etag END, coalesce(o.created_at, 0),"
		" coalesce(ev.updated_at, 0), o.attempts,"
		" o.op = 'del' OR (ev.id IS NOT NULL AND c.source = 'google' AND c.sync),"
		" (SELECT max(x.id) FROM outbox x WHERE x.target = 'google' AND x.op = 'put'"
		"  AND x.entity = 'event' AND x.entity_id = o.entity_id)"
		" FROM outbox o LEFT JOIN events ev ON ev.id = o.entity_id AND o.op = 'put'"
		" LEFT JOIN calendars c ON c.id = ev.calendar_id"
		" WHERE o.target = 'google' AND o.id > ? AND o.next_attempt <= ?"
		/* a change of a calendar whose sync is off waits for it to be on */
		" AND coalesce((SELECT k.sync FROM calendars k WHERE k.source = 'google'"
		"  AND k.remote_id = CASE o.op WHEN 'del' THEN json_extract(o.payload,"
		"  '$.calendar') ELSE c.remote_id END), 1)"
		" ORDER BY o.id LIMIT 1",
		e);
	int rc;

	memset(op, 0, sizeof(*op));
	*found = false;
	if (!st)
		return -1;
	for (;;) {
		sqlite3_reset(st);
		sqlite3_bind_int64(st, 1, after);
		sqlite3_bind_int64(st, 2, (sqlite3_int64)now);
		rc = sqlite3_step(st);
		if (rc != SQLITE_ROW)
			break;
		op->outbox_id = sqlite3_column_int64(st, 0);
		if (sqlite3_column_int(st, 9)) {
			op->kind = sqlite3_column_int(st, 1) ? GSYNC_DEL : GSYNC_PUT;
			op->event_id = sqlite3_column_int64(st, 2);
			op->calendar = store_col_text(st, 3);
			op->remote_id = store_col_text(st, 4);
			op->etag = store_col_text(st, 5);
			op->created = (time_t)sqlite3_column_int64(st, 6);
			op->updated = (time_t)sqlite3_column_int64(st, 7);
			op->attempts = sqlite3_column_int(st, 8);
			op->last_put = sqlite3_column_int64(st, 10);
			*found = true;
			break;
		}
		/* the event is gone or no longer in a Google calendar: nothing to
		 * send (a move out queued its own del) */
		after = op->outbox_id;
		sqlite3_reset(st);
		{
			char sql[96];

			snprintf(sql, sizeof(sql), "DELETE FROM outbox WHERE id = %lld",
				 op->outbox_id);
			if (store_exec(s, sql, e) < 0) {
				sqlite3_finalize(st);
				return -1;
			}
		}
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return store_error(s, e, "outbox");
	return 0;
}

/* The refusals still standing (gsync_refused_count()): theirs, Google's
 * error, names the event by its uid; one Google took a push of the event
 * after is settled (gsync_pushed()).  REFUSED_UIDS: their uids, to match
 * once; REFUSED_OF_EV: those of the event ev.* */
#define REFUSED_UID                                                                                \
	"CASE WHEN json_valid(c.theirs) AND json_extract(c.theirs, '$.settled') IS NULL"           \
	" THEN json_extract(c.theirs, '$.event_uid') END"
#define REFUSED_OF    " FROM sync_conflicts c WHERE c.entity = 'event' AND c.field = '(refused)'"
#define REFUSED_UIDS  " (SELECT " REFUSED_UID REFUSED_OF ")"
#define REFUSED_OF_EV REFUSED_OF " AND " REFUSED_UID " = ev.uid"

int gsync_pushed(struct store *s, const struct gsync_op *op, const char *etag, struct err *e)
{
	sqlite3_stmt *st;
	int rc;

	/* a savepoint: inside a pull's transaction too */
	if (store_exec(s, "SAVEPOINT gsync_pushed", e) < 0)
		return -1;
	/* a put sends the event as it is: the puts of it queued when it was
	 * read are sent too; a del is its own (an event moved twice has one
	 * per calendar) */
	st = store_prepare(s,
			   "DELETE FROM outbox WHERE target = 'google' AND entity = 'event'"
			   " AND (id = ?2 OR (?3 AND op = 'put' AND entity_id = ?1 AND id <= ?4))",
			   e);
	if (!st)
		goto fail;
	sqlite3_bind_int64(st, 1, op->event_id);
	sqlite3_bind_int64(st, 2, op->outbox_id);
	sqlite3_bind_int(st, 3, op->kind == GSYNC_PUT);
	sqlite3_bind_int64(st, 4, op->last_put > op->outbox_id ? op->last_put : op->outbox_id);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		store_error(s, e, "outbox");
		goto fail;
	}
	if (op->kind == GSYNC_PUT) {
		st = store_prepare(s, "UPDATE events SET etag = ? WHERE id = ?", e);
		if (!st)
			goto fail;
		store_bind_text(st, 1, etag);
		sqlite3_bind_int64(st, 2, op->event_id);
		rc = sqlite3_step(st);
		sqlite3_finalize(st);
		if (rc != SQLITE_DONE) {
			store_error(s, e, "event");
			goto fail;
		}
	}
	/* Google took the event: a refusal of it is settled, kept for
	 * nestor sync conflicts but no longer counted (its etag may go again:
	 * a move out of a calendar whose sync is off) */
	if (op->kind == GSYNC_PUT && etag) {
		st = store_prepare(
			s,
			"UPDATE sync_conflicts SET theirs = json_set(theirs, '$.settled',"
			" json('true')) WHERE id IN (SELECT c.id" REFUSED_OF " AND " REFUSED_UID
			" = (SELECT uid FROM events WHERE id = ?))",
			e);
		if (!st)
			goto fail;
		sqlite3_bind_int64(st, 1, op->event_id);
		rc = sqlite3_step(st);
		sqlite3_finalize(st);
		if (rc != SQLITE_DONE) {
			store_error(s, e, "sync conflicts");
			goto fail;
		}
	}
	return store_exec(s, "RELEASE gsync_pushed", e);
fail:
	store_exec(s, "ROLLBACK TO gsync_pushed; RELEASE gsync_pushed", &(struct err){ 0 });
	return -1;
}

int gsync_retry(struct store *s, const struct gsync_op *op, time_t next, const char *why,
		struct err *e)
{
	sqlite3_stmt *st = store_prepare(s,
					 "UPDATE outbox SET attempts = attempts + 1,"
					 " next_attempt = ?, payload = CASE op WHEN 'put' THEN"
					 " json_object('error', ?) ELSE payload END WHERE id = ?",
					 e);
	int rc;

	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, (sqlite3_int64)next);
	store_bind_text(st, 2, why);
	sqlite3_bind_int64(st, 3, op->outbox_id);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : store_error(s, e, "outbox");
}

int gsync_pending(struct store *s, time_t due, long *n, struct err *e)
{
	sqlite3_stmt *st = store_prepare(s,
					 "SELECT count(*) FROM outbox WHERE target = 'google'"
					 " AND (?1 = 0 OR next_attempt <= ?1)",
					 e);
	int rc;

	*n = 0;
	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, (sqlite3_int64)due);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*n = (long)sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return rc == SQLITE_ROW ? 0 : store_error(s, e, "outbox");
}

int gsync_conflict(struct store *s, const struct gsync_conflict_rec *c, time_t now, long long *id,
		   struct err *e)
{
	sqlite3_stmt *st = store_prepare(
		s,
		"INSERT INTO sync_conflicts(at, entity, gid, field, mine, theirs, device)"
		" VALUES (?, 'event', coalesce((SELECT gid FROM events WHERE id = ?),"
		" 'google:' || coalesce(? || '/', '') || ?), coalesce(?, '(google)'), ?, ?, ?)",
		e);
	int rc;

	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, (sqlite3_int64)now);
	sqlite3_bind_int64(st, 2, c->event_id);
	store_bind_text(st, 3, c->calendar);
	store_bind_text(st, 4, c->remote_id);
	store_bind_text(st, 5, c->field);
	store_bind_text(st, 6, c->mine);
	store_bind_text(st, 7, c->theirs);
	store_bind_text(st, 8, c->winner);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return store_error(s, e, "sync conflicts");
	if (id)
		*id = sqlite3_last_insert_rowid(s->db);
	return 0;
}

#define REFUSED_EVENTS                                                                             \
	" FROM events ev JOIN calendars cal ON cal.id = ev.calendar_id"                            \
	" AND cal.source = 'google'"                                                               \
	" WHERE ev.deleted = 0 AND ev.etag IS NULL"

/* The text of the first column of st's row (prepared, bound), or NULL
 * when there is none; st is finalized. */
static int one_text(struct store *s, sqlite3_stmt *st, char **out, const char *what, struct err *e)
{
	int rc;

	*out = NULL;
	if (!st)
		return -1;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*out = store_col_text(st, 0);
	sqlite3_finalize(st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : store_error(s, e, what);
}

int gsync_refused_count(struct store *s, long *n, struct err *e)
{
	char *v;

	if (one_text(s,
		     store_prepare(
			     s, "SELECT count(*)" REFUSED_EVENTS " AND ev.uid IN" REFUSED_UIDS, e),
		     &v, "sync conflicts", e) < 0)
		return -1;
	*n = v ? atol(v) : 0;
	free(v);
	return 0;
}

int gsync_refused_why(struct store *s, long long event_id, char **why, struct err *e)
{
	sqlite3_stmt *st = store_prepare(
		s,
		"SELECT coalesce(json_extract(t, '$.message'),"
		" json_extract(t, '$.errors[0].reason'), 'HTTP ' || json_extract(t, '$.code'), '?')"
		" FROM (SELECT (SELECT c.theirs" REFUSED_OF_EV
		" ORDER BY c.id DESC LIMIT 1) AS t" REFUSED_EVENTS
		" AND ev.id = ?) WHERE t NOTNULL",
		e);

	if (st)
		sqlite3_bind_int64(st, 1, event_id);
	return one_text(s, st, why, "sync conflicts", e);
}

int gsync_conflict_drop(struct store *s, long long id, struct err *e)
{
	sqlite3_stmt *st = store_prepare(s, "DELETE FROM sync_conflicts WHERE id = ?", e);
	int rc;

	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, id);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : store_error(s, e, "sync conflicts");
}

int gsync_pause(struct store *s, time_t now, const char *why, struct err *e)
{
	sqlite3_stmt *st = store_prepare(
		s, "UPDATE google_state SET paused_at = ?, paused_why = ? WHERE id = 1", e);
	int rc;

	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, (sqlite3_int64)now);
	store_bind_text(st, 2, why);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : store_error(s, e, "google state");
}

int gsync_resume(struct store *s, struct err *e)
{
	return store_exec(
		s, "UPDATE google_state SET paused_at = NULL, paused_why = NULL WHERE id = 1", e);
}

int gsync_paused(struct store *s, char **why, struct err *e)
{
	return one_text(s,
			store_prepare(s,
				      "SELECT paused_why FROM google_state WHERE id = 1 AND "
				      "paused_at IS NOT NULL",
				      e),
			why, "google state", e);
}

int gsync_later_put_etag(struct store *s, long long event_id, const char *etag, struct err *e)
{
	sqlite3_stmt *st = store_prepare(
		s,
		"UPDATE events SET etag = ?1 WHERE id = ?2 AND etag IS NULL AND EXISTS"
		" (SELECT 1 FROM outbox WHERE target = 'google' AND entity = 'event'"
		" AND op = 'put' AND entity_id = ?2)",
		e);
	int rc;

	if (!st)
		return -1;
	store_bind_text(st, 1, etag);
	sqlite3_bind_int64(st, 2, event_id);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : store_error(s, e, "event");
}

int gsync_unsent(struct store *s, long long event_id, struct err *e)
{
	sqlite3_stmt *st = store_prepare(
		s,
		"UPDATE events SET remote_id = NULL WHERE id = ?1 AND etag IS NULL AND NOT EXISTS"
		" (SELECT 1 FROM outbox WHERE target = 'google' AND entity = 'event'"
		" AND op = 'put' AND entity_id = ?1)",
		e);
	int rc;

	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, event_id);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : store_error(s, e, "event");
}

int gsync_writable(struct store *s, long long event_id, const char *calendar, struct err *e)
{
	/* a pull (applying) writes what Google has, whatever the role */
	sqlite3_stmt *st = store_prepare(
		s,
		"SELECT c.name, c.access FROM calendars c WHERE c.source = 'google'"
		" AND c.access IN ('reader', 'freeBusyReader')"
		" AND NOT coalesce((SELECT applying FROM google_state WHERE id = 1), 0)"
		" AND (c.id = (SELECT calendar_id FROM events WHERE id = ?1) OR c.name = ?2)"
		" LIMIT 1",
		e);
	int rc;

	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, event_id);
	store_bind_text(st, 2, calendar);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		err_set(e, ERR_USAGE,
			"calendar %s is read-only (its Google role is %s): nothing changed",
			utf8_q((const char *)sqlite3_column_text(st, 0)),
			(const char *)sqlite3_column_text(st, 1));
	sqlite3_finalize(st);
	if (rc == SQLITE_ROW)
		return -1;
	return rc == SQLITE_DONE ? 0 : store_error(s, e, "calendar");
}
