#!/usr/bin/env bash
# refsim exercise as a trainer meets it: check, run headless, replay byte for byte, branch, a
# decisions file, a log killed with -9 that replays to where it stopped, and bad input.
# Usage: exercise_test.sh /path/to/refsim /path/to/source-root
set -uo pipefail
refsim="$1"
root="$2"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$root"
failures=0
pass() { echo "ok   $1"; }
fail() { echo "FAIL $1"; failures=$((failures + 1)); }
check() { if eval "$2"; then pass "$1"; else fail "$1"; fi; }

x=scenarios/exercises/baseline-shelter-closure.toml
f=scenarios/exercises/fisheries-raid.toml

"$refsim" exercise check "$x" >"$tmp/check.txt" 2>&1
check "check: exit 0 and the MSEL listed" "grep -q 'rg_backlog' '$tmp/check.txt' && grep -q 'OK' '$tmp/check.txt'"
"$refsim" exercise check "$f" >/dev/null 2>&1
check "check: the fisheries exercise loads" "[ \$? -eq 0 ]"

# Run headless, then replay: the same files, byte for byte, but run.json.
"$refsim" exercise run "$x" --log "$tmp/a.log" --out "$tmp/a" -q
check "run: exit 0" "[ \$? -eq 0 ]"
check "run: the log has start, injects, decisions and end" \
  "head -1 '$tmp/a.log' | grep -q '\"record\":\"start\"' && grep -q '\"record\":\"decision\"' '$tmp/a.log' && tail -1 '$tmp/a.log' | grep -q '\"record\":\"end\"'"
check "run: results and exercise.json written" "[ -s '$tmp/a/summary.json' ] && grep -q '\"complete\": true' '$tmp/a/exercise.json'"
"$refsim" exercise replay "$tmp/a.log" --out "$tmp/b" -q
check "replay: exit 0" "[ \$? -eq 0 ]"
check "replay: every file byte-identical but run.json" "diff -r -x run.json '$tmp/a' '$tmp/b' >/dev/null"
check "replay: run.json present" "[ -s '$tmp/b/run.json' ]"

# A log is never overwritten.
"$refsim" exercise run "$x" --log "$tmp/a.log" --out "$tmp/c" -q 2>"$tmp/err.txt"
code=$?
check "run: an existing log is refused with exit 2" "[ $code -eq 2 ] && grep -q 'exists already' '$tmp/err.txt'"

# A decisions file changes what is decided.
printf '[decisions]\nclosure = "emergency_beds"\nrg_backlog = "second_staff"\n' >"$tmp/d.toml"
"$refsim" exercise run "$x" --decisions "$tmp/d.toml" --log "$tmp/d.log" --out "$tmp/d" -q
check "decisions: taken from the file" \
  "grep -q '\"option\":\"emergency_beds\",\"by\":\"decisions file\"' '$tmp/d.log' && grep -q '\"option\": \"second_staff\"' '$tmp/d/exercise.json'"
printf '[decisions]\nclosure = "sleep"\n' >"$tmp/bad-d.toml"
"$refsim" exercise run "$x" --decisions "$tmp/bad-d.toml" --log "$tmp/e.log" --out "$tmp/e" -q 2>"$tmp/err.txt"
code=$?
check "decisions: an unknown option is a located error, exit 2, no log left" \
  "[ $code -eq 2 ] && grep -q 'bad-d.toml:2:11: \[decisions\]: inject .closure. has no option .sleep.' '$tmp/err.txt' && [ ! -e '$tmp/e.log' ]"

# Branch: what if the other option had been chosen, paired over replications.
"$refsim" exercise replay "$tmp/a.log" --branch-at closure --choose emergency_beds -r 5 --out "$tmp/br" -q
check "branch: exit 0, branch.json with paired differences" \
  "grep -q '\"chosen\": \"emergency_beds\"' '$tmp/br/branch.json' && grep -q '\"pairs\": 5' '$tmp/br/branch.json'"
"$refsim" exercise replay "$tmp/a.log" --branch-at ngo_full --choose x --out "$tmp/bx" -q 2>"$tmp/err.txt"
code=$?
check "branch: not a decision point: exit 2" "[ $code -eq 2 ] && grep -q 'not a decision point' '$tmp/err.txt'"

# Bad exercise files: located errors, exit 2.
printf '[exercise]\nname = "x"\nscenario = "../baseline-nrm.toml"\n[[inject]]\nid = "a"\nat = "day 2 25:00"\nsynopsis = "s"\n' \
  >scenarios/exercises/.bad-test-$$.toml
"$refsim" exercise check scenarios/exercises/.bad-test-$$.toml 2>"$tmp/err.txt"
code=$?
rm -f scenarios/exercises/.bad-test-$$.toml
check "bad file: file:line:column, exit 2" "[ $code -eq 2 ] && grep -q 'bad-test-$$.toml:6:6: inject .a.: at has no such time of day' '$tmp/err.txt'"

# kill -9 in the middle: the log keeps what happened, and replays to that point.
long=tests/data/exercises/long-fisheries.toml
"$refsim" exercise run "$long" --log "$tmp/k.log" --out "$tmp/k" -q --sample 0 &
pid=$!
for _ in $(seq 1 2000); do
  grep -q '"record":"decision"' "$tmp/k.log" 2>/dev/null && break
  sleep 0.005
done
kill -9 "$pid" 2>/dev/null
wait "$pid" 2>/dev/null
if tail -1 "$tmp/k.log" | grep -q '"record":"end"'; then
  fail "kill -9: the run ended before it could be killed (the test needs a longer exercise)"
else
  pass "kill -9: the run was killed before its end"
fi
check "kill -9: no results directory half written" "[ ! -e '$tmp/k' ]"
check "kill -9: every line of the log is whole" "python3 -c \"import json,sys; [json.loads(l) for l in open('$tmp/k.log')]\""
"$refsim" exercise replay "$tmp/k.log" --out "$tmp/kr" -q
check "kill -9: the log replays (exit 0) to where it stopped" \
  "[ \$? -eq 0 ] && grep -q '\"complete\": false' '$tmp/kr/exercise.json' && grep -q '\"option\": \"wait\"' '$tmp/kr/exercise.json'"

if [[ $failures -gt 0 ]]; then
  echo "$failures check(s) failed"
  exit 1
fi
echo "all exercise checks passed"
