#pragma once
// Probability distributions of durations, as scenarios declare them, and their samplers.
//
// DistributionSpec is plain data (part of the frozen Scenario); Sampler is built from it by the
// engine and draws from a stream. All parameters are in days. Construction of a Sampler assumes a
// validated spec (see validate_distribution); sampling never returns a negative value.
#include <algorithm>
#include <string>
#include <variant>
#include <vector>

#include <boost/random/beta_distribution.hpp>
#include <boost/random/discrete_distribution.hpp>
#include <boost/random/exponential_distribution.hpp>
#include <boost/random/gamma_distribution.hpp>
#include <boost/random/lognormal_distribution.hpp>
#include <boost/random/triangle_distribution.hpp>
#include <boost/random/uniform_real_distribution.hpp>
#include <boost/random/weibull_distribution.hpp>

#include "sim/random/streams.hpp"

namespace refsim {

/// New kinds go at the end, so that the others keep their numbers.
enum class DistKind {
  exponential,
  deterministic,
  uniform,
  triangular,
  lognormal,
  gamma,
  erlang,
  weibull,
  empirical,
  pert
};

/// A distribution as declared. Parameter meaning by kind (all times in days):
///   exponential{mean=p0}  deterministic{value=p0}  uniform{min=p0,max=p1}
///   triangular{min=p0,mode=p1,max=p2}  lognormal{mean=p0,sd=p1} (of the duration itself)
///   gamma{shape=p0,scale=p1} (gamma{mean,cv} is converted)  erlang{k=p0,mean=p1} (whole duration)
///   weibull{shape=p0,scale=p1}  empirical{values,weights} (weights normalised; equal if empty)
///   pert{min=p0,mode=p1,max=p2}: beta-PERT for expert ranges, min + (max - min) * Beta(a, b) with
///     a = 1 + 4 (mode - min) / (max - min), b = 1 + 4 (max - mode) / (max - min) (lambda = 4);
///     mean (min + 4 mode + max) / 6
struct DistributionSpec {
  DistKind kind = DistKind::deterministic;
  double p0 = 0, p1 = 0, p2 = 0;
  std::vector<double> values, weights;

  static DistributionSpec constant(double v) { return {DistKind::deterministic, v, 0, 0, {}, {}}; }
  static DistributionSpec exponential(double mean) { return {DistKind::exponential, mean, 0, 0, {}, {}}; }

  double mean() const;           ///< theoretical mean, days
  double variance() const;       ///< theoretical variance, days^2
  std::string describe() const;  ///< e.g. "exponential(mean=0.8d)"
};

const char* to_string(DistKind kind);

/// Checks parameter ranges; throws std::invalid_argument naming the parameter at fault.
void validate_distribution(const DistributionSpec& spec);

/// Draws from a DistributionSpec. Cheap to copy; one per entity and replication.
///
/// The draws are those of Boost.Random's distributions, from the same stream, so that they do
/// not depend on the standard library; the sampler only chooses which one to call, with a single
/// dispatch on the kind and the parameters converted once, at construction.
class Sampler {
 public:
  Sampler() : impl_(Constant{0}) {}
  explicit Sampler(const DistributionSpec& spec);
  double operator()(Rng& rng) {
    return std::visit([&rng](auto& d) -> double { return d(rng); }, impl_);
  }

 private:
  struct Constant {
    double v;
    double operator()(Rng&) const { return v; }
  };
  struct Empirical {
    std::vector<double> values;
    boost::random::discrete_distribution<std::size_t, double> pick;
    double operator()(Rng& rng) { return values[pick(rng)]; }
  };
  struct Pert {  // min + (max - min) * Beta(alpha, beta), clamped against rounding
    double min, range, max;
    boost::random::beta_distribution<double> beta;
    double operator()(Rng& rng) { return std::clamp(min + range * beta(rng), min, max); }
  };
  // exponential, gamma (also erlang), uniform, triangular, lognormal, weibull: Boost's own.
  std::variant<boost::random::exponential_distribution<double>, boost::random::gamma_distribution<double>,
               boost::random::lognormal_distribution<double>, boost::random::triangle_distribution<double>,
               boost::random::uniform_real_distribution<double>, boost::random::weibull_distribution<double>, Constant,
               Empirical, Pert>
      impl_;
};

}  // namespace refsim
