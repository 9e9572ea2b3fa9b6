/* UTF-8 decoding, column widths and word wrapping for the TUI's panes. */
#include "wrap.h"
#include "sbuf.h"
#include "utf8.h"

#include <string.h>

size_t wrap_decode(const char *s, size_t n, wchar_t *wc)
{
	const unsigned char *u = (const unsigned char *)s;
	unsigned c = u[0], need, min;
	unsigned long v;

	if (c < 0x80) {
		*wc = (wchar_t)c;
		return 1;
	}
	if (c >= 0xc2 && c <= 0xdf) {
		need = 1, v = c & 0x1f, min = 0x80;
	} else if (c >= 0xe0 && c <= 0xef) {
		need = 2, v = c & 0x0f, min = 0x800;
	} else if (c >= 0xf0 && c <= 0xf4) {
		need = 3, v = c & 0x07, min = 0x10000;
	} else {
		*wc = 0xfffd;
		return 1;
	}
	if (n < need + 1) {
		*wc = 0xfffd;
		return 1;
	}
	for (unsigned i = 1; i <= need; i++) {
		if ((u[i] & 0xc0) != 0x80) {
			*wc = 0xfffd;
			return 1;
		}
		v = (v << 6) | (u[i] & 0x3f);
	}
	if (v < min || v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff)) {
		*wc = 0xfffd;
		return 1;
	}
	*wc = (wchar_t)v;
	return need + 1;
}

size_t wrap_encode(wchar_t wc, char *out)
{
	unsigned long v = (unsigned long)wc;

	if (v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff))
		v = 0xfffd;
	if (v < 0x80) {
		out[0] = (char)v;
		return 1;
	}
	if (v < 0x800) {
		out[0] = (char)(0xc0 | (v >> 6));
		out[1] = (char)(0x80 | (v & 0x3f));
		return 2;
	}
	if (v < 0x10000) {
		out[0] = (char)(0xe0 | (v >> 12));
		out[1] = (char)(0x80 | ((v >> 6) & 0x3f));
		out[2] = (char)(0x80 | (v & 0x3f));
		return 3;
	}
	out[0] = (char)(0xf0 | (v >> 18));
	out[1] = (char)(0x80 | ((v >> 12) & 0x3f));
	out[2] = (char)(0x80 | ((v >> 6) & 0x3f));
	out[3] = (char)(0x80 | (v & 0x3f));
	return 4;
}

int wrap_char_width(wchar_t wc)
{
	int w;

	if (wc < 0x80)
		return 1;
	w = wcwidth(wc);
	return w < 0 ? 1 : w;
}

int wrap_width(const char *s, size_t n)
{
	int cols = 0;

	for (size_t i = 0; i < n;) {
		wchar_t wc;

		i += wrap_decode(s + i, n - i, &wc);
		cols += wrap_char_width(wc);
	}
	return cols;
}

size_t wrap_fit(const char *s, size_t n, int cols, int *used)
{
	size_t i = 0;
	int w = 0;

	while (i < n) {
		wchar_t wc;
		size_t k = wrap_decode(s + i, n - i, &wc);
		int cw = wrap_char_width(wc);

		if (w + cw > cols)
			break;
		w += cw;
		i += k;
	}
	if (used)
		*used = w;
	return i;
}

size_t wrap_cut(const char *s, int cols, bool *cut)
{
	size_t n = strlen(s), fit = wrap_fit(s, n, cols, NULL);

	*cut = fit < n;
	if (!*cut)
		return fit;
	fit = wrap_fit(s, n, cols - 1, NULL);
	while (fit > 0 && s[fit - 1] == ' ')
		fit--;
	return fit;
}

char *wrap_clean(const char *s, bool trim)
{
	struct sbuf sb = SBUF_INIT;
	char *out;
	size_t o;

	utf8_clean(&sb, s, strlen(s), UTF8_PRINTABLE | UTF8_NO_BIDI);
	out = sbuf_detach(&sb);
	for (char *p = out; *p; p++)
		if (*p == '\t')
			*p = ' ';
	o = strlen(out);
	while (trim && o > 0 && (out[o - 1] == '\n' || out[o - 1] == ' '))
		o--;
	out[o] = '\0';
	return out;
}

int wrap_lines(const char *s, int first, int rest, wrap_emit_fn emit, void *arg)
{
	size_t n = strlen(s), start = 0, i = 0, brk = 0;
	int lines = 0, cols = 0, width = first > 0 ? first : 1;

	if (rest < 1)
		rest = 1;
	while (i < n) {
		wchar_t wc;
		size_t k;
		int cw;

		if (s[i] == '\n') {
			if (emit)
				emit(arg, start, i - start);
			lines++;
			start = ++i;
			brk = 0, cols = 0, width = rest;
			continue;
		}
		k = wrap_decode(s + i, n - i, &wc);
		cw = wrap_char_width(wc);
		if (cols + cw > width && i > start) {
			size_t end = i, next = i;

			if (s[i] == ' ') {
				next = i; /* break right here, at this space */
			} else if (brk > start) {
				end = brk;
				next = brk;
			}
			while (end > start && s[end - 1] == ' ')
				end--;
			while (next < n && s[next] == ' ')
				next++;
			if (emit)
				emit(arg, start, end - start);
			lines++;
			start = i = next;
			brk = 0, cols = 0, width = rest;
			continue;
		}
		if (s[i] == ' ')
			brk = i;
		cols += cw;
		i += k;
	}
	if (start < n || lines == 0 || (n > 0 && s[n - 1] == '\n')) {
		if (emit)
			emit(arg, start, n - start);
		lines++;
	}
	return lines;
}
