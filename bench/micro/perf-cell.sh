#!/bin/bash
# Samples every CPU with Linux `perf` (kernel and user stacks, JIT names from --perf-basic-prof) while one
# rf3-cost cell runs, so a node's time splits into kernel, V8's builtins and runtime, JIT code and V8's
# background threads (GC, compiler), which a V8 .cpuprofile cannot show (docs/PERFORMANCE.md, session 14).
#   bench/micro/perf-cell.sh OUT.data DELAY-S RECORD-S [rf3-cost options...]
# e.g. bench/micro/perf-cell.sh /tmp/rf3.data 2 6 --seconds 10 --cells closed50
# then: perf report -i /tmp/rf3.data --no-children --sort pid -g none     (who used the CPUs)
#       perf report -i /tmp/rf3.data --no-children --sort dso,sym -g none (where)
set -euo pipefail
out=$1
delay=$2
seconds=$3
shift 3
command -v perf > /dev/null || { echo "perf-cell: needs Linux perf (apt-get install linux-perf)" >&2; exit 1; }
cd "$(git rev-parse --show-toplevel)"
log=$(mktemp)
flock /tmp/ringkv-cpu.lock npx tsx bench/micro/rf3-cost.ts --node-flag=--perf-basic-prof "$@" > "$log" 2>&1 &
bench=$!
# rf3-cost prints "<cell>: started" as the load begins; give up after 2 minutes of set-up.
for _ in $(seq 1 600); do grep -q ': started' "$log" && break; sleep 0.2; done
sleep "$delay"
perf record -a -g -F 999 -o "$out" -- sleep "$seconds" > /dev/null 2>&1
wait "$bench"
cat "$log"
