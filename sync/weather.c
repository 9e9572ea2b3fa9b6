#include "weather.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cache.h"
#include "http.h"
#include "sbuf.h"
#include "xalloc.h"

#define CURRENT_VARS "temperature_2m,relative_humidity_2m,apparent_temperature,weather_code," \
		     "wind_speed_10m"
#define DAILY_VARS "weather_code,temperature_2m_max,temperature_2m_min,precipitation_sum," \
		   "precipitation_probability_max"

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
	memset(w, 0, sizeof(*w));
	w->temp = w->feels_like = w->humidity = w->wind = NAN;
	w->code = -1;
}

void weather_place_release(struct weather_place *p)
{
	if (!p)
		return;
	free(p->name);
	free(p->admin1);
	free(p->country);
	free(p->country_code);
	free(p->timezone);
	memset(p, 0, sizeof(*p));
}

void weather_release(struct weather *w)
{
	if (!w)
		return;
	weather_place_release(&w->place);
	free(w->timezone);
	free(w->time);
	free(w->days);
	weather_init(w);
}

static const char *opt_lang(const struct weather_opts *o)
{
	return o->lang && *o->lang ? o->lang : "en";
}

static int opt_days(const struct weather_opts *o)
{
	if (o->days <= 0)
		return WEATHER_DEFAULT_DAYS;
	return o->days > WEATHER_MAX_DAYS ? WEATHER_MAX_DAYS : o->days;
}

/* A coordinate with four decimals and a '.', whatever LC_NUMERIC says. */
static void fmt_coord(char *buf, size_t n, double v)
{
	long x = lround(v * 10000);

	snprintf(buf, n, "%s%ld.%04ld", x < 0 ? "-" : "", labs(x) / 10000, labs(x) % 10000);
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

static const char *json_str(const cJSON *obj, const char *name)
{
	const cJSON *it = cJSON_GetObjectItemCaseSensitive(obj, name);

	return cJSON_IsString(it) && it->valuestring[0] ? it->valuestring : NULL;
}

static char *json_strdup(const cJSON *obj, const char *name)
{
	const char *s = json_str(obj, name);

	return s ? xstrdup(s) : NULL;
}

static double json_num(const cJSON *obj, const char *name)
{
	const cJSON *it = cJSON_GetObjectItemCaseSensitive(obj, name);

	return cJSON_IsNumber(it) ? it->valuedouble : NAN;
}

static double json_at(const cJSON *obj, const char *name, int i)
{
	const cJSON *arr = cJSON_GetObjectItemCaseSensitive(obj, name);
	const cJSON *it = cJSON_IsArray(arr) ? cJSON_GetArrayItem(arr, i) : NULL;

	return cJSON_IsNumber(it) ? it->valuedouble : NAN;
}

static void copy_unit(char *dst, size_t n, const cJSON *units, const char *name)
{
	const char *s = json_str(units, name);

	snprintf(dst, n, "%s", s ? s : "");
}

/*
 * GET url; on success *body is the 2xx body.  Open-Meteo answers a bad
 * request with {"error": true, "reason": "..."}: that reason is the message.
 */
static int get(const struct weather_opts *o, const char *url, char **body, struct err *e)
{
	struct http_req rq = {
		.url = url,
		.timeout_ms = o->timeout_ms,
		.max_retries = o->max_retries,
		.backoff_ms = o->backoff_ms,
		.max_bytes = 1 << 20,
	};
	struct http_resp rs;
	cJSON *doc;
	const char *reason;
	char *host;

	*body = NULL;
	if (http_request(&rq, &rs, e) < 0) {
		http_resp_release(&rs);
		return -1;
	}
	if (!http_ok(&rs)) {
		doc = cJSON_ParseWithLength(rs.body, rs.len);
		if ((reason = json_str(doc, "reason"))) {
			host = http_host(url);
			err_set(e, ERR_FAIL, "%s: HTTP %ld: %s", host, rs.status, reason);
			free(host);
		} else {
			http_status_error(&rq, &rs, e);
		}
		cJSON_Delete(doc);
		http_resp_release(&rs);
		return -1;
	}
	*body = rs.body;
	rs.body = NULL;
	http_resp_release(&rs);
	return 0;
}

static int malformed(const char *url, const char *why, struct err *e)
{
	char *host = http_host(url);

	err_set(e, ERR_FAIL, "malformed response from %s: %s", host, why);
	free(host);
	return -1;
}

/* Fill p from one geocoding result (or our cached copy, same field names). */
static int place_from_json(const cJSON *r, struct weather_place *p)
{
	const char *name = json_str(r, "name");
	double lat = json_num(r, "latitude"), lon = json_num(r, "longitude");

	if (!name || isnan(lat) || isnan(lon))
		return -1;
	p->name = xstrdup(name);
	p->admin1 = json_strdup(r, "admin1");
	p->country = json_strdup(r, "country");
	p->country_code = json_strdup(r, "country_code");
	p->timezone = json_strdup(r, "timezone");
	p->latitude = lat;
	p->longitude = lon;
	return 0;
}

static char *place_to_cache(const struct weather_place *p)
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

static int geocode(struct store *store, const struct weather_opts *o, const char *place,
		   time_t now, struct weather_place *p, struct err *e)
{
	const char *base = o->geocoding_url ? o->geocoding_url : WEATHER_GEOCODING_URL;
	long ttl = o->geo_ttl ? o->geo_ttl : WEATHER_DEFAULT_GEO_TTL;
	char *norm = place_key(place), *key, *cached, *url, *esc, *body, *v;
	const cJSON *results;
	cJSON *doc;
	int ret = -1;

	memset(p, 0, sizeof(*p));
	if (!*norm) {
		free(norm);
		return err_set(e, ERR_USAGE, "no place given");
	}
	key = xasprintf("weather:geo:%s:%s", opt_lang(o), norm);
	if (ttl > 0 && cache_lookup(store, key, now, &cached)) {
		doc = cJSON_Parse(cached);
		free(cached);
		ret = doc ? place_from_json(doc, p) : -1;
		cJSON_Delete(doc);
		if (ret == 0)
			goto out;
		weather_place_release(p);
	}

	esc = http_escape(place);
	url = xasprintf("%s?name=%s&count=1&language=%s&format=json", base, esc, opt_lang(o));
	free(esc);
	ret = get(o, url, &body, e);
	if (ret == 0) {
		doc = cJSON_Parse(body);
		results = cJSON_GetObjectItemCaseSensitive(doc, "results");
		if (!cJSON_IsObject(doc)) {
			ret = malformed(url, "not a JSON object", e);
		} else if (!cJSON_GetArraySize(results)) {
			ret = err_set(e, ERR_NOTFOUND, "no such place");
		} else if (!cJSON_IsArray(results) ||
			   place_from_json(cJSON_GetArrayItem(results, 0), p) < 0) {
			ret = malformed(url, "bad 'results'", e);
		} else if (ttl > 0 && (v = place_to_cache(p))) {
			cache_store(store, key, v, now + ttl);
			free(v);
		}
		cJSON_Delete(doc);
		free(body);
	}
	free(url);
out:
	free(key);
	free(norm);
	return ret;
}

int weather_geocode(struct store *store, const struct weather_opts *o, const char *place,
		    time_t now, struct weather_place *p, struct err *e)
{
	if (geocode(store, o, place, now, p, e) < 0) {
		err_prefix(e, "weather: geocoding '%s'", place);
		weather_place_release(p);
		return -1;
	}
	return 0;
}

/* Fill w from a forecast document; -1 (and why) when it has not our shape. */
static int parse_forecast(const char *body, struct weather *w, const char **why)
{
	const cJSON *cur, *daily, *times, *t, *cu, *du;
	cJSON *doc = cJSON_Parse(body);
	int i, n;

	*why = "not a JSON object";
	if (!cJSON_IsObject(doc))
		goto bad;
	cur = cJSON_GetObjectItemCaseSensitive(doc, "current");
	daily = cJSON_GetObjectItemCaseSensitive(doc, "daily");
	times = cJSON_GetObjectItemCaseSensitive(daily, "time");
	*why = "no 'current' conditions";
	if (!cJSON_IsObject(cur) || isnan(json_num(cur, "temperature_2m")))
		goto bad;
	*why = "no 'daily' forecast";
	if (!cJSON_IsArray(times))
		goto bad;

	w->timezone = json_strdup(doc, "timezone");
	w->utc_offset = isnan(json_num(doc, "utc_offset_seconds"))
				? 0 : (long)json_num(doc, "utc_offset_seconds");
	w->time = json_strdup(cur, "time");
	w->temp = json_num(cur, "temperature_2m");
	w->feels_like = json_num(cur, "apparent_temperature");
	w->humidity = json_num(cur, "relative_humidity_2m");
	w->wind = json_num(cur, "wind_speed_10m");
	w->code = isnan(json_num(cur, "weather_code")) ? -1 : (int)json_num(cur, "weather_code");
	cu = cJSON_GetObjectItemCaseSensitive(doc, "current_units");
	du = cJSON_GetObjectItemCaseSensitive(doc, "daily_units");
	copy_unit(w->temp_unit, sizeof(w->temp_unit), cu, "temperature_2m");
	copy_unit(w->wind_unit, sizeof(w->wind_unit), cu, "wind_speed_10m");
	copy_unit(w->precip_unit, sizeof(w->precip_unit), du, "precipitation_sum");

	n = cJSON_GetArraySize(times);
	if (n > WEATHER_MAX_DAYS)
		n = WEATHER_MAX_DAYS;
	w->days = xcalloc((size_t)n ? (size_t)n : 1, sizeof(*w->days));
	for (i = 0; i < n; i++) {
		struct weather_day *d = &w->days[w->ndays];
		double code;

		t = cJSON_GetArrayItem(times, i);
		if (!cJSON_IsString(t))
			continue;
		snprintf(d->date, sizeof(d->date), "%s", t->valuestring);
		code = json_at(daily, "weather_code", i);
		d->code = isnan(code) ? -1 : (int)code;
		d->tmax = json_at(daily, "temperature_2m_max", i);
		d->tmin = json_at(daily, "temperature_2m_min", i);
		d->precip = json_at(daily, "precipitation_sum", i);
		d->precip_prob = json_at(daily, "precipitation_probability_max", i);
		w->ndays++;
	}
	cJSON_Delete(doc);
	return 0;
bad:
	cJSON_Delete(doc);
	return -1;
}

static int forecast(struct store *store, const struct weather_opts *o, double lat, double lon,
		    time_t now, struct weather *w, struct err *e)
{
	const char *base = o->forecast_url ? o->forecast_url : WEATHER_FORECAST_URL;
	long ttl = o->ttl ? o->ttl : WEATHER_DEFAULT_TTL;
	int imperial = o->units == WEATHER_IMPERIAL;
	char la[32], lo[32], *key, *url, *body;
	const char *why;
	int ret;

	fmt_coord(la, sizeof(la), lat);
	fmt_coord(lo, sizeof(lo), lon);
	key = xasprintf("weather:forecast:%s,%s:%s:%d", la, lo, imperial ? "imperial" : "metric",
			opt_days(o));
	if (ttl > 0 && cache_lookup(store, key, now, &body)) {
		ret = parse_forecast(body, w, &why);
		free(body);
		if (ret == 0) {
			w->cached = 1;
			free(key);
			return 0;
		}
		weather_release(w);
	}

	url = xasprintf("%s?latitude=%s&longitude=%s&current=" CURRENT_VARS "&daily=" DAILY_VARS
			"&timezone=auto&forecast_days=%d%s", base, la, lo, opt_days(o),
			imperial ? "&temperature_unit=fahrenheit&wind_speed_unit=mph"
				   "&precipitation_unit=inch" : "");
	ret = get(o, url, &body, e);
	if (ret == 0) {
		ret = parse_forecast(body, w, &why);
		if (ret < 0) {
			weather_release(w);
			malformed(url, why, e);
		} else if (ttl > 0) {
			cache_store(store, key, body, now + ttl);
		}
		free(body);
	}
	free(url);
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

int weather_lookup(struct store *store, const struct weather_opts *o, const char *place,
		   time_t now, struct weather *w, struct err *e)
{
	struct weather_place p;

	weather_init(w);
	if (weather_geocode(store, o, place, now, &p, e) < 0)
		return -1;
	if (weather_forecast(store, o, p.latitude, p.longitude, now, w, e) < 0) {
		weather_place_release(&p);
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
	struct sbuf sb = SBUF_INIT;
	int ru = is_ru(lang), i;
	char a[32], b[32];

	if (w->place.name) {
		sbuf_adds(&sb, w->place.name);
		if (w->place.admin1 && strcmp(w->place.admin1, w->place.name))
			sbuf_addf(&sb, ", %s", w->place.admin1);
		if (w->place.country)
			sbuf_addf(&sb, ", %s", w->place.country);
		if (w->timezone || w->place.timezone)
			sbuf_addf(&sb, " (%s)", w->timezone ? w->timezone : w->place.timezone);
		sbuf_adds(&sb, "\n");
	}
	sbuf_addf(&sb, "%s: %s %s", ru ? "сейчас" : "now", num(a, sizeof(a), w->temp, 1),
		  w->temp_unit);
	if (!isnan(w->feels_like))
		sbuf_addf(&sb, ", %s %s %s", ru ? "ощущается как" : "feels like",
			  num(a, sizeof(a), w->feels_like, 1), w->temp_unit);
	if (w->code >= 0)
		sbuf_addf(&sb, ", %s", weather_code_text(w->code, lang));
	if (!isnan(w->humidity))
		sbuf_addf(&sb, ", %s %s%%", ru ? "влажность" : "humidity",
			  num(a, sizeof(a), w->humidity, 0));
	if (!isnan(w->wind))
		sbuf_addf(&sb, ", %s %s %s", ru ? "ветер" : "wind", num(a, sizeof(a), w->wind, 1),
			  w->wind_unit);
	sbuf_adds(&sb, "\n");
	for (i = 0; i < w->ndays; i++) {
		const struct weather_day *d = &w->days[i];

		sbuf_addf(&sb, "%s: %s..%s %s", d->date, num(a, sizeof(a), d->tmin, 0),
			  num(b, sizeof(b), d->tmax, 0), w->temp_unit);
		if (d->code >= 0)
			sbuf_addf(&sb, ", %s", weather_code_text(d->code, lang));
		if (!isnan(d->precip)) {
			sbuf_addf(&sb, ", %s %s", num(a, sizeof(a), d->precip, 1), w->precip_unit);
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
	cJSON *o = cJSON_CreateObject(), *units, *cur, *days, *d;
	int i;

	add_str(o, "place", w->place.name);
	add_str(o, "admin1", w->place.admin1);
	add_str(o, "country", w->place.country);
	add_str(o, "country_code", w->place.country_code);
	add_str(o, "timezone", w->timezone ? w->timezone : w->place.timezone);
	add_num(o, "latitude", w->place.name ? w->place.latitude : NAN);
	add_num(o, "longitude", w->place.name ? w->place.longitude : NAN);
	units = cJSON_AddObjectToObject(o, "units");
	cJSON_AddStringToObject(units, "temperature", w->temp_unit);
	cJSON_AddStringToObject(units, "wind", w->wind_unit);
	cJSON_AddStringToObject(units, "precipitation", w->precip_unit);
	cur = cJSON_AddObjectToObject(o, "current");
	add_str(cur, "time", w->time);
	add_num(cur, "temperature", w->temp);
	add_num(cur, "apparent_temperature", w->feels_like);
	add_num(cur, "humidity", w->humidity);
	add_num(cur, "wind_speed", w->wind);
	add_code(cur, w->code, lang);
	days = cJSON_AddArrayToObject(o, "daily");
	for (i = 0; i < w->ndays; i++) {
		d = cJSON_CreateObject();
		cJSON_AddStringToObject(d, "date", w->days[i].date);
		add_code(d, w->days[i].code, lang);
		add_num(d, "temperature_max", w->days[i].tmax);
		add_num(d, "temperature_min", w->days[i].tmin);
		add_num(d, "precipitation", w->days[i].precip);
		add_num(d, "precipitation_probability", w->days[i].precip_prob);
		cJSON_AddItemToArray(days, d);
	}
	cJSON_AddBoolToObject(o, "cached", w->cached);
	return o;
}
