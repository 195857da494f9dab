#pragma once
// Probability distributions of durations, as scenarios declare them, and their samplers.
//
// DistributionSpec is plain data (part of the frozen Scenario); Sampler is built from it by the
// engine and draws from a stream. All parameters are in days. Construction of a Sampler assumes a
// validated spec (see validate_distribution); sampling never returns a negative value.
#include <string>
#include <variant>
#include <vector>

#include <boost/random/discrete_distribution.hpp>
#include <boost/random/exponential_distribution.hpp>
#include <boost/random/gamma_distribution.hpp>
#include <boost/random/lognormal_distribution.hpp>
#include <boost/random/triangle_distribution.hpp>
#include <boost/random/uniform_real_distribution.hpp>
#include <boost/random/weibull_distribution.hpp>

#include "sim/random/streams.hpp"

namespace refsim {

enum class DistKind { exponential, deterministic, uniform, triangular, lognormal, gamma, erlang, weibull, empirical };

/// A distribution as declared. Parameter meaning by kind (all times in days):
///   exponential{mean=p0}  deterministic{value=p0}  uniform{min=p0,max=p1}
///   triangular{min=p0,mode=p1,max=p2}  lognormal{mean=p0,sd=p1} (of the duration itself)
///   gamma{shape=p0,scale=p1} (gamma{mean,cv} is converted)  erlang{k=p0,mean=p1} (whole duration)
///   weibull{shape=p0,scale=p1}  empirical{values,weights} (weights normalised; equal if empty)
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
  // exponential, gamma (also erlang), uniform, triangular, lognormal, weibull: Boost's own.
  std::variant<boost::random::exponential_distribution<double>, boost::random::gamma_distribution<double>,
               boost::random::lognormal_distribution<double>, boost::random::triangle_distribution<double>,
               boost::random::uniform_real_distribution<double>, boost::random::weibull_distribution<double>,
               Constant, Empirical>
      impl_;
};

}  // namespace refsim
