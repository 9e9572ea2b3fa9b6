#include "tgstore.h"
#include "utf8.h"
#include "store-int.h"
#include "xalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Run one statement with up to three integer parameters and a text one
 * (NULL: none); *changes (may be NULL) gets the rows it changed. */
static int run(struct store *s, const char *sql, long long a, long long b, const char *text,
	       int *changes, struct err *e)
{
	sqlite3_stmt *st = store_prepare(s, sql, e);
	int rc, np;

	if (!st)
		return -1;
	np = sqlite3_bind_parameter_count(st);
	if (np >= 1)
		sqlite3_bind_int64(st, 1, a);
	if (np >= 2)
		sqlite3_bind_int64(st, 2, b);
	if (np >= 3)
		store_bind_text(st, 3, text);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return store_error(s, e, "telegram");
	if (changes)
		*changes = sqlite3_changes(s->db);
	return 0;
}

/* The first column of the first row of sql (bound like run()), 0 when none. */
static int one(struct store *s, const char *sql, long long a, const char *text, long long *v,
	       struct err *e)
{
	sqlite3_stmt *st = store_prepare(s, sql, e);
	int rc;

	*v = 0;
	if (!st)
		return -1;
	if (sqlite3_bind_parameter_count(st) >= 1)
		sqlite3_bind_int64(st, 1, a);
	if (sqlite3_bind_parameter_count(st) >= 2)
		store_bind_text(st, 2, text);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : store_error(s, e, "telegram");
}

int tgstore_offset(struct store *s, long long *offset, struct err *e)
{
	return one(s,
		   "SELECT CAST(cursor AS INTEGER) FROM sync_state WHERE target = '" TGSTORE_TARGET
		   "'",
		   0, NULL, offset, e);
}

int tgstore_set_offset(struct store *s, long long offset, struct err *e)
{
	return run(s,
		   "INSERT INTO sync_state(target, cursor) VALUES ('" TGSTORE_TARGET "', ?1)"
		   " ON CONFLICT(target) DO UPDATE"
		   " SET cursor = max(coalesce(CAST(cursor AS INTEGER), 0), excluded.cursor)",
		   offset, 0, NULL, NULL, e);
}

int tgstore_reset_offset(struct store *s, long long offset, struct err *e)
{
	return run(s,
		   "INSERT INTO sync_state(target, cursor) VALUES ('" TGSTORE_TARGET "', ?1)"
		   " ON CONFLICT(target) DO UPDATE SET cursor = excluded.cursor",
		   offset, 0, NULL, NULL, e);
}

int tgstore_code_add(struct store *s, const char *code, long long user_id, bool group,
		     time_t expires, struct err *e)
{
	if (run(s, "DELETE FROM telegram_codes WHERE expires_at < ?1", (long long)expires - 86400,
		0, NULL, NULL, e) < 0)
		return -1;
	return run(
		s,
		group ? "INSERT INTO telegram_codes(user_id, expires_at, code, for_group)"
			" VALUES (?1, ?2, ?3, 1)"
		      : "INSERT INTO telegram_codes(user_id, expires_at, code) VALUES (?1, ?2, ?3)",
		user_id, (long long)expires, code, NULL, e);
}

int tgstore_code_use(struct store *s, const char *code, time_t now, long long *user_id, bool *group,
		     struct err *e)
{
	sqlite3_stmt *st = store_prepare(s,
					 "DELETE FROM telegram_codes WHERE code = ?1 RETURNING "
					 "user_id, expires_at, for_group",
					 e);
	time_t exp = 0;
	int rc;

	*user_id = 0;
	*group = false;
	if (!st)
		return -1;
	store_bind_text(st, 1, code);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*user_id = sqlite3_column_int64(st, 0);
		exp = (time_t)sqlite3_column_int64(st, 1);
		*group = sqlite3_column_int(st, 2) != 0;
		rc = sqlite3_step(st);
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return store_error(s, e, "telegram codes");
	if (!*user_id || exp < now) {
		*user_id = 0;
		return err_set(e, ERR_NOTFOUND, "unknown or expired code");
	}
	return 0;
}

int tgstore_chat_user(struct store *s, long long chat_id, long long *user_id, struct err *e)
{
	return one(s, "SELECT id FROM users WHERE telegram_chat_id = ?1", chat_id, NULL, user_id,
		   e);
}

int tgstore_link(struct store *s, long long chat_id, long long user_id, struct err *e)
{
	if (store_begin(s, e) < 0)
		return -1;
	if (run(s, "UPDATE users SET telegram_chat_id = NULL WHERE telegram_chat_id = ?1", chat_id,
		0, NULL, NULL, e) < 0 ||
	    run(s, "UPDATE users SET telegram_chat_id = ?1 WHERE id = ?2", chat_id, user_id, NULL,
		NULL, e) < 0 ||
	    run(s,
		"INSERT INTO telegram_chats(chat_id) VALUES (?1) ON CONFLICT(chat_id) DO UPDATE"
		" SET conversation_id = NULL",
		chat_id, 0, NULL, NULL, e) < 0) {
		store_rollback(s);
		return -1;
	}
	return store_commit(s, e);
}

int tgstore_unlink(struct store *s, long long chat_id, struct err *e)
{
	int n = 0;

	if (run(s, "UPDATE users SET telegram_chat_id = NULL WHERE telegram_chat_id = ?1", chat_id,
		0, NULL, &n, e) < 0)
		return -1;
	if (!n)
		return err_set(e, ERR_NOTFOUND, "chat %lld is not linked", chat_id);
	return 0;
}

void tgstore_chat_release(struct tgstore_chat *c)
{
	free(c->user);
	memset(c, 0, sizeof(*c));
}

void tgstore_chats_free(struct tgstore_chat *cs, size_t n)
{
	for (size_t i = 0; i < n; i++)
		tgstore_chat_release(&cs[i]);
	free(cs);
}

#define CHAT_SQL                                                                                   \
	"SELECT u.telegram_chat_id, u.id, u.name, c.conversation_id, c.latitude, c.longitude,"     \
	" c.last_at FROM users u LEFT JOIN telegram_chats c ON c.chat_id = u.telegram_chat_id"

static void chat_row(sqlite3_stmt *st, void *elem)
{
	struct tgstore_chat *c = elem;

	memset(c, 0, sizeof(*c));
	c->chat_id = sqlite3_column_int64(st, 0);
	c->user_id = sqlite3_column_int64(st, 1);
	c->user = store_col_text(st, 2);
	c->conversation = sqlite3_column_int64(st, 3);
	c->has_place = sqlite3_column_type(st, 4) != SQLITE_NULL;
	c->latitude = sqlite3_column_double(st, 4);
	c->longitude = sqlite3_column_double(st, 5);
	c->last_at = (time_t)sqlite3_column_int64(st, 6);
}

static void chat_unrow(void *elem)
{
	tgstore_chat_release(elem);
}

int tgstore_chat_get(struct store *s, long long chat_id, struct tgstore_chat *out, struct err *e)
{
	sqlite3_stmt *st =
		store_prepare(s,
			      "SELECT ?1, 0, NULL, conversation_id, latitude, longitude, last_at"
			      " FROM telegram_chats WHERE chat_id = ?1",
			      e);
	int rc;

	memset(out, 0, sizeof(*out));
	out->chat_id = chat_id;
	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, chat_id);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		chat_row(st, out);
	sqlite3_finalize(st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : store_error(s, e, "telegram");
}

bool tgstore_linked_any(struct store *s)
{
	struct err e = { 0, "" };
	sqlite3_stmt *st = store_prepare(
		s, "SELECT 1 FROM users WHERE telegram_chat_id IS NOT NULL LIMIT 1", &e);
	bool linked;

	if (!st)
		return false;
	linked = sqlite3_step(st) == SQLITE_ROW;
	sqlite3_finalize(st);
	return linked;
}

int tgstore_chats(struct store *s, struct tgstore_chat **out, size_t *n, struct err *e)
{
	sqlite3_stmt *st = store_prepare(
		s, CHAT_SQL " WHERE u.telegram_chat_id IS NOT NULL ORDER BY u.telegram_chat_id", e);

	*out = NULL;
	*n = 0;
	if (!st)
		return -1;
	return store_collect(s, st, sizeof(**out), chat_row, chat_unrow, (void **)out, n,
			     "telegram chats", e);
}

int tgstore_chat_set_conversation(struct store *s, long long chat_id, long long conversation,
				  time_t now, struct err *e)
{
	sqlite3_stmt *st = store_prepare(
		s,
		"INSERT INTO telegram_chats(chat_id, conversation_id, last_at)"
		" VALUES (?1, nullif(?2, 0), ?3) ON CONFLICT(chat_id) DO UPDATE"
		" SET conversation_id = excluded.conversation_id, last_at = excluded.last_at",
		e);
	int rc;

	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, chat_id);
	sqlite3_bind_int64(st, 2, conversation);
	sqlite3_bind_int64(st, 3, (long long)now);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : store_error(s, e, "telegram");
}

int tgstore_chat_set_place(struct store *s, long long chat_id, double lat, double lon,
			   struct err *e)
{
	sqlite3_stmt *st = store_prepare(
		s,
		"INSERT INTO telegram_chats(chat_id, latitude, longitude) VALUES (?1, ?2, ?3)"
		" ON CONFLICT(chat_id) DO UPDATE SET latitude = ?2, longitude = ?3",
		e);
	int rc;

	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, chat_id);
	sqlite3_bind_double(st, 2, lat);
	sqlite3_bind_double(st, 3, lon);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : store_error(s, e, "telegram");
}

void tgstore_out_free(struct tgstore_out *o, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(o[i].op);
		free(o[i].payload);
	}
	free(o);
}

int tgstore_out_add(struct store *s, long long chat_id, const char *op, const char *payload,
		    time_t now, long long *id, struct err *e)
{
	sqlite3_stmt *st = store_prepare(
		s,
		"INSERT INTO outbox(target, op, entity, entity_id, payload, created_at)"
		" VALUES ('" TGSTORE_TARGET "', ?1, 'chat', ?2, ?3, ?4)",
		e);
	int rc;

	if (!st)
		return -1;
	store_bind_text(st, 1, op);
	sqlite3_bind_int64(st, 2, chat_id);
	store_bind_text(st, 3, payload);
	sqlite3_bind_int64(st, 4, (long long)now);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return store_error(s, e, "telegram outbox");
	if (id)
		*id = sqlite3_last_insert_rowid(s->db);
	return 0;
}

static void out_row(sqlite3_stmt *st, void *elem)
{
	struct tgstore_out *o = elem;

	o->id = sqlite3_column_int64(st, 0);
	o->chat_id = sqlite3_column_int64(st, 1);
	o->op = store_col_text(st, 2);
	o->payload = store_col_text(st, 3);
	o->attempts = sqlite3_column_int(st, 4);
	o->next_attempt = (time_t)sqlite3_column_int64(st, 5);
}

static void out_unrow(void *elem)
{
	struct tgstore_out *o = elem;

	free(o->op);
	free(o->payload);
}

int tgstore_out_due(struct store *s, time_t now, size_t limit, struct tgstore_out **out, size_t *n,
		    struct err *e)
{
	sqlite3_stmt *st = store_prepare(
		s,
		"SELECT id, entity_id, op, payload, attempts, next_attempt FROM outbox"
		" WHERE target = '" TGSTORE_TARGET "' AND next_attempt <= ?1 ORDER BY id LIMIT ?2",
		e);

	*out = NULL;
	*n = 0;
	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, (long long)now);
	sqlite3_bind_int64(st, 2, (long long)limit);
	return store_collect(s, st, sizeof(**out), out_row, out_unrow, (void **)out, n,
			     "telegram outbox", e);
}

int tgstore_out_pending(struct store *s, long *n, time_t *next, struct err *e)
{
	long long c, t;

	if (one(s, "SELECT count(*) FROM outbox WHERE target = '" TGSTORE_TARGET "'", 0, NULL, &c,
		e) < 0 ||
	    one(s,
		"SELECT coalesce(min(next_attempt), 0) FROM outbox WHERE target = '" TGSTORE_TARGET
		"'",
		0, NULL, &t, e) < 0)
		return -1;
	*n = (long)c;
	*next = (time_t)t;
	return 0;
}

int tgstore_out_done(struct store *s, long long id, struct err *e)
{
	return run(s, "DELETE FROM outbox WHERE id = ?1", id, 0, NULL, NULL, e);
}

int tgstore_out_retry(struct store *s, long long id, time_t next_attempt, struct err *e)
{
	return run(s, "UPDATE outbox SET attempts = attempts + 1, next_attempt = ?2 WHERE id = ?1",
		   id, (long long)next_attempt, NULL, NULL, e);
}

int tgstore_button_add(struct store *s, const char *key, long long job_id, time_t occurrence,
		       long long chat_id, long long outbox_id, time_t now, struct err *e)
{
	sqlite3_stmt *st = store_prepare(
		s,
		"INSERT INTO telegram_buttons(key, job_id, occurrence, chat_id, outbox_id,"
		" created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
		e);
	int rc;

	if (!st)
		return -1;
	store_bind_text(st, 1, key);
	sqlite3_bind_int64(st, 2, job_id);
	sqlite3_bind_int64(st, 3, (long long)occurrence);
	sqlite3_bind_int64(st, 4, chat_id);
	sqlite3_bind_int64(st, 5, outbox_id);
	sqlite3_bind_int64(st, 6, (long long)now);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : store_error(s, e, "telegram buttons");
}

int tgstore_button_get(struct store *s, const char *key, struct tgstore_button *out, struct err *e)
{
	sqlite3_stmt *st = store_prepare(s,
					 "SELECT job_id, occurrence, chat_id, message_id, action"
					 " FROM telegram_buttons WHERE key = ?1",
					 e);
	int rc;

	memset(out, 0, sizeof(*out));
	if (!st)
		return -1;
	store_bind_text(st, 1, key);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		snprintf(out->key, sizeof(out->key), "%s", key);
		out->job_id = sqlite3_column_int64(st, 0);
		out->occurrence = (time_t)sqlite3_column_int64(st, 1);
		out->chat_id = sqlite3_column_int64(st, 2);
		out->message_id = sqlite3_column_int64(st, 3);
		out->action = store_col_text(st, 4);
	}
	sqlite3_finalize(st);
	if (rc == SQLITE_DONE)
		return err_set(e, ERR_NOTFOUND, "unknown button %s", utf8_q(key));
	return rc == SQLITE_ROW ? 0 : store_error(s, e, "telegram buttons");
}

void tgstore_button_release(struct tgstore_button *b)
{
	free(b->action);
	b->action = NULL;
}

int tgstore_button_sent(struct store *s, long long outbox_id, long long message_id, struct err *e)
{
	return run(s, "UPDATE telegram_buttons SET message_id = ?2 WHERE outbox_id = ?1", outbox_id,
		   message_id, NULL, NULL, e);
}

int tgstore_button_press(struct store *s, const char *key, const char *action, bool *first,
			 struct err *e)
{
	sqlite3_stmt *st = store_prepare(
		s, "UPDATE telegram_buttons SET action = ?2 WHERE key = ?1 AND action IS NULL", e);
	int rc;

	if (!st)
		return -1;
	store_bind_text(st, 1, key);
	store_bind_text(st, 2, action);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return store_error(s, e, "telegram buttons");
	*first = sqlite3_changes(s->db) > 0;
	return 0;
}

int tgstore_seen(struct store *s, long long update_id, time_t now, time_t date, bool *fresh,
		 struct err *e)
{
	/* A row of an update dated over TGSTORE_SEEN_NEW before this one's is
	 * one of an old numbering (tgstore_seen_has()): recorded anew. */
	sqlite3_stmt *st = store_prepare(
		s,
		"INSERT INTO telegram_seen(update_id, at, date) VALUES (?1, ?2, ?3)"
		" ON CONFLICT(update_id) DO UPDATE SET at = excluded.at, date = excluded.date"
		" WHERE telegram_seen.date < excluded.date - " TGSTORE_SEEN_NEW_SQL,
		e);
	int rc;

	*fresh = false;
	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, update_id);
	sqlite3_bind_int64(st, 2, (long long)now);
	if (date > 0)
		sqlite3_bind_int64(st, 3, (long long)date);
	else
		sqlite3_bind_null(st, 3);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return store_error(s, e, "telegram");
	*fresh = sqlite3_changes(s->db) > 0;
	return 0;
}

int tgstore_seen_has(struct store *s, long long update_id, time_t date, bool *seen, struct err *e)
{
	return tgstore_seen_within(s, update_id, date, TGSTORE_SEEN_NEW, seen, e);
}

int tgstore_seen_within(struct store *s, long long update_id, time_t date, long window, bool *seen,
			struct err *e)
{
	sqlite3_stmt *st = store_prepare(s,
					 "SELECT count(*) FROM telegram_seen WHERE update_id = ?1"
					 " AND (?2 <= 0 OR date IS NULL OR ?2 <= date + ?3)",
					 e);
	int rc;

	*seen = false;
	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, update_id);
	sqlite3_bind_int64(st, 2, (long long)date);
	sqlite3_bind_int64(st, 3, window);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*seen = sqlite3_column_int64(st, 0) > 0;
	sqlite3_finalize(st);
	return rc == SQLITE_ROW ? 0 : store_error(s, e, "telegram");
}

#define NUMBERING_TARGET TGSTORE_TARGET "-numbering"

int tgstore_numbering(struct store *s, long long *epoch, struct err *e)
{
	return one(
		s,
		"SELECT CAST(cursor AS INTEGER) FROM sync_state WHERE target = '" NUMBERING_TARGET
		"'",
		0, NULL, epoch, e);
}

int tgstore_renumber(struct store *s, long long epoch, long long from, long *n, struct err *e)
{
	int changes = 0;

	if (run(s, "DELETE FROM telegram_seen WHERE update_id >= ?1", from, 0, NULL, &changes, e) <
	    0)
		return -1;
	*n = changes;
	return run(s,
		   "INSERT INTO sync_state(target, cursor) VALUES ('" NUMBERING_TARGET "', ?1)"
		   " ON CONFLICT(target) DO UPDATE SET cursor = excluded.cursor",
		   epoch, 0, NULL, NULL, e);
}

int tgstore_seen_prune(struct store *s, time_t before, long *n, struct err *e)
{
	int changes = 0;

	*n = 0;
	if (run(s, "DELETE FROM telegram_seen WHERE at < ?1", (long long)before, 0, NULL, &changes,
		e) < 0)
		return -1;
	*n = changes;
	return 0;
}

int tgstore_out_claim(struct store *s, time_t now, time_t until, size_t limit,
		      struct tgstore_out **out, size_t *n, struct err *e)
{
	sqlite3_stmt *st;

	*out = NULL;
	*n = 0;
	if (store_begin(s, e) < 0)
		return -1;
	st = store_prepare(s,
			   "SELECT id, entity_id, op, payload, attempts, next_attempt FROM outbox o"
			   " WHERE target = '" TGSTORE_TARGET "' AND next_attempt <= ?1"
			   " AND NOT EXISTS (SELECT 1 FROM outbox p WHERE p.target = o.target"
			   " AND p.entity_id = o.entity_id AND p.id < o.id)"
			   " ORDER BY id LIMIT ?2",
			   e);
	if (!st) {
		store_rollback(s);
		return -1;
	}
	sqlite3_bind_int64(st, 1, (long long)now);
	sqlite3_bind_int64(st, 2, (long long)limit);
	if (store_collect(s, st, sizeof(**out), out_row, out_unrow, (void **)out, n,
			  "telegram outbox", e) < 0) {
		store_rollback(s);
		return -1;
	}
	for (size_t i = 0; i < *n; i++)
		if (run(s, "UPDATE outbox SET next_attempt = ?2 WHERE id = ?1", (*out)[i].id,
			(long long)until, NULL, NULL, e) < 0) {
			store_rollback(s);
			tgstore_out_free(*out, *n);
			*out = NULL;
			*n = 0;
			return -1;
		}
	if (store_commit(s, e) < 0) {
		tgstore_out_free(*out, *n);
		*out = NULL;
		*n = 0;
		return -1;
	}
	return 0;
}

int tgstore_out_reclaim(struct store *s, long long id, time_t until, time_t next_attempt,
			bool *ours, struct err *e)
{
	sqlite3_stmt *st = store_prepare(
		s, "UPDATE outbox SET next_attempt = ?3 WHERE id = ?1 AND next_attempt = ?2", e);
	int rc;

	*ours = false;
	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_int64(st, 2, (long long)until);
	sqlite3_bind_int64(st, 3, (long long)next_attempt);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return store_error(s, e, "telegram outbox");
	*ours = sqlite3_changes(s->db) > 0;
	return 0;
}
