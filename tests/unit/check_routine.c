/* Routines with a pinned clock: the schedule a routine gets, the reply
 * composed once per occurrence and recorded before its channels, a failed
 * turn retried, a run outside the schedule, the offline "my day" as the
 * reply, and what `nestor status` makes of failures and overdue jobs. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "health.h"
#include "job.h"
#include "routine.h"
#include "scheduler.h"
#include "store.h"
#include "task.h"
#include "testutil.h"
#include "xalloc.h"

#define T0  1800000000 /* Friday 2027-01-15 09:00 CET */
#define DAY 86400

static char *dir, *path;
static struct store *st;

/* What the fake assistant and the channels saw. */
struct seen {
	int composed;
	bool compose_fails;
	int n;
	char text[8][256];
	char channel[8][16];
	const char *failing; /* this channel fails */
};

static int compose(void *arg, struct store *s, const struct sched_fire *f, time_t now,
		   struct sched_reply *r, struct err *e)
{
	struct seen *seen = arg;

	(void)s;
	(void)f;
	seen->composed++;
	if (seen->compose_fails)
		return err_set(e, ERR_FAIL, "the model is down");
	r->text = xasprintf("reply %d at %lld", seen->composed, (long long)now);
	r->conversation = 0;
	return 0;
}

static int deliver(void *arg, const struct sched_fire *f, const char *channel, struct err *e)
{
	struct seen *seen = arg;

	ck_assert_int_lt(seen->n, 8);
	snprintf(seen->text[seen->n], sizeof(seen->text[0]), "%s", f->text);
	snprintf(seen->channel[seen->n++], sizeof(seen->channel[0]), "%s", channel);
	if (seen->failing && !strcmp(channel, seen->failing))
		return err_set(e, ERR_FAIL, "boom");
	return 0;
}

static void setup(void)
{
	struct err e = { 0, "" };

	setenv("TZ", "Europe/Berlin", 1);
	tzset();
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

static long long add(const char *request, const char *every, time_t at, const char *channels)
{
	struct routine_def d = { .request = request,
				 .every = every,
				 .at = at,
				 .channels = channels,
				 .tzid = "Europe/Berlin" };
	struct err e = { 0, "" };
	long long id;

	ck_assert_msg(routine_add(st, &d, T0 - 100, &id, &e) == 0, "%s", e.msg);
	return id;
}

static void run(struct seen *s, time_t now, bool with_compose)
{
	struct sched_deliver d = { deliver, NULL, s };
	struct sched_opts o;
	struct err e = { 0, "" };
	long delay;

	sched_opts_init(&o, NULL, false);
	if (with_compose) {
		o.compose = compose;
		o.compose_arg = s;
	}
	ck_assert_msg(sched_run_due(st, &o, now, &d, &delay, NULL, &e) == 0, "%s", e.msg);
	sched_opts_release(&o);
}

static struct routine get(long long id, time_t now)
{
	struct err e = { 0, "" };
	struct routine r;

	ck_assert_msg(routine_get(st, id, now, &r, &e) == 0, "%s", e.msg);
	return r;
}

START_TEST(test_schedule)
{
	struct routine_def bad = { .request = "my day", .every = "every blue moon" };
	struct err e = { 0, "" };
	struct routine r;
	long long id;

	/* a phrase: the first matching day at the time of --at (Saturday 08:00
	 * anchors a weekday rule: Monday) */
	id = add("my day", "every weekday", T0 + DAY - 3600, NULL);
	r = get(id, T0);
	ck_assert(r.has_next);
	ck_assert_int_eq(r.next, T0 + 3 * DAY - 3600);
	ck_assert_str_eq(r.every, "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR");
	ck_assert_str_eq(r.user, "me");
	ck_assert_ptr_null(r.assistant);
	routine_release(&r);
	/* a past --at only anchors: the next occurrence after now */
	id = add("my day", "every day", T0 - 2 * DAY, NULL);
	r = get(id, T0);
	ck_assert_int_eq(r.next, T0);
	routine_release(&r);
	/* cron: its next match; no --at for a phrase: 09:00 */
	id = add("recap", "0 17 * * 5", 0, "stdout");
	r = get(id, T0);
	ck_assert_int_eq(r.next, T0 + 8 * 3600);
	ck_assert_str_eq(r.channels, "stdout");
	routine_release(&r);
	id = add("my day", "every monday", 0, NULL);
	r = get(id, T0);
	ck_assert_int_eq(r.next, T0 + 3 * DAY);
	routine_release(&r);
	/* refused, one clear line each */
	ck_assert_int_eq(routine_add(st, &bad, T0, &id, &e), -1);
	ck_assert_int_eq(e.code, ERR_USAGE);
	bad.every = "daily";
	bad.assistant = "nobody";
	ck_assert_int_eq(routine_add(st, &bad, T0, &id, &e), -1);
	ck_assert_msg(strstr(e.msg, "nobody") != NULL, "%s", e.msg);
	bad.assistant = NULL;
	bad.channels = "pigeon";
	ck_assert_int_eq(routine_add(st, &bad, T0, &id, &e), -1);
	ck_assert_msg(strstr(e.msg, "pigeon") != NULL, "%s", e.msg);
	bad.channels = NULL;
	bad.user = "stranger";
	ck_assert_int_eq(routine_add(st, &bad, T0, &id, &e), -1);
	ck_assert_msg(strstr(e.msg, "stranger") != NULL, "%s", e.msg);
}
END_TEST

/* One reply per occurrence, recorded first: a channel retried later gets
 * the same text and the assistant is not asked again. */
START_TEST(test_composed_once)
{
	struct seen s = { 0 };
	struct job_run run_;
	struct err e = { 0, "" };
	long long id = add("my day", "every day", T0, "stdout,command");
	struct job j;

	s.failing = "command";
	run(&s, T0, true);
	ck_assert_int_eq(s.composed, 1);
	ck_assert_int_eq(s.n, 2);
	ck_assert_str_eq(s.text[0], "reply 1 at 1800000000");
	ck_assert_str_eq(s.text[1], "reply 1 at 1800000000");
	ck_assert_int_eq(job_run_get(st, id, T0, SCHED_STEP_ASSISTANT, &run_, &e), 1);
	ck_assert_str_eq(run_.output, "reply 1 at 1800000000");
	job_run_release(&run_);
	ck_assert_int_eq(job_get(st, id, &j, &e), 0);
	ck_assert_int_eq(j.next_run, T0 + SCHED_RETRY_BASE);
	ck_assert_str_eq(j.last_error, "command: boom");
	job_release(&j);
	/* the retry: only the channel that failed, with the recorded reply */
	s.failing = NULL;
	run(&s, T0 + SCHED_RETRY_BASE, true);
	ck_assert_int_eq(s.composed, 1);
	ck_assert_int_eq(s.n, 3);
	ck_assert_str_eq(s.channel[2], "command");
	ck_assert_str_eq(s.text[2], "reply 1 at 1800000000");
	ck_assert_int_eq(job_get(st, id, &j, &e), 0);
	ck_assert_int_eq(j.next_run, T0 + DAY);
	job_release(&j);
}
END_TEST

/* A turn that fails: recorded, nothing delivered, asked again on retry. */
START_TEST(test_compose_fails)
{
	struct seen s = { 0 };
	struct job_run *runs;
	struct err e = { 0, "" };
	long long id = add("my day", "every day", T0, "stdout");
	struct job j;
	size_t n;

	s.compose_fails = true;
	run(&s, T0, true);
	ck_assert_int_eq(s.composed, 1);
	ck_assert_int_eq(s.n, 0);
	ck_assert_int_eq(job_get(st, id, &j, &e), 0);
	ck_assert_str_eq(job_state_name(j.state), "pending");
	ck_assert_int_eq(j.next_run, T0 + SCHED_RETRY_BASE);
	ck_assert_str_eq(j.last_error, "assistant: the model is down");
	job_release(&j);
	ck_assert_int_eq(job_history(st, id, 10, &runs, &n, &e), 0);
	ck_assert_uint_eq(n, 1);
	ck_assert_str_eq(runs[0].channel, "assistant");
	ck_assert_str_eq(job_result_name(runs[0].result), "failed");
	ck_assert_str_eq(runs[0].detail, "the model is down");
	job_run_list_free(runs, n);
	s.compose_fails = false;
	run(&s, T0 + SCHED_RETRY_BASE, true);
	ck_assert_int_eq(s.composed, 2);
	ck_assert_int_eq(s.n, 1);
	ck_assert_str_eq(s.text[0], "reply 2 at 1800000030");
}
END_TEST

/* A process that cannot run routines fails them (to be retried), it never
 * delivers the bare kind. */
START_TEST(test_no_compose_here)
{
	struct seen s = { 0 };
	struct err e = { 0, "" };
	long long id = add("my day", "every day", T0, "stdout");
	struct job j;

	run(&s, T0, false);
	ck_assert_int_eq(s.n, 0);
	ck_assert_int_eq(job_get(st, id, &j, &e), 0);
	ck_assert_msg(strstr(j.last_error, "no assistant runs routine jobs") != NULL, "%s",
		      j.last_error);
	job_release(&j);
}
END_TEST

/* `routine run`: an extra occurrence at now, the schedule left alone; each
 * run delivers, also two in one second. */
START_TEST(test_fire_now)
{
	struct seen s = { 0 };
	struct sched_deliver d = { deliver, NULL, &s };
	struct sched_opts o;
	struct err e = { 0, "" };
	long long id = add("my day", "every day", T0 + 3600, "stdout");
	char *reply = NULL;
	struct routine r;

	sched_opts_init(&o, NULL, false);
	o.compose = compose;
	o.compose_arg = &s;
	ck_assert_msg(sched_fire_now(st, &o, id, T0, &d, &reply, &e) == 0, "%s", e.msg);
	ck_assert_str_eq(reply, "reply 1 at 1800000000");
	ck_assert_int_eq(s.n, 1);
	r = get(id, T0);
	ck_assert_int_eq(r.next, T0 + 3600);
	ck_assert_str_eq(r.state, "pending");
	routine_release(&r);
	free(reply);
	/* run again in the same second: delivered again, not taken for the
	 * first run's delivery */
	ck_assert_msg(sched_fire_now(st, &o, id, T0, &d, &reply, &e) == 0, "%s", e.msg);
	ck_assert_str_eq(reply, "reply 2 at 1800000000");
	ck_assert_int_eq(s.n, 2);
	free(reply);
	s.compose_fails = true;
	ck_assert_int_eq(sched_fire_now(st, &o, id, T0 + 60, &d, &reply, &e), -1);
	ck_assert_msg(strstr(e.msg, "the model is down") != NULL, "%s", e.msg);
	ck_assert_int_eq(s.n, 2);
	sched_opts_release(&o);
}
END_TEST

/* The real thing with the offline assistant: "my day" as the reply, in a
 * conversation of its own; the part it cannot get is named. */
START_TEST(test_offline_my_day)
{
	struct seen s = { 0 };
	struct sched_deliver d = { deliver, NULL, &s };
	struct sched_opts o;
	struct job_run run_;
	struct err e = { 0, "" };
	struct task t = { 0 };
	long long id = add("my day", "every day", T0, "stdout");
	struct config *cfg;
	char *cpath;
	long delay;

	t.title = "send the report";
	t.has_due = true;
	t.due = T0 + 3600;
	ck_assert_int_eq(task_add(st, &t, T0 - 100, &e), 0);
	cpath = xasprintf("%s/config", dir);
	cfg = config_load(cpath, NULL, &e);
	free(cpath);
	ck_assert_msg(cfg != NULL, "%s", e.msg);
	sched_opts_init(&o, cfg, false);
	routine_sched(&o, cfg);
	ck_assert_msg(sched_run_due(st, &o, T0, &d, &delay, NULL, &e) == 0, "%s", e.msg);
	ck_assert_int_eq(s.n, 1);
	ck_assert_msg(!strncmp(s.text[0], "Your day, today.", 16), "%s", s.text[0]);
	ck_assert_msg(strstr(s.text[0], "send the report") != NULL, "%s", s.text[0]);
	ck_assert_msg(strstr(s.text[0], "Could not get the weather: no place given") != NULL, "%s",
		      s.text[0]);
	ck_assert_int_eq(job_run_get(st, id, T0, SCHED_STEP_ASSISTANT, &run_, &e), 1);
	ck_assert(run_.conversation_id > 0);
	job_run_release(&run_);
	sched_opts_release(&o);
	config_free(cfg);
}
END_TEST

/* health: a failed delivery needs attention until it goes out; a job
 * overdue with nobody running the scheduler does too. */
START_TEST(test_health)
{
	struct seen s = { 0 };
	struct health h;
	struct err e = { 0, "" };

	ck_assert_int_eq(health_collect(st, NULL, path, NULL, T0, &h, &e), 0);
	ck_assert(h.healthy);
	ck_assert_int_eq(h.runner, SCHED_RUNNER_NONE);
	health_release(&h);
	add("my day", "every day", T0, "stdout");
	ck_assert_int_eq(health_collect(st, NULL, path, NULL, T0 + SCHED_LATE_GRACE + 1, &h, &e),
			 0);
	ck_assert(!h.healthy);
	ck_assert_int_eq(h.overdue, 1);
	ck_assert_msg(strstr(h.problems[0], "nobody runs the scheduler") != NULL, "%s",
		      h.problems[0]);
	health_release(&h);
	s.failing = "stdout";
	run(&s, T0, true);
	ck_assert_int_eq(health_collect(st, NULL, path, NULL, T0 + 1, &h, &e), 0);
	ck_assert(!h.healthy);
	ck_assert_int_eq(h.failed, 1);
	ck_assert_str_eq(h.failed_channel, "stdout");
	health_release(&h);
	/* a day later the failure is old news */
	ck_assert_int_eq(health_collect(st, NULL, path, NULL, T0 + DAY + 31, &h, &e), 0);
	ck_assert_int_eq(h.failed, 0);
	health_release(&h);
	s.failing = NULL;
	run(&s, T0 + SCHED_RETRY_BASE, true);
	ck_assert_int_eq(health_collect(st, NULL, path, NULL, T0 + SCHED_RETRY_BASE + 1, &h, &e),
			 0);
	ck_assert_msg(h.healthy, "%s", h.nproblems ? h.problems[0] : "");
	health_release(&h);
}
END_TEST

/* A new schedule runs at least 5 minutes apart; a stored closer one keeps
 * its rule through an edit of its other fields. */
START_TEST(test_gap_limit)
{
	struct routine_def d = { .request = "my day", .every = "* * * * *" };
	struct routine_def req = { 0 };
	struct err e = { 0, "" };
	struct routine r;
	struct job j;
	long long id;

	ck_assert_int_eq(routine_add(st, &d, T0, &id, &e), -1);
	ck_assert_int_eq(e.code, ERR_USAGE);
	ck_assert_str_eq(e.msg, "schedule \"* * * * *\" runs 1 minute apart: a routine runs at"
				" most every 5 minutes (\"*/5 * * * *\")");
	d.every = "FREQ=HOURLY;BYMINUTE=10,12";
	ck_assert_int_eq(routine_add(st, &d, T0, &id, &e), -1);
	d.every = "*/5 * * * *";
	ck_assert_msg(routine_add(st, &d, T0, &id, &e) == 0, "%s", e.msg);
	ck_assert_int_eq(job_get(st, id, &j, &e), 0);
	free(j.rule);
	j.rule = xstrdup("* * * * *");
	ck_assert_msg(job_redefine(st, &j, &e) == 0, "%s", e.msg);
	job_release(&j);
	req.request = "what is due";
	ck_assert_msg(routine_edit(st, id, &req, T0, &e) == 0, "%s", e.msg);
	r = get(id, T0);
	ck_assert_str_eq(r.every, "* * * * *");
	ck_assert_str_eq(r.request, "what is due");
	routine_release(&r);
	req.request = NULL;
	req.every = "0,3 * * * *";
	ck_assert_int_eq(routine_edit(st, id, &req, T0, &e), -1);
}
END_TEST

Suite *routine_suite(void)
{
	Suite *s = suite_create("routine");
	TCase *tc = tcase_create("routine");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_schedule);
	tcase_add_test(tc, test_composed_once);
	tcase_add_test(tc, test_compose_fails);
	tcase_add_test(tc, test_no_compose_here);
	tcase_add_test(tc, test_fire_now);
	tcase_add_test(tc, test_offline_my_day);
	tcase_add_test(tc, test_health);
	tcase_add_test(tc, test_gap_limit);
	suite_add_tcase(s, tc);
	return s;
}
