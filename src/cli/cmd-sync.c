/* nestor server init, nestor sync [status|conflicts]: the server profile
 * from the command line (syncer.h does the work). */
#include "cmd.h"
#include "utf8.h"
#include "render.h"
#include "replica.h"
#include "syncer.h"
#include "xalloc.h"

#include <cjson/cJSON.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

enum { OPT_LIMIT = 256 };

static const struct option no_opts[] = { { NULL, 0, NULL, 0 } };

static int no_args(struct ctx *ctx, int argc, char **argv)
{
	if (cmd_getopt(ctx, argc, argv, "", no_opts) == '?')
		return -1;
	if (optind < argc)
		return cmd_usage(ctx, "unexpected argument %s", utf8_q(argv[optind]));
	return 0;
}

static int server_cmd_init(struct ctx *ctx, int argc, char **argv)
{
	int from, to;

	if (no_args(ctx, argc, argv) < 0 || syncer_server_init(ctx->cfg, &from, &to, &ctx->err) < 0)
		return -1;
	if (ctx->json) {
		cJSON *o = cJSON_CreateObject();

		cJSON_AddNumberToObject(o, "from", from);
		cJSON_AddNumberToObject(o, "to", to);
		cmd_print_json(ctx, o);
	} else if (from == to) {
		fprintf(ctx->out, "server schema is up to date (version %d)\n", to);
	} else {
		fprintf(ctx->out, "server schema %s version %d\n",
			from ? "migrated to" : "created at", to);
	}
	return 0;
}

static int opts_for(struct ctx *ctx, struct syncer_opts *o)
{
	return syncer_opts_init(o, ctx->cfg, ctx->store, ctx->user, &ctx->err);
}

static int sync_cmd_round(struct ctx *ctx, int argc, char **argv)
{
	struct syncer_opts o;
	struct syncer_report r;

	if (no_args(ctx, argc, argv) < 0 || opts_for(ctx, &o) < 0)
		return -1;
	if (syncer_round(ctx->store, &o, ctx->now, &r, &ctx->err) < 0) {
		syncer_report_release(&r);
		syncer_opts_release(&o);
		return -1;
	}
	if (ctx->json) {
		cJSON *j = cJSON_CreateObject();

		cJSON_AddStringToObject(j, "user", o.user);
		cJSON_AddNumberToObject(j, "snapshot", (double)r.snapshot);
		cJSON_AddNumberToObject(j, "pushed", (double)r.pushed);
		cJSON_AddNumberToObject(j, "pulled", (double)r.pulled);
		cJSON_AddNumberToObject(j, "applied", (double)r.applied);
		cJSON_AddNumberToObject(j, "skipped", (double)r.skipped);
		cJSON_AddNumberToObject(j, "rejected", (double)r.rejected);
		cJSON_AddNumberToObject(j, "conflicts", (double)r.conflicts);
		cJSON_AddNumberToObject(j, "keys_dropped", (double)r.keys_dropped);
		cJSON_AddNumberToObject(j, "pending", (double)r.pending);
		cmd_print_json(ctx, j);
	} else {
		if (r.snapshot)
			fprintf(ctx->out, "first sync: %ld rows queued for the server\n",
				r.snapshot);
		fprintf(ctx->out, "pushed %ld, pulled %ld (%ld applied", r.pushed, r.pulled,
			r.applied);
		if (r.conflicts)
			fprintf(ctx->out, ", %ld conflicts: nestor sync conflicts", r.conflicts);
		fprintf(ctx->out, ")\n");
		if (r.rejected) {
			fprintf(ctx->out, "refused %ld invalid changes, the first: ", r.rejected);
			cmd_put_safe(ctx->out, r.why ? r.why : "?");
			fputc('\n', ctx->out);
		}
		if (r.keys_dropped) {
			fputs("assistant ", ctx->out);
			cmd_put_safe(ctx->out, r.keyless ? r.keyless : "?");
			if (r.keys_dropped > 1)
				fprintf(ctx->out, " (and %ld more)", r.keys_dropped - 1);
			fputs(" was given a new address by another device: it sends no key here"
			      " until you name one (nestor assistant edit NAME --key-secret "
			      "SECRET)\n",
			      ctx->out);
		}
		if (r.pending)
			fprintf(ctx->out, "%ld changes of other users wait here\n", r.pending);
	}
	syncer_report_release(&r);
	syncer_opts_release(&o);
	return 0;
}

static void age(char *buf, size_t len, time_t now, time_t then)
{
	long d = (long)(now - then);

	if (d < 0)
		d = 0;
	if (d < 120)
		snprintf(buf, len, "%lds", d);
	else if (d < 7200)
		snprintf(buf, len, "%ldm", d / 60);
	else if (d < 172800)
		snprintf(buf, len, "%ldh", d / 3600);
	else
		snprintf(buf, len, "%ldd", d / 86400);
}

static int sync_cmd_status(struct ctx *ctx, int argc, char **argv)
{
	const char *uri = config_get(ctx->cfg, "server.postgres");
	struct replica_status *st;
	size_t n;
	long pending;
	time_t oldest;
	char buf[40], dev[40];

	if (no_args(ctx, argc, argv) < 0 ||
	    replica_pending(ctx->store, REPLICA_TARGET, &pending, &oldest, &ctx->err) < 0 ||
	    replica_device(ctx->store, dev, sizeof(dev), &ctx->err) < 0 ||
	    replica_status(ctx->store, &st, &n, &ctx->err) < 0)
		return -1;
	if (ctx->json) {
		cJSON *o = cJSON_CreateObject(), *arr;

		render_add_str(o, "server", uri && *uri ? uri : NULL);
		cJSON_AddStringToObject(o, "device", dev);
		arr = cJSON_AddArrayToObject(o, "targets");
		for (size_t i = 0; i < n || (i == 0 && n == 0 && uri && *uri); i++) {
			cJSON *t = cJSON_CreateObject();

			cJSON_AddStringToObject(t, "target", n ? st[i].target : REPLICA_TARGET);
			cJSON_AddNumberToObject(t, "pending", (double)pending);
			if (pending)
				cJSON_AddNumberToObject(
					t, "oldest_age",
					(double)(ctx->now > oldest ? ctx->now - oldest : 0));
			else
				cJSON_AddNullToObject(t, "oldest_age");
			cJSON_AddNumberToObject(t, "cursor", n ? (double)st[i].cursor : 0);
			render_add_time(t, "last_ok", n && st[i].last_ok, n ? st[i].last_ok : 0);
			render_add_str(t, "last_error", n ? st[i].last_error : NULL);
			render_add_time(t, "last_error_at", n && st[i].last_error,
					n ? st[i].last_error_at : 0);
			cJSON_AddNumberToObject(t, "pushed", n ? (double)st[i].pushed : 0);
			cJSON_AddNumberToObject(t, "pulled", n ? (double)st[i].pulled : 0);
			cJSON_AddItemToArray(arr, t);
		}
		cmd_print_json(ctx, o);
		replica_status_free(st, n);
		return 0;
	}
	fprintf(ctx->out, "server:  ");
	cmd_put_safe(ctx->out, uri && *uri ? uri : "- (server.postgres is not set: nothing syncs)");
	fprintf(ctx->out, "\ndevice:  %s\npending: %ld", dev, pending);
	if (pending) {
		age(buf, sizeof(buf), ctx->now, oldest);
		fprintf(ctx->out, " (the oldest %s old)", buf);
	}
	fputc('\n', ctx->out);
	for (size_t i = 0; i < n; i++) {
		fprintf(ctx->out, "%s: cursor %lld, pushed %ld, pulled %ld\n", st[i].target,
			st[i].cursor, st[i].pushed, st[i].pulled);
		if (st[i].last_ok) {
			age(buf, sizeof(buf), ctx->now, st[i].last_ok);
			fprintf(ctx->out, "  last success %s ago\n", buf);
		} else {
			fprintf(ctx->out, "  never succeeded\n");
		}
		if (st[i].last_error) {
			age(buf, sizeof(buf), ctx->now, st[i].last_error_at);
			fprintf(ctx->out, "  last error %s ago: ", buf);
			cmd_put_safe(ctx->out, st[i].last_error);
			fputc('\n', ctx->out);
		}
	}
	replica_status_free(st, n);
	return 0;
}

static int sync_cmd_conflicts(struct ctx *ctx, int argc, char **argv)
{
	static const struct option opts[] = { { "limit", required_argument, NULL, OPT_LIMIT },
					      { NULL, 0, NULL, 0 } };
	struct replica_conflict *cs;
	size_t n, limit = 50;
	int c;

	while ((c = cmd_getopt(ctx, argc, argv, "", opts)) != -1)
		if (c != OPT_LIMIT || cmd_parse_limit(ctx, optarg, &limit) < 0)
			return -1;
	if (optind < argc)
		return cmd_usage(ctx, "unexpected argument %s", utf8_q(argv[optind]));
	if (replica_conflicts(ctx->store, limit, &cs, &n, &ctx->err) < 0)
		return -1;
	if (ctx->json) {
		cJSON *arr = cJSON_CreateArray();

		for (size_t i = 0; i < n; i++) {
			cJSON *o = cJSON_CreateObject();
			cJSON *m = cs[i].mine ? cJSON_Parse(cs[i].mine) : NULL;
			cJSON *t = cs[i].theirs ? cJSON_Parse(cs[i].theirs) : NULL;

			render_add_time(o, "at", 1, cs[i].at);
			cJSON_AddStringToObject(o, "entity", cs[i].entity);
			if (cs[i].local_id)
				cJSON_AddNumberToObject(o, "id", (double)cs[i].local_id);
			else
				cJSON_AddNullToObject(o, "id");
			cJSON_AddStringToObject(o, "gid", cs[i].gid);
			cJSON_AddStringToObject(o, "field", cs[i].field);
			cJSON_AddItemToObject(o, "mine", m ? m : cJSON_CreateNull());
			cJSON_AddItemToObject(o, "theirs", t ? t : cJSON_CreateNull());
			render_add_str(o, "device", cs[i].device);
			cJSON_AddItemToArray(arr, o);
		}
		cmd_print_json(ctx, arr);
	} else if (!n) {
		fprintf(ctx->out, "no conflicts\n");
	}
	for (size_t i = 0; !ctx->json && i < n; i++) {
		char when[32];

		render_time(cs[i].at, when, sizeof(when));
		if (cs[i].local_id)
			fprintf(ctx->out, "%.16s  %s %lld  ", when, cs[i].entity, cs[i].local_id);
		else /* gone here: named by its gid (a Google id: google:ID) */
			fprintf(ctx->out, "%.16s  %s %s  ", when, cs[i].entity, cs[i].gid);
		if (!strcmp(cs[i].field, "(deleted)")) {
			fprintf(ctx->out, "deleted by ");
			cmd_put_safe(ctx->out, cs[i].device ? cs[i].device : "?");
			fprintf(ctx->out, "; your edits went with it\n");
			continue;
		}
		if (!strcmp(cs[i].field, "(refused)")) {
			/* an event added here that Google refuses: theirs is the error */
			cJSON *t = cs[i].theirs ? cJSON_Parse(cs[i].theirs) : NULL;
			const cJSON *m = cJSON_GetObjectItemCaseSensitive(t, "message");

			fprintf(ctx->out, "refused by Google: ");
			cmd_put_safe(ctx->out, cJSON_IsString(m) ? m->valuestring : "?");
			fprintf(ctx->out, "; it was kept here: ");
			cmd_put_safe(ctx->out, cs[i].mine ? cs[i].mine : "null");
			/* settled: Google took a later push of the event */
			if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(t, "settled")))
				fprintf(ctx->out, "; Google took a later change");
			fputc('\n', ctx->out);
			cJSON_Delete(t);
			continue;
		}
		fprintf(ctx->out, "%s: ", cs[i].field);
		cmd_put_safe(ctx->out, cs[i].theirs ? cs[i].theirs : "null");
		fprintf(ctx->out, " from ");
		cmd_put_safe(ctx->out, cs[i].device ? cs[i].device : "?");
		fprintf(ctx->out, " replaced yours, ");
		cmd_put_safe(ctx->out, cs[i].mine ? cs[i].mine : "null");
		fputc('\n', ctx->out);
	}
	replica_conflicts_free(cs, n);
	return 0;
}

const struct cmd cmd_server_verbs[] = {
	{ "init", "[--json]", "create or migrate the schema on the PostgreSQL server", 0,
	  server_cmd_init, NULL },
	{ NULL, NULL, NULL, 0, NULL, NULL },
};

const struct cmd cmd_sync_verbs[] = {
	{ "status", "[--json]",
	  "pending changes and the age of the oldest, cursor, last success and error", CMD_NEEDS_DB,
	  sync_cmd_status, NULL },
	{ "conflicts", "[--limit N] [--json]",
	  "local edits another device's later edit replaced (the 50 newest; --limit 0: all)",
	  CMD_NEEDS_DB, sync_cmd_conflicts, NULL },
	{ NULL, NULL, NULL, 0, NULL, NULL },
};

int cmd_sync(struct ctx *ctx, int argc, char **argv)
{
	return sync_cmd_round(ctx, argc, argv);
}
