#!/usr/bin/env python3
"""Two builds of one command, run in pairs: on a machine with other work
(wall times of one binary move by more than a change between two hyperfine
runs), each run of A is followed or preceded by one of B, the order
alternating, so both see the same load.  Prints each median wall time, the
mean CPU (user + system, from wait4) and the median of the paired
differences B - A, which is the figure to quote (bench/PROFILE.md, fifth
round).  Run it from the directory the command's paths are relative to;
the environment is passed as it is (set NESTOR_HOME, NESTOR_LOG, TZ).
usage: paired.py N BIN_A BIN_B 'ARGS' ['ARGS'...]
e.g.   paired.py 201 ./old ./new '--version' '--db 10k.db agenda --from 2026-06-01 --to 2026-06-07'
ARGS may be 'ARGS_A ::: ARGS_B', each build its own (its own database, when
the newer one migrates it and the older cannot open it then)."""
import os
import statistics
import sys
import time


def run(binary, args, null):
    t = time.perf_counter()
    pid = os.posix_spawn(binary, [binary] + args, os.environ,
                         file_actions=[(os.POSIX_SPAWN_DUP2, null, 1)])
    _, status, usage = os.wait4(pid, 0)
    wall = (time.perf_counter() - t) * 1000
    if status != 0:
        sys.exit("paired: %s %s failed (status %d)" % (binary, " ".join(args), status))
    return wall, (usage.ru_utime + usage.ru_stime) * 1000


def main():
    if len(sys.argv) < 5:
        sys.exit("usage: paired.py N BIN_A BIN_B 'ARGS'...")
    n, a, b = int(sys.argv[1]), sys.argv[2], sys.argv[3]
    if a == b:
        sys.exit("paired: BIN_A and BIN_B are the same path (copy one)")
    null = os.open(os.devnull, os.O_WRONLY)
    for line in sys.argv[4:]:
        parts = line.split(":::")
        args = {a: parts[0].split(), b: parts[-1].split()}
        for _ in range(3):
            run(a, args[a], null)
            run(b, args[b], null)
        wall = {a: [], b: []}
        cpu = {a: [], b: []}
        diff = []
        for i in range(n):
            for binary in ((b, a) if i % 2 else (a, b)):
                w, c = run(binary, args[binary], null)
                wall[binary].append(w)
                cpu[binary].append(c)
            diff.append(wall[b][-1] - wall[a][-1])
        print(line)
        for binary in (a, b):
            print("    %s: median %.2f ms, CPU %.2f ms" % (
                binary, statistics.median(wall[binary]), statistics.mean(cpu[binary])))
        print("    median paired difference B - A: %+.2f ms (%d pairs)" % (statistics.median(diff), n))
        sys.stdout.flush()


if __name__ == "__main__":
    main()
