# A full disk: the database on a 2 MiB tmpfs, mounted in a private mount
# namespace (unshare -m, or -rm without root) so nothing outlives the test.
# Writes fail with one clear line, logged; what was written stays readable
# and intact, and nestor works again once there is room.
. "$(dirname "$0")/lib.sh"
dir=$NESTOR_HOME
full=$dir/full
mkdir "$full"

cat > "$dir/fill.sh" <<'SH'
set -u
mount -t tmpfs -o size=2m tmpfs "$FULL" || exit 77
db="$FULL/nestor.db"
nestor() { "$NESTOR_BIN" --db "$db" "$@"; }
notes=$(head -c 60000 /dev/zero | tr '\000' n)
head -c 200000 /dev/zero > "$FULL/ballast"
i=0
while [ $i -lt 100 ]; do
	nestor task add "task $i" --notes "$notes" >/dev/null 2>"$FULL/../err" || break
	i=$((i + 1))
done
echo "$i" > "$FULL/../added"
echo "$?" > "$FULL/../status"
nestor task list --all --json > "$FULL/../list" 2>&1
sqlite3 "$db" 'PRAGMA integrity_check' > "$FULL/../integrity" 2>&1
# room again: the next add works
rm "$FULL/ballast"
nestor task add "after the cleanup" > "$FULL/../after" 2>&1
SH
export FULL="$full"
st=0
unshare -m sh "$dir/fill.sh" 2>/dev/null || unshare -rm sh "$dir/fill.sh" || st=$?
[ "$st" -ne 77 ] || fail "cannot mount a tmpfs here (unshare -m or -rm)"

added=$(cat "$dir/added")
[ "$added" -gt 3 ] && [ "$added" -lt 100 ] || fail "the disk filled after $added tasks"
want="database or disk is full: nothing was written (free some space where '$full/nestor.db' is)"
expect_eq "one line, one prefix" "$(cat "$dir/err")" "nestor: task add: $want"
expect_match "logged" "$(grep '"level":"error"' "$dir/nestor.log")" \
	"\"ctx\":\"task add\",\"msg\":\"database or disk is full: nothing was written"
expect_eq "intact" "$(cat "$dir/integrity")" ok
expect_eq "every task written is there" "$(grep -c '"title"' "$dir/list")" "$added"
expect_match "works once there is room" "$(cat "$dir/after")" '^[0-9]+$'
