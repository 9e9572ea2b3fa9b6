/*
 * telegram-int.h - the relay's parts as its two files share them:
 * telegram.c (the loop, the outbox, status, links) and telegram-update.c
 * (what one update does, and the words the bot says).
 */
#ifndef NESTOR_TELEGRAM_INT_H
#define NESTOR_TELEGRAM_INT_H

#include "engine.h"
#include "telegram.h"
#include "tgapi.h"

struct tg_relay {
	struct store *s;
	struct config *cfg;
	struct engine *eng;
	struct tg_client client;
	char *token;
	const atomic_int *stop;
	char device[33];	/* the store's device id (with server.redis) */
	char bot[33];		/* the bot's username from getMe ("": not known) */
	time_t bot_asked;	/* when getMe was last asked again for it (0: never) */
	long long linked_chat;	/* the chat tg_handle() just linked (0: none) */
	long long retry_update; /* the single relay: the update whose turn */
	int retries;		/* the database refused, and how often */
};

/* When a chat (0: every chat) may get its next message, monotonic ms. */
struct pace {
	long long chat;
	long long next_ms;
};

/* The outbox drain of one process.  With claim, another process may drain
 * the same outbox (a relay that took over the Redis lock while this one
 * still sends): each takes the oldest entry of a chat with a lease
 * (tgstore_out_claim), so none sends what another sends and a chat's
 * messages go in order. */
struct drain {
	struct pace *paces;
	size_t npaces;
	long long global_ms; /* the next call any chat may make */
	long interval_ms;    /* per chat */
	long gap_ms;	     /* between any two calls */
	long sent;
	bool claim;
	/* With claim: seconds a claim lasts (0: 30), and the most a send may
	 * take (a claim with less left is extended first, and an entry whose
	 * claim another process took over is never sent); leading (NULL:
	 * always) asked before each send: false ends the pass, its entries
	 * given back. */
	long lease, margin;
	bool (*leading)(void *arg);
	void *arg;
};

/* Send what is due, paced.  *next_ms: how long until something may go
 * (-1: nothing waits). */
int tg_drain(struct tg_relay *r, struct drain *d, long *next_ms, struct err *e);

/* The token and the Bot API's URL into r->client. */
int tg_client_init(struct tg_relay *r, struct config *cfg, struct err *e);
/* getMe (and deleteWebhook when asked), setMyCommands, o->ready. */
int tg_start(struct tg_relay *r, const struct telegram_opts *o, struct err *e);
/* getMe only, for r->bot: best effort (a failure is logged, and commands
 * for any bot are answered). */
void tg_learn_bot(struct tg_relay *r);
/* The error of a poll Telegram refused for good (401, 409). */
int tg_fatal_poll(const struct tg_status *st, struct err *e);
/* Telegram numbers the next update at random after a week without any: a
 * getUpdates batch (res) whose updates are all below the offset it was
 * asked with is such a new numbering, not updates done already.  Its
 * lowest update id, or 0 when the batch is no new numbering (a batch with
 * any update at or past the offset never is: that comes only after a week
 * without updates). */
long long tg_renumbered_from(const cJSON *res, long long offset);
/* Record a poll's outcome for `nestor telegram status` (sync_state). */
void tg_note(struct tg_relay *r, const char *error, long pushed, long pulled);
/* Sleep ms, waking every 50 ms to look at *stop; false when stopped. */
bool tg_nap(const atomic_int *stop, long ms);
/* Seconds to wait before try number n, with jitter. */
long tg_backoff(int n);

/* The relay with server.redis set (telegram-redis.c): poll only while
 * holding the lock and add the updates to the stream. */
int tg_redis_poll(struct tg_relay *r, const struct telegram_opts *o, struct err *e);

/* The Redis half of `nestor telegram status` into st (st->redis_error
 * when Redis cannot be asked), the backlog of device's stream. */
void tg_redis_status(struct config *cfg, const char *device, struct telegram_status *st);

/* What tg_prepare() fetched for tg_handle(). */
struct tg_prep {
	char *forecast; /* a location's forecast as text (NULL: not available) */
};

/* What update u needs from the network, done before the caller's
 * transaction so that it does not hold the write lock: "typing" before a
 * turn, the forecast of a location (into p, and the weather cache).  Best
 * effort: a failure only goes to the log.  Release p with
 * tg_prep_release(). */
void tg_prepare(struct tg_relay *r, const struct tg_update *u, time_t now, struct tg_prep *p);
void tg_prep_release(struct tg_prep *p);

/* Handle update u at now with what tg_prepare() fetched (p; NULL:
 * nothing): its effects and answers (queued in the outbox), inside the
 * caller's transaction; it never goes to the network for a forecast.  -1
 * only on a database error: the caller rolls back and the update comes
 * again. */
int tg_handle(struct tg_relay *r, const struct tg_update *u, const struct tg_prep *p, time_t now,
	      struct err *e);

/* Whether u is a group's command addressed to another bot than bot
 * ("/tasks@other_bot"; Telegram compares usernames ignoring case): not
 * ours to run, answer nor route (a private chat is only ever ours).
 * false while bot is not known (NULL or ""). */
bool tg_other_bot(const char *bot, const struct tg_update *u);

/* The code of "/start CODE" (its first word, into buf), or NULL when u is
 * not one or the word does not fit. */
const char *tg_start_code(const struct tg_update *u, char *buf, size_t len);

/* The device named by the callback_data of a reminder's button (the store
 * that sent it: "ACTION:KEY@DEVICE"), or NULL. */
const char *tg_callback_device(const struct tg_update *u);

/* The request text of update u when it is an engine turn of a linked
 * chat (run it with tg_turn(), outside a transaction), else NULL (run it
 * with tg_handle(); e says why when a read failed). */
const char *tg_turn_text(struct tg_relay *r, const struct tg_update *u, struct err *e);

/* What the caller of tg_turn() adds to its first and last transaction. */
struct tg_turn_hooks {
	void *arg;
	/* Before anything is stored: 0 to run, 1 to leave the update (done
	 * already, or waiting for its turn); may be NULL. */
	int (*check)(void *arg, struct err *e);
	/* With the answer queued: the update done (offset, seen). */
	int (*finish)(void *arg, struct err *e);
};

/* Run the engine turn text of update u as engine_turn_journal() does,
 * keyed by the update's id: no transaction is held while a model answers,
 * and a turn a process left half done resumes.  The reply (or the failure)
 * is queued in the last transaction, with h->finish; a request the
 * engine refuses as it stands (ERR_USAGE: not UTF-8, a control character)
 * is answered with the reason at once, as done.  0 done, 1 nothing done
 * (h->check, or another process took the turn over), -1 a database error
 * (the update comes again and resumes). */
int tg_turn(struct tg_relay *r, const struct tg_update *u, const char *text,
	    const struct tg_turn_hooks *h, time_t now, struct err *e);

/* Forget the turn of update u a process left half done (the update goes
 * to the dead letters, or is handled otherwise now: its chat unlinked). */
int tg_turn_forget(struct tg_relay *r, long long chat_id, long long update_id, struct err *e);

/* At start, then hourly (*next_ms, monotonic_ms()): forget the updates done
 * more than 30 days ago (a Redis stream hands an update out again within
 * minutes, and names a chat's previous update for 6 days at most) and,
 * with turns (the single relay), the turns begun more than 2 days ago and
 * never finished (Telegram keeps an update for 24 hours; a stream's entry
 * waits for a worker however long, and forgets its turn only when it goes
 * to the dead letters). */
void tg_prune(struct store *s, bool turns, long long *next_ms);

/* Inside the caller's transaction: update u goes to the dead letters: its
 * turn, if any, is forgotten, and a linked chat told to send it again. */
int tg_dead_letter(struct tg_relay *r, const struct tg_update *u, time_t now, struct err *e);

/* Inside the caller's transaction: give up update u's turn (the database
 * refused its steps again and again): answer that it failed (why), and
 * forget what it left in the journal. */
int tg_turn_give_up(struct tg_relay *r, const struct tg_update *u, const char *why, time_t now,
		    struct err *e);

/* Inside the caller's transaction: refuse update u as it stands (why:
 * too long...), final: answer that it failed (why). */
int tg_refuse(struct tg_relay *r, const struct tg_update *u, const char *why, time_t now,
	      struct err *e);

/* Queue text for chat_id: split into messages Telegram accepts, each sent
 * as HTML with the text escaped (markup: a reply_markup object for the
 * last piece, or NULL).  *last: the last entry's outbox id (may be NULL). */
int tg_queue_text(struct store *s, long long chat_id, const char *text, const char *markup,
		  time_t now, long long *last, struct err *e);

/* setMyCommands in English and Russian. */
void tg_set_commands(struct tg_relay *r);

#endif
