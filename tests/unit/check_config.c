/* The config file: defaults, set keeping comments, errors with file:line:key,
 * reads from threads while another sets. */
#include <check.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "testutil.h"
#include "xalloc.h"

static char *dir, *path;
static char warned[512];
static int nwarned;

static void setup(void)
{
	dir = tu_tmpdir();
	path = xasprintf("%s/config", dir);
	warned[0] = '\0';
	nwarned = 0;
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
	nwarned++;
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

/* Two processes load the file, then each sets a key of its own and saves
 * (config set in two shells): neither loses the other's key, and the
 * comments stay. */
START_TEST(test_two_savers_keep_both)
{
	struct err e = { 0, "" };
	struct config *a, *b, *c;
	char *text;

	write_file("# mine\n[general]\nlocation = Berlin\n");
	a = config_load(path, warn, &e);
	b = config_load(path, warn, &e);
	ck_assert_msg(a && b, "%s", e.msg);
	ck_assert_int_eq(config_set(a, "general.timezone", "Europe/Berlin", &e), 0);
	ck_assert_int_eq(config_set(b, "weather.units", "imperial", &e), 0);
	ck_assert_msg(config_save(a, &e) == 0, "%s", e.msg);
	ck_assert_msg(config_save(b, &e) == 0, "%s", e.msg);
	/* a saves again after b: b's key stays */
	ck_assert_int_eq(config_set(a, "general.location", "Kazan", &e), 0);
	ck_assert_msg(config_save(a, &e) == 0, "%s", e.msg);
	config_free(a);
	config_free(b);
	c = config_load(path, warn, &e);
	ck_assert_msg(c != NULL, "%s", e.msg);
	ck_assert_str_eq(config_get(c, "general.timezone"), "Europe/Berlin");
	ck_assert_str_eq(config_get(c, "weather.units"), "imperial");
	ck_assert_str_eq(config_get(c, "general.location"), "Kazan");
	text = tu_slurp(path, NULL);
	ck_assert_msg(strstr(text, "# mine") != NULL, "%s", text);
	free(text);
	/* a file broken meanwhile (by an editor) is not overwritten */
	ck_assert_int_eq(config_set(c, "weather.units", "metric", &e), 0);
	write_file("[general\n");
	ck_assert_int_eq(config_save(c, &e), -1);
	ck_assert_msg(strncmp(e.msg, path, strlen(path)) == 0, "%s", e.msg);
	config_free(c);
	text = tu_slurp(path, NULL);
	ck_assert_str_eq(text, "[general\n");
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

	/* a time zone the system does not know: refused by set as by load */
	write_file("[general]\n\ntimezone = Mars/Base\n");
	ck_assert_ptr_null(config_load(path, warn, &e));
	ck_assert_msg(strstr(e.msg, ":3: general.timezone must be a time zone") != NULL, "%s",
		      e.msg);
	write_file("[general]\ntimezone = Asia/Tokyo\n");
	c = config_load(path, warn, &e);
	ck_assert_ptr_nonnull(c);
	ck_assert_int_eq(config_set(c, "general.timezone", "Mars/Base", &e), -1);
	ck_assert_str_eq(e.msg, "general.timezone must be a time zone such as Europe/Berlin "
				"(got \"Mars/Base\")");
	ck_assert_int_eq(config_set(c, "general.timezone", "../../etc/passwd", &e), -1);
	ck_assert_str_eq(config_get(c, "general.timezone"), "Asia/Tokyo");
	ck_assert_int_eq(config_set(c, "general.timezone", "UTC", &e), 0);
	config_free(c);

	write_file("[general\nbroken");
	ck_assert_ptr_null(config_load(path, warn, &e));
	ck_assert_msg(strstr(e.msg, path) == e.msg && strstr(e.msg, "[general"), "%s", e.msg);
}
END_TEST

/* A file an editor saved with a UTF-8 byte order mark loads; its errors
 * still name the right line. */
START_TEST(test_bom)
{
	struct err e = { 0, "" };
	struct config *c;

	write_file("\xef\xbb\xbf[general]\ntimezone = Asia/Tokyo\n");
	c = config_load(path, warn, &e);
	ck_assert_msg(c != NULL, "%s", e.msg);
	ck_assert_str_eq(config_get(c, "general.timezone"), "Asia/Tokyo");
	config_free(c);
	write_file("\xef\xbb\xbf[general]\nlog_level = loud\n");
	ck_assert_ptr_null(config_load(path, warn, &e));
	ck_assert_msg(strstr(e.msg, ":2: general.log_level must be one of") != NULL, "%s", e.msg);
}
END_TEST

/* A section given twice is one (the last value of a key is read): an
 * error names the line of the value read, not of an earlier one. */
START_TEST(test_section_twice)
{
	struct err e = { 0, "" };

	write_file("[llm]\nmax_steps = 8\ntimeout = 30\n\n[general]\n[llm]\ntimeout = 99999\n");
	ck_assert_ptr_null(config_load(path, warn, &e));
	ck_assert_msg(strstr(e.msg, ":7: llm.timeout must be 1-3600") != NULL, "%s", e.msg);
	write_file("[general]\nlog_level = loud\n[general]\ncolour = red\n");
	ck_assert_ptr_null(config_load(path, warn, &e));
	ck_assert_msg(strstr(e.msg, ":2: general.log_level must be one of") != NULL, "%s", e.msg);
}
END_TEST

/* A line over any buffer (a long comment) is one line: the error after it
 * names the line it is on. */
START_TEST(test_long_line)
{
	struct err e = { 0, "" };
	char comment[3001];
	char *text;

	memset(comment, 'x', sizeof(comment) - 1);
	comment[sizeof(comment) - 1] = '\0';
	text = xasprintf("[llm]\n# %s\n\ntimeout = 99999\n", comment);
	write_file(text);
	free(text);
	ck_assert_ptr_null(config_load(path, warn, &e));
	ck_assert_msg(strstr(e.msg, ":4: llm.timeout must be 1-3600") != NULL, "%s", e.msg);
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
	ck_assert_int_eq(tu_nestor(dir, &out, &err, "config set general.timezone Mars/Base"), 2);
	ck_assert_msg(strstr(err, "general.timezone must be a time zone") != NULL, "%s", err);
	free(out);
	free(err);
	ck_assert_int_eq(tu_nestor(dir, &out, NULL, "config get general.timezone"), 1);
	free(out);
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

/* server.device is what other devices store and show: valid UTF-8 of at
 * most 64 bytes without control characters, refused by set.  In the file
 * (written by hand, or by an older nestor) it is warned about once and
 * cleaned; a value that is not UTF-8 is warned about and read as unset:
 * a command still runs, and config set can replace it. */
START_TEST(test_device_name)
{
	static const struct {
		const char *value, *why;
	} bad[] = {
		{ "lap\ttop", "server.device: control character U+0009 (byte 4)" },
		{ "lap\ntop", "server.device: control character U+000A (byte 4)" },
		{ "Eve\xc2\x9b"
		  "31m",
		  "server.device: control character U+009B (byte 4)" },
		{ "del\x7f", "server.device: control character U+007F (byte 4)" },
		{ "caf\xc3", "server.device: not valid UTF-8 (byte 4)" },
		{ "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\xc3\xa9",
		  "server.device: too long (65 bytes, at most 64)" },
	};
	static const struct {
		const char *file, *warning, *read;
	} loaded[] = {
		{ "[server]\ndevice = lap\\ttop\n",
		  ":2: server.device: control character U+0009 (byte 4); read as \"lap top\"",
		  "lap top" },
		{ "[server]\n\ndevice = Eve\xc2\x9b\n",
		  ":3: server.device: control character U+009B (byte 4); read as \"Eve\"", "Eve" },
		{ "[server]\ndevice = "
		  "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\xc3\xa9\n",
		  ":2: server.device: too long (65 bytes, at most 64); read as",
		  "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx" },
		{ "[server]\ndevice = caf\303\n",
		  ":2: server.device: not valid UTF-8 (byte 4); read as \"caf\xef\xbf\xbd\"",
		  "caf\xef\xbf\xbd" },
	};
	struct err e = { 0, "" };
	struct config *c;
	char *text;

	write_file("");
	c = config_load(path, warn, &e);
	ck_assert_ptr_nonnull(c);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		ck_assert_int_eq(config_set(c, "server.device", bad[i].value, &e), -1);
		ck_assert_str_eq(e.msg, bad[i].why);
		ck_assert_int_eq(e.code, ERR_USAGE);
	}
	ck_assert_ptr_null(config_get(c, "server.device"));
	ck_assert_int_eq(config_set(c, "server.device", "Ноутбук Анны", &e), 0);
	ck_assert_int_eq(config_set(c, "server.device", "", &e), 0);
	config_free(c);

	/* the same names written into the file by hand */
	for (size_t i = 0; i < sizeof(loaded) / sizeof(loaded[0]); i++) {
		write_file(loaded[i].file);
		nwarned = 0;
		c = config_load(path, warn, &e);
		ck_assert_msg(c != NULL, "%s", e.msg);
		ck_assert_int_eq(nwarned, 1);
		ck_assert_msg(strstr(warned, path) == warned && strstr(warned, loaded[i].warning),
			      "%s", warned);
		ck_assert_str_eq(config_get(c, "server.device"), loaded[i].read);
		ck_assert_str_eq(config_get(c, "server.device"), loaded[i].read);
		ck_assert_int_eq(nwarned, 1);
		/* a new name replaces it, and is what is read */
		ck_assert_int_eq(config_set(c, "server.device", "good", &e), 0);
		ck_assert_str_eq(config_get(c, "server.device"), "good");
		config_free(c);
	}
	/* any other key: read as unset, as before */
	write_file("[general]\nlocation = M\xfcnchen\n");
	nwarned = 0;
	c = config_load(path, warn, &e);
	ck_assert_msg(c != NULL, "%s", e.msg);
	ck_assert_int_eq(nwarned, 1);
	ck_assert_msg(
		strstr(warned, ":2: general.location: not valid UTF-8 (byte 2); read as unset"),
		"%s", warned);
	ck_assert_ptr_null(config_get(c, "general.location"));
	config_free(c);
	write_file("[general]\nlog_level = d\xe9\x62ug\n");
	c = config_load(path, warn, &e);
	ck_assert_msg(c != NULL, "%s", e.msg);
	ck_assert_str_eq(config_get(c, "general.log_level"), "info");
	config_free(c);
	text = xasprintf("[server]\ndevice = %s\n", "Ноутбук Анны");
	write_file(text);
	free(text);
	nwarned = 0;
	c = config_load(path, warn, &e);
	ck_assert_msg(c != NULL, "%s", e.msg);
	ck_assert_int_eq(nwarned, 0);
	ck_assert_str_eq(config_get(c, "server.device"), "Ноутбук Анны");
	config_free(c);
}
END_TEST

/* The CLI: a bad name is refused by config set (2); a bad name in the file
 * is said once, FILE:LINE: KEY, and the command runs: config set, run on
 * that file, replaces the line. */
START_TEST(test_device_name_cli)
{
	char *out, *err, *text;

	ck_assert_int_eq(
		tu_nestor(dir, &out, &err, "config set server.device \"$(printf 'lap\\ttop')\""),
		2);
	ck_assert_str_eq(err, "nestor: config set: server.device: control character U+0009 "
			      "(byte 4)\n");
	free(out);
	free(err);
	write_file("[server]\ndevice = caf\303\n");
	ck_assert_int_eq(tu_nestor(dir, &out, &err, "--config '%s' config get server.device", path),
			 0);
	ck_assert_str_eq(out, "caf\xef\xbf\xbd\n");
	ck_assert_msg(strstr(err, ":2: server.device: not valid UTF-8 (byte 4)") != NULL, "%s",
		      err);
	free(out);
	free(err);
	write_file("# mine\n[server]\ndevice = "
		   "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\n");
	ck_assert_int_eq(
		tu_nestor(dir, &out, &err, "--config '%s' config set server.device good", path), 0);
	text = xasprintf("nestor: warning: %s:3: server.device: too long (70 bytes, at most 64)",
			 path);
	ck_assert_msg(strstr(err, text) == err && !strchr(strchr(err, '\n') + 1, '\n'), "%s", err);
	free(text);
	free(out);
	free(err);
	text = tu_slurp(path, NULL);
	ck_assert_msg(strstr(text, "# mine\n") == text && strstr(text, "\ndevice=good\n") &&
			      !strstr(text, "xxx"),
		      "%s", text);
	free(text);
	ck_assert_int_eq(tu_nestor(dir, &out, &err, "--config '%s' config get server.device", path),
			 0);
	ck_assert_str_eq(out, "good\n");
	ck_assert_str_eq(err, "");
	free(out);
	free(err);
}
END_TEST

/* The TUI's threads read the config while a /config set runs on its worker. */
#define SETS	3000
#define READERS 3

static atomic_int writing, started;

static void *reader(void *arg)
{
	struct config *c = arg;
	long reads = 0, bad = 0;

	atomic_fetch_add(&started, 1);
	while (atomic_load(&writing) || reads < 100) {
		const char *place = config_get(c, "general.location");
		const char *units = config_get(c, "weather.units");
		long lease = config_get_int(c, "scheduler.lease");

		if (!place || (strcmp(place, "Berlin") && strcmp(place, "Токио")))
			bad++;
		if (!units || (strcmp(units, "metric") && strcmp(units, "imperial")))
			bad++;
		if (lease != 60 && lease != 120)
			bad++;
		if (!config_is_set(c, "general.location"))
			bad++;
		reads++;
	}
	return (void *)(bad ? -1L : reads);
}

START_TEST(test_threads_read_while_set)
{
	struct err e = { 0, "" };
	struct config *c;
	pthread_t th[READERS];
	void *ret;

	write_file("[general]\nlocation = Berlin\n");
	c = config_load(path, NULL, &e);
	ck_assert_msg(c != NULL, "%s", e.msg);
	atomic_store(&writing, 1);
	atomic_store(&started, 0);
	for (int i = 0; i < READERS; i++)
		ck_assert_int_eq(pthread_create(&th[i], NULL, reader, c), 0);
	while (atomic_load(&started) < READERS)
		sched_yield();
	for (int i = 0; i < SETS; i++) {
		ck_assert_int_eq(config_set(c, "general.location", i % 2 ? "Токио" : "Berlin", &e),
				 0);
		ck_assert_int_eq(config_set(c, "weather.units", i % 3 ? "imperial" : "metric", &e),
				 0);
		ck_assert_int_eq(config_set(c, "scheduler.lease", i % 2 ? "120" : "60", &e), 0);
		if (i % 500 == 0)
			ck_assert_msg(config_save(c, &e) == 0, "%s", e.msg);
	}
	atomic_store(&writing, 0);
	for (int i = 0; i < READERS; i++) {
		ck_assert_int_eq(pthread_join(th[i], &ret), 0);
		ck_assert_msg((long)ret > 0, "reader %d saw a value never set", i);
	}
	ck_assert_str_eq(config_get(c, "general.location"), "Токио");
	ck_assert_str_eq(config_get(c, "weather.units"), "imperial");
	config_free(c);
}
END_TEST

Suite *config_suite(void)
{
	Suite *s = suite_create("config");
	TCase *tc = tcase_create("config");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_missing_file_defaults);
	tcase_add_test(tc, test_set_keeps_comments);
	tcase_add_test(tc, test_two_savers_keep_both);
	tcase_add_test(tc, test_bad_values);
	tcase_add_test(tc, test_bom);
	tcase_add_test(tc, test_section_twice);
	tcase_add_test(tc, test_long_line);
	tcase_add_test(tc, test_cli);
	tcase_add_test(tc, test_device_name);
	tcase_add_test(tc, test_device_name_cli);
	tcase_add_test(tc, test_threads_read_while_set);
	suite_add_tcase(s, tc);
	return s;
}
