/*
 * notify.h - the channels a fired reminder is delivered on.
 *
 *   stdout   one line ("reminder 12: call mom (late by 3h)") on the front's
 *            stream: the terminal, cron's mail, the daemon's journal;
 *   desktop  notify-send --app-name=nestor -- TITLE TEXT, when it is on
 *            PATH and a graphical session is there (DISPLAY,
 *            WAYLAND_DISPLAY or DBUS_SESSION_BUS_ADDRESS); otherwise skipped
 *            with a logged note;
 *   command  notify.command, split on spaces (no shell, no quoting), run
 *            with execve and the reminder text as one more argument, so the
 *            text can never be interpreted (it may start with '-');
 *            NESTOR_JOB_ID, NESTOR_DUE (ISO time), NESTOR_LATE (seconds) and
 *            NESTOR_TEXT are in its environment; exit status 0 is success;
 *   tui      a TUI front running the scheduler shows it itself; another
 *            process (the daemon, `remind fire`) delivers it when a TUI is
 *            open on the database (notify_tui_attach), recording it for
 *            the TUI to show (notify_tui_inbox); with no TUI open, skipped;
 *   telegram delivered by the Telegram relay once configured; until then
 *            skipped.
 * A child (command, notify-send) runs in its own process group with stdin
 * and stdout on /dev/null and is killed after the timeout, or with SIGKILL
 * when the process (thread) that started it dies (PR_SET_PDEATHSIG): an
 * orphan never completes a delivery the next claimant makes again.  The
 * window for a duplicate is then the child's exit to the delivery's record,
 * about 2 ms.  Its environment
 * is nestor's without the NESTOR_SECRET_* variables.  Its stderr never
 * reaches the terminal: when it fails, the first line (at most
 * NOTIFY_ERRLINE bytes) ends the error message; otherwise it is dropped.
 */
#ifndef NESTOR_NOTIFY_H
#define NESTOR_NOTIFY_H

#include <stdbool.h>
#include <stdio.h>
#include <time.h>

#include "err.h"
#include "scheduler.h"

#define NOTIFY_ERRLINE 200

struct notify_opts {
	const char *command; /* notify.command, or NULL */
	long timeout;	     /* seconds a child may run */
	FILE *out;	     /* the stdout channel's stream; NULL: skipped */
	const char *db_path; /* the database, for the tui channel; NULL: skipped */
};

/* The sched_deliver contract (scheduler.h): 0 delivered, 1 skipped, -1 failed. */
int notify_deliver(const struct notify_opts *o, const struct sched_fire *f, const char *channel,
		   struct err *e);

/*
 * The tui channel across processes.  An open TUI holds DB.tui.lock shared
 * (notify_tui_attach: the fd to keep, or -1); another process delivering
 * the tui channel sees that (notify_tui_attached) and records the delivery
 * as done; the TUI reads such records (notify_tui_inbox) and shows them.
 * The TUI takes its starting point (*after = -1) before it takes the lock,
 * so no delivery made while it holds the lock is missed.
 */
int notify_tui_attach(const char *db_path);
bool notify_tui_attached(const char *db_path);

/* A tui delivery recorded by another process. */
struct notify_tui_item {
	long long job_id;
	char *kind; /* the job's kind ("reminder", "routine") */
	char *text; /* what was delivered */
	time_t occurrence;
	long late; /* seconds past due when it was delivered late, else 0 */
};

/* The tui deliveries recorded after *after (see job_runs_since(), which
 * this wraps: *after < 0 only sets the starting point), at most 20. */
int notify_tui_inbox(struct store *s, long long *after, struct notify_tui_item **items, size_t *n,
		     struct err *e);
void notify_tui_items_free(struct notify_tui_item *items, size_t n);

/* Every channel's name, NULL-terminated. */
extern const char *const notify_channels[];

/* Check a comma-separated channel list; ERR_USAGE naming an unknown one. */
int notify_check_channels(const char *list, struct err *e);

/* The full path of prog on $PATH (prog itself when it has a '/'), or NULL. */
char *notify_which(const char *prog);

/* Run argv[0] (a path) with execve, envp added to the environment (NULL-
 * terminated "K=V" strings, may be NULL) and NESTOR_SECRET_* taken out;
 * wait at most timeout seconds.  Fails on exec failure, non-zero exit,
 * signal or timeout, with the child's first stderr line in the message. */
int notify_run(char *const argv[], char *const envp[], long timeout, struct err *e);

#endif
