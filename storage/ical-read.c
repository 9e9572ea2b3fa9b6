/* The streaming iCalendar reader: unfolded lines, structure, one part at a time. */
#include "ical-int.h"
#include "xalloc.h"

#include <ctype.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

void ical_part_init(struct ical_part *p)
{
	memset(p, 0, sizeof(*p));
}

void ical_part_release(struct ical_part *p)
{
	sbuf_release(&p->text);
	free(p->lines);
	ical_part_init(p);
}

void ical_part_copy(struct ical_part *dst, const struct ical_part *src)
{
	ical_part_init(dst);
	memcpy(dst->kind, src->kind, sizeof(dst->kind));
	sbuf_add(&dst->text, src->text.buf ? src->text.buf : "", src->text.len);
	dst->nlines = dst->cap = src->nlines;
	dst->lines = xmalloc((src->nlines ? src->nlines : 1) * sizeof(*src->lines));
	memcpy(dst->lines, src->lines, src->nlines * sizeof(*src->lines));
}

/* name (n bytes) into a 24-byte field, cut short if need be. */
static void copy_name(char *dst, const char *name, size_t n)
{
	if (n > 23)
		n = 23;
	memcpy(dst, name, n);
	dst[n] = '\0';
}

static void part_reset(struct ical_part *p, const char *kind)
{
	copy_name(p->kind, kind, strlen(kind));
	sbuf_reset(&p->text);
	p->nlines = 0;
}

static void part_add(struct ical_part *p, const char *line, size_t len, int no, const char *name)
{
	struct ical_line *l;

	if (p->nlines == p->cap) {
		p->cap = p->cap ? p->cap * 2 : 32;
		p->lines = xrealloc(p->lines, p->cap * sizeof(*p->lines));
	}
	l = &p->lines[p->nlines++];
	l->no = no;
	l->off = p->text.len;
	l->len = len;
	copy_name(l->name, name, strlen(name));
	sbuf_add(&p->text, line, len);
	sbuf_add(&p->text, "\r\n", 2);
}

int ical_part_line(const struct ical_part *p, const char *name, const char *value)
{
	size_t vn = value ? strlen(value) : 0;

	for (size_t i = 0; i < p->nlines; i++) {
		const struct ical_line *l = &p->lines[i];

		if (strcasecmp(l->name, name))
			continue;
		if (!value || memmem(p->text.buf + l->off, l->len, value, vn))
			return l->no;
	}
	return p->nlines ? p->lines[0].no : 1;
}

void ical_reader_init(struct ical_reader *r, FILE *f)
{
	memset(r, 0, sizeof(*r));
	r->f = f;
	ical_part_init(&r->part);
	ical_part_init(&r->cal);
}

void ical_reader_release(struct ical_reader *r)
{
	ical_part_release(&r->part);
	ical_part_release(&r->cal);
	sbuf_release(&r->line);
	sbuf_release(&r->ahead);
	free(r->buf);
}

/* One physical line into sb without its CR LF; 0 at the end, -1 on error
 * (a read error, or a NUL byte: text with one would be cut there). */
static int physical(struct ical_reader *r, struct sbuf *sb, struct err *e)
{
	const char *l;
	ssize_t got;
	size_t n;

	sbuf_reset(sb);
	errno = 0;
	got = getline(&r->buf, &r->cap, r->f);
	if (got < 0) {
		if (ferror(r->f))
			return err_set(e, ERR_FAIL, "read error: %s", strerror(errno));
		return 0;
	}
	n = (size_t)got;
	r->bytes += n;
	r->next_no++;
	if (memchr(r->buf, '\0', n))
		return err_set(e, ERR_USAGE, "line %d: NUL byte", r->next_no);
	if (n && r->buf[n - 1] == '\n') {
		n--;
		if (n && r->buf[n - 1] == '\r')
			n--;
	}
	l = r->buf;
	if (r->next_no == 1 && n >= 3 && !memcmp(l, "\xEF\xBB\xBF", 3)) {
		/* a UTF-8 byte order mark, as Windows editors write one */
		l += 3;
		n -= 3;
	}
	sbuf_add(sb, l, n);
	return 1;
}

/* The next logical line into r->line (r->no: its first line); 0 at the end. */
static int logical(struct ical_reader *r, struct err *e)
{
	int rc;

	if (!r->have_ahead) {
		rc = physical(r, &r->ahead, e);
		if (rc <= 0)
			return rc;
		r->ahead_no = r->next_no;
	}
	sbuf_reset(&r->line);
	sbuf_add(&r->line, r->ahead.buf ? r->ahead.buf : "", r->ahead.len);
	r->no = r->ahead_no;
	r->have_ahead = 0;
	/* Continuation lines start with a space or a tab. */
	while ((rc = physical(r, &r->ahead, e)) > 0) {
		if (r->ahead.len && (r->ahead.buf[0] == ' ' || r->ahead.buf[0] == '\t')) {
			sbuf_add(&r->line, r->ahead.buf + 1, r->ahead.len - 1);
			continue;
		}
		r->have_ahead = 1;
		r->ahead_no = r->next_no;
		break;
	}
	return rc < 0 ? -1 : 1;
}

static bool is_name(const char *s, size_t n)
{
	if (!n)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!isalnum((unsigned char)s[i]) && s[i] != '-')
			return false;
	return true;
}

/* The text after the first unquoted ':' of a line. */
static const char *line_value(const char *l)
{
	bool q = false;

	for (; *l; l++) {
		if (*l == '"')
			q = !q;
		else if (*l == ':' && !q)
			return l + 1;
	}
	return NULL;
}

int ical_reader_next(struct ical_reader *r, struct err *e)
{
	int rc;

	while ((rc = logical(r, e)) > 0) {
		const char *l = r->line.buf, *v;
		size_t nl = strcspn(l, ";:");
		char name[24], kind[24];
		bool begin, end;

		if (!r->line.len)
			continue;
		v = line_value(l);
		if (!is_name(l, nl) || !v)
			return err_set(e, ERR_USAGE, "line %d: not an iCalendar line \"%.*s\"",
				       r->no, (int)(r->line.len > 60 ? 60 : r->line.len), l);
		copy_name(name, l, nl);
		begin = !strcasecmp(name, "BEGIN");
		end = !begin && !strcasecmp(name, "END");
		if (begin || end)
			copy_name(kind, v, r->line.len - (size_t)(v - l));
		if (r->depth == 0 && (!begin || strcasecmp(kind, "VCALENDAR")))
			return err_set(e, ERR_USAGE, "line %d: expected BEGIN:VCALENDAR", r->no);
		if (begin) {
			if (r->depth == (int)(sizeof(r->stack) / sizeof(r->stack[0])))
				return err_set(e, ERR_USAGE, "line %d: components nested too deep",
					       r->no);
			memcpy(r->stack[r->depth].kind, kind, sizeof(kind));
			r->stack[r->depth++].no = r->no;
			if (r->depth == 1) {
				r->ncals++;
				part_reset(&r->cal, "VCALENDAR");
				continue;
			}
			if (r->depth == 2)
				part_reset(&r->part, kind);
			part_add(&r->part, l, r->line.len, r->no, name);
		} else if (end) {
			if (strcasecmp(r->stack[r->depth - 1].kind, kind))
				return err_set(e, ERR_USAGE,
					       "line %d: END:%s inside BEGIN:%s of line %d", r->no,
					       kind, r->stack[r->depth - 1].kind,
					       r->stack[r->depth - 1].no);
			r->depth--;
			if (r->depth == 0) {
				/* the calendar's own lines, for its own checks */
				part_reset(&r->part, "VCALENDAR");
				part_add(&r->part, "BEGIN:VCALENDAR", 15, r->stack[0].no, "BEGIN");
				for (size_t i = 0; i < r->cal.nlines; i++)
					part_add(&r->part, r->cal.text.buf + r->cal.lines[i].off,
						 r->cal.lines[i].len, r->cal.lines[i].no,
						 r->cal.lines[i].name);
				part_add(&r->part, l, r->line.len, r->no, name);
				return ICAL_READ_CALENDAR;
			}
			part_add(&r->part, l, r->line.len, r->no, name);
			if (r->depth == 1)
				return ICAL_READ_PART;
		} else if (r->depth == 1) {
			part_add(&r->cal, l, r->line.len, r->no, name);
		} else {
			part_add(&r->part, l, r->line.len, r->no, name);
		}
	}
	if (rc < 0)
		return -1;
	if (r->depth > 0)
		return err_set(e, ERR_USAGE, "line %d: BEGIN:%s is never ended",
			       r->stack[r->depth - 1].no, r->stack[r->depth - 1].kind);
	if (r->ncals == 0)
		return err_set(e, ERR_USAGE, "not an iCalendar file (no BEGIN:VCALENDAR)");
	return ICAL_READ_END;
}
