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
 *   telegram queued with buttons for the Telegram relay (telegram.h) to
 *            the chat linked to the reminder's user, when store is set;
 *            skipped without a store or a linked chat.
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
#include <stddef.h>
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
	struct store *store; /* for the telegram channel; NULL: skipped */
};

/* The sched_deliver contract (scheduler.h): 0 delivered, 1 skipped, -1 failed. */
int notify_deliver(const struct notify_opts *o, const struct sched_fire *f, const char *channel,
		   struct err *e);

/*
 * Whether a channel can reach a person as things stand: who runs the
 * scheduler (scheduler.h: a daemon, a TUI or REPL, or nobody yet: then the
 * next of them, or `remind fire` from cron, fires what is due), where that
 * process's standard output goes, this machine's notify-send and graphical
 * session, and the configuration.  `remind add` warns with it and `nestor
 * jobs` shows the reminders it finds unreachable.
 *
 *	struct notify_reach r;
 *	notify_reach_probe(&r, ctx->store, ctx->db_path, ctx->cfg);
 *	char *why = notify_unreached(&r, "stdout,desktop");
 *	-> NULL when one of them reaches someone, else "stdout: the daemon
 *	   (pid 4242) is detached, its output goes nowhere; desktop: ..."
 */
struct config;
struct notify_reach {
	enum sched_runner runner;
	int pid;		 /* the runner's, 0 when unknown */
	bool runner_out;	 /* its standard output is not /dev/null */
	const char *desktop_why; /* NULL: notify-send and a session are there */
	bool command;		 /* notify.command is set */
	bool telegram;		 /* a chat is linked (tgstore_linked_any) */
	const char *defaults;	 /* notify.channels, or every channel that can
				  * be a default (notify_default_channels) */
};
void notify_reach_probe(struct notify_reach *r, struct store *s, const char *db_path,
			struct config *cfg);
/* NULL when channel can reach someone now, else why not (a static string
 * or one kept in buf). */
const char *notify_reach_why(const struct notify_reach *r, const char *channel, char *buf,
			     size_t len);
/* NULL when one channel of the comma-separated list (NULL: the default
 * list) reaches someone, else a new string saying why each does not. */
char *notify_unreached(const struct notify_reach *r, const char *channels);

/* The channels of a reminder added without any, for the process that fires
 * it, when notify.channels is not set: what works from here.  tui (in the
 * TUI, when tui is true), stdout when this process's standard output goes
 * somewhere (a terminal, cron's mail; not a detached daemon's /dev/null),
 * desktop where notify-send and a graphical session are, telegram when the
 * caller says so (a linked chat, or a process relaying the bot); stdout
 * when none does.  notify.channels when it is set.  A new
 * string, comma-separated. */
char *notify_default_channels(struct config *cfg, bool tui, bool telegram);
/* Whether the telegram channel can reach someone: a chat is linked to a
 * user.  A query of the store; the bot's token is the relay's business. */
bool notify_telegram_linked(struct store *s);

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
