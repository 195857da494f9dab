#!/usr/bin/env bash
# Builds the libFuzzer targets of fuzz/ with clang, AddressSanitizer and UndefinedBehaviorSanitizer,
# and runs each for a bounded time (docs/fuzzing.md). Fails, naming the input, on the first crash,
# sanitizer report, leak, hang (an input slower than 10 s) or out-of-memory (2 GB).
# Usage: scripts/fuzz.sh [SECONDS]   (default 60: the scenario target SECONDS, in parallel with the
#                                     condition and units targets SECONDS/2 each, one after the other)
# Corpora grow in build/fuzz/corpus/NAME (kept between runs: the next run starts where this one
# stopped); a failing input is written to build/fuzz/artifacts/NAME/ (emptied at the start of
# each run).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

seconds=${1:-60}
if ! [[ "$seconds" =~ ^[1-9][0-9]*$ ]]; then
  echo "refsim: fuzz.sh: SECONDS must be a whole number >= 1, got '$seconds'" >&2
  exit 2
fi
half=$(( seconds / 2 > 0 ? seconds / 2 : 1 ))

scripts/install-deps.sh --no-viz

launcher=()
command -v ccache >/dev/null 2>&1 && launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
echo "== libFuzzer build (clang, AddressSanitizer + UndefinedBehaviorSanitizer)"
cmake -S . -B build/fuzz -G Ninja -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_BUILD_TYPE=RelWithDebInfo \
      -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -g1" -DREFSIM_WERROR=ON -DREFSIM_SANITIZE=ON \
      -DREFSIM_BUILD_VIZ=OFF -DREFSIM_BUILD_TESTS=OFF -DCMAKE_UNITY_BUILD=ON -DREFSIM_FUZZ=ON \
      "${launcher[@]}" >/dev/null
cmake --build build/fuzz --target refsim_fuzz_scenario refsim_fuzz_condition refsim_fuzz_units

root=$PWD
# Seeds (read, never written: libFuzzer adds new inputs to the first directory only).
declare -A seeds=(
  [scenario]="$root/fuzz/regressions/scenario $root/scenarios $root/tests/data"
  [condition]="$root/fuzz/regressions/condition $root/fuzz/seeds/condition"
  [units]="$root/fuzz/regressions/units $root/fuzz/seeds/units"
)

# run NAME SECONDS: one bounded libFuzzer run; its log is build/fuzz/logs/NAME.log.
run() {
  local name=$1 time=$2
  local corpus=$root/build/fuzz/corpus/$name artifacts=$root/build/fuzz/artifacts/$name
  local log=$root/build/fuzz/logs/$name.log
  rm -rf "$artifacts"
  mkdir -p "$corpus" "$artifacts" "$(dirname "$log")"
  # The working directory is the corpus' parent: a target that writes a file by accident writes
  # it there, not into the source tree.
  # shellcheck disable=SC2086
  if (cd "$root/build/fuzz" &&
      ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
      UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
      "$root/build/fuzz/bin/refsim_fuzz_$name" -max_total_time="$time" -timeout=10 \
        -rss_limit_mb=2048 -max_len=65536 -print_final_stats=1 \
        -artifact_prefix="$artifacts/" "$corpus" ${seeds[$name]}) >"$log" 2>&1; then
    local done_line
    done_line=$(grep -E '^Done [0-9]+ runs in [0-9]+ second' "$log" | tail -n 1 || true)
    local runs secs
    runs=$(sed -E 's/^Done ([0-9]+) runs in ([0-9]+) second.*/\1/' <<<"$done_line")
    secs=$(sed -E 's/^Done ([0-9]+) runs in ([0-9]+) second.*/\2/' <<<"$done_line")
    printf 'fuzz %-9s %9s executions in %3s s, corpus %s inputs, no failure\n' \
      "$name" "${runs:-?}" "${secs:-?}" "$(find "$corpus" -type f | wc -l)"
  else
    echo "fuzz $name: FAILED; the libFuzzer log ($log) ends:" >&2
    tail -n 40 "$log" >&2
    local found
    found=$(find "$artifacts" -type f | head -n 1)
    if [[ -n "$found" ]]; then
      echo "fuzz $name: the failing input is $found; once fixed, copy it to" \
           "fuzz/regressions/$name/ so fuzz.replay.$name keeps it fixed" >&2
    else
      echo "fuzz $name: libFuzzer saved no input (it did not start, or was killed)" >&2
    fi
    return 1
  fi
}

echo "== Fuzzing: scenario ${seconds} s, in parallel with condition ${half} s then units ${half} s"
status=0
run scenario "$seconds" &
scenario_pid=$!
run condition "$half" || status=1
run units "$half" || status=1
wait "$scenario_pid" || status=1
exit $status
