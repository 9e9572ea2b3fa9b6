/*
 * wrap.h - UTF-8 text measured and wrapped in terminal columns.
 *
 * Decoding is done here (not by the C library), so it does not depend on
 * the locale; column widths come from wcwidth(), which does, so the TUI
 * sets LC_CTYPE from the environment first.  Invalid bytes decode to
 * U+FFFD one byte at a time; control characters count as one column (the
 * panes replace both before storing text, see wrap_clean()).
 * Nothing here touches the screen, so the Check suite tests it directly.
 */
#ifndef NESTOR_WRAP_H
#define NESTOR_WRAP_H

#include <stdbool.h>
#include <stddef.h>
#include <wchar.h>

/* Decode one character at s (n bytes available, n > 0) into *wc; returns
 * the number of bytes used (1..4). */
size_t wrap_decode(const char *s, size_t n, wchar_t *wc);
/* Encode wc as UTF-8 into out (4 bytes); returns the number of bytes. */
size_t wrap_encode(wchar_t wc, char *out);

/* Columns of one character (0 for combining marks, 2 for wide ones). */
int wrap_char_width(wchar_t wc);
/* Columns of the first n bytes of s. */
int wrap_width(const char *s, size_t n);
/* The longest prefix of s (n bytes) that fits in cols columns: its length in
 * bytes; *used (may be NULL) gets its width. */
size_t wrap_fit(const char *s, size_t n, int cols, int *used);

/* What to show of s in cols columns: the whole of it when it fits (*cut
 * false), else a prefix one column shorter without trailing spaces, to be
 * followed by an ellipsis (*cut true).  Returns the prefix's length in bytes. */
size_t wrap_cut(const char *s, int cols, bool *cut);

/* A copy of s fit to draw: what is not UTF-8 as U+FFFD, tabs as a
 * space, other control characters but newline removed (C0, DEL and the C1 that ncurses would show
 * as ~X) and the bidirectional overrides, embeddings and isolates too, as
 * utf8_clean(UTF8_PRINTABLE | UTF8_NO_BIDI) does; with trim, trailing newlines and spaces cut too.
 * What every pane keeps, so what is measured is what is drawn. */
char *wrap_clean(const char *s, bool trim);

/* Called for each line: the line is s[off, off + len). */
typedef void (*wrap_emit_fn)(void *arg, size_t off, size_t len);

/* Break s into lines of at most first columns (the first line) and rest
 * columns (the others), at spaces where possible and inside a word when it
 * is longer than a line.  '\n' always breaks.  Spaces at a soft break are
 * dropped.  emit may be NULL.  Returns the number of lines (at least 1). */
int wrap_lines(const char *s, int first, int rest, wrap_emit_fn emit, void *arg);

#endif
