/*
 * tuicmd.h - what the TUI's input does: engine turns and slash commands,
 * each reported into the chat pane, and the conversation it shows.
 *
 * Plain text is a turn of the engine, run on the worker thread with the
 * worker's own database connection.  A line starting with '/' is a slash
 * command of slash.h (the REPL's): /new, /history, /assistant, /help,
 * /quit are handled here, the others stand for a line of the command
 * table; any other /NAME ARGS runs `nestor NAME ARGS` through the same
 * table as the CLI (on the worker too), its output shown in the chat.
 * Commands that take over the terminal or never return (slash_refused:
 * tui, chat, ask, daemon) are refused as in the REPL, and a command
 * reading standard input fails at once (ctx->stdin_owner): the keys are
 * the UI thread's.
 *
 * The TUI opens on the latest conversation of the tui channel and pages
 * its messages in from the database as the chat scrolls back.
 */
#ifndef NESTOR_TUICMD_H
#define NESTOR_TUICMD_H

#include <stdbool.h>
#include <time.h>

#include "chat.h"
#include "cmd.h"
#include "status.h"
#include "worker.h"

struct engine;

struct tuicmd {
	struct ctx *ctx;
	struct chat *chat;
	struct worker *worker;
	struct store *wstore;  /* the worker thread's connection */
	struct engine *engine; /* on the worker during a turn, else the UI's */
	long long conv;	       /* the conversation shown; 0: a new one */
	long long turn_conv;   /* the worker's copy while a turn runs */
	long long oldest;      /* the oldest message paged in */
	char assistant[64];    /* the assistant talked to, and its backend */
	char backend[12];
	bool turn;	/* the worker runs a turn (not a command) */
	bool got_text;	/* the running turn has streamed text */
	bool cancelled; /* Esc or Ctrl-C asked the running turn to stop */
};

int tuicmd_open(struct tuicmd *c, struct ctx *ctx, struct chat *chat, struct worker *w,
		struct err *e);
void tuicmd_close(struct tuicmd *c);

/* Start a turn with text (shown in the chat at once). */
int tuicmd_turn(struct tuicmd *c, const char *text, struct err *e);
/* Run a slash command line ("/task list").  Returns 1 for /quit (the TUI
 * acts on it), 0 when done or started, -1 on error. */
int tuicmd_slash(struct tuicmd *c, const char *line, struct err *e);
/* /quit and /help act at once, even while a reply is being written;
 * other lines wait for the worker. */
bool tuicmd_immediate(const char *line);
/* Ask the running turn to stop: the text it streamed stays in the chat
 * (and is stored as interrupted), its error shows as a notice, not an
 * error. */
void tuicmd_cancel(struct tuicmd *c);
/* Show one worker event in the chat; true when the job finished (the
 * database may have changed). */
bool tuicmd_event(struct tuicmd *c, const struct worker_event *ev);

/* Candidates for Tab given the text before the cursor (NULL: none), as
 * slash_completions() gives them without the commands the TUI refuses;
 * free with slash_free(). */
char **tuicmd_completions(struct tuicmd *c, const char *before);

/* The status line's assistant, backend, conversation, scheduler, sync. */
void tuicmd_status(struct tuicmd *c, struct status_info *si);

#endif
