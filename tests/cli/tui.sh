# The TUI in a real terminal: tmux on a private socket, keys in, screen out.
. "$(dirname "$0")/lib.sh"
command -v tmux >/dev/null || fail "tmux is missing (sh contrib/deps.sh test)"
SOCK=nestor-tui-$$
T() { tmux -L "$SOCK" "$@"; }
trap 'T kill-server 2>/dev/null || true' EXIT
HERE=$(pwd)
# start ENV...: nestor in an 80x24 pane; when it exits, the pane records the
# terminal modes and says so
# (a new session before the old one goes, so the server never exits in between)
N=0
S=s0
start() {
	old=$S
	N=$((N + 1))
	S=s$N
	T -f /dev/null new-session -d -s "$S" -x 80 -y 24 \
		"ulimit -c 0; env NESTOR_HOME='$NESTOR_HOME' LANG=C.UTF-8 LC_ALL=C.UTF-8 $* '$NESTOR_BIN' 2>'$HERE/stderr.out'; echo \"status \$?\" >> '$HERE/stderr.out'; stty -a > '$HERE/stty.out'; echo nestor-exited; sleep 60"
	[ "$N" -gt 1 ] && T kill-session -t "$old"
	wait_for 'F1 help'
}
# wait_for TEXT [TENTHS]: poll the pane until TEXT shows (10 s by default: a
# loaded CI machine can be slow, and a passing run never waits that long)
wait_for() {
	i=0
	while [ "$i" -lt "${2:-100}" ]; do
		T capture-pane -p -t "$S" > screen 2>/dev/null || true
		grep -qF -- "$1" screen && return 0
		sleep 0.1
		i=$((i + 1))
	done
	cat screen >&2
	fail "timed out waiting for [$1]"
}
# wait_re PATTERN: the same with an extended regular expression
wait_re() {
	i=0
	while [ "$i" -lt 100 ]; do
		T capture-pane -p -t "$S" > screen 2>/dev/null || true
		grep -Eq -- "$1" screen && return 0
		sleep 0.1
		i=$((i + 1))
	done
	cat screen >&2
	fail "timed out waiting for /$1/"
}
# wait_gone TEXT: poll until TEXT is no longer on the screen
wait_gone() {
	i=0
	while [ "$i" -lt 100 ]; do
		T capture-pane -p -t "$S" > screen 2>/dev/null || true
		grep -qF -- "$1" screen || return 0
		sleep 0.1
		i=$((i + 1))
	done
	cat screen >&2
	fail "[$1] stayed on the screen"
}
keys() { T send-keys -t "$S" "$@"; }

# a sentence gets its reply, the tool call shown in one line; Cyrillic
# typed in comes back intact and gets a Russian reply
nestor task add "buy milk" --due "today 23:00" > /dev/null
start
keys 'add task call the bank' Enter
wait_for 'nestor: Task 2 added: call the bank'
expect_match "tool call line" "$(cat screen)" "^  -> task.add 'call the bank'$"
keys 'мои задачи' Enter
wait_for 'you: мои задачи'
wait_for 'nestor: Задачи:'
# a slash command runs the command table: its output lands in the chat
keys '/task add мои задачи' Enter
wait_for 'you: /task add мои задачи'
keys '/tasks' Enter
wait_for '   3    0  -                 мои задачи'
# the line editor: Ctrl-A, Ctrl-K, Cyrillic with Backspace, history with Up
keys 'abc' C-a C-k 'привет' BSpace 'т' Up Up Down
wait_for '> /tasks'
keys C-u 'мир' C-a C-k
# Alt-B goes a word left; Ctrl-W cuts the word before the cursor
keys 'one two три' M-b M-b 'X' C-e C-w 'four'
wait_for '> one Xtwo four'
keys C-u

# resize to 120x40 (the side pane appears) and back: the same clean frame
T capture-pane -p -t "$S" > before
T resize-window -t "$S" -x 120 -y 40
wait_for '│ Tasks'
# F2 hides the side pane and shows it again
keys F2
wait_gone '│'
keys F2
wait_for '│ Tasks'
T capture-pane -p -t "$S" > wide
expect_match "status line at the bottom of 40 rows" "$(sed -n 40p wide)" '^ nestor \(offline\) .* [0-2][0-9]:[0-5][0-9]$'
expect_match "side pane lists the task" "$(cat wide)" '│ 23:00 buy milk'
# another process changes the database: the side pane follows
nestor task add from the cli > /dev/null
wait_for '│ from the cli'
nestor event add dentist --at 'today 10:00' --for 1h > /dev/null
wait_for '│ 10:00 dentist'
nestor remind add stretch --at 'tomorrow 10:00' > /dev/null
wait_for "│ $(LC_ALL=C date -d tomorrow +%a) 10:00 stretch"
T resize-window -t "$S" -x 80 -y 24
i=0
while [ $i -lt 50 ]; do
	T capture-pane -p -t "$S" > after
	cmp -s before after && break
	sleep 0.1
	i=$((i + 1))
done
# the clock may have turned over: compare all but the status line
head -n 23 before > b23
head -n 23 after > a23
cmp -s b23 a23 || { diff b23 a23 >&2; fail "the 80x24 frame changed after a resize round trip"; }
grep -q '│' after && fail "side pane left behind at 80 columns"
expect_eq "rows after resize" "$(wc -l < after | tr -d ' ')" 24

# help overlay on ?, any key closes it
keys '?'
wait_for 'nestor keys'
keys x
wait_gone 'nestor keys'

# colours by default; none with NO_COLOR (39 and 49, the defaults, are not colours)
T capture-pane -e -p -t "$S" > colour
grep -Eq "$(printf '\033')\[([0-9;]*;)?3[0-7](;[0-9;]*)?m" colour || fail "no colour by default"

# a command that reads standard input fails at once (the keys are the
# TUI's): its error shows in the chat, nothing is stored, the TUI goes on
keys '/secret set foo' Enter
wait_for 'nestor: secret set: reads standard input; run it outside the TUI'
keys 'add task after the secret' Enter
wait_re 'nestor: Task [0-9]+ added: after the secret'
nestor --json secret list 2>/dev/null | grep -q '"foo"' && fail "a secret foo was stored"
keys '/import -' Enter
wait_for 'nestor: import: reads standard input; run it outside the TUI'
keys '/tasks' Enter
wait_re ' after the secret$'
# words split as in the REPL: an unmatched quote is the same error (in the
# status line, cut to its width; the line stays to be fixed)
keys '/task add "half quoted' Enter
wait_for "| unmatched quote in 'task add"
keys C-u
# /quit restores the terminal: canonical mode and echo are back
keys '/quit' Enter
wait_for 'nestor-exited'
grep -q 'you: ' screen && fail "the chat stayed on the screen after quitting"
grep -Eq '(^| )icanon( |$)' stty.out || fail "icanon not restored: $(cat stty.out)"
grep -Eq '(^| )echo( |$)' stty.out || fail "echo not restored: $(cat stty.out)"
# nothing on stderr (the sanitizers report there), exit status 0
expect_eq "stderr and status of nestor" "$(cat stderr.out)" "status 0"

rm -f stty.out
start NO_COLOR=1
keys '/task list' Enter
wait_for 'buy milk'
T capture-pane -e -p -t "$S" > mono
grep -Eq "$(printf '\033')\[([0-9;]*;)?(3[0-8]|4[0-8]|9[0-7]|10[0-7])(;[0-9;]*)?m" mono &&
	fail "colour escapes with NO_COLOR: $(grep -c "$(printf '\033')" mono)"
# ui.color = false: no colours either
keys C-u
nestor config set ui.color false
start
T capture-pane -e -p -t "$S" > mono
grep -Eq "$(printf '\033')\[([0-9;]*;)?(3[0-8]|4[0-8]|9[0-7]|10[0-7])(;[0-9;]*)?m" mono &&
	fail "colour escapes with ui.color = false"
nestor config set ui.color true

# a reminder due in 2 s pops up over what is being typed; Enter dismisses
# it and the typing is still there
keys 'half typed'
wait_for '> half typed'
id=$(nestor remind add call mom --at 'in 2 seconds')
wait_for "Reminder $id" 100
expect_match "popup text" "$(cat screen)" '│ call mom +│'
keys Enter
wait_gone "Reminder $id"
expect_match "the line survives the popup" "$(cat screen)" '> half typed'
# s snoozes: the reminder is pending again, ten minutes on
id=$(nestor remind add call dad --at 'in 1 second')
wait_for "Reminder $id" 100
keys s
wait_gone "Reminder $id"
expect_match "snoozed reminder pending" "$(nestor remind list)" " $id .* call dad"
nestor remind list --json > rl.json
python3 -c 'import json,sys,datetime as d
r=[x for x in json.load(open("rl.json")) if x["text"]=="call dad"][0]
left=(d.datetime.fromisoformat(r["at"])-d.datetime.now(d.timezone.utc)).total_seconds()
sys.exit(0 if 540<left<=600 else "snoozed for %d s" % left)'
keys C-u

# Ctrl-D on an empty line quits and restores the terminal too
keys C-d
wait_for 'nestor-exited'
grep -Eq '(^| )icanon( |$)' stty.out || fail "icanon not restored after Ctrl-D"
expect_eq "stderr and status after Ctrl-D" "$(cat stderr.out)" "status 0"

# SIGTERM quits cleanly; a crash (SIGSEGV) still restores the terminal
for sig in TERM SEGV; do
	rm -f stty.out
	start
	keys 'typing'
	wait_for '> typing'
	kill -"$sig" "$(pgrep -P "$(T display -p -t "$S" '#{pane_pid}')")"
	wait_for 'nestor-exited'
	grep -Eq '(^| )icanon( |$)' stty.out || fail "icanon not restored after SIG$sig"
	grep -Eq '(^| )echo( |$)' stty.out || fail "echo not restored after SIG$sig"
done

# a conversation of 10000 messages opens on its newest message and pages
# back to its first
sqlite3 "$NESTOR_HOME/nestor.db" > /dev/null <<'SQL'
INSERT INTO conversations(assistant_id, channel, title, created_at, updated_at)
  VALUES (1, 'tui', 'long', 2000000000, 2000000000);
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 10000)
INSERT INTO messages(conversation_id, role, content, created_at)
SELECT last_insert_rowid(), CASE WHEN i % 2 THEN 'user' ELSE 'assistant' END,
       'long message ' || i, 2000000000 + i FROM n;
SQL
start
wait_for 'nestor: long message 10000'
expect_match "status names the conversation" "$(tail -n 1 screen)" ' \| #[0-9]+ \| '
keys PPage
wait_for 'nestor: long message 9980'
T send-keys -t "$S" -N 1000 PPage
wait_re '^you: long message 1$'
expect_eq "the first message on the first row" "$(head -n 1 screen)" "you: long message 1"
keys NPage
wait_re '^nestor: long message 22$'
