#include "secret.h"
#include "xalloc.h"

#include <ctype.h>
#include <libsecret/secret.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

extern char **environ;

static const SecretSchema nestor_schema = {
	"org.nestor.Secret",
	SECRET_SCHEMA_NONE,
	{
		{ "name", SECRET_SCHEMA_ATTRIBUTE_STRING },
		{ NULL, 0 },
	},
	0, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
};

#define ENV_PREFIX "NESTOR_SECRET_"

int secret_check_name(const char *name, struct err *e)
{
	size_t n = name ? strlen(name) : 0;

	if (n == 0 || n > 64 || !isalnum((unsigned char)name[0]))
		goto bad;
	for (size_t i = 0; i < n; i++)
		if (!isalnum((unsigned char)name[i]) && !strchr("_.-", name[i]))
			goto bad;
	return 0;
bad:
	return err_set(e, ERR_USAGE,
		       "bad secret name \"%s\" (1-64 letters, digits, '_', '.', '-')",
		       name ? name : "");
}

char *secret_env_var(const char *name)
{
	char *v = xasprintf(ENV_PREFIX "%s", name);

	for (char *p = v + strlen(ENV_PREFIX); *p; p++)
		*p = isalnum((unsigned char)*p) ? (char)toupper((unsigned char)*p) : '_';
	return v;
}

void secret_free(char *value)
{
	if (value) {
		explicit_bzero(value, strlen(value));
		free(value);
	}
}

/* The first line of a GLib error, for messages. */
static void gerr_text(GError *gerr, char *buf, size_t len)
{
	char *nl;

	snprintf(buf, len, "%s", gerr && gerr->message ? gerr->message : "unknown error");
	nl = strchr(buf, '\n');
	if (nl)
		*nl = '\0';
}

int secret_get(const char *name, char **value, struct err *e)
{
	GError *gerr = NULL;
	gchar *pw;
	char *var;
	const char *env;

	*value = NULL;
	if (secret_check_name(name, e) < 0)
		return -1;
	pw = secret_password_lookup_sync(&nestor_schema, NULL, &gerr, "name", name, NULL);
	if (pw) {
		*value = xstrdup(pw);
		secret_password_free(pw);
		return 0;
	}
	g_clear_error(&gerr);
	var = secret_env_var(name);
	env = getenv(var);
	if (env && *env) {
		*value = xstrdup(env);
		free(var);
		return 0;
	}
	err_set(e, ERR_NOTFOUND,
		"no secret named '%s' (store it with 'nestor secret set %s' or set %s)", name,
		name, var);
	free(var);
	return -1;
}

/* Why the Secret Service cannot be used, as one line. */
static int no_service(const char *what, const char *name, GError *gerr, struct err *e)
{
	char why[256], *var = secret_env_var(name);

	gerr_text(gerr, why, sizeof(why));
	err_set(e, ERR_FAIL,
		"cannot %s secret '%s': no Secret Service is available (%s); set %s in the "
		"environment instead",
		what, name, why, var);
	free(var);
	return -1;
}

int secret_set(const char *name, const char *value, struct err *e)
{
	GError *gerr = NULL;
	char *label;
	gboolean ok;

	if (secret_check_name(name, e) < 0)
		return -1;
	if (!value || !*value)
		return err_set(e, ERR_USAGE, "the value of secret '%s' is empty", name);
	label = xasprintf("nestor: %s", name);
	ok = secret_password_store_sync(&nestor_schema, SECRET_COLLECTION_DEFAULT, label, value,
					NULL, &gerr, "name", name, NULL);
	free(label);
	if (!ok) {
		no_service("store", name, gerr, e);
		g_clear_error(&gerr);
		return -1;
	}
	return 0;
}

int secret_rm(const char *name, struct err *e)
{
	GError *gerr = NULL;
	gboolean removed;

	if (secret_check_name(name, e) < 0)
		return -1;
	removed = secret_password_clear_sync(&nestor_schema, NULL, &gerr, "name", name, NULL);
	if (gerr) {
		no_service("remove", name, gerr, e);
		g_clear_error(&gerr);
		return -1;
	}
	if (!removed)
		return err_set(e, ERR_NOTFOUND, "no secret named '%s' in the Secret Service", name);
	return 0;
}

static void add_entry(struct secret_entry **out, size_t *n, const char *name, bool env)
{
	for (size_t i = 0; i < *n; i++)
		if (!strcmp((*out)[i].name, name))
			return;
	*out = xrealloc(*out, (*n + 1) * sizeof(**out));
	(*out)[*n].name = xstrdup(name);
	(*out)[*n].from_env = env;
	(*n)++;
}

static int by_name(const void *a, const void *b)
{
	return strcmp(((const struct secret_entry *)a)->name,
		      ((const struct secret_entry *)b)->name);
}

/* Names in the Secret Service; -1 with *why when it cannot be reached. */
static int service_names(struct secret_entry **out, size_t *n, char **why)
{
	GError *gerr = NULL;
	SecretService *svc = secret_service_get_sync(SECRET_SERVICE_NONE, NULL, &gerr);
	GHashTable *attrs;
	GList *items;
	char buf[256];

	if (svc) {
		attrs = g_hash_table_new(g_str_hash, g_str_equal);
		items = secret_service_search_sync(svc, &nestor_schema, attrs, SECRET_SEARCH_ALL,
						   NULL, &gerr);
		g_hash_table_unref(attrs);
		for (GList *l = items; l; l = l->next) {
			GHashTable *a = secret_item_get_attributes(l->data);
			const char *name = a ? g_hash_table_lookup(a, "name") : NULL;

			if (name)
				add_entry(out, n, name, false);
			if (a)
				g_hash_table_unref(a);
		}
		g_list_free_full(items, g_object_unref);
		g_object_unref(svc);
	}
	if (!gerr)
		return 0;
	gerr_text(gerr, buf, sizeof(buf));
	g_clear_error(&gerr);
	if (why)
		*why = xstrdup(buf);
	return -1;
}

int secret_list(struct secret_entry **out, size_t *n, char **service_error, struct err *e)
{
	size_t from_service;

	(void)e;
	*out = NULL;
	*n = 0;
	if (service_error)
		*service_error = NULL;
	service_names(out, n, service_error);
	from_service = *n;
	if (*n)
		qsort(*out, *n, sizeof(**out), by_name);
	for (char **env = environ; env && *env; env++) {
		const char *eq = strchr(*env, '=');
		char *name;

		if (strncmp(*env, ENV_PREFIX, strlen(ENV_PREFIX)) || !eq || !eq[1])
			continue;
		name = xstrndup(*env + strlen(ENV_PREFIX), (size_t)(eq - *env) - strlen(ENV_PREFIX));
		for (char *p = name; *p; p++)
			*p = (char)tolower((unsigned char)*p);
		if (*name)
			add_entry(out, n, name, true);
		free(name);
	}
	if (*n > from_service)
		qsort(*out + from_service, *n - from_service, sizeof(**out), by_name);
	return 0;
}

void secret_list_free(struct secret_entry *list, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(list[i].name);
	free(list);
}
