/* The date and duration parser: "tomorrow 9am", "in 3 days", "2h30m",
 * "every weekday". */
#include "fuzz.h"
#include "when.h"

#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fuzz_text(data, size), *rrule = NULL;
	struct err e = { 0, "" };
	struct when w;
	long secs;

	setenv("TZ", "Europe/Berlin", 1);
	(void)when_parse(text, FUZZ_NOW, &w, &e);
	(void)when_parse_duration(text, &secs, &e);
	if (when_parse_rule(text, &rrule, &e) == 0)
		free(rrule);
	free(text);
	return 0;
}
