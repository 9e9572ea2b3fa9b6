#include "tz.h"
#include "utf8.h"
#include "sbuf.h"
#include "xalloc.h"

#include <glib.h>
#include <libical/ical.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define DAY 86400

/* A zone registered from a VTIMEZONE; freed when the registry and the last
 * struct tz using it let go. */
struct custom {
	char *tzid;
	char *text; /* the VTIMEZONE as registered, for a redefinition's check and export */
	icaltimezone *zone;
	int refs;
};

struct tz {
	GTimeZone *gz;	   /* a system or the local zone */
	struct custom *cz; /* or a custom one */
	bool fixed;	   /* gz has one offset for all time (UTC): off */
	long off;
};

/* GLib builds a zone's transitions on every load (a millisecond), so the
 * system zones loaded are kept for the life of the process, for every thread. */
#define CACHE_MAX 32
static struct {
	char *name;
	GTimeZone *gz;
} cache[CACHE_MAX];
static size_t ncache;
G_LOCK_DEFINE_STATIC(cache);

/* Whether each GTimeZone seen has a single offset (a reference kept, so
 * the address names that zone for the life of the process). */
static struct {
	GTimeZone *gz;
	bool fixed;
	long off;
} kinds[CACHE_MAX];
static size_t nkinds;

/* The registry; libical is not thread-safe with a zone (it extends the
 * zone's table of changes on use), so every libical call holds this lock. */
static GPtrArray *customs; /* of struct custom * */
G_LOCK_DEFINE_STATIC(ical);

static const char *zonedir(void)
{
	const char *d = getenv("TZDIR");

	return d && *d ? d : "/usr/share/zoneinfo";
}

void tz_utc_tm(time_t t, struct tm *tm)
{
	long d = (long)(t >= 0 ? t / DAY : (t - DAY + 1) / DAY), s = (long)(t - (time_t)d * DAY);
	int y, m, md;

	tz_civil_from_days(d, &y, &m, &md);
	memset(tm, 0, sizeof(*tm));
	tm->tm_year = y - 1900;
	tm->tm_mon = m - 1;
	tm->tm_mday = md;
	tm->tm_hour = (int)(s / 3600);
	tm->tm_min = (int)(s / 60 % 60);
	tm->tm_sec = (int)(s % 60);
	tm->tm_wday = (int)(((d + 4) % 7 + 7) % 7);
	tm->tm_yday = (int)(d - tz_days_from_civil(y, 1, 1));
	tm->tm_zone = "GMT";
}

time_t tz_tm_utc(const struct tm *tm)
{
	long y = tm->tm_year + 1900L + tm->tm_mon / 12;
	int m = tm->tm_mon % 12;

	if (m < 0) {
		m += 12;
		y--;
	}
	return (time_t)(tz_days_from_civil(y, m + 1, 1) + tm->tm_mday - 1) * DAY +
	       tm->tm_hour * 3600L + tm->tm_min * 60L + tm->tm_sec;
}

const char *tz_plain_name(const char *tzid)
{
	static const char *const prefixes[] = { "/freeassociation.sourceforge.net/Tzfile/",
						"/freeassociation.sourceforge.net/",
						"/citadel.org/", NULL };

	for (int i = 0; prefixes[i]; i++)
		if (!strncmp(tzid, prefixes[i], strlen(prefixes[i])))
			return tzid + strlen(prefixes[i]);
	/* "/mozilla.org/20050126_1/Europe/Berlin" */
	if (!strncmp(tzid, "/mozilla.org/", 13)) {
		const char *p = strchr(tzid + 13, '/');

		return p ? p + 1 : tzid;
	}
	return tzid;
}

bool tz_is_utc(const char *tzid)
{
	const char *n = tz_plain_name(tzid);

	return !strcmp(n, "UTC") || !strcmp(n, "Etc/UTC") || !strcmp(n, "GMT") || !strcmp(n, "Z");
}

/* A name that can only mean a file under the zone directory. */
static bool safe_name(const char *n)
{
	if (!*n || n[0] == '/' || strstr(n, ".."))
		return false;
	for (const char *p = n; *p; p++)
		if (!g_ascii_isalnum(*p) && !strchr("/_+-", *p))
			return false;
	return true;
}

/* A new reference to the system zone named name, or NULL. */
static GTimeZone *system_zone(const char *name)
{
	GTimeZone *gz = NULL;

	G_LOCK(cache);
	for (size_t i = 0; i < ncache && !gz; i++)
		if (!strcmp(cache[i].name, name))
			gz = g_time_zone_ref(cache[i].gz);
	if (!gz && safe_name(name)) {
		char *path = xasprintf("%s/%s", zonedir(), name);
		struct stat st;

		if (stat(path, &st) == 0 && S_ISREG(st.st_mode))
			gz = g_time_zone_new_identifier(name);
		free(path);
		if (gz && ncache < CACHE_MAX) {
			cache[ncache].name = xstrdup(name);
			cache[ncache++].gz = g_time_zone_ref(gz);
		}
	}
	G_UNLOCK(cache);
	return gz;
}

bool tz_is_system(const char *tzid)
{
	GTimeZone *gz = tzid ? system_zone(tzid) : NULL;

	if (!gz)
		return false;
	g_time_zone_unref(gz);
	return true;
}

static void custom_unref(struct custom *c)
{
	if (!c || --c->refs > 0)
		return;
	icaltimezone_free(c->zone, 1);
	free(c->tzid);
	free(c->text);
	free(c);
}

/* The registered zone named tzid with a new reference, or NULL. */
static struct custom *custom_find(const char *tzid)
{
	struct custom *c = NULL;

	G_LOCK(ical);
	for (guint i = 0; customs && i < customs->len && !c; i++)
		if (!strcmp(((struct custom *)g_ptr_array_index(customs, i))->tzid, tzid))
			c = g_ptr_array_index(customs, i);
	if (c)
		c->refs++;
	G_UNLOCK(ical);
	return c;
}

/* The VTIMEZONE of text (itself or the first in a VCALENDAR), detached. */
static icalcomponent *parse_vtimezone(const char *text)
{
	icalcomponent *top = icalparser_parse_string(text), *vtz;

	if (!top || icalcomponent_isa(top) == ICAL_VTIMEZONE_COMPONENT)
		return top;
	vtz = icalcomponent_get_first_component(top, ICAL_VTIMEZONE_COMPONENT);
	if (vtz)
		icalcomponent_remove_component(top, vtz);
	icalcomponent_free(top);
	return vtz;
}

int tz_register_vtimezone(const char *tzid, const char *vtimezone, struct err *e)
{
	struct custom *c, *old = NULL;
	icalcomponent *vtz;
	icaltimezone *zone;
	guint i;

	if (!tzid || !*tzid)
		return err_set(e, ERR_USAGE, "a time zone needs a name");
	old = custom_find(tzid);
	if (old && !strcmp(old->text, vtimezone)) {
		G_LOCK(ical);
		custom_unref(old);
		G_UNLOCK(ical);
		return 0;
	}
	G_LOCK(ical);
	if (old)
		custom_unref(old);
	vtz = parse_vtimezone(vtimezone);
	icalerror_clear_errno();
	if (!vtz || (!icalcomponent_get_first_component(vtz, ICAL_XSTANDARD_COMPONENT) &&
		     !icalcomponent_get_first_component(vtz, ICAL_XDAYLIGHT_COMPONENT))) {
		if (vtz)
			icalcomponent_free(vtz);
		G_UNLOCK(ical);
		return err_set(e, ERR_USAGE, "time zone %s: not a VTIMEZONE with its rules",
			       utf8_q(tzid));
	}
	if (!icalcomponent_get_first_property(vtz, ICAL_TZID_PROPERTY))
		icalcomponent_add_property(vtz, icalproperty_new_tzid(tzid));
	zone = icaltimezone_new();
	if (!icaltimezone_set_component(zone, vtz)) {
		icaltimezone_free(zone, 1);
		icalcomponent_free(vtz);
		G_UNLOCK(ical);
		return err_set(e, ERR_USAGE, "time zone %s: not a VTIMEZONE with its rules",
			       utf8_q(tzid));
	}
	c = xcalloc(1, sizeof(*c));
	c->tzid = xstrdup(tzid);
	c->text = xstrdup(vtimezone);
	c->zone = zone;
	c->refs = 1;
	if (!customs)
		customs = g_ptr_array_new();
	for (i = 0; i < customs->len; i++) {
		if (!strcmp(((struct custom *)g_ptr_array_index(customs, i))->tzid, tzid)) {
			custom_unref(g_ptr_array_index(customs, i));
			g_ptr_array_index(customs, i) = c;
			break;
		}
	}
	if (i == customs->len)
		g_ptr_array_add(customs, c);
	G_UNLOCK(ical);
	return 0;
}

bool tz_known(const char *tzid)
{
	struct custom *c;

	if (!tzid || !*tzid)
		return false;
	c = custom_find(tzid);
	if (c) {
		G_LOCK(ical);
		custom_unref(c);
		G_UNLOCK(ical);
		return true;
	}
	return tz_is_utc(tzid) || tz_is_system(tz_plain_name(tzid));
}

/* The instants an event can have (years 1 to 9999), where a zone with one
 * offset must have no change. */
#define SPAN_MIN (-62135596800LL)
#define SPAN_MAX 253402300800LL

/* Fill z->fixed and z->off: a zone with no change of offset over the span
 * (UTC, Etc/GMT+5, TZ=UTC) converts by arithmetic alone. */
static void zone_kind(struct tz *z)
{
	size_t i;

	z->fixed = false;
	z->off = 0;
	if (!z->gz)
		return;
	G_LOCK(cache);
	for (i = 0; i < nkinds && kinds[i].gz != z->gz; i++)
		;
	if (i == nkinds) {
		int a = g_time_zone_find_interval(z->gz, G_TIME_TYPE_UNIVERSAL, SPAN_MIN);
		int b = g_time_zone_find_interval(z->gz, G_TIME_TYPE_UNIVERSAL, SPAN_MAX);
		bool fixed = a >= 0 && a == b && !g_time_zone_is_dst(z->gz, a);
		long off = fixed ? g_time_zone_get_offset(z->gz, a) : 0;

		if (nkinds < CACHE_MAX) {
			kinds[nkinds].gz = g_time_zone_ref(z->gz);
			kinds[nkinds].fixed = fixed;
			kinds[nkinds++].off = off;
		} else {
			z->fixed = fixed;
			z->off = off;
		}
	}
	if (i < nkinds) {
		z->fixed = kinds[i].fixed;
		z->off = kinds[i].off;
	}
	G_UNLOCK(cache);
}

struct tz *tz_open(const char *tzid, struct err *e)
{
	struct custom *c = NULL;
	GTimeZone *gz = NULL;
	struct tz *z;

	if (!tzid || !*tzid)
		gz = g_time_zone_new_local();
	else if (!(c = custom_find(tzid)))
		gz = system_zone(tz_is_utc(tzid) ? "UTC" : tz_plain_name(tzid));
	if (!gz && !c) {
		err_set(e, ERR_USAGE, "unknown time zone %s", utf8_q(tzid));
		return NULL;
	}
	z = xmalloc(sizeof(*z));
	z->gz = gz;
	z->cz = c;
	zone_kind(z);
	return z;
}

void tz_free(struct tz *z)
{
	if (!z)
		return;
	if (z->gz)
		g_time_zone_unref(z->gz);
	if (z->cz) {
		G_LOCK(ical);
		custom_unref(z->cz);
		G_UNLOCK(ical);
	}
	free(z);
}

char *tz_local_name(void)
{
	GTimeZone *gz = g_time_zone_new_local();
	const char *id = g_time_zone_get_identifier(gz);
	char *name;

	if (*id == ':')
		id++;
	name = tz_known(id) ? xstrdup(id) : NULL;
	g_time_zone_unref(gz);
	return name;
}

bool tz_is_local(const char *tzid)
{
	char *local = tzid && *tzid ? tz_local_name() : NULL;
	bool same = local && !strcmp(tz_plain_name(tzid), tz_plain_name(local));

	free(local);
	return same;
}

/* The offset of a custom zone at t; *dst when it is daylight time. */
static long custom_offset(struct custom *c, time_t t, int *dst)
{
	struct icaltimetype u = icaltime_null_time();
	struct tm tm;
	int d = 0, off;

	gmtime_r(&t, &tm);
	u.year = tm.tm_year + 1900;
	u.month = tm.tm_mon + 1;
	u.day = tm.tm_mday;
	u.hour = tm.tm_hour;
	u.minute = tm.tm_min;
	u.second = tm.tm_sec;
	G_LOCK(ical);
	off = icaltimezone_get_utc_offset_of_utc_time(c->zone, &u, &d);
	G_UNLOCK(ical);
	if (dst)
		*dst = d;
	return off;
}

static int interval(struct tz *z, time_t t)
{
	return g_time_zone_find_interval(z->gz, G_TIME_TYPE_UNIVERSAL, (gint64)t);
}

bool tz_fixed(const struct tz *z, long *off)
{
	*off = z->off;
	return z->fixed;
}

bool tz_offset_range(const struct tz *z, long *lo, long *hi)
{
	int first, last;

	*lo = *hi = z->off;
	if (z->fixed)
		return true;
	if (!z->gz)
		return false;
	first = g_time_zone_find_interval(z->gz, G_TIME_TYPE_UNIVERSAL, SPAN_MIN);
	last = g_time_zone_find_interval(z->gz, G_TIME_TYPE_UNIVERSAL, SPAN_MAX);
	if (first < 0 || last < first)
		return false;
	*lo = *hi = g_time_zone_get_offset(z->gz, first);
	for (int i = first + 1; i <= last; i++) {
		long off = g_time_zone_get_offset(z->gz, i);

		*lo = off < *lo ? off : *lo;
		*hi = off > *hi ? off : *hi;
	}
	return true;
}

long tz_offset(struct tz *z, time_t t)
{
	if (z->fixed)
		return z->off;
	if (z->cz)
		return custom_offset(z->cz, t, NULL);
	return g_time_zone_get_offset(z->gz, interval(z, t));
}

/* The offset of z at t; *dst when it is daylight time. */
static long offset_dst(struct tz *z, time_t t, int *dst)
{
	int i;

	*dst = 0;
	if (z->fixed)
		return z->off;
	if (z->cz)
		return custom_offset(z->cz, t, dst);
	i = interval(z, t);
	*dst = g_time_zone_is_dst(z->gz, i);
	return g_time_zone_get_offset(z->gz, i);
}

void tz_to_wall(struct tz *z, time_t t, struct tm *wall)
{
	int dst;
	long off = offset_dst(z, t, &dst);

	tz_utc_tm(t + off, wall);
	wall->tm_isdst = dst;
	wall->tm_gmtoff = off;
	wall->tm_zone = NULL;
}

time_t tz_wall_seconds(struct tz *z, time_t t)
{
	return t + tz_offset(z, t);
}

/* tz_from_wall() for a custom zone, from its offsets alone: the offsets a
 * day either side are the candidates; a wall time in neither is in a gap,
 * which ends where the offset changes. */
static enum tz_kind custom_from_wall(struct custom *c, time_t local, time_t *first, time_t *second)
{
	long a = custom_offset(c, local - DAY, NULL), b = custom_offset(c, local + DAY, NULL);
	time_t ta = local - a, tb = local - b, lo, hi;
	bool va = custom_offset(c, ta, NULL) == a, vb = custom_offset(c, tb, NULL) == b;

	if (a == b || (va && !vb) || (!va && vb)) {
		*first = *second = va || !vb ? ta : tb;
		return TZ_NORMAL;
	}
	if (va && vb) {
		*first = ta < tb ? ta : tb;
		*second = ta < tb ? tb : ta;
		return TZ_REPEATED;
	}
	lo = local - DAY;
	hi = local + DAY;
	while (hi - lo > 1) {
		time_t mid = lo + (hi - lo) / 2;

		if (custom_offset(c, mid, NULL) == a)
			lo = mid;
		else
			hi = mid;
	}
	*first = *second = hi;
	return TZ_GAP;
}

/* tz_from_wall() of the wall time local, read as UTC. */
static enum tz_kind from_local(struct tz *z, gint64 local, time_t *first, time_t *second)
{
	gint64 adj;
	int dst, std;

	if (z->fixed) {
		*first = *second = (time_t)(local - z->off);
		return TZ_NORMAL;
	}
	if (z->cz)
		return custom_from_wall(z->cz, (time_t)local, first, second);
	dst = g_time_zone_find_interval(z->gz, G_TIME_TYPE_DAYLIGHT, local);
	std = g_time_zone_find_interval(z->gz, G_TIME_TYPE_STANDARD, local);
	if (dst < 0 || std < 0) {
		adj = local;
		std = g_time_zone_adjust_time(z->gz, G_TIME_TYPE_STANDARD, &adj);
		*first = *second = (time_t)(adj - g_time_zone_get_offset(z->gz, std));
		return TZ_GAP;
	}
	*first = (time_t)(local - g_time_zone_get_offset(z->gz, dst));
	*second = (time_t)(local - g_time_zone_get_offset(z->gz, std));
	if (*first == *second)
		return TZ_NORMAL;
	if (*first > *second) {
		time_t t = *first;

		*first = *second;
		*second = t;
	}
	return TZ_REPEATED;
}

enum tz_kind tz_from_wall(struct tz *z, const struct tm *wall, time_t *first, time_t *second)
{
	return from_local(z, (gint64)tz_tm_utc(wall), first, second);
}

/* tz_instant_gap(), inline in both its callers: an agenda converts each
 * occurrence of a series with one of them. */
static inline time_t instant(struct tz *z, time_t local, long *gap)
{
	time_t first, second, t;

	*gap = 0;
	if (z->fixed)
		return local - z->off;
	if (from_local(z, (gint64)local, &first, &second) != TZ_GAP)
		return first;
	t = local - tz_offset(z, first - 1);
	*gap = (long)(tz_wall_seconds(z, t) - local);
	return t;
}

time_t tz_instant_gap(struct tz *z, time_t local, long *gap)
{
	return instant(z, local, gap);
}

time_t tz_instant_seconds(struct tz *z, time_t local)
{
	long gap;

	return instant(z, local, &gap);
}

bool tz_wall_names(struct tz *z, time_t t, time_t wall)
{
	return tz_wall_seconds(z, t) != wall && tz_instant_seconds(z, wall) == t;
}

time_t tz_instant(struct tz *z, const struct tm *wall)
{
	return tz_instant_seconds(z, tz_tm_utc(wall));
}

void tz_wall_in(struct tz *z, time_t t, struct tm *wall)
{
	if (z)
		tz_to_wall(z, t, wall);
	else
		localtime_r(&t, wall);
}

time_t tz_mktime_in(struct tz *z, struct tm *wall)
{
	time_t t;

	if (!z) {
		wall->tm_isdst = -1;
		return mktime(wall);
	}
	t = tz_instant(z, wall);
	tz_to_wall(z, t, wall);
	return t;
}

/* The local zone into z (release z.gz). */
static void local_zone(struct tz *z)
{
	z->gz = g_time_zone_new_local();
	z->cz = NULL;
	zone_kind(z);
}

time_t tz_date_to_local(time_t utc_midnight)
{
	struct tz local;
	struct tm tm;
	time_t t;

	local_zone(&local);
	tz_utc_tm(utc_midnight, &tm);
	tm.tm_hour = tm.tm_min = tm.tm_sec = 0;
	t = tz_instant(&local, &tm);
	g_time_zone_unref(local.gz);
	return t;
}

time_t tz_local_to_date(time_t local)
{
	struct tz z;
	struct tm tm;

	local_zone(&z);
	tz_to_wall(&z, local, &tm);
	g_time_zone_unref(z.gz);
	tm.tm_hour = tm.tm_min = tm.tm_sec = 0;
	tm.tm_isdst = 0;
	return tz_tm_utc(&tm);
}

/* The TZNAME of the observance of c in force at t, or NULL. */
static char *custom_abbrev(struct custom *c, time_t t)
{
	int dst = 0;
	long off = custom_offset(c, t, &dst);
	icalcomponent_kind kind = dst ? ICAL_XDAYLIGHT_COMPONENT : ICAL_XSTANDARD_COMPONENT;
	icalcomponent *vtz, *o;
	char *name = NULL;

	G_LOCK(ical);
	vtz = icaltimezone_get_component(c->zone);
	for (o = vtz ? icalcomponent_get_first_component(vtz, kind) : NULL; o && !name;
	     o = icalcomponent_get_next_component(vtz, kind)) {
		icalproperty *to = icalcomponent_get_first_property(o, ICAL_TZOFFSETTO_PROPERTY);
		icalproperty *n = icalcomponent_get_first_property(o, ICAL_TZNAME_PROPERTY);

		if (to && n && icalproperty_get_tzoffsetto(to) == off && icalproperty_get_tzname(n))
			name = xstrdup(icalproperty_get_tzname(n));
	}
	G_UNLOCK(ical);
	return name;
}

/* fmt with each %Z of a custom zone spelt out (a fixed-offset GTimeZone,
 * which formats the rest, knows no abbreviation). */
static char *custom_fmt(struct custom *c, time_t t, const char *fmt)
{
	struct sbuf sb = SBUF_INIT;
	char *abbrev = NULL;

	for (const char *p = fmt; *p; p++) {
		if (p[0] != '%' || !p[1]) {
			sbuf_add(&sb, p, 1);
			continue;
		}
		if (p[1] != 'Z') {
			sbuf_add(&sb, p, 2);
			p++;
			continue;
		}
		if (!abbrev)
			abbrev = custom_abbrev(c, t);
		if (!abbrev)
			abbrev = xstrdup("%:z");
		sbuf_adds(&sb, abbrev);
		p++;
	}
	free(abbrev);
	return sbuf_detach(&sb);
}

int tz_format(struct tz *z, time_t t, const char *fmt, char *buf, size_t len)
{
	GTimeZone *gz =
		z->gz ? g_time_zone_ref(z->gz) : g_time_zone_new_offset((gint32)tz_offset(z, t));
	GDateTime *utc = g_date_time_new_from_unix_utc((gint64)t);
	GDateTime *dt = utc ? g_date_time_to_timezone(utc, gz) : NULL;
	char *f = z->cz ? custom_fmt(z->cz, t, fmt) : NULL, *s;
	int ret = -1;

	s = dt ? g_date_time_format(dt, f ? f : fmt) : NULL;
	if (s && strlen(s) < len) {
		memcpy(buf, s, strlen(s) + 1);
		ret = 0;
	}
	g_free(s);
	free(f);
	if (dt)
		g_date_time_unref(dt);
	if (utc)
		g_date_time_unref(utc);
	g_time_zone_unref(gz);
	return ret;
}

char *tz_vtimezone(const char *tzid)
{
	struct custom *c;
	icaltimezone *zone;
	char *text = NULL;

	if (!tzid || !*tzid || tz_is_utc(tzid))
		return NULL;
	c = custom_find(tzid);
	G_LOCK(ical);
	if (c) {
		text = xstrdup(icalcomponent_as_ical_string(icaltimezone_get_component(c->zone)));
		custom_unref(c);
	} else if (tz_is_system(tz_plain_name(tzid)) &&
		   (zone = icaltimezone_get_builtin_timezone(tz_plain_name(tzid))) != NULL &&
		   icaltimezone_get_component(zone)) {
		text = xstrdup(icalcomponent_as_ical_string(icaltimezone_get_component(zone)));
	}
	G_UNLOCK(ical);
	return text;
}
