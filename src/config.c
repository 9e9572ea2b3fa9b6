#include "config.h"
#include "gcal.h"
#include "openmeteo.h"
#include "paths.h"
#include "redis.h"
#include "secret.h"
#include "syncer.h"
#include "tgapi.h"
#include "when.h"
#include "tz.h"
#include "url.h"
#include "utf8.h"
#include "xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <glib.h>
#include <limits.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

/* Every key nestor reads.  Keep sorted by section; man/nestor.conf.5 lists the same. */
const struct config_key config_keys[] = {
	{ "general.timezone", CONFIG_ZONE, NULL, NULL,
	  "IANA zone for display and date parsing (default: $TZ or the system zone)" },
	{ "general.location", CONFIG_STRING, NULL, NULL, "default place for weather" },
	{ "general.log_level", CONFIG_ENUM, "info", "debug|info|warn|error|off",
	  "log level (NESTOR_LOG overrides)" },
	{ "general.language", CONFIG_ENUM, "auto", "auto|en|ru",
	  "reply language of the offline assistant" },
	{ "general.date_order", CONFIG_ENUM, "auto", "auto|dmy|mdy|ymd",
	  "how numeric dates like 5.12 or 5/12 are read (auto: from the locale)" },
	{ "llm.max_steps", CONFIG_INT, "8", "1..64",
	  "most model requests in one turn of an llm assistant (sub-assistants', summaries too)" },
	{ "llm.show_reasoning", CONFIG_BOOL, "false", NULL,
	  "show a reasoning model's thinking, dimmed, before its reply in the chat" },
	{ "llm.stream", CONFIG_BOOL, "true", NULL,
	  "stream replies as they are written (false: wait for the whole answer)" },
	{ "llm.summarize", CONFIG_BOOL, "false", NULL,
	  "have the model summarise turns that no longer fit the token budget" },
	{ "llm.timeout", CONFIG_INT, "120", "1..3600",
	  "seconds to wait for an llm server to send anything before giving up" },
	{ "llm.request_timeout", CONFIG_INT, "300", "1..86400",
	  "seconds one request to an llm server may last, keep-alives or not" },
	{ "mcp.timeout", CONFIG_INT, "30", "1..3600",
	  "seconds an MCP server's tool may take before the call is reported failed" },
	{ "weather.units", CONFIG_ENUM, "metric", "metric|imperial",
	  "units of the weather: metric (°C, km/h, mm) or imperial (°F, mph, inch)" },
	{ "weather.cache_ttl", CONFIG_INT, "1800", "0..86400",
	  "seconds a forecast is kept in the cache (0: not cached)" },
	{ "weather.timeout", CONFIG_INT, "10", "1..120",
	  "seconds before a weather request gives up" },
	{ "weather.forecast_url", CONFIG_STRING, OPENMETEO_FORECAST_URL, NULL,
	  "Open-Meteo forecast API" },
	{ "weather.geocoding_url", CONFIG_STRING, OPENMETEO_GEOCODING_URL, NULL,
	  "Open-Meteo geocoding API" },
	{ "weather.key_secret", CONFIG_STRING, NULL, NULL,
	  "name of the secret holding an Open-Meteo API key (paid plan), sent as apikey to "
	  "both the forecast and the geocoding host" },
	{ "google.client_id", CONFIG_STRING, NULL, NULL,
	  "OAuth client id of a Desktop app (its secret: the secret google_client_secret)" },
	{ "google.conflict", CONFIG_ENUM, "newest", "newest|remote|local",
	  "an event changed both here and in Google: the newest change wins, or Google, or here" },
	{ "google.interval", CONFIG_INT, "300", "10..86400",
	  "seconds between Google syncs of the daemon (and right after a local change)" },
	{ "google.page_size", CONFIG_INT, "250", "1..2500", "events per Google list request" },
	{ "google.timeout", CONFIG_INT, "30", "1..600",
	  "seconds before a Google request gives up" },
	{ "google.auth_url", CONFIG_STRING, GCAL_AUTH_URL, NULL, "Google's OAuth consent page" },
	{ "google.token_url", CONFIG_STRING, GCAL_TOKEN_URL, NULL,
	  "Google's OAuth token endpoint" },
	{ "google.revoke_url", CONFIG_STRING, GCAL_REVOKE_URL, NULL,
	  "Google's OAuth revocation endpoint" },
	{ "google.api_url", CONFIG_STRING, GCAL_API_URL, NULL,
	  "base URL of the Calendar API (paths such as /calendar/v3/... are appended)" },
	{ "scheduler.catch_up", CONFIG_ENUM, "once", "once|all|skip",
	  "a recurring reminder missed while nothing ran: fire once, every time, or not" },
	{ "scheduler.lease", CONFIG_INT, "60", "2..86400",
	  "seconds a claimed job stays claimed before another process may take it over" },
	{ "notify.channels", CONFIG_STRING, NULL, NULL,
	  "channels of a reminder added without --channel (unset: those that work where it "
	  "fires)" },
	{ "notify.command", CONFIG_STRING, NULL, NULL,
	  "program for the command channel, run without a shell; the text is its last argument" },
	{ "notify.global", CONFIG_STRING, "telegram", NULL,
	  "channels delivered once across all devices of a server (telegram always is)" },
	{ "server.postgres", CONFIG_STRING, NULL, NULL,
	  "PostgreSQL connection URI of the shared store, without a password (unset: no sync)" },
	{ "server.user", CONFIG_STRING, NULL, NULL,
	  "the user this device acts as (default: its first user); --user overrides" },
	{ "server.device", CONFIG_STRING, NULL, NULL,
	  "this device's name for people (default: the host name)" },
	{ "server.redis", CONFIG_STRING, NULL, NULL,
	  "Redis URL redis://[USER@]HOST:PORT/DB, the password in the secret `redis`: Telegram "
	  "updates go through a stream to `nestor worker` processes (unset: the relay handles "
	  "them itself)" },
	{ "server.batch", CONFIG_INT, "500", "1..10000", "changes per push or pull request" },
	{ "server.timeout", CONFIG_INT, "30", "1..3600",
	  "seconds to wait for the PostgreSQL server before a sync round fails" },
	{ "serve.enable", CONFIG_BOOL, "false", NULL,
	  "nestor daemon serves the HTTP API too, as nestor serve would" },
	{ "serve.listen", CONFIG_STRING, "127.0.0.1:8765", NULL,
	  "address and port of nestor serve (beyond loopback: TLS or --insecure)" },
	{ "serve.rate_limit", CONFIG_INT, "600", "0..1000000",
	  "requests per minute each token of nestor serve may make (0: no limit)" },
	{ "serve.max_connections", CONFIG_INT, "256", "1..100000",
	  "connections nestor serve serves at once; more are closed unanswered" },
	{ "serve.max_per_address", CONFIG_INT, "64", "1..100000",
	  "connections nestor serve serves at once from one address (a proxy is one)" },
	{ "serve.max_jobs", CONFIG_INT, "16", "1..1024",
	  "assistant turns and MCP tool calls nestor serve runs at once; more are answered 503" },
	{ "serve.grace", CONFIG_INT, "10", "0..3600",
	  "seconds nestor serve, told to stop, waits for the requests and turns in progress to be "
	  "answered before it cancels them (a second signal cancels them at once)" },
	{ "serve.origins", CONFIG_STRING, NULL, NULL,
	  "web origins besides loopback allowed to call /mcp (comma-separated)" },
	{ "serve.keepalive", CONFIG_INT, "15", "0..3600",
	  "seconds of silence after which a stream (SSE) gets a comment line (0: never)" },
	{ "serve.tls_cert", CONFIG_STRING, NULL, NULL,
	  "PEM certificate file of the HTTP API (--tls-cert overrides)" },
	{ "serve.tls_key", CONFIG_STRING, NULL, NULL,
	  "PEM private key file of the HTTP API (--tls-key overrides)" },
	{ "telegram.api_url", CONFIG_STRING, TG_DEFAULT_URL, NULL,
	  "the Telegram Bot API (the bot token is the secret \"telegram\")" },
	{ "telegram.poll_timeout", CONFIG_INT, "25", "1..50",
	  "seconds one getUpdates long poll may wait for a message" },
	{ "telegram.send_timeout", CONFIG_INT, "15000", "1000..60000",
	  "milliseconds a Bot API call may take (getUpdates: its long poll more)" },
	{ "telegram.chat_interval", CONFIG_INT, "1000", "0..60000",
	  "milliseconds between two messages to one chat" },
	{ "telegram.rate", CONFIG_INT, "30", "1..1000",
	  "messages per second to all chats at most" },
	{ "telegram.lock_ttl", CONFIG_INT, "10000", "2000..600000",
	  "with server.redis: milliseconds the poller's lock lasts unless renewed (a standby "
	  "relay takes over after that)" },
	{ "telegram.claim_idle", CONFIG_INT, "30000", "100..3600000",
	  "with server.redis: milliseconds an update may sit with a stopped worker (dead, "
	  "frozen) before another worker takes it over (a live one keeps it)" },
	{ "telegram.max_attempts", CONFIG_INT, "5", "1..100",
	  "with server.redis: deliveries of an update before it goes to the dead letters" },
	{ "ui.color", CONFIG_BOOL, "true", NULL,
	  "colours in the TUI (NO_COLOR in the environment turns them off too)" },
	{ "ui.side_pane", CONFIG_ENUM, "auto", "auto|on|off",
	  "the TUI's side pane: auto shows it from 100 columns" },
	{ NULL, 0, NULL, NULL, NULL },
};

/* The TUI reads the config on its UI and scheduler threads while a
 * `/config set` runs on its worker: lock guards kf, vals and retired. */
struct config {
	char *path;
	pthread_mutex_t lock;
	GKeyFile *kf;
	GHashTable *vals;    /* key -> value read from kf; owns the strings config_get returns */
	GPtrArray *retired;  /* values replaced by config_set, kept until config_free */
	GHashTable *changed; /* key -> value config_set since the last config_save */
};

const struct config_key *config_lookup(const char *key)
{
	for (const struct config_key *k = config_keys; k->key; k++)
		if (!strcmp(k->key, key))
			return k;
	return NULL;
}

/* Split "section.name" into its halves; -1 when there is no dot. */
static int split_key(const char *key, char *section, size_t slen, const char **name)
{
	const char *dot = strchr(key, '.');

	if (!dot || dot == key || !dot[1] || (size_t)(dot - key) >= slen)
		return -1;
	memcpy(section, key, (size_t)(dot - key));
	section[dot - key] = '\0';
	*name = dot + 1;
	return 0;
}

/* The line of `name =` inside [section] of path, for error messages; 0 if
 * unknown.  A section or key given twice: the last one, whose value is read. */
static int find_line(const char *path, const char *section, const char *name)
{
	FILE *f = fopen(path, "r");
	char *line = NULL, cur[256] = "";
	size_t cap = 0;
	int n = 0, found = 0;

	if (!f)
		return 0;
	/* whole lines, however long: a long comment is one line */
	while (getline(&line, &cap, f) >= 0) {
		char *p = line;

		if (++n == 1 && !strncmp(p, "\xef\xbb\xbf", 3))
			p += 3; /* a byte order mark */
		while (*p == ' ' || *p == '\t')
			p++;
		if (*p == '[') {
			char *end = strchr(p, ']');

			if (end && (size_t)(end - p - 1) < sizeof(cur)) {
				memcpy(cur, p + 1, (size_t)(end - p - 1));
				cur[end - p - 1] = '\0';
			}
		} else if (!strcmp(cur, section) && !strncmp(p, name, strlen(name))) {
			char *q = p + strlen(name);

			while (*q == ' ' || *q == '\t')
				q++;
			if (*q == '=')
				found = n;
		}
	}
	free(line);
	fclose(f);
	return found;
}

/* Check value against the key's type; fill e (without location) when invalid. */
static int check_value(const struct config_key *k, const char *value, struct err *e)
{
	char *end;
	long v, lo, hi;

	if (utf8_check_bytes(k->key, value, 0, e) < 0)
		return -1;
	switch (k->type) {
	case CONFIG_STRING:
		return !strcmp(k->key, "server.device") && *value ? syncer_check_device(value, e)
								  : 0;
	case CONFIG_ZONE:
		if (!*value || tz_is_utc(value) || tz_is_system(value))
			return 0;
		return err_set(e, ERR_USAGE,
			       "%s must be a time zone such as Europe/Berlin (got %s)", k->key,
			       utf8_q(value));
	case CONFIG_INT:
		errno = 0;
		v = strtol(value, &end, 10);
		if (errno || end == value || *end)
			return err_set(e, ERR_USAGE, "%s must be an integer (got %s)", k->key,
				       utf8_q(value));
		if (k->choices && sscanf(k->choices, "%ld..%ld", &lo, &hi) == 2 &&
		    (v < lo || v > hi))
			return err_set(e, ERR_USAGE, "%s must be %ld-%ld (got %s)", k->key, lo, hi,
				       utf8_q(value));
		return 0;
	case CONFIG_BOOL:
		if (!strcasecmp(value, "true") || !strcasecmp(value, "false") ||
		    !strcmp(value, "1") || !strcmp(value, "0") || !strcasecmp(value, "yes") ||
		    !strcasecmp(value, "no"))
			return 0;
		return err_set(e, ERR_USAGE, "%s must be true or false (got %s)", k->key,
			       utf8_q(value));
	case CONFIG_ENUM: {
		size_t n = strlen(value);
		const char *p = k->choices;

		while (p && *p) {
			const char *bar = strchr(p, '|');
			size_t len = bar ? (size_t)(bar - p) : strlen(p);

			if (len == n && !strncmp(p, value, n))
				return 0;
			p = bar ? bar + 1 : NULL;
		}
		return err_set(e, ERR_USAGE, "%s must be one of %s (got %s)", k->key, k->choices,
			       utf8_q(value));
	}
	}
	return 0;
}

/* A key that holds a URL holds no password (url.h): server.postgres,
 * server.redis and every *_url; weather's key goes in weather.key_secret,
 * which names a secret. */
static int secretless(const struct config_key *k, const char *value, struct err *e)
{
	size_t n = strlen(k->key);

	if (!strcmp(k->key, "weather.key_secret")) {
		if (*value && secret_check_name(value, e) < 0) {
			err_prefix(e, "%s", k->key);
			return -1;
		}
		return 0;
	}
	if (!strncmp(k->key, "weather.", 8) && n > 4 && !strcmp(k->key + n - 4, "_url"))
		return url_check_secretless(k->key, value, URL_INSTEAD_PARAM,
					    "store the key with `nestor secret set NAME`, then "
					    "`nestor config set weather.key_secret NAME`",
					    e);

	if (!strcmp(k->key, "server.postgres"))
		return syncer_check_uri(value, e);
	if (!strcmp(k->key, "server.redis"))
		return url_check_secretless(k->key, value, URL_USER_OK,
					    "store it with `nestor secret set " RDS_SECRET "`", e);
	if (n > 4 && !strcmp(k->key + n - 4, "_url"))
		return url_check_secretless(k->key, value, 0, NULL, e);
	return 0;
}

/* "FILE:LINE: " and what follows, to warn (when there is one to tell). */
static void warn_at(struct config *c, int line, void (*warn)(const char *), const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static void warn_at(struct config *c, int line, void (*warn)(const char *), const char *fmt, ...)
{
	va_list ap;
	char *what, *msg;

	if (!warn)
		return;
	va_start(ap, fmt);
	what = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	msg = xasprintf("%s:%d: %s", c->path, line, what);
	warn(msg);
	free(msg);
	g_free(what);
}

/* A password already in the file is not refused (the key can still be
 * changed with config set), but said on every start. */
static void warn_secret(struct config *c, const struct config_key *k, const char *v, int line,
			void (*warn)(const char *))
{
	struct err se = { 0, "" };

	if (warn && secretless(k, v, &se) < 0)
		warn_at(c, line, warn, "%s", se.msg);
}

/* One known key of the file.  A value an older nestor read is not refused
 * here, or no command, not even the `config set` that would repair it,
 * could run: it is warned about and read as the older one did.  A value
 * that is not UTF-8 is unset (GLib reads it so); a device's name is
 * cleaned as a name from another device is (syncer_device_name). */
static int validate_key(struct config *c, const struct config_key *k, const char *section,
			const char *name, int line, void (*warn)(const char *), struct err *e)
{
	gchar *v = g_key_file_get_string(c->kf, section, name, NULL);
	bool device = !strcmp(k->key, "server.device");
	struct err ve = { 0, "" };
	int rc = 0;

	if (!v) {
		v = g_key_file_get_value(c->kf, section, name, NULL);
		if (!v)
			return 0;
		if (!device && utf8_check_bytes(k->key, v, 0, &ve) < 0) {
			warn_at(c, line, warn, "%s; read as unset", ve.msg);
			g_free(v);
			return 0;
		}
	}
	if (device && *v && syncer_check_device(v, &ve) < 0) {
		char *clean = syncer_device_name(v);

		warn_at(c, line, warn, "%s; read as %s (`nestor config set %s NAME` replaces it)",
			ve.msg, utf8_q(clean), k->key);
		g_hash_table_insert(c->vals, g_strdup(k->key), g_strdup(clean));
		free(clean);
	} else if (check_value(k, v, e) < 0) {
		err_prefix(e, "%s:%d", c->path, line);
		rc = -1;
	} else {
		warn_secret(c, k, v, line, warn);
	}
	g_free(v);
	return rc;
}

static int validate(struct config *c, void (*warn)(const char *), struct err *e)
{
	gchar **groups = g_key_file_get_groups(c->kf, NULL);
	int rc = 0;

	for (gchar **g = groups; rc == 0 && *g; g++) {
		gchar **keys = g_key_file_get_keys(c->kf, *g, NULL, NULL);

		for (gchar **k = keys; keys && *k; k++) {
			char *full = xasprintf("%s.%s", *g, *k);
			const struct config_key *ck = config_lookup(full);
			int line = find_line(c->path, *g, *k);

			if (!ck) {
				warn_at(c, line, warn, "unknown key '%s' ignored", full);
			} else {
				rc = validate_key(c, ck, *g, *k, line, warn, e);
			}
			free(full);
			if (rc)
				break;
		}
		g_strfreev(keys);
	}
	g_strfreev(groups);
	return rc;
}

/* A file saved by an editor that marks UTF-8 with a byte order mark (EF BB
 * BF): the mark is not part of the first line. */
static const char *skip_bom(const char *text, gsize *len)
{
	if (*len >= 3 && !memcmp(text, "\xef\xbb\xbf", 3)) {
		*len -= 3;
		return text + 3;
	}
	return text;
}

/* The text without its BOM, the length computed before it is passed: the
 * order a call's arguments are evaluated in is unspecified. */
static gboolean load_text(GKeyFile *kf, gchar *text, gsize len, GError **gerr)
{
	const gchar *start = skip_bom(text, &len);

	return g_key_file_load_from_data(
		kf, start, len, G_KEY_FILE_KEEP_COMMENTS | G_KEY_FILE_KEEP_TRANSLATIONS, gerr);
}

/* No file is no configuration: asked before GLib reads it, which on a
 * missing file formats an error nobody reads (the file's name and
 * strerror's text converted to UTF-8 bind gettext's catalog and map
 * iconv's module cache: 9 system calls where access() is one).  Any other failure is GLib's to
 * report, in its words. */
static bool file_missing(const char *path)
{
	return access(path, F_OK) < 0 && errno == ENOENT;
}

/* Read the file at path into kf (no file: nothing), comments kept. */
static int read_file(const char *path, GKeyFile *kf, struct err *e)
{
	GError *gerr = NULL;
	gchar *text = NULL;
	gsize len = 0;
	int rc = 0;

	if (!file_missing(path) &&
	    (!g_file_get_contents(path, &text, &len, &gerr) || !load_text(kf, text, len, &gerr))) {
		if (!g_error_matches(gerr, G_FILE_ERROR, G_FILE_ERROR_NOENT)) {
			/* GLib quotes the line it could not read, binary and all */
			char *msg = utf8_clean_str(gerr->message, UTF8_PRINTABLE);
			size_t n = strlen(msg);

			rc = err_set(e, ERR_FAIL, "%s: %.*s%s", path,
				     (int)(n > 200 ? utf8_cut(msg, 200) : n), msg,
				     n > 200 ? "…" : "");
			free(msg);
		}
		g_error_free(gerr);
	}
	g_free(text);
	return rc;
}

struct config *config_load(const char *path, void (*warn)(const char *), struct err *e)
{
	struct config *c = xcalloc(1, sizeof(*c));

	c->path = xstrdup(path);
	pthread_mutex_init(&c->lock, NULL);
	c->kf = g_key_file_new();
	c->vals = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
	c->retired = g_ptr_array_new_with_free_func(g_free);
	c->changed = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
	if (read_file(path, c->kf, e) < 0 || validate(c, warn, e) < 0) {
		config_free(c);
		return NULL;
	}
	return c;
}

void config_free(struct config *c)
{
	if (!c)
		return;
	g_key_file_free(c->kf);
	g_hash_table_destroy(c->vals);
	g_ptr_array_free(c->retired, TRUE);
	g_hash_table_destroy(c->changed);
	pthread_mutex_destroy(&c->lock);
	free(c->path);
	free(c);
}

const char *config_path(const struct config *c)
{
	return c->path;
}

/* Whether the file sets section.name.  The group is asked first: GLib
 * words its error for a missing group (or key) through gettext even when
 * no error is asked for, and its first use binds the catalog. */
static bool has_key(GKeyFile *kf, const char *section, const char *name)
{
	return g_key_file_has_group(kf, section) && g_key_file_has_key(kf, section, name, NULL);
}

bool config_is_set(struct config *c, const char *key)
{
	char section[128];
	const char *name;
	bool set;

	if (split_key(key, section, sizeof(section), &name) < 0)
		return false;
	pthread_mutex_lock(&c->lock);
	set = has_key(c->kf, section, name);
	pthread_mutex_unlock(&c->lock);
	return set;
}

/* The value of key in vals, read into it from kf the first time. */
static const char *get_locked(struct config *c, const char *key)
{
	const struct config_key *k = config_lookup(key);
	char section[128];
	const char *name;
	gchar *v = g_hash_table_lookup(c->vals, key);

	if (v)
		return v;
	if (split_key(key, section, sizeof(section), &name) < 0)
		return NULL;
	v = has_key(c->kf, section, name) ? g_key_file_get_string(c->kf, section, name, NULL)
					  : NULL;
	if (!v)
		return k ? k->def : NULL;
	g_hash_table_insert(c->vals, g_strdup(key), v);
	return v;
}

const char *config_get(struct config *c, const char *key)
{
	const char *v;

	pthread_mutex_lock(&c->lock);
	v = get_locked(c, key);
	pthread_mutex_unlock(&c->lock);
	return v;
}

long config_get_int(struct config *c, const char *key)
{
	const char *v = config_get(c, key);

	return v ? strtol(v, NULL, 10) : 0;
}

bool config_get_bool(struct config *c, const char *key)
{
	const char *v = config_get(c, key);

	return v && (!strcasecmp(v, "true") || !strcmp(v, "1") || !strcasecmp(v, "yes"));
}

/* A Redis URL is parsed before it is written down: a password in it must
 * not reach the file, and the error never quotes it (rds_url_parse). */
static int redis_ok(const char *url, struct err *e)
{
	char host[128], user[RDS_USER_MAX];
	int port, db;

	return rds_url_parse(url, host, sizeof(host), &port, &db, user, sizeof(user), e);
}

int config_set(struct config *c, const char *key, const char *value, struct err *e)
{
	const struct config_key *k = config_lookup(key);
	gpointer old_key, old_val;
	char section[128];
	const char *name;

	if (split_key(key, section, sizeof(section), &name) < 0)
		return err_set(e, ERR_USAGE, "key must be section.name (got %s)", utf8_q(key));
	if (!k)
		return err_set(e, ERR_USAGE, "unknown key '%s' (see nestor config list)", key);
	if (check_value(k, value, e) < 0 ||
	    (!strcmp(key, "server.redis") && *value && redis_ok(value, e) < 0) ||
	    secretless(k, value, e) < 0)
		return -1;
	pthread_mutex_lock(&c->lock);
	g_key_file_set_string(c->kf, section, name, value);
	g_hash_table_insert(c->changed, g_strdup(key), g_strdup(value));
	/* A caller may still hold the old string (a scheduler's notify.command):
	 * it stays valid until config_free. */
	if (g_hash_table_steal_extended(c->vals, key, &old_key, &old_val)) {
		g_free(old_key);
		g_ptr_array_add(c->retired, old_val);
	}
	pthread_mutex_unlock(&c->lock);
	return 0;
}

/* The lock of config_save: "FILE.lock" beside the file the path names
 * (through symbolic links, as paths_replace writes there), so two paths to
 * one file take one lock; NULL, no lock, for what is not a regular file
 * (/dev/null), which is written in place. */
static char *lock_path(const char *path)
{
	struct stat st;
	char *real, *lock;

	if (stat(path, &st) == 0 && !S_ISREG(st.st_mode))
		return NULL;
	real = realpath(path, NULL);
	lock = xasprintf("%s.lock", real ? real : path);
	free(real);
	return lock;
}

int config_save(struct config *c, struct err *e)
{
	char *lock = lock_path(c->path);
	int fd = -1, rc = -1;
	GHashTableIter it;
	gpointer key, value;
	GKeyFile *kf;
	gchar *data;
	gsize len;

	if (lock &&
	    ((fd = open(lock, O_RDWR | O_CREAT | O_CLOEXEC, 0600)) < 0 || flock(fd, LOCK_EX) < 0)) {
		err_set(e, ERR_FAIL, "unable to lock '%s': %s", lock, strerror(errno));
		goto out;
	}
	kf = g_key_file_new();
	if (read_file(c->path, kf, e) < 0) {
		g_key_file_free(kf);
		goto out;
	}
	pthread_mutex_lock(&c->lock);
	g_hash_table_iter_init(&it, c->changed);
	while (g_hash_table_iter_next(&it, &key, &value)) {
		char section[128];
		const char *name;

		if (split_key(key, section, sizeof(section), &name) == 0)
			g_key_file_set_string(kf, section, name, value);
	}
	pthread_mutex_unlock(&c->lock);
	data = g_key_file_to_data(kf, &len, NULL);
	g_key_file_free(kf);
	rc = paths_replace(c->path, data, len, 0600, e);
	g_free(data);
	if (rc == 0) {
		pthread_mutex_lock(&c->lock);
		g_hash_table_remove_all(c->changed);
		pthread_mutex_unlock(&c->lock);
	}
out:
	if (fd >= 0)
		close(fd);
	free(lock);
	return rc;
}

void config_apply_time(struct config *c)
{
	const char *tz = config_get(c, "general.timezone");
	enum when_order order;

	if (tz && *tz)
		setenv("TZ", tz, 1);
	tzset();
	if (when_order_parse(config_get(c, "general.date_order"), &order) == 0)
		when_set_order(order);
}
