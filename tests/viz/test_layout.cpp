// sim/graph/layout: deterministic, overlap-free placement of agencies, grouped by country.
#include <catch2/catch.hpp>
#include <cmath>
#include <string>

#include "sim/graph/layout.hpp"
#include "sim/scenario/loader.hpp"

using namespace refsim;

namespace {

/// A scenario of n agencies spread over `countries` countries (0: none), linked by a chain of
/// referrals plus a few cross links, with declared positions when `positions` is set.
Scenario generated(int n, int countries, bool positions = false) {
  std::string t = "[scenario]\nname = \"layout test\"\n[run]\nhorizon = \"30d\"\n";
  for (int i = 0; i < n; ++i) {
    t += "[[agency]]\nid = \"a" + std::to_string(i) + "\"\nname = \"Agency number " + std::to_string(i) +
         (i % 3 == 0 ? " with a rather long name" : "") + "\"\nservers = " + std::to_string(1 + (i * 7) % 40) +
         "\nservice = \"1d\"\n";
    if (countries > 0) t += "country = \"C" + std::to_string(i % countries) + "\"\n";
    if (positions) t += "position = [" + std::to_string(i % 5) + ", " + std::to_string(i / 5) + "]\n";
  }
  t += "[[source]]\nid = \"s\"\nto = \"a0\"\nrate = 1\n";
  for (int i = 0; i + 1 < n; ++i) {
    t += "[[referral]]\nfrom = \"a" + std::to_string(i) + "\"\nto = \"a" + std::to_string(i + 1) +
         "\"\nprobability = 0.5\n";
    const int j = (i * 37 + 11) % n;
    if (j != i && j != i + 1) {
      t += "[[referral]]\nfrom = \"a" + std::to_string(i) + "\"\nto = \"a" + std::to_string(j) +
           "\"\nprobability = 0.2\n";
    }
  }
  return load_scenario_text(t, "generated.toml");
}

std::vector<NodeBox> boxes_for(const Scenario& s) {
  std::vector<NodeBox> b;
  for (std::size_t i = 0; i < s.agencies.size(); ++i) {
    const double r = 15 + static_cast<double>(i % 4) * 8;
    b.push_back(NodeBox{60 + r, 70 + r, r + 10, r + 45});
  }
  return b;
}

void require_no_overlap(const GraphLayout& l, const std::vector<NodeBox>& boxes) {
  std::size_t overlaps = 0;
  for (std::size_t i = 0; i < boxes.size(); ++i)
    for (std::size_t j = i + 1; j < boxes.size(); ++j)
      if (boxes_overlap(l.positions[i], boxes[i], l.positions[j], boxes[j])) ++overlaps;
  CHECK(overlaps == 0);
  CHECK(l.overlapping_pairs == 0);
}

}  // namespace

TEST_CASE("layout: the same scenario and boxes give the same positions, bit for bit") {
  const Scenario s = generated(40, 3);
  const auto boxes = boxes_for(s);
  for (bool compact : {false, true}) {
    LayoutOptions opt;
    opt.compact = compact;
    const GraphLayout a = layout_agencies(s, boxes, opt), b = layout_agencies(s, boxes, opt);
    REQUIRE(a.positions.size() == 40);
    for (std::size_t i = 0; i < a.positions.size(); ++i) {
      CHECK(a.positions[i].x == b.positions[i].x);
      CHECK(a.positions[i].y == b.positions[i].y);
    }
  }
}

TEST_CASE("layout: no two agency boxes overlap (force-directed, with and without countries)") {
  for (int countries : {0, 1, 4}) {
    const Scenario s = generated(120, countries);
    const auto boxes = boxes_for(s);
    const GraphLayout l = layout_agencies(s, boxes);
    INFO("countries: " << countries);
    require_no_overlap(l, boxes);
    for (const Point2& p : l.positions) CHECK((std::isfinite(p.x) && std::isfinite(p.y)));
  }
}

TEST_CASE("layout: each country's frame holds its own agencies and nobody else's") {
  const Scenario s = generated(60, 4);
  const auto boxes = boxes_for(s);
  const GraphLayout l = layout_agencies(s, boxes);
  REQUIRE(l.groups.size() == 4);
  for (const CountryGroup& g : l.groups) {
    for (AgencyId a = 0; a < s.agencies.size(); ++a) {
      const Point2 p = l.positions[a];
      const NodeBox& b = boxes[a];
      const bool member = s.agencies[a].country == g.country;
      const bool inside = p.x - b.left >= g.frame.x0 && p.x + b.right <= g.frame.x1 && p.y - b.up >= g.frame.y0 &&
                          p.y + b.down <= g.frame.y1;
      const bool touches = p.x + b.right > g.frame.x0 && p.x - b.left < g.frame.x1 && p.y + b.down > g.frame.y0 &&
                           p.y - b.up < g.frame.y1;
      INFO("country " << g.country << ", agency " << s.agencies[a].id);
      if (member) CHECK(inside);
      if (!member) CHECK_FALSE(touches);
    }
  }
}

TEST_CASE("layout: declared positions keep their arrangement, scaled so boxes do not overlap") {
  const Scenario s = generated(10, 0, /*positions=*/true);  // a 5 × 2 grid
  const auto boxes = boxes_for(s);
  const GraphLayout l = layout_agencies(s, boxes);
  require_no_overlap(l, boxes);
  // One uniform scale k: position = k × declared.
  const double k = l.positions[1].x - l.positions[0].x;
  REQUIRE(k > 0);
  for (AgencyId a = 0; a < s.agencies.size(); ++a) {
    CHECK(l.positions[a].x == Approx(k * s.agencies[a].position->first).margin(1e-6));
    CHECK(l.positions[a].y == Approx(k * s.agencies[a].position->second).margin(1e-6));
  }
}

TEST_CASE("layout: agencies without a position join declared ones without overlapping them") {
  std::string t = "[scenario]\nname = \"mixed\"\n[run]\nhorizon = \"30d\"\n";
  for (int i = 0; i < 8; ++i) {
    t += "[[agency]]\nid = \"a" + std::to_string(i) + "\"\nservers = 1\nservice = \"1d\"\n";
    if (i < 3) t += "position = [" + std::to_string(i * 3) + ", 0]\n";
  }
  t += "[[source]]\nid = \"s\"\nto = \"a0\"\nrate = 1\n";
  for (int i = 0; i < 7; ++i)
    t += "[[referral]]\nfrom = \"a" + std::to_string(i) + "\"\nto = \"a" + std::to_string(i + 1) +
         "\"\nprobability = 0.5\n";
  const Scenario s = load_scenario_text(t, "mixed.toml");
  const auto boxes = boxes_for(s);
  const GraphLayout l = layout_agencies(s, boxes);
  require_no_overlap(l, boxes);
  // The declared three stay on one horizontal line, evenly spaced, in order.
  CHECK(l.positions[0].y == l.positions[1].y);
  CHECK(l.positions[1].y == l.positions[2].y);
  CHECK(l.positions[2].x - l.positions[1].x == Approx(l.positions[1].x - l.positions[0].x));
  CHECK(l.positions[1].x > l.positions[0].x);
}

TEST_CASE("layout: country frames fill the aspect ratio of the area they are drawn in") {
  const Scenario s = generated(60, 6);
  const auto boxes = boxes_for(s);
  for (double aspect : {0.8, 1.3, 2.0}) {
    LayoutOptions opt;
    opt.aspect = aspect;
    const GraphLayout l = layout_agencies(s, boxes, opt);
    INFO("aspect " << aspect);
    require_no_overlap(l, boxes);
    const double have = l.bounds.width() / l.bounds.height();
    CHECK(have > aspect / 1.25);
    CHECK(have < aspect * 1.25);
    // Not a thin strip or a small cluster: the frames cover much of the whole.
    double frames = 0;
    for (const CountryGroup& g : l.groups) frames += g.frame.width() * g.frame.height();
    CHECK(frames > 0.45 * l.bounds.width() * l.bounds.height());
  }
}

TEST_CASE("layout: compact, a country's agencies are not spread far beyond the room their boxes need") {
  const Scenario s = generated(42, 6);
  const auto boxes = boxes_for(s);
  LayoutOptions opt;
  opt.compact = true;
  const GraphLayout l = layout_agencies(s, boxes, opt);
  require_no_overlap(l, boxes);
  for (const CountryGroup& g : l.groups) {
    double need = 0;
    for (AgencyId a : g.members) need += (boxes[a].left + boxes[a].right) * (boxes[a].up + boxes[a].down);
    INFO("country " << g.country);
    CHECK(g.frame.width() * g.frame.height() < 3.5 * need);
  }
}
