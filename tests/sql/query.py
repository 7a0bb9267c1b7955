"""Runs a query `tradeseg sql` wrote, in a real engine, over CSV files loaded into the
tables its `--create-tables` statements make; writes the rows as CSV sorted by the first
column (the id), as `tradeseg run` writes results. Used by tests/suite/sql.rs.

python3 query.py duckdb|postgres|spark TABLES.sql QUERY.sql[,QUERY.sql…] OUT.csv[,OUT.csv…] TABLE=FILE.csv ...

Several queries (comma-separated, each with its output) run over the same loaded tables.

Every cell is read as text (empty as NULL) and cast to its column's type; text is kept as
it is, surrounding spaces and all. A cell that does not cast fails the load (the tests'
data is clean). PostgreSQL is reached with psql and
the connection string in TRADESEG_POSTGRES (tests/sql/postgres.sh starts one), in a schema
of its own that is dropped afterwards. Spark runs in local mode (pyspark, on the machine's
Java), its tables in a warehouse folder of its own that is removed afterwards; settings in
TRADESEG_SPARK_CONF (KEY=VALUE;…) are given to its session.
"""
import csv
import io
import os
import re
import shutil
import subprocess
import tempfile
import sys
import uuid


def column_types(tables_sql):
    """{table: [(column, type)]} from the CREATE TABLE statements tradeseg writes."""
    tables, current = {}, None
    name = r'(?:"((?:[^"]|"")+)"|`((?:[^`]|``)+)`)'
    unquote = lambda m: m.group(1).replace('""', '"') if m.group(1) is not None else m.group(2).replace("``", "`")
    for line in tables_sql.splitlines():
        start = re.match(rf"CREATE TABLE {name} \($", line)
        column = re.match(rf"\s+{name} ([A-Z0-9(),]+?),?$", line)
        if start:
            current = tables.setdefault(unquote(start), [])
        elif column and current is not None:
            current.append((unquote(column), column.group(3)))
    return tables


def quote(name, mark='"'):
    return mark + name.replace(mark, mark + mark) + mark


def casts(columns, trim, mark='"'):
    """Typed cells from text ones; text stays as it is, spaces and all (the query trims)."""
    return ", ".join(
        quote(n, mark) if t in ("TEXT", "STRING") else f"CAST(NULLIF({trim}({quote(n, mark)}), '') AS {t}) AS {quote(n, mark)}"
        for n, t in columns
    )


def duckdb_rows(tables_sql, queries, loads):
    import duckdb

    con = duckdb.connect()
    con.execute(tables_sql)
    types = column_types(tables_sql)
    for table, path in loads:
        picks = casts(types[table], "trim")
        con.execute(f"INSERT INTO {quote(table)} SELECT {picks} FROM read_csv(?, header = true, all_varchar = true)", [path])
    for query_sql in queries:
        rows = con.execute(query_sql).fetchall()
        header = [d[0] for d in con.description]
        yield header, [["" if v is None else str(v) for v in row] for row in rows]


def postgres_rows(tables_sql, queries, loads):
    for query_sql in queries:
        yield postgres_query(tables_sql, query_sql, loads)


def postgres_query(tables_sql, query_sql, loads):
    schema = "t_" + uuid.uuid4().hex[:12]
    types = column_types(tables_sql)
    script = [f"CREATE SCHEMA {schema};", f"SET search_path TO {schema};", tables_sql]
    for table, path in loads:
        with open(path, encoding="utf-8") as f:
            header = next(csv.reader(f))
        raw = quote("raw_" + table)
        script.append(f"CREATE TABLE {raw} ({', '.join(quote(h) + ' TEXT' for h in header)});")
        script.append(f"\\copy {raw} FROM '{path}' WITH (FORMAT csv, HEADER true)")
        script.append(f"INSERT INTO {quote(table)} SELECT {casts(types[table], 'btrim')} FROM {raw};")
    script.append("COPY (" + query_sql.strip().rstrip(";") + ") TO STDOUT WITH (FORMAT csv, HEADER true);")
    script.append(f"DROP SCHEMA {schema} CASCADE;")
    done = subprocess.run(
        ["psql", os.environ["TRADESEG_POSTGRES"], "-X", "-q", "-v", "ON_ERROR_STOP=1", "-f", "-"],
        input="\n".join(script), capture_output=True, text=True,
    )
    if done.returncode != 0:
        sys.exit(done.stderr)
    rows = list(csv.reader(io.StringIO(done.stdout)))
    return rows[0], rows[1:]


def spark_rows(tables_sql, queries, loads):
    from pyspark.sql import SparkSession

    warehouse = tempfile.mkdtemp(prefix="tradeseg-spark-")
    try:
        builder = SparkSession.builder
        # Extra settings, as KEY=VALUE;… (the tests try the query under other rules).
        for setting in filter(None, os.environ.get("TRADESEG_SPARK_CONF", "").split(";")):
            key, value = setting.split("=", 1)
            builder = builder.config(key, value)
        spark = (
            builder.master("local[2]")
            .appName("tradeseg-tests")
            .config("spark.ui.enabled", "false")
            .config("spark.ui.showConsoleProgress", "false")
            .config("spark.sql.shuffle.partitions", "2")
            .config("spark.sql.warehouse.dir", warehouse)
            .getOrCreate()
        )
        spark.sparkContext.setLogLevel("ERROR")
        for statement in tables_sql.split(";"):
            if statement.strip():
                spark.sql(statement)
        types = column_types(tables_sql)
        for table, path in loads:
            raw = spark.read.csv(path, header=True, multiLine=True, quote='"', escape='"')
            raw.createOrReplaceTempView("raw_" + table)
            picks = casts(types[table], "btrim", "`")
            spark.sql(f"INSERT INTO {quote(table, '`')} SELECT {picks} FROM {quote('raw_' + table, '`')}")
        for query_sql in queries:
            frame = spark.sql(query_sql.strip().rstrip(";"))
            header = frame.columns
            rows = [["" if v is None else str(v) for v in row] for row in frame.collect()]
            yield header, rows
        spark.stop()
    finally:
        shutil.rmtree(warehouse, ignore_errors=True)


def main():
    engine, tables_path, query_paths, out_paths, *loads = sys.argv[1:]
    tables_sql = open(tables_path, encoding="utf-8").read()
    queries = [open(path, encoding="utf-8").read() for path in query_paths.split(",")]
    loads = [tuple(load.split("=", 1)) for load in loads]
    engines = {"duckdb": duckdb_rows, "postgres": postgres_rows, "spark": spark_rows}
    answers = engines[engine](tables_sql, queries, loads)
    for out_path, (header, rows) in zip(out_paths.split(","), answers):
        rows.sort(key=lambda r: r[0])
        with open(out_path, "w", newline="", encoding="utf-8") as out:
            writer = csv.writer(out, lineterminator="\n")
            writer.writerow(header)
            writer.writerows(rows)


if __name__ == "__main__":
    main()
