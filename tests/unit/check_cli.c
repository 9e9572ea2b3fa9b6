/*
 * The command line itself (help, version, exit codes) and every shell
 * script under tests/cli/, each run as one test case so the one runner
 * reports them in its summary.  A run that finds no scripts fails: a wrong
 * NESTOR_SRC must not turn into a green summary.
 */
#include <check.h>
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "testutil.h"
#include "xalloc.h"

static char *dir;
static glob_t scripts;
static char **tests; /* scripts without the sourced helpers */
static int ntests;

/* Sourced by the scripts, not tests themselves. */
static const char *const helpers[] = { "lib.sh", "tmux.sh", "redis.sh", "relays.sh" };

static int is_helper(const char *path)
{
	const char *base = strrchr(path, '/');
	size_t i;

	base = base ? base + 1 : path;
	for (i = 0; i < sizeof(helpers) / sizeof(helpers[0]); i++)
		if (!strcmp(base, helpers[i]))
			return 1;
	return 0;
}

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
	const char *script = tests[_i];
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

static char *pattern;

START_TEST(test_no_scripts)
{
	ck_abort_msg("no end-to-end scripts match %s: is NESTOR_SRC the source tree?", pattern);
}
END_TEST

/* The list the scripts case runs: every script, no helper. */
START_TEST(test_script_list)
{
	int i, remind = 0;

	ck_assert_int_gt(ntests, 0);
	for (i = 0; i < ntests; i++) {
		ck_assert_msg(!is_helper(tests[i]), "%s is run as a test", tests[i]);
		remind += strstr(tests[i], "/remind.sh") != NULL;
	}
	ck_assert_int_eq(remind, 1);
	ck_assert_int_eq(ntests + (int)(sizeof(helpers) / sizeof(helpers[0])),
			 (int)scripts.gl_pathc);
}
END_TEST

/* Run this runner again with ENV (shell text) in front; its exit status,
 * its output in *out. */
static int run_self(const char *env, char **out)
{
	char self[4096];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	char *log = xasprintf("%s/runner.log", dir);
	char *cmd;
	int st;

	ck_assert_int_gt(n, 0);
	self[n] = '\0';
	cmd = xasprintf("%s '%s' >'%s' 2>&1", env, self, log);
	st = system(cmd);
	*out = tu_slurp(log, NULL);
	if (!*out)
		*out = xstrdup("");
	free(cmd);
	free(log);
	return st == -1 || !WIFEXITED(st) ? -1 : WEXITSTATUS(st);
}

/* The runner on a source tree without the scripts fails, and so does a run
 * in which no test ran. */
START_TEST(test_runner_cannot_pass_empty)
{
	char *env = xasprintf("CK_RUN_SUITE=cli CK_RUN_CASE=scripts NESTOR_SRC='%s'", dir);
	char *out;

	ck_assert_int_eq(run_self(env, &out), 1);
	ck_assert_msg(strstr(out, "no end-to-end scripts match") &&
			      strstr(out, "Checks: 1, Failures: 1, Errors: 0"),
		      "%s", out);
	free(out);
	free(env);
	ck_assert_int_eq(run_self("CK_RUN_SUITE=no_such_suite CK_RUN_CASE=", &out), 1);
	ck_assert_msg(strstr(out, "no test ran (CK_RUN_SUITE=no_such_suite, CK_RUN_CASE=)"), "%s",
		      out);
	free(out);
}
END_TEST

/* NESTOR_NOW pins the clock the commands read; a bad value is refused. */
START_TEST(test_pinned_clock)
{
	char *out, *err;

	setenv("TZ", "Europe/Berlin", 1);
	setenv("NESTOR_NOW", "2026-06-01T09:00:00Z", 1);
	ck_assert_int_eq(tu_nestor(dir, &out, NULL, "time"), 0);
	ck_assert_msg(!strncmp(out, "2026-06-01 11:00 ", 17), "%s", out);
	free(out);
	ck_assert_int_eq(tu_nestor(dir, &out, NULL, "task add x --due tomorrow"), 0);
	free(out);
	ck_assert_int_eq(tu_nestor(dir, &out, NULL, "--json task list"), 0);
	ck_assert_msg(strstr(out, "\"due\":\t\"2026-06-02") != NULL, "%s", out);
	free(out);
	setenv("NESTOR_NOW", "soon", 1);
	ck_assert_int_eq(tu_nestor(dir, &out, &err, "time"), 2);
	ck_assert_str_eq(out, "");
	ck_assert_str_eq(err, "nestor: NESTOR_NOW: bad time \"soon\" (want epoch seconds or "
			      "YYYY-MM-DDTHH:MM:SSZ, optionally @REAL)\n");
	free(out);
	free(err);
	unsetenv("NESTOR_NOW");
	unsetenv("TZ");
}
END_TEST

Suite *cli_suite(void)
{
	Suite *s = suite_create("cli");
	TCase *tc = tcase_create("cli");
	TCase *sh = tcase_create("scripts");
	size_t i;

	pattern = tu_src("tests/cli/*.sh");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_help_and_version);
	tcase_add_test(tc, test_runner_cannot_pass_empty);
	tcase_add_test(tc, test_pinned_clock);
	suite_add_tcase(s, tc);
	if (glob(pattern, 0, NULL, &scripts) == 0) {
		tests = xcalloc(scripts.gl_pathc, sizeof(*tests));
		for (i = 0; i < scripts.gl_pathc; i++)
			if (!is_helper(scripts.gl_pathv[i]))
				tests[ntests++] = scripts.gl_pathv[i];
	}
	tcase_add_checked_fixture(sh, setup, teardown);
	if (ntests > 0) {
		tcase_set_timeout(sh, 300);
		tcase_add_test(sh, test_script_list);
		tcase_add_loop_test(sh, test_script, 0, ntests);
	} else {
		tcase_add_test(sh, test_no_scripts);
	}
	suite_add_tcase(s, sh);
	return s;
}
