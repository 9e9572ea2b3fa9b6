# A device's name is what other devices show, so it is held to one line of
# text: config set refuses a name with a control character or longer than
# 64 bytes, saying which key and why.  A peer's name on the server that is
# not such a line (written there by hand, by an older nestor, by a hostile
# program) is cleaned where it is read: the pull goes on, and the conflicts
# name the device without its control characters, cut between characters.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/pg.sh"
. "$(dirname "$0")/synccase.sh"
trap pg_stop EXIT
pg_start
admin
on admin user add alice >/dev/null
device a
device b
on a task add "hello" >/dev/null
on a sync >/dev/null
on b sync >/dev/null

# this device's own name
if on a config set server.device "$(printf 'lap\ttop')" 2>err; then
	fail "a name with a tab was taken"
fi
expect_eq "tab refused" "$(cat err)" \
	"nestor: config set: server.device: control character U+0009 (byte 4)"
if on a config set server.device "$(python3 -c 'print("x" * 63 + "\u00e9")')" 2>err; then
	fail "a name of 65 bytes was taken"
fi
expect_eq "long name refused" "$(cat err)" \
	"nestor: config set: server.device: too long (65 bytes, at most 64)"
expect_eq "name kept" "$(on a config get server.device)" a

# B edits, A edits the same title later and pushes: B's edit loses to
# A's, which reaches B under the name the server holds for A
on b task edit "$(id_of b hello)" --title "B's title" >/dev/null
on a task edit "$(id_of a hello)" --title "A's title" >/dev/null
on a sync >/dev/null
pg_sql "UPDATE nestor.devices SET name = E'lap\\ttop\\u009b31m\\u001b[2J\\u0085'
	|| repeat('x', 50) || E'\\u00e9' WHERE name = 'a'"
expect_eq "hostile name stored" "$(pg_sql "SELECT octet_length(name) FROM nestor.devices
	WHERE name LIKE 'lap%'")" 70

on b sync >out 2>err || fail "B's pull refused a change for A's name: $(cat err)"
expect_eq "B pulled" "$(cat out)" "pushed 1, pulled 1 (1 applied, 1 conflicts: nestor sync conflicts)"
expect_eq "A's title on B" "$(on b task list --json | python3 -c '
import json, sys
print(json.load(sys.stdin)[0]["title"])')" "A's title"
want="lap top31m[2J $(python3 -c 'print("x" * 50)')"
expect_eq "conflict names A cleaned" "$(on b sync conflicts --json | python3 -c '
import json, sys
print(json.load(sys.stdin)[0]["device"])')" "$want"
on b sync conflicts >out
case $(cat out) in
*"from $want replaced yours, \"B's title\""*) ;;
*) fail "conflict line: $(cat out)" ;;
esac
if LC_ALL=C grep -q "$(printf '[\001-\037\177]')" out ||
	python3 -c 'import sys; sys.exit(not any(0x80 <= ord(c) <= 0x9f for c in open(sys.argv[1]).read()))' out; then
	fail "a control character reached the terminal: $(od -c out | head)"
fi
on b sync >/dev/null || fail "B's next pull failed"
