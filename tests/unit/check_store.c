/* The store: file mode, migrations, refusing a newer database. */
#include <check.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "store-int.h"
#include "store.h"
#include "testutil.h"
#include "xalloc.h"

static char *dir, *path;

static void setup(void)
{
	dir = tu_tmpdir();
	path = xasprintf("%s/nestor.db", dir);
}

static void teardown(void)
{
	tu_rmrf(dir);
	free(dir);
	free(path);
}

START_TEST(test_created_private)
{
	struct err e = { 0, "" };
	struct store *s;
	struct stat st;
	mode_t old = umask(022);

	s = store_open(path, &e);
	umask(old);
	ck_assert_msg(s != NULL, "%s", e.msg);
	ck_assert_int_eq(stat(path, &st), 0);
	ck_assert_int_eq(st.st_mode & 0777, 0600);
	store_free(s);
}
END_TEST

static int count(struct store *s, const char *sql)
{
	sqlite3_stmt *st = store_prepare(s, sql, NULL);
	int n;

	ck_assert_ptr_nonnull(st);
	ck_assert_int_eq(sqlite3_step(st), SQLITE_ROW);
	n = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	return n;
}

START_TEST(test_migrations)
{
	static const char *const tables[] = { "users", "assistants", "conversations",
					      "messages", "messages_fts", "calendars", "events",
					      "tasks", "jobs", "job_runs", "tool_cache", "outbox",
					      "sync_state" };
	struct err e = { 0, "" };
	struct store *s = store_open(path, &e);

	ck_assert_msg(s != NULL, "%s", e.msg);
	ck_assert_int_eq(count(s, "PRAGMA user_version"), store_schema_version());
	ck_assert_int_eq(count(s, "PRAGMA foreign_keys"), 1);
	for (size_t i = 0; i < sizeof(tables) / sizeof(tables[0]); i++) {
		char *q = xasprintf("SELECT count(*) FROM sqlite_master WHERE name = '%s'",
				    tables[i]);

		ck_assert_msg(count(s, q) == 1, "table %s missing", tables[i]);
		free(q);
	}
	/* the defaults every other module relies on */
	ck_assert_int_eq(count(s, "SELECT count(*) FROM assistants WHERE is_default"), 1);
	ck_assert_int_eq(count(s, "SELECT count(*) FROM calendars"), 1);
	store_free(s);
	/* opening again migrates nothing and keeps the data */
	s = store_open(path, &e);
	ck_assert_msg(s != NULL, "%s", e.msg);
	ck_assert_int_eq(count(s, "SELECT count(*) FROM users"), 1);
	store_free(s);
}
END_TEST

START_TEST(test_newer_refused_untouched)
{
	struct err e = { 0, "" };
	sqlite3 *db;
	char *before, *after, *out = NULL, *errs = NULL;
	size_t n1, n2;
	int rc;

	ck_assert_int_eq(sqlite3_open(path, &db), SQLITE_OK);
	ck_assert_int_eq(sqlite3_exec(db, "CREATE TABLE future(x); INSERT INTO future VALUES (42);"
					  "PRAGMA user_version = 999;",
				      NULL, NULL, NULL),
			 SQLITE_OK);
	sqlite3_close(db);
	before = tu_slurp(path, &n1);
	ck_assert_ptr_null(store_open(path, &e));
	ck_assert_msg(strstr(e.msg, "newer") != NULL, "message: %s", e.msg);
	ck_assert_msg(strstr(e.msg, "999") != NULL, "message: %s", e.msg);
	/* and through the CLI: exit 1, one line, file byte-identical */
	rc = tu_nestor(dir, &out, &errs, "--db '%s' task list", path);
	ck_assert_int_eq(rc, 1);
	ck_assert_msg(strstr(errs, "newer than this nestor") != NULL, "stderr: %s", errs);
	after = tu_slurp(path, &n2);
	ck_assert_uint_eq(n1, n2);
	ck_assert_msg(memcmp(before, after, n1) == 0, "database changed");
	free(before);
	free(after);
	free(out);
	free(errs);
}
END_TEST

START_TEST(test_rollback)
{
	struct err e = { 0, "" };
	struct store *s = store_open(path, &e);

	ck_assert_ptr_nonnull(s);
	ck_assert_int_eq(store_begin(s, &e), 0);
	ck_assert_int_eq(store_exec(s, "INSERT INTO tasks(title, created_at) VALUES ('x', 0)", &e), 0);
	store_rollback(s);
	ck_assert_int_eq(count(s, "SELECT count(*) FROM tasks"), 0);
	ck_assert_int_eq(store_exec(s, "INSERT INTO nowhere VALUES (1)", &e), -1);
	ck_assert_msg(strstr(e.msg, "nowhere") != NULL, "%s", e.msg);
	store_free(s);
}
END_TEST

/* The TUI refreshes when another connection commits, and only then. */
START_TEST(test_data_version)
{
	struct err e = { 0, "" };
	struct store *a = store_open(path, &e), *b = store_open(path, &e);
	long long v0, v1, v2;

	ck_assert_ptr_nonnull(a);
	ck_assert_ptr_nonnull(b);
	ck_assert_int_eq(store_data_version(a, &v0, &e), 0);
	ck_assert_int_eq(store_exec(a, "CREATE TABLE own(x)", &e), 0);
	ck_assert_int_eq(store_data_version(a, &v1, &e), 0);
	ck_assert_int_eq(v1, v0);
	ck_assert_int_eq(store_exec(b, "INSERT INTO own VALUES (1)", &e), 0);
	ck_assert_int_eq(store_data_version(a, &v2, &e), 0);
	ck_assert_int_ne(v2, v1);
	store_free(a);
	store_free(b);
}
END_TEST

Suite *store_suite(void)
{
	Suite *s = suite_create("store");
	TCase *tc = tcase_create("store");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_created_private);
	tcase_add_test(tc, test_migrations);
	tcase_add_test(tc, test_newer_refused_untouched);
	tcase_add_test(tc, test_rollback);
	tcase_add_test(tc, test_data_version);
	suite_add_tcase(s, tc);
	return s;
}
