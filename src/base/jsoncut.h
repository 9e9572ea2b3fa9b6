/*
 * jsoncut.h - a JSON value printed within a size, cut to whole items.
 *
 * A tool's result can be any size (410 long tasks made 73 MB); what a
 * client or a model is given is held to a limit, and a cut must leave
 * JSON that says what it is, never a text cut inside a string:
 *
 *	size_t whole;
 *	char *text = json_print_max(result, 1 << 20, &whole);
 *	if (!text)
 *		... "the result is %zu bytes, more than %d", whole, 1 << 20
 *
 * When the printed value is over max and is an object with an array
 * member, the largest such array is cut to its first items so the whole
 * fits, and a member "truncated" says so:
 *
 *	{"tasks":[...the first 120...],"truncated":"120 of 410 tasks shown:
 *	 the result is 76543210 bytes, more than 1048576"}
 */
#ifndef NESTOR_JSONCUT_H
#define NESTOR_JSONCUT_H

#include <stddef.h>

struct cJSON;

/* v printed unformatted in at most max bytes (caller frees), cut as above
 * when it must be; *whole (unless NULL) the bytes of v uncut.  NULL when
 * it cannot be cut to fit (no array to cut, or too large without its
 * items), or when v cannot be printed (whole 0). */
char *json_print_max(const struct cJSON *v, size_t max, size_t *whole);

#endif
