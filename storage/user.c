#include "user.h"
#include "store-int.h"
#include "tz.h"
#include "utf8.h"
#include "xalloc.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define USER_COLS "id, name, tz, locale, telegram_chat_id, settings, gid"

void user_release(struct user *u)
{
	if (!u)
		return;
	free(u->name);
	free(u->tz);
	free(u->locale);
	free(u->settings);
	free(u->gid);
	memset(u, 0, sizeof(*u));
}

void user_list_free(struct user *users, size_t n)
{
	for (size_t i = 0; i < n; i++)
		user_release(&users[i]);
	free(users);
}

static void user_row(sqlite3_stmt *st, void *elem)
{
	struct user *u = elem;

	memset(u, 0, sizeof(*u));
	u->id = sqlite3_column_int64(st, 0);
	u->name = store_col_text(st, 1);
	u->tz = store_col_text(st, 2);
	u->locale = store_col_text(st, 3);
	u->telegram_chat_id = sqlite3_column_int64(st, 4);
	u->settings = store_col_text(st, 5);
	u->gid = store_col_text(st, 6);
}

static void user_unrow(void *elem)
{
	user_release(elem);
}

int user_check_name(const char *name, struct err *e)
{
	size_t n = name ? strlen(name) : 0;

	if (n < 1 || n > 32 || name[0] < 'a' || name[0] > 'z')
		goto bad;
	for (size_t i = 0; i < n; i++)
		if (!((name[i] >= 'a' && name[i] <= 'z') || (name[i] >= '0' && name[i] <= '9') ||
		      name[i] == '_'))
			goto bad;
	if (!strncmp(name, "pg_", 3) || !strncmp(name, "nestor_", 7) || !strcmp(name, "postgres") ||
	    !strcmp(name, "public"))
		return err_set(e, ERR_USAGE, "user name '%s' is reserved by PostgreSQL or nestor",
			       name);
	return 0;
bad:
	return err_set(e, ERR_USAGE,
		       "bad user name %s (1-32 of a-z, 0-9 and _, starting with a letter)",
		       utf8_q(name ? name : ""));
}

int user_check_tz(const char *tz, struct err *e)
{
	struct tz *z;

	if (!tz)
		return 0;
	/* "" would open the local zone: no zone name is empty */
	z = *tz ? tz_open(tz, e) : NULL;
	if (!z)
		return err_set(e, ERR_USAGE, "unknown time zone %s", utf8_q(tz));
	tz_free(z);
	return 0;
}

int user_check_locale(const char *locale, struct err *e)
{
	if (locale && strcmp(locale, "en") && strcmp(locale, "ru"))
		return err_set(e, ERR_USAGE, "locale must be en or ru (got %s)", utf8_q(locale));
	return 0;
}

int user_check_tz_name(const char *tz, struct err *e)
{
	static const char ok[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789/_+-";

	if (tz && (!*tz || strlen(tz) > 64 || strspn(tz, ok) != strlen(tz)))
		return err_set(e, ERR_USAGE, "bad time zone name %s", utf8_q(tz));
	return 0;
}

static bool same(const char *a, const char *b)
{
	return a == b || (a && b && !strcmp(a, b));
}

/* user_check() of the fields of u that differ from was (all of them when
 * was is NULL); the zone must open here when opens, else only be a zone's
 * name. */
static int check_fields(const struct user *u, const struct user *was, bool opens, struct err *e)
{
	cJSON *o;
	bool obj;

	if ((!was || !same(u->name, was->name)) && user_check_name(u->name, e) < 0)
		return -1;
	if ((!was || !same(u->tz, was->tz)) &&
	    (opens ? user_check_tz(u->tz, e) : user_check_tz_name(u->tz, e)) < 0)
		return -1;
	if ((!was || !same(u->locale, was->locale)) && user_check_locale(u->locale, e) < 0)
		return -1;
	if ((was && same(u->settings, was->settings)) || !u->settings)
		return 0;
	if (utf8_check_field("settings", u->settings, USER_SETTINGS_MAX, e) < 0)
		return -1;
	o = cJSON_Parse(u->settings);
	obj = cJSON_IsObject(o);
	cJSON_Delete(o);
	return obj ? 0 : err_set(e, ERR_USAGE, "%s", "settings: not a JSON object");
}

int user_check(const struct user *u, struct err *e)
{
	return check_fields(u, NULL, true, e);
}

/* The stored user id into u: 0, ERR_NOTFOUND, -1. */
static int get_id(struct store *s, long long id, struct user *u, struct err *e)
{
	sqlite3_stmt *st = store_prepare(s, "SELECT " USER_COLS " FROM users WHERE id = ?", e);
	int rc;

	memset(u, 0, sizeof(*u));
	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, id);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		user_row(st, u);
		rc = 0;
	} else {
		if (rc == SQLITE_DONE)
			err_set(e, ERR_NOTFOUND, "no user with id %lld", id);
		else
			store_error(s, e, "user");
		rc = -1;
	}
	sqlite3_finalize(st);
	return rc;
}

int user_check_stored(struct store *s, long long id, struct err *e)
{
	struct user u;
	int rc;

	if (get_id(s, id, &u, e) < 0)
		return -1;
	rc = check_fields(&u, NULL, false, e);
	user_release(&u);
	return rc;
}

static void bind_user(sqlite3_stmt *st, const struct user *u)
{
	store_bind_text(st, 1, u->name);
	store_bind_text(st, 2, u->tz);
	store_bind_text(st, 3, u->locale);
	if (u->telegram_chat_id)
		sqlite3_bind_int64(st, 4, u->telegram_chat_id);
	else
		sqlite3_bind_null(st, 4);
	store_bind_text(st, 5, u->settings);
}

static int step_write(struct store *s, sqlite3_stmt *st, const struct user *u, struct err *e)
{
	int rc = sqlite3_step(st);

	sqlite3_finalize(st);
	if (rc != SQLITE_DONE && store_duplicate(s)) {
		if (strstr(sqlite3_errmsg(s->db), "telegram"))
			return err_set(e, ERR_USAGE,
				       "that Telegram chat is linked to another user");
		return err_set(e, ERR_USAGE, "a user named '%s' exists", u->name);
	}
	return rc == SQLITE_DONE ? 0 : store_error(s, e, "user");
}

int user_add(struct store *s, struct user *u, struct err *e)
{
	sqlite3_stmt *st;

	if (user_check(u, e) < 0)
		return -1;
	st = store_prepare(s,
			   "INSERT INTO users(name, tz, locale, telegram_chat_id,"
			   " settings) VALUES (?, ?, ?, ?, ?)",
			   e);
	if (!st)
		return -1;
	bind_user(st, u);
	if (step_write(s, st, u, e) < 0)
		return -1;
	u->id = sqlite3_last_insert_rowid(s->db);
	return 0;
}

static int get_one(struct store *s, sqlite3_stmt *st, struct user *out, const char *name,
		   struct err *e)
{
	int rc = sqlite3_step(st);

	memset(out, 0, sizeof(*out));
	if (rc == SQLITE_ROW)
		user_row(st, out);
	sqlite3_finalize(st);
	if (rc == SQLITE_ROW)
		return 0;
	if (rc == SQLITE_DONE)
		return err_set(e, ERR_NOTFOUND, "no user named '%s'", name);
	return store_error(s, e, "user");
}

int user_get(struct store *s, const char *name, struct user *out, struct err *e)
{
	sqlite3_stmt *st = store_prepare(s, "SELECT " USER_COLS " FROM users WHERE name = ?", e);

	if (!st)
		return -1;
	store_bind_text(st, 1, name);
	return get_one(s, st, out, name, e);
}

int user_first(struct store *s, struct user *out, struct err *e)
{
	sqlite3_stmt *st =
		store_prepare(s, "SELECT " USER_COLS " FROM users ORDER BY id LIMIT 1", e);

	if (!st)
		return -1;
	return get_one(s, st, out, "(any)", e);
}

int user_list(struct store *s, struct user **out, size_t *n, struct err *e)
{
	sqlite3_stmt *st = store_prepare(s, "SELECT " USER_COLS " FROM users ORDER BY id", e);
	void *arr;
	int rc;

	if (!st)
		return -1;
	rc = store_collect(s, st, sizeof(**out), user_row, user_unrow, &arr, n, "user list", e);
	*out = arr;
	return rc;
}

int user_update(struct store *s, const struct user *u, struct err *e)
{
	sqlite3_stmt *st;
	struct user was;
	int rc;

	/* A field the update leaves as it is stays as it is, even when
	 * today's rules would refuse it: only the changed ones are checked. */
	rc = get_id(s, u->id, &was, e);
	if (rc < 0)
		return -1;
	rc = check_fields(u, &was, true, e);
	user_release(&was);
	if (rc < 0)
		return -1;
	st = store_prepare(s,
			   "UPDATE users SET name = ?, tz = ?, locale = ?,"
			   " telegram_chat_id = ?, settings = ? WHERE id = ?",
			   e);
	if (!st)
		return -1;
	bind_user(st, u);
	sqlite3_bind_int64(st, 6, u->id);
	if (step_write(s, st, u, e) < 0)
		return -1;
	if (sqlite3_changes(s->db) == 0)
		return err_set(e, ERR_NOTFOUND, "no user with id %lld", u->id);
	return 0;
}

int user_modify(struct store *s, const char *name, int (*edit)(void *arg, struct user *u),
		void *arg, struct user *out, struct err *e)
{
	memset(out, 0, sizeof(*out));
	if (store_begin(s, e) < 0)
		return -1;
	if (user_get(s, name, out, e) < 0 || edit(arg, out) < 0 || user_update(s, out, e) < 0) {
		store_rollback(s);
		user_release(out);
		return -1;
	}
	if (store_commit(s, e) < 0) {
		user_release(out);
		return -1;
	}
	return 0;
}

int user_count_data(struct store *s, long long id, struct user_data *d, struct err *e)
{
	sqlite3_stmt *st = store_prepare(s,
					 "SELECT (SELECT count(*) FROM tasks WHERE user_id = ?1),"
					 " (SELECT count(*) FROM jobs WHERE user_id = ?1),"
					 " (SELECT count(*) FROM conversations WHERE user_id = ?1)",
					 e);

	memset(d, 0, sizeof(*d));
	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, id);
	if (sqlite3_step(st) == SQLITE_ROW) {
		d->tasks = (long)sqlite3_column_int64(st, 0);
		d->jobs = (long)sqlite3_column_int64(st, 1);
		d->conversations = (long)sqlite3_column_int64(st, 2);
	}
	sqlite3_finalize(st);
	return 0;
}

int user_rm(struct store *s, const char *name, struct err *e)
{
	struct user u = { 0 }, first = { 0 };
	struct user_data d;
	sqlite3_stmt *st;
	int rc = -1;

	if (store_begin(s, e) < 0)
		return -1;
	if (user_get(s, name, &u, e) < 0)
		goto out_tx;
	if (user_first(s, &first, e) < 0)
		goto out_u;
	if (first.id == u.id) {
		err_set(e, ERR_USAGE, "'%s' is the device's own user; rename it instead", name);
		goto out_first;
	}
	if (user_count_data(s, u.id, &d, e) < 0)
		goto out_first;
	if (d.tasks || d.jobs || d.conversations) {
		err_set(e, ERR_USAGE,
			"user '%s' still has %ld task(s), %ld reminder(s) or job(s) and %ld"
			" conversation(s)",
			name, d.tasks, d.jobs, d.conversations);
		goto out_first;
	}
	st = store_prepare(s, "DELETE FROM users WHERE id = ?", e);
	if (!st)
		goto out_first;
	sqlite3_bind_int64(st, 1, u.id);
	if (sqlite3_step(st) != SQLITE_DONE)
		store_error(s, e, "user rm");
	else
		rc = 0;
	sqlite3_finalize(st);
out_first:
	user_release(&first);
out_u:
	user_release(&u);
out_tx:
	if (rc == 0)
		return store_commit(s, e);
	store_rollback(s);
	return -1;
}

int user_find(struct store *s, const char *name, long long *id, struct err *e)
{
	struct user u;

	if (user_get(s, name, &u, e) < 0)
		return -1;
	*id = u.id;
	user_release(&u);
	return 0;
}

/* The one column sql selects of user id, newly allocated, or NULL. */
static char *user_column(struct store *s, long long id, const char *sql)
{
	sqlite3_stmt *st = store_prepare(s, sql, NULL);
	char *text = NULL;

	if (!st)
		return NULL;
	sqlite3_bind_int64(st, 1, id);
	if (sqlite3_step(st) == SQLITE_ROW)
		text = store_col_text(st, 0);
	sqlite3_finalize(st);
	return text;
}

char *user_name(struct store *s, long long id)
{
	return user_column(s, id, "SELECT name FROM users WHERE id = ?");
}

char *user_tz(struct store *s, long long id)
{
	char *tz = user_column(s, id, "SELECT tz FROM users WHERE id = ?");

	if (tz && !*tz) {
		free(tz);
		tz = NULL;
	}
	return tz;
}

int user_owns_calendar(struct store *s, struct err *e)
{
	struct user first;
	char *name;

	if (user_first(s, &first, e) < 0)
		return -1;
	if (first.id == store_user(s)) {
		user_release(&first);
		return 1;
	}
	name = user_name(s, store_user(s));
	err_set(e, ERR_USAGE,
		"the calendar belongs to '%s', the first user: '%s' cannot read or change it",
		first.name, name ? name : "?");
	free(name);
	user_release(&first);
	return 0;
}
