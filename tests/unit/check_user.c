/* Users in the store: edits in one write transaction. */
#include <check.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

#include "store-int.h"
#include "store.h"
#include "testutil.h"
#include "user.h"
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

/* Another process links Telegram chat 42 to the first user at the
 * statement right after the edit's read of the user: link_rc is its
 * write's result.  link_state: 0 waiting for the read, 1 read, 2 done. */
static int link_rc, link_state;

static int link_after_read(unsigned type, void *arg, void *stmt, void *sql)
{
	(void)type;
	(void)arg;
	(void)stmt;
	if (link_state == 1) {
		link_rc =
			tu_other_write(dir, "UPDATE users SET telegram_chat_id = 42 WHERE id = 1");
		link_state = 2;
	} else if (link_state == 0 && !strncmp(sql, "SELECT", 6)) {
		link_state = 1;
	}
	return 0;
}

static int set_tz(void *arg, struct user *u)
{
	free(u->tz);
	u->tz = xstrdup(arg);
	return 0;
}

/* user edit holds its write transaction from its read on: the link waits
 * for it (and is retried), instead of going in between and being undone
 * by the edit's write of every column. */
START_TEST(test_edit_holds_its_transaction)
{
	struct user u;
	struct err e = { 0, "" };

	link_rc = -1;
	link_state = 0;
	sqlite3_trace_v2(st->db, SQLITE_TRACE_STMT, link_after_read, NULL);
	ck_assert_msg(user_modify(st, "me", set_tz, "Europe/Berlin", &u, &e) == 0, "%s", e.msg);
	sqlite3_trace_v2(st->db, 0, NULL, NULL);
	user_release(&u);
	ck_assert_int_eq(link_state, 2);
	if (link_rc == SQLITE_BUSY)
		link_rc =
			tu_other_write(dir, "UPDATE users SET telegram_chat_id = 42 WHERE id = 1");
	ck_assert_int_eq(link_rc, SQLITE_OK);
	ck_assert_int_eq(user_get(st, "me", &u, &e), 0);
	ck_assert_str_eq(u.tz, "Europe/Berlin");
	ck_assert_int_eq(u.telegram_chat_id, 42);
	user_release(&u);
}
END_TEST

static int refuse(void *arg, struct user *u)
{
	struct err *e = arg;

	(void)u;
	return err_set(e, ERR_USAGE, "nothing to change");
}

/* An edit that gives up writes nothing and gives the transaction back. */
START_TEST(test_edit_gives_up)
{
	struct user u;
	struct err e = { 0, "" };

	ck_assert_int_eq(user_modify(st, "me", refuse, &e, &u, &e), -1);
	ck_assert_str_eq(e.msg, "nothing to change");
	ck_assert_int_eq(user_modify(st, "nobody", set_tz, "UTC", &u, &e), -1);
	ck_assert_int_eq(e.code, ERR_NOTFOUND);
	ck_assert_str_eq(e.msg, "no user named 'nobody'");
	ck_assert_int_eq(tu_other_write(dir, "UPDATE users SET tz = 'UTC'"), SQLITE_OK);
}
END_TEST

static int rename_bobby(void *arg, struct user *u)
{
	(void)arg;
	free(u->name);
	u->name = xstrdup("bobby");
	return 0;
}

/* An edit checks the fields it changes: a user whose stored zone, locale
 * and settings today's rules refuse can still be renamed, and they stay
 * as they were; a changed zone is still checked. */
START_TEST(test_edit_checks_what_it_changes)
{
	struct user u;
	struct err e = { 0, "" };

	ck_assert_int_eq(tu_other_write(dir, "UPDATE users SET tz = 'Mars/Base', locale = 'de',"
					     " settings = '[1]' WHERE name = 'me'"),
			 SQLITE_OK);
	ck_assert_msg(user_modify(st, "me", rename_bobby, NULL, &u, &e) == 0, "%s", e.msg);
	user_release(&u);
	ck_assert_int_eq(user_get(st, "bobby", &u, &e), 0);
	ck_assert_str_eq(u.tz, "Mars/Base");
	ck_assert_str_eq(u.locale, "de");
	ck_assert_str_eq(u.settings, "[1]");
	user_release(&u);
	ck_assert_int_eq(user_modify(st, "bobby", set_tz, "Mars/Other", &u, &e), -1);
	ck_assert_str_eq(e.msg, "unknown time zone \"Mars/Other\"");
	ck_assert_int_eq(user_modify(st, "bobby", set_tz, "", &u, &e), -1);
	ck_assert_str_eq(e.msg, "unknown time zone \"\"");
}
END_TEST

Suite *user_suite(void)
{
	Suite *s = suite_create("user");
	TCase *tc = tcase_create("user");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_edit_holds_its_transaction);
	tcase_add_test(tc, test_edit_gives_up);
	tcase_add_test(tc, test_edit_checks_what_it_changes);
	suite_add_tcase(s, tc);
	return s;
}
