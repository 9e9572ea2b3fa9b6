# The first things a person does with an LLM server, against
# tests/fake/openai.py: `assistant models`, `assistant test` (what works and
# what does not, with the exit status to match), and the README's example
# configurations for Ollama and llama.cpp's server, run as written with the
# base URL pointed at the fake laid out like that server.
. "$(dirname "$0")/lib.sh"
. "$SRC/tests/fake/openai.sh"
unset DBUS_SESSION_BUS_ADDRESS DISPLAY
fake_openai_start
reset_fake() { fake_call POST /_control "{\"reset\": true${1:+, $1}}" > /dev/null; }
# run NAME ARGS...: nestor's stdout in NAME.out, stderr in NAME.err, status in $rc
run() {
	name=$1
	shift
	set +e
	"$NESTOR_BIN" "$@" > "$name.out" 2> "$name.err"
	rc=$?
	set -e
}

# -- assistant models: the ids the server lists, for a URL or an assistant
reset_fake '"models": ["llama3.1:latest", "qwen2.5:7b"]'
expect_eq "models" "$(nestor assistant models --base-url "$FAKE_URL")" "llama3.1:latest
qwen2.5:7b"
nestor --json assistant models --base-url "$FAKE_URL" | python3 -c '
import json, sys
assert json.load(sys.stdin) == [{"id": "llama3.1:latest"}, {"id": "qwen2.5:7b"}]'
fake_py 'assert [r["path"] for r in reqs] == ["/v1/models", "/v1/models"], reqs'

# a key: refused without, sent with --key-secret (never on the command line)
reset_fake '"models": ["gpt-x"], "key": "sk-models-4242"'
run nokey assistant models --base-url "$FAKE_URL"
expect_eq "models without key" "$rc:$(cat nokey.err)" \
	"1:nestor: assistant models: 127.0.0.1:$FAKE_PORT needs an API key (HTTP 401): give one with --key-secret NAME"
export NESTOR_SECRET_REMOTE=sk-models-4242
expect_eq "models with key" "$(nestor assistant models --base-url "$FAKE_URL" --key-secret remote)" "gpt-x"
nestor assistant add remote --base-url "$FAKE_URL" --key-secret remote > /dev/null
expect_eq "models of an assistant" "$(nestor assistant models remote)" "gpt-x"
fake_py 'assert reqs[-1]["headers"]["authorization"] == "Bearer sk-models-4242", reqs[-1]'

# a base URL without /v1 at a server that has its API there
reset_fake '"profile": "ollama"'
run nov1 assistant models --base-url "http://127.0.0.1:$FAKE_PORT"
expect_eq "models 404" "$rc:$(cat nov1.err)" \
	"1:nestor: assistant models: 127.0.0.1:$FAKE_PORT: HTTP 404: 404 page not found (is the base URL right? with most servers it ends in /v1)"
run closed assistant models --base-url "http://127.0.0.1:$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')/v1"
expect_match "models unreachable" "$rc:$(cat closed.err)" "^1:nestor: assistant models: cannot reach 127.0.0.1:[0-9]+: "
run badurl assistant models --base-url ftp://example.org/v1
expect_eq "models bad url" "$rc:$(cat badurl.err)" \
	'2:nestor: assistant models: base URL must start with http:// or https:// (got "ftp://example.org/v1")'
run nourl assistant models
expect_eq "models no url" "$rc:$(cat nourl.err)" "2:nestor: assistant models: give an assistant's NAME or --base-url URL"

# -- assistant test: all four work
nestor assistant add probe --base-url "$FAKE_URL" --model fake-model > /dev/null
reset_fake '"auto": true'
run ok assistant test probe
expect_eq "test ok" "$rc" 0
expect_eq "test ok report" "$(cat ok.out)" "assistant 'probe' at $FAKE_URL, model fake-model
  reachable     yes
  key accepted  yes (no key sent)
  streaming     yes
  tool calls    yes
  usage         10 prompt + 5 completion tokens"
fake_py '
assert len(reqs) == 1, reqs
b = reqs[0]["json"]
assert b["stream"] is True and b["model"] == "fake-model", b
assert [t["function"]["name"] for t in b["tools"]] == ["nestor_ping"], b
assert len(b["messages"]) == 2, b
'

# a model that answers in text: no tool calls, exit 1
reset_fake
fake_script '[{"say": "pong"}]'
run text assistant test probe
expect_eq "test text status" "$rc" 1
expect_match "test text report" "$(cat text.out)" \
	"^  tool calls    no: the model answered in text instead of calling the test tool"
expect_match "test text report" "$(cat text.out)" "^  streaming     yes$"
expect_eq "test text error" "$(cat text.err)" "nestor: assistant test: assistant 'probe': tool calls: no"

# a model that calls a tool it was not offered, named with 30 bytes that are
# not UTF-8: the name is quoted as 21 U+FFFD (64 bytes at most), never a
# piece of the 22nd
reset_fake
fake_script "[{\"calls\": [{\"name\": \"$(python3 -c 'print("\\udcff" * 30, end="")')\", \"arguments\": {}}]}]"
run other assistant test probe
expect_eq "test other tool status" "$rc" 1
python3 - other.out <<'PY'
import sys
t = open(sys.argv[1], "rb").read().decode("utf-8")
assert "  tool calls    no: the model called '%s', a tool it was not offered\n" % ("\ufffd" * 21) in t, t
PY

# a server that answers in one piece: it works, but it does not stream
reset_fake
fake_script '[{"plain": true, "calls": [{"name": "nestor_ping", "arguments": {"reply": "pong"}}]}]'
run plain assistant test probe
expect_eq "test plain status" "$rc" 1
expect_match "test plain report" "$(cat plain.out)" \
	"^  streaming     no: the server answered a streamed request in one piece"
expect_match "test plain report" "$(cat plain.out)" "^  tool calls    yes$"

# a server that refuses tools: asked again without, so streaming is known
reset_fake
fake_script '[{"status": 400, "json": {"error": {"message": "registry.ollama.ai/library/gemma:2b does not support tools"}}},
              {"say": "pong"}]'
run notools assistant test probe
expect_eq "test no tools status" "$rc" 1
expect_match "test no tools" "$(cat notools.out)" \
	"^  tool calls    no: the server refused the request with a tool: .*does not support tools$"
expect_match "test no tools" "$(cat notools.out)" "^  streaming     yes$"
fake_py 'assert len(reqs) == 2 and "tools" not in reqs[1]["json"], reqs'

# a key wanted; a key refused
reset_fake '"key": "sk-right-0001"'
run wantkey assistant test probe
expect_eq "test want key" "$rc" 1
expect_match "test want key" "$(cat wantkey.out)" \
	"^  key accepted  no: the server wants a key \(HTTP 401\): nestor assistant edit probe --key-secret SECRET$"
nestor assistant edit probe --key-secret probe-key > /dev/null
NESTOR_SECRET_PROBE_KEY=sk-wrong-0002 "$NESTOR_BIN" assistant test probe > wrongkey.out 2>&1 || true
expect_match "test wrong key" "$(cat wrongkey.out)" \
	"^  key accepted  no: the key in secret 'probe-key' was refused \(HTTP 401\)$"
grep -q sk-wrong wrongkey.out && fail "the key was shown"
nestor assistant edit probe --no-key > /dev/null

# unreachable; --json says which failed, as the one JSON document on stdout
nestor assistant add gone --base-url "http://127.0.0.1:$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')/v1" > /dev/null
run gone --json assistant test gone
expect_eq "test gone status" "$rc" 1
python3 - gone.out <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
assert r["ok"] is False and r["assistant"] == "gone", r
c = r["checks"]
assert c["reachable"]["ok"] is False and c["reachable"]["detail"].startswith("cannot reach 127.0.0.1:"), c
assert c["tool_calls"]["ok"] is None and c["tool_calls"]["detail"] == "not tried", c
PY
expect_eq "test gone stderr" "$(cat gone.err)" "nestor: assistant test: assistant 'gone': reachable: no"
run offline assistant test nestor
expect_eq "test offline" "$rc:$(cat offline.err)" \
	"2:nestor: assistant test: assistant 'nestor' is offline: there is no server to test"

# -- the README's configurations, run as written
# readme_block REGEX: the indented code after the first README line matching REGEX
readme_block() {
	awk -v re="$1" '
		!on && $0 ~ re { on = 1; next }
		on && /^    / { sub(/^    /, ""); print; code = 1; next }
		on && code && /^[^ ]/ { exit }
	' "$SRC/README.md" | sed -e ':a' -e '/\\$/N; s/\\\n//; ta'
}
# run_readme REGEX URL: run the block's nestor lines with URL pointed at the
# fake; each must succeed; their outputs go to readme.N.out
run_readme() {
	readme_block "$1" > block.txt
	n=0
	while IFS= read -r line; do
		case $line in nestor\ *) ;; *) continue ;; esac
		n=$((n + 1))
		line=$(printf '%s\n' "$line" | sed "s#$2#http://127.0.0.1:$FAKE_PORT#g")
		eval "$line" < /dev/null > "readme.$n.out" 2> "readme.$n.err" ||
			fail "README line failed: $line: $(cat "readme.$n.err")"
	done < block.txt
	[ $n -ge 3 ] || fail "README: $n nestor lines after /$1/"
}

# Ollama: only /v1 exists, llama3.1 is pulled (as llama3.1:latest)
reset_fake '"profile": "ollama"'
run_readme '^Ollama on this machine' http://127.0.0.1:11434
expect_eq "README ollama models" "$(cat readme.1.out)" "llama3.1:latest"
expect_eq "README ollama test" "$(grep -c ' yes' readme.3.out)" 4
expect_eq "README ollama ask" "$(cat readme.4.out)" "Done."
fake_py '
chats = [r for r in reqs if r["path"].endswith("/chat/completions")]
assert len(chats) == 3 and all(r["json"]["model"] == "llama3.1" for r in chats), chats
assert all(r["path"] in ("/v1/models", "/v1/chat/completions") for r in reqs), reqs
'
# the same lines with a model Ollama does not have fail, as they should
reset_fake '"profile": "ollama"'
nestor assistant edit local --model llama3.2 > /dev/null
run notpulled assistant test local
expect_eq "README ollama wrong model" "$rc" 1
expect_match "README ollama wrong model" "$(cat notpulled.out)" \
	'^  streaming     no: 127.0.0.1:[0-9]+: HTTP 404: model "llama3.2" not found'
expect_match "README ollama wrong model" "$(cat notpulled.out)" '^  key accepted  not known: the request failed first$'

# llama.cpp's server: one model, no "model" needed
reset_fake '"profile": "llamacpp"'
run_readme "^llama.cpp's server" http://127.0.0.1:8080
expect_eq "README llama.cpp test" "$(grep -c ' yes' readme.2.out)" 4
expect_eq "README llama.cpp ask" "$(cat readme.3.out)" "Done."
fake_py '
chats = [r for r in reqs if r["path"] == "/v1/chat/completions"]
assert len(chats) == 3 and all("model" not in r["json"] for r in chats), chats
'
