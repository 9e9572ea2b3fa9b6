# nestor serve: hostile input over HTTP is refused with 400 naming the
# field, and nothing is stored.
. "$(dirname "$0")/lib.sh"
command -v curl >/dev/null || fail "curl is needed"
cd "$NESTOR_HOME"
json() { python3 -c "import json,sys; d=json.load(open('body')); print($1)"; }
tok=$(nestor token add --label test 2>/dev/null)
serve_start
# req METHOD PATH [BODY]: the status on stdout, the body in ./body
req() {
	curl -s -o body -w '%{http_code}' -X "$1" -H "Authorization: Bearer $tok" \
		${3:+--data-binary "$3"} "$base$2"
}

# An event's calendar name is a title: UTF-8 of at most 1000 bytes.
long=$(head -c 1001 /dev/zero | tr '\0' c)
expect_eq "long calendar" "$(req POST /v1/events '{"summary":"x","start":"2026-06-02 10:00","calendar":"'"$long"'"}')" 400
expect_eq "long calendar error" "$(json 'd["error"]')" "calendar: too long (1001 bytes, at most 1000)"
req GET /v1/events >/dev/null
expect_eq "no event stored" "$(json 'len(d)')" 0

# A turn's text is at most 64 KiB: 400 before the turn runs, nothing stored.
big=$(head -c 65537 /dev/zero | tr '\0' a)
expect_eq "a long ask" "$(req POST /v1/ask '{"text":"'"$big"'"}')" 400
expect_eq "a long ask: error" "$(json 'd["error"]')" '"text": too long (65537 bytes, at most 65536)'
req GET /v1/conversations >/dev/null
expect_eq "no conversation stored" "$(json 'len(d)')" 0

# Control characters (but tab and newline) are refused, naming the field.
expect_eq "escape in a title" "$(req POST /v1/tasks '{"title":"pay \u001b]8;;http://x\u001b\\rent"}')" 400
expect_eq "escape in a title: error" "$(json 'd["error"]')" "title: control character U+001B (byte 5)"
expect_eq "escape in a calendar" "$(req POST /v1/events '{"summary":"x","start":"2026-06-02 10:00","calendar":"c\u001b]0;p\u0007"}')" 400
expect_eq "escape in a calendar: error" "$(json 'd["error"]')" "calendar: control character U+001B (byte 2)"
expect_eq "tab and newline are text" "$(req POST /v1/tasks '{"title":"a\tb","notes":"line 1\nline 2"}')" 201
# but escaped, as RFC 8259 has them: raw in a string, the body is no JSON
expect_eq "a raw tab in a title" "$(req POST /v1/tasks "$(printf '{"title":"a\tb"}')")" 400
expect_eq "a raw tab in a title: error" "$(json 'd["error"]')" \
	"the body is not valid JSON (at byte 11: a control character (U+0009) in a string, not escaped)"
expect_eq "a raw newline in notes" "$(req POST /v1/tasks "$(printf '{"title":"ab","notes":"1\n2"}')")" 400
expect_eq "a raw escape in a member name" "$(req POST /v1/tasks "$(printf '{"title":"ab","\033":1}')")" 400
expect_eq "a raw escape in a member name: error" "$(json 'd["error"]')" \
	"the body is not valid JSON (at byte 15: a control character (U+001B) in a string, not escaped)"
req GET /v1/tasks >/dev/null
expect_eq "one task stored" "$(json 'len(d)')" 1

# A NUL would cut the text there: refused, in the body and in the path.
expect_eq "NUL in a title" "$(req POST /v1/tasks '{"title":"buy milk\u0000\u001b[2J x"}')" 400
expect_eq "NUL in a title: error" "$(json 'd["error"]')" '"title": a NUL character (\u0000) is not text'
printf '{"title":"a\0b"}' >raw.json
expect_eq "NUL byte in the body" "$(curl -s -o body -w '%{http_code}' -X POST -H "Authorization: Bearer $tok" --data-binary @raw.json "$base/v1/tasks")" 400
req GET /v1/tasks >/dev/null
expect_eq "still one task" "$(json 'len(d)')" 1
expect_eq "NUL in an id" "$(req GET /v1/tasks/1%00x)" 400
expect_eq "NUL in an id: error" "$(json 'd["error"]')" 'bad id "1%00x"'
expect_eq "an escaped digit is a digit" "$(req GET /v1/tasks/%31)" 200
expect_eq "an id past 64 bits" "$(req GET /v1/tasks/99999999999999999999)" 400
expect_eq "an id past 64 bits: error" "$(json 'd["error"]')" 'bad id "99999999999999999999"'
# an id is digits, as the man page says: not "+1", " 1" or "01"
for id in %2B1 %201 01 0 -1; do
	expect_eq "id $id" "$(req GET /v1/tasks/$id)" 400
done

# What the request echoes in an error (an id, a cursor, If-Match, the
# path) comes back as valid UTF-8, its control characters escaped: the
# body is JSON a client can parse and a terminal can show.
utf8_body() { python3 -c "import sys; sys.stdout.write(open('body','rb').read().decode('utf-8', 'strict'))" >/dev/null 2>&1 && echo valid || echo invalid; }
expect_eq "bad bytes in an id" "$(req GET /v1/tasks/%ff%1b%5b31m)" 400
expect_eq "bad bytes in an id: UTF-8" "$(utf8_body)" valid
expect_eq "bad bytes in an id: error" "$(json 'd["error"]')" 'bad id "\xff\x1b[31m"'
expect_eq "bad bytes in a cursor" "$(req GET '/v1/tasks?cursor=%ff%1b')" 400
expect_eq "bad bytes in a cursor: UTF-8" "$(utf8_body)" valid
expect_eq "bad bytes in a cursor: error" "$(json 'd["error"]')" 'cursor "\xff\x1b" is not in the list any more'
expect_eq "bad bytes in a path" "$(req PUT /v1/agenda/%ff)" 404
expect_eq "bad bytes in a method's path" "$(req PUT /v1/agenda)" 405
expect_eq "405: error" "$(json 'd["error"]')" '"PUT" is not allowed on "/v1/agenda"'
tid=$(req GET /v1/tasks >/dev/null; json 'd[0]["id"]')
printf 'If-Match: "\377\033[31m"\r\n' >ifm
expect_eq "bad bytes in If-Match" "$(curl -s -o body -w '%{http_code}' -X PATCH -H "Authorization: Bearer $tok" -H @ifm --data '{"title":"y"}' "$base/v1/tasks/$tid")" 412
expect_eq "bad bytes in If-Match: UTF-8" "$(utf8_body)" valid
expect_match "bad bytes in If-Match: error" "$(json 'd["error"]')" 'If-Match "\\"\\xff\\x1b\[31m\\""'

# A window is at most 366 days and 10000 occurrences, refused before it
# is built whole: a read-only token could make the server expand a series
# for centuries.
expect_eq "an hourly event" "$(req POST /v1/events '{"summary":"hourly","start":"2026-01-01 00:00","every":"FREQ=HOURLY"}')" 201
expect_eq "a daily event" "$(req POST /v1/events '{"summary":"daily","start":"2026-01-01 09:00","every":"every day"}')" 201
expect_eq "a window of centuries" "$(req GET '/v1/agenda?from=2026-01-01&to=2999-01-01')" 400
expect_eq "a window of centuries: error" "$(json 'd["error"]')" "to must be at most 366 days after from"
expect_eq "a leap year" "$(req GET '/v1/agenda?from=2028-01-01&to=2028-12-31')" 200
expect_eq "a leap year: its occurrences" "$(json 'len(d)')" 9150
expect_eq "a year across 29 February, to a date" "$(req GET '/v1/agenda?from=2027-03-01&to=2028-03-01')" 200
expect_eq "a year across 29 February: its last day too" "$(json 'len(d)')" 9175
expect_eq "a day more" "$(req GET '/v1/agenda?from=2027-03-01&to=2028-03-02')" 400
expect_eq "a day more: error" "$(json 'd["error"]')" "to must be at most 366 days after from"
expect_eq "a half-hourly event" "$(req POST /v1/events '{"summary":"half past","start":"2026-01-01 00:30","every":"FREQ=HOURLY"}')" 201
expect_eq "too many occurrences" "$(req GET '/v1/agenda?from=2028-01-01&to=2028-12-31')" 400
expect_eq "too many occurrences: error" "$(json 'd["error"]')" "more than 10000 occurrences between 2028-01-01T00:00:00+00:00 and 2029-01-01T00:00:00+00:00; ask a shorter window"
expect_eq "the command line has no limit" "$(nestor agenda --from 2026-01-01 --to 2028-12-31 --json | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))')" 53704

# Numbers are whole or refused, never cut: 300.7 was 300, -0.5 was 0; an id
# is digits to its end ("1abc" was user 1).
expect_eq "a fraction of a budget" "$(req POST /v1/assistants '{"name":"zz","token_budget":300.7}')" 400
expect_eq "a fraction of a budget: error" "$(json 'd["error"]')" '"token_budget" must be an integer from 256 to 1000000'
expect_eq "a fraction of max_tokens" "$(req POST /v1/assistants '{"name":"zz","token_budget":300,"max_tokens":-0.5}')" 400
expect_eq "a fraction of max_tokens: error" "$(json 'd["error"]')" '"max_tokens" must be an integer from 0 to 1000000'
expect_eq "no assistant added" "$(req GET /v1/assistants/zz)" 404
# 3e2 and 300.0 make 300 but are no integer, as an MCP id is none
expect_eq "an exponent of a budget" "$(req POST /v1/assistants '{"name":"zz","token_budget":3e2}')" 400
expect_eq "an exponent of a budget: error" "$(json 'd["error"]')" '"token_budget" must be an integer from 256 to 1000000'
expect_eq "a whole fraction of max_tokens" "$(req POST /v1/assistants '{"name":"zz","token_budget":300,"max_tokens":10.0}')" 400
expect_eq "a whole fraction of max_tokens: error" "$(json 'd["error"]')" '"max_tokens" must be an integer from 0 to 1000000'
expect_eq "a priority 1e0" "$(req PATCH "/v1/tasks/$tid" '{"priority":1e0}')" 400
expect_eq "a priority 1e0: error" "$(json 'd["error"]')" '"priority" must be an integer 0-9'
expect_eq "a conversation 1.0" "$(req POST /v1/ask '{"text":"hi","conversation":1.0}')" 400
expect_eq "a conversation 1.0: error" "$(json 'd["error"]')" '"conversation" must be an integer from 1 to 9007199254740991'
expect_eq "whole numbers" "$(req POST /v1/assistants '{"name":"zz","token_budget":300,"max_tokens":null}')" 201
expect_eq "whole numbers: stored" "$(json 'd["token_budget"], d["max_tokens"]')" "300 None"
uid=$(req GET /v1/users >/dev/null; json 'd[0]["id"]')
expect_eq "the token's user by id" "$(req GET "/v1/users/$uid")" 200
expect_eq "an id with letters after it" "$(req GET "/v1/users/${uid}abc")" 403
expect_eq "an id with letters after it: error" "$(json 'd["error"]')" "user \"${uid}abc\" is not this token's"
# JSON that does not parse says so, and where (a lone surrogate here).
expect_eq "a lone surrogate" "$(req POST /v1/tasks '{"title":"\ud800"}')" 400
expect_eq "a lone surrogate: error" "$(json 'd["error"]')" "the body is not valid JSON (at byte 10)"
expect_eq "not an object" "$(req POST /v1/tasks '[1]')" 400
expect_eq "not an object: error" "$(json 'd["error"]')" "the body must be a JSON object"
# One JSON value, each member name once: what follows the object, or a
# second "title", was read as nothing (the first object, the first title).
expect_eq "two objects" "$(req POST /v1/tasks '{"title":"t1"}{"title":"t2"}')" 400
expect_eq "two objects: error" "$(json 'd["error"]')" "the body is not valid JSON (at byte 14: more after the value)"
expect_eq "garbage after" "$(req POST /v1/tasks '{"title":"tg"} garbage')" 400
expect_eq "white space after is fine" "$(req POST /v1/tasks '{"title":"tw"} 
')" 201
expect_eq "a title twice" "$(req POST /v1/tasks '{"title":"a","title":"b"}')" 400
expect_eq "a title twice: error" "$(json 'd["error"]')" '"title": given twice'
tid=$(req GET /v1/tasks >/dev/null; json '[t["id"] for t in d if t["title"]=="tw"][0]')
expect_eq "a priority twice" "$(req PATCH "/v1/tasks/$tid" '{"priority":1,"priority":"high"}')" 400
expect_eq "a name twice, deeper" "$(req POST /v1/assistants '{"name":"dd","tools":[{"a":1,"a":2}]}')" 400
expect_eq "a name twice, deeper: error" "$(json 'd["error"]')" '"tools[0].a": given twice'
req GET /v1/tasks >/dev/null
expect_eq "only the white-space one stored" "$(json 'sorted(t["title"] for t in d if t["title"].startswith("t"))')" "['tw']"

# A body has one end: two Content-Length headers (even equal), or one with
# a Transfer-Encoding, are 400 and the connection closed.  The first length
# was read and the rest of the body taken for a next request, answered
# unseen by anything in front (request smuggling).
ntasks=$(req GET /v1/tasks >/dev/null; json 'len(d)')
smuggle() {
	python3 - "${base##*:}" "$tok" "$1" <<'PY'
import re, socket, sys
port, tok, case = int(sys.argv[1]), sys.argv[2].encode(), sys.argv[3]
body = b'{"title":"smuggled"}'
hidden = (b"GET /v1/users HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + tok +
	  b"\r\nConnection: close\r\n\r\n")
n = len(body)
head = {
	"two": b"Content-Length: %d\r\nContent-Length: %d\r\n" % (n, n + len(hidden)),
	"equal": b"Content-Length: %d\r\nContent-Length: %d\r\n" % (n, n),
	"te": b"Content-Length: %d\r\nTransfer-Encoding: chunked\r\n" % n,
	"negative": b"Content-Length: -1\r\n",
}[case]
payload = b"%x\r\n%s\r\n0\r\n\r\n" % (n, body) if case == "te" else body
s = socket.create_connection(("127.0.0.1", port), timeout=20)
s.sendall(b"POST /v1/tasks HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + tok +
	  b"\r\nContent-Type: application/json\r\n" + head + b"\r\n" + payload + hidden)
out = b""
while True:  # until the server closes the connection
	b = s.recv(65536)
	if not b:
		break
	out += b
print(" ".join(x.decode() for x in re.findall(rb"^HTTP/1\.1 (\d+)", out, re.M)) or "none",
      "hidden" if b'"gid"' in out else "-",
      "close" if re.search(rb"^Connection: close", out, re.M | re.I) else "-")
PY
}
expect_eq "two lengths" "$(smuggle two)" "400 - close"
expect_eq "two equal lengths" "$(smuggle equal)" "400 - close"
expect_eq "a length and chunks" "$(smuggle te)" "400 - close"
# libmicrohttpd refuses a length that is not digits itself (and writes
# its status line and headers twice): the hidden request is not read.
expect_match "a negative length" "$(smuggle negative)" "^400( 400)? - close$"
req GET /v1/tasks >/dev/null
expect_eq "no task smuggled in" "$(json 'len(d)')" "$ntasks"
