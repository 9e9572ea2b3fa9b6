/*
 * health.h - whether everything is all right: the one answer that `nestor
 * status`, the TUI's status line and (later) /metrics read.
 *
 * health_collect() looks at the database, the scheduler, the outbox, the
 * sync targets and the log, and lists every problem that needs attention;
 * healthy is true when there is none:
 *  - a delivery failed in the last 24 h and its channel has not delivered
 *    that occurrence since (a failing channel, a routine whose turn failed);
 *  - a job is more than SCHED_LATE_GRACE overdue and nobody runs the
 *    scheduler (no daemon, no TUI or REPL holding the lock);
 *  - a sync target reports an error;
 *  - the outbox holds entries nothing will send (their target is not
 *    configured) or entries that failed to go (attempts > 0).
 *  - with server.redis, Telegram updates in the dead letters (asked only
 *    when the log is read: `nestor status`, not the TUI's status line).
 * A fresh store with nothing due and nothing failed is healthy, daemon or
 * not.
 *
 * Sync targets (PostgreSQL, Google, Telegram, Redis) each report through one
 * struct health_target, filled from their config key, their sync_state row
 * and their outbox entries; a target's worker adds its last success and
 * last error there when it lands.
 */
#ifndef NESTOR_HEALTH_H
#define NESTOR_HEALTH_H

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "config.h"
#include "err.h"
#include "scheduler.h"
#include "stats.h"
#include "store.h"

#define HEALTH_TARGETS 4

struct health_target {
	const char *name;  /* "postgresql", "google", "telegram", "redis" */
	const char *setup; /* what sets it up: a config key, or a command */
	bool configured;   /* the key is set, or the target has synced */
	char *cursor;	   /* its sync_state cursor, or NULL */
	time_t last_ok;	   /* 0: unknown */
	char *last_error;  /* or NULL */
	long outbox;	   /* entries waiting for it */
	long long oldest;  /* the oldest entry's id */
	int attempts;	   /* the most tries an entry has had */
};

struct health {
	bool healthy;
	char **problems; /* one line each */
	size_t nproblems;

	const char *db_path;
	long long db_size; /* bytes, with the -wal file; -1 when unknown */
	int schema;

	enum sched_runner runner;
	int runner_pid;
	bool has_next;
	struct stats_job next;
	long overdue; /* jobs past the grace, the first of them in overdue_job */
	struct stats_job overdue_job;
	long failed; /* deliveries failed in the last 24 h, not delivered since */
	struct stats_job failed_job;
	char *failed_channel, *failed_detail;

	struct health_target targets[HEALTH_TARGETS];
	struct stats_outbox *other; /* outbox entries of unknown targets */
	size_t nother;

	long long dead_letters; /* Telegram updates in Redis's dead letters; -1: not asked */
	/* events kept here only, their insert refused by Google
	 * (gsync_refused_count()); not a problem: the conflicts tell why */
	long google_refused;

	const char *log_path; /* NULL when not read */
	long log_errors;      /* errors logged since local midnight */
};

/* Look at everything at now.  log_path may be NULL (the log is then not
 * read: the TUI asks often).  Fails only on a database error. */
int health_collect(struct store *s, struct config *cfg, const char *db_path, const char *log_path,
		   time_t now, struct health *h, struct err *e);
/* health_collect as a user other than the first sees it (the HTTP API):
 * the jobs of user only (the next, the overdue, the failed deliveries and
 * their problems); of the installation, the scheduler's runner, the
 * schema and whether each sync target is configured.  No database path
 * (NULL), size (-1) or runner pid; no cursor, last success or error of a
 * target, no outbox, no problem about either; no log. */
int health_collect_user(struct store *s, struct config *cfg, const char *db_path, long long user,
			time_t now, struct health *h, struct err *e);
void health_release(struct health *h);

/* The screen of `nestor status`, lines ending in "\n". */
char *health_text(const struct health *h, time_t now);
/* {"healthy","problems","database":{"path","size","schema"},
 *  "scheduler":{"runner","pid","next_job","overdue","failed_deliveries"},
 *  "outbox":[{"target","entries","oldest","attempts"}],
 *  "sync":[{"target","configured","cursor","last_ok","last_error","outbox"}],
 *  "log":{"path","errors_today"}, "dead_letters": N or null}; runner is daemon|front|none|unknown.
 */
cJSON *health_json(const struct health *h);

#endif
