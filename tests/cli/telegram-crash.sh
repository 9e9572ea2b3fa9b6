#!/bin/sh
# SIGKILL between receiving an update and answering it: after a restart the
# message is answered once and its effect made once; nothing is lost.
. "${NESTOR_SRC:-$(dirname "$0")/../..}/tests/cli/lib.sh"
. "$SRC/tests/fake/telegram.sh"
cd "$NESTOR_HOME"
fake_telegram_start
nestor config set telegram.chat_interval 0 >/dev/null
code=$(nestor telegram link --json | "$PY" -c 'import json,sys; print(json.load(sys.stdin)["code"])')

relay_start() {
	# Emptied before the start, not by the background job: the killed run's
	# "relaying as" line must not pass for this one's.
	: >"$NESTOR_HOME/run.err"
	"$NESTOR_BIN" telegram run 2>"$NESTOR_HOME/run.err" &
	RELAY=$!
	trap 'kill $TG_PID $RELAY 2>/dev/null || true' EXIT
	wait_until -s 'cat run.err' "the relay to start" grep -qs 'relaying as @' run.err
}
relay_start
tg_message 55 "/start $code"
tg_wait_sent 55 1

# The relay takes the update and holds in the middle of it (the fake keeps
# its "typing" call waiting): killed there, it has answered nothing.
tg_post /_control '{"hold": {"sendChatAction": 30}}' >/dev/null
tg_message 55 "add task buy bread"
typing() { [ "$(curl -sf "$TG/_requests" | "$PY" -c "import json,sys; print(len([r for r in json.load(sys.stdin)['requests'] if r['method'] == 'sendChatAction']))")" -ge 1 ]; }
wait_until -s tg_sent "the relay to be in the middle of the update" typing
kill -KILL "$RELAY"
wait "$RELAY" 2>/dev/null || true
expect_eq "killed: no task" "$(nestor task list --json)" "[]"
expect_eq "killed: no answer" "$(tg_count 55)" 1

# Restarted, it takes the same update again: one task, one answer.
tg_post /_control '{"hold": {"sendChatAction": 0}}' >/dev/null
relay_start
tg_wait_sent 55 2
expect_match "answered" "$(tg_text 55 2)" 'buy bread'
tg_message 55 "/tasks"
tg_wait_sent 55 3
expect_eq "one task" "$(nestor task list --json | "$PY" -c 'import json,sys; print([t["title"] for t in json.load(sys.stdin)])')" "['buy bread']"
expect_eq "one answer each" "$(tg_count 55)" 3
kill "$RELAY"
wait "$RELAY"
echo ok
