#!/bin/sh
# A Telegram chat linked to a user with a zone (`user add --tz`): that
# user's turns read and say times in it, the relay's process in UTC.
. "${NESTOR_SRC:-$(dirname "$0")/../..}/tests/cli/lib.sh"
. "$SRC/tests/fake/telegram.sh"
cd "$NESTOR_HOME"
# 20:00 UTC on Monday 1 June: already 05:00 on Tuesday 2 June in Tokyo
NESTOR_NOW=$((TEST_T0 + 11 * 3600))@$TEST_REAL0
export NESTOR_NOW
fake_telegram_start
nestor config set telegram.chat_interval 0 >/dev/null
nestor user add kei --tz Asia/Tokyo >/dev/null
code=$(nestor --user kei telegram link --json | "$PY" -c 'import json,sys; print(json.load(sys.stdin)["code"])')

"$NESTOR_BIN" daemon --foreground >d.out 2>&1 &
DAEMON=$!
trap 'kill $TG_PID $DAEMON 2>/dev/null || true' EXIT
tg_message 77 "/start $code"
tg_wait_sent 77 1
expect_match "linked to kei" "$(tg_text 77 1)" 'belongs to kei'
tg_message 77 "remind me at 9 to feed the cat"
tg_wait_sent 77 2
expect_eq "the reply in kei's zone" "$(tg_text 77 2)" \
	"Reminder 1 set for Tue 2 Jun 2026 09:00 (today): feed the cat"
expect_eq "due 09:00 in Tokyo" \
	"$(nestor --user kei remind list --json | "$PY" -c 'import json,sys; print(json.load(sys.stdin)[0]["at"])')" \
	"2026-06-02T00:00:00+00:00"
expect_eq "kept in kei's zone" "$(sqlite3 nestor.db 'SELECT tzid FROM jobs WHERE id = 1')" "Asia/Tokyo"
tg_message 77 "what time is it"
tg_wait_sent 77 3
expect_match "Tokyo's time" "$(tg_text 77 3)" "^It's 05:0[0-9], Tue 2 Jun \\(Asia/Tokyo\\)$"

# Snooze on a reminder's button: "Snoozed until" Tokyo's time
now=$(($(test_now) + 11 * 3600))
nestor --user kei remind add stretch --channel telegram \
	--at "$(date -u -d "@$((now + 1))" +%Y-%m-%dT%H:%M:%SZ)" >/dev/null
tg_wait_sent 77 4
mid=$(tg_json "[m['message_id'] for m in d['messages'] if m['chat_id'] == 77 and m['reply_markup']][0]")
snooze=$(tg_json "[m['reply_markup']['inline_keyboard'][0][1]['callback_data'] for m in d['messages'] if m['message_id'] == $mid][0]")
before=$(($(test_now) + 11 * 3600 + 600))
tg_post /_callback "{\"chat_id\": 77, \"message_id\": $mid, \"data\": \"$snooze\"}" >/dev/null
wait_until -s tg_sent "the Snooze edit" sh -c "[ \"\$(curl -sf '$TG/_sent' | '$PY' -c \"import json,sys; print([len(m['edits']) for m in json.load(sys.stdin)['messages'] if m['message_id'] == $mid][0])\")\" -ge 1 ]"
after=$(($(test_now) + 11 * 3600 + 600))
said=$(tg_json "[m['text'] for m in d['messages'] if m['message_id'] == $mid][0]")
case $said in
*"Snoozed until $(TZ=Asia/Tokyo date -d "@$before" +%H:%M)"* | *"Snoozed until $(TZ=Asia/Tokyo date -d "@$after" +%H:%M)"*) ;;
*) fail "not snoozed until Tokyo's time: $said" ;;
esac
