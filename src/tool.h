/*
 * tool.h - the tool registry: what the assistant can do.
 *
 * Each tool has a name (^[a-z0-9_]+$), a one-line description, a JSON Schema
 * of its arguments (exactly what the LLM backend sends as `tools`), and a
 * handler that takes the arguments as cJSON and returns a cJSON result.
 * The offline intent engine and the LLM backend call tools only through
 * tool_call(), so both see the same behaviour.
 *
 * Argument conventions (all tools):
 *   - times (WHEN) are strings: ISO 8601 with offset preferred
 *     ("2026-11-26T17:00:00+01:00"); anything when_parse() accepts works;
 *   - durations are strings when_parse_duration() accepts ("1h", "90m");
 *   - recurrence (`every`) is a phrase or an RRULE (when_parse_rule());
 *   - ids are integers.
 * Tools and their arguments (required ones marked *):
 *   calendar_agenda  {from, to, calendar}
 *   calendar_add     {summary*, start*, end, duration, all_day, location, notes, every, calendar,
 * tz} calendar_edit    {id*, summary, start, end, location, notes} calendar_delete  {id*,
 * only_date} calendar_search  {text*} reminder_add     {text*, at*, every, channels} reminder_list
 * {all} reminder_cancel  {id*} reminder_snooze  {id*, duration*} task_add         {title*, due,
 * priority, notes} task_list        {all} task_done        {id*} time_now         {place}
 *   time_convert     {time*, from*, to*}
 *   weather_forecast {place, days}
 *   ask_assistant    {assistant*, question*}
 * Results are JSON objects; lists use the shapes of DESIGN.md
 * ("Stable JSON for scripts"), e.g. {"tasks": [task...]}, {"id": 4}.
 */
#ifndef NESTOR_TOOL_H
#define NESTOR_TOOL_H

#include <cjson/cJSON.h>
#include <stdatomic.h>
#include <time.h>

#include "config.h"
#include "err.h"
#include "store.h"

struct engine;

struct tool_ctx {
	struct store *store;
	struct config *cfg;
	time_t now;
	const char *lang;	  /* "en" or "ru": the language of the request */
	int depth;		  /* sub-assistant nesting: 0 for the main assistant */
	const atomic_int *cancel; /* non-zero: abort (may be NULL) */
	struct engine *engine;	  /* for ask_assistant */
	/* The zone the store's user reads and is told times in (user.h,
	 * user_tz): tzid its name, zone it opened; both NULL when the user
	 * has none, and the process's zone is theirs. */
	const char *tzid;
	struct tz *zone;
};

struct tz;

struct tool {
	const char *name;
	const char *description;
	const char *schema; /* JSON Schema (type object) of the arguments, as JSON text */
	/* Fill *result (a new cJSON object) or e. */
	int (*run)(struct tool_ctx *ctx, const cJSON *args, cJSON **result, struct err *e);
	/* It writes nothing but caches and may wait on the network (weather,
	 * places): a journaled turn runs it before its step, so no write lock
	 * is held while it waits (engine_turn_journal). */
	bool reads_only;
	/* A tool that deletes, cancels or schedules (tool_needs_approval):
	 * what the call will do, in words from the store, for the user to
	 * approve (tool_approval_text); NULL for the others. */
	char *(*approval)(struct tool_ctx *ctx, const cJSON *args);
};

/* Every tool, NULL-terminated, in the order `nestor tools` lists them. */
extern const struct tool *const tool_registry[];

const struct tool *tool_find(const char *name);

/* Whether t reads or changes the calendar (calendar_*): the first user's
 * only (user.h, user_owns_calendar). */
bool tool_is_calendar(const struct tool *t);
/* Whether t deletes, cancels or schedules runs of the assistant
 * (task_delete, calendar_delete, reminder_cancel, routine_add): an
 * assistant calls it only with the user's approval, as it calls an MCP
 * server's tool (engine.h, the sink's approve; --yes). */
bool tool_needs_approval(const struct tool *t);
/* What the call of t (one that needs approval) with args will do, for
 * the question the user is asked: "delete task 12 \"Buy milk\"", read
 * from the store; an id that names nothing says so ("delete task 99
 * (task 99: no such task)").  The data's control characters and
 * bidirectional overrides dropped, line breaks made spaces, at most
 * TOOL_APPROVAL_MAX bytes.  Caller frees. */
char *tool_approval_text(struct tool_ctx *ctx, const struct tool *t, const cJSON *args);
#define TOOL_APPROVAL_MAX 300
/* raw (freed) cleaned and cut as tool_approval_text() does. */
char *tool_approval_line(char *raw);
/* What of the store's item the question shows: "WHAT ID \"TITLE\"", or
 * "WHAT ID (KIND ID: no such KIND)" when got failed for a missing id
 * (e, its message otherwise), with after appended when not NULL. */
char *tool_approval_item(const char *what, const char *kind, long long id, const char *title,
			 const char *after, const struct err *e);
/* Whether the store's user may call t: 0 for a calendar tool when the user
 * is not the first (and -1 when the store cannot tell), else 1. */
int tool_offered(struct store *s, const struct tool *t);

/* ctx->tzid and ctx->zone: the zone of the store's user (user_tz), or
 * NULL when the user has none or one this device cannot open (set on
 * another device): the process's zone is theirs then.
 * tool_ctx_zone_release() frees them. */
void tool_ctx_zone(struct tool_ctx *ctx);
void tool_ctx_zone_release(struct tool_ctx *ctx);

/* Validate args against the tool's required fields and run it.  An unknown
 * tool or missing required argument is an ERR_USAGE error naming it, as
 * is a calendar tool called for a user who is not the first. */
int tool_call(struct tool_ctx *ctx, const char *name, const cJSON *args, cJSON **result,
	      struct err *e);

/* The OpenAI-compatible `tools` array; allowed is a comma-separated list of
 * tool names, or NULL for all. */
cJSON *tool_schemas(const char *allowed);

/* A tool call for people, in one line, the one form every front shows (the
 * TUI's chat, the REPL, `history show`): the tool's name as the registry
 * and an LLM know it, then its arguments' values, "reminder_add tomorrow
 * 17:00 'call mom'", from the arguments' JSON object text. */
char *tool_call_text(const char *name, const char *args_json);
/* "task_done: MESSAGE" when a tool's result is {"error": MESSAGE}, else
 * NULL; "error: MESSAGE" when name is NULL. */
char *tool_error_text(const char *name, const char *result_json);

#endif
