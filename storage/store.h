/*
 * store.h - the one SQLite database.
 *
 * store_open() creates the file (mode 0600) when missing, turns on WAL,
 * foreign keys and a busy timeout, and brings the schema up to date through
 * numbered migrations keyed on PRAGMA user_version, each in its own
 * transaction.  A database newer than this binary is refused untouched.
 *
 * Every write that spans more than one statement runs between
 * store_begin() and store_commit() (or store_rollback()).
 */
#ifndef NESTOR_STORE_H
#define NESTOR_STORE_H

#include <sqlite3.h>
#include <stddef.h>
#include <stdint.h>

#include "err.h"

struct store {
	sqlite3 *db;
	char *path;
};

/* The schema version this binary writes. */
int store_schema_version(void);

/* Open (creating if needed) the database at path. NULL on error. */
struct store *store_open(const char *path, struct err *e);
void store_free(struct store *s);

/* BEGIN IMMEDIATE (takes the write lock up front, so no deadlock on upgrade). */
int store_begin(struct store *s, struct err *e);
int store_commit(struct store *s, struct err *e);
void store_rollback(struct store *s);

/* Run SQL without results. */
int store_exec(struct store *s, const char *sql, struct err *e);
/* Prepare a statement; on failure fills e with SQLite's message. */
sqlite3_stmt *store_prepare(struct store *s, const char *sql, struct err *e);
/* Fill e from the connection's last error, prefixed by what. Returns -1. */
int store_error(struct store *s, struct err *e, const char *what);

/* A number that changes whenever another connection (another process, or
 * another connection of this one) commits to the database: PRAGMA
 * data_version.  Fronts poll it to refresh what they show. */
int store_data_version(struct store *s, long long *v, struct err *e);

/* Step st to its end (finalizing it), gathering one element of size bytes
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
