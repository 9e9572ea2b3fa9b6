/* The clock nestor reads (NESTOR_NOW pins it for tests). */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wallclock.h"

#define JUNE_1_0900Z ((time_t)1780304400) /* 2026-06-01T09:00:00Z */

/* Init with NESTOR_NOW=value (NULL: unset); the init's result. */
static int pin(const char *value, struct err *e)
{
	if (value)
		setenv("NESTOR_NOW", value, 1);
	else
		unsetenv("NESTOR_NOW");
	return wallclock_init(e);
}

static void unpin(void)
{
	struct err e = { 0, "" };

	ck_assert_int_eq(pin(NULL, &e), 0);
}

/* The system clock's seconds, as nestor reads them (time() may read a
 * coarser clock, a second behind just after a second turns). */
static time_t real_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return ts.tv_sec;
}

/* wallclock_now() - the system clock, read between two system readings. */
static void assert_offset(time_t want)
{
	time_t a = real_now(), w = wallclock_now(), b = real_now();
	struct timespec ts;

	ck_assert_msg(w - a >= want && w - b <= want, "clock off by %lld, want %lld",
		      (long long)(w - a), (long long)want);
	a = real_now();
	wallclock_timespec(&ts);
	b = real_now();
	ck_assert(ts.tv_sec - a >= want - 1 && ts.tv_sec - b <= want);
}

START_TEST(test_unset_is_the_system_clock)
{
	struct err e = { 0, "" };

	ck_assert_int_eq(pin(NULL, &e), 0);
	assert_offset(0);
	ck_assert_int_eq(pin("", &e), 0);
	assert_offset(0);
}
END_TEST

/* TIME@REAL: the clock read TIME at REAL and ran on from there. */
START_TEST(test_pinned_with_real_instant)
{
	static const char *const same[] = {
		"2026-06-01T09:00:00Z@1000000000",
		"2026-06-01T09:00Z@1000000000",
		"2026-06-01T11:00:00+02:00@1000000000",
		"2026-05-31T23:00-10:00@1000000000",
		"1780304400@1000000000",
	};
	struct err e = { 0, "" };
	size_t i;

	for (i = 0; i < sizeof(same) / sizeof(same[0]); i++) {
		ck_assert_msg(pin(same[i], &e) == 0, "%s: %s", same[i], e.msg);
		assert_offset(JUNE_1_0900Z - 1000000000);
	}
	unpin();
}
END_TEST

/* TIME alone: the clock starts at TIME when the process reads it. */
START_TEST(test_pinned_from_start)
{
	struct err e = { 0, "" };
	time_t before = real_now(), now, after;

	ck_assert_int_eq(pin("2026-06-01T09:00:00Z", &e), 0);
	now = wallclock_now();
	after = real_now();
	ck_assert(now >= JUNE_1_0900Z && now <= JUNE_1_0900Z + (after - before));
	unpin();
}
END_TEST

START_TEST(test_bad_values)
{
	static const char *const bad[] = {
		"tomorrow",
		"2026-06-01T09:00",
		"2026-06-01 09:00Z",
		"2026-06-01T09:00:00Zjunk",
		"2026-06-01T09:00+25:00",
		"2026-06-01T09:00:00Z@",
		"2026-06-01T09:00:00Z@soon",
		"@1000000000",
		"12ab",
		/* each field all its digits, a date and time that exist */
		"2026-6-1T9:00Z",
		" 2026-06-01T09:00Z",
		"2026-06-01T09:00+-1:-5",
		"2026-06-01T09:00+ 1:00",
		"2026-02-29T09:00Z",
		"2026-04-31T09:00Z",
		"2026-06-01T09:00:60Z",
	};
	struct err e = { 0, "" };
	char want[128];
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		ck_assert_msg(pin(bad[i], &e) == -1, "%s accepted", bad[i]);
		ck_assert_int_eq(e.code, ERR_USAGE);
		snprintf(want, sizeof(want), "NESTOR_NOW: bad time \"%s\" (", bad[i]);
		ck_assert_msg(!strncmp(e.msg, want, strlen(want)), "%s", e.msg);
		assert_offset(0);
	}
	unpin();
}
END_TEST

Suite *wallclock_suite(void)
{
	Suite *s = suite_create("wallclock");
	TCase *tc = tcase_create("wallclock");

	tcase_add_test(tc, test_unset_is_the_system_clock);
	tcase_add_test(tc, test_pinned_with_real_instant);
	tcase_add_test(tc, test_pinned_from_start);
	tcase_add_test(tc, test_bad_values);
	suite_add_tcase(s, tc);
	return s;
}
