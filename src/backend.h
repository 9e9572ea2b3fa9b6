/*
 * backend.h - how an assistant's backend plugs into engine_turn().
 *
 * A backend turns the user's text into tool calls and a reply.  The engine
 * has stored the user's message before it runs and stores the reply after;
 * in between the backend uses the turn_* helpers, which report every step
 * to the sink and store it in the conversation:
 *
 *	turn_call(t, "task_add", args, &result, &terr, e);   one call, stored
 *	turn_say(t, "Task 5 added: buy milk");                reply text
 *
 * A backend that asks a model for several calls at once stores them with
 * turn_calls_message() and runs each with turn_tool().  The offline
 * backend (the intent parser) lives in offline.c; an LLM backend is one
 * more struct backend in the engine's table.
 */
#ifndef NESTOR_BACKEND_H
#define NESTOR_BACKEND_H

#include <cjson/cJSON.h>

#include "assistant.h"
#include "engine.h"
#include "tool.h"
#include "sbuf.h"

struct turn {
	struct engine *eng;
	struct store *store;
	struct config *cfg;
	const struct assistant *assistant;
	long long conversation;
	const char *text; /* what the user said */
	time_t now;
	const char *lang;    /* "en" or "ru": reply in this language */
	int depth;	     /* 0, or how deep in ask_assistant delegation */
	struct turn *parent; /* the turn whose ask_assistant runs this one */
	long requests;	     /* model requests of the turn, its sub-assistants'
			      * included (counted in the outermost turn) */
	const struct engine_sink *sink;
	struct tool_ctx tool; /* ready for tool_call() */
	struct sbuf reply;    /* what turn_say() sent so far */
	int calls;	      /* tool calls made in this turn */
	/* What the next stored answer carries (turn_usage, turn_reasoning). */
	long long prompt_tokens, completion_tokens; /* -1: none reported */
	struct sbuf reasoning;
	/* engine_turn_journal(): its key and the last message this run stored
	 * or found (NULL key: a turn of one transaction, or the caller's). */
	const char *journal;
	long long seen;
	bool resumed;	  /* the journal had the turn: the backend goes on from
			   * what the conversation holds */
	bool lost;	  /* another process took the turn over */
	bool step_failed; /* a step could not be stored (the store's error):
			   * the turn is left to resume, not answered */
};

struct backend {
	const char *name; /* the assistants.backend value */
	/* Answer t->text; -1 with e filled on a failure of the turn itself
	 * (a tool's failure is a result, not a failure of the turn). */
	int (*run)(struct turn *t, struct err *e);
};

extern const struct backend backend_offline;
/* An OpenAI-compatible model (llm-backend.c). */
extern const struct backend backend_llm;

/* The engine's MCP tools (mcp-tools.h), made on first use. */
struct mcp_tools *engine_mcp(struct engine *eng);

/* A step of a journaled turn (engine_turn_journal): a transaction that
 * first checks no other process took the turn over (else t->lost, -1
 * with e saying so), and at turn_step_end() records the conversation's
 * last message as the turn's.  Without a journal these do nothing (each
 * write commits on its own, or in the caller's transaction). */
int turn_step_begin(struct turn *t, struct err *e);
int turn_step_end(struct turn *t, struct err *e);
/* Roll the step back. */
void turn_step_abort(struct turn *t);

/* Send reply text to the sink and append it to the reply. */
void turn_say(struct turn *t, const char *text);

/* Store an assistant message carrying tool calls (an OpenAI-style array). */
int turn_calls_message(struct turn *t, const cJSON *calls, struct err *e);

/* A model's answer cost these tokens (-1: not reported): reported to the
 * sink, and stored with the next answer stored (summed until then). */
void turn_usage(struct turn *t, long long prompt, long long completion);
/* A piece of the model's reasoning: to the sink, and stored with the next
 * answer, never in the reply. */
void turn_reasoning(struct turn *t, const char *delta);
/* Store an assistant message (content and/or tool calls, JSON text) with
 * the tokens and reasoning gathered since the last one; interrupted marks
 * a reply cut short. */
int turn_answer(struct turn *t, const char *content, const char *tool_calls, bool interrupted,
		struct err *e);

/* result as the text the conversation stores and the model is given:
 * bytes that are not UTF-8 made U+FFFD and control characters dropped
 * (utf8_clean), held to MESSAGE_TEXT_MAX bytes as JSON still: its list
 * cut to whole items with a member "truncated" saying so (jsoncut.h), or
 * {"error": ...} when there is none to cut.  The caller frees it. */
char *turn_result_text(const cJSON *result);

/* Run one tool call named call_id and store its result.  Returns 0 when the
 * call ran: terr->code is ERR_OK when the tool succeeded, else terr says
 * why it failed and *result is {"error": "..."} (a result for the model, not
 * a failure of the turn).  -1 when the turn cannot go on (e).  The caller
 * frees *result.  An MCP server's tool, and a built-in one that deletes,
 * cancels or schedules (tool.h, needs_approval), runs only with the
 * user's approval (engine.h, the sink's approve). */
int turn_tool(struct turn *t, const char *call_id, const char *name, const cJSON *args,
	      cJSON **result, struct err *terr, struct err *e);

/* A call named call_id that does not run: report it to the sink and store
 * {"error": msg} as its result, which *result gets too (caller frees). */
int turn_refuse(struct turn *t, const char *call_id, const char *name, const char *msg,
		cJSON **result, struct err *e);

/* Whether every assistant that delegated to t's (up the ask_assistant
 * chain) may call tool name itself: a sub-assistant never does for its
 * callers what they may not do.  The refusal's text (caller frees). */
bool turn_callers_allow(const struct turn *t, const char *name);
char *turn_callers_refusal(const struct turn *t, const char *name);

/* turn_calls_message() for one call, then turn_tool(), unless
 * turn_callers_allow() says no: then the refusal is its result.  The
 * user's own words chose it (the offline backend): a built-in tool needs
 * no approval. */
int turn_call(struct turn *t, const char *name, const cJSON *args, cJSON **result, struct err *terr,
	      struct err *e);

#endif
