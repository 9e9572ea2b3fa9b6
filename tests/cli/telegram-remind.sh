#!/bin/sh
# Reminders on the phone: `nestor daemon` with a bot token runs the relay;
# a reminder on the telegram channel arrives once in the linked chat with
# Done / Snooze buttons, and each button does what it says, once, in that
# chat alone; a chat linked to another user since talks in that user's
# conversation.
. "${NESTOR_SRC:-$(dirname "$0")/../..}/tests/cli/lib.sh"
. "$SRC/tests/fake/telegram.sh"
cd "$NESTOR_HOME"
fake_telegram_start
nestor config set telegram.chat_interval 0 >/dev/null
code=$(nestor telegram link --json | "$PY" -c 'import json,sys; print(json.load(sys.stdin)["code"])')

"$NESTOR_BIN" daemon --foreground >d.out 2>&1 &
DAEMON=$!
trap 'kill $TG_PID $DAEMON 2>/dev/null || true' EXIT
tg_message 55 "/start $code"
tg_wait_sent 55 1
expect_match "linked through the daemon's relay" "$(tg_text 55 1)" 'belongs to me'

# Three reminders due in a second, on the telegram channel only.
at=$(test_date 1 '+%Y-%m-%dT%H:%M:%S%z')
nestor remind add "water the plants" --at "$at" --channel telegram >/dev/null
nestor remind add "call mom" --at "$at" --channel telegram >/dev/null
nestor remind add "stretch" --at "$at" --channel telegram >/dev/null
tg_wait_sent 55 4
mids=$(tg_json "' '.join(str(m['message_id']) for m in d['messages'] if m['chat_id'] == 55 and m['reply_markup'])")
set -- $mids
expect_eq "three reminders with buttons" "$#" 3
buttons=$(tg_json "[[b['text'] for b in m['reply_markup']['inline_keyboard'][0]] for m in d['messages'] if m['reply_markup']][0]")
expect_eq "buttons" "$buttons" "['Done', 'Snooze 10 min', 'Snooze 1 h']"
data() { tg_json "[m['reply_markup']['inline_keyboard'][0][$2]['callback_data'] for m in d['messages'] if m['message_id'] == $1][0]"; }
text_of() { tg_json "[m['text'] for m in d['messages'] if m['message_id'] == $1][0]"; }
expect_match "short callback_data" "$(data "$1" 1)" '^s10:[0-9a-f.]{1,20}@[0-9a-f]{16}$'
again=$(data "$2" 2)
t1=$(text_of "$1")
t2=$(text_of "$2")
t3=$(text_of "$3")

press() {
	tg_post /_callback "{\"chat_id\": 55, \"message_id\": $1, \"data\": \"$2\"}" >/dev/null
}
answered() { [ "$(tg_json "len(d['callbacks'])")" -ge "$1" ]; }

# A button's data sent from another user's linked chat: the reminder is
# gone for it, and the owner's reminder stays as it was.
nestor user add bob >/dev/null
bcode=$(nestor --user bob telegram link --json | "$PY" -c 'import json,sys; print(json.load(sys.stdin)["code"])')
tg_message 66 "/start $bcode"
tg_wait_sent 66 1
before=$(nestor remind list --all --json)
tg_post /_callback "{\"chat_id\": 66, \"message_id\": $1, \"data\": \"$(data "$1" 1)\"}" >/dev/null
wait_until -s tg_sent "the forged press answered" answered 1
expect_eq "gone for bob's chat" "$(tg_json "d['callbacks'][0]['text']")" "That reminder is gone."
expect_eq "the owner's reminders untouched" "$(nestor remind list --all --json)" "$before"

# Done: the message says so, the reminder is done.
press "$1" "$(data "$1" 0)"
wait_until -s tg_sent "the Done answer" answered 2
wait_until -s tg_sent "the Done edit" sh -c "[ \"\$(curl -sf '$TG/_sent' | '$PY' -c \"import json,sys; print([len(m['edits']) for m in json.load(sys.stdin)['messages'] if m['message_id'] == $1][0])\")\" = 1 ]"
expect_match "edited to Done" "$(text_of "$1")" "✓ Done"
# Snooze 10 min and 1 h: due again then.
press "$2" "$(data "$2" 1)"
press "$3" "$(data "$3" 2)"
wait_until -s tg_sent "the Snooze answers" answered 4
now=$(test_now)
nestor remind list --json | "$PY" -c '
import json,sys,datetime
now=int(sys.argv[1]); r={x["text"]: x for x in json.load(sys.stdin)}
for text, secs in ((sys.argv[2], 600), (sys.argv[3], 3600)):
    at=datetime.datetime.fromisoformat(r[text]["at"]).timestamp()
    assert abs(at - (now + secs)) <= 5, (text, at - now)
assert sys.argv[4] not in r, "done is not listed"' "$now" "$(printf '%s' "$t2" | sed 's/^⏰ //')" "$(printf '%s' "$t3" | sed 's/^⏰ //')" "$(printf '%s' "$t1" | sed 's/^⏰ //')" ||
	fail "snoozed reminders are not due 10 min and 1 h from now: $(nestor remind list --json)"
expect_match "edited to Snoozed" "$(text_of "$2")" "Snoozed until"
# A second press acts no more: answered, nothing edited again.
press "$2" "$again"
wait_until -s tg_sent "the second press answered" answered 5
expect_eq "no second edit" "$(tg_json "[len(m['edits']) for m in d['messages'] if m['message_id'] == $2][0]")" 1
# Exactly once: one message per reminder, whatever the daemon did.
expect_eq "one message each" "$(tg_json "len([m for m in d['messages'] if m['html'].startswith('⏰')])")" 3
expect_eq "buttons gone once pressed" "$(tg_json "[m['reply_markup'] for m in d['messages'] if m['html'].startswith('⏰')]")" "[None, None, None]"

# A chat moved from the first user to bob: bob's turn begins a conversation
# of bob's, and the first user's stays as it was.
sent55() { tg_json "len([m for m in d['messages'] if m['chat_id'] == 55])"; }
n=$(sent55)
tg_message 55 "what time is it"
tg_wait_sent 55 $((n + 1))
conv=$(nestor history show 1 --json)
nestor user edit me --telegram-chat none >/dev/null
nestor user edit bob --telegram-chat 55 >/dev/null
n=$(sent55)
tg_message 55 "what time is it"
tg_wait_sent 55 $((n + 1))
expect_match "bob's answer" "$(tg_text 55 -1)" "^It's "
expect_eq "bob's conversation" "$(nestor --user bob history list --json | "$PY" -c 'import json,sys; print([c["channel"] for c in json.load(sys.stdin)])')" "['telegram']"
expect_eq "the first user's conversation unchanged" "$(nestor history show 1 --json)" "$conv"

kill "$DAEMON"
wait "$DAEMON" || fail "the daemon exited $?: $(cat d.out)"
# A chat that is not linked: the channel is skipped (reported), nothing queued.
nestor telegram unlink 55 >/dev/null
nestor remind add "lonely" --at "$(test_date -5 '+%Y-%m-%dT%H:%M:%S%z')" --channel telegram >/dev/null
nestor remind fire >/dev/null 2>&1 || true
expect_eq "nothing queued" "$(nestor telegram status --json | "$PY" -c 'import json,sys; print(json.load(sys.stdin)["outbox"])')" 0
echo ok
