/*
 * mcp.h - nestor's tools for other programs: the Model Context Protocol
 * server, independent of its transport.
 *
 * A session answers one JSON-RPC message at a time; the transport (stdio in
 * `nestor mcp`, Streamable HTTP in `nestor serve`) only moves the text:
 *
 *	struct mcp_session *s = mcp_session_new(store, cfg, user_id, NULL, &e);
 *	while (read a message msg) {
 *		char *reply;
 *		mcp_session_handle(s, msg, wallclock_now(), &reply);
 *		if (reply) send reply; free(reply);
 *	}
 *	mcp_session_free(s);
 *
 * What it answers:
 *   initialize      protocol version negotiation: the client's version when
 *                   it is one of MCP_VERSIONS, else the newest; capabilities
 *                   {"tools": {"listChanged": true}}
 *   ping            {} (also from another thread: mcp_session_ping)
 *   tools/list      the assistant's tools from the registry (tool.h): the
 *                   JSON Schema the LLM backend sends as inputSchema, and an
 *                   outputSchema for tools whose result shape is stable
 *                   (from version 2025-06-18)
 *   tools/call      {"content": [{"type": "text", "text": RESULT}],
 *                   "structuredContent": RESULT}; a tool that fails answers
 *                   {"content": [... the message ...], "isError": true}
 *   notifications   nothing (no reply)
 *   cancellation    notifications/cancelled given to mcp_session_cancel
 *                   (by a transport that reads on while a call runs): the
 *                   tools/call it names stops early and is answered nothing
 * An unknown tool is the JSON-RPC error -32602, an unknown method -32601.
 * A message that is not one JSON value in UTF-8 (invalid bytes, a NUL
 * byte, more after the value) is -32700 with a null id, nothing of it
 * read; a message that is not a valid request -32600: jsonrpc not "2.0",
 * an id neither a string nor an integer of at most 2^53-1 in magnitude
 * (null id: it could not be echoed as sent).  A request with a NUL
 * character (\u0000) in a string, or a member name twice in one object
 * ({"title":"a","title":"b"}), is not run, as a C string would end at the
 * NUL and a lookup would read the first member only: -32602 naming it when
 * it is in params ("params.arguments.title: a NUL character (\u0000) is
 * not text", "params.arguments.title: given twice ..."), else -32600 (a
 * notification: nothing).  A JSON array (a batch) gets an array of the
 * replies when the session agreed 2025-03-26, the one version with
 * batches; otherwise (before initialize too) it is -32600 with a null id,
 * nothing of it run.
 *
 * Every tool runs as user_id (store_set_user before each call) at the time
 * the caller passes: the store's user is the session's for the call only.
 * The tools offered are those the assistant named at mcp_session_new allows
 * (NULL: the default assistant), read again at each tools/list, so a change
 * of the assistant's tool set shows (mcp_session_tools_changed).
 */
#ifndef NESTOR_MCP_H
#define NESTOR_MCP_H

#include <stdatomic.h>
#include <stdbool.h>
#include <time.h>

#include "config.h"
#include "err.h"
#include "store.h"

/* The versions spoken, newest first. */
#define MCP_VERSION_LATEST "2025-11-25"
extern const char *const mcp_versions[];

/* Whether v is a protocol version this server speaks. */
bool mcp_version_supported(const char *v);

struct mcp_session;

/* A session acting as user_id with the tools of assistant (NULL: the
 * default assistant).  NULL with e filled when there is no such assistant. */
struct mcp_session *mcp_session_new(struct store *store, struct config *cfg, long long user_id,
				    const char *assistant, struct err *e);
void mcp_session_free(struct mcp_session *s);

/* The most bytes a tool's result is sent as (a tools/call answer holds it
 * twice, as text and as structuredContent, so the whole line stays under
 * the 4 MiB `nestor mcp` takes in): a larger one is cut to its list's
 * first items with a member "truncated" saying so (jsoncut.h), or, with
 * no list to cut, answered as an error (isError) asking for less. */
#define MCP_RESULT_MAX (1 << 20)

/* Answer one message (JSON text, NUL-terminated): *reply is the response
 * as one line of JSON (caller frees), or NULL when none is due
 * (notifications, responses).  Bad input is answered with a JSON-RPC error,
 * never a failure: the return value is always 0. */
int mcp_session_handle(struct mcp_session *s, const char *msg, time_t now, char **reply);

/* For a transport that answers a message refused whole with a status of
 * its own (HTTP 400): NULL when msg[0..len) is one JSON value in UTF-8,
 * else the -32700 error mcp_session_handle would answer (caller frees). */
char *mcp_parse_error(const char *msg, size_t len);
/* For a transport that answers input it cannot accept with a status of
 * its own (HTTP 400) although JSON-RPC answers no notification: NULL when
 * every notification of msg (a message or a batch) is one a client sends
 * (initialized, cancelled with a requestId, progress, roots/list_changed,
 * tasks/status) in a well-formed message, else the JSON-RPC error (null
 * id) saying why the first is not: -32601 for an unknown method, -32600
 * else (caller frees).  `nestor mcp` answers such a notification nothing. */
char *mcp_notification_error(const char *msg);
/* Whether a session that agreed version (NULL: none yet) takes batches;
 * the -32600 error (null id) answering one it does not (caller frees). */
bool mcp_batch_allowed(const char *version);
char *mcp_batch_error(void);

/* The answer to a message holding a NUL byte, which is no JSON text (its
 * strings would be read cut there): for a transport to send instead of
 * handing the message on, as msg is a C string. */
#define MCP_NUL_BYTE_ERROR                                                                         \
	"{\"jsonrpc\":\"2.0\",\"id\":null,\"error\":{\"code\":-32700,\"message\":"                 \
	"\"parse error: a NUL byte is not JSON text\"}}"

/* For a transport that reads on while mcp_session_handle runs (in another
 * thread; safe to call at any time): when msg (JSON text, a message or a
 * batch) holds notifications/cancelled, the tools/call with that requestId
 * stops early if it is running (the tool sees its cancel flag) or is not
 * run at all if it comes later (the last 16 such ids are remembered), and
 * either way mcp_session_handle answers nothing for it, as the spec asks
 * of a receiver.  Anything else in msg is left to mcp_session_handle. */
void mcp_session_cancel(struct mcp_session *s, const char *msg);

/* For a transport that reads on while mcp_session_handle runs (in another
 * thread; safe to call at any time): when msg (JSON text) is one ping
 * request, not in a batch, *reply is its answer, as mcp_session_handle
 * would give it, and true; else false and *reply NULL, msg being left to
 * mcp_session_handle.  So a ping is answered promptly, as the spec asks,
 * even while a tool call runs. */
bool mcp_session_ping(struct mcp_session *s, const char *msg, char **reply);

/* The version agreed at initialize, or NULL before it. */
const char *mcp_session_version(const struct mcp_session *s);
/* For a transport that answers a session's requests from another session
 * (on a store connection of its own, in another thread): version counts
 * as agreed, and a tool call stops early once *flag is non-zero (NULL:
 * never). */
void mcp_session_resume(struct mcp_session *s, const char *version, atomic_int *flag);

/* Whether the assistant's tool set differs from the one last listed; if so
 * *notification is the notifications/tools/list_changed message to send
 * (caller frees) and the new set counts as known.  Before any tools/list,
 * nothing has changed. */
bool mcp_session_tools_changed(struct mcp_session *s, char **notification);

/* The tools assistant (NULL: the default one) offers, as tools/list names
 * them, comma-separated ("" for none), or NULL when it cannot be read: two
 * of them differ when the tool set changed.  For a transport that watches
 * for changes on a store connection of its own (/mcp's GET stream). */
char *mcp_tool_names(struct store *store, const char *assistant);
/* The assistant a session was made for (NULL: the default one), and the
 * tool names it last listed (NULL before any tools/list). */
const char *mcp_session_assistant(const struct mcp_session *s);
const char *mcp_session_listed(const struct mcp_session *s);

#endif
