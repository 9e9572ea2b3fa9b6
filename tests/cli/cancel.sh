# Cancelling a streaming LLM reply from the two interactive fronts, in a
# real terminal (tmux on a private socket) against tests/fake/openai.py:
# the fake streams the first words and holds the stream open; Ctrl-C in
# `nestor chat`, Esc and Ctrl-C in `nestor tui` stop the reply; the words
# that arrived stay on the screen and in the history, marked interrupted;
# the connection is closed; the front goes on with the next request.
. "$(dirname "$0")/lib.sh"
. "$SRC/tests/fake/openai.sh"
unset DBUS_SESSION_BUS_ADDRESS DISPLAY
HERE=$(pwd)
fake_openai_start
. "$SRC/tests/cli/tmux.sh"
trap 'term_stop; kill $FAKE_PID 2>/dev/null; rm -rf "$NESTOR_HOME" "$FAKE_DIR"' EXIT
nestor assistant add gpt --base-url "$FAKE_URL" --model fake-model --default > /dev/null

# wait_closed N: the fake saw the client of request N (from 0) go away
closed() { fake_py "import sys; sys.exit(0 if reqs[$1].get('client_closed') else 1)" 2>/dev/null; }
wait_closed() { wait_until "the fake to see request $1's connection close" closed "$1"; }
# start COMMAND [REDIRECT]: nestor COMMAND in a fresh 80x24 pane (no side
# pane) that stays after it exits
start() { term_start "env LANG=C.UTF-8 LC_ALL=C.UTF-8 '$NESTOR_BIN' $1 ${2:-}; echo '[exit '\$?']'"; }
# conv CHANNEL: the id of the latest conversation of that channel
conv() {
	nestor --json history list | python3 -c 'import json, sys
print([c["id"] for c in json.load(sys.stdin) if c["channel"] == sys.argv[1]][0])' "$1"
}

# -- the REPL: Ctrl-C while the reply streams
start chat
term_wait '^gpt>$'
fake_script '[{"say": ["Once upon", " a time"], "hold_after": 2}]'
term_keys 'tell me a story' Enter
term_wait '^Once upon$'
term_keys C-c
term_wait "^nestor: assistant 'gpt': cancelled$"
# the prompt is back, on a line of its own
term_wait '^gpt>$'
expect_match "partial reply kept on screen" "$(cat screen)" '^Once upon(\^C)?$'
wait_closed 0
# the REPL goes on: the next request is answered, with the partial reply in
# the history the model sees
fake_script '[{"say": ["The end."]}]'
term_keys 'and then?' Enter
term_wait '^The end\.$'
fake_py '
assert len(reqs) == 2, len(reqs)
msgs = reqs[1]["json"]["messages"]
assert msgs[-2] == {"role": "assistant", "content": "Once upon"}, msgs[-2:]
assert msgs[-1] == {"role": "user", "content": "and then?"}, msgs[-1]
assert not reqs[1].get("client_closed"), reqs[1]
'
term_keys C-d
term_wait '^\[exit 0\]$'
c=$(conv repl)
nestor history show "$c" > shown
expect_match "REPL: partial reply stored interrupted" "$(cat shown)" "^gpt: Once upon \[interrupted\]$"
expect_match "REPL: next reply stored" "$(cat shown)" "^gpt: The end\.$"

# -- the TUI: Esc, then Ctrl-C, while the reply streams
fake_call POST /_control '{"reset": true}' > /dev/null
start tui "2>'$HERE/stderr.out'"
term_wait 'F1 help'
fake_script '[{"say": ["Far away", " there was"], "hold_after": 2}]'
term_keys 'where?' Enter
term_wait '^gpt: Far away$'
term_wait 'replying\.\.\. Esc cancels'
# typing goes on while the reply streams
term_keys 'and then'
term_wait '^> and then$'
term_keys Escape
term_wait "^assistant 'gpt': cancelled$"
term_wait '^ gpt \(llm\) \| #[0-9]+ \| cancelled '
expect_match "Esc: partial reply kept" "$(cat screen)" '^gpt: Far away$'
expect_match "Esc: the typed line kept" "$(cat screen)" '^> and then$'
wait_closed 0
fake_script '[{"say": ["Near", " here"], "hold_after": 2}]'
term_keys '?' Enter
term_wait '^you: and then\?$'
term_wait '^gpt: Near$'
term_wait 'replying\.\.\. Esc cancels'
term_keys C-c
term_wait -n 2 "^assistant 'gpt': cancelled$"
term_wait '^ gpt \(llm\) \| #[0-9]+ \| cancelled '
wait_closed 1
fake_script '[{"say": ["The end."]}]'
term_keys 'finish' Enter
term_wait '^gpt: The end\.$'
# the status line itself back at rest ("cancelled" also stands in earlier
# lines of the conversation, so an unanchored pattern matched at once)
term_wait '^ gpt \(llm\) \| #[0-9]+ \| (F1 help|cancelled) '
grep -q 'replying' screen && fail "the status line still says replying: $(tail -n 1 screen)"
fake_py '
assert len(reqs) == 3, len(reqs)
msgs = reqs[2]["json"]["messages"]
assert {"role": "assistant", "content": "Far away"} in msgs, msgs
assert {"role": "assistant", "content": "Near"} in msgs, msgs
assert not reqs[2].get("client_closed"), reqs[2]
'
term_keys '/quit' Enter
term_wait '^\[exit 0\]$'
c=$(conv tui)
nestor history show "$c" > shown
expect_match "Esc: partial reply stored interrupted" "$(cat shown)" "^gpt: Far away \[interrupted\]$"
expect_match "Ctrl-C: partial reply stored interrupted" "$(cat shown)" "^gpt: Near \[interrupted\]$"
expect_match "TUI: next reply stored" "$(cat shown)" "^gpt: The end\.$"
# nothing on stderr (the sanitizers report there)
[ ! -s stderr.out ] || fail "stderr: $(cat stderr.out)"
