#!/usr/bin/env bash
# Speed and memory of the simulation core. Usage: [BUILD=dir] bench/run.sh [REPEATS]
#
# Runs each benchmark scenario on one thread, REPEATS times (default 5), and prints the best and
# median wall time, events per second (at the best) and peak resident memory (from run.json).
# The memory check runs the same scenario over 1 and 10 years: peak memory is bounded by the
# cases in the system, not by all cases ever created; what grows with the horizon is the weekly
# time series (about 1 MiB over 10 years for 40 agencies).
# BUILD (default build/release, or build/pgo with PGO=1) is the CMake build directory to use,
# e.g. one that nobody else builds in. PGO=1 benchmarks the profile-guided build of
# scripts/build-pgo.sh.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
repeats=${1:-5}
source bench/lib.sh

if [[ "${PGO:-0}" == 1 ]]; then
  build=${BUILD:-build/pgo}
  scripts/build-pgo.sh "$build" >/dev/null
else
  scripts/install-deps.sh
  build=${BUILD:-build/release}
  release_build "$build"
fi
refsim=$build/bin/refsim
out=bench/out
mkdir -p "$out"

printf '%-28s %8s %12s %10s %10s %14s %12s\n' scenario horizon events best_s median_s "M events/s" peak_MiB
# The queueing core (bench/scenarios) and the eight-country regional NRM scenario that uses every
# model feature (scenarios/sea-fisheries.toml): issue 3 asks it to stay within a factor of two of
# the core's events per second.
for scenario in bench/scenarios/*.toml scenarios/sea-fisheries.toml; do
  name=$(basename "$scenario" .toml)
  for horizon in 1y 10y; do
    variant="$out/$name-$horizon.toml"
    sed -E "s/^horizon = .*/horizon = \"$horizon\"/" "$scenario" >"$variant"
    walls=()
    for _ in $(seq "$repeats"); do
      "$refsim" run "$variant" --threads 1 --quiet --out "$out/$name-$horizon"
      walls+=("$(field "$out/$name-$horizon/run.json" wall_seconds)")
    done
    # Best and median (the lower middle one for an even count): this VM's speed moves by
    # 20–40 % between minutes, and the best is the steadier figure.
    read -r best median < <(printf '%s\n' "${walls[@]}" | sort -g | awk '{ w[NR] = $1 } END { print w[1], w[int((NR + 1) / 2)] }')
    events=$(field "$out/$name-$horizon/run.json" events_processed)
    rss=$(field "$out/$name-$horizon/run.json" peak_rss_mib)
    awk -v n="$name" -v h="$horizon" -v e="$events" -v b="$best" -v m="$median" -v r="$rss" \
      'BEGIN { printf "%-28s %8s %12d %10.3f %10.3f %14.2f %12.1f\n", n, h, e, b, m, e / b / 1e6, r }'
  done
done
echo "build: $build$([[ "${PGO:-0}" == 1 ]] && echo ' (profile-guided)'); machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
