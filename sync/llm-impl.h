/*
 * llm-impl.h - what llm.c (the requests) and llm-parse.c (the answers)
 * share; not for other modules.
 */
#ifndef NESTOR_LLM_IMPL_H
#define NESTOR_LLM_IMPL_H

#include <cjson/cJSON.h>
#include <stddef.h>

#define LLM_MAX_EVENT  ((size_t)1 << 20)  /* one SSE event */
#define LLM_MAX_BODY   ((size_t)16 << 20) /* a whole answer */
#define LLM_MAX_CALLS  64
#define LLM_MAX_NAME   64		 /* a tool's name */
#define LLM_MAX_ARGS   ((size_t)1 << 20) /* a tool call's arguments */
#define LLM_MAX_ID     128		 /* a tool call's id */
#define LLM_MAX_MODELS 10000

/* Replace every occurrence of key in buf[0..len) by "***"; buf holds
 * len + 1 bytes.  Returns the new length. */
size_t llm_scrub_mem(char *buf, size_t len, const char *key);
/* The same on a NUL-terminated message, also a cut-off start of the key at
 * its end. */
void llm_scrub(char *msg, const char *key);
/* {"error": {"message": ...}} or {"error": "..."}: 1 with the message,
 * cleaned and the key scrubbed, in buf; 0 when root is no error object. */
int llm_error_object(const cJSON *root, const char *key, char *buf, size_t len);

#endif
