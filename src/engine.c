/* One turn: store the user's text, let the assistant's backend answer
 * through the tools, store every step, report it to the sink. */
#include "backend.h"
#include "xalloc.h"
#include "conversation.h"
#include "jsoncut.h"
#include "log.h"
#include "mcp-tools.h"
#include "mcpserver.h"
#include "nlp.h"
#include "utf8.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct engine {
	struct store *store;
	struct config *cfg;
	struct assistant assistant; /* for new conversations */
	enum conversation_channel channel;
	atomic_int own_cancel;
	atomic_int *cancel;	 /* &own_cancel, or the flag engine_watch_cancel named */
	struct mcp_tools *mcp;	 /* MCP servers' tools, connected on first use */
	bool approve_all;	 /* --yes: MCP tools need no approval */
	struct turn *active;	 /* the innermost turn running (ask_assistant's parent) */
	struct assistant caller; /* engine_set_caller(), if has_caller */
	bool has_caller;
};

/* Fronts store the cancel flag from signal handlers. */
_Static_assert(ATOMIC_INT_LOCK_FREE == 2, "atomic_int is not lock-free");

/* By enum assistant_backend. */
static const struct backend *const backends[] = {
	[ASSISTANT_OFFLINE] = &backend_offline,
	[ASSISTANT_LLM] = &backend_llm,
};
#define NBACKENDS (sizeof(backends) / sizeof(backends[0]))

struct engine *engine_new(struct store *store, struct config *cfg, struct err *e)
{
	struct engine *eng = xcalloc(1, sizeof(*eng));

	eng->store = store;
	eng->cfg = cfg;
	eng->channel = CONV_CLI;
	eng->cancel = &eng->own_cancel;
	if (assistant_get_default(store, &eng->assistant, e) < 0) {
		free(eng);
		return NULL;
	}
	return eng;
}

void engine_free(struct engine *eng)
{
	if (!eng)
		return;
	assistant_release(&eng->assistant);
	if (eng->has_caller)
		assistant_release(&eng->caller);
	mcp_tools_free(eng->mcp);
	free(eng);
}

struct mcp_tools *engine_mcp(struct engine *eng)
{
	if (!eng->mcp)
		eng->mcp = mcp_tools_new(eng->store, eng->cfg);
	return eng->mcp;
}

void engine_set_approve_all(struct engine *eng, bool yes)
{
	eng->approve_all = yes;
}

int engine_set_caller(struct engine *eng, const char *name, struct err *e)
{
	struct assistant a;

	if ((name ? assistant_get_by_name(eng->store, name, &a, e)
		  : assistant_get_default(eng->store, &a, e)) < 0)
		return -1;
	if (eng->has_caller)
		assistant_release(&eng->caller);
	eng->caller = a;
	eng->has_caller = true;
	return 0;
}

int engine_set_assistant(struct engine *eng, const char *name, struct err *e)
{
	struct assistant a;

	if (!name) {
		if (assistant_get_default(eng->store, &a, e) < 0)
			return -1;
	} else if (assistant_get_by_name(eng->store, name, &a, e) < 0) {
		return -1;
	}
	assistant_release(&eng->assistant);
	eng->assistant = a;
	return 0;
}

const char *engine_assistant(const struct engine *eng)
{
	return eng->assistant.name;
}

void engine_set_channel(struct engine *eng, enum conversation_channel channel)
{
	eng->channel = channel;
}

atomic_int *engine_cancel_flag(struct engine *eng)
{
	return eng->cancel;
}

void engine_watch_cancel(struct engine *eng, atomic_int *flag)
{
	eng->cancel = flag ? flag : &eng->own_cancel;
}

/* The reply language: general.language, or the script of the text. */
static const char *reply_lang(struct config *cfg, const char *text)
{
	const char *l = cfg ? config_get(cfg, "general.language") : NULL;

	if (l && (!strcmp(l, "en") || !strcmp(l, "ru")))
		return !strcmp(l, "en") ? "en" : "ru";
	return nlp_is_russian(text) ? "ru" : "en";
}

void turn_say(struct turn *t, const char *text)
{
	if (t->sink && t->sink->text)
		t->sink->text(t->sink->arg, text);
	sbuf_adds(&t->reply, text);
}

void turn_usage(struct turn *t, long long prompt, long long completion)
{
	if (prompt < 0 && completion < 0)
		return;
	if (t->sink && t->sink->usage)
		t->sink->usage(t->sink->arg, prompt, completion);
	if (prompt >= 0)
		t->prompt_tokens = (t->prompt_tokens < 0 ? 0 : t->prompt_tokens) + prompt;
	if (completion >= 0)
		t->completion_tokens =
			(t->completion_tokens < 0 ? 0 : t->completion_tokens) + completion;
}

void turn_reasoning(struct turn *t, const char *delta)
{
	if (t->sink && t->sink->reasoning)
		t->sink->reasoning(t->sink->arg, delta);
	sbuf_adds(&t->reasoning, delta);
}

int turn_step_begin(struct turn *t, struct err *e)
{
	bool ours;

	if (!t->journal)
		return 0;
	if (store_begin(t->store, e) < 0) {
		t->step_failed = true;
		return -1;
	}
	if (turn_journal_check(t->store, t->journal, t->seen, &ours, e) < 0) {
		store_rollback(t->store);
		t->step_failed = true;
		return -1;
	}
	if (!ours) {
		store_rollback(t->store);
		t->lost = true;
		log_info("turn %s: another process took it over; this one stops", t->journal);
		return err_set(e, ERR_FAIL, "turn %s: taken over by another process", t->journal);
	}
	return 0;
}

int turn_step_end(struct turn *t, struct err *e)
{
	if (!t->journal)
		return 0;
	if (turn_journal_advance(t->store, t->journal, &t->seen, e) < 0) {
		store_rollback(t->store);
		t->step_failed = true;
		return -1;
	}
	if (store_commit(t->store, e) < 0) {
		t->step_failed = true;
		return -1;
	}
	return 0;
}

void turn_step_abort(struct turn *t)
{
	if (!t->journal)
		return;
	store_rollback(t->store);
	t->step_failed = true;
}

int turn_answer(struct turn *t, const char *content, const char *tool_calls, bool interrupted,
		struct err *e)
{
	struct answer_meta m = { t->prompt_tokens, t->completion_tokens, t->reasoning.buf,
				 interrupted };
	int rc = conversation_add_answer(t->store, t->conversation, content, tool_calls, &m, t->now,
					 NULL, e);

	t->prompt_tokens = t->completion_tokens = -1;
	sbuf_release(&t->reasoning);
	return rc;
}

int turn_calls_message(struct turn *t, const cJSON *calls, struct err *e)
{
	char *json = cJSON_PrintUnformatted(calls);
	int rc = turn_step_begin(t, e);

	if (rc == 0 && (rc = turn_answer(t, NULL, json, false, e)) == 0)
		rc = turn_step_end(t, e);
	else if (rc < 0 && !t->lost)
		turn_step_abort(t);
	free(json);
	return rc;
}

/* 0 when the user lets the assistant call tool name, of the MCP server
 * server or (server NULL) a built-in one that needs approval (tool.h):
 * stored answer, --yes, or asked now through the sink; else -1 with terr
 * saying why not. */
static int approved(struct turn *t, const char *name, const char *server, const cJSON *args,
		    struct err *terr)
{
	enum mcp_approval stored = MCP_ASK;
	const struct turn *root = t;
	enum engine_approval a;
	char *json, *what, *q;
	int rc = -1;

	/* "never" stored for any assistant of the delegation holds; the
	 * user's other answers are those for the assistant that began it */
	for (const struct turn *p = t; p && stored != MCP_NEVER; p = p->parent) {
		if (mcp_approval_get(t->store, p->assistant->id, name, &stored, terr) < 0)
			return -1;
		root = p;
	}
	if (stored != MCP_NEVER && root != t &&
	    mcp_approval_get(t->store, root->assistant->id, name, &stored, terr) < 0)
		return -1;
	if (stored == MCP_ALWAYS || (stored == MCP_ASK && t->eng->approve_all))
		return 0;
	what = server ? xasprintf("%s (tool of the MCP server %s)", name, server) : xstrdup(name);
	if (stored == MCP_NEVER) {
		err_set(terr, ERR_FAIL, "the user does not allow %s", what);
	} else if (!t->sink || !t->sink->approve) {
		if (server)
			err_set(terr, ERR_FAIL,
				"%s is a tool of the MCP server %s: it needs the user's approval "
				"(in the chat, or --yes)",
				name, server);
		else
			err_set(terr, ERR_FAIL,
				"%s needs the user's approval (in the chat, or --yes)", name);
	} else {
		/* what will happen, in words; an MCP tool's meaning is its
		 * server's: its arguments */
		if (server) {
			json = args ? cJSON_PrintUnformatted(args) : xstrdup("{}");
			q = tool_approval_line(xasprintf("call a tool of the MCP server %s with %s",
							 server, json));
			free(json);
		} else {
			q = tool_approval_text(&t->tool, tool_find(name), args);
		}
		a = t->sink->approve(t->sink->arg, name, server, q);
		free(q);
		if ((a == ENGINE_ALWAYS || a == ENGINE_NEVER) &&
		    mcp_approval_set(t->store, root->assistant->id, name,
				     a == ENGINE_ALWAYS ? MCP_ALWAYS : MCP_NEVER, terr) < 0)
			rc = -1;
		else if (a == ENGINE_ONCE || a == ENGINE_ALWAYS)
			rc = 0;
		else
			err_set(terr, ERR_FAIL, "the user declined %s", what);
	}
	free(what);
	return rc;
}

char *turn_result_text(const cJSON *result)
{
	char *res = cJSON_PrintUnformatted(result);
	cJSON *clean;
	struct err e;
	size_t n;

	if (!res)
		return xstrdup("null");
	/* text stored before the rule (a title with a byte that is not UTF-8
	 * or a control) goes into the conversation cleaned */
	if (utf8_check_field("result", res, 0, &e) < 0) {
		char *cleaned = utf8_clean_str(res, UTF8_PRINTABLE);

		free(res);
		res = cleaned;
	}
	if ((n = strlen(res)) <= MESSAGE_TEXT_MAX)
		return res;
	/* cut to whole items, still JSON (jsoncut.h), else an error */
	clean = cJSON_Parse(res);
	free(res);
	res = clean ? json_print_max(clean, MESSAGE_TEXT_MAX, &n) : NULL;
	cJSON_Delete(clean);
	if (!res) {
		cJSON *err = cJSON_CreateObject();
		char *msg = xasprintf("the result is %zu bytes, more than %zu: ask for less", n,
				      MESSAGE_TEXT_MAX);

		cJSON_AddStringToObject(err, "error", msg);
		res = cJSON_PrintUnformatted(err);
		cJSON_Delete(err);
		free(msg);
	}
	return res;
}

/* turn_tool(); by_user: the user's own words chose the call (the offline
 * intent parser, turn_call), which needs no approval then. */
static int run_tool(struct turn *t, const char *call_id, const char *name, const cJSON *args,
		    bool by_user, cJSON **result, struct err *terr, struct err *e)
{
	char *args_json = args ? cJSON_PrintUnformatted(args) : xstrdup("{}"), *res;
	const char *server = NULL;
	const struct tool *tl;
	bool mcp;
	int rc;

	*result = NULL;
	if (t->sink && t->sink->tool_call)
		t->sink->tool_call(t->sink->arg, name, args_json);
	log_info("tool %s %s", name, args_json);
	free(args_json);
	err_clear(terr);
	t->calls++;
	/* An MCP tool's effect is outside the store: it runs before the step
	 * (at least once), as a tool that only reads (and fills caches) does,
	 * so no write lock is held while they wait on the network; any other
	 * tool's effect commits with its result. */
	mcp = t->eng->mcp && mcp_tools_has(t->eng->mcp, name, &server);
	tl = mcp ? NULL : tool_find(name);
	/* asking waits on the user: never with the write lock held */
	if (!mcp && tl && tool_needs_approval(tl) && !by_user &&
	    (rc = approved(t, name, NULL, args, terr)) < 0) {
		if (turn_step_begin(t, e) < 0)
			return -1;
	} else if (mcp || (tl && tl->reads_only)) {
		if (!mcp)
			rc = tool_call(&t->tool, name, args, result, terr);
		else if ((rc = approved(t, name, server, args, terr)) == 0)
			rc = mcp_tools_call(t->eng->mcp, name, args, t->tool.cancel, result, terr);
		if (turn_step_begin(t, e) < 0) {
			cJSON_Delete(*result);
			*result = NULL;
			return -1;
		}
	} else {
		if (turn_step_begin(t, e) < 0)
			return -1;
		rc = tool_call(&t->tool, name, args, result, terr);
	}
	if (rc == 0)
		err_clear(terr); /* a tool may leave a message it recovered from */
	if (rc < 0) {
		cJSON_Delete(*result);
		if (terr->code == ERR_OK)
			terr->code = ERR_FAIL;
		*result = cJSON_CreateObject();
		cJSON_AddStringToObject(*result, "error", terr->msg);
		log_warn("tool %s: %s", name, terr->msg);
	}
	res = turn_result_text(*result);
	if (t->sink && t->sink->tool_result)
		t->sink->tool_result(t->sink->arg, name, res);
	rc = conversation_add(t->store, t->conversation, "tool", res, NULL, call_id, t->now, NULL,
			      e);
	free(res);
	if (rc == 0)
		return turn_step_end(t, e);
	turn_step_abort(t);
	return -1;
}

/* Whether a's list names the MCP server server ("mcp:SERVER" or
 * "mcp:SERVER:TOOL"). */
static bool allows_server(const struct assistant *a, const char *server)
{
	size_t n = strlen(server);

	for (const char *p = a->tools; p && (p = strstr(p, "mcp:")); p += 4)
		if ((p == a->tools || p[-1] == ',' || p[-1] == ' ') && !strncmp(p + 4, server, n) &&
		    strchr(":, ", p[4 + n]))
			return true;
	return false;
}

int turn_refuse(struct turn *t, const char *call_id, const char *name, const char *msg,
		cJSON **result, struct err *e)
{
	char *res;
	int rc;

	*result = cJSON_CreateObject();
	cJSON_AddStringToObject(*result, "error", msg);
	res = cJSON_PrintUnformatted(*result);
	if (t->sink && t->sink->tool_call)
		t->sink->tool_call(t->sink->arg, name, "{}");
	if (t->sink && t->sink->tool_result)
		t->sink->tool_result(t->sink->arg, name, res);
	log_warn("assistant %s: %s", t->assistant->name, msg);
	rc = turn_step_begin(t, e);
	if (rc == 0 && (rc = conversation_add(t->store, t->conversation, "tool", res, NULL, call_id,
					      t->now, NULL, e)) == 0)
		rc = turn_step_end(t, e);
	else if (rc < 0 && !t->lost)
		turn_step_abort(t);
	free(res);
	return rc;
}

bool turn_callers_allow(const struct turn *t, const char *name)
{
	const char *server = NULL;
	bool mcp = t->parent && t->eng->mcp && mcp_tools_has(t->eng->mcp, name, &server);

	for (const struct turn *p = t->parent; p; p = p->parent)
		if (mcp ? !allows_server(p->assistant, server)
			: !assistant_allows(p->assistant, name))
			return false;
	return true;
}

char *turn_callers_refusal(const struct turn *t, const char *name)
{
	struct sbuf sb = SBUF_INIT;
	char *msg;

	for (const struct turn *p = t->parent; p; p = p->parent)
		sbuf_addf(&sb, "%s'%s'", sb.len ? ", " : "", p->assistant->name);
	msg = xasprintf("tool %s is not available to assistant '%s' asked by %s, which may not "
			"call it",
			name, t->assistant->name, sb.buf);
	sbuf_release(&sb);
	return msg;
}

int turn_tool(struct turn *t, const char *call_id, const char *name, const cJSON *args,
	      cJSON **result, struct err *terr, struct err *e)
{
	return run_tool(t, call_id, name, args, false, result, terr, e);
}

int turn_call(struct turn *t, const char *name, const cJSON *args, cJSON **result, struct err *terr,
	      struct err *e)
{
	cJSON *calls = cJSON_CreateArray(), *call = cJSON_CreateObject(), *fn;
	char id[32], *args_json = args ? cJSON_PrintUnformatted(args) : xstrdup("{}");
	int rc;

	*result = NULL;
	snprintf(id, sizeof(id), "call_%d", t->calls + 1);
	cJSON_AddStringToObject(call, "id", id);
	cJSON_AddStringToObject(call, "type", "function");
	fn = cJSON_AddObjectToObject(call, "function");
	cJSON_AddStringToObject(fn, "name", name);
	cJSON_AddStringToObject(fn, "arguments", args_json);
	free(args_json);
	cJSON_AddItemToArray(calls, call);
	rc = turn_calls_message(t, calls, e);
	cJSON_Delete(calls);
	if (rc < 0)
		return -1;
	/* the offline engine's reading of the words is held to the
	 * assistant's own list too, as a model's call is */
	if (!assistant_allows(t->assistant, name) || !turn_callers_allow(t, name)) {
		char *msg = assistant_allows(t->assistant, name)
				    ? turn_callers_refusal(t, name)
				    : xasprintf("tool %s is not available to assistant '%s'", name,
						t->assistant->name);

		t->calls++;
		err_set(terr, ERR_FAIL, "%s", msg);
		rc = turn_refuse(t, id, name, msg, result, e);
		free(msg);
		return rc;
	}
	/* the user's own words, unless asked by an assistant (or through
	 * ask_assistant with none: depth > 0) */
	return run_tool(t, id, name, args, !t->parent && !t->depth, result, terr, e);
}

bool engine_conversation_gone(struct engine *eng, long long *conversation)
{
	struct conversation c;
	struct err e;

	if (!*conversation)
		return false;
	if (conversation_get(eng->store, *conversation, &c, &e) == 0) {
		conversation_release(&c);
		return false;
	}
	if (e.code != ERR_NOTFOUND)
		return false; /* the turn will say what is wrong */
	*conversation = 0;
	return true;
}

/* The conversation's assistant (the engine's for a new one). */
static int conversation_assistant(struct engine *eng, long long *conv, const struct assistant *want,
				  struct assistant *a, time_t now, struct err *e)
{
	struct conversation c;
	int rc;

	if (*conv == 0) {
		if (conversation_new(eng->store, want->id, eng->channel, now, conv, e) < 0)
			return -1;
		return assistant_get(eng->store, want->id, a, e);
	}
	if (conversation_get(eng->store, *conv, &c, e) < 0)
		return -1;
	rc = c.assistant_id ? assistant_get(eng->store, c.assistant_id, a, e)
			    : assistant_get_default(eng->store, a, e);
	conversation_release(&c);
	return rc;
}

static void turn_release(struct turn *t)
{
	sbuf_release(&t->reply);
	sbuf_release(&t->reasoning);
	tool_ctx_zone_release(&t->tool);
}

/* t ready for a turn of assistant a in conversation conv. */
static void turn_init(struct turn *t, struct engine *eng, const struct assistant *a, long long conv,
		      const char *text, time_t now, int depth, const struct engine_sink *sink)
{
	memset(t, 0, sizeof(*t));
	t->eng = eng;
	t->store = eng->store;
	t->cfg = eng->cfg;
	t->assistant = a;
	t->conversation = conv;
	t->text = text;
	t->now = now;
	t->lang = reply_lang(eng->cfg, text);
	t->depth = depth;
	t->sink = sink;
	t->tool.store = eng->store;
	t->tool.cfg = eng->cfg;
	t->tool.now = now;
	t->tool.lang = t->lang;
	t->tool.depth = depth;
	t->tool.cancel = eng->cancel;
	t->tool.engine = eng;
	tool_ctx_zone(&t->tool);
	sbuf_init(&t->reply);
	sbuf_init(&t->reasoning);
	t->prompt_tokens = t->completion_tokens = -1;
}

static const struct backend *backend_of(const struct assistant *a, struct err *e)
{
	const struct backend *b = (unsigned)a->backend < NBACKENDS ? backends[a->backend] : NULL;

	if (!b)
		err_set(e, ERR_FAIL, "assistant %s: no backend %s in this build", utf8_q(a->name),
			utf8_q(assistant_backend_name(a->backend)));
	return b;
}

static int check_text(const char *text, struct err *e)
{
	if (!text || !*text)
		return err_set(e, ERR_USAGE, "nothing to say");
	return utf8_check_field("request", text, ENGINE_TEXT_MAX, e);
}

/* The backend's part of turn t, the user's message stored: run it, and
 * 0 when it answered (the answer not stored yet: t->reply). */
static int answer_turn(struct turn *t, const struct backend *b, struct err *e)
{
	if (b->run(t, e) < 0)
		return -1;
	if (atomic_load(t->eng->cancel))
		return err_set(e, ERR_FAIL, "cancelled");
	return 0;
}

/* depth: ask_assistant's (0: the user's turn), at least parent's + 1. */
static int run_turn(struct engine *eng, const struct assistant *want, long long *conv,
		    const char *text, time_t now, struct turn *parent, int depth,
		    const struct engine_sink *sink, char **reply, struct err *e)
{
	struct assistant a;
	struct turn t, *outer = eng->active;
	const struct backend *b;
	int rc = -1;

	if (check_text(text, e) < 0 || conversation_assistant(eng, conv, want, &a, now, e) < 0) {
		if (sink && sink->error) /* the REPL and the TUI show it */
			sink->error(sink->arg, e);
		return -1;
	}
	if (parent && depth <= parent->depth)
		depth = parent->depth + 1;
	turn_init(&t, eng, &a, *conv, text, now, depth, sink);
	t.parent = parent;
	eng->active = &t;
	b = backend_of(&a, e);
	if (!b)
		goto out;
	if (conversation_add(eng->store, *conv, "user", text, NULL, NULL, now, NULL, e) < 0)
		goto out;
	if (answer_turn(&t, b, e) < 0)
		goto out;
	if (turn_answer(&t, t.reply.buf ? t.reply.buf : "", NULL, false, e) < 0)
		goto out;
	if (sink && sink->done)
		sink->done(sink->arg, t.reply.buf ? t.reply.buf : "");
	if (reply)
		*reply = sbuf_detach(&t.reply);
	rc = 0;
out:
	eng->active = outer;
	if (rc < 0 && sink && sink->error)
		sink->error(sink->arg, e);
	turn_release(&t);
	assistant_release(&a);
	return rc;
}

int engine_turn(struct engine *eng, long long *conversation, const char *text, time_t now,
		const struct engine_sink *sink, struct err *e)
{
	if (eng->cancel == &eng->own_cancel)
		atomic_store(&eng->own_cancel, 0);
	mcp_tools_forgive(eng->mcp); /* a refusal lasts one turn */
	return run_turn(eng, &eng->assistant, conversation, text, now, NULL, 0, sink, NULL, e);
}

/* A sub-assistant's steps as the caller's sink shows them: its tool calls
 * (and the approvals they ask) named "NAME -> tool", its token counts; its
 * reply goes back to the caller as the tool's result, not to the user. */
struct sub_sink {
	const struct engine_sink *up;
	const char *name;
};

static char *sub_name(const struct sub_sink *s, const char *tool)
{
	return xasprintf("%s -> %s", s->name, tool);
}

static void sub_tool_call(void *arg, const char *name, const char *args_json)
{
	struct sub_sink *s = arg;
	char *n = sub_name(s, name);

	if (s->up->tool_call)
		s->up->tool_call(s->up->arg, n, args_json);
	free(n);
}

static void sub_tool_result(void *arg, const char *name, const char *result_json)
{
	struct sub_sink *s = arg;
	char *n = sub_name(s, name);

	if (s->up->tool_result)
		s->up->tool_result(s->up->arg, n, result_json);
	free(n);
}

static void sub_usage(void *arg, long long prompt, long long completion)
{
	struct sub_sink *s = arg;

	if (s->up->usage)
		s->up->usage(s->up->arg, prompt, completion);
}

static enum engine_approval sub_approve(void *arg, const char *tool, const char *server,
					const char *what)
{
	struct sub_sink *s = arg;
	char *n = sub_name(s, tool);
	enum engine_approval a = s->up->approve(s->up->arg, n, server, what);

	free(n);
	return a;
}

/* "main -> gpt -> evil": the assistants of the chain that ends at t. */
static void chain_text(const struct turn *t, struct sbuf *sb)
{
	if (t->parent) {
		chain_text(t->parent, sb);
		sbuf_adds(sb, " -> ");
	}
	sbuf_adds(sb, t->assistant->name);
}

int engine_ask(struct engine *eng, const char *name, const char *question, int depth, time_t now,
	       char **reply, long long *conversation, struct err *e)
{
	struct turn *parent = eng->active, caller;
	struct assistant a;
	struct sub_sink ss;
	struct engine_sink sink = { 0 };
	struct mcp_offered *kept;
	int rc;

	*reply = NULL;
	*conversation = 0;
	if (depth > ENGINE_MAX_DEPTH)
		return err_set(e, ERR_FAIL, "ask_assistant: delegation deeper than %d",
			       ENGINE_MAX_DEPTH);
	if (assistant_get_by_name(eng->store, name, &a, e) < 0)
		return -1;
	/* outside any turn (an MCP client's call): the assistant it is
	 * served as asks, its tool list and stored answers holding */
	if (!parent && eng->has_caller) {
		turn_init(&caller, eng, &eng->caller, 0, question, now, depth - 1, NULL);
		parent = &caller;
	}
	for (const struct turn *p = parent; p; p = p->parent) {
		struct sbuf sb = SBUF_INIT;

		if (p->assistant->id != a.id)
			continue;
		chain_text(parent, &sb);
		err_set(e, ERR_FAIL,
			"ask_assistant: assistant '%s' is already in this delegation (%s): it "
			"cannot be asked again",
			a.name, sb.buf);
		sbuf_release(&sb);
		rc = -1;
		goto out;
	}
	if (parent && parent->sink) {
		ss.up = parent->sink;
		ss.name = a.name;
		sink.arg = &ss;
		sink.tool_call = sub_tool_call;
		sink.tool_result = sub_tool_result;
		sink.usage = sub_usage;
		if (parent->sink->approve)
			sink.approve = sub_approve;
	}
	/* its MCP tools are its own; its caller's are back after it */
	kept = mcp_tools_keep(eng->mcp);
	rc = run_turn(eng, &a, conversation, question, now, parent, depth,
		      parent && parent->sink ? &sink : NULL, reply, e);
	mcp_tools_restore(eng->mcp, kept);
out:
	if (parent == &caller)
		turn_release(&caller);
	assistant_release(&a);
	return rc;
}

/* Step 1 of a journaled turn, in one transaction: the caller's check, then
 * the journal's row for key (*resumed: it was there), or the user's
 * message and a new row.  1: the check said no; 2: the conversation's
 * assistant runs offline, and the whole turn (finish included) ran here. */
static int first_step(struct engine *eng, const struct engine_journal *j, long long *conv,
		      const char *text, time_t now, const struct engine_sink *sink,
		      struct assistant *a, long long *seen, bool *resumed, struct err *e)
{
	struct turn_journal row;
	const struct backend *b;
	bool keep = false; /* commit what rc > 0 leaves */
	int rc;

	memset(a, 0, sizeof(*a));
	if (store_begin(eng->store, e) < 0)
		return -1;
	rc = j->check ? j->check(j->arg, e) : 0;
	if (rc != 0)
		goto done;
	rc = turn_journal_get(eng->store, j->key, &row, e);
	if (rc < 0)
		goto done;
	*resumed = rc == 1;
	if (*resumed)
		*conv = row.conversation;
	*seen = row.last_message;
	rc = conversation_assistant(eng, conv, &eng->assistant, a, now, e);
	if (rc < 0 || !(b = backend_of(a, e))) {
		rc = -1;
		goto done;
	}
	if (b == &backend_offline && !*resumed) {
		/* Fast and local: the turn in this transaction, as one. */
		char *reply = NULL;
		struct err te = { 0, "" };

		rc = store_begin(eng->store, e);
		if (rc == 0 && run_turn(eng, a, conv, text, now, NULL, 0, sink, &reply, &te) < 0)
			store_rollback(eng->store);
		else if (rc == 0)
			rc = store_commit(eng->store, e);
		if (rc == 0)
			rc = j->finish(j->arg, *conv, reply, te.code ? &te : NULL, e);
		free(reply);
		keep = rc == 0;
		if (rc == 0)
			rc = 2; /* done: nothing more to run */
		goto done;
	}
	if (!*resumed &&
	    (conversation_add(eng->store, *conv, "user", text, NULL, NULL, now, NULL, e) < 0 ||
	     turn_journal_add(eng->store, j->key, *conv, now, seen, e) < 0))
		rc = -1;
done:
	if (rc < 0 || (rc > 0 && !keep))
		store_rollback(eng->store);
	else if (store_commit(eng->store, e) < 0)
		rc = -1;
	if (rc != 0)
		assistant_release(a);
	return rc;
}

int engine_turn_journal(struct engine *eng, const struct engine_journal *j, long long *conv,
			const char *text, time_t now, const struct engine_sink *sink, struct err *e)
{
	struct assistant a;
	struct turn t;
	struct err te = { 0, "" };
	long long seen = 0;
	bool resumed = false;
	int rc;

	if (eng->cancel == &eng->own_cancel)
		atomic_store(&eng->own_cancel, 0);
	mcp_tools_forgive(eng->mcp); /* a refusal lasts one turn */
	if (check_text(text, e) < 0)
		return -1;
	rc = first_step(eng, j, conv, text, now, sink, &a, &seen, &resumed, e);
	if (rc != 0)
		return rc == 2 ? 0 : rc;
	if (resumed)
		log_info("turn %s: resumed in conversation %lld", j->key, *conv);
	turn_init(&t, eng, &a, *conv, text, now, 0, sink);
	eng->active = &t;
	t.journal = j->key;
	t.seen = seen;
	t.resumed = resumed;
	/* The model's requests run outside any transaction; each stored step
	 * is a transaction of its own (turn_step_begin). */
	rc = answer_turn(&t, backend_of(&a, &te), &te);
	if (rc < 0 && t.step_failed && !t.lost) {
		/* Not the turn's failure but the store's (busy, full): no
		 * answer; the caller runs the turn again and it resumes. */
		*e = te;
		goto out;
	}
	if (t.lost || turn_step_begin(&t, e) < 0) {
		rc = t.lost ? 1 : -1;
		goto out;
	}
	if (rc == 0 && turn_answer(&t, t.reply.buf ? t.reply.buf : "", NULL, false, e) < 0)
		goto abort;
	if (rc < 0 && sink && sink->error)
		sink->error(sink->arg, &te);
	else if (sink && sink->done)
		sink->done(sink->arg, t.reply.buf ? t.reply.buf : "");
	if (j->finish(j->arg, *conv, t.reply.buf ? t.reply.buf : "", rc < 0 ? &te : NULL, e) < 0 ||
	    turn_journal_done(eng->store, j->key, e) < 0)
		goto abort;
	rc = store_commit(eng->store, e);
	goto out;
abort:
	turn_step_abort(&t);
	rc = -1;
out:
	eng->active = NULL;
	turn_release(&t);
	assistant_release(&a);
	return rc;
}
