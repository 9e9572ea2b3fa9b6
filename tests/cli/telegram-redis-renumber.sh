#!/bin/sh
# Telegram numbers the next update at random after a week without any;
# through Redis (server.redis) the updates numbered anew are answered, even
# those whose ids this store did already under the old numbering (a worker
# takes an update it has done as one handed out twice, and only
# acknowledges it).  Three updates of chat 99 are answered, then the
# updates are numbered anew from just below them: all four after that are
# answered, in order, and the stream's offset goes on after them.
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

# Numbered anew from just below the first: the next four are first - 1
# and then the three ids this store did already.
tg_post /_control '{"renumber": '$((first - 1))'}' >/dev/null
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
expect_match "the new numbering is told" "$(cat nestor.log)" \
	"updates numbered anew from $((first - 1)), below the offset $((first + 3)) \\(numbering [0-9]+\\)"
expect_match "the store forgets the old numbering's updates" "$(cat nestor.log)" \
	"updates numbered anew from $((first - 1)) \\(numbering [0-9]+\\): forgot 4 done of the old numbering from there on"
echo ok
