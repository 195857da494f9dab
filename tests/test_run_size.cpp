// The run-size check: a replication that would process more events than refsim runs in one, or
// pile up more waiting cases than the machine's memory holds, is refused before it starts, with a
// located message (issue 18: a rate of 1e9 a day ended in std::bad_alloc after 25 s; a closed loop
// of 1 µs services and a horizon of 1e300 years ran forever).
#include <catch2/catch.hpp>

#include <filesystem>
#include <string>

#include "sim/experiment/runner.hpp"
#include "support.hpp"

using namespace refsim;

namespace {

// One agency `a` (servers, service), a source at `rate` a day, and an optional extra table.
Scenario one_agency(const std::string& horizon, const std::string& servers, const std::string& service,
                    const std::string& rate, const std::string& more = "") {
  return test::scenario("[scenario]\nname = \"size\"\n[run]\nhorizon = \"" + horizon + "\"\n[[agency]]\nid = \"a\"\n" +
                        "servers = " + servers + "\nservice = " + service + "\n" + more +
                        "[[source]]\nid = \"s\"\nto = \"a\"\nrate = " + rate + "\n");
}

std::string refusal(const Scenario& s) {
  const ReferralGraph g(s);
  try {
    run_replication(s, g, 1, 0);
  } catch (const ScenarioError& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST_CASE("Run size: the estimate counts an arrival, a start and an end per case served") {
  // 10 a day into 2 servers of 1 h: all served, 30 events a day over 100 days.
  const Scenario s = one_agency("100d", "2", "\"1h\"", "10");
  const RunSize z = estimate_run_size(s, ReferralGraph(s));
  REQUIRE(z.known);
  CHECK(z.events == Approx(3000));
  CHECK(z.waiting == 0);
  // 10 a day into 1 server of 1 d: 1 served a day, 9 a day pile up.
  const Scenario over = one_agency("100d", "1", "\"1d\"", "10");
  const RunSize o = estimate_run_size(over, ReferralGraph(over));
  CHECK(o.events == Approx((10 + 2 * 1) * 100.0));
  CHECK(o.waiting == Approx(900));
}

TEST_CASE("Run size: a rate of 1e9 a day over a year is refused before it runs") {
  const std::string why = refusal(one_agency("1y", "\"unlimited\"", "\"1h\"", "1e9"));
  CHECK_THAT(why, Catch::Matchers::StartsWith("test.toml:4:11: horizon = 365d: one "
                                              "replication would process about 1.1e+12 events (agency 'a' alone "
                                              "3e+09 a day), more than the 1e+10 that refsim runs in one replication"));
}

TEST_CASE("Run size: a horizon of 1e300 years is refused") {
  const std::string why = refusal(one_agency("1e300y", "1", "\"1h\"", "1"));
  CHECK_THAT(why, Catch::Matchers::Contains("events (agency 'a' alone 3 a day), more than the 1e+10"));
}

TEST_CASE("Run size: a closed loop of 1 microsecond services is refused") {
  // Every case goes round a for ever; one server of 1 µs serves 8.64e10 a day.
  const std::string why = refusal(
      one_agency("30d", "1", "\"0.000001s\"", "1", "[[referral]]\nfrom = \"a\"\nto = \"a\"\nprobability = 1\n"));
  CHECK_THAT(why, Catch::Matchers::Contains("one replication would process about"));
  CHECK_THAT(why, Catch::Matchers::Contains("(refsim check shows the predicted flows)"));
}

TEST_CASE("Run size: a queue that outgrows the memory is refused") {
  // 1e6 a day into one server of a day, for 10 years: 3.65e9 waiting cases, terabytes.
  const std::string why = refusal(one_agency("10y", "1", "\"1d\"", "1e6"));
  CHECK_THAT(why, Catch::Matchers::StartsWith("test.toml:4:11: horizon = 10y: about "
                                              "3.6e+09 cases would be waiting by the end (agency 'a' receives more "
                                              "than it can serve), more than this machine's memory holds"));
}

TEST_CASE("Run size: every library scenario is far inside the bounds") {
  for (const auto& entry : std::filesystem::directory_iterator(std::string(REFSIM_SOURCE_DIR) + "/scenarios")) {
    if (entry.path().extension() != ".toml") continue;
    const Scenario s = load_scenario(entry.path());
    const RunSize z = estimate_run_size(s, ReferralGraph(s));
    INFO(entry.path().string());
    CHECK(z.events < kMaxEventsPerReplication / 100);
  }
}
