#include "sim/experiment/estimate.hpp"

#include <algorithm>
#include <cassert>
#include <cmath>

#include <boost/math/distributions/students_t.hpp>
#include <boost/math/special_functions/erf.hpp>
#include <boost/math/special_functions/gamma.hpp>

namespace refsim {

namespace {

/// The values that are not NaN, in order.
std::vector<double> present(const std::vector<double>& values) {
  std::vector<double> v;
  v.reserve(values.size());
  for (double x : values) {
    if (!std::isnan(x)) v.push_back(x);
  }
  return v;
}

double mean_of(const std::vector<double>& v) {
  double sum = 0;
  for (double x : v) sum += x;
  return sum / static_cast<double>(v.size());
}

/// Whether every value is the same: nothing varies between replications, and the interval is the
/// point (their mean may differ from the value in the last bit; the interval is that mean).
bool all_equal(const std::vector<double>& v) {
  return std::all_of(v.begin(), v.end(), [&](double x) { return x == v.front(); });
}

/// The sample standard deviation (R − 1 in the denominator) around `mean`.
double sd_of(const std::vector<double>& v, double mean) {
  double ss = 0;
  for (double x : v) ss += (x - mean) * (x - mean);
  return std::sqrt(ss / static_cast<double>(v.size() - 1));
}

/// Counts: the quasi-Poisson interval. With S = R·m events in all and the replications' dispersion
/// φ = s² / m, S / φ behaves as a Poisson count; its exact (Garwood) interval, at the two-sided
/// level whose normal quantile is Student's t with R − 1 degrees of freedom, is scaled back by
/// φ / R. All zeros: the exact Poisson interval for S = 0, [0, −ln(0.025) / R].
void count_interval(Estimate& e, const std::vector<double>& v) {
  const double r = static_cast<double>(v.size());
  const double m = e.mean;
  if (std::all_of(v.begin(), v.end(), [](double x) { return x == 0; })) {
    e.ci95 = std::pair{0.0, -std::log(0.025) / r};
    return;
  }
  if (all_equal(v)) {
    e.ci95 = std::pair{m, m};
    return;
  }
  const double s = sd_of(v, m);
  const double events = r * m * m / (s * s);  // S / φ: the effective number of events
  const double t = student_t_quantile(0.05, v.size() - 1);
  const double tail = boost::math::erfc(t / std::sqrt(2.0)) / 2;  // each side
  const double scale = m / events;
  e.ci95 =
      std::pair{scale * boost::math::gamma_p_inv(events, tail), scale * boost::math::gamma_q_inv(events + 1, tail)};
}

/// Continuous measures >= 0: m · exp(±t · s / (m √R)), the delta method on the log scale.
void nonnegative_interval(Estimate& e, const std::vector<double>& v) {
  const double m = e.mean;
  if (all_equal(v) || !(m > 0)) {
    e.ci95 = std::pair{m, m};
    return;
  }
  const double s = sd_of(v, m);
  const double f =
      std::exp(student_t_quantile(0.05, v.size() - 1) * s / (m * std::sqrt(static_cast<double>(v.size()))));
  e.ci95 = std::pair{m / f, m * f};
}

/// Continuous averages in [0, 1]: logit(m) ± t · s / (m (1 − m) √R), back-transformed.
void fraction_interval(Estimate& e, const std::vector<double>& v) {
  const double m = e.mean;
  if (all_equal(v) || !(m > 0) || !(m < 1)) {
    e.ci95 = std::pair{m, m};
    return;
  }
  const double s = sd_of(v, m);
  const double h =
      student_t_quantile(0.05, v.size() - 1) * s / (m * (1 - m) * std::sqrt(static_cast<double>(v.size())));
  const double logit = std::log(m / (1 - m));
  const auto expit = [](double x) { return 1 / (1 + std::exp(-x)); };
  e.ci95 = std::pair{expit(logit - h), expit(logit + h)};
}

/// Shares: the pooled ratio Σ num / Σ den and a Wilson interval on Σ den / deff observations, the
/// design effect deff the replications' (clusters') ratio-estimator variance over the binomial one.
void share_estimate(Estimate& e, const std::vector<double>& values, const std::vector<double>& basis) {
  std::vector<std::pair<double, double>> reps;  // (numerator, denominator) with denominator > 0
  double num = 0, den = 0;
  for (std::size_t r = 0; r < values.size(); ++r) {
    if (std::isnan(values[r]) || !(basis[r] > 0)) continue;
    const double k = std::round(values[r] * basis[r]);
    reps.emplace_back(k, basis[r]);
    num += k;
    den += basis[r];
  }
  e.replications = reps.size();
  if (reps.empty()) return;
  const double p = num / den;
  e.mean = p;
  if (reps.size() < 2) return;
  const double clusters = static_cast<double>(reps.size());
  const double binomial = p * (1 - p) / den;
  double deff = 1;
  if (binomial > 0) {
    double ss = 0;
    for (const auto& [k, n] : reps) ss += (k - p * n) * (k - p * n);
    const double ratio = clusters / (clusters - 1) * ss / (den * den);
    deff = std::max(1.0, ratio / binomial);
  }
  e.ci95 = wilson_interval(p, den / deff, student_t_quantile(0.05, reps.size() - 1));
}

}  // namespace

double student_t_quantile(double alpha, std::size_t dof) {
  const boost::math::students_t dist(static_cast<double>(dof));
  return boost::math::quantile(boost::math::complement(dist, alpha / 2));
}

std::pair<double, double> wilson_interval(double p, double n, double z) {
  assert(n > 0 && p >= 0 && p <= 1);
  // The bounds are (a ∓ h) / (1 + z²/n) with a = p + z²/(2n); written as p² / (a + h) and
  // 1 − q² / (a' + h) (q = 1 − p, a' = q + z²/(2n)), the same numbers without cancellation, so
  // that they lie in [0, 1] in floating point too.
  const double z2n = z * z / n;
  const double q = 1 - p;
  const double h = z * std::sqrt(p * q / n + z2n / (4 * n));
  return {p * p / (p + z2n / 2 + h), 1 - q * q / (q + z2n / 2 + h)};
}

Estimate estimate(const std::vector<double>& values) {
  Estimate e;
  const std::vector<double> v = present(values);
  e.replications = v.size();
  if (v.empty()) return e;
  e.mean = mean_of(v);
  if (v.size() < 2) return e;
  double ss = 0;
  for (double x : v) ss += (x - e.mean) * (x - e.mean);
  const double n = static_cast<double>(v.size());
  const double h = student_t_quantile(0.05, v.size() - 1) * std::sqrt(ss / (n - 1) / n);
  e.ci95 = std::pair{e.mean - h, e.mean + h};
  return e;
}

Estimate estimate(Kind kind, const std::vector<double>& values, const std::vector<double>& basis) {
  assert(values.size() == basis.size());
  Estimate e;
  if (kind == Kind::share) {
    share_estimate(e, values, basis);
  } else if (kind == Kind::unbounded) {
    e = estimate(values);
  } else {
    const std::vector<double> v = present(values);
    e.replications = v.size();
    if (!v.empty()) e.mean = mean_of(v);
    if (v.size() >= 2) {
      switch (kind) {
        case Kind::count: count_interval(e, v); break;
        case Kind::fraction: fraction_interval(e, v); break;
        case Kind::nonnegative: nonnegative_interval(e, v); break;
        case Kind::share:
        case Kind::unbounded: break;
      }
    }
  }
  for (double b : basis) e.observations += b;
  e.few_observations = values.empty() || e.observations / static_cast<double>(values.size()) < kFewObservations;
  return e;
}

}  // namespace refsim
