#!/usr/bin/env python3
"""Time from saving a ruleset to the new results written, with `tradeseg watch`.

    python3 benches/reload_latency.py [ROWS] [EDITS]     (defaults: 100000 rows, 20 edits)

Generates ROWS customers with the shared benchmark's generator, starts
`tradeseg watch benches/workload/seed.seg customers.csv --output out.csv`, then EDITS times
saves a changed threshold (alternating two values, so every save moves customers) and
times two moments: the new counts printed (the watcher's first line after the save) and
out.csv replaced (polled every millisecond). Both include the watcher's debounce, the
reload and the evaluation of every customer; the second, the atomic rewrite too. Prints
the watcher's peak memory (it keeps the customers between saves).
"""
import os
import pathlib
import statistics
import subprocess
import sys
import tempfile
import threading
import time

ROOT = pathlib.Path(__file__).resolve().parent.parent
BENCH = ROOT.parent / "shared" / "bench"


def main():
    rows = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    edits = int(sys.argv[2]) if len(sys.argv) > 2 else 20
    subprocess.run(["cargo", "build", "--release", "--locked", "--quiet"], cwd=ROOT, check=True)
    binary = ROOT / "target" / "release" / "tradeseg"
    with tempfile.TemporaryDirectory() as work:
        work = pathlib.Path(work)
        data, rules, out = work / "customers.csv", work / "rules.seg", work / "out.csv"
        with open(data, "w") as f:
            subprocess.run([sys.executable, BENCH / "gen_customers.py", str(rows)], stdout=f, check=True)
        original = (ROOT / "benches" / "workload" / "seed.seg").read_text()
        rules.write_text(original)
        watch = subprocess.Popen(
            [binary, "watch", rules, data, "--as-of", "2026-11-01", "--output", out],
            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        # When each timestamped line ("[12:00:00] …") of the watcher's output arrived.
        printed = []
        threading.Thread(target=lambda: [printed.append(time.perf_counter())
                                         for line in watch.stdout if line.startswith("[")],
                         daemon=True).start()
        try:
            wait_for(lambda: out.exists(), 30)
            time.sleep(0.5)
            latencies, counts = [], []
            for i in range(edits):
                before = os.stat(out).st_ino
                threshold = "300_001" if i % 2 == 0 else "300_000"
                rules.write_text(original.replace("revenue_12m >= 300_000", f"revenue_12m >= {threshold}"))
                start = time.perf_counter()
                lines = len(printed)
                wait_for(lambda: os.stat(out).st_ino != before, 30)
                latencies.append((time.perf_counter() - start) * 1000)
                wait_for(lambda: len(printed) > lines, 30)
                counts.append((printed[lines] - start) * 1000)
                time.sleep(0.3)
            peak = next((line.split()[1] for line in open(f"/proc/{watch.pid}/status")
                         if line.startswith("VmHWM:")), "?")
        finally:
            watch.kill()
            watch.wait()
    print(f"rows: {rows}, saves: {edits}, machine: {os.cpu_count()} cores, "
          f"watcher's peak memory: {int(peak) // 1024} MB")
    print(f"save → new counts printed: median {statistics.median(counts):.0f} ms, "
          f"min {min(counts):.0f} ms, max {max(counts):.0f} ms")
    print(f"save → results written: median {statistics.median(latencies):.0f} ms, "
          f"min {min(latencies):.0f} ms, max {max(latencies):.0f} ms")


def wait_for(condition, seconds):
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            sys.exit("timed out waiting for tradeseg watch")
        time.sleep(0.001)


if __name__ == "__main__":
    main()
