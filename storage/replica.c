/*
 * replica.c - the synced tables, the outbox read in batches, sync state and
 * conflicts.  Applying pulled changes is in replica-apply.c.
 */
#include "replica-int.h"
#include "schema-sync.h"
#include "user.h"
#include "xalloc.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define F(n, t)                                                                                    \
	{                                                                                          \
		n, t, NULL, NULL                                                                   \
	}
#define FD(n, t, d)                                                                                \
	{                                                                                          \
		n, t, NULL, d                                                                      \
	}
#define REF(n, ent, d)                                                                             \
	{                                                                                          \
		n, RT_REF, ent, d                                                                  \
	}
#define N(a)	  (sizeof(a) / sizeof(a[0]))
#define STR_(x)	  #x
#define STR(x)	  STR_(x)
#define MINE_USER "user_id IS (SELECT id FROM users WHERE name = ?1)"

static const struct rfield user_f[] = { FD("name", RT_TEXT, "'user'"), F("tz", RT_TEXT),
					F("locale", RT_TEXT), F("telegram_chat_id", RT_INT),
					F("settings", RT_TEXT) };
static const struct rfield calendar_f[] = { FD("name", RT_TEXT, "'calendar'"),
					    FD("source", RT_TEXT, "'local'") };
static const struct rfield assistant_f[] = { FD("name", RT_TEXT, "'assistant'"),
					     FD("backend", RT_TEXT, "'offline'"),
					     F("base_url", RT_TEXT),
					     F("model", RT_TEXT),
					     F("system_prompt", RT_TEXT),
					     F("temperature", RT_REAL),
					     F("tools", RT_TEXT),
					     FD("token_budget", RT_INT, "8192"),
					     FD("is_default", RT_INT, "0"),
					     FD("created_at", RT_INT, "0"),
					     F("max_tokens", RT_INT) };
static const struct rfield conversation_f[] = {
	REF("user_id", "user", "1"),	 REF("assistant_id", "assistant", NULL),
	FD("channel", RT_TEXT, "'cli'"), F("title", RT_TEXT),
	FD("created_at", RT_INT, "0"),	 FD("updated_at", RT_INT, "0")
};
static const struct rfield message_f[] = { REF("conversation_id", "conversation", NULL),
					   FD("role", RT_TEXT, "'user'"),
					   F("content", RT_TEXT),
					   F("tool_calls", RT_TEXT),
					   F("tool_call_id", RT_TEXT),
					   FD("state", RT_TEXT, "'complete'"),
					   FD("created_at", RT_INT, "0"),
					   F("prompt_tokens", RT_INT),
					   F("completion_tokens", RT_INT),
					   F("reasoning", RT_TEXT) };
static const struct rfield event_f[] = { REF("calendar_id", "calendar", "1"),
					 FD("uid", RT_TEXT, "gid"),
					 FD("summary", RT_TEXT, "''"),
					 F("description", RT_TEXT),
					 F("location", RT_TEXT),
					 FD("start", RT_INT, "0"),
					 FD("end", RT_INT, "0"),
					 F("tzid", RT_TEXT),
					 FD("all_day", RT_INT, "0"),
					 F("rrule", RT_TEXT),
					 F("exdates", RT_TEXT),
					 F("attendees", RT_TEXT),
					 F("alarms", RT_TEXT),
					 F("until", RT_INT),
					 FD("updated_at", RT_INT, "0"),
					 F("wall_start", RT_INT),
					 F("overrides", RT_KIDS) };
static const struct rfield task_f[] = { REF("user_id", "user", "1"),
					FD("title", RT_TEXT, "''"),
					F("notes", RT_TEXT),
					FD("priority", RT_INT, "0"),
					F("due", RT_INT),
					FD("status", RT_TEXT, "'todo'"),
					FD("created_at", RT_INT, "0"),
					F("done_at", RT_INT),
					FD("due_date_only", RT_INT, "0"),
					F("uid", RT_TEXT) };
static const struct rfield job_f[] = { FD("kind", RT_TEXT, "'reminder'"),
				       REF("user_id", "user", "1"),
				       F("payload", RT_TEXT),
				       FD("schedule", RT_TEXT, "'at'"),
				       F("rule", RT_TEXT),
				       F("tzid", RT_TEXT),
				       F("dtstart", RT_INT),
				       F("next_run", RT_INT),
				       F("occurrence", RT_INT),
				       FD("state", RT_TEXT, "'pending'"),
				       FD("created_at", RT_INT, "0"),
				       REF("event_id", "event", NULL),
				       FD("run_offset", RT_INT, "0"),
				       F("exdates", RT_TEXT) };

/* Parents before children: a snapshot and a pull meet them in this order. */
const struct rentity replica_entities[] = {
	{ "user", "users", "name", "name = ?1", NULL, user_f, N(user_f) },
	{ "calendar", "calendars", "name", NULL, NULL, calendar_f, N(calendar_f) },
	{ "assistant", "assistants", "name", NULL, NULL, assistant_f, N(assistant_f) },
	{ "conversation", "conversations", NULL, MINE_USER, NULL, conversation_f,
	  N(conversation_f) },
	{ "message", "messages", NULL,
	  "conversation_id IN (SELECT id FROM conversations WHERE " MINE_USER ")", NULL, message_f,
	  N(message_f) },
	{ "event", "events", "uid", NULL, NULL, event_f, N(event_f) },
	{ "task", "tasks", "uid", MINE_USER, NULL, task_f, N(task_f) },
	{ "job", "jobs", NULL, MINE_USER, "state = 'running'", job_f, N(job_f) },
};
const size_t replica_nentities = N(replica_entities);

const struct rentity *replica_entity(const char *entity)
{
	for (size_t i = 0; entity && i < replica_nentities; i++)
		if (!strcmp(replica_entities[i].entity, entity))
			return &replica_entities[i];
	return NULL;
}

const struct rfield *replica_field(const struct rentity *r, const char *name)
{
	for (size_t i = 0; name && i < r->nfields; i++)
		if (!strcmp(r->fields[i].name, name))
			return &r->fields[i];
	return NULL;
}

static bool is_hex(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
}

bool replica_valid_version(const char *v)
{
	size_t i, n;

	if (!v || strlen(v) < 18 || strlen(v) > 49 || v[16] != '@')
		return false;
	for (i = 0; i < 16; i++)
		if (!is_hex(v[i]))
			return false;
	for (i = 17, n = strlen(v); i < n; i++)
		if (!is_hex(v[i]))
			return false;
	return true;
}

bool replica_valid_gid(const char *g)
{
	size_t n = g ? strlen(g) : 0;

	if (n < 1 || n > 64)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!((g[i] >= '0' && g[i] <= '9') || (g[i] >= 'a' && g[i] <= 'z') ||
		      (g[i] >= 'A' && g[i] <= 'Z') || g[i] == '-'))
			return false;
	return true;
}

sqlite3_stmt *rcache_prep(struct rcache *c, const char *sql, struct err *e)
{
	sqlite3_stmt *st;
	size_t i;

	for (i = 0; i < c->n; i++)
		if (!strcmp(c->sql[i], sql)) {
			sqlite3_reset(c->st[i]);
			sqlite3_clear_bindings(c->st[i]);
			return c->st[i];
		}
	st = store_prepare(c->s, sql, e);
	if (!st)
		return NULL;
	if (c->n < RCACHE_N) {
		i = c->n++;
	} else {
		i = c->next;
		c->next = (c->next + 1) % RCACHE_N;
		sqlite3_finalize(c->st[i]);
		free(c->sql[i]);
	}
	c->sql[i] = xstrdup(sql);
	c->st[i] = st;
	return st;
}

void rcache_release(struct rcache *c)
{
	for (size_t i = 0; i < c->n; i++) {
		sqlite3_finalize(c->st[i]);
		free(c->sql[i]);
	}
	c->n = c->next = 0;
}

/* One outbox row to fold. */
struct foldrow {
	long long id;
	char *op, *entity, *gid, *fields, *ver;
};

static void foldrows_free(struct foldrow *r, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(r[i].op);
		free(r[i].entity);
		free(r[i].gid);
		free(r[i].fields);
		free(r[i].ver);
	}
	free(r);
}

/* The field compared as one with field of entity (an event's start and
 * end), or NULL. */
static const char *partner(const char *entity, const char *field)
{
	if (!entity || strcmp(entity, "event"))
		return NULL;
	if (!strcmp(field, "start"))
		return "end";
	return !strcmp(field, "end") ? "start" : NULL;
}

bool replica_together(const struct rentity *r, const char *field)
{
	return partner(r->entity, field) != NULL;
}

unsigned long long replica_version_clock(const char *v)
{
	char hex[17];

	memcpy(hex, v, 16);
	hex[16] = '\0';
	return strtoull(hex, NULL, 16);
}

/* The later of the versions vers holds for f and for with (NULL: f's
 * alone), leaving out a clock no change may carry (one an older version
 * stored): NULL when there is none. */
static const char *later_version(const cJSON *vers, const char *f, const char *with)
{
	const char *names[2] = { f, with }, *best = NULL;

	for (int i = 0; i < 2 && names[i]; i++) {
		const cJSON *v = cJSON_GetObjectItemCaseSensitive(vers, names[i]);

		if (cJSON_IsString(v) && replica_valid_version(v->valuestring) &&
		    replica_version_clock(v->valuestring) < REPLICA_CLOCK_END &&
		    (!best || strcmp(v->valuestring, best) > 0))
			best = v->valuestring;
	}
	return best;
}

/* The version field f of a local edit takes: the edit's own (ver), or,
 * when the field holds one as late already (another device's clock ran
 * ahead, beyond what this device's clock follows), one step past that:
 * an edit here always wins over what this device had seen.  An event's
 * start and end are compared as one, by the later of their versions
 * (replica_together()), so an edit of one steps past the other's too.
 * A change is taken only below REPLICA_CLOCK_END, so the step never runs
 * out. */
static void fold_version(cJSON *patch, const cJSON *vers, const char *f, const char *with,
			 const char *ver)
{
	const char *cur = later_version(vers, f, with);
	unsigned long long h;
	char *v;

	if (!cur || !replica_valid_version(ver) || strncmp(cur, ver, 16) < 0) {
		cJSON_AddStringToObject(patch, f, ver);
		return;
	}
	h = replica_version_clock(cur);
	if (h + 1 >= REPLICA_CLOCK_END) {
		cJSON_AddStringToObject(patch, f, ver);
		return;
	}
	v = xasprintf("%016llx%s", h + 1, ver + 16);
	cJSON_AddStringToObject(patch, f, v);
	free(v);
}

/* The versions an outbox row gives the fields it names, as JSON object
 * text (NULL with e filled). */
static char *fold_versions(struct rcache *c, const struct foldrow *row, struct err *e)
{
	sqlite3_stmt *st = rcache_prep(c, "SELECT vers FROM sync_obj WHERE gid = ?", e);
	cJSON *vers = NULL, *names, *patch = cJSON_CreateObject();
	const cJSON *it;
	char *out;

	if (!st) {
		cJSON_Delete(patch);
		return NULL;
	}
	store_bind_text(st, 1, row->gid);
	if (sqlite3_step(st) == SQLITE_ROW)
		vers = cJSON_Parse((const char *)sqlite3_column_text(st, 0));
	sqlite3_reset(st);
	names = cJSON_Parse(row->fields ? row->fields : "[]");
	cJSON_ArrayForEach(it, names)
		if (cJSON_IsString(it))
			fold_version(patch, vers, it->valuestring,
				     partner(row->entity, it->valuestring), row->ver);
	out = cJSON_PrintUnformatted(patch);
	cJSON_Delete(patch);
	cJSON_Delete(names);
	cJSON_Delete(vers);
	return out;
}

int replica_fold(struct store *s, struct rcache *c, struct err *e)
{
	char *patch;
	sqlite3_stmt *q = store_prepare(s,
					"SELECT id, op, entity, json_extract(payload, '$.gid'),"
					" json_extract(payload, '$.f'), ver FROM outbox"
					" WHERE target = '" REPLICA_TARGET "' AND folded = 0"
					" ORDER BY id",
					e);
	struct foldrow *rows = NULL;
	size_t n = 0, cap = 0;
	int rc;

	if (!q)
		return -1;
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		if (n == cap)
			rows = xrealloc(rows, (cap = cap ? cap * 2 : 64) * sizeof(*rows));
		rows[n].id = sqlite3_column_int64(q, 0);
		rows[n].op = store_col_text(q, 1);
		rows[n].entity = store_col_text(q, 2);
		rows[n].gid = store_col_text(q, 3);
		rows[n].fields = store_col_text(q, 4);
		rows[n].ver = store_col_text(q, 5);
		n++;
	}
	sqlite3_finalize(q);
	if (rc != SQLITE_DONE) {
		foldrows_free(rows, n);
		return store_error(s, e, "sync: outbox");
	}
	for (size_t i = 0; i < n; i++) {
		sqlite3_stmt *a = rcache_prep(c,
					      "INSERT INTO sync_obj(gid, entity) VALUES (?1, ?2)"
					      " ON CONFLICT(gid) DO NOTHING",
					      e);

		if (!rows[i].gid || !rows[i].ver)
			continue;
		if (!a)
			goto fail;
		store_bind_text(a, 1, rows[i].gid);
		store_bind_text(a, 2, rows[i].entity);
		rc = sqlite3_step(a);
		sqlite3_reset(a);
		if (rc != SQLITE_DONE)
			goto db_fail;
		patch = fold_versions(c, &rows[i], e);
		if (!patch)
			goto fail;
		/* what the trigger of an earlier version did at once: the fields
		 * named take the change's version, their old one becomes the base;
		 * a deletion makes the whole row a tombstone */
		a = rcache_prep(
			c,
			"UPDATE sync_obj SET"
			" base = CASE WHEN ?3 = 'del' THEN vers ELSE json_patch(base, (SELECT"
			"  json_group_object(value, json_extract(sync_obj.vers, '$.' || value))"
			"  FROM json_each(?4) WHERE type = 'text')) END,"
			" vers = json_patch(vers, ?5),"
			" deleted = deleted OR ?3 = 'del'"
			" WHERE gid = ?1",
			e);
		if (!a) {
			free(patch);
			goto fail;
		}
		store_bind_text(a, 1, rows[i].gid);
		store_bind_text(a, 3, rows[i].op);
		store_bind_text(a, 4, rows[i].fields ? rows[i].fields : "[]");
		store_bind_text(a, 5, patch);
		rc = sqlite3_step(a);
		sqlite3_reset(a);
		free(patch);
		if (rc != SQLITE_DONE)
			goto db_fail;
	}
	if (n) {
		q = rcache_prep(c,
				"UPDATE outbox SET folded = 1 WHERE target = '" REPLICA_TARGET "'"
				" AND folded = 0 AND id <= ?",
				e);
		if (!q)
			goto fail;
		sqlite3_bind_int64(q, 1, rows[n - 1].id);
		rc = sqlite3_step(q);
		sqlite3_reset(q);
		if (rc != SQLITE_DONE)
			goto db_fail;
	}
	foldrows_free(rows, n);
	return 0;
db_fail:
	store_error(s, e, "sync: versions");
fail:
	foldrows_free(rows, n);
	return -1;
}

char *replica_canon(struct store *s, const char *gid)
{
	sqlite3_stmt *st = store_prepare(s, "SELECT canon FROM sync_alias WHERE gid = ?", NULL);
	char *out = NULL;

	if (st) {
		store_bind_text(st, 1, gid);
		if (sqlite3_step(st) == SQLITE_ROW)
			out = store_col_text(st, 0);
		sqlite3_finalize(st);
	}
	return out ? out : xstrdup(gid);
}

int replica_local_id(struct store *s, const struct rentity *r, const char *gid, long long *id,
		     struct err *e)
{
	char *sql = xasprintf("SELECT id FROM %s WHERE gid = ?", r->table);
	sqlite3_stmt *st = store_prepare(s, sql, e);
	char *canon;
	int rc;

	free(sql);
	*id = 0;
	if (!st)
		return -1;
	canon = replica_canon(s, gid);
	store_bind_text(st, 1, canon);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*id = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	free(canon);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : store_error(s, e, "sync");
}

int replica_gid(struct store *s, const char *entity, long long id, char **gid, struct err *e)
{
	const struct rentity *r = replica_entity(entity);
	sqlite3_stmt *st;
	char *sql;

	*gid = NULL;
	if (!r)
		return err_set(e, ERR_FAIL, "sync: unknown entity '%s'", entity);
	sql = xasprintf("SELECT gid FROM %s WHERE id = ?", r->table);
	st = store_prepare(s, sql, e);
	free(sql);
	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, id);
	if (sqlite3_step(st) == SQLITE_ROW)
		*gid = store_col_text(st, 0);
	sqlite3_finalize(st);
	return 0;
}

int replica_device(struct store *s, char *buf, size_t len, struct err *e)
{
	sqlite3_stmt *st = store_prepare(s, "SELECT device FROM sync_self WHERE id = 1", e);
	int rc;

	if (!st)
		return -1;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		snprintf(buf, len, "%s", (const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	return rc == SQLITE_ROW ? 0 : store_error(s, e, "sync: device");
}

/* sync_self.capture: 0 while capture is off, else the shape of the capture
 * triggers this store has (SYNC_TRIGGERS as that version made them).
 * 1: the columns of migration 9; 2: a task's uid too; 3: no assistant's
 * key_secret, and a tick that keeps the clock an INTEGER; 4: an event's
 * wall_start too (migration 29). */
#define REPLICA_CAPTURE 4

static int capture_version(struct store *s, int *ver, struct err *e)
{
	sqlite3_stmt *st = store_prepare(s, "SELECT capture FROM sync_self WHERE id = 1", e);

	if (!st)
		return -1;
	*ver = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int(st, 0) : 0;
	sqlite3_finalize(st);
	return 0;
}

int replica_enabled(struct store *s, bool *on, struct err *e)
{
	int ver;

	if (capture_version(s, &ver, e) < 0)
		return -1;
	*on = ver >= REPLICA_CAPTURE;
	return 0;
}

/* Every synced row of r matching cond into the outbox, with the fields
 * names (a JSON array text) named. */
static int queue_rows(struct store *s, const struct rentity *r, const char *names, const char *cond,
		      long *count, struct err *e)
{
	char *sql;
	int rc;

	sql = sqlite3_mprintf(
		"UPDATE %s SET gid = lower(hex(randomblob(4)) || '-' || hex(randomblob(2)) ||"
		" '-4' || substr(hex(randomblob(2)), 2) || '-' || substr('89ab', 1 + (random() & "
		"3),"
		" 1) || substr(hex(randomblob(2)), 2) || '-' || hex(randomblob(6))) WHERE gid IS "
		"NULL;" SQ_TICK
		"INSERT INTO outbox(target, op, entity, entity_id, payload, created_at, ver)"
		" SELECT '" REPLICA_TARGET
		"', 'put', %Q, id, json_object('gid', gid, 'f', json(%Q)),"
		" CAST(strftime('%%s','now') AS INTEGER), (SELECT printf('%%016x@%%s', hlc, device)"
		" FROM sync_self WHERE id = 1) FROM %s WHERE %s ORDER BY id",
		r->table, r->entity, names, r->table, cond);
	rc = store_exec(s, sql, e);
	sqlite3_free(sql);
	if (rc == 0)
		*count += sqlite3_changes(s->db);
	return rc;
}

/* Every synced row of r into the outbox, all fields named. */
static int snapshot_entity(struct store *s, const struct rentity *r, long *count, struct err *e)
{
	cJSON *names = cJSON_CreateArray();
	char *list;
	int rc;

	for (size_t i = 0; i < r->nfields; i++)
		cJSON_AddItemToArray(names, cJSON_CreateString(r->fields[i].name));
	list = cJSON_PrintUnformatted(names);
	cJSON_Delete(names);
	rc = queue_rows(s, r, list, "1", count, e);
	free(list);
	return rc;
}

/* A store that captures with the triggers of an older version gets this
 * version's, and the fields the older ones left out go to the server
 * once, with a new version: what other devices have is older, so they
 * converge on this device's values.  A device still on the older shape
 * keeps working: a field it does not know is ignored when it applies a
 * change, and one it does not send is left as the other devices have it. */
static int upgrade_capture(struct store *s, int from, struct err *e)
{
	long n = 0;

	if (from < 2) {
		/* the triggers of 1 did not watch tasks.uid (migration 11); a
		 * task pulled then has none (NULL: it shows gid@nestor), so only
		 * the uids made or imported here go out */
		if (store_exec(s,
			       "DROP TRIGGER IF EXISTS tasks_sync_ai;"
			       "DROP TRIGGER IF EXISTS tasks_sync_au;"
			       "DROP TRIGGER IF EXISTS tasks_sync_ad;" SQ_TRIGGERS(
				       "tasks", "task", SQ_TASK_COLS, "", ""),
			       e) < 0 ||
		    queue_rows(s, replica_entity("task"), "[\"uid\"]", "uid IS NOT NULL", &n, e) <
			    0)
			return -1;
	}
	if (from < 3) {
		/* every trigger ticks the clock: all are made anew; a clock an
		 * older version moved far ahead comes back (replica_apply) */
		if (store_exec(s, SQ_HLC_HEAL, e) < 0)
			return -1;
		for (size_t i = 0; i < replica_nentities; i++) {
			const char *t = replica_entities[i].table;
			char *q = sqlite3_mprintf("DROP TRIGGER IF EXISTS %s_sync_ai;"
						  "DROP TRIGGER IF EXISTS %s_sync_au;"
						  "DROP TRIGGER IF EXISTS %s_sync_ad;",
						  t, t, t);
			int rc = store_exec(s, q, e);

			sqlite3_free(q);
			if (rc < 0)
				return -1;
		}
		if (store_exec(s,
			       "DROP TRIGGER IF EXISTS event_overrides_sync_ai;"
			       "DROP TRIGGER IF EXISTS event_overrides_sync_au;"
			       "DROP TRIGGER IF EXISTS event_overrides_sync_ad;" SYNC_TRIGGERS,
			       e) < 0)
			return -1;
	} else if (from < 4 &&
		   store_exec(s,
			      "DROP TRIGGER IF EXISTS events_sync_ai;"
			      "DROP TRIGGER IF EXISTS events_sync_au;"
			      "DROP TRIGGER IF EXISTS events_sync_ad;" SQ_TRIGGERS(
				      "events", "event", SQ_EVENT_COLS, ", 'overrides'", ""),
			      e) < 0) {
		return -1;
	}
	/* the series written inside a gap before 4 (3's triggers made anew
	 * above watch wall_start already) */
	if (from < 4 && queue_rows(s, replica_entity("event"), "[\"wall_start\"]",
				   "wall_start IS NOT NULL AND deleted = 0", &n, e) < 0)
		return -1;
	return 0;
}

int replica_enable(struct store *s, long *snapshot, struct err *e)
{
	struct rcache c = { .s = s };
	long count = 0;
	int ver, rc = 0;

	if (snapshot)
		*snapshot = 0;
	if (store_begin(s, e) < 0)
		return -1;
	if (capture_version(s, &ver, e) < 0)
		goto fail;
	if (ver > 0 && ver < REPLICA_CAPTURE && upgrade_capture(s, ver, e) < 0)
		goto fail;
	if (ver == 0) {
		rc = store_exec(s, SYNC_TRIGGERS, e);
		for (size_t i = 0; rc == 0 && i < replica_nentities; i++)
			rc = snapshot_entity(s, &replica_entities[i], &count, e);
		if (rc == 0)
			rc = replica_fold(s, &c, e);
		rcache_release(&c);
		if (rc < 0)
			goto fail;
		/* The seeded rows are on every device alike: their fields get
		 * the oldest version, so any real edit wins over them. */
		if (store_exec(s,
			       "UPDATE sync_obj SET vers = (SELECT json_group_object(key,"
			       " '" REPLICA_SEED_HLC "@' || (SELECT device FROM sync_self))"
			       " FROM json_each(sync_obj.vers))"
			       " WHERE gid LIKE '" REPLICA_SEED_GID "%'",
			       e) < 0)
			goto fail;
	}
	if (ver < REPLICA_CAPTURE &&
	    store_exec(s, "UPDATE sync_self SET capture = " STR(REPLICA_CAPTURE) " WHERE id = 1",
		       e) < 0)
		goto fail;
	if (store_commit(s, e) < 0)
		return -1;
	if (snapshot)
		*snapshot = count;
	return 0;
fail:
	store_rollback(s);
	return -1;
}

void replica_batch_release(struct replica_batch *b)
{
	cJSON_Delete(b->changes);
	free(b->ids);
	memset(b, 0, sizeof(*b));
}

/* One outbox row, as replica_next() groups them. */
struct obrow {
	long long id;
	bool del;
	char *entity, *gid, *fields; /* fields: a JSON array text */
	int group;		     /* index of the first row of its gid */
};

static void add_id(struct replica_batch *b, long long id, size_t *cap)
{
	if (b->nids == *cap)
		b->ids = xrealloc(b->ids, (*cap = *cap ? *cap * 2 : 64) * sizeof(*b->ids));
	b->ids[b->nids++] = id;
}

char *replica_field_expr(const struct rfield *f)
{
	const struct rentity *ref;

	switch (f->type) {
	case RT_REF:
		ref = replica_entity(f->ref);
		return xasprintf("(SELECT gid FROM %s WHERE id = T.\"%s\")", ref->table, f->name);
	case RT_KIDS:
		return xstrdup(
			"(SELECT json_group_array(json_object('recurrence_id', recurrence_id,"
			" 'summary', summary, 'description', description, 'location',"
			" location, 'start', start, 'end', \"end\", 'tzid', tzid, 'declined',"
			" declined)) FROM"
			" (SELECT * FROM event_overrides WHERE event_id = T.id"
			" ORDER BY recurrence_id))");
	default: return xasprintf("T.\"%s\"", f->name);
	}
}

cJSON *replica_column_json(sqlite3_stmt *st, int col, const struct rfield *f)
{
	switch (sqlite3_column_type(st, col)) {
	case SQLITE_NULL: return cJSON_CreateNull();
	case SQLITE_INTEGER: return cJSON_CreateNumber((double)sqlite3_column_int64(st, col));
	case SQLITE_FLOAT: return cJSON_CreateNumber(sqlite3_column_double(st, col));
	default:
		if (f->type == RT_KIDS) {
			cJSON *v = cJSON_Parse((const char *)sqlite3_column_text(st, col));

			return v ? v : cJSON_CreateArray();
		}
		return cJSON_CreateString((const char *)sqlite3_column_text(st, col));
	}
}

/* Whether the row gid of r matches cond (with ?1 = user), 1/0/-1. */
static int row_is(struct rcache *c, const struct rentity *r, const char *gid, const char *cond,
		  const char *user, struct err *e)
{
	char *sql = xasprintf("SELECT 1 FROM %s WHERE gid = ?2 AND (%s)", r->table, cond);
	sqlite3_stmt *st = rcache_prep(c, sql, e);
	int rc;

	free(sql);
	if (!st)
		return -1;
	store_bind_text(st, 1, user);
	store_bind_text(st, 2, gid);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return store_error(c->s, e, "sync");
	return rc == SQLITE_ROW;
}

/* The versions and bases of a row: parsed sync_obj columns. */
static int row_versions(struct rcache *c, const char *gid, cJSON **vers, cJSON **base,
			struct err *e)
{
	sqlite3_stmt *st = rcache_prep(c, "SELECT vers, base FROM sync_obj WHERE gid = ?", e);

	*vers = *base = NULL;
	if (!st)
		return -1;
	store_bind_text(st, 1, gid);
	if (sqlite3_step(st) == SQLITE_ROW) {
		*vers = cJSON_Parse((const char *)sqlite3_column_text(st, 0));
		*base = cJSON_Parse((const char *)sqlite3_column_text(st, 1));
	}
	sqlite3_reset(st);
	if (!*vers)
		*vers = cJSON_CreateObject();
	if (!*base)
		*base = cJSON_CreateObject();
	return 0;
}

static void copy_key(cJSON *to, const cJSON *from, const char *k)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(from, k);

	if (cJSON_IsString(v))
		cJSON_AddStringToObject(to, k, v->valuestring);
}

/* The change for one row: its named fields' values and versions.  NULL
 * (and no error) when the row is gone. */
static cJSON *row_change(struct rcache *rc_, const struct rentity *r, const char *gid,
			 const cJSON *names, struct err *e)
{
	cJSON *c, *data, *vers, *base, *allv, *allb;
	const struct rfield *fs[32] = { NULL };
	sqlite3_stmt *st;
	char *sql, *cols = xstrdup("");
	size_t n = 0;
	const cJSON *it;
	int rc;

	cJSON_ArrayForEach(it, names) {
		const struct rfield *f =
			cJSON_IsString(it) ? replica_field(r, it->valuestring) : NULL;
		char *x, *more;

		if (!f || n == N(fs))
			continue;
		for (size_t i = 0; i < n; i++)
			if (fs[i] == f)
				f = NULL;
		if (!f)
			continue;
		fs[n++] = f;
		x = replica_field_expr(f);
		more = xasprintf("%s, %s", cols, x);
		free(x);
		free(cols);
		cols = more;
	}
	sql = xasprintf("SELECT 1%s FROM %s AS T WHERE gid = ?", cols, r->table);
	free(cols);
	st = rcache_prep(rc_, sql, e);
	free(sql);
	if (!st)
		return NULL;
	store_bind_text(st, 1, gid);
	rc = sqlite3_step(st);
	if (rc != SQLITE_ROW) {
		sqlite3_reset(st);
		if (rc != SQLITE_DONE)
			store_error(rc_->s, e, "sync");
		return NULL;
	}
	if (row_versions(rc_, gid, &allv, &allb, e) < 0) {
		sqlite3_reset(st);
		return NULL;
	}
	c = cJSON_CreateObject();
	data = cJSON_AddObjectToObject(c, "data");
	vers = cJSON_AddObjectToObject(c, "vers");
	base = cJSON_AddObjectToObject(c, "base");
	for (size_t i = 0; i < n; i++) {
		cJSON_AddItemToObject(data, fs[i]->name,
				      replica_column_json(st, (int)i + 1, fs[i]));
		copy_key(vers, allv, fs[i]->name);
		copy_key(base, allb, fs[i]->name);
	}
	sqlite3_reset(st);
	cJSON_Delete(allv);
	cJSON_Delete(allb);
	return c;
}

static cJSON *tombstone(struct rcache *rc, const char *gid, struct err *e)
{
	cJSON *c, *vers, *base;

	if (row_versions(rc, gid, &vers, &base, e) < 0)
		return NULL;
	c = cJSON_CreateObject();
	cJSON_AddItemToObject(c, "data", cJSON_CreateObject());
	cJSON_AddItemToObject(c, "vers", vers);
	cJSON_AddItemToObject(c, "base", base);
	return c;
}

static int read_outbox(struct store *s, long long after, size_t limit, struct obrow **out,
		       size_t *n, struct err *e)
{
	sqlite3_stmt *st = store_prepare(s,
					 "SELECT id, op, entity, json_extract(payload, '$.gid'),"
					 " json_extract(payload, '$.f') FROM outbox"
					 " WHERE target = '" REPLICA_TARGET "' AND id > ?"
					 " ORDER BY id LIMIT ?",
					 e);
	struct obrow *rows = NULL;
	size_t cap = 0;
	int rc;

	*n = 0;
	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, after);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)limit);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct obrow *o;

		if (*n == cap)
			rows = xrealloc(rows, (cap = cap ? cap * 2 : 64) * sizeof(*rows));
		o = &rows[(*n)++];
		o->id = sqlite3_column_int64(st, 0);
		o->del = !strcmp((const char *)sqlite3_column_text(st, 1), "del");
		o->entity = store_col_text(st, 2);
		o->gid = store_col_text(st, 3);
		o->fields = store_col_text(st, 4);
		o->group = (int)*n - 1;
		for (size_t i = 0; o->gid && i + 1 < *n; i++)
			if (rows[i].gid && !strcmp(rows[i].gid, o->gid)) {
				o->group = rows[i].group;
				break;
			}
	}
	sqlite3_finalize(st);
	*out = rows;
	return rc == SQLITE_DONE ? 0 : store_error(s, e, "sync: outbox");
}

static void free_rows(struct obrow *rows, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(rows[i].entity);
		free(rows[i].gid);
		free(rows[i].fields);
	}
	free(rows);
}

/* The change of group g (rows whose group is g), or NULL when it has none
 * to send; *take: whether its outbox rows are done with (sent or moot). */
static cJSON *group_change(struct rcache *s, const char *user, bool calendar, struct obrow *rows,
			   size_t n, size_t g, bool *take, bool *del, struct err *e)
{
	const struct rentity *r = replica_entity(rows[g].entity);
	cJSON *names, *c, *it;
	int rc;

	*take = true;
	*del = false;
	if (!r || !rows[g].gid)
		return NULL;
	/* the calendar waits for its owner, deletions too */
	if (!calendar && replica_calendar_entity(r->entity)) {
		*take = false;
		return NULL;
	}
	for (size_t i = g; i < n; i++)
		*del |= rows[i].group == (int)g && rows[i].del;
	if (*del)
		return tombstone(s, rows[g].gid, e);
	if (r->wait && (rc = row_is(s, r, rows[g].gid, r->wait, user, e)) != 0) {
		*take = false;
		return NULL;
	}
	if (user && r->mine) {
		char *cond = xasprintf("NOT (%s)", r->mine);

		rc = row_is(s, r, rows[g].gid, cond, user, e);
		free(cond);
		if (rc != 0) {
			*take = false;
			return NULL;
		}
	}
	names = cJSON_CreateArray();
	for (size_t i = g; i < n; i++) {
		cJSON *f;

		if (rows[i].group != (int)g || !rows[i].fields)
			continue;
		f = cJSON_Parse(rows[i].fields);
		cJSON_ArrayForEach(it, f)
			if (cJSON_IsString(it))
				cJSON_AddItemToArray(names, cJSON_CreateString(it->valuestring));
		cJSON_Delete(f);
	}
	/* the fields checked together travel together (replica_together) */
	cJSON_ArrayForEach(it, names)
		if (cJSON_IsString(it) && replica_together(r, it->valuestring))
			break;
	for (size_t i = 0; it && i < r->nfields; i++)
		if (replica_together(r, r->fields[i].name))
			cJSON_AddItemToArray(names, cJSON_CreateString(r->fields[i].name));
	c = row_change(s, r, rows[g].gid, names, e);
	cJSON_Delete(names);
	return c;
}

/* A change names itself by its content: the row and the versions of its
 * fields (FNV-1a), so sending it again stores nothing new, while any newer
 * edit makes a new one. */
static char *change_id(const char *gid, const cJSON *c, bool del)
{
	char *v = cJSON_PrintUnformatted(cJSON_GetObjectItemCaseSensitive(c, "vers"));
	unsigned long long h = 14695981039346656037ULL;
	char *id;

	for (const unsigned char *p = (const unsigned char *)v; p && *p; p++)
		h = (h ^ *p) * 1099511628211ULL;
	h = (h ^ (del ? 'd' : 'p')) * 1099511628211ULL;
	free(v);
	id = xasprintf("%s:%016llx", gid, h);
	return id;
}

bool replica_calendar_entity(const char *entity)
{
	return entity && (!strcmp(entity, "calendar") || !strcmp(entity, "event"));
}

int replica_calendar_syncs(struct store *s, const char *user, bool *yes, struct err *e)
{
	struct user first;

	*yes = true;
	if (!user)
		return 0;
	if (user_first(s, &first, e) < 0)
		return -1;
	*yes = !strcmp(first.name, user);
	user_release(&first);
	return 0;
}

long replica_drop_calendar(struct cJSON *changes)
{
	cJSON *c = changes ? changes->child : NULL, *next;
	long n = 0;

	for (; c; c = next) {
		const cJSON *entity = cJSON_GetObjectItemCaseSensitive(c, "entity");

		next = c->next;
		if (cJSON_IsString(entity) && replica_calendar_entity(entity->valuestring)) {
			cJSON_Delete(cJSON_DetachItemViaPointer(changes, c));
			n++;
		}
	}
	return n;
}

int replica_next(struct store *s, const char *user, long long after, size_t limit,
		 struct replica_batch *b, struct err *e)
{
	struct rcache cache = { .s = s };
	struct obrow *rows;
	size_t n, cap = 0;
	bool calendar;

	memset(b, 0, sizeof(*b));
	b->changes = cJSON_CreateArray();
	b->last = after;
	if (replica_calendar_syncs(s, user, &calendar, e) < 0)
		return -1;
	if (store_begin(s, e) < 0)
		return -1;
	/* a clock an older version moved far ahead comes back first */
	if (store_exec(s, SQ_HLC_HEAL, e) < 0 || replica_fold(s, &cache, e) < 0) {
		rcache_release(&cache);
		store_rollback(s);
		return -1;
	}
	rcache_release(&cache);
	if (store_commit(s, e) < 0 || read_outbox(s, after, limit, &rows, &n, e) < 0)
		return -1;
	for (size_t g = 0; g < n; g++) {
		char *id;
		cJSON *c;
		bool take, del;

		b->last = rows[g].id;
		if (rows[g].group != (int)g)
			continue;
		err_clear(e);
		c = group_change(&cache, user, calendar, rows, n, g, &take, &del, e);
		if (!c && e->code) {
			rcache_release(&cache);
			free_rows(rows, n);
			return -1;
		}
		for (size_t i = g; take && i < n; i++)
			if (rows[i].group == (int)g)
				add_id(b, rows[i].id, &cap);
		/* nothing synced changed (a key_secret: each device's own) */
		if (c && !del && !cJSON_GetObjectItemCaseSensitive(c, "data")->child) {
			cJSON_Delete(c);
			c = NULL;
		}
		if (!c)
			continue;
		id = change_id(rows[g].gid, c, del);
		cJSON_AddStringToObject(c, "id", id);
		free(id);
		cJSON_AddStringToObject(c, "entity", rows[g].entity);
		cJSON_AddStringToObject(c, "gid", rows[g].gid);
		cJSON_AddBoolToObject(c, "deleted", del);
		cJSON_AddItemToArray(b->changes, c);
	}
	rcache_release(&cache);
	free_rows(rows, n);
	return 0;
}

int replica_pushed(struct store *s, const struct replica_batch *b, struct err *e)
{
	sqlite3_stmt *st;
	int rc = SQLITE_DONE;

	if (!b->nids)
		return 0;
	if (store_begin(s, e) < 0)
		return -1;
	st = store_prepare(s, "DELETE FROM outbox WHERE id = ?", e);
	if (!st) {
		store_rollback(s);
		return -1;
	}
	for (size_t i = 0; i < b->nids && rc == SQLITE_DONE; i++) {
		sqlite3_reset(st);
		sqlite3_bind_int64(st, 1, b->ids[i]);
		rc = sqlite3_step(st);
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		store_error(s, e, "sync: outbox");
		store_rollback(s);
		return -1;
	}
	return store_commit(s, e);
}
