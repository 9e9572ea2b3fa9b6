/*
 * event.h - calendar events: storage and occurrences in a window.
 *
 * Times are UTC epoch seconds.  A timed event keeps the IANA name of its
 * zone (tzid; NULL = floating, the viewer's local time) and recurs in that
 * zone's wall-clock time: a weekly 09:00 Europe/Berlin meeting stays at
 * 09:00 Berlin time across DST.  An all-day event has no zone: start is the
 * UTC midnight of its first day and end the UTC midnight of the day after
 * its last (end exclusive, as in iCalendar); it covers those calendar days
 * in whatever zone the agenda is read.
 *
 * Recurrence is an RFC 5545 RRULE expanded by libical.  An excluded
 * occurrence (EXDATE) and a changed one (RECURRENCE-ID override) are named
 * by the "occurrence key": the UTC start of the original occurrence, or the
 * UTC midnight of its date for an all-day series.
 *
 * The `until` column holds the last instant a series can reach (NULL when
 * unbounded), and `reach` the class of that span (event_reach()), written
 * with it, so the agenda expands only series that can touch its window;
 * single events are found by an index on start.
 *
 * Column formats kept for other modules:
 *   events.exdates   occurrence keys, decimal, comma-separated
 *   events.attendees iCalendar ATTENDEE content lines, one per line
 *   events.alarms    iCalendar text of the VALARM components, each
 *                    "BEGIN:VALARM ... END:VALARM"; event_alarm_offsets()
 *                    reads their relative triggers (for reminders)
 */
#ifndef NESTOR_EVENT_H
#define NESTOR_EVENT_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "err.h"
#include "store.h"

/* A changed occurrence of a series (RECURRENCE-ID). */
struct event_override {
	time_t recurrence_id; /* occurrence key of the occurrence it replaces */
	char *summary;	      /* NULL: the series' */
	char *notes;
	char *location;
	time_t start, end;
	char *tzid;
	/* the user declined this occurrence alone (Google's instance, their
	 * attendee entry answering "declined"): shown, never reminded */
	bool declined;
};

struct event {
	long long id;
	char *uid;	/* NULL on add: one is made */
	char *calendar; /* calendar name; NULL on add: "personal" */
	char *summary;
	char *notes; /* DESCRIPTION */
	char *location;
	time_t start, end;
	char *tzid; /* NULL: floating; always NULL when all_day */
	bool all_day;
	/* a series' DTSTART as written, when start's wall clock in tzid
	 * shows another time (a time inside a spring-forward gap: 02:30 on
	 * the day Berlin goes from 02:00 to 03:00 starts at 03:30, RFC 5545
	 * 3.3.5, and the other days keep 02:30): wall-clock seconds read as
	 * UTC.  The expansion, the reminders and the export use it only
	 * while it still names start (tz_wall_names(): a synced start may
	 * come without it); a write keeps it, a single event's too (for a
	 * rule added later), only while it does (event_write()). */
	bool has_wall;
	time_t wall_start;
	bool list_strings; /* its strings are in its list's blocks (strings is NULL) */
	char *rrule;	   /* without "RRULE:", or NULL */
	time_t *exdates;
	size_t nexdates;
	char *attendees;
	char *alarms;
	struct event_override *overrides;
	size_t noverrides;
	time_t updated_at;
	/* NULL, or the one allocation that holds uid, calendar, summary, notes,
	 * location, tzid, rrule, attendees and alarms (an agenda's rows are
	 * read so): event_release() frees it instead of each; such an event's
	 * strings are not to be replaced one by one. */
	char *strings;
};

/* One occurrence in a window.  Pointers borrow from the event list. */
struct event_occ {
	const struct event *ev;
	const struct event_override *ov; /* when this occurrence was changed */
	const char *summary, *notes, *location, *tzid;
	time_t start, end; /* for all-day: local midnights */
	time_t key;	   /* occurrence key */
};

struct event_strings;

struct event_list {
	struct event *events;
	size_t nevents;
	struct event_occ *occ;
	size_t nocc;
	/* the blocks that hold the strings of the events a window's query
	 * read (event_occurrences, event_agenda: a malloc and a free a row were
	 * a tenth of reading it); NULL for lists made otherwise */
	struct event_strings *strings;
};

void event_release(struct event *ev);
void event_override_release(struct event_override *o);
/* Forget the override of the occurrence with this key, if any. */
void event_drop_override(struct event *ev, time_t key);
void event_list_release(struct event_list *l);
/* Add an exdate (kept sorted, no duplicates). */
void event_add_exdate(struct event *ev, time_t key);

/* The instants an event may span: 0001-01-01 to the end of 9999, what an
 * iCalendar export can write. */
#define EVENT_TIME_MIN (-62135596800LL)
#define EVENT_TIME_END 253402300800LL
/* Check ev (summary, end >= start, both within the years 1-9999, zone
 * known, rrule valid; its texts UTF-8 within the store's limits: uid and
 * summary STORE_TITLE_MAX, notes, attendees and alarms STORE_NOTES_MAX);
 * ERR_USAGE. */
int event_check(struct store *s, const struct event *ev, struct err *e);
/* event_check() but the zone, which need not open here (an event pulled
 * from a device that imported its VTIMEZONE: the agenda and export leave
 * such an event out with a warning); its name is checked as a text. */
int event_check_fields(const struct event *ev, struct err *e);
/* Whether ev's RRULE (if any) yields an occurrence, opened as an agenda
 * opens it: ERR_USAGE `RRULE "X" never matches a date` (or has no
 * occurrence from the start) otherwise.  event_check() only parses the
 * rule, so a pull keeps what the remote holds; the agenda leaves such a
 * series out with a warning (store_set_warn()).  New rules from a person
 * or a file are checked with this. */
int event_series_check(struct store *s, const struct event *ev, struct err *e);

/* Insert ev, creating its calendar when new; sets id, uid, updated_at. */
int event_add(struct store *s, struct event *ev, time_t now, struct err *e);
/* Write ev back by id (overrides and exdates included). */
int event_update(struct store *s, struct event *ev, time_t now, struct err *e);
/* Change event id in one write transaction, as task_modify() does: read,
 * edit (< 0: give up, with the reason set by edit), write back at now. */
int event_modify(struct store *s, long long id, time_t now,
		 int (*edit)(void *arg, struct event *ev), void *arg, struct event *out,
		 struct err *e);
/* ERR_NOTFOUND for an unknown id / uid. */
int event_get(struct store *s, long long id, struct event *out, struct err *e);
int event_get_uid(struct store *s, const char *uid, struct event *out, struct err *e);
/* Delete an event; with only, just the occurrence of a series that starts
 * on the local day containing *only (it becomes an EXDATE). */
int event_delete(struct store *s, long long id, const time_t *only, time_t now, struct err *e);

/* 0 when calendar is NULL or names a calendar; else ERR_USAGE naming it
 * and the calendars there are. */
int event_calendar_known(struct store *s, const char *calendar, struct err *e);
/* Occurrences overlapping [from, to), sorted by start, end, id; calendar
 * NULL for all calendars (an unknown one is an error: see above).  Release
 * out with event_list_release. */
int event_occurrences(struct store *s, time_t from, time_t to, const char *calendar,
		      struct event_list *out, struct err *e);
/* The same, or 1 with out empty once the window holds more than max
 * occurrences (expanding stops there: a window asked from outside). */
int event_occurrences_max(struct store *s, time_t from, time_t to, const char *calendar, size_t max,
			  struct event_list *out, struct err *e);
/* The same for printing an agenda's lines: the events' uid, calendar,
 * notes, attendees and alarms are left NULL and updated_at 0 (reading them
 * was a tenth of a week's agenda), and out->events are in no particular
 * order (sorting them by id cost 110 instructions a line). */
int event_agenda(struct store *s, time_t from, time_t to, const char *calendar,
		 struct event_list *out, struct err *e);

/* Events whose summary, location or notes contain text (case-insensitive),
 * one occurrence each: the next one ending after now, else the first one. */
int event_search(struct store *s, const char *text, time_t now, struct event_list *out,
		 struct err *e);

/* Every event (of calendar, or all), with overrides; out->occ is empty. */
int event_all(struct store *s, const char *calendar, struct event_list *out, struct err *e);

/* One VALARM of an event. */
struct event_alarm {
	char key[64];  /* its TRIGGER: "-PT15M", "END:-PT5M", "20260105T080000Z" */
	bool absolute; /* TRIGGER;VALUE=DATE-TIME: at */
	time_t at;
	long offset;	   /* else seconds from the start (negative = before) */
	bool from_end;	   /* ... or from the end (RELATED=END) */
	char *description; /* its DESCRIPTION, or NULL */
};

/* The VALARMs of an events.alarms text (those with a TRIGGER). */
int event_alarms(const char *alarms, struct event_alarm **out, size_t *n);
void event_alarms_free(struct event_alarm *a, size_t n);

/* Seconds relative to the event start of the VALARM triggers in alarms that
 * are relative to the start (negative = before).  *out NULL when *n is 0. */
int event_alarm_offsets(const char *alarms, long **out, size_t *n);

/*
 * Alarm reminders.  Every write of an event (add, edit, import, delete
 * --only) brings its reminders in step with its VALARMs in the same
 * transaction; deleting the event deletes them (jobs.event_id cascades).
 * Each distinct TRIGGER is one job of kind "reminder" with event_id set
 * and payload {"text", "alarm": TRIGGER}; text is the VALARM's DESCRIPTION
 * unless it is empty, the summary or a client's placeholder ("Reminder",
 * "This is an event reminder"), else "SUMMARY at HH:MM" (the event's zone,
 * named when not the local one).
 *  - a single event, or an absolute trigger: once, at start + offset (or
 *    at the instant); not created when that time has passed;
 *  - a series: an "rrule" job with the series' RRULE, its EXDATEs as
 *    exdates and the trigger as run_offset (see recur.h) in the series'
 *    zone, tzdata's or one an imported VTIMEZONE defines, so it follows
 *    DST; an override (RECURRENCE-ID) does not move its alarm;
 *  - a series whose zone cannot be opened: none (counted unsupported).
 * A reminder already there for the same TRIGGER is kept when nothing
 * changed (it keeps its id, state and history; a cancelled one stays
 * cancelled) and redefined in place when the event moved; reminders of
 * triggers that are gone are deleted, except those that ran (done or
 * failed), kept as history.
 */
struct event_alarm_count {
	size_t set;	    /* alarms with an active reminder */
	size_t past;	    /* alarms whose time had passed: no reminder */
	size_t unsupported; /* alarms of a series whose zone cannot be opened */
};

#endif
