/*
 * The one test runner: every suite of tests/unit (found by the Makefile,
 * which writes suites.h) in one SRunner, so one summary line closes the run.
 * CK_RUN_SUITE=name runs one suite; CK_RUN_CASE=name one case.  A run in
 * which no test ran (a misspelt name) fails.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>

#define SUITE(name) Suite *name##_suite(void);
#include "suites.h"
#undef SUITE

int main(void)
{
	SRunner *sr = srunner_create(NULL);
	int failed, ran;

	/* What the suites and scripts expect is nestor's default, whatever
	 * the caller's shell holds: local time UTC (a suite that wants
	 * another zone sets it), logging at its default level (scripts read
	 * the info lines). */
	setenv("TZ", "UTC", 1);
	unsetenv("NESTOR_LOG");
#define SUITE(name) srunner_add_suite(sr, name##_suite());
#include "suites.h"
#undef SUITE
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	ran = srunner_ntests_run(sr);
	srunner_free(sr);
	if (ran == 0) {
		const char *suite = getenv("CK_RUN_SUITE"), *tcase = getenv("CK_RUN_CASE");

		fprintf(stderr, "no test ran (CK_RUN_SUITE=%s, CK_RUN_CASE=%s)\n",
			suite ? suite : "", tcase ? tcase : "");
		return EXIT_FAILURE;
	}
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
