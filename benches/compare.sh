#!/usr/bin/env bash
# Times `tradeseg run` on the seed workload against DuckDB running the same job
# (reference.py --unordered, its fastest), alternating runs, and checks that tradeseg's
# results equal DuckDB's ordered output.
#
#   benches/compare.sh [ROWS] [RUNS]      (defaults: 1000000 rows, 3 runs each)
#
# Needs python3 with duckdb (pip install duckdb), GNU time (/usr/bin/time), and the shared
# benchmark folder beside the repository (../shared/bench).
set -euo pipefail
cd "$(dirname "$0")/.."
rows=${1:-1000000}
runs=${2:-3}
bench=../shared/bench
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

cargo build --release --locked --quiet
python3 "$bench/gen_customers.py" "$rows" > "$work/customers.csv"

measure() { # name, command…: prints "seconds kilobytes"
  local name=$1; shift
  /usr/bin/time -f "%e %M" -o "$work/$name.time" "$@" > /dev/null 2>&1
  cat "$work/$name.time"
}

declare -a ours theirs ours_kb theirs_kb
for ((i = 0; i < runs; i++)); do
  read -r s kb < <(measure tradeseg target/release/tradeseg run benches/workload/seed.seg "$work/customers.csv" \
    --as-of 2026-11-01 -q -o "$work/tradeseg.csv")
  ours+=("$s"); ours_kb+=("$kb")
  read -r s kb < <(measure duckdb python3 "$bench/reference.py" "$work/customers.csv" "$work/duckdb.csv" --unordered)
  theirs+=("$s"); theirs_kb+=("$kb")
done

median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
m_ours=$(median "${ours[@]}"); m_theirs=$(median "${theirs[@]}")
python3 "$bench/reference.py" "$work/customers.csv" "$work/duckdb-ordered.csv"
# DuckDB orders by id as text, which is input order only while ids have seven digits
# (C10000000 sorts before C1000001), so compare the rows as sets, and check separately
# that tradeseg kept input order.
if cmp -s <(sort "$work/tradeseg.csv") <(sort "$work/duckdb-ordered.csv"); then same=identical; else same=DIFFERENT; fi
if cmp -s <(cut -d, -f1 "$work/tradeseg.csv" | tail -n +2) <(cut -d, -f1 "$work/customers.csv" | tail -n +2); then
  order=kept; else order=LOST; fi

echo "rows: $rows, runs: $runs each, machine: $(nproc) cores"
printf '%-10s %10s %12s\n' tool "median s" "peak MB"
printf '%-10s %10s %12s\n' tradeseg "$m_ours" "$(( $(median "${ours_kb[@]}") / 1024 ))"
printf '%-10s %10s %12s\n' duckdb "$m_theirs" "$(( $(median "${theirs_kb[@]}") / 1024 ))"
echo "ratio tradeseg/duckdb: $(python3 -c "print(round($m_ours / $m_theirs, 2))")"
echo "results vs DuckDB: $same rows; input order $order"
[ "$same" = identical ] && [ "$order" = kept ]
