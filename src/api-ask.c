/*
 * POST /v1/ask (api.h): one engine turn, in a job of its own.
 *
 * The request is checked in the server's thread (token, body, the
 * conversation's owner); the turn itself runs in a thread with its own
 * store connection, so a slow assistant holds no other request.  With
 * Accept: text/event-stream every step is sent as a Server-Sent Event the
 * moment the sink reports it; otherwise the answer is the JSON of
 * `nestor ask --json` when the turn ends.  A client that leaves cancels
 * the turn (httpd.h): what streamed so far is stored, marked interrupted.
 */
#include "api-int.h"
#include "engine.h"
#include "render.h"
#include "sbuf.h"
#include "utf8.h"
#include "xalloc.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct ask_job {
	struct api *api;
	struct config *cfg;
	char *db; /* the store's path: the job opens its own connection */
	long long user_id;
	char *text, *assistant;
	long long conv;
	bool sse;
	time_t now;
	double t0;
	atomic_int cancel; /* set by the server when the client leaves */
	struct httpd_stream *st;
	cJSON *calls; /* the tool calls so far, as `ask --json` has them */
	char *reply;
};

static void job_free(struct ask_job *j)
{
	cJSON_Delete(j->calls);
	free(j->reply);
	free(j->db);
	free(j->text);
	free(j->assistant);
	free(j);
}

/* One event of the stream (data freed); nothing without SSE. */
static void sse_event(struct ask_job *j, const char *name, cJSON *data)
{
	char *text = cJSON_PrintUnformatted(data);
	struct sbuf b = SBUF_INIT;
	struct err e;

	if (j->sse) {
		sbuf_addf(&b, "event: %s\ndata: %s\n\n", name, text);
		/* A client gone: the server has set cancel already. */
		httpd_stream_write(j->st, b.buf, b.len, &e);
	}
	sbuf_release(&b);
	free(text);
	cJSON_Delete(data);
}

static void ask_text(void *arg, const char *delta)
{
	cJSON *d = cJSON_CreateObject();

	cJSON_AddStringToObject(d, "delta", delta);
	sse_event(arg, "text", d);
}

static void ask_tool_call(void *arg, const char *name, const char *args_json)
{
	struct ask_job *j = arg;

	sse_event(j, "tool_call", cJSON_Duplicate(json_call_add(j->calls, name, args_json), 1));
}

static void ask_tool_result(void *arg, const char *name, const char *result_json)
{
	struct ask_job *j = arg;
	cJSON *r = cJSON_Parse(result_json), *ev = cJSON_CreateObject();

	cJSON_AddStringToObject(ev, "name", name);
	cJSON_AddItemToObject(ev, "result", r ? r : cJSON_CreateNull());
	sse_event(j, "tool_result", ev);
	json_call_result(j->calls, result_json);
}

static void ask_done(void *arg, const char *reply)
{
	struct ask_job *j = arg;

	free(j->reply);
	j->reply = xstrdup(reply);
}

/* The turn, and the answer's JSON (or NULL with e). */
static cJSON *run_turn(struct ask_job *j, struct store *s, struct err *e)
{
	struct engine_sink sink = {
		.arg = j,
		.text = ask_text,
		.tool_call = ask_tool_call,
		.tool_result = ask_tool_result,
		.done = ask_done,
	};
	struct engine *eng = engine_new(s, j->cfg, e);
	struct conversation info;
	cJSON *res;
	int rc = -1;

	if (eng) {
		engine_watch_cancel(eng, &j->cancel);
		if (!j->assistant || engine_set_assistant(eng, j->assistant, e) == 0)
			rc = engine_turn(eng, &j->conv, j->text, j->now, &sink, e);
	}
	engine_free(eng);
	if (rc < 0 || conversation_get(s, j->conv, &info, e) < 0)
		return NULL;
	res = cJSON_CreateObject();
	cJSON_AddNumberToObject(res, "conversation", (double)j->conv);
	render_add_str(res, "assistant", info.assistant);
	conversation_release(&info);
	cJSON_AddStringToObject(res, "reply", j->reply ? j->reply : "");
	cJSON_AddItemToObject(res, "tool_calls", j->calls);
	j->calls = NULL;
	return res;
}

static void *ask_job(void *arg)
{
	struct ask_job *j = arg;
	struct api *api = j->api;
	struct httpd_resp rs;
	struct api_call c;
	struct store *s;
	cJSON *res = NULL;
	struct err e;
	int status;

	httpd_resp_init(&rs);
	memset(&c, 0, sizeof(c));
	c.api = api;
	c.cfg = j->cfg;
	c.rs = &rs;
	c.now = j->now;
	s = store_open(j->db, &e);
	if (s) {
		store_set_user(s, j->user_id);
		c.store = s;
		res = run_turn(j, s, &e);
	}
	if (j->sse) {
		cJSON *ev = res;

		if (!ev) {
			ev = cJSON_CreateObject();
			cJSON_AddStringToObject(ev, "error", e.msg);
			cJSON_AddNumberToObject(ev, "code", 500);
		}
		sse_event(j, res ? "done" : "error", ev);
		status = 200;
		httpd_stream_end(j->st, NULL, &e);
	} else {
		if (res)
			api_json(&c, 200, res);
		else
			api_fail(&c, &e);
		status = rs.status;
		httpd_stream_end(j->st, &rs, &e);
	}
	httpd_resp_release(&rs);
	store_free(s);
	api_job_end(api, "/v1/ask", status, j->t0, true);
	job_free(j);
	return NULL;
}

/* The server's defer: start the job's thread (or, failing that, run it
 * here). */
static void ask_start(void *arg, struct httpd_stream *st)
{
	struct ask_job *j = arg;

	j->st = st;
	api_job_run(j->api, ask_job, j);
}

int api_ask(struct api_call *c)
{
	const char *accept = c->rq->header(c->rq, "Accept"), *text, *assistant;
	long long conv;
	struct conversation info;
	struct ask_job *j;
	struct err e;

	if (strcmp(c->rq->method, "POST") != 0 || c->id)
		return c->id ? api_error(c, 404, "no such resource") : api_bad_method(c, "POST");
	if (api_writable(c) < 0 || api_str(c, "text", &text) < 0 ||
	    api_str(c, "assistant", &assistant) < 0 ||
	    api_int(c, "conversation", 1, 9007199254740991LL, &conv) < 0)
		return -1;
	if (!text || !*text)
		return api_error(c, 400, "missing \"text\"");
	if (utf8_check_field("\"text\"", text, ENGINE_TEXT_MAX, &e) < 0)
		return api_fail(c, &e); /* 400, before the turn starts */
	if (conv && api_own_conversation(c, conv, &info) < 0)
		return -1;
	if (conv)
		conversation_release(&info);
	if (api_job_admit(c) < 0)
		return -1;
	j = xcalloc(1, sizeof(*j));
	j->api = c->api;
	j->cfg = c->cfg;
	j->db = xstrdup(store_path(c->store));
	j->user_id = c->tok.user_id;
	j->text = xstrdup(text);
	j->assistant = assistant ? xstrdup(assistant) : NULL;
	j->conv = conv;
	j->sse = accept && strstr(accept, "text/event-stream");
	j->now = c->now;
	j->t0 = c->t0;
	j->calls = cJSON_CreateArray();
	c->turn = c->deferred = true;
	c->rs->defer = ask_start;
	c->rs->defer_arg = j;
	c->rs->stream = j->sse;
	c->rs->cancel = &j->cancel;
	if (j->sse) {
		c->rs->status = 200;
		snprintf(c->rs->content_type, sizeof(c->rs->content_type), "text/event-stream");
		httpd_resp_header(c->rs, "Cache-Control", "no-cache");
	}
	return 0;
}
