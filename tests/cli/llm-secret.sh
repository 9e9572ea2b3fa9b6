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
wait_until -s 'cat err.txt' "a reply to begin" grep -qs "Added" out.txt
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

# the key echoed where a fixed-size message cuts it: no start of it is left
# (the error.message kept to 255 bytes, the raw-body excerpt to 160, the
# error object in a stream, and one in a plain JSON answer)
PAD=$(printf '%0240d' 0)
fake_script "[{\"status\": 400, \"json\": {\"error\": {\"message\": \"$PAD $KEY\"}}},
              {\"status\": 400, \"json\": {\"detail\": \"$(printf '%0135d' 0) $KEY\"}},
              {\"stream\": [{\"error\": {\"message\": \"$PAD $KEY\"}}]},
              {\"json\": {\"error\": {\"message\": \"$(printf %0220d 0) $KEY\"}}}]"
set +e
nestor ask hello > cut1.txt 2> cut1.err
nestor ask hello > cut2.txt 2> cut2.err
nestor ask hello > cut3.txt 2> cut3.err
nestor config set llm.stream false
nestor ask hello > cut4.txt 2> cut4.err
set -e
nestor config set llm.stream true
expect_match "cut error.message" "$(cat cut1.err)" "HTTP 400: 0000"
expect_match "cut excerpt" "$(cat cut2.err)" "HTTP 400: {\"detail\": \"0000"
expect_match "cut stream error" "$(cat cut3.err)" "the server reported: 0000"
expect_match "cut answer error" "$(cat cut4.err)" "the server reported: 0000"
PREFIX=$(printf %s "$KEY" | cut -c1-8)
found=$(grep -a -l -F -- "$PREFIX" "$NESTOR_HOME/nestor.log" cut*.txt cut*.err || true)
expect_eq "files holding the key's first 8 characters" "$found" ""

# now every file nestor wrote, raw bytes (the WAL too), and what it printed
[ -s "$NESTOR_HOME/nestor.log" ] || fail "no log written"
[ -s "$NESTOR_HOME/nestor.db" ] || fail "no database written"
[ -s "$NESTOR_HOME/config" ] || fail "no config written"
found=$(grep -a -r -l -F -- "$KEY" "$NESTOR_HOME" out.txt err.txt out2.txt err2.txt || true)
expect_eq "files holding the key" "$found" ""
sqlite3 "$NESTOR_HOME/nestor.db" .dump | grep -F -- "$KEY" && fail "the key is in the database"
# the secret's name is what the database keeps
expect_eq "stored reference" "$(sqlite3 "$NESTOR_HOME/nestor.db" "SELECT key_secret FROM assistants WHERE name = 'gpt'")" "openai"
