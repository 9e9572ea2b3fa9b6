/*
 * The command line itself (help, version, exit codes) and every shell
 * script under tests/cli/, each run as one test case so the one runner
 * reports them in its summary.
 */
#include <check.h>
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"
#include "xalloc.h"

static char *dir;
static glob_t scripts;

static void setup(void)
{
	dir = tu_tmpdir();
}

static void teardown(void)
{
	tu_rmrf(dir);
	free(dir);
}

START_TEST(test_help_and_version)
{
	char *out, *err;

	ck_assert_int_eq(tu_nestor(dir, &out, NULL, "--version"), 0);
	ck_assert_str_eq(out, "nestor " NESTOR_VERSION "\n");
	free(out);
	ck_assert_int_eq(tu_nestor(dir, &out, NULL, "help"), 0);
	ck_assert_msg(strstr(out, "task ") && strstr(out, "config "), "%s", out);
	free(out);
	ck_assert_int_eq(tu_nestor(dir, &out, NULL, "help task add"), 0);
	ck_assert_msg(strstr(out, "usage: nestor task add TITLE") != NULL, "%s", out);
	free(out);
	ck_assert_int_eq(tu_nestor(dir, &out, NULL, "task add --help"), 0);
	ck_assert_msg(strstr(out, "--priority 0-9") != NULL, "%s", out);
	free(out);
	ck_assert_int_eq(tu_nestor(dir, &out, &err, "frobnicate"), 2);
	ck_assert_str_eq(err, "nestor: unknown command 'frobnicate' (see 'nestor help')\n");
	free(out);
	free(err);
	/* a group without its verb: usage on stderr, or a JSON error for scripts */
	ck_assert_int_eq(tu_nestor(dir, &out, &err, "task"), 2);
	ck_assert_msg(strstr(err, "usage: nestor task <command>") != NULL, "%s", err);
	free(out);
	free(err);
	ck_assert_int_eq(tu_nestor(dir, &out, &err, "--json task"), 2);
	ck_assert_msg(strstr(out, "\"error\"") && strstr(out, "missing command"), "%s", out);
	ck_assert_str_eq(err, "nestor: task: missing command (see 'nestor help task')\n");
	free(out);
	free(err);
	ck_assert_int_eq(tu_nestor(dir, &out, &err, "task fly"), 2);
	ck_assert_msg(strstr(err, "unknown command 'fly'") != NULL, "%s", err);
	free(out);
	free(err);
	ck_assert_int_eq(tu_nestor(dir, &out, &err, "task list --bogus"), 2);
	ck_assert_str_eq(err, "nestor: task list: unknown option '--bogus'\n");
	free(out);
	free(err);
	ck_assert_int_eq(tu_nestor(dir, &out, &err, "task add x --due"), 2);
	ck_assert_str_eq(err, "nestor: task add: option '--due' needs a value\n");
	free(out);
	free(err);
}
END_TEST

START_TEST(test_script)
{
	const char *script = scripts.gl_pathv[_i];
	const char *bin = getenv("NESTOR_BIN");
	char *log = xasprintf("%s/script.log", dir);
	char *cmd = xasprintf("cd '%s' && NESTOR_BIN='%s' TMPDIR='%s' sh '%s' >'%s' 2>&1", dir,
			      bin ? bin : "nestor", dir, script, log);
	int st = system(cmd);

	if (st != 0) {
		char *text = tu_slurp(log, NULL);

		ck_abort_msg("%s failed (status %d):\n%s", script, st, text ? text : "");
	}
	free(cmd);
	free(log);
}
END_TEST

Suite *cli_suite(void)
{
	Suite *s = suite_create("cli");
	TCase *tc = tcase_create("cli");
	TCase *sh = tcase_create("scripts");
	char *pattern = tu_src("tests/cli/*.sh");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_help_and_version);
	suite_add_tcase(s, tc);
	if (glob(pattern, 0, NULL, &scripts) == 0) {
		tcase_add_checked_fixture(sh, setup, teardown);
		tcase_set_timeout(sh, 300);
		tcase_add_loop_test(sh, test_script, 0, (int)scripts.gl_pathc);
		suite_add_tcase(s, sh);
	}
	free(pattern);
	return s;
}
