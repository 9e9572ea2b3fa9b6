/* inotify on the database's directory. */
#include "dbwatch.h"
#include "paths.h"
#include "xalloc.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <unistd.h>

struct dbwatch {
	int fd;
	char *db_name, *wal_name;
};

struct dbwatch *dbwatch_new(const char *db_path, struct err *e)
{
	struct dbwatch *w = xcalloc(1, sizeof(*w));
	char *dir = paths_dirname(db_path);
	const char *base = strrchr(db_path, '/');

	base = base ? base + 1 : db_path;
	w->db_name = xstrdup(base);
	w->wal_name = xasprintf("%s-wal", base);
	w->fd = inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
	if (w->fd < 0 || inotify_add_watch(w->fd, dir, IN_MODIFY | IN_CREATE | IN_MOVED_TO) < 0) {
		err_set(e, ERR_FAIL, "unable to watch '%s': %s", dir, strerror(errno));
		free(dir);
		dbwatch_free(w);
		return NULL;
	}
	free(dir);
	return w;
}

void dbwatch_free(struct dbwatch *w)
{
	if (!w)
		return;
	if (w->fd >= 0)
		close(w->fd);
	free(w->db_name);
	free(w->wal_name);
	free(w);
}

int dbwatch_fd(const struct dbwatch *w)
{
	return w ? w->fd : -1;
}

bool dbwatch_changed(struct dbwatch *w)
{
	char buf[4096] __attribute__((aligned(__alignof__(struct inotify_event))));
	bool hit = false;
	ssize_t n;

	while ((n = read(w->fd, buf, sizeof(buf))) > 0) {
		for (char *p = buf; p < buf + n;) {
			struct inotify_event *ev = (struct inotify_event *)p;

			if (ev->len &&
			    (!strcmp(ev->name, w->wal_name) || !strcmp(ev->name, w->db_name)))
				hit = true;
			p += sizeof(*ev) + ev->len;
		}
	}
	return hit;
}
