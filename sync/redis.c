/*
 * redis.c - every hiredis call of nestor (redis.h); part of the network
 * module, so only a process that talks to Redis maps hiredis.
 */
#include "redis.h"
#include "utf8.h"
#include "xalloc.h"

#include <hiredis/hiredis.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/time.h>

struct rds {
	redisContext *c;
	long timeout_ms;
	char where[160]; /* "redis 127.0.0.1:6379" for messages */
};

static struct timeval tv_of(long ms)
{
	struct timeval tv = { ms / 1000, (ms % 1000) * 1000 };

	return tv;
}

/* Run argv on r, a fresh connection; an error reply is a failure with
 * Redis's words after what (which may name the secret, never its value). */
static int setup_cmd(struct rds *r, int argc, const char **argv, const char *what, struct err *e)
{
	struct rds_reply *rep;
	int bad;

	if (rds_command(r, argc, argv, NULL, &rep, e) < 0)
		return -1;
	bad = rep->type == RDS_ERROR;
	if (bad)
		err_set(e, ERR_FAIL, "server.redis: %s %s: %.*s", r->where, what,
			utf8_prec(rep->str, 200), rep->str);
	rds_reply_free(rep);
	return bad ? -1 : 0;
}

/* AUTH [user] password, or a PING that says whether one is wanted. */
static int authenticate(struct rds *r, const char *user, const char *password, struct err *e)
{
	const char *auth[] = { "AUTH", user, password };
	const char *ping[] = { "PING" };

	if (!password)
		return setup_cmd(r, 1, ping,
				 "wants a password (store it with `nestor secret set " RDS_SECRET
				 "`, or NESTOR_SECRET_REDIS)",
				 e);
	if (*user)
		return setup_cmd(r, 3, auth, "refused the user and the secret \"" RDS_SECRET "\"",
				 e);
	return setup_cmd(r, 2, (const char *[]){ "AUTH", password },
			 "refused the secret \"" RDS_SECRET "\"", e);
}

int rds_connect(const char *url, const char *password, long timeout_ms, struct rds **out,
		struct err *e)
{
	char host[128], user[RDS_USER_MAX];
	int port, db;
	struct rds *r;

	*out = NULL;
	if (rds_url_parse(url, host, sizeof(host), &port, &db, user, sizeof(user), e) < 0)
		return -1;
	/* Without a password the user would go unsaid: PING runs as "default".
	 * The name is not repeated: a password typed where the user goes would
	 * be printed. */
	if (*user && !password)
		return err_set(e, ERR_FAIL,
			       "server.redis names a user: store its password with `nestor "
			       "secret set " RDS_SECRET "` (or NESTOR_SECRET_REDIS)");
	r = xcalloc(1, sizeof(*r));
	r->timeout_ms = timeout_ms > 0 ? timeout_ms : 5000;
	snprintf(r->where, sizeof(r->where), "redis %s:%d", host, port);
	r->c = redisConnectWithTimeout(host, port, tv_of(r->timeout_ms));
	if (!r->c || r->c->err) {
		err_set(e, ERR_FAIL, "cannot reach %s: %s", r->where,
			r->c ? r->c->errstr : "out of memory");
		rds_close(r, NULL);
		return -1;
	}
	if (redisSetTimeout(r->c, tv_of(r->timeout_ms)) != REDIS_OK) {
		err_set(e, ERR_FAIL, "%s: cannot set a timeout", r->where);
		rds_close(r, NULL);
		return -1;
	}
	if (authenticate(r, user, password, e) < 0) {
		rds_close(r, NULL);
		return -1;
	}
	if (db) {
		char dbs[16], what[24];
		const char *argv[] = { "SELECT", dbs };

		snprintf(dbs, sizeof(dbs), "%d", db);
		snprintf(what, sizeof(what), "SELECT %d", db);
		if (setup_cmd(r, 2, argv, what, e) < 0) {
			rds_close(r, NULL);
			return -1;
		}
	}
	*out = r;
	return 0;
}

/* A copy of hiredis's reply; types of newer servers (RESP3) are not
 * spoken: hiredis 0.14 talks RESP2. */
static void copy(const redisReply *src, struct rds_reply *dst)
{
	memset(dst, 0, sizeof(*dst));
	switch (src->type) {
	case REDIS_REPLY_STRING:
	case REDIS_REPLY_STATUS:
	case REDIS_REPLY_ERROR:
		dst->type = src->type == REDIS_REPLY_STRING   ? RDS_STRING
			    : src->type == REDIS_REPLY_STATUS ? RDS_STATUS
							      : RDS_ERROR;
		dst->len = src->len;
		dst->str = xmalloc(src->len + 1);
		memcpy(dst->str, src->str, src->len);
		dst->str[src->len] = '\0';
		break;
	case REDIS_REPLY_INTEGER:
		dst->type = RDS_INTEGER;
		dst->integer = src->integer;
		break;
	case REDIS_REPLY_ARRAY:
		dst->type = RDS_ARRAY;
		dst->n = src->elements;
		dst->elem = src->elements ? xcalloc(src->elements, sizeof(*dst->elem)) : NULL;
		for (size_t i = 0; i < src->elements; i++)
			copy(src->element[i], &dst->elem[i]);
		break;
	default: dst->type = RDS_NIL; break;
	}
}

/* The BLOCK milliseconds of a command (XREADGROUP ... BLOCK ms), else 0. */
static long block_ms(int argc, const char **argv, const size_t *argvlen)
{
	for (int i = 0; i + 1 < argc; i++)
		if ((!argvlen || argvlen[i] == 5) && !strncasecmp(argv[i], "BLOCK", 5))
			return strtol(argv[i + 1], NULL, 10);
	return 0;
}

int rds_command(struct rds *r, int argc, const char **argv, const size_t *argvlen,
		struct rds_reply **out, struct err *e)
{
	redisReply *rep;
	long block = block_ms(argc, argv, argvlen);
	size_t *lens = NULL;

	*out = NULL;
	if (!r || !r->c || r->c->err)
		return err_set(e, ERR_FAIL, "%s: not connected", r ? r->where : "redis");
	if (!argvlen) {
		lens = xcalloc((size_t)argc, sizeof(*lens));
		for (int i = 0; i < argc; i++)
			lens[i] = strlen(argv[i]);
	}
	if (block > 0)
		redisSetTimeout(r->c, tv_of(r->timeout_ms + block));
	rep = redisCommandArgv(r->c, argc, argv, argvlen ? argvlen : lens);
	if (block > 0)
		redisSetTimeout(r->c, tv_of(r->timeout_ms));
	free(lens);
	if (!rep)
		return err_set(e, ERR_FAIL, "%s: %s: %s", r->where, argv[0],
			       r->c->errstr[0] ? r->c->errstr : "no answer");
	*out = xmalloc(sizeof(**out));
	copy(rep, *out);
	freeReplyObject(rep);
	return 0;
}

int rds_close(struct rds *r, struct err *e)
{
	(void)e;
	if (!r)
		return 0;
	if (r->c)
		redisFree(r->c);
	free(r);
	return 0;
}
