/* The input line editor: wide-character buffer, history, completion. */
#include "input.h"
#include "paths.h"
#include "sbuf.h"
#include "wrap.h"
#include "xalloc.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <wctype.h>

void input_init(struct input *in, size_t hist_max)
{
	memset(in, 0, sizeof(*in));
	in->cap = 64;
	in->buf = xcalloc(in->cap, sizeof(wchar_t));
	in->hist_max = hist_max ? hist_max : 1;
}

void input_release(struct input *in)
{
	for (size_t i = 0; i < in->nhist; i++)
		free(in->hist[i]);
	free(in->hist);
	free(in->buf);
	free(in->kill);
	free(in->draft);
	memset(in, 0, sizeof(*in));
}

static char *to_utf8(const wchar_t *w, size_t n)
{
	char *out = xmalloc(n * 4 + 1), *p = out;

	for (size_t i = 0; i < n; i++)
		p += wrap_encode(w[i], p);
	*p = '\0';
	return out;
}

char *input_text(const struct input *in)
{
	return to_utf8(in->buf, in->len);
}

char *input_before(const struct input *in)
{
	return to_utf8(in->buf, in->cur);
}

bool input_empty(const struct input *in)
{
	return in->len == 0;
}

static void reserve(struct input *in, size_t extra)
{
	if (in->len + extra + 1 <= in->cap)
		return;
	while (in->len + extra + 1 > in->cap)
		in->cap *= 2;
	in->buf = xrealloc(in->buf, in->cap * sizeof(wchar_t));
}

/* Insert n characters at the cursor and move past them. */
static void insert_wcs(struct input *in, const wchar_t *w, size_t n)
{
	reserve(in, n);
	memmove(in->buf + in->cur + n, in->buf + in->cur, (in->len - in->cur) * sizeof(wchar_t));
	memcpy(in->buf + in->cur, w, n * sizeof(wchar_t));
	in->len += n;
	in->cur += n;
	in->buf[in->len] = 0;
}

/* Remove [from, to); keep it for Ctrl-Y when kill. */
static void cut(struct input *in, size_t from, size_t to, bool kill)
{
	if (from >= to)
		return;
	if (kill) {
		free(in->kill);
		in->kill = xcalloc(to - from + 1, sizeof(wchar_t));
		memcpy(in->kill, in->buf + from, (to - from) * sizeof(wchar_t));
	}
	memmove(in->buf + from, in->buf + to, (in->len - to) * sizeof(wchar_t));
	in->len -= to - from;
	in->buf[in->len] = 0;
	if (in->cur >= to)
		in->cur -= to - from;
	else if (in->cur > from)
		in->cur = from;
}

void input_insert(struct input *in, wchar_t wc)
{
	if (wc == '\t' || wc == '\n' || wc == '\r')
		wc = ' ';
	if (wc < 0x20 || wc == 0x7f)
		return;
	insert_wcs(in, &wc, 1);
}

void input_insert_str(struct input *in, const char *utf8)
{
	size_t n = strlen(utf8);

	for (size_t i = 0; i < n;) {
		wchar_t wc;

		i += wrap_decode(utf8 + i, n - i, &wc);
		input_insert(in, wc);
	}
}

void input_clear(struct input *in)
{
	in->len = in->cur = in->first = 0;
	in->buf[0] = 0;
}

void input_set(struct input *in, const char *text)
{
	input_clear(in);
	input_insert_str(in, text);
}

void input_left(struct input *in)
{
	if (in->cur > 0)
		in->cur--;
}

void input_right(struct input *in)
{
	if (in->cur < in->len)
		in->cur++;
}

void input_home(struct input *in)
{
	in->cur = 0;
}

void input_end(struct input *in)
{
	in->cur = in->len;
}

static bool is_word(wchar_t c)
{
	return iswalnum((wint_t)c) || c >= 0x80 || c == '_';
}

/* Start of the word before pos (readline's backward-word). */
static size_t word_start(const struct input *in, size_t pos)
{
	while (pos > 0 && !is_word(in->buf[pos - 1]))
		pos--;
	while (pos > 0 && is_word(in->buf[pos - 1]))
		pos--;
	return pos;
}

void input_word_left(struct input *in)
{
	in->cur = word_start(in, in->cur);
}

void input_word_right(struct input *in)
{
	while (in->cur < in->len && !is_word(in->buf[in->cur]))
		in->cur++;
	while (in->cur < in->len && is_word(in->buf[in->cur]))
		in->cur++;
}

void input_backspace(struct input *in)
{
	if (in->cur > 0)
		cut(in, in->cur - 1, in->cur, false);
}

void input_delete(struct input *in)
{
	if (in->cur < in->len)
		cut(in, in->cur, in->cur + 1, false);
}

void input_kill_end(struct input *in)
{
	cut(in, in->cur, in->len, true);
}

void input_kill_start(struct input *in)
{
	cut(in, 0, in->cur, true);
}

/* Ctrl-W cuts back to the previous whitespace, as readline's unix-word-rubout. */
void input_kill_word(struct input *in)
{
	size_t from = in->cur;

	while (from > 0 && in->buf[from - 1] == ' ')
		from--;
	while (from > 0 && in->buf[from - 1] != ' ')
		from--;
	cut(in, from, in->cur, true);
}

void input_yank(struct input *in)
{
	if (in->kill)
		insert_wcs(in, in->kill, wcslen(in->kill));
}

void input_hist_add(struct input *in, const char *line)
{
	if (!line[0] || (in->nhist && !strcmp(in->hist[in->nhist - 1], line))) {
		in->hist_pos = in->nhist;
		return;
	}
	if (in->nhist == in->hist_max) {
		free(in->hist[0]);
		memmove(in->hist, in->hist + 1, (in->nhist - 1) * sizeof(char *));
		in->nhist--;
	}
	in->hist = xrealloc(in->hist, (in->nhist + 1) * sizeof(char *));
	in->hist[in->nhist++] = xstrdup(line);
	in->hist_pos = in->nhist;
	free(in->draft);
	in->draft = NULL;
}

void input_hist_prev(struct input *in)
{
	if (in->hist_pos == 0)
		return;
	if (in->hist_pos == in->nhist) {
		free(in->draft);
		in->draft = input_text(in);
	}
	input_set(in, in->hist[--in->hist_pos]);
}

void input_hist_next(struct input *in)
{
	if (in->hist_pos >= in->nhist)
		return;
	if (++in->hist_pos == in->nhist)
		input_set(in, in->draft ? in->draft : "");
	else
		input_set(in, in->hist[in->hist_pos]);
}

int input_hist_load(struct input *in, const char *path)
{
	FILE *f = fopen(path, "r");
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;

	if (!f)
		return errno == ENOENT ? 0 : -1;
	while ((n = getline(&line, &cap, f)) >= 0) {
		while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
			line[--n] = '\0';
		/* readline's timestamps ("#1700000000") are not lines */
		if (line[0] == '#' && line[1] >= '0' && line[1] <= '9')
			continue;
		input_hist_add(in, line);
	}
	free(line);
	fclose(f);
	return 0;
}

int input_hist_save(const struct input *in, const char *path, struct err *e)
{
	struct sbuf sb = SBUF_INIT;
	int rc;

	for (size_t i = 0; i < in->nhist; i++)
		sbuf_addf(&sb, "%s\n", in->hist[i]);
	/* the lines typed are no one else's */
	rc = paths_replace(path, sb.buf ? sb.buf : "", sb.len, 0600, e);
	sbuf_release(&sb);
	return rc;
}

int input_complete(struct input *in, const char *const *cands)
{
	size_t ws = in->cur, plen, common = 0;
	const char *first = NULL;
	char *word;
	int matches = 0;

	while (ws > 0 && in->buf[ws - 1] != ' ')
		ws--;
	word = to_utf8(in->buf + ws, in->cur - ws);
	plen = strlen(word);
	for (const char *const *c = cands; *c; c++) {
		if (strncmp(*c, word, plen))
			continue;
		if (!first) {
			first = *c;
			common = strlen(*c);
		} else {
			size_t k = 0;

			while (k < common && first[k] == (*c)[k])
				k++;
			common = k;
		}
		matches++;
	}
	if (first) {
		/* never cut a UTF-8 sequence in half */
		while (common > plen && ((unsigned char)first[common] & 0xc0) == 0x80)
			common--;
		if (common > plen) {
			char *add = xstrndup(first + plen, common - plen);

			input_insert_str(in, add);
			free(add);
		}
		if (matches == 1 && (in->cur == in->len || in->buf[in->cur] != ' '))
			input_insert(in, ' ');
	}
	free(word);
	return matches;
}

void input_view(struct input *in, int width, size_t *first, int *col)
{
	int w = 0;

	if (width < 2)
		width = 2;
	if (in->first > in->cur)
		in->first = 0;
	for (;;) {
		w = 0;
		for (size_t i = in->first; i < in->cur; i++)
			w += wrap_char_width(in->buf[i]);
		if (w < width || in->first >= in->cur)
			break;
		/* scroll by a quarter of the width at a time, like readline */
		for (int drop = 0; drop < width / 4 + 1 && in->first < in->cur; in->first++)
			drop += wrap_char_width(in->buf[in->first]);
	}
	*first = in->first;
	*col = w;
}
