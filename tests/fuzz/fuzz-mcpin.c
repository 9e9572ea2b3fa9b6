/* What an MCP client writes to `nestor mcp` on its standard input
 * (src/cli/cmd-mcp.c: read_lines, read_line), split into the messages the
 * loop answers.  Each input is its first byte, the size of the pieces
 * read() returns (its low 7 bits, plus 1) and whether a tools/call is
 * already being answered (its top bit: pings are then answered by the
 * reader itself), then the bytes the client wrote.  A line over
 * LINE_MAX_BYTES (64 here, 4 MiB in nestor) is queued as too long, once,
 * without its text; so is a line holding a NUL byte (no JSON text).
 *
 * However the input is cut, each whole line is queued once, in order and
 * byte for byte (as a tools/call when it names one), or is a ping the
 * reader answered; the unfinished last line waits, whole.  The session is
 * a real one on a temporary store (fuzz_store), so a line naming
 * notifications/cancelled reaches mcp_session_cancel.
 *
 * The reader is static: cmd-mcp.c is compiled in here. */
#define LINE_MAX_BYTES 64
#include "cmd-mcp.c"

#include "fuzz.h"
#include "store.h"

#include <stdio.h>

/* cmd-mcp.c's code is reached through no command table here. */
const struct cmd cmd_table[] = { { 0 } };

static struct mcp_session *sess;
static struct store *sess_store;

static void fail(const char *what, const char *line, size_t len)
{
	fprintf(stderr, "fuzz: mcpin: %s: [%.*s]\n", what, (int)len, line);
	abort();
}

/* The record at *q in the reader's queue is kind and the len bytes of
 * line; *q moves past it. */
static void take(const struct sbuf *queue, size_t *q, char kind, const char *line, size_t len)
{
	const char *rec = queue->buf + *q;

	if (queue->len - *q < len + 2 || rec[0] != kind || memcmp(rec + 1, line, len) ||
	    rec[1 + len] != '\n')
		fail(kind == LINE_LONG ? "a long line not queued as too long"
				       : "a line not queued as it was",
		     line, len);
	*q += len + 2;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct store *st = fuzz_store("mcpin");
	struct err e = { 0, "" };
	struct writer w;
	struct reader r;
	const char *in, *p, *end, *nl;
	size_t piece, q = 0, pq = 0;
	int calls;

	if (size < 1)
		return 0;
	if (st != sess_store || !sess) {
		mcp_session_free(sess);
		sess = mcp_session_new(st, fuzz_config(), 1, NULL, &e);
		if (!sess) {
			fprintf(stderr, "mcp session: %s\n", e.msg);
			abort();
		}
		sess_store = st;
	}
	memset(&w, 0, sizeof(w));
	pthread_mutex_init(&w.lock, NULL);
	pthread_cond_init(&w.more, NULL);
	pthread_cond_init(&w.written, NULL);
	memset(&r, 0, sizeof(r));
	r.s = sess;
	r.w = &w;
	pthread_mutex_init(&r.lock, NULL);
	pthread_cond_init(&r.room, NULL);
	r.calls = calls = data[0] >> 7;
	piece = (size_t)(data[0] & 0x7f) + 1;
	in = (const char *)data + 1;
	end = (const char *)data + size;

	for (p = in; p < end; p += piece)
		read_lines(&r, p, (size_t)(end - p) < piece ? (size_t)(end - p) : piece);

	/* each whole line, in order */
	for (p = in; (nl = memchr(p, '\n', (size_t)(end - p))); p = nl + 1) {
		size_t len = (size_t)(nl - p);
		char *line = fuzz_text((const uint8_t *)p, len), *reply = NULL;

		if (len > LINE_MAX_BYTES) {
			take(&r.queue, &q, LINE_LONG, "", 0);
		} else if (memchr(p, '\0', len)) {
			take(&r.queue, &q, LINE_NUL, "", 0); /* answered -32700, never read */
		} else if (calls && mcp_session_ping(sess, line, &reply)) {
			size_t n = strlen(reply);

			if (w.queue.len - pq < n + 1 || memcmp(w.queue.buf + pq, reply, n) ||
			    w.queue.buf[pq + n] != '\n')
				fail("a ping not answered by the reader", p, len);
			pq += n + 1;
			free(reply);
		} else {
			bool call = strstr(line, "tools/call");

			take(&r.queue, &q, call ? LINE_CALL : LINE_MSG, p, len);
			calls += call;
		}
		free(line);
	}
	/* the unfinished line: waiting whole, or told too long */
	if ((size_t)(end - p) > LINE_MAX_BYTES) {
		take(&r.queue, &q, LINE_LONG, "", 0);
		if (r.line.len || !r.skip)
			fail("the rest of a long line kept", p, (size_t)(end - p));
	} else if (r.line.len != (size_t)(end - p) ||
		   (r.line.len && memcmp(r.line.buf, p, r.line.len))) {
		fail("the unfinished line not kept whole", p, (size_t)(end - p));
	}
	if (q != r.queue.len || pq != w.queue.len)
		fail("more queued than was read", r.queue.buf, r.queue.len);
	if (r.calls != calls)
		fail("tools/call lines miscounted", in, (size_t)(end - in));

	sbuf_release(&r.line);
	sbuf_release(&r.queue);
	sbuf_release(&w.queue);
	pthread_cond_destroy(&r.room);
	pthread_mutex_destroy(&r.lock);
	pthread_cond_destroy(&w.written);
	pthread_cond_destroy(&w.more);
	pthread_mutex_destroy(&w.lock);
	return 0;
}
