/*
 * llm.h - a client for OpenAI-compatible chat completions.
 *
 * OpenAI, Ollama, the llama.cpp server, vLLM and OpenRouter all speak
 * `POST {base_url}/chat/completions`; this is the one wire format nestor
 * speaks.  The caller keeps the conversation (an array of OpenAI message
 * objects) and the tool loop; this module sends one request and assembles
 * one assistant message from the answer, streamed (SSE) or not.
 *
 * Real servers are imperfect and the assembler accepts what they send: tool
 * calls with a null or missing id (an id is generated), arguments in one
 * delta or in many, a tool call without an `index`, a last chunk without a
 * `finish_reason`, a stream that closes without `data: [DONE]` after a
 * finish_reason.
 *
 * Failures: 401/403 "the API key for assistant 'NAME' was refused"; 429
 * and 5xx are retried (http.h: exponential backoff honouring Retry-After); a
 * connection that drops mid-stream keeps the partial reply with
 * `interrupted` set; a raised cancel flag aborts within 100 ms, also during
 * a backoff, with `cancelled` set.  The API key never appears in an error
 * message.
 */
#ifndef NESTOR_LLM_H
#define NESTOR_LLM_H

#include <cjson/cJSON.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>

#include "err.h"
#include "sse.h"
#include "sbuf.h"

struct llm_opts {
	const char *assistant;  /* its name, for error messages */
	const char *base_url;   /* "http://127.0.0.1:11434/v1"; /chat/completions is appended */
	const char *model;      /* NULL: no "model" field (llama.cpp serves one model) */
	const char *api_key;    /* NULL or "": no Authorization header */
	bool has_temperature;
	double temperature;
	bool stream;            /* SSE streaming (true) or one JSON answer */
	long timeout_s;         /* give up after this long without data; 0: 120 */
	int max_retries;        /* for 429, 5xx and refused connections; 0: 3, -1: none */
	long backoff_ms;        /* first backoff (doubled each time); 0: 500 */
	const atomic_int *cancel; /* non-zero aborts within 100 ms (may be NULL) */
};

struct llm_tool_call {
	char *id;        /* as sent, or generated "call_..." when the server gave none */
	char *name;
	char *arguments; /* JSON text as sent (may be malformed: the caller checks) */
};

struct llm_reply {
	char *content;          /* the text (never NULL after llm_chat; "" when none) */
	struct llm_tool_call *calls;
	size_t ncalls;
	char finish_reason[32]; /* "stop", "tool_calls", "length", ... ("" when unknown) */
	bool interrupted;       /* the transfer stopped before the reply was complete */
	bool cancelled;         /* ... because the cancel flag was raised */
	int http_status;        /* the last status seen (0: no response) */
	int attempts;           /* requests sent (1 + retries) */
	long long usage_prompt, usage_completion; /* token counts when reported, else -1 */
};

struct llm_callbacks {
	void *arg;
	/* A piece of reply text, as soon as it arrives. */
	void (*text)(void *arg, const char *delta, size_t len);
};

void llm_reply_init(struct llm_reply *r);
void llm_reply_release(struct llm_reply *r);

/* The request body: model, messages, tools (omitted when NULL or empty),
 * stream, temperature.  messages and tools are borrowed, not modified. */
char *llm_request_body(const struct llm_opts *o, const cJSON *messages, const cJSON *tools);

/* The assistant message of a reply, as the next request's history wants it:
 * {"role":"assistant","content":...,"tool_calls":[...]}. */
cJSON *llm_reply_message(const struct llm_reply *r);

/* Send one request and assemble the reply into *out (which it initialises).
 * Returns 0 when a complete reply arrived.  Returns -1 with e filled
 * otherwise; *out then holds whatever arrived (interrupted/cancelled set). */
int llm_chat(const struct llm_opts *o, const cJSON *messages, const cJSON *tools,
	     const struct llm_callbacks *cb, struct llm_reply *out, struct err *e);

/* The streaming assembler, exposed for tests and the benchmark: feed it
 * response bytes; it calls cb->text for each text delta. */
struct llm_stream {
	struct sse_parser sse;
	struct llm_reply *reply;
	const struct llm_callbacks *cb;
	const char *key;  /* the API key, scrubbed from error messages (or NULL) */
	struct sbuf text;
	bool done;        /* `data: [DONE]` seen */
	bool failed;      /* the server sent an error object in the stream */
	char error[256];  /* its message */
	size_t deltas;    /* text deltas delivered */
};

void llm_stream_init(struct llm_stream *s, struct llm_reply *reply, const struct llm_callbacks *cb);
/* Returns -1 once the stream carried an error object (s->error says which). */
int llm_stream_feed(struct llm_stream *s, const char *buf, size_t n);
/* The stream ended: finish the reply.  Returns 1 when it was complete
 * ([DONE] or a finish_reason seen), 0 when it was cut short. */
int llm_stream_finish(struct llm_stream *s);
void llm_stream_release(struct llm_stream *s);

/* Parse a non-streaming response body into *out (initialised by caller). */
int llm_parse_response(const char *body, size_t len, struct llm_reply *out, struct err *e);

#endif
