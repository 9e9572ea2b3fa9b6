/* MCP servers' tools for the LLM backend: names, forwarding, restarts. */
#include "mcp-tools.h"
#include "utf8.h"
#include "log.h"
#include "mcpc.h"
#include "mcpserver.h"
#include "sbuf.h"
#include "secret.h"
#include "tool.h"
#include "xalloc.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

struct conn {
	char *server;
	struct mcpc *c;
};

struct entry {
	char *name; /* what the model sees */
	char *server, *tool;
};

struct mcp_offered {
	struct entry *entries;
	size_t nentries;
};

struct mcp_tools {
	struct store *store;
	struct config *cfg;
	struct conn *conns;
	size_t nconns;
	struct entry *entries;
	size_t nentries;
};

struct mcp_tools *mcp_tools_new(struct store *store, struct config *cfg)
{
	struct mcp_tools *m = xcalloc(1, sizeof(*m));

	m->store = store;
	m->cfg = cfg;
	return m;
}

void mcp_tools_forgive(struct mcp_tools *m)
{
	for (size_t i = 0; m && i < m->nconns; i++)
		mcpc_forgive(m->conns[i].c);
}

static void forget_entries(struct mcp_tools *m)
{
	for (size_t i = 0; i < m->nentries; i++) {
		free(m->entries[i].name);
		free(m->entries[i].server);
		free(m->entries[i].tool);
	}
	free(m->entries);
	m->entries = NULL;
	m->nentries = 0;
}

struct mcp_offered *mcp_tools_keep(struct mcp_tools *m)
{
	struct mcp_offered *o = xcalloc(1, sizeof(*o));

	if (m) {
		o->entries = m->entries;
		o->nentries = m->nentries;
		m->entries = NULL;
		m->nentries = 0;
	}
	return o;
}

void mcp_tools_restore(struct mcp_tools *m, struct mcp_offered *o)
{
	if (!o)
		return;
	if (m) {
		forget_entries(m);
		m->entries = o->entries;
		m->nentries = o->nentries;
	}
	free(o);
}

void mcp_tools_free(struct mcp_tools *m)
{
	if (!m)
		return;
	for (size_t i = 0; i < m->nconns; i++) {
		mcpc_free(m->conns[i].c);
		free(m->conns[i].server);
	}
	free(m->conns);
	forget_entries(m);
	free(m);
}

char *mcp_tools_name(const char *server, const char *tool)
{
	char *s = xasprintf("%s_%s", server, tool);
	size_t i;

	for (i = 0; s[i]; i++) {
		unsigned char ch = (unsigned char)tolower((unsigned char)s[i]);

		s[i] = (char)((isalnum(ch) && ch < 128) || ch == '_' ? ch : '_');
	}
	if (i > 64)
		s[64] = '\0';
	return s;
}

/* Each "mcp:..." entry of the assistant's tools, called with the server's
 * name and the tool's (NULL: all). */
static void each_entry(const struct assistant *a, void (*fn)(void *, const char *, const char *),
		       void *arg)
{
	char *list = a->tools ? xstrdup(a->tools) : NULL, *save = NULL;

	for (char *tok = list ? strtok_r(list, ",", &save) : NULL; tok;
	     tok = strtok_r(NULL, ",", &save)) {
		char *colon;

		while (*tok == ' ')
			tok++;
		if (strncmp(tok, "mcp:", 4))
			continue;
		tok += 4;
		tok[strcspn(tok, " ")] = '\0';
		colon = strchr(tok, ':');
		if (colon)
			*colon++ = '\0';
		fn(arg, tok, colon);
	}
	free(list);
}

static void any(void *arg, const char *server, const char *tool)
{
	(void)server;
	(void)tool;
	*(bool *)arg = true;
}

bool mcp_tools_wanted(const struct assistant *a)
{
	bool yes = false;

	each_entry(a, any, &yes);
	return yes;
}

/* The longest secret a server is given: a header's value, a variable's
 * (execve takes strings of 128 KiB at most). */
#define HEADER_VALUE_MAX 8192
#define ENV_VALUE_MAX	 (128 * 1024 - 1)

/* Whether v may be a header's value: no control characters but tabs (a
 * line break would end the header and start another). */
static bool header_value_ok(const char *v)
{
	for (const unsigned char *p = (const unsigned char *)v; *p; p++)
		if ((*p < 0x20 && *p != '\t') || *p == 0x7f)
			return false;
	return true;
}

/* Give c the secrets of ms (mcpserver.h): -1 with e naming the server, the
 * variable or header and the secret (never the value) when one is missing
 * or unfit. */
static int give_secrets(struct mcpc *c, const struct mcp_server *ms, struct err *e)
{
	for (size_t i = 0; i < ms->ncreds; i++) {
		const struct mcp_cred *cr = &ms->creds[i];
		const char *what = cr->header ? "header" : "variable";
		char *v = NULL, *hv;
		size_t len;

		if (secret_get(cr->secret, &v, e) < 0) {
			err_prefix(e, "%s: %s %s", ms->name, what, cr->name);
			return -1;
		}
		len = strlen(v);
		if (len > (cr->header ? HEADER_VALUE_MAX : ENV_VALUE_MAX) ||
		    (cr->header && !header_value_ok(v))) {
			err_set(e, ERR_FAIL, "%s: %s %s: secret '%s' %s", ms->name, what, cr->name,
				cr->secret,
				len > (cr->header ? HEADER_VALUE_MAX : ENV_VALUE_MAX)
					? "is too long"
					: "holds a control character (a line break?)");
			secret_free(v);
			return -1;
		}
		if (cr->header) {
			hv = xasprintf("%s%s", cr->bearer ? "Bearer " : "", v);
			mcpc_add_header(c, cr->name, hv);
			secret_free(hv);
		} else {
			mcpc_add_env(c, cr->name, v);
		}
		secret_free(v);
	}
	return 0;
}

static struct mcpc *conn(struct mcp_tools *m, const char *server, struct err *e)
{
	struct mcp_server ms;
	struct mcpc *c;
	long timeout = config_get_int(m->cfg, "mcp.timeout");

	for (size_t i = 0; i < m->nconns; i++)
		if (!strcmp(m->conns[i].server, server))
			return m->conns[i].c;
	if (mcp_server_get(m->store, server, &ms, e) < 0)
		return NULL;
	timeout = (timeout > 0 ? timeout : 30) * 1000;
	c = ms.url ? mcpc_new_http(server, ms.url, timeout)
		   : mcpc_new_stdio(server, ms.argv, timeout);
	if (give_secrets(c, &ms, e) < 0) {
		mcpc_free(c);
		mcp_server_release(&ms);
		return NULL;
	}
	mcp_server_release(&ms);
	m->conns = xrealloc(m->conns, (m->nconns + 1) * sizeof(*m->conns));
	m->conns[m->nconns].server = xstrdup(server);
	m->conns[m->nconns++].c = c;
	return c;
}

static int list_server(struct mcp_tools *m, const char *server, cJSON **tools, struct err *e)
{
	struct mcpc *c = conn(m, server, e);

	*tools = NULL;
	if (!c)
		return -1;
	if (mcpc_list_tools(c, tools, e) == 0)
		return 0;
	if (!mcpc_dead(c))
		return -1;
	log_warn("mcp: %s; starting it again", e->msg);
	err_clear(e);
	return mcpc_list_tools(c, tools, e);
}

static const struct entry *find(const struct mcp_tools *m, const char *name)
{
	for (size_t i = 0; i < m->nentries; i++)
		if (!strcmp(m->entries[i].name, name))
			return &m->entries[i];
	return NULL;
}

static void add_entry(struct mcp_tools *m, const char *name, const char *server, const char *tool)
{
	m->entries = xrealloc(m->entries, (m->nentries + 1) * sizeof(*m->entries));
	m->entries[m->nentries].name = xstrdup(name);
	m->entries[m->nentries].server = xstrdup(server);
	m->entries[m->nentries++].tool = xstrdup(tool);
}

/* Offer server's tool to the model as ns (its name as the model sees it):
 * NULL, or why it is left out (caller frees). */
static char *offer(struct mcp_tools *m, const char *ns, const char *server, const char *tool)
{
	if (tool_find(ns))
		return xasprintf("%s is one of nestor's tools", ns);
	if (find(m, ns)) /* Delete-All and delete_all: one name */
		return xasprintf("%s is already another tool's name", ns);
	add_entry(m, ns, server, tool);
	return NULL;
}

int mcp_tools_list_server(struct mcp_tools *m, const char *server, cJSON **tools, struct err *e)
{
	cJSON *got, *t;

	if (list_server(m, server, &got, e) < 0) {
		*tools = NULL;
		return -1;
	}
	/* objects of nestor's own: a server's keys ("as" twice) say nothing */
	*tools = cJSON_CreateArray();
	cJSON_ArrayForEach(t, got) {
		const cJSON *name = cJSON_GetObjectItemCaseSensitive(t, "name");
		const cJSON *desc = cJSON_GetObjectItemCaseSensitive(t, "description");
		cJSON *o;
		char *ns, *why;

		if (!cJSON_IsString(name))
			continue;
		ns = mcp_tools_name(server, name->valuestring);
		why = offer(m, ns, server, name->valuestring);
		o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "name", name->valuestring);
		cJSON_AddItemToObject(o, "description",
				      cJSON_IsString(desc) ? cJSON_CreateString(desc->valuestring)
							   : cJSON_CreateNull());
		cJSON_AddStringToObject(o, "as", ns);
		cJSON_AddItemToObject(o, "left_out",
				      why ? cJSON_CreateString(why) : cJSON_CreateNull());
		cJSON_AddItemToArray(*tools, o);
		free(why);
		free(ns);
	}
	cJSON_Delete(got);
	return 0;
}

struct gather {
	struct mcp_tools *m;
	cJSON *out;
	struct sbuf bad;
};

static void gather_server(void *arg, const char *server, const char *only)
{
	struct gather *g = arg;
	struct err e = { 0, "" };
	cJSON *tools, *t;

	if (list_server(g->m, server, &tools, &e) < 0) {
		log_warn("mcp: %s", e.msg);
		sbuf_addf(&g->bad, "%s%s", g->bad.len ? "; " : "", e.msg);
		return;
	}
	cJSON_ArrayForEach(t, tools) {
		const cJSON *name = cJSON_GetObjectItemCaseSensitive(t, "name");
		const cJSON *desc = cJSON_GetObjectItemCaseSensitive(t, "description");
		const cJSON *schema = cJSON_GetObjectItemCaseSensitive(t, "inputSchema");
		cJSON *o, *fn;
		char *ns, *why;

		if (!cJSON_IsString(name) || (only && strcmp(only, name->valuestring)))
			continue;
		ns = mcp_tools_name(server, name->valuestring);
		why = offer(g->m, ns, server, name->valuestring);
		if (why) {
			log_warn("mcp: %s: tool %s left out: %s", server, utf8_q(name->valuestring),
				 why);
			free(why);
			free(ns);
			continue;
		}
		o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "type", "function");
		fn = cJSON_AddObjectToObject(o, "function");
		cJSON_AddStringToObject(fn, "name", ns);
		cJSON_AddStringToObject(fn, "description",
					cJSON_IsString(desc) ? desc->valuestring
							     : name->valuestring);
		cJSON_AddItemToObject(fn, "parameters",
				      cJSON_IsObject(schema)
					      ? cJSON_Duplicate(schema, 1)
					      : cJSON_Parse("{\"type\":\"object\"}"));
		cJSON_AddItemToArray(g->out, o);
		free(ns);
	}
	cJSON_Delete(tools);
}

void mcp_tools_schemas(struct mcp_tools *m, const struct assistant *a, cJSON *tools,
		       char **unreachable)
{
	struct gather g = { m, tools, SBUF_INIT };

	forget_entries(m);
	each_entry(a, gather_server, &g);
	*unreachable = g.bad.len ? sbuf_detach(&g.bad) : NULL;
	sbuf_release(&g.bad);
}

bool mcp_tools_has(struct mcp_tools *m, const char *name, const char **server)
{
	const struct entry *en = find(m, name);

	if (en && server)
		*server = en->server;
	return en != NULL;
}

/* The text parts of a result's content, joined. */
static char *content_text(const cJSON *result)
{
	struct sbuf sb = SBUF_INIT;
	const cJSON *c;

	cJSON_ArrayForEach(c, cJSON_GetObjectItemCaseSensitive(result, "content")) {
		const cJSON *type = cJSON_GetObjectItemCaseSensitive(c, "type");
		const cJSON *text = cJSON_GetObjectItemCaseSensitive(c, "text");

		if (cJSON_IsString(type) && !strcmp(type->valuestring, "text") &&
		    cJSON_IsString(text))
			sbuf_addf(&sb, "%s%s", sb.len ? "\n" : "", text->valuestring);
		else if (cJSON_IsString(type))
			sbuf_addf(&sb, "%s[%s content]", sb.len ? "\n" : "", type->valuestring);
	}
	return sbuf_detach(&sb);
}

int mcp_tools_call(struct mcp_tools *m, const char *name, const cJSON *args,
		   const atomic_int *cancel, cJSON **result, struct err *e)
{
	const struct entry *en = find(m, name);
	struct mcpc *c;
	cJSON *r = NULL, *sc;
	char *text;
	int rc;

	*result = NULL;
	if (!en)
		return err_set(e, ERR_USAGE, "unknown tool %s", utf8_q(name));
	c = conn(m, en->server, e);
	if (!c)
		return -1;
	rc = mcpc_call(c, en->tool, args, cancel, &r, e);
	if (rc < 0 && mcpc_dead(c) && !(cancel && atomic_load(cancel))) {
		log_warn("mcp: %s; starting it again", e->msg);
		err_clear(e);
		rc = mcpc_call(c, en->tool, args, cancel, &r, e);
		if (rc < 0)
			err_prefix(e, "after a restart");
	}
	if (rc < 0)
		return -1;
	text = content_text(r);
	if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(r, "isError"))) {
		err_set(e, ERR_FAIL, "%s", *text ? text : "the tool failed");
		free(text);
		cJSON_Delete(r);
		return -1;
	}
	sc = cJSON_DetachItemFromObjectCaseSensitive(r, "structuredContent");
	if (cJSON_IsObject(sc)) {
		*result = sc;
	} else {
		cJSON_Delete(sc);
		*result = cJSON_CreateObject();
		cJSON_AddStringToObject(*result, "text", text);
	}
	free(text);
	cJSON_Delete(r);
	return 0;
}
