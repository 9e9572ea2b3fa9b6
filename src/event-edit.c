/* Edits of events that keep what was not said (event-edit.h). */
#include "event-edit.h"
#include "utf8.h"
#include "render.h"
#include "tz.h"
#include "when.h"
#include "xalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DAY 86400

int event_scope_parse(const char *text, enum event_scope *out)
{
	if (!text)
		*out = EVENT_SCOPE_NONE;
	else if (!strcmp(text, "all"))
		*out = EVENT_SCOPE_ALL;
	else if (!strcmp(text, "this"))
		*out = EVENT_SCOPE_THIS;
	else
		return -1;
	return 0;
}

/* t on the same local day at hm ("16:30"); -1 when hm is not a time. */
static time_t at_clock(time_t t, const char *hm)
{
	struct tm tm;
	int h, m;
	char tail;

	if (sscanf(hm, "%d:%d%c", &h, &m, &tail) != 2 || h < 0 || h > 23 || m < 0 || m > 59)
		return (time_t)-1;
	localtime_r(&t, &tm);
	tm.tm_hour = h;
	tm.tm_min = m;
	tm.tm_sec = 0;
	tm.tm_isdst = -1;
	return mktime(&tm);
}

/* The day of day at the time of day of clock. */
static time_t on_day(time_t day, time_t clock)
{
	struct tm d, c;

	localtime_r(&day, &d);
	localtime_r(&clock, &c);
	d.tm_hour = c.tm_hour;
	d.tm_min = c.tm_min;
	d.tm_sec = c.tm_sec;
	d.tm_isdst = -1;
	return mktime(&d);
}

static int wday(time_t t)
{
	struct tm tm;

	localtime_r(&t, &tm);
	return tm.tm_wday;
}

/* A weekly rule's BYDAY with the weekday from replaced by to. */
static void move_byday(struct event *ev, int from, int to)
{
	static const char *const days[] = { "SU", "MO", "TU", "WE", "TH", "FR", "SA" };
	char *by = ev->rrule ? strstr(ev->rrule, "BYDAY=") : NULL, *p;
	size_t n;

	if (!by || !strstr(ev->rrule, "FREQ=WEEKLY") || from == to)
		return;
	by += 6;
	n = strcspn(by, ";");
	for (p = by; p < by + n; p += 3)
		if (!strncmp(p, days[from], 2)) {
			if (memmem(by, n, days[to], 2))
				return; /* already on that day too: keep the rule */
			memcpy(p, days[to], 2);
			return;
		}
}

/* The new start of the occurrence or series starting at old, and the time
 * of day it was asked at (*want, as written; old_min when none was). */
static int new_start(time_t now, time_t old, int old_min, const struct event_args *a,
		     const char *hm, time_t *out, int *want, struct err *e)
{
	struct when w;
	int h, m;

	*out = old;
	*want = old_min;
	if (a->at) {
		if (when_parse(a->at, now, &w, e) < 0) {
			err_prefix(e, "start");
			return -1;
		}
		if (w.anchor == WHEN_TIME) {
			*out = on_day(old, w.at);
			*want = when_written_minutes(NULL, &w);
		} else if (w.date_only) {
			*out = on_day(w.at, old);
		} else {
			*out = w.at;
			*want = when_written_minutes(NULL, &w);
		}
	}
	if (hm && (*out = at_clock(*out, hm)) == (time_t)-1)
		return err_set(e, ERR_USAGE, "time: %s is not HH:MM", utf8_q(hm));
	if (hm && sscanf(hm, "%d:%d", &h, &m) == 2)
		*want = h * 60 + m;
	return 0;
}

/* ns as an --at: a series asked at a time ns's day skips (a spring-forward
 * gap) gets it written without an offset, so that it keeps that time as
 * event add --at does (event.h, wall_start). */
static const char *start_arg(time_t ns, int want, char *buf, size_t len)
{
	struct tm tm;

	if (want < 0 || when_minutes(NULL, ns) == want)
		return render_time(ns, buf, len);
	localtime_r(&ns, &tm);
	tm.tm_hour = want / 60;
	tm.tm_min = want % 60;
	tm.tm_sec = 0;
	if (!strftime(buf, len, "%Y-%m-%dT%H:%M:%S", &tm))
		return render_time(ns, buf, len);
	return buf;
}

/* The occurrence to change: on the date of occurrence, else the next one. */
static int pick(struct store *s, time_t now, const struct event *ev, const char *occurrence,
		time_t *key, time_t *start, time_t *end, struct err *e)
{
	struct event_list l;
	time_t from = now, to = now + 400L * DAY;
	struct when w;
	int found = 0;

	if (occurrence) {
		if (when_parse(occurrence, now, &w, e) < 0) {
			err_prefix(e, "occurrence");
			return -1;
		}
		from = when_day_start(w.at);
		to = from + DAY + 3600;
	}
	if (event_occurrences(s, from, to, ev->calendar, &l, e) < 0)
		return -1;
	for (size_t i = 0; i < l.nocc && !found; i++) {
		if (l.occ[i].ev->id != ev->id || (!occurrence && l.occ[i].end <= now))
			continue;
		*key = l.occ[i].key;
		*start = l.occ[i].start;
		*end = l.occ[i].end;
		found = 1;
	}
	event_list_release(&l);
	if (!found)
		return err_set(e, ERR_NOTFOUND, "event %lld has no occurrence %s%s", ev->id,
			       occurrence ? "on " : "to come", occurrence ? occurrence : "");
	return 0;
}

static void set_str(char **dst, const char *v)
{
	if (v) {
		free(*dst);
		*dst = xstrdup(v);
	}
}

/* One occurrence changed: an override of the series. */
static int edit_one(struct store *s, time_t now, struct event *ev, const struct event_args *a,
		    const char *hm, const char *occurrence, time_t *start, time_t *end,
		    struct err *e)
{
	struct event_override o = { 0 }, *prev = NULL;
	time_t key = 0, os = 0, oe = 0;

	if (ev->all_day && hm)
		return err_set(e, ERR_USAGE, "time: event %lld is all day", ev->id);
	if (pick(s, now, ev, occurrence, &key, &os, &oe, e) < 0)
		return -1;
	for (size_t i = 0; i < ev->noverrides; i++)
		if (ev->overrides[i].recurrence_id == key)
			prev = &ev->overrides[i];
	o.recurrence_id = key;
	if (prev) {
		set_str(&o.summary, prev->summary);
		set_str(&o.notes, prev->notes);
		set_str(&o.location, prev->location);
		set_str(&o.tzid, prev->tzid);
		o.declined = prev->declined;
	}
	set_str(&o.summary, a->summary);
	set_str(&o.notes, a->notes);
	set_str(&o.location, a->location);
	if (!o.tzid)
		set_str(&o.tzid, ev->tzid);
	if (new_start(now, os, -1, a, hm, &o.start, &(int){ 0 }, e) < 0) {
		event_override_release(&o);
		return -1;
	}
	o.end = o.start + (oe - os);
	if (a->end) {
		struct when w;

		if (when_parse(a->end, o.start, &w, e) < 0 || w.at < o.start) {
			event_override_release(&o);
			return e->code ? (err_prefix(e, "end"), -1)
				       : err_set(e, ERR_USAGE, "end is before start");
		}
		o.end = w.at;
	}
	event_drop_override(ev, key);
	ev->overrides = xrealloc(ev->overrides, (ev->noverrides + 1) * sizeof(*ev->overrides));
	ev->overrides[ev->noverrides++] = o;
	*start = o.start;
	*end = o.end;
	return event_update(s, ev, now, e);
}

int event_edit(struct store *s, time_t now, struct event *ev, const struct event_args *a,
	       const char *hm, enum event_scope scope, const char *occurrence, time_t *start,
	       time_t *end, struct err *e)
{
	struct event_args b = *a;
	char at[40];
	time_t ns;
	int old_wday = wday(ev->all_day ? tz_date_to_local(ev->start) : ev->start);
	struct when w;

	err_clear(e);
	if (ev->rrule && scope == EVENT_SCOPE_NONE)
		return err_set(e, ERR_USAGE,
			       "event %lld repeats: say scope \"this\" (one occurrence) or \"all\""
			       " (the series)",
			       ev->id);
	if (ev->rrule && scope == EVENT_SCOPE_THIS)
		return edit_one(s, now, ev, a, hm, occurrence, start, end, e);
	if (ev->all_day && hm)
		return err_set(e, ERR_USAGE, "time: event %lld is all day", ev->id);
	if ((a->at || hm) && !ev->all_day) {
		/* the day or the time that was not said stays the event's;
		 * the time a series keeps is the local zone's when it is its */
		int old_min = ev->rrule && ev->has_wall && tz_is_local(ev->tzid)
				      ? when_wall_minutes(ev->wall_start)
				      : when_minutes(NULL, ev->start);
		int want;

		if (new_start(now, ev->start, old_min, a, hm, &ns, &want, e) < 0)
			return -1;
		if (ev->rrule && a->at && when_parse(a->at, now, &w, e) == 0 && w.date_only) {
			/* a series moved to a weekday: the same week, later by so
			 * many days, so it neither loses nor gains occurrences */
			int days = (wday(w.at) - old_wday + 7) % 7;

			ns = on_day(when_day_start(ev->start) + days * DAY + 3 * 3600, ns);
		}
		b.at = ev->rrule ? start_arg(ns, want, at, sizeof(at))
				 : render_time(ns, at, sizeof(at));
	}
	if (event_args_apply(s, now, &b, ev, false, e) < 0)
		return -1;
	if (ev->rrule)
		move_byday(ev, old_wday,
			   wday(ev->all_day ? tz_date_to_local(ev->start) : ev->start));
	if (event_update(s, ev, now, e) < 0)
		return -1;
	*start = ev->start;
	*end = ev->end;
	return 0;
}
