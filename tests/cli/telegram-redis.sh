#!/bin/sh
# The Telegram relay scaled out through a real redis-server (server.redis):
# two relays, only the lock holder polls (the fake sees no 409); 50 chats x
# 20 messages through 3 workers, one SIGKILLed midway: every message
# answered once, in order per chat, each task made once; the polling relay
# SIGKILLed: the standby takes the lock and polls; an update that kills its
# worker each time goes to the dead letters after telegram.max_attempts,
# which `nestor status` and `telegram status --json` show (one done already
# is only acknowledged); while a worker
# waits on Telegram (typing), the store is not locked.
. "${NESTOR_SRC:-$(dirname "$0")/../..}/tests/cli/lib.sh"
. "$SRC/tests/fake/telegram.sh"
. "$SRC/tests/cli/redis.sh"
. "$SRC/tests/cli/relays.sh"
cd "$NESTOR_HOME"
CHATS=50
MSGS=20
fake_telegram_start
trap relays_cleanup EXIT
redis_start

# A password in the URL is refused, naming the key.
rc=0
out=$(nestor config set server.redis "redis://:secret@127.0.0.1:$RPORT/0" 2>&1) || rc=$?
expect_eq "password refused: exit" "$rc" 2
expect_match "password refused: message" "$out" 'server.redis: a password in the URL is refused.*nestor secret set redis'
nestor config set server.redis "$RURL" >/dev/null
nestor config set telegram.chat_interval 0 >/dev/null
nestor config set telegram.rate 1000 >/dev/null
nestor config set telegram.lock_ttl 3000 >/dev/null
nestor config set telegram.claim_idle 2000 >/dev/null


start relay1 telegram run
R1=$LAST
start relay2 telegram run
R2=$LAST
wait_until -s 'cat relay1.err relay2.err' "both relays to start" \
	sh -c 'grep -qs "relaying as @" relay1.err && grep -qs "relaying as @" relay2.err'
wait_until -s 'cat relay1.err relay2.err' "a relay to take the lock" holder_set
for w in 1 2 3; do
	start "w$w" worker --name "w$w"
	eval "W$w=\$LAST"
	wait_until -s "cat w$w.err" "worker $w to start" grep -qs "worker w$w: reading" "w$w.err"
done

link_users "$CHATS"
tg_wait_sent $((1000 + CHATS)) 1 60
expect_match "linked" "$(tg_text 1001 1)" 'Linked'

# 50 chats x 20 messages at once; worker 2 is SIGKILLed once a third is answered.
"$PY" -c '
import json,sys
chats, msgs = int(sys.argv[1]), int(sys.argv[2])
print(json.dumps([{"chat_id": 1000 + c, "text": "add task %d-%d" % (c, k)}
                  for k in range(1, msgs + 1) for c in range(1, chats + 1)]))' "$CHATS" "$MSGS" |
	curl -sf -X POST -H 'Content-Type: application/json' "$TG/_messages" -d @- >/dev/null
answered() { [ "$(tg_json "len(d['messages'])")" -ge "$1" ]; }
wait_until -t 60 -s 'tail -5 w1.err w2.err w3.err' "a third of the answers" answered $((CHATS + CHATS * MSGS / 3))
kill -KILL "$W2"
c=1
while [ "$c" -le "$CHATS" ]; do
	tg_wait_sent $((1000 + c)) $((MSGS + 1)) 90
	c=$((c + 1))
done
tg_sent | "$PY" -c '
import json,sys
d = json.load(sys.stdin)
chats, msgs = int(sys.argv[1]), int(sys.argv[2])
for c in range(1, chats + 1):
    got = [m["text"] for m in d["messages"] if m["chat_id"] == 1000 + c]
    if len(got) != msgs + 1:
        sys.exit("chat %d: %d messages, want %d" % (c, len(got), msgs + 1))
    for k, t in enumerate(got[1:]):
        if "%d-%d" % (c, k + 1) not in t:
            sys.exit("chat %d: answer %d out of order: %r" % (c, k + 1, t))
if d["conflicts"]:
    sys.exit("%d getUpdates calls ended in 409: two relays polled" % d["conflicts"])
' "$CHATS" "$MSGS" || fail "answers wrong"
c=1
while [ "$c" -le "$CHATS" ]; do
	got=$(nestor --user "u$c" task list --json | "$PY" -c 'import json,sys; print(" ".join(sorted(t["title"] for t in json.load(sys.stdin))))')
	want=$("$PY" -c 'import sys; c, m = int(sys.argv[1]), int(sys.argv[2]); print(" ".join(sorted("%d-%d" % (c, k) for k in range(1, m + 1))))' "$c" "$MSGS")
	expect_eq "tasks of chat $c" "$got" "$want"
	c=$((c + 1))
done
expect_match "worker 2 was killed" "$(cat w2.err)" 'reading'

# The polling relay SIGKILLed: the other takes the lock and polls.
if holder_is "$R1"; then leader=$R1 standby=$R2; else leader=$R2 standby=$R1; fi
holder_is "$leader" || fail "the lock names neither relay: $(holder)"
kill -KILL "$leader"
wait_until -t 20 -s 'holder; cat relay1.err relay2.err' "the standby to take the lock" holder_is "$standby"
tg_message 1001 "add task after failover"
tg_wait_sent 1001 $((MSGS + 2)) 30
expect_match "answered after failover" "$(tg_text 1001 -1)" 'after failover'

# An update that kills its worker each time: dead after max_attempts (2).
for w in "$W1" "$W3"; do kill "$w"; wait "$w" || true; done
nestor config set telegram.max_attempts 2 >/dev/null
nestor config set telegram.claim_idle 300 >/dev/null
tg_post /_control '{"hold": {"sendChatAction": 30}}' >/dev/null
tg_message 1002 "add task poison"
for try in 1 2; do
	before=$(curl -sf "$TG/_requests" | "$PY" -c "import json,sys; print(len([r for r in json.load(sys.stdin)['requests'] if r['method'] == 'sendChatAction']))")
	start "p$try" worker --name "p$try"
	P=$LAST
	typing_more() { [ "$(curl -sf "$TG/_requests" | "$PY" -c "import json,sys; print(len([r for r in json.load(sys.stdin)['requests'] if r['method'] == 'sendChatAction']))")" -gt "$before" ]; }
	wait_until -t 20 -s "cat p$try.err" "worker p$try to take the poison" typing_more
	# The worker waits on Telegram outside its transaction: the terminal writes.
	nestor --user u2 task add "written while a worker waits $try" >/dev/null ||
		fail "the store was locked while a worker waited on Telegram"
	kill -KILL "$P"
	wait "$P" 2>/dev/null || true
done
tg_post /_control '{"hold": {"sendChatAction": 0}}' >/dev/null
# An update done already whose worker died before acknowledging it, taken
# over more than max_attempts times since: acknowledged, no dead letter.
S=$(tg_stream)
done_id=$(sqlite3 nestor.db 'SELECT max(update_id) FROM telegram_seen')
ghost=$(rcli XADD "$S" '*' u "$done_id" chat 1001 prev 0 body "{\"update_id\":$done_id}")
rcli XREADGROUP GROUP workers ghost COUNT 10 STREAMS "$S" '>' >/dev/null
rcli XCLAIM "$S" workers ghost 0 "$ghost" RETRYCOUNT 5 >/dev/null
start p3 worker --name p3
P3=$LAST
dead() { [ "$(nestor telegram status --json | "$PY" -c 'import json,sys; print(json.load(sys.stdin)["redis"]["dead"])')" = 1 ]; }
wait_until -t 20 -s 'cat p3.err; nestor telegram status' "the poison in the dead letters" dead
nestor telegram status --json | "$PY" -c '
import json,sys
r = json.load(sys.stdin)["redis"]
d = r["dead_letters"][0]
assert d["chat"] == 1002 and "delivered 3 times" in d["why"], r
' || fail "dead letter wrong: $(nestor telegram status --json)"
none_pending() { [ "$(rcli XPENDING "$S" workers | head -n 1)" = 0 ]; }
wait_until -s 'rcli XPENDING "$S" workers - + 10' "the done update acknowledged" none_pending
expect_eq "the done update is no dead letter" "$(nestor telegram status --json | "$PY" -c 'import json,sys; print(json.load(sys.stdin)["redis"]["dead"])')" 1
rc=0
out=$(nestor status) || rc=$?
expect_eq "status exit with a dead letter" "$rc" 1
expect_match "status names the dead letters" "$out" 'dead letters'
expect_eq "no poison task" "$(nestor --user u2 task list --json | "$PY" -c 'import json,sys; print(len([t for t in json.load(sys.stdin) if "poison" in t["title"]]))')" 0
# The chat is told, once, and goes on after its dead update.
tg_wait_sent 1002 $((MSGS + 2)) 30
expect_match "the chat told of its dead update" "$(tg_text 1002 -1)" '^Sorry, I could not handle that message'
tg_message 1002 "add task after poison"
tg_wait_sent 1002 $((MSGS + 3)) 30
expect_match "chat goes on" "$(tg_text 1002 -1)" 'after poison'
expect_eq "one line for the dead update" "$(tg_count 1002)" $((MSGS + 3))
# Stopped, the worker and the relay exit cleanly (and the relay lets go of the lock).
kill "$P3" "$standby"
wait "$P3" || fail "worker p3 exited $? on SIGTERM: $(cat p3.err)"
wait "$standby" || fail "the relay exited $? on SIGTERM: $(cat relay1.err relay2.err)"
expect_eq "lock released" "$(holder)" ""
echo ok
