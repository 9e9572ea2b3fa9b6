/*
 * telegram.h - the Telegram relay: the assistant in a Telegram chat, and
 * reminders delivered there with buttons.
 *
 * The bot token is the secret "telegram" (secret.h); telegram.api_url
 * points at the Bot API (a fake in tests).  telegram_run() long-polls
 * getUpdates and handles each update in one transaction with the new
 * offset (sync_state "telegram"): its effects (an engine turn's rows, a
 * link, a snooze), its answers (queued in the outbox) and the offset commit
 * together or not at all, so a crash (even SIGKILL) never runs an update
 * twice nor drops one: Telegram hands it out again until the offset moves.
 * The outbox is then drained: each entry is one Bot API call, deleted once
 * Telegram accepted it.  The one window for a repeated message is a crash
 * between Telegram's answer and that delete (milliseconds).
 *
 * Guarantees of the drain: per chat in order; at most one message per
 * telegram.chat_interval ms to a chat and telegram.rate per second in all;
 * a 429 holds that chat (or all, for a call without one) for retry_after;
 * 5xx and network errors are retried with backoff and jitter; HTML that
 * Telegram cannot parse is sent again as plain text; other refusals (a
 * blocked bot) drop the entry, logged.
 *
 * A chat is linked to a user with a one-time code (telegram_link_code):
 * the person sends "/start CODE".  A chat that is not linked gets one line
 * saying how to link it; nothing of anyone's data is read or written.
 * Every member of a linked group reads and changes its user's data, so a
 * group (or channel) links only with a code made for one: a private
 * chat's code sent there is used up and refused, with one line saying so.
 */
#ifndef NESTOR_TELEGRAM_H
#define NESTOR_TELEGRAM_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "config.h"
#include "rstream.h"
#include "err.h"
#include "scheduler.h"
#include "store.h"
#include "tgstore.h"

#define TELEGRAM_SECRET	   "telegram"
#define TELEGRAM_CODE_TTL  600 /* seconds a link code is valid */
#define TELEGRAM_CODE_SIZE 12

struct telegram_opts {
	struct store *store;
	struct config *cfg;
	const atomic_int *stop; /* non-zero: return soon (checked every 50 ms) */
	bool delete_webhook;	/* call deleteWebhook first */
	/* Called once the bot answered getMe and polling starts (may be NULL). */
	void (*ready)(void *arg, const char *username);
	void *arg;
};

/* Whether server.redis is set: the relay only polls (while it holds the
 * lock) and adds each update to a Redis stream, and `nestor worker`
 * processes handle them (telegram_worker). */
bool telegram_redis(struct config *cfg);

struct telegram_worker_opts {
	struct store *store;
	struct config *cfg;
	const atomic_int *stop;
	const char *name; /* the consumer's name in the group (NULL: HOST:PID) */
	/* Called once the worker reads the stream (may be NULL). */
	void (*ready)(void *arg, const char *name);
	void *arg;
};

/*
 * A worker of the Redis stream (server.redis), until *stop: each update
 * is handled exactly as the relay handles it (tg_handle), in one
 * transaction that also records it in telegram_seen, and acknowledged
 * after the commit; an update seen already is only acknowledged.  An
 * update runs only in a transaction that finds its chat's previous update
 * done (rstream.h: prev); until then the worker holds it (its idle time
 * kept fresh), so a chat's updates run in order whichever worker has them.
 * Entries idle for telegram.claim_idle ms (a dead worker's) are taken
 * over; one delivered more than telegram.max_attempts times, or not
 * valid, goes to the dead letters.  Workers only queue answers: the
 * polling relay sends them (one thread), so killing a worker never repeats
 * an answer, and the pacing holds for the whole bot.  A worker on another
 * device than the polling relay's (its own store) sends its store's
 * answers itself, on a thread of its own, claimed and paced as the relay's
 * sender does (per process).
 */
int telegram_worker(const struct telegram_worker_opts *o, struct err *e);

/* Dead letters in Redis (server.redis set), for `nestor status`. */
int telegram_dead_letters(struct config *cfg, long long *count, struct err *e);

/* Whether a token is there (the secret "telegram"). */
bool telegram_configured(void);

/* Relay until *stop.  -1 with e on what cannot get better by waiting: no
 * token, a token Telegram refuses (401), a webhook or another poller
 * (409: e names which), a database error. */
int telegram_run(const struct telegram_opts *o, struct err *e);

/*
 * The relay on a thread of its own (`nestor daemon`), with its own
 * connection to db_path and its own copy of the config at config_path:
 * NULL (logged) when no token is configured or it cannot start.  A fatal
 * error (401, 409) ends the thread, logged; the caller goes on.
 * telegram_thread_stop() asks it to stop, waits and frees.
 */
struct telegram_thread;
struct telegram_thread *telegram_thread_start(const char *db_path, const char *config_path,
					      const char *user);
void telegram_thread_stop(struct telegram_thread *t);

/* A new one-time code for user_id, valid TELEGRAM_CODE_TTL seconds; group:
 * one that links a group (any code links a private chat). */
int telegram_link_code(struct store *s, long long user_id, bool group, time_t now,
		       char code[TELEGRAM_CODE_SIZE], time_t *expires, struct err *e);

/* Unlink chat_id from its user; ERR_NOTFOUND when it is not linked. */
int telegram_unlink_chat(struct store *s, long long chat_id, struct err *e);

/* With server.redis: code was made in store s (for a group: group), so its
 * "/start CODE" goes to the workers of s's device, which becomes the chat's
 * home unless the code cannot link it (a private chat's code in a group;
 * telegram-redis.c; 0 without server.redis). */
int telegram_redis_code(struct config *cfg, struct store *s, const char *code, bool group,
			struct err *e);
/* With server.redis: chat_id was unlinked in store s; it has no home any
 * more if s's device was its home (best effort: a failure is logged, and
 * the chat's updates still come to s, which answers them as unlinked). */
void telegram_redis_unhome(struct config *cfg, struct store *s, long long chat_id);

/* What `nestor telegram status` shows. */
struct telegram_status {
	char *bot;	 /* @username from getMe, or NULL */
	char *bot_error; /* why getMe failed, or NULL */
	long long offset;
	time_t last_ok; /* the last successful poll, 0: never */
	char *last_error;
	time_t last_error_at;
	long outbox;
	struct tgstore_chat *chats;
	size_t nchats;
	/* With server.redis: */
	bool redis;
	char *redis_error;		   /* Redis could not be asked, or NULL */
	char *poller;			   /* the lock's holder, or NULL */
	char stream[64];		   /* this store's device's stream */
	long long waiting;		   /* updates no worker took yet (of stream) */
	long long pending;		   /* taken, not finished */
	long long dead;			   /* dead letters */
	struct rstream_dead *dead_letters; /* the last few, newest first */
	size_t ndead;
};
/* Ask getMe only when ask_bot. */
int telegram_status(struct store *s, struct config *cfg, bool ask_bot, struct telegram_status *st,
		    struct err *e);
void telegram_status_release(struct telegram_status *st);

/*
 * The telegram channel of the scheduler (sched_deliver contract): queue
 * the reminder f for the chat linked to its user, with the buttons Done,
 * Snooze 10 min and Snooze 1 h, in one transaction.  Queued once per
 * occurrence: a second call for the same occurrence (a re-claim after a
 * crash) queues nothing.  1 (skipped) when the user has no linked chat.
 */
int telegram_deliver(struct store *s, const struct sched_fire *f, time_t now, struct err *e);

#endif
