# Several processes writing at once: every task added, each id once, and
# no "database is locked" (or any other message) shown to anyone.
. "$(dirname "$0")/lib.sh"
cd "$NESTOR_HOME"
nestor task list >/dev/null # the database exists before the race
pids=
for w in 1 2 3 4; do
	(
		i=0
		while [ $i -lt 50 ]; do
			nestor task add "writer $w task $i" >>"ids.$w" 2>>"err.$w" || echo "exit $?" >>"err.$w"
			i=$((i + 1))
		done
	) &
	pids="$pids $!"
done
# shellcheck disable=SC2086
wait $pids
expect_eq "nothing said" "$(cat err.1 err.2 err.3 err.4)" ""
expect_eq "every add an id" "$(cat ids.1 ids.2 ids.3 ids.4 | grep -cE '^[0-9]+$')" 200
expect_eq "each id once" "$(cat ids.1 ids.2 ids.3 ids.4 | sort -u | wc -l)" 200
expect_eq "every task there" "$(nestor task list | grep -c ' writer ')" 200
expect_eq "intact" "$(sqlite3 nestor.db 'PRAGMA integrity_check')" ok
