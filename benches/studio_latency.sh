#!/usr/bin/env bash
# The studio's keystroke-to-counts time over the seed workload at 100,000 customers
# (BENCHMARKS.md). Needs a release build, Chromium, and `npm ci --prefix tests/browser`.
set -euo pipefail
cd "$(dirname "$0")/.."
rows=${1:-100000}
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null; rm -rf "$work"' EXIT
python3 ../shared/bench/gen_customers.py "$rows" > "$work/customers.csv"
cp benches/workload/seed.seg "$work/seed.seg"
target/release/tradeseg studio "$work/seed.seg" "$work/customers.csv" --as-of 2026-11-01 --port 0 --lang en 2> "$work/studio.log" &
for _ in $(seq 100); do grep -q http:// "$work/studio.log" && break; sleep 0.1; done
url=$(grep -o 'http://[^ ]*' "$work/studio.log")
node benches/studio_latency.mjs "$url" 20
