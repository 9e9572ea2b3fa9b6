/* Cron expressions and RRULEs: next runs, especially across DST changes. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "cron.h"
#include "recur.h"
#include "tz.h"
#include "xalloc.h"

/* A UTC instant from its fields. */
static time_t utc(int y, int mo, int d, int h, int mi)
{
	struct tm tm = { 0 };

	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	return timegm(&tm);
}

static time_t next_cron(const char *expr, const char *zone, time_t after)
{
	struct err e = { 0, "" };
	struct cron c;
	struct tz *z = tz_open(zone, &e);
	time_t next = 0;

	ck_assert_msg(z != NULL, "%s", e.msg);
	ck_assert_msg(cron_parse(expr, &c, &e) == 0, "%s: %s", expr, e.msg);
	ck_assert_msg(cron_next(&c, z, after, &next, &e) == 0, "%s: %s", expr, e.msg);
	tz_free(z);
	return next;
}

START_TEST(test_cron_fixed_time_spring_forward)
{
	/* 29 March 2026: Berlin skips 02:00-03:00 CET (01:00 UTC). */
	time_t t = next_cron("30 2 * * *", "Europe/Berlin", utc(2026, 3, 28, 1, 30));

	ck_assert_int_eq(t, utc(2026, 3, 29, 1, 0)); /* 03:00 CEST: first minute after the gap */
	t = next_cron("30 2 * * *", "Europe/Berlin", t);
	ck_assert_int_eq(t, utc(2026, 3, 30, 0, 30)); /* 02:30 CEST the next day */
	/* 09:00 stays 09:00 local: 23 hours apart that day. */
	ck_assert_int_eq(next_cron("0 9 * * *", "Europe/Berlin", utc(2026, 3, 28, 8, 0)),
			 utc(2026, 3, 29, 7, 0));
	ck_assert_int_eq(next_cron("0 9 * * *", "America/New_York", utc(2026, 3, 7, 14, 0)),
			 utc(2026, 3, 8, 13, 0));
}
END_TEST

START_TEST(test_cron_fixed_time_fall_back)
{
	/* 25 October 2026: 02:00-03:00 happens twice (CEST, then CET). */
	time_t t = next_cron("30 2 * * *", "Europe/Berlin", utc(2026, 10, 24, 0, 30));

	ck_assert_int_eq(t, utc(2026, 10, 25, 0, 30)); /* the first 02:30 (CEST) */
	t = next_cron("30 2 * * *", "Europe/Berlin", t);
	ck_assert_int_eq(t, utc(2026, 10, 26, 1, 30)); /* not the second one: the next day, CET */
	ck_assert_int_eq(next_cron("0 9 * * *", "Europe/Berlin", utc(2026, 10, 24, 7, 0)),
			 utc(2026, 10, 25, 8, 0));
}
END_TEST

START_TEST(test_cron_wildcard_hour_follows_real_time)
{
	/* Every 30 minutes through the repeated hour: both copies fire. */
	time_t want[] = { utc(2026, 10, 25, 0, 30), utc(2026, 10, 25, 1, 0),
			  utc(2026, 10, 25, 1, 30), utc(2026, 10, 25, 2, 0) };
	time_t t = utc(2026, 10, 25, 0, 15);

	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		t = next_cron("*/30 * * * *", "Europe/Berlin", t);
		ck_assert_int_eq(t, want[i]);
	}
	/* Through the gap: 02:00 and 02:30 do not exist; 03:00 CEST is 30 min after 01:30 CET. */
	t = next_cron("*/30 * * * *", "Europe/Berlin", utc(2026, 3, 29, 0, 30));
	ck_assert_int_eq(t, utc(2026, 3, 29, 1, 0));
	ck_assert_int_eq(next_cron("*/30 * * * *", "Europe/Berlin", t), utc(2026, 3, 29, 1, 30));
}
END_TEST

START_TEST(test_cron_fields)
{
	/* 1 January 2026 is a Thursday. */
	time_t jan1 = utc(2026, 1, 1, 0, 0);

	ck_assert_int_eq(next_cron("0 9 * * 1-5", "UTC", jan1), utc(2026, 1, 1, 9, 0));
	ck_assert_int_eq(next_cron("0 9 * * sat,sun", "UTC", jan1), utc(2026, 1, 3, 9, 0));
	ck_assert_int_eq(next_cron("0 9 * * 7", "UTC", jan1), utc(2026, 1, 4, 9, 0));
	/* DOM and DOW both restricted: either matches (the 13th, or a Friday). */
	ck_assert_int_eq(next_cron("0 0 13 * 5", "UTC", jan1), utc(2026, 1, 2, 0, 0));
	ck_assert_int_eq(next_cron("15,45 8-10/2 * feb *", "UTC", jan1), utc(2026, 2, 1, 8, 15));
	ck_assert_int_eq(next_cron("@monthly", "UTC", jan1), utc(2026, 2, 1, 0, 0));
	ck_assert_int_eq(next_cron("0 0 29 2 *", "UTC", jan1), utc(2028, 2, 29, 0, 0));
	ck_assert_int_eq(next_cron("* * * * *", "UTC", jan1 + 30), jan1 + 60);
}
END_TEST

START_TEST(test_cron_errors)
{
	const char *bad[] = { "61 * * * *",  "* * *",	    "* * * * * *", "*/0 * * * *",
			      "5-1 * * * *", "0 0 * foo *", "@often",	   "a b c d e" };
	struct err e = { 0, "" };
	struct cron c;
	struct tz *z = tz_open("UTC", &e);
	time_t next;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		ck_assert_msg(cron_parse(bad[i], &c, &e) == -1, "%s parsed", bad[i]);
		ck_assert_int_eq(e.code, ERR_USAGE);
	}
	ck_assert_int_eq(cron_parse("61 * * * *", &c, &e), -1);
	ck_assert_str_eq(e.msg, "cron: bad minute \"61\"");
	ck_assert_int_eq(cron_parse("0 0 30 2 *", &c, &e), 0);
	ck_assert_int_eq(cron_next(&c, z, 0, &next, &e), -1);
	ck_assert(cron_is_expr("0 9 * * 1-5"));
	ck_assert(!cron_is_expr("every monday"));
	ck_assert(!cron_is_expr("every 2 weeks at 9"));
	ck_assert(tz_open("Mars/Olympus", &e) == NULL);
	tz_free(z);
}
END_TEST

static time_t next_rrule(const char *rule, const char *zone, time_t dtstart, time_t after,
			 bool *has)
{
	struct recur_rule r = { "rrule", rule, zone, dtstart, NULL, 0, 0, NULL };
	struct err e = { 0, "" };
	time_t next = 0;

	ck_assert_msg(recur_next(&r, after, &next, has, &e) == 0, "%s", e.msg);
	return next;
}

START_TEST(test_rrule_dst)
{
	time_t start = utc(2026, 3, 28, 8, 0); /* 09:00 CET */
	bool has;

	ck_assert_int_eq(next_rrule("FREQ=DAILY", "Europe/Berlin", start, start, &has),
			 utc(2026, 3, 29, 7, 0)); /* 09:00 CEST */
	ck_assert(has);
	/* Weeks later: still 09:00 local. */
	ck_assert_int_eq(
		next_rrule("FREQ=WEEKLY", "Europe/Berlin", start, utc(2026, 11, 1, 0, 0), &has),
		utc(2026, 11, 7, 8, 0));
	/* 02:30 daily: in the gap, shifted by the gap (03:30 CEST); on fall-back day, the first. */
	start = utc(2026, 3, 28, 1, 30);
	ck_assert_int_eq(next_rrule("FREQ=DAILY", "Europe/Berlin", start, start, &has),
			 utc(2026, 3, 29, 1, 30));
	start = utc(2026, 10, 24, 0, 30);
	ck_assert_int_eq(next_rrule("FREQ=DAILY", "Europe/Berlin", start, start, &has),
			 utc(2026, 10, 25, 0, 30));
	ck_assert_int_eq(
		next_rrule("FREQ=DAILY", "Europe/Berlin", start, utc(2026, 10, 25, 0, 30), &has),
		utc(2026, 10, 26, 1, 30));
}
END_TEST

START_TEST(test_rrule_end_and_parse)
{
	time_t start = utc(2026, 1, 5, 9, 0), next;
	const char *schedule;
	struct err e = { 0, "" };
	char *rule;
	bool has;

	next = next_rrule("FREQ=DAILY;COUNT=2", "UTC", start, start, &has);
	ck_assert(has);
	ck_assert_int_eq(next, start + 86400);
	next_rrule("FREQ=DAILY;COUNT=2", "UTC", start, next, &has);
	ck_assert(!has);
	ck_assert_int_eq(recur_parse("0 9 * * 1-5", &schedule, &rule, &e), 0);
	ck_assert_str_eq(schedule, "cron");
	free(rule);
	ck_assert_int_eq(recur_parse("every monday", &schedule, &rule, &e), 0);
	ck_assert_str_eq(schedule, "rrule");
	ck_assert_msg(strstr(rule, "FREQ=WEEKLY") && strstr(rule, "BYDAY=MO"), "%s", rule);
	free(rule);
	ck_assert_int_eq(recur_parse("61 9 * * *", &schedule, &rule, &e), -1);
	ck_assert_int_eq(recur_check("rrule", "FREQ=SOMETIMES", &e), -1);
}
END_TEST

static int cron_gap(const char *expr)
{
	struct err e = { 0, "" };
	int gap = recur_min_gap("cron", expr, &e);

	ck_assert_msg(gap >= 0, "%s: %s", expr, e.msg);
	return gap;
}

START_TEST(test_min_gap)
{
	struct err e = { 0, "" };

	ck_assert_int_eq(cron_gap("* * * * *"), 1);
	ck_assert_int_eq(cron_gap("*/1 * * * *"), 1);
	ck_assert_int_eq(cron_gap("*/5 * * * *"), 5);
	ck_assert_int_eq(cron_gap("*/7 * * * *"), 4); /* 56, then 0 */
	ck_assert_int_eq(cron_gap("0,2 * * * *"), 2);
	ck_assert_int_eq(cron_gap("0,30 9 * * *"), 30);
	/* across the hour only when the next hour runs too */
	ck_assert_int_eq(cron_gap("59,0 * * * *"), 1);
	ck_assert_int_eq(cron_gap("59,0 9 * * *"), 59);
	ck_assert_int_eq(cron_gap("59,0 9,10 * * *"), 1);
	ck_assert_int_eq(cron_gap("59,0 23,0 * * *"), 1);
	ck_assert_int_eq(cron_gap("59,0 0,23 * * 1"), 59);
	ck_assert_int_eq(cron_gap("59,0 0,23 * * 1,2"), 1);
	/* one minute: at least an hour, whatever the hours */
	ck_assert_int_ge(cron_gap("0 * * * *"), 60);
	ck_assert_int_ge(cron_gap("@hourly"), 60);
	ck_assert_int_ge(cron_gap("30 2 * * *"), 60);
	ck_assert_int_eq(recur_min_gap("cron", "61 * * * *", &e), -1);
	ck_assert_int_eq(recur_min_gap("rrule", "FREQ=MINUTELY", &e), 1);
	ck_assert_int_eq(recur_min_gap("rrule", "FREQ=MINUTELY;INTERVAL=5", &e), 5);
	ck_assert_int_eq(recur_min_gap("rrule", "FREQ=SECONDLY;INTERVAL=30", &e), 0);
	ck_assert_int_eq(recur_min_gap("rrule", "FREQ=DAILY;BYSECOND=0,30", &e), 0);
	ck_assert_int_eq(recur_min_gap("rrule", "FREQ=HOURLY;BYMINUTE=0,1", &e), 1);
	ck_assert_int_eq(recur_min_gap("rrule", "FREQ=HOURLY;BYMINUTE=0,59", &e), 1);
	ck_assert_int_eq(recur_min_gap("rrule", "FREQ=HOURLY;INTERVAL=2;BYMINUTE=0,59", &e), 59);
	ck_assert_int_eq(recur_min_gap("rrule", "FREQ=DAILY;BYHOUR=9;BYMINUTE=0,58", &e), 58);
	/* MINUTELY and SECONDLY honour BYMINUTE and BYSECOND too */
	ck_assert_int_eq(recur_min_gap("rrule", "FREQ=MINUTELY;BYMINUTE=0", &e), 60);
	ck_assert_int_eq(recur_min_gap("rrule", "FREQ=MINUTELY;BYMINUTE=0,2", &e), 2);
	ck_assert_int_eq(recur_min_gap("rrule", "FREQ=MINUTELY;INTERVAL=10;BYMINUTE=0,2", &e), 10);
	ck_assert_int_eq(recur_min_gap("rrule", "FREQ=MINUTELY;BYHOUR=9;BYMINUTE=0,30", &e), 30);
	ck_assert_int_eq(recur_min_gap("rrule", "FREQ=SECONDLY;INTERVAL=300", &e), 5);
	ck_assert_int_eq(recur_min_gap("rrule", "FREQ=SECONDLY;BYSECOND=0;BYMINUTE=0", &e), 60);
	ck_assert_int_eq(recur_min_gap("rrule", "FREQ=SECONDLY;BYSECOND=0", &e), 1);
	ck_assert_int_eq(recur_min_gap("rrule", "FREQ=DAILY;BYHOUR=9,10;BYMINUTE=0,58", &e), 2);
	ck_assert_int_ge(recur_min_gap("rrule", "FREQ=HOURLY", &e), 60);
	ck_assert_int_ge(recur_min_gap("rrule", "FREQ=WEEKLY;BYDAY=MO,TU", &e), 60);
}
END_TEST

Suite *cron_suite(void)
{
	Suite *s = suite_create("cron");
	TCase *tc = tcase_create("cron");

	tcase_add_test(tc, test_cron_fixed_time_spring_forward);
	tcase_add_test(tc, test_cron_fixed_time_fall_back);
	tcase_add_test(tc, test_cron_wildcard_hour_follows_real_time);
	tcase_add_test(tc, test_cron_fields);
	tcase_add_test(tc, test_cron_errors);
	tcase_add_test(tc, test_rrule_dst);
	tcase_add_test(tc, test_rrule_end_and_parse);
	tcase_add_test(tc, test_min_gap);
	suite_add_tcase(s, tc);
	return s;
}
