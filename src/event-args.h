/*
 * event-args.h - what `nestor event add|edit` and the calendar tools are
 * told, applied to an event: one place that decides what "--at friday"
 * (an all-day event), "--for 90m" or "--end 10:30" (on the start's day)
 * mean, so the command line and the assistant agree.
 */
#ifndef NESTOR_EVENT_ARGS_H
#define NESTOR_EVENT_ARGS_H

#include <stdbool.h>
#include <time.h>

#include "err.h"
#include "event.h"
#include "store.h"

/* NULL / false when not given. */
struct event_args {
	const char *at, *end, *dur, *tz, *location, *notes, *every, *calendar, *summary;
	bool all_day, no_repeat;
	/* Name the arguments in errors as the tools do (start, end, duration,
	 * every) instead of the options (--at, --end, --for, --every). */
	bool tool;
};

/* Apply a to ev (adding: a new event, which needs at).  Dates alone make an
 * all-day event; an edit keeps the duration unless told otherwise; an event
 * added without a zone gets the local one.  ERR_USAGE naming the argument. */
int event_args_apply(struct store *s, time_t now, const struct event_args *a, struct event *ev,
		     bool adding, struct err *e);

/* What a window asked from outside (the API, a tool call) may span and hold;
 * the command line has no limit. */
#define EVENT_WINDOW_DAYS 366
#define EVENT_WINDOW_OCC  10000

/* A window [from, to) from two WHENs: from defaults to the start of today,
 * to to 7 days after from; a `to` date includes that day.  With tool, the
 * names are the tools' (from, to) and a to more than EVENT_WINDOW_DAYS
 * after from (a date counted from its start, so the window holds up to
 * one day more) is ERR_USAGE. */
int event_window(time_t now, const char *from_s, const char *to_s, bool tool, time_t *from,
		 time_t *to, struct err *e);
/* event_occurrences() of a window asked from outside: ERR_USAGE, expanding
 * no further, once it holds more than EVENT_WINDOW_OCC occurrences. */
int event_window_occurrences(struct store *s, time_t from, time_t to, const char *calendar,
			     struct event_list *l, struct err *e);

/* Local midnight of the day after the one starting at day (DST-proof). */
time_t event_next_day(time_t day);

#endif
