#!/bin/sh
# Through Redis, a worker SIGKILLed in an llm turn after its tool call's
# effect, while the model is asked again: another worker takes the entry
# over and resumes the turn (the effect once, the answer once, the tool not
# asked for again); while the model answers, the terminal writes.
. "${NESTOR_SRC:-$(dirname "$0")/../..}/tests/cli/lib.sh"
. "$SRC/tests/fake/telegram.sh"
. "$SRC/tests/fake/openai.sh"
. "$SRC/tests/cli/redis.sh"
. "$SRC/tests/cli/relays.sh"
cd "$NESTOR_HOME"
llm_relays_setup 1000

start relay telegram run
wait_until -s 'cat relay.err' "the relay to start" grep -qs "relaying as @" relay.err
start w1 worker --name w1
W1=$LAST
wait_until -s "cat w1.err" "worker 1 to start" grep -qs "worker w1: reading" w1.err
tg_message 55 "/start $code"
tg_wait_sent 55 1

fake_script '[{"calls": [{"name": "task_add", "arguments": {"title": "buy bread"}}]},
 {"say": "Never sent.", "hold_after": 0}]'
tg_message 55 "add buy bread"
wait_until -s fake_requests "the model's second request" fake_asked 2
nestor task add "buy milk" >add.out 2>add.err ||
	fail "task add while the model answers: $(cat add.err)"
kill -KILL "$W1"
expect_eq "killed: the tool's effect" "$(task_titles)" "['buy bread', 'buy milk']"
expect_eq "killed: no answer" "$(tg_count 55)" 1

fake_script '[{"say": "Added buy bread."}]'
start w2 worker --name w2
tg_wait_sent 55 2
expect_eq "resumed: the answer" "$(tg_text 55 2)" "Added buy bread."
tg_message 55 "/new"
tg_wait_sent 55 3
expect_eq "one answer each" "$(tg_count 55)" 3
expect_eq "the effect once" "$(task_titles)" "['buy bread', 'buy milk']"
expect_resumed 3 '["add buy bread"]'
expect_no_turn_left
echo ok
