#include "jsoncut.h"

#include "xalloc.h"

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

/* The bytes each item of array a prints to; the sum of them. */
static size_t item_sizes(const cJSON *a, size_t **sizes, size_t *n)
{
	size_t total = 0, i = 0;
	const cJSON *c;

	*n = (size_t)cJSON_GetArraySize(a);
	*sizes = xcalloc(*n ? *n : 1, sizeof(**sizes));
	cJSON_ArrayForEach(c, a) {
		char *t = cJSON_PrintUnformatted(c);

		(*sizes)[i] = t ? strlen(t) : 0;
		total += (*sizes)[i++];
		free(t);
	}
	return total;
}

/* A list member of the value cut: its items' sizes, how many there are,
 * how many are kept and the bytes those print to. */
struct cut {
	const cJSON *arr;
	size_t *sizes, count, k, kept;
};

/* The name of the note: "truncated", else the first of "_truncated",
 * "__truncated", ... that v has no member of (a member of that name is
 * kept as it is).  NULL when none is free. */
static char *note_name(const cJSON *v)
{
	char name[64] = "truncated";

	for (size_t i = 0; i < sizeof(name) - sizeof("truncated"); i++) {
		if (!cJSON_GetObjectItemCaseSensitive(v, name))
			return xstrdup(name);
		memmove(name + 1, name, strlen(name) + 1);
		name[0] = '_';
	}
	return NULL;
}

/* "12 of 650 open shown, 30 of 650 done shown: the result is n bytes,
 * more than max", naming each list cut (each list when all is true). */
static char *note_of(const struct cut *cuts, size_t ncuts, bool all, size_t n, size_t max)
{
	char *note = xstrdup(""), *t;

	for (size_t i = 0; i < ncuts; i++) {
		if (!all && cuts[i].k == cuts[i].count)
			continue;
		t = xasprintf("%s%s%zu of %zu %s shown", note, *note ? ", " : "",
			      all ? cuts[i].count : cuts[i].k, cuts[i].count, cuts[i].arr->string);
		free(note);
		note = t;
	}
	t = xasprintf("%s: the result is %zu bytes, more than %zu", note, n, max);
	free(note);
	return t;
}

/* The bytes string s prints to as JSON. */
static size_t string_bytes(const char *s)
{
	cJSON *str = cJSON_CreateString(s);
	char *t = cJSON_PrintUnformatted(str);
	size_t n = t ? strlen(t) : 0;

	free(t);
	cJSON_Delete(str);
	return n;
}

/* v with each list of cuts kept to its first k items, and the note. */
static char *print_cut(const cJSON *v, const struct cut *cuts, size_t ncuts, const char *name,
		       const char *note)
{
	cJSON *o = cJSON_CreateObject(), *arr;
	const cJSON *c;
	char *text;

	for (c = v->child; c; c = c->next) {
		size_t j = 0, i = 0;

		while (j < ncuts && cuts[j].arr != c)
			j++;
		if (j == ncuts || cuts[j].k == cuts[j].count) {
			cJSON_AddItemToObject(o, c->string, cJSON_Duplicate(c, 1));
			continue;
		}
		arr = cJSON_AddArrayToObject(o, c->string);
		for (const cJSON *it = c->child; it && i < cuts[j].k; it = it->next, i++)
			cJSON_AddItemToArray(arr, cJSON_Duplicate(it, 1));
	}
	cJSON_AddStringToObject(o, name, note);
	text = cJSON_PrintUnformatted(o);
	cJSON_Delete(o);
	return text;
}

/* Drop the last item of the list keeping the most bytes among those with
 * more than one item left; false when every list is down to one item (a
 * list is never cut empty). */
static bool drop_one(struct cut *cuts, size_t ncuts, size_t *used)
{
	struct cut *big = NULL;

	for (size_t i = 0; i < ncuts; i++)
		if (cuts[i].k > 1 && (!big || cuts[i].kept > big->kept))
			big = &cuts[i];
	if (!big)
		return false;
	big->k--;
	big->kept -= big->sizes[big->k];
	*used -= big->sizes[big->k] + 1;
	return true;
}

char *json_print_max(const cJSON *v, size_t max, size_t *whole)
{
	char *text = cJSON_PrintUnformatted(v), *note, *name = NULL;
	struct cut *cuts = NULL;
	size_t n = text ? strlen(text) : 0, ncuts = 0, used;
	const cJSON *c;

	if (whole)
		*whole = n;
	if (!text || n <= max)
		return text;
	free(text);
	text = NULL;
	if (!cJSON_IsObject(v) || !(name = note_name(v)))
		goto out;
	for (c = v->child; c; c = c->next)
		ncuts += cJSON_IsArray(c) && c->child;
	cuts = xcalloc(ncuts ? ncuts : 1, sizeof(*cuts));
	ncuts = 0;
	used = n + 2 + string_bytes(name); /* ,"name": */
	for (c = v->child; c; c = c->next) {
		struct cut *cu = &cuts[ncuts];

		if (!cJSON_IsArray(c) || !c->child)
			continue;
		cu->arr = c;
		cu->kept = item_sizes(c, &cu->sizes, &cu->count);
		cu->k = cu->count;
		ncuts++;
	}
	/* the note as long as it can be: every list named, at full counts */
	note = note_of(cuts, ncuts, true, n, max);
	used += string_bytes(note);
	free(note);
	/* the list keeping the most loses its last item until the whole fits */
	while (used > max)
		if (!drop_one(cuts, ncuts, &used))
			goto out;
	for (;;) {
		note = note_of(cuts, ncuts, false, n, max);
		text = print_cut(v, cuts, ncuts, name, note);
		free(note);
		if (text && strlen(text) <= max)
			break;
		/* printed other than counted: one more item less */
		free(text);
		text = NULL;
		if (!drop_one(cuts, ncuts, &used))
			break;
	}
out:
	for (size_t i = 0; i < ncuts; i++)
		free(cuts[i].sizes);
	free(cuts);
	free(name);
	return text;
}
