/*
 * The chat-completions client: request bodies, the streaming assembler on
 * what real servers send, non-streaming answers, Retry-After.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "fake.h"
#include "llm.h"
#include "sbuf.h"
#include "xalloc.h"

static void on_text(void *arg, const char *delta, size_t len)
{
	sbuf_add(arg, "[", 1);
	sbuf_add(arg, delta, len);
	sbuf_add(arg, "]", 1);
}

/* Run a whole SSE body through the assembler in pieces of `step` bytes. */
static int assemble(const char *body, size_t step, struct llm_reply *r, struct sbuf *deltas)
{
	struct llm_callbacks cb = { deltas, on_text, NULL };
	struct llm_stream s;
	size_t n = strlen(body);
	int complete;

	llm_reply_init(r);
	llm_stream_init(&s, r, &cb);
	for (size_t i = 0; i < n; i += step)
		if (llm_stream_feed(&s, body + i, i + step > n ? n - i : step) < 0)
			break;
	complete = llm_stream_finish(&s);
	llm_stream_release(&s);
	return complete;
}

#define CHUNK(delta, finish)                                                                       \
	"data: {\"choices\":[{\"index\":0,\"delta\":" delta ",\"finish_reason\":" finish "}]}\n\n"

START_TEST(test_text_stream)
{
	const char *body = CHUNK("{\"role\":\"assistant\",\"content\":\"\"}", "null")
		CHUNK("{\"content\":\"Hel\"}", "null") CHUNK("{\"content\":\"lo, \"}", "null")
			CHUNK("{\"content\":\"Привет\"}", "null")
				CHUNK("{}", "\"stop\"") "data: [DONE]\n\n";

	for (size_t step = 1; step < 64; step += 7) {
		struct sbuf d = SBUF_INIT;
		struct llm_reply r;

		ck_assert_int_eq(assemble(body, step, &r, &d), 1);
		ck_assert_str_eq(r.content, "Hello, Привет");
		ck_assert_str_eq(d.buf, "[Hel][lo, ][Привет]");
		ck_assert_str_eq(r.finish_reason, "stop");
		ck_assert_uint_eq(r.ncalls, 0);
		llm_reply_release(&r);
		sbuf_release(&d);
	}
}
END_TEST

/* OpenAI: parallel calls by index, arguments in fragments, interleaved. */
START_TEST(test_parallel_fragmented_calls)
{
	const char *body = CHUNK(
		"{\"tool_calls\":[{\"index\":0,\"id\":\"call_a\",\"type\":\"function\","
		"\"function\":{\"name\":\"task_add\",\"arguments\":\"\"}}]}",
		"null")
		CHUNK("{\"tool_calls\":[{\"index\":1,\"id\":\"call_b\",\"type\":\"function\","
		      "\"function\":{\"name\":\"time_now\",\"arguments\":\"{\\\"pla\"}}]}",
		      "null") CHUNK("{\"tool_calls\":[{\"index\":0,\"function\":{\"arguments\":\"{"
				    "\\\"title\"}}]}",
				    "null") CHUNK("{\"tool_calls\":[{\"index\":0,\"function\":{"
						  "\"arguments\":\"\\\":\\\"milk\\\"}\"}}]}",
						  "null")
			CHUNK("{\"tool_calls\":[{\"index\":1,\"function\":{\"arguments\":\"ce\\\":"
			      "\\\"Tokyo\\\"}\"}}]}",
			      "\"tool_calls\"") "data: [DONE]\n\n";
	struct sbuf d = SBUF_INIT;
	struct llm_reply r;
	cJSON *m;
	char *text;

	ck_assert_int_eq(assemble(body, 5, &r, &d), 1);
	ck_assert_str_eq(r.finish_reason, "tool_calls");
	ck_assert_uint_eq(r.ncalls, 2);
	ck_assert_str_eq(r.calls[0].id, "call_a");
	ck_assert_str_eq(r.calls[0].name, "task_add");
	ck_assert_str_eq(r.calls[0].arguments, "{\"title\":\"milk\"}");
	ck_assert_str_eq(r.calls[1].id, "call_b");
	ck_assert_str_eq(r.calls[1].name, "time_now");
	ck_assert_str_eq(r.calls[1].arguments, "{\"place\":\"Tokyo\"}");
	ck_assert_str_eq(r.content, "");
	ck_assert_ptr_null(d.buf);
	/* The assistant message for the next request carries both calls. */
	m = llm_reply_message(&r);
	text = cJSON_PrintUnformatted(m);
	ck_assert_str_eq(
		text,
		"{\"role\":\"assistant\",\"content\":null,\"tool_calls\":["
		"{\"id\":\"call_a\",\"type\":\"function\",\"function\":{\"name\":\"task_add\","
		"\"arguments\":\"{\\\"title\\\":\\\"milk\\\"}\"}},"
		"{\"id\":\"call_b\",\"type\":\"function\",\"function\":{\"name\":\"time_now\","
		"\"arguments\":\"{\\\"place\\\":\\\"Tokyo\\\"}\"}}]}");
	free(text);
	cJSON_Delete(m);
	llm_reply_release(&r);
}
END_TEST

/* llama.cpp: a null id, the whole arguments at once, no finish_reason
 * before [DONE]; an empty arguments string becomes {}. */
START_TEST(test_null_id_whole_args_no_finish)
{
	const char *body = CHUNK("{\"tool_calls\":[{\"index\":0,\"id\":null,\"type\":\"function\","
				 "\"function\":{\"name\":\"calendar_agenda\",\"arguments\":\"{"
				 "\\\"from\\\":\\\"today\\\"}\"}}]}",
				 "null") CHUNK("{\"tool_calls\":[{\"index\":1,\"function\":{"
					       "\"name\":\"task_list\",\"arguments\":\"\"}}]}",
					       "null") "data: [DONE]\n\n";
	struct sbuf d = SBUF_INIT;
	struct llm_reply r;

	ck_assert_int_eq(assemble(body, 1000, &r, &d), 1);
	ck_assert_str_eq(r.finish_reason, "tool_calls");
	ck_assert_uint_eq(r.ncalls, 2);
	ck_assert_str_eq(r.calls[0].name, "calendar_agenda");
	ck_assert_str_eq(r.calls[0].arguments, "{\"from\":\"today\"}");
	ck_assert_msg(!strncmp(r.calls[0].id, "call_", 5) && strlen(r.calls[0].id) > 8, "%s",
		      r.calls[0].id);
	ck_assert_str_ne(r.calls[0].id, r.calls[1].id);
	ck_assert_str_eq(r.calls[1].arguments, "{}");
	llm_reply_release(&r);
}
END_TEST

/* Servers that leave out `index` send each call whole in its own delta;
 * some send the arguments as an object rather than a string. */
START_TEST(test_calls_without_index)
{
	const char *body = CHUNK(
		"{\"tool_calls\":[{\"id\":\"x1\",\"function\":{\"name\":\"task_done\","
		"\"arguments\":{\"id\":3}}}]}",
		"null")
		CHUNK("{\"tool_calls\":[{\"id\":\"x2\",\"function\":{\"name\":\"task_done\","
		      "\"arguments\":\"{\\\"id\\\":4}\"}}]}",
		      "\"tool_calls\"");
	struct sbuf d = SBUF_INIT;
	struct llm_reply r;

	/* No [DONE]: a finish_reason is enough to call the reply complete. */
	ck_assert_int_eq(assemble(body, 16, &r, &d), 1);
	ck_assert_uint_eq(r.ncalls, 2);
	ck_assert_str_eq(r.calls[0].id, "x1");
	ck_assert_str_eq(r.calls[0].arguments, "{\"id\":3}");
	ck_assert_str_eq(r.calls[1].id, "x2");
	ck_assert_str_eq(r.calls[1].arguments, "{\"id\":4}");
	llm_reply_release(&r);
}
END_TEST

/* A tool name with an escape sequence, a newline and a byte that is not
 * UTF-8, arguments with a Cyrillic letter split between two fragments and
 * an escape inside: the name is shown, stored and sent back, so it comes
 * out one line of UTF-8 without controls; the letter stays whole, and the
 * arguments' controls are written as JSON escapes, for the tool to refuse
 * by name rather than act on a title cut unseen. */
START_TEST(test_hostile_call_stream)
{
	const char *body =
		CHUNK("{\"tool_calls\":[{\"index\":0,\"id\":\"c1\",\"function\":{\"name\":"
		      "\"evil\\u001b[2J\\nna\xffme\\u009b1m\",\"arguments\":\"{\\\"title\\\":"
		      "\\\"\xd0\"}}]}",
		      "null") CHUNK("{\"tool_calls\":[{\"index\":0,\"function\":{\"arguments\":"
				    "\"\xbf\\u001b]0;x\\u0007\\\"}\"}}]}",
				    "\"tool_calls\"") "data: [DONE]\n\n";

	for (size_t step = 1; step < 40; step += 6) {
		struct sbuf d = SBUF_INIT;
		struct llm_reply r;

		ck_assert_int_eq(assemble(body, step, &r, &d), 1);
		ck_assert_uint_eq(r.ncalls, 1);
		ck_assert_str_eq(r.calls[0].name, "evil[2J na\xef\xbf\xbdme1m");
		ck_assert_str_eq(r.calls[0].arguments,
				 "{\"title\":\"\xd0\xbf\\u001b]0;x\\u0007\"}");
		llm_reply_release(&r);
	}
}
END_TEST

/* The same in one JSON answer, the arguments an object. */
START_TEST(test_hostile_call_plain)
{
	const char *body =
		"{\"choices\":[{\"message\":{\"role\":\"assistant\",\"content\":null,"
		"\"tool_calls\":[{\"id\":\"c1\",\"function\":{\"name\":\"ta\\tsk\\u001b\xc0\xaf"
		"\",\"arguments\":{\"title\":\"a\xed\xa0\x80z\"}}}]}}]}";
	struct llm_reply r;
	struct err e = { 0, "" };

	llm_reply_init(&r);
	ck_assert_int_eq(llm_parse_response(body, strlen(body), &r, &e), 0);
	ck_assert_uint_eq(r.ncalls, 1);
	ck_assert_str_eq(r.calls[0].name, "ta sk\xef\xbf\xbd\xef\xbf\xbd");
	ck_assert_str_eq(r.calls[0].arguments,
			 "{\"title\":\"a\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbdz\"}");
	llm_reply_release(&r);
}
END_TEST

START_TEST(test_cut_and_error_in_stream)
{
	struct sbuf d = SBUF_INIT;
	struct llm_reply r;
	struct llm_stream s;
	const char *err = "data: {\"error\":{\"message\":\"model overloaded\"}}\n\n";

	ck_assert_int_eq(assemble(CHUNK("{\"content\":\"partial an\"}", "null"), 9, &r, &d), 0);
	ck_assert_str_eq(r.content, "partial an");
	ck_assert_str_eq(r.finish_reason, "");
	llm_reply_release(&r);
	sbuf_release(&d);

	llm_reply_init(&r);
	llm_stream_init(&s, &r, NULL);
	ck_assert_int_eq(llm_stream_feed(&s, err, strlen(err)), -1);
	ck_assert_int_eq(llm_stream_finish(&s), 0);
	ck_assert(s.failed);
	ck_assert_str_eq(s.error, "model overloaded");
	llm_stream_release(&s);
	llm_reply_release(&r);

	/* an event with a raw control character is no JSON: the reply is
	 * unusable, never one with that delta left out */
	ck_assert_int_eq(assemble(CHUNK("{\"content\":\"a\"}", "null") CHUNK(
					  "{\"content\":\"b\tc\"}", "null") CHUNK("{}", "\"stop\""),
				  1000, &r, &d),
			 0);
	ck_assert_str_eq(r.content, "a");
	llm_reply_release(&r);
	sbuf_release(&d);
}
END_TEST

START_TEST(test_non_streaming)
{
	const char *body =
		"{\"id\":\"x\",\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\","
		"\"content\":null,\"tool_calls\":[{\"id\":\"c1\",\"type\":\"function\","
		"\"function\":"
		"{\"name\":\"reminder_add\",\"arguments\":\"{\\\"text\\\":\\\"call mom\\\"}\"}}]},"
		"\"finish_reason\":\"tool_calls\"}],\"usage\":{\"prompt_tokens\":50,\"completion_"
		"tokens\":7}}";
	struct llm_reply r;
	struct err e = { 0, "" };

	llm_reply_init(&r);
	ck_assert_int_eq(llm_parse_response(body, strlen(body), &r, &e), 0);
	ck_assert_str_eq(r.content, "");
	ck_assert_uint_eq(r.ncalls, 1);
	ck_assert_str_eq(r.calls[0].name, "reminder_add");
	ck_assert_str_eq(r.calls[0].arguments, "{\"text\":\"call mom\"}");
	ck_assert_str_eq(r.finish_reason, "tool_calls");
	ck_assert_int_eq(r.usage_prompt, 50);
	ck_assert_int_eq(r.usage_completion, 7);
	llm_reply_release(&r);

	llm_reply_init(&r);
	body = "{\"error\":{\"message\":\"no such model\",\"type\":\"invalid_request_error\"}}";
	ck_assert_int_eq(llm_parse_response(body, strlen(body), &r, &e), -1);
	ck_assert_str_eq(e.msg, "the server reported: no such model");
	ck_assert_int_eq(llm_parse_response("<html>", 6, &r, &e), -1);
	ck_assert_str_eq(e.msg, "the server's answer is not JSON (at byte 0)");
	/* a raw control character in a string is no JSON (RFC 8259) */
	body = "{\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":"
	       "\"a\x1b[2Jb\"},\"finish_reason\":\"stop\"}]}";
	ck_assert_int_eq(llm_parse_response(body, strlen(body), &r, &e), -1);
	ck_assert_str_eq(e.msg, "the server's answer is not JSON (at byte 65)");
	llm_reply_release(&r);
}
END_TEST

START_TEST(test_request_body)
{
	struct llm_opts o = { 0 };
	cJSON *msgs = cJSON_Parse("[{\"role\":\"user\",\"content\":\"hi\"}]");
	cJSON *tools =
		cJSON_Parse("[{\"type\":\"function\",\"function\":{\"name\":\"time_now\"}}]");
	cJSON *none = cJSON_CreateArray();
	char *body;

	o.model = "llama3.2";
	o.stream = true;
	o.has_temperature = true;
	o.temperature = 0.25;
	o.api_key = "sk-never-in-the-body";
	body = llm_request_body(&o, msgs, tools);
	ck_assert_str_eq(body,
			 "{\"model\":\"llama3.2\",\"messages\":[{\"role\":\"user\",\"content\":"
			 "\"hi\"}],\"tools\":[{\"type\":\"function\",\"function\":{\"name\":"
			 "\"time_now\"}}],\"stream\":true,\"temperature\":0.25}");
	free(body);
	o.model = NULL;
	o.stream = false;
	o.has_temperature = false;
	body = llm_request_body(&o, msgs, none);
	ck_assert_str_eq(
		body, "{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"stream\":false}");
	free(body);
	cJSON_Delete(msgs);
	cJSON_Delete(tools);
	cJSON_Delete(none);
}
END_TEST

/* ---- against tests/fake/openai.py ---- */

static struct fake srv;
static struct llm_opts opts;
static char *base_url;

static void srv_setup(void)
{
	ck_assert_int_eq(fake_start("openai.py", &srv), 0);
	base_url = fake_url(&srv, "/v1/");
	memset(&opts, 0, sizeof(opts));
	opts.assistant = "gpt";
	opts.base_url = base_url;
	opts.model = "fake-model";
	opts.stream = true;
	opts.backoff_ms = 10;
}

static void srv_teardown(void)
{
	fake_stop(&srv);
	free(base_url);
}

static void script(const char *json)
{
	char *body = xasprintf("{\"responses\": %s}", json);

	ck_assert_int_eq(fake_post(&srv, "/_script", body, NULL), 200);
	free(body);
}

/* The n-th recorded request: its parsed body, and a header's value. */
static cJSON *sent(int n, const char *header, char **value)
{
	char *out;
	cJSON *doc, *req, *body;
	const cJSON *h;

	ck_assert_int_eq(fake_get(&srv, "/_requests", &out), 200);
	doc = cJSON_Parse(out);
	free(out);
	req = cJSON_GetArrayItem(cJSON_GetObjectItem(doc, "requests"), n);
	ck_assert_ptr_nonnull(req);
	ck_assert_str_eq(cJSON_GetObjectItem(req, "path")->valuestring, "/v1/chat/completions");
	body = cJSON_Parse(cJSON_GetObjectItem(req, "body")->valuestring);
	if (header) {
		h = cJSON_GetObjectItem(cJSON_GetObjectItem(req, "headers"), header);
		*value = cJSON_IsString(h) ? xstrdup(h->valuestring) : NULL;
	}
	cJSON_Delete(doc);
	ck_assert_ptr_nonnull(body);
	return body;
}

static cJSON *user(const char *text)
{
	cJSON *m = cJSON_CreateArray(), *u = cJSON_CreateObject();

	cJSON_AddStringToObject(u, "role", "user");
	cJSON_AddStringToObject(u, "content", text);
	cJSON_AddItemToArray(m, u);
	return m;
}

static int chat(const char *text, struct llm_reply *r, struct sbuf *deltas, struct err *e)
{
	struct llm_callbacks cb = { deltas, on_text, NULL };
	cJSON *m = user(text);
	cJSON *tools = cJSON_Parse("[{\"type\":\"function\",\"function\":{\"name\":\"task_add\","
				   "\"parameters\":{\"type\":\"object\"}}}]");
	int rc = llm_chat(&opts, m, tools, &cb, r, e);

	cJSON_Delete(m);
	cJSON_Delete(tools);
	return rc;
}

START_TEST(test_stream_roundtrip)
{
	struct llm_reply r;
	struct sbuf d = SBUF_INIT;
	struct err e = { 0, "" };
	char *auth;
	cJSON *body;

	opts.api_key = "sk-test-key";
	opts.has_temperature = true;
	opts.temperature = 0.5;
	script("[{\"say\": [\"It is \", \"sunny\", \".\"]}]");
	ck_assert_int_eq(chat("weather?", &r, &d, &e), 0);
	ck_assert_str_eq(r.content, "It is sunny.");
	ck_assert_str_eq(d.buf, "[It is ][sunny][.]");
	ck_assert_str_eq(r.finish_reason, "stop");
	ck_assert(!r.interrupted);
	ck_assert_int_eq(r.attempts, 1);
	body = sent(0, "authorization", &auth);
	ck_assert_str_eq(auth, "Bearer sk-test-key");
	ck_assert_str_eq(cJSON_GetObjectItem(body, "model")->valuestring, "fake-model");
	ck_assert(cJSON_IsTrue(cJSON_GetObjectItem(body, "stream")));
	ck_assert_double_eq(cJSON_GetObjectItem(body, "temperature")->valuedouble, 0.5);
	ck_assert_str_eq(cJSON_GetArrayItem(cJSON_GetObjectItem(body, "messages"), 0)
				 ->child->next->valuestring,
			 "weather?");
	ck_assert_int_eq(cJSON_GetArraySize(cJSON_GetObjectItem(body, "tools")), 1);
	free(auth);
	cJSON_Delete(body);
	llm_reply_release(&r);
	sbuf_release(&d);
}
END_TEST

START_TEST(test_non_stream_and_no_key)
{
	struct llm_reply r;
	struct sbuf d = SBUF_INIT;
	struct err e = { 0, "" };
	char *auth;
	cJSON *body;

	opts.stream = false;
	script("[{\"calls\": [{\"name\": \"task_add\", \"arguments\": {\"title\": \"milk\"}},"
	       " {\"name\": \"time_now\", \"arguments\": {}}]}]");
	ck_assert_int_eq(chat("add milk", &r, &d, &e), 0);
	ck_assert_uint_eq(r.ncalls, 2);
	ck_assert_str_eq(r.calls[0].id, "call_fake_0");
	ck_assert_str_eq(r.calls[0].arguments, "{\"title\": \"milk\"}");
	ck_assert_str_eq(r.calls[1].name, "time_now");
	ck_assert_str_eq(r.finish_reason, "tool_calls");
	body = sent(0, "authorization", &auth);
	ck_assert_ptr_null(auth); /* a local server needs no key: none is sent */
	ck_assert(cJSON_IsFalse(cJSON_GetObjectItem(body, "stream")));
	cJSON_Delete(body);
	llm_reply_release(&r);
}
END_TEST

/* llama.cpp's server: null ids, fragmented arguments, no finish_reason. */
START_TEST(test_imperfect_server)
{
	struct llm_reply r;
	struct sbuf d = SBUF_INIT;
	struct err e = { 0, "" };

	script("[{\"calls\": [{\"name\": \"calendar_agenda\", \"arguments\": {\"from\": \"today\"},"
	       " \"id\": null, \"split\": 4}, {\"name\": \"task_list\", \"arguments\": {},"
	       " \"id\": null}], \"finish\": false}]");
	ck_assert_int_eq(chat("what's up", &r, &d, &e), 0);
	ck_assert_uint_eq(r.ncalls, 2);
	ck_assert_str_eq(r.calls[0].arguments, "{\"from\": \"today\"}");
	ck_assert(!strncmp(r.calls[0].id, "call_", 5));
	ck_assert_str_ne(r.calls[0].id, r.calls[1].id);
	ck_assert_str_eq(r.finish_reason, "tool_calls");
	llm_reply_release(&r);
}
END_TEST

START_TEST(test_stream_cut)
{
	struct llm_reply r;
	struct sbuf d = SBUF_INIT;
	struct err e = { 0, "" };

	/* Chunks: role, "Hello", " wor", then the connection drops. */
	script("[{\"say\": [\"Hello\", \" wor\", \"ld\"], \"cut_after\": 3}]");
	ck_assert_int_eq(chat("hi", &r, &d, &e), -1);
	ck_assert_str_eq(r.content, "Hello wor");
	ck_assert(r.interrupted);
	ck_assert(!r.cancelled);
	ck_assert_msg(strstr(e.msg, "assistant 'gpt': the connection dropped mid-answer") != NULL,
		      "%s", e.msg);
	ck_assert_int_eq(r.attempts, 1); /* a half-streamed answer is never sent twice */
	llm_reply_release(&r);
	sbuf_release(&d);

	/* Closed cleanly but without finish_reason or [DONE]: cut short too. */
	script("[{\"say\": \"Hal\", \"finish\": false, \"done\": false}]");
	ck_assert_int_eq(chat("hi", &r, &d, &e), -1);
	ck_assert_str_eq(r.content, "Hal");
	ck_assert(r.interrupted);
	ck_assert_str_eq(e.msg, "assistant 'gpt': the answer was cut short");
	llm_reply_release(&r);
	sbuf_release(&d);
}
END_TEST

START_TEST(test_retry_after_then_ok)
{
	char want[256];
	struct llm_reply r;
	struct sbuf d = SBUF_INIT;
	struct err e = { 0, "" };

	script("[{\"status\": 429, \"headers\": {\"Retry-After\": \"1\"},"
	       "  \"json\": {\"error\": {\"message\": \"slow down\"}}},"
	       " {\"status\": 503, \"json\": {}}, {\"say\": \"ok\"}]");
	ck_assert_int_eq(chat("hi", &r, &d, &e), 0);
	ck_assert_str_eq(r.content, "ok");
	ck_assert_int_eq(r.attempts, 3);
	ck_assert_int_eq(fake_requests(&srv, "/v1/"), 3);
	llm_reply_release(&r);
	sbuf_release(&d);

	/* Still 429 after every retry: the error says so. */
	opts.max_retries = 1;
	script("[{\"status\": 429, \"headers\": {\"Retry-After\": \"0\"}, \"json\": {}},"
	       " {\"status\": 429, \"headers\": {\"Retry-After\": \"0\"}, \"json\": {}}]");
	ck_assert_int_eq(chat("hi", &r, &d, &e), -1);
	snprintf(want, sizeof(want),
		 "assistant 'gpt': 127.0.0.1:%d is rate limiting (HTTP 429), 2 attempts", srv.port);
	ck_assert_str_eq(e.msg, want);
	llm_reply_release(&r);
}
END_TEST

START_TEST(test_unauthorized)
{
	struct llm_reply r;
	struct sbuf d = SBUF_INIT;
	struct err e = { 0, "" };
	char want[256];

	opts.api_key = "sk-wrong-key-123";
	script("[{\"status\": 401, \"json\": {\"error\": {\"message\": \"Incorrect API key "
	       "provided: sk-wrong-key-123\"}}}]");
	ck_assert_int_eq(chat("hi", &r, &d, &e), -1);
	snprintf(want, sizeof(want),
		 "the API key for assistant 'gpt' was refused (127.0.0.1:%d: HTTP 401)", srv.port);
	ck_assert_str_eq(e.msg, want);
	ck_assert_int_eq(r.attempts, 1);
	llm_reply_release(&r);

	/* A server error that echoes the key never shows it. */
	script("[{\"status\": 400, \"json\": {\"error\": {\"message\": \"bad key "
	       "sk-wrong-key-123\"}}}]");
	ck_assert_int_eq(chat("hi", &r, &d, &e), -1);
	ck_assert_msg(strstr(e.msg, "bad key ***") && !strstr(e.msg, "sk-wrong"), "%s", e.msg);
	llm_reply_release(&r);

	opts.api_key = NULL;
	script("[{\"status\": 401, \"json\": {}}]");
	ck_assert_int_eq(chat("hi", &r, &d, &e), -1);
	ck_assert_msg(strstr(e.msg, "assistant 'gpt' needs an API key") != NULL, "%s", e.msg);
	llm_reply_release(&r);
}
END_TEST

struct canceller {
	atomic_int flag;
	struct sbuf *deltas;
};

static void cancel_on_text(void *arg, const char *delta, size_t len)
{
	struct canceller *c = arg;

	sbuf_add(c->deltas, delta, len);
	atomic_store(&c->flag, 1); /* as Ctrl-C would, once text is on screen */
}

START_TEST(test_cancel_mid_stream)
{
	struct canceller c;
	struct sbuf d = SBUF_INIT;
	struct llm_callbacks cb = { &c, cancel_on_text, NULL };
	struct llm_reply r;
	struct err e = { 0, "" };
	cJSON *m = user("tell me a story");

	atomic_init(&c.flag, 0);
	c.deltas = &d;
	opts.cancel = &c.flag;
	/* The server sends "Once" and then holds the stream open (30 s at most). */
	script("[{\"say\": [\"Once\", \" upon\"], \"hold_after\": 2}]");
	ck_assert_int_eq(llm_chat(&opts, m, NULL, &cb, &r, &e), -1);
	ck_assert(r.cancelled);
	ck_assert(r.interrupted);
	ck_assert_str_eq(r.content, "Once");
	ck_assert_str_eq(e.msg, "assistant 'gpt': cancelled");
	fake_post(&srv, "/_release", "{}", NULL);
	llm_reply_release(&r);
	sbuf_release(&d);
	cJSON_Delete(m);
}
END_TEST

START_TEST(test_error_in_stream_and_refused)
{
	struct llm_reply r;
	struct sbuf d = SBUF_INIT;
	struct err e = { 0, "" };
	char *url;

	script("[{\"stream\": [{\"choices\": [{\"index\": 0, \"delta\": {\"content\": \"Hm\"}}]},"
	       " {\"error\": {\"message\": \"context length exceeded\"}}]}]");
	ck_assert_int_eq(chat("hi", &r, &d, &e), -1);
	ck_assert_str_eq(e.msg, "assistant 'gpt': the server reported: context length exceeded");
	ck_assert_str_eq(r.content, "Hm");
	llm_reply_release(&r);
	sbuf_release(&d);

	url = xasprintf("http://127.0.0.1:%d/v1", fake_closed_port());
	opts.base_url = url;
	opts.max_retries = -1;
	ck_assert_int_eq(chat("hi", &r, &d, &e), -1);
	ck_assert_msg(strstr(e.msg, "assistant 'gpt': cannot reach 127.0.0.1:") != NULL, "%s",
		      e.msg);
	ck_assert(!r.interrupted);
	llm_reply_release(&r);
	free(url);
}
END_TEST

Suite *llm_suite(void)
{
	Suite *s = suite_create("llm");
	TCase *tc = tcase_create("protocol");

	tcase_add_test(tc, test_text_stream);
	tcase_add_test(tc, test_parallel_fragmented_calls);
	tcase_add_test(tc, test_null_id_whole_args_no_finish);
	tcase_add_test(tc, test_calls_without_index);
	tcase_add_test(tc, test_hostile_call_stream);
	tcase_add_test(tc, test_hostile_call_plain);
	tcase_add_test(tc, test_cut_and_error_in_stream);
	tcase_add_test(tc, test_non_streaming);
	tcase_add_test(tc, test_request_body);
	suite_add_tcase(s, tc);
	tc = tcase_create("server");
	tcase_add_checked_fixture(tc, srv_setup, srv_teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_stream_roundtrip);
	tcase_add_test(tc, test_non_stream_and_no_key);
	tcase_add_test(tc, test_imperfect_server);
	tcase_add_test(tc, test_stream_cut);
	tcase_add_test(tc, test_retry_after_then_ok);
	tcase_add_test(tc, test_unauthorized);
	tcase_add_test(tc, test_cancel_mid_stream);
	tcase_add_test(tc, test_error_in_stream_and_refused);
	suite_add_tcase(s, tc);
	return s;
}
