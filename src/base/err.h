/*
 * err.h - how nestor reports failures.
 *
 * A function that can fail returns 0 on success and -1 on failure, and fills
 * a caller-provided struct err with a code and a one-line message (lowercase,
 * no final period, subject quoted: `unable to open '/x/y'`).  Only a front
 * (CLI, REPL, TUI) shows the message; the engine never prints.
 */
#ifndef NESTOR_ERR_H
#define NESTOR_ERR_H

#include <stdarg.h>

enum err_code {
	ERR_OK = 0,
	ERR_FAIL = 1,	  /* runtime failure: exit 1 */
	ERR_USAGE = 2,	  /* bad arguments or input: exit 2 */
	ERR_NOTFOUND = 3, /* unknown id: exit 1 */
};

struct err {
	int code;
	char msg[512];
};

/* Set code and message; always returns -1 so callers can `return err_set(...)`. */
int err_set(struct err *e, int code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
int err_vset(struct err *e, int code, const char *fmt, va_list ap);
/* Put "PREFIX: " in front of the current message. */
void err_prefix(struct err *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void err_clear(struct err *e);

/* Exit status for an error code: 2 for usage errors, 1 for the rest. */
int err_exit_status(const struct err *e);

#endif
