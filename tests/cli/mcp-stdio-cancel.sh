# nestor mcp (stdio) and a client's notifications/cancelled: a tools/call
# waiting on the network (the weather, the time in a city, both held by the
# fake Open-Meteo; ask_assistant while the fake model holds its reply) stops
# at once and is answered nothing, so the client's next request is answered
# without waiting for the network; a call cancelled before it started is not
# run (its task is not added); a cancel naming another request changes
# nothing; a ping that comes while a call waits on the network is answered
# at once, before the call, even one sent in the same write as the call,
# while other requests keep their turn behind it; a message over 4 MiB is
# answered with an error and what follows it as usual; a call still
# running when the client closes its input is answered before nestor
# exits.
. "$(dirname "$0")/lib.sh"
. "$SRC/tests/fake/openmeteo.sh"
. "$SRC/tests/fake/openai.sh"
command -v curl >/dev/null || fail "curl is needed"
cd "$NESTOR_HOME"
fake_openmeteo_start
fake_openmeteo_config
fake_openai_start
nestor config set weather.timeout 60 >/dev/null
nestor assistant add gpt --base-url "$FAKE_URL" --model m >/dev/null
mkfifo in
exec 3<>in
"$NESTOR_BIN" mcp <in >out 2>err 3>&- &
pid=$!
trap 'curl -s -X POST "$BASE/_release" >/dev/null 2>&1; kill $pid $FAKE $FAKE_PID 2>/dev/null || true; rm -rf "$FAKE_DIR" "$NESTOR_HOME"' EXIT
send() { printf '%s\n' "$@" >&3; }
ids() { python3 -c 'import json; print(" ".join(str(json.loads(l).get("id")) for l in open("out")))'; }
answered() { grep -q "^{\"jsonrpc\":\"2.0\",\"id\":$1," out; }
requests() { curl -s "$BASE/_requests" | python3 -c 'import json,sys; print(len(json.load(sys.stdin)["requests"]))'; }
reached() { [ "$(requests)" -ge "$1" ]; }
call() { # ID TOOL ARGS
	send '{"jsonrpc":"2.0","id":'"$1"',"method":"tools/call","params":{"name":"'"$2"'","arguments":'"$3"'}}'
}
cancel() { send '{"jsonrpc":"2.0","method":"notifications/cancelled","params":{"requestId":'"$1"',"reason":"user"}}'; }
ping() { send '{"jsonrpc":"2.0","id":'"$1"',"method":"ping"}'; }

send '{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"t","version":"0"}}}'
send '{"jsonrpc":"2.0","method":"notifications/initialized"}'
wait_until -s 'cat err' "initialize's answer" answered 1

# the weather, held: cancelled, nothing answers it, and a ping is answered
# while the fake still holds the request
curl -s -X POST "$BASE/_control" -d '{"hold": 1}' >/dev/null
n=$(requests)
call 2 weather_forecast '{"place":"Berlin"}'
wait_until -s 'cat err out' "the weather request to reach the fake" reached $((n + 1))
cancel 2
ping 3
wait_until -s 'cat err out' "the ping after the cancel" answered 3
curl -s -X POST "$BASE/_release" >/dev/null
# the next call runs as usual and is answered
call 4 weather_forecast '{"place":"Berlin"}'
wait_until -s 'cat err out' "the next weather call" answered 4
expect_eq "its answer" "$(python3 -c 'import json
for l in open("out"):
	d = json.loads(l)
	if d.get("id") == 4: print(d["result"].get("isError", False), d["result"]["structuredContent"]["place"])')" "False Berlin"

# the time in a city the tz database does not know: the geocoder, held
curl -s -X POST "$BASE/_control" -d '{"hold": 1}' >/dev/null
n=$(requests)
call '"t"' time_now '{"place":"Springfield"}'
wait_until -s 'cat err out' "the Springfield request to reach the fake" reached $((n + 1))
cancel '"t"'
ping 31
wait_until -s 'cat err out' "the ping after the time's cancel" answered 31
curl -s -X POST "$BASE/_release" >/dev/null

# a task_add cancelled while the call before it waits: never run; then a
# cancel for a request that is not running leaves the next call alone
curl -s -X POST "$BASE/_control" -d '{"hold": 1}' >/dev/null
n=$(requests)
call 5 weather_forecast '{"place":"Tokyo"}'
wait_until -s 'cat err out' "the Tokyo request to reach the fake" reached $((n + 1))
call '"six"' task_add '{"title":"never"}'
cancel '"six"'
cancel 5
cancel 99
call 7 task_list '{}'
wait_until -s 'cat err out' "the task_list after the cancels" answered 7
curl -s -X POST "$BASE/_release" >/dev/null
expect_eq "the answers" "$(ids)" "1 3 4 31 7"
expect_eq "no task added" "$(nestor task list --json)" "[]"

# ask_assistant while the other assistant's model holds its reply: the
# model's request is dropped
fake_script '[{"say": ["Thinking", " on"], "hold_after": 1}]'
call 9 ask_assistant '{"assistant":"gpt","question":"take your time"}'
wait_until -s 'cat err out' "the question to reach the model" fake_asked 1
cancel 9
ping 10
wait_until -s 'cat err out' "the ping after the question's cancel" answered 10
closed() { fake_py 'assert reqs[0].get("client_closed")' 2>/dev/null; }
wait_until "the model's request to be dropped" closed

# a ping while a call is held: answered before the call; a tools/list
# sent meanwhile waits its turn behind the call, a ping after it does not
curl -s -X POST "$BASE/_control" -d '{"hold": 1}' >/dev/null
n=$(requests)
call 11 weather_forecast '{"place":"New York"}'
wait_until -s 'cat err out' "the New York request to reach the fake" reached $((n + 1))
ping 12
wait_until -s 'cat err out' "the ping while the call is held" answered 12
send '{"jsonrpc":"2.0","id":13,"method":"tools/list"}' '{"jsonrpc":"2.0","id":14,"method":"ping"}'
wait_until -s 'cat err out' "the second ping while the call is held" answered 14
expect_eq "the answers while held" "$(ids)" "1 3 4 31 7 10 12 14"
expect_eq "the ping's answer" "$(sed -n 7p out)" '{"jsonrpc":"2.0","id":12,"result":{}}'
curl -s -X POST "$BASE/_release" >/dev/null
wait_until -s 'cat err out' "the tools/list after the call" answered 13
expect_eq "the answers" "$(ids)" "1 3 4 31 7 10 12 14 11 13"
# the call and a ping in one write: the ping does not wait for the call
curl -s -X POST "$BASE/_control" -d '{"hold": 1}' >/dev/null
n=$(requests)
send '{"jsonrpc":"2.0","id":15,"method":"tools/call","params":{"name":"weather_forecast","arguments":{"place":"Tokyo"}}}' \
	'{"jsonrpc":"2.0","id":16,"method":"ping"}'
wait_until -s 'cat err out' "the ping sent with the call" answered 16
wait_until -s 'cat err out' "the Tokyo request to reach the fake" reached $((n + 1))
curl -s -X POST "$BASE/_release" >/dev/null
wait_until -s 'cat err out' "the Tokyo call" answered 15
expect_eq "Tokyo" "$(python3 -c 'import json
for l in open("out"):
	d = json.loads(l)
	if d.get("id") == 15: print(d["result"].get("isError", False), d["result"]["structuredContent"]["place"])')" "False Tokyo"
# a message too long, then a ping: the error (no id), then the answer
python3 -c 'import sys; sys.stdout.write("{\"x\":\"" + "x" * (5 << 20) + "\"}\n")' >&3
ping 17
wait_until -s 'cat err out' "the ping after the long message" answered 17
expect_eq "the error" "$(tail -n 2 out | head -n 1)" \
	'{"jsonrpc":"2.0","id":null,"error":{"code":-32600,"message":"message too long"}}'
expect_match "the long message logged" "$(cat nestor.log)" "a message over 4194304 bytes skipped"

# the client closes its input while a call waits: it is still answered
curl -s -X POST "$BASE/_control" -d '{"hold": 1}' >/dev/null
n=$(requests)
call 8 weather_forecast '{"place":"Kazan"}'
wait_until -s 'cat err out' "the Kazan request to reach the fake" reached $((n + 1))
exec 3>&-
curl -s -X POST "$BASE/_release" >/dev/null
gone() { ! kill -0 $pid 2>/dev/null; }
wait_until -s 'cat err' "nestor mcp to end" gone
st=0
wait $pid || st=$?
expect_eq "its exit" "$st" 0
expect_eq "the last answer" "$(ids)" "1 3 4 31 7 10 12 14 11 13 16 15 None 17 8"
[ ! -s err ] || fail "stderr not empty: $(cat err)"
