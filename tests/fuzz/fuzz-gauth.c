/* The Google sign-in's outside input: the request line any local process
 * can send to the loopback redirect port while `nestor google login`
 * waits (its query's state, error and code, percent-decoded), and the
 * token endpoint's answer (sync/gcal.h gcal_token, for a code and for a
 * refresh, over a fake HTTP: fuzz_http).  The input is the request line
 * ("GET /?state=...&code=... HTTP/1.1"), then after the first newline the
 * token answer's body (one that starts with "!" is sent with status 400). */
#include "fuzz.h"
#include "gcal.h"
#include "google-int.h"
#include "http.h"

#include <stdlib.h>
#include <string.h>

static const char *answer;

static int serve(const struct http_req *rq, struct http_resp *resp, struct err *e)
{
	(void)rq;
	(void)e;
	if (*answer == '!')
		return fuzz_http_answer(resp, 400, "application/json", answer + 1,
					strlen(answer + 1), NULL);
	return fuzz_http_answer(resp, 200, "application/json", answer, strlen(answer), NULL);
}

static void value(const char *line, const char *key)
{
	char *v = google_query_value(line, key);

	/* a value is a string of its own, cut at no NUL it decoded */
	if (v && strlen(v) > strlen(line))
		abort();
	free(v);
}

/* A token taken goes into a header and the keyring: printable ASCII. */
static void check_token(const char *s)
{
	if (s && (!*s || strlen(s) > GCAL_TOKEN_MAX))
		abort();
	for (; s && *s; s++)
		if (*s < 0x21 || *s > 0x7e)
			abort();
}

static void token(const char *code)
{
	struct gcal_tokens t;
	struct err e = { 0, "" };

	if (gcal_token("http://127.0.0.1:9/token", "client", "secret", code,
		       code ? "verifier" : NULL, code ? "http://127.0.0.1:8" : NULL,
		       code ? NULL : "1//refresh", &t, &e) == 0) {
		if (!t.access && !t.error)
			abort();
		check_token(t.access);
		check_token(t.refresh);
	} else if (!e.msg[0]) {
		abort(); /* a failure says why */
	}
	gcal_tokens_release(&t);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fuzz_text(data, size), *nl = strchr(text, '\n');

	answer = nl ? nl + 1 : "";
	if (nl)
		*nl = '\0';
	value(text, "state");
	value(text, "error");
	value(text, "code");
	fuzz_http = serve;
	token("4/0Acode");
	token(NULL);
	fuzz_http = NULL;
	free(text);
	return 0;
}
