# Shell helpers for tests/fake/openai.py (sourced by tests/cli scripts
# after lib.sh): start it, script its answers, read what it received.
#   fake_openai_start        sets FAKE_PORT and FAKE_URL (…/v1); stops at exit
#   fake_script JSON         queue responses: fake_script '[{"say": "hi"}]'
#   fake_release             let a held stream go on
#   fake_requests            every recorded request, as JSON, on stdout
#   fake_py PYTHON           run python with the requests list bound to `reqs`
#   fake_asked N             true once N requests (or more) were recorded
# Its files live in $FAKE_DIR, apart from $NESTOR_HOME: what it records
# holds the request headers, API keys included.
fake_openai_start() {
	FAKE_DIR=$(mktemp -d "${TMPDIR:-/tmp}/nestor-fake.XXXXXX")
	python3 "$SRC/tests/fake/openai.py" --ppid $$ > "$FAKE_DIR/port" &
	FAKE_PID=$!
	trap 'kill $FAKE_PID 2>/dev/null; rm -rf "$NESTOR_HOME" "$FAKE_DIR"' EXIT
	wait_until "the fake OpenAI server's port" grep -qs '^PORT ' "$FAKE_DIR/port"
	FAKE_PORT=$(awk '{print $2}' "$FAKE_DIR/port")
	FAKE_URL=http://127.0.0.1:$FAKE_PORT/v1
}
fake_call() { # METHOD PATH [BODY]
	python3 - "$FAKE_PORT" "$@" <<'PY'
import sys, urllib.request
port, method, path = sys.argv[1:4]
data = sys.argv[4].encode() if len(sys.argv) > 4 else None
req = urllib.request.Request("http://127.0.0.1:%s%s" % (port, path), data=data, method=method)
sys.stdout.write(urllib.request.urlopen(req, timeout=10).read().decode())
PY
}
fake_script() { fake_call POST /_script "{\"responses\": $1}" > /dev/null; }
fake_release() { fake_call POST /_release '{}' > /dev/null; }
fake_requests() { fake_call GET /_requests; }
fake_py() {
	fake_requests > "$FAKE_DIR/requests.json"
	python3 - "$FAKE_DIR/requests.json" "$1" <<'PY'
import json, sys
reqs = [dict(r, json=json.loads(r["body"]) if r["body"].startswith("{") else None)
        for r in json.load(open(sys.argv[1]))["requests"]]
exec(sys.argv[2])
PY
}
fake_asked() { fake_py "sys.exit(0 if len(reqs) >= $1 else 1)"; }
