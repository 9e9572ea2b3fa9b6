/* Google Calendar sync: the pull, the push and the round (google.h). */
#include "google.h"
#include "utf8.h"

#include <cjson/cJSON.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "google-int.h"
#include "gsync.h"
#include "http.h"
#include "log.h"
#include "xalloc.h"

static const char *jstr(const cJSON *o, const char *k)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);

	return cJSON_IsString(v) ? v->valuestring : NULL;
}

static void (*warn_fn)(void *arg, const char *line);
static void *warn_arg;

/* A line of what a pull left out: logged and told (google_set_warn). */
static void warn_line(const char *line)
{
	log_msg(LOG_WARN, "google", "%s", line);
	if (warn_fn)
		warn_fn(warn_arg, line);
}

/* Turn off the sync of the stored Google calendar of remote_id, an id now
 * refused (stored by an older nestor), so it is neither pulled nor pushed;
 * its events stay.  *name gets its name (to free) when its sync was on
 * and is now off, else NULL (none stored, or off already). */
static int stop_refused(struct store *s, const char *remote_id, char **name, struct err *e)
{
	struct gsync_cal *cals;
	size_t n;
	int rc = 0;

	*name = NULL;
	if (gsync_calendars(s, &cals, &n, e) < 0)
		return -1;
	for (size_t i = 0; i < n && !*name; i++)
		if (cals[i].google && cals[i].sync && cals[i].remote_id &&
		    !strcmp(cals[i].remote_id, remote_id))
			*name = xstrdup(cals[i].name);
	if (*name && gsync_calendar_set_sync(s, *name, false, e) < 0) {
		free(*name);
		*name = NULL;
		rc = -1;
	}
	gsync_cals_free(cals, n);
	return rc;
}

/* Google's calendar id refused for why: warn, naming it, and turn off the
 * sync of the calendar stored with it, if any (said when it was on). */
static int skip_calendar(struct gsess *g, const char *id, const char *why, struct err *e)
{
	char line[sizeof(e->msg) + 2 * UTF8_QUOTE_MAX + 64], *name;

	if (stop_refused(g->s, id, &name, e) < 0)
		return -1;
	snprintf(line, sizeof(line), "calendar %s skipped: %s%s%s%s", utf8_q(id), why,
		 name ? "; sync of " : "", name ? utf8_q(name) : "",
		 name ? " turned off, its events stay" : "");
	free(name);
	warn_line(line);
	return 0;
}

/* Whether remote_id, a calendar id stored by an older nestor, is one
 * gmap_calendar refuses now; why says why. */
static bool refused_id(const char *remote_id, struct err *why)
{
	return utf8_check_name("calendar id", remote_id, GMAP_CAL_ID_MAX, why) < 0;
}

/* The stored Google calendars that sync under an id now refused, also
 * those Google no longer lists: sync turned off, each named. */
static int stop_legacy(struct gsess *g, struct err *e)
{
	struct gsync_cal *cals;
	size_t n;
	int rc = 0;

	if (gsync_calendars(g->s, &cals, &n, e) < 0)
		return -1;
	for (size_t i = 0; i < n && rc == 0; i++) {
		struct err why = { 0 };

		if (cals[i].google && cals[i].sync && cals[i].remote_id &&
		    refused_id(cals[i].remote_id, &why))
			rc = skip_calendar(g, cals[i].remote_id, why.msg, e);
	}
	gsync_cals_free(cals, n);
	return rc;
}

static int list_calendars(struct gsess *g, struct err *e)
{
	struct gcal_resp r;
	const cJSON *it;
	int rc = 0;

	if (gsess_call(g, "GET", "/calendar/v3/users/me/calendarList", NULL, NULL, NULL, &r, e) < 0)
		return -1;
	if (r.status != 200) {
		gsess_status_error(&r, "calendar list", e);
		gcal_resp_release(&r);
		return -1;
	}
	cJSON_ArrayForEach(it, cJSON_GetObjectItemCaseSensitive(r.json, "items")) {
		const cJSON *d = cJSON_GetObjectItemCaseSensitive(it, "defaultReminders");
		char *defaults;
		struct gmap_cal c;
		struct err why = { 0 };

		if (gmap_calendar(it, &c, &why) < 0) {
			/* no id: nothing to name; one that cannot be kept: named */
			if (c.id && *c.id && (rc = skip_calendar(g, c.id, why.msg, e)) < 0)
				break;
			continue;
		}
		defaults = cJSON_GetArraySize(d) ? cJSON_PrintUnformatted(d) : NULL;
		rc = gsync_calendar_put(g->s, c.id, c.summary, c.color, c.access, c.tz, defaults,
					e);
		cJSON_free(defaults);
		if (rc < 0)
			break;
	}
	gcal_resp_release(&r);
	return rc < 0 ? -1 : stop_legacy(g, e);
}

int google_calendars(struct config *cfg, struct store *s, struct err *e)
{
	struct gsess g;
	int rc;

	if (gsess_open(&g, cfg, s, 0, e) < 0)
		return -1;
	rc = list_calendars(&g, e);
	gsess_close(&g);
	return rc;
}

/* The most pages one list of a calendar's events may take, and the most
 * bytes all its pages may hold (each is held in memory until applied). */
#define MAX_PAGES      1000
#define MAX_LIST_BYTES ((size_t)64 << 20)

/* Whether page, the next page token, is one more page to ask for: not one
 * given before (a server that repeats itself would be asked forever), nor
 * past MAX_PAGES; else e says which. */
static bool next_page(const char *page, char **seen, int n, const char *cal, struct err *e)
{
	for (int i = 0; i < n; i++)
		if (!strcmp(seen[i], page)) {
			err_set(e, ERR_FAIL, "calendar %s: page %d repeats the token of page %d",
				utf8_q(cal), n + 1, i + 1);
			return false;
		}
	if (n + 1 >= MAX_PAGES) {
		err_set(e, ERR_FAIL, "calendar %s: more than %d pages of events", utf8_q(cal),
			MAX_PAGES);
		return false;
	}
	return true;
}

/* Whether page, a 200 answer to a list of cal's events, is one: a JSON
 * object with its items (an array; only an empty list may leave it out)
 * and a next page or sync token.  Else e names what is wrong: taken as an
 * empty last page, it would drop every event of the calendar. */
static bool list_page_ok(const cJSON *page, const char *cal, struct err *e)
{
	const cJSON *items = cJSON_GetObjectItemCaseSensitive(page, "items");
	const char *kind = jstr(page, "kind"), *why = NULL;

	if (!cJSON_IsObject(page))
		why = "is not a JSON object";
	else if (items ? !cJSON_IsArray(items) : !kind || strcmp(kind, "calendar#events"))
		why = "has no list of items";
	else if (!jstr(page, "nextPageToken") && !jstr(page, "nextSyncToken"))
		why = "has neither a next page token nor a sync token";
	if (why)
		err_set(e, ERR_FAIL, "calendar %s: Google's list of events %s; nothing changed",
			utf8_q(cal), why);
	return !why;
}

/* Every item of every page of the calendar's events: in full (*full), or
 * after its sync token; a 410 turns it into a full list.  *token gets
 * the next sync token. */
static int fetch_events(struct gsess *g, const struct gsync_cal *c, bool *full, cJSON **items,
			char **token, struct err *e)
{
	char *path = gcal_events_path(c->remote_id, NULL), *page = NULL;
	long size = config_get_int(g->cfg, "google.page_size");
	char *seen[MAX_PAGES];
	int rc = -1, npages = 0;
	size_t bytes = 0;

	*items = cJSON_CreateArray();
	*token = NULL;
	if (!c->sync_token)
		*full = true;
	for (;;) {
		struct gcal_resp r;
		char *q, *pt = page ? http_escape(page) : NULL;
		char *st = !*full ? http_escape(c->sync_token) : NULL;
		const cJSON *it, *next;

		q = xasprintf("maxResults=%ld%s%s%s%s", size, st ? "&syncToken=" : "", st ? st : "",
			      pt ? "&pageToken=" : "", pt ? pt : "");
		free(pt);
		free(st);
		rc = gsess_call(g, "GET", path, q, NULL, NULL, &r, e);
		free(q);
		if (rc < 0)
			break;
		if (r.status == 410 && !*full) {
			log_msg(LOG_INFO, "google", "calendar %s: sync token expired, full sync",
				c->name);
			gcal_resp_release(&r);
			cJSON_Delete(*items);
			*items = cJSON_CreateArray();
			*full = true;
			free(page);
			page = NULL;
			while (npages)
				free(seen[--npages]);
			bytes = 0;
			continue;
		}
		if (r.status != 200) {
			rc = gsess_status_error(&r, c->name, e);
			gcal_resp_release(&r);
			break;
		}
		bytes += r.bytes;
		if (bytes > MAX_LIST_BYTES) {
			err_set(e, ERR_FAIL,
				"calendar %s: Google's list of events is over %zu MiB; nothing "
				"changed",
				utf8_q(c->name), MAX_LIST_BYTES >> 20);
			gcal_resp_release(&r);
			rc = -1;
			break;
		}
		if (!list_page_ok(r.json, c->name, e)) {
			gcal_resp_release(&r);
			rc = -1;
			break;
		}
		while ((it = cJSON_DetachItemFromArray(
				cJSON_GetObjectItemCaseSensitive(r.json, "items"), 0)))
			cJSON_AddItemToArray(*items, (cJSON *)it);
		if (page)
			seen[npages++] = page;
		page = NULL;
		next = cJSON_GetObjectItemCaseSensitive(r.json, "nextPageToken");
		if (cJSON_IsString(next)) {
			if (!next_page(next->valuestring, seen, npages, c->name, e)) {
				gcal_resp_release(&r);
				rc = -1;
				break;
			}
			page = xstrdup(next->valuestring);
			gcal_resp_release(&r);
			continue;
		}
		next = cJSON_GetObjectItemCaseSensitive(r.json, "nextSyncToken");
		*token = cJSON_IsString(next) ? xstrdup(next->valuestring) : NULL;
		gcal_resp_release(&r);
		rc = 0;
		break;
	}
	free(page);
	while (npages)
		free(seen[--npages]);
	free(path);
	if (rc < 0) {
		cJSON_Delete(*items);
		*items = NULL;
	}
	return rc;
}

/* The uid of a pulled event: its iCalUID unless another event has it. */
static char *pulled_uid(struct store *s, const char *ical_uid, long long self)
{
	struct event other;
	struct err e = { 0 };
	bool taken;

	if (!ical_uid)
		return NULL;
	if (event_get_uid(s, ical_uid, &other, &e) < 0)
		return xstrdup(ical_uid);
	taken = other.id != self;
	event_release(&other);
	return taken ? NULL : xstrdup(ical_uid);
}

/* A series or single event from Google into the store. */
static int apply_event(struct gsess *g, const struct gsync_cal *c, const cJSON *it,
		       struct google_report *rep, struct err *e)
{
	const char *id = jstr(it, "id"), *status = jstr(it, "status");
	struct event old, ev;
	char *etag = NULL;
	int pending = 0;
	bool found, etag_same;
	int rc;

	memset(&old, 0, sizeof(old));
	found = gsync_event_find(g->s, c->id, id, &old, &etag, &pending, e) == 0;
	if (!found && e->code != ERR_NOTFOUND)
		return -1;
	err_clear(e);
	/* what we have: our own push coming back */
	etag_same = found && etag && jstr(it, "etag") && !strcmp(etag, jstr(it, "etag"));
	free(etag);
	if (pending || etag_same) {
		/* the push sends it with If-Match; a 412 decides (a 410: the
		 * deletion wins).  Until the push went, its sync token waits, but
		 * not for a push that failed before (it may fail for days, and
		 * Google expires a token: every sync would list the whole
		 * calendar): the token goes on, and the change skipped here is
		 * met by that push when it goes (the 412 path), nothing lost */
		g->held = g->held || (!etag_same && pending != 2);
		event_release(&old);
		return gsync_event_seen(g->s, id, e);
	}
	if (status && !strcmp(status, "cancelled")) {
		rc = found ? gsync_event_drop(g->s, c->id, id, e) : 0;
		rep->removed += found;
		event_release(&old);
		return rc;
	}
	if (gmap_event(it, c->name, c->tz, c->reminders, &ev, e) < 0) {
		event_release(&old);
		return -1;
	}
	if (found) {
		/* the instances come apart: keep what they made */
		ev.id = old.id;
		for (size_t i = 0; i < old.nexdates; i++)
			event_add_exdate(&ev, old.exdates[i]);
		ev.overrides = old.overrides;
		ev.noverrides = old.noverrides;
		old.overrides = NULL;
		old.noverrides = 0;
	}
	ev.uid = pulled_uid(g->s, jstr(it, "iCalUID"), ev.id);
	rc = gsync_event_put(g->s, &ev, id, jstr(it, "etag"), g->now, e);
	rep->pulled += rc == 0;
	event_release(&ev);
	event_release(&old);
	return rc;
}

/* The Google ids of the items one calendar's pull skipped (pointing into
 * the pull's items). */
struct skipped {
	const char **ids;
	size_t n;
};

static bool was_skipped(const struct skipped *sk, const char *id)
{
	for (size_t i = 0; i < sk->n; i++)
		if (!strcmp(sk->ids[i], id))
			return true;
	return false;
}

/* An instance of a series (moved, changed or cancelled) into its series.
 * One of a series this pull skipped is refused (ERR_USAGE), so it is
 * skipped and named too. */
static int apply_instance(struct gsess *g, const struct gsync_cal *c, const cJSON *it,
			  const struct skipped *sk, struct google_report *rep, struct err *e)
{
	const char *parent = jstr(it, "recurringEventId");
	struct event ev;
	struct event_override *ov = NULL;
	char *etag = NULL;
	int pending;
	time_t key;
	int rc;

	if (gsync_event_find(g->s, c->id, parent, &ev, &etag, &pending, e) < 0) {
		if (e->code != ERR_NOTFOUND)
			return -1;
		err_clear(e);
		if (was_skipped(sk, parent))
			return err_set(e, ERR_USAGE, "its series %s was skipped", utf8_q(parent));
		log_msg(LOG_INFO, "google", "instance %s of an unknown series",
			utf8_q(jstr(it, "id")));
		return 0;
	}
	if (pending) {
		/* the series' change here goes first; this one is pulled again
		 * after it (the sync token waits) */
		g->held = true;
		rc = 0;
		goto out;
	}
	if (gmap_instance(it, ev.all_day, c->tz, &key, &ov, e) < 0) {
		rc = -1;
		goto out;
	}
	event_drop_override(&ev, key);
	if (!ov) {
		event_add_exdate(&ev, key);
	} else {
		ev.overrides = xrealloc(ev.overrides, (ev.noverrides + 1) * sizeof(*ov));
		ev.overrides[ev.noverrides++] = *ov;
		free(ov);
	}
	rc = gsync_event_put(g->s, &ev, parent, etag, g->now, e);
	rep->pulled += rc == 0;
out:
	free(etag);
	event_release(&ev);
	return rc;
}

void google_set_warn(void (*fn)(void *arg, const char *line), void *arg)
{
	warn_fn = fn;
	warn_arg = arg;
}

/* An item of calendar c not stored (why): logged, told and counted. */
static void skip(const struct gsync_cal *c, const char *id, const char *why,
		 struct google_report *rep)
{
	char line[sizeof(((struct err *)0)->msg) + 256];

	if (id)
		snprintf(line, sizeof(line), "calendar %s: event %s skipped: %s", utf8_q(c->name),
			 utf8_q(id), why);
	else
		snprintf(line, sizeof(line), "calendar %s: an event %s skipped", utf8_q(c->name),
			 why);
	warn_line(line);
	rep->skipped++;
}

/* One item in a savepoint of the pull's transaction.  One that cannot be
 * stored (what Google sent is refused: ERR_USAGE) leaves no trace of
 * itself and is skipped; a copy stored before stays as it was, and a full
 * pull keeps it.  Any other failure stops the pull. */
static int apply_item(struct gsess *g, const struct gsync_cal *c, const cJSON *it, bool inst,
		      struct skipped *sk, struct google_report *rep, struct err *e)
{
	const char *id = jstr(it, "id");
	int rc;

	if (!id || !*id) {
		/* nothing to find it by next time: each pull would add it again */
		skip(c, NULL, "without an id", rep);
		return 0;
	}
	if (store_begin(g->s, e) < 0)
		return -1;
	rc = inst ? apply_instance(g, c, it, sk, rep, e) : apply_event(g, c, it, rep, e);
	if (rc == 0)
		return store_commit(g->s, e);
	store_rollback(g->s);
	if (e->code != ERR_USAGE)
		return -1;
	skip(c, id, e->msg, rep);
	err_clear(e);
	sk->ids = xrealloc(sk->ids, (sk->n + 1) * sizeof(*sk->ids));
	sk->ids[sk->n++] = id;
	return gsync_event_seen(g->s, id, e);
}

static int pull_calendar(struct gsess *g, const struct gsync_cal *c, bool full,
			 struct google_report *rep, struct err *e)
{
	cJSON *items, *it;
	char *token;
	struct skipped sk = { NULL, 0 };
	int rc = 0;

	if (fetch_events(g, c, &full, &items, &token, e) < 0)
		return -1;
	g->held = false;
	rep->full += full;
	if (gsync_apply_begin(g->s, full, e) < 0)
		goto out;
	/* series first, then their instances, whatever page they came on */
	for (int pass = 0; pass < 2 && rc == 0; pass++)
		cJSON_ArrayForEach(it, items) {
			bool inst = jstr(it, "recurringEventId") != NULL;

			if (inst != (pass == 1))
				continue;
			rc = apply_item(g, c, it, inst, &sk, rep, e);
			if (rc < 0) {
				err_prefix(e, "calendar %s", utf8_q(c->name));
				break;
			}
		}
	if (rc < 0)
		gsync_apply_abort(g->s);
	else
		rc = gsync_apply_end(g->s, c->id, g->held ? c->sync_token : token, e);
out:
	free(sk.ids);
	cJSON_Delete(items);
	free(token);
	return rc;
}

/*
 * The push.
 */

/* Apply a remote event fetched for a conflict: remote wins here.  The
 * conflict (mine: the local version it overwrites, as JSON) is recorded in
 * the same transaction: both happen, or neither and the op stays. */
static int take_remote(struct gsess *g, const struct gsync_op *op, const cJSON *remote,
		       const char *mine, const char *theirs, struct err *e)
{
	struct gsync_cal *cals;
	size_t n;
	struct google_report ignored = { 0 };
	struct gsync_conflict_rec c = { op->event_id, op->calendar, op->remote_id, NULL,
					mine,	      theirs,	    "google" };
	int rc = -1;

	if (gsync_calendars(g->s, &cals, &n, e) < 0)
		return -1;
	for (size_t i = 0; i < n; i++) {
		if (!cals[i].google || !cals[i].remote_id ||
		    strcmp(cals[i].remote_id, op->calendar))
			continue;
		if (gsync_apply_begin(g->s, false, e) < 0)
			break;
		/* the op is still in the outbox: forget it and the changes of the
		 * event it sent, so the pull applies and no push overwrites what
		 * won.  A change made here after the op was read (while this sync
		 * runs) stays queued and keeps the etag seen: the pull holds off,
		 * and its push meets Google's version (412), the policy deciding */
		if (gsync_conflict(g->s, &c, g->now, NULL, e) < 0 ||
		    gsync_pushed(g->s, op, NULL, e) < 0) {
			gsync_apply_abort(g->s);
			break;
		}
		if (apply_event(g, &cals[i], remote, &ignored, e) < 0 ||
		    gsync_later_put_etag(g->s, op->event_id, op->etag, e) < 0) {
			err_prefix(e, "event %s", utf8_q(op->remote_id));
			gsync_apply_abort(g->s);
			break;
		}
		rc = gsync_apply_end(g->s, 0, NULL, e);
		break;
	}
	gsync_cals_free(cals, n);
	return rc;
}

static const char *policy(struct gsess *g)
{
	const char *p = config_get(g->cfg, "google.conflict");

	return p ? p : "newest";
}

static cJSON *as_pushed(struct gsess *g, const char *calendar, const cJSON *item);

/* Whether field f of a body sent is what Google's copy back (as_pushed)
 * holds.  A start or end sent without its zone (one Google does not know:
 * the times alone, in UTC) comes back in the calendar's: the zone is not
 * compared, only the instant (both dateTimes are made from one, in UTC). */
static bool same_field(const cJSON *f, const cJSON *back)
{
	const cJSON *theirs = cJSON_GetObjectItemCaseSensitive(back, f->string);
	cJSON *bare;
	bool same;

	if ((strcmp(f->string, "start") && strcmp(f->string, "end")) || !cJSON_IsObject(f) ||
	    !cJSON_IsObject(theirs) || cJSON_GetObjectItemCaseSensitive(f, "timeZone"))
		return cJSON_Compare(f, theirs, true);
	bare = cJSON_Duplicate(theirs, true);
	cJSON_DeleteItemFromObjectCaseSensitive(bare, "timeZone");
	same = cJSON_Compare(f, bare, true);
	cJSON_Delete(bare);
	return same;
}

/* Whether Google's copy of an event, read back as this device reads it,
 * is the event as it is here (whole is its full body, not only the
 * fields sent): our own earlier change, whose answer was lost (a crash or
 * a cut connection after Google applied it).  A copy that differs in a
 * field not sent changed in Google too: a conflict. */
static bool same_as_sent(struct gsess *g, const char *calendar, const cJSON *theirs,
			 const cJSON *whole)
{
	cJSON *back;
	bool same;

	if (!whole || !(back = as_pushed(g, calendar, theirs)))
		return false;
	same = true;
	/* an insert's body names its id, which the copy read back leaves out */
	for (const cJSON *f = whole->child; f && same; f = f->next)
		same = !strcmp(f->string, "id") || same_field(f, back);
	cJSON_Delete(back);
	return same;
}

static int take_deleted(struct gsess *g, const struct gsync_op *op, const cJSON *mine,
			const char *who, struct err *e);
static int take_refused(struct gsess *g, const struct gsync_op *op, const cJSON *mine,
			const struct gcal_resp *why, bool absent, struct google_report *rep,
			struct err *e);
static bool refused_for_good(const struct gcal_resp *r);

/* 412: the event changed in Google since we saw it (409: an insert Google
 * has already, maybe changed there since).  *lost: Google's version won
 * (the change here is not pushed).  0 done, 1 retried later, -1 stop. */
static int conflict(struct gsess *g, const struct gsync_op *op, const cJSON *mine,
		    const cJSON *whole, struct google_report *rep, bool *lost, struct err *e)
{
	char *path = gcal_events_path(op->calendar, op->remote_id);
	struct gcal_resp r;
	time_t remote_updated = 0, local = op->kind == GSYNC_DEL ? op->created : op->updated;
	bool remote_wins;
	char *mtext = NULL, *ttext = NULL;
	const char *status;
	int rc;

	rc = gsess_call(g, "GET", path, NULL, NULL, NULL, &r, e);
	if (rc < 0)
		goto out;
	if (r.status != 200) {
		gsess_status_error(&r, "conflict", e);
		rc = 1;
		goto out;
	}
	status = jstr(r.json, "status");
	if (status && !strcmp(status, "cancelled")) {
		/* deleted in Google: as a 410, the deletion wins */
		*lost = true;
		if (op->kind == GSYNC_DEL) {
			rc = gsync_pushed(g->s, op, NULL, e);
			goto out;
		}
		log_msg(LOG_INFO, "google", "event %s is gone in Google", op->remote_id);
		rc = take_deleted(g, op, mine, "google (deleted there)", e);
		rep->conflicts += rc == 0;
		goto out;
	}
	if (op->kind == GSYNC_PUT && same_as_sent(g, op->calendar, r.json, whole)) {
		/* it holds what we send: no conflict, take its etag */
		log_msg(LOG_INFO, "google", "event %s already has this change", op->remote_id);
		rc = gsync_pushed(g->s, op, jstr(r.json, "etag"), e);
		goto out;
	}
	gmap_time(jstr(r.json, "updated"), &remote_updated);
	remote_wins = !strcmp(policy(g), "remote") ||
		      (!strcmp(policy(g), "newest") && remote_updated > local);
	mtext = mine ? cJSON_PrintUnformatted(mine) : xstrdup("null");
	ttext = cJSON_PrintUnformatted(r.json);
	/* in the record, theirs is the value that won, mine the one overwritten */
	*lost = remote_wins;
	if (remote_wins) {
		rc = take_remote(g, op, r.json, mtext, ttext, e);
	} else {
		struct gcal_resp w = { 0 };
		const char *etag = jstr(r.json, "etag");
		struct gsync_conflict_rec c = { op->event_id,
						op->calendar,
						op->remote_id,
						NULL,
						ttext,
						mtext,
						"this device (over Google's)" };
		long long cid;

		/* recorded before Google's version is overwritten; a push Google
		 * answers with a refusal overwrote nothing: the record goes (a cut
		 * connection may have overwritten it: the record stays) */
		rc = gsync_conflict(g->s, &c, g->now, &cid, e);
		if (rc == 0)
			rc = gsess_call(g, op->kind == GSYNC_DEL ? "DELETE" : "PATCH", path, NULL,
					mine, etag, &w, e);
		if (rc == 0 && w.status / 100 != 2) {
			gsync_conflict_drop(g->s, cid, &(struct err){ 0 });
			if (refused_for_good(&w)) {
				/* Google has a version: it comes back (told, counted) */
				*lost = true;
				rc = take_refused(g, op, mine, &w, false, rep, e);
				gcal_resp_release(&w);
				goto out;
			}
			gsess_status_error(&w, "push", e);
			rc = 1;
		}
		if (rc == 0)
			rc = gsync_pushed(g->s, op, jstr(w.json, "etag"), e);
		gcal_resp_release(&w);
	}
	if (rc == 0)
		rep->conflicts++;
out:
	gcal_resp_release(&r);
	free(mtext);
	free(ttext);
	free(path);
	return rc;
}

/* A change of an event Google deleted (410): the deletion wins.  The
 * event goes here too, its queued changes with it, and mine (the version
 * lost) is recorded in the same transaction. */
static int take_deleted(struct gsess *g, const struct gsync_op *op, const cJSON *mine,
			const char *who, struct err *e)
{
	struct gsync_op all = *op;
	char *mtext = cJSON_PrintUnformatted(mine);
	struct gsync_conflict_rec c = { op->event_id, op->calendar, op->remote_id, NULL, mtext,
					"null",	      who };
	int rc = -1;

	all.last_put = LLONG_MAX;
	if (gsync_apply_begin(g->s, false, e) == 0) {
		if (gsync_conflict(g->s, &c, g->now, NULL, e) < 0 ||
		    gsync_pushed(g->s, &all, NULL, e) < 0 ||
		    event_delete(g->s, op->event_id, NULL, g->now, e) < 0)
			gsync_apply_abort(g->s);
		else
			rc = gsync_apply_end(g->s, 0, NULL, e);
	}
	cJSON_free(mtext);
	return rc;
}

/* Whether answer r is Google refusing the change for good: a 403 saying
 * the calendar is read-only for the user or the event is the organizer's
 * (not a rate limit), or any other 4xx but a timeout (408), a rate limit
 * (429) or a sign-in to refresh (401), which are retried later. */
static bool refused_for_good(const struct gcal_resp *r)
{
	const char *why = gcal_reason(r);

	if (r->status == 403)
		return !strcmp(why, "requiredAccessLevel") ||
		       !strcmp(why, "forbiddenForNonOrganizer");
	return r->status / 100 == 4 && r->status != 401 && r->status != 408 && r->status != 429;
}

/* An event added here that Google refuses for good (absent there): it is
 * not lost.  It stays here, without a Google id (gsync_unsent), and is not
 * sent again until it changes here; the refusal (Google's error, with the
 * event's uid: event_uid, what names the record once the event has no
 * Google id; an id here may be reused) is recorded with it, in one
 * transaction. */
static int keep_refused(struct gsess *g, const struct gsync_op *op, const cJSON *mine,
			const struct gcal_resp *why, struct err *e)
{
	const cJSON *gerr = cJSON_GetObjectItemCaseSensitive(why->json, "error");
	cJSON *t = cJSON_IsObject(gerr) ? cJSON_Duplicate(gerr, true) : cJSON_CreateObject();
	char *mtext = mine ? cJSON_PrintUnformatted(mine) : xstrdup("null");
	char *ttext;
	struct event ev;
	struct gsync_conflict_rec c = {
		op->event_id, op->calendar, op->remote_id,	     "(refused)",
		mtext,	      NULL,	    "google (refused there)"
	};
	int rc = -1;

	if (!cJSON_IsObject(gerr))
		cJSON_AddNumberToObject(t, "code", (double)why->status);
	cJSON_DeleteItemFromObjectCaseSensitive(t, "event_uid");
	memset(&ev, 0, sizeof(ev));
	if (event_get(g->s, op->event_id, &ev, &(struct err){ 0 }) == 0) {
		cJSON_AddStringToObject(t, "event_uid", ev.uid);
		event_release(&ev);
	}
	ttext = cJSON_PrintUnformatted(t);
	c.theirs = ttext;
	cJSON_Delete(t);
	if (gsync_apply_begin(g->s, false, e) == 0) {
		/* a change made here while the insert was sent stays queued */
		if (gsync_conflict(g->s, &c, g->now, NULL, e) < 0 ||
		    gsync_pushed(g->s, op, NULL, e) < 0 || gsync_unsent(g->s, op->event_id, e) < 0)
			gsync_apply_abort(g->s);
		else
			rc = gsync_apply_end(g->s, 0, NULL, e);
	}
	free(mtext);
	cJSON_free(ttext);
	return rc;
}

/* A change Google refuses for good (refused_for_good): sending it again
 * would be refused forever.  Google's version comes back (deleted there:
 * the event goes here too), the change here is recorded as lost, and it
 * is told once.  absent: an insert, Google has no version of it
 * (keep_refused).  1 (retried later) when Google's version cannot be
 * read. */
static int take_refused(struct gsess *g, const struct gsync_op *op, const cJSON *mine,
			const struct gcal_resp *why, bool absent, struct google_report *rep,
			struct err *e)
{
	char *path = gcal_events_path(op->calendar, op->remote_id);
	char line[sizeof(e->msg) + 512], reason[64], says[320];
	const cJSON *msg = cJSON_GetObjectItemCaseSensitive(
		cJSON_GetObjectItemCaseSensitive(why->json, "error"), "message");
	struct gcal_resp r;
	char *mtext = NULL, *ttext = NULL;
	const char *status;
	int rc;

	if (*gcal_reason(why))
		snprintf(reason, sizeof(reason), "%.40s", gcal_reason(why));
	else
		snprintf(reason, sizeof(reason), "HTTP %ld", why->status);
	/* Google's words, quoted: they never drive the terminal */
	snprintf(says, sizeof(says), "%s%s", cJSON_IsString(msg) ? ": " : "",
		 cJSON_IsString(msg) ? utf8_q(msg->valuestring) : "");
	snprintf(line, sizeof(line),
		 "calendar %s: event %s: Google refuses the change made here (%s);"
		 " Google's version is back, the change is in `nestor sync conflicts`",
		 utf8_q(op->calendar), utf8_q(op->remote_id), reason);
	if (absent) {
		/* Google has no version of it, and the user's event is kept */
		const char *summary = jstr(mine, "summary");

		free(path);
		snprintf(line, sizeof(line),
			 "calendar %s: event %lld %s added here is refused by Google (%s%s);"
			 " it stays here, not sent to Google until it is edited;"
			 " see `nestor sync conflicts`",
			 utf8_q(op->calendar), op->event_id, utf8_q(summary ? summary : ""), reason,
			 says);
		rc = keep_refused(g, op, mine, why, e);
		goto told;
	}
	rc = gsess_call(g, "GET", path, NULL, NULL, NULL, &r, e);
	free(path);
	if (rc < 0)
		return -1;
	status = r.status == 200 ? jstr(r.json, "status") : NULL;
	if (r.status == 404 || r.status == 410 || (status && !strcmp(status, "cancelled"))) {
		gcal_resp_release(&r);
		if (op->kind == GSYNC_PUT)
			snprintf(line, sizeof(line),
				 "calendar %s: event %s: Google refuses the change made here (%s):"
				 " the event was deleted in Google, so it is removed here too;"
				 " the change is in `nestor sync conflicts`",
				 utf8_q(op->calendar), utf8_q(op->remote_id), reason);
		rc = op->kind == GSYNC_PUT ? take_deleted(g, op, mine, "google (deleted there)", e)
					   : gsync_pushed(g->s, op, NULL, e);
	} else if (r.status != 200) {
		gsess_status_error(&r, "push", e);
		gcal_resp_release(&r);
		return 1;
	} else {
		mtext = mine ? cJSON_PrintUnformatted(mine) : xstrdup("null");
		ttext = cJSON_PrintUnformatted(r.json);
		rc = take_remote(g, op, r.json, mtext, ttext, e);
		gcal_resp_release(&r);
	}
told:
	if (rc == 0) {
		warn_line(line);
		rep->conflicts++;
	}
	free(mtext);
	free(ttext);
	return rc;
}

/* Google's event item as this device reads it (its calendar's zone and
 * default reminders), in the shape of a push's body; NULL when it cannot
 * be read so. */
static cJSON *as_pushed(struct gsess *g, const char *calendar, const cJSON *item)
{
	struct gsync_cal *cals;
	struct event ev;
	struct err ignored = { 0 };
	cJSON *out = NULL;
	size_t n;

	if (gsync_calendars(g->s, &cals, &n, &ignored) < 0)
		return NULL;
	for (size_t i = 0; i < n && !out; i++)
		if (cals[i].google && cals[i].remote_id && !strcmp(cals[i].remote_id, calendar) &&
		    gmap_event(item, cals[i].name, cals[i].tz, cals[i].reminders, &ev, &ignored) ==
			    0) {
			out = gmap_to_json(&ev, NULL);
			event_release(&ev);
		}
	gsync_cals_free(cals, n);
	return out;
}

/* An update sends only what changed here: the fields of body that are
 * what Google has (as this device reads it, the etag still the one seen)
 * are left out, so what this device cannot hold (RDATE and EXRULE lines,
 * email reminders, the calendar's default ones) is not overwritten.
 * Returns 1 when nothing is left to send, with *etag (to free) Google's. */
static int changed_only(struct gsess *g, const struct gsync_op *op, cJSON *body, char **etag)
{
	char *path = gcal_events_path(op->calendar, op->remote_id);
	struct gcal_resp r;
	struct err ignored = { 0 };
	cJSON *theirs = NULL, *f, *next;

	*etag = NULL;
	if (gsess_call(g, "GET", path, NULL, NULL, NULL, &r, &ignored) == 0 && r.status == 200 &&
	    jstr(r.json, "etag") && !strcmp(jstr(r.json, "etag"), op->etag))
		theirs = as_pushed(g, op->calendar, r.json);
	free(path);
	for (f = theirs ? body->child : NULL; f; f = next) {
		next = f->next;
		if (same_field(f, theirs))
			cJSON_DeleteItemFromObjectCaseSensitive(body, f->string);
	}
	if (theirs && !body->child)
		*etag = xstrdup(op->etag);
	cJSON_Delete(theirs);
	gcal_resp_release(&r);
	return *etag != NULL;
}

/* One op: 0 done, 1 failed for now (retried later), -1 stop the round. */
static int push_one(struct gsess *g, const struct gsync_op *op, struct google_report *rep,
		    struct err *e)
{
	char *path = gcal_events_path(op->calendar,
				      op->kind == GSYNC_PUT && !op->etag ? NULL : op->remote_id);
	struct gcal_resp r = { 0 };
	struct event ev;
	cJSON *body = NULL, *whole = NULL;
	const char *method;
	bool lost = false; /* the change here lost to Google's version */
	char *same;
	int rc;

	memset(&ev, 0, sizeof(ev));
	if (op->kind == GSYNC_PUT) {
		if (event_get(g->s, op->event_id, &ev, e) < 0) {
			free(path);
			return -1;
		}
		body = gmap_to_json(&ev, op->etag ? NULL : op->remote_id);
		method = op->etag ? "PATCH" : "POST";
		whole = cJSON_Duplicate(body, true);
		if (op->etag && changed_only(g, op, body, &same) == 1) {
			/* as Google has it already: nothing to send */
			rc = gsync_pushed(g->s, op, same, e);
			free(same);
			rep->pushed += rc == 0;
			goto out;
		}
	} else {
		method = "DELETE";
	}
	rc = gsess_call(g, method, path, NULL, body, op->etag, &r, e);
	if (rc < 0)
		goto out;
	if (r.status / 100 == 2) {
		rc = gsync_pushed(g->s, op, op->kind == GSYNC_PUT ? jstr(r.json, "etag") : NULL, e);
	} else if (r.status == 412 || (r.status == 409 && op->kind == GSYNC_PUT && !op->etag)) {
		/* 409: an insert that reached Google before, its answer lost:
		 * what Google holds now is met as a newer version is */
		rc = conflict(g, op, body, whole, rep, &lost, e);
	} else if (r.status == 410 && op->kind == GSYNC_PUT && op->etag) {
		/* deleted in Google: the deletion wins over the change here */
		log_msg(LOG_INFO, "google", "event %s is gone in Google", op->remote_id);
		rc = take_deleted(g, op, body, "google (deleted there)", e);
		rep->conflicts += rc == 0;
		lost = true;
	} else if ((r.status == 404 || r.status == 410) && op->kind == GSYNC_DEL) {
		/* gone in Google: nothing left to delete there (an update or an
		 * insert answered 404 is refused for good, below) */
		log_msg(LOG_INFO, "google", "event %s is gone in Google", op->remote_id);
		rc = gsync_pushed(g->s, op, NULL, e);
	} else if (refused_for_good(&r)) {
		rc = take_refused(g, op, body, &r, op->kind == GSYNC_PUT && !op->etag, rep, e);
		lost = true;
	} else {
		gsess_status_error(&r, "push", e);
		rc = 1;
	}
	rep->pushed += rc == 0 && !lost;
out:
	gcal_resp_release(&r);
	cJSON_Delete(body);
	cJSON_Delete(whole);
	event_release(&ev);
	free(path);
	return rc;
}

static int push(struct gsess *g, struct google_report *rep, struct err *e)
{
	long long after = 0;
	int failed = 0;

	for (;;) {
		struct gsync_op op;
		bool found;
		int rc;

		if (gsync_next(g->s, after, g->now, &op, &found, e) < 0)
			return -1;
		if (!found)
			break;
		after = op.outbox_id;
		rc = push_one(g, &op, rep, e);
		if (rc == 1) {
			long wait = 30L << (op.attempts < 8 ? op.attempts : 8);
			struct err ignored = { 0 };

			log_msg(LOG_WARN, "google", "push failed, again in %ld s: %s", wait,
				e->msg);
			gsync_retry(g->s, &op, g->now + wait, e->msg, &ignored);
			failed++;
			rc = 0;
		}
		gsync_op_release(&op);
		if (rc < 0)
			return -1;
	}
	if (failed) {
		/* the last failure's message, copied: err_set() writes over it */
		char why[sizeof(e->msg)];

		snprintf(why, sizeof(why), "%s", e->msg);
		return err_set(e, ERR_FAIL, "%d changes could not be pushed (retried later): %s",
			       failed, why);
	}
	return 0;
}

int google_sync(struct config *cfg, struct store *s, const char *calendar, bool full, time_t now,
		struct google_report *r, struct err *e)
{
	struct gsess g;
	struct gsync_cal *cals = NULL;
	size_t n = 0;
	int rc = -1, pushed, failed = 0;
	struct err pe = { 0 };

	memset(r, 0, sizeof(*r));
	if (gsess_open(&g, cfg, s, now, e) < 0)
		return -1;
	if (list_calendars(&g, e) < 0)
		goto out;
	pushed = push(&g, r, &pe);
	if (pushed < 0) {
		/* a refused refresh paused everything: no pull either */
		char *why = NULL;

		if (gsync_paused(s, &why, e) < 0 || why) {
			if (why)
				*e = pe;
			free(why);
			goto out;
		}
	}
	if (gsync_calendars(s, &cals, &n, e) < 0)
		goto out;
	if (calendar) {
		size_t i;

		for (i = 0; i < n && strcmp(cals[i].name, calendar); i++)
			;
		if (i == n || !cals[i].google) {
			err_set(e, ERR_USAGE, "no Google calendar named %s", utf8_q(calendar));
			goto out;
		}
	}
	rc = 0;
	for (size_t i = 0; i < n && rc == 0; i++) {
		struct err why = { 0 }, ce = { 0 };

		if (!cals[i].google || (calendar ? strcmp(cals[i].name, calendar) : !cals[i].sync))
			continue;
		/* an id stored by an older nestor, now refused: its sync is off
		 * (list_calendars), and named it is not pulled either */
		if (cals[i].remote_id && refused_id(cals[i].remote_id, &why)) {
			rc = err_set(e, ERR_USAGE,
				     "calendar %s is not synced: its Google id %s is refused: %s",
				     utf8_q(cals[i].name), utf8_q(cals[i].remote_id), why.msg);
			break;
		}
		/* one calendar that fails does not hold the others back: the
		 * first failure is told once all are pulled */
		if (pull_calendar(&g, &cals[i], full, r, &ce) < 0) {
			char *paused = NULL;

			if (!failed++)
				*e = ce;
			if (gsync_paused(s, &paused, &ce) < 0 || paused)
				rc = -1;
			free(paused);
		}
		r->calendars++;
	}
	if (rc == 0 && failed) {
		if (failed > 1)
			err_prefix(e, "%d calendars failed, the first", failed);
		rc = -1;
	}
	if (rc == 0 && pushed < 0) {
		*e = pe;
		rc = -1;
	}
out:
	gsync_pending(s, 0, &r->pending, &pe);
	gsync_cals_free(cals, n);
	gsess_close(&g);
	return rc;
}
