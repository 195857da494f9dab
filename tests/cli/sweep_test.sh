#!/usr/bin/env bash
# refsim sweep and refsim merge as a user meets them: exit codes and messages for bad input, the
# shards of a sweep merged byte for byte into what one process writes (every file but run.json),
# whatever the thread count, --resume, and merge naming missing and duplicate runs.
# Usage: sweep_test.sh REFSIM SOURCE_DIR
set -u
refsim=$1
src=$(cd "$2" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
passed=0
failed=0
ok() { passed=$((passed + 1)); }
bad() { echo "FAIL: $*" >&2; failed=$((failed + 1)); }
scenario=$src/scenarios/baseline-nrm.toml
small=(--set run.horizon=120d --set run.warmup=20d -r 2 --indicator overall.time_to_identified_days_mean
       --indicator deadlines.rg_decision_5wd.compliance)
grid=(--vary agency.competent_authority.servers=3..5:1 --vary agency.screening.servers=6,8)

# expect CODE MESSAGE ARGS…: exits with CODE and says MESSAGE (a fixed string) on stderr.
expect() {
  local code=$1 msg=$2
  shift 2
  env -u SLURM_ARRAY_TASK_ID "$refsim" "$@" >"$tmp/out" 2>"$tmp/err"
  local got=$?
  [ "$got" -eq "$code" ] && ok || bad "$* : exit $got, expected $code ($(cat "$tmp/err"))"
  grep -qF -- "$msg" "$tmp/err" && ok || bad "$* : no '$msg' in: $(cat "$tmp/err")"
}
expect 2 "--shard 4/4: expected I/N" sweep "$scenario" "${grid[@]}" --shard 4/4 -o "$tmp/x"
expect 2 "--shard -1/4: expected I/N" sweep "$scenario" "${grid[@]}" --shard -1/4 -o "$tmp/x"
expect 2 "--shard 1: expected I/N" sweep "$scenario" "${grid[@]}" --shard 1 -o "$tmp/x"
expect 2 "unknown agency 'scrneing'" sweep "$scenario" --vary agency.scrneing.servers=1,2 -o "$tmp/x"
expect 2 "run 1 (" sweep "$scenario" --vary agency.screening.servers=1,0 -o "$tmp/x"
expect 2 "has no step" sweep "$scenario" --vary agency.screening.servers=1..4 -o "$tmp/x"
expect 2 "varies in lockstep" sweep "$scenario" --vary agency.screening.servers=1,2 --with agency.shelter.beds=1,2,3 -o "$tmp/x"
expect 2 "--with agency.shelter.beds=1: must follow a --vary" sweep "$scenario" --with agency.shelter.beds=1 -o "$tmp/x"
expect 2 "'bedz' is not a swept parameter" sweep "$scenario" --vary agency.shelter.beds=1,2 --where "bedz > 1" -o "$tmp/x"
expect 2 "unknown indicator 'overall.nope'" sweep "$scenario" --vary agency.shelter.beds=1,2 --indicator overall.nope -o "$tmp/x"
expect 2 "nothing to sweep" sweep "$scenario" -o "$tmp/x"
[ ! -e "$tmp/x" ] && ok || bad "a refused sweep left its output directory"
SLURM_ARRAY_TASK_ID=5 SLURM_ARRAY_TASK_COUNT=4 "$refsim" sweep "$scenario" "${grid[@]}" -o "$tmp/x" 2>"$tmp/err"
[ $? -eq 2 ] && grep -qF "SLURM_ARRAY_TASK_ID=5: not a task" "$tmp/err" && ok || bad "a bad Slurm task: $(cat "$tmp/err")"

# A sweep file, with a constraint and a lockstep pair: located errors, and the right runs.
cat >"$tmp/s.toml" <<TOML
[sweep]
scenario = "$scenario"
replications = 2
set = ["run.horizon=120d", "run.warmup=20d"]
indicators = ["overall.time_to_identified_days_mean"]
where = "competent_authority.servers + screening.servers <= 12"

[[vary]]
"agency.competent_authority.servers" = "3..5:1"

[[vary]]
"agency.screening.servers" = [6, 8]
"agency.shelter.beds" = [30, 40]
TOML
env -u SLURM_ARRAY_TASK_ID "$refsim" sweep "$tmp/s.toml" -q -o "$tmp/file" && ok || bad "the sweep file did not run"
[ "$(tail -n +2 "$tmp/file/sweep.csv" | wc -l)" -eq 5 ] && ok || bad "sweep file: expected 5 rows: $(cat "$tmp/file/sweep.csv")"
grep -q '"dropped": 1' "$tmp/file/sweep.json" && ok || bad "sweep file: one combination dropped"
printf '[sweep]\nscenario = "%s"\nreplicatons = 2\n' "$scenario" >"$tmp/bad.toml"
expect 2 "bad.toml:3:1: unknown key 'replicatons' in [sweep]" sweep "$tmp/bad.toml"

# One process, two thread counts: the same bytes.
env -u SLURM_ARRAY_TASK_ID "$refsim" sweep "$scenario" "${grid[@]}" "${small[@]}" -q -j 1 -o "$tmp/one" && ok || bad "sweep -j 1"
env -u SLURM_ARRAY_TASK_ID "$refsim" sweep "$scenario" "${grid[@]}" "${small[@]}" -q -j 2 -o "$tmp/two" && ok || bad "sweep -j 2"
same() { diff -r -x run.json "$1" "$2" >/dev/null && ok || bad "$1 and $2 differ: $(diff -r -q -x run.json "$1" "$2")"; }
same "$tmp/one" "$tmp/two"
for f in plan.json sweep.json sweep.csv report.html; do [ -s "$tmp/one/$f" ] && ok || bad "no $f"; done
[ "$(ls "$tmp/one/runs" | wc -l)" -eq 6 ] && ok || bad "expected 6 run files"

# Three shards (one through Slurm's variables), merged: the same bytes; a shard alone writes no results.
"$refsim" sweep "$scenario" "${grid[@]}" "${small[@]}" -q --shard 0/3 -o "$tmp/s0" && ok || bad "shard 0/3"
SLURM_ARRAY_TASK_ID=11 SLURM_ARRAY_TASK_MIN=10 SLURM_ARRAY_TASK_MAX=12 \
  "$refsim" sweep "$scenario" "${grid[@]}" "${small[@]}" -q -o "$tmp/s1" && ok || bad "shard 1/3 from Slurm"
[ "$(ls "$tmp/s1/runs")" = "$(cd "$tmp/one/runs" && ls | sed -n '2p;5p')" ] || true
[ ! -e "$tmp/s0/sweep.csv" ] && ok || bad "a shard wrote sweep.csv"
expect 1 "2 of 6 runs are missing" merge "$tmp/s0" "$tmp/s1" -o "$tmp/m"
[ ! -e "$tmp/m" ] && ok || bad "an incomplete merge wrote its directory"
"$refsim" sweep "$scenario" "${grid[@]}" "${small[@]}" -q --shard 2/3 -o "$tmp/s2" && ok || bad "shard 2/3"
"$refsim" merge "$tmp/s0" "$tmp/s1" "$tmp/s2" -o "$tmp/m" -q && ok || bad "merge"
same "$tmp/one" "$tmp/m"
# Idempotent: merging again, and with the merged directory among the inputs, changes nothing;
# a run in two shards' directories is named as a duplicate.
cp "$tmp/s0/runs/"* "$tmp/s1/runs/"
"$refsim" merge "$tmp/s0" "$tmp/s1" "$tmp/s2" "$tmp/m" -o "$tmp/m" >"$tmp/out" 2>"$tmp/err" && ok || bad "merge again"
grep -q "refsim: duplicate: run 0 (" "$tmp/err" && ok || bad "no duplicate named: $(cat "$tmp/err")"
same "$tmp/one" "$tmp/m"
# Another sweep is refused.
env -u SLURM_ARRAY_TASK_ID "$refsim" sweep "$scenario" "${grid[@]}" "${small[@]}" --seed 5 -q --shard 0/3 -o "$tmp/other"
expect 2 "holds another sweep" merge "$tmp/s0" "$tmp/other" -o "$tmp/m2"

# --resume: a removed run is made again, the others are skipped; the same bytes.
rm "$tmp/two/runs/$(ls "$tmp/two/runs" | head -1)" "$tmp/two/sweep.csv"
env -u SLURM_ARRAY_TASK_ID "$refsim" sweep "$scenario" "${grid[@]}" "${small[@]}" --resume -o "$tmp/two" >"$tmp/out" 2>"$tmp/err" \
  && ok || bad "resume"
grep -q "5 written already" "$tmp/err" && ok || bad "resume: $(cat "$tmp/err")"
grep -q '"runs_run": 1' "$tmp/two/run.json" && ok || bad "resume ran more than one run"
same "$tmp/one" "$tmp/two"

echo "sweep_test: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
