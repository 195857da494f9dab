#!/usr/bin/env bash
# End-to-end checks of the refsim command as a user meets it.
# Usage: cli_test.sh REFSIM_BINARY SOURCE_DIR
set -u
refsim=$1
src=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
passed=0
failed=0
ok() { passed=$((passed + 1)); }
bad() { echo "FAIL: $*" >&2; failed=$((failed + 1)); }

# Bad input: exit code 2, one located line on stderr, and no output directory.
for f in "$src"/tests/data/bad/*.toml "$tmp/does-not-exist.toml"; do
  name=$(basename "$f" .toml)
  "$refsim" run "$f" --out "$tmp/out-$name" >"$tmp/stdout" 2>"$tmp/stderr"
  code=$?
  [ "$code" -eq 2 ] || bad "$name: exit code $code, expected 2"
  [ "$(wc -l <"$tmp/stderr")" -eq 1 ] || bad "$name: expected exactly one line on stderr, got: $(cat "$tmp/stderr")"
  grep -q "^$f" "$tmp/stderr" || bad "$name: message does not start with the file name: $(cat "$tmp/stderr")"
  if [ -f "$f" ]; then
    grep -qE "^$f:[0-9]+:[0-9]+: " "$tmp/stderr" || bad "$name: message has no line:column: $(cat "$tmp/stderr")"
  fi
  [ ! -e "$tmp/out-$name" ] || bad "$name: output directory was created"
  [ -s "$tmp/stdout" ] && bad "$name: printed to stdout"
  ok
done

# Two rules on one from/to pair whose conditions can both hold: refused at the second one's
# `when`, naming the first and a case for which both hold (`check` as well as `run`).
f="$src/tests/data/bad/overlapping_rules.toml"
"$refsim" check "$f" >/dev/null 2>"$tmp/stderr"
[ $? -eq 2 ] && ok || bad "overlapping_rules: check should exit with 2"
grep -qx "$f:34:8: referral screening -> shelter #2: its condition and that of the rule at $f:25:1 both hold for cases with child, nationality == \"CI\", foreign, entered_in == \"GH\"; rules on one from/to pair must have conditions that never hold together" "$tmp/stderr" \
  && ok || bad "overlapping_rules: unexpected message: $(cat "$tmp/stderr")"

# Several rules on one pair: each has its own key in the outputs, and a change can name one.
"$refsim" run "$src/tests/data/children_and_adults.toml" --out "$tmp/pair" -q && ok || bad "children_and_adults run failed"
grep -q '"screening->shelter#2"' "$tmp/pair/summary.json" && grep -q '"screening->shelter"' "$tmp/pair/summary.json" \
  && ok || bad "summary.json does not name both rules on the pair"
"$refsim" check "$src/tests/data/children_and_adults.toml" | grep -q "referral screening->shelter#2: probability 0.4 → 0.5" \
  && ok || bad "check does not list the change to the second rule"

# Usage errors exit with 2 too.
"$refsim" run >/dev/null 2>&1
[ $? -eq 2 ] && ok || bad "missing scenario argument: expected exit 2"
"$refsim" run "$src/scenarios/baseline-nrm.toml" --replications 0 >/dev/null 2>&1
[ $? -eq 2 ] && ok || bad "--replications 0: expected exit 2"
"$refsim" --help | grep -q "run" && ok || bad "--help does not list the run command"
for w in soon -5d 1715d; do  # 1715d = baseline-nrm's horizon: the warm-up must be shorter
  "$refsim" run "$src/scenarios/baseline-nrm.toml" --out "$tmp/w-bad" --warmup "$w" >/dev/null 2>"$tmp/stderr"
  [ $? -eq 2 ] && ok || bad "--warmup $w: expected exit 2"
  grep -q "^refsim: error: --warmup" "$tmp/stderr" && ok || bad "--warmup $w: message: $(cat "$tmp/stderr")"
  [ ! -e "$tmp/w-bad" ] && ok || bad "--warmup $w: output directory was created"
done

# --warmup auto: MSER-5 chooses it, says so, and summary.json records the rule and the value.
"$refsim" run "$src/scenarios/sri-lanka.toml" --out "$tmp/w-auto" --replications 3 --warmup auto >/dev/null 2>"$tmp/stderr" ||
  bad "--warmup auto failed: $(cat "$tmp/stderr")"
grep -q "^warm-up: .* (MSER-5 on the persons in the mechanism" "$tmp/stderr" && ok || bad "--warmup auto: $(cat "$tmp/stderr")"
python3 - "$tmp/w-auto/summary.json" <<'PY' && ok || bad "--warmup auto: summary.json"
import json, sys
j = json.load(open(sys.argv[1]))
assert j["warmup_rule"].startswith("MSER-5"), j.get("warmup_rule")
assert 0 < j["warmup_days"] < j["horizon_days"] / 2, j["warmup_days"]
assert "warnings" not in j
PY
# A warm-up shorter than the slowest stage: a warning on stderr and in summary.json.
"$refsim" run "$src/scenarios/sri-lanka.toml" --out "$tmp/w-short" --replications 2 --warmup 10d >/dev/null 2>"$tmp/stderr"
grep -q "^refsim: warning: the warm-up (10d) is shorter than" "$tmp/stderr" && ok || bad "short warm-up: $(cat "$tmp/stderr")"
python3 -c "import json,sys; w=json.load(open(sys.argv[1]))['warnings']; assert len(w)==1 and 'warm-up' in w[0]" \
  "$tmp/w-short/summary.json" && ok || bad "short warm-up: summary.json has no warning"

# A good run writes every output, and 1 vs 2 threads give byte-identical results.
"$refsim" run "$src/scenarios/baseline-nrm.toml" --out "$tmp/t1" --threads 1 --replications 4 >"$tmp/run1.txt" || bad "run failed"
"$refsim" run "$src/scenarios/baseline-nrm.toml" --out "$tmp/t2" --threads 2 --replications 4 -q >"$tmp/run2.txt" || bad "run failed"
for file in summary.json agencies.csv cases.csv run.json; do
  [ -s "$tmp/t1/$file" ] && ok || bad "missing $file"
done
for file in summary.json agencies.csv cases.csv; do
  cmp -s "$tmp/t1/$file" "$tmp/t2/$file" && ok || bad "$file differs between 1 and 2 threads"
done
grep -q "competent_authority" "$tmp/run1.txt" && ok || bad "the table does not list agencies"
[ -s "$tmp/run2.txt" ] && bad "--quiet printed something" || ok
ls -a "$tmp/t1" | grep -q '\.tmp\.' && bad "temporary files left behind" || ok
python3 -c "import json,sys; d=json.load(open('$tmp/t1/summary.json')); assert d['replications']==4; assert 'competent_authority' in d['agencies']" 2>/dev/null \
  && ok || { command -v python3 >/dev/null && bad "summary.json is not the expected JSON" || ok; }

# New outputs: cohorts.csv, deadline_cohorts.csv and timeseries.csv always (every 7 days by default),
# identical across threads.
for file in cohorts.csv deadline_cohorts.csv timeseries.csv; do
  [ -s "$tmp/t1/$file" ] && ok || bad "missing $file"
  cmp -s "$tmp/t1/$file" "$tmp/t2/$file" && ok || bad "$file differs between 1 and 2 threads"
done
head -1 "$tmp/t1/timeseries.csv" | grep -qx "replication,time_days,agency,queue,in_service,held,grounds_backlog,capacity" \
  && ok || bad "timeseries.csv header"
grep -q '"overall"' "$tmp/t1/summary.json" && grep -q '"cohorts"' "$tmp/t1/summary.json" && ok \
  || bad "summary.json lacks cohorts/overall"
grep -q "^  overall" "$tmp/run1.txt" && ok || bad "the table does not show the overall cohort"
# Every figure with the observations behind it; the tidy CSVs with observations and note columns.
head -1 "$tmp/t1/agencies.csv" | grep -qx "replication,agency,metric,value,observations,note" && ok \
  || bad "agencies.csv header"
awk -F, 'NF != 6 { exit 1 }' "$tmp/t1/cohorts.csv" && ok || bad "cohorts.csv rows do not all have 6 columns"
python3 -c "import json; d=json.load(open('$tmp/t1/summary.json')); u=d['agencies']['competent_authority']['utilization']; assert 0 <= u['ci95'][0] <= u['mean'] <= u['ci95'][1] <= 1 and u['n'] > 0 and u['replications'] == 4 and u['few_observations'] is False" 2>/dev/null \
  && ok || { command -v python3 >/dev/null && bad "summary.json figures lack n, replications or few_observations" || ok; }
[ ! -e "$tmp/t1/cases_milestones.csv" ] && ok || bad "cases_milestones.csv written without --milestones"

# --milestones and --xes write their files; --sample 0 drops the time series.
"$refsim" run "$src/scenarios/baseline-nrm.toml" --out "$tmp/m" --replications 2 --milestones --xes "$tmp/m/log.xes" \
  --sample 30d -q
[ $? -eq 0 ] && ok || bad "--milestones --xes run failed"
[ -s "$tmp/m/cases_milestones.csv" ] && ok || bad "missing cases_milestones.csv"
head -1 "$tmp/m/cases_milestones.csv" | grep -q "^serial,previous,cohort," && ok || bad "cases_milestones.csv header"
[ -s "$tmp/m/log.xes" ] && tail -1 "$tmp/m/log.xes" | grep -qx "</log>" && ok || bad "log.xes missing or not closed"
ls -a "$tmp/m" | grep -q '\.tmp\.' && bad "temporary files left behind (--xes)" || ok
"$refsim" run "$src/scenarios/baseline-nrm.toml" --out "$tmp/m" --replications 2 --sample 0 -q
[ $? -eq 0 ] && ok || bad "--sample 0 run failed"
[ ! -e "$tmp/m/timeseries.csv" ] && ok || bad "--sample 0 left a timeseries.csv"
[ ! -e "$tmp/m/cases_milestones.csv" ] && ok || bad "a stale cases_milestones.csv was left"

# Bad --sample values and an XES path that cannot be written.
"$refsim" run "$src/scenarios/baseline-nrm.toml" --out "$tmp/bad-sample" --sample 7 2>"$tmp/stderr" >/dev/null
[ $? -eq 2 ] && ok || bad "--sample 7 (no unit): expected exit 2"
grep -q -- "--sample" "$tmp/stderr" && ok || bad "--sample error does not name the option"
[ ! -e "$tmp/bad-sample" ] && ok || bad "--sample error created the output directory"
"$refsim" run "$src/scenarios/baseline-nrm.toml" --out "$tmp/bad-sample" --sample 1s >/dev/null 2>&1
[ $? -eq 2 ] && ok || bad "--sample 1s (too many rows): expected exit 2"
"$refsim" run "$src/scenarios/baseline-nrm.toml" --out "$tmp/x/y" --replications 1 --xes "$tmp/no/such/dir/log.xes" \
  >/dev/null 2>"$tmp/stderr"
[ $? -eq 1 ] && ok || bad "--xes into a missing directory: expected exit 1"
grep -qx "refsim: error: $tmp/no/such/dir/log.xes: cannot create file: No such file or directory" "$tmp/stderr" && ok \
  || bad "--xes error does not name the path given: $(cat "$tmp/stderr")"
[ ! -e "$tmp/x" ] && ok || bad "a failed run left the output directories it created"
mkdir -p "$tmp/a-dir"
"$refsim" run "$src/scenarios/baseline-nrm.toml" --out "$tmp/x/y" --replications 1 --xes "$tmp/a-dir" \
  >/dev/null 2>"$tmp/stderr"
[ $? -eq 2 ] && ok || bad "--xes naming a directory: expected exit 2"
grep -qx "refsim: error: --xes $tmp/a-dir: is a directory; expected the name of the log file to write" "$tmp/stderr" \
  && ok || bad "--xes naming a directory: $(cat "$tmp/stderr")"
[ ! -e "$tmp/x" ] && ok || bad "--xes naming a directory left an output directory (the CSVs were written first)"
"$refsim" graph "$src/scenarios/baseline-nrm.toml" -o "$tmp/no/such/dir/g.dot" 2>"$tmp/stderr"
[ $? -eq 1 ] && grep -q "^refsim: error: $tmp/no/such/dir/g.dot: cannot create file" "$tmp/stderr" && ok \
  || bad "graph -o into a missing directory: $(cat "$tmp/stderr")"

# --seed takes 0 to 2^64 - 1 exactly: no wrapping of negative numbers, no saturation.
for seed in -1 18446744073709551616 5x; do
  "$refsim" run "$src/scenarios/eswatini.toml" --out "$tmp/seed" --seed "$seed" -q 2>"$tmp/stderr"
  [ $? -eq 2 ] && grep -qx "refsim: error: --seed must be an integer from 0 to 18446744073709551615, got '$seed'" \
    "$tmp/stderr" && [ ! -e "$tmp/seed" ] && ok || bad "--seed $seed: $(cat "$tmp/stderr")"
done
"$refsim" run "$src/scenarios/eswatini.toml" --out "$tmp/seed" --seed 18446744073709551615 -q \
  && grep -q '"seed": 18446744073709551615,' "$tmp/seed/summary.json" && ok || bad "--seed 2^64 - 1 not taken as given"

# check and graph.
"$refsim" check "$src/scenarios/baseline-nrm.toml" | grep -q ": loaded" && ok || bad "check did not say loaded"
"$refsim" graph "$src/scenarios/baseline-nrm.toml" | grep -q "digraph" && ok || bad "graph did not print DOT"

# A scenario that changes itself ([[change]]): the table, the time series and check show it.
"$refsim" run "$src/tests/data/staff_cut.toml" --out "$tmp/cut" >"$tmp/cut.txt" 2>&1 && ok || bad "staff_cut did not run"
grep -qE "^competent_authority +4→2→4 " "$tmp/cut.txt" && ok || bad "the table's servers column does not show 4→2→4"
grep -q "^  at 180d     competent_authority: servers 4 → 2  (two caseworkers on leave)$" "$tmp/cut.txt" && ok \
  || bad "the table does not list the change at 180d"
awk -F, '$3 == "competent_authority" && $2 == 182 { c182 = $8 } $3 == "competent_authority" && $2 == 273 { c273 = $8 }
         END { exit !(c182 == 2 && c273 == 4) }' "$tmp/cut/timeseries.csv" && ok \
  || bad "timeseries.csv capacity does not follow the changes"
# The cut shows in the queue: mean queue over the samples of days 189-266 above that of days 7-175.
awk -F, '$3 == "competent_authority" && $2 >= 7 && $2 <= 175 { b += $4; nb++ }
         $3 == "competent_authority" && $2 >= 189 && $2 <= 266 { d += $4; nd++ }
         END { exit !(d / nd > 2 * b / nb + 1) }' "$tmp/cut/timeseries.csv" && ok \
  || bad "the staff cut does not show in the queue"
grep -q '"change": "competent_authority: servers 4 → 2"' "$tmp/cut/summary.json" && ok || bad "summary.json lacks the changes"
"$refsim" check "$src/tests/data/staff_cut.toml" | grep -q "^  at 270d     competent_authority: servers 2 → 4$" && ok \
  || bad "check does not list the scheduled changes"

# refsim compare: two variants under common random numbers; outputs whole, deterministic, parseable.
base="$src/scenarios/eswatini.toml"
sed -E '0,/^servers = [0-9]+/s//servers = 9/' "$base" >"$tmp/eswatini-more.toml"
"$refsim" compare "$base" "$tmp/eswatini-more.toml" -r 4 --out "$tmp/cmp" -j 1 >"$tmp/cmp.txt" 2>"$tmp/stderr" \
  && ok || bad "compare failed: $(cat "$tmp/stderr")"
python3 - "$tmp/cmp/compare.json" <<'PY' && ok || bad "compare.json lacks what the issue asks for"
import json, sys
j = json.load(open(sys.argv[1]))
assert j["baseline"] == "eswatini" and j["variants"] == ["eswatini", "eswatini-more"], j["variants"]
assert j["replications"] == 4 and j["common_random_numbers"] is True
ind = j["indicators"]["overall.time_to_identified_days_mean"]
assert {"mean", "ci95"} <= set(ind["values"]["eswatini"]), ind
d = ind["difference"]["eswatini-more"]
assert {"mean", "ci95", "relative", "significant"} <= set(d), d
lo, hi = d["ci95"]
assert lo <= d["mean"] <= hi
PY
head -1 "$tmp/cmp/compare.csv" | grep -qx "variant,replication,indicator,value,observations" && ok || bad "compare.csv header"
grep -q "^Time to identification (mean) " "$tmp/cmp.txt" && ok || bad "compare table lacks time to identification"
"$refsim" compare "$base" "$tmp/eswatini-more.toml" -r 4 --out "$tmp/cmp2" -j 2 -q && cmp -s "$tmp/cmp/compare.json" \
  "$tmp/cmp2/compare.json" && cmp -s "$tmp/cmp/compare.csv" "$tmp/cmp2/compare.csv" && ok \
  || bad "compare results depend on the thread count"
# --precision: stops when the paired interval is narrow enough and says so.
"$refsim" compare "$base" "$tmp/eswatini-more.toml" --precision overall.time_to_identified_days_mean=5d \
  --out "$tmp/cmp3" -q && python3 -c "
import json, sys; j = json.load(open('$tmp/cmp3/compare.json'))
assert j['stopping']['rule'] == 'precision' and j['stopping']['reached'] is True
d = j['indicators']['overall.time_to_identified_days_mean']['difference']['eswatini-more']['ci95']
assert (d[1] - d[0]) / 2 <= 5, d" && ok || bad "--precision did not stop at the target"
# Mistakes: exit 2, a clear message, no output directory.
for args in "--precision nonsense" "--precision overall.time_to_identified_days_mean=-1" \
            "--indicator agencies.nowhere.mean_wait_days" "--precision overall.time_to_identified_days_mean=5 -r 3" \
            "--baseline other.toml" "--goal min"; do
  # shellcheck disable=SC2086
  "$refsim" compare "$base" "$tmp/eswatini-more.toml" $args --out "$tmp/cmp-bad" >/dev/null 2>"$tmp/stderr"
  [ $? -eq 2 ] && grep -q "^refsim: error: " "$tmp/stderr" && [ ! -e "$tmp/cmp-bad" ] && ok \
    || bad "compare $args: expected exit 2 and a message: $(cat "$tmp/stderr")"
done
grep -q "known under 'agencies.'" <("$refsim" compare "$base" "$base" --indicator agencies.nowhere.x -q 2>&1) && ok \
  || bad "an unknown indicator does not list the known ones"
"$refsim" compare "$base" "$tmp/does-not-exist.toml" --out "$tmp/cmp-bad" >/dev/null 2>"$tmp/stderr"
[ $? -eq 2 ] && [ ! -e "$tmp/cmp-bad" ] && ok || bad "compare with a missing file: $(cat "$tmp/stderr")"

# The progress bar: on a terminal (script(1) gives the run one) a run that takes more than a couple
# of seconds shows it, with the time left; without a terminal, or with --quiet, nothing.
if command -v script >/dev/null; then
  script -qec "$refsim run $src/scenarios/uk-nrm.toml -r 40 -j 1 --sample 0 --out $tmp/bar" /dev/null >"$tmp/bar.txt" 2>&1
  grep -aq "replications  .* left" "$tmp/bar.txt" && grep -aq "40/40 replications" "$tmp/bar.txt" && ok \
    || bad "no progress bar with the time left on a terminal: $(tr '\r' '\n' <"$tmp/bar.txt" | grep -a '\[' | head -3)"
fi
"$refsim" run "$src/scenarios/uk-nrm.toml" -r 12 -j 1 --sample 0 --out "$tmp/nobar" >/dev/null 2>"$tmp/nobar.err"
grep -aq '\[#*\.*\]' "$tmp/nobar.err" && bad "a progress bar without a terminal" || ok

echo "cli: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
