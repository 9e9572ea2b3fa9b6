/* The HTTP wrapper against the fake server on 127.0.0.1. */
#include <check.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "fake.h"
#include "http.h"
#include "sbuf.h"
#include "xalloc.h"

static struct fake srv;

static void start(void)
{
	ck_assert_int_eq(fake_start("openmeteo.py", &srv), 0);
}

static void stop(void)
{
	fake_stop(&srv);
}

static void reset(void)
{
	ck_assert_int_eq(fake_reset(&srv), 0);
}

/* GET path with rq's other fields; returns http_request's result. */
static int get(const char *path, struct http_req *rq, struct http_resp *rs, struct err *e)
{
	char *url = fake_url(&srv, path);
	int ret;

	rq->url = url;
	ret = http_request(rq, rs, e);
	rq->url = NULL;
	free(url);
	return ret;
}

START_TEST(test_get)
{
	struct http_req rq = { 0 };
	struct http_resp rs;
	struct err e = { 0, "" };

	ck_assert_msg(get("/v1/search?name=Berlin", &rq, &rs, &e) == 0, "%s", e.msg);
	ck_assert_int_eq(rs.status, 200);
	ck_assert(http_ok(&rs));
	ck_assert_int_eq(rs.attempts, 1);
	ck_assert_ptr_nonnull(strstr(rs.body, "\"Berlin\""));
	ck_assert_uint_eq(rs.len, strlen(rs.body));
	ck_assert_str_eq(rs.content_type, "application/json; charset=utf-8");
	http_resp_release(&rs);
	ck_assert_int_eq(fake_requests(&srv, "/v1/search"), 1);
}
END_TEST

START_TEST(test_post_headers)
{
	const char *const hdrs[] = { "Content-Type: application/json",
				     "Authorization: Bearer sk-secret", NULL };
	struct http_req rq = { .body = "{\"a\": 1}", .headers = hdrs };
	struct http_resp rs;
	struct err e = { 0, "" };

	ck_assert_msg(get("/_echo", &rq, &rs, &e) == 0, "%s", e.msg);
	ck_assert_int_eq(rs.status, 200);
	ck_assert_ptr_nonnull(strstr(rs.body, "\"method\": \"POST\""));
	ck_assert_ptr_nonnull(strstr(rs.body, "\"authorization\": \"Bearer sk-secret\""));
	ck_assert_ptr_nonnull(strstr(rs.body, "\"body\": \"{\\\"a\\\": 1}\""));
	ck_assert_ptr_null(strstr(rs.body, "\"expect\""));
	http_resp_release(&rs);
}
END_TEST

START_TEST(test_retry_then_ok)
{
	struct http_req rq = { .backoff_ms = 10 };
	struct http_resp rs;
	struct err e = { 0, "" };

	ck_assert_int_eq(fake_control(&srv, "{\"fail\": [500, 503]}"), 0);
	ck_assert_msg(get("/v1/search?name=Tokyo", &rq, &rs, &e) == 0, "%s", e.msg);
	ck_assert_int_eq(rs.status, 200);
	ck_assert_int_eq(rs.attempts, 3);
	ck_assert_ptr_nonnull(strstr(rs.body, "Tokyo"));
	http_resp_release(&rs);
	ck_assert_int_eq(fake_requests(&srv, "/v1/search"), 3);
}
END_TEST

START_TEST(test_retry_exhausted)
{
	struct http_req rq = { .backoff_ms = 10, .max_retries = 1 };
	struct http_resp rs;
	struct err e = { 0, "" };
	char want[128];

	ck_assert_int_eq(fake_control(&srv, "{\"fail\": [502, 502, 502]}"), 0);
	ck_assert_msg(get("/v1/search?name=Tokyo", &rq, &rs, &e) == 0, "%s", e.msg);
	ck_assert_int_eq(rs.status, 502);
	ck_assert_int_eq(rs.attempts, 2);
	rq.url = "http://127.0.0.1/x";
	ck_assert_int_eq(http_status_error(&rq, &rs, &e), -1);
	snprintf(want, sizeof(want),
		 "127.0.0.1: HTTP 502: {\"error\": true, \"reason\": "
		 "\"fake failure 502\"}");
	ck_assert_str_eq(e.msg, want);
	http_resp_release(&rs);
}
END_TEST

START_TEST(test_no_retry_on_4xx)
{
	struct http_req rq = { .backoff_ms = 10 };
	struct http_resp rs;
	struct err e = { 0, "" };

	ck_assert_int_eq(fake_control(&srv, "{\"fail\": [404, 500]}"), 0);
	ck_assert_msg(get("/v1/search?name=Tokyo", &rq, &rs, &e) == 0, "%s", e.msg);
	ck_assert_int_eq(rs.status, 404);
	ck_assert_int_eq(rs.attempts, 1);
	http_resp_release(&rs);
}
END_TEST

/* A Retry-After of an hour, capped at 200 ms: the server sees the retry
 * 200 ms or more after the 429 (not after the 10 ms backoff), and the case
 * ends long before the hour would have. */
START_TEST(test_retry_after_capped)
{
	struct http_req rq = { .backoff_ms = 10, .retry_after_max_ms = 200 };
	struct http_resp rs;
	struct err e = { 0, "" };
	double gap;

	ck_assert_int_eq(fake_control(&srv, "{\"fail\": [429], \"retry_after\": \"3600\"}"), 0);
	ck_assert_msg(get("/v1/search?name=Tokyo", &rq, &rs, &e) == 0, "%s", e.msg);
	ck_assert_int_eq(rs.status, 200);
	ck_assert_int_eq(rs.attempts, 2);
	ck_assert_int_eq(fake_requests(&srv, "/v1/search"), 2);
	gap = fake_request_time(&srv, "/v1/search", 1) - fake_request_time(&srv, "/v1/search", 0);
	ck_assert_msg(gap >= 0.2, "retried %.3f s after the 429", gap);
	http_resp_release(&rs);
}
END_TEST

/* The server would answer after a minute: the 0.3 s timeout ends the
 * request (the case's own timeout is 20 s), and it is not retried. */
START_TEST(test_timeout)
{
	struct http_req rq = { .timeout_ms = 300, .backoff_ms = 10 };
	struct http_resp rs;
	struct err e = { 0, "" };
	char want[128];

	ck_assert_int_eq(fake_control(&srv, "{\"delay\": 60}"), 0);
	ck_assert_int_eq(get("/v1/search?name=Tokyo", &rq, &rs, &e), -1);
	snprintf(want, sizeof(want), "127.0.0.1:%d timed out after 0.3 s", srv.port);
	ck_assert_str_eq(e.msg, want);
	ck_assert_int_eq(rs.timed_out, 1); /* the server had the request */
	ck_assert_int_eq(rs.attempts, 1);
	ck_assert_int_eq(fake_requests(&srv, "/v1/search"), 1);
	http_resp_release(&rs);
}
END_TEST

START_TEST(test_refused)
{
	int port = fake_closed_port();
	char *url = xasprintf("http://127.0.0.1:%d/bot123:SECRET/getMe", port);
	struct http_req rq = { .url = url, .backoff_ms = 10 };
	struct http_resp rs;
	struct err e = { 0, "" };
	char want[128];

	ck_assert_int_gt(port, 0);
	ck_assert_int_eq(http_request(&rq, &rs, &e), -1);
	snprintf(want, sizeof(want), "cannot reach 127.0.0.1:%d: connection refused", port);
	ck_assert_str_eq(e.msg, want);
	ck_assert_int_eq(rs.attempts, 3);
	ck_assert_ptr_null(strstr(e.msg, "SECRET"));
	http_resp_release(&rs);

	rq.max_retries = HTTP_NO_RETRY;
	ck_assert_int_eq(http_request(&rq, &rs, &e), -1);
	ck_assert_int_eq(rs.attempts, 1);
	http_resp_release(&rs);
	free(url);
}
END_TEST

START_TEST(test_size_limit)
{
	struct http_req rq = { .max_bytes = 1000 };
	struct http_resp rs;
	struct err e = { 0, "" };
	char want[128];

	ck_assert_int_eq(get("/_big?n=5000", &rq, &rs, &e), -1);
	snprintf(want, sizeof(want), "127.0.0.1:%d: response larger than 1000 bytes", srv.port);
	ck_assert_str_eq(e.msg, want);
	http_resp_release(&rs);

	ck_assert_msg(get("/_big?n=1000", &rq, &rs, &e) == 0, "%s", e.msg);
	ck_assert_uint_eq(rs.len, 1000);
	http_resp_release(&rs);
}
END_TEST

static size_t collect(const char *buf, size_t n, void *arg)
{
	sbuf_add(arg, buf, n);
	return n;
}

START_TEST(test_stream)
{
	struct sbuf sb = SBUF_INIT;
	struct http_req rq = { .on_data = collect, .arg = &sb };
	struct http_resp rs;
	struct err e = { 0, "" };

	ck_assert_msg(get("/_stream?chunks=4&interval_ms=5", &rq, &rs, &e) == 0, "%s", e.msg);
	ck_assert_int_eq(rs.status, 200);
	ck_assert_str_eq(sb.buf, "chunk 0\nchunk 1\nchunk 2\nchunk 3\n");
	ck_assert_uint_eq(rs.len, 0);
	http_resp_release(&rs);

	/* A failed stream's body is collected for the error, not streamed. */
	sbuf_release(&sb);
	ck_assert_int_eq(fake_control(&srv, "{\"fail\": [401]}"), 0);
	ck_assert_msg(get("/_stream", &rq, &rs, &e) == 0, "%s", e.msg);
	ck_assert_int_eq(rs.status, 401);
	ck_assert_uint_eq(sb.len, 0);
	ck_assert_ptr_nonnull(strstr(rs.body, "fake failure 401"));
	http_resp_release(&rs);
	sbuf_release(&sb);
}
END_TEST

static size_t refuse(const char *buf, size_t n, void *arg)
{
	(void)buf;
	(void)n;
	(void)arg;
	return 0;
}

START_TEST(test_stream_abort)
{
	struct http_req rq = { .on_data = refuse };
	struct http_resp rs;
	struct err e = { 0, "" };
	char want[128];

	ck_assert_int_eq(get("/_stream?chunks=50&interval_ms=20", &rq, &rs, &e), -1);
	snprintf(want, sizeof(want), "127.0.0.1:%d: transfer aborted", srv.port);
	ck_assert_str_eq(e.msg, want);
	ck_assert_int_eq(rs.attempts, 1);
	http_resp_release(&rs);
}
END_TEST

START_TEST(test_idle_timeout)
{
	struct sbuf sb = SBUF_INIT;
	struct http_req rq = { .on_data = collect,
			       .arg = &sb,
			       .timeout_ms = HTTP_NO_TIMEOUT,
			       .idle_timeout_ms = 200 };
	struct http_resp rs;
	struct err e = { 0, "" };
	char want[128];

	ck_assert_int_eq(get("/_stream?chunks=3&interval_ms=2000", &rq, &rs, &e), -1);
	snprintf(want, sizeof(want), "127.0.0.1:%d sent nothing for 0.2 s", srv.port);
	ck_assert_str_eq(e.msg, want);
	ck_assert_int_eq(rs.timed_out, 1);
	ck_assert_str_eq(sb.buf, "chunk 0\n");
	http_resp_release(&rs);
	sbuf_release(&sb);
}
END_TEST

/* On another thread: set the flag once the fake has received `seen`
 * requests (the one to cancel is under way). */
struct canceller {
	atomic_int *flag;
	int seen;
};

static void *cancel_when_seen(void *arg)
{
	struct canceller *c = arg;
	struct timespec ts = { 0, 10 * 1000000 };
	int i;

	for (i = 0; i < 1000 && fake_requests(&srv, "/v1/search") < c->seen; i++)
		nanosleep(&ts, NULL);
	atomic_store(c->flag, 1);
	return NULL;
}

/* Cancel from another thread while the server sends nothing (it would
 * answer after a minute, the request times out after 10 s): the request
 * ends as cancelled, not timed out. */
START_TEST(test_cancel)
{
	atomic_int flag = 0;
	struct canceller c = { &flag, 1 };
	struct http_req rq = { .cancel = &flag, .timeout_ms = 10000 };
	struct http_resp rs;
	struct err e = { 0, "" };
	char want[128];
	pthread_t th;

	ck_assert_int_eq(fake_control(&srv, "{\"delay\": 60}"), 0);
	ck_assert_int_eq(pthread_create(&th, NULL, cancel_when_seen, &c), 0);
	ck_assert_int_eq(get("/v1/search?name=Tokyo", &rq, &rs, &e), -1);
	pthread_join(th, NULL);
	snprintf(want, sizeof(want), "127.0.0.1:%d: cancelled", srv.port);
	ck_assert_str_eq(e.msg, want);
	ck_assert_int_eq(rs.timed_out, 0);
	http_resp_release(&rs);

	/* And during the wait before a retry: an hour (Retry-After), which
	 * only the cancel ends within the case's 20 s; no retry is made. */
	atomic_store(&flag, 0);
	ck_assert_int_eq(fake_reset(&srv), 0);
	rq.retry_after_max_ms = 3600 * 1000L;
	ck_assert_int_eq(fake_control(&srv, "{\"fail\": [500], \"retry_after\": \"3600\"}"), 0);
	ck_assert_int_eq(pthread_create(&th, NULL, cancel_when_seen, &c), 0);
	ck_assert_int_eq(get("/v1/search?name=Tokyo", &rq, &rs, &e), -1);
	pthread_join(th, NULL);
	ck_assert_str_eq(e.msg, want);
	ck_assert_int_eq(fake_requests(&srv, "/v1/search"), 1);
	http_resp_release(&rs);
}
END_TEST

START_TEST(test_escape_host)
{
	char *s = http_escape("a b&c/é~._-");

	ck_assert_str_eq(s, "a%20b%26c%2F%C3%A9~._-");
	free(s);
	s = http_escape("Нью");
	ck_assert_str_eq(s, "%D0%9D%D1%8C%D1%8E");
	free(s);
	s = http_host("https://api.telegram.org/bot123:SECRET/getUpdates");
	ck_assert_str_eq(s, "api.telegram.org");
	free(s);
	s = http_host("http://127.0.0.1:8080/v1/search?name=x");
	ck_assert_str_eq(s, "127.0.0.1:8080");
	free(s);
	s = http_host("not a url");
	ck_assert_str_eq(s, "?");
	free(s);
}
END_TEST

START_TEST(test_bad_url)
{
	struct http_req rq = { .url = "" };
	struct http_resp rs;
	struct err e = { 0, "" };

	ck_assert_int_eq(http_request(&rq, &rs, &e), -1);
	ck_assert_str_eq(e.msg, "http: no url");
	http_resp_release(&rs);
}
END_TEST

Suite *http_suite(void)
{
	Suite *s = suite_create("http");
	TCase *net = tcase_create("fake");
	TCase *pure = tcase_create("pure");

	tcase_add_unchecked_fixture(net, start, stop);
	tcase_add_checked_fixture(net, reset, NULL);
	tcase_set_timeout(net, 20);
	tcase_add_test(net, test_get);
	tcase_add_test(net, test_post_headers);
	tcase_add_test(net, test_retry_then_ok);
	tcase_add_test(net, test_retry_exhausted);
	tcase_add_test(net, test_no_retry_on_4xx);
	tcase_add_test(net, test_retry_after_capped);
	tcase_add_test(net, test_timeout);
	tcase_add_test(net, test_refused);
	tcase_add_test(net, test_size_limit);
	tcase_add_test(net, test_stream);
	tcase_add_test(net, test_stream_abort);
	tcase_add_test(net, test_idle_timeout);
	tcase_add_test(net, test_cancel);
	tcase_add_test(net, test_bad_url);
	suite_add_tcase(s, net);
	tcase_add_test(pure, test_escape_host);
	suite_add_tcase(s, pure);
	return s;
}
