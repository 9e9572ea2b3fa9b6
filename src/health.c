#include "health.h"
#include "gsync.h"
#include "tgstore.h"
#include "telegram.h"
#include "user.h"
#include "answer.h"
#include "when.h"
#include "render.h"
#include "sbuf.h"
#include "reltime.h"
#include "xalloc.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define DAY	 86400
#define LOG_TAIL (4L << 20) /* the errors of today are in the log's last 4 MiB */

/* The sync targets, the config key that says one is set up (Telegram's
 * token is a secret: a linked chat or a relay's cursor says it instead) and
 * how to set it up. */
static const struct {
	const char *name, *config_key, *setup;
} targets[HEALTH_TARGETS] = {
	{ "postgresql", "server.postgres", "server.postgres" },
	{ "google", "google.client_id", "google.client_id" },
	{ "telegram", NULL, "nestor secret set telegram" },
	{ "redis", "server.redis", "server.redis" },
};

static void problem(struct health *h, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void problem(struct health *h, const char *fmt, ...)
{
	char line[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	h->problems = xrealloc(h->problems, (h->nproblems + 1) * sizeof(*h->problems));
	h->problems[h->nproblems++] = xstrdup(line);
}

static long long file_size(const char *path)
{
	struct stat sb;
	char *wal = xasprintf("%s-wal", path);
	long long size = stat(path, &sb) == 0 ? (long long)sb.st_size : -1;

	if (size >= 0 && stat(wal, &sb) == 0)
		size += (long long)sb.st_size;
	free(wal);
	return size;
}

/* Errors logged since local midnight: the log's "ts" is UTC, so compare
 * with midnight written the same way. */
static long log_errors(const char *path, time_t now)
{
	time_t midnight = when_day_start(now);
	char since[32], line[4096];
	struct tm tm;
	long n = 0;
	FILE *f = fopen(path, "re");

	if (!f)
		return 0;
	gmtime_r(&midnight, &tm);
	strftime(since, sizeof(since), "%Y-%m-%dT%H:%M:%S", &tm);
	if (fseek(f, -LOG_TAIL, SEEK_END) == 0 && !fgets(line, sizeof(line), f))
		rewind(f); /* the first, partial line is dropped */
	while (fgets(line, sizeof(line), f)) {
		const char *ts = strstr(line, "\"ts\":\"");

		if (ts && strstr(line, "\"level\":\"error\"") && strncmp(ts + 6, since, 19) >= 0)
			n++;
	}
	fclose(f);
	return n;
}

static const char *entries(long n)
{
	return n == 1 ? "entry" : "entries";
}

static void when_text(time_t t, time_t now, char *buf, size_t len)
{
	reltime_format(RELTIME_PROSE, "en", t, false, now, buf, len);
}

/* Fill the targets and the other outbox entries; say what needs attention. */
static int sync_part(struct store *s, struct config *cfg, struct health *h, struct err *e)
{
	struct stats_outbox *ob;
	struct stats_sync *ss;
	size_t nob, nss;

	if (stats_outbox(s, &ob, &nob, e) < 0)
		return -1;
	if (stats_sync(s, &ss, &nss, e) < 0) {
		stats_outbox_free(ob, nob);
		return -1;
	}
	for (size_t i = 0; i < HEALTH_TARGETS; i++) {
		struct health_target *t = &h->targets[i];
		const char *v = cfg && targets[i].config_key
					? config_get(cfg, targets[i].config_key)
					: NULL;

		t->name = targets[i].name;
		t->setup = targets[i].setup;
		t->configured = (v && *v) || (!targets[i].config_key && tgstore_linked_any(s));
		for (size_t k = 0; k < nss; k++)
			if (!strcmp(ss[k].target, t->name)) {
				t->configured = true;
				t->cursor = ss[k].cursor ? xstrdup(ss[k].cursor) : NULL;
			}
	}
	for (size_t k = 0; k < nob; k++) {
		struct health_target *t = NULL;

		for (size_t i = 0; i < HEALTH_TARGETS; i++)
			if (!strcmp(ob[k].target, h->targets[i].name))
				t = &h->targets[i];
		if (!t) {
			h->other = xrealloc(h->other, (h->nother + 1) * sizeof(*h->other));
			h->other[h->nother] = ob[k];
			h->other[h->nother++].target = xstrdup(ob[k].target);
			problem(h, "outbox: %ld %s for \"%s\", a target nestor does not know",
				ob[k].entries, entries(ob[k].entries), ob[k].target);
			continue;
		}
		t->outbox = ob[k].entries;
		t->oldest = ob[k].oldest;
		t->attempts = ob[k].max_attempts;
		if (!t->configured)
			problem(h, "outbox: %ld %s for %s, which is not configured (%s)", t->outbox,
				entries(t->outbox), t->name, t->setup);
		else if (t->attempts > 0)
			problem(h, "outbox: %ld %s for %s, the oldest (#%lld) tried %d times",
				t->outbox, entries(t->outbox), t->name, t->oldest, t->attempts);
	}
	for (size_t i = 0; i < HEALTH_TARGETS; i++)
		if (h->targets[i].last_error)
			problem(h, "sync %s: %s", h->targets[i].name, h->targets[i].last_error);
	stats_outbox_free(ob, nob);
	stats_sync_free(ss, nss);
	return 0;
}

/* The Telegram updates in Redis's dead letters (server.redis set). */
static void redis_part(struct config *cfg, struct health *h)
{
	struct err re = { 0, "" };
	long long n;

	if (!telegram_redis(cfg))
		return;
	if (telegram_dead_letters(cfg, &n, &re) < 0) {
		problem(h, "redis: %s", re.msg);
		return;
	}
	h->dead_letters = n;
	if (n)
		problem(h,
			"telegram: %lld update%s in the dead letters of the Redis stream (nestor "
			"telegram status lists them)",
			n, n == 1 ? "" : "s");
}

/* What a user other than the first may not see: the sync targets but
 * whether each is configured, the outbox, and the problems they make. */
static void installation_out(struct health *h)
{
	for (size_t i = 0; i < h->nproblems; i++)
		free(h->problems[i]);
	h->nproblems = 0;
	for (size_t i = 0; i < HEALTH_TARGETS; i++) {
		struct health_target *t = &h->targets[i];

		free(t->cursor);
		free(t->last_error);
		t->cursor = t->last_error = NULL;
		t->last_ok = 0;
		t->outbox = t->oldest = 0;
		t->attempts = 0;
	}
	stats_outbox_free(h->other, h->nother);
	h->other = NULL;
	h->nother = 0;
}

/* The events Google refused, kept here only: the calendar's, so counted
 * for its owner alone (user_owns_calendar()); any other user, by --user or
 * a token (user), has none of them to see. */
static int refused_part(struct store *s, long long user, struct health *h, struct err *e)
{
	struct err ne;
	int own = user ? 0 : user_owns_calendar(s, &ne);

	if (own < 0)
		*e = ne;
	return own <= 0 ? own : gsync_refused_count(s, &h->google_refused, e);
}

static int collect(struct store *s, struct config *cfg, const char *db_path, const char *log_path,
		   long long user, time_t now, struct health *h, struct err *e)
{
	char when[64];

	memset(h, 0, sizeof(*h));
	h->db_path = user ? NULL : db_path;
	h->db_size = user ? -1 : file_size(db_path);
	h->schema = store_schema_version();
	h->runner = sched_lock_holder(db_path, &h->runner_pid);
	if (user)
		h->runner_pid = 0;
	if (stats_next(s, user, &h->next, &h->has_next, e) < 0 ||
	    stats_overdue(s, user, now - SCHED_LATE_GRACE, &h->overdue, &h->overdue_job, e) < 0 ||
	    stats_failed(s, user, now - DAY, &h->failed, &h->failed_job, &h->failed_channel,
			 &h->failed_detail, e) < 0 ||
	    sync_part(s, cfg, h, e) < 0 || refused_part(s, user, h, e) < 0) {
		health_release(h);
		return -1;
	}
	if (user)
		installation_out(h);
	if (h->failed) {
		when_text(h->failed_job.at, now, when, sizeof(when));
		problem(h,
			"%ld failed deliver%s in the last 24 h; the latest: %s %lld on %s at %s: "
			"%s",
			h->failed, h->failed == 1 ? "y" : "ies", h->failed_job.kind,
			h->failed_job.id, h->failed_channel ? h->failed_channel : "-", when,
			h->failed_detail ? h->failed_detail : "?");
	}
	if (h->overdue && h->runner == SCHED_RUNNER_NONE) {
		when_text(h->overdue_job.at, now, when, sizeof(when));
		problem(h,
			"%ld job%s overdue and nobody runs the scheduler: %s %lld was due %s"
			" (start it: nestor daemon)",
			h->overdue, h->overdue == 1 ? "" : "s", h->overdue_job.kind,
			h->overdue_job.id, when);
	}
	h->dead_letters = -1;
	if (log_path) {
		h->log_path = log_path;
		h->log_errors = log_errors(log_path, now);
		redis_part(cfg, h);
	}
	h->healthy = h->nproblems == 0;
	return 0;
}

int health_collect(struct store *s, struct config *cfg, const char *db_path, const char *log_path,
		   time_t now, struct health *h, struct err *e)
{
	return collect(s, cfg, db_path, log_path, 0, now, h, e);
}

int health_collect_user(struct store *s, struct config *cfg, const char *db_path, long long user,
			time_t now, struct health *h, struct err *e)
{
	return collect(s, cfg, db_path, NULL, user, now, h, e);
}

void health_release(struct health *h)
{
	for (size_t i = 0; i < h->nproblems; i++)
		free(h->problems[i]);
	free(h->problems);
	free(h->failed_channel);
	free(h->failed_detail);
	for (size_t i = 0; i < HEALTH_TARGETS; i++) {
		free(h->targets[i].cursor);
		free(h->targets[i].last_error);
	}
	stats_outbox_free(h->other, h->nother);
	memset(h, 0, sizeof(*h));
}

static const char *runner_name(enum sched_runner r)
{
	static const char *const names[] = { "none", "daemon", "front", "unknown" };

	return names[r];
}

static void size_text(long long bytes, char *buf, size_t len)
{
	if (bytes < 0)
		snprintf(buf, len, "size unknown");
	else if (bytes < 1024 * 1024)
		snprintf(buf, len, "%lld KiB", (bytes + 1023) / 1024);
	else
		snprintf(buf, len, "%.1f MiB", (double)bytes / (1024.0 * 1024.0));
}

char *health_text(const struct health *h, time_t now)
{
	struct sbuf sb = SBUF_INIT;
	char buf[64];
	bool any = false;

	sbuf_addf(&sb, "nestor status: %s\n", h->healthy ? "healthy" : "needs attention");
	for (size_t i = 0; i < h->nproblems; i++)
		sbuf_addf(&sb, "  ! %s\n", h->problems[i]);
	size_text(h->db_size, buf, sizeof(buf));
	sbuf_addf(&sb, "\ndatabase   %s (%s, schema %d)\n", h->db_path, buf, h->schema);
	if (h->runner == SCHED_RUNNER_DAEMON)
		sbuf_addf(&sb, "scheduler  the daemon (pid %d)\n", h->runner_pid);
	else if (h->runner == SCHED_RUNNER_FRONT)
		sbuf_addf(&sb, "scheduler  a TUI or REPL (pid %d)\n", h->runner_pid);
	else if (h->runner == SCHED_RUNNER_NONE)
		sbuf_adds(&sb,
			  "scheduler  nobody (nestor daemon, the TUI or cron's remind fire)\n");
	else
		sbuf_adds(&sb, "scheduler  unknown (/proc/locks cannot be read)\n");
	if (h->has_next) {
		when_text(h->next.at, now, buf, sizeof(buf));
		sbuf_addf(&sb, "next job   %s %lld, %s\n", h->next.kind, h->next.id, buf);
	} else {
		sbuf_adds(&sb, "next job   none\n");
	}
	sbuf_addf(&sb, "overdue    %ld job%s\n", h->overdue, h->overdue == 1 ? "" : "s");
	sbuf_addf(&sb, "failures   %ld deliver%s in the last 24 h\n", h->failed,
		  h->failed == 1 ? "y" : "ies");
	sbuf_adds(&sb, "outbox     ");
	for (size_t i = 0; i < HEALTH_TARGETS; i++) {
		const struct health_target *t = &h->targets[i];

		if (!t->outbox)
			continue;
		sbuf_addf(&sb, "%s%s %ld (oldest #%lld, %d tries)\n", any ? "           " : "",
			  t->name, t->outbox, t->oldest, t->attempts);
		any = true;
	}
	for (size_t i = 0; i < h->nother; i++) {
		sbuf_addf(&sb, "%s%s %ld\n", any ? "           " : "", h->other[i].target,
			  h->other[i].entries);
		any = true;
	}
	if (!any)
		sbuf_adds(&sb, "empty\n");
	for (size_t i = 0; i < HEALTH_TARGETS; i++) {
		const struct health_target *t = &h->targets[i];

		sbuf_addf(&sb, "%-11s%-11s ", i ? "" : "sync", t->name);
		if (!t->configured) {
			sbuf_adds(&sb, "not configured\n");
			continue;
		}
		if (t->last_error)
			sbuf_addf(&sb, "error: %s", t->last_error);
		else if (t->last_ok) {
			when_text(t->last_ok, now, buf, sizeof(buf));
			sbuf_addf(&sb, "ok %s", buf);
		} else {
			sbuf_adds(&sb, "configured");
		}
		if (!strcmp(t->name, "google") && h->google_refused)
			sbuf_addf(&sb,
				  "; %ld event%s refused by Google, kept here only: see nestor sync"
				  " conflicts",
				  h->google_refused, h->google_refused == 1 ? "" : "s");
		sbuf_adds(&sb, "\n");
	}
	if (h->log_path)
		sbuf_addf(&sb, "log        %s (%ld error%s today)\n", h->log_path, h->log_errors,
			  h->log_errors == 1 ? "" : "s");
	return sbuf_detach(&sb);
}

static cJSON *job_json(const struct stats_job *j)
{
	cJSON *o = cJSON_CreateObject();

	cJSON_AddNumberToObject(o, "id", (double)j->id);
	cJSON_AddStringToObject(o, "kind", j->kind);
	render_add_time(o, "next_run", 1, j->at);
	return o;
}

cJSON *health_json(const struct health *h)
{
	cJSON *o = cJSON_CreateObject(), *p, *arr;

	cJSON_AddBoolToObject(o, "healthy", h->healthy);
	arr = cJSON_AddArrayToObject(o, "problems");
	for (size_t i = 0; i < h->nproblems; i++)
		cJSON_AddItemToArray(arr, cJSON_CreateString(h->problems[i]));
	if (h->dead_letters >= 0)
		cJSON_AddNumberToObject(o, "dead_letters", (double)h->dead_letters);
	else
		cJSON_AddNullToObject(o, "dead_letters");
	p = cJSON_AddObjectToObject(o, "database");
	render_add_str(p, "path", h->db_path);
	cJSON_AddNumberToObject(p, "size", (double)h->db_size);
	cJSON_AddNumberToObject(p, "schema", h->schema);
	p = cJSON_AddObjectToObject(o, "scheduler");
	cJSON_AddStringToObject(p, "runner", runner_name(h->runner));
	if (h->runner_pid)
		cJSON_AddNumberToObject(p, "pid", h->runner_pid);
	else
		cJSON_AddNullToObject(p, "pid");
	if (h->has_next)
		cJSON_AddItemToObject(p, "next_job", job_json(&h->next));
	else
		cJSON_AddNullToObject(p, "next_job");
	cJSON_AddNumberToObject(p, "overdue", (double)h->overdue);
	cJSON_AddNumberToObject(p, "failed_deliveries", (double)h->failed);
	arr = cJSON_AddArrayToObject(o, "outbox");
	for (size_t i = 0; i < HEALTH_TARGETS; i++) {
		const struct health_target *t = &h->targets[i];

		if (!t->outbox)
			continue;
		p = cJSON_CreateObject();
		cJSON_AddStringToObject(p, "target", t->name);
		cJSON_AddNumberToObject(p, "entries", (double)t->outbox);
		cJSON_AddNumberToObject(p, "oldest", (double)t->oldest);
		cJSON_AddNumberToObject(p, "attempts", t->attempts);
		cJSON_AddItemToArray(arr, p);
	}
	for (size_t i = 0; i < h->nother; i++) {
		p = cJSON_CreateObject();
		cJSON_AddStringToObject(p, "target", h->other[i].target);
		cJSON_AddNumberToObject(p, "entries", (double)h->other[i].entries);
		cJSON_AddNumberToObject(p, "oldest", (double)h->other[i].oldest);
		cJSON_AddNumberToObject(p, "attempts", h->other[i].max_attempts);
		cJSON_AddItemToArray(arr, p);
	}
	arr = cJSON_AddArrayToObject(o, "sync");
	for (size_t i = 0; i < HEALTH_TARGETS; i++) {
		const struct health_target *t = &h->targets[i];

		p = cJSON_CreateObject();
		cJSON_AddStringToObject(p, "target", t->name);
		cJSON_AddBoolToObject(p, "configured", t->configured);
		render_add_str(p, "cursor", t->cursor);
		render_add_time(p, "last_ok", t->last_ok != 0, t->last_ok);
		render_add_str(p, "last_error", t->last_error);
		cJSON_AddNumberToObject(p, "outbox", (double)t->outbox);
		if (!strcmp(t->name, "google"))
			cJSON_AddNumberToObject(p, "refused", (double)h->google_refused);
		cJSON_AddItemToArray(arr, p);
	}
	p = cJSON_AddObjectToObject(o, "log");
	render_add_str(p, "path", h->log_path);
	cJSON_AddNumberToObject(p, "errors_today", (double)h->log_errors);
	return o;
}
