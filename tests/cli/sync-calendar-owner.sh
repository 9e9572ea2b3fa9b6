# The calendar syncs only as the store's first user, its owner: a device
# acting as another user (nestor --user bob sync) neither pushes its
# calendar into that user's rows on the server nor pulls that user's
# events into it; its owner's sync still carries it to her other devices.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/pg.sh"
trap pg_stop EXIT

pg_start
admin
on admin user add alice >/dev/null
on admin user add bob >/dev/null
# alice's laptop, which bob uses too (a local user before the server is set)
mkdir -p "$NESTOR_HOME/alice-laptop"
on alice-laptop user edit me --name alice >/dev/null
on alice-laptop user add bob >/dev/null
on alice-laptop config set server.postgres "$PGURI" >/dev/null
on alice-laptop config set server.device alice-laptop >/dev/null
on alice-laptop event add "alice dentist" --at "2026-06-03 15:00" >/dev/null
device bob-phone bob
on bob-phone event add "bob party" --at "2026-06-04 20:00" >/dev/null
on bob-phone sync >/dev/null

# bob syncs on alice's laptop: his tasks travel, the calendar stays put
on alice-laptop --user bob task add "bob's laptop task" >/dev/null
on alice-laptop --user bob sync >out || fail "sync as bob failed"
on bob-phone sync >/dev/null
expect_match "bob's task reached his phone" "$(on bob-phone task list)" "bob's laptop task"
case $(on bob-phone event search dentist --json; on bob-phone agenda --from 2026-06-01 --to 2026-06-07) in
*"alice dentist"*) fail "alice's event went to bob's phone" ;;
esac
expect_eq "no calendar of bob's from alice's laptop on the server" \
	"$(pg_sql "SELECT count(*) FROM nestor.objects WHERE owner = 'bob' AND entity IN ('event', 'calendar') AND data::text NOT LIKE '%bob party%' AND gid NOT LIKE '00000000-%'")" 0
expect_eq "nor of alice's events" "$(pg_sql "SELECT count(*) FROM nestor.changes WHERE data::text LIKE '%alice dentist%'")" 0
case $(on alice-laptop event search party --json; on alice-laptop agenda --from 2026-06-01 --to 2026-06-07) in
*"bob party"*) fail "bob's event came into alice's calendar" ;;
esac

# alice's own sync carries her calendar to her other device
on alice-laptop sync >/dev/null
device alice-desk alice
on alice-desk sync >/dev/null
expect_match "alice's event on her desk" "$(on alice-desk agenda --from 2026-06-01 --to 2026-06-07)" "alice dentist"
case $(on alice-desk agenda --from 2026-06-01 --to 2026-06-07) in
*"bob party"*) fail "bob's event reached alice's desk" ;;
esac
