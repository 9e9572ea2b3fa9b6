# A daemon killed with SIGKILL in the middle of a delivery loses nothing:
# after the lease ends, a restarted daemon delivers the reminder, once.
. "$(dirname "$0")/lib.sh"
dir=$NESTOR_HOME
pids=
cleanup() { for p in $pids; do kill -9 "$p" 2>/dev/null || true; done; }
trap cleanup EXIT INT TERM

cat > "$dir/notify.sh" <<'SH'
#!/bin/sh
d=$(dirname "$0")
if [ -e "$d/block" ]; then
	echo $$ > "$d/blocked.tmp" && mv "$d/blocked.tmp" "$d/blocked"
	while [ ! -e "$d/release" ]; do sleep 0.1; done
fi
printf '%s\n' "$1" >> "$d/delivered"
SH
chmod +x "$dir/notify.sh"
nestor config set notify.command "$dir/notify.sh" >/dev/null
nestor config set notify.channels command >/dev/null
nestor config set scheduler.lease 4 >/dev/null
touch "$dir/block"
id=$(nestor remind add "take the cake out" --at "$(test_date 0 '+%Y-%m-%d %H:%M')")

"$NESTOR_BIN" daemon --foreground >"$dir/d1.out" 2>&1 & d1=$!; pids="$pids $d1"
wait_until "the delivery to start" test -e "$dir/blocked"
[ -e "$dir/blocked" ] || fail "the daemon never started the delivery"
blocked=$(cat "$dir/blocked"); pids="$pids $blocked"
kill -9 "$d1"
wait "$d1" 2>/dev/null || true
# the command dies with its daemon (a zombie nobody reaps counts as dead):
# left running, it would finish a delivery the next daemon makes again
dead() { ! kill -0 "$1" 2>/dev/null || grep -q '^[^)]*) Z' "/proc/$1/stat" 2>/dev/null; }
wait_until "the command to die with its daemon" dead "$blocked"
rm -f "$dir/block"
touch "$dir/release"
expect_match "claimed, not delivered" "$(nestor jobs --json)" '"state":	"running"'
[ ! -e "$dir/delivered" ] || fail "delivered before the restart"

"$NESTOR_BIN" daemon --foreground >"$dir/d2.out" 2>&1 & d2=$!; pids="$pids $d2"
wait_until -t 20 "the delivery after the restart" test -s "$dir/delivered"
# stopped and gone: a second delivery under way has happened by now
kill "$d2"
wait "$d2" 2>/dev/null || true
expect_eq "delivered once after restart" "$(cat "$dir/delivered" 2>/dev/null)" "take the cake out"
expect_match "done, second attempt" "$(nestor jobs --all --json)" '"state":	"done",
		"attempts":	2'
expect_match "takeover logged" "$(cat "$dir/nestor.log")" "job $id: taking over an expired claim"
