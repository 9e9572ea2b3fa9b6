/*
 * when.h - the one natural-language date and duration parser.
 *
 * Every WHEN on the command line (--at, --due, --from, --to), the offline
 * intent engine and the REPL go through when_parse().  Time is a parameter:
 * `now` is passed in, so tests pin the clock.  Local time is the process's
 * zone (TZ, or config general.timezone, which main() puts into TZ).
 *
 * Accepted (English): ISO 8601 ("2026-12-01", "2026-12-01 09:30",
 * "2026-12-01T09:30:00+01:00"), today, tomorrow, tonight, noon, midnight,
 * "tomorrow 5pm", "next friday 10:00", "friday at 10", "in 2 hours",
 * "in 3 days", "dec 1", "1 december 2026 14:30", "end of month".
 * Russian: "сегодня в 18:00", "завтра в 9", "послезавтра", "в пятницу в 10",
 * "через 2 часа", "через 3 дня", "1 декабря в 14:30".
 *
 * Anything not understood, or ambiguous, is an error naming the part that
 * was not understood; the parser never guesses.
 */
#ifndef NESTOR_WHEN_H
#define NESTOR_WHEN_H

#include <stdbool.h>
#include <time.h>

#include "err.h"

struct when {
	time_t at;      /* the instant; for a date only, local midnight of that day */
	bool date_only; /* no time of day was given ("tomorrow", "dec 1") */
};

/* Parse a point in time relative to now. */
int when_parse(const char *text, time_t now, struct when *out, struct err *e);

/* Parse a duration ("1h", "90m", "1h30m", "2 hours", "полчаса") into seconds (> 0). */
int when_parse_duration(const char *text, long *secs, struct err *e);

/* Local midnight of the day containing t. */
time_t when_day_start(time_t t);

#endif
