#!/bin/sh
# The polling relay frozen (SIGSTOP), not killed, while it sends a batch of
# answers: its lock lapses, the standby takes it and polls; answers queued
# meanwhile and the frozen relay's claimed ones go out through the new
# leader once their claim ran out.  Thawed (SIGCONT), the old leader does
# not exit on Telegram's 409 and does not send again what was sent: it
# stands by.  Every answer goes out exactly once, in order per chat.  A
# 409 while holding the lock, three times in a row, or a webhook, still
# ends the relay with the cause.
. "${NESTOR_SRC:-$(dirname "$0")/../..}/tests/cli/lib.sh"
. "$SRC/tests/fake/telegram.sh"
. "$SRC/tests/cli/redis.sh"
. "$SRC/tests/cli/relays.sh"
cd "$NESTOR_HOME"
CHATS=20
fake_telegram_start
trap relays_cleanup EXIT
redis_start
nestor config set server.redis "$RURL" >/dev/null
nestor config set telegram.chat_interval 0 >/dev/null
nestor config set telegram.rate 1000 >/dev/null
nestor config set telegram.lock_ttl 2000 >/dev/null
nestor config set telegram.claim_idle 2000 >/dev/null

sent_total() { tg_json "len(d['messages'])"; }
sent_at_least() { [ "$(sent_total)" -ge "$1" ]; }

start w1 worker --name w1
start w2 worker --name w2
start relay1 telegram run
R1=$LAST
wait_until -s 'cat relay1.err' "the relay to take the lock" holder_is "$R1"
link_users "$CHATS"
wait_until -t 30 -s 'tail -3 relay1.err w1.err w2.err' "the links answered" sent_at_least "$CHATS"
kill "$R1"
wait "$R1" || fail "the relay exited $? on SIGTERM: $(cat relay1.err)"

# Slow sending now: a pass over the chats' answers lasts seconds.
nestor config set telegram.rate 3 >/dev/null
start relay1 telegram run
R1=$LAST
start relay2 telegram run
R2=$LAST
wait_until -s 'cat relay1.err relay2.err' "a relay to take the lock" holder_set
if holder_is "$R1"; then leader=$R1 lname=relay1 standby=$R2; else leader=$R2 lname=relay2 standby=$R1; fi
holder_is "$leader" || fail "the lock names neither relay: $(holder)"

batch() {
	"$PY" -c '
import json,sys
print(json.dumps([{"chat_id": 1000 + c, "text": "add task %s-%d" % (sys.argv[2], c)}
                  for c in range(1, int(sys.argv[1]) + 1)]))' "$CHATS" "$1" |
		curl -sf -X POST -H 'Content-Type: application/json' "$TG/_messages" -d @- >/dev/null
}
# The leader frozen in the middle of its pass over the first batch, while
# it waits for Telegram's answer to a send that never arrives (held, then
# its connection closed): frozen between Telegram's answer and its own
# note of it, any sender that cannot ask Telegram what it got would send
# that one message again (at least once), and the test would not tell a
# resent message from a sender that sends what another sends.
# A send arrived after the hold was set and waits on it (not one that
# arrived before and is still being answered: frozen after its answer, the
# leader would leave a sent message in its outbox).
sends_held() { [ "$(tg_json "d['held']")" -ge 1 ]; }
batch a
wait_until -t 20 -s 'tail -3 relay1.err relay2.err' "some answers of the first batch" \
	sent_at_least $((CHATS + 4))
tg_post /_control '{"hold": {"sendMessage": 60}, "drop": ["sendMessage"]}' >/dev/null
wait_until -t 20 -s 'tail -3 relay1.err relay2.err' "a send to be held" sends_held
kill -STOP "$leader"
tg_post /_control '{"hold": {"sendMessage": 0}}' >/dev/null
wait_until -t 20 -s 'holder; tail -3 relay1.err relay2.err' "the standby to take the lock" \
	holder_is "$standby"
# Answers queued while the leader is frozen.
batch b
c=1
while [ "$c" -le "$CHATS" ]; do
	tg_wait_sent $((1000 + c)) 3 40
	c=$((c + 1))
done
# Thawed, the old leader stands by rather than exit or send again.
stood() {
	grep "\"pid\":$leader," nestor.log |
		grep -qE 'another relay (of the group took the lock over|polls now)'
}
! stood || fail "the leader stood by before it was thawed: $(grep "\"pid\":$leader," nestor.log)"
kill -CONT "$leader"
wait_until -t 20 -s "grep '\"pid\":$leader,' nestor.log; cat $lname.err" "the old leader to stand by" stood
kill -0 "$leader" 2>/dev/null || fail "the old leader exited: $(cat "$lname.err")"
holder_is "$standby" || fail "the lock moved back: $(holder)"
tg_message 1001 "add task after thaw"
tg_wait_sent 1001 4 20
kill -0 "$leader" 2>/dev/null || fail "the old leader exited: $(cat "$lname.err")"
tg_sent | "$PY" -c '
import json,re,sys
d = json.load(sys.stdin)
chats = int(sys.argv[1])
for c in range(1, chats + 1):
    got = [m["text"] for m in d["messages"] if m["chat_id"] == 1000 + c]
    want = ["a-%d" % c, "b-%d" % c] + (["after thaw"] if c == 1 else [])
    if len(got) != len(want) + 1:
        sys.exit("chat %d: %d messages, want %d: %r" % (1000 + c, len(got), len(want) + 1, got))
    for k, w in enumerate(want):
        if not re.search(r"\b%s\b" % w, got[k + 1]):
            sys.exit("chat %d: answer %d is %r, want %r" % (1000 + c, k + 1, got[k + 1], w))
' "$CHATS" || fail "answers wrong"
# Stopped, the old leader exits cleanly.
kill "$leader"
wait "$leader" || fail "the old leader exited $? on SIGTERM: $(cat relay1.err relay2.err)"

# A 409 for a poll made while the lock moved to another relay: the relay
# stands by (the 409 branch itself: the poll is held by the fake Bot API
# while the lock is given to someone else), and polls again once the lock
# is free.
requests() { curl -sf "$TG/_requests" | "$PY" -c 'import json,sys; print(len([r for r in json.load(sys.stdin)["requests"] if r["method"] == "getUpdates"]))'; }
polls=$(requests)
tg_post /_control '{"hold": {"getUpdates": 60}, "fail": [{"method": "getUpdates", "status": 409}]}' >/dev/null
polled() { [ "$(requests)" -gt "$polls" ]; }
wait_until -s 'tail -n 3 relay1.err relay2.err' "a held poll" polled
rcli SET nestor:tg:poller "elsewhere:1:x" XX PX 60000 >/dev/null
tg_post /_control '{"hold": {"getUpdates": 0}}' >/dev/null
: >stood.log
stood409() {
	grep "\"pid\":$standby," nestor.log >stood.log
	grep -q 'another relay of the group took the lock over (409 Conflict: .*terminated by other getUpdates request' stood.log
}
wait_until -s 'cat stood.log' "the relay to stand by on the 409" stood409
kill -0 "$standby" 2>/dev/null || fail "the relay exited on a 409 it should stand by on"
rcli DEL nestor:tg:poller >/dev/null
wait_until -s 'holder; tail -n 3 relay1.err relay2.err' "the relay to take the lock again" \
	holder_is "$standby"

# A 409 while holding the lock, again and again (a poller outside the
# group): the relay ends, saying so; a webhook ends it at once.
tg_post /_control '{"fail": [{"method": "getUpdates", "status": 409},
	{"method": "getUpdates", "status": 409}, {"method": "getUpdates", "status": 409}]}' >/dev/null
rc=0
wait "$standby" || rc=$?
expect_eq "conflicts: exit" "$rc" 1
expect_match "conflicts: message" "$(cat relay1.err relay2.err)" \
	'another process polls this bot.s updates \(409 Conflict'
tg_post /_control '{"webhook": "https://example.invalid/hook"}' >/dev/null
rc=0
"$NESTOR_BIN" telegram run >webhook.out 2>&1 &
P=$!
wait "$P" || rc=$?
out=$(cat webhook.out)
expect_eq "webhook: exit" "$rc" 1
expect_match "webhook: message" "$out" 'a webhook is set for this bot'
# It took the lock (and polled), then let it go.
grep "\"pid\":$P," nestor.log | grep -q 'this relay polls now (it holds the lock' ||
	fail "the webhook relay never held the lock: $(grep "\"pid\":$P," nestor.log)"
expect_eq "lock released" "$(holder)" ""
echo ok
