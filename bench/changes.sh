#!/usr/bin/env bash
# What scheduled changes cost. Usage: [BUILD=dir] bench/changes.sh [REPEATS]
#
# Runs the queueing core (bench/scenarios/queueing-40.toml) over one year as it is and with 1,000
# [[change]] tables (screening_aa's servers 8 → 9 → 8 …, one every 0.365 days), on one thread,
# REPEATS times (default 5), and prints the events and the best wall time of each. Each change is
# one calendar event; it should cost about what an event costs. For instruction counts, run each
# variant under `valgrind --tool=callgrind` (bench/README.md, "Scheduled changes").
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
repeats=${1:-5}
source bench/lib.sh
scripts/install-deps.sh
build=${BUILD:-build/release}
release_build "$build"
refsim=$build/bin/refsim
out=bench/out
mkdir -p "$out"

plain="$out/queueing-40-1y.toml"
changed="$out/queueing-40-1y-1000-changes.toml"
sed -E 's/^horizon = .*/horizon = "1y"/' bench/scenarios/queueing-40.toml >"$plain"
{
  cat "$plain"
  awk 'BEGIN { for (k = 1; k <= 1000; ++k)
                 printf "\n[[change]]\nat = \"%.3fd\"\nagency = \"screening_aa\"\nservers = %d\n", k * 0.365, 8 + k % 2 }'
} >"$changed"

printf '%-34s %12s %10s\n' scenario events best_s
for scenario in "$plain" "$changed"; do
  name=$(basename "$scenario" .toml)
  best=
  for _ in $(seq "$repeats"); do
    "$refsim" run "$scenario" --threads 1 --replications 1 --quiet --sample 0 --out "$out/$name"
    wall=$(field "$out/$name/run.json" wall_seconds)
    best=$(awk -v a="$wall" -v b="${best:-$wall}" 'BEGIN { print (a < b ? a : b) }')
  done
  printf '%-34s %12d %10.4f\n' "$name" "$(field "$out/$name/run.json" events_processed)" "$best"
done
echo "build: $build; machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
