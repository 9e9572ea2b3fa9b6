/*
 * utf8.h - text from outside (a server, a file) made safe to store and show.
 *
 * A remote peer may send bytes that are not UTF-8, or control characters
 * that would move a terminal's cursor or change its colours.  utf8_clean()
 * copies text, replacing every invalid sequence (a stray continuation byte,
 * an overlong form, a surrogate, a code point above U+10FFFF, a sequence cut
 * short) by U+FFFD, and with UTF8_PRINTABLE it also drops the C0 controls
 * other than newline and tab, DEL and the C1 controls (U+0080..U+009F);
 * UTF8_ONE_LINE makes newline, tab, a CR not before a newline, NEL (U+0085)
 * and the line and paragraph separators (U+2028, U+2029) a space (with
 * UTF8_PRINTABLE: text for one line).  UTF8_NO_BIDI drops the bidirectional
 * overrides, embeddings and isolates (U+202A..U+202E, U+2066..U+2069): for
 * text about to be SHOWN on a terminal, which may order what follows them
 * reversed; stored text keeps them (Arabic or Hebrew mixed with Latin
 * needs them, and an event's title goes back to Google as stored).  The
 * marks U+200E, U+200F stay.
 *
 * Text that arrives in pieces may split a character between two of them:
 * utf8_partial_tail() says how many bytes at the end of a piece start a
 * character the next piece may complete, so the caller keeps them back.
 *
 *	size_t keep = utf8_partial_tail(buf, n);
 *	utf8_clean(&out, buf, n - keep, UTF8_PRINTABLE);   // then carry `keep` bytes
 */
#ifndef NESTOR_UTF8_H
#define NESTOR_UTF8_H

#include <stdbool.h>
#include <stddef.h>

#include "err.h"
#include "sbuf.h"

enum {
	UTF8_PRINTABLE = 1 << 0, /* drop control characters but \n and \t */
	UTF8_ONE_LINE = 1 << 1,	 /* \n, \t, CR, NEL, U+2028, U+2029 as a space (a name) */
	UTF8_NO_BIDI = 1 << 2,	 /* drop bidi overrides, embeddings, isolates (display) */
};

/* Append s[0..n) to out, cleaned as above. */
void utf8_clean(struct sbuf *out, const char *s, size_t n, unsigned flags);
/* s cleaned, newly allocated. */
char *utf8_clean_str(const char *s, unsigned flags);
/* JSON text from outside (a model's tool arguments) as valid UTF-8 with
 * each control character but tab, newline and CR written \u00XX: in a
 * string it then reads as what was sent, for the value's own check to
 * refuse by name ("title: control character U+009B"), not dropped unseen;
 * newly allocated. */
char *utf8_json_controls(const char *s);
/* s as a name on one line (a device's from another device): cleaned with
 * UTF8_PRINTABLE | UTF8_ONE_LINE, cut between characters to at most max
 * bytes; newly allocated. */
char *utf8_name(const char *s, size_t max);
/* Whether s[0..n) is valid UTF-8 (controls allowed). */
bool utf8_valid(const char *s, size_t n);
/* 0..3: the bytes at the end of s[0..n) that begin a character more bytes
 * could still complete. */
size_t utf8_partial_tail(const char *s, size_t n);
/* The longest prefix of s[0..n) that does not split a character (for
 * cutting text to a size). */
size_t utf8_cut(const char *s, size_t n);

/* A field of text people or files give (a title, notes): 0 when s is NULL
 * or valid UTF-8 of at most max bytes (0: any length) with no control
 * character but newline and tab (no other C0, no DEL, no C1: the rule text
 * from another device is held to); else ERR_USAGE "WHAT: not valid UTF-8
 * (byte N)", "WHAT: control character U+001B (byte N)" or "WHAT: too long
 * (N bytes, at most MAX)" and -1. */
int utf8_check_field(const char *what, const char *s, size_t max, struct err *e);
/* The same allowing control characters (iCalendar text with its CR LF). */
int utf8_check_bytes(const char *what, const char *s, size_t max, struct err *e);
/* utf8_check_field allowing the CR of a CR LF too (text written on Windows,
 * kept as it was stored). */
int utf8_check_lines(const char *what, const char *s, size_t max, struct err *e);
/* utf8_check_field refusing tab and newline too: a name shown on one line
 * (a device's), "WHAT: control character U+0009 (byte N)". */
int utf8_check_name(const char *what, const char *s, size_t max, struct err *e);
/* s[0..n) with each CR LF made LF, in place; the new length (s stays
 * NUL-terminated when it was). */
size_t utf8_crlf_to_lf(char *s, size_t n);
/* s without its control characters but tab and newline (C0, DEL, C1), in
 * place; invalid UTF-8 is left for a check to refuse.  For text from a
 * file, where one stray control character should not refuse the file. */
void utf8_drop_controls(char *s);
/* Whether s is NULL or has nothing but spaces, tabs and line breaks. */
bool utf8_blank(const char *s);

/* s as a message echoes it (an argument, a value), always one line:
 * between double quotes, with newline, CR and tab as \n, \r and \t, other
 * control characters as \x1b (C0, DEL) or \u0085 (C1), the bytes of
 * invalid UTF-8 as \xff, and backslash and double quote as \\ and \";
 * written into buf of size bytes (cut with ..." when longer), which is
 * returned.  NULL: "".
 * utf8_q(s) does it in a buffer of the calling block (UTF8_QUOTE_MAX
 * bytes), for the arguments of one call:
 *
 *	err_set(e, ERR_USAGE, "expected a number (got %s)", utf8_q(arg));
 */
const char *utf8_quote(char *buf, size_t size, const char *s);
#define UTF8_QUOTE_MAX 200
#define utf8_q(s)      utf8_quote((char[UTF8_QUOTE_MAX]){ 0 }, UTF8_QUOTE_MAX, (s))
/* s (NUL-terminated, in a buffer of size bytes) made valid UTF-8 in place:
 * a character cut by the end of a full buffer (what snprintf() cut)
 * dropped, every other invalid sequence as U+FFFD, and cut between
 * characters when that no longer fits.  What makes an error message that
 * quotes outside data UTF-8 (err_set()). */
void utf8_fit(char *s, size_t size);
/* The precision for "%.*s" that prints at most max bytes of s without
 * splitting a character:
 *
 *	err_set(e, ERR_FAIL, "redis: %.*s", utf8_prec(msg, 200), msg);
 */
int utf8_prec(const char *s, size_t max);
/* The control characters of s (of size bytes) escaped as utf8_quote()
 * does, in place (cut with ... when longer); the rest as it was.  What
 * makes every error message one line (err_set()). */
void utf8_escape_controls(char *s, size_t size);
/* The columns s (NUL-terminated) takes on a UTF-8 terminal, whatever
 * LC_CTYPE says: 2 for a wide character (CJK), 0 for a combining mark, 1
 * for the rest and for U+FFFD in place of bytes not UTF-8 (as wcwidth()
 * says for C.UTF-8; the TUI's wrap_width() measures in its own locale). */
int utf8_width(const char *s);

#endif
