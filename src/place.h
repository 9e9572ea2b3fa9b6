/*
 * place.h - places for the time and weather tools and commands.
 *
 * A place name resolves to a zone through the system tz database
 * (tzplace.h) and, when that does not know it and the weather geocoder is
 * reachable, through Open-Meteo's geocoding (cached in tool_cache).  Russian
 * names in other cases than the nominative ("в Казани") are tried in their
 * likely nominative forms too.  Settings come from the config: general.location
 * (the default place), weather.forecast_url, weather.geocoding_url,
 * weather.cache_ttl, weather.units, weather.timeout.
 */
#ifndef NESTOR_PLACE_H
#define NESTOR_PLACE_H

#include <stdatomic.h>
#include <stddef.h>
#include <time.h>

#include "config.h"
#include "err.h"
#include "store.h"
#include "weather.h"

/* The local zone (tz_local_name()) when it is one of tzdata, else "UTC". */
void place_local_zone(char *tzid, size_t len);

/* Fill o from the config (URLs, units, cache TTL) for replies in lang. */
void place_weather_opts(struct config *cfg, const char *lang, struct weather_opts *o);

/* The zone of place.  store may be NULL (no geocoding fallback); a request
 * to the geocoder stops once *cancel (may be NULL) is nonzero. */
int place_zone(struct store *st, struct config *cfg, const char *place, time_t now,
	       const atomic_int *cancel, char *tzid, size_t len, struct err *e);

/* Current weather and `days` days of forecast (0: the default) starting on
 * date (YYYY-MM-DD, NULL: today) for place (NULL: general.location); a
 * request to Open-Meteo stops once *cancel (may be NULL) is nonzero.  w is
 * initialised by the call; release it in both cases. */
int place_weather(struct store *st, struct config *cfg, const char *place, int days,
		  const char *date, const char *lang, time_t now, const atomic_int *cancel,
		  struct weather *w, struct err *e);

#endif
