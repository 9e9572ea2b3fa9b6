#include "telegram-int.h"
#include "log.h"
#include "replica.h"
#include "secret.h"
#include "wallclock.h"
#include "xalloc.h"

#include <cjson/cJSON.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#define BACKOFF_MAX   60  /* seconds between tries while Telegram is away */
#define DRAIN_BATCH   200 /* outbox entries looked at per pass */
#define CLAIM_LEASE   30  /* seconds an entry claimed by a sender stays its own, by default */
#define TURN_TRIES    3	  /* times the database may refuse a turn before it is answered as failed */
#define CODE_ALPHABET "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"

/* Sleep ms, waking every 50 ms to look at *stop; false when stopped. */
bool tg_nap(const atomic_int *stop, long ms)
{
	while (ms > 0) {
		long step = ms > 50 ? 50 : ms;

		if (stop && atomic_load(stop))
			return false;
		usleep((useconds_t)step * 1000);
		ms -= step;
	}
	return !(stop && atomic_load(stop));
}

/* Seconds to wait before try number n (1, 2, 4 ... BACKOFF_MAX) with up
 * to a quarter more of jitter. */
long tg_backoff(int n)
{
	long base = n >= 6 ? BACKOFF_MAX : 1L << n;
	unsigned r = 0;

	if (base > BACKOFF_MAX)
		base = BACKOFF_MAX;
	if (getrandom(&r, sizeof(r), 0) != (ssize_t)sizeof(r))
		r = (unsigned)monotonic_ms();
	return base + (long)(r % (unsigned)(base / 4 + 1));
}

bool telegram_configured(void)
{
	char *token = NULL;
	struct err e = { 0, "" };
	bool ok = secret_get(TELEGRAM_SECRET, &token, &e) == 0 && token && *token;

	secret_free(token);
	return ok;
}

int tg_client_init(struct tg_relay *r, struct config *cfg, struct err *e)
{
	const char *url = config_get(cfg, "telegram.api_url");

	if (secret_get(TELEGRAM_SECRET, &r->token, e) < 0) {
		err_prefix(e, "no bot token");
		return -1;
	}
	r->client.base = url && *url ? url : TG_DEFAULT_URL;
	r->client.token = r->token;
	r->client.timeout_ms = config_get_int(cfg, "telegram.send_timeout");
	return 0;
}

static struct pace *pace_of(struct drain *d, long long chat)
{
	for (size_t i = 0; i < d->npaces; i++)
		if (d->paces[i].chat == chat)
			return &d->paces[i];
	d->paces = xrealloc(d->paces, (d->npaces + 1) * sizeof(*d->paces));
	d->paces[d->npaces] = (struct pace){ chat, 0 };
	return &d->paces[d->npaces++];
}

/* The entry's Bot API parameters without the relay's own fields: plain,
 * and resend (*resend: a send timed out goes again). */
static cJSON *params_of(const struct tgstore_out *o, char **plain, bool *resend)
{
	cJSON *p = cJSON_Parse(o->payload);
	cJSON *pl = cJSON_DetachItemFromObjectCaseSensitive(p, "plain");
	cJSON *rs = cJSON_DetachItemFromObjectCaseSensitive(p, "resend");

	*plain = cJSON_IsString(pl) ? xstrdup(pl->valuestring) : NULL;
	*resend = cJSON_IsTrue(rs) || cJSON_GetObjectItemCaseSensitive(p, "reply_markup");
	cJSON_Delete(pl);
	cJSON_Delete(rs);
	return p;
}

/* Make the call of entry o.  0 sent (or given up); 1 wait: *wait_ms for
 * its chat, or its next_attempt was moved; -1 database error. */
static int send_one(struct tg_relay *r, struct drain *d, const struct tgstore_out *o, long *wait_ms,
		    struct err *e)
{
	char *plain = NULL;
	bool resend;
	cJSON *p = params_of(o, &plain, &resend), *res = NULL;
	struct tg_status st;
	struct err ce = { 0, "" };
	time_t now = wallclock_now();
	int rc;

	*wait_ms = 0;
	if (!p) {
		log_error("telegram: outbox entry %lld is not JSON (dropped)", o->id);
		free(plain);
		return tgstore_out_done(r->s, o->id, e);
	}
	rc = tg_call(&r->client, o->op, p, 0, &res, &st, &ce);
	if (rc < 0 && tg_status_bad_entities(&st) && plain) {
		cJSON_DeleteItemFromObjectCaseSensitive(p, "parse_mode");
		cJSON_ReplaceItemInObjectCaseSensitive(p, "text", cJSON_CreateString(plain));
		log_warn("telegram: %s (sending it as plain text)", ce.msg);
		rc = tg_call(&r->client, o->op, p, 0, &res, &st, &ce);
	}
	cJSON_Delete(p);
	free(plain);
	if (rc == 0) {
		long long mid = tg_id(res, "message_id");

		d->sent++;
		if (mid > 0 && tgstore_button_sent(r->s, o->id, mid, e) < 0) {
			cJSON_Delete(res);
			return -1;
		}
		cJSON_Delete(res);
		return tgstore_out_done(r->s, o->id, e);
	}
	if (st.code == 429) {
		long ms = (st.retry_after > 0 ? st.retry_after : 1) * 1000;

		log_warn("telegram: %s (waiting %ld s)", ce.msg, ms / 1000);
		*wait_ms = ms;
		return 1;
	}
	/* A message has no idempotency key: one that went out and was not
	 * confirmed in time may be in the chat already.  A reply is sent at
	 * most once; a reminder (resend) at least once, a duplicate being
	 * better than a reminder missed.  Edits and callback answers do the
	 * same thing twice: sent again. */
	if (st.timed_out && !resend && !strcmp(o->op, "sendMessage")) {
		log_warn(
			"telegram: %s (a reply to chat %lld, not sent again: Telegram may have it)",
			ce.msg, o->chat_id);
		return tgstore_out_done(r->s, o->id, e);
	}
	if (st.code == 0 || st.code >= 500) {
		long secs = tg_backoff(o->attempts);

		log_warn("telegram: %s (again in %ld s)", ce.msg, secs);
		if (tgstore_out_retry(r->s, o->id, now + secs, e) < 0)
			return -1;
		return 1;
	}
	log_error("telegram: %s (message to chat %lld dropped)", ce.msg, o->chat_id);
	return tgstore_out_done(r->s, o->id, e);
}

/* Before sending claimed entry o (claimed until *until): true when it is
 * still this process's for the whole send, its claim extended when less
 * than d->margin is left; false when another process took it over. */
static int claim_hold(struct tg_relay *r, const struct drain *d, const struct tgstore_out *o,
		      time_t *until, bool *ours, struct err *e)
{
	time_t now = wallclock_now();
	long lease = d->lease > 0 ? d->lease : CLAIM_LEASE;

	*ours = true;
	if (*until - now > d->margin)
		return 0;
	if (tgstore_out_reclaim(r->s, o->id, *until, now + lease, ours, e) < 0)
		return -1;
	if (*ours)
		*until = now + lease;
	return 0;
}

int tg_drain(struct tg_relay *r, struct drain *d, long *next_ms, struct err *e)
{
	struct tgstore_out *out;
	size_t n;
	long long *held = NULL;
	size_t nheld = 0;
	long pending;
	time_t next_at, *until;
	bool *gone;
	time_t now = wallclock_now();
	long lease = d->lease > 0 ? d->lease : CLAIM_LEASE;
	int frc = 0;

	*next_ms = -1;
	if ((d->claim ? tgstore_out_claim(r->s, now, now + lease, DRAIN_BATCH, &out, &n, e)
		      : tgstore_out_due(r->s, now, DRAIN_BATCH, &out, &n, e)) < 0)
		return -1;
	gone = xcalloc(n + 1, sizeof(*gone));
	until = xcalloc(n + 1, sizeof(*until));
	for (size_t i = 0; i < n; i++)
		until[i] = now + lease;
	for (size_t i = 0; i < n && !(r->stop && atomic_load(r->stop)); i++) {
		struct pace *pc;
		bool skip = false, ours;
		long long now_ms = monotonic_ms();
		long wait = 0;
		int rc;

		for (size_t k = 0; k < nheld; k++)
			skip |= held[k] == out[i].chat_id;
		if (skip)
			continue;
		pc = pace_of(d, out[i].chat_id);
		if (pc->next_ms > now_ms) {
			long w = (long)(pc->next_ms - now_ms);

			if (*next_ms < 0 || w < *next_ms)
				*next_ms = w;
			held = xrealloc(held, (nheld + 1) * sizeof(*held));
			held[nheld++] = out[i].chat_id;
			continue;
		}
		if (d->global_ms > now_ms)
			tg_nap(r->stop, (long)(d->global_ms - now_ms));
		if (d->leading && !d->leading(d->arg))
			break;
		if (d->claim) {
			if (claim_hold(r, d, &out[i], &until[i], &ours, e) < 0) {
				frc = -1;
				break;
			}
			if (!ours) {
				gone[i] = true; /* another process sends it */
				continue;
			}
		}
		rc = send_one(r, d, &out[i], &wait, e);
		gone[i] = rc >= 0 && !(rc > 0 && wait);
		now_ms = monotonic_ms();
		d->global_ms = now_ms + d->gap_ms;
		pc = pace_of(d, out[i].chat_id);
		pc->next_ms = now_ms + (wait > d->interval_ms ? wait : d->interval_ms);
		if (rc < 0) {
			frc = -1;
			break;
		}
		if (rc > 0 && wait && d->claim) {
			gone[i] = true;
			if (tgstore_out_reclaim(r->s, out[i].id, until[i],
						wallclock_now() + (wait + 999) / 1000, &ours,
						e) < 0) {
				frc = -1;
				break;
			}
		}
		if (rc > 0) {
			held = xrealloc(held, (nheld + 1) * sizeof(*held));
			held[nheld++] = out[i].chat_id;
			if (wait && (*next_ms < 0 || wait < *next_ms))
				*next_ms = wait;
		}
	}
	/* What this pass claimed but did not send goes back as it was, unless
	 * another process claimed it since. */
	for (size_t i = 0; d->claim && i < n; i++) {
		struct err ue = { 0, "" };
		bool ours;

		if (!gone[i] && tgstore_out_reclaim(r->s, out[i].id, until[i], out[i].next_attempt,
						    &ours, &ue) < 0)
			log_error("telegram: %s", ue.msg);
	}
	free(gone);
	free(until);
	free(held);
	tgstore_out_free(out, n);
	if (frc < 0 || tgstore_out_pending(r->s, &pending, &next_at, e) < 0)
		return -1;
	if (pending && *next_ms < 0) {
		long secs = (long)(next_at - wallclock_now());

		*next_ms = secs > 0 ? secs * 1000 : d->interval_ms;
	}
	return 0;
}

struct offset_hook {
	struct tg_relay *r;
	long long update_id;
};

/* The update is still to do: the stored offset has not passed it. */
static int offset_check(void *arg, struct err *e)
{
	struct offset_hook *h = arg;
	long long stored;

	if (tgstore_offset(h->r->s, &stored, e) < 0)
		return -1;
	return stored > h->update_id;
}

static int offset_finish(void *arg, struct err *e)
{
	struct offset_hook *h = arg;

	return tgstore_set_offset(h->r->s, h->update_id + 1, e);
}

/* Update u's turn failed (e).  The request itself refused (ERR_USAGE:
 * not UTF-8, a control character...) fails the same way each time: it is
 * answered at once.  Otherwise the database refused it (busy, full): 1 to
 * try it again after a pause, the first TURN_TRIES times; then it is
 * answered as failed.  Answered: the offset after it (0), or, when even
 * that cannot be stored, 1 again (the relay waits for the database rather
 * than stop). */
static int turn_refused(struct tg_relay *r, const struct tg_update *u, long long *offset,
			time_t now, struct err *e)
{
	char why[sizeof(e->msg)];

	if (u->update_id != r->retry_update) {
		r->retry_update = u->update_id;
		r->retries = 0;
	}
	if (++r->retries < TURN_TRIES && e->code != ERR_USAGE) {
		log_warn("telegram: update %lld: %s (tried again after a pause)", u->update_id,
			 e->msg);
		err_clear(e);
		return 1;
	}
	snprintf(why, sizeof(why), "%s", e->msg);
	err_clear(e);
	if (store_begin(r->s, e) < 0)
		goto again;
	if (tg_turn_give_up(r, u, why, now, e) < 0 ||
	    tgstore_set_offset(r->s, u->update_id + 1, e) < 0) {
		store_rollback(r->s);
		goto again;
	}
	if (store_commit(r->s, e) < 0)
		goto again;
	*offset = u->update_id + 1;
	r->retries = 0;
	return 0;
again:
	log_error("telegram: update %lld: %s (tried again after a pause)", u->update_id, e->msg);
	err_clear(e);
	return 1;
}

/* One update in one transaction with the offset after it; an engine turn
 * as short ones (tg_turn), the offset in its last.  1: the database
 * refused the turn, try it again after a pause (the offset stays). */
static int process(struct tg_relay *r, const cJSON *item, long long *offset, struct err *e)
{
	struct tg_update u;
	struct tg_prep p;
	struct err te = { 0, "" };
	time_t now = wallclock_now();
	const char *text;
	int rc = -1;

	if (tg_update_parse(item, &u) < 0) {
		log_warn("telegram: an update without a valid update_id (skipped)");
		return 0;
	}
	/* Telegram sends them in order; one below the offset is done already
	 * (going back to after it would fetch the ones after it again), unless
	 * the whole batch is (renumbered()) */
	if (u.update_id < *offset) {
		log_warn("telegram: update %lld is before the offset %lld (skipped)", u.update_id,
			 *offset);
		return 0;
	}
	tg_prepare(r, &u, now, &p);
	text = tg_turn_text(r, &u, &te);
	if (te.code) {
		*e = te;
		goto out;
	}
	if (text) {
		struct offset_hook oh = { r, u.update_id };
		struct tg_turn_hooks h = { &oh, offset_check, offset_finish };

		rc = tg_turn(r, &u, text, &h, now, e);
		if (rc >= 0) {
			*offset = u.update_id + 1;
			rc = 0;
		} else {
			rc = turn_refused(r, &u, offset, now, e);
		}
		goto out;
	}
	if (store_begin(r->s, e) < 0)
		goto out;
	/* Handled as a whole now (its chat unlinked meanwhile...): a turn it
	 * left half done, if any, is over. */
	if (tg_handle(r, &u, &p, now, e) < 0 || tg_turn_forget(r, u.chat_id, u.update_id, e) < 0 ||
	    tgstore_set_offset(r->s, u.update_id + 1, e) < 0) {
		store_rollback(r->s);
		goto out;
	}
	if (store_commit(r->s, e) < 0)
		goto out;
	*offset = u.update_id + 1;
	rc = 0;
out:
	tg_prep_release(&p);
	return rc;
}

int tg_fatal_poll(const struct tg_status *st, struct err *e)
{
	if (st->code == 401)
		return err_set(e, ERR_FAIL,
			       "Telegram refused the bot token (401 Unauthorized); set it again "
			       "with `nestor secret set " TELEGRAM_SECRET "`");
	if (tg_status_webhook(st))
		return err_set(e, ERR_FAIL,
			       "a webhook is set for this bot, so it cannot poll (409 Conflict); "
			       "`nestor telegram run --delete-webhook` removes it");
	return err_set(e, ERR_FAIL,
		       "another process polls this bot's updates (409 Conflict: %s); stop it "
		       "first",
		       st->description);
}

void tg_note(struct tg_relay *r, const char *error, long pushed, long pulled)
{
	struct err ne = { 0, "" };

	if (replica_note(r->s, TGSTORE_TARGET, wallclock_now(), error, pushed, pulled, &ne) < 0)
		log_error("telegram: %s", ne.msg);
}

#define USERNAME_CHARS "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_"

/* The bot's username in getMe's answer me: NULL when it has none (no
 * field, or null), else what Telegram allows in one (1 to 32 of A-Z, a-z,
 * 0-9 and '_'); anything else is an answer no Bot API gives, and an error
 * (-1). */
static int bot_username(const cJSON *me, const char **name, struct err *e)
{
	const cJSON *u = cJSON_GetObjectItemCaseSensitive(me, "username");
	size_t n;

	*name = NULL;
	if (!u || cJSON_IsNull(u))
		return 0;
	n = cJSON_IsString(u) ? strspn(u->valuestring, USERNAME_CHARS) : 0;
	if (!n || n > 32 || u->valuestring[n])
		return err_set(e, ERR_FAIL,
			       "telegram: getMe: the bot's username is not a Telegram username "
			       "(1 to 32 of A-Z, a-z, 0-9, _)");
	*name = u->valuestring;
	return 0;
}

int tg_start(struct tg_relay *r, const struct telegram_opts *o, struct err *e)
{
	struct tg_status st;
	cJSON *me = NULL, *res = NULL;
	const char *name;

	if (o->delete_webhook) {
		if (tg_call(&r->client, "deleteWebhook", NULL, 0, &res, &st, e) < 0)
			return -1;
		cJSON_Delete(res);
		log_info("telegram: webhook deleted");
	}
	if (tg_call(&r->client, "getMe", NULL, 0, &me, &st, e) < 0) {
		if (st.code == 401)
			return tg_fatal_poll(&st, e);
		return -1;
	}
	if (bot_username(me, &name, e) < 0) {
		cJSON_Delete(me);
		return -1;
	}
	snprintf(r->bot, sizeof(r->bot), "%s", name ? name : "");
	log_info("telegram: polling as @%s", name ? name : "?");
	tg_set_commands(r);
	if (o->ready)
		o->ready(o->arg, name ? name : "");
	cJSON_Delete(me);
	return 0;
}

void tg_learn_bot(struct tg_relay *r)
{
	struct err e = { 0, "" };
	struct tg_status st;
	cJSON *me = NULL;
	const char *name;

	if (tg_call(&r->client, "getMe", NULL, 0, &me, &st, &e) < 0 ||
	    bot_username(me, &name, &e) < 0)
		/* bot_username()'s own errors begin with "telegram: " */
		log_warn("telegram: %s (commands to any bot are answered)",
			 e.msg + (strncmp(e.msg, "telegram: ", 10) ? 0 : 10));
	else
		snprintf(r->bot, sizeof(r->bot), "%s", name ? name : "");
	cJSON_Delete(me);
}

long long tg_renumbered_from(const cJSON *res, long long offset)
{
	const cJSON *item;
	long long low = 0;

	cJSON_ArrayForEach(item, res) {
		long long id = tg_id(item, "update_id");

		if (id <= 0)
			continue;
		if (id >= offset)
			return 0;
		if (!low || id < low)
			low = id;
	}
	return low;
}

/* A batch numbered anew (tg_renumbered_from()) is no updates done already
 * (the ones the offset confirmed do not come again): the stored offset
 * goes back to its lowest update, so they are all answered and the offset
 * goes on after them.  A batch with any update at or past the offset is
 * no new numbering: one below the offset there is skipped, as one out of
 * order.  1: a new numbering, 0: none, -1: the offset could not be
 * stored. */
static int renumbered(struct tg_relay *r, const cJSON *res, long long *offset, struct err *e)
{
	long long low = tg_renumbered_from(res, *offset);

	if (!low)
		return 0;
	if (tgstore_reset_offset(r->s, low, e) < 0)
		return -1;
	log_warn("telegram: updates numbered anew from %lld, below the offset %lld (the offset "
		 "starts again there)",
		 low, *offset);
	*offset = low;
	return 1;
}

/* One getUpdates of at most wait seconds, its updates processed.
 * 1: a failure worth waiting out (*retry seconds), -1 fatal. */
static int poll_once(struct tg_relay *r, long long *offset, long wait, long *retry, int *fails,
		     struct err *e)
{
	cJSON *params = cJSON_CreateObject(), *res = NULL, *item;
	struct tg_status st;
	struct err pe = { 0, "" };
	long n = 0;
	int rc;

	cJSON_AddNumberToObject(params, "offset", (double)*offset);
	cJSON_AddNumberToObject(params, "timeout", (double)wait);
	cJSON_AddItemToObject(params, "allowed_updates", cJSON_Parse(TG_ALLOWED_UPDATES));
	rc = tg_call(&r->client, "getUpdates", params, wait, &res, &st, &pe);
	cJSON_Delete(params);
	if (rc < 0) {
		if (r->stop && atomic_load(r->stop))
			return 0;
		if (st.code == 401 || st.code == 409) {
			tg_note(r, pe.msg, 0, 0);
			return tg_fatal_poll(&st, e);
		}
		*retry = st.code == 429 && st.retry_after > 0 ? st.retry_after : tg_backoff(*fails);
		++*fails;
		log_warn("telegram: %s (again in %ld s)", pe.msg, *retry);
		tg_note(r, pe.msg, 0, 0);
		return 1;
	}
	*fails = 0;
	if (renumbered(r, res, offset, &pe) < 0) {
		log_error("telegram: %s (tried again after a pause)", pe.msg);
		tg_note(r, pe.msg, 0, 0);
		cJSON_Delete(res);
		*retry = tg_backoff(0);
		return 1;
	}
	cJSON_ArrayForEach(item, res) {
		rc = process(r, item, offset, e);
		if (rc < 0) {
			cJSON_Delete(res);
			return -1;
		}
		if (rc > 0) {
			/* The rest of the batch comes again with the offset. */
			*retry = tg_backoff(r->retries - 1);
			break;
		}
		n++;
	}
	cJSON_Delete(res);
	tg_note(r, NULL, 0, n);
	return rc > 0 ? 1 : 0;
}

int telegram_run(const struct telegram_opts *o, struct err *e)
{
	struct tg_relay r = { .s = o->store, .cfg = o->cfg, .stop = o->stop };
	struct drain d = { 0 };
	long long offset = 0, next_prune = 0;
	long poll = config_get_int(o->cfg, "telegram.poll_timeout");
	long rate = config_get_int(o->cfg, "telegram.rate");
	int fails = 0, rc = -1;

	d.interval_ms = config_get_int(o->cfg, "telegram.chat_interval");
	d.gap_ms = rate > 0 ? 1000 / rate : 0;
	r.client.cancel = o->stop;
	if (tg_client_init(&r, o->cfg, e) < 0)
		return -1;
	if (telegram_redis(o->cfg)) {
		rc = tg_redis_poll(&r, o, e);
		secret_free(r.token);
		return rc;
	}
	r.eng = engine_new(r.s, o->cfg, e);
	if (!r.eng || tgstore_offset(r.s, &offset, e) < 0 || tg_start(&r, o, e) < 0)
		goto out;
	while (!(o->stop && atomic_load(o->stop))) {
		long next_ms, retry = 0, wait = poll;
		int prc;

		tg_prune(r.s, true, &next_prune);
		if (tg_drain(&r, &d, &next_ms, e) < 0)
			goto out;
		if (next_ms >= 0 && next_ms < 1000) {
			tg_nap(o->stop, next_ms);
			continue;
		}
		if (next_ms >= 0 && next_ms / 1000 < wait)
			wait = next_ms / 1000;
		prc = poll_once(&r, &offset, wait, &retry, &fails, e);
		if (prc < 0)
			goto out;
		if (prc > 0)
			tg_nap(o->stop, retry * 1000);
	}
	rc = 0;
out:
	if (d.sent)
		tg_note(&r, NULL, d.sent, 0);
	engine_free(r.eng);
	free(d.paces);
	secret_free(r.token);
	return rc;
}

int telegram_link_code(struct store *s, long long user_id, bool group, time_t now,
		       char code[TELEGRAM_CODE_SIZE], time_t *expires, struct err *e)
{
	unsigned char rnd[TELEGRAM_CODE_SIZE - 1];

	if (getrandom(rnd, sizeof(rnd), 0) != (ssize_t)sizeof(rnd))
		return err_set(e, ERR_FAIL, "no random numbers for a code");
	for (size_t i = 0; i < sizeof(rnd) - 3; i++)
		code[i] = CODE_ALPHABET[rnd[i] % (sizeof(CODE_ALPHABET) - 1)];
	code[sizeof(rnd) - 3] = '\0';
	*expires = now + TELEGRAM_CODE_TTL;
	return tgstore_code_add(s, code, user_id, group, *expires, e);
}

int telegram_status(struct store *s, struct config *cfg, bool ask_bot, struct telegram_status *st,
		    struct err *e)
{
	struct replica_status *rs;
	size_t nrs;
	time_t next;
	char dev[33] = "";

	memset(st, 0, sizeof(*st));
	/* The reads that may fail before anything is kept in st. */
	if ((telegram_redis(cfg) && replica_device(s, dev, sizeof(dev), e) < 0) ||
	    tgstore_offset(s, &st->offset, e) < 0 ||
	    tgstore_out_pending(s, &st->outbox, &next, e) < 0 ||
	    replica_status(s, &rs, &nrs, e) < 0)
		return -1;
	if (tgstore_chats(s, &st->chats, &st->nchats, e) < 0) {
		replica_status_free(rs, nrs);
		return -1;
	}
	for (size_t i = 0; i < nrs; i++)
		if (!strcmp(rs[i].target, TGSTORE_TARGET)) {
			st->last_ok = rs[i].last_ok;
			st->last_error = rs[i].last_error ? xstrdup(rs[i].last_error) : NULL;
			st->last_error_at = rs[i].last_error_at;
		}
	replica_status_free(rs, nrs);
	if (telegram_redis(cfg))
		tg_redis_status(cfg, dev, st);
	if (ask_bot) {
		struct tg_relay r = { 0 };
		struct tg_status ts;
		struct err be = { 0, "" };
		cJSON *me = NULL;

		const char *name;

		if (tg_client_init(&r, cfg, &be) == 0 &&
		    tg_call(&r.client, "getMe", NULL, 0, &me, &ts, &be) == 0 &&
		    bot_username(me, &name, &be) == 0) {
			st->bot = xstrdup(name ? name : "?");
		} else {
			st->bot_error = xstrdup(be.msg);
		}
		cJSON_Delete(me);
		secret_free(r.token);
	}
	return 0;
}

void telegram_status_release(struct telegram_status *st)
{
	free(st->bot);
	free(st->bot_error);
	free(st->last_error);
	tgstore_chats_free(st->chats, st->nchats);
	free(st->redis_error);
	free(st->poller);
	rstream_dead_free(st->dead_letters, st->ndead);
	memset(st, 0, sizeof(*st));
}

int telegram_unlink_chat(struct store *s, long long chat_id, struct err *e)
{
	return tgstore_unlink(s, chat_id, e);
}

struct telegram_thread {
	pthread_t tid;
	atomic_int stop;
	struct store *s;
	struct config *cfg;
};

static void *relay_main(void *arg)
{
	struct telegram_thread *t = arg;
	struct telegram_opts o = { .store = t->s, .cfg = t->cfg, .stop = &t->stop };
	struct err e = { 0, "" };

	if (telegram_run(&o, &e) < 0)
		log_error("telegram: %s (the relay stopped)", e.msg);
	return NULL;
}

struct telegram_thread *telegram_thread_start(const char *db_path, const char *config_path,
					      const char *user)
{
	struct telegram_thread *t;
	struct err e = { 0, "" };

	if (!telegram_configured())
		return NULL;
	t = xcalloc(1, sizeof(*t));
	t->cfg = config_load(config_path, NULL, &e);
	t->s = t->cfg ? store_open(db_path, &e) : NULL;
	(void)user;
	if (!t->s || pthread_create(&t->tid, NULL, relay_main, t) != 0) {
		log_error("telegram: %s (no relay)", e.msg[0] ? e.msg : "cannot start a thread");
		store_free(t->s);
		config_free(t->cfg);
		free(t);
		return NULL;
	}
	return t;
}

void telegram_thread_stop(struct telegram_thread *t)
{
	if (!t)
		return;
	atomic_store(&t->stop, 1);
	pthread_join(t->tid, NULL);
	store_free(t->s);
	config_free(t->cfg);
	free(t);
}
