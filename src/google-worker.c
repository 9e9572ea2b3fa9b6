/* The daemon's Google sync: a round every google.interval and soon after a
 * local change, each in a child process so the poll loop (the scheduler,
 * the signals) never waits for Google (google.h). */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "google.h"
#include "gsync.h"
#include "log.h"
#include "xalloc.h"

struct google_worker {
	struct config *cfg;
	char *db_path;
	pid_t child; /* 0: none running */
	int fd;	     /* the read end of the child's pipe: EOF when it is gone */
	time_t due;  /* the next round */
};

struct google_worker *google_worker_new(struct config *cfg, const char *db_path, time_t now)
{
	struct google_worker *w;

	if (!google_configured(cfg))
		return NULL;
	w = xcalloc(1, sizeof(*w));
	w->cfg = cfg;
	w->db_path = xstrdup(db_path);
	w->fd = -1;
	w->due = now;
	return w;
}

static void reap(struct google_worker *w, time_t now)
{
	int status = 0;

	if (!w->child)
		return;
	while (waitpid(w->child, &status, 0) < 0 && errno == EINTR)
		;
	close(w->fd);
	w->fd = -1;
	w->child = 0;
	w->due = now + config_get_int(w->cfg, "google.interval");
}

void google_worker_free(struct google_worker *w)
{
	if (!w)
		return;
	/* a round stopped anywhere loses nothing (the outbox, client ids) */
	if (w->child) {
		kill(w->child, SIGKILL);
		reap(w, 0);
	}
	free(w->db_path);
	free(w);
}

int google_worker_fd(const struct google_worker *w)
{
	return w && w->child ? w->fd : -1;
}

/* The child: its own connection, one round, a line in the log. */
static void child_round(struct google_worker *w, time_t now)
{
	struct err e = { 0 };
	struct google_report r;
	struct store *s = store_open(w->db_path, &e);

	if (!s) {
		log_msg(LOG_ERROR, "google", "%s", e.msg);
		_exit(1);
	}
	if (google_sync(w->cfg, s, NULL, false, now, &r, &e) < 0) {
		log_msg(LOG_WARN, "google", "sync: %s", e.msg);
		_exit(1);
	}
	log_msg(LOG_INFO, "google",
		"sync: pushed %ld, pulled %ld, removed %ld, skipped %ld, conflicts %ld", r.pushed,
		r.pulled, r.removed, r.skipped, r.conflicts);
	_exit(0);
}

long google_worker_step(struct google_worker *w, time_t now)
{
	int p[2];
	pid_t pid;

	if (!w)
		return -1;
	if (w->child) {
		char c;

		if (read(w->fd, &c, 1) == 0 || errno != EAGAIN)
			reap(w, now);
		else
			return -1;
	}
	if (now < w->due)
		return (long)(w->due - now) * 1000;
	if (pipe2(p, O_CLOEXEC) < 0) {
		log_msg(LOG_ERROR, "google", "pipe: %s", strerror(errno));
		w->due = now + 60;
		return 60000;
	}
	pid = fork();
	if (pid == 0) {
		close(p[0]);
		child_round(w, now);
	}
	close(p[1]);
	if (pid < 0) {
		log_msg(LOG_ERROR, "google", "fork: %s", strerror(errno));
		close(p[0]);
		w->due = now + 60;
		return 60000;
	}
	fcntl(p[0], F_SETFL, O_NONBLOCK);
	w->child = pid;
	w->fd = p[0];
	return -1;
}

void google_worker_kick(struct google_worker *w, struct store *s, time_t now)
{
	long n = 0;
	struct err e = { 0 };

	if (!w || w->child || w->due <= now)
		return;
	if (gsync_pending(s, now, &n, &e) == 0 && n > 0)
		w->due = now;
}
