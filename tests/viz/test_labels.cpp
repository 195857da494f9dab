// viz/labels: agencies' short names (deterministic shortening and wrapping) and the check that
// label rectangles stay inside the canvas, clear of each other and of every disc.
#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "sim/scenario/loader.hpp"
#include "viz/labels.hpp"

using namespace refsim;
using namespace refsim::viz;

TEST_CASE("Labels: a short name that fits is kept as it is") {
  CHECK(short_name("Shelter", {}, 22, 2) == "Shelter");
  CHECK(wrap_label("Shelter", 22, 2) == std::vector<std::string>{"Shelter"});
  CHECK(short_name("Police anti-trafficking unit", {}, 22, 2) == "Police anti-trafficking unit");
  CHECK(wrap_label("Police anti-trafficking unit", 22, 2) ==
        std::vector<std::string>{"Police", "anti-trafficking unit"});
}

TEST_CASE("Labels: parentheticals are dropped") {
  CHECK(short_name("Return to Myanmar (IOM and consular services)", {}, 22, 2) == "Return to Myanmar");
  CHECK(short_name("Regional seafarers' centre (NGO shelter; overflow from national shelters)", {}, 22, 2) ==
        "Regional seafarers' centre");
  // Nothing left without them: the name stays.
  CHECK(short_name("(unnamed)", {}, 22, 2) == "(unnamed)");
}

TEST_CASE("Labels: the country segment a frame repeats is dropped") {
  const std::vector<std::string> names{"Port inspection of labour conditions, Thailand",
                                       "Competent authority, Thailand: reasonable-grounds decisions",
                                       "Shelter, Thailand", "Return to Thailand (IOM)"};
  const std::string common = common_segment(names);
  CHECK(common == ", Thailand");
  CHECK(short_name(names[2], {common}, 22, 2) == "Shelter");
  CHECK(short_name(names[1], {common}, 22, 2) == "Competent authority: RG decisions");
  CHECK(short_name(names[3], {common}, 22, 2) == "Return to Thailand");
  // Shared by fewer than half: not a country segment.
  CHECK(common_segment({"Shelter, north", "Police", "Court"}).empty());
  CHECK(common_segment({"Shelter"}).empty());
  // Inside parentheses does not count.
  CHECK(common_segment({"La Strada, Czechia (counselling, social and legal services)", "Return (IOM Prague)"}) ==
        ", Czechia");
}

TEST_CASE("Labels: known words are abbreviated only while the name does not fit") {
  CHECK(short_name("Competent authority: conclusive-grounds decisions", {}, 22, 2) ==
        "Competent authority: CG decisions");
  CHECK(short_name("Medical, psychological, legal and interpretation services", {}, 22, 2) ==
        "Medical, psych., legal & interp. services");
  // Wide enough: nothing abbreviated.
  CHECK(short_name("Competent authority: conclusive-grounds decisions", {}, 30, 2) ==
        "Competent authority: conclusive-grounds decisions");
  // Whole words only: "and" inside "Strand" stays.
  CHECK(short_name("Strand office and the long-named annex of it", {}, 12, 2).find("Strand") == 0);
}

TEST_CASE("Labels: what still does not fit ends in an ellipsis on the last line") {
  const std::vector<std::string> l = wrap_label("Programme of support and protection of victims of trafficking", 22, 2);
  REQUIRE(l.size() == 2);
  CHECK(l[0] == "Programme of support");
  CHECK(l[1] == "and protection of…");
  for (const std::string& line : l) CHECK(code_points(line) <= 22);
  // A word longer than a line is cut.
  const std::vector<std::string> w = wrap_label("Antidisestablishmentarianism", 10, 2);
  REQUIRE(w.size() == 1);
  CHECK(w[0] == "Antidises…");
  CHECK(code_points(w[0]) == 10);
}

TEST_CASE("Labels: shortening is deterministic and never longer than the name") {
  const std::string name = "Medical, psychological, legal and interpretation services, Viet Nam";
  const std::string a = short_name(name, {", Viet Nam"}, 22, 2), b = short_name(name, {", Viet Nam"}, 22, 2);
  CHECK(a == b);
  CHECK(code_points(a) <= code_points(name));
}

TEST_CASE("Labels: label rectangles inside the canvas and apart from each other and from discs pass") {
  const std::vector<LabelRect> labels{{10, 40, 90, 60}, {110, 40, 190, 60}};
  const std::vector<DiscMark> discs{{50, 20, 15}, {150, 20, 15}};
  CHECK(label_problems(labels, {true, true}, discs, {0, 0, 200, 100}).empty());
}

TEST_CASE("Labels: overlaps, a label outside the canvas and a hidden label are each reported") {
  const std::vector<DiscMark> discs{{50, 20, 15}, {150, 20, 15}};
  SECTION("two labels overlap") {
    const auto p = label_problems({{10, 40, 120, 60}, {110, 40, 190, 60}}, {true, true}, discs, {0, 0, 200, 100});
    REQUIRE(p.size() == 1);
    CHECK(p[0].kind == LabelProblem::Kind::overlaps_label);
    CHECK(p[0].agency == 0);
    CHECK(p[0].other == 1);
  }
  SECTION("a label overlaps a disc, its own included") {
    const auto p = label_problems({{10, 30, 90, 60}, {110, 40, 190, 60}}, {true, true}, discs, {0, 0, 200, 100});
    REQUIRE(p.size() == 1);
    CHECK(p[0].kind == LabelProblem::Kind::overlaps_disc);
    CHECK(p[0].other == 0);
  }
  SECTION("touching is not overlapping") {
    CHECK(label_problems({{10, 40, 110, 60}, {110, 40, 190, 60}}, {true, true}, discs, {0, 0, 200, 100}).empty());
  }
  SECTION("a label leaves the canvas") {
    const auto p = label_problems({{10, 40, 90, 60}, {110, 40, 210, 60}}, {true, true}, discs, {0, 0, 200, 100});
    REQUIRE(p.size() == 1);
    CHECK(p[0].kind == LabelProblem::Kind::outside);
    CHECK(p[0].agency == 1);
  }
  SECTION("a label is not drawn") {
    const auto p = label_problems({{10, 40, 90, 60}, {110, 40, 190, 60}}, {true, false}, discs, {0, 0, 200, 100});
    REQUIRE(p.size() == 1);
    CHECK(p[0].kind == LabelProblem::Kind::hidden);
  }
}

TEST_CASE("Labels: problems are described by agency id") {
  const Scenario s = load_scenario_text(R"(
[scenario]
name = "two"
[run]
horizon = "10d"
[[agency]]
id = "shelter"
servers = 1
service = "1d"
[[agency]]
id = "police"
servers = 1
service = "1d"
[[source]]
id = "s"
to = "shelter"
rate = 1
)",
                                        "two.toml");
  CHECK(describe({LabelProblem::Kind::overlaps_disc, 0, 1}, s) == "label of 'shelter' overlaps the disc of 'police'");
  CHECK(describe({LabelProblem::Kind::outside, 1, 1}, s) == "label of 'police' is not entirely inside the canvas");
}

TEST_CASE("Labels: names that would get the same label keep what tells them apart") {
  const std::vector<std::string> names{"Woreda labour and social affairs offices, Oromia",
                                       "Woreda labour and social affairs offices, Amhara", "Federal police"};
  const auto lines = agency_label_lines(names, {"ET", "ET", "ET"}, {{}, {}, {}}, 22, 2);
  REQUIRE(lines.size() == 3);
  CHECK(lines[0] != lines[1]);
  CHECK(lines[0].back().find("Oromia") != std::string::npos);
  CHECK(lines[1].back().find("Amhara") != std::string::npos);
  for (const auto& l : lines) {
    CHECK(l.size() <= 2);
    for (const std::string& line : l) CHECK(code_points(line) <= 22);
  }
  CHECK(lines[2] == std::vector<std::string>{"Federal police"});
  // The same name twice stays the same label.
  const auto twice = agency_label_lines({"Shelter", "Shelter"}, {"ET", "ET"}, {{}, {}}, 22, 2);
  CHECK(twice[0] == twice[1]);
  // In different countries the same label is fine: the frames name them.
  const auto apart = agency_label_lines({names[0], names[1]}, {"ET", "KE"}, {{}, {}}, 22, 2);
  CHECK(apart[0] == apart[1]);
}
