/*
 * mcpserver.h - the MCP servers assistants may use, and the answers the
 * user gave to their tools' first calls.
 *
 * A server has a unique name ([a-z0-9_-]{1,32}: it prefixes its tools'
 * names) and either a command line (a stdio server; argv kept as given) or
 * the URL of a Streamable HTTP server.  A server that needs a key is given
 * it by name: a stdio server an environment variable, an HTTP server a
 * header, whose value is a nestor secret (secret.h) read when the server is
 * used; the database keeps the variable's or header's name and the
 * secret's, never its value.
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

/* At most this many variables and headers a server. */
#define MCP_CREDS_MAX 16

/* A variable of a stdio server's environment, or a header of the requests
 * to an HTTP server, whose value is the secret named secret ("Bearer "
 * and it, with bearer). */
struct mcp_cred {
	char *name;   /* the variable or header */
	char *secret; /* the secret's name */
	bool header, bearer;
};

struct mcp_server {
	long long id;
	char *name;
	char **argv; /* NULL-terminated, or NULL for a URL */
	char *url;   /* or NULL */
	struct mcp_cred *creds;
	size_t ncreds;
	time_t created_at;
};

void mcp_server_release(struct mcp_server *m);
void mcp_server_list_free(struct mcp_server *list, size_t n);

/* Check the name, that exactly one of argv, url is set (http(s) URL), and
 * the creds: variables ([A-Za-z_][A-Za-z0-9_]*, not NESTOR_* nor LD_*) for
 * a command, headers (token characters, not one nestor sends itself) for a
 * URL, each name once, at most MCP_CREDS_MAX.  The secrets' names are the
 * caller's to check (secret_check_name). */
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
