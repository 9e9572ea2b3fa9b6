# remind fire: a reminder whose other channel fails is printed on stdout once
# for its occurrence, not again at every retry (cron mails each one).
. "$(dirname "$0")/lib.sh"
export TZ=Europe/Berlin
printf '#!/bin/sh\nexit 3\n' > "$NESTOR_HOME/fail.sh"
chmod +x "$NESTOR_HOME/fail.sh"
nestor config set notify.command "$NESTOR_HOME/fail.sh" >/dev/null
export NESTOR_NOW=2026-12-03T07:00:00Z
id=$(nestor remind add stretch --at "09:00" --channel command,stdout)
: > out
for t in 08:00:00 08:00:40 08:02:00 08:04:00 08:08:00; do
	(export NESTOR_NOW=2026-12-03T${t}Z; nestor remind fire >>out 2>/dev/null) || true
done
expect_eq "printed once" "$(grep -c stretch out)" 1
expect_match "retried" "$(nestor jobs history "$id")" 'command +failed'
