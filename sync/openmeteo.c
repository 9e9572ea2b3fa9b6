#include "openmeteo.h"
#include "jsonnul.h"

#include <ctype.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http.h"
#include "utf8.h"
#include "xalloc.h"

#define CURRENT_VARS                                                                               \
	"temperature_2m,relative_humidity_2m,apparent_temperature,weather_code,"                   \
	"wind_speed_10m"
#define DAILY_VARS                                                                                 \
	"weather_code,temperature_2m_max,temperature_2m_min,precipitation_sum,"                    \
	"precipitation_probability_max"

void openmeteo_forecast_init(struct openmeteo_forecast *f)
{
	memset(f, 0, sizeof(*f));
	f->temp = f->feels_like = f->humidity = f->wind = NAN;
	f->code = -1;
}

void openmeteo_forecast_release(struct openmeteo_forecast *f)
{
	if (!f)
		return;
	free(f->timezone);
	free(f->time);
	free(f->days);
	openmeteo_forecast_init(f);
}

void openmeteo_place_release(struct openmeteo_place *p)
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

const char *openmeteo_lang(const struct openmeteo_opts *o)
{
	return o->lang && *o->lang ? o->lang : "en";
}

int openmeteo_days(const struct openmeteo_opts *o)
{
	if (o->days <= 0)
		return OPENMETEO_DEFAULT_DAYS;
	return o->days > OPENMETEO_MAX_DAYS ? OPENMETEO_MAX_DAYS : o->days;
}

void openmeteo_coord(char *buf, size_t n, double v)
{
	long x;

	/* a coordinate is within ±180: no lround() of a huge or NaN value */
	if (!(v >= -180 && v <= 180))
		v = isnan(v) ? 0 : v < 0 ? -180 : 180;
	x = lround(v * 10000);

	snprintf(buf, n, "%s%ld.%04ld", x < 0 ? "-" : "", labs(x) / 10000, labs(x) % 10000);
}

static const char *json_str(const cJSON *obj, const char *name)
{
	const cJSON *it = cJSON_GetObjectItemCaseSensitive(obj, name);

	return cJSON_IsString(it) && it->valuestring[0] ? it->valuestring : NULL;
}

/* A string of the answer, made fit to store and show: UTF-8 (U+FFFD for
 * what is not), one line, no control characters. */
static char *json_strdup(const cJSON *obj, const char *name)
{
	const char *s = json_str(obj, name);

	return s ? utf8_clean_str(s, UTF8_PRINTABLE | UTF8_ONE_LINE) : NULL;
}

/* YYYY-MM-DD, as the days of a forecast are named. */
static bool is_date(const char *s)
{
	for (int i = 0; i < 10; i++)
		if (i == 4 || i == 7 ? s[i] != '-' : !isdigit((unsigned char)s[i]))
			return false;
	return s[10] == '\0';
}

/* The same into dst of n bytes, cut between characters. */
static void copy_str(char *dst, size_t n, const cJSON *obj, const char *name)
{
	char *s = json_strdup(obj, name);
	size_t len = s ? utf8_cut(s, strnlen(s, n - 1)) : 0;

	memcpy(dst, s ? s : "", len);
	dst[len] = '\0';
	free(s);
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

/*
 * GET url; on success *body is the 2xx body.  Open-Meteo answers a bad
 * request with {"error": true, "reason": "..."}: that reason is the message.
 */
static int get(const struct openmeteo_opts *o, const char *url, char **body, struct err *e)
{
	struct http_req rq = {
		.url = url,
		.timeout_ms = o->timeout_ms,
		.max_retries = o->max_retries,
		.backoff_ms = o->backoff_ms,
		.max_bytes = 1 << 20,
		.cancel = o->cancel,
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
		doc = json_parse_text(rs.body, rs.len, NULL);
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

int openmeteo_place_parse(const cJSON *r, struct openmeteo_place *p)
{
	const char *name = json_str(r, "name");
	double lat = json_num(r, "latitude"), lon = json_num(r, "longitude");

	memset(p, 0, sizeof(*p));
	/* NaN (missing) fails the comparisons too */
	if (!name || !(lat >= -90 && lat <= 90) || !(lon >= -180 && lon <= 180))
		return -1;
	p->name = json_strdup(r, "name");
	p->admin1 = json_strdup(r, "admin1");
	p->country = json_strdup(r, "country");
	p->country_code = json_strdup(r, "country_code");
	p->timezone = json_strdup(r, "timezone");
	p->latitude = lat;
	p->longitude = lon;
	return 0;
}

int openmeteo_geocode_parse(const char *body, struct openmeteo_place *p, const char **why)
{
	cJSON *doc = json_parse_text(body, body ? strlen(body) : 0, NULL);
	const cJSON *results = cJSON_GetObjectItemCaseSensitive(doc, "results");
	int ret = 0;

	memset(p, 0, sizeof(*p));
	*why = NULL;
	if (!cJSON_IsObject(doc)) {
		*why = "not a JSON object";
		ret = -1;
	} else if (!cJSON_GetArraySize(results)) {
		ret = 1;
	} else if (!cJSON_IsArray(results) ||
		   openmeteo_place_parse(cJSON_GetArrayItem(results, 0), p) < 0) {
		*why = "bad 'results'";
		ret = -1;
	}
	cJSON_Delete(doc);
	return ret;
}

/* Free a string that may hold the key, wiped first. */
static void wipe_free(char *s)
{
	if (s) {
		volatile char *v = s;

		while (*v)
			*v++ = 0;
		free(s);
	}
}

/* What goes between base and the parameters nestor adds: '?', or '&'
 * when base has its own query ("...?models=icon"), nothing when it ends
 * in '?' or '&'. */
static const char *query_sep(const char *base)
{
	size_t n = strlen(base);

	if (!strchr(base, '?'))
		return "?";
	return n && (base[n - 1] == '?' || base[n - 1] == '&') ? "" : "&";
}

/* url with the paid plan's key appended (&apikey=, percent-encoded); the
 * old url is freed.  Messages name only the host, so the key never shows. */
static char *with_key(const struct openmeteo_opts *o, char *url)
{
	char *esc, *out;

	if (!o->apikey || !*o->apikey)
		return url;
	esc = http_escape(o->apikey);
	out = xasprintf("%s&apikey=%s", url, esc);
	wipe_free(esc);
	free(url);
	return out;
}

int openmeteo_geocode(const struct openmeteo_opts *o, const char *name, struct openmeteo_place *p,
		      struct err *e)
{
	const char *base = o->geocoding_url ? o->geocoding_url : OPENMETEO_GEOCODING_URL;
	char *esc = http_escape(name), *url, *body;
	const char *why;
	int ret;

	memset(p, 0, sizeof(*p));
	url = xasprintf("%s%sname=%s&count=1&language=%s&format=json", base, query_sep(base), esc,
			openmeteo_lang(o));
	free(esc);
	url = with_key(o, url);
	ret = get(o, url, &body, e);
	if (ret == 0) {
		ret = openmeteo_geocode_parse(body, p, &why);
		if (ret < 0)
			malformed(url, why, e);
		else if (ret > 0)
			ret = err_set(e, ERR_NOTFOUND, "no such place");
		free(body);
	}
	wipe_free(url);
	return ret;
}

/* A zone is at most 18 hours from UTC. */
#define MAX_OFFSET (18 * 3600.0)

/* A WMO weather code (0-99) into *code, -1 when missing; -1 when out of
 * range (checked on the double, before any cast). */
static int code_of(double v, int *code)
{
	if (isnan(v)) {
		*code = -1;
		return 0;
	}
	if (!(v >= 0 && v <= 99))
		return -1;
	*code = (int)v;
	return 0;
}

int openmeteo_forecast_parse(const char *body, struct openmeteo_forecast *f, const char **why)
{
	const cJSON *cur, *daily, *times, *t, *cu, *du;
	cJSON *doc = json_parse_text(body, body ? strlen(body) : 0, NULL);
	double v;
	int i, n;

	openmeteo_forecast_init(f);
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

	*why = "bad 'utc_offset_seconds'";
	v = json_num(doc, "utc_offset_seconds");
	if (!isnan(v) && !(v >= -MAX_OFFSET && v <= MAX_OFFSET))
		goto bad;
	f->timezone = json_strdup(doc, "timezone");
	f->utc_offset = isnan(v) ? 0 : (long)v;
	f->time = json_strdup(cur, "time");
	f->temp = json_num(cur, "temperature_2m");
	f->feels_like = json_num(cur, "apparent_temperature");
	f->humidity = json_num(cur, "relative_humidity_2m");
	f->wind = json_num(cur, "wind_speed_10m");
	*why = "bad 'weather_code'";
	if (code_of(json_num(cur, "weather_code"), &f->code) < 0)
		goto bad;
	cu = cJSON_GetObjectItemCaseSensitive(doc, "current_units");
	du = cJSON_GetObjectItemCaseSensitive(doc, "daily_units");
	copy_str(f->temp_unit, sizeof(f->temp_unit), cu, "temperature_2m");
	copy_str(f->wind_unit, sizeof(f->wind_unit), cu, "wind_speed_10m");
	copy_str(f->precip_unit, sizeof(f->precip_unit), du, "precipitation_sum");

	n = cJSON_GetArraySize(times);
	if (n > OPENMETEO_MAX_DAYS)
		n = OPENMETEO_MAX_DAYS;
	f->days = xcalloc((size_t)n ? (size_t)n : 1, sizeof(*f->days));
	for (i = 0; i < n; i++) {
		struct openmeteo_day *d = &f->days[f->ndays];

		t = cJSON_GetArrayItem(times, i);
		if (!cJSON_IsString(t) || !is_date(t->valuestring))
			continue;
		snprintf(d->date, sizeof(d->date), "%s", t->valuestring);
		if (code_of(json_at(daily, "weather_code", i), &d->code) < 0)
			goto bad;
		d->tmax = json_at(daily, "temperature_2m_max", i);
		d->tmin = json_at(daily, "temperature_2m_min", i);
		d->precip = json_at(daily, "precipitation_sum", i);
		d->precip_prob = json_at(daily, "precipitation_probability_max", i);
		f->ndays++;
	}
	cJSON_Delete(doc);
	return 0;
bad:
	cJSON_Delete(doc);
	return -1;
}

int openmeteo_forecast(const struct openmeteo_opts *o, double latitude, double longitude,
		       struct openmeteo_forecast *f, char **body, struct err *e)
{
	const char *base = o->forecast_url ? o->forecast_url : OPENMETEO_FORECAST_URL;
	int imperial = o->units == OPENMETEO_IMPERIAL;
	char la[32], lo[32], *url, *doc;
	const char *why;
	int ret;

	openmeteo_forecast_init(f);
	if (body)
		*body = NULL;
	openmeteo_coord(la, sizeof(la), latitude);
	openmeteo_coord(lo, sizeof(lo), longitude);
	url = xasprintf("%s%slatitude=%s&longitude=%s&current=" CURRENT_VARS "&daily=" DAILY_VARS
			"&timezone=auto&forecast_days=%d%s",
			base, query_sep(base), la, lo, openmeteo_days(o),
			imperial ? "&temperature_unit=fahrenheit&wind_speed_unit=mph"
				   "&precipitation_unit=inch"
				 : "");
	url = with_key(o, url);
	ret = get(o, url, &doc, e);
	if (ret == 0) {
		ret = openmeteo_forecast_parse(doc, f, &why);
		if (ret < 0) {
			openmeteo_forecast_release(f);
			malformed(url, why, e);
		}
		if (ret == 0 && body)
			*body = doc;
		else
			free(doc);
	}
	wipe_free(url);
	return ret;
}
