/*
 * answer.h - what the offline assistant says, in English or Russian.
 *
 * Replies are composed from tool results (the shapes of tool.h), short and
 * natural: "Reminder 4 set for tomorrow 17:00: call mom" /
 * "Напоминание 4: завтра в 17:00 — позвонить маме".  Every function
 * returns a new string; lang is "en" or "ru"; days and times are said in
 * zone z (tz.h; NULL: the local zone), the person's (tool.h, tool_ctx).
 */
#ifndef NESTOR_ANSWER_H
#define NESTOR_ANSWER_H

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "intent.h"

struct tz;

/* A thing the request may mean, when several match. */
struct answer_choice {
	long long id;
	char *label; /* "tomorrow 17:00 call mom" */
};

/* What nestor can do, with examples. */
char *answer_help(const char *lang);
/* "I didn't understand ..." and the help. */
char *answer_unknown(const char *lang, const char *text);
char *answer_greeting(const char *lang);
char *answer_thanks(const char *lang);
/* The open question dropped ("never mind"): nothing was changed. */
char *answer_dropped(const char *lang);
/* A question for what the request lacks; match is the intent's (for
 * NEED_PAST the time that has passed, "08:00"), or NULL. */
char *answer_clarify(const char *lang, enum intent_need need, const char *match);
/* Several things match the words: which one?  No action was taken. */
char *answer_which(const char *lang, const char *tool, const char *match,
		   const struct answer_choice *c, size_t n);
/* Nothing matches the words. */
char *answer_nomatch(const char *lang, const char *tool, const char *match);
/* The reply to a tool's result (or its {"error"} when it failed); a
 * calendar tool's times are said in the local zone, z or not (the
 * calendar is the device's). */
char *answer_result(const char *lang, const char *tool, const cJSON *result, time_t now,
		    struct tz *z);
/* The same with a calendar tool's times said in z too (the day brief's
 * events, of the user's day). */
char *answer_result_in(const char *lang, const char *tool, const cJSON *result, time_t now,
		       struct tz *z);

/* day_brief, task_recap, routine_add and routine_list (answer-brief.c):
 * the parts of a brief that could not be had are said, not hidden. */
char *answer_brief(const char *lang, const char *tool, const cJSON *result, time_t now,
		   struct tz *z);
/* The question before a routine is made from a sentence: "Create a
 * routine: every weekday, first tomorrow 08:00: "my day"?  Say yes...".
 * args are routine_add's. */
char *answer_routine_confirm(const char *lang, const cJSON *args, time_t now, struct tz *z);
/* "yes" or "no" said with nothing to confirm, or "no" to a routine. */
char *answer_nothing_to_confirm(const char *lang);
char *answer_declined(const char *lang);

/* A rule in words, every_words_series() (every.h) plus the time: "every
 * Friday at 16:00", "каждый понедельник в 10:00", "every 2 weeks";
 * minutes (past midnight, or -1) adds the time to daily and weekly rules
 * whose words do not say one; all_day: the rule of an all-day series.  A
 * rule the words cannot say is given as it is.  Caller frees. */
char *answer_recurrence(const char *lang, const char *rule, bool all_day, int minutes);
/* What was stored, in full: "Thu 26 Nov 2026 17:00 (tomorrow)", "чт, 26
 * ноября 2026, в 17:00 (завтра)"; a date alone without the time. */
void answer_stored_when(const char *lang, const char *iso, time_t now, struct tz *z, char *buf,
			size_t len);

/* An ISO 8601 string as a time for people (reltime.h, RELTIME_PROSE):
 * "tomorrow 17:00", "пт, 27 ноября, в 10:00"; "?" when it does not parse. */
void answer_when_iso(const char *lang, const char *iso, time_t now, struct tz *z, char *buf,
		     size_t len);

#endif
