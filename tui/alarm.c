/* The scheduler on a thread of the TUI; fired reminders become popups. */
#include "alarm.h"
#include "log.h"
#include "wallclock.h"
#include "routine.h"
#include "xalloc.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAX_SLEEP   60 /* look again at least once a minute (clock changes) */
#define LOCK_RETRY  5  /* a daemon that stops hands reminders over within 5 s */
#define ERROR_RETRY 30

static int notify_channel(void *arg, const struct sched_fire *f, const char *channel, struct err *e)
{
	struct alarm *a = arg;

	return notify_deliver(&a->notify, f, channel, e);
}

/* On the scheduler thread: one channel of one occurrence. */
static int deliver(void *arg, const struct sched_fire *f, const char *channel, struct err *e)
{
	struct alarm *a = arg;
	const char *kind = !strcmp(f->kind, ROUTINE_KIND) ? "Routine" : "Reminder";
	struct syncer_gate g = { a->sync, a->cfg, a->opts.lease, notify_channel, a };
	char title[64], late[32];

	if (strcmp(channel, "tui") && strcmp(channel, "stdout"))
		return syncer_gate_deliver(&g, f, channel, e);
	if (a->last_job == f->job_id && a->last_occurrence == f->occurrence)
		return 0; /* tui and stdout: the same popup */
	a->last_job = f->job_id;
	a->last_occurrence = f->occurrence;
	if (f->late)
		snprintf(title, sizeof(title), "%s %lld (%s)", kind, f->job_id,
			 sched_fmt_late(f->late, late, sizeof(late)));
	else
		snprintf(title, sizeof(title), "%s %lld", kind, f->job_id);
	worker_post_id(a->worker, WORKER_FIRED, f->job_id, title, f->text);
	return 0;
}

static void fired(void *arg, const struct sched_fire *f, int delivered, int failed)
{
	(void)arg;
	log_info("tui: fired job %lld%s: %d delivered, %d failed", f->job_id,
		 f->late ? " (late)" : "", delivered, failed);
}

/* The job: run what is due and leave the delay to the next job in a->next;
 * 0, or -1 after an error (posted). */
static int run(struct worker *w, void *arg)
{
	struct alarm *a = arg;
	struct sched_deliver d = { deliver, fired, a };
	struct err e = { 0, "" };

	if (sched_run_due(a->store, &a->opts, wallclock_now(), &d, &a->next, NULL, &e) < 0) {
		log_error("tui: scheduler: %s", e.msg);
		worker_post(w, WORKER_ERROR, e.msg, NULL);
		return -1;
	}
	return 0;
}

int alarm_open(struct alarm *a, struct ctx *ctx, struct err *e)
{
	memset(a, 0, sizeof(*a));
	a->lock = -1;
	a->db_path = ctx->db_path;
	sched_opts_init(&a->opts, ctx->cfg);
	free(a->opts.channels); /* a TUI's own defaults: its popup first */
	a->opts.channels = notify_default_channels(ctx->cfg, true);
	routine_sched(&a->opts, ctx->cfg);
	a->opts.clock = wallclock_now;
	a->opts.max_jobs = 20; /* a burst of due jobs does not hold back a popup */
	a->notify.command = config_get(ctx->cfg, "notify.command");
	a->notify.timeout = a->opts.lease / 2;
	a->store = store_open(ctx->db_path, e);
	if (!a->store)
		return -1;
	a->cfg = ctx->cfg;
	a->sync = syncer_open(ctx->cfg, a->store, ctx->user);
	a->worker = worker_new(e);
	return a->worker ? 0 : -1;
}

void alarm_close(struct alarm *a)
{
	worker_free(a->worker);
	syncer_free(a->sync);
	store_free(a->store);
	sched_opts_release(&a->opts);
	if (a->lock >= 0)
		close(a->lock);
	memset(a, 0, sizeof(*a));
	a->lock = -1;
}

int alarm_fd(const struct alarm *a)
{
	return worker_fd(a->worker);
}

struct worker *alarm_worker(const struct alarm *a)
{
	return a->worker;
}

void alarm_tick(struct alarm *a, time_t now, bool changed)
{
	if (changed)
		a->poke = true;
	if (a->lock < 0) {
		if (now < a->lock_retry)
			return;
		a->lock = sched_lock_try(a->db_path);
		a->lock_retry = now + LOCK_RETRY;
		if (a->lock < 0)
			return;
		a->poke = true;
	}
	if ((a->poke || now >= a->due) && worker_run(a->worker, run, a) == 0) {
		a->poke = false;
		a->due = now + MAX_SLEEP; /* until the run says better */
	}
}

void alarm_finished(struct alarm *a, time_t now, int rc)
{
	long delay = rc < 0 ? ERROR_RETRY : a->next < 0 ? MAX_SLEEP : a->next;

	a->due = now + (delay > MAX_SLEEP ? MAX_SLEEP : delay);
}

long alarm_timeout(struct alarm *a)
{
	time_t at = a->lock < 0 ? a->lock_retry : a->due;
	struct timespec ts;
	long ms;

	if (a->lock >= 0 && worker_busy(a->worker))
		return -1; /* its end wakes the loop */
	if (a->poke && a->lock >= 0)
		return 0;
	/* from the live clock, so a job due at 17:00:00 fires then, not up to
	 * a second later */
	wallclock_timespec(&ts);
	ms = (long)(at - ts.tv_sec) * 1000 - ts.tv_nsec / 1000000;
	return ms < 0 ? 0 : ms;
}

const char *alarm_state(const struct alarm *a)
{
	return a->lock >= 0 ? "reminders: here" : "reminders: daemon";
}
