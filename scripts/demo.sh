#!/usr/bin/env bash
# Quick start, step 1: install what is missing, build refsim (Release) and run a scenario.
# Usage: scripts/demo.sh [SCENARIO.toml] [extra `refsim run` options…]
# Default scenario: scenarios/baseline-nrm.toml; results go to results/<scenario name>/.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

scripts/install-deps.sh
cmake -S . -B build/release -G Ninja -DCMAKE_BUILD_TYPE=Release -DREFSIM_BUILD_TESTS=OFF >/dev/null
cmake --build build/release --target refsim
scenario=${1:-scenarios/baseline-nrm.toml}
shift || true
exec build/release/bin/refsim run "$scenario" "$@"
