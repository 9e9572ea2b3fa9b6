/* nestor remind add|list|cancel|snooze|done|fire, and nestor jobs [history] */
#include "cmd.h"
#include "utf8.h"
#include "confirm.h"
#include "every.h"
#include "syncer.h"
#include "job.h"
#include "notify.h"
#include "reminder.h"
#include "reltime.h"
#include "render.h"
#include "routine.h"
#include "scheduler.h"
#include "when.h"
#include "wallclock.h"
#include "xalloc.h"

#include <cjson/cJSON.h>
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

enum { OPT_AT = 256, OPT_EVERY, OPT_CHANNEL, OPT_TZ, OPT_LIMIT };

static const struct option remind_opts[] = {
	{ "at", required_argument, NULL, OPT_AT },
	{ "every", required_argument, NULL, OPT_EVERY },
	{ "channel", required_argument, NULL, OPT_CHANNEL },
	{ "tz", required_argument, NULL, OPT_TZ },
	{ NULL, 0, NULL, 0 },
};

/* "today 17:00", "yesterday 09:00", "2026-12-01 09:30" in the local zone. */
static void fmt_when(time_t t, time_t now, char *buf, size_t len)
{
	reltime_format(RELTIME_LIST, NULL, t, false, now, buf, len);
}

/* --at WHEN: a date without a time of day means 09:00 that day (reminder.h);
 * *wall (wall may be NULL) the time written (reminder_resolve_at()).  A
 * --tz that names no zone is its own error, checked even without --at. */
int cmd_parse_at(struct ctx *ctx, const char *text, const char *tzid, bool once, time_t *at,
		 time_t *wall)
{
	if (reminder_check_tz(ctx->store, tzid, &ctx->err) < 0) {
		err_prefix(&ctx->err, "--tz");
		return -1;
	}
	if (text && reminder_resolve_at(text, tzid, once, ctx->now, at, wall, &ctx->err) < 0) {
		err_prefix(&ctx->err, "--at");
		return -1;
	}
	return 0;
}

/* The reminder stored as id, in a sentence (NULL when it cannot be read
 * back: the bare id then). */
static char *stored_line(struct ctx *ctx, long long id)
{
	struct reminder r;
	struct err e;
	char *line;

	if (!ctx->tty || reminder_get(ctx->store, id, ctx->now, &r, &e) < 0)
		return NULL;
	line = confirm_reminder(&r, ctx->now);
	reminder_release(&r);
	return line;
}

/* A reminder none of whose channels reaches anyone now is said at once. */
static void warn_unreached(struct ctx *ctx, long long id, const char *channels)
{
	struct notify_reach r;
	char *why;

	notify_reach_probe(&r, ctx->store, ctx->db_path, ctx->cfg);
	why = notify_unreached(&r, channels);
	if (why)
		fprintf(ctx->errout, "nestor: warning: reminder %lld reaches no one now (%s)\n", id,
			why);
	free(why);
}

static int remind_cmd_add(struct ctx *ctx, int argc, char **argv)
{
	const char *every = NULL, *channels = NULL, *tzid = NULL, *at_text = NULL;
	char *text = NULL;
	time_t at = 0, wall = 0;
	long long id;
	int c, rc = -1;

	while ((c = cmd_getopt(ctx, argc, argv, "", remind_opts)) != -1) {
		switch (c) {
		case OPT_AT: at_text = optarg; break;
		case OPT_EVERY: every = optarg; break;
		case OPT_CHANNEL: channels = optarg; break;
		case OPT_TZ: tzid = optarg; break;
		default: return -1;
		}
	}
	if (cmd_parse_at(ctx, at_text, tzid, !every, &at, &wall) < 0)
		return -1;
	text = cmd_join_args(argc, argv, optind);
	if (!text)
		return cmd_usage(ctx, "missing TEXT");
	if (!at && !every)
		cmd_usage(ctx, "missing --at WHEN (or --every CRON)");
	else if (reminder_add(ctx->store, text, at, at_text ? &wall : NULL, every, tzid, channels,
			      ctx->now, &id, &ctx->err) == 0)
		rc = 0;
	if (rc == 0) {
		cmd_stored(ctx, id, stored_line(ctx, id));
		warn_unreached(ctx, id, channels);
	}
	free(text);
	return rc;
}

static int remind_cmd_list(struct ctx *ctx, int argc, char **argv)
{
	struct reminder *rs;
	bool all;
	size_t n;

	if (cmd_flag_only(ctx, argc, argv, "all", &all) < 0)
		return -1;
	if (reminder_list(ctx->store, all, ctx->now, &rs, &n, &ctx->err) < 0)
		return -1;
	if (ctx->json) {
		cJSON *arr = cJSON_CreateArray();

		for (size_t i = 0; i < n; i++)
			cJSON_AddItemToArray(arr, json_reminder(&rs[i]));
		cmd_print_json(ctx, arr);
	} else if (n == 0) {
		fprintf(ctx->out, all ? "no reminders\n" : "no pending reminders\n");
	} else {
		fprintf(ctx->out, "%4s  %-16s  %-24s  %s%s\n", "ID", "DUE", "EVERY",
			all ? "STATE      " : "", "TEXT");
		for (size_t i = 0; i < n; i++) {
			char due[40] = "-", late[32], rule[128];
			const char *every = every_words("en", rs[i].every, rule, sizeof(rule));

			if (rs[i].has_at)
				fmt_when(rs[i].at, ctx->now, due, sizeof(due));
			fprintf(ctx->out, "%4lld  %-16s  %-24s  ", rs[i].id, due,
				every ? every : "-");
			if (all)
				fprintf(ctx->out, "%-9s  ", job_state_name(rs[i].state));
			cmd_put_text(ctx->out, rs[i].text);
			if (rs[i].late > SCHED_LATE_GRACE)
				fprintf(ctx->out, " (%s)",
					sched_fmt_late(rs[i].late, late, sizeof(late)));
			fprintf(ctx->out, "\n");
		}
	}
	reminder_list_free(rs, n);
	return 0;
}

/* Exactly `want` positional arguments and no option. */
static int positional(struct ctx *ctx, int argc, char **argv, int want, const char *what)
{
	static const struct option none[] = { { NULL, 0, NULL, 0 } };

	if ((!strcmp(what, "ID") && cmd_negative_id(ctx, argc, argv, NULL) < 0) ||
	    cmd_getopt(ctx, argc, argv, "", none) == '?')
		return -1;
	if (argc - optind < want)
		return cmd_usage(ctx, "missing %s", what);
	if (argc - optind > want)
		return cmd_usage(ctx, "unexpected argument %s", utf8_q(argv[optind + want]));
	return 0;
}

static int remind_cmd_cancel(struct ctx *ctx, int argc, char **argv)
{
	long long id;

	if (positional(ctx, argc, argv, 1, "ID") < 0 || cmd_parse_id(ctx, argv[optind], &id) < 0 ||
	    reminder_cancel(ctx->store, id, &ctx->err) < 0)
		return -1;
	cmd_changed_id(ctx, id, "reminder %lld cancelled", id);
	return 0;
}

static int remind_cmd_snooze(struct ctx *ctx, int argc, char **argv)
{
	char due[40];
	long long id;
	long secs;
	time_t at;
	int npos = 0;

	/* "-10m" is no option: a duration that goes back, or in the first
	 * place, an id that is none */
	for (int i = 1; i < argc && strcmp(argv[i], "--"); i++) {
		if (argv[i][0] == '-' && isdigit((unsigned char)argv[i][1])) {
			if (npos == 0) {
				cmd_parse_id(ctx, argv[i], &id); /* fails: "-3" is no id */
				return -1;
			}
			return cmd_usage(ctx, "the duration must be positive (got %s)",
					 utf8_q(argv[i]));
		}
		npos += argv[i][0] != '-';
	}
	if (positional(ctx, argc, argv, 2, "ID DURATION") < 0 ||
	    cmd_parse_id(ctx, argv[optind], &id) < 0)
		return -1;
	if (when_parse_duration(argv[optind + 1], &secs, &ctx->err) < 0)
		return -1;
	if (reminder_snooze(ctx->store, id, secs, ctx->now, &at, &ctx->err) < 0)
		return -1;
	fmt_when(at, ctx->now, due, sizeof(due));
	cmd_changed_id(ctx, id, "reminder %lld snoozed until %s", id, due);
	return 0;
}

static int remind_cmd_done(struct ctx *ctx, int argc, char **argv)
{
	char due[40];
	long long id;
	time_t next;
	bool has;

	if (positional(ctx, argc, argv, 1, "ID") < 0 || cmd_parse_id(ctx, argv[optind], &id) < 0 ||
	    reminder_done(ctx->store, id, ctx->now, &has, &next, &ctx->err) < 0)
		return -1;
	if (has)
		fmt_when(next, ctx->now, due, sizeof(due));
	cmd_changed_id(ctx, id, "reminder %lld done%s%s", id, has ? "; next " : "", has ? due : "");
	return 0;
}

/* The job_runs step of an occurrence `remind fire` printed and will retry. */
#define FIRE_STEP "printed"

/* `remind fire`: the stdout channel is the line this command prints; an
 * occurrence without that channel is still reported once (for cron mail).
 * Under --json (json set) the same happens to the entries of
 * {"fired":[...]}, streamed: `{"fired":[` first, each entry when its
 * occurrence is delivered, `]}` at the end.  A stdout occurrence's delivery
 * is the writing of its entry's head (failed and retry follow once its
 * other channels are done), so a failed write is that delivery failing. */
struct fire_front {
	struct notify_opts n;
	FILE *errout;
	long long printed_job;
	time_t printed_occ;
	bool json;
	size_t entries; /* written under --json */
	bool open;	/* the last entry waits for its failed and retry */
};

/* Write s to the output and flush it; -1 with e when it did not get there. */
static int fire_write(struct fire_front *ff, const char *s, struct err *e)
{
	cmd_out_put(ff->n.out, s, strlen(s));
	if (cmd_out_flush(ff->n.out, e) < 0)
		return err_set(e, ERR_FAIL, "write: %s", strerror(errno ? errno : EIO));
	return 0;
}

/* An entry of {"fired":[...]} up to its attempt: the object without its
 * closing brace.  An entry still open (its claim was lost before its failed
 * and retry) is closed first. */
static int fire_entry_head(struct fire_front *ff, const struct sched_fire *f, struct err *e)
{
	cJSON *o = cJSON_CreateObject();
	char at[64];
	char *s, *line;
	int rc;

	cJSON_AddNumberToObject(o, "id", (double)f->job_id);
	cJSON_AddStringToObject(o, "kind", f->kind);
	cJSON_AddStringToObject(o, "text", f->text ? f->text : "");
	cJSON_AddStringToObject(o, "occurrence", render_time(f->occurrence, at, sizeof(at)));
	if (f->late)
		cJSON_AddNumberToObject(o, "late", (double)f->late);
	else
		cJSON_AddNullToObject(o, "late");
	cJSON_AddNumberToObject(o, "attempt", f->attempt);
	s = cJSON_PrintUnformatted(o);
	cJSON_Delete(o);
	s[strlen(s) - 1] = '\0';
	line = xasprintf("%s%s", ff->open ? "},\n" : ff->entries ? ",\n" : "", s);
	free(s);
	rc = fire_write(ff, line, e);
	free(line);
	if (rc == 0)
		ff->entries++;
	ff->open = rc == 0;
	return rc;
}

static void fire_entry_tail(struct fire_front *ff, int failed, bool retry)
{
	char tail[64];
	struct err e;

	snprintf(tail, sizeof(tail), ",\"failed\":%d,\"retry\":%s}", failed,
		 retry ? "true" : "false");
	ff->open = false;
	fire_write(ff, tail, &e);
}

static int fire_deliver(void *arg, const struct sched_fire *f, const char *channel, struct err *e)
{
	struct fire_front *ff = arg;
	bool out = !strcmp(channel, "stdout");
	int rc =
		out && ff->json ? fire_entry_head(ff, f, e) : notify_deliver(&ff->n, f, channel, e);

	if (rc == 0 && out) {
		ff->printed_job = f->job_id;
		ff->printed_occ = f->occurrence;
	}
	return rc;
}

/* Whether an earlier `remind fire` printed this retried occurrence: its
 * FIRE_STEP row (a database error: not known, printed again). */
static bool fire_printed_before(struct fire_front *ff, const struct sched_fire *f)
{
	struct err e;
	bool done = false;

	return f->attempt > 1 &&
	       job_delivered(ff->n.store, f->job_id, f->occurrence, FIRE_STEP, &done, &e) == 0 &&
	       done;
}

/* Once per occurrence, whoever tried it first: printed here (as the stdout
 * channel or the line for cron) unless an earlier `remind fire` did; one
 * that is to be retried gets a FIRE_STEP row saying it was. */
static void fire_fired(void *arg, const struct sched_fire *f, int delivered, int failed)
{
	struct syncer_gate *g = arg;
	struct fire_front *ff = g->arg;
	bool retry = failed && f->attempt < SCHED_MAX_ATTEMPTS;
	char *line;

	(void)delivered;
	if (failed)
		fprintf(ff->errout, "nestor: remind fire: %s %lld: %d channel(s) failed, %s\n",
			f->kind, f->job_id, failed,
			retry ? "will retry" : "given up after the last attempt");
	if (ff->json && ff->open && ff->printed_job == f->job_id &&
	    ff->printed_occ == f->occurrence) {
		fire_entry_tail(ff, failed, retry);
	} else if (fire_printed_before(ff, f)) {
		return;
	} else if (ff->json) {
		struct err e;

		if (fire_entry_head(ff, f, &e) == 0)
			fire_entry_tail(ff, failed, retry);
	} else if (!(ff->printed_job == f->job_id && ff->printed_occ == f->occurrence)) {
		line = sched_fire_line(f);
		fprintf(ff->n.out, "%s\n", line);
		fflush(ff->n.out);
		free(line);
	}
	if (retry) {
		struct job_run r = { .job_id = f->job_id,
				     .occurrence = f->occurrence,
				     .channel = FIRE_STEP,
				     .result = JOB_RUN_OK };
		struct err e;

		r.started_at = r.finished_at = wallclock_now();
		if (job_record(ff->n.store, &r, &e) < 0)
			fprintf(ff->errout,
				"nestor: remind fire: %s %lld: %s (its retry may print it again)\n",
				f->kind, f->job_id, e.msg);
	}
}

static int dry_run(struct ctx *ctx)
{
	struct job *jobs;
	size_t n;

	if (job_due(ctx->store, ctx->now, 1000, &jobs, &n, &ctx->err) < 0)
		return -1;
	if (ctx->json) {
		cJSON *top = cJSON_CreateObject();
		cJSON *arr = cJSON_AddArrayToObject(top, "fired");

		for (size_t i = 0; i < n; i++)
			cJSON_AddItemToArray(arr, json_job(&jobs[i]));
		cmd_print_json(ctx, top);
	} else {
		for (size_t i = 0; i < n; i++) {
			struct reminder r;
			struct err e = { 0, "" };

			/* the scheduler's view: every user's due jobs */
			if (reminder_get_any(ctx->store, jobs[i].id, ctx->now, &r, &e) == 0) {
				fprintf(ctx->out, "would fire reminder %lld: ", r.id);
				cmd_put_text(ctx->out, r.text);
				fputc('\n', ctx->out);
				reminder_release(&r);
			} else {
				fprintf(ctx->out, "would fire %s job %lld\n", jobs[i].kind,
					jobs[i].id);
			}
		}
	}
	job_list_free(jobs, n);
	return 0;
}

/* The end of {"fired":[...]} after its list: a run that stopped on an
 * error says so inside it (report() then writes no object of its own). */
static void fire_json_end(struct ctx *ctx, int rc)
{
	cJSON *o;
	char *s;

	if (rc == 0 || !ctx->err.msg[0]) {
		cmd_out_put(ctx->out, "}\n", 2);
		return;
	}
	o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "error", ctx->err.msg);
	cJSON_AddNumberToObject(o, "code", err_exit_status(&ctx->err));
	s = cJSON_PrintUnformatted(o);
	cJSON_Delete(o);
	s[0] = ',';
	cmd_out_put(ctx->out, s, strlen(s));
	cmd_out_put(ctx->out, "\n", 1);
	free(s);
	ctx->json_done = true;
}

static int remind_cmd_fire(struct ctx *ctx, int argc, char **argv)
{
	struct fire_front ff;
	struct syncer_gate g = { NULL, ctx->cfg, 0, fire_deliver, &ff };
	struct sched_deliver d = { syncer_gate_deliver, fire_fired, &g };
	struct sched_opts o;
	bool dry;
	long delay;
	int rc;

	if (cmd_flag_only(ctx, argc, argv, "dry-run", &dry) < 0)
		return -1;
	if (dry)
		return dry_run(ctx);
	sched_opts_init(&o, ctx->cfg, notify_telegram_linked(ctx->store));
	routine_sched(&o, ctx->cfg);
	o.clock = wallclock_now;
	memset(&ff, 0, sizeof(ff));
	ff.n.command = config_get(ctx->cfg, "notify.command");
	ff.n.timeout = o.lease / 2;
	ff.n.out = ctx->out;
	ff.n.db_path = ctx->db_path;
	ff.n.store = ctx->store;
	ff.errout = ctx->errout;
	g.y = syncer_open(ctx->cfg, ctx->store, ctx->user);
	g.lease = o.lease;
	ff.json = ctx->json;
	if (ff.json)
		cmd_out_put(ctx->out, "{\"fired\":[\n", 11);
	rc = sched_run_due(ctx->store, &o, wallclock_now(), &d, &delay, NULL, &ctx->err);
	syncer_free(g.y);
	sched_opts_release(&o);
	/* one object whatever happened: what was delivered is in it */
	if (ff.json) {
		const char *end = ff.open ? "}\n]" : ff.entries ? "\n]" : "]";

		cmd_out_put(ctx->out, end, strlen(end));
		fire_json_end(ctx, rc);
	}
	return rc;
}

const struct cmd cmd_remind_verbs[] = {
	{ "add", "TEXT... [--at WHEN] [--every RULE] [--channel LIST] [--tz ZONE]",
	  "add a reminder and print its id", CMD_NEEDS_DB, remind_cmd_add, NULL },
	{ "list", "[--all] [--json]", "pending reminders by due time", CMD_NEEDS_DB,
	  remind_cmd_list, NULL },
	{ "cancel", "ID", "cancel a reminder", CMD_NEEDS_DB, remind_cmd_cancel, NULL },
	{ "snooze", "ID DURATION", "fire a reminder again after DURATION", CMD_NEEDS_DB,
	  remind_cmd_snooze, NULL },
	{ "done", "ID", "acknowledge a reminder (a recurring one skips to its next time)",
	  CMD_NEEDS_DB, remind_cmd_done, NULL },
	{ "fire", "[--dry-run]", "fire every due reminder now and exit (for cron)", CMD_NEEDS_DB,
	  remind_cmd_fire, NULL },
	{ NULL, NULL, NULL, 0, NULL, NULL },
};

/* Why a pending reminder or routine reaches no one now, or NULL. */
static char *job_unreached(const struct notify_reach *r, const struct job *j)
{
	cJSON *p;
	char *channels, *why;

	if (j->state != JOB_PENDING || (strcmp(j->kind, "reminder") && strcmp(j->kind, "routine")))
		return NULL;
	p = j->payload ? cJSON_Parse(j->payload) : NULL;
	channels = p ? reminder_channels_text(p) : NULL;
	why = notify_unreached(r, channels);
	free(channels);
	cJSON_Delete(p);
	return why;
}

static int jobs_cmd_list(struct ctx *ctx, int argc, char **argv)
{
	struct notify_reach reach;
	struct job *jobs;
	bool all;
	size_t n;

	if (cmd_flag_only(ctx, argc, argv, "all", &all) < 0)
		return -1;
	if (job_list(ctx->store, NULL, all, &jobs, &n, &ctx->err) < 0)
		return -1;
	notify_reach_probe(&reach, ctx->store, ctx->db_path, ctx->cfg);
	if (ctx->json) {
		cJSON *arr = cJSON_CreateArray();

		for (size_t i = 0; i < n; i++) {
			cJSON *o = json_job(&jobs[i]);
			char *why = job_unreached(&reach, &jobs[i]);

			render_add_str(o, "unreached", why);
			cJSON_AddItemToArray(arr, o);
			free(why);
		}
		cmd_print_json(ctx, arr);
	} else if (n == 0) {
		fprintf(ctx->out, all ? "no jobs\n" : "no scheduled jobs\n");
	} else {
		fprintf(ctx->out, "%4s  %-9s  %-9s  %-16s  %8s  %s\n", "ID", "KIND", "STATE",
			"NEXT RUN", "ATTEMPTS", "LAST ERROR");
		for (size_t i = 0; i < n; i++) {
			char next[40] = "-";
			char *why = job_unreached(&reach, &jobs[i]);

			if (jobs[i].has_next)
				fmt_when(jobs[i].next_run, ctx->now, next, sizeof(next));
			fprintf(ctx->out, "%4lld  %-9s  %-9s  %-16s  %8d  ", jobs[i].id,
				jobs[i].kind, job_state_name(jobs[i].state), next,
				jobs[i].attempts);
			cmd_put_text(ctx->out, jobs[i].last_error ? jobs[i].last_error : "-");
			fputc('\n', ctx->out);
			if (why)
				fprintf(ctx->out, "      reaches no one now: %s\n", why);
			free(why);
		}
	}
	job_list_free(jobs, n);
	return 0;
}

static int jobs_cmd_history(struct ctx *ctx, int argc, char **argv)
{
	static const struct option opts[] = { { "limit", required_argument, NULL, OPT_LIMIT },
					      { NULL, 0, NULL, 0 } };
	struct job_run *runs;
	long long id = 0;
	size_t n, limit = 50;
	int c;

	while ((c = cmd_getopt(ctx, argc, argv, "", opts)) != -1)
		if (c != OPT_LIMIT || cmd_parse_limit(ctx, optarg, &limit) < 0)
			return -1;
	if (optind + 1 < argc)
		return cmd_usage(ctx, "unexpected argument %s", utf8_q(argv[optind + 1]));
	if (optind < argc && cmd_parse_id(ctx, argv[optind], &id) < 0)
		return -1;
	if (id) {
		/* an id that names no job is an error, not "no runs" */
		struct job j;

		if (job_get(ctx->store, id, &j, &ctx->err) < 0)
			return -1;
		job_release(&j);
	}
	if (job_history(ctx->store, id, limit, &runs, &n, &ctx->err) < 0)
		return -1;
	if (ctx->json) {
		cJSON *arr = cJSON_CreateArray();

		for (size_t i = 0; i < n; i++)
			cJSON_AddItemToArray(arr, json_job_run(&runs[i]));
		cmd_print_json(ctx, arr);
	} else if (n == 0) {
		fprintf(ctx->out, "no runs\n");
	} else {
		fprintf(ctx->out, "%4s  %-16s  %-16s  %-9s  %-7s  %s\n", "JOB", "DUE", "RAN",
			"CHANNEL", "RESULT", "DETAIL");
		for (size_t i = 0; i < n; i++) {
			char due[40], ran[40], conv[40] = "";

			fmt_when(runs[i].occurrence, ctx->now, due, sizeof(due));
			fmt_when(runs[i].started_at, ctx->now, ran, sizeof(ran));
			if (runs[i].conversation_id)
				snprintf(conv, sizeof(conv), "conversation %lld",
					 runs[i].conversation_id);
			fprintf(ctx->out, "%4lld  %-16s  %-16s  %-9s  %-7s  ", runs[i].job_id, due,
				ran, runs[i].channel ? runs[i].channel : "-",
				job_result_name(runs[i].result));
			cmd_put_text(ctx->out, runs[i].detail ? runs[i].detail : conv);
			fputc('\n', ctx->out);
			if (runs[i].output)
				cmd_print_indented(ctx, runs[i].output, 6);
		}
	}
	job_run_list_free(runs, n);
	return 0;
}

const struct cmd cmd_jobs_verbs[] = {
	{ "history", "[ID] [--limit N] [--json]", "past runs, newest first (50; --limit 0: all)",
	  CMD_NEEDS_DB, jobs_cmd_history, NULL },
	{ NULL, NULL, NULL, 0, NULL, NULL },
};

/* `nestor jobs` without a verb lists them. */
int cmd_jobs(struct ctx *ctx, int argc, char **argv)
{
	return jobs_cmd_list(ctx, argc, argv);
}
