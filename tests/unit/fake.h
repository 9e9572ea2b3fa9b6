/*
 * fake.h - run a fake third-party server (a script in tests/fake/) for a test.
 *
 * fake_start() runs `python3 $NESTOR_SRC/tests/fake/SCRIPT --ppid <us>`,
 * reads the "PORT <n>" line it prints first and records the base URL
 * (http://127.0.0.1:n).  The server exits on fake_stop() or when this
 * process dies.  The fakes speak the control protocol of
 * tests/fake/openmeteo.py: POST /_control, GET /_requests.
 */
#ifndef NESTOR_FAKE_H
#define NESTOR_FAKE_H

#include <cjson/cJSON.h>
#include <sys/types.h>

struct fake {
	pid_t pid;
	int fd; /* the server's stdout, kept open */
	int port;
	char base[64]; /* "http://127.0.0.1:PORT" */
};

/* Start SCRIPT; 0, or -1 with a line on stderr. */
int fake_start(const char *script, struct fake *f);
void fake_stop(struct fake *f);

/* base + path, newly allocated. */
char *fake_url(const struct fake *f, const char *path);

/* GET / POST (JSON body) on the fake; the HTTP status, or -1.  *out (when
 * out is not NULL) gets the body, newly allocated. */
int fake_get(const struct fake *f, const char *path, char **out);
int fake_post(const struct fake *f, const char *path, const char *json, char **out);

/* POST /_control with json ("{\"fail\": [500]}"); 0 or -1. */
int fake_control(const struct fake *f, const char *json);
/* Forget the script and the request log. */
int fake_reset(const struct fake *f);
/* Requests the fake served whose path starts with prefix (NULL: all); -1 on error. */
int fake_requests(const struct fake *f, const char *prefix);
/* The query string of the n-th such request (0-based), newly allocated, or NULL. */
char *fake_request_query(const struct fake *f, const char *prefix, int n);
/* When the n-th such request arrived, in seconds on the server's monotonic
 * clock (compare two of them); -1 when there is no such request. */
double fake_request_time(const struct fake *f, const char *prefix, int n);

/* The n-th such request (0-based): its body parsed as JSON (NULL when
 * there is no such request or its body is not JSON); *path (may be NULL)
 * gets its path, newly allocated. */
cJSON *fake_request_json(const struct fake *f, const char *prefix, int n, char **path);

/* A TCP port on 127.0.0.1 nobody listens on (bound, then closed). */
int fake_closed_port(void);

#endif
