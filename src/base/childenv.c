#include "childenv.h"
#include "xalloc.h"

#include <stdbool.h>
#include <string.h>

extern char **environ;

/* Whether one of extra[0..n) sets the variable of var ("NAME=value"). */
static bool named(char *const extra[], size_t n, const char *var)
{
	size_t len = strcspn(var, "=");

	for (size_t i = 0; i < n; i++)
		if (!strncmp(extra[i], var, len) && extra[i][len] == '=')
			return true;
	return false;
}

char **childenv_new(char *const extra[])
{
	size_t n = 0, k = 0;
	char **env;

	while (environ && environ[n])
		n++;
	while (extra && extra[k])
		k++;
	env = xmalloc((n + k + 1) * sizeof(*env));
	for (size_t i = 0; extra && i < k; i++)
		env[i] = extra[i];
	for (size_t i = 0, nx = k; i < n; i++)
		if (strncmp(environ[i], "NESTOR_SECRET_", 14) && !named(extra, nx, environ[i]))
			env[k++] = environ[i];
	env[k] = NULL;
	return env;
}
