/*
 * llm-bench - the LLM client's own cost, against tests/fake/openai.py.
 *
 *   llm-bench PORT TOKENS
 *
 * 1. Per-token overhead: the fake server streams TOKENS deltas, each
 *    holding the CLOCK_MONOTONIC time just before it was written; the text
 *    callback of llm_chat() subtracts it from its own clock.  The same
 *    stream read by a bare socket loop (no HTTP, SSE or JSON parsing) is the
 *    baseline: the difference is what nestor's client adds per token.
 * 2. SSE parse throughput: a synthetic stream of OpenAI-shaped chunks fed
 *    to the assembler from memory in 16 KiB pieces.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "http.h"
#include "llm.h"
#include "sbuf.h"
#include "xalloc.h"

static int64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static int cmpd(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static int cmp64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return (x > y) - (x < y);
}

struct lat {
	int64_t *v;
	size_t n, cap;
};

static void lat_add(struct lat *l, int64_t ns)
{
	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 1024;
		l->v = xrealloc(l->v, l->cap * sizeof(*l->v));
	}
	l->v[l->n++] = ns;
}

static double pct(struct lat *l, double p)
{
	if (!l->n)
		return 0;
	qsort(l->v, l->n, sizeof(*l->v), cmp64);
	return (double)l->v[(size_t)(p * (double)(l->n - 1))] / 1000.0;
}

static int port;

static void script(int tokens)
{
	char *url = xasprintf("http://127.0.0.1:%d/_script", port);
	char *body = xasprintf("{\"responses\": [{\"stamp\": {\"tokens\": %d, \"interval_ms\": 2}}]}",
			       tokens);
	struct http_req rq = { .url = url, .body = body, .max_retries = HTTP_NO_RETRY };
	struct http_resp rs;
	struct err e = { 0, "" };

	if (http_request(&rq, &rs, &e) < 0 || rs.status != 200) {
		fprintf(stderr, "llm-bench: cannot script the fake server: %s\n", e.msg);
		exit(1);
	}
	http_resp_release(&rs);
	free(body);
	free(url);
}

static void on_text(void *arg, const char *delta, size_t len)
{
	int64_t t = now_ns();
	char buf[32];

	if (len >= sizeof(buf))
		return;
	memcpy(buf, delta, len);
	buf[len] = '\0';
	lat_add(arg, t - strtoll(buf, NULL, 10));
}

static void client_run(int tokens, struct lat *l)
{
	char *base = xasprintf("http://127.0.0.1:%d/v1", port);
	struct llm_opts o = { .assistant = "bench", .base_url = base, .stream = true };
	struct llm_callbacks cb = { l, on_text, NULL };
	cJSON *msgs = cJSON_Parse("[{\"role\":\"user\",\"content\":\"go\"}]");
	struct llm_reply r;
	struct err e = { 0, "" };

	script(tokens);
	if (llm_chat(&o, msgs, NULL, &cb, &r, &e) < 0) {
		fprintf(stderr, "llm-bench: %s\n", e.msg);
		exit(1);
	}
	llm_reply_release(&r);
	cJSON_Delete(msgs);
	free(base);
}

/* The baseline: the same stream through recv() and a scan for the stamps. */
static void raw_run(int tokens, struct lat *l)
{
	const char *body = "{\"stream\": true, \"messages\": []}";
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
	char req[256], buf[65536], *p;
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	ssize_t n;

	script(tokens);
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd < 0 || connect(fd, (struct sockaddr *)&a, sizeof(a)) < 0) {
		perror("llm-bench: connect");
		exit(1);
	}
	snprintf(req, sizeof(req),
		 "POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: %zu\r\n"
		 "Connection: close\r\n\r\n%s",
		 strlen(body), body);
	if (write(fd, req, strlen(req)) < 0) {
		perror("llm-bench: write");
		exit(1);
	}
	while ((n = recv(fd, buf, sizeof(buf) - 1, 0)) > 0) {
		int64_t t = now_ns();

		buf[n] = '\0';
		for (p = buf; (p = strstr(p, "\"content\": \"")); p++) {
			long long stamp = strtoll(p + 12, NULL, 10);

			if (stamp > 0)
				lat_add(l, t - stamp);
		}
	}
	close(fd);
}

static void noop_text(void *arg, const char *delta, size_t len)
{
	(void)delta;
	*(size_t *)arg += len;
}

static void parse_bench(void)
{
	struct sbuf body = SBUF_INIT;
	double best[5];
	size_t chunks = 200000, text = 0;

	for (size_t i = 0; i < chunks; i++)
		sbuf_addf(&body,
			  "data: {\"id\":\"chatcmpl-9x8Yz\",\"object\":\"chat.completion.chunk\","
			  "\"created\":1767225600,\"model\":\"gpt-4o-mini-2024-07-18\","
			  "\"system_fingerprint\":\"fp_0aa8d3e20b\",\"choices\":[{\"index\":0,"
			  "\"delta\":{\"content\":\" word%zu\"},\"logprobs\":null,"
			  "\"finish_reason\":null}]}\n\n",
			  i % 1000);
	sbuf_adds(&body, "data: [DONE]\n\n");
	for (int run = 0; run < 5; run++) {
		struct llm_callbacks cb = { &text, noop_text, NULL };
		struct llm_reply r;
		struct llm_stream s;
		int64_t t0 = now_ns();

		llm_reply_init(&r);
		llm_stream_init(&s, &r, &cb);
		for (size_t off = 0; off < body.len; off += 16384)
			llm_stream_feed(&s, body.buf + off,
					off + 16384 > body.len ? body.len - off : 16384);
		llm_stream_finish(&s);
		best[run] = (double)(now_ns() - t0) / 1e9;
		llm_stream_release(&s);
		llm_reply_release(&r);
	}
	qsort(best, 5, sizeof(best[0]), cmpd);
	{
		double med = best[2];

		printf("sse parse: %.1f MB/s, %.0f k chunks/s (%zu chunks, %.1f MB, median of 5)\n",
		       (double)body.len / med / 1e6, (double)chunks / med / 1e3, chunks,
		       (double)body.len / 1e6);
	}
	sbuf_release(&body);
}

int main(int argc, char **argv)
{
	struct lat client = { 0 }, raw = { 0 };
	int tokens;

	if (argc != 3) {
		fprintf(stderr, "usage: llm-bench PORT TOKENS\n");
		return 2;
	}
	port = atoi(argv[1]);
	tokens = atoi(argv[2]);
	/* Warm up both paths (python, the loopback, libcurl's first use). */
	client_run(20, &client);
	raw_run(20, &raw);
	client.n = raw.n = 0;
	for (int i = 0; i < 3; i++) {
		client_run(tokens, &client);
		raw_run(tokens, &raw);
	}
	printf("per-token latency, socket write -> callback (%zu tokens, 2 ms apart):\n", client.n);
	printf("  nestor llm_chat: median %.1f us, p90 %.1f us, p99 %.1f us\n", pct(&client, 0.5),
	       pct(&client, 0.9), pct(&client, 0.99));
	printf("  bare recv() loop: median %.1f us, p90 %.1f us, p99 %.1f us\n", pct(&raw, 0.5),
	       pct(&raw, 0.9), pct(&raw, 0.99));
	printf("  client overhead per token: %.1f us (median), %.2fx the bare read\n",
	       pct(&client, 0.5) - pct(&raw, 0.5), pct(&client, 0.5) / pct(&raw, 0.5));
	parse_bench();
	free(client.v);
	free(raw.v);
	return 0;
}
