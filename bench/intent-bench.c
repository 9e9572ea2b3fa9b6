/* The share of a corpus file (UTTERANCE<TAB>EXPECTED, as tests/data/intents.tsv)
 * that the offline intent parser understands as expected, at the corpus's
 * fixed now (Wednesday 2026-11-25 14:30 Europe/Berlin, date order dmy).
 * Usage: intent-bench FILE...   prints one line per file and the misses;
 *        intent-bench -p TEXT   prints the parse of TEXT. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "intent.h"
#include "when.h"

static time_t fixed_now(void)
{
	struct tm tm = { .tm_year = 126, .tm_mon = 10, .tm_mday = 25, .tm_hour = 14, .tm_min = 30,
			 .tm_isdst = -1 };

	setenv("TZ", "Europe/Berlin", 1);
	tzset();
	when_set_order(WHEN_DMY);
	return mktime(&tm);
}

static char *parse(const char *text, time_t now)
{
	static const char *const assistants[] = { "coder", NULL };
	struct intent in;
	char *got;

	intent_parse(text, now, assistants, &in);
	got = intent_format(&in);
	intent_release(&in);
	return got;
}

int main(int argc, char **argv)
{
	time_t now = fixed_now();
	int status = 0;

	if (argc == 3 && !strcmp(argv[1], "-p")) {
		char *got = parse(argv[2], now);

		printf("%s\n", got);
		free(got);
		return 0;
	}
	for (int a = 1; a < argc; a++) {
		FILE *f = fopen(argv[a], "r");
		char line[2048];
		int n = 0, ok = 0;

		if (!f) {
			fprintf(stderr, "intent-bench: cannot open '%s'\n", argv[a]);
			status = 1;
			continue;
		}
		while (fgets(line, sizeof(line), f)) {
			char *tab = strchr(line, '\t'), *got;

			line[strcspn(line, "\n")] = '\0';
			if (line[0] == '#' || !tab)
				continue;
			*tab = '\0';
			got = parse(line, now);
			n++;
			if (!strcmp(got, tab + 1))
				ok++;
			else
				printf("  miss: %s\n    want: %s\n    got:  %s\n", line, tab + 1, got);
			free(got);
		}
		fclose(f);
		printf("%s: %d of %d understood as expected (%.1f%%)\n", argv[a], ok, n,
		       n ? 100.0 * ok / n : 0.0);
	}
	return status;
}
