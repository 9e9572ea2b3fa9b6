/*
 * pg.c - libpq, opened at run time, behind pg.h.
 */
#include "pg.h"
#include "pg-schema.h"
#include "utf8.h"
#include "wallclock.h"
#include "xalloc.h"

#include <cjson/cJSON.h>
#include <dlfcn.h>
#include <errno.h>
#include <libpq-fe.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* The libpq functions nestor calls, resolved by dlsym. */
/* clang-format off */
#define PQ_FUNCS(X) \
	X(PQconnectStartParams) \
	X(PQconnectPoll) \
	X(PQstatus) \
	X(PQerrorMessage) \
	X(PQsocket) \
	X(PQfinish) \
	X(PQsetnonblocking) \
	X(PQsendQuery) \
	X(PQsendQueryParams) \
	X(PQflush) \
	X(PQconsumeInput) \
	X(PQisBusy) \
	X(PQgetResult) \
	X(PQresultStatus) \
	X(PQresultErrorMessage) \
	X(PQntuples) \
	X(PQnfields) \
	X(PQgetvalue) \
	X(PQgetisnull) \
	X(PQclear) \
	X(PQnotifies) \
	X(PQfreemem) \
	X(PQescapeIdentifier) \
	X(PQescapeLiteral) \
	X(PQencryptPasswordConn) \
	X(PQsetNoticeProcessor)
/* clang-format on */
#define PQ_DECL(f) __typeof__(f) *f;
static struct {
	PQ_FUNCS(PQ_DECL)
} pq;
static void *libpq;

int pg_schema_version(void)
{
	return (int)(sizeof(pg_migrations) / sizeof(pg_migrations[0]));
}

bool pg_loaded(void)
{
	return libpq != NULL;
}

static int load(struct err *e)
{
	void *h;

	if (libpq)
		return 0;
	h = dlopen("libpq.so.5", RTLD_NOW | RTLD_LOCAL);
	if (!h)
		return err_set(e, ERR_FAIL, "cannot load libpq (%s); install libpq5", dlerror());
#define PQ_LOAD(f)                                                                                 \
	if (!(*(void **)(&pq.f) = dlsym(h, #f))) {                                                 \
		dlclose(h);                                                                        \
		return err_set(e, ERR_FAIL, "libpq has no %s; it is too old", #f);                 \
	}
	PQ_FUNCS(PQ_LOAD)
#undef PQ_LOAD
	libpq = h;
	return 0;
}

enum pg_state { PG_CONNECTING, PG_IDLE, PG_BUSY };

/* What a query in flight is for: its answer is read by a *_result(). */
enum pg_op { OP_NONE, OP_HELLO, OP_LISTEN, OP_PUSH, OP_PULL, OP_OTHER };

struct pg {
	PGconn *conn;
	enum pg_state state;
	enum pg_op op;
	short want;
	bool flushing, notified;
	PGresult *res; /* the last result with rows (or the command's) */
	char *error;   /* the first error of the operation */
	char role[64];
	char *device; /* pull: own device, whose rows carry no data */
};

/* One line of libpq's message: no newline, no control characters. */
static void clean_line(char *s)
{
	char *nl = strchr(s, '\n');

	if (nl)
		*nl = '\0';
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			*s = ' ';
}

static int fail(struct err *e, const char *what, const char *msg)
{
	char buf[400];

	snprintf(buf, sizeof(buf), "%s", msg && *msg ? msg : "connection lost");
	clean_line(buf);
	return err_set(e, ERR_FAIL, "server: %s%s%s", what ? what : "", what ? ": " : "", buf);
}

/* The server's notices ("relation already exists, skipping") are not for
 * the terminal. */
static void quiet(void *arg, const char *msg)
{
	(void)arg;
	(void)msg;
}

struct pg *pg_open(const char *uri, const char *role, const char *password, struct err *e)
{
	const char *keys[8], *vals[8];
	struct pg *p;
	int n = 0;

	if (load(e) < 0)
		return NULL;
	keys[n] = "dbname", vals[n++] = uri;
	if (role)
		keys[n] = "user", vals[n++] = role;
	if (password)
		keys[n] = "password", vals[n++] = password;
	keys[n] = "application_name", vals[n++] = "nestor";
	keys[n] = "keepalives_idle", vals[n++] = "30";
	keys[n] = "keepalives_interval", vals[n++] = "10";
	keys[n] = "keepalives_count", vals[n++] = "3";
	keys[n] = NULL, vals[n] = NULL;
	p = xcalloc(1, sizeof(*p));
	p->conn = pq.PQconnectStartParams(keys, vals, 1);
	if (!p->conn || pq.PQstatus(p->conn) == CONNECTION_BAD) {
		fail(e, "connect", p->conn ? pq.PQerrorMessage(p->conn) : "out of memory");
		pg_free(p);
		return NULL;
	}
	pq.PQsetNoticeProcessor(p->conn, quiet, NULL);
	p->state = PG_CONNECTING;
	p->want = POLLOUT;
	return p;
}

void pg_free(struct pg *p)
{
	if (!p)
		return;
	if (p->res)
		pq.PQclear(p->res);
	if (p->conn)
		pq.PQfinish(p->conn);
	free(p->error);
	free(p->device);
	free(p);
}

int pg_fd(const struct pg *p)
{
	return p && p->conn ? pq.PQsocket(p->conn) : -1;
}

short pg_events(const struct pg *p)
{
	return p->state == PG_IDLE ? POLLIN : p->want;
}

bool pg_notified(struct pg *p)
{
	bool n = p->notified;

	p->notified = false;
	return n;
}

static void take_notifies(struct pg *p)
{
	PGnotify *n;

	while ((n = pq.PQnotifies(p->conn))) {
		p->notified = true;
		pq.PQfreemem(n);
	}
}

static int advance_connect(struct pg *p, struct err *e)
{
	switch (pq.PQconnectPoll(p->conn)) {
	case PGRES_POLLING_READING: p->want = POLLIN; return 0;
	case PGRES_POLLING_WRITING: p->want = POLLOUT; return 0;
	case PGRES_POLLING_OK:
		if (pq.PQsetnonblocking(p->conn, 1) != 0)
			return fail(e, "connect", pq.PQerrorMessage(p->conn));
		p->state = PG_IDLE;
		return 1;
	default: return fail(e, "connect", pq.PQerrorMessage(p->conn));
	}
}

/* Read what came; gather results until the query is over. */
static int advance_query(struct pg *p, struct err *e)
{
	if (p->flushing) {
		int r = pq.PQflush(p->conn);

		if (r < 0)
			return fail(e, NULL, pq.PQerrorMessage(p->conn));
		if (r > 0) {
			p->want = POLLOUT | POLLIN;
			return 0;
		}
		p->flushing = false;
		p->want = POLLIN;
	}
	if (!pq.PQconsumeInput(p->conn))
		return fail(e, NULL, pq.PQerrorMessage(p->conn));
	take_notifies(p);
	while (!pq.PQisBusy(p->conn)) {
		PGresult *r = pq.PQgetResult(p->conn);

		if (!r) {
			p->state = PG_IDLE;
			if (p->error) {
				err_set(e, ERR_FAIL, "server: %s", p->error);
				free(p->error);
				p->error = NULL;
				return -1;
			}
			return 1;
		}
		switch (pq.PQresultStatus(r)) {
		case PGRES_TUPLES_OK:
		case PGRES_COMMAND_OK:
			if (p->res)
				pq.PQclear(p->res);
			p->res = r;
			break;
		default:
			if (!p->error) {
				char buf[400];

				snprintf(buf, sizeof(buf), "%s", pq.PQresultErrorMessage(r));
				clean_line(buf);
				p->error = xstrdup(*buf ? buf : "query failed");
			}
			pq.PQclear(r);
			break;
		}
	}
	p->want = POLLIN;
	return 0;
}

int pg_advance(struct pg *p, struct err *e)
{
	switch (p->state) {
	case PG_CONNECTING: return advance_connect(p, e);
	case PG_BUSY: return advance_query(p, e);
	default:
		if (!pq.PQconsumeInput(p->conn))
			return fail(e, NULL, pq.PQerrorMessage(p->conn));
		take_notifies(p);
		return 1;
	}
}

int pg_wait(struct pg *p, int timeout_ms, struct err *e)
{
	long long end = monotonic_ms() + timeout_ms;

	for (;;) {
		struct pollfd pfd = { pg_fd(p), 0, 0 };
		long long left;
		int rc = p->state == PG_IDLE ? 1 : pg_advance(p, e);

		if (rc != 0)
			return rc;
		left = end - monotonic_ms();
		if (left <= 0)
			return err_set(e, ERR_FAIL, "server: no answer within %d s",
				       (timeout_ms + 999) / 1000);
		pfd.events = p->want;
		if (poll(&pfd, 1, (int)left) < 0 && errno != EINTR)
			return err_set(e, ERR_FAIL, "poll: %s", strerror(errno));
	}
}

/* Start a query (params may be NULL for a multi-statement text). */
static int send_query(struct pg *p, enum pg_op op, const char *sql, int n,
		      const char *const *params, struct err *e)
{
	int ok;

	if (p->state != PG_IDLE)
		return err_set(e, ERR_FAIL, "server: the connection is busy");
	if (p->res) {
		pq.PQclear(p->res);
		p->res = NULL;
	}
	ok = params ? pq.PQsendQueryParams(p->conn, sql, n, NULL, params, NULL, NULL, 0)
		    : pq.PQsendQuery(p->conn, sql);
	if (!ok)
		return fail(e, NULL, pq.PQerrorMessage(p->conn));
	p->state = PG_BUSY;
	p->op = op;
	p->flushing = true;
	p->want = POLLOUT | POLLIN;
	return 0;
}

/* The result of the operation just finished, when it was op. */
static PGresult *result(struct pg *p, enum pg_op op, int cols, struct err *e)
{
	if (p->state != PG_IDLE || p->op != op || !p->res)
		return err_set(e, ERR_FAIL, "server: no answer"), NULL;
	if (cols && (pq.PQresultStatus(p->res) != PGRES_TUPLES_OK || pq.PQnfields(p->res) < cols))
		return err_set(e, ERR_FAIL, "server: unexpected answer"), NULL;
	return p->res;
}

int pg_hello_send(struct pg *p, struct err *e)
{
	return send_query(p, OP_HELLO,
			  "SELECT current_user, rolsuper OR rolbypassrls,"
			  " to_regclass('nestor.schema_version') IS NOT NULL"
			  " FROM pg_roles WHERE rolname = current_user",
			  0, NULL, e);
}

/* Blocking: run sql (no parameters, any number of statements). */
static int exec_wait(struct pg *p, const char *sql, int timeout_ms, struct err *e)
{
	if (send_query(p, OP_OTHER, sql, 0, NULL, e) < 0)
		return -1;
	return pg_wait(p, timeout_ms, e) == 1 ? 0 : -1;
}

int pg_hello_result(struct pg *p, char *role, size_t len, bool *bypass, bool *schema, struct err *e)
{
	PGresult *r = result(p, OP_HELLO, 3, e);

	if (!r)
		return -1;
	if (pq.PQntuples(r) != 1)
		return err_set(e, ERR_FAIL, "server: cannot see its own role");
	snprintf(p->role, sizeof(p->role), "%s", pq.PQgetvalue(r, 0, 0));
	clean_line(p->role);
	snprintf(role, len, "%s", p->role);
	*bypass = pq.PQgetvalue(r, 0, 1)[0] == 't';
	*schema = pq.PQgetvalue(r, 0, 2)[0] == 't';
	return 0;
}

int pg_listen_send(struct pg *p, struct err *e)
{
	char *chan = xasprintf("nestor_%s", p->role);
	char *id = pq.PQescapeIdentifier(p->conn, chan, strlen(chan));
	char *sql;
	int rc;

	free(chan);
	if (!id)
		return fail(e, NULL, pq.PQerrorMessage(p->conn));
	sql = xasprintf("LISTEN %s; SELECT coalesce(max(version), 0) FROM nestor.schema_version",
			id);
	pq.PQfreemem(id);
	rc = send_query(p, OP_LISTEN, sql, 0, NULL, e);
	free(sql);
	return rc;
}

int pg_listen_result(struct pg *p, int *version, struct err *e)
{
	PGresult *r = result(p, OP_LISTEN, 1, e);

	if (!r || pq.PQntuples(r) != 1)
		return r ? err_set(e, ERR_FAIL, "server: no schema version") : -1;
	*version = atoi(pq.PQgetvalue(r, 0, 0));
	return 0;
}

int pg_push_send(struct pg *p, const char *device, const char *name, const char *changes,
		 struct err *e)
{
	const char *params[3] = { changes, device, name };

	return send_query(p, OP_PUSH, "SELECT nestor.push($1::jsonb, $2::text, $3::text)", 3,
			  params, e);
}

int pg_push_result(struct pg *p, long *stored, struct err *e)
{
	PGresult *r = result(p, OP_PUSH, 1, e);

	if (!r || pq.PQntuples(r) != 1)
		return r ? err_set(e, ERR_FAIL, "server: unexpected answer to a push") : -1;
	*stored = atol(pq.PQgetvalue(r, 0, 0));
	return 0;
}

int pg_pull_send(struct pg *p, const char *device, long long cursor, int limit, struct err *e)
{
	char cur[32], lim[16];
	const char *params[2] = { cur, lim };

	snprintf(cur, sizeof(cur), "%lld", cursor);
	snprintf(lim, sizeof(lim), "%d", limit);
	free(p->device);
	p->device = xstrdup(device);
	return send_query(
		p, OP_PULL,
		"SELECT c.seq, c.device, coalesce(d.name, ''), c.entity, c.gid,"
		" c.deleted, c.data::text, c.vers::text, c.base::text"
		" FROM (SELECT * FROM nestor.changes WHERE seq > $1::bigint"
		"  ORDER BY seq LIMIT $2::integer) AS c"
		" LEFT JOIN nestor.devices AS d ON d.owner = c.owner AND d.device = c.device"
		" ORDER BY c.seq",
		2, params, e);
}

/* An id from the server for a change: valid UTF-8 without a control
 * character (C0, DEL, C1), bounded. */
static bool sane(const char *s, size_t max)
{
	struct err e = { 0, "" };

	return utf8_check_name("id", s, max, &e) == 0;
}

int pg_pull_result(struct pg *p, cJSON **changes, long long *last, struct err *e)
{
	PGresult *r = result(p, OP_PULL, 9, e);
	long long prev = *last;
	int n;

	*changes = NULL;
	if (!r)
		return -1;
	*changes = cJSON_CreateArray();
	n = pq.PQntuples(r);
	for (int i = 0; i < n; i++) {
		static const char *const obj[] = { "data", "vers", "base" };
		char *end;
		long long seq = strtoll(pq.PQgetvalue(r, i, 0), &end, 10);
		const char *dev = pq.PQgetvalue(r, i, 1);
		char *name;
		cJSON *c;

		if (*end || seq <= prev) {
			cJSON_Delete(*changes);
			*changes = NULL;
			return err_set(e, ERR_FAIL, "server: change log out of order at seq %lld",
				       seq);
		}
		prev = seq;
		if (!strcmp(dev, p->device))
			continue;
		if (!sane(dev, 32) || !sane(pq.PQgetvalue(r, i, 3), 32) ||
		    !sane(pq.PQgetvalue(r, i, 4), 64)) {
			cJSON_Delete(*changes);
			*changes = NULL;
			return err_set(e, ERR_FAIL, "server: a malformed change at seq %lld", seq);
		}
		c = cJSON_CreateObject();
		cJSON_AddNumberToObject(c, "seq", (double)seq);
		cJSON_AddStringToObject(c, "device", dev);
		/* the name a peer gave itself is shown, not trusted: cleaned */
		name = utf8_name(pq.PQgetvalue(r, i, 2), PG_NAME_MAX);
		cJSON_AddStringToObject(c, "device_name", name);
		free(name);
		cJSON_AddStringToObject(c, "entity", pq.PQgetvalue(r, i, 3));
		cJSON_AddStringToObject(c, "gid", pq.PQgetvalue(r, i, 4));
		cJSON_AddBoolToObject(c, "deleted", pq.PQgetvalue(r, i, 5)[0] == 't');
		for (int k = 0; k < 3; k++) {
			cJSON *v = cJSON_Parse(pq.PQgetvalue(r, i, 6 + k));

			if (!cJSON_IsObject(v)) {
				cJSON_Delete(v);
				v = cJSON_CreateObject();
			}
			cJSON_AddItemToObject(c, obj[k], v);
		}
		cJSON_AddItemToArray(*changes, c);
	}
	*last = prev;
	return 0;
}

/* Blocking: one parameterized statement; *res its result (caller clears
 * nothing: it lives in p until the next query). */
static PGresult *query_wait(struct pg *p, const char *sql, int n, const char *const *params,
			    int timeout_ms, struct err *e)
{
	if (send_query(p, OP_OTHER, sql, n, params, e) < 0 || pg_wait(p, timeout_ms, e) != 1)
		return NULL;
	return result(p, OP_OTHER, 0, e);
}

int pg_deliver_claim(struct pg *p, const char *job, long long occurrence, const char *channel,
		     const char *device, long lease, int timeout_ms, bool *ours, char *holder,
		     size_t len, struct err *e)
{
	char occ[32], secs[32];
	const char *params[5] = { job, occ, channel, device, secs };
	PGresult *r;
	char *name;

	snprintf(occ, sizeof(occ), "%lld", occurrence);
	snprintf(secs, sizeof(secs), "%ld", lease);
	r = query_wait(
		p,
		"WITH claim AS ("
		" INSERT INTO nestor.deliveries AS d(job, occurrence, channel, device, state,"
		"  lease_until) VALUES ($1, $2::bigint, $3, $4, 'claimed',"
		"  now() + $5::integer * interval '1 second')"
		" ON CONFLICT (owner, job, occurrence, channel) DO UPDATE SET"
		"  device = EXCLUDED.device, lease_until = EXCLUDED.lease_until, at = now()"
		" WHERE d.state = 'claimed' AND (d.device = EXCLUDED.device OR d.lease_until < "
		"now())"
		" RETURNING 1)"
		" SELECT (SELECT count(*) FROM claim) > 0, coalesce((SELECT coalesce(v.name, "
		"d.device)"
		"  FROM nestor.deliveries d LEFT JOIN nestor.devices v ON v.owner = d.owner"
		"  AND v.device = d.device WHERE d.job = $1 AND d.occurrence = $2::bigint"
		"  AND d.channel = $3), '')",
		5, params, timeout_ms, e);
	if (!r)
		return -1;
	if (pq.PQntuples(r) != 1 || pq.PQnfields(r) != 2)
		return err_set(e, ERR_FAIL, "server: unexpected answer to a delivery claim");
	*ours = pq.PQgetvalue(r, 0, 0)[0] == 't';
	name = utf8_name(pq.PQgetvalue(r, 0, 1), len ? len - 1 : 0);
	snprintf(holder, len, "%s", name);
	free(name);
	return 0;
}

static int deliver_end(struct pg *p, const char *sql, const char *job, long long occurrence,
		       const char *channel, const char *device, int timeout_ms, struct err *e)
{
	char occ[32];
	const char *params[4] = { job, occ, channel, device };

	snprintf(occ, sizeof(occ), "%lld", occurrence);
	return query_wait(p, sql, 4, params, timeout_ms, e) ? 0 : -1;
}

int pg_deliver_done(struct pg *p, const char *job, long long occurrence, const char *channel,
		    const char *device, int timeout_ms, struct err *e)
{
	return deliver_end(p,
			   "UPDATE nestor.deliveries SET state = 'delivered', at = now(),"
			   " lease_until = NULL WHERE job = $1 AND occurrence = $2::bigint"
			   " AND channel = $3 AND device = $4",
			   job, occurrence, channel, device, timeout_ms, e);
}

int pg_deliver_release(struct pg *p, const char *job, long long occurrence, const char *channel,
		       const char *device, int timeout_ms, struct err *e)
{
	return deliver_end(
		p,
		"DELETE FROM nestor.deliveries WHERE job = $1 AND occurrence = $2::bigint"
		" AND channel = $3 AND device = $4 AND state = 'claimed'",
		job, occurrence, channel, device, timeout_ms, e);
}

int pg_init(struct pg *p, int timeout_ms, int *from, int *to, struct err *e)
{
	PGresult *r;
	int v, n = pg_schema_version();

	*from = *to = 0;
	if (exec_wait(
		    p,
		    "BEGIN; CREATE SCHEMA IF NOT EXISTS nestor;"
		    " CREATE TABLE IF NOT EXISTS nestor.schema_version (version integer NOT NULL);"
		    " LOCK TABLE nestor.schema_version IN EXCLUSIVE MODE",
		    timeout_ms, e) < 0)
		goto fail;
	r = query_wait(p, "SELECT coalesce(max(version), 0) FROM nestor.schema_version", 0, NULL,
		       timeout_ms, e);
	if (!r)
		goto fail;
	v = *from = *to = atoi(pq.PQgetvalue(r, 0, 0));
	if (v > n) {
		err_set(e, ERR_FAIL,
			"server: schema version %d is newer than this nestor knows (%d); upgrade "
			"nestor",
			v, n);
		goto fail;
	}
	for (; v < n; v++) {
		char *sql = xasprintf("%s; INSERT INTO nestor.schema_version VALUES (%d)",
				      pg_migrations[v], v + 1);
		int rc = exec_wait(p, sql, timeout_ms, e);

		free(sql);
		if (rc < 0) {
			err_prefix(e, "server migration %d", v + 1);
			goto fail;
		}
	}
	if (exec_wait(p, "COMMIT", timeout_ms, e) < 0)
		goto fail;
	*to = n;
	return 0;
fail:
	if (p->state == PG_IDLE) {
		struct err ignore;

		exec_wait(p, "ROLLBACK", timeout_ms, &ignore);
	}
	return -1;
}

int pg_role_add(struct pg *p, const char *role, const char *password, int timeout_ms, struct err *e)
{
	const char *params[1] = { role };
	char *id = pq.PQescapeIdentifier(p->conn, role, strlen(role));
	char *hash = NULL, *qhash = NULL, *sql;
	PGresult *r;
	bool exists;
	int rc = -1;

	if (!id)
		return fail(e, NULL, pq.PQerrorMessage(p->conn));
	if (password) {
		hash = pq.PQencryptPasswordConn(p->conn, password, role, NULL);
		qhash = hash ? pq.PQescapeLiteral(p->conn, hash, strlen(hash)) : NULL;
		if (!qhash) {
			fail(e, "password", pq.PQerrorMessage(p->conn));
			goto out;
		}
	}
	r = query_wait(p, "SELECT 1 FROM pg_roles WHERE rolname = $1", 1, params, timeout_ms, e);
	if (!r)
		goto out;
	exists = pq.PQntuples(r) > 0;
	sql = xasprintf("%s ROLE %s LOGIN%s%s; GRANT nestor_users TO %s",
			exists ? "ALTER" : "CREATE", id, qhash ? " PASSWORD " : "",
			qhash ? qhash : "", id);
	rc = exec_wait(p, sql, timeout_ms, e);
	free(sql);
out:
	if (hash)
		pq.PQfreemem(hash);
	if (qhash)
		pq.PQfreemem(qhash);
	pq.PQfreemem(id);
	return rc;
}

int pg_role_disable(struct pg *p, const char *role, int timeout_ms, struct err *e)
{
	const char *params[1] = { role };
	char *id = pq.PQescapeIdentifier(p->conn, role, strlen(role));
	PGresult *r;
	char *sql;
	int rc = -1;

	if (!id)
		return fail(e, NULL, pq.PQerrorMessage(p->conn));
	r = query_wait(p, "SELECT 1 FROM pg_roles WHERE rolname = $1", 1, params, timeout_ms, e);
	if (r && pq.PQntuples(r) == 0)
		rc = 0;
	else if (r) {
		sql = xasprintf("ALTER ROLE %s NOLOGIN", id);
		rc = exec_wait(p, sql, timeout_ms, e);
		free(sql);
	}
	pq.PQfreemem(id);
	return rc;
}
