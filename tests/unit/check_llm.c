/*
 * The chat-completions client: request bodies, the streaming assembler on
 * what real servers send, non-streaming answers, Retry-After.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "llm.h"
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

#define CHUNK(delta, finish) \
	"data: {\"choices\":[{\"index\":0,\"delta\":" delta ",\"finish_reason\":" finish "}]}\n\n"

START_TEST(test_text_stream)
{
	const char *body = CHUNK("{\"role\":\"assistant\",\"content\":\"\"}", "null")
		CHUNK("{\"content\":\"Hel\"}", "null") CHUNK("{\"content\":\"lo, \"}", "null")
		CHUNK("{\"content\":\"Привет\"}", "null") CHUNK("{}", "\"stop\"")
		"data: [DONE]\n\n";

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
	const char *body =
		CHUNK("{\"tool_calls\":[{\"index\":0,\"id\":\"call_a\",\"type\":\"function\","
		      "\"function\":{\"name\":\"task_add\",\"arguments\":\"\"}}]}", "null")
		CHUNK("{\"tool_calls\":[{\"index\":1,\"id\":\"call_b\",\"type\":\"function\","
		      "\"function\":{\"name\":\"time_now\",\"arguments\":\"{\\\"pla\"}}]}", "null")
		CHUNK("{\"tool_calls\":[{\"index\":0,\"function\":{\"arguments\":\"{\\\"title\"}}]}",
		      "null")
		CHUNK("{\"tool_calls\":[{\"index\":0,\"function\":{\"arguments\":\"\\\":\\\"milk\\\"}\"}}]}",
		      "null")
		CHUNK("{\"tool_calls\":[{\"index\":1,\"function\":{\"arguments\":\"ce\\\":\\\"Tokyo\\\"}\"}}]}",
		      "\"tool_calls\"")
		"data: [DONE]\n\n";
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
	ck_assert_str_eq(text,
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
	const char *body =
		CHUNK("{\"tool_calls\":[{\"index\":0,\"id\":null,\"type\":\"function\","
		      "\"function\":{\"name\":\"calendar_agenda\",\"arguments\":\"{\\\"from\\\":\\\"today\\\"}\"}}]}",
		      "null")
		CHUNK("{\"tool_calls\":[{\"index\":1,\"function\":{\"name\":\"task_list\",\"arguments\":\"\"}}]}",
		      "null")
		"data: [DONE]\n\n";
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
	const char *body =
		CHUNK("{\"tool_calls\":[{\"id\":\"x1\",\"function\":{\"name\":\"task_done\","
		      "\"arguments\":{\"id\":3}}}]}", "null")
		CHUNK("{\"tool_calls\":[{\"id\":\"x2\",\"function\":{\"name\":\"task_done\","
		      "\"arguments\":\"{\\\"id\\\":4}\"}}]}", "\"tool_calls\"");
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
}
END_TEST

START_TEST(test_non_streaming)
{
	const char *body =
		"{\"id\":\"x\",\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\","
		"\"content\":null,\"tool_calls\":[{\"id\":\"c1\",\"type\":\"function\",\"function\":"
		"{\"name\":\"reminder_add\",\"arguments\":\"{\\\"text\\\":\\\"call mom\\\"}\"}}]},"
		"\"finish_reason\":\"tool_calls\"}],\"usage\":{\"prompt_tokens\":50,\"completion_tokens\":7}}";
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
	ck_assert_str_eq(e.msg, "the server's answer is not JSON");
	llm_reply_release(&r);
}
END_TEST

START_TEST(test_request_body)
{
	struct llm_opts o = { 0 };
	cJSON *msgs = cJSON_Parse("[{\"role\":\"user\",\"content\":\"hi\"}]");
	cJSON *tools = cJSON_Parse("[{\"type\":\"function\",\"function\":{\"name\":\"time_now\"}}]");
	cJSON *none = cJSON_CreateArray();
	char *body;

	o.model = "llama3.2";
	o.stream = true;
	o.has_temperature = true;
	o.temperature = 0.25;
	o.api_key = "sk-never-in-the-body";
	body = llm_request_body(&o, msgs, tools);
	ck_assert_str_eq(body, "{\"model\":\"llama3.2\",\"messages\":[{\"role\":\"user\",\"content\":"
			       "\"hi\"}],\"tools\":[{\"type\":\"function\",\"function\":{\"name\":"
			       "\"time_now\"}}],\"stream\":true,\"temperature\":0.25}");
	free(body);
	o.model = NULL;
	o.stream = false;
	o.has_temperature = false;
	body = llm_request_body(&o, msgs, none);
	ck_assert_str_eq(body, "{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"stream\":false}");
	free(body);
	cJSON_Delete(msgs);
	cJSON_Delete(tools);
	cJSON_Delete(none);
}
END_TEST

START_TEST(test_retry_after)
{
	/* 2026-01-01 00:00:00 UTC */
	long long now = 1767225600;

	ck_assert_int_eq(llm_retry_after_ms("2", now), 2000);
	ck_assert_int_eq(llm_retry_after_ms(" 0", now), 0);
	ck_assert_int_eq(llm_retry_after_ms("Thu, 01 Jan 2026 00:00:30 GMT", now), 30000);
	ck_assert_int_eq(llm_retry_after_ms("Wed, 31 Dec 2025 23:00:00 GMT", now), 0);
	ck_assert_int_eq(llm_retry_after_ms("soon", now), -1);
	ck_assert_int_eq(llm_retry_after_ms(NULL, now), -1);
	ck_assert_int_eq(llm_retry_after_ms("-5", now), -1);
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
	tcase_add_test(tc, test_cut_and_error_in_stream);
	tcase_add_test(tc, test_non_streaming);
	tcase_add_test(tc, test_request_body);
	tcase_add_test(tc, test_retry_after);
	suite_add_tcase(s, tc);
	return s;
}
