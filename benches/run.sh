#!/usr/bin/env bash
# The seed workload on this machine, in one run: generates the data, then times
# `tradeseg run` against DuckDB at its fastest (reference.py --unordered) and against the
# I/O floor (examples/io_floor.rs: read every field, write the ids, one thread; once with
# the csv crate, the floor of the goals, and once with simd-csv, a faster parser: the floor
# of issue #19's goals), runs alternating, each writing a new output file (no run pays for deleting the last one's),
# and reports medians, ratios and peak memory. Then checks that tradeseg's results equal
# DuckDB's (ordered run) and that tradeseg kept input order.
#
#   benches/run.sh [ROWS] [RUNS]      (defaults: 1000000 rows, 5 runs each)
#
# Needs python3 with duckdb (pip install duckdb), GNU time (/usr/bin/time), and the shared
# benchmark folder beside the repository (../shared/bench).
set -euo pipefail
cd "$(dirname "$0")/.."
rows=${1:-1000000}
runs=${2:-5}
bench=../shared/bench
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

cargo build --release --locked --quiet
cargo build --release --locked --quiet --example io_floor
python3 "$bench/gen_customers.py" "$rows" > "$work/customers.csv"

measure() { # name, file for standard output, command…: appends "seconds kilobytes" to $work/name.times
  local name=$1 out=$2; shift 2
  # Every tool writes a new file: none pays for deleting the previous run's output.
  rm -f "$work/$name.csv"
  # Wall time to the millisecond from bash (GNU time prints hundredths), memory from GNU time.
  local TIMEFORMAT=%3R
  { time /usr/bin/time -f "%M" -o "$work/$name.mem" "$@" > "$out" 2> /dev/null; } 2> "$work/$name.wall"
  echo "$(cat "$work/$name.wall") $(cat "$work/$name.mem")" >> "$work/$name.times"
}

for ((i = 0; i < runs; i++)); do
  measure tradeseg /dev/null target/release/tradeseg run benches/workload/seed.seg "$work/customers.csv" \
    --as-of 2026-11-01 -q -o "$work/tradeseg.csv"
  measure duckdb /dev/null python3 "$bench/reference.py" "$work/customers.csv" "$work/duckdb.csv" --unordered
  measure floor "$work/floor.csv" target/release/examples/io_floor "$work/customers.csv"
  measure floor-simd "$work/floor-simd.csv" target/release/examples/io_floor --simd "$work/customers.csv"
done

median() { sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
seconds() { cut -d' ' -f1 "$work/$1.times" | median; }
megabytes() { echo $(( $(cut -d' ' -f2 "$work/$1.times" | median) / 1024 )); }
t_duck=$(seconds duckdb); t_floor=$(seconds floor); t_simd=$(seconds floor-simd)

python3 "$bench/reference.py" "$work/customers.csv" "$work/duckdb-ordered.csv"
# DuckDB orders by id as text, which is input order only while ids have seven digits
# (C10000000 sorts before C1000001), so compare the rows as sets, and check separately
# that tradeseg kept input order.
if cmp -s <(sort "$work/tradeseg.csv") <(sort "$work/duckdb-ordered.csv"); then same=identical; else same=DIFFERENT; fi
if cmp -s <(cut -d, -f1 "$work/tradeseg.csv" | tail -n +2) <(cut -d, -f1 "$work/customers.csv" | tail -n +2); then
  order=kept; else order=LOST; fi

echo "rows: $rows, runs: $runs each (alternating), machine: $(nproc) cores, $(free -g | awk '/Mem/ {print $2}') GiB"
printf '%-10s %10s %10s %10s %10s %12s\n' tool "median s" "peak MB" "÷ duckdb" "÷ floor" "÷ floor-simd"
ratio() { python3 -c "print(f'{$1 / $2:.2f}' if $2 > 0 else 'n/a')"; }
for tool in tradeseg duckdb floor floor-simd; do
  t=$(seconds $tool)
  printf '%-10s %10s %10s %10s %10s %12s\n' "$tool" "$t" "$(megabytes $tool)" "$(ratio "$t" "$t_duck")" \
    "$(ratio "$t" "$t_floor")" "$(ratio "$t" "$t_simd")"
done
echo "results vs DuckDB: $same rows; input order $order"
[ "$same" = identical ] && [ "$order" = kept ]
