#!/bin/sh
# Telegram out of reach for the polling relay (getUpdates fails, here with
# 500s): after 3 failed polls in a row it lets the poller's lock go and
# takes none for a while, so a standby relay takes it over and polls, and
# answers go out through it; a send Telegram is slow to confirm goes once.
# Before, the keeper renewed the lock whatever the poller did (a relay
# stuck in its back-off held it for good), and a send timed out after a
# quarter of three lock times.
. "${NESTOR_SRC:-$(dirname "$0")/../..}/tests/cli/lib.sh"
. "$SRC/tests/fake/telegram.sh"
. "$SRC/tests/cli/redis.sh"
. "$SRC/tests/cli/relays.sh"
cd "$NESTOR_HOME"
fake_telegram_start
trap relays_cleanup EXIT
redis_start
nestor config set server.redis "$RURL" >/dev/null
nestor config set telegram.lock_ttl 2000 >/dev/null

logged() { grep "\"pid\":$1," nestor.log | grep -q "$2"; }

start w worker --name w
W=$LAST
start relay1 telegram run
R1=$LAST
wait_until -s 'cat relay1.err' "the first relay to take the lock" holder_is "$R1"
start relay2 telegram run
R2=$LAST
getme_twice() {
	[ "$(curl -sf "$TG/_requests" | "$PY" -c 'import json,sys
print(len([r for r in json.load(sys.stdin)["requests"] if r["method"] == "getMe"]))')" -ge 2 ]
}
wait_until -s 'cat relay2.err' "the second relay to start" getme_twice
holder_is "$R1" || fail "the lock moved before Telegram failed: $(holder)"
# Telegram fails the next five polls, whoever makes them.
tg_post /_control '{"fail": [{"method": "getUpdates", "status": 500},
	{"method": "getUpdates", "status": 500}, {"method": "getUpdates", "status": 500},
	{"method": "getUpdates", "status": 500}, {"method": "getUpdates", "status": 500}]}' >/dev/null
wait_until -t 30 -s 'holder; tail -n 3 relay1.err relay2.err' "the standby to take the lock" \
	holder_is "$R2"
logged "$R1" '3 polls failed in a row: the poller.s lock is let go' ||
	fail "the first relay did not say it let the lock go: $(grep "\"pid\":$R1," nestor.log)"
wait_until -s "grep '\"pid\":$R2,' nestor.log" "the standby to say it polls" \
	logged "$R2" 'this relay polls now'
# The new leader polls and answers once Telegram is back.
tg_message 4242 hello
tg_wait_sent 4242 1 30
holder_is "$R2" || fail "the lock moved again: $(holder)"
# A send Telegram is slow to confirm (3 s, more than a lock time) is not
# timed out and sent again: the answer goes once.
tg_post /_control '{"hold": {"sendMessage": 3}}' >/dev/null
tg_message 4243 hello
tg_wait_sent 4243 1 30
tg_post /_control '{"hold": {"sendMessage": 0}}' >/dev/null
outbox_empty() {
	[ "$(nestor telegram status --json | "$PY" -c 'import json,sys; print(json.load(sys.stdin)["outbox"])')" = 0 ]
}
wait_until -t 30 "the outbox to empty" outbox_empty
expect_eq "answers of a slow send" "$(tg_count 4243)" 1
kill -0 "$R1" 2>/dev/null || fail "the first relay exited: $(cat relay1.err)"
for p in $R1 $R2 $W; do
	kill "$p"
	wait "$p" || fail "relay $p exited $? on SIGTERM: $(cat relay1.err relay2.err w.err)"
done
PIDS=
echo ok
