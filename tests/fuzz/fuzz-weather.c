/* The weather service's answers: Open-Meteo's geocoding and forecast JSON
 * (sync/openmeteo.h) and the cached copies src/weather.c reads back.  The
 * input is a flag byte (language, units, days), then the geocoding answer
 * and the forecast answer split by "\n----\n" (one that starts with "!" is
 * sent with status 400).  They are parsed alone and formatted, then
 * weather_lookup() runs three times on a temporary store:
 * with nothing cached (the answers come over a fake HTTP, fuzz_http), again
 * (what it cached is read back), and with the raw answers put in the cache
 * as if another version had written them. */
#include "cache.h"
#include "fuzz.h"
#include "http.h"
#include "openmeteo.h"
#include "store.h"
#include "weather.h"
#include "xalloc.h"

#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>

#define GEO_URL "http://127.0.0.1:9/v1/search"
#define FC_URL	"http://127.0.0.1:9/v1/forecast"
#define SEP	"\n----\n"

static const char *geo_body, *fc_body;
static unsigned long runs;

static int serve(const struct http_req *rq, struct http_resp *resp, struct err *e)
{
	const char *body = !strncmp(rq->url, GEO_URL, strlen(GEO_URL)) ? geo_body : fc_body;

	(void)e;
	/* "!" first: an error answer (Open-Meteo's {"error": true, "reason": ...}) */
	if (*body == '!')
		return fuzz_http_answer(resp, 400, "application/json", body + 1, strlen(body + 1),
					NULL);
	return fuzz_http_answer(resp, 200, "application/json", body, strlen(body), NULL);
}

static void show(const struct weather *w, const char *lang)
{
	char *text = weather_format(w, lang), *js;
	cJSON *j = weather_to_json(w, lang);

	js = cJSON_PrintUnformatted(j);
	if (!text || !js)
		abort();
	free(js);
	cJSON_Delete(j);
	free(text);
}

static void lookup(struct store *st, const struct weather_opts *o, const char *place, time_t now)
{
	struct weather w;
	struct err e = { 0, "" };

	if (weather_lookup(st, o, place, now, &w, &e) == 0)
		show(&w, o->api.lang);
	else if (!e.msg[0])
		abort(); /* a failure says why */
	weather_release(&w);
}

/* The raw answers as the cache entries of place (lowercase) would be. */
static void poison(struct store *st, const struct weather_opts *o, const char *place, time_t now)
{
	struct openmeteo_place p;
	char *key = xasprintf("weather:geo:%s:%s", openmeteo_lang(&o->api), place);
	char la[32], lo[32];
	cJSON *doc = cJSON_Parse(geo_body);
	struct err e;

	memset(&p, 0, sizeof(p));
	cache_put(st, key, geo_body, now + 3600, &e);
	free(key);
	if (doc && openmeteo_place_parse(doc, &p) == 0) {
		openmeteo_coord(la, sizeof(la), p.latitude);
		openmeteo_coord(lo, sizeof(lo), p.longitude);
		key = xasprintf("weather:forecast:%s,%s:%s:%d", la, lo,
				o->api.units == OPENMETEO_IMPERIAL ? "imperial" : "metric",
				openmeteo_days(&o->api));
		cache_put(st, key, fc_body, now + 3600, &e);
		free(key);
	}
	openmeteo_place_release(&p);
	cJSON_Delete(doc);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct store *st = fuzz_store("weather");
	struct weather_opts o = { .api = { .geocoding_url = GEO_URL, .forecast_url = FC_URL } };
	struct openmeteo_place p;
	struct weather w;
	char *text, *sep;
	const char *why;
	/* every input in a time of its own: what earlier ones cached has expired */
	time_t now = FUZZ_NOW + (time_t)(++runs * 40L * 86400);

	if (size < 1)
		return 0;
	o.api.lang = data[0] & 1 ? "ru" : "en";
	o.api.units = data[0] & 2 ? OPENMETEO_IMPERIAL : OPENMETEO_METRIC;
	o.api.days = (data[0] >> 2) % 18;
	text = fuzz_text(data + 1, size - 1);
	sep = strstr(text, SEP);
	geo_body = text;
	fc_body = sep ? sep + strlen(SEP) : "";
	if (sep)
		*sep = '\0';

	if (openmeteo_geocode_parse(geo_body, &p, &why) < 0 ? !why : 0)
		abort();
	openmeteo_place_release(&p);
	weather_init(&w);
	if (openmeteo_forecast_parse(fc_body, &w.fc, &why) == 0)
		show(&w, o.api.lang);
	weather_release(&w);

	fuzz_http = serve;
	lookup(st, &o, "Berlin", now);
	lookup(st, &o, "Berlin", now);
	poison(st, &o, "fuzz town", now);
	lookup(st, &o, "Fuzz  Town", now);
	fuzz_http = NULL;
	free(text);
	return 0;
}
