# Google sign-in against a real Secret Service: the loopback redirect with
# PKCE (the test follows the consent URL with curl; the fake redirects with
# a code and checks the verifier), tokens only in the keyring, a revoked
# refresh token pausing sync with one clear line while local changes wait,
# a new login resuming it, and logout.
. "$(dirname "$0")/lib.sh"
. "$SRC/tests/fake/google.sh"
in_keyring "$0"
fake_google_start
fake_google_config
CAL=work@example.com
gctl /_seed '{"calendars": [{"id": "'$CAL'", "summary": "Work", "timeZone": "UTC",
  "accessRole": "owner"}], "events": {"'$CAL'": [{"id": "kickoff01", "summary": "Kickoff",
  "start": {"dateTime": "2026-06-02T10:00:00Z"}, "end": {"dateTime": "2026-06-02T11:00:00Z"}}]}}' >/dev/null

nestor google sync 2> err && fail "sync before login"
expect_eq "not signed in" "$(cat err)" "nestor: google sync: not signed in to Google: run \`nestor google login\`"

# consent refused, with a long reason: the error quotes 100 bytes of it,
# cut before the letter the 100th byte falls in, not inside it
nestor google login --no-browser --timeout 20 >"$NESTOR_HOME/deny.out" 2>"$NESTOR_HOME/deny.err" &
lp=$!
wait_until -s 'cat "$NESTOR_HOME/deny.out" "$NESTOR_HOME/deny.err"' "the consent URL" \
	grep -qs '^http' "$NESTOR_HOME/deny.out"
port=$(sed -n 's/.*redirect_uri=http%3A%2F%2F127\.0\.0\.1%3A\([0-9]*\).*/\1/p' "$NESTOR_HOME/deny.out")
state=$(sed -n 's/.*[?&]state=\([^&]*\).*/\1/p' "$NESTOR_HOME/deny.out")
# another local process finding the port: an error without the sign-in's
# state (or with another) gets a 400, and the login waits on; so does a
# query with a broken escape (a '%' at the end, one hex digit, "%00"),
# which is read no further than the request
for q in "error=access_denied" "error=access_denied&state=x$state" "code=forged&state=x$state" \
	"code=forged&state=$state%00" "state=%41%0&code=%" "code=%&state=$state%4"; do
	expect_eq "a request without the state ($q)" \
		"$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/?$q")" 400
done
kill -0 "$lp" 2>/dev/null || fail "the login stopped at a request without its state"
x99=$(printf '%099d' 0 | tr 0 x)
curl -s -o /dev/null "http://127.0.0.1:$port/?error=$x99%C3%A9tail&state=$state" || true
if wait "$lp"; then fail "login with consent refused"; fi
expect_match "refused, cut between characters" "$(cat "$NESTOR_HOME/deny.err")" \
	"Google did not grant access: $x99\$"

google_login "$NESTOR_HOME/login.out"
url=$(grep '^http' "$NESTOR_HOME/login.out")
expect_match "PKCE S256 in the consent URL" "$url" 'code_challenge=[A-Za-z0-9_-]{43}&code_challenge_method=S256'
expect_match "loopback redirect" "$url" 'redirect_uri=http%3A%2F%2F127\.0\.0\.1%3A[0-9]+'
expect_match "signed in" "$(cat "$NESTOR_HOME/login.out")" 'signed in to Google'
# the code came back with its verifier: the token request carried it
gctl /_requests | python3 -c 'import json, sys
r = [r for r in json.load(sys.stdin) if r["path"] == "/token"][0]
assert "grant_type=authorization_code" in r["body"] and "code_verifier=" in r["body"], r' ||
	fail "no code exchange with a verifier"
nestor secret list > out
expect_match "refresh token in the keyring" "$(cat out)" 'google_refresh_token'
nestor google sync > out
expect_eq "sync after login" "$(cat out)" "1 calendars: pushed 0, pulled 1, removed 0"
# no token anywhere but the keyring: not the database, config, log or argv
for f in $(find "$NESTOR_HOME" -type f ! -name 'gfake.*' ! -name 'login.out*'); do
	if grep -aqE '1//|ya29\.' "$f"; then fail "a Google token in $f"; fi
done

# the refresh token revoked (a testing-mode client's 7 days, or by the user)
gctl /_control '{"revoke": true}' >/dev/null
id=$(nestor event add Planning --at "2026-06-03 10:00" --for 1h --calendar Work)
nestor google sync 2> err && fail "sync with a revoked token"
expect_eq "one clear line" "$(wc -l < err)" 1
expect_match "says to log in again" "$(cat err)" 'paused, run `nestor google login`'
# paused: the next round does not ask Google, and local work goes on
before=$(gctl /_requests | python3 -c 'import json, sys; print(len(json.load(sys.stdin)))')
nestor google sync 2> err && fail "sync while paused"
expect_match "still paused" "$(cat err)" 'nestor google login'
after=$(gctl /_requests | python3 -c 'import json, sys; print(len(json.load(sys.stdin)))')
expect_eq "nothing sent while paused" "$after" "$before"
expect_match "the local event is there" "$(nestor agenda --from 2026-06-03 --to 2026-06-03)" Planning

# log in again, through the browser this time (a display, xdg-open on
# PATH: a fake one that keeps its environment and follows the URL): the
# change that waited goes to Google, and the browser got no secret
mkdir "$NESTOR_HOME/bin"
cat > "$NESTOR_HOME/bin/xdg-open" <<EOF
#!/bin/sh
env > "$NESTOR_HOME/browser.env"
curl -sfL -o /dev/null "\$1" &
EOF
chmod +x "$NESTOR_HOME/bin/xdg-open"
env DISPLAY=:0 PATH="$NESTOR_HOME/bin:$PATH" "$NESTOR_BIN" google login --timeout 20 \
	>"$NESTOR_HOME/login2.out" 2>"$NESTOR_HOME/login2.err" ||
	{ cat "$NESTOR_HOME/login2.err" >&2; fail "google login through the browser"; }
expect_match "the browser was opened" "$(cat "$NESTOR_HOME/login2.out")" 'A browser opens'
expect_match "xdg-open ran" "$(cat "$NESTOR_HOME/browser.env")" '^DISPLAY=:0$'
if grep -q '^NESTOR_SECRET_' "$NESTOR_HOME/browser.env"; then
	fail "the browser got the secrets: $(grep -o '^NESTOR_SECRET_[A-Z_]*' "$NESTOR_HOME/browser.env")"
fi
nestor google sync > out
expect_eq "sync after the new login" "$(cat out)" "1 calendars: pushed 1, pulled 0, removed 0"
n=$(gctl /_state | python3 -c 'import json, sys
print(sum(1 for e in json.load(sys.stdin)["events"]["'$CAL'"] if e.get("summary") == "Planning"))')
expect_eq "Planning in Google" "$n" 1

# logout: revoked at Google, gone from the keyring, the events stay
nestor google logout > out
expect_match "logout" "$(cat out)" 'signed out of Google'
expect_match "revoked at Google" "$(gctl /_requests)" '"/revoke"'
nestor secret list > out
if grep -q google_refresh_token out; then fail "refresh token kept after logout"; fi
expect_match "events stay" "$(nestor agenda --from 2026-06-02 --to 2026-06-02)" Kickoff
nestor google sync 2> err && fail "sync after logout"
expect_match "not signed in after logout" "$(cat err)" 'not signed in'
