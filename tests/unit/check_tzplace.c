/* Place names to zones, and clock arithmetic in zones. */
#include <check.h>
#include <string.h>

#include "tz.h"
#include "tzplace.h"

/* 2026-01-15 12:00 UTC (winter) and 2026-07-15 12:00 UTC (summer). */
#define WINTER 1768478400L
#define SUMMER 1784116800L

static void expect(const char *place, const char *zone)
{
	struct err e = { 0, "" };
	char tz[64];

	ck_assert_msg(tzplace_resolve(place, tz, sizeof(tz), &e) == 0, "%s: %s", place, e.msg);
	ck_assert_msg(!strcmp(tz, zone), "'%s' -> '%s', want '%s'", place, tz, zone);
}

START_TEST(test_zone_names)
{
	expect("New York", "America/New_York");
	expect("new_york", "America/New_York");
	expect("tokyo", "Asia/Tokyo");
	expect("TOKYO", "Asia/Tokyo");
	expect("São Paulo", "America/Sao_Paulo");
	expect("sao paulo", "America/Sao_Paulo");
	expect("kyiv", "Europe/Kyiv");
	expect("Los Angeles", "America/Los_Angeles");
	expect("buenos aires", "America/Argentina/Buenos_Aires");
	expect("in London", "Europe/London");
	expect("Oslo", "Europe/Oslo");
}
END_TEST

START_TEST(test_literal)
{
	expect("Europe/Berlin", "Europe/Berlin");
	expect("UTC", "UTC");
	expect("utc", "UTC");
	expect("europe/berlin", "Europe/Berlin");
	expect("America/Argentina/Buenos_Aires", "America/Argentina/Buenos_Aires");
	expect("EST5EDT", "EST5EDT");
	ck_assert(tz_is_system("Asia/Tokyo"));
	ck_assert(!tz_is_system("Asia/Atlantis"));
	ck_assert(!tz_is_system("../../etc/passwd"));
	ck_assert(!tz_is_system("/etc/localtime"));
	ck_assert(!tz_is_system(""));
}
END_TEST

START_TEST(test_aliases)
{
	expect("Москва", "Europe/Moscow");
	expect("Москве", "Europe/Moscow");
	expect("в Москве", "Europe/Moscow");
	expect("МОСКОВСКОМ", "Europe/Moscow");
	expect("Казани", "Europe/Moscow");
	expect("Санкт-Петербург", "Europe/Moscow");
	expect("Петербурге", "Europe/Moscow");
	expect("Берлин", "Europe/Berlin");
	expect("Берлине", "Europe/Berlin");
	expect("Токио", "Asia/Tokyo");
	expect("Лондоне", "Europe/London");
	expect("Париже", "Europe/Paris");
	expect("Нью-Йорк", "America/New_York");
	expect("нью йорке", "America/New_York");
	expect("Киеве", "Europe/Kyiv");
	expect("Kiev", "Europe/Kyiv");
	expect("во Владивостоке", "Asia/Vladivostok");
	expect("Екатеринбурге", "Asia/Yekaterinburg");
	expect("San Francisco", "America/Los_Angeles");
	expect("Beijing", "Asia/Shanghai");
	expect("Munich", "Europe/Berlin");
	expect("St. Petersburg", "Europe/Moscow");
}
END_TEST

START_TEST(test_countries)
{
	struct err e = { 0, "" };
	char tz[64];

	expect("Japan", "Asia/Tokyo");
	expect("Germany", "Europe/Berlin");
	expect("Ukraine", "Europe/Kyiv");
	expect("jp", "Asia/Tokyo");
	ck_assert_int_eq(tzplace_resolve("Russia", tz, sizeof(tz), &e), -1);
	ck_assert_int_eq(e.code, ERR_USAGE);
	ck_assert_str_eq(e.msg, "'Russia' has several time zones; name a city");
}
END_TEST

START_TEST(test_unknown)
{
	struct err e = { 0, "" };
	char tz[64], small[8];

	ck_assert_int_eq(tzplace_resolve("Atlantis", tz, sizeof(tz), &e), -1);
	ck_assert_int_eq(e.code, ERR_NOTFOUND);
	ck_assert_str_eq(e.msg, "no time zone known for 'Atlantis'");
	ck_assert_int_eq(tzplace_resolve("Europe/Atlantis", tz, sizeof(tz), &e), -1);
	ck_assert_str_eq(e.msg, "no time zone known for 'Europe/Atlantis'");
	ck_assert_int_eq(tzplace_resolve("", tz, sizeof(tz), &e), -1);
	ck_assert_int_eq(e.code, ERR_USAGE);
	ck_assert_int_eq(tzplace_resolve("\xff\xfe", tz, sizeof(tz), &e), -1);
	ck_assert_int_eq(tzplace_resolve("New York", small, sizeof(small), &e), -1);
}
END_TEST

START_TEST(test_now)
{
	struct err e = { 0, "" };
	char buf[64];

	ck_assert_int_eq(tzplace_now("Europe/Berlin", WINTER, buf, sizeof(buf), &e), 0);
	ck_assert_str_eq(buf, "2026-01-15 13:00 CET (UTC+01:00)");
	ck_assert_int_eq(tzplace_now("Europe/Berlin", SUMMER, buf, sizeof(buf), &e), 0);
	ck_assert_str_eq(buf, "2026-07-15 14:00 CEST (UTC+02:00)");
	ck_assert_int_eq(tzplace_now("Asia/Tokyo", WINTER, buf, sizeof(buf), &e), 0);
	ck_assert_str_eq(buf, "2026-01-15 21:00 JST (UTC+09:00)");
	ck_assert_int_eq(tzplace_iso("America/New_York", WINTER, buf, sizeof(buf), &e), 0);
	ck_assert_str_eq(buf, "2026-01-15T07:00:00-05:00");
	ck_assert_int_eq(tzplace_iso("UTC", WINTER, buf, sizeof(buf), &e), 0);
	ck_assert_str_eq(buf, "2026-01-15T12:00:00+00:00");
	ck_assert_int_eq(tzplace_now("Nowhere/Land", WINTER, buf, sizeof(buf), &e), -1);
	ck_assert_int_eq(e.code, ERR_USAGE);
	ck_assert_str_eq(e.msg, "unknown time zone 'Nowhere/Land'");
	ck_assert_int_eq(tzplace_now("UTC", WINTER, buf, 4, &e), -1);
	ck_assert_str_eq(e.msg, "the time in 'UTC' does not fit in 4 bytes");
}
END_TEST

START_TEST(test_convert)
{
	struct err e = { 0, "" };
	char buf[64];
	time_t t;

	/* 15:00 in Berlin is 23:00 in Tokyo in winter, 22:00 in summer. */
	ck_assert_msg(tzplace_convert("15:00", "Europe/Berlin", "Asia/Tokyo", WINTER, &t, &e) == 0,
		      "%s", e.msg);
	ck_assert_int_eq(t, 1768485600L);
	ck_assert_int_eq(tzplace_format("Asia/Tokyo", t, "%Y-%m-%d %H:%M", buf, sizeof(buf), &e),
			 0);
	ck_assert_str_eq(buf, "2026-01-15 23:00");

	ck_assert_msg(tzplace_convert("15:00", "Europe/Berlin", "Asia/Tokyo", SUMMER, &t, &e) == 0,
		      "%s", e.msg);
	ck_assert_int_eq(t, 1784120400L);
	ck_assert_int_eq(tzplace_format("Asia/Tokyo", t, "%H:%M", buf, sizeof(buf), &e), 0);
	ck_assert_str_eq(buf, "22:00");

	/* "Today" is the date in the from zone: already the 16th in Tokyo. */
	ck_assert_int_eq(tzplace_convert("9:00", "Asia/Tokyo", "UTC", 1768519800L, &t, &e), 0);
	ck_assert_int_eq(t, 1768521600L);
	ck_assert_int_eq(tzplace_convert("9", "Asia/Tokyo", "UTC", 1768519800L, &t, &e), 0);
	ck_assert_int_eq(t, 1768521600L);
}
END_TEST

START_TEST(test_convert_errors)
{
	struct err e = { 0, "" };
	time_t t;

	ck_assert_int_eq(tzplace_convert("25:00", "UTC", "UTC", WINTER, &t, &e), -1);
	ck_assert_int_eq(e.code, ERR_USAGE);
	ck_assert_str_eq(e.msg, "bad time '25:00' (want HH:MM)");
	ck_assert_int_eq(tzplace_convert("12:5", "UTC", "UTC", WINTER, &t, &e), -1);
	ck_assert_int_eq(tzplace_convert("noon", "UTC", "UTC", WINTER, &t, &e), -1);
	ck_assert_int_eq(tzplace_convert("12:00", "Mars/Olympus", "UTC", WINTER, &t, &e), -1);
	ck_assert_str_eq(e.msg, "unknown time zone 'Mars/Olympus'");
	ck_assert_int_eq(tzplace_convert("12:00", "UTC", "Tokyo", WINTER, &t, &e), -1);
	ck_assert_str_eq(e.msg, "unknown time zone 'Tokyo'");
}
END_TEST

Suite *tzplace_suite(void)
{
	Suite *s = suite_create("tzplace");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_zone_names);
	tcase_add_test(tc, test_literal);
	tcase_add_test(tc, test_aliases);
	tcase_add_test(tc, test_countries);
	tcase_add_test(tc, test_unknown);
	tcase_add_test(tc, test_now);
	tcase_add_test(tc, test_convert);
	tcase_add_test(tc, test_convert_errors);
	suite_add_tcase(s, tc);
	return s;
}
