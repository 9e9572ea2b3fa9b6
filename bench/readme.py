#!/usr/bin/env python3
"""Put the table the last `make bench` wrote (build/bench.md) into README.md,
between the lines <!-- bench: begin --> and <!-- bench: end -->.
usage: readme.py BENCH_MD README"""
import sys


def main():
    table = open(sys.argv[1]).read().rstrip("\n")
    text = open(sys.argv[2]).read()
    begin, end = "<!-- bench: begin -->", "<!-- bench: end -->"
    if begin not in text or end not in text:
        print("readme.py: %s has no %s ... %s" % (sys.argv[2], begin, end), file=sys.stderr)
        return 1
    head, rest = text.split(begin, 1)
    tail = rest.split(end, 1)[1]
    with open(sys.argv[2], "w") as f:
        f.write(head + begin + "\n" + table + "\n" + end + tail)
    return 0


if __name__ == "__main__":
    sys.exit(main())
