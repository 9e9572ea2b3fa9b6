# Slash commands in the REPL (nestor chat on a pipe) run the command table
# as the command line does.  Verbs that rearrange their words (user edit,
# user show with its name after "--", time convert A B to C) leave the REPL
# whole: it goes on to the next line and exits 0 with nothing on stderr
# (the sanitizers and the C library report there).  --json, which the usage
# lines and Tab offer, prints the JSON of the command line, for that command
# only; after "--" it is an ordinary word.
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

# --json anywhere before "--", as on the command line
chat '/user show me --json'
expect_eq "stderr" "$(cat err)" ""
python3 -c 'import json; u = json.load(open("out")); assert u["name"] == "me" and u["tz"] == "Europe/Berlin", u' ||
	fail "/user show me --json: $(cat out)"
chat '/task list --json'
python3 -c 'import json; t = json.load(open("out")); assert [x["title"] for x in t] == ["after the commands"], t' ||
	fail "/task list --json: $(cat out)"
chat '/tasks --json'
python3 -c 'import json; t = json.load(open("out")); assert [x["id"] for x in t] == [1], t' ||
	fail "/tasks --json: $(cat out)"
# for one command only; after "--" a title
chat '/tasks --json' '/task add -- --json' '/tasks'
expect_eq "stderr" "$(cat err)" ""
expect_match "plain list after a --json one" "$(cat out)" "^ +2 +0 +- +--json$"
# a JSON error is for scripts: a person reads the line
chat '/task list --json --bogus'
expect_eq "error line" "$(cat err)" "nestor: task list: unknown option '--bogus'"
expect_eq "no JSON error" "$(cat out)" ""
chat '/--json'
expect_eq "nothing but --json" "$(cat err)" "nestor: empty command"
# /history lists, with --json too (an ID word shows one)
chat 'add task from a sentence' '/history --json'
expect_eq "stderr" "$(cat err)" ""
python3 -c 'import json; c = json.loads(open("out").read().split("\n", 1)[1]); assert [x["title"] for x in c] == ["add task from a sentence"], c' ||
	fail "/history --json: $(cat out)"
chat '/history --json 1'
python3 -c 'import json; c = json.load(open("out")); assert c["conversation"]["id"] == 1, c' ||
	fail "/history --json 1: $(cat out)"
# a verb of history runs that verb
nestor ask hello > /dev/null
chat '/history search sentence' '/history --json search nothing-like-it' '/history rm 2' \
	'/history list'
expect_eq "stderr" "$(cat err)" ""
expect_match "/history search" "$(head -1 out)" "^ +1 .* user +add task from a sentence$"
expect_eq "/history search --json, rm" "$(sed -n '3,4p' out)" "$(printf '[]\nconversation 2 removed')"
expect_match "/history list" "$(sed -n '5,$p' out)" "^ +1 .*add task from a sentence$"
# the conversation going on removed: the next request starts a new one
# (the REPL's new conversation takes the next id: SQLite's rowid)
id=$(nestor history list --json | python3 -c 'import json, sys; print(max(c["id"] for c in json.load(sys.stdin)) + 1)')
chat 'a second request' "/history rm $id" 'my tasks'
expect_eq "stderr" "$(cat err)" ""
expect_match "removed, then a turn" "$(cat out)" "a new one begins"
case "$(cat out)" in *"no conversation"*) fail "a turn after /history rm: $(cat out)" ;; esac
expect_match "the new conversation" "$(nestor history show "$id")" "my tasks"
nestor history rm "$id" >/dev/null
# commands that take over the terminal, are a turn of their own or start a
# daemon are refused as in the TUI, --json before the name or not: one line
# each, and the REPL goes on.  No daemon runs afterwards (one started by
# mistake is stopped before the script fails).
no_daemon() {
	runner=$(nestor status --json | python3 -c 'import json, sys; s = json.load(sys.stdin)["scheduler"]; print(s["runner"], s["pid"] or "")')
	case $runner in
	daemon\ *) kill "${runner#daemon }"; fail "$1 started a daemon: $(cat out)" ;;
	esac
	expect_eq "$1: the scheduler's runner" "$runner" "none "
}
for line in '/daemon' '/--json daemon' '/daemon --foreground'; do
	chat "$line" '/task add "after the refused"'
	no_daemon "$line"
	expect_eq "$line: refused" "$(cat err)" "nestor: '/daemon' does not run inside the REPL"
	expect_match "$line: the REPL went on" "$(cat out)" "^[0-9]+$"
done
chat '/tui' '/chat' '/--json ask hello' '/ask'
expect_eq "refused, one line each" "$(cat err)" "nestor: '/tui' does not run inside the REPL
nestor: '/chat' does not run inside the REPL
nestor: '/ask' does not run inside the REPL
nestor: '/ask' does not run inside the REPL"
expect_eq "nothing on stdout" "$(cat out)" ""
# nor do the servers, which never return: serve, worker, telegram run and
# nestor's own MCP server (on the REPL's stdin); other verbs of theirs run
chat '/serve --listen 127.0.0.1:0' '/worker' '/telegram run' '/mcp' '/mcp --assistant x' \
	'/mcp list --json'
expect_eq "servers refused, one line each" "$(cat err)" "nestor: '/serve' does not run inside the REPL
nestor: '/worker' does not run inside the REPL
nestor: '/telegram run' does not run inside the REPL
nestor: '/mcp' does not run inside the REPL
nestor: '/mcp' does not run inside the REPL"
expect_eq "/mcp list ran" "$(cat out)" "[]"
# /ask held no turn: the one conversation is the REPL's sentence above
expect_eq "conversations" "$(nestor history list --json | python3 -c 'import json, sys; print(len(json.load(sys.stdin)))')" 1
