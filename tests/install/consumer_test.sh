#!/usr/bin/env bash
# install.consumer: `cmake --install` of the build tree into a fresh prefix has what the README's
# "Install" section promises (programs, manual pages, scenarios, documentation, the library with
# its headers and CMake package); the installed refsim runs the installed default scenario; and a
# project of someone else's (tests/install/consumer) finds the library with find_package(refsim),
# builds against the installed tree only and simulates the same events as the installed refsim.
# Usage: consumer_test.sh BUILD_DIR SOURCE_DIR WORK_DIR CXX_COMPILER
set -euo pipefail
build=$1 source=$2 work=$3 cxx=$4
fail() { echo "install.consumer: FAIL: $*" >&2; exit 1; }

rm -rf "$work"
mkdir -p "$work"
prefix=$work/prefix
cmake --install "$build" --prefix "$prefix" >"$work/install.log" || fail "cmake --install failed: $(tail -5 "$work/install.log")"

for f in bin/refsim share/man/man1/refsim.1 share/refsim/scenarios/baseline-nrm.toml \
         share/refsim/scenarios/exercises share/doc/refsim/README.md share/doc/refsim/docs/scenario-reference.md \
         include/refsim/sim/engine/engine.hpp include/refsim/sim/scenario/loader.hpp \
         lib/cmake/refsim/refsimConfig.cmake lib/cmake/refsim/refsimConfigVersion.cmake lib/librefsim_engine.a; do
  [[ -e "$prefix/$f" ]] || fail "$f is not installed"
done
[[ ! -e "$prefix/include/refsim/sim/cli" ]] || fail "the command line's private headers are installed"
if [[ -x "$build/bin/refsim-viz" ]]; then
  for f in bin/refsim-viz share/man/man1/refsim-viz.1; do [[ -e "$prefix/$f" ]] || fail "$f is not installed"; done
fi

# The manual pages: valid roff (groff reports nothing with every warning on) and every command.
for page in "$prefix"/share/man/man1/*.1; do
  warnings=$(groff -man -Tutf8 -ww -z "$page" 2>&1) || fail "groff failed on $page: $warnings"
  [[ -z "$warnings" ]] || fail "groff warns on $(basename "$page"): $warnings"
done
text=$(groff -man -Tutf8 -P-cbou "$prefix/share/man/man1/refsim.1" 2>/dev/null)
for cmd in run compare bottlenecks exercise sweep merge plan check diff graph; do
  grep -q "^   refsim $cmd\$" <<<"$text" || fail "refsim.1 has no section for 'refsim $cmd'"
done
grep -q -- "--replications" <<<"$text" || fail "refsim.1 does not describe --replications"
grep -q "EXIT STATUS" <<<"$text" || fail "refsim.1 has no EXIT STATUS"

# The installed program on the installed default scenario.
"$prefix/bin/refsim" --version | grep -q '^refsim [0-9]' || fail "refsim --version"
"$prefix/bin/refsim" run "$prefix/share/refsim/scenarios/baseline-nrm.toml" -r 1 -j 1 --seed 7 \
  -o "$work/out" >"$work/run.log" || fail "installed refsim run failed: $(tail -5 "$work/run.log")"
[[ -s "$work/out/summary.json" ]] || fail "installed refsim wrote no summary.json"
expected=$(sed -nE 's/^([0-9]+) events in .*/\1/p' "$work/run.log")
[[ -n "$expected" ]] || fail "refsim run printed no event count"

# A consumer project built against the installed tree alone.
cmake -S "$source/tests/install/consumer" -B "$work/consumer" -G Ninja -DCMAKE_BUILD_TYPE=Release \
      -DCMAKE_CXX_COMPILER="$cxx" -DCMAKE_PREFIX_PATH="$prefix" >"$work/consumer-configure.log" 2>&1 ||
  fail "the consumer does not configure: $(tail -20 "$work/consumer-configure.log")"
if grep -q "$source/sim" "$work/consumer/build.ninja"; then fail "the consumer build reads refsim's source tree"; fi
cmake --build "$work/consumer" >"$work/consumer-build.log" 2>&1 ||
  fail "the consumer does not build: $(tail -30 "$work/consumer-build.log")"
got=$("$work/consumer/consumer" "$prefix/share/refsim/scenarios/baseline-nrm.toml" 7) || fail "the consumer failed"
[[ "$got" == "$expected events" ]] || fail "the consumer simulated '$got', refsim run $expected events"
echo "install.consumer: ok ($expected events both ways; installed tree in $prefix)"
