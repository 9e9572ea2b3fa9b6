/*
 * The offline intent parser against the corpus in tests/data/intents.tsv:
 * English and Russian requests, word-order variations, politeness and
 * typos, each with the exact tool call (or "no tool") expected at a fixed
 * now.  Plus the words layer it stands on.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "intent.h"
#include "nlp.h"
#include "when.h"
#include "testutil.h"
#include "sbuf.h"
#include "xalloc.h"

#define CORPUS_MIN 380

static time_t fixed_now(void)
{
	struct tm tm = { 0 };

	/* Wednesday 2026-11-25 14:30 in Berlin */
	setenv("TZ", "Europe/Berlin", 1);
	tzset();
	when_set_order(WHEN_DMY);
	tm.tm_year = 126;
	tm.tm_mon = 10;
	tm.tm_mday = 25;
	tm.tm_hour = 14;
	tm.tm_min = 30;
	tm.tm_isdst = -1;
	return mktime(&tm);
}

START_TEST(test_corpus)
{
	static const char *const assistants[] = { "coder", NULL };
	char *path = tu_src("tests/data/intents.tsv");
	char *text = tu_slurp(path, NULL), *save = NULL;
	struct sbuf fails = SBUF_INIT;
	int n = 0, bad = 0, ru = 0;
	time_t now = fixed_now();

	ck_assert_msg(text != NULL, "cannot read %s", path);
	for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *tab = strchr(line, '\t'), *got;
		struct intent in;

		if (line[0] == '#' || !*line)
			continue;
		ck_assert_msg(tab != NULL, "corpus line without a tab: %s", line);
		*tab = '\0';
		intent_parse(line, now, assistants, &in);
		got = intent_format(&in);
		if (strcmp(got, tab + 1)) {
			bad++;
			sbuf_addf(&fails, "\n  %s\n    want: %s\n    got:  %s", line, tab + 1, got);
		}
		ru += !strcmp(in.lang, "ru");
		free(got);
		intent_release(&in);
		n++;
	}
	ck_assert_msg(bad == 0, "%d of %d utterances parsed wrong:%s", bad, n,
		      fails.buf ? fails.buf : "");
	ck_assert_msg(n >= CORPUS_MIN, "only %d utterances in the corpus", n);
	ck_assert_msg(ru >= n / 3 && ru <= n * 2 / 3, "%d of %d utterances are Russian", ru, n);
	sbuf_release(&fails);
	free(text);
	free(path);
}
END_TEST

/* The language of the reply follows the script of the request. */
START_TEST(test_language)
{
	struct intent in;
	time_t now = fixed_now();

	intent_parse("мои задачи", now, NULL, &in);
	ck_assert_str_eq(in.lang, "ru");
	intent_release(&in);
	intent_parse("my tasks", now, NULL, &in);
	ck_assert_str_eq(in.lang, "en");
	intent_release(&in);
	/* a Russian place in an English sentence is still Russian text */
	intent_parse("weather in Казань", now, NULL, &in);
	ck_assert_str_eq(in.lang, "ru");
	intent_release(&in);
}
END_TEST

/* "ask NAME" only for assistants that exist; otherwise it is not a delegation. */
START_TEST(test_ask_unknown_assistant)
{
	static const char *const none[] = { NULL };
	struct intent in;
	char *f;

	intent_parse("ask bob about lunch", fixed_now(), none, &in);
	f = intent_format(&in);
	ck_assert_str_eq(f, "unknown");
	free(f);
	intent_release(&in);
}
END_TEST

/* A time without a date is the first still ahead: "at 8" said at 18:30 is
 * 20:00 today, "at 8" said at 21:00 tomorrow's 08:00; events as reminders. */
START_TEST(test_time_ahead)
{
	static const char *const cases[][3] = {
		{ "18:30", "add dinner at 8",
		  "calendar_add start=2026-11-25T20:00:00+01:00; summary=dinner" },
		{ "18:30", "remind me at 7 to call mom",
		  "reminder_add at=2026-11-25T19:00:00+01:00; text=call mom" },
		{ "18:30", "remind me at 5:30 to call mom",
		  "reminder_add at=2026-11-26T17:30:00+01:00; text=call mom" },
		{ "18:30", "add call at 5:30",
		  "calendar_add start=2026-11-26T17:30:00+01:00; summary=call" },
		{ "21:00", "add breakfast at 8",
		  "calendar_add start=2026-11-26T08:00:00+01:00; summary=breakfast" },
		{ "21:00", "remind me at 7 to call mom",
		  "reminder_add at=2026-11-26T07:00:00+01:00; text=call mom" },
		{ "21:00", "remind me today at 8 to call mom", "clarify:past match=08:00" },
		{ "20:30", "add call today at 8", "clarify:past match=08:00" },
		{ "18:30", "remind me today at 7am to call mom",
		  "clarify:past match=07:00 or 19:00" },
		{ "20:30", "напомни сегодня в 19:30 позвонить", "clarify:past match=19:30" },
		{ "18:30", "add call today at 7",
		  "calendar_add start=2026-11-25T19:00:00+01:00; summary=call" },
		{ "23:30", "add task submit form at 10",
		  "task_add due=2026-11-26T10:00:00+01:00; title=submit form" },
		{ "06:00", "add breakfast at 8",
		  "calendar_add start=2026-11-25T08:00:00+01:00; summary=breakfast" },
	};
	time_t day = fixed_now() - (14 * 60 + 30) * 60;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct intent in;
		char *f;
		int h = atoi(cases[i][0]), m = atoi(cases[i][0] + 3);

		intent_parse(cases[i][1], day + (h * 60 + m) * 60, NULL, &in);
		f = intent_format(&in);
		ck_assert_msg(!strcmp(f, cases[i][2]), "at %s \"%s\": got %s, wanted %s",
			      cases[i][0], cases[i][1], f, cases[i][2]);
		free(f);
		intent_release(&in);
	}
}
END_TEST

START_TEST(test_words)
{
	struct nlp s;
	int minutes;
	size_t len;
	long secs;
	char buf[16];
	char *low = nlp_lower("ЁЛКА Привет ABC");

	ck_assert_str_eq(low, "елка привет abc");
	free(low);
	nlp_split(&s, "«Remind», me: tommorow at 5 pm, #4!");
	ck_assert_uint_eq(s.n, 7);
	ck_assert_str_eq(s.w[0].orig, "Remind");
	ck_assert_str_eq(s.w[0].norm, "remind");
	ck_assert_str_eq(s.w[2].norm, "tomorrow");
	ck_assert_str_eq(s.w[6].norm, "4");
	ck_assert(nlp_clock(&s, 4, false, &minutes, &len));
	ck_assert_int_eq(minutes, 17 * 60);
	ck_assert_uint_eq(len, 2);
	/* a bare number is a time only where the sentence says so */
	ck_assert(!nlp_clock(&s, 6, false, &minutes, &len));
	nlp_release(&s);
	nlp_split(&s, "1h30m полтора часа 10 минут");
	ck_assert_int_eq(nlp_duration(&s, 0, &secs, &len), 1);
	ck_assert_int_eq(secs, 5400);
	ck_assert_int_eq(nlp_duration(&s, 1, &secs, &len), 1);
	ck_assert_int_eq(secs, 5400);
	ck_assert_uint_eq(len, 2);
	ck_assert_int_eq(nlp_duration(&s, 3, &secs, &len), 1);
	ck_assert_int_eq(secs, 600);
	nlp_duration_text(5400, buf, sizeof(buf));
	ck_assert_str_eq(buf, "1h30m");
	nlp_release(&s);
	/* a duration too long to count: recognised, and said to be so */
	nlp_split(&s, "99999999999999999999 minutes 99999999999999999999m 100000w100000w");
	secs = 7;
	ck_assert_int_eq(nlp_duration(&s, 0, &secs, &len), -1);
	ck_assert_uint_eq(len, 2);
	ck_assert_int_eq(nlp_duration(&s, 2, &secs, &len), -1);
	ck_assert_uint_eq(len, 1);
	ck_assert_int_eq(nlp_duration(&s, 3, &secs, &len), -1);
	ck_assert_int_eq(secs, 7);
	nlp_release(&s);
}
END_TEST

Suite *intent_suite(void)
{
	Suite *s = suite_create("intent");
	TCase *tc = tcase_create("intent");

	tcase_add_test(tc, test_corpus);
	tcase_add_test(tc, test_language);
	tcase_add_test(tc, test_ask_unknown_assistant);
	tcase_add_test(tc, test_time_ahead);
	tcase_add_test(tc, test_words);
	suite_add_tcase(s, tc);
	return s;
}
