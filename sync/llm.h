/*
 * llm.h - a client for OpenAI-compatible chat completions.
 *
 * OpenAI, Ollama, the llama.cpp server, vLLM, LM Studio and OpenRouter all
 * speak `POST {base_url}/chat/completions`; this is the one wire format
 * nestor speaks.  The caller keeps the conversation (an array of OpenAI
 * message objects) and the tool loop; this module sends one request and
 * assembles one assistant message from the answer.
 *
 * Real servers are imperfect and the assembler accepts what they send: tool
 * calls with a null or missing id (an id is generated), arguments in one
 * delta or in many, a tool call without an `index`, a last chunk without a
 * `finish_reason`, a stream that closes without `data: [DONE]` after a
 * finish_reason.  A server that ignores `"stream": true` and answers with
 * one chat.completion JSON body is recognised by its Content-Type (any type
 * but text/event-stream) and read as the same answer, tool calls included;
 * the text still reaches the text callback.
 *
 * Reasoning models send their thinking apart from the answer
 * (`reasoning_content`: vLLM, DeepSeek, llama.cpp; `reasoning`: OpenRouter,
 * Ollama): it goes into reply.reasoning and the reasoning callback, never
 * into the content, and llm_reply_message() never sends it back.
 *
 * What servers refuse, nestor stops sending: a 400 (or 422) answer that
 * names `stream_options` is retried once without it, and one that names
 * the token limit's parameter (`max_tokens`, `max_completion_tokens`) once
 * with the other name.  What worked is remembered for the
 * rest of the process, per base URL and model.
 *
 * Everything a server sends is hostile until checked: an SSE event over
 * 1 MiB, an answer over 16 MiB, more than 64 tool calls, a tool name over
 * 64 bytes or arguments over 1 MiB end the request with "the answer is
 * unusable: ..."; text that is not UTF-8 is repaired (U+FFFD) and
 * control characters (escape sequences) are dropped from content,
 * reasoning, error messages, tool names and arguments (a name kept on one
 * line; arguments cleaned whole, so a character split between two
 * fragments stays whole); ids that are not short plain words are
 * replaced; token counts must be whole numbers.
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
	const char *assistant; /* its name, for error messages */
	const char *base_url;  /* "http://127.0.0.1:11434/v1"; /chat/completions is appended */
	const char *model;     /* NULL: no "model" field (llama.cpp serves one model) */
	const char *api_key;   /* NULL or "": no Authorization header */
	bool has_temperature;
	double temperature;
	bool stream;		  /* SSE streaming (true) or one JSON answer */
	bool usage;		  /* when streaming, ask for token counts
				   * (stream_options.include_usage) */
	int max_tokens;		  /* > 0: the answer's token limit, sent as max_tokens
				   * (max_completion_tokens to api.openai.com) */
	long timeout_s;		  /* give up after this long without data; 0: 120 */
	long request_timeout_s;	  /* give up a request that lasts longer, however
				   * often data (a keep-alive) comes; 0: 300 */
	int max_retries;	  /* for 429, 5xx and refused connections; 0: 3, -1: none */
	long backoff_ms;	  /* first backoff (doubled each time); 0: 500 */
	const atomic_int *cancel; /* non-zero aborts within 100 ms (may be NULL) */
};

struct llm_tool_call {
	char *id;	 /* as sent, or generated "call_..." when the server gave none */
	char *name;	 /* UTF-8, one line, no control characters */
	char *arguments; /* JSON text as sent, cleaned (may be malformed: the caller checks) */
	size_t args_len, args_cap; /* the assembler's, while arguments grow */
};

struct llm_reply {
	char *content;	 /* the text (never NULL after llm_chat; "" when none) */
	char *reasoning; /* the model's thinking, apart ("" when none) */
	struct llm_tool_call *calls;
	size_t ncalls;
	char finish_reason[32]; /* "stop", "tool_calls", "length", ... ("" when unknown) */
	bool interrupted;	/* the transfer stopped before the reply was complete */
	bool cancelled;		/* ... because the cancel flag was raised */
	int http_status;	/* the last status seen (0: no response) */
	int attempts;		/* requests sent (1 + retries) */
	long long usage_prompt, usage_completion; /* token counts when reported, else -1 */
	bool streamed;				  /* the answer came as server-sent events */
	bool dropped_stream_options;		  /* the server refused stream_options */
	bool renamed_max_tokens;		  /* ... or the token limit's parameter name */
	char model[128]; /* the model the server says answered ("" when not said) */
};

struct llm_callbacks {
	void *arg;
	/* A piece of reply text, as soon as it arrives. */
	void (*text)(void *arg, const char *delta, size_t len);
	/* A piece of reasoning (may be NULL). */
	void (*reasoning)(void *arg, const char *delta, size_t len);
};

void llm_reply_init(struct llm_reply *r);
void llm_reply_release(struct llm_reply *r);

/* The request body: model, messages, tools (omitted when NULL or empty),
 * stream, temperature, stream_options (o->usage), the token limit.
 * messages and tools are borrowed, not modified. */
char *llm_request_body(const struct llm_opts *o, const cJSON *messages, const cJSON *tools);

/* The assistant message of a reply, as the next request's history wants it:
 * {"role":"assistant","content":...,"tool_calls":[...]}. */
cJSON *llm_reply_message(const struct llm_reply *r);

/* Send one request and assemble the reply into *out (which it initialises).
 * Returns 0 when a complete reply arrived.  Returns -1 with e filled
 * otherwise; *out then holds whatever arrived (interrupted/cancelled set). */
int llm_chat(const struct llm_opts *o, const cJSON *messages, const cJSON *tools,
	     const struct llm_callbacks *cb, struct llm_reply *out, struct err *e);

/* Forget what servers were found to refuse (tests). */
void llm_forget_servers(void);

/* GET {base_url}/models: the ids of the models a server offers, in its
 * order, into *ids (a NULL-terminated array; free with llm_models_free);
 * *status is the last HTTP status (0: no answer).  401/403 and other
 * failures as llm_chat() reports them (o->assistant may be NULL); a body
 * that is not {"data": [{"id": "..."}, ...]} (at most 10000 models) is an
 * error. */
int llm_models(const struct llm_opts *o, char ***ids, int *status, struct err *e);
void llm_models_free(char **ids);
/* The parser behind llm_models(), for tests. */
int llm_parse_models(const char *body, size_t len, char ***ids, struct err *e);

/* The streaming assembler, exposed for tests and the benchmark: feed it
 * response bytes; it calls cb->text for each text delta. */
struct llm_utf8_carry {
	char bytes[4]; /* the start of a character split between two deltas */
	size_t len;
};

struct llm_stream {
	struct sse_parser sse;
	struct llm_reply *reply;
	const struct llm_callbacks *cb;
	const char *key; /* the API key, scrubbed from error messages (or NULL) */
	struct sbuf text, thought;
	struct llm_utf8_carry text_carry, thought_carry;
	bool done;	 /* `data: [DONE]` seen */
	bool failed;	 /* the server sent an error object in the stream */
	bool unusable;	 /* ... or something no answer may hold (error says what) */
	char error[256]; /* its message */
	size_t deltas;	 /* text deltas delivered */
	size_t bytes;	 /* bytes fed so far */
	size_t objects;	 /* events whose data was JSON */
};

void llm_stream_init(struct llm_stream *s, struct llm_reply *reply, const struct llm_callbacks *cb);
/* Returns -1 once the stream carried an error object or something unusable
 * (s->error says which). */
int llm_stream_feed(struct llm_stream *s, const char *buf, size_t n);
/* The stream ended: finish the reply.  Returns 1 when it was complete
 * ([DONE] or a finish_reason seen), 0 when it was cut short. */
int llm_stream_finish(struct llm_stream *s);
void llm_stream_release(struct llm_stream *s);

/* Parse a non-streaming response body into *out (initialised by caller);
 * cb (may be NULL) gets its text and reasoning in one piece each. */
int llm_parse_response(const char *body, size_t len, struct llm_reply *out, struct err *e);
int llm_parse_response_cb(const char *body, size_t len, const struct llm_callbacks *cb,
			  struct llm_reply *out, struct err *e);

#endif
