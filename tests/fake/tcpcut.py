"""A TCP relay on 127.0.0.1 to a real server, that stops in the middle of a
conversation, so a test can kill the server at that very moment.

It forwards every connection to --upstream.  Once one connection has
carried --after bytes in --direction (c2s: client to server, s2c: server to
client), it stops forwarding that connection in both directions and writes
"held" to --state; when the file named by --release appears, it closes the
held connection and forwards every later one untouched.  Prints "PORT n"
first, exits when --ppid is gone (fakeserver.py's start-up)."""
import os
import select
import socket
import threading
import time

import fakeserver

ap = fakeserver.arguments(__doc__)
ap.add_argument("--upstream", type=int, required=True)
ap.add_argument("--after", type=int, required=True)
ap.add_argument("--direction", choices=("c2s", "s2c"), required=True)
ap.add_argument("--state", required=True)
ap.add_argument("--release", required=True)
args = ap.parse_args()
lock = threading.Lock()
armed = [True]


def relay(client):
    up = socket.create_connection(("127.0.0.1", args.upstream))
    with lock:
        watching = armed[0]
    count = 0
    pairs = {client: up, up: client}
    try:
        while True:
            ready, _, _ = select.select([client, up], [], [], 0.5)
            for s in ready:
                data = s.recv(65536)
                if not data:
                    return
                c2s = s is client
                if watching and (c2s == (args.direction == "c2s")):
                    if count + len(data) >= args.after:
                        # part of it goes, then nothing more
                        pairs[s].sendall(data[: max(0, args.after - count)])
                        hold()
                        return
                    count += len(data)
                pairs[s].sendall(data)
    except OSError:
        return
    finally:
        client.close()
        up.close()


def hold():
    with lock:
        armed[0] = False
    with open(args.state, "w") as f:
        f.write("held\n")
    while not os.path.exists(args.release):
        time.sleep(0.05)


def main():
    srv = socket.socket()
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind(("127.0.0.1", args.port))
    srv.listen(16)
    if args.ppid:
        threading.Thread(target=fakeserver._watch_parent, args=(args.ppid,), daemon=True).start()
    print("PORT %d" % srv.getsockname()[1], flush=True)
    while True:
        c, _ = srv.accept()
        threading.Thread(target=relay, args=(c,), daemon=True).start()


main()
