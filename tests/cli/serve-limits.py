#!/usr/bin/env python3
"""Raw-socket clients for tests/cli/serve-limits.sh: requests a well-behaved
client would not send (a body held back, many connections at once).

  serve-limits.py HOST PORT early TOKEN|-
      POST /v1/tasks declaring a 1 MiB body but sending none; prints the
      status line the server answers (bounded wait), or "none".
  serve-limits.py HOST PORT busy TOKEN N
      holds N connections, each with 1 MiB - 1 bytes of a 1 MiB body sent,
      then sends whole requests with a 100-byte body (not JSON: 400 when
      read) until one is answered 503, or 200 tries; prints the status
      lines seen, one per try.
  serve-limits.py HOST PORT conns PER_IP
      holds PER_IP connections from 127.0.0.1, each with half a request
      sent, then prints the answer to a whole GET /healthz: from 127.0.0.1
      ("refused" when closed unanswered), from 127.0.0.2, and from
      127.0.0.1 again once the held ones are closed.
  serve-limits.py HOST PORT trickle
      sends a request's headers one byte a second, never idle for long;
      prints "closed" when the server closes the connection (at most 90
      bytes), else "open".
  serve-limits.py HOST PORT midway TOKEN FILE
      POST /v1/tasks with half its body sent, then FILE.sent made; once
      FILE exists, the rest of the body; prints the status line.
  serve-limits.py HOST PORT trickle-after TOKEN
      the same on a connection that first had a whole POST /v1/ask
      answered (a deferred answer, by a job); prints the ask's status
      line, then "closed" or "open".
"""
import os
import select
import socket
import sys
import time

MIB = 1 << 20


def connect(host, port, source=None):
    return socket.create_connection((host, port), timeout=10,
                                    source_address=(source, 0) if source else None)


def healthz(host, port, source):
    try:
        s = connect(host, port, source)
        s.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        line = status_line(s)
        s.close()
    except OSError:
        line = "none"
    return "refused" if line == "none" else line


def head(token, length):
    h = "POST /v1/tasks HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
    if token != "-":
        h += "Authorization: Bearer %s\r\n" % token
    h += "Content-Length: %d\r\n\r\n" % length
    return h.encode()


def status_line(s):
    buf = b""
    try:
        while b"\r\n" not in buf:
            got = s.recv(4096)
            if not got:
                break
            buf += got
    except socket.timeout:
        pass
    return buf.split(b"\r\n")[0].decode("latin-1") if buf else "none"


def read_answer(s):
    """A whole answer with a Content-Length; its status line."""
    buf = b""
    while b"\r\n\r\n" not in buf:
        got = s.recv(4096)
        if not got:
            return "none"
        buf += got
    headers, rest = buf.split(b"\r\n\r\n", 1)
    length = 0
    for line in headers.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value)
    while len(rest) < length:
        got = s.recv(4096)
        if not got:
            break
        rest += got
    return headers.split(b"\r\n")[0].decode("latin-1")


def main():
    host, port, what = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    token = sys.argv[4] if len(sys.argv) > 4 else "-"
    if what == "early":
        s = connect(host, port)
        s.sendall(head(token, MIB))
        print(status_line(s))
        return
    if what == "busy":
        held = []
        for _ in range(int(sys.argv[5])):
            s = connect(host, port)
            s.sendall(head(token, MIB) + b" " * (MIB - 1))
            held.append(s)
        for _ in range(200):
            s = connect(host, port)
            s.sendall(head(token, 100) + b"x" * 100)
            line = status_line(s)
            s.close()
            print(line, flush=True)
            if " 503 " in line + " ":
                break
        return
    if what == "conns":
        held = []
        for _ in range(int(token)):
            s = connect(host, port, "127.0.0.1")
            s.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")
            held.append(s)
        print(healthz(host, port, "127.0.0.1"))
        print(healthz(host, port, "127.0.0.2"))
        for s in held:
            s.close()
        # the server sees them go as it reads: ask until it answers
        for _ in range(200):
            line = healthz(host, port, "127.0.0.1")
            if line != "refused":
                break
        print(line)
        return
    if what == "midway":
        body = b'{"title": "sent in halves"}'
        s = connect(host, port)
        s.sendall(head(token, len(body)) + body[:10])
        open(sys.argv[5] + ".sent", "w").close()
        while not os.path.exists(sys.argv[5]):
            time.sleep(0.05)
        s.sendall(body[10:])
        print(status_line(s))
        return
    if what in ("trickle", "trickle-after"):
        s = connect(host, port)
        if what == "trickle-after":
            body = b'{"text": "what time is it"}'
            s.sendall(b"POST /v1/ask HTTP/1.1\r\nHost: x\r\nAccept: application/json\r\n"
                      b"Content-Type: application/json\r\nAuthorization: Bearer "
                      + token.encode() + b"\r\nContent-Length: %d\r\n\r\n" % len(body)
                      + body)
            print(read_answer(s), flush=True)
        data = b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: " + b"a" * 200
        for i in range(90):
            try:
                s.sendall(data[i:i + 1])
            except OSError:
                print("closed")
                return
            # a second without a byte from the server (its close ends it)
            r, _, _ = select.select([s], [], [], 1.0)
            if r:
                try:
                    got = s.recv(4096)
                except OSError:
                    got = b""
                print("closed" if not got else "answered")
                return
        print("open")
        return
    sys.exit("unknown: " + what)


main()
