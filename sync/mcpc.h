/*
 * mcpc.h - a client of one MCP server: other people's tools for nestor.
 *
 * Two transports: stdio (nestor starts the server and speaks newline-
 * delimited JSON-RPC on its standard input and output; its standard error
 * goes to /dev/null) and Streamable HTTP (each message a POST to the URL,
 * the answer as JSON or as a server-sent event stream; the Mcp-Session-Id
 * the server gives is sent back).  Wire protocol only: what the tools mean
 * and who may call them is the engine's (src/mcp-tools.c).
 *
 *	char *argv[] = { "python3", "server.py", NULL };
 *	struct mcpc *c = mcpc_new_stdio("fs", argv, 30000);
 *	cJSON *tools, *res;
 *	if (mcpc_list_tools(c, &tools, &e) == 0) ...       [{"name", "inputSchema", ...}]
 *	if (mcpc_call(c, "read", args, NULL, &res, &e) == 0) ...  {"content", "isError", ...}
 *	mcpc_free(c);
 *
 * The first request connects (starts the process, initialize and
 * notifications/initialized); a tool call has the timeout given at
 * creation, the rest at least MCPC_START_MS (a server may start slowly).
 * When the transport breaks (the process died, its pipe closed, the HTTP
 * session expired), the request fails and mcpc_dead() is true: the next
 * request connects again.  An answer that cannot be read (not JSON, a raw
 * control character in a string, a stdio message over 8 MiB, an HTTP
 * answer over 4 MiB, a JSON body or an SSE stream) fails the
 * request waiting at once, "mcp server "NAME": answer refused: not JSON
 * (at byte 57: a control character (U+0007) in a string, not escaped)",
 * and the server is stopped and used no more by this client until
 * mcpc_forgive(): every later request fails with the same message,
 * mcpc_dead() is false (a restart would run again a tool call the server
 * may have run).  A stdio line that does not start with '{' or '[' (after
 * white space), a banner, is logged and skipped; so is an SSE event whose
 * type is not "message".  Messages name the server, never its command
 * line or URL.  Starting a stdio server sets SIGPIPE to be ignored (a
 * server that died is an error on write, not the end of nestor); the
 * server runs in a process group of its own, so a Ctrl-C at the terminal
 * reaches nestor only (which cancels the call).  Bytes of a message that
 * are not UTF-8 become U+FFFD before it is parsed.
 */
#ifndef NESTOR_MCPC_H
#define NESTOR_MCPC_H

#include <cjson/cJSON.h>
#include <stdatomic.h>
#include <stdbool.h>

#include "err.h"

#define MCPC_START_MS 30000L

/* The version this client asks for. */
#define MCPC_VERSION "2025-11-25"

struct mcpc;

/* A stdio server: argv[0] found on PATH; argv is copied. */
struct mcpc *mcpc_new_stdio(const char *name, char *const argv[], long timeout_ms);
/* A stdio server already running, its stdin and stdout given: in and out
 * are the client's from then on (mcpc_free closes them; in is made
 * non-blocking).  Once the transport breaks, it stays broken: there is
 * nothing to start again. */
struct mcpc *mcpc_new_fd(const char *name, int in, int out, long timeout_ms);
/* A Streamable HTTP server at url. */
struct mcpc *mcpc_new_http(const char *name, const char *url, long timeout_ms);
/* A variable of a stdio server's environment, set whenever it is started
 * (over the one nestor has; NESTOR_SECRET_* never pass, childenv.h), and a
 * header of every request to an HTTP server; name and value are copied,
 * the value wiped at mcpc_free.  Neither is logged nor in a message.  Call
 * before the first request. */
void mcpc_add_env(struct mcpc *c, const char *name, const char *value);
void mcpc_add_header(struct mcpc *c, const char *name, const char *value);
/* Ends the session: closes a stdio server's stdin (SIGTERM after a second),
 * sends an HTTP server DELETE with the session id. */
void mcpc_free(struct mcpc *c);

/* A listing of a server's tools stops (a warning logged, the tools so far
 * kept) at a cursor sent before, after MCPC_MAX_PAGES pages or
 * MCPC_MAX_TOOLS tools, or once it took longer than one request may, or
 * its pages after the first longer than the timeout given at creation (a
 * page not come by then is not waited for). */
#define MCPC_MAX_PAGES 100
#define MCPC_MAX_TOOLS 1000

/* Every tool of the server (following nextCursor): *tools is a new array
 * of the server's tool objects. */
int mcpc_list_tools(struct mcpc *c, cJSON **tools, struct err *e);
/* tools/call: *result is the server's result object; a tool's own failure
 * is a result with "isError": true, a JSON-RPC error is -1 with e.  Once
 * *cancel (may be NULL) is nonzero the call stops waiting ("NAME: cancelled",
 * an HTTP server's "NAME: HOST: cancelled") and the server is sent
 * notifications/cancelled; so is a stdio server whose answer did not come
 * within the timeout.  An answer that comes late anyway is skipped: each
 * request waits for its own id only. */
int mcpc_call(struct mcpc *c, const char *tool, const cJSON *args, const atomic_int *cancel,
	      cJSON **result, struct err *e);
/* Let a refused server be asked again: the next request starts it anew
 * (the engine does so at each turn's start). */
void mcpc_forgive(struct mcpc *c);
/* Whether the last failure broke the transport (a restart may help). */
bool mcpc_dead(const struct mcpc *c);
/* The server's name and version from initialize, or NULL before it. */
const cJSON *mcpc_server_info(const struct mcpc *c);

#endif
