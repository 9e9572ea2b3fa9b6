/* /v1/tasks, /v1/events, /v1/agenda, /v1/reminders (api.h). */
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
		if (!cJSON_IsNumber(pri) || pri->valuedouble < 0 || pri->valuedouble > 9 ||
		    pri->valuedouble != (int)pri->valuedouble)
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

static long long task_id_at(const void *arr, size_t i)
{
	return ((const struct task *)arr)[i].id;
}

int api_tasks(struct api_call *c)
{
	struct err e;
	struct task t;
	long long id;
	int rc = -1;

	memset(&t, 0, sizeof(t));
	if (!c->id && is(c, "GET")) {
		const char *all = c->rq->query(c->rq, "all");
		size_t n, from, to;
		struct task *ts;

		if (task_list(c->store, all && strcmp(all, "0") != 0, &ts, &n, &e) < 0)
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
	if (!c->id && is(c, "POST")) {
		if (api_writable(c) < 0 || task_body(c, &t) < 0)
			goto out;
		if (!t.title || !*t.title) {
			api_error(c, 400, "missing \"title\"");
			goto out;
		}
		if (task_add(c->store, &t, c->now, &e) < 0 ||
		    task_get(c->store, t.id, &t, &e) < 0) {
			api_fail(c, &e);
			goto out;
		}
		api_created(c, "/v1/tasks", t.id, json_task(&t));
		rc = 0;
		goto out;
	}
	if (!c->id || c->sub)
		return api_bad_method(c);
	if (api_id(c, &id) < 0)
		return -1;
	if (task_get(c->store, id, &t, &e) < 0)
		return api_fail(c, &e);
	if (is(c, "GET")) {
		api_one(c, json_task(&t));
		rc = 0;
	} else if (is(c, "PATCH") || is(c, "DELETE")) {
		cJSON *cur = json_task(&t);

		rc = api_writable(c) < 0 || api_check_match(c, cur) < 0 ? -1 : 0;
		cJSON_Delete(cur);
		if (rc == 0 && is(c, "DELETE")) {
			if (task_rm(c->store, id, &e) < 0)
				rc = api_fail(c, &e);
			else
				api_no_content(c);
		} else if (rc == 0 && task_body(c, &t) == 0) {
			if (task_update(c->store, &t, &e) < 0)
				rc = api_fail(c, &e);
			else
				api_one(c, json_task(&t));
		}
	} else {
		rc = api_bad_method(c);
	}
out:
	task_release(&t);
	return rc;
}

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

int api_events(struct api_call *c)
{
	struct event_args a;
	struct event ev;
	struct err e;
	long long id;
	int rc = -1;

	memset(&ev, 0, sizeof(ev));
	if (!c->id && is(c, "GET")) {
		struct event_list l;
		cJSON *arr = cJSON_CreateArray();

		if (event_all(c->store, c->rq->query(c->rq, "calendar"), &l, &e) < 0) {
			cJSON_Delete(arr);
			return api_fail(c, &e);
		}
		for (size_t i = 0; i < l.nevents; i++)
			cJSON_AddItemToArray(arr, json_event(&l.events[i]));
		event_list_release(&l);
		api_page(c, arr);
		return 0;
	}
	if (!c->id && is(c, "POST")) {
		if (api_writable(c) < 0 || event_body(c, &a) < 0)
			return -1;
		if (!a.summary || !*a.summary)
			return api_error(c, 400, "missing \"summary\"");
		ev.summary = xstrdup(a.summary);
		a.summary = NULL;
		if (!a.at) {
			api_error(c, 400, "missing \"start\"");
			goto out;
		}
		if (event_args_apply(c->store, c->now, &a, &ev, true, &e) < 0 ||
		    event_add(c->store, &ev, c->now, &e) < 0) {
			api_fail(c, &e);
			goto out;
		}
		id = ev.id;
		event_release(&ev);
		if (event_get(c->store, id, &ev, &e) < 0) {
			api_fail(c, &e);
			goto out;
		}
		api_created(c, "/v1/events", ev.id, json_event(&ev));
		rc = 0;
		goto out;
	}
	if (!c->id || c->sub)
		return api_bad_method(c);
	if (api_id(c, &id) < 0)
		return -1;
	if (event_get(c->store, id, &ev, &e) < 0)
		return api_fail(c, &e);
	if (is(c, "GET")) {
		api_one(c, json_event(&ev));
		rc = 0;
	} else if (is(c, "PATCH") || is(c, "DELETE")) {
		cJSON *cur = json_event(&ev);

		rc = api_writable(c) < 0 || api_check_match(c, cur) < 0 ? -1 : 0;
		cJSON_Delete(cur);
		if (rc == 0 && is(c, "DELETE")) {
			if (event_delete(c->store, id, NULL, c->now, &e) < 0)
				rc = api_fail(c, &e);
			else
				api_no_content(c);
		} else if (rc == 0 && event_body(c, &a) == 0) {
			if (event_args_apply(c->store, c->now, &a, &ev, false, &e) < 0 ||
			    event_update(c->store, &ev, c->now, &e) < 0)
				rc = api_fail(c, &e);
			else
				api_one(c, json_event(&ev));
		} else {
			rc = -1;
		}
	} else {
		rc = api_bad_method(c);
	}
out:
	event_release(&ev);
	return rc;
}

int api_agenda(struct api_call *c)
{
	struct event_list l;
	time_t from, to;
	struct err e;
	cJSON *arr;

	if (!is(c, "GET"))
		return api_bad_method(c);
	if (event_window(c->now, c->rq->query(c->rq, "from"), c->rq->query(c->rq, "to"), true,
			 &from, &to, &e) < 0 ||
	    event_occurrences(c->store, from, to, c->rq->query(c->rq, "calendar"), &l, &e) < 0)
		return api_fail(c, &e);
	arr = cJSON_CreateArray();
	for (size_t i = 0; i < l.nocc; i++)
		cJSON_AddItemToArray(arr, json_event_occurrence(&l.occ[i]));
	event_list_release(&l);
	api_json(c, 200, arr);
	return 0;
}

static int reminder_create(struct api_call *c)
{
	const char *text, *every, *tz, *channels;
	struct reminder r;
	struct when w;
	struct err e;
	long long id;
	bool has;

	if (api_writable(c) < 0 || api_str(c, "text", &text) < 0 ||
	    api_str(c, "every", &every) < 0 || api_str(c, "tz", &tz) < 0 ||
	    api_str(c, "channels", &channels) < 0 || body_when(c, "at", &has, &w) < 0)
		return -1;
	if (!text || !*text)
		return api_error(c, 400, "missing \"text\"");
	if (!has && !every)
		return api_error(c, 400, "missing \"at\" (or \"every\")");
	if (reminder_add(c->store, text, has ? reminder_when_at(&w) : 0, every, tz, channels,
			 c->now, &id, &e) < 0 ||
	    reminder_get(c->store, id, c->now, &r, &e) < 0)
		return api_fail(c, &e);
	api_created(c, "/v1/reminders", id, json_reminder(&r));
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
 * later.
 */
static int reminder_patch(struct api_call *c, long long id)
{
	const cJSON *sn = cJSON_GetObjectItemCaseSensitive(c->in, "snooze");
	struct reminder_match m = { c, false };
	struct reminder_edit ed;
	struct reminder r;
	struct when w;
	struct err e;
	time_t at;

	memset(&ed, 0, sizeof(ed));
	if (sn) {
		if (cJSON_GetArraySize(c->in) != 1)
			return api_error(c, 400, "\"snooze\" goes alone");
		if (!cJSON_IsNumber(sn) || sn->valuedouble < 1)
			return api_error(c, 400,
					 "\"snooze\" must be a number of seconds (1 or more)");
		if (reminder_get(c->store, id, c->now, &r, &e) < 0)
			return api_fail(c, &e);
		if (reminder_match(&m, &r, &e) < 0) {
			reminder_release(&r);
			return -1;
		}
		reminder_release(&r);
		if (reminder_snooze(c->store, id, (long)sn->valuedouble, c->now, &at, &e) < 0)
			return api_fail(c, &e);
	} else {
		if (api_str(c, "text", &ed.text) < 0 || str_or_clear(c, "every", &ed.every) < 0 ||
		    api_str(c, "tz", &ed.tzid) < 0 ||
		    str_or_clear(c, "channels", &ed.channels) < 0 ||
		    body_when(c, "at", &ed.has_at, &w) < 0)
			return -1;
		if (ed.has_at)
			ed.at = reminder_when_at(&w);
		if (!ed.text && !ed.every && !ed.tzid && !ed.channels && !ed.has_at)
			return api_error(
				c, 400,
				"nothing to change (text, at, every, tz, channels, snooze)");
		if (reminder_update(c->store, id, &ed, c->now, reminder_match, &m, &e) < 0)
			return m.stale ? -1 : api_fail(c, &e);
	}
	if (reminder_get(c->store, id, c->now, &r, &e) < 0)
		return api_fail(c, &e);
	api_one(c, json_reminder(&r));
	reminder_release(&r);
	return 0;
}

int api_reminders(struct api_call *c)
{
	struct reminder r;
	struct err e;
	long long id;
	int rc = 0;

	if (!c->id && is(c, "GET")) {
		const char *all = c->rq->query(c->rq, "all");
		struct reminder *rs;
		cJSON *arr;
		size_t n;

		if (reminder_list(c->store, all && strcmp(all, "0") != 0, c->now, &rs, &n, &e) < 0)
			return api_fail(c, &e);
		arr = cJSON_CreateArray();
		for (size_t i = 0; i < n; i++)
			cJSON_AddItemToArray(arr, json_reminder(&rs[i]));
		reminder_list_free(rs, n);
		api_page(c, arr);
		return 0;
	}
	if (!c->id && is(c, "POST"))
		return reminder_create(c);
	if (!c->id || c->sub)
		return api_bad_method(c);
	if (api_id(c, &id) < 0)
		return -1;
	if (reminder_get(c->store, id, c->now, &r, &e) < 0)
		return api_fail(c, &e);
	if (r.user_id != c->tok.user_id) {
		reminder_release(&r);
		return api_error(c, 404, "no reminder with id %lld", id);
	}
	if (is(c, "GET")) {
		api_one(c, json_reminder(&r));
	} else if (is(c, "PATCH")) {
		rc = api_writable(c) < 0 ? -1 : reminder_patch(c, id);
	} else if (is(c, "DELETE")) {
		cJSON *cur = json_reminder(&r);

		rc = api_writable(c) < 0 || api_check_match(c, cur) < 0 ? -1 : 0;
		cJSON_Delete(cur);
		if (rc == 0 && reminder_cancel(c->store, id, &e) < 0)
			rc = api_fail(c, &e);
		else if (rc == 0)
			api_no_content(c);
	} else {
		rc = api_bad_method(c);
	}
	reminder_release(&r);
	return rc;
}
