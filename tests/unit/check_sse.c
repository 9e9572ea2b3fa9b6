/* The SSE parser: events come out whole however the bytes are split. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "sse.h"
#include "sbuf.h"
#include "xalloc.h"

struct seen {
	struct sbuf log; /* "type|data\n" per event */
	int stop_after;	 /* stop the parser after this many events (0: never) */
	int n;
};

static int record(void *arg, const char *type, const char *data, size_t len)
{
	struct seen *s = arg;

	ck_assert_uint_eq(strlen(data), len);
	sbuf_addf(&s->log, "%s|%s\n", type, data);
	s->n++;
	return s->stop_after && s->n >= s->stop_after ? 7 : 0;
}

/* Feed text in pieces of `step` bytes; return the events seen. */
static char *parse(const char *text, size_t step)
{
	struct seen s = { SBUF_INIT, 0, 0 };
	struct sse_parser p;
	size_t n = strlen(text);

	sse_init(&p, record, &s);
	for (size_t i = 0; i < n; i += step)
		ck_assert_int_eq(sse_feed(&p, text + i, i + step > n ? n - i : step), 0);
	ck_assert_int_eq(sse_finish(&p), 0);
	sse_release(&p);
	return sbuf_detach(&s.log);
}

static const char stream[] = ": keep-alive comment\r\n"
			     "data: {\"a\":1}\r\n"
			     "\r\n"
			     "event: ping\n"
			     "data:no-space\n"
			     "\n"
			     "data: line one\r"
			     "data: line two\r"
			     "\r"
			     "id: 7\n"
			     "retry: 100\n"
			     "data\n"
			     "\n"
			     "\n"
			     "data: [DONE]\n\n";

static const char expected[] = "message|{\"a\":1}\n"
			       "ping|no-space\n"
			       "message|line one\nline two\n"
			       "message|\n"
			       "message|[DONE]\n";

START_TEST(test_any_split)
{
	/* Every piece size from one byte (CRLF split in two) to the whole text. */
	for (size_t step = 1; step <= sizeof(stream); step++) {
		char *got = parse(stream, step);

		ck_assert_msg(!strcmp(got, expected), "step %zu:\n%s", step, got);
		free(got);
	}
}
END_TEST

START_TEST(test_finish_dispatches_unterminated)
{
	char *got = parse("data: {\"x\":2}\n\ndata: [DONE]", 3);

	ck_assert_str_eq(got, "message|{\"x\":2}\nmessage|[DONE]\n");
	free(got);
	got = parse("data: half", 4);
	ck_assert_str_eq(got, "message|half\n");
	free(got);
	got = parse(": only a comment\n", 1);
	ck_assert_str_eq(got, "");
	free(got);
}
END_TEST

START_TEST(test_callback_stops)
{
	struct seen s = { SBUF_INIT, 1, 0 };
	struct sse_parser p;
	const char *text = "data: 1\n\ndata: 2\n\n";

	sse_init(&p, record, &s);
	ck_assert_int_eq(sse_feed(&p, text, strlen(text)), 7);
	ck_assert_int_eq(s.n, 1);
	ck_assert_uint_eq(p.events, 1);
	sse_release(&p);
	sbuf_release(&s.log);
}
END_TEST

/* A peer's body of bare CRs (empty lines) then an event, fed whole as the
 * MCP client feeds a body: each CR ends a line at once (finding a line's
 * end read the rest of the piece again, 2 MiB of CRs took minutes). */
START_TEST(test_many_bare_crs)
{
	size_t ncr = 2u << 20;
	const char tail[] = "data: after the CRs\r\r";
	char *text = xmalloc(ncr + sizeof(tail));
	char *got;

	memset(text, '\r', ncr);
	memcpy(text + ncr, tail, sizeof(tail));
	got = parse(text, ncr + sizeof(tail));
	ck_assert_str_eq(got, "message|after the CRs\n");
	free(got);
	free(text);
}
END_TEST

Suite *sse_suite(void)
{
	Suite *s = suite_create("sse");
	TCase *tc = tcase_create("sse");

	tcase_add_test(tc, test_any_split);
	tcase_add_test(tc, test_finish_dispatches_unterminated);
	tcase_add_test(tc, test_callback_stops);
	tcase_add_test(tc, test_many_bare_crs);
	suite_add_tcase(s, tc);
	return s;
}
