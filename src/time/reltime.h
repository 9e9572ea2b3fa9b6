/*
 * reltime.h - the one way a time is told relative to now: "today 17:00",
 * "yesterday", "завтра в 9:00", "Fri 14:00".
 *
 * Days are counted by local calendar dates, never by seconds: 23:59
 * yesterday seen at 00:01 today is "yesterday", and a day of 23 or 25
 * hours (a DST change) is still one day.  Local time is the process's zone
 * (TZ).  `now` is a parameter, so tests pin the clock.
 *
 * Every front uses it: the command listings (RELTIME_LIST), the TUI's side
 * pane (RELTIME_SHORT) and the assistant's answers (RELTIME_PROSE), so
 * "today", "tomorrow" and "yesterday" mean the same everywhere.
 *
 *	char buf[64];
 *	reltime_format(RELTIME_LIST, NULL, task.due, task.due_date_only, now,
 *		       buf, sizeof(buf));     -> "tomorrow" or "today 17:00"
 */
#ifndef NESTOR_RELTIME_H
#define NESTOR_RELTIME_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

enum reltime_style {
	/* "today 17:00", "tomorrow", "yesterday 23:59", "2026-12-01 09:30",
	 * "2026-12-01": the columns of `task list` and `remind list`. */
	RELTIME_LIST,
	/* For a narrow column: "17:00" or "today" within today, "Fri 14:00" or
	 * "Fri" within the coming week, "Dec 15" otherwise (the past too). */
	RELTIME_SHORT,
	/* A sentence's words: "today 17:00", "tomorrow", "yesterday 09:00",
	 * "Mon 30 Nov 09:00", "Mon 4 Jan 2027"; in Russian "сегодня в 17:00",
	 * "завтра", "вчера в 09:00", "пн, 30 ноября, в 09:00". */
	RELTIME_PROSE,
};

/* Local calendar days from now's date to t's: 0 today, 1 tomorrow,
 * -1 yesterday. */
long reltime_days(time_t t, time_t now);

/* "today", "tomorrow", "yesterday" ("сегодня", "завтра", "вчера" when lang
 * is "ru") for days 0, 1, -1; NULL for any other day. */
const char *reltime_word(long days, const char *lang);

/* A date in words, whatever its distance from today: "Fri 27 Nov",
 * "пт, 27 ноября", with " 2027" after it when with_year.  Reads tm_wday,
 * tm_mday, tm_mon and tm_year. */
void reltime_date(const char *lang, const struct tm *tm, bool with_year, char *buf, size_t len);

/* Write t relative to now in style; date_only leaves out the time of day.
 * lang ("en", "ru" or NULL for English) is used by RELTIME_PROSE and the
 * words of RELTIME_LIST. */
void reltime_format(enum reltime_style style, const char *lang, time_t t, bool date_only,
		    time_t now, char *buf, size_t len);

struct tz;

/* reltime_days() and reltime_format() with days and times of zone z
 * (tz.h; NULL: the process's zone): the answers to a person whose zone is
 * not the process's. */
long reltime_days_in(struct tz *z, time_t t, time_t now);
void reltime_format_in(struct tz *z, enum reltime_style style, const char *lang, time_t t,
		       bool date_only, time_t now, char *buf, size_t len);

#endif
