/*
 * The chat-completions client against servers as people run them:
 * reasoning kept apart, token usage, a JSON answer to a streamed request,
 * refused parameters retried and remembered, the model list, and whatever
 * a hostile server sends (sizes, types, bytes that are not UTF-8).
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fake.h"
#include "llm.h"
#include "xalloc.h"

struct seen {
	struct sbuf text, thought;
};

static void seen_text(void *arg, const char *delta, size_t len)
{
	struct seen *s = arg;

	sbuf_add(&s->text, "[", 1);
	sbuf_add(&s->text, delta, len);
	sbuf_add(&s->text, "]", 1);
}

static void seen_thought(void *arg, const char *delta, size_t len)
{
	struct seen *s = arg;

	sbuf_add(&s->thought, delta, len);
}

static void seen_release(struct seen *s)
{
	sbuf_release(&s->text);
	sbuf_release(&s->thought);
}

/* Feed body to the assembler in pieces of step bytes; returns the
 * assembler's verdict (1 complete, 0 cut short, -1 refused); s->error
 * is copied to err. */
static int feed(const char *body, size_t n, size_t step, struct llm_reply *r, struct seen *sn,
		char err[256])
{
	struct llm_callbacks cb = { sn, seen_text, seen_thought };
	struct llm_stream s;
	int rc = 0;

	llm_reply_init(r);
	llm_stream_init(&s, r, &cb);
	for (size_t i = 0; i < n && rc == 0; i += step)
		rc = llm_stream_feed(&s, body + i, i + step > n ? n - i : step);
	if (llm_stream_finish(&s) == 1 && rc == 0)
		rc = 1;
	snprintf(err, 256, "%s", s.error);
	llm_stream_release(&s);
	return rc;
}

#define EV(json) "data: " json "\n\n"

START_TEST(test_reasoning_apart)
{
	/* vLLM / DeepSeek: reasoning_content; OpenRouter: reasoning; a server
	 * that sends both with the same text counts it once. */
	const char *body = EV("{\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\","
			      "\"reasoning_content\":\"The user greets. \"}}]}")
		EV("{\"choices\":[{\"index\":0,\"delta\":{\"reasoning\":\"Answer briefly.\"}}]}")
			EV("{\"choices\":[{\"index\":0,\"delta\":{\"reasoning_content\":\" Done.\","
			   "\"reasoning\":\" Done.\"}}]}")
				EV("{\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Hello!\"}}]"
				   "}") EV("{\"choices\":[{\"index\":0,\"delta\":{},\"finish_"
					   "reason\":\"stop\"}]}") "data: [DONE]\n\n";
	struct seen sn = { SBUF_INIT, SBUF_INIT };
	struct llm_reply r;
	char err[256], *msg;
	cJSON *m;

	ck_assert_int_eq(feed(body, strlen(body), 7, &r, &sn, err), 1);
	ck_assert_str_eq(r.content, "Hello!");
	ck_assert_str_eq(r.reasoning, "The user greets. Answer briefly. Done.");
	ck_assert_str_eq(sn.text.buf, "[Hello!]");
	ck_assert_str_eq(sn.thought.buf, "The user greets. Answer briefly. Done.");
	/* what goes back to the model holds the reply only */
	m = llm_reply_message(&r);
	msg = cJSON_PrintUnformatted(m);
	ck_assert_str_eq(msg, "{\"role\":\"assistant\",\"content\":\"Hello!\"}");
	free(msg);
	cJSON_Delete(m);
	llm_reply_release(&r);
	seen_release(&sn);
}
END_TEST

START_TEST(test_usage_chunk)
{
	/* OpenAI with stream_options.include_usage: a last chunk without choices. */
	const char *body = EV("{\"model\":\"gpt-x\",\"choices\":[{\"index\":0,\"delta\":"
			      "{\"content\":\"ok\"},\"finish_reason\":\"stop\"}]}")
		EV("{\"choices\":[],\"usage\":{\"prompt_tokens\":31,\"completion_tokens\":2,"
		   "\"total_tokens\":33}}") "data: [DONE]\n\n";
	const char *bad[] = {
		"{\"prompt_tokens\":-3,\"completion_tokens\":2.5}",
		"{\"prompt_tokens\":\"12\",\"completion_tokens\":1e13}",
		"[12, 3]",
	};
	struct seen sn = { SBUF_INIT, SBUF_INIT };
	struct llm_reply r;
	char err[256];

	ck_assert_int_eq(feed(body, strlen(body), 11, &r, &sn, err), 1);
	ck_assert_int_eq(r.usage_prompt, 31);
	ck_assert_int_eq(r.usage_completion, 2);
	ck_assert_str_eq(r.model, "gpt-x");
	ck_assert_str_eq(r.finish_reason, "stop");
	llm_reply_release(&r);
	/* counts that are not whole numbers from 0 are not counts */
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char *b = xasprintf(EV("{\"choices\":[{\"delta\":{\"content\":\"x\"},"
				       "\"finish_reason\":\"stop\"}],\"usage\":%s}"),
				    bad[i]);

		ck_assert_int_eq(feed(b, strlen(b), 64, &r, &sn, err), 1);
		ck_assert_msg(r.usage_prompt == -1 && r.usage_completion == -1, "%s: %lld %lld",
			      bad[i], r.usage_prompt, r.usage_completion);
		llm_reply_release(&r);
		free(b);
	}
	seen_release(&sn);
}
END_TEST

/* Content as an array of parts; a whole message in one event (a server
 * that streams one chunk holding "message"). */
START_TEST(test_parts_and_whole_message)
{
	const char *body = EV(
		"{\"choices\":[{\"index\":0,\"delta\":{\"content\":[{\"type\":"
		"\"text\",\"text\":\"Two \"},{\"type\":\"image_url\"},{\"type\":\"text\","
		"\"text\":\"parts.\"}]}}]}")
		EV("{\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":"
		   "null,"
		   "\"tool_calls\":[{\"id\":\"c9\",\"type\":\"function\",\"function\":{\"name\":"
		   "\"task_list\",\"arguments\":\"{}\"}}]},\"finish_reason\":\"tool_calls\"}]}");
	struct seen sn = { SBUF_INIT, SBUF_INIT };
	struct llm_reply r;
	char err[256];

	ck_assert_int_eq(feed(body, strlen(body), 1000, &r, &sn, err), 1);
	ck_assert_str_eq(r.content, "Two parts.");
	ck_assert_uint_eq(r.ncalls, 1);
	ck_assert_str_eq(r.calls[0].id, "c9");
	ck_assert_str_eq(r.calls[0].name, "task_list");
	llm_reply_release(&r);
	seen_release(&sn);
}
END_TEST

/* Bytes that are not UTF-8 become U+FFFD, escape sequences and other
 * controls go, a character split between two deltas arrives whole. */
START_TEST(test_hostile_text)
{
	const char *body = EV(
		"{\"choices\":[{\"delta\":{\"content\":\"A\xff"
		"B\\u001b[31mred\"}}]}") EV("{\"choices\":[{\"delta\":{\"content\":\"\xc2\x9b"
					    "2J tab\\tline\\nok \xd0\"}}]}")
		EV("{\"choices\":[{\"delta\":{\"content\":\"\x9f\xd1\x80\xe2\x82\"}}]}")
			EV("{\"choices\":[{\"delta\":{\"reasoning_content\":\"\\r\\u0007think\"},"
			   "\"finish_reason\":\"stop\"}]}");
	struct seen sn = { SBUF_INIT, SBUF_INIT };
	struct llm_reply r;
	char err[256];

	ck_assert_int_eq(feed(body, strlen(body), 5, &r, &sn, err), 1);
	/* the \xe2\x82 left at the end never got its last byte */
	ck_assert_str_eq(r.content, "A\xef\xbf\xbd"
				    "B[31mred2J tab\tline\nok Пр\xef\xbf\xbd");
	ck_assert_str_eq(sn.text.buf, "[A\xef\xbf\xbd"
				      "B[31mred][2J tab\tline\nok ][Пр][\xef\xbf\xbd]");
	ck_assert_str_eq(r.reasoning, "think");
	llm_reply_release(&r);
	seen_release(&sn);
}
END_TEST

START_TEST(test_hostile_sizes)
{
	struct seen sn = { SBUF_INIT, SBUF_INIT };
	struct sbuf b = SBUF_INIT;
	struct llm_reply r;
	char err[256];

	/* 65 tool calls */
	for (int i = 0; i <= 64; i++)
		sbuf_addf(&b,
			  EV("{\"choices\":[{\"delta\":{\"tool_calls\":[{\"index\":%d,\"id\":"
			     "\"c%d\",\"function\":{\"name\":\"task_list\",\"arguments\":\"{}\"}}]}"
			     "}]}"),
			  i, i);
	ck_assert_int_eq(feed(b.buf, b.len, 4096, &r, &sn, err), -1);
	ck_assert_str_eq(err, "more than 64 tool calls");
	llm_reply_release(&r);
	sbuf_release(&b);

	/* a name no tool has, 65 bytes long, in two pieces */
	sbuf_addf(&b,
		  EV("{\"choices\":[{\"delta\":{\"tool_calls\":[{\"index\":0,\"function\":"
		     "{\"name\":\"%040d\"}}]}}]}"),
		  0);
	sbuf_addf(&b,
		  EV("{\"choices\":[{\"delta\":{\"tool_calls\":[{\"index\":0,\"function\":"
		     "{\"name\":\"%025d\"}}]}}]}"),
		  1);
	ck_assert_int_eq(feed(b.buf, b.len, 4096, &r, &sn, err), -1);
	ck_assert_str_eq(err, "a tool name longer than 64 bytes");
	llm_reply_release(&r);
	sbuf_release(&b);

	/* one line of 1 MiB and more that never ends */
	sbuf_adds(&b, "data: {\"choices\":[{\"delta\":{\"content\":\"");
	for (int i = 0; i < 1100; i++)
		sbuf_addf(&b, "%01024d", 0);
	ck_assert_int_eq(feed(b.buf, b.len, 16384, &r, &sn, err), -1);
	ck_assert_str_eq(err, "an event over 1 MiB");
	ck_assert_str_eq(r.content, "");
	llm_reply_release(&r);
	sbuf_release(&b);

	/* ids that are not short plain words are replaced; an odd finish
	 * reason is not taken */
	sbuf_addf(&b,
		  EV("{\"choices\":[{\"delta\":{\"tool_calls\":[{\"index\":0,\"id\":\"a b\","
		     "\"function\":{\"name\":\"task_list\",\"arguments\":\"{}\"}},{\"index\":1,"
		     "\"id\":\"%0200d\",\"function\":{\"name\":\"time_now\"}}]},"
		     "\"finish_reason\":\"\\u001b[2J\"}]}") "data: [DONE]\n\n",
		  7);
	ck_assert_int_eq(feed(b.buf, b.len, 4096, &r, &sn, err), 1);
	ck_assert_uint_eq(r.ncalls, 2);
	ck_assert_msg(!strncmp(r.calls[0].id, "call_", 5), "%s", r.calls[0].id);
	ck_assert_msg(!strncmp(r.calls[1].id, "call_", 5) && strlen(r.calls[1].id) < 30, "%s",
		      r.calls[1].id);
	ck_assert_str_eq(r.finish_reason, "tool_calls");
	llm_reply_release(&r);
	sbuf_release(&b);
	seen_release(&sn);
}
END_TEST

START_TEST(test_plain_answer_parts)
{
	const char *body = "{\"choices\":{\"0\":{\"message\":{\"content\":\"x\"}}}}";
	struct llm_reply r;
	struct err e = { 0, "" };
	struct sbuf b = SBUF_INIT;

	/* choices must be an array */
	llm_reply_init(&r);
	ck_assert_int_eq(llm_parse_response(body, strlen(body), &r, &e), -1);
	ck_assert_str_eq(e.msg, "the server's answer has no choices[0].message");
	llm_reply_release(&r);

	body = "{\"model\":\"deepseek-r1\",\"choices\":[{\"message\":{\"role\":\"assistant\","
	       "\"reasoning_content\":\"Think \\u001b[1mhard\",\"content\":[{\"type\":\"text\","
	       "\"text\":\"Forty-two.\"}]},\"finish_reason\":\"stop\"}],"
	       "\"usage\":{\"prompt_tokens\":\"many\",\"completion_tokens\":9}}";
	llm_reply_init(&r);
	ck_assert_int_eq(llm_parse_response(body, strlen(body), &r, &e), 0);
	ck_assert_str_eq(r.content, "Forty-two.");
	ck_assert_str_eq(r.reasoning, "Think [1mhard");
	ck_assert_int_eq(r.usage_prompt, -1);
	ck_assert_int_eq(r.usage_completion, 9);
	ck_assert_str_eq(r.model, "deepseek-r1");
	llm_reply_release(&r);

	sbuf_adds(&b, "{\"choices\":[{\"message\":{\"tool_calls\":[");
	for (int i = 0; i <= 64; i++)
		sbuf_addf(&b, "%s{\"id\":\"c%d\",\"function\":{\"name\":\"task_list\"}}",
			  i ? "," : "", i);
	sbuf_adds(&b, "]}}]}");
	llm_reply_init(&r);
	ck_assert_int_eq(llm_parse_response(b.buf, b.len, &r, &e), -1);
	ck_assert_str_eq(e.msg, "the answer is unusable: more than 64 tool calls");
	llm_reply_release(&r);
	sbuf_release(&b);
}
END_TEST

START_TEST(test_models_parse)
{
	const char *ollama =
		"{\"object\":\"list\",\"data\":[{\"id\":\"llama3.1:latest\",\"object\":"
		"\"model\",\"created\":1,\"owned_by\":\"library\"},{\"id\":\"qwen3:8b\"}]}";
	const char *body;
	char **ids;
	struct err e = { 0, "" };

	ck_assert_int_eq(llm_parse_models(ollama, strlen(ollama), &ids, &e), 0);
	ck_assert_str_eq(ids[0], "llama3.1:latest");
	ck_assert_str_eq(ids[1], "qwen3:8b");
	ck_assert_ptr_null(ids[2]);
	llm_models_free(ids);

	body = "{\"data\":[{\"id\":\"a\\u001b]0;x\\u0007\"}]}";
	ck_assert_int_eq(llm_parse_models(body, strlen(body), &ids, &e), 0);
	ck_assert_str_eq(ids[0], "a]0;x");
	llm_models_free(ids);

	body = "{\"models\":[]}";
	ck_assert_int_eq(llm_parse_models(body, strlen(body), &ids, &e), -1);
	ck_assert_str_eq(e.msg, "the server's model list has no \"data\" array");
	body = "{\"data\":[{\"id\":\"a\"},{\"id\":7}]}";
	ck_assert_int_eq(llm_parse_models(body, strlen(body), &ids, &e), -1);
	ck_assert_str_eq(e.msg, "the server's model list has an entry without an id (#2)");
	ck_assert_ptr_null(ids);
	ck_assert_int_eq(llm_parse_models("<html>", 6, &ids, &e), -1);
	ck_assert_str_eq(e.msg, "the server's model list is not JSON (at byte 0)");
	/* a raw control character in a string is no JSON (RFC 8259) */
	body = "{\"data\":[{\"id\":\"a\tb\"}]}";
	ck_assert_int_eq(llm_parse_models(body, strlen(body), &ids, &e), -1);
	ck_assert_str_eq(e.msg, "the server's model list is not JSON (at byte 17)");
	ck_assert_ptr_null(ids);
}
END_TEST

START_TEST(test_token_limit_name)
{
	struct llm_opts o = { .base_url = "https://api.openai.com/v1",
			      .model = "o3",
			      .max_tokens = 100 };
	cJSON *msgs = cJSON_Parse("[{\"role\":\"user\",\"content\":\"hi\"}]");
	char *body = llm_request_body(&o, msgs, NULL);

	/* OpenAI's newer models refuse max_tokens; everyone else knows it */
	ck_assert_str_eq(body,
			 "{\"model\":\"o3\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],"
			 "\"stream\":false,\"max_completion_tokens\":100}");
	free(body);
	o.base_url = "http://127.0.0.1:11434/v1";
	o.stream = o.usage = true;
	body = llm_request_body(&o, msgs, NULL);
	ck_assert_str_eq(body,
			 "{\"model\":\"o3\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],"
			 "\"stream\":true,\"stream_options\":{\"include_usage\":true},"
			 "\"max_tokens\":100}");
	free(body);
	cJSON_Delete(msgs);
}
END_TEST

/* ---- against tests/fake/openai.py ---- */

static struct fake srv;
static struct llm_opts opts;
static char *base_url;

static void srv_setup(void)
{
	ck_assert_int_eq(fake_start("openai.py", &srv), 0);
	base_url = fake_url(&srv, "/v1");
	memset(&opts, 0, sizeof(opts));
	opts.assistant = "local";
	opts.base_url = base_url;
	opts.model = "fake-model";
	opts.stream = true;
	opts.usage = true;
	opts.backoff_ms = 10;
	llm_forget_servers();
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

static int ask(struct llm_reply *r, struct seen *sn, struct err *e)
{
	struct llm_callbacks cb = { sn, seen_text, seen_thought };
	cJSON *m = cJSON_Parse("[{\"role\":\"user\",\"content\":\"add milk\"}]");
	cJSON *tools = cJSON_Parse("[{\"type\":\"function\",\"function\":{\"name\":\"task_add\","
				   "\"parameters\":{\"type\":\"object\"}}}]");
	int rc = llm_chat(&opts, m, tools, &cb, r, e);

	cJSON_Delete(m);
	cJSON_Delete(tools);
	return rc;
}

/* The n-th chat request's body; the path must be the API's. */
static cJSON *sent(int n)
{
	char *path;
	cJSON *b = fake_request_json(&srv, "/", n, &path);

	ck_assert_ptr_nonnull(b);
	ck_assert_str_eq(path, "/v1/chat/completions");
	free(path);
	return b;
}

/* A server that ignores "stream": true answers one JSON body: the same
 * turn, its tool call and text included. */
START_TEST(test_json_answer_to_stream)
{
	struct seen sn = { SBUF_INIT, SBUF_INIT };
	struct llm_reply r;
	struct err e = { 0, "" };
	cJSON *b;

	script("[{\"plain\": true, \"say\": \"Adding it.\", \"reasoning\": \"A task.\","
	       " \"calls\": [{\"name\": \"task_add\", \"arguments\": {\"title\": \"milk\"}}],"
	       " \"usage\": {\"prompt_tokens\": 40, \"completion_tokens\": 12}}]");
	ck_assert_int_eq(ask(&r, &sn, &e), 0);
	ck_assert(!r.streamed);
	ck_assert(!r.interrupted);
	ck_assert_uint_eq(r.ncalls, 1);
	ck_assert_str_eq(r.calls[0].name, "task_add");
	ck_assert_str_eq(r.calls[0].arguments, "{\"title\": \"milk\"}");
	ck_assert_str_eq(r.finish_reason, "tool_calls");
	ck_assert_str_eq(r.content, "Adding it.");
	ck_assert_str_eq(sn.text.buf, "[Adding it.]");
	ck_assert_str_eq(r.reasoning, "A task.");
	ck_assert_str_eq(sn.thought.buf, "A task.");
	ck_assert_int_eq(r.usage_prompt, 40);
	ck_assert_int_eq(r.usage_completion, 12);
	b = sent(0);
	ck_assert(cJSON_IsTrue(cJSON_GetObjectItem(b, "stream")));
	cJSON_Delete(b);
	llm_reply_release(&r);
	seen_release(&sn);

	/* events labelled as something else are still events */
	script("[{\"say\": [\"Str\", \"eamed.\"], \"content_type\": \"text/plain\"}]");
	ck_assert_int_eq(ask(&r, &sn, &e), 0);
	ck_assert_str_eq(r.content, "Streamed.");
	llm_reply_release(&r);
	seen_release(&sn);
}
END_TEST

START_TEST(test_usage_when_streaming)
{
	struct seen sn = { SBUF_INIT, SBUF_INIT };
	struct llm_reply r;
	struct err e = { 0, "" };
	cJSON *b;

	script("[{\"say\": \"Hi.\", \"usage\": {\"prompt_tokens\": 120, \"completion_tokens\": 3}},"
	       " {\"say\": \"Hi again.\"}]");
	ck_assert_int_eq(ask(&r, &sn, &e), 0);
	ck_assert(r.streamed);
	ck_assert_int_eq(r.usage_prompt, 120);
	ck_assert_int_eq(r.usage_completion, 3);
	b = sent(0);
	ck_assert(cJSON_IsTrue(
		cJSON_GetObjectItem(cJSON_GetObjectItem(b, "stream_options"), "include_usage")));
	cJSON_Delete(b);
	llm_reply_release(&r);
	/* not asked, not sent */
	opts.usage = false;
	ck_assert_int_eq(ask(&r, &sn, &e), 0);
	ck_assert_int_eq(r.usage_prompt, -1);
	b = sent(1);
	ck_assert_ptr_null(cJSON_GetObjectItem(b, "stream_options"));
	cJSON_Delete(b);
	llm_reply_release(&r);
	seen_release(&sn);
}
END_TEST

/* A server that refuses stream_options: once without, then never again. */
START_TEST(test_stream_options_refused)
{
	struct seen sn = { SBUF_INIT, SBUF_INIT };
	struct llm_reply r;
	struct err e = { 0, "" };
	cJSON *b;

	ck_assert_int_eq(fake_control(&srv, "{\"reject\": [\"stream_options\"]}"), 0);
	script("[{\"say\": \"One.\"}, {\"say\": \"Two.\"}]");
	ck_assert_int_eq(ask(&r, &sn, &e), 0);
	ck_assert_str_eq(r.content, "One.");
	ck_assert(r.dropped_stream_options);
	ck_assert_int_eq(r.attempts, 2);
	ck_assert_int_eq(r.usage_prompt, -1);
	llm_reply_release(&r);
	ck_assert_int_eq(ask(&r, &sn, &e), 0);
	ck_assert_str_eq(r.content, "Two.");
	ck_assert_int_eq(r.attempts, 1);
	ck_assert_int_eq(fake_requests(&srv, "/v1/"), 3);
	b = sent(0);
	ck_assert_ptr_nonnull(cJSON_GetObjectItem(b, "stream_options"));
	cJSON_Delete(b);
	for (int i = 1; i < 3; i++) {
		b = sent(i);
		ck_assert_ptr_null(cJSON_GetObjectItem(b, "stream_options"));
		cJSON_Delete(b);
	}
	llm_reply_release(&r);

	/* a 400 about something else is not retried */
	ck_assert_int_eq(fake_control(&srv, "{\"reset\": true}"), 0);
	llm_forget_servers();
	script("[{\"status\": 400, \"json\": {\"error\": {\"message\": \"context too long\"}}}]");
	ck_assert_int_eq(ask(&r, &sn, &e), -1);
	ck_assert_msg(strstr(e.msg, "HTTP 400: context too long") != NULL, "%s", e.msg);
	ck_assert_int_eq(fake_requests(&srv, "/v1/"), 1);
	llm_reply_release(&r);
	seen_release(&sn);
}
END_TEST

/* max_tokens refused by name: the other name, and that one from then on. */
START_TEST(test_token_limit_refused)
{
	struct seen sn = { SBUF_INIT, SBUF_INIT };
	struct llm_reply r;
	struct err e = { 0, "" };
	cJSON *b;

	opts.max_tokens = 256;
	ck_assert_int_eq(fake_control(&srv, "{\"reject\": [\"max_tokens\"]}"), 0);
	script("[{\"say\": \"Short.\"}, {\"say\": \"Shorter.\"}]");
	ck_assert_int_eq(ask(&r, &sn, &e), 0);
	ck_assert_str_eq(r.content, "Short.");
	ck_assert(r.renamed_max_tokens);
	ck_assert(!r.dropped_stream_options);
	llm_reply_release(&r);
	ck_assert_int_eq(ask(&r, &sn, &e), 0);
	ck_assert_int_eq(fake_requests(&srv, "/v1/"), 3);
	b = sent(0);
	ck_assert_int_eq(cJSON_GetObjectItem(b, "max_tokens")->valueint, 256);
	cJSON_Delete(b);
	for (int i = 1; i < 3; i++) {
		b = sent(i);
		ck_assert_ptr_null(cJSON_GetObjectItem(b, "max_tokens"));
		ck_assert_int_eq(cJSON_GetObjectItem(b, "max_completion_tokens")->valueint, 256);
		ck_assert_ptr_nonnull(cJSON_GetObjectItem(b, "stream_options"));
		cJSON_Delete(b);
	}
	llm_reply_release(&r);

	/* refusing both: each name tried once, the server's word reported */
	ck_assert_int_eq(fake_control(&srv, "{\"reset\": true, \"reject\": [\"max_tokens\","
					    " \"max_completion_tokens\", \"stream_options\"]}"),
			 0);
	llm_forget_servers();
	ck_assert_int_eq(ask(&r, &sn, &e), -1);
	ck_assert_msg(strstr(e.msg, "HTTP 400: Unrecognized request argument supplied: "
				    "max_completion_tokens") != NULL,
		      "%s", e.msg);
	ck_assert_int_eq(fake_requests(&srv, "/v1/"), 2);
	llm_reply_release(&r);
	seen_release(&sn);
}
END_TEST

START_TEST(test_models)
{
	char **ids, *path, want[256];
	struct err e = { 0, "" };
	int status;

	ck_assert_int_eq(fake_control(&srv, "{\"models\": [\"llama3.1:latest\", \"qwen3:8b\"],"
					    " \"key\": \"sk-models-0042\"}"),
			 0);
	opts.assistant = NULL;
	ck_assert_int_eq(llm_models(&opts, &ids, &status, &e), -1);
	ck_assert_int_eq(status, 401);
	snprintf(want, sizeof(want),
		 "127.0.0.1:%d needs an API key (HTTP 401): give one with --key-secret NAME",
		 srv.port);
	ck_assert_str_eq(e.msg, want);
	opts.api_key = "sk-models-0042";
	ck_assert_int_eq(llm_models(&opts, &ids, &status, &e), 0);
	ck_assert_int_eq(status, 200);
	ck_assert_str_eq(ids[0], "llama3.1:latest");
	ck_assert_str_eq(ids[1], "qwen3:8b");
	ck_assert_ptr_null(ids[2]);
	llm_models_free(ids);
	cJSON_Delete(fake_request_json(&srv, "/", 1, &path));
	ck_assert_str_eq(path, "/v1/models");
	free(path);

	/* a base URL without /v1 at a server that has none there */
	ck_assert_int_eq(fake_control(&srv, "{\"reset\": true, \"profile\": \"ollama\"}"), 0);
	free(base_url);
	base_url = fake_url(&srv, "");
	opts.base_url = base_url;
	ck_assert_int_eq(llm_models(&opts, &ids, &status, &e), -1);
	ck_assert_int_eq(status, 404);
	ck_assert_ptr_null(ids);
}
END_TEST

Suite *llm_servers_suite(void)
{
	Suite *s = suite_create("llm_servers");
	TCase *tc = tcase_create("answers");

	tcase_add_test(tc, test_reasoning_apart);
	tcase_add_test(tc, test_usage_chunk);
	tcase_add_test(tc, test_parts_and_whole_message);
	tcase_add_test(tc, test_hostile_text);
	tcase_add_test(tc, test_hostile_sizes);
	tcase_add_test(tc, test_plain_answer_parts);
	tcase_add_test(tc, test_models_parse);
	tcase_add_test(tc, test_token_limit_name);
	suite_add_tcase(s, tc);
	tc = tcase_create("servers");
	tcase_add_checked_fixture(tc, srv_setup, srv_teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_json_answer_to_stream);
	tcase_add_test(tc, test_usage_when_streaming);
	tcase_add_test(tc, test_stream_options_refused);
	tcase_add_test(tc, test_token_limit_refused);
	tcase_add_test(tc, test_models);
	suite_add_tcase(s, tc);
	return s;
}
