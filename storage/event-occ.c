/* Occurrences: recurrence expansion with libical, the agenda window, search. */
#include "store-int.h"
#include "utf8.h"
#include "event-int.h"
#include "sbuf.h"
#include "caltz.h"
#include "recur.h"
#include "xalloc.h"

#include <libical/ical.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define DAY 86400
/* Single events up to this long are found by their start alone. */
#define SHORT_EVENT (7 * DAY)
/* No series is expanded further than this many occurrences. */
#define MAX_STEPS 2000000L

struct series_it {
	struct recur_iter it;
	struct tz *z; /* the series' zone, the local one for dates */
	bool own_z;   /* z is the iterator's to free, not a window's */
	const struct event *ev;
	time_t dur;
	long steps;
};

/* The zones of one window's series, each resolved once (the name looked up
 * in tz's registry and the timezones table for every series cost more than
 * expanding it), and their rules' parses (rrule_parse_memo()). */
#define WINDOW_ZONES 16
struct zones {
	struct {
		const char *tzid; /* borrowed from an event of the window; NULL: local */
		struct tz *z;
	} v[WINDOW_ZONES];
	size_t n;
	struct rrule_memo rules;
};

static void zones_release(struct zones *zs)
{
	for (size_t i = 0; i < zs->n; i++)
		tz_free(zs->v[i].z);
	zs->n = 0;
}

static void series_close(struct series_it *si)
{
	recur_iter_close(&si->it);
	if (si->own_z)
		tz_free(si->z);
	si->z = NULL;
}

/* The zone of tzid into si: from zs when it has it (or room for it). */
static int series_zone(struct store *s, struct zones *zs, const char *tzid, struct series_it *si,
		       struct err *e)
{
	for (size_t i = 0; zs && i < zs->n; i++) {
		if (tzid ? zs->v[i].tzid && !strcmp(tzid, zs->v[i].tzid) : !zs->v[i].tzid) {
			si->z = zs->v[i].z;
			return 0;
		}
	}
	si->z = caltz_open(s, tzid, e);
	if (!si->z)
		return -1;
	if (zs && zs->n < WINDOW_ZONES) {
		zs->v[zs->n].tzid = tzid;
		zs->v[zs->n++].z = si->z;
	} else {
		si->own_z = true;
	}
	return 0;
}

/* Open an iterator over ev's occurrences; when skip_to is later than the
 * start and the rule has no COUNT, jump close to skip_to.  zs (may be
 * NULL) keeps the zones for the next series. */
static int series_open(struct store *s, const struct event *ev, time_t skip_to, struct zones *zs,
		       struct series_it *si, struct err *e)
{
	struct rrule_memo *m = zs ? &zs->rules : NULL;
	time_t seek;
	int rc;

	/* field by field: the iterator's 3 KiB need no clearing (recur.h) */
	si->z = NULL;
	si->own_z = false;
	si->ev = ev;
	si->dur = ev->end - ev->start;
	si->steps = 0;
	si->it.ical = NULL;
	if (series_zone(s, zs, ev->all_day ? NULL : ev->tzid, si, e) < 0)
		return -1;
	seek = skip_to - si->dur - 2 * DAY;
	rc = ev->has_wall && !ev->all_day && tz_wall_names(si->z, ev->start, ev->wall_start)
		     ? recur_iter_open_wall(&si->it, m, ev->rrule, si->z, ev->start, ev->wall_start,
					    seek, RECUR_ANY, e)
		     : recur_iter_open(&si->it, m, ev->rrule, si->z, ev->all_day, ev->start, seek,
				       RECUR_ANY, e);
	if (rc < 0) {
		series_close(si);
		return err_set(e, ERR_USAGE, "event %lld: bad RRULE %s", ev->id, utf8_q(ev->rrule));
	}
	return 0;
}

static bool is_exdate(const struct event *ev, time_t key)
{
	size_t lo = 0, hi = ev->nexdates;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (ev->exdates[mid] == key)
			return true;
		if (ev->exdates[mid] < key)
			lo = mid + 1;
		else
			hi = mid;
	}
	return false;
}

/* The next occurrence that is not an EXDATE: key and local start/end. */
static bool series_next(struct series_it *si, time_t *key, time_t *start, time_t *end)
{
	for (;;) {
		if (!recur_iter_next(&si->it, key) || ++si->steps > MAX_STEPS)
			return false;
		if (si->ev->all_day) {
			*start = tz_date_to_local(*key);
			*end = tz_date_to_local(*key + si->dur);
		} else {
			*start = *key;
			*end = *key + si->dur;
		}
		if (!is_exdate(si->ev, *key))
			return true;
	}
}

static bool overlaps(time_t s, time_t e, time_t from, time_t to)
{
	return s < to && (e > from || (e == s && s >= from));
}

/* Local start/end of an override (all-day ones are stored as dates). */
static void override_span(const struct event *ev, const struct event_override *o, time_t *s,
			  time_t *e)
{
	*s = ev->all_day ? tz_date_to_local(o->start) : o->start;
	*e = ev->all_day ? tz_date_to_local(o->end) : o->end;
}

int event_series_end(struct store *s, const struct event *ev, bool *bounded, time_t *until,
		     struct err *e)
{
	struct icalrecurrencetype r;
	time_t last = ev->end;

	*bounded = true;
	*until = ev->end;
	if (!ev->rrule)
		return 0;
	r = icalrecurrencetype_from_string(ev->rrule);
	if (!icaltime_is_null_time(r.until)) {
		struct tz *z = NULL;

		if (icaltime_is_utc(r.until) && !r.until.is_date) {
			last = caltz_utc_instant(r.until);
		} else {
			z = caltz_open(s, ev->all_day || r.until.is_date ? NULL : ev->tzid, e);
			if (!z)
				return -1;
			last = caltz_from_wall(z, r.until) + (r.until.is_date ? DAY : 0);
			tz_free(z);
		}
		last += ev->end - ev->start;
	} else if (r.count > 0) {
		struct series_it si;
		time_t key, os, oe;

		if (series_open(s, ev, 0, NULL, &si, e) < 0)
			return -1;
		while (series_next(&si, &key, &os, &oe))
			last = oe;
		series_close(&si);
	} else {
		*bounded = false;
		return 0;
	}
	for (size_t i = 0; i < ev->noverrides; i++)
		if (ev->overrides[i].end > last)
			last = ev->overrides[i].end;
	*until = last + DAY; /* a day of slack: all-day dates move with the zone */
	return 0;
}

int event_reach(time_t start, time_t until)
{
	long long span = (long long)until - (long long)start;
	int k = 0;

	while (k < 15 && span > ((long long)DAY << k))
		k++;
	return k;
}

int event_key_on_day(struct store *s, const struct event *ev, time_t day, time_t *key,
		     struct err *e)
{
	time_t date = tz_local_to_date(day), ds = tz_date_to_local(date),
	       de = tz_date_to_local(date + DAY), os, oe;
	struct series_it si;
	bool found = false;

	if (series_open(s, ev, ds, NULL, &si, e) < 0)
		return -1;
	while (series_next(&si, key, &os, &oe) && os < de) {
		if (os >= ds) {
			found = true;
			break;
		}
	}
	series_close(&si);
	if (!found) {
		char buf[16];
		struct tm tm;

		gmtime_r(&date, &tm);
		strftime(buf, sizeof(buf), "%Y-%m-%d", &tm);
		return err_set(e, ERR_USAGE, "event %lld has no occurrence on %s", ev->id, buf);
	}
	return 0;
}

/* Append the rows of st to l->events (then store_end()s st). */
static int query_events(struct store *s, sqlite3_stmt *st, struct event_list *l, size_t *cap,
			struct err *e)
{
	int rc;

	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (l->nevents == *cap) {
			*cap = *cap ? *cap * 2 : 64;
			l->events = xbig_realloc(l->events, *cap * sizeof(*l->events));
		}
		event_from_row(st, &l->events[l->nevents++]);
	}
	store_end(s, st);
	return rc == SQLITE_DONE ? 0 : store_error(s, e, "event");
}

static int cmp_id(const void *a, const void *b)
{
	long long x = *(const long long *)a, y = *(const long long *)b;

	return (x > y) - (x < y);
}

static int by_id(const void *a, const void *b)
{
	const struct event *x = a, *y = b;

	return (x->id > y->id) - (x->id < y->id);
}

struct event_at {
	long long id;
	size_t at;
};

/* Sort v[0..n) by id, stably: a byte of id - min a pass, as many passes as
 * the ids' range needs (qsort() with its comparator cost 500 instructions
 * an event). */
static void radix_by_id(struct event_at *v, size_t n)
{
	struct event_at *tmp, *src = v, *dst, *swap;
	unsigned long long lo, range = 0;

	if (n < 2)
		return;
	tmp = dst = xbig_realloc(NULL, n * sizeof(*tmp));
	lo = (unsigned long long)v[0].id;

	for (size_t i = 1; i < n; i++)
		if ((unsigned long long)v[i].id - (1ULL << 63) < lo - (1ULL << 63))
			lo = (unsigned long long)v[i].id;
	for (size_t i = 0; i < n; i++)
		range |= (unsigned long long)v[i].id - lo;
	for (int shift = 0; shift < 64 && range >> shift; shift += 8) {
		size_t at[257] = { 0 };

		for (size_t i = 0; i < n; i++)
			at[(((unsigned long long)src[i].id - lo) >> shift & 0xff) + 1]++;
		for (int b = 1; b <= 256; b++)
			at[b] += at[b - 1];
		for (size_t i = 0; i < n; i++)
			dst[at[((unsigned long long)src[i].id - lo) >> shift & 0xff]++] = src[i];
		swap = src;
		src = dst;
		dst = swap;
	}
	if (src != v)
		memcpy(v, src, n * sizeof(*v));
	xbig_free(tmp);
}

/* Sort l->events by id, as callers (an export) list them, after the
 * expansion (which went in the query's order: the single events by start,
 * each series' occurrences in order, runs sort_occ() merges): their ids
 * with their places, the occurrences pointed at the events' new places,
 * then the events moved in place along the cycles of that order (an event
 * is 150 bytes, which qsort() would move at every step; a sorted copy was
 * as large as the list, 345 KB of fresh pages for a week at 100k events,
 * and a fresh page costs more than moving what it holds). */
static void sort_events_by_id(struct event_list *l)
{
	struct event_at *v;
	size_t *to;

	if (l->nevents < 2)
		return;
	v = xbig_realloc(NULL, l->nevents * sizeof(*v));
	for (size_t i = 0; i < l->nevents; i++)
		v[i] = (struct event_at){ l->events[i].id, i };
	radix_by_id(v, l->nevents);
	to = xbig_realloc(NULL, l->nevents * sizeof(*to));
	for (size_t i = 0; i < l->nevents; i++)
		to[v[i].at] = i;
	for (size_t i = 0; i < l->nocc; i++)
		l->occ[i].ev = &l->events[to[l->occ[i].ev - l->events]];
	/* v[i].at: where the event for place i is now; a place filled is
	 * marked as its own source. */
	for (size_t i = 0; i < l->nevents; i++) {
		struct event held;
		size_t j = i;

		if (v[i].at == i)
			continue;
		held = l->events[i];
		while (v[j].at != i) {
			size_t k = v[j].at;

			l->events[j] = l->events[k];
			v[j].at = j;
			j = k;
		}
		l->events[j] = held;
		v[j].at = j;
	}
	xbig_free(to);
	xbig_free(v);
}

/* Attach override rows (event_id, recurrence_id, summary, description,
 * location, start, end, tzid, declined) to the events of l, which is sorted by id. */
static int attach_overrides(struct store *s, sqlite3_stmt *st, struct event_list *l, struct err *e)
{
	int rc;

	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct event key = { 0 }, *ev;

		key.id = sqlite3_column_int64(st, 0);
		ev = l->nevents ? bsearch(&key, l->events, l->nevents, sizeof(*ev), by_id) : NULL;
		if (ev)
			event_override_from_row(st, 1, ev);
	}
	store_end(s, st);
	return rc == SQLITE_DONE ? 0 : store_error(s, e, "event");
}

/* The next capacity of a window's list of cap items of size each: by 8
 * while small (each step below 128 KiB is a copy by malloc), by 2 past it
 * (xbig_realloc(): a mapping grown in place or moved whole; no more address
 * space than twice what is used). */
static size_t grown(size_t cap, size_t size)
{
	if (!cap)
		return 64;
	return cap * size < 128 * 1024 ? cap * 8 : cap * 2;
}

static void push(struct event_list *l, size_t *cap, const struct event *ev,
		 const struct event_override *ov, time_t key, time_t start, time_t end)
{
	struct event_occ *o;

	if (l->nocc == *cap) {
		*cap = grown(*cap, sizeof(*l->occ));
		l->occ = xbig_realloc(l->occ, *cap * sizeof(*l->occ));
	}
	o = &l->occ[l->nocc++];
	o->ev = ev;
	o->ov = ov;
	o->summary = ov && ov->summary ? ov->summary : ev->summary;
	o->notes = ov && ov->notes ? ov->notes : ev->notes;
	o->location = ov && ov->location ? ov->location : ev->location;
	o->tzid = ov && ov->tzid ? ov->tzid : ev->tzid;
	o->key = key;
	o->start = start;
	o->end = end;
}

static const struct event_override *find_override(const struct event *ev, time_t key)
{
	for (size_t i = 0; i < ev->noverrides; i++)
		if (ev->overrides[i].recurrence_id == key)
			return &ev->overrides[i];
	return NULL;
}

/* Push the occurrences of series ev overlapping [from, to), stopping once
 * the list holds more than max. */
static int expand(struct store *s, struct event_list *l, size_t *cap, const struct event *ev,
		  time_t from, time_t to, size_t max, struct zones *zs, struct err *e)
{
	struct series_it si;
	time_t key, os, oe;

	if (series_open(s, ev, from, zs, &si, e) < 0)
		return -1;
	recur_iter_end_before(&si.it, to);
	while (l->nocc <= max && series_next(&si, &key, &os, &oe) && os < to) {
		if (find_override(ev, key))
			continue;
		if (overlaps(os, oe, from, to))
			push(l, cap, ev, NULL, key, os, oe);
	}
	series_close(&si);
	for (size_t i = 0; i < ev->noverrides && l->nocc <= max; i++) {
		const struct event_override *o = &ev->overrides[i];

		if (is_exdate(ev, o->recurrence_id))
			continue;
		override_span(ev, o, &os, &oe);
		if (overlaps(os, oe, from, to))
			push(l, cap, ev, o, o->recurrence_id, os, oe);
	}
	return 0;
}

static void push_single(struct event_list *l, size_t *cap, const struct event *ev, time_t from,
			time_t to)
{
	time_t s = ev->all_day ? tz_date_to_local(ev->start) : ev->start;
	time_t e = ev->all_day ? tz_date_to_local(ev->end) : ev->end;

	if (overlaps(s, e, from, to))
		push(l, cap, ev, NULL, ev->start, s, e);
}

/* Whether x comes before y: by start, all-day first, by end, by id. */
static bool occ_before(const struct event_occ *x, const struct event_occ *y)
{
	if (x->start != y->start)
		return x->start < y->start;
	if (x->ev->all_day != y->ev->all_day)
		return x->ev->all_day;
	if (x->end != y->end)
		return x->end < y->end;
	return x->ev->id < y->ev->id;
}

/* Stable merge sort of the places idx[0..n) of occurrences in occ, from
 * the runs already in order (tmp: room for n places). */
static void merge_places(const struct event_occ *occ, size_t *idx, size_t *tmp, size_t n)
{
	size_t nruns = 0, *runs = xbig_realloc(NULL, (n + 1) * sizeof(*runs)), *src = idx,
	       *dst = tmp, *swap;

	runs[nruns++] = 0;
	for (size_t i = 1; i < n; i++)
		if (occ_before(&occ[idx[i]], &occ[idx[i - 1]]))
			runs[nruns++] = i;
	runs[nruns] = n;
	while (nruns > 1) {
		size_t m = 0;

		for (size_t r = 0; r < nruns; r += 2) {
			size_t a = runs[r], mid = runs[r + 1 < nruns ? r + 1 : nruns],
			       b = runs[r + 2 <= nruns ? r + 2 : nruns], i = a, j = mid, k = a;

			while (i < mid && j < b)
				dst[k++] = occ_before(&occ[src[j]], &occ[src[i]]) ? src[j++]
										  : src[i++];
			while (i < mid)
				dst[k++] = src[i++];
			while (j < b)
				dst[k++] = src[j++];
			runs[m++] = a;
		}
		runs[m] = n;
		nruns = m;
		swap = src;
		src = dst;
		dst = swap;
	}
	if (src != idx)
		memcpy(idx, src, n * sizeof(*idx));
	xbig_free(runs);
}

/* Sort l->occ (stable, by occ_before()).  The places go to buckets by
 * start (about one occurrence a bucket, as a year's 100k spread out), in
 * their order; a bucket is then sorted by insertion, or merged when it is
 * large; then the occurrences move in place. */
static void sort_occ(struct event_list *l)
{
	const struct event_occ *occ = l->occ;
	size_t n = l->nocc, *at, *idx, *tmp;
	time_t lo, hi, width;

	if (n < 2)
		return;
	lo = hi = occ[0].start;
	for (size_t i = 1; i < n; i++) {
		lo = occ[i].start < lo ? occ[i].start : lo;
		hi = occ[i].start > hi ? occ[i].start : hi;
	}
	width = (hi - lo) / (time_t)n + 1;
	at = memset(xbig_realloc(NULL, (n + 2) * sizeof(*at)), 0, (n + 2) * sizeof(*at));
	idx = xbig_realloc(NULL, n * sizeof(*idx));
	tmp = xbig_realloc(NULL, n * sizeof(*tmp));
	for (size_t i = 0; i < n; i++)
		at[(size_t)((occ[i].start - lo) / width) + 1]++;
	for (size_t b = 1; b <= n + 1; b++)
		at[b] += at[b - 1];
	for (size_t i = 0; i < n; i++)
		idx[at[(size_t)((occ[i].start - lo) / width)]++] = i;
	/* at[b] is now the end of bucket b */
	for (size_t b = 0, a = 0; b <= n && a < n; a = at[b++]) {
		size_t m = at[b] - a, *v = idx + a;

		if (m > 32) {
			merge_places(occ, v, tmp, m);
			continue;
		}
		for (size_t i = 1; i < m; i++) {
			size_t x = v[i], j = i;

			for (; j > 0 && occ_before(&occ[x], &occ[v[j - 1]]); j--)
				v[j] = v[j - 1];
			v[j] = x;
		}
	}
	xbig_free(at);
	xbig_free(tmp);
	/* occurrence i goes where idx names it: in place, one cycle at a time */
	for (size_t i = 0; i < n; i++) {
		struct event_occ first;
		size_t j = i;

		if (idx[i] == SIZE_MAX)
			continue;
		first = l->occ[i];
		while (idx[j] != i) {
			size_t k = idx[j];

			l->occ[j] = l->occ[k];
			idx[j] = SIZE_MAX;
			j = k;
		}
		l->occ[j] = first;
		idx[j] = SIZE_MAX;
	}
	xbig_free(idx);
}

/* Sort the occurrences of a successful query, or release the list. */
static int finish(struct event_list *out, int rc)
{
	if (rc < 0) {
		event_list_release(out);
		return -1;
	}
	sort_occ(out);
	return 0;
}

#define CAL_FILTER " AND (?3 IS NULL OR c.name = ?3)"
/* The classes of events_reach, and a series of class k.n that reaches the
 * window [?4, ?2) (both with a day of slack). */
#define SERIES_CLASSES                                                                             \
	"WITH RECURSIVE k(n) AS (SELECT 0 UNION ALL SELECT n + 1 FROM k WHERE n < 15) "
#define SERIES_IN_CLASS                                                                            \
	"e.reach = k.n AND e.start > ?4 - CASE WHEN k.n < 15 THEN 86400 << k.n ELSE 9e18 END"      \
	" AND e.start < ?2 AND e.until > ?4 AND e.rrule IS NOT NULL AND e.deleted = 0"             \
	" AND e.until IS NOT NULL"
/* A series that never ends and starts before the window's end. */
#define SERIES_FOREVER "e.rrule IS NOT NULL AND e.deleted = 0 AND e.until IS NULL AND e.start < ?2"
/* For the agenda: EVENT_COLS without the calendar's name (column 2 is
 * NULL), then the event's calendar id (EVENT_NCOLS): the names are read
 * once, not joined to every row.  OCC_BRIEF_COLS: what the agenda's lines
 * show alone, EVENT_BRIEF_COLS (no NULL in place of the others: each
 * column of a row is an operation of SQLite's, and a value to pass on). */
#define OCC_COLS       EVENT_COL_LIST_CAL("NULL") ", e.calendar_id FROM events e"
#define OCC_BRIEF_COLS EVENT_BRIEF_COLS " FROM events e"
/* The events of a window, columns c, with the calendar filter f (?3, a
 * calendar id).  The long single events begun before the window are read
 * through events_long by name: events_start (schema 21) covers the same
 * columns, and a planner that counts it covering would scan every single
 * event begun before the window instead. */
#define OCC_SQL(c, f)                                                                              \
	SERIES_CLASSES "SELECT " c " WHERE e.rrule IS NULL AND e.deleted = 0"                      \
		       " AND e.start >= ?1 AND e.start < ?2 AND e.\"end\" > ?4" f                  \
		       " UNION ALL SELECT " c " INDEXED BY events_long WHERE e.rrule IS NULL"      \
		       " AND e.deleted = 0 AND e.\"end\" - e.start > 604800 AND e.\"end\" > ?4"    \
		       " AND e.start < ?1" f " UNION ALL SELECT " c                                \
		       " JOIN k ON " SERIES_IN_CLASS f " UNION ALL SELECT " c                      \
		       " WHERE " SERIES_FOREVER f

/* A series with a written wall time (event.h), which the agenda's rows
 * do not read (events_wall: not in the indexes they come from). */
struct window_wall {
	long long id;
	time_t wall;
};

/* The calendars' ids and names, the ids of the series that have
 * overrides (few do: theirs are read for them alone), sorted, and the
 * series with a written wall time, by id. */
struct window_refs {
	long long *cal_id;
	char **cal_name;
	size_t ncal;
	long long *ov_id;
	size_t nov;
	struct window_wall *wall;
	size_t nwall;
};

static void window_refs_release(struct window_refs *w)
{
	for (size_t i = 0; i < w->ncal; i++)
		free(w->cal_name[i]);
	free(w->cal_id);
	free(w->cal_name);
	free(w->ov_id);
	free(w->wall);
}

static int window_refs_load(struct store *s, struct window_refs *w, struct err *e)
{
	sqlite3_stmt *st = store_prepare(s,
					 "SELECT 0, id, name FROM calendars UNION ALL"
					 " SELECT DISTINCT 1, event_id, NULL FROM event_overrides"
					 " UNION ALL SELECT 2, id, wall_start FROM events"
					 " WHERE wall_start IS NOT NULL",
					 e);
	size_t ccap = 0, ocap = 0, wcap = 0;
	int rc;

	memset(w, 0, sizeof(*w));
	if (!st)
		return -1;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		long long id = sqlite3_column_int64(st, 1);

		if (sqlite3_column_int(st, 0) == 0) {
			if (w->ncal == ccap) {
				ccap = ccap ? ccap * 2 : 8;
				w->cal_id = xrealloc(w->cal_id, ccap * sizeof(*w->cal_id));
				w->cal_name = xrealloc(w->cal_name, ccap * sizeof(*w->cal_name));
			}
			w->cal_id[w->ncal] = id;
			w->cal_name[w->ncal++] = store_col_text(st, 2);
		} else if (sqlite3_column_int(st, 0) == 2) {
			if (w->nwall == wcap) {
				wcap = wcap ? wcap * 2 : 8;
				w->wall = xrealloc(w->wall, wcap * sizeof(*w->wall));
			}
			w->wall[w->nwall].id = id;
			w->wall[w->nwall++].wall = (time_t)sqlite3_column_int64(st, 2);
		} else {
			if (w->nov == ocap) {
				ocap = ocap ? ocap * 2 : 16;
				w->ov_id = xrealloc(w->ov_id, ocap * sizeof(*w->ov_id));
			}
			w->ov_id[w->nov++] = id;
		}
	}
	sqlite3_finalize(st);
	if (w->nov)
		qsort(w->ov_id, w->nov, sizeof(*w->ov_id), cmp_id);
	if (w->nwall)
		qsort(w->wall, w->nwall, sizeof(*w->wall), cmp_id);
	return rc == SQLITE_DONE ? 0 : store_error(s, e, "event");
}

static const char *window_calendar(const struct window_refs *w, long long id)
{
	for (size_t i = 0; i < w->ncal; i++)
		if (w->cal_id[i] == id)
			return w->cal_name[i];
	return NULL;
}

static bool has_overrides(const struct window_refs *w, long long id)
{
	return w->nov && bsearch(&id, w->ov_id, w->nov, sizeof(id), cmp_id);
}

/* The written wall time of series ev, when it has one (a brief row has
 * not read it). */
static void window_wall(const struct window_refs *w, struct event *ev)
{
	const struct window_wall *x =
		w->nwall ? bsearch(&ev->id, w->wall, w->nwall, sizeof(*w->wall), cmp_id) : NULL;

	if (x) {
		ev->has_wall = true;
		ev->wall_start = x->wall;
	}
}

/* The rows of OCC_SQL into l->events, each with its calendar's name and,
 * for a series, its overrides. */
static int window_events(struct store *s, sqlite3_stmt *st, const struct window_refs *w, bool brief,
			 struct event_list *l, struct err *e)
{
	size_t cap = 0;
	int rc;

	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *cal;
		struct event *ev;

		if (l->nevents == cap) {
			cap = grown(cap, sizeof(*l->events));
			l->events = xbig_realloc(l->events, cap * sizeof(*l->events));
		}
		ev = &l->events[l->nevents++];
		cal = brief ? NULL : window_calendar(w, sqlite3_column_int64(st, EVENT_NCOLS));
		event_from_row_packed(st, ev, cal, brief, l);
		if (ev->rrule && brief)
			window_wall(w, ev);
		if (ev->rrule && has_overrides(w, ev->id) && event_load_overrides(s, ev, e) < 0) {
			sqlite3_finalize(st);
			return -1;
		}
	}
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : store_error(s, e, "event");
}

int event_calendar_known(struct store *s, const char *calendar, struct err *e)
{
	sqlite3_stmt *st;
	struct sbuf names = SBUF_INIT;
	int rc, found = 0;

	if (!calendar)
		return 0;
	st = store_prepare(s, "SELECT name, name = ? FROM calendars ORDER BY name", e);
	if (!st)
		return -1;
	store_bind_text(st, 1, calendar);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		found |= sqlite3_column_int(st, 1);
		sbuf_addf(&names, "%s%s", names.len ? ", " : "",
			  (const char *)sqlite3_column_text(st, 0));
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		rc = store_error(s, e, "calendar");
	else if (!found)
		rc = err_set(e, ERR_USAGE, "no calendar named '%s' (calendars: %s)", calendar,
			     names.len ? names.buf : "none");
	else
		rc = 0;
	sbuf_release(&names);
	return rc;
}

int event_series_try(struct store *s, const struct event *ev, bool *opens, bool *any, struct err *e)
{
	struct series_it si;
	time_t key;

	*opens = series_open(s, ev, ev->start, NULL, &si, e) == 0;
	if (!*opens) { /* the zone or the rule */
		struct tz *z = caltz_open(s, ev->all_day ? NULL : ev->tzid, e);

		if (!z)
			return -1;
		tz_free(z);
	}
	*any = *opens && recur_iter_next(&si.it, &key);
	if (*opens)
		series_close(&si);
	err_clear(e);
	return 0;
}

int event_series_check(struct store *s, const struct event *ev, struct err *e)
{
	bool opens, any;

	if (!ev->rrule)
		return 0;
	if (event_series_try(s, ev, &opens, &any, e) < 0)
		return -1;
	if (!opens)
		return err_set(e, ERR_USAGE, "RRULE %s never matches a date", utf8_q(ev->rrule));
	if (!any)
		return err_set(e, ERR_USAGE, "RRULE %s has no occurrence from the start",
			       utf8_q(ev->rrule));
	return 0;
}

/* rc of expanding series ev (expand(), next_occurrence()), made 0 (e
 * cleared) with a warning when its zone or its rule cannot be opened: they
 * fail only where series_open() does, so when the zone opens the rule is
 * the cause (opening it again would cost libical's search for a date once
 * more).  A database written before event_series_check(), or a pull by an
 * older nestor, may hold such a series, and the other events are still to
 * be shown.  Only the series is at fault then (ERR_USAGE: an unknown zone,
 * a bad rule); another error (the database's, reading a stored zone) is
 * the caller's, not a series to leave out. */
static int skip_unusable(struct store *s, const struct event *ev, int rc, struct err *e)
{
	struct err why; /* not zeroed for each series that opened (512 bytes) */
	struct tz *z;

	if (rc == 0 || !ev->rrule || e->code != ERR_USAGE)
		return rc;
	err_clear(&why);
	z = caltz_open(s, ev->all_day ? NULL : ev->tzid, &why);
	if (!z && why.code != ERR_USAGE) {
		*e = why;
		return -1;
	}
	if (!z) {
		store_warn("event %lld: %s; the series is left out", ev->id, why.msg);
		err_clear(e);
		return 0;
	}
	tz_free(z);
	store_warn("event %lld: RRULE %s cannot be expanded; the series is left out", ev->id,
		   utf8_q(ev->rrule));
	err_clear(e);
	return 0;
}

/* event_occurrences_max(), or event_agenda() when brief. */
static int occurrences(struct store *s, time_t from, time_t to, const char *calendar, bool brief,
		       size_t max, struct event_list *out, struct err *e)
{
	/* ?1 earliest start of a short event that can reach the window, ?2 the
	 * window end, ?4 the window start, all with a day of slack for dates
	 * (an all-day event's local times are its UTC ones moved by less than
	 * a day).  Series by the interval they can reach (schema.c, migration 10): in
	 * each class k of events_reach those starting at most 2^k days before
	 * the window, and those that never end. */
	static const char *const sql[2][2] = {
		{ OCC_SQL(OCC_COLS, ""), OCC_SQL(OCC_COLS, " AND e.calendar_id = ?3") },
		{ OCC_SQL(OCC_BRIEF_COLS, ""), OCC_SQL(OCC_BRIEF_COLS, " AND e.calendar_id = ?3") },
	};
	struct window_refs w;
	struct zones zs = { .n = 0 };
	size_t ocap = 0;
	sqlite3_stmt *st;
	int rc = 0;

	memset(out, 0, sizeof(*out));
	if (event_calendar_known(s, calendar, e) < 0 || window_refs_load(s, &w, e) < 0)
		return -1;
	st = store_prepare(s, sql[brief][calendar != NULL], e);
	if (!st) {
		window_refs_release(&w);
		return finish(out, -1);
	}
	sqlite3_bind_int64(st, 1, (sqlite3_int64)(from - SHORT_EVENT - DAY));
	sqlite3_bind_int64(st, 2, (sqlite3_int64)(to + DAY));
	for (size_t i = 0; calendar && i < w.ncal; i++)
		if (!strcmp(w.cal_name[i], calendar))
			sqlite3_bind_int64(st, 3, w.cal_id[i]);
	sqlite3_bind_int64(st, 4, (sqlite3_int64)(from - DAY));
	rc = window_events(s, st, &w, brief, out, e);
	window_refs_release(&w);
	if (rc < 0)
		return finish(out, -1);
	for (size_t i = 0; rc == 0 && out->nocc <= max && i < out->nevents; i++) {
		const struct event *ev = &out->events[i];

		if (ev->rrule)
			rc = skip_unusable(s, ev, expand(s, out, &ocap, ev, from, to, max, &zs, e),
					   e);
		else
			push_single(out, &ocap, ev, from, to);
	}
	zones_release(&zs);
	if (rc == 0 && out->nocc > max) {
		event_list_release(out);
		return 1;
	}
	/* the agenda's lines go by the occurrences alone (event.h) */
	if (rc == 0 && !brief)
		sort_events_by_id(out);
	return finish(out, rc);
}

int event_occurrences(struct store *s, time_t from, time_t to, const char *calendar,
		      struct event_list *out, struct err *e)
{
	return occurrences(s, from, to, calendar, false, SIZE_MAX, out, e);
}

int event_occurrences_max(struct store *s, time_t from, time_t to, const char *calendar, size_t max,
			  struct event_list *out, struct err *e)
{
	return occurrences(s, from, to, calendar, false, max, out, e);
}

int event_agenda(struct store *s, time_t from, time_t to, const char *calendar,
		 struct event_list *out, struct err *e)
{
	return occurrences(s, from, to, calendar, true, SIZE_MAX, out, e);
}

int event_all(struct store *s, const char *calendar, struct event_list *out, struct err *e)
{
	sqlite3_stmt *st;
	size_t cap = 0;

	memset(out, 0, sizeof(*out));
	if (event_calendar_known(s, calendar, e) < 0)
		return -1;
	st = store_prepare(
		s, "SELECT " EVENT_COLS " WHERE e.deleted = 0" CAL_FILTER " ORDER BY e.id", e);
	if (!st)
		return -1;
	store_bind_text(st, 3, calendar);
	if (query_events(s, st, out, &cap, e) < 0)
		goto fail;
	st = store_prepare(s,
			   "SELECT o.event_id, o.recurrence_id, o.summary, o.description,"
			   " o.location, o.start, o.\"end\", o.tzid, o.declined"
			   " FROM event_overrides o"
			   " ORDER BY o.event_id, o.recurrence_id",
			   e);
	if (!st || attach_overrides(s, st, out, e) < 0)
		goto fail;
	return 0;
fail:
	event_list_release(out);
	return -1;
}

/* The occurrence of ev a search shows: the next one ending after now. */
static int next_occurrence(struct store *s, struct event_list *l, size_t *cap,
			   const struct event *ev, time_t now, struct err *e)
{
	struct series_it si;
	time_t key, os, oe;
	bool found = false;

	if (!ev->rrule) {
		push_single(l, cap, ev, ev->all_day ? tz_date_to_local(ev->start) : ev->start,
			    ev->all_day ? tz_date_to_local(ev->end) + 1 : ev->end + 1);
		return 0;
	}
	if (series_open(s, ev, now, NULL, &si, e) < 0)
		return -1;
	while (!found && series_next(&si, &key, &os, &oe)) {
		const struct event_override *o = find_override(ev, key);

		if (o)
			override_span(ev, o, &os, &oe);
		if (oe > now) {
			push(l, cap, ev, o, key, os, oe);
			found = true;
		}
	}
	series_close(&si);
	if (!found) {
		time_t s0 = ev->all_day ? tz_date_to_local(ev->start) : ev->start;

		push(l, cap, ev, NULL, ev->start, s0,
		     ev->all_day ? tz_date_to_local(ev->end) : ev->end);
	}
	return 0;
}

int event_search(struct store *s, const char *text, time_t now, struct event_list *out,
		 struct err *e)
{
	sqlite3_stmt *st;
	size_t cap = 0, ocap = 0;
	int rc = 0;

	memset(out, 0, sizeof(*out));
	st = store_prepare(s,
			   "SELECT " EVENT_COLS " WHERE e.deleted = 0 AND"
			   " (instr(nestor_fold(e.summary), nestor_fold(?1)) > 0"
			   " OR instr(nestor_fold(coalesce(e.location, '')),"
			   " nestor_fold(?1)) > 0"
			   " OR instr(nestor_fold(coalesce(e.description, '')),"
			   " nestor_fold(?1)) > 0)"
			   " ORDER BY e.id",
			   e);
	if (!st)
		return -1;
	store_bind_text(st, 1, text);
	if (query_events(s, st, out, &cap, e) < 0)
		goto fail;
	for (size_t i = 0; i < out->nevents; i++)
		if (out->events[i].rrule && event_load_overrides(s, &out->events[i], e) < 0)
			goto fail;
	for (size_t i = 0; rc == 0 && i < out->nevents; i++)
		rc = skip_unusable(s, &out->events[i],
				   next_occurrence(s, out, &ocap, &out->events[i], now, e), e);
	return finish(out, rc);
fail:
	return finish(out, -1);
}
