# llm.max_steps counts every model request of a turn, the llm.summarize
# request that sums up the turns left out included; the summary is made
# only when a request is left for the answer after it.
. "$(dirname "$0")/lib.sh"
. "$SRC/tests/fake/openai.sh"
fake_openai_start
cd "$NESTOR_HOME"
nestor assistant add small --base-url "$FAKE_URL" --model m --token-budget 400 --default > /dev/null
long=$(python3 -c 'print("word " * 120)')
fake_script '[{"say": "one"}]'
nestor ask "first: $long" > /dev/null
conv=$(nestor --json history list | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["id"])')
fake_script '[{"say": "two"}]'
nestor ask --conversation "$conv" "second: $long" > /dev/null
nestor config set llm.summarize true
summary='{"json": {"choices": [{"index": 0, "message": {"role": "assistant",
	"content": "Words, twice."}, "finish_reason": "stop"}]}}'
requests() { fake_py 'print(len(reqs))'; }
# steps N SCRIPT: llm.max_steps N, the fake's record emptied, SCRIPT queued
steps() {
	nestor config set llm.max_steps "$1"
	fake_call POST /_control '{"reset": true}' > /dev/null
	fake_script "$2"
}

# two requests allowed: the summary and a tool call use them up
steps 2 "[$summary, {\"calls\": [{\"name\": \"time_now\", \"arguments\": {}}]}, {\"say\": \"three\"}]"
out=$(nestor ask --conversation "$conv" "third" 2>&1) && fail "answered past llm.max_steps: $out"
expect_match "stopped" "$out" "did not answer within 2 requests \(llm.max_steps\)"
expect_eq "two requests" "$(requests)" 2

# one request allowed: no summary, the answer
steps 1 "[{\"say\": \"four\"}, $summary]"
expect_eq "answered" "$(nestor ask --conversation "$conv" "fourth" 2>&1)" "four"
expect_eq "one request" "$(requests)" 1
fake_py '
assert "Summary of the earlier" not in reqs[0]["json"]["messages"][0]["content"]
assert reqs[0]["json"]["messages"][-1]["content"] == "fourth"
'
# three: the summary, the call, the answer
steps 3 "[$summary, {\"calls\": [{\"name\": \"time_now\", \"arguments\": {}}]}, {\"say\": \"five\"}]"
expect_eq "answered in three" "$(nestor ask --conversation "$conv" "fifth" 2>&1)" "five"
expect_eq "three requests" "$(requests)" 3
fake_py 'assert reqs[1]["json"]["messages"][0]["content"].endswith("Summary of the earlier conversation: Words, twice.")'
echo ok
