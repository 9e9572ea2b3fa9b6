#!/usr/bin/env python3
"""A fake Google (OAuth 2.0 for installed apps + a Calendar v3 subset) for
nestor's tests.  Listens on 127.0.0.1 only and prints "PORT <n>" first.
Python 3 standard library plus dateutil (recurrence expansion).

OAuth (the real shapes):
  GET  /o/oauth2/v2/auth?client_id&redirect_uri&response_type=code&scope
       &code_challenge&code_challenge_method=S256&state
       302 to redirect_uri?code=C&state=S (an unknown client: 400)
  POST /token  grant_type=authorization_code (code, code_verifier,
       client_id, client_secret, redirect_uri): the verifier must hash to
       the challenge (S256), else 400 invalid_grant;
       grant_type=refresh_token: 400 {"error": "invalid_grant"} once revoked
  POST /revoke?token=T  200 {} (the refresh token stops working)

Calendar v3 (Authorization: Bearer ACCESS, else 401 authError):
  GET    /calendar/v3/users/me/calendarList
  GET    /calendar/v3/calendars/CAL/events  maxResults, pageToken, syncToken
         (410 fullSyncRequired for an expired token), singleEvents=true with
         timeMin/timeMax expands series; a full list leaves out cancelled
         events but keeps cancelled instances, as Google does
  GET    /calendar/v3/calendars/CAL/events/ID
  POST   /calendar/v3/calendars/CAL/events  (a client "id" that exists: 409)
  PATCH  /calendar/v3/calendars/CAL/events/ID  If-Match: ETAG (else 412)
  DELETE /calendar/v3/calendars/CAL/events/ID  If-Match: ETAG (else 412)

Test control (not logged):
  POST /_seed     {"calendars": [entry...], "events": {CAL: [event...]}}
                  ("replace": true: instead of what was seeded before)
  POST /_control  {"fail": [{"method", "path" (substring), "status",
                   "reason", "count", "raw" (this body as is instead, e.g.
                   HTML or a 200 that is no list)}], "hang_insert": true (store the next
                   insert, then never answer), "hang_patch": true (the
                   same for the next patch), "hold": {"path", "flag",
                   "release", "method"} (the next GET, or request of that
                   method, whose path has it is answered
                   once the file release exists; the file flag is made
                   when it waits), "revoke": true,
                   "expire_access": true, "expire_sync": true,
                   "token_fields": {...} (put into the next token answer
                   that grants, as a broken or hostile server would),
                   "pages": "loop" | "endless" | null (event lists that
                   never end: the same next page token, or a new one)}
  POST /_edit     {"calendar", "id", "patch": {...}} or {"delete": true}: a
                   change made in Google by someone else (a patch may set
                   "updated", to pin the time of the change)
  GET  /_state    {"calendars": [...], "events": {CAL: [...]}} (cancelled too)
  GET  /_requests [{"method", "path", "query", "if_match", "body"}]
  GET  /_expand?calendar&timeMin&timeMax  [{"summary", "start", "end"}]:
                   the instances, as singleEvents=true lists them
"""

import base64
import copy
import hashlib
import json
import os
import re
import secrets
import threading
import time
from datetime import date, datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler
from urllib.parse import parse_qs, unquote, urlencode, urlsplit
from zoneinfo import ZoneInfo

from dateutil.rrule import rrulestr

import fakeserver

LOCK = threading.Lock()
S = {
    "codes": {}, "refresh": set(), "access": set(), "calendars": [], "events": {},
    "seq": 1, "min_sync": 0, "fail": [], "hang_insert": False, "hang_patch": False, "hold": None,
    "token_fields": {},
    "log": [],
}
ARGS = None


def take_token_fields():
    f, S["token_fields"] = S["token_fields"], {}
    return f


def now_rfc():
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def touch(ev):
    S["seq"] += 1
    ev["_seq"] = S["seq"]
    ev["etag"] = '"%d"' % (3181161784712000 + S["seq"])
    ev["updated"] = now_rfc()


def gerror(code, reason, message, extra=None):
    err = {"domain": "global", "reason": reason, "message": message}
    if extra:
        err.update(extra)
    return code, {"error": {"errors": [err], "code": code, "message": message}}


def public(ev):
    return {k: v for k, v in ev.items() if not k.startswith("_")}


def parse_when(w, tz):
    """A start/end object as an aware datetime (a date as midnight UTC)."""
    if "date" in w:
        d = date.fromisoformat(w["date"])
        return datetime(d.year, d.month, d.day, tzinfo=timezone.utc), True
    t = datetime.fromisoformat(w["dateTime"].replace("Z", "+00:00"))
    zone = w.get("timeZone") or tz
    return (t.astimezone(ZoneInfo(zone)) if zone else t), False


def expand(cal, tmin, tmax):
    """Instances of calendar cal overlapping [tmin, tmax), as singleEvents."""
    entry = next(c for c in S["calendars"] if c["id"] == cal)
    evs = S["events"].get(cal, {})
    out = []
    exc = {}
    for ev in evs.values():
        if ev.get("recurringEventId"):
            ost, _ = parse_when(ev["originalStartTime"], entry.get("timeZone"))
            exc[(ev["recurringEventId"], ost.astimezone(timezone.utc))] = ev
    for ev in evs.values():
        if ev.get("status") == "cancelled" or ev.get("recurringEventId"):
            continue
        st, allday = parse_when(ev["start"], entry.get("timeZone"))
        en, _ = parse_when(ev["end"], entry.get("timeZone"))
        if not ev.get("recurrence"):
            starts = [st]
        else:
            naive = st.replace(tzinfo=None)
            rs = rrulestr("\n".join(ev["recurrence"]), dtstart=naive, forceset=True,
                          unfold=True, ignoretz=True)
            starts = []
            for s in rs:
                if s > tmax.replace(tzinfo=None) + timedelta(days=2):
                    break
                starts.append(s.replace(tzinfo=st.tzinfo) if not allday
                              else s.replace(tzinfo=timezone.utc))
        for s in starts:
            e = s + (en - st)
            x = exc.get((ev["id"], s.astimezone(timezone.utc)))
            if x is not None:
                if x.get("status") == "cancelled":
                    continue
                s, _ = parse_when(x["start"], entry.get("timeZone"))
                e, _ = parse_when(x["end"], entry.get("timeZone"))
                item = dict(ev, **{k: v for k, v in x.items() if k in ("summary", "location")})
            else:
                item = ev
            if e > tmin and s < tmax:
                out.append({"summary": item.get("summary", ""), "all_day": allday,
                            "start": s.isoformat() if not allday else s.date().isoformat(),
                            "end": e.isoformat() if not allday else e.date().isoformat(),
                            "_k": s.astimezone(timezone.utc)})
    out.sort(key=lambda o: (o["_k"], o["summary"]))
    for o in out:
        del o["_k"]
    return out


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *a):
        pass

    def reply(self, code, obj=None, headers=None):
        body = b"" if obj is None else json.dumps(obj).encode()
        self.send_response(code)
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        if obj is not None:
            self.send_header("Content-Type", "application/json; charset=UTF-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def reply_raw(self, code, text):
        body = text.encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json; charset=UTF-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def body(self):
        n = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(n).decode() if n else ""

    def do_GET(self):
        self.route("GET")

    def do_POST(self):
        self.route("POST")

    def do_PATCH(self):
        self.route("PATCH")

    def do_DELETE(self):
        self.route("DELETE")

    def route(self, method):
        u = urlsplit(self.path)
        q = {k: v[0] for k, v in parse_qs(u.query).items()}
        raw = self.body()
        path = u.path
        if path.startswith("/_"):
            with LOCK:
                code, obj = self.control(method, path, q, raw)
            return self.reply(code, obj)
        hang = False
        with LOCK:
            S["log"].append({"method": method, "path": unquote(path), "query": q,
                             "if_match": self.headers.get("If-Match"), "body": raw})
            f = next((f for f in S["fail"] if f["count"] > 0 and
                      f.get("method", method) == method and f.get("path", "") in unquote(path)),
                     None)
            if f:
                f["count"] -= 1
        if f:
            self.held(method, path)
            code = f["status"]
            if "raw" in f:
                return self.reply_raw(code, f["raw"])
            if code == 401:
                return self.reply(*self.unauth())
            return self.reply(*gerror(code, f.get("reason", "backendError"),
                                      f.get("message", "injected")),
                              headers={"Retry-After": "0"} if code == 429 else None)
        with LOCK:
            if path == "/o/oauth2/v2/auth":
                return self.authorize(q)
            if path == "/token":
                code, obj = self.token({k: v[0] for k, v in parse_qs(raw).items()})
            elif path == "/revoke":
                S["refresh"].discard(q.get("token") or
                                     parse_qs(raw).get("token", [""])[0])
                code, obj = 200, {}
            elif path.startswith("/calendar/v3/"):
                auth = self.headers.get("Authorization", "")
                if not auth.startswith("Bearer ") or auth[7:] not in S["access"]:
                    code, obj = self.unauth()
                else:
                    code, obj = self.calendar(method, unquote(path[len("/calendar/v3"):]), q,
                                              raw)
                    if code == 200 and method == "POST" and S["hang_insert"]:
                        S["hang_insert"] = False
                        hang = True
                    if code == 200 and method == "PATCH" and S["hang_patch"]:
                        S["hang_patch"] = False
                        hang = True
            else:
                code, obj = 404, {"error": "not found"}
        if hang:
            time.sleep(3600)
        self.held(method, path)
        self.reply(code, obj)

    def held(self, method, path):
        """Wait for the release file when the hold is for this request."""
        with LOCK:
            hold = S["hold"]
            if not hold or method != hold.get("method", "GET") or hold["path"] not in path:
                return
            S["hold"] = None
        with open(hold["flag"], "w") as f:
            f.write("held\n")
        for _ in range(6000):
            if os.path.exists(hold["release"]):
                break
            time.sleep(0.01)

    def unauth(self):
        return gerror(401, "authError", "Invalid Credentials",
                      {"location": "Authorization", "locationType": "header"})

    def authorize(self, q):
        if q.get("client_id") != ARGS.client_id or q.get("response_type") != "code" or \
                q.get("code_challenge_method") != "S256" or not q.get("code_challenge"):
            return self.reply(400, {"error": "invalid_request"})
        code = "4/" + secrets.token_urlsafe(24)
        S["codes"][code] = {"challenge": q["code_challenge"], "redirect": q["redirect_uri"]}
        loc = q["redirect_uri"] + "?" + urlencode({"code": code, "state": q.get("state", ""),
                                                  "scope": q.get("scope", "")})
        self.reply(302, {}, headers={"Location": loc})

    def token(self, f):
        if f.get("client_id") != ARGS.client_id or f.get("client_secret") != ARGS.client_secret:
            return 401, {"error": "invalid_client", "error_description": "Unauthorized"}
        access = "ya29." + secrets.token_urlsafe(16)
        if f.get("grant_type") == "authorization_code":
            c = S["codes"].pop(f.get("code", ""), None)
            verifier = f.get("code_verifier", "")
            digest = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest())
            if c is None or c["redirect"] != f.get("redirect_uri") or \
                    digest.decode().rstrip("=") != c["challenge"]:
                return 400, {"error": "invalid_grant", "error_description": "Bad Request"}
            refresh = "1//" + secrets.token_urlsafe(24)
            S["refresh"].add(refresh)
            S["access"].add(access)
            return 200, dict({"access_token": access, "expires_in": 3599,
                              "refresh_token": refresh,
                              "scope": "https://www.googleapis.com/auth/calendar",
                              "token_type": "Bearer"}, **take_token_fields())
        if f.get("grant_type") == "refresh_token":
            if f.get("refresh_token") not in S["refresh"]:
                return 400, {"error": "invalid_grant",
                             "error_description": "Token has been expired or revoked."}
            S["access"].add(access)
            return 200, dict({"access_token": access, "expires_in": 3599,
                              "scope": "https://www.googleapis.com/auth/calendar",
                              "token_type": "Bearer"}, **take_token_fields())
        return 400, {"error": "unsupported_grant_type"}

    def calendar(self, method, path, q, raw):
        if path == "/users/me/calendarList" and method == "GET":
            return 200, {"kind": "calendar#calendarList", "etag": '"p33k"',
                         "nextSyncToken": "cl%d" % S["seq"],
                         "items": [dict(c, kind="calendar#calendarListEntry", etag='"c1"')
                                   for c in S["calendars"]]}
        m = re.fullmatch(r"/calendars/([^/]+)/events(?:/([^/]+))?", path)
        if not m or not any(c["id"] == m.group(1) for c in S["calendars"]):
            return gerror(404, "notFound", "Not Found")
        cal, eid = m.group(1), m.group(2)
        evs = S["events"].setdefault(cal, {})
        if eid is None and method == "GET":
            return self.list(cal, evs, q)
        if eid is None and method == "POST":
            ev = json.loads(raw)
            ev.setdefault("id", secrets.token_hex(13))
            if not re.fullmatch(r"[a-v0-9]{5,1024}", ev["id"]):
                return gerror(400, "invalid", "Invalid resource id value.")
            if ev["id"] in evs:
                return gerror(409, "duplicate", "The requested identifier already exists.")
            ev.update(kind="calendar#event", status="confirmed", created=now_rfc(),
                      iCalUID=ev["id"] + "@google.com", sequence=0,
                      htmlLink="https://www.google.com/calendar/event?eid=" + ev["id"])
            ev.setdefault("reminders", {"useDefault": True})
            touch(ev)
            evs[ev["id"]] = ev
            return 200, public(ev)
        ev = evs.get(eid)
        if ev is None:
            return gerror(404, "notFound", "Not Found")
        if method == "GET":
            return 200, public(ev)
        if ev.get("status") == "cancelled":
            return gerror(410, "deleted", "Resource has been deleted")
        im = self.headers.get("If-Match")
        if im and im != ev["etag"]:
            return gerror(412, "conditionNotMet", "Precondition Failed",
                          {"locationType": "header", "location": "If-Match"})
        if method == "PATCH":
            ev.update(json.loads(raw))
            ev["sequence"] = ev.get("sequence", 0) + 1
            touch(ev)
            return 200, public(ev)
        if method == "DELETE":
            ev["status"] = "cancelled"
            touch(ev)
            return 204, None
        return gerror(405, "methodNotAllowed", "Method Not Allowed")

    def list(self, cal, evs, q):
        if S.get("pages"):
            # a broken server: "loop" gives the same next page token again
            # and again, "endless" a new one every time
            S["npage"] = S.get("npage", 0) + 1
            tok = "again" if S["pages"] == "loop" else "p%d" % S["npage"]
            return 200, {"kind": "calendar#events", "items": [], "nextPageToken": tok}
        if q.get("singleEvents") == "true":
            tmin = datetime.fromisoformat(q["timeMin"].replace("Z", "+00:00"))
            tmax = datetime.fromisoformat(q["timeMax"].replace("Z", "+00:00"))
            return 200, {"kind": "calendar#events", "items": expand(cal, tmin, tmax)}
        size = min(int(q.get("maxResults", 250)), 2500)
        since = 0
        if "syncToken" in q:
            for bad in ("timeMin", "timeMax", "q", "orderBy", "iCalUID", "updatedMin"):
                if bad in q:
                    return gerror(400, "invalid", "Sync token cannot be used with other "
                                  "request restrictions.")
            since = int(q["syncToken"][1:])
            if since < S["min_sync"]:
                return gerror(410, "fullSyncRequired", "Sync token is no longer valid, a "
                              "full sync is required.")
        elif "pageToken" in q:
            since = int(q["pageToken"].split(":")[0])
        items = sorted(evs.values(), key=lambda e: (e["_seq"], e["id"]))
        if since and "syncToken" in q or q.get("pageToken", "").endswith(":i"):
            items = [e for e in items if e["_seq"] > since]
            inc = True
        else:
            inc = False
            items = [e for e in items if e.get("status") != "cancelled" or
                     (e.get("recurringEventId") and q.get("showDeleted") != "true")]
        off = int(q["pageToken"].split(":")[1]) if "pageToken" in q else 0
        top = int(q["pageToken"].split(":")[2]) if "pageToken" in q else S["seq"]
        page = items[off:off + size]
        entry = next(c for c in S["calendars"] if c["id"] == cal)
        out = {"kind": "calendar#events", "etag": '"p3"', "summary": entry["summary"],
               "updated": now_rfc(), "timeZone": entry.get("timeZone", "UTC"),
               "accessRole": entry.get("accessRole", "owner"),
               "defaultReminders": entry.get("defaultReminders", []),
               "items": [public(e) if e.get("status") != "cancelled" or
                         e.get("recurringEventId") else
                         {"kind": "calendar#event", "etag": e["etag"], "id": e["id"],
                          "status": "cancelled"} for e in page]}
        if off + size < len(items):
            out["nextPageToken"] = "%d:%d:%d%s" % (since, off + size, top, ":i" if inc else "")
        else:
            out["nextSyncToken"] = "s%d" % top
        return 200, out

    def control(self, method, path, q, raw):
        body = json.loads(raw) if raw else {}
        if path == "/_seed":
            if body.get("replace"):
                S["calendars"], S["events"] = [], {}
            for c in body.get("calendars", []):
                S["calendars"].append(c)
            for cal, evs in body.get("events", {}).items():
                for ev in evs:
                    ev = copy.deepcopy(ev)
                    ev.setdefault("kind", "calendar#event")
                    ev.setdefault("status", "confirmed")
                    ev.setdefault("iCalUID", ev["id"] + "@google.com")
                    touch(ev)
                    S["events"].setdefault(cal, {})[ev["id"]] = ev
            return 200, {"seq": S["seq"]}
        if path == "/_control":
            for f in body.get("fail", []):
                f.setdefault("count", 1)
                S["fail"].append(f)
            if "pages" in body:
                S["pages"], S["npage"] = body["pages"], 0
            if body.get("hang_insert"):
                S["hang_insert"] = True
            if "hold" in body:
                S["hold"] = body["hold"]
            if body.get("hang_patch"):
                S["hang_patch"] = True
            if body.get("revoke"):
                S["refresh"].clear()
                S["access"].clear()
            if "token_fields" in body:
                S["token_fields"] = body["token_fields"]
            if body.get("expire_access"):
                S["access"].clear()
            if body.get("expire_sync"):
                S["seq"] += 1
                S["min_sync"] = S["seq"]
            return 200, {}
        if path == "/_edit":
            ev = S["events"][body["calendar"]][body["id"]]
            if body.get("delete"):
                ev["status"] = "cancelled"
            else:
                ev.update(body.get("patch", {}))
            touch(ev)
            if "updated" in body.get("patch", {}):
                ev["updated"] = body["patch"]["updated"]
            return 200, public(ev)
        if path == "/_state":
            return 200, {"calendars": S["calendars"],
                         "events": {c: [public(e) for e in evs.values()]
                                    for c, evs in S["events"].items()}}
        if path == "/_requests":
            return 200, S["log"]
        if path == "/_expand":
            tmin = datetime.fromisoformat(q["timeMin"].replace("Z", "+00:00"))
            tmax = datetime.fromisoformat(q["timeMax"].replace("Z", "+00:00"))
            return 200, expand(q["calendar"], tmin, tmax)
        return 404, {}


def main():
    global ARGS
    ap = fakeserver.arguments("fake Google OAuth + Calendar v3")
    ap.add_argument("--client-id", default="test-client.apps.googleusercontent.com")
    ap.add_argument("--client-secret", default="test-client-secret")
    ap.add_argument("--refresh-token", help="a refresh token valid from the start")
    ARGS = ap.parse_args()
    if ARGS.refresh_token:
        S["refresh"].add(ARGS.refresh_token)
    fakeserver.serve(Handler, ARGS)


if __name__ == "__main__":
    main()
