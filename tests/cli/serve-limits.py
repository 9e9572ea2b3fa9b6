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
"""
import socket
import sys

MIB = 1 << 20


def connect(host, port):
    s = socket.create_connection((host, port), timeout=10)
    return s


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


def main():
    host, port, what, token = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
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
    sys.exit("unknown: " + what)


main()
