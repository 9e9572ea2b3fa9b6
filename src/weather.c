#include "weather.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cache.h"
#include "sbuf.h"
#include "secret.h"
#include "xalloc.h"

static const struct {
	int code;
	const char *en, *ru;
} wmo_codes[] = {
	{ 0, "clear sky", "ясно" },
	{ 1, "mainly clear", "преимущественно ясно" },
	{ 2, "partly cloudy", "переменная облачность" },
	{ 3, "overcast", "пасмурно" },
	{ 45, "fog", "туман" },
	{ 48, "depositing rime fog", "туман с изморозью" },
	{ 51, "light drizzle", "слабая морось" },
	{ 53, "drizzle", "морось" },
	{ 55, "dense drizzle", "сильная морось" },
	{ 56, "light freezing drizzle", "слабая ледяная морось" },
	{ 57, "dense freezing drizzle", "сильная ледяная морось" },
	{ 61, "light rain", "небольшой дождь" },
	{ 63, "rain", "дождь" },
	{ 65, "heavy rain", "сильный дождь" },
	{ 66, "light freezing rain", "слабый ледяной дождь" },
	{ 67, "heavy freezing rain", "сильный ледяной дождь" },
	{ 71, "light snow", "небольшой снег" },
	{ 73, "snow", "снег" },
	{ 75, "heavy snow", "сильный снег" },
	{ 77, "snow grains", "снежная крупа" },
	{ 80, "light rain showers", "небольшой ливень" },
	{ 81, "rain showers", "ливень" },
	{ 82, "violent rain showers", "сильный ливень" },
	{ 85, "light snow showers", "небольшой снегопад" },
	{ 86, "heavy snow showers", "сильный снегопад" },
	{ 95, "thunderstorm", "гроза" },
	{ 96, "thunderstorm with light hail", "гроза с небольшим градом" },
	{ 99, "thunderstorm with heavy hail", "гроза с сильным градом" },
};

static int is_ru(const char *lang)
{
	return lang && !strncmp(lang, "ru", 2);
}

const char *weather_code_text(int code, const char *lang)
{
	size_t i;

	for (i = 0; i < sizeof(wmo_codes) / sizeof(wmo_codes[0]); i++)
		if (wmo_codes[i].code == code)
			return is_ru(lang) ? wmo_codes[i].ru : wmo_codes[i].en;
	return is_ru(lang) ? "неизвестно" : "unknown";
}

void weather_init(struct weather *w)
{
	memset(&w->place, 0, sizeof(w->place));
	openmeteo_forecast_init(&w->fc);
	w->cached = 0;
}

void weather_release(struct weather *w)
{
	if (!w)
		return;
	openmeteo_place_release(&w->place);
	openmeteo_forecast_release(&w->fc);
	weather_init(w);
}

/* Lowercased, trimmed, single-spaced: the cache key of a place name. */
static char *place_key(const char *place)
{
	struct sbuf sb = SBUF_INIT;
	const char *p;
	int space = 0;

	for (p = place; *p; p++) {
		unsigned char c = (unsigned char)*p;

		if (isspace(c) && c < 0x80) {
			space = sb.len > 0;
			continue;
		}
		if (space)
			sbuf_add(&sb, " ", 1);
		space = 0;
		c = c < 0x80 ? (unsigned char)tolower(c) : c;
		sbuf_add(&sb, (const char *)&c, 1);
	}
	return sbuf_detach(&sb);
}

/* The cached copy of a place: the geocoder's field names, so
 * openmeteo_place_parse reads it back. */
static char *place_to_cache(const struct openmeteo_place *p)
{
	cJSON *o = cJSON_CreateObject();
	char *s, *out;

	cJSON_AddStringToObject(o, "name", p->name);
	if (p->admin1)
		cJSON_AddStringToObject(o, "admin1", p->admin1);
	if (p->country)
		cJSON_AddStringToObject(o, "country", p->country);
	if (p->country_code)
		cJSON_AddStringToObject(o, "country_code", p->country_code);
	if (p->timezone)
		cJSON_AddStringToObject(o, "timezone", p->timezone);
	cJSON_AddNumberToObject(o, "latitude", p->latitude);
	cJSON_AddNumberToObject(o, "longitude", p->longitude);
	s = cJSON_PrintUnformatted(o);
	cJSON_Delete(o);
	if (!s)
		return NULL;
	out = xstrdup(s);
	cJSON_free(s);
	return out;
}

/* Cache failures cost a request next time, nothing more: they are not errors. */
static int cache_lookup(struct store *s, const char *key, time_t now, char **value)
{
	struct err ignore;

	*value = NULL;
	return s && cache_get(s, key, now, value, &ignore) == 1;
}

static void cache_store(struct store *s, const char *key, const char *value, time_t exp)
{
	struct err ignore;

	if (s)
		cache_put(s, key, value, exp, &ignore);
}

/* The API options for one request: o->api, with the key of the secret
 * weather.key_secret names (read now, never kept: *key is the caller's to
 * secret_free). */
static int keyed(const struct weather_opts *o, struct openmeteo_opts *api, char **key,
		 struct err *e)
{
	*api = o->api;
	*key = NULL;
	if (!o->key_secret)
		return 0;
	if (secret_get(o->key_secret, key, e) < 0) {
		/* not an unknown place: a setting that names no secret */
		e->code = ERR_FAIL;
		err_prefix(e, "weather.key_secret");
		return -1;
	}
	api->apikey = *key;
	return 0;
}

/* The cached place, or the geocoder's answer (then cached). */
static int geocode(struct store *store, const struct weather_opts *o, const char *place, time_t now,
		   struct openmeteo_place *p, struct err *e)
{
	long ttl = o->geo_ttl ? o->geo_ttl : WEATHER_DEFAULT_GEO_TTL;
	char *norm = place_key(place), *key, *cached, *v, *apikey;
	struct openmeteo_opts api;
	cJSON *doc;
	int ret;

	memset(p, 0, sizeof(*p));
	if (!*norm) {
		free(norm);
		return err_set(e, ERR_USAGE, "no place given");
	}
	key = xasprintf("weather:geo:%s:%s", openmeteo_lang(&o->api), norm);
	free(norm);
	if (ttl > 0 && cache_lookup(store, key, now, &cached)) {
		doc = cJSON_Parse(cached);
		free(cached);
		ret = doc ? openmeteo_place_parse(doc, p) : -1;
		cJSON_Delete(doc);
		if (ret == 0) {
			free(key);
			return 0;
		}
		openmeteo_place_release(p);
	}
	ret = keyed(o, &api, &apikey, e);
	if (ret == 0)
		ret = openmeteo_geocode(&api, place, p, e);
	secret_free(apikey);
	if (ret == 0 && ttl > 0 && (v = place_to_cache(p))) {
		cache_store(store, key, v, now + ttl);
		free(v);
	}
	free(key);
	return ret;
}

int weather_geocode(struct store *store, const struct weather_opts *o, const char *place,
		    time_t now, struct openmeteo_place *p, struct err *e)
{
	if (geocode(store, o, place, now, p, e) < 0) {
		err_prefix(e, "weather: geocoding '%s'", place);
		openmeteo_place_release(p);
		return -1;
	}
	return 0;
}

/* The cached forecast (the document as received), or a fresh one (then cached). */
static int forecast(struct store *store, const struct weather_opts *o, double lat, double lon,
		    time_t now, struct weather *w, struct err *e)
{
	long ttl = o->ttl ? o->ttl : WEATHER_DEFAULT_TTL;
	char la[32], lo[32], *key, *cached, *body = NULL, *apikey;
	struct openmeteo_opts api;
	const char *why;
	int ret;

	openmeteo_coord(la, sizeof(la), lat);
	openmeteo_coord(lo, sizeof(lo), lon);
	key = xasprintf("weather:forecast:%s,%s:%s:%d", la, lo,
			o->api.units == OPENMETEO_IMPERIAL ? "imperial" : "metric",
			openmeteo_days(&o->api));
	if (ttl > 0 && cache_lookup(store, key, now, &cached)) {
		ret = openmeteo_forecast_parse(cached, &w->fc, &why);
		free(cached);
		if (ret == 0) {
			w->cached = 1;
			free(key);
			return 0;
		}
		openmeteo_forecast_release(&w->fc);
	}
	ret = keyed(o, &api, &apikey, e);
	if (ret == 0)
		ret = openmeteo_forecast(&api, lat, lon, &w->fc, ttl > 0 ? &body : NULL, e);
	secret_free(apikey);
	if (ret == 0 && body)
		cache_store(store, key, body, now + ttl);
	free(body);
	free(key);
	return ret;
}

int weather_forecast(struct store *store, const struct weather_opts *o, double latitude,
		     double longitude, time_t now, struct weather *w, struct err *e)
{
	weather_init(w);
	if (forecast(store, o, latitude, longitude, now, w, e) < 0) {
		err_prefix(e, "weather: forecast");
		return -1;
	}
	return 0;
}

int weather_lookup(struct store *store, const struct weather_opts *o, const char *place, time_t now,
		   struct weather *w, struct err *e)
{
	struct openmeteo_place p;

	weather_init(w);
	if (weather_geocode(store, o, place, now, &p, e) < 0)
		return -1;
	if (weather_forecast(store, o, p.latitude, p.longitude, now, w, e) < 0) {
		openmeteo_place_release(&p);
		return -1;
	}
	w->place = p;
	return 0;
}

/* A number for people: "?" when missing, never "-0". */
static const char *num(char *buf, size_t n, double v, int decimals)
{
	if (isnan(v)) {
		snprintf(buf, n, "?");
		return buf;
	}
	snprintf(buf, n, "%.*f", decimals, v);
	if (buf[0] == '-' && strspn(buf + 1, "0.,") == strlen(buf + 1))
		memmove(buf, buf + 1, strlen(buf));
	return buf;
}

char *weather_format(const struct weather *w, const char *lang)
{
	const struct openmeteo_forecast *f = &w->fc;
	struct sbuf sb = SBUF_INIT;
	int ru = is_ru(lang), i;
	char a[32], b[32];

	if (w->place.name) {
		sbuf_adds(&sb, w->place.name);
		if (w->place.admin1 && strcmp(w->place.admin1, w->place.name))
			sbuf_addf(&sb, ", %s", w->place.admin1);
		if (w->place.country)
			sbuf_addf(&sb, ", %s", w->place.country);
		if (f->timezone || w->place.timezone)
			sbuf_addf(&sb, " (%s)", f->timezone ? f->timezone : w->place.timezone);
		sbuf_adds(&sb, "\n");
	}
	sbuf_addf(&sb, "%s: %s %s", ru ? "сейчас" : "now", num(a, sizeof(a), f->temp, 1),
		  f->temp_unit);
	if (!isnan(f->feels_like))
		sbuf_addf(&sb, ", %s %s %s", ru ? "ощущается как" : "feels like",
			  num(a, sizeof(a), f->feels_like, 1), f->temp_unit);
	if (f->code >= 0)
		sbuf_addf(&sb, ", %s", weather_code_text(f->code, lang));
	if (!isnan(f->humidity))
		sbuf_addf(&sb, ", %s %s%%", ru ? "влажность" : "humidity",
			  num(a, sizeof(a), f->humidity, 0));
	if (!isnan(f->wind))
		sbuf_addf(&sb, ", %s %s %s", ru ? "ветер" : "wind", num(a, sizeof(a), f->wind, 1),
			  f->wind_unit);
	sbuf_adds(&sb, "\n");
	for (i = 0; i < f->ndays; i++) {
		const struct openmeteo_day *d = &f->days[i];

		sbuf_addf(&sb, "%s: %s..%s %s", d->date, num(a, sizeof(a), d->tmin, 0),
			  num(b, sizeof(b), d->tmax, 0), f->temp_unit);
		if (d->code >= 0)
			sbuf_addf(&sb, ", %s", weather_code_text(d->code, lang));
		if (!isnan(d->precip)) {
			sbuf_addf(&sb, ", %s %s", num(a, sizeof(a), d->precip, 1), f->precip_unit);
			if (!isnan(d->precip_prob))
				sbuf_addf(&sb, " (%s%%)", num(b, sizeof(b), d->precip_prob, 0));
		}
		sbuf_adds(&sb, "\n");
	}
	return sbuf_detach(&sb);
}

static void add_num(cJSON *o, const char *name, double v)
{
	if (isnan(v))
		cJSON_AddNullToObject(o, name);
	else
		cJSON_AddNumberToObject(o, name, v);
}

static void add_str(cJSON *o, const char *name, const char *s)
{
	if (s)
		cJSON_AddStringToObject(o, name, s);
	else
		cJSON_AddNullToObject(o, name);
}

static void add_code(cJSON *o, int code, const char *lang)
{
	if (code < 0) {
		cJSON_AddNullToObject(o, "weather_code");
		cJSON_AddNullToObject(o, "conditions");
	} else {
		cJSON_AddNumberToObject(o, "weather_code", code);
		cJSON_AddStringToObject(o, "conditions", weather_code_text(code, lang));
	}
}

cJSON *weather_to_json(const struct weather *w, const char *lang)
{
	const struct openmeteo_forecast *f = &w->fc;
	cJSON *o = cJSON_CreateObject(), *units, *cur, *days, *d;
	int i;

	add_str(o, "place", w->place.name);
	add_str(o, "admin1", w->place.admin1);
	add_str(o, "country", w->place.country);
	add_str(o, "country_code", w->place.country_code);
	add_str(o, "timezone", f->timezone ? f->timezone : w->place.timezone);
	add_num(o, "latitude", w->place.name ? w->place.latitude : NAN);
	add_num(o, "longitude", w->place.name ? w->place.longitude : NAN);
	units = cJSON_AddObjectToObject(o, "units");
	cJSON_AddStringToObject(units, "temperature", f->temp_unit);
	cJSON_AddStringToObject(units, "wind", f->wind_unit);
	cJSON_AddStringToObject(units, "precipitation", f->precip_unit);
	cur = cJSON_AddObjectToObject(o, "current");
	add_str(cur, "time", f->time);
	add_num(cur, "temperature", f->temp);
	add_num(cur, "apparent_temperature", f->feels_like);
	add_num(cur, "humidity", f->humidity);
	add_num(cur, "wind_speed", f->wind);
	add_code(cur, f->code, lang);
	days = cJSON_AddArrayToObject(o, "daily");
	for (i = 0; i < f->ndays; i++) {
		d = cJSON_CreateObject();
		cJSON_AddStringToObject(d, "date", f->days[i].date);
		add_code(d, f->days[i].code, lang);
		add_num(d, "temperature_max", f->days[i].tmax);
		add_num(d, "temperature_min", f->days[i].tmin);
		add_num(d, "precipitation", f->days[i].precip);
		add_num(d, "precipitation_probability", f->days[i].precip_prob);
		cJSON_AddItemToArray(days, d);
	}
	cJSON_AddBoolToObject(o, "cached", w->cached);
	return o;
}
