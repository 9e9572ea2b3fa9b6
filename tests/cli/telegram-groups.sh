#!/bin/sh
# In a group the bot hears what is said to others: a command addressed to
# another bot ("/tasks@other_bot") is neither run nor answered, and an
# unlinked group is not told how to link at every message (a private chat
# is, and "/start CODE" is answered, in a group only when the code was
# found or the group is linked; a group links only with a code made for
# one).  A private chat is only ever the bot's: "/cmd@name"
# is answered there.
. "${NESTOR_SRC:-$(dirname "$0")/../..}/tests/cli/lib.sh"
. "$SRC/tests/fake/telegram.sh"
cd "$NESTOR_HOME"
fake_telegram_start
nestor config set telegram.chat_interval 0 >/dev/null
nestor task add "water the plants" >/dev/null
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

# Every member of a linked group reads and changes its user's data: a
# private chat's code sent in a group links nothing, says so in one line,
# and is used up (the group has seen it).
code=$(nestor telegram link --json | "$PY" -c 'import json,sys; print(json.load(sys.stdin)["code"])')
tg_group_message -300 "/start $code"
tg_wait_sent -300 1
expect_eq "a private chat's code in a group: refused in one line" "$(tg_text -300 1)" \
	'That code was for a private chat with me and is used up now; `nestor telegram link --group` makes a code for a group.'
tg_message 66 "/start $code"
tg_wait_sent 66 1
expect_match "the code a group saw is used up" "$(tg_text 66 1)" 'unknown or has expired'
# The code is the first word after /start, a word after it or not.
code=$(nestor telegram link --json | "$PY" -c 'import json,sys; print(json.load(sys.stdin)["code"])')
tg_group_message -300 "/start $code please"
tg_wait_sent -300 2
expect_match "a private chat's code and a word in a group: refused" "$(tg_text -300 2)" 'for a private chat'
tg_message 66 "/start $code"
tg_wait_sent 66 2
expect_match "a code a group saw with a word after it is used up" "$(tg_text 66 2)" 'unknown or has expired'
nestor telegram status | grep -q '^chats: 1 linked$' || fail "the group was linked: $(nestor telegram status)"
nestor telegram link --group | grep -q "^Send this in the group .*every member will read and change me's tasks, calendar and reminders:$" ||
	fail "link --group says what a group gets"
expect_eq "a group's code in JSON" "$(nestor telegram link --group --json | "$PY" -c 'import json,sys; print(json.load(sys.stdin)["group"])')" True

# Updates are handled in order: once the second is answered, the first
# was handled too, and said nothing.
code=$(nestor telegram link --group --json | "$PY" -c 'import json,sys; print(json.load(sys.stdin)["code"])')
tg_group_message -100 "good morning everyone"
tg_group_message -100 "/start $code"
tg_wait_sent -100 1
expect_eq "a group links with a group's code, and is told who shares what" "$(tg_text -100 1)" \
	"Linked: every member of this group can read and change me's tasks, calendar and reminders. /help lists the commands."
expect_eq "an unlinked group: nothing said before" "$(tg_count -100)" 1
# A linked group sent a private chat's code stays as it is.
code=$(nestor telegram link --json | "$PY" -c 'import json,sys; print(json.load(sys.stdin)["code"])')
tg_group_message -100 "/start $code"
tg_wait_sent -100 2
expect_match "a linked group refuses a private chat's code" "$(tg_text -100 2)" 'for a private chat'

tg_group_message -200 "hello bots"
tg_group_message -200 "/tasks@some_other_bot"
tg_group_message -200 "/start WRONGCODE"
tg_group_message -200 "/start $(nestor telegram link --json | "$PY" -c 'import json,sys; print(json.load(sys.stdin)["code"])')"
tg_wait_sent -200 1
expect_match "an unlinked group: a code not found, not answered" "$(tg_text -200 1)" 'for a private chat'
expect_eq "an unlinked group: nothing else said" "$(tg_count -200)" 1

tg_message 77 "hello"
tg_wait_sent 77 1
expect_match "an unlinked private chat is told" "$(tg_text 77 1)" 'not linked to nestor'

# The linked group: the same.
tg_group_message -100 "/tasks@some_other_bot"
tg_group_message -100 "/tasks@NESTOR_TEST_BOT"
tg_wait_sent -100 3
expect_match "our command answered in a group" "$(tg_text -100 3)" 'water the plants'
tg_group_message -100 "/help@some_other_bot"
tg_group_message -100 "/tasks@nestor_test_bot_2"
tg_group_message -100 "/tasks"
tg_wait_sent -100 4
expect_match "a command without a name answered" "$(tg_text -100 4)" 'water the plants'
expect_eq "other bots' commands: not answered" "$(tg_count -100)" 4
# The bot's name ends at any white space, a tab too.
tg_group_message -100 "$(printf '/tasks@nestor_test_bot\tnow')"
tg_wait_sent -100 5
expect_match "our command before a tab answered" "$(tg_text -100 5)" 'water the plants'
all_seen() { [ "$(tg_json "d['pending']")" = 0 ]; }
wait_until -s tg_sent "every update confirmed, other bots' commands too" all_seen
kill "$RELAY"
wait "$RELAY" || fail "the relay exited $? on SIGTERM: $(cat run.err)"
echo ok
