# The TUI in a real terminal: tmux on a private socket, keys in, screen out.
. "$(dirname "$0")/lib.sh"
. "$SRC/tests/cli/tmux.sh"
HERE=$(pwd)
# start ENV...: nestor in an 80x24 pane; when it exits, the pane records the
# terminal modes and says so
start() {
	term_start "ulimit -c 0; env LANG=C.UTF-8 LC_ALL=C.UTF-8 $* '$NESTOR_BIN' 2>'$HERE/stderr.out'; echo \"status \$?\" >> '$HERE/stderr.out'; stty -a > '$HERE/stty.out'; echo nestor-exited"
	term_wait -F 'F1 help'
}

# a sentence gets its reply, the tool call shown in one line; Cyrillic
# typed in comes back intact and gets a Russian reply
nestor task add "buy milk" --due "today 23:00" > /dev/null
start
term_keys 'add task call the bank' Enter
term_wait -F 'nestor: Task 2 added: call the bank'
expect_match "tool call line" "$(cat screen)" "^  -> task_add 'call the bank'$"
term_keys 'мои задачи' Enter
term_wait -F 'you: мои задачи'
term_wait -F 'nestor: Задачи:'
# a slash command runs the command table: its output lands in the chat
term_keys '/task add мои задачи' Enter
term_wait -F 'you: /task add мои задачи'
# the chat is read by a person: what was stored is said, not a bare id
term_wait -F 'Task 3: мои задачи'
term_keys '/tasks' Enter
term_wait -F '   3    0  -                 мои задачи'
# the line editor: Ctrl-A, Ctrl-K, Cyrillic with Backspace, history with Up
term_keys 'abc' C-a C-k 'привет' BSpace 'т' Up Up Down
term_wait -F '> /tasks'
term_keys C-u 'мир' C-a C-k
# Alt-B goes a word left; Ctrl-W cuts the word before the cursor
term_keys 'one two три' M-b M-b 'X' C-e C-w 'four'
term_wait -F '> one Xtwo four'
term_keys C-u
# Tab completes a command's options as the command table says
term_keys '/tasks --a' Tab 'X'
term_wait -F '> /tasks --all X'
term_keys C-u
# verbs that rearrange their words (time convert A B to C, user edit,
# user show with its name after "--") leave the TUI whole; --json gives the
# command line's JSON in the chat
term_keys '/time convert 15:00 Berlin to Tokyo' Enter
term_wait -F '2026-06-01 22:00 JST (UTC+09:00)  Asia/Tokyo'
term_keys '/user edit me --tz UTC' Enter
term_wait -F 'user me updated'
term_keys '/user show -- me' Enter
term_wait '^me +UTC '
term_keys '/user show --json -- me' Enter
term_wait '"tz": +"UTC"'

# resize to 120x40 (the side pane appears) and back: the same clean frame
tm capture-pane -p -t "$S" > before
tm resize-window -t "$S" -x 120 -y 40
term_wait -F '│ Tasks'
# F2 hides the side pane and shows it again
term_keys F2
term_wait -F -v '│'
term_keys F2
term_wait -F '│ Tasks'
tm capture-pane -p -t "$S" > wide
expect_match "status line at the bottom of 40 rows" "$(sed -n 40p wide)" '^ nestor \(offline\) .* [0-2][0-9]:[0-5][0-9]$'
expect_match "side pane lists the task" "$(cat wide)" '│ 23:00 buy milk'
# another process changes the database: the side pane follows
nestor task add from the cli > /dev/null
term_wait -F '│ from the cli'
nestor event add dentist --at 'today 10:00' --for 1h > /dev/null
term_wait -F '│ 10:00 dentist'
nestor remind add stretch --at 'tomorrow 10:00' > /dev/null
term_wait -F "│ $(test_date 86400 +%a) 10:00 stretch"
# shown by F2, it stays shown at 80 columns (it needs 60); hidden by F2,
# it stays hidden when the terminal grows again
tm resize-window -t "$S" -x 80 -y 24
term_wait -F '│ Tasks'
term_keys F2
term_wait -F -v '│'
tm resize-window -t "$S" -x 120 -y 40
wait_until -s 'cat "$TERM_SCREEN"' "the 120x40 frame" sh -c \
	"tmux -L '$TERM_SOCK' -f /dev/null capture-pane -p -t '$S' > '$TERM_SCREEN'; sed -n 40p '$TERM_SCREEN' | grep -q ' nestor (offline)'"
grep -q '│' "$TERM_SCREEN" && fail "the side pane came back after F2 hid it"
tm resize-window -t "$S" -x 80 -y 24
# the clock may have turned over: compare all but the status line
frame_back() {
	tm capture-pane -p -t "$S" > after
	head -n 23 before > b23
	head -n 23 after > a23
	cmp -s b23 a23
}
wait_until -s 'diff b23 a23' "the 80x24 frame after a resize round trip" frame_back
cmp -s b23 a23 || { diff b23 a23 >&2; fail "the 80x24 frame changed after a resize round trip"; }
grep -q '│' after && fail "side pane left behind at 80 columns"
expect_eq "rows after resize" "$(wc -l < after | tr -d ' ')" 24

# help overlay on ?, any key closes it
term_keys '?'
term_wait -F 'nestor keys'
term_keys x
term_wait -F -v 'nestor keys'

# colours by default; none with NO_COLOR (39 and 49, the defaults, are not colours)
tm capture-pane -e -p -t "$S" > colour
grep -Eq "$(printf '\033')\[([0-9;]*;)?3[0-7](;[0-9;]*)?m" colour || fail "no colour by default"

# a command that reads standard input fails at once (the keys are the
# TUI's): its error shows in the chat, nothing is stored, the TUI goes on
term_keys '/secret set foo' Enter
term_wait -F 'nestor: secret set: reads standard input; run it outside the TUI'
term_keys 'add task after the secret' Enter
term_wait 'nestor: Task [0-9]+ added: after the secret'
nestor --json secret list 2>/dev/null | grep -q '"foo"' && fail "a secret foo was stored"
term_keys '/import -' Enter
term_wait -F 'nestor: import: reads standard input; run it outside the TUI'
term_keys '/tasks' Enter
term_wait ' after the secret$'
# a command that takes over the terminal or never returns is refused,
# --json before its name or not (the status line cuts the message)
term_keys '/--json daemon' Enter
term_wait -F "| '/daemon' does not run"
term_keys C-u
# words split as in the REPL: an unmatched quote is the same error (in the
# status line, cut to its width; the line stays to be fixed)
term_keys '/task add "half quoted' Enter
term_wait -F "| unmatched quote in 'task add"
term_keys C-u
# /quit restores the terminal: canonical mode and echo are back
term_keys '/quit' Enter
term_wait -F 'nestor-exited'
grep -q 'you: ' screen && fail "the chat stayed on the screen after quitting"
grep -Eq '(^| )icanon( |$)' stty.out || fail "icanon not restored: $(cat stty.out)"
grep -Eq '(^| )echo( |$)' stty.out || fail "echo not restored: $(cat stty.out)"
# nothing on stderr (the sanitizers report there), exit status 0
expect_eq "stderr and status of nestor" "$(cat stderr.out)" "status 0"

rm -f stty.out
start NO_COLOR=1
term_keys '/task list' Enter
term_wait -F 'buy milk'
tm capture-pane -e -p -t "$S" > mono
grep -Eq "$(printf '\033')\[([0-9;]*;)?(3[0-8]|4[0-8]|9[0-7]|10[0-7])(;[0-9;]*)?m" mono &&
	fail "colour escapes with NO_COLOR: $(grep -c "$(printf '\033')" mono)"
# ui.color = false: no colours either
term_keys C-u
nestor config set ui.color false
start
tm capture-pane -e -p -t "$S" > mono
grep -Eq "$(printf '\033')\[([0-9;]*;)?(3[0-8]|4[0-8]|9[0-7]|10[0-7])(;[0-9;]*)?m" mono &&
	fail "colour escapes with ui.color = false"
nestor config set ui.color true

# a reminder due in 2 s pops up over what is being typed; Enter dismisses
# it and the typing is still there
term_keys 'half typed'
term_wait -F '> half typed'
id=$(nestor remind add call mom --at 'in 2 seconds')
term_wait -F "Reminder $id"
expect_match "popup text" "$(cat screen)" '│ call mom +│'
term_keys Enter
term_wait -F -v "Reminder $id"
expect_match "the line survives the popup" "$(cat screen)" '> half typed'
# s snoozes: the reminder is pending again, ten minutes on
id=$(nestor remind add call dad --at 'in 1 second')
term_wait -F "Reminder $id"
pressed=$(test_now)
term_keys s
term_wait -F -v "Reminder $id"
gone=$(test_now)
expect_match "snoozed reminder pending" "$(nestor remind list)" " $id .* call dad"
nestor remind list --json > rl.json
# due 600 s after the key was taken: between pressing it and the popup going
# (less a second: the clock's resolution)
python3 -c 'import json,sys,datetime as d
r=[x for x in json.load(open("rl.json")) if x["text"]=="call dad"][0]
at=d.datetime.fromisoformat(r["at"]).timestamp()
lo,hi=int(sys.argv[1])+600-1,int(sys.argv[2])+600
sys.exit(0 if lo<=at<=hi else "snoozed until %d, not in %d..%d" % (at,lo,hi))' "$pressed" "$gone"
term_keys C-u

# A daemon fires the reminders while the TUI is open: one for the tui
# channel still pops up here, and is recorded as delivered
term_keys C-d
term_wait -F 'nestor-exited'
daemon=$(nestor daemon)
start
term_wait -F 'reminders: daemon'
id=$(nestor remind add stretch --at 'in 2 seconds' --channel tui)
term_wait -F "Reminder $id"
expect_match "popup from the daemon" "$(cat screen)" '│ stretch +│'
expect_match "delivered, not skipped" "$(nestor jobs history "$id")" ' tui +ok'
term_keys Enter
term_wait -F -v "Reminder $id"
kill -TERM "$daemon"
gone() { ! kill -0 "$1" 2>/dev/null; }
wait_until "the daemon to stop" gone "$daemon"

# Ctrl-D on an empty line quits and restores the terminal too
term_keys C-d
term_wait -F 'nestor-exited'
grep -Eq '(^| )icanon( |$)' stty.out || fail "icanon not restored after Ctrl-D"
expect_eq "stderr and status after Ctrl-D" "$(cat stderr.out)" "status 0"

# SIGTERM quits cleanly; a crash (SIGSEGV) still restores the terminal
for sig in TERM SEGV; do
	rm -f stty.out
	start
	term_keys 'typing'
	term_wait -F '> typing'
	kill -"$sig" "$(pgrep -P "$(tm display -p -t "$S" '#{pane_pid}')")"
	term_wait -F 'nestor-exited'
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
term_wait -F 'nestor: long message 10000'
expect_match "status names the conversation" "$(tail -n 1 screen)" ' \| #[0-9]+ \| '
term_keys PPage
term_wait -F 'nestor: long message 9980'
term_keys -N 1000 PPage
term_wait '^you: long message 1$'
expect_eq "the first message on the first row" "$(head -n 1 screen)" "you: long message 1"
term_keys NPage
term_wait '^nestor: long message 22$'

# --user: the TUI acts as that user, in its slash commands and its chat;
# nothing of the owner's shows
term_keys C-d
term_wait -F 'nestor-exited'
nestor user add bob > /dev/null
nestor remind add "OWNER SECRET" --at 'tomorrow 10:00' > /dev/null
nestor --user bob remind add "bob own" --at 'tomorrow 11:00' > /dev/null
term_start "'$NESTOR_BIN' --user bob tui 2>'$HERE/stderr.out'; echo \"status \$?\" >> '$HERE/stderr.out'; echo nestor-exited"
term_wait -F 'F1 help'
term_keys '/remind list' Enter
term_wait -F 'bob own'
grep -q 'OWNER SECRET' screen && fail "bob's TUI lists the owner's reminder: $(cat screen)"
term_keys 'add task from bob chat' Enter
term_wait 'nestor: Task [0-9]+ added: from bob chat'
term_keys C-d
term_wait -F 'nestor-exited'
expect_eq "stderr and status of bob's TUI" "$(cat stderr.out)" "status 0"
expect_match "bob's chat is bob's conversation" "$(nestor --user bob history list)" ' tui .* add task from bob chat$'
nestor history list | grep -q 'from bob chat' && fail "bob's chat is the owner's conversation"
true
