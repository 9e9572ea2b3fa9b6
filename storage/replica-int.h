/*
 * replica-int.h - the synced tables as replica.c and replica-apply.c see
 * them: one descriptor per entity, its fields in the order of the columns
 * the triggers of schema-sync.h watch.
 */
#ifndef NESTOR_REPLICA_INT_H
#define NESTOR_REPLICA_INT_H

#include <stdbool.h>
#include <stddef.h>

#include "replica.h"
#include "store-int.h"

/* The seeded rows' gids begin so (schema-sync.h); their first versions
 * have this clock (the oldest), and are never a conflict. */
#define REPLICA_SEED_GID "00000000-0000-4000-8000-"
#define REPLICA_SEED_HLC "0000000000000000"

enum rtype {
	RT_TEXT,
	RT_INT,
	RT_REAL,
	RT_REF,	 /* a local id; travels as the gid of the row it names */
	RT_KIDS, /* an event's overrides: a JSON array */
};

struct rfield {
	const char *name; /* column and field name */
	enum rtype type;
	const char *ref; /* RT_REF: the entity named */
	const char *def; /* SQL literal for a missing NOT NULL column, or NULL */
};

struct rentity {
	const char *entity, *table;
	const char *natural; /* column naming the same thing on every device */
	const char *mine;    /* SQL condition "this row belongs to user ?1", or NULL */
	const char *wait;    /* SQL condition: not pushed now (a job being claimed) */
	const struct rfield *fields;
	size_t nfields;
};

extern const struct rentity replica_entities[];
extern const size_t replica_nentities;

/* The descriptor of entity, or NULL. */
const struct rentity *replica_entity(const char *entity);
/* The field called name in r, or NULL. */
const struct rfield *replica_field(const struct rentity *r, const char *name);

/* A version as a writer stamps it: 16 hex digits, '@', 1-32 hex digits. */
bool replica_valid_version(const char *v);
/* A gid: 1-64 characters of [0-9A-Za-z-]. */
bool replica_valid_gid(const char *g);

/* s (NULL: NULL) as a pull takes it (replica_apply): without the control
 * characters it refuses (C0 but tab and newline, DEL, C1), in the strings
 * of JSON text too; newly allocated.  For text from outside written here
 * (a model's answer, a tool's result), which loses the characters rather
 * than the conversation. */
char *replica_clean_text(const char *s);

/* The SQL expression of f in a SELECT from its table AS T (a reference
 * as the gid it names, the overrides as a JSON array). */
char *replica_field_expr(const struct rfield *f);
/* Column col of a row read with that expression, as JSON. */
struct cJSON *replica_column_json(sqlite3_stmt *st, int col, const struct rfield *f);

/* Prepared statements kept while a batch is read or applied (each kind is
 * prepared once); the oldest goes when full, so a statement stays valid
 * until RCACHE_N others were asked for. */
#define RCACHE_N 64
struct rcache {
	struct store *s;
	char *sql[RCACHE_N];
	sqlite3_stmt *st[RCACHE_N];
	size_t n, next;
};

/* sql prepared, reset and unbound; NULL with e filled. */
sqlite3_stmt *rcache_prep(struct rcache *c, const char *sql, struct err *e);
void rcache_release(struct rcache *c);

/* Fold the versions of the outbox rows not folded yet into sync_obj, in
 * their order (schema-sync.h); the caller holds a transaction.  Everything
 * that reads or merges versions does it first. */
int replica_fold(struct store *s, struct rcache *c, struct err *e);

/* Whether field of r is one of those a write checks together (an event's
 * start and end): a change of one carries them all, and they merge as one
 * value whose version is the latest of theirs: the side whose version of
 * them is the latest keeps all of them, with their versions
 * (replica-apply.c). */
bool replica_together(const struct rentity *r, const char *field);

/* The first clock a change may not carry: 2^62, milliseconds << 16 past
 * the year 4200, which no honest clock reaches; a version from it on is
 * refused, so one step past any version taken never runs out. */
#define REPLICA_CLOCK_END (1ULL << 62)

/* The clock of version v (valid: replica_valid_version). */
unsigned long long replica_version_clock(const char *v);

/* The local id of the row gid names (aliases followed), 0 when none. */
int replica_local_id(struct store *s, const struct rentity *r, const char *gid, long long *id,
		     struct err *e);
/* The gid an alias stands for (gid itself when none), newly allocated. */
char *replica_canon(struct store *s, const char *gid);

#endif
