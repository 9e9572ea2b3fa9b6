# nestor serve: what is the installation's (/metrics, and in
# /v1/integrations the database's path, the scheduler's pid, every user's
# jobs, the sync targets' state, the outbox) is for the first user's
# tokens; another user's token sees its own jobs and which targets are
# configured.
. "$(dirname "$0")/lib.sh"
command -v curl >/dev/null || fail "curl is needed"
cd "$NESTOR_HOME"
json() { python3 -c "import json,sys; d=json.load(open('body')); print($1)"; }

nestor user add bob >/dev/null
nestor user add carol >/dev/null
me=$(nestor token add 2>/dev/null)
bob=$(nestor --user bob token add 2>/dev/null)
carol=$(nestor --user carol token add --read-only 2>/dev/null)
nestor remind add "my private appointment" --at "2026-06-02 10:00" >/dev/null
nestor --user bob remind add "bob's own" --at "2026-06-03 10:00" >/dev/null

serve_start
req() { curl -s -o body -w '%{http_code}' -H "Authorization: Bearer $1" "$base$2"; }

expect_eq "the first user's" "$(req "$me" /v1/integrations)" 200
expect_eq "the whole installation" "$(json 'd["database"]["path"], d["scheduler"]["next_job"]["next_run"]')" \
	"$NESTOR_HOME/nestor.db 2026-06-02T10:00:00+00:00"
expect_eq "another user's" "$(req "$bob" /v1/integrations)" 200
expect_eq "its own next job, no path" \
	"$(json 'd["database"]["path"], d["database"]["size"], d["scheduler"]["pid"], d["scheduler"]["next_job"]["next_run"]')" \
	"None -1 None 2026-06-03T10:00:00+00:00"
expect_eq "the targets' state" "$(json '[sorted(t) for t in d["sync"]][0], d["outbox"]')" \
	"['configured', 'cursor', 'last_error', 'last_ok', 'outbox', 'target'] []"
expect_eq "a user without jobs" "$(req "$carol" /v1/integrations)" 200
expect_eq "no next job" "$(json 'd["scheduler"]["next_job"]')" None
case $(cat body) in *nestor.db*) fail "another user's token sees the database's path" ;; esac

expect_eq "metrics, first user" "$(req "$me" /metrics)" 200
expect_eq "metrics, another user" "$(req "$bob" /metrics)" 403
expect_eq "metrics refused" "$(json 'd["error"]')" \
	"only the first user (me) may read /metrics: its counts are the installation's"
kill $pid
wait $pid || true
trap - EXIT
