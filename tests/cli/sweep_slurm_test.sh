#!/usr/bin/env bash
# A sweep on a real Slurm: starts munged, slurmctld and slurmd on this machine (a generated key,
# slurm.conf, ports, spool and state directories, all in a temporary directory; as root), submits
# scripts/slurm/sweep-array.sbatch as a 4-task array and scripts/slurm/sweep-merge.sbatch after it
# (--dependency=afterok), waits, and compares the merged results byte for byte with a local run
# (every file but run.json). Stops the daemons it started, by their process ids. Where Slurm
# cannot start, it says why and fails.
# Usage: sweep_slurm_test.sh REFSIM SOURCE_DIR
set -u
refsim=$(realpath "$1")
src=$(cd "$2" && pwd)
tmp=$(mktemp -d)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
  for p in "${pids[@]}"; do
    for _ in $(seq 50); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$p" 2>/dev/null
  done
  rm -rf "$tmp"
}
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; for f in "$tmp"/*.log; do [ -f "$f" ] && { echo "--- $f" >&2; tail -20 "$f" >&2; }; done; exit 1; }

for tool in munged slurmctld slurmd sbatch squeue scontrol sinfo; do
  command -v "$tool" >/dev/null || fail "$tool not found (Debian packages munge slurmctld slurmd slurm-client; scripts/install-deps.sh)"
done
[ "$(id -u)" -eq 0 ] || fail "this test starts slurmd, which needs root"

# A free TCP port on 127.0.0.1 (bash's /dev/tcp: refused means free).
free_port() {
  local p
  for p in $(shuf -i 20000-40000 -n 50); do
    (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null || { echo "$p"; return; }
  done
  fail "no free port"
}

# munge: its own key, socket and files.
mkdir -p "$tmp/munge" "$tmp/state" "$tmp/spool" "$tmp/work"
chmod 700 "$tmp/munge"
dd if=/dev/urandom of="$tmp/munge/munge.key" bs=1024 count=1 status=none
chmod 400 "$tmp/munge/munge.key"
sock=$tmp/munge/munge.socket
munged --foreground --force --key-file="$tmp/munge/munge.key" --socket="$sock" \
  --pid-file="$tmp/munge/munged.pid" --log-file="$tmp/munged.log" --seed-file="$tmp/munge/seed" \
  >>"$tmp/munged.log" 2>&1 &
pids+=($!)
for _ in $(seq 50); do [ -S "$sock" ] && break; sleep 0.1; done
[ -S "$sock" ] || fail "munged did not start"

ctl_port=$(free_port)
d_port=$(free_port)
[ "$ctl_port" != "$d_port" ] || d_port=$((ctl_port + 1))
cpus=$(nproc)
export SLURM_CONF=$tmp/slurm.conf
cat >"$SLURM_CONF" <<CONF
ClusterName=refsimtest
SlurmctldHost=localhost(127.0.0.1)
SlurmctldPort=$ctl_port
SlurmdPort=$d_port
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$sock
SlurmUser=root
SlurmdUser=root
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
StateSaveLocation=$tmp/state
SlurmdSpoolDir=$tmp/spool
SlurmctldPidFile=$tmp/slurmctld.pid
SlurmdPidFile=$tmp/slurmd.pid
SlurmctldLogFile=$tmp/slurmctld.log
SlurmdLogFile=$tmp/slurmd.log
SchedulerType=sched/builtin
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
ReturnToService=2
MpiDefault=none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
SlurmctldTimeout=30
SlurmdTimeout=30
InactiveLimit=0
MinJobAge=300
NodeName=refsimnode NodeAddr=127.0.0.1 NodeHostname=$(hostname) CPUs=$cpus State=UNKNOWN
PartitionName=test Nodes=refsimnode Default=YES MaxTime=INFINITE State=UP
CONF

slurmctld -D -i -f "$SLURM_CONF" >>"$tmp/slurmctld.log" 2>&1 &
pids+=($!)
slurmd -D -N refsimnode -f "$SLURM_CONF" >>"$tmp/slurmd.log" 2>&1 &
pids+=($!)
up=0
for _ in $(seq 150); do
  state=$(sinfo -h -n refsimnode -o %T 2>/dev/null)
  case "$state" in idle*|mix*|alloc*) up=1; break ;; esac
  sleep 0.2
done
[ "$up" -eq 1 ] || fail "the Slurm node did not come up (state '${state:-none}')"

# The sweep: 6 runs, a 4-task array, then the merge.
cd "$tmp/work"
args=("$src/scenarios/baseline-nrm.toml" --vary agency.competent_authority.servers=3..5:1
      --vary agency.screening.servers=6,8 --set run.horizon=120d --set run.warmup=20d -r 2
      --indicator overall.time_to_identified_days_mean)
export REFSIM=$refsim
jobid=$(sbatch --parsable --array=0-3 --output="$tmp/array-%a.log" --chdir="$tmp/work" \
  "$src/scripts/slurm/sweep-array.sbatch" "$tmp/work/shards" "${args[@]}") || fail "sbatch (array) failed"
mjob=$(sbatch --parsable --dependency=afterok:"$jobid" --output="$tmp/merge.log" --chdir="$tmp/work" \
  "$src/scripts/slurm/sweep-merge.sbatch" "$tmp/work/shards" "$tmp/work/merged") || fail "sbatch (merge) failed"
done=0
for _ in $(seq 300); do
  if [ -z "$(squeue -h -j "$jobid,$mjob" 2>/dev/null)" ]; then done=1; break; fi
  sleep 0.2
done
[ "$done" -eq 1 ] || fail "the jobs did not finish within 60 s: $(squeue -j "$jobid,$mjob" 2>&1)"
state=$(scontrol show job "$mjob" 2>/dev/null | grep -o 'JobState=[A-Z]*')
[ "$state" = "JobState=COMPLETED" ] || fail "the merge job ended as '$state'"
[ "$(ls -d "$tmp/work/shards"/shard-* | wc -l)" -eq 4 ] || fail "expected 4 shard directories"

env -u SLURM_ARRAY_TASK_ID "$refsim" sweep "${args[@]}" -q -o "$tmp/work/local" || fail "the local sweep failed"
diff -r -x run.json "$tmp/work/local" "$tmp/work/merged" >"$tmp/diff.txt" || fail "merged results differ: $(head "$tmp/diff.txt")"
n=$(ls "$tmp/work/merged/runs" | wc -l)
[ "$n" -eq 6 ] || fail "expected 6 runs, got $n"
echo "sweep_slurm_test: a 4-task array on Slurm ($(sinfo -V)), merged: byte-identical to one process"
echo "1 passed, 0 failed"
