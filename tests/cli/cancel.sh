# Cancelling a streaming LLM reply from the two interactive fronts, in a
# real terminal (tmux on a private socket) against tests/fake/openai.py:
# the fake streams the first words and holds the stream open; Ctrl-C in
# `nestor chat`, Esc and Ctrl-C in `nestor tui` stop the reply; the words
# that arrived stay on the screen and in the history, marked interrupted;
# the connection is closed; the front goes on with the next request.
. "$(dirname "$0")/lib.sh"
. "$SRC/tests/fake/openai.sh"
command -v tmux >/dev/null || fail "tmux is missing (sh contrib/deps.sh test)"
unset DBUS_SESSION_BUS_ADDRESS DISPLAY
HERE=$(pwd)
fake_openai_start
RUN=0
T() { tmux -L "nestor-cancel-$$-$RUN" -f /dev/null "$@"; }
trap 'T kill-server 2>/dev/null || true; kill $FAKE_PID 2>/dev/null; rm -rf "$NESTOR_HOME" "$FAKE_DIR"' EXIT
nestor assistant add gpt --base-url "$FAKE_URL" --model fake-model --default > /dev/null

# wait_for PATTERN [N]: the screen shows N lines (1 by default) matching
# it (grep -E), or fail after 10 s
wait_for() {
	i=0
	while [ $i -lt 100 ]; do
		T capture-pane -p -t S > screen 2>/dev/null || true
		[ "$(grep -Ec -- "$1" screen)" -ge "${2:-1}" ] && return 0
		sleep 0.1
		i=$((i + 1))
	done
	cat screen >&2
	fail "screen never showed /$1/ ${2:-1} times"
}
# wait_closed N: the fake saw the client of request N (from 0) go away
wait_closed() {
	i=0
	until fake_py "import sys; sys.exit(0 if reqs[$1].get('client_closed') else 1)" 2>/dev/null; do
		i=$((i + 1))
		[ $i -lt 100 ] || fail "the fake never saw request $1's connection close"
		sleep 0.1
	done
}
# start COMMAND [REDIRECT]: nestor COMMAND in a fresh 80x24 pane (no side pane) that
# stays after it exits; each run has its own server (private socket)
start() {
	T kill-server 2>/dev/null || true
	RUN=$((RUN + 1))
	T new-session -d -s S -x 80 -y 24 \
		"env NESTOR_HOME='$NESTOR_HOME' LANG=C.UTF-8 LC_ALL=C.UTF-8 '$NESTOR_BIN' $1 ${2:-}; echo '[exit '\$?']'; sleep 30"
}
# conv CHANNEL: the id of the latest conversation of that channel
conv() {
	nestor --json history list | python3 -c 'import json, sys
print([c["id"] for c in json.load(sys.stdin) if c["channel"] == sys.argv[1]][0])' "$1"
}

# -- the REPL: Ctrl-C while the reply streams
start chat
wait_for '^gpt>$'
fake_script '[{"say": ["Once upon", " a time"], "hold_after": 2}]'
T send-keys -t S 'tell me a story' Enter
wait_for '^Once upon$'
T send-keys -t S C-c
wait_for "^nestor: assistant 'gpt': cancelled$"
# the prompt is back, on a line of its own
wait_for '^gpt>$'
expect_match "partial reply kept on screen" "$(cat screen)" '^Once upon(\^C)?$'
wait_closed 0
# the REPL goes on: the next request is answered, with the partial reply in
# the history the model sees
fake_script '[{"say": ["The end."]}]'
T send-keys -t S 'and then?' Enter
wait_for '^The end\.$'
fake_py '
assert len(reqs) == 2, len(reqs)
msgs = reqs[1]["json"]["messages"]
assert msgs[-2] == {"role": "assistant", "content": "Once upon"}, msgs[-2:]
assert msgs[-1] == {"role": "user", "content": "and then?"}, msgs[-1]
assert not reqs[1].get("client_closed"), reqs[1]
'
T send-keys -t S C-d
wait_for '^\[exit 0\]$'
c=$(conv repl)
nestor history show "$c" > shown
expect_match "REPL: partial reply stored interrupted" "$(cat shown)" "^gpt: Once upon \[interrupted\]$"
expect_match "REPL: next reply stored" "$(cat shown)" "^gpt: The end\.$"

# -- the TUI: Esc, then Ctrl-C, while the reply streams
fake_call POST /_control '{"reset": true}' > /dev/null
start tui "2>'$HERE/stderr.out'"
wait_for 'F1 help'
fake_script '[{"say": ["Far away", " there was"], "hold_after": 2}]'
T send-keys -t S 'where?' Enter
wait_for '^gpt: Far away$'
wait_for 'replying\.\.\. Esc cancels'
# typing goes on while the reply streams
T send-keys -t S 'and then'
wait_for '^> and then$'
T send-keys -t S Escape
wait_for "^assistant 'gpt': cancelled$"
wait_for '^ gpt \(llm\) \| #[0-9]+ \| cancelled '
expect_match "Esc: partial reply kept" "$(cat screen)" '^gpt: Far away$'
expect_match "Esc: the typed line kept" "$(cat screen)" '^> and then$'
wait_closed 0
fake_script '[{"say": ["Near", " here"], "hold_after": 2}]'
T send-keys -t S '?' Enter
wait_for '^you: and then\?$'
wait_for '^gpt: Near$'
wait_for 'replying\.\.\. Esc cancels'
T send-keys -t S C-c
wait_for "^assistant 'gpt': cancelled$" 2
wait_for '^ gpt \(llm\) \| #[0-9]+ \| cancelled '
wait_closed 1
fake_script '[{"say": ["The end."]}]'
T send-keys -t S 'finish' Enter
wait_for '^gpt: The end\.$'
wait_for 'F1 help|cancelled'
grep -q 'replying' screen && fail "the status line still says replying: $(tail -n 1 screen)"
fake_py '
assert len(reqs) == 3, len(reqs)
msgs = reqs[2]["json"]["messages"]
assert {"role": "assistant", "content": "Far away"} in msgs, msgs
assert {"role": "assistant", "content": "Near"} in msgs, msgs
assert not reqs[2].get("client_closed"), reqs[2]
'
T send-keys -t S '/quit' Enter
wait_for '^\[exit 0\]$'
c=$(conv tui)
nestor history show "$c" > shown
expect_match "Esc: partial reply stored interrupted" "$(cat shown)" "^gpt: Far away \[interrupted\]$"
expect_match "Ctrl-C: partial reply stored interrupted" "$(cat shown)" "^gpt: Near \[interrupted\]$"
expect_match "TUI: next reply stored" "$(cat shown)" "^gpt: The end\.$"
# nothing on stderr (the sanitizers report there)
[ ! -s stderr.out ] || fail "stderr: $(cat stderr.out)"
