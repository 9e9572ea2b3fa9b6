# nestor weather / time / ask against a fake Open-Meteo on 127.0.0.1:
# a hit, a cache hit without a request, 500 then success, a timeout,
# malformed JSON, no server at all; the paid API, its key given through
# weather.key_secret.
. "$(dirname "$0")/lib.sh"
. "$SRC/tests/fake/openmeteo.sh"
cd "$NESTOR_HOME"
fake_openmeteo_start
# fake API: control and request log
control() { python3 -c 'import sys,urllib.request as u; u.urlopen(u.Request(sys.argv[1]+"/_control", data=sys.argv[2].encode(), headers={"Content-Type":"application/json"})).read()' "$BASE" "$1"; }
requests() { python3 -c 'import sys,json,urllib.request as u; r=json.load(u.urlopen(sys.argv[1]+"/_requests"))["requests"]; print(len([x for x in r if x["path"].startswith(sys.argv[2])]))' "$BASE" "$1"; }

fake_openmeteo_config
nestor config set general.location Berlin >/dev/null

# a hit: the default place, human text
out=$(nestor weather)
expect_match "weather" "$out" "^Berlin, Land Berlin, Germany \(Europe/Berlin\)"
expect_match "weather now" "$out" "now: 3.2 °C, feels like 0.1 °C, overcast"
expect_eq "forecast lines" "$(printf '%s\n' "$out" | grep -c '^20')" 3
expect_eq "requests after the first" "$(requests /v1/forecast)" 1

# a cache hit: the same answer, no request
out2=$(nestor weather)
expect_eq "cached answer" "$out2" "$out"
expect_eq "requests after a cache hit" "$(requests /v1/forecast)" 1

# --json, --days, another place
json=$(nestor weather Tokyo --days 2 --json)
expect_match "json place" "$json" '"place":[[:space:]]*"Tokyo"'
expect_eq "json days" "$(printf '%s\n' "$json" | grep -c '"date"')" 2

# 500, then success: retried, the user sees the forecast
nestor config set weather.cache_ttl 0 >/dev/null
control '{"fail": [500]}'
before=$(requests /v1/forecast)
out=$(nestor weather Berlin) || fail "weather after a 500"
expect_match "after a 500" "$out" "^Berlin"
expect_eq "a retry was made" "$(requests /v1/forecast)" $((before + 2))

# a timeout: a clear error, exit 1
nestor config set weather.timeout 1 >/dev/null
control '{"delay": 3, "delay_count": 3}'
set +e
nestor weather Berlin >out.txt 2>err.txt
rc=$?
set -e
expect_eq "timeout exit" "$rc" 1
expect_match "timeout error" "$(cat err.txt)" "^nestor: weather: .*127\.0\.0\.1:$PORT timed out"
control '{"reset": true}'

# malformed JSON with status 200: a clear error
control '{"malformed": 3}'
set +e
nestor weather Tokyo >out.txt 2>err.txt
rc=$?
set -e
expect_eq "malformed exit" "$rc" 1
expect_match "malformed error" "$(cat err.txt)" "^nestor: weather: .*(JSON|json)"
control '{"reset": true}'

# unknown place
set +e
nestor weather Atlantis >out.txt 2>err.txt
rc=$?
set -e
expect_eq "unknown place exit" "$rc" 1
expect_eq "unknown place" "$(cat err.txt)" 'nestor: weather: unknown place "Atlantis"'

# the assistant uses the same tool, and answers in Russian for Russian
out=$(nestor ask "погода в Казани")
expect_match "ask ru" "$out" "^Казань, Россия:"
expect_match "ask ru now" "$out" "сейчас -12 °C"
out=$(nestor ask "weather in Berlin tomorrow")
expect_match "ask tomorrow" "$out" "^Berlin, Germany:"
expect_match "ask tomorrow line" "$out" "^  tomorrow: "

# time: the tz database first, the geocoder for the rest
geo=$(requests /v1/search)
expect_match "time Tokyo" "$(nestor time Tokyo)" "Asia/Tokyo$"
expect_match "ask time in Berlin" "$(nestor ask 'time in Berlin')" "\(Europe/Berlin\)$"
expect_match "ask time in Munich" "$(nestor ask 'сколько времени в Мюнхене')" "\(Europe/Berlin\)$"
expect_eq "places tzdata knows ask no geocoder" "$(requests /v1/search)" "$geo"
expect_match "time Kazan" "$(nestor time Kazan)" "Europe/Moscow$"
# 15:00 today (1 June: summer time in Berlin, UTC+2) is 22:00 in Tokyo
expect_match "time convert" "$(nestor time convert 15:00 Berlin Tokyo | tail -1)" "22:00 JST .*Asia/Tokyo$"
expect_match "ask time" "$(nestor ask 'what time is it in Tokyo')" "^In Tokyo it's [0-9][0-9]:[0-9][0-9], .* \(Asia/Tokyo\)$"

# a geocoder whose names hold escape sequences, a bell, a C1 CSI, a CR and
# bytes that are not UTF-8: what nestor prints, to a pipe too, and what it
# caches is UTF-8 (U+FFFD for the bytes) without a control character
nestor weather evil > evil.txt
nestor weather evil --json > evil.json
nestor ask 'weather in evil' > evil-ask.txt
python3 - evil.txt evil.json evil-ask.txt <<'PY'
import json, re, sys
for f in sys.argv[1:]:
    t = open(f, "rb").read().decode("utf-8")
    bad = re.findall("[\x00-\x08\x0b-\x1f\x7f-\x9f]", t)
    assert not bad, (f, bad, t)
t = open(sys.argv[1], encoding="utf-8").read()
assert t.startswith("Evil]52;c;aGk=[2Jtown\ufffd, Over write, Bad31mland\ufffd\ufffd (UTC)\n"), t
assert json.load(open(sys.argv[2], encoding="utf-8"))["place"] == "Evil]52;c;aGk=[2Jtown\ufffd"
PY
sqlite3 nestor.db "SELECT value FROM tool_cache WHERE key LIKE 'weather:geo:%evil'" |
	python3 -c 'import sys; t = sys.stdin.buffer.read().decode("utf-8"); assert "\x1b" not in t, t'

# URLs with a query of their own: nestor's parameters follow with '&', or
# with nothing after a trailing '&'; the request carries both
nestor config set weather.forecast_url "$BASE/v1/forecast?models=icon" >/dev/null
nestor config set weather.geocoding_url "$BASE/v1/search?countryCode=JP&" >/dev/null
sqlite3 nestor.db "DELETE FROM tool_cache WHERE key LIKE 'weather:geo:%tokyo'"
control '{"reset": true}'
out=$(nestor weather Tokyo) || fail "weather with a query in the URLs"
expect_match "query in the URLs" "$out" "^Tokyo"
python3 - "$BASE" <<'PY'
import json, sys, urllib.parse, urllib.request as u
r = json.load(u.urlopen(sys.argv[1] + "/_requests"))["requests"]
q = {x["path"]: urllib.parse.parse_qs(x["query"]) for x in r}
assert q["/v1/forecast"]["models"] == ["icon"], r
assert q["/v1/forecast"]["latitude"] == ["35.6895"], r
assert "forecast_days" in q["/v1/forecast"], r
assert q["/v1/search"]["countryCode"] == ["JP"], r
assert q["/v1/search"]["name"] == ["Tokyo"], r
assert all("?" not in x["query"] for x in r), r
PY
fake_openmeteo_config

# no server at all: a clear error naming the host
kill $FAKE
wait $FAKE 2>/dev/null || true
set +e
nestor weather Paris >out.txt 2>err.txt
rc=$?
set -e
expect_eq "offline exit" "$rc" 1
expect_match "offline error" "$(cat err.txt)" "cannot reach 127\.0\.0\.1:$PORT"

# the paid API: its key is the secret weather.key_secret names, sent as
# apikey (percent-encoded) and kept out of the config, the log, stderr and
# the database
fake_openmeteo_start --apikey 'k3y&+/ é=1'
fake_openmeteo_config
# try ARGS: nestor ARGS, its status in rc, its output in out.txt and err.txt
try() { rc=0; nestor "$@" >out.txt 2>err.txt || rc=$?; }
try config set weather.forecast_url "$BASE/v1/forecast?apikey=k3y"
expect_eq "key in a URL refused" "$rc" 2
expect_match "key in a URL: the way" "$(cat err.txt)" "weather\.forecast_url .*apikey.*weather\.key_secret"
try weather "New York"
expect_eq "no key exit" "$rc" 1
expect_match "no key: the paid API's answer" "$(cat err.txt)" "HTTP 401: API key required"
nestor config set weather.key_secret openmeteo >/dev/null
try weather "New York"
expect_eq "missing secret exit" "$rc" 1
expect_eq "missing secret: one line" "$(wc -l <err.txt)" 1
expect_match "missing secret: names the setting and the secret" "$(cat err.txt)" \
	"weather\.key_secret: no secret named 'openmeteo' .*NESTOR_SECRET_OPENMETEO"
export NESTOR_SECRET_OPENMETEO='k3y&+/ é=1'
NESTOR_LOG=debug nestor weather "New York" >out.txt 2>err.txt || fail "keyed weather: $(cat err.txt)"
expect_match "keyed weather" "$(cat out.txt)" "^New York"
python3 - "$BASE" <<'PY'
import json, sys, urllib.parse, urllib.request as u
r = json.load(u.urlopen(sys.argv[1] + "/_requests"))["requests"]
keyed = [x for x in r if x["path"] in ("/v1/search", "/v1/forecast")]
got = {x["path"]: urllib.parse.parse_qs(x["query"]).get("apikey") for x in keyed}
assert got.get("/v1/search") == ["k3y&+/ é=1"], got
assert got.get("/v1/forecast") == ["k3y&+/ é=1"], got
PY
for f in $(find "$NESTOR_HOME" -type f ! -name 'fake.*') err.txt out.txt; do
	if grep -qF 'k3y' "$f"; then fail "the key is in $f"; fi
done
# a wrong key: the API's reason, the key not repeated
export NESTOR_SECRET_OPENMETEO=wrong-k3y
try weather Tokyo
expect_eq "wrong key exit" "$rc" 1
expect_match "wrong key" "$(cat err.txt)" "HTTP 400: Invalid API key"
if grep -qF 'k3y' err.txt; then fail "the wrong key is in stderr"; fi
unset NESTOR_SECRET_OPENMETEO
