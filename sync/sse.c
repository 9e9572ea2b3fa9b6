#include "sse.h"

#include <string.h>

void sse_init(struct sse_parser *p, sse_event_fn fn, void *arg)
{
	memset(p, 0, sizeof(*p));
	p->on_event = fn;
	p->arg = arg;
	sbuf_init(&p->line);
	sbuf_init(&p->data);
	sbuf_init(&p->type);
}

void sse_release(struct sse_parser *p)
{
	sbuf_release(&p->line);
	sbuf_release(&p->data);
	sbuf_release(&p->type);
}

static int dispatch(struct sse_parser *p)
{
	int rc = 0;

	if (p->have_data) {
		p->events++;
		rc = p->on_event(p->arg, p->type.len ? p->type.buf : "message",
				 p->data.buf ? p->data.buf : "", p->data.len);
	}
	p->have_data = false;
	sbuf_reset(&p->data);
	sbuf_reset(&p->type);
	return rc;
}

/* One line without its terminator. */
static int process_line(struct sse_parser *p, const char *line, size_t len)
{
	const char *colon, *value;
	size_t flen, vlen;

	if (len == 0)
		return dispatch(p);
	if (line[0] == ':')
		return 0;
	colon = memchr(line, ':', len);
	flen = colon ? (size_t)(colon - line) : len;
	value = colon ? colon + 1 : line + len;
	vlen = len - (size_t)(value - line);
	if (vlen && *value == ' ') {
		value++;
		vlen--;
	}
	if (flen == 4 && !memcmp(line, "data", 4)) {
		if (p->max_event && p->data.len + vlen + 1 > p->max_event) {
			p->too_big = true;
			return -1;
		}
		if (p->have_data)
			sbuf_add(&p->data, "\n", 1);
		sbuf_add(&p->data, value, vlen);
		p->have_data = true;
	} else if (flen == 5 && !memcmp(line, "event", 5)) {
		sbuf_reset(&p->type);
		sbuf_add(&p->type, value, vlen);
	}
	return 0;
}

/* The first CR or LF in [s, end), or NULL: one pass (looking for LF first,
 * then for CR before it, read the rest of the piece again at every bare
 * CR: a piece of CRs took quadratic time). */
static const char *line_end(const char *s, const char *end)
{
	for (; s < end; s++)
		if (*s == '\n' || *s == '\r')
			return s;
	return NULL;
}

int sse_feed(struct sse_parser *p, const char *buf, size_t n)
{
	const char *s = buf, *end = buf + n;
	int rc;

	if (p->too_big)
		return -1;
	if (n && p->skip_lf) {
		p->skip_lf = false;
		if (*s == '\n')
			s++;
	}
	while (s < end) {
		size_t rem = (size_t)(end - s);
		const char *eol = line_end(s, end);

		if (!eol) {
			if (p->max_event && p->line.len + rem > p->max_event) {
				p->too_big = true;
				return -1;
			}
			sbuf_add(&p->line, s, rem);
			break;
		}
		if (p->line.len) {
			sbuf_add(&p->line, s, (size_t)(eol - s));
			rc = process_line(p, p->line.buf, p->line.len);
			sbuf_reset(&p->line);
		} else {
			rc = process_line(p, s, (size_t)(eol - s));
		}
		s = eol + 1;
		if (*eol == '\r') {
			if (s < end && *s == '\n')
				s++;
			else if (s == end)
				p->skip_lf = true;
		}
		if (rc)
			return rc;
	}
	return 0;
}

int sse_finish(struct sse_parser *p)
{
	int rc = 0;

	if (p->too_big)
		return -1;
	if (p->line.len) {
		rc = process_line(p, p->line.buf, p->line.len);
		sbuf_reset(&p->line);
	}
	if (!rc)
		rc = dispatch(p);
	return rc;
}
