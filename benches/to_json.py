#!/usr/bin/env python3
"""Writes a generated customers CSV (../shared/bench/gen_customers.py) as NDJSON or as one
JSON array, for timing tradeseg on JSON input. Values stay text, as the CSV has them.

    python3 benches/to_json.py customers.csv ndjson > customers.ndjson
    python3 benches/to_json.py customers.csv array > customers.json
"""
import csv
import json
import sys


def main():
    source, shape = sys.argv[1], sys.argv[2]
    out = sys.stdout
    with open(source, newline="", encoding="utf-8") as f:
        rows = csv.DictReader(f)
        if shape == "ndjson":
            for row in rows:
                out.write(json.dumps(row, ensure_ascii=False) + "\n")
        elif shape == "array":
            out.write("[\n")
            for i, row in enumerate(rows):
                out.write((",\n" if i else "") + json.dumps(row, ensure_ascii=False))
            out.write("\n]\n")
        else:
            sys.exit("shape must be ndjson or array")


if __name__ == "__main__":
    main()
