# What a device takes from the others through a real PostgreSQL: changes
# forged straight into the server's table (as a peer of the same user may
# write them) are held to what this device allows.
#  - an assistant's key is this device's choice: a pulled change that moves
#    its address leaves it without a key, and names no secret here.
#  - a version whose clock is far ahead is refused and does not stop this
#    device's clock: its later edits still reach the other devices.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/pg.sh"
. "$SRC/tests/fake/openai.sh"
fake_openai_start
trap 'pg_stop; kill $FAKE_PID 2>/dev/null; rm -rf "$FAKE_DIR"' EXIT
pg_start
admin
on admin user add alice >/dev/null
device a
device b
on a assistant add coder --backend llm --base-url http://127.0.0.1:9/v1 --model m \
	--key-secret openai --default >/dev/null
on a sync >/dev/null
on b sync >/dev/null
expect_eq "no key_secret goes to the server" \
	"$(pg_sql "SELECT count(*) FROM nestor.changes WHERE data ? 'key_secret'")" 0
key() { on "$1" assistant show coder --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["key_secret"])'; }
expect_eq "a pulled assistant comes without a key" "$(key b)" None
on b assistant edit coder --key-secret openai >/dev/null
on b sync >/dev/null
expect_eq "a key named here stays here" \
	"$(pg_sql "SELECT count(*) FROM nestor.changes WHERE data ? 'key_secret'")" 0
expect_eq "the key named here" "$(key b)" openai

# forge a change of device deadbeef, newer than anything b has
n=0
forge() { # GID ENTITY DATA FIELD... (each field gets the version $V)
	n=$((n + 1))
	_g=$1 _e=$2 _d=$3
	shift 3
	_v=$(python3 -c 'import json,sys; print(json.dumps({k: sys.argv[1] for k in sys.argv[2:]}))' "$V" "$@")
	psql -X -q -At -U alice -d nestor -c "INSERT INTO nestor.changes(change_id, device, gid,
		entity, data, vers, base) VALUES ('forged$n', 'deadbeef', '$_g', '$_e', '$_d', '$_v', '{}')"
}
next_version() {
	V=$(printf '%016x@deadbeef' $(($(sqlite3 "$NESTOR_HOME/b/nestor.db" "SELECT hlc FROM sync_self") + 1)))
}
AG=$(sqlite3 "$NESTOR_HOME/b/nestor.db" "SELECT gid FROM assistants WHERE name = 'coder'")
next_version
forge "$AG" assistant "{\"base_url\":\"$FAKE_URL\",\"key_secret\":\"postgres\"}" base_url key_secret
out=$(on b sync)
expect_match "the sync names the assistant left without a key" "$out" \
	"^assistant coder was given a new address by another device: it sends no key here"
expect_match "the change applied" "$out" "pulled 1 \(1 applied\)"
expect_eq "its key is gone" "$(key b)" None
expect_eq "its new address" "$(on b assistant show coder --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["base_url"])')" "$FAKE_URL"
fake_script '[{"say": "hi"}]'
NESTOR_SECRET_POSTGRES=pg-s3cret NESTOR_SECRET_OPENAI=sk-openai on b ask --assistant coder "hello" >/dev/null ||
	fail "ask on b"
expect_eq "no key is sent to the new address" \
	"$(fake_py 'print([r["headers"].get("authorization") for r in reqs])')" "[None]"

# a version at the clock's end
on a task add "hello" >/dev/null
on a sync >/dev/null
on b sync >/dev/null
TG=$(sqlite3 "$NESTOR_HOME/b/nestor.db" "SELECT gid FROM tasks WHERE title = 'hello'")
V=ffffffffffffffff@deadbeef
forge "$TG" task '{"title":"frozen"}' title
expect_match "a version from the future is refused" "$(on b sync)" \
	"refused 1 invalid changes, the first: field 'title' has a version from the future"
for i in 1 2 3; do
	on b task edit 1 --notes "note $i" >/dev/null
	on b sync >/dev/null
	on a sync >/dev/null
	expect_eq "edit $i of b reaches a" "$(on a task list --json | python3 -c '
import json, sys
print([(t["title"], t["notes"]) for t in json.load(sys.stdin)])')" "[('hello', 'note $i')]"
done
expect_eq "b's clock stays an integer" \
	"$(sqlite3 "$NESTOR_HOME/b/nestor.db" "SELECT typeof(hlc), hlc < 4611686018427387904 FROM sync_self")" "integer|1"
