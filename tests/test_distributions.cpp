// Each distribution's sample mean and variance against theory. Tolerances: 5 standard errors
// (two-sided false-alarm probability about 6e-7 per check); the standard error of the mean is
// sqrt(variance / n), that of the variance is estimated from 200 batches' variances (CLT).
#include <catch2/catch.hpp>

#include <algorithm>
#include <array>
#include <cmath>
#include <vector>

#include <boost/math/special_functions/gamma.hpp>

#include "sim/model/distribution.hpp"
#include "support.hpp"

using namespace refsim;

namespace {

struct Moments {
  double mean, var, var_se;
};

Moments sample(const DistributionSpec& spec, std::size_t n, std::uint64_t seed) {
  Sampler s(spec);
  Rng rng = make_stream(seed, 0, "distribution-test", StreamPurpose::service);
  const std::size_t batches = 200, per = n / batches;
  double sum = 0;
  std::vector<double> bvar;
  for (std::size_t b = 0; b < batches; ++b) {
    double bs = 0, bss = 0;
    for (std::size_t i = 0; i < per; ++i) {
      const double x = s(rng);
      REQUIRE(x >= 0);
      bs += x;
      bss += x * x;
    }
    sum += bs;
    const double dper = static_cast<double>(per);
    const double m = bs / dper;
    bvar.push_back((bss - dper * m * m) / (dper - 1));
  }
  double vm = 0;
  for (double v : bvar) vm += v;
  vm /= batches;
  double vv = 0;
  for (double v : bvar) vv += (v - vm) * (v - vm);
  return {sum / static_cast<double>(per * batches), vm, std::sqrt(vv / (batches - 1) / batches)};
}

void check_moments(const DistributionSpec& spec, std::size_t n = 400000) {
  const Moments m = sample(spec, n, 12345);
  INFO(spec.describe() << ": sample mean " << m.mean << " var " << m.var);
  const double se_mean = std::sqrt(spec.variance() / static_cast<double>(n));
  CHECK(std::fabs(m.mean - spec.mean()) <= 5 * se_mean + 1e-12);
  CHECK(std::fabs(m.var - spec.variance()) <= 5 * m.var_se + 1e-12);
}

}  // namespace

TEST_CASE("Distributions: sample moments match theory") {
  SECTION("exponential") { check_moments({DistKind::exponential, 2.0, 0, 0, {}, {}}); }
  SECTION("uniform") { check_moments({DistKind::uniform, 1.0, 3.0, 0, {}, {}}); }
  SECTION("triangular") { check_moments({DistKind::triangular, 1.0, 2.0, 6.0, {}, {}}); }
  SECTION("lognormal: mean and sd are of the duration, not its log") {
    check_moments({DistKind::lognormal, 60.0, 40.0, 0, {}, {}});
  }
  SECTION("gamma") { check_moments({DistKind::gamma, 2.5, 0.8, 0, {}, {}}); }
  SECTION("erlang: mean is of the whole duration") { check_moments({DistKind::erlang, 3, 1.5, 0, {}, {}}); }
  SECTION("weibull") { check_moments({DistKind::weibull, 1.5, 2.0, 0, {}, {}}); }
  SECTION("empirical with weights") {
    check_moments({DistKind::empirical, 0, 0, 0, {1.0, 2.0, 10.0}, {0.5, 0.3, 0.2}});
  }
  SECTION("pert: an expert range, skewed to the right") {
    check_moments({DistKind::pert, 2.0, 5.0, 20.0, {}, {}}, 200000);
  }
  SECTION("pert: mode at min, so one of its gamma draws has shape 1") {
    check_moments({DistKind::pert, 1.0, 1.0, 4.0, {}, {}}, 200000);
  }
  SECTION("pert: symmetric") { check_moments({DistKind::pert, 0.0, 3.0, 6.0, {}, {}}, 200000); }
}

TEST_CASE("Distributions: pert has the beta-PERT mean and variance, and stays within its range") {
  const DistributionSpec spec{DistKind::pert, 2.0, 5.0, 20.0, {}, {}};
  CHECK(spec.mean() == Approx(7.0));  // (2 + 4 * 5 + 20) / 6
  // Beta(a, b) with a = 1 + 4 * 3/18, b = 1 + 4 * 15/18: variance ab / ((a+b)^2 (a+b+1)), times 18^2.
  const double a = 1 + 4 * 3.0 / 18, b = 1 + 4 * 15.0 / 18;
  CHECK(spec.variance() == Approx(a * b / ((a + b) * (a + b) * (a + b + 1)) * 18 * 18));
  CHECK(spec.describe() == "pert(min=2d, mode=5d, max=20d)");
  Sampler s(spec);
  Rng rng = make_stream(3, 0, "pert", StreamPurpose::service);
  double lo = 1e300, hi = -1e300;
  for (int i = 0; i < 200000; ++i) {
    const double x = s(rng);
    REQUIRE(x >= 2.0);
    REQUIRE(x <= 20.0);
    lo = std::min(lo, x);
    hi = std::max(hi, x);
  }
  CHECK(lo < 2.5);  // the range is used, not just its middle
  CHECK(hi > 17.0);
}

TEST_CASE("Distributions: deterministic always returns its value") {
  Sampler s(DistributionSpec::constant(1.25));
  Rng rng = make_stream(1, 0, "x", StreamPurpose::service);
  for (int i = 0; i < 100; ++i) REQUIRE(s(rng) == 1.25);
}

TEST_CASE("Distributions: empirical without weights draws values equally often") {
  DistributionSpec spec{DistKind::empirical, 0, 0, 0, {1.0, 2.0, 3.0, 4.0}, {}};
  Sampler s(spec);
  Rng rng = make_stream(7, 0, "x", StreamPurpose::service);
  const int n = 200000;
  std::array<int, 4> counts{};
  for (int i = 0; i < n; ++i) counts[static_cast<std::size_t>(s(rng)) - 1]++;
  // Binomial(n, 1/4): sd = sqrt(n p (1-p)); allow 5 sd.
  const double sd = std::sqrt(n * 0.25 * 0.75);
  for (int c : counts) CHECK(std::fabs(c - n * 0.25) <= 5 * sd);
}

TEST_CASE("Distributions: invalid parameters are rejected with the parameter named") {
  using Catch::Matchers::Contains;
  CHECK_THROWS_WITH(validate_distribution({DistKind::exponential, 0, 0, 0, {}, {}}), Contains("mean must be > 0"));
  CHECK_THROWS_WITH(validate_distribution({DistKind::uniform, 3, 1, 0, {}, {}}),
                    Contains("max must be greater than min"));
  CHECK_THROWS_WITH(validate_distribution({DistKind::triangular, 1, 5, 3, {}, {}}), Contains("min <= mode <= max"));
  CHECK_THROWS_WITH(validate_distribution({DistKind::erlang, 1.5, 1, 0, {}, {}}), Contains("k must be an integer"));
  CHECK_THROWS_WITH(validate_distribution({DistKind::empirical, 0, 0, 0, {1, 2}, {1}}), Contains("as many entries"));
  CHECK_THROWS_WITH(validate_distribution({DistKind::pert, 1, 5, 3, {}, {}}),
                    "pert needs min <= mode <= max and min < max");
  CHECK_THROWS_WITH(validate_distribution({DistKind::pert, 2, 2, 2, {}, {}}),
                    "pert needs min <= mode <= max and min < max");
  CHECK_THROWS_WITH(validate_distribution({DistKind::pert, -1, 0, 1, {}, {}}), "min must be >= 0, got -1");
  CHECK_NOTHROW(validate_distribution({DistKind::pert, 2, 2, 3, {}, {}}));
}

TEST_CASE("Sampler: draws are Boost.Random's own, bit for bit, from the same stream") {
  // The sampler only dispatches; results must not change when its structure does. Gamma and
  // erlang are the exception (Marsaglia–Tsang, tested against the gamma law below).
  using namespace boost::random;
  auto same = [](const DistributionSpec& spec, auto boost_dist) {
    Sampler s(spec);
    Rng a = make_stream(11, 0, "identity", StreamPurpose::service);
    Rng b = a;
    for (int i = 0; i < 20000; ++i) REQUIRE(s(a) == boost_dist(b));
    CHECK(bool(a == b));  // both streams advanced alike
  };
  same({DistKind::exponential, 2.0, 0, 0, {}, {}}, exponential_distribution<double>(0.5));
  same({DistKind::uniform, 1.0, 3.0, 0, {}, {}}, uniform_real_distribution<double>(1.0, 3.0));
  same({DistKind::triangular, 1.0, 2.0, 6.0, {}, {}}, triangle_distribution<double>(1.0, 2.0, 6.0));
  const double sigma2 = std::log1p((40.0 * 40.0) / (60.0 * 60.0));
  same({DistKind::lognormal, 60.0, 40.0, 0, {}, {}},
       lognormal_distribution<double>(std::log(60.0) - sigma2 / 2, std::sqrt(sigma2)));
  same({DistKind::weibull, 1.5, 2.0, 0, {}, {}}, weibull_distribution<double>(1.5, 2.0));
  const std::vector<double> w{0.5, 0.3, 0.2}, v{1.0, 2.0, 10.0};
  same({DistKind::empirical, 0, 0, 0, v, w},
       [&v, d = discrete_distribution<std::size_t, double>(w.begin(), w.end())](Rng& r) mutable { return v[d(r)]; });
  same({DistKind::pert, 2.0, 5.0, 20.0, {}, {}},
       [d = beta_distribution<double>(1 + 4 * 3.0 / 18, 1 + 4 * 15.0 / 18)](Rng& r) { return 2.0 + 18.0 * d(r); });
}

TEST_CASE("SampleStream: the sampler's draws one at a time, in order, across blocks") {
  // Drawing ahead must not change a single value: the engine's results depend on it.
  const std::vector<double> w{0.5, 0.3, 0.2}, v{1.0, 2.0, 10.0};
  const std::vector<DistributionSpec> specs{
      {DistKind::exponential, 2.0, 0, 0, {}, {}},   {DistKind::deterministic, 1.5, 0, 0, {}, {}},
      {DistKind::uniform, 1.0, 3.0, 0, {}, {}},     {DistKind::triangular, 1.0, 2.0, 6.0, {}, {}},
      {DistKind::lognormal, 60.0, 40.0, 0, {}, {}}, {DistKind::gamma, 0.6, 2.0, 0, {}, {}},
      {DistKind::gamma, 3.0, 0.5, 0, {}, {}},       {DistKind::erlang, 3, 2.0, 0, {}, {}},
      {DistKind::weibull, 1.5, 2.0, 0, {}, {}},     {DistKind::empirical, 0, 0, 0, v, w},
      {DistKind::pert, 2.0, 5.0, 20.0, {}, {}}};
  for (const DistributionSpec& spec : specs) {
    INFO(spec.describe());
    const Rng start = make_stream(5, 1, "ahead", StreamPurpose::service);
    SampleStream ahead(spec, start);
    Sampler one(spec);
    Rng rng = start;
    // Not a multiple of the block: the last block is partly used.
    for (std::uint32_t i = 0; i < 7 * SampleStream::kBlock + 3; ++i) REQUIRE(ahead() == one(rng));
  }
}

TEST_CASE("Random streams: same key gives same numbers, another key other numbers") {
  Rng a = make_stream(42, 3, "shelter", StreamPurpose::service);
  Rng b = make_stream(42, 3, "shelter", StreamPurpose::service);
  Rng c = make_stream(42, 3, "shelter", StreamPurpose::routing);
  Rng d = make_stream(42, 4, "shelter", StreamPurpose::service);
  Rng e = make_stream(43, 3, "shelter", StreamPurpose::service);
  for (int i = 0; i < 10; ++i) {
    const auto x = a();
    REQUIRE(x == b());
    CHECK(x != c());
    CHECK(x != d());
    CHECK(x != e());
  }
}

TEST_CASE("Random streams: uniform01 stays in the unit interval with mean one half") {
  Rng r = make_stream(1, 0, "u", StreamPurpose::routing);
  const int n = 100000;
  double sum = 0;
  for (int i = 0; i < n; ++i) {
    const double u = uniform01(r);
    REQUIRE(u >= 0.0);
    REQUIRE(u < 1.0);
    sum += u;
  }
  CHECK(std::fabs(sum / n - 0.5) <= 5 * std::sqrt(1.0 / 12 / n));
}

namespace {

/// A one-agency scenario whose service time is `service`, on line 10.
std::string with_service(const std::string& service) {
  return "[scenario]\nname = \"pert\"\n\n[run]\nhorizon = \"100d\"\n\n[[agency]]\nid = \"desk\"\nservers = 1\nservice "
         "= " +
         service + "\n\n[[source]]\nid = \"walk_in\"\nto = \"desk\"\nrate = 1.0\n";
}

}  // namespace

TEST_CASE("Scenario: a pert service time is read in durations") {
  const Scenario s = refsim::test::scenario(with_service(R"({ dist = "pert", min = "2d", mode = "5d", max = "20d" })"));
  const DistributionSpec& d = s.agencies.at(0).service;
  CHECK(d.kind == DistKind::pert);
  CHECK(d.p0 == 2.0);
  CHECK(d.p1 == 5.0);
  CHECK(d.p2 == 20.0);
  CHECK(d.mean() == Approx(7.0));
  const Scenario h = refsim::test::scenario(with_service(R"({ dist = "pert", min = "1h", mode = "1h", max = "3h" })"));
  CHECK(h.agencies.at(0).service.p2 == Approx(3.0 / 24));
}

TEST_CASE("Scenario errors: pert ranges are reported at the value at fault") {
  using refsim::test::load_error;
  CHECK(load_error(with_service(R"({ dist = "pert", min = "2d", mode = "25d", max = "20d" })")) ==
        "test.toml:10:47: agency 'desk': service (pert): mode must lie between min and max, got 25d");
  CHECK(load_error(with_service(R"({ dist = "pert", min = "2d", mode = "1d", max = "20d" })")) ==
        "test.toml:10:47: agency 'desk': service (pert): mode must lie between min and max, got 1d");
  CHECK(load_error(with_service(R"({ dist = "pert", min = "2d", mode = "2d", max = "2d" })")) ==
        "test.toml:10:59: agency 'desk': service (pert): max must be greater than min, got 2d");
  CHECK(load_error(with_service(R"({ dist = "pert", min = "2d", max = "20d" })")) ==
        "test.toml:10:11: agency 'desk': service (pert): missing required key 'mode' (a duration)");
  CHECK(load_error(with_service(R"({ dist = "pert", min = "2d", mode = "5d", max = "20d", lambda = 4 })")) ==
        "test.toml:10:66: unknown key 'lambda' in agency 'desk': service (pert); expected one of: dist, min, mode, "
        "max");
  CHECK(load_error(with_service(R"({ dist = "pert", min = "-1d", mode = "5d", max = "20d" })")) ==
        "test.toml:10:34: agency 'desk': service (pert): min must be >= 0, got -1d");
}

TEST_CASE("Sampler: gamma draws (Marsaglia-Tsang) follow the gamma law, by Kolmogorov-Smirnov") {
  // The empirical CDF of n draws against the exact one (Boost.Math's regularized incomplete
  // gamma). Under the law, P(sqrt(n) D > 2.69) ~ 2 exp(-2 * 2.69^2) ~ 1e-6 (Kolmogorov's limit),
  // so a correct sampler fails a check about once in a million seeds; a wrong shape or scale, or
  // a biased branch (shape < 1, the squeeze, the log test), moves D far beyond it at this n.
  const std::size_t n = 100000;
  for (const double shape : {0.3, 0.999, 1.0, 2.0408, 3.0, 9.0, 40.0}) {
    const double scale = 0.7;
    Sampler s({DistKind::gamma, shape, scale, 0, {}, {}});
    Rng rng = make_stream(2026, 0, "gamma-ks", StreamPurpose::service);
    std::vector<double> x(n);
    for (double& v : x) {
      v = s(rng);
      REQUIRE(v > 0);
    }
    std::sort(x.begin(), x.end());
    double d = 0;
    for (std::size_t i = 0; i < n; ++i) {
      const double f = boost::math::gamma_p(shape, x[i] / scale);
      d = std::max({d, f - static_cast<double>(i) / n, static_cast<double>(i + 1) / n - f});
    }
    INFO("shape " << shape << ": sqrt(n) D = " << std::sqrt(static_cast<double>(n)) * d);
    CHECK(std::sqrt(static_cast<double>(n)) * d < 2.69);
  }
}

TEST_CASE("Sampler: gamma and erlang moments for small, unit and integer shapes") {
  check_moments({DistKind::gamma, 0.5, 0.8, 0, {}, {}});
  check_moments({DistKind::gamma, 1.0, 2.0, 0, {}, {}});
  check_moments({DistKind::erlang, 1, 3.0, 0, {}, {}});
  check_moments({DistKind::erlang, 7, 2.0, 0, {}, {}});
}
