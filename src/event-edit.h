/*
 * event-edit.h - what an edit of an event keeps: the rules every front and
 * the assistant's calendar_edit share, so a request changes only what it
 * names.
 *
 *  - A time alone ("16:30") keeps the day; a date alone ("tuesday") keeps
 *    the time of day; the length is kept unless an end or length is given.
 *  - A repeating event is edited either whole (scope "all") or in one
 *    occurrence (scope "this": the one on `occurrence`, else the next one
 *    that has not ended), which becomes a changed occurrence of the series.
 *    Without a scope nothing is changed and the caller is told to ask.
 *  - Moving a weekly series to another weekday changes its rule (BYDAY),
 *    not only its first start: "every Friday" becomes "every Wednesday",
 *    at the same time; the series start moves by the same number of days.
 */
#ifndef NESTOR_EVENT_EDIT_H
#define NESTOR_EVENT_EDIT_H

#include <stdbool.h>
#include <time.h>

#include "err.h"
#include "event.h"
#include "event-args.h"
#include "store.h"

enum event_scope { EVENT_SCOPE_NONE, EVENT_SCOPE_ALL, EVENT_SCOPE_THIS };

/* "all" / "this" (NULL: none); -1 for anything else. */
int event_scope_parse(const char *text, enum event_scope *out);

/* Apply a (and hm, a new time of day "HH:MM" keeping the day, or NULL) to
 * ev and store it.  occurrence names the occurrence for EVENT_SCOPE_THIS
 * (a date or time, or NULL for the next one).  *changed gets the start and
 * end the edited occurrence or series now has.  ERR_USAGE naming what was
 * wrong; a repeating event with EVENT_SCOPE_NONE is an ERR_USAGE too. */
int event_edit(struct store *s, time_t now, struct event *ev, const struct event_args *a,
	       const char *hm, enum event_scope scope, const char *occurrence, time_t *start,
	       time_t *end, struct err *e);

#endif
