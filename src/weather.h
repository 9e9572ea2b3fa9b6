/*
 * weather.h - current weather and a daily forecast, cached, in words.
 *
 * The engine's side of Open-Meteo (sync/openmeteo.h asks and parses): a
 * lookup geocodes a place name and fetches its forecast, keeping both
 * answers in the tool_cache table (storage/cache.h): a place for geo_ttl
 * (30 days), a forecast for ttl (30 minutes), so asking twice in a row
 * makes no request.  Then it says the result for people, in English or
 * Russian, or as JSON for the tools and --json.
 *
 *	struct weather_opts o = { .api = { .units = OPENMETEO_METRIC, .days = 3 } };
 *	struct weather w;
 *
 *	if (weather_lookup(store, &o, "Berlin", time(NULL), &w, &err) < 0)
 *		... err.msg: "weather: geocoding 'Berlni': no such place"
 *	text = weather_format(&w, "en");
 *	weather_release(&w);
 *
 * Messages start with "weather: ".  A failure to read or write the cache
 * costs a request, never the answer.
 */
#ifndef NESTOR_WEATHER_H
#define NESTOR_WEATHER_H

#include <cjson/cJSON.h>
#include <time.h>

#include "err.h"
#include "openmeteo.h"
#include "store.h"

#define WEATHER_DEFAULT_DAYS	OPENMETEO_DEFAULT_DAYS
#define WEATHER_MAX_DAYS	OPENMETEO_MAX_DAYS
#define WEATHER_DEFAULT_TTL	1800L
#define WEATHER_DEFAULT_GEO_TTL (30L * 86400)

struct weather_opts {
	struct openmeteo_opts api; /* URLs, units, days, language, timeouts */
	long ttl;		   /* forecast cache seconds; 0: 1800, <0: no cache */
	long geo_ttl;		   /* place cache seconds; 0: 30 days, <0: no cache */
	const char *key_secret;	   /* secret whose value is the apikey; NULL: none */
};

struct weather {
	struct openmeteo_place place;
	struct openmeteo_forecast fc;
	int cached; /* the forecast came from the cache */
};

/*
 * Geocode place and fetch its forecast.  store may be NULL (no caching).
 * Fills w (release it with weather_release, also after an error).  An
 * unknown place fails with ERR_NOTFOUND.
 */
int weather_lookup(struct store *store, const struct weather_opts *o, const char *place, time_t now,
		   struct weather *w, struct err *e);

/* Only the geocoding half; p must be released with openmeteo_place_release. */
int weather_geocode(struct store *store, const struct weather_opts *o, const char *place,
		    time_t now, struct openmeteo_place *p, struct err *e);

/* Only the forecast half, for known coordinates (w->place is left empty). */
int weather_forecast(struct store *store, const struct weather_opts *o, double latitude,
		     double longitude, time_t now, struct weather *w, struct err *e);

void weather_init(struct weather *w);
void weather_release(struct weather *w);

/* WMO code as words, "ru" for Russian, English otherwise ("partly cloudy"). */
const char *weather_code_text(int code, const char *lang);

/*
 * Human text, one line per item, newline-terminated, newly allocated:
 *	Berlin, Land Berlin, Germany (Europe/Berlin)
 *	now: 3.2 °C, feels like 0.1 °C, overcast, humidity 81%, wind 12.2 km/h
 *	2026-01-05: -1..4 °C, light drizzle, 0.4 mm (60%)
 * lang "ru" gives Russian words.
 */
char *weather_format(const struct weather *w, const char *lang);

/*
 * The result for tools and --json (fields only ever added):
 * {"place","admin1","country","country_code","timezone","latitude","longitude",
 *  "units":{"temperature","wind","precipitation"},
 *  "current":{"time","temperature","apparent_temperature","humidity","wind_speed",
 *             "weather_code","conditions"},
 *  "daily":[{"date","weather_code","conditions","temperature_max","temperature_min",
 *            "precipitation","precipitation_probability"}], "cached"}
 * Missing numbers are null.
 */
cJSON *weather_to_json(const struct weather *w, const char *lang);

#endif
