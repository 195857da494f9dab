#!/usr/bin/env bash
# Builds refsim-viz (Release) if needed and opens it on a scenario (default: the baseline NRM).
# Usage: scripts/viz.sh [SCENARIO.toml] [refsim-viz options…]   (needs a display; see docs/viz.md)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

scripts/install-deps.sh
cmake -S . -B build/release -G Ninja -DCMAKE_BUILD_TYPE=Release -DREFSIM_BUILD_TESTS=OFF >/dev/null
cmake --build build/release --target refsim-viz
scenario=${1:-scenarios/baseline-nrm.toml}
shift || true
exec build/release/bin/refsim-viz "$scenario" "$@"
