/* nestor history list|show|search|rm: past conversations with the assistant. */
#include "cmd.h"
#include "utf8.h"
#include "tool.h"
#include "conversation.h"
#include "render.h"
#include "xalloc.h"

#include <cjson/cJSON.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#define SEARCH_LIMIT 50

static const struct option no_opts[] = { { NULL, 0, NULL, 0 } };

/* "2026-11-25 14:30" in the local zone. */
static void fmt_stamp(time_t t, char *buf, size_t len)
{
	struct tm tm;

	localtime_r(&t, &tm);
	strftime(buf, len, "%Y-%m-%d %H:%M", &tm);
}

/* text on one line, at most max bytes (cut at a character boundary). */
static void print_line(FILE *f, const char *text, size_t max)
{
	char *t = utf8_clean_str(text ? text : "", CMD_TEXT_CLEAN);
	size_t n = 0;

	for (const char *p = t; *p; p++, n++) {
		if (n >= max && ((unsigned char)*p & 0xC0) != 0x80) {
			fputs("…", f);
			break;
		}
		fputc(*p, f);
	}
	free(t);
}

/* want: 0 no argument, 1 exactly one ID, 2 one or more words. */
static int no_more_args(struct ctx *ctx, int argc, char **argv, int want)
{
	if ((want == 1 && cmd_negative_id(ctx, argc, argv, NULL) < 0) ||
	    cmd_getopt(ctx, argc, argv, "", no_opts) == '?')
		return -1;
	if (want && optind >= argc)
		return cmd_usage(ctx, want == 1 ? "missing ID" : "missing TEXT");
	if (want == 1 && argc - optind > 1)
		return cmd_usage(ctx, "unexpected argument %s", utf8_q(argv[optind + 1]));
	if (want == 0 && optind < argc)
		return cmd_usage(ctx, "unexpected argument %s", utf8_q(argv[optind]));
	return 0;
}

static int history_list(struct ctx *ctx, int argc, char **argv)
{
	struct conversation *cs;
	size_t n;

	if (no_more_args(ctx, argc, argv, 0) < 0 ||
	    conversation_list(ctx->store, CONV_ANY, 0, &cs, &n, &ctx->err) < 0)
		return -1;
	if (ctx->json) {
		cJSON *arr = cJSON_CreateArray();

		for (size_t i = 0; i < n; i++)
			cJSON_AddItemToArray(arr, json_conversation(&cs[i]));
		cmd_print_json(ctx, arr);
	} else if (n == 0) {
		fprintf(ctx->out, "no conversations\n");
	} else {
		fprintf(ctx->out, "%4s  %-16s  %-8s  %-10s  %4s  %s\n", "ID", "UPDATED", "CHANNEL",
			"ASSISTANT", "MSGS", "TITLE");
		for (size_t i = 0; i < n; i++) {
			char when[32];

			fmt_stamp(cs[i].updated_at, when, sizeof(when));
			fprintf(ctx->out, "%4lld  %-16s  %-8s  %-10s  %4ld  ", cs[i].id, when,
				conversation_channel_name(cs[i].channel),
				cs[i].assistant ? cs[i].assistant : "-", cs[i].messages);
			print_line(ctx->out, cs[i].title, 60);
			fputc('\n', ctx->out);
		}
	}
	conversation_list_free(cs, n);
	return 0;
}

/* The columns of "NAME: " on the screen (a wide character two): where a
 * message's continuation lines start, under its first. */
static int label_cols(const char *name)
{
	return utf8_width(name) + 2;
}

void cmd_put_message(FILE *f, const struct message *m, const char *assistant)
{
	if (!strcmp(m->role, "user")) {
		fputs("you: ", f);
		cmd_put_lines(f, m->content, 5);
		fputc('\n', f);
	} else if (!strcmp(m->role, "tool")) {
		fputs("  <- ", f);
		cmd_put_lines(f, m->content, 5);
		fputc('\n', f);
	} else if (m->tool_calls) {
		cJSON *calls = cJSON_Parse(m->tool_calls), *c;

		cJSON_ArrayForEach(c, calls) {
			const cJSON *fn = cJSON_GetObjectItemCaseSensitive(c, "function");
			const cJSON *name = cJSON_GetObjectItemCaseSensitive(fn, "name");
			const cJSON *args = cJSON_GetObjectItemCaseSensitive(fn, "arguments");

			char *line =
				tool_call_text(cJSON_IsString(name) ? name->valuestring : "?",
					       cJSON_IsString(args) ? args->valuestring : "{}");

			fprintf(f, "  -> %s\n", line);
			free(line);
		}
		cJSON_Delete(calls);
		if (m->content && *m->content) {
			fprintf(f, "%s: ", assistant);
			cmd_put_lines(f, m->content, label_cols(assistant));
			fputc('\n', f);
		}
	} else {
		fprintf(f, "%s: ", assistant);
		cmd_put_lines(f, m->content, label_cols(assistant));
		fprintf(f, "%s\n", m->state == MESSAGE_INTERRUPTED ? " [interrupted]" : "");
	}
}

static int history_show(struct ctx *ctx, int argc, char **argv)
{
	struct conversation c;
	struct message *ms;
	long long id;
	size_t n;

	if (no_more_args(ctx, argc, argv, 1) < 0 || cmd_parse_id(ctx, argv[optind], &id) < 0 ||
	    conversation_get(ctx->store, id, &c, &ctx->err) < 0)
		return -1;
	if (conversation_messages(ctx->store, id, &ms, &n, &ctx->err) < 0) {
		conversation_release(&c);
		return -1;
	}
	if (ctx->json) {
		cJSON *o = cJSON_CreateObject(), *arr;

		cJSON_AddItemToObject(o, "conversation", json_conversation(&c));
		arr = cJSON_AddArrayToObject(o, "messages");

		for (size_t i = 0; i < n; i++)
			cJSON_AddItemToArray(arr, json_message(&ms[i]));
		cmd_print_json(ctx, o);
	} else {
		char when[32];

		fmt_stamp(c.created_at, when, sizeof(when));
		fprintf(ctx->out, "conversation %lld (%s, %s, %s)\n", c.id,
			conversation_channel_name(c.channel), c.assistant ? c.assistant : "-",
			when);
		for (size_t i = 0; i < n; i++)
			cmd_put_message(ctx->out, &ms[i], c.assistant ? c.assistant : "assistant");
		if (c.usage.answers)
			fprintf(ctx->out, "tokens: %lld prompt + %lld completion (%ld answer%s)\n",
				c.usage.prompt, c.usage.completion, c.usage.answers,
				c.usage.answers == 1 ? "" : "s");
	}
	message_list_free(ms, n);
	conversation_release(&c);
	return 0;
}

static int history_search(struct ctx *ctx, int argc, char **argv)
{
	struct message *ms;
	size_t n;
	char *text;
	int rc;

	if (no_more_args(ctx, argc, argv, 2) < 0)
		return -1;
	text = cmd_join_args(argc, argv, optind);
	rc = conversation_search(ctx->store, text, SEARCH_LIMIT, &ms, &n, &ctx->err);
	free(text);
	if (rc < 0)
		return -1;
	if (ctx->json) {
		cJSON *arr = cJSON_CreateArray();

		for (size_t i = 0; i < n; i++)
			cJSON_AddItemToArray(arr, json_message(&ms[i]));
		cmd_print_json(ctx, arr);
	} else if (n == 0) {
		fprintf(ctx->out, "no messages match\n");
	} else {
		for (size_t i = 0; i < n; i++) {
			char when[32];

			fmt_stamp(ms[i].created_at, when, sizeof(when));
			fprintf(ctx->out, "%4lld  %s  %-9s  ", ms[i].conversation_id, when,
				ms[i].role);
			print_line(ctx->out, ms[i].content, 70);
			fputc('\n', ctx->out);
		}
	}
	message_list_free(ms, n);
	return 0;
}

static int history_rm(struct ctx *ctx, int argc, char **argv)
{
	long long id;

	if (no_more_args(ctx, argc, argv, 1) < 0 || cmd_parse_id(ctx, argv[optind], &id) < 0 ||
	    conversation_rm(ctx->store, id, &ctx->err) < 0)
		return -1;
	cmd_changed_id(ctx, id, "conversation %lld removed", id);
	return 0;
}

const struct cmd cmd_history_verbs[] = {
	{ "list", "[--json]", "conversations, most recent first", CMD_NEEDS_DB, history_list,
	  NULL },
	{ "show", "ID [--json]", "every message of a conversation, tool calls included",
	  CMD_NEEDS_DB, history_show, NULL },
	{ "search", "TEXT... [--json]", "messages containing all the words (full-text)",
	  CMD_NEEDS_DB, history_search, NULL },
	{ "rm", "ID", "delete a conversation", CMD_NEEDS_DB, history_rm, NULL },
	{ NULL, NULL, NULL, 0, NULL, NULL },
};
