/* The task tools: task_add, task_list, task_done, task_delete over storage/task.h. */
#include "render.h"
#include "task.h"
#include "tool-impl.h"
#include "xalloc.h"

#include <string.h>

static int run_task_add(struct tool_ctx *ctx, const cJSON *args, cJSON **result, struct err *e)
{
	struct task t;
	struct when w;
	int rc;

	memset(&t, 0, sizeof(t));
	rc = tool_arg_when(ctx, args, "due", &w, e);
	if (rc < 0)
		return -1;
	if (rc > 0)
		task_set_due_in(&t, &w, ctx->zone);
	t.title = (char *)tool_arg_str(args, "title");
	t.notes = (char *)tool_arg_str(args, "notes");
	t.priority = (int)tool_arg_int(args, "priority", 0);
	if (task_add(ctx->store, &t, ctx->now, e) < 0)
		return -1;
	*result = tool_result_id(t.id);
	cJSON_AddItemToObject(*result, "task", json_task_in(&t, ctx->zone));
	return 0;
}

static int run_task_list(struct tool_ctx *ctx, const cJSON *args, cJSON **result, struct err *e)
{
	struct task *ts;
	size_t n;
	cJSON *arr;

	if (task_list(ctx->store, tool_arg_bool(args, "all", false), &ts, &n, e) < 0)
		return -1;
	*result = cJSON_CreateObject();
	arr = cJSON_AddArrayToObject(*result, "tasks");
	for (size_t i = 0; i < n; i++)
		cJSON_AddItemToArray(arr, json_task_in(&ts[i], ctx->zone));
	task_list_free(ts, n);
	return 0;
}

static int run_task_done(struct tool_ctx *ctx, const cJSON *args, cJSON **result, struct err *e)
{
	long long id = tool_arg_int(args, "id", 0);
	struct task t;

	if (task_done(ctx->store, id, ctx->now, e) < 0 || task_get(ctx->store, id, &t, e) < 0)
		return -1;
	*result = tool_result_id(id);
	cJSON_AddItemToObject(*result, "task", json_task_in(&t, ctx->zone));
	task_release(&t);
	return 0;
}

static int run_task_delete(struct tool_ctx *ctx, const cJSON *args, cJSON **result, struct err *e)
{
	long long id = tool_arg_int(args, "id", 0);
	struct task t;

	if (task_get(ctx->store, id, &t, e) < 0)
		return -1;
	if (task_rm(ctx->store, id, e) < 0) {
		task_release(&t);
		return -1;
	}
	*result = tool_result_id(id);
	cJSON_AddItemToObject(*result, "task", json_task_in(&t, ctx->zone));
	task_release(&t);
	return 0;
}

const struct tool tool_task_add = {
	"task_add",
	"Add a task to the to-do list and return it with its id.",
	"{\"type\":\"object\",\"properties\":{"
	"\"title\":{\"type\":\"string\",\"description\":\"what to do\"},"
	"\"due\":{\"type\":\"string\",\"description\":\"when it is due: ISO 8601"
	" (2026-12-01T17:00:00+01:00, or a date 2026-12-01 for the end of that day)"
	" or a phrase like 'friday 17:00'\"},"
	"\"priority\":{\"type\":\"integer\",\"minimum\":0,\"maximum\":9,"
	"\"description\":\"0 (default) to 9 (most urgent)\"},"
	"\"notes\":{\"type\":\"string\",\"description\":\"details\"}},"
	"\"required\":[\"title\"],\"additionalProperties\":false}",
	run_task_add,
	false,
	NULL,
};

const struct tool tool_task_list = {
	"task_list",
	"List open tasks by due date then priority (all: include done and cancelled ones).",
	"{\"type\":\"object\",\"properties\":{"
	"\"all\":{\"type\":\"boolean\",\"description\":\"include finished tasks\"}},"
	"\"additionalProperties\":false}",
	run_task_list,
	false,
	NULL,
};

const struct tool tool_task_done = {
	"task_done",
	"Mark a task done by its id (task_list gives the ids).",
	"{\"type\":\"object\",\"properties\":{"
	"\"id\":{\"type\":\"integer\",\"minimum\":1,\"description\":\"the task's id\"}},"
	"\"required\":[\"id\"],\"additionalProperties\":false}",
	run_task_done,
	false,
	NULL,
};

static char *approve_delete(struct tool_ctx *ctx, const cJSON *args)
{
	long long id = tool_arg_int(args, "id", 0);
	struct err e = { 0, "" };
	struct task tk;
	char *s;

	if (task_get(ctx->store, id, &tk, &e) < 0)
		return tool_approval_item("delete task", "task", id, NULL, NULL, &e);
	s = tool_approval_item("delete task", "task", id, tk.title, NULL, NULL);
	task_release(&tk);
	return s;
}

const struct tool tool_task_delete = {
	"task_delete",
	"Delete a task by its id (task_list gives the ids); task_done is for finished ones.",
	"{\"type\":\"object\",\"properties\":{"
	"\"id\":{\"type\":\"integer\",\"minimum\":1,\"description\":\"the task's id\"}},"
	"\"required\":[\"id\"],\"additionalProperties\":false}",
	run_task_delete,
	false,
	approve_delete,
};
