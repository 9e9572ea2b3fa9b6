# What an llm server's odd answers make nestor say (tests/fake/openai.py):
# arguments that are JSON but no object, a tool call index out of range,
# an answer that is not JSON, a message of the wrong shape, a stream kept
# open by keep-alives past llm.request_timeout.
. "$(dirname "$0")/lib.sh"
. "$SRC/tests/fake/openai.sh"
unset DBUS_SESSION_BUS_ADDRESS DISPLAY
export TZ=Europe/Berlin
fake_openai_start
nestor assistant add gpt --base-url "$FAKE_URL" --model fake-model --default > /dev/null
reset() { fake_call POST /_control '{"reset": true}' > /dev/null; }
# ask_fails WHAT WANT-REGEX: `nestor ask` fails (status 1) saying WANT
ask_fails() {
	set +e
	nestor ask "$1" > out.txt 2> err.txt; rc=$?
	set -e
	expect_eq "$1: status" "$rc" "1"
	expect_match "$1: message" "$(cat err.txt)" "$2"
}

# -- arguments that are JSON but not an object are said so
reset
fake_script '[{"calls": [{"name": "time_now", "arguments": "[1,2]"}]}, {"say": "ok"}]'
expect_eq "array arguments" "$(nestor ask 'array')" "ok"
fake_py '
tool = reqs[1]["json"]["messages"][-1]
assert "the arguments of time_now are not a JSON object: [1,2]" in tool["content"], tool
'

# -- a stream's tool call index out of range
for index in -1 2147483648 1.5; do
	reset
	fake_script "[{\"stream\": [{\"choices\": [{\"index\": 0, \"delta\": {\"tool_calls\": [{\"index\": $index, \"id\": \"c\", \"function\": {\"name\": \"time_now\", \"arguments\": \"{}\"}}]}}]}]}]"
	ask_fails "index $index" "the answer is unusable: a tool call index out of range \\($index\\)$"
done

# -- an HTML page or events that are not JSON are not "cut short"
reset
fake_script '[{"content_type": "text/html", "done": false, "finish": false, "stream": [{"_raw": "<html><body>Welcome</body></html>"}]}]'
ask_fails "html" "^nestor: ask: assistant 'gpt': the answer is not JSON \\(Content-Type: text/html\\)$"
reset
fake_script '[{"done": false, "finish": false, "stream": [{"_raw": "data: hello\n\n"}]}]'
ask_fails "data not JSON" "^nestor: ask: assistant 'gpt': the answer is not JSON \\(Content-Type: text/event-stream\\)$"

# -- a message whose content is a number, or whose tool_calls is an object
reset
fake_script '[{"json": {"choices": [{"index": 0, "message": {"role": "assistant", "content": 42}, "finish_reason": "stop"}]}}]'
ask_fails "content a number" "its message content is neither text nor a list of parts$"
reset
fake_script '[{"json": {"choices": [{"index": 0, "message": {"role": "assistant", "content": null, "tool_calls": {"id": "c"}}, "finish_reason": "tool_calls"}]}}]'
ask_fails "tool_calls an object" "its message tool_calls is not a list$"

# -- llm.request_timeout ends a stream that keep-alives hold open
nestor config set llm.timeout 2 >/dev/null
nestor config set llm.request_timeout 2
reset
fake_script "[{\"done\": false, \"finish\": false, \"stream\": [$(i=0; while [ $i -lt 60 ]; do printf '{"_raw": ": keepalive\\n\\n"}, {"_sleep_ms": 500}, '; i=$((i + 1)); done) {\"_raw\": \": bye\\n\\n\"}]}]"
ask_fails "keep-alives" "^nestor: ask: assistant 'gpt': 127.0.0.1:[0-9]+ timed out after 2 s \\(llm.request_timeout\\)$"
echo "llm-answers: ok"
