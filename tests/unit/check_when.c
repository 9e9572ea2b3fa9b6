/*
 * check_when.c - the date, duration and recurrence parser against pinned clocks.
 *
 * Each row is parsed at one of the clocks below and compared, as local
 * "YYYY-MM-DD HH:MM" in that clock's zone, with the expected value.  A
 * wanted value starting with '!' is an error whose message must contain
 * the rest.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "tz.h"
#include "when.h"

static const struct clock {
	const char *tz;
	int y, mon, d, h, mi;
} clocks[] = {
	{ "Europe/Berlin", 2026, 11, 25, 14, 30 },  /* Wednesday */
	{ "Europe/Berlin", 2027, 3, 26, 14, 30 },   /* Friday; DST starts Sunday 28th */
	{ "America/New_York", 2026, 10, 30, 9, 0 }, /* Friday; DST ends Sunday 1st */
	{ "Europe/Berlin", 2027, 1, 31, 10, 0 },    /* Sunday, last of the month */
};

static const struct row {
	int clock;
	const char *in;
	const char *want; /* "YYYY-MM-DD HH:MM", or "!" and part of the error */
	int date_only;
} rows[] = {
	{ 0, "today", "2026-11-25 00:00", 1 },
	{ 0, "tomorrow", "2026-11-26 00:00", 1 },
	{ 0, "TOMORROW", "2026-11-26 00:00", 1 },
	{ 0, "tommorow", "2026-11-26 00:00", 1 },
	{ 0, "tomorow", "2026-11-26 00:00", 1 },
	{ 0, "tmrw", "2026-11-26 00:00", 1 },
	{ 0, "yesterday", "2026-11-24 00:00", 1 },
	{ 0, "day after tomorrow", "2026-11-27 00:00", 1 },
	{ 0, "tomorrow 5pm", "2026-11-26 17:00", 0 },
	{ 0, "tomorrow at 17:00", "2026-11-26 17:00", 0 },
	{ 0, "  Tomorrow   AT   5 PM ", "2026-11-26 17:00", 0 },
	{ 0, "tomorrow morning", "2026-11-26 09:00", 0 },
	{ 0, "tonight", "2026-11-25 20:00", 0 },
	{ 0, "noon", "2026-11-25 12:00", 0 },
	{ 0, "at noon", "2026-11-25 12:00", 0 },
	{ 0, "midnight", "2026-11-26 00:00", 0 },
	{ 0, "now", "2026-11-25 14:30", 0 },
	/* "next friday" is next week's: on Wednesday 25 Nov, 4 Dec */
	{ 0, "next friday 10:00", "2026-12-04 10:00", 0 },
	{ 0, "this friday 10:00", "2026-11-27 10:00", 0 },
	{ 0, "friday after next", "2026-12-04 00:00", 1 },
	/* the weekday of next week said the other way round */
	{ 0, "friday next week", "2026-12-04 00:00", 1 },
	{ 0, "next week on friday at 10", "2026-12-04 10:00", 0 },
	{ 0, "в пятницу на следующей неделе", "2026-12-04 00:00", 1 },
	{ 0, "через неделю во вторник", "2026-12-01 00:00", 1 },
	{ 0, "next monday", "2026-11-30 00:00", 1 },
	{ 0, "the 15th", "2026-12-15 00:00", 1 },
	{ 0, "on the 28th at 10", "2026-11-28 10:00", 0 },
	{ 0, "25th", "2026-11-25 00:00", 1 },
	{ 0, "15-го", "2026-12-15 00:00", 1 },
	{ 0, "30-го числа в 9", "2026-11-30 09:00", 0 },
	{ 0, "5.12", "2026-12-05 00:00", 1 },
	{ 0, "5/12 at 10", "2026-12-05 10:00", 0 },
	{ 0, "05.12.2026", "2026-12-05 00:00", 1 },
	{ 0, "2027/01/05", "2027-01-05 00:00", 1 },
	{ 0, "13/13", "!invalid date: \"13/13\"", 0 },
	{ 0, "at 9.30", "2026-11-25 09:30", 0 },
	/* "at 5" without am/pm: 1 to 6 are the afternoon */
	{ 0, "tomorrow at 5", "2026-11-26 17:00", 0 },
	{ 0, "tomorrow at 8", "2026-11-26 08:00", 0 },
	{ 0, "завтра в 3", "2026-11-26 15:00", 0 },
	{ 0, "tomorrow at 5am", "2026-11-26 05:00", 0 },
	{ 0, "friday at 10", "2026-11-27 10:00", 0 },
	{ 0, "friday 10am", "2026-11-27 10:00", 0 },
	{ 0, "Fri 10:30pm", "2026-11-27 22:30", 0 },
	{ 0, "on monday", "2026-11-30 00:00", 1 },
	{ 0, "wednesday", "2026-12-02 00:00", 1 },
	{ 0, "next wednesday", "2026-12-02 00:00", 1 },
	{ 0, "sunday at 12am", "2026-11-29 00:00", 0 },
	{ 0, "in 2 hours", "2026-11-25 16:30", 0 },
	{ 0, "in 3 days", "2026-11-28 14:30", 0 },
	{ 0, "in 2h", "2026-11-25 16:30", 0 },
	{ 0, "in 90m", "2026-11-25 16:00", 0 },
	{ 0, "in 1h30m", "2026-11-25 16:00", 0 },
	{ 0, "in an hour", "2026-11-25 15:30", 0 },
	{ 0, "in 1 week", "2026-12-02 14:30", 0 },
	{ 0, "in 2 months", "2027-01-25 14:30", 0 },
	{ 0, "in 3 days at 9am", "2026-11-28 09:00", 0 },
	{ 0, "in 2 days 10am", "2026-11-27 10:00", 0 },
	{ 0, "dec 1", "2026-12-01 00:00", 1 },
	{ 0, "december 1", "2026-12-01 00:00", 1 },
	{ 0, "Dec 1st", "2026-12-01 00:00", 1 },
	{ 0, "1 dec", "2026-12-01 00:00", 1 },
	{ 0, "1st of december", "2026-12-01 00:00", 1 },
	{ 0, "1st december", "2026-12-01 00:00", 1 },
	{ 0, "on 1 december", "2026-12-01 00:00", 1 },
	{ 0, "1 december 2026 14:30", "2026-12-01 14:30", 0 },
	{ 0, "december 1, 2027", "2027-12-01 00:00", 1 },
	{ 0, "dec 1 at 9:15", "2026-12-01 09:15", 0 },
	{ 0, "nov 1", "2027-11-01 00:00", 1 },
	{ 0, "nov 25", "2026-11-25 00:00", 1 },
	{ 0, "feb 29", "2028-02-29 00:00", 1 },
	{ 0, "end of month", "2026-11-30 00:00", 1 },
	{ 0, "end of the week", "2026-11-29 00:00", 1 },
	{ 0, "5pm", "2026-11-25 17:00", 0 },
	{ 0, "17:30", "2026-11-25 17:30", 0 },
	{ 0, "9:15", "2026-11-25 09:15", 0 },
	{ 0, "2026-12-01", "2026-12-01 00:00", 1 },
	{ 0, "2026-12-01 09:30", "2026-12-01 09:30", 0 },
	{ 0, "2026-12-01T09:30", "2026-12-01 09:30", 0 },
	{ 0, "2026-12-01T09:30:00", "2026-12-01 09:30", 0 },
	{ 0, "2026-12-01T09:30:00Z", "2026-12-01 10:30", 0 },
	{ 0, "2026-12-01T09:30:00+01:00", "2026-12-01 09:30", 0 },
	{ 0, "2026-12-01t09:30:00.250-05:00", "2026-12-01 15:30", 0 },
	{ 0, "01.12.2026", "2026-12-01 00:00", 1 },
	{ 0, "сегодня", "2026-11-25 00:00", 1 },
	{ 0, "сегодня в 18:00", "2026-11-25 18:00", 0 },
	{ 0, "сегодня вечером", "2026-11-25 20:00", 0 },
	{ 0, "завтра в 9", "2026-11-26 09:00", 0 },
	{ 0, "завтра в 9 утра", "2026-11-26 09:00", 0 },
	{ 0, "ЗАВТРА  В 9 УТРА", "2026-11-26 09:00", 0 },
	{ 0, "завтра в 9 часов", "2026-11-26 09:00", 0 },
	{ 0, "в 6 вечера", "2026-11-25 18:00", 0 },
	{ 0, "в 3 дня", "2026-11-25 15:00", 0 },
	{ 0, "в 11 ночи", "2026-11-25 23:00", 0 },
	{ 0, "послезавтра", "2026-11-27 00:00", 1 },
	{ 0, "в пятницу в 10", "2026-11-27 10:00", 0 },
	{ 0, "в следующую пятницу", "2026-12-04 00:00", 1 },
	{ 0, "в понедельник", "2026-11-30 00:00", 1 },
	{ 0, "во вторник", "2026-12-01 00:00", 1 },
	{ 0, "в среду", "2026-12-02 00:00", 1 },
	{ 0, "в субботу в 9 утра", "2026-11-28 09:00", 0 },
	{ 0, "через 2 часа", "2026-11-25 16:30", 0 },
	{ 0, "через 3 дня", "2026-11-28 14:30", 0 },
	{ 0, "через час", "2026-11-25 15:30", 0 },
	{ 0, "через полчаса", "2026-11-25 15:00", 0 },
	{ 0, "через 15 минут", "2026-11-25 14:45", 0 },
	{ 0, "через неделю", "2026-12-02 14:30", 0 },
	{ 0, "через 2 месяца", "2027-01-25 14:30", 0 },
	{ 0, "1 декабря в 14:30", "2026-12-01 14:30", 0 },
	{ 0, "1 декабря", "2026-12-01 00:00", 1 },
	{ 0, "1 декабря 2027 года", "2027-12-01 00:00", 1 },
	{ 0, "1 января", "2027-01-01 00:00", 1 },
	{ 0, "25 ноября", "2026-11-25 00:00", 1 },
	{ 0, "в полдень", "2026-11-25 12:00", 0 },
	{ 0, "в полночь", "2026-11-26 00:00", 0 },
	{ 0, "вечером", "2026-11-25 20:00", 0 },
	{ 0, "в конце месяца", "2026-11-30 00:00", 1 },
	{ 0, "в конце недели", "2026-11-29 00:00", 1 },

	/* A part of the day with an hour: the hour takes its half. */
	{ 0, "tonight at 9", "2026-11-25 21:00", 0 },
	{ 0, "at 9 tonight", "2026-11-25 21:00", 0 },
	{ 0, "9 tonight", "2026-11-25 21:00", 0 },
	{ 0, "this evening at 7", "2026-11-25 19:00", 0 },
	{ 0, "tomorrow morning at 8", "2026-11-26 08:00", 0 },
	{ 0, "tomorrow at 5 in the morning", "2026-11-26 05:00", 0 },
	{ 0, "at 9 in the evening", "2026-11-25 21:00", 0 },
	{ 0, "at 11 at night", "2026-11-25 23:00", 0 },
	{ 0, "this afternoon at 3", "2026-11-25 15:00", 0 },
	{ 0, "tonight at 2", "2026-11-26 02:00", 0 },
	{ 0, "tonight at 12", "2026-11-26 00:00", 0 },
	{ 0, "friday night at 12", "2026-11-28 00:00", 0 },
	{ 0, "at 12 midnight", "2026-11-26 00:00", 0 },
	{ 0, "12 noon", "2026-11-25 12:00", 0 },
	{ 0, "tonight at 9:30", "2026-11-25 21:30", 0 },
	{ 0, "tonight at 21:00", "2026-11-25 21:00", 0 },
	{ 0, "tonight at 01:30", "2026-11-26 01:30", 0 },
	{ 0, "tomorrow night", "2026-11-26 20:00", 0 },
	{ 0, "вечером в 9", "2026-11-25 21:00", 0 },
	{ 0, "завтра утром в 8", "2026-11-26 08:00", 0 },
	{ 0, "в пятницу вечером в 7", "2026-11-27 19:00", 0 },
	{ 0, "днем в 2", "2026-11-25 14:00", 0 },
	{ 0, "ночью в 3", "2026-11-26 03:00", 0 },
	{ 0, "в 12 утра", "2026-11-25 12:00", 0 },
	{ 0, "утром в 12", "2026-11-25 12:00", 0 },
	{ 0, "в 12 ночи", "2026-11-25 00:00", 0 },
	{ 0, "at 9am tonight", "!time given twice", 0 },
	{ 0, "evening at 12", "!time given twice", 0 },
	{ 0, "tonight 5pm tomorrow", "!date given twice", 0 },
	{ 0, "ночью", "!hour missing", 0 },
	{ 0, "в 6 ночи", "!invalid time", 0 },
	/* a.m./p.m. with dots, "7p", "o'clock" */
	{ 0, "at 7 p.m.", "2026-11-25 19:00", 0 },
	{ 0, "at 11:30 p.m.", "2026-11-25 23:30", 0 },
	{ 0, "tomorrow at 7 a.m.", "2026-11-26 07:00", 0 },
	{ 0, "tomorrow at 7p", "2026-11-26 19:00", 0 },
	{ 0, "tomorrow 7a", "2026-11-26 07:00", 0 },
	{ 0, "at 10 o'clock", "2026-11-25 10:00", 0 },
	{ 0, "tomorrow 10 o'clock", "2026-11-26 10:00", 0 },
	{ 0, "at 4 oclock", "2026-11-25 16:00", 0 },
	/* "at 5:30" as "at 5"; a 24-hour clock without "at" as written */
	{ 0, "at 5:30", "2026-11-25 17:30", 0 },
	{ 0, "в 5:30", "2026-11-25 17:30", 0 },
	{ 0, "at 5.30", "2026-11-25 17:30", 0 },
	{ 0, "at 05:30", "2026-11-25 05:30", 0 },
	{ 0, "tomorrow 5:30", "2026-11-26 05:30", 0 },
	{ 0, "at 9:30", "2026-11-25 09:30", 0 },

	/* Errors: never a guess. */
	{ 0, "", "!no date given", 0 },
	{ 0, "   ", "!no date given", 0 },
	{ 0, "blorp", "!date not understood: \"blorp\" in \"blorp\"", 0 },
	{ 0, "tomorrow blorp", "!date not understood: \"blorp\" in \"tomorrow blorp\"", 0 },
	{ 0, "tomorrow at", "!\"at\"", 0 },
	{ 0, "friday 10", "!date not understood: \"10\"", 0 },
	{ 0, "10", "!\"10\"", 0 },
	{ 0, "tomorrow friday", "!date given twice: \"friday\"", 0 },
	{ 0, "5pm 6pm", "!time given twice: \"6\" in \"5pm 6pm\"", 0 },
	{ 0, "in 2 hours at 5pm", "!time given twice", 0 },
	{ 0, "in 2 hours and", "!date not understood: \"and\"", 0 },
	{ 0, "in 1 hour and m", "!\"and\"", 0 },
	{ 0, "2026-02-30", "!invalid date: \"2026-02-30\"", 0 },
	{ 0, "2026-13-01", "!invalid date", 0 },
	{ 0, "feb 30", "!invalid date", 0 },
	{ 0, "dec 32", "!invalid date: \"32\"", 0 },
	{ 0, "25:00", "!invalid time: \"25:00\"", 0 },
	{ 0, "2026-12-01T09:60", "!invalid time", 0 },
	{ 0, "13pm", "!invalid time: \"13\"", 0 },
	{ 0, "in", "!date not understood: \"in\"", 0 },
	{ 0, "in 2", "!unit missing: \"2\"", 0 },
	{ 0, "in 2 blorps", "!unit not understood: \"blorps\"", 0 },
	{ 0, "in 1.5 days", "!not a whole number", 0 },
	{ 0, "next", "!\"next\"", 0 },
	{ 0, "december", "!date not understood: \"december\"", 0 },
	{ 0, "17:30Z", "!time zone needs a date", 0 },
	{ 0, "+3", "!\"+\"", 0 },
	{ 0, "через", "!\"через\"", 0 },
	{ 0, "завтра в", "!\"в\"", 0 },
	{ 0, "в 3 дня завтра бла", "!\"бла\"", 0 },

	/* Berlin, DST starts on Sunday 2027-03-28 at 02:00. */
	{ 1, "in 3 days", "2027-03-29 14:30", 0 },
	{ 1, "in 72 hours", "2027-03-29 15:30", 0 },
	{ 1, "in 2 days", "2027-03-28 14:30", 0 },
	{ 1, "in 48h", "2027-03-28 15:30", 0 },
	{ 1, "через 3 дня", "2027-03-29 14:30", 0 },
	{ 1, "через 72 часа", "2027-03-29 15:30", 0 },
	{ 1, "sunday", "2027-03-28 00:00", 1 },
	{ 1, "sunday 2:30", "2027-03-28 03:30", 0 },
	{ 1, "sunday at 02:30", "2027-03-28 03:30", 0 },
	{ 1, "friday", "2027-04-02 00:00", 1 },
	{ 1, "next friday", "2027-04-02 00:00", 1 },
	{ 1, "в пятницу", "2027-04-02 00:00", 1 },
	{ 1, "2027-03-28T01:30:00Z", "2027-03-28 03:30", 0 },
	{ 1, "end of week", "2027-03-28 00:00", 1 },
	{ 1, "end of month", "2027-03-31 00:00", 1 },
	{ 1, "in 1 month", "2027-04-26 14:30", 0 },

	/* New York, DST ends on Sunday 2026-11-01 at 02:00. */
	{ 2, "in 3 days", "2026-11-02 09:00", 0 },
	{ 2, "in 72 hours", "2026-11-02 08:00", 0 },
	{ 2, "tomorrow 5pm", "2026-10-31 17:00", 0 },
	{ 2, "sunday", "2026-11-01 00:00", 1 },
	{ 2, "monday 9am", "2026-11-02 09:00", 0 },
	{ 2, "2026-11-02T14:00:00Z", "2026-11-02 09:00", 0 },

	/* Sunday the 31st: short months, and today as the end of the week. */
	{ 3, "in 1 month", "2027-02-28 10:00", 0 },
	{ 3, "end of week", "2027-01-31 00:00", 1 },
	{ 3, "sunday", "2027-02-07 00:00", 1 },
	{ 3, "jan 31", "2027-01-31 00:00", 1 },
	{ 3, "jan 30", "2028-01-30 00:00", 1 },
	{ 3, "2028-02-29", "2028-02-29 00:00", 1 },
	{ 3, "2027-02-29", "!invalid date", 0 },
	/* numbers no date or time has: an error, never a wrapped value */
	{ 0, "at 99999999999", "!invalid time", 0 },
	{ 0, "99999999999 dec", "!invalid date", 0 },
	{ 0, "dec 99999999999", "!invalid date", 0 },
	{ 0, "in 99999999999 minutes", "!number too large", 0 },
};

static char *saved_tz;

static void setup(void)
{
	const char *tz = getenv("TZ");

	saved_tz = tz ? strdup(tz) : NULL;
}

static void teardown(void)
{
	if (saved_tz)
		setenv("TZ", saved_tz, 1);
	else
		unsetenv("TZ");
	tzset();
	free(saved_tz);
}

static time_t pin(int c)
{
	const struct clock *k = &clocks[c];
	struct tm tm = { .tm_year = k->y - 1900,
			 .tm_mon = k->mon - 1,
			 .tm_mday = k->d,
			 .tm_hour = k->h,
			 .tm_min = k->mi,
			 .tm_isdst = -1 };

	setenv("TZ", k->tz, 1);
	tzset();
	when_set_order(WHEN_DMY);
	return mktime(&tm);
}

static void expect(const struct row *r, int ret, const struct when *w, const struct err *e)
{
	char got[32];
	struct tm tm;

	if (r->want[0] == '!') {
		ck_assert_msg(ret == -1, "\"%s\": wanted an error", r->in);
		ck_assert_int_eq(e->code, ERR_USAGE);
		ck_assert_msg(strstr(e->msg, r->want + 1), "\"%s\": error \"%s\" lacks \"%s\"",
			      r->in, e->msg, r->want + 1);
		return;
	}
	ck_assert_msg(ret == 0, "\"%s\": %s", r->in, e->msg);
	localtime_r(&w->at, &tm);
	strftime(got, sizeof(got), "%Y-%m-%d %H:%M", &tm);
	ck_assert_msg(!strcmp(got, r->want), "\"%s\": got %s, wanted %s", r->in, got, r->want);
	ck_assert_msg(tm.tm_sec == 0, "\"%s\": seconds %d", r->in, tm.tm_sec);
	ck_assert_msg(w->date_only == r->date_only, "\"%s\": date_only %d", r->in, w->date_only);
}

/* The date order decides what "5/12" is; out-of-range parts are errors. */
START_TEST(test_date_order)
{
	time_t now = pin(0);
	struct when w;
	struct err e;
	struct tm tm;
	enum when_order o;

	ck_assert_int_eq(when_order_from_locale("en_US.UTF-8"), WHEN_MDY);
	ck_assert_int_eq(when_order_from_locale("ru_RU.UTF-8"), WHEN_DMY);
	ck_assert_int_eq(when_order_from_locale("en_GB.UTF-8"), WHEN_DMY);
	ck_assert_int_eq(when_order_parse("MDY", &o), 0);
	ck_assert_int_eq(o, WHEN_MDY);
	ck_assert_int_eq(when_order_parse("dym", &o), -1);
	when_set_order(WHEN_MDY);
	ck_assert_int_eq(when_parse("5/12", now, &w, &e), 0);
	localtime_r(&w.at, &tm);
	ck_assert_int_eq(tm.tm_mon + 1, 5);
	ck_assert_int_eq(tm.tm_mday, 12);
	ck_assert_int_eq(tm.tm_year + 1900, 2027);
	ck_assert_int_eq(when_parse("12.24.2026", now, &w, &e), 0);
	localtime_r(&w.at, &tm);
	ck_assert_int_eq(tm.tm_mday, 24);
	ck_assert_int_eq(when_parse("24.12.2026", now, &w, &e), -1);
	ck_assert_str_eq(e.msg, "invalid date: \"24.12.2026\" in \"24.12.2026\"");
	when_set_order(WHEN_DMY);
	ck_assert_int_eq(when_parse("24.12.2026", now, &w, &e), 0);
	ck_assert_int_eq(when_parse("16:30", now, &w, &e), 0);
	ck_assert_int_eq(w.anchor, WHEN_TIME);
	ck_assert_int_eq(when_parse("today 16:30", now, &w, &e), 0);
	ck_assert_int_eq(w.anchor, WHEN_DATED);
}
END_TEST

START_TEST(test_parse)
{
	const struct row *r = &rows[_i];
	struct when w = { 0, false, WHEN_DATED, false, 0, 0, 0 };
	struct err e = { 0, "" };
	time_t now = pin(r->clock);

	expect(r, when_parse(r->in, now, &w, &e), &w, &e);
}
END_TEST

/* What a WHEN was read from, for --end: a day, a time of day, a span. */
START_TEST(test_anchor)
{
	static const struct {
		const char *in;
		enum when_anchor want;
	} a[] = {
		{ "tomorrow 9:00", WHEN_DATED },
		{ "friday", WHEN_DATED },
		{ "2026-12-02 10:00", WHEN_DATED },
		{ "today 11:00", WHEN_DATED },
		{ "10:30", WHEN_TIME },
		{ "noon", WHEN_TIME },
		{ "в 18:00", WHEN_TIME },
		{ "in 30 minutes", WHEN_SPAN },
		{ "через 3 дня", WHEN_SPAN },
	};
	struct err e = { 0, "" };
	struct when w;

	for (size_t i = 0; i < sizeof(a) / sizeof(a[0]); i++) {
		ck_assert_int_eq(when_parse(a[i].in, pin(1), &w, &e), 0);
		ck_assert_msg(w.anchor == a[i].want, "\"%s\": anchor %d", a[i].in, (int)w.anchor);
	}
}
END_TEST

START_TEST(test_day_start)
{
	time_t now = pin(1), sat, sun, mon;

	sat = when_day_start(now + 86400);
	sun = when_day_start(now + 2 * 86400);
	mon = when_day_start(now + 3 * 86400);
	ck_assert_int_eq(sun - sat, 24 * 3600);
	ck_assert_int_eq(mon - sun, 23 * 3600);
	ck_assert_int_eq(when_day_start(now), now - (14 * 60 + 30) * 60);
}
END_TEST

static const struct drow {
	const char *in;
	long secs; /* 0: an error */
} drows[] = {
	{ "1h", 3600 },
	{ "90m", 5400 },
	{ "1h30m", 5400 },
	{ "1h 30m", 5400 },
	{ "1.5h", 5400 },
	{ "2 hours", 7200 },
	{ "2 hrs", 7200 },
	{ "45 min", 2700 },
	{ "1 hour and 30 minutes", 5400 },
	{ "1 day", 86400 },
	{ "2d", 172800 },
	{ "1w", 604800 },
	{ "30s", 30 },
	{ "an hour", 3600 },
	{ "  2 HOURS ", 7200 },
	{ "полчаса", 1800 },
	{ "час", 3600 },
	{ "2 часа", 7200 },
	{ "30 минут", 1800 },
	{ "1 час 30 минут", 5400 },
	{ "3 дня", 259200 },
	{ "неделя", 604800 },
	{ "", 0 },
	{ "blorp", 0 },
	{ "90", 0 },
	{ "0m", 0 },
	{ "2 months", 0 },
	{ "1h blorp", 0 },
	{ "-5m", 0 },
	{ "m", 0 },
};

START_TEST(test_duration)
{
	const struct drow *r = &drows[_i];
	struct err e = { 0, "" };
	long secs = -1;
	int ret = when_parse_duration(r->in, &secs, &e);

	if (!r->secs) {
		ck_assert_msg(ret == -1, "\"%s\": wanted an error, got %ld", r->in, secs);
		ck_assert_int_eq(e.code, ERR_USAGE);
		ck_assert_msg(e.msg[0], "\"%s\": empty error", r->in);
		return;
	}
	ck_assert_msg(ret == 0, "\"%s\": %s", r->in, e.msg);
	ck_assert_msg(secs == r->secs, "\"%s\": got %ld, wanted %ld", r->in, secs, r->secs);
}
END_TEST

static const struct rrow {
	const char *in;
	const char *want; /* NULL: an error */
} rrows[] = {
	{ "daily", "FREQ=DAILY" },
	{ "weekly", "FREQ=WEEKLY" },
	{ "monthly", "FREQ=MONTHLY" },
	{ "yearly", "FREQ=YEARLY" },
	{ "hourly", "FREQ=HOURLY" },
	{ "Every Day", "FREQ=DAILY" },
	{ "every monday", "FREQ=WEEKLY;BYDAY=MO" },
	{ "every monday and wednesday", "FREQ=WEEKLY;BYDAY=MO,WE" },
	{ "every friday, monday and wednesday", "FREQ=WEEKLY;BYDAY=MO,WE,FR" },
	{ "every sunday", "FREQ=WEEKLY;BYDAY=SU" },
	{ "every weekday", "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR" },
	{ "every 2 weeks", "FREQ=WEEKLY;INTERVAL=2" },
	{ "every other week", "FREQ=WEEKLY;INTERVAL=2" },
	{ "every other monday", "FREQ=WEEKLY;INTERVAL=2;BYDAY=MO" },
	{ "every second tuesday", "FREQ=WEEKLY;INTERVAL=2;BYDAY=TU" },
	{ "every last friday", "FREQ=MONTHLY;BYDAY=-1FR" },
	{ "every first monday of the month", "FREQ=MONTHLY;BYDAY=1MO" },
	{ "every third thursday of the month", "FREQ=MONTHLY;BYDAY=3TH" },
	{ "каждую последнюю пятницу месяца", "FREQ=MONTHLY;BYDAY=-1FR" },
	{ "every 3 days", "FREQ=DAILY;INTERVAL=3" },
	{ "every 15 minutes", "FREQ=MINUTELY;INTERVAL=15" },
	{ "каждый день", "FREQ=DAILY" },
	{ "каждую неделю", "FREQ=WEEKLY" },
	{ "каждый понедельник", "FREQ=WEEKLY;BYDAY=MO" },
	{ "каждую пятницу", "FREQ=WEEKLY;BYDAY=FR" },
	{ "каждый понедельник и среду", "FREQ=WEEKLY;BYDAY=MO,WE" },
	{ "по понедельникам и пятницам", "FREQ=WEEKLY;BYDAY=MO,FR" },
	{ "по будням", "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR" },
	{ "каждый будний день", "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR" },
	{ "по выходным", "FREQ=WEEKLY;BYDAY=SA,SU" },
	{ "каждые 3 дня", "FREQ=DAILY;INTERVAL=3" },
	{ "каждые 2 недели", "FREQ=WEEKLY;INTERVAL=2" },
	{ "ежедневно", "FREQ=DAILY" },
	{ "еженедельно", "FREQ=WEEKLY" },
	{ "ежемесячно", "FREQ=MONTHLY" },
	{ "FREQ=WEEKLY;BYDAY=MO", "FREQ=WEEKLY;BYDAY=MO" },
	{ "RRULE:FREQ=DAILY;INTERVAL=2", "FREQ=DAILY;INTERVAL=2" },
	{ "freq=monthly;bymonthday=1;count=3", "FREQ=MONTHLY;COUNT=3;BYMONTHDAY=1" },
	{ "", NULL },
	{ "blorp", NULL },
	{ "every", NULL },
	{ "every blorp", NULL },
	{ "every 0 days", NULL },
	{ "daily blorp", NULL },
	{ "every monday blorp", NULL },
	{ "FREQ=BLORP", NULL },
	{ "RRULE:garbage", NULL },
	{ "FREQ=DAILY;BYDAY=XX", NULL },
};

START_TEST(test_rule)
{
	const struct rrow *r = &rrows[_i];
	struct err e = { 0, "" };
	char *rule = NULL;
	int ret = when_parse_rule(r->in, &rule, &e);

	if (!r->want) {
		ck_assert_msg(ret == -1, "\"%s\": wanted an error, got %s", r->in, rule);
		ck_assert_int_eq(e.code, ERR_USAGE);
		ck_assert_msg(e.msg[0], "\"%s\": empty error", r->in);
		return;
	}
	ck_assert_msg(ret == 0, "\"%s\": %s", r->in, e.msg);
	ck_assert_msg(!strcmp(rule, r->want), "\"%s\": got %s, wanted %s", r->in, rule, r->want);
	free(rule);
}
END_TEST

/* A wall time a fall-back change repeats is its first instance, one in a
 * gap takes the offset from before it; with a zone, days and times are that
 * zone's and spans are spans. */
START_TEST(test_zoned)
{
	static const struct {
		const char *tz, *zone, *in;
		time_t want; /* UTC */
	} a[] = {
		{ "Europe/Berlin", NULL, "2027-10-31 02:30", 1824942600 },	 /* 00:30Z */
		{ "America/New_York", NULL, "2027-11-07 01:45", 1825566300 },	 /* 05:45Z */
		{ "Australia/Lord_Howe", NULL, "2027-04-04 01:45", 1806763500 }, /* 04-03 14:45Z */
		{ "Europe/Berlin", NULL, "2027-03-28 02:30", 1806197400 },	 /* 01:30Z */
		{ "Europe/Berlin", "America/New_York", "2027-03-28 02:30",
		  1806215400 }, /* 06:30Z */
		{ "America/New_York", "Europe/Berlin", "2027-03-14 02:30",
		  1804987800 },							   /* 01:30Z */
		{ "Europe/Berlin", "America/New_York", "in 2 hours", 1809169200 }, /* 11:00Z */
		{ "Europe/Berlin", "America/New_York", "tomorrow 9:00",
		  1809262800 }, /* 05-02 13:00Z */
	};
	time_t now = 1809162000; /* 2027-05-01T09:00:00Z */

	for (size_t i = 0; i < sizeof(a) / sizeof(a[0]); i++) {
		struct when w;
		struct err e = { 0, "" };
		struct tz *z;

		setenv("TZ", a[i].tz, 1);
		tzset();
		z = a[i].zone ? tz_open(a[i].zone, NULL) : NULL;
		ck_assert_int_eq(when_parse_in(a[i].in, now, z, &w, &e), 0);
		ck_assert_msg(w.at == a[i].want, "%s in %s/%s: got %lld, wanted %lld", a[i].in,
			      a[i].tz, a[i].zone ? a[i].zone : "-", (long long)w.at,
			      (long long)a[i].want);
		tz_free(z);
	}
}
END_TEST

#define N(a) ((int)(sizeof(a) / sizeof((a)[0])))

Suite *when_suite(void)
{
	Suite *s = suite_create("when");
	TCase *tc = tcase_create("when");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_date_order);
	tcase_add_loop_test(tc, test_parse, 0, N(rows));
	tcase_add_test(tc, test_day_start);
	tcase_add_test(tc, test_anchor);
	tcase_add_test(tc, test_zoned);
	tcase_add_loop_test(tc, test_duration, 0, N(drows));
	tcase_add_loop_test(tc, test_rule, 0, N(rrows));
	suite_add_tcase(s, tc);
	return s;
}
