# A damaged database: every command says so in one line with where to look
# (RECOVERY in nestor(1)), exits 1, and leaves the file as it was.
. "$(dirname "$0")/lib.sh"
db=$NESTOR_HOME/nestor.db
for i in 1 2 3 4 5 6 7 8; do nestor task add "task $i" >/dev/null; done
sqlite3 "$db" 'PRAGMA wal_checkpoint(TRUNCATE)' >/dev/null
# the tasks' page overwritten, as a failing disk would
page=$(sqlite3 "$db" "SELECT rootpage FROM sqlite_schema WHERE name = 'tasks'")
head -c 4096 /dev/zero | tr '\000' '\377' |
	dd of="$db" bs=4096 seek=$((page - 1)) conv=notrunc 2>/dev/null
before=$(cksum < "$db")

for cmd in "task list" "task add milk"; do
	st=0
	# shellcheck disable=SC2086
	err=$(nestor $cmd 2>&1 >/dev/null) || st=$?
	expect_eq "$cmd: exit status" "$st" 1
	expect_match "$cmd: message" "$err" \
		"^nestor: $(echo "$cmd" | cut -d" " -f1-2): .*: '$db' is damaged \\(to recover it, see RECOVERY in nestor\\(1\\)\\)$"
done
expect_eq "the file untouched" "$(cksum < "$db")" "$before"

# the recovery RECOVERY in nestor(1) gives: what can be read (not the
# tasks), in a new file nestor opens and writes
cd "$NESTOR_HOME"
cp nestor.db nestor.db.damaged
{
	sqlite3 nestor.db.damaged .dump 2>/dev/null | sed 's/^ROLLBACK; -- due to errors$/COMMIT;/'
	echo "PRAGMA user_version = $(sqlite3 nestor.db.damaged 'PRAGMA user_version');"
} | sqlite3 nestor.db.new
expect_eq "recovered intact" "$(sqlite3 nestor.db.new 'PRAGMA integrity_check')" ok
mv nestor.db.new nestor.db
rm -f nestor.db-wal nestor.db-shm
expect_match "writable again" "$(nestor task add milk)" '^[0-9]+$'
expect_match "readable again" "$(nestor task list)" ' milk$'
