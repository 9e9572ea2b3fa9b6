/*
 * /v1/tasks, /v1/events, /v1/reminders and /v1/agenda (api.h).
 *
 * The three collections differ only in how an item is listed, made, read,
 * changed and removed: each is a struct api_resource, and api_resource()
 * does the rest the same way for all (methods and 405 with Allow, ids,
 * read-only tokens, If-Match, 201 with Location, ETags).
 */
#include "api-int.h"
#include "event-args.h"
#include "event.h"
#include "reminder.h"
#include "render.h"
#include "task.h"
#include "when.h"
#include "xalloc.h"

#include <stdlib.h>
#include <string.h>

static bool is(const struct api_call *c, const char *method)
{
	return strcmp(c->rq->method, method) == 0;
}

/* A WHEN member (date phrase or ISO time) of the body: 0 with *has false
 * when absent or null. */
static int body_when(struct api_call *c, const char *name, bool *has, struct when *w)
{
	const char *s;
	struct err e;

	*has = false;
	if (api_str(c, name, &s) < 0)
		return -1;
	if (!s)
		return 0;
	if (when_parse(s, c->now, w, &e) < 0)
		return api_error(c, 400, "%s: %s", name, e.msg);
	*has = true;
	return 0;
}

/* Apply the members of a task body to t. */
static int task_body(struct api_call *c, struct task *t)
{
	const cJSON *pri = cJSON_GetObjectItemCaseSensitive(c->in, "priority");
	const cJSON *due = cJSON_GetObjectItemCaseSensitive(c->in, "due");
	const char *title, *notes, *status;
	struct when w;
	bool has;

	if (api_str(c, "title", &title) < 0 || api_str(c, "notes", &notes) < 0 ||
	    api_str(c, "status", &status) < 0 || body_when(c, "due", &has, &w) < 0)
		return -1;
	if (title) {
		free(t->title);
		t->title = xstrdup(title);
	}
	if (cJSON_GetObjectItemCaseSensitive(c->in, "notes")) {
		free(t->notes);
		t->notes = notes && *notes ? xstrdup(notes) : NULL;
	}
	if (pri) {
		if (!cJSON_IsNumber(pri) || api_frac(c, "priority") || pri->valuedouble < 0 ||
		    pri->valuedouble > 9 || pri->valuedouble != (int)pri->valuedouble)
			return api_error(c, 400, "\"priority\" must be an integer 0-9");
		t->priority = pri->valueint;
	}
	if (has)
		task_set_due(t, &w);
	else if (cJSON_IsNull(due))
		t->has_due = false;
	if (status) {
		enum task_status st;

		if (task_status_parse(status, &st) < 0)
			return api_error(c, 400, "\"status\" must be todo, done or cancelled");
		if (st == TASK_DONE && t->status != TASK_DONE)
			t->done_at = c->now;
		else if (st != TASK_DONE)
			t->done_at = 0;
		t->status = st;
	}
	return 0;
}

/*
 * DELETE: the read, If-Match and the removal in one transaction, so a
 * change another request makes after the check cannot be removed unseen.
 */
static int remove_matched(struct api_call *c, const struct api_resource *r, long long id)
{
	cJSON *cur = NULL;
	struct err e;

	if (store_begin(c->store, &e) < 0)
		return api_fail(c, &e);
	if (r->get(c, id, &cur) < 0 || api_check_match(c, cur) < 0 || r->remove(c, id) < 0) {
		cJSON_Delete(cur);
		store_rollback(c->store);
		return -1;
	}
	cJSON_Delete(cur);
	if (store_commit(c->store, &e) < 0)
		return api_fail(c, &e);
	api_no_content(c);
	return 0;
}

int api_resource(struct api_call *c, const struct api_resource *r)
{
	cJSON *cur = NULL;
	long long id;
	int rc;

	if (!c->id) {
		if (is(c, "GET"))
			return r->list(c);
		if (!is(c, "POST")) {
			return api_bad_method(c, "GET, POST");
		}
		if (api_writable(c) < 0 || r->create(c, &id) < 0 || r->get(c, id, &cur) < 0)
			return -1;
		api_created(c, r->path, id, cur);
		return 0;
	}
	if (c->sub)
		return api_error(c, 404, "no such resource");
	if (api_id(c, &id) < 0 || r->get(c, id, &cur) < 0)
		return -1;
	if (is(c, "GET")) {
		api_one(c, cur);
		return 0;
	}
	if (!is(c, "PATCH") && !is(c, "DELETE")) {
		cJSON_Delete(cur);
		return api_bad_method(c, "GET, PATCH, DELETE");
	}
	rc = api_writable(c);
	if (rc == 0 && is(c, "PATCH") && !r->match_inside)
		rc = api_check_match(c, cur);
	cJSON_Delete(cur);
	if (rc < 0)
		return -1;
	if (is(c, "DELETE"))
		return remove_matched(c, r, id);
	if (r->patch(c, id) < 0 || r->get(c, id, &cur) < 0)
		return -1;
	api_one(c, cur);
	return 0;
}

/* ?all=1 (or any value but 0) */
static bool want_all(struct api_call *c)
{
	const char *all = c->rq->query(c->rq, "all");

	return all && strcmp(all, "0") != 0;
}

static long long task_id_at(const void *arr, size_t i)
{
	return ((const struct task *)arr)[i].id;
}

static int task_list_page(struct api_call *c)
{
	size_t n, from, to;
	struct task *ts;
	struct err e;

	if (task_list(c->store, want_all(c), &ts, &n, &e) < 0)
		return api_fail(c, &e);
	if (api_page_range(c, n, task_id_at, ts, &from, &to) == 0) {
		cJSON *arr = cJSON_CreateArray();

		for (size_t i = from; i < to; i++)
			cJSON_AddItemToArray(arr, json_task(&ts[i]));
		api_json(c, 200, arr);
	}
	task_list_free(ts, n);
	return 0;
}

static int task_create(struct api_call *c, long long *id)
{
	struct task t;
	struct err e;
	int rc = -1;

	memset(&t, 0, sizeof(t));
	if (task_body(c, &t) < 0)
		goto out;
	if (!t.title || !*t.title)
		api_error(c, 400, "missing \"title\"");
	else if (task_add(c->store, &t, c->now, &e) < 0)
		api_fail(c, &e);
	else
		rc = 0;
	*id = t.id;
out:
	task_release(&t);
	return rc;
}

static int task_json(struct api_call *c, long long id, cJSON **out)
{
	struct task t;
	struct err e;

	if (task_get(c->store, id, &t, &e) < 0)
		return api_fail(c, &e);
	*out = json_task(&t);
	task_release(&t);
	return 0;
}

/* If-Match, then the body, on the task read (task_modify: in its
 * transaction, so match_inside); a stale or bad request has its answer. */
struct task_patch_args {
	struct api_call *c;
	bool answered;
};

static int apply_task_body(void *arg, struct task *t)
{
	struct task_patch_args *a = arg;
	cJSON *v = json_task(t);

	a->answered = api_check_match(a->c, v) < 0 || task_body(a->c, t) < 0;
	cJSON_Delete(v);
	return a->answered ? -1 : 0;
}

static int task_patch(struct api_call *c, long long id)
{
	struct task_patch_args a = { c, false };
	struct task t;
	struct err e;

	if (task_modify(c->store, id, apply_task_body, &a, &t, &e) < 0)
		return a.answered ? -1 : api_fail(c, &e);
	task_release(&t);
	return 0;
}

static int task_remove(struct api_call *c, long long id)
{
	struct err e;

	return task_rm(c->store, id, &e) < 0 ? api_fail(c, &e) : 0;
}

const struct api_resource api_res_tasks = {
	"/v1/tasks", true, task_list_page, task_create, task_json, task_patch, task_remove,
};

/* The members of an event body as event_args (pointers into c->in). */
static int event_body(struct api_call *c, struct event_args *a)
{
	const cJSON *ad = cJSON_GetObjectItemCaseSensitive(c->in, "all_day");

	memset(a, 0, sizeof(*a));
	a->tool = true;
	if (api_str(c, "start", &a->at) < 0 || api_str(c, "end", &a->end) < 0 ||
	    api_str(c, "duration", &a->dur) < 0 || api_str(c, "tz", &a->tz) < 0 ||
	    api_str(c, "location", &a->location) < 0 || api_str(c, "notes", &a->notes) < 0 ||
	    api_str(c, "every", &a->every) < 0 || api_str(c, "calendar", &a->calendar) < 0 ||
	    api_str(c, "summary", &a->summary) < 0)
		return -1;
	if (ad && !cJSON_IsBool(ad))
		return api_error(c, 400, "\"all_day\" must be true or false");
	a->all_day = cJSON_IsTrue(ad);
	return 0;
}

static int event_list_page(struct api_call *c)
{
	struct event_list l;
	cJSON *arr;
	struct err e;

	if (event_all(c->store, c->rq->query(c->rq, "calendar"), &l, &e) < 0)
		return api_fail(c, &e);
	arr = cJSON_CreateArray();
	for (size_t i = 0; i < l.nevents; i++)
		cJSON_AddItemToArray(arr, json_event(&l.events[i]));
	event_list_release(&l);
	api_page(c, arr);
	return 0;
}

static int event_create(struct api_call *c, long long *id)
{
	struct event_args a;
	struct event ev;
	struct err e;
	int rc = -1;

	memset(&ev, 0, sizeof(ev));
	if (event_body(c, &a) < 0)
		return -1;
	if (!a.summary || !*a.summary)
		return api_error(c, 400, "missing \"summary\"");
	if (!a.at)
		return api_error(c, 400, "missing \"start\"");
	ev.summary = xstrdup(a.summary);
	a.summary = NULL;
	if (event_args_apply(c->store, c->now, &a, &ev, true, &e) < 0 ||
	    event_add(c->store, &ev, c->now, &e) < 0)
		api_fail(c, &e);
	else
		rc = 0;
	*id = ev.id;
	event_release(&ev);
	return rc;
}

static int event_json(struct api_call *c, long long id, cJSON **out)
{
	struct event ev;
	struct err e;

	if (event_get(c->store, id, &ev, &e) < 0)
		return api_fail(c, &e);
	*out = json_event(&ev);
	event_release(&ev);
	return 0;
}

/* If-Match, then the body, on the event read (event_modify: in its
 * transaction, so match_inside); a stale or bad request has its answer. */
struct event_patch_args {
	struct api_call *c;
	struct err *e;
	bool answered;
};

static int apply_event_body(void *arg, struct event *ev)
{
	struct event_patch_args *p = arg;
	struct event_args a;
	cJSON *v = json_event(ev);

	p->answered = api_check_match(p->c, v) < 0 || event_body(p->c, &a) < 0;
	cJSON_Delete(v);
	if (p->answered)
		return -1;
	return event_args_apply(p->c->store, p->c->now, &a, ev, false, p->e);
}

static int event_patch(struct api_call *c, long long id)
{
	struct event ev;
	struct err e;
	struct event_patch_args p = { c, &e, false };

	if (event_modify(c->store, id, c->now, apply_event_body, &p, &ev, &e) < 0)
		return p.answered ? -1 : api_fail(c, &e);
	event_release(&ev);
	return 0;
}

static int event_remove(struct api_call *c, long long id)
{
	struct err e;

	return event_delete(c->store, id, NULL, c->now, &e) < 0 ? api_fail(c, &e) : 0;
}

const struct api_resource api_res_events = {
	"/v1/events", true, event_list_page, event_create, event_json, event_patch, event_remove,
};

static int reminder_list_page(struct api_call *c)
{
	struct reminder *rs;
	struct err e;
	cJSON *arr;
	size_t n;

	if (reminder_list(c->store, want_all(c), c->now, &rs, &n, &e) < 0)
		return api_fail(c, &e);
	arr = cJSON_CreateArray();
	for (size_t i = 0; i < n; i++)
		cJSON_AddItemToArray(arr, json_reminder(&rs[i]));
	reminder_list_free(rs, n);
	api_page(c, arr);
	return 0;
}

static int reminder_create(struct api_call *c, long long *id)
{
	const char *text, *every, *tz, *channels, *when;
	struct err e;
	time_t at = 0, wall = 0;

	if (api_str(c, "text", &text) < 0 || api_str(c, "every", &every) < 0 ||
	    api_str(c, "tz", &tz) < 0 || api_str(c, "channels", &channels) < 0 ||
	    api_str(c, "at", &when) < 0)
		return -1;
	if (!text || !*text)
		return api_error(c, 400, "missing \"text\"");
	if (!when && !every)
		return api_error(c, 400, "missing \"at\" (or \"every\")");
	if (reminder_check_tz(c->store, tz, &e) < 0)
		return api_error(c, 400, "tz: %s", e.msg);
	if (when && reminder_resolve_at(when, tz, !every, c->now, &at, &wall, &e) < 0)
		return api_error(c, e.code == ERR_FAIL ? 500 : 400, "at: %s", e.msg);
	if (reminder_add(c->store, text, at, when ? &wall : NULL, every, tz, channels, c->now, id,
			 &e) < 0)
		return api_fail(c, &e);
	return 0;
}

/* The caller's reminder id (another user's is not there for it). */
static int reminder_json(struct api_call *c, long long id, cJSON **out)
{
	struct reminder r;
	struct err e;

	if (reminder_get(c->store, id, c->now, &r, &e) < 0)
		return api_fail(c, &e);
	if (r.user_id != c->tok.user_id) {
		reminder_release(&r);
		return api_error(c, 404, "no reminder with id %lld", id);
	}
	*out = json_reminder(&r);
	reminder_release(&r);
	return 0;
}

/* If-Match, checked under the write lock of the change (reminder_update). */
struct reminder_match {
	struct api_call *c;
	bool stale; /* answered 412 */
};

static int reminder_match(void *arg, const struct reminder *cur, struct err *e)
{
	struct reminder_match *m = arg;
	cJSON *v = json_reminder(cur);
	int rc = api_check_match(m->c, v);

	cJSON_Delete(v);
	if (rc < 0) {
		m->stale = true;
		return err_set(e, ERR_FAIL, "the reminder changed");
	}
	return 0;
}

/* A member that may be a string or null (null: ""), into *out. */
static int str_or_clear(struct api_call *c, const char *name, const char **out)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(c->in, name);

	if (cJSON_IsNull(v)) {
		*out = "";
		return 0;
	}
	return api_str(c, name, out);
}

/*
 * PATCH a reminder: text, at, every (null: no more repeats), tz, channels
 * (null: the default list), all or nothing, If-Match checked in the same
 * transaction; or {"snooze": SECONDS}, which fires it again that much
 * later.  (So reminders check If-Match themselves: match_inside.)
 */
/* A PATCH's "at" read as POST reads it: in the zone the reminder has (or
 * is given), a one-time reminder's past refused; *wall the time written. */
static int patch_at(struct api_call *c, long long id, struct reminder_edit *ed, const char *when,
		    time_t *wall)
{
	struct reminder cur;
	struct err e;
	bool once;
	int rc;

	if (reminder_get(c->store, id, c->now, &cur, &e) < 0)
		return api_fail(c, &e);
	once = ed->every ? !*ed->every : !(cur.every && *cur.every);
	rc = reminder_resolve_at(when, ed->tzid ? ed->tzid : cur.tzid, once, c->now, &ed->at, wall,
				 &e);
	reminder_release(&cur);
	if (rc < 0)
		return api_error(c, e.code == ERR_FAIL ? 500 : 400, "at: %s", e.msg);
	ed->has_at = true;
	ed->wall = wall;
	return 0;
}

static int reminder_patch(struct api_call *c, long long id)
{
	const cJSON *sn = cJSON_GetObjectItemCaseSensitive(c->in, "snooze");
	long long secs;
	struct reminder_match m = { c, false };
	struct reminder_edit ed;
	struct reminder r;
	struct err e;
	time_t at;

	memset(&ed, 0, sizeof(ed));
	if (sn) {
		if (cJSON_GetArraySize(c->in) != 1)
			return api_error(c, 400, "\"snooze\" goes alone");
		if (api_int(c, "snooze", 1, REMINDER_SNOOZE_MAX, &secs) < 0)
			return -1;
		/* If-Match and the snooze in one transaction: nothing between */
		if (store_begin(c->store, &e) < 0)
			return api_fail(c, &e);
		if (reminder_get(c->store, id, c->now, &r, &e) < 0) {
			store_rollback(c->store);
			return api_fail(c, &e);
		}
		if (reminder_match(&m, &r, &e) < 0) {
			reminder_release(&r);
			store_rollback(c->store);
			return -1;
		}
		reminder_release(&r);
		if (reminder_snooze(c->store, id, (long)secs, c->now, &at, &e) < 0 ||
		    store_commit(c->store, &e) < 0) {
			store_rollback(c->store);
			return api_fail(c, &e);
		}
	} else {
		const char *when;
		time_t wall = 0;

		if (api_str(c, "text", &ed.text) < 0 || str_or_clear(c, "every", &ed.every) < 0 ||
		    api_str(c, "tz", &ed.tzid) < 0 ||
		    str_or_clear(c, "channels", &ed.channels) < 0 || api_str(c, "at", &when) < 0)
			return -1;
		if (reminder_check_tz(c->store, ed.tzid, &e) < 0)
			return api_error(c, 400, "tz: %s", e.msg);
		if (when && patch_at(c, id, &ed, when, &wall) < 0)
			return -1;
		if (!ed.text && !ed.every && !ed.tzid && !ed.channels && !ed.has_at)
			return api_error(
				c, 400,
				"nothing to change (text, at, every, tz, channels, snooze)");
		if (reminder_update(c->store, id, &ed, c->now, reminder_match, &m, &e) < 0)
			return m.stale ? -1 : api_fail(c, &e);
	}
	return 0;
}

static int reminder_remove(struct api_call *c, long long id)
{
	struct err e;

	return reminder_cancel(c->store, id, &e) < 0 ? api_fail(c, &e) : 0;
}

const struct api_resource api_res_reminders = {
	"/v1/reminders", true,		 reminder_list_page, reminder_create,
	reminder_json,	 reminder_patch, reminder_remove,
};

int api_agenda(struct api_call *c)
{
	struct event_list l;
	time_t from, to;
	struct err e;
	cJSON *arr;

	if (!is(c, "GET"))
		return api_bad_method(c, "GET");
	if (event_window(c->now, c->rq->query(c->rq, "from"), c->rq->query(c->rq, "to"), true,
			 &from, &to, &e) < 0 ||
	    event_window_occurrences(c->store, from, to, c->rq->query(c->rq, "calendar"), &l, &e) <
		    0)
		return api_fail(c, &e);
	arr = cJSON_CreateArray();
	for (size_t i = 0; i < l.nocc; i++)
		cJSON_AddItemToArray(arr, json_event_occurrence(&l.occ[i]));
	event_list_release(&l);
	api_json(c, 200, arr);
	return 0;
}
