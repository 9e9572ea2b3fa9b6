/*
 * cmd.h - the command table shared by every front.
 *
 * Each command group lives in src/cli/cmd-<group>.c and exports one table of
 * struct cmd (a NULL name ends it).  The CLI (`nestor GROUP VERB ...`), the
 * REPL slash commands and the TUI keys all dispatch through these tables, so
 * help, completion and the man page cannot drift from the code.
 *
 * A handler gets argv starting at its own name (argv[0] = "add"), returns 0
 * on success or -1 after filling ctx->err; the front shows the error once.
 * Nothing here prints an error: the CLI shows it on stderr (and as a JSON
 * object under --json), the REPL on its line, the TUI in its chat.
 * A handler whose answer is an exit status (`status`: 1 = needs attention)
 * returns it (> 0) after printing its output; no error is shown.
 */
#ifndef NESTOR_CMD_H
#define NESTOR_CMD_H

#include <stdbool.h>
#include <stdio.h>
#include <time.h>

#include "config.h"
#include "err.h"
#include "paths.h"
#include "store.h"

struct cJSON;

enum cmd_flags {
	CMD_NEEDS_DB = 1 << 0, /* open the database before calling */
	CMD_HIDDEN = 1 << 1,   /* for the completion scripts: not in `nestor help` */
	CMD_RAW = 1 << 2,      /* arguments taken as they come: --help only first */
	/* the calendar's (a command or a whole group): refused for a user but
	 * the first, who owns it (user_owns_calendar) */
	CMD_CALENDAR = 1 << 3,
};

struct ctx {
	struct paths paths;
	const char *db_path;	 /* --db or paths.db */
	const char *config_path; /* --config or paths.config */
	struct config *cfg;
	struct store *store;	 /* set when the command has CMD_NEEDS_DB */
	bool json;		 /* --json anywhere on the line */
	bool tty;		 /* out is read by a person (a terminal, the REPL,
				  * the TUI): what was stored is said in a
				  * sentence; a pipe gets the bare id */
	time_t now;		 /* one clock reading per invocation */
	char name[64];		 /* "task add": the prefix of error messages */
	FILE *out;		 /* stdout for the CLI; the REPL may redirect */
	FILE *errout;		 /* warnings, progress, a group's usage: stderr for the
				  * CLI and the REPL; the TUI shows it in its chat */
	const char *stdin_owner; /* "TUI": a front reads stdin, commands must not */
	char *stdin_head;	 /* read off stdin already (bare `nestor`): the */
	size_t stdin_head_len;	 /* start of what `nestor ask` reads there */
	bool json_done;		 /* the handler printed its --json answer, which
				  * says what failed: an error adds no JSON */
	const char *user;	 /* --user: who the device acts as (NULL: server.user) */
	bool user_named;	 /* --user or server.user named the store's user (else:
				  * the first user, the calendar's owner) */
	struct err err;
};

struct cmd {
	const char *name;
	const char *usage;   /* arguments after the name: "TITLE [--due WHEN]" */
	const char *summary; /* one line for `nestor help` */
	unsigned flags;
	int (*exec)(struct ctx *ctx, int argc, char **argv);
	const struct cmd *sub; /* a group: its verbs (exec may be NULL) */
};

/* The top-level table (src/main.c). */
extern const struct cmd cmd_table[];

/* Command groups, one per src/cli/cmd-*.c. */
extern const struct cmd cmd_task_verbs[];
extern const struct cmd cmd_config_verbs[];
extern const struct cmd cmd_secret_verbs[];
extern const struct cmd cmd_assistant_verbs[];
extern const struct cmd cmd_history_verbs[];
extern const struct cmd cmd_time_verbs[];
extern const struct cmd cmd_user_verbs[];
extern const struct cmd cmd_server_verbs[];
extern const struct cmd cmd_sync_verbs[];
extern const struct cmd cmd_telegram_verbs[];
/* `nestor google` and `nestor calendar` (src/cli/cmd-google.c). */
extern const struct cmd cmd_google_verbs[];
extern const struct cmd cmd_calendar_verbs[];
/* `nestor sync`: one push and pull round (src/cli/cmd-sync.c). */
int cmd_sync(struct ctx *ctx, int argc, char **argv);

/* `nestor tui` (CMD_NEEDS_DB), the full-screen front in tui/tui.c: runs until
 * the user quits.  Declared here, as every command is, so the command table
 * does not reach up into tui/. */
int tui_main(struct ctx *ctx, int argc, char **argv);

/* Single commands of the assistant (src/cli/cmd-ask.c, src/cli/repl.c). */
int cmd_ask(struct ctx *ctx, int argc, char **argv);
int cmd_tools(struct ctx *ctx, int argc, char **argv);
int cmd_chat(struct ctx *ctx, int argc, char **argv);
/* `nestor time [PLACE]` (src/cli/cmd-time.c) and `nestor weather` (src/cli/cmd-weather.c). */
int cmd_time(struct ctx *ctx, int argc, char **argv);
int cmd_weather(struct ctx *ctx, int argc, char **argv);
extern const struct cmd cmd_event_verbs[];

/* Top-level calendar commands (src/cli/cmd-event.c, src/cli/cmd-ical.c). */
int cmd_agenda(struct ctx *ctx, int argc, char **argv);
int cmd_import(struct ctx *ctx, int argc, char **argv);
int cmd_export(struct ctx *ctx, int argc, char **argv);
/* --from/--to into a window (default: today and the 6 days after); a --to
 * date includes that day. */
int cmd_window(struct ctx *ctx, const char *from_s, const char *to_s, time_t *from, time_t *to);
extern const struct cmd cmd_remind_verbs[];
extern const struct cmd cmd_routine_verbs[];
extern const struct cmd cmd_jobs_verbs[];
/* `nestor jobs [--all] [--json]` (src/cli/cmd-remind.c) and `nestor daemon`
 * (src/cli/cmd-daemon.c): top-level commands with handlers of their own. */
int cmd_jobs(struct ctx *ctx, int argc, char **argv);
int cmd_daemon(struct ctx *ctx, int argc, char **argv);
/* `nestor completion SHELL` and the hidden `nestor __complete KIND` its
 * scripts call for ids and names (src/cli/cmd-completion.c). */
int cmd_completion(struct ctx *ctx, int argc, char **argv);
int cmd_complete(struct ctx *ctx, int argc, char **argv);
/* `nestor mcp`: the MCP server on stdio (src/cli/cmd-mcp.c). */
int cmd_mcp(struct ctx *ctx, int argc, char **argv);
extern const struct cmd cmd_mcp_verbs[];
/* `nestor status` (src/cli/cmd-status.c). */
int cmd_status(struct ctx *ctx, int argc, char **argv);
int cmd_worker(struct ctx *ctx, int argc, char **argv);
/* `nestor serve` (src/cli/cmd-serve.c) and `nestor token` (src/cli/cmd-token.c). */
int cmd_serve(struct ctx *ctx, int argc, char **argv);
/* The HTTP API on store, as `nestor serve` runs it and `nestor daemon`
 * with serve.enable: what the options leave unset (NULL, rate -1) comes
 * from the config (serve.*), which its threads read while it runs.  It serves in threads of its own
 * until serve_stop(); "serving on URL" goes to out (when not NULL) and the log. -1 with ctx->err (a
 * usage error for bad settings). */
struct serve;
struct serve_args {
	struct config *cfg; /* NULL: ctx->cfg; outlives the server */
	const char *listen, *cert, *key;
	bool insecure;
	long rate;
	FILE *out;
};
int serve_start(struct ctx *ctx, struct store *store, const struct serve_args *a,
		struct serve **out);
/* Stop taking connections and give the requests and turns in progress
 * up to serve.grace seconds to be answered, or until fd (when >= 0, a
 * signalfd) is readable: a second signal.  Says so on out when it waits.
 * serve_stop() after it cancels what is left. */
void serve_drain(struct serve *s, int fd);
void serve_stop(struct serve *s);
extern const struct cmd cmd_token_verbs[];

/*
 * Run argv (argv[0] = a top-level command name) through the table.  Returns
 * 0, or -1 with ctx->err filled (err_exit_status() gives the exit status)
 * and ctx->name naming the command ("task add"; empty for an unknown one).
 * It prints no error: the caller shows it (cmd_error_text).  A group without
 * its verb writes the group's usage on ctx->errout and fails with ERR_USAGE
 * and an empty message, or, under --json, the message "missing command".
 * Errors are logged.
 */
int cmd_dispatch(struct ctx *ctx, const struct cmd *table, int argc, char **argv);

/* The line a front shows for ctx->err after cmd_dispatch: "nestor: task add:
 * MESSAGE" (newly allocated), or NULL when the message is empty (what went
 * wrong is already on ctx->errout). */
char *cmd_error_text(const struct ctx *ctx);

/* `nestor help [COMMAND [VERB]]` and the list of commands. */
int cmd_help(struct ctx *ctx, int argc, char **argv);
void cmd_help_all(FILE *f);

/* getopt_long without getopt's own messages: returns the option's val, -1 at
 * the end, or '?' after filling ctx->err with a usage error naming the
 * option.  Positional arguments are permuted to argv[optind..].  An option
 * with a value given twice in one parse (--due a --due b) is such an error,
 * bar --setting, which adds up. */
struct option;
int cmd_getopt(struct ctx *ctx, int argc, char **argv, const char *shortopts,
	       const struct option *longopts);
/* The bit of the long option whose val is v (CMD_OPT_BASE and up, 64 at
 * most) in a set of options: the ones a verb takes, or the ones given. */
#define CMD_OPT_BASE 256
#define CMD_OPT(v)   (1ULL << ((v)-CMD_OPT_BASE))
/* cmd_getopt on the entries of longopts in allow (by CMD_OPT of their
 * val): the verbs sharing one table each take their own options and refuse
 * the others as unknown. */
int cmd_getopt_some(struct ctx *ctx, int argc, char **argv, const char *shortopts,
		    const struct option *longopts, unsigned long long allow);
/* After a parse that gathered the options given in seen (CMD_OPT): for the
 * first pair of vals in pairs (ended by { 0, 0 }) both given, a usage error
 * "--A and --B cannot be combined" and -1; else 0. */
int cmd_exclusive(struct ctx *ctx, const struct option *longopts, unsigned long long seen,
		  const int (*pairs)[2]);
/* Exactly one ID argument and no option (show, done, rm...). */
int cmd_one_id(struct ctx *ctx, int argc, char **argv, long long *id);
/* Exactly one NAME argument and no option (mcp rm); after "--" a NAME may
 * begin with '-'. */
int cmd_one_name(struct ctx *ctx, int argc, char **argv, const char **name);
/* No option and no argument (version, mcp list). */
int cmd_no_args(struct ctx *ctx, int argc, char **argv);
/* A listing's options: only the boolean --flag (--all, --dry-run), no
 * argument; *set says whether it was given. */
int cmd_flag_only(struct ctx *ctx, int argc, char **argv, const char *flag, bool *set);
/* The positional arguments argv[optind..argc) joined by spaces, or NULL. */
char *cmd_join_args(int argc, char **argv, int from);

/* The most `nestor ask` (and bare `nestor`) reads from standard input:
 * more is an error naming this limit, whatever the bytes. */
#define CMD_STDIN_MAX (1 << 20)

/* 0 when the command may read standard input; else (a front owns it,
 * ctx->stdin_owner) a usage error saying so and -1. */
int cmd_stdin_free(struct ctx *ctx);

/* Fill ctx->err with a usage error and return -1. */
int cmd_usage(struct ctx *ctx, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Print a cJSON value to ctx->out (pretty) and free it. */
void cmd_print_json(struct ctx *ctx, struct cJSON *v);

/* --at WHEN (src/cli/cmd-remind.c) of a reminder or routine in zone tzid
 * (NULL: local), as reminder_resolve_at() reads it (once: a one-time
 * reminder; text NULL: no --at, *at untouched); a usage error naming --tz
 * when tzid names no zone, naming --at when text does not parse or, for a
 * one-time reminder, has passed. */
int cmd_parse_at(struct ctx *ctx, const char *text, const char *tzid, bool once, time_t *at,
		 time_t *wall);
/* Print text (stored output: a routine's reply, a run's) to ctx->out,
 * each line but an empty one indented by indent spaces, cleaned as
 * cmd_put_lines() cleans: no escape sequence of it reaches the terminal. */
void cmd_print_indented(struct ctx *ctx, const char *text, int indent);
/* Write s to f with every control character (C0, DEL, C1) shown as '?',
 * bytes that are not UTF-8 as U+FFFD and without the bidirectional
 * overrides, embeddings and isolates: text that came from elsewhere never
 * drives the terminal. */
void cmd_put_safe(FILE *f, const char *s);
/* text (nestor's own, UTF-8), line by line, each broken at spaces to fit
 * width screen columns (0: as it is), measured by utf8_width() (a CJK
 * character or an emoji takes two); a continuation lines up under the
 * line's text after its first run of two spaces ("  /agenda  the
 * calendar..." under "the"), unless that is half the width or more.  A
 * word longer than width stays whole.  The REPL's /help. */
void cmd_put_wrapped(FILE *f, const char *text, int width);

/* What an add or edit stored: {"id": N} under --json, the line (confirm.h)
 * when ctx->tty, else the bare id for scripts.  Frees line. */
void cmd_stored(struct ctx *ctx, long long id, char *line);
/* The data string s (a title, a text, an error) on one line of a table or
 * list, terminal or not: utf8_clean(UTF8_PRINTABLE | UTF8_ONE_LINE |
 * UTF8_NO_BIDI), so a newline, a CR or NEL is a space, an escape sequence
 * and a bidirectional override are dropped, bytes not UTF-8 are U+FFFD (as
 * on a terminal).  --json keeps the string as it is. */
void cmd_put_text(FILE *f, const char *s);
#define CMD_TEXT_CLEAN (UTF8_PRINTABLE | UTF8_ONE_LINE | UTF8_NO_BIDI)
/* A data string of many lines (notes, a message) in a `show` view: its line
 * breaks and tabs kept, the other controls dropped as by cmd_put_text; each
 * line but the first (and but empty ones) indented by indent spaces, under
 * the value, so that a line "Location: x" never reads as a field. */
void cmd_put_lines(FILE *f, const char *s, int indent);
#define CMD_LINES_CLEAN (UTF8_PRINTABLE | UTF8_NO_BIDI)
struct message;
/* One stored message the way a person reads a chat log ("you: ", the
 * assistant's name, "  -> " a tool call, "  <- " its answer); the lines of
 * a message after its first indented under it, so none reads as another's
 * (`history show`, `chat --resume`). */
void cmd_put_message(FILE *f, const struct message *m, const char *assistant);
/* Whether s (n bytes) has nothing cmd_put_text would change (no control,
 * no line or paragraph separator, no bidirectional control, valid UTF-8):
 * the quick look before the copy, a word at a time. */
bool cmd_text_plain(const char *s, size_t n);
/* Output to a terminal never drives it.  When f is a terminal, a new
 * unbuffered stream that writes to f what utf8_clean(UTF8_PRINTABLE |
 * UTF8_NO_BIDI) leaves (controls other than newline and tab dropped, and
 * bidirectional overrides, embeddings and isolates, invalid UTF-8 shown
 * as U+FFFD); fclose() it before f.  Otherwise f itself. */
FILE *cmd_tty_safe(FILE *f);
/* The terminal f writes to (under a cmd_tty_safe() stream, or f itself),
 * for nestor's own control characters (a progress line redrawn with \r);
 * NULL when f is not a terminal. */
FILE *cmd_tty_raw(FILE *f);
/* Flush standard output f (and the terminal under a cmd_tty_safe() stream)
 * and say whether everything written to it went out: 0, or -1 with e
 * filled and errno set (0 when an earlier write failed for a reason no
 * longer known).  The error stays on the stream. */
int cmd_out_flush(FILE *f, struct err *e);
/* fwrite() len bytes of s to f, keeping the reason of a failed write for
 * cmd_out_flush (a large write goes out at once, past the buffer, and its
 * error would be known only as the stream's error flag). */
void cmd_out_put(FILE *f, const char *s, size_t len);

/* Whether arg is a whole number in decimal digits, a '-' in front at
 * most (no space, '+', hex or exponent), that fits *n. */
bool cmd_parse_whole(const char *arg, long long *n);
/* The value arg of option opt: a whole number (cmd_parse_whole) from min
 * to max into *n, else a usage error naming opt and quoting arg. */
int cmd_parse_int(struct ctx *ctx, const char *opt, const char *arg, long long min, long long max,
		  long long *n);
/* The same for a number with decimals, [-]DIGITS[.DIGITS]: no exponent,
 * hex, inf or nan. */
int cmd_parse_decimal(struct ctx *ctx, const char *opt, const char *arg, double min, double max,
		      double *x);
/* What a verb changed, for scripts and people: {"id": id} (or {"name":
 * name}) under --json, else the line fmt (a newline added). */
void cmd_changed_id(struct ctx *ctx, long long id, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void cmd_changed_name(struct ctx *ctx, const char *name, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Parse an integer id argument; usage error naming what when not one. */
int cmd_parse_id(struct ctx *ctx, const char *arg, long long *id);
/* A word of argv[1..] (before "--") that is a negative number, which
 * getopt would call an unknown option, said to be no id: "ids start at 1
 * (got "-3")"; 0 when there is none.  The values of longopts' options
 * (NULL: none) are skipped.  For verbs whose arguments are ids. */
int cmd_negative_id(struct ctx *ctx, int argc, char **argv, const struct option *longopts);
/* Parse the N of --limit N: a whole number, 0 for all; usage error
 * naming --limit when not one. */
int cmd_parse_limit(struct ctx *ctx, const char *arg, size_t *limit);

#endif
