#!/bin/sh
# The Telegram relay against a fake Bot API: linking, an unlinked chat,
# requests in English and Russian doing what the CLI does, commands, media,
# HTML escaping and splitting, plain-text retry, 429 honoured, 409 named, a
# location answered with the forecast there (fetched outside the update's
# transaction, never inside, even when the cache has none: a slow or
# failing Open-Meteo does not lock the store).
. "${NESTOR_SRC:-$(dirname "$0")/../..}/tests/cli/lib.sh"
. "$SRC/tests/fake/telegram.sh"
. "$SRC/tests/fake/openmeteo.sh"
cd "$NESTOR_HOME"
fake_telegram_start
fake_openmeteo_start
fake_openmeteo_config
nestor config set telegram.chat_interval 0 >/dev/null

relay_start() {
	# Emptied here, not by the background job's redirection: an earlier
	# run's "relaying as" line must not pass for this one's.
	: >"$NESTOR_HOME/run.err"
	"$NESTOR_BIN" telegram run "$@" 2>"$NESTOR_HOME/run.err" &
	RELAY=$!
	trap 'kill $TG_PID $FAKE $RELAY 2>/dev/null || true' EXIT
	wait_until -s 'cat run.err' "the relay to start" grep -qs 'relaying as @nestor_test_bot' run.err
}
relay_stop() {
	kill "$RELAY"
	wait "$RELAY" || fail "the relay exited $? on SIGTERM: $(cat run.err)"
}

# Linking: a code, /start CODE from the phone; an unlinked chat changes nothing.
code=$(nestor telegram link --json | "$PY" -c 'import json,sys; print(json.load(sys.stdin)["code"])')
expect_match "link code" "$code" '^[A-Z2-9]{8}$'
nestor telegram link | grep -q "^  /start [A-Z2-9]\{8\}$" || fail "link prints the /start line"
relay_start
expect_eq "setMyCommands en" "$(tg_json "[c['command'] for c in d['commands']['']]")" \
	"['agenda', 'tasks', 'reminders', 'new', 'help']"
expect_match "setMyCommands ru" "$(tg_json "d['commands']['ru'][0]['description']")" 'События'
tg_message 77 "remind me to call mom tomorrow at 5pm"
tg_wait_sent 77 1
expect_match "unlinked chat" "$(tg_text 77 1)" 'not linked to nestor.*nestor telegram link'
expect_eq "unlinked: no reminder" "$(nestor remind list --json)" "[]"
expect_eq "unlinked: no typing" "$(tg_json "[a for a in d['actions'] if a['chat_id'] == 77]")" "[]"
tg_message 55 "/start WRONGCODE"
tg_wait_sent 55 1
expect_match "a wrong code" "$(tg_text 55 1)" 'unknown or has expired'
tg_message 55 "/start $code"
tg_wait_sent 55 2
expect_match "linked" "$(tg_text 55 2)" 'belongs to me'
tg_message 56 "/start $code"
tg_wait_sent 56 1
expect_match "a code works once" "$(tg_text 56 1)" 'unknown or has expired'

# English and Russian from the phone make what the CLI makes.
tg_message 55 "remind me to call mom tomorrow at 5pm"
tg_wait_sent 55 3
tg_message 55 "добавь задачу купить молоко" ru
tg_wait_sent 55 4
expect_match "reply in Russian" "$(tg_text 55 4)" 'молоко'
expect_eq "typing" "$(tg_json "len([a for a in d['actions'] if a == {'chat_id': 55, 'action': 'typing'}])")" 2
nestor remind add "call mom" --at "tomorrow 17:00" --channel stdout >/dev/null
nestor task add "купить молоко" >/dev/null
expect_eq "same reminders" "$(nestor remind list --json | "$PY" -c 'import json,sys; r=json.load(sys.stdin); print(len(r), r[0]["text"]==r[1]["text"], r[0]["at"]==r[1]["at"])')" "2 True True"
expect_eq "same tasks" "$(nestor task list --json | "$PY" -c 'import json,sys; print(sorted(t["title"] for t in json.load(sys.stdin)))')" "['купить молоко', 'купить молоко']"

# Commands, one conversation per chat, /new, media.
tg_message 55 "/tasks"
tg_wait_sent 55 5
expect_match "/tasks" "$(tg_text 55 5)" 'купить молоко'
conv=$(nestor history list --json | "$PY" -c 'import json,sys; print(len([c for c in json.load(sys.stdin) if c["channel"] == "telegram"]))')
expect_eq "one telegram conversation" "$conv" 1
tg_message 55 "/new"
tg_wait_sent 55 6
tg_message 55 "/agenda@nestor_test_bot"
tg_wait_sent 55 7
conv=$(nestor history list --json | "$PY" -c 'import json,sys; print(len([c for c in json.load(sys.stdin) if c["channel"] == "telegram"]))')
expect_eq "/new starts another" "$conv" 2
tg_post /_message '{"chat_id": 55, "voice": true}' >/dev/null
tg_wait_sent 55 8
expect_match "voice" "$(tg_text 55 8)" 'Voice messages are not supported yet'

# HTML: text with < & > arrives as written; a long reply is split on lines.
nestor task add "fix a<b && c>d" >/dev/null
tg_message 55 "/tasks"
tg_wait_sent 55 9
expect_match "escaped" "$(tg_text 55 9)" 'fix a<b && c>d'
expect_eq "sent as HTML" "$(tg_json "d['messages'][-1]['parse_mode']")" "HTML"
i=0
while [ $i -lt 70 ]; do
	i=$((i + 1))
	printf 'INSERT INTO tasks(user_id, title, priority, status, created_at) VALUES (1, %s, 0, %s, 0);\n' \
		"'a long task title number $i to fill the reply beyond the limit of one message'" "'todo'"
done >tasks.sql
db=$(nestor status --json | "$PY" -c 'import json,sys; print(json.load(sys.stdin)["database"]["path"])')
"$PY" -c 'import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); c.executescript(open("tasks.sql").read()); c.commit()' "$db"
tg_message 55 "/tasks"
tg_wait_sent 55 11
n=$(tg_count 55)
expect_eq "split in two" "$(tg_json "[len(m['text']) <= 4096 and not m['text'].endswith(chr(10)) for m in d['messages'] if m['chat_id'] == 55][9:]")" "[True, True]"
expect_match "split at a line" "$(tg_text 55 11)" '^(•|-|[0-9]|\[| )'

# Telegram refuses the HTML: the same text again as plain text.
tg_post /_control '{"fail": [{"method": "sendMessage", "status": 400}]}' >/dev/null
tg_message 55 "/reminders"
tg_wait_sent 55 $((n + 1))
expect_eq "plain retry" "$(tg_json "d['messages'][-1]['parse_mode']")" "None"
expect_match "plain retry text" "$(tg_text 55 -1)" 'call mom'

# 429: the chat waits retry_after before its next message (the fake checks).
sends() { curl -sf "$TG/_requests" | "$PY" -c "import json,sys; r=[x['t'] for x in json.load(sys.stdin)['requests'] if x['method'] == 'sendMessage']; print($1)"; }
k=$(sends 'len(r)')
tg_post /_control '{"fail": [{"method": "sendMessage", "status": 429, "retry_after": 2}]}' >/dev/null
tg_message 55 "/help"
tg_message 55 "/tasks"
tg_wait_sent 55 $((n + 4))
expect_eq "no message inside retry_after" "$(tg_json "d['violations']")" "[]"
expect_eq "the pause after a 429" "$(sends "r[$k + 1] - r[$k] >= 2")" True

# Telegram away: a 502 on the poll and a connection dropped on the answer;
# the answer goes out once when it is back.
tg_post /_control '{"fail": [{"method": "getUpdates", "status": 502}], "drop": ["sendMessage"]}' >/dev/null
n=$(tg_count 55)
tg_message 55 "/reminders"
tg_wait_sent 55 $((n + 1))
expect_eq "one answer after the outage" "$(tg_count 55)" $((n + 1))
relay_stop

# 409 from another poller: named, and the relay stops.
tg_post /_control '{"fail": [{"method": "getUpdates", "status": 409}]}' >/dev/null
if nestor telegram run 2>run.err; then fail "run with another poller succeeded"; fi
expect_match "409 poller" "$(cat run.err)" 'another process polls this bot'

# 409: a webhook is set; the error says so and --delete-webhook is the fix.
tg_post /_control '{"webhook": "https://example.invalid/hook"}' >/dev/null
if nestor telegram run 2>run.err; then fail "run with a webhook set succeeded"; fi
expect_match "409 webhook" "$(cat run.err)" 'a webhook is set.*--delete-webhook'
nestor config set weather.timeout 30 >/dev/null # longer than a writer waits (10 s)
relay_start --delete-webhook
expect_eq "webhook deleted" "$(tg_json "d['webhook']")" "None"

# A location: the place for the weather, and the forecast there.
n=$(tg_count 55)
tg_post /_message '{"chat_id": 55, "location": {"latitude": 52.52, "longitude": 13.41}}' >/dev/null
tg_wait_sent 55 $((n + 1))
expect_match "location saved" "$(tg_text 55 -1)" 'Place saved for the weather'
expect_match "forecast there" "$(tg_text 55 -1)" 'now: 3.2 °C, feels like 0.1 °C, overcast'
# The forecast is fetched before the update's transaction: while
# Open-Meteo takes longer than a writer waits for the lock, the terminal
# still writes.
forecasts() { curl -sf "$BASE/_requests" | "$PY" -c 'import json,sys; print(len([r for r in json.load(sys.stdin)["requests"] if r["path"] == "/v1/forecast"]))'; }
before=$(forecasts)
curl -sf -X POST "$BASE/_control" -d '{"delay": 12}' >/dev/null
tg_post /_message '{"chat_id": 55, "location": {"latitude": 35.68, "longitude": 139.69}}' >/dev/null
forecast_asked() { [ "$(forecasts)" -gt "$before" ]; }
wait_until -s 'cat run.err' "the relay to ask for the forecast" forecast_asked
nestor task add "written while the forecast comes" >/dev/null ||
	fail "the store was locked while the relay fetched a forecast"
tg_wait_sent 55 $((n + 2)) 30
expect_match "second place saved" "$(tg_text 55 -1)" 'Place saved for the weather'
# Nor under the write lock when the cache has no forecast (here no cache
# at all): the one fetched before is the answer, and a failed one is said
# so; Open-Meteo is asked once per location, never inside the transaction.
relay_stop
nestor config set weather.cache_ttl 0 >/dev/null
nestor config set weather.timeout 30 >/dev/null
relay_start
before=$(forecasts)
curl -sf -X POST "$BASE/_control" -d '{"delay": 11, "delay_count": 2}' >/dev/null
tg_post /_message '{"chat_id": 55, "location": {"latitude": 48.85, "longitude": 2.35}}' >/dev/null
wait_until -s 'cat run.err' "the relay to ask for the forecast" forecast_asked
answered_or_asked_again() { tg_has_count 55 $((n + 3)) || [ "$(forecasts)" -gt $((before + 1)) ]; }
wait_until -t 30 -s 'cat run.err' "the forecast to come" answered_or_asked_again
nestor task add "written after the forecast came" >/dev/null ||
	fail "the store was locked while the relay fetched a forecast again"
tg_wait_sent 55 $((n + 3)) 30
expect_match "uncached forecast" "$(tg_text 55 -1)" 'Place saved for the weather.*
.*now: 3.2 °C'
expect_eq "forecasts asked" "$(forecasts)" $((before + 1))
before=$(forecasts)
curl -sf -X POST "$BASE/_control" -d '{"fail": [500, 500, 500]}' >/dev/null
tg_post /_message '{"chat_id": 55, "location": {"latitude": 48.85, "longitude": 2.35}}' >/dev/null
tg_wait_sent 55 $((n + 4)) 30
expect_match "failed forecast" "$(tg_text 55 -1)" 'The forecast is not available now\.'
expect_eq "forecasts asked after a failure" "$(forecasts)" $((before + 3))
relay_stop
nestor config set weather.cache_ttl 1800 >/dev/null
relay_start

# A control character in a message is left out, not the message: the turn
# runs on the rest (another device would refuse it on a pull).
tg_message 55 "add task buy $(printf '\033')bread"
tg_wait_sent 55 $((n + 5))
expect_match "a control character dropped" "$(tg_text 55 -1)" 'buy bread'
expect_eq "stored without it" "$(nestor task list --json | "$PY" -c 'import json,sys; print([t["title"] for t in json.load(sys.stdin) if "bread" in t["title"]])')" "['buy bread']"

# status and unlink.
st=$(nestor telegram status --json)
expect_eq "status" "$(printf '%s' "$st" | "$PY" -c 'import json,sys; s=json.load(sys.stdin); print(s["bot"], [c["chat"] for c in s["chats"]], s["outbox"], s["offset"] > 100000)')" "nestor_test_bot [55] 0 True"
relay_stop
nestor telegram unlink 55 >/dev/null
expect_eq "unlinked" "$(nestor telegram status --json | "$PY" -c 'import json,sys; print(json.load(sys.stdin)["chats"])')" "[]"
if nestor telegram unlink 55 2>err; then fail "unlink of an unlinked chat succeeded"; fi
expect_eq "unlink again" "$(cat err)" "nestor: telegram unlink: chat 55 is not linked"
echo ok
