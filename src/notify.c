#include "notify.h"
#include "render.h"
#include "xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

static const char *const channels[] = { "stdout", "desktop", "command", "tui", "telegram", NULL };

int notify_check_channels(const char *list, struct err *e)
{
	const char *p = list;
	int n = 0;

	while (*p) {
		size_t len = strcspn(p, ", ");
		int ok = 0;

		for (int i = 0; len && channels[i]; i++)
			ok |= strlen(channels[i]) == len && !strncmp(channels[i], p, len);
		if (len && !ok)
			return err_set(e, ERR_USAGE,
				       "unknown channel \"%.*s\" (stdout, desktop, command, tui, telegram)",
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

/* environ plus extra, for execve (the child must not call setenv). */
static char **merged_env(char *const extra[])
{
	size_t n = 0, k = 0;
	char **env;

	while (environ && environ[n])
		n++;
	while (extra && extra[k])
		k++;
	env = xmalloc((n + k + 1) * sizeof(*env));
	for (size_t i = 0; extra && i < k; i++)
		env[i] = extra[i];
	for (size_t i = 0; i < n; i++)
		env[k + i] = environ[i];
	env[n + k] = NULL;
	return env;
}

static void child(char *const argv[], char **env)
{
	sigset_t none;
	int fd = open("/dev/null", O_RDWR);

	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	signal(SIGPIPE, SIG_DFL);
	setpgid(0, 0);
	if (fd >= 0) {
		dup2(fd, 0);
		dup2(fd, 1);
		if (fd > 2)
			close(fd);
	}
	execve(argv[0], argv, env);
	_exit(127);
}

/* Wait for pid at most timeout seconds: its status, or -1 on timeout. */
static int wait_child(pid_t pid, long timeout, int *status)
{
	int pfd = (int)syscall(SYS_pidfd_open, pid, 0);
	struct timespec start, now;
	long left_ms = timeout * 1000;

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
			if (pfd >= 0)
				close(pfd);
			return -1;
		}
		if (pfd >= 0) {
			struct pollfd p = { pfd, POLLIN, 0 };

			poll(&p, 1, (int)(left_ms > 1000 ? 1000 : left_ms));
		} else {
			struct timespec nap = { 0, 20 * 1000000 };

			nanosleep(&nap, NULL);
		}
	}
	if (pfd >= 0)
		close(pfd);
	return 0;
}

int notify_run(char *const argv[], char *const envp[], long timeout, struct err *e)
{
	char **env = merged_env(envp);
	int status = 0;
	pid_t pid;

	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		free(env);
		return err_set(e, ERR_FAIL, "fork: %s", strerror(errno));
	}
	if (pid == 0)
		child(argv, env);
	free(env);
	setpgid(pid, pid);
	if (wait_child(pid, timeout < 1 ? 1 : timeout, &status) < 0)
		return err_set(e, ERR_FAIL, "'%s' timed out after %lds (killed)", argv[0], timeout);
	if (WIFSIGNALED(status))
		return err_set(e, ERR_FAIL, "'%s' killed by signal %d", argv[0], WTERMSIG(status));
	if (WIFEXITED(status) && WEXITSTATUS(status) == 127)
		return err_set(e, ERR_FAIL, "'%s' could not be run", argv[0]);
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		return err_set(e, ERR_FAIL, "'%s' exited with status %d", argv[0],
			       WEXITSTATUS(status));
	return 0;
}

static int run_command(const struct notify_opts *o, const struct sched_fire *f, struct err *e)
{
	char *words = xstrdup(o->command), *save = NULL, *w, **argv, *env[4], due[40];
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
		err_set(e, ERR_FAIL, "notify.command \"%s\" not found", words);
		goto out;
	}
	argv[n++] = (char *)f->text;
	argv[n] = NULL;
	env[0] = xasprintf("NESTOR_JOB_ID=%lld", f->job_id);
	env[1] = xasprintf("NESTOR_DUE=%s", render_time(f->occurrence, due, sizeof(due)));
	env[2] = xasprintf("NESTOR_LATE=%ld", f->late);
	env[3] = NULL;
	rc = notify_run(argv, env, o->timeout, e);
	for (int i = 0; i < 3; i++)
		free(env[i]);
	free(argv[0]);
out:
	free(argv);
	free(words);
	return rc;
}

static int desktop(const struct notify_opts *o, const struct sched_fire *f, struct err *e)
{
	char *path = notify_which("notify-send"), *title;
	char late[32];
	int rc;

	if (!path) {
		err_set(e, ERR_OK, "notify-send not found on PATH");
		return 1;
	}
	if (!getenv("DISPLAY") && !getenv("WAYLAND_DISPLAY") && !getenv("DBUS_SESSION_BUS_ADDRESS")) {
		free(path);
		err_set(e, ERR_OK, "no graphical session");
		return 1;
	}
	title = f->late ? xasprintf("nestor (%s)", sched_fmt_late(f->late, late, sizeof(late)))
			: xstrdup("nestor");
	{
		char *argv[] = { path, "--app-name=nestor", title, (char *)f->text, NULL };

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
		err_set(e, ERR_OK, "no TUI attached");
		return 1;
	}
	if (!strcmp(channel, "telegram")) {
		err_set(e, ERR_OK, "telegram is not configured");
		return 1;
	}
	return err_set(e, ERR_FAIL, "unknown channel \"%s\"", channel);
}
