/*
 * telegram-update.c - what one Telegram update does, the bot's words in
 * English and Russian, and reminders sent with buttons.
 */
#include "telegram-int.h"
#include "job.h"
#include "log.h"
#include "place.h"
#include "reminder.h"
#include "replica.h"
#include "sbuf.h"
#include "tz.h"
#include "user.h"
#include "utf8.h"
#include "wallclock.h"
#include "xalloc.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <stdarg.h>

#define SEEN_DAYS   30		    /* days an update done is remembered */
#define TURN_DAYS   2		    /* days a turn never finished is kept */
#define TURN_PREFIX "tg:"	    /* the journal's keys of Telegram turns */
#define PRUNE_EVERY (3600 * 1000LL) /* ms between two prunings */

enum tg_word {
	W_NOT_LINKED,
	W_LINKED,
	W_LINKED_GROUP,
	W_BAD_CODE,
	W_PRIVATE_CODE,
	W_NEW,
	W_MEDIA,
	W_FAILED,
	W_PLACE,
	W_DONE,
	W_SNOOZED,
	W_GONE,
	W_BTN_DONE,
	W_BTN_10,
	W_BTN_60,
	W_DEAD,
	W_WORDS
};

static const char *const words[2][W_WORDS] = {
	{
		"This chat is not linked to nestor. Run `nestor telegram link` on your computer "
		"and send /start CODE here.",
		"Linked: this chat now belongs to %s. Write to me as you would in the terminal; "
		"/help lists the commands.",
		"Linked: every member of this group can read and change %s's tasks, calendar and "
		"reminders. /help lists the commands.",
		"That code is unknown or has expired. Run `nestor telegram link` for a new one.",
		"That code was for a private chat with me and is used up now; `nestor telegram "
		"link --group` makes a code for a group.",
		"New conversation.",
		"%s messages are not supported yet; please write text.",
		"Sorry, that failed: %s",
		"Place saved for the weather.",
		"✓ Done",
		"⏰ Snoozed until %s",
		"That reminder is gone.",
		"Done",
		"Snooze 10 min",
		"Snooze 1 h",
		"Sorry, I could not handle that message; please send it again later.",
	},
	{
		"Этот чат не привязан к nestor. Выполните `nestor telegram link` на компьютере "
		"и пришлите сюда /start КОД.",
		"Готово: этот чат привязан к пользователю %s. Пишите мне, как в терминале; "
		"/help — список команд.",
		"Готово: каждый участник этой группы может читать и менять задачи, календарь и "
		"напоминания пользователя %s. /help — список команд.",
		"Этот код неизвестен или устарел. Выполните `nestor telegram link`, чтобы получить "
		"новый.",
		"Этот код был для личного чата со мной и больше не действует; код для группы даёт "
		"`nestor telegram link --group`.",
		"Новый разговор.",
		"Сообщения типа «%s» пока не поддерживаются; напишите текстом.",
		"Не получилось: %s",
		"Место для прогноза погоды сохранено.",
		"✓ Сделано",
		"⏰ Отложено до %s",
		"Этого напоминания больше нет.",
		"Сделано",
		"Отложить на 10 мин",
		"Отложить на 1 ч",
		"Не удалось обработать это сообщение; пришлите его ещё раз позже.",
	},
};

/* The bot's commands and the request each stands for. */
static const struct {
	const char *name, *en, *ru, *ask_en, *ask_ru;
} commands[] = {
	{ "agenda", "Events of the coming days", "События ближайших дней", "agenda", "расписание" },
	{ "tasks", "Open tasks", "Открытые задачи", "tasks", "задачи" },
	{ "reminders", "Reminders", "Напоминания", "reminders", "напоминания" },
	{ "new", "Start a new conversation", "Начать новый разговор", NULL, NULL },
	{ "help", "What I can do", "Что я умею", "help", "помощь" },
};

static int lang_ix(const char *lang)
{
	return lang && !strncmp(lang, "ru", 2) ? 1 : 0;
}

void tg_set_commands(struct tg_relay *r)
{
	for (int ru = 0; ru < 2; ru++) {
		cJSON *p = cJSON_CreateObject(), *list = cJSON_AddArrayToObject(p, "commands");
		struct tg_status st;
		struct err e = { 0, "" };

		for (size_t i = 0; i < sizeof(commands) / sizeof(*commands); i++) {
			cJSON *c = cJSON_CreateObject();

			cJSON_AddStringToObject(c, "command", commands[i].name);
			cJSON_AddStringToObject(c, "description",
						ru ? commands[i].ru : commands[i].en);
			cJSON_AddItemToArray(list, c);
		}
		if (ru)
			cJSON_AddStringToObject(p, "language_code", "ru");
		if (tg_call(&r->client, "setMyCommands", p, 0, NULL, &st, &e) < 0)
			log_warn("telegram: %s", e.msg);
		cJSON_Delete(p);
	}
}

int tg_queue_text(struct store *s, long long chat_id, const char *text, const char *markup,
		  time_t now, long long *last, struct err *e)
{
	char **pieces;
	size_t n = tg_split(text && *text ? text : "…", TG_MAX_TEXT, &pieces);
	int rc = 0;

	for (size_t i = 0; i < n && rc == 0; i++) {
		cJSON *p = cJSON_CreateObject();
		char *html = tg_html_escape(pieces[i]), *json;

		cJSON_AddNumberToObject(p, "chat_id", (double)chat_id);
		cJSON_AddStringToObject(p, "text", html);
		cJSON_AddStringToObject(p, "parse_mode", "HTML");
		cJSON_AddStringToObject(p, "plain", pieces[i]);
		/* a message with buttons is a reminder: every piece of it is
		 * sent again after a time out (telegram.c, send_one) */
		if (markup)
			cJSON_AddTrueToObject(p, "resend");
		if (markup && i + 1 == n)
			cJSON_AddItemToObject(p, "reply_markup", cJSON_Parse(markup));
		json = cJSON_PrintUnformatted(p);
		rc = tgstore_out_add(s, chat_id, "sendMessage", json, now, last, e);
		free(json);
		free(html);
		cJSON_Delete(p);
	}
	tg_pieces_free(pieces, n);
	return rc;
}

static int say(struct tg_relay *r, long long chat, time_t now, struct err *e, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

static int say(struct tg_relay *r, long long chat, time_t now, struct err *e, const char *fmt, ...)
{
	struct sbuf sb = SBUF_INIT;
	va_list ap;
	char buf[4096];
	int rc;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	sbuf_adds(&sb, buf);
	rc = tg_queue_text(r->s, chat, sb.buf, NULL, now, NULL, e);
	sbuf_release(&sb);
	return rc;
}

/* A direct call whose failure only matters to the log (typing...). */
static void best_effort(struct tg_relay *r, const char *method, cJSON *p)
{
	struct tg_status st;
	struct err e = { 0, "" };

	if (tg_call(&r->client, method, p, 0, NULL, &st, &e) < 0)
		log_warn("telegram: %s", e.msg);
	cJSON_Delete(p);
}

static void on_text(void *arg, const char *delta)
{
	(void)arg;
	(void)delta;
}

static void on_call(void *arg, const char *name, const char *json)
{
	(void)arg;
	(void)name;
	(void)json;
}

/* "/start CODE" from a chat not linked (or linked: it moves).  A group
 * links only with a code made for one: every member reads and changes the
 * user's data.  A private chat's code sent in a group is used up all the
 * same (the group has seen it) and refused.  An unlinked group (linked
 * false) hears nothing of a code not found.  The code is the first word
 * after /start, as the poller routes it (tg_start_code): "/start CODE
 * please" in a group uses CODE up too. */
static int link_chat(struct tg_relay *r, const struct tg_update *u, bool linked, int ru, time_t now,
		     struct err *e)
{
	struct err ce = { 0, "" };
	char buf[64];
	const char *code = tg_start_code(u, buf, sizeof(buf));
	long long uid;
	bool for_group;
	char *name;
	int rc;

	if (!code)
		code = "";
	if (tgstore_code_use(r->s, code, now, &uid, &for_group, &ce) < 0) {
		if (ce.code != ERR_NOTFOUND)
			return *e = ce, -1;
		if (u->group && !linked) /* an unlinked group is never answered */
			return 0;
		return say(r, u->chat_id, now, e, "%s", words[ru][W_BAD_CODE]);
	}
	if (u->group && !for_group) {
		log_warn("telegram: chat %lld: a private chat's link code refused in a group (used "
			 "up)",
			 u->chat_id);
		return say(r, u->chat_id, now, e, "%s", words[ru][W_PRIVATE_CODE]);
	}
	if (tgstore_link(r->s, u->chat_id, uid, e) < 0)
		return -1;
	r->linked_chat = u->chat_id;
	name = user_name(r->s, uid);
	log_info("telegram: %s %lld linked to %s", u->group ? "group" : "chat", u->chat_id,
		 name ? name : "?");
	rc = say(r, u->chat_id, now, e, words[ru][u->group ? W_LINKED_GROUP : W_LINKED],
		 name ? name : "?");
	free(name);
	return rc;
}

/* What ends a command's name and its "@bot" (Telegram's white space). */
#define WS " \t\r\n"

/* "/cmd@bot args" -> the command name's length and where args start. */
static size_t command(const char *text, const char **args)
{
	size_t n = strcspn(text + 1, WS "@");
	const char *p = text + 1 + n;

	p += strcspn(p, WS);
	p += strspn(p, WS);
	*args = p;
	return n;
}

/* The "@bot" of a group's command ("/tasks@bot": after the '@'), or NULL
 * when u is none or names no bot. */
static const char *addressee(const struct tg_update *u)
{
	const char *at, *args;

	if (u->kind != TG_UPDATE_TEXT || !u->group || !u->text || u->text[0] != '/')
		return NULL;
	at = u->text + 1 + command(u->text, &args);
	return *at == '@' ? at + 1 : NULL;
}

bool tg_other_bot(const char *bot, const struct tg_update *u)
{
	const char *to = addressee(u);
	size_t n;

	if (!to || !bot || !*bot)
		return false;
	n = strcspn(to, WS);
	return n != strlen(bot) || strncasecmp(to, bot, n);
}

/* tg_other_bot() for this relay's bot.  Its name not known yet (getMe
 * failed): asked again, at most once a minute. */
static bool other_bot(struct tg_relay *r, const struct tg_update *u)
{
	if (!addressee(u))
		return false;
	if (!r->bot[0] && (!r->bot_asked || wallclock_now() - r->bot_asked >= 60)) {
		r->bot_asked = wallclock_now();
		tg_learn_bot(r);
	}
	return tg_other_bot(r->bot, u);
}

const char *tg_start_code(const struct tg_update *u, char *buf, size_t len)
{
	const char *args;
	size_t n;

	if (u->kind != TG_UPDATE_TEXT || !u->text || u->text[0] != '/' ||
	    command(u->text, &args) != 5 || strncmp(u->text + 1, "start", 5))
		return NULL;
	n = strcspn(args, WS);
	if (!n || n >= len)
		return NULL;
	memcpy(buf, args, n);
	buf[n] = '\0';
	return buf;
}

/* The request text update u of a linked chat stands for (a command's
 * words, or what was written), or NULL when it is no engine turn. */
static const char *turn_text(const struct tg_update *u, int ru)
{
	const char *args;
	size_t n;

	if (u->kind != TG_UPDATE_TEXT)
		return NULL;
	if (u->text[0] != '/')
		return u->text;
	n = command(u->text, &args);
	for (size_t i = 0; i < sizeof(commands) / sizeof(*commands); i++) {
		if (strlen(commands[i].name) != n || strncmp(u->text + 1, commands[i].name, n))
			continue;
		if (!commands[i].ask_en)
			return NULL;
		return ru ? commands[i].ask_ru : commands[i].ask_en;
	}
	if (n == 5 && !strncmp(u->text + 1, "start", 5))
		return *args ? NULL : ru ? "привет" : "hello";
	return u->text;
}

/* A turn inside the caller's transaction (callers run turns with
 * tg_turn() before it: see tg_turn_text()). */
static int inline_turn(struct tg_relay *r, const struct tg_update *u, const char *text, time_t now,
		       struct err *e)
{
	static const struct tg_turn_hooks none = { NULL, NULL, NULL };

	return tg_turn(r, u, text, &none, now, e) < 0 ? -1 : 0;
}

static int on_command(struct tg_relay *r, const struct tg_update *u, int ru, time_t now,
		      struct err *e)
{
	const char *args, *text = turn_text(u, ru);
	size_t n = command(u->text, &args);

	if (text)
		return inline_turn(r, u, text, now, e);
	if (n == 5 && !strncmp(u->text + 1, "start", 5))
		return link_chat(r, u, true, ru, now, e);
	if (tgstore_chat_set_conversation(r->s, u->chat_id, 0, now, e) < 0)
		return -1;
	return say(r, u->chat_id, now, e, "%s", words[ru][W_NEW]);
}

const char *tg_turn_text(struct tg_relay *r, const struct tg_update *u, struct err *e)
{
	long long uid = 0;

	if (u->kind != TG_UPDATE_TEXT || !u->chat_id || other_bot(r, u))
		return NULL;
	if (tgstore_chat_user(r->s, u->chat_id, &uid, e) < 0 || !uid)
		return NULL;
	store_set_user(r->s, uid);
	return turn_text(u, lang_ix(u->lang));
}

struct journal_arg {
	struct tg_relay *r;
	const struct tg_update *u;
	const struct tg_turn_hooks *h;
	time_t now;
};

static int jcheck(void *arg, struct err *e)
{
	struct journal_arg *a = arg;

	return a->h->check ? a->h->check(a->h->arg, e) : 0;
}

/* The turn's end: its reply or failure queued, the chat's conversation,
 * then the caller's part (the offset, the update done). */
static int jfinish(void *arg, long long conv, const char *reply, const struct err *failed,
		   struct err *e)
{
	struct journal_arg *a = arg;
	int ru = lang_ix(a->u->lang);
	int rc = tgstore_chat_set_conversation(a->r->s, a->u->chat_id, conv, a->now, e);

	if (rc == 0 && failed) {
		log_warn("telegram: chat %lld: %s", a->u->chat_id, failed->msg);
		rc = say(a->r, a->u->chat_id, a->now, e, words[ru][W_FAILED], failed->msg);
	} else if (rc == 0) {
		rc = tg_queue_text(a->r->s, a->u->chat_id, reply, NULL, a->now, NULL, e);
	}
	if (rc == 0 && a->h->finish)
		rc = a->h->finish(a->h->arg, e);
	return rc;
}

/* The journal's key of an update's turn: the chat too, since Telegram
 * numbers updates at random after a week without any. */
static void turn_key(char *buf, size_t n, long long chat_id, long long update_id)
{
	snprintf(buf, n, TURN_PREFIX "%lld:%lld", chat_id, update_id);
}

int tg_turn_forget(struct tg_relay *r, long long chat_id, long long update_id, struct err *e)
{
	char key[64];

	turn_key(key, sizeof(key), chat_id, update_id);
	return turn_journal_done(r->s, key, e);
}

/* "Sorry, that failed: why" to u's chat, and any turn it left forgotten. */
static int answer_failed(struct tg_relay *r, const struct tg_update *u, const char *why, time_t now,
			 struct err *e)
{
	if (say(r, u->chat_id, now, e, words[lang_ix(u->lang)][W_FAILED], why) < 0)
		return -1;
	return tg_turn_forget(r, u->chat_id, u->update_id, e);
}

int tg_turn_give_up(struct tg_relay *r, const struct tg_update *u, const char *why, time_t now,
		    struct err *e)
{
	log_error("telegram: chat %lld: update %lld given up: %s", u->chat_id, u->update_id, why);
	return answer_failed(r, u, why, now, e);
}

int tg_refuse(struct tg_relay *r, const struct tg_update *u, const char *why, time_t now,
	      struct err *e)
{
	long long uid = 0;

	log_warn("telegram: chat %lld: update %lld refused: %s", u->chat_id, u->update_id, why);
	/* a group that is not linked hears nothing from the bot */
	if (u->group && tgstore_chat_user(r->s, u->chat_id, &uid, e) < 0)
		return -1;
	if (u->group && !uid)
		return 0;
	return answer_failed(r, u, why, now, e);
}

int tg_dead_letter(struct tg_relay *r, const struct tg_update *u, time_t now, struct err *e)
{
	long long uid = 0;

	if (!u->chat_id)
		return 0;
	if (tg_turn_forget(r, u->chat_id, u->update_id, e) < 0 ||
	    tgstore_chat_user(r->s, u->chat_id, &uid, e) < 0)
		return -1;
	return uid ? say(r, u->chat_id, now, e, "%s", words[lang_ix(u->lang)][W_DEAD]) : 0;
}

void tg_prune(struct store *s, bool turns, long long *next_ms)
{
	struct err e = { 0, "" };
	long n, m = 0;

	if (monotonic_ms() < *next_ms)
		return;
	*next_ms = monotonic_ms() + PRUNE_EVERY;
	if (tgstore_seen_prune(s, wallclock_now() - SEEN_DAYS * 86400L, &n, &e) < 0)
		log_error("telegram: %s", e.msg);
	if (turns &&
	    turn_journal_prune(s, TURN_PREFIX, wallclock_now() - TURN_DAYS * 86400L, &m, &e) < 0)
		log_error("telegram: %s", e.msg);
	if (n)
		log_info("telegram: forgot %ld update%s done more than %d days ago", n,
			 n == 1 ? "" : "s", SEEN_DAYS);
	if (m)
		log_warn("telegram: forgot %ld turn%s begun more than %d days ago and never "
			 "finished",
			 m, m == 1 ? "" : "s", TURN_DAYS);
}

/* The engine refused the request of update u as it stands (why: a task
 * title over its size...): that is final, the same each time it
 * comes.  In one transaction with the caller's hooks: the reason answered,
 * any turn it left forgotten; as tg_turn() returns. */
static int turn_refuse(struct tg_relay *r, const struct tg_update *u, const struct tg_turn_hooks *h,
		       const char *why, time_t now, struct err *e)
{
	int rc;

	if (store_begin(r->s, e) < 0)
		return -1;
	rc = h->check ? h->check(h->arg, e) : 0;
	if (rc == 0 &&
	    (tg_refuse(r, u, why, now, e) < 0 || (h->finish && h->finish(h->arg, e) < 0)))
		rc = -1;
	if (rc != 0) {
		store_rollback(r->s);
		return rc;
	}
	return store_commit(r->s, e);
}

int tg_turn(struct tg_relay *r, const struct tg_update *u, const char *text,
	    const struct tg_turn_hooks *h, time_t now, struct err *e)
{
	struct journal_arg a = { r, u, h, now };
	struct engine_journal j = { NULL, &a, jcheck, jfinish };
	struct engine_sink sink = { NULL, on_text, on_call, on_call, NULL, NULL, NULL, NULL, NULL };
	struct tgstore_chat c;
	char key[64], *clean;
	long long conv;
	int rc;

	if (tgstore_chat_get(r->s, u->chat_id, &c, e) < 0)
		return -1;
	conv = c.conversation;
	tgstore_chat_release(&c);
	/* removed, or another user's (the chat linked to someone else since):
	 * a new one begins */
	engine_conversation_gone(r->eng, &conv);
	turn_key(key, sizeof(key), u->chat_id, u->update_id);
	j.key = key;
	engine_set_channel(r->eng, CONV_TELEGRAM);
	/* a stray control character is dropped, not the message */
	clean = utf8_clean_str(text, UTF8_PRINTABLE);
	rc = engine_turn_journal(r->eng, &j, &conv, clean, now, &sink, e);
	free(clean);
	if (rc < 0 && e->code == ERR_USAGE) {
		char why[sizeof(e->msg)];

		snprintf(why, sizeof(why), "%s", e->msg);
		err_clear(e);
		rc = turn_refuse(r, u, h, why, now, e);
	}
	return rc;
}

static const char *media_word(const char *media, int ru)
{
	static const char *const names[][3] = {
		{ "voice", "Voice", "голосовое" }, { "audio", "Audio", "аудио" },
		{ "photo", "Photo", "фото" },	   { "video", "Video", "видео" },
		{ "document", "File", "файл" },	   { "sticker", "Sticker", "стикер" },
	};

	for (size_t i = 0; i < sizeof(names) / sizeof(*names); i++)
		if (!strcmp(media, names[i][0]))
			return names[i][1 + ru];
	return ru ? "такие" : "Such";
}

static int on_callback(struct tg_relay *r, const struct tg_update *u, int ru, time_t now,
		       struct err *e);

/* Coordinates on Earth. */
static bool place_ok(const struct tg_update *u)
{
	return u->latitude >= -90 && u->latitude <= 90 && u->longitude >= -180 &&
	       u->longitude <= 180;
}

/* A location: the chat's place for the weather, and the forecast there
 * (the one tg_prepare() fetched: nothing goes to the network under the
 * write lock). */
static int on_location(struct tg_relay *r, const struct tg_update *u, const struct tg_prep *p,
		       int ru, time_t now, struct err *e)
{
	if (!place_ok(u))
		return say(r, u->chat_id, now, e, words[ru][W_MEDIA], ru ? "такие" : "Such");
	if (tgstore_chat_set_place(r->s, u->chat_id, u->latitude, u->longitude, e) < 0)
		return -1;
	return say(r, u->chat_id, now, e, "%s\n%s", words[ru][W_PLACE],
		   p && p->forecast ? p->forecast
		   : ru		    ? "Прогноз сейчас недоступен."
				    : "The forecast is not available now.");
}

void tg_prepare(struct tg_relay *r, const struct tg_update *u, time_t now, struct tg_prep *p)
{
	struct err e = { 0, "" };
	long long uid = 0;

	p->forecast = NULL;
	if (!u->chat_id || tgstore_chat_user(r->s, u->chat_id, &uid, &e) < 0 || !uid)
		return;
	if (u->kind == TG_UPDATE_TEXT && u->text[0] != '/') {
		cJSON *act = cJSON_CreateObject();

		cJSON_AddNumberToObject(act, "chat_id", (double)u->chat_id);
		cJSON_AddStringToObject(act, "action", "typing");
		best_effort(r, "sendChatAction", act);
	} else if (u->kind == TG_UPDATE_LOCATION && place_ok(u)) {
		struct weather_opts o;
		struct weather w;
		const char *lang = lang_ix(u->lang) ? "ru" : "en";

		store_set_user(r->s, uid);
		place_weather_opts(r->cfg, lang, &o);
		weather_init(&w);
		if (weather_forecast(r->s, &o, u->latitude, u->longitude, now, &w, &e) < 0)
			log_warn("telegram: chat %lld: %s", u->chat_id, e.msg);
		else
			p->forecast = weather_format(&w, lang);
		weather_release(&w);
	}
}

void tg_prep_release(struct tg_prep *p)
{
	free(p->forecast);
	p->forecast = NULL;
}

int tg_handle(struct tg_relay *r, const struct tg_update *u, const struct tg_prep *p, time_t now,
	      struct err *e)
{
	long long uid = 0;
	int ru = lang_ix(u->lang);

	if (u->kind == TG_UPDATE_OTHER || !u->chat_id || other_bot(r, u))
		return 0;
	if (tgstore_chat_user(r->s, u->chat_id, &uid, e) < 0)
		return -1;
	if (!uid) {
		const char *args;

		if (u->kind == TG_UPDATE_TEXT && u->text[0] == '/' &&
		    command(u->text, &args) == 5 && !strncmp(u->text + 1, "start", 5) && *args)
			return link_chat(r, u, false, ru, now, e);
		if (u->kind == TG_UPDATE_CALLBACK) {
			cJSON *p = cJSON_CreateObject();

			cJSON_AddStringToObject(p, "callback_query_id", u->callback_id);
			best_effort(r, "answerCallbackQuery", p);
		}
		/* a group hears everything said in it: only a private chat
		 * is told how to link, once per message */
		if (u->group)
			return 0;
		return say(r, u->chat_id, now, e, "%s", words[ru][W_NOT_LINKED]);
	}
	store_set_user(r->s, uid);
	switch (u->kind) {
	case TG_UPDATE_TEXT:
		if (u->text[0] == '/')
			return on_command(r, u, ru, now, e);
		return inline_turn(r, u, u->text, now, e);
	case TG_UPDATE_CALLBACK: return on_callback(r, u, ru, now, e);
	case TG_UPDATE_LOCATION: return on_location(r, u, p, ru, now, e);
	case TG_UPDATE_MEDIA:
		return say(r, u->chat_id, now, e, words[ru][W_MEDIA], media_word(u->media, ru));
	case TG_UPDATE_OTHER: break;
	}
	return 0;
}

/* The inline keyboard of a reminder whose buttons carry key, and the
 * device of the store that knows it: "d:KEY@DEVICE" (at most 4 + 33 + 1 +
 * 32 bytes of Telegram's 64), so that with server.redis a press goes to
 * that store's workers (tg_callback_device()). */
static char *keyboard(const char *key, const char *device, int ru)
{
	return xasprintf("{\"inline_keyboard\":[[{\"text\":\"%s\",\"callback_data\":\"d:%s@%s\"},"
			 "{\"text\":\"%s\",\"callback_data\":\"s10:%s@%s\"},"
			 "{\"text\":\"%s\",\"callback_data\":\"s60:%s@%s\"}]]}",
			 words[ru][W_BTN_DONE], key, device, words[ru][W_BTN_10], key, device,
			 words[ru][W_BTN_60], key, device);
}

const char *tg_callback_device(const struct tg_update *u)
{
	const char *at;

	if (u->kind != TG_UPDATE_CALLBACK || !u->text || !(at = strrchr(u->text, '@')))
		return NULL;
	return at + 1;
}

static int edit(struct tg_relay *r, const struct tg_update *u, const char *text, time_t now,
		struct err *e)
{
	cJSON *p = cJSON_CreateObject();
	char *html = tg_html_escape(text), *json;
	int rc;

	cJSON_AddNumberToObject(p, "chat_id", (double)u->chat_id);
	cJSON_AddNumberToObject(p, "message_id", (double)u->message_id);
	cJSON_AddStringToObject(p, "text", html);
	cJSON_AddStringToObject(p, "parse_mode", "HTML");
	cJSON_AddStringToObject(p, "plain", text);
	json = cJSON_PrintUnformatted(p);
	rc = tgstore_out_add(r->s, u->chat_id, "editMessageText", json, now, NULL, e);
	free(json);
	free(html);
	cJSON_Delete(p);
	return rc;
}

static int answer(struct tg_relay *r, const struct tg_update *u, const char *text, time_t now,
		  struct err *e)
{
	cJSON *p = cJSON_CreateObject();
	char *json;
	int rc;

	cJSON_AddStringToObject(p, "callback_query_id", u->callback_id);
	if (text)
		cJSON_AddStringToObject(p, "text", text);
	json = cJSON_PrintUnformatted(p);
	rc = tgstore_out_add(r->s, u->chat_id, "answerCallbackQuery", json, now, NULL, e);
	free(json);
	cJSON_Delete(p);
	return rc;
}

/* "HH:MM" of at in the zone of user (user_tz), else the local zone. */
static void user_clock(struct store *s, long long user, time_t at, char *buf, size_t len)
{
	char *tzid = user_tz(s, user);
	struct tz *z = tzid ? tz_open(tzid, NULL) : NULL;
	struct tm tm;

	tz_wall_in(z, at, &tm);
	strftime(buf, len, "%H:%M", &tm);
	tz_free(z);
	free(tzid);
}

/* "d:KEY", "s10:KEY", "s60:KEY": the button of a reminder pressed.  Done
 * acknowledges (a one-time reminder still pending, e.g. snoozed, becomes
 * done); Snooze fires it again later.  A key acts once: a second press
 * (or the same update again) only answers. */
static int on_callback(struct tg_relay *r, const struct tg_update *u, int ru, time_t now,
		       struct err *e)
{
	const char *colon = strchr(u->text, ':');
	struct tgstore_button b;
	struct reminder rem;
	struct err be = { 0, "" };
	char line[512], when[64], key[24];
	long secs = 0;
	bool first;
	int rc;

	/* "ACTION:KEY", and "@DEVICE" after it (buttons sent before had none) */
	if (colon) {
		size_t n = strcspn(colon + 1, "@");

		if (n >= sizeof(key))
			colon = NULL;
		else
			snprintf(key, sizeof(key), "%.*s", (int)n, colon + 1);
	}
	if (!colon || tgstore_button_get(r->s, key, &b, &be) < 0 || b.chat_id != u->chat_id) {
		if (be.code && be.code != ERR_NOTFOUND)
			return *e = be, -1;
		return answer(r, u, words[ru][W_GONE], now, e);
	}
	if (!strncmp(u->text, "s10:", 4))
		secs = 600;
	else if (!strncmp(u->text, "s60:", 4))
		secs = 3600;
	if (tgstore_button_press(r->s, b.key, secs ? u->text : "done", &first, e) < 0) {
		tgstore_button_release(&b);
		return -1;
	}
	tgstore_button_release(&b);
	if (!first)
		return answer(r, u, NULL, now, e);
	if (reminder_get(r->s, b.job_id, now, &rem, &be) < 0) {
		if (be.code != ERR_NOTFOUND)
			return *e = be, -1;
		return answer(r, u, words[ru][W_GONE], now, e);
	}
	if (secs) {
		time_t at;

		rc = reminder_snooze(r->s, b.job_id, secs, now, &at, e);
		user_clock(r->s, rem.user_id, at, when, sizeof(when));
		snprintf(line, sizeof(line), words[ru][W_SNOOZED], when);
	} else {
		bool has;
		time_t next;

		rc = 0;
		if (!rem.every && rem.state == JOB_PENDING)
			rc = reminder_done(r->s, b.job_id, now, &has, &next, e);
		snprintf(line, sizeof(line), "%s", words[ru][W_DONE]);
	}
	if (rc == 0) {
		char *text = xasprintf("%s\n%s", rem.text ? rem.text : "", line);

		rc = edit(r, u, text, now, e);
		free(text);
	}
	reminder_release(&rem);
	return rc < 0 ? -1 : answer(r, u, line, now, e);
}

/* The user of job id (its chat and locale), in *u. */
static int job_user(struct store *s, long long id, struct user *u, struct err *e)
{
	struct job j;
	char *name;
	int rc;

	if (job_get_any(s, id, &j, e) < 0)
		return -1;
	name = user_name(s, j.user_id ? j.user_id : 1);
	job_release(&j);
	if (!name)
		return err_set(e, ERR_NOTFOUND, "job %lld has no user", id);
	rc = user_get(s, name, u, e);
	free(name);
	return rc;
}

int telegram_deliver(struct store *s, const struct sched_fire *f, time_t now, struct err *e)
{
	struct user usr;
	struct tgstore_button b;
	struct err be = { 0, "" };
	char key[24], dev[33], late[32], *markup, *text;
	long long out_id = 0;
	int rc = -1;

	memset(&usr, 0, sizeof(usr));
	if (job_user(s, f->job_id, &usr, e) < 0)
		return -1;
	if (!usr.telegram_chat_id) {
		user_release(&usr);
		err_set(e, ERR_OK, "no Telegram chat is linked to the reminder's user");
		return 1;
	}
	/* The key names the occurrence, so a second delivery finds the first. */
	snprintf(key, sizeof(key), "%llx.%llx", f->job_id, (long long)f->occurrence);
	if (tgstore_button_get(s, key, &b, &be) == 0) {
		tgstore_button_release(&b);
		user_release(&usr);
		return 0;
	}
	if (replica_device(s, dev, sizeof(dev), e) < 0) {
		user_release(&usr);
		return -1;
	}
	markup = keyboard(key, dev, lang_ix(usr.locale));
	text = f->late ? xasprintf("⏰ %s (%s)", f->text,
				   sched_fmt_late(f->late, late, sizeof(late)))
		       : xasprintf("⏰ %s", f->text);
	if (store_begin(s, e) == 0) {
		if (tg_queue_text(s, usr.telegram_chat_id, text, markup, now, &out_id, e) < 0 ||
		    tgstore_button_add(s, key, f->job_id, f->occurrence, usr.telegram_chat_id,
				       out_id, now, e) < 0)
			store_rollback(s);
		else
			rc = store_commit(s, e);
	}
	free(text);
	free(markup);
	user_release(&usr);
	return rc;
}
