/* iCalendar import: a line scan for structure and line numbers, then libical. */
#include "store-int.h"
#include "ical.h"
#include "event-int.h"
#include "caltz.h"
#include "sbuf.h"
#include "xalloc.h"

#include <ctype.h>
#include <libical/ical.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define DAY 86400

/* A logical (unfolded) content line: where it starts and its name. */
struct line {
	int no;
	char name[24];
	const char *value; /* into the scan's copy, unfolded */
};

/* A component directly inside a VCALENDAR. */
struct part {
	char kind[24];
	int first, last; /* indexes into lines */
};

struct scan {
	char *buf;        /* unfolded copy of the text */
	struct line *lines;
	size_t nlines;
	struct part *parts;
	size_t nparts;
	struct cal_text { size_t from, to; size_t first_part; } *cals; /* byte ranges in buf */
	size_t ncals;
};

static void scan_release(struct scan *sc)
{
	free(sc->buf);
	free(sc->lines);
	free(sc->parts);
	free(sc->cals);
	memset(sc, 0, sizeof(*sc));
}

/* Unfold into sc->buf (one logical line per '\n') and index the lines. */
static void unfold(struct scan *sc, const char *text)
{
	struct sbuf sb = SBUF_INIT;
	size_t cap = 0;
	int no = 1;
	size_t *starts = NULL;
	int *nos = NULL;

	while (*text) {
		size_t n = strcspn(text, "\n");
		size_t len = n;

		if (len && text[len - 1] == '\r')
			len--;
		if ((*text == ' ' || *text == '\t') && sc->nlines) {
			sbuf_add(&sb, text + 1, len ? len - 1 : 0);
		} else {
			if (sc->nlines)
				sbuf_adds(&sb, "\n");
			if (sc->nlines == cap) {
				cap = cap ? cap * 2 : 256;
				starts = xrealloc(starts, cap * sizeof(*starts));
				nos = xrealloc(nos, cap * sizeof(*nos));
			}
			starts[sc->nlines] = sb.len;
			nos[sc->nlines++] = no;
			sbuf_add(&sb, text, len);
		}
		text += n + (text[n] == '\n');
		no++;
	}
	sbuf_adds(&sb, "\n");
	sc->buf = sbuf_detach(&sb);
	sc->lines = xcalloc(sc->nlines ? sc->nlines : 1, sizeof(*sc->lines));
	for (size_t i = 0; i < sc->nlines; i++) {
		char *p = sc->buf + starts[i];
		size_t nl = strcspn(p, ";:\n");

		sc->lines[i].no = nos[i];
		snprintf(sc->lines[i].name, sizeof(sc->lines[i].name), "%.*s", (int)nl, p);
		sc->lines[i].value = p;
	}
	free(starts);
	free(nos);
}

static bool is_name(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && *s != '-')
			return false;
	return true;
}

/* The text after the first unquoted ':' of a logical line. */
static const char *line_value(const char *l)
{
	bool q = false;

	for (; *l && *l != '\n'; l++) {
		if (*l == '"')
			q = !q;
		else if (*l == ':' && !q)
			return l + 1;
	}
	return NULL;
}

static int scan_fail(struct err *e, int no, const char *what, const char *l)
{
	size_t n = strcspn(l, "\n");

	return err_set(e, ERR_USAGE, "line %d: %s \"%.*s\"", no, what, (int)(n > 60 ? 60 : n), l);
}

/* Check structure: every line NAME[;params]:value, BEGIN/END balanced. */
static int scan(struct scan *sc, const char *text, struct err *e)
{
	struct { char kind[24]; size_t line; } stack[16];
	int depth = 0;
	size_t pcap = 0, ccap = 0;

	unfold(sc, text);
	for (size_t i = 0; i < sc->nlines; i++) {
		const struct line *l = &sc->lines[i];
		const char *v;
		char kind[24];
		size_t vn;

		if (!*l->value || *l->value == '\n')
			continue;
		v = line_value(l->value);
		if (!is_name(l->name) || !v)
			return scan_fail(e, l->no, "not an iCalendar line", l->value);
		vn = strcspn(v, "\n");
		snprintf(kind, sizeof(kind), "%.*s", (int)vn, v);
		if (depth == 0 && (strcasecmp(l->name, "BEGIN") || strcasecmp(kind, "VCALENDAR")))
			return err_set(e, ERR_USAGE, "line %d: expected BEGIN:VCALENDAR", l->no);
		if (!strcasecmp(l->name, "BEGIN")) {
			if (depth == (int)(sizeof(stack) / sizeof(stack[0])))
				return err_set(e, ERR_USAGE, "line %d: components nested too deep",
					       l->no);
			snprintf(stack[depth].kind, sizeof(stack[depth].kind), "%s", kind);
			stack[depth++].line = i;
			if (depth == 1) {
				if (sc->ncals == ccap) {
					ccap = ccap ? ccap * 2 : 4;
					sc->cals = xrealloc(sc->cals, ccap * sizeof(*sc->cals));
				}
				sc->cals[sc->ncals].from = (size_t)(l->value - sc->buf);
				sc->cals[sc->ncals++].first_part = sc->nparts;
			}
		} else if (!strcasecmp(l->name, "END")) {
			if (depth == 0)
				return err_set(e, ERR_USAGE, "line %d: END:%s without BEGIN", l->no, kind);
			if (strcasecmp(stack[depth - 1].kind, kind))
				return err_set(e, ERR_USAGE, "line %d: END:%s inside BEGIN:%s of line %d",
					       l->no, kind, stack[depth - 1].kind,
					       sc->lines[stack[depth - 1].line].no);
			depth--;
			if (depth == 1) {
				if (sc->nparts == pcap) {
					pcap = pcap ? pcap * 2 : 256;
					sc->parts = xrealloc(sc->parts, pcap * sizeof(*sc->parts));
				}
				snprintf(sc->parts[sc->nparts].kind, sizeof(sc->parts->kind), "%s",
					 kind);
				sc->parts[sc->nparts].first = (int)stack[1].line;
				sc->parts[sc->nparts++].last = (int)i;
			} else if (depth == 0) {
				sc->cals[sc->ncals - 1].to = (size_t)(v + vn - sc->buf);
			}
		}
	}
	if (depth > 0)
		return err_set(e, ERR_USAGE, "line %d: BEGIN:%s is never ended",
			       sc->lines[stack[depth - 1].line].no, stack[depth - 1].kind);
	if (sc->ncals == 0)
		return err_set(e, ERR_USAGE, "not an iCalendar file (no BEGIN:VCALENDAR)");
	return 0;
}

/* The line of property name (whose value contains value, if given) in part
 * p, or in the whole file when p is NULL; else the part's first line. */
static int prop_line(const struct scan *sc, const struct part *p, const char *name,
		     const char *value)
{
	int first = p ? p->first : 0, last = p ? p->last : (int)sc->nlines - 1;

	for (int i = first; i <= last; i++) {
		const struct line *l = &sc->lines[i];

		if (!strcasecmp(l->name, name) && (!value || strstr(l->value, value)))
			return l->no;
	}
	return p ? sc->lines[p->first].no : 1;
}

/* libical's X-LIC-ERROR in comp or below, as "line N: bad NAME "value"". */
static int lic_error(const struct scan *sc, const struct part *p, icalcomponent *comp,
		     bool below, struct err *e)
{
	icalproperty *x = icalcomponent_get_first_property(comp, ICAL_XLICERROR_PROPERTY);

	if (x) {
		const char *msg = icalproperty_get_xlicerror(x), *in = strstr(msg, " in "),
			   *prop = strstr(msg, " property"), *val = strstr(msg, "property: ");
		char name[24] = "";

		if (in && prop && prop > in + 4 && prop - in - 4 < (long)sizeof(name))
			snprintf(name, sizeof(name), "%.*s", (int)(prop - in - 4), in + 4);
		if (*name && val)
			return err_set(e, ERR_USAGE, "line %d: bad %s \"%s\"",
				       prop_line(sc, p, name, val + 10), name, val + 10);
		return err_set(e, ERR_USAGE, "line %d: %s", prop_line(sc, p, "", NULL), msg);
	}
	for (icalcomponent *c = icalcomponent_get_first_component(comp, ICAL_ANY_COMPONENT);
	     below && c; c = icalcomponent_get_next_component(comp, ICAL_ANY_COMPONENT))
		if (lic_error(sc, p, c, true, e) < 0)
			return -1;
	return 0;
}

struct import {
	struct store *s;
	struct scan sc;
	icalcomponent *vcal;
	char **saved; /* zones of this calendar's VTIMEZONEs stored already */
	size_t nsaved;
	struct event *evs; /* masters of this file, then sorted by uid */
	size_t nevs, cap;
	struct ovr { char *uid; struct event_override o; int line; bool rid_date; } *ovs;
	size_t novs;
	const char *calendar;
	struct ical_report *rep;
	struct { char kind[48]; size_t n; } skip[8];
	size_t nskip;
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

static void forget_saved(struct import *im)
{
	for (size_t i = 0; i < im->nsaved; i++)
		free(im->saved[i]);
	free(im->saved);
	im->saved = NULL;
	im->nsaved = 0;
}

/* Keep this calendar's VTIMEZONE for tzid, once, if it has one. */
static int save_zone(struct import *im, const char *tzid, int line, struct err *e)
{
	icaltimezone *z;

	for (size_t i = 0; i < im->nsaved; i++)
		if (!strcmp(im->saved[i], tzid))
			return 0;
	z = icalcomponent_get_timezone(im->vcal, tzid);
	if (!z)
		return 0;
	if (caltz_save(im->s, tzid, icalcomponent_as_ical_string(icaltimezone_get_component(z)),
		       e) < 0) {
		err_prefix(e, "line %d", line);
		return -1;
	}
	im->saved = xrealloc(im->saved, (im->nsaved + 1) * sizeof(*im->saved));
	im->saved[im->nsaved++] = xstrdup(tzid);
	return 0;
}

/* Resolve a TZID: tzdata first, then this file's VTIMEZONE (stored for
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
	*name = tzid;
	if (save_zone(im, tzid, line, e) < 0)
		return -1;
	*z = caltz_open(im->s, tzid, e);
	if (!*z)
		return err_set(e, ERR_USAGE, "line %d: unknown time zone \"%s\"", line, tzid);
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

/* The instant (or, for a date, the UTC midnight) of a DATE-TIME property;
 * *tzid_out gets the zone name to keep (NULL: floating or a date). */
static int prop_time(struct import *im, icalproperty *p, int line, time_t *t, bool *is_date,
		     const char **tzid_out, struct err *e)
{
	struct icaltimetype v = icalvalue_get_datetime(icalproperty_get_value(p));
	icalparameter *tp = icalproperty_get_first_parameter(p, ICAL_TZID_PARAMETER);
	const char *name = NULL;
	struct tz *z = NULL;

	*is_date = v.is_date;
	if (!time_in_range(v))
		return err_set(e, ERR_USAGE, "line %d: bad %s \"%s\"", line,
			       icalproperty_get_property_name(p), icalproperty_get_value_as_string(p));
	if (v.is_date) {
		struct tm tm = { 0 };

		tm.tm_year = v.year - 1900;
		tm.tm_mon = v.month - 1;
		tm.tm_mday = v.day;
		*t = timegm(&tm);
	} else if (icaltime_is_utc(v)) {
		*t = icaltime_as_timet(v);
		name = "UTC";
	} else {
		if (tp ? resolve_zone(im, icalparameter_get_tzid(tp), line, &z, &name, e) < 0
		       : !(z = tz_open(NULL, e)))
			return -1;
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

static char *alarms_text(icalcomponent *c)
{
	struct sbuf sb = SBUF_INIT;

	for (icalcomponent *a = icalcomponent_get_first_component(c, ICAL_VALARM_COMPONENT); a;
	     a = icalcomponent_get_next_component(c, ICAL_VALARM_COMPONENT))
		sbuf_adds(&sb, icalcomponent_as_ical_string(a));
	return sb.len ? sbuf_detach(&sb) : NULL;
}

/* Start, end and zone of a VEVENT into the given fields. */
static int event_times(struct import *im, icalcomponent *c, const struct part *p,
		       time_t *start, time_t *end, bool *all_day, char **tzid, struct err *e)
{
	icalproperty *ps = icalcomponent_get_first_property(c, ICAL_DTSTART_PROPERTY);
	icalproperty *pe = icalcomponent_get_first_property(c, ICAL_DTEND_PROPERTY);
	icalproperty *pd = icalcomponent_get_first_property(c, ICAL_DURATION_PROPERTY);
	const char *name;
	bool d2;

	if (!ps)
		return err_set(e, ERR_USAGE, "line %d: event without DTSTART",
			       prop_line(&im->sc, p, "BEGIN", NULL));
	if (prop_time(im, ps, prop_line(&im->sc, p, "DTSTART", NULL), start, all_day, &name,
		      e) < 0)
		return -1;
	*tzid = dup_or_null(name);
	if (pe) {
		if (prop_time(im, pe, prop_line(&im->sc, p, "DTEND", NULL), end, &d2, NULL, e) < 0)
			return -1;
	} else if (pd) {
		*end = *start + icaldurationtype_as_int(icalproperty_get_duration(pd));
	} else {
		*end = *start + (*all_day ? DAY : 0);
	}
	if (*end < *start)
		return err_set(e, ERR_USAGE, "line %d: DTEND before DTSTART",
			       prop_line(&im->sc, p, pe ? "DTEND" : "DURATION", NULL));
	return 0;
}

/* The occurrence key of a RECURRENCE-ID or EXDATE value. */
static int occ_key(struct import *im, icalproperty *p, int line, bool all_day, time_t start,
		   const char *tzid, time_t *key, struct err *e)
{
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

static int read_event(struct import *im, icalcomponent *c, const struct part *p,
		      struct err *e)
{
	icalproperty *rid = icalcomponent_get_first_property(c, ICAL_RECURRENCEID_PROPERTY);
	icalproperty *rr = icalcomponent_get_first_property(c, ICAL_RRULE_PROPERTY);
	const char *uid = icalcomponent_get_uid(c);
	struct event ev;

	memset(&ev, 0, sizeof(ev));
	if (event_times(im, c, p, &ev.start, &ev.end, &ev.all_day, &ev.tzid, e) < 0)
		goto fail;
	ev.summary = xstrdup(icalcomponent_get_summary(c) ? icalcomponent_get_summary(c) : "");
	ev.notes = dup_or_null(icalcomponent_get_description(c));
	ev.location = dup_or_null(icalcomponent_get_location(c));
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
		o->line = prop_line(&im->sc, p, "RECURRENCE-ID", NULL);
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
	}
	for (icalproperty *x = icalcomponent_get_first_property(c, ICAL_EXDATE_PROPERTY); x;
	     x = icalcomponent_get_next_property(c, ICAL_EXDATE_PROPERTY)) {
		time_t key;

		if (occ_key(im, x, prop_line(&im->sc, p, "EXDATE", NULL), ev.all_day, ev.start,
			    ev.tzid, &key, e) < 0)
			goto fail;
		event_add_exdate(&ev, key);
	}
	ev.attendees = attendees_text(c);
	ev.alarms = alarms_text(c);
	ev.calendar = dup_or_null(im->calendar ? im->calendar : x_calendar(c));
	if (event_check(im->s, &ev, e) < 0) {
		err_prefix(e, "line %d", prop_line(&im->sc, p, "BEGIN", NULL));
		goto fail;
	}
	if (im->nevs == im->cap) {
		im->cap = im->cap ? im->cap * 2 : 256;
		im->evs = xrealloc(im->evs, im->cap * sizeof(*im->evs));
	}
	im->evs[im->nevs++] = ev;
	return 0;
fail:
	event_release(&ev);
	return -1;
}

static int by_uid(const void *a, const void *b)
{
	return strcmp(((const struct event *)a)->uid, ((const struct event *)b)->uid);
}

/* Give each override to its series, of this file or of the database. */
static int attach(struct import *im, time_t now, struct err *e)
{
	for (size_t i = 0; i < im->novs; i++) {
		struct ovr *o = &im->ovs[i];
		struct event key = { 0 }, *ev, stored;
		bool from_db = false;

		key.uid = o->uid;
		ev = im->nevs ? bsearch(&key, im->evs, im->nevs, sizeof(*ev), by_uid) : NULL;
		if (!ev) {
			struct err ignore = { 0, "" };

			if (event_get_uid(im->s, o->uid, &stored, &ignore) < 0) {
				note_skip(im, "RECURRENCE-ID without its series");
				continue;
			}
			ev = &stored;
			from_db = true;
		}
		if (ev->all_day && !o->rid_date)
			o->o.recurrence_id = tz_local_to_date(o->o.recurrence_id);
		event_drop_override(ev, o->o.recurrence_id);
		ev->overrides = xrealloc(ev->overrides,
					 (ev->noverrides + 1) * sizeof(*ev->overrides));
		ev->overrides[ev->noverrides++] = o->o;
		memset(&o->o, 0, sizeof(o->o));
		if (from_db) {
			int rc = event_write(im->s, ev, now, &im->rep->alarms, e);

			event_release(ev);
			if (rc < 0)
				return -1;
			im->rep->updated++;
		}
	}
	return 0;
}

static int stored_id(struct import *im, sqlite3_stmt *st, const char *uid, long long *id)
{
	int rc;

	sqlite3_reset(st);
	store_bind_text(st, 1, uid);
	rc = sqlite3_step(st);
	*id = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
	(void)im;
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : -1;
}

static int write_all(struct import *im, time_t now, ical_progress_fn *progress, void *arg,
		     struct err *e)
{
	sqlite3_stmt *st = store_prepare(im->s, "SELECT id FROM events WHERE uid = ?", e);
	int rc = 0;

	if (!st)
		return -1;
	for (size_t i = 0; rc == 0 && i < im->nevs; i++) {
		struct event *ev = &im->evs[i];
		long long id;

		if (i && !strcmp(ev->uid, im->evs[i - 1].uid))
			continue; /* the same UID twice: one of them wins */
		if (stored_id(im, st, ev->uid, &id) < 0) {
			rc = store_error(im->s, e, "import");
			break;
		}
		ev->id = id;
		rc = event_write(im->s, ev, now, &im->rep->alarms, e);
		if (rc == 0 && id)
			im->rep->updated++;
		else if (rc == 0)
			im->rep->added++;
		if (progress && (i % 500 == 0 || i + 1 == im->nevs))
			progress(i + 1, im->nevs, arg);
	}
	sqlite3_finalize(st);
	return rc;
}

/* The part of the scan that libical's component c of calendar cal is:
 * libical moves time zones first, so VTIMEZONEs are matched by TZID and
 * the rest in order, from *cursor (a part index, moved past the match). */
static const struct part *find_part(const struct scan *sc, size_t cal, icalcomponent *c,
				    size_t *cursor)
{
	size_t first = sc->cals[cal].first_part,
	       end = cal + 1 < sc->ncals ? sc->cals[cal + 1].first_part : sc->nparts;
	const char *kind = icalcomponent_kind_to_string(icalcomponent_isa(c));
	icalproperty *tp = icalcomponent_isa(c) == ICAL_VTIMEZONE_COMPONENT
				   ? icalcomponent_get_first_property(c, ICAL_TZID_PROPERTY)
				   : NULL;
	const char *tzid = tp ? icalproperty_get_tzid(tp) : NULL;

	for (size_t k = tzid ? first : *cursor; k < end; k++) {
		const struct part *p = &sc->parts[k];

		if (strcasecmp(p->kind, kind))
			continue;
		if (!tzid) {
			*cursor = k + 1;
			return p;
		}
		if (prop_line(sc, p, "TZID", tzid) != sc->lines[p->first].no)
			return p;
	}
	return NULL;
}

/* Read the components of VCALENDAR number cal of the file. */
static int read_calendar(struct import *im, size_t cal, struct err *e)
{
	size_t cursor = im->sc.cals[cal].first_part, none = 0;

	if (lic_error(&im->sc, NULL, im->vcal, false, e) < 0)
		return -1;
	for (icalcomponent *c = icalcomponent_get_first_component(im->vcal, ICAL_ANY_COMPONENT);
	     c; c = icalcomponent_get_next_component(im->vcal, ICAL_ANY_COMPONENT)) {
		icalcomponent_kind kind = icalcomponent_isa(c);
		const struct part *p;

		if (kind == ICAL_VEVENT_COMPONENT) {
			p = find_part(&im->sc, cal, c, &cursor);
			if (lic_error(&im->sc, p, c, true, e) < 0 || read_event(im, c, p, e) < 0)
				return -1;
		} else if (kind == ICAL_VTIMEZONE_COMPONENT) {
			p = find_part(&im->sc, cal, c, &none);
			if (lic_error(&im->sc, p, c, true, e) < 0)
				return -1;
		} else {
			note_skip(im, icalcomponent_kind_to_string(kind));
		}
	}
	return 0;
}

void ical_report_release(struct ical_report *r)
{
	free(r->skipped_what);
	memset(r, 0, sizeof(*r));
}

static void import_release(struct import *im)
{
	for (size_t i = 0; i < im->nevs; i++)
		event_release(&im->evs[i]);
	free(im->evs);
	for (size_t i = 0; i < im->novs; i++) {
		free(im->ovs[i].uid);
		event_override_release(&im->ovs[i].o);
	}
	free(im->ovs);
	if (im->vcal)
		icalcomponent_free(im->vcal);
	forget_saved(im);
	scan_release(&im->sc);
}

int ical_import(struct store *s, const char *text, const char *calendar, time_t now,
		ical_progress_fn *progress, void *arg, struct ical_report *rep, struct err *e)
{
	struct import im;
	int rc = -1;

	memset(&im, 0, sizeof(im));
	memset(rep, 0, sizeof(*rep));
	im.s = s;
	im.rep = rep;
	im.calendar = calendar;
	if (scan(&im.sc, text, e) < 0)
		goto out;
	if (store_begin(s, e) < 0)
		goto out;
	for (size_t i = 0; i < im.sc.ncals; i++) {
		struct cal_text *ct = &im.sc.cals[i];
		char *one = xstrndup(im.sc.buf + ct->from, ct->to - ct->from);

		if (im.vcal)
			icalcomponent_free(im.vcal);
		forget_saved(&im);
		im.vcal = icalparser_parse_string(one);
		free(one);
		if (!im.vcal) {
			err_set(e, ERR_USAGE, "line %d: not an iCalendar calendar",
				im.sc.lines[0].no);
			goto fail;
		}
		if (read_calendar(&im, i, e) < 0)
			goto fail;
	}
	if (im.nevs)
		qsort(im.evs, im.nevs, sizeof(*im.evs), by_uid);
	if (attach(&im, now, e) < 0 || write_all(&im, now, progress, arg, e) < 0)
		goto fail;
	if (store_commit(s, e) < 0)
		goto out;
	if (im.nskip) {
		struct sbuf sb = SBUF_INIT;

		for (size_t i = 0; i < im.nskip; i++)
			sbuf_addf(&sb, "%s%zu %s", i ? ", " : "", im.skip[i].n, im.skip[i].kind);
		rep->skipped_what = sbuf_detach(&sb);
	}
	rc = 0;
	goto out;
fail:
	store_rollback(s);
out:
	import_release(&im);
	if (rc < 0)
		ical_report_release(rep);
	return rc;
}
