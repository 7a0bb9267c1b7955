#!/bin/bash
# A year of weekly runs into one membership history: the seed workload over 1,000,000
# generated customers, 2% of them given or losing their orders each week (an order to a
# customer without one, none to one with some), the as-of date a week later each time.
# Prints each week's time and peak memory (times.log) and the file's size (sizes.log).
# With `dated` as the third argument, every date in the data also moves a week on, so
# that the rules counting days since a contact or an order give what they gave the week
# before: only the 2% whose orders changed move.
#
#   cargo build --release && bash benches/history_weeks.sh [WEEKS] [WORKDIR] [dated]
set -euo pipefail
WEEKS=${1:-52}
WORK=${2:-target/history-weeks}
DATED=${3:-}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BIN="$ROOT/target/release/tradeseg"
mkdir -p "$WORK"
cd "$WORK"
[ -f c1m.csv ] || python3 "$ROOT/../shared/bench/gen_customers.py" 1000000 > c1m.csv
cp c1m.csv week.csv
rm -f h.db h.db-wal h.db-shm times.log sizes.log
for w in $(seq 0 $((WEEKS - 1))); do
  day=$(date -d "2026-01-05 + $((w * 7)) days" +%F)
  if [ "$w" -gt 0 ]; then
    python3 - "$w" "$DATED" <<'PY'
import csv, datetime, random, sys
random.seed(int(sys.argv[1]))
rows = list(csv.reader(open("week.csv")))
at = rows[0].index("orders")
dates = [rows[0].index(c) for c in ("first_contact", "last_contact", "last_order")] if sys.argv[2] else []
week = datetime.timedelta(days=7)
for r in rows[1:]:
    if random.random() < 0.02:
        r[at] = "0" if (r[at] or "0") != "0" else "1"
    for d in dates:
        if r[d]:
            r[d] = (datetime.date.fromisoformat(r[d]) + week).isoformat()
csv.writer(open("week.tmp", "w", newline=""), lineterminator="\n").writerows(rows)
PY
    mv week.tmp week.csv
  fi
  /usr/bin/time -f "$w $day %e s %M KB" "$BIN" run "$ROOT/benches/workload/seed.seg" week.csv \
    --as-of "$day" -q -o /dev/null --history h.db 2>> times.log
  echo "$w $(stat -c %s h.db)" >> sizes.log
done
tail -n 1 sizes.log
