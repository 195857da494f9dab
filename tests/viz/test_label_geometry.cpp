// The labels as refsim-viz draws them (render.hpp, agency_labels()), with the real font: for every
// library scenario and the four-country fixture, at 1600x1000 and the view that fits the whole
// graph (as the window opens), every agency's name is drawn, at a readable size, fully inside the
// graph area, clear of every other label and of every disc, and no two agencies of different
// names in one country get the same label. Needs a display for the font's
// glyphs (CTest runs it under xvfb-run).
#include <SFML/Graphics/Text.hpp>
#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>
#include <filesystem>
#include <string>
#include <vector>

#include "sim/graph/referral_graph.hpp"
#include "sim/scenario/loader.hpp"
#include "viz/render.hpp"
#include "viz/scene.hpp"
#include "viz/simulation.hpp"
#include "viz/snapshot.hpp"

using namespace refsim;
using namespace refsim::viz;

namespace {

constexpr const char* kFont = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf";
constexpr float kReadable = 10;  // px: the smallest name size accepted

std::vector<std::filesystem::path> scenario_files() {
  std::vector<std::filesystem::path> out;
  for (const auto& e : std::filesystem::directory_iterator(std::filesystem::path(REFSIM_SOURCE_DIR) / "scenarios"))
    if (e.path().extension() == ".toml") out.push_back(e.path());
  std::sort(out.begin(), out.end());
  out.push_back(std::filesystem::path(REFSIM_SOURCE_DIR) / "tests/viz/four_countries.toml");
  return out;
}

struct Checked {
  std::size_t agencies = 0;
  float smallest = 1e9f;
  std::vector<std::string> problems;
};

Checked check(const std::filesystem::path& file, const Fonts& fonts, unsigned width, unsigned height) {
  const Scenario s = load_scenario(file.string());
  const ReferralGraph g(s);
  const ScreenLayout screen = ScreenLayout::for_size(width, height);
  const Scene scene(s, g, fonts.regular, {screen.graph.width, screen.graph.height});
  Camera cam;
  cam.fit(scene.layout().bounds, screen.graph);  // as App does when the window opens
  Simulation sim(s, g, s.run.seed);
  sim.advance_to(120);
  const Snapshot snap = take_snapshot(sim);
  const std::vector<AgencyLabel> labels = agency_labels(scene, snap, cam, fonts);
  std::vector<LabelRect> rects;
  std::vector<bool> shown;
  Checked out;
  out.agencies = labels.size();
  for (const AgencyLabel& l : labels) {
    rects.push_back(l.rect);
    shown.push_back(l.shown);
    out.smallest = std::min(out.smallest, l.name_size);
  }
  const LabelRect canvas{screen.graph.left, screen.graph.top, screen.graph.left + screen.graph.width,
                         screen.graph.top + screen.graph.height};
  for (const LabelProblem& p : label_problems(rects, shown, agency_discs(scene, cam), canvas))
    out.problems.push_back(describe(p, s));
  // Different names, different labels, in one country (the frames tell countries apart).
  for (AgencyId a = 0; a < s.agencies.size(); ++a)
    for (AgencyId b = a + 1; b < s.agencies.size(); ++b)
      if (s.agencies[a].name != s.agencies[b].name && s.agencies[a].country == s.agencies[b].country &&
          scene.node(a).label_lines == scene.node(b).label_lines)
        out.problems.push_back("'" + s.agencies[a].id + "' and '" + s.agencies[b].id + "' have the same label");
  return out;
}

}  // namespace

TEST_CASE("Label geometry: every agency's name is legible at 1600x1000 in every library scenario") {
  Fonts fonts;
  REQUIRE(fonts.regular.loadFromFile(kFont));
  fonts.bold = fonts.regular;
  const auto files = scenario_files();
  CHECK(files.size() >= 13);  // 12 library scenarios and the fixture
  for (const auto& file : files) {
    const Checked c = check(file, fonts, 1600, 1000);
    INFO(file.filename().string() << ": " << c.agencies << " agencies, smallest name " << c.smallest << " px");
    std::string problems;
    for (const std::string& p : c.problems) problems += "\n  " + p;
    INFO("problems:" << problems);
    CHECK(c.problems.empty());
    CHECK(c.smallest >= kReadable);
  }
}

TEST_CASE("Label geometry: a label's rectangle holds its text as drawn") {
  Fonts fonts;
  REQUIRE(fonts.regular.loadFromFile(kFont));
  fonts.bold = fonts.regular;
  const Scenario s = load_scenario(std::string(REFSIM_SOURCE_DIR) + "/tests/viz/four_countries.toml");
  const ReferralGraph g(s);
  const Scene scene(s, g, fonts.regular, {1220, 934});
  Camera cam;
  cam.fit(scene.layout().bounds, {0, 0, 1220, 934});
  Simulation sim(s, g, s.run.seed);
  const Snapshot snap = take_snapshot(sim);
  const std::vector<AgencyLabel> labels = agency_labels(scene, snap, cam, fonts);
  for (AgencyId a = 0; a < s.agencies.size(); ++a) {
    const AgencyLabel& l = labels[a];
    INFO(s.agencies[a].id);
    REQUIRE(l.shown);
    for (const std::string& line : scene.node(a).label_lines) {
      sf::Text t(utf8(line), fonts.regular, static_cast<unsigned>(std::lround(l.name_size)));
      const float w = t.getLocalBounds().width + t.getLocalBounds().left;
      CHECK(l.rect.x0 <= l.x - w / 2);
      CHECK(l.rect.x1 >= l.x + w / 2);
    }
    // Below its own disc.
    const sf::Vector2f c = cam.to_screen(scene.centre(a));
    CHECK(l.rect.y0 > c.y);
  }
}

TEST_CASE("Label geometry: a shortened label is marked so, and its full name is in the hover box") {
  Fonts fonts;
  REQUIRE(fonts.regular.loadFromFile(kFont));
  fonts.bold = fonts.regular;
  const Scenario s = load_scenario(std::string(REFSIM_SOURCE_DIR) + "/tests/viz/four_countries.toml");
  const ReferralGraph g(s);
  const Scene scene(s, g, fonts.regular, {1220, 934});
  AgencyId programme = 0;
  for (AgencyId a = 0; a < s.agencies.size(); ++a)
    if (s.agencies[a].id == "sk_programme") programme = a;
  CHECK(scene.node(programme).shortened);
  const sf::FloatRect box = hover_box(scene, programme, {300, 300}, fonts, {0, 0, 1600, 1000});
  sf::Text t(utf8(s.agencies[programme].name), fonts.bold, 13);
  CHECK(box.width >= t.getLocalBounds().width);
  CHECK(box.left >= 300);
  // Near the window's right edge, it stays inside.
  const sf::FloatRect edge = hover_box(scene, programme, {1590, 990}, fonts, {0, 0, 1600, 1000});
  CHECK(edge.left + edge.width <= 1600);
  CHECK(edge.top + edge.height <= 1000);
}
