# The server killed in the middle of a push and in the middle of a pull
# (a relay, tests/fake/tcpcut.py, stops the conversation half-way, then the
# server is killed at once): after it restarts, nothing is lost and nothing
# is stored twice, on the server or on either device.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/pg.sh"
N=3000
cut_pid=
cleanup() {
	[ -z "$cut_pid" ] || kill "$cut_pid" 2>/dev/null || true
	pg_stop
}
trap cleanup EXIT INT TERM
pg_start
admin
on admin user add alice >/dev/null
device a
device b

# cut_start DIRECTION BYTES: a relay to the server that holds after BYTES;
# sets CUT_URI
cut_start() {
	[ -z "$cut_pid" ] || kill "$cut_pid"
	rm -f cut.state cut.release cut.port
	python3 "$SRC/tests/fake/tcpcut.py" --ppid $$ --upstream "$PGPORT" --direction "$1" \
		--after "$2" --state cut.state --release cut.release > cut.port &
	cut_pid=$!
	t=0
	until grep -q '^PORT ' cut.port 2>/dev/null; do
		t=$((t + 1))
		[ $t -lt 200 ] || fail "the relay did not start"
		sleep 0.05
	done
	CUT_URI="postgresql://127.0.0.1:$(awk '{print $2}' cut.port)/nestor"
}
# crash DEVICE: sync DEVICE through the relay; when it holds, kill the
# server, let the relay drop the connection; the sync must fail
crash() {
	on "$1" config set server.postgres "$CUT_URI" >/dev/null
	on "$1" sync >"$1.sync.out" 2>"$1.sync.err" &
	spid=$!
	t=0
	until [ -e cut.state ]; do
		t=$((t + 1))
		[ $t -lt 1200 ] || fail "the relay never held"
		kill -0 "$spid" 2>/dev/null || fail "sync ended before the cut: $(cat "$1.sync.out")"
		sleep 0.05
	done
	pg_kill
	touch cut.release
	if wait "$spid"; then fail "$1: sync succeeded through a killed server"; fi
	expect_match "$1: the error" "$(cat "$1.sync.err")" '^nestor: sync: server: '
	on "$1" config set server.postgres "$PGURI" >/dev/null
	pg_up
}
tasks_on() { on "$1" task list --all --json | grep -c '"title"'; }
server_tasks() { pg_sql "SELECT count(*) FROM nestor.objects WHERE entity = 'task'"; }

# N tasks on a before its first sync: they go as one snapshot, in batches
sqlite3 "$NESTOR_HOME/a/nestor.db" "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL
	SELECT i + 1 FROM n WHERE i < $N) INSERT INTO tasks(title, notes, priority, created_at)
	SELECT 'task ' || i, 'notes of task ' || i, i % 10, 1790000000 + i FROM n"
on a config set server.batch 200 >/dev/null
on b config set server.batch 200 >/dev/null

# --- killed in the middle of a push --------------------------------------
cut_start c2s 250000
crash a
stored=$(server_tasks)
[ "$stored" -gt 0 ] && [ "$stored" -lt $N ] || fail "the push was not cut half-way ($stored of $N stored)"
on a sync >/dev/null
expect_eq "tasks on the server" "$(server_tasks)" $N
expect_eq "task changes stored once" \
	"$(pg_sql "SELECT count(*) - count(DISTINCT gid) FROM nestor.changes WHERE entity = 'task'")" 0
expect_eq "a's outbox" "$(on a sync status --json | grep -c '"pending":[[:space:]]*0')" 1

# --- killed in the middle of a pull --------------------------------------
cut_start s2c 250000
crash b
got=$(tasks_on b)
[ "$got" -gt 0 ] && [ "$got" -lt $N ] || fail "the pull was not cut half-way ($got of $N applied)"
on b sync >/dev/null
expect_eq "tasks on b" "$(tasks_on b)" $N
expect_eq "tasks on a" "$(tasks_on a)" $N
# contents: the same rows on both, every field but the local id
strip() {
	python3 -c '
import json, sys
print(json.dumps(sorted(({k: v for k, v in t.items() if k != "id"} for t in json.load(sys.stdin)),
                        key=lambda t: t["title"]), indent=0))'
}
on a task list --all --json | strip > a.tasks
on b task list --all --json | strip > b.tasks
cmp -s a.tasks b.tasks || fail "the devices differ: $(diff a.tasks b.tasks | head -10)"
expect_eq "distinct titles on b" "$(grep -c '"title": "task ' b.tasks)" $N
grep -q '"notes": "notes of task 1234"' b.tasks || fail "a task lost its notes"
# after a round on each, one more moves nothing
on a sync >/dev/null
expect_eq "quiet afterwards" "$(on b sync; on a sync)" "pushed 0, pulled 0 (0 applied)
pushed 0, pulled 0 (0 applied)"
echo "push cut after $stored of $N tasks stored; pull cut after $got of $N applied"
