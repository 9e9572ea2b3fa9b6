#!/bin/sh
# nestor serve under load: 200 concurrent clients (wrk, 2 threads) for 20 s
# on 127.0.0.1, a quarter of the requests creating tasks, the rest reading
# the list (a page of 20) or one task.  Checked: no connection error, every
# answer 200 or 201, and the tasks in the database are exactly the 201s the
# server sent (its /metrics), which are the 201s the clients saw plus at
# most one per client cut off when the run ended (nothing lost, nothing
# doubled).  Prints requests per second and the p50/p99 latency.
# BENCH_SERVE_SECS and BENCH_SERVE_CLIENTS change the run.
set -eu
: "${NESTOR_BIN:?set NESTOR_BIN to the nestor binary}"
command -v wrk >/dev/null || { echo "serve: wrk is needed (contrib/packages.txt: bench)" >&2; exit 1; }
here=$(cd "$(dirname "$0")" && pwd)
secs=${BENCH_SERVE_SECS:-20}
clients=${BENCH_SERVE_CLIENTS:-200}
work=$(mktemp -d "${TMPDIR:-/tmp}/nestor-bench.XXXXXX")
server=
trap '[ -n "$server" ] && kill "$server" 2>/dev/null; rm -rf "$work"' EXIT INT TERM
export NESTOR_HOME="$work" NESTOR_LOG=warn
nestor() { "$NESTOR_BIN" "$@"; }

NESTOR_TOKEN=$(nestor token add --label bench 2>/dev/null)
export NESTOR_TOKEN
nestor task add "the one read by id" >/dev/null
# every client comes from 127.0.0.1, as behind a proxy
nestor config set serve.max_per_address "$((clients + 16))" >/dev/null
nestor config set serve.max_connections "$((clients + 16))" >/dev/null
ulimit -n 4096 2>/dev/null || true
"$NESTOR_BIN" serve --listen 127.0.0.1:0 --rate-limit 0 >"$work/serve.out" 2>&1 &
server=$!
i=0
until grep -q '^serving on' "$work/serve.out"; do
	i=$((i + 1))
	[ $i -lt 200 ] || { cat "$work/serve.out" >&2; exit 1; }
	sleep 0.05
done
url=$(sed -n 's/^serving on //p' "$work/serve.out")
wrk -t2 -c"$clients" -d"${secs}s" --timeout 10s -s "$here/serve.lua" "$url" >"$work/wrk.out"
sent=$(curl -s -H "Authorization: Bearer $NESTOR_TOKEN" "$url/metrics" |
	sed -n 's/^nestor_http_requests_total{route="\/v1\/tasks",status="201"} //p')
kill "$server"
wait "$server" || true
server=
line=$(grep '^RESULT' "$work/wrk.out")
eval "$(echo "$line" | sed 's/^RESULT //')"
tasks=$(nestor task list --json | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))')
rps=$(awk -v r="$requests" -v d="$duration_s" 'BEGIN { printf "%.0f", r / d }')
echo "serve: $clients clients, ${secs} s: $requests requests, $rps/s; latency p50 ${p50_ms} ms, p99 ${p99_ms} ms"
echo "serve: $created tasks created ($sent sent by the server), $read reads, $bad other answers, $errors socket errors; $tasks tasks in the database"
status=0
[ "$bad" -eq 0 ] && [ "$errors" -eq 0 ] || { echo "serve: FAIL: errors under load" >&2; status=1; }
[ "$tasks" -eq $((sent + 1)) ] || { echo "serve: FAIL: $sent created but $tasks in the database" >&2; status=1; }
[ "$sent" -ge "$created" ] && [ "$sent" -le $((created + clients)) ] ||
	{ echo "serve: FAIL: the server sent $sent 201s, the clients saw $created" >&2; status=1; }
exit $status
