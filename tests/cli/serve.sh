# nestor serve: the HTTP API with bearer tokens, against the real binary
# on 127.0.0.1 (curl).  Every route, auth (401/403/read-only), another
# user's data invisible, ETag/If-Match, cursors, 413, 429, SSE ask,
# /metrics, and tokens kept only as hashes.
. "$(dirname "$0")/lib.sh"
command -v curl >/dev/null || fail "curl is needed"
cd "$NESTOR_HOME"
json() { python3 -c "import json,sys; d=json.load(open('body')); print($1)"; }

# Tokens: printed once; the store keeps the SHA-256 of the secret only.
tok=$(nestor token add --label phone 2>/dev/null)
expect_match "token" "$tok" '^nst_1_[A-Za-z0-9_-]{43}$'
secret=${tok#nst_1_}
if sqlite3 nestor.db .dump | grep -qF "$secret"; then fail "the secret is in the database"; fi
want=$(printf %s "$secret" | sha256sum | cut -d' ' -f1)
expect_eq "hash stored" "$(sqlite3 nestor.db 'SELECT hash FROM api_tokens WHERE id = 1')" "$want"
nestor user add bob >/dev/null
bob=$(nestor --user bob token add 2>/dev/null)
ro=$(nestor token add --read-only --label dash 2>/dev/null)
list=$(nestor token list)
expect_match "list" "$list" '^ +3 +me +ro +never +dash$'
expect_match "list bob" "$list" '^ +2 +bob +rw'
case $list in *"$secret"*) fail "token list shows a secret" ;; esac

# The server says where it listens on its first line.
serve_start
expect_match "address" "$base" '^http://127\.0\.0\.1:[0-9]+$'

# req [-t TOKEN] METHOD PATH [BODY] [CURL ARGS...]: status on stdout, body
# in ./body, headers in ./hdr.
req() {
	_t=$tok
	[ "$1" != -t ] || { _t=$2; shift 2; }
	_m=$1 _p=$2
	shift 2
	_d=
	if [ $# -gt 0 ]; then _d=$1; shift; fi
	curl -s -o body -D hdr -w '%{http_code}' -X "$_m" ${_t:+-H "Authorization: Bearer $_t"} \
		${_d:+--data-binary "$_d"} "$@" "$base$_p"
}
hdr() { sed -n "s/^$1: *//Ip" hdr | tr -d '\r'; }

expect_eq "healthz" "$(req -t '' GET /healthz)" 200
# a peer gone (SIGPIPE, as a write to a closed socket raises it) does not
# end the server
kill -PIPE "$pid"
expect_eq "healthz after SIGPIPE" "$(req -t '' GET /healthz)" 200
expect_eq "no token" "$(req -t '' GET /v1/tasks)" 401
expect_eq "401 body" "$(json 'd["code"], d["error"]')" "401 missing bearer token (Authorization: Bearer TOKEN)"
expect_eq "wrong secret" "$(req -t "nst_1_${secret%?}x" GET /v1/tasks)" 401
expect_eq "malformed" "$(req -t "hello" GET /v1/tasks)" 401
expect_eq "unknown route" "$(req GET /v1/nothing)" 404

# Tasks: create (201 + Location + ETag), get, patch with If-Match, delete.
expect_eq "create" "$(req POST /v1/tasks '{"title":"buy milk","due":"2026-06-02 17:00","priority":3}')" 201
id=$(json 'd["id"]')
expect_eq "location" "$(hdr Location)" "/v1/tasks/$id"
etag=$(hdr ETag)
expect_eq "shape" "$(json 'd["title"], d["due"], d["priority"], d["status"]')" "buy milk 2026-06-02T17:00:00+00:00 3 todo"
expect_eq "get" "$(req GET "/v1/tasks/$id")" 200
expect_eq "same etag" "$(hdr ETag)" "$etag"
expect_eq "stale If-Match" "$(req PATCH "/v1/tasks/$id" '{"title":"x"}' -H 'If-Match: "0000"')" 412
expect_eq "412 body" "$(json 'd["code"]')" 412
expect_eq "not changed" "$(nestor task list --json | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["title"])')" "buy milk"
expect_eq "patch" "$(req PATCH "/v1/tasks/$id" '{"title":"buy oat milk","status":"done"}' -H "If-Match: $etag")" 200
expect_eq "patched" "$(json 'd["title"], d["status"]')" "buy oat milk done"
[ "$(hdr ETag)" != "$etag" ] || fail "the ETag did not change"
expect_eq "bad priority" "$(req PATCH "/v1/tasks/$id" '{"priority":12}')" 400
expect_eq "bad json" "$(req POST /v1/tasks '{"title":')" 400
expect_eq "a form feed is no white space" "$(req POST /v1/tasks "$(printf '\f{"title":"ff"}')") $(json 'd["error"]')" \
	"400 the body is not valid JSON (at byte 0: white space is only space, tab, CR and LF)"
expect_eq "no title" "$(req POST /v1/tasks '{}')" 400
expect_eq "method" "$(req PUT /v1/tasks '{}')" 405
expect_eq "Allow" "$(hdr Allow)" "GET, HEAD, POST"
expect_eq "item method" "$(req POST "/v1/tasks/$id" '{}') $(hdr Allow)" "405 GET, HEAD, PATCH, DELETE"
expect_eq "delete" "$(req DELETE "/v1/tasks/$id")" 204
expect_eq "gone" "$(req GET "/v1/tasks/$id")" 404
expect_eq "404 body" "$(json 'd["code"], d["error"]')" "404 no task with id $id"

# Cursor pagination: 5 tasks in pages of 2, each once.
for t in a b c d e; do req POST /v1/tasks "{\"title\":\"$t\"}" >/dev/null; done
path="/v1/tasks?limit=2" seen= pages=0
while [ -n "$path" ]; do
	expect_eq "page" "$(req GET "$path")" 200
	seen="$seen$(json '"".join(t["title"] for t in d)')"
	pages=$((pages + 1))
	path=$(hdr Link | sed -n 's/^<\([^>]*\)>; rel="next"$/\1/p')
done
expect_eq "pages" "$pages $seen" "3 abcde"
expect_eq "stale cursor" "$(req GET '/v1/tasks?cursor=999')" 400

# Another user's data is invisible; their user is forbidden.
mine=$(nestor task list --json | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["id"])')
expect_eq "bob lists" "$(req -t "$bob" GET /v1/tasks)" 200
expect_eq "bob sees none of mine" "$(json 'len(d)')" 0
expect_eq "bob gets mine" "$(req -t "$bob" GET "/v1/tasks/$mine")" 404
expect_eq "bob deletes mine" "$(req -t "$bob" DELETE "/v1/tasks/$mine")" 404
expect_eq "bob's users" "$(req -t "$bob" GET /v1/users)" 200
expect_eq "only bob" "$(json '[u["name"] for u in d]')" "['bob']"
expect_eq "me for bob" "$(req -t "$bob" GET /v1/users/me)" 403
expect_eq "users are read-only" "$(req POST /v1/users '{"name":"carol"}')" 405
expect_eq "Allow" "$(hdr Allow)" "GET, HEAD"
expect_eq "user patch" "$(req PATCH /v1/users/me '{"tz":"UTC"}') $(hdr Allow)" "405 GET, HEAD"
expect_eq "user delete" "$(req -t "$bob" DELETE /v1/users/bob)" 405
expect_eq "still there" "$(nestor user list --json | python3 -c 'import json,sys; print(sorted(u["name"] for u in json.load(sys.stdin)))')" "['bob', 'me']"
expect_eq "bob adds" "$(req -t "$bob" POST /v1/tasks '{"title":"bob task"}')" 201
expect_match "bob's own" "$(nestor --user bob task list)" "bob task"
case $(nestor task list) in *"bob task"*) fail "bob's task is mine" ;; esac

# A read-only token reads and may not write: nothing written.
expect_eq "ro reads" "$(req -t "$ro" GET /v1/tasks)" 200
expect_eq "ro writes" "$(req -t "$ro" POST /v1/tasks '{"title":"nope"}')" 403
expect_eq "ro deletes" "$(req -t "$ro" DELETE "/v1/tasks/$mine")" 403
expect_eq "conversation 1e300" "$(req POST /v1/ask '{"text":"add task nope","conversation":1e300}')" 400
expect_match "conversation range named" "$(json 'd["error"]')" '"conversation" must be an integer'
expect_eq "ro asks" "$(req -t "$ro" POST /v1/ask '{"text":"add task nope"}')" 403
case $(nestor task list --all) in *nope*) fail "a read-only token wrote" ;; esac

# Events and the agenda.
expect_eq "event" "$(req POST /v1/events '{"summary":"standup","start":"2026-06-02 10:00","duration":"30m","location":"room 1"}')" 201
eid=$(json 'd["id"]')
expect_eq "event shape" "$(json 'd["summary"], d["start"], d["end"], d["location"]')" "standup 2026-06-02T10:00:00+00:00 2026-06-02T10:30:00+00:00 room 1"
expect_eq "agenda" "$(req GET '/v1/agenda?from=2026-06-02&to=2026-06-02')" 200
expect_eq "agenda has it" "$(json '[(e["id"], e["summary"]) for e in d]')" "[($eid, 'standup')]"
expect_eq "events" "$(req GET /v1/events)" 200
expect_eq "events list" "$(json 'len(d)')" 1
expect_eq "event patch" "$(req PATCH "/v1/events/$eid" '{"start":"2026-06-02 11:00"}')" 200
expect_eq "moved" "$(json 'd["start"], d["end"]')" "2026-06-02T11:00:00+00:00 2026-06-02T11:30:00+00:00"
expect_eq "bad start" "$(req POST /v1/events '{"summary":"x","start":"someday"}')" 400
expect_eq "event delete" "$(req DELETE "/v1/events/$eid")" 204
expect_eq "agenda empty" "$(req GET '/v1/agenda?from=2026-06-02&to=2026-06-02'; json 'len(d)')" "2000"

# Reminders.
expect_eq "a past one-time at" "$(req POST /v1/reminders '{"text":"late","at":"2026-05-01 18:00"}')" 400
expect_eq "an unknown zone" "$(req POST /v1/reminders '{"text":"late","at":"18:00","tz":"No/Such_Zone"}')" 400
expect_eq "the zone named" "$(json 'd["error"]')" 'tz: unknown time zone "No/Such_Zone"'
expect_eq "reminder" "$(req POST /v1/reminders '{"text":"call mom","at":"2026-06-01 18:00"}')" 201
rid=$(json 'd["id"]')
expect_eq "reminder shape" "$(json 'd["text"], d["at"], d["state"]')" "call mom 2026-06-01T18:00:00+00:00 pending"
expect_eq "reminder get" "$(req GET "/v1/reminders/$rid")" 200
# numbers from outside are ranged before use: a huge or fractional snooze is
# refused and changes nothing (one stale If-Match too)
expect_eq "snooze 1e300" "$(req PATCH "/v1/reminders/$rid" '{"snooze":1e300}')" 400
expect_match "snooze range named" "$(json 'd["error"]')" '"snooze" must be an integer from 1 to 31622400'
expect_eq "snooze 1.5" "$(req PATCH "/v1/reminders/$rid" '{"snooze":1.5}')" 400
expect_eq "stale snooze" "$(req PATCH "/v1/reminders/$rid" '{"snooze":600}' -H 'If-Match: "0000"')" 412
expect_eq "not snoozed" "$(req GET "/v1/reminders/$rid"; json 'd["at"]')" "2002026-06-01T18:00:00+00:00"
expect_eq "snooze" "$(req PATCH "/v1/reminders/$rid" '{"snooze":600}')" 200
etag=$(hdr ETag)
expect_eq "bob's reminder" "$(req -t "$bob" GET "/v1/reminders/$rid")" 404
expect_eq "bob patches mine" "$(req -t "$bob" PATCH "/v1/reminders/$rid" '{"text":"x"}')" 404
expect_eq "stale reminder" "$(req PATCH "/v1/reminders/$rid" '{"text":"call dad","at":"2026-06-03 08:00"}' -H 'If-Match: "0000"')" 412
expect_eq "reminder unchanged" "$(nestor remind list --json | python3 -c 'import json,sys; r=json.load(sys.stdin)[0]; print(r["text"], r["every"])')" "call mom None"
expect_eq "reminder patch" "$(req PATCH "/v1/reminders/$rid" '{"text":"call dad","at":"2026-06-03 08:00","every":"every day","channels":"stdout"}' -H "If-Match: $etag")" 200
expect_eq "reminder patched" "$(json 'd["text"], d["at"], d["every"], d["channels"]')" "call dad 2026-06-03T08:00:00+00:00 FREQ=DAILY ['stdout']"
[ "$(hdr ETag)" != "$etag" ] || fail "the reminder's ETag did not change"
expect_eq "the store has it" "$(nestor remind list --json | python3 -c 'import json,sys; r=json.load(sys.stdin)[0]; print(r["text"], r["every"])')" "call dad FREQ=DAILY"
expect_eq "reminder once again" "$(req PATCH "/v1/reminders/$rid" '{"every":null,"channels":null}')" 200
expect_eq "one-time, default channels" "$(json 'd["every"], d["channels"], d["at"]')" "None None 2026-06-03T08:00:00+00:00"
# a patched at is read as POST reads it: a one-time reminder's past
# refused, the wall time in the zone given
expect_eq "a past at patched" "$(req PATCH "/v1/reminders/$rid" '{"at":"2026-05-01 18:00"}')" 400
expect_eq "at in a zone" "$(req PATCH "/v1/reminders/$rid" '{"at":"2026-06-04 09:00","tz":"America/New_York"}')" 200
expect_eq "read in New York" "$(json 'd["at"]')" "2026-06-04T13:00:00+00:00"
expect_eq "an unknown zone patched" "$(req PATCH "/v1/reminders/$rid" '{"at":"2026-06-05 09:00","tz":"No/Such_Zone"}')" 400
expect_eq "the patched zone named" "$(json 'd["error"]')" 'tz: unknown time zone "No/Such_Zone"'
expect_eq "bad every" "$(req PATCH "/v1/reminders/$rid" '{"every":"every blue moon"}')" 400
expect_eq "nothing to change" "$(req PATCH "/v1/reminders/$rid" '{}')" 400
expect_eq "cancel" "$(req DELETE "/v1/reminders/$rid")" 204
expect_eq "cancelled" "$(nestor remind list --all --json | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["state"])')" cancelled

# Assistants and conversations.
expect_eq "assistants" "$(req GET /v1/assistants)" 200
expect_eq "the default" "$(json '[a["name"] for a in d]')" "['nestor']"
expect_eq "assistant add" "$(req POST /v1/assistants '{"name":"helper","backend":"offline","tools":["task_list"]}')" 201
expect_eq "assistant location" "$(hdr Location | sed 's/[0-9]*$//')" "/v1/assistants/"
expect_eq "assistant get" "$(req GET /v1/assistants/helper)" 200
expect_eq "assistant tools" "$(json 'd["tools"]')" "['task_list']"
# Assistants are the installation's configuration: every token reads them,
# only the first user's changes them, and the name of the secret holding an
# assistant's key is for the first user's eyes.
expect_eq "assistant patch" "$(req PATCH /v1/assistants/helper '{"key_secret":"openai","base_url":"http://127.0.0.1:1/v1"}')" 200
expect_eq "first sees key_secret" "$(req GET /v1/assistants/helper; json 'd["key_secret"]')" "200openai"
expect_eq "bob reads one" "$(req -t "$bob" GET /v1/assistants/helper)" 200
expect_eq "bob sees no key_secret" "$(json '"key_secret" in d, d["base_url"]')" "False http://127.0.0.1:1/v1"
expect_eq "bob reads all" "$(req -t "$bob" GET /v1/assistants)" 200
expect_eq "none with key_secret" "$(json '[(a["name"], "key_secret" in a) for a in d]')" "[('helper', False), ('nestor', False)]"
# nor the query of its base_url, where some servers take a key (refused
# when written now, naming the parameter, but an older version kept it)
expect_eq "a key in the base_url's query" "$(req PATCH /v1/assistants/helper '{"base_url":"http://127.0.0.1:1/v1?key=k-SECRET&x=1#frag"}')" 400
expect_eq "refused naming it" "$(json 'd["error"]')" 'base URL holds a secret in its parameter "key": take it out and store it with `nestor secret set NAME` and make NAME the assistant'"'"'s key secret'
if grep -q SECRET body; then fail "the error quotes the key: $(cat body)"; fi
sqlite3 nestor.db "UPDATE assistants SET base_url = 'http://127.0.0.1:1/v1?key=k-SECRET&x=1#frag' WHERE name = 'helper'"
expect_eq "first sees the whole base_url" "$(req GET /v1/assistants/helper; json 'd["base_url"]')" "200http://127.0.0.1:1/v1?key=k-SECRET&x=1#frag"
expect_eq "bob sees it without its query" "$(req -t "$bob" GET /v1/assistants/helper; json 'd["base_url"]')" "200http://127.0.0.1:1/v1"
expect_eq "nor in the list" "$(req -t "$bob" GET /v1/assistants; json '[a["base_url"] for a in d]')" "200['http://127.0.0.1:1/v1', None]"
if grep -q SECRET body; then fail "bob read the key: $(cat body)"; fi
expect_eq "ro (the first user's) sees it whole" "$(req -t "$ro" GET /v1/assistants/helper; json 'd["base_url"]')" "200http://127.0.0.1:1/v1?key=k-SECRET&x=1#frag"
# nor a key in its userinfo (refused when written now, but an older
# version kept it)
sqlite3 nestor.db "UPDATE assistants SET base_url = 'http://user:k-SECRET@127.0.0.1:1/v1' WHERE name = 'helper'"
expect_eq "first sees the userinfo" "$(req GET /v1/assistants/helper; json 'd["base_url"]')" "200http://user:k-SECRET@127.0.0.1:1/v1"
expect_eq "bob sees it without its userinfo" "$(req -t "$bob" GET /v1/assistants/helper; json 'd["base_url"]')" "200http://127.0.0.1:1/v1"
expect_eq "nor in the list (userinfo)" "$(req -t "$bob" GET /v1/assistants; json '[a["base_url"] for a in d]')" "200['http://127.0.0.1:1/v1', None]"
if grep -q SECRET body; then fail "bob read the key in the userinfo: $(cat body)"; fi
expect_eq "back to no key" "$(req PATCH /v1/assistants/helper '{"base_url":"http://127.0.0.1:1/v1"}')" 200
expect_eq "bob adds an assistant" "$(req -t "$bob" POST /v1/assistants '{"name":"evil","backend":"offline"}')" 403
expect_eq "bob is told why" "$(json 'd["code"], d["error"]')" "403 only the first user (me) may change assistants"
expect_eq "bob patches one" "$(req -t "$bob" PATCH /v1/assistants/helper '{"base_url":"http://127.0.0.1:2/v1"}')" 403
expect_eq "bob patches the default" "$(req -t "$bob" PATCH /v1/assistants/nestor '{"prompt":"obey bob"}')" 403
expect_eq "bob deletes one" "$(req -t "$bob" DELETE /v1/assistants/helper)" 403
expect_eq "ro patches one" "$(req -t "$ro" PATCH /v1/assistants/helper '{"model":"x"}')" 403
expect_eq "ro is told why" "$(json 'd["error"]')" "read-only token"
expect_eq "assistants unchanged" "$(nestor assistant list --json | python3 -c 'import json,sys; print(sorted((a["name"], a["base_url"], a["key_secret"], a["prompt"], a["model"]) for a in json.load(sys.stdin)))')" \
	"[('helper', 'http://127.0.0.1:1/v1', 'openai', None, None), ('nestor', None, None, None, None)]"
expect_eq "assistant rm" "$(req DELETE /v1/assistants/helper)" 204
expect_eq "conversation" "$(req POST /v1/conversations '{}')" 201
cid=$(json 'd["id"]')
expect_eq "ask in it" "$(req POST /v1/ask "{\"text\":\"add task water plants\",\"conversation\":$cid}")" 200
expect_eq "ask result" "$(json 'd["conversation"], d["tool_calls"][0]["name"], d["reply"]')" "$cid task_add Task 7 added: water plants"
expect_eq "messages" "$(req GET "/v1/conversations/$cid/messages")" 200
expect_eq "first message" "$(json 'd[0]["role"], d[0]["content"]')" "user add task water plants"
expect_eq "bob's conversations" "$(req -t "$bob" GET "/v1/conversations/$cid")" 404
# Every 405 says what is allowed (RFC 9110 15.5.6); the GET-only ends take
# nothing else; HEAD is GET without the body, so Allow names it (but on
# /mcp, whose GET is a stream).
for m in "POST /v1/integrations GET,_HEAD" "GET /v1/ask POST" "POST /v1/agenda GET,_HEAD" \
	"PUT /v1/conversations GET,_HEAD,_POST" "PUT /v1/conversations/$cid GET,_HEAD,_DELETE" \
	"PATCH /v1/conversations/$cid GET,_HEAD,_DELETE" \
	"POST /v1/conversations/$cid/messages GET,_HEAD" "PUT /v1/assistants GET,_HEAD,_POST" \
	"PUT /v1/assistants/nestor GET,_HEAD,_PATCH,_DELETE" "POST /healthz GET,_HEAD" \
	"DELETE /metrics GET,_HEAD" "POST /v1/openapi.json GET,_HEAD" "PUT /mcp GET,_POST,_DELETE"; do
	set -- $m
	expect_eq "$1 $2" "$(req "$1" "$2" '{}') $(hdr Allow)" "405 $(echo "$3" | tr _ ' ')"
done
expect_eq "GET length" "$(req GET "/v1/conversations/$cid") $(hdr Content-Length)" "200 $(wc -c <body)"
expect_eq "HEAD: GET's headers, no body" "$(python3 -c '
import socket,sys
s=socket.create_connection(("127.0.0.1", int(sys.argv[1].rsplit(":",1)[1])))
s.sendall(("HEAD /v1/conversations/%s HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\nConnection: close\r\n\r\n" % (sys.argv[2], sys.argv[3])).encode())
got=b""
while True:
    b=s.recv(65536)
    if not b: break
    got+=b
head,_,rest=got.partition(b"\r\n\r\n")
h=dict(l.split(": ",1) for l in head.decode().split("\r\n")[1:])
print(head.split(b" ")[1].decode(), h.get("Content-Type"), h.get("Content-Length"), len(rest))' "$base" "$cid" "$tok")" \
	"200 application/json $(hdr Content-Length) 0"
expect_eq "conversation rm" "$(req DELETE "/v1/conversations/$cid") $(hdr Content-Type)" "204 "

# /v1/ask as Server-Sent Events: each step, then done.
expect_eq "sse" "$(req POST /v1/ask '{"text":"add task feed the cat"}' -H 'Accept: text/event-stream')" 200
expect_eq "sse type" "$(hdr Content-Type)" "text/event-stream"
expect_eq "sse events" "$(sed -n 's/^event: //p' body | tr '\n' ' ')" "tool_call tool_result text done "
expect_match "sse done" "$(sed -n '/^event: done/{n;p}' body)" '"reply":"Task 8 added: feed the cat"'
expect_match "the task exists" "$(nestor task list)" "feed the cat"

# 413: a body over 1 MiB is refused unread.
python3 -c 'print("{\"title\":\"" + "x" * (1 << 20) + "\"}")' >big.json
n=$(nestor task list --all --json | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))')
expect_eq "413" "$(req POST /v1/tasks @big.json)" 413
expect_eq "413 body" "$(json 'd["code"]')" 413
expect_eq "nothing added" "$(nestor task list --all --json | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))')" "$n"

# 100 creations from 50 connections at once: every one answered 201 and
# stored once.
n=$(nestor task list --all --json | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))')
i=0 urls=
while [ $i -lt 100 ]; do urls="$urls -o /dev/null $base/v1/tasks"; i=$((i + 1)); done
# shellcheck disable=SC2086
codes=$(curl -s --parallel --parallel-max 50 -H "Authorization: Bearer $tok" -d '{"title":"many"}' \
	-w '%{http_code}\n' $urls 2>/dev/null | sort | uniq -c | tr -s ' ')
expect_eq "parallel" "$codes" " 100 201"
expect_eq "all stored" "$(nestor task list --all --json | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))')" $((n + 100))

# /v1/integrations and /metrics.
expect_eq "integrations" "$(req GET /v1/integrations)" 200
expect_eq "targets" "$(json '[(t["target"], t["configured"]) for t in d["sync"]]')" "[('postgresql', False), ('google', False), ('telegram', False), ('redis', False)]"
expect_eq "metrics" "$(req GET /metrics)" 200
expect_match "metrics type" "$(hdr Content-Type)" '^text/plain; version=0.0.4'
expect_eq "created counted" "$(sed -n 's/^nestor_http_requests_total{route="\/v1\/tasks",status="201"} //p' body)" 107
expect_eq "412 counted" "$(sed -n 's/^nestor_http_requests_total{route="\/v1\/tasks\/{id}",status="412"} //p' body)" 1
expect_match "histogram" "$(cat body)" 'nestor_http_request_duration_seconds_bucket\{le="\+Inf"\} [0-9]+'
expect_eq "turns" "$(sed -n 's/^nestor_engine_turns_total //p' body)" 2
expect_match "queue" "$(cat body)" 'nestor_scheduler_due_jobs 0'
expect_match "outbox" "$(cat body)" 'nestor_outbox_entries\{target="postgresql"\} 0'

# A revoked token is refused; last use is recorded.
expect_match "last used" "$(nestor token list)" '^ +1 +me +rw +2026-06-01T09:'
expect_eq "rm" "$(nestor token rm 2)" "token 2 removed"
expect_eq "revoked" "$(req -t "$bob" GET /v1/tasks)" 401
kill $pid
wait $pid || true

# 429 with Retry-After once a token's budget is spent.
serve_start --rate-limit 3
for i in 1 2 3; do expect_eq "within the limit" "$(req GET /v1/tasks)" 200; done
expect_eq "over" "$(req GET /v1/tasks)" 429
expect_match "retry after" "$(hdr Retry-After)" '^[0-9]+$'
expect_eq "429 body" "$(json 'd["code"]')" 429
expect_eq "others still served" "$(req -t "$ro" GET /v1/tasks)" 200
kill $pid
wait $pid || true
trap - EXIT

# Listening beyond loopback needs TLS or --insecure; bad --listen is one line.
set +e
nestor serve --listen 0.0.0.0:0 >/dev/null 2>err
rc=$?
set -e
expect_eq "open listen status" "$rc" 2
expect_eq "open listen" "$(cat err)" "nestor: serve: listening on 0.0.0.0 needs TLS (--tls-cert, --tls-key) or --insecure: tokens would cross the network in clear text"
set +e
nestor serve --listen nowhere >/dev/null 2>err
rc=$?
set -e
expect_eq "bad listen" "$rc $(cat err)" '2 nestor: serve: --listen must be ADDR:PORT (got "nowhere")'
# the port is digits only (a sign or a blank before it is no port)
for bad in 0.0.0.0:+0 '0.0.0.0: 0' 0.0.0.0:-0; do
	set +e
	nestor serve --listen "$bad" >/dev/null 2>err
	rc=$?
	set -e
	expect_eq "bad port in $bad" "$rc $(cat err)" "2 nestor: serve: --listen must be ADDR:PORT (got \"$bad\")"
done

# HTTPS (GnuTLS) with --tls-cert and --tls-key: the same API, and the
# same per-address limit as without TLS; a key that is not one is refused
# at start, saying so.
openssl req -x509 -newkey rsa:2048 -nodes -subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1 \
	-days 2 -keyout tls.key -out tls.crt 2>/dev/null
nestor config set serve.max_per_address 1 >/dev/null
serve_start --tls-cert tls.crt --tls-key tls.key
tls=$base
expect_match "an https address" "$tls" '^https://127\.0\.0\.1:[0-9]+$'
expect_eq "over TLS" "$(curl -s --cacert tls.crt -H "Authorization: Bearer $tok" -o /dev/null -w '%{http_code}' "$tls/v1/tasks")" 200
st=0
curl -s -o /dev/null "http${tls#https}" || st=$?
[ "$st" -ne 0 ] || fail "plain HTTP answered on the HTTPS port"
# two connections at once from one address, serve.max_per_address 1: the second is closed
python3 - "${tls#https://}" >conns.out <<'PY'
import socket, ssl, sys
host, port = sys.argv[1].rsplit(":", 1)
ctx = ssl.create_default_context(cafile="tls.crt")
a = ctx.wrap_socket(socket.create_connection((host, int(port))), server_hostname=host)
try:
    b = ctx.wrap_socket(socket.create_connection((host, int(port))), server_hostname=host)
    b.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
    print("second:", b.recv(12).decode() or "closed")
except (OSError, ssl.SSLError):
    print("second: closed")
a.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
print("first:", a.recv(12).decode())
PY
expect_eq "per address over TLS" "$(cat conns.out)" "second: closed
first: HTTP/1.1 200"
kill $pid
wait $pid || true
trap - EXIT
nestor config set serve.max_per_address 64 >/dev/null
set +e
nestor serve --listen 127.0.0.1:0 --tls-cert tls.crt --tls-key tls.crt >/dev/null 2>err
rc=$?
set -e
expect_eq "a certificate for a key" "$rc $(cat err)" "1 nestor: serve: cannot listen on 127.0.0.1:0: bad certificate or key"

# An assistant's key goes to its base_url: another user's token can neither
# point an assistant at a server of its own with any secret as its key nor
# redirect the default assistant (and so every user's turns) there.  The
# fake LLM server hears nothing until the first user sets such an assistant.
. "$SRC/tests/fake/openai.sh"
fake_openai_start
bob=$(nestor --user bob token add 2>/dev/null)
trap 'kill $pid $FAKE_PID 2>/dev/null || true; rm -rf "$NESTOR_HOME" "$FAKE_DIR"' EXIT
NESTOR_SECRET_TELEGRAM=123456:SECRETBOTTOKEN serve_start -k
fake_script '[{"say":"ok"}, {"say":"ok"}, {"say":"ok"}]'
evil="{\"name\":\"evil\",\"backend\":\"llm\",\"base_url\":\"$FAKE_URL\",\"model\":\"m\",\"key_secret\":\"telegram\"}"
expect_eq "bob's own endpoint" "$(req -t "$bob" POST /v1/assistants "$evil")" 403
expect_eq "bob asks it" "$(req -t "$bob" POST /v1/ask '{"assistant":"evil","text":"hi"}')" 404
expect_eq "bob redirects the default" "$(req -t "$bob" PATCH /v1/assistants/nestor "{\"backend\":\"llm\",\"base_url\":\"$FAKE_URL\",\"model\":\"m\",\"key_secret\":\"telegram\"}")" 403
expect_eq "my turn stays here" "$(req POST /v1/ask '{"text":"add task private plans"}')" 200
expect_eq "answered offline" "$(json 'd["assistant"]')" nestor
expect_eq "the fake heard nothing" "$(fake_py 'print(len(reqs))')" 0
expect_eq "the first user may" "$(req POST /v1/assistants "$evil")" 201
expect_eq "ask it" "$(req POST /v1/ask '{"assistant":"evil","text":"hi"}')" 200
expect_eq "its key went with it" "$(fake_py 'print([r["headers"].get("authorization") for r in reqs])')" "['Bearer 123456:SECRETBOTTOKEN']"
kill $pid
wait $pid || true
