/*
 * replica-apply.c - changes pulled from the server into the store, field
 * by field (the rule is in replica.h).  Everything runs in one transaction
 * with sync_self.applying set, so the capture triggers stay quiet: what
 * comes from the server does not go back to it.
 */
#include "assistant.h"
#include "conversation.h"
#include "event-int.h"
#include "job.h"
#include "replica-int.h"
#include "schema-sync.h"
#include "task.h"
#include "user.h"
#include "utf8.h"
#include "xalloc.h"

#include <cjson/cJSON.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* What one change is about, checked. */
struct change {
	const struct rentity *r;
	char *gid; /* canonical */
	bool deleted;
	const cJSON *data, *vers, *base;
	const char *device; /* writer's device id */
	const char *who;    /* writer's name for people, or its id */
};

/* The row as this store knows it. */
struct local {
	long long id;	     /* 0: no row */
	cJSON *vers;	     /* sync_obj.vers (an object, never NULL) */
	bool known, deleted; /* sync_obj row exists; tombstone */
};

struct applier {
	struct store *s;
	char device[40];
	time_t now;
	unsigned long long max_hlc;
	unsigned long long hlc_limit; /* a version's clock beyond it is not followed */
	struct replica_stats *st;
	/* the change applied now cleared a key (counted once it stays) */
	bool dropped;
	char keyless[sizeof(((struct replica_stats *)0)->keyless)];
	struct rcache cache; /* a pull of thousands prepares each kind once */
};

static sqlite3_stmt *prep(struct applier *a, const char *sql, struct err *e)
{
	return rcache_prep(&a->cache, sql, e);
}

/* Step st once: 1 a row (read it, then reset), 0 done, -1 error. */
static int step(struct applier *a, sqlite3_stmt *st, struct err *e)
{
	int rc;

	if (!st)
		return -1;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		return 1;
	if (rc == SQLITE_DONE) {
		sqlite3_reset(st);
		return 0;
	}
	store_error(a->s, e, "sync");
	sqlite3_reset(st);
	return -1;
}

/* Run a statement without rows. */
static int run(struct applier *a, sqlite3_stmt *st, struct err *e)
{
	int rc = step(a, st, e);

	if (rc > 0)
		sqlite3_reset(st);
	return rc < 0 ? -1 : 0;
}

/* The gid an alias stands for (gid itself when none), newly allocated. */
static char *canon(struct applier *a, const char *gid, struct err *e)
{
	sqlite3_stmt *st = prep(a, "SELECT canon FROM sync_alias WHERE gid = ?", e);
	char *out = NULL;

	if (st) {
		store_bind_text(st, 1, gid);
		if (step(a, st, e) > 0) {
			out = store_col_text(st, 0);
			sqlite3_reset(st);
		}
	}
	return out ? out : xstrdup(gid);
}

/* The local id of the row of r named gid (aliases followed), 0: none. */
static int local_id(struct applier *a, const struct rentity *r, const char *gid, long long *id,
		    struct err *e)
{
	char sql[128], *c = canon(a, gid, e);
	sqlite3_stmt *st;
	int rc = -1;

	*id = 0;
	snprintf(sql, sizeof(sql), "SELECT id FROM %s WHERE gid = ?", r->table);
	st = prep(a, sql, e);
	if (st) {
		store_bind_text(st, 1, c);
		rc = step(a, st, e);
		if (rc > 0) {
			*id = sqlite3_column_int64(st, 0);
			sqlite3_reset(st);
		}
	}
	free(c);
	return rc < 0 ? -1 : 0;
}

/* Why a change was refused: -2 with the reason in e. */
#define REJECT (-2)

static int reject(struct err *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int reject(struct err *e, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	err_vset(e, ERR_USAGE, fmt, ap);
	va_end(ap);
	return REJECT;
}

static bool valid_device(const char *d)
{
	size_t n = d ? strlen(d) : 0;

	if (n < 1 || n > 32)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!((d[i] >= '0' && d[i] <= '9') || (d[i] >= 'a' && d[i] <= 'f')))
			return false;
	return true;
}

/* Text from another device is shown on terminals: no control character
 * but tab and newline (C0, DEL, C1), and with crlf the CR of a CR LF. */
static bool safe_text(const char *s, bool crlf)
{
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (crlf && p[0] == '\r' && p[1] == '\n')
			continue;
		if ((*p < 0x20 && *p != '\t' && *p != '\n') || *p == 0x7f)
			return false;
		if (*p == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f)
			return false;
	}
	return true;
}

/* The same inside JSON held in a text field (a reminder's payload...). */
static bool safe_json(const cJSON *v)
{
	const cJSON *it;

	if (cJSON_IsString(v))
		return safe_text(v->valuestring, false);
	cJSON_ArrayForEach(it, v)
		if ((it->string && !safe_text(it->string, false)) || !safe_json(it))
			return false;
	return true;
}

static bool safe_value(const char *s)
{
	cJSON *j;
	bool ok;

	if (!safe_text(s, false))
		return false;
	if (*s != '{' && *s != '[')
		return true;
	j = cJSON_Parse(s);
	ok = !j || safe_json(j);
	cJSON_Delete(j);
	return ok;
}

/* Drop from v's strings and keys the control characters safe_json
 * refuses; whether there were any. */
static bool clean_json(cJSON *v)
{
	bool changed = false;
	cJSON *it;

	if (cJSON_IsString(v) && !safe_text(v->valuestring, false)) {
		utf8_drop_controls(v->valuestring);
		return true;
	}
	cJSON_ArrayForEach(it, v) {
		if (it->string && !safe_text(it->string, false)) {
			utf8_drop_controls(it->string);
			changed = true;
		}
		changed |= clean_json(it);
	}
	return changed;
}

char *replica_clean_text(const char *s)
{
	const char *rest = NULL;
	char *out, *json, *joined;
	cJSON *j;

	if (!s)
		return NULL;
	out = xstrdup(s);
	utf8_drop_controls(out);
	if (*out != '{' && *out != '[')
		return out;
	/* as safe_value parses it: the JSON at the start, text may follow */
	j = cJSON_ParseWithOpts(out, &rest, false);
	if (j && clean_json(j)) {
		json = cJSON_PrintUnformatted(j);
		joined = xasprintf("%s%s", json, rest);
		free(json);
		free(out);
		out = joined;
	}
	cJSON_Delete(j);
	return out;
}

/* A number a 64-bit integer holds exactly (checked before the cast: 2^63
 * is not one). */
static bool is_int(const cJSON *v)
{
	return cJSON_IsNumber(v) && v->valuedouble >= -9223372036854775808.0 &&
	       v->valuedouble < 9223372036854775808.0 &&
	       v->valuedouble == (double)(long long)v->valuedouble;
}

/* An event's overrides: objects with their times (write_overrides). */
static bool good_overrides(const cJSON *arr)
{
	const cJSON *o;

	cJSON_ArrayForEach(o, arr)
		if (!is_int(cJSON_GetObjectItemCaseSensitive(o, "recurrence_id")) ||
		    !is_int(cJSON_GetObjectItemCaseSensitive(o, "start")) ||
		    !is_int(cJSON_GetObjectItemCaseSensitive(o, "end")))
			return false;
	return true;
}

static int check_value(const struct rfield *f, const cJSON *v, struct err *e)
{
	bool ok;

	if (cJSON_IsNull(v))
		return 0;
	switch (f->type) {
	case RT_TEXT:
		ok = cJSON_IsString(v);
		/* an event's alarms are iCalendar text: lines end in CR LF */
		if (ok && !(strcmp(f->name, "alarms") ? safe_value(v->valuestring)
						      : safe_text(v->valuestring, true)))
			return reject(e, "field '%s' holds control characters", f->name);
		break;
	case RT_INT: ok = is_int(v); break;
	case RT_REAL: ok = cJSON_IsNumber(v); break;
	case RT_REF: ok = cJSON_IsString(v) && replica_valid_gid(v->valuestring); break;
	default:
		ok = cJSON_IsArray(v);
		if (ok && !safe_json(v))
			return reject(e, "field '%s' holds control characters", f->name);
		if (ok && !good_overrides(v))
			return reject(e, "%s", "an override lacks its times");
		break;
	}
	return ok ? 0 : reject(e, "field '%s' has a value of the wrong type", f->name);
}

/* Check the shape of c and fill ch (gid not yet canonical). */
static int check_change(const cJSON *c, struct change *ch, struct err *e)
{
	const cJSON *ent = cJSON_GetObjectItemCaseSensitive(c, "entity");
	const cJSON *gid = cJSON_GetObjectItemCaseSensitive(c, "gid");
	const cJSON *del = cJSON_GetObjectItemCaseSensitive(c, "deleted");
	const cJSON *dev = cJSON_GetObjectItemCaseSensitive(c, "device");
	const cJSON *name = cJSON_GetObjectItemCaseSensitive(c, "device_name");
	const char *what = cJSON_IsString(ent) ? ent->valuestring : "?";
	const cJSON *it;

	memset(ch, 0, sizeof(*ch));
	if (!cJSON_IsObject(c))
		return reject(e, "%s", "a change is not an object");
	ch->r = cJSON_IsString(ent) ? replica_entity(ent->valuestring) : NULL;
	if (!ch->r)
		return reject(e, "unknown entity \"%.*s\"", utf8_prec(what, 40), what);
	if (!cJSON_IsString(gid) || !replica_valid_gid(gid->valuestring))
		return reject(e, "%s", "a change has no valid gid");
	if (!cJSON_IsString(dev) || !valid_device(dev->valuestring))
		return reject(e, "%s", "a change has no valid device");
	ch->device = dev->valuestring;
	ch->who = cJSON_IsString(name) && *name->valuestring ? name->valuestring : ch->device;
	ch->deleted = cJSON_IsTrue(del);
	ch->data = cJSON_GetObjectItemCaseSensitive(c, "data");
	ch->vers = cJSON_GetObjectItemCaseSensitive(c, "vers");
	ch->base = cJSON_GetObjectItemCaseSensitive(c, "base");
	if (!cJSON_IsObject(ch->data) || !cJSON_IsObject(ch->vers) ||
	    (ch->base && !cJSON_IsObject(ch->base)))
		return reject(e, "%s", "a change lacks its data or versions");
	cJSON_ArrayForEach(it, ch->vers)
		if (!cJSON_IsString(it) || !replica_valid_version(it->valuestring) ||
		    replica_version_clock(it->valuestring) >= REPLICA_CLOCK_END)
			return reject(e, "field '%.*s' has a bad version",
				      utf8_prec(it->string, 40), it->string);
	cJSON_ArrayForEach(it, ch->data) {
		const struct rfield *f = replica_field(ch->r, it->string);

		if (f && check_value(f, it, e) < 0)
			return REJECT;
	}
	ch->gid = xstrdup(gid->valuestring);
	return 0;
}

static void local_release(struct local *l)
{
	cJSON_Delete(l->vers);
	memset(l, 0, sizeof(*l));
}

static int load_local(struct applier *a, const struct change *ch, struct local *l, struct err *e)
{
	sqlite3_stmt *st = prep(a, "SELECT vers, deleted FROM sync_obj WHERE gid = ?", e);
	int rc;

	memset(l, 0, sizeof(*l));
	if (!st)
		return -1;
	store_bind_text(st, 1, ch->gid);
	rc = step(a, st, e);
	if (rc < 0)
		return -1;
	if (rc > 0) {
		l->known = true;
		l->vers = cJSON_Parse((const char *)sqlite3_column_text(st, 0));
		l->deleted = sqlite3_column_int(st, 1) != 0;
		sqlite3_reset(st);
	}
	if (!l->vers)
		l->vers = cJSON_CreateObject();
	return local_id(a, ch->r, ch->gid, &l->id, e);
}

/* Row gone of r becomes row keep: what names it follows, then it goes. */
static int drop_into(struct applier *a, const struct rentity *r, long long gone, long long keep,
		     struct err *e)
{
	int rc = 0;

	for (size_t i = 0; rc == 0 && i < replica_nentities; i++)
		for (size_t j = 0; rc == 0 && j < replica_entities[i].nfields; j++) {
			const struct rfield *f = &replica_entities[i].fields[j];
			char *q;

			if (f->type != RT_REF || strcmp(f->ref, r->entity) != 0)
				continue;
			q = sqlite3_mprintf("UPDATE %s SET \"%s\" = %lld WHERE \"%s\" = %lld",
					    replica_entities[i].table, f->name, keep, f->name,
					    gone);
			rc = store_exec(a->s, q, e);
			sqlite3_free(q);
		}
	if (rc == 0) {
		char *q = sqlite3_mprintf("DELETE FROM %s WHERE id = %lld", r->table, gone);

		rc = store_exec(a->s, q, e);
		sqlite3_free(q);
	}
	return rc;
}

/* Rows made apart with the same natural key are one: the smaller gid names
 * it, on every device.  A change giving a row a UID another row holds (a
 * task's uid sent once a store's capture learnt it) merges the two rows;
 * a name given to a row is left to the unique index.  ch->gid becomes the
 * one kept; l is reloaded. */
static int merge_natural(struct applier *a, struct change *ch, struct local *l, struct err *e)
{
	const char *natural = ch->r->natural;
	const cJSON *k;
	sqlite3_stmt *st;
	char sql[192], *other = NULL, *keep, *gone;
	long long other_id = 0, gone_id, keep_id;
	int rc;

	if (!natural)
		return 0;
	k = cJSON_GetObjectItemCaseSensitive(ch->data, natural);
	if (!cJSON_IsString(k) || (l->id && strcmp(natural, "uid") != 0))
		return 0;
	snprintf(sql, sizeof(sql),
		 "SELECT gid, id FROM %s WHERE \"%s\" = ? AND gid IS NOT NULL AND id IS NOT ?",
		 ch->r->table, natural);
	st = prep(a, sql, e);
	if (!st)
		return -1;
	store_bind_text(st, 1, k->valuestring);
	sqlite3_bind_int64(st, 2, l->id);
	rc = step(a, st, e);
	if (rc < 0)
		return -1;
	if (rc > 0) {
		other = store_col_text(st, 0);
		other_id = sqlite3_column_int64(st, 1);
		sqlite3_reset(st);
	}
	if (!other || !strcmp(other, ch->gid)) {
		free(other);
		return 0;
	}
	keep = strcmp(other, ch->gid) < 0 ? other : ch->gid;
	gone = keep == other ? ch->gid : other;
	keep_id = keep == other ? other_id : l->id;
	gone_id = keep == other ? l->id : other_id;
	rc = 0;
	if (gone_id && keep_id)
		rc = drop_into(a, ch->r, gone_id, keep_id, e);
	else if (gone_id) {
		/* ours moves to theirs' gid */
		char *q = sqlite3_mprintf("UPDATE %s SET gid = %Q WHERE id = %lld", ch->r->table,
					  keep, gone_id);

		rc = store_exec(a->s, q, e);
		sqlite3_free(q);
	}
	if (rc == 0) {
		/* the gid gone names the one kept, pending changes too */
		char *q = sqlite3_mprintf(
			"INSERT INTO sync_obj(gid, entity, vers, base, deleted) SELECT %Q, entity,"
			" vers, base, deleted FROM sync_obj WHERE gid = %Q ON CONFLICT(gid) DO "
			"NOTHING;"
			"DELETE FROM sync_obj WHERE gid = %Q;"
			"UPDATE outbox SET payload = json_set(payload, '$.gid', %Q)"
			" WHERE json_extract(payload, '$.gid') = %Q;"
			"UPDATE sync_alias SET canon = %Q WHERE canon = %Q;"
			"INSERT OR REPLACE INTO sync_alias(gid, canon) VALUES (%Q, %Q);",
			keep, gone, gone, keep, gone, keep, gone, gone, keep);

		rc = store_exec(a->s, q, e);
		sqlite3_free(q);
	}
	if (keep == other) {
		free(ch->gid);
		ch->gid = other;
	} else {
		free(other);
	}
	if (rc < 0)
		return -1;
	local_release(l);
	return load_local(a, ch, l, e);
}

/* The value of field f of local row id, as JSON (NULL on error). */
static cJSON *local_value(struct applier *a, const struct rentity *r, const struct rfield *f,
			  long long id)
{
	char *x = replica_field_expr(f),
	     *sql = xasprintf("SELECT %s FROM %s AS T WHERE id = ?", x, r->table);
	sqlite3_stmt *st = prep(a, sql, NULL);
	cJSON *v = NULL;

	free(x);
	free(sql);
	if (!st)
		return NULL;
	sqlite3_bind_int64(st, 1, id);
	if (step(a, st, NULL) > 0) {
		v = replica_column_json(st, 0, f);
		sqlite3_reset(st);
	}
	return v;
}

static int record_conflict(struct applier *a, const struct change *ch, const char *field,
			   const cJSON *mine, const cJSON *theirs, const char *my_ver,
			   const char *their_ver, struct err *e)
{
	sqlite3_stmt *st = prep(a,
				"INSERT INTO sync_conflicts(at, entity, gid, field, mine,"
				" theirs, my_ver, their_ver, device)"
				" VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
				e);
	char *m = mine ? cJSON_PrintUnformatted(mine) : NULL;
	char *t = theirs ? cJSON_PrintUnformatted(theirs) : NULL;

	if (st) {
		sqlite3_bind_int64(st, 1, (sqlite3_int64)a->now);
		store_bind_text(st, 2, ch->r->entity);
		store_bind_text(st, 3, ch->gid);
		store_bind_text(st, 4, field);
		store_bind_text(st, 5, m);
		store_bind_text(st, 6, t);
		store_bind_text(st, 7, my_ver);
		store_bind_text(st, 8, their_ver);
		store_bind_text(st, 9, ch->who);
	}
	free(m);
	free(t);
	a->st->conflicts++;
	return run(a, st, e);
}

/* Whether version v was stamped here and the writer of ch had not seen it. */
static bool unseen_edit(const struct applier *a, const struct change *ch, const char *field,
			const char *v)
{
	const cJSON *b = cJSON_GetObjectItemCaseSensitive(ch->base, field);

	if (!v || strcmp(v + 17, a->device) != 0 || !strncmp(v, REPLICA_SEED_HLC, 16))
		return false;
	return !cJSON_IsString(b) || strcmp(b->valuestring, v) != 0;
}

static int save_versions(struct applier *a, const struct change *ch, const struct local *l,
			 bool deleted, struct err *e)
{
	char *v = cJSON_PrintUnformatted(l->vers);
	sqlite3_stmt *st = prep(a,
				"INSERT INTO sync_obj(gid, entity, vers, deleted)"
				" VALUES (?1, ?2, ?3, ?4) ON CONFLICT(gid) DO UPDATE SET"
				" vers = ?3, deleted = deleted OR ?4",
				e);

	if (st) {
		store_bind_text(st, 1, ch->gid);
		store_bind_text(st, 2, ch->r->entity);
		store_bind_text(st, 3, v);
		sqlite3_bind_int(st, 4, deleted);
	}
	free(v);
	return run(a, st, e);
}

/* The index of field name of ch's entity when it is one of the fields
 * checked together (replica_together), else -1. */
static int together_index(const struct change *ch, const char *name)
{
	for (size_t i = 0; i < ch->r->nfields; i++)
		if (!strcmp(ch->r->fields[i].name, name))
			return replica_together(ch->r, name) ? (int)i : -1;
	return -1;
}

/* Keep the greater version of each field in l->vers; of the fields
 * checked together, only those taken (taken NULL: a tombstone, all of
 * them) come, with their own versions: the versions describe the values
 * the row holds. */
static void merge_versions(struct local *l, const struct change *ch, const bool *taken)
{
	const cJSON *it;

	cJSON_ArrayForEach(it, ch->vers) {
		const cJSON *cur = cJSON_GetObjectItemCaseSensitive(l->vers, it->string);
		int g = taken ? together_index(ch, it->string) : -1;

		if (g >= 0 && !taken[g])
			continue;
		if (g < 0 && cJSON_IsString(cur) && strcmp(cur->valuestring, it->valuestring) >= 0)
			continue;
		cJSON_DeleteItemFromObjectCaseSensitive(l->vers, it->string);
		cJSON_AddStringToObject(l->vers, it->string, it->valuestring);
	}
}

static int apply_delete(struct applier *a, const struct change *ch, struct local *l, struct err *e)
{
	const cJSON *it;
	bool lost = false;

	if (l->id) {
		char sql[96];
		sqlite3_stmt *st;

		cJSON_ArrayForEach(it, l->vers)
			lost |= cJSON_IsString(it) &&
				unseen_edit(a, ch, it->string, it->valuestring);
		if (lost && record_conflict(a, ch, "(deleted)", NULL, NULL, NULL, NULL, e) < 0)
			return -1;
		snprintf(sql, sizeof(sql), "DELETE FROM %s WHERE id = ?", ch->r->table);
		st = prep(a, sql, e);
		if (st)
			sqlite3_bind_int64(st, 1, l->id);
		if (run(a, st, e) < 0)
			return -1;
	}
	merge_versions(l, ch, NULL);
	return save_versions(a, ch, l, true, e);
}

/* Bind value v of field f at idx (a reference as the local id it names). */
static int bind_value(struct applier *a, sqlite3_stmt *st, int idx, const struct rfield *f,
		      const cJSON *v, struct err *e)
{
	long long id;

	if (cJSON_IsNull(v) || !v) {
		sqlite3_bind_null(st, idx);
		return 0;
	}
	switch (f->type) {
	case RT_TEXT: store_bind_text(st, idx, v->valuestring); return 0;
	case RT_INT: sqlite3_bind_int64(st, idx, (sqlite3_int64)v->valuedouble); return 0;
	case RT_REAL: sqlite3_bind_double(st, idx, v->valuedouble); return 0;
	case RT_REF:
		if (local_id(a, replica_entity(f->ref), v->valuestring, &id, e) < 0)
			return -1;
		if (id)
			sqlite3_bind_int64(st, idx, id);
		else if (f->def)
			sqlite3_bind_int64(st, idx, strtoll(f->def, NULL, 10));
		else
			sqlite3_bind_null(st, idx);
		return 0;
	default: sqlite3_bind_null(st, idx); return 0;
	}
}

static int write_overrides(struct applier *a, long long event, const cJSON *arr, struct err *e)
{
	sqlite3_stmt *st = prep(a, "DELETE FROM event_overrides WHERE event_id = ?", e);
	const cJSON *o;

	if (st)
		sqlite3_bind_int64(st, 1, event);
	if (run(a, st, e) < 0)
		return -1;
	cJSON_ArrayForEach(o, arr) {
		static const char *const text[] = { "summary", "description", "location", "tzid" };
		const cJSON *rid = cJSON_GetObjectItemCaseSensitive(o, "recurrence_id");
		const cJSON *start = cJSON_GetObjectItemCaseSensitive(o, "start");
		const cJSON *end = cJSON_GetObjectItemCaseSensitive(o, "end");
		const cJSON *declined = cJSON_GetObjectItemCaseSensitive(o, "declined");

		if (!is_int(rid) || !is_int(start) || !is_int(end))
			return reject(e, "%s", "an override lacks its times");
		st = prep(a,
			  "INSERT INTO event_overrides(event_id, recurrence_id, start, \"end\","
			  " summary, description, location, tzid, declined)"
			  " VALUES (?,?,?,?,?,?,?,?,?)",
			  e);
		if (!st)
			return -1;
		sqlite3_bind_int64(st, 1, event);
		sqlite3_bind_int64(st, 2, (sqlite3_int64)rid->valuedouble);
		sqlite3_bind_int64(st, 3, (sqlite3_int64)start->valuedouble);
		sqlite3_bind_int64(st, 4, (sqlite3_int64)end->valuedouble);
		for (int i = 0; i < 4; i++) {
			const cJSON *t = cJSON_GetObjectItemCaseSensitive(o, text[i]);

			store_bind_text(st, 5 + i, cJSON_IsString(t) ? t->valuestring : NULL);
		}
		/* a peer older than migration 30 sends none: not declined */
		sqlite3_bind_int(st, 9, is_int(declined) && declined->valuedouble != 0);
		if (run(a, st, e) < 0)
			return -1;
	}
	return 0;
}

/* INSERT or UPDATE the row with the fields taken (taken[i] for r->fields[i]). */
static int write_row(struct applier *a, const struct change *ch, struct local *l, const bool *taken,
		     struct err *e)
{
	const struct rentity *r = ch->r;
	char *sql = l->id ? xasprintf("UPDATE %s SET gid = gid", r->table)
			  : xasprintf("INSERT INTO %s(gid", r->table);
	char *vals = xstrdup("?");
	sqlite3_stmt *st;
	int idx = 1;

	for (size_t i = 0; i < r->nfields; i++) {
		const struct rfield *f = &r->fields[i];
		char *more, *v;

		if (f->type == RT_KIDS || (l->id && !taken[i]))
			continue;
		if (l->id) {
			more = xasprintf("%s, \"%s\" = ?", sql, f->name);
		} else {
			more = xasprintf("%s, \"%s\"", sql, f->name);
			v = xasprintf("%s, %s", vals,
				      taken[i]		       ? "?"
				      : !f->def		       ? "NULL"
				      : !strcmp(f->def, "gid") ? "?1"
							       : f->def);
			free(vals);
			vals = v;
		}
		free(sql);
		sql = more;
	}
	{
		char *full = l->id ? xasprintf("%s WHERE id = ?", sql)
				   : xasprintf("%s) VALUES (%s)", sql, vals);

		free(sql);
		sql = full;
	}
	free(vals);
	st = prep(a, sql, e);
	free(sql);
	if (!st)
		return -1;
	if (!l->id)
		store_bind_text(st, idx++, ch->gid);
	for (size_t i = 0; i < r->nfields; i++) {
		const struct rfield *f = &r->fields[i];

		if (f->type == RT_KIDS || !taken[i])
			continue;
		if (bind_value(a, st, idx++, f, cJSON_GetObjectItemCaseSensitive(ch->data, f->name),
			       e) < 0)
			return -1;
	}
	if (l->id)
		sqlite3_bind_int64(st, idx, l->id);
	if (run(a, st, e) < 0)
		return -1;
	if (!l->id)
		l->id = sqlite3_last_insert_rowid(a->s->db);
	/* An event's reach follows the start and until it now has (event.c
	 * writes both at once; a change may bring one alone). */
	if (!strcmp(r->table, "events") && event_reach_update(a->s, l->id, e) < 0)
		return -1;
	for (size_t i = 0; i < r->nfields; i++) {
		int rc;

		if (r->fields[i].type != RT_KIDS || !taken[i])
			continue;
		rc = write_overrides(
			a, l->id, cJSON_GetObjectItemCaseSensitive(ch->data, r->fields[i].name), e);
		if (rc < 0)
			return rc; /* REJECT stays one: the other changes go on */
	}
	return 0;
}

/* Which secret an assistant sends is this device's choice (key_secret is
 * not synced): one whose address a change moves sends none until someone
 * names one here.  Whether the change of ch moves the address of local
 * row id (taken[i] for its fields): 1 yes, 0 no, -1 error. */
static int moves_assistant(struct applier *a, const struct change *ch, long long id,
			   const bool *taken, struct err *e)
{
	sqlite3_stmt *st;
	const cJSON *url;
	int rc;

	if (!id || strcmp(ch->r->entity, "assistant") != 0)
		return 0;
	for (size_t i = 0; i < ch->r->nfields; i++)
		if (taken[i] && !strcmp(ch->r->fields[i].name, "base_url"))
			goto moved;
	return 0;
moved:
	url = cJSON_GetObjectItemCaseSensitive(ch->data, "base_url");
	st = prep(a,
		  "SELECT 1 FROM assistants WHERE id = ? AND key_secret IS NOT NULL"
		  " AND base_url IS NOT ?",
		  e);
	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, id);
	store_bind_text(st, 2, cJSON_IsString(url) ? url->valuestring : NULL);
	rc = step(a, st, e);
	if (rc > 0)
		sqlite3_reset(st);
	return rc;
}

/* Clear the key_secret of assistant id, noting its name (a->dropped). */
static int drop_key(struct applier *a, long long id, struct err *e)
{
	sqlite3_stmt *st = prep(a, "UPDATE assistants SET key_secret = NULL WHERE id = ?", e);

	if (st)
		sqlite3_bind_int64(st, 1, id);
	if (run(a, st, e) < 0)
		return -1;
	st = prep(a, "SELECT name FROM assistants WHERE id = ?", e);
	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, id);
	if (step(a, st, e) > 0) {
		const char *n = (const char *)sqlite3_column_text(st, 0);

		a->dropped = true;
		snprintf(a->keyless, sizeof(a->keyless), "%.*s", utf8_prec(n ? n : "", 80),
			 n ? n : "");
		sqlite3_reset(st);
	}
	return 0;
}

/* Whether the row id of ch, as the change leaves it, passes what a write
 * here must (event_check_fields: an event's zone need not open here,
 * task_check, job_check_stored, user_check, assistant_check, a calendar's
 * name, a conversation's title, a message's texts): 0, REJECT, -1
 * database error. */
static int check_row(struct applier *a, const struct change *ch, long long id, struct err *e)
{
	static const struct {
		const char *entity;
		int (*check)(struct store *s, long long id, struct err *e);
	} stored[] = {
		{ "user", user_check_stored },
		{ "calendar", event_check_calendar_stored },
		{ "assistant", assistant_check_stored },
		{ "conversation", conversation_check_stored },
		{ "message", message_check_stored },
		{ "job", job_check_stored },
	};
	const char *what = ch->r->entity;
	int rc = 0;

	if (!strcmp(what, "event")) {
		struct event ev;

		rc = event_get(a->s, id, &ev, e);
		if (rc == 0) {
			rc = event_check_fields(&ev, e) < 0 ? REJECT : 0;
			event_release(&ev);
		}
	} else if (!strcmp(what, "task")) {
		struct task t;

		rc = task_get(a->s, id, &t, e);
		if (rc == 0) {
			rc = task_check(&t, e) < 0 ? REJECT : 0;
			task_release(&t);
		}
	}
	for (size_t i = 0; i < sizeof(stored) / sizeof(stored[0]); i++)
		if (!strcmp(what, stored[i].entity)) {
			rc = stored[i].check(a->s, id, e);
			if (rc < 0 && e->code == ERR_USAGE)
				rc = REJECT;
		}
	if (rc == -1 && e->code == ERR_NOTFOUND) {
		err_clear(e);
		rc = 0;
	}
	if (rc == REJECT)
		err_prefix(e, "%s", what);
	return rc;
}

/* Write the fields taken into the row and check it: 0, REJECT, -1. */
static int write_once(struct applier *a, const struct change *ch, struct local *l,
		      const bool *taken, struct err *e)
{
	int rc, rekey = moves_assistant(a, ch, l->id, taken, e);

	if (rekey < 0)
		return -1;
	rc = write_row(a, ch, l, taken, e);
	if (rc == 0 && rekey)
		rc = drop_key(a, l->id, e);
	return rc == 0 ? check_row(a, ch, l->id, e) : rc;
}

/* The latest version of the fields checked together (replica_together)
 * here (*mine) and in the change (*theirs: of those it carries a value
 * of); how many of them the change carries and how many there are. */
static void together_versions(const struct change *ch, const struct local *l, const char **mine,
			      const char **theirs, size_t *carried, size_t *all)
{
	*mine = *theirs = NULL;
	*carried = *all = 0;
	for (size_t i = 0; i < ch->r->nfields; i++) {
		const char *n = ch->r->fields[i].name;
		const cJSON *lv = cJSON_GetObjectItemCaseSensitive(l->vers, n);
		const cJSON *rv = cJSON_GetObjectItemCaseSensitive(ch->vers, n);

		if (!replica_together(ch->r, n))
			continue;
		(*all)++;
		if (cJSON_IsString(lv) && (!*mine || strcmp(lv->valuestring, *mine) > 0))
			*mine = lv->valuestring;
		if (!cJSON_IsString(rv) || !cJSON_GetObjectItemCaseSensitive(ch->data, n))
			continue;
		(*carried)++;
		if (!*theirs || strcmp(rv->valuestring, *theirs) > 0)
			*theirs = rv->valuestring;
	}
}

/* The fields checked together are one value whose version is the latest
 * of theirs: a change that carries all of them (as every change since
 * they travel together does) gives them all, values and versions, when
 * its version of them is the later one, else none: the latest such
 * change wins on every device whatever the order it sees them in.
 * -1 when the change does not carry them all: a change of an older
 * version carries only the one it changed, merged field by field and,
 * when that makes a row a write here refuses, by take_together; a fleet
 * that still has such a device can settle that edit differently on two
 * devices.  Else whether it takes them (1) or not (0). */
static int together_wins(const struct change *ch, const struct local *l)
{
	const char *mine, *theirs;
	size_t carried, all;

	together_versions(ch, l, &mine, &theirs, &carried, &all);
	if (!all || carried < all)
		return -1;
	return !mine || strcmp(theirs, mine) > 0;
}

/* The fields checked together (replica_together) of which one is taken
 * go all to the side whose latest version of them is the latest: all
 * those the change carries (taken), or none.  Whether there were such
 * fields. */
static bool take_together(const struct change *ch, const struct local *l, bool *taken)
{
	const char *mine, *theirs;
	size_t carried, all;
	bool any = false;

	together_versions(ch, l, &mine, &theirs, &carried, &all);
	for (size_t i = 0; i < ch->r->nfields; i++)
		if (replica_together(ch->r, ch->r->fields[i].name))
			any |= taken[i];
	if (!any || !theirs)
		return false;
	for (size_t i = 0; i < ch->r->nfields; i++) {
		const char *n = ch->r->fields[i].name;

		if (replica_together(ch->r, n))
			taken[i] = (!mine || strcmp(theirs, mine) > 0) &&
				   cJSON_IsString(cJSON_GetObjectItemCaseSensitive(ch->vers, n)) &&
				   cJSON_GetObjectItemCaseSensitive(ch->data, n);
	}
	return true;
}

/* write_once(); when the fields merged one by one make a row a write here
 * refuses (an end moved on one device, the whole event on another), the
 * row is written again with the fields checked together from one side
 * (take_together), rather than each device refusing the other's change. */
static int write_checked(struct applier *a, const struct change *ch, struct local *l, bool *taken,
			 struct err *e)
{
	int rc;

	if (!l->id)
		return write_once(a, ch, l, taken, e);
	if (store_exec(a->s, "SAVEPOINT merge", e) < 0)
		return -1;
	rc = write_once(a, ch, l, taken, e);
	if (rc == REJECT && take_together(ch, l, taken)) {
		if (store_exec(a->s, "ROLLBACK TO merge", e) < 0)
			return -1;
		err_clear(e);
		rc = write_once(a, ch, l, taken, e);
	}
	/* on an error, the change's own savepoint goes back over this one */
	return rc == 0 ? store_exec(a->s, "RELEASE merge", e) : rc;
}

/* 1 applied, 0 nothing new, REJECT, -1 database error. */
static int apply_one(struct applier *a, const cJSON *c, struct err *e)
{
	struct change ch;
	struct local l;
	bool taken[32] = { false }, any = false;
	const cJSON *it;
	char *c_gid;
	int rc, group;

	rc = check_change(c, &ch, e);
	if (rc < 0)
		return rc;
	c_gid = canon(a, ch.gid, e);
	free(ch.gid);
	ch.gid = c_gid;
	/* a version far ahead is merged as any other, but this device's
	 * clock does not follow it (an edit here of that field still wins:
	 * replica_fold) */
	cJSON_ArrayForEach(it, ch.vers) {
		unsigned long long h = replica_version_clock(it->valuestring);

		if (h > a->max_hlc && h <= a->hlc_limit)
			a->max_hlc = h;
	}
	rc = load_local(a, &ch, &l, e);
	if (rc == 0 && l.deleted)
		goto out; /* a tombstone wins */
	if (rc == 0 && ch.deleted) {
		rc = apply_delete(a, &ch, &l, e);
		if (rc == 0)
			rc = 1;
		goto out;
	}
	if (rc == 0)
		rc = merge_natural(a, &ch, &l, e);
	group = rc == 0 ? together_wins(&ch, &l) : -1;
	for (size_t i = 0; rc == 0 && i < ch.r->nfields; i++) {
		const struct rfield *f = &ch.r->fields[i];
		const cJSON *rv = cJSON_GetObjectItemCaseSensitive(ch.vers, f->name);
		const cJSON *lv = cJSON_GetObjectItemCaseSensitive(l.vers, f->name);
		const cJSON *val = cJSON_GetObjectItemCaseSensitive(ch.data, f->name);

		if (!val || !cJSON_IsString(rv))
			continue;
		if (group >= 0 && replica_together(ch.r, f->name)) {
			if (!group ||
			    (cJSON_IsString(lv) && !strcmp(rv->valuestring, lv->valuestring)))
				continue;
		} else if (cJSON_IsString(lv) && strcmp(rv->valuestring, lv->valuestring) <= 0)
			continue;
		taken[i] = any = true;
		if (l.id && cJSON_IsString(lv) && unseen_edit(a, &ch, f->name, lv->valuestring)) {
			cJSON *mine = local_value(a, ch.r, f, l.id);

			if (mine && !cJSON_Compare(mine, val, true))
				rc = record_conflict(a, &ch, f->name, mine, val, lv->valuestring,
						     rv->valuestring, e);
			cJSON_Delete(mine);
		}
	}
	if (rc == 0 && any && (rc = write_checked(a, &ch, &l, taken, e)) == 0) {
		merge_versions(&l, &ch, taken);
		rc = save_versions(a, &ch, &l, false, e);
		if (rc == 0)
			rc = 1;
	}
out:
	local_release(&l);
	free(ch.gid);
	return rc;
}

/* Whether the last SQLite error is about this change's data rather than
 * the database itself. */
static bool data_error(struct store *s)
{
	int rc = sqlite3_errcode(s->db);

	return rc == SQLITE_CONSTRAINT || rc == SQLITE_MISMATCH || rc == SQLITE_TOOBIG ||
	       rc == SQLITE_RANGE;
}

int replica_apply(struct store *s, const cJSON *changes, const char *target, long long cursor,
		  time_t now, struct replica_stats *st, char **why, struct err *e)
{
	struct applier a;
	const cJSON *c;
	char num[32];
	sqlite3_stmt *q;

	memset(st, 0, sizeof(*st));
	if (why)
		*why = NULL;
	memset(&a, 0, sizeof(a));
	a.s = s;
	a.cache.s = s;
	a.now = now;
	a.st = st;
	if (replica_device(s, a.device, sizeof(a.device), e) < 0 || store_begin(s, e) < 0)
		return -1;
	/* the clock as a version has it: more than a day ahead of this
	 * device's is no clock to follow, and followed it would stop this one */
	q = prep(&a, "SELECT " SQ_HLC_LIMIT, e);
	if (!q || step(&a, q, e) <= 0)
		goto fail;
	a.hlc_limit = (unsigned long long)sqlite3_column_int64(q, 0);
	sqlite3_reset(q);
	if (store_exec(s, SQ_HLC_HEAL, e) < 0 || replica_fold(s, &a.cache, e) < 0 ||
	    store_exec(s, "UPDATE sync_self SET applying = 1 WHERE id = 1", e) < 0)
		goto fail;
	cJSON_ArrayForEach(c, changes) {
		struct err ce = { 0, "" };
		int rc;

		if (store_exec(s, "SAVEPOINT change", e) < 0)
			goto fail;
		a.dropped = false;
		rc = apply_one(&a, c, &ce);
		if (rc == -1 && !data_error(s)) {
			*e = ce;
			goto fail;
		}
		if (rc < 0) {
			store_exec(s, "ROLLBACK TO change", NULL);
			st->rejected++;
			if (why && !*why)
				*why = xstrdup(ce.msg);
		} else if (rc > 0) {
			st->applied++;
		} else {
			st->skipped++;
		}
		if (store_exec(s, "RELEASE change", e) < 0)
			goto fail;
		/* a key cleared by a change rolled back is still there */
		if (rc > 0 && a.dropped && !st->keys_dropped++)
			memcpy(st->keyless, a.keyless, sizeof(st->keyless));
	}
	snprintf(num, sizeof(num), "%lld", cursor);
	q = prep(&a, "UPDATE sync_self SET applying = 0, hlc = max(hlc, ?) WHERE id = 1", e);
	if (!q)
		goto fail;
	sqlite3_bind_int64(q, 1, (sqlite3_int64)(a.max_hlc & 0x7fffffffffffffffULL));
	if (run(&a, q, e) < 0)
		goto fail;
	q = prep(&a,
		 "INSERT INTO sync_state(target, cursor) VALUES (?1, ?2)"
		 " ON CONFLICT(target) DO UPDATE SET cursor = ?2",
		 e);
	if (q) {
		store_bind_text(q, 1, target);
		store_bind_text(q, 2, num);
	}
	if (run(&a, q, e) < 0)
		goto fail;
	rcache_release(&a.cache);
	return store_commit(s, e);
fail:
	rcache_release(&a.cache);
	store_rollback(s);
	if (why) {
		free(*why);
		*why = NULL;
	}
	return -1;
}
