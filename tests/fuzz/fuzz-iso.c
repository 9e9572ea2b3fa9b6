/* The times NESTOR_NOW is given as (src/base/wallclock.c: parse_iso,
 * parse_epoch, wallclock_init): each input is the variable's value.  An
 * ISO time is taken only in the shape wallclock.h states,
 * YYYY-MM-DDTHH:MM[:SS] then Z or +HH:MM / -HH:MM, all digits where digits
 * go, and only for a date and time that exist: the instant it gives, read
 * back at its offset, is the same fields.  wallclock_init takes what those
 * take (TIME or TIME@REAL) and refuses the rest with a usage error naming
 * the variable.
 *
 * The parsers are static: wallclock.c is compiled in here. */
#include "wallclock.c"

#include "fuzz.h"

#include <ctype.h>
#include <stdbool.h>

static void fail(const char *what, const char *s, size_t len)
{
	fprintf(stderr, "fuzz: iso: %s: [%.*s]\n", what, (int)len, s);
	abort();
}

static bool all_digits(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!isdigit((unsigned char)s[i]))
			return false;
	return true;
}

static int number(const char *s, size_t n)
{
	int v = 0;

	for (size_t i = 0; i < n; i++)
		v = v * 10 + (s[i] - '0');
	return v;
}

/* An accepted ISO time: its shape, and the instant back as its fields. */
static void check_iso(const char *s, size_t len, time_t t)
{
	size_t at = 16;
	long off = 0;
	int sec = 0;
	struct tm tm;
	time_t local;

	if (len < 17 || !all_digits(s, 4) || s[4] != '-' || !all_digits(s + 5, 2) || s[7] != '-' ||
	    !all_digits(s + 8, 2) || s[10] != 'T' || !all_digits(s + 11, 2) || s[13] != ':' ||
	    !all_digits(s + 14, 2))
		fail("accepted out of shape", s, len);
	if (s[at] == ':') {
		if (len < 20 || !all_digits(s + 17, 2))
			fail("accepted with bad seconds", s, len);
		sec = number(s + 17, 2);
		at = 19;
	}
	if (s[at] == 'Z' && at + 1 == len) {
		off = 0;
	} else if ((s[at] == '+' || s[at] == '-') && at + 6 == len && all_digits(s + at + 1, 2) &&
		   s[at + 3] == ':' && all_digits(s + at + 4, 2)) {
		off = (number(s + at + 1, 2) * 3600L + number(s + at + 4, 2) * 60L) *
		      (s[at] == '-' ? -1 : 1);
	} else {
		fail("accepted with a bad zone", s, len);
	}
	local = t + off;
	if (!gmtime_r(&local, &tm) || tm.tm_year + 1900 != number(s, 4) ||
	    tm.tm_mon + 1 != number(s + 5, 2) || tm.tm_mday != number(s + 8, 2) ||
	    tm.tm_hour != number(s + 11, 2) || tm.tm_min != number(s + 14, 2) || tm.tm_sec != sec)
		fail("accepted a time that does not exist", s, len);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *s = (const char *)data;
	const char *at = memchr(s, '@', size);
	size_t len = at ? (size_t)(at - s) : size;
	struct err e = { 0, "" };
	time_t t = 0, real = 0;
	bool iso, ok;
	char *v;
	int rc;

	iso = parse_iso(s, len, &t) == 0;
	if (iso)
		check_iso(s, len, t);
	ok = parse_epoch(s, len, &t) == 0 || iso;
	if (!memchr(s, '\0', size) && size) {
		ok = ok && (!at || parse_epoch(at + 1, size - len - 1, &real) == 0);
		v = fuzz_text(data, size);
		setenv("NESTOR_NOW", v, 1);
		rc = wallclock_init(&e);
		if (rc != (ok ? 0 : -1))
			fail(ok ? "wallclock_init refused a good time"
				: "wallclock_init took a bad time",
			     s, size);
		if (rc < 0 && (e.code != ERR_USAGE || strncmp(e.msg, "NESTOR_NOW: bad time", 20)))
			fail("a refusal that does not name NESTOR_NOW", s, size);
		free(v);
	}
	return 0;
}
