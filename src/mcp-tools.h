/*
 * mcp-tools.h - other MCP servers' tools for nestor's LLM assistants.
 *
 * An assistant's tools list may name MCP servers (mcpserver.h):
 * "mcp:NAME" for every tool of the server, "mcp:NAME:TOOL" for one.  The
 * model sees each as SERVER_TOOL, lowercased, every character outside
 * [a-z0-9_] made '_', at most 64 bytes (OpenAI-compatible servers accept
 * only ^[a-z0-9_]+$).  Calls are forwarded with mcp.timeout; a server that
 * died is started again once, then the call is a tool error; one whose
 * answer cannot be read is not asked again by the set until
 * mcp_tools_forgive() (mcpc.h).  Connections
 * live as long as the set (the engine's: a chat keeps its servers running).
 *
 * These tools are untrusted: the engine asks the user before the first
 * call of each (engine.h, the sink's approve), not this module.  A
 * server's tool whose name would be one of nestor's own is left out.
 */
#ifndef NESTOR_MCP_TOOLS_H
#define NESTOR_MCP_TOOLS_H

#include <cjson/cJSON.h>
#include <stdatomic.h>
#include <stdbool.h>

#include "assistant.h"
#include "config.h"
#include "err.h"
#include "store.h"

struct mcp_tools;

struct mcp_tools *mcp_tools_new(struct store *store, struct config *cfg);
void mcp_tools_free(struct mcp_tools *m);

/* Let servers whose answer was refused be asked again (started anew):
 * the engine calls it at the start of each turn, so one user's refusal
 * does not last for the next turn, a chat's or another user's. */
void mcp_tools_forgive(struct mcp_tools *m);

/* Whether the assistant's tools name any MCP server. */
bool mcp_tools_wanted(const struct assistant *a);

/* Append to tools (an OpenAI `tools` array) the MCP tools the assistant
 * may use.  A server that cannot be reached is left out and named in
 * *unreachable ("fs: cannot run 'x': ...", caller frees; NULL when all
 * answered). */
void mcp_tools_schemas(struct mcp_tools *m, const struct assistant *a, cJSON *tools,
		       char **unreachable);

/* The tools mcp_tools_schemas() offered so far, taken from m (which
 * then offers none), and given back by mcp_tools_restore(), which drops
 * those offered meanwhile: a sub-assistant's turn (ask_assistant) offers
 * its own between the two, and its caller's are its caller's again after
 * it.  m may be NULL (nothing offered). */
struct mcp_offered;
struct mcp_offered *mcp_tools_keep(struct mcp_tools *m);
void mcp_tools_restore(struct mcp_tools *m, struct mcp_offered *o);

/* Whether name is an MCP tool mcp_tools_schemas() listed; *server is its
 * server's name (owned by m). */
bool mcp_tools_has(struct mcp_tools *m, const char *name, const char **server);

/* Call tool name with args.  *result is what the model gets: the tool's
 * structured result, else {"text": "..."}.  A failure of the tool or its
 * server is -1 with e saying why; the call stops waiting once *cancel (may
 * be NULL) is nonzero. */
int mcp_tools_call(struct mcp_tools *m, const char *name, const cJSON *args,
		   const atomic_int *cancel, cJSON **result, struct err *e);

/* The model's name for server's tool (caller frees). */
char *mcp_tools_name(const char *server, const char *tool);

/* Every tool of server (a new array), for `nestor mcp list`: each an
 * object of nestor's own with the tool's "name" and "description" (null
 * when it has none), "as", its name as the model sees it, and
 * "left_out", null or why the model is not offered it (its name is one of
 * nestor's, or an earlier tool's came out the same), as
 * mcp_tools_schemas() decides: the tools of servers listed before on m
 * count, as those of the servers before in an assistant's tools do.  Give
 * it a set of its own (mcp_tools_new), not one that offered the model. */
int mcp_tools_list_server(struct mcp_tools *m, const char *server, cJSON **tools, struct err *e);

#endif
