/* The scheduler with a pinned clock: exactly once, claims, retries, catch-up, snooze. */
#include <check.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "store-int.h"
#include "job.h"
#include "reminder.h"
#include "scheduler.h"
#include "store.h"
#include "testutil.h"
#include "xalloc.h"

static char *dir, *path;
static struct store *st;

/* What the deliver callback saw. */
struct seen {
	int n;
	char calls[64][64];  /* "ID:CHANNEL:late" */
	const char *failing; /* this channel fails */
	int fired;
};

static int deliver(void *arg, const struct sched_fire *f, const char *channel, struct err *e)
{
	struct seen *s = arg;

	ck_assert_int_lt(s->n, 64);
	snprintf(s->calls[s->n++], sizeof(s->calls[0]), "%lld:%s:%s", f->job_id, channel,
		 f->late ? "late" : "on time");
	if (s->failing && !strcmp(channel, s->failing))
		return err_set(e, ERR_FAIL, "boom");
	return 0;
}

static void fired(void *arg, const struct sched_fire *f, int delivered, int failed)
{
	(void)f;
	(void)delivered;
	(void)failed;
	((struct seen *)arg)->fired++;
}

static void setup(void)
{
	struct err e = { 0, "" };

	setenv("TZ", "Europe/Berlin", 1);
	dir = tu_tmpdir();
	path = xasprintf("%s/nestor.db", dir);
	st = store_open(path, &e);
	ck_assert_msg(st != NULL, "%s", e.msg);
}

static void teardown(void)
{
	store_free(st);
	tu_rmrf(dir);
	free(dir);
	free(path);
}

static long long add(const char *text, time_t at, const char *every, const char *channels,
		     time_t now)
{
	struct err e = { 0, "" };
	long long id;

	ck_assert_msg(reminder_add(st, text, at, NULL, every, "Europe/Berlin", channels, now, &id,
				   &e) == 0,
		      "%s", e.msg);
	return id;
}

/* Run the scheduler at now; returns the next delay. */
static long run_on(struct store *s, struct seen *seen, enum sched_catch_up cu, time_t now)
{
	struct sched_opts o;
	struct sched_deliver d = { deliver, fired, seen };
	struct err e = { 0, "" };
	long delay;

	sched_opts_init(&o, NULL, false);
	o.catch_up = cu;
	ck_assert_msg(sched_run_due(s, &o, now, &d, &delay, NULL, &e) == 0, "%s", e.msg);
	sched_opts_release(&o);
	return delay;
}

static long run(struct seen *seen, time_t now)
{
	return run_on(st, seen, SCHED_CATCH_UP_ONCE, now);
}

static struct job get(long long id)
{
	struct err e = { 0, "" };
	struct job j;

	ck_assert_int_eq(job_get(st, id, &j, &e), 0);
	return j;
}

#define T0 1800000000 /* Friday 2027-01-15 09:00 CET */

START_TEST(test_fires_exactly_once)
{
	struct seen s = { 0 };
	long long id = add("call mom", T0, NULL, "stdout,command", T0 - 100);
	struct job_run *runs;
	struct err e = { 0, "" };
	struct job j;
	size_t n;

	ck_assert_int_eq(run(&s, T0 - 5), 5);
	ck_assert_int_eq(s.n, 0);
	ck_assert_int_eq(run(&s, T0), -1);
	ck_assert_int_eq(s.n, 2);
	ck_assert_int_eq(s.fired, 1);
	ck_assert_str_eq(s.calls[0], "1:stdout:on time");
	ck_assert_str_eq(s.calls[1], "1:command:on time");
	run(&s, T0 + 10);
	ck_assert_int_eq(s.n, 2);
	j = get(id);
	ck_assert_str_eq(job_state_name(j.state), "done");
	ck_assert(!j.has_next);
	job_release(&j);
	ck_assert_int_eq(job_history(st, id, 10, &runs, &n, &e), 0);
	ck_assert_uint_eq(n, 2);
	ck_assert_str_eq(job_result_name(runs[0].result), "ok");
	job_run_list_free(runs, n);
}
END_TEST

START_TEST(test_claim_survives_crash)
{
	struct err e = { 0, "" };
	struct store *other = store_open(path, &e);
	struct seen s = { 0 };
	long long id = add("pay rent", T0, NULL, "stdout,command", T0 - 100);
	struct job j, claimed;
	struct job_run r;
	struct job_next done = { JOB_DONE, false, 0, 0, 0, NULL };

	ck_assert_ptr_nonnull(other);
	/* Process A claims, delivers stdout, records it, and dies. */
	ck_assert_int_eq(job_claim(st, T0, T0 + 60, "A", &claimed, &e), 1);
	memset(&r, 0, sizeof(r));
	r.job_id = id;
	r.occurrence = claimed.occurrence;
	r.channel = "stdout";
	r.result = JOB_RUN_OK;
	ck_assert_int_eq(job_record(st, &r, &e), 1);
	ck_assert_int_eq(job_record(st, &r, &e), 0); /* a second ok row is refused */
	job_release(&claimed);
	/* B, another connection, sees nothing to do while the lease runs... */
	ck_assert_int_eq(run_on(other, &s, SCHED_CATCH_UP_ONCE, T0 + 30), 30);
	ck_assert_int_eq(s.n, 0);
	/* ...then takes over and delivers only what is missing. */
	run_on(other, &s, SCHED_CATCH_UP_ONCE, T0 + 60);
	ck_assert_int_eq(s.n, 1);
	ck_assert_str_eq(s.calls[0], "1:command:on time");
	j = get(id);
	ck_assert_str_eq(job_state_name(j.state), "done");
	ck_assert_int_eq(j.attempts, 2);
	job_release(&j);
	/* A, had it survived, can no longer complete the claim. */
	ck_assert_int_eq(job_finish(st, id, "A", &done, &e), 0);
	store_free(other);
}
END_TEST

START_TEST(test_failing_channel_retried_alone)
{
	struct seen s = { 0 };
	long long id = add("water plants", T0, NULL, "stdout,command", T0 - 100);
	time_t t = T0;
	struct job j;

	s.failing = "command";
	run(&s, t);
	j = get(id);
	ck_assert_str_eq(job_state_name(j.state), "pending");
	ck_assert_int_eq(j.next_run, T0 + 30);
	ck_assert_str_eq(j.last_error, "command: boom");
	job_release(&j);
	for (int i = 1; i < SCHED_MAX_ATTEMPTS; i++) {
		j = get(id);
		t = j.next_run;
		job_release(&j);
		run(&s, t);
	}
	ck_assert_int_eq(s.n, 1 + SCHED_MAX_ATTEMPTS); /* stdout once, command each time */
	for (int i = 1; i < s.n; i++)
		ck_assert_msg(!strncmp(s.calls[i], "1:command:", 10), "%s", s.calls[i]);
	j = get(id);
	ck_assert_str_eq(job_state_name(j.state), "failed");
	ck_assert_int_eq(j.attempts, SCHED_MAX_ATTEMPTS);
	job_release(&j);
}
END_TEST

START_TEST(test_catch_up_policies)
{
	/* Daily at 09:00 from T0; nothing ran for three days and three hours. */
	const time_t now = T0 + 3 * 86400 + 3 * 3600, next = T0 + 4 * 86400;
	const enum sched_catch_up cu[] = { SCHED_CATCH_UP_ONCE, SCHED_CATCH_UP_ALL,
					   SCHED_CATCH_UP_SKIP };
	const int want[] = { 1, 4, 0 };

	for (int k = 0; k < 3; k++) {
		struct seen s = { 0 };
		long long id = add("stretch", T0, "daily", "tui", T0 - 100);
		struct job j;

		run_on(st, &s, cu[k], now);
		ck_assert_int_eq(s.n, want[k]);
		for (int i = 0; i < s.n; i++)
			ck_assert_msg(strstr(s.calls[i], ":late"), "%s", s.calls[i]);
		j = get(id);
		ck_assert_str_eq(job_state_name(j.state), "pending");
		ck_assert_int_eq(j.next_run, next);
		job_release(&j);
		ck_assert_int_eq(reminder_cancel(st, id, &(struct err){ 0, "" }), 0);
	}
}
END_TEST

START_TEST(test_snooze)
{
	struct err e = { 0, "" };
	struct seen s = { 0 };
	long long once = add("tea", T0, NULL, "stdout", T0 - 100);
	long long daily = add("pills", T0, "0 9 * * *", "stdout", T0 - 100);
	time_t at;
	struct job j;

	/* Both are due at T0 (the cron one at its first match at or after --at). */
	j = get(daily);
	ck_assert_int_eq(j.next_run, T0);
	job_release(&j);
	run(&s, T0);
	ck_assert_int_eq(s.n, 2);
	ck_assert_int_eq(reminder_snooze(st, once, 600, T0 + 5, &at, &e), 0);
	ck_assert_int_eq(at, T0 + 605);
	run(&s, T0 + 604);
	ck_assert_int_eq(s.n, 2);
	run(&s, T0 + 605);
	ck_assert_int_eq(s.n, 3);
	/* The daily one fires, is snoozed 10 minutes, fires again, then keeps its schedule. */
	run(&s, T0 + 86400);
	ck_assert_int_eq(s.n, 4);
	ck_assert_int_eq(reminder_snooze(st, daily, 600, T0 + 86460, &at, &e), 0);
	run(&s, at);
	ck_assert_int_eq(s.n, 5);
	j = get(daily);
	ck_assert_str_eq(job_state_name(j.state), "pending");
	ck_assert_int_eq(j.next_run, T0 + 2 * 86400);
	job_release(&j);
}
END_TEST

START_TEST(test_reminder_api)
{
	struct err e = { 0, "" };
	struct reminder *rs, r;
	size_t n;
	bool has;
	time_t next;
	long long a = add("Позвонить Маме", T0, NULL, NULL, T0 - 100);
	long long b = add("standup", T0, "0 9 * * 1-5", "stdout,command", T0 - 100);

	ck_assert_int_eq(reminder_find(st, "маме", T0, &rs, &n, &e), 0);
	ck_assert_uint_eq(n, 1);
	ck_assert_int_eq(rs[0].id, a);
	reminder_list_free(rs, n);
	ck_assert_int_eq(reminder_get(st, b, T0, &r, &e), 0);
	ck_assert_str_eq(r.every, "0 9 * * 1-5");
	ck_assert_str_eq(r.channels, "stdout,command");
	ck_assert_str_eq(r.tzid, "Europe/Berlin");
	reminder_release(&r);
	/* 2027-01-15 is a Friday: done skips to Monday 09:00. */
	ck_assert_int_eq(reminder_done(st, b, T0, &has, &next, &e), 0);
	ck_assert(has);
	ck_assert_int_eq(next, T0 + 3 * 86400);
	ck_assert_int_eq(reminder_cancel(st, a, &e), 0);
	ck_assert_int_eq(reminder_cancel(st, a, &e), -1);
	ck_assert_str_eq(e.msg, "reminder 1 is cancelled already");
	ck_assert_int_eq(reminder_list(st, false, T0, &rs, &n, &e), 0);
	ck_assert_uint_eq(n, 1);
	reminder_list_free(rs, n);
	ck_assert_int_eq(reminder_add(st, "x", T0, NULL, NULL, NULL, "stdout,pager", T0, &a, &e),
			 -1);
	ck_assert_str_eq(e.msg,
			 "unknown channel \"pager\" (stdout, desktop, command, tui, telegram)");
	ck_assert_int_eq(reminder_add(st, "x", 0, NULL, "every monday", NULL, NULL, T0, &a, &e),
			 -1);
	ck_assert_int_eq(reminder_add(st, "x", T0, NULL, NULL, "Mars/Olympus", NULL, T0, &a, &e),
			 -1);
	ck_assert_int_eq(reminder_get(st, 99, T0, &r, &e), -1);
	ck_assert_int_eq(e.code, ERR_NOTFOUND);
}
END_TEST

/* Another process acts on a reminder just as this one writes it: between
 * the read and the write it either waits (busy) or its change is not lost. */
static struct store *other;
static int (*meddle)(long long id);
static long long meddle_id;
static int meddled = 2; /* 2: not yet, else the other call's result */

static int meddle_cancel(long long id)
{
	return reminder_cancel(other, id, &(struct err){ 0, "" });
}

static int meddle_done(long long id)
{
	bool has;
	time_t next;

	return reminder_done(other, id, T0, &has, &next, &(struct err){ 0, "" });
}

static int on_stmt(unsigned type, void *arg, void *stmt, void *sql)
{
	(void)type;
	(void)arg;
	(void)stmt;
	if (meddled == 2 && !strncmp(sql, "UPDATE jobs", 11))
		meddled = meddle(meddle_id);
	return 0;
}

/* reminder_update: refuses without a trace; If-Match's hook, text alone
 * keeps the state, a new time brings a fired reminder back. */
static int refuse(void *arg, const struct reminder *cur, struct err *e)
{
	*(long long *)arg = cur->id;
	return err_set(e, ERR_FAIL, "changed");
}

START_TEST(test_reminder_update)
{
	struct err e = { 0, "" };
	struct reminder_edit ed;
	struct reminder r;
	long long seen = 0;
	long long a = add("call mom", T0 + 3600, NULL, NULL, T0);

	memset(&ed, 0, sizeof(ed));
	ed.text = "call dad";
	ck_assert_int_eq(reminder_update(st, a, &ed, T0, refuse, &seen, &e), -1);
	ck_assert_int_eq(seen, a);
	ck_assert_int_eq(
		reminder_update(st, a, &(struct reminder_edit){ .text = " " }, T0, NULL, NULL, &e),
		-1);
	ck_assert_int_eq(e.code, ERR_USAGE);
	ck_assert_int_eq(reminder_update(st, a, &(struct reminder_edit){ .channels = "pager" }, T0,
					 NULL, NULL, &e),
			 -1);
	ck_assert_int_eq(reminder_get(st, a, T0, &r, &e), 0);
	ck_assert_str_eq(r.text, "call mom");
	ck_assert_ptr_null(r.channels);
	reminder_release(&r);

	ed.channels = "stdout,command";
	ck_assert_msg(reminder_update(st, a, &ed, T0, NULL, NULL, &e) == 0, "%s", e.msg);
	ck_assert_int_eq(reminder_get(st, a, T0, &r, &e), 0);
	ck_assert_str_eq(r.text, "call dad");
	ck_assert_str_eq(r.channels, "stdout,command");
	ck_assert_int_eq(r.at, T0 + 3600);
	ck_assert_str_eq(r.tzid, "Europe/Berlin");
	reminder_release(&r);

	/* every: the pending time anchors the new rule; "" makes it one-time again */
	memset(&ed, 0, sizeof(ed));
	ed.every = "0 9 * * 1-5";
	ed.channels = "";
	ck_assert_msg(reminder_update(st, a, &ed, T0, NULL, NULL, &e) == 0, "%s", e.msg);
	ck_assert_int_eq(reminder_get(st, a, T0, &r, &e), 0);
	ck_assert_str_eq(r.schedule, "cron");
	ck_assert_int_eq(r.at, T0 + 3 * 86400); /* Monday 09:00 */
	ck_assert_ptr_null(r.channels);
	reminder_release(&r);
	ed = (struct reminder_edit){ .every = "", .has_at = true, .at = T0 + 600 };
	ck_assert_msg(reminder_update(st, a, &ed, T0, NULL, NULL, &e) == 0, "%s", e.msg);
	ck_assert_int_eq(reminder_get(st, a, T0, &r, &e), 0);
	ck_assert_str_eq(r.schedule, "at");
	ck_assert_ptr_null(r.every);
	ck_assert_int_eq(r.at, T0 + 600);
	reminder_release(&r);

	/* cancelled: text alone keeps it so, a time alone is needed to revive it */
	ck_assert_int_eq(reminder_cancel(st, a, &e), 0);
	ck_assert_int_eq(
		reminder_update(st, a, &(struct reminder_edit){ .text = "x" }, T0, NULL, NULL, &e),
		0);
	ck_assert_int_eq(reminder_get(st, a, T0, &r, &e), 0);
	ck_assert_int_eq(r.state, JOB_CANCELLED);
	reminder_release(&r);
	ck_assert_int_eq(reminder_update(st, a, &(struct reminder_edit){ .tzid = "UTC" }, T0, NULL,
					 NULL, &e),
			 -1);
	ck_assert_str_eq(e.msg, "reminder 1 is cancelled: give it a new time (at)");
	ed = (struct reminder_edit){ .has_at = true, .at = T0 + 60 };
	ck_assert_int_eq(reminder_update(st, a, &ed, T0, NULL, NULL, &e), 0);
	ck_assert_int_eq(reminder_get(st, a, T0, &r, &e), 0);
	ck_assert_int_eq(r.state, JOB_PENDING);
	ck_assert_int_eq(r.at, T0 + 60);
	reminder_release(&r);
	ck_assert_int_eq(reminder_update(st, 99, &ed, T0, NULL, NULL, &e), -1);
	ck_assert_int_eq(e.code, ERR_NOTFOUND);
}
END_TEST

START_TEST(test_done_cancel_atomic)
{
	struct err e = { 0, "" };
	long long daily = add("pills", T0, "0 9 * * *", "stdout", T0 - 100);
	long long once = add("tea", T0, NULL, "stdout", T0 - 100);
	bool has;
	time_t next;
	int rc;
	struct job j;

	other = store_open(path, &e);
	ck_assert_msg(other != NULL, "%s", e.msg);
	sqlite3_busy_timeout(other->db, 0);
	sqlite3_trace_v2(st->db, SQLITE_TRACE_STMT, on_stmt, NULL);

	/* done on the daily one while the other cancels it */
	meddle = meddle_cancel;
	meddle_id = daily;
	meddled = 2;
	rc = reminder_done(st, daily, T0, &has, &next, &e);
	ck_assert_int_ne(meddled, 2);
	j = get(daily);
	if (meddled == 0) /* the cancel went through: it stays cancelled */
		ck_assert_str_eq(job_state_name(j.state), "cancelled");
	else
		ck_assert_msg(rc == 0 && !strcmp(job_state_name(j.state), "pending"), "%d %s", rc,
			      job_state_name(j.state));
	job_release(&j);

	/* cancel the one-time one while the other marks it done: not both */
	meddle = meddle_done;
	meddle_id = once;
	meddled = 2;
	rc = reminder_cancel(st, once, &e);
	ck_assert_int_ne(meddled, 2);
	ck_assert_msg(rc < 0 || meddled < 0, "both cancelled and done");
	sqlite3_trace_v2(st->db, 0, NULL, NULL);
	store_free(other);
}
END_TEST

START_TEST(test_lock)
{
	struct err e = { 0, "" };
	int front = sched_lock_try(path), daemon;

	/* No daemon: a front may run the scheduler; a daemon still starts beside it. */
	ck_assert_int_ge(front, 0);
	close(front);
	daemon = sched_lock_daemon(path, &e);
	ck_assert_int_ge(daemon, 0);
	ck_assert_int_eq(sched_lock_try(path), -1);
	close(daemon);
	front = sched_lock_try(path);
	ck_assert_int_ge(front, 0);
	close(front);
}
END_TEST

Suite *sched_suite(void)
{
	Suite *s = suite_create("sched");
	TCase *tc = tcase_create("sched");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_fires_exactly_once);
	tcase_add_test(tc, test_claim_survives_crash);
	tcase_add_test(tc, test_failing_channel_retried_alone);
	tcase_add_test(tc, test_catch_up_policies);
	tcase_add_test(tc, test_snooze);
	tcase_add_test(tc, test_reminder_api);
	tcase_add_test(tc, test_reminder_update);
	tcase_add_test(tc, test_done_cancel_atomic);
	tcase_add_test(tc, test_lock);
	suite_add_tcase(s, tc);
	return s;
}
