/* Answers to the question the assistant asked: "the second one", "all". */
#include "intent.h"
#include "nlp.h"

#include <stdlib.h>
#include <string.h>

int intent_ordinal(const char *text)
{
	static const char *const ordinals[][12] = {
		{ "first", "1st", "первый", "первую", "первое", "первая", "первого", "one", NULL },
		{ "second", "2nd", "второй", "вторую", "второе", "вторая", "второго", "two", NULL },
		{ "third", "3rd", "третий", "третью", "третье", "третья", "третьего", "three",
		  NULL },
		{ "fourth", "4th", "четвертый", "четвертую", "четвертое", "четвертая", "four",
		  NULL },
		{ "fifth", "5th", "пятый", "пятую", "пятое", "пятая", "five", NULL },
	};
	static const char *const filler[] = { "the", "one", "number", "no",   "its",	"it's",
					      "it",  "is",  "that",   "this", "please", "ok",
					      "а",   "это", "одно",   "одна", "один",	"номер",
					      "та",  "тот", "ту",     "то",   NULL };
	struct nlp s;
	int found = 0, other = 0;

	nlp_split(&s, text);
	for (size_t i = 0; i < s.n; i++) {
		int hit = 0;

		for (int k = 0; k < 5 && !hit; k++)
			if (nlp_is(&s, i, ordinals[k]) &&
			    !(k == 0 && !strcmp(s.w[i].norm, "one") && s.n > 1))
				hit = k + 1;
		if (hit && (!found || found == hit))
			found = hit;
		else if (hit || !nlp_is(&s, i, filler))
			other++;
	}
	nlp_release(&s);
	return other ? 0 : found;
}

int intent_scope_answer(const char *text)
{
	static const char *const this[] = {
		"this one",  "this",	  "only this",	   "just this",	 "the next one",
		"next one",  "only",	  "just the next", "one",	 "это",
		"эту",	     "этот",	  "только это",	   "только эту", "только этот",
		"ближайшее", "ближайшую", "одно",	   NULL
	};
	static const char *const all[] = { "all",
					   "all of them",
					   "the whole series",
					   "whole series",
					   "the series",
					   "every one",
					   "все",
					   "всю серию",
					   "всю",
					   "серию",
					   "все сразу",
					   "всё",
					   NULL };
	static const char *const filler[] = { "the",	"please",     "ok",	"да",
					      "yes",	"пожалуйста", "change", "move",
					      "измени", "перенеси",   NULL };
	struct nlp s;
	int r = 0;

	nlp_split(&s, text);
	for (size_t i = 0; i < s.n; i++) {
		if (s.w[i].used)
			continue;
		for (const char *const *p = this; *p && !s.w[i].used; p++)
			if (nlp_phrase(&s, i, *p, true, NULL))
				r = r == 2 ? -1 : 1;
		for (const char *const *p = all; *p && !s.w[i].used; p++)
			if (nlp_phrase(&s, i, *p, true, NULL))
				r = r == 1 ? -1 : 2;
		if (!s.w[i].used && nlp_is(&s, i, filler))
			s.w[i].used = true;
	}
	if (nlp_left(&s) > 0 || r < 0)
		r = 0;
	nlp_release(&s);
	return r;
}
