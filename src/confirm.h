/*
 * confirm.h - the one line that says what was stored, for a person at a
 * terminal (a pipe gets the bare id: scripts keep working).
 *
 *	Task 5: buy milk — due Tue 2 Jun 17:00 (tomorrow)
 *	Event 4 updated: dentist — Mon 8 Jun 10:00–11:00 (in 7 days), every Monday
 *	Reminder 3: call mom — Tue 1 Dec 17:00 (in 183 days), every day
 *
 * The full date with its weekday, the time, how far that is from now in
 * days and the repeat rule in words (every.h), so a "monday 23:00" typed
 * on a Monday evening that means next Monday shows as such.  Times are
 * local; an event kept in another zone also names its own time there.
 * Each returns a new string.
 */
#ifndef NESTOR_CONFIRM_H
#define NESTOR_CONFIRM_H

#include <stdbool.h>
#include <time.h>

struct task;
struct event;
struct reminder;

char *confirm_task(const struct task *t, bool updated, time_t now);
char *confirm_event(const struct event *ev, bool updated, time_t now);
char *confirm_reminder(const struct reminder *r, time_t now);

#endif
