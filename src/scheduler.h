/*
 * scheduler.h - the embedded scheduler: fire every due job exactly once.
 *
 * sched_run_due() is a callback for any poll loop (the daemon, the TUI, the
 * REPL, `nestor remind fire`): it claims due jobs one at a time, delivers
 * each to its channels through the caller's deliver function, records every
 * delivery, moves recurring jobs to their next occurrence, and says how long
 * the caller may sleep.  Any number of processes may run it on one database
 * at once.
 *
 * Guarantees (see job.h for the rows):
 *  - a claim is one BEGIN IMMEDIATE transaction, so two processes never
 *    claim the same occurrence while its lease runs;
 *  - each channel's delivery is recorded (job_runs, unique per job,
 *    occurrence and channel) right after it succeeds; a process that dies
 *    between claim and completion leaves the job running with a lease; once
 *    the lease ends another process claims it again and delivers only the
 *    channels not yet recorded.  Nothing is lost.  The one window for a
 *    duplicate is a crash after a channel's side effect and before its row
 *    is written (milliseconds): at-least-once, never zero times;
 *  - before each channel the lease is renewed when less than half of it is
 *    left, and a command channel is killed after half a lease, so a live
 *    process never loses its claim to another;
 *  - a failing channel never blocks the others: it is recorded (failed),
 *    and the occurrence is retried for the channels still missing after
 *    30 s, 1, 2 and 4 min; after SCHED_MAX_ATTEMPTS claims it is given up
 *    (a one-time job becomes failed, a recurring one moves on) with
 *    last_error set.
 *
 * Missed occurrences (nothing ran at the due time): an occurrence more
 * than SCHED_LATE_GRACE seconds past due fires once, marked late.  For a
 * recurring job, catch_up decides what follows: once (default) continues
 * with the first occurrence after now; all fires every missed occurrence in
 * turn; skip does not fire a late occurrence at all (recorded as missed)
 * and continues after now.  A one-time job always fires, even when late.
 *
 * A job that asks the assistant (its payload has a "request": a routine,
 * routine.h) is composed before its channels: the caller's compose function
 * runs the request and its reply is what the channels deliver.  The reply
 * is recorded first, as the job_runs row of the step SCHED_STEP_ASSISTANT
 * with the text and the conversation, so a re-claim after a crash delivers
 * the same text without asking again.  A failed compose is recorded
 * (failed) and retried like a failed channel; no channel gets anything
 * until it succeeds.  The turn runs with the lease renewed just before it;
 * one that outlasts the lease may be asked again by another process, and
 * the first reply recorded is the one delivered.
 */
#ifndef NESTOR_SCHEDULER_H
#define NESTOR_SCHEDULER_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "config.h"
#include "err.h"
#include "store.h"

#define SCHED_LATE_GRACE   90
#define SCHED_MAX_ATTEMPTS 5
#define SCHED_RETRY_BASE   30

/* The job_runs "channel" of a composed job's reply. */
#define SCHED_STEP_ASSISTANT "assistant"

enum sched_catch_up { SCHED_CATCH_UP_ONCE, SCHED_CATCH_UP_ALL, SCHED_CATCH_UP_SKIP };

struct sched_fire;

/* What a compose function made. */
struct sched_reply {
	char *text;		/* the text to deliver (the scheduler frees it) */
	long long conversation; /* where the turn was written, or 0 */
};

struct sched_opts {
	enum sched_catch_up catch_up;
	long lease;	/* seconds a claim lasts (scheduler.lease) */
	char *channels; /* default channel list (notify_default_channels()) */
	/* The live clock for leases and delivery times; NULL: `now` throughout. */
	time_t (*clock)(void);
	size_t max_jobs; /* at most this many jobs per call (0: no limit) */
	/* Run the request of a job that asks the assistant (f->payload) and
	 * fill r; -1 with e when it failed.  NULL: such jobs fail here (and
	 * are retried), e.g. routine_compose (routine.h) with compose_arg the
	 * config. */
	int (*compose)(void *arg, struct store *s, const struct sched_fire *f, time_t now,
		       struct sched_reply *r, struct err *e);
	void *compose_arg;
};

/* Defaults, then the scheduler.* and notify.* keys of cfg (may be NULL).
 * telegram: whether the telegram channel is among the default channels (a
 * chat is linked, or this process relays the bot). */
void sched_opts_init(struct sched_opts *o, struct config *cfg, bool telegram);
void sched_opts_release(struct sched_opts *o);

/* One occurrence being delivered. */
struct sched_fire {
	long long job_id;
	const char *kind;
	const char *text;    /* the reminder's text (payload "text"), a composed
			      * job's reply, else the kind */
	const char *payload; /* the job's JSON payload, or NULL */
	time_t occurrence;   /* its due time */
	long late;	     /* seconds past due when late (> SCHED_LATE_GRACE), else 0 */
	bool recurring;
	int attempt;	   /* 1 for the first claim of this occurrence */
	long long user_id; /* whose job it is */
};

struct sched_deliver {
	/* Deliver f on one channel.  0: delivered; 1: skipped, channel not
	 * available here (e says why); -1: failed (e says why). */
	int (*deliver)(void *arg, const struct sched_fire *f, const char *channel, struct err *e);
	/* Optional: one occurrence finished in this call; delivered and failed
	 * count its channels delivered (or skipped) and failed here. */
	void (*fired)(void *arg, const struct sched_fire *f, int delivered, int failed);
	void *arg;
};

/*
 * Fire every job due at now (next_run <= now).  *next_delay: seconds until
 * the next job is due (0 when more are due already, e.g. max_jobs was
 * reached), -1 when no job is pending.  *fired (may be NULL): occurrences
 * finished.  Errors are database errors; a channel's failure is not one.
 */
int sched_run_due(struct store *s, const struct sched_opts *o, time_t now,
		  const struct sched_deliver *d, long *next_delay, int *fired, struct err *e);

/*
 * Fire job id once at now outside its schedule (`routine run`): an extra
 * occurrence, composed, delivered and recorded like any other, the job's
 * schedule and state left alone.  *reply (may be NULL): the text delivered
 * (caller frees).  Fails when the compose or a channel failed (recorded).
 */
int sched_fire_now(struct store *s, const struct sched_opts *o, long long id, time_t now,
		   const struct sched_deliver *d, char **reply, struct err *e);

/* "late by 3h", "late by 2d 4h": buf needs 32 bytes. */
char *sched_fmt_late(long secs, char *buf, size_t len);
/* The one line shown for a fired reminder: "reminder 12: call mom (late by 3h)". */
char *sched_fire_line(const struct sched_fire *f);

/*
 * The scheduler lock, a file next to the database (DB.sched.lock).  A daemon
 * holds it shared for its lifetime (sched_lock_daemon: the fd, or -1 with e
 * filled).  A front that may run the scheduler itself (the TUI) calls
 * sched_lock_try(): an fd holding it exclusively when no daemon runs, to
 * keep while it runs the scheduler; -1 when a daemon holds it.  The lock
 * only avoids needless work: running the scheduler in several processes is
 * always safe.
 */
int sched_lock_daemon(const char *db_path, struct err *e);
int sched_lock_try(const char *db_path);

enum sched_runner {
	SCHED_RUNNER_NONE,   /* nobody holds the lock: due jobs wait */
	SCHED_RUNNER_DAEMON, /* `nestor daemon` (shared) */
	SCHED_RUNNER_FRONT,  /* a TUI or REPL running the scheduler (exclusive) */
	SCHED_RUNNER_UNKNOWN /* /proc/locks cannot be read */
};

/* Who holds the scheduler lock of db_path, and its pid (0 when unknown),
 * as /proc/locks shows it: the lock itself is never taken, so asking can
 * never keep a front from running the scheduler. */
enum sched_runner sched_lock_holder(const char *db_path, int *pid);

#endif
