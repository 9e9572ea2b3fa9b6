/*
 * weather.h - current weather and a daily forecast from Open-Meteo.
 *
 * A lookup is two GETs: the geocoding API turns a place name into
 * coordinates and a time zone, the forecast API returns current conditions
 * and daily aggregates for them.  Both answers are kept in the tool_cache
 * table (storage/cache.h): a place for geo_ttl (30 days), a forecast for ttl
 * (30 minutes), so asking twice in a row makes no request.
 *
 *	struct weather_opts o = { .units = WEATHER_METRIC, .days = 3 };
 *	struct weather w;
 *
 *	if (weather_lookup(store, &o, "Berlin", time(NULL), &w, &err) < 0)
 *		... err.msg: "weather: geocoding 'Berlni': no such place"
 *	text = weather_format(&w, "en");
 *	weather_release(&w);
 *
 * Every field of weather_opts left at zero takes its default, and the base
 * URLs are there so tests point them at a fake server on 127.0.0.1.
 * Messages start with "weather: ".  A missing number is NAN (math.h).
 */
#ifndef NESTOR_WEATHER_H
#define NESTOR_WEATHER_H

#include <cjson/cJSON.h>
#include <time.h>

#include "err.h"
#include "store.h"

#define WEATHER_GEOCODING_URL "https://geocoding-api.open-meteo.com/v1/search"
#define WEATHER_FORECAST_URL "https://api.open-meteo.com/v1/forecast"
#define WEATHER_DEFAULT_DAYS 3
#define WEATHER_MAX_DAYS 16
#define WEATHER_DEFAULT_TTL 1800L
#define WEATHER_DEFAULT_GEO_TTL (30L * 86400)

enum weather_units { WEATHER_METRIC, WEATHER_IMPERIAL };

struct weather_opts {
	const char *geocoding_url;	/* NULL: WEATHER_GEOCODING_URL */
	const char *forecast_url;	/* NULL: WEATHER_FORECAST_URL */
	enum weather_units units;	/* imperial: °F, mph, inch */
	int days;			/* 1..16; 0: 3 */
	long ttl;			/* forecast cache seconds; 0: 1800, <0: no cache */
	long geo_ttl;			/* place cache seconds; 0: 30 days, <0: no cache */
	const char *lang;		/* place names' language ("en", "ru"); NULL: "en" */
	long timeout_ms;		/* per request; 0: http default (10 s) */
	int max_retries;		/* 0: http default (2); -1: none */
	long backoff_ms;		/* 0: http default */
};

/* A place as the geocoding API found it. */
struct weather_place {
	char *name;		/* "Berlin" */
	char *admin1;		/* "Land Berlin" or NULL */
	char *country;		/* "Germany" or NULL */
	char *country_code;	/* "DE" or NULL */
	char *timezone;		/* IANA id or NULL */
	double latitude, longitude;
};

struct weather_day {
	char date[11];		/* YYYY-MM-DD, local to the place */
	int code;		/* WMO weather code, -1 unknown */
	double tmax, tmin;	/* temperature */
	double precip;		/* precipitation sum */
	double precip_prob;	/* % */
};

struct weather {
	struct weather_place place;
	char *timezone;		/* the forecast's zone (timezone=auto) */
	long utc_offset;	/* seconds east of UTC at forecast time */
	/* Current conditions. */
	char *time;		/* local "YYYY-MM-DDTHH:MM" */
	double temp, feels_like, humidity, wind;
	int code;		/* WMO weather code, -1 unknown */
	/* Units as the API states them: "°C", "km/h", "mm". */
	char temp_unit[16], wind_unit[16], precip_unit[16];
	int ndays;
	struct weather_day *days;
	int cached;		/* the forecast came from the cache */
};

/*
 * Geocode place and fetch its forecast.  store may be NULL (no caching).
 * Fills w (release it with weather_release, also after an error).  An
 * unknown place fails with ERR_NOTFOUND.
 */
int weather_lookup(struct store *store, const struct weather_opts *o, const char *place,
		   time_t now, struct weather *w, struct err *e);

/* Only the geocoding half; p must be released with weather_place_release. */
int weather_geocode(struct store *store, const struct weather_opts *o, const char *place,
		    time_t now, struct weather_place *p, struct err *e);

/* Only the forecast half, for known coordinates (w->place is left empty). */
int weather_forecast(struct store *store, const struct weather_opts *o, double latitude,
		     double longitude, time_t now, struct weather *w, struct err *e);

void weather_init(struct weather *w);
void weather_release(struct weather *w);
void weather_place_release(struct weather_place *p);

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
