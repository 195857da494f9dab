#pragma once
// Replications: independent runs of one scenario, spread over threads.
//
// Replication r always uses the streams of (seed, r), and results are stored by r, so the output
// is byte-identical whatever the thread count or the order in which threads finish.
#include <cstdint>
#include <functional>
#include <optional>
#include <utility>
#include <vector>

#include "sim/experiment/statistics.hpp"
#include "sim/graph/referral_graph.hpp"
#include "sim/model/scenario.hpp"

namespace refsim {

struct RunOptions {
  std::uint64_t seed = 1;
  std::uint32_t replications = 1;
  unsigned threads = 0;  ///< 0: all hardware threads
  /// Called after each replication with (done, total), from worker threads, serialised.
  std::function<void(std::uint32_t, std::uint32_t)> progress;
};

struct RunResult {
  std::vector<ReplicationResult> replications;  ///< indexed by replication number
  std::uint64_t events_processed = 0;           ///< over all replications, warm-up included
  double wall_seconds = 0;
  unsigned threads_used = 1;
};

/// Runs one replication to the horizon and returns its statistics.
ReplicationResult run_replication(const Scenario& s, const ReferralGraph& g, std::uint64_t seed, std::uint32_t rep);

/// Runs all replications. Exceptions from a replication are rethrown here.
RunResult run_replications(const Scenario& s, const ReferralGraph& g, const RunOptions& options);

/// Mean and Student-t 95 % confidence interval over replications. NaN values (no observation
/// in a replication) are left out; `n` says how many values remained.
struct Estimate {
  double mean = kNaN;
  std::optional<std::pair<double, double>> ci95;  ///< absent with fewer than two values
  std::size_t n = 0;
  double half_width() const { return ci95 ? (ci95->second - ci95->first) / 2 : kNaN; }
};
Estimate estimate(const std::vector<double>& values);

/// Two-sided Student-t quantile t_{1-alpha/2, dof}.
double student_t_quantile(double alpha, std::size_t dof);

}  // namespace refsim
