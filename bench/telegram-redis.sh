#!/bin/sh
# The Telegram relay scaled out through Redis against the relay alone: 50
# chats x 20 messages ("add task C-K") put on a fake Bot API at once, with
# the pacing off (telegram.chat_interval 0, telegram.rate 1000), handled
# by one `nestor telegram run` (one process does everything), then by a
# relay feeding a real redis-server (started here, 127.0.0.1) and 3
# `nestor worker` processes on one SQLite file.  Every message answered
# once, in order per chat.  Messages per second and the p99 time from a
# message's arrival at the fake to its answer, the median of three runs
# each, alternating, and the load average they ran at (wall-clock figures:
# read them next to it).
# Then the same with an llm assistant (a fake OpenAI-compatible server that
# answers each request after TG_BENCH_LLM_MS ms: a task_add call, then
# "Done: ..."), TG_BENCH_LLM_CHATS x TG_BENCH_LLM_MSGS messages: a turn
# holds no write lock while the model answers, so the workers' turns
# overlap.
set -eu
: "${NESTOR_BIN:?set NESTOR_BIN to the nestor binary}"
OFF_CHATS=${TG_BENCH_CHATS:-50}
OFF_MSGS=${TG_BENCH_MSGS:-20}
WORKERS=${TG_BENCH_WORKERS:-3}
RUNS=${TG_BENCH_RUNS:-3}
LLM_MS=${TG_BENCH_LLM_MS:-100}
LLM_CHATS=${TG_BENCH_LLM_CHATS:-20}
LLM_MSGS=${TG_BENCH_LLM_MSGS:-5}
here=$(cd "$(dirname "$0")" && pwd)
fail() { echo "telegram-redis: $*" >&2; exit 1; }
nestor() { "$NESTOR_BIN" "$@"; }
wait_until() {
	_what=$1
	shift
	_i=0
	until "$@"; do
		_i=$((_i + 1))
		[ "$_i" -lt 400 ] || fail "timed out waiting for $_what"
		sleep 0.05
	done
}
command -v redis-server >/dev/null || fail "redis-server is needed (make deps)"
PY=$(python3 -c 'import sys; print(sys.executable)')
export NESTOR_LOG=warn NESTOR_SECRET_TELEGRAM=123456:TEST
out=$(mktemp -d "${TMPDIR:-/tmp}/nestor-bench-redis.XXXXXX")
PIDS=
cleanup() {
	for p in $PIDS; do kill "$p" 2>/dev/null || true; done
	[ ! -s "$out/redis.pid" ] || kill "$(cat "$out/redis.pid")" 2>/dev/null || true
	rm -rf "$out"
}
trap cleanup EXIT
RPORT=$("$PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
redis-server --bind 127.0.0.1 --port "$RPORT" --save '' --appendonly no --daemonize yes \
	--pidfile "$out/redis.pid" --logfile "$out/redis.log" --dir "$out" >/dev/null
wait_until "redis-server" sh -c "[ \"\$(redis-cli -p $RPORT ping 2>/dev/null)\" = PONG ]"

# one MODE [llm]: relay or redis, the offline or the llm assistant; appends
# "msgs/s p99 total load" to $out/MODE[-llm]
one() {
	mode=$1
	llm=${2:-}
	fakellm=
	CHATS=${llm:+$LLM_CHATS}
	CHATS=${CHATS:-$OFF_CHATS}
	MSGS=${llm:+$LLM_MSGS}
	MSGS=${MSGS:-$OFF_MSGS}
	NESTOR_HOME=$(mktemp -d "$out/run.XXXXXX")
	export NESTOR_HOME
	redis-cli -p "$RPORT" flushall >/dev/null
	"$PY" "$here/../tests/fake/telegram.py" --ppid $$ >"$NESTOR_HOME/tg.out" 2>&1 &
	fake=$!
	PIDS="$PIDS $fake"
	wait_until "the fake" grep -qs '^PORT ' "$NESTOR_HOME/tg.out"
	TG=http://127.0.0.1:$(sed -n 's/^PORT //p' "$NESTOR_HOME/tg.out")
	nestor config set telegram.api_url "$TG" >/dev/null
	nestor config set telegram.chat_interval 0 >/dev/null
	nestor config set telegram.rate 1000 >/dev/null
	[ "$mode" = relay ] || nestor config set server.redis "redis://127.0.0.1:$RPORT/0" >/dev/null
	if [ -n "$llm" ]; then
		"$PY" "$here/../tests/fake/openai.py" --ppid $$ >"$NESTOR_HOME/llm.out" 2>&1 &
		PIDS="$PIDS $!"
		fakellm=$!
		wait_until "the fake model" grep -qs '^PORT ' "$NESTOR_HOME/llm.out"
		LLM=http://127.0.0.1:$(sed -n 's/^PORT //p' "$NESTOR_HOME/llm.out")
		curl -sf -X POST "$LLM/_control" -d "{\"echo\": {\"delay_ms\": $LLM_MS}}" >/dev/null
		nestor assistant add gpt --base-url "$LLM/v1" --model fake-model --default >/dev/null
	fi
	c=1
	: >"$NESTOR_HOME/links"
	while [ "$c" -le "$CHATS" ]; do
		nestor user add "u$c" >/dev/null
		code=$(nestor telegram link --user "u$c" --json | "$PY" -c 'import json,sys; print(json.load(sys.stdin)["code"])')
		echo "{\"chat_id\": $((1000 + c)), \"text\": \"/start $code\"}" >>"$NESTOR_HOME/links"
		c=$((c + 1))
	done
	"$PY" -c 'import json,sys; print(json.dumps([json.loads(l) for l in open(sys.argv[1])]))' "$NESTOR_HOME/links" |
		curl -sf -X POST "$TG/_messages" -d @- >/dev/null
	procs=
	"$NESTOR_BIN" telegram run 2>"$NESTOR_HOME/run.err" &
	procs="$procs $!"
	if [ "$mode" = redis ]; then
		w=1
		while [ "$w" -le "$WORKERS" ]; do
			"$NESTOR_BIN" worker --name "w$w" 2>"$NESTOR_HOME/w$w.err" &
			procs="$procs $!"
			w=$((w + 1))
		done
	fi
	PIDS="$PIDS $procs"
	curl -sf "$TG/_wait?chat_id=$((1000 + CHATS))&n=1&timeout=60" >/dev/null || fail "$mode: linking timed out"
	"$PY" -c '
import json,sys
chats, msgs = int(sys.argv[1]), int(sys.argv[2])
print(json.dumps([{"chat_id": 1000 + c, "text": "add task %d-%d" % (c, k)}
                  for k in range(1, msgs + 1) for c in range(1, chats + 1)]))' "$CHATS" "$MSGS" |
		curl -sf -X POST "$TG/_messages" -d @- >/dev/null
	c=1
	while [ "$c" -le "$CHATS" ]; do
		curl -sf "$TG/_wait?chat_id=$((1000 + c))&n=$((MSGS + 1))&timeout=300" >/dev/null ||
			fail "$mode: chat $c did not get its answers"
		c=$((c + 1))
	done
	load=$(cut -d' ' -f1 /proc/loadavg)
	curl -sf "$TG/_sent" | "$PY" -c '
import json,re,sys
d = json.load(sys.stdin)
chats, msgs = int(sys.argv[1]), int(sys.argv[2])
inj = [m for m in d["injected"] if m[1].startswith("add task")]
t0 = min(m[2] for m in inj)
lat, end = [], 0
for c in range(1, chats + 1):
    sent = [m for m in d["messages"] if m["chat_id"] == 1000 + c][1:]
    asked = [m for m in inj if m[0] == 1000 + c]
    if len(sent) != msgs:
        sys.exit("chat %d: %d answers for %d messages" % (c, len(sent), msgs))
    for k, (a, s) in enumerate(zip(asked, sent)):
        if not re.search(r"\b%d-%d\b" % (c, k + 1), s["text"]):
            sys.exit("chat %d: answer %d out of order: %r" % (c, k + 1, s["text"]))
        lat.append(s["t"] - a[2])
        end = max(end, s["t"])
if d["conflicts"]:
    sys.exit("%d getUpdates calls ended in 409" % d["conflicts"])
lat.sort()
print("%.1f %.3f %.3f %s" % (len(lat) / (end - t0), lat[int(len(lat) * 0.99) - 1], end - t0, sys.argv[3]))' \
		"$CHATS" "$MSGS" "$load" >>"$out/$mode${llm:+-llm}" || fail "$mode${llm:+ (llm)}: answers wrong"
	for p in $procs $fake ${fakellm:-}; do kill "$p" 2>/dev/null || true; done
	for p in $procs; do wait "$p" 2>/dev/null || true; done
	rm -rf "$NESTOR_HOME"
}
run=1
while [ "$run" -le "$RUNS" ]; do
	one relay
	one redis
	one relay llm
	one redis llm
	run=$((run + 1))
done
med=$(((RUNS + 1) / 2))
for mode in relay redis relay-llm redis-llm; do
	case $mode in
	*-llm) c=$LLM_CHATS m=$LLM_MSGS what=" (llm assistant, ${LLM_MS} ms a request)" ;;
	*) c=$OFF_CHATS m=$OFF_MSGS what= ;;
	esac
	sort -n -k1,1 "$out/$mode" | sed -n "${med}p" | awk -v c="$c" -v m="$m" -v w="$WORKERS" -v mode="$mode" -v what="$what" '{
		who = mode ~ /^relay/ ? "one relay" : "relay + redis + " w " workers"
		printf "%s%s, %d chats x %d messages: %.1f messages/s, p99 time to answer %.2f s (all in %.1f s; load %s; median of runs)\n", who, what, c, m, $1, $2, $3, $4 }'
done
