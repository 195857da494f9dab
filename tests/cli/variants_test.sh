#!/usr/bin/env bash
# End-to-end checks of variants, --set overrides and refsim diff, as a user meets them.
# Usage: variants_test.sh REFSIM_BINARY SOURCE_DIR
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

# Bad variants: exit code 2, one line on stderr, "file:line:column: " (in the variant, or in the
# base it names for a cycle), no output directory, nothing on stdout.
for f in "$src"/tests/data/bad/variants/*.toml; do
  name=$(basename "$f" .toml)
  for cmd in run check; do
    if [ "$cmd" = run ]; then
      "$refsim" run "$f" -q --out "$tmp/out-$name" >"$tmp/stdout" 2>"$tmp/stderr"
    else
      "$refsim" check "$f" >"$tmp/stdout" 2>"$tmp/stderr"
    fi
    code=$?
    [ "$code" -eq 2 ] || bad "$name ($cmd): exit code $code, expected 2"
    [ "$(wc -l <"$tmp/stderr")" -eq 1 ] || bad "$name ($cmd): expected one line on stderr, got: $(cat "$tmp/stderr")"
    grep -qE "^$src/tests/data/bad/variants/[a-z_]+\.toml:[0-9]+:[0-9]+: " "$tmp/stderr" \
      || bad "$name ($cmd): message is not file:line:column: $(cat "$tmp/stderr")"
    [ -s "$tmp/stdout" ] && bad "$name ($cmd): printed to stdout"
    ok
  done
  [ ! -e "$tmp/out-$name" ] || bad "$name: output directory was created"
done

# A type error in [set] is reported at the variant's line and column.
f="$src/tests/data/bad/variants/wrong_type.toml"
"$refsim" check "$f" 2>"$tmp/stderr" >/dev/null
grep -qx "$f:6:40: agency 'competent_authority': servers must be an integer >= 1 or \"unlimited\", got string \"six\"" "$tmp/stderr" \
  && ok || bad "wrong_type: $(cat "$tmp/stderr")"

# Every library variant checks and runs (a short run), and says what it is.
for f in "$src"/scenarios/variants/*.toml; do
  name=$(basename "$f" .toml)
  "$refsim" check "$f" >"$tmp/check" 2>&1 && ok || bad "$name: check failed: $(cat "$tmp/check")"
  grep -q "^$f: loaded \"Baseline NRM: " "$tmp/check" && ok || bad "$name: check does not show the variant's name"
  "$refsim" run "$f" -q -r 1 --set run.horizon=300d --set run.warmup=100d --out "$tmp/run-$name" \
    && [ -s "$tmp/run-$name/summary.json" ] && ok || bad "$name: run failed"
  "$refsim" graph "$f" | grep -q '^digraph' && ok || bad "$name: graph failed"
done

# --set: the value is TOML, else text; it changes the run; a bad one is a located usage error.
"$refsim" check "$base" --set agency.competent_authority.servers=6 --set agency.shelter.when_full=turn_away \
  --set 'agency.screening.service={ dist = "exponential", mean = "2d" }' >"$tmp/check" \
  && grep -q "competent_authority .*utilization 0.56" "$tmp/check" && ok || bad "--set: check output: $(cat "$tmp/check")"
"$refsim" check "$base" --set agency.scrneing.servers=10 >"$tmp/stdout" 2>"$tmp/stderr"
[ $? -eq 2 ] && ok || bad "--set unknown agency: exit code not 2"
grep -qx "refsim: error: --set agency.scrneing.servers=10: unknown agency 'scrneing'; known: hotline, ngo_outreach, police, labour_inspectorate, screening, competent_authority, cg_decision, child_protection, shelter, shelter_ngo, services, investigation, prosecution, trial" "$tmp/stderr" \
  && ok || bad "--set unknown agency: $(cat "$tmp/stderr")"
"$refsim" run "$base" -q --set agency.screening.servers=many --out "$tmp/nope" 2>"$tmp/stderr"
[ $? -eq 2 ] && [ ! -e "$tmp/nope" ] && ok || bad "--set wrong type: exit code not 2, or output written"
grep -qx "refsim: error: --set agency.screening.servers=many: agency 'screening': servers must be an integer >= 1 or \"unlimited\", got string \"many\"" "$tmp/stderr" \
  && ok || bad "--set wrong type: $(cat "$tmp/stderr")"
"$refsim" run "$base" -q -r 1 --set run.horizon=200d --set run.warmup=0 --out "$tmp/a" \
  && "$refsim" run "$base" -q -r 1 --set run.horizon=200d --set run.warmup=0 --set agency.competent_authority.servers=8 --out "$tmp/b" \
  && ! cmp -s "$tmp/a/agencies.csv" "$tmp/b/agencies.csv" && ok || bad "--set did not change the run"

# diff: a variant against its base, in plain words and JSON; two unrelated scenarios; --exit-code.
v="$src/scenarios/variants/two-more-rg-caseworkers.toml"
"$refsim" diff "$base" "$v" >"$tmp/diff"
[ $? -eq 0 ] && ok || bad "diff: exit code not 0"
grep -qx "  competent_authority: servers 4 → 6" "$tmp/diff" && grep -q ", a variant of A$" "$tmp/diff" \
  && ok || bad "diff text: $(cat "$tmp/diff")"
"$refsim" diff "$base" "$src/scenarios/variants/ngos-refer-children-directly.toml" \
  | grep -qx "  new referral ngo_outreach → child_protection when child (probability 1, a fork)" \
  && ok || bad "diff: new referral not shown"
"$refsim" diff "$base" "$src/scenarios/variants/cg-target-90d.toml" \
  | grep -q "^  removed deadline cg_decision_45d" && ok || bad "diff: removed deadline not shown"
"$refsim" diff "$base" "$v" --format json >"$tmp/diff.json"
python3 - "$tmp/diff.json" <<'PY' && ok || bad "diff json shape"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["same"] is False and d["b"]["based_on_a"] is True
c = [e for e in d["differences"] if e["key"] == "servers"][0]
assert (c["kind"], c["section"], c["id"], c["a"], c["b"]) == ("changed", "agency", "competent_authority", 4, 6), c
PY
"$refsim" diff "$src/scenarios/namibia.toml" "$src/scenarios/eswatini.toml" >"$tmp/diff"
grep -q "^  only in A: agency " "$tmp/diff" && grep -q "^  only in B: agency " "$tmp/diff" && grep -q "^  scenario: country \"NA\" → \"SZ\"$" "$tmp/diff" \
  && ok || bad "diff of two countries: $(head -20 "$tmp/diff")"
"$refsim" diff "$base" "$base" --exit-code | grep -qx "no differences" && ok || bad "diff of a file with itself"
"$refsim" diff "$base" "$v" --exit-code >/dev/null
[ $? -eq 1 ] && ok || bad "diff --exit-code: expected 1 when they differ"
"$refsim" diff "$base" "$src/tests/data/bad/variants/missing_base.toml" >/dev/null 2>"$tmp/stderr"
[ $? -eq 2 ] && grep -q "missing_base.toml:3:8: " "$tmp/stderr" && ok || bad "diff of a bad variant: $(cat "$tmp/stderr")"

echo "variants_test: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
