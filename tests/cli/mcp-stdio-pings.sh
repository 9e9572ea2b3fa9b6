# nestor mcp (stdio) and a client that sends pings while a call is held
# and reads nothing meanwhile: 20,000 of them, far more answers than a
# pipe holds.  nestor goes on reading its input (the client is never left
# blocked writing to it): the first pings are answered at once, those past
# 1000 unread answers after the call, with one warning in the log; once
# the client reads, it gets the call's answer and every ping's, and nestor
# ends when the input does.  Each step has a time limit that fails the
# test instead of hanging it.
. "$(dirname "$0")/lib.sh"
. "$SRC/tests/fake/openmeteo.sh"
cd "$NESTOR_HOME"
fake_openmeteo_start
fake_openmeteo_config
nestor config set weather.timeout 60 >/dev/null
BASE=$BASE python3 - <<'PY' || fail "the pings while a call is held"
import json, os, subprocess, sys, threading, time, urllib.request

BASE = os.environ["BASE"]
PINGS = 20000
stage = "start"
done = threading.Event()


def watchdog(secs):
    """Fail the step under way if it takes longer than secs."""
    global done
    done.set()
    done = threading.Event()
    ev = done

    def fire():
        if not ev.wait(secs):
            sys.stderr.write("FAIL: timed out after %d s: %s\n" % (secs, stage))
            sys.stderr.flush()
            p.kill()
            os._exit(1)
    threading.Thread(target=fire, daemon=True).start()


def post(path, body):
    urllib.request.urlopen(urllib.request.Request(BASE + path, data=body.encode(), method="POST")).read()


def requests():
    return len(json.load(urllib.request.urlopen(BASE + "/_requests"))["requests"])


def send(text):
    p.stdin.write(text.encode())
    p.stdin.flush()


p = subprocess.Popen([os.environ["NESTOR_BIN"], "mcp"], stdin=subprocess.PIPE,
                     stdout=subprocess.PIPE, stderr=open("err", "w"))
stage = "initialize"
watchdog(30)
send('{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18",'
     '"capabilities":{},"clientInfo":{"name":"t","version":"0"}}}\n'
     '{"jsonrpc":"2.0","method":"notifications/initialized"}\n')
assert json.loads(p.stdout.readline())["id"] == 1

stage = "the weather call to reach the fake"
post("/_control", '{"hold": 1}')
n = requests()
send('{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"weather_forecast",'
     '"arguments":{"place":"Berlin"}}}\n')
while requests() < n + 1:
    time.sleep(0.05)

stage = "sending %d pings while the call is held, reading nothing" % PINGS
watchdog(60)
send("".join('{"jsonrpc":"2.0","id":%d,"method":"ping"}\n' % (100 + i) for i in range(PINGS)))

stage = "the answers, once read"
post("/_release", "{}")
want = set(range(100, 100 + PINGS)) | {2}
call = None
while want:
    line = p.stdout.readline()
    assert line, "nestor's output ended; still to come: %s" % sorted(want)[:5]
    m = json.loads(line)
    assert m["id"] in want, "answered twice or not asked: %s" % line
    want.discard(m["id"])
    if m["id"] == 2:
        call = m
    else:
        assert m == {"jsonrpc": "2.0", "id": m["id"], "result": {}}, line
assert call["result"]["structuredContent"]["place"] == "Berlin", call

stage = "nestor to end when its input does"
p.stdin.close()
rest = p.stdout.read()
assert rest == b"", rest
assert p.wait() == 0, p.returncode
done.set()
PY
[ ! -s err ] || fail "stderr not empty: $(cat err)"
expect_eq "one warning" "$(grep -c 'ping answers not read by the client' nestor.log)" 1
expect_match "the warning" "$(cat nestor.log)" \
	'mcp: 1000 ping answers not read by the client: more pings are answered after the call'
