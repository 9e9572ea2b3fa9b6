#!/usr/bin/env python3
"""A smaller store with the same week: from the events.ics of
bench/gen_calendar.py, every event that has an occurrence in the window
[FROM, TO] (dates, UTC, TO inclusive), then as many of the others, in the
file's order, as make N events in all.  The agenda of that window then
prints the same lines from N events as from the whole file, so the two
times differ only by what the size of the store costs.
Knows the generator's shapes only: UTC DTSTART/DTEND, and
RRULE:FREQ=WEEKLY;UNTIL=...Z.
usage: same_week.py EVENTS.ics OUT.ics N FROM TO"""
import datetime as dt
import sys

UTC = "%Y%m%dT%H%M%SZ"


def touches(ev, lo, hi):
    start = end = until = None
    for line in ev:
        if line.startswith("DTSTART:"):
            start = dt.datetime.strptime(line[8:], UTC)
        elif line.startswith("DTEND:"):
            end = dt.datetime.strptime(line[6:], UTC)
        elif line.startswith("RRULE:FREQ=WEEKLY;UNTIL="):
            until = dt.datetime.strptime(line[24:], UTC)
    if start is None or end is None:
        sys.exit("same_week: an event without DTSTART or DTEND")
    dur = end - start
    step = dt.timedelta(days=7)
    while True:
        if start < hi and start + dur > lo:
            return True
        if until is None or start >= hi:
            return False
        start += step
        if start > until:
            return False


def main():
    if len(sys.argv) != 6:
        sys.exit(__doc__)
    src, out, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
    lo = dt.datetime.strptime(sys.argv[4], "%Y-%m-%d")
    hi = dt.datetime.strptime(sys.argv[5], "%Y-%m-%d") + dt.timedelta(days=1)
    head, events, ev = [], [], None
    with open(src, newline="") as f:
        for line in f.read().split("\r\n"):
            if line == "BEGIN:VEVENT":
                ev = [line]
            elif ev is not None:
                ev.append(line)
                if line == "END:VEVENT":
                    events.append(ev)
                    ev = None
            elif line and line != "END:VCALENDAR":
                head.append(line)
    inside = [e for e in events if touches(e, lo, hi)]
    if len(inside) > n:
        sys.exit("same_week: %d events touch the window, more than %d" % (len(inside), n))
    others = [e for e in events if not touches(e, lo, hi)][: n - len(inside)]
    with open(out, "w", newline="") as f:
        lines = head + [x for e in inside + others for x in e] + ["END:VCALENDAR", ""]
        f.write("\r\n".join(lines))
    print(len(inside))


if __name__ == "__main__":
    main()
