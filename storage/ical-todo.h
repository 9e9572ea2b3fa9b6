/*
 * ical-todo.h - tasks as iCalendar VTODOs, for the import (ical.c) and the
 * export (ical-export.c) of storage/ only.
 *
 * A VTODO is a task: SUMMARY the title, DESCRIPTION the notes, DUE the due
 * time (a DATE: due that day), PRIORITY 1 (highest) to 9 (lowest) as
 * nestor's 9 to 1 (0, undefined, is 0 both ways), STATUS COMPLETED or
 * CANCELLED and COMPLETED the time it was done.  UID is kept: a task whose
 * UID is stored is replaced, so importing a file twice changes nothing; a
 * VTODO without one (calcurse exports none unless asked) gets one made
 * from its title, for the same reason.
 */
#ifndef NESTOR_ICAL_TODO_H
#define NESTOR_ICAL_TODO_H

#include <libical/ical.h>
#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "err.h"
#include "store.h"

/* DUE as the import read it, in the file's zones. */
struct ical_todo_due {
	bool has;
	time_t at; /* the instant, or the UTC midnight of a DATE */
	bool is_date;
};

/* Store VTODO c (line: where it starts, for errors); counts it in *added
 * or *updated.  Runs inside the import's transaction. */
int ical_todo_import(struct store *s, icalcomponent *c, const struct ical_todo_due *due, int line,
		     time_t now, size_t *added, size_t *updated, struct err *e);

/* Add the tasks (done and cancelled ones too) to vcal as VTODOs; with a
 * window [*from, *to) (either may be NULL), only the tasks due in it. */
int ical_todo_export(struct store *s, icalcomponent *vcal, const time_t *from, const time_t *to,
		     struct err *e);

#endif
