/*
 * The llm backend: one turn of an assistant that is an OpenAI-compatible
 * model.  The history goes out within the token budget (llm-context.h), the
 * reply streams to the sink, tool calls run through the registry and go
 * back as tool messages, until the model answers in text or llm.max_steps
 * requests were made.
 */
#include "backend.h"
#include "xalloc.h"
#include "conversation.h"
#include "jsonnul.h"
#include "llm-context.h"
#include "llm.h"
#include "log.h"
#include "mcp-tools.h"
#include "render.h"
#include "secret.h"
#include "tz.h"
#include "utf8.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DEFAULT_PROMPT                                                                             \
	"You are nestor, a personal assistant in the user's terminal. You keep their "             \
	"calendar, tasks and reminders through the tools; use them rather than guessing, "         \
	"and say briefly what you did. Answer in the language of the user."

#define SUMMARY_PROMPT                                                                             \
	"Summarise the conversation below in at most 120 words for your own later use. "           \
	"Keep names, dates, times, numbers, ids and decisions; leave out small talk."

struct llm_turn {
	struct turn *t;
	struct llm_opts opts;
	char *key;
	cJSON *tools;
	cJSON *history; /* the conversation as OpenAI messages, oldest first */
	char *system;
	int malformed; /* tool calls with arguments that are not JSON, this turn */
};

/* Stream text to the sink as it arrives. */
static void on_text(void *arg, const char *delta, size_t len)
{
	struct turn *t = arg;
	char *s = xstrndup(delta, len);

	turn_say(t, s);
	free(s);
}

/* The model's thinking: to the sink and the stored answer, never the reply. */
static void on_reasoning(void *arg, const char *delta, size_t len)
{
	struct turn *t = arg;
	char *s = xstrndup(delta, len);

	turn_reasoning(t, s);
	free(s);
}

/* The stored conversation as the OpenAI messages array. */
static int load_history(struct llm_turn *lt, struct err *e)
{
	struct message *ms;
	size_t n;

	if (conversation_messages(lt->t->store, lt->t->conversation, &ms, &n, e) < 0)
		return -1;
	lt->history = cJSON_CreateArray();
	for (size_t i = 0; i < n; i++) {
		cJSON *m = cJSON_CreateObject(), *calls = NULL;

		if (!strcmp(ms[i].role, "system")) {
			cJSON_Delete(m);
			continue;
		}
		cJSON_AddStringToObject(m, "role", ms[i].role);
		if (ms[i].tool_calls)
			calls = cJSON_Parse(ms[i].tool_calls);
		if (ms[i].content)
			cJSON_AddStringToObject(m, "content", ms[i].content);
		else
			cJSON_AddNullToObject(m, "content");
		if (calls)
			cJSON_AddItemToObject(m, "tool_calls", calls);
		if (ms[i].tool_call_id)
			cJSON_AddStringToObject(m, "tool_call_id", ms[i].tool_call_id);
		cJSON_AddItemToArray(lt->history, m);
	}
	message_list_free(ms, n);
	return 0;
}

/* The tools this assistant may call: its list, less ask_assistant at the
 * bottom of the delegation chain, the calendar's for a user who is not
 * its owner (tool_offered) and those a caller up the chain may not call. */
static cJSON *allowed_tools(const struct turn *t)
{
	struct sbuf sb = SBUF_INIT;
	cJSON *tools;

	for (const struct tool *const *tl = tool_registry; *tl; tl++) {
		if (!assistant_allows(t->assistant, (*tl)->name))
			continue;
		if (!strcmp((*tl)->name, "ask_assistant") && t->depth >= ENGINE_MAX_DEPTH)
			continue;
		if (tool_offered(t->store, *tl) != 1 || !turn_callers_allow(t, (*tl)->name))
			continue;
		if (sb.len)
			sbuf_add(&sb, ",", 1);
		sbuf_adds(&sb, (*tl)->name);
	}
	tools = sb.len ? tool_schemas(sb.buf) : cJSON_CreateArray();
	sbuf_release(&sb);
	if (mcp_tools_wanted(t->assistant)) {
		cJSON *tl, *next;
		char *bad;

		mcp_tools_schemas(engine_mcp(t->eng), t->assistant, tools, &bad);
		if (bad)
			log_warn("mcp: tools left out: %s", bad);
		free(bad);
		for (tl = tools->child; tl; tl = next) {
			const cJSON *fn = cJSON_GetObjectItemCaseSensitive(tl, "function");
			const cJSON *name = cJSON_GetObjectItemCaseSensitive(fn, "name");

			next = tl->next;
			if (cJSON_IsString(name) && !turn_callers_allow(t, name->valuestring))
				cJSON_Delete(cJSON_DetachItemViaPointer(tools, tl));
		}
	}
	return tools;
}

/* The assistant's prompt (or nestor's), then the clock (in the user's
 * zone), then who else can be asked. */
static char *system_prompt(const struct turn *t, const cJSON *tools)
{
	char *tz = t->tool.tzid ? xstrdup(t->tool.tzid) : tz_local_name();
	struct sbuf sb = SBUF_INIT;
	char now[40];
	const cJSON *tl;
	bool can_ask = false;

	sbuf_adds(&sb, t->assistant->system_prompt ? t->assistant->system_prompt : DEFAULT_PROMPT);
	sbuf_addf(&sb, "\n\nThe time now is %s%s%s%s.",
		  render_time_in(t->tool.zone, t->now, now, sizeof(now)), tz ? " (" : "",
		  tz ? tz : "", tz ? ")" : "");
	free(tz);
	for (tl = tools ? tools->child : NULL; tl; tl = tl->next) {
		const cJSON *fn = cJSON_GetObjectItemCaseSensitive(tl, "function");
		const cJSON *name = cJSON_GetObjectItemCaseSensitive(fn, "name");

		can_ask |= cJSON_IsString(name) && !strcmp(name->valuestring, "ask_assistant");
	}
	if (can_ask) {
		char **names = assistant_names(t->store, NULL);
		size_t others = 0;

		for (char **p = names; p && *p; p++) {
			const struct turn *up = t;

			while (up && strcmp(*p, up->assistant->name))
				up = up->parent;
			if (up) /* itself, or a caller: never asked again */
				continue;
			sbuf_addf(&sb, "%s%s",
				  others++ ? ", "
					   : "\nOther assistants you can ask with "
					     "ask_assistant: ",
				  *p);
		}
		if (others)
			sbuf_adds(&sb, ".");
		assistant_names_free(names);
	}
	return sbuf_detach(&sb);
}

/* history[0..n) as plain text for the summariser. */
static char *transcript(const cJSON *history, size_t n)
{
	struct sbuf sb = SBUF_INIT;
	const cJSON *m = history->child;

	for (size_t i = 0; i < n && m; i++, m = m->next) {
		const cJSON *role = cJSON_GetObjectItemCaseSensitive(m, "role");
		const cJSON *content = cJSON_GetObjectItemCaseSensitive(m, "content");
		const cJSON *calls = cJSON_GetObjectItemCaseSensitive(m, "tool_calls");

		if (cJSON_IsString(content) && *content->valuestring)
			sbuf_addf(&sb, "%s: %s\n", role->valuestring, content->valuestring);
		if (calls) {
			char *c = cJSON_PrintUnformatted(calls);

			sbuf_addf(&sb, "%s called tools: %s\n", role->valuestring, c);
			free(c);
		}
	}
	return sbuf_detach(&sb);
}

/* llm.summarize: replace the dropped turns by the model's summary of them,
 * appended to the system prompt.  A failure only costs the summary. */
static void summarise(struct llm_turn *lt, size_t dropped)
{
	struct llm_opts o = lt->opts;
	struct llm_reply r;
	struct err e = { 0, "" };
	cJSON *msgs = cJSON_CreateArray(), *m;
	char *text = transcript(lt->history, dropped);

	o.stream = false;
	m = cJSON_CreateObject();
	cJSON_AddStringToObject(m, "role", "system");
	cJSON_AddStringToObject(m, "content", SUMMARY_PROMPT);
	cJSON_AddItemToArray(msgs, m);
	m = cJSON_CreateObject();
	cJSON_AddStringToObject(m, "role", "user");
	cJSON_AddStringToObject(m, "content", text);
	cJSON_AddItemToArray(msgs, m);
	free(text);
	o.max_tokens = 0;
	if (llm_chat(&o, msgs, NULL, NULL, &r, &e) == 0 && *r.content) {
		char *s = xasprintf("%s\n\nSummary of the earlier conversation: %s", lt->system,
				    r.content);

		free(lt->system);
		lt->system = s;
	} else {
		log_warn("assistant %s: no summary: %s", lt->t->assistant->name, e.msg);
	}
	turn_usage(lt->t, r.usage_prompt, r.usage_completion);
	llm_reply_release(&r);
	cJSON_Delete(msgs);
}

/* Store a reply that did not finish: its text, marked interrupted. */
static void keep_partial(struct turn *t, const struct llm_reply *r)
{
	struct err e = { 0, "" };

	if (!r->content || !*r->content)
		return;
	if (turn_step_begin(t, &e) < 0)
		return;
	if (turn_answer(t, r->content, NULL, true, &e) < 0 || turn_step_end(t, &e) < 0) {
		turn_step_abort(t);
		log_error("assistant %s: partial reply not stored: %s", t->assistant->name, e.msg);
	}
}

/* Run one call of the reply; *result is what goes back to the model.
 * Arguments that are not one JSON object, each name once (as the API's
 * bodies), go back as an error the first time; the second time they end
 * the turn.  A name given twice is said so, not "not valid JSON". */
static int run_call(struct llm_turn *lt, const struct llm_tool_call *c, cJSON **result,
		    struct err *e)
{
	struct turn *t = lt->t;
	cJSON *args = cJSON_ParseWithOpts(c->arguments, NULL, true);
	struct err terr = { 0, "" };
	struct json_nul dup, nul;
	bool twice = cJSON_IsObject(args) && json_dup_first(args, &dup), parsed = args != NULL;
	char *msg;
	int rc;

	*result = NULL;
	/* cJSON would cut "a\u0000b" to "a", and the tool act on that */
	if (json_nul_first(c->arguments, strlen(c->arguments), &nul)) {
		cJSON_Delete(args);
		msg = xasprintf("%s: a NUL character is not text", nul.key);
		rc = turn_refuse(t, c->id, c->name, msg, result, e);
		free(msg);
		return rc;
	}
	if (!cJSON_IsObject(args) || twice) {
		cJSON_Delete(args);
		if (lt->malformed++ && twice)
			return err_set(e, ERR_FAIL,
				       "assistant '%s' gave a tool argument twice again (%s: "
				       "\"%s\" in %.*s)",
				       t->assistant->name, c->name, dup.path,
				       utf8_prec(c->arguments, 80), c->arguments);
		if (lt->malformed > 1)
			return err_set(e, ERR_FAIL,
				       "assistant '%s' sent tool arguments that are not JSON again "
				       "(%s: %.*s)",
				       t->assistant->name, c->name, utf8_prec(c->arguments, 80),
				       c->arguments);
		if (twice)
			msg = xasprintf("argument \"%s\" of %s given twice: %.*s", dup.path,
					c->name, utf8_prec(c->arguments, 200), c->arguments);
		else
			msg = xasprintf("the arguments of %s are not %s: %.*s", c->name,
					parsed ? "a JSON object" : "valid JSON",
					utf8_prec(c->arguments, 200), c->arguments);
		rc = turn_refuse(t, c->id, c->name, msg, result, e);
		free(msg);
		return rc;
	}
	if ((!assistant_allows(t->assistant, c->name) &&
	     !mcp_tools_has(engine_mcp(t->eng), c->name, NULL)) ||
	    (!strcmp(c->name, "ask_assistant") && t->depth >= ENGINE_MAX_DEPTH)) {
		/* Offered or not, a tool outside the assistant's list never runs. */
		cJSON_Delete(args);
		msg = xasprintf("tool %s is not available to assistant '%s'", c->name,
				t->assistant->name);
		rc = turn_refuse(t, c->id, c->name, msg, result, e);
		free(msg);
		return rc;
	}
	if (!turn_callers_allow(t, c->name)) {
		cJSON_Delete(args);
		msg = turn_callers_refusal(t, c->name);
		rc = turn_refuse(t, c->id, c->name, msg, result, e);
		free(msg);
		return rc;
	}
	rc = turn_tool(t, c->id, c->name, args, result, &terr, e);
	cJSON_Delete(args);
	return rc;
}

/* Run call c and append its result to the history. */
static int call_into_history(struct llm_turn *lt, const struct llm_tool_call *c, struct err *e)
{
	cJSON *result, *tm;
	char *res;

	if (run_call(lt, c, &result, e) < 0) {
		cJSON_Delete(result);
		return -1;
	}
	res = turn_result_text(result);
	cJSON_Delete(result);
	tm = cJSON_CreateObject();
	cJSON_AddStringToObject(tm, "role", "tool");
	cJSON_AddStringToObject(tm, "tool_call_id", c->id);
	cJSON_AddStringToObject(tm, "content", res);
	cJSON_AddItemToArray(lt->history, tm);
	free(res);
	return 0;
}

/* The turn ends before calls c[0..n) ran: each gets the result
 * {"error": "not run: the turn ended"}, so the reply's calls stay a whole
 * group in the conversation (llm-context.h), the calls that ran with them.
 * Nothing when the store failed or another process has the turn. */
static void not_run(struct turn *t, const struct llm_tool_call *c, size_t n)
{
	struct err e = { 0, "" };

	if (t->lost || t->step_failed)
		return;
	for (size_t i = 0; i < n; i++) {
		if (turn_step_begin(t, &e) < 0)
			return;
		if (conversation_add(t->store, t->conversation, "tool",
				     "{\"error\":\"not run: the turn ended\"}", NULL, c[i].id,
				     t->now, NULL, &e) < 0 ||
		    turn_step_end(t, &e) < 0) {
			turn_step_abort(t);
			log_error("assistant %s: call %s not stored as not run: %s",
				  t->assistant->name, c[i].id, e.msg);
			return;
		}
	}
}

/* Run the reply's tool calls in order; append the call message and every
 * result to the history. */
static int run_calls(struct llm_turn *lt, const struct llm_reply *r, struct err *e)
{
	cJSON *m = llm_reply_message(r), *calls = cJSON_GetObjectItemCaseSensitive(m, "tool_calls");

	if (turn_calls_message(lt->t, calls, e) < 0) {
		cJSON_Delete(m);
		return -1;
	}
	cJSON_AddItemToArray(lt->history, m);
	for (size_t i = 0; i < r->ncalls; i++)
		if (call_into_history(lt, &r->calls[i], e) < 0) {
			not_run(lt->t, r->calls + i, r->ncalls - i);
			return -1;
		}
	return 0;
}

/* Whether a tool message after m answers call id. */
static bool answered(const cJSON *m, const char *id)
{
	for (m = m->next; m; m = m->next) {
		const cJSON *cid = cJSON_GetObjectItemCaseSensitive(m, "tool_call_id");

		if (cJSON_IsString(cid) && !strcmp(cid->valuestring, id))
			return true;
	}
	return false;
}

/* A turn resumed (engine_turn_journal): the calls of the last reply of
 * this turn (after its user message) that have no result run now, as
 * they would have; then the model is asked again.  *steps: the model's
 * replies with calls the turn had (they count towards llm.max_steps). */
static int resume_calls(struct llm_turn *lt, long *steps, struct err *e)
{
	const cJSON *m, *last = NULL, *c;

	*steps = 0;
	cJSON_ArrayForEach(m, lt->history) {
		const cJSON *role = cJSON_GetObjectItemCaseSensitive(m, "role");

		if (cJSON_IsString(role) && !strcmp(role->valuestring, "user")) {
			last = NULL;
			*steps = 0;
		} else if (cJSON_GetObjectItemCaseSensitive(m, "tool_calls")) {
			last = m;
			++*steps;
		}
	}
	if (!last)
		return 0;
	cJSON_ArrayForEach(c, cJSON_GetObjectItemCaseSensitive(last, "tool_calls")) {
		const cJSON *fn = cJSON_GetObjectItemCaseSensitive(c, "function");
		const cJSON *id = cJSON_GetObjectItemCaseSensitive(c, "id");
		const cJSON *name = cJSON_GetObjectItemCaseSensitive(fn, "name");
		const cJSON *args = cJSON_GetObjectItemCaseSensitive(fn, "arguments");
		struct llm_tool_call call = { 0 };

		if (!cJSON_IsString(id) || !cJSON_IsString(name) || answered(last, id->valuestring))
			continue;
		log_info("assistant %s: resumed: call %s (%s)", lt->t->assistant->name,
			 id->valuestring, name->valuestring);
		call.id = id->valuestring;
		call.name = name->valuestring;
		call.arguments = cJSON_IsString(args) ? args->valuestring : "";
		if (call_into_history(lt, &call, e) < 0)
			return -1;
	}
	return 0;
}

static int setup(struct llm_turn *lt, struct turn *t, struct err *e)
{
	const struct assistant *a = t->assistant;

	memset(lt, 0, sizeof(*lt));
	lt->t = t;
	if (a->key_secret && secret_get(a->key_secret, &lt->key, e) < 0) {
		err_prefix(e, "assistant '%s'", a->name);
		return -1;
	}
	lt->opts.assistant = a->name;
	lt->opts.base_url = a->base_url;
	lt->opts.model = a->model;
	lt->opts.api_key = lt->key;
	lt->opts.has_temperature = a->has_temperature;
	lt->opts.temperature = a->temperature;
	lt->opts.stream = t->cfg ? config_get_bool(t->cfg, "llm.stream") : true;
	lt->opts.usage = true;
	lt->opts.max_tokens = a->max_tokens;
	lt->opts.timeout_s = t->cfg ? config_get_int(t->cfg, "llm.timeout") : 0;
	lt->opts.request_timeout_s = t->cfg ? config_get_int(t->cfg, "llm.request_timeout") : 0;
	lt->opts.cancel = t->tool.cancel;
	lt->tools = allowed_tools(t);
	lt->system = system_prompt(t, lt->tools);
	return load_history(lt, e);
}

static void release(struct llm_turn *lt)
{
	secret_free(lt->key);
	cJSON_Delete(lt->tools);
	cJSON_Delete(lt->history);
	free(lt->system);
}

static int llm_run(struct turn *t, struct err *e)
{
	struct llm_turn lt;
	struct llm_callbacks cb = { .arg = t, .text = on_text, .reasoning = on_reasoning };
	long max_steps = t->cfg ? config_get_int(t->cfg, "llm.max_steps") : 8;
	struct turn *root = t;
	long step = 0;
	int rc = -1;

	while (root->parent)
		root = root->parent;
	if (setup(&lt, t, e) < 0 || (t->resumed && resume_calls(&lt, &step, e) < 0))
		goto out;
	if (t->resumed)
		root->requests = step;
	/* llm.max_steps bounds the model requests of the whole turn, those
	 * of the assistants it asks (ask_assistant) included. */
	for (; root->requests < max_steps; step++) {
		struct llm_reply r;
		size_t dropped;
		cJSON *msgs = llm_context_fit(lt.system, lt.history, lt.tools,
					      t->assistant->token_budget, &dropped);

		/* the summary is a request too: made when one is left for the
		 * answer after it, else the turns left out are only left out */
		if (step == 0 && dropped && t->cfg && config_get_bool(t->cfg, "llm.summarize") &&
		    root->requests + 1 < max_steps) {
			root->requests++;
			summarise(&lt, dropped);
			cJSON_Delete(msgs);
			msgs = llm_context_fit(lt.system, lt.history, lt.tools,
					       t->assistant->token_budget, &dropped);
		}
		log_debug("assistant %s: step %ld, %d messages (%zu left out)", t->assistant->name,
			  step + 1, cJSON_GetArraySize(msgs), dropped);
		root->requests++;
		rc = llm_chat(&lt.opts, msgs, lt.tools, &cb, &r, e);
		cJSON_Delete(msgs);
		turn_usage(t, r.usage_prompt, r.usage_completion);
		if (rc < 0) {
			keep_partial(t, &r);
			llm_reply_release(&r);
			goto out;
		}
		if (!r.ncalls) {
			llm_reply_release(&r);
			rc = 0;
			goto out;
		}
		rc = run_calls(&lt, &r, e);
		llm_reply_release(&r);
		if (rc < 0)
			goto out;
		rc = -1;
	}
	if (root == t)
		err_set(e, ERR_FAIL,
			"assistant '%s' did not answer within %ld requests (llm.max_steps)",
			t->assistant->name, root->requests);
	else
		err_set(e, ERR_FAIL,
			"assistant '%s' did not answer: the turn made %ld model requests, "
			"llm.max_steps, %ld of them this assistant's",
			t->assistant->name, root->requests, step);
out:
	release(&lt);
	return rc;
}

const struct backend backend_llm = { "llm", llm_run };
