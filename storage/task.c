#include "task.h"
#include "store-int.h"
#include "tz.h"
#include "utf8.h"
#include "xalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TASK_COLS                                                                                  \
	"id, title, notes, priority, due, status, created_at, done_at, due_date_only,"             \
	" coalesce(uid, gid || '@nestor')"
#define TASK_ORDER " ORDER BY status != 'todo', due IS NULL, due, priority DESC, id"

static const char *const status_words[] = { "todo", "done", "cancelled" };
#define NSTATUS ((int)(sizeof(status_words) / sizeof(status_words[0])))

const char *task_status_name(enum task_status s)
{
	return store_word(status_words, NSTATUS, (int)s);
}

int task_status_parse(const char *word, enum task_status *out)
{
	int v = store_word_value(status_words, NSTATUS, word);

	if (v < 0)
		return -1;
	*out = (enum task_status)v;
	return 0;
}

bool task_overdue(const struct task *t, time_t now)
{
	return t->status == TASK_TODO && t->has_due && t->due < now;
}

void task_release(struct task *t)
{
	if (!t)
		return;
	free(t->title);
	free(t->notes);
	free(t->uid);
	t->title = t->notes = t->uid = NULL;
}

void task_list_free(struct task *tasks, size_t n)
{
	for (size_t i = 0; i < n; i++)
		task_release(&tasks[i]);
	free(tasks);
}

void task_set_due(struct task *t, const struct when *w)
{
	task_set_due_in(t, w, NULL);
}

void task_set_due_in(struct task *t, const struct when *w, struct tz *z)
{
	struct tm tm;

	t->has_due = true;
	t->due_date_only = w->date_only;
	t->due = w->at;
	if (!w->date_only)
		return;
	/* Not start + 86399: DST changes the length of the day. */
	tz_wall_in(z, w->at, &tm);
	tm.tm_hour = 23;
	tm.tm_min = 59;
	tm.tm_sec = 59;
	t->due = tz_mktime_in(z, &tm);
}

static void task_from_row(sqlite3_stmt *st, struct task *t)
{
	memset(t, 0, sizeof(*t));
	t->id = sqlite3_column_int64(st, 0);
	t->title = store_col_text(st, 1);
	t->notes = store_col_text(st, 2);
	t->priority = sqlite3_column_int(st, 3);
	t->has_due = sqlite3_column_type(st, 4) != SQLITE_NULL;
	t->due = (time_t)sqlite3_column_int64(st, 4);
	if (task_status_parse((const char *)sqlite3_column_text(st, 5), &t->status) < 0)
		t->status = TASK_TODO; /* the table's CHECK allows no other word */
	t->created_at = (time_t)sqlite3_column_int64(st, 6);
	t->done_at = (time_t)sqlite3_column_int64(st, 7);
	t->due_date_only = t->has_due && sqlite3_column_int(st, 8);
	t->uid = store_col_text(st, 9);
}

int task_check(const struct task *t, struct err *e)
{
	if (utf8_blank(t->title))
		return err_set(e, ERR_USAGE, "a task needs a title");
	if (utf8_check_field("title", t->title, STORE_TITLE_MAX, e) < 0 ||
	    utf8_check_field("notes", t->notes, STORE_NOTES_MAX, e) < 0)
		return -1;
	if (t->priority < 0 || t->priority > 9)
		return err_set(e, ERR_USAGE, "priority must be 0-9 (got %d)", t->priority);
	return 0;
}

/* due at idx, due_date_only at idx + 1 */
static void bind_due(sqlite3_stmt *st, int idx, const struct task *t)
{
	if (t->has_due)
		sqlite3_bind_int64(st, idx, (sqlite3_int64)t->due);
	else
		sqlite3_bind_null(st, idx);
	sqlite3_bind_int(st, idx + 1, t->has_due && t->due_date_only);
}

int task_add(struct store *s, struct task *t, time_t now, struct err *e)
{
	sqlite3_stmt *st;
	int rc;

	if (task_check(t, e) < 0)
		return -1;
	st = store_prepare(
		s,
		"INSERT INTO tasks(title, notes, priority, due, due_date_only, created_at,"
		" user_id, uid) VALUES (?, ?, ?, ?, ?, ?, ?, coalesce(?8, ?6 || '-' ||"
		" lower(hex(randomblob(8))) || '@nestor'))",
		e);
	if (!st)
		return -1;
	store_bind_text(st, 1, t->title);
	store_bind_text(st, 2, t->notes);
	sqlite3_bind_int(st, 3, t->priority);
	bind_due(st, 4, t);
	sqlite3_bind_int64(st, 6, (sqlite3_int64)now);
	sqlite3_bind_int64(st, 7, s->user_id);
	store_bind_text(st, 8, t->uid);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE && store_duplicate(s))
		return err_set(e, ERR_USAGE, "a task with UID %s exists", utf8_q(t->uid));
	if (rc != SQLITE_DONE)
		return store_error(s, e, "task add");
	t->id = sqlite3_last_insert_rowid(s->db);
	t->created_at = now;
	t->status = TASK_TODO;
	return 0;
}

/* The task by id (uid NULL) or by uid. */
static int get_by(struct store *s, long long id, const char *uid, struct task *out, struct err *e)
{
	sqlite3_stmt *st =
		store_prepare(s,
			      uid ? "SELECT " TASK_COLS " FROM tasks WHERE (uid = ?1 OR"
				    " (uid IS NULL AND gid || '@nestor' = ?1)) AND user_id = ?2"
				  : "SELECT " TASK_COLS " FROM tasks WHERE id = ?1"
				    " AND user_id = ?2",
			      e);
	int rc;

	if (!st)
		return -1;
	if (uid)
		store_bind_text(st, 1, uid);
	else
		sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_int64(st, 2, s->user_id);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		task_from_row(st, out);
	sqlite3_finalize(st);
	if (rc == SQLITE_ROW)
		return 0;
	if (rc == SQLITE_DONE && uid)
		return err_set(e, ERR_NOTFOUND, "no task with UID %s", utf8_q(uid));
	if (rc == SQLITE_DONE)
		return err_set(e, ERR_NOTFOUND, "no task with id %lld", id);
	return store_error(s, e, "task");
}

int task_get(struct store *s, long long id, struct task *out, struct err *e)
{
	return get_by(s, id, NULL, out, e);
}

int task_get_uid(struct store *s, const char *uid, struct task *out, struct err *e)
{
	return get_by(s, 0, uid, out, e);
}

/* Run a one-row UPDATE/DELETE bound to id; ERR_NOTFOUND when nothing changed. */
static int change_one(struct store *s, sqlite3_stmt *st, long long id, struct err *e)
{
	int rc = sqlite3_step(st);

	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return store_error(s, e, "task");
	if (sqlite3_changes(s->db) == 0)
		return err_set(e, ERR_NOTFOUND, "no task with id %lld", id);
	return 0;
}

int task_update(struct store *s, const struct task *t, struct err *e)
{
	sqlite3_stmt *st;

	if (task_check(t, e) < 0)
		return -1;
	st = store_prepare(
		s,
		"UPDATE tasks SET title = ?, notes = ?, priority = ?, due = ?,"
		" due_date_only = ?, status = ?, done_at = ? WHERE id = ? AND user_id = ?",
		e);
	if (!st)
		return -1;
	store_bind_text(st, 1, t->title);
	store_bind_text(st, 2, t->notes);
	sqlite3_bind_int(st, 3, t->priority);
	bind_due(st, 4, t);
	store_bind_text(st, 6, task_status_name(t->status));
	if (t->done_at)
		sqlite3_bind_int64(st, 7, (sqlite3_int64)t->done_at);
	else
		sqlite3_bind_null(st, 7);
	sqlite3_bind_int64(st, 8, t->id);
	sqlite3_bind_int64(st, 9, s->user_id);
	return change_one(s, st, t->id, e);
}

int task_modify(struct store *s, long long id, int (*edit)(void *arg, struct task *t), void *arg,
		struct task *out, struct err *e)
{
	memset(out, 0, sizeof(*out));
	if (store_begin(s, e) < 0)
		return -1;
	if (task_get(s, id, out, e) < 0 || edit(arg, out) < 0 || task_update(s, out, e) < 0) {
		store_rollback(s);
		task_release(out);
		return -1;
	}
	if (store_commit(s, e) < 0) {
		task_release(out);
		return -1;
	}
	return 0;
}

int task_done(struct store *s, long long id, time_t now, struct err *e)
{
	sqlite3_stmt *st =
		store_prepare(s,
			      "UPDATE tasks SET status = 'done',"
			      " done_at = coalesce(done_at, ?) WHERE id = ? AND user_id = ?",
			      e);

	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, (sqlite3_int64)now);
	sqlite3_bind_int64(st, 2, id);
	sqlite3_bind_int64(st, 3, s->user_id);
	return change_one(s, st, id, e);
}

int task_rm(struct store *s, long long id, struct err *e)
{
	sqlite3_stmt *st = store_prepare(s, "DELETE FROM tasks WHERE id = ? AND user_id = ?", e);

	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_int64(st, 2, s->user_id);
	return change_one(s, st, id, e);
}

static void task_row(sqlite3_stmt *st, void *elem)
{
	task_from_row(st, elem);
}

static void task_unrow(void *elem)
{
	task_release(elem);
}

static int collect(struct store *s, sqlite3_stmt *st, struct task **out, size_t *n, struct err *e)
{
	void *arr;
	int rc = store_collect(s, st, sizeof(**out), task_row, task_unrow, &arr, n, "task list", e);

	*out = arr;
	return rc;
}

int task_list(struct store *s, bool all, struct task **out, size_t *n, struct err *e)
{
	sqlite3_stmt *st =
		store_prepare(s,
			      all ? "SELECT " TASK_COLS " FROM tasks WHERE user_id = ?" TASK_ORDER
				  : "SELECT " TASK_COLS " FROM tasks"
				    " WHERE status = 'todo' AND user_id = ?" TASK_ORDER,
			      e);

	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, s->user_id);
	return collect(s, st, out, n, e);
}

int task_find(struct store *s, const char *text, struct task **out, size_t *n, struct err *e)
{
	sqlite3_stmt *st = store_prepare(s,
					 "SELECT " TASK_COLS " FROM tasks WHERE status = 'todo'"
					 " AND instr(nestor_fold(title), nestor_fold(?)) > 0"
					 " AND user_id = ?" TASK_ORDER,
					 e);

	if (!st)
		return -1;
	store_bind_text(st, 1, text);
	sqlite3_bind_int64(st, 2, s->user_id);
	return collect(s, st, out, n, e);
}
