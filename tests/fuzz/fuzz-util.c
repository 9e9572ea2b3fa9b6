/* What the fuzz targets share. */
#include "fuzz.h"
#include "config.h"
#include "http.h"
#include "store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

int (*fuzz_http)(const struct http_req *rq, struct http_resp *resp, struct err *e);

/* In place of sync/http-curl.c's (which is then not linked): no request
 * leaves the process. */
int http_transfer(const struct http_req *rq, struct http_resp *resp, struct err *e)
{
	if (fuzz_http)
		return fuzz_http(rq, resp, e);
	return err_set(e, ERR_FAIL, "no network while fuzzing");
}

int fuzz_http_answer(struct http_resp *resp, long status, const char *ctype, const char *body,
		     size_t len, const char *kept)
{
	resp->status = status;
	resp->body = malloc(len + 1);
	if (!resp->body)
		abort();
	memcpy(resp->body, body, len);
	resp->body[len] = '\0';
	resp->len = len;
	resp->content_type = ctype ? strdup(ctype) : NULL;
	resp->kept = kept ? strdup(kept) : NULL;
	resp->attempts = 1;
	return 0;
}

/* Whatever else would open a network socket (a library's own, a stray
 * connection) is a finding. */
int socket(int domain, int type, int protocol)
{
	if (domain == AF_INET || domain == AF_INET6) {
		fprintf(stderr, "fuzz: a network socket was opened\n");
		abort();
	}
	return (int)syscall(SYS_socket, domain, type, protocol);
}

struct config *fuzz_config(void)
{
	static struct config *cfg;
	struct err e = { 0, "" };

	if (!cfg && !(cfg = config_load("/nonexistent/nestor-fuzz.conf", NULL, &e))) {
		fprintf(stderr, "fuzz config: %s\n", e.msg);
		abort();
	}
	return cfg;
}

char *fuzz_text(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);

	if (!s)
		abort();
	memcpy(s, data, size);
	s[size] = '\0';
	return s;
}

static struct store *st;
static char dir[64];
static unsigned runs;

/* The database and its WAL files, then the directory. */
static void remove_store(void)
{
	static const char *const files[] = { "nestor.db", "nestor.db-wal", "nestor.db-shm" };
	char path[96];

	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, files[i]);
		unlink(path);
	}
}

static void cleanup(void)
{
	store_free(st);
	remove_store();
	rmdir(dir);
}

struct store *fuzz_store(const char *name)
{
	struct err e = { 0, "" };
	char path[96];

	if (st && ++runs % 256 != 0)
		return st;
	if (!dir[0]) {
		/* on tmpfs when there is one: a commit's fsync would cost more
		 * than the work it follows */
		snprintf(dir, sizeof(dir), "%s/nestor-fuzz-%s.XXXXXX",
			 access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp", name);
		if (!mkdtemp(dir))
			abort();
		atexit(cleanup);
	}
	store_free(st);
	remove_store();
	snprintf(path, sizeof(path), "%s/nestor.db", dir);
	st = store_open(path, &e);
	if (!st) {
		fprintf(stderr, "store: %s\n", e.msg);
		abort();
	}
	return st;
}
