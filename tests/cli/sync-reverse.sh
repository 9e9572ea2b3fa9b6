# Two devices of one user (two NESTOR_HOMEs) against a real PostgreSQL: each
# adds, edits and deletes tasks, events and reminders while the server is
# down; after both sync, B first, twice, their --json listings match in
# every field but the local id, and every change is there (synccase.sh).
# sync.sh does the same with A first.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/pg.sh"
. "$(dirname "$0")/synccase.sh"
trap pg_stop EXIT
pg_start
admin
run_case ba alice b a
