# nestor status: healthy on a fresh store (exit 0); needs attention (exit 1)
# on a failing channel until it delivers, on a job overdue while nobody
# runs the scheduler (not while the daemon does), on an outbox nothing
# drains or whose entries fail; --json says the same.
. "$(dirname "$0")/lib.sh"
unset DISPLAY WAYLAND_DISPLAY DBUS_SESSION_BUS_ADDRESS
dir=$NESTOR_HOME
cd "$dir"
pid=
trap '[ -n "$pid" ] && kill "$pid" 2>/dev/null; true' EXIT
iso() { date -d "@$1" '+%Y-%m-%dT%H:%M:%S%z'; }
# status_is WANT_EXIT PATTERN: the exit status and a line of the screen
status_is() {
	st=0; out=$(nestor status) || st=$?
	expect_eq "status exit ($2)" "$st" "$1"
	expect_match "status screen" "$out" "$2"
}
json() { nestor --json status | python3 -c "import json,sys; s=json.load(sys.stdin); print($1)"; }

# -- a fresh store: healthy, daemon or not
status_is 0 '^nestor status: healthy$'
expect_match "database line" "$out" "^database   $dir/nestor.db \\([0-9]+ KiB, schema [0-9]+\\)$"
expect_match "nobody runs it" "$out" '^scheduler  nobody'
expect_match "sync" "$out" '^sync       postgresql  not configured$'
expect_match "log" "$out" "^log        $dir/nestor.log \\(0 errors today\\)$"
expect_eq "json: healthy" "$(json 's["healthy"], s["problems"], s["scheduler"]["runner"]')" "True [] none"

# -- a failing channel: attention until the occurrence is delivered
cat > notify.sh <<'SH'
#!/bin/sh
[ -e "$(dirname "$0")/broken" ] && { echo "no route to the pager" >&2; exit 3; }
exit 0
SH
chmod +x notify.sh
touch broken
nestor config set notify.command "$dir/notify.sh" >/dev/null
nestor config set notify.channels command >/dev/null
id=$(nestor remind add "water the plants" --at "$(iso $(( $(test_now) - 30 )))")
nestor remind fire >/dev/null 2>&1 || true
status_is 1 '^nestor status: needs attention$'
expect_match "says which" "$out" "^  ! 1 failed delivery in the last 24 h; the latest: reminder $id on command at .*no route to the pager$"
expect_eq "json: failure" "$(json 's["healthy"], s["scheduler"]["failed_deliveries"]')" "False 1"
rm broken
sqlite3 nestor.db "UPDATE jobs SET next_run = $(( $(test_now) - 1 )) WHERE id = $id"
nestor remind fire >/dev/null
status_is 0 '^failures   0 deliveries in the last 24 h$'

# -- overdue while nobody runs the scheduler; not while the daemon does
id=$(nestor remind add "stretch" --at "$(iso $(( $(test_now) + 3600 )))")
sqlite3 nestor.db "UPDATE jobs SET next_run = next_run - 7200, occurrence = occurrence - 7200 WHERE id = $id"
status_is 1 "^  ! 1 job overdue and nobody runs the scheduler: reminder $id was due .* \\(start it: nestor daemon\\)$"
expect_match "overdue line" "$out" '^overdue    1 job$'
"$NESTOR_BIN" daemon --foreground > d.out 2>&1 & pid=$!
i=0
until [ "$(json 's["scheduler"]["runner"], s["scheduler"]["overdue"]')" = "daemon 0" ]; do
	i=$((i + 1)); [ $i -lt 200 ] || fail "the daemon did not take over: $(nestor status)"
	sleep 0.05
done
status_is 0 "^scheduler  the daemon \\(pid $pid\\)$"
kill -TERM "$pid"; wait "$pid" || true; pid=
status_is 0 '^scheduler  nobody'

# -- the outbox: entries for a target nothing drains, then failing ones
sqlite3 nestor.db "INSERT INTO outbox(target, op, entity, entity_id) VALUES ('postgresql', 'upsert', 'task', 1)"
status_is 1 '^  ! outbox: 1 entry for postgresql, which is not configured \(server.postgres\)$'
expect_match "outbox line" "$out" '^outbox     postgresql 1 \(oldest #1, 0 tries\)$'
expect_eq "json: outbox" "$(json 's["outbox"][0]["target"], s["outbox"][0]["entries"]')" "postgresql 1"
sqlite3 nestor.db "INSERT INTO sync_state(target, cursor) VALUES ('postgresql', '41')"
status_is 0 '^sync       postgresql  configured$'
sqlite3 nestor.db "UPDATE outbox SET attempts = 3"
status_is 1 '^  ! outbox: 1 entry for postgresql, the oldest \(#1\) tried 3 times$'
sqlite3 nestor.db "DELETE FROM outbox"
status_is 0 '^outbox     empty$'
# Telegram's token is a secret, not a key: the hint names the command, and
# a linked chat says it is set up.
sqlite3 nestor.db "INSERT INTO outbox(target, op, entity, entity_id) VALUES ('telegram', 'send', 'message', 1)"
status_is 1 '^  ! outbox: 1 entry for telegram, which is not configured \(nestor secret set telegram\)$'
sqlite3 nestor.db "UPDATE users SET telegram_chat_id = 55"
status_is 0 '^ +telegram +configured$'
sqlite3 nestor.db "DELETE FROM outbox; UPDATE users SET telegram_chat_id = NULL"

# -- errors logged today are counted, and are not a problem by themselves
nestor task done 999 2>/dev/null || true
status_is 0 "^log        $dir/nestor.log \\(1 error today\\)$"
st=0; nestor status extra 2>/dev/null || st=$?
expect_eq "bad argument" "$st" 2
