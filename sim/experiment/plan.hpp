#pragma once
// Planning under a budget: the portfolios of a scenario's costed interventions ([[intervention]])
// that fit a budget, each run under common random numbers against doing nothing, with the paired
// effect on one indicator, its cost-effectiveness and the frontier of cost against effect.
// docs/plan.md gives the method.
//
//   refsim::PlanOptions opt;
//   opt.budget = 200000;                       // in s.currency
//   opt.indicator = "overall.identified";      // victims identified
//   refsim::PlanResult p = refsim::plan(s, opt);
//   p.portfolios[1].effect->mean;              // the best portfolio's gain over doing nothing
//
// Replication r of every portfolio runs on the streams of (seed, r), so the portfolios meet the same
// persons with the same draws and their differences are paired (as `refsim compare`). Up to
// max_exhaustive interventions every portfolio within the budget is run; beyond, a greedy search
// adds, one at a time, the intervention with the largest gain per extra cost (each step run). The
// result depends only on the scenario, the seed and the options, never on the thread count.
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "sim/experiment/compare.hpp"
#include "sim/experiment/estimate.hpp"
#include "sim/model/scenario.hpp"

namespace refsim {

/// Every subset is run up to this many interventions (4,096 portfolios at most).
inline constexpr std::size_t kMaxExhaustiveInterventions = 12;
/// Cost-effectiveness is given per this much spent.
inline constexpr double kCostEffectivenessPer = 10000;

struct PlanOptions {
  double budget = 0;                             ///< in Scenario::currency
  std::string indicator = "overall.identified";  ///< canonical name (sim/experiment/indicators.hpp)
  /// Whether a larger value of the indicator is better; unset: as `refsim compare` reads it
  /// (smaller_is_better in sim/experiment/compare.hpp).
  std::optional<bool> larger_is_better;
  std::uint64_t seed = 1;
  std::uint32_t replications = 10;  ///< of every portfolio (>= 2)
  unsigned threads = 0;             ///< 0: all hardware threads
  std::size_t max_exhaustive = kMaxExhaustiveInterventions;
  /// Replications run of those planned so far (the greedy search plans more at each step);
  /// serialised, from worker threads.
  std::function<void(std::uint64_t done, std::uint64_t total)> progress;
};

struct PortfolioResult {
  std::vector<std::size_t> interventions;  ///< indices into Scenario::interventions, ascending
  std::string label;                       ///< "a + b"; "nothing" for the empty portfolio
  double cost = 0;                         ///< over the measured period (portfolio_cost)
  Estimate value;                          ///< the indicator with this portfolio
  /// The gain over doing nothing, paired by replication and signed so that > 0 is better (for an
  /// indicator where smaller is better, nothing's value minus this one's). ci95_adjusted is the
  /// Bonferroni interval over every portfolio run. Absent for "nothing" and with < 2 pairs.
  std::optional<Difference> effect;
  /// effect × kCostEffectivenessPer / cost, with the interval scaled alike; NaN at cost 0.
  double per_spend = kNaN;
  std::pair<double, double> per_spend_ci95{kNaN, kNaN};
  /// No portfolio run costs at most as much and gains at least as much (one of them strictly), by
  /// the estimated means.
  bool frontier = false;
};

struct PlanResult {
  std::string indicator, label, unit;
  Kind kind = Kind::unbounded;
  bool larger_is_better = true;
  std::string currency;
  double budget = 0;
  /// "exhaustive" (every portfolio within the budget) or "greedy" (docs/plan.md).
  std::string method;
  /// "nothing" first, then the portfolios run, by gain (best first; ties by cost, then label).
  std::vector<PortfolioResult> portfolios;
  /// Portfolios within the budget left out, and why ("'a' excludes 'b'", a change that does not
  /// apply with another's): label → reason.
  std::vector<std::pair<std::string, std::string>> excluded;
  std::size_t over_budget = 0;  ///< subsets of the interventions that cost more than the budget (exhaustive)
  std::uint32_t replications = 0;
  std::uint64_t seed = 0;
  std::uint64_t events_processed = 0;
  double wall_seconds = 0;
  unsigned threads_used = 1;
};

/// Runs the plan. Throws std::invalid_argument for a scenario without interventions, a budget that
/// is negative or not finite, fewer than two replications, or an indicator the scenario does not
/// have or cannot produce (the message names it).
PlanResult plan(const Scenario& s, const PlanOptions& options);

}  // namespace refsim
