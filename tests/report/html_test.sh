#!/usr/bin/env bash
# The HTML reports in a real browser. Builds a run report with `refsim run --report` for two
# scenarios, a comparison report from tests/data/compare_fixture.json, and comparison, plan and
# bottlenecks reports of real runs; opens each in headless Chromium, and fails on a JavaScript
# error (the page's data-status), no chart or an empty chart (data-charts, data-empty-charts), or
# a URL in the file. Saves a screenshot of each in SHOTS_DIR for a person to look at.
# Usage: html_test.sh REFSIM COMPARE_REPORT SOURCE_DIR SHOTS_DIR
set -u
refsim=$1
compare_report=$2
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

# A run of the generic baseline and of a regional scenario, short and with few replications.
"$refsim" run "$src/scenarios/baseline-nrm.toml" -r 3 -q --out "$tmp/baseline" --report "$tmp/baseline.html" \
  && ok || bad "refsim run --report (baseline-nrm) failed"
check run-baseline-nrm "$tmp/baseline.html" 4
grep -q 'Baseline NRM (generic, OSCE/ODIHR structure)</h1>' "$tmp/baseline.html" && ok || bad "baseline: no title"
"$refsim" run "$src/scenarios/southern-africa.toml" -r 2 -q --out "$tmp/region" --report "$tmp/region.html" \
  && ok || bad "refsim run --report (southern-africa) failed"
check run-southern-africa "$tmp/region.html" 3

# The comparison report of a hand-made compare.json.
"$compare_report" "$src/tests/data/compare_fixture.json" "$tmp/compare.html" && ok || bad "compare report failed"
check compare "$tmp/compare.html" 10

# The comparison report of a real `refsim compare` of three library variants, with a selection.
"$refsim" compare "$src/scenarios/baseline-nrm.toml" "$src/scenarios/variants/two-more-rg-caseworkers.toml" \
  "$src/scenarios/variants/twenty-more-shelter-beds.toml" -r 3 -q --out "$tmp/cmp" --report "$tmp/compare-real.html" \
  --select overall.time_to_identified_days_mean=2d && ok || bad "refsim compare --report failed"
check compare-real "$tmp/compare-real.html" 10

# The plan page of a real `refsim plan` of the library's Morocco interventions: the frontier and
# the gains.
"$refsim" plan "$src/scenarios/morocco.toml" --budget 700000 --set run.horizon=1300d -r 3 -q --out "$tmp/plan" \
  --report "$tmp/plan.html" && ok || bad "refsim plan --report failed"
check plan "$tmp/plan.html" 2
grep -qF '<td><code>cso_refresher_training</code></td>' "$tmp/plan.html" && ok || bad "plan: the interventions table is empty"

# The page of a real `refsim bottlenecks` of the baseline with a capacity search: two charts of
# waiting, one of deadline breaches by place, one of shares of the time to each of the two
# milestones, one per judged indicator (six for this scenario); the cohort tables; every
# marginal-value row shows its observations.
"$refsim" bottlenecks "$src/scenarios/baseline-nrm.toml" -r 3 --horizon 3y -q -j2 \
  --target "agencies.competent_authority.mean_wait_days<=1" --at competent_authority --report "$tmp/bottlenecks.html" \
  && ok || bad "refsim bottlenecks --report failed"
check bottlenecks "$tmp/bottlenecks.html" 11
grep -q '<h3>Breaches of each deadline by where they arose, per replication</h3>' "$tmp/bottlenecks.html" && ok ||
  bad "bottlenecks: no breach attribution"
grep -q '<h3>Time to first service: the largest shares, all persons</h3>' "$tmp/bottlenecks.html" && ok ||
  bad "bottlenecks: no shares of the time to first service"
grep -qE '<tr><td>child</td><td class="num">[0-9.]+ \([0-9]+\)</td>' "$tmp/bottlenecks.html" && ok ||
  bad "bottlenecks: no cohort row for children with its observations"
grep -q '<h2>Capacity needed</h2>' "$tmp/bottlenecks.html" && ok || bad "bottlenecks: no capacity section"
grep -qE '<td class="num"></td><td class="num">[0-9]+</td>' "$tmp/bottlenecks.html" \
  && bad "bottlenecks: a row without its number of observations" || ok

# A page that throws must be caught: the check is not blind.
sed 's/if (typeof Chart === .undefined.)/throw new Error("planted"); if (0)/' "$tmp/compare.html" >"$tmp/broken.html"
browse --dump-dom "file://$tmp/broken.html" >"$tmp/broken.dom"
grep -q 'data-status="error: planted"' "$tmp/broken.dom" && ok || bad "a planted error is not reported by the page"

# --report: a directory is refused (exit 2) before anything runs; without --report no HTML.
"$refsim" run "$src/scenarios/baseline-nrm.toml" -r 1 -q --out "$tmp/dir-out" --report "$tmp" 2>"$tmp/stderr"
[ $? -eq 2 ] && ok || bad "--report DIRECTORY: expected exit 2"
grep -q "^refsim: error: --report $tmp: is a directory" "$tmp/stderr" && ok || bad "--report DIRECTORY: $(cat "$tmp/stderr")"
[ ! -e "$tmp/dir-out" ] && ok || bad "--report DIRECTORY: the output directory was created"

echo "html_test: $passed passed, $failed failed; screenshots in $shots"
[ "$failed" -eq 0 ]
