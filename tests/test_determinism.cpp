// Same scenario + same seed = byte-identical results, whatever the thread count.
#include <catch2/catch.hpp>

#include "sim/report/report.hpp"
#include "support.hpp"

using namespace refsim;

namespace {

std::string summary_with(const Scenario& s, std::uint64_t seed, unsigned threads) {
  const ReferralGraph g(s);
  RunOptions opt;
  opt.seed = seed;
  opt.replications = 7;
  opt.threads = threads;
  const RunResult r = run_replications(s, g, opt);
  const RunContext ctx{s, seed, opt.replications};
  return summary_json(ctx, r) + agencies_csv(ctx, r) + cases_csv(ctx, r);
}

}  // namespace

TEST_CASE("Determinism: same seed gives identical output, and 1, 2 and 5 threads agree") {
  const Scenario s = load_scenario(std::string(REFSIM_SOURCE_DIR) + "/scenarios/baseline-nrm.toml");
  const std::string one = summary_with(s, 99, 1);
  CHECK(one == summary_with(s, 99, 1));
  CHECK(one == summary_with(s, 99, 2));
  CHECK(one == summary_with(s, 99, 5));
  CHECK(one != summary_with(s, 100, 2));
}

TEST_CASE("Determinism: summary.json carries the documented keys") {
  const Scenario s = load_scenario(std::string(REFSIM_SOURCE_DIR) + "/scenarios/baseline-nrm.toml");
  const std::string json = summary_with(s, 1, 2);
  for (const char* key : {"\"scenario\"",
                          "\"seed\"",
                          "\"replications\"",
                          "\"horizon_days\"",
                          "\"warmup_days\"",
                          "\"events_processed\"",
                          "\"agencies\"",
                          "\"arrivals\"",
                          "\"throughput_per_day\"",
                          "\"utilization\"",
                          "\"mean_queue_length\"",
                          "\"mean_wait_days\"",
                          "\"mean_time_in_agency_days\"",
                          "\"cases\"",
                          "\"entered\"",
                          "\"exited\"",
                          "\"mean_time_in_system_days\"",
                          "\"in_system_at_end\"",
                          "\"ci95\"",
                          "\"mean\""}) {
    INFO(key);
    CHECK(json.find(key) != std::string::npos);
  }
}
