#!/usr/bin/env bash
# Quick start, step 2: install what is missing, build with warnings as errors, run every test;
# then build again with AddressSanitizer + UndefinedBehaviorSanitizer and run the tests again (but
# the browser and install tests); then fuzz each parser for a bounded time (scripts/fuzz.sh 60,
# clang with the same sanitizers).
# Usage: scripts/test.sh [--no-sanitizers]   (skips both sanitizer stages: the second pass and fuzzing)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

sanitizers=1
[[ "${1:-}" == "--no-sanitizers" ]] && sanitizers=0
jobs=$(nproc 2>/dev/null || echo 2)

scripts/install-deps.sh

echo "== Release build, warnings as errors"
cmake -S . -B build/test -G Ninja -DCMAKE_BUILD_TYPE=Release -DREFSIM_WERROR=ON >/dev/null
cmake --build build/test -j "$jobs"
ctest --test-dir build/test --output-on-failure -j "$jobs"

if [[ $sanitizers -eq 1 ]]; then
  echo "== AddressSanitizer + UndefinedBehaviorSanitizer build (core, command line and tests)"
  # -O1 -g1 (line tables, enough for the sanitizers' stack traces) builds in about half the time
  # of -O2 -g. A unity build (8 sources a unit) compiles each header's inline code once per unit:
  # 15 % less compile time here. The release stage stays one source a unit, so a missing include
  # still fails there.
  cmake -S . -B build/sanitize -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DREFSIM_WERROR=ON \
        -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -g1 -DNDEBUG" \
        -DREFSIM_SANITIZE=ON -DREFSIM_BUILD_VIZ=OFF -DCMAKE_UNITY_BUILD=ON >/dev/null
  cmake --build build/sanitize -j "$jobs"
  # The browser tests (report.*) check the pages in Chromium, which the release stage did; their
  # refsim runs are the same code the Catch2 report tests run here under the sanitizers. So does
  # cli.outdir (kill -9 at many points, concurrent writers: its subject is the file system's
  # behaviour, and the OutputDirectory code it drives is the Catch2 output-directory cases'). The
  # install tests check files, packages and a fresh Debian, not code the release stage did not run.
  ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    ctest --test-dir build/sanitize --output-on-failure -j "$jobs" -E '^(report\.|cli\.outdir$|install\.)'

  scripts/fuzz.sh 60
fi
