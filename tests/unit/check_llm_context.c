/* What goes into a request: the token budget, tool calls kept with results. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "llm-context.h"
#include "sbuf.h"
#include "xalloc.h"

/* A message; text of n x's when n > 0. */
static cJSON *msg(const char *role, int n, const char *calls, const char *call_id)
{
	cJSON *m = cJSON_CreateObject();
	char *text = xmalloc((size_t)n + 1);

	memset(text, 'x', (size_t)n);
	text[n] = '\0';
	cJSON_AddStringToObject(m, "role", role);
	if (calls)
		cJSON_AddItemToObject(m, "tool_calls", cJSON_Parse(calls));
	if (n || !calls)
		cJSON_AddStringToObject(m, "content", text);
	else
		cJSON_AddNullToObject(m, "content");
	if (call_id)
		cJSON_AddStringToObject(m, "tool_call_id", call_id);
	free(text);
	return m;
}

#define CALLS(a, b)                                                                                \
	"[{\"id\":\"" a "\",\"type\":\"function\",\"function\":{\"name\":\"task_list\","           \
	"\"arguments\":\"{}\"}},{\"id\":\"" b "\",\"type\":\"function\",\"function\":"             \
	"{\"name\":\"time_now\",\"arguments\":\"{}\"}}]"

/* "u a* t t a u ..." : roles of the result, * marking tool_calls. */
static char *shape(const cJSON *msgs)
{
	struct sbuf sb = SBUF_INIT;
	const cJSON *m;

	for (m = msgs->child; m; m = m->next) {
		const char *role = cJSON_GetObjectItem(m, "role")->valuestring;

		if (sb.len)
			sbuf_add(&sb, " ", 1);
		sbuf_add(&sb, role, 1);
		if (cJSON_GetObjectItem(m, "tool_calls"))
			sbuf_add(&sb, "*", 1);
	}
	return sbuf_detach(&sb);
}

static cJSON *history(void)
{
	cJSON *h = cJSON_CreateArray();

	cJSON_AddItemToArray(h, msg("user", 400, NULL, NULL));		       /* 0: 104 */
	cJSON_AddItemToArray(h, msg("assistant", 0, CALLS("c1", "c2"), NULL)); /* 1 */
	cJSON_AddItemToArray(h, msg("tool", 396, NULL, "c1"));		       /* 2: 103 */
	cJSON_AddItemToArray(h, msg("tool", 396, NULL, "c2"));		       /* 3: 103 */
	cJSON_AddItemToArray(h, msg("assistant", 96, NULL, NULL));	       /* 4: 28 */
	cJSON_AddItemToArray(h, msg("user", 96, NULL, NULL));		       /* 5: 28 */
	return h;
}

static char *fit(const cJSON *h, const char *system, int budget, size_t *dropped)
{
	cJSON *out = llm_context_fit(system, h, NULL, budget, dropped);
	char *s = shape(out);

	cJSON_Delete(out);
	return s;
}

START_TEST(test_budget_keeps_pairs)
{
	cJSON *h = history();
	int call_cost = llm_context_tokens(cJSON_GetArrayItem(h, 1));
	int tail = 28 + 28, pair = call_cost + 103 + 103;
	size_t dropped;
	char *s;

	ck_assert_int_eq(llm_context_tokens(cJSON_GetArrayItem(h, 0)), 104);
	/* Everything fits. */
	s = fit(h, NULL, 10000, &dropped);
	ck_assert_str_eq(s, "u a* t t a u");
	ck_assert_uint_eq(dropped, 0);
	free(s);
	/* Room for the two results and more, but not for the call too: the
	 * whole unit goes, never a result without its call. */
	s = fit(h, NULL, tail + pair - 1, &dropped);
	ck_assert_str_eq(s, "a u");
	ck_assert_uint_eq(dropped, 4);
	free(s);
	/* Room for the pair but not the first question. */
	s = fit(h, NULL, tail + pair + 50, &dropped);
	ck_assert_str_eq(s, "a* t t a u");
	ck_assert_uint_eq(dropped, 1);
	free(s);
	/* The system prompt always goes and counts against the budget. */
	s = fit(h, "You are nestor.", tail + pair + 5, &dropped);
	ck_assert_str_eq(s, "s a u");
	free(s);
	/* The question always goes, even over budget. */
	s = fit(h, "You are nestor.", 1, &dropped);
	ck_assert_str_eq(s, "s u");
	ck_assert_uint_eq(dropped, 5);
	free(s);
	cJSON_Delete(h);
}
END_TEST

START_TEST(test_broken_units_left_out)
{
	cJSON *h = cJSON_CreateArray();
	size_t dropped;
	char *s;

	cJSON_AddItemToArray(h, msg("tool", 10, NULL, "orphan"));
	cJSON_AddItemToArray(h, msg("user", 10, NULL, NULL));
	/* An interrupted turn: c2 never got its result. */
	cJSON_AddItemToArray(h, msg("assistant", 0, CALLS("c1", "c2"), NULL));
	cJSON_AddItemToArray(h, msg("tool", 10, NULL, "c1"));
	cJSON_AddItemToArray(h, msg("user", 10, NULL, NULL));
	s = fit(h, NULL, 10000, &dropped);
	ck_assert_str_eq(s, "u u");
	ck_assert_uint_eq(dropped, 1);
	free(s);
	cJSON_Delete(h);
}
END_TEST

START_TEST(test_tools_count)
{
	cJSON *h = history();
	cJSON *tools = cJSON_CreateArray(), *out;
	char big[2001];
	size_t dropped;

	memset(big, 'd', 2000);
	big[2000] = '\0';
	cJSON_AddItemToArray(tools, cJSON_CreateString(big)); /* ~500 tokens */
	out = llm_context_fit(NULL, h, tools, 600, &dropped);
	ck_assert_int_eq(cJSON_GetArraySize(out), 2);
	cJSON_Delete(out);
	cJSON_Delete(tools);
	cJSON_Delete(h);
}
END_TEST

Suite *llm_context_suite(void)
{
	Suite *s = suite_create("llm_context");
	TCase *tc = tcase_create("fit");

	tcase_add_test(tc, test_budget_keeps_pairs);
	tcase_add_test(tc, test_broken_units_left_out);
	tcase_add_test(tc, test_tools_count);
	suite_add_tcase(s, tc);
	return s;
}
