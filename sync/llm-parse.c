/*
 * The answers of chat-completions servers: the streaming assembler, the
 * one-piece JSON answer and the model list, each read as hostile input
 * (limits in llm-impl.h, text cleaned with utf8.h).
 */
#include "llm-impl.h"
#include "jsonnul.h"
#include "llm.h"
#include "utf8.h"
#include "xalloc.h"

#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

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
	free(r->reasoning);
	for (size_t i = 0; i < r->ncalls; i++) {
		free(r->calls[i].id);
		free(r->calls[i].name);
		free(r->calls[i].arguments);
	}
	free(r->calls);
	llm_reply_init(r);
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
			cJSON_AddStringToObject(f, "name",
						r->calls[i].name ? r->calls[i].name : "");
			cJSON_AddStringToObject(f, "arguments",
						r->calls[i].arguments ? r->calls[i].arguments
								      : "{}");
			cJSON_AddItemToArray(calls, c);
		}
	}
	return m;
}

/* ---- the key and error messages ---- */

size_t llm_scrub_mem(char *buf, size_t len, const char *key)
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

void llm_scrub(char *msg, const char *key)
{
	size_t klen = key ? strlen(key) : 0, len = llm_scrub_mem(msg, strlen(msg), key);

	for (size_t n = klen - 1 < len ? klen - 1 : len; klen >= 9 && n >= 8; n--) {
		if (!memcmp(msg + len - n, key, n)) {
			memcpy(msg + len - n, "***", 4);
			break;
		}
	}
}

/* s cleaned for one line of a message: no controls, no line breaks. */
static char *one_line(const char *s)
{
	return utf8_clean_str(s, UTF8_PRINTABLE | UTF8_ONE_LINE);
}

int llm_error_object(const cJSON *root, const char *key, char *buf, size_t len)
{
	const cJSON *err = cJSON_GetObjectItemCaseSensitive(root, "error");
	const cJSON *msg = cJSON_GetObjectItemCaseSensitive(err, "message");
	char *text;

	if (!err || cJSON_IsNull(err) || cJSON_IsFalse(err))
		return 0;
	if (cJSON_IsString(msg))
		text = one_line(msg->valuestring);
	else if (cJSON_IsString(err))
		text = one_line(err->valuestring);
	else
		text = xstrdup("the server reported an error");
	llm_scrub(text, key);
	snprintf(buf, len, "%.*s", (int)utf8_cut(text, strnlen(text, len - 1)), text);
	llm_scrub(buf, key);
	free(text);
	return 1;
}

/* ---- pieces of an answer ---- */

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

/* An id fit to store and send back: a short word of [A-Za-z0-9_.:-]. */
static bool plain_id(const char *s)
{
	size_t n = strlen(s);

	return n >= 1 && n <= LLM_MAX_ID &&
	       strspn(s, "abcdefghijklmnopqrstuvwxyz"
			 "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
			 "0123456789_.:-") == n;
}

static struct llm_tool_call *new_call(struct llm_reply *r)
{
	struct llm_tool_call *c;

	if (r->ncalls >= LLM_MAX_CALLS)
		return NULL;
	r->calls = xrealloc(r->calls, (r->ncalls + 1) * sizeof(*r->calls));
	c = &r->calls[r->ncalls++];
	memset(c, 0, sizeof(*c));
	return c;
}

/* Append to a call's arguments (kept with their length while they grow). */
static int add_args(struct llm_tool_call *c, const char *s, size_t n)
{
	if (c->args_len + n > LLM_MAX_ARGS)
		return -1;
	if (c->args_len + n + 1 > c->args_cap) {
		c->args_cap = (c->args_len + n + 1) * 2;
		c->arguments = xrealloc(c->arguments, c->args_cap);
	}
	memcpy(c->arguments + c->args_len, s, n);
	c->args_len += n;
	c->arguments[c->args_len] = '\0';
	return 0;
}

/* Arguments are a JSON string by the spec; a few servers send the object.
 * As sent: complete_calls() cleans them whole, since a fragment may end
 * inside a character. */
static char *args_text(const cJSON *a)
{
	if (cJSON_IsString(a))
		return xstrdup(a->valuestring);
	if (cJSON_IsObject(a))
		return cJSON_PrintUnformatted(a);
	return NULL;
}

/* Give every call a usable id and arguments, as the next request needs them. */
/* Calls made whole, and their text safe to store, send back and show: a
 * name and arguments that are not UTF-8 repaired (U+FFFD), control
 * characters dropped (controls in a JSON string would not be JSON anyway),
 * a name on one line. */
static void complete_calls(struct llm_reply *r)
{
	for (size_t i = 0; i < r->ncalls; i++) {
		struct llm_tool_call *c = &r->calls[i];
		char *t;

		if (!c->id || !plain_id(c->id)) {
			free(c->id);
			c->id = make_call_id();
		}
		t = one_line(c->name ? c->name : "");
		free(c->name);
		c->name = t;
		if (!c->arguments || !*c->arguments) {
			free(c->arguments);
			c->arguments = xstrdup("{}");
		} else {
			t = utf8_json_controls(c->arguments);
			free(c->arguments);
			c->arguments = t;
		}
		c->args_len = strlen(c->arguments);
		c->args_cap = c->args_len + 1;
	}
}

/* A token count: a whole number from 0 to 10^12, else -1. */
static long long token_count(const cJSON *n)
{
	if (!cJSON_IsNumber(n) || !isfinite(n->valuedouble) || n->valuedouble < 0 ||
	    n->valuedouble > 1e12 || n->valuedouble != floor(n->valuedouble))
		return -1;
	return (long long)n->valuedouble;
}

static void read_usage(const cJSON *root, struct llm_reply *r)
{
	const cJSON *u = cJSON_GetObjectItemCaseSensitive(root, "usage");
	long long p, c;

	if (!cJSON_IsObject(u))
		return;
	p = token_count(cJSON_GetObjectItemCaseSensitive(u, "prompt_tokens"));
	c = token_count(cJSON_GetObjectItemCaseSensitive(u, "completion_tokens"));
	if (p >= 0)
		r->usage_prompt = p;
	if (c >= 0)
		r->usage_completion = c;
}

static void read_model(const cJSON *root, struct llm_reply *r)
{
	const cJSON *m = cJSON_GetObjectItemCaseSensitive(root, "model");
	char *t;

	if (!cJSON_IsString(m) || !*m->valuestring)
		return;
	t = one_line(m->valuestring);
	snprintf(r->model, sizeof(r->model), "%.*s",
		 (int)utf8_cut(t, strnlen(t, sizeof(r->model) - 1)), t);
	free(t);
}

static void set_finish(struct llm_reply *r, const cJSON *choice)
{
	const cJSON *fr = cJSON_GetObjectItemCaseSensitive(choice, "finish_reason");
	size_t n;

	if (!cJSON_IsString(fr) || !*fr->valuestring)
		return;
	n = strlen(fr->valuestring);
	if (n < sizeof(r->finish_reason) &&
	    strspn(fr->valuestring, "abcdefghijklmnopqrstuvwxyz_") == n)
		memcpy(r->finish_reason, fr->valuestring, n + 1);
}

/* The reasoning of a delta or message: reasoning_content, else reasoning
 * (a server may send both with the same text). */
static const cJSON *reasoning_of(const cJSON *m)
{
	const cJSON *r = cJSON_GetObjectItemCaseSensitive(m, "reasoning_content");

	if (cJSON_IsString(r))
		return r;
	r = cJSON_GetObjectItemCaseSensitive(m, "reasoning");
	return cJSON_IsString(r) ? r : NULL;
}

/* Call fn(arg, text, len) for the text of a content value: a string, or an
 * array of parts of which those with "text" count. */
static void each_text(const cJSON *content, void (*fn)(void *, const char *, size_t), void *arg)
{
	const cJSON *part;

	if (cJSON_IsString(content)) {
		fn(arg, content->valuestring, strlen(content->valuestring));
		return;
	}
	if (!cJSON_IsArray(content))
		return;
	cJSON_ArrayForEach(part, content) {
		const cJSON *t = cJSON_GetObjectItemCaseSensitive(part, "text");

		if (cJSON_IsString(t))
			fn(arg, t->valuestring, strlen(t->valuestring));
	}
}

/* ---- the streaming assembler ---- */

static int unusable(struct llm_stream *s, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static int unusable(struct llm_stream *s, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(s->error, sizeof(s->error), fmt, ap);
	va_end(ap);
	s->unusable = true;
	return -1;
}

/* Clean a piece of text into buf, holding back the start of a character
 * the next piece completes; report what was added to fn. */
static void deliver(struct llm_utf8_carry *carry, struct sbuf *buf, const char *p, size_t n,
		    bool last, void (*fn)(void *, const char *, size_t), void *arg)
{
	struct sbuf joined = SBUF_INIT;
	size_t before = buf->len, keep;

	if (carry->len) {
		sbuf_add(&joined, carry->bytes, carry->len);
		sbuf_add(&joined, p, n);
		p = joined.buf;
		n = joined.len;
	}
	keep = last ? 0 : utf8_partial_tail(p, n);
	utf8_clean(buf, p, n - keep, UTF8_PRINTABLE);
	memcpy(carry->bytes, p + n - keep, keep);
	carry->len = keep;
	sbuf_release(&joined);
	if (fn && buf->len > before)
		fn(arg, buf->buf + before, buf->len - before);
}

static void stream_text(void *arg, const char *p, size_t n)
{
	struct llm_stream *s = arg;
	size_t before = s->text.len;

	deliver(&s->text_carry, &s->text, p, n, false, s->cb ? s->cb->text : NULL,
		s->cb ? s->cb->arg : NULL);
	if (s->text.len > before)
		s->deltas++;
}

static void stream_thought(void *arg, const char *p, size_t n)
{
	struct llm_stream *s = arg;

	deliver(&s->thought_carry, &s->thought, p, n, false, s->cb ? s->cb->reasoning : NULL,
		s->cb ? s->cb->arg : NULL);
}

/* The call a tool_calls delta continues, or a new one (NULL: too many,
 * or *bad_index: an index no call may have). */
static struct llm_tool_call *delta_target(struct llm_reply *r, const cJSON *tc, const cJSON *id,
					  const cJSON *name, bool *bad_index)
{
	const cJSON *index = cJSON_GetObjectItemCaseSensitive(tc, "index");
	struct llm_tool_call *last = r->ncalls ? &r->calls[r->ncalls - 1] : NULL;

	*bad_index = false;
	if (cJSON_IsNumber(index)) {
		/* Calls are numbered 0, 1, ... in order; a jump opens the calls between. */
		double i = index->valuedouble;

		*bad_index = !(i >= 0 && i <= 2147483647.0 && i == (double)(long)i);
		if (*bad_index || i >= LLM_MAX_CALLS)
			return NULL;
		while ((size_t)i >= r->ncalls)
			new_call(r);
		return &r->calls[(size_t)i];
	}
	if (!last)
		return new_call(r);
	if (cJSON_IsString(id) && *id->valuestring && last->id && strcmp(last->id, id->valuestring))
		return new_call(r);
	if (cJSON_IsString(name) && last->name && last->args_len)
		return new_call(r);
	return last;
}

static int tool_call_delta(struct llm_stream *s, const cJSON *tc)
{
	struct llm_reply *r = s->reply;
	const cJSON *id = cJSON_GetObjectItemCaseSensitive(tc, "id");
	const cJSON *fn = cJSON_GetObjectItemCaseSensitive(tc, "function");
	const cJSON *name = cJSON_GetObjectItemCaseSensitive(fn, "name");
	struct llm_tool_call *c;
	bool bad_index;
	char *a;
	int rc = 0;

	if (!cJSON_IsObject(tc))
		return 0;
	c = delta_target(r, tc, id, name, &bad_index);
	if (!c && bad_index)
		return unusable(s, "a tool call index out of range (%.17g)",
				cJSON_GetObjectItemCaseSensitive(tc, "index")->valuedouble);
	if (!c)
		return unusable(s, "more than %d tool calls", LLM_MAX_CALLS);
	if (cJSON_IsString(id) && *id->valuestring && !c->id)
		c->id = xstrndup(id->valuestring, LLM_MAX_ID + 1);
	/* The name comes whole in one delta, but some servers repeat it in each. */
	if (cJSON_IsString(name) && *name->valuestring &&
	    (!c->name || strcmp(c->name, name->valuestring))) {
		size_t have = c->name ? strlen(c->name) : 0, n = strlen(name->valuestring);

		if (have + n > LLM_MAX_NAME)
			return unusable(s, "a tool name longer than %d bytes", LLM_MAX_NAME);
		c->name = xrealloc(c->name, have + n + 1);
		memcpy(c->name + have, name->valuestring, n + 1);
	}
	a = args_text(cJSON_GetObjectItemCaseSensitive(fn, "arguments"));
	if (a && add_args(c, a, strlen(a)) < 0)
		rc = unusable(s, "tool arguments over %zu bytes", LLM_MAX_ARGS);
	free(a);
	return rc;
}

static int on_event(void *arg, const char *type, const char *data, size_t len)
{
	struct llm_stream *s = arg;
	const cJSON *choices, *choice, *delta, *calls, *tc;
	cJSON *root;
	char why[JSON_WHY_MAX];
	size_t at;
	int rc = 0;

	(void)type;
	if (len == 6 && !memcmp(data, "[DONE]", 6)) {
		s->done = true;
		return 0;
	}
	root = json_parse_text(data, len, NULL);
	/* a delta read past would be text lost from the reply */
	if (!root && json_bad_byte(data, len, &at, why))
		return unusable(s, "an event not JSON (at byte %zu: %s)", at, why);
	if (!root)
		return 0; /* keep-alive noise: a server's problem, not the reply's */
	s->objects++;
	if (llm_error_object(root, s->key, s->error, sizeof(s->error))) {
		s->failed = true;
		cJSON_Delete(root);
		return -1;
	}
	read_usage(root, s->reply);
	read_model(root, s->reply);
	choices = cJSON_GetObjectItemCaseSensitive(root, "choices");
	choice = cJSON_IsArray(choices) ? cJSON_GetArrayItem(choices, 0) : NULL;
	delta = cJSON_GetObjectItemCaseSensitive(choice, "delta");
	if (!cJSON_IsObject(delta)) /* the whole message in one event */
		delta = cJSON_GetObjectItemCaseSensitive(choice, "message");
	if (cJSON_IsObject(delta)) {
		const cJSON *thought = reasoning_of(delta);

		if (thought)
			stream_thought(s, thought->valuestring, strlen(thought->valuestring));
		each_text(cJSON_GetObjectItemCaseSensitive(delta, "content"), stream_text, s);
		calls = cJSON_GetObjectItemCaseSensitive(delta, "tool_calls");
		for (tc = cJSON_IsArray(calls) ? calls->child : NULL; tc && !rc; tc = tc->next)
			rc = tool_call_delta(s, tc);
	}
	if (cJSON_IsObject(choice))
		set_finish(s->reply, choice);
	cJSON_Delete(root);
	return rc;
}

void llm_stream_init(struct llm_stream *s, struct llm_reply *reply, const struct llm_callbacks *cb)
{
	memset(s, 0, sizeof(*s));
	s->reply = reply;
	s->cb = cb;
	sbuf_init(&s->text);
	sbuf_init(&s->thought);
	sse_init(&s->sse, on_event, s);
	s->sse.max_event = LLM_MAX_EVENT;
}

int llm_stream_feed(struct llm_stream *s, const char *buf, size_t n)
{
	if (s->failed || s->unusable)
		return -1;
	s->bytes += n;
	if (s->bytes > LLM_MAX_BODY)
		return unusable(s, "larger than %zu MiB", LLM_MAX_BODY >> 20);
	if (sse_feed(&s->sse, buf, n)) {
		if (s->sse.too_big)
			unusable(s, "an event over %zu MiB", LLM_MAX_EVENT >> 20);
		return -1;
	}
	return 0;
}

int llm_stream_finish(struct llm_stream *s)
{
	struct llm_reply *r = s->reply;
	int complete;

	if (!s->failed && !s->unusable)
		sse_finish(&s->sse);
	deliver(&s->text_carry, &s->text, "", 0, true, s->cb ? s->cb->text : NULL,
		s->cb ? s->cb->arg : NULL);
	deliver(&s->thought_carry, &s->thought, "", 0, true, s->cb ? s->cb->reasoning : NULL,
		s->cb ? s->cb->arg : NULL);
	free(r->content);
	r->content = sbuf_detach(&s->text);
	free(r->reasoning);
	r->reasoning = sbuf_detach(&s->thought);
	complete = !s->failed && !s->unusable && (s->done || r->finish_reason[0]);
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
	sbuf_release(&s->thought);
}

/* ---- one JSON answer ---- */

static void add_text(void *arg, const char *p, size_t n)
{
	utf8_clean(arg, p, n, UTF8_PRINTABLE);
}

/* One tool call of a message into a new call of out. */
static int message_call(const cJSON *tc, struct llm_reply *out, struct err *e)
{
	const cJSON *id = cJSON_GetObjectItemCaseSensitive(tc, "id");
	const cJSON *fn = cJSON_GetObjectItemCaseSensitive(tc, "function");
	const cJSON *name = cJSON_GetObjectItemCaseSensitive(fn, "name");
	struct llm_tool_call *c;

	if (!cJSON_IsObject(tc))
		return 0;
	if (cJSON_IsString(name) && strlen(name->valuestring) > LLM_MAX_NAME)
		return err_set(e, ERR_FAIL,
			       "the answer is unusable: a tool name longer than %d bytes",
			       LLM_MAX_NAME);
	if (!(c = new_call(out)))
		return err_set(e, ERR_FAIL, "the answer is unusable: more than %d tool calls",
			       LLM_MAX_CALLS);
	c->id = cJSON_IsString(id) && *id->valuestring ? xstrndup(id->valuestring, LLM_MAX_ID + 1)
						       : NULL;
	c->name = xstrdup(cJSON_IsString(name) ? name->valuestring : "");
	c->arguments = args_text(cJSON_GetObjectItemCaseSensitive(fn, "arguments"));
	if (c->arguments && strlen(c->arguments) > LLM_MAX_ARGS)
		return err_set(e, ERR_FAIL, "the answer is unusable: tool arguments over %zu bytes",
			       LLM_MAX_ARGS);
	return 0;
}

int llm_parse_response_cb(const char *body, size_t len, const struct llm_callbacks *cb,
			  struct llm_reply *out, struct err *e)
{
	size_t at;
	cJSON *root = json_parse_text(body, len, &at);
	const cJSON *choices, *choice, *msg, *content, *calls, *tc, *thought;
	struct sbuf text = SBUF_INIT;
	char emsg[256];
	int rc = 0;

	if (!root)
		return err_set(e, ERR_FAIL, "the server's answer is not JSON (at byte %zu)", at);
	/* llm_chat scrubbed the key from body already */
	if (llm_error_object(root, NULL, emsg, sizeof(emsg))) {
		cJSON_Delete(root);
		return err_set(e, ERR_FAIL, "the server reported: %s", emsg);
	}
	choices = cJSON_GetObjectItemCaseSensitive(root, "choices");
	choice = cJSON_IsArray(choices) ? cJSON_GetArrayItem(choices, 0) : NULL;
	msg = cJSON_GetObjectItemCaseSensitive(choice, "message");
	if (!cJSON_IsObject(msg)) {
		cJSON_Delete(root);
		return err_set(e, ERR_FAIL, "the server's answer has no choices[0].message");
	}
	content = cJSON_GetObjectItemCaseSensitive(msg, "content");
	calls = cJSON_GetObjectItemCaseSensitive(msg, "tool_calls");
	if (content && !cJSON_IsNull(content) && !cJSON_IsString(content) &&
	    !cJSON_IsArray(content)) {
		cJSON_Delete(root);
		return err_set(e, ERR_FAIL,
			       "the answer is unusable: its message content is neither text nor "
			       "a list of parts");
	}
	if (calls && !cJSON_IsNull(calls) && !cJSON_IsArray(calls)) {
		cJSON_Delete(root);
		return err_set(e, ERR_FAIL,
			       "the answer is unusable: its message tool_calls is not a list");
	}
	each_text(content, add_text, &text);
	free(out->content);
	out->content = sbuf_detach(&text);
	thought = reasoning_of(msg);
	free(out->reasoning);
	out->reasoning = utf8_clean_str(thought ? thought->valuestring : "", UTF8_PRINTABLE);
	for (tc = cJSON_IsArray(calls) ? calls->child : NULL; tc && !rc; tc = tc->next)
		rc = message_call(tc, out, e);
	set_finish(out, choice);
	if (!out->finish_reason[0])
		snprintf(out->finish_reason, sizeof(out->finish_reason), "%s",
			 out->ncalls ? "tool_calls" : "stop");
	read_usage(root, out);
	read_model(root, out);
	complete_calls(out);
	cJSON_Delete(root);
	if (rc < 0)
		return -1;
	if (cb && cb->reasoning && *out->reasoning)
		cb->reasoning(cb->arg, out->reasoning, strlen(out->reasoning));
	if (cb && cb->text && *out->content)
		cb->text(cb->arg, out->content, strlen(out->content));
	return 0;
}

int llm_parse_response(const char *body, size_t len, struct llm_reply *out, struct err *e)
{
	return llm_parse_response_cb(body, len, NULL, out, e);
}

/* ---- the model list ---- */

void llm_models_free(char **ids)
{
	for (char **p = ids; p && *p; p++)
		free(*p);
	free(ids);
}

int llm_parse_models(const char *body, size_t len, char ***ids, struct err *e)
{
	size_t at, n = 0;
	cJSON *root = json_parse_text(body, len, &at);
	const cJSON *data, *m;
	char emsg[256], **out;

	*ids = NULL;
	if (!root)
		return err_set(e, ERR_FAIL, "the server's model list is not JSON (at byte %zu)",
			       at);
	if (llm_error_object(root, NULL, emsg, sizeof(emsg))) {
		cJSON_Delete(root);
		return err_set(e, ERR_FAIL, "the server reported: %s", emsg);
	}
	data = cJSON_GetObjectItemCaseSensitive(root, "data");
	if (!cJSON_IsArray(data)) {
		cJSON_Delete(root);
		return err_set(e, ERR_FAIL, "the server's model list has no \"data\" array");
	}
	if (cJSON_GetArraySize(data) > LLM_MAX_MODELS) {
		cJSON_Delete(root);
		return err_set(e, ERR_FAIL, "the server's model list has over %d models",
			       LLM_MAX_MODELS);
	}
	out = xcalloc((size_t)cJSON_GetArraySize(data) + 1, sizeof(*out));
	cJSON_ArrayForEach(m, data) {
		const cJSON *id = cJSON_GetObjectItemCaseSensitive(m, "id");
		char *t;

		if (!cJSON_IsString(id) || !*id->valuestring) {
			llm_models_free(out);
			cJSON_Delete(root);
			return err_set(e, ERR_FAIL,
				       "the server's model list has an entry without an id (#%zu)",
				       n + 1);
		}
		t = one_line(id->valuestring);
		t[utf8_cut(t, strnlen(t, 256))] = '\0';
		out[n++] = t;
	}
	cJSON_Delete(root);
	*ids = out;
	return 0;
}
