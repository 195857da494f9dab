#!/usr/bin/env bash
# What comparisons cost and what common random numbers gain. Usage: [BUILD=dir] bench/compare.sh [REPEATS]
#
# 1. The pairing's cost: `refsim compare A B -r 8` against `refsim run A -r 8` plus `refsim run B -r 8`,
#    whole processes, on all cores; the best of REPEATS (default 3) wall times each.
# 2. Spreading over cores: the same comparison, and `refsim run sea-fisheries -r 8`, on 1 thread and
#    on all cores (the ratio of the best wall times).
# 3. The variance of the paired difference with separate streams per variant (--independent) over
#    that with common random numbers, for time to identification and for the busiest agency's wait
#    (the base's agency of highest utilization), on SOP variants of the library (scenarios/variants),
#    40 replications each: the factor by which CRN cuts the replications needed for one precision.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
repeats=${1:-3}
source bench/lib.sh
scripts/install-deps.sh
build=${BUILD:-build/release}
release_build "$build"
refsim=$build/bin/refsim
out=bench/out/compare
mkdir -p "$out"

# best_wall CMD…: the least wall time of `repeats` runs, in seconds.
best_wall() {
  local best="" t
  for _ in $(seq "$repeats"); do
    local start end
    start=$(date +%s.%N)
    "$@" >/dev/null
    end=$(date +%s.%N)
    t=$(awk -v a="$start" -v b="$end" 'BEGIN { print b - a }')
    best=$(awk -v a="$t" -v b="${best:-$t}" 'BEGIN { print (a < b ? a : b) }')
  done
  echo "$best"
}

a=scenarios/baseline-nrm.toml
b=scenarios/variants/two-more-rg-caseworkers.toml
[[ -f $b ]] || { echo "bench/compare.sh: $b is missing" >&2; exit 1; }
# The comparison of sea-fisheries (the benchmark's NRM scenario, 8 countries) with a variant of it:
# two more reasonable-grounds officers in Thailand.
a=scenarios/sea-fisheries.toml
b=$out/sea-fisheries-more-rg.toml
printf '[variant]\nbase = "%s"\nname = "Sea fisheries: two more RG officers in Thailand"\n[set]\n"agency.rg_th.servers" = 25\n' \
  "$PWD/$a" >"$b"
echo "1. the pairing's cost ($a against a variant, 8 replications each, all cores)"
run_a=$(best_wall "$refsim" run "$a" -r 8 -q --sample 0 -o "$out/run-a")
run_b=$(best_wall "$refsim" run "$b" -r 8 -q --sample 0 -o "$out/run-b")
cmp_ab=$(best_wall "$refsim" compare "$a" "$b" -r 8 -q --sample 0 -o "$out/cmp")
awk -v a="$run_a" -v b="$run_b" -v c="$cmp_ab" \
  'BEGIN { printf "   run A %.3f s + run B %.3f s = %.3f s; compare %.3f s: ratio %.3f\n", a, b, a + b, c, c / (a + b) }'
small_a=scenarios/baseline-nrm.toml
small_b=scenarios/variants/two-more-rg-caseworkers.toml
run_a=$(best_wall "$refsim" run "$small_a" -r 8 -q --sample 0 -o "$out/run-a")
run_b=$(best_wall "$refsim" run "$small_b" -r 8 -q --sample 0 -o "$out/run-b")
cmp_ab=$(best_wall "$refsim" compare "$small_a" "$small_b" -r 8 -q --sample 0 -o "$out/cmp")
awk -v a="$run_a" -v b="$run_b" -v c="$cmp_ab" \
  'BEGIN { printf "   small: baseline-nrm against two-more-rg-caseworkers: %.3f s + %.3f s = %.3f s; compare %.3f s: ratio %.3f\n", a, b, a + b, c, c / (a + b) }'

echo "2. spreading over cores (1 thread against $(nproc))"
one=$(best_wall "$refsim" compare "$a" "$b" -r 8 -q --sample 0 -j 1 -o "$out/cmp1")
all=$(best_wall "$refsim" compare "$a" "$b" -r 8 -q --sample 0 -o "$out/cmpn")
awk -v a="$one" -v b="$all" 'BEGIN { printf "   compare A B -r 8: %.3f s on 1 thread, %.3f s on all: %.2fx\n", a, b, a / b }'
one=$(best_wall "$refsim" run "$a" -r 8 -q --sample 0 -j 1 -o "$out/sea1")
all=$(best_wall "$refsim" run "$a" -r 8 -q --sample 0 -o "$out/sean")
awk -v a="$one" -v b="$all" 'BEGIN { printf "   run sea-fisheries -r 8: %.3f s on 1 thread, %.3f s on all: %.2fx\n", a, b, a / b }'
# What the cores themselves give: the same one-thread run pinned to each core in turn (taskset).
# With per-core times t_k, the best that k threads can do is 1 / Σ(1 / t_k) of the work.
if command -v taskset >/dev/null; then
  rates=0
  for c in $(seq 0 $(($(nproc) - 1))); do
    t=$(best_wall taskset -c "$c" "$refsim" run "$a" -r 8 -q --sample 0 -j 1 -o "$out/core$c")
    printf '   pinned to core %d: %.3f s\n' "$c" "$t"
    rates=$(awk -v r="$rates" -v t="$t" 'BEGIN { print r + 1 / t }')
  done
  awk -v r="$rates" -v one="$one" -v all="$all" 'BEGIN { printf "   ideal on all cores: %.3f s, a speed-up of at most %.2fx over the 1-thread run; reached %.0f %% of it\n", 1 / r, one * r, 100 * (1 / r) / all }'
fi

echo "3. variance of the paired difference, independent streams over common random numbers (40 replications)"
for variant in scenarios/variants/*.toml; do
  base=$(sed -nE 's/^base *= *"([^"]+)".*/\1/p' "$variant" | head -1)
  base="$(dirname "$variant")/$base"
  # The base's busiest agency: the highest utilization in a short run of it.
  "$refsim" run "$base" -r 2 -q --sample 0 -o "$out/busiest"
  busiest=$(python3 -c "
import json, sys
a = json.load(open('$out/busiest/summary.json'))['agencies']
print(max((v['utilization']['mean'] or 0, k) for k, v in a.items())[1])")
  for mode in crn independent; do
    flag=()
    [[ $mode == independent ]] && flag=(--independent)
    "$refsim" compare "$base" "$variant" -r 40 -q --sample 0 "${flag[@]}" -o "$out/var-$mode" \
      --indicator overall.time_to_identified_days_mean --indicator "agencies.$busiest.mean_wait_days"
  done
  python3 - "$out" "$(basename "$variant" .toml)" "$busiest" <<'PY'
import csv, statistics, sys
out, name, busiest = sys.argv[1:]
def variance(mode, indicator):
    v = {}
    for row in csv.DictReader(open(f"{out}/var-{mode}/compare.csv")):
        if row["indicator"] == indicator and row["value"]:
            v.setdefault(row["variant"], {})[int(row["replication"])] = float(row["value"])
    keys = list(v)
    d = [v[keys[1]][r] - v[keys[0]][r] for r in v[keys[0]] if r in v[keys[1]]]
    return statistics.variance(d), len(d)
def pairs(mode, indicator):
    v = {}
    for row in csv.DictReader(open(f"{out}/var-{mode}/compare.csv")):
        if row["indicator"] == indicator and row["value"]:
            v.setdefault(row["variant"], {})[int(row["replication"])] = float(row["value"])
    keys = list(v)
    rs = [r for r in v[keys[0]] if r in v[keys[1]]]
    return [v[keys[0]][r] for r in rs], [v[keys[1]][r] for r in rs]
for indicator in ("overall.time_to_identified_days_mean", f"agencies.{busiest}.mean_wait_days"):
    a, b = pairs("crn", indicator)
    ai, bi = pairs("independent", indicator)
    d = [y - x for x, y in zip(a, b)]
    di = [y - x for x, y in zip(ai, bi)]
    crn, ind = statistics.variance(d), statistics.variance(di)
    label = f"   {name:30s} {indicator:45s}"
    if crn == 0 or max(abs(x) for x in d) < 1e-9 * max(1, abs(statistics.mean(a))):
        print(f"{label} identical in all {len(d)} pairs under CRN (the variant does not reach it); independent var {ind:.3g}")
        continue
    va, vb = statistics.variance(a), statistics.variance(b)
    rho = (va + vb - crn) / (2 * (va * vb) ** 0.5)
    bound = (va + vb) / ((va ** 0.5 - vb ** 0.5) ** 2) if va != vb else float("inf")
    print(f"{label} var CRN {crn:.3g}, independent {ind:.3g}: ratio {ind / crn:.1f}; correlation {rho:.3f}, "
          f"at most {bound:.1f} for these variances (n = {len(d)})")
PY
done
echo "build: $build; machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
