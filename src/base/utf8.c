#include "utf8.h"

#include "xalloc.h"

#include <locale.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

/* The code point at s[0..n) and its length; -1 when the bytes there are
 * not a valid sequence, -2 when they are a valid start cut short by the end
 * of s, with *len the bytes to replace by one U+FFFD (the maximal subpart,
 * as Unicode recommends). */
static long decode(const unsigned char *s, size_t n, size_t *len)
{
	unsigned char c = s[0];
	size_t need, i;
	long cp, min;

	*len = 1;
	if (c < 0x80)
		return c;
	if (c >= 0xc2 && c <= 0xdf) {
		need = 2;
		cp = c & 0x1f;
		min = 0x80;
	} else if (c >= 0xe0 && c <= 0xef) {
		need = 3;
		cp = c & 0x0f;
		min = 0x800;
	} else if (c >= 0xf0 && c <= 0xf4) {
		need = 4;
		cp = c & 0x07;
		min = 0x10000;
	} else {
		return -1;
	}
	for (i = 1; i < need; i++) {
		if (i >= n) {
			*len = n;
			return -2;
		}
		/* overlong, surrogate and too-high forms show in the second byte */
		if ((s[i] & 0xc0) != 0x80 ||
		    (i == 1 && need == 3 &&
		     ((c == 0xe0 && s[1] < 0xa0) || (c == 0xed && s[1] > 0x9f))) ||
		    (i == 1 && need == 4 &&
		     ((c == 0xf0 && s[1] < 0x90) || (c == 0xf4 && s[1] > 0x8f)))) {
			*len = i;
			return -1;
		}
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	if (cp < min)
		return -1;
	*len = need;
	return cp;
}

static bool is_control(long cp)
{
	return (cp < 0x20 && cp != '\n' && cp != '\t') || (cp >= 0x7f && cp <= 0x9f);
}

/* The bidirectional embeddings, overrides and isolates (U+202A..U+202E,
 * U+2066..U+2069): a terminal that orders text by direction would show
 * what follows them reversed or moved, not as it is. */
static bool is_bidi_control(long cp)
{
	return (cp >= 0x202a && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069);
}

void utf8_clean(struct sbuf *out, const char *s, size_t n, unsigned flags)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, run = 0, len;

	while (i < n) {
		long cp = decode(p + i, n - i, &len);
		/* a lone CR and NEL end a line too; CR LF is one end */
		bool space = (flags & UTF8_ONE_LINE) &&
			     (cp == '\n' || cp == '\t' || cp == 0x85 || cp == 0x2028 ||
			      cp == 0x2029 || (cp == '\r' && !(i + 1 < n && p[i + 1] == '\n')));

		if (cp >= 0 && !space && !((flags & UTF8_PRINTABLE) && is_control(cp)) &&
		    !((flags & UTF8_NO_BIDI) && is_bidi_control(cp))) {
			i += len;
			continue;
		}
		sbuf_add(out, s + run, i - run);
		if (cp < 0)
			sbuf_adds(out, "\xef\xbf\xbd");
		else if (space)
			sbuf_add(out, " ", 1);
		i += len;
		run = i;
	}
	sbuf_add(out, s + run, n - run);
}

char *utf8_clean_str(const char *s, unsigned flags)
{
	struct sbuf sb = SBUF_INIT;

	utf8_clean(&sb, s, strlen(s), flags);
	return sbuf_detach(&sb);
}

char *utf8_json_controls(const char *s)
{
	char *valid = utf8_clean_str(s, 0);
	const unsigned char *p = (const unsigned char *)valid;
	struct sbuf sb = SBUF_INIT;
	size_t n = strlen(valid), len;

	for (size_t i = 0; i < n; i += len) {
		long cp = decode(p + i, n - i, &len);

		if (is_control(cp) && cp != '\r')
			sbuf_addf(&sb, "\\u%04lx", cp);
		else
			sbuf_add(&sb, valid + i, len);
	}
	free(valid);
	return sbuf_detach(&sb);
}

char *utf8_name(const char *s, size_t max)
{
	struct sbuf sb = SBUF_INIT;
	char *name;

	/* what cleaning drops aside, no more than 16 bytes in for one out */
	utf8_clean(&sb, s, strnlen(s, max > SIZE_MAX / 16 ? SIZE_MAX : 16 * max),
		   UTF8_PRINTABLE | UTF8_ONE_LINE);
	name = sbuf_detach(&sb);
	name[utf8_cut(name, strnlen(name, max))] = '\0';
	return name;
}

bool utf8_valid(const char *s, size_t n)
{
	size_t i = 0, len;

	while (i < n) {
		if (decode((const unsigned char *)s + i, n - i, &len) < 0)
			return false;
		i += len;
	}
	return true;
}

size_t utf8_partial_tail(const char *s, size_t n)
{
	size_t k = n < 3 ? n : 3, len;

	for (size_t back = 1; back <= k; back++) {
		unsigned char c = (unsigned char)s[n - back];

		if ((c & 0xc0) == 0x80)
			continue;
		return c >= 0xc0 && decode((const unsigned char *)s + n - back, back, &len) == -2
			       ? back
			       : 0;
	}
	return 0;
}

size_t utf8_cut(const char *s, size_t n)
{
	return n - utf8_partial_tail(s, n);
}

void utf8_fit(char *s, size_t size)
{
	size_t n = strlen(s);
	struct sbuf sb = SBUF_INIT;

	if (n + 1 >= size)
		n = utf8_cut(s, n);
	s[n] = '\0';
	if (utf8_valid(s, n))
		return;
	utf8_clean(&sb, s, n, 0);
	n = sb.len < size ? sb.len : utf8_cut(sb.buf, size - 1);
	memcpy(s, sb.buf, n);
	s[n] = '\0';
	sbuf_release(&sb);
}

int utf8_prec(const char *s, size_t max)
{
	return (int)utf8_cut(s, strnlen(s, max));
}

enum { NO_CONTROLS, CONTROLS, CRLF, NAME };

/* s valid UTF-8 of at most max bytes (0: any), and unless controls is
 * CONTROLS no control character but tab and newline (and with CRLF the CR
 * of a CR LF; with NAME not even those). */
static int check(const char *what, const char *s, size_t max, int controls, struct err *e)
{
	size_t i = 0, len, n;
	long cp;

	if (!s)
		return 0;
	n = strlen(s);
	while (i < n) {
		cp = decode((const unsigned char *)s + i, n - i, &len);
		if (cp < 0)
			return err_set(e, ERR_USAGE, "%s: not valid UTF-8 (byte %zu)", what, i + 1);
		if (controls != CONTROLS && (is_control(cp) || (controls == NAME && cp < 0x20)) &&
		    !(controls == CRLF && cp == '\r' && s[i + 1] == '\n'))
			return err_set(e, ERR_USAGE, "%s: control character U+%04lX (byte %zu)",
				       what, cp, i + 1);
		i += len;
	}
	if (max && n > max)
		return err_set(e, ERR_USAGE, "%s: too long (%zu bytes, at most %zu)", what, n, max);
	return 0;
}

int utf8_check_field(const char *what, const char *s, size_t max, struct err *e)
{
	return check(what, s, max, NO_CONTROLS, e);
}

int utf8_check_bytes(const char *what, const char *s, size_t max, struct err *e)
{
	return check(what, s, max, CONTROLS, e);
}

int utf8_check_lines(const char *what, const char *s, size_t max, struct err *e)
{
	return check(what, s, max, CRLF, e);
}

int utf8_check_name(const char *what, const char *s, size_t max, struct err *e)
{
	return check(what, s, max, NAME, e);
}

size_t utf8_crlf_to_lf(char *s, size_t n)
{
	size_t j = 0;

	for (size_t i = 0; i < n; i++)
		if (!(s[i] == '\r' && i + 1 < n && s[i + 1] == '\n'))
			s[j++] = s[i];
	if (j < n)
		s[j] = '\0';
	return j;
}

void utf8_drop_controls(char *s)
{
	unsigned char *r = (unsigned char *)s, *w = r;

	if (!s)
		return;
	for (; *r; r++) {
		if ((*r < 0x20 && *r != '\t' && *r != '\n') || *r == 0x7f)
			continue;
		if (*r == 0xc2 && r[1] >= 0x80 && r[1] <= 0x9f) {
			r++;
			continue;
		}
		*w++ = *r;
	}
	*w = '\0';
}

bool utf8_blank(const char *s)
{
	if (s)
		for (; *s; s++)
			if (!strchr(" \t\r\n\v\f", *s))
				return false;
	return true;
}

/* Write s[0..n) into buf (size bytes, *at used) with its control
 * characters (newline and tab too) escaped: \n, \r, \t, else \xHH (C0,
 * DEL) or \uHHHH (C1); with all, backslash, double quote and the bytes of
 * invalid sequences (\xHH) too, so that the text reads back as exactly s.
 * Whole characters only, room bytes left after them and the NUL; false
 * when not all of s fit. */
static bool escape_into(char *buf, size_t size, size_t *at, const char *s, size_t n, bool all,
			size_t room)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, len;

	while (i < n) {
		long cp = decode(p + i, n - i, &len);
		char esc[32];
		const char *piece = esc;
		size_t m;

		if (cp < 0 && all) {
			m = 0;
			for (size_t k = 0; k < len; k++)
				m += (size_t)snprintf(esc + m, sizeof(esc) - m, "\\x%02x",
						      p[i + k]);
		} else if (cp == '\n' || cp == '\r' || cp == '\t' ||
			   (all && (cp == '\\' || cp == '"'))) {
			m = (size_t)snprintf(esc, sizeof(esc), "\\%c",
					     cp == '\n'	  ? 'n'
					     : cp == '\r' ? 'r'
					     : cp == '\t' ? 't'
							  : (int)cp);
		} else if (cp >= 0 && is_control(cp)) {
			m = (size_t)snprintf(esc, sizeof(esc), cp < 0x80 ? "\\x%02lx" : "\\u%04lx",
					     cp);
		} else {
			piece = s + i;
			m = len;
		}
		if (*at + m + room + 1 > size)
			return false;
		memcpy(buf + *at, piece, m);
		*at += m;
		i += len;
	}
	return true;
}

const char *utf8_quote(char *buf, size_t size, const char *s)
{
	size_t at = 1;

	if (size < 6) {
		if (size)
			buf[0] = '\0';
		return buf;
	}
	buf[0] = '"';
	if (escape_into(buf, size, &at, s ? s : "", s ? strlen(s) : 0, true, 4)) {
		buf[at++] = '"';
		buf[at] = '\0';
	} else {
		memcpy(buf + at, "...\"", 5);
	}
	return buf;
}

void utf8_escape_controls(char *s, size_t size)
{
	size_t n = strlen(s), at = 0;
	char *copy;

	if (strcspn(s, "\x01\x02\x03\x04\x05\x06\x07\x08\t\n\x0b\x0c\r\x0e\x0f\x10\x11\x12"
		       "\x13\x14\x15\x16\x17\x18\x19\x1a\x1b\x1c\x1d\x1e\x1f\x7f\xc2") == n)
		return;
	copy = xstrdup(s);
	if (escape_into(s, size, &at, copy, n, false, 3))
		s[at] = '\0';
	else
		memcpy(s + at, "...", 4);
	free(copy);
}

int utf8_width(const char *s)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t n = strlen(s), len;
	locale_t utf8 = newlocale(LC_CTYPE_MASK, "C.UTF-8", (locale_t)0), was = (locale_t)0;
	int cols = 0;

	if (utf8)
		was = uselocale(utf8);
	for (size_t i = 0; i < n; i += len) {
		long cp = decode(u + i, n - i, &len);
		int w = cp < 0x80 ? 1 : wcwidth((wchar_t)cp);

		cols += w < 0 ? 1 : w;
	}
	if (utf8) {
		uselocale(was);
		freelocale(utf8);
	}
	return cols;
}
