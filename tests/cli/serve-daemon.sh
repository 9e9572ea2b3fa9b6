# nestor daemon with serve.enable: the daemon answers the HTTP API
# (/healthz, a token's requests) and its scheduler still runs: a reminder
# added through the API fires while the API is up; a SIGHUP reload leaves
# the API be; a bad serve.listen stops the daemon from starting, saying
# why; SIGTERM stops both, waiting for a request in progress (a SIGHUP
# meanwhile does not cut the wait).
. "$(dirname "$0")/lib.sh"
command -v curl >/dev/null || fail "curl is needed"
dir=$NESTOR_HOME
cd "$dir"
pid='' mid=''
trap 'kill $pid $mid 2>/dev/null || true' EXIT INT TERM
cat >notify.sh <<'SH'
#!/bin/sh
printf '%s\n' "$1" >> "$(dirname "$0")/delivered"
SH
chmod +x notify.sh
nestor config set notify.command "$dir/notify.sh" >/dev/null
nestor config set notify.channels command >/dev/null
nestor config set serve.enable true >/dev/null
nestor config set serve.listen 127.0.0.1:0 >/dev/null
tok=$(nestor token add 2>/dev/null)

: >d.out
"$NESTOR_BIN" daemon --foreground >d.out 2>d.err &
pid=$!
wait_until -s 'cat d.out d.err' "the daemon's API" grep -q '^serving on' d.out
base=$(sed -n 's/^serving on //p' d.out)
expect_match "address" "$base" '^http://127\.0\.0\.1:[0-9]+$'
expect_match "logged" "$(cat nestor.log)" "serving on $base"
expect_eq "healthz" "$(curl -s -o body -w '%{http_code}' "$base/healthz")" 200
expect_eq "no token" "$(curl -s -o body -w '%{http_code}' "$base/v1/tasks")" 401
expect_eq "a token" "$(curl -s -o body -w '%{http_code}' -H "Authorization: Bearer $tok" "$base/v1/tasks")" 200

# A reminder added through the daemon's own API fires from its scheduler.
at=$(test_date 1 '+%Y-%m-%dT%H:%M:%S%z')
expect_eq "reminder added" "$(curl -s -o body -w '%{http_code}' -H "Authorization: Bearer $tok" \
	-d "{\"text\":\"drink water\",\"at\":\"$at\"}" "$base/v1/reminders")" 201
wait_until "the delivery" test -s delivered
expect_eq "delivered" "$(cat delivered)" "drink water"
# and the API is still up, also after a reload of the daemon's config
expect_eq "still serving" "$(curl -s -o body -w '%{http_code}' "$base/healthz")" 200
kill -HUP "$pid"
wait_until "the reload" grep -q '"reloaded' nestor.log
expect_eq "after the reload" "$(curl -s -o body -w '%{http_code}' -H "Authorization: Bearer $tok" "$base/v1/integrations")" 200

# SIGTERM with a request in progress (its body half sent): the daemon
# waits for it, and a SIGHUP meanwhile does not end the wait.
port=${base##*:}
python3 "$SRC/tests/cli/serve-limits.py" 127.0.0.1 "$port" midway "$tok" "$dir/go" >midway.out &
mid=$!
wait_until "half the body sent" test -e go.sent
kill -TERM "$pid"
wait_until -s 'cat d.out d.err' "the daemon to say it waits" grep -q '^stopping:' d.out
kill -HUP "$pid"
# the SIGHUP taken (no longer pending), or the daemon gone
hup_taken() {
	[ -r "/proc/$pid/status" ] || return 0
	! grep -q '^State:[[:space:]]*Z' "/proc/$pid/status" || return 0
	m=$(sed -n 's/^ShdPnd:[[:space:]]*//p' "/proc/$pid/status")
	[ $((0x$m & 1)) -eq 0 ]
}
wait_until "the SIGHUP taken" hup_taken
if ! kill -0 "$pid" 2>/dev/null || grep -q '^State:[[:space:]]*Z' "/proc/$pid/status"; then
	fail "a SIGHUP ended the grace"
fi
touch go
wait $mid
mid=
expect_eq "the request in progress answered" "$(cat midway.out)" "HTTP/1.1 201 Created"
st=0
wait "$pid" || st=$?
pid=
expect_eq "SIGTERM: clean exit" "$st" 0
if curl -s -o /dev/null "$base/healthz"; then fail "the API outlived the daemon"; fi

# A serve.listen that cannot be used: the daemon does not start, and says why.
nestor config set serve.listen nowhere >/dev/null
set +e
nestor daemon --foreground >out 2>err
st=$?
set -e
expect_eq "bad listen" "$st $(cat err)" '2 nestor: daemon: serve.listen must be ADDR:PORT (got "nowhere")'
