#!/usr/bin/env python3
"""A fake Telegram Bot API server for nestor's tests.

Listens on 127.0.0.1 only (an OS-chosen port unless --port) and prints
"PORT <n>" first.  Python 3 standard library only.  It speaks the real wire
format (https://core.telegram.org/bots/api): POST /bot<TOKEN>/<method> with
a JSON (or form, or query) body; every answer is {"ok": true, "result": ...}
or {"ok": false, "error_code": N, "description": "...", "parameters":
{"retry_after": N}}.

Methods: getMe, getUpdates (long polling: offset confirms earlier updates,
timeout, limit, allowed_updates; a second poller at once gets 409, as a set
webhook does), sendMessage (HTML checked: unknown tags or bare '<' / '&' get
400 "can't parse entities"; over 4096 characters 400 "message is too
long"), editMessageText, answerCallbackQuery, sendChatAction,
setMyCommands, deleteWebhook, setWebhook.  A wrong token gets 401.

Test control (never logged as API requests):
  POST /_message   {"chat_id", "text", "entities"?, "from_id"?, "language_code"?,
                    "location": {"latitude", "longitude"}?, "voice": true?,
                    "chat_type": "group"? (the chat's type: "private" when not given)}
                   queues an update with a message; answers {"update_id"}
  POST /_messages  [{...}, ...]: several at once, in order; an "update_id"
                   given is the update's (the next ones follow the highest)
  POST /_callback  {"chat_id", "message_id", "data"}: a callback_query update
  POST /_update    an update as given (its update_id is set): one no client
                   would make, e.g. a message without its chat
  POST /_control   {"fail": [{"method", "status", "retry_after"?,
                    "description"?}], "drop": ["method"...],
                    "hold": {"method": seconds}, "webhook": "url" | null,
                    "reset": true, "renumber": N, "username": "name" | null,
                    "username_null": true}
      fail: the next call of that method answers that error (one each;
      "raw": this body as is instead, e.g. JSON no encoder would write);
      drop: the next call of that method gets its connection closed with
      no answer; hold: calls of that method wait that long first, or
      until a hold of 0 for the method releases them.
      renumber: the next update is numbered N, as Telegram may after a
      week without updates; until an offset confirms one of the updates
      numbered from there, an offset past them confirms none.
      username: the bot's username getMe answers from now on (null: none;
      any string, as a Bot API gone wrong might); username_null: getMe
      answers "username": null from now on (until the next username).
  GET  /_sent      {"messages": [{"chat_id", "message_id", "text",
                    "parse_mode", "reply_markup", "edits", "t"}],
                    "violations": ["..."], "callbacks": [...],
                    "actions": [...], "commands": {...}, "offset": N,
                    "pending": N, "injected": [[chat_id, text, t]...],
                    "conflicts": N (getUpdates calls a second poller ended),
                    "held": N (calls waiting on a hold now)}
  GET  /_requests  {"requests": [{"method", "params", "t"}]}
  GET  /_wait?chat_id=C&n=N&timeout=S   answers once N messages went to
                   chat C (200), or after S seconds (408)

Rate limits as Telegram enforces them: after a 429 with retry_after N for
a chat, a sendMessage to that chat before the N seconds are over is
recorded in "violations" (and answered 429 again).

--ppid PID: exit when that process is gone.
"""

import html.parser
import json
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler
from urllib.parse import parse_qs, urlsplit

import fakeserver

ALLOWED_TAGS = {"b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "a", "code",
                "pre", "tg-spoiler", "span", "blockquote", "tg-emoji"}


class State:
    def __init__(self):
        self.cond = threading.Condition()
        self.reset()

    def reset(self):
        self.next_update = 100001
        self.updates = []          # pending, not yet confirmed
        self.offset = 0            # highest offset a poller confirmed
        self.renumbered = False    # numbered anew; no offset confirmed since
        self.messages = []
        self.next_message = 1
        self.violations = []
        self.callbacks = []
        self.actions = []
        self.commands = {}
        self.requests = []
        self.fail = []
        self.drop = []
        self.hold = {}
        self.held = 0
        self.webhook = None
        self.username = "nestor_test_bot"  # getMe's
        self.username_null = False  # getMe answers "username": null
        self.conflicts = 0         # getUpdates calls ended by a second poller (409)
        self.poll_gen = 0          # the current getUpdates call
        self.retry_until = {}      # chat_id -> monotonic time
        self.injected = []         # [chat_id, text, t] of each /_message


STATE = State()
TOKEN = "123456:TEST"


class EntityError(Exception):
    pass


class HtmlCheck(html.parser.HTMLParser):
    """Telegram's HTML parse mode: the supported tags, the four named
    entities and numeric ones; the text length is counted after parsing."""

    def __init__(self):
        super().__init__(convert_charrefs=False)
        self.text = []
        self.stack = []

    def handle_starttag(self, tag, attrs):
        if tag not in ALLOWED_TAGS:
            raise EntityError("Unsupported start tag \"%s\"" % tag)
        self.stack.append(tag)

    def handle_endtag(self, tag):
        if not self.stack or self.stack[-1] != tag:
            raise EntityError("Unmatched end tag \"%s\"" % tag)
        self.stack.pop()

    def handle_data(self, data):
        if "&" in data:
            raise EntityError("Character entity expected")
        self.text.append(data)

    def handle_entityref(self, name):
        if name not in ("lt", "gt", "amp", "quot"):
            raise EntityError("Unsupported HTML entity \"&%s;\"" % name)
        self.text.append({"lt": "<", "gt": ">", "amp": "&", "quot": '"'}[name])

    def handle_charref(self, name):
        self.text.append(chr(int(name[1:], 16) if name[:1] in "xX" else int(name)))


def parse_html(text):
    # A bare '<' that does not open a tag is an error in Telegram.
    i = text.find("<")
    while i >= 0:
        rest = text[i + 1:]
        if not rest or not (rest[0].isalpha() or rest[0] == "/"):
            raise EntityError("Unexpected character after '<'")
        i = text.find("<", i + 1)
    p = HtmlCheck()
    p.feed(text)
    p.close()
    if p.stack:
        raise EntityError("Can't find end tag corresponding to start tag \"%s\"" % p.stack[-1])
    return "".join(p.text)


def utf16_len(s):
    return sum(2 if ord(c) > 0xFFFF else 1 for c in s)


def error(code, description, retry_after=None):
    o = {"ok": False, "error_code": code, "description": description}
    if retry_after is not None:
        o["parameters"] = {"retry_after": retry_after}
    return code, o


def ok(result):
    return 200, {"ok": True, "result": result}


def user_of(chat_id, lang):
    return {"id": chat_id, "is_bot": False, "first_name": "User%d" % chat_id,
            "language_code": lang}


def queue(update, update_id=None):
    with STATE.cond:
        if update_id is None:
            update_id = STATE.next_update
        update["update_id"] = update_id
        STATE.next_update = max(STATE.next_update, update_id + 1)
        STATE.updates.append(update)
        STATE.cond.notify_all()
        return update["update_id"]


def message_update(c):
    chat = int(c["chat_id"])
    with STATE.cond:
        STATE.injected.append([chat, c.get("text"), time.monotonic()])
    m = {"message_id": 9000 + STATE.next_update, "from": user_of(chat, c.get("language_code", "en")),
         "chat": {"id": chat, "type": c.get("chat_type", "private"), "first_name": "User%d" % chat},
         "date": int(time.time())}
    if "text" in c:
        m["text"] = c["text"]
        if c["text"].startswith("/"):
            m["entities"] = [{"offset": 0, "length": len(c["text"].split()[0]),
                              "type": "bot_command"}]
    if "entities" in c:
        m["entities"] = c["entities"]
    if "location" in c:
        m["location"] = c["location"]
    if c.get("voice"):
        m["voice"] = {"file_id": "AwACAgIAAx", "file_unique_id": "AgADBA", "duration": 2,
                      "mime_type": "audio/ogg", "file_size": 4242}
    if c.get("photo"):
        m["photo"] = [{"file_id": "AgACAgIAAx", "file_unique_id": "AQADBA", "width": 90,
                       "height": 90, "file_size": 1234}]
    return queue({"message": m}, c.get("update_id"))


def callback_update(c):
    chat = int(c["chat_id"])
    with STATE.cond:
        msg = next((m for m in STATE.messages if m["message_id"] == int(c["message_id"])), None)
    m = {"message_id": int(c["message_id"]),
         "from": {"id": 1, "is_bot": True, "first_name": "Nestor", "username": "nestor_test_bot"},
         "chat": {"id": chat, "type": "private"}, "date": int(time.time()),
         "text": msg["text"] if msg else ""}
    if msg and msg.get("reply_markup"):
        m["reply_markup"] = msg["reply_markup"]
    return queue({"callback_query": {"id": "cb%d" % STATE.next_update,
                                     "from": user_of(chat, c.get("language_code", "en")),
                                     "message": m, "chat_instance": "-77%d" % chat,
                                     "data": c["data"]}})


def get_updates(p):
    offset = int(p.get("offset", 0) or 0)
    timeout = min(float(p.get("timeout", 0) or 0), 30.0)
    limit = int(p.get("limit", 100) or 100)
    allowed = p.get("allowed_updates")
    with STATE.cond:
        if STATE.webhook:
            return error(409, "Conflict: can't use getUpdates method while webhook is active; "
                         "use deleteWebhook to delete the webhook first")
        if STATE.renumbered and offset > STATE.next_update:
            offset = 0             # past every update numbered anew
        if offset:
            STATE.renumbered = False
            STATE.offset = max(STATE.offset, offset)
            STATE.updates = [u for u in STATE.updates if u["update_id"] >= offset]
        STATE.poll_gen += 1
        gen = STATE.poll_gen
        STATE.cond.notify_all()
        end = time.monotonic() + timeout
        while True:
            if STATE.poll_gen != gen:
                STATE.conflicts += 1
                return error(409, "Conflict: terminated by other getUpdates request; make sure "
                             "that only one bot instance is running")
            got = [u for u in STATE.updates
                   if not allowed or any(k in allowed for k in u if k != "update_id")]
            left = end - time.monotonic()
            if got or left <= 0:
                return ok(got[:limit])
            STATE.cond.wait(left)


def send_message(p, edit=False):
    try:
        chat = int(p["chat_id"])
    except (KeyError, ValueError):
        return error(400, "Bad Request: chat_id is empty")
    text = p.get("text") or ""
    if not text:
        return error(400, "Bad Request: message text is empty")
    mode = p.get("parse_mode")
    plain = text
    if mode == "HTML":
        try:
            plain = parse_html(text)
        except EntityError as ex:
            return error(400, "Bad Request: can't parse entities: %s" % ex)
    if utf16_len(plain) > 4096:
        return error(400, "Bad Request: message is too long")
    markup = p.get("reply_markup")
    if isinstance(markup, str):
        markup = json.loads(markup)
    if markup:
        for row in markup.get("inline_keyboard", []):
            for b in row:
                if len(b.get("callback_data", "").encode()) > 64:
                    return error(400, "Bad Request: BUTTON_DATA_INVALID")
    now = time.monotonic()
    with STATE.cond:
        if not edit:
            until = STATE.retry_until.get(chat)
            if until and now < until:
                STATE.violations.append("sendMessage to %d %.2f s before retry_after ended"
                                        % (chat, until - now))
                return error(429, "Too Many Requests: retry after %d" % int(until - now + 1),
                             int(until - now + 1))
            mid = STATE.next_message
            STATE.next_message += 1
            m = {"chat_id": chat, "message_id": mid, "text": plain, "html": text,
                 "parse_mode": mode, "reply_markup": markup, "edits": [], "t": now}
            STATE.messages.append(m)
            STATE.cond.notify_all()
        else:
            mid = int(p.get("message_id", 0))
            m = next((x for x in STATE.messages
                      if x["message_id"] == mid and x["chat_id"] == chat), None)
            if not m:
                return error(400, "Bad Request: message to edit not found")
            if m["text"] == plain and m["reply_markup"] == markup:
                return error(400, "Bad Request: message is not modified: specified new message "
                             "content and reply markup are exactly the same as a current "
                             "content and reply markup of the message")
            m["edits"].append({"text": plain, "reply_markup": markup, "t": now})
            m["text"], m["reply_markup"] = plain, markup
    return ok({"message_id": mid, "from": {"id": 1, "is_bot": True, "first_name": "Nestor",
                                           "username": "nestor_test_bot"},
               "chat": {"id": chat, "type": "private"}, "date": int(time.time()),
               "text": plain})


def call(method, p):
    if method == "getMe":
        me = {"id": 1, "is_bot": True, "first_name": "Nestor", "username": STATE.username,
              "can_join_groups": True, "can_read_all_group_messages": False,
              "supports_inline_queries": False}
        if STATE.username_null:
            me["username"] = None
        elif STATE.username is None:
            del me["username"]
        return ok(me)
    if method == "getUpdates":
        return get_updates(p)
    if method == "sendMessage":
        return send_message(p)
    if method == "editMessageText":
        return send_message(p, edit=True)
    if method == "answerCallbackQuery":
        if not p.get("callback_query_id"):
            return error(400, "Bad Request: query is too old and response timeout expired or "
                         "query ID is invalid")
        with STATE.cond:
            STATE.callbacks.append({"id": p["callback_query_id"], "text": p.get("text")})
        return ok(True)
    if method == "sendChatAction":
        with STATE.cond:
            STATE.actions.append({"chat_id": int(p.get("chat_id", 0)), "action": p.get("action")})
        return ok(True)
    if method == "setMyCommands":
        cmds = p.get("commands")
        if isinstance(cmds, str):
            cmds = json.loads(cmds)
        with STATE.cond:
            STATE.commands[p.get("language_code") or ""] = cmds
        return ok(True)
    if method == "deleteWebhook":
        with STATE.cond:
            STATE.webhook = None
            if p.get("drop_pending_updates"):
                STATE.updates = []
        return ok(True)
    if method == "setWebhook":
        with STATE.cond:
            STATE.webhook = p.get("url") or None
        return ok(True)
    return error(404, "Not Found")


class Handler(BaseHTTPRequestHandler):
    server_version = "fake-telegram/1"
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):
        pass

    def send_json(self, status, obj):
        self.send_raw(status, json.dumps(obj, ensure_ascii=False).encode())

    def send_raw(self, status, data):
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        try:
            self.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):
            pass

    def params(self, u, body):
        p = {k: v[0] for k, v in parse_qs(u.query).items()}
        ctype = self.headers.get("Content-Type") or ""
        if body and ctype.startswith("application/json"):
            p.update(json.loads(body))
        elif body:
            p.update({k: v[0] for k, v in parse_qs(body.decode()).items()})
        if isinstance(p.get("allowed_updates"), str):
            p["allowed_updates"] = json.loads(p["allowed_updates"])
        return p

    def control(self, path, c):
        if path == "/_message":
            return self.send_json(200, {"update_id": message_update(c)})
        if path == "/_callback":
            return self.send_json(200, {"update_id": callback_update(c)})
        if path == "/_update":
            return self.send_json(200, {"update_id": queue(c)})
        with STATE.cond:
            if c.get("reset"):
                STATE.reset()
            if "renumber" in c:
                STATE.next_update = int(c["renumber"])
                STATE.offset = 0
                STATE.renumbered = True
            STATE.fail += c.get("fail", [])
            STATE.drop += c.get("drop", [])
            STATE.hold.update(c.get("hold", {}))
            if "webhook" in c:
                STATE.webhook = c["webhook"]
            if "username" in c:
                STATE.username, STATE.username_null = c["username"], False
            if c.get("username_null"):
                STATE.username_null = True
            STATE.cond.notify_all()
        self.send_json(200, {"ok": True})

    def handle_any(self, method):
        u = urlsplit(self.path)
        n = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(n) if n else b""
        if u.path in ("/_message", "/_callback", "/_update", "/_control"):
            return self.control(u.path, json.loads(body or b"{}"))
        if u.path == "/_messages":
            ids = [message_update(c) for c in json.loads(body or b"[]")]
            return self.send_json(200, {"update_ids": ids})
        if u.path == "/_sent":
            with STATE.cond:
                return self.send_json(200, {
                    "messages": STATE.messages, "violations": STATE.violations,
                    "callbacks": STATE.callbacks, "actions": STATE.actions,
                    "commands": STATE.commands, "offset": STATE.offset,
                    "pending": len(STATE.updates), "webhook": STATE.webhook,
                    "injected": STATE.injected, "conflicts": STATE.conflicts,
                    "held": STATE.held})
        if u.path == "/_wait":
            q = {k: v[0] for k, v in parse_qs(u.query).items()}
            chat, n = int(q["chat_id"]), int(q["n"])
            end = time.monotonic() + float(q.get("timeout", "10"))
            with STATE.cond:
                while (len([m for m in STATE.messages if m["chat_id"] == chat]) < n
                       and time.monotonic() < end):
                    STATE.cond.wait(end - time.monotonic())
                got = len([m for m in STATE.messages if m["chat_id"] == chat])
            return self.send_json(200 if got >= n else 408, {"messages": got})
        if u.path == "/_requests":
            with STATE.cond:
                return self.send_json(200, {"requests": STATE.requests})
        parts = u.path.split("/")
        if len(parts) != 3 or not parts[1].startswith("bot"):
            return self.send_json(*error(404, "Not Found"))
        if parts[1][3:] != TOKEN:
            return self.send_json(*error(401, "Unauthorized"))
        api = parts[2]
        try:
            p = self.params(u, body)
        except ValueError:
            return self.send_json(*error(400, "Bad Request: can't parse JSON"))
        now = time.monotonic()
        with STATE.cond:
            STATE.requests.append({"method": api, "params": p, "t": now})
            fail = next((f for f in STATE.fail if f["method"] == api), None)
            if fail:
                STATE.fail.remove(fail)
            drop = api in STATE.drop
            if drop:
                STATE.drop.remove(api)
            hold = STATE.hold.get(api, 0)
        if hold:
            # wait that long, or until the test sets the hold back to 0
            end = time.monotonic() + hold
            with STATE.cond:
                STATE.held += 1
                while STATE.hold.get(api, 0) and time.monotonic() < end:
                    STATE.cond.wait(end - time.monotonic())
                STATE.held -= 1
        if drop:
            self.close_connection = True
            return
        if fail and "raw" in fail:
            return self.send_raw(fail["status"], fail["raw"].encode())
        if fail:
            ra = fail.get("retry_after")
            if ra is not None and api == "sendMessage" and "chat_id" in p:
                with STATE.cond:
                    STATE.retry_until[int(p["chat_id"])] = now + ra
            desc = fail.get("description") or {
                429: "Too Many Requests: retry after %s" % ra,
                409: "Conflict: terminated by other getUpdates request; make sure that only "
                     "one bot instance is running",
                400: "Bad Request: can't parse entities: Can't find end of the entity"}.get(
                    fail["status"], "Internal Server Error")
            return self.send_json(*error(fail["status"], desc, ra))
        self.send_json(*call(api, p))

    def do_GET(self):
        self.handle_any("GET")

    def do_POST(self):
        self.handle_any("POST")


def main():
    global TOKEN
    ap = fakeserver.arguments(__doc__.splitlines()[0])
    ap.add_argument("--token", default=TOKEN)
    args = ap.parse_args()
    TOKEN = args.token
    fakeserver.serve(Handler, args)


if __name__ == "__main__":
    sys.exit(main())
