/* Tasks as VTODOs: one function each way, apart from the event import. */
#include "ical-todo.h"
#include "caltz.h"
#include "task.h"
#include "tz.h"
#include "xalloc.h"

#include <stdlib.h>
#include <string.h>

#define DAY 86400

/* iCalendar's PRIORITY (1 highest, 9 lowest, 0 undefined) and nestor's
 * (9 most urgent, 0 the default) are mirror images. */
static int priority_flip(int p)
{
	return p >= 1 && p <= 9 ? 10 - p : 0;
}

/* A UID for a VTODO that has none, made from its title: the same file
 * imported again finds the same task. */
static char *title_uid(const char *title)
{
	unsigned long h = 5381;

	for (const char *s = title; *s; s++)
		h = h * 33 + (unsigned char)*s;
	return xasprintf("todo-%lx@nestor-import", h);
}

static void set_due(struct task *t, const struct ical_todo_due *due)
{
	struct when w;

	t->has_due = false;
	if (!due || !due->has)
		return;
	w = (struct when){ .at = due->is_date ? tz_date_to_local(due->at) : due->at,
			   .date_only = due->is_date,
			   .anchor = WHEN_DATED };
	task_set_due(t, &w);
}

int ical_todo_import(struct store *s, icalcomponent *c, const struct ical_todo_due *due, int line,
		     time_t now, size_t *added, size_t *updated, struct err *e)
{
	const char *uid = icalcomponent_get_uid(c), *summary = icalcomponent_get_summary(c);
	const char *notes = icalcomponent_get_description(c);
	icalproperty *pp = icalcomponent_get_first_property(c, ICAL_PRIORITY_PROPERTY);
	icalproperty *pc = icalcomponent_get_first_property(c, ICAL_COMPLETED_PROPERTY);
	icalproperty *pcr = icalcomponent_get_first_property(c, ICAL_CREATED_PROPERTY);
	icaltimezone *utc = icaltimezone_get_utc_timezone();
	icalproperty_status st = icalcomponent_get_status(c);
	struct task t;
	struct err nf;
	bool old;
	int rc;

	memset(&t, 0, sizeof(t));
	if (!summary || !*summary)
		summary = "(no title)";
	uid = uid && *uid ? uid : NULL;
	{
		char *made = uid ? NULL : title_uid(summary);

		old = task_get_uid(s, uid ? uid : made, &t, &nf) == 0;
		if (!old)
			t.uid = made ? made : xstrdup(uid);
		else
			free(made);
	}
	free(t.title);
	t.title = xstrdup(summary);
	free(t.notes);
	t.notes = notes && *notes ? xstrdup(notes) : NULL;
	t.priority = pp ? priority_flip(icalproperty_get_priority(pp)) : 0;
	set_due(&t, due);
	t.status = st == ICAL_STATUS_COMPLETED || pc ? TASK_DONE
		   : st == ICAL_STATUS_CANCELLED     ? TASK_CANCELLED
						     : TASK_TODO;
	t.done_at = 0;
	if (t.status == TASK_DONE)
		t.done_at =
			pc ? icaltime_as_timet_with_zone(icalproperty_get_completed(pc), utc) : now;
	if (old) {
		rc = task_update(s, &t, e);
	} else {
		enum task_status status = t.status;
		time_t done_at = t.done_at;

		rc = task_add(s, &t,
			      pcr ? icaltime_as_timet_with_zone(icalproperty_get_created(pcr), utc)
				  : now,
			      e);
		if (rc == 0 && status != TASK_TODO) {
			t.status = status;
			t.done_at = done_at;
			rc = task_update(s, &t, e);
		}
	}
	if (rc < 0)
		err_prefix(e, "line %d", line);
	else
		++*(old ? updated : added);
	task_release(&t);
	return rc;
}

static bool in_window(const struct task *t, const time_t *from, const time_t *to)
{
	if (!from && !to)
		return true;
	return t->has_due && (!from || t->due >= *from) && (!to || t->due < *to);
}

static icalcomponent *vtodo(const struct task *t)
{
	icalcomponent *c = icalcomponent_new(ICAL_VTODO_COMPONENT);

	icalcomponent_set_uid(c, t->uid);
	icalcomponent_add_property(c, caltz_utc_prop(ICAL_DTSTAMP_PROPERTY, t->created_at, false));
	icalcomponent_add_property(c, caltz_utc_prop(ICAL_CREATED_PROPERTY, t->created_at, false));
	icalcomponent_set_summary(c, t->title);
	if (t->notes && *t->notes)
		icalcomponent_set_description(c, t->notes);
	if (t->priority)
		icalcomponent_add_property(c,
					   icalproperty_new_priority(priority_flip(t->priority)));
	if (t->has_due && t->due_date_only) {
		struct icaltimetype d = icaltime_null_time();
		icalproperty *p = icalproperty_new(ICAL_DUE_PROPERTY);
		struct tm tm;

		/* the local day it is due, not the UTC one */
		localtime_r(&t->due, &tm);
		d.year = tm.tm_year + 1900;
		d.month = tm.tm_mon + 1;
		d.day = tm.tm_mday;
		d.is_date = 1;
		if (caltz_in_range(d)) {
			icalproperty_set_value(p, caltz_value(d, false));
			icalcomponent_add_property(c, p);
		} else { /* a year no file holds: its UTC day */
			icalproperty_free(p);
			icalcomponent_add_property(c,
						   caltz_utc_prop(ICAL_DUE_PROPERTY, t->due, true));
		}
	} else if (t->has_due) {
		icalcomponent_add_property(c, caltz_utc_prop(ICAL_DUE_PROPERTY, t->due, false));
	}
	if (t->status == TASK_DONE) {
		icalcomponent_set_status(c, ICAL_STATUS_COMPLETED);
		if (t->done_at)
			icalcomponent_add_property(
				c, caltz_utc_prop(ICAL_COMPLETED_PROPERTY, t->done_at, false));
	} else if (t->status == TASK_CANCELLED) {
		icalcomponent_set_status(c, ICAL_STATUS_CANCELLED);
	} else {
		icalcomponent_set_status(c, ICAL_STATUS_NEEDSACTION);
	}
	return c;
}

int ical_todo_export(struct store *s, icalcomponent *vcal, const time_t *from, const time_t *to,
		     struct err *e)
{
	struct task *ts;
	size_t n;

	if (task_list(s, true, &ts, &n, e) < 0)
		return -1;
	for (size_t i = 0; i < n; i++)
		if (in_window(&ts[i], from, to) && ts[i].uid)
			icalcomponent_add_component(vcal, vtodo(&ts[i]));
	task_list_free(ts, n);
	return 0;
}
