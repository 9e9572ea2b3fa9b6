/*
 * syncer.h - the sync worker of the server profile: drains the store's
 * outbox into PostgreSQL and applies the server's change log to the store
 * (replica.h for the rule, pg.h for the wire).
 *
 * A round pushes every pending change in batches (a push is one server
 * transaction; the outbox rows go only once it committed, so a failed or
 * retried push loses nothing and stores nothing twice), then pulls the
 * change log after this device's cursor in pages, each page applied with
 * its cursor in one SQLite transaction.  The device acts as one user: it
 * connects as the PostgreSQL role of that name, whose row-level security
 * shows it that user's rows only, and pushes only rows of that user (and
 * the calendars, events and assistants of the device).
 *
 * It is a state machine for a poll() loop that never blocks on the
 * network: syncer_fd()/syncer_events() say what to wait for,
 * syncer_step() moves on and says how long it may sleep.  A NOTIFY from
 * the server (another device pushed) starts a pull; syncer_kick() (a local
 * change) a push.  When the server cannot be reached, it waits and tries
 * again, each wait doubling from 1 s to 5 min, with jitter (half to one and
 * a half times), so devices do not come back in step.  syncer_round() runs
 * one round to its end, for `nestor sync`.
 *
 *   struct syncer_opts o = { .uri = uri, .user = "alice", .device_name = "laptop" };
 *   struct syncer_report r;
 *   if (syncer_round(store, &o, now, &r, &e) < 0) ... e.msg ...
 */
#ifndef NESTOR_SYNCER_H
#define NESTOR_SYNCER_H

#include <stdbool.h>
#include <time.h>

#include "config.h"
#include "err.h"
#include "scheduler.h"
#include "store.h"

struct syncer_opts {
	const char *uri;	 /* server.postgres */
	const char *user;	 /* who the device acts as: the role */
	const char *password;	 /* NULL: libpq's own (PGPASSFILE) */
	const char *device_name; /* server.device */
	int batch;		 /* changes per push or pull request */
	int timeout_ms;		 /* a round's wait for the server */
};

/* What moved. */
struct syncer_report {
	long snapshot; /* rows queued when capture was first turned on */
	long pushed;   /* changes the server took */
	long pulled;   /* changes of other devices read */
	long applied, skipped, rejected, conflicts;
	char *why;	   /* the first rejected change's reason, or NULL */
	long keys_dropped; /* assistants moved elsewhere: they send no key here now */
	char *keyless;	   /* the first of those, or NULL */
	long pending;	   /* outbox rows left (other users' rows wait) */
};

void syncer_report_release(struct syncer_report *r);

/*
 * The options from cfg for the device acting as user (NULL: server.user,
 * else the store's first user): the URI, the password (the secret
 * "postgres", else none: libpq reads PGPASSFILE), the device name
 * (server.device, else the host name).  ERR_USAGE when server.postgres is
 * unset.  Release with syncer_opts_release().
 */
int syncer_opts_init(struct syncer_opts *o, struct config *cfg, struct store *s, const char *user,
		     struct err *e);
void syncer_opts_release(struct syncer_opts *o);

/* server.postgres holds no password ("user:pw@" or password=):
 * ERR_USAGE saying where it belongs instead. */
int syncer_check_uri(const char *uri, struct err *e);

/* A user name that can be a PostgreSQL role: 1-32 of [a-z0-9_], starting
 * with a letter, not "pg_..." nor "nestor_...".  ERR_USAGE naming it. */
int syncer_check_user(const char *name, struct err *e);

/* A device name (server.device) as other devices will show it: valid
 * UTF-8 of at most PG_NAME_MAX (64) bytes with no control character (no
 * C0, not even tab or newline, no DEL, no C1).  ERR_USAGE
 * "server.device: control character U+0009 (byte 4)". */
int syncer_check_device(const char *name, struct err *e);
/* name made one syncer_check_device() takes (utf8_name: control
 * characters dropped, tab and newline as a space, cut between characters
 * to 64 bytes); newly allocated, "" when nothing is left. */
char *syncer_device_name(const char *name);

/* One round, blocking (at most o->timeout_ms of silence from the server). */
int syncer_round(struct store *s, const struct syncer_opts *o, time_t now, struct syncer_report *r,
		 struct err *e);

struct syncer;

/* A worker for a poll loop (nothing connects before the first step).
 * o is copied. */
struct syncer *syncer_new(struct store *s, const struct syncer_opts *o);
void syncer_free(struct syncer *y);
/* The socket to poll (-1: none now) and the events to wait for. */
int syncer_fd(const struct syncer *y);
short syncer_events(const struct syncer *y);
/* A local change was committed: push soon. */
void syncer_kick(struct syncer *y);
/* Move on as far as possible without waiting; returns the milliseconds
 * until it wants a step again without socket activity.  A failure is not
 * returned: it is logged, noted in sync_state, and retried. */
long syncer_step(struct syncer *y, time_t now);
/* The last error (NULL after a success). */
const char *syncer_error(const struct syncer *y);

/*
 * Delivery on a global channel (one that reaches a person wherever they
 * are: telegram, and those listed in notify.global): exactly once across
 * devices.  The claim of (job, occurrence, channel) in PostgreSQL is the
 * commit point: the device that gets it delivers through deliver (the
 * sched_deliver contract) and marks it delivered; another is told it is
 * taken and skips (1, e names the device).  When the server cannot be
 * reached the delivery fails (-1), so the scheduler tries again later.  A
 * blocking round trip of at most the worker's timeout: the scheduler's
 * delivery is synchronous.
 */
int syncer_deliver_once(struct syncer *y, const struct sched_fire *f, const char *channel,
			long lease,
			int (*deliver)(void *arg, const struct sched_fire *f, const char *channel,
				       struct err *e),
			void *arg, struct err *e);

/*
 * Administration, as the role server.postgres names (a superuser or the
 * owner of the database), with the password of the secret "postgres-admin"
 * (else libpq's own: PGPASSFILE).  Blocking, at most server.timeout.
 */
/* Create or migrate the server's schema: *from and *to its versions. */
int syncer_server_init(struct config *cfg, int *from, int *to, struct err *e);
/* Make (or enable) the role of user name, with password (may be NULL). */
int syncer_role_add(struct config *cfg, const char *name, const char *password, struct err *e);
/* Take the login away from the role of user name (its rows stay). */
int syncer_role_disable(struct config *cfg, const char *name, struct err *e);

/* The worker for cfg when server.postgres is set, for a front that
 * delivers reminders (NULL without a server, or after an error, logged). */
struct syncer *syncer_open(struct config *cfg, struct store *s, const char *user);

/*
 * A front's delivery with global channels gated: pass syncer_gate_deliver
 * and a struct syncer_gate as the scheduler's deliver function and arg; a
 * global channel goes through syncer_deliver_once() when y is set, every
 * other channel (and all of them without a server) straight to deliver.
 */
struct syncer_gate {
	struct syncer *y; /* may be NULL */
	struct config *cfg;
	long lease;
	int (*deliver)(void *arg, const struct sched_fire *f, const char *channel, struct err *e);
	void *arg;
};
int syncer_gate_deliver(void *gate, const struct sched_fire *f, const char *channel, struct err *e);

/* Whether channel is global under cfg (notify.global, plus telegram). */
bool syncer_channel_global(struct config *cfg, const char *channel);

#endif
