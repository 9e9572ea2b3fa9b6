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
# where reading a question stops (1 MiB) is the same for any bytes: blank
# space up to it is blank stdin, a byte more is a request too long
over="nestor: ask: request on standard input: too long (over 1048576 bytes, at most 65536)"
for ch in '\t' ' ' '\n' 'x'; do
	head -c 1048576 /dev/zero | tr '\0' "$ch" > mib
	{ cat mib; printf "$ch"; } > mib1
	set +e
	nestor < mib1 > out 2> err
	st=$?
	set -e
	expect_eq "1 MiB + 1 of [$ch]: exit status" "$st" 2
	expect_eq "1 MiB + 1 of [$ch]: the error" "$(cat err)" "$over"
	expect_eq "1 MiB + 1 of [$ch]: nothing on stdout" "$(cat out)" ""
	[ "$ch" = x ] && continue
	nestor < mib > out 2> err || fail "1 MiB of [$ch]: $(cat err)"
	expect_eq "1 MiB of [$ch]: no error" "$(cat err)" ""
	expect_match "1 MiB of [$ch]: the open tasks" "$(sed -n '/^open tasks:$/,$p' out)" \
		"^ +1 +0 +- +buy milk$"
	# nestor ask: nothing but blank space is no question either
	set +e
	nestor ask < mib > out 2> err
	st=$?
	set -e
	expect_eq "ask, 1 MiB of [$ch]: exit status" "$st" 2
	expect_eq "ask, 1 MiB of [$ch]: the error" "$(cat err)" "nestor: ask: missing TEXT"
	set +e
	nestor ask < mib1 2> err
	st=$?
	set -e
	expect_eq "ask, 1 MiB + 1 of [$ch]: exit status" "$st" 2
	expect_eq "ask, 1 MiB + 1 of [$ch]: the error" "$(cat err)" "$over"
done
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
