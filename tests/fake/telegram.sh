# Shell helper for tests/fake/telegram.py (sourced by tests/cli scripts
# after lib.sh):
#   fake_telegram_start    sets TG (http://127.0.0.1:PORT); stops at exit;
#                          points nestor at it with the token in the environment
#   tg_message CHAT TEXT [LANG]   a text message from CHAT
#   tg_group_message CHAT TEXT    TEXT said in group chat CHAT (a supergroup)
#   tg_post PATH JSON      a control request (/_control, /_callback, ...)
#   tg_sent                the fake's /_sent JSON
#   tg_json EXPR           a Python expression over d = /_sent, printed
#   tg_wait_sent CHAT N    wait until N messages went to CHAT
# Its output files are tg.out and tg.err in $NESTOR_HOME.
# python3 itself, not a version manager's shim (a shell script per call)
PY=$(python3 -c 'import sys; print(sys.executable)')
fake_telegram_start() {
	"$PY" "$SRC/tests/fake/telegram.py" --ppid $$ --token 123456:TEST \
		>"$NESTOR_HOME/tg.out" 2>"$NESTOR_HOME/tg.err" &
	TG_PID=$!
	trap 'kill $TG_PID 2>/dev/null || true' EXIT
	wait_until -s 'cat "$NESTOR_HOME/tg.err"' "the fake Bot API's port" \
		grep -qs '^PORT ' "$NESTOR_HOME/tg.out"
	TG=http://127.0.0.1:$(sed -n 's/^PORT //p' "$NESTOR_HOME/tg.out")
	NESTOR_SECRET_TELEGRAM=123456:TEST
	export NESTOR_SECRET_TELEGRAM
	nestor config set telegram.api_url "$TG" >/dev/null
	nestor config set telegram.poll_timeout 1 >/dev/null
}
tg_post() { curl -sf -X POST -H 'Content-Type: application/json' "$TG$1" -d "$2"; }
tg_message() {
	"$PY" -c 'import json,sys; print(json.dumps({"chat_id": int(sys.argv[1]),
		"text": sys.argv[2], "language_code": sys.argv[3]}))' "$1" "$2" "${3:-en}" |
		curl -sf -X POST -H 'Content-Type: application/json' "$TG/_message" -d @- >/dev/null
}
tg_group_message() {
	"$PY" -c 'import json,sys; print(json.dumps({"chat_id": int(sys.argv[1]),
		"text": sys.argv[2], "chat_type": "supergroup"}))' "$1" "$2" |
		curl -sf -X POST -H 'Content-Type: application/json' "$TG/_message" -d @- >/dev/null
}
tg_sent() { curl -sf "$TG/_sent"; }
tg_json() { tg_sent | "$PY" -c "import json,sys; d=json.load(sys.stdin); print($1)"; }
tg_count() { tg_json "len([m for m in d['messages'] if m['chat_id'] == $1])"; }
tg_has_count() { [ "$(tg_count "$1")" -ge "$2" ]; }
# The fake answers once the messages are there, or says so after ${3:-20} s.
tg_wait_sent() {
	curl -sf "$TG/_wait?chat_id=$1&n=$2&timeout=${3:-20}" >/dev/null ||
		fail "timed out waiting for $2 messages to chat $1: $(tg_sent)"
}
# The text of the Nth (1-based; -1 the last) message to CHAT.
tg_text() { tg_json "[m['text'] for m in d['messages'] if m['chat_id'] == $1][$2 - 1 if $2 > 0 else $2]"; }
