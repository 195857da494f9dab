#!/usr/bin/env bash
# Builds the fastest refsim: a profile-guided (PGO) Release build, in BUILD_DIR (default build/pgo).
# Usage: scripts/build-pgo.sh [BUILD_DIR]
#
# Stage 1 builds an instrumented refsim and runs it on training scenarios (the queueing benchmark
# over one year, the baseline national mechanism, the eight-country regional one), one thread
# each; stage 2 rebuilds refsim with GCC's -fprofile-use from what those runs recorded. PGO
# changes how the code is laid out and inlined, not what it computes: the script checks that the
# optimised binary writes byte-identical outputs for the training runs before it reports success.
# About twice the time of a plain build. bench/run.sh uses it with PGO=1.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

build=${1:-build/pgo}
jobs=$(nproc 2>/dev/null || echo 2)
scripts/install-deps.sh --no-viz

profiles="$build/pgo-data"
training="$build/pgo-training"
rm -rf "$profiles" "$training"
mkdir -p "$training"
# The training set: the benchmark's queueing core over one year, and two scenarios that use the
# NRM model's features (profiles, decisions, deadlines, forks, countries).
sed -E 's/^horizon = .*/horizon = "1y"/' bench/scenarios/queueing-40.toml >"$training/queueing-40-1y.toml"
scenarios=("$training/queueing-40-1y.toml" scenarios/baseline-nrm.toml scenarios/sea-fisheries.toml)

run_all() {  # run_all BINARY OUTPUT_PREFIX
  for s in "${scenarios[@]}"; do
    "$1" run "$s" --threads 1 --quiet --out "$2-$(basename "$s" .toml)" >/dev/null
  done
}

echo "== PGO stage 1: instrumented build, training runs"
cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DREFSIM_BUILD_TESTS=OFF -DREFSIM_BUILD_VIZ=OFF \
      -DCMAKE_CXX_FLAGS= -DREFSIM_PGO=generate -DREFSIM_PGO_DIR="$PWD/$profiles" >/dev/null
cmake --build "$build" --target refsim -j "$jobs"
run_all "$build/bin/refsim" "$training/instrumented"

echo "== PGO stage 2: optimised build"
cmake -S . -B "$build" -DREFSIM_PGO=use >/dev/null
cmake --build "$build" --target refsim -j "$jobs"
run_all "$build/bin/refsim" "$training/optimised"

for s in "${scenarios[@]}"; do
  name=$(basename "$s" .toml)
  for f in "$training/instrumented-$name"/*; do
    [[ $(basename "$f") == run.json ]] && continue  # wall time and memory differ by design
    if ! cmp -s "$f" "$training/optimised-$name/$(basename "$f")"; then
      echo "refsim: the PGO build's $(basename "$f") for $name differs from the instrumented build's" >&2
      exit 1
    fi
  done
done
echo "PGO build ready: $build/bin/refsim (outputs of ${#scenarios[@]} training runs identical to the instrumented build's)"
