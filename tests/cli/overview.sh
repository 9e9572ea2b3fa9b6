# `nestor` with no arguments, as the man page and the README say: on a
# terminal the TUI (tui.sh), with text on standard input an answer as
# `nestor ask` gives, with standard output a pipe (or nothing but blank
# space on standard input) the commands and the open tasks.
. "$(dirname "$0")/lib.sh"
nestor task add "buy milk" >/dev/null
nestor task add "old one" >/dev/null
nestor task done 2 >/dev/null

expect_eq "text on stdin: nestor ask" "$(echo 'my tasks' | nestor)" "$(echo 'my tasks' | nestor ask)"
expect_match "text on stdin: the reply" "$(echo 'my tasks' | nestor)" "buy milk"

# stdin a terminal, stdout a pipe
python3 - "$NESTOR_BIN" > out <<'PY'
import os, pty, subprocess, sys
master, slave = pty.openpty()
p = subprocess.run([sys.argv[1]], stdin=slave, stdout=subprocess.PIPE)
os.close(slave)
sys.stdout.write(p.stdout.decode())
sys.exit(p.returncode)
PY
expect_match "a pipe: the commands" "$(cat out)" "^  agenda  "
expect_match "a pipe: the open tasks" "$(sed -n '/^open tasks:$/,$p' out)" "^ +1 +0 +- +buy milk$"
grep -q "old one" out && fail "a done task among the open ones: $(cat out)"

# nothing (or blank space only) on standard input, as from cron or
# `</dev/null`: no question, so the commands and the open tasks
for input in "" " " "$(printf ' \n\t\n')"; do
	printf '%s' "$input" | nestor > out 2> err || fail "blank stdin [$input]: $(cat err)"
	expect_eq "blank stdin [$input]: no error" "$(cat err)" ""
	expect_match "blank stdin [$input]: the commands" "$(cat out)" "^  agenda  "
	expect_match "blank stdin [$input]: the open tasks" "$(sed -n '/^open tasks:$/,$p' out)" \
		"^ +1 +0 +- +buy milk$"
done
nestor < /dev/null > out || fail "nestor </dev/null failed"
expect_match "</dev/null: the open tasks" "$(sed -n '/^open tasks:$/,$p' out)" "buy milk$"
# text after blank lines is still a question
expect_eq "text after blank lines: nestor ask" "$(printf '\n\n  my tasks\n' | nestor)" \
	"$(echo 'my tasks' | nestor ask)"
# an error in text after blank space names the byte as `nestor ask` does
for input in '   ab\0' '\n\n\n\377' ' \t\n\303\050'; do
	set +e
	printf "$input" | nestor 2> err
	st=$?
	printf "$input" | nestor ask 2> ask-err
	set -e
	expect_eq "[$input]: exit status" "$st" 2
	expect_match "[$input]: the byte" "$(cat err)" "\(byte [0-9]+\)$"
	expect_eq "[$input]: as nestor ask says it" "$(cat err)" "$(cat ask-err)"
done
expect_match "NUL after 3 spaces: byte 6" "$(printf '   ab\0' | nestor 2>&1)" "\(byte 6\)$"
true
