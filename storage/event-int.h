/*
 * event-int.h - what event.c, event-occ.c and ical.c share and nobody else
 * should call.
 */
#ifndef NESTOR_EVENT_INT_H
#define NESTOR_EVENT_INT_H

#include "event.h"
#include "store-int.h"

/* The columns event_from_row() reads, and with the FROM clause (alias e). */
#define EVENT_COL_LIST_CAL(calendar)                                                               \
	"e.id, e.uid, " calendar ", e.summary, e.description, e.location, e.start,"                \
	" e.\"end\", e.tzid, e.all_day, e.rrule, e.exdates, e.attendees, e.alarms,"                \
	" e.updated_at, e.wall_start"
#define EVENT_COL_LIST EVENT_COL_LIST_CAL("c.name")
#define EVENT_FROM     " FROM events e JOIN calendars c ON c.id = e.calendar_id"
#define EVENT_COLS     EVENT_COL_LIST EVENT_FROM
#define EVENT_NCOLS    16
/* What event_agenda() reads of a row, for event_from_row_packed() when
 * brief: what the agenda's lines show.  exdates first: it is the last of
 * these in each index the agenda reads (events_start, events_reach,
 * events_forever), and SQLite parses a row's header as far as the column
 * asked for, so the others then cost no more parsing (170 instructions a
 * row less than when it came last). */
#define EVENT_BRIEF_COLS                                                                           \
	"e.exdates, e.id, e.summary, e.location, e.start, e.\"end\", e.tzid, e.all_day, e.rrule"

void event_from_row(sqlite3_stmt *st, struct event *ev);
/* The same with the strings in one allocation (ev->strings), or in the
 * blocks of list l when l is not NULL, and calendar (may be NULL) as the
 * calendar's name, not column 2; brief: a row of EVENT_BRIEF_COLS (uid,
 * notes, attendees, alarms and updated_at left out: event_agenda()), into
 * the blocks of l (not NULL then). */
void event_from_row_packed(sqlite3_stmt *st, struct event *ev, const char *calendar, bool brief,
			   struct event_list *l);
/* Append the override in columns col.. (recurrence_id, summary, description,
 * location, start, end, tzid, declined) of st to ev. */
void event_override_from_row(sqlite3_stmt *st, int col, struct event *ev);
int event_load_overrides(struct store *s, struct event *ev, struct err *e);
/* The longest DURATION or alarm TRIGGER taken: 10000 Gregorian years. */
#define EVENT_DURATION_MAX 315569520000LL
struct icaldurationtype;
/* The seconds of *d (negative before), in 64 bits, or -1 when beyond
 * EVENT_DURATION_MAX either way. */
int event_duration_secs(const struct icaldurationtype *d, long long *secs);

/* A calendar's name: UTF-8, at most STORE_TITLE_MAX bytes; ERR_USAGE. */
int event_check_calendar(const char *name, struct err *e);
/* The name of the stored calendar id passes event_check_calendar() and is
 * not empty (a change another device made is held to it); ERR_NOTFOUND
 * when there is none. */
int event_check_calendar_stored(struct store *s, long long id, struct err *e);

/* Insert (id 0) or update ev inside the caller's transaction, with its
 * alarm reminders (see event.h); count (may be NULL) adds up the alarms. */
int event_write(struct store *s, struct event *ev, time_t now, struct event_alarm_count *count,
		struct err *e);

/* Bring the alarm reminders of the stored ev in step with ev->alarms. */
int event_alarm_sync(struct store *s, const struct event *ev, time_t now,
		     struct event_alarm_count *count, struct err *e);

/* The last instant a series reaches (*bounded false when it never ends). */
int event_series_end(struct store *s, const struct event *ev, bool *bounded, time_t *until,
		     struct err *e);

/* The class of events_reach (schema.c, migrations 10 and 24) of a series
 * from start to until, the last instant it reaches: k (0..14) when that is
 * at most 2^k days after start, 15 when longer. */
int event_reach(time_t start, time_t until);

/* Set the reach column of row id from its rrule, start and until, as
 * event_write() does, after a write that did not (a pulled change). */
int event_reach_update(struct store *s, long long id, struct err *e);

/* Open ev's rule as a window does: -1 and e when its zone does not open;
 * *opens false when no iterator starts on the rule (libical and rrule.h
 * refuse a rule that never matches a date), *any whether it yields an
 * occurrence at all. */
int event_series_try(struct store *s, const struct event *ev, bool *opens, bool *any,
		     struct err *e);

/* The occurrence key of the occurrence of series ev starting on the local
 * day containing day; ERR_USAGE when there is none. */
int event_key_on_day(struct store *s, const struct event *ev, time_t day, time_t *key,
		     struct err *e);

#endif
