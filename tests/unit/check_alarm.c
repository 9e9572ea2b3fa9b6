/* VALARMs become reminders: import, re-import, edit, delete, and the scheduler firing them. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "event.h"
#include "ical.h"
#include "job.h"
#include "reminder.h"
#include "scheduler.h"
#include "store.h"
#include "testutil.h"
#include "xalloc.h"

#define NOW	    1803859200 /* 2027-03-01 00:00 UTC */
#define DENTIST_15  1804682700 /* 2027-03-10 12:45 UTC: 13:45 CET, 15 min before 14:00 */
#define DENTIST_END 1804686900 /* 13:55 UTC: 5 min before the 15:00 CET end */
#define TAXI	    1804615200 /* 2027-03-09 18:00 UTC, an absolute trigger */
#define STANDUP_1   1805097000 /* 2027-03-15 07:50 UTC: 08:50 CET */
#define STANDUP_3   1806303000 /* 2027-03-29 06:50 UTC: 08:50 CEST (22 March is an EXDATE) */
#define STANDUP_4   1806907800 /* 2027-04-05 06:50 UTC */
/* tests/data/custom-zone.ics: a zone only its VTIMEZONE defines, +01:00,
 * and +02:00 from the second Sunday of March (14 March 2027, two weeks
 * before Europe/Berlin) to the last Sunday of October. */
#define SPRING_1       1804492200 /* 2027-03-08 07:50 UTC: 08:50 at +01:00 */
#define SPRING_3       1805698200 /* 2027-03-22 06:50 UTC: 08:50 at +02:00 (15 March is an EXDATE) */
#define SPRING_3_START 1805698800 /* 2027-03-22 07:00 UTC: 09:00 at +02:00 */
#define FALL_1	       1824447000 /* 2027-10-25 06:50 UTC: 08:50 at +02:00 */
#define FALL_2	       1825055400 /* 2027-11-01 07:50 UTC: 08:50 at +01:00 */

static char *dir;
static struct store *st;

static void setup(void)
{
	setenv("TZ", "Europe/Berlin", 1);
	tzset();
	dir = tu_tmpdir();
	st = tu_store_open(dir);
}

static void teardown(void)
{
	store_free(st);
	tu_rmrf(dir);
	free(dir);
}

static void import_text(const char *text, time_t now, struct ical_report *rep)
{
	struct err e = { 0, "" };

	ck_assert_msg(ical_import(st, text, NULL, now, NULL, NULL, rep, &e) == 0, "%s", e.msg);
}

static char *fixture(const char *name)
{
	char *path = tu_src(name), *text = tu_slurp(path, NULL);

	ck_assert_msg(text != NULL, "missing %s", path);
	free(path);
	return text;
}

static void import_fixture(time_t now, struct ical_report *rep)
{
	char *text = fixture("tests/data/alarms.ics");

	import_text(text, now, rep);
	free(text);
}

static long long event_id(const char *uid)
{
	struct err e = { 0, "" };
	struct event ev;
	long long id;

	ck_assert_msg(event_get_uid(st, uid, &ev, &e) == 0, "%s", e.msg);
	id = ev.id;
	event_release(&ev);
	return id;
}

/* The active reminders, by due time. */
static size_t reminders(struct reminder **rs)
{
	struct err e = { 0, "" };
	size_t n;

	ck_assert_msg(reminder_list(st, false, NOW, rs, &n, &e) == 0, "%s", e.msg);
	return n;
}

/* The reminder of the alarm with TRIGGER key of event uid (must exist). */
static struct reminder *find(struct reminder *rs, size_t n, const char *uid, const char *key)
{
	long long ev = event_id(uid);

	for (size_t i = 0; i < n; i++)
		if (rs[i].event_id == ev && rs[i].alarm && !strcmp(rs[i].alarm, key))
			return &rs[i];
	ck_abort_msg("no reminder for alarm %s of %s", key, uid);
	return NULL;
}

START_TEST(test_import_sets_reminders)
{
	struct ical_report rep;
	struct reminder *rs, *r;
	size_t n;

	import_fixture(NOW, &rep);
	ck_assert_uint_eq(rep.added, 3);
	ck_assert_uint_eq(rep.alarms.set, 4); /* the AUDIO twin of -PT15M is the same alarm */
	ck_assert_uint_eq(rep.alarms.past, 1);
	ck_assert_uint_eq(rep.alarms.unsupported, 0);
	ical_report_release(&rep);
	n = reminders(&rs);
	ck_assert_uint_eq(n, 4);

	r = find(rs, n, "dentist@test", "-PT15M");
	ck_assert_str_eq(r->text, "Dentist at 14:00"); /* DESCRIPTION:Reminder says nothing */
	ck_assert_int_eq(r->at, DENTIST_15);
	ck_assert_ptr_null(r->every);
	r = find(rs, n, "dentist@test", "20270309T180000Z");
	ck_assert_str_eq(r->text, "Book a taxi");
	ck_assert_int_eq(r->at, TAXI);
	r = find(rs, n, "dentist@test", "END:-PT5M");
	ck_assert_str_eq(r->text, "Dentist at 14:00");
	ck_assert_int_eq(r->at, DENTIST_END);
	r = find(rs, n, "standup@test", "-PT10M");
	ck_assert_str_eq(r->text, "Standup at 09:00");
	ck_assert_int_eq(r->at, STANDUP_1);
	ck_assert_str_eq(r->every, "FREQ=WEEKLY;BYDAY=MO");
	ck_assert_str_eq(r->tzid, "Europe/Berlin");
	/* by due time: the taxi first */
	ck_assert_int_eq(rs[0].at, TAXI);
	reminder_list_free(rs, n);
}
END_TEST

START_TEST(test_reimport_keeps_them)
{
	struct ical_report rep;
	struct reminder *a, *b;
	size_t na, nb;

	import_fixture(NOW, &rep);
	ical_report_release(&rep);
	na = reminders(&a);
	import_fixture(NOW + 60, &rep);
	ck_assert_uint_eq(rep.updated, 3);
	ck_assert_uint_eq(rep.alarms.set, 4);
	ck_assert_uint_eq(rep.alarms.past, 1);
	ical_report_release(&rep);
	nb = reminders(&b);
	ck_assert_uint_eq(nb, na);
	for (size_t i = 0; i < na; i++) {
		ck_assert_int_eq(b[i].id, a[i].id);
		ck_assert_int_eq(b[i].at, a[i].at);
	}
	reminder_list_free(a, na);
	reminder_list_free(b, nb);
}
END_TEST

/* What the deliver callback saw: "ID@occurrence:text". */
struct seen {
	int n;
	char calls[8][96];
};

static int deliver(void *arg, const struct sched_fire *f, const char *channel, struct err *e)
{
	struct seen *s = arg;

	(void)channel;
	(void)e;
	ck_assert_int_lt(s->n, 8);
	snprintf(s->calls[s->n++], sizeof(s->calls[0]), "%lld@%lld:%s", f->job_id,
		 (long long)f->occurrence, f->text);
	return 0;
}

static void run(struct seen *seen, time_t now)
{
	struct sched_opts o;
	struct sched_deliver d = { deliver, NULL, seen };
	struct err e = { 0, "" };
	long delay;

	sched_opts_init(&o, NULL, false);
	free(o.channels);
	o.channels = xstrdup("stdout");
	ck_assert_msg(sched_run_due(st, &o, now, &d, &delay, NULL, &e) == 0, "%s", e.msg);
	sched_opts_release(&o);
}

/* Run the scheduler at `at`: nothing a second before, then exactly one
 * call, reminder id's occurrence at `at` with text; then its next run. */
static time_t fires_at(struct seen *s, time_t at, long long id, const char *text)
{
	struct err e = { 0, "" };
	char want[96];
	struct job j;
	time_t next;
	int n = s->n;

	run(s, at - 1);
	ck_assert_int_eq(s->n, n);
	run(s, at);
	ck_assert_int_eq(s->n, n + 1);
	snprintf(want, sizeof(want), "%lld@%lld:%s", id, (long long)at, text);
	ck_assert_str_eq(s->calls[n], want);
	ck_assert_int_eq(job_get(st, id, &j, &e), 0);
	next = j.has_next ? j.next_run : 0;
	job_release(&j);
	return next;
}

START_TEST(test_scheduler_fires_them)
{
	struct ical_report rep;
	struct seen s = { 0 };
	struct reminder *rs;
	long long dentist, taxi, end, standup;
	size_t n;

	import_fixture(NOW, &rep);
	ical_report_release(&rep);
	n = reminders(&rs);
	dentist = find(rs, n, "dentist@test", "-PT15M")->id;
	taxi = find(rs, n, "dentist@test", "20270309T180000Z")->id;
	end = find(rs, n, "dentist@test", "END:-PT5M")->id;
	standup = find(rs, n, "standup@test", "-PT10M")->id;
	reminder_list_free(rs, n);

	ck_assert_int_eq(fires_at(&s, TAXI, taxi, "Book a taxi"), 0);
	ck_assert_int_eq(fires_at(&s, DENTIST_15, dentist, "Dentist at 14:00"), 0);
	ck_assert_int_eq(fires_at(&s, DENTIST_END, end, "Dentist at 14:00"), 0);
	/* the series: on time, then skipping the EXDATE, across the DST change */
	ck_assert_int_eq(fires_at(&s, STANDUP_1, standup, "Standup at 09:00"), STANDUP_3);
	ck_assert_int_eq(fires_at(&s, STANDUP_3, standup, "Standup at 09:00"), STANDUP_4);
}
END_TEST

START_TEST(test_delete_and_edit)
{
	struct ical_report rep;
	struct reminder *rs;
	struct err e = { 0, "" };
	struct event ev;
	long long standup, dentist;
	time_t day = STANDUP_4 + 3 * 3600;
	struct job j;
	size_t n;

	import_fixture(NOW, &rep);
	ical_report_release(&rep);
	n = reminders(&rs);
	standup = find(rs, n, "standup@test", "-PT10M")->id;
	dentist = find(rs, n, "dentist@test", "-PT15M")->id;
	reminder_list_free(rs, n);

	/* moving the dentist an hour later moves its alarms, same reminders */
	ck_assert_int_eq(event_get_uid(st, "dentist@test", &ev, &e), 0);
	ev.start += 3600;
	ev.end += 3600;
	ck_assert_msg(event_update(st, &ev, NOW, &e) == 0, "%s", e.msg);
	event_release(&ev);
	n = reminders(&rs);
	ck_assert_uint_eq(n, 4);
	ck_assert_int_eq(find(rs, n, "dentist@test", "-PT15M")->id, dentist);
	ck_assert_int_eq(find(rs, n, "dentist@test", "-PT15M")->at, DENTIST_15 + 3600);
	ck_assert_str_eq(find(rs, n, "dentist@test", "-PT15M")->text, "Dentist at 15:00");
	ck_assert_int_eq(find(rs, n, "dentist@test", "20270309T180000Z")->at, TAXI);
	reminder_list_free(rs, n);

	/* one occurrence of the series removed: the same reminder skips it */
	ck_assert_msg(event_delete(st, event_id("standup@test"), &day, NOW, &e) == 0, "%s", e.msg);
	ck_assert_int_eq(job_get(st, standup, &j, &e), 0);
	ck_assert_str_eq(job_state_name(j.state), "pending");
	ck_assert_int_eq(j.next_run, STANDUP_1);
	job_release(&j);
	n = reminders(&rs);
	ck_assert_uint_eq(n, 4);
	reminder_list_free(rs, n);

	/* the whole event removed: its reminders go with it */
	ck_assert_msg(event_delete(st, event_id("dentist@test"), NULL, NOW, &e) == 0, "%s", e.msg);
	n = reminders(&rs);
	ck_assert_uint_eq(n, 1);
	ck_assert_int_eq(rs[0].id, standup);
	reminder_list_free(rs, n);
	ck_assert_int_eq(job_get(st, dentist, &j, &e), -1);
	ck_assert_int_eq(e.code, ERR_NOTFOUND);
}
END_TEST

START_TEST(test_series_skips_exdate_added_later)
{
	struct ical_report rep;
	struct err e = { 0, "" };
	time_t day = STANDUP_3 + 3 * 3600, next;
	bool has;
	struct reminder *rs;
	long long standup;
	size_t n;

	import_fixture(NOW, &rep);
	ical_report_release(&rep);
	ck_assert_msg(event_delete(st, event_id("standup@test"), &day, NOW, &e) == 0, "%s", e.msg);
	n = reminders(&rs);
	standup = find(rs, n, "standup@test", "-PT10M")->id;
	reminder_list_free(rs, n);
	/* acknowledged on the 15th, the next is 5 April: 22 and 29 March are gone */
	ck_assert_msg(reminder_done(st, standup, STANDUP_1 + 60, &has, &next, &e) == 0, "%s",
		      e.msg);
	ck_assert(has);
	ck_assert_int_eq(next, STANDUP_4);
}
END_TEST

START_TEST(test_dropped_alarm_goes)
{
	static const char *const with =
		"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nUID:x@test\r\n"
		"SUMMARY:Call\r\nDTSTART:20270310T100000Z\r\nDTEND:20270310T110000Z\r\n"
		"BEGIN:VALARM\r\nACTION:DISPLAY\r\nTRIGGER:-PT30M\r\nEND:VALARM\r\n"
		"END:VEVENT\r\nEND:VCALENDAR\r\n";
	static const char *const without =
		"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nUID:x@test\r\n"
		"SUMMARY:Call\r\nDTSTART:20270310T100000Z\r\nDTEND:20270310T110000Z\r\n"
		"END:VEVENT\r\nEND:VCALENDAR\r\n";
	struct ical_report rep;
	struct reminder *rs;
	size_t n;

	import_text(with, NOW, &rep);
	ck_assert_uint_eq(rep.alarms.set, 1);
	ical_report_release(&rep);
	n = reminders(&rs);
	ck_assert_uint_eq(n, 1);
	/* a UTC event named in the local zone's time, with the zone said */
	ck_assert_str_eq(rs[0].text, "Call at 10:00 UTC");
	ck_assert_int_eq(rs[0].at, 1804672800 - 1800);
	reminder_list_free(rs, n);
	import_text(without, NOW, &rep);
	ck_assert_uint_eq(rep.alarms.set, 0);
	ical_report_release(&rep);
	n = reminders(&rs);
	ck_assert_uint_eq(n, 0);
	reminder_list_free(rs, n);
}
END_TEST

START_TEST(test_custom_zone_import)
{
	char *text = fixture("tests/data/custom-zone.ics");
	struct err e = { 0, "" };
	struct ical_report rep;
	struct event_list l;
	struct reminder *rs, *r;
	size_t n;

	import_text(text, NOW, &rep);
	free(text);
	ck_assert_uint_eq(rep.added, 2);
	ck_assert_uint_eq(rep.skipped, 0);
	ck_assert_uint_eq(rep.alarms.set, 2);
	ck_assert_uint_eq(rep.alarms.past, 0);
	ck_assert_uint_eq(rep.alarms.unsupported, 0);
	ical_report_release(&rep);
	n = reminders(&rs);
	ck_assert_uint_eq(n, 2);
	r = find(rs, n, "spring@test", "-PT10M");
	ck_assert_str_eq(r->text, "Standup at 09:00 Custom/Berlin-ish");
	ck_assert_str_eq(r->tzid, "Custom/Berlin-ish");
	ck_assert_int_eq(r->at, SPRING_1);
	ck_assert_msg(strstr(r->every, "FREQ=WEEKLY") && strstr(r->every, "BYDAY=MO") &&
			      !strchr(r->every, '\n'),
		      "every: %s", r->every);
	ck_assert_int_eq(find(rs, n, "fall@test", "-PT10M")->at, FALL_1);
	reminder_list_free(rs, n);
	/* the calendar shows the occurrence where the alarm will be */
	ck_assert_msg(event_occurrences(st, SPRING_3, SPRING_3 + 86400, NULL, &l, &e) == 0, "%s",
		      e.msg);
	ck_assert_uint_eq(l.nocc, 1);
	ck_assert_int_eq(l.occ[0].start, SPRING_3_START);
	ck_assert_str_eq(l.occ[0].tzid, "Custom/Berlin-ish");
	event_list_release(&l);
}
END_TEST

/* Import tests/data/custom-zone.ics in another process, as `nestor import`
 * would while a daemon runs: this one never saw the VTIMEZONE. */
static void import_elsewhere(void)
{
	int status;
	pid_t pid = fork();

	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		struct err e = { 0, "" };
		struct ical_report rep;
		char *path = xasprintf("%s/nestor.db", dir),
		     *text = fixture("tests/data/custom-zone.ics");
		struct store *s = store_open(path, &e);
		int ok = s && ical_import(s, text, NULL, NOW, NULL, NULL, &rep, &e) == 0;

		_exit(ok && rep.alarms.set == 2 ? 0 : 1);
	}
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

START_TEST(test_custom_zone_fires_across_dst)
{
	struct seen s = { 0 };
	struct reminder *rs;
	long long spring, fall;
	size_t n;

	import_elsewhere();
	n = reminders(&rs);
	spring = find(rs, n, "spring@test", "-PT10M")->id;
	fall = find(rs, n, "fall@test", "-PT10M")->id;
	reminder_list_free(rs, n);
	/* on time, skipping the EXDATE, at 08:50 in the zone after its DST began */
	ck_assert_int_eq(fires_at(&s, SPRING_1, spring, "Standup at 09:00 Custom/Berlin-ish"),
			 SPRING_3);
	ck_assert_int_eq(fires_at(&s, SPRING_3, spring, "Standup at 09:00 Custom/Berlin-ish"), 0);
	/* and after it ended */
	ck_assert_int_eq(fires_at(&s, FALL_1, fall, "Retro at 09:00 Custom/Berlin-ish"), FALL_2);
	ck_assert_int_eq(fires_at(&s, FALL_2, fall, "Retro at 09:00 Custom/Berlin-ish"), 0);
}
END_TEST

/* A relative trigger beyond 10000 years (an alarm stored before import
 * refused one, or from elsewhere) sets no reminder instead of one at an
 * instant an int overflowed to. */
START_TEST(test_trigger_out_of_range)
{
	long *off;
	size_t n;

	ck_assert_int_eq(event_alarm_offsets("BEGIN:VALARM\r\nACTION:DISPLAY\r\n"
					     "TRIGGER:-P999999999W\r\nEND:VALARM\r\n"
					     "BEGIN:VALARM\r\nACTION:DISPLAY\r\n"
					     "TRIGGER:-P520000W\r\nEND:VALARM\r\n",
					     &off, &n),
			 0);
	ck_assert_uint_eq(n, 1);
	ck_assert_int_eq(off[0], -520000L * 7 * 86400);
	free(off);
}
END_TEST

Suite *alarm_suite(void)
{
	Suite *s = suite_create("alarm");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_import_sets_reminders);
	tcase_add_test(tc, test_reimport_keeps_them);
	tcase_add_test(tc, test_scheduler_fires_them);
	tcase_add_test(tc, test_delete_and_edit);
	tcase_add_test(tc, test_series_skips_exdate_added_later);
	tcase_add_test(tc, test_dropped_alarm_goes);
	tcase_add_test(tc, test_custom_zone_import);
	tcase_add_test(tc, test_custom_zone_fires_across_dst);
	tcase_add_test(tc, test_trigger_out_of_range);
	suite_add_tcase(s, tc);
	return s;
}
