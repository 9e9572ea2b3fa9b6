# Slash commands in the REPL (nestor chat on a pipe) run the command table
# as the command line does.  Verbs that rearrange their words (user edit,
# user show with its name after "--", time convert A B to C) leave the REPL
# whole: it goes on to the next line and exits 0 with nothing on stderr
# (the sanitizers and the C library report there).
. "$(dirname "$0")/lib.sh"
cd "$NESTOR_HOME"

# chat LINE...: the lines through `nestor chat`; out, err and its status
chat() {
	st=0
	printf '%s\n' "$@" | nestor chat >out 2>err || st=$?
	expect_eq "status of nestor chat ($*), stderr: $(cat err)" "$st" 0
}

chat '/user edit me --tz Europe/Berlin' '/user show -- me' \
	'/time convert 15:00 Berlin to Tokyo' '/task add "after the commands"'
expect_eq "stderr" "$(cat err)" ""
expect_match "user edit" "$(cat out)" "^user me updated$"
expect_match "user show NAME after --" "$(cat out)" "^me +Europe/Berlin "
expect_match "time convert from" "$(cat out)" "^2026-06-01 15:00 CEST \(UTC\+02:00\)  Europe/Berlin$"
expect_match "time convert to" "$(cat out)" "^2026-06-01 22:00 JST \(UTC\+09:00\)  Asia/Tokyo$"
expect_match "the line after them" "$(tail -n 1 out)" "^1$"
expect_match "stored" "$(nestor task list)" " after the commands$"
