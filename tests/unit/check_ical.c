/* iCalendar import and export: fixtures in tests/data, round trip, errors. */
#include <check.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "event.h"
#include "ical.h"
#include "store.h"
#include "store-int.h"
#include "testutil.h"
#include "sbuf.h"
#include "xalloc.h"

static char *dir;
static struct store *st;

static struct store *open_db(const char *name)
{
	struct err e = { 0, "" };
	char *path = xasprintf("%s/%s", dir, name);
	struct store *s = store_open(path, &e);

	ck_assert_msg(s != NULL, "%s", e.msg);
	free(path);
	return s;
}

static void setup(void)
{
	setenv("TZ", "Europe/Berlin", 1);
	tzset();
	dir = tu_tmpdir();
	st = open_db("nestor.db");
}

static void teardown(void)
{
	store_free(st);
	tu_rmrf(dir);
	free(dir);
}

static char *fixture(const char *name)
{
	char *rel = xasprintf("tests/data/%s", name), *path = tu_src(rel);
	char *text = tu_slurp(path, NULL);

	ck_assert_msg(text != NULL, "missing %s", path);
	free(rel);
	free(path);
	return text;
}

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

static int import_text(struct store *s, const char *text, struct ical_report *rep, struct err *e)
{
	return ical_import(s, text, NULL, 1000, NULL, NULL, rep, e);
}

/* Import text into s, which must succeed; the report in *rep. */
static void import_ok(struct store *s, const char *text, struct ical_report *rep)
{
	struct err e = { 0, "" };

	ck_assert_msg(import_text(s, text, rep, &e) == 0, "%s", e.msg);
}

static void import_fixture(struct store *s, const char *name, struct ical_report *rep)
{
	char *text = fixture(name);

	import_ok(s, text, rep);
	free(text);
}

/* Export st and import that into a new store, *other; the export is
 * returned (to free), the import's report left in *rep (released if rep is
 * NULL). */
static char *export_import(struct store **other, struct ical_report *rep)
{
	struct ical_report own;
	struct err e = { 0, "" };
	char *out;

	ck_assert_int_eq(ical_export(st, NULL, NULL, NULL, &out, &e), 0);
	*other = open_db("other.db");
	ck_assert_msg(import_text(*other, out, rep ? rep : &own, &e) == 0, "%s in %s", e.msg, out);
	if (!rep)
		ical_report_release(&own);
	return out;
}

/* Import the calendar text into st, then export_import; the new store in
 * *other. */
static char *round_trip(const char *text, struct store **other)
{
	struct ical_report rep;

	import_ok(st, text, &rep);
	ical_report_release(&rep);
	return export_import(other, NULL);
}

static size_t count_events(struct store *s)
{
	struct event_list l;
	struct err e = { 0, "" };
	size_t n;

	ck_assert_int_eq(event_all(s, NULL, &l, &e), 0);
	n = l.nevents;
	event_list_release(&l);
	return n;
}

/* One line per occurrence of the year: what a user would compare. */
static char *year_agenda(struct store *s)
{
	struct event_list l;
	struct err e = { 0, "" };
	struct sbuf sb = SBUF_INIT;

	ck_assert_int_eq(
		event_occurrences(s, utc(2026, 1, 1, 0, 0), utc(2027, 1, 1, 0, 0), NULL, &l, &e),
		0);
	for (size_t i = 0; i < l.nocc; i++)
		sbuf_addf(&sb, "%s %lld %lld %d %s|%s|%s\n", l.occ[i].ev->uid,
			  (long long)l.occ[i].start, (long long)l.occ[i].end, l.occ[i].ev->all_day,
			  l.occ[i].summary, l.occ[i].location ? l.occ[i].location : "",
			  l.occ[i].notes ? l.occ[i].notes : "");
	event_list_release(&l);
	return sbuf_detach(&sb);
}

START_TEST(test_import_fixture)
{
	struct ical_report rep;
	struct event_list l;
	struct event ev;
	struct err e = { 0, "" };

	import_fixture(st, "calendar.ics", &rep);
	ck_assert_uint_eq(rep.added, 5);
	ck_assert_uint_eq(rep.updated, 0);
	ck_assert_ptr_null(rep.skipped_what);
	ical_report_release(&rep);
	/* again: updated by UID, not duplicated */
	import_fixture(st, "calendar.ics", &rep);
	ck_assert_uint_eq(rep.added, 0);
	ck_assert_uint_eq(rep.updated, 5);
	ical_report_release(&rep);
	ck_assert_uint_eq(count_events(st), 5);

	ck_assert_int_eq(event_get_uid(st, "weekly-berlin@test", &ev, &e), 0);
	ck_assert_str_eq(ev.tzid, "Europe/Berlin");
	ck_assert_str_eq(ev.notes, "Weekly sync, bring notes");
	ck_assert_uint_eq(ev.nexdates, 1);
	ck_assert_int_eq(ev.exdates[0], utc(2026, 4, 6, 7, 0));
	ck_assert_uint_eq(ev.noverrides, 1);
	ck_assert_msg(strstr(ev.attendees, "mailto:alice@example.org") &&
			      strstr(ev.attendees, "CN=Bob"),
		      "%s", ev.attendees);
	ck_assert_msg(strstr(ev.alarms, "TRIGGER:-PT15M") != NULL, "%s", ev.alarms);
	event_release(&ev);

	/* April: 04-06 excluded, 04-13 moved to Tuesday 04-14 11:00 */
	ck_assert_int_eq(
		event_occurrences(st, utc(2026, 4, 1, 0, 0), utc(2026, 5, 1, 0, 0), NULL, &l, &e),
		0);
	ck_assert_uint_eq(l.nocc, 3);
	ck_assert_str_eq(l.occ[0].summary, "Team meeting (moved)");
	ck_assert_int_eq(l.occ[0].start, utc(2026, 4, 14, 9, 0));
	ck_assert_int_eq(l.occ[1].start, utc(2026, 4, 20, 7, 0));
	event_list_release(&l);
	/* COUNT=10 from 03-05, crossing New York's DST change on 03-08 */
	ck_assert_int_eq(
		event_occurrences(st, utc(2026, 3, 1, 0, 0), utc(2026, 3, 31, 0, 0), NULL, &l, &e),
		0);
	{
		size_t ny = 0;

		for (size_t i = 0; i < l.nocc; i++) {
			if (strcmp(l.occ[i].ev->uid, "ny-standup@test"))
				continue;
			ck_assert_int_eq(l.occ[i].start % 86400,
					 (ny < 3 ? 14 : 13) * 3600); /* 09:00 EST, then EDT */
			ck_assert_int_eq(l.occ[i].end - l.occ[i].start, 1800);
			ny++;
		}
		ck_assert_uint_eq(ny, 10);
	}
	event_list_release(&l);
}
END_TEST

/* Export, import into an empty database: the same occurrences over a year,
 * the same UIDs, attendees and alarms. */
START_TEST(test_round_trip)
{
	struct ical_report rep;
	struct store *other;
	struct err e = { 0, "" };
	struct event ev;
	char *text, *a, *b;

	import_fixture(st, "calendar.ics", &rep);
	ical_report_release(&rep);
	import_fixture(st, "mixed.ics", &rep);
	ck_assert_str_eq(rep.skipped_what, "1 VJOURNAL");
	ck_assert_uint_eq(rep.skipped, 1);
	ck_assert_uint_eq(rep.tasks_added, 1); /* the VTODO is a task */
	ical_report_release(&rep);
	text = export_import(&other, &rep);
	ck_assert_uint_eq(rep.added, 6);
	ical_report_release(&rep);
	a = year_agenda(st);
	b = year_agenda(other);
	ck_assert_str_eq(a, b);
	ck_assert_msg(strstr(a, "kept@test 1773129600") != NULL, "custom zone: %s", a);
	ck_assert_int_eq(event_get_uid(other, "weekly-berlin@test", &ev, &e), 0);
	ck_assert_msg(strstr(ev.attendees, "alice@example.org") != NULL, "%s", ev.attendees);
	ck_assert_msg(strstr(ev.alarms, "-PT15M") != NULL, "%s", ev.alarms);
	event_release(&ev);
	free(a);
	free(b);
	free(text);
	/* a window exports only what touches it */
	{
		time_t from = utc(2026, 5, 19, 0, 0), to = utc(2026, 5, 26, 0, 0);

		ck_assert_int_eq(ical_export(st, &from, &to, NULL, &text, &e), 0);
		ck_assert_msg(strstr(text, "UID:trip@test") && strstr(text, "UID:weekly-berlin") &&
				      !strstr(text, "UID:dentist@test"),
			      "%s", text);
		free(text);
	}
	store_free(other);
}
END_TEST

START_TEST(test_malformed)
{
	struct ical_report rep;
	struct err e = { 0, "" };
	char *text = fixture("malformed.ics");

	ck_assert_int_eq(import_text(st, text, &rep, &e), -1);
	ck_assert_str_eq(e.msg, "line 12: bad DTSTART \"2026-BROKEN\"");
	ck_assert_int_eq(e.code, ERR_USAGE);
	ck_assert_uint_eq(count_events(st), 0); /* the good event was not written */
	free(text);
	text = fixture("unbalanced.ics");
	ck_assert_int_eq(import_text(st, text, &rep, &e), -1);
	ck_assert_str_eq(e.msg, "line 7: END:VCALENDAR inside BEGIN:VEVENT of line 3");
	free(text);
	/* a UTF-8 byte order mark is skipped, on the first line only */
	import_ok(st,
		  "\xEF\xBB\xBF"
		  "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nUID:bom@test\r\n"
		  "DTSTART:20260310T140000Z\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n",
		  &rep);
	ck_assert_uint_eq(rep.added, 1);
	ical_report_release(&rep);
	ck_assert_int_eq(import_text(st,
				     "BEGIN:VCALENDAR\r\n\xEF\xBB\xBFVERSION:2.0\r\n"
				     "END:VCALENDAR\r\n",
				     &rep, &e),
			 -1);
	ck_assert_str_eq(e.msg, "line 2: not an iCalendar line \"\xEF\xBB\xBFVERSION:2.0\"");
	ck_assert_int_eq(import_text(st, "hello\n", &rep, &e), -1);
	ck_assert_str_eq(e.msg, "line 1: not an iCalendar line \"hello\"");
	ck_assert_int_eq(import_text(st, "", &rep, &e), -1);
	ck_assert_int_eq(import_text(st,
				     "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:a\r\n"
				     "SUMMARY:no start\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n",
				     &rep, &e),
			 -1);
	ck_assert_str_eq(e.msg, "line 2: event without DTSTART");
	ck_assert_int_eq(import_text(st,
				     "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:a\r\n"
				     "DTSTART;TZID=Atlantis/Capital:20260101T100000\r\n"
				     "END:VEVENT\r\nEND:VCALENDAR\r\n",
				     &rep, &e),
			 -1);
	ck_assert_str_eq(e.msg, "line 4: unknown time zone \"Atlantis/Capital\"");
	ck_assert_int_eq(import_text(st,
				     "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:a\r\n"
				     "DTSTART:20260101T100000Z\r\nRRULE:FREQ=OFTEN\r\n"
				     "END:VEVENT\r\nEND:VCALENDAR\r\n",
				     &rep, &e),
			 -1);
	ck_assert_str_eq(e.msg, "line 5: bad RRULE \"FREQ=OFTEN\"");
	/* an offset beyond 23:59 (RFC 5545 3.3.14) is refused, not clamped */
	for (int i = 0; i < 3; i++) {
		static const char *const offs[] = { "TZOFFSETFROM:+9900", "TZOFFSETTO:+0160",
						    "TZOFFSETTO:0100" };
		static const char *const msgs[] = { "line 6: bad TZOFFSETFROM \"+9900\"",
						    "line 7: bad TZOFFSETTO \"+0160\"",
						    "line 7: bad TZOFFSETTO \"0100\"" };
		char *text = xasprintf(
			"BEGIN:VCALENDAR\r\nBEGIN:VTIMEZONE\r\nTZID:Custom/Odd\r\n"
			"BEGIN:STANDARD\r\nDTSTART:19700101T000000\r\n%s\r\n%s\r\n"
			"END:STANDARD\r\nEND:VTIMEZONE\r\nBEGIN:VEVENT\r\nUID:odd@test\r\n"
			"DTSTART;TZID=Custom/Odd:20260101T100000\r\nEND:VEVENT\r\n"
			"END:VCALENDAR\r\n",
			i == 0 ? offs[0] : "TZOFFSETFROM:+0100",
			i == 0 ? "TZOFFSETTO:+0100" : offs[i]);

		ck_assert_int_eq(import_text(st, text, &rep, &e), -1);
		ck_assert_str_eq(e.msg, msgs[i]);
		free(text);
	}
	ck_assert_uint_eq(count_events(st), 1); /* the one with a BOM */
}
END_TEST

/* A date libical reads field by field (month 13, February 30, 25:00) or
 * one beyond 9999 is a bad value on its line, and nothing is written. */
START_TEST(test_out_of_range)
{
	static const struct {
		const char *prop, *want;
	} cases[] = {
		{ "DTSTART:20261301T100000Z", "line 9: bad DTSTART \"20261301T100000Z\"" },
		{ "DTSTART;VALUE=DATE:20260230", "line 9: bad DTSTART \"20260230\"" },
		{ "DTSTART;TZID=Europe/Berlin:20260101T250000",
		  "line 9: bad DTSTART \"20260101T250000\"" },
		{ "DTSTART:20260101T100000Z\r\nDTEND:20260101T106000Z",
		  "line 10: bad DTEND \"20260101T106000Z\"" },
		{ "DTSTART:99991231T100000Z\r\nDURATION:P1000D",
		  "line 7: an event must lie in the years 1-9999" },
		{ "DTSTART:20260101T100000Z\r\nRRULE:FREQ=DAILY\r\n"
		  "EXDATE:20260001T100000Z",
		  "line 11: bad EXDATE \"20260001T100000Z\"" },
	};
	struct ical_report rep;
	struct err e = { 0, "" };

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *text = xasprintf("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\n"
				       "UID:good@test\r\nDTSTART:20260310T140000Z\r\n"
				       "END:VEVENT\r\nBEGIN:VEVENT\r\nUID:bad@test\r\n%s\r\n"
				       "END:VEVENT\r\nEND:VCALENDAR\r\n",
				       cases[i].prop);

		ck_assert_int_eq(import_text(st, text, &rep, &e), -1);
		ck_assert_str_eq(e.msg, cases[i].want);
		ck_assert_int_eq(e.code, ERR_USAGE);
		ck_assert_uint_eq(count_events(st), 0);
		free(text);
	}
}
END_TEST

/* Times after the year 3000 (libical writes zeros for them) go out as they
 * are, and the export imports again with the same instants. */
START_TEST(test_far_years)
{
	static const char *const want[] = {
		"DTSTART;TZID=Europe/Berlin:30260601T090000",
		"DTSTART:30010101T000000Z",
		"DTSTART;VALUE=DATE:40000101",
		"DTEND;VALUE=DATE:40000102",
		"DTSTART:99991231T100000Z",
		"DUE:50000101T090000Z",
	};
	static const char *const uids[] = { "berlin@test", "utc@test", "date@test", "last@test" };
	struct ical_report rep;
	struct store *other;
	struct err e = { 0, "" };
	char *text;

	import_ok(st,
		  "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nUID:berlin@test\r\n"
		  "DTSTART;TZID=Europe/Berlin:30260601T090000\r\nEND:VEVENT\r\n"
		  "BEGIN:VEVENT\r\nUID:utc@test\r\nDTSTART:30010101T000000Z\r\n"
		  "END:VEVENT\r\nBEGIN:VEVENT\r\nUID:date@test\r\n"
		  "DTSTART;VALUE=DATE:40000101\r\nEND:VEVENT\r\n"
		  "BEGIN:VEVENT\r\nUID:last@test\r\nDTSTART:99991231T100000Z\r\n"
		  "END:VEVENT\r\nBEGIN:VTODO\r\nUID:task@test\r\nSUMMARY:t\r\n"
		  "DUE:50000101T090000Z\r\nEND:VTODO\r\nEND:VCALENDAR\r\n",
		  &rep);
	ical_report_release(&rep);
	text = export_import(&other, &rep);
	ck_assert_msg(!strstr(text, "00000000"), "%s", text);
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++)
		ck_assert_msg(strstr(text, want[i]) != NULL, "%s not in %s", want[i], text);
	ck_assert_uint_eq(rep.added, 4);
	ck_assert_uint_eq(rep.tasks_added, 1);
	ical_report_release(&rep);
	for (size_t i = 0; i < sizeof(uids) / sizeof(uids[0]); i++) {
		struct event a, b;

		ck_assert_int_eq(event_get_uid(st, uids[i], &a, &e), 0);
		ck_assert_int_eq(event_get_uid(other, uids[i], &b, &e), 0);
		ck_assert_int_eq(a.start, b.start);
		ck_assert_int_eq(a.end, b.end);
		ck_assert_int_eq(a.all_day, b.all_day);
		event_release(&a);
		event_release(&b);
	}
	free(text);
	store_free(other);
}
END_TEST

/* An empty TEXT value (RFC 5545 3.3.11; Outlook writes an empty DESCRIPTION
 * or LOCATION) is empty, not a reason to refuse the file; an empty DTSTART
 * still is. */
START_TEST(test_empty_text)
{
	struct ical_report rep;
	struct err e = { 0, "" };
	struct event ev;

	import_ok(st,
		  "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nUID:empty@test\r\n"
		  "DTSTART:20260610T090000Z\r\nSUMMARY:\r\nDESCRIPTION:\r\n"
		  "LOCATION:\r\nBEGIN:VALARM\r\nACTION:DISPLAY\r\nDESCRIPTION:\r\n"
		  "TRIGGER:-PT5M\r\nEND:VALARM\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n",
		  &rep);
	ck_assert_uint_eq(rep.added, 1);
	ical_report_release(&rep);
	ck_assert_int_eq(event_get_uid(st, "empty@test", &ev, &e), 0);
	ck_assert_str_eq(ev.summary, "(no title)");
	ck_assert_ptr_null(ev.notes);
	ck_assert_ptr_null(ev.location);
	ck_assert_msg(strstr(ev.alarms, "TRIGGER:-PT5M") && !strstr(ev.alarms, "X-LIC"), "%s",
		      ev.alarms);
	event_release(&ev);
	ck_assert_int_eq(import_text(st,
				     "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:a\r\nDTSTART:\r\n"
				     "END:VEVENT\r\nEND:VCALENDAR\r\n",
				     &rep, &e),
			 -1);
	ck_assert_str_eq(e.msg, "line 4: empty DTSTART");
}
END_TEST

/* What nestor does not keep is counted, never dropped without a word: an
 * RDATE line, a component inside an event other than a VALARM. */
START_TEST(test_dropped_counted)
{
	struct ical_report rep;

	import_ok(st,
		  "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nUID:r@test\r\n"
		  "DTSTART:20260610T090000Z\r\nRDATE:20260611T090000Z,20260612T090000Z\r\n"
		  "RDATE:20260615T090000Z\r\nBEGIN:VEVENT\r\nUID:inner@test\r\n"
		  "DTSTART:20260610T090000Z\r\nEND:VEVENT\r\nBEGIN:VALARM\r\n"
		  "ACTION:DISPLAY\r\nTRIGGER:-PT5M\r\nEND:VALARM\r\nEND:VEVENT\r\n"
		  "END:VCALENDAR\r\n",
		  &rep);
	ck_assert_uint_eq(rep.added, 1);
	ck_assert_uint_eq(rep.skipped, 3);
	ck_assert_str_eq(rep.skipped_what, "2 RDATE, 1 VEVENT inside VEVENT");
	ical_report_release(&rep);
	ck_assert_uint_eq(count_events(st), 1);
}
END_TEST

/* An occurrence moved to another zone than its series' keeps that zone
 * through an export and an import. */
START_TEST(test_override_zone)
{
	struct store *other;
	struct err e = { 0, "" };
	struct event ev;
	char *text = round_trip(
		"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nUID:s@test\r\n"
		"DTSTART;TZID=Europe/Berlin:20260601T090000\r\nRRULE:FREQ=DAILY;COUNT=5\r\n"
		"SUMMARY:s\r\nEND:VEVENT\r\nBEGIN:VEVENT\r\nUID:s@test\r\n"
		"RECURRENCE-ID;TZID=Europe/Berlin:20260603T090000\r\n"
		"DTSTART;TZID=America/New_York:20260603T090000\r\nSUMMARY:moved\r\n"
		"END:VEVENT\r\nEND:VCALENDAR\r\n",
		&other);

	ck_assert_msg(strstr(text, "DTSTART;TZID=America/New_York:20260603T090000") &&
			      strstr(text, "TZID:America/New_York") &&
			      strstr(text, "RECURRENCE-ID;TZID=Europe/Berlin:20260603T090000"),
		      "%s", text);
	ck_assert_int_eq(event_get_uid(other, "s@test", &ev, &e), 0);
	ck_assert_uint_eq(ev.noverrides, 1);
	ck_assert_str_eq(ev.overrides[0].tzid, "America/New_York");
	ck_assert_int_eq(ev.overrides[0].start, utc(2026, 6, 3, 13, 0));
	event_release(&ev);
	free(text);
	store_free(other);
}
END_TEST

static void same_times(struct store *other, const char *uid, time_t start, time_t end)
{
	struct err e = { 0, "" };
	struct event a, b;

	ck_assert_int_eq(event_get_uid(st, uid, &a, &e), 0);
	ck_assert_int_eq(event_get_uid(other, uid, &b, &e), 0);
	ck_assert_int_eq(a.start, start);
	ck_assert_int_eq(a.end, end);
	ck_assert_int_eq(b.start, start);
	ck_assert_int_eq(b.end, end);
	event_release(&a);
	event_release(&b);
}

/* The starts of the occurrences of the store's events in the week from
 * 2026-03-28, as UTC hours and minutes ("01:30 00:30 ..."). */
static char *gap_week(struct store *s)
{
	struct err e = { 0, "" };
	struct event_list l;
	struct sbuf sb = SBUF_INIT;

	ck_assert_msg(event_occurrences(s, utc(2026, 3, 28, 0, 0), utc(2026, 4, 4, 0, 0), NULL, &l,
					&e) == 0,
		      "%s", e.msg);
	for (size_t i = 0; i < l.nocc; i++) {
		struct tm tm;

		gmtime_r(&l.occ[i].start, &tm);
		sbuf_addf(&sb, "%s%02d %02d:%02d", i ? " " : "", tm.tm_mday, tm.tm_hour, tm.tm_min);
	}
	event_list_release(&l);
	return sbuf_detach(&sb);
}

/* A daily series written at 02:30 in Berlin on the day 02:00 jumps to
 * 03:00: that day at 03:30 CEST (01:30 UTC), the others at 02:30 CEST
 * (00:30 UTC), as RFC 5545 3.3.5 reads it; an EXDATE at 02:30 names its
 * day; the export writes the DTSTART as written and a re-import gives the
 * same occurrences. */
START_TEST(test_gap_series)
{
	static const char *const week = "29 01:30 30 00:30 31 00:30 02 00:30 03 00:30";
	struct store *other;
	char *out, *got;

	out = round_trip("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nUID:gap@test\r\n"
			 "DTSTART;TZID=Europe/Berlin:20260329T023000\r\n"
			 "DTEND;TZID=Europe/Berlin:20260329T043000\r\n"
			 "RRULE:FREQ=DAILY\r\nEXDATE;TZID=Europe/Berlin:20260401T023000\r\n"
			 "SUMMARY:night\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n",
			 &other);
	ck_assert_msg(strstr(out, "DTSTART;TZID=Europe/Berlin:20260329T023000") &&
			      strstr(out, "EXDATE;TZID=Europe/Berlin:20260401T023000"),
		      "%s", out);
	got = gap_week(st);
	ck_assert_str_eq(got, week);
	free(got);
	got = gap_week(other);
	ck_assert_str_eq(got, week);
	free(got);
	same_times(other, "gap@test", utc(2026, 3, 29, 1, 30), utc(2026, 3, 29, 2, 30));
	free(out);
	store_free(other);
}
END_TEST

/* A wall-clock time a file cannot hold (year 10000 in Berlin, year 0 in
 * New York) goes out in UTC, never as a value no importer reads. */
START_TEST(test_wall_past_9999)
{
	struct store *other;
	char *text =
		round_trip("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nUID:last@test\r\n"
			   "DTSTART;TZID=Europe/Berlin:99991231T233000\r\nDURATION:PT1H\r\n"
			   "END:VEVENT\r\nBEGIN:VEVENT\r\nUID:first@test\r\n"
			   "DTSTART;X-NESTOR-TZID=America/New_York:00010101T020000Z\r\n"
			   "DTEND:00010101T070000Z\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n",
			   &other);

	ck_assert_msg(
		!strstr(text, "ERROR") && strstr(text, "DTEND:99991231T233000Z") &&
			strstr(text, "DTSTART;X-NESTOR-TZID=America/New_York:00010101T020000Z"),
		"%s", text);
	same_times(other, "last@test", (time_t)253402295400LL, (time_t)253402299000LL);
	same_times(other, "first@test", (time_t)-62135589600LL, (time_t)-62135571600LL);
	free(text);
	store_free(other);
}
END_TEST

/* Times before 1902 (libical's time_t stops there) are read as written,
 * and go out as they came. */
START_TEST(test_before_1902)
{
	static const char *const want[] = {
		"DTSTART:18000101T100000Z",
		"DTSTART:00010101T000000Z",
		"DTSTART;TZID=Europe/Berlin:18000101T100000",
		"DTSTART;VALUE=DATE:18000101",
	};
	struct store *other;
	char *text = round_trip(
		"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nUID:a@test\r\n"
		"DTSTART:18000101T100000Z\r\nDTEND:18000101T110000Z\r\nEND:VEVENT\r\n"
		"BEGIN:VEVENT\r\nUID:b@test\r\nDTSTART:00010101T000000Z\r\nEND:VEVENT\r\n"
		"BEGIN:VEVENT\r\nUID:c@test\r\nDTSTART;TZID=Europe/Berlin:18000101T100000\r\n"
		"END:VEVENT\r\nBEGIN:VEVENT\r\nUID:d@test\r\nDTSTART;VALUE=DATE:18000101\r\n"
		"END:VEVENT\r\nEND:VCALENDAR\r\n",
		&other);

	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++)
		ck_assert_msg(strstr(text, want[i]) != NULL, "%s not in %s", want[i], text);
	same_times(other, "a@test", (time_t)-5364626400LL, (time_t)-5364622800LL);
	same_times(other, "b@test", (time_t)-62135596800LL, (time_t)-62135596800LL);
	/* Berlin's local mean time then: +00:53:28 */
	same_times(other, "c@test", (time_t)-5364626400LL - 3208, (time_t)-5364626400LL - 3208);
	same_times(other, "d@test", (time_t)-5364662400LL, (time_t)-5364576000LL);
	free(text);
	store_free(other);
}
END_TEST

/* A VTIMEZONE offset with blanks after it reads as libical reads it. */
START_TEST(test_offset_blanks)
{
	struct ical_report rep;

	import_ok(st,
		  "BEGIN:VCALENDAR\r\nBEGIN:VTIMEZONE\r\nTZID:Custom/Blank\r\n"
		  "BEGIN:STANDARD\r\nDTSTART:19700101T000000\r\n"
		  "TZOFFSETFROM:+0100 \r\nTZOFFSETTO:+0100\t\r\nEND:STANDARD\r\n"
		  "END:VTIMEZONE\r\nBEGIN:VEVENT\r\nUID:blank@test\r\n"
		  "DTSTART;TZID=Custom/Blank:20260101T100000\r\nEND:VEVENT\r\n"
		  "END:VCALENDAR\r\n",
		  &rep);
	ck_assert_uint_eq(rep.added, 1);
	ical_report_release(&rep);
	same_times(st, "blank@test", utc(2026, 1, 1, 9, 0), utc(2026, 1, 1, 9, 0));
}
END_TEST

/* An RDATE of a task is counted as an event's is. */
START_TEST(test_todo_rdate_counted)
{
	struct ical_report rep;

	import_ok(st,
		  "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VTODO\r\nUID:t@test\r\n"
		  "SUMMARY:t\r\nDUE:20260610T090000Z\r\n"
		  "RDATE:20260611T090000Z\r\nEND:VTODO\r\nEND:VCALENDAR\r\n",
		  &rep);
	ck_assert_uint_eq(rep.tasks_added, 1);
	ck_assert_uint_eq(rep.skipped, 1);
	ck_assert_str_eq(rep.skipped_what, "1 RDATE");
	ical_report_release(&rep);
}
END_TEST

static void count_progress(const struct ical_progress *p, void *arg)
{
	size_t *calls = arg;

	ck_assert_uint_le(p->bytes, p->total);
	(*calls)++;
}

/* Overrides arriving in a later file attach to the stored series; progress
 * is reported. */
START_TEST(test_override_later_and_progress)
{
	struct ical_report rep;
	struct err e = { 0, "" };
	struct event ev;
	size_t calls = 0;
	char *text = fixture("calendar.ics");

	ck_assert_int_eq(ical_import(st, text, "work", 0, count_progress, &calls, &rep, &e), 0);
	ck_assert_uint_gt(calls, 0);
	ical_report_release(&rep);
	free(text);
	ck_assert_int_eq(
		ical_import(st,
			    "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:birthday@test\r\n"
			    "RECURRENCE-ID;VALUE=DATE:20271210\r\nSUMMARY:Ada's party\r\n"
			    "DTSTART;VALUE=DATE:20271211\r\nEND:VEVENT\r\n"
			    "BEGIN:VEVENT\r\nUID:nobody@test\r\n"
			    "RECURRENCE-ID:20271210T100000Z\r\nDTSTART:20271210T110000Z\r\n"
			    "END:VEVENT\r\nEND:VCALENDAR\r\n",
			    "work", 0, NULL, NULL, &rep, &e),
		0);
	ck_assert_uint_eq(rep.updated, 1);
	ck_assert_str_eq(rep.skipped_what, "1 RECURRENCE-ID without its series");
	ical_report_release(&rep);
	ck_assert_int_eq(event_get_uid(st, "birthday@test", &ev, &e), 0);
	ck_assert_str_eq(ev.calendar, "work");
	ck_assert_uint_eq(ev.noverrides, 1);
	ck_assert_int_eq(ev.overrides[0].recurrence_id, utc(2027, 12, 10, 0, 0));
	ck_assert_int_eq(ev.overrides[0].start, utc(2027, 12, 11, 0, 0));
	event_release(&ev);
}
END_TEST

/* The import reads one component at a time: what refers forward still
 * works (an override before its series), a UID twice counts once and the
 * last one wins, and a property nestor does not keep is not read. */
START_TEST(test_stream_order)
{
	struct ical_report rep;
	struct err e = { 0, "" };
	struct event ev;

	import_ok(st,
		  "BEGIN:VCALENDAR\r\n"
		  "BEGIN:VEVENT\r\nUID:s@test\r\nRECURRENCE-ID:20260302T090000Z\r\n"
		  "DTSTART:20260302T150000Z\r\nSUMMARY:Moved\r\nEND:VEVENT\r\n"
		  "BEGIN:VEVENT\r\nUID:s@test\r\nDTSTAMP:NOT-A-TIME\r\n"
		  "DTSTART:20260223T090000Z\r\nSUMMARY:First\r\n"
		  "RRULE:FREQ=WEEKLY;COUNT=4\r\nEND:VEVENT\r\n"
		  "BEGIN:VEVENT\r\nUID:s@test\r\nDTSTART:20260223T090000Z\r\n"
		  "SUMMARY:Standup\r\nRRULE:FREQ=WEEKLY;COUNT=4\r\nEND:VEVENT\r\n"
		  "END:VCALENDAR\r\n",
		  &rep);
	ck_assert_uint_eq(rep.added, 1);
	ck_assert_uint_eq(rep.updated, 0);
	ical_report_release(&rep);
	ck_assert_uint_eq(count_events(st), 1);
	ck_assert_int_eq(event_get_uid(st, "s@test", &ev, &e), 0);
	ck_assert_str_eq(ev.summary, "Standup");
	ck_assert_uint_eq(ev.noverrides, 1);
	ck_assert_str_eq(ev.overrides[0].summary, "Moved");
	ck_assert_int_eq(ev.overrides[0].start, utc(2026, 3, 2, 15, 0));
	event_release(&ev);
}
END_TEST

/* One integer the query sql gives. */
static long long sql_int(struct store *s, const char *sql)
{
	sqlite3_stmt *q = NULL;
	long long v;

	ck_assert_int_eq(sqlite3_prepare_v2(s->db, sql, -1, &q, NULL), SQLITE_OK);
	ck_assert_int_eq(sqlite3_step(q), SQLITE_ROW);
	v = sqlite3_column_int64(q, 0);
	sqlite3_finalize(q);
	return v;
}

/* The leaf pages of index name that follow the one before them in the file,
 * in per cent of its leaves. */
static long long in_order(struct store *s, const char *name)
{
	char *sql = xasprintf("SELECT 100 * sum(pageno = prev + 1) / count(*) FROM"
			      " (SELECT pageno, lag(pageno) OVER (ORDER BY path) prev"
			      " FROM dbstat WHERE name = '%s' AND pagetype = 'leaf')",
			      name);
	long long v = sql_int(s, sql);

	free(sql);
	return v;
}

/* The table's indexes, by name, with their SQL and first page. */
static char *events_indexes(struct store *s, bool root)
{
	sqlite3_stmt *q = NULL;
	char *v;

	ck_assert_int_eq(
		sqlite3_prepare_v2(s->db,
				   "SELECT group_concat(name || ':' || sql"
				   " || iif(?, rootpage, ''), '|') FROM (SELECT * FROM"
				   " sqlite_schema WHERE tbl_name = 'events' ORDER BY name)",
				   -1, &q, NULL),
		SQLITE_OK);
	sqlite3_bind_int(q, 1, root);
	ck_assert_int_eq(sqlite3_step(q), SQLITE_ROW);
	v = xstrdup((const char *)sqlite3_column_text(q, 0));
	sqlite3_finalize(q);
	return v;
}

/* An import that adds more events than the store held makes the table's
 * indexes again at its end: the same indexes, their pages in order (grown
 * row by row they were scattered), the same agenda; a small import after
 * it leaves them as they are. */
START_TEST(test_bulk_indexes)
{
	struct sbuf sb = SBUF_INIT;
	struct ical_report rep;
	struct err e = { 0, "" };
	struct event_list l;
	char *before = events_indexes(st, false), *after;
	size_t n = 0;

	sbuf_addf(&sb, "BEGIN:VCALENDAR\r\n");
	for (int i = 0; i < 3000; i++) {
		int m = 1 + i % 12, d = 1 + (i * 7) % 28;

		sbuf_addf(&sb,
			  "BEGIN:VEVENT\r\nUID:bulk-%d@test\r\nDTSTART:2026%02d%02dT%02d0000Z\r\n"
			  "DURATION:PT1H\r\nSUMMARY:Event %d, a summary of some length\r\n%s"
			  "END:VEVENT\r\n",
			  i, m, d, i % 24, i,
			  i % 2 ? "RRULE:FREQ=WEEKLY;UNTIL=20270101T000000Z\r\n" : "");
		/* in the week of June 1st: begun in it, or a series begun before */
		n += (m == 6 && d <= 7) || (i % 2 && m < 6);
	}
	sbuf_addf(&sb, "END:VCALENDAR\r\n");
	import_ok(st, sb.buf, &rep);
	ck_assert_uint_eq(rep.added, 3000);
	ical_report_release(&rep);
	after = events_indexes(st, false);
	ck_assert_str_eq(after, before);
	ck_assert_int_ge(in_order(st, "events_reach"), 90);
	ck_assert_int_ge(in_order(st, "events_start"), 90);
	ck_assert_int_eq(sql_int(st, "SELECT count(*) FROM pragma_integrity_check"
				     " WHERE integrity_check <> 'ok'"),
			 0);
	ck_assert_int_eq(
		event_agenda(st, utc(2026, 6, 1, 0, 0), utc(2026, 6, 8, 0, 0), NULL, &l, &e), 0);
	ck_assert_uint_eq(l.nocc, n);
	event_list_release(&l);
	free(before);
	before = events_indexes(st, true);
	import_ok(st,
		  "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:one@test\r\n"
		  "DTSTART:20260601T090000Z\r\nSUMMARY:One\r\n"
		  "RRULE:FREQ=DAILY;COUNT=2\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n",
		  &rep);
	ical_report_release(&rep);
	free(after);
	after = events_indexes(st, true);
	ck_assert_str_eq(after, before);
	free(before);
	free(after);
	sbuf_release(&sb);
}
END_TEST

Suite *ical_suite(void)
{
	Suite *s = suite_create("ical");
	TCase *tc = tcase_create("ical");

	/* big results and bulk imports take seconds under the sanitizers */
	tcase_set_timeout(tc, 60);
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_import_fixture);
	tcase_add_test(tc, test_round_trip);
	tcase_add_test(tc, test_malformed);
	tcase_add_test(tc, test_out_of_range);
	tcase_add_test(tc, test_far_years);
	tcase_add_test(tc, test_empty_text);
	tcase_add_test(tc, test_dropped_counted);
	tcase_add_test(tc, test_override_zone);
	tcase_add_test(tc, test_wall_past_9999);
	tcase_add_test(tc, test_before_1902);
	tcase_add_test(tc, test_offset_blanks);
	tcase_add_test(tc, test_todo_rdate_counted);
	tcase_add_test(tc, test_override_later_and_progress);
	tcase_add_test(tc, test_stream_order);
	tcase_add_test(tc, test_bulk_indexes);
	tcase_add_test(tc, test_gap_series);
	suite_add_tcase(s, tc);
	return s;
}
