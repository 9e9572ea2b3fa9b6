/*
 * ical.h - iCalendar (RFC 5545) import and export with libical.
 *
 * Import keeps UID, SUMMARY, DESCRIPTION, LOCATION, DTSTART/DTEND/DURATION
 * with their TZID, RRULE, EXDATE, RECURRENCE-ID overrides, ATTENDEE and
 * VALARM; each VALARM becomes a reminder (see event.h).  A TZID that names a zone of the system's
 * tzdata uses that zone; any other is defined by the file's VTIMEZONE, which is stored (table
 * `timezones`) and exported again.  Export names each event's calendar in
 * X-NESTOR-CALENDAR, so a round trip keeps it.  An event whose UID is already stored
 * is replaced, so importing the same file twice changes nothing.
 *
 * A file is imported in one transaction: a malformed one is rejected with
 * the line and the reason (`line 7: bad DTSTART "2026-BROKEN"`) and nothing
 * of it is written.  VTODOs are tasks (ical-todo.h); components nestor
 * does not keep (VJOURNAL, VFREEBUSY, X-...) are skipped and counted in
 * the report.
 */
#ifndef NESTOR_ICAL_H
#define NESTOR_ICAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <time.h>

#include "err.h"
#include "event.h"
#include "store.h"

struct ical_report {
	size_t added, updated;		   /* events (a series counts once) */
	size_t tasks_added, tasks_updated; /* VTODOs (ical-todo.h) */
	size_t skipped;			   /* components not imported */
	char *skipped_what;		   /* "2 VTODO, 1 VJOURNAL" or NULL */
	struct event_alarm_count alarms;   /* of the events written */
};

void ical_report_release(struct ical_report *r);

/* How far an import is: events written, bytes read of total (0: unknown). */
struct ical_progress {
	size_t events;
	size_t bytes, total;
};

/* Called now and then during an import, and once at its end. */
typedef void ical_progress_fn(const struct ical_progress *p, void *arg);

/*
 * Import the iCalendar stream in into calendar (NULL: the calendar an
 * export of nestor named in X-NESTOR-CALENDAR, else "personal").  size is
 * the stream's length when known (for progress), else 0.
 *
 * The stream is read one component at a time, so memory does not grow with
 * the file; only events whose TZID names a VTIMEZONE further down their
 * calendar, and RECURRENCE-ID overrides, are kept until their calendar (the
 * overrides: the file) ends.  A UID that appears twice: the last one wins.
 */
int ical_import_file(struct store *s, FILE *in, size_t size, const char *calendar, time_t now,
		     ical_progress_fn *progress, void *arg, struct ical_report *rep, struct err *e);

/* The same for a text in memory. */
int ical_import(struct store *s, const char *text, const char *calendar, time_t now,
		ical_progress_fn *progress, void *arg, struct ical_report *rep, struct err *e);

/* The events of calendar (NULL: all) with an occurrence in [*from, *to)
 * (either may be NULL: unbounded) as one VCALENDAR; *text is the caller's.
 * Without a calendar the tasks come too, as VTODOs (those due in the
 * window when there is one). */
int ical_export(struct store *s, const time_t *from, const time_t *to, const char *calendar,
		char **text, struct err *e);

#endif
