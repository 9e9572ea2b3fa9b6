#include "scheduler.h"
#include "job.h"
#include "log.h"
#include "notify.h"
#include "recur.h"
#include "xalloc.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

void sched_opts_init(struct sched_opts *o, struct config *cfg, bool telegram)
{
	const char *v;

	memset(o, 0, sizeof(*o));
	o->lease = 60;
	if (!cfg) {
		o->channels = xstrdup("stdout,desktop");
		return;
	}
	v = config_get(cfg, "scheduler.catch_up");
	if (v && !strcmp(v, "all"))
		o->catch_up = SCHED_CATCH_UP_ALL;
	else if (v && !strcmp(v, "skip"))
		o->catch_up = SCHED_CATCH_UP_SKIP;
	if (config_get_int(cfg, "scheduler.lease") > 0)
		o->lease = config_get_int(cfg, "scheduler.lease");
	o->channels = notify_default_channels(cfg, false, telegram);
}

void sched_opts_release(struct sched_opts *o)
{
	free(o->channels);
	o->channels = NULL;
}

char *sched_fmt_late(long secs, char *buf, size_t len)
{
	if (secs >= 86400)
		snprintf(buf, len, "late by %ldd %ldh", secs / 86400, secs % 86400 / 3600);
	else if (secs >= 3600 && secs % 3600 >= 60)
		snprintf(buf, len, "late by %ldh %ldm", secs / 3600, secs % 3600 / 60);
	else if (secs >= 3600)
		snprintf(buf, len, "late by %ldh", secs / 3600);
	else if (secs >= 60)
		snprintf(buf, len, "late by %ldm", secs / 60);
	else
		snprintf(buf, len, "late by %lds", secs);
	return buf;
}

char *sched_fire_line(const struct sched_fire *f)
{
	char late[32];

	if (f->late)
		return xasprintf("%s %lld: %s (%s)", f->kind, f->job_id, f->text,
				 sched_fmt_late(f->late, late, sizeof(late)));
	return xasprintf("%s %lld: %s", f->kind, f->job_id, f->text);
}

static time_t clock_now(const struct sched_opts *o, time_t now)
{
	return o->clock ? o->clock() : now;
}

/* A claim token nobody else can hold: pid and 64 random bits. */
static void new_token(char *buf, size_t len)
{
	unsigned long long r = 0;

	if (getrandom(&r, sizeof(r), 0) != (ssize_t)sizeof(r))
		r = (unsigned long long)time(NULL) ^ ((unsigned long long)getpid() << 32) ^
		    (unsigned long long)(uintptr_t)buf;
	snprintf(buf, len, "%d-%016llx", (int)getpid(), r);
}

/* The channels of one job: the payload's list, else the default list. */
static char **job_channels(const cJSON *payload, const char *defaults, size_t *n)
{
	const cJSON *arr = cJSON_GetObjectItemCaseSensitive(payload, "channels"), *c;
	char **out = NULL;
	size_t cap = 0;

	*n = 0;
	if (cJSON_IsArray(arr) && cJSON_GetArraySize(arr) > 0) {
		cJSON_ArrayForEach(c, arr) {
			if (!cJSON_IsString(c))
				continue;
			if (*n == cap)
				out = xrealloc(out, (cap = cap ? cap * 2 : 4) * sizeof(*out));
			out[(*n)++] = xstrdup(c->valuestring);
		}
		return out;
	}
	for (const char *p = defaults ? defaults : ""; *p;) {
		size_t len = strcspn(p, ", ");

		if (len) {
			if (*n == cap)
				out = xrealloc(out, (cap = cap ? cap * 2 : 4) * sizeof(*out));
			out[(*n)++] = xstrndup(p, len);
		}
		p += len;
		p += strspn(p, ", ");
	}
	return out;
}

static void free_channels(char **ch, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(ch[i]);
	free(ch);
}

/* Record one job_runs row; a duplicate ok row means another process
 * delivered the same channel too (the at-least-once window). */
static int record(struct store *s, const struct sched_fire *f, const char *channel, time_t started,
		  time_t finished, enum job_result result, const char *detail, struct err *e)
{
	struct job_run r;
	int rc;

	memset(&r, 0, sizeof(r));
	r.job_id = f->job_id;
	r.occurrence = f->occurrence;
	r.channel = (char *)channel;
	r.started_at = started;
	r.finished_at = finished;
	r.result = result;
	r.detail = (char *)detail;
	rc = job_record(s, &r, e);
	if (rc == 0)
		log_warn("job %lld: occurrence %lld on %s was already recorded (delivered twice)",
			 f->job_id, (long long)f->occurrence, channel ? channel : "-");
	return rc < 0 ? -1 : 0;
}

struct outcome {
	int delivered, failed;
	char *last_error;
	bool lost; /* our claim was taken over: stop and leave the job alone */
};

/* Keep our claim before a step; out->lost when it was taken over.  No
 * token: an occurrence fired outside the schedule (nothing to renew). */
static int renew(struct store *s, const struct sched_opts *o, const struct sched_fire *f,
		 const char *token, time_t started, struct outcome *out, struct err *e)
{
	int rc;

	if (!token)
		return 0;
	rc = job_renew(s, f->job_id, token, started + o->lease, e);
	if (rc < 0)
		return -1;
	if (rc == 0) {
		out->lost = true;
		log_warn("job %lld: claim lost (lease ended); leaving it to its new owner",
			 f->job_id);
	}
	return 0;
}

static int deliver_all(struct store *s, const struct sched_opts *o, const struct sched_deliver *d,
		       const struct sched_fire *f, const char *token, time_t now, char **ch,
		       size_t nch, struct outcome *out, struct err *e)
{
	for (size_t i = 0; i < nch; i++) {
		struct err ce = { 0, "" };
		time_t started = clock_now(o, now);
		bool done;
		int rc;

		if (job_delivered(s, f->job_id, f->occurrence, ch[i], &done, e) < 0)
			return -1;
		if (done)
			continue;
		if (renew(s, o, f, token, started, out, e) < 0)
			return -1;
		if (out->lost)
			return 0;
		rc = d->deliver(d->arg, f, ch[i], &ce);
		if (rc < 0) {
			out->failed++;
			free(out->last_error);
			out->last_error = xasprintf("%s: %s", ch[i], ce.msg);
			log_warn("job %lld: channel %s failed: %s", f->job_id, ch[i], ce.msg);
		} else {
			out->delivered++;
			if (rc > 0)
				log_info("job %lld: channel %s skipped: %s", f->job_id, ch[i],
					 ce.msg);
		}
		if (record(s, f, ch[i], started, clock_now(o, now),
			   rc < 0   ? JOB_RUN_FAILED
			   : rc > 0 ? JOB_RUN_SKIPPED
				    : JOB_RUN_OK,
			   rc != 0 ? ce.msg : NULL, e) < 0)
			return -1;
	}
	return 0;
}

/* Whether a job asks the assistant: its payload has a "request". */
static bool composed(const cJSON *payload)
{
	return cJSON_IsString(cJSON_GetObjectItemCaseSensitive(payload, "request"));
}

/* The reply of a composed job for this occurrence: the one recorded by an
 * earlier claim, else a new turn, recorded before any channel sees it.
 * *text stays NULL when the turn failed (counted in out) or the claim was
 * lost. */
static int compose_step(struct store *s, const struct sched_opts *o, const struct sched_fire *f,
			const char *token, time_t now, struct outcome *out, char **text,
			struct err *e)
{
	struct sched_reply r = { NULL, 0 };
	struct err ce = { 0, "" };
	struct job_run run;
	time_t started = clock_now(o, now);
	int rc;

	*text = NULL;
	rc = job_run_get(s, f->job_id, f->occurrence, SCHED_STEP_ASSISTANT, &run, e);
	if (rc < 0)
		return -1;
	if (rc == 0) {
		if (renew(s, o, f, token, started, out, e) < 0)
			return -1;
		if (out->lost)
			return 0;
		if (!o->compose)
			rc = err_set(&ce, ERR_FAIL, "no assistant runs %s jobs in this process",
				     f->kind);
		else
			rc = o->compose(o->compose_arg, s, f, clock_now(o, now), &r, &ce);
		memset(&run, 0, sizeof(run));
		run.job_id = f->job_id;
		run.occurrence = f->occurrence;
		run.channel = SCHED_STEP_ASSISTANT;
		run.started_at = started;
		run.finished_at = clock_now(o, now);
		run.result = rc < 0 ? JOB_RUN_FAILED : JOB_RUN_OK;
		run.detail = rc < 0 ? ce.msg : NULL;
		run.output = r.text;
		run.conversation_id = r.conversation;
		if (rc < 0) {
			out->failed++;
			free(out->last_error);
			out->last_error = xasprintf("%s: %s", SCHED_STEP_ASSISTANT, ce.msg);
			log_warn("job %lld: the assistant failed: %s", f->job_id, ce.msg);
		}
		rc = job_record(s, &run, e);
		if (rc < 0 || out->failed) {
			free(r.text);
			return rc < 0 ? -1 : 0;
		}
		if (rc == 1) {
			*text = r.text;
			return 0;
		}
		/* another process recorded its reply first: deliver that one */
		free(r.text);
		if (job_run_get(s, f->job_id, f->occurrence, SCHED_STEP_ASSISTANT, &run, e) < 0)
			return -1;
	}
	*text = run.output ? run.output : xstrdup("");
	run.output = NULL;
	job_run_release(&run);
	return 0;
}

/* Compose (when the job asks for it), then deliver on every channel. */
static int fire_steps(struct store *s, const struct sched_opts *o, const struct sched_deliver *d,
		      struct sched_fire *f, const cJSON *payload, const char *token, time_t t,
		      struct outcome *out, char **reply, struct err *e)
{
	char **ch;
	size_t nch = 0;
	int rc;

	*reply = NULL;
	if (composed(payload)) {
		if (compose_step(s, o, f, token, t, out, reply, e) < 0)
			return -1;
		if (!*reply)
			return 0;
		f->text = *reply;
	}
	ch = job_channels(payload, o->channels, &nch);
	rc = deliver_all(s, o, d, f, token, t, ch, nch, out, e);
	free_channels(ch, nch);
	return rc;
}

/* Where a job goes after this occurrence: next occurrence, retry, or end. */
static void plan_next(const struct sched_opts *o, const struct job *j, const struct sched_fire *f,
		      const struct outcome *out, time_t t, struct job_next *n, char **err_text)
{
	struct err e = { 0, "" };
	struct recur_rule r;
	time_t after, next;
	bool has;

	memset(n, 0, sizeof(*n));
	n->last_error = out->last_error;
	if (out->failed && j->attempts < SCHED_MAX_ATTEMPTS) {
		n->state = JOB_PENDING;
		n->has_next = true;
		n->next_run = t + (SCHED_RETRY_BASE << (j->attempts - 1));
		n->occurrence = f->occurrence;
		n->attempts = j->attempts;
		return;
	}
	n->attempts = j->attempts;
	if (!f->recurring) {
		n->state = out->failed ? JOB_FAILED : JOB_DONE;
		return;
	}
	after = o->catch_up == SCHED_CATCH_UP_ALL || t < f->occurrence ? f->occurrence : t;
	job_recur(j, &r);
	if (recur_next(&r, after, &next, &has, &e) < 0) {
		*err_text = xasprintf("next run: %s", e.msg);
		n->last_error = *err_text;
		n->state = JOB_FAILED;
		return;
	}
	n->state = has ? JOB_PENDING : out->failed ? JOB_FAILED : JOB_DONE;
	n->attempts = has ? 0 : j->attempts;
	n->has_next = has;
	n->next_run = n->occurrence = next;
}

static int fire_one(struct store *s, const struct sched_opts *o, const struct sched_deliver *d,
		    struct job *j, const char *token, time_t t, struct err *e)
{
	cJSON *payload = j->payload ? cJSON_Parse(j->payload) : NULL;
	const cJSON *text = cJSON_GetObjectItemCaseSensitive(payload, "text");
	struct outcome out = { 0, 0, NULL, false };
	struct sched_fire f;
	struct job_next n;
	char *err_text = NULL, *reply = NULL;
	int rc = -1;

	memset(&f, 0, sizeof(f));
	f.job_id = j->id;
	f.user_id = j->user_id;
	f.kind = j->kind;
	f.text = cJSON_IsString(text) ? text->valuestring : j->kind;
	f.payload = j->payload;
	f.occurrence = j->occurrence;
	f.late = t - j->occurrence > SCHED_LATE_GRACE ? (long)(t - j->occurrence) : 0;
	f.recurring = strcmp(j->schedule, "at") != 0;
	f.attempt = j->attempts;
	if (f.recurring && f.late && j->attempts == 1 && o->catch_up == SCHED_CATCH_UP_SKIP) {
		char late[32];

		if (record(s, &f, NULL, t, t, JOB_RUN_MISSED,
			   sched_fmt_late(f.late, late, sizeof(late)), e) < 0)
			goto out;
	} else {
		if (fire_steps(s, o, d, &f, payload, token, t, &out, &reply, e) < 0)
			goto out;
		if (out.lost) {
			rc = 0;
			goto out;
		}
	}
	plan_next(o, j, &f, &out, clock_now(o, t), &n, &err_text);
	rc = job_finish(s, j->id, token, &n, e);
	if (rc < 0)
		goto out;
	if (rc == 0)
		log_warn("job %lld: claim lost before completion", j->id);
	else if (d->fired && (out.delivered || out.failed))
		d->fired(d->arg, &f, out.delivered, out.failed);
	rc = 0;
out:
	free(err_text);
	free(reply);
	free(out.last_error);
	cJSON_Delete(payload);
	return rc;
}

int sched_run_due(struct store *s, const struct sched_opts *o, time_t now,
		  const struct sched_deliver *d, long *next_delay, int *fired, struct err *e)
{
	size_t count = 0;
	time_t next;
	bool has;

	if (fired)
		*fired = 0;
	for (;;) {
		char token[48];
		struct job j;
		time_t t = clock_now(o, now);
		int rc;

		if (o->max_jobs && count >= o->max_jobs) {
			*next_delay = 0;
			return 0;
		}
		new_token(token, sizeof(token));
		rc = job_claim(s, now, t + o->lease, token, &j, e);
		if (rc < 0)
			return -1;
		if (rc == 0)
			break;
		if (j.state == JOB_RUNNING)
			log_info("job %lld: taking over an expired claim (attempt %d)", j.id,
				 j.attempts);
		rc = fire_one(s, o, d, &j, token, t, e);
		job_release(&j);
		if (rc < 0)
			return -1;
		count++;
		if (fired)
			(*fired)++;
	}
	if (job_next_due(s, &next, &has, e) < 0)
		return -1;
	*next_delay = !has ? -1 : next <= now ? 0 : (long)(next - now);
	return 0;
}

int sched_fire_now(struct store *s, const struct sched_opts *o, long long id, time_t now,
		   const struct sched_deliver *d, char **reply, struct err *e)
{
	struct outcome out = { 0, 0, NULL, false };
	struct sched_fire f;
	struct job j;
	cJSON *payload;
	const cJSON *text;
	char *composed_text = NULL;
	int rc = -1;

	if (reply)
		*reply = NULL;
	if (job_get(s, id, &j, e) < 0)
		return -1;
	payload = j.payload ? cJSON_Parse(j.payload) : NULL;
	text = cJSON_GetObjectItemCaseSensitive(payload, "text");
	memset(&f, 0, sizeof(f));
	f.job_id = j.id;
	f.user_id = j.user_id;
	f.kind = j.kind;
	f.text = cJSON_IsString(text) ? text->valuestring : j.kind;
	f.payload = j.payload;
	if (job_free_occurrence(s, j.id, now, &f.occurrence, e) < 0)
		goto out;
	f.recurring = strcmp(j.schedule, "at") != 0;
	f.attempt = 1;
	if (fire_steps(s, o, d, &f, payload, NULL, now, &out, &composed_text, e) < 0)
		goto out;
	if (d->fired && (out.delivered || out.failed))
		d->fired(d->arg, &f, out.delivered, out.failed);
	if (out.failed) {
		err_set(e, ERR_FAIL, "%s", out.last_error);
		goto out;
	}
	if (reply)
		*reply = xstrdup(f.text);
	rc = 0;
out:
	free(composed_text);
	free(out.last_error);
	cJSON_Delete(payload);
	job_release(&j);
	return rc;
}

static char *lock_path(const char *db_path)
{
	return xasprintf("%s.sched.lock", db_path);
}

int sched_lock_daemon(const char *db_path, struct err *e)
{
	char *path = lock_path(db_path);
	int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);

	if (fd < 0) {
		err_set(e, ERR_FAIL, "unable to open '%s': %s", path, strerror(errno));
	} else if (flock(fd, LOCK_SH | LOCK_NB) < 0) {
		log_info("scheduler lock '%s' is held by a front; running beside it", path);
	}
	free(path);
	return fd;
}

int sched_lock_try(const char *db_path)
{
	char *path = lock_path(db_path);
	int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);

	free(path);
	if (fd < 0)
		return -1;
	if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

enum sched_runner sched_lock_holder(const char *db_path, int *pid)
{
	char *path = lock_path(db_path), line[256];
	enum sched_runner who = SCHED_RUNNER_NONE;
	struct stat sb;
	FILE *f;

	*pid = 0;
	if (stat(path, &sb) < 0) {
		free(path);
		return SCHED_RUNNER_NONE;
	}
	free(path);
	f = fopen("/proc/locks", "re");
	if (!f)
		return SCHED_RUNNER_UNKNOWN;
	/* "1: FLOCK  ADVISORY  READ 8502 fe:00:10955123 0 EOF"; waiters have "->" */
	while (fgets(line, sizeof(line), f)) {
		char type[16], mode[16];
		unsigned maj, min;
		unsigned long long ino;
		int p;

		if (sscanf(line, "%*d: %15s %*s %15s %d %x:%x:%llu", type, mode, &p, &maj, &min,
			   &ino) != 6 ||
		    strcmp(type, "FLOCK") != 0 || ino != (unsigned long long)sb.st_ino ||
		    maj != major(sb.st_dev) || min != minor(sb.st_dev))
			continue;
		*pid = p;
		who = !strcmp(mode, "READ") ? SCHED_RUNNER_DAEMON : SCHED_RUNNER_FRONT;
		if (who == SCHED_RUNNER_FRONT)
			break;
	}
	fclose(f);
	return who;
}
