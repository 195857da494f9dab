// Bad input: every problem gives one line "file:line:column: what is wrong", at the key or value
// at fault. Messages are pinned exactly: they are part of the user interface.
#include <sys/stat.h>

#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>

#include "support.hpp"

using namespace refsim;
using refsim::test::load_error;

namespace {

// A valid scenario; tests replace one piece of it.
const std::string kValid = R"([scenario]
name = "Two desks"

[run]
horizon = "100d"
warmup = "10d"

[[agency]]
id = "intake"
servers = 2
service = { dist = "exponential", mean = "1d" }

[[agency]]
id = "shelter"
servers = 5
service = { dist = "deterministic", value = "3d" }

[[source]]
id = "walk_in"
to = "intake"
rate = 1.5

[[referral]]
from = "intake"
to = "shelter"
probability = 0.4
delay = { dist = "exponential", mean = "2h" }
)";

std::string replaced(const std::string& from, const std::string& to) {
  std::string s = kValid;
  const auto pos = s.find(from);
  REQUIRE(pos != std::string::npos);
  s.replace(pos, from.size(), to);
  return s;
}

}  // namespace

TEST_CASE("Scenario: the valid base scenario loads, with units converted") {
  const Scenario s = test::scenario(kValid);
  CHECK(s.name == "Two desks");
  CHECK(s.run.horizon == 100);
  CHECK(s.run.warmup == 10);
  CHECK(s.run.replications == 1);
  CHECK(s.run.seed == 1);
  REQUIRE(s.agencies.size() == 2);
  CHECK(s.agencies[1].service.kind == DistKind::deterministic);
  CHECK(s.agencies[1].service.p0 == 3);
  REQUIRE(s.referrals.size() == 1);
  CHECK(s.referrals[0].delay->p0 == Approx(2.0 / 24));
  CHECK(s.sources[0].rate_per_day == 1.5);
}

TEST_CASE("Scenario errors: missing, empty and non-UTF-8 files") {
  const auto dir = std::filesystem::temp_directory_path() / "refsim-test-errors";
  std::filesystem::create_directories(dir);
  SECTION("missing file") {
    CHECK_THROWS_WITH(load_scenario(dir / "nope.toml"),
                      (dir / "nope.toml").string() + ": cannot open scenario file: No such file or directory");
  }
  SECTION("empty file") {
    std::ofstream(dir / "empty.toml").close();
    CHECK_THROWS_WITH(load_scenario(dir / "empty.toml"),
                      (dir / "empty.toml").string() +
                          ":1:1: the file is empty; expected a scenario with [scenario], [run], [[agency]] and "
                          "[[source]] tables");
  }
  SECTION("not UTF-8") {
    std::ofstream(dir / "latin1.toml", std::ios::binary) << "[scenario]\nname = \"caf\xe9\"\n";
    CHECK_THROWS_WITH(load_scenario(dir / "latin1.toml"),
                      (dir / "latin1.toml").string() +
                          ":2:12: the file is not UTF-8 text (invalid byte 0xE9); scenarios are TOML files in UTF-8");
  }
  SECTION("a directory") {
    CHECK_THROWS_WITH(load_scenario(dir), dir.string() + ": is a directory; expected a scenario file (.toml)");
  }
}

// Reading a scenario is bounded and never blocks: /dev/zero grew memory without end (1.1 GB after
// 10 s) and a FIFO with no writer blocked forever.
TEST_CASE("Scenario errors: special files and files above the size limit are refused at once") {
  const auto dir = std::filesystem::temp_directory_path() / "refsim-test-errors";
  std::filesystem::create_directories(dir);
  SECTION("a character device") {
    CHECK_THROWS_WITH(load_scenario("/dev/zero"),
                      "/dev/zero: is a character device; expected a scenario file (.toml), a regular file");
  }
  SECTION("a FIFO with no writer") {
    const auto fifo = dir / "no-writer.fifo";
    std::filesystem::remove(fifo);
    REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
    CHECK_THROWS_WITH(load_scenario(fifo),
                      fifo.string() + ": is a pipe (FIFO); expected a scenario file (.toml), a regular file");
    std::filesystem::remove(fifo);
  }
  SECTION("a file one byte above the limit") {
    // Sparse: no 64 MiB written to disk.
    const auto big = dir / "big.toml";
    std::ofstream(big).close();
    std::filesystem::resize_file(big, detail::kMaxScenarioBytes + 1);
    CHECK_THROWS_WITH(load_scenario(big), big.string() +
                                              ": is larger than 64 MiB; scenario files are read up to that size "
                                              "(the largest scenario in scenarios/ is well under 1 MiB)");
    std::filesystem::remove(big);
  }
}

TEST_CASE("Scenario errors: TOML syntax") {
  CHECK(load_error(replaced("servers = 2", "servers = = 2")) ==
        "test.toml:10:11: TOML syntax error: Error while parsing value: could not determine value type");
}

TEST_CASE("Scenario errors: keys nested too deep are refused before parsing") {
  // toml++ parses dotted keys recursively: 50,000 levels overflowed its stack (a crash).
  std::string deep = "x";
  for (int k = 0; k < 50000; ++k) deep += ".x";
  CHECK(load_error(kValid + "\n" + deep + " = 1\n") ==
        "test.toml:29:130: a key nested more than 64 levels deep; scenarios nest a few levels");
  CHECK(load_error("[" + deep + "]\n" + kValid) ==
        "test.toml:1:131: a key nested more than 64 levels deep; scenarios nest a few levels");
  // Dots in strings and comments are not keys; 64 levels is still a (here unknown) key.
  const std::string dots(500, '.');
  CHECK(load_error(replaced("name = \"Two desks\"", "name = \"" + dots + "\" # " + dots)) == "");
  CHECK(load_error(replaced("name = \"Two desks\"", "name = \"\"\"\n" + dots + "\n\\\"\"\"\"")) == "");
  std::string ok_depth = "x";
  for (int k = 0; k < 63; ++k) ok_depth += ".x";
  CHECK(load_error(kValid + ok_depth + " = 1\n").find("unknown key 'x'") != std::string::npos);
}

TEST_CASE("Scenario errors: a huge value quoted in a message is shortened in the middle") {
  const std::string huge(1'000'000, 'X');  // upper case: not a valid id
  const std::string e = load_error(replaced("id = \"intake\"", "id = \"" + huge + "\""));
  CHECK(e.size() < 800);
  CHECK(e.rfind("test.toml:9:6: [[agency]]: id must match [a-z0-9_]+, got \"XXX", 0) == 0);
  CHECK(e.find(" bytes left out…] ") != std::string::npos);
  // Short messages are untouched (see every other test here); multi-byte characters are not cut.
  std::string utf8;
  for (int k = 0; k < 100'000; ++k) utf8 += "é";
  const std::string u = load_error(replaced("id = \"intake\"", "id = \"" + utf8 + "\""));
  CHECK(u.find(" bytes left out…] ") != std::string::npos);
  CHECK(u.find("\xC3 [") == std::string::npos);  // no lead byte left without its continuation
  CHECK(u.find("] \xA9") == std::string::npos);  // nor a continuation byte without its lead
}

TEST_CASE("Scenario errors: durations and rates too large to represent") {
  CHECK(load_error(replaced("horizon = \"100d\"", "horizon = \"1e307y\"")) ==
        "test.toml:5:11: [run]: horizon is not valid: duration \"1e307y\" is too long to represent (over 1e308 "
        "days)");
  CHECK(load_error(replaced("rate = 1.5", "rate = \"1e308/s\"")) ==
        "test.toml:21:8: source 'walk_in': rate is not valid: rate \"1e308/s\" is too large to represent (over "
        "1e308 per day)");
}

TEST_CASE("Scenario errors: unknown keys are rejected where they stand") {
  CHECK(load_error(replaced("servers = 2", "sevrers = 2")) ==
        "test.toml:10:1: unknown key 'sevrers' in agency 'intake'; expected one of: id, name, kind, country, "
        "servers, beds, service, position, decision, patience, initial_cases, initial_profile, when_full, hours, "
        "not_before, supports, interview, provides, stage, withdrawal, retrafficking");
  CHECK(
      load_error(replaced("warmup = \"10d\"", "warmpu = \"10d\"")) ==
      "test.toml:6:1: unknown key 'warmpu' in [run]; expected one of: horizon, warmup, follow_up, replications, seed");
  CHECK(load_error(replaced("mean = \"2h\"", "mean = \"2h\", sd = \"1h\"")) ==
        "test.toml:27:46: unknown key 'sd' in referral intake -> shelter: delay (exponential); expected one of: "
        "dist, mean");
  CHECK(load_error(kValid + "\n[extra]\nx = 1\n") ==
        "test.toml:29:2: unknown key 'extra' in the scenario file; expected one of: scenario, run, agency, source, "
        "referral, profile, deadline, change, intervention, cohorts");
}

TEST_CASE("Scenario errors: wrong types") {
  CHECK(load_error(replaced("servers = 2", "servers = \"two\"")) ==
        "test.toml:10:11: agency 'intake': servers must be an integer >= 1 or \"unlimited\", got string \"two\"");
  CHECK(load_error(replaced("rate = 1.5", "rate = true")) ==
        "test.toml:21:8: source 'walk_in': rate must be a rate (a number per day or a string such as \"3/h\"), got "
        "boolean true");
  CHECK(load_error(replaced("name = \"Two desks\"", "name = 3")) ==
        "test.toml:2:8: [scenario]: name must be a string (the scenario's name), got integer 3");
  CHECK(load_error(replaced("horizon = \"100d\"", "horizon = \"100\"")) ==
        "test.toml:5:11: [run]: horizon is not valid: expected a duration such as \"90min\", \"4h\", \"2d\" or \"1w\" "
        "(units s, "
        "min, h, d, w, y), got \"100\"");
}

TEST_CASE("Scenario errors: unknown agencies list the known ones") {
  CHECK(load_error(replaced("to = \"shelter\"", "to = \"shelterr\"")) ==
        "test.toml:25:6: [[referral]]: to names unknown agency 'shelterr'; known: intake, shelter");
  CHECK(load_error(replaced("to = \"intake\"", "to = \"nowhere\"")) ==
        "test.toml:20:6: source 'walk_in': to names unknown agency 'nowhere'; known: intake, shelter");
}

TEST_CASE("Scenario errors: a source into nowhere") {
  CHECK(load_error(replaced("to = \"intake\"\n", "")) ==
        "test.toml:18:1: source 'walk_in': missing required key 'to' (the agency where cases enter)");
}

TEST_CASE("Scenario errors: referral probabilities of one agency summing above 1") {
  const std::string s = kValid + R"(
[[referral]]
from = "intake"
to = "intake"
probability = 0.7
)";
  CHECK(load_error(s) ==
        "test.toml:32:15: agency 'intake': referral probabilities sum to 1.1, more than 1 (the remainder is the "
        "probability of leaving the mechanism)");
  CHECK(load_error(replaced("probability = 0.4", "probability = 1.4")) ==
        "test.toml:26:15: referral intake -> shelter: probability must be a probability between 0 and 1, got 1.4");
}

TEST_CASE("Scenario errors: negative or zero means") {
  CHECK(load_error(replaced("mean = \"1d\"", "mean = \"-1d\"")) ==
        "test.toml:11:42: agency 'intake': service (exponential): mean must be > 0, got -1d");
  CHECK(load_error(replaced("mean = \"1d\"", "mean = 0")) ==
        "test.toml:11:42: agency 'intake': service (exponential): mean must be > 0, got 0d");
  CHECK(load_error(replaced("value = \"3d\"", "value = \"0h\"")) ==
        "test.toml:16:45: agency 'shelter': service (deterministic): value must be > 0, got 0d");
}

TEST_CASE("Scenario errors: servers below 1") {
  CHECK(load_error(replaced("servers = 2", "servers = 0")) ==
        "test.toml:10:11: agency 'intake': servers must be an integer from 1 to 1000000 or \"unlimited\", got 0");
}

TEST_CASE("Scenario errors: warm-up not before the horizon") {
  CHECK(load_error(replaced("warmup = \"10d\"", "warmup = \"100d\"")) ==
        "test.toml:6:10: [run]: warmup (100d) must be less than horizon (100d)");
}

TEST_CASE("Scenario errors: duplicates and bad identifiers") {
  CHECK(load_error(replaced("id = \"shelter\"", "id = \"intake\"")) ==
        "test.toml:14:6: duplicate id 'intake' (first declared at test.toml:9:6)");
  CHECK(load_error(replaced("id = \"walk_in\"", "id = \"intake\"")) ==
        "test.toml:19:6: duplicate id 'intake' (first declared at test.toml:9:6; agencies and sources share one "
        "namespace)");
  CHECK(load_error(replaced("id = \"intake\"", "id = \"Intake Desk\"")) ==
        "test.toml:9:6: [[agency]]: id must match [a-z0-9_]+, got \"Intake Desk\"");
}

TEST_CASE("Scenario errors: rules on one from/to pair whose conditions can hold together") {
  // A second rule without a condition overlaps the first everywhere: located at its table.
  CHECK(load_error(kValid + "\n[[referral]]\nfrom = \"intake\"\nto = \"shelter\"\nprobability = 0.1\n") ==
        "test.toml:29:1: referral intake -> shelter #2: its condition and that of the rule at test.toml:23:1 both "
        "hold for every case; rules on one from/to pair must have conditions that never hold together");
  // With a condition, located at it, with one case for which both hold: here a foreign child
  // (foreign follows nationality and the country of entry, which the message shows).
  const std::string file = std::string(REFSIM_SOURCE_DIR) + "/tests/data/bad/overlapping_rules.toml";
  CHECK_THROWS_WITH(load_scenario(file),
                    file + ":34:8: referral screening -> shelter #2: its condition and that of the rule at " + file +
                        ":25:1 both hold for cases with child, nationality == \"CI\", foreign, entered_in == \"GH\"; "
                        "rules on one from/to pair must have conditions that never hold together");
  // Disjoint conditions load, and so does a third rule disjoint from both.
  const Scenario s =
      test::scenario(replaced("delay = { dist = \"exponential\", mean = \"2h\" }",
                              "when = \"victim and child\"\n[[referral]]\nfrom = \"intake\"\nto = \"shelter\"\n"
                              "probability = 0.2\nwhen = \"victim and adult\"\n[[referral]]\nfrom = \"intake\"\n"
                              "to = \"shelter\"\nprobability = 0.7\nwhen = \"not victim\"\n"));
  REQUIRE(s.referrals.size() == 3);
  CHECK(s.referrals[0].key == "intake->shelter");
  CHECK(s.referrals[1].key == "intake->shelter#2");
  CHECK(s.referrals[2].key == "intake->shelter#3");
  // The third overlapping the second (not the first) names the second.
  CHECK(load_error(replaced("delay = { dist = \"exponential\", mean = \"2h\" }",
                            "when = \"child\"\n[[referral]]\nfrom = \"intake\"\nto = \"shelter\"\n"
                            "probability = 0.2\nwhen = \"adult and victim\"\n[[referral]]\nfrom = \"intake\"\n"
                            "to = \"shelter\"\nprobability = 0.1\nwhen = \"adult and needs.shelter\"\n")) ==
        "test.toml:37:8: referral intake -> shelter #3: its condition and that of the rule at test.toml:28:1 both "
        "hold for cases with not child, victim, needs.shelter; rules on one from/to pair must have conditions "
        "that never hold together");
}

TEST_CASE("Scenario errors: weights that overflow and a rate range whose mean is 0") {
  CHECK(load_error(replaced("dist = \"exponential\", mean = \"1d\"",
                            "dist = \"empirical\", values = [1, 2], weights = [1e308, 1e308]")) ==
        "test.toml:11:11: agency 'intake': service (empirical): the sum of weights is too large to represent");
  CHECK(load_error(replaced("rate = 1.5", "rate = { dist = \"pert\", min = 0, mode = 0, max = 5e-324 }")) ==
        "test.toml:21:8: source 'walk_in': rate must be > 0 per day: the range's mean, (min + 4 mode + max) / 6, is 0");
}

TEST_CASE("Scenario errors: distributions") {
  CHECK(load_error(replaced("dist = \"exponential\", mean = \"1d\"", "dist = \"expo\", mean = \"1d\"")) ==
        "test.toml:11:20: agency 'intake': service: unknown distribution 'expo'; known: deterministic, empirical, "
        "erlang, exponential, gamma, lognormal, pert, triangular, uniform, weibull");
  CHECK(
      load_error(replaced("dist = \"exponential\", mean = \"1d\"", "dist = \"uniform\", min = \"2d\", max = \"1d\"")) ==
      "test.toml:11:11: agency 'intake': service (uniform): max must be greater than min");
  CHECK(load_error(replaced("dist = \"exponential\", mean = \"1d\"", "dist = \"gamma\", mean = \"1d\"")) ==
        "test.toml:11:11: agency 'intake': service (gamma): missing required key 'cv' (a number)");
  CHECK(load_error(replaced("dist = \"exponential\", mean = \"1d\"", "mean = \"1d\"")) ==
        "test.toml:11:11: agency 'intake': service: missing required key 'dist' (exponential, deterministic, uniform, "
        "triangular, lognormal, gamma, erlang, weibull, empirical, pert)");
}

// Issue 18: a lognormal sd of 1e200 days on a 40-minute mean, and a mean of 1e-300 s, were
// accepted; the run then showed a throughput of 0 where check predicted a utilization of 0.06.
TEST_CASE("Scenario errors: times below the clock's resolution and tails too heavy to average") {
  const std::string exp = "dist = \"exponential\", mean = \"1d\"";
  CHECK(load_error(replaced(exp, "dist = \"lognormal\", mean = \"40min\", sd = \"1e200d\"")) ==
        "test.toml:11:11: agency 'intake': service (lognormal): the standard deviation is 3.6e+201 times the mean, "
        "more than 100: with so heavy a tail the median is a hundredth of the mean or less and no run's average "
        "settles near it");
  CHECK(load_error(replaced(exp, "dist = \"lognormal\", mean = \"1e-300s\", sd = \"1s\"")) ==
        "test.toml:11:11: agency 'intake': service (lognormal): the mean must be at least 1 µs (the clock's "
        "resolution over a long run)");
  CHECK(load_error(replaced(exp, "dist = \"exponential\", mean = \"0.0000001s\"")) ==
        "test.toml:11:11: agency 'intake': service (exponential): the mean must be at least 1 µs (the clock's "
        "resolution over a long run)");
  CHECK(load_error(replaced(exp, "dist = \"empirical\", values = [\"0s\", \"1e-9s\", \"1d\"]")) ==
        "test.toml:11:11: agency 'intake': service (empirical): each value must be 0 or at least 1 µs (the clock's "
        "resolution over a long run)");
  CHECK(load_error(replaced(exp, "dist = \"gamma\", mean = \"1d\", cv = 1000")).find("1000 times the mean") !=
        std::string::npos);
  // At the limits: accepted.
  CHECK_NOTHROW(test::scenario(replaced(exp, "dist = \"lognormal\", mean = \"1h\", sd = \"100h\"")));
  CHECK_NOTHROW(test::scenario(replaced(exp, "dist = \"exponential\", mean = \"0.000001s\"")));
  // Instant services stay possible: an empirical 0, whatever the mean.
  CHECK_NOTHROW(test::scenario(replaced(exp, "dist = \"empirical\", values = [0, 1], weights = [1, 1e-300]")));
}

TEST_CASE("Scenario errors: missing top-level tables") {
  CHECK(load_error("[scenario]\nname = \"x\"\n") ==
        "test.toml:1:1: missing required table [run] (with at least horizon = \"365d\")");
  CHECK(load_error("[run]\nhorizon = 10\n") ==
        "test.toml:1:1: missing required table [scenario] (with at least name = \"...\")");
}

// Inputs that were accepted and misled (issue 18).
TEST_CASE("Scenario errors: an agency's country must be a code in capitals") {
  CHECK(load_error(replaced("id = \"intake\"\n", "id = \"intake\"\ncountry = \"th\"\n")) ==
        "test.toml:10:11: agency 'intake': country must be a country code in capitals, e.g. \"NA\", got \"th\"");
  CHECK(load_error(replaced("id = \"intake\"\n", "id = \"intake\"\ncountry = \"TH\"\n")).empty());
}

TEST_CASE("Scenario errors: a deadline from a milestone to itself is refused") {
  const std::string d =
      "\n[[deadline]]\nid = \"d\"\nfrom = \"arrival:shelter\"\nto = \"arrival:shelter\"\nwithin = \"5d\"\n";
  CHECK(load_error(kValid + d) ==
        "test.toml:32:6: deadline 'd': to is the same milestone as from (\"arrival:shelter\"): the deadline would "
        "measure nothing; give the milestone it must be reached by, e.g. \"decided:identified\"");
  const std::string ok =
      "\n[[deadline]]\nid = \"d\"\nfrom = \"arrival:intake\"\nto = \"arrival:shelter\"\nwithin = \"5d\"\n";
  CHECK(load_error(kValid + ok).empty());
}

TEST_CASE("Scenario errors: an empty scenario name is refused") {
  CHECK(load_error(replaced("name = \"Two desks\"", "name = \"\"")) ==
        "test.toml:2:8: [scenario]: name must not be empty: it names the scenario in every report");
  CHECK(load_error(replaced("name = \"Two desks\"", "name = \"  \"")).starts_with("test.toml:2:8: "));
}

TEST_CASE("Scenario errors: a wrong-sized array says how many elements it has") {
  CHECK(load_error(replaced("rate = 1.5", "rate = 1.5\nseasonality = []")).ends_with("got an empty array"));
  CHECK(load_error(replaced("rate = 1.5", "rate = 1.5\nseasonality = [1.0]")).ends_with("got an array of 1 element"));
}
