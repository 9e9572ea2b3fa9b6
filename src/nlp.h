/*
 * nlp.h - the words of a request, for the offline intent parser.
 *
 * nlp_split() cuts a sentence into words, each kept twice: as typed (minus
 * surrounding punctuation) for titles and place names, and normalised
 * (lowercase in English and Russian, ё as е, common typos fixed:
 * "tommorow" -> "tomorrow") for matching.  The parser marks the words it
 * has consumed (a verb, a date, a duration) and what is left is the text
 * of a reminder, a task or an event.
 */
#ifndef NESTOR_NLP_H
#define NESTOR_NLP_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "when.h"

struct nlp_word {
	char *orig; /* as typed */
	char *norm; /* for matching */
	bool used;  /* consumed by the parser */
};

struct nlp {
	struct nlp_word *w;
	size_t n;
	struct tz *zone; /* days and times are read in (NULL: the local zone) */
	/* nlp_when() left a word saying a time or a day next to the date it
	 * read ("ночи" of "в 6 ночи", "next week" after "wednesday"): the date
	 * may be misread, and the parser asks (intent_stray_date()) */
	bool doubt;
};

void nlp_split(struct nlp *s, const char *text);
void nlp_release(struct nlp *s);

/* Numbers said as words (nlp_split() calls it): a count before a unit
 * ("two hours", "на два часа") and an hour after a word that gives one
 * ("at ten", "в пять", "from nine to five") get digits as their norm; a
 * time of day in words ("at five thirty", "в девять тридцать", "quarter
 * to six", "half past 5", "полшестого", "без четверти шесть") becomes one
 * word whose norm is "5:30", "5:45", its orig the words as typed. */
void nlp_number_words(struct nlp *s);
/* Whether a normalised word is a number or part of a time said in words
 * ("thirty", "quarter", "половине"). */
bool nlp_number_word(const char *w);
/* The seconds in a unit word ("hours", "мин", "дней"), 0 when it is none. */
long nlp_unit_secs(const char *u);

/* Lowercase ASCII and Cyrillic (ё -> е); a new string. */
char *nlp_lower(const char *text);
/* Whether text has a Cyrillic letter: the request is Russian. */
bool nlp_is_russian(const char *text);

/* The index of the first unused word whose norm equals one of the
 * NULL-terminated words (or starts with one ending in '*'), from index
 * from on; -1 when none. */
int nlp_find(const struct nlp *s, size_t from, const char *const *words);
/* Whether word i matches one of words (same rules). */
bool nlp_is(const struct nlp *s, size_t i, const char *const *words);
/* Whether the unused words from i on start with the phrase (norms separated
 * by spaces); marks them used when so and mark is set.  *end gets the index
 * after the phrase when not NULL. */
bool nlp_phrase(struct nlp *s, size_t i, const char *phrase, bool mark, size_t *end);
/* Mark the words [from, to) used. */
void nlp_use(struct nlp *s, size_t from, size_t to);
/* Index of the next unused word at or after i, or s->n. */
size_t nlp_next(const struct nlp *s, size_t i);
/* How many words are unused. */
size_t nlp_left(const struct nlp *s);

/* The unused words in [from, to), as typed (orig) or normalised, joined by
 * spaces; NULL when there are none. */
char *nlp_text(const struct nlp *s, size_t from, size_t to, bool orig);

/* A time of day at word i: "17:00", "5pm", "5 pm", "9.30", "9" (only when
 * bare is set: after "at" or "в"), "noon", "полдень".  Sets minutes after
 * midnight and how many words it took; false when there is none. */
bool nlp_clock(const struct nlp *s, size_t i, bool bare, int *minutes, size_t *len);

/* A duration at word i: "1h", "90m", "1h30m", "2 hours", "30 minutes",
 * "an hour", "half an hour", "час", "полчаса", "1 час", "10 минут",
 * "2 days".  Returns 1 and sets seconds and how many words it took; 0 when
 * there is none; -1 when the words are a duration beyond what
 * when_parse_duration() accepts (a count over 100000, more than 1e11
 * seconds): *len is set, *secs is not, and the words as typed are what to
 * hand a tool, so that its error says what was wrong. */
int nlp_duration(const struct nlp *s, size_t i, long *secs, size_t *len);
/* A duration as when_parse_duration() reads it back: "10m", "1h", "1h30m". */
void nlp_duration_text(long secs, char *buf, size_t len);

/* Words a date phrase hangs from ("at", "on", "by", "due", "в", "на", "к"). */
extern const char *const nlp_connectors[];

/* The longest run of unused words in [from, to) that when_parse_in() accepts
 * in s->zone
 * (the earliest of equal length); a second run in the rest is combined with
 * it when the two parse together ("5pm ... tomorrow").  The words are marked
 * used, with a connector just before them ("at", "on", "by", "в", "на").
 * A lone "morning", "afternoon", "evening" or "night" before a noun is a
 * title word ("morning run", "night shift"), never a time.  Sets s->doubt.
 * false when there is no date. */
bool nlp_when(struct nlp *s, size_t from, size_t to, time_t now, struct when *w);

#endif
