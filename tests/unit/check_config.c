/* The config file: defaults, set keeping comments, errors with file:line:key. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "testutil.h"
#include "xalloc.h"

static char *dir, *path;
static char warned[512];

static void setup(void)
{
	dir = tu_tmpdir();
	path = xasprintf("%s/config", dir);
	warned[0] = '\0';
}

static void teardown(void)
{
	tu_rmrf(dir);
	free(dir);
	free(path);
}

static void write_file(const char *text)
{
	FILE *f = fopen(path, "w");

	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	fclose(f);
}

static void warn(const char *line)
{
	snprintf(warned, sizeof(warned), "%s", line);
}

START_TEST(test_missing_file_defaults)
{
	struct err e = { 0, "" };
	struct config *c = config_load(path, warn, &e);

	ck_assert_msg(c != NULL, "%s", e.msg);
	ck_assert_str_eq(config_get(c, "general.log_level"), "info");
	ck_assert_ptr_null(config_get(c, "general.location"));
	ck_assert(!config_is_set(c, "general.log_level"));
	config_free(c);
}
END_TEST

START_TEST(test_set_keeps_comments)
{
	struct err e = { 0, "" };
	struct config *c;
	const char *old;
	char *text;

	write_file("# my settings\n[general]\n# where I live\nlocation = Berlin\n");
	c = config_load(path, warn, &e);
	ck_assert_ptr_nonnull(c);
	old = config_get(c, "general.location");
	ck_assert_str_eq(old, "Berlin");
	ck_assert_int_eq(config_set(c, "general.timezone", "Europe/Berlin", &e), 0);
	ck_assert_int_eq(config_set(c, "general.location", "Kazan", &e), 0);
	ck_assert_str_eq(config_get(c, "general.location"), "Kazan");
	/* a string handed out before the change is still valid (ASan checks) */
	ck_assert_str_eq(old, "Berlin");
	ck_assert_int_eq(config_save(c, &e), 0);
	config_free(c);
	text = tu_slurp(path, NULL);
	ck_assert_msg(strstr(text, "# my settings") && strstr(text, "# where I live"), "%s", text);
	ck_assert_msg(strstr(text, "location=Kazan") || strstr(text, "location = Kazan"), "%s",
		      text);
	ck_assert_msg(strstr(text, "timezone=Europe/Berlin") != NULL, "%s", text);
	free(text);
}
END_TEST

START_TEST(test_bad_values)
{
	struct err e = { 0, "" };
	struct config *c;

	write_file("[general]\nlocation = here\n\nlog_level = loud\n");
	ck_assert_ptr_null(config_load(path, warn, &e));
	ck_assert_msg(strstr(e.msg, ":4: general.log_level must be one of") != NULL, "%s", e.msg);
	ck_assert_msg(strstr(e.msg, path) == e.msg, "%s", e.msg);

	write_file("[general]\ncolour = blue\n");
	c = config_load(path, warn, &e);
	ck_assert_ptr_nonnull(c);
	ck_assert_msg(strstr(warned, ":2: unknown key 'general.colour'") != NULL, "%s", warned);
	ck_assert_int_eq(config_set(c, "general.log_level", "loud", &e), -1);
	ck_assert_int_eq(config_set(c, "nosuch.key", "1", &e), -1);
	ck_assert_int_eq(config_set(c, "nodot", "1", &e), -1);
	config_free(c);

	write_file("[general\nbroken");
	ck_assert_ptr_null(config_load(path, warn, &e));
}
END_TEST

START_TEST(test_cli)
{
	char *out, *err;

	ck_assert_int_eq(tu_nestor(dir, NULL, NULL, "config set general.location Tokyo"), 0);
	ck_assert_int_eq(tu_nestor(dir, &out, NULL, "config get general.location"), 0);
	ck_assert_str_eq(out, "Tokyo\n");
	free(out);
	ck_assert_int_eq(tu_nestor(dir, &out, &err, "config set general.log_level loud"), 2);
	ck_assert_str_eq(err, "nestor: config set: general.log_level must be one of "
			      "debug|info|warn|error|off (got \"loud\")\n");
	free(out);
	free(err);
	ck_assert_int_eq(tu_nestor(dir, &out, NULL, "config list"), 0);
	ck_assert_msg(strstr(out, "general.location") && strstr(out, "Tokyo"), "%s", out);
	free(out);
	ck_assert_int_eq(tu_nestor(dir, &out, &err, "config get no.such"), 2);
	free(out);
	free(err);
	/* a broken config file stops every command with file and line */
	write_file("[general]\nlog_level = 7\n");
	ck_assert_int_eq(tu_nestor(dir, &out, &err, "--config '%s' task list", path), 1);
	ck_assert_msg(strstr(err, ":2: general.log_level") != NULL, "%s", err);
	free(out);
	free(err);
}
END_TEST

Suite *config_suite(void)
{
	Suite *s = suite_create("config");
	TCase *tc = tcase_create("config");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_missing_file_defaults);
	tcase_add_test(tc, test_set_keeps_comments);
	tcase_add_test(tc, test_bad_values);
	tcase_add_test(tc, test_cli);
	suite_add_tcase(s, tc);
	return s;
}
