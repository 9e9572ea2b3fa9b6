/* What an MCP server says to nestor's client (sync/mcpc.h): the client
 * connects (initialize, notifications/initialized), lists the tools
 * (following nextCursor) and calls one, then ends the session.  The first
 * byte picks the transport:
 *
 *  - even: stdio.  The rest is the server's standard output, newline-
 *    delimited JSON-RPC, read from a memory file (mcpc_new_fd: no process
 *    is started); what the client writes goes to /dev/null.
 *  - odd: Streamable HTTP over a fake (fuzz_http).  The rest is the
 *    server's answers in order, split by "\n====\n", each a first line
 *    "STATUS CONTENT-TYPE [MCP-SESSION-ID]" and then the body (JSON, or an
 *    event stream with text/event-stream).  When they run out, the server
 *    is unreachable.
 *
 * The client's request ids count from 1. */
#include "fuzz.h"
#include "http.h"
#include "mcpc.h"

#include <cjson/cJSON.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define SEP "\n====\n"

static char *next_answer; /* the answers not given yet, or NULL */

static int serve(const struct http_req *rq, struct http_resp *resp, struct err *e)
{
	char *a = next_answer, *end, *nl, ctype[64] = "", sid[64] = "";
	long status = 0;
	int n;

	(void)rq;
	if (!a)
		return err_set(e, ERR_FAIL, "cannot reach 127.0.0.1:9: connection refused");
	end = strstr(a, SEP);
	if (end) {
		*end = '\0';
		next_answer = end + strlen(SEP);
	} else {
		next_answer = NULL;
	}
	nl = strchr(a, '\n');
	if (nl)
		*nl = '\0';
	n = sscanf(a, "%ld %63s %63s", &status, ctype, sid);
	if (!nl || n < 2)
		return fuzz_http_answer(resp, 200, "application/json", a, strlen(a), NULL);
	return fuzz_http_answer(resp, status, ctype, nl + 1, strlen(nl + 1), n == 3 ? sid : NULL);
}

static void session(struct mcpc *c)
{
	struct err e = { 0, "" };
	cJSON *tools = NULL, *args = cJSON_CreateObject(), *res = NULL;

	cJSON_AddStringToObject(args, "text", "hello");
	if (mcpc_list_tools(c, &tools, &e) == 0) {
		if (!cJSON_IsArray(tools))
			abort();
	} else if (!e.msg[0]) {
		abort();
	}
	cJSON_Delete(tools);
	e.msg[0] = '\0';
	if (mcpc_call(c, "echo", args, NULL, &res, &e) == 0) {
		if (!res)
			abort();
	} else if (!e.msg[0]) {
		abort();
	}
	cJSON_Delete(res);
	cJSON_Delete(args);
	(void)mcpc_server_info(c);
	(void)mcpc_dead(c);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mcpc *c;

	if (size < 1)
		return 0;
	if (data[0] & 1) {
		char *text = fuzz_text(data + 1, size - 1);

		next_answer = text;
		fuzz_http = serve;
		c = mcpc_new_http("fuzz", "http://127.0.0.1:9/mcp", 1000);
		session(c);
		mcpc_free(c);
		fuzz_http = NULL;
		next_answer = NULL;
		free(text);
	} else {
		int out = memfd_create("mcpc-server", MFD_CLOEXEC);
		int in = open("/dev/null", O_WRONLY | O_CLOEXEC);

		if (out < 0 || in < 0 ||
		    (size > 1 && write(out, data + 1, size - 1) != (ssize_t)(size - 1)) ||
		    lseek(out, 0, SEEK_SET) != 0)
			abort();
		c = mcpc_new_fd("fuzz", in, out, 1000);
		session(c);
		mcpc_free(c);
	}
	return 0;
}
