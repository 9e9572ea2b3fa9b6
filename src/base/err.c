#include "err.h"
#include "utf8.h"

#include <stdio.h>
#include <string.h>

int err_vset(struct err *e, int code, const char *fmt, va_list ap)
{
	if (!e)
		return -1;
	e->code = code ? code : ERR_FAIL;
	vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
	/* UTF-8 and one line, whatever the text it echoes holds */
	utf8_fit(e->msg, sizeof(e->msg));
	utf8_escape_controls(e->msg, sizeof(e->msg));
	return -1;
}

int err_set(struct err *e, int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	err_vset(e, code, fmt, ap);
	va_end(ap);
	return -1;
}

void err_prefix(struct err *e, const char *fmt, ...)
{
	char pre[256], old[sizeof(e->msg)];
	va_list ap;

	if (!e)
		return;
	va_start(ap, fmt);
	vsnprintf(pre, sizeof(pre), fmt, ap);
	va_end(ap);
	memcpy(old, e->msg, sizeof(old));
	/* Truncation is fine here: the message stays one readable line. */
	if (snprintf(e->msg, sizeof(e->msg), "%s: %.*s", pre, utf8_prec(old, sizeof(e->msg) / 2),
		     old) < 0)
		e->msg[0] = '\0';
	utf8_fit(e->msg, sizeof(e->msg));
	utf8_escape_controls(e->msg, sizeof(e->msg));
}

void err_clear(struct err *e)
{
	if (e) {
		e->code = ERR_OK;
		e->msg[0] = '\0';
	}
}

int err_exit_status(const struct err *e)
{
	return e->code == ERR_USAGE ? 2 : 1;
}
