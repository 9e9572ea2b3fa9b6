/* Google Calendar: PKCE (RFC 7636's own example), the times Google sends,
 * the mapping of a series both ways, and the outbox the store keeps for
 * Google events (queued by local writes, never by a pull). */
#include <check.h>
#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>

#include "event.h"
#include "gcal.h"
#include "google-int.h"
#include "google.h"
#include "gsync.h"
#include "store.h"
#include "testutil.h"
#include "xalloc.h"

START_TEST(test_pkce)
{
	char c[48];
	struct gcal_pkce p;
	struct err e = { 0 };

	/* RFC 7636, appendix B */
	gcal_pkce_challenge("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk", c, sizeof(c));
	ck_assert_str_eq(c, "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM");
	ck_assert_int_eq(gcal_pkce_new(&p, &e), 0);
	ck_assert_uint_eq(strlen(p.verifier), 64); /* 43..128 allowed */
	gcal_pkce_challenge(p.verifier, c, sizeof(c));
	ck_assert_str_eq(c, p.challenge);
}
END_TEST

START_TEST(test_times)
{
	time_t t;

	ck_assert_int_eq(gmap_time("2026-06-01T09:00:00.000Z", &t), 0);
	ck_assert_int_eq((long)t, 1780304400L);
	ck_assert_int_eq(gmap_time("2026-06-01T11:00:00+02:00", &t), 0);
	ck_assert_int_eq((long)t, 1780304400L);
	ck_assert_int_eq(gmap_time("2026-06-01T04:30:00-04:30", &t), 0);
	ck_assert_int_eq((long)t, 1780304400L);
	ck_assert_int_eq(gmap_time("2026-06-01", &t), -1);
	ck_assert_int_eq(gmap_time("2026-06-01T09:00:00", &t), -1);
	/* out of range: timegm() would carry them over */
	ck_assert_int_eq(gmap_time("2026-13-01T09:00:00Z", &t), -1);
	ck_assert_int_eq(gmap_time("2026-00-01T09:00:00Z", &t), -1);
	ck_assert_int_eq(gmap_time("2026-06-45T09:00:00Z", &t), -1);
	ck_assert_int_eq(gmap_time("2026-02-29T09:00:00Z", &t), -1);
	ck_assert_int_eq(gmap_time("2028-02-29T09:00:00Z", &t), 0);
	ck_assert_int_eq(gmap_time("2026-06-01T24:00:00Z", &t), -1);
	ck_assert_int_eq(gmap_time("2026-06-01T99:00:00Z", &t), -1);
	ck_assert_int_eq(gmap_time("2026-06-01T09:60:00Z", &t), -1);
	ck_assert_int_eq(gmap_time("2026-06-01T09:00:61Z", &t), -1);
	ck_assert_int_eq(gmap_time("2026-06-01T09:00:00+99:99", &t), -1);
	ck_assert_int_eq(gmap_time("2026-06-01T09:00:00+18:01", &t), -1);
	ck_assert_int_eq(gmap_time("2026-06-01T09:00:00-05:60", &t), -1);
	ck_assert_int_eq(gmap_time("2026-06-01T09:00:00+14:00", &t), 0);
	ck_assert_int_eq(t, 1780254000); /* 2026-05-31 19:00 UTC */
}
END_TEST

/* A Berlin series whose EXDATE falls after the switch to summer time: the
 * excluded key is that occurrence's UTC start, and it goes back out in the
 * series' zone. */
START_TEST(test_series_both_ways)
{
	const char *json =
		"{\"id\": \"s1\", \"summary\": \"Yoga\", \"start\": {\"dateTime\":"
		" \"2026-03-20T18:00:00+01:00\", \"timeZone\": \"Europe/Berlin\"}, \"end\":"
		" {\"dateTime\": \"2026-03-20T19:00:00+01:00\", \"timeZone\": \"Europe/Berlin\"},"
		" \"recurrence\": [\"RRULE:FREQ=WEEKLY;COUNT=4\","
		" \"EXDATE;TZID=Europe/Berlin:20260403T180000\"],"
		" \"reminders\": {\"useDefault\": true}}";
	cJSON *in = cJSON_Parse(json), *out, *rec;
	struct event ev;
	struct err e = { 0 };
	long *offs = NULL;
	size_t n = 0;

	ck_assert_int_eq(
		gmap_event(in, "Work", "UTC", "[{\"method\":\"popup\",\"minutes\":15}]", &ev, &e),
		0);
	ck_assert_str_eq(ev.rrule, "FREQ=WEEKLY;COUNT=4");
	ck_assert_str_eq(ev.tzid, "Europe/Berlin");
	ck_assert_uint_eq(ev.nexdates, 1);
	ck_assert_int_eq((long)ev.exdates[0], 1775232000L); /* 2026-04-03 16:00 UTC */
	ck_assert_int_eq(event_alarm_offsets(ev.alarms, &offs, &n), 0);
	ck_assert_uint_eq(n, 1);
	ck_assert_int_eq(offs[0], -900);
	free(offs);
	out = gmap_to_json(&ev, "abc123");
	rec = cJSON_GetObjectItem(out, "recurrence");
	ck_assert_str_eq(cJSON_GetArrayItem(rec, 1)->valuestring,
			 "EXDATE;TZID=Europe/Berlin:20260403T180000");
	ck_assert_str_eq(cJSON_GetObjectItem(out, "id")->valuestring, "abc123");
	cJSON_Delete(out);
	event_release(&ev);
	cJSON_Delete(in);
}
END_TEST

/* Attendees from an invitation anyone may send: a name with control
 * characters (a C1 CSI, a newline) or a double quote is cleaned into one
 * line the store takes; an address with a newline, which would add an
 * ATTENDEE line of its own, leaves that attendee out. */
START_TEST(test_attendees_cleaned)
{
	const char *json =
		"{\"id\": \"a1\", \"summary\": \"Invite\", \"start\": {\"dateTime\":"
		" \"2026-03-20T18:00:00Z\"}, \"end\": {\"dateTime\": \"2026-03-20T19:00:00Z\"},"
		" \"attendees\": ["
		"{\"email\": \"eve@example.com\", \"displayName\": \"Eve \\u009b31m "
		"\\\"E\\\"\\n;\"},"
		"{\"email\": "
		"\"mal@example.com\\nATTENDEE;PARTSTAT=ACCEPTED:mailto:boss@example.com\"},"
		"{\"email\": \"a b@example.com\"},"
		"{\"email\": \"bob@example.com\", \"responseStatus\": \"accepted\"}]}";
	cJSON *in = cJSON_Parse(json);
	struct event ev;
	struct err e = { 0 };

	ck_assert_ptr_nonnull(in);
	ck_assert_int_eq(gmap_event(in, "Work", "UTC", NULL, &ev, &e), 0);
	ck_assert_str_eq(
		ev.attendees,
		"ATTENDEE;CN=\"Eve 31m 'E' ;\";PARTSTAT=NEEDS-ACTION:mailto:eve@example.com\n"
		"ATTENDEE;PARTSTAT=ACCEPTED:mailto:bob@example.com\n");
	event_release(&ev);
	cJSON_Delete(in);
}
END_TEST

/* Google's reminders hold 0 to 40320 whole minutes; a reply with any other
 * number (huge, negative, a fraction) loses that reminder, not the event, and
 * the ones in range still come in. */
START_TEST(test_reminder_out_of_range)
{
	const char *json =
		"{\"id\": \"r1\", \"summary\": \"Dentist\", \"start\": {\"dateTime\":"
		" \"2026-03-20T18:00:00Z\"}, \"end\": {\"dateTime\": \"2026-03-20T19:00:00Z\"},"
		" \"reminders\": {\"useDefault\": false, \"overrides\": ["
		"{\"method\": \"popup\", \"minutes\": 4.44e97},"
		"{\"method\": \"popup\", \"minutes\": -5},"
		"{\"method\": \"popup\", \"minutes\": 2.5},"
		"{\"method\": \"popup\", \"minutes\": 40321},"
		"{\"method\": \"popup\", \"minutes\": 40320},"
		"{\"method\": \"popup\", \"minutes\": 30}]}}";
	cJSON *in = cJSON_Parse(json);
	struct event ev;
	struct err e = { 0 };
	long *offs = NULL;
	size_t n = 0;

	ck_assert_int_eq(gmap_event(in, "Work", "UTC", NULL, &ev, &e), 0);
	ck_assert_ptr_nonnull(ev.alarms);
	ck_assert_int_eq(event_alarm_offsets(ev.alarms, &offs, &n), 0);
	ck_assert_uint_eq(n, 2);
	ck_assert_int_eq(offs[0] + offs[1], -(40320L + 30) * 60);
	free(offs);
	event_release(&ev);
	cJSON_Delete(in);
}
END_TEST

START_TEST(test_outbox)
{
	char *dir = tu_tmpdir(), *path = xasprintf("%s/n.db", dir);
	struct err e = { 0 };
	struct store *s = store_open(path, &e);
	struct event ev = { 0 };
	struct gsync_op op;
	bool found;
	long n;

	ck_assert_ptr_nonnull(s);
	ck_assert_int_eq(
		gsync_calendar_put(s, "w@example.com", "Work", NULL, "owner", "UTC", NULL, &e), 0);
	/* pulled: nothing queued */
	ck_assert_int_eq(gsync_apply_begin(s, false, &e), 0);
	ev.summary = xstrdup("From Google");
	ev.calendar = xstrdup("Work");
	ev.start = 1780304400;
	ev.end = ev.start + 3600;
	ck_assert_int_eq(gsync_event_put(s, &ev, "g1", "\"1\"", ev.start, &e), 0);
	ck_assert_int_eq(gsync_apply_end(s, 0, NULL, &e), 0);
	ck_assert_int_eq(gsync_pending(s, 0, &n, &e), 0);
	ck_assert_int_eq(n, 0);
	/* a pull keeps a rule that never matches a date as Google has it; the
	 * calendar leaves that series out and shows the rest */
	event_release(&ev);
	memset(&ev, 0, sizeof(ev));
	ev.summary = xstrdup("Never");
	ev.calendar = xstrdup("Work");
	ev.start = 1780304400;
	ev.end = ev.start + 3600;
	ev.rrule = xstrdup("FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30");
	ev.alarms = xstrdup("BEGIN:VALARM\r\nACTION:DISPLAY\r\nTRIGGER:-PT15M\r\nEND:VALARM\r\n");
	ck_assert_int_eq(gsync_apply_begin(s, false, &e), 0);
	ck_assert_msg(gsync_event_put(s, &ev, "g2", "\"1\"", ev.start, &e) == 0, "%s", e.msg);
	ck_assert_int_eq(gsync_apply_end(s, 0, NULL, &e), 0);
	{
		struct event_list l;

		ck_assert_int_eq(
			event_occurrences(s, ev.start - 3600, ev.start + 86400, NULL, &l, &e), 0);
		ck_assert_uint_eq(l.nocc, 1);
		ck_assert_str_eq(l.occ[0].summary, "From Google");
		event_list_release(&l);
	}
	/* written here: queued, with a Google id of its own */
	event_release(&ev);
	memset(&ev, 0, sizeof(ev));
	ev.summary = xstrdup("Made here");
	ev.calendar = xstrdup("Work");
	ev.start = 1780304400;
	ev.end = ev.start + 3600;
	ck_assert_int_eq(event_add(s, &ev, ev.start, &e), 0);
	ck_assert_int_eq(gsync_next(s, 0, ev.start, &op, &found, &e), 0);
	ck_assert(found);
	ck_assert_int_eq(op.kind, GSYNC_PUT);
	ck_assert_int_eq(op.event_id, ev.id);
	ck_assert_str_eq(op.calendar, "w@example.com");
	ck_assert_uint_eq(strspn(op.remote_id, "0123456789abcdef"), 32);
	ck_assert_ptr_null(op.etag);
	ck_assert_int_eq(gsync_pushed(s, &op, "\"2\"", &e), 0);
	gsync_op_release(&op);
	ck_assert_int_eq(gsync_pending(s, 0, &n, &e), 0);
	ck_assert_int_eq(n, 0);
	/* a local event of a local calendar is none of Google's business */
	event_release(&ev);
	memset(&ev, 0, sizeof(ev));
	ev.summary = xstrdup("Private");
	ev.start = 1780304400;
	ev.end = ev.start + 3600;
	ck_assert_int_eq(event_add(s, &ev, ev.start, &e), 0);
	ck_assert_int_eq(gsync_pending(s, 0, &n, &e), 0);
	ck_assert_int_eq(n, 0);
	event_release(&ev);
	store_free(s);
	tu_rmrf(dir);
	free(path);
	free(dir);
}
END_TEST

/* The sign-in redirect's query: escapes decoded, a broken one ('%' at
 * the end, one hex digit) or "%00" refused, never read past. */
START_TEST(test_redirect_query)
{
	static const struct {
		const char *line, *key, *want;
	} cases[] = {
		{ "GET /?state=a%2Fb+c&code=4%2F0A HTTP/1.1", "state", "a/b c" },
		{ "GET /?state=a%2Fb+c&code=4%2F0A HTTP/1.1", "code", "4/0A" },
		{ "GET /?code=%2B HTTP/1.1", "code", "+" },
		{ "GET /?code=\xc3\xa9 HTTP/1.1", "code", "\xc3\xa9" },
		{ "GET /?state=%41%0 HTTP/1.1", "state", NULL },
		{ "GET /?state=%41%0", "state", NULL },
		{ "GET /?code=%", "code", NULL },
		{ "GET /?code=%zz&state=s", "code", NULL },
		{ "GET /?state=s%00x", "state", NULL },
		{ "GET /?code=x", "state", NULL },
		{ "GET / HTTP/1.1", "code", NULL },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *v = google_query_value(cases[i].line, cases[i].key);

		if (cases[i].want)
			ck_assert_msg(v && !strcmp(v, cases[i].want), "%s: %s", cases[i].line,
				      v ? v : "(none)");
		else
			ck_assert_msg(!v, "%s: %s", cases[i].line, v);
		free(v);
	}
}
END_TEST

Suite *google_suite(void)
{
	Suite *s = suite_create("google");
	TCase *tc = tcase_create("google");

	tcase_add_test(tc, test_pkce);
	tcase_add_test(tc, test_redirect_query);
	tcase_add_test(tc, test_times);
	tcase_add_test(tc, test_series_both_ways);
	tcase_add_test(tc, test_reminder_out_of_range);
	tcase_add_test(tc, test_attendees_cleaned);
	tcase_add_test(tc, test_outbox);
	suite_add_tcase(s, tc);
	return s;
}
