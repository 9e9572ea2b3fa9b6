#include "user.h"
#include "store-int.h"

int user_find(struct store *s, const char *name, long long *id, struct err *e)
{
	sqlite3_stmt *st = store_prepare(s, "SELECT id FROM users WHERE name = ?", e);
	int rc;

	if (!st)
		return -1;
	store_bind_text(st, 1, name);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*id = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	if (rc == SQLITE_DONE)
		return err_set(e, ERR_NOTFOUND, "no user called \"%s\"", name);
	return rc == SQLITE_ROW ? 0 : store_error(s, e, "user");
}

char *user_name(struct store *s, long long id)
{
	struct err e;
	sqlite3_stmt *st = store_prepare(s, "SELECT name FROM users WHERE id = ?", &e);
	char *name = NULL;

	if (!st)
		return NULL;
	sqlite3_bind_int64(st, 1, id);
	if (sqlite3_step(st) == SQLITE_ROW)
		name = store_col_text(st, 0);
	sqlite3_finalize(st);
	return name;
}
