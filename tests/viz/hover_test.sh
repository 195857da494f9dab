#!/usr/bin/env bash
# Hover: refsim-viz in a window on its own Xvfb display (1600x1000), the pointer moved by xdotool
# over a disc whose label is shortened; the full name must appear beside the pointer. On
# tests/viz/four_countries.toml paused at day 120: save the window with P with the pointer in an
# empty corner of the graph, then with it over the disc of 'sk_programme' ("Programme of support
# and protection of victims of trafficking, Slovakia", drawn as "Programme of support & …"), and
# check with refsim-viz-check-hover that a box as wide as the full name is there after and not
# before.
#
#   hover_test.sh VIZ CHECK_HOVER SCENARIO OUT_DIR
#
# The screenshots stay in OUT_DIR (away.png, hover.png). Xvfb and refsim-viz are stopped by their
# pids on every exit.
set -euo pipefail
viz=$(realpath "$1") check=$(realpath "$2") scenario=$(realpath "$3") out=$4
size=1600x1000
agency=sk_programme
full_name="Programme of support and protection of victims of trafficking, Slovakia"

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

Xvfb -displayfd 3 -screen 0 1920x1200x24 -nolisten tcp 3>display.txt 2>xvfb.log &
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
# Without a window manager the window may be placed partly off the screen, where the pointer
# cannot go: put it in the top-left corner.
xdotool windowmove "$wid" 0 0
sleep 1

centre() { awk -F, -v id="$1" '$1 == id { printf "%d %d", $2, $3 }' layout.csv; }
key() {
  xdotool key --clearmodifiers "$1"
  sleep 0.3
}
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

read -r x y <<<"$(centre "$agency")"
[[ -n ${x:-} ]] || { echo "no agency $agency in layout.csv"; exit 1; }
# Away from every disc first (an empty corner of the graph), then over the disc.
xdotool mousemove --window "$wid" 4 4
xdotool windowfocus "$wid" 2>/dev/null || true
sleep 0.3
shot warmup.png
shot away.png
xdotool mousemove --window "$wid" "$x" "$y"
sleep 0.5
# Where the pointer is in the window's pixels (the window manager-less placement may offset it).
eval "$(xdotool getmouselocation --shell)"
px=$X py=$Y
eval "$(xdotool getwindowgeometry --shell "$wid")"
px=$((px - X)) py=$((py - Y))
echo "pointer at ($px, $py) in the window; the disc of $agency at ($x, $y)"
shot hover.png
key q
for _ in $(seq 50); do
  kill -0 "$viz_pid" 2>/dev/null || break
  sleep 0.1
done
wait "$viz_pid" || { echo "refsim-viz failed:"; cat viz.log; exit 1; }
viz_pid=''

"$check" away.png hover.png "$px" "$py" "$full_name"
