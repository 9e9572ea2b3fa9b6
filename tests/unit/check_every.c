/*
 * check_every.c - a repeat rule in words: each row is a rule (RRULE or
 * cron), a language and what a person reads.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "answer.h"
#include "every.h"

static const struct row {
	const char *rule, *lang, *want;
} rows[] = {
	{ "FREQ=DAILY", "en", "every day" },
	{ "FREQ=DAILY", "ru", "каждый день" },
	{ "FREQ=DAILY;INTERVAL=3", "en", "every 3 days" },
	{ "FREQ=DAILY;INTERVAL=3", "ru", "каждые 3 дня" },
	{ "FREQ=DAILY;INTERVAL=5", "ru", "каждые 5 дней" },
	{ "FREQ=WEEKLY", "en", "every week" },
	{ "FREQ=WEEKLY", "ru", "каждую неделю" },
	{ "FREQ=WEEKLY;BYDAY=FR", "en", "every Friday" },
	{ "FREQ=WEEKLY;BYDAY=FR", "ru", "каждую пятницу" },
	{ "RRULE:FREQ=WEEKLY;BYDAY=MO", "ru", "каждый понедельник" },
	{ "FREQ=WEEKLY;BYDAY=SU", "ru", "каждое воскресенье" },
	{ "FREQ=WEEKLY;BYDAY=FR;BYHOUR=16;BYMINUTE=0", "en", "every Friday at 16:00" },
	{ "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR", "en", "every weekday" },
	{ "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR", "ru", "по будням" },
	{ "FREQ=WEEKLY;BYDAY=SA,SU", "en", "every weekend" },
	{ "FREQ=WEEKLY;BYDAY=MO,WE,FR", "en", "every Monday, Wednesday and Friday" },
	{ "FREQ=WEEKLY;BYDAY=MO,TH", "ru", "по понедельникам и четвергам" },
	{ "FREQ=WEEKLY;INTERVAL=2;BYDAY=TU", "en", "every 2 weeks on Tuesday" },
	{ "FREQ=WEEKLY;INTERVAL=2;BYDAY=TU", "ru", "каждые 2 недели во вторник" },
	{ "FREQ=WEEKLY;INTERVAL=2", "en", "every 2 weeks" },
	{ "FREQ=MONTHLY;BYMONTHDAY=15", "en", "every month on the 15th" },
	{ "FREQ=MONTHLY;BYMONTHDAY=1", "ru", "каждый месяц, 1-го числа" },
	{ "FREQ=MONTHLY;BYMONTHDAY=-1", "en", "every month on the last day" },
	{ "FREQ=MONTHLY;BYDAY=-1FR", "en", "every month on the last Friday" },
	{ "FREQ=MONTHLY;BYDAY=-1FR", "ru", "каждый месяц в последнюю пятницу" },
	{ "FREQ=MONTHLY;BYDAY=1MO", "ru", "каждый месяц в первый понедельник" },
	{ "FREQ=MONTHLY;BYDAY=2WE", "ru", "каждый месяц во вторую среду" },
	{ "FREQ=YEARLY;BYMONTH=12;BYMONTHDAY=1", "en", "every year on 1 December" },
	{ "FREQ=YEARLY;BYMONTH=12;BYMONTHDAY=1", "ru", "каждый год 1 декабря" },
	{ "FREQ=YEARLY;INTERVAL=5", "ru", "каждые 5 лет" },
	{ "FREQ=HOURLY;INTERVAL=2", "en", "every 2 hours" },
	{ "FREQ=HOURLY;BYHOUR=9,10,11,12", "en", "every hour from 09:00 to 12:00" },
	{ "FREQ=HOURLY;INTERVAL=2;BYHOUR=10,12,14", "ru", "каждые 2 часа с 10:00 до 14:00" },
	{ "FREQ=HOURLY;INTERVAL=2;BYHOUR=10,11", "en", "FREQ=HOURLY;INTERVAL=2;BYHOUR=10,11" },
	{ "FREQ=MINUTELY;INTERVAL=15", "ru", "каждые 15 минут" },
	{ "FREQ=DAILY;COUNT=3", "en", "every day, 3 times" },
	{ "FREQ=DAILY;COUNT=3", "ru", "каждый день, 3 раза" },
	{ "FREQ=WEEKLY;BYDAY=FR;UNTIL=20261231T235959Z", "en", "every Friday, until 2026-12-31" },
	/* cron */
	{ "0 16 * * 5", "en", "every Friday at 16:00" },
	{ "0 16 * * 5", "ru", "каждую пятницу в 16:00" },
	{ "30 8 * * 1-5", "en", "every weekday at 08:30" },
	{ "0 9 * * *", "ru", "каждый день в 09:00" },
	{ "*/15 * * * *", "en", "every 15 minutes" },
	{ "0 * * * *", "en", "every hour" },
	{ "0 9 1 * *", "en", "every month on the 1st at 09:00" },
	{ "@daily", "en", "every day at 00:00" },
	/* more than this reads: the rule itself, never something wrong */
	{ "FREQ=MONTHLY;BYDAY=MO;BYSETPOS=2", "en", "FREQ=MONTHLY;BYDAY=MO;BYSETPOS=2" },
	{ "0 9 1-7 * 1", "en", "0 9 1-7 * 1" },
	{ "0 9,17 * * *", "en", "0 9,17 * * *" },
	{ "nonsense", "en", "nonsense" },
};

static void use_tz(const char *tz)
{
	setenv("TZ", tz, 1);
	tzset();
}

/* The rows are said in UTC, where a UTC UNTIL's date is as written. */
static void setup(void)
{
	use_tz("UTC");
}

START_TEST(test_words)
{
	const struct row *r = &rows[_i];
	char buf[128];

	ck_assert_msg(every_words(r->lang, r->rule, buf, sizeof(buf)) == buf, "%s", r->rule);
	ck_assert_msg(!strcmp(buf, r->want), "%s (%s): got \"%s\", wanted \"%s\"", r->rule, r->lang,
		      buf, r->want);
}
END_TEST

START_TEST(test_none)
{
	char buf[8];

	ck_assert_ptr_null(every_words("en", NULL, buf, sizeof(buf)));
	ck_assert_ptr_null(every_words("en", "", buf, sizeof(buf)));
	/* cut to the buffer, never past it */
	ck_assert_str_eq(every_words("en", "FREQ=WEEKLY;BYDAY=FR", buf, sizeof(buf)), "every F");
}
END_TEST

/* Rules that differ in their end alone, said through one memo (as an
 * agenda says its series): each as every_words() says it, whatever was said
 * before, the end's value valid or not, in either language, past the
 * memo's room, and cut to a short buffer. */
START_TEST(test_memo)
{
	static const char *const ends[] = {
		"UNTIL=20261231T235959Z",
		"UNTIL=20270115",
		"UNTIL=20270115T090000",
		"UNTIL=20261331T000000Z",
		"UNTIL=20270229",
		"UNTIL=2027",
		"UNTIL=",
		"UNTIL=20270101T250000Z",
		"COUNT=3",
		"COUNT=1",
		"COUNT=0",
		"COUNT=",
		"COUNT=x",
		"COUNT=22",
		"UNTIL=00000101",
		"UNTIL=99991231T235959Z",
		/* the edges of a value said without reading the rule again:
		 * each day a month may end on, a leap day and a day too many,
		 * the last second of a day and one past each of its fields,
		 * the forms and lengths near the three it reads */
		"UNTIL=20260131",
		"UNTIL=20260132",
		"UNTIL=20260430T120000Z",
		"UNTIL=20260431T120000Z",
		"UNTIL=20260228",
		"UNTIL=20260229",
		"UNTIL=20280229T000000Z",
		"UNTIL=21000229",
		"UNTIL=20261200",
		"UNTIL=20260001",
		"UNTIL=00010101",
		"UNTIL=20260601T235959",
		"UNTIL=20260601T240000Z",
		"UNTIL=20260601T196000Z",
		"UNTIL=20260601T195960Z",
		"UNTIL=20260601T300000Z",
		"UNTIL=20260601T000000z",
		"UNTIL=20260601 000000Z",
		"UNTIL=20260601T00000Z",
		"UNTIL=20260601T000000ZZ",
		"UNTIL=2026060",
		"UNTIL=2026O601",
		"UNTIL=20260601T0000:0Z",
		"UNTIL=\xff"
		"0260601",
		"UNTIL=20260601;INTERVAL=2",
	};
	static const char *const shapes[] = {
		"FREQ=WEEKLY;%s",
		"FREQ=WEEKLY;BYDAY=FR;%s",
		"%s;FREQ=DAILY",
		"RRULE:FREQ=MONTHLY;BYDAY=-1FR;%s",
		"FREQ=YEARLY;BYMONTH=12;BYMONTHDAY=1;%s",
		"FREQ=DAILY;%s;INTERVAL=3",
		"FREQ=MONTHLY;BYDAY=MO;BYSETPOS=2;%s",
		"FREQ=HOURLY;INTERVAL=2;%s",
		"FREQ=WEEKLY;%s;UNTIL=20270101",
		"FREQ=WEEKLY;%s;COUNT=2",
		"FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR;%s",
		"FREQ=WEEKLY;INTERVAL=2;BYDAY=TU;%s",
		"FREQ=MONTHLY;BYMONTHDAY=-1;%s",
		"FREQ=MONTHLY;BYMONTHDAY=15;%s",
		"FREQ=YEARLY;INTERVAL=5;%s",
		"FREQ=WEEKLY;BYDAY=SA,SU;%s",
		"FREQ=DAILY;BYDAY=MO;%s",
		"FREQ=WEEKLY;BYDAY=MO,TH;%s",
		"FREQ=WEEKLY;WKST=SU;BYDAY=SU;%s",
	};
#define NENDS	(sizeof(ends) / sizeof(ends[0]))
#define NSHAPES (sizeof(shapes) / sizeof(shapes[0]))
	static const char *const zones[] = { "UTC", "America/New_York", "Asia/Kolkata" };
	struct every_memo memo;
	size_t lens[] = { 128, 12 };
	char none[8];

	for (size_t l = 0; l < 2 * 3; l++) {
		use_tz(zones[l / 2]);
		every_memo_init(&memo);
		/* a shape with each end in turn, then each end with every shape
		 * (more shapes than the memo holds) */
		for (size_t i = 0; i < 2 * NENDS * NSHAPES; i++) {
			size_t pass = i / (NENDS * NSHAPES), j = i % (NENDS * NSHAPES);
			size_t e = pass ? j / NSHAPES : j % NENDS,
			       k = pass ? j % NSHAPES : j / NENDS;
			const char *lang = (e + k + pass) % 3 ? "en" : "ru";
			char rule[160], want[128], got[128];

			bool all_day = (e + k) % 4 == 0;

			snprintf(rule, sizeof(rule), shapes[k], ends[e]);
			every_words_series(lang, rule, all_day, want, lens[l % 2]);
			ck_assert_ptr_eq(
				every_words_memo(&memo, lang, rule, all_day, got, lens[l % 2]),
				got);
			ck_assert_msg(!strcmp(got, want), "%s (%s, %s): \"%s\", not \"%s\"", rule,
				      lang, zones[l / 2], got, want);
		}
		every_memo_release(&memo);
	}
	every_memo_init(&memo);
	ck_assert_ptr_null(every_words_memo(&memo, "en", NULL, false, none, sizeof(none)));
	ck_assert_ptr_null(every_words_memo(&memo, "en", "", false, none, sizeof(none)));
	every_memo_release(&memo);
}
END_TEST

/* Every month and day number near the real ones, in years with and
 * without a leap day, with times at and past a day's end: through the
 * memo each says what every_words() says of it. */
START_TEST(test_memo_sweep)
{
	static const char *const years[] = { "0000", "0001", "2026", "2028", "2100", "2400" };
	static const char *const times[] = { "",	"T000000",  "T235959Z", "T240000Z",
					     "T236000", "T235960Z", "T2359590" };
	static const char *const zones[] = { "UTC", "America/New_York", "Pacific/Kiritimati" };
	struct every_memo memo;
	char rule[64], want[128], got[128];

	for (size_t z = 0; z < sizeof(zones) / sizeof(zones[0]); z++) {
		use_tz(zones[z]);
		every_memo_init(&memo);
		for (size_t y = 0; y < sizeof(years) / sizeof(years[0]); y++)
			for (int mo = 0; mo <= 13; mo++)
				for (int d = 0; d <= 32; d++)
					for (size_t t = 0; t < sizeof(times) / sizeof(times[0]);
					     t++) {
						snprintf(rule, sizeof(rule),
							 "FREQ=WEEKLY;BYDAY=TU;UNTIL=%s%02d%02d%s",
							 years[y], mo, d, times[t]);
						every_words("en", rule, want, sizeof(want));
						every_words_memo(&memo, "en", rule, false, got,
								 sizeof(got));
						ck_assert_msg(!strcmp(got, want),
							      "%s (%s): \"%s\", not \"%s\"", rule,
							      zones[z], got, want);
					}
		every_memo_release(&memo);
	}
}
END_TEST

/* The series of an agenda through one memo, in its order: series that
 * share a rule say each its own UNTIL's date (in UTC, the date of a UTC
 * value is its UTC date), and the length given is that of the words. */
START_TEST(test_memo_series)
{
	static const struct {
		const char *lang, *rule, *want;
	} series[] = {
		{ "en", "FREQ=WEEKLY;BYDAY=MO;UNTIL=20270607T080000Z",
		  "every Monday, until 2027-06-07" },
		{ "en", "FREQ=WEEKLY;BYDAY=MO;UNTIL=20280228T183000Z",
		  "every Monday, until 2028-02-28" },
		{ "en", "FREQ=WEEKLY;BYDAY=MO;UNTIL=20280229T090000Z",
		  "every Monday, until 2028-02-29" },
		{ "en", "RRULE:FREQ=WEEKLY;BYDAY=MO;UNTIL=20280301",
		  "every Monday, until 2028-03-01" },
		{ "en", "FREQ=WEEKLY;BYDAY=MO;COUNT=3", "every Monday, 3 times" },
		{ "en", "FREQ=WEEKLY;BYDAY=MO", "every Monday" },
		{ "ru", "FREQ=WEEKLY;BYDAY=MO;UNTIL=20261231T235959Z",
		  "каждый понедельник, до 2026-12-31" },
		{ "en", "FREQ=WEEKLY;BYDAY=MO;UNTIL=20261231T235959Z",
		  "every Monday, until 2026-12-31" },
		{ "en", "FREQ=WEEKLY;BYDAY=MO;UNTIL=20260601T235959",
		  "every Monday, until 2026-06-01" },
		{ "en", "FREQ=WEEKLY;BYDAY=FR;UNTIL=20260605T000000Z",
		  "every Friday, until 2026-06-05" },
		{ "en", "FREQ=WEEKLY;BYDAY=MO;UNTIL=20270607T080000Z",
		  "every Monday, until 2027-06-07" },
	};
	struct every_memo memo;
	char got[128];
	size_t n;

	every_memo_init(&memo);
	for (size_t i = 0; i < sizeof(series) / sizeof(series[0]); i++) {
		ck_assert_ptr_eq(every_words_memo_n(&memo, series[i].lang, series[i].rule, false,
						    got, sizeof(got), &n),
				 got);
		ck_assert_str_eq(got, series[i].want);
		ck_assert_uint_eq(n, strlen(series[i].want));
	}
	ck_assert_ptr_null(every_words_memo_n(&memo, "en", NULL, false, got, sizeof(got), &n));
	ck_assert_uint_eq(n, 0);
	every_memo_release(&memo);
}
END_TEST

/* A UTC UNTIL is an instant: its date is the one where the person is (the
 * local zone), by that zone's offset at that instant, whatever the offset
 * when the series began; a date, a floating time and any UNTIL of an
 * all-day series are said as written.  The same alone, through a memo
 * (the first of a shape, then its next), in English and Russian. */
static const struct until_row {
	const char *tz, *rule, *lang;
	bool all_day;
	const char *want;
} until_rows[] = {
	/* Mon 2026-11-23 21:30 in New York */
	{ "America/New_York", "FREQ=WEEKLY;UNTIL=20261124T023000Z", "en", false,
	  "every week, until 2026-11-23" },
	{ "America/New_York", "FREQ=WEEKLY;UNTIL=20261124T023000Z", "ru", false,
	  "каждую неделю, до 2026-11-23" },
	{ "Asia/Kolkata", "FREQ=WEEKLY;UNTIL=20261124T023000Z", "en", false,
	  "every week, until 2026-11-24" },
	/* 01:00 the next day in Kolkata */
	{ "Asia/Kolkata", "FREQ=WEEKLY;BYDAY=MO;UNTIL=20261123T193000Z", "en", false,
	  "every Monday, until 2026-11-24" },
	{ "Asia/Kolkata", "FREQ=WEEKLY;BYDAY=MO;UNTIL=20261123T193000Z", "ru", false,
	  "каждый понедельник, до 2026-11-24" },
	/* after the change to standard time: 23:30 EST (EDT would be 00:30) */
	{ "America/New_York", "FREQ=WEEKLY;UNTIL=20261110T043000Z", "en", false,
	  "every week, until 2026-11-09" },
	/* after the change to summer time: 00:30 CEST (CET would be 23:30) */
	{ "Europe/Berlin", "FREQ=DAILY;UNTIL=20260329T223000Z", "en", false,
	  "every day, until 2026-03-30" },
	/* as written: a date, a floating time, an all-day series */
	{ "America/New_York", "FREQ=WEEKLY;UNTIL=20261124", "en", false,
	  "every week, until 2026-11-24" },
	{ "America/New_York", "FREQ=WEEKLY;UNTIL=20261124T023000", "en", false,
	  "every week, until 2026-11-24" },
	{ "America/New_York", "FREQ=YEARLY;UNTIL=20300601T000000Z", "en", true,
	  "every year, until 2030-06-01" },
	/* libical's rules (BYHOUR: not nestor's own parser) */
	{ "America/New_York", "FREQ=WEEKLY;BYDAY=MO;BYHOUR=21;BYMINUTE=0;UNTIL=20261124T023000Z",
	  "en", false, "every Monday at 21:00, until 2026-11-23" },
	{ "America/New_York", "FREQ=WEEKLY;BYDAY=MO;BYHOUR=21;BYMINUTE=0;UNTIL=20261124T023000Z",
	  "en", true, "every Monday at 21:00, until 2026-11-24" },
};

START_TEST(test_until_local)
{
	const struct until_row *r = &until_rows[_i];
	char other[160], got[128];
	struct every_memo memo;
	size_t n;

	use_tz(r->tz);
	ck_assert_str_eq(every_words_series(r->lang, r->rule, r->all_day, got, sizeof(got)),
			 r->want);
	if (!r->all_day)
		ck_assert_str_eq(every_words(r->lang, r->rule, got, sizeof(got)), r->want);
	/* the memo: said first, then after the same shape with another end */
	snprintf(other, sizeof(other), "%.*s19990101",
		 (int)(strstr(r->rule, "UNTIL=") + 6 - r->rule), r->rule);
	for (int pass = 0; pass < 2; pass++) {
		every_memo_init(&memo);
		if (pass)
			every_words_memo_n(&memo, r->lang, other, r->all_day, got, sizeof(got), &n);
		every_words_memo_n(&memo, r->lang, r->rule, r->all_day, got, sizeof(got), &n);
		ck_assert_msg(!strcmp(got, r->want), "%s in %s (pass %d): \"%s\"", r->rule, r->tz,
			      pass, got);
		ck_assert_uint_eq(n, strlen(r->want));
		every_memo_release(&memo);
	}
}
END_TEST

/* The assistant's answers say a series' rule the same way: a timed one's
 * UTC UNTIL as the local date, an all-day one's as written. */
START_TEST(test_answer_words)
{
	char *w;

	use_tz("America/New_York");
	w = answer_recurrence("ru", "FREQ=WEEKLY;UNTIL=20261124T023000Z", false, 21 * 60);
	ck_assert_str_eq(w, "каждую неделю, до 2026-11-23 в 21:00");
	free(w);
	w = answer_recurrence("en", "FREQ=WEEKLY;UNTIL=20261124T000000Z", true, -1);
	ck_assert_str_eq(w, "every week, until 2026-11-24");
	free(w);
}
END_TEST

Suite *every_suite(void)
{
	Suite *s = suite_create("every");
	TCase *tc = tcase_create("every");

	tcase_add_checked_fixture(tc, setup, NULL);

	tcase_add_loop_test(tc, test_words, 0, (int)(sizeof(rows) / sizeof(rows[0])));
	tcase_add_test(tc, test_none);
	tcase_add_test(tc, test_memo);
	tcase_add_test(tc, test_memo_series);
	tcase_add_test(tc, test_memo_sweep);
	tcase_add_test(tc, test_answer_words);
	tcase_add_loop_test(tc, test_until_local, 0,
			    (int)(sizeof(until_rows) / sizeof(until_rows[0])));
	suite_add_tcase(s, tc);
	return s;
}
