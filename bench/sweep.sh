#!/usr/bin/env bash
# refsim sweep at scale: the speed-up on 2 threads, a 100-run sweep against the same 100 runs
# started one by one with `refsim run`, and the peak memory (GNU time's maximum resident set)
# against that of one run. Prints a Markdown table for bench/README.md.
# Usage: bench/sweep.sh [BUILD_DIR]   (default build/bench; built in Release without tests)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source bench/lib.sh
build=${1:-build/bench}
release_build "$build"
refsim=$build/bin/refsim
out=bench/out/sweep
rm -rf "$out"
mkdir -p "$out"
scenario=scenarios/baseline-nrm.toml
fixed=(--set run.horizon=${HORIZON:-730d} --set run.warmup=30d)
# The indicators kept (default: four key ones; INDICATORS=all keeps every one, about 1,360 a run,
# and then writing sweep.json and sweep.csv costs more than the simulation of such short runs).
sel=()
if [[ ${INDICATORS:-key} != all ]]; then
  sel=(--indicator overall.time_to_identified_days_mean --indicator deadlines.rg_decision_5wd.compliance
       --indicator agencies.competent_authority.mean_wait_days --indicator agencies.shelter.utilization)
fi
# 100 runs of 1 replication each: competent-authority caseworkers 3..7 × shelter beds 20..115:5.
grid=(--vary agency.competent_authority.servers=3..7:1 --vary agency.shelter.beds=20..115:5)
peak() { sed -n 's/.*Maximum resident set size (kbytes): //p' "$1"; }
secs() { python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['wall_seconds'])" "$1"; }
timed() { local log=$1; shift; /usr/bin/time -v "$@" 2>"$log" >/dev/null; }

start=$(date +%s.%N)
timed "$out/j1.time" env -u SLURM_ARRAY_TASK_ID "$refsim" sweep "$scenario" "${grid[@]}" "${fixed[@]}" "${sel[@]}" -r 1 -j 1 -q -o "$out/j1"
t1=$(python3 -c "print($(date +%s.%N) - $start)")
start=$(date +%s.%N)
timed "$out/j2.time" env -u SLURM_ARRAY_TASK_ID "$refsim" sweep "$scenario" "${grid[@]}" "${fixed[@]}" "${sel[@]}" -r 1 -j 2 -q -o "$out/j2"
t2=$(python3 -c "print($(date +%s.%N) - $start)")
diff -r -x run.json "$out/j1" "$out/j2" >/dev/null || { echo "-j 1 and -j 2 differ" >&2; exit 1; }

# The same 100 runs, one `refsim run` each (one thread each, as the sweep's -j 1; no time series).
start=$(date +%s.%N)
for c in 3 4 5 6 7; do
  for b in $(seq 20 5 115); do
    "$refsim" run "$scenario" "${fixed[@]}" --set agency.competent_authority.servers=$c --set agency.shelter.beds=$b \
      -r 1 -j 1 -q --sample 0 -o "$out/one/$c-$b"
  done
done
tone=$(python3 -c "print($(date +%s.%N) - $start)")
timed "$out/single.time" "$refsim" run "$scenario" "${fixed[@]}" -r 1 -j 1 -q --sample 0 -o "$out/single"

m1=$(peak "$out/j1.time") m2=$(peak "$out/j2.time") ms=$(peak "$out/single.time")
echo "indicators: ${INDICATORS:-key}; horizon ${HORIZON:-730d}; load average $(cut -d" " -f1 /proc/loadavg)"
echo "machine: $(uname -m), $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
echo
echo "| measure | value |"
echo "|---|---|"
printf '| 100-run sweep, -j 1 | %.2f s |\n' "$t1"
printf '| 100-run sweep, -j 2 | %.2f s (speed-up %.2f×) |\n' "$t2" "$(python3 -c "print($t1 / $t2)")"
printf '| the same 100 runs, one `refsim run` each (-j 1) | %.2f s (sweep -j 1 / these: %.2f×) |\n' "$tone" "$(python3 -c "print($t1 / $tone)")"
printf '| peak memory: one `refsim run` / sweep -j 1 / sweep -j 2 | %.1f / %.1f / %.1f MiB |\n' \
  "$(python3 -c "print($ms / 1024)")" "$(python3 -c "print($m1 / 1024)")" "$(python3 -c "print($m2 / 1024)")"
