/* A thread, a job slot and an event queue with a self-pipe. */
#include "worker.h"
#include "xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct worker {
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t wake;
	pthread_cond_t answered; /* worker_answer() */
	int answer;		 /* an enum engine_approval, or -1 while asked */
	worker_job_fn fn;	 /* the job waiting to start, or NULL */
	void *arg;
	bool running; /* from worker_run until FINISHED is taken */
	bool quit;
	struct worker_event *head, **tail;
	int pipe[2];
	struct engine_sink sink;
};

static void post(struct worker *w, enum worker_kind kind, long long id, const char *a,
		 const char *b, int rc)
{
	struct worker_event *ev = xcalloc(1, sizeof(*ev));
	char c = 'e';

	ev->kind = kind;
	ev->id = id;
	ev->rc = rc;
	ev->a = a ? xstrdup(a) : NULL;
	ev->b = b ? xstrdup(b) : NULL;
	pthread_mutex_lock(&w->lock);
	*w->tail = ev;
	w->tail = &ev->next;
	pthread_mutex_unlock(&w->lock);
	if (write(w->pipe[1], &c, 1) < 0) {
		/* full: the UI has bytes to read already */
	}
}

void worker_post(struct worker *w, enum worker_kind kind, const char *a, const char *b)
{
	post(w, kind, 0, a, b, 0);
}

void worker_post_id(struct worker *w, enum worker_kind kind, long long id, const char *a,
		    const char *b)
{
	post(w, kind, id, a, b, 0);
}

static void sink_text(void *arg, const char *delta)
{
	worker_post(arg, WORKER_TEXT, delta, NULL);
}

static void sink_tool_call(void *arg, const char *name, const char *args)
{
	worker_post(arg, WORKER_TOOL_CALL, name, args);
}

static void sink_tool_result(void *arg, const char *name, const char *result)
{
	worker_post(arg, WORKER_TOOL_RESULT, name, result);
}

static void sink_done(void *arg, const char *reply)
{
	worker_post(arg, WORKER_REPLY, reply, NULL);
}

static void sink_error(void *arg, const struct err *e)
{
	worker_post(arg, WORKER_ERROR, e->msg, NULL);
}

/* Ask the UI and wait for worker_answer() (not now, when the TUI quits). */
static enum engine_approval sink_approve(void *arg, const char *tool, const char *server,
					 const char *what)
{
	struct worker *w = arg;
	char *text = xasprintf("The assistant wants to %s (%s)", what, tool);
	enum engine_approval a;

	pthread_mutex_lock(&w->lock);
	w->answer = -1;
	pthread_mutex_unlock(&w->lock);
	worker_post(w, WORKER_APPROVE, server ? "Allow an MCP tool?" : "Allow this tool call?",
		    text);
	free(text);
	pthread_mutex_lock(&w->lock);
	while (w->answer < 0 && !w->quit)
		pthread_cond_wait(&w->answered, &w->lock);
	a = w->answer < 0 ? ENGINE_DENY : (enum engine_approval)w->answer;
	pthread_mutex_unlock(&w->lock);
	return a;
}

void worker_answer(struct worker *w, enum engine_approval a)
{
	pthread_mutex_lock(&w->lock);
	w->answer = (int)a;
	pthread_cond_signal(&w->answered);
	pthread_mutex_unlock(&w->lock);
}

static void *thread_main(void *p)
{
	struct worker *w = p;

	pthread_mutex_lock(&w->lock);
	for (;;) {
		worker_job_fn fn;
		void *arg;
		int rc;

		while (!w->fn && !w->quit)
			pthread_cond_wait(&w->wake, &w->lock);
		if (!w->fn)
			break;
		fn = w->fn;
		arg = w->arg;
		w->fn = NULL;
		pthread_mutex_unlock(&w->lock);
		rc = fn(w, arg);
		post(w, WORKER_FINISHED, 0, NULL, NULL, rc);
		pthread_mutex_lock(&w->lock);
	}
	pthread_mutex_unlock(&w->lock);
	return NULL;
}

struct worker *worker_new(struct err *e)
{
	struct worker *w = xcalloc(1, sizeof(*w));

	if (pipe2(w->pipe, O_CLOEXEC | O_NONBLOCK) < 0) {
		err_set(e, ERR_FAIL, "pipe: %s", strerror(errno));
		free(w);
		return NULL;
	}
	pthread_mutex_init(&w->lock, NULL);
	pthread_cond_init(&w->wake, NULL);
	pthread_cond_init(&w->answered, NULL);
	w->tail = &w->head;
	w->sink = (struct engine_sink){ w,	     sink_text,	 sink_tool_call, sink_tool_result,
					sink_done,   sink_error, NULL,		 NULL,
					sink_approve };
	if (pthread_create(&w->thread, NULL, thread_main, w) != 0) {
		err_set(e, ERR_FAIL, "cannot start the worker thread");
		close(w->pipe[0]);
		close(w->pipe[1]);
		free(w);
		return NULL;
	}
	return w;
}

void worker_free(struct worker *w)
{
	if (!w)
		return;
	pthread_mutex_lock(&w->lock);
	w->quit = true;
	pthread_cond_signal(&w->wake);
	pthread_cond_signal(&w->answered);
	pthread_mutex_unlock(&w->lock);
	pthread_join(w->thread, NULL);
	worker_events_free(w->head);
	pthread_mutex_destroy(&w->lock);
	pthread_cond_destroy(&w->wake);
	pthread_cond_destroy(&w->answered);
	close(w->pipe[0]);
	close(w->pipe[1]);
	free(w);
}

int worker_run(struct worker *w, worker_job_fn fn, void *arg)
{
	int rc = -1;

	pthread_mutex_lock(&w->lock);
	if (!w->running) {
		w->running = true;
		w->fn = fn;
		w->arg = arg;
		pthread_cond_signal(&w->wake);
		rc = 0;
	}
	pthread_mutex_unlock(&w->lock);
	return rc;
}

bool worker_busy(struct worker *w)
{
	bool busy;

	pthread_mutex_lock(&w->lock);
	busy = w->running;
	pthread_mutex_unlock(&w->lock);
	return busy;
}

const struct engine_sink *worker_sink(struct worker *w)
{
	return &w->sink;
}

int worker_fd(struct worker *w)
{
	return w->pipe[0];
}

struct worker_event *worker_take(struct worker *w)
{
	struct worker_event *list;
	char buf[256];

	while (read(w->pipe[0], buf, sizeof(buf)) > 0)
		;
	pthread_mutex_lock(&w->lock);
	list = w->head;
	w->head = NULL;
	w->tail = &w->head;
	for (struct worker_event *ev = list; ev; ev = ev->next)
		if (ev->kind == WORKER_FINISHED)
			w->running = false;
	pthread_mutex_unlock(&w->lock);
	return list;
}

void worker_events_free(struct worker_event *ev)
{
	while (ev) {
		struct worker_event *next = ev->next;

		free(ev->a);
		free(ev->b);
		free(ev);
		ev = next;
	}
}
