#!/bin/bash
# Interleaved A/B runs of bench:cluster on two snapshots made by ab-snapshot.sh, with the load average:
#   bench/lib/ab-run.sh ROUNDS A B -- --targets ringkv-1 --shapes depth16,batch100 --cell-seconds 3
# runs A B A B ... (ROUNDS times) with --no-write and prints each cell's summary line.
set -uo pipefail
rounds=$1
first=$2
second=$3
shift 4
base=${AB_DIR:-/tmp/ringkv-ab}
for round in $(seq 1 "$rounds"); do
  for side in "$first" "$second"; do
    echo "=== round $round side $side $(uptime | sed 's/.*load/load/')"
    (cd "$base/$side" && npx tsx bench/cluster/run.ts --no-write "$@" 2>&1 |
      grep -E '^\[.*(ops/s|failed)' | sed 's/^\[[0-9:]*\] //')
  done
done
echo "=== end $(uptime | sed 's/.*load/load/')"
