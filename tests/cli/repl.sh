# nestor chat end to end in a terminal (tmux on a private socket): a
# reminder and a task added by sentence, listed with slash commands, a fired
# reminder printed above a half-typed line, Ctrl-C, Ctrl-D, Ctrl-Z and fg,
# resume.  Also the same REPL fed through a pipe.
. "$(dirname "$0")/lib.sh"
cd "$NESTOR_HOME"
. "$SRC/tests/cli/tmux.sh"
# start ARGS: nestor chat ARGS in a fresh 100x30 terminal; the pane stays
# after nestor exits so its last words can be read
start() { term_start -x 100 -y 30 "'$NESTOR_BIN' chat $*; echo '[exit '\$?']'"; }

nestor config set notify.channels stdout >/dev/null
start
term_wait "^nestor>$"
term_keys "remind me to call mom tomorrow at 5pm" Enter
term_wait "^Reminder 1 set for Tue 2 Jun 2026 17:00 \\(tomorrow\\): call mom$"
# the tool call, in the form the TUI and history show use
term_wait -F "  -> reminder_add 'call mom' $(test_date 86400 +%F)T17:00:00+00:00"
term_keys "/reminders" Enter
term_wait "^ +1 +tomorrow 17:00 +- +call mom$"
# a reminder due in 3 s fires above the prompt; the half-typed line stays
due=$(test_date 3 +%Y-%m-%dT%H:%M:%S%:z)
term_keys "remind me at $due to stretch" Enter
term_wait "^Reminder 2 set for Mon 1 Jun 2026 [0-9:]+ \\(today\\): stretch$"
term_keys "half typed"
term_wait "^nestor> half typed$"
term_wait "^reminder 2: stretch$"
grep -A1 "^reminder 2: stretch$" "$TERM_SCREEN" | tail -1 | grep -q "^nestor> half typed$" ||
	fail "the prompt line was not kept under the fired reminder:
$(cat "$TERM_SCREEN")"
term_keys C-u
term_keys "add lunch with Anna tomorrow at 13:00 for 1h" Enter
term_wait "^Event 1 added: lunch with Anna, Tue 2 Jun 2026 13:00–14:00 \\(tomorrow\\)$"
term_keys "/agenda" Enter
term_wait "^ +1  13:00-14:00  lunch with Anna$"
term_keys "please add task buy oat milk by friday" Enter
term_wait "^Task 1 added: buy oat milk \(due "
# Tab knows where it is: verbs after a group, a command's options after
# it (/tasks is `task list`), nothing at all in a sentence
term_keys "/task ed" Tab "X"
term_wait "^nestor> /task edit X$"
term_keys C-u "/tasks --a" Tab "X"
term_wait "^nestor> /tasks --all X$"
term_keys C-u "/task add x --pr" Tab "X"
term_wait "^nestor> /task add x --priority X$"
term_keys C-u "remi" Tab Tab "X"
term_wait "^nestor> remiX$"
# commands the REPL refuses (slash.h) are not offered
term_keys C-u "/dae" Tab Tab "X"
term_wait "^nestor> /daeX$"
term_keys C-u "/telegram r" Tab Tab "X"
term_wait "^nestor> /telegram rX$"
term_keys C-u "/tas" Tab "s"
term_wait "^nestor> /tasks$"
term_keys Enter
term_wait "^ +1 +0 +[-0-9]+ +buy oat milk$"
# Ctrl-C drops a half-typed line and keeps the REPL
term_keys "add task never mind"
term_wait "^nestor> add task never mind$"
term_keys C-c
term_wait "^nestor>$"
term_keys "мои задачи" Enter
term_wait "^  1  buy oat milk \(до "
# on a terminal too, a command that reads stdin is refused: the lines typed
# next are the REPL's
term_keys "/import -" Enter
term_wait "^nestor: import: reads standard input; run it outside the chat$"
term_keys "/tasks" Enter
term_wait "^ +1 +0 +.* +buy oat milk$"
term_keys C-d
term_wait "^\[exit 0\]$"
# one prompt, the one Ctrl-D was typed at, then nestor is gone
expect_eq "the screen's end after Ctrl-D" "$(grep -v '^$' screen | tail -2)" \
	"$(printf 'nestor>\n[exit 0]')"
expect_match "the line above the prompt" "$(grep -v '^$' screen | tail -3 | head -1)" \
	" buy oat milk$"
[ "$(nestor task list | grep -c 'never mind')" = 0 ] || fail "Ctrl-C still added the task"

# resume: the last conversation comes back, and goes on
start --resume
term_wait "^resuming conversation 1: remind me to call mom tomorrow at 5pm$"
term_wait "^you: мои задачи$"
term_keys "my reminders" Enter
term_wait "^  1  tomorrow 17:00  call mom$"
term_keys "done 1" Enter
term_wait "^Task 1 done: buy oat milk$"
term_keys "/quit" Enter
term_wait "^\[exit 0\]$"
expect_eq "one conversation" "$(nestor history list | grep -c ' repl ')" 1
expect_match "it holds the last turn" "$(nestor history show 1)" "^nestor: Task 1 done: buy oat milk$"
[ -s "$NESTOR_HOME/history" ] || fail "no readline history file"
expect_match "history file" "$(cat "$NESTOR_HOME/history")" "^done 1$"

# /help in a narrow terminal wraps at word boundaries, a command's
# description under its description
term_start -x 40 -y 40 "'$NESTOR_BIN' chat"
term_wait "^nestor>$"
term_keys "/help" Enter
term_wait "^  /agenda     the calendar for the$"
term_wait "^              coming days$"
term_wait "^tasks, and tell the time and the$"
python3 - "$TERM_SCREEN" <<'PY' || fail "a /help line is wider than the terminal: $(cat "$TERM_SCREEN")"
import sys
lines = open(sys.argv[1], encoding="utf-8").read().split("\n")
help = lines[lines.index("nestor> /help") + 1:]
assert help and all(len(l) < 40 for l in help), help
PY
term_keys C-d

# Ctrl-Z, then fg in the shell: the prompt and the half-typed line come
# back, and the line goes on being edited
term_start -x 80 -y 20 "PS1='sh\$ ' bash --norc --noprofile -i"
term_wait '^sh\$$'
term_keys "'$NESTOR_BIN' chat" Enter
term_wait "^nestor>$"
term_keys "my remi"
term_wait "^nestor> my remi$"
term_keys C-z
term_wait "Stopped .* chat$"
term_keys "fg" Enter
term_wait -n 2 "^nestor> my remi$"
term_keys "nders" Enter
term_wait "^  1  tomorrow 17:00  call mom$"
term_keys C-d
term_wait -n 2 '^sh\$'

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
