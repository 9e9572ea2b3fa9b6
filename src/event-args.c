#include "event-args.h"
#include "caltz.h"
#include "render.h"
#include "recur.h"
#include "reltime.h"
#include "tz.h"
#include "when.h"
#include "xalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DAY 86400

enum { ARG_AT, ARG_END, ARG_DUR, ARG_EVERY, ARG_FROM, ARG_TO };

/* An argument's name in errors. */
static const char *arg_name(const struct event_args *a, int which)
{
	static const char *const opt[] = { "--at", "--end", "--for", "--every", "--from", "--to" };
	static const char *const tool[] = { "start", "end", "duration", "every", "from", "to" };

	return a && a->tool ? tool[which] : opt[which];
}

static void set_str(char **dst, const char *v)
{
	if (!v)
		return;
	free(*dst);
	*dst = *v ? xstrdup(v) : NULL;
}

/* text read in zone z (NULL: the local zone) */
static int parse_when(const char *name, const char *text, time_t now, struct tz *z, struct when *w,
		      struct err *e)
{
	if (when_parse_in(text, now, z, w, e) < 0) {
		err_prefix(e, "%s", name);
		return -1;
	}
	return 0;
}

time_t event_next_day(time_t day)
{
	return when_day_start(day + DAY + 3 * 3600);
}

/* "Tue 2 Jun 09:00" */
static void moment(time_t t, char *buf, size_t len)
{
	char day[32];
	struct tm tm;

	localtime_r(&t, &tm);
	reltime_date("en", &tm, false, day, sizeof(day));
	snprintf(buf, len, "%s %02d:%02d", day, tm.tm_hour, tm.tm_min);
}

/* "--end (Tue 2 Jun 09:00) is before --at (Wed 3 Jun 10:00)" */
static int before_start(const struct event_args *a, const struct event *ev, struct err *e)
{
	char end[48], start[48];

	moment(ev->end, end, sizeof(end));
	moment(ev->start, start, sizeof(start));
	return err_set(e, ERR_USAGE, "%s (%s) is before %s (%s)", arg_name(a, ARG_END), end,
		       a->at ? arg_name(a, ARG_AT) : "the start", start);
}

/* The all-day date (its UTC midnight) of instant t in z, NULL the local zone. */
static time_t day_of(struct tz *z, time_t t)
{
	time_t w;

	if (!z)
		return tz_local_to_date(t);
	w = tz_wall_seconds(z, t);
	return w - (w % DAY + DAY) % DAY;
}

/* Start and end of ev from at/end/dur/all_day/tz; an edit keeps the
 * duration unless told otherwise. */
static int apply_times(struct store *s, time_t now, const struct event_args *a, struct event *ev,
		       bool adding, struct err *e)
{
	struct tz *z = NULL;
	struct when w = { ev->all_day ? tz_date_to_local(ev->start) : ev->start,
			  ev->all_day,
			  WHEN_DATED,
			  false,
			  0,
			  0,
			  0 };
	time_t dur = ev->end - ev->start;
	struct when we = { 0, false, WHEN_DATED, false, 0, 0, 0 };
	long secs = 0;
	int ret = -1;

	/* --tz names the zone the times are wall-clock times of */
	if (a->tz && *a->tz && !(z = caltz_open(s, a->tz, e))) {
		err_prefix(e, "%s", a->tool ? "tz" : "--tz");
		return -1;
	}
	if (a->at && parse_when(arg_name(a, ARG_AT), a->at, now, z, &w, e) < 0)
		goto out;
	if (a->dur && when_parse_duration(a->dur, &secs, e) < 0) {
		err_prefix(e, "%s", arg_name(a, ARG_DUR));
		goto out;
	}
	if (a->tz) {
		set_str(&ev->tzid, a->tz);
	} else if (adding) {
		char *name = tz_local_name();

		set_str(&ev->tzid, name ? name : "");
		free(name);
	}
	if (a->end && parse_when(arg_name(a, ARG_END), a->end, w.at, z, &we, e) < 0)
		goto out;
	/* dates alone make an all-day event: "--at 2026-12-24 --end 2026-12-26" */
	ev->all_day = a->all_day || (w.date_only && !a->dur && (!a->end || we.date_only) &&
				     (adding || ev->all_day || !a->at || a->end));
	if (ev->all_day) {
		time_t first = day_of(z, w.at);

		if (a->end) {
			if (we.anchor == WHEN_DATED &&
			    parse_when(arg_name(a, ARG_END), a->end, now, z, &we, e) < 0)
				goto out;
			if (we.at < w.at) {
				err_set(e, ERR_USAGE, "%s is before %s", arg_name(a, ARG_END),
					arg_name(a, ARG_AT));
				goto out;
			}
			dur = day_of(z, we.at) + DAY - first;
		} else if (a->dur) {
			dur = (secs + DAY - 1) / DAY * DAY;
		} else if (adding || dur <= 0 || dur % DAY) {
			dur = DAY;
		}
		ev->start = first;
		ev->end = first + dur;
		free(ev->tzid);
		ev->tzid = NULL;
		ret = 0;
		goto out;
	}
	if (a->at) {
		ev->start = w.at;
		/* a series kept at the time written (event.h, wall_start) */
		ev->has_wall = w.has_wall;
		ev->wall_start = w.wall;
	} else if (!adding && w.date_only)
		ev->start = w.at + 9 * 3600; /* an all-day event made timed: 09:00 */
	if (a->end) {
		/* a day it names is read from now, as --at is; a time of day
		 * alone ("10:30") is on the start's day, and a span ("in 30
		 * minutes") counts from the start */
		if (parse_when(arg_name(a, ARG_END), a->end,
			       we.anchor == WHEN_DATED ? now : ev->start, z, &we, e) < 0)
			goto out;
		ev->end = we.at;
		if (ev->end < ev->start) {
			before_start(a, ev, e);
			goto out;
		}
	} else if (a->dur) {
		ev->end = ev->start + secs;
	} else {
		ev->end = ev->start + (adding || dur <= 0 || w.date_only ? 3600 : dur);
	}
	ret = 0;
out:
	tz_free(z);
	return ret;
}

int event_args_apply(struct store *s, time_t now, const struct event_args *a, struct event *ev,
		     bool adding, struct err *e)
{
	if (adding && !a->at)
		return err_set(e, ERR_USAGE, "missing %s WHEN", arg_name(a, ARG_AT));
	if ((a->at || a->end || a->dur || a->all_day || a->tz || adding) &&
	    apply_times(s, now, a, ev, adding, e) < 0)
		return -1;
	set_str(&ev->summary, a->summary);
	set_str(&ev->location, a->location);
	set_str(&ev->notes, a->notes);
	set_str(&ev->calendar, a->calendar);
	if (a->no_repeat) {
		free(ev->rrule);
		ev->rrule = NULL;
	}
	if (a->every) {
		char *rule;

		/* how often: a new rule's limit (recur_limit), a stored one
		 * may still be edited */
		if (when_parse_rule(a->every, &rule, e) < 0) {
			err_prefix(e, "%s", arg_name(a, ARG_EVERY));
			return -1;
		}
		if (recur_limit(rule, false, e) < 0) {
			free(rule);
			err_prefix(e, "%s", arg_name(a, ARG_EVERY));
			return -1;
		}
		free(ev->rrule);
		ev->rrule = rule;
	}
	/* a rule that never matches would make every agenda leave it out */
	if (ev->rrule && (a->every || a->at || a->all_day || a->tz) &&
	    event_series_check(s, ev, e) < 0) {
		err_prefix(e, "%s", arg_name(a, ARG_EVERY));
		return -1;
	}
	return 0;
}

int event_window(time_t now, const char *from_s, const char *to_s, bool tool, time_t *from,
		 time_t *to, struct err *e)
{
	struct event_args names = { .tool = tool };
	struct when w;
	time_t asked; /* to as given: a date's start */

	*from = when_day_start(now);
	if (from_s) {
		if (parse_when(arg_name(&names, ARG_FROM), from_s, now, NULL, &w, e) < 0)
			return -1;
		*from = w.at;
	}
	*to = *from;
	for (int i = 0; i < 7; i++)
		*to = event_next_day(*to);
	asked = *to;
	if (to_s) {
		if (parse_when(arg_name(&names, ARG_TO), to_s, now, NULL, &w, e) < 0)
			return -1;
		asked = w.at;
		*to = w.date_only ? event_next_day(w.at) : w.at; /* a date includes its day */
	}
	if (*to <= *from)
		return err_set(e, ERR_USAGE, "%s must be later than %s", arg_name(&names, ARG_TO),
			       arg_name(&names, ARG_FROM));
	/* to as given, not the end of its day: from=2027-03-01&to=2028-03-01,
	 * a year across 29 February, is 366 days apart; an hour more for a
	 * window that ends after a change of clocks */
	if (tool && asked - *from > (time_t)EVENT_WINDOW_DAYS * DAY + 3600)
		return err_set(e, ERR_USAGE, "%s must be at most %d days after %s",
			       arg_name(&names, ARG_TO), EVENT_WINDOW_DAYS,
			       arg_name(&names, ARG_FROM));
	return 0;
}

int event_window_occurrences(struct store *s, time_t from, time_t to, const char *calendar,
			     struct event_list *l, struct err *e)
{
	char a[40], b[40];
	int rc = event_occurrences_max(s, from, to, calendar, EVENT_WINDOW_OCC, l, e);

	if (rc <= 0)
		return rc;
	return err_set(
		e, ERR_USAGE, "more than %d occurrences between %s and %s; ask a shorter window",
		EVENT_WINDOW_OCC, render_time(from, a, sizeof(a)), render_time(to, b, sizeof(b)));
}
