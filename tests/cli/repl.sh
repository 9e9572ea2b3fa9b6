# nestor chat end to end in a terminal (tmux on a private socket): add by
# sentence, list with a slash command, Ctrl-C, quit with Ctrl-D, resume.
# Also the same REPL fed through a pipe.
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

start
wait_for "^nestor>$"
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
wait_for "^resuming conversation 1: please add task buy oat milk by friday$"
wait_for "^you: мои задачи$"
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
