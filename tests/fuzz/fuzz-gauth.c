/* The Google sign-in's outside input: the request line any local process
 * can send to the loopback redirect port while `nestor google login`
 * waits (its query's state, error and code, percent-decoded).  The input
 * is the request line ("GET /?state=...&code=... HTTP/1.1"). */
#include "fuzz.h"
#include "google-int.h"

#include <stdlib.h>
#include <string.h>

static void value(const char *line, const char *key)
{
	char *v = google_query_value(line, key);

	/* a value is a string of its own, cut at no NUL it decoded */
	if (v && strlen(v) > strlen(line))
		abort();
	free(v);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fuzz_text(data, size);

	value(text, "state");
	value(text, "error");
	value(text, "code");
	free(text);
	return 0;
}
