/*
 * routine.h - routines: the assistant on a schedule.
 *
 * A routine is a job of kind "routine" (job.h) with the claims, leases,
 * retries, catch-up and per-channel history of every job (scheduler.h).
 * Its payload is {"request": "my day", "assistant": "gpt", "channels":
 * [...]}: when it is due, routine_compose() runs the request as one engine
 * turn in a conversation of its own (readable and resumable with `nestor
 * history`), with the routine's assistant (absent: the default one at that
 * time), and the reply is what its channels deliver.  The reply and the
 * conversation are recorded in job_runs (the step "assistant"), so `jobs
 * history` shows what was said.  A failed turn (the LLM down) is recorded
 * and retried with the scheduler's backoff.
 *
 *	routine_add(s, &(struct routine_def){ .request = "my day",
 *		    .every = "every weekday", .at = eight_tomorrow }, now, &id, e);
 *	sched_opts_init(&o, cfg); routine_sched(&o, cfg);  (any scheduler front)
 */
#ifndef NESTOR_ROUTINE_H
#define NESTOR_ROUTINE_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "config.h"
#include "err.h"
#include "scheduler.h"
#include "store.h"

#define ROUTINE_KIND "routine"
/* A new schedule's runs are this many minutes apart at the closest
 * (recur_min_gap()); a stored one closer runs as it is. */
#define ROUTINE_MINUTES_MIN 5

struct routine {
	long long id;
	char *request;
	char *assistant; /* or NULL: the default assistant */
	char *channels;	 /* "stdout,command", or NULL: notify.channels */
	char *user;	 /* whose routine it is */
	bool has_next;
	time_t next;	  /* the next run */
	char schedule[8]; /* at|cron|rrule */
	char *every;	  /* the cron expression or RRULE, or NULL */
	char *tzid;
	char state[12];
	int attempts;
	char *last_error;
	long late; /* seconds past due when active and overdue at now */
};

/* What routine_add() makes and routine_edit() changes (NULL / 0: keep). */
struct routine_def {
	const char *request;
	const char *every;     /* a cron expression or a phrase (when_parse_rule()) */
	time_t at;	       /* the first run (with a phrase; 0: computed) */
	const char *assistant; /* "" on edit: back to the default assistant */
	const char *channels;  /* "" on edit: back to notify.channels */
	const char *user;      /* a name in the users table */
	const char *tzid;
	bool has_wall; /* wall: at as written, in a gap (reminder_add()) */
	time_t wall;
};

void routine_release(struct routine *r);
void routine_list_free(struct routine *rs, size_t n);

/*
 * Add a routine.  every is required; with a phrase or an RRULE the first
 * run is at (0: the rule's first time after now, at the time of day of at
 * or of now); with a cron expression, its first match at or after at (0:
 * after now).  The assistant and the user must exist, the channels be
 * known.  Sets *id.
 */
int routine_add(struct store *s, const struct routine_def *d, time_t now, long long *id,
		struct err *e);
/* ERR_NOTFOUND unless id is a routine. */
int routine_get(struct store *s, long long id, time_t now, struct routine *out, struct err *e);
/* Active routines by next run, or every routine when all. */
int routine_list(struct store *s, bool all, time_t now, struct routine **out, size_t *n,
		 struct err *e);
/* Change what d sets; a new every or at starts the schedule afresh. */
int routine_edit(struct store *s, long long id, const struct routine_def *d, time_t now,
		 struct err *e);
/* Remove a routine and its history. */
int routine_rm(struct store *s, long long id, struct err *e);

/* The sched_opts compose function (arg: the struct config):
 * one engine turn for the request in f->payload, at now. */
int routine_compose(void *arg, struct store *s, const struct sched_fire *f, time_t now,
		    struct sched_reply *r, struct err *e);
/* Let a scheduler front run routines: o->compose = routine_compose. */
void routine_sched(struct sched_opts *o, struct config *cfg);

#endif
