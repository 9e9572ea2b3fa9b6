/* MCP requests as a client sends them (over stdio or POST /mcp): each
 * input is one JSON-RPC message, or a batch, answered by a session on a
 * temporary store (fuzz_store); tools/call runs the real tools.  A session
 * lives as long as its store, so initialize and the calls after it meet. */
#include "fuzz.h"
#include "mcp.h"
#include "store.h"

#include <cjson/cJSON.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

/* An answer (and mcp_notification_error's) is one JSON value, whose id (a
 * batch's answers' too) is null, a string or an integer. */
static void json_or_abort(const char *reply)
{
	cJSON *r = reply ? cJSON_Parse(reply) : NULL, *one;

	if (reply && !r) {
		fprintf(stderr, "not JSON: %.200s\n", reply);
		abort();
	}
	for (one = cJSON_IsArray(r) ? r->child : r; one;
	     one = cJSON_IsArray(r) ? one->next : NULL) {
		const cJSON *id = cJSON_GetObjectItemCaseSensitive(one, "id");

		if (cJSON_IsNumber(id) && id->valuedouble != floor(id->valuedouble))
			abort();
	}
	cJSON_Delete(r);
}

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
	json_or_abort(reply);
	free(reply);
	reply = mcp_notification_error(text);
	json_or_abort(reply);
	free(reply);
	free(text);
	return 0;
}
