#include "store-int.h"

#include <stdbool.h>
#include "log.h"
#include "schema.h"
#include "sqlmem.h"
#include "wallclock.h"
#include "xalloc.h"

#include <errno.h>
#include <glib.h>
#include <pthread.h>
#include <stdarg.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int store_schema_version(void)
{
	return schema_count;
}

static void (*warn_fn)(const char *line);
/* the lines warned already (a hash each): once a process, however often
 * an agenda is drawn */
static unsigned long warned[32];
static size_t nwarned;
static pthread_mutex_t warned_lock = PTHREAD_MUTEX_INITIALIZER; /* serve's threads */

void store_set_warn(void (*fn)(const char *line))
{
	warn_fn = fn;
}

void store_warn(const char *fmt, ...)
{
	char line[640];
	unsigned long h = 5381;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	for (const char *p = line; *p; p++)
		h = h * 33 + (unsigned char)*p;
	pthread_mutex_lock(&warned_lock);
	for (size_t i = 0; i < nwarned; i++) {
		if (warned[i] == h) {
			pthread_mutex_unlock(&warned_lock);
			return;
		}
	}
	if (nwarned < sizeof(warned) / sizeof(warned[0]))
		warned[nwarned++] = h;
	pthread_mutex_unlock(&warned_lock);
	if (warn_fn)
		warn_fn(line);
	else
		log_warn("%s", line);
}

/* SQLite's message for the last error on s, what it was doing first; a
 * full disk and a damaged file are the database's state, not the
 * operation's: said once, with what to do. */
static int fail(struct store *s, struct err *e, const char *what, const char *msg)
{
	switch (sqlite3_errcode(s->db)) {
	case SQLITE_FULL:
		return err_set(e, ERR_FAIL,
			       "%s: nothing was written (free some space where '%s' is)", msg,
			       s->path);
	case SQLITE_CORRUPT:
	case SQLITE_NOTADB:
		return err_set(e, ERR_FAIL,
			       "%s: '%s' is damaged (to recover it, see RECOVERY in nestor(1))",
			       msg, s->path);
	default: return err_set(e, ERR_FAIL, "%s: %s", what, msg);
	}
}

int store_error(struct store *s, struct err *e, const char *what)
{
	return fail(s, e, what, sqlite3_errmsg(s->db));
}

bool store_duplicate(struct store *s)
{
	int rc = sqlite3_extended_errcode(s->db);

	return rc == SQLITE_CONSTRAINT_UNIQUE || rc == SQLITE_CONSTRAINT_PRIMARYKEY;
}

int store_exec(struct store *s, const char *sql, struct err *e)
{
	char *msg = NULL;

	if (sqlite3_exec(s->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
		fail(s, e, "database", msg ? msg : sqlite3_errmsg(s->db));
		sqlite3_free(msg);
		return -1;
	}
	return 0;
}

sqlite3_stmt *store_prepare(struct store *s, const char *sql, struct err *e)
{
	sqlite3_stmt *st = NULL;

	if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK) {
		store_error(s, e, "database");
		return NULL;
	}
	return st;
}

int store_bulk_begin(struct store *s, const char *table, struct store_bulk *b, struct err *e)
{
	sqlite3_stmt *st =
		store_prepare(s,
			      "SELECT name, sql FROM sqlite_schema WHERE type = 'index'"
			      " AND tbl_name = ?1 AND sql IS NOT NULL AND name IN"
			      " (SELECT name FROM pragma_index_list(?1) WHERE NOT \"unique\")",
			      e);
	char **names = NULL;
	size_t n = 0;
	int rc;

	memset(b, 0, sizeof(*b));
	if (!st)
		return -1;
	sqlite3_bind_text(st, 1, table, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		names = xrealloc(names, (n + 1) * sizeof(*names));
		b->sql = xrealloc(b->sql, (n + 1) * sizeof(*b->sql));
		names[n] = xstrdup((const char *)sqlite3_column_text(st, 0));
		b->sql[n++] = xstrdup((const char *)sqlite3_column_text(st, 1));
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		rc = store_error(s, e, "database");
	for (size_t i = 0; rc == SQLITE_DONE && i < n; i++) {
		char *sql = sqlite3_mprintf("DROP INDEX \"%w\"", names[i]);

		if (store_exec(s, sql, e) < 0)
			rc = -1;
		else
			b->n++;
		sqlite3_free(sql);
	}
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
	for (size_t i = b->n; i < n; i++)
		free(b->sql[i]);
	return rc == SQLITE_DONE ? 0 : -1;
}

int store_bulk_end(struct store *s, struct store_bulk *b, struct err *e)
{
	for (; b->n; b->n--) {
		if (store_exec(s, b->sql[b->n - 1], e) < 0)
			return -1;
		free(b->sql[b->n - 1]);
	}
	return 0;
}

void store_bulk_release(struct store_bulk *b)
{
	for (size_t i = 0; i < b->n; i++)
		free(b->sql[i]);
	free(b->sql);
	memset(b, 0, sizeof(*b));
}

struct store_stmt {
	const char *sql;
	sqlite3_stmt *st;
};

sqlite3_stmt *store_stmt(struct store *s, const char *sql, struct err *e)
{
	sqlite3_stmt *st = NULL;

	for (size_t i = 0; i < s->nstmts; i++) {
		if (s->stmts[i].sql == sql) {
			st = s->stmts[i].st;
			sqlite3_reset(st);
			sqlite3_clear_bindings(st);
			return st;
		}
	}
	/* The keys are literals: their number is bounded by the code. */
	if (sqlite3_prepare_v3(s->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &st, NULL) != SQLITE_OK) {
		sqlite3_finalize(st);
		store_error(s, e, "database");
		return NULL;
	}
	s->stmts = xrealloc(s->stmts, (s->nstmts + 1) * sizeof(*s->stmts));
	s->stmts[s->nstmts].sql = sql;
	s->stmts[s->nstmts++].st = st;
	return st;
}

void store_stmt_done(sqlite3_stmt *st)
{
	if (st)
		sqlite3_reset(st);
}

void store_end(struct store *s, sqlite3_stmt *st)
{
	for (size_t i = 0; i < s->nstmts; i++) {
		if (s->stmts[i].st == st) {
			sqlite3_reset(st);
			return;
		}
	}
	sqlite3_finalize(st);
}

/* A transaction inside another is a savepoint, so a caller may wrap
 * writes that commit on their own (an engine turn) in one transaction. */
int store_begin(struct store *s, struct err *e)
{
	char sql[32];

	if (s->depth == 0 && store_exec(s, "BEGIN IMMEDIATE", e) < 0)
		return -1;
	if (s->depth > 0) {
		snprintf(sql, sizeof(sql), "SAVEPOINT nest%d", s->depth);
		if (store_exec(s, sql, e) < 0)
			return -1;
	}
	s->depth++;
	return 0;
}

int store_commit(struct store *s, struct err *e)
{
	char sql[32];

	if (s->depth > 1) {
		snprintf(sql, sizeof(sql), "RELEASE nest%d", s->depth - 1);
		if (store_exec(s, sql, e) < 0) {
			store_rollback(s);
			return -1;
		}
		s->depth--;
		return 0;
	}
	if (store_exec(s, "COMMIT", e) < 0) {
		store_rollback(s);
		return -1;
	}
	s->depth = 0;
	return 0;
}

void store_rollback(struct store *s)
{
	char sql[64];

	if (s->depth > 1) {
		snprintf(sql, sizeof(sql), "ROLLBACK TO nest%d; RELEASE nest%d", s->depth - 1,
			 s->depth - 1);
		sqlite3_exec(s->db, sql, NULL, NULL, NULL);
		s->depth--;
		return;
	}
	s->depth = 0;
	if (!sqlite3_get_autocommit(s->db))
		sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
}

bool store_in_transaction(const struct store *s)
{
	return s->depth > 0;
}

int store_collect(struct store *s, sqlite3_stmt *st, size_t size,
		  void (*from_row)(sqlite3_stmt *st, void *elem), void (*release)(void *elem),
		  void **out, size_t *n, const char *what, struct err *e)
{
	size_t cap = 0;
	char *arr = NULL;
	int rc;

	*n = 0;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (*n == cap) {
			cap = cap ? cap * 2 : 16;
			arr = xrealloc(arr, cap * size);
		}
		from_row(st, arr + (*n)++ * size);
	}
	store_end(s, st);
	if (rc != SQLITE_DONE) {
		for (size_t i = 0; release && i < *n; i++)
			release(arr + i * size);
		free(arr);
		*out = NULL;
		*n = 0;
		return store_error(s, e, what);
	}
	*out = arr;
	return 0;
}

const char *store_word(const char *const *words, int n, int v)
{
	return v >= 0 && v < n ? words[v] : "?";
}

int store_word_value(const char *const *words, int n, const char *word)
{
	for (int i = 0; word && i < n; i++)
		if (!strcmp(words[i], word))
			return i;
	return -1;
}

void store_bind_text(sqlite3_stmt *st, int idx, const char *str)
{
	if (str)
		sqlite3_bind_text(st, idx, str, -1, SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(st, idx);
}

char *store_col_text(sqlite3_stmt *st, int col)
{
	const unsigned char *t = sqlite3_column_text(st, col);

	return t ? xstrdup((const char *)t) : NULL;
}

int store_data_version(struct store *s, long long *v, struct err *e)
{
	sqlite3_stmt *st = store_prepare(s, "PRAGMA data_version", e);

	if (!st)
		return -1;
	if (sqlite3_step(st) != SQLITE_ROW) {
		sqlite3_finalize(st);
		return store_error(s, e, "data_version");
	}
	*v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return 0;
}

static int user_version(struct store *s, int *v, struct err *e)
{
	sqlite3_stmt *st = store_prepare(s, "PRAGMA user_version", e);

	if (!st)
		return -1;
	*v = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int(st, 0) : 0;
	sqlite3_finalize(st);
	return 0;
}

/* Migrate from version v, read at the open: a version only grows, and each
 * step reads it again under the write lock. */
static int migrate(struct store *s, int v, struct err *e)
{
	if (v > schema_count)
		return err_set(e, ERR_FAIL,
			       "database '%s' has schema version %d, newer than this nestor knows "
			       "(%d); upgrade nestor",
			       s->path, v, schema_count);
	if (v == schema_count)
		return 0;
	/* Each step takes the write lock, then looks again: another process may
	 * have migrated while this one waited for it. */
	for (;;) {
		char pragma[64];

		if (store_begin(s, e) < 0)
			return -1;
		if (user_version(s, &v, e) < 0)
			goto fail;
		if (v >= schema_count) {
			store_rollback(s);
			return 0;
		}
		if (store_exec(s, schema_migrations[v], e) < 0) {
			err_prefix(e, "migration %d", v + 1);
			goto fail;
		}
		snprintf(pragma, sizeof(pragma), "PRAGMA user_version = %d", v + 1);
		if (store_exec(s, pragma, e) < 0)
			goto fail;
		if (store_commit(s, e) < 0)
			return -1;
	}
fail:
	store_rollback(s);
	return -1;
}

/* Create the file ourselves so its mode is 0600 whatever the umask. */
static int create_private(const char *path, struct err *e)
{
	int fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);

	if (fd < 0) {
		if (errno == EEXIST)
			return 0;
		return err_set(e, ERR_FAIL, "unable to create database '%s': %s", path,
			       strerror(errno));
	}
	fchmod(fd, 0600);
	close(fd);
	return 0;
}

/* The most of a database file mapped (the rest is read with pread). */
#define STORE_MMAP_SIZE (1LL << 30)

/* Before SQLite's first use in the process: no count of the memory it
 * holds (a lock and a sum on every allocation, and nestor never asks).
 * No bulk page cache: each connection would allocate 20 pages' worth
 * (87 KB) at its first read and write a header into every page of it,
 * while pages read through the memory map need none; a fresh page costs
 * a fault.  And every connection maps the file from its first read (the
 * schema's pages too, which `PRAGMA mmap_size` after the open came too
 * late for: they were read with pread into that cache).  Small blocks
 * from sqlmem.h: the schema's read at each open is mostly those. */
static void store_init_sqlite(void)
{
	static bool done;

	if (done)
		return;
	done = true;
	sqlmem_install();
	sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
	sqlite3_config(SQLITE_CONFIG_PAGECACHE, NULL, 0, 0);
	sqlite3_config(SQLITE_CONFIG_MMAP_SIZE, (sqlite3_int64)STORE_MMAP_SIZE,
		       (sqlite3_int64)STORE_MMAP_SIZE);
}

/* The longest a first open waits for another's switch to WAL, in ms (the
 * busy timeout's length). */
#define STORE_WAL_WAIT 10000

/* Put the file in WAL mode, which it keeps.  The switch writes the file's
 * header, and when another connection holds the write lock (a process that
 * opened the new file first, migrating it) SQLite answers SQLITE_BUSY at
 * once instead of waiting out the busy timeout: this one already reads the
 * file, and waiting with a read open could deadlock.  Retry then, with a
 * growing pause, for as long as the busy timeout: the next try finds the
 * other done, and the file most likely in WAL mode already. */
static int wal_mode(struct store *s, struct err *e)
{
	long long deadline = monotonic_ms() + STORE_WAL_WAIT;
	int pause = 1;

	for (;;) {
		sqlite3_stmt *st = store_prepare(s, "PRAGMA journal_mode = WAL", e);
		int rc;

		if (!st)
			return -1;
		rc = sqlite3_step(st);
		/* The row names the mode the file is in: a file that cannot be
		 * WAL (no shared memory where it is) keeps its own. */
		if (rc == SQLITE_ROW) {
			sqlite3_finalize(st);
			return 0;
		}
		if ((rc & 0xff) != SQLITE_BUSY || monotonic_ms() >= deadline) {
			store_error(s, e, "database");
			sqlite3_finalize(st);
			return -1;
		}
		sqlite3_finalize(st);
		sqlite3_sleep(pause);
		if (pause < 64)
			pause *= 2;
	}
}

char *store_fold(const char *text)
{
	gchar *f = g_utf8_casefold(text, -1);
	char *out = xstrdup(f), *p = out;

	g_free(f);
	/* ё (D1 91) as е (D0 B5): the same length */
	while ((p = strstr(p, "\xd1\x91"))) {
		p[0] = (char)0xd0;
		p[1] = (char)0xb5;
		p += 2;
	}
	return out;
}

/* nestor_fold(text): store_fold() in SQL, NULL for NULL. */
static void fold_sql(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	const char *text = (const char *)sqlite3_value_text(argv[0]);

	(void)argc;
	if (!text) {
		sqlite3_result_null(ctx);
		return;
	}
	sqlite3_result_text(ctx, store_fold(text), -1, free);
}

struct store *store_open(const char *path, struct err *e)
{
	struct store *s;
	int v;

	if (create_private(path, e) < 0)
		return NULL;
	store_init_sqlite();
	s = xcalloc(1, sizeof(*s));
	s->path = xstrdup(path);
	s->user_id = 1;
	if (sqlite3_open_v2(path, &s->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL) !=
	    SQLITE_OK) {
		err_set(e, ERR_FAIL, "unable to open database '%s': %s", path,
			s->db ? sqlite3_errmsg(s->db) : "out of memory");
		store_free(s);
		return NULL;
	}
	sqlite3_busy_timeout(s->db, 10000);
	if (schema_functions(s->db) < 0 ||
	    sqlite3_create_function(s->db, "nestor_fold", 1, SQLITE_UTF8 | SQLITE_DETERMINISTIC,
				    NULL, fold_sql, NULL, NULL) != SQLITE_OK) {
		store_error(s, e, "store");
		store_free(s);
		return NULL;
	}
	/* Refuse a newer database before touching it in any way (no WAL switch). */
	if (user_version(s, &v, e) < 0 || (v > schema_count && migrate(s, v, e) < 0)) {
		err_prefix(e, "%s", "store");
		store_free(s);
		return NULL;
	}
	/* Pages are read through a memory map (store_init_sqlite()) rather
	 * than a read(2) each, and the -wal and -shm files stay between runs:
	 * a short command then neither creates nor deletes a file (both showed
	 * in perf's profile of an agenda, as copies and ext4 inode work).  The
	 * size limit makes the last connection to close empty the WAL it
	 * keeps: left full (after an import), every later run would read it
	 * again and copy it back. */
	sqlite3_file_control(s->db, "main", SQLITE_FCNTL_PERSIST_WAL, &(int){ 1 });
	if (wal_mode(s, e) < 0 ||
	    store_exec(s,
		       "PRAGMA foreign_keys = ON; PRAGMA synchronous = NORMAL;"
		       "PRAGMA journal_size_limit = 1048576; PRAGMA temp_store = MEMORY;",
		       e) < 0 ||
	    migrate(s, v, e) < 0) {
		store_free(s);
		return NULL;
	}
	return s;
}

void store_free(struct store *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->nstmts; i++)
		sqlite3_finalize(s->stmts[i].st);
	free(s->stmts);
	sqlite3_close(s->db);
	free(s->path);
	free(s);
}

void store_set_user(struct store *s, long long user_id)
{
	s->user_id = user_id;
}

long long store_user(const struct store *s)
{
	return s->user_id;
}

const char *store_path(const struct store *s)
{
	return s->path;
}
