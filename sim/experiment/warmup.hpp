#pragma once
// Choosing the warm-up: the MSER-5 truncation rule on the number of persons in the mechanism.
//
// A run starts from an empty mechanism (or a given backlog) and takes a while to look like the
// mechanism it models; statistics of that transient are biased. MSER-5 (White 1997; White,
// Cobb and Spratt 2000; Franklin and White 2008) cuts the series of an output into batches of 5
// observations and drops the first d batches, for the d that minimises
//
//   MSER(d) = Σ_{i>d} (Z_i − Z̄_d)² / (m − d)²        (Z_i the batch means, m batches, d <= m/2),
//
// i.e. the squared standard error of the mean of what is left, as if the batches were
// independent: dropping the transient lowers it, dropping steady state raises it. When the
// minimum lies at m/2, the run is too short to reach a steady state (RunWarmup::at_limit).
//
//   const WarmupChoice w = choose_warmup(scenario, graph, seed, 10, threads);
//   Scenario s = scenario;  s.run.warmup = w.warmup;
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "sim/experiment/runner.hpp"
#include "sim/graph/referral_graph.hpp"
#include "sim/model/scenario.hpp"

namespace refsim {

/// The number of leading observations of `series` that MSER-5 drops (a multiple of 5, at most
/// half the series); 0 for a series shorter than two batches.
std::size_t mser5_truncation(std::span<const double> series);

struct WarmupChoice {
  Time warmup = 0;                 ///< the truncation point, in days from t = 0
  Time sample_every = 0;           ///< spacing of the series
  std::size_t samples = 0;         ///< observations in the series (t = Δ, 2Δ, …, horizon)
  std::uint32_t replications = 0;  ///< pilot replications averaged into the series
  bool at_limit = false;           ///< the minimum lay at half the series: no steady state in sight
};

/// Pilot replications for `refsim run --warmup auto`: at most this many of the run's.
inline constexpr std::uint32_t kWarmupPilots = 10;
/// Observations in the series choose_warmup analyses: 200 batches of 5.
inline constexpr std::size_t kWarmupSamples = 1000;

/// Runs `replications` pilot replications of `s` (streams (seed, r) for r = 0, 1, …, as the run
/// itself uses them) without statistics, samples the persons in the mechanism at kWarmupSamples
/// even times up to the horizon, averages them over the replications and applies MSER-5. The
/// result depends only on the scenario, the seed and `replications`, never on `threads`.
WarmupChoice choose_warmup(const Scenario& s, const ReferralGraph& g, std::uint64_t seed, std::uint32_t replications,
                           unsigned threads);

/// A warning when the warm-up is short against the time people spend in the mechanism: shorter
/// than the mean time in the mechanism, or than the mean time spent at its slowest stage (an
/// agency with at least kFewVisits visits per replication): then that stage was still filling up
/// when statistics began. None for a scenario that starts with a backlog (Agency::initial_cases):
/// its transient is what it studies.
std::optional<std::string> short_warmup_warning(const Scenario& s, const RunResult& r);
/// Visits per replication below which an agency's mean time does not count as its stage's.
inline constexpr double kFewVisits = 10;

}  // namespace refsim
