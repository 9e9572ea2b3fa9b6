/* The tui channel across processes: a lock that says a TUI is open, and
 * the deliveries recorded for it. */
#include "job.h"
#include "notify.h"
#include "scheduler.h"
#include "xalloc.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#define INBOX_MAX 20

static int open_lock(const char *db_path)
{
	char *path = xasprintf("%s.tui.lock", db_path);
	int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);

	free(path);
	return fd;
}

int notify_tui_attach(const char *db_path)
{
	int fd = open_lock(db_path);

	if (fd >= 0 && flock(fd, LOCK_SH | LOCK_NB) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

bool notify_tui_attached(const char *db_path)
{
	int fd = open_lock(db_path);
	bool held;

	if (fd < 0)
		return false;
	held = flock(fd, LOCK_EX | LOCK_NB) < 0 && errno == EWOULDBLOCK;
	close(fd); /* drops the lock if we took it */
	return held;
}

/* What the job delivered at that occurrence: a composed job's recorded
 * reply, else its payload's text, else its kind. */
static char *delivered_text(struct store *s, const struct job *j, time_t occurrence)
{
	cJSON *p = j->payload ? cJSON_Parse(j->payload) : NULL;
	const cJSON *text = cJSON_GetObjectItemCaseSensitive(p, "text");
	struct err ignore = { 0, "" };
	struct job_run r;
	char *out = NULL;

	if (cJSON_IsString(cJSON_GetObjectItemCaseSensitive(p, "request")) &&
	    job_run_get(s, j->id, occurrence, SCHED_STEP_ASSISTANT, &r, &ignore) == 1) {
		out = r.output ? xstrdup(r.output) : NULL;
		job_run_release(&r);
	}
	if (!out)
		out = xstrdup(cJSON_IsString(text) ? text->valuestring : j->kind);
	cJSON_Delete(p);
	return out;
}

int notify_tui_inbox(struct store *s, long long *after, struct notify_tui_item **items, size_t *n,
		     struct err *e)
{
	struct job_run *runs;
	size_t nruns;

	*items = NULL;
	*n = 0;
	if (job_runs_since(s, "tui", after, INBOX_MAX, &runs, &nruns, e) < 0)
		return -1;
	if (nruns)
		*items = xcalloc(nruns, sizeof(**items));
	for (size_t i = 0; i < nruns; i++) {
		struct notify_tui_item *it = &(*items)[*n];
		struct err ignore = { 0, "" };
		struct job j;

		if (job_get(s, runs[i].job_id, &j, &ignore) < 0)
			continue; /* removed since */
		it->job_id = j.id;
		it->kind = xstrdup(j.kind);
		it->text = delivered_text(s, &j, runs[i].occurrence);
		it->occurrence = runs[i].occurrence;
		if (runs[i].started_at - runs[i].occurrence > SCHED_LATE_GRACE)
			it->late = (long)(runs[i].started_at - runs[i].occurrence);
		job_release(&j);
		(*n)++;
	}
	job_run_list_free(runs, nruns);
	return 0;
}

void notify_tui_items_free(struct notify_tui_item *items, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(items[i].kind);
		free(items[i].text);
	}
	free(items);
}
