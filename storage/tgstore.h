/*
 * tgstore.h - what the Telegram relay keeps in the store: the poller's
 * offset, the chats linked to users and their conversations, one-time link
 * codes, the outgoing messages waiting in the outbox, the keys of a
 * reminder's buttons, and the updates already processed.
 *
 * A chat belongs to a user through users.telegram_chat_id (one chat per
 * user; unique).  Every function here is one statement or one transaction;
 * callers that need more in one transaction (an update's effects, its
 * answer and the new offset) wrap them in store_begin()/store_commit().
 */
#ifndef NESTOR_TGSTORE_H
#define NESTOR_TGSTORE_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "err.h"
#include "store.h"

/* The outbox target of the relay's messages. */
#define TGSTORE_TARGET "telegram"

/* The next getUpdates offset (0 when none was stored). */
int tgstore_offset(struct store *s, long long *offset, struct err *e);
/* Store the offset, or keep the stored one when it is later: it only goes
 * forward. */
int tgstore_set_offset(struct store *s, long long offset, struct err *e);
/* Store the offset even when it is below the stored one: Telegram numbered
 * the updates anew. */
int tgstore_reset_offset(struct store *s, long long offset, struct err *e);

/* Store a one-time code for user_id, valid until expires; group: it may
 * link a group (else a private chat only). */
int tgstore_code_add(struct store *s, const char *code, long long user_id, bool group,
		     time_t expires, struct err *e);
/* Use code at now: *user_id its user, *group whether it was made for a
 * group; the code is gone afterwards.  ERR_NOTFOUND when it is unknown or
 * expired. */
int tgstore_code_use(struct store *s, const char *code, time_t now, long long *user_id, bool *group,
		     struct err *e);

/* Whether any chat is linked to a user: the telegram channel can reach
 * someone (false on a database error). */
bool tgstore_linked_any(struct store *s);
/* The user chat_id is linked to, 0 when none. */
int tgstore_chat_user(struct store *s, long long chat_id, long long *user_id, struct err *e);
/* Link chat_id to user_id (the user's previous chat and the chat's
 * previous user are unlinked). */
int tgstore_link(struct store *s, long long chat_id, long long user_id, struct err *e);
/* ERR_NOTFOUND when chat_id is not linked. */
int tgstore_unlink(struct store *s, long long chat_id, struct err *e);

struct tgstore_chat {
	long long chat_id;
	long long user_id;
	char *user; /* the user's name */
	long long conversation;
	bool has_place;
	double latitude, longitude;
	time_t last_at; /* the last update from it, 0: none */
};
void tgstore_chat_release(struct tgstore_chat *c);
void tgstore_chats_free(struct tgstore_chat *cs, size_t n);
/* One chat (zeroes but chat_id when it has no row yet). */
int tgstore_chat_get(struct store *s, long long chat_id, struct tgstore_chat *out, struct err *e);
/* Every linked chat, by chat id. */
int tgstore_chats(struct store *s, struct tgstore_chat **out, size_t *n, struct err *e);
int tgstore_chat_set_conversation(struct store *s, long long chat_id, long long conversation,
				  time_t now, struct err *e);
int tgstore_chat_set_place(struct store *s, long long chat_id, double lat, double lon,
			   struct err *e);

/* An outgoing call: op is the Bot API method ("sendMessage", ...), payload
 * its JSON parameters. */
struct tgstore_out {
	long long id;
	long long chat_id;
	char *op;
	char *payload;
	int attempts;
	time_t next_attempt;
};
void tgstore_out_free(struct tgstore_out *o, size_t n);
int tgstore_out_add(struct store *s, long long chat_id, const char *op, const char *payload,
		    time_t now, long long *id, struct err *e);
/* Up to limit entries due at now, oldest first. */
int tgstore_out_due(struct store *s, time_t now, size_t limit, struct tgstore_out **out, size_t *n,
		    struct err *e);
/* Entries waiting, and the earliest next_attempt among them (0: none). */
int tgstore_out_pending(struct store *s, long *n, time_t *next, struct err *e);
int tgstore_out_done(struct store *s, long long id, struct err *e);
int tgstore_out_retry(struct store *s, long long id, time_t next_attempt, struct err *e);

/* A reminder's buttons: key (at most 16 characters) for one occurrence of
 * job_id sent to chat_id by outbox entry outbox_id. */
struct tgstore_button {
	char key[24];
	long long job_id;
	time_t occurrence;
	long long chat_id;
	long long message_id; /* 0 until sent */
	char *action;	      /* what was done, NULL until a button was pressed */
};
int tgstore_button_add(struct store *s, const char *key, long long job_id, time_t occurrence,
		       long long chat_id, long long outbox_id, time_t now, struct err *e);
/* ERR_NOTFOUND for an unknown key. */
int tgstore_button_get(struct store *s, const char *key, struct tgstore_button *out, struct err *e);
void tgstore_button_release(struct tgstore_button *b);
/* The message that outbox entry outbox_id became. */
int tgstore_button_sent(struct store *s, long long outbox_id, long long message_id, struct err *e);
/* Record action on key; *first false when one was recorded already. */
int tgstore_button_press(struct store *s, const char *key, const char *action, bool *first,
			 struct err *e);

/* Seconds between the Telegram dates of two updates of one id past which
 * the later is another update: Telegram numbers the updates anew only
 * after a week without any, so an id done under the old numbering was of
 * an update dated over a week before its new one.  Both dates are
 * Telegram's: this machine's clock (behind before NTP, say) plays no part.
 * A day leaves room for an edit dated after its message. */
#define TGSTORE_SEEN_NEW     86400
#define TGSTORE_SEEN_NEW_SQL "86400"

/* Record update_id as processed at now (this machine's clock, for
 * tgstore_seen_prune()), the update being of date (Telegram's time of its
 * message, an edit's when edited; 0: unknown); *fresh false when it was
 * already: a row of an update dated over TGSTORE_SEEN_NEW before date is
 * recorded anew, one without a date never. */
int tgstore_seen(struct store *s, long long update_id, time_t now, time_t date, bool *fresh,
		 struct err *e);
/* Whether update_id was processed, the update being of date (as for
 * tgstore_seen(); 0: unknown): not when the update done under that id is
 * dated over TGSTORE_SEEN_NEW before date, an update numbered anew onto an
 * id done under the old numbering (caught even when the numbering's new
 * epoch was not, e.g. Redis lost its offset).  Done whenever either date
 * is unknown (a row of an older nestor, a button press). */
int tgstore_seen_has(struct store *s, long long update_id, time_t date, bool *seen, struct err *e);
/* Seconds a chat's previous update (rstream.h) is dated before one of its
 * updates, less than a week: Telegram numbers anew only after a week
 * without updates, so an id done under the old numbering was of an update
 * dated a week or more before any of the new one, while a chat's previous
 * update, named for 6 days from its polling, which is within a day of its
 * date, is dated less than a week before (RSTREAM_LAST_TTL). */
#define TGSTORE_PREV_NEW (7L * 86400 - 1)
/* tgstore_seen_has() with window seconds for TGSTORE_SEEN_NEW: whether
 * update_id was processed as an update dated at most window before date
 * (0: unknown, any), or of no date. */
int tgstore_seen_within(struct store *s, long long update_id, time_t date, long window, bool *seen,
			struct err *e);
/* The epoch of the updates' numbering this store knows (0: none past the
 * first), sync_state's "telegram-numbering" cursor. */
int tgstore_numbering(struct store *s, long long *epoch, struct err *e);
/* Telegram numbered the updates anew from from (epoch: rstream_renumber()):
 * forget the updates processed from from on, of the old numbering (their
 * ids come again, as new updates), and know the epoch.  In the caller's
 * transaction; *n how many were forgotten. */
int tgstore_renumber(struct store *s, long long epoch, long long from, long *n, struct err *e);
/* Forget the updates processed before before (one statement, its own
 * transaction); *n how many. */
int tgstore_seen_prune(struct store *s, time_t before, long *n, struct err *e);

/* For processes that may drain the outbox at once: up to limit entries
 * due at now, each the oldest entry of its chat, claimed until until (in
 * one transaction, so no two processes claim the same).  While an entry
 * is claimed or waits for a retry, its chat's later entries wait too. */
int tgstore_out_claim(struct store *s, time_t now, time_t until, size_t limit,
		      struct tgstore_out **out, size_t *n, struct err *e);
/* Move the lease of entry id, claimed until until, to next_attempt: a
 * longer lease, or the entry given back.  *ours false when the entry is
 * no longer held with that lease (its lease ran out and another process
 * claimed it, or it is gone): nothing changes then. */
int tgstore_out_reclaim(struct store *s, long long id, time_t until, time_t next_attempt,
			bool *ours, struct err *e);

#endif
