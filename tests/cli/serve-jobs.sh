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

# ask OUT TEXT: POST /v1/ask in the background; status in OUT.status, body in OUT
ask() {
	curl -s -o "$1" -w '%{http_code}\n' -H "$auth" -d "{\"text\":\"$2\"}" "$base/v1/ask" \
		>"$1.status" &
	curl_pid=$!
	curl_pids="$curl_pids $curl_pid"
}
held() { fake_asked "$1"; }
serve_start -k

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

# -- SIGTERM with turns in progress: the server takes no new connection,
# answers a request on a connection already open 503 (and closes it), and
# waits for the turns; their answers come whole, and it exits 0.
# keepalive: a connection open before the signal, then one request on it
# once the file "go" exists; prints the status and Connection header.
python3 - "${base#http://}" "$tok" >kept.out 2>kept.err <<'PY' &
import http.client, os, sys, time
host, port = sys.argv[1].rsplit(":", 1)
c = http.client.HTTPConnection(host, int(port), timeout=10)
c.request("GET", "/healthz")
r = c.getresponse(); r.read()
open("kept.ready", "w").write(str(r.status))
while not os.path.exists("go"):
    time.sleep(0.05)
c.request("GET", "/v1/tasks", headers={"Authorization": "Bearer " + sys.argv[2]})
r = c.getresponse()
print(r.status, r.getheader("Connection"), r.read().decode().strip())
PY
kept=$!
curl_pids="$curl_pids $kept"
wait_until -s 'cat kept.err' "the kept connection" test -s kept.ready
# (the model holds both after their first words)
fake_script '[{"say": ["Held", " done"], "hold_after": 2}, {"say": ["Held", " done"], "hold_after": 2}]'
ask three "third"
three=$curl_pid
curl -sN -o four -H "$auth" -H 'Accept: text/event-stream' -d '{"text":"fourth"}' "$base/v1/ask" &
four=$!
curl_pids="$curl_pids $four"
wait_until "both turns at the model" held 4
wait_until -s 'cat four' "the streamed turn's first words" grep -qs '"delta":"Held"' four
kill -TERM "$pid"
wait_until -s 'cat serve.out serve.err' "the server to say it waits" grep -q '^stopping:' serve.out
expect_eq "what it says" "$(sed -n 's/^stopping: //p' serve.out)" \
	"waiting up to 10 s for 2 requests in progress (a second signal cancels them)"
st=0
curl -s -o /dev/null "$base/healthz" || st=$?
expect_eq "a new connection while stopping (curl: refused)" "$st" 7
touch go
wait "$kept"
expect_eq "a request on an open connection while stopping" "$(cat kept.out)" \
	'503 close {"error":"the server is stopping","code":503}'
kill -0 "$pid" 2>/dev/null || fail "the server did not wait for its turns"
fake_release
fake_release
wait "$three" "$four"
expect_eq "the held turn's answer" "$(cat three.status) $(python3 -c 'import json; print(json.load(open("three"))["reply"])')" \
	"200 Held done"
expect_eq "the streamed turn's end" "$(sed -n '/^event: done/{n;s/^data: //p}' four | python3 -c 'import json,sys; print(json.load(sys.stdin)["reply"])')" \
	"Held done"
st=0
wait "$pid" || st=$?
pid=
expect_eq "the server's exit" "$st" 0
conv3=$(python3 -c 'import json; print(json.load(open("three"))["conversation"])')
expect_match "the held turn, stored whole" "$(nestor history show "$conv3")" "^gpt: Held done$"

# -- a second signal cancels what is left at once: the model request is
# closed, what came is kept marked interrupted, and the exit is 0.
serve_start -k
fake_script '[{"say": ["Five", " done"], "hold_after": 2}]'
curl -sN -o five -H "$auth" -H 'Accept: text/event-stream' -d '{"text":"fifth"}' "$base/v1/ask" &
five=$!
curl_pids="$curl_pids $five"
wait_until -s 'cat five' "the turn's first words" grep -qs '"delta":"Five"' five
kill -TERM "$pid"
wait_until -s 'cat serve.out serve.err' "the server to say it waits" grep -q '^stopping:' serve.out
kill -INT "$pid"
st=0
wait "$pid" || st=$?
pid=
expect_eq "the server's exit after a second signal" "$st" 0
closed() { fake_py "import sys; sys.exit(0 if reqs[$1].get('client_closed') else 1)" 2>/dev/null; }
wait_until "the model request to be closed" closed 4
wait "$five" || true
if grep -q '^event: done' five; then fail "the cancelled turn ended"; fi
last_conv() { nestor --json history list | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["id"])'; }
expect_match "the cancelled turn, kept" "$(nestor history show "$(last_conv)")" '^gpt: Five \[interrupted\]$'
