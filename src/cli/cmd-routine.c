/* nestor routine add|list|show|edit|rm|run: the assistant on a schedule. */
#include "answer.h"
#include "cmd.h"
#include "every.h"
#include "job.h"
#include "notify.h"
#include "render.h"
#include "routine.h"
#include "reltime.h"
#include "xalloc.h"

#include <cjson/cJSON.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#define SHOW_RUNS 10

enum { OPT_EVERY = 256, OPT_AT, OPT_ASSISTANT, OPT_CHANNEL, OPT_USER, OPT_TZ };

static const struct option def_opts[] = {
	{ "every", required_argument, NULL, OPT_EVERY },
	{ "at", required_argument, NULL, OPT_AT },
	{ "assistant", required_argument, NULL, OPT_ASSISTANT },
	{ "channel", required_argument, NULL, OPT_CHANNEL },
	{ "user", required_argument, NULL, OPT_USER },
	{ "tz", required_argument, NULL, OPT_TZ },
	{ NULL, 0, NULL, 0 },
};

/* The options of add and edit into d; the words left are the request
 * (*request, caller frees; NULL when none).  With at (edit) the text of
 * --at is left there to read in the routine's zone, else read in --tz. */
static int read_def(struct ctx *ctx, int argc, char **argv, struct routine_def *d, char **request,
		    const char **at)
{
	const char *at_text = NULL;
	int c;

	memset(d, 0, sizeof(*d));
	*request = NULL;
	while ((c = cmd_getopt(ctx, argc, argv, "", def_opts)) != -1) {
		switch (c) {
		case OPT_EVERY: d->every = optarg; break;
		case OPT_AT: at_text = optarg; break;
		case OPT_ASSISTANT: d->assistant = optarg; break;
		case OPT_CHANNEL: d->channels = optarg; break;
		case OPT_USER: d->user = optarg; break;
		case OPT_TZ: d->tzid = optarg; break;
		default: return -1;
		}
	}
	if (cmd_parse_at(ctx, at ? NULL : at_text, d->tzid, false, &d->at, &d->wall) < 0)
		return -1;
	d->has_wall = at_text != NULL;
	if (at)
		*at = at_text;
	*request = cmd_join_args(argc, argv, optind);
	d->request = *request;
	return 0;
}

static int routine_cmd_add(struct ctx *ctx, int argc, char **argv)
{
	struct routine_def d;
	char *request;
	long long id;
	int rc = -1;

	if (read_def(ctx, argc, argv, &d, &request, NULL) < 0)
		goto out;
	if (!request) {
		cmd_usage(ctx, "missing REQUEST (what to ask, e.g. \"my day\")");
		goto out;
	}
	if (!d.every) {
		cmd_usage(ctx, "missing --every CRON|PHRASE");
		goto out;
	}
	if (routine_add(ctx->store, &d, ctx->now, &id, &ctx->err) < 0)
		goto out;
	if (ctx->json) {
		cJSON *o = cJSON_CreateObject();

		cJSON_AddNumberToObject(o, "id", (double)id);
		cmd_print_json(ctx, o);
	} else {
		fprintf(ctx->out, "%lld\n", id);
	}
	rc = 0;
out:
	free(request);
	return rc;
}

/* "tomorrow 08:00", or "-" when there is no next run. */
static void next_text(const struct routine *r, time_t now, char *buf, size_t len)
{
	if (r->has_next)
		reltime_format(RELTIME_PROSE, "en", r->next, false, now, buf, len);
	else
		snprintf(buf, len, "-");
}

static int routine_cmd_list(struct ctx *ctx, int argc, char **argv)
{
	struct routine *rs;
	bool all;
	size_t n;

	if (cmd_flag_only(ctx, argc, argv, "all", &all) < 0)
		return -1;
	if (routine_list(ctx->store, all, ctx->now, &rs, &n, &ctx->err) < 0)
		return -1;
	if (ctx->json) {
		cJSON *arr = cJSON_CreateArray();

		for (size_t i = 0; i < n; i++)
			cJSON_AddItemToArray(arr, json_routine(&rs[i]));
		cmd_print_json(ctx, arr);
	} else if (n == 0) {
		fprintf(ctx->out, all ? "no routines\n" : "no scheduled routines\n");
	} else {
		fprintf(ctx->out, "%4s  %-18s  %-20s  %-10s  %s%s\n", "ID", "NEXT RUN", "EVERY",
			"ASSISTANT", all ? "STATE      " : "", "REQUEST");
		for (size_t i = 0; i < n; i++) {
			char next[64];
			char rule[128];
			const char *every = every_words("en", rs[i].every, rule, sizeof(rule));

			next_text(&rs[i], ctx->now, next, sizeof(next));
			fprintf(ctx->out, "%4lld  %-18s  %-20.20s  %-10s  ", rs[i].id, next,
				every ? every : "-", rs[i].assistant ? rs[i].assistant : "-");
			if (all)
				fprintf(ctx->out, "%-9s  ", rs[i].state);
			cmd_put_text(ctx->out, rs[i].request);
			fputc('\n', ctx->out);
		}
	}
	routine_list_free(rs, n);
	return 0;
}

static void show_text(struct ctx *ctx, const struct routine *r, const struct job_run *runs,
		      size_t n)
{
	char rule[128];
	const char *every = every_words("en", r->every, rule, sizeof(rule));
	char next[64];

	next_text(r, ctx->now, next, sizeof(next));
	fprintf(ctx->out, "routine %lld: ", r->id);
	cmd_put_text(ctx->out, r->request);
	fputc('\n', ctx->out);
	fprintf(ctx->out, "  every      %s", every ? every : "-");
	if (every && r->every && strcmp(every, r->every))
		fprintf(ctx->out, " (%s)", r->every);
	fprintf(ctx->out, " in %s\n", r->tzid ? r->tzid : "the local zone");
	fprintf(ctx->out, "  next run   %s\n", next);
	fprintf(ctx->out, "  state      %s", r->state);
	if (r->last_error) {
		fprintf(ctx->out, " (attempt %d: ", r->attempts);
		cmd_put_text(ctx->out, r->last_error);
		fputc(')', ctx->out);
	}
	fprintf(ctx->out, "\n  assistant  %s\n", r->assistant ? r->assistant : "the default");
	fprintf(ctx->out, "  channels   %s\n", r->channels ? r->channels : "the default");
	fprintf(ctx->out, "  user       %s\n", r->user ? r->user : "-");
	if (n == 0) {
		fprintf(ctx->out, "no runs yet\n");
		return;
	}
	fprintf(ctx->out, "last runs, newest first:\n");
	for (size_t i = 0; i < n; i++) {
		char when[64];

		reltime_format(RELTIME_PROSE, "en", runs[i].occurrence, false, ctx->now, when,
			       sizeof(when));
		fprintf(ctx->out, "  %-18s  %-9s  %-7s  ", when,
			runs[i].channel ? runs[i].channel : "-", job_result_name(runs[i].result));
		cmd_put_text(ctx->out, runs[i].detail);
		if (runs[i].conversation_id)
			fprintf(ctx->out, "(conversation %lld)", runs[i].conversation_id);
		fprintf(ctx->out, "\n");
		if (runs[i].output)
			cmd_print_indented(ctx, runs[i].output, 6);
	}
}

static int routine_cmd_show(struct ctx *ctx, int argc, char **argv)
{
	struct routine r;
	struct job_run *runs;
	long long id;
	size_t n;

	if (cmd_one_id(ctx, argc, argv, &id) < 0 ||
	    routine_get(ctx->store, id, ctx->now, &r, &ctx->err) < 0)
		return -1;
	if (job_history(ctx->store, id, SHOW_RUNS, &runs, &n, &ctx->err) < 0) {
		routine_release(&r);
		return -1;
	}
	if (ctx->json) {
		cJSON *o = json_routine(&r), *arr = cJSON_AddArrayToObject(o, "runs");

		for (size_t i = 0; i < n; i++)
			cJSON_AddItemToArray(arr, json_job_run(&runs[i]));
		cmd_print_json(ctx, o);
	} else {
		show_text(ctx, &r, runs, n);
	}
	job_run_list_free(runs, n);
	routine_release(&r);
	return 0;
}

/* edit's --at: read in --tz, else in the zone routine id keeps (not the
 * machine's), so the time written stays the routine's. */
static int edit_at(struct ctx *ctx, long long id, const char *text, struct routine_def *d)
{
	struct routine r;
	int rc;

	if (!text || d->tzid)
		return cmd_parse_at(ctx, text, d->tzid, false, &d->at, &d->wall);
	if (routine_get(ctx->store, id, ctx->now, &r, &ctx->err) < 0)
		return -1;
	rc = cmd_parse_at(ctx, text, r.tzid, false, &d->at, &d->wall);
	routine_release(&r);
	return rc;
}

static int routine_cmd_edit(struct ctx *ctx, int argc, char **argv)
{
	struct routine_def d;
	char *request = NULL, *rest;
	const char *at_text = NULL;
	long long id;
	int rc = -1;

	if (cmd_negative_id(ctx, argc, argv, def_opts) < 0 ||
	    read_def(ctx, argc, argv, &d, &request, &at_text) < 0)
		goto out;
	if (!request) {
		cmd_usage(ctx, "missing ID");
		goto out;
	}
	/* the first word is the id, the rest a new request */
	rest = request + strcspn(request, " ");
	if (*rest)
		*rest++ = '\0';
	d.request = *rest ? rest : NULL;
	if (cmd_parse_id(ctx, request, &id) < 0 || edit_at(ctx, id, at_text, &d) < 0)
		goto out;
	if (!d.request && !d.every && !d.at && !d.assistant && !d.channels && !d.tzid && !d.user) {
		cmd_usage(ctx, "nothing to change (give a REQUEST or an option)");
		goto out;
	}
	if (routine_edit(ctx->store, id, &d, ctx->now, &ctx->err) < 0)
		goto out;
	cmd_changed_id(ctx, id, "routine %lld changed", id);
	rc = 0;
out:
	free(request);
	return rc;
}

static int routine_cmd_rm(struct ctx *ctx, int argc, char **argv)
{
	long long id;

	if (cmd_one_id(ctx, argc, argv, &id) < 0 || routine_rm(ctx->store, id, &ctx->err) < 0)
		return -1;
	cmd_changed_id(ctx, id, "routine %lld removed", id);
	return 0;
}

/* `routine run`: the reply is printed here, which stands for stdout. */
static int run_deliver(void *arg, const struct sched_fire *f, const char *channel, struct err *e)
{
	if (!strcmp(channel, "stdout"))
		return 0;
	return notify_deliver(arg, f, channel, e);
}

static int routine_cmd_run(struct ctx *ctx, int argc, char **argv)
{
	struct notify_opts n = { 0 };
	struct sched_deliver d = { run_deliver, NULL, &n };
	struct sched_opts o;
	struct routine r;
	char *reply = NULL;
	long long id;
	int rc;

	if (cmd_one_id(ctx, argc, argv, &id) < 0 ||
	    routine_get(ctx->store, id, ctx->now, &r, &ctx->err) < 0)
		return -1;
	routine_release(&r);
	sched_opts_init(&o, ctx->cfg, notify_telegram_linked(ctx->store));
	routine_sched(&o, ctx->cfg);
	n.command = config_get(ctx->cfg, "notify.command");
	n.timeout = o.lease / 2;
	n.db_path = ctx->db_path;
	rc = sched_fire_now(ctx->store, &o, id, ctx->now, &d, &reply, &ctx->err);
	sched_opts_release(&o);
	if (rc < 0)
		return -1;
	if (ctx->json) {
		cJSON *j = cJSON_CreateObject();

		cJSON_AddNumberToObject(j, "id", (double)id);
		cJSON_AddStringToObject(j, "reply", reply);
		cmd_print_json(ctx, j);
	} else {
		cmd_put_lines(ctx->out, reply, 0);
		fputc('\n', ctx->out);
	}
	free(reply);
	return 0;
}

const struct cmd cmd_routine_verbs[] = {
	{ "add",
	  "REQUEST... --every CRON|PHRASE [--at WHEN] [--assistant NAME] [--channel LIST]"
	  " [--user NAME] [--tz ZONE]",
	  "schedule a request to the assistant and print its id", CMD_NEEDS_DB, routine_cmd_add,
	  NULL },
	{ "list", "[--all] [--json]", "routines by next run", CMD_NEEDS_DB, routine_cmd_list,
	  NULL },
	{ "show", "ID [--json]", "a routine and its last runs with the replies", CMD_NEEDS_DB,
	  routine_cmd_show, NULL },
	{ "edit",
	  "ID [REQUEST...] [--every CRON|PHRASE] [--at WHEN] [--assistant NAME]"
	  " [--channel LIST] [--tz ZONE]",
	  "change a routine (--assistant '' and --channel '' go back to the defaults)",
	  CMD_NEEDS_DB, routine_cmd_edit, NULL },
	{ "rm", "ID", "remove a routine and its history", CMD_NEEDS_DB, routine_cmd_rm, NULL },
	{ "run", "ID [--json]", "run a routine now: print the reply and send it to its channels",
	  CMD_NEEDS_DB, routine_cmd_run, NULL },
	{ NULL, NULL, NULL, 0, NULL, NULL },
};
