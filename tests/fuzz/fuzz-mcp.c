/* MCP requests as a client sends them (over stdio or POST /mcp): each
 * input is one JSON-RPC message, or a batch, answered by a session on a
 * temporary store (fuzz_store); tools/call runs the real tools.  A session
 * lives as long as its store, so initialize and the calls after it meet. */
#include "fuzz.h"
#include "mcp.h"
#include "store.h"

#include <stdio.h>
#include <stdlib.h>

static struct mcp_session *sess;
static struct store *sess_store;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct store *st = fuzz_store("mcp");
	char *text = fuzz_text(data, size), *reply = NULL;
	struct err e = { 0, "" };

	setenv("TZ", "Europe/Berlin", 1);
	if (st != sess_store || !sess) {
		mcp_session_free(sess);
		sess = mcp_session_new(st, fuzz_config(), 1, NULL, &e);
		if (!sess) {
			fprintf(stderr, "mcp session: %s\n", e.msg);
			abort();
		}
		sess_store = st;
	}
	if (mcp_session_handle(sess, text, FUZZ_NOW, &reply) != 0)
		abort(); /* bad input is an answer, never a failure */
	free(reply);
	free(text);
	return 0;
}
