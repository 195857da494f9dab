// Cohorts chosen by the scenario ([cohorts] by), and results per country for regional scenarios.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>
#include <sstream>
#include <string>

#include "sim/report/report.hpp"
#include "support.hpp"

using namespace refsim;

namespace {

/// Two countries: Ghana's desk (no country named on the second desk: the home country, GH) and
/// Côte d'Ivoire's, each with its own arrivals, and a referral across the border.
std::string two_countries(const std::string& cohorts) {
  return R"([scenario]
name = "two countries"
country = "GH"
[run]
horizon = "400d"
warmup = "30d"
replications = 3
seed = 9
)" + cohorts +
         R"(
[[agency]]
id = "desk_gh"
servers = 2
service = { dist = "exponential", mean = "1d" }
[[agency]]
id = "shelter_gh"
servers = "unlimited"
service = { dist = "exponential", mean = "10d" }
[[agency]]
id = "desk_ci"
country = "CI"
servers = 1
service = { dist = "exponential", mean = "1d" }
[[profile]]
id = "girls"
child = 1
female = 1
[[source]]
id = "in_gh"
to = "desk_gh"
rate = 0.6
[[source]]
id = "in_ci"
to = "desk_ci"
rate = 0.3
profile = "girls"
[[referral]]
from = "desk_gh"
to = "shelter_gh"
probability = 0.5
[[referral]]
from = "desk_ci"
to = "shelter_gh"
probability = 1
)";
}

RunResult run_cohorts(const Scenario& s) { return test::run_scenario(s); }

}  // namespace

TEST_CASE("Cohorts: the default scheme is age x exploitation x foreign in today's order") {
  const CohortScheme d;
  CHECK(d.count() == 20);
  CHECK(d.name(0) == "child/sexual/national");
  CHECK(d.name(1) == "child/sexual/foreign");
  CHECK(d.name(19) == "adult/other/foreign");
  CHECK(d.describe() == "age × exploitation × foreign");
  Attributes a{};
  a[attr::kChild] = 0;  // an adult: the engine always sets adult = 1 − child
  a[attr::kAdult] = 1;
  a[attr::kExploitation] = 1;  // labour
  a[attr::kForeign] = 1;
  CHECK(d.name(d.of(a, 0)) == "adult/labour/foreign");
}

TEST_CASE("Cohorts: a scenario chooses its dimensions and every person counts in one cohort") {
  const Scenario s = test::scenario(two_countries("[cohorts]\nby = [\"sex\", \"entry_country\"]\n"));
  REQUIRE(s.cohorts.count() == 4);
  CHECK(s.cohorts.name(0) == "female/CI");
  CHECK(s.cohorts.name(3) == "male/GH");
  const RunResult r = run_cohorts(s);
  for (const auto& rep : r.replications) {
    REQUIRE(rep.cohorts.size() == 5);  // four, then overall
    double entered = 0;
    for (std::size_t c = 0; c < 4; ++c) entered += rep.cohorts[c].entered;
    CHECK(entered == rep.cases.entered);
    // Every Ivorian entrant is a girl (profile "girls"): no male/CI; the default profile is female
    // adults (sex index 0), so nobody is male at all.
    CHECK(rep.cohorts[2].entered == 0);   // male/CI
    CHECK(rep.cohorts[3].entered == 0);   // male/GH
    CHECK(rep.cohorts[0].entered > 50);   // female/CI: ~0.3 a day over 370 days
    CHECK(rep.cohorts[1].entered > 150);  // female/GH: ~0.6 a day
    CHECK(rep.deadlines.empty());
  }
  const std::string summary = summary_json({s, s.run.seed, s.run.replications}, r);
  const auto j = nlohmann::json::parse(summary);
  CHECK(j["cohorts"].contains("female/GH"));
  CHECK_FALSE(j["cohorts"].contains("adult/other/national"));
}

TEST_CASE("Cohorts: bad [cohorts] tables are located errors") {
  using test::load_error;
  CHECK(load_error(two_countries("[cohorts]\nby = [\"age\", \"height\"]\n")) ==
        "test.toml:10:14: [cohorts]: by must name dimensions (age, sex, exploitation, foreign, nationality, "
        "entry_country), got \"height\"");
  CHECK(load_error(two_countries("[cohorts]\nby = [\"age\", \"age\"]\n")) ==
        "test.toml:10:14: [cohorts]: by names \"age\" twice");
  CHECK(load_error(two_countries("[cohorts]\nby = \"age\"\n")).find("by must be an array of dimensions") !=
        std::string::npos);
  CHECK(load_error(two_countries("[cohorts]\nbuy = [\"age\"]\n")).find("unknown key 'buy' in [cohorts]") !=
        std::string::npos);
  // entry_country needs countries.
  std::string no_country = two_countries("[cohorts]\nby = [\"entry_country\"]\n");
  no_country.replace(no_country.find("country = \"GH\"\n"), 15, "");
  no_country.replace(no_country.find("country = \"CI\"\n"), 15, "");
  CHECK(load_error(no_country).find("\"entry_country\" needs countries") != std::string::npos);
  // More than kMaxCohorts: 26 countries × 5 exploitation types × 2 sexes = 260.
  std::ostringstream many;
  many << "[scenario]\nname = \"many\"\n[run]\nhorizon = \"10d\"\n[cohorts]\nby = [\"entry_country\", "
          "\"exploitation\", \"sex\"]\n";
  for (char c = 'A'; c <= 'Z'; ++c)
    many << "[[agency]]\nid = \"a" << static_cast<char>(c - 'A' + 'a') << "\"\ncountry = \"A" << c
         << "\"\nservers = 1\nservice = \"1d\"\n";
  many << "[[source]]\nid = \"in\"\nto = \"aa\"\nrate = 1\n";
  CHECK(load_error(many.str()) ==
        "test.toml:6:40: [cohorts]: by gives 260 cohorts (entry_country × exploitation × sex), more than 256");
}

TEST_CASE("Countries: a regional scenario's results per country of entry and per agency country") {
  const Scenario s = test::scenario(two_countries(""));
  REQUIRE(s.by_country());
  REQUIRE(s.countries == std::vector<std::string>{"CI", "GH"});
  const RunResult r = run_cohorts(s);
  for (const auto& rep : r.replications) {
    REQUIRE(rep.countries.size() == 2);
    REQUIRE(rep.agency_countries.size() == 2);
    // Persons by where they entered: they add up to everyone, and the Ivorians are the girls.
    CHECK(rep.countries[0].entered + rep.countries[1].entered == rep.cases.entered);
    // (girls of the default nationality, the home country's: foreign in Côte d'Ivoire)
    CHECK(s.cohorts.name(9) == "child/other/foreign");
    CHECK(rep.countries[0].entered == rep.cohorts[9].entered);
    // Agencies by their country: Ghana has two (the shelter names none: the home country's).
    CHECK(rep.agency_countries[1].arrivals == rep.agencies[0].arrivals + rep.agencies[1].arrivals);
    CHECK(rep.agency_countries[0].arrivals == rep.agencies[2].arrivals);
    CHECK(rep.agency_countries[0].utilization == Approx(rep.agencies[2].utilization).epsilon(1e-12));
    // Ghana's wait pools the desk's visits (the shelter never makes anyone wait).
    CHECK(rep.agency_countries[1].mean_wait_days <= rep.agencies[0].mean_wait_days);
  }
  const RunContext ctx{s, s.run.seed, s.run.replications};
  const auto j = nlohmann::json::parse(summary_json(ctx, r));
  REQUIRE(j.contains("countries"));
  CHECK(j["countries"]["GH"]["agencies"] == nlohmann::json::array({"desk_gh", "shelter_gh"}));
  CHECK(j["countries"]["CI"]["entered_here"]["entered"]["mean"].get<double>() > 50);
  CHECK(j["countries"]["CI"]["at_its_agencies"]["beds_occupied"]["not_applicable"].is_string());
  const std::string csv = countries_csv(ctx, r);
  CHECK(csv.rfind("replication,country,group,metric,value,observations,note\n", 0) == 0);
  CHECK(csv.find("\n0,CI,entered_here,entered,") != std::string::npos);
  CHECK(csv.find("\n2,GH,at_its_agencies,arrivals,") != std::string::npos);
  // One country: no per-country block.
  std::string one = two_countries("");
  one.replace(one.find("country = \"CI\"\n"), 15, "");
  const Scenario single = test::scenario(one);
  CHECK_FALSE(single.by_country());
  const RunResult rs = run_cohorts(single);
  CHECK(rs.replications[0].countries.empty());
  CHECK_FALSE(nlohmann::json::parse(summary_json({single, 9, 3}, rs)).contains("countries"));
}
