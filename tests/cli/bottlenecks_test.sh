#!/usr/bin/env bash
# refsim bottlenecks as a user meets it: exit code 2 and a clear message on bad input, JSON on
# standard output that parses, --out DIR written whole, and the same bytes on 1 and 2 threads.
# Usage: bottlenecks_test.sh REFSIM_BINARY SOURCE_DIR
set -u
refsim=$1
src=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
passed=0
failed=0
ok() { passed=$((passed + 1)); }
bad() { echo "FAIL: $*" >&2; failed=$((failed + 1)); }
base="$src/scenarios/baseline-nrm.toml"
quick=(-r 3 --horizon 3y)

# Bad input: exit code 2, the message on stderr names what is wrong, nothing on stdout.
expect_error() {  # expect_error REGEX ARGS...
  local regex=$1
  shift
  "$refsim" bottlenecks "$@" >"$tmp/stdout" 2>"$tmp/stderr"
  local code=$?
  [ "$code" -eq 2 ] || bad "$*: exit code $code, expected 2"
  grep -qE -e "$regex" "$tmp/stderr" || bad "$*: message does not match '$regex': $(cat "$tmp/stderr")"
  [ -s "$tmp/stdout" ] && bad "$*: printed to stdout"
  ok
}
expect_error "--bogus" "$base" --bogus
expect_error "^refsim: error: --target foo: expected INDICATOR>=VALUE or INDICATOR<=VALUE" "$base" "${quick[@]}" --target foo
expect_error "^refsim: error: --target agencies.screening.mean_wait_days<=soon: expected a number" \
  "$base" "${quick[@]}" --target "agencies.screening.mean_wait_days<=soon"
expect_error "^refsim: error: --at nosuch: unknown agency 'nosuch'; known: hotline, " \
  "$base" "${quick[@]}" --no-marginal --target "agencies.screening.mean_wait_days<=2" --at nosuch
expect_error "^refsim: error: --at investigation: agency 'investigation' is unlimited" \
  "$base" "${quick[@]}" --no-marginal --target "agencies.screening.mean_wait_days<=2" --at investigation
expect_error "^refsim: error: --indicator nosuch: unknown indicator 'nosuch'; known: " "$base" "${quick[@]}" --indicator nosuch
expect_error "^refsim: error: --target agencies.nosuch.mean_wait_days<=2: unknown indicator" \
  "$base" "${quick[@]}" --target "agencies.nosuch.mean_wait_days<=2"
expect_error "^refsim: error: --horizon never: expected a duration" "$base" -r 3 --horizon never
expect_error "^$src/scenarios/nosuch.toml: cannot open scenario file" "$src/scenarios/nosuch.toml" -r 3

# --format json: one JSON document on stdout, nothing else.
if "$refsim" bottlenecks "$base" "${quick[@]}" -j2 --format json -q >"$tmp/out.json" 2>"$tmp/stderr"; then
  python3 -c 'import json,sys; d=json.load(sys.stdin); assert {"attribution","marginal","capacity"} <= d.keys(), d.keys()' \
    <"$tmp/out.json" && ok || bad "--format json: does not parse or lacks sections"
else
  bad "--format json failed: $(cat "$tmp/stderr")"
fi

# --out DIR: bottlenecks.json (the same document as --format json) and a whole CSV (header, every
# row with as many fields), with a capacity search on the way; -j1 and -j2 give the same bytes.
for j in 1 2; do
  "$refsim" bottlenecks "$base" "${quick[@]}" -q -j$j --target "agencies.competent_authority.mean_wait_days<=1" \
    --at competent_authority --out "$tmp/out-j$j" --report "$tmp/out-j$j/page.html" 2>"$tmp/stderr" \
    || bad "-j$j run failed: $(cat "$tmp/stderr")"
done
for f in bottlenecks.json bottlenecks.csv; do
  [ -s "$tmp/out-j1/$f" ] || bad "--out: $f missing or empty"
  cmp -s "$tmp/out-j1/$f" "$tmp/out-j2/$f" && ok || bad "$f differs between -j1 and -j2"
done
# The page differs only in the command line it shows (which names -j1 or -j2).
cmp -s <(grep -v "Command line" "$tmp/out-j1/page.html") <(grep -v "Command line" "$tmp/out-j2/page.html") \
  && ok || bad "page.html differs between -j1 and -j2 beyond the command line"
python3 - "$tmp/out-j1" <<'PY' && ok || bad "--out files are not whole"
import csv, json, sys
d = sys.argv[1]
doc = json.load(open(d + "/bottlenecks.json"))
assert doc["capacity"], "no capacity search in the JSON"
rows = list(csv.reader(open(d + "/bottlenecks.csv", newline="")))
assert rows[0][:4] == ["section", "subject", "detail", "measure"], rows[0]
assert len(rows) > 50, len(rows)
assert all(len(r) == len(rows[0]) for r in rows), "ragged CSV"
assert {r[0] for r in rows[1:]} >= {"agency", "marginal", "capacity"}, {r[0] for r in rows[1:]}
PY
# The terminal table names the command's sections.
"$refsim" bottlenecks "$base" "${quick[@]}" -j2 >"$tmp/table.txt" 2>&1 || bad "table run failed"
for section in "where persons wait" "referral delays" "time to identification" "marginal value"; do
  grep -q "$section" "$tmp/table.txt" && ok || bad "table lacks '$section'"
done

echo "bottlenecks_test: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
