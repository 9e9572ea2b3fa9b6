# MCP over HTTP under load: a tools/call that waits on the network (the
# weather, held by the fake Open-Meteo) holds no other request: /healthz
# and the API answer meanwhile, and the call's answer comes when the fake
# lets go.  A token that starts many sessions ends only its own.  A call
# whose client leaves (the weather, the time in a city the geocoder finds),
# or that a stopping server cancels, stops waiting on the network at once
# (weather.timeout 60 s would be long).
. "$(dirname "$0")/lib.sh"
. "$SRC/tests/fake/openmeteo.sh"
command -v curl >/dev/null || fail "curl is needed"
cd "$NESTOR_HOME"
fake_openmeteo_start
fake_openmeteo_config
nestor config set weather.timeout 60 >/dev/null
tok=$(nestor token add 2>/dev/null)
call=
trap 'curl -s -X POST "$BASE/_release" >/dev/null 2>&1; kill $pid $FAKE $call 2>/dev/null || true' EXIT
serve_start -k
both='Accept: application/json, text/event-stream'
mcp() { # ARGS...: status; body in ./body, headers in ./hdr
	curl -s -o body -D hdr -w '%{http_code}' -H "Authorization: Bearer $tok" -H "$both" "$@" "$base/mcp"
}
init='{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"t","version":"0"}}}'
expect_eq "initialize" "$(mcp -d "$init")" 200
sid=$(sed -n 's/^Mcp-Session-Id: *//Ip' hdr | tr -d '\r')
reached() { [ "$(curl -s "$BASE/_requests" | python3 -c 'import json,sys; print(len(json.load(sys.stdin)["requests"]))')" -ge "${1:-1}" ]; }
# initialize is never part of a batch (MCP): one with a tools/call is
# refused, its tool not run (it would hold the server's own thread)
expect_eq "initialize in a batch" "$(mcp -d "[$init,"'{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"weather_forecast","arguments":{"place":"Oslo"}}}]')" 400
expect_match "why" "$(cat body)" 'initialize must be sent alone, not in a batch'
expect_eq "no session" "$(sed -n 's/^Mcp-Session-Id: *//Ip' hdr)" ""
! reached || fail "the batch's tools/call ran"

# The fake holds the next request until released.
curl -s -X POST "$BASE/_control" -d '{"hold": 1}' >/dev/null
curl -s -o call.out -w '%{http_code}' -H "Authorization: Bearer $tok" -H "$both" \
	-H "Mcp-Session-Id: $sid" -H 'MCP-Protocol-Version: 2025-06-18' \
	--data '{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"weather_forecast","arguments":{"place":"Berlin"}}}' \
	"$base/mcp" >call.status &
call=$!
wait_until -s "cat call.out serve.err; curl -s \$BASE/_requests" "the weather request to reach the fake" reached
# the call is pending in the fake: other clients are answered
expect_eq "healthz meanwhile" "$(curl -s -m 5 "$base/healthz")" '{"status":"ok"}'
expect_eq "the API meanwhile" "$(curl -s -m 5 -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $tok" "$base/v1/tasks")" 200
expect_eq "another MCP request meanwhile" "$(mcp -m 5 -H "Mcp-Session-Id: $sid" -d '{"jsonrpc":"2.0","id":3,"method":"ping"}')" 200
kill -0 $call 2>/dev/null || fail "the tool call ended before the fake let it go"
curl -s -X POST "$BASE/_release" >/dev/null
wait $call
call=
expect_eq "the call's status" "$(cat call.status)" 200
expect_eq "the call's answer" "$(python3 -c 'import json; d=json.load(open("call.out")); r=d["result"]; print(d["id"], r.get("isError", False), r["structuredContent"]["place"])')" "2 False Berlin"

# Another token starts 64 sessions: the first token's session lives on;
# of the other's, the 16 most recent do.
other=$(nestor token add 2>/dev/null)
for i in $(seq 64); do
	curl -s -o /dev/null -D hdr -H "Authorization: Bearer $other" -H "$both" -d "$init" "$base/mcp"
	sid2=$(sed -n 's/^Mcp-Session-Id: *//Ip' hdr | tr -d '\r')
	[ "$i" -gt 1 ] || first=$sid2
done
ping='{"jsonrpc":"2.0","id":9,"method":"ping"}'
expect_eq "my session after another's 64" "$(mcp -H "Mcp-Session-Id: $sid" -d "$ping")" 200
other_ping() { curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $other" -H "$both" -H "Mcp-Session-Id: $1" -d "$ping" "$base/mcp"; }
expect_eq "its latest session" "$(other_ping "$sid2")" 200
expect_eq "its first session, ended" "$(other_ping "$first")" 404

# A call whose client leaves while its request to Open-Meteo is held: its
# job ends at once (/metrics), not when Open-Meteo answers or times out.
tool_call() { # TOOL ARGS: the tools/call in the background, as $call
	curl -s -o /dev/null -H "Authorization: Bearer $tok" -H "$both" \
		-H "Mcp-Session-Id: $sid" -H 'MCP-Protocol-Version: 2025-06-18' \
		--data '{"jsonrpc":"2.0","id":4,"method":"tools/call","params":{"name":"'"$1"'","arguments":'"$2"'}}' \
		"$base/mcp" &
	call=$!
}
weather() { tool_call weather_forecast '{"place":"Paris"}'; }
jobs_running() { curl -s -H "Authorization: Bearer $tok" "$base/metrics" | sed -n 's/^nestor_http_jobs //p'; }
no_job() { [ "$(jobs_running)" = 0 ]; }
leave() { # WHAT: the client of $call leaves; its job ends
	expect_eq "$1: its job running" "$(jobs_running)" 1
	kill $call
	wait $call 2>/dev/null || true
	call=
	wait_until -s 'jobs_running' "$1: the job to end" no_job
}
n=$(curl -s "$BASE/_requests" | python3 -c 'import json,sys; print(len(json.load(sys.stdin)["requests"]))')
curl -s -X POST "$BASE/_control" -d '{"hold": 3}' >/dev/null
weather
wait_until "the Paris request to reach the fake" reached $((n + 1))
leave "weather"
# a city the tz database does not know: the time tool asks the geocoder
tool_call time_now '{"place":"Springfield"}'
wait_until "the Springfield request to reach the fake" reached $((n + 2))
leave "time_now"

# SIGTERM, then SIGINT, while a call waits on the held weather: the
# server stops at once, exit 0.
weather
wait_until "the next Paris request to reach the fake" reached $((n + 3))
kill -TERM $pid
wait_until -s 'cat serve.out serve.err' "the server to say it waits" grep -q '^stopping:' serve.out
kill -INT $pid
gone() { ! kill -0 $pid 2>/dev/null; }
wait_until -s 'cat serve.err' "the server to stop" gone
st=0
wait $pid || st=$?
expect_eq "its exit" "$st" 0
