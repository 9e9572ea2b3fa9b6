# An MCP server over HTTP gives its Mcp-Session-Id at initialize, and
# nestor sends it back in a header of every later request.  The spec has
# it visible ASCII (0x21 to 0x7E): one with a CR in it (a header of the
# server's choosing in nestor's next request), another control character
# or a space, one over 1024 bytes, or an empty one (no header carries it)
# is refused: the server is unreachable,
# one line naming it says why, and no request carries the id.
. "$(dirname "$0")/lib.sh"
HERE=$(pwd)
FAKE_MCP=$SRC/tests/fake/mcpserver.py
hex() { printf '%s' "$1" | od -An -v -tx1 | tr -d ' \n'; }
PIDS=
trap 'kill $PIDS 2>/dev/null || true' EXIT

# serve NAME SID-BYTES: a fake server giving that id, added as NAME
serve() {
	python3 "$FAKE_MCP" --http --ppid $$ --sid "$(hex "$2")" --report "$HERE/$1.jsonl" >"$1.port" &
	PIDS="$PIDS $!"
	wait_until "the fake MCP server's port" grep -qs '^PORT ' "$1.port"
	nestor mcp add "$1" --url "http://127.0.0.1:$(awk '{print $2}' "$1.port")/mcp" >/dev/null
}

CR=$(printf '\r')
serve cr "abc${CR}X-Injected: yes"
serve tab "$(printf 'a\tb')"
serve space "a b"
serve long "$(printf '%01025d' 0)"
serve empty ""
serve max "$(printf '%01024d' 0)"
serve ok '!visible~ASCII#only'
nestor mcp list >list.txt 2>list.err || fail "mcp list exited $?: $(cat list.err)"

for s in cr tab space; do
	expect_eq "$s refused" "$(grep -A2 "^$s " list.txt | grep unreachable)" \
		"  unreachable: $s: its Mcp-Session-Id is not visible ASCII (0x21 to 0x7E)"
done
expect_eq "empty refused" "$(grep -A2 "^empty " list.txt | grep unreachable)" \
	"  unreachable: empty: its Mcp-Session-Id is empty"
expect_eq "long refused" "$(grep -A2 "^long " list.txt | grep unreachable)" \
	"  unreachable: long: its Mcp-Session-Id is over 1024 bytes"
expect_match "1024 bytes kept" "$(sed -n '/^max /,/^[a-z]/p' list.txt)" "max_echo"
expect_match "visible ASCII kept" "$(sed -n '/^ok /,/^[a-z]/p' list.txt)" "ok_echo"

# A refused server had initialize (nestor tries it again, once) and
# nothing else: no request carried its id.
for s in cr tab space long empty; do
	python3 - "$HERE/$s.jsonl" <<'PY' || fail "$s: requests after initialize: $(cat "$HERE/$s.jsonl")"
import json, sys
reqs = [json.loads(l) for l in open(sys.argv[1])]
assert 1 <= len(reqs) <= 2, reqs
for r in reqs:
    assert r["method"] == "POST", r
    assert not [k for k, v in r["headers"] if k.lower() in ("mcp-session-id", "x-injected")], r
PY
done
# The kept ones are sent back as given, and ended with a DELETE.
python3 - "$HERE/ok.jsonl" <<'PY' || fail "ok: $(cat "$HERE/ok.jsonl")"
import json, sys
reqs = [json.loads(l) for l in open(sys.argv[1])]
assert len(reqs) >= 3 and reqs[-1]["method"] == "DELETE", reqs
for r in reqs[1:]:
    assert [v for k, v in r["headers"] if k.lower() == "mcp-session-id"] == ["!visible~ASCII#only"], r
PY
echo ok
