// The after-action report / improvement plan (sim/report/aar.hpp) as text: its HSEEP sections, both
// clocks, n/a with its reason, hostile text escaped, the incomplete-log banner, the improvement
// plan. The browser test (tests/report/aar_test.sh) opens the HTML in Chromium.
#include <catch2/catch.hpp>

#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "report/aar_sample.hpp"
#include "sim/report/aar.hpp"

using namespace refsim;
using Json = nlohmann::ordered_json;

namespace {

const std::string kBaseline = std::string(REFSIM_SOURCE_DIR) + "/scenarios/baseline-nrm.toml";

std::size_t count_of(const std::string& text, const std::string& what) {
  std::size_t n = 0;
  for (std::size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

bool has(const std::string& text, const std::string& what) { return text.find(what) != std::string::npos; }

std::vector<std::string> lines(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string l; std::getline(in, l);) out.push_back(l);
  return out;
}

/// The cells of a Markdown table row, split on pipes that are not backslash-escaped.
std::vector<std::string> cells(const std::string& row) {
  std::vector<std::string> out;
  std::string cur;
  for (std::size_t i = 1; i < row.size(); ++i) {
    if (row[i] == '\\' && i + 1 < row.size()) {
      cur += row[i];
      cur += row[++i];
    } else if (row[i] == '|') {
      out.push_back(cur.size() >= 2 ? cur.substr(1, cur.size() - 2) : cur);
      cur.clear();
    } else {
      cur += row[i];
    }
  }
  return out;
}

/// The rows of the Markdown table that follows the heading `heading` (header and rule excluded).
std::vector<std::vector<std::string>> table_after(const std::string& md, const std::string& heading) {
  const auto ls = lines(md);
  std::size_t i = 0;
  while (i < ls.size() && ls[i] != heading) ++i;
  while (i < ls.size() && ls[i].rfind("|", 0) != 0) ++i;
  std::vector<std::vector<std::string>> rows;
  for (i += 2; i < ls.size() && ls[i].rfind("|", 0) == 0; ++i) rows.push_back(cells(ls[i]));
  return rows;
}

Json figures_of(const std::string& html) {
  const std::string open = "<script type=\"application/json\" id=\"refsim-data\">";
  const std::size_t from = html.find(open) + open.size();
  return Json::parse(html.substr(from, html.find("</script>", from) - from))["figures"];
}

}  // namespace

TEST_CASE("After-action report: the Markdown has the HSEEP sections in order", "[aar]") {
  const auto s = test::aar_sample(kBaseline);
  const std::string md = after_action_markdown(s->analysis);
  const std::vector<std::string> headings{"## Exercise overview",
                                          "### Objectives",
                                          "### Participating organisations",
                                          "## Timeline of injects and decisions",
                                          "## Expected versus recorded actions",
                                          "## Decisions: the indicators before and after, and the options not taken",
                                          "## Outcome of the played run",
                                          "## Analysis of capabilities: strengths and areas for improvement",
                                          "## Improvement plan",
                                          "## All notes logged"};
  std::size_t at = 0;
  for (const std::string& h : headings) {
    INFO(h);
    const std::size_t found = md.find("\n" + h + "\n", at);
    REQUIRE(found != std::string::npos);
    at = found + 1;
  }
  // The overview: dates, scope, scenario, sponsor, capabilities, organisations and contacts.
  CHECK(has(md, "| Dates | 2026-03-10 to 2026-03-11 |"));
  CHECK(has(md,
            "| Scope | How the mechanism copes when a raid fills the shelter; scope: identification \\& referral. |"));
  CHECK(has(md, "| Sponsor | National Coordinator's Office |"));
  CHECK(has(md, "| Capabilities | Victim identification; Protection \\| assistance |"));
  CHECK(has(md, "Baseline NRM"));
  CHECK(has(md, "`scenarios/exercises/shelter-pressure.toml`"));
  CHECK(has(md, "| City Police, anti\\-trafficking unit |") == false);  // '-' is not escaped
  CHECK(has(md, "| City Police, anti-trafficking unit | "));
  CHECK(has(md, "| DI Ada Jones |"));
  CHECK(has(md, "compliance with deadline `child_to_child_protection_24h` (1d)"));
  // Every table row has as many cells as its header.
  for (const std::string& l : lines(md)) {
    if (l.rfind("|", 0) != 0) continue;
    INFO(l);
    CHECK(l.back() == '|');
  }
}

TEST_CASE("After-action report: the timeline shows simulated and exercise time", "[aar]") {
  const auto s = test::aar_sample(kBaseline);
  const std::string md = after_action_markdown(s->analysis);
  const auto rows = table_after(md, "## Timeline of injects and decisions");
  REQUIRE(rows.size() == 5);  // I1, I2, its decision, the facilitator's change, the end
  // t = 12.375 is day 12 (a Saturday: day 0 is a Monday) at 09:00; 185 s of exercise time is 03:05.
  CHECK(rows[0][0] == "day 12, Sat 09:00");
  CHECK(rows[0][1] == "03:05");
  CHECK(rows[0][2] == "**Inject** `I1`");
  CHECK(has(rows[0][3], "from Labour inspector on site, to City Police, anti-trafficking unit, by phone call"));
  CHECK(rows[1][0] == "day 20, Sun 12:00");
  CHECK(has(rows[1][3], "triggered: shelter full for 3d"));
  CHECK(rows[2][1] == "20:10");
  CHECK(rows[2][2] == "**Decision** `I2`");
  CHECK(rows[2][3] == "`overflow` Open 20 overflow beds (decided by facilitator)");
  CHECK(rows[3][2] == "**Change**");
  CHECK(rows[4][0] == "day 120, Tue 00:00");
  CHECK(rows[4][1] == "1:06:40");
  CHECK(has(md, "- `I3` A journalist asks about the children from the raid."));  // never fired
}

TEST_CASE("After-action report: expected versus recorded actions, controller notes marked", "[aar]") {
  const auto s = test::aar_sample(kBaseline);
  const std::string md = after_action_markdown(s->analysis);
  CHECK(has(md, "- **Expected action:** Screen all 60, refer the 20 children to child protection within 24 h."));
  CHECK(has(md,
            "- **Decision recorded:** `overflow` Open 20 overflow beds — decided by facilitator at day 20, Sun "
            "12:00, exercise time 20:10"));
  CHECK(has(md,
            "- **Controller note (controllers only, not shown to players):** If the players forget the children, "
            "deliver contingency inject I1b."));
  // Notes go to the inject in play when they were logged; the first came before any inject.
  const std::size_t i1 = md.find("### Inject `I1`"), i2 = md.find("### Inject `I2`"), i3 = md.find("### Inject `I3`");
  const std::size_t good = md.find("Police screened everyone before transport");
  const std::size_t beds = md.find("Nobody knew who may authorise overflow beds");
  CHECK((i1 < good && good < i2));
  CHECK((i2 < beds && beds < i3));
  CHECK(has(md, "### Notes logged before the first inject"));
  CHECK(has(md, "- **Recorded:** _the inject never fired (not reached, or its trigger never held)_"));
}

TEST_CASE("After-action report: n/a values show their reason and never 0", "[aar]") {
  const auto s = test::aar_sample(kBaseline);
  const std::string md = after_action_markdown(s->analysis);
  const auto diffs = table_after(md, "#### Versus played: the options not taken");
  REQUIRE(diffs.size() == 6);
  // Time to conviction: n/a in every pair.
  CHECK(diffs[2][0] == "Time to conviction (mean)");
  CHECK(diffs[2][2] == "_n/a: no trial concluded before the horizon in any pair_");
  CHECK(diffs[2][4] == "0");
  // Significant and not significant, shares in percentage points, with their pairs.
  CHECK(diffs[0][2] == "+2.60 days");
  CHECK(diffs[0][3] == "0.90 to 4.30");
  CHECK(diffs[0][4] == "20");
  CHECK(diffs[0][5] == "**significant**");
  CHECK(diffs[1][2] == "-3 percentage points");
  CHECK(diffs[1][5] == "not significant (the interval includes 0)");
  CHECK(diffs[4][4] == "18");
  CHECK(diffs[4][5] == "**significant**");
  // The stories: the played option's, and an n/a with its reason, each with its observations.
  const auto story = table_after(md, "#### After: the story at the horizon, per option");
  REQUIRE(story.size() == 3);
  CHECK(story[0][1] == "41.5 days (n = 212)");
  CHECK(story[1][1] == "87 % (n = 31)");
  CHECK(story[1][3] == "_n/a: no child entered in this story_ (n = 31)");
  CHECK(story[2][1] == "_n/a: no trial concluded before the horizon_ (n = 0)");
  // Before the decision.
  const auto before = table_after(md, "#### Before the decision");
  REQUIRE(before.size() == 4);
  CHECK(before[0] == std::vector<std::string>{"In the mechanism", "143 persons", "1"});
  CHECK(before[3] == std::vector<std::string>{"Shelter occupancy", "100 %", "1"});
  // Objectives: the measure with its observations, or why there is none.
  CHECK(has(md, "- **Measure:** Children referred within 24 h: 87 % (n = 31)"));
  CHECK(has(md, "- **Measure:** _none: the objective names no deadline; the notes only_"));
  // No n/a became a number.
  const std::string html = after_action_html(s->analysis);
  CHECK(has(html, "<span class=\"na\">n/a: no trial concluded before the horizon in any pair</span>"));
  CHECK_FALSE(has(md, "| 0.00 days"));
}

TEST_CASE("After-action report: hostile text is escaped in HTML and Markdown", "[aar]") {
  const auto s = test::aar_sample(kBaseline);
  const std::string html = after_action_html(s->analysis);
  // The JSON blob, Chart.js and the page's script: three elements.
  CHECK(count_of(html, "<script") == 3);
  CHECK(count_of(html, "</script>") == 3);
  CHECK_FALSE(has(html, "<b>and see</b>"));
  CHECK(has(html,
            "<h1>After-action report / improvement plan: Shelter under pressure &lt;script&gt;alert(&#39;x&#39;)"
            "&lt;/script&gt; | tabletop</h1>"));
  CHECK(has(html, "Do nothing | wait &lt;b&gt;and see&lt;/b&gt;"));
  CHECK(has(html, "Safe House &lt;NGO&gt;"));

  const std::string md = after_action_markdown(s->analysis);
  CHECK_FALSE(has(md, "<script"));
  CHECK_FALSE(has(md, "<b>"));
  CHECK(has(md,
            "# After-action report / improvement plan: Shelter under pressure &lt;script&gt;alert('x')&lt;/script&gt; "
            "\\| tabletop\n"));
  CHECK(has(md, "`nothing`: Do nothing \\| wait &lt;b&gt;and see&lt;/b&gt;"));
  // A pipe in a note does not split the improvement plan's row.
  const auto plan = table_after(md, "## Improvement plan");
  REQUIRE(plan.size() >= 1);
  CHECK(plan[0].size() == 7);
  CHECK(plan[0][1] == "No interpreter for Vietnamese \\| Khmer &lt;script&gt;x()&lt;/script&gt;");
}

TEST_CASE("After-action report: the improvement plan is pre-filled from the improvement notes", "[aar]") {
  const auto s = test::aar_sample(kBaseline);
  const std::string md = after_action_markdown(s->analysis);
  CHECK(has(md,
            "| Capability | Issue / area for improvement | Corrective action | Responsible organisation | Point of "
            "contact | Start date | Completion date |"));
  const auto plan = table_after(md, "## Improvement plan");
  // Two improvement notes, then two blank rows to fill in.
  REQUIRE(plan.size() == 4);
  // Logged while I1 (to the police) was in play, about no objective: no capability, the police's
  // organisation and contact.
  CHECK(plan[0] ==
        std::vector<std::string>{"", plan[0][1], "", "City Police, anti-trafficking unit", "DI Ada Jones", "", ""});
  // About obj_shelter, while I2 (to the shelter, no contact given) was in play.
  CHECK(plan[1] == std::vector<std::string>{"Protection \\| assistance", "Nobody knew who may authorise overflow beds.",
                                            "", "Safe House &lt;NGO&gt;", "", "", ""});
  CHECK(plan[2] == std::vector<std::string>(7, ""));
  CHECK(plan[3] == std::vector<std::string>(7, ""));
  // The objective's strengths and areas for improvement.
  CHECK(has(md, "**Strengths (1)**\n\n- Police screened everyone before transport: good practice."));
  CHECK(has(md, "**Areas for improvement (1)**\n\n- Nobody knew who may authorise overflow beds."));
  CHECK(has(md, "**Other observations (1)**"));
}

TEST_CASE("After-action report: an incomplete log says where it ends", "[aar]") {
  const auto done = test::aar_sample(kBaseline, true);
  CHECK_FALSE(has(after_action_markdown(done->analysis), "Incomplete exercise log"));
  CHECK_FALSE(has(after_action_html(done->analysis), "class=\"warning\""));

  const auto cut = test::aar_sample(kBaseline, false);
  const std::string md = after_action_markdown(cut->analysis);
  const std::string banner =
      "> **Warning:** **Incomplete exercise log.** The exercise log ends at day 20, Sun 12:00: the program was stopped "
      "before the end of the exercise (horizon day 120, Tue 00:00).";
  CHECK(has(md, banner));
  // Before the first section.
  CHECK(md.find(banner) < md.find("## Exercise overview"));
  CHECK(has(md, "_The log ends here: the program was stopped before the end._"));
  const std::string html = after_action_html(cut->analysis);
  const std::size_t warning = html.find(
      "<div class=\"warning\" role=\"alert\" id=\"incomplete\"><strong>Incomplete "
      "exercise log. </strong>The exercise log ends at day 20, Sun 12:00: the program "
      "was stopped before the end");
  CHECK(warning != std::string::npos);
  CHECK(warning < html.find("<h2>Exercise overview</h2>"));
}

TEST_CASE("After-action report: one figure per decision and unit, with pairs and significance", "[aar]") {
  const auto s = test::aar_sample(kBaseline);
  const std::string html = after_action_html(s->analysis);
  const Json figures = figures_of(html);
  // Days and percentage points: two figures; the conviction row (n/a in every pair) is not drawn.
  REQUIRE(figures.size() == 2);
  CHECK(figures[0]["rows"] == Json::array({"Time to identification (mean) (n = 20 pairs)"}));
  CHECK(figures[0]["series"].size() == 2);
  CHECK(figures[0]["series"][0]["label"] == "neighbour");
  CHECK(figures[0]["series"][1]["mean"][0].get<double>() == Approx(9.8));
  CHECK(figures[1]["rows"] == Json::array({"Children referred within 24 h (n = 20/18 pairs)"}));
  CHECK(figures[1]["series"][0]["significant"][0] == false);
  CHECK(figures[1]["series"][1]["significant"][0] == true);
  CHECK(figures[1]["series"][1]["lo"][0].get<double>() == Approx(-19));
  CHECK(count_of(html, "<canvas id=\"figure-") == 2);
  // Self-contained: no URL to load.
  CHECK_FALSE(has(html, "src="));
  CHECK_FALSE(has(html, "href="));
}

TEST_CASE("After-action report: an exercise without decisions or notes says so", "[aar]") {
  const auto s = test::aar_sample(kBaseline);
  ExerciseAnalysis a = s->analysis;
  a.decisions.clear();
  a.notes.clear();
  a.fired.clear();
  a.log.clear();
  a.outcome.clear();
  const std::string md = after_action_markdown(a);
  CHECK(has(md, "_No decision was taken in this exercise"));
  CHECK(has(md, "_No area for improvement was noted; add rows as the after-action meeting agrees them._"));
  CHECK(has(md, "_No note was logged._"));
  CHECK(has(md, "_No indicator of the played run was computed._"));
  const std::string html = after_action_html(a);
  CHECK(figures_of(html).empty());
}

TEST_CASE("After-action report: an analysis without its exercise is refused", "[aar]") {
  ExerciseAnalysis a;
  CHECK_THROWS_AS(after_action_markdown(a), std::invalid_argument);
  CHECK_THROWS_AS(after_action_html(a), std::invalid_argument);
}

TEST_CASE("After-action report: an indicator the same under every option is not drawn", "[aar]") {
  const auto s = test::aar_sample(kBaseline);
  ExerciseAnalysis a = s->analysis;
  for (OptionOutcome& o : a.decisions[0].options) {
    if (o.played) continue;
    OptionDifference& d = o.versus_played[0];  // time to identification
    d.mean = d.ci_low = d.ci_high = 0.0;
    d.significant = false;
  }
  const std::string html = after_action_html(a);
  const Json figures = figures_of(html);
  REQUIRE(figures.size() == 1);
  CHECK(figures[0]["rows"] == Json::array({"Children referred within 24 h (n = 20/18 pairs)"}));
  CHECK(has(html,
            "Decision I2: options not taken minus played (days), not drawn: the same under every option in every "
            "pair: Time to identification (mean)."));
  CHECK(has(html, "Decision I2: options not taken minus played (days): nothing to draw"));
  const auto diffs = table_after(after_action_markdown(a), "#### Versus played: the options not taken");
  REQUIRE(diffs.size() == 6);
  CHECK(diffs[0][2] == "0 days");
  CHECK(diffs[0][5] == "not significant (the same in every pair)");
}
