#include "llm.h"
#include "xalloc.h"
#include "http.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define LLM_DEFAULT_TIMEOUT_S 120
#define LLM_DEFAULT_RETRIES 3
#define LLM_DEFAULT_BACKOFF_MS 500

void llm_reply_init(struct llm_reply *r)
{
	memset(r, 0, sizeof(*r));
	r->usage_prompt = r->usage_completion = -1;
}

void llm_reply_release(struct llm_reply *r)
{
	if (!r)
		return;
	free(r->content);
	for (size_t i = 0; i < r->ncalls; i++) {
		free(r->calls[i].id);
		free(r->calls[i].name);
		free(r->calls[i].arguments);
	}
	free(r->calls);
	llm_reply_init(r);
}

char *llm_request_body(const struct llm_opts *o, const cJSON *messages, const cJSON *tools)
{
	cJSON *req = cJSON_CreateObject();
	char *text;

	if (o->model && *o->model)
		cJSON_AddStringToObject(req, "model", o->model);
	cJSON_AddItemToObject(req, "messages", cJSON_Duplicate(messages, 1));
	if (tools && cJSON_GetArraySize(tools) > 0)
		cJSON_AddItemToObject(req, "tools", cJSON_Duplicate(tools, 1));
	cJSON_AddBoolToObject(req, "stream", o->stream);
	if (o->has_temperature)
		cJSON_AddNumberToObject(req, "temperature", o->temperature);
	text = cJSON_PrintUnformatted(req);
	cJSON_Delete(req);
	return text;
}

cJSON *llm_reply_message(const struct llm_reply *r)
{
	cJSON *m = cJSON_CreateObject();

	cJSON_AddStringToObject(m, "role", "assistant");
	if (r->content && *r->content)
		cJSON_AddStringToObject(m, "content", r->content);
	else
		cJSON_AddNullToObject(m, "content");
	if (r->ncalls) {
		cJSON *calls = cJSON_AddArrayToObject(m, "tool_calls");

		for (size_t i = 0; i < r->ncalls; i++) {
			cJSON *c = cJSON_CreateObject(), *f;

			cJSON_AddStringToObject(c, "id", r->calls[i].id);
			cJSON_AddStringToObject(c, "type", "function");
			f = cJSON_AddObjectToObject(c, "function");
			cJSON_AddStringToObject(f, "name", r->calls[i].name ? r->calls[i].name : "");
			cJSON_AddStringToObject(f, "arguments",
						r->calls[i].arguments ? r->calls[i].arguments : "{}");
			cJSON_AddItemToArray(calls, c);
		}
	}
	return m;
}

/* An id for a tool call the server sent without one (llama.cpp). */
static char *make_call_id(void)
{
	static uint64_t state;
	uint64_t x;

	if (!state)
		state = (uint64_t)time(NULL) * 0x9E3779B97F4A7C15ull ^ (uint64_t)getpid() ^
			(uint64_t)(uintptr_t)&state;
	/* xorshift64* */
	state ^= state >> 12;
	state ^= state << 25;
	state ^= state >> 27;
	x = state * 0x2545F4914F6CDD1Dull;
	return xasprintf("call_%016llx", (unsigned long long)x);
}

static struct llm_tool_call *new_call(struct llm_reply *r)
{
	struct llm_tool_call *c;

	r->calls = xrealloc(r->calls, (r->ncalls + 1) * sizeof(*r->calls));
	c = &r->calls[r->ncalls++];
	memset(c, 0, sizeof(*c));
	return c;
}

static void append(char **dst, const char *s)
{
	char *old = *dst;

	*dst = old ? xasprintf("%s%s", old, s) : xstrdup(s);
	free(old);
}

/* Arguments are a JSON string by the spec; a few servers send the object. */
static char *args_text(const cJSON *a)
{
	if (cJSON_IsString(a))
		return xstrdup(a->valuestring);
	if (cJSON_IsObject(a))
		return cJSON_PrintUnformatted(a);
	return NULL;
}

/* Give every call an id and arguments, as the next request needs them. */
static void complete_calls(struct llm_reply *r)
{
	for (size_t i = 0; i < r->ncalls; i++) {
		struct llm_tool_call *c = &r->calls[i];

		if (!c->id || !*c->id) {
			free(c->id);
			c->id = make_call_id();
		}
		if (!c->name)
			c->name = xstrdup("");
		if (!c->arguments || !*c->arguments) {
			free(c->arguments);
			c->arguments = xstrdup("{}");
		}
	}
}

static void read_usage(const cJSON *root, struct llm_reply *r)
{
	const cJSON *u = cJSON_GetObjectItemCaseSensitive(root, "usage");
	const cJSON *p = cJSON_GetObjectItemCaseSensitive(u, "prompt_tokens");
	const cJSON *c = cJSON_GetObjectItemCaseSensitive(u, "completion_tokens");

	if (cJSON_IsNumber(p))
		r->usage_prompt = (long long)p->valuedouble;
	if (cJSON_IsNumber(c))
		r->usage_completion = (long long)c->valuedouble;
}

/* Replace every occurrence of the key in buf[0..len) by "***": a server may
 * echo it.  buf holds len + 1 bytes; returns the new length (and ends the
 * text there with a NUL when it shrank). */
static size_t scrub_mem(char *buf, size_t len, const char *key)
{
	size_t klen = key ? strlen(key) : 0, at = 0, off;
	char *p;

	if (klen < 4 || !buf)
		return len;
	while ((p = memmem(buf + at, len - at, key, klen))) {
		off = (size_t)(p - buf);
		memcpy(p, "***", 3);
		memmove(p + 3, p + klen, len - off - klen);
		len -= klen - 3;
		buf[len] = '\0';
		at = off + 3;
	}
	return len;
}

/* Scrub the key from msg, and a cut-off start of it (8 characters or more)
 * at its end: a message truncated to a fixed buffer can end mid-key. */
static void scrub(char *msg, const char *key)
{
	size_t klen = key ? strlen(key) : 0, len = scrub_mem(msg, strlen(msg), key);

	for (size_t n = klen - 1 < len ? klen - 1 : len; klen >= 9 && n >= 8; n--) {
		if (!memcmp(msg + len - n, key, n)) {
			memcpy(msg + len - n, "***", 4);
			break;
		}
	}
}

/* {"error": {"message": ...}} or {"error": "..."}: copy the message, the key
 * scrubbed from it before it is cut to len. */
static int error_object(const cJSON *root, const char *key, char *buf, size_t len)
{
	const cJSON *err = cJSON_GetObjectItemCaseSensitive(root, "error");
	const cJSON *msg = cJSON_GetObjectItemCaseSensitive(err, "message");
	char *text;

	if (!err || cJSON_IsNull(err))
		return 0;
	if (cJSON_IsString(msg))
		text = xstrdup(msg->valuestring);
	else if (cJSON_IsString(err))
		text = xstrdup(err->valuestring);
	else
		text = xstrdup("the server reported an error");
	scrub(text, key);
	snprintf(buf, len, "%s", text);
	scrub(buf, key);
	free(text);
	return 1;
}

static void set_finish(struct llm_reply *r, const cJSON *choice)
{
	const cJSON *fr = cJSON_GetObjectItemCaseSensitive(choice, "finish_reason");

	if (cJSON_IsString(fr) && *fr->valuestring)
		snprintf(r->finish_reason, sizeof(r->finish_reason), "%s", fr->valuestring);
}

/* The call a tool_calls delta continues, or a new one. */
static struct llm_tool_call *delta_target(struct llm_reply *r, const cJSON *tc, const cJSON *id,
					  const cJSON *name)
{
	const cJSON *index = cJSON_GetObjectItemCaseSensitive(tc, "index");
	struct llm_tool_call *last = r->ncalls ? &r->calls[r->ncalls - 1] : NULL;

	if (cJSON_IsNumber(index)) {
		/* Calls are numbered 0, 1, ... in order; a jump opens the calls between. */
		int i = index->valueint;

		if (i < 0 || i > 64)
			return NULL;
		while ((size_t)i >= r->ncalls)
			new_call(r);
		return &r->calls[i];
	}
	if (!last)
		return new_call(r);
	if (cJSON_IsString(id) && *id->valuestring && last->id && strcmp(last->id, id->valuestring))
		return new_call(r);
	if (cJSON_IsString(name) && last->name && last->arguments && *last->arguments)
		return new_call(r);
	return last;
}

static void tool_call_delta(struct llm_reply *r, const cJSON *tc)
{
	const cJSON *id = cJSON_GetObjectItemCaseSensitive(tc, "id");
	const cJSON *fn = cJSON_GetObjectItemCaseSensitive(tc, "function");
	const cJSON *name = cJSON_GetObjectItemCaseSensitive(fn, "name");
	const cJSON *args = cJSON_GetObjectItemCaseSensitive(fn, "arguments");
	struct llm_tool_call *c = delta_target(r, tc, id, name);
	char *a;

	if (!c)
		return;
	if (cJSON_IsString(id) && *id->valuestring && !c->id)
		c->id = xstrdup(id->valuestring);
	/* The name comes whole in one delta, but some servers repeat it in each. */
	if (cJSON_IsString(name) && *name->valuestring &&
	    (!c->name || strcmp(c->name, name->valuestring)))
		append(&c->name, name->valuestring);
	a = args_text(args);
	if (a) {
		append(&c->arguments, a);
		free(a);
	}
}

static int on_event(void *arg, const char *type, const char *data, size_t len)
{
	struct llm_stream *s = arg;
	const cJSON *choice, *delta, *content, *calls, *tc;
	cJSON *root;

	(void)type;
	if (len == 6 && !memcmp(data, "[DONE]", 6)) {
		s->done = true;
		return 0;
	}
	root = cJSON_ParseWithLength(data, len);
	if (!root)
		return 0; /* keep-alive noise: a server's problem, not the reply's */
	if (error_object(root, s->key, s->error, sizeof(s->error))) {
		s->failed = true;
		cJSON_Delete(root);
		return -1;
	}
	read_usage(root, s->reply);
	choice = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(root, "choices"), 0);
	delta = cJSON_GetObjectItemCaseSensitive(choice, "delta");
	content = cJSON_GetObjectItemCaseSensitive(delta, "content");
	if (cJSON_IsString(content) && *content->valuestring) {
		size_t n = strlen(content->valuestring);

		sbuf_add(&s->text, content->valuestring, n);
		s->deltas++;
		if (s->cb && s->cb->text)
			s->cb->text(s->cb->arg, content->valuestring, n);
	}
	calls = cJSON_GetObjectItemCaseSensitive(delta, "tool_calls");
	for (tc = calls ? calls->child : NULL; tc; tc = tc->next)
		tool_call_delta(s->reply, tc);
	set_finish(s->reply, choice);
	cJSON_Delete(root);
	return 0;
}

void llm_stream_init(struct llm_stream *s, struct llm_reply *reply, const struct llm_callbacks *cb)
{
	memset(s, 0, sizeof(*s));
	s->reply = reply;
	s->cb = cb;
	sbuf_init(&s->text);
	sse_init(&s->sse, on_event, s);
}

int llm_stream_feed(struct llm_stream *s, const char *buf, size_t n)
{
	if (s->failed)
		return -1;
	return sse_feed(&s->sse, buf, n) ? -1 : 0;
}

int llm_stream_finish(struct llm_stream *s)
{
	struct llm_reply *r = s->reply;
	int complete;

	if (!s->failed)
		sse_finish(&s->sse);
	free(r->content);
	r->content = sbuf_detach(&s->text);
	complete = !s->failed && (s->done || r->finish_reason[0]);
	if (complete && !r->finish_reason[0])
		snprintf(r->finish_reason, sizeof(r->finish_reason), "%s",
			 r->ncalls ? "tool_calls" : "stop");
	complete_calls(r);
	return complete;
}

void llm_stream_release(struct llm_stream *s)
{
	sse_release(&s->sse);
	sbuf_release(&s->text);
}

int llm_parse_response(const char *body, size_t len, struct llm_reply *out, struct err *e)
{
	cJSON *root = cJSON_ParseWithLength(body, len);
	const cJSON *choice, *msg, *content, *calls, *tc;
	char emsg[256];

	if (!root)
		return err_set(e, ERR_FAIL, "the server's answer is not JSON");
	/* llm_chat scrubbed the key from body already */
	if (error_object(root, NULL, emsg, sizeof(emsg))) {
		cJSON_Delete(root);
		return err_set(e, ERR_FAIL, "the server reported: %s", emsg);
	}
	choice = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(root, "choices"), 0);
	msg = cJSON_GetObjectItemCaseSensitive(choice, "message");
	if (!cJSON_IsObject(msg)) {
		cJSON_Delete(root);
		return err_set(e, ERR_FAIL, "the server's answer has no choices[0].message");
	}
	content = cJSON_GetObjectItemCaseSensitive(msg, "content");
	free(out->content);
	out->content = xstrdup(cJSON_IsString(content) ? content->valuestring : "");
	calls = cJSON_GetObjectItemCaseSensitive(msg, "tool_calls");
	for (tc = calls ? calls->child : NULL; tc; tc = tc->next) {
		const cJSON *id = cJSON_GetObjectItemCaseSensitive(tc, "id");
		const cJSON *fn = cJSON_GetObjectItemCaseSensitive(tc, "function");
		const cJSON *name = cJSON_GetObjectItemCaseSensitive(fn, "name");
		struct llm_tool_call *c = new_call(out);

		c->id = cJSON_IsString(id) && *id->valuestring ? xstrdup(id->valuestring) : NULL;
		c->name = xstrdup(cJSON_IsString(name) ? name->valuestring : "");
		c->arguments = args_text(cJSON_GetObjectItemCaseSensitive(fn, "arguments"));
	}
	set_finish(out, choice);
	if (!out->finish_reason[0])
		snprintf(out->finish_reason, sizeof(out->finish_reason), "%s",
			 out->ncalls ? "tool_calls" : "stop");
	read_usage(root, out);
	complete_calls(out);
	cJSON_Delete(root);
	return 0;
}

static size_t on_data(const char *buf, size_t n, void *arg)
{
	return llm_stream_feed(arg, buf, n) < 0 ? 0 : n;
}

/* The error.message of a JSON error body, or NULL. */
static char *body_error(const struct http_resp *rs, const char *key)
{
	char msg[256];
	cJSON *root = rs->body ? cJSON_ParseWithLength(rs->body, rs->len) : NULL;
	char *out = NULL;

	if (root && error_object(root, key, msg, sizeof(msg)))
		out = xstrdup(msg);
	cJSON_Delete(root);
	return out;
}

static int status_error(const struct llm_opts *o, const struct http_req *rq,
			const struct http_resp *rs, struct err *e)
{
	char *host = http_host(rq->url), *msg;

	if (rs->status == 401 || rs->status == 403) {
		if (o->api_key && *o->api_key)
			err_set(e, ERR_FAIL, "the API key for assistant '%s' was refused (%s: HTTP %ld)",
				o->assistant, host, rs->status);
		else
			err_set(e, ERR_FAIL,
				"assistant '%s' needs an API key (%s: HTTP %ld); give it one with "
				"'nestor assistant edit %s --key-secret NAME'",
				o->assistant, host, rs->status, o->assistant);
	} else if (rs->status == 429) {
		err_set(e, ERR_FAIL, "assistant '%s': %s is rate limiting (HTTP 429), %d attempts",
			o->assistant, host, rs->attempts);
	} else if ((msg = body_error(rs, o->api_key))) {
		err_set(e, ERR_FAIL, "assistant '%s': %s: HTTP %ld: %s", o->assistant, host,
			rs->status, msg);
		free(msg);
	} else {
		http_status_error(rq, rs, e);
		err_prefix(e, "assistant '%s'", o->assistant);
	}
	free(host);
	return -1;
}

int llm_chat(const struct llm_opts *o, const cJSON *messages, const cJSON *tools,
	     const struct llm_callbacks *cb, struct llm_reply *out, struct err *e)
{
	const char *base = o->base_url ? o->base_url : "";
	size_t blen = strlen(base);
	char *url, *body, *auth = NULL;
	const char *headers[4];
	long idle = (o->timeout_s > 0 ? o->timeout_s : LLM_DEFAULT_TIMEOUT_S) * 1000;
	struct llm_stream st;
	struct http_resp rs;
	struct err herr = { 0, "" };
	int n = 0, rc, complete = 0;

	llm_reply_init(out);
	while (blen && base[blen - 1] == '/')
		blen--;
	if (!blen)
		return err_set(e, ERR_USAGE, "assistant '%s' has no base_url", o->assistant);
	url = xasprintf("%.*s/chat/completions", (int)blen, base);
	body = llm_request_body(o, messages, tools);
	headers[n++] = "Content-Type: application/json";
	headers[n++] = o->stream ? "Accept: text/event-stream" : "Accept: application/json";
	if (o->api_key && *o->api_key)
		headers[n++] = auth = xasprintf("Authorization: Bearer %s", o->api_key);
	headers[n] = NULL;

	llm_stream_init(&st, out, cb);
	st.key = o->api_key;
	{
		struct http_req rq = {
			.url = url,
			.body = body,
			.headers = headers,
			.timeout_ms = o->stream ? HTTP_NO_TIMEOUT : idle,
			.idle_timeout_ms = idle,
			.max_bytes = (size_t)16 << 20,
			.max_retries = o->max_retries < 0 ? HTTP_NO_RETRY
				       : o->max_retries ? o->max_retries : LLM_DEFAULT_RETRIES,
			.backoff_ms = o->backoff_ms > 0 ? o->backoff_ms : LLM_DEFAULT_BACKOFF_MS,
			.retry_after_max_ms = 60000,
			.on_data = o->stream ? on_data : NULL,
			.arg = &st,
			.cancel = o->cancel,
		};

		rc = http_request(&rq, &rs, &herr);
		/* a server may echo the key: gone before any of it is copied */
		rs.len = scrub_mem(rs.body, rs.len, o->api_key);
		scrub(herr.msg, o->api_key);
		out->http_status = (int)rs.status;
		out->attempts = rs.attempts;
		if (o->stream)
			complete = llm_stream_finish(&st);
		if (o->cancel && atomic_load(o->cancel)) {
			out->cancelled = out->interrupted = true;
			rc = err_set(e, ERR_FAIL, "assistant '%s': cancelled", o->assistant);
		} else if (st.failed) {
			out->interrupted = true;
			rc = err_set(e, ERR_FAIL, "assistant '%s': the server reported: %s",
				     o->assistant, st.error);
		} else if (rc < 0 && complete) {
			rc = 0; /* everything arrived; the connection closed badly after */
		} else if (rc < 0) {
			out->interrupted = st.sse.events > 0;
			err_set(e, ERR_FAIL, "assistant '%s': %s%s", o->assistant,
				out->interrupted ? "the connection dropped mid-answer: " : "",
				herr.msg);
		} else if (!http_ok(&rs)) {
			rc = status_error(o, &rq, &rs, e);
		} else if (o->stream && !complete) {
			out->interrupted = true;
			rc = err_set(e, ERR_FAIL, "assistant '%s': the answer was cut short", o->assistant);
		} else if (!o->stream) {
			rc = llm_parse_response(rs.body, rs.len, out, e);
			if (rc < 0)
				err_prefix(e, "assistant '%s'", o->assistant);
		}
	}
	if (!out->content)
		out->content = xstrdup("");
	if (rc < 0)
		scrub(e->msg, o->api_key);
	llm_stream_release(&st);
	http_resp_release(&rs);
	if (auth) {
		explicit_bzero(auth, strlen(auth));
		free(auth);
	}
	free(body);
	free(url);
	return rc;
}
