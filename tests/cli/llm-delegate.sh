# ask_assistant against tests/fake/openai.py: no assistant is asked again
# down its own chain, llm.max_steps bounds the requests of the whole turn,
# a sub-assistant calls only what its callers may and its calls are shown;
# a turn that ends part-way says where what it did is kept.
. "$(dirname "$0")/lib.sh"
. "$SRC/tests/fake/openai.sh"
unset DBUS_SESSION_BUS_ADDRESS DISPLAY
export TZ=Europe/Berlin
fake_openai_start
nestor assistant add gpt --base-url "$FAKE_URL" --model fake-model --default > /dev/null
nestor assistant add evil --base-url "$FAKE_URL" --model evil-model > /dev/null
reset() { fake_call POST /_control '{"reset": true}' > /dev/null; }

# -- an assistant asking itself is refused, as a tool error the model reads
reset
fake_script '[{"calls": [{"name": "ask_assistant", "arguments": {"assistant": "evil", "question": "again"}}]},
 {"say": "I will answer myself."}]'
expect_eq "self ask" "$(nestor ask --assistant evil 'loop')" "I will answer myself."
fake_py '
assert len(reqs) == 2, len(reqs)
tool = reqs[1]["json"]["messages"][-1]
assert tool["role"] == "tool" and "already in this delegation (evil)" in tool["content"], tool
assert "evil" not in reqs[0]["json"]["messages"][0]["content"].split("ask_assistant:")[-1], "itself offered"
'
expect_eq "one conversation" "$(nestor --json history list | grep -c '"id"')" "1"

# -- a cycle: gpt asks evil, evil asks gpt back: refused
reset
fake_script '[{"calls": [{"name": "ask_assistant", "arguments": {"assistant": "evil", "question": "q"}}]},
 {"calls": [{"name": "ask_assistant", "arguments": {"assistant": "gpt", "question": "q back"}}]},
 {"say": "evil gives up"},
 {"say": "done"}]'
expect_eq "cycle" "$(nestor ask 'cycle')" "done"
fake_py '
assert len(reqs) == 4, len(reqs)
tool = reqs[2]["json"]["messages"][-1]
assert "already in this delegation (gpt -> evil)" in tool["content"], tool
'

# -- llm.max_steps counts every request of the turn, sub-assistants' too
nestor config set llm.max_steps 3
n0=$(nestor --json history list | grep -c '"id"')
reset
fake_script '[{"calls": [{"name": "ask_assistant", "arguments": {"assistant": "evil", "question": "time?"}}]},
 {"calls": [{"name": "time_now", "arguments": {}}]},
 {"calls": [{"name": "time_now", "arguments": {}}]},
 {"calls": [{"name": "time_now", "arguments": {}}]},
 {"calls": [{"name": "time_now", "arguments": {}}]},
 {"say": "never"}]'
set +e
nestor ask 'what time is it' > out.txt 2> err.txt; rc=$?
set -e
expect_eq "budget status" "$rc" "1"
expect_match "budget error" "$(cat err.txt)" "^nestor: ask: assistant 'gpt' did not answer within 3 requests \(llm.max_steps\) \(conversation [0-9]+\)$"
fake_py 'assert len(reqs) == 3, len(reqs)'
conv=$(sed 's/.*(conversation \([0-9]*\))$/\1/' err.txt)
expect_match "sub-assistant's budget" "$(nestor history show "$conv")" "the turn made 3 model requests, llm.max_steps, 2 of them this assistant's"
expect_eq "conversations" "$(nestor --json history list | grep -c '"id"')" "$((n0 + 2))"
nestor config set llm.max_steps 8

# -- a sub-assistant may not do what its caller may not: ro can list tasks
# and ask, gpt (all tools) asked by ro cannot delete
nestor task add "keep me" > /dev/null
nestor assistant add ro --base-url "$FAKE_URL" --model ro-model --tools task_list,ask_assistant > /dev/null
reset
fake_script '[{"calls": [{"name": "ask_assistant", "arguments": {"assistant": "gpt", "question": "delete task 1"}}]},
 {"calls": [{"name": "task_delete", "arguments": {"id": 1}}]},
 {"say": "I could not."},
 {"say": "It was not deleted."}]'
nestor --json ask --assistant ro 'tidy up' > ask.json
expect_match "task kept" "$(nestor task list)" "keep me"
python3 - ask.json <<'PY'
import json, sys
a = json.load(open(sys.argv[1]))
assert a["reply"] == "It was not deleted.", a
names = [c["name"] for c in a["tool_calls"]]
assert names == ["ask_assistant", "gpt -> task_delete"], names
assert "asked by 'ro', which may not call it" in a["tool_calls"][1]["result"]["error"], a
assert a["tool_calls"][0]["result"]["reply"] == "I could not.", a
PY
fake_py '
offered = sorted(t["function"]["name"] for t in reqs[1]["json"]["tools"])
assert offered == ["ask_assistant", "task_list"], offered
'

# -- a turn that ends part-way: the calls not run get a result, the group
# stays in the context, the error names the conversation
reset
fake_script '[{"calls": [{"name": "task_add", "arguments": {"title": "half1"}},
   {"name": "task_add", "arguments": "{bad"}, {"name": "task_add", "arguments": "{bad2"},
   {"name": "task_add", "arguments": {"title": "half2"}}]}]'
set +e
nestor --json ask 'add two' > fail.json 2> err.txt; rc=$?
set -e
expect_eq "part-way status" "$rc" "1"
expect_match "part-way error" "$(cat err.txt)" "not JSON again .* \(conversation [0-9]+\)$"
conv=$(python3 - fail.json <<'PY'
import json, sys
a = json.load(open(sys.argv[1]))
assert [c["arguments"].get("title") for c in a["tool_calls"]] == ["half1", None], a
assert "error" in a and a["code"] == 1, a
print(a["conversation"])
PY
)
expect_match "half1 stored" "$(nestor task list)" "half1"
nestor task list | grep -q half2 && fail "a call after the end ran"
reset
fake_script '[{"say": "half1 is there."}]'
expect_eq "next turn" "$(nestor ask --conversation "$conv" 'what did you add?')" "half1 is there."
fake_py '
msgs = reqs[0]["json"]["messages"]
calls = [m for m in msgs if m.get("tool_calls")]
assert len(calls) == 1 and len(calls[0]["tool_calls"]) == 4, msgs
results = [m["content"] for m in msgs if m["role"] == "tool"]
assert len(results) == 4 and "half1" in results[0], results
assert results[2] == results[3] == "{\"error\":\"not run: the turn ended\"}", results
'
echo "llm-delegate: ok"
