#pragma once
// Shared helpers for the test suite.
#include <string>

#include "sim/experiment/runner.hpp"
#include "sim/graph/referral_graph.hpp"
#include "sim/scenario/loader.hpp"

namespace refsim::test {

/// The default cohort scheme (age × exploitation × foreign), which the tests' scenarios use.
inline constexpr std::size_t kCohortCount = 20;
inline std::size_t cohort_of(const Attributes& a) { return CohortScheme{}.of(a, 0); }
inline std::string cohort_name(std::size_t cohort) { return CohortScheme{}.name(cohort); }

/// Loads a scenario from text, named "test.toml" in messages.
inline Scenario scenario(const std::string& toml) { return load_scenario_text(toml, "test.toml"); }

/// The message a scenario text fails with, or "" when it loads.
inline std::string load_error(const std::string& toml) {
  try {
    (void)scenario(toml);
  } catch (const ScenarioError& e) {
    return e.what();
  }
  return "";
}

/// All of the scenario's replications ([run] seed and replications), on `threads` threads (0: all).
inline RunResult run_scenario(const Scenario& s, unsigned threads = 0) {
  const ReferralGraph g(s);
  RunOptions opt;
  opt.seed = s.run.seed;
  opt.replications = s.run.replications;
  opt.threads = threads;
  return run_replications(s, g, opt);
}

/// One replication's value of metric `field` for agency `a`, over all replications.
inline std::vector<double> agency_values(const RunResult& r, AgencyId a, double AgencyResult::*field) {
  std::vector<double> v;
  for (const auto& rep : r.replications) v.push_back(rep.agencies[a].*field);
  return v;
}

}  // namespace refsim::test
