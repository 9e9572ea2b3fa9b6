/* The MCP servers table and the approvals of their tools. */
#include "mcpserver.h"
#include "store-int.h"
#include "url.h"
#include "xalloc.h"

#include <cjson/cJSON.h>
#include <ctype.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* The longest variable or header name taken. */
#define CRED_NAME_MAX 64

void mcp_server_release(struct mcp_server *m)
{
	if (!m)
		return;
	free(m->name);
	for (char **a = m->argv; a && *a; a++)
		free(*a);
	free(m->argv);
	free(m->url);
	for (size_t i = 0; i < m->ncreds; i++) {
		free(m->creds[i].name);
		free(m->creds[i].secret);
	}
	free(m->creds);
	memset(m, 0, sizeof(*m));
}

void mcp_server_list_free(struct mcp_server *list, size_t n)
{
	for (size_t i = 0; i < n; i++)
		mcp_server_release(&list[i]);
	free(list);
}

/* The headers nestor sends an MCP server itself (sync/mcpc.c), and those
 * HTTP keeps for the connection. */
static const char *const own_headers[] = {
	"Accept",	  "Connection",
	"Content-Length", "Content-Type",
	"Host",		  "MCP-Protocol-Version",
	"Mcp-Session-Id", "Transfer-Encoding",
	"Upgrade",	  NULL,
};

static int check_cred(const struct mcp_server *m, size_t i, struct err *e)
{
	const struct mcp_cred *c = &m->creds[i];
	const char *what = c->header ? "header" : "variable";
	size_t n = c->name ? strlen(c->name) : 0;

	if (c->header && !m->url)
		return err_set(e, ERR_USAGE, "--header is for a server at a URL (--url)");
	if (!c->header && !m->argv)
		return err_set(e, ERR_USAGE, "--env is for a server nestor starts (-- COMMAND)");
	if (!c->secret || !*c->secret)
		return err_set(e, ERR_USAGE, "%s '%s': no secret named", what,
			       c->name ? c->name : "");
	if (!n || n > CRED_NAME_MAX)
		return err_set(e, ERR_USAGE, "bad %s name '%s': 1-%d characters", what,
			       c->name ? c->name : "", CRED_NAME_MAX);
	if (c->header) {
		if (strspn(c->name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
				    "0123456789!#$%&'*+-.^_`|~") != n)
			return err_set(e, ERR_USAGE,
				       "bad header name '%s': letters, digits and !#$%%&'*+-.^_`|~",
				       c->name);
		for (const char *const *h = own_headers; *h; h++)
			if (!strcasecmp(c->name, *h))
				return err_set(e, ERR_USAGE, "header '%s' is nestor's to send",
					       c->name);
	} else {
		if (strspn(c->name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
				    "0123456789_") != n ||
		    (c->name[0] >= '0' && c->name[0] <= '9'))
			return err_set(e, ERR_USAGE,
				       "bad variable name '%s': letters, digits and _, not first a "
				       "digit",
				       c->name);
		if (!strncmp(c->name, "NESTOR_", 7) || !strncmp(c->name, "LD_", 3))
			return err_set(e, ERR_USAGE,
				       "variable '%s' refused: NESTOR_* and LD_* are not a "
				       "server's to get",
				       c->name);
	}
	if (c->bearer && !c->header)
		return err_set(e, ERR_USAGE, "a bearer token is a header's");
	for (size_t j = 0; j < i; j++)
		if (m->creds[j].header == c->header &&
		    (c->header ? !strcasecmp(m->creds[j].name, c->name)
			       : !strcmp(m->creds[j].name, c->name)))
			return err_set(e, ERR_USAGE, "%s '%s' given twice", what, c->name);
	return 0;
}

/* Whether an option's name (--api-key, --accessToken; up to '=') names a
 * secret, by its last word (words split at '-' and '_', case-folded):
 * one ending in token, secret, password, passwd or credential(s), or
 * apikey, accesskey, secretkey, privatekey; or the word key alone or after
 * api, access, secret, private, auth, client, master or session.  So
 * --max-tokens, --token-file, --auth-type, --primary-key, --hotkey and
 * --api-key-env are not, and a negation (--no-...) never is. */
static bool secret_option(const char *name)
{
	static const char *const ends[] = { "token",	  "secret",	 "password", "passwd",
					    "credential", "credentials", "apikey",   "accesskey",
					    "secretkey",  "privatekey" };
	static const char *const keyed[] = { "api",  "access", "secret", "private",
					     "auth", "client", "master", "session" };
	char last[64] = "", prev[64] = "";
	const char *p = name + strspn(name, "-");
	size_t n = 0;

	if (!strncasecmp(p, "no-", 3) || !strncasecmp(p, "no_", 3))
		return false;
	for (; *p && *p != '='; p++) {
		if (*p == '-' || *p == '_') {
			if (n) {
				memcpy(prev, last, sizeof(prev));
				n = 0;
			}
			continue;
		}
		if (n == 0)
			last[0] = '\0';
		if (n + 1 < sizeof(last)) {
			last[n++] = (char)tolower((unsigned char)*p);
			last[n] = '\0';
		}
	}
	for (size_t i = 0; i < sizeof(ends) / sizeof(ends[0]); i++) {
		size_t k = strlen(ends[i]), m = strlen(last);

		if (m >= k && !strcmp(last + m - k, ends[i]))
			return true;
	}
	if (strcmp(last, "key"))
		return false;
	if (!*prev)
		return true;
	for (size_t i = 0; i < sizeof(keyed) / sizeof(keyed[0]); i++)
		if (!strcmp(prev, keyed[i]))
			return true;
	return false;
}

/* Whether s holds a well-known key's form at its start or after a
 * character that is not a letter or a digit: sk- and 20 or more of
 * [A-Za-z0-9_-] (OpenAI's and others'), ghp_ and 20 or more (GitHub's),
 * xoxb- or xoxp- and 10 or more (Slack's). */
static bool secret_value(const char *s)
{
	static const struct {
		const char *prefix;
		size_t min;
	} forms[] = { { "sk-", 20 }, { "ghp_", 20 }, { "xoxb-", 10 }, { "xoxp-", 10 } };
	static const char body[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
				   "0123456789_-";

	for (const char *p = s; *p; p++) {
		if (p > s && isalnum((unsigned char)p[-1]))
			continue;
		for (size_t i = 0; i < sizeof(forms) / sizeof(forms[0]); i++) {
			size_t k = strlen(forms[i].prefix);

			if (!strncmp(p, forms[i].prefix, k) && strspn(p + k, body) >= forms[i].min)
				return true;
		}
	}
	return false;
}

/* The command's arguments hold no secret: it would be kept in the
 * database (and shown by mcp list).  An option naming a secret with a
 * value (--api-key=V, or --api-key V), or a value of a key's form, is
 * refused, naming the argument (1: the first after COMMAND), not its
 * value. */
static int check_argv(char *const *argv, struct err *e)
{
	static const char how[] =
		"give it with --env VAR=SECRET (the nestor secret SECRET, set by 'nestor "
		"secret set SECRET', in the server's VAR) instead";

	for (size_t i = 0; argv && argv[i]; i++) {
		const char *a = argv[i], *eq = strchr(a, '=');
		bool option = i > 0 && a[0] == '-' && a[1] && secret_option(a);

		if (option && eq && eq[1])
			return err_set(e, ERR_USAGE,
				       "argument %zu of the command (%.*s) holds a secret: %s", i,
				       (int)(eq - a < 40 ? eq - a : 40), a, how);
		if (option && !eq && argv[i + 1] && argv[i + 1][0] != '-')
			return err_set(
				e, ERR_USAGE,
				"argument %zu of the command, the value of %.40s, is a secret: %s",
				i + 1, a, how);
		if (secret_value(a) && i)
			return err_set(
				e, ERR_USAGE,
				"argument %zu of the command looks like a key (sk-, ghp_, xoxb-, "
				"xoxp-): %s",
				i, how);
		if (secret_value(a))
			return err_set(e, ERR_USAGE,
				       "the command looks like a key (sk-, ghp_, xoxb-, xoxp-): %s",
				       how);
	}
	return 0;
}

int mcp_server_check(const struct mcp_server *m, struct err *e)
{
	size_t n = m->name ? strlen(m->name) : 0;

	if (!n || n > 32 || strspn(m->name, "abcdefghijklmnopqrstuvwxyz0123456789_-") != n)
		return err_set(e, ERR_USAGE, "bad name '%s': use 1-32 of a-z, 0-9, _ and -",
			       m->name ? m->name : "");
	if (!(m->argv && m->argv[0]) == !m->url)
		return err_set(e, ERR_USAGE,
			       "give either a command (-- COMMAND [ARGS...]) or --url");
	if (url_check_secretless("URL", m->url, 0,
				 "send it with --header NAME=SECRET or --bearer SECRET", e) < 0)
		return -1;
	if (check_argv(m->argv, e) < 0)
		return -1;
	if (m->url && strncmp(m->url, "http://", 7) && strncmp(m->url, "https://", 8))
		return err_set(e, ERR_USAGE, "bad URL '%s': http:// or https:// expected", m->url);
	if (m->ncreds > MCP_CREDS_MAX)
		return err_set(e, ERR_USAGE, "%zu variables and headers: %d at most", m->ncreds,
			       MCP_CREDS_MAX);
	for (size_t i = 0; i < m->ncreds; i++)
		if (check_cred(m, i, e) < 0)
			return -1;
	return 0;
}

/* The creds as stored: [{"env"|"header": NAME, "secret": S, "bearer": true}]. */
static char *creds_json(const struct mcp_server *m)
{
	cJSON *arr;
	char *s;

	if (!m->ncreds)
		return NULL;
	arr = cJSON_CreateArray();
	for (size_t i = 0; i < m->ncreds; i++) {
		cJSON *o = cJSON_CreateObject();

		cJSON_AddStringToObject(o, m->creds[i].header ? "header" : "env", m->creds[i].name);
		cJSON_AddStringToObject(o, "secret", m->creds[i].secret);
		if (m->creds[i].bearer)
			cJSON_AddTrueToObject(o, "bearer");
		cJSON_AddItemToArray(arr, o);
	}
	s = cJSON_PrintUnformatted(arr);
	cJSON_Delete(arr);
	return s;
}

static void creds_read(struct mcp_server *m, const char *text)
{
	cJSON *arr = text ? cJSON_Parse(text) : NULL, *o;

	m->creds = NULL;
	m->ncreds = 0;
	if (!cJSON_IsArray(arr)) {
		cJSON_Delete(arr);
		return;
	}
	m->creds = xcalloc((size_t)cJSON_GetArraySize(arr) + 1, sizeof(*m->creds));
	cJSON_ArrayForEach(o, arr) {
		const cJSON *env = cJSON_GetObjectItemCaseSensitive(o, "env");
		const cJSON *hdr = cJSON_GetObjectItemCaseSensitive(o, "header");
		const cJSON *sec = cJSON_GetObjectItemCaseSensitive(o, "secret");
		const cJSON *name = cJSON_IsString(hdr) ? hdr : env;
		struct mcp_cred *c = &m->creds[m->ncreds];

		if (!cJSON_IsString(name) || !cJSON_IsString(sec))
			continue;
		c->name = xstrdup(name->valuestring);
		c->secret = xstrdup(sec->valuestring);
		c->header = name == hdr;
		c->bearer = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(o, "bearer"));
		m->ncreds++;
	}
	cJSON_Delete(arr);
}

int mcp_server_add(struct store *s, struct mcp_server *m, time_t now, struct err *e)
{
	sqlite3_stmt *st;
	char *argv = NULL, *creds;
	int rc;

	if (mcp_server_check(m, e) < 0)
		return -1;
	if (m->argv) {
		cJSON *arr = cJSON_CreateArray();

		for (char **a = m->argv; *a; a++)
			cJSON_AddItemToArray(arr, cJSON_CreateString(*a));
		argv = cJSON_PrintUnformatted(arr);
		cJSON_Delete(arr);
	}
	creds = creds_json(m);
	st = store_prepare(s,
			   "INSERT INTO mcp_servers (name, argv, url, created_at, creds) "
			   "VALUES (?, ?, ?, ?, ?)",
			   e);
	if (!st) {
		free(argv);
		free(creds);
		return -1;
	}
	store_bind_text(st, 1, m->name);
	store_bind_text(st, 2, argv);
	store_bind_text(st, 3, m->url);
	sqlite3_bind_int64(st, 4, now);
	store_bind_text(st, 5, creds);
	rc = sqlite3_step(st);
	free(argv);
	free(creds);
	if (rc != SQLITE_DONE && store_duplicate(s)) {
		store_end(s, st);
		return err_set(e, ERR_USAGE, "an MCP server named '%s' exists", m->name);
	}
	if (rc != SQLITE_DONE) {
		store_error(s, e, "mcp add");
		store_end(s, st);
		return -1;
	}
	store_end(s, st);
	m->id = sqlite3_last_insert_rowid(s->db);
	m->created_at = now;
	return 0;
}

static void from_row(sqlite3_stmt *st, void *elem)
{
	struct mcp_server *m = elem;
	const char *argv = (const char *)sqlite3_column_text(st, 2);

	m->id = sqlite3_column_int64(st, 0);
	m->name = store_col_text(st, 1);
	m->url = store_col_text(st, 3);
	m->created_at = (time_t)sqlite3_column_int64(st, 4);
	creds_read(m, (const char *)sqlite3_column_text(st, 5));
	m->argv = NULL;
	if (argv) {
		cJSON *arr = cJSON_Parse(argv), *a;
		size_t i = 0;

		m->argv = xcalloc((size_t)cJSON_GetArraySize(arr) + 1, sizeof(char *));
		cJSON_ArrayForEach(a, arr)
			if (cJSON_IsString(a))
				m->argv[i++] = xstrdup(a->valuestring);
		cJSON_Delete(arr);
	}
}

static void release_elem(void *elem)
{
	mcp_server_release(elem);
}

#define SERVER_COLS "SELECT id, name, argv, url, created_at, creds FROM mcp_servers"

int mcp_server_list(struct store *s, struct mcp_server **out, size_t *n, struct err *e)
{
	sqlite3_stmt *st = store_prepare(s, SERVER_COLS " ORDER BY name", e);

	if (!st)
		return -1;
	return store_collect(s, st, sizeof(**out), from_row, release_elem, (void **)out, n,
			     "mcp list", e);
}

int mcp_server_get(struct store *s, const char *name, struct mcp_server *out, struct err *e)
{
	sqlite3_stmt *st = store_prepare(s, SERVER_COLS " WHERE name = ?", e);
	int rc;

	if (!st)
		return -1;
	store_bind_text(st, 1, name);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		from_row(st, out);
	else if (rc != SQLITE_DONE)
		store_error(s, e, "mcp");
	store_end(s, st);
	if (rc == SQLITE_ROW)
		return 0;
	if (rc == SQLITE_DONE)
		err_set(e, ERR_NOTFOUND, "no MCP server named '%s'", name);
	return -1;
}

int mcp_server_rm(struct store *s, const char *name, struct err *e)
{
	sqlite3_stmt *st = store_prepare(s, "DELETE FROM mcp_servers WHERE name = ?", e);
	int rc;

	if (!st)
		return -1;
	store_bind_text(st, 1, name);
	rc = sqlite3_step(st);
	if (rc != SQLITE_DONE)
		store_error(s, e, "mcp rm");
	store_end(s, st);
	if (rc != SQLITE_DONE)
		return -1;
	if (sqlite3_changes(s->db) == 0)
		return err_set(e, ERR_NOTFOUND, "no MCP server named '%s'", name);
	return 0;
}

int mcp_approval_get(struct store *s, long long assistant_id, const char *tool,
		     enum mcp_approval *out, struct err *e)
{
	sqlite3_stmt *st = store_prepare(
		s, "SELECT allow FROM mcp_approvals WHERE assistant_id = ? AND tool = ?", e);
	int rc;

	*out = MCP_ASK;
	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, assistant_id);
	store_bind_text(st, 2, tool);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*out = sqlite3_column_int(st, 0) ? MCP_ALWAYS : MCP_NEVER;
	else if (rc != SQLITE_DONE)
		store_error(s, e, "mcp approval");
	store_end(s, st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : -1;
}

int mcp_approval_set(struct store *s, long long assistant_id, const char *tool, enum mcp_approval a,
		     struct err *e)
{
	sqlite3_stmt *st = store_prepare(
		s,
		a == MCP_ASK
			? "DELETE FROM mcp_approvals WHERE assistant_id = ? AND tool = ?"
			: "INSERT INTO mcp_approvals (assistant_id, tool, allow) VALUES (?, ?, ?)"
			  " ON CONFLICT (assistant_id, tool) DO UPDATE SET allow = excluded.allow",
		e);
	int rc;

	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, assistant_id);
	store_bind_text(st, 2, tool);
	if (a != MCP_ASK)
		sqlite3_bind_int(st, 3, a == MCP_ALWAYS);
	rc = sqlite3_step(st);
	if (rc != SQLITE_DONE)
		store_error(s, e, "mcp approval");
	store_end(s, st);
	return rc == SQLITE_DONE ? 0 : -1;
}
