#!/usr/bin/env bash
# An output directory holds one whole run or the one before, never a mix (issue 18): real kill -9
# at deterministic points (REFSIM_TEST_KILL_AFTER_FILES / _SWAP) and after timed delays across the
# run and its writing, each followed by a check that the directory is run A or run B byte for
# byte and that the next run removes what the killed one left; four concurrent writers to one
# --out (each succeeds or says the directory is locked; the result is one of them whole); an
# --out that cannot be written fails before the simulation; a directory holding a user's file,
# the working directory and a symbolic link.
# Usage: outdir_test.sh REFSIM SOURCE_DIR
set -u
refsim=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
src=$(cd "$2" && pwd)
tmp=$(mktemp -d)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null; done
  chmod -R u+w "$tmp" 2>/dev/null
  rm -rf "$tmp"
}
trap cleanup EXIT
passed=0
failed=0
ok() { passed=$((passed + 1)); }
bad() { echo "FAIL: $*" >&2; failed=$((failed + 1)); }

scenario=$src/scenarios/ukraine.toml
# One replication with the per-case files: ~0.2 s, 11 files, 6 MB (the XES log, inside the
# directory, is swapped in with the rest).
# (A command array, not a function, for what runs in the background: $! is then refsim's own pid.)
cmd_for() { cmd=("$refsim" run "$scenario" -q -r 1 -j1 --milestones --seed "$2" --out "$1" --xes "$1/log.xes"); }
run_into() { # DIR SEED
  cmd_for "$1" "$2"
  "${cmd[@]}"
}

# same_as DIR SEED: DIR holds exactly the files of the reference run of SEED, byte for byte
# (run.json, which holds timings and the command, only has to name the seed).
same_as() {
  diff -rq -x run.json "$1" "$tmp/ref-$2" >/dev/null 2>&1 && grep -q -- "--seed $2 " "$1/run.json"
}
# whole DIR: the seed of the run DIR holds whole (the one its run.json names), or "mixed".
whole() {
  local s
  s=$(grep -o -- '--seed [0-9]*' "$1/run.json" 2>/dev/null | head -1 | cut -d' ' -f2)
  [ -n "$s" ] && same_as "$1" "$s" && echo "$s" || echo mixed
}
# leftovers PARENT NAME: what killed runs leave, beside and inside PARENT/NAME.
leftovers() { (cd "$1" && ls -A | grep -E "^\.$2\.(new|old)\.[0-9]+$"; ls -A "$1/$2" 2>/dev/null | grep '\.tmp\.'); }

# (1) Reference runs.
seeds=(11 22 33 44)
for s in "${seeds[@]}"; do run_into "$tmp/ref-$s" "$s" || bad "reference run of seed $s failed"; done
[ "$(whole "$tmp/ref-11")" = 11 ] && [ "$(whole "$tmp/ref-22")" = 22 ] && ok || bad "the reference runs do not compare"
cmp -s "$tmp/ref-11/summary.json" "$tmp/ref-22/summary.json" && bad "seeds 11 and 22 give the same summary" || ok
[ -s "$tmp/ref-11/log.xes" ] && [ -s "$tmp/ref-11/cases_milestones.csv" ] && ok || bad "no log.xes or milestones"
[ -z "$(leftovers "$tmp" ref-11)" ] && [ ! -e "$tmp/.ref-11.lock" ] && ok || bad "a whole run left: $(leftovers "$tmp" ref-11)"

# (2a) kill -9 at deterministic points while run 22 replaces run 11: after 1, 4, 8 and all 11
# files written (the directory still run 11), and right after the swap (run 22). Each killed run
# leaves its staging directory; the next run removes it.
cp -a "$tmp/ref-11" "$tmp/d"
prev=""
for point in FILES=1 FILES=4 FILES=8 FILES=11 SWAP=1; do
  cmd_for "$tmp/d" 22
  (env "REFSIM_TEST_KILL_AFTER_$point" "${cmd[@]}") 2>/dev/null
  code=$?
  [ $code -eq 137 ] && ok || bad "kill after $point: exit $code, expected 137 (killed)"
  expect=11
  [ "$point" = SWAP=1 ] && expect=22
  got=$(whole "$tmp/d")
  [ "$got" = "$expect" ] && ok || bad "kill after $point: the directory is '$got', expected run $expect whole"
  left=$(leftovers "$tmp" d)
  [ -n "$left" ] && ok || bad "kill after $point: nothing left behind (was the process killed where meant?)"
  [ -z "$prev" ] || ! grep -qxF "$prev" <<<"$left" && ok || bad "kill after $point: the earlier kill's $prev stayed"
  prev=$(head -1 <<<"$left")
done
echo "an older refsim's temporary" >"$tmp/d/.cases.csv.tmp.4208" # killed before this change
run_into "$tmp/d" 11 && ok || bad "the run after the kills failed"
[ "$(whole "$tmp/d")" = 11 ] && ok || bad "after the kills: the directory is '$(whole "$tmp/d")', expected run 11"
[ -z "$(leftovers "$tmp" d)" ] && ok || bad "the run after the kills left: $(leftovers "$tmp" d)"

# (2b) kill -9 after delays spread over a run (simulation, writing, swap): whatever the moment,
# run 11 or run 22 whole.
t0=$(date +%s%N)
run_into "$tmp/d" 22 || bad "timing run failed"
t1=$(date +%s%N)
span=$(((t1 - t0) / 1000)) # microseconds
kinds=""
for pc in 10 30 50 60 70 80 90; do
  [ "$(whole "$tmp/d")" = 11 ] && seed=22 || seed=11
  cmd_for "$tmp/d" "$seed"
  "${cmd[@]}" 2>/dev/null &
  pid=$!
  pids+=("$pid")
  sleep "$(printf '%d.%06d' $((span * pc / 100 / 1000000)) $((span * pc / 100 % 1000000)))"
  kill -9 "$pid" 2>/dev/null
  wait "$pid" 2>/dev/null
  code=$?
  got=$(whole "$tmp/d")
  [ "$got" != mixed ] && ok || bad "kill -9 at $pc % of a run: the directory mixes runs ($(ls -A "$tmp/d" | tr '\n' ' '))"
  kinds+=" $pc%:exit$code:$got"
done
echo "timed kills (moment:exit:what the directory holds):$kinds"
run_into "$tmp/d" 33 && [ "$(whole "$tmp/d")" = 33 ] && ok || bad "the run after the timed kills: $(whole "$tmp/d")"
[ -z "$(leftovers "$tmp" d)" ] && [ ! -e "$tmp/.d.lock" ] && ok || bad "after the timed kills, left: $(leftovers "$tmp" d)"

# (3) Four writers at once, three times: each succeeds or fails at once saying the directory is
# locked; the directory is then one of the successful runs, whole.
for trial in 1 2 3; do
  cpids=()
  for s in "${seeds[@]}"; do
    cmd_for "$tmp/c" "$s"
    "${cmd[@]}" 2>"$tmp/c-$s.err" &
    cpids+=($!)
    pids+=($!)
  done
  succeeded=()
  for k in 0 1 2 3; do
    wait "${cpids[$k]}"
    code=$?
    s=${seeds[$k]}
    if [ $code -eq 0 ]; then
      succeeded+=("$s")
    elif [ $code -eq 1 ] && grep -qE "^refsim: error: --out $tmp/c: another refsim \(pid [0-9]+\) is writing this directory \(lock $tmp/\.c\.lock\); wait for it to finish or choose another --out$" "$tmp/c-$s.err"; then
      ok
    else
      bad "concurrent trial $trial, seed $s: exit $code: $(cat "$tmp/c-$s.err")"
    fi
  done
  got=$(whole "$tmp/c")
  [ ${#succeeded[@]} -ge 1 ] && [[ " ${succeeded[*]} " == *" $got "* ]] && ok ||
    bad "concurrent trial $trial: the directory holds '$got'; the runs that succeeded: ${succeeded[*]}"
  [ -z "$(leftovers "$tmp" c)" ] && [ ! -e "$tmp/.c.lock" ] && ok || bad "concurrent trial $trial left: $(leftovers "$tmp" c)"
done

# (4) An --out that cannot be written fails before the simulation: at once (20 replications of the
# sea fisheries would take a minute), with the message, and nothing else printed.
touch "$tmp/a-file"
unwritable=("$tmp/a-file/x")
# Root writes in a mode-555 directory: that case only for others.
if [ "$(id -u)" != 0 ]; then
  mkdir -p "$tmp/ro/existing" && chmod 555 "$tmp/ro"
  unwritable+=("$tmp/ro/x" "$tmp/ro/existing")
fi
for out in "${unwritable[@]}"; do
  t0=$(date +%s%N)
  timeout 30 "$refsim" run "$src/scenarios/sea-fisheries.toml" -r 20 --out "$out" >"$tmp/stdout" 2>"$tmp/stderr"
  code=$?
  ms=$((($(date +%s%N) - t0) / 1000000))
  [ $code -eq 1 ] && ok || bad "--out $out: exit $code, expected 1"
  [ $ms -lt 3000 ] && ok || bad "--out $out: failed after $ms ms: it simulated first"
  grep -q "^refsim: error: --out $out: cannot " "$tmp/stderr" && ok || bad "--out $out: $(cat "$tmp/stderr")"
  [ ! -s "$tmp/stdout" ] && [ "$(grep -vc '^refsim: warning' "$tmp/stderr")" = 1 ] && ok ||
    bad "--out $out: more than the error was printed: $(cat "$tmp/stdout" "$tmp/stderr")"
done

# (5) A directory holding a file refsim did not write is refused (exit 2, naming it), untouched;
# so are the working directory and a file; a symbolic link's directory is replaced, the link kept.
cp -a "$tmp/ref-11" "$tmp/u"
echo "my notes" >"$tmp/u/notes.txt"
mkdir "$tmp/u/data"
run_into "$tmp/u" 22 >"$tmp/stdout" 2>"$tmp/stderr"
code=$?
[ $code -eq 2 ] && ok || bad "a directory with a user's file: exit $code, expected 2"
grep -qx "refsim: error: --out $tmp/u: holds entries refsim did not write (data/, notes.txt); refsim replaces its output directory as a whole: choose a new or empty directory, or move them away" "$tmp/stderr" &&
  ok || bad "a directory with a user's file: $(cat "$tmp/stderr")"
[ "$(cat "$tmp/u/notes.txt")" = "my notes" ] && [ -d "$tmp/u/data" ] && ok || bad "the user's file was touched"
rm -r "$tmp/u/notes.txt" "$tmp/u/data"
[ "$(whole "$tmp/u")" = 11 ] && [ -z "$(leftovers "$tmp" u)" ] && ok || bad "the refused run changed the directory"
"$refsim" compare "$scenario" "$scenario" -r 2 --out "$tmp" -q 2>"$tmp/stderr"
[ $? -eq 2 ] && grep -q "^refsim: error: --out $tmp: holds entries refsim did not write (a-file, " "$tmp/stderr" && ok ||
  bad "compare --out a directory of other files: $(cat "$tmp/stderr")"
mkdir "$tmp/w"
(cd "$tmp/w" && "$refsim" run "$scenario" -q -r 1 --out . 2>"$tmp/stderr")
[ $? -eq 2 ] && grep -qx "refsim: error: --out .: is the working directory or holds it; refsim replaces its output directory as a whole: name a directory of its own, e.g. results/run" "$tmp/stderr" &&
  ok || bad "--out .: $(cat "$tmp/stderr")"
run_into "$tmp/a-file" 11 2>"$tmp/stderr"
[ $? -eq 2 ] && grep -q "^refsim: error: --out $tmp/a-file: exists and is not a directory" "$tmp/stderr" && ok ||
  bad "--out a file: $(cat "$tmp/stderr")"
# An --xes outside the directory: the temporaries of dead processes beside it go.
mkdir "$tmp/elsewhere"
sleep 0 &
dead=$!
wait $dead
echo "a killed run's log" >"$tmp/elsewhere/.log.xes.tmp.$dead"
"$refsim" run "$scenario" -q -r 1 --out "$tmp/e" --xes "$tmp/elsewhere/log.xes" && ok || bad "--xes elsewhere failed"
[ "$(ls -A "$tmp/elsewhere")" = log.xes ] && ok || bad "beside --xes: $(ls -A "$tmp/elsewhere" | tr '\n' ' ')"
cp -a "$tmp/ref-11" "$tmp/real"
ln -s real "$tmp/link"
run_into "$tmp/link" 22 && ok || bad "--out a symbolic link failed"
[ -L "$tmp/link" ] && [ "$(whole "$tmp/real")" = 22 ] && ok || bad "--out a symbolic link: the link or its directory"
[ -z "$(leftovers "$tmp" real)" ] && ok || bad "--out a symbolic link left: $(leftovers "$tmp" real)"

echo "outdir: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
