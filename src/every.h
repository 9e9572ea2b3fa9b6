/*
 * every.h - a repeat rule in words, the one way a person reads one: the
 * command listings, `event show`, the TUI, the assistant's answers and the
 * confirmations of `remind add` all call it, so a rule reads the same
 * everywhere.  The rule text itself (RRULE, cron) is only for --json and
 * iCalendar export.
 *
 *	char buf[96];
 *	every_words("en", "FREQ=WEEKLY;BYDAY=FR", buf, sizeof(buf))
 *		-> "every Friday"
 *	every_words("ru", "0 16 * * 5", buf, sizeof(buf))
 *		-> "каждую пятницу в 16:00"
 *
 * Rules it reads: an RFC 5545 RRULE ("FREQ=...", with or without
 * "RRULE:"): the frequency and INTERVAL, BYDAY (weekdays, weekdays with a
 * position in the month: "the last Friday"), one BYMONTHDAY, one BYMONTH
 * with it (yearly), one BYHOUR and BYMINUTE (" at 16:00"), COUNT and
 * UNTIL; and a cron expression (cron.h) whose minute and hour are single
 * values, or a step of minutes.  Anything else is given as the rule text,
 * so nothing is ever said wrong.
 */
#ifndef NESTOR_EVERY_H
#define NESTOR_EVERY_H

#include <stdbool.h>
#include <stddef.h>

/* rule in words in lang ("en", "ru"; NULL is English) into buf; returns buf,
 * or NULL when rule is NULL or empty.
 *
 * An UNTIL is said as a date.  A UTC one (ending in Z, as RFC 5545 wants
 * when DTSTART has a zone) is an instant: it is said as its date in the
 * local zone, the one every front shows its times in (TZ, which
 * general.timezone sets; tz_open(NULL)): "UNTIL=20261124T023000Z" is
 * "until 2026-11-23" in New York.  A date (VALUE=DATE) and a floating
 * time (no Z) are said as written. */
const char *every_words(const char *lang, const char *rule, char *buf, size_t len);
/* every_words() of the rule of an event series; all_day: an all-day one,
 * whose UNTIL is said as written even when it is UTC (the expander
 * compares the days with it as written, rrule.h). */
const char *every_words_series(const char *lang, const char *rule, bool all_day, char *buf,
			       size_t len);

/* every_words_series() for the many rules of one listing (an agenda says
 * the rule of each series it shows): a rule that differs from one said
 * before only in the value of its UNTIL or COUNT is not parsed and said
 * again, its end is put after the words of that one.  The memo opens the
 * local zone once, at the first UTC UNTIL: every_memo_init() before its
 * first use, every_memo_release() after its last. */
struct tz;
#define EVERY_MEMO_N	 16
#define EVERY_MEMO_BYTES 128
struct every_memo {
	struct {
		char key[EVERY_MEMO_BYTES];   /* the rule without the value */
		char words[EVERY_MEMO_BYTES]; /* its words without the end */
		unsigned short keylen, cut;   /* cut: where the value was */
		unsigned short wlen;	      /* the length of words */
		bool ru;
		bool until; /* the value is the rule's last, of its UNTIL */
	} v[EVERY_MEMO_N];
	unsigned n, next;
	struct tz *zone; /* the local zone, once a UTC UNTIL needs it */
	long lo, hi;	 /* its least and greatest offset (tz_offset_range()) */
	bool ranged;	 /* lo and hi known */
};
void every_memo_init(struct every_memo *m);
void every_memo_release(struct every_memo *m);
const char *every_words_memo(struct every_memo *m, const char *lang, const char *rule, bool all_day,
			     char *buf, size_t len);
/* every_words_memo() that also gives the length of the words (*n), or
 * NULL as it does. */
const char *every_words_memo_n(struct every_memo *m, const char *lang, const char *rule,
			       bool all_day, char *buf, size_t len, size_t *n);

#endif
