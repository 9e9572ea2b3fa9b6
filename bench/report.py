#!/usr/bin/env python3
"""The table of bench/calendar.sh: reads its results file (lines "ROW TOOL
METRIC VALUE"), checks that every peer counted the occurrences nestor
counted, prints the figures with ratios (peer / nestor) and writes the same
as Markdown to $BENCH_MD.  Exits 1 when a count disagrees.
usage: report.py RESULTS "SIZES" PEER_MAX"""
import os
import sys

PEERS = ["before", "calcurse", "remind", "khal"]
# A column that is not a peer: bench/floor.c (no count, no agenda of its own)
FLOOR = "floor"


def label(row):
    if row == "version":
        return "`--version`"
    if row == "tasks":
        return "`task list`, empty store (calcurse: `-t`)"
    kind, n = row.split("-")
    n = int(n)
    size = "%dk" % (n // 1000) if n >= 1000 else str(n)
    return {"import": "import .ics, %s events" % size,
            "week": "week agenda, %s events" % size,
            "year": "year agenda, %s events" % size}[kind]


def secs(v):
    return "%.1f ms" % (v * 1e3) if v < 1 else "%.2f s" % v


def scale(data, sizes):
    """How nestor's week grows from the smallest size to the largest: the
    time of a window should follow the lines it prints, not the store."""
    if len(sizes) < 2:
        return None
    ordered = sorted(sizes, key=int)
    small, large = ("week-" + ordered[0]), ("week-" + ordered[-1])
    a = data.get(small, {}).get("nestor", {})
    b = data.get(large, {}).get("nestor", {})
    if "wall" not in a or "wall" not in b:
        return None
    lines = ""
    if "count" in a and "count" in b:
        lines = " for %d lines against %d" % (b["count"], a["count"])
    return ("%s against %s: nestor's wall time %.2fx, CPU %.2fx%s." % (
        label(large), label(small), b["wall"] / a["wall"], b["cpu"] / a["cpu"], lines))


def same_week(data, sizes, bad):
    """The largest size's week read from a store of the smallest size that
    holds every event of it (bench/same_week.py), against the same week
    from the largest store, measured right after it."""
    if len(sizes) < 2:
        return None
    ordered = sorted(sizes, key=int)
    small, large = ordered[0], ordered[-1]
    row = data.get("same-" + small, {})
    me, big = row.get("nestor", {}), row.get("big", {})
    if "wall" not in me or "wall" not in big:
        return None
    want = data.get("week-" + large, {}).get("nestor", {}).get("count")
    if want is not None and me.get("count") != want:
        bad.append("the %s week from %s events: %s lines, the %s store %d" % (
            label("week-" + large).split(", ")[1], small, me.get("count"), large, want))
    return ("The same week (%d occurrences of %d events) from a store of %s events: "
            "%s / %s, and from the %s store right after: %s / %s (wall %.2fx, CPU %.2fx): "
            "what the store's size costs the window." % (
                me.get("count", 0), row.get("events", {}).get("count", 0),
                label("week-" + small).split(", ")[1].split()[0], secs(me["wall"]),
                secs(me["cpu"]), label("week-" + large).split(", ")[1].split()[0],
                secs(big["wall"]), secs(big["cpu"]), big["wall"] / me["wall"],
                big["cpu"] / me["cpu"]))


def main():
    path, sizes, peer_max = sys.argv[1], sys.argv[2].split(), int(sys.argv[3])
    data = {}
    for line in open(path):
        row, tool, metric, value = line.split()
        data.setdefault(row, {}).setdefault(tool, {})[metric] = float(value)
    rows = ["version", "tasks"]
    for n in sizes:
        rows += ["import-" + n, "week-" + n, "year-" + n]

    bad = []
    counts = []
    for row in rows:
        tools = data.get(row, {})
        if "count" not in tools.get("nestor", {}):
            continue
        mine = int(tools["nestor"]["count"])
        seen = ["nestor %d" % mine]
        for p in PEERS:
            if "count" in tools.get(p, {}):
                theirs = int(tools[p]["count"])
                seen.append("%s %d" % (p, theirs))
                if theirs != mine:
                    bad.append("%s: nestor %d, %s %d" % (row, mine, p, theirs))
        counts.append("%s: %s" % (label(row), ", ".join(seen)))

    before = any("before" in t for t in data.values())
    peers = PEERS if before else PEERS[1:]
    if any(FLOOR in t for t in data.values()):
        peers = peers + [FLOOR]
    names = {"before": "nestor before", FLOOR: "floor (C, SQLite)"}
    head = ["measure", "nestor (wall / CPU)"] + [names.get(p, p) for p in peers]
    table = []
    for row in rows:
        tools = data.get(row, {})
        me = tools.get("nestor", {})
        if "wall" not in me:
            continue
        cells = [label(row), "%s / %s" % (secs(me["wall"]), secs(me["cpu"]))]
        for p in peers:
            t = tools.get(p, {})
            cells.append("%s (%.1fx)" % (secs(t["wall"]), t["wall"] / me["wall"])
                         if "wall" in t else "-")
        table.append(cells)
    mem = []
    for row in rows:
        tools = data.get(row, {})
        if "rss" in tools.get("nestor", {}):
            kib = tools["nestor"]["rss"]
            m = [label(row), "%.1f MiB" % (kib / 1024)]
            for p in (["before"] if before else []) + ["calcurse"]:
                v = tools.get(p, {}).get("rss")
                m.append("%.1f MiB" % (v / 1024) if v else "-")
            mem.append(m)

    notes = ["TZ=UTC, one run of bench/calendar.sh; wall: median, CPU: mean user + "
             "system; (Nx): how many times the peer's wall time is nestor's."
             + (" nestor before: the build of NESTOR_BEFORE, on its own database, "
                "measured right after nestor." if before else ""),
             "calcurse and khal run up to %d events (at 100k calcurse's import is "
             "quadratic and its week agenda takes minutes); remind runs at every size."
             % peer_max]
    growth = scale(data, sizes)
    if growth:
        notes.append(growth)
    same = same_week(data, sizes, bad)
    if same:
        notes.append(same)
    if FLOOR in peers:
        notes.append("floor: bench/floor.c, linked with the same static SQLite: it prints a "
                     "line (`--version`), or opens the row's store read-only and reads its "
                     "schema (the other rows), the least any program reading the store does.")

    print("start-up and calendar bench (ratio = peer / nestor)")
    widths = [max(len(r[i]) for r in [head] + table) for i in range(len(head))]
    for r in [head] + table:
        print("  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip())
    mhead = ["peak RSS", "nestor"] + (["nestor before"] if before else []) + ["calcurse"]
    print("peak RSS: " + "; ".join(
        "%s %s" % (m[0], ", ".join("%s %s" % (h, v) for h, v in zip(mhead[1:], m[1:])))
        for m in mem))
    print("occurrences (every tool must agree):")
    for c in counts:
        print("  " + c)
    for n in notes:
        print(n)

    md = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    md += ["| " + " | ".join(r) + " |" for r in table]
    md += ["", "| " + " | ".join(mhead) + " |", "|" + "---|" * len(mhead)]
    md += ["| " + " | ".join(m) + " |" for m in mem]
    md += [""] + ["Occurrences, all tools agreeing: " + "; ".join(counts) + "."] + [""] + notes
    with open(os.environ.get("BENCH_MD", "/dev/null"), "w") as f:
        f.write("\n".join(md) + "\n")

    if bad:
        print("bench: occurrence counts disagree: " + "; ".join(bad), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
