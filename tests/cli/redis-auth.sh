#!/bin/sh
# A Redis that wants a password (requirepass, and an ACL user): the secret
# "redis" (here NESTOR_SECRET_REDIS) is sent with AUTH at every connect,
# with the URL's user when it names one; a missing or wrong password is one
# line naming server.redis, the secret and Redis's words, exit 1; a user
# without the secret is one line naming the user, exit 1; a password in the
# URL is refused by `config set` and at run (exit 2), quoted in no error;
# the password shows nowhere (config file, log, output).
# A worker forgets the updates done more than 30 days ago.
. "${NESTOR_SRC:-$(dirname "$0")/../..}/tests/cli/lib.sh"
. "$SRC/tests/cli/redis.sh"
cd "$NESTOR_HOME"
RPASS=s3cret-pw
W=
cleanup() {
	[ -z "$W" ] || kill "$W" 2>/dev/null || true
	redis_stop
}
trap cleanup EXIT
redis_start
NESTOR_SECRET_TELEGRAM=123456:TEST
export NESTOR_SECRET_TELEGRAM
unset NESTOR_SECRET_REDIS
nestor config set server.redis "$RURL" >/dev/null
nestor config set telegram.api_url http://127.0.0.1:9 >/dev/null # no Telegram here

# run CMD...: its exit status in $rc, its stderr and stdout in $out (all
# outputs are kept in outs for the last check).
: >outs
run() {
	rc=0
	out=$(nestor "$@" 2>&1) || rc=$?
	printf '%s\n' "$out" >>outs
}
run worker --name w
expect_eq "no password: exit" "$rc" 1
expect_eq "no password: one line" "$(printf '%s\n' "$out" | wc -l)" 1
expect_match "no password: message" "$out" \
	'server\.redis: redis 127\.0\.0\.1:[0-9]+ wants a password \(store it with `nestor secret set redis`.*NOAUTH'
NESTOR_SECRET_REDIS=wrong run worker --name w
expect_eq "wrong password: exit" "$rc" 1
expect_match "wrong password: message" "$out" \
	'server\.redis: redis 127\.0\.0\.1:[0-9]+ refused the secret "redis": WRONGPASS'
NESTOR_SECRET_REDIS=wrong run status
expect_match "status names it" "$out" 'refused the secret "redis"'

# The right one: status reads the stream, a worker runs until SIGTERM.
NESTOR_SECRET_REDIS=$RPASS
export NESTOR_SECRET_REDIS
nestor telegram status --json | python3 -c '
import json,sys
r = json.load(sys.stdin)["redis"]
assert r["error"] is None and r["dead"] == 0, r
' || fail "status with the password: $(nestor telegram status --json)"
# The updates done are remembered 30 days: a worker forgets older ones as
# it starts (and hourly).
now=1772323200 # 2026-03-01T00:00:00Z
sqlite3 nestor.db "INSERT INTO telegram_seen(update_id, at) VALUES
	(501, $((now - 31 * 86400))), (502, $((now - 29 * 86400)))"
NESTOR_NOW=$now "$NESTOR_BIN" worker --name w 2>w.err &
W=$!
wait_until -s 'cat w.err' "the worker to join the group" \
	sh -c "[ \"\$(REDISCLI_AUTH=$RPASS redis-cli -p $RPORT XINFO GROUPS $(tg_stream) | grep -c workers)\" = 1 ]"
forgot() { grep -q 'forgot 1 update done more than 30 days ago' nestor.log; }
wait_until -s 'cat w.err; tail -3 nestor.log' "the worker to forget an old update" forgot
expect_eq "updates remembered" "$(sqlite3 nestor.db 'SELECT group_concat(update_id) FROM telegram_seen')" 502
# It reads only the old ones (an index by time), not the whole table.
expect_match "pruning's plan" "$(sqlite3 nestor.db 'EXPLAIN QUERY PLAN DELETE FROM telegram_seen WHERE at < 1')" \
	'USING (COVERING )?INDEX telegram_seen_at'
kill "$W"
wait "$W" || fail "the worker exited $? on SIGTERM: $(cat w.err)"
W=
cat w.err >>outs
# An empty server.redis turns Redis off; it is not a URL to refuse.
saved=$(nestor config get server.redis)
nestor config set server.redis "" || fail "config set server.redis \"\" was refused"
expect_eq "server.redis emptied" "$(nestor config get server.redis)" ""
nestor config set server.redis "$saved" >/dev/null

# An ACL user: AUTH USER PASSWORD; without the secret the user would go
# unsaid (a PING runs as "default"): refused before connecting.
rcli ACL SETUSER relay on '>user-pw' '~nestor:*' '&*' '+@all' >/dev/null
nestor config set server.redis "redis://relay@127.0.0.1:$RPORT/0" >/dev/null
(
	unset NESTOR_SECRET_REDIS
	run worker --name w
	expect_eq "user without the secret: exit" "$rc" 1
	expect_eq "user without the secret: one line" "$(printf '%s\n' "$out" | wc -l)" 1
	expect_match "user without the secret: message" "$out" \
		'server\.redis names a user: store its password with `nestor secret set redis`'
	case $out in *relay*) fail "the user's name (perhaps a password typed there) was printed: $out" ;; esac
) || exit 1
run worker --name w
expect_eq "user with the default password: exit" "$rc" 1
expect_match "user refused: message" "$out" 'refused the user and the secret "redis": WRONGPASS'
NESTOR_SECRET_REDIS=user-pw nestor telegram status --json | python3 -c '
import json,sys
r = json.load(sys.stdin)["redis"]
assert r["error"] is None, r
' || fail "status as an ACL user"

# A password in the URL is refused by `config set`, whatever it holds
# ('/' or '@' too), naming the key and quoting neither the URL nor the
# password; the file keeps the URL it had.
for url in "redis://relay:user-pw@127.0.0.1:$RPORT/0" "redis://relay:us/er-pw@127.0.0.1:$RPORT/0" \
	"redis://:u@ser-pw@127.0.0.1:$RPORT/0" "rediss://relay:user-pw@127.0.0.1:$RPORT/0"; do
	run config set server.redis "$url"
	expect_eq "config set $url: exit" "$rc" 2
	expect_eq "config set $url: one line" "$(printf '%s\n' "$out" | wc -l)" 1
	expect_match "config set $url: message" "$out" '^nestor: config set: server\.redis: '
done
expect_eq "config after the refusals" "$(nestor config get server.redis)" \
	"redis://relay@127.0.0.1:$RPORT/0"
# One written into the file by hand is refused before anything is sent.
sed -i "s|^redis=.*|redis=redis://relay:user-pw@127.0.0.1:$RPORT/0|" config
run worker --name w
expect_eq "password in the URL: exit" "$rc" 2
expect_match "password in the URL: message" "$out" 'server\.redis: a password in the URL is refused'
sed -i "s|^redis=.*|redis=redis://relay@127.0.0.1:$RPORT/0|" config
# The passwords are in no log, no output and not in the config file.
[ -f config ] || fail "no config file in NESTOR_HOME: $(ls)"
! grep -rqs -e "$RPASS" -e user-pw -e er-pw nestor.log config outs ||
	fail "a password was written down: $(grep -rs -e "$RPASS" -e user-pw -e er-pw nestor.log config outs)"
echo ok
