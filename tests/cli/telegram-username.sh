#!/bin/sh
# The bot's username from getMe is shown by `nestor telegram status` and
# the relay's "relaying as" line: one that is not a Telegram username
# (1 to 32 of A-Z, a-z, 0-9, _), as a fake or broken Bot API may give
# with terminal escapes in it, is an error naming getMe, never printed.
. "${NESTOR_SRC:-$(dirname "$0")/../..}/tests/cli/lib.sh"
. "$SRC/tests/fake/telegram.sh"
cd "$NESTOR_HOME"
fake_telegram_start

ESC=$(printf '\033')
BEL=$(printf '\007')
no_controls() {
	case $2 in
	*"$ESC"* | *"$BEL"*) fail "$1: a control character reached the output: $(printf '%s' "$2" | od -c | head -5)" ;;
	esac
}

expect_eq "a valid name" "$(nestor telegram status | sed -n 1p)" "bot: @nestor_test_bot"
long=abcdefghijklmnopqrstuvwxyz_01234
tg_post /_control "{\"username\": \"$long\"}" >/dev/null
expect_eq "32 characters" "$(nestor telegram status | sed -n 1p)" "bot: @$long"

for name in 'evil\u001b[31mRED\u001b]0;pwned\u0007' "${long}5" '' 'a b' 'n\u00e9stor'; do
	tg_post /_control "{\"username\": \"$name\"}" >/dev/null
	out=$(nestor telegram status 2>&1) || fail "status [$name] exited $?: $out"
	no_controls "status [$name]" "$out"
	expect_eq "status [$name]" "$(printf '%s\n' "$out" | sed -n 1p)" \
		"bot: unknown (telegram: getMe: the bot's username is not a Telegram username (1 to 32 of A-Z, a-z, 0-9, _))"
	expect_eq "status --json [$name]" "$(nestor telegram status --json | "$PY" -c 'import json,sys; s=json.load(sys.stdin); print(s["bot"], "username" in s["bot_error"])')" "None True"
done

# An answer with a raw control character in a string is no JSON (RFC 8259
# has it escaped), however well named the bot in it.
tg_post /_control '{"username": "nestor_test_bot", "fail": [{"method": "getMe", "status": 200, "raw": "{\"ok\":true,\"result\":{\"id\":1,\"is_bot\":true,\"first_name\":\"a\tb\",\"username\":\"nestor_test_bot\"}}"}]}' >/dev/null
expect_match "a raw tab in getMe's answer" "$(nestor telegram status 2>&1 | sed -n 1p)" \
	'^bot: unknown \(127\.0\.0\.1:[0-9]+: getMe: not a Bot API answer\)$'

# The relay does not start on such an answer: one line says why.
tg_post /_control '{"username": "evil\u001b[31mRED\u001b]0;pwned\u0007"}' >/dev/null
if "$NESTOR_BIN" telegram run >run.out 2>run.err; then
	fail "the relay started: $(cat run.err)"
fi
err=$(cat run.err)
no_controls "relay" "$err"
expect_eq "relay error" "$(grep -c . run.err)" 1
expect_match "relay error" "$err" "getMe: the bot's username is not a Telegram username"

# A bot without a username is still one,
tg_post /_control '{"username": null}' >/dev/null
expect_eq "no name" "$(nestor telegram status | sed -n 1p)" "bot: @?"
# and so is one whose username is null
tg_post /_control '{"username_null": true}' >/dev/null
out=$(nestor telegram status 2>&1) || fail "status [null] exited $?: $out"
expect_eq "a null name" "$(printf '%s\n' "$out" | sed -n 1p)" "bot: @?"
echo ok
