/*
 * redis.h - a Redis connection, as small as nestor needs it: connect to a
 * redis://HOST:PORT/DB URL, run one command given as arguments, read the
 * reply as a tree of plain structs.  Every hiredis call of nestor is in
 * redis.c, which lives in the network module (net.so): the executable
 * never maps hiredis, and the reply it gets back is its own struct, freed
 * with rds_reply_free() on its side (rstream.c).
 *
 *	struct rds *r;
 *	struct rds_reply *rep;
 *	const char *argv[] = { "PING" };
 *
 *	if (rds_connect("redis://127.0.0.1:6379/0", NULL, 5000, &r, &e) == 0 &&
 *	    rds_command(r, 1, argv, NULL, &rep, &e) == 0)
 *		... rep->type == RDS_STATUS, rep->str "PONG"
 *	rds_close(r, &e);
 *
 * A password in the URL is refused (a secret never sits in a config file):
 * it comes from the secret "redis" (RDS_SECRET), sent with AUTH at each
 * connect, with the URL's user if it names one (redis://USER@HOST...); a
 * user without the secret is refused before connecting.
 * A Redis error reply (-ERR ...) is a reply of type RDS_ERROR, not a
 * failure; -1 means the connection is gone (or never was).
 */
#ifndef NESTOR_REDIS_H
#define NESTOR_REDIS_H

#include <stddef.h>

#include "err.h"

enum rds_type { RDS_NIL, RDS_STRING, RDS_STATUS, RDS_ERROR, RDS_INTEGER, RDS_ARRAY };

struct rds_reply {
	enum rds_type type;
	long long integer; /* RDS_INTEGER */
	char *str;	   /* STRING, STATUS, ERROR: len bytes and a '\0' */
	size_t len;
	struct rds_reply *elem; /* RDS_ARRAY: n elements */
	size_t n;
};

struct rds;

#define RDS_SECRET   "redis" /* the secret that holds the password */
#define RDS_USER_MAX 64

/* Parse url ("redis://[USER@]HOST:PORT/DB", HOST a name or an IPv4
 * address, USER, PORT and DB optional) into host, *port, *db and user
 * ("" when none); -1 with e naming what is wrong.  A password in it is
 * refused. */
int rds_url_parse(const char *url, char *host, size_t hostlen, int *port, int *db, char *user,
		  size_t userlen, struct err *e);

/* Connect to url within timeout_ms (also each command's timeout, unless a
 * command blocks longer: rds_command() allows for BLOCK) and authenticate:
 * AUTH [USER] password when password is not NULL, else a PING that fails
 * when the server wants a password.  A refusal is one line naming
 * server.redis and the secret, with Redis's own words. */
int rds_connect(const char *url, const char *password, long timeout_ms, struct rds **out,
		struct err *e);
/* Run one command: argc arguments (argvlen NULL: '\0'-terminated strings). */
int rds_command(struct rds *r, int argc, const char **argv, const size_t *argvlen,
		struct rds_reply **out, struct err *e);
/* Close and free r (NULL: nothing); 0. */
int rds_close(struct rds *r, struct err *e);

void rds_reply_free(struct rds_reply *rep);

#endif
