#include "testutil.h"
#include "config.h"
#include "sbuf.h"
#include "store-int.h"
#include "xalloc.h"

#include <check.h>
#include <sqlite3.h>

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

char *tu_tmpdir(void)
{
	const char *base = getenv("TMPDIR");
	char *dir = xasprintf("%s/nestor-test.XXXXXX", base && *base ? base : "/tmp");

	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		abort();
	}
	return dir;
}

void tu_rmrf(const char *dir)
{
	char *cmd = xasprintf("rm -rf '%s'", dir);

	if (system(cmd) != 0)
		fprintf(stderr, "warning: could not remove %s\n", dir);
	free(cmd);
}

char *tu_slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	struct sbuf sb = SBUF_INIT;
	char buf[4096];
	size_t n;

	if (!f)
		return NULL;
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
		sbuf_add(&sb, buf, n);
	fclose(f);
	if (len)
		*len = sb.len;
	return sbuf_detach(&sb);
}

char *tu_src(const char *rel)
{
	const char *src = getenv("NESTOR_SRC");

	return xasprintf("%s/%s", src && *src ? src : ".", rel);
}

int tu_nestor(const char *home, char **out, char **err, const char *fmt, ...)
{
	const char *bin = getenv("NESTOR_BIN");
	char *args, *cmd, *o = xasprintf("%s/.out", home), *e = xasprintf("%s/.err", home);
	va_list ap;
	int st;

	va_start(ap, fmt);
	if (vasprintf(&args, fmt, ap) < 0)
		abort();
	va_end(ap);
	cmd = xasprintf("NESTOR_HOME='%s' '%s' %s >'%s' 2>'%s' </dev/null", home,
			bin && *bin ? bin : "build/bin/nestor", args, o, e);
	st = system(cmd);
	if (out)
		*out = tu_slurp(o, NULL);
	if (err)
		*err = tu_slurp(e, NULL);
	free(args);
	free(cmd);
	free(o);
	free(e);
	return st == -1 || !WIFEXITED(st) ? -1 : WEXITSTATUS(st);
}

struct store *tu_store_open(const char *dir)
{
	struct err e = { 0, "" };
	char *path = xasprintf("%s/nestor.db", dir);
	struct store *st = store_open(path, &e);

	ck_assert_msg(st != NULL, "%s: %s", path, e.msg);
	free(path);
	return st;
}

int tu_other_write(const char *dir, const char *sql)
{
	char *path = xasprintf("%s/nestor.db", dir);
	sqlite3 *db = NULL;
	int rc = sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE, NULL);

	if (rc == SQLITE_OK)
		rc = sqlite3_exec(db, sql, NULL, NULL, NULL);
	sqlite3_close(db);
	free(path);
	return rc;
}

struct config *tu_config_load(const char *dir)
{
	struct err e = { 0, "" };
	char *path = xasprintf("%s/config", dir);
	struct config *cfg = config_load(path, NULL, &e);

	ck_assert_msg(cfg != NULL, "%s: %s", path, e.msg);
	free(path);
	return cfg;
}

long tu_reach_wrong(struct store *s)
{
	/* hidden: 0 an ordinary column, 2 or 3 a generated one */
	sqlite3_stmt *st = store_prepare(
		s,
		"SELECT (SELECT count(*) FROM pragma_table_xinfo('events')"
		" WHERE name = 'reach' AND hidden = 0),"
		" (SELECT count(*) FROM events WHERE reach IS NOT CASE"
		"  WHEN rrule IS NULL OR until IS NULL THEN NULL"
		"  WHEN until - start <= 86400 THEN 0 WHEN until - start <= 172800 THEN 1"
		"  WHEN until - start <= 345600 THEN 2 WHEN until - start <= 691200 THEN 3"
		"  WHEN until - start <= 1382400 THEN 4 WHEN until - start <= 2764800 THEN 5"
		"  WHEN until - start <= 5529600 THEN 6 WHEN until - start <= 11059200 THEN 7"
		"  WHEN until - start <= 22118400 THEN 8 WHEN until - start <= 44236800 THEN 9"
		"  WHEN until - start <= 88473600 THEN 10 WHEN until - start <= 176947200 THEN 11"
		"  WHEN until - start <= 353894400 THEN 12 WHEN until - start <= 707788800 THEN 13"
		"  WHEN until - start <= 1415577600 THEN 14 ELSE 15 END)",
		NULL);
	long n;

	ck_assert_ptr_nonnull(st);
	ck_assert_int_eq(sqlite3_step(st), SQLITE_ROW);
	n = sqlite3_column_int(st, 0) == 1 ? (long)sqlite3_column_int64(st, 1) : -1;
	sqlite3_finalize(st);
	return n;
}
