#!/bin/sh
# The Telegram relay through Redis with two stores (two devices): the
# poller runs on device A, the only worker on device B.  A chat linked with
# a code made on B gets B's answer, sent once by B's worker (A's relay
# sends only A's outbox): the lock's token names A's device, B's worker
# sees the poller is elsewhere and sends its own store's answers.  A
# worker on A leaves the sending to A's relay.
. "${NESTOR_SRC:-$(dirname "$0")/../..}/tests/cli/lib.sh"
. "$SRC/tests/fake/telegram.sh"
. "$SRC/tests/cli/redis.sh"
. "$SRC/tests/cli/relays.sh"
A=$NESTOR_HOME
B=$(mktemp -d "${TMPDIR:-/tmp}/nestor-cli-b.XXXXXX")
cd "$A"
fake_telegram_start
trap 'relays_cleanup; rm -rf "$B"' EXIT
redis_start
for home in "$A" "$B"; do
	NESTOR_HOME=$home
	nestor config set server.redis "$RURL" >/dev/null
	nestor config set telegram.api_url "$TG" >/dev/null
	nestor config set telegram.chat_interval 0 >/dev/null
	nestor config set telegram.lock_ttl 3000 >/dev/null
done
NESTOR_HOME=$A
dev_of() { NESTOR_HOME=$1 "$NESTOR_BIN" sync status --json | "$PY" -c 'import json,sys; print(json.load(sys.stdin)["device"])'; }
DA=$(dev_of "$A")
DB=$(dev_of "$B")
[ "$DA" != "$DB" ] || fail "the two stores have one device id: $DA"
# logged HOME PID: the log lines of process PID of that home.
logged() { grep "\"pid\":$2," "$1/nestor.log" || true; }
outbox() { NESTOR_HOME=$1 "$NESTOR_BIN" telegram status --json | "$PY" -c 'import json,sys; print(json.load(sys.stdin)["outbox"])'; }

start relay telegram run
RELAY=$LAST
wait_until -s 'cat relay.err' "the relay to take the lock" holder_set

# The only worker is on B: a chat linked with B's code gets B's answer, once.
NESTOR_HOME=$B
start b1 worker --name b1
B1=$LAST
code=$(nestor telegram link --json | "$PY" -c 'import json,sys; print(json.load(sys.stdin)["code"])')
NESTOR_HOME=$A
wait_until -s 'cat b1.err' "worker b1 to start" grep -qs "worker b1: reading" b1.err
tg_message 2001 "/start $code"
tg_wait_sent 2001 1 20
expect_match "B's answer" "$(tg_text 2001 1)" 'Linked'
out_b() { [ "$(outbox "$B")" = 0 ]; }
wait_until -s 'cat b1.err' "B's outbox to empty" out_b
expect_eq "A's outbox" "$(outbox "$A")" 0
expect_match "b1 says it sends B's answers" "$(logged "$B" "$B1")" \
	"worker b1 sends the answers of device $DB \\(the poller is on device $DA\\)"
# The lock's token, and `telegram status`, name the poller's device.
expect_match "the lock names A's device" "$(holder)" "^$DA/.+:$RELAY:[0-9a-f]{16}\$"
expect_match "status shows the poller" "$(nestor telegram status)" "^redis: poller $DA/.+:$RELAY:"
kill "$B1"
wait "$B1" || fail "worker b1 exited $? on SIGTERM: $(cat b1.err)"
expect_match "b1 sent the answer" "$(logged "$B" "$B1")" 'worker b1 stops \(1 updates handled, 0 dead letters, 1 answers sent\)'
expect_eq "answered once" "$(tg_count 2001)" 1

# A worker on A leaves the sending to A's relay (a chat not linked: the
# poller's store answers).
start w worker --name w
W=$LAST
wait_until -s 'cat w.err' "worker w to start" grep -qs "worker w: reading" w.err
leaves() { logged "$A" "$W" | grep -q "worker w leaves the answers to the polling relay of its device ($DA)"; }
wait_until -s 'logged "$A" "$W"' "w to leave the answers to the relay" leaves
tg_message 2002 "hello"
tg_wait_sent 2002 1 20
kill "$W"
wait "$W" || fail "worker w exited $? on SIGTERM: $(cat w.err)"
expect_match "w sent nothing" "$(logged "$A" "$W")" 'worker w stops \(1 updates handled, 0 dead letters, 0 answers sent\)'
expect_eq "answered once by the relay" "$(tg_count 2002)" 1
kill "$RELAY"
wait "$RELAY" || fail "the relay exited $? on SIGTERM: $(cat relay.err)"
echo ok
