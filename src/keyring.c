/*
 * keyring.c - the Secret Service with libsecret.  Built into the network
 * module (net.so): the executable reaches it through the stubs in src/net.c.
 */
#include "keyring.h"
#include "xalloc.h"

#include <libsecret/secret.h>
#include <stdio.h>
#include <string.h>

static const SecretSchema nestor_schema = {
	"org.nestor.Secret",
	SECRET_SCHEMA_NONE,
	{
		{ "name", SECRET_SCHEMA_ATTRIBUTE_STRING },
		{ NULL, 0 },
	},
	0,
	NULL,
	NULL,
	NULL,
	NULL,
	NULL,
	NULL,
	NULL,
};

/* The first line of a GLib error into e, and -1. */
static int gerr_set(GError **gerr, struct err *e)
{
	char buf[256], *nl;

	snprintf(buf, sizeof(buf), "%s",
		 *gerr && (*gerr)->message ? (*gerr)->message : "unknown error");
	nl = strchr(buf, '\n');
	if (nl)
		*nl = '\0';
	g_clear_error(gerr);
	return err_set(e, ERR_FAIL, "%s", buf);
}

int keyring_lookup(const char *name, char **value, struct err *e)
{
	GError *gerr = NULL;
	gchar *pw = secret_password_lookup_sync(&nestor_schema, NULL, &gerr, "name", name, NULL);

	(void)e;
	*value = NULL;
	if (pw) {
		*value = xstrdup(pw);
		secret_password_free(pw);
	}
	g_clear_error(&gerr);
	return 0;
}

int keyring_store(const char *name, const char *value, struct err *e)
{
	GError *gerr = NULL;
	char *label = xasprintf("nestor: %s", name);
	gboolean ok = secret_password_store_sync(&nestor_schema, SECRET_COLLECTION_DEFAULT, label,
						 value, NULL, &gerr, "name", name, NULL);

	free(label);
	return ok ? 0 : gerr_set(&gerr, e);
}

int keyring_clear(const char *name, int *removed, struct err *e)
{
	GError *gerr = NULL;

	*removed = secret_password_clear_sync(&nestor_schema, NULL, &gerr, "name", name, NULL);
	return gerr ? gerr_set(&gerr, e) : 0;
}

int keyring_names(char ***names, size_t *n, struct err *e)
{
	GError *gerr = NULL;
	SecretService *svc = secret_service_get_sync(SECRET_SERVICE_NONE, NULL, &gerr);
	GHashTable *attrs;
	GList *items;

	if (!svc)
		return gerr_set(&gerr, e);
	attrs = g_hash_table_new(g_str_hash, g_str_equal);
	items = secret_service_search_sync(svc, &nestor_schema, attrs, SECRET_SEARCH_ALL, NULL,
					   &gerr);
	g_hash_table_unref(attrs);
	for (GList *l = items; l; l = l->next) {
		GHashTable *a = secret_item_get_attributes(l->data);
		const char *name = a ? g_hash_table_lookup(a, "name") : NULL;

		if (name) {
			*names = xrealloc(*names, (*n + 1) * sizeof(**names));
			(*names)[(*n)++] = xstrdup(name);
		}
		if (a)
			g_hash_table_unref(a);
	}
	g_list_free_full(items, g_object_unref);
	g_object_unref(svc);
	return gerr ? gerr_set(&gerr, e) : 0;
}
