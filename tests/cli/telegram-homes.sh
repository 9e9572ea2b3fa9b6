#!/bin/sh
# Workers on two machines: two stores (two NESTOR_HOMEs, two devices), one
# redis-server, one polling relay.  A chat linked with a code made on the
# second store is handled by that store's workers only: its tasks are made
# there, its answers sent by them; 20 messages at once with one of its two
# workers SIGKILLed midway: each answered once, in order, each task made
# once; the second store's daemon (a standby relay) sends its reminder
# itself, and the reminder's button goes to that store; unlinked there,
# the chat's next message goes back to the poller's store, which answers
# that it is not linked.
. "${NESTOR_SRC:-$(dirname "$0")/../..}/tests/cli/lib.sh"
. "$SRC/tests/fake/telegram.sh"
. "$SRC/tests/cli/redis.sh"
. "$SRC/tests/cli/relays.sh"
cd "$NESTOR_HOME"
MSGS=20
fake_telegram_start
trap relays_cleanup EXIT
redis_start

B=$NESTOR_HOME/phone
mkdir "$B"
nb() { NESTOR_HOME=$B "$NESTOR_BIN" "$@"; }
# start (relays.sh) for the phone's store
startb() {
	_n=$1
	shift
	: >"$_n.err"
	NESTOR_HOME=$B "$NESTOR_BIN" "$@" 2>>"$_n.err" &
	LAST=$!
	PIDS="$PIDS $LAST"
}
for h in "$NESTOR_HOME" "$B"; do
	for kv in "server.redis $RURL" "telegram.api_url $TG" "telegram.poll_timeout 1" \
		"telegram.chat_interval 0" "telegram.claim_idle 2000" "telegram.lock_ttl 3000"; do
		# shellcheck disable=SC2086 # a key and its value
		NESTOR_HOME=$h "$NESTOR_BIN" config set $kv >/dev/null
	done
done

start relay telegram run
wait_until -s 'cat relay.err' "the relay to start" grep -qs "relaying as @" relay.err
start a1 worker --name a1
startb b1 worker --name b1
B1=$LAST
startb b2 worker --name b2
B2=$LAST
for w in a1 b1 b2; do
	wait_until -s "cat $w.err" "worker $w to start" grep -qs "worker $w: reading" "$w.err"
done
# One of the phone's workers sends its answers (the other leaves them to it).
sender() { grep -o 'worker b[12] sends the answers' "$B/nestor.log" | tail -n 1 | cut -d' ' -f2; }
has_sender() { [ -n "$(sender)" ]; }
wait_until -s 'grep -h "answers" "$B/nestor.log"' "a sender on the phone" has_sender
if [ "$(sender)" = b1 ]; then SENDER=$B1 OTHER=$B2; else SENDER=$B2 OTHER=$B1; fi
S_B=$(tg_stream "$B")
[ "$(tg_stream)" != "$S_B" ] || fail "the two stores have one device id"
code() { "$@" telegram link --json | "$PY" -c 'import json,sys; print(json.load(sys.stdin)["code"])'; }
tg_message 55 "/start $(code nestor)"
tg_message 77 "/start $(code nb)"
tg_wait_sent 55 1
tg_wait_sent 77 1
expect_match "linked here" "$(tg_text 55 1)" 'Linked'
expect_match "linked on the phone" "$(tg_text 77 1)" 'Linked'
chats() { "$@" telegram status --json | "$PY" -c 'import json,sys; print([c["chat"] for c in json.load(sys.stdin)["chats"]])'; }
expect_eq "chats linked here" "$(chats nestor)" "[55]"
expect_eq "chats linked on the phone" "$(chats nb)" "[77]"
expect_eq "the phone's stream, as its status says" \
	"$(nb telegram status --json | "$PY" -c 'import json,sys; print(json.load(sys.stdin)["redis"]["stream"])')" \
	"$(tg_stream "$B")"

tg_message 55 "add task buy bread"
tg_message 77 "add task buy milk"
tg_wait_sent 55 2
tg_wait_sent 77 2
titles() { "$@" task list --json | "$PY" -c 'import json,sys; print(sorted(t["title"] for t in json.load(sys.stdin)))'; }
expect_eq "tasks here" "$(titles nestor)" "['buy bread']"
expect_eq "each acknowledged by its worker, none taken over" \
	"$(cat nestor.log "$B/nestor.log" | grep -c 'took it over\|took over')" 0
expect_eq "tasks on the phone" "$(titles nb)" "['buy milk']"
expect_eq "the phone's answers left its outbox" \
	"$(nb telegram status --json | "$PY" -c 'import json,sys; print(json.load(sys.stdin)["outbox"])')" 0

# 20 messages at once; the worker that does not send SIGKILLed once 5
# are answered: the other goes on, and no answer is repeated.
"$PY" -c '
import json,sys
print(json.dumps([{"chat_id": 77, "text": "add task m-%d" % k} for k in range(1, int(sys.argv[1]) + 1)]))' "$MSGS" |
	curl -sf -X POST -H 'Content-Type: application/json' "$TG/_messages" -d @- >/dev/null
wait_until -t 60 -s 'tail -3 b1.err b2.err' "5 of the answers" tg_has_count 77 7
kill -KILL "$OTHER"
tg_wait_sent 77 $((MSGS + 2)) 60
tg_sent | "$PY" -c '
import json,re,sys
d = json.load(sys.stdin)
msgs = int(sys.argv[1])
got = [m["text"] for m in d["messages"] if m["chat_id"] == 77][2:]
if len(got) != msgs:
    sys.exit("%d answers, want %d" % (len(got), msgs))
for k, t in enumerate(got):
    if not re.search(r"\bm-%d\b" % (k + 1), t):
        sys.exit("answer %d out of order: %r" % (k + 1, t))
' "$MSGS" || fail "the phone's answers: $(tg_sent)"
want=$("$PY" -c 'import sys; print(sorted(["buy milk"] + ["m-%d" % k for k in range(1, int(sys.argv[1]) + 1)]))' "$MSGS")
expect_eq "each task once, on the phone" "$(titles nb)" "$want"
expect_eq "nothing of them here" "$(titles nestor)" "['buy bread']"

# The phone's sending worker SIGKILLed: its daemon (a standby relay: the
# poller is here) takes the sender's lock once it lapses and sends a
# reminder itself.  Its Done button goes to the phone's stream (the
# callback names the phone's device) and waits there for a worker of the
# phone.
kill -KILL "$SENDER"
NESTOR_HOME=$B "$NESTOR_BIN" daemon --foreground >daemon.out 2>&1 &
PIDS="$PIDS $!"
at=$(test_date 1 '+%Y-%m-%dT%H:%M:%S%z')
nb remind add "water the plants" --at "$at" --channel telegram >/dev/null
tg_wait_sent 77 $((MSGS + 3)) 30
expect_match "the reminder, sent by the phone" "$(tg_text 77 -1)" 'water the plants'
mid=$(tg_json "[m['message_id'] for m in d['messages'] if m['chat_id'] == 77][-1]")
done_data=$(tg_json "[m['reply_markup']['inline_keyboard'][0][0]['callback_data'] for m in d['messages'] if m['message_id'] == $mid][0]")
expect_eq "the button names the phone's device" "${done_data#*@}" "${S_B#nestor:tg:updates:}"
tg_post /_callback "{\"chat_id\": 77, \"message_id\": $mid, \"data\": \"$done_data\"}" >/dev/null
waits() { [ "$(rcli XLEN "$S_B")" -ge 1 ] && rcli XRANGE "$S_B" - + | grep -q "$done_data"; }
wait_until -s 'rcli XRANGE "$S_B" - +' "the press on the phone's stream" waits
startb b3 worker --name b3
answered() { [ "$(tg_json "len(d['callbacks'])")" -ge 1 ]; }
wait_until -s 'cat b3.err' "the press answered" answered
expect_eq "done on the phone" "$(nb remind list --json | "$PY" -c 'import json,sys; print([r["text"] for r in json.load(sys.stdin)])')" "[]"

# Unlinked on the phone: the chat's next message comes to the poller's
# store, which answers that the chat is not linked.
nb telegram unlink 77 >/dev/null
tg_message 77 "add task gone"
tg_wait_sent 77 $((MSGS + 4))
expect_match "not linked any more" "$(tg_text 77 -1)" 'not linked'
expect_eq "nothing made here" "$(titles nestor)" "['buy bread']"
expect_eq "nothing made on the phone" "$(titles nb)" "$want"
echo ok
