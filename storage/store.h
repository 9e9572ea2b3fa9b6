/*
 * store.h - the one SQLite database, as the layers above storage/ see it.
 *
 * store_open() creates the file (mode 0600) when missing, turns on WAL,
 * foreign keys and a busy timeout, and brings the schema up to date through
 * numbered migrations keyed on PRAGMA user_version, each in its own
 * transaction.  A database newer than this binary is refused untouched.
 *
 * struct store is opaque outside storage/: the engine and the fronts reach
 * the data only through the storage modules' functions, so no SQL runs
 * above this folder.  storage/ itself uses store-int.h.
 *
 * Every write that spans more than one statement runs between
 * store_begin() and store_commit() (or store_rollback()).
 */
#ifndef NESTOR_STORE_H
#define NESTOR_STORE_H

#include <stdbool.h>

#include "err.h"

struct store;

/* The longest text a field may hold, in bytes of UTF-8: a title (a task's,
 * an event's summary, a reminder's text) or a location; notes (a task's or
 * an event's description).  Longer text, text that is not UTF-8 and a title
 * of nothing but white space are refused (ERR_USAGE). */
#define STORE_TITLE_MAX 1000
#define STORE_NOTES_MAX 65536
/* A routine's request (a prompt for the assistant), as a write here takes
 * it; and the longest payload a job may have, pulled or not: that request
 * with every byte escaped as JSON's \u00XX (6 bytes) and the payload's
 * other fields, with room to spare. */
#define STORE_REQUEST_MAX 16384
#define STORE_PAYLOAD_MAX 131072

/* The schema version this binary writes. */
int store_schema_version(void);

/* Open (creating if needed) the database at path. NULL on error. */
struct store *store_open(const char *path, struct err *e);
void store_free(struct store *s);

/* Where storage's warnings go (a series an agenda leaves out): one line
 * each, without "nestor: warning: ".  Process-wide; NULL (the default):
 * only the log.  The front that shows stderr sets it. */
void store_set_warn(void (*fn)(const char *line));

/* text as searches compare it (a title found by its words): case-folded,
 * ё as е, newly allocated; SQL sees it as nestor_fold(text). */
char *store_fold(const char *text);

/* The path it was opened with. */
const char *store_path(const struct store *s);

/* The user rows are written for and listed of (tasks, reminders and jobs,
 * conversations): a users.id, 1 (the first user) after store_open().
 * `--user` and server.user set it. */
void store_set_user(struct store *s, long long user_id);
long long store_user(const struct store *s);

/* BEGIN IMMEDIATE (takes the write lock up front, so no deadlock on
 * upgrade).  Inside another transaction: a savepoint, which commit releases
 * and rollback undoes, so writes that commit on their own can be wrapped in
 * one outer transaction that keeps all or nothing of them. */
int store_begin(struct store *s, struct err *e);
int store_commit(struct store *s, struct err *e);
void store_rollback(struct store *s);
/* Whether a store_begin() is open. */
bool store_in_transaction(const struct store *s);

/* A number that changes whenever another connection (another process, or
 * another connection of this one) commits to the database: PRAGMA
 * data_version.  Fronts poll it to refresh what they show. */
int store_data_version(struct store *s, long long *v, struct err *e);

#endif
