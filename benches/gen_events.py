#!/usr/bin/env python3
"""Order events for the benchmark's generated customers: gen_events.py CUSTOMERS EVENTS [SEED]

Writes EVENTS order lines (customer_id, date, amount, product) for customer ids
C0000001 … C{CUSTOMERS} (the ids gen_customers.py writes), dated over the four years up to
2026-11-01 and a little after, skewed so that some customers order often and most rarely.
The same arguments always give the same bytes.
"""
import datetime as dt
import random
import sys

AS_OF = dt.date(2026, 11, 1)
PRODUCTS = ["led", "cable", "fabric", "phone", "spare", "sample"]


def main():
    if len(sys.argv) not in (3, 4):
        sys.exit(__doc__)
    customers, events = int(sys.argv[1]), int(sys.argv[2])
    rnd = random.Random(int(sys.argv[3]) if len(sys.argv) == 4 else 7)
    days = [(AS_OF - dt.timedelta(days=d)).isoformat() for d in range(-60, 1461)]
    out = sys.stdout
    out.write("customer_id,date,amount,product\n")
    batch = []
    for _ in range(events):
        c = int(customers * rnd.random() ** 2) + 1
        batch.append(f"C{c:07d},{days[int(rnd.random() * len(days))]},"
                     f"{rnd.randint(10, 99999)}.{rnd.randint(0, 99):02d},{PRODUCTS[rnd.randint(0, 5)]}\n")
        if len(batch) == 100_000:
            out.write("".join(batch))
            batch.clear()
    out.write("".join(batch))


if __name__ == "__main__":
    main()
