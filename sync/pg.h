/*
 * pg.h - the PostgreSQL shared store, as the wire sees it: the server's
 * schema, pushing changes, pulling the change log, wake-ups, and the
 * delivery records of reminders on global channels.  Every libpq call of
 * nestor is in pg.c.
 *
 * libpq is opened with dlopen() by the first pg_open(): a nestor without
 * server.postgres never maps it (pg_loaded() says whether it is).
 *
 * Everything is asynchronous: pg_open() and each *_send() start something,
 * pg_advance() moves it on whenever pg_fd() is ready for pg_events() (a
 * poll() loop), and returns 1 once it is done; the matching *_result()
 * reads the answer.  pg_wait() does the loop itself, for commands.  While
 * nothing is in flight, pg_advance() reads the NOTIFY wake-ups
 * (pg_notified()).  One operation at a time per connection.
 *
 *   struct pg *p = pg_open(uri, "alice", pw, &e);
 *   if (p && pg_wait(p, 10000, &e) == 1 && pg_pull_send(p, dev, 0, 500, &e) == 0 &&
 *       pg_wait(p, 10000, &e) == 1 && pg_pull_result(p, &changes, &last, &e) == 0)
 *           ...
 *
 * The server's schema "nestor" (pg_init(), numbered migrations in a version
 * table; a newer schema is refused): a change log (changes: seq, the
 * writer's device, the change as replica.h has it), the merged state of
 * every row (objects, field by field by version), devices, and deliveries;
 * views tasks, events and reminders for people.  Every table has row-level
 * security, FORCEd: a role sees and writes only rows it owns, whatever the
 * query.  Users are roles in the group role nestor_users.  A push takes a
 * transaction-wide advisory lock, so change log sequence numbers commit in
 * order and a pull never skips one still in flight.
 */
#ifndef NESTOR_PG_H
#define NESTOR_PG_H

#include <stdbool.h>
#include <stddef.h>

#include "err.h"

struct cJSON;
struct pg;

/* The schema version this nestor creates on the server. */
int pg_schema_version(void);

/* Whether libpq is mapped into this process. */
bool pg_loaded(void);

/* Start connecting to uri (a libpq URI or "key=value" string) as role
 * (NULL: the URI's user, or libpq's default) with password (NULL: libpq
 * finds one, e.g. in PGPASSFILE).  Non-blocking; pg_advance() finishes. */
struct pg *pg_open(const char *uri, const char *role, const char *password, struct err *e);
void pg_free(struct pg *p);

/* The socket, and POLLIN/POLLOUT it waits for (POLLIN when idle). */
int pg_fd(const struct pg *p);
short pg_events(const struct pg *p);
/* Move on: 1 when what was started is done (or nothing is in flight), 0
 * when it waits for the socket, -1 on failure (the connection is then
 * useless: pg_free it). */
int pg_advance(struct pg *p, struct err *e);
/* pg_advance() until done, waiting at most timeout_ms in all: 1 or -1. */
int pg_wait(struct pg *p, int timeout_ms, struct err *e);
/* Whether a wake-up came since the last call. */
bool pg_notified(struct pg *p);

/* The role connected as, whether it bypasses row-level security (a
 * superuser: refused for sync), and whether the schema exists. */
int pg_hello_send(struct pg *p, struct err *e);
int pg_hello_result(struct pg *p, char *role, size_t len, bool *bypass, bool *schema,
		    struct err *e);
/* LISTEN for this role's wake-ups, and the server's schema version. */
int pg_listen_send(struct pg *p, struct err *e);
int pg_listen_result(struct pg *p, int *version, struct err *e);

/* The longest device name for people, in bytes. */
#define PG_NAME_MAX 64

/* Push changes (JSON array text) from device (id, name for people): one
 * transaction; a change whose id the server has is not stored again.
 * *stored: how many were new. */
int pg_push_send(struct pg *p, const char *device, const char *name, const char *changes,
		 struct err *e);
int pg_push_result(struct pg *p, long *stored, struct err *e);

/* The change log after cursor, at most limit rows.  *changes: the changes
 * of other devices (each with "seq", "device", "device_name"), checked (a
 * device name is cleaned instead: valid UTF-8, no control character, at
 * most PG_NAME_MAX bytes cut between characters, so a peer's odd name
 * holds up no change);
 * *last: the highest seq read (own changes included), cursor when none. */
int pg_pull_send(struct pg *p, const char *device, long long cursor, int limit, struct err *e);
int pg_pull_result(struct pg *p, struct cJSON **changes, long long *last, struct err *e);

/*
 * Deliveries on global channels: the row (job, occurrence, channel) in
 * PostgreSQL is the commit point.  Claim it for lease seconds: *ours true
 * when this device may deliver (a new claim, its own, or one whose lease
 * ended undelivered); else *holder names the device that has it.  Then
 * pg_deliver_done (state delivered) or pg_deliver_release (it failed:
 * another device may try).  Blocking, at most timeout_ms.
 */
int pg_deliver_claim(struct pg *p, const char *job, long long occurrence, const char *channel,
		     const char *device, long lease, int timeout_ms, bool *ours, char *holder,
		     size_t len, struct err *e);
int pg_deliver_done(struct pg *p, const char *job, long long occurrence, const char *channel,
		    const char *device, int timeout_ms, struct err *e);
int pg_deliver_release(struct pg *p, const char *job, long long occurrence, const char *channel,
		       const char *device, int timeout_ms, struct err *e);

/* Blocking administration (a role that may create schemas and roles). */
/* Create or migrate the schema: *from and *to the versions before and after. */
int pg_init(struct pg *p, int timeout_ms, int *from, int *to, struct err *e);
/* Create role (LOGIN, in nestor_users), or add an existing one to the
 * group; password (may be NULL) is hashed here, never sent in clear. */
int pg_role_add(struct pg *p, const char *role, const char *password, int timeout_ms,
		struct err *e);
/* Take the login away from role (its rows stay). */
int pg_role_disable(struct pg *p, const char *role, int timeout_ms, struct err *e);

#endif
