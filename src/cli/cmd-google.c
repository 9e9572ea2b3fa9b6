/* nestor google login|logout|sync and nestor calendar list|add|sync: Google
 * Calendar from the command line (google.h does the work). */
#include "cmd.h"
#include "childenv.h"
#include "utf8.h"
#include "google.h"
#include "gsync.h"
#include "render.h"
#include "xalloc.h"

#include <cjson/cJSON.h>
#include <getopt.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

enum { OPT_NO_BROWSER = 256, OPT_PORT, OPT_TIMEOUT, OPT_CALENDAR, OPT_FULL };

struct show {
	struct ctx *ctx;
	bool browser;
};

static void show_url(void *arg, const char *url)
{
	struct show *sh = arg;
	FILE *f = sh->ctx->json ? sh->ctx->errout : sh->ctx->out;

	if (sh->browser) {
		char *args[] = { "xdg-open", (char *)url, NULL };
		/* the browser is not the secrets' (childenv.h) */
		char **env = childenv_new(NULL);
		pid_t pid;
		int rc = posix_spawnp(&pid, "xdg-open", NULL, NULL, args, env);

		free(env);
		if (rc == 0) {
			fprintf(f, "A browser opens Google's consent page; if not, open:\n");
			waitpid(pid, NULL, 0);
		} else {
			fprintf(f,
				"Open this page in a browser to let nestor use your calendars:\n");
		}
	} else {
		fprintf(f, "Open this page in a browser to let nestor use your calendars:\n");
	}
	fprintf(f, "%s\n", url);
	fprintf(f, "Waiting for Google's answer...\n");
	fflush(f);
}

static int google_cmd_login(struct ctx *ctx, int argc, char **argv)
{
	static const struct option opts[] = { { "no-browser", no_argument, NULL, OPT_NO_BROWSER },
					      { "port", required_argument, NULL, OPT_PORT },
					      { "timeout", required_argument, NULL, OPT_TIMEOUT },
					      { NULL, 0, NULL, 0 } };
	const char *display = getenv("DISPLAY"), *wayland = getenv("WAYLAND_DISPLAY");
	struct show sh = { ctx, (display && *display) || (wayland && *wayland) };
	long long port = 0, timeout = 300;
	int c;

	while ((c = cmd_getopt(ctx, argc, argv, "", opts)) != -1) {
		if (c == '?')
			return -1;
		if (c == OPT_NO_BROWSER) {
			sh.browser = false;
			continue;
		}
		if (c == OPT_PORT ? cmd_parse_int(ctx, "--port", optarg, 0, 65535, &port) < 0
				  : cmd_parse_int(ctx, "--timeout", optarg, 1, 3600, &timeout) < 0)
			return -1;
	}
	if (optind < argc)
		return cmd_usage(ctx, "unexpected argument %s", utf8_q(argv[optind]));
	if (google_login(ctx->cfg, ctx->store, (int)port, (int)timeout, show_url, &sh, &ctx->err) <
	    0)
		return -1;
	if (ctx->json) {
		cJSON *o = cJSON_CreateObject();

		cJSON_AddBoolToObject(o, "signed_in", true);
		cmd_print_json(ctx, o);
	} else {
		fprintf(ctx->out, "signed in to Google; nestor google sync pulls your calendars\n");
	}
	return 0;
}

static int google_cmd_logout(struct ctx *ctx, int argc, char **argv)
{
	if (cmd_no_args(ctx, argc, argv) < 0 || google_logout(ctx->cfg, &ctx->err) < 0)
		return -1;
	if (ctx->json) {
		cJSON *o = cJSON_CreateObject();

		cJSON_AddBoolToObject(o, "signed_in", false);
		cmd_print_json(ctx, o);
	} else {
		fprintf(ctx->out, "signed out of Google; the events pulled stay here\n");
	}
	return 0;
}

/* An item the pull skipped: a warning on stderr (and the log). */
static void skip_line(void *arg, const char *line)
{
	fprintf(((struct ctx *)arg)->errout, "nestor: warning: google: %s\n", line);
}

static int google_cmd_sync(struct ctx *ctx, int argc, char **argv)
{
	static const struct option opts[] = { { "calendar", required_argument, NULL, OPT_CALENDAR },
					      { "full", no_argument, NULL, OPT_FULL },
					      { NULL, 0, NULL, 0 } };
	const char *calendar = NULL;
	struct google_report r;
	bool full = false;
	int c, rc;

	while ((c = cmd_getopt(ctx, argc, argv, "", opts)) != -1) {
		if (c == '?')
			return -1;
		if (c == OPT_CALENDAR)
			calendar = optarg;
		else
			full = true;
	}
	if (optind < argc)
		return cmd_usage(ctx, "unexpected argument %s", utf8_q(argv[optind]));
	google_set_warn(skip_line, ctx);
	rc = google_sync(ctx->cfg, ctx->store, calendar, full, ctx->now, &r, &ctx->err);
	google_set_warn(NULL, NULL);
	if (rc < 0)
		return -1;
	if (ctx->json) {
		cJSON *o = cJSON_CreateObject();

		cJSON_AddNumberToObject(o, "calendars", r.calendars);
		cJSON_AddNumberToObject(o, "full", r.full);
		cJSON_AddNumberToObject(o, "pulled", (double)r.pulled);
		cJSON_AddNumberToObject(o, "removed", (double)r.removed);
		cJSON_AddNumberToObject(o, "skipped", (double)r.skipped);
		cJSON_AddNumberToObject(o, "pushed", (double)r.pushed);
		cJSON_AddNumberToObject(o, "conflicts", (double)r.conflicts);
		cJSON_AddNumberToObject(o, "pending", (double)r.pending);
		cmd_print_json(ctx, o);
	} else {
		fprintf(ctx->out, "%d calendars: pushed %ld, pulled %ld, removed %ld", r.calendars,
			r.pushed, r.pulled, r.removed);
		if (r.skipped)
			fprintf(ctx->out, ", skipped %ld", r.skipped);
		if (r.conflicts)
			fprintf(ctx->out, ", %ld conflicts: nestor sync conflicts", r.conflicts);
		fprintf(ctx->out, "\n");
	}
	return 0;
}

const struct cmd cmd_google_verbs[] = {
	{ "login", "[--no-browser] [--port N] [--timeout SECS]",
	  "sign in to Google (a browser and a redirect to 127.0.0.1)", CMD_NEEDS_DB,
	  google_cmd_login, NULL },
	{ "logout", NULL, "revoke nestor's access to Google and forget the tokens", 0,
	  google_cmd_logout, NULL },
	{ "sync", "[--calendar NAME] [--full] [--json]",
	  "push local changes to Google and pull its changes, once", CMD_NEEDS_DB, google_cmd_sync,
	  NULL },
	{ NULL, NULL, NULL, 0, NULL, NULL },
};

static int calendar_cmd_list(struct ctx *ctx, int argc, char **argv)
{
	struct gsync_cal *c;
	size_t n;

	if (cmd_no_args(ctx, argc, argv) < 0)
		return -1;
	if (google_configured(ctx->cfg) && google_calendars(ctx->cfg, ctx->store, &ctx->err) < 0) {
		/* offline or signed out: what is known here still lists */
		fprintf(ctx->errout, "nestor: calendar list: %s\n", ctx->err.msg);
		err_clear(&ctx->err);
	}
	if (gsync_calendars(ctx->store, &c, &n, &ctx->err) < 0)
		return -1;
	if (ctx->json) {
		cJSON *arr = cJSON_CreateArray();

		for (size_t i = 0; i < n; i++) {
			cJSON *o = cJSON_CreateObject();

			cJSON_AddStringToObject(o, "name", c[i].name);
			cJSON_AddStringToObject(o, "source", c[i].google ? "google" : "local");
			render_add_str(o, "remote_id", c[i].remote_id);
			render_add_str(o, "color", c[i].color);
			render_add_str(o, "access", c[i].google ? c[i].access : "owner");
			cJSON_AddBoolToObject(o, "sync", c[i].google && c[i].sync);
			render_add_str(o, "timezone", c[i].tz);
			cJSON_AddNumberToObject(o, "events", (double)c[i].events);
			cJSON_AddItemToArray(arr, o);
		}
		cmd_print_json(ctx, arr);
	} else {
		for (size_t i = 0; i < n; i++) {
			cmd_put_safe(ctx->out, c[i].name);
			fprintf(ctx->out, "  %s%s%s  %ld events\n",
				c[i].google ? "google" : "local",
				c[i].google ? (c[i].sync ? ", sync on" : ", sync off") : "",
				c[i].google && c[i].access && strcmp(c[i].access, "owner") &&
						strcmp(c[i].access, "writer")
					? ", read-only"
					: "",
				c[i].events);
		}
	}
	gsync_cals_free(c, n);
	return 0;
}

/* `calendar add NAME`: no option; after "--" a NAME may begin with '-'. */
static int calendar_cmd_add(struct ctx *ctx, int argc, char **argv)
{
	static const struct option none[] = { { NULL, 0, NULL, 0 } };
	const char *name;

	if (cmd_getopt(ctx, argc, argv, "", none) == '?')
		return -1;
	if (argc - optind != 1)
		return cmd_usage(ctx, "one NAME, quoted if it has spaces");
	name = argv[optind];
	if (gsync_calendar_add(ctx->store, name, &ctx->err) < 0)
		return -1;
	cmd_changed_name(ctx, name, "calendar \"%s\" added", name);
	return 0;
}

static int calendar_cmd_sync(struct ctx *ctx, int argc, char **argv)
{
	static const struct option none[] = { { NULL, 0, NULL, 0 } };
	const char *name;
	bool on;

	if (cmd_getopt(ctx, argc, argv, "", none) == '?')
		return -1;
	if (argc - optind != 2 ||
	    (strcmp(argv[optind + 1], "on") && strcmp(argv[optind + 1], "off")))
		return cmd_usage(ctx, "NAME on|off");
	name = argv[optind];
	on = !strcmp(argv[optind + 1], "on");
	if (gsync_calendar_set_sync(ctx->store, name, on, &ctx->err) < 0)
		return -1;
	cmd_changed_name(ctx, name, "calendar \"%s\": sync %s", name, on ? "on" : "off");
	return 0;
}

const struct cmd cmd_calendar_verbs[] = {
	{ "list", "[--json]", "local and Google calendars", CMD_NEEDS_DB, calendar_cmd_list, NULL },
	{ "add", "NAME", "add a local calendar", CMD_NEEDS_DB, calendar_cmd_add, NULL },
	{ "sync", "NAME on|off", "sync a Google calendar or stop syncing it", CMD_NEEDS_DB,
	  calendar_cmd_sync, NULL },
	{ NULL, NULL, NULL, 0, NULL, NULL },
};
