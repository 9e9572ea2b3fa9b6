/*
 * llm-context.h - which messages of a conversation go into a request.
 *
 * A model has a context window and each assistant a token budget (default
 * 8192).  The request carries the system prompt always, then the newest
 * messages of the history that fit, oldest dropped first.  An assistant
 * message with tool_calls and the tool messages answering it are one unit:
 * both go or neither does, since servers refuse a tool call without its
 * result and a result without its call.  Units that are already broken in
 * the history (an interrupted turn) are left out.  The newest unit (the
 * user's question) always goes, even over budget.
 *
 * Tokens are estimated, not counted: one per four bytes of text plus four
 * per message, which errs high for English and close for Cyrillic.
 */
#ifndef NESTOR_LLM_CONTEXT_H
#define NESTOR_LLM_CONTEXT_H

#include <cjson/cJSON.h>
#include <stddef.h>

/* Estimated tokens of one OpenAI message object (content, tool calls). */
int llm_context_tokens(const cJSON *msg);

/* The messages array for a request: {"role":"system"} with system (when
 * not NULL or empty), then the newest of history (an array of message
 * objects, oldest first; not modified) that fit in budget less the size of
 * tools.  *dropped gets how many messages of history were left out from the
 * start (so history[0..*dropped) could be summarised). */
cJSON *llm_context_fit(const char *system, const cJSON *history, const cJSON *tools, int budget,
		       size_t *dropped);

#endif
