# nestor serve while an assistant's turn is slow, against tests/fake/openai.py
# holding its answer: other requests are answered meanwhile; the turn's
# Server-Sent Events go out as they come, with keep-alive comments while
# nothing does; a client that leaves (streaming or not) cancels its turn,
# which closes the request to the model and stores what came, marked
# interrupted; SIGTERM during a turn stops the server at once with
# serve.grace 0 (tests/cli/serve-jobs.sh: the grace).
. "$(dirname "$0")/lib.sh"
. "$SRC/tests/fake/openai.sh"
command -v curl >/dev/null || fail "curl is needed"
fake_openai_start
cd "$NESTOR_HOME"
curl_pids=
trap 'kill $curl_pids $pid $FAKE_PID 2>/dev/null || true; rm -rf "$NESTOR_HOME" "$FAKE_DIR"' EXIT
nestor assistant add gpt --base-url "$FAKE_URL" --model fake-model --default >/dev/null
nestor config set serve.keepalive 1 >/dev/null
nestor config set serve.grace 0 >/dev/null
tok=$(nestor token add 2>/dev/null)
auth="Authorization: Bearer $tok"
sse='Accept: text/event-stream'

serve_start -k

# closed N: the fake saw the client of model request N (from 0) go away
closed() { fake_py "import sys; sys.exit(0 if reqs[$1].get('client_closed') else 1)" 2>/dev/null; }
# ask OUT [CURL ARGS]: POST /v1/ask in the background, the answer in OUT
ask() {
	_out=$1
	shift
	: >"$_out"
	curl -sN -o "$_out" -H "$auth" "$@" -d '{"text":"tell me a story"}' "$base/v1/ask" &
	curl_pid=$!
	curl_pids="$curl_pids $curl_pid"
}

# -- the first words stream while the model holds the rest
fake_script '[{"say": ["Once upon", " a time"], "hold_after": 2}]'
ask story -H "$sse"
wait_until -s 'cat story' "the first delta" grep -q '"delta":"Once upon"' story
# meanwhile another request is answered, during the held turn
code=$(curl -s -o tasks -w '%{http_code} %{time_total}' --max-time 5 -H "$auth" "$base/v1/tasks")
expect_eq "GET during the turn" "${code% *}" 200
echo "GET /v1/tasks during a held turn: ${code#* } s"
if grep -q '^event: done' story; then fail "the turn ended before the GET was answered"; fi
# silence is kept alive with a comment line
wait_until -s 'cat story' "a keep-alive" grep -q '^: keep-alive$' story
fake_release
wait_until -s 'cat story' "the end of the turn" grep -q '^event: done' story
wait "$curl_pid"
expect_eq "events" "$(sed -n 's/^event: //p' story | tr '\n' ' ')" "text text done "
expect_match "reply" "$(sed -n '/^event: done/{n;p}' story)" '"reply":"Once upon a time"'

# -- a streaming client that leaves cancels its turn
fake_script '[{"say": ["It was", " a dark night"], "hold_after": 2}]'
ask left -H "$sse"
wait_until -s 'cat left' "the first delta" grep -q '"delta":"It was"' left
kill "$curl_pid"
wait_until "the model request to be closed" closed 1
last_conv() { nestor --json history list | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["id"])'; }
interrupted() { nestor history show "$(last_conv)" | grep -q '^gpt: It was \[interrupted\]$'; }
wait_until -s 'nestor history show "$(last_conv)"' "the partial reply stored" interrupted

# -- so does one waiting for the whole JSON answer (nothing sent yet)
fake_script '[{"say": ["Far", " away"], "hold_after": 2}]'
ask plain
wait_until "the model request" fake_py 'import sys; sys.exit(0 if len(reqs) == 3 else 1)'
kill "$curl_pid"
wait_until "the model request to be closed" closed 2

# -- the JSON answer, from a job too
fake_script '[{"say": "The end."}]'
ask whole
wait "$curl_pid"
expect_eq "plain answer" "$(python3 -c 'import json; print(json.load(open("whole"))["reply"])')" "The end."
curl -s -o metrics -H "$auth" "$base/metrics"
expect_eq "turns counted" "$(sed -n 's/^nestor_engine_turns_total //p' metrics)" 4
expect_eq "asks counted" "$(sed -n 's/^nestor_http_requests_total{route="\/v1\/ask",status="200"} //p' metrics)" 3

# -- SIGTERM while a turn is held, no grace: the server stops, the turn is
# cancelled
fake_script '[{"say": ["Once", " more"], "hold_after": 2}]'
ask held -H "$sse"
wait_until -s 'cat held' "the first delta" grep -q '"delta":"Once"' held
kill -TERM "$pid"
st=0
wait "$pid" || st=$?
pid=
expect_eq "clean stop" "$st" 0
wait_until "the model request to be closed" closed 4
