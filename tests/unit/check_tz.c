/* Time zones: tzdata names, zones registered from a VTIMEZONE, the local zone. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "tz.h"

/* +01:00, and +02:00 from the second Sunday of March 02:00 to the last
 * Sunday of October 03:00: in 2027, 14 March and 31 October. */
#define SHIFTED                                                                                    \
	"BEGIN:VTIMEZONE\r\nTZID:Test/Shifted\r\n"                                                 \
	"BEGIN:DAYLIGHT\r\nTZOFFSETFROM:+0100\r\nTZOFFSETTO:+0200\r\nTZNAME:SST\r\n"               \
	"DTSTART:19700308T020000\r\nRRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=2SU\r\n"                     \
	"END:DAYLIGHT\r\n"                                                                         \
	"BEGIN:STANDARD\r\nTZOFFSETFROM:+0200\r\nTZOFFSETTO:+0100\r\nTZNAME:WST\r\n"               \
	"DTSTART:19701025T030000\r\nRRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU\r\n"                   \
	"END:STANDARD\r\nEND:VTIMEZONE\r\n"
#define FIXED3                                                                                     \
	"BEGIN:VTIMEZONE\r\nTZID:Test/Shifted\r\n"                                                 \
	"BEGIN:STANDARD\r\nTZOFFSETFROM:+0300\r\nTZOFFSETTO:+0300\r\nTZNAME:TST\r\n"               \
	"DTSTART:19700101T000000\r\nEND:STANDARD\r\nEND:VTIMEZONE\r\n"

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

static struct tm wall(int y, int mo, int d, int h, int mi)
{
	struct tm tm = { 0 };

	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	return tm;
}

static struct tz *shifted(void)
{
	struct err e = { 0, "" };
	struct tz *z;

	ck_assert_msg(tz_register_vtimezone("Test/Shifted", SHIFTED, &e) == 0, "%s", e.msg);
	z = tz_open("Test/Shifted", &e);
	ck_assert_msg(z != NULL, "%s", e.msg);
	return z;
}

START_TEST(test_custom_zone_follows_its_rules)
{
	struct tz *z = shifted();
	struct tm w = wall(2027, 3, 14, 2, 30), tm;
	time_t first, second;
	char buf[32];

	ck_assert(tz_known("Test/Shifted"));
	ck_assert_int_eq(tz_offset(z, utc(2027, 3, 14, 0, 59)), 3600);
	ck_assert_int_eq(tz_offset(z, utc(2027, 3, 14, 1, 0)), 7200);
	ck_assert_int_eq(tz_offset(z, utc(2040, 7, 1, 0, 0)), 7200);
	/* 02:30 on 14 March does not exist: the gap ends at 01:00 UTC, and a
	 * calendar means 03:30 */
	ck_assert_int_eq(tz_from_wall(z, &w, &first, &second), TZ_GAP);
	ck_assert_int_eq(first, utc(2027, 3, 14, 1, 0));
	ck_assert_int_eq(tz_instant(z, &w), utc(2027, 3, 14, 1, 30));
	/* 02:30 on 31 October happens twice; a calendar means the first */
	w = wall(2027, 10, 31, 2, 30);
	ck_assert_int_eq(tz_from_wall(z, &w, &first, &second), TZ_REPEATED);
	ck_assert_int_eq(first, utc(2027, 10, 31, 0, 30));
	ck_assert_int_eq(second, utc(2027, 10, 31, 1, 30));
	ck_assert_int_eq(tz_instant(z, &w), first);
	w = wall(2027, 7, 1, 9, 0);
	ck_assert_int_eq(tz_from_wall(z, &w, &first, &second), TZ_NORMAL);
	ck_assert_int_eq(first, utc(2027, 7, 1, 7, 0));
	tz_to_wall(z, utc(2027, 3, 15, 8, 0), &tm);
	ck_assert_int_eq(tm.tm_hour, 10);
	ck_assert_int_eq(tm.tm_isdst, 1);
	ck_assert_int_eq(tm.tm_gmtoff, 7200);
	ck_assert_int_eq(tz_format(z, utc(2027, 3, 15, 8, 0), "%H:%M %Z %:z", buf, sizeof(buf)), 0);
	ck_assert_str_eq(buf, "10:00 SST +02:00");
	ck_assert_int_eq(tz_format(z, utc(2027, 1, 15, 8, 0), "%H:%M %Z", buf, sizeof(buf)), 0);
	ck_assert_str_eq(buf, "09:00 WST");
	tz_free(z);
}
END_TEST

START_TEST(test_redefined_zone)
{
	struct err e = { 0, "" };
	struct tz *before = shifted(), *after;
	time_t july = utc(2027, 7, 1, 0, 0);
	char *text;

	ck_assert_int_eq(tz_register_vtimezone("Test/Shifted", FIXED3, &e), 0);
	after = tz_open("Test/Shifted", &e);
	ck_assert_ptr_nonnull(after);
	ck_assert_int_eq(tz_offset(before, july), 7200);
	ck_assert_int_eq(tz_offset(after, july), 10800);
	text = tz_vtimezone("Test/Shifted");
	ck_assert_msg(text && strstr(text, "TZOFFSETTO:+0300"), "%s", text ? text : "(null)");
	free(text);
	tz_free(before);
	tz_free(after);
}
END_TEST

START_TEST(test_names)
{
	struct err e = { 0, "" };
	struct tz *z;
	char *text;

	ck_assert_int_eq(tz_register_vtimezone("Test/Bad", "BEGIN:VEVENT\r\nEND:VEVENT\r\n", &e),
			 -1);
	ck_assert_int_eq(e.code, ERR_USAGE);
	ck_assert_str_eq(e.msg, "time zone \"Test/Bad\": not a VTIMEZONE with its rules");
	ck_assert(!tz_known("Test/Bad"));
	ck_assert_ptr_null(tz_open("Nowhere/Land", &e));
	ck_assert_str_eq(e.msg, "unknown time zone \"Nowhere/Land\"");
	ck_assert(!tz_known("../../etc/passwd"));
	ck_assert(!tz_known("/etc/localtime"));
	ck_assert(tz_is_system("Europe/Berlin"));
	ck_assert(!tz_is_system("zone.tab"));
	/* libical's prefixes and "Z" */
	z = tz_open("/freeassociation.sourceforge.net/Europe/Berlin", &e);
	ck_assert_msg(z != NULL, "%s", e.msg);
	ck_assert_int_eq(tz_offset(z, utc(2027, 7, 1, 0, 0)), 7200);
	tz_free(z);
	z = tz_open("Z", &e);
	ck_assert_ptr_nonnull(z);
	ck_assert_int_eq(tz_offset(z, utc(2027, 7, 1, 0, 0)), 0);
	tz_free(z);
	/* what an export writes for a zone */
	ck_assert_ptr_null(tz_vtimezone("UTC"));
	text = tz_vtimezone("Europe/Berlin");
	ck_assert_msg(text && strstr(text, "BEGIN:VTIMEZONE") && strstr(text, "TZOFFSETTO:+0200"),
		      "%s", text ? text : "(null)");
	free(text);
}
END_TEST

/* The local zone is GLib's: $TZ (with or without the ':'), else the system's. */
START_TEST(test_local_zone)
{
	char *name;

	setenv("TZ", ":Asia/Tokyo", 1);
	name = tz_local_name();
	ck_assert_str_eq(name, "Asia/Tokyo");
	free(name);
	setenv("TZ", "Europe/Berlin", 1);
	name = tz_local_name();
	ck_assert_str_eq(name, "Europe/Berlin");
	free(name);
	/* a local midnight, and back to the date */
	ck_assert_int_eq(tz_date_to_local(utc(2027, 7, 1, 0, 0)), utc(2027, 6, 30, 22, 0));
	ck_assert_int_eq(tz_local_to_date(utc(2027, 6, 30, 22, 30)), utc(2027, 7, 1, 0, 0));
}
END_TEST

/* The range of a zone's offsets holds the offset at every instant looked
 * at, from year 1 to 9999, and is one offset for a fixed zone; a zone of a
 * VTIMEZONE has none. */
START_TEST(test_offset_range)
{
	static const char *const names[] = { "America/New_York", "Asia/Kolkata",
					     "Australia/Lord_Howe", "Pacific/Kiritimati" };
	struct tz *z;
	long lo, hi;

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		z = tz_open(names[i], NULL);
		ck_assert_ptr_nonnull(z);
		ck_assert(tz_offset_range(z, &lo, &hi));
		ck_assert_int_lt(lo, hi);
		for (time_t t = -62135596800LL; t < 253402300800LL; t += 86400 * 17 + 3607) {
			long off = tz_offset(z, t);

			ck_assert_msg(lo <= off && off <= hi, "%s at %lld: %ld not in %ld..%ld",
				      names[i], (long long)t, off, lo, hi);
		}
		tz_free(z);
	}
	z = tz_open("America/New_York", NULL);
	tz_offset_range(z, &lo, &hi);
	ck_assert_int_eq(lo, -5 * 3600);
	ck_assert_int_eq(hi, -4 * 3600);
	tz_free(z);
	z = tz_open("Etc/GMT+5", NULL);
	ck_assert(tz_offset_range(z, &lo, &hi));
	ck_assert_int_eq(lo, -5 * 3600);
	ck_assert_int_eq(hi, -5 * 3600);
	tz_free(z);
	z = shifted();
	ck_assert(!tz_offset_range(z, &lo, &hi));
	tz_free(z);
}
END_TEST

/* The arithmetic conversions agree with gmtime_r() and timegm() from year
 * 1 to 9999, fields out of range included, and a fixed-offset zone (UTC,
 * Etc/GMT+5) converts like one that is not. */
START_TEST(test_utc_arithmetic)
{
	struct tz *z = tz_open("Etc/GMT+5", NULL), *u = tz_open("UTC", NULL);

	ck_assert_ptr_nonnull(z);
	ck_assert_ptr_nonnull(u);
	for (long long t = -62135596800LL; t < 253402300800LL; t += 7919LL * 3607) {
		struct tm a, b, w;
		time_t tt = (time_t)t;

		gmtime_r(&tt, &a);
		tz_utc_tm(tt, &b);
		ck_assert_int_eq(a.tm_year, b.tm_year);
		ck_assert_int_eq(a.tm_mon, b.tm_mon);
		ck_assert_int_eq(a.tm_mday, b.tm_mday);
		ck_assert_int_eq(a.tm_hour, b.tm_hour);
		ck_assert_int_eq(a.tm_min, b.tm_min);
		ck_assert_int_eq(a.tm_sec, b.tm_sec);
		ck_assert_int_eq(a.tm_wday, b.tm_wday);
		ck_assert_int_eq(a.tm_yday, b.tm_yday);
		b.tm_mon += (int)(t % 40) - 20;
		b.tm_mday += (int)(t % 70) - 35;
		b.tm_hour += (int)(t % 50) - 25;
		a = b;
		ck_assert_int_eq(tz_tm_utc(&b), timegm(&a));
		tz_to_wall(z, tt, &w);
		ck_assert_int_eq(w.tm_gmtoff, -5 * 3600);
		ck_assert_int_eq(tz_instant(z, &w), tt);
		ck_assert_int_eq(tz_offset(u, tt), 0);
	}
	tz_free(z);
	tz_free(u);
}
END_TEST

Suite *tz_suite(void)
{
	Suite *s = suite_create("tz");
	TCase *tc = tcase_create("tz");

	tcase_add_test(tc, test_custom_zone_follows_its_rules);
	tcase_add_test(tc, test_redefined_zone);
	tcase_add_test(tc, test_names);
	tcase_add_test(tc, test_local_zone);
	tcase_add_test(tc, test_utc_arithmetic);
	tcase_add_test(tc, test_offset_range);
	/* test_offset_range asks four zones for 860k instants: ~1 s alone,
	 * past Check's 4 s on a loaded machine or under ASan */
	tcase_set_timeout(tc, 60);
	suite_add_tcase(s, tc);
	return s;
}
