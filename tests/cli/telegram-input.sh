#!/bin/sh
# Hostile input to the Telegram relay: a message the assistant refuses as
# it stands (a title over 1000 bytes) is answered at once with the
# reason, and the updates after it, of every chat, go on:
# the relay does not fetch the refused update again and again as it does
# when the database is busy.  Through Redis too: the worker answers it and
# the chat's next message follows, rather than leaving it for a retry.  A
# 429 with a retry_after beyond all measure is taken as an hour.  An update
# below the offset (a batch out of order) is skipped, the offset kept; a
# batch wholly below it (Telegram numbered the updates anew) is answered.
. "${NESTOR_SRC:-$(dirname "$0")/../..}/tests/cli/lib.sh"
. "$SRC/tests/fake/telegram.sh"
. "$SRC/tests/cli/redis.sh"
. "$SRC/tests/cli/relays.sh"
cd "$NESTOR_HOME"
fake_telegram_start
trap relays_cleanup EXIT
nestor config set telegram.chat_interval 0 >/dev/null

start run telegram run
RELAY=$LAST
wait_until -s 'cat run.err' "the relay to start" grep -qs 'relaying as @nestor_test_bot' run.err
code=$(nestor telegram link --json | "$PY" -c 'import json,sys; print(json.load(sys.stdin)["code"])')
tg_message 77 "/start $code"
tg_wait_sent 77 1

# getUpdates calls (index in the fake's log, offset) from the Nth on.
polls() {
	curl -sf "$TG/_requests" | "$PY" -c 'import json,sys
r = json.load(sys.stdin)["requests"]
print([int(x["params"].get("offset", 0)) for x in r[int(sys.argv[1]):] if x["method"] == "getUpdates"])' "$1"
}
# A title of 1100 bytes: more than a task's title may hold.
LONG=$("$PY" -c 'print("x" * 1100)')
k=$(curl -sf "$TG/_requests" | "$PY" -c 'import json,sys; print(len(json.load(sys.stdin)["requests"]))')
ids=$(tg_post /_messages '[{"chat_id": 77, "text": "add task '"$LONG"' 1"},
	{"chat_id": 77, "text": "add task '"$LONG"' 2"},
	{"chat_id": 77, "text": "add task '"$LONG"' 3"},
	{"chat_id": 88, "text": "/help"}]')
last=$(printf '%s' "$ids" | "$PY" -c 'import json,sys; print(json.load(sys.stdin)["update_ids"][-1])')
tg_wait_sent 88 1
tg_wait_sent 77 4
expect_match "the next chat is answered" "$(tg_text 88 1)" 'not linked to nestor'
i=2
while [ $i -le 4 ]; do
	expect_eq "refused message $i, one line" "$(tg_text 77 $i | wc -l)" 1
	expect_match "refused message $i" "$(tg_text 77 $i)" \
		'^Sorry, that failed: title: too long \(1102 bytes, at most 1000\)$'
	i=$((i + 1))
done
# The batch came in one poll at most after the messages were queued (the
# one waiting then, or the next); every later poll confirms all of it.
expect_eq "polls that fetched the batch again" \
	"$(polls "$k" | "$PY" -c "import sys; print(len([o for o in eval(sys.stdin.read()) if o <= $last]) <= 1)")" True
expect_eq "no task added" "$(nestor task list --json)" "[]"
if grep -q 'tried again after a pause' nestor.log; then
	fail "a refused message was tried again: $(grep 'tried again' nestor.log)"
fi

# A batch out of order, [N+10, N+3]: N+3 is before the offset N+10 left, so
# it is skipped and the offset stays after N+10 (going back to N+4 fetched
# N+10 again and answered it once more, at every poll).
uid() { "$PY" -c 'import json,sys; print(json.load(sys.stdin)["update_id"])'; }
base=$(tg_post /_message '{"chat_id": 99, "text": "/help"}' | uid)
tg_wait_sent 99 1
tg_post /_messages '[{"chat_id": 99, "text": "/help", "update_id": '$((base + 10))'},
	{"chat_id": 99, "text": "/tasks", "update_id": '$((base + 3))'}]' >/dev/null
last=$(tg_post /_message '{"chat_id": 99, "text": "/reminders"}' | uid)
confirmed() { [ "$(tg_json "d['offset'] > $last")" = True ]; }
wait_until -s 'tg_sent' "the relay to confirm the last update" confirmed
expect_eq "out of order: answered once each" "$(tg_count 99)" 3
expect_match "the update before the offset is skipped" "$(cat nestor.log)" \
	"update $((base + 3)) is before the offset $((base + 11)) \\(skipped\\)"
offset() { nestor telegram status --json | "$PY" -c 'import json,sys; print(json.load(sys.stdin)["offset"])'; }
expect_eq "the offset stays after the latest" "$(offset)" $((last + 1))

# After a week without updates Telegram numbers the next one at random,
# here below the offset: the batch is answered and the offset goes on
# after it (skipping it as before the offset left the relay deaf, every
# update after it being below the offset too).
tg_post /_control '{"renumber": 500}' >/dev/null
tg_post /_messages '[{"chat_id": 99, "text": "/help"}, {"chat_id": 99, "text": "/tasks"}]' >/dev/null
tg_wait_sent 99 5
tg_message 99 "/reminders"
tg_wait_sent 99 6
expect_match "the new numbering is told" "$(cat nestor.log)" \
	"updates numbered anew from 500, below the offset $((last + 1))"
if grep -q 'update 50[0-9] is before the offset' nestor.log; then
	fail "an update numbered anew was skipped: $(grep 'before the offset' nestor.log)"
fi
confirmed() { [ "$(tg_json "d['offset']")" = 503 ]; }
wait_until -s 'tg_sent' "the relay to confirm the renumbered updates" confirmed
expect_eq "the offset after the renumbered updates" "$(offset)" 503
kill "$RELAY"
wait "$RELAY" || fail "the relay exited $? on SIGTERM: $(cat run.err)"

# Through Redis: a worker runs the turns.  A retry would come only after
# claim_idle (a minute), so the answers here are the first tries'.
redis_start
nestor config set server.redis "$RURL" >/dev/null
nestor config set telegram.claim_idle 60000 >/dev/null
start relay telegram run
wait_until -s 'cat relay.err' "the Redis relay to start" grep -qs "relaying as @" relay.err
start w1 worker --name w1
wait_until -s "cat w1.err" "the worker to start" grep -qs "worker w1: reading" w1.err
tg_post /_messages '[{"chat_id": 77, "text": "add task '"$LONG"' 4"},
	{"chat_id": 77, "text": "/help"}]' >/dev/null
tg_wait_sent 77 6
expect_match "refused through Redis" "$(tg_text 77 5)" \
	'^Sorry, that failed: title: too long \(1102 bytes, at most 1000\)$'
expect_match "the chat's next message" "$(tg_text 77 6)" 'my tasks'
expect_eq "no task added through Redis" "$(nestor task list --json)" "[]"

# A 429 whose retry_after is out of all measure (1e300): the chat waits an
# hour, the most the relay takes; the other chats go on.
tg_post /_control '{"fail": [{"method": "sendMessage", "status": 429, "retry_after": 1e300}]}' >/dev/null
tg_message 77 "/help"
wait_until -s 'grep "Too Many" nestor.log' "the relay to say how long it waits" \
	grep -qs 'Too Many Requests.*(waiting 3600 s)' nestor.log
tg_message 88 "/help"
tg_wait_sent 88 2
expect_eq "the waiting chat" "$(tg_count 77)" 6
expect_eq "nothing sent inside retry_after" "$(tg_json "d['violations']")" "[]"
echo ok
