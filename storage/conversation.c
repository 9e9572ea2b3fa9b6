#include "conversation.h"
#include "replica-int.h"
#include "store-int.h"
#include "sbuf.h"
#include "utf8.h"
#include "xalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* With each conversation's message count and its answers' token counts. */
#define CONV_COLS                                                                                  \
	"c.id, coalesce(c.assistant_id, 0), a.name, c.channel, c.title, c.created_at,"             \
	" c.updated_at, (SELECT count(*) FROM messages m WHERE m.conversation_id = c.id),"         \
	" (SELECT coalesce(sum(prompt_tokens), 0) FROM messages m"                                 \
	"  WHERE m.conversation_id = c.id),"                                                       \
	" (SELECT coalesce(sum(completion_tokens), 0) FROM messages m"                             \
	"  WHERE m.conversation_id = c.id),"                                                       \
	" (SELECT count(*) FROM messages m WHERE m.conversation_id = c.id"                         \
	"  AND (prompt_tokens IS NOT NULL OR completion_tokens IS NOT NULL))"
#define CONV_FROM " FROM conversations c LEFT JOIN assistants a ON a.id = c.assistant_id"
/* Messages of a conversation of the store user's: ?1 the conversation, ?2
 * the user (another user's conversation has none here). */
#define MINE "?1 IN (SELECT id FROM conversations WHERE user_id = ?2)"
#define MSG_COLS                                                                                   \
	"id, conversation_id, role, content, tool_calls, tool_call_id, created_at, state,"         \
	" prompt_tokens, completion_tokens, reasoning"

static const char *const channel_words[] = { "tui", "repl", "cli", "telegram" };
static const char *const state_words[] = { "complete", "interrupted" };
#define NWORDS(a) ((int)(sizeof(a) / sizeof((a)[0])))

const char *conversation_channel_name(enum conversation_channel c)
{
	return store_word(channel_words, NWORDS(channel_words), (int)c);
}

int conversation_channel_parse(const char *word, enum conversation_channel *out)
{
	int v = store_word_value(channel_words, NWORDS(channel_words), word);

	if (v < 0)
		return -1;
	*out = (enum conversation_channel)v;
	return 0;
}

const char *message_state_name(enum message_state m)
{
	return store_word(state_words, NWORDS(state_words), (int)m);
}

int message_state_parse(const char *word, enum message_state *out)
{
	int v = store_word_value(state_words, NWORDS(state_words), word);

	if (v < 0)
		return -1;
	*out = (enum message_state)v;
	return 0;
}

void conversation_release(struct conversation *c)
{
	if (!c)
		return;
	free(c->assistant);
	free(c->title);
	c->assistant = c->title = NULL;
}

void conversation_list_free(struct conversation *cs, size_t n)
{
	for (size_t i = 0; i < n; i++)
		conversation_release(&cs[i]);
	free(cs);
}

void message_release(struct message *m)
{
	if (!m)
		return;
	free(m->content);
	free(m->tool_calls);
	free(m->tool_call_id);
	free(m->reasoning);
	m->content = m->tool_calls = m->tool_call_id = m->reasoning = NULL;
}

void message_list_free(struct message *ms, size_t n)
{
	for (size_t i = 0; i < n; i++)
		message_release(&ms[i]);
	free(ms);
}

static void conv_from_row(sqlite3_stmt *st, struct conversation *c)
{
	memset(c, 0, sizeof(*c));
	c->id = sqlite3_column_int64(st, 0);
	c->assistant_id = sqlite3_column_int64(st, 1);
	c->assistant = store_col_text(st, 2);
	if (conversation_channel_parse((const char *)sqlite3_column_text(st, 3), &c->channel) < 0)
		c->channel = CONV_CLI; /* the table's CHECK allows no other word */
	c->title = store_col_text(st, 4);
	c->created_at = (time_t)sqlite3_column_int64(st, 5);
	c->updated_at = (time_t)sqlite3_column_int64(st, 6);
	c->messages = (long)sqlite3_column_int64(st, 7);
	c->usage.prompt = sqlite3_column_int64(st, 8);
	c->usage.completion = sqlite3_column_int64(st, 9);
	c->usage.answers = (long)sqlite3_column_int64(st, 10);
}

/* An integer column, -1 when NULL. */
static long long col_count(sqlite3_stmt *st, int i)
{
	return sqlite3_column_type(st, i) == SQLITE_NULL ? -1 : sqlite3_column_int64(st, i);
}

static void msg_from_row(sqlite3_stmt *st, struct message *m)
{
	memset(m, 0, sizeof(*m));
	m->id = sqlite3_column_int64(st, 0);
	m->conversation_id = sqlite3_column_int64(st, 1);
	snprintf(m->role, sizeof(m->role), "%s", (const char *)sqlite3_column_text(st, 2));
	m->content = store_col_text(st, 3);
	m->tool_calls = store_col_text(st, 4);
	m->tool_call_id = store_col_text(st, 5);
	m->created_at = (time_t)sqlite3_column_int64(st, 6);
	if (message_state_parse((const char *)sqlite3_column_text(st, 7), &m->state) < 0)
		m->state = MESSAGE_COMPLETE;
	m->prompt_tokens = col_count(st, 8);
	m->completion_tokens = col_count(st, 9);
	m->reasoning = store_col_text(st, 10);
}

static void conv_row(sqlite3_stmt *st, void *elem)
{
	conv_from_row(st, elem);
}

static void conv_unrow(void *elem)
{
	conversation_release(elem);
}

static void msg_row(sqlite3_stmt *st, void *elem)
{
	msg_from_row(st, elem);
}

static void msg_unrow(void *elem)
{
	message_release(elem);
}

int conversation_new(struct store *s, long long assistant_id, enum conversation_channel channel,
		     time_t now, long long *id, struct err *e)
{
	sqlite3_stmt *st = store_prepare(s,
					 "INSERT INTO conversations(assistant_id, channel,"
					 " created_at, updated_at, user_id) VALUES (?, ?, ?, ?, ?)",
					 e);
	int rc;

	if (!st)
		return -1;
	if (assistant_id > 0)
		sqlite3_bind_int64(st, 1, assistant_id);
	else
		sqlite3_bind_null(st, 1);
	store_bind_text(st, 2, conversation_channel_name(channel));
	sqlite3_bind_int64(st, 3, (sqlite3_int64)now);
	sqlite3_bind_int64(st, 4, (sqlite3_int64)now);
	sqlite3_bind_int64(st, 5, s->user_id);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return store_error(s, e, "conversation");
	*id = sqlite3_last_insert_rowid(s->db);
	return 0;
}

int conversation_get(struct store *s, long long id, struct conversation *out, struct err *e)
{
	sqlite3_stmt *st = store_prepare(
		s, "SELECT " CONV_COLS CONV_FROM " WHERE c.id = ? AND c.user_id = ?", e);
	int rc;

	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_int64(st, 2, s->user_id);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		conv_from_row(st, out);
	sqlite3_finalize(st);
	if (rc == SQLITE_ROW)
		return 0;
	if (rc == SQLITE_DONE)
		return err_set(e, ERR_NOTFOUND, "no conversation with id %lld", id);
	return store_error(s, e, "conversation");
}

int conversation_list(struct store *s, int channel, int limit, struct conversation **out, size_t *n,
		      struct err *e)
{
	sqlite3_stmt *st = store_prepare(s,
					 "SELECT " CONV_COLS CONV_FROM
					 " WHERE (?1 IS NULL OR c.channel = ?1) AND c.user_id = ?3"
					 " ORDER BY c.updated_at DESC, c.id DESC LIMIT ?2",
					 e);
	void *arr;
	int rc;

	*out = NULL;
	*n = 0;
	if (!st)
		return -1;
	store_bind_text(st, 1,
			channel == CONV_ANY
				? NULL
				: conversation_channel_name((enum conversation_channel)channel));
	sqlite3_bind_int(st, 2, limit > 0 ? limit : -1);
	sqlite3_bind_int64(st, 3, s->user_id);
	rc = store_collect(s, st, sizeof(**out), conv_row, conv_unrow, &arr, n, "conversation list",
			   e);
	*out = arr;
	return rc;
}

int conversation_rm(struct store *s, long long id, struct err *e)
{
	sqlite3_stmt *st;
	int rc;

	if (store_begin(s, e) < 0)
		return -1;
	/* Delete the messages one statement ahead so the FTS triggers run. */
	st = store_prepare(s, "DELETE FROM messages WHERE conversation_id = ?1 AND " MINE, e);
	if (!st)
		goto fail;
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_int64(st, 2, s->user_id);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		goto sqlfail;
	st = store_prepare(s, "DELETE FROM conversations WHERE id = ? AND user_id = ?", e);
	if (!st)
		goto fail;
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_int64(st, 2, s->user_id);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		goto sqlfail;
	if (sqlite3_changes(s->db) == 0) {
		store_rollback(s);
		return err_set(e, ERR_NOTFOUND, "no conversation with id %lld", id);
	}
	return store_commit(s, e);
sqlfail:
	store_error(s, e, "conversation rm");
fail:
	store_rollback(s);
	return -1;
}

/* The first CONVERSATION_TITLE_MAX bytes of text on one line, cut at a
 * UTF-8 boundary. */
static char *make_title(const char *text)
{
	size_t n = strlen(text);
	char *t;

	if (n > CONVERSATION_TITLE_MAX) {
		n = CONVERSATION_TITLE_MAX;
		while (n > 0 && ((unsigned char)text[n] & 0xC0) == 0x80)
			n--;
	}
	t = xstrndup(text, n);
	for (char *p = t; *p; p++)
		if (*p == '\n' || *p == '\r' || *p == '\t')
			*p = ' ';
	return t;
}

static void bind_count(sqlite3_stmt *st, int i, long long n)
{
	if (n >= 0)
		sqlite3_bind_int64(st, i, n);
	else
		sqlite3_bind_null(st, i);
}

/* A message's text as another device takes it (replica_clean_text). */
struct clean_message {
	char *content, *tool_calls, *tool_call_id, *reasoning;
};

/* What each text of a message must be, written here or pulled. */
static int check_texts(const struct clean_message *m, struct err *e)
{
	if (utf8_check_field("content", m->content, MESSAGE_TEXT_MAX, e) < 0 ||
	    utf8_check_field("tool calls", m->tool_calls, MESSAGE_TEXT_MAX, e) < 0 ||
	    utf8_check_field("tool call id", m->tool_call_id, STORE_TITLE_MAX, e) < 0 ||
	    utf8_check_field("reasoning", m->reasoning, MESSAGE_TEXT_MAX, e) < 0)
		return -1;
	return 0;
}

static int add_clean(struct store *s, long long conv, const char *role,
		     const struct clean_message *m, const struct answer_meta *meta, time_t now,
		     long long *id, struct err *e)
{
	const char *content = m->content;
	sqlite3_stmt *st;
	char *title = NULL;
	int rc;

	if (check_texts(m, e) < 0) {
		err_prefix(e, "%s", "message");
		return -1;
	}
	if (store_begin(s, e) < 0)
		return -1;
	st = store_prepare(s,
			   "INSERT INTO messages(conversation_id, role, content, tool_calls,"
			   " tool_call_id, created_at, prompt_tokens, completion_tokens, reasoning,"
			   " state) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
			   e);
	if (!st)
		goto fail;
	sqlite3_bind_int64(st, 1, conv);
	store_bind_text(st, 2, role);
	store_bind_text(st, 3, content);
	store_bind_text(st, 4, m->tool_calls);
	store_bind_text(st, 5, m->tool_call_id);
	sqlite3_bind_int64(st, 6, (sqlite3_int64)now);
	bind_count(st, 7, meta->prompt_tokens);
	bind_count(st, 8, meta->completion_tokens);
	store_bind_text(st, 9, m->reasoning && *m->reasoning ? m->reasoning : NULL);
	store_bind_text(
		st, 10,
		message_state_name(meta->interrupted ? MESSAGE_INTERRUPTED : MESSAGE_COMPLETE));
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		goto sqlfail;
	if (id)
		*id = sqlite3_last_insert_rowid(s->db);
	st = store_prepare(s,
			   "UPDATE conversations SET updated_at = ?,"
			   " title = coalesce(title, ?) WHERE id = ?",
			   e);
	if (!st)
		goto fail;
	if (!strcmp(role, "user") && content)
		title = make_title(content);
	sqlite3_bind_int64(st, 1, (sqlite3_int64)now);
	store_bind_text(st, 2, title);
	sqlite3_bind_int64(st, 3, conv);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	free(title);
	if (rc != SQLITE_DONE)
		goto sqlfail;
	if (sqlite3_changes(s->db) == 0) {
		store_rollback(s);
		return err_set(e, ERR_NOTFOUND, "no conversation with id %lld", conv);
	}
	return store_commit(s, e);
sqlfail:
	store_error(s, e, "message");
fail:
	store_rollback(s);
	return -1;
}

static int add_message(struct store *s, long long conv, const char *role, const char *content,
		       const char *tool_calls, const char *tool_call_id,
		       const struct answer_meta *meta, time_t now, long long *id, struct err *e)
{
	static const struct answer_meta none = ANSWER_META_NONE;
	struct clean_message m = { replica_clean_text(content), replica_clean_text(tool_calls),
				   replica_clean_text(tool_call_id),
				   replica_clean_text(meta ? meta->reasoning : NULL) };
	int rc = add_clean(s, conv, role, &m, meta ? meta : &none, now, id, e);

	free(m.content);
	free(m.tool_calls);
	free(m.tool_call_id);
	free(m.reasoning);
	return rc;
}

int conversation_add(struct store *s, long long conv, const char *role, const char *content,
		     const char *tool_calls, const char *tool_call_id, time_t now, long long *id,
		     struct err *e)
{
	return add_message(s, conv, role, content, tool_calls, tool_call_id, NULL, now, id, e);
}

int conversation_add_answer(struct store *s, long long conv, const char *content,
			    const char *tool_calls, const struct answer_meta *meta, time_t now,
			    long long *id, struct err *e)
{
	return add_message(s, conv, "assistant", content, tool_calls, NULL, meta, now, id, e);
}

int conversation_check_stored(struct store *s, long long id, struct err *e)
{
	sqlite3_stmt *st = store_prepare(s, "SELECT title FROM conversations WHERE id = ?", e);
	int rc;

	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, id);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		rc = utf8_check_name("title", (const char *)sqlite3_column_text(st, 0),
				     CONVERSATION_TITLE_MAX, e);
	else
		rc = rc == SQLITE_DONE
			     ? err_set(e, ERR_NOTFOUND, "no conversation with id %lld", id)
			     : store_error(s, e, "conversation");
	sqlite3_finalize(st);
	return rc;
}

int message_check_stored(struct store *s, long long id, struct err *e)
{
	sqlite3_stmt *st =
		store_prepare(s,
			      "SELECT content, tool_calls, tool_call_id, reasoning, state"
			      " FROM messages WHERE id = ?",
			      e);
	enum message_state state;
	int rc;

	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, id);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		struct clean_message m = { (char *)sqlite3_column_text(st, 0),
					   (char *)sqlite3_column_text(st, 1),
					   (char *)sqlite3_column_text(st, 2),
					   (char *)sqlite3_column_text(st, 3) };

		rc = check_texts(&m, e);
		if (rc == 0 &&
		    message_state_parse((const char *)sqlite3_column_text(st, 4), &state) < 0)
			rc = err_set(e, ERR_USAGE, "%s", "state: not complete nor interrupted");
	} else {
		rc = rc == SQLITE_DONE ? err_set(e, ERR_NOTFOUND, "no message with id %lld", id)
				       : store_error(s, e, "message");
	}
	sqlite3_finalize(st);
	return rc;
}

int conversation_usage_of_assistant(struct store *s, long long assistant_id, struct token_usage *u,
				    struct err *e)
{
	sqlite3_stmt *st =
		store_prepare(s,
			      "SELECT coalesce(sum(m.prompt_tokens), 0),"
			      " coalesce(sum(m.completion_tokens), 0), count(*),"
			      " count(DISTINCT m.conversation_id)"
			      " FROM messages m JOIN conversations c ON c.id = m.conversation_id"
			      " WHERE c.assistant_id = ? AND (m.prompt_tokens IS NOT NULL"
			      " OR m.completion_tokens IS NOT NULL)",
			      e);
	int rc;

	memset(u, 0, sizeof(*u));
	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, assistant_id);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		u->prompt = sqlite3_column_int64(st, 0);
		u->completion = sqlite3_column_int64(st, 1);
		u->answers = (long)sqlite3_column_int64(st, 2);
		u->conversations = (long)sqlite3_column_int64(st, 3);
	}
	sqlite3_finalize(st);
	return rc == SQLITE_ROW ? 0 : store_error(s, e, "usage");
}

static int collect_messages(struct store *s, sqlite3_stmt *st, struct message **out, size_t *n,
			    struct err *e)
{
	void *arr;
	int rc = store_collect(s, st, sizeof(**out), msg_row, msg_unrow, &arr, n, "messages", e);

	*out = arr;
	return rc;
}

int conversation_messages(struct store *s, long long conv, struct message **out, size_t *n,
			  struct err *e)
{
	sqlite3_stmt *st = store_prepare(s,
					 "SELECT " MSG_COLS " FROM messages"
					 " WHERE conversation_id = ?1 AND " MINE " ORDER BY id",
					 e);

	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, conv);
	sqlite3_bind_int64(st, 2, s->user_id);
	return collect_messages(s, st, out, n, e);
}

/* Each word of text as a quoted FTS5 prefix term: `"mom"* "call"*`. */
static char *fts_query(const char *text)
{
	struct sbuf sb = SBUF_INIT;
	const char *p = text;

	while (*p) {
		const char *w;

		while (*p == ' ' || *p == '\t' || *p == '\n')
			p++;
		if (!*p)
			break;
		w = p;
		while (*p && *p != ' ' && *p != '\t' && *p != '\n')
			p++;
		if (sb.len)
			sbuf_adds(&sb, " ");
		sbuf_adds(&sb, "\"");
		for (const char *q = w; q < p; q++) {
			if (*q == '"')
				sbuf_adds(&sb, "\"");
			sbuf_add(&sb, q, 1);
		}
		sbuf_adds(&sb, "\"*");
	}
	return sb.len ? sbuf_detach(&sb) : (sbuf_release(&sb), NULL);
}

int conversation_search(struct store *s, const char *text, int limit, struct message **out,
			size_t *n, struct err *e)
{
	char *q = fts_query(text);
	sqlite3_stmt *st;

	*out = NULL;
	*n = 0;
	if (!q)
		return err_set(e, ERR_USAGE, "nothing to search for");
	st = store_prepare(s,
			   "SELECT m.id, m.conversation_id, m.role, m.content, m.tool_calls,"
			   " m.tool_call_id, m.created_at, m.state, m.prompt_tokens,"
			   " m.completion_tokens, m.reasoning FROM messages_fts f"
			   " JOIN messages m ON m.id = f.rowid"
			   " WHERE messages_fts MATCH ?1 AND m.role IN ('user', 'assistant')"
			   " AND m.conversation_id IN"
			   " (SELECT id FROM conversations WHERE user_id = ?3)"
			   " ORDER BY f.rank, m.id DESC LIMIT ?2",
			   e);
	if (!st) {
		free(q);
		return -1;
	}
	store_bind_text(st, 1, q);
	sqlite3_bind_int(st, 2, limit > 0 ? limit : -1);
	sqlite3_bind_int64(st, 3, s->user_id);
	free(q);
	return collect_messages(s, st, out, n, e);
}

int conversation_messages_before(struct store *s, long long conv, long long before, int limit,
				 struct message **out, size_t *n, struct err *e)
{
	sqlite3_stmt *st = store_prepare(s,
					 "SELECT " MSG_COLS " FROM messages"
					 " WHERE conversation_id = ?1 AND " MINE
					 " AND id < ?3 ORDER BY id DESC LIMIT ?4",
					 e);

	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, conv);
	sqlite3_bind_int64(st, 2, s->user_id);
	sqlite3_bind_int64(st, 3, before > 0 ? before : INT64_MAX);
	sqlite3_bind_int(st, 4, limit > 0 ? limit : -1);
	return collect_messages(s, st, out, n, e);
}

int conversation_pending(struct store *s, long long conv, time_t since, char **json, struct err *e)
{
	sqlite3_stmt *st = store_prepare(s,
					 "SELECT question FROM conversation_pending"
					 " WHERE conversation_id = ? AND asked_at >= ?",
					 e);
	int rc;

	*json = NULL;
	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, conv);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)since);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW && sqlite3_column_text(st, 0))
		*json = xstrdup((const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return store_error(s, e, "conversation");
	return 0;
}

int conversation_set_pending(struct store *s, long long conv, const char *json, time_t now,
			     struct err *e)
{
	sqlite3_stmt *st = store_prepare(
		s,
		json ? "INSERT INTO conversation_pending(conversation_id, question, asked_at)"
		       " VALUES (?, ?, ?) ON CONFLICT(conversation_id) DO UPDATE"
		       " SET question = excluded.question, asked_at = excluded.asked_at"
		     : "DELETE FROM conversation_pending WHERE conversation_id = ?",
		e);
	int rc;

	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, conv);
	if (json) {
		store_bind_text(st, 2, json);
		sqlite3_bind_int64(st, 3, (sqlite3_int64)now);
	}
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return store_error(s, e, "conversation");
	return 0;
}

int turn_journal_get(struct store *s, const char *key, struct turn_journal *j, struct err *e)
{
	sqlite3_stmt *st =
		store_prepare(s,
			      "SELECT conversation, last_message, started FROM turn_journal"
			      " WHERE key = ?",
			      e);
	int rc;

	memset(j, 0, sizeof(*j));
	if (!st)
		return -1;
	store_bind_text(st, 1, key);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		j->conversation = sqlite3_column_int64(st, 0);
		j->last_message = sqlite3_column_int64(st, 1);
		j->started = (time_t)sqlite3_column_int64(st, 2);
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return store_error(s, e, "turn journal");
	return rc == SQLITE_ROW;
}

/* Run sql with key (and n when n >= 0) bound; the rows it changed. */
static int journal_exec(struct store *s, const char *sql, const char *key, long long n,
			struct err *e)
{
	sqlite3_stmt *st = store_prepare(s, sql, e);
	int rc;

	if (!st)
		return -1;
	store_bind_text(st, 1, key);
	if (n >= 0)
		sqlite3_bind_int64(st, 2, n);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE && rc != SQLITE_ROW)
		return store_error(s, e, "turn journal");
	return sqlite3_changes(s->db);
}

int turn_journal_add(struct store *s, const char *key, long long conv, time_t now, long long *last,
		     struct err *e)
{
	sqlite3_stmt *st =
		store_prepare(s,
			      "INSERT INTO turn_journal(key, conversation, last_message, started)"
			      " VALUES (?, ?, (SELECT coalesce(max(id), 0) FROM messages WHERE "
			      "conversation_id = ?),"
			      " ?) RETURNING last_message",
			      e);
	int rc;

	if (!st)
		return -1;
	store_bind_text(st, 1, key);
	sqlite3_bind_int64(st, 2, conv);
	sqlite3_bind_int64(st, 3, conv);
	sqlite3_bind_int64(st, 4, (sqlite3_int64)now);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*last = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW)
		return store_error(s, e, "turn journal");
	return 0;
}

int turn_journal_check(struct store *s, const char *key, long long seen, bool *ours, struct err *e)
{
	int rc = journal_exec(s,
			      "UPDATE turn_journal SET last_message = last_message"
			      " WHERE key = ? AND last_message = ?",
			      key, seen, e);

	if (rc < 0)
		return -1;
	*ours = rc > 0;
	return 0;
}

int turn_journal_advance(struct store *s, const char *key, long long *last, struct err *e)
{
	sqlite3_stmt *st = store_prepare(s,
					 "UPDATE turn_journal SET last_message = (SELECT"
					 " coalesce(max(id), 0) FROM messages WHERE conversation_id"
					 " = turn_journal.conversation) WHERE key = ?"
					 " RETURNING last_message",
					 e);
	int rc;

	if (!st)
		return -1;
	store_bind_text(st, 1, key);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*last = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW)
		return rc == SQLITE_DONE ? err_set(e, ERR_NOTFOUND, "no turn %s under way", key)
					 : store_error(s, e, "turn journal");
	return 0;
}

int turn_journal_done(struct store *s, const char *key, struct err *e)
{
	return journal_exec(s, "DELETE FROM turn_journal WHERE key = ?", key, -1, e) < 0 ? -1 : 0;
}

int turn_journal_prune(struct store *s, const char *prefix, time_t before, long *n, struct err *e)
{
	int rc = journal_exec(s,
			      "DELETE FROM turn_journal WHERE substr(key, 1, length(?1)) = ?1"
			      " AND started < ?2",
			      prefix, (long long)before, e);

	*n = rc < 0 ? 0 : rc;
	return rc < 0 ? -1 : 0;
}
