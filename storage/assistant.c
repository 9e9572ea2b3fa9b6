#include "assistant.h"
#include "xalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ASSISTANT_COLS                                                                     \
	"id, name, backend, base_url, model, system_prompt, tools, temperature,"           \
	" token_budget, is_default"

void assistant_release(struct assistant *a)
{
	if (!a)
		return;
	free(a->name);
	free(a->base_url);
	free(a->model);
	free(a->system_prompt);
	free(a->tools);
	memset(a, 0, sizeof(*a));
}

static void assistant_from_row(sqlite3_stmt *st, struct assistant *a)
{
	memset(a, 0, sizeof(*a));
	a->id = sqlite3_column_int64(st, 0);
	a->name = store_col_text(st, 1);
	snprintf(a->backend, sizeof(a->backend), "%s", (const char *)sqlite3_column_text(st, 2));
	a->base_url = store_col_text(st, 3);
	a->model = store_col_text(st, 4);
	a->system_prompt = store_col_text(st, 5);
	a->tools = store_col_text(st, 6);
	a->has_temperature = sqlite3_column_type(st, 7) != SQLITE_NULL;
	a->temperature = sqlite3_column_double(st, 7);
	a->token_budget = sqlite3_column_int(st, 8);
	a->is_default = sqlite3_column_int(st, 9) != 0;
}

/* Run a query bound to one value (text when name, else id) for one row. */
static int get_one(struct store *s, const char *sql, const char *name, long long id,
		   struct assistant *out, struct err *e)
{
	sqlite3_stmt *st = store_prepare(s, sql, e);
	int rc;

	if (!st)
		return -1;
	if (name)
		store_bind_text(st, 1, name);
	else
		sqlite3_bind_int64(st, 1, id);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		assistant_from_row(st, out);
	sqlite3_finalize(st);
	if (rc == SQLITE_ROW)
		return 0;
	if (rc != SQLITE_DONE)
		return store_error(s, e, "assistant");
	if (name)
		return err_set(e, ERR_NOTFOUND, "no assistant named \"%s\"", name);
	return err_set(e, ERR_NOTFOUND, "no assistant with id %lld", id);
}

int assistant_get_by_name(struct store *s, const char *name, struct assistant *out,
			  struct err *e)
{
	return get_one(s, "SELECT " ASSISTANT_COLS " FROM assistants WHERE name = ?", name, 0,
		       out, e);
}

int assistant_get(struct store *s, long long id, struct assistant *out, struct err *e)
{
	return get_one(s, "SELECT " ASSISTANT_COLS " FROM assistants WHERE id = ?", NULL, id,
		       out, e);
}

int assistant_get_default(struct store *s, struct assistant *out, struct err *e)
{
	return get_one(s,
		       "SELECT " ASSISTANT_COLS " FROM assistants WHERE ?1 = ?1"
		       " ORDER BY is_default DESC, id LIMIT 1",
		       NULL, 0, out, e);
}

char **assistant_names(struct store *s, struct err *e)
{
	sqlite3_stmt *st = store_prepare(s, "SELECT name FROM assistants ORDER BY id", e);
	char **names = NULL;
	size_t n = 0;
	int rc;

	if (!st)
		return NULL;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		names = xrealloc(names, (n + 2) * sizeof(*names));
		names[n++] = store_col_text(st, 0);
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		names = xrealloc(names, (n + 1) * sizeof(*names));
		names[n] = NULL;
		assistant_names_free(names);
		store_error(s, e, "assistants");
		return NULL;
	}
	names = xrealloc(names, (n + 1) * sizeof(*names));
	names[n] = NULL;
	return names;
}

void assistant_names_free(char **names)
{
	if (!names)
		return;
	for (char **p = names; *p; p++)
		free(*p);
	free(names);
}
