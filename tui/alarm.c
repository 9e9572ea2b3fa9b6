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

/* "Reminder 12", "Routine 3 (late by 2h)": a popup's title. */
static void popup_title(const char *kind, long long id, long late_secs, char *buf, size_t len)
{
	const char *word = !strcmp(kind, ROUTINE_KIND) ? "Routine" : "Reminder";
	char late[32];

	if (late_secs)
		snprintf(buf, len, "%s %lld (%s)", word, id,
			 sched_fmt_late(late_secs, late, sizeof(late)));
	else
		snprintf(buf, len, "%s %lld", word, id);
}

/* On the scheduler thread: one channel of one occurrence. */
static int deliver(void *arg, const struct sched_fire *f, const char *channel, struct err *e)
{
	struct alarm *a = arg;
	struct syncer_gate g = { a->sync, a->cfg, a->opts.lease, notify_channel, a };
	char title[64];

	if (strcmp(channel, "tui") && strcmp(channel, "stdout"))
		return syncer_gate_deliver(&g, f, channel, e);
	if (a->last_job == f->job_id && a->last_occurrence == f->occurrence)
		return 0; /* tui and stdout: the same popup */
	a->last_job = f->job_id;
	a->last_occurrence = f->occurrence;
	/* before the row is recorded: the inbox must know it was shown */
	pthread_mutex_lock(&a->own_lock);
	a->own[a->nown % 16].job = f->job_id;
	a->own[a->nown % 16].occurrence = f->occurrence;
	a->nown++;
	pthread_mutex_unlock(&a->own_lock);
	popup_title(f->kind, f->job_id, f->late, title, sizeof(title));
	worker_post_id(a->worker, WORKER_FIRED, f->job_id, title, f->text);
	return 0;
}

/* Whether this TUI's scheduler showed (job, occurrence) already. */
static bool shown_here(struct alarm *a, long long job, time_t occurrence)
{
	bool found = false;

	pthread_mutex_lock(&a->own_lock);
	for (size_t i = 0; i < 16 && i < a->nown; i++)
		if (a->own[i].job == job && a->own[i].occurrence == occurrence)
			found = true;
	pthread_mutex_unlock(&a->own_lock);
	return found;
}

int alarm_inbox(struct alarm *a, struct store *s,
		void (*show)(void *arg, long long id, const char *title, const char *text),
		void *arg, struct err *e)
{
	struct notify_tui_item *items;
	size_t n;
	char title[64];

	if (notify_tui_inbox(s, &a->inbox_after, &items, &n, e) < 0)
		return -1;
	for (size_t i = 0; i < n; i++) {
		if (shown_here(a, items[i].job_id, items[i].occurrence))
			continue;
		popup_title(items[i].kind, items[i].job_id, items[i].late, title, sizeof(title));
		show(arg, items[i].job_id, title, items[i].text);
	}
	notify_tui_items_free(items, n);
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
	struct notify_tui_item *none;
	size_t n;

	memset(a, 0, sizeof(*a));
	a->lock = a->tui_lock = -1;
	pthread_mutex_init(&a->own_lock, NULL);
	/* the starting point first, then the lock: nothing delivered to this
	 * TUI falls in between */
	a->inbox_after = -1;
	if (notify_tui_inbox(ctx->store, &a->inbox_after, &none, &n, e) < 0)
		return -1;
	a->tui_lock = notify_tui_attach(ctx->db_path);
	if (a->tui_lock < 0)
		log_warn(
			"tui: cannot take the tui channel's lock: reminders for it wait for a TUI");
	a->db_path = ctx->db_path;
	sched_opts_init(&a->opts, ctx->cfg, false);
	free(a->opts.channels); /* a TUI's own defaults: its popup first */
	a->opts.channels =
		notify_default_channels(ctx->cfg, true, notify_telegram_linked(ctx->store));
	routine_sched(&a->opts, ctx->cfg);
	a->opts.clock = wallclock_now;
	a->opts.max_jobs = 20; /* a burst of due jobs does not hold back a popup */
	a->notify.command = config_get(ctx->cfg, "notify.command");
	a->notify.timeout = a->opts.lease / 2;
	a->store = store_open(ctx->db_path, e);
	if (!a->store)
		return -1;
	store_set_user(a->store, store_user(ctx->store)); /* as the daemon's store */
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
	if (a->tui_lock >= 0)
		close(a->tui_lock);
	pthread_mutex_destroy(&a->own_lock);
	memset(a, 0, sizeof(*a));
	a->lock = -1;
	a->tui_lock = -1;
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
