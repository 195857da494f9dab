#!/usr/bin/env bash
# The SimPy yardstick of issue 2 ("a scenario of this size takes SimPy about 30 s on this kind of
# machine; refsim should take well under 0.3 s"), measured on this machine.
# Usage: [BUILD=dir] bench/simpy.sh [HORIZON] [REPEATS]   (defaults: 10y, 3)
#
# Runs the benchmark scenario (bench/scenarios/queueing-40.toml over HORIZON) REPEATS times with
# SimPy 2.3.1 (Debian 12's python3-simpy; bench/simpy_model.py models the same queueing core) and
# 5 × REPEATS times with refsim on one thread, interleaved, and prints the best wall time of each
# and their ratio. The two use different random numbers, so their results agree in distribution,
# not digit for digit: SimPy's last run is then compared with ten refsim replications (mean, sd
# between replications, and z, which should mostly lie within ±2).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
horizon=${1:-10y}
repeats=${2:-3}
source bench/lib.sh

scripts/install-deps.sh --no-viz python3-simpy
build=${BUILD:-build/release}
release_build "$build"
refsim=$build/bin/refsim

out=bench/out
mkdir -p "$out"
scenario="$out/queueing-40-$horizon.toml"
sed -E "s/^horizon = .*/horizon = \"$horizon\"/" bench/scenarios/queueing-40.toml >"$scenario"

min() { awk -v a="$1" -v b="$2" 'BEGIN { print (a == "" || b < a) ? b : a }'; }

best_simpy= best_refsim=
for _ in $(seq "$repeats"); do
  /usr/bin/python3 bench/simpy_model.py "$scenario" >"$out/simpy-$horizon.json.tmp"
  mv "$out/simpy-$horizon.json.tmp" "$out/simpy-$horizon.json"
  best_simpy=$(min "$best_simpy" "$(field "$out/simpy-$horizon.json" wall_seconds)")
  for _ in 1 2 3 4 5; do
    "$refsim" run "$scenario" --threads 1 --quiet --out "$out/queueing-40-$horizon"
    best_refsim=$(min "$best_refsim" "$(field "$out/queueing-40-$horizon/run.json" wall_seconds)")
  done
done

# refsim's spread between replications, for comparing SimPy's single run with it.
"$refsim" run "$scenario" --replications 10 --quiet --out "$out/queueing-40-$horizon-r10"

/usr/bin/python3 - "$out/simpy-$horizon.json" "$out/queueing-40-$horizon-r10/summary.json" "$best_simpy" "$best_refsim" <<'PY'
import json, math, sys
simpy, refsim = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
t_simpy, t_refsim = float(sys.argv[3]), float(sys.argv[4])
n, t975 = refsim["replications"], 2.2622  # Student t, 9 degrees of freedom
print(f"{'':44} {'SimPy':>10} {'refsim':>10}")
print(f"{'best wall time, one run (s)':44} {t_simpy:10.3f} {t_refsim:10.3f}   SimPy / refsim = {t_simpy / t_refsim:.0f}")
print(f"{'events (SimPy: event notices)':44} {simpy['event_notices'] / 1e6:9.2f}M {refsim['events_processed'] / n / 1e6:9.2f}M")
print(f"\nSimPy's run against refsim's {n} replications: z = (SimPy - mean) / (sd * sqrt(1 + 1/{n}))")
print(f"{'':44} {'SimPy':>10} {'mean':>10} {'sd':>10} {'z':>6}")
def row(name, value, metric):
    lo, hi = metric["ci95"]
    sd = (hi - lo) / 2 * math.sqrt(n) / t975
    z = (value - metric["mean"]) / (sd * math.sqrt(1 + 1 / n)) if sd > 0 else float("nan")
    print(f"{name:44} {value:10.4g} {metric['mean']:10.4g} {sd:10.2g} {z:6.2f}")
for key in ("entered", "exited", "mean_time_in_system_days"):
    row("cases." + key, simpy["cases"][key], refsim["cases"][key])
for agency in list(simpy["agencies"])[:5]:
    for key in ("mean_wait_days", "mean_time_in_agency_days"):
        row(agency + "." + key, simpy["agencies"][agency][key], refsim["agencies"][agency][key])
PY
echo "SimPy: $(/usr/bin/python3 -c 'import sys; print(sys.version.split()[0])') with python3-simpy $(dpkg-query -W -f='${Version}' python3-simpy); refsim: $build; machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
