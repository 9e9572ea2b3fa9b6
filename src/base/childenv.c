#include "childenv.h"
#include "xalloc.h"

#include <string.h>

extern char **environ;

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
	for (size_t i = 0; i < n; i++)
		if (strncmp(environ[i], "NESTOR_SECRET_", 14))
			env[k++] = environ[i];
	env[k] = NULL;
	return env;
}
