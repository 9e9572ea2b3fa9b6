/* nestor task add|list|done|rm|edit */
#include "cmd.h"
#include "utf8.h"
#include "confirm.h"
#include "reltime.h"
#include "render.h"
#include "task.h"
#include "when.h"
#include "xalloc.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

enum { OPT_DUE = 256, OPT_PRIORITY, OPT_NOTES, OPT_TITLE, OPT_ALL, OPT_NO_DUE };

static const struct option task_opts[] = {
	{ "due", required_argument, NULL, OPT_DUE },
	{ "priority", required_argument, NULL, OPT_PRIORITY },
	{ "notes", required_argument, NULL, OPT_NOTES },
	{ "title", required_argument, NULL, OPT_TITLE },
	{ "no-due", no_argument, NULL, OPT_NO_DUE },
	{ "all", no_argument, NULL, OPT_ALL },
	{ NULL, 0, NULL, 0 },
};

/* The options each verb takes. */
#define ADD_OPTS  (CMD_OPT(OPT_DUE) | CMD_OPT(OPT_PRIORITY) | CMD_OPT(OPT_NOTES))
#define LIST_OPTS CMD_OPT(OPT_ALL)
#define EDIT_OPTS (ADD_OPTS | CMD_OPT(OPT_TITLE) | CMD_OPT(OPT_NO_DUE))
/* Options that undo each other. */
static const int task_pairs[][2] = { { OPT_DUE, OPT_NO_DUE }, { 0, 0 } };

static int parse_priority(struct ctx *ctx, const char *s, int *out)
{
	long long v;

	if (!cmd_parse_whole(s, &v) || v < 0 || v > 9)
		return cmd_usage(ctx, "--priority must be 0-9 (got %s)", utf8_q(s));
	*out = (int)v;
	return 0;
}

/* A due date without a time means the end of that day. */
static int parse_due(struct ctx *ctx, const char *s, struct task *t)
{
	struct when w;

	if (when_parse(s, ctx->now, &w, &ctx->err) < 0) {
		err_prefix(&ctx->err, "--due");
		return -1;
	}
	task_set_due(t, &w);
	return 0;
}

/* Apply the options of a verb (allow) to t: how many there were, or -1. */
static int task_options(struct ctx *ctx, int argc, char **argv, unsigned long long allow,
			struct task *t, bool *all)
{
	unsigned long long seen = 0;
	int c, n = 0;

	while ((c = cmd_getopt_some(ctx, argc, argv, "", task_opts, allow)) != -1) {
		n++;
		if (c >= CMD_OPT_BASE)
			seen |= CMD_OPT(c);
		switch (c) {
		case OPT_DUE:
			if (parse_due(ctx, optarg, t) < 0)
				return -1;
			break;
		case OPT_NO_DUE: t->has_due = false; break;
		case OPT_PRIORITY:
			if (parse_priority(ctx, optarg, &t->priority) < 0)
				return -1;
			break;
		case OPT_NOTES:
			free(t->notes);
			t->notes = *optarg ? xstrdup(optarg) : NULL;
			break;
		case OPT_TITLE:
			free(t->title);
			t->title = xstrdup(optarg);
			break;
		case OPT_ALL: *all = true; break;
		default: return -1;
		}
	}
	return cmd_exclusive(ctx, task_opts, seen, task_pairs) < 0 ? -1 : n;
}

static int task_cmd_add(struct ctx *ctx, int argc, char **argv)
{
	struct task t;
	int rc = -1;

	memset(&t, 0, sizeof(t));
	if (task_options(ctx, argc, argv, ADD_OPTS, &t, NULL) < 0)
		goto out;
	t.title = cmd_join_args(argc, argv, optind);
	if (!t.title) {
		cmd_usage(ctx, "missing TITLE");
		goto out;
	}
	if (task_add(ctx->store, &t, ctx->now, &ctx->err) < 0)
		goto out;
	cmd_stored(ctx, t.id, ctx->tty ? confirm_task(&t, false, ctx->now) : NULL);
	rc = 0;
out:
	task_release(&t);
	return rc;
}

/* Human due column: "today 17:00", "tomorrow", "2026-12-01 09:30", "-". */
static void fmt_due(const struct task *t, time_t now, char *buf, size_t len)
{
	if (!t->has_due)
		snprintf(buf, len, "-");
	else
		reltime_format(RELTIME_LIST, NULL, t->due, t->due_date_only, now, buf, len);
}

static int task_cmd_list(struct ctx *ctx, int argc, char **argv)
{
	struct task t, *tasks;
	bool all = false;
	size_t n;

	memset(&t, 0, sizeof(t));
	if (task_options(ctx, argc, argv, LIST_OPTS, &t, &all) < 0) {
		task_release(&t);
		return -1;
	}
	task_release(&t);
	if (optind < argc)
		return cmd_usage(ctx, "unexpected argument %s", utf8_q(argv[optind]));
	if (task_list(ctx->store, all, &tasks, &n, &ctx->err) < 0)
		return -1;
	if (ctx->json) {
		cJSON *arr = cJSON_CreateArray();

		for (size_t i = 0; i < n; i++)
			cJSON_AddItemToArray(arr, json_task(&tasks[i]));
		cmd_print_json(ctx, arr);
	} else if (n == 0) {
		fprintf(ctx->out, all ? "no tasks\n" : "no open tasks\n");
	} else {
		fprintf(ctx->out, "%4s  %-3s  %-16s  %s%s\n", "ID", "PRI", "DUE",
			all ? "STATUS  " : "", "TITLE");
		for (size_t i = 0; i < n; i++) {
			char due[40];

			fmt_due(&tasks[i], ctx->now, due, sizeof(due));
			fprintf(ctx->out, "%4lld  %3d  %-16s  ", tasks[i].id, tasks[i].priority,
				due);
			if (all)
				fprintf(ctx->out, "%-6s  ", task_status_name(tasks[i].status));
			cmd_put_text(ctx->out, tasks[i].title);
			fprintf(ctx->out, "%s\n",
				task_overdue(&tasks[i], ctx->now) ? " (overdue)" : "");
		}
	}
	task_list_free(tasks, n);
	return 0;
}

static int task_cmd_done(struct ctx *ctx, int argc, char **argv)
{
	long long id = 0;

	if (cmd_one_id(ctx, argc, argv, &id) < 0 ||
	    task_done(ctx->store, id, ctx->now, &ctx->err) < 0)
		return -1;
	cmd_changed_id(ctx, id, "task %lld done", id);
	return 0;
}

static int task_cmd_rm(struct ctx *ctx, int argc, char **argv)
{
	long long id = 0;

	if (cmd_one_id(ctx, argc, argv, &id) < 0 || task_rm(ctx->store, id, &ctx->err) < 0)
		return -1;
	cmd_changed_id(ctx, id, "task %lld removed", id);
	return 0;
}

/* task edit's options on the task read (task_modify: in its transaction). */
struct edit_args {
	struct ctx *ctx;
	int argc;
	char **argv;
};

static int apply_edit(void *arg, struct task *t)
{
	struct edit_args *a = arg;
	int i = task_options(a->ctx, a->argc, a->argv, EDIT_OPTS, t, NULL);

	if (i == 0)
		return cmd_usage(a->ctx, "nothing to change (--title, --due, --no-due, --priority, "
					 "--notes)");
	if (i < 0)
		return -1;
	if (optind + 1 < a->argc)
		return cmd_usage(a->ctx, "unexpected argument %s", utf8_q(a->argv[optind + 1]));
	return 0;
}

static int task_cmd_edit(struct ctx *ctx, int argc, char **argv)
{
	struct edit_args a = { ctx, argc, argv };
	struct task t;
	long long id;
	int i;

	/* The id comes first (or anywhere): find the one positional argument. */
	for (i = 1; i < argc; i++) {
		if (argv[i][0] != '-' || cmd_parse_whole(argv[i], &id))
			break;
		if (strchr(argv[i], '=') == NULL && strcmp(argv[i], "--no-due") != 0)
			i++;
	}
	if (i >= argc)
		return cmd_usage(ctx, "missing ID");
	if (cmd_parse_id(ctx, argv[i], &id) < 0 ||
	    task_modify(ctx->store, id, apply_edit, &a, &t, &ctx->err) < 0)
		return -1;
	cmd_stored(ctx, id, ctx->tty ? confirm_task(&t, true, ctx->now) : NULL);
	task_release(&t);
	return 0;
}

const struct cmd cmd_task_verbs[] = {
	{ "add", "TITLE... [--due WHEN] [--priority 0-9] [--notes TEXT]",
	  "add a task and print its id", CMD_NEEDS_DB, task_cmd_add, NULL },
	{ "list", "[--all] [--json]", "open tasks by due date, then priority", CMD_NEEDS_DB,
	  task_cmd_list, NULL },
	{ "done", "ID", "mark a task done", CMD_NEEDS_DB, task_cmd_done, NULL },
	{ "edit", "ID [--title T] [--due WHEN|--no-due] [--priority N] [--notes T]",
	  "change a task", CMD_NEEDS_DB, task_cmd_edit, NULL },
	{ "rm", "ID", "delete a task", CMD_NEEDS_DB, task_cmd_rm, NULL },
	{ NULL, NULL, NULL, 0, NULL, NULL },
};
