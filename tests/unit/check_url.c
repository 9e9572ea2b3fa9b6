/* URLs people give hold no password (src/base/url.h): what is refused, and
 * what a server's address may legitimately hold. */
#include <check.h>
#include <stdio.h>
#include <string.h>

#include "url.h"

static int check(const char *url, unsigned flags)
{
	struct err e = { 0, "" };
	int rc = url_check_secretless("server.postgres", url, flags, NULL, &e);

	if (rc < 0) {
		ck_assert_int_eq(e.code, ERR_USAGE);
		ck_assert_msg(strstr(e.msg, "server.postgres holds a password: ") == e.msg ||
				      strstr(e.msg, "server.postgres holds a secret in its "
						    "parameter \"") == e.msg,
			      "%s", e.msg);
		/* the message never quotes the URL */
		ck_assert_ptr_null(strstr(e.msg, "hunter2"));
	}
	return rc;
}

START_TEST(test_refused)
{
	static const char *const bad[] = {
		"postgresql://bob:hunter2@db/x",
		"postgresql://bob:hun/ter2@db/x",
		"postgresql:///x?password=hunter2",
		"postgresql://db/x?sslmode=require&PASSWORD=hunter2",
		"host=127.0.0.1 password=hunter2",
		"host=127.0.0.1 password = hunter2",
		"host=127.0.0.1\tpassword\t=hunter2",
		"redis://:hunter2@127.0.0.1:6379",
		/* libpq decodes a URI's keywords, and has another password */
		"postgresql://bob@127.0.0.1/db?pass%77ord=hunter2",
		"postgresql://bob@127.0.0.1/db?%70%61%73%73%77%6F%72%64=hunter2",
		"postgresql://bob@127.0.0.1/db?sslpassword=hunter2",
		"host=127.0.0.1 sslpassword = hunter2",
		/* a key or a token in a query or a fragment */
		"https://127.0.0.1:9/v1beta/openai?key=hunter2",
		"https://127.0.0.1:9/mcp?api_key=hunter2",
		"https://127.0.0.1:9/mcp?x=1&API-KEY=hunter2",
		"https://127.0.0.1:9/mcp?apikey=hunter2",
		"https://127.0.0.1:9/mcp?X-Api-Key=hunter2",
		"https://127.0.0.1:9/mcp?a=b;token=hunter2",
		"https://127.0.0.1:9/mcp?access_token=hunter2",
		"https://127.0.0.1:9/cb#access_token=hunter2",
		/* a %00 ends the name a C program decodes: "token" */
		"https://127.0.0.1:9/mcp?token%00=hunter2",
		"https://127.0.0.1:9/mcp?access_token%00x=hunter2",
		"https://127.0.0.1:9/s3?access_key%00.y=hunter2",
		/* ... and one that drops it reads the rest too: "xtoken" */
		"https://127.0.0.1:9/mcp?x%00token=hunter2",
		"https://127.0.0.1:9/mcp?api%00key=hunter2",
		"https://127.0.0.1:9/mcp?pass%00word=hunter2",
		/* names ending in the word key; a long name's tail */
		"https://127.0.0.1:9/s3?access_key=hunter2",
		"https://127.0.0.1:9/az?subscription-key=hunter2",
		"https://127.0.0.1:9/az?Ocp-Apim-Subscription-Key=hunter2",
		"https://127.0.0.1:9/s3?accessKey=hunter2",
		"https://127.0.0.1:9/x?a_very_long_parameter_name_that_goes_on_and_on_and_"
		"on_past_sixty_four_bytes_token=hunter2",
		"https://127.0.0.1:9/x?a_very_long_parameter_name_that_goes_on_and_on_and_"
		"on_past_sixty_four_bytes_page_token=hunter2",
		"host=h dbname='my key=1' password=hunter2",
		"host=h dbname='it\\'s' password=hunter2",
		/* a quote that opens no keyword's value, or does not end */
		"host=h options=x=' password=hunter2",
		"host=h dbname='x password=hunter2",
		"api.example.org/v1?x='&api_key=hunter2",
		"https://127.0.0.1:9/mcp?client_secret=hunter2",
		"https://127.0.0.1:9/mcp?passwd=hunter2",
		"https://127.0.0.1:9/f?sv=2024&sig=hunter2",
		"https://127.0.0.1:9/f?X-Amz-Signature=hunter2",
		"https://127.0.0.1:9/f?k%65y=hunter2",
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ck_assert_msg(check(bad[i], URL_USER_OK) == -1, "accepted %s", bad[i]);
	/* without URL_USER_OK a user name alone may be a key */
	ck_assert_int_eq(check("https://sk-hunter2@api.example.org/v1", 0), -1);
}
END_TEST

/* the message names the parameter as written, never its value */
START_TEST(test_names_parameter)
{
	struct err e = { 0, "" };

	ck_assert_int_eq(url_check_secretless("--base-url", "https://h/v1?a=1&Api_Key=hunter2", 0,
					      "give it with --key-secret", &e),
			 -1);
	ck_assert_str_eq(e.msg, "--base-url holds a secret in its parameter \"Api_Key\": take "
				"it out and give it with --key-secret");
}
END_TEST

START_TEST(test_kept)
{
	static const char *const good[] = {
		NULL,
		"postgresql://bob@db/x",
		"postgresql://db:5432/x",
		"postgresql://h1:5432,h2:5433/nestor?user=alice@EXAMPLE.COM",
		"postgresql://[::1]:5432,[fe80::1]/x?user=a@b",
		"postgresql://bob@%2Fvar%2Frun%2Fpostgresql/x",
		"host=127.0.0.1 user=bob dbname=x",
		"https://api.example.org/v1?forgot_password=1",
		"https://api.example.org/users/@me/v1",
		"http://[::1]:8080/v1",
		"postgresql://bob@db/x?sslmode=require&sslkey=/home/bob/.pg/key.pem",
		"https://api.example.org/v1?keyword=x&monkey=1&tokens_max=5",
		"https://api.example.org/key=x/token/v1?model=key",
		"https://api.example.org/v1?auth=none&hotkey=1&cachekey=2",
		"https://www.googleapis.com/calendar/v3/x?pageToken=abc&syncToken=def",
		"https://api.example.org/v1?next_page_token=abc",
		"host=h dbname='my key=1'",
		"host=h dbname = 'a password=b' user=bob",
	};

	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		ck_assert_msg(check(good[i], URL_USER_OK) == 0, "refused %s", good[i]);
}
END_TEST

/* "https://127.0.0.1:9/x?a=1&" then a parameter name of head, n times
 * pad and tail, then "=hunter2" */
static const char *long_name(char *buf, size_t size, const char *head, char pad, size_t n,
			     const char *tail)
{
	char fill[128];

	ck_assert_uint_lt(n, sizeof(fill));
	memset(fill, pad, n);
	fill[n] = 0;
	ck_assert_int_lt(
		snprintf(buf, size, "https://127.0.0.1:9/x?a=1&%s%s%s=hunter2", head, fill, tail),
		(int)size);
	return buf;
}

/* a name over 63 bytes is made without case, '-' and '_' before it is
 * compared: padding neither hides a secret's name nor makes one */
START_TEST(test_long_names)
{
	char buf[256];
	struct err e = { 0, "" };

	/* 100 bytes: 14 x, 80 '_', apikey */
	ck_assert_int_eq(check(long_name(buf, sizeof(buf), "xxxxxxxxxxxxxx", '_', 80, "apikey"),
			       URL_USER_OK),
			 -1);
	/* 70 bytes: padding, then password: the whole name is password */
	ck_assert_int_eq(check(long_name(buf, sizeof(buf), "", '_', 62, "password"), URL_USER_OK),
			 -1);
	ck_assert_int_eq(check(long_name(buf, sizeof(buf), "Pass", '-', 70, "word"), URL_USER_OK),
			 -1);
	ck_assert_int_eq(check(long_name(buf, sizeof(buf), "t", '_', 80, "oken"), URL_USER_OK), -1);
	ck_assert_int_eq(check(long_name(buf, sizeof(buf), "Api", '-', 90, "Key"), URL_USER_OK),
			 -1);
	/* 70 bytes ending in password is no password (forgot_password) */
	ck_assert_int_eq(check(long_name(buf, sizeof(buf), "", 'x', 62, "password"), URL_USER_OK),
			 0);
	/* paging, however padded, and a long harmless name */
	ck_assert_int_eq(check(long_name(buf, sizeof(buf), "page", '_', 70, "token"), URL_USER_OK),
			 0);
	ck_assert_int_eq(check(long_name(buf, sizeof(buf), "Sync", '-', 70, "Token"), URL_USER_OK),
			 0);
	ck_assert_int_eq(check(long_name(buf, sizeof(buf), "", 'x', 90, "_pages"), URL_USER_OK), 0);
	/* the message names the parameter as written, never its value */
	ck_assert_int_eq(url_check_secretless("--base-url",
					      long_name(buf, sizeof(buf), "", '_', 62, "password"),
					      0, NULL, &e),
			 -1);
	ck_assert_ptr_nonnull(strstr(e.msg, "parameter \"____"));
	ck_assert_ptr_null(strstr(e.msg, "hunter2"));
}
END_TEST

/* A percent escape is '%' and two hex digits, read no further than the
 * string goes. */
START_TEST(test_pct_byte)
{
	ck_assert_int_eq(url_pct_byte("%41"), 'A');
	ck_assert_int_eq(url_pct_byte("%2f/"), '/');
	ck_assert_int_eq(url_pct_byte("%FF"), 255);
	ck_assert_int_eq(url_pct_byte("%00"), 0);
	ck_assert_int_eq(url_pct_byte("%"), -1);
	ck_assert_int_eq(url_pct_byte("%4"), -1);
	ck_assert_int_eq(url_pct_byte("%g1"), -1);
	ck_assert_int_eq(url_pct_byte("%+1"), -1);
	ck_assert_int_eq(url_pct_byte(" 41"), -1);
}
END_TEST

Suite *url_suite(void)
{
	Suite *s = suite_create("url");
	TCase *tc = tcase_create("url");

	tcase_add_test(tc, test_refused);
	tcase_add_test(tc, test_kept);
	tcase_add_test(tc, test_names_parameter);
	tcase_add_test(tc, test_long_names);
	tcase_add_test(tc, test_pct_byte);
	suite_add_tcase(s, tc);
	return s;
}
