#include "llm-context.h"
#include "xalloc.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#define PER_MESSAGE 4

static int text_tokens(const char *s)
{
	return s ? (int)((strlen(s) + 3) / 4) : 0;
}

int llm_context_tokens(const cJSON *msg)
{
	const cJSON *content = cJSON_GetObjectItemCaseSensitive(msg, "content");
	const cJSON *calls = cJSON_GetObjectItemCaseSensitive(msg, "tool_calls");
	int n = PER_MESSAGE;

	if (cJSON_IsString(content))
		n += text_tokens(content->valuestring);
	if (cJSON_IsArray(calls)) {
		char *text = cJSON_PrintUnformatted(calls);

		n += text_tokens(text);
		free(text);
	}
	return n;
}

static const char *role_of(const cJSON *msg)
{
	const cJSON *r = cJSON_GetObjectItemCaseSensitive(msg, "role");

	return cJSON_IsString(r) ? r->valuestring : "";
}

static bool has_calls(const cJSON *msg)
{
	return cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(msg, "tool_calls")) > 0;
}

/* Whether every call of the assistant message at items[0] is answered by
 * one of the tool messages items[1..n). */
static bool calls_answered(cJSON **items, int n)
{
	const cJSON *call;

	call = cJSON_GetObjectItemCaseSensitive(items[0], "tool_calls")->child;
	for (; call; call = call->next) {
		const cJSON *id = cJSON_GetObjectItemCaseSensitive(call, "id");
		bool found = false;

		for (int i = 1; i < n && !found; i++) {
			const cJSON *tid =
				cJSON_GetObjectItemCaseSensitive(items[i], "tool_call_id");

			found = cJSON_IsString(id) && cJSON_IsString(tid) &&
				!strcmp(id->valuestring, tid->valuestring);
		}
		if (!found)
			return false;
	}
	return true;
}

cJSON *llm_context_fit(const char *system, const cJSON *history, const cJSON *tools, int budget,
		       size_t *dropped)
{
	int n = cJSON_GetArraySize(history), i = 0, nunits = 0, used = 0, first = n;
	cJSON **items = xcalloc((size_t)n + 1, sizeof(cJSON *));
	int *start = xcalloc((size_t)n + 1, sizeof(*start));
	int *len = xcalloc((size_t)n + 1, sizeof(*len));
	bool *ok = xcalloc((size_t)n + 1, sizeof(*ok));
	bool *take = xcalloc((size_t)n + 1, sizeof(*take));
	cJSON *out = cJSON_CreateArray(), *it;

	for (it = history ? history->child : NULL; it && i < n; it = it->next)
		items[i++] = it;
	/* Cut the history into units: a call with its results, or one message. */
	for (i = 0; i < n;) {
		int j = i + 1;

		if (!strcmp(role_of(items[i]), "assistant") && has_calls(items[i])) {
			while (j < n && !strcmp(role_of(items[j]), "tool"))
				j++;
			ok[nunits] = calls_answered(items + i, j - i);
		} else {
			/* A tool result without its call is never sent. */
			ok[nunits] = strcmp(role_of(items[i]), "tool") != 0;
		}
		start[nunits] = i;
		len[nunits++] = j - i;
		i = j;
	}
	if (system && *system) {
		cJSON *m = cJSON_CreateObject();

		cJSON_AddStringToObject(m, "role", "system");
		cJSON_AddStringToObject(m, "content", system);
		used += llm_context_tokens(m);
		cJSON_AddItemToArray(out, m);
	}
	if (tools) {
		char *text = cJSON_PrintUnformatted(tools);

		used += text_tokens(text);
		free(text);
	}
	/* From the newest unit back, while they fit; the newest always goes. */
	for (int u = nunits - 1; u >= 0; u--) {
		int cost = 0;

		if (!ok[u])
			continue;
		for (int k = 0; k < len[u]; k++)
			cost += llm_context_tokens(items[start[u] + k]);
		if (used + cost > budget && first != n)
			break;
		used += cost;
		take[u] = true;
		first = start[u];
	}
	for (int u = 0; u < nunits; u++)
		for (int k = 0; take[u] && k < len[u]; k++)
			cJSON_AddItemToArray(out, cJSON_Duplicate(items[start[u] + k], 1));
	*dropped = (size_t)first;
	free(items);
	free(start);
	free(len);
	free(ok);
	free(take);
	return out;
}
