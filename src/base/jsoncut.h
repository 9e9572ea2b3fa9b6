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
 * When the printed value is over max and is an object with array members,
 * the list keeping the most bytes with more than one item left loses its
 * last item until the whole fits (so every large list is cut, small ones
 * kept whole, a list down to one item left alone), and a member
 * "truncated" names each list cut:
 *
 *	{"open":[...],"done":[...],"truncated":"120 of 410 open shown,
 *	 30 of 650 done shown: the result is 76543210 bytes, more than 1048576"}
 *
 * A member "truncated" the value has is kept as it is and the note is
 * "_truncated" (or "__truncated", ...).
 */
#ifndef NESTOR_JSONCUT_H
#define NESTOR_JSONCUT_H

#include <stddef.h>

struct cJSON;

/* v printed unformatted in at most max bytes (caller frees), cut as above
 * when it must be; *whole (unless NULL) the bytes of v uncut.  NULL when
 * it cannot be cut to fit (no array to cut, too large without its items,
 * or every list down to one item and still too large),
 * or when v cannot be printed (whole 0). */
char *json_print_max(const struct cJSON *v, size_t max, size_t *whole);

#endif
