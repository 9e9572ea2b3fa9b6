# Recurrence at its edges: a time inside a DST gap said to the assistant,
# COUNT over days a rule skips, a DATE-valued UNTIL on a timed series.
. "$(dirname "$0")/lib.sh"
TZ=Europe/Berlin
export TZ
NESTOR_NOW=2026-03-20T12:00:00Z
start() { TZ=UTC nestor --db "$1" event show "$2" | sed -n 's/^start *//p'; }

# 02:30 on Berlin's spring-forward day, said to the offline assistant: that
# day's 03:30 and 02:30 on the others, as event add --at keeps it
nestor --db gap.db ask "add meeting on 29 March at 2:30 every day" >/dev/null
nestor --db gap.db ask "add yoga every day at 2:30 on March 29" >/dev/null
nestor --db gap.db event add Cli --at "2026-03-29 02:30" --every daily >/dev/null
expect_eq "assistant: the gap day's start" "$(start gap.db 1)" "2026-03-29T01:30:00+00:00"
out=$(nestor --db gap.db agenda --from 2026-03-29 --to 2026-03-30)
expect_eq "assistant: 02:30 kept after the gap day" "$out" "Sun 2026-03-29
     1  03:30-04:30  meeting — every day
     2  03:30-04:30  yoga — every day
     3  03:30-04:30  Cli — every day

Mon 2026-03-30
     1  02:30-03:30  meeting — every day
     2  02:30-03:30  yoga — every day
     3  02:30-03:30  Cli — every day"
