/* Assistants in the store: the default, tool lists, renames. */
#include <check.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

#include "store-int.h"
#include "assistant.h"
#include "store.h"
#include "testutil.h"
#include "xalloc.h"

static char *dir;
static struct store *st;

static void setup(void)
{
	dir = tu_tmpdir();
	st = tu_store_open(dir);
}

static void teardown(void)
{
	store_free(st);
	tu_rmrf(dir);
	free(dir);
}

START_TEST(test_default_moves)
{
	struct assistant a = { 0 }, d;
	struct err e = { 0, "" };

	ck_assert_int_eq(assistant_get_default(st, &d, &e), 0);
	ck_assert_str_eq(d.name, "nestor");
	ck_assert_str_eq(assistant_backend_name(d.backend), "offline");
	ck_assert_int_eq(d.token_budget, ASSISTANT_DEFAULT_BUDGET);
	assistant_release(&d);

	a.name = "local";
	a.backend = ASSISTANT_LLM;
	a.base_url = "http://127.0.0.1:11434/v1";
	ck_assert_int_eq(assistant_add(st, &a, 1000, &e), 0);
	ck_assert_int_eq(a.token_budget, ASSISTANT_DEFAULT_BUDGET);
	ck_assert_int_eq(assistant_set_default(st, "local", &e), 0);
	ck_assert_int_eq(assistant_get_default(st, &d, &e), 0);
	ck_assert_str_eq(d.name, "local");
	ck_assert_ptr_null(d.key_secret);
	assistant_release(&d);
	ck_assert_int_eq(assistant_get_by_name(st, "nestor", &d, &e), 0);
	ck_assert(!d.is_default); /* exactly one default */
	assistant_release(&d);
	{
		char **names = assistant_names(st, &e);

		ck_assert_str_eq(names[0], "nestor");
		ck_assert_str_eq(names[1], "local");
		ck_assert_ptr_null(names[2]);
		assistant_names_free(names);
	}
	ck_assert_int_eq(assistant_rm(st, "local", &e), -1);
	ck_assert_int_eq(assistant_rm(st, "nestor", &e), 0);
	ck_assert_int_eq(assistant_set_default(st, "nestor", &e), -1);
	ck_assert_int_eq(e.code, ERR_NOTFOUND);
}
END_TEST

START_TEST(test_allows)
{
	struct assistant a = { 0 };

	ck_assert(assistant_allows(&a, "task_add"));
	a.tools = "task_add, calendar_agenda";
	ck_assert(assistant_allows(&a, "task_add"));
	ck_assert(assistant_allows(&a, "calendar_agenda"));
	ck_assert(!assistant_allows(&a, "task"));
	ck_assert(!assistant_allows(&a, "ask_assistant"));
}
END_TEST

/* Another process makes 'local' the default just as rm starts deleting it. */
static struct store *other;
static int moved;

static int move_default(unsigned type, void *arg, void *stmt, void *sql)
{
	struct err e = { 0, "" };

	(void)type;
	(void)arg;
	(void)stmt;
	if (!moved && !strncmp(sql, "DELETE FROM assistants", 22)) {
		moved = 1;
		ck_assert_int_eq(assistant_set_default(other, "local", &e), 0);
	}
	return 0;
}

START_TEST(test_rm_default_race)
{
	struct assistant a = { 0 }, d;
	struct err e = { 0, "" };
	char *path = xasprintf("%s/nestor.db", dir);

	a.name = "local";
	a.backend = ASSISTANT_LLM;
	a.base_url = "http://127.0.0.1:11434/v1";
	ck_assert_int_eq(assistant_add(st, &a, 1000, &e), 0);
	other = store_open(path, &e);
	ck_assert_msg(other != NULL, "%s", e.msg);
	moved = 0;
	sqlite3_trace_v2(st->db, SQLITE_TRACE_STMT, move_default, NULL);
	ck_assert_int_eq(assistant_rm(st, "local", &e), -1);
	sqlite3_trace_v2(st->db, 0, NULL, NULL);
	ck_assert_int_eq(moved, 1);
	ck_assert_int_eq(e.code, ERR_USAGE);
	ck_assert_str_eq(e.msg, "'local' is the default assistant; make another one the default "
				"first (nestor assistant default NAME)");
	ck_assert_int_eq(assistant_get_default(st, &d, &e), 0);
	ck_assert_str_eq(d.name, "local");
	assistant_release(&d);
	/* an unknown name is still not found */
	ck_assert_int_eq(assistant_rm(st, "nobody", &e), -1);
	ck_assert_int_eq(e.code, ERR_NOTFOUND);
	store_free(other);
	free(path);
}
END_TEST

Suite *assistant_suite(void)
{
	Suite *s = suite_create("assistant");
	TCase *tc = tcase_create("assistant");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_default_moves);
	tcase_add_test(tc, test_allows);
	tcase_add_test(tc, test_rm_default_race);
	suite_add_tcase(s, tc);
	return s;
}
