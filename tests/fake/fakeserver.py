"""The start-up every fake third-party server shares: bind 127.0.0.1 on the
given port (0: the system picks one), print "PORT n" as the first line of
stdout for the test that started it, exit when that test's process is gone
(--ppid), and serve until interrupted."""
import argparse
import os
import threading
import time
from http.server import ThreadingHTTPServer


def arguments(description):
    """An ArgumentParser with --port and --ppid; add server-specific options to it."""
    ap = argparse.ArgumentParser(description=description)
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--ppid", type=int, default=0, help="exit when this parent is gone")
    return ap


def _watch_parent(ppid):
    while True:
        if os.getppid() != ppid:
            os._exit(0)
        time.sleep(0.5)


def serve(handler, args):
    srv = ThreadingHTTPServer(("127.0.0.1", args.port), handler)
    srv.daemon_threads = True
    if args.ppid:
        threading.Thread(target=_watch_parent, args=(args.ppid,), daemon=True).start()
    print("PORT %d" % srv.server_address[1], flush=True)
    try:
        srv.serve_forever()
    except KeyboardInterrupt:
        pass
