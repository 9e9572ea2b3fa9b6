/*
 * intent.h - the offline intent parser: a sentence in English or Russian to
 * one tool call.
 *
 * intent_parse() is deterministic and pure: it reads the text and `now`
 * (for date phrases, through when_parse()) and returns which tool to call
 * with which arguments, in the argument conventions of tool.h.  Times are
 * ISO 8601 with the offset of the zone read in (render_time_in()), dates YYYY-MM-DD,
 * durations "10m"/"1h"/"1h30m", recurrence an RRULE ("FREQ=WEEKLY;BYDAY=MO").
 *
 * When the request names a thing by its words rather than its id ("cancel
 * the reminder about mom"), args has no "id" and match holds the words; the
 * backend looks them up and asks which one when several match.  It never
 * guesses: what it does not understand is INTENT_UNKNOWN, and a request
 * missing something (a reminder without a time) is INTENT_CLARIFY.
 */
#ifndef NESTOR_INTENT_H
#define NESTOR_INTENT_H

#include <cjson/cJSON.h>
#include <time.h>

struct tz;

enum intent_kind {
	INTENT_TOOL,	 /* call tool with args */
	INTENT_HELP,	 /* "help", "what can you do" */
	INTENT_GREETING, /* "hi", "привет" */
	INTENT_THANKS,	 /* "thanks", "спасибо" */
	INTENT_CONFIRM,	 /* "yes", "да": to the question asked before */
	INTENT_DENY,	 /* "no", "нет" */
	INTENT_CLARIFY,	 /* understood, but something is missing: see need */
	INTENT_UNKNOWN,	 /* not understood */
};

enum intent_need {
	NEED_NONE,
	NEED_WHEN,  /* a reminder or event without a time */
	NEED_WHAT,  /* a reminder or task without its text */
	NEED_WHICH, /* "cancel X" naming neither a reminder nor an event: match
		     * holds X when it is words, for the backend to look up */
	NEED_OFTEN, /* a routine repeating more often than one may
		     * (ROUTINE_MINUTES_MIN) */
	NEED_PAST,  /* a reminder or event today at a time already past
		     * ("today at 8" said at 20:30): match holds it, "08:00" */
};

struct intent {
	enum intent_kind kind;
	const char *lang;      /* "en" or "ru": the language of the request */
	const char *tool;      /* INTENT_TOOL: the tool's name (tool.h) */
	cJSON *args;	       /* INTENT_TOOL: its arguments (an object) */
	char *match;	       /* words naming the thing to act on, or NULL */
	enum intent_need need; /* INTENT_CLARIFY: what is missing */
	struct tz *zone;       /* the zone the text was read in (NULL: local) */
};

/* Parse text.  assistants is a NULL-terminated list of the names of the
 * assistants one may ask ("ask coder ..."), or NULL. */
void intent_parse(const char *text, time_t now, const char *const *assistants, struct intent *out);
/* The same with days and times read, and args written, in zone z (tz.h;
 * NULL: the local zone): "at 9" is 09:00 in z. */
void intent_parse_in(const char *text, time_t now, struct tz *z, const char *const *assistants,
		     struct intent *out);
void intent_release(struct intent *in);

/* The intent as one line for tests and logs: "TOOL k=v k=v [match=...]",
 * or "unknown", "help", "greeting", "thanks", "yes", "no",
 * "clarify:when|what|which|past"
 * (with " match=..." when words were kept).
 * Keys are sorted; the caller frees the string. */
char *intent_format(const struct intent *in);

/* The answer to "which one?": 1 for "the first one", "1st", "первую", 2
 * for "the second", "вторую"... up to 5; 0 when the text is not just an
 * ordinal. */
int intent_ordinal(const char *text);
/* The answer to "this one or all?": 1 "this one", "только это"; 2 "all",
 * "всю серию"; 0 when it is neither (or both). */
int intent_scope_answer(const char *text);

#endif
