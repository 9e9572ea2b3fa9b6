# Users of one server cannot see each other's rows (a PostgreSQL role per
# user, row-level security on every table); a role that bypasses it may not
# sync.  And with server.postgres unset nothing of this loads or runs: libpq
# is never mapped, no capture trigger exists, the outbox stays empty.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/pg.sh"
trap pg_stop EXIT

# --- unset: nothing loads, nothing is captured ---------------------------
mkdir -p "$NESTOR_HOME/plain"
LD_DEBUG=files on plain task add "offline only" 2>ld.out >/dev/null
LD_DEBUG=files on plain remind add "still offline" --at "2030-01-01 10:00" 2>>ld.out >/dev/null
LD_DEBUG=files on plain sync status 2>>ld.out >/dev/null
grep -q 'file=libcjson' ld.out || fail "LD_DEBUG shows no libraries at all"
if grep -q 'libpq' ld.out; then fail "libpq loaded with server.postgres unset: $(grep libpq ld.out | head -2)"; fi
db=$NESTOR_HOME/plain/nestor.db
expect_eq "no capture triggers" "$(sqlite3 "$db" "SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND name LIKE '%sync%'")" 0
expect_eq "empty outbox" "$(sqlite3 "$db" "SELECT count(*) FROM outbox")" 0
# a daemon without a server maps no libpq either
NESTOR_HOME=$NESTOR_HOME/plain "$NESTOR_BIN" daemon --foreground >/dev/null 2>&1 &
dpid=$!
t=0
until grep -q 'daemon started' "$NESTOR_HOME/plain/nestor.log" 2>/dev/null || [ $t -ge 300 ]; do
	sleep 0.1
	t=$((t + 1))
done
grep -q 'libcjson' "/proc/$dpid/maps" || fail "cannot read the daemon's maps"
if grep -q 'libpq' "/proc/$dpid/maps"; then fail "the daemon mapped libpq without a server"; fi
kill "$dpid"
wait "$dpid" 2>/dev/null || true

# --- two users, one server -------------------------------------------------
pg_start
admin
on admin user add alice >/dev/null
on admin user add bob >/dev/null
expect_eq "roles in nestor_users" \
	"$(pg_sql "SELECT string_agg(r.rolname, ',' ORDER BY r.rolname) FROM pg_auth_members m JOIN pg_roles r ON r.oid = m.member JOIN pg_roles g ON g.oid = m.roleid WHERE g.rolname = 'nestor_users'")" \
	"alice,bob"
device alice-laptop alice
device bob-phone bob
device alice-desk alice
on alice-laptop task add "alice's secret plan" >/dev/null
on alice-laptop ask "add task water the garden" >/dev/null
on alice-laptop assistant add coder --backend llm --base-url http://127.0.0.1:9/v1 \
	--model m --key-secret openai --prompt "be brief" >/dev/null
on alice-laptop remind add "alice's dentist" --at "2030-01-02 09:00" >/dev/null
on bob-phone task add "bob's groceries" >/dev/null
# the counter-check: with a server, sync does load libpq
LD_DEBUG=files on alice-laptop sync 2>ld2.out >/dev/null
grep -q 'libpq' ld2.out || fail "sync did not load libpq (is the check above meaningful?)"
on bob-phone sync >/dev/null
on alice-desk sync >/dev/null
on bob-phone sync >/dev/null

expect_match "alice's other device has her task" "$(on alice-desk task list)" "alice's secret plan"
# conversations, their messages and assistants travel too (a secret's name,
# never the secret)
expect_match "the task the assistant added" "$(on alice-desk task list)" "water the garden"
convs() {
	on "$1" history list --json | python3 -c '
import json, sys
c = json.load(sys.stdin)
print(len(c), c[0]["messages"] if c else 0, c[0]["title"] if c else "")'
}
expect_eq "conversation on the other device" "$(convs alice-desk)" "$(convs alice-laptop)"
expect_match "a conversation with its messages" "$(convs alice-desk)" "^1 [2-9]"
expect_match "its messages" "$(on alice-desk history show "$(on alice-desk history list --json | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["id"])')")" "water the garden"
a=$(on alice-desk assistant show coder --json | python3 -c '
import json, sys
a = json.load(sys.stdin)
print(a["backend"], a["model"], a["key_secret"], a["prompt"])')
expect_eq "assistant on the other device, its key left to that device" "$a" "llm m None be brief"
case $(on bob-phone history list; on bob-phone assistant list) in
*coder* | *garden*) fail "bob's device sees alice's conversation or assistant" ;;
esac
case $(on bob-phone task list --all; on bob-phone remind list --all) in
*alice*) fail "bob's device sees alice's data" ;;
esac
case $(on alice-desk task list --all) in
*bob*) fail "alice's device sees bob's data" ;;
esac
# the server itself: each role sees its own rows only, whatever the query
expect_eq "rows bob sees of alice" \
	"$(psql -X -At -U bob -d nestor -c "SELECT count(*) FROM nestor.objects WHERE owner = 'alice'")" 0
expect_eq "changes bob sees of alice" \
	"$(psql -X -At -U bob -d nestor -c "SELECT count(*) FROM nestor.changes WHERE owner <> 'bob'")" 0
expect_eq "bob's own tasks" \
	"$(psql -X -At -U bob -d nestor -c "SELECT string_agg(title, ',') FROM nestor.tasks")" \
	"bob's groceries"
expect_eq "every row has an owner" \
	"$(pg_sql "SELECT count(*) FROM nestor.objects WHERE owner NOT IN ('alice', 'bob')")" 0
if psql -X -At -U bob -d nestor -c "INSERT INTO nestor.changes(owner, change_id, device, gid, entity) VALUES ('alice', 'x', 'y', 'z', 'task')" >/dev/null 2>err; then
	fail "bob wrote a row as alice"
fi
expect_match "row-level security refused it" "$(cat err)" 'row-level security'
# every table of the schema has row-level security, forced
expect_eq "tables without forced RLS" \
	"$(pg_sql "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'nestor' AND c.relkind = 'r' AND NOT (c.relrowsecurity AND c.relforcerowsecurity)")" 0

# a server schema newer than this nestor is refused, by init and by sync
pg_sql "INSERT INTO nestor.schema_version VALUES (99)" >/dev/null
if on admin server init 2>err; then fail "server init took a newer schema"; fi
expect_match "init refuses" "$(cat err)" "schema version 99 is newer than this nestor knows"
if on alice-desk sync 2>err; then fail "sync took a newer schema"; fi
expect_match "sync refuses" "$(cat err)" "schema version 99 is newer"
pg_sql "DELETE FROM nestor.schema_version WHERE version = 99" >/dev/null
expect_eq "init again" "$(on admin server init)" "server schema is up to date (version 1)"

# a role that bypasses row-level security may not sync
pg_sql "CREATE ROLE carol LOGIN SUPERUSER" >/dev/null
device carol-box carol
if on carol-box sync >out 2>err; then fail "a superuser synced"; fi
expect_match "superuser refused" "$(cat err)" "role 'carol' bypasses row-level security"

# a user removed on the server keeps its rows there but can no longer log in
on admin user rm bob >out
expect_match "rm says so" "$(cat out)" "its role can no longer log in"
if psql -X -At -U bob -d nestor -c "SELECT 1" >/dev/null 2>err; then fail "bob still logs in"; fi
expect_match "login refused" "$(cat err)" 'not permitted to log in'
expect_eq "bob's rows stay" "$(pg_sql "SELECT count(*) > 0 FROM nestor.objects WHERE owner = 'bob'")" t
