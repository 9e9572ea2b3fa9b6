/*
 * jsonnul.h - JSON text whose strings hold a NUL, found before it is parsed.
 *
 * JSON allows "\u0000" in a string; cJSON (and every C string) ends the
 * string there, so "abc\u0000def" would be read, kept and acted on as
 * "abc".  json_nul_each() finds every string of a text that holds one (or
 * a raw NUL byte), so the caller refuses the text instead, naming where:
 *
 *	struct json_nul where;
 *	if (json_nul_first(body, len, &where))
 *		... "\"%s\": a NUL character (\\u0000) is not text", where.key
 *
 * The scan reads the text's structure only as far as it needs (strings,
 * braces, brackets, commas, colons) and never past len: it may be given
 * text that is not JSON, and then finds what a parser would have cut.
 */
#ifndef NESTOR_JSONNUL_H
#define NESTOR_JSONNUL_H

#include <stdbool.h>
#include <stddef.h>

struct cJSON;

/* One string that holds a NUL. */
struct json_nul {
	/* the index of the top-level array's element it is in (a JSON-RPC
	 * batch's message), or -1 when the text is not an array */
	long element;
	/* where it is from that element (or from the top when element is
	 * -1): member names and [indexes], "params.arguments.title", as
	 * written in the text (escapes kept), each name cut at 40 bytes;
	 * "" for the element itself */
	char path[160];
	/* the member name the string is (a key) or is the value of, or, in an
	 * array, the array's; "body" at the top */
	char key[64];
	bool raw; /* a NUL byte, not the escape: the text is not JSON */
};

/* Call fn for each string of s[0..n) that holds a NUL, in order. */
void json_nul_each(const char *s, size_t n, void (*fn)(void *arg, const struct json_nul *at),
		   void *arg);

/* Whether s[0..n) has a string holding a NUL; *at (unless NULL) the first. */
bool json_nul_first(const char *s, size_t n, struct json_nul *at);

/*
 * Two more things cJSON reads other than RFC 8259 writes them:
 *
 * A number with a fraction or an exponent ("1.0", "1e2") is held as the
 * double it makes, so an id sent as 1e2 would be echoed as 100 and taken
 * for the integer it is not.  json_frac_each() calls fn for each such
 * number of s[0..n), where it is as json_nul_each() says (raw false; key
 * the member name it is the value of), but the path's member names read
 * as cJSON reads them ("i\u0064" is "id").
 *
 * A byte below 0x20 is allowed only as white space, and white space is
 * only space, tab, LF and CR: cJSON skips every byte up to 0x20 (form
 * feed, vertical tab, ...) between values as if it were, and keeps a raw
 * control character (a tab, a newline, an escape) inside a string, where
 * RFC 8259 has it escaped.  json_bad_byte() finds the first such byte of
 * s[0..n) (a NUL too), *at (unless NULL) its offset, and writes why into
 * why[0..JSON_WHY_MAX) for the parse error to name, as
 *	"not JSON (at byte %zu: %s)"
 * MCP messages, REST bodies and json_parse_text() check with it first.
 */
void json_frac_each(const char *s, size_t n, void (*fn)(void *arg, const struct json_nul *at),
		    void *arg);
#define JSON_WHY_MAX 64
bool json_bad_byte(const char *s, size_t n, size_t *at, char *why);

/* An answer from a server (an LLM, the Bot API, Google, Open-Meteo)
 * parsed as cJSON_ParseWithLength(s, n) does, but NULL too for a
 * byte json_bad_byte() finds in the value (from s to the value's end:
 * what follows it, a trailing NUL or newline, is let be as cJSON lets
 * it be); *at (unless NULL) the byte where it is not JSON.  s may be NULL
 * (no body). */
struct cJSON *json_parse_text(const char *s, size_t n, size_t *at);

/*
 * A member name given twice in one object ({"title":"a","title":"b"}):
 * cJSON keeps both and every lookup reads the first, so what the second
 * says would be ignored unchecked.  json_dup_first() walks a parsed value
 * (iteratively: any depth) and finds one, so the caller refuses the text:
 *
 *	if (json_dup_first(body, &where))
 *		... "\"%s\": given twice", where.path
 *
 * *at (unless NULL): path, the repeated member's path from v
 * ("params.arguments.title", names cut as above, "..." past 32 levels),
 * key its name (cut to fit), element -1, raw false.  Each object is
 * checked in O(n log n) of its members.
 */
bool json_dup_first(const struct cJSON *v, struct json_nul *at);

#endif
