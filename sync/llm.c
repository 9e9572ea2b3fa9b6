/*
 * The requests of the chat-completions client: the body, the retries a
 * server's refusals call for (and what they taught, per server), the
 * transfer, streamed or not, and the model list.
 */
#include "http.h"
#include "jsonnul.h"
#include "llm-impl.h"
#include "llm.h"
#include "log.h"
#include "xalloc.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LLM_DEFAULT_TIMEOUT_S  120
#define LLM_DEFAULT_RETRIES    3
#define LLM_DEFAULT_BACKOFF_MS 500
#define MODELS_TIMEOUT_MS      30000L
#define QUIRKS_MAX	       32

/* How one request is phrased. */
struct variant {
	bool stream_options; /* ask for usage in the stream */
	bool tokens_alt;     /* the token limit under its other name */
};

/* What a server (base URL and model) was found to refuse. */
struct quirk {
	char *base, *model;
	bool no_stream_options, tokens_alt;
};

static pthread_mutex_t quirks_lock = PTHREAD_MUTEX_INITIALIZER;
static struct quirk quirks[QUIRKS_MAX];
static size_t nquirks, quirks_next;

static struct quirk *quirk_find(const char *base, const char *model)
{
	for (size_t i = 0; i < nquirks; i++)
		if (!strcmp(quirks[i].base, base) && !strcmp(quirks[i].model, model))
			return &quirks[i];
	return NULL;
}

static void quirk_get(const char *base, const char *model, struct variant *v)
{
	struct quirk *q;

	pthread_mutex_lock(&quirks_lock);
	q = quirk_find(base, model);
	if (q) {
		v->stream_options &= !q->no_stream_options;
		v->tokens_alt = q->tokens_alt;
	}
	pthread_mutex_unlock(&quirks_lock);
}

static void quirk_set(const char *base, const char *model, bool no_stream_options, bool tokens_alt)
{
	struct quirk *q;

	pthread_mutex_lock(&quirks_lock);
	q = quirk_find(base, model);
	if (!q) {
		/* a full table forgets the oldest entry */
		q = &quirks[nquirks < QUIRKS_MAX ? nquirks++ : quirks_next++ % QUIRKS_MAX];
		free(q->base);
		free(q->model);
		q->base = xstrdup(base);
		q->model = xstrdup(model);
		q->no_stream_options = q->tokens_alt = false;
	}
	q->no_stream_options |= no_stream_options;
	q->tokens_alt = tokens_alt;
	pthread_mutex_unlock(&quirks_lock);
}

void llm_forget_servers(void)
{
	pthread_mutex_lock(&quirks_lock);
	for (size_t i = 0; i < nquirks; i++) {
		free(quirks[i].base);
		free(quirks[i].model);
	}
	memset(quirks, 0, sizeof(quirks));
	nquirks = quirks_next = 0;
	pthread_mutex_unlock(&quirks_lock);
}

/* max_completion_tokens for OpenAI itself (its newer models refuse
 * max_tokens), max_tokens for the rest; v->tokens_alt swaps them. */
static const char *tokens_name(const struct llm_opts *o, const struct variant *v)
{
	char *host = http_host(o->base_url ? o->base_url : "");
	bool openai = !strcmp(host, "api.openai.com");

	free(host);
	return openai != v->tokens_alt ? "max_completion_tokens" : "max_tokens";
}

static char *build_body(const struct llm_opts *o, const cJSON *messages, const cJSON *tools,
			const struct variant *v)
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
	if (o->stream && v->stream_options)
		cJSON_AddBoolToObject(cJSON_AddObjectToObject(req, "stream_options"),
				      "include_usage", 1);
	if (o->max_tokens > 0)
		cJSON_AddNumberToObject(req, tokens_name(o, v), o->max_tokens);
	text = cJSON_PrintUnformatted(req);
	cJSON_Delete(req);
	return text;
}

char *llm_request_body(const struct llm_opts *o, const cJSON *messages, const cJSON *tools)
{
	struct variant v = { o->usage, false };

	return build_body(o, messages, tools, &v);
}

static size_t on_data(const char *buf, size_t n, void *arg)
{
	return llm_stream_feed(arg, buf, n) < 0 ? 0 : n;
}

/* The error.message of a JSON error body, or NULL. */
static char *body_error(const struct http_resp *rs, const char *key)
{
	char msg[256];
	cJSON *root = json_parse_text(rs->body, rs->len, NULL);
	char *out = NULL;

	if (root && llm_error_object(root, key, msg, sizeof(msg)))
		out = xstrdup(msg);
	cJSON_Delete(root);
	return out;
}

/* "assistant 'NAME'", or the host when no assistant is named. */
static int status_error(const struct llm_opts *o, const struct http_req *rq,
			const struct http_resp *rs, struct err *e)
{
	char *host = http_host(rq->url), *msg;
	const char *who = o->assistant ? o->assistant : "";

	if ((rs->status == 401 || rs->status == 403) && !o->assistant) {
		if (o->api_key && *o->api_key)
			err_set(e, ERR_FAIL, "the API key was refused (%s: HTTP %ld)", host,
				rs->status);
		else
			err_set(e, ERR_FAIL,
				"%s needs an API key (HTTP %ld): give one with "
				"--key-secret NAME",
				host, rs->status);
	} else if (rs->status == 401 || rs->status == 403) {
		if (o->api_key && *o->api_key)
			err_set(e, ERR_FAIL,
				"the API key for assistant '%s' was refused (%s: HTTP %ld)", who,
				host, rs->status);
		else
			err_set(e, ERR_FAIL,
				"assistant '%s' needs an API key (%s: HTTP %ld); give it one with "
				"'nestor assistant edit %s --key-secret NAME'",
				who, host, rs->status, who);
	} else if (rs->status == 429) {
		err_set(e, ERR_FAIL, "%s is rate limiting (HTTP 429), %d attempts", host,
			rs->attempts);
	} else if ((msg = body_error(rs, o->api_key))) {
		err_set(e, ERR_FAIL, "%s: HTTP %ld: %s", host, rs->status, msg);
		free(msg);
	} else {
		http_status_error(rq, rs, e);
	}
	if ((rs->status != 401 && rs->status != 403) && o->assistant)
		err_prefix(e, "assistant '%s'", who);
	free(host);
	return -1;
}

/* The URL of path under o->base_url, or NULL (e filled) when there is none. */
static char *endpoint(const struct llm_opts *o, const char *path, struct err *e)
{
	const char *base = o->base_url ? o->base_url : "";
	size_t blen = strlen(base);

	while (blen && base[blen - 1] == '/')
		blen--;
	if (!blen) {
		if (o->assistant)
			err_set(e, ERR_USAGE, "assistant '%s' has no base_url", o->assistant);
		else
			err_set(e, ERR_USAGE, "no base URL");
		return NULL;
	}
	return xasprintf("%.*s%s", (int)blen, base, path);
}

/* The request headers, Authorization last (its string is *auth, wiped by
 * the caller). */
static void make_headers(const struct llm_opts *o, const char *accept, const char *headers[4],
			 char **auth)
{
	int n = 0;

	*auth = NULL;
	headers[n++] = "Content-Type: application/json";
	headers[n++] = accept;
	if (o->api_key && *o->api_key)
		headers[n++] = *auth = xasprintf("Authorization: Bearer %s", o->api_key);
	headers[n] = NULL;
}

static void wipe(char *s)
{
	if (s) {
		explicit_bzero(s, strlen(s));
		free(s);
	}
}

/* Whether a 2xx answer to a streamed request came in one piece (not as
 * server-sent events): 1 for a JSON body, 2 for events under another
 * Content-Type, 0 when it streamed. */
static int collected_kind(const struct llm_opts *o, const struct llm_stream *st,
			  const struct http_resp *rs)
{
	const char *p = rs->body;

	if (!o->stream || !http_ok(rs) || !rs->len || st->bytes)
		return 0;
	while (*p == ' ' || *p == '\n' || *p == '\r' || *p == '\t')
		p++;
	return *p == '{' ? 1 : 2;
}

/* One request as phrased; *errbody gets the body of a non-2xx answer. */
static int chat_once(const struct llm_opts *o, const char *url, const char *const *headers,
		     const char *body, const struct llm_callbacks *cb, struct llm_reply *out,
		     char **errbody, struct err *e)
{
	long idle = (o->timeout_s > 0 ? o->timeout_s : LLM_DEFAULT_TIMEOUT_S) * 1000;
	long whole = (o->request_timeout_s > 0 ? o->request_timeout_s : 300) * 1000;
	/* never shorter than the wait for a byte (llm.timeout) */
	if (whole < idle)
		whole = idle;
	struct llm_stream st;
	struct http_resp rs;
	struct err herr = { 0, "" };
	int rc, complete = 0, kind;
	struct http_req rq = {
		.url = url,
		.body = body,
		.headers = headers,
		.timeout_ms = o->stream || whole < idle ? whole : idle,
		.idle_timeout_ms = idle,
		.max_bytes = LLM_MAX_BODY,
		.max_retries = o->max_retries < 0 ? HTTP_NO_RETRY
			       : o->max_retries	  ? o->max_retries
						  : LLM_DEFAULT_RETRIES,
		.backoff_ms = o->backoff_ms > 0 ? o->backoff_ms : LLM_DEFAULT_BACKOFF_MS,
		.retry_after_max_ms = 60000,
		.on_data = o->stream ? on_data : NULL,
		.stream_type = "text/event-stream",
		.arg = &st,
		.cancel = o->cancel,
	};

	*errbody = NULL;
	llm_reply_init(out);
	llm_stream_init(&st, out, cb);
	st.key = o->api_key;
	rc = http_request(&rq, &rs, &herr);
	/* a server may echo the key: gone before any of it is copied */
	rs.len = llm_scrub_mem(rs.body, rs.len, o->api_key);
	llm_scrub(herr.msg, o->api_key);
	out->http_status = (int)rs.status;
	out->attempts = rs.attempts;
	kind = rc == 0 ? collected_kind(o, &st, &rs) : 0;
	if (kind == 2)
		llm_stream_feed(&st, rs.body, rs.len);
	if (o->stream && kind != 1)
		complete = llm_stream_finish(&st);
	out->streamed = o->stream && kind == 0 && st.sse.events > 0;
	if (o->cancel && atomic_load(o->cancel)) {
		out->cancelled = out->interrupted = true;
		rc = err_set(e, ERR_FAIL, "assistant '%s': cancelled", o->assistant);
	} else if (st.failed) {
		out->interrupted = true;
		rc = err_set(e, ERR_FAIL, "assistant '%s': the server reported: %s", o->assistant,
			     st.error);
	} else if (st.unusable) {
		out->interrupted = true;
		rc = err_set(e, ERR_FAIL, "assistant '%s': the answer is unusable: %s",
			     o->assistant, st.error);
	} else if (rc < 0 && complete) {
		rc = 0; /* everything arrived; the connection closed badly after */
	} else if (rc < 0) {
		out->interrupted = st.sse.events > 0;
		err_set(e, ERR_FAIL, "assistant '%s': %s%s%s", o->assistant,
			out->interrupted ? "the connection dropped mid-answer: " : "", herr.msg,
			rq.timeout_ms == whole && strstr(herr.msg, " timed out after ")
				? " (llm.request_timeout)"
				: "");
	} else if (!http_ok(&rs)) {
		*errbody = xstrdup(rs.body ? rs.body : "");
		rc = status_error(o, &rq, &rs, e);
	} else if (kind == 1 || !o->stream) {
		rc = llm_parse_response_cb(rs.body, rs.len, cb, out, e);
		if (rc < 0)
			err_prefix(e, "assistant '%s'", o->assistant);
	} else if (!complete && !st.objects) {
		/* an HTML page, or events whose data is not JSON */
		rc = err_set(e, ERR_FAIL,
			     "assistant '%s': the answer is not JSON (Content-Type: %s)",
			     o->assistant, rs.content_type ? rs.content_type : "none");
	} else if (!complete) {
		out->interrupted = true;
		rc = err_set(e, ERR_FAIL, "assistant '%s': the answer was cut short", o->assistant);
	}
	if (!out->content)
		out->content = xstrdup("");
	if (!out->reasoning)
		out->reasoning = xstrdup("");
	if (rc < 0)
		llm_scrub(e->msg, o->api_key);
	llm_stream_release(&st);
	http_resp_release(&rs);
	return rc;
}

int llm_chat(const struct llm_opts *o, const cJSON *messages, const cJSON *tools,
	     const struct llm_callbacks *cb, struct llm_reply *out, struct err *e)
{
	const char *headers[4];
	char *url, *auth, *body, *errbody;
	const char *model = o->model ? o->model : "";
	struct variant v = { o->stream && o->usage, false };
	bool tried_tokens = false, tried_options = false;
	int rc, attempts = 0;

	llm_reply_init(out);
	if (!(url = endpoint(o, "/chat/completions", e))) {
		out->content = xstrdup("");
		out->reasoning = xstrdup("");
		return -1;
	}
	make_headers(o, o->stream ? "Accept: text/event-stream" : "Accept: application/json",
		     headers, &auth);
	quirk_get(o->base_url, model, &v);
	for (;;) {
		const char *name = tokens_name(o, &v);

		body = build_body(o, messages, tools, &v);
		rc = chat_once(o, url, headers, body, cb, out, &errbody, e);
		free(body);
		attempts += out->attempts;
		out->attempts = attempts;
		if (rc == 0 || !errbody || (out->http_status != 400 && out->http_status != 422))
			break;
		if (o->max_tokens > 0 && !tried_tokens && strstr(errbody, name)) {
			log_info("assistant %s: the server refused %s; trying the other name",
				 o->assistant ? o->assistant : "-", name);
			v.tokens_alt = !v.tokens_alt;
			tried_tokens = true;
		} else if (v.stream_options && !tried_options &&
			   strstr(errbody, "stream_options")) {
			log_info("assistant %s: HTTP %d; trying again without stream_options",
				 o->assistant ? o->assistant : "-", out->http_status);
			v.stream_options = false;
			tried_options = true;
		} else {
			break;
		}
		free(errbody);
		errbody = NULL;
		llm_reply_release(out);
	}
	free(errbody);
	if (rc == 0 && (tried_tokens || tried_options))
		quirk_set(o->base_url, model, tried_options, v.tokens_alt);
	out->dropped_stream_options = tried_options;
	out->renamed_max_tokens = tried_tokens;
	out->attempts = attempts;
	wipe(auth);
	free(url);
	return rc;
}

int llm_models(const struct llm_opts *o, char ***ids, int *status, struct err *e)
{
	const char *headers[4];
	char *url, *auth;
	struct http_resp rs;
	struct err herr = { 0, "" };
	int rc;

	*ids = NULL;
	*status = 0;
	if (!(url = endpoint(o, "/models", e)))
		return -1;
	make_headers(o, "Accept: application/json", headers, &auth);
	{
		struct http_req rq = {
			.url = url,
			.headers = headers,
			.timeout_ms = o->timeout_s > 0 ? o->timeout_s * 1000 : MODELS_TIMEOUT_MS,
			.max_bytes = LLM_MAX_BODY,
			.max_retries = o->max_retries < 0 ? HTTP_NO_RETRY
				       : o->max_retries	  ? o->max_retries
							  : LLM_DEFAULT_RETRIES,
			.backoff_ms = o->backoff_ms > 0 ? o->backoff_ms : LLM_DEFAULT_BACKOFF_MS,
			.cancel = o->cancel,
		};

		rc = http_request(&rq, &rs, &herr);
		rs.len = llm_scrub_mem(rs.body, rs.len, o->api_key);
		llm_scrub(herr.msg, o->api_key);
		*status = (int)rs.status;
		if (rc < 0) {
			err_set(e, ERR_FAIL, "%s", herr.msg);
		} else if (!http_ok(&rs)) {
			rc = status_error(o, &rq, &rs, e); /* names the assistant itself */
			goto out;
		} else if ((rc = llm_parse_models(rs.body, rs.len, ids, e)) < 0) {
			char *host = http_host(url);

			err_prefix(e, "%s", host);
			free(host);
		}
		if (rc < 0 && o->assistant)
			err_prefix(e, "assistant '%s'", o->assistant);
	}
out:
	if (rc < 0)
		llm_scrub(e->msg, o->api_key);
	http_resp_release(&rs);
	wipe(auth);
	free(url);
	return rc;
}
