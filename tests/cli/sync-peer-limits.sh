# What a device takes from the others through a real PostgreSQL: changes
# forged straight into the server's table (as a peer of the same user may
# write them) are held to what this device allows.
#  - an assistant's key is this device's choice: a pulled change that moves
#    its address leaves it without a key, and names no secret here.
#  - a change whose version is far ahead (a device whose clock an older
#    nestor moved ahead, or a forged one) is taken, but does not move this
#    device's clock: its later edits still reach the other devices; one
#    whose clock no honest device reaches (2^62 and past) is refused.
#  - an event or a task a write here would refuse is refused, but not for
#    a zone that does not open here (an imported VTIMEZONE); and a series
#    or an event in a zone that does not open, already in a store, is left
#    out of the agenda and the export with a warning, not the end of them.
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
for V in 7fffffffffffffff@deadbeef ffffffffffffffff@deadbeef; do
	forge "$TG" task '{"title":"forged"}' title
	out=$(on b sync)
	expect_match "a clock no honest device reaches is refused ($V)" "$out" "pulled 1 \(0 applied\)"
	expect_match "and named ($V)" "$out" "refused 1 invalid change.*field 'title' has a bad version"
done
# ten years ahead of now
V=$(sqlite3 "$NESTOR_HOME/b/nestor.db" "SELECT printf('%016x@deadbeef',
	(CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER) + 315576000000) << 16)")
forge "$TG" task '{"title":"far ahead"}' title
expect_match "a version far ahead is taken" "$(on b sync)" "pulled 1 \(1 applied\)"
tasks() { on "$1" task list --json | python3 -c '
import json, sys
print([(t["title"], t["notes"]) for t in json.load(sys.stdin)])'; }
for i in 1 2 3; do
	on b task edit 1 --notes "note $i" >/dev/null
	on b sync >/dev/null
	on a sync >/dev/null
	expect_eq "edit $i of b reaches a" "$(tasks a)" "[('far ahead', 'note $i')]"
done
expect_eq "b's clock did not follow it" \
	"$(sqlite3 "$NESTOR_HOME/b/nestor.db" "SELECT typeof(hlc), hlc < 4611686018427387904 FROM sync_self")" "integer|1"
on b task edit 1 --title "renamed on b" >/dev/null
on b sync >/dev/null
on a sync >/dev/null
expect_eq "an edit of b wins over the version far ahead" "$(tasks a)" "[('renamed on b', 'note 3')]"

# a device whose clock an older nestor moved two days ahead
sqlite3 "$NESTOR_HOME/a/nestor.db" "UPDATE sync_self SET
	hlc = (CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER) + 172800000) << 16"
on a task add "from ahead" >/dev/null
out=$(on a sync)
expect_match "its clock comes back at the sync" \
	"$(sqlite3 "$NESTOR_HOME/a/nestor.db" "SELECT hlc < (CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER) + 90000000) << 16 FROM sync_self")" "^1$"
expect_match "its edit reaches b" "$(on b sync)" "pulled 1 \(1 applied\)"
on a task edit 2 --notes "later" >/dev/null
on a sync >/dev/null
on b sync >/dev/null
expect_eq "and its next one too" "$(tasks b)" "[('renamed on b', 'note 3'), ('from ahead', 'later')]"

# events and tasks a write here would refuse
on a event add "meeting" --at "2026-06-02 10:00" >/dev/null
on a sync >/dev/null
on b sync >/dev/null
CG=$(sqlite3 "$NESTOR_HOME/b/nestor.db" "SELECT gid FROM calendars WHERE name = 'personal'")
next_version
ev() { # N DATA
	forge "99999999-0000-4000-8000-00000000000$1" event "{\"summary\":\"bad $1\",\"calendar_id\":\"$CG\",$2}" \
		summary calendar_id $(printf '%s' "$2" | python3 -c 'import json,sys; print(" ".join(json.loads("{" + sys.stdin.read() + "}")))')
}
ev 1 '"start":1000000000000000000,"end":1000000000000003600'
ev 4 '"start":1780390800,"end":1780394400,"rrule":"garbage;;"'
ev 5 '"start":1780394400,"end":1780390800'
forge 99999999-0000-4000-8000-000000000006 task '{"title":"bad 6","priority":50}' title priority
forge 99999999-0000-4000-8000-000000000007 task "{\"title\":\"bad 7 $(printf '%01100d' 0)\"}" title
out=$(on b sync)
expect_match "each refused" "$out" "pulled 5 \(0 applied\)"
expect_match "each refused, the first named" "$out" "refused 5 invalid changes, the first: event: an event must lie in the years 1-9999"
expect_eq "none stored" "$(sqlite3 "$NESTOR_HOME/b/nestor.db" "SELECT count(*) FROM events WHERE summary LIKE 'bad%'; SELECT count(*) FROM tasks WHERE title LIKE 'bad%'")" "0
0"

# events in a zone only their file's VTIMEZONE defines (those zones are
# not synced): taken, and left out of b's agenda with a warning
on a import "$SRC/tests/data/custom-zone.ics" >/dev/null
on a sync >/dev/null
out=$(on b sync)
expect_match "the events of a custom zone arrive (and their alarms)" "$out" "pulled 4 \(4 applied\)$"
expect_eq "both stored" "$(sqlite3 "$NESTOR_HOME/b/nestor.db" "SELECT count(*) FROM events WHERE tzid = 'Custom/Berlin-ish'")" 2
out=$(on b agenda --from 2027-03-08 --to 2027-03-09 2>err) || fail "agenda: $(cat err)"
expect_match "b says which series it leaves out" "$(cat err)" \
	'event [0-9]+: unknown time zone "Custom/Berlin-ish"; the series is left out'
expect_match "a shows it" "$(on a agenda --from 2027-03-08 --to 2027-03-09)" "Standup"

# a store that holds them already (an older nestor pulled them)
sqlite3 "$NESTOR_HOME/b/nestor.db" "INSERT INTO events(uid, summary, start, \"end\", tzid, rrule, updated_at)
	VALUES ('old-series', 'old series', 1780390800, 1780394400, 'Bogus/Zone', 'FREQ=DAILY', 0),
	('old-single', 'old single', 1780390800, 1780394400, 'Bogus/Zone', NULL, 0)"
out=$(on b agenda --from 2026-06-01 --to 2026-06-07 2>err) || fail "agenda: $(cat err)"
expect_match "the agenda still shows the others" "$out" "meeting"
expect_match "and says which series it left out" "$(cat err)" 'event [0-9]+: unknown time zone "Bogus/Zone"; the series is left out'
out=$(on b export 2>err) || fail "export: $(cat err)"
expect_match "the export still has the others" "$out" "SUMMARY:meeting"
expect_match "and says which event it left out" "$(cat err)" 'event [0-9]+: unknown time zone "Bogus/Zone"; it is left out of the export'
