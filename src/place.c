#include "place.h"
#include "utf8.h"
#include "nlp.h"
#include "reltime.h"
#include "tz.h"
#include "tzplace.h"
#include "xalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void place_local_zone(char *tzid, size_t len)
{
	char *name = tz_local_name();

	snprintf(tzid, len, "%s", name && tz_is_system(name) ? name : "UTC");
	free(name);
}

void place_weather_opts(struct config *cfg, const char *lang, struct weather_opts *o)
{
	const char *v;
	long ttl;

	memset(o, 0, sizeof(*o));
	v = config_get(cfg, "weather.forecast_url");
	o->api.forecast_url = v && *v ? v : NULL;
	v = config_get(cfg, "weather.geocoding_url");
	o->api.geocoding_url = v && *v ? v : NULL;
	v = config_get(cfg, "weather.key_secret");
	o->key_secret = v && *v ? v : NULL;
	v = config_get(cfg, "weather.units");
	o->api.units = v && !strcmp(v, "imperial") ? OPENMETEO_IMPERIAL : OPENMETEO_METRIC;
	o->api.timeout_ms = config_get_int(cfg, "weather.timeout") * 1000L;
	o->api.lang = lang;
	ttl = config_get_int(cfg, "weather.cache_ttl");
	o->ttl = ttl > 0 ? ttl : -1;
}

/* The name as typed, then likely nominatives of a Russian locative or
 * genitive: "Казани" -> "Казань", "Берлине" -> "Берлин", "Москве" -> "Москва".
 * NULL-terminated; free with free() on each and the array. */
static char **candidates(const char *place)
{
	static const char *const endings[][4] = {
		/* ending, replacements */
		{ "е", "", "а", "я" },	 { "и", "ь", "а", "я" },   { "у", "", "а", NULL },
		{ "а", "", NULL, NULL }, { "ом", "", NULL, NULL },
	};
	char **out = xcalloc(8, sizeof(*out));
	size_t n = 0, len = strlen(place);

	out[n++] = xstrdup(place);
	if (!nlp_is_russian(place))
		return out;
	for (size_t i = 0; i < sizeof(endings) / sizeof(endings[0]); i++) {
		size_t el = strlen(endings[i][0]);

		if (len <= el + 2 || strcmp(place + len - el, endings[i][0]))
			continue;
		for (int k = 1; k < 4 && endings[i][k] && n < 7; k++)
			out[n++] = xasprintf("%.*s%s", (int)(len - el), place, endings[i][k]);
		break;
	}
	return out;
}

static void candidates_free(char **c)
{
	for (size_t i = 0; c && c[i]; i++)
		free(c[i]);
	free(c);
}

/* Geocode the first candidate the geocoder knows. */
static int geocode(struct store *st, struct config *cfg, const char *place, time_t now,
		   const atomic_int *cancel, struct openmeteo_place *p, char **found, struct err *e)
{
	char **c = candidates(place);
	struct weather_opts o;
	int rc = -1;

	place_weather_opts(cfg, nlp_is_russian(place) ? "ru" : "en", &o);
	o.api.cancel = cancel;
	for (size_t i = 0; c[i]; i++) {
		rc = weather_geocode(st, &o, c[i], now, p, e);
		if (rc == 0) {
			if (found)
				*found = xstrdup(c[i]);
			break;
		}
		openmeteo_place_release(p);
		if (e->code != ERR_NOTFOUND)
			break;
	}
	if (rc < 0 && e->code == ERR_NOTFOUND)
		err_set(e, ERR_NOTFOUND, "unknown place %s", utf8_q(place));
	candidates_free(c);
	return rc;
}

int place_zone(struct store *st, struct config *cfg, const char *place, time_t now,
	       const atomic_int *cancel, char *tzid, size_t len, struct err *e)
{
	struct openmeteo_place p;
	struct err ge;

	if (tzplace_resolve(place, tzid, len, e) == 0)
		return 0;
	if (e->code != ERR_NOTFOUND || !st)
		return -1;
	memset(&p, 0, sizeof(p));
	if (geocode(st, cfg, place, now, cancel, &p, NULL, &ge) < 0) {
		/* offline or unknown there too: the tz database's answer stands;
		 * a cancelled call says so */
		openmeteo_place_release(&p);
		if (cancel && atomic_load(cancel))
			*e = ge;
		return -1;
	}
	if (!p.timezone || !tz_is_system(p.timezone)) {
		openmeteo_place_release(&p);
		return err_set(e, ERR_NOTFOUND, "no time zone known for '%s'", place);
	}
	snprintf(tzid, len, "%s", p.timezone);
	openmeteo_place_release(&p);
	return 0;
}

/* Calendar days from today to date (YYYY-MM-DD) in the local zone: negative
 * for a past or bad date. */
static int days_until(const char *date, time_t now)
{
	struct tm tm = { 0 };

	if (sscanf(date, "%d-%d-%d", &tm.tm_year, &tm.tm_mon, &tm.tm_mday) != 3)
		return -1;
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	tm.tm_hour = 12;
	tm.tm_isdst = -1;
	return (int)reltime_days(mktime(&tm), now);
}

int place_weather(struct store *st, struct config *cfg, const char *place, int days,
		  const char *date, const char *lang, time_t now, const atomic_int *cancel,
		  struct weather *w, struct err *e)
{
	struct weather_opts o;
	struct openmeteo_place p;
	char *found = NULL;
	int skip = 0, rc;

	weather_init(w);
	if (!place || !*place)
		place = config_get(cfg, "general.location");
	if (!place || !*place)
		return err_set(e, ERR_USAGE,
			       "no place given and general.location is not set"
			       " (nestor config set general.location Berlin)");
	if (days <= 0)
		days = date ? 1 : WEATHER_DEFAULT_DAYS;
	if (date) {
		skip = days_until(date, now);
		if (skip < 0 || skip + days > WEATHER_MAX_DAYS)
			return err_set(e, ERR_USAGE, "no forecast for %s (only the next %d days)",
				       date, WEATHER_MAX_DAYS);
	}
	if (days > WEATHER_MAX_DAYS)
		return err_set(e, ERR_USAGE, "at most %d days of forecast", WEATHER_MAX_DAYS);
	memset(&p, 0, sizeof(p));
	/* the place as the geocoder knows it, then the forecast by its name */
	if (geocode(st, cfg, place, now, cancel, &p, &found, e) < 0) {
		openmeteo_place_release(&p);
		return -1;
	}
	openmeteo_place_release(&p);
	place_weather_opts(cfg, lang, &o);
	o.api.cancel = cancel;
	o.api.days = skip + days;
	rc = weather_lookup(st, &o, found, now, w, e);
	free(found);
	if (rc < 0)
		return -1;
	if (skip > 0 && skip <= w->fc.ndays) {
		memmove(w->fc.days, w->fc.days + skip,
			(size_t)(w->fc.ndays - skip) * sizeof(*w->fc.days));
		w->fc.ndays -= skip;
	}
	if (w->fc.ndays > days)
		w->fc.ndays = days;
	return 0;
}
