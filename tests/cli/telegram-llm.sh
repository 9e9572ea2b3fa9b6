#!/bin/sh
# A Telegram turn with an llm assistant holds no write lock while the model
# answers (the terminal adds a task meanwhile), and a relay killed after a
# tool call's effect, before the answer, resumes the turn when restarted:
# the effect once, the answer once, the tool not asked for again.  A turn
# that fails answers so, once; one whose chat is unlinked meanwhile is
# forgotten.
. "${NESTOR_SRC:-$(dirname "$0")/../..}/tests/cli/lib.sh"
. "$SRC/tests/fake/telegram.sh"
. "$SRC/tests/fake/openai.sh"
. "$SRC/tests/cli/relays.sh"
cd "$NESTOR_HOME"
fake_telegram_start
fake_openai_start
trap 'kill $TG_PID $FAKE_PID ${RELAY:-} 2>/dev/null || true; rm -rf "$NESTOR_HOME" "$FAKE_DIR"' EXIT
nestor config set telegram.chat_interval 0 >/dev/null
nestor assistant add gpt --base-url "$FAKE_URL" --model fake-model --default >/dev/null
code=$(nestor telegram link --json | "$PY" -c 'import json,sys; print(json.load(sys.stdin)["code"])')

relay_start() {
	: >"$NESTOR_HOME/run.err"
	"$NESTOR_BIN" telegram run 2>"$NESTOR_HOME/run.err" &
	RELAY=$!
	wait_until -s 'cat run.err' "the relay to start" grep -qs 'relaying as @' run.err
}
# At least N requests reached the fake model.

relay_start
tg_message 55 "/start $code"
tg_wait_sent 55 1

# 1. While the model's answer is held, the terminal writes.
fake_script '[{"say": ["Hello ", "there."], "hold_after": 2}]'
tg_message 55 "hi"
wait_until -s fake_requests "the model to be asked" fake_asked 1
nestor task add "buy milk" >add.out 2>add.err ||
	fail "task add while the model answers: $(cat add.err)"
expect_eq "the task is there" "$(task_titles)" "['buy milk']"
expect_eq "no answer yet" "$(tg_count 55)" 1
fake_release
tg_wait_sent 55 2
expect_eq "the answer" "$(tg_text 55 2)" "Hello there."

# "add buy TITLE", killed after the task_add call committed, while the
# model is asked again (its N-th request).
kill_mid_turn() {
	fake_script "[{\"calls\": [{\"name\": \"task_add\", \"arguments\": {\"title\": \"buy $1\"}}]},
 {\"say\": \"Never sent.\", \"hold_after\": 0}]"
	tg_message 55 "add buy $1"
	wait_until -s fake_requests "the model's second request" fake_asked "$2"
	kill -KILL "$RELAY"
	wait "$RELAY" 2>/dev/null || true
}

# 2. Killed after the tool call committed, while the model is asked again.
kill_mid_turn bread 3
expect_eq "killed: the tool's effect" "$(task_titles)" "['buy milk', 'buy bread']"
expect_eq "killed: no answer" "$(tg_count 55)" 2

fake_script '[{"say": "Added buy bread."}]'
relay_start
tg_wait_sent 55 3
expect_eq "resumed: the answer" "$(tg_text 55 3)" "Added buy bread."
# /new is answered by the relay itself: it comes after the update resumed.
tg_message 55 "/new"
tg_wait_sent 55 4
expect_eq "one answer each" "$(tg_count 55)" 4
expect_eq "the effect once" "$(task_titles)" "['buy milk', 'buy bread']"
expect_resumed 4 '["hi", "add buy bread"]'

# 3. A turn that fails says so once, and its update is done.
fake_script '[{"status": 400, "json": {"error": {"message": "model is down"}}}]'
tg_message 55 "hello?"
tg_wait_sent 55 5
expect_match "the failure" "$(tg_text 55 5)" '^Sorry, that failed: .*model is down'
fake_script '[{"say": "Back."}]'
tg_message 55 "and now?"
tg_wait_sent 55 6
expect_eq "the next answer" "$(tg_text 55 6)" "Back."
expect_eq "one message each" "$(tg_count 55)" 6

# 5. The database refuses the tool's step (a trigger stands for a full
# disk): the relay stays up and tries the update again after a pause; the
# turn resumes once the database takes it (the call's effect once, one
# answer); refused three times, the update is answered as failed.
sql() { "$PY" -c 'import sqlite3,sys; c = sqlite3.connect(sys.argv[1]); c.executescript(sys.argv[2]); c.close()' "$NESTOR_HOME/nestor.db" "$1"; }
refuse() { sql "CREATE TRIGGER full BEFORE INSERT ON messages WHEN NEW.role = 'tool' BEGIN SELECT RAISE(ABORT, 'disk full'); END"; }
refuse
fake_script '[{"calls": [{"name": "task_add", "arguments": {"title": "buy tea"}}]}, {"say": "Added tea."}]'
tg_message 55 "add buy tea"
wait_until "the relay to try again" grep -qs 'disk full (tried again after a pause)' nestor.log
sql "DROP TRIGGER full"
tg_wait_sent 55 7
expect_eq "refused, then taken: the answer" "$(tg_text 55 7)" "Added tea."
expect_eq "refused, then taken: the effect once" "$(task_titles)" "['buy milk', 'buy bread', 'buy tea']"
refuse
fake_script '[{"calls": [{"name": "task_add", "arguments": {"title": "buy salt"}}]}]'
tg_message 55 "add buy salt"
tg_wait_sent 55 8
expect_match "refused: the answer" "$(tg_text 55 8)" '^Sorry, that failed: .*disk full'
kill -0 "$RELAY" || fail "the relay stopped: $(cat run.err)"
sql "DROP TRIGGER full"
expect_eq "refused: no effect" "$(task_titles)" "['buy milk', 'buy bread', 'buy tea']"
expect_eq "refused: one answer each" "$(tg_count 55)" 8

# 6. Killed mid-turn, then the chat unlinked: the update comes again and
# is answered as any from a chat not linked, its half turn forgotten.
kill_mid_turn jam 11
nestor telegram unlink 55 >/dev/null
relay_start
tg_wait_sent 55 9
expect_match "unlinked: the answer" "$(tg_text 55 9)" '^This chat is not linked to nestor'
expect_eq "unlinked: one answer" "$(tg_count 55)" 9
kill "$RELAY"
wait "$RELAY"
expect_no_turn_left
echo ok
