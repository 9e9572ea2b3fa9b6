/*
 * intent-impl.h - what the parts of the intent parser share: the parser of
 * each domain (src/intent-<domain>.c) and the helpers that build an intent.
 */
#ifndef NESTOR_INTENT_IMPL_H
#define NESTOR_INTENT_IMPL_H

#include <stdbool.h>

#include "intent.h"
#include "nlp.h"

/* Domain parsers, tried in order by intent_parse(): each claims the
 * sentence (fills in, returns true) or returns false leaving it unchanged
 * apart from the used marks. */
bool intent_routine_add(struct nlp *s, struct intent *in, time_t now);
bool intent_day_brief(struct nlp *s, struct intent *in, time_t now);
bool intent_task_recap(struct nlp *s, struct intent *in, time_t now);
bool intent_routine_list(struct nlp *s, struct intent *in, time_t now);
bool intent_time_convert(struct nlp *s, struct intent *in, time_t now);
bool intent_time_now(struct nlp *s, struct intent *in, time_t now);
bool intent_weather(struct nlp *s, struct intent *in, time_t now);
bool intent_reminder_snooze(struct nlp *s, struct intent *in, time_t now);
bool intent_cancel(struct nlp *s, struct intent *in, time_t now);
bool intent_reminder_list(struct nlp *s, struct intent *in, time_t now);
bool intent_reminder_add(struct nlp *s, struct intent *in, time_t now);
bool intent_task_done(struct nlp *s, struct intent *in, time_t now);
bool intent_task_list(struct nlp *s, struct intent *in, time_t now);
bool intent_task_add(struct nlp *s, struct intent *in, time_t now);
bool intent_calendar_edit(struct nlp *s, struct intent *in, time_t now);
bool intent_calendar_search(struct nlp *s, struct intent *in, time_t now);
bool intent_calendar_agenda(struct nlp *s, struct intent *in, time_t now);
bool intent_calendar_add(struct nlp *s, struct intent *in, time_t now);

/* Make in a call of tool (args created empty when missing). */
void intent_tool(struct intent *in, const char *tool);
/* Make in a question about what is missing (drops args and match). */
void intent_clarify(struct intent *in, enum intent_need need);
/* Say that at, a time today, has passed (NEED_PAST) instead of storing it;
 * match is "08:00", or "08:00 or 20:00" when the evening's is still ahead. */
void intent_clarify_past(struct intent *in, struct tz *z, time_t at, time_t now);
/* args[key] = ISO 8601 time / YYYY-MM-DD date, in in->zone. */
void intent_arg_time(struct intent *in, const char *key, time_t t);
void intent_arg_date(struct intent *in, const char *key, time_t t);
/* args[key] = the time minutes after midnight of t's day, t being its
 * instant: t's ISO 8601 time, or, when t's clock shows another time (a time
 * inside a spring-forward gap, taken later), the time as written without an
 * offset, so that a series keeps it (event.h, wall_start). */
void intent_arg_wall(struct intent *in, const char *key, time_t t, int minutes);

/* Whether the first unused words are one of the phrases (longest listed
 * first); marks them used when so. */
bool intent_lead(struct nlp *s, const char *const *phrases);
/* Whether one of the phrases appears anywhere among unused words; marks it. */
bool intent_anywhere(struct nlp *s, const char *const *phrases);
/* Mark every unused word that is one of words. */
void intent_drop(struct nlp *s, const char *const *words);
/* Drop articles and the lead words from the start of the unused words and
 * the trail words from their end. */
void intent_trim(struct nlp *s, const char *const *lead, const char *const *trail);
/* A positive integer at word i. */
bool intent_number(const struct nlp *s, size_t i, long long *id);
/* The first unused number becomes args.id; false when there is none. */
bool intent_take_id(struct nlp *s, struct intent *in);
/* The unused words as typed become in->match (false when none are left). */
bool intent_take_match(struct nlp *s, struct intent *in);

/* Priority words anywhere among the unused words ("high priority",
 * "urgent", "важно", "с низким приоритетом"), marked: 9 urgent, 7 high,
 * 5 medium, 1 low; 0 when none was said. */
int intent_priority(struct nlp *s);
/* Whether an unused word looks like a date or time that was not understood
 * ("31.02", "5/13", "32-го"), or nlp_when() left a time word next to the
 * date it read (s->doubt): such a word is never left in a title. */
bool intent_stray_date(const struct nlp *s);
/* Words that say the name comes next ("called standup", "под названием"):
 * when one is among the unused words, it and the unused words before it
 * are marked, so the name is what follows. */
void intent_called(struct nlp *s);

/* A recurrence phrase among the unused words ("every monday", "по будням")
 * through when_parse_rule(); marks it and returns the RRULE (caller frees),
 * or NULL. */
char *intent_recur(struct nlp *s);
/* "every evening at 9", "каждый вечер в 9" among the unused words: true
 * for a daily rule.  "every" is marked; the part of the day is left, in
 * the form the date parser reads ("вечер" as "вечером"), for nlp_when() to
 * read with the hour: 21:00. */
bool intent_daily_part(struct nlp *s);
/* "except weekends", "кроме субботы и воскресенья" among the unused words:
 * a daily rule (or a weekly one on some days, *rule) narrowed to the other
 * days of the week, the words marked: 1; 0 when no days are excepted; -1
 * when they cannot be (no rule, or no day left). */
int intent_except(struct nlp *s, char **rule);
/* Whether a repeat word is left unread before a day, a unit or an ordinal
 * ("every third thursday", "каждый третий четверг", "except sundays" with
 * no rule): such a request is asked about, never made a one-off with the
 * words in its text. */
bool intent_stray_repeat(const struct nlp *s);
/* The first time after now at minutes past midnight, on or after the day
 * of from, on a day rule allows (its BYDAY, or any day); a rule repeating
 * within a day (hourly, every 15 minutes) steps from that time instead. */
time_t intent_first(struct tz *z, const char *rule, time_t from, int minutes, time_t now);
/* The step in seconds of a rule repeating within a day (FREQ=HOURLY,
 * MINUTELY, SECONDLY with its INTERVAL), 0 for any other. */
long intent_rule_step(const char *rule);
/* A period phrase among the unused words ("this week", "на выходных",
 * "next month"), marked and resolved to midnights in s->zone [from, to). */
bool intent_period(struct nlp *s, time_t now, time_t *from, time_t *to);
/* The day of t in z (NULL: local) moved by days, at minutes past midnight. */
time_t intent_day(struct tz *z, time_t t, int days, int minutes);
/* Whether at, read from w, has passed but the same time 12 hours later has
 * not, on the same day, and w's hour had no am/pm and was read as the
 * morning (when.h's other_half): "at 8" said at 18:30 is 20:00. */
bool intent_evening(const struct nlp *s, const struct when *w, time_t at, time_t now);
/* at, read from w, moved out of the past when w is a time without a date:
 * to the evening by intent_evening(), else to tomorrow ("at 7" said at
 * 21:00); any other at as it is. */
time_t intent_upcoming(const struct nlp *s, const struct when *w, time_t at, time_t now);

#endif
