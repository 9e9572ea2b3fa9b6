# Routines with an LLM assistant, against tests/fake/openai.py: one due
# within seconds, with the daemon running, runs its request as a turn (the
# model calls day_brief, then answers) and the answer goes out on the
# command channel; a turn that fails (the server down) is recorded, nothing
# is delivered, and it is retried later.
. "$(dirname "$0")/lib.sh"
. "$SRC/tests/fake/openai.sh"
unset DISPLAY WAYLAND_DISPLAY DBUS_SESSION_BUS_ADDRESS
export TZ=Europe/Berlin
dir=$NESTOR_HOME
cd "$dir"
pid=
fake_openai_start
trap 'kill $FAKE_PID 2>/dev/null; [ -n "$pid" ] && kill "$pid" 2>/dev/null; rm -rf "$FAKE_DIR"; true' EXIT
nestor assistant add gpt --base-url "$FAKE_URL" --model fake-model >/dev/null
cat > notify.sh <<'SH'
#!/bin/sh
printf '%s\n' "$1" >> "$(dirname "$0")/delivered"
SH
chmod +x notify.sh
nestor config set notify.command "$dir/notify.sh" >/dev/null
nestor config set notify.channels command >/dev/null
nestor task add "send the report" --due today >/dev/null
iso() { date -d "@$1" '+%Y-%m-%dT%H:%M:%S%z'; }
wait_for() { # FILE TEXT
	i=0
	until grep -qF -- "$2" "$1" 2>/dev/null; do
		i=$((i + 1)); [ $i -lt 200 ] || fail "timed out waiting for [$2] in $1: [$(cat "$1" 2>/dev/null)]"
		sleep 0.05
	done
}

# -- due in two seconds with the daemon running: the model's answer delivered
fake_script '[{"calls": [{"name": "day_brief", "arguments": {}}]},
              {"say": ["Good morning! ", "One task is due today: send the report."]}]'
"$NESTOR_BIN" daemon --foreground > d.out 2>&1 & pid=$!
id=$(nestor routine add "my day" --assistant gpt --every "every day" \
	--at "$(iso $(( $(test_now) + 2 )))")
wait_for delivered "Good morning! One task is due today: send the report."
fake_py '
assert len(reqs) == 2, len(reqs)
first, second = (r["json"] for r in reqs)
assert first["messages"][-1] == {"role": "user", "content": "my day"}, first["messages"][-1]
assert "day_brief" in [t["function"]["name"] for t in first["tools"]]
call, result = second["messages"][-2:]
assert call["tool_calls"][0]["function"]["name"] == "day_brief"
brief = json.loads(result["content"])
assert brief["tasks"][0]["title"] == "send the report", brief
assert brief["missing"][0]["what"] == "weather", brief
'
hist=$(nestor jobs history "$id")
expect_match "history: the answer" "$hist" '^      Good morning! One task is due today: send the report\.$'
expect_match "history: delivered" "$hist" "^ +$id .* command +ok"
conv=$(nestor --json jobs history "$id" | python3 -c '
import json, sys
print([r for r in json.load(sys.stdin) if r["channel"] == "assistant"][0]["conversation"])')
expect_match "resumable conversation with gpt" "$(nestor --json history list | python3 -c '
import json, sys
print([c for c in json.load(sys.stdin) if c["id"] == '"$conv"'][0]["assistant"])')" '^gpt$'

# -- the model's server is down: recorded, nothing delivered, retried later
kill -TERM "$pid"; wait "$pid" || true; pid=
nestor assistant add down --base-url http://127.0.0.1:1/v1 --model fake-model >/dev/null
nestor routine edit "$id" --assistant down >/dev/null
: > delivered
st=0; err=$(nestor routine run "$id" 2>&1) || st=$?
expect_eq "run: failed" "$st" 1
expect_match "run: why" "$err" "^nestor: routine run: assistant: conversation [0-9]+: assistant 'down': .*127\.0\.0\.1"
[ -s delivered ] && fail "a failed turn delivered something"
expect_match "failure recorded" "$(nestor jobs history "$id")" "assistant +failed +conversation [0-9]+: assistant 'down'"
id2=$(nestor routine add "my day" --assistant down --every "every day" \
	--at "$(iso $(( $(test_now) + 3600 )))")
sqlite3 nestor.db "UPDATE jobs SET next_run = next_run - 3660, occurrence = occurrence - 3660 WHERE id = $id2"
nestor remind fire > fire.out 2> fire.err || true
expect_match "fire: says it will retry" "$(cat fire.err)" "routine $id2: 1 channel\(s\) failed, will retry"
nestor --json jobs | python3 -c '
import json, sys
j = [j for j in json.load(sys.stdin) if j["id"] == '"$id2"'][0]
assert j["state"] == "pending" and j["attempts"] == 1, j
assert j["last_error"].startswith("assistant: ") and "down" in j["last_error"], j
assert j["next_run"] > j["occurrence"], j
'
[ -s delivered ] && fail "a failed turn delivered something"
true
