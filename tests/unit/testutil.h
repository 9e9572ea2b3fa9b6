/*
 * testutil.h - helpers shared by the Check suites: temporary homes and
 * running the real nestor binary ($NESTOR_BIN) the way a user would.
 */
#ifndef NESTOR_TESTUTIL_H
#define NESTOR_TESTUTIL_H

#include <stddef.h>

/* A fresh private directory under $TMPDIR; caller frees the string. */
char *tu_tmpdir(void);
/* rm -rf dir (best effort). */
void tu_rmrf(const char *dir);

/* dir/nestor.db opened (a new database when missing) and dir/config
 * loaded (defaults when missing); a failure fails the test. */
struct store;
struct config;
struct store *tu_store_open(const char *dir);
/* Run sql on dir/nestor.db from a connection of its own that does not wait
 * for a lock (another process: a pull); SQLite's result code. */
int tu_other_write(const char *dir, const char *sql);
struct config *tu_config_load(const char *dir);
/* The events of s whose reach is not the class of events_reach that their
 * start and until put them in (schema.c, migration 10's formula); -1 when
 * reach is not an ordinary column of its own (before migration 24). */
long tu_reach_wrong(struct store *s);

/* Run `$NESTOR_BIN ARGS` (ARGS is shell text, quoted by the caller) with
 * NESTOR_HOME=home and TZ as set in this process.  Captures stdout and
 * stderr into *out / *err (either may be NULL).  Returns the exit status,
 * or -1 when the command could not run. */
int tu_nestor(const char *home, char **out, char **err, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* Read a whole file (NULL when missing); *len may be NULL. */
char *tu_slurp(const char *path, size_t *len);
/* Path of a file in the source tree: $NESTOR_SRC/rel. */
char *tu_src(const char *rel);

#endif
