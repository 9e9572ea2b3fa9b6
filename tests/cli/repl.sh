# nestor chat end to end in a terminal (tmux on a private socket): a
# reminder and a task added by sentence, listed with slash commands, a fired
# reminder printed above a half-typed line, Ctrl-C, Ctrl-D, resume.  Also
# the same REPL fed through a pipe.
. "$(dirname "$0")/lib.sh"
cd "$NESTOR_HOME"
RUN=0
tm() { tmux -L "nestor-repl-$$-$RUN" "$@"; }
trap 'tm kill-server 2>/dev/null || true' EXIT
# wait_for PATTERN: the screen shows it (grep -E), or fail after 10 s
wait_for() {
	i=0
	while ! tm capture-pane -p -t S 2>/dev/null | grep -Eq -- "$1"; do
		i=$((i + 1))
		[ $i -lt 200 ] || fail "screen never showed /$1/:
$(tm capture-pane -p -t S 2>/dev/null)"
		sleep 0.05
	done
}
# start ARGS: nestor chat ARGS in a fresh 100x30 terminal; the pane stays
# after nestor exits so its last words can be read.  Each run has its own
# server (private socket).
start() {
	tm kill-server 2>/dev/null || true
	RUN=$((RUN + 1))
	tm new-session -d -s S -x 100 -y 30 \
		"env NESTOR_HOME='$NESTOR_HOME' '$NESTOR_BIN' chat $*; echo '[exit '\$?']'; sleep 30"
}

nestor config set notify.channels stdout >/dev/null
start
wait_for "^nestor>$"
tm send-keys -t S "remind me to call mom tomorrow at 5pm" Enter
wait_for "^Reminder 1 set for tomorrow 17:00: call mom$"
tm send-keys -t S "/reminders" Enter
wait_for "^ +1 +tomorrow 17:00 +- +call mom$"
# a reminder due in 3 s fires above the prompt; the half-typed line stays
due=$(date -d "@$(($(date +%s) + 3))" +%Y-%m-%dT%H:%M:%S%:z)
tm send-keys -t S "remind me at $due to stretch" Enter
wait_for "^Reminder 2 set for today [0-9:]+: stretch$"
tm send-keys -t S "half typed"
wait_for "^nestor> half typed$"
wait_for "^reminder 2: stretch$"
tm capture-pane -p -t S | grep -A1 "^reminder 2: stretch$" | tail -1 | grep -q "^nestor> half typed$" ||
	fail "the prompt line was not kept under the fired reminder:
$(tm capture-pane -p -t S)"
tm send-keys -t S C-u
tm send-keys -t S "add lunch with Anna tomorrow at 13:00 for 1h" Enter
wait_for "^Event 1 added: lunch with Anna, tomorrow 13:00–14:00$"
tm send-keys -t S "/agenda" Enter
wait_for "^ +1  13:00-14:00  lunch with Anna$"
tm send-keys -t S "please add task buy oat milk by friday" Enter
wait_for "^Task 1 added: buy oat milk \(due "
tm send-keys -t S "/tas" Tab
wait_for "^nestor> /tasks$"
tm send-keys -t S Enter
wait_for "^ +1 +0 +[-0-9]+ +buy oat milk$"
# Ctrl-C drops a half-typed line and keeps the REPL
tm send-keys -t S "add task never mind"
wait_for "^nestor> add task never mind$"
tm send-keys -t S C-c
wait_for "^nestor>$"
tm send-keys -t S "мои задачи" Enter
wait_for "^  1  buy oat milk \(до "
tm send-keys -t S C-d
wait_for "^\[exit 0\]$"
[ "$(nestor task list | grep -c 'never mind')" = 0 ] || fail "Ctrl-C still added the task"

# resume: the last conversation comes back, and goes on
start --resume
wait_for "^resuming conversation 1: remind me to call mom tomorrow at 5pm$"
wait_for "^you: мои задачи$"
tm send-keys -t S "my reminders" Enter
wait_for "^  1  tomorrow 17:00  call mom$"
tm send-keys -t S "done 1" Enter
wait_for "^Task 1 done: buy oat milk$"
tm send-keys -t S "/quit" Enter
wait_for "^\[exit 0\]$"
expect_eq "one conversation" "$(nestor history list | grep -c ' repl ')" 1
expect_match "it holds the last turn" "$(nestor history show 1)" "^nestor: Task 1 done: buy oat milk$"
[ -s "$NESTOR_HOME/history" ] || fail "no readline history file"
expect_match "history file" "$(cat "$NESTOR_HOME/history")" "^done 1$"

# without a terminal: one turn per line, slash commands too
out=$(printf 'add task call the plumber\n/tasks\n/quit\nadd task never\n' | nestor chat)
expect_match "pipe turn" "$out" "^Task 2 added: call the plumber$"
expect_match "pipe slash" "$out" "^ +2 +0 +- +call the plumber$"
[ "$(nestor task list | grep -c never)" = 0 ] || fail "/quit did not stop the pipe REPL"
# the pipe is the REPL's input: a command reading stdin fails at once
# instead of eating the lines after it
out=$(printf '/import -\nadd task after the import\n' | nestor chat 2>&1)
expect_match "stdin refused" "$out" "^nestor: import: reads standard input; run it outside the chat$"
expect_match "the next line is a turn" "$out" "^Task [0-9]+ added: after the import$"

# slash commands split words as the shell does: quotes keep words together,
# no word is dropped, an unmatched quote is an error and the REPL goes on
words=$(seq -s ' ' -f 'w%g' 1 35)
out=$(printf '%s\n' '/task add "buy milk" --notes "two litres"' \
	'/remind add x --at "in 3 seconds"' '/task add "unbalanced' \
	'add task after the quote' "/task add $words" | nestor chat 2>&1)
expect_match "unmatched quote" "$out" "^nestor: unmatched quote in 'task add \"unbalanced'$"
expect_match "after the error" "$out" "^Task [0-9]+ added: after the quote$"
nestor --json task list > tasks.json
python3 - "$words" <<'PY' || fail "quoted slash words: $(cat tasks.json)"
import json, sys
ts = json.load(open("tasks.json"))
assert [t["notes"] for t in ts if t["title"] == "buy milk"] == ["two litres"], ts
assert sum(t["title"] == sys.argv[1] for t in ts) == 1, ts
assert not any("unbalanced" in t["title"] for t in ts), ts
PY
expect_match "reminder at a quoted time" "$(nestor remind list)" " x$"
