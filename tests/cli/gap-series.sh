# A repeating reminder or event series written at a time the spring-forward
# change skips (02:30 on 29 March 2026 in Berlin): that day's 03:30, 02:30
# on the others.
. "$(dirname "$0")/lib.sh"
TZ=Europe/Berlin
export TZ
NESTOR_NOW=2026-03-20T12:00:00Z
cd "$NESTOR_HOME"

# a repeating reminder from 02:30 of the gap day: 03:30 that day, then 02:30
nestor --db r.db remind add stretch --at "2026-03-29 02:30" --every daily >/dev/null
expect_eq "reminder: the gap day's 03:30" "$(nestor --db r.db remind list)" \
	"  ID  DUE               EVERY                     TEXT
   1  2026-03-29 03:30  every day                 stretch"
expect_eq "reminder: 02:30 on the next days" \
	"$(nestor --db r.db remind done 1; nestor --db r.db remind done 1)" \
	"reminder 1 done; next 2026-03-30 02:30
reminder 1 done; next 2026-03-31 02:30"
# added after the gap day, it starts at the next 02:30
expect_eq "reminder: a past gap --at anchors 02:30" \
	"$(NESTOR_NOW=2026-04-02T12:00:00Z nestor --db r2.db remind add late \
		--at "2026-03-29 02:30" --every daily >/dev/null
	   NESTOR_NOW=2026-04-02T12:00:00Z nestor --db r2.db remind list --json |
		sed -n 's/.*"at":.*"\(.*\)".*/\1/p')" "2026-04-03T02:30:00+02:00"
# the offline assistant alike, and its reply says the time kept
expect_eq "reminder: the assistant's reply" \
	"$(nestor --db r3.db ask "remind me on 29 March at 02:30 every day to run")" \
	"Reminder 1 set for Sun 29 Mar 2026 03:30: run (every day at 02:30)"
expect_eq "reminder: the assistant's next day" "$(nestor --db r3.db remind done 1)" \
	"reminder 1 done; next 2026-03-30 02:30"

# a series of another zone moved with --tz to its own gap keeps the time
# written there, as a local one does
TZ=America/New_York nestor --db z.db event add s --at "2026-03-25 09:00" --tz Europe/Berlin \
	--every daily >/dev/null
TZ=America/New_York nestor --db z.db event edit 1 --at "2026-03-29 02:30" --tz Europe/Berlin \
	--end 04:00 >/dev/null
expect_eq "another zone: its own gap" "$(nestor --db z.db agenda --from 2026-03-29 --to 2026-03-30)" \
	"Sun 2026-03-29
     1  03:30-04:00  s — every day

Mon 2026-03-30
     1  02:30-03:00  s — every day"
