/*
 * telegram-redis.c - the relay scaled out through Redis (server.redis): the
 * poller that feeds the stream while it holds the lock, and `nestor
 * worker`, which handles the stream's updates as the relay would
 * (telegram.h; the Redis side is sync/rstream.h).
 */
#include "telegram-int.h"
#include "log.h"
#include "replica.h"
#include "rstream.h"
#include "secret.h"
#include "utf8.h"
#include "wallclock.h"
#include "xalloc.h"

#include <cjson/cJSON.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* A worker reads one entry at a time, so an entry waits in the stream for
 * the first free worker, not behind its reader's slow turns (a model's
 * answer). */
#define REDIS_TIMEOUT 5000  /* ms for a Redis command */
#define READ_BATCH    1	    /* entries a worker reads at once */
#define CLAIM_BATCH   16    /* entries of dead workers taken over at once */
#define HOLD_BLOCK    20    /* ms to wait for new entries while some are held */
#define IDLE_BLOCK    500   /* ms to wait for new entries otherwise */
#define DEAD_SHOWN    10    /* dead letters `telegram status` lists */
#define HOLD_MAX      60000 /* ms an update waits for its chat's previous one, at least */
#define SEND_IDLE     25    /* ms between looks at the outbox when nothing is due */
#define POLL_FAILS    3	    /* failed polls in a row before the lock is let go */

/* The member of the short body that stands in the stream for an update
 * over RSTREAM_MAX bytes: its size.  The body keeps the update's id, chat
 * and language, so its chat is answered that it was refused. */
#define TOO_BIG "nestor_too_big"

bool telegram_redis(struct config *cfg)
{
	const char *url = cfg ? config_get(cfg, "server.redis") : NULL;

	return url && *url;
}

/* (Re)connect rs when it has no connection, with the password of the
 * secret "redis" if there is one, to work on the stream of device (NULL:
 * no stream); -1 with e when it cannot. */
static int connected(struct rstream *rs, struct config *cfg, const char *device, struct err *e)
{
	char *pw = NULL;
	struct err se = { 0, "" };
	int rc;

	if (rs->r)
		return 0;
	if (secret_get(RDS_SECRET, &pw, &se) < 0 && se.code != ERR_NOTFOUND) {
		*e = se;
		return -1;
	}
	rc = rstream_open(rs, config_get(cfg, "server.redis"), pw, REDIS_TIMEOUT, e);
	secret_free(pw);
	if (rc == 0 && device && rstream_device(rs, device, e) < 0) {
		rstream_close(rs);
		return -1;
	}
	return rc;
}

/* A Redis failure: log it once per run of failures, drop the connection. */
static void redis_down(struct rstream *rs, const struct err *re, int *fails)
{
	if (!(*fails)++)
		log_error("telegram: %s", re->msg);
	rstream_close(rs);
}

/* The body that stands for update u of len bytes (newly allocated); its
 * language only when it is a short code of letters and '-'. */
static char *too_big_body(const struct tg_update *u, size_t len)
{
	static const char letters[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ-";
	const char *lang = u->lang;

	if (lang && (!*lang || strlen(lang) > 16 || lang[strspn(lang, letters)]))
		lang = NULL;
	/* No chat to answer (an edit, a channel's post): only its id, which
	 * the worker marks done like any update it does not handle. */
	if (!u->chat_id)
		return xasprintf("{\"update_id\":%lld}", u->update_id);
	return xasprintf("{\"update_id\":%lld,\"" TOO_BIG
			 "\":%zu,\"message\":{\"chat\":{\"id\":%lld%s},\"from\":{%s%s%s}}}",
			 u->update_id, len, u->chat_id, u->group ? ",\"type\":\"group\"" : "",
			 lang ? "\"language_code\":\"" : "", lang ? lang : "", lang ? "\"" : "");
}

/* Add the updates of one getUpdates answer, asked with offset, for bot
 * (its username): a command addressed to another bot names no link code
 * (it goes where the chat's updates go, and is ignored there).  false
 * when the lock was lost (or Redis failed) on the way. */
static bool feed(struct rstream *rs, const char *device, const char *bot, long long offset,
		 cJSON *res, long *n, struct err *e)
{
	const cJSON *item;

	cJSON_ArrayForEach(item, res) {
		struct tg_update u;
		struct rstream_update ru;
		char code[RSTREAM_CODE_MAX + 1];
		char *body;
		int added = 0, rc;

		if (tg_update_parse(item, &u) < 0) {
			log_warn("telegram: an update without a valid update_id (skipped)");
			continue;
		}
		body = cJSON_PrintUnformatted(item);
		/* another bot's "/start CODE" links nothing: not routed by it */
		ru = (struct rstream_update){ .update_id = u.update_id,
					      .chat_id = u.chat_id,
					      .to = tg_callback_device(&u),
					      .body = body };
		if (!tg_other_bot(bot, &u))
			ru.code = tg_start_code(&u, code, sizeof(code));
		if (!body || strlen(body) > RSTREAM_MAX) {
			size_t len = body ? strlen(body) : 0;

			log_warn("telegram: update %lld is over %d bytes (passed on without its "
				 "content)",
				 u.update_id, RSTREAM_MAX);
			free(body);
			body = too_big_body(&u, len);
			ru.code = ru.to = NULL;
			ru.body = body;
		}
		rc = rstream_add(rs, &offset, &ru, device, &added, e);
		free(body);
		if (rc < 0)
			return false;
		if (added < 0) {
			log_warn("telegram: the poller's lock was lost (another relay polls now)");
			return false;
		}
		if (!added) {
			log_info(
				"telegram: the offset moved while this relay polled (another relay "
				"added these updates)");
			return true;
		}
		*n += added;
	}
	return true;
}

/* A getUpdates answer numbered anew (tg_renumbered_from()), asked with
 * offset: a new epoch of the numbering begins in Redis before its updates
 * are added, so each device's store forgets the updates of the old one
 * whose ids come again.  false when the lock was lost (or Redis failed). */
static bool numbered_anew(struct rstream *rs, long long offset, const cJSON *res, struct err *e)
{
	long long low = tg_renumbered_from(res, offset), epoch;

	if (!low)
		return true;
	if (rstream_renumber(rs, offset, low, &epoch, e) < 0)
		return false;
	if (epoch < 0) {
		log_warn("telegram: the poller's lock was lost (another relay polls now)");
		return false;
	}
	if (!epoch) /* another poller added the batch: feed() finds so */
		return true;
	log_warn("telegram: updates numbered anew from %lld, below the offset %lld (numbering "
		 "%lld)",
		 low, offset, epoch);
	return true;
}

/* Milliseconds on a clock that counts a suspended machine's sleep too
 * (CLOCK_BOOTTIME): the lock lapsed in Redis while it slept. */
static long long boot_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_BOOTTIME, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* The lock's keeper: a thread of its own, with its own connection to
 * Redis, takes the lock and renews it every ttl/3 (a getUpdates may take
 * longer than the lock lasts) while the poller is alive: it stores beat_ms
 * after each getUpdates (and each look while standing by), and a poller
 * stuck for longer than a poll may take (stale ms) lets the lock lapse.  A
 * poller that cannot reach Telegram asks for the lock's release (release)
 * and for none to be taken until pause_ms, so a standby may poll.
 * until_ms is when the lock lapses unless renewed, on the boot clock,
 * measured from before the renewal was asked: Redis keeps it at least that
 * long.  This relay leads (polls, sends) only while that is more than
 * ttl/3 away, so a relay that was frozen (SIGSTOP, a suspended machine)
 * knows it lost the lock the moment it runs again, before the keeper has
 * asked Redis. */
struct keeper {
	pthread_t tid;
	atomic_int stop;
	atomic_int release;
	atomic_llong until_ms; /* 0: not ours */
	atomic_llong beat_ms;
	atomic_llong pause_ms;
	struct rstream rs;
	struct config *cfg;
	long ttl;
	long long stale;
	char token[sizeof(((struct rstream *)0)->token)];
};

static bool leading(void *arg)
{
	struct keeper *k = arg;
	long long now = boot_ms();

	/* A release asked, or a pause, wins over a renewal the keeper had
	 * under way when they were asked. */
	return !atomic_load(&k->release) && now >= atomic_load(&k->pause_ms) &&
	       atomic_load(&k->until_ms) > now + k->ttl / 3;
}

/* (Re)connect rs as the keeper's lock holder (the same token). */
static int connected_as(struct rstream *rs, struct keeper *k, struct err *e)
{
	if (rs->r)
		return 0;
	if (connected(rs, k->cfg, NULL, e) < 0)
		return -1;
	memcpy(rs->token, k->token, sizeof(rs->token));
	return 0;
}

static void *keeper_main(void *arg)
{
	struct keeper *k = arg;
	int fails = 0;
	bool stuck = false;

	while (!atomic_load(&k->stop)) {
		struct err re = { 0, "" };
		long long t0 = boot_ms();
		bool held;

		if (atomic_exchange(&k->release, 0)) {
			atomic_store(&k->until_ms, 0);
			if (connected_as(&k->rs, k, &re) < 0 || rstream_unlock(&k->rs, &re) < 0)
				redis_down(&k->rs, &re, &fails); /* it lapses by itself */
		} else if (t0 < atomic_load(&k->pause_ms)) {
			atomic_store(&k->until_ms, 0);
		} else if (t0 - atomic_load(&k->beat_ms) > k->stale) {
			/* Whether a getUpdates hangs or the poller does, the lock
			 * lapses: a standby polls. */
			if (!stuck)
				log_warn("telegram: no poll for %lld s (the poller's lock is left "
					 "to lapse)",
					 (t0 - atomic_load(&k->beat_ms)) / 1000);
			stuck = true;
		} else if (connected_as(&k->rs, k, &re) < 0 ||
			   rstream_lock(&k->rs, k->ttl, &held, &re) < 0) {
			/* Whether it holds now is unknown: until_ms runs out by itself. */
			redis_down(&k->rs, &re, &fails);
		} else {
			fails = 0;
			stuck = false;
			/* A release asked meanwhile comes next round. */
			atomic_store(&k->until_ms,
				     held && !atomic_load(&k->release) ? t0 + k->ttl : 0);
		}
		tg_nap(&k->stop, k->ttl / 3 - (long)(boot_ms() - t0));
	}
	return NULL;
}

/* The poller is alive (after a getUpdates, or while it stands by). */
static void keeper_beat(struct keeper *k)
{
	atomic_store(&k->beat_ms, boot_ms());
}

/* The poller cannot reach Telegram: let the lock go (compare and delete)
 * and take none for pause_ms. */
static void keeper_yield(struct keeper *k, long pause_ms)
{
	atomic_store(&k->pause_ms, boot_ms() + pause_ms);
	atomic_store(&k->until_ms, 0);
	atomic_store(&k->release, 1);
}

/* stale: ms without a poll after which the keeper lets the lock lapse;
 * device: the store's, named in the lock's token. */
static struct keeper *keeper_start(struct config *cfg, long ttl, long long stale,
				   const char *device, struct err *e)
{
	struct keeper *k = xcalloc(1, sizeof(*k));

	k->cfg = cfg;
	k->ttl = ttl;
	k->stale = stale;
	keeper_beat(k);
	if (connected(&k->rs, cfg, NULL, e) < 0) {
		free(k);
		return NULL;
	}
	rstream_set_device(&k->rs, device);
	memcpy(k->token, k->rs.token, sizeof(k->token));
	if (pthread_create(&k->tid, NULL, keeper_main, k) != 0) {
		rstream_close(&k->rs);
		free(k);
		err_set(e, ERR_FAIL, "cannot start a thread to keep the poller's lock");
		return NULL;
	}
	return k;
}

/* Stop the keeper and let go of the lock if it holds it. */
static void keeper_stop(struct keeper *k)
{
	struct err ue = { 0, "" };

	if (!k)
		return;
	atomic_store(&k->stop, 1);
	pthread_join(k->tid, NULL);
	/* Compare and delete: harmless when the lock is another's or gone. */
	if (k->rs.r && rstream_unlock(&k->rs, &ue) < 0)
		log_warn("telegram: %s", ue.msg);
	rstream_close(&k->rs);
	free(k);
}

/* The answers are sent by the polling relay alone (a worker on another
 * device sends its store's: worker_sends()), on a thread of its own
 * with its own connection to the store: a worker killed at any moment has
 * sent nothing it has not deleted (only the sender's own death, between
 * Telegram's answer and the delete, can repeat a message), and the pacing
 * holds for the whole bot.  Entries are claimed (tgstore_out_claim) for
 * three lock times; the sender asks whether this relay still leads before
 * each send, and never sends an entry with less of its claim left than two
 * sends may take (it extends the claim first, and finds out so when
 * another relay took the entry over): a relay that lost the lock while it
 * sent, or was frozen, does not send again what the next one sends.  A
 * send's time out is telegram.send_timeout, not shortened with the lock: a
 * reminder timed out is sent again, and one Telegram was slow to confirm
 * would go twice (a reply is not: send_one in telegram.c). */
struct sender {
	pthread_t tid;
	atomic_int stop;
	struct tg_relay r;
	struct drain d;
};

static void *sender_main(void *arg)
{
	struct sender *sd = arg;

	while (!atomic_load(&sd->stop)) {
		struct err e = { 0, "" };
		long pending, next_ms = -1;
		time_t next;

		if (!sd->d.leading(sd->d.arg)) {
			tg_nap(&sd->stop, SEND_IDLE * 4);
			continue;
		}
		if (tgstore_out_pending(sd->r.s, &pending, &next, &e) < 0 ||
		    (pending && next <= wallclock_now() &&
		     tg_drain(&sd->r, &sd->d, &next_ms, &e) < 0)) {
			log_error("telegram: %s (sending again in a second)", e.msg);
			tg_nap(&sd->stop, 1000);
			continue;
		}
		tg_nap(&sd->stop, next_ms >= 0 && next_ms < SEND_IDLE ? next_ms : SEND_IDLE);
	}
	return NULL;
}

/* ttl: the lock time (ms) the claims are measured by; lead(arg) says
 * whether this process sends now. */
static struct sender *sender_start(const struct tg_relay *r, long ttl, bool (*lead)(void *),
				   void *arg, struct err *e)
{
	struct sender *sd = xcalloc(1, sizeof(*sd));
	long rate = config_get_int(r->cfg, "telegram.rate");
	long timeout_ms;

	sd->r.cfg = r->cfg;
	sd->r.client = r->client;
	sd->r.client.cancel = &sd->stop;
	sd->r.stop = &sd->stop;
	sd->d.claim = true;
	/* A claim lasts three lock times, and two sends and 2 s at least (32 s
	 * by default); an entry goes only with two sends' worth of its claim
	 * left (a message refused as HTML goes again as text). */
	timeout_ms = r->client.timeout_ms > 0 ? r->client.timeout_ms : TG_TIMEOUT_MS;
	sd->r.client.timeout_ms = timeout_ms;
	sd->d.margin = (2 * timeout_ms + 999) / 1000 + 1;
	sd->d.lease = (ttl + 999) / 1000 * 3;
	if (sd->d.lease < sd->d.margin + 1)
		sd->d.lease = sd->d.margin + 1;
	sd->d.leading = lead;
	sd->d.arg = arg;
	sd->d.interval_ms = config_get_int(r->cfg, "telegram.chat_interval");
	sd->d.gap_ms = rate > 0 ? 1000 / rate : 0;
	sd->r.s = store_open(store_path(r->s), e);
	if (!sd->r.s || pthread_create(&sd->tid, NULL, sender_main, sd) != 0) {
		if (sd->r.s)
			err_set(e, ERR_FAIL, "cannot start a thread to send answers");
		store_free(sd->r.s);
		free(sd);
		return NULL;
	}
	return sd;
}

/* Stop the sender: the number of answers it sent. */
static long sender_stop(struct sender *sd)
{
	long sent;

	if (!sd)
		return 0;
	atomic_store(&sd->stop, 1);
	pthread_join(sd->tid, NULL);
	sent = sd->d.sent;
	store_free(sd->r.s);
	free(sd->d.paces);
	free(sd);
	return sent;
}

/* A worker's sender (and a standby relay's: `nestor daemon` on a machine
 * whose reminders go to Telegram) sends its store's answers while the
 * poller's lock is held by a process of another device: the polling
 * relay's sender sends its own device's.  While none polls (a relay's
 * failover, or none runs), the answers wait for one: a sender of the
 * relay's device that sent in that gap would send beside the relay's
 * sender once it is back, and a frozen relay's held send is the one case
 * where two senders repeat a message.  Of the processes of one device, one sends: the
 * holder of the device's sender lock (rstream_sender_lock(), for a lock
 * time, renewed), so a worker killed while another sends repeats no
 * answer (only the sender's own death between Telegram's answer and the
 * delete can, as the relay's).  It asks Redis every third of a lock time
 * (its own connection, with the same token after a reconnect: the
 * sender's thread alone uses it), and goes on as it last knew while Redis
 * cannot say; the claims keep each answer once whoever else sends from the
 * same store meanwhile. */
struct wsend {
	struct rstream rs;
	struct config *cfg;
	char name[160]; /* "worker NAME", "relay" */
	char device[33];
	char token[sizeof(((struct rstream *)0)->token)]; /* "": none yet */
	long every;
	long long next_ms; /* monotonic_ms() */
	int fails;
	enum { WS_UNKNOWN, WS_SENDS, WS_RELAY, WS_OTHER } state;
};

static bool worker_sends(void *arg)
{
	struct wsend *ws = arg;
	struct err re = { 0, "" };
	char dev[sizeof(ws->device)];
	long long now = monotonic_ms();
	bool held = false, fresh = !ws->rs.r;
	int state;

	if (now < ws->next_ms)
		return ws->state == WS_SENDS;
	ws->next_ms = now + ws->every;
	if (connected(&ws->rs, ws->cfg, NULL, &re) < 0)
		goto down;
	if (fresh && ws->token[0])
		memcpy(ws->rs.token, ws->token, sizeof(ws->token));
	memcpy(ws->token, ws->rs.token, sizeof(ws->token));
	if (rstream_holder_device(&ws->rs, dev, sizeof(dev), &re) < 0)
		goto down;
	if (!*dev || !strcmp(dev, ws->device)) {
		state = WS_RELAY;
		if (ws->state == WS_SENDS && rstream_sender_unlock(&ws->rs, ws->device, &re) < 0)
			goto down;
	} else {
		if (rstream_sender_lock(&ws->rs, ws->device, ws->every * 3, &held, &re) < 0)
			goto down;
		state = held ? WS_SENDS : WS_OTHER;
	}
	ws->fails = 0;
	if ((int)ws->state != state) {
		if (state == WS_SENDS)
			log_info("telegram: %s sends the answers of device %s (the poller is on "
				 "device %s)",
				 ws->name, ws->device, dev);
		else if (state == WS_RELAY && *dev)
			log_info("telegram: %s leaves the answers to the polling relay of its "
				 "device (%s)",
				 ws->name, dev);
		else if (state == WS_RELAY)
			log_info("telegram: %s sends no answers while no relay polls", ws->name);
		else
			log_info("telegram: %s leaves the answers of device %s to another "
				 "process of it",
				 ws->name, ws->device);
	}
	ws->state = state;
	return state == WS_SENDS;
down:
	redis_down(&ws->rs, &re, &ws->fails);
	return ws->state == WS_SENDS;
}

/* Let go of the device's sender lock if this process holds it. */
static void wsend_stop(struct wsend *ws)
{
	struct err e = { 0, "" };

	if (ws->state == WS_SENDS && ws->rs.r && rstream_sender_unlock(&ws->rs, ws->device, &e) < 0)
		log_warn("telegram: %s", e.msg);
	rstream_close(&ws->rs);
}

/* A relay's sender: while it polls (leading()), and while standing by as a
 * worker's does (worker_sends()). */
struct rsend {
	struct keeper *k;
	struct wsend ws;
};

static bool relay_sends(void *arg)
{
	struct rsend *x = arg;

	return leading(x->k) || worker_sends(&x->ws);
}

/* Whether this relay holds the lock, as Redis says now: 1 yes, 0 no, -1
 * Redis failed (e). */
static int lock_ours(struct rstream *rs, struct err *e)
{
	char *who = NULL;
	int ours;

	if (rstream_holder(rs, &who, e) < 0)
		return -1;
	ours = who && !strcmp(who, rs->token);
	free(who);
	return ours;
}

#define CONFLICTS_MAX 3 /* 409s in a row, holding the lock, before giving up */

/* A 409 on getUpdates in the group (not a webhook): 1 stand by (another
 * relay took the lock over), 0 poll again, -1 give up (409s again and
 * again while holding the lock: a poller outside the group). */
static int conflict(struct rstream *rs, struct keeper *k, int *conflicts, int *fails,
		    const struct tg_status *st, const struct err *pe, const atomic_int *stop)
{
	struct err re = { 0, "" };
	int ours = lock_ours(rs, &re);

	if (ours == 0) {
		log_info("telegram: another relay of the group took the lock over (409 "
			 "Conflict: %s); standing by",
			 st->description);
		atomic_store(&k->until_ms, 0);
		return 1;
	}
	/* Redis could not say: the round counts as a conflict while holding the
	 * lock (the keeper finds out whether it still does). */
	if (ours < 0) {
		redis_down(rs, &re, fails);
		tg_nap(stop, k->ttl / 3);
	}
	/* Holding the lock: a relay that lost it may have polled once more
	 * before it knew; one outside the group goes on. */
	if (++*conflicts >= CONFLICTS_MAX)
		return -1;
	log_warn("telegram: %s (polling again)", pe->msg);
	if (ours > 0)
		tg_nap(stop, 1000);
	return 0;
}

int tg_redis_poll(struct tg_relay *r, const struct telegram_opts *o, struct err *e)
{
	struct rstream rs = { 0 };
	struct keeper *k = NULL;
	struct sender *sd = NULL;
	struct rsend rsend = { 0 };
	long ttl = config_get_int(o->cfg, "telegram.lock_ttl");
	long poll = config_get_int(o->cfg, "telegram.poll_timeout");
	bool leader = false, adopted = false;
	int fails = 0, pfails = 0, down = 0, conflicts = 0, rc = -1;
	long long next_prune = 0;
	long sent;

	/* A long poll ends well before the lock would lapse: a relay that lost
	 * it stops polling soon (the keeper renews it meanwhile). */
	if (poll > ttl / 2000)
		poll = ttl / 2000;
	if (poll < 1)
		poll = 1;
	/* The keeper renews the lock while a poll came within the longest a
	 * getUpdates may take, and a lock time. */
	if (replica_device(r->s, r->device, sizeof(r->device), e) < 0 ||
	    !(k = keeper_start(o->cfg, ttl, ttl + poll * 1000 + r->client.timeout_ms, r->device,
			       e)))
		return -1;
	rsend.k = k;
	rsend.ws.cfg = o->cfg;
	rsend.ws.every = ttl / 3;
	snprintf(rsend.ws.name, sizeof(rsend.ws.name), "relay");
	snprintf(rsend.ws.device, sizeof(rsend.ws.device), "%s", r->device);
	if (tg_start(r, o, e) < 0 || !(sd = sender_start(r, ttl, relay_sends, &rsend, e)))
		goto out;
	while (!(o->stop && atomic_load(o->stop))) {
		struct err re = { 0, "" }, pe = { 0, "" };
		struct tg_status st;
		cJSON *params, *res = NULL;
		long long offset;
		long n = 0;
		bool held = leading(k);
		int prc;

		tg_prune(r->s, false, &next_prune);
		if (held != leader) {
			log_info(held ? "telegram: this relay polls now (it holds the lock %s)"
				      : "telegram: another relay polls now (%s)",
				 held ? k->token : "standing by");
			conflicts = 0; /* a 409 counts against this leadership only */
		}
		leader = held;
		if (!held) {
			keeper_beat(k);
			tg_nap(o->stop, SEND_IDLE * 4);
			continue;
		}
		if (connected_as(&rs, k, &re) < 0 || rstream_offset(&rs, &offset, &re) < 0) {
			redis_down(&rs, &re, &fails);
			tg_nap(o->stop, ttl / 3);
			continue;
		}
		/* Once: what waits in the stream of before devices had streams
		 * goes to this device's (every worker shared its store then). */
		if (!adopted) {
			long long moved;

			if (rstream_adopt(&rs, r->device, &moved, &re) < 0) {
				redis_down(&rs, &re, &fails);
				tg_nap(o->stop, ttl / 3);
				continue;
			}
			if (moved < 0) { /* the lock is gone: leading() says so soon */
				tg_nap(o->stop, SEND_IDLE * 4);
				continue;
			}
			if (moved)
				log_info("telegram: %lld updates waiting in %s moved to this "
					 "store's stream, %s:%s",
					 moved, RSTREAM_KEY_STREAM, RSTREAM_KEY_STREAM, r->device);
			adopted = true;
		}
		fails = 0;
		/* The offset may have taken a while (REDIS_TIMEOUT): a relay that
		 * lost the lock meanwhile does not poll. */
		if (!leading(k))
			continue;
		params = cJSON_CreateObject();
		cJSON_AddNumberToObject(params, "offset", (double)offset);
		cJSON_AddNumberToObject(params, "timeout", (double)poll);
		cJSON_AddItemToObject(params, "allowed_updates", cJSON_Parse(TG_ALLOWED_UPDATES));
		prc = tg_call(&r->client, "getUpdates", params, poll, &res, &st, &pe);
		cJSON_Delete(params);
		keeper_beat(k);
		if (prc < 0) {
			long retry;

			if (o->stop && atomic_load(o->stop))
				break;
			if (st.code == 409 && !tg_status_webhook(&st)) {
				int c = conflict(&rs, k, &conflicts, &fails, &st, &pe, o->stop);

				if (c == 1) {
					leader = false;
					conflicts = 0;
				}
				if (c >= 0)
					continue;
			}
			if (st.code == 401 || st.code == 409) {
				tg_note(r, pe.msg, 0, 0);
				tg_fatal_poll(&st, e);
				goto out;
			}
			retry = st.code == 429 && st.retry_after > 0 ? st.retry_after
								     : tg_backoff(pfails);
			pfails++;
			tg_note(r, pe.msg, 0, 0);
			/* Telegram out of reach POLL_FAILS times in a row: the lock
			 * goes to a standby that may reach it, and this relay takes
			 * none for the back-off and a lock time. */
			if (++down >= POLL_FAILS) {
				down = 0;
				log_warn(
					"telegram: %s (%d polls failed in a row: the poller's lock "
					"is let go for %ld s)",
					pe.msg, POLL_FAILS, retry + (ttl + 999) / 1000);
				keeper_yield(k, retry * 1000 + ttl);
				continue;
			}
			log_warn("telegram: %s (again in %ld s)", pe.msg, retry);
			/* The keeper keeps the lock meanwhile: the poller is alive. */
			for (long ms = retry * 1000; ms > 0; ms -= ttl / 3) {
				keeper_beat(k);
				if (!tg_nap(o->stop, ms < ttl / 3 ? ms : ttl / 3))
					break;
			}
			keeper_beat(k);
			continue;
		}
		pfails = down = conflicts = 0;
		if (!numbered_anew(&rs, offset, res, &re) ||
		    !feed(&rs, r->device, r->bot, offset, res, &n, &re)) {
			if (re.msg[0])
				redis_down(&rs, &re, &fails);
			else
				atomic_store(&k->until_ms, 0); /* the lock is lost */
		}
		cJSON_Delete(res);
		tg_note(r, NULL, 0, n);
	}
	rc = 0;
out:
	if ((sent = sender_stop(sd)))
		tg_note(r, NULL, sent, 0);
	wsend_stop(&rsend.ws);
	keeper_stop(k);
	rstream_close(&rs);
	return rc;
}

/* The entry's keeper: while a worker runs an update (tg_prepare and the
 * whole turn, the model's answers included), a thread of its own, with its
 * own connection to Redis, restarts the entry's idle time every third of
 * telegram.claim_idle (rstream_touch), so no other worker takes a turn
 * over only because the model is slow.  It stops before the entry is
 * acknowledged or buried (ekeeper_set(k, NULL) returns once no touch is
 * under way), and max_ms after the entry was set: a worker whose turn
 * hangs longer than its model requests may take loses the entry
 * claim_idle later.  A frozen or dead worker touches nothing (its threads
 * stop with it): its entry is taken over after claim_idle.  Thawed, it
 * touches it again (the entry moves back to it, its delivery count
 * unmoved) until its turn's next step finds the turn moved on and stops:
 * harmless, the other worker goes on and acknowledges it. */
struct ekeeper {
	pthread_t tid;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	bool stop, warned;
	char id[sizeof(((struct rstream_entry *)0)->id)]; /* "": none */
	/* The worker's other entries not acknowledged (held, or the rest of
	 * a batch taken over), kept while id runs. */
	char (*also)[sizeof(((struct rstream_entry *)0)->id)];
	size_t nalso, calso;
	long long since_ms, next_ms; /* CLOCK_MONOTONIC */
	struct rstream rs;
	struct config *cfg;
	const char *name, *device;
	long every;
	long long max_ms;
};

static void *ekeeper_main(void *arg)
{
	struct ekeeper *k = arg;
	int fails = 0;

	pthread_mutex_lock(&k->mu);
	while (!k->stop) {
		long long now = monotonic_ms(), wake = now + k->every;
		struct timespec ts;

		if (k->id[0] && now - k->since_ms > k->max_ms) {
			if (!k->warned)
				log_warn("telegram: worker %s has run entry %s for %lld s (it is "
					 "left for another worker to take over)",
					 k->name, k->id, (now - k->since_ms) / 1000);
			k->warned = true;
		} else if (k->id[0] && now >= k->next_ms) {
			struct err re = { 0, "" };

			int rc = connected(&k->rs, k->cfg, k->device, &re) < 0 ||
						 rstream_touch(&k->rs, k->name, k->id, &re) < 0
					 ? -1
					 : 0;

			for (size_t i = 0; rc == 0 && i < k->nalso; i++)
				rc = rstream_touch(&k->rs, k->name, k->also[i], &re);
			if (rc < 0)
				redis_down(&k->rs, &re, &fails);
			else
				fails = 0;
			k->next_ms = now + k->every;
		}
		if (k->id[0] && k->next_ms < wake)
			wake = k->next_ms;
		ts.tv_sec = wake / 1000;
		ts.tv_nsec = (wake % 1000) * 1000000;
		pthread_cond_timedwait(&k->cv, &k->mu, &ts);
	}
	pthread_mutex_unlock(&k->mu);
	return NULL;
}

/* Keep id from now on (NULL: none), and the n entries of also with it;
 * returns once no touch is under way. */
static void ekeeper_set(struct ekeeper *k, const char *id, const char *const *also, size_t n)
{
	pthread_mutex_lock(&k->mu);
	snprintf(k->id, sizeof(k->id), "%s", id ? id : "");
	if (n > k->calso) {
		k->also = xrealloc(k->also, n * sizeof(*k->also));
		k->calso = n;
	}
	for (size_t i = 0; i < n; i++)
		snprintf(k->also[i], sizeof(k->also[i]), "%s", also[i]);
	k->nalso = id ? n : 0;
	k->since_ms = monotonic_ms();
	k->warned = false;
	/* It was just read, taken over or touched: idle for 0 ms. */
	k->next_ms = k->since_ms + k->every;
	pthread_cond_signal(&k->cv);
	pthread_mutex_unlock(&k->mu);
}

static struct ekeeper *ekeeper_start(struct config *cfg, const char *name, const char *device,
				     long claim_idle, struct err *e)
{
	struct ekeeper *k = xcalloc(1, sizeof(*k));
	pthread_condattr_t ca;

	k->cfg = cfg;
	k->name = name;
	k->device = device;
	k->every = claim_idle / 3;
	/* The longest a turn's model requests may go silent, and two more. */
	k->max_ms = config_get_int(cfg, "llm.timeout") * 1000LL *
		    (config_get_int(cfg, "llm.max_steps") + 2);
	if (connected(&k->rs, cfg, device, e) < 0) {
		free(k);
		return NULL;
	}
	pthread_mutex_init(&k->mu, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&k->cv, &ca);
	pthread_condattr_destroy(&ca);
	if (pthread_create(&k->tid, NULL, ekeeper_main, k) != 0) {
		pthread_cond_destroy(&k->cv);
		pthread_mutex_destroy(&k->mu);
		rstream_close(&k->rs);
		free(k);
		err_set(e, ERR_FAIL, "cannot start a thread to keep the worker's updates");
		return NULL;
	}
	return k;
}

static void ekeeper_stop(struct ekeeper *k)
{
	if (!k)
		return;
	pthread_mutex_lock(&k->mu);
	k->stop = true;
	pthread_cond_signal(&k->cv);
	pthread_mutex_unlock(&k->mu);
	pthread_join(k->tid, NULL);
	pthread_cond_destroy(&k->cv);
	pthread_mutex_destroy(&k->mu);
	rstream_close(&k->rs);
	free(k->also);
	free(k);
}

/* An entry a worker waits to run until its chat's previous update is
 * done. */
struct held {
	struct rstream_entry en;
	long long since_ms;
};

struct worker {
	struct tg_relay r;
	struct rstream rs;
	struct config *cfg;
	struct ekeeper *keeper; /* keeps the entry being run */
	char name[128];
	long claim_idle;
	long max_attempts;
	struct held *held;
	size_t nheld;
	const struct rstream_entry *rest; /* the batch's entries after the one run */
	size_t nrest;
	long done, dead;
};

/* Acknowledge id, kept no more. */
static int ack(struct worker *w, const char *id, struct err *e)
{
	ekeeper_set(w->keeper, NULL, NULL, 0);
	return rstream_ack(&w->rs, id, e);
}

/* Telegram's time of the message of en (an edit's, when edited), 0 when
 * its update has none (a callback query). */
static time_t entry_date(const struct rstream_entry *en)
{
	cJSON *json = en->body ? cJSON_Parse(en->body) : NULL;
	const cJSON *item;
	double date = 0;

	cJSON_ArrayForEach(item, json) {
		const cJSON *d = cJSON_GetObjectItemCaseSensitive(item, "edit_date");

		if (!cJSON_IsNumber(d))
			d = cJSON_GetObjectItemCaseSensitive(item, "date");
		if (cJSON_IsObject(item) && cJSON_IsNumber(d)) {
			date = cJSON_GetNumberValue(d);
			break;
		}
	}
	cJSON_Delete(json);
	return date > 0 && date < 1e15 ? (time_t)date : 0;
}

/* Record en as done in the store (so its chat goes on) and move it to the
 * dead letters. */
static int bury(struct worker *w, const struct rstream_entry *en, const char *why, struct err *e)
{
	bool fresh;
	char *safe = utf8_clean_str(why, 0);
	cJSON *body = en->body ? cJSON_Parse(en->body) : NULL;
	struct tg_update u = { 0 };

	log_error("telegram: update %lld (chat %lld, entry %s) goes to the dead letters: %s",
		  en->update_id, en->chat_id, en->id, safe);
	if (en->update_id) {
		if (store_begin(w->r.s, e) < 0)
			goto fail;
		/* The update's language for the chat's line, when it parses. */
		if (!body || tg_update_parse(body, &u) < 0 || u.update_id != en->update_id)
			u = (struct tg_update){ .update_id = en->update_id };
		u.chat_id = en->chat_id;
		if (tgstore_seen(w->r.s, en->update_id, wallclock_now(), entry_date(en), &fresh,
				 e) < 0 ||
		    (fresh ? tg_dead_letter(&w->r, &u, wallclock_now(), e)
			   : tg_turn_forget(&w->r, u.chat_id, u.update_id, e)) < 0 ||
		    store_commit(w->r.s, e) < 0) {
			store_rollback(w->r.s);
			goto fail;
		}
	}
	w->dead++;
	ekeeper_set(w->keeper, NULL, NULL, 0);
	if (rstream_dead(&w->rs, en, safe, e) < 0)
		goto fail;
	cJSON_Delete(body);
	free(safe);
	return 0;
fail:
	cJSON_Delete(body);
	free(safe);
	return -1;
}

/* Whether en was run already (*seen), else 1 when its chat's previous
 * update is not done yet (force: no matter), 0 when it may run now.  An
 * id done for an update dated long before en's is an update numbered anew
 * (tgstore_seen_has()), not one done; so is the previous update's id done
 * for an update dated a week or more before en (TGSTORE_PREV_NEW): when
 * Redis lost its offset, no new epoch tells the worker to forget the old
 * numbering's ids, and such a row is of the old numbering, not the chat's
 * previous update, which is still to come. */
static int state_of(struct worker *w, const struct rstream_entry *en, bool force, bool *seen,
		    struct err *e)
{
	bool prev_done = true;
	time_t date = entry_date(en);

	if (tgstore_seen_has(w->r.s, en->update_id, date, seen, e) < 0 ||
	    (!*seen && en->prev && !force &&
	     tgstore_seen_within(w->r.s, en->prev, date, TGSTORE_PREV_NEW, &prev_done, e) < 0))
		return -1;
	return !*seen && !prev_done ? 1 : 0;
}

struct seen_hook {
	struct worker *w;
	const struct rstream_entry *en;
	bool force;
	int state; /* what state_of() found in the turn's first transaction */
	bool seen;
};

/* In an engine turn's first transaction: done already, or waiting. */
static int seen_check(void *arg, struct err *e)
{
	struct seen_hook *h = arg;

	h->state = state_of(h->w, h->en, h->force, &h->seen, e);
	return h->state < 0 ? -1 : h->state == 1 || h->seen;
}

static int seen_finish(void *arg, struct err *e)
{
	struct seen_hook *h = arg;
	bool fresh;

	return tgstore_seen(h->w->r.s, h->en->update_id, wallclock_now(), entry_date(h->en), &fresh,
			    e);
}

/* en an engine turn (text): run as short transactions (tg_turn), the
 * update marked done in the last; as run_entry() returns. */
static int run_turn_entry(struct worker *w, const struct rstream_entry *en,
			  const struct tg_update *u, const char *text, bool force, struct err *e)
{
	struct seen_hook sh = { w, en, force, 0, false };
	struct tg_turn_hooks h = { &sh, seen_check, seen_finish };
	int rc = tg_turn(&w->r, u, text, &h, wallclock_now(), e);

	if (rc < 0)
		return -1;
	if (rc == 1 && sh.state == 1)
		return 1;
	if (rc == 1 && !sh.seen) {
		log_info("telegram: update %lld (entry %s): another worker took it over",
			 en->update_id, en->id);
		return 3;
	}
	if (rc == 0)
		w->done++;
	/* A failed ack is harmless: the entry comes again, is found done. */
	return ack(w, en->id, e) < 0 ? -1 : 0;
}

/* The first entry of a new numbering of the updates (rstream_renumber())
 * this store sees: the updates it did from the new numbering's lowest on,
 * of the old one, are forgotten once, under the write lock, or each of
 * them coming again as a new update would be taken as done already.
 * Telegram numbers anew only after a week without updates: no entry of
 * the old numbering is still under way. */
static int forget_old_numbering(struct worker *w, const struct rstream_entry *en, struct err *e)
{
	long long known;
	long n = 0;

	if (tgstore_numbering(w->r.s, &known, e) < 0)
		return -1;
	if (known >= en->numbering)
		return 0;
	if (store_begin(w->r.s, e) < 0)
		return -1;
	if (tgstore_numbering(w->r.s, &known, e) < 0 ||
	    (known < en->numbering &&
	     tgstore_renumber(w->r.s, en->numbering, en->numbered_from, &n, e) < 0) ||
	    store_commit(w->r.s, e) < 0) {
		store_rollback(w->r.s);
		return -1;
	}
	if (known < en->numbering)
		log_info("telegram: updates numbered anew from %lld (numbering %lld): forgot %ld "
			 "done of the old numbering from there on",
			 en->numbered_from, en->numbering, n);
	return 0;
}

/* Run en: 0 done (or found done) and acknowledged, 1 its chat's previous
 * update is not done yet (force: run it anyway), 2 it went to the dead
 * letters, 3 another worker took its turn over (left to it); -1 a
 * database or Redis error (left for a retry). */
static int run_entry(struct worker *w, const struct rstream_entry *en, bool force, struct err *e)
{
	struct tg_update u;
	struct tg_prep p = { 0 };
	cJSON *json;
	bool seen;
	int rc, st;

	if (en->why[0])
		return bury(w, en, en->why, e) < 0 ? -1 : 2;
	if (en->numbering && forget_old_numbering(w, en, e) < 0)
		return -1;
	json = cJSON_Parse(en->body);
	if (!json || tg_update_parse(json, &u) < 0 || u.update_id != en->update_id ||
	    (u.chat_id != en->chat_id && en->chat_id)) {
		cJSON_Delete(json);
		return bury(w, en, "the body is not the update the entry names", e) < 0 ? -1 : 2;
	}
	/* Read first, without the write lock: done already, or waiting for
	 * its chat's previous update (a held entry is looked at each round). */
	st = state_of(w, en, force, &seen, e);
	if (st < 0)
		goto fail;
	if (st == 1) {
		cJSON_Delete(json);
		return 1;
	}
	if (!seen) {
		bool fresh;
		const char *text = NULL;
		const cJSON *big = cJSON_GetObjectItemCaseSensitive(json, TOO_BIG);
		char why[96];

		/* The network calls that need no transaction, before it. */
		if (big)
			snprintf(why, sizeof(why),
				 "the message is too long to pass on (%.0f bytes with its "
				 "formatting, at most %d)",
				 cJSON_GetNumberValue(big), RSTREAM_MAX);
		else {
			tg_prepare(&w->r, &u, wallclock_now(), &p);
			text = tg_turn_text(&w->r, &u, e);
		}
		if (!text && e->code)
			goto fail;
		if (text) {
			rc = run_turn_entry(w, en, &u, text, force, e);
			tg_prep_release(&p);
			cJSON_Delete(json);
			return rc;
		}
		if (store_begin(w->r.s, e) < 0)
			goto fail;
		/* Again under the write lock: another worker may have run it. */
		st = state_of(w, en, force, &seen, e);
		if (st < 0)
			goto rollback;
		if (st == 1) {
			store_rollback(w->r.s);
			tg_prep_release(&p);
			cJSON_Delete(json);
			return 1;
		}
		w->r.linked_chat = 0;
		if (!seen && ((big ? tg_refuse(&w->r, &u, why, wallclock_now(), e)
				   : tg_handle(&w->r, &u, &p, wallclock_now(), e)) < 0 ||
			      tg_turn_forget(&w->r, u.chat_id, en->update_id, e) < 0 ||
			      tgstore_seen(w->r.s, en->update_id, wallclock_now(), entry_date(en),
					   &fresh, e) < 0))
			goto rollback;
		if (store_commit(w->r.s, e) < 0)
			goto fail;
		if (!seen)
			w->done++;
		/* A code routed only this update here: the chat's home moves
		 * once the code was taken. */
		if (w->r.linked_chat) {
			struct err he = { 0, "" };

			if (rstream_home(&w->rs, w->r.linked_chat, w->r.device, &he) < 0)
				log_warn("telegram: chat %lld linked, its updates not sent here: "
					 "%s",
					 w->r.linked_chat, he.msg);
		}
	}
	tg_prep_release(&p);
	cJSON_Delete(json);
	/* A failed ack is harmless: the entry comes again, is found done. */
	rc = ack(w, en->id, e);
	return rc < 0 ? -1 : 0;
rollback:
	store_rollback(w->r.s);
fail:
	tg_prep_release(&p);
	cJSON_Delete(json);
	return -1;
}

/* run_entry() with en kept by the worker's keeper the while, and the
 * worker's other entries not acknowledged (held, the batch's rest): a
 * slow turn lets none of them be taken over. */
static int run_kept(struct worker *w, const struct rstream_entry *en, bool force, struct err *e)
{
	const char **also = xmalloc((w->nheld + w->nrest + 1) * sizeof(const char *));
	size_t n = 0;
	int rc;

	for (size_t i = 0; i < w->nheld; i++)
		if (&w->held[i].en != en)
			also[n++] = w->held[i].en.id;
	for (size_t i = 0; i < w->nrest; i++)
		also[n++] = w->rest[i].id;
	ekeeper_set(w->keeper, en->id, also, n);
	free(also);
	rc = run_entry(w, en, force, e);
	ekeeper_set(w->keeper, NULL, NULL, 0);
	return rc;
}

static void hold(struct worker *w, struct rstream_entry *en)
{
	log_info("telegram: update %lld waits for update %lld of its chat", en->update_id,
		 en->prev);
	w->held = xrealloc(w->held, (w->nheld + 1) * sizeof(*w->held));
	w->held[w->nheld].en = *en;
	w->held[w->nheld++].since_ms = monotonic_ms();
	en->body = NULL; /* the held entry owns it now */
}

/* Handle fresh or claimed entries; -1 only when Redis failed. */
static int handle(struct worker *w, struct rstream_entry *en, size_t n, struct err *e)
{
	for (size_t i = 0; i < n; i++) {
		struct err he = { 0, "" };
		int rc;

		if (en[i].deliveries > w->max_attempts) {
			char why[96];
			bool seen = false;

			/* Done already (its worker died before the acknowledgement,
			 * and others' take-overs counted): no dead letter. */
			if (tgstore_seen_has(w->r.s, en[i].update_id, entry_date(&en[i]), &seen,
					     &he) == 0 &&
			    seen) {
				if (ack(w, en[i].id, e) < 0)
					return -1;
				continue;
			}

			snprintf(why, sizeof(why),
				 "delivered %ld times (telegram.max_attempts %ld)",
				 en[i].deliveries, w->max_attempts);
			if (bury(w, &en[i], why, e) < 0)
				return -1;
			continue;
		}
		w->rest = en + i + 1;
		w->nrest = n - i - 1;
		rc = run_kept(w, &en[i], false, &he);
		w->rest = NULL;
		w->nrest = 0;
		if (rc == 1)
			hold(w, &en[i]);
		else if (rc < 0)
			log_error("telegram: update %lld: %s (left for another try)",
				  en[i].update_id, he.msg);
	}
	return 0;
}

/* Run the held entries whose turn came; keep the rest fresh in the group.
 * One held longer than that many claim times (HOLD_MAX at least) runs anyway (its chat's
 * previous update is lost: order gives way to progress).  On every way out
 * w->held is the entries still held, each once: those run are gone (their
 * bodies freed), those not looked at yet kept. */
static int run_held(struct worker *w, bool touch, struct err *e)
{
	size_t k = 0, i;
	int rc = 0;

	for (i = 0; i < w->nheld && rc == 0; i++) {
		struct held *h = &w->held[i];
		long long valve = w->claim_idle * (w->max_attempts + 2);
		bool force = monotonic_ms() - h->since_ms > (valve > HOLD_MAX ? valve : HOLD_MAX);
		struct err he = { 0, "" };

		if (force)
			log_warn(
				"telegram: update %lld waited too long for update %lld of its chat "
				"(run out of order)",
				h->en.update_id, h->en.prev);
		switch (run_kept(w, &h->en, force, &he)) {
		case 1:
			/* Still held; a failed touch (Redis) ends the round. */
			if (touch && rstream_touch(&w->rs, w->name, h->en.id, e) < 0)
				rc = -1;
			w->held[k++] = *h;
			continue;
		case -1:
			log_error("telegram: update %lld: %s (left for another try)",
				  h->en.update_id, he.msg);
			break;
		}
		free(h->en.body);
	}
	/* Those not looked at (after a failed touch) stay held. */
	if (i < w->nheld)
		memmove(w->held + k, w->held + i, (w->nheld - i) * sizeof(*w->held));
	w->nheld = k + w->nheld - i;
	return rc;
}

static void drop_held(struct worker *w)
{
	for (size_t i = 0; i < w->nheld; i++)
		free(w->held[i].en.body);
	free(w->held);
	w->held = NULL;
	w->nheld = 0;
}

/* One round: held entries, take-overs, new entries.  -1: Redis failed. */
static int round_of(struct worker *w, long long *next_claim, long long *next_touch, long block,
		    struct err *e)
{
	struct rstream_entry *en;
	size_t n;
	long long now = monotonic_ms();
	bool touch = now >= *next_touch;
	int rc;

	if (touch)
		*next_touch = now + w->claim_idle / 3;
	if (run_held(w, touch, e) < 0)
		return -1;
	if (now >= *next_claim) {
		*next_claim = now + w->claim_idle / 2;
		if (rstream_claim(&w->rs, w->name, w->claim_idle, CLAIM_BATCH, &en, &n, e) < 0)
			return -1;
		if (n)
			log_info("telegram: worker %s took over %zu update%s idle for %ld ms",
				 w->name, n, n == 1 ? "" : "s", w->claim_idle);
		rc = handle(w, en, n, e);
		rstream_entries_free(en, n);
		if (rc < 0)
			return -1;
	}
	if (rstream_read(&w->rs, w->name, READ_BATCH, w->nheld ? HOLD_BLOCK : block, &en, &n, e) <
	    0)
		return -1;
	rc = handle(w, en, n, e);
	rstream_entries_free(en, n);
	return rc;
}

int telegram_worker(const struct telegram_worker_opts *o, struct err *e)
{
	struct worker w = { 0 };
	struct wsend ws = { 0 };
	struct sender *sd = NULL;
	long long next_claim = 0, next_touch = 0, next_prune = 0;
	int fails = 0, rc = -1;
	long ttl = config_get_int(o->cfg, "telegram.lock_ttl"), sent;
	char host[64];

	if (!telegram_redis(o->cfg))
		return err_set(
			e, ERR_USAGE,
			"server.redis is not set: a worker reads Telegram updates from Redis "
			"(`nestor config set server.redis redis://HOST:PORT/DB`)");
	w.r.s = o->store;
	w.r.cfg = o->cfg;
	w.r.stop = o->stop;
	w.r.client.cancel = o->stop;
	w.cfg = o->cfg;
	w.claim_idle = config_get_int(o->cfg, "telegram.claim_idle");
	w.max_attempts = config_get_int(o->cfg, "telegram.max_attempts");
	if (o->name && *o->name) {
		if (strlen(o->name) >= sizeof(w.name) || !utf8_valid(o->name, strlen(o->name)) ||
		    strspn(o->name, " ") == strlen(o->name))
			return err_set(e, ERR_USAGE,
				       "worker name \"%.40s\" is not valid (1 to %zu "
				       "characters of text)",
				       o->name, sizeof(w.name) - 1);
		snprintf(w.name, sizeof(w.name), "%s", o->name);
	} else {
		if (gethostname(host, sizeof(host)) < 0)
			snprintf(host, sizeof(host), "host");
		host[sizeof(host) - 1] = '\0';
		snprintf(w.name, sizeof(w.name), "%s:%ld", host, (long)getpid());
	}
	if (replica_device(w.r.s, w.r.device, sizeof(w.r.device), e) < 0 ||
	    tg_client_init(&w.r, o->cfg, e) < 0)
		return -1;
	tg_learn_bot(&w.r);
	w.r.eng = engine_new(w.r.s, o->cfg, e);
	if (!w.r.eng || connected(&w.rs, o->cfg, w.r.device, e) < 0 ||
	    rstream_group(&w.rs, e) < 0 ||
	    !(w.keeper = ekeeper_start(o->cfg, w.name, w.r.device, w.claim_idle, e)))
		goto out;
	ws.cfg = o->cfg;
	snprintf(ws.name, sizeof(ws.name), "worker %s", w.name);
	ws.every = ttl / 3;
	snprintf(ws.device, sizeof(ws.device), "%s", w.r.device);
	if (!(sd = sender_start(&w.r, ttl, worker_sends, &ws, e)))
		goto out;
	log_info("telegram: worker %s reads the update stream of device %s", w.name, w.r.device);
	if (o->ready)
		o->ready(o->arg, w.name);
	while (!(o->stop && atomic_load(o->stop))) {
		struct err re = { 0, "" };
		bool fresh = !w.rs.r;

		tg_prune(w.r.s, false, &next_prune);
		if (connected(&w.rs, o->cfg, w.r.device, &re) < 0 ||
		    (fresh && rstream_group(&w.rs, &re) < 0) ||
		    round_of(&w, &next_claim, &next_touch, IDLE_BLOCK, &re) < 0) {
			redis_down(&w.rs, &re, &fails);
			drop_held(&w); /* they come back once idle: nothing is lost */
			tg_nap(o->stop, 1000);
			continue;
		}
		fails = 0;
	}
	rc = 0;
out:
	sent = sender_stop(sd);
	wsend_stop(&ws);
	if (rc == 0)
		log_info("telegram: worker %s stops (%ld updates handled, %ld dead letters, %ld "
			 "answers sent)",
			 w.name, w.done, w.dead, sent);
	ekeeper_stop(w.keeper);
	drop_held(&w);
	rstream_close(&w.rs);
	engine_free(w.r.eng);
	secret_free(w.r.token);
	return rc;
}

int telegram_redis_code(struct config *cfg, struct store *s, const char *code, bool group,
			struct err *e)
{
	struct rstream rs = { 0 };
	char dev[33];
	int rc;

	if (!telegram_redis(cfg))
		return 0;
	if (replica_device(s, dev, sizeof(dev), e) < 0 || connected(&rs, cfg, NULL, e) < 0)
		return -1;
	rc = rstream_code(&rs, code, group, dev, TELEGRAM_CODE_TTL * 1000L, e);
	rstream_close(&rs);
	return rc;
}

void telegram_redis_unhome(struct config *cfg, struct store *s, long long chat_id)
{
	struct rstream rs = { 0 };
	struct err e = { 0, "" };
	char dev[33];

	if (!telegram_redis(cfg))
		return;
	if (replica_device(s, dev, sizeof(dev), &e) < 0 || connected(&rs, cfg, NULL, &e) < 0 ||
	    rstream_unhome(&rs, chat_id, dev, &e) < 0)
		log_warn("telegram: chat %lld keeps this store as its home in Redis: %s", chat_id,
			 e.msg);
	rstream_close(&rs);
}

int telegram_dead_letters(struct config *cfg, long long *count, struct err *e)
{
	struct rstream rs = { 0 };
	int rc;

	*count = 0;
	if (!telegram_redis(cfg))
		return 0;
	if (connected(&rs, cfg, NULL, e) < 0)
		return -1;
	rc = rstream_dead_list(&rs, 0, count, NULL, NULL, e);
	rstream_close(&rs);
	return rc;
}

/* The Redis half of `nestor telegram status`: the backlog is device's. */
void tg_redis_status(struct config *cfg, const char *device, struct telegram_status *st)
{
	struct rstream rs = { 0 };
	struct err e = { 0, "" };

	st->redis = true;
	snprintf(st->stream, sizeof(st->stream), RSTREAM_KEY_STREAM ":%s", device);
	if (connected(&rs, cfg, device, &e) < 0 || rstream_holder(&rs, &st->poller, &e) < 0 ||
	    rstream_offset(&rs, &st->offset, &e) < 0 ||
	    rstream_backlog(&rs, &st->waiting, &st->pending, &e) < 0 ||
	    rstream_dead_list(&rs, DEAD_SHOWN, &st->dead, &st->dead_letters, &st->ndead, &e) < 0)
		st->redis_error = xstrdup(e.msg);
	rstream_close(&rs);
}
