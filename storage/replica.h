/*
 * replica.h - the store's side of the server profile: the outbox, field
 * versions, applying changes pulled from the server, sync state.
 *
 * What syncs: users, calendars, assistants (never their secrets: the name of
 * a secret travels, the secret stays on each device), conversations and
 * messages, events (with exdates and overrides), tasks, and jobs
 * (reminders: their definition and state; a claim in progress is not a
 * change).  Each such row has a global id (gid, a UUID); the seeded user
 * "me", calendar "personal" and assistant "nestor" have the same gid on
 * every device.
 *
 * Capture: once replica_enable() ran (the first sync), every change of
 * those rows puts an outbox row in the same SQLite transaction as the
 * change (triggers, schema-sync.h), and stamps the changed fields with a
 * version "HLC@DEVICE": a hybrid logical clock (milliseconds << 16 plus a
 * counter, 16 hex digits) and this store's device id, so versions compare
 * as strings.  The clock follows the versions pulled, but never to more
 * than a day past this device's time (a forged or far-ahead version is
 * merged, not followed), and an edit here of a field whose version is
 * later still takes one step past it.  Before that, nothing is captured
 * and nothing costs.
 *
 * Changes travel as JSON objects:
 *   {"id": "GID:HASH", "entity": "task", "gid": "...", "deleted": false,
 *    "data": {FIELD: VALUE...}, "vers": {FIELD: VERSION...},
 *    "base": {FIELD: VERSION...}}
 * with, from the server, "seq" and "device" (the writer's device id) and
 * "device_name".  A reference to another row (tasks.user_id, events.
 * calendar_id...) travels as that row's gid; an event's overrides as the
 * field "overrides", an array.  "base" holds, for each field, the version
 * the writer had seen before its edit.  The id names the content (the row
 * and its versions), so a change sent twice is stored once.
 *
 * The rule, applied field by field: the higher version wins (later HLC,
 * then the greater device id), so devices that saw the same changes hold
 * the same values whatever the order they saw them in; the fields a write
 * checks together (an event's start and end) go all to one side when one
 * by one they would make a row a write refuses.  A deletion is a
 * tombstone and wins over any edit.  Two rows made apart with the same
 * natural key (an event's UID, a calendar's, an assistant's or a user's
 * name) are one: the smaller gid names both (an alias maps the other).  A
 * remote edit that beats a local edit it had not seen (its base is not the
 * local version) is a conflict: recorded with both values, shown by
 * `nestor sync conflicts`.
 */
#ifndef NESTOR_REPLICA_H
#define NESTOR_REPLICA_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "err.h"
#include "store.h"

struct cJSON;

/* The outbox target of the PostgreSQL profile. */
#define REPLICA_TARGET "postgres"

/* This store's device id (16 hex digits), into buf (>= 33 bytes). */
int replica_device(struct store *s, char *buf, size_t len, struct err *e);

/* The gid of row id of entity ("job"...): *gid newly allocated, NULL when
 * the row has none yet (capture never ran) or is gone. */
int replica_gid(struct store *s, const char *entity, long long id, char **gid, struct err *e);

/* Turn capture on.  The first time, every synced row gets a gid and goes
 * into the outbox (one transaction), so what was there before the server
 * was configured is pushed too.  *snapshot (may be NULL): rows queued so.
 * A store whose triggers an older version made gets this version's, and
 * the fields they left out are queued once (not counted in *snapshot). */
int replica_enable(struct store *s, long *snapshot, struct err *e);
/* Whether capture is on with this version's triggers (else replica_enable). */
int replica_enabled(struct store *s, bool *on, struct err *e);

/* One batch of changes to push. */
struct replica_batch {
	struct cJSON *changes; /* a JSON array of changes (above) */
	long long *ids;	       /* the outbox rows it covers */
	size_t nids;
	long long last; /* the last outbox id looked at */
};

void replica_batch_release(struct replica_batch *b);

/*
 * The next batch: outbox rows after `after` (0 at first), at most limit of
 * them, grouped by row (one change per row, with the current values and
 * versions of every field named).  Rows of another local user than
 * user_name (NULL: any) wait, as do the calendar's unless user_name is the
 * first user (below) and a job while a claim runs.  An empty
 * batch (b->nids == 0 and b->last == after) means the outbox is drained.
 */
int replica_next(struct store *s, const char *user_name, long long after, size_t limit,
		 struct replica_batch *b, struct err *e);
/*
 * The calendar (calendars and events, the device's own: user.h,
 * user_owns_calendar) syncs only as the store's first user: acting as
 * another, its changes wait in the outbox (replica_next) and the server's
 * are not applied here (replica_drop_calendar), so one user's calendar
 * never goes into another's rows on the server, nor theirs into it.
 */
/* Whether entity ("event"...) is the calendar's. */
bool replica_calendar_entity(const char *entity);
/* *yes: whether the calendar syncs when the device acts as user_name
 * (NULL: any user, yes). */
int replica_calendar_syncs(struct store *s, const char *user_name, bool *yes, struct err *e);
/* Take the calendar's changes out of a pulled array; how many. */
long replica_drop_calendar(struct cJSON *changes);

/* The server has the batch: forget its outbox rows. */
int replica_pushed(struct store *s, const struct replica_batch *b, struct err *e);

struct replica_stats {
	long applied;	   /* changes that changed something here */
	long skipped;	   /* already known, older, or of a deleted row */
	long rejected;	   /* invalid: unknown entity, bad field, broken constraint */
	long conflicts;	   /* local edits overwritten (recorded) */
	long keys_dropped; /* assistants sent elsewhere: their key_secret cleared */
	char keyless[96];  /* the name of the first of those */
};

/*
 * Apply changes pulled from the server (a JSON array, in seq order), then
 * set the cursor of target to cursor, in one transaction.  Each change is
 * checked first; a bad one is counted rejected (with the first reason in
 * *why, may be NULL, caller frees) and the others still apply.
 */
int replica_apply(struct store *s, const struct cJSON *changes, const char *target,
		  long long cursor, time_t now, struct replica_stats *st, char **why,
		  struct err *e);

/* The cursor of target (0 when it never pulled). */
int replica_cursor(struct store *s, const char *target, long long *cursor, struct err *e);

/* Record how a round with target ended: error NULL for success (sets the
 * last success), else the error (kept with its time); pushed and pulled
 * add to the totals. */
int replica_note(struct store *s, const char *target, time_t now, const char *error, long pushed,
		 long pulled, struct err *e);

struct replica_status {
	char *target;
	long long cursor;
	time_t last_ok;	  /* 0: never */
	char *last_error; /* NULL: none since the last success */
	time_t last_error_at;
	long pushed, pulled; /* totals */
};

/* Pending outbox rows for target (and the creation time of the oldest,
 * 0 when none). */
int replica_pending(struct store *s, const char *target, long *n, time_t *oldest, struct err *e);
/* Every target that has synced or tried to, by name. */
int replica_status(struct store *s, struct replica_status **out, size_t *n, struct err *e);
void replica_status_free(struct replica_status *st, size_t n);

struct replica_conflict {
	long long id;
	time_t at;
	char entity[16];
	char *gid, *field;
	char *mine, *theirs; /* JSON text of the values */
	char *device;	     /* the device whose edit won */
	long long local_id;  /* the row here, 0 when gone */
};

/* Recorded conflicts, newest first, at most limit (0: all). */
int replica_conflicts(struct store *s, size_t limit, struct replica_conflict **out, size_t *n,
		      struct err *e);
void replica_conflicts_free(struct replica_conflict *c, size_t n);

#endif
