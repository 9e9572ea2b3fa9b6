/*
 * alarm.h - reminders while the TUI is open.
 *
 * When no daemon holds the scheduler lock, the TUI takes it and runs the
 * scheduler (scheduler.h) itself, on a thread of its own with its own
 * database connection, so a slow channel (a notify command) never freezes
 * the screen.  A reminder's tui and stdout channels become one popup per
 * occurrence (posted to the UI as WORKER_FIRED); desktop and command go
 * through notify.c as in the daemon.  While a daemon holds the lock, the
 * TUI leaves reminders to it and tries the lock again every 30 seconds.
 *
 * Open, the TUI holds the tui channel's lock (notify_tui_attach), so a
 * daemon or `remind fire` delivering the tui channel records it for the
 * TUI; alarm_inbox() turns those records into popups, less the ones this
 * TUI's own scheduler showed already.
 */
#ifndef NESTOR_ALARM_H
#define NESTOR_ALARM_H

#include <pthread.h>
#include <stdbool.h>
#include <time.h>

#include "cmd.h"
#include "notify.h"
#include "scheduler.h"
#include "syncer.h"
#include "worker.h"

struct alarm {
	struct worker *worker;
	struct store *store; /* the scheduler thread's connection */
	const char *db_path;
	struct sched_opts opts;
	struct notify_opts notify;
	int lock;   /* the scheduler lock, -1 while a daemon holds it */
	time_t due; /* run the scheduler at */
	bool poke;  /* run it as soon as the thread is free */
	time_t lock_retry;
	long next;	     /* set by a scheduler run: seconds to the next job, -1 none */
	struct syncer *sync; /* global channels, with a server (the thread's) */
	struct config *cfg;
	long long last_job; /* the last popup, on the scheduler thread: one a occurrence */
	time_t last_occurrence;
	int tui_lock;		  /* the tui channel's lock, held while open */
	long long inbox_after;	  /* the last job_runs row the inbox has seen */
	pthread_mutex_t own_lock; /* guards own: popups the scheduler thread made */
	struct {
		long long job;
		time_t occurrence;
	} own[16];
	size_t nown;
};

int alarm_open(struct alarm *a, struct ctx *ctx, struct err *e);
void alarm_close(struct alarm *a);
/* Readable when the scheduler thread has news (take it with worker_take). */
int alarm_fd(const struct alarm *a);
struct worker *alarm_worker(const struct alarm *a);

/* Run the scheduler when due, or at once when changed (the database
 * changed: a reminder may have been added). */
void alarm_tick(struct alarm *a, time_t now, bool changed);
/* A scheduler run finished (WORKER_FINISHED's rc: 0, or -1 after an error):
 * plan the next one. */
void alarm_finished(struct alarm *a, time_t now, int rc);
/* Milliseconds until alarm_tick must run again, -1 for never. */
long alarm_timeout(struct alarm *a);
/* On the UI thread, with its connection s: show(arg, job id, title, text)
 * for each tui delivery another process recorded since the last call. */
int alarm_inbox(struct alarm *a, struct store *s,
		void (*show)(void *arg, long long id, const char *title, const char *text),
		void *arg, struct err *e);
/* "reminders: here", "reminders: daemon". */
const char *alarm_state(const struct alarm *a);

#endif
