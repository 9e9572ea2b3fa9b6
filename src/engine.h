/*
 * engine.h - one turn of conversation, the entry every front uses.
 *
 * The TUI, the REPL, `nestor ask` and the Telegram relay are each a sink
 * plus an input source.  engine_turn() stores the user's text, asks the
 * conversation's assistant (offline intent engine or an LLM) which tools to
 * call, calls them through the registry (tool.h), stores every tool call
 * and result and the reply in the messages table, and reports each step to
 * the sink as it happens.  The engine never prints.
 */
#ifndef NESTOR_ENGINE_H
#define NESTOR_ENGINE_H

#include <stdatomic.h>
#include <stdbool.h>
#include <time.h>

#include "config.h"
#include "conversation.h"
#include "err.h"
#include "store.h"

/* The user's answer to an assistant's first call of an MCP server's tool. */
enum engine_approval {
	ENGINE_DENY,   /* not now (asked again next time) */
	ENGINE_ONCE,   /* this call */
	ENGINE_ALWAYS, /* this and later calls: stored for the assistant */
	ENGINE_NEVER,  /* not this one nor later ones: stored */
};

struct engine_sink {
	void *arg;
	/* Reply text as it arrives (the offline backend sends it in one piece). */
	void (*text)(void *arg, const char *delta);
	/* A tool is about to run: its name and arguments (JSON text). */
	void (*tool_call)(void *arg, const char *name, const char *args_json);
	/* A tool ran: its result (JSON text), or {"error": "..."}. */
	void (*tool_result)(void *arg, const char *name, const char *result_json);
	/* The turn finished; reply is the whole text. */
	void (*done)(void *arg, const char *reply);
	/* The turn failed; partial output already sent stays valid. */
	void (*error)(void *arg, const struct err *e);
	/* The model's reasoning as it arrives, never part of the reply (may be
	 * NULL).  A model that thinks before each step sends several pieces. */
	void (*reasoning)(void *arg, const char *delta);
	/* One request's token counts as its server reported them (-1: not
	 * reported); a turn may make several requests (may be NULL). */
	void (*usage)(void *arg, long long prompt, long long completion);
	/* An assistant wants to call tool (of the MCP server server, or
	 * server NULL: a built-in tool that deletes, cancels or schedules,
	 * tool.h), and the user has not answered for it yet: ask them (may
	 * be NULL: such calls fail, unless engine_set_approve_all).  what
	 * says what the call will do, one line of clean text to follow "the
	 * assistant wants to": "delete task 12 \"Buy milk\""
	 * (tool_approval_text), or for an MCP tool, whose meaning nestor does
	 * not know, "call a tool of the MCP server fs with {...}", its
	 * arguments cut to TOOL_APPROVAL_MAX bytes. */
	enum engine_approval (*approve)(void *arg, const char *tool, const char *server,
					const char *what);
};

struct engine;

struct engine *engine_new(struct store *store, struct config *cfg, struct err *e);
void engine_free(struct engine *eng);

/* The assistant an MCP client is served as (NULL: the default one): an
 * ask_assistant call outside any turn is its, so its tool list and the
 * user's answers for it hold in the assistant it asks. */
int engine_set_caller(struct engine *eng, const char *name, struct err *e);
/* Which assistant new conversations use (NULL: the default one). */
int engine_set_assistant(struct engine *eng, const char *name, struct err *e);
/* Its name. */
const char *engine_assistant(const struct engine *eng);
/* --yes: MCP servers' tools, and the built-in tools that delete, cancel
 * or schedule, run without asking the user (an answer "never" stored
 * earlier still holds). */
void engine_set_approve_all(struct engine *eng, bool yes);
/* The channel new conversations are filed under (default CONV_CLI). */
void engine_set_channel(struct engine *eng, enum conversation_channel channel);

/* Store non-zero (atomic_store) from another thread or a signal handler
 * to abort the running turn; engine_turn() clears it when it starts.  A
 * turn cancelled while the reply streamed keeps what arrived, stored with
 * state "interrupted". */
atomic_int *engine_cancel_flag(struct engine *eng);
/* Watch flag instead (NULL: the engine's own again): its owner sets and
 * clears it, engine_turn() leaves it as it is, so a cancel stored before
 * the turn starts (a client that left while the turn was set up) holds. */
void engine_watch_cancel(struct engine *eng, atomic_int *flag);

/* Whether *conversation (not 0) was removed since (`history rm`, here or
 * elsewhere): then it is set to 0, so the next turn starts a new one, and
 * true is returned.  For the fronts that keep a conversation going. */
bool engine_conversation_gone(struct engine *eng, long long *conversation);

/* Run one turn.  *conversation is the conversation id; 0 starts a new one
 * and is set to its id.  now is the clock reading for date phrases. */
int engine_turn(struct engine *eng, long long *conversation, const char *text, time_t now,
		const struct engine_sink *sink, struct err *e);

/* A turn that survives its process (engine_turn_journal): the caller's
 * key for it (e.g. "tg:UPDATE_ID") and what it adds to the first and the
 * last transaction of the turn. */
struct engine_journal {
	const char *key;
	void *arg;
	/* In the first transaction, before anything is stored: 0 to run the
	 * turn, 1 to leave it (done already, or not its time: the caller's
	 * arg says which).  May be NULL. */
	int (*check)(void *arg, struct err *e);
	/* In the last transaction, with the answer: the turn's end, reply
	 * the answer, or failed the reason it failed (reply then the text
	 * that came before).  -1 rolls the step back (the turn resumes). */
	int (*finish)(void *arg, long long conversation, const char *reply,
		      const struct err *failed, struct err *e);
};

/* engine_turn() as short transactions, none held while a model answers,
 * so other writers need not wait for it; for a caller that must run a
 * turn exactly once (a Telegram update).  The first transaction stores
 * the user's message and key's row in the journal (turn_journal); each
 * model reply with tool calls, and each tool call's effect with its
 * result, commits on its own; the last stores the answer, runs
 * j->finish and forgets key.  Each first checks that key's last message
 * is still the one this run stored: if not, another process took the
 * turn over and this one stops (returns 1).  When key is in the journal
 * (its process died) the turn resumes: no user message again, the tool
 * calls of the last reply that have no result run, then the model is
 * asked again (a request repeated costs tokens, no effect twice).  An
 * MCP tool's effect happens before its step: at least once; any other
 * tool runs in its step (a delegated ask_assistant turn, its model's
 * answer included, or a forecast fetched, holds the lock).  An
 * assistant with the offline backend runs the whole turn (finish too) in
 * the first transaction.  Returns 0 when finish ran (the turn answered
 * or failed), 1 when nothing was done (check said so, or taken over), -1
 * on a database error (the turn may be run again with the same key). */
int engine_turn_journal(struct engine *eng, const struct engine_journal *j, long long *conversation,
			const char *text, time_t now, const struct engine_sink *sink,
			struct err *e);

/* The longest text a turn takes, in bytes (a message from the CLI, the
 * REPL, the TUI, Telegram, POST /v1/ask, a question ask_assistant
 * delegates): longer is ERR_USAGE "request: too long (N bytes, at most
 * 65536)", nothing stored.  A routine's request is shorter still
 * (STORE_REQUEST_MAX). */
#define ENGINE_TEXT_MAX 65536

/* How deep ask_assistant may delegate: the main assistant is depth 0. */
#define ENGINE_MAX_DEPTH 2

/* Ask the assistant named name one question in a new conversation, as a
 * delegation at depth (> 0) by the turn running: *reply is its answer
 * (caller frees) and *conversation the conversation it went into.  An
 * assistant already in the chain (the asker included) is refused.  The
 * turn's sink sees the sub-assistant's tool calls, named "NAME -> TOOL",
 * and its approvals and token counts; its model requests count towards
 * the outermost turn's llm.max_steps. */
int engine_ask(struct engine *eng, const char *name, const char *question, int depth, time_t now,
	       char **reply, long long *conversation, struct err *e);

#endif
