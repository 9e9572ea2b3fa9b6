# An MCP server's key, given by a secret's name: a stdio server gets it in
# a variable of its environment (mcp add --env VAR=SECRET), an HTTP server
# in a header of every request (--header NAME=SECRET, --bearer SECRET).
# The value, read from the Secret Service (or a NESTOR_SECRET_* variable)
# when the server is used, reaches the server and nowhere else: not the
# database, not mcp list, not the log, not the server's command line.  A
# missing secret is one line naming the server and the secret, and the
# server is left out.  Runs itself again with a real Secret Service.
. "$(dirname "$0")/lib.sh"
in_keyring "$0"
. "$SRC/tests/fake/openai.sh"
NESTOR_LOG=debug
export NESTOR_LOG
HERE=$(pwd)
FAKE_MCP=$SRC/tests/fake/mcpserver.py
REPORT=$HERE/report.jsonl
printf 'gh-S3CR3T-5a1f' | nestor secret set gh-token >/dev/null
printf 'web-S3CR3T-93c2' | nestor secret set web-key >/dev/null
printf 'tok-S3CR3T-77d0' | nestor secret set web-token >/dev/null

# -- a stdio server: the variables, its own environment kept, the
# NESTOR_SECRET_* variables left out (their values may still be given)
NESTOR_SECRET_FROM_ENV=env-S3CR3T-0b4e nestor mcp add gh --env GITHUB_TOKEN=gh-token \
	--env OTHER_KEY=from-env \
	-- python3 "$FAKE_MCP" --report "$REPORT" > out
expect_eq "add" "$(cat out)" "MCP server 'gh' added"
GITHUB_TOKEN=stale NESTOR_SECRET_FROM_ENV=env-S3CR3T-0b4e MARK=kept nestor mcp list > list.txt
expect_match "the server answered" "$(cat list.txt)" "gh_echo"
python3 - "$REPORT" <<'EOF' || fail "the stdio server's environment: $(cat "$REPORT")"
import json, sys
r = json.loads(open(sys.argv[1]).readline())
env = r["environ"]
assert [v for v in env if v.startswith("GITHUB_TOKEN=")] == ["GITHUB_TOKEN=gh-S3CR3T-5a1f"], env
assert "OTHER_KEY=env-S3CR3T-0b4e" in env and "MARK=kept" in env, env
assert not [v for v in env if v.startswith("NESTOR_SECRET_")], env
assert not [a for a in r["argv"] if "S3CR3T" in a], r["argv"]
EOF
expect_eq "list: the names" "$(sed -n '/^gh /,/^  gh_/p' list.txt | grep '^  env')" \
	"$(printf "  env GITHUB_TOKEN from secret 'gh-token'\n  env OTHER_KEY from secret 'from-env'")"

# -- an HTTP server: the headers, on every request, the DELETE included
python3 "$FAKE_MCP" --http --ppid $$ --report "$HERE/http.jsonl" > port &
wait_until "the fake MCP server's port" grep -qs '^PORT ' port
URL=http://127.0.0.1:$(awk '{print $2}' port)/mcp
nestor mcp add web --url "$URL" --header X-Api-Key=web-key --bearer web-token > /dev/null
nestor mcp list > list.txt
expect_match "web answered" "$(cat list.txt)" "web_echo"
expect_eq "list: the headers" "$(sed -n '/^web /,$p' list.txt | grep '^  header')" \
	"$(printf "  header X-Api-Key: from secret 'web-key'\n  header Authorization: Bearer from secret 'web-token'")"
python3 - "$HERE/http.jsonl" <<'EOF' || fail "the HTTP server's headers: $(cat "$HERE/http.jsonl")"
import json, sys
reqs = [json.loads(l) for l in open(sys.argv[1])]
assert len(reqs) >= 4 and reqs[-1]["method"] == "DELETE", reqs
for r in reqs:
    h = [(k.lower(), v) for k, v in r["headers"]]
    assert [v for k, v in h if k == "x-api-key"] == ["web-S3CR3T-93c2"], r
    assert [v for k, v in h if k == "authorization"] == ["Bearer tok-S3CR3T-77d0"], r
EOF

# -- a secret missing: one line naming the server, what and the secret;
# the other servers still listed; an assistant's turn leaves the server
# out (the log says why) and calls the others' tools, their secrets given
NESTOR_SECRET_ABSENT=gone-S3CR3T-e1 nestor mcp add nokey --env API_KEY=absent \
	-- python3 "$FAKE_MCP" > /dev/null
nestor mcp list > list.txt
expect_eq "missing secret" "$(grep -A2 '^nokey ' list.txt | tail -1)" \
	"  unreachable: nokey: variable API_KEY: no secret named 'absent' (store it with 'nestor secret set absent' or set NESTOR_SECRET_ABSENT)"
expect_match "the rest listed" "$(cat list.txt)" "web_echo"

fake_openai_start
nestor assistant add gpt --base-url "$FAKE_URL" --model m --default \
	--tools mcp:gh:echo,mcp:web:echo,mcp:nokey > /dev/null
fake_script '[{"calls": [{"name": "gh_echo", "arguments": {"text": "a"}},
	{"name": "web_echo", "arguments": {"text": "b"}}]}, {"say": "Done."}]'
NESTOR_SECRET_FROM_ENV=env-S3CR3T-0b4e nestor --json ask --yes "echo" > ask.json 2> ask.err
python3 - ask.json <<'EOF' || fail "the turn: $(cat ask.json ask.err)"
import json, sys
r = [c["result"] for c in json.load(open(sys.argv[1]))["tool_calls"]]
assert r == [{"echo": "a"}, {"echo": "b"}], r
EOF
fake_py '
names = sorted(t["function"]["name"] for t in reqs[0]["json"]["tools"])
assert names == ["gh_echo", "web_echo"], names
'
LOGF=$(find "$NESTOR_HOME" -name nestor.log)
expect_eq "logged, one line" \
	"$(grep -c "mcp: nokey: variable API_KEY: no secret named 'absent'" "$LOGF")" 1

# -- the names only, everywhere nestor keeps or shows something
nestor --json mcp list > list.json
python3 - list.json <<'EOF' || fail "mcp list --json: $(cat list.json)"
import json, sys
d = {s["name"]: s for s in json.load(open(sys.argv[1]))}
assert d["gh"]["env"] == [{"name": "GITHUB_TOKEN", "secret": "gh-token"},
                          {"name": "OTHER_KEY", "secret": "from-env"}], d["gh"]
assert d["gh"]["headers"] == [] and d["web"]["env"] == [], d
assert d["web"]["headers"] == [{"name": "X-Api-Key", "secret": "web-key", "bearer": False},
                               {"name": "Authorization", "secret": "web-token", "bearer": True}], d
EOF
DB=$(find "$NESTOR_HOME" -name '*.db' | head -1)
[ -n "$DB" ] || fail "no database under $NESTOR_HOME"
sqlite3 "$DB" .dump > dump.sql
grep -q gh-token dump.sql || fail "the secret's name is not in the database"
grep -rl S3CR3T dump.sql list.json list.txt ask.json ask.err "$NESTOR_HOME" && fail "a secret's value was kept or shown"

# -- what is refused, and not kept
bad() { # WANT ARGS...: mcp add ARGS fails with WANT
	want=$1
	shift
	if nestor mcp add x "$@" 2> err; then fail "mcp add took $*"; fi
	expect_eq "mcp add $*" "$(cat err)" "nestor: mcp add: $want"
}
bad "variable 'LD_PRELOAD' refused: NESTOR_* and LD_* are not a server's to get" \
	--env LD_PRELOAD=gh-token -- true
bad "variable 'NESTOR_DB' refused: NESTOR_* and LD_* are not a server's to get" \
	--env NESTOR_DB=gh-token -- true
bad "bad variable name '1A': letters, digits and _, not first a digit" --env 1A=gh-token -- true
bad "--env \"A\": VAR=SECRET expected" --env A -- true
need="store the key with 'nestor secret set NAME' first and give NAME"
notname="not a secret's name (1-64 letters, digits, '_', '.', '-')"
bad "--env \"A\": $notname: $need" --env A=a/b -- true
# the key itself given for a secret's name: refused, and not echoed
bad "--bearer: no secret by that name: $need" --bearer sk-proj-AbC123def456 --url "$URL"
bad "--header \"X-Api-Key\": $notname: $need" --header "X-Api-Key=sk-proj+AbC/123=" --url "$URL"
bad "--env \"API_KEY\": no secret by that name: $need" --env API_KEY=sk-AbC123 -- true
bad "variable 'A' given twice" --env A=gh-token --env A=web-key -- true
bad "--env is for a server nestor starts (-- COMMAND)" --env A=gh-token --url "$URL"
bad "--header is for a server at a URL (--url)" --header A=gh-token -- true
bad "bad header name 'X Key': letters, digits and !#\$%&'*+-.^_\`|~" \
	--header "X Key=web-key" --url "$URL"
bad "header 'mcp-session-id' is nestor's to send" --header mcp-session-id=web-key --url "$URL"
bad "header 'authorization' given twice" --bearer web-token --header authorization=web-key \
	--url "$URL"
# a secret in the command's arguments would be kept in the database: an
# option naming one with a value, or a value of a key's form, is refused,
# naming the argument and not the value
how="give it with --env VAR=SECRET (the nestor secret SECRET, set by 'nestor secret set SECRET', in the server's VAR) instead"
bad "argument 2 of the command, the value of --api-key, is a secret: $how" \
	-- srv --api-key sk-AbC123def456ghi789jkl012
bad "argument 1 of the command (--Auth_Token) holds a secret: $how" -- srv --Auth_Token=abc
bad "argument 2 of the command, the value of -password, is a secret: $how" -- srv -password hunter2
bad "argument 2 of the command looks like a key (sk-, ghp_, xoxb-, xoxp-): $how" \
	-- srv x "Bearer ghp_AbC123def456ghi789jkl012"
bad "argument 1 of the command looks like a key (sk-, ghp_, xoxb-, xoxp-): $how" \
	-- srv --header=xoxb-1234567890-abc
expect_eq "nothing kept" "$(nestor --json mcp list | grep -c '"name":	"x"')" 0
# a file holding a key, a flag, words that only look like one: kept
expect_eq "a token file" "$(nestor mcp add tf -- srv --token-file /run/key --no-auth --author bob --keyboard us --key)" \
	"MCP server 'tf' added"
nestor mcp rm tf >/dev/null
expect_eq "options about keys, not keys" "$(nestor mcp add ok -- srv --max-tokens 4096 --auth-type bearer \
	--auth none --primary-key id --api-key-env OPENAI_API_KEY --hotkey ctrl+k \
	--token-url https://127.0.0.1/t --secret-name prod/db --auth-timeout 60)" "MCP server 'ok' added"
nestor mcp rm ok >/dev/null
bad "argument 2 of the command, the value of --client-secret, is a secret: $how" \
	-- srv --client-secret abc
bad "argument 1 of the command (--accessToken) holds a secret: $how" -- srv --accessToken=abc
echo ok
