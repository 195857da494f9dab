#!/usr/bin/env bash
# Parallel speed-up and peak memory of `refsim bottlenecks`. Usage: [BUILD=dir] bench/bottlenecks.sh [REPEATS]
#
# Runs `refsim bottlenecks` on a library scenario (default scenarios/baseline-nrm.toml, its own
# replications and horizon: baseline plus 11 marginal variants) with -j1 and -j2, REPEATS times
# each (default 3), interleaved, and prints the best wall time of each, the speed-up best(-j1) /
# best(-j2), the share of two cores the best -j2 run kept busy, and the peak resident set size
# from /usr/bin/time -v (Debian package `time`). The
# outputs of -j1 and -j2 must be byte-identical (checked).
# BUILD (default build/release) is the CMake build directory to use; SCENARIO another scenario.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
repeats=${1:-3}
source bench/lib.sh
build=${BUILD:-build/release}
[[ -x "$build/bin/refsim" ]] || release_build "$build"
refsim=$build/bin/refsim
scenario=${SCENARIO:-scenarios/baseline-nrm.toml}
out=bench/out/bottlenecks
mkdir -p "$out"
[[ -x /usr/bin/time ]] || { echo "bench/bottlenecks.sh: /usr/bin/time not found (Debian package time)" >&2; exit 1; }

declare -A best rss cpu
for _ in $(seq "$repeats"); do
  for j in 1 2; do
    /usr/bin/time -v -o "$out/time-j$j.txt" "$refsim" bottlenecks "$scenario" -q -j$j --out "$out/j$j"
    wall=$(awk -F': ' '/Elapsed \(wall clock\)/ { n = split($2, p, ":"); s = 0; for (i = 1; i <= n; i++) s = s * 60 + p[i]; print s }' "$out/time-j$j.txt")
    kib=$(awk -F': ' '/Maximum resident set size/ { print $2 }' "$out/time-j$j.txt")
    secs=$(awk -F': ' '/(User|System) time \(seconds\)/ { s += $2 } END { print s }' "$out/time-j$j.txt")
    if [[ -z "${best[$j]:-}" ]] || awk -v a="$wall" -v b="${best[$j]}" 'BEGIN { exit !(a < b) }'; then
      best[$j]=$wall
      cpu[$j]=$secs
    fi
    if [[ -z "${rss[$j]:-}" ]] || ((kib > rss[$j])); then rss[$j]=$kib; fi
  done
done
cmp -s "$out/j1/bottlenecks.json" "$out/j2/bottlenecks.json" && cmp -s "$out/j1/bottlenecks.csv" "$out/j2/bottlenecks.csv" \
  || { echo "bench/bottlenecks.sh: -j1 and -j2 outputs differ" >&2; exit 1; }
# j2_busy: the CPU time of the best -j2 run over twice its wall time, the share of the two cores it
# kept busy. It does not move with the other tenants' load as the speed-up does (a -j1 run slowed
# by a neighbour inflates the speed-up; a -j2 run that waits for a core deflates it), so it says
# how parallel the command itself is: 1 - j2_busy is its serial share (loading, estimates, files).
printf '%-28s %8s %8s %9s %8s %12s %12s\n' scenario j1_s j2_s speed-up j2_busy j1_peak_MiB j2_peak_MiB
awk -v n="$(basename "$scenario" .toml)" -v a="${best[1]}" -v b="${best[2]}" -v c="${cpu[2]}" -v r1="${rss[1]}" \
  -v r2="${rss[2]}" 'BEGIN { printf "%-28s %8.2f %8.2f %8.2fx %8.3f %12.1f %12.1f\n", n, a, b, a / b, c / (2 * b), r1 / 1024, r2 / 1024 }'
