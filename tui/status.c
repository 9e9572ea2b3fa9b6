/* The status line. */
#include "status.h"
#include "theme.h"
#include "wrap.h"
#include "sbuf.h"
#include "xalloc.h"

#include <stdlib.h>
#include <string.h>

/* sb's text fit to draw on one line (wrap_clean(): no control or bidi
 * character, U+FFFD for what is not UTF-8; a newline as a space), in
 * place: a notice may quote outside data (an error message, a name). */
static void one_line(struct sbuf *sb)
{
	char *t = wrap_clean(sb->buf ? sb->buf : "", false);

	for (char *p = t; *p; p++)
		if (*p == '\n')
			*p = ' ';
	sbuf_reset(sb);
	sbuf_adds(sb, t);
	free(t);
}

void status_draw(WINDOW *w, const struct status_info *s)
{
	struct sbuf left = SBUF_INIT, right = SBUF_INIT;
	int width = getmaxx(w), lw, rw;
	char clock[16];
	struct tm tm;

	localtime_r(&s->now, &tm);
	strftime(clock, sizeof(clock), "%H:%M", &tm);
	sbuf_addf(&left, " %s (%s)", s->assistant, s->backend);
	if (s->conversation > 0)
		sbuf_addf(&left, " | #%lld", s->conversation);
	else
		sbuf_adds(&left, " | new");
	if (s->notice)
		sbuf_addf(&left, " | %s", s->notice);
	else if (s->busy)
		sbuf_adds(&left, " | replying... Esc cancels");
	else if (s->scrolled)
		sbuf_adds(&left, " | scrolled back: PgDn");
	else
		sbuf_adds(&left, " | F1 help");
	if (s->attention)
		sbuf_adds(&right, "! nestor status | ");
	if (s->sched)
		sbuf_addf(&right, "%s | ", s->sched);
	if (s->sync)
		sbuf_addf(&right, "%s | ", s->sync);
	sbuf_addf(&right, "%s ", clock);
	one_line(&left);
	one_line(&right);

	werase(w);
	wbkgdset(w, ' ' | theme_attr(TH_STATUS));
	werase(w);
	wattrset(w, theme_attr(TH_STATUS));
	rw = wrap_width(right.buf, right.len);
	if (rw > width / 2) {
		sbuf_release(&right);
		sbuf_addf(&right, "%s ", clock);
		rw = wrap_width(right.buf, right.len);
	}
	lw = width - rw - 1;
	if (lw > 0) {
		size_t fit = wrap_fit(left.buf, left.len, lw, NULL);

		if (s->notice && s->notice_error)
			wattr_on(w, theme_attr(TH_ERROR) & ~A_COLOR, NULL);
		mvwaddnstr(w, 0, 0, left.buf, (int)fit);
	}
	if (rw < width)
		mvwaddnstr(w, 0, width - rw, right.buf, (int)right.len);
	wattrset(w, A_NORMAL);
	sbuf_release(&left);
	sbuf_release(&right);
}
