#!/bin/sh
# The Telegram relay's throughput and time to answer (nestor only): 50
# chats x 20 messages ("add task C-K") put on a fake Bot API at once, one
# `nestor telegram run` with the pacing off (telegram.chat_interval 0,
# telegram.rate 1000); every message answered once, in order per chat.
# Messages per second and the p99 time from a message's arrival at the fake
# to its answer, the median of three runs.
set -eu
: "${NESTOR_BIN:?set NESTOR_BIN to the nestor binary}"
CHATS=${TG_BENCH_CHATS:-50}
MSGS=${TG_BENCH_MSGS:-20}
here=$(cd "$(dirname "$0")" && pwd)
fail() { echo "telegram: $*" >&2; exit 1; }
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
PY=$(python3 -c 'import sys; print(sys.executable)')
export NESTOR_LOG=warn NESTOR_SECRET_TELEGRAM=123456:TEST
runs=$(mktemp)
for run in 1 2 3; do
	NESTOR_HOME=$(mktemp -d "${TMPDIR:-/tmp}/nestor-bench.XXXXXX")
	export NESTOR_HOME
	"$PY" "$here/../tests/fake/telegram.py" --ppid $$ >"$NESTOR_HOME/tg.out" 2>&1 &
	fake=$!
	wait_until "the fake" grep -qs '^PORT ' "$NESTOR_HOME/tg.out"
	TG=http://127.0.0.1:$(sed -n 's/^PORT //p' "$NESTOR_HOME/tg.out")
	nestor config set telegram.api_url "$TG" >/dev/null
	nestor config set telegram.chat_interval 0 >/dev/null
	nestor config set telegram.rate 1000 >/dev/null
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
	"$NESTOR_BIN" telegram run 2>"$NESTOR_HOME/run.err" &
	relay=$!
	curl -sf "$TG/_wait?chat_id=$((1000 + CHATS))&n=1&timeout=60" >/dev/null || fail "linking timed out"
	"$PY" -c '
import json,sys
chats, msgs = int(sys.argv[1]), int(sys.argv[2])
print(json.dumps([{"chat_id": 1000 + c, "text": "add task %d-%d" % (c, k)}
                  for k in range(1, msgs + 1) for c in range(1, chats + 1)]))' "$CHATS" "$MSGS" |
		curl -sf -X POST "$TG/_messages" -d @- >/dev/null
	c=1
	while [ "$c" -le "$CHATS" ]; do
		curl -sf "$TG/_wait?chat_id=$((1000 + c))&n=$((MSGS + 1))&timeout=300" >/dev/null ||
			fail "run $run: chat $c did not get its answers"
		c=$((c + 1))
	done
	curl -sf "$TG/_sent" | "$PY" -c '
import json,sys
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
        if "%d-%d" % (c, k + 1) not in s["text"]:
            sys.exit("chat %d: answer %d out of order: %r" % (c, k + 1, s["text"]))
        lat.append(s["t"] - a[2])
        end = max(end, s["t"])
lat.sort()
print("%d %.3f %.3f" % (len(lat) / (end - t0), lat[int(len(lat) * 0.99) - 1], end - t0))' "$CHATS" "$MSGS" >>"$runs" ||
		fail "run $run: answers wrong"
	kill "$relay" "$fake"
	wait "$relay" 2>/dev/null || true
	rm -rf "$NESTOR_HOME"
done
sort -n -k1,1 "$runs" | sed -n 2p | awk -v c="$CHATS" -v m="$MSGS" '{ printf "relay %d chats x %d messages: %d messages/s, p99 time to answer %.2f s (all in %.1f s; median of 3)\n", c, m, $1, $2, $3 }'
rm -f "$runs"
