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

#include <stddef.h>

/* rule in words in lang ("en", "ru"; NULL is English) into buf; returns buf,
 * or NULL when rule is NULL or empty. */
const char *every_words(const char *lang, const char *rule, char *buf, size_t len);

#endif
