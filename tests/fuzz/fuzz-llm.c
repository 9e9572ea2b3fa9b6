/* The chat-completion stream (server-sent events) and the whole-body
 * response parser.  The first byte picks the chunk size the stream is fed
 * in, so events split at every point are tried. */
#include "fuzz.h"
#include "llm.h"

static void on_text(void *arg, const char *delta, size_t len)
{
	size_t *total = arg;

	*total += len;
	if (len)
		(void)delta[len - 1];
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t total = 0, chunk;
	struct llm_callbacks cb = { &total, on_text, on_text };
	struct err e = { 0, "" };
	struct llm_stream st;
	struct llm_reply r;

	if (size < 1)
		return 0;
	chunk = data[0] % 64 + 1;
	data++;
	size--;
	llm_reply_init(&r);
	llm_stream_init(&st, &r, &cb);
	for (size_t off = 0; off < size; off += chunk)
		if (llm_stream_feed(&st, (const char *)data + off,
				    size - off < chunk ? size - off : chunk) < 0)
			break;
	(void)llm_stream_finish(&st);
	llm_stream_release(&st);
	llm_reply_release(&r);

	llm_reply_init(&r);
	(void)llm_parse_response_cb((const char *)data, size, &cb, &r, &e);
	llm_reply_release(&r);
	return 0;
}
