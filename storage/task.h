/*
 * task.h - tasks: the to-do list.
 *
 * A task has a title, optional notes and due time, a priority 0-9 (9 most
 * urgent) and a status todo|done|cancelled.  Open tasks sort by due time
 * (no due date last), then priority (higher first), then id.
 *
 * A task may be due on a day rather than at a time (due_date_only): its due
 * is then the end of that day, 23:59:59 local time, so it sorts after the
 * day's timed tasks, and it is shown as the day alone.  task_set_due() is
 * the one place that decides this for every front.
 */
#ifndef NESTOR_TASK_H
#define NESTOR_TASK_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "err.h"
#include "store.h"
#include "when.h"

enum task_status { TASK_TODO, TASK_DONE, TASK_CANCELLED };

/* "todo", "done", "cancelled": the word in SQL and JSON. */
const char *task_status_name(enum task_status s);
/* The status named word; -1 when it names none. */
int task_status_parse(const char *word, enum task_status *out);

struct task {
	long long id;
	char *title;
	char *notes;  /* or NULL */
	int priority; /* 0-9 */
	bool has_due;
	time_t due;
	bool due_date_only; /* due on a day: due is its 23:59:59 local */
	enum task_status status;
	time_t created_at;
	time_t done_at; /* 0 when not done */
	char *uid;	/* iCalendar UID; NULL on add: one is made */
};

/* Open and due before now (a task due on a day: once that day is over). */
bool task_overdue(const struct task *t, time_t now);

void task_release(struct task *t);
void task_list_free(struct task *tasks, size_t n);

/* Set t's due from a parsed WHEN: a time is due then; a date alone
 * (w->date_only) is due that day, at its end, and flagged date-only. */
void task_set_due(struct task *t, const struct when *w);
/* The same with the day's end in zone z (tz.h; NULL: the local zone). */
void task_set_due_in(struct task *t, const struct when *w, struct tz *z);

/* Insert t (title required, priority 0-9); sets t->id.  A NULL t->uid
 * has one made in the store (t->uid stays NULL); ERR_USAGE when a task
 * with t->uid exists. */
/* Check t as a write does: a title, title and notes UTF-8 within the
 * store's limits, priority 0-9; ERR_USAGE. */
int task_check(const struct task *t, struct err *e);
int task_add(struct store *s, struct task *t, time_t now, struct err *e);
/* ERR_NOTFOUND for an unknown id. */
int task_get(struct store *s, long long id, struct task *out, struct err *e);
/* The task with iCalendar UID uid; ERR_NOTFOUND when there is none. */
int task_get_uid(struct store *s, const char *uid, struct task *out, struct err *e);
/* Write every field of t back (by t->id). */
int task_update(struct store *s, const struct task *t, struct err *e);
/* Change task id in one write transaction: read it into *out, let edit
 * change it (< 0: give up, with the reason set by edit), write it back.
 * So a change committed meanwhile by another process (a pull) is never
 * overwritten with what was read before it.  *out: the task as written
 * (task_release it); nothing to release on failure. */
int task_modify(struct store *s, long long id, int (*edit)(void *arg, struct task *t), void *arg,
		struct task *out, struct err *e);
/* Mark done at now (a done task stays done; its done_at is kept). */
int task_done(struct store *s, long long id, time_t now, struct err *e);
int task_rm(struct store *s, long long id, struct err *e);
/* Open tasks (or all, when all) in list order. *out is NULL when *n is 0. */
int task_list(struct store *s, bool all, struct task **out, size_t *n, struct err *e);
/* Open tasks whose title contains text (case-insensitive), in list order. */
int task_find(struct store *s, const char *text, struct task **out, size_t *n, struct err *e);

#endif
