# The built-in tools that delete, cancel or schedule (task_delete,
# calendar_delete, reminder_cancel, routine_add) run only with the user's
# approval, as an MCP server's tool does: `ask` refuses them without --yes,
# the chat and the TUI ask, and what is answered "always" or "never" holds.
. "$(dirname "$0")/lib.sh"
. "$SRC/tests/cli/tmux.sh"
. "$SRC/tests/fake/openai.sh"
unset DBUS_SESSION_BUS_ADDRESS DISPLAY
cd "$NESTOR_HOME"
fake_openai_start
trap 'term_stop; kill $FAKE_PID 2>/dev/null; rm -rf "$NESTOR_HOME" "$FAKE_DIR"' EXIT
nestor assistant add gpt --base-url "$FAKE_URL" --model m --default > /dev/null
tid=$(nestor task add "keep me")
tasks() { nestor --json task list | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))'; }
# last_tool WANT: the last tool message the model got holds WANT
last_tool() {
	fake_py "
tool = reqs[-1]['json']['messages'][-1]
assert tool['role'] == 'tool' and $1 in tool['content'], tool
" || fail "the model's last tool message: want $1"
}

# ask without --yes: refused, the task stays, the model is told why
fake_script "[{\"calls\": [{\"name\": \"task_delete\", \"arguments\": {\"id\": $tid}}]}, {\"say\": \"Not allowed.\"}]"
expect_eq "ask refused" "$(nestor ask delete my task 2>&1)" "Not allowed."
expect_eq "task kept" "$(tasks)" 1
last_tool '"task_delete needs the user'"'"'s approval (in the chat, or --yes)"'

# the same for the others
rid=$(nestor remind add "stay" --at "2026-06-02 07:00")
eid=$(nestor event add "stay" --at "2026-06-02 10:00")
for call in "reminder_cancel {\"id\": $rid}" "calendar_delete {\"id\": $eid}" \
	'routine_add {"request": "my day", "every": "* * * * *"}'; do
	fake_script "[{\"calls\": [{\"name\": \"${call%% *}\", \"arguments\": ${call#* }}]}, {\"say\": \"No.\"}]"
	expect_eq "ask ${call%% *}" "$(nestor ask do it 2>&1)" "No."
	last_tool "'${call%% *} needs the user'"
done
expect_eq "reminder kept" "$(nestor --json remind list | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))')" 1
expect_match "event kept" "$(nestor agenda --from 2026-06-02 --to 2026-06-03)" "stay"
expect_eq "no routine" "$(nestor --json routine list)" "[]"

# the TUI asks in a popup; "x" (not now) keeps the task and stores nothing
fake_script "[{\"calls\": [{\"name\": \"task_delete\", \"arguments\": {\"id\": $tid}}]}, {\"say\": \"Kept.\"}]"
term_start "env LANG=C.UTF-8 LC_ALL=C.UTF-8 '$NESTOR_BIN' 2> '$NESTOR_HOME/tui.err'"
term_wait -F 'F1 help'
term_keys 'delete my task' Enter
term_wait -F 'Allow this tool call?'
term_wait -F 'o: once   a: always   n: never'
expect_match "the TUI's question" "$(tr -d '\n' < "$TERM_SCREEN" | tr -s ' │' ' ')" "wants to delete task $tid \"keep me\" \(task_delete\)"
term_keys Escape
term_wait -F 'gpt: Kept.'
term_stop
expect_eq "task kept in the TUI" "$(tasks)" 1
last_tool "'the user declined task_delete'"

# the chat asks: "n" keeps the task, and is stored: the next call is refused unasked
fake_script "[{\"calls\": [{\"name\": \"task_delete\", \"arguments\": {\"id\": $tid}}]}, {\"say\": \"Kept it.\"},
	{\"calls\": [{\"name\": \"task_delete\", \"arguments\": {\"id\": $tid}}]}, {\"say\": \"Still kept.\"}]"
out=$(printf 'delete my task\nn\ndelete it again\n' | nestor chat 2>&1)
expect_match "chat asks" "$out" "^the assistant wants to delete task $tid \"keep me\" \(task_delete\)$"
expect_match "chat asks how" "$out" "allow it\? \[o\]nce, \[a\]lways, \[n\]ever \(else: not now\)"
expect_match "chat reply" "$out" "Kept it\."
expect_match "chat reply again" "$out" "Still kept\."
expect_eq "asked once" "$(printf '%s\n' "$out" | grep -c 'wants to')" 1
expect_eq "task kept in the chat" "$(tasks)" 1
last_tool "'the user does not allow task_delete'"

# "never" holds even with --yes
fake_script "[{\"calls\": [{\"name\": \"task_delete\", \"arguments\": {\"id\": $tid}}]}, {\"say\": \"Refused.\"}]"
expect_eq "never holds" "$(nestor ask --yes delete my task 2>&1)" "Refused."
expect_eq "task kept with --yes" "$(tasks)" 1
# and through an assistant it asks, whose own reading of the words is no user's
nestor assistant add off --backend offline > /dev/null
fake_script "[{\"calls\": [{\"name\": \"ask_assistant\", \"arguments\": {\"assistant\": \"off\", \"question\": \"delete task $tid\"}}]}, {\"say\": \"Refused.\"}]"
expect_eq "never holds down the chain" "$(nestor ask --yes delete my task 2>&1)" "Refused."
expect_eq "task kept through off" "$(tasks)" 1
last_tool "'the user does not allow task_delete'"

# another assistant was not asked: with --yes the call runs
nestor assistant add other --base-url "$FAKE_URL" --model m > /dev/null
fake_script "[{\"calls\": [{\"name\": \"task_delete\", \"arguments\": {\"id\": $tid}}]}, {\"say\": \"Deleted.\"}]"
expect_eq "ask --yes" "$(nestor ask --assistant other --yes delete my task 2>&1)" "Deleted."
expect_eq "task deleted" "$(tasks)" 0

# the chat: "o" runs this call
t2=$(nestor task add "go away")
fake_script "[{\"calls\": [{\"name\": \"task_delete\", \"arguments\": {\"id\": $t2}}]}, {\"say\": \"Gone.\"}]"
out=$(printf 'delete it\no\n' | nestor chat --assistant other 2>&1)
expect_match "chat once" "$out" "Gone\."
expect_eq "deleted in the chat" "$(tasks)" 0

# the question says in words what the call does, from the store, the
# data's control characters cleaned; an id that names nothing says so
t4=$(nestor task add "placeholder")
sqlite3 nestor.db "UPDATE tasks SET title = 'Buy'||char(10)||'milk'||char(27)||'[31m'||char(7)||X'e280ae' WHERE id = $t4"
rid=$(nestor remind add "call mom" --at "2026-06-02 07:00")
fake_script "[{\"calls\": [{\"name\": \"task_delete\", \"arguments\": {\"id\": $t4}}]}, {\"say\": \"a\"},
	{\"calls\": [{\"name\": \"task_delete\", \"arguments\": {\"id\": 99}}]}, {\"say\": \"b\"},
	{\"calls\": [{\"name\": \"reminder_cancel\", \"arguments\": {\"id\": $rid}}]}, {\"say\": \"c\"},
	{\"calls\": [{\"name\": \"calendar_delete\", \"arguments\": {\"id\": $eid}}]}, {\"say\": \"d\"},
	{\"calls\": [{\"name\": \"calendar_delete\", \"arguments\": {\"id\": $eid, \"only_date\": \"2026-06-02\"}}]}, {\"say\": \"e\"},
	{\"calls\": [{\"name\": \"routine_add\", \"arguments\": {\"request\": \"my day\", \"every\": \"every weekday\", \"at\": \"08:00\"}}]}, {\"say\": \"f\"}]"
printf 'a\nx\nb\nx\nc\nx\nd\nx\ne\nx\nf\nx\n' | nestor chat --assistant other > words.out 2>&1
asked() { grep "wants to" words.out | sed -n "$1p"; }
expect_eq "task in words, cleaned" "$(asked 1)" "the assistant wants to delete task $t4 \"Buy milk[31m\" (task_delete)"
expect_eq "no such task" "$(asked 2)" "the assistant wants to delete task 99 (task 99: no such task) (task_delete)"
expect_eq "reminder in words" "$(asked 3)" "the assistant wants to cancel reminder $rid \"call mom\" on Tue 2026-06-02 07:00 (reminder_cancel)"
expect_eq "event in words" "$(asked 4)" "the assistant wants to delete event $eid \"stay\" on Tue 2026-06-02 10:00 (calendar_delete)"
expect_eq "an occurrence" "$(asked 5)" "the assistant wants to delete event $eid \"stay\" only on 2026-06-02 (calendar_delete)"
expect_eq "routine in words" "$(asked 6)" "the assistant wants to schedule the routine \"my day\" every \"every weekday\" at \"08:00\" (routine_add)"
expect_eq "no raw control" "$(tr -d '\n' < words.out | tr -dc '\033\007' | wc -c | tr -d ' ')" 0
expect_eq "all kept" "$(tasks):$(nestor --json remind list | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))')" 1:2
nestor task rm "$t4" > /dev/null

# the offline assistant runs the user's own words unasked
t3=$(nestor task add "offline")
nestor ask --assistant nestor delete task $t3 > /dev/null 2>&1
expect_eq "deleted offline" "$(tasks)" 0
echo ok
