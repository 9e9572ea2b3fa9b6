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
 * Anything not understood, or ambiguous, is an ERR_USAGE error naming the
 * part that was not understood ("date not understood: \"blorp\" in
 * \"tomorrow blorp\""); the parser never guesses.  Case, extra spaces,
 * "at"/"on"/"в" and the typos tommorow/tomorow/tmrw do not matter.
 *
 * Decisions:
 *  - A weekday is the coming one, never today: on a Friday, "friday" (and
 *    "в пятницу", "this friday") is a week away.  "next friday" ("в
 *    следующую пятницу", "friday next week", "в пятницу на следующей
 *    неделе", "через неделю в пятницу") is the Friday of next week, weeks
 *    starting on Monday: said on a Monday, "next tuesday" is eight days away and "this
 *    tuesday" tomorrow.  "friday after next" is the coming Friday plus a week.
 *  - "the 15th", "15th", "15-го (числа)" is that day of this month, or of
 *    next month once it has passed (today counts as still to come).
 *  - Numeric dates follow the date order (when_set_order(); config
 *    general.date_order, by default from the locale: month first for en_US
 *    and a few others, day first elsewhere, Russian included): "5.12",
 *    "05.12.2026", "5/12" are 5 December in dmy and May 12 in mdy; ymd
 *    reads two numbers as month/day.  A year first ("2026/12/05") is
 *    always y/m/d.  A day or month out of range is an error, never a guess.
 *    "at 9.30" / "в 9.30" is a time.
 *  - A time without a date is today, even if it has passed ("5pm" at 18:00
 *    is 17:00 today).  The one exception: "midnight"/"полночь" alone is the
 *    coming midnight, tomorrow 00:00.
 *  - "tonight" is today 20:00; "evening"/"вечером" and "night" 20:00,
 *    "afternoon"/"днём" 15:00 and "morning"/"утром" 09:00 on the given
 *    day (today by default); "ночью" needs an hour.
 *  - A bare number is not an hour: "friday 10" is an error; "friday at 10",
 *    "friday 10am", "в пятницу в 10", "10 o'clock", "9 tonight" are read.
 *    After "at"/"в" with no am/pm, 7 to 12 are morning and noon, 1 to 6 the
 *    afternoon, with or without minutes: "at 5" is 17:00, "at 5:30" 17:30,
 *    "at 8" 08:00 ("at 5am", "в 5 утра", "at 05:30" for the morning; a
 *    clock without "at", "tomorrow 5:30", is a 24-hour clock).  "a.m.",
 *    "p.m.", "7p", "7a" are am and pm.
 *  - A part of the day with an hour gives it its half: "tonight at 9",
 *    "at 9 in the evening", "вечером в 9" 21:00; "tomorrow morning at 8"
 *    08:00; "this afternoon at 3" 15:00.  With "night", "tonight" or
 *    "ночью", 12 is the midnight after that day and 1 to 4 ("ночью" 1 to 5)
 *    the small hours after it: "tonight at 2" is tomorrow 02:00, "friday
 *    night at 12" Saturday 00:00; "at 12 midnight" is midnight as
 *    "midnight" is.  "в 12 утра" and "утром в 12" are noon ("12am" stays
 *    00:00).  An hour outside the part ("at 9am tonight", "evening at 12")
 *    is an error.
 *  - A date without a year ("dec 1", "1 декабря") is the next such date on
 *    or after today.
 *  - "in 2 hours" adds exact seconds; "in 3 days", "in 1 week", "in 2 months"
 *    move the calendar and keep the wall-clock time across DST changes, and
 *    may take a time ("in 3 days at 10").  Neither is date_only.
 *  - "end of week" is the coming Sunday (today on a Sunday); "end of month"
 *    the last day of this month; both date_only.
 *  - A time in a DST gap is moved forward by mktime(); an ISO time with "Z"
 *    or an offset is that exact instant.
 */
#ifndef NESTOR_WHEN_H
#define NESTOR_WHEN_H

#include <stdbool.h>
#include <time.h>

#include "err.h"

/* What a WHEN was read from: a day it names ("tomorrow 9:00", "friday",
 * "2026-12-01"), a time of day alone ("10:30", "noon": today's), or a span
 * from now ("in 2 hours", "через 3 дня"). */
enum when_anchor { WHEN_DATED, WHEN_TIME, WHEN_SPAN };

struct when {
	time_t at;		 /* the instant; for a date only, local midnight of that day */
	bool date_only;		 /* no time of day was given ("tomorrow", "dec 1") */
	enum when_anchor anchor; /* set by when_parse() */
	/* a date and time of day read in the zone: that wall-clock time as
	 * written, in seconds read as UTC (at differs from it in a
	 * spring-forward gap: 02:30 is taken at 03:30, RFC 5545 3.3.5) */
	bool has_wall;
	time_t wall;
	/* an hour said without am/pm or a part of the day ("at 9", "at
	 * 5:30"): +1 when read as the morning (7 to 11), so the same time 12
	 * hours later is as likely meant; -1 when read as the afternoon (1 to
	 * 6), so 12 hours earlier is; 0 when the half was said */
	int other_half;
	/* a part of the day was said ("tonight", "this evening", "вечером"):
	 * +1 when it puts an hour 1 to 11 in the afternoon or evening, -1 in
	 * the morning, 0 when none was said (or noon, midnight); an hour
	 * range said with it takes that half ("tonight from 8 to 10") */
	int part_half;
};

/* The minutes after midnight of a wall-clock time in seconds read as UTC
 * (struct when's wall, an event's wall_start): 02:30 of a gap is 150. */
int when_wall_minutes(time_t wall);

/* How numeric dates ("5.12", "5/12/2026") are read: day, month or year first. */
enum when_order { WHEN_DMY, WHEN_MDY, WHEN_YMD };

/* "dmy", "mdy", "ymd" (any case); -1 for anything else. */
int when_order_parse(const char *text, enum when_order *out);
/* The order a locale name ("en_US.UTF-8", "ru_RU.UTF-8") writes dates in. */
enum when_order when_order_from_locale(const char *locale);
/* Set the order for the process (config general.date_order); until set it
 * comes from LC_ALL, LC_TIME or LANG. */
void when_set_order(enum when_order order);
enum when_order when_get_order(void);

struct tz;

/* Parse a point in time relative to now, in the local zone.  A wall-clock
 * time a fall-back change repeats is its first instance; one in a
 * spring-forward gap takes the offset from before the gap (RFC 5545). */
int when_parse(const char *text, time_t now, struct when *out, struct err *e);
/* The same with days and wall-clock times read in zone z (NULL: the local
 * zone): "tomorrow 09:00" is 09:00 of z's tomorrow, "in 2 hours" two hours
 * from now wherever. */
int when_parse_in(const char *text, time_t now, struct tz *z, struct when *out, struct err *e);
/* Minutes past midnight of t in zone z (NULL: the local zone). */
int when_minutes(struct tz *z, time_t t);
/* The time of day w was written at, in minutes, in z (NULL: local): 02:30
 * inside a gap is not the 03:30 it is read as. */
int when_written_minutes(struct tz *z, const struct when *w);

/*
 * Parse a duration ("1h", "90m", "1h30m", "1.5h", "2 hours", "45 min",
 * "1 day", "1w", "полчаса", "час", "2 часа") into seconds (> 0).  A day is
 * 86400 seconds; months and years have no fixed length and are errors.
 */
int when_parse_duration(const char *text, long *secs, struct err *e);

/*
 * Turn a recurrence phrase into an RFC 5545 RRULE (without "RRULE:"), which
 * the caller frees: daily, weekly, monthly, yearly, hourly, "every day",
 * "every 2 weeks", "every other week", "every monday and wednesday",
 * "every weekday" (FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR), "каждый понедельник",
 * "каждые 3 дня", "по будням", "ежедневно", "every last friday"
 * (FREQ=MONTHLY;BYDAY=-1FR), "every first monday", "every third thursday
 * of the month", "каждую последнюю пятницу месяца"; "every second tuesday"
 * without the month is every other Tuesday.  Text that already is a rule
 * ("FREQ=...", "RRULE:FREQ=...") is checked by libical and normalised.
 */
int when_parse_rule(const char *text, char **rrule, struct err *e);

/* Local midnight of the day containing t. */
time_t when_day_start(time_t t);

#endif
