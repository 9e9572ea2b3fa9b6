/* The response headers libcurl hands sync/http-curl.c (on_header,
 * header_value, retry_after_ms, media_type_is): each input is the header
 * lines of one or more responses, each line as libcurl gives it (up to
 * and with its '\n'; a status line "HTTP/..." starts a response anew),
 * read with and without a header to keep.  What is kept is trimmed (no
 * blank at either end), and a Retry-After is -1 or 0 to a day in ms.
 *
 * The callbacks are static: http-curl.c is compiled in here, its
 * http_transfer renamed so fuzz-util.c's stays the one (no network). */
#define http_transfer fuzz_curl_transfer
#include "http-curl.c"
#undef http_transfer

#include "fuzz.h"

static void trimmed(const char *what, const char *v)
{
	size_t n = v ? strlen(v) : 0;

	if (n && (v[0] == ' ' || v[0] == '\t' || isspace((unsigned char)v[n - 1]))) {
		fprintf(stderr, "fuzz: httphdr: %s kept untrimmed: [%s]\n", what, v);
		abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const keep[] = { NULL, "mcp-session-id", "etag" };

	for (size_t k = 0; k < sizeof(keep) / sizeof(keep[0]); k++) {
		struct http_req rq = { .keep_header = keep[k] };
		struct http_resp resp = { 0 };
		struct xfer x = { .rq = &rq, .resp = &resp };
		long ms;

		for (size_t off = 0; off < size;) {
			const uint8_t *nl = memchr(data + off, '\n', size - off);
			size_t len = nl ? (size_t)(nl - data - off) + 1 : size - off;
			/* libcurl's buffer is not NUL-terminated: a copy of
			 * exactly len bytes lets ASan see a read past it */
			char *line = malloc(len ? len : 1);

			if (!line)
				abort();
			memcpy(line, data + off, len);
			if (on_header(line, 1, len, &x) != len)
				abort();
			free(line);
			off += len;
		}
		trimmed("Retry-After", resp.retry_after);
		trimmed("Content-Type", resp.content_type);
		trimmed(keep[k] ? keep[k] : "?", resp.kept);
		ms = retry_after_ms(resp.retry_after);
		if (ms < -1 || ms > 86400000L) {
			fprintf(stderr, "fuzz: httphdr: Retry-After [%s] is %ld ms\n",
				resp.retry_after, ms);
			abort();
		}
		(void)media_type_is(resp.content_type, "text/event-stream");
		(void)media_type_is(resp.content_type, "application/json");
		http_resp_release(&resp);
	}
	return 0;
}
