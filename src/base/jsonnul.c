#include "jsonnul.h"

#include "xalloc.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The containers followed; deeper ones count but are not named. */
#define DEPTH 32
/* The bytes of a member name a path or key keeps. */
#define NAME_MAX_BYTES 40

struct level {
	char type; /* '{' or '[' */
	bool want_key;
	long index;	 /* '[': the element's */
	const char *key; /* '{': the last member name (klen bytes), or NULL */
	size_t klen;
};

struct scan {
	struct level lv[DEPTH];
	size_t depth; /* may be over DEPTH */
	bool decode;  /* member names reported as read, not as written */
};

/* Append a member name (cut at NAME_MAX_BYTES), an "[index]" (name NULL)
 * or "..." (index < 0) to the path buf of cap bytes. */
static void add(char *buf, size_t cap, const char *name, size_t len, long index)
{
	size_t n = strlen(buf);

	if (n + 1 >= cap)
		return;
	if (name)
		snprintf(buf + n, cap - n, "%s%.*s", n ? "." : "",
			 (int)(len < NAME_MAX_BYTES ? len : NAME_MAX_BYTES), name);
	else if (index >= 0)
		snprintf(buf + n, cap - n, "[%ld]", index);
	else
		snprintf(buf + n, cap - n, "...");
}

/* Append the member name written at name[0..len) (its escapes read, "i\u0064"
 * is "id") to the path buf of cap bytes. */
static void add_decoded(char *buf, size_t cap, const char *name, size_t len)
{
	char *quoted;
	cJSON *str;

	if (!memchr(name, '\\', len)) {
		add(buf, cap, name, len, 0);
		return;
	}
	quoted = xasprintf("\"%.*s\"", (int)len, name);
	str = cJSON_Parse(quoted);
	if (cJSON_IsString(str))
		add(buf, cap, str->valuestring, strlen(str->valuestring), 0);
	else
		add(buf, cap, name, len, 0);
	cJSON_Delete(str);
	free(quoted);
}

static void report(const struct scan *sc, bool raw, void (*fn)(void *, const struct json_nul *),
		   void *arg)
{
	size_t top = sc->depth < DEPTH ? sc->depth : DEPTH, from = 0;
	struct json_nul at;

	memset(&at, 0, sizeof(at));
	at.raw = raw;
	at.element = -1;
	snprintf(at.key, sizeof(at.key), "body");
	if (top && sc->lv[0].type == '[') {
		at.element = sc->lv[0].index;
		from = 1;
	}
	for (size_t d = from; d < top; d++) {
		const struct level *l = &sc->lv[d];

		if (l->type == '[')
			add(at.path, sizeof(at.path), NULL, 0, l->index);
		else if (l->key && sc->decode)
			add_decoded(at.path, sizeof(at.path), l->key, l->klen);
		else if (l->key)
			add(at.path, sizeof(at.path), l->key, l->klen, 0);
	}
	if (sc->depth > DEPTH)
		add(at.path, sizeof(at.path), NULL, 0, -1);
	for (size_t d = top; d-- > 0;)
		if (sc->lv[d].type == '{' && sc->lv[d].key) {
			snprintf(at.key, sizeof(at.key), "%.*s",
				 (int)(sc->lv[d].klen < sizeof(at.key) ? sc->lv[d].klen
								       : sizeof(at.key) - 1),
				 sc->lv[d].key);
			break;
		}
	fn(arg, &at);
}

/* The number token at s[i..n): its end, and whether it has a fraction or
 * an exponent. */
static size_t number_end(const char *s, size_t i, size_t n, bool *frac)
{
	*frac = false;
	for (; i < n && strchr("0123456789+-.eE", s[i]) && s[i]; i++)
		*frac |= s[i] == '.' || s[i] == 'e' || s[i] == 'E';
	return i;
}

/* Walk s[0..n): report each string holding a NUL (numbers false), or each
 * number written with a fraction or an exponent (numbers true). */
static void walk(const char *s, size_t n, bool numbers,
		 void (*fn)(void *arg, const struct json_nul *at), void *arg)
{
	struct scan sc;
	struct level *cur = NULL;

	memset(&sc, 0, sizeof(sc));
	sc.decode = numbers;
	for (size_t i = 0; i < n; i++) {
		size_t start;
		bool esc = false, raw = false;

		switch (s[i]) {
		case '{':
		case '[':
			if (sc.depth < DEPTH) {
				cur = &sc.lv[sc.depth];
				memset(cur, 0, sizeof(*cur));
				cur->type = s[i];
				cur->want_key = s[i] == '{';
			} else {
				cur = NULL;
			}
			sc.depth++;
			continue;
		case '}':
		case ']':
			if (sc.depth)
				sc.depth--;
			cur = sc.depth && sc.depth <= DEPTH ? &sc.lv[sc.depth - 1] : NULL;
			continue;
		case ',':
			if (cur && cur->type == '[')
				cur->index++;
			else if (cur)
				cur->want_key = true;
			continue;
		case ':':
			if (cur)
				cur->want_key = false;
			continue;
		case '"': break;
		default:
			if (numbers && (s[i] == '-' || (s[i] >= '0' && s[i] <= '9'))) {
				bool frac;

				i = number_end(s, i, n, &frac) - 1;
				if (frac)
					report(&sc, false, fn, arg);
			}
			continue;
		}
		start = ++i;
		for (; i < n && s[i] != '"'; i++) {
			if (!s[i]) {
				raw = true;
			} else if (s[i] == '\\' && i + 1 < n) {
				esc |= s[i + 1] == 'u' && i + 5 < n &&
				       !memcmp(s + i + 2, "0000", 4);
				i++;
			}
		}
		if (cur && cur->type == '{' && cur->want_key) {
			cur->key = s + start;
			cur->klen = i - start;
		}
		if (!numbers && (esc || raw))
			report(&sc, raw, fn, arg);
	}
}

void json_nul_each(const char *s, size_t n, void (*fn)(void *arg, const struct json_nul *at),
		   void *arg)
{
	walk(s, n, false, fn, arg);
}

void json_frac_each(const char *s, size_t n, void (*fn)(void *arg, const struct json_nul *at),
		    void *arg)
{
	walk(s, n, true, fn, arg);
}

bool json_bad_byte(const char *s, size_t n, size_t *at, char *why)
{
	bool in = false;
	size_t i;

	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (in && c < 0x20)
			break;
		if (in) {
			if (c == '\\')
				i++;
			else if (c == '"')
				in = false;
		} else if (c == '"') {
			in = true;
		} else if (c < 0x20 && c != ' ' && c != '\t' && c != '\n' && c != '\r') {
			break;
		}
	}
	if (i >= n)
		return false;
	if (at)
		*at = i;
	if (in)
		snprintf(why, JSON_WHY_MAX, "a control character (U+%04X) in a string, not escaped",
			 (unsigned char)s[i]);
	else
		snprintf(why, JSON_WHY_MAX, "white space is only space, tab, CR and LF");
	return true;
}

cJSON *json_parse_text(const char *s, size_t n, size_t *at)
{
	char why[JSON_WHY_MAX];
	const char *end = NULL;
	cJSON *v;

	if (at)
		*at = 0;
	if (!s)
		return NULL;
	/* the bytes of the value only: what follows it is let be, as by
	 * cJSON_ParseWithLength() */
	v = cJSON_ParseWithLengthOpts(s, n, &end, false);
	if (!v) {
		if (at && end && end >= s)
			*at = (size_t)(end - s);
		return NULL;
	}
	if (json_bad_byte(s, (size_t)(end - s), at, why)) {
		cJSON_Delete(v);
		return NULL;
	}
	return v;
}

static void keep_first(void *arg, const struct json_nul *at)
{
	struct json_nul *first = arg;

	if (!first->key[0])
		*first = *at;
}

bool json_nul_first(const char *s, size_t n, struct json_nul *at)
{
	struct json_nul first;

	memset(&first, 0, sizeof(first));
	json_nul_each(s, n, keep_first, &first);
	if (at)
		*at = first;
	return first.key[0] != '\0';
}

static int name_cmp(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* A member name of object o that another member has too, or NULL (of
 * such names, the first in byte order). */
static const char *repeated_name(const cJSON *o)
{
	const cJSON *c;
	const char **v, *found = NULL;
	size_t n = 0, i = 0;

	for (c = o->child; c; c = c->next)
		n++;
	if (n < 2)
		return NULL;
	v = xcalloc(n, sizeof(*v));
	for (c = o->child; c; c = c->next)
		v[i++] = c->string ? c->string : "";
	qsort(v, n, sizeof(*v), name_cmp);
	for (i = 1; i < n && !found; i++)
		if (!strcmp(v[i - 1], v[i]))
			found = v[i];
	free(v);
	return found;
}

bool json_dup_first(const cJSON *v, struct json_nul *at)
{
	/* the containers from v down to the one walked, and where in each */
	struct frame {
		const cJSON *node, *at;
		long index;
	} *stack = NULL;
	size_t depth = 0, cap = 0;
	const char *dup = NULL;

	if (!v || !(cJSON_IsObject(v) || cJSON_IsArray(v)))
		return false;
	stack = xcalloc(cap = 16, sizeof(*stack));
	stack[depth++] = (struct frame){ v, v->child, 0 };
	if (cJSON_IsObject(v))
		dup = repeated_name(v);
	while (depth && !dup) {
		struct frame *f = &stack[depth - 1];
		const cJSON *c = f->at;

		if (!c) {
			depth--;
			continue;
		}
		f->at = c->next;
		f->index++;
		if (!cJSON_IsObject(c) && !cJSON_IsArray(c))
			continue;
		if (depth == cap)
			stack = xrealloc(stack, (cap *= 2) * sizeof(*stack));
		stack[depth++] = (struct frame){ c, c->child, 0 };
		if (cJSON_IsObject(c))
			dup = repeated_name(c);
	}
	if (dup && at) {
		memset(at, 0, sizeof(*at));
		at->element = -1;
		/* the path: each level's member (or index) leading down, then
		 * the repeated name */
		for (size_t d = 1; d < depth && d <= DEPTH; d++) {
			const struct frame *up = &stack[d - 1];

			if (cJSON_IsArray(up->node))
				add(at->path, sizeof(at->path), NULL, 0, up->index - 1);
			else
				add(at->path, sizeof(at->path), stack[d].node->string,
				    strlen(stack[d].node->string), 0);
		}
		if (depth > DEPTH + 1)
			add(at->path, sizeof(at->path), NULL, 0, -1);
		add(at->path, sizeof(at->path), dup, strlen(dup), 0);
		snprintf(at->key, sizeof(at->key), "%s", dup);
	}
	free(stack);
	return dup != NULL;
}
