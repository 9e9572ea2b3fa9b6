/*
 * job.h - the scheduler's rows: jobs and job_runs.
 *
 * A job is something to do at a time, once ("at") or recurring ("cron",
 * "rrule"); a reminder is a job of kind "reminder" whose payload is JSON.
 * States: pending (waiting for next_run), running (claimed by a process
 * until its lease ends), done, cancelled, failed.
 *
 * `occurrence` is the due time being delivered; it identifies one firing.
 * While pending, next_run is when to try (the occurrence, or a retry after
 * a failed channel); while running, next_run is the end of the lease, so an
 * abandoned claim becomes due again through the same index.
 *
 * Exactly once: job_claim() takes the job in one BEGIN IMMEDIATE
 * transaction with a random claim token; each channel's delivery is one
 * job_runs row, unique per (job, occurrence, channel) for results ok and
 * skipped, so recording it is the commit point and a re-claim after a crash
 * skips channels already recorded; job_finish() applies only while the
 * caller's claim still stands.
 */
#ifndef NESTOR_JOB_H
#define NESTOR_JOB_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "err.h"
#include "recur.h"
#include "store.h"

enum job_state { JOB_PENDING, JOB_RUNNING, JOB_DONE, JOB_CANCELLED, JOB_FAILED };

/* "pending", "running", "done", "cancelled", "failed": the word in SQL and
 * JSON. */
const char *job_state_name(enum job_state s);
/* The state named word; -1 when it names none. */
int job_state_parse(const char *word, enum job_state *out);
/* Pending or running: the job will still run. */
bool job_state_active(enum job_state s);

/* How one delivery (a job_runs row) ended. */
enum job_result { JOB_RUN_OK, JOB_RUN_SKIPPED, JOB_RUN_FAILED, JOB_RUN_MISSED };

/* "ok", "skipped", "failed", "missed". */
const char *job_result_name(enum job_result r);
/* The result named word; -1 when it names none. */
int job_result_parse(const char *word, enum job_result *out);

struct job {
	long long id;
	char kind[32];
	char *payload;	  /* JSON text or NULL */
	char schedule[8]; /* at|cron|rrule */
	char *rule;	  /* cron expression or RRULE, NULL for "at" */
	char *tzid;	  /* zone of the rule; NULL: local */
	time_t dtstart;	  /* first occurrence (RRULE anchor) */
	long run_offset;  /* seconds from an occurrence of the rule to its run */
	time_t *exdates;  /* occurrences of the rule to skip */
	/* an event's reminder: the series' DTSTART as written (event.h,
	 * wall_start), read from the event, not stored in the job; a
	 * reminder's: its payload's "wall" (reminder.h, reminder_add()) */
	bool has_wall;
	time_t wall_start;
	size_t nexdates;
	bool has_next;
	time_t next_run;
	time_t occurrence;
	enum job_state state;
	time_t lease_until; /* 0 when not running */
	int attempts;	    /* claims of the current occurrence */
	char *last_error;
	time_t created_at;
	long long event_id; /* the event whose VALARM made it, else 0 */
	long long user_id;  /* whose job it is (0 on add: the first user) */
};

struct job_run {
	long long id, job_id;
	time_t occurrence;
	char *channel; /* NULL for a whole-occurrence record (missed) */
	time_t started_at, finished_at;
	enum job_result result;
	char *detail;		   /* error text, "late by 3h", or NULL */
	char *output;		   /* what the step produced (a routine's reply), or NULL */
	long long conversation_id; /* the conversation it went into, else 0 */
};

void job_release(struct job *j);
/* The schedule of j, for recur_next() (points into j). */
void job_recur(const struct job *j, struct recur_rule *r);
void job_list_free(struct job *jobs, size_t n);
void job_run_list_free(struct job_run *runs, size_t n);

/* Insert j (kind, payload, schedule, rule, tzid, dtstart, run_offset,
 * exdates, next_run, event_id); state
 * pending, occurrence = next_run.  Sets j->id. */
int job_add(struct store *s, struct job *j, time_t now, struct err *e);
/* Whether the stored job id is one a write here makes (reminder_add,
 * routine_add, an event's alarms): a kind of [a-z0-9_-], a known state, a
 * rule its schedule parses (none for "at"), times within the years
 * 1-9999, exdates a list of times, a payload a JSON object of at most
 * STORE_NOTES_MAX bytes (a reminder's with a text of at most
 * STORE_TITLE_MAX, a routine's with a request).  Its zone need not open
 * here (one an .ics import defined).  ERR_USAGE when not, ERR_NOTFOUND. */
int job_check_stored(struct store *s, long long id, struct err *e);
/* The store user's job id; ERR_NOTFOUND for an unknown id and for
 * another user's job (store_set_user()). */
int job_get(struct store *s, long long id, struct job *out, struct err *e);
/* Job id whoever's it is: for the scheduler and the deliveries it makes,
 * which run every user's jobs. */
int job_get_any(struct store *s, long long id, struct job *out, struct err *e);
/* Jobs of kind (NULL: any): active ones (pending, running) by next_run,
 * or every job when all. */
int job_list(struct store *s, const char *kind, bool all, struct job **out, size_t *n,
	     struct err *e);
/* Every job made from the alarms of event event_id, by id. */
int job_list_event(struct store *s, long long event_id, struct job **out, size_t *n, struct err *e);
/* Give job j->id the definition in j (payload, schedule, rule, tzid,
 * dtstart, run_offset, exdates, next_run): pending from scratch, any claim
 * dropped. */
int job_redefine(struct store *s, const struct job *j, struct err *e);
/* Give job id the payload (JSON text or NULL), its schedule and state
 * left as they are. */
int job_set_payload(struct store *s, long long id, const char *payload, struct err *e);
/* Remove a job and its runs (no error when it is gone already). */
int job_delete(struct store *s, long long id, struct err *e);
/* Active jobs with next_run <= now, earliest first, at most limit. */
int job_due(struct store *s, time_t now, size_t limit, struct job **out, size_t *n, struct err *e);
/* The earliest next_run of an active job; *has false when none. */
int job_next_due(struct store *s, time_t *next, bool *has, struct err *e);

/*
 * Claim the earliest job due at now: state running, next_run = lease_until,
 * claim = token, attempts + 1.  *out is the job as it stood before (state
 * "running" means an abandoned claim is being taken over), with attempts
 * already counting this claim.  Returns 1, 0 when nothing is due, -1.
 */
int job_claim(struct store *s, time_t now, time_t lease_until, const char *token, struct job *out,
	      struct err *e);
/* Extend a claim; 1 while it is still ours, 0 when lost. */
int job_renew(struct store *s, long long id, const char *token, time_t lease_until, struct err *e);
/* The latest second at or before `at` with no run of job id: the occurrence
 * of a run asked by hand (`routine run`), so that it is never taken for a
 * delivery already made in the same second (the scheduled one, or another
 * run by hand). */
int job_free_occurrence(struct store *s, long long id, time_t at, time_t *out, struct err *e);
/* Whether (id, occurrence, channel) has an ok or skipped row. */
int job_delivered(struct store *s, long long id, time_t occurrence, const char *channel, bool *done,
		  struct err *e);
/* Insert a job_runs row.  Returns 1, or 0 when an ok/skipped row for the
 * same (job, occurrence, channel) exists already (a duplicate). */
int job_record(struct store *s, const struct job_run *r, struct err *e);
/* The ok row of (id, occurrence, channel) into *out: 1, or 0 when there is
 * none (then *out is zeroed). */
int job_run_get(struct store *s, long long id, time_t occurrence, const char *channel,
		struct job_run *out, struct err *e);
void job_run_release(struct job_run *r);

/* How a claim ends (job_finish) or a user changes a job (job_set). */
struct job_next {
	enum job_state state; /* pending, done, cancelled or failed */
	bool has_next;
	time_t next_run;
	time_t occurrence;
	int attempts;
	const char *last_error; /* NULL clears it */
};

/* End our claim; 1 when applied, 0 when the claim was lost. */
int job_finish(struct store *s, long long id, const char *token, const struct job_next *n,
	       struct err *e);
/* Change a job whatever its claim (cancel, snooze, done); drops any claim. */
int job_set(struct store *s, long long id, const struct job_next *n, struct err *e);
/* The ok deliveries on channel of the user's jobs recorded after the row
 * *after, oldest first, at most limit; *after moves to the last one.  With
 * *after < 0 it becomes the newest row there is, and nothing is returned:
 * a reader's starting point. */
int job_runs_since(struct store *s, const char *channel, long long *after, size_t limit,
		   struct job_run **out, size_t *n, struct err *e);
/* Past runs of one of the store user's jobs (id > 0) or of all of them,
 * newest first, at most limit (0: all). */
int job_history(struct store *s, long long id, size_t limit, struct job_run **out, size_t *n,
		struct err *e);

#endif
