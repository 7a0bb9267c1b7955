#!/usr/bin/env python3
"""Writes three monthly exports of the sample customers, for trying the membership history:

    python3 examples/data/history/make_months.py

2026-09.csv   September: 30 of today's buyers had not ordered yet (12 of them had samples),
              and the last 10 customers were not in the CRM
2026-10.csv   October: 15 of those 30 had ordered; 5 of the 10 new customers had arrived
2026-11.csv   November: the customers as they are today (../customers.csv)

Deterministic: the same files every time.
"""
import csv
import pathlib

HERE = pathlib.Path(__file__).parent


def main():
    with open(HERE.parent / "customers.csv", newline="", encoding="utf-8") as f:
        rows = list(csv.reader(f))
    header, customers = rows[0], rows[1:]
    orders, orders_12m, samples = (header.index(c) for c in ("orders", "orders_12m", "samples"))
    buyers = [i for i, c in enumerate(customers) if c[orders].isdigit() and int(c[orders]) > 0][:30]

    def month(not_yet, missing):
        out = []
        for i, c in enumerate(customers):
            if i >= len(customers) - missing:
                continue
            c = list(c)
            if i in not_yet:
                c[orders], c[orders_12m] = "0", "0"
                c[samples] = "1" if not_yet.index(i) < 12 else "0"
            out.append(c)
        return out

    for name, rows in (
        ("2026-09.csv", month(buyers, 10)),
        ("2026-10.csv", month(buyers[15:], 5)),
        ("2026-11.csv", customers),
    ):
        with open(HERE / name, "w", newline="", encoding="utf-8") as f:
            writer = csv.writer(f, lineterminator="\n")
            writer.writerow(header)
            writer.writerows(rows)


if __name__ == "__main__":
    main()
