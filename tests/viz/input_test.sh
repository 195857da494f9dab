#!/usr/bin/env bash
# Real input: refsim-viz in a window on its own Xvfb display, driven by xdotool as a facilitator
# would drive it. On tests/viz/beds.toml paused at day 120: click the shelter, press A (one bed
# more), click the conclusive-grounds desk, press C (close it by a change), Esc; save the window
# with P before and after. Then check that the shelter's label changed ("2/2 beds" → "2/3 beds")
# and the annex's and screening's did not, and that the desk carries the "CLOSED" band afterwards
# and not before.
#
#   input_test.sh VIZ CHECK SCENARIO OUT_DIR
#
# The screenshots stay in OUT_DIR (before.png, selected.png: the shelter's inspector after A,
# after.png). Xvfb and refsim-viz are stopped by their pids on every exit.
set -euo pipefail
viz=$(realpath "$1") check=$(realpath "$2") scenario=$(realpath "$3") out=$4
size=1024x640

mkdir -p "$out"
cd "$out"
rm -f -- *.png layout.csv display.txt

xvfb_pid='' viz_pid=''
cleanup() {
  [[ -n $viz_pid ]] && kill "$viz_pid" 2>/dev/null || true
  [[ -n $xvfb_pid ]] && kill "$xvfb_pid" 2>/dev/null || true
  [[ -n $xvfb_pid ]] && wait "$xvfb_pid" 2>/dev/null || true
}
trap cleanup EXIT

# A display number Xvfb picks itself and writes to fd 3 once it accepts connections.
Xvfb -displayfd 3 -screen 0 1280x800x24 -nolisten tcp 3>display.txt 2>xvfb.log &
xvfb_pid=$!
for _ in $(seq 100); do
  [[ -s display.txt ]] && break
  sleep 0.1
done
[[ -s display.txt ]] || { echo "Xvfb did not start:"; cat xvfb.log; exit 1; }
export DISPLAY=":$(head -n1 display.txt)"
# and once a client can connect (a refsim-viz started too early aborts: "Failed to open X11 display").
for _ in $(seq 50); do
  xdotool getdisplaygeometry >/dev/null 2>&1 && break
  sleep 0.1
done
xdotool getdisplaygeometry >/dev/null || { echo "cannot connect to Xvfb on $DISPLAY:"; cat xvfb.log; exit 1; }
echo "Xvfb pid $xvfb_pid on $DISPLAY"

"$viz" "$scenario" --paused --at 120d --size "$size" --dump-layout layout.csv >viz.log 2>&1 &
viz_pid=$!

wid=''
for _ in $(seq 150); do
  wid=$(xdotool search --classname '^refsim-viz$' 2>/dev/null | head -n1 || true)
  [[ -n $wid ]] && break
  kill -0 "$viz_pid" 2>/dev/null || { echo "refsim-viz exited:"; cat viz.log; exit 1; }
  sleep 0.1
done
[[ -n $wid ]] || { echo "no refsim-viz window"; exit 1; }
sleep 1  # the first frames

# Window pixel coordinates of an agency's disc centre, from --dump-layout.
centre() { awk -F, -v id="$1" '$1 == id { printf "%d %d", $2, $3 }' layout.csv; }
click() {
  read -r x y <<<"$(centre "$1")"
  xdotool mousemove --window "$wid" "$x" "$y" click 1
  sleep 0.3
}
key() {
  xdotool key --clearmodifiers "$1"
  sleep 0.3
}
# P saves refsim-viz-day120.png in the working directory; wait until it is complete.
shot() {
  rm -f refsim-viz-day120.png
  key p
  for _ in $(seq 50); do
    if [[ -s refsim-viz-day120.png ]]; then
      local a b
      a=$(stat -c %s refsim-viz-day120.png)
      sleep 0.2
      b=$(stat -c %s refsim-viz-day120.png)
      [[ $a == "$b" ]] && break
    fi
    sleep 0.1
  done
  [[ -s refsim-viz-day120.png ]] || { echo "P saved no screenshot"; exit 1; }
  mv refsim-viz-day120.png "$1"
}

read -r x y <<<"$(centre shelter)"
xdotool mousemove --window "$wid" "$x" "$y"  # the pointer over the window: keys go to it
xdotool windowfocus "$wid" 2>/dev/null || true
sleep 0.3
# A first P puts the "Saved …" banner up, so that it is in every compared image alike.
shot warmup.png
shot before.png
click shelter
key a
shot selected.png
click cg
key c
key Escape
shot after.png
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

"$check" labels before.png after.png --layout layout.csv --expect shelter=changed --expect annex=unchanged \
  --expect screening=unchanged
"$check" image before.png --size "$size" --layout layout.csv --expect cg=no-closed-by-change
"$check" image after.png --size "$size" --layout layout.csv --expect cg=closed-by-change \
  --expect shelter=no-closed-by-change --expect annex=no-closed-by-change
