#!/usr/bin/env bash
# refsim plan as a user meets it: exit codes and located messages for bad input, plan.json and
# plan.csv written whole and the same whatever the thread count, --format json on standard
# output, an intervention added by a variant file beside the scenario, and --better.
# Usage: plan_test.sh REFSIM SOURCE_DIR
set -u
refsim=$1
src=$(cd "$2" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
passed=0
failed=0
ok() { passed=$((passed + 1)); }
bad() { echo "FAIL: $*" >&2; failed=$((failed + 1)); }
morocco=$src/scenarios/morocco.toml
small=(--set run.horizon=1300d --set run.warmup=1150d -r 3)

# expect CODE MESSAGE ARGS…: exits with CODE and says MESSAGE (a fixed string) on stderr.
expect() {
  local code=$1 msg=$2
  shift 2
  "$refsim" "$@" >"$tmp/out" 2>"$tmp/err"
  local got=$?
  [ "$got" -eq "$code" ] && ok || bad "$* : exit $got, expected $code ($(cat "$tmp/err"))"
  grep -qF -- "$msg" "$tmp/err" && ok || bad "$* : no '$msg' in: $(cat "$tmp/err")"
}
expect 2 "--budget is required" plan "$morocco" -o "$tmp/x"
expect 2 "--budget abc: expected an amount >= 0" plan "$morocco" --budget abc -o "$tmp/x"
expect 2 "--budget -5: expected an amount >= 0" plan "$morocco" --budget -5 -o "$tmp/x"
expect 2 "--budget 1e400: expected an amount >= 0" plan "$morocco" --budget 1e400 -o "$tmp/x"
expect 2 "unknown indicator 'overall.nope'" plan "$morocco" --budget 1000 --indicator overall.nope -o "$tmp/x"
expect 2 "--better" plan "$morocco" --budget 1000 --better more -o "$tmp/x"
expect 2 "declares no [[intervention]]" plan "$src/scenarios/uk-nrm.toml" --budget 1000 -o "$tmp/x"
expect 2 "is a directory" plan "$morocco" --budget 1000 --report "$tmp" -o "$tmp/x"
expect 2 "--replications: Value 1 not in range" plan "$morocco" --budget 1000 -r 1 -o "$tmp/x"
[ ! -e "$tmp/x" ] && ok || bad "a refused plan left its output directory"

# An intervention with a located error, in a variant file beside the scenario.
cat >"$tmp/bad.toml" <<TOML
[variant]
base = "$morocco"

[[add.intervention]]
id = "more_prosecutors"
cost_yearly = 10000
[[add.intervention.change]]
agency = "prosecutr"
servers = "+1"
TOML
expect 2 "bad.toml:8:10: " plan "$tmp/bad.toml" --budget 1000 -o "$tmp/x"
grep -qF "prosecutr" "$tmp/err" && ok || bad "the unknown agency is not named: $(cat "$tmp/err")"
cat >"$tmp/nocost.toml" <<TOML
[variant]
base = "$morocco"

[set]
"scenario.currency" = ""
TOML
expect 2 "nocost.toml:5:23: [scenario]: currency must not be empty" plan "$tmp/nocost.toml" --budget 1000 -o "$tmp/x"

# A good variant: a fourth prosecutor added beside the library's interventions.
cat >"$tmp/plus.toml" <<TOML
[variant]
base = "$morocco"

[[add.intervention]]
id = "fourth_prosecutor"
name = "A fourth prosecutor for trafficking cases"
cost_yearly = 200000
[[add.intervention.change]]
agency = "prosecutor"
servers = "+1"
TOML
"$refsim" plan "$tmp/plus.toml" --budget 400000 "${small[@]}" -j1 -q -o "$tmp/j1" --report "$tmp/j1.html" \
  && ok || bad "plan -j1 failed"
"$refsim" plan "$tmp/plus.toml" --budget 400000 "${small[@]}" -j2 -q -o "$tmp/j2" && ok || bad "plan -j2 failed"
for f in plan.json plan.csv; do
  [ -s "$tmp/j1/$f" ] && ok || bad "$f not written"
  cmp -s "$tmp/j1/$f" "$tmp/j2/$f" && ok || bad "$f differs between -j1 and -j2"
done
[ -s "$tmp/j1.html" ] && ok || bad "--report wrote nothing"
python3 - "$tmp/j1/plan.json" "$tmp/j1/plan.csv" <<'PY' && ok || bad "plan.json / plan.csv do not hold together"
import csv, json, sys
p = json.load(open(sys.argv[1]))
rows = list(csv.DictReader(open(sys.argv[2])))
assert p["currency"] == "MAD" and p["budget"] == 400000 and p["method"] == "exhaustive", p
ids = [i["id"] for i in p["interventions"]]
assert ids == ["cso_staff_centre", "cso_staff_south", "cso_refresher_training", "fourth_prosecutor"], ids
assert p["portfolios"][0]["label"] == "nothing"
assert len(rows) == len(p["portfolios"]), (len(rows), len(p["portfolios"]))
for port, row in zip(p["portfolios"], rows):
    assert row["portfolio"] == port["label"]
    assert port["cost"] <= 400000 * (1 + 1e-12), port
    assert port["value"]["replications"] == 3
    if port["label"] != "nothing":
        lo, hi = port["gain"]["ci95"]
        assert lo <= port["gain"]["mean"] <= hi, port
        assert port["gain"]["pairs"] == 3
assert any(port["frontier"] for port in p["portfolios"][1:])
PY

# --format json is plan.json on standard output.
"$refsim" plan "$tmp/plus.toml" --budget 400000 "${small[@]}" --format json -o "$tmp/j3" >"$tmp/stdout.json" 2>/dev/null \
  && ok || bad "--format json failed"
cmp -s "$tmp/stdout.json" "$tmp/j3/plan.json" && ok || bad "--format json is not plan.json"

# --better smaller turns the gains round.
"$refsim" plan "$morocco" --budget 200000 "${small[@]}" --format json -o "$tmp/b1" >"$tmp/b1.json" 2>/dev/null
"$refsim" plan "$morocco" --budget 200000 "${small[@]}" --better smaller --format json -o "$tmp/b2" >"$tmp/b2.json" 2>/dev/null
python3 - "$tmp/b1.json" "$tmp/b2.json" <<'PY' && ok || bad "--better smaller does not negate the gains"
import json, sys
a, b = (json.load(open(f)) for f in sys.argv[1:])
assert a["indicator"]["better"] == "larger" and b["indicator"]["better"] == "smaller"
ga = {p["label"]: p["gain"]["mean"] for p in a["portfolios"][1:]}
gb = {p["label"]: p["gain"]["mean"] for p in b["portfolios"][1:]}
assert ga.keys() == gb.keys() and ga
for k in ga:
    assert abs(ga[k] + gb[k]) < 1e-9, (k, ga[k], gb[k])
PY

# The table for people: the budget, the method, the frontier.
"$refsim" plan "$morocco" --budget 200000 "${small[@]}" -o "$tmp/t" >"$tmp/table" 2>&1 && ok || bad "plan failed"
grep -qF "budget 200,000 MAD" "$tmp/table" && ok || bad "no budget in the table: $(cat "$tmp/table")"
grep -qF "(frontier)" "$tmp/table" && ok || bad "no frontier in the table"
grep -qF "over 3 replications" "$tmp/table" && ok || bad "no replication count in the table"

echo "plan_test: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
