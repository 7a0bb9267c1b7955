"""Runs a query `tradeseg sql` wrote in DuckDB, over CSV files loaded into the tables its
`--create-tables` statements make, and writes the rows as CSV, sorted by the first column
(the id), as `tradeseg run` writes results. Used by tests/suite/sql.rs.

python3 duckdb_query.py TABLES.sql QUERY.sql OUT.csv TABLE=FILE.csv ...
"""
import csv
import sys

import duckdb

tables_sql, query_sql, out_path, *loads = sys.argv[1:]
con = duckdb.connect()
con.execute(open(tables_sql, encoding="utf-8").read())
for load in loads:
    table, path = load.split("=", 1)
    columns = con.execute(
        "SELECT column_name, data_type FROM information_schema.columns WHERE table_name = ? ORDER BY ordinal_position",
        [table],
    ).fetchall()
    # Every cell read as text, empty as NULL, then cast to the column's type: a cell that
    # does not cast fails the load (the test data is clean).
    picks = ", ".join(
        f'CAST(NULLIF(trim("{name}"), \'\') AS {kind}) AS "{name}"' for name, kind in columns
    )
    con.execute(f'INSERT INTO "{table}" SELECT {picks} FROM read_csv(?, header = true, all_varchar = true)', [path])
rows = con.execute(open(query_sql, encoding="utf-8").read()).fetchall()
header = [d[0] for d in con.description]
rows.sort(key=lambda r: r[0])
with open(out_path, "w", newline="", encoding="utf-8") as out:
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow(["" if v is None else v for v in row])
