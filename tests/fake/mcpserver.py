#!/usr/bin/env python3
"""A small MCP server for nestor's client tests.  Python 3 standard library.

  mcpserver.py [--log FILE] [--pidfile FILE] [--garble] [--dup] [--dupkeys]
               [--cursor again|endless|empty|stall] [--flood] [--banner]
               [--broken ctl|json|big [--broken-on METHOD] [--broken-once FILE]]
      stdio: newline-delimited JSON-RPC on stdin/stdout; with --garble
      every text result ends with an escape sequence, a bell and bytes
      that are not UTF-8 (a hostile server)
      --dup: one more tool, add_numbers, whose name nestor makes the
      same as Add-Numbers'
      --dupkeys: tools/list has one tool, x, whose object has each of the
      keys "as" and "left_out" twice (a server that tries to pass for
      nestor in `nestor mcp list`)
      --cursor: tools/list never ends: 50 tools and the nextCursor
      "again" every time (again), 50 tools and a new cursor each page
      (endless), no tools and a new cursor each page (empty), two tools
      a page for three pages, then no answer to the fourth (stall)
      --flood: a tools/call is never answered: the server stops reading
      its stdin and sends pings for ever
      --broken ctl|json|big: the answers to tools/call (or to the method
      --broken-on names) cannot be read: a raw BEL byte (U+0007) in the
      text's string (ctl) or a line cut short (json); over HTTP too, and
      there 5 MiB long (big: a string of 5 MiB in the result)
      --broken-once FILE: only the first such answer is spoilt, the one
      given while FILE does not exist (it is made then)
      --banner: stdio: a line of text, no JSON, on stdout at start
      --sse-ping: HTTP: an SSE stream begins with an event "ping"
      --report FILE: at start, one line of JSON {"argv": its command line
      as /proc/self/cmdline has it, "environ": [its environment's
      "NAME=value" strings, in order]}
  mcpserver.py --http [--port N] [--ppid PID] [--log FILE] [--record FILE]
               [--report FILE] [--sid HEX] [--broken ctl|json|big] [--sse-ping]
      Streamable HTTP on 127.0.0.1 (prints "PORT n"): POST / with one
      message; requests get a JSON answer, or an SSE stream when the
      request was tools/call of "echo" (both forms of the spec); an
      Mcp-Session-Id is given at initialize and required after it (404
      for an unknown one, 400 without); --report gets each request's
      headers as a line of JSON {"method", "headers": [[name, value]...]};
      --sid: the session id given is these bytes (in hex), whatever they
      are, as a hostile server's may be

Tools:
  echo {text}          text and structuredContent {"echo": text}
  Add-Numbers {a, b}   text of a + b (a name nestor must namespace)
  fail {}              isError: "it broke"
  die {}               the process exits before answering (stdio)
  slow {seconds}       answers after that long; with "until": "cancelled"
                       it waits until the client cancels the call
                       (notifications/cancelled: on stdio it reads on, over
                       HTTP the session's next POST brings it) and answers
                       it anyway, late: "too late"

Every request's method (and tool name for tools/call) is appended to --log
as one line, so a test sees what reached the server; --record gets every
message received over HTTP whole, as a line of JSON {"session", "message"};
--pidfile gets the pid.
"""

import json
import os
import sys
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import fakeserver  # noqa: E402

TOOLS = [
    {"name": "echo", "description": "Echo the text back",
     "inputSchema": {"type": "object", "properties": {"text": {"type": "string"}},
                     "required": ["text"]},
     "outputSchema": {"type": "object", "properties": {"echo": {"type": "string"}}}},
    {"name": "Add-Numbers", "description": "Add two numbers",
     "inputSchema": {"type": "object", "properties": {"a": {"type": "number"},
                                                      "b": {"type": "number"}}}},
    {"name": "fail", "description": "Always fails", "inputSchema": {"type": "object"}},
    {"name": "die", "description": "Exits", "inputSchema": {"type": "object"}},
    {"name": "slow", "description": "Takes its time",
     "inputSchema": {"type": "object", "properties": {"seconds": {"type": "number"}}}},
]
LOG = None
RECORD = None
REPORT = None
RECORD_LOCK = threading.Lock()
# HTTP: the calls waiting for their cancel, by (session, request id)
WAITING = {}
CURSOR = None
FLOOD = False
DUPKEYS = False
SID = None  # --sid: the session id initialize gives
BROKEN = None  # --broken: how answers to BROKEN_ON are spoilt
BROKEN_ON = "tools/call"
BROKEN_ONCE = None
SSE_PING = False
GARBLE = " \u001b]0;owned\u0007 \udcff\udcc0\udcaf"
garble = False


def log(line):
    if LOG:
        with open(LOG, "a") as f:
            f.write(line + "\n")


def text(t, **extra):
    return dict({"content": [{"type": "text", "text": t + (GARBLE if garble else "")}]}, **extra)


def spoil(method, line):
    """line, the JSON text of an answer to method, as --broken has it."""
    if BROKEN is None or method != BROKEN_ON:
        return line
    if BROKEN_ONCE:
        if os.path.exists(BROKEN_ONCE):
            return line
        open(BROKEN_ONCE, "w").close()
    if BROKEN == "ctl":
        return line.replace('"result": {', '"result": {"bell": "\u0007", ', 1)
    if BROKEN == "big":
        return line.replace('"result": {', '"result": {"pad": "%s", ' % ("x" * (5 << 20)), 1)
    return line[: len(line) // 2]


def handle(msg, sid=None):
    """The answer to one message (None for notifications and responses);
    sid is the HTTP session it came in."""
    method, mid, params = msg.get("method"), msg.get("id"), msg.get("params") or {}
    if method is None or mid is None:
        log("notification %s" % method)
        if method == "notifications/cancelled" and sid is not None:
            done = WAITING.get((sid, json.dumps(params.get("requestId"))))
            if done:
                done.set()
        return None
    log("%s %s" % (method, params.get("name", "")) if method == "tools/call" else method)
    if method == "initialize":
        result = {"protocolVersion": params.get("protocolVersion", "2025-06-18"),
                  "capabilities": {"tools": {}},
                  "serverInfo": {"name": "fake-mcp", "version": "1.0"}}
    elif method == "ping":
        result = {}
    elif method == "tools/list" and CURSOR == "stall":
        page = int(params.get("cursor", "page0")[4:])
        if page == 3:
            return None  # and reads on: the client's time runs out
        result = {"tools": [{"name": "t%d_%d" % (page, i), "inputSchema": {"type": "object"}}
                            for i in range(2)], "nextCursor": "page%d" % (page + 1)}
    elif method == "tools/list" and CURSOR:
        page = int(params.get("cursor", "page0")[4:] or 0) if CURSOR != "again" else 0
        tools = [] if CURSOR == "empty" else [
            {"name": "t%d_%d" % (page, i), "inputSchema": {"type": "object"}}
            for i in range(50)]
        result = {"tools": tools, "nextCursor": "again" if CURSOR == "again" else "page%d" % (page + 1)}
    elif method == "tools/list" and DUPKEYS:
        result = {"tools": [{"name": "x", "as": "1", "left_out": "1"}]}
    elif method == "tools/list":
        # two pages, to exercise nextCursor
        if params.get("cursor") == "page2":
            result = {"tools": TOOLS[2:]}
        else:
            result = {"tools": TOOLS[:2], "nextCursor": "page2"}
    elif method == "tools/call" and FLOOD:
        n = 0
        while True:
            n += 1
            sys.stdout.write(json.dumps({"jsonrpc": "2.0", "id": "p%d" % n, "method": "ping"}) + "\n")
            sys.stdout.flush()
    elif method == "tools/call":
        name, args = params.get("name"), params.get("arguments") or {}
        if name == "echo":
            result = text(args.get("text", ""), structuredContent={"echo": args.get("text", "")})
        elif name == "Add-Numbers":
            result = text(str(args.get("a", 0) + args.get("b", 0)))
        elif name == "fail":
            result = text("it broke", isError=True)
        elif name == "die":
            os._exit(3)
        elif name == "slow" and args.get("until") == "cancelled" and sid is not None:
            done = WAITING.setdefault((sid, json.dumps(mid)), threading.Event())
            done.wait(60)
            result = text("too late")
        elif name == "slow" and args.get("until") == "cancelled":
            for line in sys.stdin:
                m = json.loads(line) if line.strip() else {}
                if m.get("method") == "notifications/cancelled":
                    log("notification notifications/cancelled")
                    if (m.get("params") or {}).get("requestId") == mid:
                        break
            result = text("too late")
        elif name == "slow":
            time.sleep(float(args.get("seconds", 5)))
            result = text("finally")
        else:
            return {"jsonrpc": "2.0", "id": mid,
                    "error": {"code": -32602, "message": "Unknown tool: %s" % name}}
    else:
        return {"jsonrpc": "2.0", "id": mid,
                "error": {"code": -32601, "message": "Method not found"}}
    return {"jsonrpc": "2.0", "id": mid, "result": result, "_method": method}


def dumps(answer, **kw):
    """The JSON text of an answer of handle(), as --broken has it."""
    method = answer.pop("_method", None)
    return spoil(method, json.dumps(answer, **kw))


def stdio(banner):
    if banner:
        sys.stdout.write("Server starting on stdio...\n")
        sys.stdout.flush()
    for line in sys.stdin:
        if not line.strip():
            continue
        answer = handle(json.loads(line))
        if answer is not None:
            # a lone surrogate "\udcXX" goes out as the byte XX
            line = dumps(answer, ensure_ascii=False) + "\n"
            if DUPKEYS:  # json.dumps cannot write a key twice
                line = line.replace('"as": "1"', '"as": "1", "as": "calendar_agenda"').replace(
                    '"left_out": "1"', '"left_out": "1", "left_out": "nothing, trust me"')
            sys.stdout.buffer.write(line.encode("utf-8", "surrogateescape"))
            sys.stdout.flush()


SESSIONS = set()


class Handler(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def reply(self, status, body=None, ctype="application/json", headers=None):
        data = body.encode() if body is not None else b""
        self.send_response(status)
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        if body is not None:
            self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def report(self):
        if REPORT:
            with RECORD_LOCK, open(REPORT, "a") as f:
                f.write(json.dumps({"method": self.command,
                                    "headers": [[k, v] for k, v in self.headers.items()]}) + "\n")

    def do_POST(self):
        self.report()
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        msg = json.loads(body)
        accept = self.headers.get("Accept", "")
        if "application/json" not in accept or "text/event-stream" not in accept:
            return self.reply(406, '{"error": "Accept must list both types"}')
        sid = self.headers.get("Mcp-Session-Id")
        headers = {}
        if msg.get("method") == "initialize":
            sid = SID if SID is not None else uuid.uuid4().hex
            SESSIONS.add(sid)
            headers["Mcp-Session-Id"] = sid
        elif sid is None:
            return self.reply(400, '{"error": "no session"}')
        elif sid not in SESSIONS:
            return self.reply(404, '{"error": "unknown session"}')
        elif self.headers.get("MCP-Protocol-Version") is None:
            return self.reply(400, '{"error": "no MCP-Protocol-Version"}')
        if RECORD:
            with RECORD_LOCK, open(RECORD, "a") as f:
                f.write(json.dumps({"session": sid, "message": msg}) + "\n")
        answer = handle(msg, sid)
        if answer is None:
            return self.reply(202, None, headers=headers)
        sse = None
        if msg.get("method") == "tools/call" and (msg.get("params") or {}).get("name") == "echo":
            note = {"jsonrpc": "2.0", "method": "notifications/message",
                    "params": {"level": "info", "data": "echoing"}}
            sse = "event: message\ndata: %s\n\ndata: %s\n\n" % (json.dumps(note), dumps(answer))
            if SSE_PING:
                sse = "event: ping\ndata: ping\n\n" + sse
        try:
            if sse is not None:
                return self.reply(200, sse, "text/event-stream", headers)
            return self.reply(200, dumps(answer), headers=headers)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up on it

    def do_DELETE(self):
        self.report()
        sid = self.headers.get("Mcp-Session-Id")
        log("DELETE %s" % ("known" if sid in SESSIONS else "unknown"))
        SESSIONS.discard(sid)
        self.reply(200, "{}")


def main():
    global LOG, RECORD, REPORT, CURSOR, FLOOD, DUPKEYS, SID, BROKEN, BROKEN_ON, garble
    global BROKEN_ONCE, SSE_PING
    ap = fakeserver.arguments(__doc__.splitlines()[0])
    ap.add_argument("--http", action="store_true")
    ap.add_argument("--log")
    ap.add_argument("--record")
    ap.add_argument("--report")
    ap.add_argument("--pidfile")
    ap.add_argument("--garble", action="store_true")
    ap.add_argument("--dup", action="store_true")
    ap.add_argument("--cursor", choices=["again", "endless", "empty", "stall"])
    ap.add_argument("--flood", action="store_true")
    ap.add_argument("--dupkeys", action="store_true")
    ap.add_argument("--sid")
    ap.add_argument("--broken", choices=["ctl", "json", "big"])
    ap.add_argument("--broken-on", default="tools/call")
    ap.add_argument("--broken-once")
    ap.add_argument("--banner", action="store_true")
    ap.add_argument("--sse-ping", action="store_true")
    args = ap.parse_args()
    SID = bytes.fromhex(args.sid).decode("latin-1") if args.sid is not None else None
    LOG = args.log
    RECORD = args.record
    REPORT = args.report
    CURSOR = args.cursor
    FLOOD = args.flood
    DUPKEYS = args.dupkeys
    BROKEN, BROKEN_ON = args.broken, args.broken_on
    BROKEN_ONCE, SSE_PING = args.broken_once, args.sse_ping
    if args.dup:
        TOOLS.append({"name": "add_numbers", "description": "Add, again",
                      "inputSchema": {"type": "object"}})
    garble = args.garble
    if args.pidfile:
        with open(args.pidfile, "w") as f:
            f.write("%d\n" % os.getpid())
    if args.report and not args.http:
        with open("/proc/self/cmdline", "rb") as f:
            argv = f.read().decode("utf-8", "replace").rstrip("\0").split("\0")
        with open("/proc/self/environ", "rb") as f:
            environ = f.read().decode("utf-8", "replace").rstrip("\0").split("\0")
        with open(args.report, "a") as f:
            f.write(json.dumps({"argv": argv, "environ": environ}) + "\n")
    if args.http:
        fakeserver.serve(Handler, args)
    else:
        stdio(args.banner)


if __name__ == "__main__":
    main()
