#include "token.h"
#include "store-int.h"
#include "xalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TOKEN_COLS                                                                                 \
	"t.id, t.user_id, u.name, t.label, t.hash, t.read_only, t.created_at, t.last_used"         \
	" FROM api_tokens t JOIN users u ON u.id = t.user_id"

void token_release(struct api_token *t)
{
	if (!t)
		return;
	free(t->user);
	free(t->label);
	memset(t, 0, sizeof(*t));
}

void token_list_free(struct api_token *ts, size_t n)
{
	for (size_t i = 0; i < n; i++)
		token_release(&ts[i]);
	free(ts);
}

static void token_row(sqlite3_stmt *st, void *elem)
{
	struct api_token *t = elem;
	const unsigned char *h;

	memset(t, 0, sizeof(*t));
	t->id = sqlite3_column_int64(st, 0);
	t->user_id = sqlite3_column_int64(st, 1);
	t->user = store_col_text(st, 2);
	t->label = store_col_text(st, 3);
	h = sqlite3_column_text(st, 4);
	if (h)
		snprintf(t->hash, sizeof(t->hash), "%s", (const char *)h);
	t->read_only = sqlite3_column_int(st, 5) != 0;
	t->created_at = (time_t)sqlite3_column_int64(st, 6);
	t->last_used = (time_t)sqlite3_column_int64(st, 7);
}

static void token_unrow(void *elem)
{
	token_release(elem);
}

int token_add(struct store *s, struct api_token *t, time_t now, struct err *e)
{
	sqlite3_stmt *st = store_prepare(s,
					 "INSERT INTO api_tokens(user_id, label, hash, read_only,"
					 " created_at) VALUES (?, ?, ?, ?, ?)",
					 e);
	int rc;

	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, t->user_id);
	store_bind_text(st, 2, t->label);
	store_bind_text(st, 3, t->hash);
	sqlite3_bind_int(st, 4, t->read_only);
	sqlite3_bind_int64(st, 5, (sqlite3_int64)now);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return store_error(s, e, "token add");
	t->id = sqlite3_last_insert_rowid(s->db);
	t->created_at = now;
	return 0;
}

int token_get(struct store *s, long long id, struct api_token *out, struct err *e)
{
	sqlite3_stmt *st = store_prepare(s, "SELECT " TOKEN_COLS " WHERE t.id = ?", e);
	int rc;

	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, id);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		token_row(st, out);
	sqlite3_finalize(st);
	if (rc == SQLITE_ROW)
		return 0;
	if (rc == SQLITE_DONE)
		return err_set(e, ERR_NOTFOUND, "no token with id %lld", id);
	return store_error(s, e, "token");
}

int token_list(struct store *s, struct api_token **out, size_t *n, struct err *e)
{
	sqlite3_stmt *st = store_prepare(s, "SELECT " TOKEN_COLS " ORDER BY t.id", e);

	if (!st)
		return -1;
	return store_collect(s, st, sizeof(**out), token_row, token_unrow, (void **)out, n,
			     "token list", e);
}

int token_rm(struct store *s, long long id, struct err *e)
{
	sqlite3_stmt *st = store_prepare(s, "DELETE FROM api_tokens WHERE id = ?", e);
	int rc;

	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, id);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return store_error(s, e, "token rm");
	if (sqlite3_changes(s->db) == 0)
		return err_set(e, ERR_NOTFOUND, "no token with id %lld", id);
	return 0;
}

void token_touch(struct store *s, long long id, time_t now)
{
	struct err e;
	sqlite3_stmt *st = store_prepare(s, "UPDATE api_tokens SET last_used = ? WHERE id = ?", &e);

	if (!st)
		return;
	sqlite3_bind_int64(st, 1, (sqlite3_int64)now);
	sqlite3_bind_int64(st, 2, id);
	sqlite3_step(st);
	sqlite3_finalize(st);
}
