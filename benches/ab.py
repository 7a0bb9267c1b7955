#!/usr/bin/env python3
"""Two or more builds of tradeseg side by side: the same command, each build in turn.

    python3 benches/ab.py ROUNDS NAME=BINARY[,NAME=BINARY…] -- ARGUMENTS…

Runs `BINARY ARGUMENTS…` for every build, one after another, ROUNDS times over, so that
the machine's slow and fast minutes fall on all of them alike; standard output and error
are thrown away. Prints, per build, the median wall time (and its tenth percentile and
fastest) and the median user and system CPU time of the process and its threads.

    cp target/release/tradeseg /tmp/ts-base     # before the change
    cargo build --release && cp target/release/tradeseg /tmp/ts-new
    python3 benches/ab.py 11 base=/tmp/ts-base,new=/tmp/ts-new -- \\
        run benches/workload/seed.seg c1m.csv --as-of 2026-11-01 -q -o out.csv
"""
import resource
import statistics
import subprocess
import sys
import time


def main():
    if len(sys.argv) < 4 or "--" not in sys.argv:
        sys.exit(__doc__)
    split = sys.argv.index("--")
    rounds = int(sys.argv[1])
    builds = [pair.split("=", 1) for pair in sys.argv[2].split(",")]
    arguments = sys.argv[split + 1 :]
    times = {name: [] for name, _ in builds}
    for _ in range(rounds):
        for name, binary in builds:
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            start = time.perf_counter()
            subprocess.run([binary, *arguments], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            wall = time.perf_counter() - start
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            times[name].append((wall, after.ru_utime - before.ru_utime, after.ru_stime - before.ru_stime))
    for name, runs in times.items():
        walls = sorted(run[0] for run in runs)
        user = statistics.median(run[1] for run in runs)
        system = statistics.median(run[2] for run in runs)
        print(
            f"{name}: wall median {statistics.median(walls) * 1000:.2f} ms, "
            f"tenth percentile {walls[len(walls) // 10] * 1000:.2f} ms, fastest {walls[0] * 1000:.2f} ms; "
            f"user {user * 1000:.0f} ms, system {system * 1000:.0f} ms"
        )


if __name__ == "__main__":
    main()
