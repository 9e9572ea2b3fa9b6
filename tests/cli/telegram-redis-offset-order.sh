#!/bin/sh
# Through Redis, a chat's order is kept for the first updates Telegram
# numbered anew after a week without any while Redis lost its offset (the
# poller cannot tell the new numbering): an id this store did a week
# before is not the chat's previous update done.  Chat 99 links; a week
# passes (the link's row of telegram_seen gets a date a week older, the
# chat's last update in Redis lapses), the relay stops, Redis loses the
# offset and the updates are numbered anew from the link's id: "hello" (a
# model's turn, held) comes under it, then "/new".  "/new" waits for
# "hello" with its worker, and is answered after it.
. "${NESTOR_SRC:-$(dirname "$0")/../..}/tests/cli/lib.sh"
. "$SRC/tests/fake/telegram.sh"
. "$SRC/tests/fake/openai.sh"
. "$SRC/tests/cli/redis.sh"
. "$SRC/tests/cli/relays.sh"
cd "$NESTOR_HOME"
llm_relays_setup 60000

start relay telegram run
RELAY=$LAST
wait_until -s 'cat relay.err' "the relay to start" grep -qs "relaying as @" relay.err
start w1 worker --name w1
start w2 worker --name w2
wait_until -s "cat w1.err" "worker 1 to start" grep -qs "worker w1: reading" w1.err
wait_until -s "cat w2.err" "worker 2 to start" grep -qs "worker w2: reading" w2.err
ids=$(tg_post /_messages '[{"chat_id": 99, "text": "/start '"$code"'"}]')
first=$(printf '%s' "$ids" | "$PY" -c 'import json,sys; print(json.load(sys.stdin)["update_ids"][0])')
tg_wait_sent 99 1
offset_is() { [ "$(rcli GET nestor:tg:offset)" = "$1" ]; }
wait_until -s 'rcli GET nestor:tg:offset' "the offset after the link" offset_is $((first + 1))

# A week without updates: the link's update was dated a week before the
# next, and the chat's last update lapsed in Redis.
sqlite3 "$NESTOR_HOME/nestor.db" "UPDATE telegram_seen SET date = date - 7 * 86400"
kill -TERM $RELAY
wait $RELAY 2>/dev/null || true
for k in $(rcli KEYS 'nestor:tg:last*'); do rcli DEL "$k" >/dev/null; done
rcli DEL nestor:tg:offset >/dev/null
tg_post /_control '{"renumber": '"$first"'}' >/dev/null
start relay2 telegram run
wait_until -s 'cat relay2.err' "the second relay to start" grep -qs "relaying as @" relay2.err

fake_script '[{"say": "Slow answer.", "hold_after": 0}]'
tg_post /_messages '[{"chat_id": 99, "text": "hello"}, {"chat_id": 99, "text": "/new"}]' >/dev/null
wait_until -s fake_requests "the model's request" fake_asked 1
wait_until -s 'cat nestor.log' "/new to wait for hello" \
	grep -qs "update $((first + 1)) waits for update $first of its chat" nestor.log
expect_eq "no answer while hello's turn runs" "$(tg_count 99)" 1
fake_release
tg_wait_sent 99 3
expect_eq "hello answered first" "$(tg_text 99 2)" "Slow answer."
expect_eq "then /new" "$(tg_text 99 3)" "New conversation."
expect_eq "two answers" "$(tg_count 99)" 3
expect_no_turn_left
echo ok
