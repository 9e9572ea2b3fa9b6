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
};

/* Handle update u at now: its effects and answers (queued in the outbox),
 * inside the caller's transaction.  -1 only on a database error: the
 * caller rolls back and the update comes again. */
int tg_handle(struct tg_relay *r, const struct tg_update *u, time_t now, struct err *e);

/* Queue text for chat_id: split into messages Telegram accepts, each sent
 * as HTML with the text escaped (markup: a reply_markup object for the
 * last piece, or NULL).  *last: the last entry's outbox id (may be NULL). */
int tg_queue_text(struct store *s, long long chat_id, const char *text, const char *markup,
		  time_t now, long long *last, struct err *e);

/* setMyCommands in English and Russian. */
void tg_set_commands(struct tg_relay *r);

#endif
