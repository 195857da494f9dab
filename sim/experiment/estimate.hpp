#pragma once
// Estimates over replications: a point estimate and a 95 % confidence interval that lies inside
// the range of the measure, by a method chosen for its kind (docs/statistics.md has the formulas
// and the reasons).
//
//   std::vector<double> compliance{0.9, 1.0, 0.8}, measured{10, 3, 5};
//   refsim::Estimate e = refsim::estimate(refsim::Kind::share, compliance, measured);
//   // e.mean: pooled 16 / 18; e.ci95 inside [0, 1]; e.observations == 18; e.few_observations
//
// Pure functions of their arguments: they never depend on the order of the replications beyond
// the floating-point order of their sums, which is the replication order.
#include <cstddef>
#include <cstdint>
#include <limits>
#include <optional>
#include <utility>
#include <vector>

namespace refsim {

inline constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

/// What a measure is, which fixes its range and how its interval is formed.
enum class Kind : std::uint8_t {
  count,        ///< a count per replication (>= 0): quasi-Poisson (gamma) interval
  share,        ///< a ratio of counts in [0, 1]: pooled ratio, Wilson interval with a design effect
  fraction,     ///< a continuous average in [0, 1] (utilization): Student-t on the logit scale
  nonnegative,  ///< a continuous measure >= 0 (times, queue lengths, rates): Student-t on the log scale
  unbounded,    ///< any real value: the plain Student-t interval
};

/// A figure resting on fewer observations than this per replication is marked as such
/// (Estimate::few_observations) and never chosen as the "worst" of anything.
inline constexpr double kFewObservations = 10;

/// A point estimate and its 95 % confidence interval over replications. NaN values (no
/// observation in a replication) are left out.
struct Estimate {
  /// The arithmetic mean over the replications that gave a value; for a share, the pooled ratio
  /// (numerators summed over replications / bases summed). NaN when no replication gave a value.
  double mean = kNaN;
  /// Absent with fewer than two replications that gave a value (for a share: with a basis > 0).
  std::optional<std::pair<double, double>> ci95;
  std::size_t replications = 0;   ///< replications that gave a value
  double observations = 0;        ///< the basis (observations behind the figure) summed over replications
  bool few_observations = false;  ///< observations per replication run < kFewObservations
  double half_width() const { return ci95 ? (ci95->second - ci95->first) / 2 : kNaN; }
};

/// The plain Student-t interval, mean ± t · s / √R (Kind::unbounded); `observations` stays 0.
Estimate estimate(const std::vector<double>& values);

/// The estimate of a measure of `kind` from its value in each replication and, in the same order,
/// the number of observations behind each value (for a share, its denominator). `basis` must have
/// as many elements as `values`. Observations per replication count over all the replications,
/// those that gave no value too.
Estimate estimate(Kind kind, const std::vector<double>& values, const std::vector<double>& basis);

/// Two-sided Student-t quantile t_{1-alpha/2, dof}.
double student_t_quantile(double alpha, std::size_t dof);

/// The Wilson score interval for a proportion p observed on n (> 0, possibly fractional)
/// independent trials with normal quantile z. Inside [0, 1] by construction; exact at p = 0, 1.
std::pair<double, double> wilson_interval(double p, double n, double z);

}  // namespace refsim
