#!/bin/sh
# Through Redis (server.redis), updates Telegram numbered anew are answered
# even when Redis lost its offset (a restart without persistence) in the
# week without updates that made Telegram number them anew: the poller,
# asking from 0, cannot tell the new numbering, but a worker takes an
# update dated over a day after the one it did under its id as a new one,
# not as one handed out twice.  Three updates of chat 99 are
# answered; a week passes (their rows of telegram_seen get dates a week
# older, the chat's last update lapses in Redis), the relay stops, Redis
# loses the offset and the updates are numbered anew from just below
# them: all four after that are answered, in order.
. "${NESTOR_SRC:-$(dirname "$0")/../..}/tests/cli/lib.sh"
. "$SRC/tests/fake/telegram.sh"
. "$SRC/tests/cli/redis.sh"
. "$SRC/tests/cli/relays.sh"
cd "$NESTOR_HOME"
fake_telegram_start
trap relays_cleanup EXIT
redis_start
nestor config set server.redis "$RURL" >/dev/null
nestor config set telegram.chat_interval 0 >/dev/null
nestor config set telegram.claim_idle 60000 >/dev/null

start relay telegram run
RELAY=$LAST
wait_until -s 'cat relay.err' "the Redis relay to start" grep -qs "relaying as @" relay.err
start w1 worker --name w1
wait_until -s "cat w1.err" "the worker to start" grep -qs "worker w1: reading" w1.err

code=$(nestor telegram link --json | "$PY" -c 'import json,sys; print(json.load(sys.stdin)["code"])')
tg_message 99 "/start $code"
tg_wait_sent 99 1
adds() { "$PY" -c 'import json,sys; print(json.dumps([{"chat_id": 99, "text": "add task %s %d" % (sys.argv[1], k)} for k in range(1, int(sys.argv[2]) + 1)]))' "$@"; }
ids=$(tg_post /_messages "$(adds old 3)")
first=$(printf '%s' "$ids" | "$PY" -c 'import json,sys; print(json.load(sys.stdin)["update_ids"][0])')
tg_wait_sent 99 4
offset_is() { [ "$(rcli GET nestor:tg:offset)" = "$1" ]; }
wait_until -s 'rcli GET nestor:tg:offset' "the offset after the first updates" offset_is $((first + 3))

# A week without updates: the updates done were dated a week before the
# next, and the chat's last update lapsed in Redis.
sqlite3 "$NESTOR_HOME/nestor.db" "UPDATE telegram_seen SET date = date - 7 * 86400"
for k in $(rcli KEYS 'nestor:tg:last*'); do rcli DEL "$k" >/dev/null; done
# Redis loses the offset while the relay is down, and Telegram numbers the
# next updates from just below the first: the next four are first - 1 and
# then the three ids this store did already.
kill -TERM $RELAY
wait $RELAY 2>/dev/null || true
rcli DEL nestor:tg:offset >/dev/null
tg_post /_control '{"renumber": '$((first - 1))'}' >/dev/null
start relay2 telegram run
wait_until -s 'cat relay2.err' "the second relay to start" grep -qs "relaying as @" relay2.err
tg_post /_messages "$(adds new 4)" >/dev/null
tg_wait_sent 99 8
expect_eq "every task added, once" "$(task_titles)" \
	"['old 1', 'old 2', 'old 3', 'new 1', 'new 2', 'new 3', 'new 4']"
i=1
while [ $i -le 4 ]; do
	expect_match "answer $i after the new numbering" "$(tg_text 99 $((4 + i)))" "new $i"
	i=$((i + 1))
done
wait_until -s 'rcli GET nestor:tg:offset' "the offset after the renumbered updates" \
	offset_is $((first + 3))
echo ok
