/* Events: rows, overrides, calendars. Occurrences live in event-occ.c. */
#include "store-int.h"
#include "event.h"
#include "event-int.h"
#include "gsync.h"
#include "caltz.h"
#include "sbuf.h"
#include "utf8.h"
#include "xalloc.h"

#include <libical/ical.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

void event_release(struct event *ev)
{
	if (!ev)
		return;
	if (ev->strings || ev->list_strings) {
		free(ev->strings);
	} else {
		free(ev->uid);
		free(ev->calendar);
		free(ev->summary);
		free(ev->notes);
		free(ev->location);
		free(ev->tzid);
		free(ev->rrule);
		free(ev->attendees);
		free(ev->alarms);
	}
	free(ev->exdates);
	for (size_t i = 0; i < ev->noverrides; i++)
		event_override_release(&ev->overrides[i]);
	free(ev->overrides);
	memset(ev, 0, sizeof(*ev));
}

void event_override_release(struct event_override *o)
{
	free(o->summary);
	free(o->notes);
	free(o->location);
	free(o->tzid);
	memset(o, 0, sizeof(*o));
}

void event_drop_override(struct event *ev, time_t key)
{
	for (size_t i = 0; i < ev->noverrides; i++) {
		if (ev->overrides[i].recurrence_id == key) {
			event_override_release(&ev->overrides[i]);
			if (i + 1 < ev->noverrides)
				ev->overrides[i] = ev->overrides[ev->noverrides - 1];
			ev->noverrides--;
			return;
		}
	}
}

/* A block of the events' strings of a list. */
struct event_strings {
	struct event_strings *prev;
	size_t used, cap;
	char buf[];
};

#define STRINGS_BLOCK (64 * 1024)

/* Room for n bytes in l's blocks. */
static char *list_strings(struct event_list *l, size_t n)
{
	struct event_strings *b = l->strings;

	if (!b || b->cap - b->used < n) {
		size_t cap = n > STRINGS_BLOCK - sizeof(*b) ? n : STRINGS_BLOCK - sizeof(*b);

		b = xmalloc(sizeof(*b) + cap);
		b->prev = l->strings;
		b->used = 0;
		b->cap = cap;
		l->strings = b;
	}
	b->used += n;
	return b->buf + b->used - n;
}

void event_list_release(struct event_list *l)
{
	/* an event of a window's query whose strings are in the blocks holds
	 * nothing of its own when it has no exdates or overrides (most: the
	 * call and its clearing cost 50 instructions an event) */
	for (size_t i = 0; i < l->nevents; i++)
		if (!l->events[i].list_strings || l->events[i].exdates || l->events[i].overrides)
			event_release(&l->events[i]);
	while (l->strings) {
		struct event_strings *b = l->strings;

		l->strings = b->prev;
		free(b);
	}
	xbig_free(l->events);
	xbig_free(l->occ);
	memset(l, 0, sizeof(*l));
}

void event_add_exdate(struct event *ev, time_t key)
{
	size_t i = 0;

	while (i < ev->nexdates && ev->exdates[i] < key)
		i++;
	if (i < ev->nexdates && ev->exdates[i] == key)
		return;
	ev->exdates = xrealloc(ev->exdates, (ev->nexdates + 1) * sizeof(*ev->exdates));
	memmove(ev->exdates + i + 1, ev->exdates + i, (ev->nexdates - i) * sizeof(*ev->exdates));
	ev->exdates[i] = key;
	ev->nexdates++;
}

static char *exdates_text(const struct event *ev)
{
	struct sbuf sb = SBUF_INIT;

	if (!ev->nexdates)
		return NULL;
	for (size_t i = 0; i < ev->nexdates; i++)
		sbuf_addf(&sb, "%s%lld", i ? "," : "", (long long)ev->exdates[i]);
	return sbuf_detach(&sb);
}

static void exdates_parse(struct event *ev, const char *text)
{
	const char *p = text;

	while (p && *p) {
		char *end;
		long long v = strtoll(p, &end, 10);

		if (end == p)
			break;
		event_add_exdate(ev, (time_t)v);
		p = *end == ',' ? end + 1 : end;
	}
}

void event_from_row(sqlite3_stmt *st, struct event *ev)
{
	char *ex;

	memset(ev, 0, sizeof(*ev));
	ev->id = sqlite3_column_int64(st, 0);
	ev->uid = store_col_text(st, 1);
	ev->calendar = store_col_text(st, 2);
	ev->summary = store_col_text(st, 3);
	ev->notes = store_col_text(st, 4);
	ev->location = store_col_text(st, 5);
	ev->start = (time_t)sqlite3_column_int64(st, 6);
	ev->end = (time_t)sqlite3_column_int64(st, 7);
	ev->tzid = store_col_text(st, 8);
	ev->all_day = sqlite3_column_int(st, 9) != 0;
	ev->rrule = store_col_text(st, 10);
	ex = store_col_text(st, 11);
	exdates_parse(ev, ex);
	free(ex);
	ev->attendees = store_col_text(st, 12);
	ev->alarms = store_col_text(st, 13);
	ev->updated_at = (time_t)sqlite3_column_int64(st, 14);
	ev->has_wall = sqlite3_column_type(st, 15) != SQLITE_NULL;
	ev->wall_start = (time_t)sqlite3_column_int64(st, 15);
}

/* A copy of t (n bytes and its NUL) at *p, which moves past it; NULL when
 * t is. */
static char *put_text(char **p, const char *t, size_t n)
{
	char *at = *p;

	if (!t)
		return NULL;
	memcpy(at, t, n + 1);
	*p += n + 1;
	return at;
}

/* event_from_row_packed() of a row of EVENT_BRIEF_COLS into l's blocks,
 * in a line: an agenda's week at 100k events reads 2,271 rows, and the
 * loops over a table of columns and fields cost 100 instructions a row
 * more than the reads themselves. */
static void brief_from_row(sqlite3_stmt *st, struct event *ev, struct event_list *l)
{
	const char *summary = (const char *)sqlite3_column_text(st, 2),
		   *location = (const char *)sqlite3_column_text(st, 3),
		   *tzid = (const char *)sqlite3_column_text(st, 6),
		   *rrule = (const char *)sqlite3_column_text(st, 8);
	size_t ns = summary ? strlen(summary) : 0, nl = location ? strlen(location) : 0,
	       nt = tzid ? strlen(tzid) : 0, nr = rrule ? strlen(rrule) : 0;
	char *p = list_strings(l, (summary ? ns + 1 : 0) + (location ? nl + 1 : 0) +
					  (tzid ? nt + 1 : 0) + (rrule ? nr + 1 : 0));

	memset(ev, 0, sizeof(*ev));
	ev->list_strings = true;
	ev->summary = put_text(&p, summary, ns);
	ev->location = put_text(&p, location, nl);
	ev->tzid = put_text(&p, tzid, nt);
	ev->rrule = put_text(&p, rrule, nr);
	ev->id = sqlite3_column_int64(st, 1);
	ev->start = (time_t)sqlite3_column_int64(st, 4);
	ev->end = (time_t)sqlite3_column_int64(st, 5);
	ev->all_day = sqlite3_column_int(st, 7) != 0;
	exdates_parse(ev, (const char *)sqlite3_column_text(st, 0));
}

/* event_from_row_packed() of a row of EVENT_COLS. */
static void full_from_row(sqlite3_stmt *st, struct event *ev, const char *calendar,
			  struct event_list *l)
{
	/* summary, location, tzid, rrule, uid, notes, attendees, alarms; then
	 * id, start, end, all_day, exdates: the columns of EVENT_COLS */
	static const int col[13] = { 3, 5, 8, 10, 1, 4, 12, 13, 0, 6, 7, 9, 11 };
	char **field[] = { &ev->summary, &ev->location, &ev->tzid,	&ev->rrule,
			   &ev->uid,	 &ev->notes,	&ev->attendees, &ev->alarms };
	const char *text[8];
	size_t len[8], total = calendar ? strlen(calendar) + 1 : 0;
	char *p;

	memset(ev, 0, sizeof(*ev));
	for (size_t i = 0; i < 8; i++) {
		text[i] = (const char *)sqlite3_column_text(st, col[i]);
		len[i] = text[i] ? strlen(text[i]) : 0;
		total += text[i] ? len[i] + 1 : 0;
	}
	if (l) {
		p = list_strings(l, total);
		ev->list_strings = true;
	} else {
		p = ev->strings = xmalloc(total ? total : 1);
	}
	for (size_t i = 0; i < 8; i++) {
		if (!text[i])
			continue;
		*field[i] = memcpy(p, text[i], len[i] + 1);
		p += len[i] + 1;
	}
	if (calendar)
		ev->calendar = memcpy(p, calendar, strlen(calendar) + 1);
	ev->id = sqlite3_column_int64(st, col[8]);
	ev->start = (time_t)sqlite3_column_int64(st, col[9]);
	ev->end = (time_t)sqlite3_column_int64(st, col[10]);
	ev->all_day = sqlite3_column_int(st, col[11]) != 0;
	exdates_parse(ev, (const char *)sqlite3_column_text(st, col[12]));
	ev->updated_at = (time_t)sqlite3_column_int64(st, 14);
	ev->has_wall = sqlite3_column_type(st, 15) != SQLITE_NULL;
	ev->wall_start = (time_t)sqlite3_column_int64(st, 15);
}

void event_from_row_packed(sqlite3_stmt *st, struct event *ev, const char *calendar, bool brief,
			   struct event_list *l)
{
	if (brief)
		brief_from_row(st, ev, l);
	else
		full_from_row(st, ev, calendar, l);
}

/* The words of an event or of one of its occurrences. */
static int check_texts(const char *summary, const char *notes, const char *location, struct err *e)
{
	return utf8_check_field("summary", summary, STORE_TITLE_MAX, e) < 0 ||
			       utf8_check_field("notes", notes, STORE_NOTES_MAX, e) < 0 ||
			       utf8_check_field("location", location, STORE_TITLE_MAX, e) < 0
		       ? -1
		       : 0;
}

int event_check_fields(const struct event *ev, struct err *e)
{
	if (utf8_blank(ev->summary))
		return err_set(e, ERR_USAGE, "an event needs a summary");
	if (check_texts(ev->summary, ev->notes, ev->location, e) < 0 ||
	    utf8_check_field("uid", ev->uid, STORE_TITLE_MAX, e) < 0 ||
	    utf8_check_field("tzid", ev->tzid, STORE_TITLE_MAX, e) < 0 ||
	    utf8_check_field("attendees", ev->attendees, STORE_NOTES_MAX, e) < 0 ||
	    utf8_check_bytes("alarms", ev->alarms, STORE_NOTES_MAX, e) < 0)
		return -1;
	for (size_t i = 0; i < ev->noverrides; i++)
		if (check_texts(ev->overrides[i].summary, ev->overrides[i].notes,
				ev->overrides[i].location, e) < 0)
			return -1;
	if (ev->end < ev->start)
		return err_set(e, ERR_USAGE, "the event ends before it starts");
	if (ev->start < EVENT_TIME_MIN || ev->end >= EVENT_TIME_END)
		return err_set(e, ERR_USAGE, "an event must lie in the years 1-9999");
	if (ev->rrule) {
		struct icalrecurrencetype r;

		icalerror_clear_errno();
		r = icalrecurrencetype_from_string(ev->rrule);
		if (r.freq == ICAL_NO_RECURRENCE || icalerrno != ICAL_NO_ERROR) {
			icalerror_clear_errno();
			return err_set(e, ERR_USAGE, "bad RRULE %s", utf8_q(ev->rrule));
		}
	}
	return 0;
}

int event_check(struct store *s, const struct event *ev, struct err *e)
{
	struct tz *z;

	if (event_check_fields(ev, e) < 0)
		return -1;
	if (ev->all_day || !ev->tzid)
		return 0;
	z = caltz_open(s, ev->tzid, e);
	tz_free(z);
	return z ? 0 : -1;
}

int event_duration_secs(const struct icaldurationtype *d, long long *secs)
{
	/* each field is at most UINT_MAX: the sum fits in 64 bits */
	long long n = (long long)d->weeks * 7 * 86400 + (long long)d->days * 86400 +
		      (long long)d->hours * 3600 + (long long)d->minutes * 60 +
		      (long long)d->seconds;

	if (n > EVENT_DURATION_MAX)
		return -1;
	*secs = d->is_neg ? -n : n;
	return 0;
}

int event_check_calendar(const char *name, struct err *e)
{
	return utf8_check_field("calendar", name, STORE_TITLE_MAX, e);
}

int event_check_calendar_stored(struct store *s, long long id, struct err *e)
{
	sqlite3_stmt *st = store_prepare(s, "SELECT name FROM calendars WHERE id = ?", e);
	const char *name;
	int rc;

	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, id);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		name = (const char *)sqlite3_column_text(st, 0);
		/* an empty name is no calendar's (calendar_id: the default) */
		rc = name && *name ? event_check_calendar(name, e)
				   : err_set(e, ERR_USAGE, "%s", "a calendar needs a name");
	} else {
		rc = rc == SQLITE_DONE ? err_set(e, ERR_NOTFOUND, "no calendar %lld", id)
				       : store_error(s, e, "calendar");
	}
	sqlite3_finalize(st);
	return rc;
}

/* The id of calendar name, created when missing. */
static int calendar_id(struct store *s, const char *name, long long *id, struct err *e)
{
	static const char *const find = "SELECT id FROM calendars WHERE name = ?";
	static const char *const add = "INSERT INTO calendars(name) VALUES (?) RETURNING id";
	sqlite3_stmt *st;
	int rc = SQLITE_DONE;

	if (event_check_calendar(name, e) < 0)
		return -1;
	for (int pass = 0; pass < 2 && rc == SQLITE_DONE; pass++) {
		st = store_stmt(s, pass ? add : find, e);
		if (!st)
			return -1;
		store_bind_text(st, 1, name && *name ? name : "personal");
		rc = sqlite3_step(st);
		if (rc == SQLITE_ROW)
			*id = sqlite3_column_int64(st, 0);
		store_stmt_done(st);
	}
	return rc == SQLITE_ROW ? 0 : store_error(s, e, "calendar");
}

static char *new_uid(time_t now)
{
	unsigned char r[8] = { 0 };
	char hex[17];

	if (getrandom(r, sizeof(r), 0) != (ssize_t)sizeof(r)) {
		unsigned long x = (unsigned long)clock() ^ (unsigned long)getpid();

		memcpy(r, &x, sizeof(x) < sizeof(r) ? sizeof(x) : sizeof(r));
	}
	for (int i = 0; i < 8; i++)
		snprintf(hex + 2 * i, 3, "%02x", r[i]);
	return xasprintf("%lld-%s@nestor", (long long)now, hex);
}

/* Replace the stored overrides of ev (a new row has none to delete). */
static int write_overrides(struct store *s, const struct event *ev, bool is_new, struct err *e)
{
	static const char *const del = "DELETE FROM event_overrides WHERE event_id = ?";
	static const char *const ins =
		"INSERT INTO event_overrides(event_id, recurrence_id, summary,"
		" description, location, start, \"end\", tzid, declined)"
		" VALUES (?,?,?,?,?,?,?,?,?)";
	sqlite3_stmt *st;
	int rc;

	if (!is_new) {
		st = store_stmt(s, del, e);
		if (!st)
			return -1;
		sqlite3_bind_int64(st, 1, ev->id);
		rc = sqlite3_step(st);
		store_stmt_done(st);
		if (rc != SQLITE_DONE)
			return store_error(s, e, "event");
	}
	if (!ev->noverrides)
		return 0;
	st = store_stmt(s, ins, e);
	if (!st)
		return -1;
	for (size_t i = 0; i < ev->noverrides; i++) {
		const struct event_override *o = &ev->overrides[i];

		sqlite3_reset(st);
		sqlite3_bind_int64(st, 1, ev->id);
		sqlite3_bind_int64(st, 2, (sqlite3_int64)o->recurrence_id);
		store_bind_text(st, 3, o->summary);
		store_bind_text(st, 4, o->notes);
		store_bind_text(st, 5, o->location);
		sqlite3_bind_int64(st, 6, (sqlite3_int64)o->start);
		sqlite3_bind_int64(st, 7, (sqlite3_int64)o->end);
		store_bind_text(st, 8, o->tzid);
		sqlite3_bind_int(st, 9, o->declined);
		if (sqlite3_step(st) != SQLITE_DONE) {
			store_stmt_done(st);
			return store_error(s, e, "event override");
		}
	}
	store_stmt_done(st);
	return 0;
}

/* Drop ev's written wall time unless it is a timed event's that names
 * start in its zone and is not start's own wall time (an edit that moved
 * the start, or a file that wrote a time that exists, leaves none); a
 * single event keeps it for a rule added later. */
static int wall_keep(struct store *s, struct event *ev, struct err *e)
{
	struct tz *z;

	if (!ev->has_wall)
		return 0;
	if (ev->all_day || !ev->tzid || !*ev->tzid) {
		ev->has_wall = false;
		return 0;
	}
	z = caltz_open(s, ev->tzid, e);
	if (!z)
		return -1;
	ev->has_wall = tz_wall_names(z, ev->start, ev->wall_start);
	tz_free(z);
	return 0;
}

/* INSERT (id 0) or UPDATE the row of ev; the caller holds a transaction. */
static int write_event(struct store *s, struct event *ev, time_t now,
		       struct event_alarm_count *count, struct err *e)
{
	static const char *const ins =
		"INSERT INTO events(calendar_id, uid, summary, description, location, start,"
		" \"end\", tzid, all_day, rrule, exdates, attendees, alarms, until, updated_at,"
		" reach, wall_start) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?18)";
	static const char *const upd =
		"UPDATE events SET calendar_id = ?, uid = ?, summary = ?, description = ?,"
		" location = ?, start = ?, \"end\" = ?, tzid = ?, all_day = ?, rrule = ?,"
		" exdates = ?, attendees = ?, alarms = ?, until = ?, updated_at = ?, reach = ?,"
		" wall_start = ?18 WHERE id = ?17 AND deleted = 0";
	sqlite3_stmt *st;
	long long cal = 0;
	time_t until;
	bool bounded, is_new = ev->id == 0;
	char *ex;
	int rc;

	if (event_check(s, ev, e) < 0 || wall_keep(s, ev, e) < 0 ||
	    calendar_id(s, ev->calendar, &cal, e) < 0 ||
	    event_series_end(s, ev, &bounded, &until, e) < 0)
		return -1;
	if (!ev->uid)
		ev->uid = new_uid(now);
	if (!ev->calendar)
		ev->calendar = xstrdup("personal");
	st = store_stmt(s, ev->id ? upd : ins, e);
	if (!st)
		return -1;
	ex = exdates_text(ev);
	sqlite3_bind_int64(st, 1, cal);
	store_bind_text(st, 2, ev->uid);
	store_bind_text(st, 3, ev->summary);
	store_bind_text(st, 4, ev->notes);
	store_bind_text(st, 5, ev->location);
	sqlite3_bind_int64(st, 6, (sqlite3_int64)ev->start);
	sqlite3_bind_int64(st, 7, (sqlite3_int64)ev->end);
	store_bind_text(st, 8, ev->all_day ? NULL : ev->tzid);
	sqlite3_bind_int(st, 9, ev->all_day);
	store_bind_text(st, 10, ev->rrule);
	store_bind_text(st, 11, ex);
	store_bind_text(st, 12, ev->attendees);
	store_bind_text(st, 13, ev->alarms);
	if (ev->rrule && bounded) {
		sqlite3_bind_int64(st, 14, (sqlite3_int64)until);
		sqlite3_bind_int(st, 16, event_reach(ev->start, until));
	} else {
		sqlite3_bind_null(st, 14);
		sqlite3_bind_null(st, 16);
	}
	sqlite3_bind_int64(st, 15, (sqlite3_int64)now);
	if (ev->id)
		sqlite3_bind_int64(st, 17, ev->id);
	if (ev->has_wall)
		sqlite3_bind_int64(st, 18, (sqlite3_int64)ev->wall_start);
	else
		sqlite3_bind_null(st, 18);
	rc = sqlite3_step(st);
	store_stmt_done(st);
	free(ex);
	if (rc != SQLITE_DONE) {
		if (sqlite3_extended_errcode(s->db) == SQLITE_CONSTRAINT_UNIQUE)
			return err_set(e, ERR_USAGE, "an event with UID %s exists",
				       utf8_q(ev->uid));
		return store_error(s, e, "event");
	}
	if (ev->id && sqlite3_changes(s->db) == 0)
		return err_set(e, ERR_NOTFOUND, "no event with id %lld", ev->id);
	if (!ev->id)
		ev->id = sqlite3_last_insert_rowid(s->db);
	ev->updated_at = now;
	if (write_overrides(s, ev, is_new, e) < 0)
		return -1;
	/* A new row has no reminders yet (those of a deleted row with its id
	 * went with it): without alarms there is nothing to bring in step. */
	if (is_new && !ev->alarms)
		return 0;
	return event_alarm_sync(s, ev, now, count, e);
}

int event_reach_update(struct store *s, long long id, struct err *e)
{
	sqlite3_stmt *st = store_stmt(s,
				      "SELECT start, until FROM events WHERE id = ?"
				      " AND rrule IS NOT NULL AND until IS NOT NULL",
				      e);
	int rc, reach = -1;

	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, id);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		reach = event_reach((time_t)sqlite3_column_int64(st, 0),
				    (time_t)sqlite3_column_int64(st, 1));
	store_stmt_done(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return store_error(s, e, "event");
	st = store_stmt(s, "UPDATE events SET reach = ?2 WHERE id = ?1 AND reach IS NOT ?2", e);
	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, id);
	if (reach >= 0)
		sqlite3_bind_int(st, 2, reach);
	else
		sqlite3_bind_null(st, 2);
	rc = sqlite3_step(st);
	store_stmt_done(st);
	return rc == SQLITE_DONE ? 0 : store_error(s, e, "event");
}

int event_write(struct store *s, struct event *ev, time_t now, struct event_alarm_count *count,
		struct err *e)
{
	return write_event(s, ev, now, count, e);
}

static int in_transaction(struct store *s, struct event *ev, time_t now, struct err *e)
{
	long long old = ev->id;

	if (store_begin(s, e) < 0)
		return -1;
	if (gsync_writable(s, ev->id, ev->calendar, e) < 0) {
		store_rollback(s);
		return -1;
	}
	if (write_event(s, ev, now, NULL, e) < 0) {
		store_rollback(s);
		ev->id = old;
		return -1;
	}
	return store_commit(s, e);
}

int event_add(struct store *s, struct event *ev, time_t now, struct err *e)
{
	ev->id = 0;
	return in_transaction(s, ev, now, e);
}

int event_update(struct store *s, struct event *ev, time_t now, struct err *e)
{
	if (ev->id <= 0)
		return err_set(e, ERR_NOTFOUND, "no event with id %lld", ev->id);
	return in_transaction(s, ev, now, e);
}

void event_override_from_row(sqlite3_stmt *st, int col, struct event *ev)
{
	struct event_override *o;

	ev->overrides = xrealloc(ev->overrides, (ev->noverrides + 1) * sizeof(*o));
	o = &ev->overrides[ev->noverrides++];
	o->recurrence_id = (time_t)sqlite3_column_int64(st, col);
	o->summary = store_col_text(st, col + 1);
	o->notes = store_col_text(st, col + 2);
	o->location = store_col_text(st, col + 3);
	o->start = (time_t)sqlite3_column_int64(st, col + 4);
	o->end = (time_t)sqlite3_column_int64(st, col + 5);
	o->tzid = store_col_text(st, col + 6);
	o->declined = sqlite3_column_int(st, col + 7) != 0;
}

int event_load_overrides(struct store *s, struct event *ev, struct err *e)
{
	static const char *const sql = "SELECT recurrence_id, summary, description, location,"
				       " start, \"end\", tzid, declined FROM event_overrides"
				       " WHERE event_id = ? ORDER BY recurrence_id";
	sqlite3_stmt *st = store_stmt(s, sql, e);
	int rc;

	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, ev->id);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		event_override_from_row(st, 0, ev);
	store_stmt_done(st);
	return rc == SQLITE_DONE ? 0 : store_error(s, e, "event");
}

static int get_by(struct store *s, const char *where, long long id, const char *uid,
		  struct event *out, struct err *e)
{
	char *sql = xasprintf("SELECT " EVENT_COLS " WHERE e.deleted = 0 AND %s", where);
	sqlite3_stmt *st = store_prepare(s, sql, e);
	int rc;

	free(sql);
	if (!st)
		return -1;
	if (uid)
		store_bind_text(st, 1, uid);
	else
		sqlite3_bind_int64(st, 1, id);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		event_from_row(st, out);
	sqlite3_finalize(st);
	if (rc == SQLITE_DONE) {
		if (uid)
			return err_set(e, ERR_NOTFOUND, "no event with UID %s", utf8_q(uid));
		return err_set(e, ERR_NOTFOUND, "no event with id %lld", id);
	}
	if (rc != SQLITE_ROW)
		return store_error(s, e, "event");
	if (event_load_overrides(s, out, e) < 0) {
		event_release(out);
		return -1;
	}
	return 0;
}

int event_modify(struct store *s, long long id, time_t now,
		 int (*edit)(void *arg, struct event *ev), void *arg, struct event *out,
		 struct err *e)
{
	memset(out, 0, sizeof(*out));
	if (store_begin(s, e) < 0)
		return -1;
	if (event_get(s, id, out, e) < 0 || edit(arg, out) < 0 ||
	    event_update(s, out, now, e) < 0) {
		store_rollback(s);
		event_release(out);
		return -1;
	}
	if (store_commit(s, e) < 0) {
		event_release(out);
		return -1;
	}
	return 0;
}

int event_get(struct store *s, long long id, struct event *out, struct err *e)
{
	return get_by(s, "e.id = ?", id, NULL, out, e);
}

int event_get_uid(struct store *s, const char *uid, struct event *out, struct err *e)
{
	return get_by(s, "e.uid = ?", 0, uid, out, e);
}

/* event_delete()'s --only DATE, as an event_modify() edit: the occurrence
 * on day becomes an EXDATE (and loses its override, if any). */
struct drop_day {
	struct store *s;
	time_t day;
	struct err *e;
};

static int drop_day(void *arg, struct event *ev)
{
	struct drop_day *d = arg;
	time_t key;

	if (!ev->rrule)
		return err_set(d->e, ERR_USAGE, "event %lld does not repeat (drop --only)", ev->id);
	if (event_key_on_day(d->s, ev, d->day, &key, d->e) < 0)
		return -1;
	event_add_exdate(ev, key);
	event_drop_override(ev, key);
	return 0;
}

int event_delete(struct store *s, long long id, const time_t *only, time_t now, struct err *e)
{
	sqlite3_stmt *st;
	int rc;

	if (gsync_writable(s, id, NULL, e) < 0)
		return -1;
	if (only) {
		struct drop_day d = { s, *only, e };
		struct event ev;

		rc = event_modify(s, id, now, drop_day, &d, &ev, e);
		if (rc == 0)
			event_release(&ev);
		return rc;
	}
	st = store_prepare(s, "DELETE FROM events WHERE id = ?", e);
	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, id);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return store_error(s, e, "event");
	if (sqlite3_changes(s->db) == 0)
		return err_set(e, ERR_NOTFOUND, "no event with id %lld", id);
	return 0;
}
