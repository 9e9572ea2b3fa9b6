#!/bin/sh
# In a group the bot hears what is said to others: a command addressed to
# another bot ("/tasks@other_bot") is neither run nor answered, and an
# unlinked group is not told how to link at every message (a private chat
# is, and "/start CODE" is answered anywhere).  A private chat is only
# ever the bot's: "/cmd@name" is answered there.
. "${NESTOR_SRC:-$(dirname "$0")/../..}/tests/cli/lib.sh"
. "$SRC/tests/fake/telegram.sh"
cd "$NESTOR_HOME"
fake_telegram_start
nestor config set telegram.chat_interval 0 >/dev/null
nestor task add "water the plants" >/dev/null
# group_message CHAT TEXT: TEXT said in group chat CHAT
group_message() {
	"$PY" -c 'import json,sys; print(json.dumps({"chat_id": int(sys.argv[1]),
		"text": sys.argv[2], "chat_type": "supergroup"}))' "$1" "$2" |
		curl -sf -X POST -H 'Content-Type: application/json' "$TG/_message" -d @- >/dev/null
}
: >run.err
"$NESTOR_BIN" telegram run 2>run.err &
RELAY=$!
trap 'kill $TG_PID $RELAY 2>/dev/null || true' EXIT
wait_until -s 'cat run.err' "the relay to start" grep -qs 'relaying as @nestor_test_bot' run.err

# A private chat is only ever ours: "/cmd@name" there is answered.
code=$(nestor telegram link --json | "$PY" -c 'import json,sys; print(json.load(sys.stdin)["code"])')
tg_message 55 "/start $code"
tg_wait_sent 55 1
tg_message 55 "/me@home"
tg_wait_sent 55 2
expect_match "a private chat: /me@home is answered" "$(tg_text 55 2)" "understand"
tg_message 88 "/tasks@some_other_bot"
tg_wait_sent 88 1
expect_match "an unlinked private chat: told for /cmd@name" "$(tg_text 88 1)" 'not linked to nestor'

# Updates are handled in order: once the second is answered, the first
# was handled too, and said nothing.
code=$(nestor telegram link --json | "$PY" -c 'import json,sys; print(json.load(sys.stdin)["code"])')
group_message -100 "good morning everyone"
group_message -100 "/start $code"
tg_wait_sent -100 1
expect_match "a group links with /start CODE" "$(tg_text -100 1)" 'belongs to me'
expect_eq "an unlinked group: nothing said before" "$(tg_count -100)" 1

group_message -200 "hello bots"
group_message -200 "/tasks@some_other_bot"
group_message -200 "/start WRONGCODE"
tg_wait_sent -200 1
expect_match "/start in an unlinked group is answered" "$(tg_text -200 1)" 'unknown or has expired'
expect_eq "an unlinked group: nothing else said" "$(tg_count -200)" 1

tg_message 77 "hello"
tg_wait_sent 77 1
expect_match "an unlinked private chat is told" "$(tg_text 77 1)" 'not linked to nestor'

# The linked group: the same.
group_message -100 "/tasks@some_other_bot"
group_message -100 "/tasks@NESTOR_TEST_BOT"
tg_wait_sent -100 2
expect_match "our command answered in a group" "$(tg_text -100 2)" 'water the plants'
group_message -100 "/help@some_other_bot"
group_message -100 "/tasks@nestor_test_bot_2"
group_message -100 "/tasks"
tg_wait_sent -100 3
expect_match "a command without a name answered" "$(tg_text -100 3)" 'water the plants'
expect_eq "other bots' commands: not answered" "$(tg_count -100)" 3
# The bot's name ends at any white space, a tab too.
group_message -100 "$(printf '/tasks@nestor_test_bot\tnow')"
tg_wait_sent -100 4
expect_match "our command before a tab answered" "$(tg_text -100 4)" 'water the plants'
all_seen() { [ "$(tg_json "d['pending']")" = 0 ]; }
wait_until -s tg_sent "every update confirmed, other bots' commands too" all_seen
kill "$RELAY"
wait "$RELAY" || fail "the relay exited $? on SIGTERM: $(cat run.err)"
echo ok
