/*
 * nestor daemon: the scheduler's own process.
 *
 * One poll() loop over a signalfd (SIGTERM/SIGINT stop, SIGHUP reloads the
 * config) and an inotify watch on the database's directory.  It sleeps
 * until the earliest due job; a reminder added by another process writes
 * the database's -wal file, which wakes the loop at once.  The directory is
 * watched rather than the file because SQLite deletes and recreates the
 * -wal file as connections come and go.  The sleep is capped at a minute,
 * so a changed wall clock (suspend, NTP) is noticed within one.
 *
 * With server.postgres set, the sync worker joins the loop: its socket is
 * polled with the rest (a NOTIFY from the server pulls at once, a local
 * commit by another process pushes), it never blocks the loop, and it
 * retries with backoff and jitter while the server is away.  Reminders on
 * global channels are claimed in PostgreSQL before delivery, so one device
 * delivers them.
 *
 * With a Telegram bot token (the secret "telegram"), the relay runs on a
 * thread of its own with its own connection (telegram.h); the telegram
 * channel queues reminders for it in the database.
 *
 * With serve.enable, the HTTP API of `nestor serve` runs in its server's
 * threads beside the loop, on a store connection and a config of its own
 * (a SIGHUP reloads the daemon's, not the API's: it does not move).
 */
#include "cmd.h"
#include "utf8.h"
#include "dbwatch.h"
#include "log.h"
#include "notify.h"
#include "routine.h"
#include "scheduler.h"
#include "wallclock.h"
#include "google.h"
#include "syncer.h"
#include "telegram.h"
#include "xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_SLEEP_MS 60000
#define RECHECK_MS   100

struct daemon {
	struct ctx *ctx;
	struct sched_opts opts;
	struct notify_opts notify;
	int sfd, lock;
	struct dbwatch *watch;
	struct syncer *sync;		  /* NULL without server.postgres */
	struct google_worker *google;	  /* NULL without google.client_id */
	struct telegram_thread *telegram; /* NULL without a bot token */
	struct serve *serve;		  /* NULL without serve.enable */
	struct store *api_store;	  /* the API's connection */
	struct config *api_cfg;		  /* and its config: a reload frees ctx->cfg */
	long long version;		  /* data_version: others' commits */
};

static int local_deliver(void *arg, const struct sched_fire *f, const char *channel, struct err *e)
{
	struct daemon *d = arg;

	return notify_deliver(&d->notify, f, channel, e);
}

static int daemon_deliver(void *arg, const struct sched_fire *f, const char *channel, struct err *e)
{
	struct daemon *d = arg;
	struct syncer_gate g = { d->sync, d->ctx->cfg, d->opts.lease, local_deliver, d };

	return syncer_gate_deliver(&g, f, channel, e);
}

/* The sync worker for the config now loaded (none without a server). */
static void start_sync(struct daemon *d)
{
	syncer_free(d->sync);
	d->sync = syncer_open(d->ctx->cfg, d->ctx->store, d->ctx->user);
}

static void daemon_fired(void *arg, const struct sched_fire *f, int delivered, int failed)
{
	(void)arg;
	log_info("fired job %lld (occurrence %lld%s): %d delivered, %d failed", f->job_id,
		 (long long)f->occurrence, f->late ? ", late" : "", delivered, failed);
}

static void load_opts(struct daemon *d)
{
	sched_opts_release(&d->opts);
	/* The relay this daemon runs (or a linked chat) makes telegram a default
	 * channel: a chat linked while it runs is reached without a reload. */
	sched_opts_init(&d->opts, d->ctx->cfg,
			d->telegram || notify_telegram_linked(d->ctx->store));
	routine_sched(&d->opts, d->ctx->cfg);
	d->opts.clock = wallclock_now;
	/* Look at the signals between batches when a backlog is due. */
	d->opts.max_jobs = 50;
	d->notify.command = config_get(d->ctx->cfg, "notify.command");
	d->notify.timeout = d->opts.lease / 2;
}

static void reload(struct daemon *d)
{
	struct config *cfg = config_load(d->ctx->config_path, NULL, &d->ctx->err);

	if (!cfg) {
		log_error("reload: config: %s (keeping the old one)", d->ctx->err.msg);
		return;
	}
	config_free(d->ctx->cfg);
	d->ctx->cfg = cfg;
	config_apply_time(cfg);
	load_opts(d);
	start_sync(d);
	google_worker_free(d->google);
	d->google = google_worker_new(cfg, d->ctx->db_path, wallclock_now());
	log_info("reloaded '%s'", d->ctx->config_path);
}

static int setup_fds(struct daemon *d)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	sigprocmask(SIG_BLOCK, &set, NULL);
	/* a peer gone (Redis, an API client) fails a write with EPIPE; not left
	 * to the Secret Service's GLib, which ignores SIGPIPE as a side effect */
	signal(SIGPIPE, SIG_IGN);
	d->sfd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
	if (d->sfd < 0)
		return err_set(&d->ctx->err, ERR_FAIL, "signalfd: %s", strerror(errno));
	d->watch = dbwatch_new(d->ctx->db_path, &d->ctx->err);
	return d->watch ? 0 : -1;
}

/* Milliseconds from the live clock until `delay` seconds after `now`. */
static int timeout_ms(time_t now, long delay)
{
	struct timespec ts;
	long long ms;

	if (delay < 0)
		return MAX_SLEEP_MS;
	wallclock_timespec(&ts);
	ms = (long long)(now + delay) * 1000 - ((long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000);
	return ms < 0 ? 0 : ms > MAX_SLEEP_MS ? MAX_SLEEP_MS : (int)ms;
}

/* Whether another connection committed since the last look. */
static bool others_wrote(struct daemon *d)
{
	long long v;
	struct err e = { 0, "" };

	if (store_data_version(d->ctx->store, &v, &e) < 0 || v == d->version)
		return false;
	d->version = v;
	return true;
}

static int run(struct daemon *d)
{
	struct sched_deliver del = { daemon_deliver, daemon_fired, d };

	log_info("daemon started (pid %d) on '%s'", (int)getpid(), d->ctx->db_path);
	bool again = false;

	for (;;) {
		struct pollfd p[4] = { { d->sfd, POLLIN, 0 },
				       { dbwatch_fd(d->watch), POLLIN, 0 },
				       { -1, 0, 0 },
				       { -1, POLLIN, 0 } };
		time_t now = wallclock_now();
		long delay, sync_ms = -1, google_ms;
		int ms;

		/* the worker first: what it pulls may be due now */
		if (d->sync) {
			sync_ms = syncer_step(d->sync, now);
			p[2].fd = syncer_fd(d->sync);
			p[2].events = syncer_events(d->sync);
		}
		if (sched_run_due(d->ctx->store, &d->opts, now, &del, &delay, NULL, &d->ctx->err) <
		    0) {
			log_error("scheduler: %s", d->ctx->err.msg);
			delay = 5;
		}
		google_ms = google_worker_step(d->google, now);
		p[3].fd = google_worker_fd(d->google);
		ms = timeout_ms(now, delay);
		if (sync_ms >= 0 && sync_ms < ms)
			ms = (int)sync_ms;
		if (google_ms >= 0 && google_ms < ms)
			ms = (int)google_ms;
		/* the write that woke us may come just before its commit shows:
		 * look once more a moment later */
		if (again && ms > RECHECK_MS)
			ms = RECHECK_MS;
		again = false;
		if (poll(p, 4, ms) < 0 && errno != EINTR)
			return err_set(&d->ctx->err, ERR_FAIL, "poll: %s", strerror(errno));
		if (p[0].revents & POLLIN) {
			struct signalfd_siginfo si;

			while (read(d->sfd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
				if (si.ssi_signo == SIGHUP) {
					reload(d);
					continue;
				}
				log_info("daemon stopping (signal %u)", si.ssi_signo);
				return 0;
			}
		}
		if (p[1].revents & POLLIN)
			again = dbwatch_changed(d->watch);
		if (d->sync && others_wrote(d))
			syncer_kick(d->sync);
		/* every wake-up: the commit that woke it may show only on the next */
		google_worker_kick(d->google, d->ctx->store, wallclock_now());
	}
}

/*
 * The parent's side of detaching: wait until the daemon says it is ready
 * ("R" and its pid) or why it is not ("E" and the message), or exits
 * without a word.  Prints just the pid.
 */
static int wait_ready(struct ctx *ctx, int fd)
{
	char buf[sizeof(ctx->err.msg) + 1];
	size_t len = 0;
	ssize_t n;

	while (len < sizeof(buf) - 1 && (n = read(fd, buf + len, sizeof(buf) - 1 - len)) != 0) {
		if (n < 0 && errno != EINTR)
			break;
		if (n > 0)
			len += (size_t)n;
	}
	buf[len] = '\0';
	if (len > 1 && buf[0] == 'R') {
		fprintf(ctx->out, "%s\n", buf + 1);
		return 0;
	}
	if (len > 1 && buf[0] == 'E')
		return err_set(&ctx->err, ERR_FAIL, "%s", buf + 1);
	return err_set(&ctx->err, ERR_FAIL, "the daemon did not start (see the log)");
}

/* Detach: fork twice.  The parent (*parent set) waits for the daemon's word
 * and returns; the daemon gets the pipe to send it on (*ready) and
 * /dev/null for its standard streams. */
static int background(struct ctx *ctx, bool *parent, int *ready)
{
	int fd, pipefd[2], rc;
	pid_t pid;

	*parent = false;
	*ready = -1;
	if (pipe2(pipefd, O_CLOEXEC) < 0)
		return err_set(&ctx->err, ERR_FAIL, "pipe: %s", strerror(errno));
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		close(pipefd[0]);
		close(pipefd[1]);
		return err_set(&ctx->err, ERR_FAIL, "fork: %s", strerror(errno));
	}
	if (pid > 0) {
		*parent = true;
		close(pipefd[1]);
		waitpid(pid, NULL, 0); /* the first child leaves at once */
		rc = wait_ready(ctx, pipefd[0]);
		close(pipefd[0]);
		return rc;
	}
	close(pipefd[0]);
	setsid();
	pid = fork();
	if (pid != 0)
		_exit(pid < 0);
	*ready = pipefd[1];
	fd = open("/dev/null", O_RDWR);
	if (fd >= 0) {
		dup2(fd, 0);
		dup2(fd, 1);
		dup2(fd, 2);
		if (fd > 2)
			close(fd);
	}
	return 0;
}

/* serve.enable: the HTTP API, on a connection of its own. */
static int start_serve(struct daemon *d, bool foreground)
{
	struct serve_args a = { .rate = -1, .out = foreground ? d->ctx->out : NULL };
	struct ctx *ctx = d->ctx;

	if (!config_get_bool(ctx->cfg, "serve.enable"))
		return 0;
	d->api_store = store_open(ctx->db_path, &ctx->err);
	if (!d->api_store)
		return -1;
	d->api_cfg = config_load(ctx->config_path, NULL, &ctx->err);
	if (!d->api_cfg)
		return -1;
	a.cfg = d->api_cfg;
	store_set_user(d->api_store, store_user(ctx->store));
	if (serve_start(ctx, d->api_store, &a, &d->serve) < 0) {
		log_error("serve: %s", ctx->err.msg);
		return -1;
	}
	return 0;
}

/* The daemon's word to the waiting parent (ready, or why not); then the pipe closes. */
static void tell_parent(int *ready, const struct ctx *ctx, bool ok)
{
	char *msg;

	if (*ready < 0)
		return;
	msg = ok ? xasprintf("R%d", (int)getpid()) : xasprintf("E%s", ctx->err.msg);
	if (write(*ready, msg, strlen(msg)) < 0) {
		/* the parent is gone: nobody to tell */
	}
	free(msg);
	close(*ready);
	*ready = -1;
}

int cmd_daemon(struct ctx *ctx, int argc, char **argv)
{
	static const struct option opts[] = { { "foreground", no_argument, NULL, 'f' },
					      { NULL, 0, NULL, 0 } };
	struct daemon d;
	bool foreground = false, parent;
	int c, rc = -1, ready = -1;

	while ((c = cmd_getopt(ctx, argc, argv, "f", opts)) != -1) {
		if (c != 'f')
			return -1;
		foreground = true;
	}
	if (optind < argc)
		return cmd_usage(ctx, "unexpected argument %s", utf8_q(argv[optind]));
	if (!foreground) {
		/* An SQLite connection must not cross fork(): reopen it in the child. */
		store_free(ctx->store);
		ctx->store = NULL;
		if (background(ctx, &parent, &ready) < 0)
			return -1;
		if (parent)
			return 0;
		ctx->store = store_open(ctx->db_path, &ctx->err);
		if (!ctx->store) {
			tell_parent(&ready, ctx, false);
			return -1;
		}
	}
	memset(&d, 0, sizeof(d));
	d.ctx = ctx;
	d.sfd = -1;
	sched_opts_init(&d.opts, NULL, false);
	load_opts(&d);
	d.notify.out = foreground ? ctx->out : NULL;
	d.notify.db_path = ctx->db_path;
	d.notify.store = ctx->store;
	d.lock = sched_lock_daemon(ctx->db_path, &ctx->err);
	start_sync(&d);
	d.google = google_worker_new(ctx->cfg, ctx->db_path, wallclock_now());
	if (d.lock >= 0 && setup_fds(&d) == 0 && start_serve(&d, foreground) == 0) {
		/* the store, the lock, the signals and the watch are open: started */
		tell_parent(&ready, ctx, true);
		d.telegram = telegram_thread_start(ctx->db_path, ctx->config_path, ctx->user);
		if (d.telegram)
			load_opts(&d);
		rc = run(&d);
		serve_drain(d.serve, d.sfd);
		telegram_thread_stop(d.telegram);
	}
	tell_parent(&ready, ctx, false);
	serve_stop(d.serve);
	store_free(d.api_store);
	config_free(d.api_cfg);
	syncer_free(d.sync);
	google_worker_free(d.google);
	if (d.lock >= 0)
		close(d.lock);
	if (d.sfd >= 0)
		close(d.sfd);
	dbwatch_free(d.watch);
	sched_opts_release(&d.opts);
	return rc;
}
