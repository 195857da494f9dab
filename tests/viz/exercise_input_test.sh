#!/usr/bin/env bash
# Real input in exercise mode: refsim-viz --exercise on its own Xvfb display, with the player
# view of the shelter in a second window, driven by xdotool as a facilitator would: Space (run),
# Space (pause), N (step an hour), J (run to the next inject: the decision point fires and the run
# pauses), 2 (the second option), T + a typed note + Enter, a click on the annex + A (a bed more),
# J twice (the two other injects), Q. Then checks the log (the decision by the facilitator, the
# note with its objective, the change, the marks, the end record) and that `refsim exercise
# replay LOG --out DIR` reproduces it.
#
#   exercise_input_test.sh VIZ REFSIM EXERCISE OUT_DIR
#
# The log, the replay's directory and screenshots (P) stay in OUT_DIR. Xvfb and refsim-viz are
# stopped by their pids on every exit.
set -euo pipefail
viz=$(realpath "$1") refsim=$(realpath "$2") exercise=$(realpath "$3") out=$4
size=1600x1000

mkdir -p "$out"
cd "$out"
rm -rf -- *.png display.txt exercise.log replay viz.log layout.csv

xvfb_pid='' viz_pid=''
cleanup() {
  [[ -n $viz_pid ]] && kill "$viz_pid" 2>/dev/null || true
  [[ -n $xvfb_pid ]] && kill "$xvfb_pid" 2>/dev/null || true
  [[ -n $xvfb_pid ]] && wait "$xvfb_pid" 2>/dev/null || true
}
trap cleanup EXIT

Xvfb -displayfd 3 -screen 0 1700x1100x24 -nolisten tcp 3>display.txt 2>xvfb.log &
xvfb_pid=$!
for _ in $(seq 100); do
  [[ -s display.txt ]] && break
  sleep 0.1
done
[[ -s display.txt ]] || { echo "Xvfb did not start:"; cat xvfb.log; exit 1; }
export DISPLAY=":$(head -n1 display.txt)"
for _ in $(seq 50); do
  xdotool getdisplaygeometry >/dev/null 2>&1 && break
  sleep 0.1
done
xdotool getdisplaygeometry >/dev/null || { echo "cannot connect to Xvfb on $DISPLAY:"; cat xvfb.log; exit 1; }
echo "Xvfb pid $xvfb_pid on $DISPLAY"

"$viz" --exercise "$exercise" --log exercise.log --player shelter --size "$size" --dump-layout layout.csv >viz.log 2>&1 &
viz_pid=$!

# Two windows of class refsim-viz: the facilitator's and the player's ("… — player view").
wid='' pid_win=''
for _ in $(seq 150); do
  for w in $(xdotool search --classname '^refsim-viz$' 2>/dev/null || true); do
    if xdotool getwindowname "$w" 2>/dev/null | grep -q 'player view'; then pid_win=$w; else wid=$w; fi
  done
  [[ -n $wid && -n $pid_win ]] && break
  kill -0 "$viz_pid" 2>/dev/null || { echo "refsim-viz exited:"; cat viz.log; exit 1; }
  sleep 0.1
done
[[ -n $wid ]] || { echo "no refsim-viz window"; exit 1; }
[[ -n $pid_win ]] || { echo "no player window"; exit 1; }
sleep 1
xdotool mousemove --window "$wid" 200 200
xdotool windowfocus "$wid" 2>/dev/null || true
xdotool windowraise "$wid" 2>/dev/null || true
sleep 0.3

key() {
  xdotool key --clearmodifiers "$1"
  sleep 0.3
}
# Waits until the log has a line matching $1 (the log is flushed record by record).
await() {
  for _ in $(seq 100); do
    grep -q -- "$1" exercise.log 2>/dev/null && return 0
    kill -0 "$viz_pid" 2>/dev/null || { echo "refsim-viz exited:"; cat viz.log; exit 1; }
    sleep 0.1
  done
  echo "the log never got: $1"
  cat exercise.log
  exit 1
}

await '"record":"start"'
key space
await '"text":"resume"'
key space
await '"text":"pause"'
key n
await '"text":"step 1h"'
key j
await '"inject":"full_call"'
sleep 0.5
key p  # the card of the decision point, waiting
key 2
await '"record":"decision"'
key t
xdotool type --delay 40 'Shelter manager asks for beds'
sleep 0.2
key Return
await '"record":"note"'
# A facilitator's change: click the annex, A (one bed more), Esc.
read -r x y <<<"$(awk -F, '$1 == "annex" { printf "%d %d", $2, $3 }' layout.csv)"
xdotool mousemove --window "$wid" "$x" "$y" click 1
sleep 0.3
key a
await '"record":"change"'
key Escape
key j
await '"inject":"media"'
key j
await '"inject":"busy"'
key q
for _ in $(seq 50); do
  kill -0 "$viz_pid" 2>/dev/null || break
  sleep 0.1
done
if kill -0 "$viz_pid" 2>/dev/null; then
  echo "refsim-viz did not quit on Q"
  exit 1
fi
wait "$viz_pid" || { echo "refsim-viz failed:"; cat viz.log; exit 1; }
viz_pid=''

echo "--- exercise.log"
cat exercise.log
fail=0
expect() {
  if grep -q -- "$1" exercise.log; then echo "ok: $2"; else echo "FAIL: $2"; fail=1; fi
}
expect '"record":"decision","inject":"full_call","option":"wait","by":"facilitator"' "the decision, by key 2"
expect '"record":"note","author":"facilitator","text":"Shelter manager asks for beds","objective":"housing"' \
  "the typed note, with the inject's objective"
expect '"record":"change","origin":"refsim-viz"' "the facilitator's change (A on the annex)"
expect '"text":"run to next inject"' "J is logged"
expect '"text":"pause (inject full_call)"' "the automatic pause at the inject"
[[ $(tail -n1 exercise.log) == *'"record":"end"'* ]] && echo "ok: the end record last" || {
  echo "FAIL: the log does not end with its end record"
  fail=1
}
[[ $fail == 0 ]] || exit 1

"$refsim" exercise replay exercise.log --out replay
grep -q '"option": "wait"' replay/exercise.json || { echo "FAIL: replay/exercise.json lacks the decision"; exit 1; }
grep -q '"decided_by": "facilitator"' replay/exercise.json || { echo "FAIL: replay: not by the facilitator"; exit 1; }
echo "ok: replayed"
