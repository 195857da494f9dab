// Every scenario shipped in scenarios/ loads, runs, and satisfies basic invariants.
#include <catch2/catch.hpp>

#include <cmath>
#include <filesystem>

#include "support.hpp"

using namespace refsim;

TEST_CASE("Scenario library: every scenario runs and its results are sane") {
  std::vector<std::filesystem::path> files;
  for (const auto& e : std::filesystem::directory_iterator(std::string(REFSIM_SOURCE_DIR) + "/scenarios")) {
    if (e.path().extension() == ".toml") files.push_back(e.path());
  }
  std::sort(files.begin(), files.end());
  REQUIRE_FALSE(files.empty());
  for (const auto& f : files) {
    INFO(f.string());
    const Scenario s = load_scenario(f);
    const ReferralGraph g(s);
    const ReplicationResult r = run_replication(s, g, s.run.seed, 0);
    CHECK(r.cases.entered > 0);
    CHECK(r.events_processed > 0);
    for (std::size_t a = 0; a < s.agencies.size(); ++a) {
      const AgencyResult& x = r.agencies[a];
      INFO(s.agencies[a].id);
      if (!s.agencies[a].unlimited) {
        CHECK(x.utilization >= 0);
        CHECK(x.utilization <= 1 + 1e-12);
      }
      CHECK(x.mean_queue_length >= 0);
      if (!std::isnan(x.mean_wait_days)) CHECK(x.mean_wait_days >= 0);
      if (!std::isnan(x.mean_time_in_agency_days) && !std::isnan(x.mean_wait_days)) {
        CHECK(x.mean_time_in_agency_days >= 0);
      }
    }
  }
}
