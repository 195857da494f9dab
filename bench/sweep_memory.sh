#!/usr/bin/env bash
# Does a sweep's memory grow with its number of runs? Peak resident set (GNU time) of sweeps of
# scenarios/baseline-nrm.toml over 100, 300 and 1,000 values of the shelter's beds, one short
# replication a run (horizon 60 days, every indicator kept: about 1,360 a run, 34 of them key and
# drawn by report.html), and the growth per run between the smallest and the largest.
# Usage: bench/sweep_memory.sh [BUILD_DIR] [THREADS]   (default build/bench, 2 threads; the build is
# made in Release without tests when it is not there). RUNS="100 300 1000" sets the sizes.
# The 1,000-run sweep writes about 0.5 GB under bench/out/sweep_memory (removed size by size).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source bench/lib.sh
build=${1:-build/bench}
threads=${2:-2}
[[ -x "$build/bin/refsim" ]] || release_build "$build"
refsim=$build/bin/refsim
[[ -x /usr/bin/time ]] || { echo "bench/sweep_memory.sh: /usr/bin/time not found (Debian package time)" >&2; exit 1; }
out=bench/out/sweep_memory
mkdir -p "$out"
sizes=(${RUNS:-100 300 1000})

echo "binary: $refsim; threads: $threads; load average $(cut -d" " -f1 /proc/loadavg)"
echo "machine: $(uname -m), $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
echo
echo "| runs | wall | peak memory | report.html |"
echo "|---|---|---|---|"
declare -A kib
for n in "${sizes[@]}"; do
  rm -rf "$out/$n"
  /usr/bin/time -v -o "$out/$n.time" env -u SLURM_ARRAY_TASK_ID "$refsim" sweep scenarios/baseline-nrm.toml \
    --vary "agency.shelter.beds=20..$((20 + n - 1)):1" --set run.horizon=60d --set run.warmup=0d -r 1 \
    -j "$threads" -q -o "$out/$n"
  kib[$n]=$(sed -n 's/.*Maximum resident set size (kbytes): //p' "$out/$n.time")
  wall=$(sed -n 's/.*Elapsed (wall clock) time (h:mm:ss or m:ss): //p' "$out/$n.time")
  html=$(stat -c %s "$out/$n/report.html")
  printf '| %s | %s | %.1f MiB | %.1f MB |\n' "$n" "$wall" "$(python3 -c "print(${kib[$n]} / 1024)")" \
    "$(python3 -c "print($html / 1e6)")"
  [[ -n ${KEEP:-} ]] || rm -rf "$out/$n"
done
first=${sizes[0]} last=${sizes[-1]}
echo
printf 'growth: %.2f KiB a run (from %s to %s runs)\n' \
  "$(python3 -c "print((${kib[$last]} - ${kib[$first]}) / ($last - $first))")" "$first" "$last"
