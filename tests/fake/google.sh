# Shell helper for tests/fake/google.py (sourced by tests/cli scripts after
# lib.sh):
#   fake_google_start    sets GPORT and GBASE (http://127.0.0.1:PORT); stops at exit
#   fake_google_config   points nestor's google.* URLs at it, sets the client id,
#                        the client secret in the environment
#   fake_google_signed_in  the refresh token the fake knows from the start, in
#                        the environment (no keyring needed)
#   gctl PATH [JSON]     POST JSON to a control endpoint (GET without JSON)
#   google_login         nestor google login, the consent page followed with curl
#   fake_google_session  the fake started, configured and signed in; cd $NESTOR_HOME
#   seed_work            calendar Work (CAL) with events eva001 and eva002, synced
#   google_insert_lost SUMMARY ARG...
#                        `nestor event add SUMMARY ARG...`, its insert stored by
#                        Google but its answer lost (the sync killed): sets id
#                        (here) and rid (its Google id)
#   google_sync_fails WHAT STATUS WHY [ARG...]
#                        `nestor google sync ARG...` exits STATUS, its stderr
#                        (warnings aside) WHY exactly; ./out and ./err kept
# Its output files are gfake.out and gfake.err in $NESTOR_HOME.
fake_google_start() {
	python3 "$SRC/tests/fake/google.py" --ppid $$ --refresh-token 1//test-refresh \
		>"$NESTOR_HOME/gfake.out" 2>"$NESTOR_HOME/gfake.err" &
	GFAKE=$!
	trap 'kill $GFAKE 2>/dev/null || true' EXIT
	wait_until -s 'cat "$NESTOR_HOME/gfake.err"' "the fake Google's port" \
		grep -qs '^PORT ' "$NESTOR_HOME/gfake.out"
	GPORT=$(sed -n 's/^PORT //p' "$NESTOR_HOME/gfake.out")
	GBASE=http://127.0.0.1:$GPORT
}
fake_google_config() {
	nestor config set google.client_id test-client.apps.googleusercontent.com >/dev/null
	nestor config set google.auth_url "$GBASE/o/oauth2/v2/auth" >/dev/null
	nestor config set google.token_url "$GBASE/token" >/dev/null
	nestor config set google.revoke_url "$GBASE/revoke" >/dev/null
	nestor config set google.api_url "$GBASE" >/dev/null
	NESTOR_SECRET_GOOGLE_CLIENT_SECRET=test-client-secret
	export NESTOR_SECRET_GOOGLE_CLIENT_SECRET
}
fake_google_signed_in() {
	NESTOR_SECRET_GOOGLE_REFRESH_TOKEN=1//test-refresh
	export NESTOR_SECRET_GOOGLE_REFRESH_TOKEN
}
gctl() {
	if [ $# -gt 1 ]; then
		curl -sf -X POST -H 'Content-Type: application/json' --data-binary "$2" "$GBASE$1"
	else
		curl -sf "$GBASE$1"
	fi
}
# google_login [OUT]: the whole sign-in: nestor prints the consent URL, the
# test follows it (the fake redirects to nestor's loopback port with a code)
google_login() {
	_out=${1:-$NESTOR_HOME/login.out}
	nestor google login --no-browser --timeout 20 >"$_out" 2>"$_out.err" &
	_lp=$!
	wait_until -s 'cat "$_out" "$_out.err"' "the consent URL" grep -qs '^http' "$_out"
	curl -sfL -o /dev/null "$(grep '^http' "$_out")" || fail "following the consent URL"
	wait "$_lp" || { cat "$_out.err" >&2; fail "google login failed"; }
}
fake_google_session() {
	fake_google_start
	fake_google_config
	fake_google_signed_in
	cd "$NESTOR_HOME"
}
seed_work() {
	CAL=work@example.com
	DB=$NESTOR_HOME/nestor.db
	gctl /_seed '{"calendars": [{"id": "'$CAL'", "summary": "Work", "timeZone": "UTC",
  "accessRole": "owner", "defaultReminders": []}],
 "events": {"'$CAL'": [
  {"id": "eva001", "summary": "One", "start": {"dateTime": "2026-06-02T10:00:00Z"}, "end": {"dateTime": "2026-06-02T11:00:00Z"}},
  {"id": "eva002", "summary": "Two", "start": {"dateTime": "2026-06-03T10:00:00Z"}, "end": {"dateTime": "2026-06-03T11:00:00Z"}}]}}' >/dev/null
	nestor google sync >/dev/null
}
google_insert_lost() {
	gctl /_control '{"hang_insert": true}' >/dev/null
	id=$(nestor event add "$@")
	"$NESTOR_BIN" google sync >out 2>&1 &
	_gpid=$!
	wait_until "the insert to reach Google" eval \
		"gctl /_state | grep -q '\"summary\": \"$1\"'"
	kill -9 $_gpid
	wait $_gpid 2>/dev/null || true
	rid=$(sqlite3 "$DB" "SELECT remote_id FROM events WHERE id = $id")
}
google_sync_fails() {
	_what=$1 _want_st=$2 _why=$3
	shift 3
	set +e
	nestor google sync "$@" >out 2>err
	_st=$?
	set -e
	expect_eq "$_what: exit status" "$_st" "$_want_st"
	expect_eq "$_what: why" "$(grep -v '^nestor: warning' err || true)" "$_why"
}
