#include "paths.h"
#include "xalloc.h"

#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

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

static int write_all(int fd, const char *data, size_t len)
{
	while (len) {
		ssize_t n = write(fd, data, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		data += n;
		len -= (size_t)n;
	}
	return 0;
}

static int replace_in_place(const char *path, const void *data, size_t len, struct err *e)
{
	int fd = open(path, O_WRONLY | O_TRUNC | O_CLOEXEC);

	if (fd < 0 || write_all(fd, data, len) < 0) {
		err_set(e, ERR_FAIL, "cannot write '%s': %s", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	if (close(fd) < 0)
		return err_set(e, ERR_FAIL, "cannot write '%s': %s", path, strerror(errno));
	return 0;
}

/* What rename() gives a directory entry lasts only once the directory is synced. */
static int sync_dir(const char *path, struct err *e)
{
	char *dir = paths_dirname(path);
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC), rc = 0;

	/* some file systems cannot sync a directory (EINVAL): nothing more to do */
	if (fd < 0 || (fsync(fd) < 0 && errno != EINVAL && errno != ENOTSUP))
		rc = err_set(e, ERR_FAIL, "cannot sync directory '%s': %s", dir, strerror(errno));
	if (fd >= 0)
		close(fd);
	free(dir);
	return rc;
}

/* What a symbolic link to nothing yet names: its target, relative to the
 * link's directory, through links to links; NULL, errno set, on a loop. */
static char *dangling_target(const char *path)
{
	char *cur = xstrdup(path);
	struct stat st;

	for (int hops = 0; lstat(cur, &st) == 0 && S_ISLNK(st.st_mode); hops++) {
		char buf[4096], *next;
		ssize_t n = hops < 40 ? readlink(cur, buf, sizeof(buf) - 1) : -1;

		if (n < 0) {
			if (hops >= 40)
				errno = ELOOP;
			free(cur);
			return NULL;
		}
		buf[n] = '\0';
		if (buf[0] == '/') {
			next = xstrdup(buf);
		} else {
			char *dir = paths_dirname(cur);

			next = xasprintf("%s/%s", dir, buf);
			free(dir);
		}
		free(cur);
		cur = next;
	}
	return cur;
}

int paths_replace(const char *path, const void *data, size_t len, int mode, struct err *e)
{
	char *real = NULL, *tmp;
	struct stat st;
	bool exists;
	int fd, rc = -1;

	if (lstat(path, &st) == 0 && S_ISLNK(st.st_mode)) {
		int err = (real = realpath(path, NULL)) ? 0 : errno;

		/* a link to a file not made yet: the file is made where it points
		 * (a link the kernel resolves, /dev/stdout on a pipe, is no such) */
		if (err == ENOENT && stat(path, &st) < 0 && errno == ENOENT) {
			real = dangling_target(path);
			err = real ? 0 : errno;
		}
		if (err && err != ENOENT)
			return err_set(e, ERR_FAIL, "cannot write '%s': %s", path, strerror(err));
	}
	if (real)
		path = real;
	exists = stat(path, &st) == 0;
	if (exists) {
		if (!S_ISREG(st.st_mode)) {
			rc = replace_in_place(path, data, len, e);
			free(real);
			return rc;
		}
		if (mode == PATHS_MODE_KEEP)
			mode = (int)(st.st_mode & 07777);
	}
	if (mode == PATHS_MODE_KEEP) {
		mode_t mask = umask(0);

		umask(mask);
		mode = (int)(0666 & ~mask);
	}
	tmp = xasprintf("%s.XXXXXX", path);
	fd = mkostemp(tmp, O_CLOEXEC);
	/* a file one may write in a directory one may not: written in place */
	if (fd < 0 && exists && (errno == EACCES || errno == EPERM || errno == EROFS)) {
		rc = replace_in_place(path, data, len, e);
		goto out;
	}
	if (fd < 0) {
		err_set(e, ERR_FAIL, "cannot write '%s': %s", path, strerror(errno));
		goto out;
	}
	if (fchmod(fd, (mode_t)mode) < 0 || write_all(fd, data, len) < 0 || fsync(fd) < 0) {
		err_set(e, ERR_FAIL, "cannot write '%s': %s", path, strerror(errno));
		close(fd);
		unlink(tmp);
		goto out;
	}
	if (close(fd) < 0 || rename(tmp, path) < 0) {
		err_set(e, ERR_FAIL, "cannot replace '%s': %s", path, strerror(errno));
		unlink(tmp);
		goto out;
	}
	rc = sync_dir(path, e);
out:
	free(tmp);
	free(real);
	return rc;
}
