#include "sim/model/distribution.hpp"

#include <cmath>
#include <numeric>
#include <sstream>
#include <stdexcept>

#include "sim/model/units.hpp"

namespace refsim {

const char* to_string(DistKind kind) {
  switch (kind) {
    case DistKind::exponential: return "exponential";
    case DistKind::deterministic: return "deterministic";
    case DistKind::uniform: return "uniform";
    case DistKind::triangular: return "triangular";
    case DistKind::lognormal: return "lognormal";
    case DistKind::gamma: return "gamma";
    case DistKind::erlang: return "erlang";
    case DistKind::weibull: return "weibull";
    case DistKind::empirical: return "empirical";
    case DistKind::pert: return "pert";
  }
  return "?";
}

namespace {

std::vector<double> normalised_weights(const DistributionSpec& s) {
  std::vector<double> w = s.weights;
  if (w.empty()) w.assign(s.values.size(), 1.0);
  const double total = std::accumulate(w.begin(), w.end(), 0.0);
  for (double& x : w) x /= total;
  return w;
}

/// The two shape parameters of a beta-PERT{min=p0, mode=p1, max=p2} with lambda = 4.
struct PertShape {
  double alpha, beta;
};
PertShape pert_shape(const DistributionSpec& s) {
  const double range = s.p2 - s.p0;
  return {1 + 4 * (s.p1 - s.p0) / range, 1 + 4 * (s.p2 - s.p1) / range};
}

}  // namespace

double DistributionSpec::mean() const {
  switch (kind) {
    case DistKind::exponential: return p0;
    case DistKind::deterministic: return p0;
    case DistKind::uniform: return (p0 + p1) / 2;
    case DistKind::triangular: return (p0 + p1 + p2) / 3;
    case DistKind::lognormal: return p0;
    case DistKind::gamma: return p0 * p1;
    case DistKind::erlang: return p1;
    case DistKind::weibull: return p1 * std::tgamma(1 + 1 / p0);
    case DistKind::empirical: {
      const auto w = normalised_weights(*this);
      double m = 0;
      for (std::size_t i = 0; i < values.size(); ++i) m += w[i] * values[i];
      return m;
    }
    case DistKind::pert: return (p0 + 4 * p1 + p2) / 6;
  }
  return 0;
}

double DistributionSpec::variance() const {
  switch (kind) {
    case DistKind::exponential: return p0 * p0;
    case DistKind::deterministic: return 0;
    case DistKind::uniform: return (p1 - p0) * (p1 - p0) / 12;
    case DistKind::triangular: return (p0 * p0 + p1 * p1 + p2 * p2 - p0 * p1 - p0 * p2 - p1 * p2) / 18;
    case DistKind::lognormal: return p1 * p1;
    case DistKind::gamma: return p0 * p1 * p1;
    case DistKind::erlang: return p1 * p1 / p0;
    case DistKind::weibull: {
      const double g1 = std::tgamma(1 + 1 / p0), g2 = std::tgamma(1 + 2 / p0);
      return p1 * p1 * (g2 - g1 * g1);
    }
    case DistKind::empirical: {
      const auto w = normalised_weights(*this);
      const double m = mean();
      double v = 0;
      for (std::size_t i = 0; i < values.size(); ++i) v += w[i] * (values[i] - m) * (values[i] - m);
      return v;
    }
    case DistKind::pert: {
      // Var of Beta(a, b) = ab / ((a + b)^2 (a + b + 1)) with a + b = 6, scaled by (max - min)^2,
      // equals (mean - min)(max - mean) / 7.
      const double m = mean();
      return (m - p0) * (p2 - m) / 7;
    }
  }
  return 0;
}

std::string DistributionSpec::describe() const {
  std::ostringstream os;
  os << to_string(kind) << '(';
  auto d = [](double x) { return format_duration(x); };
  switch (kind) {
    case DistKind::exponential: os << "mean=" << d(p0); break;
    case DistKind::deterministic: os << "value=" << d(p0); break;
    case DistKind::uniform: os << "min=" << d(p0) << ", max=" << d(p1); break;
    case DistKind::triangular: os << "min=" << d(p0) << ", mode=" << d(p1) << ", max=" << d(p2); break;
    case DistKind::lognormal: os << "mean=" << d(p0) << ", sd=" << d(p1); break;
    case DistKind::gamma: os << "shape=" << p0 << ", scale=" << d(p1); break;
    case DistKind::erlang: os << "k=" << p0 << ", mean=" << d(p1); break;
    case DistKind::weibull: os << "shape=" << p0 << ", scale=" << d(p1); break;
    case DistKind::empirical: os << values.size() << " values, mean=" << d(mean()); break;
    case DistKind::pert: os << "min=" << d(p0) << ", mode=" << d(p1) << ", max=" << d(p2); break;
  }
  os << ')';
  return os.str();
}

void validate_distribution(const DistributionSpec& s) {
  auto positive = [](double v, const char* what) {
    if (!(v > 0)) {
      std::ostringstream os;
      os << what << " must be > 0, got " << v;
      throw std::invalid_argument(os.str());
    }
  };
  auto non_negative = [](double v, const char* what) {
    if (!(v >= 0)) {
      std::ostringstream os;
      os << what << " must be >= 0, got " << v;
      throw std::invalid_argument(os.str());
    }
  };
  switch (s.kind) {
    case DistKind::exponential: positive(s.p0, "mean"); break;
    case DistKind::deterministic: positive(s.p0, "value"); break;
    case DistKind::uniform:
      non_negative(s.p0, "min");
      if (!(s.p1 > s.p0)) throw std::invalid_argument("max must be greater than min");
      break;
    case DistKind::triangular:
      non_negative(s.p0, "min");
      if (!(s.p0 <= s.p1 && s.p1 <= s.p2 && s.p0 < s.p2))
        throw std::invalid_argument("triangular needs min <= mode <= max and min < max");
      break;
    case DistKind::lognormal:
      positive(s.p0, "mean");
      positive(s.p1, "sd");
      break;
    case DistKind::gamma:
      positive(s.p0, "shape");
      positive(s.p1, "scale");
      break;
    case DistKind::erlang:
      if (!(s.p0 >= 1 && std::floor(s.p0) == s.p0)) throw std::invalid_argument("k must be an integer >= 1");
      positive(s.p1, "mean");
      break;
    case DistKind::weibull:
      positive(s.p0, "shape");
      positive(s.p1, "scale");
      break;
    case DistKind::empirical: {
      if (s.values.empty()) throw std::invalid_argument("values must not be empty");
      for (double v : s.values) non_negative(v, "each value");
      if (!s.weights.empty()) {
        if (s.weights.size() != s.values.size())
          throw std::invalid_argument("weights must have as many entries as values");
        double total = 0;
        for (double w : s.weights) {
          non_negative(w, "each weight");
          total += w;
        }
        positive(total, "the sum of weights");
        if (!std::isfinite(total)) throw std::invalid_argument("the sum of weights is too large to represent");
      }
      if (!(s.mean() > 0)) throw std::invalid_argument("the mean of values must be > 0");
      break;
    }
    case DistKind::pert:
      non_negative(s.p0, "min");
      if (!(s.p0 <= s.p1 && s.p1 <= s.p2 && s.p0 < s.p2))
        throw std::invalid_argument("pert needs min <= mode <= max and min < max");
      break;
  }
  // What a run can resolve, and what its averages can settle on. The clock counts days in a
  // double: over the 20-year follow-up it tells times about 0.3 µs apart, so a positive time
  // shorter than a microsecond is below its resolution (an empirical 0 is an instant service and
  // stays allowed).
  if (s.kind == DistKind::empirical) {
    for (double v : s.values) {
      if (v > 0 && v < kMinPositiveTime) {
        throw std::invalid_argument("each value must be 0 or at least 1 µs (the clock's resolution over a long run)");
      }
    }
  } else if (const double m = s.mean(); !(m >= kMinPositiveTime)) {
    throw std::invalid_argument("the mean must be at least 1 µs (the clock's resolution over a long run)");
  }
  // A tail so heavy that no run's average comes near the mean: a lognormal sd of 1e200 days on
  // a 40-minute mean gave a throughput of 0 where check predicted a utilization of 0.06.
  if (s.kind == DistKind::lognormal || s.kind == DistKind::gamma || s.kind == DistKind::weibull) {
    // The lognormal is given by its mean and sd: their ratio, without the variance's overflow.
    const double cv = s.kind == DistKind::lognormal ? s.p1 / s.p0 : std::sqrt(s.variance()) / s.mean();
    if (!(cv <= kMaxCoefficientOfVariation)) {
      std::ostringstream os;
      os << "the standard deviation is " << cv << " times the mean, more than " << kMaxCoefficientOfVariation
         << ": with so heavy a tail the median is a hundredth of the mean or less and no run's average "
            "settles near it";
      throw std::invalid_argument(os.str());
    }
  }
}

Sampler::Sampler(const DistributionSpec& s) {
  using namespace boost::random;
  switch (s.kind) {
    case DistKind::exponential: impl_ = exponential_distribution<double>(1.0 / s.p0); break;
    case DistKind::deterministic: impl_ = Constant{s.p0}; break;
    case DistKind::uniform: impl_ = uniform_real_distribution<double>(s.p0, s.p1); break;
    case DistKind::triangular: impl_ = triangle_distribution<double>(s.p0, s.p1, s.p2); break;
    case DistKind::lognormal: {
      // Convert the duration's mean and sd to the parameters of its logarithm.
      const double sigma2 = std::log1p((s.p1 * s.p1) / (s.p0 * s.p0));
      impl_ = lognormal_distribution<double>(std::log(s.p0) - sigma2 / 2, std::sqrt(sigma2));
      break;
    }
    case DistKind::gamma: impl_ = Gamma(s.p0, s.p1); break;
    case DistKind::erlang: impl_ = Gamma(s.p0, s.p1 / s.p0); break;
    case DistKind::weibull: impl_ = weibull_distribution<double>(s.p0, s.p1); break;
    case DistKind::empirical: {
      const auto w = normalised_weights(s);
      impl_ = Empirical{s.values, discrete_distribution<std::size_t, double>(w.begin(), w.end())};
      break;
    }
    case DistKind::pert: {
      const PertShape shape = pert_shape(s);
      impl_ = Pert{s.p0, s.p2 - s.p0, s.p2, beta_distribution<double>(shape.alpha, shape.beta)};
      break;
    }
  }
}

}  // namespace refsim
