#!/usr/bin/env python3
"""A fake OpenAI-compatible chat-completions server for nestor's tests.

Listens on 127.0.0.1 only, on an OS-chosen port unless --port is given, and
prints "PORT <n>" as its first stdout line.  Python 3 standard library only.

  POST /v1/chat/completions (any path ending in /chat/completions)
      answers with the next scripted response, in order; the request is
      recorded first.  With nothing scripted: HTTP 400 "fake: nothing
      scripted".

  GET /v1/models (any path ending in /models)
      {"object": "list", "data": [{"id", "object": "model", "owned_by"}]}
      for the models of the server (see /_control).

Test control (never recorded):
  POST /_script   {"responses": [RESPONSE, ...]}   append to the queue
  POST /_control  {"reset": true}                 forget queue, requests and
                                                  the server's traits below
                  {"reject": ["stream_options", "max_tokens", ...]}
                      a request carrying one of these fields gets HTTP 400
                      naming it, as servers that do not know it answer
                      (the queue is left as it is)
                  {"key": "sk-..."}   requests without this bearer key get 401
                  {"models": ["id", ...]}          what /models lists
                  {"profile": "ollama" | "llamacpp"}
                      a real server's layout: only /v1/chat/completions and
                      /v1/models exist (404 elsewhere); ollama lists
                      llama3.1:latest and answers 404 "model not found" for
                      another model ("llama3.1" means "llama3.1:latest"),
                      llamacpp lists one model and ignores "model"; with
                      nothing scripted both answer as a small model would
                      (auto, below)
                  {"auto": true}   with nothing scripted, answer as a model
                      would: after a tool result "Done.", when tools are
                      offered a call of the first one with {}, else "Hello."
                  {"echo": {"delay_ms": n}}   (benchmarks) with nothing
                      scripted, answer after n ms as a model adding a task:
                      a call of task_add titled with the user's last message,
                      and after its result "Done: <that message>"
  POST /_release  let a stream waiting at a {"_hold": true} item go on
  GET  /_requests {"requests": [{"method", "path", "query", "headers", "body"}]}
                  headers are lower-cased; body is the raw request text; a
                  request whose client went away before its streamed answer
                  ended also has "client_closed": true

RESPONSE (every field optional):
  "status": 200, "headers": {"Retry-After": "1"}
  "json": {...}          the body, as is (errors: {"error": {"message": ..}})
  "say": "text" | ["pie", "ces"]   an assistant text reply
  "calls": [{"name": "task_add", "arguments": {..} | "raw text",
             "id": "call_1" | null (sent as null) | absent (generated),
             "split": 3       arguments in 3 fragments,
             "no_index": true leave "index" out}]
      "say"/"calls" answer in the mode the request asked for: SSE chunks
      when it said "stream": true, else one chat.completion object.
  "reasoning": "text" | ["pie", "ces"]   the model's thinking, before the
                         reply: "reasoning_content" deltas (vLLM, DeepSeek) or
                         the field "reasoning_field" names ("reasoning":
                         OpenRouter); in a plain answer, in the message
  "usage": {"prompt_tokens": n, "completion_tokens": m}   (default 10, 5)
                         in the plain answer, and in a last chunk with empty
                         choices when the request asked for it
                         (stream_options.include_usage)
  "content_type": "..."  the Content-Type of a stream (text/event-stream)
  "plain": true          answer with one chat.completion JSON body
                         (Content-Type: application/json) even when the
                         request asked for a stream
  "finish": true         false: no finish_reason in the last chunk
  "done": true           false: no "data: [DONE]" at the end
  "stream": [ITEM, ...]  explicit SSE items instead of say/calls:
      {...}              sent as "data: <json>\\n\\n"
      {"_raw": "text"}   sent as is
      {"_sleep_ms": n}   pause
      {"_hold": true}    wait for POST /_release (at most 30 s), or until the
                         client closes the connection
      {"_cut": true}     drop the connection (no end of the chunked body)
      {"_fill": n}       n bytes of "a" (no line end)
  "cut_after": n         with say/calls: drop the connection after n chunks
  "hold_after": n        with say/calls: wait for /_release after n chunks
  "delay_ms": n          pause between chunks
  "stamp": {"tokens": n, "interval_ms": m}
                         (benchmarks) n text deltas m ms apart, each the
                         CLOCK_MONOTONIC time in ns just before it is written

Text is sent as UTF-8, except that a lone surrogate U+DC80..U+DCFF in a
string (JSON "\\udcff") is sent as the one byte it stands for (Python's
surrogateescape): how a script makes a server send bytes that are not UTF-8.

--ppid PID makes the server exit when that process is gone.
"""

import json
import select
import socket
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler

import fakeserver
from urllib.parse import urlsplit


class State:
    def __init__(self):
        self.lock = threading.Lock()
        self.release = threading.Semaphore(0)
        self.reset()

    def reset(self):
        self.queue = []
        self.requests = []
        self.ids = 0
        self.reject = []
        self.key = None
        self.models = ["fake-model"]
        self.profile = None
        self.auto = False
        self.echo = None


STATE = State()


def raw(text):
    """text as bytes, each lone surrogate U+DCxx the byte xx"""
    return text.encode("utf-8", "surrogateescape")


def chunk(delta, finish=None):
    return {"id": "chatcmpl-fake", "object": "chat.completion.chunk", "created": 0,
            "model": "fake", "choices": [{"index": 0, "delta": delta,
                                          "finish_reason": finish}]}


def pieces(text, n):
    if n <= 1 or len(text) < 2:
        return [text]
    step = max(1, (len(text) + n - 1) // n)
    return [text[i:i + step] for i in range(0, len(text), step)]


def call_id(c, i):
    if "id" in c:
        return c["id"]
    return "call_fake_%d" % i


def args_text(c):
    a = c.get("arguments", {})
    return a if isinstance(a, str) else json.dumps(a, ensure_ascii=False)


def as_list(v):
    return [v] if isinstance(v, str) else list(v)


def usage_of(r):
    u = r.get("usage") or {}
    p, c = u.get("prompt_tokens", 10), u.get("completion_tokens", 5)
    return {"prompt_tokens": p, "completion_tokens": c,
            "total_tokens": p + c if isinstance(p, int) and isinstance(c, int) else 0}


def stream_items(r, req):
    """SSE items for a say/calls response."""
    items = [chunk({"role": "assistant", "content": ""})]
    field = r.get("reasoning_field", "reasoning_content")
    if r.get("reasoning") is not None:
        for p in as_list(r["reasoning"]):
            items.append(chunk({field: p}))
    say = r.get("say")
    if say is not None:
        for p in ([say] if isinstance(say, str) else say):
            items.append(chunk({"content": p}))
    calls = r.get("calls") or []
    for i, c in enumerate(calls):
        frags = pieces(args_text(c), int(c.get("split", 1)))
        for j, f in enumerate(frags):
            tc = {"function": {"arguments": f}}
            if not c.get("no_index"):
                tc["index"] = i
            if j == 0:
                if "id" not in c or c["id"] is not None:
                    tc["id"] = call_id(c, i)
                elif c["id"] is None:
                    tc["id"] = None
                tc["type"] = "function"
                tc["function"]["name"] = c["name"]
            items.append(chunk({"tool_calls": [tc]}))
    if r.get("finish", True):
        items.append(chunk({}, "tool_calls" if calls else "stop"))
    if (req.get("stream_options") or {}).get("include_usage"):
        items.append({"id": "chatcmpl-fake", "object": "chat.completion.chunk",
                      "created": 0, "model": "fake", "choices": [], "usage": usage_of(r)})
    out = []
    for k, it in enumerate(items):
        if "cut_after" in r and k == int(r["cut_after"]):
            out.append({"_cut": True})
            return out
        if "hold_after" in r and k == int(r["hold_after"]):
            out.append({"_hold": True})
        out.append(it)
    if r.get("done", True):
        out.append({"_raw": "data: [DONE]\n\n"})
    return out


def completion(r):
    calls = r.get("calls") or []
    say = r.get("say")
    msg = {"role": "assistant",
           "content": ("".join(say) if isinstance(say, list) else say) if say is not None
           else None}
    if calls:
        msg["tool_calls"] = [{"id": call_id(c, i), "type": "function",
                              "function": {"name": c["name"], "arguments": args_text(c)}}
                             for i, c in enumerate(calls)]
    if r.get("reasoning") is not None:
        msg[r.get("reasoning_field", "reasoning_content")] = "".join(as_list(r["reasoning"]))
    return {"id": "chatcmpl-fake", "object": "chat.completion", "created": 0,
            "model": "fake",
            "choices": [{"index": 0, "message": msg,
                         "finish_reason": "tool_calls" if calls else "stop"}],
            "usage": usage_of(r)}


def auto_answer(req):
    """What a small model says when nothing is scripted."""
    msgs = req.get("messages") or [{}]
    if msgs[-1].get("role") == "tool":
        return {"say": "Done."}
    tools = req.get("tools") or []
    if tools:
        return {"calls": [{"name": tools[0]["function"]["name"], "arguments": {}}]}
    return {"say": "Hello."}


def echo_answer(req):
    """A model that adds a task named by the user's last message."""
    msgs = req.get("messages") or [{}]
    said = next((m.get("content") or "" for m in reversed(msgs)
                 if m.get("role") == "user"), "")
    if msgs[-1].get("role") == "tool":
        return {"say": "Done: " + said}
    return {"calls": [{"name": "task_add", "arguments": {"title": said}}]}


REJECT_MESSAGES = {
    "stream_options": "Unrecognized request argument supplied: stream_options",
    "max_tokens": "Unsupported parameter: 'max_tokens' is not supported with this model. "
                  "Use 'max_completion_tokens' instead.",
}


class Handler(BaseHTTPRequestHandler):
    server_version = "fake-openai/1"
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):
        pass

    def send_body(self, status, data, ctype="application/json", headers=None):
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        for k, v in (headers or {}).items():
            self.send_header(k, str(v))
        self.end_headers()
        try:
            self.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):
            pass

    def send_json(self, status, obj, headers=None):
        self.send_body(status, raw(json.dumps(obj, ensure_ascii=False)),
                       headers=headers)

    def write_chunk(self, data):
        self.wfile.write(b"%x\r\n%s\r\n" % (len(data), data))
        self.wfile.flush()

    def cut(self):
        self.close_connection = True
        try:
            self.wfile.flush()
            self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass

    def client_gone(self):
        """The client closed its end (it sends nothing while it reads an answer)."""
        try:
            if not select.select([self.connection], [], [], 0)[0]:
                return False
            return self.connection.recv(1, socket.MSG_PEEK) == b""
        except OSError:
            return True

    def closed_by_client(self):
        self.close_connection = True
        with STATE.lock:
            self.record["client_closed"] = True

    def hold(self):
        """Wait for /_release; False when the client left first."""
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if STATE.release.acquire(timeout=0.05):
                return True
            if self.client_gone():
                return False
        return True

    def stream(self, r, items):
        self.send_response(int(r.get("status", 200)))
        self.send_header("Content-Type", r.get("content_type", "text/event-stream"))
        self.send_header("Transfer-Encoding", "chunked")
        self.send_header("Cache-Control", "no-cache")
        for k, v in (r.get("headers") or {}).items():
            self.send_header(k, str(v))
        self.end_headers()
        delay = int(r.get("delay_ms", 0)) / 1000
        try:
            for it in items:
                if isinstance(it, dict) and "_sleep_ms" in it:
                    time.sleep(it["_sleep_ms"] / 1000)
                elif isinstance(it, dict) and it.get("_hold"):
                    if not self.hold():
                        return self.closed_by_client()
                elif isinstance(it, dict) and it.get("_cut"):
                    return self.cut()
                elif isinstance(it, dict) and it.get("_stamp"):
                    self.write_chunk(b"data: " + json.dumps(chunk(
                        {"content": str(time.monotonic_ns())})).encode() + b"\n\n")
                    if delay:
                        time.sleep(delay)
                elif isinstance(it, dict) and "_raw" in it:
                    self.write_chunk(raw(it["_raw"]))
                elif isinstance(it, dict) and "_fill" in it:
                    left = int(it["_fill"])
                    while left > 0:
                        n = min(left, 65536)
                        self.write_chunk(b"a" * n)
                        left -= n
                else:
                    self.write_chunk(b"data: " + raw(json.dumps(it, ensure_ascii=False))
                                     + b"\n\n")
                    if delay:
                        time.sleep(delay)
            self.wfile.write(b"0\r\n\r\n")
            self.wfile.flush()
        except (BrokenPipeError, ConnectionResetError):
            self.closed_by_client()

    def refusal(self, req):
        """The 400 or 404 a real server gives this request, or None."""
        for field in STATE.reject:
            if field in req:
                msg = REJECT_MESSAGES.get(field, "Unrecognized request argument supplied: "
                                          + field)
                return 400, {"error": {"message": msg, "type": "invalid_request_error",
                                       "param": field, "code": None}}
        if STATE.profile == "ollama":
            model = req.get("model") or ""
            full = model if ":" in model else model + ":latest"
            if full not in STATE.models:
                return 404, {"error": {"message": 'model "%s" not found, try pulling it first'
                                       % model, "type": "api_error", "param": None,
                                       "code": None}}
        return None

    def answer(self, req):
        refused = self.refusal(req)
        if refused:
            return self.send_json(*refused)
        with STATE.lock:
            r = STATE.queue.pop(0) if STATE.queue else None
        if r is None and STATE.auto:
            r = auto_answer(req)
        if r is None and STATE.echo is not None:
            time.sleep(int(STATE.echo.get("delay_ms", 0)) / 1000)
            r = echo_answer(req)
        if r is None:
            return self.send_json(400, {"error": {"message": "fake: nothing scripted",
                                                  "type": "invalid_request_error"}})
        status = int(r.get("status", 200))
        if "stream" in r:
            return self.stream(r, r["stream"])
        if "stamp" in r:
            b = r["stamp"]
            r = dict(r, delay_ms=b.get("interval_ms", 1))
            return self.stream(r, [{"_stamp": True}] * int(b["tokens"]) +
                               [chunk({}, "stop"), {"_raw": "data: [DONE]\n\n"}])
        if "json" in r or status != 200:
            return self.send_json(status, r.get("json", {}), r.get("headers"))
        if req.get("stream") and not r.get("plain"):
            return self.stream(r, stream_items(r, req))
        return self.send_json(200, completion(r), r.get("headers"))

    def handle_any(self, method):
        u = urlsplit(self.path)
        n = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(n) if n else b""
        if u.path == "/_script":
            doc = json.loads(body or b"{}")
            with STATE.lock:
                STATE.queue.extend(doc.get("responses", []))
            return self.send_json(200, {"queued": len(STATE.queue)})
        if u.path == "/_control":
            doc = json.loads(body or b"{}")
            with STATE.lock:
                if doc.get("reset"):
                    STATE.reset()
                if "reject" in doc:
                    STATE.reject = list(doc["reject"])
                if "key" in doc:
                    STATE.key = doc["key"]
                if "models" in doc:
                    STATE.models = list(doc["models"])
                if "auto" in doc:
                    STATE.auto = bool(doc["auto"])
                if "echo" in doc:
                    STATE.echo = doc["echo"]
                if "profile" in doc:
                    STATE.profile = doc["profile"]
                    STATE.auto = True
                    STATE.models = {"ollama": ["llama3.1:latest"],
                                    "llamacpp": ["model.gguf"]}.get(doc["profile"],
                                                                    STATE.models)
            return self.send_json(200, {"ok": True})
        if u.path == "/_release":
            STATE.release.release()
            return self.send_json(200, {"ok": True})
        if u.path == "/_requests":
            with STATE.lock:
                reqs = list(STATE.requests)
            return self.send_json(200, {"requests": reqs})
        text = body.decode("utf-8", "replace")
        self.record = {"method": method, "path": u.path, "query": u.query,
                       "headers": {k.lower(): v for k, v in self.headers.items()},
                       "body": text}
        with STATE.lock:
            STATE.requests.append(self.record)
        if STATE.profile and u.path not in ("/v1/chat/completions", "/v1/models"):
            return self.send_body(404, b"404 page not found", "text/plain")
        if STATE.key and self.headers.get("Authorization") != "Bearer " + STATE.key:
            return self.send_json(401, {"error": {"message": "Incorrect API key provided",
                                                  "type": "invalid_request_error"}})
        if method == "GET" and u.path.endswith("/models"):
            owner = {"ollama": "library", "llamacpp": "llamacpp"}.get(STATE.profile, "fake")
            return self.send_json(200, {"object": "list", "data": [
                {"id": m, "object": "model", "created": 0, "owned_by": owner}
                for m in STATE.models]})
        if method != "POST" or not u.path.endswith("/chat/completions"):
            return self.send_json(404, {"error": {"message": "not found"}})
        try:
            req = json.loads(text)
        except ValueError:
            return self.send_json(400, {"error": {"message": "request is not JSON"}})
        return self.answer(req)

    def do_GET(self):
        self.handle_any("GET")

    def do_POST(self):
        self.handle_any("POST")


def main():
    args = fakeserver.arguments(__doc__.splitlines()[0]).parse_args()
    fakeserver.serve(Handler, args)


if __name__ == "__main__":
    sys.exit(main())
