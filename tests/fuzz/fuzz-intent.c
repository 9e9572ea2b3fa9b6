/* The offline intent parser: one request as typed. */
#include "fuzz.h"
#include "intent.h"

#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const assistants[] = { "coder", "helper", NULL };
	char *text = fuzz_text(data, size), *line;
	struct intent in;

	setenv("TZ", "Europe/Berlin", 1);
	intent_parse(text, FUZZ_NOW, assistants, &in);
	line = intent_format(&in);
	free(line);
	intent_release(&in);
	free(text);
	return 0;
}
