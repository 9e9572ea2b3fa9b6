/*
 * syncer.c - the sync worker (syncer.h): a state machine over one
 * connection, and the exactly-once delivery on global channels.
 */
#include "syncer.h"
#include "log.h"
#include "pg.h"
#include "replica.h"
#include "secret.h"
#include "url.h"
#include "user.h"
#include "utf8.h"
#include "wallclock.h"
#include "xalloc.h"

#include <cjson/cJSON.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define BACKOFF_MIN_MS 1000L
#define BACKOFF_MAX_MS 300000L
#define PERIOD_MS      60000L

enum ystate { Y_DOWN, Y_CONNECTING, Y_HELLO, Y_LISTEN, Y_IDLE, Y_PUSH, Y_PULL };

struct syncer {
	struct store *s;
	char *uri, *user, *password, *device_name, *target;
	int batch, timeout_ms;
	char device[40];
	struct pg *pg, *dpg; /* dpg: deliveries, blocking */
	enum ystate state;
	bool want_push, want_pull, moved, oneshot, done, failed;
	long long push_after, cursor, pull_last;
	struct replica_batch inflight;
	long backoff_ms;
	long long next_try, deadline, next_period; /* monotonic ms */
	char *error;
	struct syncer_report rep;
	unsigned seed;
	time_t now;
};

void syncer_report_release(struct syncer_report *r)
{
	free(r->why);
	r->why = NULL;
	free(r->keyless);
	r->keyless = NULL;
}

int syncer_check_user(const char *name, struct err *e)
{
	return user_check_name(name, e);
}

int syncer_check_uri(const char *uri, struct err *e)
{
	return url_check_secretless("server.postgres", uri, URL_USER_OK,
				    "store it with 'nestor secret set postgres' (or in ~/.pgpass)",
				    e);
}

int syncer_check_device(const char *name, struct err *e)
{
	return utf8_check_name("server.device", name, PG_NAME_MAX, e);
}

char *syncer_device_name(const char *name)
{
	return utf8_name(name, PG_NAME_MAX);
}

int syncer_opts_init(struct syncer_opts *o, struct config *cfg, struct store *s, const char *user,
		     struct err *e)
{
	const char *uri = config_get(cfg, "server.postgres");
	const char *dev = config_get(cfg, "server.device");
	struct err se = { 0, "" };
	struct user u;
	char host[256] = "";
	char *pw = NULL;

	memset(o, 0, sizeof(*o));
	if (!uri || !*uri)
		return err_set(e, ERR_USAGE, "server.postgres is not set (see nestor.conf(5))");
	if (syncer_check_uri(uri, e) < 0)
		return -1;
	if (!user || !*user)
		user = config_get(cfg, "server.user");
	if (user && *user ? user_get(s, user, &u, e) < 0 : user_first(s, &u, e) < 0) {
		if (e->code == ERR_NOTFOUND)
			err_set(e, ERR_USAGE, "no user named '%s' here (nestor user add %s)", user,
				user);
		return -1;
	}
	if (syncer_check_user(u.name, e) < 0) {
		err_prefix(e, "acting as user '%s'", u.name);
		if (!strcmp(u.name, "me"))
			err_set(e, ERR_USAGE,
				"the user 'me' cannot sync: give it your name (nestor user edit me"
				" --name NAME)");
		user_release(&u);
		return -1;
	}
	if (dev && *dev && syncer_check_device(dev, e) < 0) {
		user_release(&u);
		return -1;
	}
	if (secret_get("postgres", &pw, &se) < 0 && se.code != ERR_NOTFOUND) {
		user_release(&u);
		*e = se;
		return -1;
	}
	if (dev && *dev) {
		o->device_name = xstrdup(dev);
	} else {
		/* the host name, made a name syncer_check_device() takes */
		gethostname(host, sizeof(host) - 1);
		o->device_name = syncer_device_name(host);
		if (!*o->device_name) {
			free((char *)o->device_name);
			o->device_name = xstrdup("device");
		}
	}
	o->uri = xstrdup(uri);
	o->user = xstrdup(u.name);
	o->password = pw;
	o->batch = (int)config_get_int(cfg, "server.batch");
	o->timeout_ms = (int)config_get_int(cfg, "server.timeout") * 1000;
	user_release(&u);
	return 0;
}

void syncer_opts_release(struct syncer_opts *o)
{
	free((char *)o->uri);
	free((char *)o->user);
	secret_free((char *)o->password);
	free((char *)o->device_name);
	memset(o, 0, sizeof(*o));
}

struct syncer *syncer_new(struct store *s, const struct syncer_opts *o)
{
	struct syncer *y = xcalloc(1, sizeof(*y));

	y->s = s;
	y->uri = xstrdup(o->uri);
	y->user = xstrdup(o->user);
	y->password = o->password ? xstrdup(o->password) : NULL;
	y->device_name = xstrdup(o->device_name ? o->device_name : "device");
	y->target = xasprintf(REPLICA_TARGET ":%s", o->user);
	y->batch = o->batch > 0 ? o->batch : 500;
	y->timeout_ms = o->timeout_ms > 0 ? o->timeout_ms : 30000;
	y->backoff_ms = BACKOFF_MIN_MS;
	y->seed = (unsigned)getpid() ^ (unsigned)monotonic_ms();
	y->state = Y_DOWN;
	return y;
}

void syncer_free(struct syncer *y)
{
	if (!y)
		return;
	pg_free(y->pg);
	pg_free(y->dpg);
	replica_batch_release(&y->inflight);
	free(y->uri);
	free(y->user);
	secret_free(y->password);
	free(y->device_name);
	free(y->target);
	free(y->error);
	syncer_report_release(&y->rep);
	free(y);
}

int syncer_fd(const struct syncer *y)
{
	return y->pg ? pg_fd(y->pg) : -1;
}

short syncer_events(const struct syncer *y)
{
	return y->pg ? pg_events(y->pg) : 0;
}

void syncer_kick(struct syncer *y)
{
	y->want_push = true;
}

const char *syncer_error(const struct syncer *y)
{
	return y->error;
}

/* Give up on this connection: note why, wait (with jitter), start over. */
static void fail(struct syncer *y, const struct err *e)
{
	struct err ne = { 0, "" };
	long wait;

	log_warn("sync: %s", e->msg);
	free(y->error);
	y->error = xstrdup(e->msg);
	if (replica_note(y->s, y->target, y->now, e->msg, 0, 0, &ne) < 0)
		log_error("sync: %s", ne.msg);
	pg_free(y->pg);
	y->pg = NULL;
	replica_batch_release(&y->inflight);
	y->state = Y_DOWN;
	y->failed = true;
	wait = y->backoff_ms / 2 + (long)(rand_r(&y->seed) % (unsigned)(y->backoff_ms + 1));
	y->next_try = monotonic_ms() + wait;
	y->backoff_ms = y->backoff_ms * 2 > BACKOFF_MAX_MS ? BACKOFF_MAX_MS : y->backoff_ms * 2;
}

static int start(struct syncer *y, struct err *e)
{
	bool on;

	if (replica_device(y->s, y->device, sizeof(y->device), e) < 0 ||
	    replica_enabled(y->s, &on, e) < 0)
		return -1;
	if (!on) {
		if (replica_enable(y->s, &y->rep.snapshot, e) < 0)
			return -1;
		log_info("sync: capture on, %ld rows queued for the server", y->rep.snapshot);
	}
	if (replica_cursor(y->s, y->target, &y->cursor, e) < 0)
		return -1;
	y->pg = pg_open(y->uri, y->user, y->password, e);
	if (!y->pg)
		return -1;
	y->state = Y_CONNECTING;
	return 0;
}

static int after_hello(struct syncer *y, struct err *e)
{
	char role[64];
	bool bypass, schema;

	if (pg_hello_result(y->pg, role, sizeof(role), &bypass, &schema, e) < 0)
		return -1;
	if (bypass)
		return err_set(
			e, ERR_FAIL,
			"server: role '%s' bypasses row-level security; sync as a nestor user",
			role);
	if (!schema)
		return err_set(e, ERR_FAIL, "server: no nestor schema (run 'nestor server init')");
	if (pg_listen_send(y->pg, e) < 0)
		return -1;
	y->state = Y_LISTEN;
	return 0;
}

static int after_listen(struct syncer *y, struct err *e)
{
	int v;

	if (pg_listen_result(y->pg, &v, e) < 0)
		return -1;
	if (v > pg_schema_version())
		return err_set(e, ERR_FAIL,
			       "server: schema version %d is newer than this nestor knows (%d);"
			       " upgrade nestor",
			       v, pg_schema_version());
	if (v < pg_schema_version())
		return err_set(e, ERR_FAIL,
			       "server: schema version %d is older than this nestor's (%d);"
			       " run 'nestor server init'",
			       v, pg_schema_version());
	log_info("sync: connected as '%s'", y->user);
	y->state = Y_IDLE;
	y->want_push = y->want_pull = true;
	y->push_after = 0;
	return 0;
}

static int start_push(struct syncer *y, struct err *e)
{
	char *text;
	int rc;

	if (replica_next(y->s, y->user, y->push_after, (size_t)y->batch, &y->inflight, e) < 0)
		return -1;
	if (y->inflight.last == y->push_after) {
		replica_batch_release(&y->inflight);
		y->want_push = false;
		y->push_after = 0;
		return 0;
	}
	if (cJSON_GetArraySize(y->inflight.changes) == 0) {
		/* nothing to send, only outbox rows to forget */
		rc = replica_pushed(y->s, &y->inflight, e);
		y->push_after = y->inflight.last;
		replica_batch_release(&y->inflight);
		return rc;
	}
	text = cJSON_PrintUnformatted(y->inflight.changes);
	rc = pg_push_send(y->pg, y->device, y->device_name, text, e);
	free(text);
	if (rc == 0)
		y->state = Y_PUSH;
	return rc;
}

static int after_push(struct syncer *y, struct err *e)
{
	long stored;
	int n = cJSON_GetArraySize(y->inflight.changes);

	if (pg_push_result(y->pg, &stored, e) < 0 || replica_pushed(y->s, &y->inflight, e) < 0)
		return -1;
	log_debug("sync: pushed %d changes (%ld new to the server)", n, stored);
	y->rep.pushed += n;
	y->moved = true;
	y->push_after = y->inflight.last;
	replica_batch_release(&y->inflight);
	y->state = Y_IDLE;
	return 0;
}

static int after_pull(struct syncer *y, struct err *e)
{
	struct replica_stats st;
	cJSON *changes;
	long long last = y->cursor;
	char *why = NULL;
	long dropped = 0;
	bool calendar;
	int n;

	if (pg_pull_result(y->pg, &changes, &last, e) < 0)
		return -1;
	n = cJSON_GetArraySize(changes);
	/* acting as another user than the first, the calendar stays as it is
	 * (replica.h) */
	if (replica_calendar_syncs(y->s, y->user, &calendar, e) < 0) {
		cJSON_Delete(changes);
		return -1;
	}
	if (!calendar)
		dropped = replica_drop_calendar(changes);
	if (last != y->cursor &&
	    replica_apply(y->s, changes, y->target, last, y->now, &st, &why, e) < 0) {
		cJSON_Delete(changes);
		return -1;
	}
	cJSON_Delete(changes);
	if (last != y->cursor) {
		y->rep.pulled += n;
		y->rep.applied += st.applied;
		y->rep.skipped += st.skipped + dropped;
		y->rep.rejected += st.rejected;
		y->rep.conflicts += st.conflicts;
		y->rep.keys_dropped += st.keys_dropped;
		if (st.keys_dropped) {
			log_warn("sync: assistant '%s' got a new address from another device:"
				 " it sends no key here until one is named here"
				 " (nestor assistant edit NAME --key-secret SECRET)",
				 st.keyless);
			if (!y->rep.keyless)
				y->rep.keyless = xstrdup(st.keyless);
		}
		if (why) {
			log_warn("sync: change refused: %s", why);
			if (!y->rep.why)
				y->rep.why = why;
			else
				free(why);
		}
		y->moved = true;
	} else {
		y->want_pull = false;
	}
	y->cursor = last;
	y->state = Y_IDLE;
	return 0;
}

/* Nothing in flight: start what is wanted, or end the round. 1 when a
 * request went out or the state moved, 0 when idle. */
static int idle(struct syncer *y, struct err *e)
{
	if (pg_advance(y->pg, e) < 0)
		return -1;
	if (pg_notified(y->pg)) {
		log_debug("sync: woken by the server: another device pushed");
		y->want_pull = true;
	}
	if (!y->oneshot && monotonic_ms() >= y->next_period) {
		y->want_pull = y->want_push = true;
		y->next_period = monotonic_ms() + PERIOD_MS;
	}
	if (y->want_push) {
		if (start_push(y, e) < 0)
			return -1;
		return 1;
	}
	if (y->want_pull) {
		if (pg_pull_send(y->pg, y->device, y->cursor, y->batch, e) < 0)
			return -1;
		y->state = Y_PULL;
		return 1;
	}
	/* the round is over */
	if (y->moved || y->error) {
		if (replica_note(y->s, y->target, y->now, NULL, y->rep.pushed, y->rep.pulled, e) <
		    0)
			return -1;
		if (y->moved)
			log_info("sync: pushed %ld, pulled %ld (%ld applied, %ld conflicts)",
				 y->rep.pushed, y->rep.pulled, y->rep.applied, y->rep.conflicts);
		if (!y->oneshot) {
			syncer_report_release(&y->rep);
			memset(&y->rep, 0, sizeof(y->rep));
		}
		free(y->error);
		y->error = NULL;
		y->moved = false;
	}
	y->backoff_ms = BACKOFF_MIN_MS;
	y->done = true;
	return 0;
}

long syncer_step(struct syncer *y, time_t now)
{
	struct err e = { 0, "" };

	y->now = now;
	for (;;) {
		enum ystate before = y->state;
		int rc = 0;

		if (y->state != Y_DOWN && y->state != Y_IDLE && monotonic_ms() > y->deadline) {
			err_set(&e, ERR_FAIL, "server: no answer within %d s",
				y->timeout_ms / 1000);
			fail(y, &e);
			continue;
		}
		switch (y->state) {
		case Y_DOWN:
			if (y->oneshot && y->failed)
				return -1;
			if (monotonic_ms() < y->next_try)
				return (long)(y->next_try - monotonic_ms());
			rc = start(y, &e);
			break;
		case Y_CONNECTING:
			rc = pg_advance(y->pg, &e);
			if (rc == 1)
				rc = pg_hello_send(y->pg, &e) < 0 ? -1 : 1;
			if (rc == 1)
				y->state = Y_HELLO;
			break;
		case Y_HELLO:
		case Y_LISTEN:
		case Y_PUSH:
		case Y_PULL:
			rc = pg_advance(y->pg, &e);
			if (rc == 1)
				rc = y->state == Y_HELLO    ? after_hello(y, &e)
				     : y->state == Y_LISTEN ? after_listen(y, &e)
				     : y->state == Y_PUSH   ? after_push(y, &e)
							    : after_pull(y, &e);
			break;
		case Y_IDLE:
			y->done = false;
			rc = idle(y, &e);
			if (rc == 0) {
				long left = (long)(y->next_period - monotonic_ms());

				return y->oneshot ? 0 : left < 0 ? 0 : left;
			}
			break;
		}
		if (rc < 0) {
			fail(y, &e);
			continue;
		}
		if (y->state != before)
			y->deadline = monotonic_ms() + y->timeout_ms;
		if (y->state == before && rc == 0)
			return (long)(y->deadline - monotonic_ms());
	}
}

int syncer_round(struct store *s, const struct syncer_opts *o, time_t now, struct syncer_report *r,
		 struct err *e)
{
	struct syncer *y = syncer_new(s, o);
	int rc = 0;

	memset(r, 0, sizeof(*r));
	y->oneshot = true;
	y->deadline = monotonic_ms() + y->timeout_ms;
	for (;;) {
		long ms = syncer_step(y, now);
		struct pollfd pfd = { syncer_fd(y), syncer_events(y), 0 };

		if (y->failed) {
			rc = err_set(e, ERR_FAIL, "%s", y->error ? y->error : "sync failed");
			break;
		}
		if (y->done)
			break;
		if (poll(&pfd, pfd.fd >= 0 ? 1 : 0, ms < 0 ? 0 : ms > 1000 ? 1000 : (int)ms) < 0)
			continue;
	}
	*r = y->rep;
	memset(&y->rep, 0, sizeof(y->rep));
	if (rc == 0 && replica_pending(s, REPLICA_TARGET, &r->pending, &(time_t){ 0 }, e) < 0)
		rc = -1;
	syncer_free(y);
	return rc;
}

/* A blocking admin connection, or NULL with e filled. */
static struct pg *admin_open(struct config *cfg, int *timeout, struct err *e)
{
	const char *uri = config_get(cfg, "server.postgres");
	struct err se = { 0, "" };
	char *pw = NULL;
	struct pg *p;

	*timeout = (int)config_get_int(cfg, "server.timeout") * 1000;
	if (!uri || !*uri) {
		err_set(e, ERR_USAGE,
			"server.postgres is not set (nestor config set server.postgres"
			" postgresql://HOST/DB)");
		return NULL;
	}
	if (syncer_check_uri(uri, e) < 0)
		return NULL;
	if (secret_get("postgres-admin", &pw, &se) < 0 && se.code != ERR_NOTFOUND) {
		*e = se;
		return NULL;
	}
	p = pg_open(uri, NULL, pw, e);
	secret_free(pw);
	if (p && pg_wait(p, *timeout, e) != 1) {
		pg_free(p);
		return NULL;
	}
	return p;
}

int syncer_server_init(struct config *cfg, int *from, int *to, struct err *e)
{
	int timeout, rc = -1;
	struct pg *p = admin_open(cfg, &timeout, e);

	if (p)
		rc = pg_init(p, timeout, from, to, e);
	pg_free(p);
	return rc;
}

int syncer_role_add(struct config *cfg, const char *name, const char *password, struct err *e)
{
	int timeout, rc = -1;
	struct pg *p = admin_open(cfg, &timeout, e);

	if (p)
		rc = pg_role_add(p, name, password, timeout, e);
	pg_free(p);
	return rc;
}

int syncer_role_disable(struct config *cfg, const char *name, struct err *e)
{
	int timeout, rc = -1;
	struct pg *p = admin_open(cfg, &timeout, e);

	if (p)
		rc = pg_role_disable(p, name, timeout, e);
	pg_free(p);
	return rc;
}

struct syncer *syncer_open(struct config *cfg, struct store *s, const char *user)
{
	const char *uri = config_get(cfg, "server.postgres");
	struct syncer_opts o;
	struct syncer *y;
	struct err e = { 0, "" };

	if (!uri || !*uri)
		return NULL;
	if (syncer_opts_init(&o, cfg, s, user, &e) < 0) {
		log_error("sync: %s (not syncing)", e.msg);
		return NULL;
	}
	y = syncer_new(s, &o);
	syncer_opts_release(&o);
	return y;
}

int syncer_gate_deliver(void *gate, const struct sched_fire *f, const char *channel, struct err *e)
{
	struct syncer_gate *g = gate;

	if (g->y && syncer_channel_global(g->cfg, channel))
		return syncer_deliver_once(g->y, f, channel, g->lease, g->deliver, g->arg, e);
	return g->deliver(g->arg, f, channel, e);
}

bool syncer_channel_global(struct config *cfg, const char *channel)
{
	const char *list = config_get(cfg, "notify.global");
	size_t n = strlen(channel);

	if (!strcmp(channel, "telegram"))
		return true;
	for (const char *p = list ? list : ""; *p;) {
		size_t len = strcspn(p, ", ");

		if (len == n && !strncmp(p, channel, n))
			return true;
		p += len;
		p += strspn(p, ", ");
	}
	return false;
}

/* The deliveries connection, opened and checked on first use. */
static int deliveries_pg(struct syncer *y, struct err *e)
{
	char role[64];
	bool bypass, schema;

	if (y->dpg)
		return 0;
	if (!*y->device && replica_device(y->s, y->device, sizeof(y->device), e) < 0)
		return -1;
	y->dpg = pg_open(y->uri, y->user, y->password, e);
	if (!y->dpg)
		return -1;
	if (pg_wait(y->dpg, y->timeout_ms, e) != 1 || pg_hello_send(y->dpg, e) < 0 ||
	    pg_wait(y->dpg, y->timeout_ms, e) != 1 ||
	    pg_hello_result(y->dpg, role, sizeof(role), &bypass, &schema, e) < 0)
		goto fail;
	if (bypass || !schema) {
		err_set(e, ERR_FAIL, "server: %s",
			bypass ? "role bypasses row-level security" : "no nestor schema");
		goto fail;
	}
	return 0;
fail:
	pg_free(y->dpg);
	y->dpg = NULL;
	return -1;
}

int syncer_deliver_once(struct syncer *y, const struct sched_fire *f, const char *channel,
			long lease,
			int (*deliver)(void *arg, const struct sched_fire *f, const char *channel,
				       struct err *e),
			void *arg, struct err *e)
{
	char holder[80];
	char *gid = NULL;
	bool ours;
	int rc;

	if (replica_gid(y->s, "job", f->job_id, &gid, e) < 0)
		return -1;
	if (!gid)
		return err_set(e, ERR_FAIL, "not synced yet: no global id to claim it by");
	if (deliveries_pg(y, e) < 0 ||
	    pg_deliver_claim(y->dpg, gid, (long long)f->occurrence, channel, y->device, lease,
			     y->timeout_ms, &ours, holder, sizeof(holder), e) < 0) {
		pg_free(y->dpg);
		y->dpg = NULL;
		free(gid);
		return -1;
	}
	if (!ours) {
		free(gid);
		err_set(e, ERR_OK, "delivered by device '%s'", *holder ? holder : "?");
		return 1;
	}
	rc = deliver(arg, f, channel, e);
	if (rc == 0) {
		struct err de = { 0, "" };

		if (pg_deliver_done(y->dpg, gid, (long long)f->occurrence, channel, y->device,
				    y->timeout_ms, &de) < 0) {
			log_warn("job %lld: delivered on %s, but the server did not record it: %s",
				 f->job_id, channel, de.msg);
			pg_free(y->dpg);
			y->dpg = NULL;
		}
	} else {
		struct err de = { 0, "" };

		if (pg_deliver_release(y->dpg, gid, (long long)f->occurrence, channel, y->device,
				       y->timeout_ms, &de) < 0) {
			pg_free(y->dpg);
			y->dpg = NULL;
		}
	}
	free(gid);
	return rc;
}
