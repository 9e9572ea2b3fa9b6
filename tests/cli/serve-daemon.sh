# nestor daemon with serve.enable: the daemon answers the HTTP API
# (/healthz, a token's requests) and its scheduler still runs: a reminder
# added through the API fires while the API is up; a SIGHUP reload leaves
# the API be; a bad serve.listen stops the daemon from starting, saying
# why; SIGTERM stops both.
. "$(dirname "$0")/lib.sh"
command -v curl >/dev/null || fail "curl is needed"
dir=$NESTOR_HOME
cd "$dir"
pid=
trap '[ -n "$pid" ] && kill "$pid" 2>/dev/null || true' EXIT INT TERM
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

kill -TERM "$pid"
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
