/* The chat pane: entries, lazy loading of older ones, wrapping and drawing. */
#include "chat.h"
#include "theme.h"
#include "wrap.h"
#include "sbuf.h"
#include "xalloc.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define INDENT 2 /* continuation lines of a message */

void chat_init(struct chat *c, const char *assistant)
{
	memset(c, 0, sizeof(*c));
	c->assistant = xstrdup(assistant);
}

static void free_entries(struct chat *c)
{
	for (size_t i = 0; i < c->n; i++)
		free(c->e[c->head + i].text);
	c->n = 0;
	c->head = c->cap / 2;
}

void chat_release(struct chat *c)
{
	free_entries(c);
	free(c->e);
	free(c->assistant);
	memset(c, 0, sizeof(*c));
}

void chat_clear(struct chat *c)
{
	free_entries(c);
	c->scroll = 0;
	c->streaming = false;
	c->more = c->load != NULL;
}

void chat_set_loader(struct chat *c, chat_loader_fn load, void *arg)
{
	c->load = load;
	c->load_arg = arg;
	c->more = load != NULL;
}

void chat_set_assistant(struct chat *c, const char *name)
{
	free(c->assistant);
	c->assistant = xstrdup(name);
	for (size_t i = 0; i < c->n; i++)
		c->e[c->head + i].width = 0;
}

/* Make room for one more entry at the front or the back. */
static void room(struct chat *c, bool front)
{
	size_t cap, head;
	struct chat_entry *e;

	if (front ? c->head > 0 : c->head + c->n < c->cap)
		return;
	cap = c->n * 2 + 32;
	head = (cap - c->n) / 2;
	e = xcalloc(cap, sizeof(*e));
	if (c->n)
		memcpy(e + head, c->e + c->head, c->n * sizeof(*e));
	free(c->e);
	c->e = e;
	c->cap = cap;
	c->head = head;
}

static struct chat_entry *entry(struct chat *c, size_t i)
{
	return &c->e[c->head + i];
}

static const char *label(const struct chat *c, enum chat_role role)
{
	return role == CHAT_USER ? "you" : role == CHAT_ASSISTANT ? c->assistant : NULL;
}

/* Lines of an entry's text alone, cached for the width. */
static int body_lines(const struct chat *c, struct chat_entry *e, int width)
{
	const char *l = label(c, e->role);

	if (e->width == width)
		return e->lines;
	if (e->role == CHAT_TOOL) {
		e->lines = 1;
	} else {
		int lw = l ? wrap_width(l, strlen(l)) + 2 : 0;

		e->lines = wrap_lines(e->text, width - lw, l ? width - INDENT : width, NULL, NULL);
	}
	e->width = width;
	return e->lines;
}

/* A blank line sets each of the user's messages apart, except at the very top. */
static bool gap(const struct chat *c, size_t i)
{
	return c->e[c->head + i].role == CHAT_USER && (i > 0 || c->more);
}

static int total_lines(struct chat *c, size_t i, int width)
{
	return body_lines(c, entry(c, i), width) + gap(c, i);
}

static void added(struct chat *c, int before)
{
	if (c->scroll > 0 && c->width > 0 && c->n > 0)
		c->scroll += total_lines(c, c->n - 1, c->width) - before;
}

void chat_add(struct chat *c, enum chat_role role, const char *text)
{
	struct chat_entry *e;

	chat_end_stream(c);
	room(c, false);
	e = &c->e[c->head + c->n++];
	e->role = role;
	e->text = wrap_clean(text, true);
	e->width = 0;
	added(c, 0);
}

void chat_stream(struct chat *c, const char *delta)
{
	struct chat_entry *e;
	char *clean, *text;
	int before;

	if (!c->streaming) {
		chat_add(c, CHAT_ASSISTANT, "");
		c->streaming = true;
	}
	e = entry(c, c->n - 1);
	before = c->width > 0 ? total_lines(c, c->n - 1, c->width) : 0;
	/* untrimmed while it grows: a space may end one delta */
	clean = wrap_clean(delta, false);
	text = xasprintf("%s%s", e->text, clean);
	free(clean);
	free(e->text);
	e->text = text;
	e->width = 0;
	added(c, before);
}

void chat_end_stream(struct chat *c)
{
	struct chat_entry *e;
	char *clean;

	if (!c->streaming)
		return;
	c->streaming = false;
	e = entry(c, c->n - 1);
	clean = wrap_clean(e->text, true);
	free(e->text);
	e->text = clean;
	e->width = 0;
}

void chat_prepend(struct chat *c, enum chat_role role, const char *text)
{
	struct chat_entry *e;

	room(c, true);
	e = &c->e[--c->head];
	c->n++;
	e->role = role;
	e->text = wrap_clean(text, true);
	e->width = 0;
}

void chat_scroll(struct chat *c, int lines)
{
	c->scroll += lines;
	if (c->scroll < 0)
		c->scroll = 0;
}

void chat_bottom(struct chat *c)
{
	c->scroll = 0;
}

struct painter {
	WINDOW *w;
	const char *text;
	const char *label;
	attr_t attr, label_attr;
	int y, h, line;
};

static void paint(void *arg, size_t off, size_t len)
{
	struct painter *p = arg;
	int y = p->y++;

	if (y < 0 || y >= p->h) {
		p->line++;
		return;
	}
	wmove(p->w, y, 0);
	if (p->label && p->line == 0) {
		wattrset(p->w, p->label_attr);
		waddstr(p->w, p->label);
		wattrset(p->w, A_NORMAL);
		waddstr(p->w, ": ");
	} else if (p->label) {
		wmove(p->w, y, INDENT);
	}
	wattrset(p->w, p->attr);
	waddnstr(p->w, p->text + off, (int)len);
	wattrset(p->w, A_NORMAL);
	p->line++;
}

/* "  -> reminder_add tomorrow 17:00 'call mom'" cut to one line. */
static void paint_tool(WINDOW *w, int y, int width, const char *text)
{
	bool cut;
	size_t n;

	wmove(w, y, 0);
	wattrset(w, theme_attr(TH_TOOL));
	waddnstr(w, "  -> ", width);
	if (width > 6) {
		n = wrap_cut(text, width - 5, &cut);
		waddnstr(w, text, (int)n);
		if (cut)
			waddstr(w, "\xe2\x80\xa6"); /* … */
	}
	wattrset(w, A_NORMAL);
}

static int draw_entry(struct chat *c, WINDOW *w, size_t i, int y, int h, int width)
{
	struct chat_entry *e = entry(c, i);
	struct painter p = { w, e->text, label(c, e->role), A_NORMAL, A_NORMAL, y, h, 0 };
	int lw;

	if (gap(c, i))
		p.y++;
	if (e->role == CHAT_TOOL) {
		if (p.y >= 0 && p.y < h)
			paint_tool(w, p.y, width, e->text);
		return p.y + 1;
	}
	switch (e->role) {
	case CHAT_USER: p.label_attr = theme_attr(TH_USER); break;
	case CHAT_ASSISTANT: p.label_attr = theme_attr(TH_ASSISTANT); break;
	case CHAT_INFO: p.attr = theme_attr(TH_INFO); break;
	default: p.attr = theme_attr(TH_ERROR); break;
	}
	lw = p.label ? wrap_width(p.label, strlen(p.label)) + 2 : 0;
	wrap_lines(e->text, width - lw, p.label ? width - INDENT : width, paint, &p);
	return p.y;
}

void chat_draw(struct chat *c, WINDOW *w)
{
	int h, width, y;
	long acc = 0, need, skip;
	size_t i;

	getmaxyx(w, h, width);
	werase(w);
	c->width = width;
	if (h <= 0 || width <= 0)
		return;
	need = (long)h + c->scroll;
	i = c->n;
	while (acc < need) {
		/* ask for older entries before counting the oldest held, so its
		 * blank line above is known */
		if (i <= 1 && c->more) {
			size_t before = c->n;

			if (!c->load || c->load(c->load_arg, c) <= 0)
				c->more = false;
			i += c->n - before;
		}
		if (i == 0)
			break;
		acc += total_lines(c, --i, width);
	}
	if (acc < need && c->scroll > 0)
		c->scroll = acc > h ? (int)(acc - h) : 0;
	skip = acc - c->scroll - h;
	y = skip > 0 ? (int)-skip : 0;
	for (; i < c->n && y < h; i++)
		y = draw_entry(c, w, i, y, h, width);
}
