#!/usr/bin/env python3
"""A fake Open-Meteo (geocoding + forecast) for nestor's tests.

Listens on 127.0.0.1 only, on an OS-chosen port unless --port is given, and
prints "PORT <n>" as its first stdout line.  Python 3 standard library only.

API (the real shapes, trimmed to what nestor asks for):
  GET /v1/search?name=Berlin&count=1&language=en&format=json
      Berlin, Tokyo, Kazan (also "Казань"), New York, and Evil (a name
      with escape sequences and bytes that are not UTF-8); any other name gets
      {"generationtime_ms": ...} with no "results", as the real API does.
  GET /v1/forecast?latitude=..&longitude=..&current=..&daily=..&forecast_days=N
      [&temperature_unit=fahrenheit&wind_speed_unit=mph&precipitation_unit=inch]
      Fixed conditions for the four places above (by coordinates), defaults
      elsewhere; dates start at --date (2026-01-05).

Test control (never counted as requests):
  POST /_control  {"fail": [500, 503], "retry_after": "0", "delay": 3,
                   "delay_count": 1, "malformed": true | N, "hold": N,
                   "reset": true}
      fail: the next requests answer these statuses, one each;
      delay: the next delay_count (1) requests wait that many seconds first;
      malformed: the next request (or N) gets truncated JSON with status 200;
      hold: the next N requests (logged as they arrive) wait for
            POST /_release before they are answered (at most 30 s);
      reset: forget the script and the request log.
  POST /_release   let the held requests go on
  GET  /_requests  {"requests": [{"method", "path", "query", "body", "t"}, ...]}
      t: when the request arrived (seconds, the server's monotonic clock)
  GET  /_echo      echoes method, path, query, headers and body as JSON
  POST /_echo      the same
  GET  /_big?n=N   N bytes of "x"
  GET  /_stream?chunks=N&interval_ms=M   N lines "chunk i\\n", M ms apart

--apikey KEY makes /v1/search and /v1/forecast require apikey=KEY as the
paid customer-*api.open-meteo.com hosts do: 401 without it, 400 with a
wrong one ({"error": true, "reason": ...}).  The request log keeps the query,
so a test sees which key came.

--ppid PID makes the server exit when that process is gone, so a crashed
test run leaves nothing behind.
"""

import json
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler

import fakeserver
from urllib.parse import parse_qs, urlsplit

APIKEY = None  # --apikey: the key the paid API requires

PLACES = {
    "berlin": {
        "id": 2950159, "name": "Berlin", "latitude": 52.52437, "longitude": 13.41053,
        "elevation": 74.0, "feature_code": "PPLC", "country_code": "DE",
        "admin1_id": 2950157, "timezone": "Europe/Berlin", "population": 3426354,
        "country_id": 2921044, "country": "Germany", "admin1": "Land Berlin",
        "_offset": 3600, "_abbr": "GMT+1",
        "_now": {"temp": 3.2, "feels": 0.1, "hum": 81, "code": 3, "wind": 12.2},
    },
    "tokyo": {
        "id": 1850147, "name": "Tokyo", "latitude": 35.6895, "longitude": 139.69171,
        "elevation": 44.0, "feature_code": "PPLC", "country_code": "JP",
        "admin1_id": 1850144, "timezone": "Asia/Tokyo", "population": 9733276,
        "country_id": 1861060, "country": "Japan", "admin1": "Tokyo",
        "_offset": 32400, "_abbr": "JST",
        "_now": {"temp": 9.8, "feels": 7.5, "hum": 45, "code": 1, "wind": 8.0},
    },
    "kazan": {
        "id": 551487, "name": "Kazan", "latitude": 55.78874, "longitude": 49.12214,
        "elevation": 64.0, "feature_code": "PPLA", "country_code": "RU",
        "admin1_id": 484048, "timezone": "Europe/Moscow", "population": 1104738,
        "country_id": 2017370, "country": "Russia", "admin1": "Tatarstan",
        "_offset": 10800, "_abbr": "MSK",
        "_now": {"temp": -12.5, "feels": -18.0, "hum": 88, "code": 73, "wind": 15.1},
    },
    "new york": {
        "id": 5128581, "name": "New York", "latitude": 40.71427, "longitude": -74.00597,
        "elevation": 10.0, "feature_code": "PPL", "country_code": "US",
        "admin1_id": 5128638, "timezone": "America/New_York", "population": 8804190,
        "country_id": 6252001, "country": "United States", "admin1": "New York",
        "_offset": -18000, "_abbr": "EST",
        "_now": {"temp": 1.5, "feels": -2.0, "hum": 70, "code": 61, "wind": 20.4},
    },
    # a hostile geocoder: escape sequences, a bell, a C1 CSI, a CR and
    # bytes that are not UTF-8 (each "\udcXX" is sent as the byte XX)
    "evil": {
        "id": 1, "name": "Evil\u001b]52;c;aGk=\u0007\u001b[2Jtown\udcff",
        "latitude": 1.5, "longitude": 2.5, "elevation": 1.0, "feature_code": "PPL",
        "country_code": "XX", "admin1_id": 1, "timezone": "UTC", "population": 1,
        "country_id": 1, "country": "Bad\u009b31mland\udcc0\udcaf", "admin1": "Over\rwrite",
        "_offset": 0, "_abbr": "UTC",
        "_now": {"temp": 20.0, "feels": 20.0, "hum": 50, "code": 0, "wind": 1.0},
    },
}
# Russian names, answered in Russian when language=ru.
ALIASES = {"казань": ("kazan", "Казань", "Россия", "Татарстан"),
           "берлин": ("berlin", "Берлин", "Германия", "Берлин"),
           "токио": ("tokyo", "Токио", "Япония", "Токио")}

DAILY_CODES = [3, 61, 0, 2, 45, 71, 95]
DAILY_PRECIP = [0.0, 4.2, 0.0, 0.3, 0.0, 2.5, 12.0]
DAILY_PROB = [10, 80, 5, 30, 0, 60, 90]


class State:
    def __init__(self):
        self.lock = threading.Lock()
        self.reset()

    def reset(self):
        self.fail = []
        self.retry_after = None
        self.delay = 0.0
        self.delay_count = 0
        self.malformed = 0
        self.hold = 0
        self.release = threading.Event()
        self.requests = []


STATE = State()
START_DATE = "2026-01-05"


def public(place):
    return {k: v for k, v in place.items() if not k.startswith("_")}


def find_by_coords(lat, lon):
    for p in PLACES.values():
        if abs(p["latitude"] - lat) < 0.01 and abs(p["longitude"] - lon) < 0.01:
            return p
    return None


def dates(start, n):
    t = time.mktime(time.strptime(start + " 12", "%Y-%m-%d %H"))
    return [time.strftime("%Y-%m-%d", time.localtime(t + 86400 * i)) for i in range(n)]


def forecast(q):
    try:
        lat = float(q["latitude"][0])
        lon = float(q["longitude"][0])
    except (KeyError, ValueError):
        return 400, {"error": True, "reason": "Parameter 'latitude' and 'longitude' required"}
    if not -90 <= lat <= 90:
        return 400, {"error": True,
                     "reason": "Latitude must be in range of -90 to 90°. Given: %s." % lat}
    days = int(q.get("forecast_days", ["7"])[0])
    if not 1 <= days <= 16:
        return 400, {"error": True, "reason": "Forecast days is invalid."}
    place = find_by_coords(lat, lon)
    now = place["_now"] if place else {"temp": 10.0, "feels": 9.0, "hum": 50, "code": 0,
                                       "wind": 5.0}
    fahr = q.get("temperature_unit", ["celsius"])[0] == "fahrenheit"
    mph = q.get("wind_speed_unit", ["kmh"])[0] == "mph"
    inch = q.get("precipitation_unit", ["mm"])[0] == "inch"

    def t(c):
        return round(c * 9 / 5 + 32, 1) if fahr else round(c, 1)

    def w(k):
        return round(k * 0.621371, 1) if mph else k

    def p(mm):
        return round(mm / 25.4, 3) if inch else mm

    tu = "°F" if fahr else "°C"
    wu = "mp/h" if mph else "km/h"
    pu = "inch" if inch else "mm"
    ds = dates(START_DATE, days)
    base = now["temp"]
    return 200, {
        "latitude": round(lat, 2), "longitude": round(lon, 2),
        "generationtime_ms": 0.0591278076171875,
        "utc_offset_seconds": place["_offset"] if place else 0,
        "timezone": place["timezone"] if place else "GMT",
        "timezone_abbreviation": place["_abbr"] if place else "GMT",
        "elevation": place["elevation"] if place else 0.0,
        "current_units": {"time": "iso8601", "interval": "seconds",
                          "temperature_2m": tu, "relative_humidity_2m": "%",
                          "apparent_temperature": tu, "weather_code": "wmo code",
                          "wind_speed_10m": wu},
        "current": {"time": ds[0] + "T14:15", "interval": 900,
                    "temperature_2m": t(now["temp"]),
                    "relative_humidity_2m": now["hum"],
                    "apparent_temperature": t(now["feels"]),
                    "weather_code": now["code"], "wind_speed_10m": w(now["wind"])},
        "daily_units": {"time": "iso8601", "weather_code": "wmo code",
                        "temperature_2m_max": tu, "temperature_2m_min": tu,
                        "precipitation_sum": pu, "precipitation_probability_max": "%"},
        "daily": {
            "time": ds,
            "weather_code": [DAILY_CODES[i % 7] for i in range(days)],
            "temperature_2m_max": [t(base + 2 + i) for i in range(days)],
            "temperature_2m_min": [t(base - 3 - i) for i in range(days)],
            "precipitation_sum": [p(DAILY_PRECIP[i % 7]) for i in range(days)],
            "precipitation_probability_max": [DAILY_PROB[i % 7] for i in range(days)],
        },
    }


def search(q):
    name = q.get("name", [""])[0].strip()
    lang = q.get("language", ["en"])[0]
    if not name:
        return 400, {"error": True, "reason": "Parameter 'name' is missing"}
    key = name.lower()
    result = None
    if key in PLACES:
        result = public(PLACES[key])
    elif key in ALIASES:
        base, ru_name, ru_country, ru_admin = ALIASES[key]
        result = public(PLACES[base])
        if lang == "ru":
            result.update(name=ru_name, country=ru_country, admin1=ru_admin)
    if result is None:
        return 200, {"generationtime_ms": 0.5140304}
    return 200, {"results": [result], "generationtime_ms": 0.7760525}


class Handler(BaseHTTPRequestHandler):
    server_version = "fake-openmeteo/1"

    def log_message(self, fmt, *args):
        pass

    def send_json(self, status, obj, raw=None):
        data = raw if raw is not None else json.dumps(obj, ensure_ascii=False).encode("utf-8", "surrogateescape")
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        if status >= 400 and STATE.retry_after is not None:
            self.send_header("Retry-After", STATE.retry_after)
        self.end_headers()
        try:
            self.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):
            pass

    def read_body(self):
        n = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(n) if n else b""

    def control(self, body):
        try:
            c = json.loads(body or b"{}")
        except ValueError:
            return self.send_json(400, {"error": True, "reason": "bad control JSON"})
        with STATE.lock:
            if c.get("reset"):
                STATE.reset()
            if "fail" in c:
                STATE.fail = [int(s) for s in c["fail"]]
            if "retry_after" in c:
                STATE.retry_after = (None if c["retry_after"] is None
                                     else str(c["retry_after"]))
            if "delay" in c:
                STATE.delay = float(c["delay"])
                STATE.delay_count = int(c.get("delay_count", 1))
            if "hold" in c:
                STATE.hold = int(c["hold"])
                STATE.release.clear()
            if "malformed" in c:
                m = c["malformed"]
                STATE.malformed = int(m) if not isinstance(m, bool) else (1 if m else 0)
        self.send_json(200, {"ok": True})

    def handle_any(self, method):
        u = urlsplit(self.path)
        q = parse_qs(u.query)
        body = self.read_body() if method == "POST" else b""
        if u.path == "/_control":
            return self.control(body)
        if u.path == "/_release":
            STATE.release.set()
            return self.send_json(200, {"ok": True})
        if u.path == "/_requests":
            with STATE.lock:
                reqs = list(STATE.requests)
            return self.send_json(200, {"requests": reqs})

        with STATE.lock:
            STATE.requests.append({"method": method, "path": u.path, "query": u.query,
                                   "body": body.decode("utf-8", "replace"),
                                   "t": time.monotonic()})
            delay = 0.0
            if STATE.delay_count > 0:
                STATE.delay_count -= 1
                delay = STATE.delay
            hold = STATE.hold > 0
            if hold:
                STATE.hold -= 1
            fail = STATE.fail.pop(0) if STATE.fail else None
            malformed = False
            if fail is None and STATE.malformed > 0:
                STATE.malformed -= 1
                malformed = True
        if delay:
            time.sleep(delay)
        if hold:
            STATE.release.wait(30)
        if fail is not None:
            return self.send_json(fail, {"error": True, "reason": "fake failure %d" % fail})
        if malformed:
            return self.send_json(200, None, raw=b'{"latitude": 52.52, "current": {"temp')

        if APIKEY is not None and u.path in ("/v1/search", "/v1/forecast"):
            got = q.get("apikey")
            if not got:
                return self.send_json(401, {"error": True, "reason": "API key required"})
            if got != [APIKEY]:
                return self.send_json(400, {"error": True, "reason": "Invalid API key"})
        if u.path == "/v1/search":
            return self.send_json(*search(q))
        if u.path == "/v1/forecast":
            return self.send_json(*forecast(q))
        if u.path == "/_echo":
            return self.send_json(200, {
                "method": method, "path": u.path, "query": u.query,
                "headers": {k.lower(): v for k, v in self.headers.items()},
                "body": body.decode("utf-8", "replace")})
        if u.path == "/_big":
            n = int(q.get("n", ["0"])[0])
            return self.send_json(200, None, raw=b"x" * n)
        if u.path == "/_stream":
            return self.stream(int(q.get("chunks", ["3"])[0]),
                               int(q.get("interval_ms", ["10"])[0]))
        return self.send_json(404, {"error": True, "reason": "Not Found"})

    def stream(self, chunks, interval_ms):
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.end_headers()
        try:
            for i in range(chunks):
                self.wfile.write(b"chunk %d\n" % i)
                self.wfile.flush()
                time.sleep(interval_ms / 1000)
        except (BrokenPipeError, ConnectionResetError):
            pass

    def do_GET(self):
        self.handle_any("GET")

    def do_POST(self):
        self.handle_any("POST")


def main():
    global START_DATE, APIKEY
    ap = fakeserver.arguments(__doc__.splitlines()[0])
    ap.add_argument("--date", default=START_DATE, help="first forecast date")
    ap.add_argument("--apikey", help="require this apikey (the paid API)")
    args = ap.parse_args()
    START_DATE = args.date
    APIKEY = args.apikey
    fakeserver.serve(Handler, args)


if __name__ == "__main__":
    sys.exit(main())
