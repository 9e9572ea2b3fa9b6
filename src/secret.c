#include "secret.h"
#include "utf8.h"
#include "keyring.h"
#include "xalloc.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>

extern char **environ;

#define ENV_PREFIX "NESTOR_SECRET_"

int secret_check_name(const char *name, struct err *e)
{
	size_t n = name ? strlen(name) : 0;

	if (n == 0 || n > 64 || !isalnum((unsigned char)name[0]))
		goto bad;
	for (size_t i = 0; i < n; i++)
		if (!isalnum((unsigned char)name[i]) && !strchr("_.-", name[i]))
			goto bad;
	return 0;
bad:
	return err_set(e, ERR_USAGE, "bad secret name %s (1-64 letters, digits, '_', '.', '-')",
		       utf8_q(name ? name : ""));
}

char *secret_env_var(const char *name)
{
	char *v = xasprintf(ENV_PREFIX "%s", name);

	for (char *p = v + strlen(ENV_PREFIX); *p; p++)
		*p = isalnum((unsigned char)*p) ? (char)toupper((unsigned char)*p) : '_';
	return v;
}

void secret_free(char *value)
{
	if (value) {
		explicit_bzero(value, strlen(value));
		free(value);
	}
}

void secret_guard(void)
{
	struct rlimit core;

	/* idempotent, so threads may race here */
	if (getrlimit(RLIMIT_CORE, &core) == 0 && core.rlim_cur != 0) {
		core.rlim_cur = 0;
		setrlimit(RLIMIT_CORE, &core);
	}
	prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
}

bool secret_in_env(void)
{
	for (char **env = environ; env && *env; env++)
		if (!strncmp(*env, ENV_PREFIX, strlen(ENV_PREFIX)))
			return true;
	return false;
}

int secret_get(const char *name, char **value, struct err *e)
{
	struct err kerr = { 0 };
	char *var;
	const char *env;

	*value = NULL;
	if (secret_check_name(name, e) < 0)
		return -1;
	secret_guard();
	/* An unreachable Secret Service (or module) leaves the environment. */
	if (keyring_lookup(name, value, &kerr) == 0 && *value)
		return 0;
	var = secret_env_var(name);
	env = getenv(var);
	if (env && *env) {
		*value = xstrdup(env);
		free(var);
		return 0;
	}
	err_set(e, ERR_NOTFOUND,
		"no secret named '%s' (store it with 'nestor secret set %s' or set %s)", name, name,
		var);
	free(var);
	return -1;
}

/* Why the Secret Service cannot be used (in e), as one line. */
static int no_service(const char *what, const char *name, struct err *e)
{
	char why[sizeof(e->msg)], *var = secret_env_var(name);

	snprintf(why, sizeof(why), "%s", e->msg);
	err_set(e, ERR_FAIL,
		"cannot %s secret '%s': no Secret Service is available (%s); set %s in the "
		"environment instead",
		what, name, why, var);
	free(var);
	return -1;
}

int secret_set(const char *name, const char *value, struct err *e)
{
	secret_guard();
	if (secret_check_name(name, e) < 0)
		return -1;
	if (!value || !*value)
		return err_set(e, ERR_USAGE, "the value of secret '%s' is empty", name);
	if (keyring_store(name, value, e) < 0)
		return no_service("store", name, e);
	return 0;
}

int secret_rm(const char *name, struct err *e)
{
	int removed = 0;

	if (secret_check_name(name, e) < 0)
		return -1;
	if (keyring_clear(name, &removed, e) < 0)
		return no_service("remove", name, e);
	if (!removed)
		return err_set(e, ERR_NOTFOUND, "no secret named '%s' in the Secret Service", name);
	return 0;
}

static void add_entry(struct secret_entry **out, size_t *n, const char *name, bool env)
{
	for (size_t i = 0; i < *n; i++)
		if (!strcmp((*out)[i].name, name))
			return;
	*out = xrealloc(*out, (*n + 1) * sizeof(**out));
	(*out)[*n].name = xstrdup(name);
	(*out)[*n].from_env = env;
	(*n)++;
}

static int by_name(const void *a, const void *b)
{
	return strcmp(((const struct secret_entry *)a)->name,
		      ((const struct secret_entry *)b)->name);
}

/* Names in the Secret Service; -1 with *why when it cannot be reached. */
static int service_names(struct secret_entry **out, size_t *n, char **why)
{
	struct err e = { 0 };
	char **names = NULL;
	size_t nn = 0;
	int rc = keyring_names(&names, &nn, &e);

	for (size_t i = 0; i < nn; i++) {
		add_entry(out, n, names[i], false);
		free(names[i]);
	}
	free(names);
	if (rc < 0 && why)
		*why = xstrdup(e.msg);
	return rc;
}

int secret_list(struct secret_entry **out, size_t *n, char **service_error, struct err *e)
{
	size_t from_service;

	(void)e;
	*out = NULL;
	*n = 0;
	if (service_error)
		*service_error = NULL;
	service_names(out, n, service_error);
	from_service = *n;
	if (*n)
		qsort(*out, *n, sizeof(**out), by_name);
	for (char **env = environ; env && *env; env++) {
		const char *eq = strchr(*env, '=');
		char *name;

		if (strncmp(*env, ENV_PREFIX, strlen(ENV_PREFIX)) || !eq || !eq[1])
			continue;
		name = xstrndup(*env + strlen(ENV_PREFIX),
				(size_t)(eq - *env) - strlen(ENV_PREFIX));
		for (char *p = name; *p; p++)
			*p = (char)tolower((unsigned char)*p);
		if (*name)
			add_entry(out, n, name, true);
		free(name);
	}
	if (*n > from_service)
		qsort(*out + from_service, *n - from_service, sizeof(**out), by_name);
	return 0;
}

void secret_list_free(struct secret_entry *list, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(list[i].name);
	free(list);
}
