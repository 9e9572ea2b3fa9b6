/* iCalendar import into a temporary store (fuzz_store), then an export of
 * what it holds. */
#include "fuzz.h"
#include "ical.h"

#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fuzz_text(data, size), *out = NULL;
	struct ical_report rep;
	struct err e = { 0, "" };

	struct store *st = fuzz_store("ical");

	setenv("TZ", "Europe/Berlin", 1);
	if (ical_import(st, text, NULL, FUZZ_NOW, NULL, NULL, &rep, &e) == 0) {
		ical_report_release(&rep);
		if (ical_export(st, NULL, NULL, NULL, &out, &e) == 0)
			free(out);
	}
	free(text);
	return 0;
}
