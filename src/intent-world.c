/* Intents about the world: the time somewhere, converting a time, the weather. */
#include "intent-impl.h"
#include "xalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const place_preps[] = { "in", "at", "for", "в", "во", "для", NULL };
static const char *const now_words[] = { "right now", "now", "currently", "there",
					 "сейчас",    "там", "today",	  NULL };

/* The unused words as typed, as args[key]; false when none are left. */
static bool take_place(struct nlp *s, struct intent *in, const char *key)
{
	char *place;

	intent_trim(s, place_preps, NULL);
	place = nlp_text(s, 0, s->n, true);
	if (!place)
		return false;
	cJSON_AddStringToObject(in->args, key, place);
	free(place);
	return true;
}

bool intent_time_now(struct nlp *s, struct intent *in, time_t now)
{
	static const char *const lead[] = {
		"what time is it",
		"what's the time",
		"what is the time",
		"what time it is",
		"what's the current time",
		"what is the current time",
		"the current time",
		"current time",
		"the time",
		"local time",
		"time now",
		"time",
		"который сейчас час",
		"который час",
		"сколько сейчас времени",
		"сколько времени",
		"сколько время",
		"какое сейчас время",
		"какое время",
		"текущее время",
		"время",
		NULL,
	};

	(void)now;
	if (!intent_lead(s, lead))
		return false;
	intent_anywhere(s, now_words);
	intent_tool(in, "time_now");
	take_place(s, in, "place");
	return true;
}

/* "15:00 Berlin to Tokyo", "convert 3pm from London to New York",
 * "15:00 по Москве в Токио", "переведи 15:00 из Берлина в Токио". */
bool intent_time_convert(struct nlp *s, struct intent *in, time_t now)
{
	static const char *const lead[] = { "convert",	     "what is",	 "what's",
					    "what will be",  "переведи", "перевести",
					    "сколько будет", NULL };
	static const char *const split[] = { "to", "into", "in", "в", "во", "на", NULL };
	static const char *const from_lead[] = { "from", "in", "at", "из", "по", "в", "во", NULL };
	static const char *const zone_words[] = { "time", "времени", "время", NULL };
	size_t b, len, k, last = 0;
	int minutes;
	char hhmm[24];
	char *from, *to;

	(void)now;
	intent_lead(s, lead);
	b = nlp_next(s, 0);
	if (!nlp_clock(s, b, false, &minutes, &len))
		return false;
	nlp_use(s, b, b + len);
	intent_drop(s, zone_words);
	/* the last separator with a place on each side */
	for (k = b + len + 1; k + 1 < s->n; k++)
		if (!s->w[k].used && nlp_is(s, k, split) && nlp_next(s, k + 1) < s->n)
			last = k;
	if (!last)
		return false;
	s->w[last].used = true;
	for (size_t i = b + len; i < s->n && nlp_is(s, nlp_next(s, i), from_lead); i++) {
		s->w[nlp_next(s, i)].used = true;
		break;
	}
	from = nlp_text(s, 0, last, true);
	to = nlp_text(s, last, s->n, true);
	if (!from || !to) {
		free(from);
		free(to);
		return false;
	}
	intent_tool(in, "time_convert");
	snprintf(hhmm, sizeof(hhmm), "%02d:%02d", minutes / 60, minutes % 60);
	cJSON_AddStringToObject(in->args, "time", hhmm);
	cJSON_AddStringToObject(in->args, "from", from);
	cJSON_AddStringToObject(in->args, "to", to);
	free(from);
	free(to);
	return true;
}

bool intent_weather(struct nlp *s, struct intent *in, time_t now)
{
	static const char *const keys[] = {
		"weather",  "forecast", "temperature", "rain",	      "raining", "snow",
		"snowing",  "umbrella", "sunny",       "погода",      "погоду",	 "погоды",
		"погоде",   "прогноз",	"температура", "температуру", "дождь",	 "снег",
		"градусов", "зонт",	"зонтик",      NULL,
	};
	static const char *const fillers[] = {
		"what's", "what",	 "is",	  "the",     "like",	"how",	"will",	  "it",
		"be",	  "going",	 "to",	  "me",	     "current", "a",	"there",  "do",
		"i",	  "need",	 "an",	  "outside", "get",	"show", "of",	  "any",
		"какая",  "какой",	 "какое", "будет",   "ли",	"на",	"улице",  "мне",
		"нужен",  "брать",	 "взять", "покажи",  "идет",	"идёт", "пойдет", "сколько",
		"погоды", "the weather", NULL,
	};
	time_t from, to;
	struct when w;
	long secs;

	if (nlp_find(s, 0, keys) < 0)
		return false;
	intent_tool(in, "weather_forecast");
	intent_drop(s, keys);
	for (size_t i = 0; i + 1 < s->n; i++) {
		size_t len;

		if (!s->w[i].used && nlp_is(s, i, (const char *const[]){ "for", "на", NULL }) &&
		    nlp_duration(s, i + 1, &secs, &len) > 0 && secs >= 86400) {
			cJSON_AddNumberToObject(in->args, "days", (double)(secs / 86400));
			nlp_use(s, i, i + 1 + len);
			break;
		}
	}
	if (intent_period(s, now, &from, &to)) {
		intent_arg_date(in, "date", from);
		if (!cJSON_HasObjectItem(in->args, "days"))
			cJSON_AddNumberToObject(in->args, "days",
						(double)((to - from + 43200) / 86400));
	} else if (nlp_when(s, 0, s->n, now, &w) &&
		   intent_day(s->zone, w.at, 0, 0) != intent_day(s->zone, now, 0, 0)) {
		intent_arg_date(in, "date", w.at);
	}
	intent_anywhere(s, now_words);
	intent_drop(s, fillers);
	take_place(s, in, "place");
	return true;
}
