/* `nestor assistant test` and `assistant models`: asking a server what it
 * can do, in words a person can act on. */
#include "llm-probe.h"
#include "llm.h"
#include "secret.h"
#include "utf8.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PING_TOOL "nestor_ping"

static const char *const check_names[PROBE_CHECKS][2] = {
	{ "reachable", "reachable" },
	{ "key accepted", "key_accepted" },
	{ "streaming", "streaming" },
	{ "tool calls", "tool_calls" },
};

bool probe_ok(const struct probe_report *r)
{
	for (int i = 0; i < PROBE_CHECKS; i++)
		if (r->check[i].state != PROBE_YES)
			return false;
	return true;
}

static void say(struct probe_report *r, enum probe_check c, enum probe_state st, const char *fmt,
		...) __attribute__((format(printf, 4, 5)));

static void say(struct probe_report *r, enum probe_check c, enum probe_state st, const char *fmt,
		...)
{
	va_list ap;

	r->check[c].state = st;
	va_start(ap, fmt);
	vsnprintf(r->check[c].detail, sizeof(r->check[c].detail), fmt, ap);
	va_end(ap);
}

static cJSON *ping_messages(bool with_tool)
{
	cJSON *m = cJSON_CreateArray(), *o = cJSON_CreateObject();

	cJSON_AddStringToObject(o, "role", "system");
	cJSON_AddStringToObject(
		o, "content",
		with_tool ? "This is a connection test. Call the function " PING_TOOL
			    " once with {\"reply\": \"pong\"} and write nothing else."
			  : "This is a connection test. Answer with the one word pong.");
	cJSON_AddItemToArray(m, o);
	o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "role", "user");
	cJSON_AddStringToObject(o, "content", "ping");
	cJSON_AddItemToArray(m, o);
	return m;
}

static cJSON *ping_tools(void)
{
	return cJSON_Parse("[{\"type\":\"function\",\"function\":{\"name\":\"" PING_TOOL "\","
			   "\"description\":\"Answers nestor's connection test.\",\"parameters\":"
			   "{\"type\":\"object\",\"properties\":{\"reply\":{\"type\":\"string\"}},"
			   "\"required\":[\"reply\"]}}}]");
}

/* One request; its reply in *out. */
static int ping(const struct llm_opts *o, bool with_tool, struct probe_report *r,
		struct llm_reply *out, struct err *e)
{
	cJSON *msgs = ping_messages(with_tool), *tools = with_tool ? ping_tools() : NULL;
	int rc = llm_chat(o, msgs, tools, NULL, out, e);

	r->requests += out->attempts;
	cJSON_Delete(msgs);
	cJSON_Delete(tools);
	return rc;
}

/* e's message without the "assistant 'NAME': " the report does not need. */
static const char *bare(const struct err *e, const char *name)
{
	char prefix[64];
	size_t n = (size_t)snprintf(prefix, sizeof(prefix), "assistant '%s': ", name);

	return strncmp(e->msg, prefix, n) ? e->msg : e->msg + n;
}

/* The request failed: what that says about each check. */
static void failed(const struct assistant *a, struct probe_report *r, const struct llm_reply *rep,
		   const struct err *e)
{
	int st = rep->http_status;

	if (st == 0) {
		say(r, PROBE_REACHABLE, PROBE_NO, "%s", bare(e, a->name));
		return;
	}
	say(r, PROBE_REACHABLE, PROBE_YES, "HTTP %d", st);
	if (st >= 200 && st < 300) {
		say(r, PROBE_KEY, PROBE_YES, "%s", "");
		say(r, PROBE_STREAMING, PROBE_NO, "%s", bare(e, a->name));
		return;
	}
	if (st == 401 || st == 403) {
		if (a->key_secret)
			say(r, PROBE_KEY, PROBE_NO, "the key in secret '%s' was refused (HTTP %d)",
			    a->key_secret, st);
		else
			say(r, PROBE_KEY, PROBE_NO,
			    "the server wants a key (HTTP %d): nestor assistant edit %s "
			    "--key-secret SECRET",
			    st, a->name);
		return;
	}
	say(r, PROBE_KEY, PROBE_UNKNOWN, "the request failed first");
	if (st == 404)
		say(r, PROBE_STREAMING, PROBE_NO,
		    "%s (is the base URL right? with most servers it ends in /v1; is the model one "
		    "that 'nestor assistant models %s' lists?)",
		    bare(e, a->name), a->name);
	else
		say(r, PROBE_STREAMING, PROBE_NO, "%s", bare(e, a->name));
}

static void judge_stream(struct probe_report *r, const struct llm_reply *rep)
{
	if (rep->streamed)
		say(r, PROBE_STREAMING, PROBE_YES, "%s",
		    rep->dropped_stream_options ? "the server refused stream_options: "
						  "no token counts while streaming"
						: "");
	else
		say(r, PROBE_STREAMING, PROBE_NO,
		    "the server answered a streamed request in one piece; nestor reads it, "
		    "but replies show only when complete (llm.stream = false asks for that)");
}

static void judge_tools(struct probe_report *r, const struct llm_reply *rep)
{
	if (!rep->ncalls)
		say(r, PROBE_TOOLS, PROBE_NO,
		    "the model answered in text instead of calling the test tool: it may not "
		    "support tools (llama.cpp: start llama-server with --jinja)");
	else if (strcmp(rep->calls[0].name, PING_TOOL))
		say(r, PROBE_TOOLS, PROBE_NO, "the model called '%.*s', a tool it was not offered",
		    (int)utf8_cut(rep->calls[0].name, strnlen(rep->calls[0].name, 64)),
		    rep->calls[0].name);
	else
		say(r, PROBE_TOOLS, PROBE_YES, "%s", "");
}

int probe_assistant(const struct assistant *a, struct config *cfg, struct probe_report *r,
		    struct err *e)
{
	struct llm_opts o = { 0 };
	struct llm_reply rep;
	struct err ce = { 0, "" };
	char *key = NULL;

	memset(r, 0, sizeof(*r));
	r->prompt_tokens = r->completion_tokens = -1;
	for (int i = 0; i < PROBE_CHECKS; i++) {
		r->check[i].name = check_names[i][0];
		r->check[i].key = check_names[i][1];
		snprintf(r->check[i].detail, sizeof(r->check[i].detail), "not tried");
	}
	if (a->backend != ASSISTANT_LLM)
		return err_set(e, ERR_USAGE,
			       "assistant '%s' is offline: there is no server to test", a->name);
	if (a->key_secret && secret_get(a->key_secret, &key, e) < 0) {
		err_prefix(e, "assistant '%s'", a->name);
		return -1;
	}
	o.assistant = a->name;
	o.base_url = a->base_url;
	o.model = a->model;
	o.api_key = key;
	o.has_temperature = a->has_temperature;
	o.temperature = a->temperature;
	o.max_tokens = a->max_tokens;
	o.stream = true;
	o.usage = true;
	o.timeout_s = cfg ? config_get_int(cfg, "llm.timeout") : 0;
	o.max_retries = 1;
	if (ping(&o, true, r, &rep, &ce) < 0) {
		int st = rep.http_status;

		failed(a, r, &rep, &ce);
		llm_reply_release(&rep);
		if (st < 400 || st >= 500 || st == 401 || st == 403 || st == 404 || st == 429)
			goto out;
		/* refused with the tool: try once without, to see the rest */
		say(r, PROBE_TOOLS, PROBE_NO, "the server refused the request with a tool: %s",
		    bare(&ce, a->name));
		if (ping(&o, false, r, &rep, &ce) < 0) {
			llm_reply_release(&rep);
			goto out;
		}
		say(r, PROBE_REACHABLE, PROBE_YES, "%s", "");
		say(r, PROBE_KEY, PROBE_YES, "%s", key ? "" : "no key sent");
		judge_stream(r, &rep);
	} else {
		say(r, PROBE_REACHABLE, PROBE_YES, "%s", "");
		say(r, PROBE_KEY, PROBE_YES, "%s", key ? "" : "no key sent");
		judge_stream(r, &rep);
		judge_tools(r, &rep);
	}
	r->prompt_tokens = rep.usage_prompt;
	r->completion_tokens = rep.usage_completion;
	r->reasoning = rep.reasoning && *rep.reasoning;
	snprintf(r->model, sizeof(r->model), "%s", rep.model);
	llm_reply_release(&rep);
out:
	secret_free(key);
	return 0;
}

int probe_models(const char *base_url, const char *key_secret, char ***ids, struct err *e)
{
	struct llm_opts o = { .base_url = base_url, .max_retries = 1 };
	char *key = NULL;
	int status, rc;

	*ids = NULL;
	if (key_secret && secret_get(key_secret, &key, e) < 0)
		return -1;
	o.api_key = key;
	rc = llm_models(&o, ids, &status, e);
	if (rc < 0 && status == 404)
		snprintf(e->msg + strlen(e->msg), sizeof(e->msg) - strlen(e->msg),
			 " (is the base URL right? with most servers it ends in /v1)");
	secret_free(key);
	return rc;
}

void probe_models_free(char **ids)
{
	llm_models_free(ids);
}
