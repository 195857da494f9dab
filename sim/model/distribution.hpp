#pragma once
// Probability distributions of durations, as scenarios declare them, and their samplers.
//
// DistributionSpec is plain data (part of the frozen Scenario); Sampler is built from it by the
// engine and draws from a stream. All parameters are in days. Construction of a Sampler assumes a
// validated spec (see validate_distribution); sampling never returns a negative value.
#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <span>
#include <string>
#include <variant>
#include <vector>

#include <boost/random/beta_distribution.hpp>
#include <boost/random/discrete_distribution.hpp>
#include <boost/random/exponential_distribution.hpp>
#include <boost/random/gamma_distribution.hpp>
#include <boost/random/lognormal_distribution.hpp>
#include <boost/random/normal_distribution.hpp>
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

/// The shortest positive time a distribution may give: 1 µs, in days (the clock's resolution
/// over a long run is about 0.3 µs).
inline constexpr double kMinPositiveTime = 1e-6 / 86400;
/// The largest standard deviation, as a multiple of the mean, of a distribution with an
/// unbounded tail (lognormal, gamma, Weibull).
inline constexpr double kMaxCoefficientOfVariation = 100;

/// Checks parameter ranges; throws std::invalid_argument naming the parameter at fault.
void validate_distribution(const DistributionSpec& spec);

/// Draws from a DistributionSpec, from any 64-bit generator (Rng, SplitMix64). Cheap to copy; one
/// per entity and replication.
///
/// The draws are those of Boost.Random's distributions, from the same stream, so that they do
/// not depend on the standard library; the sampler only chooses which one to call, with a single
/// dispatch on the kind and the parameters converted once, at construction. The exception is
/// gamma (and erlang): Boost's gamma_distribution rejects from a Cauchy envelope at the cost of a
/// tan, a log and an exp per try, a twelfth of a benchmark run's instructions; the sampler uses
/// Marsaglia and Tsang's method instead (Boost's normal and the stream's uniform; see Gamma).
class Sampler {
 public:
  Sampler() : impl_(Constant{0}) {}
  explicit Sampler(const DistributionSpec& spec);
  /// One draw from `rng`: Rng (a stream of an entity) or SplitMix64 (a person's visit).
  template <class URNG>
  double operator()(URNG& rng) {
    // Exponential, the most common law, without the dispatch (the same draw std::visit makes):
    // one draw per call from a person's stream, where SampleStream's blocks amortised it.
    if (auto* e = std::get_if<boost::random::exponential_distribution<double>>(&impl_)) [[likely]] {
      return (*e)(rng);
    }
    return std::visit([&rng](auto& d) -> double { return d(rng); }, impl_);
  }
  /// Fills `out` with successive draws: the values as many calls would return, with one dispatch.
  template <class URNG>
  void fill(URNG& rng, std::span<double> out) {
    std::visit(
        [&](auto& d) {
          for (double& x : out) x = d(rng);
        },
        impl_);
  }

 private:
  struct Constant {
    double v;
    template <class URNG>
    double operator()(URNG&) const {
      return v;
    }
  };
  struct Empirical {
    std::vector<double> values;
    boost::random::discrete_distribution<std::size_t, double> pick;
    template <class URNG>
    double operator()(URNG& rng) {
      return values[pick(rng)];
    }
  };
  /// Gamma(shape, scale): G. Marsaglia and W. W. Tsang, "A simple method for generating gamma
  /// variables", ACM TOMS 26(3), 2000. For shape a >= 1, with d = a - 1/3 and c = 1/sqrt(9d): draw
  /// a standard normal x until v = (1 + c x)^3 > 0 and a uniform u; accept d v when
  /// u < 1 - 0.0331 x^4 (the squeeze, most tries) or log u < x^2 / 2 + d (1 - v + log v). At least
  /// 95 % of tries are accepted. For a < 1: Gamma(a + 1) · U^(1/a) (their section 6).
  struct Gamma {
    double d, c, scale;
    double inv_shape;  ///< 1/a when a < 1 (the U^(1/a) step), else 0
    boost::random::normal_distribution<double> normal;
    Gamma(double shape, double scale_)
        : d((shape < 1 ? shape + 1 : shape) - 1.0 / 3),
          c(1 / std::sqrt(9 * d)),
          scale(scale_),
          inv_shape(shape < 1 ? 1 / shape : 0) {}
    template <class URNG>
    double operator()(URNG& rng) {
      double x, v;
      for (;;) {
        do {
          x = normal(rng);
          v = 1 + c * x;
        } while (v <= 0);
        v = v * v * v;
        const double u = uniform01(rng);
        const double x2 = x * x;
        if (u < 1 - 0.0331 * x2 * x2) break;
        if (std::log(u) < 0.5 * x2 + d * (1 - v + std::log(v))) break;
      }
      double g = d * v;
      if (inv_shape > 0) g *= std::pow(1 - uniform01(rng), inv_shape);  // in (0, 1]: no exact zero
      return g * scale;
    }
  };
  struct Pert {  // min + (max - min) * Beta(alpha, beta), clamped against rounding
    double min, range, max;
    boost::random::beta_distribution<double> beta;
    template <class URNG>
    double operator()(URNG& rng) {
      return std::clamp(min + range * beta(rng), min, max);
    }
  };
  // exponential, uniform, triangular, lognormal, weibull: Boost's own.
  std::variant<boost::random::exponential_distribution<double>, Gamma, boost::random::lognormal_distribution<double>,
               boost::random::triangle_distribution<double>, boost::random::uniform_real_distribution<double>,
               boost::random::weibull_distribution<double>, Constant, Empirical, Pert>
      impl_;
};

/// A sampler with a stream of its own, drawn ahead a block at a time.
///
/// The values, in order, are those of calling the sampler on the stream once per draw (the stream
/// serves nothing else, and a block is drawn only when the previous one is used up, so an unused
/// sampler draws nothing). What changes is how they are computed: a block is one loop over one
/// distribution, whose dispatch on the kind and internal branches (rejection, ziggurat layers)
/// the processor then predicts, where one draw at a time for agencies taken at random mixes the
/// kinds — about one mispredicted indirect jump per draw in the benchmark (bench/README.md).
class SampleStream {
 public:
  static constexpr std::uint32_t kBlock = 16;

  SampleStream() = default;
  SampleStream(const DistributionSpec& spec, const Rng& rng) : sampler_(spec), rng_(rng) {}

  double operator()() {
    if (next_ == kBlock) refill();
    return block_[next_++];
  }

  /// Draws from `spec` from now on, continuing the same random stream; the values drawn ahead
  /// for the old distribution are dropped.
  void redistribute(const DistributionSpec& spec) {
    sampler_ = Sampler(spec);
    next_ = kBlock;
  }

 private:
  void refill() {
    sampler_.fill(rng_, block_);
    next_ = 0;
  }

  std::uint32_t next_ = kBlock;
  std::array<double, kBlock> block_{};
  Sampler sampler_;
  Rng rng_;
};

}  // namespace refsim
