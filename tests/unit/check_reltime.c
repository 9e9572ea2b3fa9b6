/*
 * check_reltime.c - "today", "tomorrow", "yesterday" by local calendar
 * dates: each row formats a local time t seen at a local clock now in one
 * zone and compares the text.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "reltime.h"

#define L RELTIME_LIST
#define S RELTIME_SHORT
#define P RELTIME_PROSE

static const struct row {
	const char *tz, *now, *t; /* local "YYYY-MM-DD HH:MM" */
	enum reltime_style style;
	const char *lang;
	int date_only;
	const char *want;
} rows[] = {
	/* two minutes apart, across midnight: yesterday, not today */
	{ "Europe/Berlin", "2026-11-25 00:01", "2026-11-24 23:59", L, NULL, 0, "yesterday 23:59" },
	{ "Europe/Berlin", "2026-11-25 00:01", "2026-11-24 23:59", L, NULL, 1, "yesterday" },
	{ "Europe/Berlin", "2026-11-25 00:01", "2026-11-24 23:59", P, "en", 0, "yesterday 23:59" },
	{ "Europe/Berlin", "2026-11-25 00:01", "2026-11-24 23:59", P, "ru", 0, "вчера в 23:59" },
	{ "Europe/Berlin", "2026-11-25 00:01", "2026-11-24 23:59", P, "ru", 1, "вчера" },
	{ "Europe/Berlin", "2026-11-25 23:59", "2026-11-24 00:00", L, NULL, 0, "yesterday 00:00" },
	{ "Europe/Berlin", "2026-11-25 00:01", "2026-11-23 23:59", L, NULL, 0, "2026-11-23 23:59" },
	{ "Europe/Berlin", "2026-11-25 00:01", "2026-11-23 23:59", L, NULL, 1, "2026-11-23" },
	/* today and tomorrow */
	{ "Europe/Berlin", "2026-11-25 23:59", "2026-11-25 00:00", L, NULL, 0, "today 00:00" },
	{ "Europe/Berlin", "2026-11-25 00:00", "2026-11-25 23:59", L, NULL, 1, "today" },
	{ "Europe/Berlin", "2026-11-25 23:59", "2026-11-26 00:01", L, NULL, 0, "tomorrow 00:01" },
	{ "Europe/Berlin", "2026-11-25 00:01", "2026-11-26 23:59", L, NULL, 1, "tomorrow" },
	{ "Europe/Berlin", "2026-11-25 14:30", "2026-11-25 17:00", P, "ru", 0, "сегодня в 17:00" },
	{ "Europe/Berlin", "2026-11-25 14:30", "2026-11-26 09:00", P, "ru", 0, "завтра в 09:00" },
	{ "Europe/Berlin", "2026-11-25 14:30", "2026-11-26 09:00", P, "en", 1, "tomorrow" },
	{ "Europe/Berlin", "2026-11-25 14:30", "2026-11-27 10:00", P, "ru", 0,
	  "пт, 27 ноября, в 10:00" },
	{ "Europe/Berlin", "2026-11-25 14:30", "2026-11-23 10:00", P, "ru", 0,
	  "пн, 23 ноября, в 10:00" },
	{ "Europe/Berlin", "2026-11-25 14:30", "2026-11-30 09:00", P, "en", 0, "Mon 30 Nov 09:00" },
	{ "Europe/Berlin", "2026-11-25 14:30", "2027-01-04 09:00", P, "en", 1, "Mon 4 Jan 2027" },
	{ "Europe/Berlin", "2026-11-25 14:30", "2027-01-04 09:00", P, "ru", 1,
	  "пн, 4 января 2027" },
	/* a day of 23 hours (Berlin springs forward on 2027-03-28) and of 25 */
	{ "Europe/Berlin", "2027-03-28 00:30", "2027-03-29 00:10", L, NULL, 0, "tomorrow 00:10" },
	{ "Europe/Berlin", "2027-03-29 00:10", "2027-03-28 00:30", L, NULL, 0, "yesterday 00:30" },
	{ "Europe/Berlin", "2026-10-25 23:30", "2026-10-25 00:10", L, NULL, 0, "today 00:10" },
	{ "Europe/Berlin", "2026-10-24 23:50", "2026-10-25 23:50", L, NULL, 0, "tomorrow 23:50" },
	{ "America/New_York", "2026-11-01 23:30", "2026-10-31 23:40", P, "en", 0,
	  "yesterday 23:40" },
	/* the side pane: today's times, this week's days, dates after a week
	 * (seven calendar days though the week has a 23-hour day) */
	{ "Europe/Berlin", "2026-11-25 15:00", "2026-11-25 17:00", S, NULL, 0, "17:00" },
	{ "Europe/Berlin", "2026-11-25 15:00", "2026-11-25 23:59", S, NULL, 1, "today" },
	{ "Europe/Berlin", "2026-11-25 15:00", "2026-11-27 14:00", S, NULL, 0, "Fri 14:00" },
	{ "Europe/Berlin", "2026-11-25 15:00", "2026-11-24 15:00", S, NULL, 0, "Nov 24" },
	{ "Europe/Berlin", "2027-03-22 00:00", "2027-03-28 23:00", S, NULL, 0, "Sun 23:00" },
	{ "Europe/Berlin", "2027-03-22 00:00", "2027-03-29 00:00", S, NULL, 0, "Mar 29" },
};

static time_t local(const char *s)
{
	struct tm tm = { 0 };

	ck_assert_int_eq(sscanf(s, "%d-%d-%d %d:%d", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
				&tm.tm_hour, &tm.tm_min),
			 5);
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	tm.tm_isdst = -1;
	return mktime(&tm);
}

START_TEST(test_format)
{
	const struct row *r = &rows[_i];
	char buf[64];

	setenv("TZ", r->tz, 1);
	tzset();
	reltime_format(r->style, r->lang, local(r->t), r->date_only, local(r->now), buf,
		       sizeof(buf));
	ck_assert_msg(!strcmp(buf, r->want), "%s at %s (%s): got \"%s\", wanted \"%s\"", r->t,
		      r->now, r->tz, buf, r->want);
}
END_TEST

START_TEST(test_days)
{
	setenv("TZ", "Europe/Berlin", 1);
	tzset();
	ck_assert_int_eq(reltime_days(local("2026-11-24 23:59"), local("2026-11-25 00:01")), -1);
	ck_assert_int_eq(reltime_days(local("2026-11-23 00:00"), local("2026-11-25 23:59")), -2);
	ck_assert_int_eq(reltime_days(local("2027-01-01 00:00"), local("2026-12-31 23:59")), 1);
	/* a week with a 23-hour day is still seven days */
	ck_assert_int_eq(reltime_days(local("2027-03-29 00:00"), local("2027-03-22 00:00")), 7);
	ck_assert_int_eq(reltime_days(local("1969-12-31 12:00"), local("1970-01-01 12:00")), -1);
	ck_assert_str_eq(reltime_word(-1, "ru"), "вчера");
	ck_assert_str_eq(reltime_word(0, "ru"), "сегодня");
	ck_assert_str_eq(reltime_word(1, "ru"), "завтра");
	ck_assert_str_eq(reltime_word(1, "en"), "tomorrow");
	ck_assert_ptr_null(reltime_word(2, NULL));
	ck_assert_ptr_null(reltime_word(-2, "ru"));
}
END_TEST

#define N(a) ((int)(sizeof(a) / sizeof((a)[0])))

Suite *reltime_suite(void)
{
	Suite *s = suite_create("reltime");
	TCase *tc = tcase_create("reltime");

	tcase_add_loop_test(tc, test_format, 0, N(rows));
	tcase_add_test(tc, test_days);
	suite_add_tcase(s, tc);
	return s;
}
