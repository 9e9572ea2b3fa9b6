/*
 * assistant.h - the assistants: who answers `nestor ask` and the chat.
 *
 * An assistant has a unique name, a backend ("offline": the intent engine;
 * "llm": an OpenAI-compatible server at base_url), an optional model, the
 * NAME of the secret holding its API key (never the key: see secret.h), a
 * system prompt, a temperature, the tools it may use (comma-separated names,
 * NULL for all), a token budget for the history it sends and an optional
 * limit on the tokens of each answer.  Exactly one
 * assistant is the default; migration 1 creates 'nestor', offline, as the
 * default.  The main assistant may delegate to the others (ask_assistant).
 */
#ifndef NESTOR_ASSISTANT_H
#define NESTOR_ASSISTANT_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "err.h"
#include "store.h"

#define ASSISTANT_DEFAULT_BUDGET 8192
/* The longest system prompt, in bytes (64 KiB). */
#define ASSISTANT_PROMPT_MAX 65536

/* Who answers: the offline intent engine, or an OpenAI-compatible server. */
enum assistant_backend { ASSISTANT_OFFLINE, ASSISTANT_LLM };

/* "offline", "llm": the word in SQL, JSON and --backend. */
const char *assistant_backend_name(enum assistant_backend b);
/* The backend named word; -1 when it names none. */
int assistant_backend_parse(const char *word, enum assistant_backend *out);

struct assistant {
	long long id;
	char *name;
	enum assistant_backend backend;
	char *base_url;	     /* or NULL */
	char *model;	     /* or NULL */
	char *key_secret;    /* the secret's name, or NULL (local servers need none) */
	char *system_prompt; /* or NULL */
	char *tools;	     /* "task_add,task_list" or NULL for every tool */
	bool has_temperature;
	double temperature; /* 0-2 */
	int token_budget;   /* tokens of history sent; 256-1000000 */
	int max_tokens;	    /* the limit on an answer's tokens; 0: the server's */
	bool is_default;
	time_t created_at;
};

void assistant_release(struct assistant *a);
void assistant_list_free(struct assistant *list, size_t n);

/* Check names and values: name [A-Za-z0-9_-]{1,32}; backend offline|llm;
 * an llm assistant needs a base_url (http:// or https://, no password in
 * it: url.h); base_url, model and key_secret are UTF-8 of at most
 * STORE_TITLE_MAX bytes, tools at most STORE_NOTES_MAX, the four without
 * control characters; the prompt UTF-8 of at most ASSISTANT_PROMPT_MAX
 * bytes without control characters but newline, tab and the CR of a CR LF
 * (stored as LF); max_tokens 0-1000000. */
int assistant_check(const struct assistant *a, struct err *e);
/* assistant_check() of the stored assistant id (a change another device
 * made is held to it); ERR_NOTFOUND when there is none. */
int assistant_check_stored(struct store *s, long long id, struct err *e);

/* Insert a (sets a->id); a name already taken is ERR_USAGE.  With
 * a->is_default it becomes the default in the same transaction: on any
 * failure nothing is added. */
int assistant_add(struct store *s, struct assistant *a, time_t now, struct err *e);
/* By name or id; ERR_NOTFOUND "no assistant named 'x'" when there is none. */
int assistant_get_by_name(struct store *s, const char *name, struct assistant *out, struct err *e);
int assistant_get(struct store *s, long long id, struct assistant *out, struct err *e);
/* The default assistant (is_default, else the lowest id). */
int assistant_get_default(struct store *s, struct assistant *out, struct err *e);
/* Write every field of a back, by a->id (a->is_default is not looked at);
 * make_default: it becomes the default in the same transaction, so on any
 * failure nothing is changed. */
int assistant_update(struct store *s, const struct assistant *a, bool make_default, struct err *e);
/* Read the assistant named name into *out, let change(out, arg, e)
 * edit it, check it and write it back (make_default: and make it the
 * default): one write transaction, so no other write comes between the
 * read and the write.  change returning < 0 (its error in e), a failed
 * check or write: nothing is changed.  *out is the caller's to release
 * either way. */
int assistant_edit(struct store *s, const char *name,
		   int (*change)(struct assistant *a, void *arg, struct err *e), void *arg,
		   bool make_default, struct assistant *out, struct err *e);
/* The default assistant cannot be removed (choose another first). */
int assistant_rm(struct store *s, const char *name, struct err *e);
/* Make name the only default (its lookup in the same transaction). */
int assistant_set_default(struct store *s, const char *name, struct err *e);
/* Every assistant by name; *out is NULL when *n is 0. */
int assistant_list(struct store *s, struct assistant **out, size_t *n, struct err *e);

/* Every assistant's name, by id, NULL-terminated; NULL on error. */
char **assistant_names(struct store *s, struct err *e);
void assistant_names_free(char **names);

/* Whether tool is in the assistant's tools (NULL tools: every tool). */
bool assistant_allows(const struct assistant *a, const char *tool);

#endif
