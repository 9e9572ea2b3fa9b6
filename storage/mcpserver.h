/*
 * mcpserver.h - the MCP servers assistants may use, and the answers the
 * user gave to their tools' first calls.
 *
 * A server has a unique name ([a-z0-9_-]{1,32}: it prefixes its tools'
 * names) and either a command line (a stdio server; argv kept as given) or
 * the URL of a Streamable HTTP server.  No secrets: a server that needs a
 * key gets it from its own environment or configuration.
 *
 * An approval is per assistant and tool (the namespaced name the model
 * sees): allowed always or never.  Removing an assistant removes its
 * approvals.
 */
#ifndef NESTOR_MCPSERVER_H
#define NESTOR_MCPSERVER_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "err.h"
#include "store.h"

struct mcp_server {
	long long id;
	char *name;
	char **argv; /* NULL-terminated, or NULL for a URL */
	char *url;   /* or NULL */
	time_t created_at;
};

void mcp_server_release(struct mcp_server *m);
void mcp_server_list_free(struct mcp_server *list, size_t n);

/* Check the name and that exactly one of argv, url is set (http(s) URL). */
int mcp_server_check(const struct mcp_server *m, struct err *e);
/* Insert m (sets m->id); a name taken is ERR_USAGE. */
int mcp_server_add(struct store *s, struct mcp_server *m, time_t now, struct err *e);
/* ERR_NOTFOUND "no MCP server named 'x'" when there is none. */
int mcp_server_get(struct store *s, const char *name, struct mcp_server *out, struct err *e);
int mcp_server_list(struct store *s, struct mcp_server **out, size_t *n, struct err *e);
int mcp_server_rm(struct store *s, const char *name, struct err *e);

/* What the user said about assistant_id calling tool. */
enum mcp_approval { MCP_ASK = 0, MCP_ALWAYS, MCP_NEVER };
int mcp_approval_get(struct store *s, long long assistant_id, const char *tool,
		     enum mcp_approval *out, struct err *e);
/* MCP_ASK forgets the answer. */
int mcp_approval_set(struct store *s, long long assistant_id, const char *tool, enum mcp_approval a,
		     struct err *e);

#endif
