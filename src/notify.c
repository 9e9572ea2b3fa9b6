#include "notify.h"
#include "utf8.h"
#include "childenv.h"
#include "config.h"
#include "sbuf.h"
#include "render.h"
#include "telegram.h"
#include "tgstore.h"
#include "wallclock.h"
#include "xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

const char *const notify_channels[] = { "stdout", "desktop", "command", "tui", "telegram", NULL };

int notify_check_channels(const char *list, struct err *e)
{
	const char *p = list;
	int n = 0;

	while (*p) {
		size_t len = strcspn(p, ", ");
		int ok = 0;

		for (int i = 0; len && notify_channels[i]; i++)
			ok |= strlen(notify_channels[i]) == len &&
			      !strncmp(notify_channels[i], p, len);
		if (len && !ok)
			return err_set(e, ERR_USAGE,
				       "unknown channel \"%.*s\" (stdout, desktop, command, tui, "
				       "telegram)",
				       (int)len, p);
		n += len > 0;
		p += len;
		p += strspn(p, ", ");
	}
	if (n == 0)
		return err_set(e, ERR_USAGE, "no channel given");
	return 0;
}

char *notify_which(const char *prog)
{
	const char *path = getenv("PATH"), *p;

	if (!prog || !*prog)
		return NULL;
	if (strchr(prog, '/'))
		return access(prog, X_OK) == 0 ? xstrdup(prog) : NULL;
	for (p = path ? path : "/usr/bin:/bin"; *p;) {
		size_t len = strcspn(p, ":");
		char *full = xasprintf("%.*s/%s", (int)(len ? len : 1), len ? p : ".", prog);

		if (access(full, X_OK) == 0)
			return full;
		free(full);
		p += len;
		if (*p == ':')
			p++;
	}
	return NULL;
}

static void child(pid_t parent, char *const argv[], char **env, int errfd)
{
	sigset_t none;
	int fd;

	/* killed with the process that runs it: a delivery it has not reported
	 * is made again by whoever takes the claim over, never also by it */
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0 || getppid() != parent)
		_exit(127);
	fd = open("/dev/null", O_RDWR);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	signal(SIGPIPE, SIG_DFL);
	setpgid(0, 0);
	if (fd >= 0) {
		dup2(fd, 0);
		dup2(fd, 1);
		dup2(errfd >= 0 ? errfd : fd, 2);
		if (fd > 2)
			close(fd);
	}
	execve(argv[0], argv, env);
	_exit(127);
}

/* The first line a child wrote on stderr, bounded; the rest is read and
 * dropped so the child never blocks on a full pipe. */
struct errline {
	int fd;	   /* the pipe's read end, -1 at its end */
	bool done; /* the line is complete */
	size_t n;
	char text[NOTIFY_ERRLINE + 1];
};

static void errline_read(struct errline *l)
{
	char buf[512];
	ssize_t got;

	while (l->fd >= 0 && (got = read(l->fd, buf, sizeof(buf))) != 0) {
		if (got < 0) {
			if (errno == EINTR)
				continue;
			if (errno != EAGAIN)
				break;
			return;
		}
		for (ssize_t i = 0; i < got && !l->done; i++) {
			unsigned char c = (unsigned char)buf[i];

			if (c == '\n' || c == '\r')
				l->done = l->n > 0;
			else if (l->n < NOTIFY_ERRLINE)
				l->text[l->n++] = (char)(c < 0x20 || c == 0x7f ? ' ' : c);
			else
				l->done = true;
		}
	}
	close(l->fd);
	l->fd = -1;
}

/* The line as the message ends with: the pipe closed, the text without
 * trailing blanks and NUL-terminated. */
static void errline_end(struct errline *l)
{
	if (l->fd >= 0)
		close(l->fd);
	l->fd = -1;
	while (l->n && l->text[l->n - 1] == ' ')
		l->n--;
	l->text[l->n] = '\0';
}

/* Wait for pid at most timeout seconds, reading its stderr: its status, or
 * -1 on timeout. */
static int wait_child(pid_t pid, long timeout, int *status, struct errline *l)
{
	int pfd = (int)syscall(SYS_pidfd_open, pid, 0);
	struct timespec start, now;
	long left_ms = timeout * 1000;
	int rc = 0;

	clock_gettime(CLOCK_MONOTONIC, &start);
	for (;;) {
		pid_t r = waitpid(pid, status, WNOHANG);

		if (r == pid || (r < 0 && errno != EINTR))
			break;
		clock_gettime(CLOCK_MONOTONIC, &now);
		left_ms = timeout * 1000 - ((now.tv_sec - start.tv_sec) * 1000 +
					    (now.tv_nsec - start.tv_nsec) / 1000000);
		if (left_ms <= 0) {
			kill(-pid, SIGKILL);
			kill(pid, SIGKILL);
			waitpid(pid, status, 0);
			rc = -1;
			break;
		}
		if (pfd >= 0) {
			struct pollfd p[2] = { { pfd, POLLIN, 0 }, { l->fd, POLLIN, 0 } };

			poll(p, 2, (int)(left_ms > 1000 ? 1000 : left_ms));
		} else {
			struct timespec nap = { 0, 20 * 1000000 };

			nanosleep(&nap, NULL);
		}
		errline_read(l);
	}
	/* what is there now; a grandchild holding the pipe is not waited for */
	errline_read(l);
	errline_end(l);
	if (pfd >= 0)
		close(pfd);
	return rc;
}

/* What went wrong with a child that ran, in why; 0 when nothing did. */
static int run_failed(int status, int timedout, long timeout, char *why, size_t len)
{
	if (timedout)
		snprintf(why, len, "timed out after %lds (killed)", timeout);
	else if (WIFSIGNALED(status))
		snprintf(why, len, "killed by signal %d", WTERMSIG(status));
	else if (WIFEXITED(status) && WEXITSTATUS(status) == 127)
		snprintf(why, len, "could not be run");
	else if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		snprintf(why, len, "exited with status %d", WEXITSTATUS(status));
	else
		return 0;
	return -1;
}

int notify_run(char *const argv[], char *const envp[], long timeout, struct err *e)
{
	char **env = childenv_new(envp);
	struct errline l = { -1, false, 0, "" };
	char why[64];
	int status = 0, fds[2] = { -1, -1 }, timedout;
	pid_t pid, parent;

	if (pipe2(fds, O_CLOEXEC) == 0)
		fcntl(fds[0], F_SETFL, O_NONBLOCK);
	fflush(NULL);
	parent = getpid();
	pid = fork();
	if (pid < 0) {
		free(env);
		close(fds[0]);
		close(fds[1]);
		return err_set(e, ERR_FAIL, "fork: %s", strerror(errno));
	}
	if (pid == 0)
		child(parent, argv, env, fds[1]);
	free(env);
	if (fds[1] >= 0)
		close(fds[1]);
	l.fd = fds[0];
	setpgid(pid, pid);
	timedout = wait_child(pid, timeout < 1 ? 1 : timeout, &status, &l) < 0;
	if (run_failed(status, timedout, timeout, why, sizeof(why)) == 0)
		return 0;
	/* the child's first stderr line says why; the terminal never sees it */
	return err_set(e, ERR_FAIL, "'%s' %s%s%s", argv[0], why, l.n ? ": " : "", l.text);
}

static int run_command(const struct notify_opts *o, const struct sched_fire *f, struct err *e)
{
	char *words = xstrdup(o->command), *save = NULL, *w, **argv, *env[5], due[40];
	size_t n = 0;
	int rc = -1;

	argv = xcalloc(strlen(o->command) / 2 + 3, sizeof(*argv));
	for (w = strtok_r(words, " \t", &save); w; w = strtok_r(NULL, " \t", &save))
		argv[n++] = w;
	if (n == 0) {
		err_set(e, ERR_FAIL, "notify.command is empty");
		goto out;
	}
	argv[0] = notify_which(argv[0]);
	if (!argv[0]) {
		err_set(e, ERR_FAIL, "notify.command %s not found", utf8_q(words));
		goto out;
	}
	argv[n++] = (char *)f->text;
	argv[n] = NULL;
	env[0] = xasprintf("NESTOR_JOB_ID=%lld", f->job_id);
	env[1] = xasprintf("NESTOR_DUE=%s", render_time(f->occurrence, due, sizeof(due)));
	env[2] = xasprintf("NESTOR_LATE=%ld", f->late);
	env[3] = xasprintf("NESTOR_TEXT=%s", f->text);
	env[4] = NULL;
	rc = notify_run(argv, env, o->timeout, e);
	for (int i = 0; i < 4; i++)
		free(env[i]);
	free(argv[0]);
out:
	free(argv);
	free(words);
	return rc;
}

/* NULL when notify-send and a graphical session are there, else why not. */
static const char *desktop_missing(void)
{
	char *path = notify_which("notify-send");

	free(path);
	if (!path)
		return "notify-send not found on PATH";
	if (!getenv("DISPLAY") && !getenv("WAYLAND_DISPLAY") && !getenv("DBUS_SESSION_BUS_ADDRESS"))
		return "no graphical session";
	return NULL;
}

static int desktop(const struct notify_opts *o, const struct sched_fire *f, struct err *e)
{
	const char *why = desktop_missing();
	char *path, *title;
	char late[32];
	int rc;

	if (why) {
		err_set(e, ERR_OK, "%s", why);
		return 1;
	}
	path = notify_which("notify-send");
	if (!path) {
		err_set(e, ERR_OK, "notify-send not found on PATH");
		return 1;
	}
	title = f->late ? xasprintf("nestor (%s)", sched_fmt_late(f->late, late, sizeof(late)))
			: xstrdup("nestor");
	{
		/* "--": a text starting with '-' is not an option */
		char *argv[] = { path, "--app-name=nestor", "--", title, (char *)f->text, NULL };

		rc = notify_run(argv, NULL, o->timeout, e);
	}
	free(title);
	free(path);
	return rc;
}

int notify_deliver(const struct notify_opts *o, const struct sched_fire *f, const char *channel,
		   struct err *e)
{
	if (!strcmp(channel, "stdout")) {
		char *line;

		if (!o->out) {
			err_set(e, ERR_OK, "no terminal here");
			return 1;
		}
		line = sched_fire_line(f);
		fprintf(o->out, "%s\n", line);
		free(line);
		if (fflush(o->out) != 0)
			return err_set(e, ERR_FAIL, "write: %s", strerror(errno));
		return 0;
	}
	if (!strcmp(channel, "command")) {
		if (!o->command || !*o->command) {
			err_set(e, ERR_OK, "notify.command is not set");
			return 1;
		}
		return run_command(o, f, e);
	}
	if (!strcmp(channel, "desktop"))
		return desktop(o, f, e);
	if (!strcmp(channel, "tui")) {
		if (o->db_path && notify_tui_attached(o->db_path))
			return 0; /* recorded: the TUI shows it */
		err_set(e, ERR_OK, "no TUI attached");
		return 1;
	}
	if (!strcmp(channel, "telegram")) {
		if (!o->store) {
			err_set(e, ERR_OK, "telegram is not configured");
			return 1;
		}
		return telegram_deliver(o->store, f, wallclock_now(), e);
	}
	return err_set(e, ERR_FAIL, "unknown channel %s", utf8_q(channel));
}

/* Whether process pid writes its standard output somewhere (not /dev/null);
 * true when that cannot be seen. */
static bool writes_somewhere(int pid)
{
	char link[64], target[256];
	ssize_t n;

	if (pid <= 0)
		return true;
	snprintf(link, sizeof(link), "/proc/%d/fd/1", pid);
	n = readlink(link, target, sizeof(target) - 1);
	if (n < 0)
		return true;
	target[n] = '\0';
	return strcmp(target, "/dev/null") != 0;
}

void notify_reach_probe(struct notify_reach *r, struct store *s, const char *db_path,
			struct config *cfg)
{
	const char *v;

	memset(r, 0, sizeof(*r));
	r->runner = sched_lock_holder(db_path, &r->pid);
	r->runner_out = r->runner != SCHED_RUNNER_DAEMON || writes_somewhere(r->pid);
	r->desktop_why = desktop_missing();
	v = config_get(cfg, "notify.command");
	r->command = v && *v;
	r->telegram = notify_telegram_linked(s);
	r->defaults =
		config_is_set(cfg, "notify.channels") ? config_get(cfg, "notify.channels") : NULL;
	if (!r->defaults || !*r->defaults)
		r->defaults = "stdout,desktop,tui,telegram"; /* whichever works then */
}

bool notify_telegram_linked(struct store *s)
{
	return s && tgstore_linked_any(s);
}

char *notify_default_channels(struct config *cfg, bool tui, bool telegram)
{
	struct sbuf sb = SBUF_INIT;
	const char *v = cfg && config_is_set(cfg, "notify.channels")
				? config_get(cfg, "notify.channels")
				: NULL;

	if (v && *v)
		return xstrdup(v);
	if (tui)
		sbuf_adds(&sb, "tui");
	else if (writes_somewhere(getpid()))
		sbuf_adds(&sb, "stdout");
	if (!desktop_missing())
		sbuf_addf(&sb, "%sdesktop", sb.len ? "," : "");
	if (telegram)
		sbuf_addf(&sb, "%stelegram", sb.len ? "," : "");
	if (!sb.len)
		sbuf_adds(&sb, "stdout");
	return sbuf_detach(&sb);
}

const char *notify_reach_why(const struct notify_reach *r, const char *channel, char *buf,
			     size_t len)
{
	if (!strcmp(channel, "stdout")) {
		if (r->runner_out)
			return NULL;
		snprintf(buf, len, "the daemon (pid %d) is detached, its output goes nowhere",
			 r->pid);
		return buf;
	}
	if (!strcmp(channel, "desktop"))
		return r->desktop_why;
	if (!strcmp(channel, "command"))
		return r->command ? NULL : "notify.command is not set";
	if (!strcmp(channel, "tui"))
		return r->runner == SCHED_RUNNER_DAEMON ? "the daemon fires it, not a TUI" : NULL;
	if (!strcmp(channel, "telegram"))
		return r->telegram ? NULL : "no Telegram chat is linked (nestor telegram link)";
	return "unknown channel";
}

char *notify_unreached(const struct notify_reach *r, const char *channels)
{
	struct sbuf sb = SBUF_INIT;
	const char *p = channels && *channels ? channels : r->defaults;

	while (*p) {
		size_t n = strcspn(p, ", ");
		char name[32], buf[128];
		const char *why;

		if (n && n < sizeof(name)) {
			memcpy(name, p, n);
			name[n] = '\0';
			why = notify_reach_why(r, name, buf, sizeof(buf));
			if (!why) {
				sbuf_release(&sb);
				return NULL;
			}
			sbuf_addf(&sb, "%s%s: %s", sb.len ? "; " : "", name, why);
		}
		p += n;
		p += strspn(p, ", ");
	}
	return sb.len ? sbuf_detach(&sb) : NULL;
}
