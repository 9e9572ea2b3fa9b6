#include "tz.h"
#include "xalloc.h"

#include <glib.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct tz {
	GTimeZone *gz;
};

/* GLib builds a zone's transitions on every load (a millisecond), so the
 * zones loaded are kept for the life of the process, for every thread. */
#define CACHE_MAX 32
static struct {
	char *name;
	GTimeZone *gz;
} cache[CACHE_MAX];
static size_t ncache;
G_LOCK_DEFINE_STATIC(cache);

/* A new reference to the zone named name, or NULL when GLib has none. */
static GTimeZone *zone_named(const char *name)
{
	GTimeZone *gz = NULL;

	G_LOCK(cache);
	for (size_t i = 0; i < ncache && !gz; i++)
		if (!strcmp(cache[i].name, name))
			gz = g_time_zone_ref(cache[i].gz);
	if (!gz) {
		gz = g_time_zone_new_identifier(name);
		if (gz && ncache < CACHE_MAX) {
			cache[ncache].name = xstrdup(name);
			cache[ncache++].gz = g_time_zone_ref(gz);
		}
	}
	G_UNLOCK(cache);
	return gz;
}

struct tz *tz_open(const char *tzid, struct err *e)
{
	GTimeZone *gz;
	struct tz *z;

	if (tzid && *tzid) {
		gz = zone_named(tzid);
		if (!gz) {
			err_set(e, ERR_USAGE, "unknown time zone \"%s\"", tzid);
			return NULL;
		}
	} else {
		gz = g_time_zone_new_local();
	}
	z = xmalloc(sizeof(*z));
	z->gz = gz;
	return z;
}

void tz_free(struct tz *z)
{
	if (!z)
		return;
	g_time_zone_unref(z->gz);
	free(z);
}

/* A zone name is only kept when GLib knows it, so it can be reopened later. */
static char *known(const char *name)
{
	GTimeZone *gz;

	if (!name || !*name)
		return NULL;
	gz = zone_named(name);
	if (!gz)
		return NULL;
	g_time_zone_unref(gz);
	return xstrdup(name);
}

char *tz_local_name(void)
{
	const char *env = getenv("TZ");
	char buf[PATH_MAX], *nl, *name;
	const char *p;
	ssize_t n;
	FILE *f;

	if (env && *env)
		return known(env[0] == ':' ? env + 1 : env);
	f = fopen("/etc/timezone", "r");
	if (f) {
		name = fgets(buf, sizeof(buf), f) ? buf : NULL;
		fclose(f);
		if (name && (nl = strchr(name, '\n')) != NULL)
			*nl = '\0';
		if (name && *name)
			return known(name);
	}
	n = readlink("/etc/localtime", buf, sizeof(buf) - 1);
	if (n <= 0)
		return NULL;
	buf[n] = '\0';
	p = strstr(buf, "zoneinfo/");
	return p ? known(p + strlen("zoneinfo/")) : NULL;
}

long tz_offset(struct tz *z, time_t t)
{
	return g_time_zone_get_offset(z->gz,
				      g_time_zone_find_interval(z->gz, G_TIME_TYPE_UNIVERSAL, (gint64)t));
}

void tz_to_wall(struct tz *z, time_t t, struct tm *wall)
{
	int i = g_time_zone_find_interval(z->gz, G_TIME_TYPE_UNIVERSAL, (gint64)t);
	time_t local = t + g_time_zone_get_offset(z->gz, i);

	gmtime_r(&local, wall);
	wall->tm_isdst = g_time_zone_is_dst(z->gz, i);
	wall->tm_gmtoff = g_time_zone_get_offset(z->gz, i);
	wall->tm_zone = NULL;
}

enum tz_kind tz_from_wall(struct tz *z, const struct tm *wall, time_t *first, time_t *second)
{
	struct tm tm = *wall;
	gint64 local, adj;
	int dst, std;

	tm.tm_isdst = 0;
	local = (gint64)timegm(&tm);
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
