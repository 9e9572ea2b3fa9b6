/* Secrets without a Secret Service: names and the environment fallback.
 * (tests/cli/secret.sh runs against a real keyring.) */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "secret.h"

START_TEST(test_names)
{
	struct err e = { 0, "" };
	char *v = secret_env_var("open-ai.Key_2");

	ck_assert_str_eq(v, "NESTOR_SECRET_OPEN_AI_KEY_2");
	free(v);
	ck_assert_int_eq(secret_check_name("openai", &e), 0);
	ck_assert_int_eq(secret_check_name("ollama.local", &e), 0);
	ck_assert_int_eq(secret_check_name("-x", &e), -1);
	ck_assert_int_eq(secret_check_name("a b", &e), -1);
	ck_assert_int_eq(e.code, ERR_USAGE);
	ck_assert_int_eq(secret_check_name("", &e), -1);
}
END_TEST

START_TEST(test_env_fallback)
{
	struct err e = { 0, "" };
	char *v = NULL;

	/* No bus at all: libsecret fails at once and the variable is read. */
	unsetenv("DBUS_SESSION_BUS_ADDRESS");
	unsetenv("DISPLAY");
	setenv("NESTOR_SECRET_MY_KEY", "sk-from-env", 1);
	ck_assert_int_eq(secret_get("my-key", &v, &e), 0);
	ck_assert_str_eq(v, "sk-from-env");
	secret_free(v);
	unsetenv("NESTOR_SECRET_MY_KEY");
	ck_assert_int_eq(secret_get("my-key", &v, &e), -1);
	ck_assert_int_eq(e.code, ERR_NOTFOUND);
	ck_assert_str_eq(e.msg, "no secret named 'my-key' (store it with 'nestor secret set "
				"my-key' or set NESTOR_SECRET_MY_KEY)");
	ck_assert_ptr_null(v);
	ck_assert_int_eq(secret_set("my-key", "sk-x", &e), -1);
	ck_assert_msg(strstr(e.msg, "no Secret Service is available") &&
			      strstr(e.msg, "NESTOR_SECRET_MY_KEY") && !strstr(e.msg, "sk-x"),
		      "%s", e.msg);
}
END_TEST

Suite *secret_suite(void)
{
	Suite *s = suite_create("secret");
	TCase *tc = tcase_create("secret");

	tcase_add_test(tc, test_names);
	tcase_add_test(tc, test_env_fallback);
	suite_add_tcase(s, tc);
	return s;
}
