/*
 * tool-impl.h - what the tool files (src/tool-<domain>.c) share: their
 * definitions for the registry and the helpers that read arguments.
 * Fronts and backends use tool.h only.
 */
#ifndef NESTOR_TOOL_IMPL_H
#define NESTOR_TOOL_IMPL_H

#include <stdbool.h>

#include "tool.h"
#include "when.h"

extern const struct tool tool_calendar_agenda, tool_calendar_add, tool_calendar_edit,
	tool_calendar_delete, tool_calendar_search;
extern const struct tool tool_reminder_add, tool_reminder_list, tool_reminder_cancel,
	tool_reminder_snooze;
extern const struct tool tool_task_add, tool_task_list, tool_task_done, tool_task_delete;
extern const struct tool tool_time_now, tool_time_convert;
extern const struct tool tool_weather_forecast;
extern const struct tool tool_ask_assistant;
extern const struct tool tool_day_brief, tool_task_recap;
extern const struct tool tool_routine_add, tool_routine_list;

/* t as an approval's question shows it, "Tue 2026-06-02 10:00" (the
 * date alone when date_only), in the user's zone (ctx->zone, else the
 * local one); buf of 32 bytes at least. */
void tool_time_words(const struct tool_ctx *ctx, time_t t, bool date_only, char *buf, size_t len);

/* A string argument, or NULL when absent, null or empty. */
const char *tool_arg_str(const cJSON *args, const char *name);
/* An integer argument (a number or a numeric string); def when absent. */
long long tool_arg_int(const cJSON *args, const char *name, long long def);
bool tool_arg_bool(const cJSON *args, const char *name, bool def);
/* A WHEN argument through when_parse(); 1 when present, 0 when absent, -1
 * with e naming the argument when it does not parse. */
int tool_arg_when(const struct tool_ctx *ctx, const cJSON *args, const char *name, struct when *w,
		  struct err *e);
/* A duration argument through when_parse_duration(); 1, 0 or -1 as above. */
int tool_arg_duration(const cJSON *args, const char *name, long *secs, struct err *e);

/* An array-of-strings argument as "a,b,c" (caller frees), NULL when absent
 * or empty; -1 with e naming the argument when an item is not a string or
 * holds a comma. */
int tool_arg_list(const cJSON *args, const char *name, char **list, struct err *e);

/* A new result object {"id": id}, for the caller to add fields to. */
cJSON *tool_result_id(long long id);

#endif
