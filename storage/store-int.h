/*
 * store-int.h - the store as storage/ sees it: the connection, statements
 * and the row helpers.  Only storage/ (and the tests) include this file.
 */
#ifndef NESTOR_STORE_INT_H
#define NESTOR_STORE_INT_H

#include <sqlite3.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "store.h"

struct store {
	sqlite3 *db;
	char *path;
	long long user_id;	  /* store_set_user() */
	struct store_stmt *stmts; /* store_stmt()'s cache */
	size_t nstmts;
	int depth; /* store_begin() nesting: 0 outside a transaction */
};

/* A warning to store_set_warn()'s function and the log. */
void store_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Run SQL without results. */
int store_exec(struct store *s, const char *sql, struct err *e);
/*
 * A bulk insert into one table: store_bulk_begin() drops the table's
 * indexes that no constraint needs (neither UNIQUE nor the primary key)
 * and store_bulk_end() makes them again from their SQL, both in the
 * caller's transaction (a crash leaves them as they were).  An index grown
 * row by row in the order the rows come has its pages scattered through
 * the file; one made at the end is built in key order, its pages appended
 * one after the other, and a reader that walks a range of it touches
 * fewer (bench/PROFILE.md, eleventh round).  The rows are still looked up
 * by their unique keys meanwhile; nothing may read through the others.
 * store_bulk_release() frees what store_bulk_end() did not make.
 */
struct store_bulk {
	char **sql; /* the dropped indexes' CREATE statements */
	size_t n;
};
int store_bulk_begin(struct store *s, const char *table, struct store_bulk *b, struct err *e);
int store_bulk_end(struct store *s, struct store_bulk *b, struct err *e);
void store_bulk_release(struct store_bulk *b);
/* Prepare a statement; on failure fills e with SQLite's message. */
sqlite3_stmt *store_prepare(struct store *s, const char *sql, struct err *e);
/*
 * A prepared statement for sql kept for the life of the store, so a loop
 * (an import) parses its SQL once: reset, with no bindings.  sql is the key
 * by address and must be a string with static storage (a literal or a
 * static const).  The caller steps it and then calls store_stmt_done(),
 * never sqlite3_finalize(); a statement must not be fetched again while a
 * caller is still stepping it.
 */
sqlite3_stmt *store_stmt(struct store *s, const char *sql, struct err *e);
/* Reset st so it holds no lock and no row (bindings stay until reuse). */
void store_stmt_done(sqlite3_stmt *st);
/* Done with st, whichever it is: store_stmt_done() for a statement of
 * store_stmt(), sqlite3_finalize() for one of store_prepare(). */
void store_end(struct store *s, sqlite3_stmt *st);
/* Fill e from the connection's last error, prefixed by what. Returns -1. */
int store_error(struct store *s, struct err *e, const char *what);
/* Whether the connection's last error is a UNIQUE or PRIMARY KEY
 * constraint: a duplicate, not a CHECK, a foreign key or a trigger. */
bool store_duplicate(struct store *s);

/* Step st to its end (then store_end() it), gathering one element of size bytes
 * per row, filled by from_row.  On success *out is the array (NULL when *n
 * is 0).  On an SQLite error, release (may be NULL) is called on every
 * element filled so far, the array is freed, *out is NULL, *n is 0, and e
 * says "WHAT: reason". */
int store_collect(struct store *s, sqlite3_stmt *st, size_t size,
		  void (*from_row)(sqlite3_stmt *st, void *elem), void (*release)(void *elem),
		  void **out, size_t *n, const char *what, struct err *e);

/* The states of rows (a task's status, a job's state, ...) are enums in C
 * and words only in SQL and JSON.  Each module keeps the words of an enum
 * in an array indexed by value and converts through these two: the word of
 * value v ("?" when out of range), and the value of word (-1 when word is
 * NULL or none of the n words). */
const char *store_word(const char *const *words, int n, int v);
int store_word_value(const char *const *words, int n, const char *word);

/* Bind helpers: NULL string binds SQL NULL. */
void store_bind_text(sqlite3_stmt *st, int idx, const char *s);
/* Text column or NULL, newly allocated. */
char *store_col_text(sqlite3_stmt *st, int col);

#endif
