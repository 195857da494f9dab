// The HTML reports (sim/report/html.hpp) as text: escaped, self-contained, n/a shown as such. The
// browser test (tests/report/html_test.sh) opens them in Chromium and checks the charts.
#include <catch2/catch.hpp>

#include <cstddef>
#include <fstream>
#include <regex>
#include <string>

#include <nlohmann/json.hpp>

#include "sim/report/html.hpp"
#include "sim/report/report.hpp"
#include "support.hpp"

using namespace refsim;
using Json = nlohmann::ordered_json;

namespace {

std::size_t count(const std::string& text, const std::string& what) {
  std::size_t n = 0;
  for (std::size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

const char* kScenario = R"(
[scenario]
name = "Two desks <A&B> </script>"
description = "A \"test\" <b>mechanism</b>"
[run]
horizon = "120d"
warmup = "10d"
replications = 3
[[agency]]
id = "intake"
servers = 1
service = {dist = "exponential", mean = "1d"}
[[agency]]
id = "court"
servers = "unlimited"
service = "2d"
[[source]]
id = "calls"
to = "intake"
rate = "0.5/d"
[[referral]]
from = "intake"
to = "court"
probability = 1
[[deadline]]
id = "intake_3d"
from = "entered"
to = "arrival:court"
within = "3d"
)";

std::string run_report(const Scenario& s) {
  const ReferralGraph g(s);
  RunOptions opt;
  opt.seed = 5;
  opt.replications = 3;
  opt.threads = 1;
  opt.sample_every = 7;
  const RunResult res = run_replications(s, g, opt);
  const RunContext ctx{s, opt.seed, opt.replications};
  return run_report_html(ctx, res, "refsim run test.toml --report <out>.html");
}

Json fixture() {
  std::ifstream in(std::string(REFSIM_SOURCE_DIR) + "/tests/data/compare_fixture.json");
  return Json::parse(in);
}

/// Every "http" in `html` is the CSP's http-equiv or a URL in Chart.js's licence banner comment.
void require_no_url(const std::string& html) {
  std::size_t allowed = count(html, "http-equiv") + count(html, " * https://www.chartjs.org\n") +
                        count(html, " * https://github.com/kurkle/color#readme\n");
  CHECK(count(html, "http") == allowed);
  CHECK(count(html, "src=") == 0);
  CHECK(count(html, "href=") == 0);
  CHECK(count(html, "url(") == 0);
}

}  // namespace

TEST_CASE("HTML report: names and descriptions are escaped and cannot end the script early") {
  const std::string html = run_report(test::scenario(kScenario));
  CHECK(html.find("<h1>Two desks &lt;A&amp;B&gt; &lt;/script&gt;</h1>") != std::string::npos);
  CHECK(html.find("A &quot;test&quot; &lt;b&gt;mechanism&lt;/b&gt;") != std::string::npos);
  CHECK(html.find("<b>mechanism") == std::string::npos);
  // The JSON blob, Chart.js and the page's script: three elements, three end tags.
  CHECK(count(html, "</script>") == 3);
  CHECK(count(html, "<script") == 3);
}

TEST_CASE("HTML report: a run report names no URL and loads nothing") {
  const std::string html = run_report(test::scenario(kScenario));
  require_no_url(html);
  CHECK(html.find("default-src 'none'") != std::string::npos);
}

TEST_CASE("HTML report: a run report gives the provenance and the Chart.js it embeds") {
  const std::string html = run_report(test::scenario(kScenario));
  CHECK(html.find("<tr><th>Seed</th><td>5</td></tr>") != std::string::npos);
  CHECK(html.find("<tr><th>Replications</th><td>3</td></tr>") != std::string::npos);
  CHECK(html.find("<tr><th>Horizon</th><td>120 days</td></tr>") != std::string::npos);
  CHECK(html.find(std::string("<tr><th>refsim version</th><td>") + REFSIM_VERSION) != std::string::npos);
  CHECK(html.find("refsim run test.toml --report &lt;out&gt;.html") != std::string::npos);
  CHECK(html.find("<!-- Chart.js 3.9.1, MIT licence") != std::string::npos);
  CHECK(html.find("Chart.js v3.9.1") != std::string::npos);
  CHECK(html.size() < 400'000);
}

TEST_CASE("HTML report: an unlimited agency's utilization is n/a with its reason, not 0") {
  const std::string html = run_report(test::scenario(kScenario));
  CHECK(html.find("Not drawn (not applicable or no observation; see the table): court.") != std::string::npos);
  CHECK(std::regex_search(html, std::regex("<th>court</th><td class=\"num na\">n/a</td><td class=\"num\">n/a</td>"
                                           "<td class=\"num\"></td><td class=\"num\"></td><td class=\"na\">n/a: ")));
}

TEST_CASE("HTML report: the figures are described in a JSON blob that parses") {
  const std::string html = run_report(test::scenario(kScenario));
  const std::string open = "<script type=\"application/json\" id=\"refsim-data\">";
  const std::size_t from = html.find(open) + open.size();
  const Json data = Json::parse(html.substr(from, html.find("</script>", from) - from));
  REQUIRE(data["figures"].size() == 4);  // utilization, wait, the time series, compliance by cohort
  CHECK(data["figures"][0]["kind"] == "interval");
  CHECK(data["figures"][0]["rows"] == Json::array({"intake"}));
  CHECK(data["figures"][2]["kind"] == "line");
  CHECK(data["figures"][2]["series"][0]["x"].size() == 18);  // days 0, 7, …, 119
}

TEST_CASE("HTML report: the comparison shows every variant, notes n/a and missing values, names no URL") {
  const std::string html = compare_report_html(fixture());
  require_no_url(html);
  CHECK(html.find("Six caseworkers &lt;instead of 4&gt; &amp; longer hours") != std::string::npos);
  CHECK(html.find("missing: no agency &#39;rg_decision&#39; in this variant") != std::string::npos);
  CHECK(html.find("n/a: no agency with a server limit does investigations") != std::string::npos);
  CHECK(html.find("Kim-Nelson (KN)") != std::string::npos);
  CHECK(html.find("Show the table of all 15 indicators") != std::string::npos);
  CHECK(count(html, "</script>") == 3);
}

TEST_CASE("HTML report: the comparison draws a forest plot per unit, the key indicators, the time series") {
  const std::string html = compare_report_html(fixture());
  const std::string open = "<script type=\"application/json\" id=\"refsim-data\">";
  const std::size_t from = html.find(open) + open.size();
  const Json data = Json::parse(html.substr(from, html.find("</script>", from) - from));
  // Forest plots for days, share of cases and cases; ten key indicators; one time series.
  REQUIRE(data["figures"].size() == 3 + 10 + 1);
  CHECK(data["figures"][0]["reference"] == 0);
  CHECK(data["figures"][0]["series"].size() == 2);  // one per non-baseline variant
  CHECK(data["figures"].back()["kind"] == "line");
  CHECK(data["figures"].back()["series"].size() == 3);
}

TEST_CASE("HTML report: a comparison without optional members still makes a page") {
  Json doc = fixture();
  doc.erase("selection");
  doc.erase("timeseries");
  doc.erase("stopping");
  doc.erase("multiple_comparisons");
  const std::string html = compare_report_html(doc);
  CHECK(html.find("Selection of the best variant") == std::string::npos);
  CHECK(html.find("</html>") != std::string::npos);
  CHECK_THROWS_AS(compare_report_html(Json::object()), std::invalid_argument);
}
