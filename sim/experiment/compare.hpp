#pragma once
// Comparing scenario variants: the same replications of each under common random numbers, paired
// differences to a baseline with Student-t intervals (Bonferroni-adjusted with three or more
// variants), replications added until a paired interval is narrow enough, and the selection of the
// best variant by Kim and Nelson's fully sequential procedure. docs/compare.md and
// docs/statistics.md give the formulas.
//
//   std::vector<refsim::Variant> v = {{"base", "a.toml", load_scenario("a.toml")}, {"more", …}};
//   refsim::CompareOptions opt;
//   opt.seed = 42;
//   opt.replications = 20;
//   refsim::CompareResult r = refsim::compare(v, opt);
//   r.indicators[i].differences[1]->mean;  // variant 1 minus the baseline, paired by replication
//
// Replication r of every variant runs on the streams of (seed, r), so the variants meet the same
// persons with the same draws (sim/random/streams.hpp); with `independent`, variant v > 0 runs on
// a seed of its own instead. Results depend only on the variants, the seed and the options, never
// on the thread count: jobs are (variant, replication) pairs stored by index, and every stopping
// rule looks at replications in order and stops at the first count that satisfies it.
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "sim/experiment/indicators.hpp"
#include "sim/experiment/runner.hpp"
#include "sim/model/scenario.hpp"

namespace refsim {

/// One scenario of a comparison.
struct Variant {
  std::string key;   ///< unique: the file name without .toml (made unique when two collide)
  std::string file;  ///< as given
  Scenario scenario;
};

/// Keys for these files: each file name without ".toml"; a name taken already gets "-2", "-3", ….
std::vector<std::string> variant_keys(const std::vector<std::string>& files);

/// `--precision`: replications are added until every paired interval of `indicator` (the adjusted
/// one with three or more variants) has at most this half-width.
struct PrecisionTarget {
  std::string indicator;
  double half_width = 0;
};

/// `--select`: the best variant for `indicator` by Kim and Nelson's procedure, with an indifference
/// zone in the indicator's unit and a probability of correct selection of at least 1 - alpha when
/// the best is at least `indifference_zone` better than every other.
struct SelectionRequest {
  std::string indicator;
  double indifference_zone = 0;
  bool minimize = true;
  double alpha = 0.05;
};

/// Whether smaller is better for this indicator (times, waits, backlogs, drop-outs) or larger
/// (compliance, identification, coverage, prosecutions, convictions): for --select's default goal.
bool smaller_is_better(const std::string& indicator);

inline constexpr std::uint32_t kMinPrecisionReplications = 5;
inline constexpr std::uint32_t kDefaultMaxReplications = 1000;

struct CompareProgress {
  std::uint32_t done = 0;   ///< jobs (variant × replication) finished
  std::uint32_t total = 0;  ///< jobs planned so far (grows with --precision and --select)
};

struct CompareOptions {
  std::uint64_t seed = 1;
  /// Replications of every variant (a fixed number); with `precision`, the most to run before
  /// stopping short of the target is max_replications instead.
  std::uint32_t replications = 10;
  std::optional<PrecisionTarget> precision;
  std::uint32_t min_replications = kMinPrecisionReplications;  ///< with precision
  std::uint32_t max_replications = kDefaultMaxReplications;    ///< with precision or selection
  bool independent = false;  ///< separate streams per variant instead of common random numbers
  std::size_t baseline = 0;  ///< index of the baseline variant
  unsigned threads = 0;      ///< 0: all hardware threads
  /// Time series of replication 0 of every variant (ReplicationOptions::sample_every); 0: none.
  Time sample_every = 0;
  std::optional<SelectionRequest> selection;
  std::function<void(const CompareProgress&)> progress;  ///< serialised, from worker threads
};

/// Variant minus baseline, paired by replication.
struct Difference {
  double mean = kNaN;
  std::pair<double, double> ci95{kNaN, kNaN};
  /// With three or more variants: the Bonferroni interval (level 1 - 0.05 / comparisons); else ci95.
  std::pair<double, double> ci95_adjusted{kNaN, kNaN};
  double relative = kNaN;        ///< mean / the baseline's mean; NaN when that is 0
  bool significant = false;      ///< the (adjusted) interval excludes 0
  std::size_t replications = 0;  ///< pairs in which both gave a value
  double half_width() const { return (ci95_adjusted.second - ci95_adjusted.first) / 2; }
};

struct IndicatorComparison {
  std::string name, label, unit;
  Kind kind = Kind::unbounded;
  bool key = false;  ///< a key indicator (IndicatorDef::key) in some variant, or one chosen by name
  struct Value {
    /// Why there is no value: "" when there is one; else the variant has no such indicator
    /// (`missing`) or cannot produce it (not applicable).
    std::string missing, not_applicable;
    Estimate estimate;
    IndicatorSeries series;
  };
  std::vector<Value> values;  ///< by variant
  /// By variant; empty for the baseline and where either side has no value in any pair.
  std::vector<std::optional<Difference>> differences;
  std::vector<std::string> no_difference;  ///< by variant: why there is none ("" when there is)
};

/// Kim and Nelson (2001)'s fully sequential procedure: first stage n0, then one replication more of
/// every surviving variant at a time, eliminating those clearly worse, until one survives.
struct Selection {
  SelectionRequest request;
  std::uint32_t first_stage = 0;                 ///< n0
  double h2 = 0;                                 ///< (n0 - 1) · ((2 alpha / (k - 1))^(-2 / (n0 - 1)) - 1)
  std::optional<std::size_t> best;               ///< the selected variant; none when the cap came first
  std::vector<std::uint32_t> replications_used;  ///< by variant
  /// By variant: the replication count at which it was eliminated; 0 for the survivors.
  std::vector<std::uint32_t> eliminated_at;
  std::vector<double> means;  ///< by variant: the indicator's mean over its replications used
};

struct CompareResult {
  std::vector<RunResult> runs;  ///< by variant: the common replications 0 … replications - 1
  std::uint32_t replications = 0;
  std::vector<std::uint64_t> seeds;  ///< by variant
  std::size_t comparisons = 0;       ///< variants other than the baseline
  std::vector<IndicatorComparison> indicators;
  std::optional<Selection> selection;
  /// With a precision target: whether it was reached (else max_replications ran).
  bool precision_reached = false;
  std::uint64_t events_processed = 0;  ///< every replication run, selection included
  double wall_seconds = 0;
  unsigned threads_used = 1;
};

/// The paired difference other − base over the replications where both have a value, with a
/// Student-t interval at level 95 % (and at 1 - 0.05 / comparisons for ci95_adjusted). For a
/// share (Kind::share) the point estimate is the difference of the pooled ratios and the standard
/// error comes from the ratios' linearisation by replication. Absent with fewer than two pairs.
std::optional<Difference> paired_difference(Kind kind, const IndicatorSeries& base, const IndicatorSeries& other,
                                            std::size_t comparisons);

/// Runs the comparison. `indicator_names` (canonical names) restricts the indicators compared;
/// empty: all of them. Throws std::invalid_argument for a precision or selection indicator that no
/// variant has, or that has no value in some replication of the selection.
CompareResult compare(const std::vector<Variant>& variants, const CompareOptions& options,
                      const std::vector<std::string>& indicator_names = {});

}  // namespace refsim
