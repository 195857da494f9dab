#!/usr/bin/env bash
# The page of `refsim bottlenecks --report` in a real browser: headless Chromium opens it (the
# library's baseline, with a capacity search) and fails on a JavaScript error (data-status), too
# few charts or an empty chart (data-charts, data-empty-charts), or a URL in the file; every
# marginal-value row shows its observations. Saves a screenshot in SHOTS_DIR for a person to look at.
# Usage: bottlenecks_html_test.sh REFSIM SOURCE_DIR SHOTS_DIR
set -u
refsim=$1
src=$2
shots=$3
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

# check NAME FILE.html MIN_CHARTS: the page loads without error and draws MIN_CHARTS charts or
# more, none empty; the file names no URL.
check() {
  local name=$1 html=$2 min=$3
  [ -s "$html" ] || { bad "$name: $html was not written"; return; }
  local size
  size=$(stat -c %s "$html")
  [ "$size" -lt 1000000 ] && ok || bad "$name: $html is $size bytes"
  # Only the CSP's http-equiv, the two URLs in Chart.js's licence banner and the sources the
  # scenario file's header cites (text in a <pre>, escaped, never loaded) may say "http".
  sed '/<details><summary>Sources and notes/,/<\/pre><\/details>/d' "$html" >"$tmp/$name.nosources"
  if grep -o 'http[^"]*' "$tmp/$name.nosources" | grep -vxF -e 'http-equiv=' -e 'https://www.chartjs.org' \
    -e 'https://github.com/kurkle/color#readme' | grep -q .; then
    bad "$name: a URL in the report: $(grep -o 'http[^" ]*' "$tmp/$name.nosources" | sort -u | tr '\n' ' ')"
  else
    ok
  fi
  grep -qE '(src|href)=|url\(' "$html" && bad "$name: src=, href= or url( in the report" || ok

  browse --dump-dom "file://$html" >"$tmp/$name.dom"
  local body
  body=$(grep -o '<body[^>]*>' "$tmp/$name.dom" | head -1)
  local status charts empty
  status=$(sed -n 's/.*data-status="\([^"]*\)".*/\1/p' <<<"$body")
  charts=$(sed -n 's/.*data-charts="\([0-9]*\)".*/\1/p' <<<"$body")
  empty=$(sed -n 's/.*data-empty-charts="\([0-9]*\)".*/\1/p' <<<"$body")
  [ "$status" = ok ] && ok || bad "$name: data-status is '${status:-unset}' (body: ${body:-no body})"
  [ -n "$charts" ] && [ "$charts" -ge "$min" ] && ok || bad "$name: ${charts:-no} charts drawn, expected $min or more"
  [ "$empty" = 0 ] && ok || bad "$name: ${empty:-unknown} empty chart(s)"
  grep -q 'data-empty="true"' "$tmp/$name.dom" && bad "$name: a figure is marked empty" || ok

  rm -f "$shots/$name.png"
  browse --screenshot="$shots/$name.png" --window-size=1280,3000 "file://$html" >/dev/null
  [ -s "$shots/$name.png" ] && ok || bad "$name: no screenshot"
}

"$refsim" bottlenecks "$src/scenarios/baseline-nrm.toml" -r 3 --horizon 3y -q -j2 \
  --target "agencies.competent_authority.mean_wait_days<=1" --at competent_authority --report "$tmp/bottlenecks.html" \
  && ok || bad "refsim bottlenecks --report failed"
# Two attribution charts and one per judged indicator (six for this scenario).
check bottlenecks "$tmp/bottlenecks.html" 8
grep -q '<h2>Capacity needed</h2>' "$tmp/bottlenecks.html" && ok || bad "no capacity section"
# No table row of the page leaves its observations column empty.
grep -qE '<td class="num"></td><td class="num">[0-9]+</td>' "$tmp/bottlenecks.html" \
  && bad "a row without its number of observations" || ok

echo "bottlenecks_html_test: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
