/* Events: storage, recurrence across DST, EXDATE, overrides, all-day, search. */
#include <check.h>
#include <cjson/cJSON.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "store-int.h"
#include "event.h"
#include "ical.h"
#include "store.h"
#include "testutil.h"
#include "tool.h"
#include "xalloc.h"

static char *dir;
static struct store *st;

static void use_tz(const char *tz)
{
	setenv("TZ", tz, 1);
	tzset();
}

static void setup(void)
{
	use_tz("Europe/Berlin");
	dir = tu_tmpdir();
	st = tu_store_open(dir);
}

static void teardown(void)
{
	store_free(st);
	tu_rmrf(dir);
	free(dir);
}

/* UTC instant of y-m-d h:mi. */
static time_t utc(int y, int m, int d, int h, int mi)
{
	struct tm tm = { 0 };

	tm.tm_year = y - 1900;
	tm.tm_mon = m - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	return timegm(&tm);
}

static long long add(const char *summary, time_t start, time_t end, const char *tzid, bool all_day,
		     const char *rrule)
{
	struct event ev;
	struct err e = { 0, "" };
	long long id;

	memset(&ev, 0, sizeof(ev));
	ev.summary = xstrdup(summary);
	ev.start = start;
	ev.end = end;
	ev.tzid = tzid ? xstrdup(tzid) : NULL;
	ev.all_day = all_day;
	ev.rrule = rrule ? xstrdup(rrule) : NULL;
	ck_assert_msg(event_add(st, &ev, 1000, &e) == 0, "%s", e.msg);
	id = ev.id;
	event_release(&ev);
	return id;
}

/* Give series id one changed occurrence: the one of rid, moved to
 * [start, end) under summary. */
static void override(long long id, time_t rid, const char *summary, time_t start, time_t end)
{
	struct event ev;
	struct err e = { 0, "" };

	ck_assert_int_eq(event_get(st, id, &ev, &e), 0);
	ev.overrides = xcalloc(1, sizeof(*ev.overrides));
	ev.noverrides = 1;
	ev.overrides[0].recurrence_id = rid;
	ev.overrides[0].summary = xstrdup(summary);
	ev.overrides[0].start = start;
	ev.overrides[0].end = end;
	ck_assert_msg(event_update(st, &ev, 3000, &e) == 0, "%s", e.msg);
	event_release(&ev);
}

static void occ(time_t from, time_t to, struct event_list *l)
{
	struct err e = { 0, "" };

	ck_assert_msg(event_occurrences(st, from, to, NULL, l, &e) == 0, "%s", e.msg);
}

static int local_hour(time_t t)
{
	struct tm tm;

	localtime_r(&t, &tm);
	return tm.tm_hour;
}

/* A weekly 09:00 Berlin meeting stays at 09:00 Berlin across both DST changes. */
START_TEST(test_dst_berlin)
{
	struct event_list l;

	add("weekly", utc(2026, 3, 16, 8, 0), utc(2026, 3, 16, 9, 0), "Europe/Berlin", false,
	    "FREQ=WEEKLY");
	occ(utc(2026, 3, 15, 0, 0), utc(2026, 4, 7, 0, 0), &l);
	ck_assert_uint_eq(l.nocc, 4);
	ck_assert_int_eq(l.occ[0].start, utc(2026, 3, 16, 8, 0)); /* CET: 08:00Z */
	ck_assert_int_eq(l.occ[1].start, utc(2026, 3, 23, 8, 0));
	ck_assert_int_eq(l.occ[2].start, utc(2026, 3, 30, 7, 0)); /* CEST: 07:00Z */
	ck_assert_int_eq(l.occ[2].end - l.occ[2].start, 3600);
	for (size_t i = 0; i < l.nocc; i++)
		ck_assert_int_eq(local_hour(l.occ[i].start), 9);
	event_list_release(&l);
	occ(utc(2026, 10, 19, 0, 0), utc(2026, 10, 27, 0, 0), &l); /* back to CET on 10-25 */
	ck_assert_uint_eq(l.nocc, 2);
	ck_assert_int_eq(l.occ[0].start, utc(2026, 10, 19, 7, 0));
	ck_assert_int_eq(l.occ[1].start, utc(2026, 10, 26, 8, 0));
	event_list_release(&l);
}
END_TEST

/* New York changes on 2026-03-08, Berlin on 03-29: seen from Berlin the
 * 09:00 New York call moves from 15:00 to 14:00 and back to 15:00. */
START_TEST(test_dst_new_york)
{
	struct event_list l;

	add("ny", utc(2026, 3, 2, 14, 0), utc(2026, 3, 2, 14, 30), "America/New_York", false,
	    "FREQ=WEEKLY;BYDAY=MO");
	occ(utc(2026, 3, 1, 0, 0), utc(2026, 4, 1, 0, 0), &l);
	ck_assert_uint_eq(l.nocc, 5);
	ck_assert_int_eq(local_hour(l.occ[0].start), 15); /* 03-02 EST/CET */
	ck_assert_int_eq(local_hour(l.occ[1].start), 14); /* 03-09 EDT/CET */
	ck_assert_int_eq(local_hour(l.occ[3].start), 14); /* 03-23 EDT/CET */
	ck_assert_int_eq(local_hour(l.occ[4].start), 15); /* 03-30 EDT/CEST */
	use_tz("America/New_York");
	for (size_t i = 0; i < l.nocc; i++)
		ck_assert_int_eq(local_hour(l.occ[i].start), 9);
	event_list_release(&l);
}
END_TEST

START_TEST(test_count_until_exdate)
{
	struct event_list l;
	struct err e = { 0, "" };
	time_t day = utc(2026, 5, 6, 12, 0);
	long long daily = add("daily", utc(2026, 5, 4, 10, 0), utc(2026, 5, 4, 11, 0),
			      "Europe/Berlin", false, "FREQ=DAILY;COUNT=5");
	long long weekly = add("until", utc(2026, 5, 4, 6, 0), utc(2026, 5, 4, 7, 0), "UTC", false,
			       "FREQ=WEEKLY;UNTIL=20260518T060000Z");

	occ(utc(2026, 5, 1, 0, 0), utc(2026, 7, 1, 0, 0), &l);
	ck_assert_uint_eq(l.nocc, 5 + 3);
	event_list_release(&l);
	ck_assert_msg(event_delete(st, daily, &day, 2000, &e) == 0, "%s", e.msg);
	occ(utc(2026, 5, 1, 0, 0), utc(2026, 7, 1, 0, 0), &l);
	ck_assert_uint_eq(l.nocc, 4 + 3);
	for (size_t i = 0; i < l.nocc; i++)
		ck_assert_int_ne(l.occ[i].start, utc(2026, 5, 6, 8, 0));
	event_list_release(&l);
	/* the same day again: it has no occurrence left */
	ck_assert_int_eq(event_delete(st, daily, &day, 2000, &e), -1);
	ck_assert_str_eq(e.msg, "event 1 has no occurrence on 2026-05-06");
	ck_assert_int_eq(event_delete(st, weekly, NULL, 2000, &e), 0);
	occ(utc(2026, 5, 1, 0, 0), utc(2026, 7, 1, 0, 0), &l);
	ck_assert_uint_eq(l.nocc, 4);
	event_list_release(&l);
}
END_TEST

/* An all-day event is the same calendar day in every zone. */
START_TEST(test_all_day)
{
	struct event_list l;
	const char *zones[] = { "Europe/Berlin", "America/New_York", "Asia/Tokyo",
				"Pacific/Kiritimati" };

	add("birthday", utc(2026, 12, 10, 0, 0), utc(2026, 12, 11, 0, 0), NULL, true,
	    "FREQ=YEARLY");
	add("trip", utc(2026, 12, 20, 0, 0), utc(2026, 12, 23, 0, 0), NULL, true, NULL);
	for (size_t z = 0; z < sizeof(zones) / sizeof(zones[0]); z++) {
		struct tm tm = { 0 };
		time_t from, to;

		use_tz(zones[z]);
		tm.tm_year = 2027 - 1900;
		tm.tm_mon = 11;
		tm.tm_mday = 10;
		tm.tm_isdst = -1;
		from = mktime(&tm);
		tm.tm_mday = 11;
		tm.tm_isdst = -1;
		to = mktime(&tm);
		occ(from, to, &l);
		ck_assert_msg(l.nocc == 1, "%s: %zu", zones[z], l.nocc);
		ck_assert_int_eq(l.occ[0].start, from);
		ck_assert_int_eq(l.occ[0].end, to);
		event_list_release(&l);
		tm.tm_year = 2026 - 1900;
		tm.tm_mday = 22;
		tm.tm_isdst = -1;
		from = mktime(&tm);
		occ(from, from + 3600, &l);
		ck_assert_msg(l.nocc == 1 && !strcmp(l.occ[0].summary, "trip"), "%s", zones[z]);
		event_list_release(&l);
		tm.tm_mday = 23;
		tm.tm_isdst = -1;
		from = mktime(&tm);
		occ(from, from + 3600, &l);
		ck_assert_msg(l.nocc == 0, "%s: the end day is exclusive", zones[z]);
		event_list_release(&l);
	}
}
END_TEST

/* A changed occurrence shows at its new time and under its new summary;
 * moved into the window from outside, it is still found. */
START_TEST(test_override)
{
	struct event_list l;
	long long id = add("standup", utc(2026, 6, 1, 7, 0), utc(2026, 6, 1, 7, 15),
			   "Europe/Berlin", false, "FREQ=DAILY;COUNT=10");

	override(id, utc(2026, 6, 3, 7, 0), "standup (late)", utc(2026, 6, 20, 12, 0),
		 utc(2026, 6, 20, 12, 30));
	occ(utc(2026, 6, 4, 0, 0), utc(2026, 6, 4, 0, 0), &l);
	ck_assert_uint_eq(l.nocc, 0);
	event_list_release(&l);
	occ(utc(2026, 6, 20, 0, 0), utc(2026, 6, 21, 0, 0), &l);
	ck_assert_uint_eq(l.nocc, 1);
	ck_assert_str_eq(l.occ[0].summary, "standup (late)");
	ck_assert_int_eq(l.occ[0].key, utc(2026, 6, 3, 7, 0));
	event_list_release(&l);
	occ(utc(2026, 6, 1, 0, 0), utc(2026, 7, 1, 0, 0), &l);
	ck_assert_uint_eq(l.nocc, 10);
	ck_assert_str_eq(l.occ[9].summary, "standup (late)");
	event_list_release(&l);
}
END_TEST

/* The agenda's brief read (event_agenda: the columns its lines show) gives
 * the same occurrences as the full one, in the same order, with the same
 * words: singles, series in zones across DST, all-day, an override moved
 * into the window, a series with a location and an EXDATE, a finished
 * series and one that never ends. */
START_TEST(test_agenda_brief_same)
{
	struct event_list full, brief;
	struct event call;
	struct err e = { 0, "" };
	long long id = add("standup", utc(2026, 3, 2, 8, 0), utc(2026, 3, 2, 8, 15),
			   "Europe/Berlin", false, "FREQ=DAILY;COUNT=40");
	time_t from = utc(2026, 3, 1, 0, 0), to = utc(2026, 5, 1, 0, 0);

	ck_assert_int_eq(event_get(st,
				   add("call", utc(2026, 3, 4, 14, 0), utc(2026, 3, 4, 15, 0),
				       "America/New_York", false, "FREQ=WEEKLY;BYDAY=WE,FR"),
				   &call, &e),
			 0);
	call.location = xstrdup("room 2");
	event_add_exdate(&call, utc(2026, 3, 6, 14, 0));
	ck_assert_msg(event_update(st, &call, 2000, &e) == 0, "%s", e.msg);
	event_release(&call);
	add("rent", utc(2026, 1, 1, 0, 0), utc(2026, 1, 2, 0, 0), NULL, true,
	    "FREQ=MONTHLY;BYMONTHDAY=1");
	add("old", utc(2025, 1, 6, 9, 0), utc(2025, 1, 6, 10, 0), "UTC", false,
	    "FREQ=WEEKLY;UNTIL=20250301T000000Z");
	add("dentist", utc(2026, 3, 29, 1, 30), utc(2026, 3, 29, 2, 30), "Europe/Berlin", false,
	    NULL);
	add("trip", utc(2026, 4, 10, 0, 0), utc(2026, 4, 13, 0, 0), NULL, true, NULL);
	override(id, utc(2026, 3, 5, 8, 0), "standup (moved)", utc(2026, 4, 20, 12, 0),
		 utc(2026, 4, 20, 12, 30));

	occ(from, to, &full);
	ck_assert_msg(event_agenda(st, from, to, NULL, &brief, &e) == 0, "%s", e.msg);
	ck_assert_uint_gt(full.nocc, 60);
	ck_assert_uint_eq(brief.nocc, full.nocc);
	for (size_t i = 0; i < full.nocc; i++) {
		const struct event_occ *a = &full.occ[i], *b = &brief.occ[i];

		ck_assert_int_eq(b->start, a->start);
		ck_assert_int_eq(b->end, a->end);
		ck_assert_int_eq(b->key, a->key);
		ck_assert_str_eq(b->summary, a->summary);
		ck_assert_pstr_eq(b->location, a->location);
		ck_assert_pstr_eq(b->tzid, a->tzid);
		ck_assert_int_eq(b->ev->id, a->ev->id);
		ck_assert_int_eq(b->ev->all_day, a->ev->all_day);
		ck_assert_pstr_eq(b->ev->rrule, a->ev->rrule);
		ck_assert_int_eq(b->ov != NULL, a->ov != NULL);
	}
	event_list_release(&brief);
	event_list_release(&full);
}
END_TEST

/* The agenda's rows keep their strings in the list's blocks: more than
 * one block's worth (150 summaries of 900 bytes) reads back whole, each
 * on its own event, as the full read has them. */
START_TEST(test_agenda_strings_blocks)
{
	struct event_list full, brief;
	struct err e = { 0, "" };
	time_t from = utc(2026, 5, 1, 0, 0), to = utc(2026, 6, 1, 0, 0);
	char summary[901];

	for (int i = 0; i < 150; i++) {
		memset(summary, 'a' + i % 26, 900);
		summary[900] = '\0';
		summary[0] = (char)('0' + i / 100);
		summary[1] = (char)('0' + i / 10 % 10);
		summary[2] = (char)('0' + i % 10);
		summary[3] = '-';
		add(summary, from + i * 3600, from + i * 3600 + 600, "UTC", false, NULL);
	}
	occ(from, to, &full);
	ck_assert_msg(event_agenda(st, from, to, NULL, &brief, &e) == 0, "%s", e.msg);
	ck_assert_uint_eq(full.nocc, 150);
	ck_assert_uint_eq(brief.nocc, 150);
	for (size_t i = 0; i < 150; i++) {
		ck_assert_str_eq(brief.occ[i].summary, full.occ[i].summary);
		ck_assert_str_eq(brief.occ[i].ev->summary, full.occ[i].summary);
		ck_assert_str_eq(brief.occ[i].ev->tzid, "UTC");
		ck_assert_ptr_null(brief.occ[i].ev->calendar);
	}
	event_list_release(&brief);
	event_list_release(&full);
}
END_TEST

/* A window's lists past 128 KiB, and past 2 MiB (mapped, then grown by
 * moving the mapping): a year of four hourly series and 200 single
 * events, every occurrence there once, in order, pointing at its event. */
START_TEST(test_window_large)
{
	static const char *const names[] = { "h00", "h15", "h30", "h45" };
	struct event_list l, brief;
	struct err e = { 0, "" };
	time_t from = utc(2026, 1, 1, 0, 0), to = utc(2027, 1, 1, 0, 0);
	size_t per[4] = { 0 }, singles = 0;

	for (int i = 0; i < 4; i++)
		add(names[i], from + i * 900, from + i * 900 + 600, "UTC", false, "FREQ=HOURLY");
	for (int i = 0; i < 200; i++)
		add("one", from + i * 86400 + 1800 + 7, from + i * 86400 + 3600, "UTC", false,
		    NULL);
	occ(from, to, &l);
	ck_assert_msg(event_agenda(st, from, to, NULL, &brief, &e) == 0, "%s", e.msg);
	ck_assert_uint_eq(l.nocc, 4 * 8760 + 200);
	ck_assert_uint_eq(brief.nocc, l.nocc);
	ck_assert_uint_eq(l.nevents, 204);
	for (size_t i = 0; i < l.nocc; i++) {
		const struct event_occ *o = &l.occ[i];

		ck_assert(o->ev >= l.events && o->ev < l.events + l.nevents);
		ck_assert_str_eq(o->summary, o->ev->summary);
		ck_assert_int_eq(brief.occ[i].start, o->start);
		if (i)
			ck_assert_int_lt(l.occ[i - 1].start, o->start);
		if (o->ev->rrule)
			per[(o->start - from) % 3600 / 900]++;
		else
			singles++;
	}
	for (int i = 0; i < 4; i++)
		ck_assert_uint_eq(per[i], 8760);
	ck_assert_uint_eq(singles, 200);
	event_list_release(&brief);
	event_list_release(&l);
}
END_TEST

/* Jumping into a long series keeps its phase (every other Monday and
 * Wednesday since 2020), and long single events are found from inside. */
START_TEST(test_window_edges)
{
	struct event_list l;
	int n = 0;

	add("biweekly", utc(2020, 1, 6, 8, 0), utc(2020, 1, 6, 9, 0), "Europe/Berlin", false,
	    "FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,WE");
	add("sabbatical", utc(2026, 1, 1, 0, 0), utc(2026, 9, 1, 0, 0), NULL, true, NULL);
	add("overnight", utc(2026, 6, 14, 20, 0), utc(2026, 6, 15, 6, 0), "UTC", false, NULL);
	occ(utc(2026, 6, 15, 0, 0), utc(2026, 6, 29, 0, 0), &l);
	for (size_t i = 0; i < l.nocc; i++) {
		if (strcmp(l.occ[i].summary, "biweekly"))
			continue;
		/* 2020-01-06 + k*14 days: the Mondays of weeks of the same parity */
		ck_assert_int_eq(((l.occ[i].start - utc(2020, 1, 6, 0, 0)) / 86400) % 14 / 7, 0);
		n++;
	}
	ck_assert_int_eq(n, 2);
	ck_assert_uint_eq(l.nocc, 4);
	event_list_release(&l);
}
END_TEST

/* The occurrences of [from, to) as "summary YYYY-MM-DDTHH:MMZ" lines. */
static void window_lines(time_t from, time_t to, char *buf, size_t len)
{
	struct event_list l;
	size_t used = 0;

	occ(from, to, &l);
	buf[0] = '\0';
	for (size_t i = 0; i < l.nocc && used < len; i++) {
		struct tm tm;
		char when[32];

		gmtime_r(&l.occ[i].start, &tm);
		strftime(when, sizeof(when), "%Y-%m-%dT%H:%MZ", &tm);
		used += (size_t)snprintf(buf + used, len - used, "%s %s\n", l.occ[i].summary, when);
	}
	event_list_release(&l);
}

/* Series alike but for their UNTIL or COUNT share one parse in a window
 * (and step a week or days at a time): each still ends where its own
 * UNTIL says, an UNTIL in UTC read in the series' zone, on the occurrence
 * itself or a second before it, on a date for an all-day series; INTERVAL
 * keeps its phase from a DTSTART months before, EXDATE and COUNT still
 * count, and a zone's change of offset moves the UTC time. */
START_TEST(test_series_alike_but_their_end)
{
	struct event ev;
	struct err e = { 0, "" };
	char got[1024];
	time_t x = utc(2026, 6, 5, 11, 0);

	add("a-until-on-it", utc(2026, 1, 5, 9, 0), utc(2026, 1, 5, 10, 0), "UTC", false,
	    "FREQ=WEEKLY;UNTIL=20260601T090000Z");
	add("b-until-before", utc(2026, 1, 5, 9, 0), utc(2026, 1, 5, 10, 0), "UTC", false,
	    "FREQ=WEEKLY;UNTIL=20260601T085959Z");
	add("c-berlin", utc(2026, 1, 6, 8, 0), utc(2026, 1, 6, 9, 0), "Europe/Berlin", false,
	    "FREQ=WEEKLY;UNTIL=20260602T070000Z");
	add("d-new-york", utc(2026, 1, 7, 14, 0), utc(2026, 1, 7, 15, 0), "America/New_York", false,
	    "FREQ=WEEKLY;UNTIL=20260603T125959Z");
	add("e-odd-weeks", utc(2026, 1, 8, 10, 0), utc(2026, 1, 8, 11, 0), "UTC", false,
	    "FREQ=WEEKLY;INTERVAL=2;UNTIL=20261231T000000Z");
	add("e-even-weeks", utc(2026, 1, 15, 10, 0), utc(2026, 1, 15, 11, 0), "UTC", false,
	    "FREQ=WEEKLY;INTERVAL=2;UNTIL=20261231T000000Z");
	add("g-count-22", utc(2026, 1, 3, 12, 0), utc(2026, 1, 3, 13, 0), "UTC", false,
	    "FREQ=WEEKLY;COUNT=22");
	add("g-count-23", utc(2026, 1, 3, 12, 0), utc(2026, 1, 3, 13, 0), "UTC", false,
	    "FREQ=WEEKLY;COUNT=23");
	add("h-day-until-on-it", utc(2026, 1, 3, 0, 0), utc(2026, 1, 4, 0, 0), NULL, true,
	    "FREQ=WEEKLY;UNTIL=20260606");
	add("h-day-until-before", utc(2026, 1, 3, 0, 0), utc(2026, 1, 4, 0, 0), NULL, true,
	    "FREQ=WEEKLY;UNTIL=20260605");
	add("i-every-3-days", utc(2026, 5, 1, 6, 0), utc(2026, 5, 1, 6, 30), "UTC", false,
	    "FREQ=DAILY;INTERVAL=3;UNTIL=20260607T000000Z");
	memset(&ev, 0, sizeof(ev));
	ev.summary = xstrdup("f-exdate");
	ev.start = utc(2026, 1, 9, 11, 0);
	ev.end = ev.start + 3600;
	ev.tzid = xstrdup("UTC");
	ev.rrule = xstrdup("FREQ=WEEKLY;UNTIL=20261231T000000Z");
	ev.exdates = &x;
	ev.nexdates = 1;
	ck_assert_msg(event_add(st, &ev, 1000, &e) == 0, "%s", e.msg);
	ev.exdates = NULL;
	ev.nexdates = 0;
	event_release(&ev);

	window_lines(utc(2026, 6, 1, 0, 0), utc(2026, 6, 8, 0, 0), got, sizeof(got));
	ck_assert_str_eq(got, "a-until-on-it 2026-06-01T09:00Z\n"
			      "c-berlin 2026-06-02T07:00Z\n"
			      "i-every-3-days 2026-06-03T06:00Z\n"
			      "e-even-weeks 2026-06-04T10:00Z\n"
			      "h-day-until-on-it 2026-06-05T22:00Z\n"
			      "i-every-3-days 2026-06-06T06:00Z\n"
			      "g-count-23 2026-06-06T12:00Z\n");
	/* Berlin's change on 03-29, New York's before: 09:00 there is an hour
	 * earlier in UTC than in January */
	window_lines(utc(2026, 3, 23, 0, 0), utc(2026, 4, 1, 0, 0), got, sizeof(got));
	ck_assert_str_eq(got, "a-until-on-it 2026-03-23T09:00Z\n"
			      "b-until-before 2026-03-23T09:00Z\n"
			      "c-berlin 2026-03-24T08:00Z\n"
			      "d-new-york 2026-03-25T13:00Z\n"
			      "e-even-weeks 2026-03-26T10:00Z\n"
			      "f-exdate 2026-03-27T11:00Z\n"
			      "h-day-until-on-it 2026-03-27T23:00Z\n"
			      "h-day-until-before 2026-03-27T23:00Z\n"
			      "g-count-22 2026-03-28T12:00Z\n"
			      "g-count-23 2026-03-28T12:00Z\n"
			      "a-until-on-it 2026-03-30T09:00Z\n"
			      "b-until-before 2026-03-30T09:00Z\n"
			      "c-berlin 2026-03-31T07:00Z\n");
}
END_TEST

START_TEST(test_search_calendar_errors)
{
	struct event ev;
	struct event_list l;
	struct err e = { 0, "" };
	long *offs;
	size_t n;

	memset(&ev, 0, sizeof(ev));
	ev.summary = xstrdup("Dentist");
	ev.location = xstrdup("Main Street 5");
	ev.calendar = xstrdup("health");
	ev.start = utc(2026, 7, 1, 8, 0);
	ev.end = ev.start + 1800;
	ck_assert_int_eq(event_add(st, &ev, 0, &e), 0);
	event_release(&ev);
	add("yoga", utc(2026, 1, 5, 17, 0), utc(2026, 1, 5, 18, 0), "Europe/Berlin", false,
	    "FREQ=WEEKLY");
	ck_assert_int_eq(event_search(st, "main street", utc(2026, 3, 1, 0, 0), &l, &e), 0);
	ck_assert_uint_eq(l.nocc, 1);
	ck_assert_str_eq(l.occ[0].ev->calendar, "health");
	event_list_release(&l);
	ck_assert_int_eq(event_search(st, "YOGA", utc(2026, 3, 4, 0, 0), &l, &e), 0);
	ck_assert_uint_eq(l.nocc, 1);
	ck_assert_int_eq(l.occ[0].start, utc(2026, 3, 9, 17, 0)); /* the next Monday, 18:00 CET */
	event_list_release(&l);
	ck_assert_int_eq(event_occurrences(st, utc(2026, 7, 1, 0, 0), utc(2026, 7, 2, 0, 0),
					   "health", &l, &e),
			 0);
	ck_assert_uint_eq(l.nocc, 1);
	event_list_release(&l);
	ck_assert_int_eq(event_occurrences(st, utc(2026, 7, 1, 0, 0), utc(2026, 7, 2, 0, 0),
					   "personal", &l, &e),
			 0);
	ck_assert_uint_eq(l.nocc, 0);
	event_list_release(&l);

	memset(&ev, 0, sizeof(ev));
	ev.summary = xstrdup("x");
	ev.tzid = xstrdup("Mars/Olympus_Mons");
	ck_assert_int_eq(event_add(st, &ev, 0, &e), -1);
	ck_assert_str_eq(e.msg, "unknown time zone \"Mars/Olympus_Mons\"");
	free(ev.tzid);
	ev.tzid = NULL;
	ev.rrule = xstrdup("FREQ=SOMETIMES");
	ck_assert_int_eq(event_add(st, &ev, 0, &e), -1);
	ck_assert_int_eq(e.code, ERR_USAGE);
	free(ev.rrule);
	ev.rrule = NULL;
	ev.end = ev.start - 1;
	ck_assert_int_eq(event_add(st, &ev, 0, &e), -1);
	event_release(&ev);
	ck_assert_int_eq(event_get(st, 99, &ev, &e), -1);
	ck_assert_int_eq(e.code, ERR_NOTFOUND);
	ck_assert_int_eq(event_delete(st, 99, NULL, 0, &e), -1);
	ck_assert_str_eq(e.msg, "no event with id 99");

	ck_assert_int_eq(event_alarm_offsets("BEGIN:VALARM\r\nACTION:DISPLAY\r\n"
					     "TRIGGER:-PT15M\r\nEND:VALARM\r\n"
					     "BEGIN:VALARM\r\nACTION:AUDIO\r\n"
					     "TRIGGER:-P1D\r\nEND:VALARM\r\n",
					     &offs, &n),
			 0);
	ck_assert_uint_eq(n, 2);
	ck_assert_int_eq(offs[0], -900);
	ck_assert_int_eq(offs[1], -86400);
	free(offs);
}
END_TEST

/* event edit holds its write transaction from its read on, as task edit
 * does (check_task): a pull cannot slip in between and be overwritten. */
static int pull_during_edit(void *arg, struct event *ev)
{
	int *rc = arg;
	char sql[96];

	snprintf(sql, sizeof(sql), "UPDATE events SET location = 'pulled' WHERE id = %lld", ev->id);
	*rc = tu_other_write(dir, sql);
	free(ev->summary);
	ev->summary = xstrdup("standup (moved)");
	return 0;
}

/* The pull (its write's result rc) waited for the edit, then went in. */
static void pull_kept(int rc, long long id)
{
	struct event ev;
	struct err e = { 0, "" };

	ck_assert_int_eq(rc, SQLITE_BUSY);
	ck_assert_int_eq(tu_other_write(dir, "UPDATE events SET location = 'pulled'"), SQLITE_OK);
	ck_assert_int_eq(event_get(st, id, &ev, &e), 0);
	ck_assert_str_eq(ev.summary, "standup (moved)");
	ck_assert_str_eq(ev.location, "pulled");
	event_release(&ev);
}

START_TEST(test_edit_holds_its_transaction)
{
	struct event ev;
	struct err e = { 0, "" };
	long long id =
		add("standup", utc(2026, 6, 3, 8, 0), utc(2026, 6, 3, 8, 15), NULL, false, NULL);
	int rc = 0;

	ck_assert_int_eq(event_modify(st, id, 2000, pull_during_edit, &rc, &ev, &e), 0);
	event_release(&ev);
	pull_kept(rc, id);
}
END_TEST

/* The assistant's calendar_edit holds it too: a pull tried at its read
 * (the first SELECT of the events; who owns the calendar is asked
 * before) waits, and is not overwritten after. */
static long long pulled_id;
static int pull_rc = -1;

static int pull_at_read(unsigned type, void *arg, void *stmt, void *sql)
{
	char q[96];

	(void)type;
	(void)arg;
	(void)stmt;
	if (pull_rc == -1 && !strncmp(sql, "SELECT", 6) && strstr(sql, "events")) {
		snprintf(q, sizeof(q), "UPDATE events SET location = 'pulled' WHERE id = %lld",
			 pulled_id);
		pull_rc = tu_other_write(dir, q);
	}
	return 0;
}

START_TEST(test_tool_edit_holds_its_transaction)
{
	struct tool_ctx ctx = { .store = st, .now = 2000, .lang = "en" };
	struct err e = { 0, "" };
	cJSON *args = cJSON_CreateObject(), *res = NULL;

	pulled_id =
		add("standup", utc(2026, 6, 3, 8, 0), utc(2026, 6, 3, 8, 15), NULL, false, NULL);
	cJSON_AddNumberToObject(args, "id", (double)pulled_id);
	cJSON_AddStringToObject(args, "summary", "standup (moved)");
	pull_rc = -1;
	sqlite3_trace_v2(st->db, SQLITE_TRACE_STMT, pull_at_read, NULL);
	ck_assert_msg(tool_call(&ctx, "calendar_edit", args, &res, &e) == 0, "%s", e.msg);
	sqlite3_trace_v2(st->db, 0, NULL, NULL);
	cJSON_Delete(res);
	cJSON_Delete(args);
	pull_kept(pull_rc, pulled_id);
}
END_TEST

/* A pull of the event's location comes in at the statement right after
 * the read of its overrides (the end of reading the event): pull_rc is its
 * write's result.  pull_state: 0 waiting for the read, 1 read, 2 done. */
static int pull_state;

static int pull_after_read(unsigned type, void *arg, void *stmt, void *sql)
{
	(void)type;
	(void)arg;
	(void)stmt;
	if (pull_state == 1) {
		pull_rc = tu_other_write(dir, "UPDATE events SET location = 'pulled'");
		pull_state = 2;
	} else if (pull_state == 0 && !strncmp(sql, "SELECT recurrence_id", 20)) {
		pull_state = 1;
	}
	return 0;
}

/* event rm --only DATE (event_delete with only) holds it from its read on
 * too: the pull waits for it (and is retried), instead of going in between
 * and being overwritten with the row read before it. */
START_TEST(test_delete_only_holds_its_transaction)
{
	struct event ev;
	struct err e = { 0, "" };
	time_t day = utc(2026, 6, 4, 12, 0);
	long long id = add("standup", utc(2026, 6, 3, 8, 0), utc(2026, 6, 3, 8, 15), NULL, false,
			   "FREQ=DAILY");

	pull_state = 0;
	pull_rc = -1;
	sqlite3_trace_v2(st->db, SQLITE_TRACE_STMT, pull_after_read, NULL);
	ck_assert_msg(event_delete(st, id, &day, 2000, &e) == 0, "%s", e.msg);
	sqlite3_trace_v2(st->db, 0, NULL, NULL);
	ck_assert_int_eq(pull_state, 2);
	if (pull_rc == SQLITE_BUSY)
		pull_rc = tu_other_write(dir, "UPDATE events SET location = 'pulled'");
	ck_assert_int_eq(pull_rc, SQLITE_OK);
	ck_assert_int_eq(event_get(st, id, &ev, &e), 0);
	ck_assert_pstr_eq(ev.location, "pulled");
	ck_assert_uint_eq(ev.nexdates, 1);
	event_release(&ev);
	/* a failing rm --only gives its transaction back */
	ck_assert_int_eq(event_delete(st, id, &day, 2000, &e), -1);
	ck_assert_str_eq(e.msg, "event 1 has no occurrence on 2026-06-04");
	ck_assert_int_eq(tu_other_write(dir, "UPDATE events SET location = 'room 2'"), SQLITE_OK);
}
END_TEST

/* run calendar_agenda from..to; its error in e, its result freed */
static int tool_agenda(const char *from, const char *to, size_t *n, struct err *e)
{
	struct tool_ctx ctx = { .store = st, .now = 2000, .lang = "en" };
	cJSON *args = cJSON_CreateObject(), *res = NULL;
	int rc;

	cJSON_AddStringToObject(args, "from", from);
	cJSON_AddStringToObject(args, "to", to);
	rc = tool_call(&ctx, "calendar_agenda", args, &res, e);
	*n = rc == 0 ? (size_t)cJSON_GetArraySize(cJSON_GetObjectItem(res, "events")) : 0;
	cJSON_Delete(res);
	cJSON_Delete(args);
	return rc;
}

/* A window asked by a tool call (the assistant, MCP) has its to at most
 * 366 days after its from (a date as to still including its day) and
 * holds at most 10000 occurrences; the command line's has no limit. */
START_TEST(test_tool_window_bounded)
{
	struct event_list l;
	struct err e = { 0, "" };
	size_t n;

	use_tz("UTC");
	add("hourly", utc(2026, 1, 1, 0, 0), utc(2026, 1, 1, 0, 30), "UTC", false, "FREQ=HOURLY");
	add("daily", utc(2026, 1, 1, 9, 0), utc(2026, 1, 1, 10, 0), "UTC", false, "FREQ=DAILY");
	ck_assert_int_eq(tool_agenda("2026-01-01", "2999-01-01", &n, &e), -1);
	ck_assert_int_eq(e.code, ERR_USAGE);
	ck_assert_str_eq(e.msg, "to must be at most 366 days after from");
	/* a leap year, 366 days: 8784 + 366 occurrences */
	ck_assert_msg(tool_agenda("2028-01-01", "2028-12-31", &n, &e) == 0, "%s", e.msg);
	ck_assert_uint_eq(n, 8784 + 366);
	/* a date as to is 366 days after from and still includes its day: a
	 * year across 29 February is allowed, one day more is not */
	ck_assert_msg(tool_agenda("2027-03-01", "2028-03-01", &n, &e) == 0, "%s", e.msg);
	ck_assert_uint_eq(n, 367 * 24 + 367);
	ck_assert_msg(tool_agenda("2028-01-01", "2029-01-01", &n, &e) == 0, "%s", e.msg);
	ck_assert_uint_eq(n, 367 * 24 + 367);
	ck_assert_int_eq(tool_agenda("2028-01-01", "2029-01-02", &n, &e), -1);
	ck_assert_str_eq(e.msg, "to must be at most 366 days after from");
	ck_assert_msg(tool_agenda("2027-03-01 10:00", "2028-03-01 10:00", &n, &e) == 0, "%s",
		      e.msg);
	ck_assert_int_eq(tool_agenda("2027-03-01 10:00", "2028-03-01 11:01", &n, &e), -1);
	ck_assert_str_eq(e.msg, "to must be at most 366 days after from");
	add("half past", utc(2026, 1, 1, 0, 30), utc(2026, 1, 1, 0, 45), "UTC", false,
	    "FREQ=HOURLY");
	ck_assert_int_eq(tool_agenda("2028-01-01", "2028-12-31", &n, &e), -1);
	ck_assert_int_eq(e.code, ERR_USAGE);
	ck_assert_str_eq(e.msg, "more than 10000 occurrences between 2028-01-01T00:00:00+00:00 and "
				"2029-01-01T00:00:00+00:00; ask a shorter window");
	ck_assert_msg(tool_agenda("2028-01-01", "2028-06-30", &n, &e) == 0, "%s", e.msg);
	ck_assert_uint_eq(n, 182 * 48 + 182);
	occ(utc(2028, 1, 1, 0, 0), utc(2028, 8, 1, 0, 0), &l);
	ck_assert_uint_eq(l.nocc, 213 * 48 + 213);
	event_list_release(&l);
}
END_TEST

/* Expanding stops at the limit: a list of max + 1 at most. */
START_TEST(test_occurrences_max)
{
	struct event_list l;
	struct err e = { 0, "" };

	use_tz("UTC");
	add("minutely", utc(2026, 1, 1, 0, 0), utc(2026, 1, 1, 0, 1), "UTC", false,
	    "FREQ=MINUTELY");
	ck_assert_int_eq(event_occurrences_max(st, utc(2026, 1, 1, 0, 0), utc(2026, 1, 1, 1, 0),
					       NULL, 60, &l, &e),
			 0);
	ck_assert_uint_eq(l.nocc, 60);
	event_list_release(&l);
	ck_assert_int_eq(event_occurrences_max(st, utc(2026, 1, 1, 0, 0), utc(2026, 1, 1, 1, 0),
					       NULL, 59, &l, &e),
			 1);
	ck_assert_uint_eq(l.nocc, 0);
	ck_assert_ptr_null(l.occ);
}
END_TEST

static char warned[640];
static int nwarned;

static void catch_warning(const char *line)
{
	snprintf(warned, sizeof(warned), "%s", line);
	nwarned++;
}

/* A rule no iterator starts on is refused where rules come in, and a
 * series holding one (a pull, an older database) is left out of a window
 * with one warning while the rest shows. */
START_TEST(test_series_never_matches)
{
	struct event ev;
	struct event_list l;
	struct err e = { 0, "" };
	time_t t = utc(2026, 6, 2, 8, 0);
	long long bad;

	memset(&ev, 0, sizeof(ev));
	ev.summary = xstrdup("x");
	ev.start = t;
	ev.end = t + 3600;
	ck_assert_int_eq(event_series_check(st, &ev, &e), 0);
	ev.rrule = xstrdup("FREQ=MONTHLY;BYDAY=MO,TU;BYSETPOS=-1"); /* libical's alone */
	ck_assert_msg(event_series_check(st, &ev, &e) == 0, "%s", e.msg);
	free(ev.rrule);
	ev.rrule = xstrdup("FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30");
	ck_assert_int_eq(event_series_check(st, &ev, &e), -1);
	ck_assert_int_eq(e.code, ERR_USAGE);
	ck_assert_str_eq(e.msg,
			 "RRULE \"FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30\" never matches a date");
	free(ev.rrule);
	ev.rrule = xstrdup("FREQ=MONTHLY;BYMONTHDAY=31;BYMONTH=4");
	ev.all_day = true;
	ev.start = utc(2026, 6, 2, 0, 0);
	ev.end = ev.start + 86400;
	ck_assert_int_eq(event_series_check(st, &ev, &e), -1);
	ck_assert_str_eq(e.msg,
			 "RRULE \"FREQ=MONTHLY;BYMONTHDAY=31;BYMONTH=4\" never matches a date");
	free(ev.rrule);
	ev.rrule = xstrdup("FREQ=DAILY;UNTIL=20200101");
	ck_assert_int_eq(event_series_check(st, &ev, &e), -1);
	ck_assert_str_eq(e.msg,
			 "RRULE \"FREQ=DAILY;UNTIL=20200101\" has no occurrence from the start");
	ev.all_day = false;
	ev.tzid = xstrdup("Mars/Olympus_Mons");
	ck_assert_int_eq(event_series_check(st, &ev, &e), -1);
	ck_assert_str_eq(e.msg, "unknown time zone \"Mars/Olympus_Mons\"");
	event_release(&ev);

	/* what a pull writes (event_check() parses the rule only) */
	bad = add("never", t, t + 3600, "Europe/Berlin", false,
		  "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30");
	add("lunch", t + 4 * 3600, t + 5 * 3600, "Europe/Berlin", false, NULL);
	add("daily", t, t + 1800, "Europe/Berlin", false, "FREQ=DAILY");
	store_set_warn(catch_warning);
	occ(utc(2026, 6, 1, 0, 0), utc(2026, 6, 4, 0, 0), &l);
	ck_assert_uint_eq(l.nocc, 3); /* daily twice, lunch */
	for (size_t i = 0; i < l.nocc; i++)
		ck_assert_int_ne(l.occ[i].ev->id, bad);
	event_list_release(&l);
	ck_assert_int_eq(nwarned, 1);
	ck_assert_str_eq(warned, "event 1: RRULE \"FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30\" cannot"
				 " be expanded; the series is left out");
	ck_assert_int_eq(
		event_agenda(st, utc(2026, 6, 1, 0, 0), utc(2026, 6, 4, 0, 0), NULL, &l, &e), 0);
	ck_assert_uint_eq(l.nocc, 3);
	event_list_release(&l);
	ck_assert_int_eq(event_search(st, "n", utc(2026, 6, 1, 0, 0), &l, &e), 0);
	ck_assert_uint_eq(l.nocc, 1); /* lunch */
	event_list_release(&l);
	ck_assert_int_eq(nwarned, 1); /* once a process */
	store_set_warn(NULL);
}
END_TEST

/* A series whose zone nothing knows is left out of a window with a
 * warning; a database that cannot say which zones it keeps is an error,
 * not a series (nor an event of an export) to leave out. */
START_TEST(test_zone_table_unreadable)
{
	struct event_list l;
	struct err e = { 0, "" };
	time_t t = utc(2026, 6, 2, 8, 0), from = utc(2026, 6, 1, 0, 0), to = utc(2026, 6, 4, 0, 0);
	long long daily;
	char *sql, *text = NULL;

	daily = add("daily", t, t + 1800, "Europe/Berlin", false, "FREQ=DAILY");
	add("lunch", t + 4 * 3600, t + 5 * 3600, "Europe/Berlin", false, NULL);
	sql = xasprintf("UPDATE events SET tzid = 'Custom/Gone' WHERE id = %lld", daily);
	ck_assert_int_eq(sqlite3_exec(st->db, sql, NULL, NULL, NULL), SQLITE_OK);
	free(sql);
	store_set_warn(catch_warning);
	occ(from, to, &l);
	ck_assert_uint_eq(l.nocc, 1); /* lunch */
	event_list_release(&l);
	ck_assert_int_eq(nwarned, 1);
	ck_assert_str_eq(warned,
			 "event 1: unknown time zone \"Custom/Gone\"; the series is left out");
	ck_assert_int_eq(ical_export(st, NULL, NULL, NULL, &text, &e), 0);
	ck_assert_ptr_null(strstr(text, "SUMMARY:daily"));
	free(text);
	ck_assert_int_eq(nwarned, 2);
	ck_assert_str_eq(
		warned, "event 1: unknown time zone \"Custom/Gone\"; it is left out of the export");

	ck_assert_int_eq(sqlite3_exec(st->db, "DROP TABLE timezones", NULL, NULL, NULL), SQLITE_OK);
	ck_assert_int_eq(event_occurrences(st, from, to, NULL, &l, &e), -1);
	ck_assert_int_eq(e.code, ERR_FAIL);
	ck_assert_str_eq(e.msg, "time zone: no such table: timezones");
	ck_assert_int_eq(event_agenda(st, from, to, NULL, &l, &e), -1);
	ck_assert_str_eq(e.msg, "time zone: no such table: timezones");
	ck_assert_int_eq(event_search(st, "daily", from, &l, &e), -1);
	ck_assert_str_eq(e.msg, "time zone: no such table: timezones");
	text = NULL;
	ck_assert_int_eq(ical_export(st, NULL, NULL, NULL, &text, &e), -1);
	ck_assert_str_eq(e.msg, "time zone: no such table: timezones");
	ck_assert_ptr_null(text);
	ck_assert_int_eq(nwarned, 2);
	store_set_warn(NULL);
}
END_TEST

/* Edit series id: rrule (NULL: unchanged) and start (0: unchanged; the
 * same hour long), then the start of its one occurrence in the agenda's
 * week of 2027-06-07 (0: none), once every row's reach is checked. */
static time_t edit_then_week(long long id, const char *rrule, time_t start)
{
	struct event ev;
	struct event_list l;
	struct err e = { 0, "" };
	time_t week = utc(2027, 6, 7, 0, 0), first = 0;

	ck_assert_int_eq(event_get(st, id, &ev, &e), 0);
	if (rrule) {
		free(ev.rrule);
		ev.rrule = xstrdup(rrule);
	}
	if (start) {
		ev.start = start;
		ev.end = start + 3600;
	}
	ck_assert_msg(event_update(st, &ev, 2000, &e) == 0, "%s", e.msg);
	event_release(&ev);
	ck_assert_int_eq(tu_reach_wrong(st), 0);
	ck_assert_msg(event_agenda(st, week, week + 7 * 86400, NULL, &l, &e) == 0, "%s", e.msg);
	ck_assert_uint_le(l.nocc, 1);
	if (l.nocc)
		first = l.occ[0].start;
	event_list_release(&l);
	return first;
}

/* The agenda finds a series by the class of its reach: an edit that
 * makes a series of two weeks last three years (or start elsewhere, or end
 * again) moves it, and the agenda follows. */
START_TEST(test_reach_follows_edit)
{
	long long id = add("standup", utc(2026, 1, 5, 9, 0), utc(2026, 1, 5, 10, 0), "UTC", false,
			   "FREQ=WEEKLY;COUNT=2");

	ck_assert_int_eq(tu_reach_wrong(st), 0);
	ck_assert_int_eq(edit_then_week(id, "FREQ=WEEKLY;UNTIL=20281231T000000Z", 0),
			 utc(2027, 6, 7, 9, 0));
	/* a year later in start: a shorter span, found from its new start */
	ck_assert_int_eq(edit_then_week(id, NULL, utc(2027, 5, 31, 9, 0)), utc(2027, 6, 7, 9, 0));
	/* one occurrence again: none in that week */
	ck_assert_int_eq(edit_then_week(id, "FREQ=WEEKLY;COUNT=1", 0), 0);
}
END_TEST

Suite *event_suite(void)
{
	Suite *s = suite_create("event");
	TCase *tc = tcase_create("event");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_dst_berlin);
	tcase_add_test(tc, test_dst_new_york);
	tcase_add_test(tc, test_count_until_exdate);
	tcase_add_test(tc, test_all_day);
	tcase_add_test(tc, test_override);
	tcase_add_test(tc, test_window_edges);
	tcase_add_test(tc, test_agenda_brief_same);
	tcase_add_test(tc, test_window_large);
	tcase_add_test(tc, test_agenda_strings_blocks);
	tcase_add_test(tc, test_series_alike_but_their_end);
	tcase_add_test(tc, test_search_calendar_errors);
	tcase_add_test(tc, test_edit_holds_its_transaction);
	tcase_add_test(tc, test_tool_edit_holds_its_transaction);
	tcase_add_test(tc, test_delete_only_holds_its_transaction);
	suite_add_tcase(s, tc);
	/* tens of thousands of occurrences: seconds under ASan */
	tc = tcase_create("window");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_tool_window_bounded);
	tcase_add_test(tc, test_occurrences_max);
	tcase_add_test(tc, test_zone_table_unreadable);
	suite_add_tcase(s, tc);
	/* libical searches 500 years for a date before it gives up: seconds
	 * under ASan */
	tc = tcase_create("never");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_series_never_matches);
	tcase_add_test(tc, test_reach_follows_edit);
	suite_add_tcase(s, tc);
	return s;
}
