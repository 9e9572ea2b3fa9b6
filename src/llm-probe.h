/*
 * llm-probe.h - what an OpenAI-compatible server can do, found out the way
 * a person would right after `nestor assistant add`: the models it offers,
 * and whether an assistant's server is reachable, takes its key, streams
 * and calls tools (one tiny request offering one test tool).
 *
 *	struct probe_report r;
 *
 *	if (probe_assistant(&assistant, cfg, &r, &err) < 0)
 *		...;			// could not even try (no such secret)
 *	if (!probe_ok(&r))
 *		...;			// r.check[i].detail says what failed
 *
 * The engine never prints: the report holds the words, the front shows them.
 */
#ifndef NESTOR_LLM_PROBE_H
#define NESTOR_LLM_PROBE_H

#include <stdbool.h>

#include "assistant.h"
#include "config.h"
#include "err.h"

enum probe_state { PROBE_UNKNOWN, PROBE_YES, PROBE_NO };

enum probe_check { PROBE_REACHABLE, PROBE_KEY, PROBE_STREAMING, PROBE_TOOLS, PROBE_CHECKS };

struct probe_report {
	struct {
		const char *name; /* "reachable", "key accepted", "streaming", "tool calls" */
		const char *key;  /* the same for JSON: "reachable", "key_accepted", ... */
		enum probe_state state;
		char detail[320]; /* why, or what was seen ("" when nothing to add) */
	} check[PROBE_CHECKS];
	long long prompt_tokens, completion_tokens; /* of the test request; -1 unknown */
	bool reasoning;				    /* the model sent reasoning apart */
	char model[128]; /* the model that answered, as the server named it */
	int requests;	 /* requests sent */
};

/* Whether every check said yes. */
bool probe_ok(const struct probe_report *r);

/* Try assistant a with one tiny request (a second without tools when the
 * server refuses them).  0 when the report is filled, whatever it says; -1
 * (e) when nothing could be tried. */
int probe_assistant(const struct assistant *a, struct config *cfg, struct probe_report *r,
		    struct err *e);

/* The ids of the models at base_url (GET /models), with the key in secret
 * key_secret (NULL: none): *ids is NULL-terminated, in the server's order;
 * free it with probe_models_free(). */
int probe_models(const char *base_url, const char *key_secret, char ***ids, struct err *e);
void probe_models_free(char **ids);

#endif
