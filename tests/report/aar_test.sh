#!/usr/bin/env bash
# The after-action report in a real browser. Writes the report of a hand-built exercise analysis
# (refsim_aar_sample: complete, and with its log cut short), opens each in headless Chromium, and
# fails on a JavaScript error (the page's data-status), fewer charts than expected or an empty
# chart, a URL in the file, or a missing incomplete-log banner. Saves a screenshot of each and a
# PDF of the complete one (the print layout) in SHOTS_DIR for a person to look at.
# Usage: aar_test.sh REFSIM AAR_SAMPLE SOURCE_DIR SHOTS_DIR
set -u
refsim=$1
sample=$2
src=$3
shots=$4
chromium=${CHROMIUM:-/usr/bin/chromium}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$shots"
passed=0
failed=0
ok() { passed=$((passed + 1)); }
bad() { echo "FAIL: $*" >&2; failed=$((failed + 1)); }

if [ ! -x "$chromium" ]; then
  echo "FAIL: $chromium not found (Debian package chromium; scripts/install-deps.sh installs it)" >&2
  exit 1
fi

# Runs Chromium headless with its own profile, no network, at most 90 s: `timeout` ends it, and
# a child left behind is killed by its process group id (never by name).
browse() {
  local profile
  profile=$(mktemp -d -p "$tmp")
  setsid timeout -k 5 90 "$chromium" --headless --no-sandbox --disable-gpu --hide-scrollbars \
    --no-first-run --user-data-dir="$profile" --host-resolver-rules="MAP * ~NOTFOUND" \
    --virtual-time-budget=10000 "$@" 2>>"$tmp/chromium.log" &
  local pid=$!
  wait "$pid"
  local code=$?
  kill -KILL -- "-$pid" 2>/dev/null
  return "$code"
}

# check NAME FILE.html CHARTS [MIN]: the page loads without error and draws exactly CHARTS charts
# (with MIN: CHARTS or more), none empty; the file names no URL.
check() {
  local name=$1 html=$2 expect=$3 min=${4:-}
  [ -s "$html" ] || { bad "$name: $html was not written"; return; }
  # Only the CSP's http-equiv and the two URLs in Chart.js's licence banner may say "http".
  if grep -o 'http[^"]*' "$html" | grep -vxF -e 'http-equiv=' -e 'https://www.chartjs.org' \
    -e 'https://github.com/kurkle/color#readme' | grep -q .; then
    bad "$name: a URL in the report: $(grep -o 'http[^" ]*' "$html" | sort -u | tr '\n' ' ')"
  else
    ok
  fi
  grep -qE '(src|href)=|url\(' "$html" && bad "$name: src=, href= or url( in the report" || ok

  browse --dump-dom "file://$html" >"$tmp/$name.dom"
  local body status charts empty
  body=$(grep -o '<body[^>]*>' "$tmp/$name.dom" | head -1)
  status=$(sed -n 's/.*data-status="\([^"]*\)".*/\1/p' <<<"$body")
  charts=$(sed -n 's/.*data-charts="\([0-9]*\)".*/\1/p' <<<"$body")
  empty=$(sed -n 's/.*data-empty-charts="\([0-9]*\)".*/\1/p' <<<"$body")
  [ "$status" = ok ] && ok || bad "$name: data-status is '${status:-unset}' (body: ${body:-no body})"
  if [ -n "$min" ]; then
    [ -n "$charts" ] && [ "$charts" -ge "$expect" ] && ok || bad "$name: ${charts:-no} charts drawn, expected $expect or more"
  else
    [ "$charts" = "$expect" ] && ok || bad "$name: ${charts:-no} charts drawn, expected $expect"
  fi
  [ "$empty" = 0 ] && ok || bad "$name: ${empty:-unknown} empty chart(s)"
  grep -q 'data-empty="true"' "$tmp/$name.dom" && bad "$name: a figure is marked empty" || ok
  # The hostile exercise name stays text: no element was made of it.
  grep -q '<script>alert' "$tmp/$name.dom" && bad "$name: the exercise name became a script element" || ok

  rm -f "$shots/$name.png"
  browse --screenshot="$shots/$name.png" --window-size=1100,2200 "file://$html" >/dev/null
  [ -s "$shots/$name.png" ] && ok || bad "$name: no screenshot"
}

"$sample" "$src/scenarios/baseline-nrm.toml" "$tmp/out" && ok || bad "refsim_aar_sample failed"
check aar "$tmp/out/after-action.html" 2
check aar-incomplete "$tmp/out/after-action-incomplete.html" 2
grep -q 'id="incomplete"' "$tmp/aar-incomplete.dom" && ok || bad "aar-incomplete: no incomplete-log banner"
grep -q 'id="incomplete"' "$tmp/aar.dom" && bad "aar: an incomplete-log banner on a complete log" || ok

# A real exercise log: played headless (every decision its default), then analysed and reported.
"$refsim" exercise run "$src/scenarios/exercises/baseline-shelter-closure.toml" --log "$tmp/closure.log" \
  --out "$tmp/closure" --quiet && ok || bad "refsim exercise run failed"
"$sample" --log "$tmp/closure.log" "$tmp/out" && ok || bad "refsim_aar_sample --log failed"
check aar-log "$tmp/out/after-action-log.html" 1 min
grep -qwiE 'nan|inf' "$tmp/out/after-action-log.md" && bad "aar-log: nan or inf in the Markdown" || ok

# The print layout, as trainers will print it.
rm -f "$shots/aar.pdf"
browse --print-to-pdf="$shots/aar.pdf" --no-pdf-header-footer "file://$tmp/out/after-action.html" >/dev/null
[ -s "$shots/aar.pdf" ] && ok || bad "aar: no PDF printed"

# A page that throws must be caught: the check is not blind.
sed 's/if (typeof Chart === .undefined.)/throw new Error("planted"); if (0)/' "$tmp/out/after-action.html" \
  >"$tmp/broken.html"
browse --dump-dom "file://$tmp/broken.html" >"$tmp/broken.dom"
grep -q 'data-status="error: planted"' "$tmp/broken.dom" && ok || bad "a planted error is not reported by the page"

echo "aar_test: $passed passed, $failed failed; screenshots in $shots"
[ "$failed" -eq 0 ]
