/* nestor secret set|rm|list: API keys in the Secret Service, never in argv */
#include "cmd.h"
#include "utf8.h"
#include "secret.h"
#include "xalloc.h"

#include <cjson/cJSON.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#define SECRET_MAX 65536

/* Exactly one NAME argument, no options. */
static int one_name(struct ctx *ctx, int argc, char **argv, const char **name)
{
	static const struct option none[] = { { NULL, 0, NULL, 0 } };

	if (cmd_getopt(ctx, argc, argv, "", none) == '?')
		return -1;
	if (optind >= argc)
		return cmd_usage(ctx, "missing NAME");
	if (optind + 1 < argc)
		return cmd_usage(ctx, "unexpected argument %s (the value is read from stdin)",
				 utf8_q(argv[optind + 1]));
	*name = argv[optind];
	return secret_check_name(*name, &ctx->err);
}

/* The value from stdin: one line without echo on a terminal, else all of it
 * up to EOF less one trailing newline. */
static char *read_value(struct ctx *ctx, const char *name)
{
	struct termios old, quiet;
	bool tty = isatty(STDIN_FILENO) && tcgetattr(STDIN_FILENO, &old) == 0;
	char *buf = xmalloc(SECRET_MAX + 1);
	size_t len = 0;
	ssize_t r;

	if (tty) {
		fprintf(ctx->errout, "value of secret '%s' (not shown): ", name);
		fflush(ctx->errout);
		quiet = old;
		quiet.c_lflag &= ~(tcflag_t)ECHO;
		quiet.c_lflag |= ECHONL;
		tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
	}
	while (len < SECRET_MAX && (r = read(STDIN_FILENO, buf + len, SECRET_MAX - len)) > 0) {
		len += (size_t)r;
		if (tty && memchr(buf, '\n', len))
			break;
	}
	if (tty)
		tcsetattr(STDIN_FILENO, TCSAFLUSH, &old);
	buf[len] = '\0';
	if (tty && memchr(buf, '\n', len))
		len = (size_t)((char *)memchr(buf, '\n', len) - buf);
	else if (len && buf[len - 1] == '\n')
		len--;
	if (len && buf[len - 1] == '\r')
		len--;
	explicit_bzero(buf + len, SECRET_MAX + 1 - len);
	if (len == 0) {
		secret_free(buf);
		cmd_usage(ctx, "no value on stdin for secret '%s'", name);
		return NULL;
	}
	if (memchr(buf, '\n', len)) {
		secret_free(buf);
		cmd_usage(ctx, "the value of secret '%s' has several lines", name);
		return NULL;
	}
	return buf;
}

static int secret_cmd_set(struct ctx *ctx, int argc, char **argv)
{
	const char *name = NULL;
	char *value;
	int rc;

	if (one_name(ctx, argc, argv, &name) < 0 || cmd_stdin_free(ctx) < 0 ||
	    !(value = read_value(ctx, name)))
		return -1;
	rc = secret_set(name, value, &ctx->err);
	secret_free(value);
	if (rc == 0)
		cmd_changed_name(ctx, name, "secret '%s' stored", name);
	return rc;
}

static int secret_cmd_rm(struct ctx *ctx, int argc, char **argv)
{
	const char *name = NULL;

	if (one_name(ctx, argc, argv, &name) < 0 || secret_rm(name, &ctx->err) < 0)
		return -1;
	cmd_changed_name(ctx, name, "secret '%s' removed", name);
	return 0;
}

static int secret_cmd_list(struct ctx *ctx, int argc, char **argv)
{
	static const struct option none[] = { { NULL, 0, NULL, 0 } };
	struct secret_entry *list;
	char *why;
	size_t n;

	if (cmd_getopt(ctx, argc, argv, "", none) == '?')
		return -1;
	if (optind < argc)
		return cmd_usage(ctx, "unexpected argument %s", utf8_q(argv[optind]));
	if (secret_list(&list, &n, &why, &ctx->err) < 0)
		return -1;
	if (ctx->json) {
		cJSON *arr = cJSON_CreateArray();

		for (size_t i = 0; i < n; i++) {
			cJSON *o = cJSON_CreateObject();

			cJSON_AddStringToObject(o, "name", list[i].name);
			cJSON_AddStringToObject(
				o, "source", list[i].from_env ? "environment" : "secret-service");
			cJSON_AddItemToArray(arr, o);
		}
		cmd_print_json(ctx, arr);
	} else {
		if (why)
			fprintf(ctx->errout,
				"nestor: secret list: no Secret Service (%s); "
				"showing NESTOR_SECRET_* variables only\n",
				why);
		if (n == 0)
			fprintf(ctx->out, "no secrets\n");
		for (size_t i = 0; i < n; i++)
			fprintf(ctx->out, "%s%s\n", list[i].name,
				list[i].from_env ? "  (environment)" : "");
	}
	free(why);
	secret_list_free(list, n);
	return 0;
}

const struct cmd cmd_secret_verbs[] = {
	{ "set", "NAME", "store a secret read from stdin (not echoed on a terminal)", 0,
	  secret_cmd_set, NULL },
	{ "rm", "NAME", "remove a secret from the Secret Service", 0, secret_cmd_rm, NULL },
	{ "list", "[--json]", "show the names of stored secrets (never their values)", 0,
	  secret_cmd_list, NULL },
	{ NULL, NULL, NULL, 0, NULL, NULL },
};
