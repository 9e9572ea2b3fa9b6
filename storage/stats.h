/*
 * stats.h - counts over the scheduler's and the sync tables, for `nestor
 * status` (health.h): what is due and not fired, what failed, what waits
 * in the outbox.  Read only; each call is one statement.
 */
#ifndef NESTOR_STATS_H
#define NESTOR_STATS_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "err.h"
#include "store.h"

/* One job, as the counts name it. */
struct stats_job {
	long long id;
	char kind[32];
	time_t at; /* its next_run, or when the failure was recorded */
};

/* Each of these counts the jobs of user (a users.id), or of every user
 * when it is 0. */
/* Active jobs due at or before `before`: how many, and the earliest. */
int stats_overdue(struct store *s, long long user, time_t before, long *count,
		  struct stats_job *first, struct err *e);
/* The active job due next (*has false when none). */
int stats_next(struct store *s, long long user, struct stats_job *next, bool *has, struct err *e);
/* Deliveries (job_runs rows) failed since `since` whose channel has not
 * delivered that occurrence since: how many, and the latest with its
 * channel and error (*channel, *detail: caller frees; NULL when none). */
int stats_failed(struct store *s, long long user, time_t since, long *count, struct stats_job *last,
		 char **channel, char **detail, struct err *e);

/* What waits in the outbox for one target. */
struct stats_outbox {
	char *target;
	long entries;
	long long oldest; /* the oldest entry's id */
	int max_attempts; /* the most tries any entry has had */
};
/* Per target, by name. */
int stats_outbox(struct store *s, struct stats_outbox **out, size_t *n, struct err *e);
void stats_outbox_free(struct stats_outbox *o, size_t n);

/* A sync_state row: a target that has synced, and where it stands. */
struct stats_sync {
	char *target;
	char *cursor; /* or NULL */
};
int stats_sync(struct store *s, struct stats_sync **out, size_t *n, struct err *e);
void stats_sync_free(struct stats_sync *o, size_t n);

/* The names of "calendars" or "users", sorted (a NULL-terminated array,
 * free with stats_names_free); NULL with e for another table. */
char **stats_names(struct store *s, const char *table, struct err *e);
void stats_names_free(char **names);

#endif
