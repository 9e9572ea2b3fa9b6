#include "module.h"
#include "xalloc.h"

#include <dlfcn.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAX_LOADED 8

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static struct {
	char *name;
	void *handle;
} loaded[MAX_LOADED];
static int nloaded;

char *module_dir(void)
{
	char exe[PATH_MAX], *slash, *dir, real[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);

	if (n <= 0)
		return NULL;
	exe[n] = '\0';
	slash = strrchr(exe, '/');
	if (slash)
		*slash = '\0';
	dir = xasprintf("%s/../lib/nestor", exe);
	if (realpath(dir, real)) {
		free(dir);
		dir = xstrdup(real);
	}
	return dir;
}

/* dlopen path once; the key names it in the table.  Called with lock held. */
static void *open_once(const char *key, const char *path, char *why, size_t len)
{
	void *h;

	for (int i = 0; i < nloaded; i++)
		if (!strcmp(loaded[i].name, key))
			return loaded[i].handle;
	if (nloaded == MAX_LOADED) {
		snprintf(why, len, "too many modules");
		return NULL;
	}
	h = dlopen(path, RTLD_NOW | RTLD_LOCAL);
	if (!h) {
		const char *d = dlerror();

		snprintf(why, len, "%s", d ? d : "unknown error");
		return NULL;
	}
	loaded[nloaded].name = xstrdup(key);
	loaded[nloaded].handle = h;
	nloaded++;
	return h;
}

/* The symbol in handle, or NULL with why filled.  Called with lock held. */
static void *find(void *h, const char *symbol, char *why, size_t len)
{
	void *p;
	const char *d;

	dlerror();
	p = dlsym(h, symbol);
	if (!p && (d = dlerror()))
		snprintf(why, len, "%s", d);
	else if (!p)
		snprintf(why, len, "%s is NULL", symbol);
	return p;
}

void *module_sym(const char *name, const char *symbol, void **slot, struct err *e)
{
	void *p = __atomic_load_n(slot, __ATOMIC_ACQUIRE), *h;
	char why[512], *dir, *path;

	if (p)
		return p;
	dir = module_dir();
	if (!dir) {
		err_set(e, ERR_FAIL, "cannot load module '%s': the executable's path is unknown",
			name);
		return NULL;
	}
	path = xasprintf("%s/%s.so", dir, name);
	free(dir);
	pthread_mutex_lock(&lock);
	h = open_once(name, path, why, sizeof(why));
	if (h)
		p = find(h, symbol, why, sizeof(why));
	pthread_mutex_unlock(&lock);
	if (p)
		__atomic_store_n(slot, p, __ATOMIC_RELEASE);
	else if (!h && strstr(why, path))
		err_set(e, ERR_FAIL, "cannot load %s", why);
	else
		err_set(e, ERR_FAIL, "cannot load %s: %s", path, why);
	free(path);
	return p;
}

void *module_lib_sym(const char *soname, const char *symbol, void **slot)
{
	void *p = __atomic_load_n(slot, __ATOMIC_ACQUIRE), *h;
	char why[512];

	if (p)
		return p;
	pthread_mutex_lock(&lock);
	h = open_once(soname, soname, why, sizeof(why));
	if (h)
		p = find(h, symbol, why, sizeof(why));
	pthread_mutex_unlock(&lock);
	if (!p) {
		fprintf(stderr, "nestor: cannot load %s: %s\n", soname, why);
		exit(1);
	}
	__atomic_store_n(slot, p, __ATOMIC_RELEASE);
	return p;
}
