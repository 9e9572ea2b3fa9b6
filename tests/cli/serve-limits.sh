# nestor serve under hostile clients: a request without a valid token is
# answered 401 before its body is read; the bodies held at once are
# bounded (503 past it).
. "$(dirname "$0")/lib.sh"
command -v curl >/dev/null || fail "curl is needed"
cd "$NESTOR_HOME"
tok=$(nestor token add --label test 2>/dev/null)
serve_start
port=${base##*:}
raw() { python3 "$SRC/tests/cli/serve-limits.py" 127.0.0.1 "$port" "$@"; }

# 401 at once, the declared 1 MiB never sent: no token, a wrong token.
expect_eq "no token: 401 before the body" "$(raw early -)" "HTTP/1.1 401 Unauthorized"
expect_eq "bad token: 401 before the body" "$(raw early nst_1_nope)" "HTTP/1.1 401 Unauthorized"
# the 401 is the API's JSON, as after a body
expect_eq "401 body" "$(curl -s -X POST --data '{"title":"x"}' "$base/v1/tasks")" \
	'{"error":"missing bearer token (Authorization: Bearer TOKEN)","code":401}'
# a good token still waits for the body, and the request goes through
expect_eq "token and body" "$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $tok" \
	--data '{"title":"x"}' "$base/v1/tasks")" 201

# A token is checked when the headers are in and again once the body
# is: a request whose token is revoked while its body comes is 401, and
# so is the next.
midtok=$(nestor token add --label midway 2>/dev/null)
midid=$(echo "$midtok" | cut -d_ -f2)
raw midway "$midtok" "$NESTOR_HOME/go" >midway.out &
mid=$!
wait_until "half the body sent" test -e go.sent
nestor token rm "$midid" >/dev/null
touch go
wait $mid
expect_eq "the request begun with the token" "$(cat midway.out)" "HTTP/1.1 401 Unauthorized"
expect_eq "the next one" "$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $midtok" "$base/v1/tasks")" 401

# 32 clients each holding back the last byte of a 1 MiB body fill the
# 32 MiB the server holds: the next request is 503 (Retry-After), unread.
raw busy "$tok" 32 >busy.out
expect_eq "busy: 503" "$(tail -n 1 busy.out)" "HTTP/1.1 503 Service Unavailable"
# once they are gone, requests are read again (400: the body is not JSON)
expect_eq "then 201" "$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $tok" \
	--data '{"title":"y"}' "$base/v1/tasks")" 201

# 64 connections from one address at most: the 65th is closed unanswered,
# while another address is served; once they go, the address is served.
raw conns 64 >conns.out
expect_eq "65th connection from one address" "$(sed -n 1p conns.out)" refused
expect_eq "another address meanwhile" "$(sed -n 2p conns.out)" "HTTP/1.1 200 OK"
expect_eq "the address again" "$(sed -n 3p conns.out)" "HTTP/1.1 200 OK"

# A client that trickles its headers a byte a second is never idle for
# the 30 s idle timeout, but its request must come whole within 30 s.
expect_eq "a trickling client is closed" "$(raw trickle)" closed
# The same once the connection had an answer from a job (an ask): the
# deadline holds for its next request too.
raw trickle-after "$tok" >after.out
expect_eq "the ask answered" "$(sed -n 1p after.out)" "HTTP/1.1 200 OK"
expect_eq "a trickling client is closed after an answer from a job" "$(sed -n 2p after.out)" closed

# A request whose body is still coming when the server is told to stop
# is in progress: the server waits for the rest and answers it whole.
raw midway "$tok" "$NESTOR_HOME/stop" >stop.out &
mid=$!
wait_until "half the body sent" test -e stop.sent
kill -TERM $pid
wait_until -s 'cat serve.out serve.err' "the server stopping" \
	sh -c "grep -q '^stopping' serve.out || ! kill -0 $pid 2>/dev/null"
touch stop
wait $mid
expect_eq "a body half sent at SIGTERM" "$(cat stop.out)" "HTTP/1.1 201 Created"
st=0
wait $pid || st=$?
expect_eq "then the server exits" "$st" 0
# stored once: the request refused for its revoked token stored nothing
expect_eq "the task stored" "$(nestor task list 2>&1 | grep -c 'sent in halves')" 1

# The limit per address is serve.max_per_address (a proxy's clients all
# come from its address).
nestor config set serve.max_per_address 8 >/dev/null
serve_start
port=${base##*:}
raw conns 8 >conns8.out
expect_eq "9th connection from one address (serve.max_per_address 8)" "$(sed -n 1p conns8.out)" refused
expect_eq "another address meanwhile (8)" "$(sed -n 2p conns8.out)" "HTTP/1.1 200 OK"
