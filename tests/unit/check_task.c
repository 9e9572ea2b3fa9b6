/* Tasks: the storage API and the `nestor task` commands end to end. */
#include <check.h>
#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>

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
	ck_assert_str_eq(ts[3].status, "done");
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

	rc = tu_nestor(dir, &out, &err, "task add buy milk --due 2026-12-01 --priority 3 --notes 2l");
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
	ck_assert_int_eq(tu_nestor(dir, NULL, NULL, "task edit 1 --title 'buy oat milk' --no-due"), 0);
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

Suite *task_suite(void)
{
	Suite *s = suite_create("task");
	TCase *tc = tcase_create("task");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_order_and_done);
	tcase_add_test(tc, test_errors);
	tcase_add_test(tc, test_update);
	tcase_add_test(tc, test_cli_roundtrip);
	suite_add_tcase(s, tc);
	return s;
}
