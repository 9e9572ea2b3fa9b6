/* Tasks: the storage API and the `nestor task` commands end to end. */
#include <check.h>
#include <cjson/cJSON.h>
#include <sqlite3.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "schema.h"
#include "store.h"
#include "task.h"
#include "testutil.h"
#include "xalloc.h"

static char *dir;
static struct store *st;

static void setup(void)
{
	struct err e = { 0, "" };
	char *path;

	setenv("TZ", "Europe/Berlin", 1);
	dir = tu_tmpdir();
	path = xasprintf("%s/nestor.db", dir);
	st = store_open(path, &e);
	ck_assert_msg(st != NULL, "%s", e.msg);
	free(path);
}

static void teardown(void)
{
	store_free(st);
	tu_rmrf(dir);
	free(dir);
}

static long long add(const char *title, int prio, time_t due)
{
	struct task t = { 0 };
	struct err e = { 0, "" };

	t.title = (char *)title;
	t.priority = prio;
	t.has_due = due != 0;
	t.due = due;
	ck_assert_int_eq(task_add(st, &t, 1000, &e), 0);
	return t.id;
}

START_TEST(test_order_and_done)
{
	struct task *ts;
	size_t n;
	struct err e = { 0, "" };
	long long later = add("later", 9, 5000), none = add("no due", 9, 0),
		  soon_low = add("soon low", 1, 2000), soon_high = add("soon high", 5, 2000);

	ck_assert_int_eq(task_list(st, false, &ts, &n, &e), 0);
	ck_assert_uint_eq(n, 4);
	ck_assert_int_eq(ts[0].id, soon_high);
	ck_assert_int_eq(ts[1].id, soon_low);
	ck_assert_int_eq(ts[2].id, later);
	ck_assert_int_eq(ts[3].id, none);
	task_list_free(ts, n);

	ck_assert_int_eq(task_done(st, later, 3000, &e), 0);
	ck_assert_int_eq(task_list(st, false, &ts, &n, &e), 0);
	ck_assert_uint_eq(n, 3);
	task_list_free(ts, n);
	ck_assert_int_eq(task_list(st, true, &ts, &n, &e), 0);
	ck_assert_uint_eq(n, 4);
	ck_assert_str_eq(task_status_name(ts[3].status), "done");
	ck_assert_int_eq(ts[3].done_at, 3000);
	task_list_free(ts, n);
}
END_TEST

START_TEST(test_errors)
{
	struct task t = { 0 };
	struct err e = { 0, "" };

	ck_assert_int_eq(task_done(st, 77, 0, &e), -1);
	ck_assert_int_eq(e.code, ERR_NOTFOUND);
	ck_assert_str_eq(e.msg, "no task with id 77");
	ck_assert_int_eq(task_rm(st, 77, &e), -1);
	ck_assert_int_eq(task_get(st, 77, &t, &e), -1);
	t.title = "x";
	t.priority = 10;
	ck_assert_int_eq(task_add(st, &t, 0, &e), -1);
	ck_assert_int_eq(e.code, ERR_USAGE);
	t.title = "";
	t.priority = 0;
	ck_assert_int_eq(task_add(st, &t, 0, &e), -1);
	/* what a tool or a file hands the store is checked there too */
	t.title = "caf\xe9";
	ck_assert_int_eq(task_add(st, &t, 0, &e), -1);
	ck_assert_str_eq(e.msg, "title: not valid UTF-8 (byte 4)");
	t.title = "ok";
	t.notes = "\xc0\xaf";
	ck_assert_int_eq(task_add(st, &t, 0, &e), -1);
	ck_assert_str_eq(e.msg, "notes: not valid UTF-8 (byte 1)");
}
END_TEST

START_TEST(test_update)
{
	struct task t;
	struct err e = { 0, "" };
	long long id = add("draft", 0, 0);

	ck_assert_int_eq(task_get(st, id, &t, &e), 0);
	free(t.title);
	t.title = xstrdup("final");
	t.notes = xstrdup("n");
	t.priority = 4;
	ck_assert_int_eq(task_update(st, &t, &e), 0);
	task_release(&t);
	ck_assert_int_eq(task_get(st, id, &t, &e), 0);
	ck_assert_str_eq(t.title, "final");
	ck_assert_str_eq(t.notes, "n");
	ck_assert_int_eq(t.priority, 4);
	task_release(&t);
}
END_TEST

/* The CLI, as a user types it. */
START_TEST(test_cli_roundtrip)
{
	char *out, *err, *db1, *db2;
	cJSON *arr, *t;
	int rc;

	rc = tu_nestor(dir, &out, &err,
		       "task add buy milk --due 2026-12-01 --priority 3 --notes 2l");
	ck_assert_msg(rc == 0, "rc %d: %s", rc, err);
	ck_assert_str_eq(out, "1\n");
	free(out);
	free(err);
	rc = tu_nestor(dir, &out, &err, "task list --json");
	ck_assert_int_eq(rc, 0);
	arr = cJSON_Parse(out);
	ck_assert_ptr_nonnull(arr);
	ck_assert_int_eq(cJSON_GetArraySize(arr), 1);
	t = cJSON_GetArrayItem(arr, 0);
	ck_assert_str_eq(cJSON_GetObjectItem(t, "title")->valuestring, "buy milk");
	ck_assert_str_eq(cJSON_GetObjectItem(t, "notes")->valuestring, "2l");
	ck_assert_int_eq(cJSON_GetObjectItem(t, "priority")->valueint, 3);
	ck_assert_str_eq(cJSON_GetObjectItem(t, "due")->valuestring, "2026-12-01T23:59:59+01:00");
	ck_assert(cJSON_IsTrue(cJSON_GetObjectItem(t, "due_date_only")));
	ck_assert_str_eq(cJSON_GetObjectItem(t, "status")->valuestring, "todo");
	ck_assert(cJSON_IsNull(cJSON_GetObjectItem(t, "done_at")));
	ck_assert_ptr_nonnull(cJSON_GetObjectItem(t, "created"));
	cJSON_Delete(arr);
	free(out);
	free(err);

	/* --json before the command works the same */
	rc = tu_nestor(dir, &out, NULL, "--json task list");
	ck_assert_int_eq(rc, 0);
	ck_assert_ptr_nonnull(strstr(out, "\"buy milk\""));
	free(out);

	/* errors: usage -> 2, unknown id -> 1; the database does not change */
	db1 = xasprintf("%s/nestor.db", dir);
	rc = tu_nestor(dir, NULL, &err, "task add x --priority high");
	ck_assert_int_eq(rc, 2);
	ck_assert_str_eq(err, "nestor: task add: --priority must be 0-9 (got \"high\")\n");
	free(err);
	rc = tu_nestor(dir, NULL, &err, "task add x --due 'someday maybe'");
	ck_assert_int_eq(rc, 2);
	ck_assert_msg(strstr(err, "nestor: task add: --due: ") == err, "%s", err);
	ck_assert_msg(strstr(err, "someday") != NULL, "%s", err);
	free(err);
	rc = tu_nestor(dir, NULL, &err, "task done 42");
	ck_assert_int_eq(rc, 1);
	ck_assert_str_eq(err, "nestor: task done: no task with id 42\n");
	free(err);
	/* every error a user sees is in the log too, with its context */
	{
		char *logp = xasprintf("%s/nestor.log", dir), *log = tu_slurp(logp, NULL);

		ck_assert_ptr_nonnull(log);
		ck_assert_msg(strstr(log, "\"level\":\"error\"") &&
				      strstr(log, "\"ctx\":\"task done\"") &&
				      strstr(log, "\"msg\":\"no task with id 42\""),
			      "log: %s", log);
		free(log);
		free(logp);
	}
	rc = tu_nestor(dir, NULL, &err, "task rm abc");
	ck_assert_int_eq(rc, 2);
	free(err);
	rc = tu_nestor(dir, &out, NULL, "--json task done 42");
	ck_assert_int_eq(rc, 1);
	arr = cJSON_Parse(out);
	ck_assert_str_eq(cJSON_GetObjectItem(arr, "error")->valuestring, "no task with id 42");
	ck_assert_int_eq(cJSON_GetObjectItem(arr, "code")->valueint, 1);
	cJSON_Delete(arr);
	free(out);
	rc = tu_nestor(dir, &out, NULL, "task list --json");
	db2 = out;
	ck_assert_int_eq(rc, 0);
	arr = cJSON_Parse(db2);
	ck_assert_int_eq(cJSON_GetArraySize(arr), 1);
	cJSON_Delete(arr);
	free(db1);
	free(db2);

	/* edit, done, list --all, rm */
	ck_assert_int_eq(tu_nestor(dir, NULL, NULL, "task edit 1 --title 'buy oat milk' --no-due"),
			 0);
	ck_assert_int_eq(tu_nestor(dir, NULL, NULL, "task done 1"), 0);
	ck_assert_int_eq(tu_nestor(dir, &out, NULL, "task list"), 0);
	ck_assert_str_eq(out, "no open tasks\n");
	free(out);
	ck_assert_int_eq(tu_nestor(dir, &out, NULL, "task list --all"), 0);
	ck_assert_msg(strstr(out, "done    buy oat milk") != NULL, "%s", out);
	free(out);
	ck_assert_int_eq(tu_nestor(dir, NULL, NULL, "task rm 1"), 0);
	ck_assert_int_eq(tu_nestor(dir, &out, NULL, "task list --all"), 0);
	ck_assert_str_eq(out, "no tasks\n");
	free(out);
}
END_TEST

/* A task due on a day and one due at 23:59:59 are told apart; a date
 * alone means the end of that day for a task, 09:00 for a reminder. */
START_TEST(test_cli_date_only)
{
	char *out, *err;
	cJSON *arr;
	int rc;

	rc = tu_nestor(dir, &out, &err, "task add rent --due 2031-12-01");
	ck_assert_msg(rc == 0, "rc %d: %s", rc, err);
	free(out);
	free(err);
	rc = tu_nestor(dir, &out, &err, "task add taxes --due 2031-12-01T23:59:59+01:00");
	ck_assert_msg(rc == 0, "rc %d: %s", rc, err);
	free(out);
	free(err);
	ck_assert_int_eq(tu_nestor(dir, &out, NULL, "task list"), 0);
	ck_assert_msg(strstr(out, "2031-12-01 23:59  taxes") &&
			      strstr(out, "2031-12-01        rent"),
		      "%s", out);
	free(out);
	ck_assert_int_eq(tu_nestor(dir, &out, NULL, "task list --json"), 0);
	arr = cJSON_Parse(out);
	ck_assert_int_eq(cJSON_GetArraySize(arr), 2);
	for (int i = 0; i < 2; i++) {
		const cJSON *t = cJSON_GetArrayItem(arr, i);
		bool rent = !strcmp(cJSON_GetObjectItem(t, "title")->valuestring, "rent");

		ck_assert_str_eq(cJSON_GetObjectItem(t, "due")->valuestring,
				 "2031-12-01T23:59:59+01:00");
		ck_assert_int_eq(cJSON_IsTrue(cJSON_GetObjectItem(t, "due_date_only")), rent);
	}
	cJSON_Delete(arr);
	free(out);
	/* an edit to a time of day drops the flag, --no-due too */
	ck_assert_int_eq(tu_nestor(dir, NULL, NULL, "task edit 1 --due '2031-12-02 10:00'"), 0);
	ck_assert_int_eq(tu_nestor(dir, &out, NULL, "task list"), 0);
	ck_assert_msg(strstr(out, "2031-12-02 10:00  rent") != NULL, "%s", out);
	free(out);
	/* a reminder given a date alone rings at 09:00 */
	ck_assert_int_eq(tu_nestor(dir, NULL, NULL, "remind add pay --at 2031-12-01"), 0);
	ck_assert_int_eq(tu_nestor(dir, &out, NULL, "remind list --json"), 0);
	arr = cJSON_Parse(out);
	ck_assert_str_eq(cJSON_GetObjectItem(cJSON_GetArrayItem(arr, 0), "at")->valuestring,
			 "2031-12-01T09:00:00+01:00");
	cJSON_Delete(arr);
	free(out);
}
END_TEST

/* Tasks stored before the flag existed: a due at 23:59:59 local time was
 * the mark of a date alone, and becomes one. */
START_TEST(test_migrate_date_only)
{
	char *path = xasprintf("%s/old.db", dir);
	struct err e = { 0, "" };
	struct store *old;
	struct task t;
	sqlite3 *db;
	int i;

	ck_assert_int_eq(sqlite3_open(path, &db), SQLITE_OK);
	ck_assert_int_eq(schema_functions(db), 0);
	for (i = 0; !strstr(schema_migrations[i], "due_date_only"); i++)
		ck_assert_int_eq(sqlite3_exec(db, schema_migrations[i], NULL, NULL, NULL),
				 SQLITE_OK);
	ck_assert_int_eq(
		sqlite3_exec(db,
			     /* 2026-12-01 23:59:59 and 17:00 in Berlin, 23:59:59 UTC, no due */
			     "INSERT INTO tasks(title, due, created_at) VALUES"
			     " ('day', 1796165999, 0), ('time', 1796140800, 0),"
			     " ('utc', 1796169599, 0), ('none', NULL, 0);",
			     NULL, NULL, NULL),
		SQLITE_OK);
	sqlite3_close(db);
	{
		char *pragma = sqlite3_mprintf("PRAGMA user_version = %d", i);

		ck_assert_int_eq(sqlite3_open(path, &db), SQLITE_OK);
		ck_assert_int_eq(sqlite3_exec(db, pragma, NULL, NULL, NULL), SQLITE_OK);
		sqlite3_close(db);
		sqlite3_free(pragma);
	}
	old = store_open(path, &e);
	ck_assert_msg(old != NULL, "%s", e.msg);
	for (long long id = 1; id <= 4; id++) {
		ck_assert_int_eq(task_get(old, id, &t, &e), 0);
		ck_assert_msg(t.due_date_only == (id == 1), "%s: %d", t.title, t.due_date_only);
		ck_assert_int_eq(t.has_due, id != 4);
		task_release(&t);
	}
	ck_assert_int_eq(task_get(old, 1, &t, &e), 0);
	ck_assert_int_eq(t.due, 1796165999);
	task_release(&t);
	store_free(old);
	free(path);
}
END_TEST

/* A pull that writes while `task edit` applies its options cannot (a real
 * one waits): the edit holds its write transaction from its read on, so
 * it never writes back a value read before the pull. */
struct during {
	int rc;
	char sql[96];
};

static int pull_during_edit(void *arg, struct task *t)
{
	struct during *d = arg;

	d->rc = tu_other_write(dir, d->sql);
	t->priority = 5;
	return 0;
}

START_TEST(test_edit_holds_its_transaction)
{
	struct during d = { 0, "" };
	struct task t;
	struct err e = { 0, "" };
	long long id = add("water the plants", 1, 0);

	snprintf(d.sql, sizeof(d.sql), "UPDATE tasks SET notes = 'pulled' WHERE id = %lld", id);
	ck_assert_int_eq(task_modify(st, id, pull_during_edit, &d, &t, &e), 0);
	task_release(&t);
	ck_assert_int_eq(d.rc, SQLITE_BUSY);
	ck_assert_int_eq(task_get(st, id, &t, &e), 0);
	ck_assert_int_eq(t.priority, 5);
	task_release(&t);
	/* the pull, tried again after the edit, keeps the edit */
	ck_assert_int_eq(tu_other_write(dir, d.sql), SQLITE_OK);
	ck_assert_int_eq(task_get(st, id, &t, &e), 0);
	ck_assert_int_eq(t.priority, 5);
	ck_assert_str_eq(t.notes, "pulled");
	task_release(&t);
}
END_TEST

Suite *task_suite(void)
{
	Suite *s = suite_create("task");
	TCase *tc = tcase_create("task");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_order_and_done);
	tcase_add_test(tc, test_errors);
	tcase_add_test(tc, test_update);
	tcase_add_test(tc, test_cli_roundtrip);
	tcase_add_test(tc, test_cli_date_only);
	tcase_add_test(tc, test_migrate_date_only);
	tcase_add_test(tc, test_edit_holds_its_transaction);
	suite_add_tcase(s, tc);
	return s;
}
