#!/usr/bin/env bash
# Submits a sweep to Slurm: an array of TASKS shards, then the merge, chained by afterok.
#   scripts/slurm/submit.sh TASKS OUT_ROOT SCENARIO.toml --vary … [refsim sweep options]
# The merged results land in OUT_ROOT/merged. docs/sweeps.md.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
tasks=$1 out_root=$2
shift 2
mkdir -p "$out_root"
array=$(sbatch --parsable --array=0-$((tasks - 1)) --output="$out_root/array-%a.log" \
  "$here/sweep-array.sbatch" "$out_root" "$@")
merge=$(sbatch --parsable --dependency=afterok:"${array%%;*}" --output="$out_root/merge.log" \
  "$here/sweep-merge.sbatch" "$out_root" "$out_root/merged")
echo "array job $array, merge job $merge: results in $out_root/merged"
