// Estimates over replications (sim/experiment/estimate.hpp): each kind's interval against known
// answers, inside its measure's range, and covering the truth as often as it claims to over many
// synthetic experiments with fixed seeds. A coverage check allows 4 binomial standard deviations of
// the observed coverage below 95 % (false alarm ~3e-5 per check).
#include <catch2/catch.hpp>

#include <cmath>
#include <cstdint>
#include <functional>
#include <string>
#include <tuple>
#include <vector>

#include "sim/experiment/estimate.hpp"

using namespace refsim;

namespace {

/// SplitMix64 (Steele, Lea and Flood 2014): a small generator with fixed seeds for synthetic data.
class TestRng {
 public:
  explicit TestRng(std::uint64_t seed) : state_(seed) {}
  std::uint64_t next() {
    std::uint64_t z = (state_ += 0x9E3779B97F4A7C15u);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9u;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBu;
    return z ^ (z >> 31);
  }
  double uniform() { return static_cast<double>(next() >> 11) * 0x1p-53; }
  /// Successes in n Bernoulli(p) trials.
  double binomial(int n, double p) {
    int k = 0;
    for (int i = 0; i < n; ++i) k += uniform() < p;
    return k;
  }
  /// A Poisson(lambda) draw by multiplying uniforms (Knuth): fine for small lambda.
  double poisson(double lambda) {
    const double limit = std::exp(-lambda);
    double prod = uniform();
    int k = 0;
    while (prod > limit) {
      prod *= uniform();
      ++k;
    }
    return k;
  }

 private:
  std::uint64_t state_;
};

/// The share of `experiments` synthetic experiments whose 95 % interval contains `truth`, each
/// experiment drawing its (values, basis) with `draw`.
double coverage(Kind kind, int experiments, double truth,
                const std::function<void(std::vector<double>&, std::vector<double>&)>& draw) {
  int covered = 0;
  std::vector<double> values, basis;
  for (int i = 0; i < experiments; ++i) {
    values.clear();
    basis.clear();
    draw(values, basis);
    const Estimate e = estimate(kind, values, basis);
    REQUIRE(e.ci95);
    covered += e.ci95->first <= truth && truth <= e.ci95->second;
  }
  return static_cast<double>(covered) / experiments;
}

void check_coverage(double observed, int experiments, const std::string& what) {
  const double tolerance = 4 * std::sqrt(0.95 * 0.05 / experiments);
  INFO(what << ": coverage " << observed << " over " << experiments << " experiments, at least " << 0.95 - tolerance
            << " expected");
  CHECK(observed >= 0.95 - tolerance);
}

std::vector<double> ones(std::size_t n, double v = 1) { return std::vector<double>(n, v); }

}  // namespace

TEST_CASE("Estimate: the Wilson interval gives Newcombe's 1998 textbook values") {
  // Newcombe, Statistics in Medicine 17 (1998) 857-872, Table I, method 3 (score, no continuity
  // correction), to the 4 decimals printed there.
  const double z = 1.959963984540054;
  struct Case {
    double k, n, lo, hi;
  };
  for (const Case& c : {Case{81, 263, 0.2553, 0.3662}, Case{15, 148, 0.0624, 0.1605}, Case{0, 20, 0, 0.1611},
                        Case{1, 29, 0.0061, 0.1718}}) {
    INFO(c.k << " of " << c.n);
    const auto [lo, hi] = wilson_interval(c.k / c.n, c.n, z);
    CHECK(lo == Approx(c.lo).margin(5e-5));
    CHECK(hi == Approx(c.hi).margin(5e-5));
  }
  // At p = 0 and 1 the bounds are exactly 0 and 1, and z² / (n + z²) from them.
  CHECK(wilson_interval(0, 20, z).first == 0);
  CHECK(wilson_interval(0, 20, z).second == Approx(z * z / (20 + z * z)).epsilon(1e-14));
  CHECK(wilson_interval(1, 20, z).second == 1);
  CHECK(wilson_interval(1, 20, z).first == Approx(20 / (20 + z * z)).epsilon(1e-14));
}

TEST_CASE("Estimate: a share pools its replications and uses Student-t with the replications that measured it") {
  // 3 of 4 and 5 of 6 and a replication with nothing measured: pooled 8 / 10, with no design
  // effect (the replications vary less than binomially), z = t(0.975, 1).
  const Estimate e = estimate(Kind::share, {0.75, 5.0 / 6, kNaN}, {4, 6, 0});
  CHECK(e.mean == Approx(0.8).epsilon(1e-15));
  CHECK(e.replications == 2);
  CHECK(e.observations == 10);
  CHECK(e.few_observations);  // 10 over 3 replications
  REQUIRE(e.ci95);
  const auto wilson = wilson_interval(0.8, 10, student_t_quantile(0.05, 1));
  CHECK(e.ci95->first == Approx(wilson.first).epsilon(1e-14));
  CHECK(e.ci95->second == Approx(wilson.second).epsilon(1e-14));
  // One replication with a basis: the share, no interval.
  const Estimate one = estimate(Kind::share, {0.5, kNaN}, {2, 0});
  CHECK(one.mean == 0.5);
  CHECK_FALSE(one.ci95);
  // None: no value at all.
  CHECK(std::isnan(estimate(Kind::share, {kNaN, kNaN}, {0, 0}).mean));
}

TEST_CASE("Estimate: the design effect widens a share whose replications vary more than binomially") {
  // 10 of 100 and 50 of 100: pooled 0.3; between replications the ratio estimator's variance is
  // 2 · (20² + 20²) / 200² = 0.04, the binomial one 0.21 / 200: design effect 0.04 / 0.00105.
  const Estimate e = estimate(Kind::share, {0.1, 0.5}, {100, 100});
  CHECK(e.mean == Approx(0.3).epsilon(1e-15));
  const double deff = 0.04 / (0.3 * 0.7 / 200);
  const auto wilson = wilson_interval(0.3, 200 / deff, student_t_quantile(0.05, 1));
  REQUIRE(e.ci95);
  CHECK(e.ci95->first == Approx(wilson.first).epsilon(1e-12));
  CHECK(e.ci95->second == Approx(wilson.second).epsilon(1e-12));
  CHECK(e.ci95->first >= 0);
  CHECK(e.ci95->second <= 1);
}

TEST_CASE("Estimate: a share of 1/2 from two replications of one observation each stays inside 0 to 1") {
  // The plain Student-t interval here is 0.5 ± 12.7 · 0.5: from -5.9 to 6.9.
  const Estimate plain = estimate({1.0, 0.0});
  REQUIRE(plain.ci95);
  CHECK(plain.ci95->first < -5);
  const Estimate e = estimate(Kind::share, {1.0, 0.0}, {1, 1});
  CHECK(e.mean == 0.5);
  REQUIRE(e.ci95);
  CHECK(e.ci95->first > 0);
  CHECK(e.ci95->second < 1);
  CHECK(e.ci95->first == Approx(1 - e.ci95->second).epsilon(1e-12));  // symmetric about 1/2
  CHECK(e.few_observations);
}

TEST_CASE("Estimate: a count of all zeros has the exact Poisson upper bound for no event") {
  // No event in R replications: the Garwood interval for a Poisson total of 0, [0, -ln(0.025)],
  // per replication.
  for (std::size_t r : {2u, 5u, 10u}) {
    const Estimate e = estimate(Kind::count, std::vector<double>(r, 0.0), std::vector<double>(r, 50.0));
    CHECK(e.mean == 0);
    REQUIRE(e.ci95);
    CHECK(e.ci95->first == 0);
    CHECK(e.ci95->second == Approx(3.6888794541139363 / static_cast<double>(r)).epsilon(1e-14));
  }
}

TEST_CASE("Estimate: counts, fractions and continuous measures keep the arithmetic mean and their range") {
  TestRng rng(20240613);
  for (int trial = 0; trial < 2000; ++trial) {
    const std::size_t r = 2 + trial % 9;
    std::vector<double> counts, fractions, times;
    for (std::size_t i = 0; i < r; ++i) {
      counts.push_back(rng.uniform() < 0.5 ? 0.0 : std::floor(rng.uniform() * 6));
      fractions.push_back(rng.uniform() < 0.2 ? 0.0 : rng.uniform());
      times.push_back(rng.uniform() < 0.2 ? 0.0 : -std::log(rng.uniform()) * 3);
    }
    INFO("trial " << trial << ", " << r << " replications");
    for (const auto& [kind, values, top] :
         {std::tuple{Kind::count, counts, HUGE_VAL}, std::tuple{Kind::fraction, fractions, 1.0},
          std::tuple{Kind::nonnegative, times, HUGE_VAL}}) {
      const Estimate e = estimate(kind, values, ones(r, 100));
      CHECK(e.mean == estimate(values).mean);  // exactly today's mean
      REQUIRE(e.ci95);
      CHECK(e.ci95->first >= 0);
      CHECK(e.ci95->second <= top);
      CHECK(e.ci95->first <= e.mean);
      CHECK(e.mean <= e.ci95->second);
      CHECK_FALSE(e.few_observations);
    }
  }
  // Equal values: the interval is the value (nothing varies between replications).
  const Estimate same = estimate(Kind::fraction, {0.4, 0.4, 0.4}, ones(3, 20));
  CHECK(same.mean == Approx(0.4).epsilon(1e-15));  // 1.2 / 3: the mean as today, to the last bit
  CHECK(same.ci95 == std::pair{same.mean, same.mean});
  const Estimate zeros = estimate(Kind::nonnegative, {0, 0, 0}, ones(3, 20));
  CHECK(zeros.ci95 == std::pair{0.0, 0.0});
  const Estimate fixed = estimate(Kind::count, {14, 14}, ones(2, 40));
  CHECK(fixed.ci95 == std::pair{14.0, 14.0});
}

TEST_CASE("Estimate: the logit and log intervals are the delta method's on those scales") {
  const std::vector<double> u{0.2, 0.3, 0.25, 0.35};
  const Estimate e = estimate(Kind::fraction, u, ones(4, 100));
  const double m = 0.275, s = std::sqrt((0.075 * 0.075 * 2 + 0.025 * 0.025 * 2) / 3);
  const double h = student_t_quantile(0.05, 3) * s / (m * (1 - m) * 2);
  const double logit = std::log(m / (1 - m));
  REQUIRE(e.ci95);
  CHECK(e.ci95->first == Approx(1 / (1 + std::exp(-(logit - h)))).epsilon(1e-12));
  CHECK(e.ci95->second == Approx(1 / (1 + std::exp(-(logit + h)))).epsilon(1e-12));
  const Estimate t = estimate(Kind::nonnegative, u, ones(4, 100));
  const double f = std::exp(student_t_quantile(0.05, 3) * s / (m * 2));
  REQUIRE(t.ci95);
  CHECK(t.ci95->first == Approx(m / f).epsilon(1e-12));
  CHECK(t.ci95->second == Approx(m * f).epsilon(1e-12));
}

TEST_CASE("Estimate: observations are the basis summed, few below 10 per replication run") {
  const Estimate e = estimate(Kind::nonnegative, {1, 2, kNaN}, {10, 10, 9});
  CHECK(e.observations == 29);
  CHECK(e.replications == 2);
  CHECK(e.few_observations);  // 29 / 3 < 10
  CHECK_FALSE(estimate(Kind::nonnegative, {1, 2, kNaN}, {10, 10, 10}).few_observations);
  CHECK(kFewObservations == 10);
}

TEST_CASE("Estimate: the share interval covers the true share of independent observations") {
  // 5 replications of 30 observations with p = 0.2. With the design effect at its floor of 1 and
  // t(0.975, 4) for z the interval is conservative here; it must at least reach 95 %.
  TestRng rng(7);
  const int experiments = 4000;
  const double c = coverage(Kind::share, experiments, 0.2, [&](auto& values, auto& basis) {
    for (int r = 0; r < 5; ++r) {
      values.push_back(rng.binomial(30, 0.2) / 30);
      basis.push_back(30);
    }
  });
  check_coverage(c, experiments, "binomial share");
}

TEST_CASE("Estimate: the share interval covers the true share when replications differ") {
  // Each replication's own share is 0.4 + 0.08 · a standard normal draw, then 200 observations
  // from it: the replications vary about six times more than binomially (as compliance does
  // under a queue that differs between runs). The design effect and t(0.975, 4) bring the
  // coverage to 95 %; the Wilson interval on all 1000 observations alone covers far less.
  // (With replication shares spread uniformly instead of normally, light tails, the coverage
  // is about 94 %, as for the plain Student-t interval on the shares: docs/statistics.md.)
  const auto draw_share = [](TestRng& rng) {
    const double normal = std::sqrt(-2 * std::log(1 - rng.uniform())) * std::cos(6.283185307179586 * rng.uniform());
    return rng.binomial(200, 0.4 + 0.08 * normal);
  };
  TestRng rng(11);
  const int experiments = 4000;
  const auto draw = [&](auto& values, auto& basis) {
    for (int r = 0; r < 5; ++r) {
      values.push_back(draw_share(rng) / 200);
      basis.push_back(200);
    }
  };
  check_coverage(coverage(Kind::share, experiments, 0.4, draw), experiments, "clustered share");
  int naive = 0;
  TestRng again(11);
  for (int i = 0; i < experiments; ++i) {
    double k = 0;
    for (int r = 0; r < 5; ++r) k += draw_share(again);
    const auto [lo, hi] = wilson_interval(k / 1000, 1000, 1.959963984540054);
    naive += lo <= 0.4 && 0.4 <= hi;
  }
  CHECK(naive < 0.8 * experiments);
}

TEST_CASE("Estimate: the count interval covers the mean of Poisson and of overdispersed counts") {
  TestRng rng(13);
  const int experiments = 4000;
  // Rare events: a mean of 1.5 per replication, 5 replications (zeros are common).
  const double poisson = coverage(Kind::count, experiments, 1.5, [&](auto& values, auto& basis) {
    for (int r = 0; r < 5; ++r) {
      values.push_back(rng.poisson(1.5));
      basis.push_back(100);
    }
  });
  check_coverage(poisson, experiments, "Poisson counts, mean 1.5");
  // Overdispersed: each replication's rate is 2 or 6 with equal chances (mean 4, variance 8).
  const double mixed = coverage(Kind::count, experiments, 4, [&](auto& values, auto& basis) {
    for (int r = 0; r < 10; ++r) {
      values.push_back(rng.poisson(rng.uniform() < 0.5 ? 2 : 6));
      basis.push_back(100);
    }
  });
  check_coverage(mixed, experiments, "overdispersed counts, mean 4");
}
