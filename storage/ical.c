/*
 * iCalendar import: the reader (ical-read.c) hands over one component at a
 * time, libical parses it, and the event is written at once, all in one
 * transaction.  What must wait is kept: an event whose TZID names a
 * VTIMEZONE further down its calendar, and the RECURRENCE-ID overrides,
 * given to their series at the end.
 */
#include "store-int.h"
#include "ical.h"
#include "ical-int.h"
#include "event-int.h"
#include "caltz.h"
#include "ical-todo.h"
#include "gsync.h"
#include "recur.h"
#include "sbuf.h"
#include "utf8.h"
#include "xalloc.h"

#include <glib.h>
#include <libical/ical.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define DAY 86400
/* How many events between two calls of the progress function. */
#define PROGRESS_EVERY 512
/* An import that writes more events than the table held before (its
 * largest id), and more than BULK_MIN, makes the table's indexes again at
 * its end (store_bulk_begin()): their cost then is a share of the
 * import's own, and the agenda's indexes have their pages in order. */
#define BULK_MIN 1000

/* An override, kept until its series is known. */
struct ovr {
	char *uid;
	struct event_override o;
	int line;
	bool rid_date;
};

/* An event or a task waiting for a VTIMEZONE later in its calendar. */
struct later {
	icalcomponent *c;
	struct ical_part part;
};

struct import {
	struct store *s;
	icalparser *parser;
	icalcomponent *zones; /* the VTIMEZONEs of the calendar being read */
	char **saved;	      /* zones of these VTIMEZONEs stored already, and their names */
	size_t nsaved;
	struct later *later;
	size_t nlater;
	struct ovr *ovs;
	size_t novs;
	const char *calendar;
	time_t now;
	struct ical_report *rep;
	struct {
		char kind[48];
		size_t n;
	} skip[8];
	size_t nskip;
	/* What this import wrote: rows above max_before it added; rows at or
	 * below it that it rewrote are in rewritten. */
	long long max_before;
	GHashTable *rewritten;
	struct store_bulk bulk;
	bool bulk_on;
	ical_progress_fn *progress;
	void *arg;
	struct ical_progress prog;
	const struct ical_reader *rd;
	char *local;	    /* floating_zone() */
	bool local_unnamed; /* and tzdata has no name for the local zone */
};

static void note_skip(struct import *im, const char *kind)
{
	size_t i;

	im->rep->skipped++;
	for (i = 0; i < im->nskip; i++)
		if (!strcmp(im->skip[i].kind, kind))
			break;
	if (i == im->nskip) {
		if (im->nskip == sizeof(im->skip) / sizeof(im->skip[0]))
			i--;
		else
			snprintf(im->skip[im->nskip++].kind, sizeof(im->skip->kind), "%s", kind);
	}
	im->skip[i].n++;
}

/* Whether x is libical's report of an empty TEXT value ("No value for
 * SUMMARY property. Removing entire property:"): RFC 5545 (3.3.11) allows
 * one, and Outlook writes an empty DESCRIPTION or LOCATION. */
static bool empty_text(icalproperty *x, char name[48])
{
	const char *msg = icalproperty_get_xlicerror(x);
	icalproperty_kind kind;

	*name = '\0';
	if (!msg || sscanf(msg, "No value for %47s property.", name) != 1)
		return false;
	kind = icalproperty_string_to_kind(name);
	return kind != ICAL_NO_PROPERTY &&
	       (icalproperty_kind_to_value_kind(kind) == ICAL_TEXT_VALUE ||
		icalproperty_kind_to_value_kind(kind) == ICAL_X_VALUE);
}

/* libical's X-LIC-ERROR in comp or below, as "line N: bad NAME "value"";
 * an empty text is no error: the property is left out, as libical did. */
static int lic_error(const struct ical_part *p, icalcomponent *comp, bool below, struct err *e)
{
	icalproperty *x = icalcomponent_get_first_property(comp, ICAL_XLICERROR_PROPERTY);
	char empty[48];

	while (x && empty_text(x, empty)) {
		icalcomponent_remove_property(comp, x);
		icalproperty_free(x);
		x = icalcomponent_get_first_property(comp, ICAL_XLICERROR_PROPERTY);
	}
	if (x && *empty)
		return err_set(e, ERR_USAGE, "line %d: empty %s", ical_part_line(p, empty, NULL),
			       empty);
	if (x) {
		const char *msg = icalproperty_get_xlicerror(x), *in = strstr(msg, " in "),
			   *prop = strstr(msg, " property"), *val = strstr(msg, "property: ");
		char name[24] = "";

		if (in && prop && prop > in + 4 && prop - in - 4 < (long)sizeof(name))
			snprintf(name, sizeof(name), "%.*s", (int)(prop - in - 4), in + 4);
		if (*name && val)
			return err_set(e, ERR_USAGE, "line %d: bad %s %s",
				       ical_part_line(p, name, val + 10), name, utf8_q(val + 10));
		return err_set(e, ERR_USAGE, "line %d: %s", ical_part_line(p, "", NULL), msg);
	}
	for (icalcomponent *c = icalcomponent_get_first_component(comp, ICAL_ANY_COMPONENT);
	     below && c; c = icalcomponent_get_next_component(comp, ICAL_ANY_COMPONENT))
		if (lic_error(p, c, true, e) < 0)
			return -1;
	return 0;
}

static void forget_saved(struct import *im)
{
	for (size_t i = 0; i < im->nsaved; i++)
		free(im->saved[i]);
	free(im->saved);
	im->saved = NULL;
	im->nsaved = 0;
}

/* Keep this calendar's VTIMEZONE for tzid in the database for later imports
 * and agendas, and register it (caltz_keep()), once, if it has one: *kept is
 * the name its events keep (tzid, or "TZID (2)" beside another definition). */
static int save_zone(struct import *im, const char *tzid, int line, const char **kept,
		     struct err *e)
{
	icaltimezone *z;
	char *name;

	*kept = tzid;
	for (size_t i = 0; i < im->nsaved; i += 2)
		if (!strcmp(im->saved[i], tzid)) {
			*kept = im->saved[i + 1];
			return 0;
		}
	z = icalcomponent_get_timezone(im->zones, tzid);
	if (!z)
		return 0;
	name = caltz_keep(im->s, tzid, icalcomponent_as_ical_string(icaltimezone_get_component(z)),
			  e);
	if (!name) {
		err_prefix(e, "line %d", line);
		return -1;
	}
	im->saved = xrealloc(im->saved, (im->nsaved + 2) * sizeof(*im->saved));
	im->saved[im->nsaved++] = xstrdup(tzid);
	im->saved[im->nsaved++] = name;
	*kept = name;
	return 0;
}

/* Resolve a TZID: tzdata first, then this calendar's VTIMEZONE (stored for
 * later), then one stored by an earlier import.  *name is what to keep;
 * *z is the zone, to free. */
static int resolve_zone(struct import *im, const char *tzid, int line, struct tz **z,
			const char **name, struct err *e)
{
	const char *plain = tz_plain_name(tzid);

	if (tz_is_utc(plain) || tz_is_system(plain)) {
		*name = plain;
		*z = tz_open(plain, e);
		return *z ? 0 : -1;
	}
	if (save_zone(im, tzid, line, name, e) < 0)
		return -1;
	*z = caltz_open(im->s, *name, e);
	if (!*z)
		return err_set(e, ERR_USAGE, "line %d: unknown time zone %s", line, utf8_q(tzid));
	return 0;
}

/* Whether v is a date (and time) of the calendar: years 1-9999, which an
 * export can write back; libical keeps month 13 or 25:00 as written. */
static bool time_in_range(struct icaltimetype v)
{
	static const int mdays[] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };

	if (v.year < 1 || v.year > 9999 || v.month < 1 || v.month > 12 || v.day < 1 ||
	    v.day > mdays[v.month - 1] ||
	    (v.month == 2 && v.day == 29 && !icaltime_is_leap_year(v.year)))
		return false;
	return v.is_date || (v.hour >= 0 && v.hour <= 23 && v.minute >= 0 && v.minute <= 59 &&
			     v.second >= 0 && v.second <= 60);
}

/* Whether every TZID of c resolves now (a VTIMEZONE may come later). */
static bool zones_known(struct import *im, icalcomponent *c)
{
	for (icalproperty *p = icalcomponent_get_first_property(c, ICAL_ANY_PROPERTY); p;
	     p = icalcomponent_get_next_property(c, ICAL_ANY_PROPERTY)) {
		icalparameter *tp = icalproperty_get_first_parameter(p, ICAL_TZID_PARAMETER);
		const char *tzid = tp ? icalparameter_get_tzid(tp) : NULL;
		struct err ignore;

		if (tzid && !icalcomponent_get_timezone(im->zones, tzid) &&
		    (caltz_ensure(im->s, tzid, &ignore) < 0 || !tz_known(tzid)))
			return false;
	}
	return true;
}

/* The zone an export of nestor names beside a DTSTART it wrote in UTC
 * (X-NESTOR-TZID: the event's, whose wall clock shows that instant twice),
 * when it resolves; else "UTC". */
static const char *x_zone(struct import *im, icalproperty *p, int line)
{
	for (icalparameter *x = icalproperty_get_first_parameter(p, ICAL_X_PARAMETER); x;
	     x = icalproperty_get_next_parameter(p, ICAL_X_PARAMETER)) {
		const char *n = icalparameter_get_xname(x), *v = icalparameter_get_xvalue(x);
		const char *name;
		struct err ignore;
		struct tz *z;

		if (!n || strcmp(n, "X-NESTOR-TZID") || !v || !*v)
			continue;
		if (resolve_zone(im, v, line, &z, &name, &ignore) < 0)
			return "UTC";
		tz_free(z);
		return name;
	}
	return "UTC";
}

/* The zone a floating time (no TZID, no Z) is read in: the importing
 * process's, kept by its name when tzdata has it, else as UTC (at the same
 * instant), so that the event is the same wherever it is shown later. */
static const char *floating_zone(struct import *im)
{
	if (!im->local) {
		char *name = tz_local_name();

		if (name && tz_is_system(tz_plain_name(name)))
			im->local = name;
		else {
			free(name);
			im->local = xstrdup("UTC");
			im->local_unnamed = true;
		}
	}
	return im->local;
}

/* The instant (or, for a date, the UTC midnight) of a DATE-TIME property;
 * *tzid_out gets the zone name to keep (NULL: a date). */
static int prop_time(struct import *im, icalproperty *p, int line, time_t *t, bool *is_date,
		     const char **tzid_out, struct err *e)
{
	struct icaltimetype v = icalvalue_get_datetime(icalproperty_get_value(p));
	icalparameter *tp = icalproperty_get_first_parameter(p, ICAL_TZID_PARAMETER);
	const char *name = NULL;
	struct tz *z = NULL;

	*is_date = v.is_date;
	if (!time_in_range(v)) {
		err_set(e, ERR_USAGE, "line %d: bad %s %s", line, icalproperty_get_property_name(p),
			utf8_q(icalproperty_get_value_as_string(p)));
		return -1;
	}
	if (v.is_date) {
		*t = caltz_utc_instant(v);
	} else if (icaltime_is_utc(v)) {
		*t = caltz_utc_instant(v); /* libical's stops at 1902 */
		name = tzid_out ? x_zone(im, p, line) : "UTC";
	} else {
		if (tp ? resolve_zone(im, icalparameter_get_tzid(tp), line, &z, &name, e) < 0
		       : !(z = tz_open(NULL, e)))
			return -1;
		if (!tp)
			name = floating_zone(im);
		*t = caltz_from_wall(z, v);
		tz_free(z);
	}
	if (tzid_out)
		*tzid_out = name;
	return 0;
}

static char *dup_or_null(const char *s)
{
	return s && *s ? xstrdup(s) : NULL;
}

/* "ATTENDEE;CN=A:mailto:a" lines, unfolded, one per line. */
static char *attendees_text(icalcomponent *c)
{
	struct sbuf sb = SBUF_INIT;

	for (icalproperty *p = icalcomponent_get_first_property(c, ICAL_ATTENDEE_PROPERTY); p;
	     p = icalcomponent_get_next_property(c, ICAL_ATTENDEE_PROPERTY)) {
		for (const char *s = icalproperty_as_ical_string(p); *s; s++) {
			if (s[0] == '\r' && s[1] == '\n' && (s[2] == ' ' || s[2] == '\t'))
				s += 2;
			else if (*s != '\r' && *s != '\n')
				sbuf_add(&sb, s, 1);
		}
		sbuf_adds(&sb, "\n");
	}
	return sb.len ? sbuf_detach(&sb) : NULL;
}

/* The text of c's VALARMs into *out (NULL: none); -1 for a TRIGGER beyond
 * EVENT_DURATION_MAX, which the reminder could not be set from. */
static int alarms_text(icalcomponent *c, const struct ical_part *p, char **out, struct err *e)
{
	struct sbuf sb = SBUF_INIT;

	*out = NULL;
	for (icalcomponent *a = icalcomponent_get_first_component(c, ICAL_VALARM_COMPONENT); a;
	     a = icalcomponent_get_next_component(c, ICAL_VALARM_COMPONENT)) {
		icalproperty *t = icalcomponent_get_first_property(a, ICAL_TRIGGER_PROPERTY);
		struct icaltriggertype tr;
		long long secs;

		if (t) {
			tr = icalproperty_get_trigger(t);
			if (icaltime_is_null_time(tr.time) &&
			    event_duration_secs(&tr.duration, &secs) < 0) {
				sbuf_release(&sb);
				return err_set(e, ERR_USAGE, "line %d: TRIGGER beyond 10000 years",
					       ical_part_line(p, "TRIGGER",
							      icalproperty_get_value_as_string(t)));
			}
		}
		sbuf_adds(&sb, icalcomponent_as_ical_string(a));
	}
	*out = sb.len ? sbuf_detach(&sb) : NULL;
	return 0;
}

/* Start, end and zone of a VEVENT into the given fields. */
static int event_times(struct import *im, icalcomponent *c, const struct ical_part *p,
		       time_t *start, time_t *end, bool *all_day, char **tzid, struct err *e)
{
	icalproperty *ps = icalcomponent_get_first_property(c, ICAL_DTSTART_PROPERTY);
	icalproperty *pe = icalcomponent_get_first_property(c, ICAL_DTEND_PROPERTY);
	icalproperty *pd = icalcomponent_get_first_property(c, ICAL_DURATION_PROPERTY);
	const char *name;
	bool d2;

	if (!ps)
		return err_set(e, ERR_USAGE, "line %d: event without DTSTART",
			       ical_part_line(p, "BEGIN", NULL));
	if (prop_time(im, ps, ical_part_line(p, "DTSTART", NULL), start, all_day, &name, e) < 0)
		return -1;
	if (name && name == im->local && im->local_unnamed &&
	    icalcomponent_get_first_property(c, ICAL_RRULE_PROPERTY))
		/* a floating series where the local zone has no name (a POSIX
		 * TZ rule): no zone, repeated in the local one as written */
		name = NULL;
	*tzid = dup_or_null(name);
	if (pe) {
		if (prop_time(im, pe, ical_part_line(p, "DTEND", NULL), end, &d2, NULL, e) < 0)
			return -1;
	} else if (pd) {
		struct icaldurationtype d = icalproperty_get_duration(pd);
		long long secs;

		if (event_duration_secs(&d, &secs) < 0)
			return err_set(e, ERR_USAGE, "line %d: DURATION beyond 10000 years",
				       ical_part_line(p, "DURATION", NULL));
		*end = *start + secs;
	} else {
		*end = *start + (*all_day ? DAY : 0);
	}
	if (*end < *start)
		return err_set(e, ERR_USAGE, "line %d: DTEND before DTSTART",
			       ical_part_line(p, pe ? "DTEND" : "DURATION", NULL));
	return 0;
}

/* A timed series' DTSTART as written, a wall-clock time: event_write()
 * keeps it where the start's wall clock shows another (event.h). */
static void written_wall(icalcomponent *c, struct event *ev)
{
	struct icaltimetype v = icalcomponent_get_dtstart(c);

	if (ev->all_day || !ev->tzid || v.is_date || icaltime_is_utc(v))
		return;
	ev->has_wall = true;
	ev->wall_start = caltz_utc_instant(v);
}

/* The occurrence key of an EXDATE value of series ev. */
static int occ_key(struct import *im, icalproperty *p, int line, const struct event *ev,
		   time_t *key, struct err *e)
{
	bool all_day = ev->all_day;
	time_t start = ev->start;
	const char *tzid = ev->tzid;
	bool is_date;

	if (prop_time(im, p, line, key, &is_date, NULL, e) < 0)
		return -1;
	if (is_date && !all_day) {
		/* a date for a timed series: that day at the series' time of day */
		struct tz *z = caltz_open(im->s, tzid, e);
		struct icaltimetype w;
		struct tm tm;

		if (!z)
			return -1;
		w = caltz_to_wall(z, start, false);
		if (ev->has_wall) { /* the time of day as written */
			time_t tod = (ev->wall_start % DAY + DAY) % DAY;

			w.hour = (int)(tod / 3600);
			w.minute = (int)(tod / 60 % 60);
			w.second = (int)(tod % 60);
		}
		gmtime_r(key, &tm);
		w.year = tm.tm_year + 1900;
		w.month = tm.tm_mon + 1;
		w.day = tm.tm_mday;
		*key = caltz_from_wall(z, w);
		tz_free(z);
	} else if (!is_date && all_day) {
		*key = tz_local_to_date(*key);
	}
	return 0;
}

/* The calendar an export of nestor named (X-NESTOR-CALENDAR), or NULL. */
static const char *x_calendar(icalcomponent *c)
{
	for (icalproperty *p = icalcomponent_get_first_property(c, ICAL_X_PROPERTY); p;
	     p = icalcomponent_get_next_property(c, ICAL_X_PROPERTY))
		if (icalproperty_get_x_name(p) &&
		    !strcmp(icalproperty_get_x_name(p), "X-NESTOR-CALENDAR"))
			return icalproperty_get_x(p);
	return NULL;
}

/* The id of the stored event with uid, 0 when there is none. */
static int stored_id(struct import *im, const char *uid, long long *id, struct err *e)
{
	static const char *const sql = "SELECT id FROM events WHERE uid = ?";
	sqlite3_stmt *st = store_stmt(im->s, sql, e);
	int rc;

	if (!st)
		return -1;
	store_bind_text(st, 1, uid);
	rc = sqlite3_step(st);
	*id = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
	store_stmt_done(st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : store_error(im->s, e, "import");
}

/* Whether this import wrote row id already. */
static bool written(struct import *im, long long id)
{
	gint64 key = id;

	return id > im->max_before || g_hash_table_contains(im->rewritten, &key);
}

/* Count row id as updated, unless this import wrote it already (a UID twice
 * in a file: the last one wins, counted once). */
static void count_update(struct import *im, long long id)
{
	gint64 key = id;

	if (written(im, id))
		return;
	g_hash_table_add(im->rewritten, g_memdup2(&key, sizeof(key)));
	im->rep->updated++;
}

/* One more event written (or, last, the end of the import). */
static void report_progress(struct import *im, bool last)
{
	if (!last)
		im->prog.events++;
	im->prog.bytes = im->rd->bytes;
	if (im->progress && (last || im->prog.events % PROGRESS_EVERY == 0))
		im->progress(&im->prog, im->arg);
}

/* Write ev (a series or a single event) as read from part p. */
static int write_one(struct import *im, struct event *ev, const struct ical_part *p, struct err *e)
{
	long long id;

	if (stored_id(im, ev->uid, &id, e) < 0)
		return -1;
	ev->id = id;
	/* event_write() leaves the role check to its callers: an import into
	 * (or over an event of) a read-only Google calendar is refused whole */
	if (gsync_writable(im->s, id, ev->calendar, e) < 0 ||
	    event_write(im->s, ev, im->now, &im->rep->alarms, e) < 0) {
		err_prefix(e, "line %d", ical_part_line(p, "BEGIN", NULL));
		return -1;
	}
	if (id)
		count_update(im, id);
	else
		im->rep->added++;
	report_progress(im, false);
	if (!im->bulk_on && im->rep->added + im->rep->updated > (size_t)im->max_before &&
	    im->rep->added + im->rep->updated > BULK_MIN) {
		im->bulk_on = true;
		return store_bulk_begin(im->s, "events", &im->bulk, e);
	}
	return 0;
}

static int read_event(struct import *im, icalcomponent *c, const struct ical_part *p, struct err *e)
{
	icalproperty *rid = icalcomponent_get_first_property(c, ICAL_RECURRENCEID_PROPERTY);
	icalproperty *rr = icalcomponent_get_first_property(c, ICAL_RRULE_PROPERTY);
	const char *uid = icalcomponent_get_uid(c);
	struct event ev;
	int rc;

	memset(&ev, 0, sizeof(ev));
	if (event_times(im, c, p, &ev.start, &ev.end, &ev.all_day, &ev.tzid, e) < 0)
		goto fail;
	ev.summary = xstrdup(icalcomponent_get_summary(c) ? icalcomponent_get_summary(c) : "");
	ev.notes = dup_or_null(icalcomponent_get_description(c));
	ev.location = dup_or_null(icalcomponent_get_location(c));
	/* a stray control character in a file's text is dropped, not a reason
	 * to refuse the file (invalid UTF-8 still is: event_check) */
	utf8_drop_controls(ev.summary);
	utf8_drop_controls(ev.notes);
	utf8_drop_controls(ev.location);
	if (!uid || !*uid) {
		/* no UID: one derived from the content, so a re-import matches */
		unsigned long h = 5381;

		for (const char *s = ev.summary; *s; s++)
			h = h * 33 + (unsigned char)*s;
		ev.uid = xasprintf("%lld-%lx@nestor-import", (long long)ev.start, h);
	} else {
		ev.uid = xstrdup(uid);
	}
	if (rid) {
		struct ovr *o;

		im->ovs = xrealloc(im->ovs, (im->novs + 1) * sizeof(*im->ovs));
		o = &im->ovs[im->novs++];
		memset(o, 0, sizeof(*o));
		o->uid = ev.uid;
		o->line = ical_part_line(p, "RECURRENCE-ID", NULL);
		o->o.summary = *ev.summary ? ev.summary : NULL;
		o->o.notes = ev.notes;
		o->o.location = ev.location;
		o->o.start = ev.start;
		o->o.end = ev.end;
		o->o.tzid = ev.tzid;
		if (!*ev.summary)
			free(ev.summary);
		/* the key depends on the series; attach() finishes it */
		return prop_time(im, rid, o->line, &o->o.recurrence_id, &o->rid_date, NULL, e);
	}
	if (!*ev.summary) {
		free(ev.summary);
		ev.summary = xstrdup("(no title)");
	}
	if (rr) {
		struct icalrecurrencetype r = icalproperty_get_rrule(rr);

		ev.rrule = xstrdup(icalrecurrencetype_as_string(&r));
		written_wall(c, &ev);
	}
	for (icalproperty *x = icalcomponent_get_first_property(c, ICAL_EXDATE_PROPERTY); x;
	     x = icalcomponent_get_next_property(c, ICAL_EXDATE_PROPERTY)) {
		time_t key;

		if (occ_key(im, x, ical_part_line(p, "EXDATE", NULL), &ev, &key, e) < 0)
			goto fail;
		event_add_exdate(&ev, key);
	}
	ev.attendees = attendees_text(c);
	if (alarms_text(c, p, &ev.alarms, e) < 0)
		goto fail;
	ev.calendar = dup_or_null(im->calendar ? im->calendar : x_calendar(c));
	/* one event repeating every minute leaves the rest of the file in */
	if (ev.rrule && recur_limit(ev.rrule, false, e) < 0) {
		store_warn("import: line %d: %s; the event is skipped",
			   ical_part_line(p, "RRULE", NULL), e->msg);
		note_skip(im, "too frequent RRULE");
		err_clear(e);
		event_release(&ev);
		return 0;
	}
	if (event_series_check(im->s, &ev, e) < 0) {
		err_prefix(e, "line %d", ical_part_line(p, "RRULE", NULL));
		goto fail;
	}
	rc = write_one(im, &ev, p, e);
	event_release(&ev);
	return rc;
fail:
	event_release(&ev);
	return -1;
}

static int by_uid(const void *a, const void *b)
{
	return strcmp(((const struct ovr *)a)->uid, ((const struct ovr *)b)->uid);
}

/* Give the overrides to their series, of this file or of the database, and
 * write each series they change once. */
static int attach(struct import *im, struct err *e)
{
	if (im->novs)
		qsort(im->ovs, im->novs, sizeof(*im->ovs), by_uid);
	for (size_t i = 0, j; i < im->novs; i = j) {
		struct event ev;
		struct err none = { 0, "" };
		int rc;

		for (j = i + 1; j < im->novs && !strcmp(im->ovs[j].uid, im->ovs[i].uid); j++)
			;
		if (event_get_uid(im->s, im->ovs[i].uid, &ev, &none) < 0) {
			for (size_t k = i; k < j; k++)
				note_skip(im, "RECURRENCE-ID without its series");
			continue;
		}
		for (size_t k = i; k < j; k++) {
			struct ovr *o = &im->ovs[k];

			if (ev.all_day && !o->rid_date)
				o->o.recurrence_id = tz_local_to_date(o->o.recurrence_id);
			event_drop_override(&ev, o->o.recurrence_id);
			ev.overrides =
				xrealloc(ev.overrides, (ev.noverrides + 1) * sizeof(*ev.overrides));
			ev.overrides[ev.noverrides++] = o->o;
			memset(&o->o, 0, sizeof(o->o));
		}
		/* a series of this file had its alarms counted when written */
		rc = gsync_writable(im->s, ev.id, NULL, e);
		if (rc == 0)
			rc = event_write(im->s, &ev, im->now,
					 written(im, ev.id) ? NULL : &im->rep->alarms, e);
		if (rc == 0)
			count_update(im, ev.id);
		event_release(&ev);
		if (rc < 0)
			return -1;
	}
	return 0;
}

/* Whether an event's own property is one nestor keeps (read_event). */
static bool kept(const char *name)
{
	static const char *const names[] = {
		"UID",	    "SUMMARY",		 "DESCRIPTION", "LOCATION", "DTSTART",
		"DTEND",    "DURATION",		 "RRULE",	"EXDATE",   "RECURRENCE-ID",
		"ATTENDEE", "X-NESTOR-CALENDAR", NULL,
	};

	for (int i = 0; names[i]; i++)
		if (!strcasecmp(name, names[i]))
			return true;
	return false;
}

/* The component of part p, through the import's parser a line at a time:
 * the reader unfolded them already.  Of an event's own properties only
 * those nestor keeps are parsed (a DTSTAMP costs as much as a DTSTART);
 * its VALARMs are parsed whole. */
static icalcomponent *parse_part(struct import *im, struct ical_part *p)
{
	bool event = !strcasecmp(p->kind, "VEVENT"), todo = !strcasecmp(p->kind, "VTODO");
	icalcomponent *c = NULL;
	int depth = 0;

	for (size_t i = 0; i < p->nlines; i++) {
		const char *name = p->lines[i].name;
		char *line = p->text.buf + p->lines[i].off, *end = line + p->lines[i].len;
		char was = *end;

		if (!strcasecmp(name, "BEGIN"))
			depth++;
		else if (!strcasecmp(name, "END"))
			depth--;
		else if (depth == 1 && (event || todo) && !strcasecmp(name, "RDATE")) {
			note_skip(im, "RDATE"); /* nestor keeps none: said */
			continue;
		} else if (event && depth == 1 && !kept(name))
			continue;
		*end = '\0';
		c = icalparser_add_line(im->parser, line);
		*end = was;
	}
	return c;
}

/* A VTODO: its DUE read in the file's zones, the rest by ical-todo.c. */
static int read_todo(struct import *im, icalcomponent *c, const struct ical_part *p, struct err *e)
{
	icalproperty *due = icalcomponent_get_first_property(c, ICAL_DUE_PROPERTY);
	struct ical_todo_due d = { due != NULL, 0, false };

	if (due &&
	    prop_time(im, due, ical_part_line(p, "DUE", NULL), &d.at, &d.is_date, NULL, e) < 0)
		return -1;
	return ical_todo_import(im->s, c, &d, ical_part_line(p, "BEGIN", NULL), im->now,
				&im->rep->tasks_added, &im->rep->tasks_updated, e);
}

/* An event or a task that waited for a VTIMEZONE of its calendar. */
static int read_waiting(struct import *im, icalcomponent *c, const struct ical_part *p,
			struct err *e)
{
	if (icalcomponent_isa(c) == ICAL_VTODO_COMPONENT)
		return read_todo(im, c, p, e);
	return read_event(im, c, p, e);
}

/* Whether the n bytes at v are a UTC offset of RFC 5545 (3.3.14): a sign,
 * hours 00-23, minutes 00-59, seconds 00-59 if any (libical would keep
 * +9900 as +2300, and move every event of the zone). */
static bool utc_offset(const char *v, size_t n)
{
	while (n && (v[n - 1] == ' ' || v[n - 1] == '\t'))
		n--; /* trailing blanks, as libical reads them */
	if ((n != 5 && n != 7) || (v[0] != '+' && v[0] != '-'))
		return false;
	for (size_t i = 1; i < n; i++)
		if (v[i] < '0' || v[i] > '9')
			return false;
	return (v[1] - '0') * 10 + (v[2] - '0') <= 23 && v[3] <= '5' && (n == 5 || v[5] <= '5');
}

/* The TZOFFSETFROM and TZOFFSETTO lines of a VTIMEZONE, each a valid
 * offset: "line N: bad TZOFFSETFROM "+9900"" for one that is not. */
static int check_offsets(const struct ical_part *p, struct err *e)
{
	for (size_t i = 0; i < p->nlines; i++) {
		const struct ical_line *l = &p->lines[i];
		const char *text = p->text.buf + l->off, *v;

		if (strcasecmp(l->name, "TZOFFSETFROM") && strcasecmp(l->name, "TZOFFSETTO"))
			continue;
		v = memrchr(text, ':', l->len);
		v = v ? v + 1 : text + l->len;
		if (!utc_offset(v, (size_t)(text + l->len - v))) {
			char *val = xstrndup(v, (size_t)(text + l->len - v));

			err_set(e, ERR_USAGE, "line %d: bad %s %s", l->no, l->name, utf8_q(val));
			free(val);
			return -1;
		}
	}
	return 0;
}

/* A component of a calendar, as the reader handed it over. */
static int read_part(struct import *im, struct ical_part *p, struct err *e)
{
	icalcomponent *c = parse_part(im, p);
	icalcomponent_kind kind;
	int rc = 0;

	if (!c)
		return err_set(e, ERR_USAGE, "line %d: cannot read BEGIN:%s",
			       ical_part_line(p, "BEGIN", NULL), p->kind);
	kind = icalcomponent_isa(c);
	if (kind == ICAL_VEVENT_COMPONENT || kind == ICAL_VTODO_COMPONENT) {
		/* of what an event or a task holds, only its VALARMs are read */
		for (icalcomponent *in = icalcomponent_get_first_component(c, ICAL_ANY_COMPONENT);
		     in; in = icalcomponent_get_next_component(c, ICAL_ANY_COMPONENT)) {
			char what[48];

			if (icalcomponent_isa(in) == ICAL_VALARM_COMPONENT)
				continue;
			snprintf(what, sizeof(what), "%s inside %s",
				 icalcomponent_kind_to_string(icalcomponent_isa(in)),
				 icalcomponent_kind_to_string(kind));
			note_skip(im, what);
		}
		if (lic_error(p, c, true, e) < 0) {
			rc = -1;
		} else if (!zones_known(im, c)) {
			im->later = xrealloc(im->later, (im->nlater + 1) * sizeof(*im->later));
			im->later[im->nlater].c = c;
			ical_part_copy(&im->later[im->nlater++].part, p);
			return 0;
		} else {
			rc = read_waiting(im, c, p, e);
		}
	} else if (kind == ICAL_VTIMEZONE_COMPONENT) {
		if (lic_error(p, c, true, e) < 0 || check_offsets(p, e) < 0)
			rc = -1;
		else {
			icalcomponent_add_component(im->zones, c);
			return 0;
		}
	} else {
		note_skip(im, icalcomponent_kind_to_string(kind));
	}
	icalcomponent_free(c);
	return rc;
}

static void drop_later(struct import *im)
{
	for (size_t i = 0; i < im->nlater; i++) {
		icalcomponent_free(im->later[i].c);
		ical_part_release(&im->later[i].part);
	}
	im->nlater = 0;
}

/* The end of a calendar: its own lines checked, the events and tasks that
 * waited for its VTIMEZONEs read. */
static int end_calendar(struct import *im, const struct ical_part *p, struct err *e)
{
	icalcomponent *cal = icalparser_parse_string(p->text.buf);
	int rc = cal ? lic_error(p, cal, false, e) : 0;

	if (cal)
		icalcomponent_free(cal);
	for (size_t i = 0; rc == 0 && i < im->nlater; i++)
		rc = read_waiting(im, im->later[i].c, &im->later[i].part, e);
	drop_later(im);
	forget_saved(im);
	icalcomponent_free(im->zones);
	im->zones = icalcomponent_new(ICAL_VCALENDAR_COMPONENT);
	return rc;
}

void ical_report_release(struct ical_report *r)
{
	free(r->skipped_what);
	memset(r, 0, sizeof(*r));
}

static void import_release(struct import *im)
{
	for (size_t i = 0; i < im->novs; i++) {
		free(im->ovs[i].uid);
		event_override_release(&im->ovs[i].o);
	}
	free(im->ovs);
	drop_later(im);
	free(im->later);
	if (im->zones)
		icalcomponent_free(im->zones);
	if (im->rewritten)
		g_hash_table_destroy(im->rewritten);
	store_bulk_release(&im->bulk);
	if (im->parser)
		icalparser_free(im->parser);
	forget_saved(im);
	free(im->local);
}

static int max_id(struct store *s, long long *id, struct err *e)
{
	sqlite3_stmt *st = store_prepare(s, "SELECT coalesce(max(id), 0) FROM events", e);
	int rc;

	if (!st)
		return -1;
	rc = sqlite3_step(st);
	*id = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
	sqlite3_finalize(st);
	return rc == SQLITE_ROW ? 0 : store_error(s, e, "import");
}

/* Read every part of the stream into the open transaction. */
static int read_all(struct import *im, struct ical_reader *rd, struct err *e)
{
	int k;

	while ((k = ical_reader_next(rd, e)) > 0) {
		if (k == ICAL_READ_PART && read_part(im, &rd->part, e) < 0)
			return -1;
		if (k == ICAL_READ_CALENDAR && end_calendar(im, &rd->part, e) < 0)
			return -1;
	}
	if (k < 0 || attach(im, e) < 0 || store_bulk_end(im->s, &im->bulk, e) < 0)
		return -1;
	report_progress(im, true);
	return 0;
}

int ical_import_file(struct store *s, FILE *in, size_t size, const char *calendar, time_t now,
		     ical_progress_fn *progress, void *arg, struct ical_report *rep, struct err *e)
{
	struct ical_reader rd;
	struct import im;
	icalerrorstate es;
	int rc = -1;

	memset(&im, 0, sizeof(im));
	memset(rep, 0, sizeof(*rep));
	im.s = s;
	im.rep = rep;
	im.calendar = calendar;
	im.now = now;
	im.progress = progress;
	im.arg = arg;
	im.prog.total = size;
	im.rd = &rd;
	im.zones = icalcomponent_new(ICAL_VCALENDAR_COMPONENT);
	im.parser = icalparser_new();
	im.rewritten = g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free, NULL);
	ical_reader_init(&rd, in);
	if (store_begin(s, e) < 0)
		goto out;
	/* as icalparser_parse() does: bad data is reported, never fatal */
	es = icalerror_get_error_state(ICAL_MALFORMEDDATA_ERROR);
	icalerror_set_error_state(ICAL_MALFORMEDDATA_ERROR, ICAL_ERROR_NONFATAL);
	rc = max_id(s, &im.max_before, e) < 0 || read_all(&im, &rd, e) < 0 ? -1 : 0;
	icalerror_set_error_state(ICAL_MALFORMEDDATA_ERROR, es);
	if (rc < 0 || store_commit(s, e) < 0) {
		rc = -1;
		store_rollback(s);
		goto out;
	}
	if (im.nskip) {
		struct sbuf sb = SBUF_INIT;

		for (size_t i = 0; i < im.nskip; i++)
			sbuf_addf(&sb, "%s%zu %s", i ? ", " : "", im.skip[i].n, im.skip[i].kind);
		rep->skipped_what = sbuf_detach(&sb);
	}
	rc = 0;
out:
	ical_reader_release(&rd);
	import_release(&im);
	if (rc < 0)
		ical_report_release(rep);
	return rc;
}

int ical_import(struct store *s, const char *text, const char *calendar, time_t now,
		ical_progress_fn *progress, void *arg, struct ical_report *rep, struct err *e)
{
	size_t n = strlen(text);
	/* fmemopen wants a size: an empty text is one NUL, read past */
	FILE *f = fmemopen((void *)text, n ? n : 1, "r");
	int rc;

	if (!f)
		return err_set(e, ERR_FAIL, "import: out of memory");
	if (!n)
		fgetc(f);
	rc = ical_import_file(s, f, n, calendar, now, progress, arg, rep, e);
	fclose(f);
	return rc;
}
