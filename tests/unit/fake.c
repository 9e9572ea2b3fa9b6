#include "fake.h"

#include <arpa/inet.h>
#include <cjson/cJSON.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "http.h"
#include "xalloc.h"

#define START_TIMEOUT_MS 10000

static int64_t ms_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Read one line from fd within the deadline. */
static int read_line(int fd, char *buf, size_t len, int64_t deadline)
{
	size_t n = 0;
	struct pollfd p = { .fd = fd, .events = POLLIN };
	char c;
	ssize_t r;

	while (n + 1 < len) {
		int64_t left = deadline - ms_now();

		if (left <= 0 || poll(&p, 1, (int)left) <= 0)
			return -1;
		r = read(fd, &c, 1);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return -1;
		if (c == '\n')
			break;
		buf[n++] = c;
	}
	buf[n] = '\0';
	return 0;
}

int fake_start(const char *script, struct fake *f)
{
	const char *src = getenv("NESTOR_SRC");
	char *path, ppid[32], line[128];
	int pfd[2];

	memset(f, 0, sizeof(*f));
	f->fd = -1;
	path = xasprintf("%s/tests/fake/%s", src && *src ? src : ".", script);
	if (access(path, R_OK) < 0) {
		fprintf(stderr, "fake: cannot read '%s': %s\n", path, strerror(errno));
		free(path);
		return -1;
	}
	snprintf(ppid, sizeof(ppid), "%ld", (long)getpid());
	if (pipe(pfd) < 0) {
		free(path);
		return -1;
	}
	fflush(NULL);
	f->pid = fork();
	if (f->pid < 0) {
		close(pfd[0]);
		close(pfd[1]);
		free(path);
		return -1;
	}
	if (f->pid == 0) {
		dup2(pfd[1], STDOUT_FILENO);
		close(pfd[0]);
		close(pfd[1]);
		execlp("python3", "python3", path, "--ppid", ppid, (char *)NULL);
		_exit(127);
	}
	free(path);
	close(pfd[1]);
	f->fd = pfd[0];
	if (read_line(f->fd, line, sizeof(line), ms_now() + START_TIMEOUT_MS) < 0 ||
	    sscanf(line, "PORT %d", &f->port) != 1 || f->port <= 0) {
		fprintf(stderr, "fake: %s did not report its port\n", script);
		fake_stop(f);
		return -1;
	}
	snprintf(f->base, sizeof(f->base), "http://127.0.0.1:%d", f->port);
	return 0;
}

void fake_stop(struct fake *f)
{
	if (f->pid > 0) {
		kill(f->pid, SIGTERM);
		while (waitpid(f->pid, NULL, 0) < 0 && errno == EINTR)
			;
	}
	if (f->fd >= 0)
		close(f->fd);
	f->pid = 0;
	f->fd = -1;
}

char *fake_url(const struct fake *f, const char *path)
{
	return xasprintf("%s%s", f->base, path);
}

static int call(const struct fake *f, const char *method, const char *path, const char *json,
		char **out)
{
	static const char *const hdrs[] = { "Content-Type: application/json", NULL };
	char *url = fake_url(f, path);
	struct http_req rq = {
		.method = method,
		.url = url,
		.body = json,
		.headers = hdrs,
		.timeout_ms = 5000,
		.max_retries = HTTP_NO_RETRY,
	};
	struct http_resp rs;
	struct err e = { 0, "" };
	int status = -1;

	if (out)
		*out = NULL;
	if (http_request(&rq, &rs, &e) == 0) {
		status = (int)rs.status;
		if (out) {
			*out = rs.body;
			rs.body = NULL;
		}
	} else {
		fprintf(stderr, "fake: %s %s: %s\n", method, path, e.msg);
	}
	http_resp_release(&rs);
	free(url);
	return status;
}

int fake_get(const struct fake *f, const char *path, char **out)
{
	return call(f, "GET", path, NULL, out);
}

int fake_post(const struct fake *f, const char *path, const char *json, char **out)
{
	return call(f, "POST", path, json ? json : "{}", out);
}

int fake_control(const struct fake *f, const char *json)
{
	return fake_post(f, "/_control", json, NULL) == 200 ? 0 : -1;
}

int fake_reset(const struct fake *f)
{
	return fake_control(f, "{\"reset\": true}");
}

/* The logged requests whose path starts with prefix, as a cJSON array. */
static cJSON *requests(const struct fake *f, const char *prefix)
{
	char *body;
	cJSON *doc, *all, *it, *out;

	if (fake_get(f, "/_requests", &body) != 200) {
		free(body);
		return NULL;
	}
	doc = cJSON_Parse(body);
	free(body);
	all = cJSON_GetObjectItemCaseSensitive(doc, "requests");
	if (!cJSON_IsArray(all)) {
		cJSON_Delete(doc);
		return NULL;
	}
	out = cJSON_CreateArray();
	cJSON_ArrayForEach(it, all) {
		const cJSON *p = cJSON_GetObjectItemCaseSensitive(it, "path");

		if (!prefix ||
		    (cJSON_IsString(p) && !strncmp(p->valuestring, prefix, strlen(prefix))))
			cJSON_AddItemToArray(out, cJSON_Duplicate(it, 1));
	}
	cJSON_Delete(doc);
	return out;
}

int fake_requests(const struct fake *f, const char *prefix)
{
	cJSON *r = requests(f, prefix);
	int n = r ? cJSON_GetArraySize(r) : -1;

	cJSON_Delete(r);
	return n;
}

char *fake_request_query(const struct fake *f, const char *prefix, int n)
{
	cJSON *r = requests(f, prefix);
	const cJSON *q = cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(r, n), "query");
	char *s = cJSON_IsString(q) ? xstrdup(q->valuestring) : NULL;

	cJSON_Delete(r);
	return s;
}

double fake_request_time(const struct fake *f, const char *prefix, int n)
{
	cJSON *r = requests(f, prefix);
	const cJSON *t = cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(r, n), "t");
	double v = cJSON_IsNumber(t) ? t->valuedouble : -1;

	cJSON_Delete(r);
	return v;
}

cJSON *fake_request_json(const struct fake *f, const char *prefix, int n, char **path)
{
	cJSON *r = requests(f, prefix);
	const cJSON *req = cJSON_GetArrayItem(r, n);
	const cJSON *body = cJSON_GetObjectItemCaseSensitive(req, "body");
	const cJSON *p = cJSON_GetObjectItemCaseSensitive(req, "path");
	cJSON *out = cJSON_IsString(body) ? cJSON_Parse(body->valuestring) : NULL;

	if (path)
		*path = cJSON_IsString(p) ? xstrdup(p->valuestring) : NULL;
	cJSON_Delete(r);
	return out;
}

int fake_closed_port(void)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	socklen_t len = sizeof(a);
	int fd = socket(AF_INET, SOCK_STREAM, 0), port = -1;

	if (fd < 0)
		return -1;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(fd, (struct sockaddr *)&a, sizeof(a)) == 0 &&
	    getsockname(fd, (struct sockaddr *)&a, &len) == 0)
		port = ntohs(a.sin_port);
	close(fd);
	return port;
}
