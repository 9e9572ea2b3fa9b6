#!/bin/sh
# A send Telegram does not confirm in time (telegram.send_timeout) may
# have reached the chat: a reply is not sent again (at most once: the
# user asks again if it never came), a reminder is (at least once: a
# duplicate is better than a reminder missed).
. "${NESTOR_SRC:-$(dirname "$0")/../..}/tests/cli/lib.sh"
. "$SRC/tests/fake/telegram.sh"
cd "$NESTOR_HOME"
fake_telegram_start
nestor config set telegram.chat_interval 0 >/dev/null
nestor config set telegram.send_timeout 1000 >/dev/null
"$NESTOR_BIN" daemon --foreground >d.out 2>&1 &
DAEMON=$!
trap 'kill $TG_PID $DAEMON 2>/dev/null || true' EXIT
nestor task add "water the plants" >/dev/null
tg_message 55 "/start $(nestor telegram link --json | "$PY" -c 'import json,sys; print(json.load(sys.stdin)["code"])')"
tg_wait_sent 55 1
count_of() { tg_json "len([m for m in d['messages'] if m['chat_id'] == 55 and $1])"; }
outbox_empty() { nestor telegram status --json | "$PY" -c 'import json,sys; sys.exit(json.load(sys.stdin)["outbox"] != 0)'; }
held() { [ "$(tg_json "d['held']")" -ge "$1" ]; }
timed_out() { grep -Eq "sendMessage.*$1" nestor.log; }

# The reply's send is held past the time out: given up, then delivered.
tg_post /_control '{"hold": {"sendMessage": 60}}' >/dev/null
tg_message 55 "/tasks"
wait_until -s 'tail -5 nestor.log' "the reply's send to time out" timed_out '(not sent again|again in)'
expect_match "a reply timed out" "$(grep 'sendMessage' nestor.log | tail -1)" 'not sent again: Telegram may have it'
tg_post /_control '{"hold": {"sendMessage": 0}}' >/dev/null
tg_message 55 "/help"
wait_until -s tg_sent "the next reply" sh -c "[ \"\$(curl -sf '$TG/_sent' | '$PY' -c \"import json,sys; print(len([m for m in json.load(sys.stdin)['messages'] if m['chat_id'] == 55]))\")\" -ge 3 ]"
wait_until -s 'nestor telegram status' "the outbox to be empty" outbox_empty
expect_eq "the reply came once" "$(count_of "'water the plants' in m['text']")" 1
expect_eq "three messages in all" "$(count_of True)" 3

# A reminder's send held past the time out goes again: two copies.
tg_post /_control '{"hold": {"sendMessage": 60}}' >/dev/null
nestor remind add "stretch" --at "$(test_date 1 '+%Y-%m-%dT%H:%M:%S%z')" --channel telegram >/dev/null
wait_until -t 20 -s 'tail -5 nestor.log' "the reminder's send to time out" timed_out 'again in'
wait_until -t 20 -s tg_sent "the reminder sent again" held 2
tg_post /_control '{"hold": {"sendMessage": 0}}' >/dev/null
wait_until -s 'nestor telegram status' "the outbox to be empty" outbox_empty
wait_until -s tg_sent "the held sends to end" sh -c "[ \"\$(curl -sf '$TG/_sent' | '$PY' -c \"import json,sys; print(json.load(sys.stdin)['held'])\")\" = 0 ]"
expect_eq "the reminder came twice" "$(count_of "m['reply_markup'] and 'stretch' in m['text']")" 2
echo ok
