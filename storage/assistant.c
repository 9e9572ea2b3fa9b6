#include "assistant.h"
#include "store-int.h"
#include "url.h"
#include "utf8.h"
#include "xalloc.h"

#include <ctype.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ASSISTANT_COLS                                                                             \
	"id, name, backend, base_url, model, key_secret, system_prompt, tools, temperature,"       \
	" token_budget, is_default, created_at, max_tokens"

static const char *const backend_words[] = { "offline", "llm" };
#define NBACKENDS ((int)(sizeof(backend_words) / sizeof(backend_words[0])))

const char *assistant_backend_name(enum assistant_backend b)
{
	return store_word(backend_words, NBACKENDS, (int)b);
}

int assistant_backend_parse(const char *word, enum assistant_backend *out)
{
	int v = store_word_value(backend_words, NBACKENDS, word);

	if (v < 0)
		return -1;
	*out = (enum assistant_backend)v;
	return 0;
}

void assistant_release(struct assistant *a)
{
	if (!a)
		return;
	free(a->name);
	free(a->base_url);
	free(a->model);
	free(a->key_secret);
	free(a->system_prompt);
	free(a->tools);
	a->name = a->base_url = a->model = a->key_secret = a->system_prompt = a->tools = NULL;
}

void assistant_list_free(struct assistant *list, size_t n)
{
	for (size_t i = 0; i < n; i++)
		assistant_release(&list[i]);
	free(list);
}

/* Column i as an int; a number past an int's range as the nearest end
 * (assistant_check refuses both), not its low 32 bits. */
static int col_int(sqlite3_stmt *st, int i)
{
	sqlite3_int64 v = sqlite3_column_int64(st, i);

	return v > INT_MAX ? INT_MAX : v < INT_MIN ? INT_MIN : (int)v;
}

static void from_row(sqlite3_stmt *st, struct assistant *a)
{
	memset(a, 0, sizeof(*a));
	a->id = sqlite3_column_int64(st, 0);
	a->name = store_col_text(st, 1);
	if (assistant_backend_parse((const char *)sqlite3_column_text(st, 2), &a->backend) < 0)
		a->backend = ASSISTANT_OFFLINE; /* the table's CHECK allows no other word */
	a->base_url = store_col_text(st, 3);
	a->model = store_col_text(st, 4);
	a->key_secret = store_col_text(st, 5);
	a->system_prompt = store_col_text(st, 6);
	a->tools = store_col_text(st, 7);
	a->has_temperature = sqlite3_column_type(st, 8) != SQLITE_NULL;
	a->temperature = sqlite3_column_double(st, 8);
	a->token_budget = col_int(st, 9);
	a->is_default = sqlite3_column_int(st, 10) != 0;
	a->created_at = (time_t)sqlite3_column_int64(st, 11);
	a->max_tokens = col_int(st, 12);
}

static int name_ok(const char *name)
{
	size_t n = name ? strlen(name) : 0;

	if (n == 0 || n > 32)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!isalnum((unsigned char)name[i]) && name[i] != '_' && name[i] != '-')
			return 0;
	return 1;
}

/* A one-line field (a URL, a model, the tool list): UTF-8 of at most max
 * bytes, without control characters. */
static int line_field(const char *what, const char *s, size_t max, struct err *e)
{
	if (utf8_check_field(what, s, max, e) < 0)
		return -1;
	for (size_t i = 0; s && s[i]; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return err_set(e, ERR_USAGE, "%s: control character U+%04X (byte %zu)",
				       what, (unsigned)(unsigned char)s[i], i + 1);
	return 0;
}

int assistant_check(const struct assistant *a, struct err *e)
{
	if (!name_ok(a->name))
		return err_set(e, ERR_USAGE,
			       "bad assistant name %s (1-32 letters, digits, '_' or '-')",
			       utf8_q(a->name ? a->name : ""));
	if (a->backend != ASSISTANT_OFFLINE && a->backend != ASSISTANT_LLM)
		return err_set(e, ERR_USAGE, "backend must be offline or llm (got %d)",
			       (int)a->backend);
	if (line_field("base URL", a->base_url, STORE_TITLE_MAX, e) < 0 ||
	    line_field("model", a->model, STORE_TITLE_MAX, e) < 0 ||
	    line_field("key secret", a->key_secret, STORE_TITLE_MAX, e) < 0 ||
	    line_field("tools", a->tools, STORE_NOTES_MAX, e) < 0 ||
	    utf8_check_lines("prompt", a->system_prompt, ASSISTANT_PROMPT_MAX, e) < 0)
		return -1;
	if (url_check_secretless("base URL", a->base_url, 0,
				 "store it with `nestor secret set NAME` and make NAME the "
				 "assistant's key secret",
				 e) < 0)
		return -1;
	if (a->backend == ASSISTANT_LLM && (!a->base_url || !*a->base_url))
		return err_set(e, ERR_USAGE,
			       "assistant '%s' uses the llm backend: it needs --base-url", a->name);
	if (a->base_url && *a->base_url && strncmp(a->base_url, "http://", 7) &&
	    strncmp(a->base_url, "https://", 8))
		return err_set(e, ERR_USAGE,
			       "base URL must start with http:// or https:// (got %s)",
			       utf8_q(a->base_url));
	if (a->has_temperature && (a->temperature < 0 || a->temperature > 2))
		return err_set(e, ERR_USAGE, "temperature must be 0-2 (got %g)", a->temperature);
	if (a->token_budget < 256 || a->token_budget > 1000000)
		return err_set(e, ERR_USAGE, "token budget must be 256-1000000 (got %d)",
			       a->token_budget);
	if (a->max_tokens < 0 || a->max_tokens > 1000000)
		return err_set(e, ERR_USAGE, "max tokens must be 1-1000000 (got %d)",
			       a->max_tokens);
	return 0;
}

static void bind_fields(sqlite3_stmt *st, const struct assistant *a)
{
	store_bind_text(st, 1, a->name);
	store_bind_text(st, 2, assistant_backend_name(a->backend));
	store_bind_text(st, 3, a->base_url && *a->base_url ? a->base_url : NULL);
	store_bind_text(st, 4, a->model && *a->model ? a->model : NULL);
	store_bind_text(st, 5, a->key_secret && *a->key_secret ? a->key_secret : NULL);
	if (a->system_prompt && *a->system_prompt) {
		/* its CR LF as LF: another device refuses a CR */
		char *p = xstrdup(a->system_prompt);

		sqlite3_bind_text(st, 6, p, (int)utf8_crlf_to_lf(p, strlen(p)), free);
	} else {
		sqlite3_bind_null(st, 6);
	}
	store_bind_text(st, 7, a->tools && *a->tools ? a->tools : NULL);
	if (a->has_temperature)
		sqlite3_bind_double(st, 8, a->temperature);
	else
		sqlite3_bind_null(st, 8);
	sqlite3_bind_int(st, 9, a->token_budget);
	if (a->max_tokens > 0)
		sqlite3_bind_int(st, 10, a->max_tokens);
	else
		sqlite3_bind_null(st, 10);
}

/* Step a write; a UNIQUE violation on name becomes a usage error. */
static int step_write(struct store *s, sqlite3_stmt *st, const char *name, struct err *e)
{
	int rc = sqlite3_step(st);

	sqlite3_finalize(st);
	if (rc != SQLITE_DONE && store_duplicate(s))
		return err_set(e, ERR_USAGE, "an assistant named '%s' already exists", name);
	if (rc != SQLITE_DONE)
		return store_error(s, e, "assistant");
	return 0;
}

/* Make id the only default, inside the caller's transaction. */
static int default_to(struct store *s, long long id, struct err *e)
{
	sqlite3_stmt *st = store_prepare(s, "UPDATE assistants SET is_default = (id = ?)", e);
	int rc;

	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, id);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : store_error(s, e, "default assistant");
}

/* The write st (prepared and bound) and, when make_default, the default
 * moved to its row: one transaction.  *id: 0 for an insert (then the new
 * row's id), else the id of the row updated. */
static int write_row(struct store *s, sqlite3_stmt *st, const struct assistant *a,
		     bool make_default, long long *id, struct err *e)
{
	if (store_begin(s, e) < 0) {
		sqlite3_finalize(st);
		return -1;
	}
	if (step_write(s, st, a->name, e) < 0)
		goto fail;
	if (!*id)
		*id = sqlite3_last_insert_rowid(s->db);
	else if (sqlite3_changes(s->db) == 0) {
		err_set(e, ERR_NOTFOUND, "no assistant with id %lld", *id);
		goto fail;
	}
	if (make_default && default_to(s, *id, e) < 0)
		goto fail;
	return store_commit(s, e);
fail:
	store_rollback(s);
	return -1;
}

int assistant_add(struct store *s, struct assistant *a, time_t now, struct err *e)
{
	long long id = 0;
	sqlite3_stmt *st;

	if (!a->token_budget)
		a->token_budget = ASSISTANT_DEFAULT_BUDGET;
	if (assistant_check(a, e) < 0)
		return -1;
	st = store_prepare(
		s,
		"INSERT INTO assistants(name, backend, base_url, model, key_secret,"
		" system_prompt, tools, temperature, token_budget, max_tokens, is_default,"
		" created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, ?)",
		e);
	if (!st)
		return -1;
	bind_fields(st, a);
	sqlite3_bind_int64(st, 11, (sqlite3_int64)now);
	if (write_row(s, st, a, a->is_default, &id, e) < 0)
		return -1;
	a->id = id;
	a->created_at = now;
	return 0;
}

static int get_where(struct store *s, const char *where, const char *name, long long id,
		     struct assistant *out, struct err *e)
{
	char *sql = xasprintf("SELECT " ASSISTANT_COLS " FROM assistants WHERE %s", where);
	sqlite3_stmt *st = store_prepare(s, sql, e);
	int rc;

	memset(out, 0, sizeof(*out));
	free(sql);
	if (!st)
		return -1;
	if (name)
		store_bind_text(st, 1, name);
	else if (id)
		sqlite3_bind_int64(st, 1, id);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		from_row(st, out);
	sqlite3_finalize(st);
	if (rc == SQLITE_ROW)
		return 0;
	if (rc != SQLITE_DONE)
		return store_error(s, e, "assistant");
	if (name)
		return err_set(e, ERR_NOTFOUND, "no assistant named '%s'", name);
	if (id)
		return err_set(e, ERR_NOTFOUND, "no assistant with id %lld", id);
	return err_set(e, ERR_NOTFOUND, "no default assistant");
}

int assistant_get_by_name(struct store *s, const char *name, struct assistant *out, struct err *e)
{
	return get_where(s, "name = ?", name ? name : "", 0, out, e);
}

int assistant_get(struct store *s, long long id, struct assistant *out, struct err *e)
{
	return get_where(s, "id = ?", NULL, id, out, e);
}

int assistant_check_stored(struct store *s, long long id, struct err *e)
{
	struct assistant a;
	int rc = assistant_get(s, id, &a, e);

	if (rc == 0)
		rc = assistant_check(&a, e);
	assistant_release(&a);
	return rc;
}

int assistant_get_default(struct store *s, struct assistant *out, struct err *e)
{
	return get_where(s, "1 ORDER BY is_default DESC, id LIMIT 1", NULL, 0, out, e);
}

int assistant_update(struct store *s, const struct assistant *a, bool make_default, struct err *e)
{
	long long id = a->id;
	sqlite3_stmt *st;

	if (assistant_check(a, e) < 0)
		return -1;
	if (!id)
		return err_set(e, ERR_NOTFOUND, "no assistant with id 0");
	st = store_prepare(s,
			   "UPDATE assistants SET name = ?, backend = ?, base_url = ?, model = ?,"
			   " key_secret = ?, system_prompt = ?, tools = ?, temperature = ?,"
			   " token_budget = ?, max_tokens = ? WHERE id = ?",
			   e);
	if (!st)
		return -1;
	bind_fields(st, a);
	sqlite3_bind_int64(st, 11, a->id);
	return write_row(s, st, a, make_default, &id, e);
}

int assistant_edit(struct store *s, const char *name,
		   int (*change)(struct assistant *a, void *arg, struct err *e), void *arg,
		   bool make_default, struct assistant *out, struct err *e)
{
	memset(out, 0, sizeof(*out));
	if (store_begin(s, e) < 0)
		return -1;
	if (assistant_get_by_name(s, name, out, e) < 0 || change(out, arg, e) < 0 ||
	    assistant_update(s, out, make_default, e) < 0) {
		store_rollback(s);
		return -1;
	}
	return store_commit(s, e); /* rolled back on failure */
}

int assistant_rm(struct store *s, const char *name, struct err *e)
{
	struct assistant a;
	sqlite3_stmt *st;
	int is_default;

	/* one statement: the default cannot become the one deleted */
	st = store_prepare(s, "DELETE FROM assistants WHERE name = ? AND is_default = 0", e);
	if (!st)
		return -1;
	store_bind_text(st, 1, name ? name : "");
	if (step_write(s, st, name, e) < 0)
		return -1;
	if (sqlite3_changes(s->db) > 0)
		return 0;
	/* nothing deleted: say why */
	if (assistant_get_by_name(s, name, &a, e) < 0)
		return -1;
	is_default = a.is_default;
	assistant_release(&a);
	if (is_default)
		return err_set(e, ERR_USAGE,
			       "'%s' is the default assistant; make another one the default first "
			       "(nestor assistant default NAME)",
			       name);
	return err_set(e, ERR_FAIL, "assistant '%s' changed while being removed; try again", name);
}

int assistant_set_default(struct store *s, const char *name, struct err *e)
{
	struct assistant a;

	/* the lookup too: a rename or removal between would leave no default */
	if (store_begin(s, e) < 0)
		return -1;
	if (assistant_get_by_name(s, name, &a, e) < 0 || default_to(s, a.id, e) < 0) {
		assistant_release(&a); /* zeroed when not found */
		store_rollback(s);
		return -1;
	}
	assistant_release(&a);
	return store_commit(s, e);
}

static void assistant_row(sqlite3_stmt *st, void *elem)
{
	from_row(st, elem);
}

static void assistant_unrow(void *elem)
{
	assistant_release(elem);
}

int assistant_list(struct store *s, struct assistant **out, size_t *n, struct err *e)
{
	sqlite3_stmt *st =
		store_prepare(s, "SELECT " ASSISTANT_COLS " FROM assistants ORDER BY name", e);
	void *arr;
	int rc;

	*out = NULL;
	*n = 0;
	if (!st)
		return -1;
	rc = store_collect(s, st, sizeof(**out), assistant_row, assistant_unrow, &arr, n,
			   "assistant list", e);
	*out = arr;
	return rc;
}

char **assistant_names(struct store *s, struct err *e)
{
	sqlite3_stmt *st = store_prepare(s, "SELECT name FROM assistants ORDER BY id", e);
	char **names;
	size_t n = 0;
	int rc;

	if (!st)
		return NULL;
	names = xmalloc(sizeof(*names));
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		names = xrealloc(names, (n + 2) * sizeof(*names));
		names[n++] = store_col_text(st, 0);
	}
	sqlite3_finalize(st);
	names[n] = NULL;
	if (rc != SQLITE_DONE) {
		assistant_names_free(names);
		store_error(s, e, "assistants");
		return NULL;
	}
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

bool assistant_allows(const struct assistant *a, const char *tool)
{
	size_t n = strlen(tool);
	const char *p = a->tools;

	if (!p || !*p)
		return true;
	while (*p) {
		const char *end = strchr(p, ',');
		size_t len = end ? (size_t)(end - p) : strlen(p);

		while (len && *p == ' ') {
			p++;
			len--;
		}
		while (len && p[len - 1] == ' ')
			len--;
		if (len == n && !strncmp(p, tool, n))
			return true;
		if (!end)
			break;
		p = end + 1;
	}
	return false;
}
