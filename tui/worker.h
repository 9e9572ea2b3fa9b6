/*
 * worker.h - the TUI's worker thread: engine turns and slash commands run
 * here, never on the UI thread, so typing and scrolling stay responsive
 * while a reply streams.
 *
 * One job at a time.  The job reports through worker_post() (or the engine
 * sink from worker_sink()); each post appends an event to a mutex-protected
 * queue and writes a byte to a self-pipe, which the UI's poll() watches.
 * The UI takes the events with worker_take() and draws them.  The worker
 * never touches the screen.  When the job returns, a WORKER_FINISHED event
 * carrying its return value closes the job's events.
 */
#ifndef NESTOR_WORKER_H
#define NESTOR_WORKER_H

#include <stdbool.h>

#include "engine.h"

enum worker_kind {
	WORKER_TEXT,	    /* a: reply text as it streams */
	WORKER_TOOL_CALL,   /* a: tool name, b: arguments (JSON) */
	WORKER_TOOL_RESULT, /* a: tool name, b: result (JSON) */
	WORKER_REPLY,	    /* a: the whole reply (end of a turn) */
	WORKER_ERROR,	    /* a: the message */
	WORKER_OUTPUT,	    /* a: what a command printed */
	WORKER_FIRED,	    /* id: a reminder's job, a: title, b: text */
	WORKER_FINISHED,    /* rc: the job's return value */
	WORKER_APPROVE,	    /* a: the title, b: the question; the job waits
			     * for worker_answer() */
};

struct worker_event {
	enum worker_kind kind;
	char *a, *b;
	long long id;
	int rc;
	struct worker_event *next;
};

struct worker;

/* The job: runs on the worker thread, owns arg. */
typedef int (*worker_job_fn)(struct worker *w, void *arg);

struct worker *worker_new(struct err *e);
/* Waits for the running job to finish, then stops the thread. */
void worker_free(struct worker *w);

/* Start fn(w, arg); -1 (arg untouched) when a job is still running. */
int worker_run(struct worker *w, worker_job_fn fn, void *arg);
/* A job is running, or its events have not all been taken. */
bool worker_busy(struct worker *w);

/* For the job: queue an event (a, b may be NULL; they are copied). */
void worker_post(struct worker *w, enum worker_kind kind, const char *a, const char *b);
void worker_post_id(struct worker *w, enum worker_kind kind, long long id, const char *a,
		    const char *b);
/* For the job: an engine sink posting TEXT, TOOL_CALL, TOOL_RESULT, REPLY, ERROR,
 * and APPROVE, after which it waits for the user's answer. */
const struct engine_sink *worker_sink(struct worker *w);

/* For the UI: the user's answer to WORKER_APPROVE. */
void worker_answer(struct worker *w, enum engine_approval a);

/* For the UI: the fd to poll, and every queued event in order (a list the
 * caller frees with worker_events_free). */
int worker_fd(struct worker *w);
struct worker_event *worker_take(struct worker *w);
void worker_events_free(struct worker_event *ev);

#endif
