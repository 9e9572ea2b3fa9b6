/* nestor import FILE.ics | -, nestor export */
#include "cmd.h"
#include "utf8.h"
#include "ical.h"
#include "paths.h"
#include "xalloc.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

enum { OPT_CALENDAR = 256, OPT_FROM, OPT_TO };

/* Where the counter goes, and whether it has drawn a line to end. */
struct progress_out {
	FILE *f;
	bool drawn;
};

/* A counter on the error stream, redrawn in place; only called when it is a tty. */
static void progress(const struct ical_progress *p, void *arg)
{
	struct progress_out *po = arg;

	if (p->total)
		fprintf(po->f, "\rimporting: %zu events, %zu%%", p->events,
			(size_t)((double)p->bytes * 100 / (double)p->total));
	else
		fprintf(po->f, "\rimporting: %zu events", p->events);
	po->drawn = true;
	fflush(po->f);
}

int cmd_import(struct ctx *ctx, int argc, char **argv)
{
	static const struct option opts[] = { { "calendar", required_argument, NULL, OPT_CALENDAR },
					      { NULL, 0, NULL, 0 } };
	const char *cal = NULL, *path;
	struct ical_report rep;
	struct stat sb;
	struct progress_out po = { cmd_tty_raw(ctx->errout), false };
	FILE *f;
	int c, rc;

	while ((c = cmd_getopt(ctx, argc, argv, "", opts)) != -1) {
		if (c != OPT_CALENDAR)
			return -1;
		cal = optarg;
	}
	if (optind >= argc)
		return cmd_usage(ctx, "missing FILE (or - for standard input)");
	if (optind + 1 < argc)
		return cmd_usage(ctx, "unexpected argument %s", utf8_q(argv[optind + 1]));
	path = argv[optind];
	if (!strcmp(path, "-") && cmd_stdin_free(ctx) < 0)
		return -1;
	f = strcmp(path, "-") ? fopen(path, "rb") : stdin;
	if (!f)
		return err_set(&ctx->err, ERR_FAIL, "cannot open '%s': %s", path, strerror(errno));
	rc = ical_import_file(ctx->store, f,
			      fstat(fileno(f), &sb) == 0 && S_ISREG(sb.st_mode) ? (size_t)sb.st_size
										: 0,
			      cal, ctx->now, po.f ? progress : NULL, &po, &rep, &ctx->err);
	if (f != stdin)
		fclose(f);
	if (po.drawn)
		fputc('\n', po.f);
	if (rc < 0) {
		err_prefix(&ctx->err, "%s", path);
		return -1;
	}
	if (ctx->json) {
		cJSON *o = cJSON_CreateObject();

		cJSON_AddNumberToObject(o, "added", (double)rep.added);
		cJSON_AddNumberToObject(o, "updated", (double)rep.updated);
		cJSON_AddNumberToObject(o, "tasks_added", (double)rep.tasks_added);
		cJSON_AddNumberToObject(o, "tasks_updated", (double)rep.tasks_updated);
		cJSON_AddNumberToObject(o, "skipped", (double)rep.skipped);
		if (rep.skipped_what)
			cJSON_AddStringToObject(o, "skipped_what", rep.skipped_what);
		else
			cJSON_AddNullToObject(o, "skipped_what");
		cJSON_AddNumberToObject(o, "alarms_set", (double)rep.alarms.set);
		cJSON_AddNumberToObject(o, "alarms_past", (double)rep.alarms.past);
		cJSON_AddNumberToObject(o, "alarms_unsupported", (double)rep.alarms.unsupported);
		cmd_print_json(ctx, o);
	} else {
		fprintf(ctx->out, "%zu added, %zu updated", rep.added, rep.updated);
		if (rep.tasks_added || rep.tasks_updated)
			fprintf(ctx->out, "; %zu task%s added, %zu updated", rep.tasks_added,
				rep.tasks_added == 1 ? "" : "s", rep.tasks_updated);
		if (rep.alarms.set || rep.alarms.past || rep.alarms.unsupported)
			fprintf(ctx->out, "; %zu alarm%s set", rep.alarms.set,
				rep.alarms.set == 1 ? "" : "s");
		if (rep.alarms.past)
			fprintf(ctx->out, ", %zu in the past skipped", rep.alarms.past);
		if (rep.alarms.unsupported)
			fprintf(ctx->out, ", %zu of series in an unknown zone skipped",
				rep.alarms.unsupported);
		fputc('\n', ctx->out);
	}
	if (rep.skipped_what)
		fprintf(ctx->errout, "nestor: import: skipped %s\n", rep.skipped_what);
	ical_report_release(&rep);
	return 0;
}

int cmd_export(struct ctx *ctx, int argc, char **argv)
{
	static const struct option opts[] = { { "calendar", required_argument, NULL, OPT_CALENDAR },
					      { "from", required_argument, NULL, OPT_FROM },
					      { "to", required_argument, NULL, OPT_TO },
					      { "output", required_argument, NULL, 'o' },
					      { NULL, 0, NULL, 0 } };
	const char *cal = NULL, *from_s = NULL, *to_s = NULL, *out = NULL;
	time_t from, to;
	char *text;
	int c, rc = 0;

	while ((c = cmd_getopt(ctx, argc, argv, "o:", opts)) != -1) {
		switch (c) {
		case OPT_CALENDAR: cal = optarg; break;
		case OPT_FROM: from_s = optarg; break;
		case OPT_TO: to_s = optarg; break;
		case 'o': out = optarg; break;
		default: return -1;
		}
	}
	if (optind < argc)
		return cmd_usage(ctx, "unexpected argument %s", utf8_q(argv[optind]));
	/* without --to the window is open-ended, without --from too */
	if ((from_s || to_s) &&
	    cmd_window(ctx, from_s ? from_s : "1970-01-02", to_s, &from, &to) < 0)
		return -1;
	if (ical_export(ctx->store, from_s ? &from : NULL, to_s ? &to : NULL, cal, &text,
			&ctx->err) < 0)
		return -1;
	if (out && strcmp(out, "-"))
		rc = paths_replace(out, text, strlen(text), PATHS_MODE_KEEP, &ctx->err);
	else
		cmd_out_put(ctx->out, text, strlen(text));
	free(text);
	return rc;
}
