// The follow-up after the horizon: times measured over what began in the window, followed to its
// end, are free of the right-censoring bias that counting only the stays that ended inside the
// window has (the baseline's 240-day investigation read 215 days that way).
//
// Tolerance: the replications' pooled mean of n i.i.d. exponential stays of mean m has standard
// error m / √n; the checks allow 4 of them (a false alarm about once in 16,000 runs).
#include <catch2/catch.hpp>

#include <cmath>
#include <numeric>
#include <sstream>
#include <string>

#include "sim/experiment/replication.hpp"
#include "support.hpp"

using namespace refsim;

namespace {

/// Arrivals at `rate` a day into one unlimited stage of exponential length `mean_days`: a pure
/// delay, so that every stay is an independent exponential and the truth is `mean_days`.
std::string long_stage(double rate, double mean_days, const std::string& horizon, const std::string& warmup,
                       const std::string& follow_up, int replications) {
  std::ostringstream os;
  os << "[scenario]\nname = \"long stage\"\n[run]\nhorizon = \"" << horizon << "\"\nwarmup = \"" << warmup
     << "\"\nfollow_up = \"" << follow_up << "\"\nreplications = " << replications << "\nseed = 240\n"
     << "[[agency]]\nid = \"investigation\"\nservers = \"unlimited\"\n"
     << "service = { dist = \"exponential\", mean = \"" << mean_days << "d\" }\n"
     << "[[source]]\nid = \"cases\"\nto = \"investigation\"\nrate = " << rate << "\n";
  return os.str();
}

RunResult run(const Scenario& s) { return test::run_scenario(s); }

/// The visit-weighted mean time in agency over all replications, and the number of visits.
std::pair<double, double> pooled_time_in_agency(const RunResult& r) {
  double sum = 0, n = 0;
  for (const auto& rep : r.replications) {
    // arrivals in the window = visits followed (a pure delay: every visit is served at once)
    sum += rep.agencies[0].mean_time_in_agency_days * rep.agencies[0].arrivals;
    n += rep.agencies[0].arrivals;
  }
  return {sum / n, n};
}

}  // namespace

TEST_CASE("Follow-up: an exponential stage of mean 240 days over 3 years reads 240 days") {
  const Scenario s = test::scenario(long_stage(1.0, 240, "3y", "0d", "20y", 10));
  const RunResult r = run(s);
  const auto [mean, n] = pooled_time_in_agency(r);
  const double se = 240 / std::sqrt(n);
  INFO("pooled mean " << mean << " d over " << n << " visits, standard error " << se);
  CHECK(std::fabs(mean - 240) <= 4 * se);
  // Every stay was followed to its end: nobody is left, and time in the mechanism is the same.
  for (const auto& rep : r.replications) {
    CHECK(rep.cases.still_in_after_follow_up == 0);
    CHECK(rep.cases.mean_time_in_system_days == Approx(rep.agencies[0].mean_time_in_agency_days).epsilon(1e-12));
    CHECK(rep.cohorts[test::kCohortCount].exited == rep.cases.entered);
  }
}

TEST_CASE("Follow-up: without it the same stage is biased low by censoring") {
  // What the old measure did: only the stays that ended inside the window. For arrivals over
  // [0, T] the completed stays have mean below m by a known amount; here it is many standard errors.
  const Scenario s = test::scenario(long_stage(1.0, 240, "3y", "0d", "0d", 10));
  const RunResult r = run(s);
  const auto [mean, n] = pooled_time_in_agency(r);
  INFO("pooled mean " << mean << " d");
  CHECK(mean < 240 - 4 * 240 / std::sqrt(n));
  for (const auto& rep : r.replications) CHECK(rep.cases.still_in_after_follow_up > 0);
}

TEST_CASE("Follow-up: with a warm-up only visits that began in the window count") {
  // A warm-up of one mean: stays begun before it are left out, those begun after are followed.
  const Scenario s = test::scenario(long_stage(1.0, 240, "3y", "240d", "20y", 10));
  const RunResult r = run(s);
  const auto [mean, n] = pooled_time_in_agency(r);
  INFO("pooled mean " << mean << " d over " << n << " visits");
  CHECK(std::fabs(mean - 240) <= 4 * 240 / std::sqrt(n));
  for (const auto& rep : r.replications) {
    // entered = arrivals in the window; all of them and nobody else followed to their exit
    CHECK(rep.cases.entered == rep.agencies[0].arrivals);
    CHECK(rep.cohorts[test::kCohortCount].exited == rep.cases.entered);
  }
}

TEST_CASE("Follow-up: nobody enters after the horizon and window counts are the window's") {
  const Scenario with = test::scenario(long_stage(2.0, 30, "1y", "30d", "20y", 4));
  const Scenario without = test::scenario(long_stage(2.0, 30, "1y", "30d", "0d", 4));
  const RunResult a = run(with), b = run(without);
  for (std::size_t k = 0; k < a.replications.size(); ++k) {
    const auto &x = a.replications[k], &y = b.replications[k];
    // Same streams, same window: what is counted by event time in the window does not move.
    CHECK(x.cases.entered == y.cases.entered);
    CHECK(x.cases.exited == y.cases.exited);
    CHECK(x.cases.in_system_at_end == y.cases.in_system_at_end);
    CHECK(x.agencies[0].arrivals == y.agencies[0].arrivals);
    CHECK(x.agencies[0].throughput_per_day == y.agencies[0].throughput_per_day);
    CHECK(x.agencies[0].mean_in_service == y.agencies[0].mean_in_service);
    CHECK(x.cases.in_system_at_end > 0);
    CHECK(x.events_processed > y.events_processed);  // the follow-up ran
  }
}

TEST_CASE("Follow-up: it ends at its limit, or when no event is left, with the rest counted as still inside") {
  SECTION("a limit shorter than the stays") {
    const Scenario s = test::scenario(long_stage(1.0, 240, "1y", "0d", "30d", 2));
    const RunResult r = run(s);
    for (const auto& rep : r.replications) CHECK(rep.cases.still_in_after_follow_up > 0);
  }
  SECTION("an agency closed for good: its queue never moves, and the run still ends") {
    const Scenario s = test::scenario(R"(
[scenario]
name = "closed for good"
[run]
horizon = "200d"
replications = 2
seed = 5
[[agency]]
id = "desk"
servers = 1
service = { dist = "exponential", mean = "1d" }
[[source]]
id = "cases"
to = "desk"
rate = 0.5
[[change]]
at = "100d"
agency = "desk"
open = false
)");
    const RunResult r = run(s);
    for (const auto& rep : r.replications) {
      CHECK(rep.cases.still_in_after_follow_up > 10);  // the ~50 who came after the closure, and more
      CHECK(rep.cases.still_in_after_follow_up <= rep.cases.entered);
    }
  }
}
