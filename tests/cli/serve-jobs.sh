# nestor serve's jobs (assistant turns, MCP tool calls) against
# tests/fake/openai.py holding the model's answers: at most serve.max_jobs
# run at once, and a request that would start one more is answered 503
# with Retry-After, until one ends.
. "$(dirname "$0")/lib.sh"
. "$SRC/tests/fake/openai.sh"
command -v curl >/dev/null || fail "curl is needed"
fake_openai_start
cd "$NESTOR_HOME"
pid= curl_pids=
trap 'kill $curl_pids $pid $FAKE_PID 2>/dev/null || true; rm -rf "$NESTOR_HOME" "$FAKE_DIR"' EXIT
nestor assistant add gpt --base-url "$FAKE_URL" --model fake-model --default >/dev/null
nestor config set serve.max_jobs 2 >/dev/null
tok=$(nestor token add 2>/dev/null)
auth="Authorization: Bearer $tok"
both='Accept: application/json, text/event-stream'

start_serve() {
	: >serve.out
	"$NESTOR_BIN" serve --listen 127.0.0.1:0 >serve.out 2>serve.err &
	pid=$!
	wait_until -s 'cat serve.err' "the server" grep -q '^serving on' serve.out
	base=$(sed -n 's/^serving on //p' serve.out)
}
# ask OUT TEXT: POST /v1/ask in the background; status in OUT.status, body in OUT
ask() {
	curl -s -o "$1" -w '%{http_code}\n' -H "$auth" -d "{\"text\":\"$2\"}" "$base/v1/ask" \
		>"$1.status" &
	curl_pid=$!
	curl_pids="$curl_pids $curl_pid"
}
held() { fake_asked "$1"; }
start_serve

# -- two turns held by the model fill serve.max_jobs (2)
fake_script '[{"say": ["One", " done"], "hold_after": 1}, {"say": ["Two", " done"], "hold_after": 1}]'
ask one "first"
one=$curl_pid
ask two "second"
two=$curl_pid
wait_until "both turns at the model" held 2
# a third is refused at once, with Retry-After and a JSON error
code=$(curl -s -o third -D third.hdr -w '%{http_code}' -H "$auth" -d '{"text":"third"}' "$base/v1/ask")
expect_eq "a third turn" "$code" 503
expect_eq "its Retry-After" "$(sed -n 's/^Retry-After: *//Ip' third.hdr | tr -d '\r')" 1
expect_eq "its error" "$(cat third)" \
	'{"error":"2 assistant turns and tool calls are running (serve.max_jobs): try again","code":503}'
# so is an MCP tool call; what needs no job is answered as usual
init='{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"t","version":"0"}}}'
expect_eq "MCP initialize meanwhile" "$(curl -s -o init -D init.hdr -w '%{http_code}' -H "$auth" -H "$both" -d "$init" "$base/mcp")" 200
sid=$(sed -n 's/^Mcp-Session-Id: *//Ip' init.hdr | tr -d '\r')
tcall='{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"time_now","arguments":{}}}'
mcp_call() { curl -s -o call -D call.hdr -w '%{http_code}' -H "$auth" -H "$both" -H "Mcp-Session-Id: $sid" -d "$tcall" "$base/mcp"; }
expect_eq "an MCP tool call" "$(mcp_call)" 503
expect_eq "its Retry-After" "$(sed -n 's/^Retry-After: *//Ip' call.hdr | tr -d '\r')" 1
expect_eq "the API meanwhile" "$(curl -s -o /dev/null -w '%{http_code}' -H "$auth" "$base/v1/tasks")" 200
curl -s -o metrics -H "$auth" "$base/metrics"
expect_eq "jobs running" "$(sed -n 's/^nestor_http_jobs //p' metrics)" 2
expect_eq "jobs refused" "$(sed -n 's/^nestor_http_jobs_refused_total //p' metrics)" 2
expect_eq "the refused turn reached no model" "$(fake_py 'print(len(reqs))')" 2
# one turn ends: a job may start again
fake_release
wait_until "a turn to end" eval '! kill -0 $one 2>/dev/null || ! kill -0 $two 2>/dev/null'
expect_eq "a turn's answer" "$(cat one.status two.status | sort | tr '\n' ' ')" "200 "
expect_eq "an MCP tool call then" "$(mcp_call)" 200
expect_eq "its answer" "$(python3 -c 'import json; d=json.load(open("call")); print(d["id"], d["result"].get("isError", False))')" "2 False"
fake_release
wait $one $two
expect_eq "both turns answered" "$(cat one.status two.status)" "200
200"
