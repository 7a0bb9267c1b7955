"""The events workload (benches/workload/history.seg over CUSTOMERS and EVENTS CSV files)
in `tradeseg run` and in DuckDB, side by side: DuckDB runs the query `tradeseg sql
--dialect duckdb` writes for the same rules, over the same CSV files read in the query
by DuckDB's own typed CSV reader (views over `read_csv` with the columns and types of
`--create-tables`), and writes its rows to CSV, as `run` does. Both are timed from the files to the written results; medians
of RUNS, alternating. Needs a release build and Python's duckdb (BENCHMARKS.md).

    python3 benches/events_duckdb.py CUSTOMERS.csv EVENTS.csv [RUNS]
"""
import os
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "tests", "sql"))
from query import column_types, quote  # the tests' reading of `--create-tables`

import duckdb

RULES = "benches/workload/history.seg"
BIN = "target/release/tradeseg"
AS_OF = "2026-11-01"


def main():
    customers, events = sys.argv[1], sys.argv[2]
    runs = int(sys.argv[3]) if len(sys.argv) > 3 else 3
    sql = [BIN, "sql", RULES, "--dialect", "duckdb", "--table", "customers", "--events", "orders=orders", "--as-of", AS_OF]
    query = subprocess.run(sql, check=True, capture_output=True, text=True).stdout.strip().rstrip(";")
    tables = subprocess.run(sql + ["--create-tables"], check=True, capture_output=True, text=True).stdout
    types = column_types(tables)
    work = tempfile.mkdtemp()
    con = duckdb.connect(os.path.join(work, "bench.duckdb"))
    for table, path in [("customers", customers), ("orders", events)]:
        with open(path, encoding="utf-8") as f:
            header = f.readline().rstrip("\n").split(",")
        typed = dict(types[table])
        columns = ", ".join(f"'{h}': '{typed.get(h, 'TEXT').replace('TEXT', 'VARCHAR')}'" for h in header)
        con.execute(
            f"CREATE VIEW {quote(table)} AS SELECT * FROM read_csv('{path}', header = true, columns = {{{columns}}})"
        )
    ours, theirs = [], []
    for _ in range(runs):
        t = time.time()
        subprocess.run([BIN, "run", RULES, customers, "--events", f"orders={events}", "--as-of", AS_OF,
                        "-q", "-o", os.path.join(work, "run.csv")], check=True)
        ours.append(time.time() - t)
        t = time.time()
        con.execute(f"COPY ({query}) TO '{os.path.join(work, 'duckdb.csv')}' (HEADER)")
        theirs.append(time.time() - t)
    median = lambda xs: sorted(xs)[len(xs) // 2]
    fmt = lambda xs: ", ".join(f"{x:.2f}" for x in xs)
    print(f"tradeseg run: {median(ours):.2f} s ({fmt(ours)})")
    print(f"duckdb:       {median(theirs):.2f} s ({fmt(theirs)})")
    print(f"ratio: {median(ours) / median(theirs):.2f}")
    with open(os.path.join(work, "run.csv")) as a, open(os.path.join(work, "duckdb.csv")) as b:
        # DuckDB writes an empty text as "" (NULL as nothing); `run` writes nothing.
        same = sorted(a.read().splitlines()[1:]) == sorted(b.read().replace('""', "").splitlines()[1:])
    print("same rows:", same)


if __name__ == "__main__":
    main()
