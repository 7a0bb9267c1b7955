#!/usr/bin/env bash
# The seed workload as SQL (`tradeseg sql`) in DuckDB, PostgreSQL and Spark next to
# `tradeseg run`, at ROWS generated customers (BENCHMARKS.md). Loading is timed apart from
# the query: a warehouse has its data loaded already. Needs a release build, Python's
# duckdb, for PostgreSQL a server named by TRADESEG_POSTGRES (eval "$(tests/sql/postgres.sh
# start)"), for Spark Python's pyspark (local mode on every core, tables as Parquet).
# With TEXT=1 the tables hold the export's text and the query reads it (--text-columns).
#   benches/sql_scale.sh 1000000
set -euo pipefail
cd "$(dirname "$0")/.."
rows=${1:-1000000}
work=${WORK:-$(mktemp -d)}
bin=target/release/tradeseg
text=()
[ -n "${TEXT:-}" ] && text=(--text-columns)
[ -f "$work/customers-$rows.csv" ] || python3 ../shared/bench/gen_customers.py "$rows" > "$work/customers-$rows.csv"
data="$work/customers-$rows.csv"
seconds() { python3 -c "import time,subprocess,sys; t=time.time(); subprocess.run(sys.argv[1:], check=True, stdout=subprocess.DEVNULL); print(f'{time.time()-t:.2f}')" "$@"; }

echo "tradeseg run: $(seconds "$bin" run benches/workload/seed.seg "$data" --as-of 2026-11-01 -q -o "$work/run.csv") s"

for dialect in ${DIALECTS:-duckdb postgres spark}; do
  [ "$dialect" = postgres ] && [ -z "${TRADESEG_POSTGRES:-}" ] && { echo "postgres: skipped (no TRADESEG_POSTGRES)"; continue; }
  "$bin" sql benches/workload/seed.seg --dialect "$dialect" --table customers --as-of 2026-11-01 "${text[@]}" > "$work/query-$dialect.sql"
  "$bin" sql benches/workload/seed.seg --dialect "$dialect" --table customers --create-tables "${text[@]}" > "$work/tables-$dialect.sql"
  python3 - "$dialect" "$work" "$data" <<'PY'
import csv, os, subprocess, sys, time
sys.path.insert(0, "tests/sql")
from query import casts, column_types  # the tests' own loading: typed cells from text
dialect, work, data = sys.argv[1:]
tables = open(f"{work}/tables-{dialect}.sql").read()
query = open(f"{work}/query-{dialect}.sql").read().strip().rstrip(";")
types = column_types(tables)["customers"]
picks = casts(types, "trim" if dialect == "duckdb" else "btrim", "`" if dialect == "spark" else '"')
if dialect == "duckdb":
    import duckdb
    db = f"{work}/bench.duckdb"
    if os.path.exists(db): os.remove(db)
    con = duckdb.connect(db)
    t = time.time()
    con.execute(tables)
    con.execute(f"INSERT INTO customers SELECT {picks} FROM read_csv(?, header = true, all_varchar = true)", [data])
    load = time.time() - t
    times = []
    for _ in range(3):
        t = time.time()
        con.execute(f"COPY ({query}) TO '{work}/duckdb.csv' (HEADER)")
        times.append(time.time() - t)
    print(f"duckdb: load {load:.2f} s; query to CSV {sorted(times)[1]:.2f} s (median of 3: {', '.join(f'{x:.2f}' for x in times)})")
elif dialect == "spark":
    import shutil, tempfile
    from pyspark.sql import SparkSession
    warehouse = tempfile.mkdtemp(prefix="tradeseg-spark-", dir=work)
    t = time.time()
    spark = (SparkSession.builder.master("local[*]").config("spark.ui.enabled", "false")
             .config("spark.ui.showConsoleProgress", "false").config("spark.driver.memory", "8g")
             .config("spark.sql.warehouse.dir", warehouse).getOrCreate())
    spark.sparkContext.setLogLevel("ERROR")
    start = time.time() - t
    t = time.time()
    spark.sql(tables.strip().rstrip(";"))
    spark.read.csv(data, header=True, multiLine=True, escape='"').createOrReplaceTempView("raw")
    spark.sql(f"INSERT INTO customers SELECT {picks} FROM raw")
    load = time.time() - t
    times = []
    for _ in range(3):
        t = time.time()
        spark.sql(query).write.mode("overwrite").option("header", True).csv(f"{work}/spark-out")
        times.append(time.time() - t)
    spark.stop()
    shutil.rmtree(warehouse, ignore_errors=True)
    print(f"spark: session {start:.2f} s; load {load:.2f} s; query to CSV {sorted(times)[1]:.2f} s (median of 3: {', '.join(f'{x:.2f}' for x in times)})")
else:
    conn = os.environ["TRADESEG_POSTGRES"]
    header = next(csv.reader(open(data)))
    raw = ", ".join(f'"{h}" TEXT' for h in header)
    setup = f"DROP SCHEMA IF EXISTS bench CASCADE; CREATE SCHEMA bench; SET search_path TO bench; {tables} CREATE UNLOGGED TABLE raw ({raw});\n\\copy raw FROM '{data}' WITH (FORMAT csv, HEADER true)\nINSERT INTO customers SELECT {picks} FROM raw; DROP TABLE raw; ANALYZE customers;"
    t = time.time()
    subprocess.run(["psql", conn, "-X", "-q", "-v", "ON_ERROR_STOP=1", "-f", "-"], input=setup, text=True, check=True, stdout=subprocess.DEVNULL)
    load = time.time() - t
    times = []
    for _ in range(3):
        t = time.time()
        with open(f"{work}/postgres.csv", "w") as out:
            copy = f"SET search_path TO bench; COPY ({query}) TO STDOUT WITH (FORMAT csv, HEADER true);"
            subprocess.run(["psql", conn, "-X", "-q", "-v", "ON_ERROR_STOP=1", "-f", "-"], input=copy, text=True, check=True, stdout=out)
        times.append(time.time() - t)
    subprocess.run(["psql", conn, "-X", "-q", "-c", "DROP SCHEMA bench CASCADE"], check=True, stdout=subprocess.DEVNULL)
    print(f"postgres: load {load:.2f} s; query to CSV {sorted(times)[1]:.2f} s (median of 3: {', '.join(f'{x:.2f}' for x in times)})")
PY
done
