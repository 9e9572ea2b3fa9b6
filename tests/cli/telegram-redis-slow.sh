#!/bin/sh
# Through Redis, with telegram.claim_idle at its least (100 ms), a worker
# whose model answers for many claim times keeps its update: the other
# worker, taking over idle entries all the while, takes it not over, the
# model is asked once and the chat answered once.  A worker SIGKILLed in
# such a turn still loses its update to the other, which finishes it.
. "${NESTOR_SRC:-$(dirname "$0")/../..}/tests/cli/lib.sh"
. "$SRC/tests/fake/telegram.sh"
. "$SRC/tests/fake/openai.sh"
. "$SRC/tests/cli/redis.sh"
. "$SRC/tests/cli/relays.sh"
cd "$NESTOR_HOME"
llm_relays_setup 100

# XAUTOCLAIM calls Redis served; the pending entries' count; the consumer
# of the first pending entry and its delivery count.
claims() { rcli INFO commandstats | tr -d '\r' | sed -n 's/^cmdstat_xautoclaim:calls=\([0-9]*\),.*/\1/p'; }
claims_from() { [ "$(claims)" -ge $(($1 + $2)) ]; }
pending() { rcli XPENDING "$(tg_stream)" workers | head -n 1; }
none_pending() { [ "$(pending)" = 0 ]; }
owner() { rcli XPENDING "$(tg_stream)" workers - + 1 | sed -n 2p; }
deliveries() { rcli XPENDING "$(tg_stream)" workers - + 1 | sed -n 4p; }
asked() { fake_py "print(len(reqs))"; }

start relay telegram run
wait_until -s 'cat relay.err' "the relay to start" grep -qs "relaying as @" relay.err
start w1 worker --name w1
W1=$LAST
start w2 worker --name w2
W2=$LAST
wait_until -s "cat w1.err" "worker 1 to start" grep -qs "worker w1: reading" w1.err
wait_until -s "cat w2.err" "worker 2 to start" grep -qs "worker w2: reading" w2.err
tg_message 55 "/start $code"
tg_wait_sent 55 1
wait_until "the link's update acknowledged" none_pending

# The model answers after 5 take-over rounds of the other worker (one
# every 500 ms while it waits for new entries: 20 claim times and more).
fake_script '[{"say": "Slow answer.", "hold_after": 0}]'
tg_message 55 "hello"
wait_until -s fake_requests "the model's request" fake_asked 1
c0=$(claims)
wait_until -t 20 -s "cat w1.err w2.err" "5 take-over rounds" claims_from "$c0" 5
expect_eq "slow: the model asked" "$(asked)" 1
expect_eq "slow: the entry's deliveries" "$(deliveries)" 1
expect_eq "slow: no answer yet" "$(tg_count 55)" 1
fake_release
tg_wait_sent 55 2
wait_until "the entry acknowledged" none_pending
expect_eq "slow: the answer" "$(tg_text 55 2)" "Slow answer."
expect_eq "slow: one answer" "$(tg_count 55)" 2
expect_eq "slow: the model asked once" "$(asked)" 1
grep -q "took over" w1.err w2.err && fail "a worker took the slow turn over: $(cat w1.err w2.err)"

# Killed in a slow turn: the other worker takes the entry over.
fake_script '[{"say": "Never sent.", "hold_after": 0}, {"say": "Taken over."}]'
tg_message 55 "again"
wait_until -s fake_requests "the model's request" fake_asked 2
case $(owner) in
w1) kill -KILL "$W1" ;;
w2) kill -KILL "$W2" ;;
*) fail "the pending entry's worker: [$(owner)]" ;;
esac
tg_wait_sent 55 3
wait_until "the entry acknowledged" none_pending
expect_eq "killed: the answer" "$(tg_text 55 3)" "Taken over."
expect_eq "killed: one answer" "$(tg_count 55)" 3
expect_eq "killed: the model asked again" "$(asked)" 3
echo ok
