/*
 * conversation.h - conversations with an assistant and their messages.
 *
 * A conversation belongs to an assistant and a channel (tui, repl, cli,
 * telegram) and holds messages in the shape of OpenAI-compatible chat
 * APIs, so a backend can replay them:
 *   - role "user": content is the text typed;
 *   - role "assistant" with tool_calls: a JSON array
 *     [{"id","type":"function","function":{"name","arguments"}}] (arguments
 *     is JSON text), content NULL;
 *   - role "tool": tool_call_id names the call, content is the result JSON;
 *   - role "assistant" with content: the reply.
 * User and assistant text is indexed with FTS5 for `history search`.
 * An assistant message a model wrote also keeps the token counts its
 * server reported for that answer and the model's reasoning, which is
 * never part of the content (and never sent back to a model).
 */
#ifndef NESTOR_CONVERSATION_H
#define NESTOR_CONVERSATION_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "err.h"
#include "store.h"

/* Where a conversation was held. */
enum conversation_channel { CONV_TUI, CONV_REPL, CONV_CLI, CONV_TELEGRAM };
/* conversation_list() of every channel */
#define CONV_ANY (-1)

/* "tui", "repl", "cli", "telegram": the word in SQL and JSON. */
const char *conversation_channel_name(enum conversation_channel c);
/* The channel named word; -1 when it names none. */
int conversation_channel_parse(const char *word, enum conversation_channel *out);

/* A message is complete, or interrupted: a reply cut short. */
enum message_state { MESSAGE_COMPLETE, MESSAGE_INTERRUPTED };

/* "complete", "interrupted". */
const char *message_state_name(enum message_state m);
/* The state named word; -1 when it names none. */
int message_state_parse(const char *word, enum message_state *out);

/* Token counts as servers reported them, summed. */
struct token_usage {
	long long prompt, completion; /* sums of the reported counts */
	long answers;		      /* answers that had a count; 0: none reported */
	long conversations;	      /* (per assistant) conversations with such answers */
};

struct conversation {
	long long id;
	long long assistant_id; /* 0 when the assistant was removed */
	char *assistant;	/* its name, or NULL */
	enum conversation_channel channel;
	char *title; /* the first user text, shortened; may be NULL */
	time_t created_at, updated_at;
	long messages;		  /* how many messages (conversation_list, conversation_get) */
	struct token_usage usage; /* its answers' token counts (conversations is 0) */
};

struct message {
	long long id;
	long long conversation_id;
	char role[12];
	char *content;	    /* or NULL */
	char *tool_calls;   /* JSON text, or NULL */
	char *tool_call_id; /* or NULL */
	enum message_state state;
	time_t created_at;
	long long prompt_tokens, completion_tokens; /* as reported; -1: not */
	char *reasoning; /* the model's reasoning for this answer, or NULL */
};

/* What a model's answer carries besides its text and tool calls. */
struct answer_meta {
	long long prompt_tokens, completion_tokens; /* -1: not reported */
	const char *reasoning;			    /* NULL or "": none */
	bool interrupted;			    /* a reply cut short */
};
#define ANSWER_META_NONE                                                                           \
	{                                                                                          \
		-1, -1, NULL, false                                                                \
	}

/* The longest title a conversation has (its first user text, cut), in
 * bytes; and the longest content, tool calls or reasoning a message holds
 * (a model's whole answer is at most 16 MiB, a tool's result is cut to it
 * by turn_result_text(), what a person types 1 MiB), its tool call id at
 * most STORE_TITLE_MAX. */
#define CONVERSATION_TITLE_MAX 60
#define MESSAGE_TEXT_MAX       ((size_t)16 << 20)

/* A change another device made is held to what a write here gives: a
 * conversation's title of at most CONVERSATION_TITLE_MAX bytes of UTF-8
 * on one line; a message's texts (MESSAGE_TEXT_MAX) UTF-8 without control
 * characters but newline and tab, its state a word message_state_parse()
 * knows.  ERR_USAGE naming the field, ERR_NOTFOUND when there is none. */
int conversation_check_stored(struct store *s, long long id, struct err *e);
int message_check_stored(struct store *s, long long id, struct err *e);

void conversation_release(struct conversation *c);
void conversation_list_free(struct conversation *cs, size_t n);
void message_release(struct message *m);
void message_list_free(struct message *ms, size_t n);

/* Start a conversation; sets *id. */
int conversation_new(struct store *s, long long assistant_id, enum conversation_channel channel,
		     time_t now, long long *id, struct err *e);
/* Conversations, their messages and the search are the store user's
 * (store_set_user()): another user's conversation is not found here.
 * ERR_NOTFOUND for an unknown id. */
int conversation_get(struct store *s, long long id, struct conversation *out, struct err *e);
/* Most recently updated first; channel an enum conversation_channel or
 * CONV_ANY; limit <= 0 for no limit. */
int conversation_list(struct store *s, int channel, int limit, struct conversation **out, size_t *n,
		      struct err *e);
/* Remove a conversation and its messages; ERR_NOTFOUND for an unknown id. */
int conversation_rm(struct store *s, long long id, struct err *e);

/* Append a message (content, tool_calls, tool_call_id may be NULL) and mark
 * the conversation updated; the first user message becomes its title.
 * Its text is stored as another device's pull takes it, without control
 * characters but newline and tab, in JSON strings too (a model's or a
 * tool's stray character costs the character, not the conversation);
 * text longer than MESSAGE_TEXT_MAX is refused (ERR_USAGE). */
int conversation_add(struct store *s, long long conv, const char *role, const char *content,
		     const char *tool_calls, const char *tool_call_id, time_t now, long long *id,
		     struct err *e);
/* Append an assistant message a model wrote, with what meta says about it
 * (NULL: nothing), in one transaction with the conversation's update. */
int conversation_add_answer(struct store *s, long long conv, const char *content,
			    const char *tool_calls, const struct answer_meta *meta, time_t now,
			    long long *id, struct err *e);
/* The token counts of every conversation of an assistant. */
int conversation_usage_of_assistant(struct store *s, long long assistant_id, struct token_usage *u,
				    struct err *e);
/* Every message of a conversation, oldest first. */
int conversation_messages(struct store *s, long long conv, struct message **out, size_t *n,
			  struct err *e);
/* One page of a long conversation, newest first: at most limit messages
 * with an id below before (0: from the newest).  The TUI pages back with
 * the smallest id it got. */
int conversation_messages_before(struct store *s, long long conv, long long before, int limit,
				 struct message **out, size_t *n, struct err *e);
/* The question left open in a conversation (JSON text the engine wrote,
 * asked no earlier than since; older ones are forgotten), or *json NULL
 * when there is none.  Caller frees. */
int conversation_pending(struct store *s, long long conv, time_t since, char **json, struct err *e);
/* Leave json as the open question of conv, or none when json is NULL. */
int conversation_set_pending(struct store *s, long long conv, const char *json, time_t now,
			     struct err *e);

/* User and assistant messages matching an FTS5 query built from text (each
 * word must appear; prefixes match), best first. */
int conversation_search(struct store *s, const char *text, int limit, struct message **out,
			size_t *n, struct err *e);

/* A turn under way that its caller named by a key (engine_turn_journal):
 * its conversation and the last message it stored. */
struct turn_journal {
	long long conversation, last_message;
	time_t started;
};

/* 1 with *j when a turn named key is under way, 0 when none is. */
int turn_journal_get(struct store *s, const char *key, struct turn_journal *j, struct err *e);
/* Record the turn key in conv as under way; *last: conv's last message. */
int turn_journal_add(struct store *s, const char *key, long long conv, time_t now, long long *last,
		     struct err *e);
/* Inside the caller's transaction: *ours when turn key's last message is
 * still seen (else another process took it over, or finished it); the
 * check writes the row, so it takes the write lock. */
int turn_journal_check(struct store *s, const char *key, long long seen, bool *ours, struct err *e);
/* Set turn key's last message to its conversation's last (*last). */
int turn_journal_advance(struct store *s, const char *key, long long *last, struct err *e);
/* The turn key is over: forget it. */
int turn_journal_done(struct store *s, const char *key, struct err *e);
/* Forget the turns whose key starts with prefix begun before before (left
 * by a process that never came back to them); *n: how many. */
int turn_journal_prune(struct store *s, const char *prefix, time_t before, long *n, struct err *e);

#endif
