#include "jsoncut.h"

#include "xalloc.h"

#include <cjson/cJSON.h>
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

/* v with its member cut kept to its first k items and the note. */
static char *print_cut(const cJSON *v, const cJSON *cut, size_t k, const char *note)
{
	cJSON *o = cJSON_CreateObject(), *arr;
	const cJSON *c;
	size_t i = 0;
	char *text;

	for (c = v->child; c; c = c->next) {
		if (c->string && !strcmp(c->string, "truncated"))
			continue;
		if (c != cut) {
			cJSON_AddItemToObject(o, c->string, cJSON_Duplicate(c, 1));
			continue;
		}
		arr = cJSON_AddArrayToObject(o, c->string);
		for (const cJSON *it = c->child; it && i < k; it = it->next, i++)
			cJSON_AddItemToArray(arr, cJSON_Duplicate(it, 1));
	}
	cJSON_AddStringToObject(o, "truncated", note);
	text = cJSON_PrintUnformatted(o);
	cJSON_Delete(o);
	return text;
}

static char *note_of(size_t k, size_t count, const char *name, size_t n, size_t max)
{
	return xasprintf("%zu of %zu %s shown: the result is %zu bytes, more than %zu", k, count,
			 name, n, max);
}

char *json_print_max(const cJSON *v, size_t max, size_t *whole)
{
	char *text = cJSON_PrintUnformatted(v), *note;
	const cJSON *c, *cut = NULL;
	size_t n = text ? strlen(text) : 0, *sizes = NULL, count = 0, items = 0, k, used;

	if (whole)
		*whole = n;
	if (!text || n <= max)
		return text;
	free(text);
	if (!cJSON_IsObject(v))
		return NULL;
	/* the array printing the most bytes is the one cut */
	for (c = v->child; c; c = c->next) {
		size_t *s, m, sum;

		if (!cJSON_IsArray(c))
			continue;
		sum = item_sizes(c, &s, &m);
		if (!cut || sum > items) {
			free(sizes);
			sizes = s;
			count = m;
			items = sum;
			cut = c;
		} else {
			free(s);
		}
	}
	if (!cut)
		return NULL;
	/* everything but the items and their commas, then whole items while
	 * they fit (the note as long as it can be) */
	note = note_of(count, count, cut->string, n, max);
	used = n - items - (count ? count - 1 : 0) + strlen(",\"truncated\":\"\"") + strlen(note);
	free(note);
	for (k = 0; k < count && used + sizes[k] + (k ? 1 : 0) <= max; k++)
		used += sizes[k] + (k ? 1 : 0);
	for (;;) {
		size_t got, over;

		note = note_of(k, count, cut->string, n, max);
		text = print_cut(v, cut, k, note);
		free(note);
		got = text ? strlen(text) : max + 1;
		if (got <= max || !k) {
			free(sizes);
			if (got <= max)
				return text;
			free(text);
			return NULL;
		}
		free(text);
		/* a name or a member dropped printed other than counted:
		 * drop the last items worth the excess */
		for (over = got - max; k && over;) {
			size_t d = sizes[--k] + 1;

			over = d >= over ? 0 : over - d;
		}
	}
}
