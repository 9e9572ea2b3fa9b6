/*
 * rstream.c - the Redis side of the Telegram scale-out (rstream.h): the
 * poller's lock, the update stream and its consumer group, dead letters.
 * Commands go through redis.h (hiredis, in net.so); this file is on the
 * executable's side and parses every reply as outside input.
 */
#include "rstream.h"
#include "utf8.h"
#include "xalloc.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

/* Renew (PEXPIRE) or delete the lock only when it holds our token. */
static const char lua_renew[] = "if redis.call('GET', KEYS[1]) == ARGV[1] then"
				" return redis.call('PEXPIRE', KEYS[1], ARGV[2]) else return 0 end";
static const char lua_release[] = "if redis.call('GET', KEYS[1]) == ARGV[1] then"
				  " return redis.call('DEL', KEYS[1]) else return 0 end";
/* Add an update under the lock: KEYS lock, the chat's last update (its
 * prefix: the key is per device, a chat's order is its device's), offset,
 * the chat's home, the code's device, the devices with workers; ARGV
 * token, update_id, chat_id, body, the offset the update follows,
 * how long a chat's last update is kept (ms), the poller's device, the
 * stream's prefix, the device the update asks for ("": none; honoured
 * only for a device with workers), the group.  KEYS[9] is the device of a
 * group's code, KEYS[5] of a private chat's: that update alone goes there,
 * and the device makes itself the chat's home once its store took the code
 * (rstream_home(): it may refuse it, expired, or a private chat's code in
 * a group).  A private chat (Telegram's ids above 0; a group's are below)
 * with no home yet gets its code's device at once, so what it says next
 * waits there for the link (a store whose worker is away) instead of being
 * refused elsewhere as unlinked.  The offset is compared for
 * equality only: update ids are not a watermark (after a week without
 * updates Telegram picks the next one at random).  A device's stream is
 * made with its group, so an update no worker read yet counts as waiting.
 * The stream's and the chain's names are made here from the device the
 * update goes to (standalone Redis: a script may write a key it was not
 * given).  The chain of before chains were per device (KEYS[2] itself, an
 * id) goes on on the poller's device, where the old stream's entries went
 * (lua_adopt).  The stream is trimmed only below the entries the group
 * still needs: the oldest pending one, or the last delivered (those after
 * it no worker read yet), so a backlog of any length loses nothing.
 * KEYS[7] is the numbering ("EPOCH:FROM", none before the first new one:
 * rstream_renumber()): each entry carries it (field n), and a chat's last
 * update is kept with its epoch (KEYS[8]:CHAT:DEVICE, past epoch 0), so an
 * update of an older numbering is no update's prev.  The epoch's key is
 * written with the last update, for as long, or deleted with no numbering
 * (epoch 0): it never tells of a last update it was not written with.
 * With no numbering while the last update has an epoch, Redis lost the
 * numbering (epochs only grow: a new numbering has one): the last update
 * is still the chat's previous one.  The last update stays a plain id, as
 * a relay of a version before the numbering reads it ("EPOCH:ID", as such
 * a relay could not, is still read). */
static const char lua_add[] =
	"if redis.call('GET', KEYS[1]) ~= ARGV[1] then return -1 end "
	"local off = tonumber(redis.call('GET', KEYS[3]) or '0') or 0 "
	"if off ~= tonumber(ARGV[5]) then return 0 end "
	"local num = redis.call('GET', KEYS[7]) "
	"local ep = num and string.match(num, '^(%d+):') or '0' "
	"local prev = '0' "
	"local home = ARGV[7] "
	"if ARGV[3] ~= '0' then"
	" home = redis.call('GET', KEYS[4]) or ARGV[7]"
	" local coder = KEYS[5] ~= '' and redis.call('GET', KEYS[5])"
	" local gcoder = KEYS[9] ~= '' and redis.call('GET', KEYS[9])"
	" if gcoder then"
	"  redis.call('DEL', KEYS[9])"
	"  home = gcoder"
	" elseif coder then"
	"  redis.call('DEL', KEYS[5])"
	"  if string.sub(ARGV[3], 1, 1) ~= '-' then redis.call('SET', KEYS[4], coder, 'NX') end"
	"  home = coder"
	" end"
	" if ARGV[9] ~= '' and redis.call('SISMEMBER', KEYS[6], ARGV[9]) == 1 then"
	"  home = ARGV[9]"
	" end"
	" local chain = KEYS[2] .. ':' .. home"
	" prev = redis.call('GET', chain)"
	" if not prev and home == ARGV[7] then prev = redis.call('GET', KEYS[2]) end"
	" prev = prev or '0'"
	" local chainn = KEYS[8] .. ':' .. home"
	" local pe, pid = string.match(prev, '^(%d+):(%d+)$')"
	" if not pe then pe, pid = redis.call('GET', chainn) or '0', prev end"
	" if pe ~= ep and ep ~= '0' then pid = '0' end"
	" prev = pid"
	" redis.call('SET', chain, ARGV[2], 'PX', ARGV[6])"
	" if ep ~= '0' then redis.call('SET', chainn, ep, 'PX', ARGV[6])"
	" else redis.call('DEL', chainn) end end "
	"local stream = ARGV[8] .. home "
	"if redis.call('EXISTS', stream) == 0 then"
	" redis.call('XGROUP', 'CREATE', stream, ARGV[10], '0', 'MKSTREAM') end "
	"local keep = nil "
	"for _, g in ipairs(redis.call('XINFO', 'GROUPS', stream)) do"
	" local f = {}"
	" for i = 1, #g, 2 do f[g[i]] = g[i + 1] end"
	" if f['name'] == ARGV[10] then"
	"  keep = f['last-delivered-id']"
	"  if f['pending'] > 0 then"
	"   local p = redis.call('XPENDING', stream, ARGV[10])[2]"
	"   local pm, ps = string.match(p, '^(%d+)-(%d+)$')"
	"   local km, ks = string.match(keep, '^(%d+)-(%d+)$')"
	"   pm, ps, km, ks = tonumber(pm), tonumber(ps), tonumber(km), tonumber(ks)"
	"   if pm < km or (pm == km and ps < ks) then keep = p end"
	"  end"
	" end "
	"end "
	"local add = { 'XADD', stream } "
	"if keep then add = { 'XADD', stream, 'MINID', '~', keep } end "
	"for _, v in ipairs({ '*', 'u', ARGV[2], 'chat', ARGV[3], 'prev', prev, 'body', ARGV[4] }) "
	"do"
	" add[#add + 1] = v "
	"end "
	"if num then add[#add + 1] = 'n' add[#add + 1] = num end "
	"redis.call(unpack(add)) "
	"redis.call('SET', KEYS[3], string.format('%d', tonumber(ARGV[2]) + 1)) "
	"return 1";
/* Updates numbered anew: while the lock (KEYS[1]) holds ARGV[1] and the
 * offset (KEYS[3]) is still ARGV[3], the one the batch was asked with, the
 * numbering (KEYS[2]) becomes a later epoch and ARGV[2], the new
 * numbering's lowest update; the epoch (-1: the lock is not held, 0: the
 * offset moved, another poller added the batch).  The
 * epoch is the server's time in ms, or one past the last if that is
 * later: it keeps growing even when Redis lost its keys, so a store that
 * knew an epoch never takes a new one for an old one. */
static const char lua_renumber[] =
	"if redis.call('GET', KEYS[1]) ~= ARGV[1] then return -1 end "
	"local off = tonumber(redis.call('GET', KEYS[3]) or '0') or 0 "
	"if off ~= tonumber(ARGV[3]) then return 0 end "
	"local cur = redis.call('GET', KEYS[2]) "
	"local ep = tonumber(cur and string.match(cur, '^(%d+):') or '0') + 1 "
	"local t = redis.call('TIME') "
	"local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000) "
	"if now > ep then ep = now end "
	"redis.call('SET', KEYS[2], string.format('%d:%s', ep, ARGV[2])) "
	"return ep";
/* The stream of before devices had streams (KEYS[1]), while the lock
 * (KEYS[2]) holds ARGV[4]: its entries not acknowledged (pending, then
 * never read) moved to ARGV[1]'s end, the stream deleted; how many moved
 * (-1: the lock is not held). */
static const char lua_adopt[] =
	"if redis.call('GET', KEYS[2]) ~= ARGV[4] then return -1 end "
	"if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end "
	"local last = nil "
	"for _, g in ipairs(redis.call('XINFO', 'GROUPS', KEYS[1])) do"
	" local f = {}"
	" for i = 1, #g, 2 do f[g[i]] = g[i + 1] end"
	" if f['name'] == ARGV[2] then last = f['last-delivered-id'] end "
	"end "
	"local n = 0 "
	"local function move(e) redis.call('XADD', ARGV[1], '*', unpack(e[2])) n = n + 1 end "
	"if last then"
	" for _, p in ipairs(redis.call('XPENDING', KEYS[1], ARGV[2], '-', '+', ARGV[3])) do"
	"  for _, e in ipairs(redis.call('XRANGE', KEYS[1], p[1], p[1])) do move(e) end"
	" end "
	"end "
	"for _, e in ipairs(redis.call('XRANGE', KEYS[1], last and ('(' .. last) or '-', '+')) do"
	" move(e) "
	"end "
	"redis.call('DEL', KEYS[1]) "
	"return n";
/* A chat unlinked on a device: KEYS its home; ARGV the device. */
static const char lua_unhome[] = "if redis.call('GET', KEYS[1]) == ARGV[1] then"
				 " return redis.call('DEL', KEYS[1]) else return 0 end";
/* Dead letter: KEYS stream, dead; ARGV group, id, update_id, chat_id, why,
 * body. */
static const char lua_dead[] =
	"redis.call('XADD', KEYS[2], 'MAXLEN', '~', '10000', '*', 'entry', ARGV[2], 'u', ARGV[3],"
	" 'chat', ARGV[4], 'why', ARGV[5], 'body', ARGV[6]) "
	"return redis.call('XACK', KEYS[1], ARGV[1], ARGV[2])";

/* The URL is never quoted in an error: a password typed into it (refused
 * below, but only once found) must not reach a terminal or a log. */
int rds_url_parse(const char *url, char *host, size_t hostlen, int *port, int *db, char *user,
		  size_t userlen, struct err *e)
{
	const char *p, *end, *at;
	size_t n;
	char *stop;
	long v;

	if (!url || strncmp(url, "redis://", 8))
		return err_set(e, ERR_USAGE, "server.redis: not a redis://[USER@]HOST:PORT/DB URL");
	p = url + 8;
	user[0] = '\0';
	/* The user info runs to the last '@': a password may hold '/' or '@',
	 * and the path (the database) holds neither. */
	at = strrchr(p, '@');
	if (at) {
		if (memchr(p, ':', (size_t)(at - p)))
			return err_set(e, ERR_USAGE,
				       "server.redis: a password in the URL is refused (a secret "
				       "does not belong in the config file); store it with `nestor "
				       "secret set " RDS_SECRET
				       "` (or NESTOR_SECRET_REDIS) and keep "
				       "only the user in the URL");
		if (at == p || (size_t)(at - p) >= userlen)
			return err_set(e, ERR_USAGE,
				       "server.redis: bad user in the URL (1 to %zu characters)",
				       userlen - 1);
		for (const char *c = p; c < at; c++)
			if (!isalnum((unsigned char)*c) && !strchr("._-", *c))
				return err_set(
					e, ERR_USAGE,
					"server.redis: bad user in the URL (letters, digits, "
					"'.', '_' and '-')");
		memcpy(user, p, (size_t)(at - p));
		user[at - p] = '\0';
		p = at + 1;
	}
	n = strcspn(p, "/");
	end = memchr(p, ':', n);
	if (!end)
		end = p + n;
	if (end == p || (size_t)(end - p) >= hostlen)
		return err_set(e, ERR_USAGE, "server.redis: no host in the URL");
	for (const char *c = p; c < end; c++)
		if (!isalnum((unsigned char)*c) && *c != '.' && *c != '-')
			return err_set(e, ERR_USAGE,
				       "server.redis: bad host in the URL (letters, digits, '.' "
				       "and '-')");
	memcpy(host, p, (size_t)(end - p));
	host[end - p] = '\0';
	*port = 6379;
	*db = 0;
	if (*end == ':') {
		errno = 0;
		v = strtol(end + 1, &stop, 10);
		if (errno || stop == end + 1 || stop != p + n || v < 1 || v > 65535 ||
		    !isdigit((unsigned char)end[1]))
			return err_set(e, ERR_USAGE, "server.redis: bad port after %s (1 to 65535)",
				       host);
		*port = (int)v;
	}
	p += n;
	if (*p == '/' && p[1]) {
		errno = 0;
		v = strtol(p + 1, &stop, 10);
		if (errno || *stop || v < 0 || v > 15 || !isdigit((unsigned char)p[1]))
			return err_set(e, ERR_USAGE, "server.redis: bad database on %s (0 to 15)",
				       host);
		*db = (int)v;
	}
	return 0;
}

/* The strings and elements of rep, not rep itself. */
static void reply_release(struct rds_reply *rep)
{
	for (size_t i = 0; i < rep->n; i++)
		reply_release(&rep->elem[i]);
	free(rep->elem);
	free(rep->str);
}

void rds_reply_free(struct rds_reply *rep)
{
	if (!rep)
		return;
	reply_release(rep);
	free(rep);
}

/* s (len bytes) as an integer in min..max, digits only (a '-' first when
 * min < 0). */
static bool num(const char *s, size_t len, long long min, long long max, long long *v)
{
	size_t i = 0;
	bool neg = false;
	long long x = 0;

	if (len && s[0] == '-' && min < 0) {
		neg = true;
		i = 1;
	}
	if (i == len || len - i > 18)
		return false;
	for (; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		x = x * 10 + (s[i] - '0');
	}
	x = neg ? -x : x;
	if (x < min || x > max)
		return false;
	*v = x;
	return true;
}

/* "MS-SEQ", each part 1 to 20 digits. */
static bool id_ok(const struct rds_reply *r)
{
	const char *dash;
	size_t a;

	if (!r || r->type != RDS_STRING || r->len < 3 ||
	    r->len >= sizeof(((struct rstream_entry *)0)->id))
		return false;
	dash = memchr(r->str, '-', r->len);
	if (!dash)
		return false;
	a = (size_t)(dash - r->str);
	if (a < 1 || a > 20 || r->len - a - 1 < 1 || r->len - a - 1 > 20)
		return false;
	for (size_t i = 0; i < r->len; i++)
		if (i != a && (r->str[i] < '0' || r->str[i] > '9'))
			return false;
	return true;
}

static bool is_str(const struct rds_reply *r)
{
	return r && (r->type == RDS_STRING || r->type == RDS_STATUS);
}

static bool field_is(const struct rds_reply *f, const char *name)
{
	return is_str(f) && f->len == strlen(name) && !memcmp(f->str, name, f->len);
}

#define MAX_UPDATE_ID 9007199254740991LL /* 2^53 - 1: Telegram's ids fit a double */
#define MAX_CHAT_ID   999999999999999LL

int rstream_entry_parse(const struct rds_reply *item, struct rstream_entry *out, struct err *e)
{
	const struct rds_reply *fields, *u = NULL, *chat = NULL, *prev = NULL, *body = NULL,
					*numbering = NULL;
	const char *colon;

	memset(out, 0, sizeof(*out));
	if (!item || item->type != RDS_ARRAY || item->n != 2 || !id_ok(&item->elem[0]))
		return err_set(e, ERR_FAIL, "redis: a stream entry without a valid id");
	memcpy(out->id, item->elem[0].str, item->elem[0].len);
	out->id[item->elem[0].len] = '\0';
	out->deliveries = 1;
	fields = &item->elem[1];
	if (fields->type != RDS_ARRAY || fields->n % 2) {
		snprintf(out->why, sizeof(out->why), "fields are not name-value pairs");
		return 0;
	}
	for (size_t i = 0; i < fields->n; i += 2) {
		const struct rds_reply *f = &fields->elem[i], *v = &fields->elem[i + 1];

		if (!is_str(v)) {
			snprintf(out->why, sizeof(out->why), "a field's value is not a string");
			return 0;
		}
		if (field_is(f, "u"))
			u = v;
		else if (field_is(f, "chat"))
			chat = v;
		else if (field_is(f, "prev"))
			prev = v;
		else if (field_is(f, "body"))
			body = v;
		else if (field_is(f, "n"))
			numbering = v;
	}
	colon = numbering ? memchr(numbering->str, ':', numbering->len) : NULL;
	if (!u || !num(u->str, u->len, 0, MAX_UPDATE_ID, &out->update_id))
		snprintf(out->why, sizeof(out->why), "no valid update id (field u)");
	else if (!chat || !num(chat->str, chat->len, -MAX_CHAT_ID, MAX_CHAT_ID, &out->chat_id))
		snprintf(out->why, sizeof(out->why), "no valid chat id (field chat)");
	else if (!prev || !num(prev->str, prev->len, 0, MAX_UPDATE_ID, &out->prev) ||
		 (out->prev && out->prev == out->update_id))
		snprintf(out->why, sizeof(out->why), "no valid previous update (field prev)");
	else if (numbering &&
		 (!colon ||
		  !num(numbering->str, (size_t)(colon - numbering->str), 1, LLONG_MAX,
		       &out->numbering) ||
		  !num(colon + 1, numbering->len - (size_t)(colon - numbering->str) - 1, 1,
		       MAX_UPDATE_ID, &out->numbered_from)))
		snprintf(out->why, sizeof(out->why), "no valid numbering (field n)");
	else if (!body || !body->len)
		snprintf(out->why, sizeof(out->why), "no body");
	else if (body->len > RSTREAM_MAX)
		snprintf(out->why, sizeof(out->why), "body of %zu bytes (at most %d)", body->len,
			 RSTREAM_MAX);
	else if (memchr(body->str, '\0', body->len) || !utf8_valid(body->str, body->len))
		snprintf(out->why, sizeof(out->why), "body is not UTF-8 text");
	if (out->why[0])
		return 0;
	out->body = xmalloc(body->len + 1);
	memcpy(out->body, body->str, body->len);
	out->body[body->len] = '\0';
	return 0;
}

void rstream_entries_free(struct rstream_entry *en, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(en[i].body);
	free(en);
}

/* Free what a failed read collected; -1. */
static int entries_drop(struct rstream_entry **out, size_t *n)
{
	rstream_entries_free(*out, *n);
	*out = NULL;
	*n = 0;
	return -1;
}

/* Run a command; a Redis error reply is a failure too. */
static int call(struct rstream *rs, int argc, const char **argv, struct rds_reply **rep,
		struct err *e)
{
	if (rds_command(rs->r, argc, argv, NULL, rep, e) < 0)
		return -1;
	if ((*rep)->type == RDS_ERROR) {
		char *msg = utf8_clean_str((*rep)->str, 0);

		err_set(e, ERR_FAIL, "redis: %s: %.*s", argv[0], utf8_prec(msg, 200), msg);
		free(msg);
		rds_reply_free(*rep);
		*rep = NULL;
		return -1;
	}
	return 0;
}

/* A command whose answer is an integer (or OK/nil: 0). */
static int call_int(struct rstream *rs, int argc, const char **argv, long long *v, struct err *e)
{
	struct rds_reply *rep;

	*v = 0;
	if (call(rs, argc, argv, &rep, e) < 0)
		return -1;
	if (rep->type == RDS_INTEGER)
		*v = rep->integer;
	else if (rep->type == RDS_STRING &&
		 !num(rep->str, rep->len, -MAX_UPDATE_ID, MAX_UPDATE_ID, v))
		*v = 0;
	rds_reply_free(rep);
	return 0;
}

int rstream_open(struct rstream *rs, const char *url, const char *password, long timeout_ms,
		 struct err *e)
{
	unsigned char rnd[8];
	char host[64], user[RDS_USER_MAX];
	int port, db;

	memset(rs, 0, sizeof(*rs));
	snprintf(rs->stream, sizeof(rs->stream), "%s", RSTREAM_KEY_STREAM);
	/* A wrong URL is said before the network module loads. */
	if (rds_url_parse(url, host, sizeof(host), &port, &db, user, sizeof(user), e) < 0)
		return -1;
	if (getrandom(rnd, sizeof(rnd), 0) != (ssize_t)sizeof(rnd))
		return err_set(e, ERR_FAIL, "no random numbers for a lock token");
	if (gethostname(host, sizeof(host)) < 0)
		snprintf(host, sizeof(host), "host");
	host[sizeof(host) - 1] = '\0';
	snprintf(rs->token, sizeof(rs->token), "%s:%ld:%02x%02x%02x%02x%02x%02x%02x%02x", host,
		 (long)getpid(), rnd[0], rnd[1], rnd[2], rnd[3], rnd[4], rnd[5], rnd[6], rnd[7]);
	return rds_connect(url, password, timeout_ms, &rs->r, e);
}

/* A store's device id (hex digits: replica_device()), or at least 1 to
 * RSTREAM_DEVICE_MAX digits and small letters, as it names a stream. */
static bool device_ok(const char *s, size_t n)
{
	if (n < 1 || n > RSTREAM_DEVICE_MAX)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!isdigit((unsigned char)s[i]) && !islower((unsigned char)s[i]))
			return false;
	return true;
}

/* Whether device (NUL-terminated) is a device id. */
static bool device_str_ok(const char *device)
{
	return device && device_ok(device, strlen(device));
}

/* 0, or -1 with e when device is no device id. */
static int device_check(const char *device, struct err *e)
{
	if (device_str_ok(device))
		return 0;
	return err_set(e, ERR_USAGE, "redis: \"%.40s\" is not a device id", device ? device : "");
}

void rstream_set_device(struct rstream *rs, const char *device)
{
	size_t d, t = strlen(rs->token);

	if (!device)
		return;
	d = strlen(device);
	if (!device_ok(device, d) || d + 1 + t >= sizeof(rs->token))
		return;
	memmove(rs->token + d + 1, rs->token, t + 1);
	memcpy(rs->token, device, d);
	rs->token[d] = '/';
}

void rstream_close(struct rstream *rs)
{
	struct err e = { 0, "" };

	rds_close(rs->r, &e);
	rs->r = NULL;
}

/* Take the lock key for ttl_ms, or renew it when this process holds it. */
static int lock_key(struct rstream *rs, const char *key, long ttl_ms, bool *held, struct err *e)
{
	char ttl[24];
	const char *renew[] = { "EVAL", lua_renew, "1", key, rs->token, ttl };
	const char *take[] = { "SET", key, rs->token, "NX", "PX", ttl };
	struct rds_reply *rep;
	long long v;

	snprintf(ttl, sizeof(ttl), "%ld", ttl_ms);
	*held = false;
	if (call_int(rs, 6, renew, &v, e) < 0)
		return -1;
	if (v == 1) {
		*held = true;
		return 0;
	}
	if (call(rs, 6, take, &rep, e) < 0)
		return -1;
	*held = rep->type == RDS_STATUS;
	rds_reply_free(rep);
	return 0;
}

static int unlock_key(struct rstream *rs, const char *key, struct err *e)
{
	const char *argv[] = { "EVAL", lua_release, "1", key, rs->token };
	long long v;

	return call_int(rs, 5, argv, &v, e);
}

int rstream_lock(struct rstream *rs, long ttl_ms, bool *held, struct err *e)
{
	return lock_key(rs, RSTREAM_KEY_LOCK, ttl_ms, held, e);
}

int rstream_unlock(struct rstream *rs, struct err *e)
{
	return unlock_key(rs, RSTREAM_KEY_LOCK, e);
}

/* The sender's lock of device into key; -1 with e when device is no
 * device id. */
static int sender_key(const char *device, char *key, size_t len, struct err *e)
{
	if (device_check(device, e) < 0)
		return -1;
	snprintf(key, len, RSTREAM_KEY_SENDER "%s", device);
	return 0;
}

int rstream_sender_lock(struct rstream *rs, const char *device, long ttl_ms, bool *held,
			struct err *e)
{
	char key[64];

	*held = false;
	if (sender_key(device, key, sizeof(key), e) < 0)
		return -1;
	return lock_key(rs, key, ttl_ms, held, e);
}

int rstream_sender_unlock(struct rstream *rs, const char *device, struct err *e)
{
	char key[64];

	if (sender_key(device, key, sizeof(key), e) < 0)
		return -1;
	return unlock_key(rs, key, e);
}

int rstream_holder(struct rstream *rs, char **holder, struct err *e)
{
	const char *argv[] = { "GET", RSTREAM_KEY_LOCK };
	struct rds_reply *rep;

	*holder = NULL;
	if (call(rs, 2, argv, &rep, e) < 0)
		return -1;
	if (rep->type == RDS_STRING)
		*holder = utf8_clean_str(rep->str, 0);
	rds_reply_free(rep);
	return 0;
}

int rstream_holder_device(struct rstream *rs, char *dev, size_t len, struct err *e)
{
	char *who;
	size_t n;

	dev[0] = '\0';
	if (rstream_holder(rs, &who, e) < 0)
		return -1;
	/* A host name holds no '/': the device is what comes before it. */
	n = who ? strcspn(who, "/:") : 0;
	if (who && who[n] == '/' && n < len && device_ok(who, n)) {
		memcpy(dev, who, n);
		dev[n] = '\0';
	}
	free(who);
	return 0;
}

int rstream_offset(struct rstream *rs, long long *offset, struct err *e)
{
	const char *argv[] = { "GET", RSTREAM_KEY_OFFSET };

	return call_int(rs, 2, argv, offset, e);
}

int rstream_device(struct rstream *rs, const char *device, struct err *e)
{
	if (device_check(device, e) < 0)
		return -1;
	snprintf(rs->stream, sizeof(rs->stream), RSTREAM_KEY_STREAM ":%s", device);
	snprintf(rs->device, sizeof(rs->device), "%s", device);
	return 0;
}

/* Whether code may be a link code (else the update names none). */
static bool code_ok(const char *code)
{
	size_t n = code ? strlen(code) : 0;

	if (!n || n > RSTREAM_CODE_MAX)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!isalnum((unsigned char)code[i]))
			return false;
	return true;
}

int rstream_add(struct rstream *rs, long long *offset, const struct rstream_update *u,
		const char *device, int *added, struct err *e)
{
	char id[24], chat[24], last[64], lastn[64], home[64], coder[64], gcoder[64], off[24],
		ttl[24];
	const char *argv[] = { "EVAL",
			       lua_add,
			       "9",
			       RSTREAM_KEY_LOCK,
			       last,
			       RSTREAM_KEY_OFFSET,
			       home,
			       coder,
			       RSTREAM_KEY_DEVICES,
			       RSTREAM_KEY_EPOCH,
			       lastn,
			       gcoder,
			       rs->token,
			       id,
			       chat,
			       u->body,
			       off,
			       ttl,
			       device,
			       RSTREAM_KEY_STREAM ":",
			       device_str_ok(u->to) ? u->to : "",
			       RSTREAM_GROUP };
	long long v;

	if (device_check(device, e) < 0)
		return -1;
	snprintf(id, sizeof(id), "%lld", u->update_id);
	snprintf(chat, sizeof(chat), "%lld", u->chat_id);
	snprintf(last, sizeof(last), RSTREAM_KEY_LAST "%lld", u->chat_id);
	snprintf(lastn, sizeof(lastn), RSTREAM_KEY_LASTN "%lld", u->chat_id);
	snprintf(home, sizeof(home), RSTREAM_KEY_HOME "%lld", u->chat_id);
	coder[0] = gcoder[0] = '\0';
	if (code_ok(u->code)) {
		snprintf(coder, sizeof(coder), RSTREAM_KEY_CODE "%s", u->code);
		snprintf(gcoder, sizeof(gcoder), RSTREAM_KEY_GCODE "%s", u->code);
	}
	snprintf(off, sizeof(off), "%lld", *offset);
	snprintf(ttl, sizeof(ttl), "%lld", (long long)RSTREAM_LAST_TTL);
	if (call_int(rs, 22, argv, &v, e) < 0)
		return -1;
	*added = (int)v;
	if (v == 1)
		*offset = u->update_id + 1;
	return 0;
}

int rstream_renumber(struct rstream *rs, long long offset, long long from, long long *epoch,
		     struct err *e)
{
	char low[24], off[24];
	const char *argv[] = { "EVAL",
			       lua_renumber,
			       "3",
			       RSTREAM_KEY_LOCK,
			       RSTREAM_KEY_EPOCH,
			       RSTREAM_KEY_OFFSET,
			       rs->token,
			       low,
			       off };

	snprintf(low, sizeof(low), "%lld", from);
	snprintf(off, sizeof(off), "%lld", offset);
	return call_int(rs, 9, argv, epoch, e);
}

int rstream_adopt(struct rstream *rs, const char *device, long long *moved, struct err *e)
{
	char to[64];
	const char *argv[] = { "EVAL",		 lua_adopt, "2",	   RSTREAM_KEY_STREAM,
			       RSTREAM_KEY_LOCK, to,	    RSTREAM_GROUP, RSTREAM_MOVE_MAX,
			       rs->token };

	if (device_check(device, e) < 0)
		return -1;
	snprintf(to, sizeof(to), RSTREAM_KEY_STREAM ":%s", device);
	return call_int(rs, 9, argv, moved, e);
}

int rstream_code(struct rstream *rs, const char *code, bool group, const char *device, long ttl_ms,
		 struct err *e)
{
	char key[64], ttl[24];
	const char *argv[] = { "SET", key, device, "PX", ttl };
	long long v;

	if (!code_ok(code) || !device_str_ok(device))
		return err_set(e, ERR_USAGE, "redis: a link code or a device id that is not valid");
	snprintf(key, sizeof(key), "%s%s", group ? RSTREAM_KEY_GCODE : RSTREAM_KEY_CODE, code);
	snprintf(ttl, sizeof(ttl), "%ld", ttl_ms);
	return call_int(rs, 5, argv, &v, e);
}

int rstream_home(struct rstream *rs, long long chat_id, const char *device, struct err *e)
{
	char key[64];
	const char *argv[] = { "SET", key, device };
	long long v;

	if (!device_str_ok(device))
		return err_set(e, ERR_USAGE, "redis: a device id that is not valid");
	snprintf(key, sizeof(key), RSTREAM_KEY_HOME "%lld", chat_id);
	return call_int(rs, 3, argv, &v, e);
}

int rstream_unhome(struct rstream *rs, long long chat_id, const char *device, struct err *e)
{
	char key[64];
	const char *argv[] = { "EVAL", lua_unhome, "1", key, device };
	long long v;

	snprintf(key, sizeof(key), RSTREAM_KEY_HOME "%lld", chat_id);
	return call_int(rs, 5, argv, &v, e);
}

int rstream_group(struct rstream *rs, struct err *e)
{
	const char *argv[] = { "XGROUP", "CREATE", rs->stream, RSTREAM_GROUP, "0", "MKSTREAM" };
	const char *join[] = { "SADD", RSTREAM_KEY_DEVICES, rs->device };
	struct rds_reply *rep;
	long long v;
	int rc = 0;

	if (rds_command(rs->r, 6, argv, NULL, &rep, e) < 0)
		return -1;
	if (rep->type == RDS_ERROR && strncmp(rep->str, "BUSYGROUP", 9))
		rc = err_set(e, ERR_FAIL, "redis: XGROUP CREATE: %.*s", utf8_prec(rep->str, 200),
			     rep->str);
	rds_reply_free(rep);
	if (rc == 0 && rs->device[0])
		rc = call_int(rs, 3, join, &v, e);
	return rc;
}

/* The entries of list (an array of [ID, FIELDS]) appended to *out. */
static int collect(const struct rds_reply *list, struct rstream_entry **out, size_t *n,
		   struct err *e)
{
	if (list->type != RDS_ARRAY)
		return err_set(e, ERR_FAIL, "redis: a list of stream entries expected");
	*out = xrealloc(*out, (*n + list->n + 1) * sizeof(**out));
	for (size_t i = 0; i < list->n; i++) {
		if (list->elem[i].type == RDS_NIL)
			continue; /* deleted (Redis 6.2) */
		if (rstream_entry_parse(&list->elem[i], &(*out)[*n], e) < 0)
			return -1;
		++*n;
	}
	return 0;
}

/* Run a command answering stream entries: XREADGROUP (nil, or [[STREAM,
 * ENTRIES]]) or XAUTOCLAIM ([CURSOR, ENTRIES, DELETED]). */
static int entries_cmd(struct rstream *rs, int argc, const char **argv, struct rstream_entry **out,
		       size_t *n, struct err *e)
{
	bool claim = !strcmp(argv[0], "XAUTOCLAIM");
	const struct rds_reply *list = NULL;
	struct rds_reply *rep;
	int rc = 0;

	*out = NULL;
	*n = 0;
	if (call(rs, argc, argv, &rep, e) < 0)
		return -1;
	if (claim && rep->type == RDS_ARRAY && rep->n >= 2) {
		list = &rep->elem[1];
		rs->cursor[0] = '\0';
		if (id_ok(&rep->elem[0]) && strcmp(rep->elem[0].str, "0-0"))
			memcpy(rs->cursor, rep->elem[0].str, rep->elem[0].len + 1);
	} else if (!claim && rep->type == RDS_ARRAY && rep->n == 1 &&
		   rep->elem[0].type == RDS_ARRAY && rep->elem[0].n == 2)
		list = &rep->elem[0].elem[1];
	if (list)
		rc = collect(list, out, n, e);
	else if (claim || rep->type != RDS_NIL)
		rc = err_set(e, ERR_FAIL, "redis: %s: an answer of unknown shape", argv[0]);
	rds_reply_free(rep);
	return rc < 0 ? entries_drop(out, n) : 0;
}

int rstream_read(struct rstream *rs, const char *consumer, long count, long block_ms,
		 struct rstream_entry **out, size_t *n, struct err *e)
{
	char cnt[24], blk[24];
	const char *argv[] = { "XREADGROUP", "GROUP", RSTREAM_GROUP, consumer,	 "COUNT", cnt,
			       "BLOCK",	     blk,     "STREAMS",     rs->stream, ">" };

	snprintf(cnt, sizeof(cnt), "%ld", count);
	snprintf(blk, sizeof(blk), "%ld", block_ms);
	return entries_cmd(rs, 11, argv, out, n, e);
}

/* How many times id was delivered (XPENDING); 0 when it is not pending. */
static int deliveries(struct rstream *rs, const char *id, long *count, struct err *e)
{
	const char *argv[] = { "XPENDING", rs->stream, RSTREAM_GROUP, id, id, "1" };
	struct rds_reply *rep;
	const struct rds_reply *p;

	*count = 0;
	if (call(rs, 6, argv, &rep, e) < 0)
		return -1;
	if (rep->type == RDS_ARRAY && rep->n == 1 && rep->elem[0].type == RDS_ARRAY &&
	    rep->elem[0].n == 4 && (p = &rep->elem[0].elem[3])->type == RDS_INTEGER &&
	    p->integer >= 0)
		*count = (long)p->integer;
	rds_reply_free(rep);
	return 0;
}

int rstream_claim(struct rstream *rs, const char *consumer, long idle_ms, long count,
		  struct rstream_entry **out, size_t *n, struct err *e)
{
	char idle[24], cnt[24];
	const char *argv[] = { "XAUTOCLAIM", rs->stream, RSTREAM_GROUP,
			       consumer,     idle,	 rs->cursor[0] ? rs->cursor : "0-0",
			       "COUNT",	     cnt };
	int rc;

	snprintf(idle, sizeof(idle), "%ld", idle_ms);
	snprintf(cnt, sizeof(cnt), "%ld", count);
	rc = entries_cmd(rs, 8, argv, out, n, e);
	for (size_t i = 0; rc == 0 && i < *n; i++)
		rc = deliveries(rs, (*out)[i].id, &(*out)[i].deliveries, e);
	return rc < 0 ? entries_drop(out, n) : 0;
}

int rstream_touch(struct rstream *rs, const char *consumer, const char *id, struct err *e)
{
	const char *argv[] = { "XCLAIM", rs->stream, RSTREAM_GROUP, consumer, "0", id, "JUSTID" };
	struct rds_reply *rep;

	if (call(rs, 7, argv, &rep, e) < 0)
		return -1;
	rds_reply_free(rep);
	return 0;
}

int rstream_ack(struct rstream *rs, const char *id, struct err *e)
{
	const char *argv[] = { "XACK", rs->stream, RSTREAM_GROUP, id };
	long long v;

	return call_int(rs, 4, argv, &v, e);
}

int rstream_dead(struct rstream *rs, const struct rstream_entry *en, const char *why, struct err *e)
{
	char u[24], chat[24];
	const char *argv[] = {
		"EVAL", lua_dead, "2",	rs->stream, RSTREAM_KEY_DEAD,	     RSTREAM_GROUP,
		en->id, u,	  chat, why,	    en->body ? en->body : ""
	};
	long long v;

	snprintf(u, sizeof(u), "%lld", en->update_id);
	snprintf(chat, sizeof(chat), "%lld", en->chat_id);
	return call_int(rs, 11, argv, &v, e);
}

int rstream_dead_list(struct rstream *rs, size_t max, long long *count, struct rstream_dead **out,
		      size_t *n, struct err *e)
{
	const char *len[] = { "XLEN", RSTREAM_KEY_DEAD };
	char cnt[24];
	const char *range[] = { "XREVRANGE", RSTREAM_KEY_DEAD, "+", "-", "COUNT", cnt };
	struct rds_reply *rep;

	if (out) {
		*out = NULL;
		*n = 0;
	}
	if (call_int(rs, 2, len, count, e) < 0)
		return -1;
	if (!out || !max || !*count)
		return 0;
	snprintf(cnt, sizeof(cnt), "%zu", max);
	if (call(rs, 6, range, &rep, e) < 0)
		return -1;
	if (rep->type == RDS_ARRAY) {
		*out = xcalloc(rep->n + 1, sizeof(**out));
		for (size_t i = 0; i < rep->n; i++) {
			const struct rds_reply *it = &rep->elem[i], *f;
			struct rstream_dead *d = &(*out)[*n];

			if (it->type != RDS_ARRAY || it->n != 2 || !id_ok(&it->elem[0]) ||
			    (f = &it->elem[1])->type != RDS_ARRAY)
				continue;
			memcpy(d->id, it->elem[0].str, it->elem[0].len);
			for (size_t k = 0; k + 1 < f->n; k += 2) {
				const struct rds_reply *v = &f->elem[k + 1];

				if (!is_str(v))
					continue;
				if (field_is(&f->elem[k], "u"))
					num(v->str, v->len, 0, MAX_UPDATE_ID, &d->update_id);
				else if (field_is(&f->elem[k], "chat"))
					num(v->str, v->len, -MAX_CHAT_ID, MAX_CHAT_ID, &d->chat_id);
				else if (field_is(&f->elem[k], "why") && !d->why)
					d->why = utf8_clean_str(v->len < 512 ? v->str : "?", 0);
			}
			if (!d->why)
				d->why = xstrdup("?");
			++*n;
		}
	}
	rds_reply_free(rep);
	return 0;
}

void rstream_dead_free(struct rstream_dead *d, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(d[i].why);
	free(d);
}

int rstream_backlog(struct rstream *rs, long long *waiting, long long *pending, struct err *e)
{
	const char *argv[] = { "XINFO", "GROUPS", rs->stream };
	struct rds_reply *rep;

	*waiting = *pending = 0;
	if (rds_command(rs->r, 3, argv, NULL, &rep, e) < 0)
		return -1;
	if (rep->type == RDS_ARRAY)
		for (size_t i = 0; i < rep->n; i++) {
			const struct rds_reply *g = &rep->elem[i];
			bool ours = false;
			long long lag = 0, pend = 0;

			if (g->type != RDS_ARRAY)
				continue;
			for (size_t k = 0; k + 1 < g->n; k += 2) {
				const struct rds_reply *v = &g->elem[k + 1];

				if (field_is(&g->elem[k], "name"))
					ours = field_is(v, RSTREAM_GROUP);
				else if (field_is(&g->elem[k], "pending") && v->type == RDS_INTEGER)
					pend = v->integer;
				else if (field_is(&g->elem[k], "lag") && v->type == RDS_INTEGER)
					lag = v->integer;
			}
			if (ours) {
				*waiting = lag;
				*pending = pend;
			}
		}
	rds_reply_free(rep);
	return 0;
}
