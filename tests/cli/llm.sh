# nestor ask with an llm assistant, against tests/fake/openai.py: the tool
# loop, parallel calls, streaming as it arrives, failures, cancellation,
# delegation, the token budget.  The fake records what nestor sent.
. "$(dirname "$0")/lib.sh"
. "$SRC/tests/fake/openai.sh"
unset DBUS_SESSION_BUS_ADDRESS DISPLAY
export TZ=Europe/Berlin
fake_openai_start
nestor assistant add gpt --base-url "$FAKE_URL" --model fake-model --default > /dev/null
# run nestor in the background: ask_bg OUT ERR ARGS...; sets BG
ask_bg() { o=$1 e=$2; shift 2; "$NESTOR_BIN" "$@" > "$o" 2> "$e" & BG=$!; }
# wait_for FILE TEXT: until FILE holds TEXT (10 s at most)
wait_for() { wait_until -s "cat '$1'" "[$2] in $1" grep -qsF -- "$2" "$1"; }
# the conversation id of the last `history list`
last_conv() { nestor --json history list | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["id"])'; }

# -- a two-step tool loop: the agenda, then a reminder, then the answer
fake_script '[{"calls": [{"name": "calendar_agenda", "arguments": {"from": "tomorrow", "to": "tomorrow 23:59"}}]},
 {"calls": [{"name": "reminder_add", "arguments": {"text": "call mom", "at": "tomorrow 09:00"}, "split": 3}]},
 {"say": ["Your day is free; ", "I will remind you to call mom at 9."]}]'
out=$(nestor ask "remind me to call mom tomorrow morning if I am free")
expect_eq "loop reply" "$out" "Your day is free; I will remind you to call mom at 9."
expect_match "reminder stored" "$(nestor remind list)" "call mom"
fake_py '
assert len(reqs) == 3, len(reqs)
first, second, third = (r["json"] for r in reqs)
assert first["model"] == "fake-model" and first["stream"] is True
assert first["messages"][0]["role"] == "system"
assert "Europe/Berlin" in first["messages"][0]["content"]
assert first["messages"][-1] == {"role": "user", "content": "remind me to call mom tomorrow morning if I am free"}
names = [t["function"]["name"] for t in first["tools"]]
assert "calendar_agenda" in names and "reminder_add" in names and "ask_assistant" in names, names
call, result = second["messages"][-2:]
assert call["role"] == "assistant" and call["tool_calls"][0]["function"]["name"] == "calendar_agenda"
assert result["role"] == "tool" and result["tool_call_id"] == call["tool_calls"][0]["id"]
assert "error" not in result["content"], result
call, result = third["messages"][-2:]
assert call["tool_calls"][0]["function"]["name"] == "reminder_add"
assert call["tool_calls"][0]["function"]["arguments"] == "{\"text\": \"call mom\", \"at\": \"tomorrow 09:00\"}"
assert result["tool_call_id"] == call["tool_calls"][0]["id"] and "error" not in result["content"], result
'

# -- parallel tool calls in one message, one with a null id (llama.cpp)
fake_call POST /_control '{"reset": true}' > /dev/null
fake_script '[{"calls": [{"name": "task_add", "arguments": {"title": "buy milk"}, "id": null},
                         {"name": "task_add", "arguments": {"title": "call bob"}, "split": 4}],
               "finish": false},
              {"say": "Added both."}]'
nestor --json ask "add buy milk and call bob" > ask.json
expect_match "parallel tasks" "$(nestor task list)" "buy milk"
expect_match "parallel tasks" "$(nestor task list)" "call bob"
python3 - ask.json <<'PY'
import json, sys
a = json.load(open(sys.argv[1]))
assert a["reply"] == "Added both." and a["assistant"] == "gpt", a
assert [c["name"] for c in a["tool_calls"]] == ["task_add", "task_add"], a
assert a["tool_calls"][1]["arguments"] == {"title": "call bob"}, a
PY
fake_py '
call = reqs[1]["json"]["messages"][-3]
r1, r2 = reqs[1]["json"]["messages"][-2:]
ids = [c["id"] for c in call["tool_calls"]]
assert ids[0].startswith("call_") and ids[1] == "call_fake_1", ids
assert [r1["tool_call_id"], r2["tool_call_id"]] == ids, (r1, r2)
'

# -- the reply shows as it streams: the fake holds the stream after the
# first words until this script has read them from nestor's stdout
fake_script '[{"say": ["First words", " and the rest."], "hold_after": 2}]'
ask_bg out.txt err.txt ask "tell me"
wait_for out.txt "First words"
kill -0 $BG 2>/dev/null || fail "nestor exited before the stream was released"
expect_eq "held" "$(cat out.txt)" "First words"
fake_release
wait $BG || fail "ask after release: $(cat err.txt)"
expect_eq "streamed reply" "$(cat out.txt)" "First words and the rest."

# -- a stream cut in the middle: the partial reply is printed and kept
fake_script '[{"say": ["Half of ", "an answer", " never sent"], "cut_after": 3}]'
set +e
nestor ask "go on" > out.txt 2> err.txt; rc=$?
set -e
expect_eq "cut status" "$rc" "1"
expect_eq "cut stdout" "$(cat out.txt)" "Half of an answer"
expect_match "cut message" "$(cat err.txt)" "^nestor: ask: assistant 'gpt': the connection dropped mid-answer: 127.0.0.1:[0-9]+: "
conv=$(last_conv)
expect_match "cut kept" "$(nestor history show "$conv")" "gpt: Half of an answer \[interrupted\]"
nestor --json history show "$conv" | grep -q '"state":	"interrupted"' || fail "no interrupted state in --json"

# -- Ctrl-C during the answer stops it and keeps what arrived
fake_script '[{"say": ["Once upon", " a time"], "hold_after": 2}]'
ask_bg out.txt err.txt ask "a story"
wait_for out.txt "Once upon"
kill -INT $BG
set +e
wait $BG; rc=$?
set -e
fake_release
expect_eq "cancel status" "$rc" "1"
expect_eq "cancel message" "$(cat err.txt)" "nestor: ask: assistant 'gpt': cancelled"
expect_match "cancel kept" "$(nestor history show "$(last_conv)")" "gpt: Once upon \[interrupted\]"

# -- 429 with Retry-After, then an answer
fake_call POST /_control '{"reset": true}' > /dev/null
fake_script '[{"status": 429, "headers": {"Retry-After": "1"}, "json": {"error": {"message": "slow down"}}},
              {"say": "Sorry for the wait."}]'
expect_eq "after 429" "$(nestor ask hello)" "Sorry for the wait."
fake_py 'assert len(reqs) == 2, len(reqs)'

# -- a refused key; the key itself is never shown
nestor assistant edit gpt --key-secret openai > /dev/null
fake_script '[{"status": 401, "json": {"error": {"message": "Incorrect API key provided: sk-wrong-0451"}}}]'
set +e
NESTOR_SECRET_OPENAI=sk-wrong-0451 "$NESTOR_BIN" ask hello > out.txt 2> err.txt; rc=$?
set -e
expect_eq "401 status" "$rc" "1"
expect_eq "401 message" "$(cat err.txt)" "nestor: ask: the API key for assistant 'gpt' was refused (127.0.0.1:$FAKE_PORT: HTTP 401)"
fake_py 'assert reqs[-1]["headers"]["authorization"] == "Bearer sk-wrong-0451"'
set +e
"$NESTOR_BIN" ask hello > out.txt 2> err.txt; rc=$?
set -e
expect_eq "no key status" "$rc" "1"
expect_match "no key message" "$(cat err.txt)" "assistant 'gpt': no secret named 'openai'"
nestor assistant edit gpt --no-key > /dev/null

# -- tool arguments that are not JSON: sent back once, reported the second time
fake_call POST /_control '{"reset": true}' > /dev/null
fake_script '[{"calls": [{"name": "task_add", "arguments": "{\"title\": \"x"}]}, {"say": "Fixed."}]'
expect_eq "malformed once" "$(nestor ask 'add x')" "Fixed."
fake_py '
r = reqs[1]["json"]["messages"][-1]
assert r["role"] == "tool" and "not valid JSON" in r["content"], r
'
# a name given twice, or more after the object, is no more JSON to run than
# a broken one: nothing added, the model told
n=$(nestor --json task list --all | jq length)
fake_script '[{"calls": [{"name": "task_add", "arguments": "{\"title\": \"a\", \"title\": \"b\"}"}]},
              {"calls": [{"name": "task_add", "arguments": "{\"title\": \"c\"} {}"}]}]'
set +e
nestor ask 'add twice' > out.txt 2> err.txt; rc=$?
set -e
expect_eq "name twice, then more after the object: status" "$rc" "1"
expect_eq "name twice: nothing added" "$(nestor --json task list --all | jq length)" "$n"
fake_py '
r = reqs[-1]["json"]["messages"][-1]
assert r["role"] == "tool" and "argument \\\"title\\\" of task_add given twice: {" in r["content"], r
assert "b\\\"}" in r["content"], r
'
# a name given twice, twice: the turn ends saying so
fake_script '[{"calls": [{"name": "task_add", "arguments": "{\"title\": \"a\", \"title\": \"b\"}"}]},
              {"calls": [{"name": "task_add", "arguments": "{\"due\": {\"at\": 1, \"at\": 2}}"}]}]'
if nestor ask 'add twice again' 2> err.txt; then fail "name twice, twice: the turn went on"; fi
expect_match "name twice, twice" "$(cat err.txt)" \
	"^nestor: ask: assistant 'gpt' gave a tool argument twice again \\(task_add: \"due.at\" in \\{\"due\": \\{\"at\": 1, \"at\": 2\\}\\}\\) \\(conversation [0-9]+\\)$"
fake_script '[{"calls": [{"name": "task_add", "arguments": "{oops"}]},
              {"calls": [{"name": "task_add", "arguments": "{oops again"}]}]'
set +e
nestor ask 'add y' > out.txt 2> err.txt; rc=$?
set -e
expect_eq "malformed twice status" "$rc" "1"
expect_match "malformed twice" "$(cat err.txt)" "assistant 'gpt' sent tool arguments that are not JSON again \(task_add: \{oops again\)"

# -- the tool loop is bounded by llm.max_steps
nestor config set llm.max_steps 2
fake_script '[{"calls": [{"name": "task_list", "arguments": {}}]}, {"calls": [{"name": "task_list", "arguments": {}}]}]'
set +e
nestor ask 'loop' > out.txt 2> err.txt; rc=$?
set -e
expect_eq "max steps status" "$rc" "1"
expect_match "max steps" "$(cat err.txt)" "^nestor: ask: assistant 'gpt' did not answer within 2 requests \\(llm.max_steps\\) \\(conversation [0-9]+\\)$"

# -- llm.stream = false asks for one JSON answer
nestor config set llm.stream false
fake_call POST /_control '{"reset": true}' > /dev/null
fake_script '[{"calls": [{"name": "time_now", "arguments": {}}]}, {"say": "It is late."}]'
expect_eq "non-stream" "$(nestor ask 'time?')" "It is late."
fake_py 'assert all(r["json"]["stream"] is False for r in reqs), reqs'
nestor config set llm.stream true

# -- sub-assistants: gpt asks helper, helper asks deep; deep cannot go deeper
# (their requests count towards the turn's llm.max_steps)
nestor config set llm.max_steps 8
nestor assistant add helper --base-url "$FAKE_URL" --model helper-model \
	--prompt "You are the helper." --tools ask_assistant,time_now > /dev/null
nestor assistant add deep --base-url "$FAKE_URL" --model deep-model --prompt "You are deep." > /dev/null
fake_call POST /_control '{"reset": true}' > /dev/null
fake_script '[{"calls": [{"name": "ask_assistant", "arguments": {"assistant": "helper", "question": "what is 6x7?"}}]},
 {"calls": [{"name": "ask_assistant", "arguments": {"assistant": "deep", "question": "6x7?"}}]},
 {"say": "42"},
 {"say": "Deep says 42."},
 {"say": "The helper says: 42."}]'
nestor --json ask "ask the helper what 6x7 is" > ask.json
python3 - ask.json <<'PY'
import json, sys
a = json.load(open(sys.argv[1]))
assert a["reply"] == "The helper says: 42.", a
c = a["tool_calls"][0]
assert c["name"] == "ask_assistant" and c["arguments"]["assistant"] == "helper", c
assert c["result"]["assistant"] == "helper" and c["result"]["reply"] == "Deep says 42.", c
PY
fake_py '
main, helper, deep = (r["json"] for r in reqs[:3])
assert main["model"] == "fake-model" and helper["model"] == "helper-model" and deep["model"] == "deep-model"
assert helper["messages"][0]["content"].startswith("You are the helper.")
assert helper["messages"][-1] == {"role": "user", "content": "what is 6x7?"}
assert sorted(t["function"]["name"] for t in helper["tools"]) == ["ask_assistant", "time_now"]
assert "ask_assistant" not in [t["function"]["name"] for t in deep["tools"]], "depth 2 may not delegate"
'
conv=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["conversation"])' ask.json)
expect_match "delegation in the transcript" "$(nestor history show "$conv")" '-> ask_assistant helper '

# -- a tool outside an assistant's list never runs, even when asked for
fake_call POST /_control '{"reset": true}' > /dev/null
fake_script '[{"calls": [{"name": "task_add", "arguments": {"title": "sneaky"}}]}, {"say": "I cannot."}]'
expect_eq "refused tool" "$(nestor ask --assistant helper 'add sneaky')" "I cannot."
nestor task list | grep -q sneaky && fail "a tool outside the list ran"
fake_py '
r = reqs[1]["json"]["messages"][-1]
assert r["role"] == "tool" and "not available to assistant" in r["content"], r
'

# -- the token budget: old turns go, a tool call never without its result
nestor assistant add small --base-url "$FAKE_URL" --token-budget 400 --prompt "Be brief." > /dev/null
long=$(python3 -c 'print("word " * 120)')
fake_call POST /_control '{"reset": true}' > /dev/null
fake_script '[{"say": "one"}]'
nestor ask --assistant small "first: $long" > /dev/null
conv=$(last_conv)
fake_script '[{"calls": [{"name": "task_list", "arguments": {}}, {"name": "time_now", "arguments": {}}]}, {"say": "two"}]'
nestor ask --conversation "$conv" "second: $long" > /dev/null
fake_script '[{"say": "three"}]'
nestor ask --conversation "$conv" "third" > /dev/null
fake_py '
last = reqs[-1]["json"]["messages"]
roles = [m["role"] for m in last]
assert roles[0] == "system" and last[0]["content"].startswith("Be brief."), roles
assert last[-1] == {"role": "user", "content": "third"}, last[-1]
assert not any(m.get("content", "") and m["content"].startswith("first:") for m in last), roles
assert roles[1] != "tool", roles
for i, m in enumerate(last):
    if m["role"] == "assistant" and m.get("tool_calls"):
        answered = {x["tool_call_id"] for x in last[i + 1:] if x["role"] == "tool"}
        assert {c["id"] for c in m["tool_calls"]} <= answered, last
    if m["role"] == "tool":
        assert any(p["role"] == "assistant" and p.get("tool_calls") for p in last[:i]), last
assert "tools" not in reqs[-1]["json"] or len(reqs[-1]["json"]["tools"]) > 0
'

# -- llm.summarize: the turns left out come back as the model's summary
nestor config set llm.summarize true
fake_call POST /_control '{"reset": true}' > /dev/null
fake_script '[{"json": {"choices": [{"index": 0, "message": {"role": "assistant",
               "content": "The user asked twice about words."}, "finish_reason": "stop"}]}},
              {"say": "four"}]'
nestor ask --conversation "$conv" "fourth" > /dev/null
fake_py '
summary, main = (r["json"] for r in reqs)
assert summary["stream"] is False and "tools" not in summary, summary
assert summary["messages"][0]["content"].startswith("Summarise the conversation"), summary
assert "user: first: word" in summary["messages"][1]["content"], summary
assert main["messages"][0]["content"].endswith("Summary of the earlier conversation: The user asked twice about words."), main["messages"][0]
assert main["messages"][-1]["content"] == "fourth"
'
nestor config set llm.summarize false

# -- a server that ignores "stream": true and answers one chat.completion
# JSON body (Content-Type: application/json), with a tool call: the same
# turn, the tool runs and the answer follows
fake_call POST /_control '{"reset": true}' > /dev/null
fake_script '[{"plain": true, "calls": [{"name": "task_add", "arguments": {"title": "plain json task"}}]},
              {"plain": true, "say": "Added the task."}]'
out=$(nestor ask "add plain json task")
expect_eq "json answer to a stream" "$out" "Added the task."
expect_match "json answer: the tool ran" "$(nestor task list)" "plain json task"
conv=$(last_conv)
expect_eq "json answer: one turn" "$(nestor history show "$conv" | sed -e 1d -e 's/<- .*/<- RESULT/')" \
	'you: add plain json task
  -> task_add '"'"'plain json task'"'"'
  <- RESULT
gpt: Added the task.
tokens: 20 prompt + 10 completion (2 answers)'
fake_py '
assert len(reqs) == 2 and all(r["json"]["stream"] is True for r in reqs), reqs
assert reqs[1]["json"]["messages"][-1]["role"] == "tool"
'

# -- reasoning (vLLM/DeepSeek reasoning_content, OpenRouter reasoning) is
# never part of the reply nor sent back; --json has it in its own field
fake_call POST /_control '{"reset": true}' > /dev/null
fake_script '[{"reasoning": ["The user wants ", "a task."], "calls": [{"name": "task_add", "arguments": {"title": "think first"}}]},
              {"reasoning": "Now confirm.", "reasoning_field": "reasoning", "say": ["Done ", "thinking."]},
              {"reasoning": "Secret thoughts.", "say": "Plain reply."}]'
nestor --json ask "add think first" > ask.json
python3 - ask.json <<'PY'
import json, sys
a = json.load(open(sys.argv[1]))
assert a["reply"] == "Done thinking.", a
assert a["reasoning"] == "The user wants a task.\n\nNow confirm.", a
PY
fake_py '
sent = json.dumps(reqs[1]["json"]["messages"])
assert "The user wants" not in sent and "reasoning" not in sent, sent
'
expect_eq "no reasoning in the reply" "$(nestor ask 'say something')" "Plain reply."
conv=$(last_conv)
nestor --json history show "$conv" > hist.json
python3 - hist.json <<'PY'
import json, sys
h = json.load(open(sys.argv[1]))
reply = h["messages"][-1]
assert reply["content"] == "Plain reply." and reply["reasoning"] == "Secret thoughts.", reply
PY
expect_eq "history shows the reply only" "$(nestor history show "$conv" | tail -n +2 | head -2)" "you: say something
gpt: Plain reply."

# -- the chat shows the thinking only when asked (llm.show_reasoning), on
# lines of its own before the reply, dimmed on a terminal
fake_script '[{"reasoning": "Quietly thinking.", "say": "Loud reply."},
              {"reasoning": ["Thinking ", "out loud."], "calls": [{"name": "time_now", "arguments": {}}]},
              {"reasoning": "Then again.", "say": "Shown reply."}]'
expect_eq "chat hides reasoning" "$(printf 'hello\n' | nestor chat)" "Loud reply."
nestor config set llm.show_reasoning true
expect_eq "chat shows reasoning" "$(printf 'hello\n' | nestor chat)" "Thinking out loud.
Then again.
Shown reply."
fake_script '[{"reasoning": "Dim thoughts.", "say": "Bright reply."}]'
TM="tmux -L nestor-llm-$$"
$TM new-session -d -s S -x 80 -y 10 "env NESTOR_HOME='$NESTOR_HOME' '$NESTOR_BIN' chat; sleep 30"
i=0
until $TM capture-pane -p -t S | grep -q '^gpt>'; do
	i=$((i + 1)); [ $i -lt 200 ] || fail "no chat prompt: $($TM capture-pane -p -t S)"; sleep 0.05
done
$TM send-keys -t S "think" Enter
i=0
until $TM capture-pane -p -t S | grep -q '^Bright reply.$'; do
	i=$((i + 1)); [ $i -lt 200 ] || fail "no reply: $($TM capture-pane -p -t S)"; sleep 0.05
done
$TM capture-pane -e -p -t S > pane.txt
$TM kill-server
ESC=$(printf '\033')
grep -q "^$ESC\[2mDim thoughts\.$" pane.txt || fail "the thinking is not dimmed: $(cat -v pane.txt)"
grep 'Bright reply\.$' pane.txt | grep -q "$ESC\[2m" && fail "the reply is dimmed: $(cat -v pane.txt)"
nestor config set llm.show_reasoning false

# -- token usage: asked for when streaming, stored per answer, summed per
# conversation (history show) and per assistant (assistant show)
nestor assistant add meter --base-url "$FAKE_URL" --model meter-model > /dev/null
fake_call POST /_control '{"reset": true}' > /dev/null
fake_script '[{"calls": [{"name": "time_now", "arguments": {}}], "usage": {"prompt_tokens": 100, "completion_tokens": 20}},
              {"say": "It is noon.", "usage": {"prompt_tokens": 130, "completion_tokens": 8}},
              {"say": "Again noon.", "usage": {"prompt_tokens": 50, "completion_tokens": 2}}]'
nestor --json ask --assistant meter "time?" > ask.json
python3 - ask.json <<'PY'
import json, sys
a = json.load(open(sys.argv[1]))
assert a["usage"] == {"prompt_tokens": 230, "completion_tokens": 28}, a
PY
fake_py 'assert all(r["json"]["stream_options"] == {"include_usage": True} for r in reqs), reqs'
conv=$(last_conv)
expect_eq "conversation tokens" "$(nestor history show "$conv" | tail -1)" "tokens: 230 prompt + 28 completion (2 answers)"
nestor ask --assistant meter "and now?" > /dev/null
expect_match "assistant tokens" "$(nestor assistant show meter)" \
	"tokens used:  280 prompt \+ 30 completion tokens \(3 answers in 2 conversations\)"
nestor --json assistant show meter | python3 -c '
import json, sys
u = json.load(sys.stdin)["usage"]
assert u == {"prompt_tokens": 280, "completion_tokens": 30, "answers": 3, "conversations": 2}, u'
nestor --json history list | python3 -c '
import json, sys
c = json.load(sys.stdin)[0]
assert c["usage"] == {"prompt_tokens": 50, "completion_tokens": 2}, c'

# -- a server that refuses stream_options (HTTP 400 naming it): asked once
# more without, and not again for the rest of the run (a two-step turn)
fake_call POST /_control '{"reset": true, "reject": ["stream_options"]}' > /dev/null
fake_script '[{"calls": [{"name": "time_now", "arguments": {}}]}, {"say": "Still fine."}]'
expect_eq "stream_options refused" "$(nestor ask 'what time')" "Still fine."
fake_py '
assert len(reqs) == 3, len(reqs)
assert "stream_options" in reqs[0]["json"], reqs[0]
assert all("stream_options" not in r["json"] for r in reqs[1:]), reqs
'

# -- the token limit: max_tokens, or max_completion_tokens when the server
# says it wants that (HTTP 400 naming max_tokens)
nestor assistant edit meter --max-tokens 300 > /dev/null
expect_match "max tokens shown" "$(nestor assistant show meter)" "max tokens:   300"
fake_call POST /_control '{"reset": true, "reject": ["max_tokens"]}' > /dev/null
fake_script '[{"say": "Brief."}]'
expect_eq "max_tokens refused" "$(nestor ask --assistant meter hi)" "Brief."
fake_py '
assert len(reqs) == 2, len(reqs)
assert reqs[0]["json"]["max_tokens"] == 300, reqs[0]
assert reqs[1]["json"]["max_completion_tokens"] == 300 and "max_tokens" not in reqs[1]["json"], reqs[1]
'
set +e
nestor assistant edit meter --max-tokens 0 > out.txt 2> err.txt; rc=$?
set -e
expect_eq "bad max tokens" "$rc:$(cat err.txt)" \
	'2:nestor: assistant edit: --max-tokens must be a whole number from 1 to 1000000 (got "0")'
nestor assistant edit meter --no-max-tokens > /dev/null
fake_call POST /_control '{"reset": true}' > /dev/null

# -- a redirect is not followed: the conversation would go where the
# Location says (a 307 or 308 POSTs it again).  redirected WHAT STATUS
# LOCATION WANT: ask answers exit 1 and the message WANT (after the
# assistant's name and the server), and only the first request was sent.
redirected() {
	fake_call POST /_control '{"reset": true}' > /dev/null
	fake_script "[{\"status\": $2, \"json\": {}, \"headers\": {\"Location\": \"$3\"}},
		{\"say\": \"followed\"}]"
	set +e
	nestor ask "hello" > out.txt 2> err.txt; rc=$?
	set -e
	expect_eq "$1: exit" "$rc" 1
	expect_eq "$1: message" "$(cat err.txt)" "nestor: ask: assistant 'gpt': 127.0.0.1:$FAKE_PORT: $4"
	fake_py 'assert [r["path"] for r in reqs] == ["/v1/chat/completions"], reqs'
	fake_call POST /_control '{"reset": true}' > /dev/null
}
# elsewhere: the error names the origin it points to, not its path, user,
# query or fragment (a token may be in any of them)
redirected "redirect" 307 "http://u:pw-77@127.0.0.1:9/elsewhere/v1/chat/completions?key=tok-77#f" \
	"HTTP 307 redirect to http://127.0.0.1:9, not followed: set the URL to where the server points"
# to another path of the same server (a slash added): the error says so,
# since the origin alone is the URL the user already set
redirected "same-server redirect" 308 "/v1/chat/completions/" \
	"HTTP 308 redirect to another path on the same server, not followed: check the path of the URL set"
# to https on the same host and port: that is another server to set
redirected "https redirect" 301 "https://127.0.0.1:$FAKE_PORT/v1/chat/completions" \
	"HTTP 301 redirect to https://127.0.0.1:$FAKE_PORT, not followed: set the URL to where the server points"

# -- control characters from the model (in its reply, a tool's name): left
# out of what is stored, JSON strings included, as another device takes
# them on a pull; the conversation goes on
fake_call POST /_control '{"reset": true}' > /dev/null
fake_script '[{"calls": [{"name": "no\u001b[2Jtool", "arguments": {}, "id": "c1"}]},
	{"say": "Done\u001b]0;owned\u0007 here."}]'
expect_eq "reply without controls" "$(nestor ask "try a tool")" "Done]0;owned here."
python3 - "$NESTOR_HOME/nestor.db" <<'PY'
import json, sqlite3, sys
def bad(s):
    return any((ord(c) < 32 and c not in "\t\n") or 127 <= ord(c) <= 159 for c in s)
def bad_json(v):
    if isinstance(v, str):
        return bad(v)
    items = v.items() if isinstance(v, dict) else enumerate(v) if isinstance(v, list) else []
    return any((isinstance(k, str) and bad(k)) or bad_json(x) for k, x in items)
db = sqlite3.connect(sys.argv[1])
rows = db.execute("SELECT role, content, tool_calls, tool_call_id, reasoning FROM messages"
                  " WHERE conversation_id = (SELECT max(id) FROM conversations)").fetchall()
assert [r[0] for r in rows] == ["user", "assistant", "tool", "assistant"], rows
for r in rows:
    for t in r[1:]:
        if t is None:
            continue
        assert not bad(t), r
        if t[:1] in "{[":
            try:
                v = json.JSONDecoder().raw_decode(t)[0]
            except ValueError:
                continue
            assert not bad_json(v), r
assert json.loads(rows[1][2])[0]["function"]["name"] == "no[2Jtool", rows[1]
assert rows[3][1] == "Done]0;owned here.", rows[3]
PY

# -- with the offline assistant the default again, nothing is sent
nestor assistant default nestor > /dev/null
fake_call POST /_control '{"reset": true}' > /dev/null
nestor ask "add task water the plants" > /dev/null
fake_py 'assert reqs == [], reqs'
