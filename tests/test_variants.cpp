// Variants ([variant] base = …, [set], [[add.X]], [remove]), --set overrides and refsim diff.
// Error messages are pinned exactly, with their file:line:column: they are the user interface.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <random>

#include <nlohmann/json.hpp>

#include "sim/scenario/diff.hpp"
#include "sim/scenario/schema.hpp"
#include "support.hpp"

using namespace refsim;
namespace fs = std::filesystem;

namespace {

const std::string kSource = REFSIM_SOURCE_DIR;
const std::string kBad = kSource + "/tests/data/bad/variants/";

// A small base; the tests write variants of it beside it.
const std::string kBase = R"([scenario]
name = "Two desks"

[run]
horizon = "100d"

[[agency]]
id = "intake"
servers = 2
service = { dist = "exponential", mean = "1d" }

[[agency]]
id = "shelter"
beds = 5
service = "3d"

[[source]]
id = "walk_in"
to = "intake"
rate = 1.5

[[referral]]
from = "intake"
to = "shelter"
probability = 0.4
delay = "12h"
)";

/// A fresh directory holding base.toml, removed at the end of the test.
struct Dir {
  fs::path path;
  Dir() {
    std::random_device rd;
    path = fs::temp_directory_path() / ("refsim_variants_" + std::to_string(rd()));
    fs::create_directories(path);
    write("base.toml", kBase);
  }
  ~Dir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
  std::string write(const std::string& name, const std::string& text) const {
    std::ofstream(path / name) << text;
    return (path / name).string();
  }
};

std::string error_of(const std::string& file, const std::vector<std::string>& sets = {}) {
  try {
    (void)load_scenario(file, sets);
  } catch (const ScenarioError& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST_CASE("Variants: [set] changes keys by path and the variant loads as an ordinary scenario") {
  const Dir d;
  const std::string v = d.write("v.toml", R"([variant]
base = "base.toml"
name = "More staff"

[set]
"agency.intake.servers" = 4
agency.shelter.beds = 9
"referral.intake->shelter.probability" = 0.6
"run.horizon" = "200d"
"agency.intake.service.mean" = "2d"
)");
  const Scenario s = load_scenario(v);
  CHECK(s.name == "More staff");
  CHECK(s.file == v);
  CHECK(s.agencies[0].servers == 4);
  CHECK(s.agencies[1].servers == 9);
  CHECK(s.referrals[0].probability == 0.6);
  CHECK(s.run.horizon == 200);
  CHECK(s.agencies[0].service.mean() == Approx(2.0));
}

TEST_CASE("Variants: without a name the variant is called after its base and its file") {
  const Dir d;
  const std::string v =
      d.write("staff-cut.toml", "[variant]\nbase = \"base.toml\"\n[set]\n\"agency.intake.servers\" = 1\n");
  CHECK(load_scenario(v).name == "Two desks — variant staff-cut");
}

TEST_CASE("Variants: [[add.X]] appends and [remove] takes away by id and by referral key") {
  const Dir d;
  const std::string v = d.write("v.toml", R"([variant]
base = "base.toml"

[remove]
referral = ["intake->shelter"]

[[add.agency]]
id = "legal_aid"
servers = 1
service = "1d"

[[add.referral]]
from = "intake"
to = "legal_aid"
probability = 0.3
)");
  const Scenario s = load_scenario(v);
  REQUIRE(s.agencies.size() == 3);
  CHECK(s.agencies[2].id == "legal_aid");
  REQUIRE(s.referrals.size() == 1);
  CHECK(s.referrals[0].key == "intake->legal_aid");
}

TEST_CASE("Variants: a variant of a variant applies both in order") {
  const Dir d;
  d.write("v1.toml",
          "[variant]\nbase = \"base.toml\"\n[set]\n\"agency.intake.servers\" = 4\n\"agency.shelter.beds\" = 7\n");
  const std::string v2 = d.write("v2.toml", "[variant]\nbase = \"v1.toml\"\n[set]\n\"agency.intake.servers\" = 6\n");
  const Scenario s = load_scenario(v2);
  CHECK(s.agencies[0].servers == 6);
  CHECK(s.agencies[1].servers == 7);
}

TEST_CASE("Variants: bad variants fail at file:line:column with what is wrong") {
  const std::string baseline = "../../../../scenarios/baseline-nrm.toml";
  const std::string agencies =
      "hotline, ngo_outreach, police, labour_inspectorate, screening, competent_authority, cg_decision, "
      "child_protection, shelter, shelter_ngo, services, investigation, prosecution, trial";
  CHECK(error_of(kBad + "missing_base.toml") ==
        kBad + "missing_base.toml:3:8: [variant]: base \"no-such-scenario.toml\" does not exist (looked for " + kBad +
            "no-such-scenario.toml; a base is relative to the variant's directory)");
  CHECK(error_of(kBad + "unknown_agency.toml") == kBad +
                                                      "unknown_agency.toml:6:1: [set] \"agency.scrneing.servers\": "
                                                      "unknown agency 'scrneing'; known: " +
                                                      agencies);
  CHECK(error_of(kBad + "unknown_key.toml") ==
        kBad +
            "unknown_key.toml:6:1: [set] \"agency.screening.serverz\": unknown key 'serverz' in agency 'screening'; "
            "expected one of: " +
            schema::section("agency").key_list());
  CHECK(error_of(kBad + "wrong_type.toml") == kBad +
                                                  "wrong_type.toml:6:40: agency 'competent_authority': servers must be "
                                                  "an integer >= 1 or \"unlimited\", got string \"six\"");
  CHECK(error_of(kBad + "dangling.toml") ==
        kBad +
            "dangling.toml:6:11: [remove] agency 'child_protection': removing it leaves a dangling reference: "
            "referral screening->child_protection (at " +
            fs::path(kBad + baseline).lexically_normal().string() +
            ":252:1) names it in `to = \"child_protection\"`; remove or change that too");
  CHECK(error_of(kBad + "cycle_a.toml") ==
        kBad + "cycle_b.toml:3:8: [variant]: a cycle of bases: cycle_a.toml → cycle_b.toml → cycle_a.toml");
  CHECK(error_of(kBad + "unknown_variant_key.toml") ==
        kBad +
            "unknown_variant_key.toml:4:1: unknown key 'nmae' in [variant]; expected one of: base, name, description");
  CHECK(error_of(kBad + "scenario_table_in_variant.toml") ==
        kBad +
            "scenario_table_in_variant.toml:5:3: unknown key 'agency' in the variant file; expected one of: variant, "
            "set, add, remove");
  CHECK(error_of(kBad + "unknown_referral.toml")
            .rfind(kBad +
                       "unknown_referral.toml:6:13: [remove] referral: unknown referral 'ngo_outreach->police'; known: "
                       "hotline->screening, ngo_outreach->screening,",
                   0) == 0);
  CHECK(error_of(kBad + "bad_added_referral.toml") ==
        kBad +
            "bad_added_referral.toml:7:6: [[referral]]: to names unknown agency 'child_protecton'; known: " + agencies);
}

TEST_CASE("Variants: a variant naming itself as its base is a cycle of one") {
  const Dir d;
  const std::string v = d.write("self.toml", "[variant]\nbase = \"self.toml\"\n");
  CHECK(error_of(v) == v + ":2:8: [variant]: a cycle of bases: self.toml → self.toml");
}

TEST_CASE("Variants: an error in the base is reported in the base") {
  const Dir d;
  const std::string b = d.write("broken.toml", kBase + "\n[[referral]]\nfrom = \"intake\"\nto = \"nowhere\"\n");
  const std::string v = d.write("v.toml", "[variant]\nbase = \"broken.toml\"\n");
  CHECK(error_of(v).rfind(b + ":30:6: [[referral]]: to names unknown agency 'nowhere'", 0) == 0);
}

TEST_CASE("Variants: a set on what [remove] takes away, and [set] in a scenario without [variant], are refused") {
  const Dir d;
  const std::string both = d.write("both.toml", R"([variant]
base = "base.toml"
[remove]
referral = ["intake->shelter"]
[set]
"referral.intake->shelter.probability" = 0.5
)");
  CHECK(error_of(both) == both +
                              ":6:1: [set] \"referral.intake->shelter.probability\": referral intake->shelter is "
                              "also removed (at " +
                              both + ":4:13); set keys only of what stays");
  const std::string plain = d.write("plain.toml", kBase + "\n[set]\n\"agency.intake.servers\" = 3\n");
  CHECK(error_of(plain) == plain +
                               ":28:2: 'set' belongs in a variant, which needs a [variant] table naming its base (base "
                               "= \"scenario.toml\"); a scenario's top level holds: " +
                               schema::section("file").key_list());
}

TEST_CASE("Overrides: --set takes TOML values, else text, and applies after the variant") {
  const Dir d;
  const std::string b = (d.path / "base.toml").string();
  const Scenario s = load_scenario(b, {"agency.intake.servers=7", "agency.intake.when_full=turn_away",
                                       "agency.intake.service={ dist = \"exponential\", mean = \"2d\" }",
                                       "run.horizon=50d", "referral.intake->shelter.probability=0.25"});
  CHECK(s.agencies[0].servers == 7);
  CHECK(s.agencies[0].when_full == WhenFull::turn_away);
  CHECK(s.agencies[0].service.mean() == Approx(2.0));
  CHECK(s.run.horizon == 50);
  CHECK(s.referrals[0].probability == 0.25);
}

TEST_CASE("Overrides: a bad --set names itself, and what exists") {
  const Dir d;
  const std::string b = (d.path / "base.toml").string();
  CHECK(error_of(b, {"agency.intkae.servers=3"}) ==
        "--set agency.intkae.servers=3: unknown agency 'intkae'; known: intake, shelter");
  CHECK(error_of(b, {"agency.intake.servers=many"}) ==
        "--set agency.intake.servers=many: agency 'intake': servers must be an integer >= 1 or \"unlimited\", got "
        "string \"many\"");
  CHECK(error_of(b, {"agency.intake.servers"}) ==
        "--set agency.intake.servers: expected PATH=VALUE, such as agency.screening.servers=10 or "
        "referral.a->b.probability=0.8");
  CHECK(error_of(b, {"agency.intake=3"}) == "--set agency.intake=3: a path names a key of agency 'intake', one of: " +
                                                schema::section("agency").key_list());
  CHECK(error_of(b, {"agencies.intake.servers=3"}) ==
        "--set agencies.intake.servers=3: unknown table 'agencies'; known: " + schema::section("file").key_list());
  CHECK(error_of(b, {"agency.intake.id=x"}) ==
        "--set agency.intake.id=x: agency 'intake': an id cannot be set (other tables name it); remove the agency "
        "and add another");
  CHECK(error_of(b, {"agency.intake.servers.x=1"}) ==
        "--set agency.intake.servers.x=1: agency 'intake': servers is integer 2, not a table; set "
        "agency.intake.servers as a whole");
}

TEST_CASE("Variants: every library variant loads, differs from its base and runs a short replication") {
  std::size_t seen = 0;
  for (const auto& e : fs::directory_iterator(kSource + "/scenarios/variants")) {
    if (e.path().extension() != ".toml") continue;
    ++seen;
    INFO(e.path().string());
    Scenario s = load_scenario(e.path());
    const ScenarioDiff d = diff_scenarios(kSource + "/scenarios/baseline-nrm.toml", e.path());
    CHECK(d.b_based_on_a);
    std::size_t beyond_name = 0;
    for (const DiffEntry& x : d.entries) beyond_name += x.section != "scenario";
    CHECK(beyond_name >= 1);
    s.run.horizon = 120;
    s.run.warmup = 20;
    s.run.follow_up = 0;
    s.run.replications = 1;
    const RunResult r = test::run_scenario(s, 1);
    REQUIRE(r.replications.size() == 1);
    CHECK(r.events_processed > 0);
  }
  CHECK(seen >= 5);
}

TEST_CASE("Diff: a variant against its base, in plain words") {
  const Dir d;
  const std::string b = (d.path / "base.toml").string();
  const std::string v = d.write("v.toml", R"([variant]
base = "base.toml"
name = "Changed"
[set]
"agency.intake.servers" = 4
"referral.intake->shelter.delay" = "0.5d"
"referral.intake->shelter.loss" = 0
[[add.agency]]
id = "legal_aid"
servers = 1
service = "1d"
[[add.referral]]
from = "intake"
to = "legal_aid"
probability = 0.3
when = "child"
)");
  const ScenarioDiff diff = diff_scenarios(b, v);
  CHECK(diff.b_based_on_a);
  std::vector<std::string> texts;
  for (const DiffEntry& e : diff.entries) texts.push_back(e.text);
  // "12h" and "0.5d" are the same delay; loss = 0 is the default: neither differs.
  CHECK(texts == std::vector<std::string>{"scenario: name \"Two desks\" → \"Changed\"", "intake: servers 2 → 4",
                                          "new agency legal_aid (1 server)",
                                          "new referral intake → legal_aid when child (probability 0.3)"});
  const ScenarioDiff back = diff_scenarios(v, b);
  CHECK_FALSE(back.b_based_on_a);
  CHECK(back.entries.back().text == "only in A: referral intake → legal_aid when child (probability 0.3)");
  CHECK(diff_scenarios(b, b).same());
}

TEST_CASE("Diff: JSON has the documented shape") {
  const Dir d;
  const std::string b = (d.path / "base.toml").string();
  const std::string v =
      d.write("v.toml", "[variant]\nbase = \"base.toml\"\nname = \"N\"\n[set]\n\"agency.shelter.beds\" = 8\n");
  const nlohmann::json j = nlohmann::json::parse(diff_json(diff_scenarios(b, v)));
  CHECK(j["same"] == false);
  CHECK(j["b"]["based_on_a"] == true);
  REQUIRE(j["differences"].size() == 2);
  const auto& beds = j["differences"][1];
  CHECK(beds["kind"] == "changed");
  CHECK(beds["section"] == "agency");
  CHECK(beds["id"] == "shelter");
  CHECK(beds["key"] == "beds");
  CHECK(beds["a"] == 5);
  CHECK(beds["b"] == 8);
  CHECK(beds["text"] == "shelter: beds 5 → 8");
}
