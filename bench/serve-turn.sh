#!/bin/sh
# nestor serve while an assistant's turn waits on its model: the time of a
# GET /v1/tasks sent during the turn (tests/fake/openai.py holds its answer
# after the first words), median of BENCH_TURN_GETS (20).  A server that
# answered one request at a time would answer only once the turn ended.
set -eu
: "${NESTOR_BIN:?set NESTOR_BIN to the nestor binary}"
here=$(cd "$(dirname "$0")" && pwd)
gets=${BENCH_TURN_GETS:-20}
work=$(mktemp -d "${TMPDIR:-/tmp}/nestor-bench.XXXXXX")
server= fake= client=
trap 'kill $server $fake $client 2>/dev/null; rm -rf "$work"' EXIT INT TERM
export NESTOR_HOME="$work" NESTOR_LOG=warn
nestor() { "$NESTOR_BIN" "$@"; }
# wait_for FILE PATTERN: until the file has a line matching
wait_for() {
	i=0
	until grep -qs "$2" "$1"; do
		i=$((i + 1))
		[ $i -lt 400 ] || { echo "serve-turn: no \"$2\" in $1" >&2; exit 1; }
		sleep 0.05
	done
}
fake_post() {
	python3 -c 'import sys, urllib.request
urllib.request.urlopen(urllib.request.Request(sys.argv[1], data=sys.argv[2].encode(), method="POST"), timeout=10).read()' \
		"http://127.0.0.1:$port$1" "$2"
}

python3 "$here/../tests/fake/openai.py" --ppid $$ >"$work/fake.out" &
fake=$!
wait_for "$work/fake.out" '^PORT '
port=$(awk '{print $2}' "$work/fake.out")
nestor assistant add gpt --base-url "http://127.0.0.1:$port/v1" --model fake-model --default >/dev/null
tok=$(nestor token add 2>/dev/null)
"$NESTOR_BIN" serve --listen 127.0.0.1:0 --rate-limit 0 >"$work/serve.out" 2>&1 &
server=$!
wait_for "$work/serve.out" '^serving on'
url=$(sed -n 's/^serving on //p' "$work/serve.out")
fake_post /_script '{"responses": [{"say": ["Once upon", " a time"], "hold_after": 2}]}'
curl -sN -o "$work/turn" -H "Authorization: Bearer $tok" -H 'Accept: text/event-stream' \
	-d '{"text":"tell me a story"}' "$url/v1/ask" &
client=$!
wait_for "$work/turn" '"delta":"Once upon"'
i=0
while [ $i -lt "$gets" ]; do
	curl -s -o /dev/null -w '%{time_total}\n' --max-time 60 -H "Authorization: Bearer $tok" \
		"$url/v1/tasks" >>"$work/times"
	i=$((i + 1))
done
grep -q '^event: done' "$work/turn" && { echo "serve-turn: the turn ended before the GETs" >&2; exit 1; }
fake_post /_release '{}'
wait "$client"
client=
sort -n "$work/times" | awk -v n="$gets" '{ t[NR] = $1 } END {
	printf "serve-turn: GET /v1/tasks during a held turn: median %.2f ms, max %.2f ms (%d requests)\n",
		t[int((n + 1) / 2)] * 1000, t[n] * 1000, n }'
