#!/usr/bin/env bash
# How long `refsim check` takes on a large mechanism. Usage: [BUILD=dir] bench/check.sh [REPEATS]
#
# Generates a mechanism of 1,000 agencies and 5,000 rules (bench/gen_mechanism.py: ten regions,
# five layers, rules with conditions on child, nationality, exploitation and a decision), then
# times `refsim check` on it REPEATS times (default 11) and prints the best and the median wall
# time: loading and validating the file, the traffic equations and every finding. Issue 17 asks
# for under 0.1 s. Also times the library's largest scenario (sea-fisheries) for comparison.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
repeats=${1:-11}
source bench/lib.sh
scripts/install-deps.sh
build=${BUILD:-build/release}
release_build "$build"
refsim=$build/bin/refsim
out=bench/out
mkdir -p "$out"

mechanism="$out/mechanism-1000x5000.toml"
python3 bench/gen_mechanism.py 1000 5000 >"$mechanism"

printf '%-28s %8s %8s %10s %10s\n' scenario agencies rules best_s median_s
for scenario in "$mechanism" scenarios/sea-fisheries.toml; do
  name=$(basename "$scenario" .toml)
  walls=()
  for _ in $(seq "$repeats"); do
    start=$EPOCHREALTIME
    # Exit 1 means an error finding, not a failure of the benchmark.
    "$refsim" check "$scenario" --format json -o "$out/$name-check.json" || [[ $? -eq 1 ]]
    walls+=("$(awk -v a="$start" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.4f", b - a }')")
  done
  read -r best median < <(printf '%s\n' "${walls[@]}" | sort -g | awk '{ w[NR] = $1 } END { print w[1], w[int((NR + 1) / 2)] }')
  agencies=$(grep -c '^\[\[agency\]\]' "$scenario")
  rules=$(grep -c '^\[\[referral\]\]' "$scenario")
  printf '%-28s %8d %8d %10.4f %10.4f\n' "$name" "$agencies" "$rules" "$best" "$median"
done
echo "build: $build; machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
