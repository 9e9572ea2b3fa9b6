/*
 * assistant.h - the assistants a conversation can talk to.
 *
 * Row 1, "nestor", is the default and uses the offline intent engine; other
 * rows name sub-assistants the main one can delegate to (ask_assistant),
 * with the backend "offline" or "llm".
 */
#ifndef NESTOR_ASSISTANT_H
#define NESTOR_ASSISTANT_H

#include <stdbool.h>

#include "err.h"
#include "store.h"

struct assistant {
	long long id;
	char *name;
	char backend[12]; /* "offline" or "llm" */
	char *base_url, *model, *system_prompt; /* NULL when unset */
	char *tools;      /* comma-separated allowed tools, NULL for all */
	double temperature;
	bool has_temperature;
	int token_budget;
	bool is_default;
};

void assistant_release(struct assistant *a);

/* By name or id; ERR_NOTFOUND when there is none. */
int assistant_get_by_name(struct store *s, const char *name, struct assistant *out,
			  struct err *e);
int assistant_get(struct store *s, long long id, struct assistant *out, struct err *e);
/* The default assistant (is_default, else the lowest id). */
int assistant_get_default(struct store *s, struct assistant *out, struct err *e);
/* Every assistant's name, by id, NULL-terminated; NULL on error. */
char **assistant_names(struct store *s, struct err *e);
void assistant_names_free(char **names);

#endif
