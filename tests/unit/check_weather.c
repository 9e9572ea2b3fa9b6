/* Open-Meteo client and the tool cache, against the fake server. */
#include <check.h>
#include <cjson/cJSON.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cache.h"
#include "fake.h"
#include "store.h"
#include "testutil.h"
#include "weather.h"
#include "xalloc.h"

#define NOW 1767600000L /* 2026-01-05 08:00 UTC */

static struct fake srv;
static struct store *db;
static char *dir, *geo_url, *fc_url;
static struct weather_opts opts;

static void start(void)
{
	ck_assert_int_eq(fake_start("openmeteo.py", &srv), 0);
	geo_url = fake_url(&srv, "/v1/search");
	fc_url = fake_url(&srv, "/v1/forecast");
}

static void stop(void)
{
	fake_stop(&srv);
	free(geo_url);
	free(fc_url);
}

static void setup(void)
{
	struct err e = { 0, "" };
	char *path;

	ck_assert_int_eq(fake_reset(&srv), 0);
	dir = tu_tmpdir();
	path = xasprintf("%s/nestor.db", dir);
	db = store_open(path, &e);
	ck_assert_msg(db != NULL, "%s", e.msg);
	free(path);
	memset(&opts, 0, sizeof(opts));
	opts.api.geocoding_url = geo_url;
	opts.api.forecast_url = fc_url;
	opts.api.backoff_ms = 10;
	opts.api.timeout_ms = 5000;
}

static void teardown(void)
{
	store_free(db);
	tu_rmrf(dir);
	free(dir);
}

START_TEST(test_lookup)
{
	struct weather w;
	struct err e = { 0, "" };
	char *text, *q;

	ck_assert_msg(weather_lookup(db, &opts, "Berlin", NOW, &w, &e) == 0, "%s", e.msg);
	ck_assert_str_eq(w.place.name, "Berlin");
	ck_assert_str_eq(w.place.country, "Germany");
	ck_assert_str_eq(w.place.country_code, "DE");
	ck_assert_str_eq(w.place.admin1, "Land Berlin");
	ck_assert_str_eq(w.place.timezone, "Europe/Berlin");
	ck_assert_str_eq(w.fc.timezone, "Europe/Berlin");
	ck_assert_int_eq(w.fc.utc_offset, 3600);
	ck_assert_double_eq_tol(w.place.latitude, 52.52437, 1e-6);
	ck_assert_double_eq_tol(w.fc.temp, 3.2, 1e-9);
	ck_assert_double_eq_tol(w.fc.feels_like, 0.1, 1e-9);
	ck_assert_double_eq_tol(w.fc.humidity, 81, 1e-9);
	ck_assert_double_eq_tol(w.fc.wind, 12.2, 1e-9);
	ck_assert_int_eq(w.fc.code, 3);
	ck_assert_str_eq(w.fc.time, "2026-01-05T14:15");
	ck_assert_str_eq(w.fc.temp_unit, "°C");
	ck_assert_str_eq(w.fc.wind_unit, "km/h");
	ck_assert_str_eq(w.fc.precip_unit, "mm");
	ck_assert_int_eq(w.cached, 0);
	ck_assert_int_eq(w.fc.ndays, 3);
	ck_assert_str_eq(w.fc.days[0].date, "2026-01-05");
	ck_assert_double_eq_tol(w.fc.days[0].tmax, 5.2, 1e-9);
	ck_assert_double_eq_tol(w.fc.days[0].tmin, 0.2, 1e-9);
	ck_assert_int_eq(w.fc.days[1].code, 61);
	ck_assert_double_eq_tol(w.fc.days[1].precip, 4.2, 1e-9);
	ck_assert_double_eq_tol(w.fc.days[1].precip_prob, 80, 1e-9);
	ck_assert_str_eq(w.fc.days[2].date, "2026-01-07");

	text = weather_format(&w, "en");
	ck_assert_str_eq(text,
			 "Berlin, Land Berlin, Germany (Europe/Berlin)\n"
			 "now: 3.2 °C, feels like 0.1 °C, overcast, humidity 81%, wind 12.2 km/h\n"
			 "2026-01-05: 0..5 °C, overcast, 0.0 mm (10%)\n"
			 "2026-01-06: -1..6 °C, light rain, 4.2 mm (80%)\n"
			 "2026-01-07: -2..7 °C, clear sky, 0.0 mm (5%)\n");
	free(text);
	weather_release(&w);

	ck_assert_int_eq(fake_requests(&srv, "/v1/search"), 1);
	ck_assert_int_eq(fake_requests(&srv, "/v1/forecast"), 1);
	q = fake_request_query(&srv, "/v1/search", 0);
	ck_assert_str_eq(q, "name=Berlin&count=1&language=en&format=json");
	free(q);
	q = fake_request_query(&srv, "/v1/forecast", 0);
	ck_assert_str_eq(q, "latitude=52.5244&longitude=13.4105"
			    "&current=temperature_2m,relative_humidity_2m,apparent_temperature,"
			    "weather_code,wind_speed_10m"
			    "&daily=weather_code,temperature_2m_max,temperature_2m_min,"
			    "precipitation_sum,precipitation_probability_max"
			    "&timezone=auto&forecast_days=3");
	free(q);
}
END_TEST

START_TEST(test_cache)
{
	struct weather w;
	struct err e = { 0, "" };

	ck_assert_msg(weather_lookup(db, &opts, "Berlin", NOW, &w, &e) == 0, "%s", e.msg);
	weather_release(&w);
	ck_assert_int_eq(fake_requests(&srv, NULL), 2);

	/* Same question a minute later, spelt differently: no request at all. */
	ck_assert_msg(weather_lookup(db, &opts, "  berlin ", NOW + 60, &w, &e) == 0, "%s", e.msg);
	ck_assert_int_eq(w.cached, 1);
	ck_assert_str_eq(w.place.name, "Berlin");
	ck_assert_double_eq_tol(w.fc.temp, 3.2, 1e-9);
	ck_assert_int_eq(w.fc.ndays, 3);
	weather_release(&w);
	ck_assert_int_eq(fake_requests(&srv, NULL), 2);

	/* The forecast expires after 30 minutes, the place is kept. */
	ck_assert_msg(weather_lookup(db, &opts, "Berlin", NOW + 1800, &w, &e) == 0, "%s", e.msg);
	ck_assert_int_eq(w.cached, 0);
	weather_release(&w);
	ck_assert_int_eq(fake_requests(&srv, "/v1/search"), 1);
	ck_assert_int_eq(fake_requests(&srv, "/v1/forecast"), 2);

	/* After 30 days the place is looked up again. */
	ck_assert_msg(weather_lookup(db, &opts, "Berlin", NOW + 31 * 86400L, &w, &e) == 0, "%s",
		      e.msg);
	weather_release(&w);
	ck_assert_int_eq(fake_requests(&srv, "/v1/search"), 2);
	ck_assert_int_eq(fake_requests(&srv, "/v1/forecast"), 3);

	/* Other units or days are another forecast. */
	opts.api.days = 5;
	ck_assert_msg(weather_lookup(db, &opts, "Berlin", NOW + 31 * 86400L, &w, &e) == 0, "%s",
		      e.msg);
	ck_assert_int_eq(w.fc.ndays, 5);
	weather_release(&w);
	ck_assert_int_eq(fake_requests(&srv, "/v1/forecast"), 4);

	/* No store, no cache. */
	ck_assert_msg(weather_lookup(NULL, &opts, "Berlin", NOW, &w, &e) == 0, "%s", e.msg);
	weather_release(&w);
	ck_assert_int_eq(fake_requests(&srv, NULL), 8);
}
END_TEST

START_TEST(test_imperial)
{
	struct weather w;
	struct err e = { 0, "" };
	char *q;

	opts.api.units = OPENMETEO_IMPERIAL;
	opts.api.days = 1;
	ck_assert_msg(weather_lookup(db, &opts, "Tokyo", NOW, &w, &e) == 0, "%s", e.msg);
	ck_assert_double_eq_tol(w.fc.temp, 49.6, 1e-9);
	ck_assert_str_eq(w.fc.temp_unit, "°F");
	ck_assert_str_eq(w.fc.wind_unit, "mp/h");
	ck_assert_str_eq(w.fc.precip_unit, "inch");
	ck_assert_int_eq(w.fc.ndays, 1);
	ck_assert_str_eq(w.fc.timezone, "Asia/Tokyo");
	weather_release(&w);
	q = fake_request_query(&srv, "/v1/forecast", 0);
	ck_assert_ptr_nonnull(strstr(q, "&forecast_days=1&temperature_unit=fahrenheit"
					"&wind_speed_unit=mph&precipitation_unit=inch"));
	free(q);
}
END_TEST

START_TEST(test_russian)
{
	struct weather w;
	struct err e = { 0, "" };
	char *text, *q;

	opts.api.lang = "ru";
	opts.api.days = 1;
	ck_assert_msg(weather_lookup(db, &opts, "Казань", NOW, &w, &e) == 0, "%s", e.msg);
	ck_assert_str_eq(w.place.name, "Казань");
	ck_assert_double_eq_tol(w.fc.temp, -12.5, 1e-9);
	text = weather_format(&w, "ru");
	ck_assert_str_eq(text, "Казань, Татарстан, Россия (Europe/Moscow)\n"
			       "сейчас: -12.5 °C, ощущается как -18.0 °C, снег, влажность 88%, "
			       "ветер 15.1 km/h\n"
			       "2026-01-05: -16..-10 °C, пасмурно, 0.0 mm (10%)\n");
	free(text);
	weather_release(&w);
	q = fake_request_query(&srv, "/v1/search", 0);
	ck_assert_str_eq(q, "name=%D0%9A%D0%B0%D0%B7%D0%B0%D0%BD%D1%8C&count=1&language=ru"
			    "&format=json");
	free(q);
}
END_TEST

START_TEST(test_retry)
{
	struct weather w;
	struct err e = { 0, "" };

	ck_assert_int_eq(fake_control(&srv, "{\"fail\": [500]}"), 0);
	ck_assert_msg(weather_lookup(db, &opts, "New York", NOW, &w, &e) == 0, "%s", e.msg);
	ck_assert_str_eq(w.place.name, "New York");
	ck_assert_double_eq_tol(w.fc.temp, 1.5, 1e-9);
	weather_release(&w);
	ck_assert_int_eq(fake_requests(&srv, "/v1/search"), 2);
	ck_assert_int_eq(fake_requests(&srv, "/v1/forecast"), 1);
}
END_TEST

START_TEST(test_unknown_place)
{
	struct weather w;
	struct err e = { 0, "" };

	ck_assert_int_eq(weather_lookup(db, &opts, "Berlni", NOW, &w, &e), -1);
	ck_assert_int_eq(e.code, ERR_NOTFOUND);
	ck_assert_str_eq(e.msg, "weather: geocoding 'Berlni': no such place");
	weather_release(&w);
	ck_assert_int_eq(fake_requests(&srv, "/v1/forecast"), 0);
}
END_TEST

START_TEST(test_timeout)
{
	struct weather w;
	struct err e = { 0, "" };
	char want[160];

	opts.api.timeout_ms = 300;
	ck_assert_int_eq(fake_control(&srv, "{\"delay\": 2}"), 0);
	ck_assert_int_eq(weather_lookup(db, &opts, "Berlin", NOW, &w, &e), -1);
	snprintf(want, sizeof(want),
		 "weather: geocoding 'Berlin': 127.0.0.1:%d timed out "
		 "after 0.3 s",
		 srv.port);
	ck_assert_str_eq(e.msg, want);
	weather_release(&w);
}
END_TEST

START_TEST(test_malformed)
{
	struct openmeteo_place p;
	struct weather w;
	struct err e = { 0, "" };
	char want[160];

	ck_assert_int_eq(fake_control(&srv, "{\"malformed\": true}"), 0);
	ck_assert_int_eq(weather_lookup(db, &opts, "Berlin", NOW, &w, &e), -1);
	snprintf(want, sizeof(want),
		 "weather: geocoding 'Berlin': malformed response from "
		 "127.0.0.1:%d: not a JSON object",
		 srv.port);
	ck_assert_str_eq(e.msg, want);
	weather_release(&w);

	/* The place is cached now; the forecast is the broken one. */
	ck_assert_msg(weather_geocode(db, &opts, "Berlin", NOW, &p, &e) == 0, "%s", e.msg);
	openmeteo_place_release(&p);
	ck_assert_int_eq(fake_control(&srv, "{\"malformed\": true}"), 0);
	ck_assert_int_eq(weather_lookup(db, &opts, "Berlin", NOW, &w, &e), -1);
	snprintf(want, sizeof(want),
		 "weather: forecast: malformed response from "
		 "127.0.0.1:%d: not a JSON object",
		 srv.port);
	ck_assert_str_eq(e.msg, want);
	weather_release(&w);

	/* Nothing broken was cached. */
	ck_assert_msg(weather_lookup(db, &opts, "Berlin", NOW, &w, &e) == 0, "%s", e.msg);
	ck_assert_int_eq(w.cached, 0);
	weather_release(&w);
}
END_TEST

START_TEST(test_api_error)
{
	struct weather w;
	struct err e = { 0, "" };
	char want[160];

	ck_assert_int_eq(weather_forecast(db, &opts, 95.0, 0.0, NOW, &w, &e), -1);
	snprintf(want, sizeof(want),
		 "weather: forecast: 127.0.0.1:%d: HTTP 400: Latitude must "
		 "be in range of -90 to 90°. Given: 95.0.",
		 srv.port);
	ck_assert_str_eq(e.msg, want);
	weather_release(&w);
}
END_TEST

START_TEST(test_refused)
{
	struct weather w;
	struct err e = { 0, "" };
	int port = fake_closed_port();
	char *url = xasprintf("http://127.0.0.1:%d/v1/search", port);
	char want[160];

	opts.api.geocoding_url = url;
	opts.api.max_retries = -1;
	ck_assert_int_eq(weather_lookup(db, &opts, "Berlin", NOW, &w, &e), -1);
	snprintf(want, sizeof(want),
		 "weather: geocoding 'Berlin': cannot reach 127.0.0.1:%d: "
		 "connection refused",
		 port);
	ck_assert_str_eq(e.msg, want);
	weather_release(&w);
	free(url);
}
END_TEST

START_TEST(test_json)
{
	struct weather w;
	struct err e = { 0, "" };
	cJSON *j;
	const cJSON *cur, *days;

	opts.api.days = 2;
	ck_assert_msg(weather_lookup(db, &opts, "Tokyo", NOW, &w, &e) == 0, "%s", e.msg);
	j = weather_to_json(&w, "en");
	ck_assert_str_eq(cJSON_GetObjectItem(j, "place")->valuestring, "Tokyo");
	ck_assert_str_eq(cJSON_GetObjectItem(j, "timezone")->valuestring, "Asia/Tokyo");
	cur = cJSON_GetObjectItem(j, "current");
	ck_assert_double_eq_tol(cJSON_GetObjectItem(cur, "temperature")->valuedouble, 9.8, 1e-9);
	ck_assert_str_eq(cJSON_GetObjectItem(cur, "conditions")->valuestring, "mainly clear");
	days = cJSON_GetObjectItem(j, "daily");
	ck_assert_int_eq(cJSON_GetArraySize(days), 2);
	ck_assert_str_eq(cJSON_GetObjectItem(cJSON_GetArrayItem(days, 1), "date")->valuestring,
			 "2026-01-06");
	ck_assert(cJSON_IsFalse(cJSON_GetObjectItem(j, "cached")));
	cJSON_Delete(j);
	weather_release(&w);
}
END_TEST

/* Numbers out of range are refused before any cast (1e300 into an int is
 * undefined). */
START_TEST(test_ranges)
{
	static const char *const bad[][2] = {
		{ "\"utc_offset_seconds\":1e300", "bad 'utc_offset_seconds'" },
		{ "\"utc_offset_seconds\":64801", "bad 'utc_offset_seconds'" },
		{ "\"current\":{\"temperature_2m\":1,\"weather_code\":1e300}",
		  "bad 'weather_code'" },
		{ "\"current\":{\"temperature_2m\":1,\"weather_code\":100}", "bad 'weather_code'" },
		{ "\"current\":{\"temperature_2m\":1,\"weather_code\":-1}", "bad 'weather_code'" },
		{ "\"daily\":{\"time\":[\"2026-01-05\"],\"weather_code\":[-1e300]}",
		  "bad 'weather_code'" },
	};
	struct openmeteo_forecast f;
	struct openmeteo_place p;
	const char *why;
	char body[300], coord[32];
	cJSON *r;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		/* of two same keys cJSON finds the first: the bad one */
		snprintf(body, sizeof(body),
			 "{%s,\"utc_offset_seconds\":3600,\"current\":{\"temperature_2m\":1,"
			 "\"weather_code\":3},\"daily\":{\"time\":[\"2026-01-05\"],"
			 "\"weather_code\":[2]}}",
			 bad[i][0]);
		ck_assert_msg(openmeteo_forecast_parse(body, &f, &why) == -1, "%s", body);
		ck_assert_str_eq(why, bad[i][1]);
		openmeteo_forecast_release(&f);
	}
	ck_assert_int_eq(openmeteo_forecast_parse("{\"utc_offset_seconds\":-64800,\"current\":"
						  "{\"temperature_2m\":1,\"weather_code\":99},"
						  "\"daily\":{\"time\":[\"2026-01-05\"],"
						  "\"weather_code\":[0]}}",
						  &f, &why),
			 0);
	ck_assert_int_eq(f.utc_offset, -64800);
	ck_assert_int_eq(f.code, 99);
	ck_assert_int_eq(f.days[0].code, 0);
	openmeteo_forecast_release(&f);

	r = cJSON_Parse("[{\"name\":\"x\",\"latitude\":90,\"longitude\":-180},"
			"{\"name\":\"x\",\"latitude\":90.5,\"longitude\":0},"
			"{\"name\":\"x\",\"latitude\":0,\"longitude\":1e300}]");
	ck_assert_int_eq(openmeteo_place_parse(cJSON_GetArrayItem(r, 0), &p), 0);
	openmeteo_place_release(&p);
	ck_assert_int_eq(openmeteo_place_parse(cJSON_GetArrayItem(r, 1), &p), -1);
	ck_assert_int_eq(openmeteo_place_parse(cJSON_GetArrayItem(r, 2), &p), -1);
	cJSON_Delete(r);
	openmeteo_coord(coord, sizeof(coord), 1e300);
	ck_assert_str_eq(coord, "180.0000");
	openmeteo_coord(coord, sizeof(coord), -52.52);
	ck_assert_str_eq(coord, "-52.5200");
}
END_TEST

START_TEST(test_code_text)
{
	ck_assert_str_eq(weather_code_text(0, "en"), "clear sky");
	ck_assert_str_eq(weather_code_text(2, NULL), "partly cloudy");
	ck_assert_str_eq(weather_code_text(2, "ru"), "переменная облачность");
	ck_assert_str_eq(weather_code_text(95, "ru-RU"), "гроза");
	ck_assert_str_eq(weather_code_text(1234, "en"), "unknown");
	ck_assert_str_eq(weather_code_text(-1, "ru"), "неизвестно");
}
END_TEST

/* Numbers a server (or a cache) may send that no code or offset is: out
 * of every integer's range, fractions, far outside the earth. */
START_TEST(test_hostile_numbers)
{
	struct openmeteo_forecast f;
	struct openmeteo_place p;
	const char *why;

	/* numbers no int holds are refused before any cast */
	ck_assert_int_eq(
		openmeteo_forecast_parse(
			"{\"utc_offset_seconds\":1e300,\"current\":{\"temperature_2m\":1,"
			"\"weather_code\":1e300},\"daily\":{\"time\":[\"2026-01-05\",\"2026-01-"
			"06\","
			"\"2026-01-07\",\"2026-01-08\"],\"weather_code\":[-3e9,1e9,2.5,95]}}",
			&f, &why),
		-1);
	ck_assert_str_eq(why, "bad 'utc_offset_seconds'");
	openmeteo_forecast_release(&f);
	ck_assert_int_eq(
		openmeteo_forecast_parse(
			"{\"utc_offset_seconds\":0,\"current\":{\"temperature_2m\":1,"
			"\"weather_code\":3},\"daily\":{\"time\":[\"2026-01-05\",\"2026-01-"
			"06\"],\"weather_code\":[95,1e9]}}",
			&f, &why),
		-1);
	ck_assert_str_eq(why, "bad 'weather_code'");
	openmeteo_forecast_release(&f);
	ck_assert_int_eq(openmeteo_geocode_parse("{\"results\":[{\"name\":\"X\",\"latitude\":1e300,"
						 "\"longitude\":2}]}",
						 &p, &why),
			 -1);
	ck_assert_str_eq(why, "bad 'results'");
	ck_assert_int_eq(openmeteo_geocode_parse("{\"results\":[{\"name\":\"X\",\"latitude\":-90,"
						 "\"longitude\":180}]}",
						 &p, &why),
			 0);
	openmeteo_place_release(&p);
	ck_assert_int_eq(openmeteo_geocode_parse("{\"generationtime_ms\":0.5}", &p, &why), 1);
	/* a raw control character in a string is no JSON (RFC 8259) */
	ck_assert_int_eq(
		openmeteo_geocode_parse("{\"results\":[{\"name\":\"X\x1b[2J\",\"latitude\":1,"
					"\"longitude\":2}]}",
					&p, &why),
		-1);
	ck_assert_str_eq(why, "not a JSON object");
	ck_assert_int_eq(
		openmeteo_forecast_parse("{\"utc_offset_seconds\":0,\"timezone\":\"U\tTC\","
					 "\"current\":{\"temperature_2m\":1,\"weather_code\":3}}",
					 &f, &why),
		-1);
	ck_assert_str_eq(why, "not a JSON object");
	openmeteo_forecast_release(&f);
}
END_TEST

/* Text a server (or a cache) may send that no terminal should get: escape
 * sequences, a C1 CSI, a line break, bytes that are not UTF-8, a unit cut
 * inside a character, a day that is not a date. */
START_TEST(test_hostile_text)
{
	struct openmeteo_forecast f;
	struct openmeteo_place p;
	const char *why;

	ck_assert_int_eq(openmeteo_geocode_parse(
				 "{\"results\":[{\"name\":\"Evil\\u001b]52;c;aGk=\\u0007\xfftown\","
				 "\"admin1\":\"Over\\r\\nwrite\",\"country\":\"Bad\xc2\x9b"
				 "31mland\xc0\xaf\",\"latitude\":1,\"longitude\":2}]}",
				 &p, &why),
			 0);
	ck_assert_str_eq(p.name, "Evil]52;c;aGk=\xef\xbf\xbdtown");
	ck_assert_str_eq(p.admin1, "Over write");
	ck_assert_str_eq(p.country, "Bad31mland\xef\xbf\xbd\xef\xbf\xbd");
	openmeteo_place_release(&p);
	ck_assert_int_eq(
		openmeteo_forecast_parse(
			"{\"timezone\":\"UTC\\u001b[2J\",\"current\":{\"temperature_2m\":1,"
			"\"weather_code\":3},\"current_units\":{\"temperature_2m\":"
			"\"\\u001b["
			"5m\xc2\xb0\xc2\xb0\xc2\xb0\xc2\xb0\xc2\xb0\xc2\xb0\xc2\xb0\xc2\xb0\"},"
			"\"daily\":{\"time\":[\"2026-01-05\",\"\\u001b[2J\",\"2026-01-07\"],"
			"\"weather_code\":[1,2,3]}}",
			&f, &why),
		0);
	ck_assert_str_eq(f.timezone, "UTC[2J");
	/* 15 bytes at most: "[5m" and six degree signs, not half a seventh */
	ck_assert_str_eq(f.temp_unit, "[5m\xc2\xb0\xc2\xb0\xc2\xb0\xc2\xb0\xc2\xb0\xc2\xb0");
	ck_assert_int_eq(f.ndays, 2);
	ck_assert_str_eq(f.days[1].date, "2026-01-07");
	openmeteo_forecast_release(&f);
}
END_TEST

START_TEST(test_cache_table)
{
	struct err e = { 0, "" };
	char *v;

	ck_assert_int_eq(cache_get(db, "k", 100, &v, &e), 0);
	ck_assert_ptr_null(v);
	ck_assert_int_eq(cache_put(db, "k", "v1", 200, &e), 0);
	ck_assert_int_eq(cache_put(db, "old", "x", 150, &e), 0);
	ck_assert_int_eq(cache_get(db, "k", 199, &v, &e), 1);
	ck_assert_str_eq(v, "v1");
	free(v);
	ck_assert_int_eq(cache_put(db, "k", "v2", 300, &e), 0);
	ck_assert_int_eq(cache_get(db, "k", 250, &v, &e), 1);
	ck_assert_str_eq(v, "v2");
	free(v);
	/* Expired: a miss, and every expired row goes. */
	ck_assert_int_eq(cache_get(db, "k", 300, &v, &e), 0);
	ck_assert_ptr_null(v);
	ck_assert_int_eq(cache_get(db, "old", 0, &v, &e), 0);
	ck_assert_int_eq(cache_put(db, "k", "v3", 400, &e), 0);
	ck_assert_int_eq(cache_del(db, "k", &e), 0);
	ck_assert_int_eq(cache_get(db, "k", 0, &v, &e), 0);
}
END_TEST

Suite *weather_suite(void)
{
	Suite *s = suite_create("weather");
	TCase *net = tcase_create("fake");
	TCase *pure = tcase_create("pure");

	tcase_add_unchecked_fixture(net, start, stop);
	tcase_add_checked_fixture(net, setup, teardown);
	tcase_set_timeout(net, 20);
	tcase_add_test(net, test_lookup);
	tcase_add_test(net, test_cache);
	tcase_add_test(net, test_imperial);
	tcase_add_test(net, test_russian);
	tcase_add_test(net, test_retry);
	tcase_add_test(net, test_unknown_place);
	tcase_add_test(net, test_timeout);
	tcase_add_test(net, test_malformed);
	tcase_add_test(net, test_api_error);
	tcase_add_test(net, test_refused);
	tcase_add_test(net, test_json);
	tcase_add_test(net, test_cache_table);
	suite_add_tcase(s, net);
	tcase_add_test(pure, test_code_text);
	tcase_add_test(pure, test_hostile_numbers);
	tcase_add_test(pure, test_hostile_text);
	tcase_add_test(pure, test_ranges);
	suite_add_tcase(s, pure);
	return s;
}
