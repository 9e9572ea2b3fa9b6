/*
 * wallclock.h - "now", as every part of nestor reads it.
 *
 * Dates, agendas, reminders and the scheduler take the time from here, never
 * from time(NULL), so a test can pin the clock:
 *
 *	NESTOR_NOW=2026-06-01T09:00:00Z nestor agenda
 *
 * NESTOR_NOW (for tests only) is TIME or TIME@REAL.  TIME is epoch seconds
 * or YYYY-MM-DDTHH:MM[:SS] followed by Z or +HH:MM / -HH:MM.  The clock reads
 * TIME at the real instant REAL (epoch seconds; without @REAL, the moment
 * wallclock_init ran, i.e. when the process started) and runs at the real
 * rate from there: timers, leases and reminders due "in 2 seconds" behave as
 * they do for real, only the date is fixed.  Processes given the same
 * TIME@REAL share one clock.  Unset or empty: the system clock.
 *
 * Left on the system clock on purpose: log timestamps (a log says when
 * things really happened), an HTTP Retry-After date (the server's clock),
 * random seeds, and monotonic timers.
 */
#ifndef NESTOR_WALLCLOCK_H
#define NESTOR_WALLCLOCK_H

#include <time.h>

#include "err.h"

/* Read NESTOR_NOW once; call before any thread starts.  -1 with a message
 * naming the variable and its value when it cannot be read (the clock then
 * stays the system's). */
int wallclock_init(struct err *e);

/* Now, in epoch seconds. */
time_t wallclock_now(void);
/* Now, with nanoseconds (the pinned clock's CLOCK_REALTIME). */
void wallclock_timespec(struct timespec *ts);

/* Milliseconds on CLOCK_MONOTONIC, for timeouts and waits (never pinned). */
long long monotonic_ms(void);
/* The same in seconds, with their fraction (durations, deadlines). */
double monotonic_s(void);

#endif
