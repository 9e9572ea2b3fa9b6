# An API key kept in a real Secret Service reaches the server and nothing
# else: not the database, the config, the log, an error message, or the
# argv of any process while a request is in flight.
. "$(dirname "$0")/lib.sh"
in_keyring "$0"
. "$SRC/tests/fake/openai.sh"
fake_openai_start
KEY=sk-nestor-test-7f3c9a21e5
export NESTOR_LOG=debug

printf '%s\n' "$KEY" | nestor secret set openai > /dev/null
nestor assistant add gpt --base-url "$FAKE_URL" --model fake-model --key-secret openai \
	--default > /dev/null
nestor config set llm.timeout 30

# a request held open: look at every process's argv meanwhile
fake_script '[{"calls": [{"name": "task_add", "arguments": {"title": "pay rent"}}]},
              {"say": ["Added ", "the task."], "hold_after": 2}]'
"$NESTOR_BIN" ask "add pay rent" > out.txt 2> err.txt &
bg=$!
i=0
until grep -q "Added" out.txt 2>/dev/null; do
	i=$((i + 1)); [ $i -lt 200 ] || fail "no reply began: $(cat err.txt)"
	sleep 0.05
done
ps -eo pid,args ww > ps.txt
[ -s ps.txt ] || fail "ps printed nothing"
grep -q "ask add pay rent" ps.txt || fail "ps does not show the running nestor"
grep -F -- "$KEY" ps.txt && fail "the key is in the argv of a process"
tr '\0' ' ' < "/proc/$bg/cmdline" | grep -F -- "$KEY" && fail "the key is in nestor's argv"
fake_release
wait $bg || fail "ask failed: $(cat err.txt)"
expect_eq "reply" "$(cat out.txt)" "Added the task."

# the server did get the key, both times
fake_py '
assert len(reqs) == 2, reqs
assert all(r["headers"]["authorization"] == "Bearer sk-nestor-test-7f3c9a21e5" for r in reqs)
'

# a refusal whose message echoes the key: the error shows no key either
fake_script '[{"status": 401, "json": {"error": {"message": "Incorrect API key provided: sk-nestor-test-7f3c9a21e5"}}},
              {"status": 400, "json": {"error": {"message": "key sk-nestor-test-7f3c9a21e5 is over quota"}}}]'
set +e
nestor ask hello > out.txt 2> err.txt; rc=$?
nestor --json ask hello > out2.txt 2> err2.txt
set -e
expect_eq "401 status" "$rc" "1"
expect_match "401 message" "$(cat err.txt)" "the API key for assistant 'gpt' was refused"
expect_match "400 message" "$(cat err2.txt)" "key \*\*\* is over quota"

# now every file nestor wrote, raw bytes (the WAL too), and what it printed
[ -s "$NESTOR_HOME/nestor.log" ] || fail "no log written"
[ -s "$NESTOR_HOME/nestor.db" ] || fail "no database written"
[ -s "$NESTOR_HOME/config" ] || fail "no config written"
found=$(grep -a -r -l -F -- "$KEY" "$NESTOR_HOME" out.txt err.txt out2.txt err2.txt || true)
expect_eq "files holding the key" "$found" ""
sqlite3 "$NESTOR_HOME/nestor.db" .dump | grep -F -- "$KEY" && fail "the key is in the database"
# the secret's name is what the database keeps
expect_eq "stored reference" "$(sqlite3 "$NESTOR_HOME/nestor.db" "SELECT key_secret FROM assistants WHERE name = 'gpt'")" "openai"
