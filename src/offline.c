/* The offline backend: the intent parser picks the tool, words naming a
 * thing are looked up (asking which when several match), the reply is
 * composed from the result.  Deterministic, no network. */
#include "backend.h"
#include "xalloc.h"
#include "intent.h"
#include "nlp.h"
#include "render.h"
#include "answer.h"
#include "conversation.h"
#include "utf8.h"

#include <stdlib.h>
#include <string.h>

#define DAY 86400

/* Words that do not tell one thing from another. */
static const char *const stop_words[] = {
	"the", "a", "an", "my", "about", "to", "for", "with", "of",  "on",  "at",  "in", "про", "о",
	"об",  "с", "со", "на", "в",	 "во", "мой", "мою",  "моё", "мое", "мои", "то", NULL,
};
/* Nouns a request may use for any event: preferred, not required. */
static const char *const generic_nouns[] = { "event",	"meeting",     "appointment", "событие",
					     "встреч*", "мероприятие", NULL };

/* How many UTF-8 characters s has. */
static size_t chars(const char *s)
{
	size_t n = 0;

	for (; *s; s++)
		n += ((unsigned char)*s & 0xC0) != 0x80;
	return n;
}

/* The stem of a query word: Russian endings and an English plural dropped,
 * so "маму" finds "маме" and "meetings" finds "meeting". */
static char *stem(const char *w)
{
	size_t n = chars(w), drop = 0, len = strlen(w);

	if (nlp_is_russian(w))
		drop = n >= 6 ? 2 : n >= 4 ? 1 : 0;
	else if (n >= 4 && w[len - 1] == 's')
		drop = 1;
	while (drop-- > 0) {
		do
			len--;
		while (len > 0 && ((unsigned char)w[len] & 0xC0) == 0x80);
	}
	return xstrndup(w, len);
}

/* How many query words the text has (a word matches a text word starting
 * with its stem); -1 when a word that is not a generic noun is missing. */
static int score(const struct nlp *q, const char *text)
{
	struct nlp t;
	int hits = 0;

	nlp_split(&t, text);
	for (size_t i = 0; i < q->n; i++) {
		char *st;
		bool found = false;

		if (nlp_is(q, i, stop_words))
			continue;
		st = stem(q->w[i].norm);
		for (size_t k = 0; k < t.n && !found; k++)
			found = !strncmp(t.w[k].norm, st, strlen(st));
		free(st);
		if (found) {
			hits++;
		} else if (!nlp_is(q, i, generic_nouns)) {
			hits = -1;
			break;
		}
	}
	nlp_release(&t);
	return hits;
}

/* The list tool, its array, and the field with each item's words. */
static void lister(const char *tool, const char **list, const char **key, const char **field)
{
	if (!strncmp(tool, "reminder_", 9)) {
		*list = "reminder_list";
		*key = "reminders";
		*field = "text";
	} else if (!strncmp(tool, "task_", 5)) {
		*list = "task_list";
		*key = "tasks";
		*field = "title";
	} else {
		/* the coming year of the calendar: matched here, where case and
		 * Russian endings are understood */
		*list = "calendar_agenda";
		*key = "events";
		*field = "summary";
	}
}

static char *label(const char *lang, const char *tool, const cJSON *item, time_t now, struct tz *z)
{
	const cJSON *v;
	char when[64];

	if (!strncmp(tool, "task_", 5)) {
		v = cJSON_GetObjectItemCaseSensitive(item, "title");
		return xstrdup(cJSON_IsString(v) ? v->valuestring : "");
	}
	v = cJSON_GetObjectItemCaseSensitive(item, !strncmp(tool, "reminder_", 9) ? "at" : "start");
	/* an event's time is the calendar's, the local zone's (answer_result) */
	answer_when_iso(lang, cJSON_IsString(v) ? v->valuestring : NULL, now,
			!strncmp(tool, "reminder_", 9) ? z : NULL, when, sizeof(when));
	v = cJSON_GetObjectItemCaseSensitive(item,
					     !strncmp(tool, "reminder_", 9) ? "text" : "summary");
	return xasprintf("%s  %s", when, cJSON_IsString(v) ? v->valuestring : "");
}

/* Whether the id (of another occurrence of a series) is among the choices. */
static bool seen(const struct answer_choice *c, size_t n, const cJSON *idv)
{
	for (size_t i = 0; i < n; i++)
		if (cJSON_IsNumber(idv) && c[i].id == (long long)idv->valuedouble)
			return true;
	return false;
}

/* Turn in->match into args.id.  0: resolved; 1: *say holds the reply (no
 * match, or a question which, left in *pending when pending is not NULL);
 * -1: e. */
static int resolve(struct turn *t, struct intent *in, char **say, cJSON **pending, struct err *e)
{
	const char *list, *key, *field;
	cJSON *args = cJSON_CreateObject(), *result = NULL, *item;
	struct answer_choice *c = NULL;
	struct nlp q;
	size_t n = 0;
	int best = 0, rc = 1;

	lister(in->tool, &list, &key, &field);
	nlp_split(&q, in->match);
	if (!strcmp(list, "calendar_agenda")) {
		char buf[40];

		cJSON_AddStringToObject(args, "from", render_time(t->now - DAY, buf, sizeof(buf)));
		cJSON_AddStringToObject(args, "to",
					render_time(t->now + 365 * DAY, buf, sizeof(buf)));
	}
	if (tool_call(&t->tool, list, args, &result, e) < 0) {
		rc = -1;
		goto out;
	}
	cJSON_ArrayForEach(item, cJSON_GetObjectItemCaseSensitive(result, key)) {
		const cJSON *f = cJSON_GetObjectItemCaseSensitive(item, field), *idv;
		int s = cJSON_IsString(f) ? score(&q, f->valuestring) : -1;

		idv = cJSON_GetObjectItemCaseSensitive(item, "id");
		if (s < 0 || s < best || (n > 0 && seen(c, n, idv)))
			continue;
		if (s > best) {
			for (size_t i = 0; i < n; i++)
				free(c[i].label);
			n = 0;
			best = s;
		}
		c = xrealloc(c, (n + 1) * sizeof(*c));
		c[n].id = cJSON_IsNumber(idv) ? (long long)idv->valuedouble : 0;
		c[n].label = label(t->lang, in->tool, item, t->now, t->tool.zone);
		n++;
	}
	if (n == 0 || best == 0) {
		*say = answer_nomatch(t->lang, in->tool, in->match);
	} else if (n > 1) {
		*say = answer_which(t->lang, in->tool, in->match, c, n);
		if (pending) {
			cJSON *ids = cJSON_CreateArray();

			*pending = cJSON_CreateObject();
			cJSON_AddStringToObject(*pending, "need", "which");
			cJSON_AddStringToObject(*pending, "tool", in->tool);
			cJSON_AddItemToObject(*pending, "args", cJSON_Duplicate(in->args, true));
			for (size_t i = 0; i < n; i++)
				cJSON_AddItemToArray(ids, cJSON_CreateNumber((double)c[i].id));
			cJSON_AddItemToObject(*pending, "choices", ids);
		}
	} else {
		cJSON_AddNumberToObject(in->args, "id", (double)c[0].id);
		rc = 0;
	}
out:
	for (size_t i = 0; i < n; i++)
		free(c[i].label);
	free(c);
	nlp_release(&q);
	cJSON_Delete(args);
	cJSON_Delete(result);
	return rc;
}

/* The assistants one may ask, this one left out. */
static char **askable(struct turn *t, struct err *e)
{
	char **names = assistant_names(t->store, e);
	size_t k = 0;

	if (!names)
		return NULL;
	for (size_t i = 0; names[i]; i++) {
		if (!strcmp(names[i], t->assistant->name))
			free(names[i]);
		else
			names[k++] = names[i];
	}
	names[k] = NULL;
	return names;
}

/* Make the call of in and compose the reply from its result; a result that
 * asks (calendar_edit of a series without a scope) leaves the question in
 * *pending. */
static int call(struct turn *t, struct intent *in, char **say, cJSON **pending, struct err *e)
{
	cJSON *result = NULL;
	struct err terr;
	int rc = turn_call(t, in->tool, in->args, &result, &terr, e);

	if (rc == 0) {
		*say = answer_result(t->lang, in->tool, result, t->now, t->tool.zone);
		if (cJSON_GetObjectItemCaseSensitive(result, "ask") && pending) {
			const cJSON *id = cJSON_GetObjectItemCaseSensitive(result, "id");
			cJSON *args = cJSON_Duplicate(in->args, true);

			if (!cJSON_HasObjectItem(args, "id") && cJSON_IsNumber(id))
				cJSON_AddNumberToObject(args, "id", id->valuedouble);
			*pending = cJSON_CreateObject();
			cJSON_AddStringToObject(*pending, "need", "scope");
			cJSON_AddStringToObject(*pending, "tool", in->tool);
			cJSON_AddItemToObject(*pending, "args", args);
		}
	}
	cJSON_Delete(result);
	return rc;
}

/* "cancel standup": a reminder or an event?  0 when exactly one of the two
 * kinds has something matching (in becomes that call), else 1. */
static int either(struct turn *t, struct intent *in, struct err *e)
{
	static const char *const tools[] = { "reminder_cancel", "calendar_delete" };
	long long found[2] = { 0, 0 };

	for (int k = 0; k < 2; k++) {
		struct intent probe = {
			INTENT_TOOL,	    in->lang,  tools[k], cJSON_CreateObject(),
			xstrdup(in->match), NEED_NONE, in->zone
		};
		char *say = NULL;

		if (resolve(t, &probe, &say, NULL, e) == 0)
			found[k] = (long long)cJSON_GetObjectItemCaseSensitive(probe.args, "id")
					   ->valuedouble;
		free(say);
		intent_release(&probe);
	}
	if (!found[0] == !found[1])
		return 1;
	in->kind = INTENT_TOOL;
	in->tool = tools[found[0] ? 0 : 1];
	in->args = cJSON_CreateObject();
	cJSON_AddNumberToObject(in->args, "id", (double)(found[0] ? found[0] : found[1]));
	return 0;
}

/* The routine proposed in the turn before this one: the user's sentence
 * that the last reply asked about (in becomes its intent); 1 when there is
 * one, 0 when not. */
static int proposed(struct turn *t, struct intent *in, struct err *e)
{
	struct message *ms;
	size_t n;
	int rc = 0;

	if (conversation_messages_before(t->store, t->conversation, 0, 3, &ms, &n, e) < 0)
		return -1;
	if (n == 3 && !strcmp(ms[1].role, "assistant") && ms[1].content && !ms[1].tool_calls &&
	    !strcmp(ms[2].role, "user") && ms[2].content) {
		intent_parse_in(ms[2].content, t->now, t->tool.zone, NULL, in);
		rc = in->kind == INTENT_TOOL && !strcmp(in->tool, "routine_add");
		if (!rc)
			intent_release(in);
	}
	message_list_free(ms, n);
	return rc;
}

/* "yes" or "no" to the question of the turn before. */
static int answer_yes_no(struct turn *t, bool yes, char **say, struct err *e)
{
	struct intent in;
	int rc = proposed(t, &in, e);

	if (rc < 0)
		return -1;
	if (rc == 0) {
		*say = answer_nothing_to_confirm(t->lang);
		return 0;
	}
	if (yes)
		rc = call(t, &in, say, NULL, e);
	else
		*say = answer_declined(t->lang);
	intent_release(&in);
	return rc < 0 ? -1 : 0;
}

/* Act on in, parsed from text: the reply in *say, a question left open in
 * *pending.  0, or -1 with e. */
static int act(struct turn *t, const char *text, struct intent *in, char **say, cJSON **pending,
	       struct err *e)
{
	int rc = 0;

	switch (in->kind) {
	case INTENT_HELP: *say = answer_help(t->lang); break;
	case INTENT_GREETING: *say = answer_greeting(t->lang); break;
	case INTENT_THANKS: *say = answer_thanks(t->lang); break;
	case INTENT_CONFIRM:
	case INTENT_DENY: rc = answer_yes_no(t, in->kind == INTENT_CONFIRM, say, e); break;
	case INTENT_UNKNOWN: *say = answer_unknown(t->lang, t->text); break;
	case INTENT_CLARIFY:
		if (in->need == NEED_WHICH && in->match && either(t, in, e) == 0) {
			rc = call(t, in, say, pending, e);
			break;
		}
		*say = answer_clarify(t->lang, in->need, in->match);
		if (in->need == NEED_WHEN || in->need == NEED_WHAT) {
			/* the next message may say what is missing */
			*pending = cJSON_CreateObject();
			cJSON_AddStringToObject(*pending, "need",
						in->need == NEED_WHEN ? "when" : "what");
			cJSON_AddStringToObject(*pending, "text", text);
		}
		break;
	case INTENT_TOOL:
		if (!strcmp(in->tool, "routine_add")) {
			/* made only once the user says yes (answer_yes_no) */
			*say = answer_routine_confirm(t->lang, in->args, t->now, t->tool.zone);
			break;
		}
		if (in->match && !cJSON_HasObjectItem(in->args, "id")) {
			rc = resolve(t, in, say, pending, e);
			if (rc != 0)
				break;
		}
		rc = call(t, in, say, pending, e);
		break;
	}
	return rc < 0 ? -1 : 0;
}

/* Words that drop the open question. */
static bool drops(const char *text)
{
	static const char *const words[] = { "cancel",	"never mind", "nevermind", "forget it",
					     "stop",	"no",	      "nope",	   "отмена",
					     "отмени",	"не надо",    "нет",	   "забудь",
					     "неважно", NULL };
	char *low = nlp_lower(text);
	size_t n = strlen(low);
	bool hit = false;

	while (n > 0 && strchr(" .!", low[n - 1]))
		low[--n] = '\0';
	for (const char *const *w = words; *w && !hit; w++)
		hit = !strcmp(low, *w);
	free(low);
	return hit;
}

/* The message as the answer to the open question q.  1: it was (*say,
 * *pending set); 0: it is a request of its own; -1: e. */
static int follow_up(struct turn *t, const cJSON *q, char **say, cJSON **pending, struct err *e)
{
	const char *need = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(q, "need"));
	const char *tool = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(q, "tool"));
	const cJSON *args = cJSON_GetObjectItemCaseSensitive(q, "args");
	struct intent in = { 0 }, alone;
	int rc = 0;

	if (!need)
		return 0;
	if (drops(t->text)) {
		*say = answer_dropped(t->lang);
		return 1;
	}
	intent_parse_in(t->text, t->now, t->tool.zone, NULL, &alone);
	in.lang = t->lang;
	if (!strcmp(need, "which") && tool && cJSON_IsObject(args)) {
		const cJSON *choices = cJSON_GetObjectItemCaseSensitive(q, "choices"), *c;
		int k = intent_ordinal(t->text);
		long long id = 0, typed = atoll(t->text);

		if (k > 0 && k <= cJSON_GetArraySize(choices))
			id = (long long)cJSON_GetArrayItem(choices, k - 1)->valuedouble;
		cJSON_ArrayForEach(c, choices)
			if (typed > 0 && (long long)c->valuedouble == typed)
				id = typed;
		if (id) {
			in.kind = INTENT_TOOL;
			in.tool = tool;
			in.args = cJSON_Duplicate(args, true);
			cJSON_AddNumberToObject(in.args, "id", (double)id);
			rc = call(t, &in, say, pending, e) < 0 ? -1 : 1;
		}
	} else if (!strcmp(need, "scope") && tool && cJSON_IsObject(args)) {
		int s = intent_scope_answer(t->text);

		if (s) {
			in.kind = INTENT_TOOL;
			in.tool = tool;
			in.args = cJSON_Duplicate(args, true);
			cJSON_AddStringToObject(in.args, "scope", s == 1 ? "this" : "all");
			rc = call(t, &in, say, pending, e) < 0 ? -1 : 1;
		}
	} else if ((!strcmp(need, "when") || !strcmp(need, "what")) && alone.kind != INTENT_TOOL) {
		const char *before =
			cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(q, "text"));
		char *both = xasprintf("%s %s", before ? before : "", t->text);

		intent_parse_in(both, t->now, t->tool.zone, NULL, &in);
		if (in.kind == INTENT_TOOL ||
		    (in.kind == INTENT_CLARIFY && alone.kind == INTENT_UNKNOWN))
			rc = act(t, both, &in, say, pending, e) < 0 ? -1 : 1;
		free(both);
	}
	intent_release(&in);
	intent_release(&alone);
	return rc;
}

static int offline_run(struct turn *t, struct err *e)
{
	char **names = askable(t, e), *say = NULL, *open = NULL;
	cJSON *pending = NULL, *q = NULL;
	struct intent in;
	int rc = 0;

	if (!names)
		return -1;
	/* a question asked more than a day ago is no longer open */
	if (t->conversation > 0 &&
	    conversation_pending(t->store, t->conversation, t->now - DAY, &open, e) < 0) {
		assistant_names_free(names);
		return -1;
	}
	q = open ? cJSON_Parse(open) : NULL;
	free(open);
	if (q && (rc = follow_up(t, q, &say, &pending, e)) != 0) {
		assistant_names_free(names);
		goto done;
	}
	intent_parse_in(t->text, t->now, t->tool.zone, (const char *const *)names, &in);
	assistant_names_free(names);
	rc = act(t, t->text, &in, &say, &pending, e);
	intent_release(&in);
done:
	if (rc >= 0 && say) {
		/* a title stored before the rule may hold bytes that are not
		 * UTF-8; a bidirectional override in the data is dropped, as the
		 * lists drop it (cmd_put_text), so it cannot reorder the reply */
		char *clean = utf8_clean_str(say, UTF8_PRINTABLE | UTF8_NO_BIDI);

		turn_say(t, clean);
		free(clean);
	}
	if (rc >= 0 && t->conversation > 0 && (q || pending)) {
		char *json = pending ? cJSON_PrintUnformatted(pending) : NULL;

		rc = conversation_set_pending(t->store, t->conversation, json, t->now, e);
		free(json);
	}
	cJSON_Delete(q);
	cJSON_Delete(pending);
	free(say);
	return rc < 0 ? -1 : 0;
}

const struct backend backend_offline = { "offline", offline_run };
