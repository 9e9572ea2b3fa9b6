/*
 * openmeteo.h - the Open-Meteo geocoding and forecast APIs, as structs.
 *
 * A place name becomes coordinates and a time zone through the geocoding
 * API; the forecast API returns current conditions and daily aggregates for
 * coordinates.  This module only asks and parses: it keeps nothing and says
 * nothing to people.  Caching and the words (English, Russian) are the
 * engine's (src/weather.h).
 *
 *	struct openmeteo_opts o = { .units = OPENMETEO_METRIC, .days = 3 };
 *	struct openmeteo_place p;
 *	struct openmeteo_forecast f;
 *	char *body;
 *
 *	if (openmeteo_geocode(&o, "Berlin", &p, &err) < 0)
 *		... err.msg: "no such place" (ERR_NOTFOUND)
 *	if (openmeteo_forecast(&o, p.latitude, p.longitude, &f, &body, &err) < 0)
 *		... err.msg: "malformed response from 127.0.0.1:8080: no 'daily' forecast"
 *	... keep body: openmeteo_forecast_parse(body, ...) reads it again
 *	openmeteo_place_release(&p);
 *	openmeteo_forecast_release(&f);
 *	free(body);
 *
 * Every field of openmeteo_opts left at zero takes its default; the base
 * URLs are there so tests point them at a fake server on 127.0.0.1.
 * Messages name the host, never the URL (which holds apikey, if set).
 * A missing number is NAN (math.h).
 */
#ifndef NESTOR_OPENMETEO_H
#define NESTOR_OPENMETEO_H

#include <cjson/cJSON.h>
#include <stdatomic.h>
#include <stddef.h>

#include "err.h"

#define OPENMETEO_GEOCODING_URL "https://geocoding-api.open-meteo.com/v1/search"
#define OPENMETEO_FORECAST_URL	"https://api.open-meteo.com/v1/forecast"
#define OPENMETEO_DEFAULT_DAYS	3
#define OPENMETEO_MAX_DAYS	16

enum openmeteo_units { OPENMETEO_METRIC, OPENMETEO_IMPERIAL };

struct openmeteo_opts {
	const char *geocoding_url;  /* NULL: OPENMETEO_GEOCODING_URL */
	const char *forecast_url;   /* NULL: OPENMETEO_FORECAST_URL */
	enum openmeteo_units units; /* imperial: °F, mph, inch */
	int days;		    /* 1..16; 0: 3 */
	const char *lang;	    /* place names' language ("en", "ru"); NULL: "en" */
	long timeout_ms;	    /* per request; 0: http default (10 s) */
	int max_retries;	    /* 0: http default (2); -1: none */
	long backoff_ms;	    /* 0: http default */
	const atomic_int *cancel;   /* nonzero aborts a request (may be NULL) */
	const char *apikey;	    /* paid plan's key, sent as &apikey=; NULL: none */
};

/* A place as the geocoding API found it. */
struct openmeteo_place {
	char *name;	    /* "Berlin" */
	char *admin1;	    /* "Land Berlin" or NULL */
	char *country;	    /* "Germany" or NULL */
	char *country_code; /* "DE" or NULL */
	char *timezone;	    /* IANA id or NULL */
	double latitude, longitude;
};

struct openmeteo_day {
	char date[11];	    /* YYYY-MM-DD, local to the place */
	int code;	    /* WMO weather code (0..99), -1 unknown */
	double tmax, tmin;  /* temperature */
	double precip;	    /* precipitation sum */
	double precip_prob; /* % */
};

struct openmeteo_forecast {
	char *timezone;	 /* the forecast's zone (timezone=auto) */
	long utc_offset; /* seconds east of UTC at forecast time (0 past a day) */
	/* Current conditions. */
	char *time; /* local "YYYY-MM-DDTHH:MM" */
	double temp, feels_like, humidity, wind;
	int code; /* WMO weather code (0..99), -1 unknown */
	/* Units as the API states them: "°C", "km/h", "mm". */
	char temp_unit[16], wind_unit[16], precip_unit[16];
	int ndays;
	struct openmeteo_day *days;
};

/* The options' language ("en" when unset) and days (clamped to 1..16). */
const char *openmeteo_lang(const struct openmeteo_opts *o);
int openmeteo_days(const struct openmeteo_opts *o);

/* A coordinate as the requests carry it: four decimals, '.', never the locale's. */
void openmeteo_coord(char *buf, size_t n, double v);

/*
 * Geocode name (the first result).  Fills p (release it with
 * openmeteo_place_release, also after an error).  An unknown place fails
 * with ERR_NOTFOUND ("no such place").
 */
int openmeteo_geocode(const struct openmeteo_opts *o, const char *name, struct openmeteo_place *p,
		      struct err *e);

/* Fill p from a geocoding answer (its first result): 0, 1 when it names no
 * place, -1 and why ("bad 'results'") when it has not the API's shape. */
int openmeteo_geocode_parse(const char *body, struct openmeteo_place *p, const char **why);

/* Fill p from one geocoding result (or any object with its field names:
 * name, admin1, country, country_code, timezone, latitude, longitude);
 * -1 without a name or coordinates (latitude -90..90, longitude -180..180). */
int openmeteo_place_parse(const cJSON *r, struct openmeteo_place *p);

/*
 * The forecast for coordinates: fills f (initialised by the call; release
 * it in both cases) and, when body is not NULL, *body with the document as
 * received (the caller frees it), which openmeteo_forecast_parse reads again.
 */
int openmeteo_forecast(const struct openmeteo_opts *o, double latitude, double longitude,
		       struct openmeteo_forecast *f, char **body, struct err *e);

/* Fill f (initialised by the call) from a forecast document; -1 and why
 * ("no 'daily' forecast") when it has not the API's shape. */
int openmeteo_forecast_parse(const char *body, struct openmeteo_forecast *f, const char **why);

void openmeteo_forecast_init(struct openmeteo_forecast *f);
void openmeteo_forecast_release(struct openmeteo_forecast *f);
void openmeteo_place_release(struct openmeteo_place *p);

#endif
