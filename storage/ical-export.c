/* iCalendar export: events, their overrides and the zones they use. */
#include "event-int.h"
#include "ical.h"
#include "caltz.h"
#include "ical-todo.h"
#include "xalloc.h"

#include <libical/ical.h>
#include <stdlib.h>
#include <string.h>

/* Whether the wall-clock time of t in z reads back as t: not when t is
 * the second instance of a time a fall-back change repeats, which RFC 5545
 * (3.3.5) and every importer read as the first. */
static bool wall_exact(struct tz *z, time_t t)
{
	return caltz_from_wall(z, caltz_to_wall(z, t, false)) == t;
}

/* A DATE (UTC midnight t) or UTC DATE-TIME property of kind; a DTSTART
 * names tzid, the event's zone, for nestor's import (others ignore it). */
static icalproperty *utc_prop(icalproperty_kind kind, time_t t, bool all_day, const char *tzid)
{
	icalproperty *p = caltz_utc_prop(kind, t, all_day);

	if (!all_day && kind == ICAL_DTSTART_PROPERTY && tzid && *tzid && !tz_is_utc(tzid)) {
		icalparameter *x = icalparameter_new_x(tzid);

		icalparameter_set_xname(x, "X-NESTOR-TZID");
		icalproperty_add_parameter(p, x);
	}
	return p;
}

/* A DATE-TIME (or DATE) property of kind for instant t kept in tzid (z
 * is its zone).  A time with no zone (ical_export() named the local zone
 * when tzdata has it) goes out in UTC, as does an instant the zone's wall
 * clock cannot name, unless wall (a series' DTSTART, which the rule reads
 * as a wall-clock time: its first instance); floating: the times of a
 * series with no zone, which nestor repeats in the local zone, go out as
 * floating wall-clock times in z (the local zone), as the rule means them. */
static icalproperty *time_prop(icalproperty_kind kind, time_t t, bool all_day, const char *tzid,
			       struct tz *z, bool wall, bool floating)
{
	bool none = !tzid || !*tzid, utc = !all_day && (none || tz_is_utc(tzid));
	struct icaltimetype v = icaltime_null_time();
	icalproperty *p;

	if (!all_day && none && floating && caltz_in_range(v = caltz_to_wall(z, t, false))) {
		p = icalproperty_new(kind);
		icalproperty_set_value(p, caltz_value(v, false));
		return p;
	}
	if (!all_day && !utc) {
		v = caltz_to_wall(z, t, false);
		/* wall_exact(); a wall time past 9999 east of UTC (or before
		 * year 1 west of it), which no file holds, in UTC: import took
		 * it so */
		utc = (!wall && caltz_from_wall(z, v) != t) || !caltz_in_range(v);
	}
	if (all_day || utc)
		return utc_prop(kind, t, all_day, utc ? tzid : NULL);
	p = icalproperty_new(kind);
	icalproperty_set_value(p, caltz_value(v, false));
	icalproperty_add_parameter(p, icalparameter_new_tzid(tzid));
	return p;
}

/* The DTSTART of a series as written (event.h: a time inside a gap, which
 * the rule repeats on the days it exists). */
static icalproperty *written_dtstart(const struct event *ev)
{
	icalproperty *p = icalproperty_new(ICAL_DTSTART_PROPERTY);
	struct tz *utc = tz_open("UTC", NULL);

	icalproperty_set_value(p, caltz_value(caltz_to_wall(utc, ev->wall_start, false), false));
	tz_free(utc);
	icalproperty_add_parameter(p, icalparameter_new_tzid(ev->tzid));
	return p;
}

static void add_text(icalcomponent *c, icalproperty *(*mk)(const char *), const char *v)
{
	if (v && *v)
		icalcomponent_add_property(c, mk(v));
}

static void add_attendees(icalcomponent *c, const char *text)
{
	for (const char *p = text; p && *p;) {
		size_t n = strcspn(p, "\n");
		char *line = xstrndup(p, n);
		icalproperty *a = *line ? icalproperty_new_from_string(line) : NULL;

		if (a)
			icalcomponent_add_property(c, a);
		free(line);
		p += n + (p[n] == '\n');
	}
}

static void add_alarms(icalcomponent *c, const char *alarms)
{
	icalcomponent *wrap, *a;
	char *text;

	if (!alarms || !*alarms)
		return;
	text = xasprintf("BEGIN:VEVENT\r\n%sEND:VEVENT\r\n", alarms);
	wrap = icalparser_parse_string(text);
	free(text);
	if (!wrap)
		return;
	while ((a = icalcomponent_get_first_component(wrap, ICAL_VALARM_COMPONENT))) {
		icalcomponent_remove_component(wrap, a);
		icalcomponent_add_component(c, a);
	}
	icalcomponent_free(wrap);
}

/* A VEVENT of ev; series: ev's own, with its RRULE (not an override's). */
static icalcomponent *vevent(const struct event *ev, struct tz *zone, bool series)
{
	icalcomponent *c = icalcomponent_new(ICAL_VEVENT_COMPONENT);
	time_t end = ev->end;

	icalcomponent_add_property(c, icalproperty_new_uid(ev->uid));
	icalcomponent_add_property(c, icalproperty_new_dtstamp(icaltime_from_timet_with_zone(
					      ev->updated_at, 0, icaltimezone_get_utc_timezone())));
	if (series && ev->has_wall && !ev->all_day && ev->tzid && !tz_is_utc(ev->tzid) && zone &&
	    tz_wall_names(zone, ev->start, ev->wall_start))
		icalcomponent_add_property(c, written_dtstart(ev));
	else
		icalcomponent_add_property(c,
					   time_prop(ICAL_DTSTART_PROPERTY, ev->start, ev->all_day,
						     ev->tzid, zone, series, series));
	if (series && !ev->all_day && ev->tzid && !wall_exact(zone, ev->start))
		/* the series starts at the first instance of its wall-clock
		 * time (as its occurrences do): the end keeps the length */
		end += caltz_from_wall(zone, caltz_to_wall(zone, ev->start, false)) - ev->start;
	if (ev->end != ev->start || ev->all_day)
		icalcomponent_add_property(c, time_prop(ICAL_DTEND_PROPERTY, end, ev->all_day,
							ev->tzid, zone, false, series));
	add_text(c, icalproperty_new_summary, ev->summary);
	add_text(c, icalproperty_new_description, ev->notes);
	add_text(c, icalproperty_new_location, ev->location);
	return c;
}

/* The zone an override's times are written in: its own when it has one
 * other than the series' (*own, to free), else the series' zone. */
static const char *override_zone(struct store *s, const struct event *ev,
				 const struct event_override *o, struct tz **own)
{
	struct err ignore;

	*own = NULL;
	if (!o->tzid || !*o->tzid || (ev->tzid && !strcmp(o->tzid, ev->tzid)) || ev->all_day)
		return ev->tzid;
	*own = caltz_open(s, o->tzid, &ignore);
	return *own ? o->tzid : ev->tzid;
}

static void add_event(icalcomponent *cal, struct store *s, const struct event *ev, struct tz *zone)
{
	icalcomponent *c = vevent(ev, zone, ev->rrule != NULL);

	if (ev->rrule) {
		struct icalrecurrencetype r = icalrecurrencetype_from_string(ev->rrule);

		/* with a floating DTSTART, RFC 5545 wants a floating UNTIL: a
		 * UTC one is the wall-clock time the rule reads it as */
		if (!ev->all_day && (!ev->tzid || !*ev->tzid) && icaltime_is_utc(r.until) &&
		    !r.until.is_date) {
			struct icaltimetype w =
				caltz_to_wall(zone, caltz_utc_instant(r.until), false);

			r.until = caltz_in_range(w) ? w : r.until;
		} else if (!ev->all_day && r.until.is_date) {
			/* a DATE UNTIL of a timed series takes in its day
			 * (recur.h): its last second, in UTC with a TZID */
			struct icaltimetype w = r.until;

			w.is_date = 0;
			w.hour = 23;
			w.minute = w.second = 59;
			if (ev->tzid && *ev->tzid)
				w = icaltime_from_timet_with_zone(caltz_from_wall(zone, w), 0,
								  icaltimezone_get_utc_timezone());
			r.until = caltz_in_range(w) ? w : r.until;
		}
		icalcomponent_add_property(c, icalproperty_new_rrule(r));
	}
	for (size_t i = 0; i < ev->nexdates; i++)
		icalcomponent_add_property(c, time_prop(ICAL_EXDATE_PROPERTY, ev->exdates[i],
							ev->all_day, ev->tzid, zone, false, true));
	if (ev->calendar) {
		icalproperty *x = icalproperty_new_x(ev->calendar);

		icalproperty_set_x_name(x, "X-NESTOR-CALENDAR");
		icalcomponent_add_property(c, x);
	}
	add_attendees(c, ev->attendees);
	add_alarms(c, ev->alarms);
	icalcomponent_add_component(cal, c);
	for (size_t i = 0; i < ev->noverrides; i++) {
		const struct event_override *o = &ev->overrides[i];
		struct event one = *ev;
		struct tz *own;

		one.start = o->start;
		one.end = o->end;
		one.summary = o->summary ? o->summary : ev->summary;
		one.notes = o->notes ? o->notes : ev->notes;
		one.location = o->location ? o->location : ev->location;
		/* the occurrence moved in its own zone stays there; the
		 * RECURRENCE-ID names the series' occurrence, in its zone */
		one.tzid = (char *)override_zone(s, ev, o, &own);
		c = vevent(&one, own ? own : zone, false);
		tz_free(own);
		icalcomponent_add_property(c,
					   time_prop(ICAL_RECURRENCEID_PROPERTY, o->recurrence_id,
						     ev->all_day, ev->tzid, zone, false, true));
		icalcomponent_add_component(cal, c);
	}
}

/* The span of the exported events in zone tzid: from the earliest start
 * (an override's too) to the latest end, *open when a series in it has no
 * last occurrence known here (the end is then left open). */
static void zone_span(const struct event_list *l, const bool *used, const char *tzid, time_t *first,
		      time_t *last, bool *open)
{
	*first = (time_t)253402300799LL;
	*last = 0;
	*open = false;
	for (size_t i = 0; i < l->nevents; i++) {
		const struct event *ev = &l->events[i];

		if (!used[i] || ev->all_day)
			continue;
		if (ev->tzid && !strcmp(ev->tzid, tzid)) {
			*first = ev->start < *first ? ev->start : *first;
			*last = ev->end > *last ? ev->end : *last;
			*open = *open || ev->rrule;
		}
		for (size_t k = 0; k < ev->noverrides; k++) {
			const struct event_override *o = &ev->overrides[k];
			const char *oz = o->tzid && *o->tzid ? o->tzid : ev->tzid;

			if (!oz || strcmp(oz, tzid))
				continue;
			*first = o->start < *first ? o->start : *first;
			*last = o->end > *last ? o->end : *last;
		}
	}
}

/* A VTIMEZONE for each zone in use, named as the events name it.  A zone
 * of tzdata carries only the rules that cover the events (New York's go
 * back to 1883); one a calendar file defined is kept as it came. */
static void add_zones(icalcomponent *cal, struct store *s, const struct event_list *l,
		      const bool *used)
{
	icaltimezone *utc = icaltimezone_get_utc_timezone();
	const char **done = NULL;
	size_t n = 0;

	for (size_t i = 0, j = 0; i < l->nevents;
	     j = j < l->events[i].noverrides ? j + 1 : 0, i += !j) {
		/* the event's zone (j 0), then its overrides' */
		const char *tzid = j ? l->events[i].overrides[j - 1].tzid : l->events[i].tzid;
		icalcomponent *vtz;
		icalproperty *p;
		char *text;
		size_t k;

		if (!used[i] || !tzid || !*tzid || l->events[i].all_day)
			continue;
		for (k = 0; k < n && strcmp(done[k], tzid); k++)
			;
		if (k < n || caltz_ensure(s, tzid, NULL) < 0 || !(text = tz_vtimezone(tzid)))
			continue;
		done = xrealloc(done, (n + 1) * sizeof(*done));
		done[n++] = tzid;
		vtz = icalparser_parse_string(text);
		free(text);
		if (!vtz)
			continue;
		if (tz_is_system(tz_plain_name(tzid))) {
			time_t first, last;
			bool open;

			zone_span(l, used, tzid, &first, &last, &open);
			/* libical writes no year after 3000 (its TZUNTIL and
			 * DTSTART would be zeros): past it, the zone is
			 * written whole, or left open at its end */
			if (first <= CALTZ_LIBICAL_MAX)
				icaltimezone_truncate_vtimezone(
					vtz, icaltime_from_timet_with_zone(first, 0, utc),
					open || last > CALTZ_LIBICAL_MAX
						? icaltime_null_time()
						: icaltime_from_timet_with_zone(last, 0, utc),
					0);
		}
		p = icalcomponent_get_first_property(vtz, ICAL_TZID_PROPERTY);
		if (p)
			icalproperty_set_tzid(p, tzid);
		icalcomponent_add_component(cal, vtz);
	}
	free(done);
}

/* Name the zone of the events with none (nestor shows them, and repeats a
 * series, in the local zone): the local zone's name, when tzdata has it,
 * so that they are written in it with its VTIMEZONE, as any other. */
static void name_local(struct event_list *l)
{
	char *local = tz_local_name();

	if (local && tz_is_system(tz_plain_name(local)))
		for (size_t i = 0; i < l->nevents; i++) {
			struct event *ev = &l->events[i];

			if (!ev->all_day && (!ev->tzid || !*ev->tzid)) {
				free(ev->tzid);
				ev->tzid = xstrdup(local);
			}
		}
	free(local);
}

int ical_export(struct store *s, const time_t *from, const time_t *to, const char *calendar,
		char **text, struct err *e)
{
	struct event_list l;
	icalcomponent *cal;
	bool *used;
	int rc = 0;

	*text = NULL;
	if (from || to) {
		if (event_occurrences(s, from ? *from : (time_t)-62135596800LL,
				      to ? *to : (time_t)253402300799LL, calendar, &l, e) < 0)
			return -1;
	} else if (event_all(s, calendar, &l, e) < 0) {
		return -1;
	}
	used = xcalloc(l.nevents + 1, sizeof(*used));
	for (size_t i = 0; i < l.nevents; i++)
		used[i] = !(from || to);
	for (size_t i = 0; i < l.nocc; i++)
		used[l.occ[i].ev - l.events] = true;
	name_local(&l);
	cal = icalcomponent_new(ICAL_VCALENDAR_COMPONENT);
	icalcomponent_add_property(cal, icalproperty_new_prodid("-//nestor//nestor//EN"));
	icalcomponent_add_property(cal, icalproperty_new_version("2.0"));
	icalcomponent_add_property(cal, icalproperty_new_calscale("GREGORIAN"));
	add_zones(cal, s, &l, used);
	for (size_t i = 0; i < l.nevents; i++) {
		const struct event *ev = &l.events[i];
		struct tz *z;

		if (!used[i])
			continue;
		z = caltz_open(s, ev->all_day ? NULL : ev->tzid, e);
		if (!z && e->code != ERR_USAGE) { /* the database's: not the event's */
			rc = -1;
			break;
		}
		if (!z) {
			/* an older store or a pull may hold one: the others go out */
			store_warn("event %lld: %s; it is left out of the export", ev->id, e->msg);
			err_clear(e);
			continue;
		}
		add_event(cal, s, ev, z);
		tz_free(z);
	}
	if (rc == 0 && !calendar)
		rc = ical_todo_export(s, cal, from, to, e);
	if (rc == 0) {
		char *t = icalcomponent_as_ical_string_r(cal);

		*text = xstrdup(t ? t : "");
		free(t);
	}
	icalcomponent_free(cal);
	free(used);
	event_list_release(&l);
	return rc;
}
