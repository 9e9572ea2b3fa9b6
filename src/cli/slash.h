/*
 * slash.h - the slash commands of the chat fronts (the REPL and the TUI).
 *
 * One table, so both fronts offer the same commands with the same help.
 * An entry either stands for a line of the command table ("/tasks" runs
 * `nestor task list`, with the words typed after it appended) or is one
 * the front handles itself (args NULL: /new, /history, /assistant, /help,
 * /quit).  A slash line that names no entry runs the command table
 * directly: "/task add buy milk".
 */
#ifndef NESTOR_SLASH_H
#define NESTOR_SLASH_H

#include "err.h"

#include <stdbool.h>

struct slash {
	const char *name; /* "/tasks" */
	const char *args; /* "task list", or NULL: the front's own */
	const char *help;
};

/* NULL-terminated. */
extern const struct slash slash_table[];

/* The entry line ("/tasks --all") starts with, or NULL; *rest points after
 * the name and its spaces. */
const struct slash *slash_find(const char *line, const char **rest);

/* Split a command line ("task add \"buy milk\" --notes 'two litres'") into
 * words: blanks separate them, a quote at the start of a word keeps spaces
 * together up to the same quote, a backslash keeps the next character.  A
 * quote inside a word is literal ("don't"), '#' is an ordinary character and
 * nothing is expanded.  *argv is NULL-terminated, free it with slash_free.
 * An empty line or an unmatched opening quote is a usage error. */
int slash_split(const char *line, int *argc, char ***argv, struct err *e);
void slash_free(char **argv);

/* The command line "/history REST" stands for: "history REST" when the
 * first word of REST other than --json is a verb of history (list, show,
 * search, rm), else "history show REST" when there is such a word (an ID),
 * else "history list REST" ("/history --json" lists).  Free with free(). */
char *slash_history(const char *rest);

struct ctx;

/* Run the words argc/argv of slash_split as `nestor ARGV` would: a --json
 * among them (before "--") is the global option and sets ctx->json for this
 * command only.  The handler gets an array of its own pointing at the same
 * words, so whatever it does to it (getopt reorders it, a verb may put one
 * word in two places) leaves argv as it was for slash_free.  Returns what
 * cmd_dispatch does; an error is in ctx->err. */
int slash_dispatch(struct ctx *ctx, int argc, char **argv);

/* The command the words argc/argv of slash_split name, as slash_dispatch
 * reads them: the first word that is not the global --json ("--json tui"
 * is "tui"), or NULL if there is none. */
const char *slash_command(int argc, char **argv);

/* Whether a chat front (the REPL, the TUI) refuses the command name from
 * a slash line: tui and chat take over the terminal, ask is a turn of its
 * own, daemon, serve and worker never return (or fork what outlives the
 * front). */
bool slash_refused(const char *name);

/* The same for a command and the verb after it (NULL: none): also
 * "telegram run" (never returns) and "mcp" without a verb (serves MCP on
 * the front's own stdin); "mcp --help" runs. */
bool slash_refused_verb(const char *name, const char *verb);

/* 0 when the words argc/argv of slash_split may run in a chat front; when
 * the command slash_dispatch would run is refused ("/--json daemon" is
 * /daemon), a usage error "'/NAME' does not run inside the FRONT" ("'/NAME
 * VERB'" for a refused verb) and -1. */
int slash_refuse(int argc, char **argv, const char *front, struct err *e);

/* What Tab may complete in a chat front's line whose text before the
 * cursor is before: the slash commands and "/COMMAND" for the first word;
 * after it, as the command table says: a group's verbs ("/task " -> add,
 * list...), then the options of the command ("/tasks --a" -> --all, as
 * /tasks is `task list`).  NULL for a sentence (no tool names, no file
 * names) or nothing to offer.  Refused commands (slash_refused) are left
 * out.  Free with slash_free(). */
char **slash_completions(const char *before);

#endif
