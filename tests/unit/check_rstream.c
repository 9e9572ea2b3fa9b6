/* The Telegram update stream in Redis (sync/rstream.h): the entry parser
 * on hostile replies, the URL, and against a real redis-server started
 * here: the lock, adding under it, the consumer group, take-overs with
 * delivery counts, dead letters. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <unistd.h>

#include "rstream.h"
#include "testutil.h"
#include "xalloc.h"

/* A reply tree built from strings: an entry [id, [f1, v1, ...]]. */
static struct rds_reply str(const char *s)
{
	struct rds_reply r = { RDS_STRING, 0, xstrdup(s), strlen(s), NULL, 0 };

	return r;
}

static struct rds_reply *entry(const char *id, int nf, const char *const *fv)
{
	struct rds_reply *it = xcalloc(1, sizeof(*it));

	it->type = RDS_ARRAY;
	it->n = 2;
	it->elem = xcalloc(2, sizeof(*it->elem));
	it->elem[0] = str(id);
	it->elem[1].type = RDS_ARRAY;
	it->elem[1].n = (size_t)nf;
	it->elem[1].elem = xcalloc((size_t)nf + 1, sizeof(struct rds_reply));
	for (int i = 0; i < nf; i++)
		it->elem[1].elem[i] = str(fv[i]);
	return it;
}

/* Parse id with fields fv; the parser's result, why in *why. */
static int parse(const char *id, int nf, const char *const *fv, struct rstream_entry *en)
{
	struct rds_reply *it = entry(id, nf, fv);
	struct err e = { 0, "" };
	int rc = rstream_entry_parse(it, en, &e);

	rds_reply_free(it);
	return rc;
}

START_TEST(test_parse)
{
	struct rstream_entry en;
	const char *ok[] = { "u",    "101", "chat", "-1001",
			     "prev", "100", "body", "{\"update_id\":101}" };
	const char *bad_u[] = { "u", "1x1", "chat", "5", "prev", "0", "body", "{}" };
	const char *bad_prev[] = { "u", "101", "chat", "5", "prev", "101", "body", "{}" };
	const char *no_body[] = { "u", "101", "chat", "5", "prev", "0" };
	const char *bad_utf8[] = { "u", "101", "chat", "5", "prev", "0", "body", "\xc3(" };
	const char *odd[] = { "u", "101", "chat" };
	const char *numbered[] = {
		"u", "101", "chat", "5", "prev", "0", "body", "{}", "n", "2:99"
	};
	const char *bad_n[] = { "u", "101", "chat", "5", "prev", "0", "body", "{}", "n", "2" };
	const char *zero_n[] = { "u", "101", "chat", "5", "prev", "0", "body", "{}", "n", "0:99" };
	char *big = xmalloc(RSTREAM_MAX + 2);
	const char *too_big[] = { "u", "101", "chat", "5", "prev", "0", "body", big };

	ck_assert_int_eq(parse("1700000000000-0", 8, ok, &en), 0);
	ck_assert_str_eq(en.why, "");
	ck_assert_str_eq(en.id, "1700000000000-0");
	ck_assert_int_eq(en.update_id, 101);
	ck_assert_int_eq(en.chat_id, -1001);
	ck_assert_int_eq(en.prev, 100);
	ck_assert_str_eq(en.body, "{\"update_id\":101}");
	free(en.body);
	/* an id of another shape cannot even be acknowledged */
	ck_assert_int_eq(parse("17000-0-1", 8, ok, &en), -1);
	ck_assert_int_eq(parse("abc-0", 8, ok, &en), -1);
	ck_assert_int_eq(parse("-0", 8, ok, &en), -1);
	ck_assert_int_eq(parse("123456789012345678901-0", 8, ok, &en), -1);
	/* a readable id with bad fields: a reason, no body */
	ck_assert_int_eq(parse("1-0", 8, bad_u, &en), 0);
	ck_assert_str_eq(en.why, "no valid update id (field u)");
	ck_assert_ptr_null(en.body);
	ck_assert_int_eq(parse("1-0", 8, bad_prev, &en), 0);
	ck_assert_str_eq(en.why, "no valid previous update (field prev)");
	ck_assert_int_eq(parse("1-0", 6, no_body, &en), 0);
	ck_assert_str_eq(en.why, "no body");
	ck_assert_int_eq(parse("1-0", 8, bad_utf8, &en), 0);
	ck_assert_str_eq(en.why, "body is not UTF-8 text");
	ck_assert_int_eq(parse("1-0", 3, odd, &en), 0);
	ck_assert_str_eq(en.why, "fields are not name-value pairs");
	/* the numbering an entry carries (none: 0) */
	ck_assert_int_eq(parse("1-0", 10, numbered, &en), 0);
	ck_assert_str_eq(en.why, "");
	ck_assert_int_eq(en.numbering, 2);
	ck_assert_int_eq(en.numbered_from, 99);
	free(en.body);
	ck_assert_int_eq(parse("1-0", 10, bad_n, &en), 0);
	ck_assert_str_eq(en.why, "no valid numbering (field n)");
	ck_assert_int_eq(parse("1-0", 10, zero_n, &en), 0);
	ck_assert_str_eq(en.why, "no valid numbering (field n)");
	memset(big, 'a', RSTREAM_MAX + 1);
	big[RSTREAM_MAX + 1] = '\0';
	ck_assert_int_eq(parse("1-0", 8, too_big, &en), 0);
	ck_assert_str_eq(en.why, "body of 65537 bytes (at most 65536)");
	big[RSTREAM_MAX] = '\0';
	ck_assert_int_eq(parse("1-0", 8, too_big, &en), 0);
	ck_assert_str_eq(en.why, "");
	free(en.body);
	free(big);
}
END_TEST

START_TEST(test_url)
{
	char host[64], user[RDS_USER_MAX];
	int port, db;
	struct err e = { 0, "" };

	ck_assert_int_eq(rds_url_parse("redis://127.0.0.1:6380/3", host, sizeof(host), &port, &db,
				       user, sizeof(user), &e),
			 0);
	ck_assert_str_eq(host, "127.0.0.1");
	ck_assert_int_eq(port, 6380);
	ck_assert_int_eq(db, 3);
	ck_assert_int_eq(rds_url_parse("redis://cache", host, sizeof(host), &port, &db, user,
				       sizeof(user), &e),
			 0);
	ck_assert_int_eq(port, 6379);
	ck_assert_int_eq(db, 0);
	ck_assert_str_eq(user, "");
	/* a user, but never a password */
	ck_assert_int_eq(rds_url_parse("redis://nestor@127.0.0.1:1/0", host, sizeof(host), &port,
				       &db, user, sizeof(user), &e),
			 0);
	ck_assert_str_eq(user, "nestor");
	ck_assert_str_eq(host, "127.0.0.1");
	ck_assert_int_eq(port, 1);
	ck_assert_int_eq(rds_url_parse("redis://:pw@127.0.0.1:1/0", host, sizeof(host), &port, &db,
				       user, sizeof(user), &e),
			 -1);
	ck_assert_ptr_nonnull(strstr(e.msg, "password in the URL is refused"));
	ck_assert_int_eq(rds_url_parse("redis://u:pw@127.0.0.1:1/0", host, sizeof(host), &port, &db,
				       user, sizeof(user), &e),
			 -1);
	ck_assert_int_eq(rds_url_parse("redis://@x:1/0", host, sizeof(host), &port, &db, user,
				       sizeof(user), &e),
			 -1);
	ck_assert_int_eq(rds_url_parse("redis://a b@x:1/0", host, sizeof(host), &port, &db, user,
				       sizeof(user), &e),
			 -1);
	ck_assert_int_eq(
		rds_url_parse("http://x", host, sizeof(host), &port, &db, user, sizeof(user), &e),
		-1);
	ck_assert_int_eq(rds_url_parse("redis://x:99999", host, sizeof(host), &port, &db, user,
				       sizeof(user), &e),
			 -1);
	ck_assert_int_eq(rds_url_parse("redis://x:1/16", host, sizeof(host), &port, &db, user,
				       sizeof(user), &e),
			 -1);
	ck_assert_int_eq(rds_url_parse("redis://x y:1", host, sizeof(host), &port, &db, user,
				       sizeof(user), &e),
			 -1);
}
END_TEST

/* url is refused and the error quotes neither the URL nor the password in
 * it ("s3cr3t" in each): a '/' or '@' in a password, a password without an
 * '@', a scheme with TLS, a port or a database of the wrong shape. */
static void refused_quietly(const char *url, const char *why)
{
	char host[64], user[RDS_USER_MAX];
	int port, db;
	struct err e = { 0, "" };

	ck_assert_msg(rds_url_parse(url, host, sizeof(host), &port, &db, user, sizeof(user), &e) ==
			      -1,
		      "%s was accepted", url);
	ck_assert_msg(!strstr(e.msg, "s3cr3t"), "%s: the error quotes the password: %s", url,
		      e.msg);
	ck_assert_msg(strstr(e.msg, why) != NULL, "%s: %s", url, e.msg);
	ck_assert_msg(!strncmp(e.msg, "server.redis: ", 14), "%s: %s", url, e.msg);
}

START_TEST(test_url_secret)
{
	refused_quietly("redis://user:pa/s3cr3t@127.0.0.1:1/0", "password in the URL is refused");
	refused_quietly("redis://:a/s3cr3t@h", "password in the URL is refused");
	refused_quietly("redis://:s3cr3t/x@h:1/0", "password in the URL is refused");
	refused_quietly("redis://u:s3cr3t@x@h:1/0", "password in the URL is refused");
	refused_quietly("redis://u:pa@s3cr3t@h", "password in the URL is refused");
	refused_quietly("rediss://u:s3cr3t@h", "not a redis://");
	refused_quietly("redis://u:s3cr3t", "bad port");
	refused_quietly("redis://u:s3cr3t/1", "bad port");
	refused_quietly("redis://h:1/s3cr3t", "bad database");
	refused_quietly("redis://s3cr3t/x@h:1/0", "bad user");
	refused_quietly("redis://h/1s3cr3t", "bad database");
	refused_quietly("redis://h:-1/0", "bad port");
	refused_quietly("redis://h?s3cr3t", "bad host");
}
END_TEST

static char *rdir;
static char url[64];

static int free_port(void)
{
	struct sockaddr_in a = { 0 };
	socklen_t len = sizeof(a);
	int fd = socket(AF_INET, SOCK_STREAM, 0), port;

	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	ck_assert_int_eq(getsockname(fd, (struct sockaddr *)&a, &len), 0);
	port = ntohs(a.sin_port);
	close(fd);
	return port;
}

static void server_up(void)
{
	int port = free_port();
	char *cmd;
	struct rstream rs;
	struct err e = { 0, "" };

	rdir = tu_tmpdir();
	cmd = xasprintf("redis-server --bind 127.0.0.1 --port %d --save '' --appendonly no "
			"--daemonize yes --pidfile %s/redis.pid --logfile %s/redis.log --dir %s",
			port, rdir, rdir, rdir);
	ck_assert_msg(system(cmd) == 0, "redis-server did not start");
	free(cmd);
	snprintf(url, sizeof(url), "redis://127.0.0.1:%d/2", port);
	for (int i = 0; i < 200; i++) {
		if (rstream_open(&rs, url, NULL, 1000, &e) == 0) {
			rstream_close(&rs);
			return;
		}
		usleep(20000);
	}
	ck_abort_msg("redis-server does not answer: %s", e.msg);
}

static void server_down(void)
{
	char *cmd = xasprintf("kill $(cat %s/redis.pid) 2>/dev/null", rdir);

	if (system(cmd) != 0)
		fprintf(stderr, "redis-server was gone already\n");
	free(cmd);
	tu_rmrf(rdir);
	free(rdir);
}

#define DEV_A "00000000000000aa" /* the poller's device */
#define DEV_B "00000000000000bb"

/* Add update id of chat (its "/start CODE": code, or NULL) with the
 * poller's device DEV_A; rstream_add()'s return. */
static int add(struct rstream *rs, long long *off, long long id, long long chat, const char *code,
	       int *added)
{
	struct err e = { 0, "" };
	char body[64];
	struct rstream_update u = { id, chat, code, NULL, body };
	int rc;

	snprintf(body, sizeof(body), "{\"update_id\":%lld}", id);
	rc = rstream_add(rs, off, &u, DEV_A, added, &e);
	ck_assert_msg(rc == 0, "%s", e.msg);
	return rc;
}

START_TEST(test_lock)
{
	struct rstream a, b;
	struct err e = { 0, "" };
	bool held;
	char *who;
	int added;
	long long off, stale;

	ck_assert_int_eq(rstream_open(&a, url, NULL, 2000, &e), 0);
	ck_assert_int_eq(rstream_open(&b, url, NULL, 2000, &e), 0);
	ck_assert_str_ne(a.token, b.token);
	ck_assert_int_eq(rstream_lock(&a, 5000, &held, &e), 0);
	ck_assert(held);
	ck_assert_int_eq(rstream_lock(&b, 5000, &held, &e), 0);
	ck_assert(!held);
	/* b's release does not delete a lock it does not hold */
	ck_assert_int_eq(rstream_unlock(&b, &e), 0);
	ck_assert_int_eq(rstream_holder(&b, &who, &e), 0);
	ck_assert_str_eq(who, a.token);
	free(who);
	/* a renews it; only the holder adds, and an update only once */
	ck_assert_int_eq(rstream_lock(&a, 5000, &held, &e), 0);
	ck_assert(held);
	off = 0;
	ck_assert_int_eq(add(&b, &off, 10, 7, NULL, &added), 0);
	ck_assert_int_eq(added, -1);
	ck_assert_int_eq(add(&a, &off, 10, 7, NULL, &added), 0);
	ck_assert_int_eq(added, 1);
	ck_assert_int_eq(off, 11);
	/* asked with the offset before it: added already */
	stale = 0;
	ck_assert_int_eq(add(&a, &stale, 10, 7, NULL, &added), 0);
	ck_assert_int_eq(added, 0);
	ck_assert_int_eq(stale, 0);
	ck_assert_int_eq(rstream_offset(&b, &off, &e), 0);
	ck_assert_int_eq(off, 11);
	/* ids are no watermark: after a week Telegram may start anywhere, lower */
	ck_assert_int_eq(add(&a, &off, 3, 7, NULL, &added), 0);
	ck_assert_int_eq(added, 1);
	ck_assert_int_eq(off, 4);
	/* released by its holder, b takes it */
	ck_assert_int_eq(rstream_unlock(&a, &e), 0);
	ck_assert_int_eq(rstream_lock(&b, 5000, &held, &e), 0);
	ck_assert(held);
	ck_assert_int_eq(add(&a, &off, 11, 7, NULL, &added), 0);
	ck_assert_int_eq(added, -1);
	rstream_close(&a);
	rstream_close(&b);
}
END_TEST

/* The token names the holder's device; a token without one (an older
 * relay) names none. */
START_TEST(test_holder_device)
{
	struct rstream a, b;
	struct err e = { 0, "" };
	char dev[33], small[8];
	bool held;

	ck_assert_int_eq(rstream_open(&a, url, NULL, 2000, &e), 0);
	ck_assert_int_eq(rstream_open(&b, url, NULL, 2000, &e), 0);
	ck_assert_int_eq(rstream_holder_device(&b, dev, sizeof(dev), &e), 0);
	ck_assert_str_eq(dev, "");
	rstream_set_device(&a, "0123456789abcdef");
	ck_assert(!strncmp(a.token, "0123456789abcdef/", 17));
	ck_assert_int_eq(rstream_lock(&a, 5000, &held, &e), 0);
	ck_assert(held);
	/* renewed: the whole token is compared */
	ck_assert_int_eq(rstream_lock(&a, 5000, &held, &e), 0);
	ck_assert(held);
	ck_assert_int_eq(rstream_holder_device(&b, dev, sizeof(dev), &e), 0);
	ck_assert_str_eq(dev, "0123456789abcdef");
	ck_assert_int_eq(rstream_holder_device(&b, small, sizeof(small), &e), 0);
	ck_assert_str_eq(small, "");
	ck_assert_int_eq(rstream_unlock(&a, &e), 0);
	/* no device: none named; a device not of letters and digits is not set */
	rstream_set_device(&b, "../x");
	ck_assert(!strchr(b.token, '/'));
	ck_assert_int_eq(rstream_lock(&b, 5000, &held, &e), 0);
	ck_assert(held);
	ck_assert_int_eq(rstream_holder_device(&a, dev, sizeof(dev), &e), 0);
	ck_assert_str_eq(dev, "");
	rstream_close(&a);
	rstream_close(&b);
}
END_TEST

START_TEST(test_group)
{
	struct rstream p, w;
	struct rstream_entry *en;
	struct rstream_dead *dl;
	struct err e = { 0, "" };
	size_t n, nd;
	bool held;
	int added;
	long long waiting, pending, dead, off;

	ck_assert_int_eq(rstream_open(&p, url, NULL, 2000, &e), 0);
	ck_assert_int_eq(rstream_open(&w, url, NULL, 2000, &e), 0);
	ck_assert_int_eq(rstream_device(&w, DEV_A, &e), 0);
	ck_assert_int_eq(rstream_group(&w, &e), 0);
	ck_assert_int_eq(rstream_group(&w, &e), 0); /* there already: fine */
	ck_assert_int_eq(rstream_lock(&p, 5000, &held, &e), 0);
	off = 0;
	ck_assert_int_eq(add(&p, &off, 20, 5, NULL, &added), 0);
	ck_assert_int_eq(add(&p, &off, 21, 6, NULL, &added), 0);
	ck_assert_int_eq(add(&p, &off, 22, 5, NULL, &added), 0);
	ck_assert_int_eq(rstream_backlog(&w, &waiting, &pending, &e), 0);
	ck_assert_int_eq(waiting, 3);
	/* each entry names its chat's previous update */
	ck_assert_int_eq(rstream_read(&w, "one", 10, 100, &en, &n, &e), 0);
	ck_assert_uint_eq(n, 3);
	ck_assert_int_eq(en[0].prev, 0);
	ck_assert_int_eq(en[1].prev, 0);
	ck_assert_int_eq(en[2].prev, 20);
	ck_assert_int_eq(en[2].deliveries, 1);
	ck_assert_int_eq(rstream_ack(&w, en[0].id, &e), 0);
	ck_assert_int_eq(rstream_backlog(&w, &waiting, &pending, &e), 0);
	ck_assert_int_eq(waiting, 0);
	ck_assert_int_eq(pending, 2);
	rstream_entries_free(en, n);
	/* nothing new */
	ck_assert_int_eq(rstream_read(&w, "one", 10, 10, &en, &n, &e), 0);
	ck_assert_uint_eq(n, 0);
	rstream_entries_free(en, n);
	/* "one" stopped: "two" takes its entries over (idle 0: whatever their
	 * age), delivered twice now */
	ck_assert_int_eq(rstream_claim(&w, "two", 0, 10, &en, &n, &e), 0);
	ck_assert_uint_eq(n, 2);
	ck_assert_int_eq(en[0].update_id, 21);
	ck_assert_int_eq(en[0].deliveries, 2);
	/* a touched entry stays with its worker */
	ck_assert_int_eq(rstream_touch(&w, "two", en[1].id, &e), 0);
	ck_assert_int_eq(rstream_dead(&w, &en[0], "delivered 2 times", &e), 0);
	rstream_entries_free(en, n);
	/* nothing idle for a minute: nothing to take (a clock-free bound) */
	ck_assert_int_eq(rstream_claim(&w, "three", 60000, 10, &en, &n, &e), 0);
	ck_assert_uint_eq(n, 0);
	rstream_entries_free(en, n);
	ck_assert_int_eq(rstream_dead_list(&w, 5, &dead, &dl, &nd, &e), 0);
	ck_assert_int_eq(dead, 1);
	ck_assert_uint_eq(nd, 1);
	ck_assert_int_eq(dl[0].update_id, 21);
	ck_assert_int_eq(dl[0].chat_id, 6);
	ck_assert_str_eq(dl[0].why, "delivered 2 times");
	rstream_dead_free(dl, nd);
	ck_assert_int_eq(rstream_backlog(&w, &waiting, &pending, &e), 0);
	ck_assert_int_eq(pending, 1);
	rstream_close(&p);
	rstream_close(&w);
}
END_TEST

/* One command on rs's connection; its integer answer. */
static long long raw(struct rstream *rs, int argc, const char **argv)
{
	struct rds_reply *rep;
	struct err e = { 0, "" };
	long long v;

	ck_assert_msg(rds_command(rs->r, argc, argv, NULL, &rep, &e) == 0, "%s", e.msg);
	ck_assert_int_eq(rep->type, RDS_INTEGER);
	v = rep->integer;
	rds_reply_free(rep);
	return v;
}

/* key holds the string want in rs's Redis. */
static void expect_get(struct rstream *rs, const char *key, const char *want)
{
	struct rds_reply *rep;
	struct err e = { 0, "" };
	const char *argv[] = { "GET", key };

	ck_assert_msg(rds_command(rs->r, 2, argv, NULL, &rep, &e) == 0, "%s", e.msg);
	ck_assert_int_eq(rep->type, RDS_STRING);
	ck_assert_str_eq(rep->str, want);
	rds_reply_free(rep);
}

/* The stream is trimmed as updates are added, only below the oldest
 * entry the group still needs (pending, or not read yet): a backlog of
 * any length loses nothing, and entries done are not kept for ever. */
START_TEST(test_trim)
{
	struct rstream p, w;
	struct rstream_entry *en;
	struct rds_reply *rep;
	struct err e = { 0, "" };
	const char *small[] = { "CONFIG", "SET", "stream-node-max-entries", "2" };
	const char *xlen[] = { "XLEN", NULL };
	size_t n;
	bool held;
	int added;
	long long off = 0, waiting, pending;

	ck_assert_int_eq(rstream_open(&p, url, NULL, 2000, &e), 0);
	ck_assert_int_eq(rstream_open(&w, url, NULL, 2000, &e), 0);
	ck_assert_int_eq(rstream_device(&w, DEV_A, &e), 0);
	ck_assert_int_eq(rstream_group(&w, &e), 0);
	ck_assert_int_eq(rstream_lock(&p, 5000, &held, &e), 0);
	/* nodes of 2 entries: the approximate trim is fine-grained */
	ck_assert_int_eq(rds_command(p.r, 4, small, NULL, &rep, &e), 0);
	rds_reply_free(rep);
	xlen[1] = w.stream;
	for (long long id = 100; id < 110; id++)
		ck_assert_int_eq(add(&p, &off, id, 0, NULL, &added), 0);
	/* 100..104 done, 105 with a worker, 106..109 read by none */
	ck_assert_int_eq(rstream_read(&w, "one", 6, 100, &en, &n, &e), 0);
	ck_assert_uint_eq(n, 6);
	for (size_t i = 0; i < 5; i++)
		ck_assert_int_eq(rstream_ack(&w, en[i].id, &e), 0);
	rstream_entries_free(en, n);
	ck_assert_int_eq(add(&p, &off, 110, 0, NULL, &added), 0);
	ck_assert_int_lt(raw(&w, 2, xlen), 11); /* done ones trimmed */
	ck_assert_int_ge(raw(&w, 2, xlen), 6);
	ck_assert_int_eq(rstream_backlog(&w, &waiting, &pending, &e), 0);
	ck_assert_int_eq(waiting, 5);
	ck_assert_int_eq(pending, 1);
	/* the pending one is there to take over, the others to read */
	ck_assert_int_eq(rstream_claim(&w, "two", 0, 10, &en, &n, &e), 0);
	ck_assert_uint_eq(n, 1);
	ck_assert_int_eq(en[0].update_id, 105);
	ck_assert_str_eq(en[0].why, "");
	rstream_entries_free(en, n);
	ck_assert_int_eq(rstream_read(&w, "two", 10, 100, &en, &n, &e), 0);
	ck_assert_uint_eq(n, 5);
	for (size_t i = 0; i < n; i++)
		ck_assert_int_eq(en[i].update_id, 106 + (long long)i);
	rstream_entries_free(en, n);
	rstream_close(&p);
	rstream_close(&w);
}
END_TEST

/* A chat's previous update is kept 6 days: an entry after a longer silence
 * names none (the store may have forgotten it). */
START_TEST(test_prev_expires)
{
	struct rstream p, w;
	struct rstream_entry *en;
	struct err e = { 0, "" };
	size_t n;
	bool held;
	int added;
	long long off = 0, ttl;
	const char *pttl[] = { "PTTL", RSTREAM_KEY_LAST "9:" DEV_A };
	const char *expire[] = { "PEXPIRE", RSTREAM_KEY_LAST "9:" DEV_A, "0" };

	ck_assert_int_eq(rstream_open(&p, url, NULL, 2000, &e), 0);
	ck_assert_int_eq(rstream_open(&w, url, NULL, 2000, &e), 0);
	ck_assert_int_eq(rstream_device(&w, DEV_A, &e), 0);
	ck_assert_int_eq(rstream_group(&w, &e), 0);
	ck_assert_int_eq(rstream_lock(&p, 5000, &held, &e), 0);
	ck_assert_int_eq(add(&p, &off, 30, 9, NULL, &added), 0);
	ttl = raw(&w, 2, pttl);
	ck_assert_msg(ttl > RSTREAM_LAST_TTL - 60000 && ttl <= RSTREAM_LAST_TTL, "PTTL %lld", ttl);
	ck_assert_int_eq(add(&p, &off, 31, 9, NULL, &added), 0);
	/* the week is over (the key expires now) */
	ck_assert_int_eq(raw(&w, 3, expire), 1);
	ck_assert_int_eq(add(&p, &off, 32, 9, NULL, &added), 0);
	ck_assert_int_eq(add(&p, &off, 33, 9, NULL, &added), 0);
	ck_assert_int_eq(rstream_read(&w, "one", 10, 100, &en, &n, &e), 0);
	ck_assert_uint_eq(n, 4);
	ck_assert_int_eq(en[0].prev, 0);
	ck_assert_int_eq(en[1].prev, 30);
	ck_assert_int_eq(en[2].prev, 0);
	ck_assert_int_eq(en[3].prev, 32);
	rstream_entries_free(en, n);
	rstream_close(&p);
	rstream_close(&w);
}
END_TEST

/* Telegram numbers the updates anew (rstream_renumber()): the entries
 * added from then on carry the new epoch and its lowest update, and a
 * chat's last update of the old numbering is no entry's prev.  Only the
 * lock's holder begins one. */
START_TEST(test_renumber)
{
	struct rstream p, w;
	struct rstream_entry *en;
	struct err e = { 0, "" };
	size_t n;
	bool held;
	int added;
	long long off = 0, epoch, first;
	const char *forget[] = { "DEL", RSTREAM_KEY_EPOCH };
	char want[48];

	ck_assert_int_eq(rstream_open(&p, url, NULL, 2000, &e), 0);
	ck_assert_int_eq(rstream_open(&w, url, NULL, 2000, &e), 0);
	ck_assert_int_eq(rstream_device(&w, DEV_A, &e), 0);
	ck_assert_int_eq(rstream_group(&w, &e), 0);
	ck_assert_int_eq(rstream_lock(&p, 5000, &held, &e), 0);
	ck_assert_int_eq(add(&p, &off, 30, 9, NULL, &added), 0);
	ck_assert_int_eq(add(&p, &off, 31, 9, NULL, &added), 0);
	ck_assert_int_eq(rstream_renumber(&p, 32, 30, &epoch, &e), 0);
	ck_assert_int_gt(epoch, 0);
	first = epoch;
	ck_assert_int_eq(add(&p, &off, 30, 9, NULL, &added), 0);
	ck_assert_int_eq(added, 1);
	ck_assert_int_eq(add(&p, &off, 31, 9, NULL, &added), 0);
	ck_assert_int_eq(rstream_renumber(&p, 32, 7, &epoch, &e), 0);
	ck_assert_int_gt(epoch, first);
	ck_assert_int_eq(add(&p, &off, 7, 9, NULL, &added), 0);
	ck_assert_int_eq(off, 8);
	ck_assert_int_eq(rstream_read(&w, "one", 10, 100, &en, &n, &e), 0);
	ck_assert_uint_eq(n, 5);
	ck_assert_int_eq(en[1].numbering, 0);
	ck_assert_int_eq(en[1].prev, 30);
	ck_assert_int_eq(en[2].numbering, first);
	ck_assert_int_eq(en[2].numbered_from, 30);
	ck_assert_int_eq(en[2].prev, 0);
	ck_assert_int_eq(en[3].prev, 30);
	ck_assert_int_eq(en[4].numbering, epoch);
	ck_assert_int_eq(en[4].numbered_from, 7);
	ck_assert_int_eq(en[4].prev, 0);
	rstream_entries_free(en, n);
	/* the chat's last update a plain id, as relays before the numbering
	 * read it; its epoch beside it */
	expect_get(&w, RSTREAM_KEY_LAST "9:" DEV_A, "7");
	snprintf(want, sizeof(want), "%lld", epoch);
	expect_get(&w, RSTREAM_KEY_LASTN "9:" DEV_A, want);
	/* after Redis lost the numbering the epoch is the server's time again:
	 * not before the first, which was taken from it (the second may have
	 * been one past the first within the same millisecond) */
	ck_assert_int_eq(raw(&w, 2, forget), 1);
	ck_assert_int_eq(rstream_renumber(&p, 8, 7, &epoch, &e), 0);
	ck_assert_int_ge(epoch, first);
	/* the offset moved while this poller polled (the lock went to another
	 * and came back): another added the batch, nothing changes */
	first = epoch;
	ck_assert_int_eq(rstream_renumber(&p, 32, 5, &epoch, &e), 0);
	ck_assert_int_eq(epoch, 0);
	snprintf(want, sizeof(want), "%lld:7", first);
	expect_get(&w, RSTREAM_KEY_EPOCH, want);
	/* without the lock: nothing changes */
	ck_assert_int_eq(rstream_unlock(&p, &e), 0);
	ck_assert_int_eq(rstream_renumber(&p, 8, 5, &epoch, &e), 0);
	ck_assert_int_eq(epoch, -1);
	rstream_close(&p);
	rstream_close(&w);
}
END_TEST

/* Redis lost the numbering (an eviction), not the chats' last updates:
 * a chat's last update still names its previous one, and its epoch's key,
 * kept for as long as the last update, goes with the first update added
 * without a numbering, so the next ones name theirs too.  A numbering
 * begun after that is a new one again. */
START_TEST(test_numbering_lost)
{
	struct rstream p, w;
	struct rstream_entry *en;
	struct err e = { 0, "" };
	size_t n;
	bool held;
	int added;
	long long off = 0, epoch, ttl;
	const char *forget[] = { "DEL", RSTREAM_KEY_EPOCH };
	const char *pttl[] = { "PTTL", RSTREAM_KEY_LASTN "9:" DEV_A };
	const char *exists[] = { "EXISTS", RSTREAM_KEY_LASTN "9:" DEV_A };

	ck_assert_int_eq(rstream_open(&p, url, NULL, 2000, &e), 0);
	ck_assert_int_eq(rstream_open(&w, url, NULL, 2000, &e), 0);
	ck_assert_int_eq(rstream_device(&w, DEV_A, &e), 0);
	ck_assert_int_eq(rstream_group(&w, &e), 0);
	ck_assert_int_eq(rstream_lock(&p, 5000, &held, &e), 0);
	ck_assert_int_eq(rstream_renumber(&p, 0, 30, &epoch, &e), 0);
	ck_assert_int_gt(epoch, 0);
	ck_assert_int_eq(add(&p, &off, 30, 9, NULL, &added), 0);
	ck_assert_int_eq(add(&p, &off, 31, 9, NULL, &added), 0);
	ttl = raw(&w, 2, pttl);
	ck_assert_msg(ttl > RSTREAM_LAST_TTL - 60000 && ttl <= RSTREAM_LAST_TTL, "PTTL %lld", ttl);
	ck_assert_int_eq(raw(&w, 2, forget), 1);
	ck_assert_int_eq(add(&p, &off, 32, 9, NULL, &added), 0);
	ck_assert_int_eq(raw(&w, 2, exists), 0);
	ck_assert_int_eq(add(&p, &off, 33, 9, NULL, &added), 0);
	ck_assert_int_eq(rstream_renumber(&p, 34, 5, &epoch, &e), 0);
	ck_assert_int_gt(epoch, 0);
	ck_assert_int_eq(add(&p, &off, 5, 9, NULL, &added), 0);
	ck_assert_int_eq(add(&p, &off, 6, 9, NULL, &added), 0);
	ck_assert_int_eq(rstream_read(&w, "one", 10, 100, &en, &n, &e), 0);
	ck_assert_uint_eq(n, 6);
	ck_assert_int_eq(en[1].prev, 30);
	ck_assert_int_eq(en[2].numbering, 0);
	ck_assert_int_eq(en[2].prev, 31);
	ck_assert_int_eq(en[3].prev, 32);
	ck_assert_int_eq(en[4].numbering, epoch);
	ck_assert_int_eq(en[4].prev, 0);
	ck_assert_int_eq(en[5].prev, 5);
	rstream_entries_free(en, n);
	rstream_close(&p);
	rstream_close(&w);
}
END_TEST

/* The updates of entries (already read) as a string: "5,6". */
static char *ids(const struct rstream_entry *en, size_t n)
{
	static char buf[128];
	size_t k = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < n && k < sizeof(buf) - 24; i++) {
		char one[24];
		size_t m;

		snprintf(one, sizeof(one), "%lld", en[i].update_id % 1000000000000LL);
		m = strlen(one);
		if (i)
			buf[k++] = ',';
		memcpy(buf + k, one, m + 1);
		k += m;
	}
	return buf;
}

/* Each update goes to the stream of one device: its chat's home, the
 * device that made the code of a "/start CODE", else the poller's. */
START_TEST(test_home)
{
	struct rstream p, a, b;
	struct rstream_entry *en;
	struct err e = { 0, "" };
	struct rstream_update press = { 47, 6, NULL, DEV_B, "{\"update_id\":47}" };
	struct rstream_update forged = { 48, 6, NULL, "../x", "{\"update_id\":48}" };
	/* a device no worker of joined: as any update */
	struct rstream_update unknown = { 49, 6, NULL, "00000000000000cc", "{\"update_id\":49}" };
	struct rstream_update lone = { 50, 8, NULL, NULL, "{\"update_id\":50}" };
	long long waiting, pending;
	size_t n;
	bool held;
	int added;
	long long off = 0;

	ck_assert_int_eq(rstream_open(&p, url, NULL, 2000, &e), 0);
	ck_assert_int_eq(rstream_open(&a, url, NULL, 2000, &e), 0);
	ck_assert_int_eq(rstream_open(&b, url, NULL, 2000, &e), 0);
	ck_assert_int_eq(rstream_device(&a, DEV_A, &e), 0);
	ck_assert_int_eq(rstream_device(&b, DEV_B, &e), 0);
	ck_assert_int_eq(rstream_device(&b, "Not/one", &e), -1);
	ck_assert_ptr_nonnull(strstr(e.msg, "is not a device id"));
	ck_assert_int_eq(rstream_group(&a, &e), 0);
	ck_assert_int_eq(rstream_group(&b, &e), 0);
	ck_assert_int_eq(rstream_lock(&p, 5000, &held, &e), 0);
	ck_assert_int_eq(rstream_code(&b, "CODE42", false, DEV_B, 60000, &e), 0);
	add(&p, &off, 40, 4, NULL, &added);	/* no home: the poller's */
	add(&p, &off, 41, 4, "CODE42", &added); /* the code's device */
	add(&p, &off, 42, 4, NULL, &added);	/* no home before: the code's device */
	ck_assert_int_eq(rstream_home(&b, 4, DEV_B, &e), 0);
	add(&p, &off, 43, 5, "UNKNOWN", &added); /* no such code: the poller's */
	add(&p, &off, 44, 4, "CODE42", &added);	 /* used: the home stays */
	ck_assert_int_eq(rstream_read(&a, "a1", 10, 10, &en, &n, &e), 0);
	ck_assert_str_eq(ids(en, n), "40,43");
	rstream_entries_free(en, n);
	ck_assert_int_eq(rstream_read(&b, "b1", 10, 10, &en, &n, &e), 0);
	ck_assert_str_eq(ids(en, n), "41,42,44");
	/* the first on the new device names none before it (another's) */
	ck_assert_int_eq(en[0].prev, 0);
	ck_assert_int_eq(en[1].prev, 41);
	ck_assert_int_eq(en[2].prev, 42);
	rstream_entries_free(en, n);
	/* unlinked elsewhere: the home stays; unlinked at home: gone */
	ck_assert_int_eq(rstream_unhome(&a, 4, DEV_A, &e), 0);
	add(&p, &off, 45, 4, NULL, &added);
	ck_assert_int_eq(rstream_unhome(&b, 4, DEV_B, &e), 0);
	add(&p, &off, 46, 4, NULL, &added);
	ck_assert_int_eq(rstream_read(&b, "b1", 10, 10, &en, &n, &e), 0);
	ck_assert_str_eq(ids(en, n), "45");
	rstream_entries_free(en, n);
	ck_assert_int_eq(rstream_read(&a, "a1", 10, 10, &en, &n, &e), 0);
	ck_assert_str_eq(ids(en, n), "46");
	/* the chat's last on this device (45 was another's: it waits not) */
	ck_assert_int_eq(en[0].prev, 40);
	rstream_entries_free(en, n);
	/* a button's press goes to the device that sent it; a name that is
	 * no device id, or names none whose workers joined, counts for
	 * nothing */
	ck_assert_int_eq(rstream_add(&p, &off, &press, DEV_A, &added, &e), 0);
	ck_assert_int_eq(rstream_add(&p, &off, &forged, DEV_A, &added, &e), 0);
	ck_assert_int_eq(rstream_read(&b, "b1", 10, 10, &en, &n, &e), 0);
	ck_assert_str_eq(ids(en, n), "47");
	rstream_entries_free(en, n);
	ck_assert_int_eq(rstream_add(&p, &off, &unknown, DEV_A, &added, &e), 0);
	ck_assert_int_eq(rstream_read(&a, "a1", 10, 10, &en, &n, &e), 0);
	ck_assert_str_eq(ids(en, n), "48,49");
	rstream_entries_free(en, n);
	/* a group: a private chat's code takes that update alone to its
	 * device (to be refused there); so does a group's code, and the
	 * device whose store took it makes itself home */
	ck_assert_int_eq(rstream_code(&b, "PRIV7", false, DEV_B, 60000, &e), 0);
	ck_assert_int_eq(rstream_code(&b, "GROUP7", true, DEV_B, 60000, &e), 0);
	add(&p, &off, 51, -7, "PRIV7", &added);
	add(&p, &off, 52, -7, NULL, &added);
	add(&p, &off, 53, -7, "GROUP7", &added);
	add(&p, &off, 54, -7, NULL, &added);
	ck_assert_int_eq(rstream_read(&a, "a1", 10, 10, &en, &n, &e), 0);
	ck_assert_str_eq(ids(en, n), "52,54");
	rstream_entries_free(en, n);
	ck_assert_int_eq(rstream_read(&b, "b1", 10, 10, &en, &n, &e), 0);
	ck_assert_str_eq(ids(en, n), "51,53");
	rstream_entries_free(en, n);
	ck_assert_int_eq(rstream_home(&b, -7, DEV_B, &e), 0);
	add(&p, &off, 55, -7, NULL, &added);
	ck_assert_int_eq(rstream_read(&b, "b1", 10, 10, &en, &n, &e), 0);
	ck_assert_str_eq(ids(en, n), "55");
	rstream_entries_free(en, n);
	/* a stream no worker read yet counts what waits in it */
	ck_assert_int_eq(rstream_add(&p, &off, &lone, "00000000000000dd", &added, &e), 0);
	ck_assert_int_eq(rstream_device(&a, "00000000000000dd", &e), 0);
	ck_assert_int_eq(rstream_backlog(&a, &waiting, &pending, &e), 0);
	ck_assert_int_eq(waiting, 1);
	rstream_close(&p);
	rstream_close(&a);
	rstream_close(&b);
}
END_TEST

/* The stream of before devices had streams: what no worker acknowledged
 * moves to the device's stream (taken and not finished, then never taken),
 * the old stream goes. */
START_TEST(test_adopt)
{
	struct rstream old, a;
	struct rstream_entry *en;
	struct err e = { 0, "" };
	size_t n;
	long long moved;
	bool held;
	const char *len[] = { "EXISTS", RSTREAM_KEY_STREAM };

	ck_assert_int_eq(rstream_open(&old, url, NULL, 2000, &e), 0);
	ck_assert_int_eq(rstream_open(&a, url, NULL, 2000, &e), 0);
	ck_assert_int_eq(rstream_device(&a, DEV_A, &e), 0);
	/* not without the lock; nothing there: nothing moved */
	ck_assert_int_eq(rstream_adopt(&a, DEV_A, &moved, &e), 0);
	ck_assert_int_eq(moved, -1);
	ck_assert_int_eq(rstream_lock(&a, 5000, &held, &e), 0);
	ck_assert(held);
	ck_assert_int_eq(rstream_adopt(&a, DEV_A, &moved, &e), 0);
	ck_assert_int_eq(moved, 0);
	ck_assert_int_eq(rstream_group(&old, &e), 0);
	for (int i = 1; i <= 4; i++) {
		char u[16];
		const char *add[] = {
			"XADD", RSTREAM_KEY_STREAM, "*", "u", u, "chat", "7", "prev", "0", "body",
			"{}"
		};
		struct rds_reply *rep;

		snprintf(u, sizeof(u), "%d", 60 + i);
		ck_assert_int_eq(rds_command(old.r, 11, add, NULL, &rep, &e), 0);
		rds_reply_free(rep);
	}
	/* 61 done, 62 taken and not finished, 63 and 64 never taken */
	ck_assert_int_eq(rstream_read(&old, "w", 2, 10, &en, &n, &e), 0);
	ck_assert_int_eq(rstream_ack(&old, en[0].id, &e), 0);
	rstream_entries_free(en, n);
	ck_assert_int_eq(rstream_adopt(&a, DEV_A, &moved, &e), 0);
	ck_assert_int_eq(moved, 3);
	ck_assert_int_eq(raw(&a, 2, len), 0);
	ck_assert_int_eq(rstream_group(&a, &e), 0);
	ck_assert_int_eq(rstream_read(&a, "a1", 10, 10, &en, &n, &e), 0);
	ck_assert_str_eq(ids(en, n), "62,63,64");
	ck_assert_int_eq(en[0].chat_id, 7);
	rstream_entries_free(en, n);
	rstream_close(&old);
	rstream_close(&a);
}
END_TEST

START_TEST(test_unreachable)
{
	struct rstream rs;
	struct err e = { 0, "" };
	char u[64];

	snprintf(u, sizeof(u), "redis://127.0.0.1:%d/0", free_port());
	ck_assert_int_eq(rstream_open(&rs, u, NULL, 1000, &e), -1);
	ck_assert_ptr_nonnull(strstr(e.msg, "cannot reach redis 127.0.0.1:"));
}
END_TEST

Suite *rstream_suite(void)
{
	Suite *s = suite_create("rstream");
	TCase *tc = tcase_create("parse");
	TCase *srv = tcase_create("server");

	tcase_add_test(tc, test_parse);
	tcase_add_test(tc, test_url);
	tcase_add_test(tc, test_url_secret);
	tcase_add_test(tc, test_unreachable);
	suite_add_tcase(s, tc);
	tcase_add_checked_fixture(srv, server_up, server_down);
	tcase_add_test(srv, test_lock);
	tcase_add_test(srv, test_holder_device);
	tcase_add_test(srv, test_group);
	tcase_add_test(srv, test_trim);
	tcase_add_test(srv, test_prev_expires);
	tcase_add_test(srv, test_renumber);
	tcase_add_test(srv, test_numbering_lost);
	tcase_add_test(srv, test_home);
	tcase_add_test(srv, test_adopt);
	tcase_set_timeout(srv, 30);
	suite_add_tcase(s, srv);
	return s;
}
