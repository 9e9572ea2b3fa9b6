#include "paths.h"
#include "xalloc.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static char *xdg_dir(const char *var, const char *fallback)
{
	const char *v = getenv(var), *home = getenv("HOME");

	if (v && *v == '/')
		return xasprintf("%s/nestor", v);
	return xasprintf("%s/%s/nestor", home && *home ? home : ".", fallback);
}

void paths_init(struct paths *p)
{
	const char *home = getenv("NESTOR_HOME");

	if (home && *home) {
		p->config_dir = xstrdup(home);
		p->data_dir = xstrdup(home);
		p->state_dir = xstrdup(home);
	} else {
		p->config_dir = xdg_dir("XDG_CONFIG_HOME", ".config");
		p->data_dir = xdg_dir("XDG_DATA_HOME", ".local/share");
		p->state_dir = xdg_dir("XDG_STATE_HOME", ".local/state");
	}
	p->config = xasprintf("%s/config", p->config_dir);
	p->db = xasprintf("%s/nestor.db", p->data_dir);
	p->log = xasprintf("%s/nestor.log", p->state_dir);
}

void paths_release(struct paths *p)
{
	free(p->config_dir);
	free(p->config);
	free(p->data_dir);
	free(p->db);
	free(p->state_dir);
	free(p->log);
	memset(p, 0, sizeof(*p));
}

int paths_mkdir(const char *dir, struct err *e)
{
	char *tmp = xstrdup(dir), *s;
	int rc = 0;

	for (s = tmp + 1;; s++) {
		if (*s == '/' || *s == '\0') {
			char c = *s;

			*s = '\0';
			if (mkdir(tmp, 0700) < 0 && errno != EEXIST) {
				rc = err_set(e, ERR_FAIL, "unable to create directory '%s': %s",
					     tmp, strerror(errno));
				break;
			}
			*s = c;
			if (!c)
				break;
		}
	}
	free(tmp);
	return rc;
}

char *paths_dirname(const char *path)
{
	const char *slash = strrchr(path, '/');

	if (!slash)
		return xstrdup(".");
	if (slash == path)
		return xstrdup("/");
	return xstrndup(path, (size_t)(slash - path));
}
