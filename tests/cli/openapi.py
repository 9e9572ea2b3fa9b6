"""Validate nestor serve's real answers against its /v1/openapi.json.

    python3 openapi.py BASE_URL TOKEN READ_ONLY_TOKEN OTHER_USERS_TOKEN

Makes requests covering every operation of the document, checks each
status is one the operation declares and each JSON body against the
declared schema (a validator of the JSON Schema subset the document uses:
type, properties, required, items, enum, minimum, maximum, $ref), and
fails when an operation of the document was never exercised.
"""
import json
import re
import sys
import urllib.error
import urllib.request

BASE, TOKEN, RO, OTHER = sys.argv[1:5]
errors = []
covered = set()


def call(method, path, body=None, token=TOKEN, headers=None):
    data = None if body is None else json.dumps(body).encode()
    rq = urllib.request.Request(BASE + path, data=data, method=method)
    if token:
        rq.add_header("Authorization", "Bearer " + token)
    for k, v in (headers or {}).items():
        rq.add_header(k, v)
    try:
        with urllib.request.urlopen(rq) as r:
            return r.status, dict(r.headers), r.read()
    except urllib.error.HTTPError as e:
        return e.code, dict(e.headers), e.read()


status, _, raw = call("GET", "/v1/openapi.json")
assert status == 200, status
DOC = json.loads(raw)


def resolve(s):
    while "$ref" in s:
        s = DOC["components"]["schemas"][s["$ref"].rsplit("/", 1)[1]]
    return s


TYPES = {"string": str, "boolean": bool, "object": dict, "array": list}


def type_ok(v, t):
    if t == "null":
        return v is None
    if t == "integer":
        return isinstance(v, int) and not isinstance(v, bool)
    if t == "number":
        return isinstance(v, (int, float)) and not isinstance(v, bool)
    return isinstance(v, TYPES[t])


def validate(v, s, where):
    s = resolve(s)
    if "type" in s:
        ts = s["type"] if isinstance(s["type"], list) else [s["type"]]
        if not any(type_ok(v, t) for t in ts):
            return [f"{where}: {v!r} is not {s['type']}"]
    out = []
    if "enum" in s and v not in s["enum"]:
        out.append(f"{where}: {v!r} not in {s['enum']}")
    if isinstance(v, (int, float)) and not isinstance(v, bool):
        if "minimum" in s and v < s["minimum"]:
            out.append(f"{where}: {v} < {s['minimum']}")
        if "maximum" in s and v > s["maximum"]:
            out.append(f"{where}: {v} > {s['maximum']}")
    if isinstance(v, dict):
        for k in s.get("required", []):
            if k not in v:
                out.append(f"{where}: missing {k!r}")
        for k, ps in s.get("properties", {}).items():
            if k in v:
                out += validate(v[k], ps, f"{where}.{k}")
    if isinstance(v, list) and "items" in s:
        for i, x in enumerate(v):
            out += validate(x, s["items"], f"{where}[{i}]")
    return out


def template(path):
    path = path.split("?", 1)[0]
    for t in DOC["paths"]:
        if re.fullmatch(re.sub(r"\{[a-z]+\}", "[^/]+", t), path):
            return t
    return None


def check(method, path, want, body=None, token=TOKEN, headers=None):
    status, hdrs, raw = call(method, path, body, token, headers)
    where = f"{method} {path}"
    if status != want:
        errors.append(f"{where}: status {status}, want {want}: {raw[:200]!r}")
    t = template(path)
    op = DOC["paths"].get(t, {}).get(method.lower()) if t else None
    if not op:
        errors.append(f"{where}: not in the document")
        return None
    covered.add((t, method.lower()))
    resp = op["responses"].get(str(status))
    if resp and "$ref" in resp:  # "#/components/responses/NAME"
        resp = DOC["components"]["responses"].get(resp["$ref"].rsplit("/", 1)[1])
    if not resp:
        errors.append(f"{where}: status {status} not declared")
        return None
    ctype = hdrs.get("Content-Type", "").split(";")[0]
    content = resp.get("content")
    if not content:
        if raw:
            errors.append(f"{where}: a body where none is declared")
        return None
    if ctype not in content:
        errors.append(f"{where}: Content-Type {ctype} not declared")
        return None
    for h in resp.get("headers", {}):
        if h not in hdrs and not (h == "Link"):
            errors.append(f"{where}: header {h} missing")
    if ctype != "application/json":
        return raw
    v = json.loads(raw)
    errors.extend(validate(v, content[ctype]["schema"], where))
    return v


check("GET", "/healthz", 200, token=None)
check("GET", "/v1/tasks", 401, token=None)
t = check("POST", "/v1/tasks", 201, {"title": "milk", "due": "2026-06-02 17:00", "priority": 2})
check("POST", "/v1/tasks", 400, {"priority": 2})
check("POST", "/v1/tasks", 403, {"title": "x"}, token=RO)
check("GET", "/v1/tasks?limit=1", 200)
check("GET", "/v1/tasks?cursor=99999", 400)
check("GET", f"/v1/tasks/{t['id']}", 200)
check("PATCH", f"/v1/tasks/{t['id']}", 412, {"title": "y"}, headers={"If-Match": '"x"'})
check("PATCH", f"/v1/tasks/{t['id']}", 200, {"status": "done"})
check("PATCH", f"/v1/tasks/{t['id']}", 400, {"priority": 10})
check("PATCH", f"/v1/tasks/{t['id']}", 403, {"title": "y"}, token=RO)
check("PATCH", "/v1/tasks/99999", 404, {"title": "y"})
check("DELETE", f"/v1/tasks/{t['id']}", 204)
check("DELETE", f"/v1/tasks/{t['id']}", 404)
check("GET", "/v1/tasks/99999", 404)
ev = check("POST", "/v1/events", 201, {"summary": "standup", "start": "2026-06-02 10:00", "duration": "30m"})
check("POST", "/v1/events", 201, {"summary": "trip", "start": "2026-06-03", "all_day": True, "every": "weekly"})
check("POST", "/v1/events", 400, {"summary": "x", "start": "never"})
check("GET", "/v1/events", 200)
check("GET", f"/v1/events/{ev['id']}", 200)
check("PATCH", f"/v1/events/{ev['id']}", 200, {"location": "room 2"})
check("GET", "/v1/agenda?from=2026-06-01&to=2026-06-30", 200)
check("GET", "/v1/agenda?from=someday", 400)
for m, path, body in (("GET", "/v1/events", None), ("POST", "/v1/events", {"summary": "x", "start": "2026-06-02"}),
                      ("GET", f"/v1/events/{ev['id']}", None), ("PATCH", f"/v1/events/{ev['id']}", {"location": "x"}),
                      ("DELETE", f"/v1/events/{ev['id']}", None), ("GET", "/v1/agenda", None)):
    check(m, path, 403, body, token=OTHER)
check("DELETE", f"/v1/events/{ev['id']}", 204)
r = check("POST", "/v1/reminders", 201, {"text": "call", "at": "2026-06-01 18:00"})
check("POST", "/v1/reminders", 201, {"text": "stretch", "every": "0 * * * *"})
check("GET", "/v1/reminders", 200)
check("GET", f"/v1/reminders/{r['id']}", 200)
check("PATCH", f"/v1/reminders/{r['id']}", 200, {"snooze": 300})
check("PATCH", f"/v1/reminders/{r['id']}", 412, {"text": "x"}, headers={"If-Match": '"x"'})
check("PATCH", f"/v1/reminders/{r['id']}", 200, {"text": "call dad", "at": "2026-06-02 18:00",
                                                 "every": "weekly", "channels": "stdout"})
check("PATCH", f"/v1/reminders/{r['id']}", 200, {"every": None, "channels": None})
check("PATCH", f"/v1/reminders/{r['id']}", 400, {"every": "now and then"})
check("DELETE", f"/v1/reminders/{r['id']}", 204)
check("GET", "/v1/reminders?all=1", 200)
check("GET", "/v1/assistants", 200)
check("POST", "/v1/assistants", 201, {"name": "other", "backend": "offline"})
check("GET", "/v1/assistants/other", 200)
check("PATCH", "/v1/assistants/other", 200, {"temperature": 0.5, "tools": ["task_list"]})
check("GET", "/v1/assistants", 200, token=OTHER)
check("GET", "/v1/assistants/other", 200, token=OTHER)
check("PATCH", "/v1/assistants/other", 403, {"model": "m"}, token=OTHER)
check("DELETE", "/v1/assistants/other", 403, token=OTHER)
check("DELETE", "/v1/assistants/other", 204)
check("GET", "/v1/users", 200)
check("GET", "/v1/users/me", 200)
check("GET", "/v1/users/somebody", 403)
c = check("POST", "/v1/conversations", 201, {})
a = check("POST", "/v1/ask", 200, {"text": "add task water plants", "conversation": c["id"]})
check("POST", "/v1/ask", 200, {"text": "what tasks do I have"}, headers={"Accept": "text/event-stream"})
check("POST", "/v1/ask", 400, {})
check("GET", "/v1/conversations", 200)
check("GET", f"/v1/conversations/{c['id']}", 200)
check("GET", f"/v1/conversations/{c['id']}/messages", 200)
check("DELETE", f"/v1/conversations/{c['id']}", 204)
check("GET", "/v1/integrations", 200)
check("GET", "/metrics", 200)
check("GET", "/v1/openapi.json", 200)
both = {"Accept": "application/json, text/event-stream"}
check("POST", "/mcp", 200, {"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
    "protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "t", "version": "0"}}},
    headers=both)
check("POST", "/mcp", 400, {"jsonrpc": "2.0", "id": 2, "method": "ping"}, headers=both)
check("DELETE", "/mcp", 404, headers={"Mcp-Session-Id": "0"})
check("GET", "/mcp", 400, headers={"Accept": "text/event-stream"})
check("GET", "/mcp", 404, headers={"Accept": "text/event-stream", "Mcp-Session-Id": "0"})

for p, item in DOC["paths"].items():
    for m in item:
        if m != "parameters" and (p, m) not in covered:
            errors.append(f"{m.upper()} {p}: never exercised")
for e in errors:
    print(e)
sys.exit(1 if errors else 0)
