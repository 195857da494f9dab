// Comparisons with a known answer: paired differences of M/M/2 and M/M/3 queues fed by the same
// arrivals (Erlang C gives the difference in Wq exactly), the gain of common random numbers, the
// precision stopping rule, Kim–Nelson selection, and independence from the thread count.
#include <catch2/catch.hpp>

#include <cmath>
#include <sstream>

#include "sim/experiment/compare.hpp"
#include "support.hpp"

using namespace refsim;

namespace {

/// Erlang C: Wq of an M/M/c queue.
double mmc_wq(int c, double lambda, double mu) {
  const double a = lambda / mu, rho = a / c;
  double sum = 0, term = 1;
  for (int k = 0; k < c; ++k) {
    sum += term;
    term *= a / (k + 1);
  }
  const double tail = term / (1 - rho);
  return tail / (sum + tail) * rho / (1 - rho) / lambda;
}

// Utilization 0.4 with two servers, 0.27 with three.
constexpr double kLambda = 0.8, kMu = 1.0;

std::string queue(int servers, double horizon, double warmup) {
  std::ostringstream os;
  os << "[scenario]\nname = \"M/M/" << servers << "\"\n[run]\nhorizon = " << horizon << "\nwarmup = " << warmup
     << "\nreplications = 10\nseed = 1\n[[agency]]\nid = \"desk\"\nservers = " << servers
     << "\nservice = { dist = \"exponential\", mean = " << 1 / kMu << " }\n[[source]]\nid = \"arrivals\"\nto = "
     << "\"desk\"\nrate = " << kLambda << "\n";
  return os.str();
}

std::vector<Variant> mm2_mm3(double horizon = 800, double warmup = 150) {
  std::vector<Variant> v;
  v.push_back({"mm2", "mm2.toml", test::scenario(queue(2, horizon, warmup))});
  v.push_back({"mm3", "mm3.toml", test::scenario(queue(3, horizon, warmup))});
  return v;
}

const IndicatorComparison& find(const CompareResult& r, const std::string& name) {
  for (const auto& c : r.indicators) {
    if (c.name == name) return c;
  }
  FAIL("no indicator " << name);
  return r.indicators.front();
}

const std::string kWq = "agencies.desk.mean_wait_days";

}  // namespace

TEST_CASE("Compare: the paired difference of a textbook sample") {
  IndicatorSeries base{{1, 2, 3, 4}, {1, 1, 1, 1}}, other{{2, 4, 5, 7}, {1, 1, 1, 1}};
  const auto d = paired_difference(Kind::unbounded, base, other, 1);
  REQUIRE(d);
  // d = {1, 2, 2, 3}: mean 2, s = sqrt(2/3), t_{0.975,3} = 3.182446.
  const double half = 3.182446305284263 * std::sqrt(2.0 / 3.0) / 2;
  CHECK(d->mean == Approx(2));
  CHECK(d->ci95.first == Approx(2 - half).epsilon(1e-6));
  CHECK(d->ci95.second == Approx(2 + half).epsilon(1e-6));
  CHECK(d->ci95_adjusted == d->ci95);
  CHECK(d->relative == Approx(2 / 2.5));
  CHECK(d->significant);
  // Bonferroni over 3 comparisons: t_{1 - 0.05/6, 3} = 4.856657 (from the closed-form t(3) CDF).
  const auto d3 = paired_difference(Kind::unbounded, base, other, 3);
  CHECK(d3->half_width() == Approx(4.856657273 * std::sqrt(2.0 / 3.0) / 2).epsilon(1e-6));
  // A replication without a value on one side drops the pair.
  IndicatorSeries gap = other;
  gap.values[3] = kNaN;
  CHECK(paired_difference(Kind::unbounded, base, gap, 1)->replications == 3);
  // Shares: the difference of the pooled ratios, in [-1, 1].
  IndicatorSeries sb{{0.5, 0.25}, {10, 4}}, so{{1.0, 1.0}, {2, 2}};
  const auto ds = paired_difference(Kind::share, sb, so, 1);
  CHECK(ds->mean == Approx(1.0 - 6.0 / 14.0));
  CHECK(ds->ci95.first >= -1);
  CHECK(ds->ci95.second <= 1);
}

TEST_CASE("Compare: variant keys are file names made unique") {
  CHECK(variant_keys({"a/base.toml", "b/base.toml", "more.toml", "base-2.toml"}) ==
        std::vector<std::string>{"base", "base-2", "more", "base-2-2"});
}

TEST_CASE("Compare: M/M/2 against M/M/3 with the same arrivals covers the exact difference in Wq") {
  // 400 seeds of 10 paired replications: the 95 % interval of the mean difference must cover
  // Wq(M/M/3) - Wq(M/M/2) in 93–97 % of them (the binomial 95 % band of 400 trials is ±2.1 %).
  const double truth = mmc_wq(3, kLambda, kMu) - mmc_wq(2, kLambda, kMu);
  const std::vector<Variant> v = mm2_mm3();
  int covered = 0;
  double var_crn = 0;
  constexpr int kSeeds = 400;
  for (int seed = 1; seed <= kSeeds; ++seed) {
    CompareOptions opt;
    opt.seed = static_cast<std::uint64_t>(seed);
    opt.replications = 10;
    const CompareResult r = compare(v, opt, {kWq});
    const auto& d = *find(r, kWq).differences[1];
    if (d.ci95.first <= truth && truth <= d.ci95.second) ++covered;
    const double se = d.half_width() / student_t_quantile(0.05, d.replications - 1);
    var_crn += se * se * static_cast<double>(d.replications);
  }
  INFO("covered " << covered << " of " << kSeeds << "; truth " << truth << "; mean variance " << var_crn / kSeeds);
  CHECK(covered >= 372);  // 93 %
  CHECK(covered <= 388);  // 97 %

  // Common random numbers against separate streams, over the first 100 seeds: the variance of the
  // paired difference in the time at the desk (W = Wq + service) must be more than halved. Not in
  // Wq: its variance with two servers is 25 times that with three, and for any correlation ρ the
  // ratio (V2 + V3) / (V2 + V3 - 2ρ√(V2 V3)) is then at most 1.7; W adds the service time, which
  // both variants draw alike for each person.
  const std::string w = "agencies.desk.mean_time_in_agency_days";
  double var_independent = 0, var_crn_100 = 0;
  for (int seed = 1; seed <= 100; ++seed) {
    for (bool independent : {false, true}) {
      CompareOptions opt;
      opt.seed = static_cast<std::uint64_t>(seed);
      opt.replications = 10;
      opt.independent = independent;
      const CompareResult r = compare(v, opt, {w});  // kept: d refers into it
      const auto& d = *find(r, w).differences[1];
      const double se = d.half_width() / student_t_quantile(0.05, d.replications - 1);
      (independent ? var_independent : var_crn_100) += se * se * static_cast<double>(d.replications);
    }
  }
  INFO("variance of the paired difference: CRN " << var_crn_100 / 100 << ", independent " << var_independent / 100);
  CHECK(var_independent / var_crn_100 > 2);
}

TEST_CASE("Compare: --precision stops at the first replication count whose half-width is at the target") {
  const std::vector<Variant> v = mm2_mm3(300, 60);
  CompareOptions opt;
  opt.seed = 7;
  opt.precision = PrecisionTarget{kWq, 0.05};
  opt.min_replications = 5;
  opt.max_replications = 400;
  const CompareResult r = compare(v, opt, {kWq});
  REQUIRE(r.precision_reached);
  const std::uint32_t n = r.replications;
  INFO("stopped at " << n);
  REQUIRE(n > 5);
  CHECK(find(r, kWq).differences[1]->half_width() <= 0.05);
  // The same replications, one fewer: the target was not yet met.
  CompareOptions fixed;
  fixed.seed = 7;
  fixed.replications = n - 1;
  const CompareResult before = compare(v, fixed, {kWq});
  CHECK(find(before, kWq).differences[1]->half_width() > 0.05);
  // And the numbers at the stopping point are those of a fixed run of that many.
  fixed.replications = n;
  CHECK(find(compare(v, fixed, {kWq}), kWq).differences[1]->mean == find(r, kWq).differences[1]->mean);
}

TEST_CASE("Compare: results do not depend on the thread count") {
  const std::vector<Variant> v = mm2_mm3(200, 40);
  CompareOptions opt;
  opt.seed = 11;
  opt.precision = PrecisionTarget{kWq, 0.08};
  opt.selection = SelectionRequest{kWq, 0.05, true, 0.05};
  opt.threads = 1;
  const CompareResult one = compare(v, opt);
  opt.threads = 2;
  const CompareResult two = compare(v, opt);
  opt.threads = 5;
  const CompareResult five = compare(v, opt);
  for (const CompareResult* r : {&two, &five}) {
    REQUIRE(r->replications == one.replications);
    REQUIRE(r->indicators.size() == one.indicators.size());
    for (std::size_t i = 0; i < one.indicators.size(); ++i) {
      INFO(one.indicators[i].name);
      const auto& a = one.indicators[i].values[1].series.values;
      const auto& b = r->indicators[i].values[1].series.values;
      REQUIRE(a.size() == b.size());
      for (std::size_t k = 0; k < a.size(); ++k) CHECK((a[k] == b[k] || (std::isnan(a[k]) && std::isnan(b[k]))));
    }
    REQUIRE(r->selection);
    CHECK(r->selection->best == one.selection->best);
    CHECK(r->selection->replications_used == one.selection->replications_used);
  }
}

TEST_CASE("Compare: Kim-Nelson selects the queue with the most servers") {
  // Wq with 2, 3, 4 servers at λ = 0.8, μ = 1: 0.190, 0.0237, 0.0030 days. With an indifference
  // zone of 0.01 days the best (4 servers) is more than δ better than the others, so the procedure
  // must pick it with probability >= 95 % (19 of 20 seeds is the binomial's 26th percentile).
  std::vector<Variant> v = mm2_mm3(300, 60);
  v.push_back({"mm4", "mm4.toml", test::scenario(queue(4, 300, 60))});
  int right = 0;
  for (int seed = 1; seed <= 20; ++seed) {
    CompareOptions opt;
    opt.seed = static_cast<std::uint64_t>(seed);
    opt.replications = 10;
    opt.selection = SelectionRequest{kWq, 0.01, true, 0.05};
    const CompareResult r = compare(v, opt, {kWq});
    REQUIRE(r.selection);
    if (r.selection->best == std::optional<std::size_t>(2)) ++right;
    CHECK(r.selection->eliminated_at[0] >= 10);       // screened out, at the first stage or later
    CHECK(r.selection->replications_used[2] < 1000);  // ended before the cap
    // h² from n0 = 10, k = 3, α = 0.05: 9 · ((0.05)^(-2/9) - 1).
    CHECK(r.selection->h2 == Approx(9 * (std::pow(0.05, -2.0 / 9) - 1)));
  }
  CHECK(right >= 19);
}

TEST_CASE("Compare: Kim-Nelson ends on two identical variants") {
  // Under common random numbers the differences are all 0: every W is 0 at once and the first
  // given is chosen, without running to the cap.
  std::vector<Variant> v;
  v.push_back({"a", "a.toml", test::scenario(queue(2, 100, 20))});
  v.push_back({"b", "b.toml", test::scenario(queue(2, 100, 20))});
  CompareOptions opt;
  opt.replications = 5;
  opt.max_replications = 50;
  opt.selection = SelectionRequest{kWq, 0.1, true, 0.05};
  const CompareResult r = compare(v, opt, {kWq});
  REQUIRE(r.selection);
  CHECK(r.selection->best == std::optional<std::size_t>(0));
  CHECK(r.selection->replications_used[1] == 5);
}

TEST_CASE("Compare: an indicator only one variant has is shown as missing") {
  std::vector<Variant> v = mm2_mm3(100, 20);
  std::string other = queue(2, 100, 20);
  other +=
      "[[agency]]\nid = \"extra\"\nservers = 1\nservice = 0.5\n[[referral]]\nfrom = \"desk\"\nto = \"extra\"\n"
      "probability = 1\n";
  v.push_back({"with-extra", "x.toml", test::scenario(other)});
  CompareOptions opt;
  opt.replications = 3;
  const CompareResult r = compare(v, opt);
  const auto& c = find(r, "agencies.extra.mean_wait_days");
  CHECK(!c.values[0].missing.empty());
  CHECK(c.values[2].missing.empty());
  CHECK(!c.differences[2]);
  CHECK(c.no_difference[2] == "the indicator exists in only one of the two");
  // Unknown names are refused before anything runs.
  opt.precision = PrecisionTarget{"agencies.nowhere.mean_wait_days", 1};
  CHECK_THROWS_WITH(compare(v, opt), Catch::Contains("unknown indicator 'agencies.nowhere.mean_wait_days'"));
  opt.precision = PrecisionTarget{"agencies.extra.mean_wait_days", 1};
  CHECK_THROWS_WITH(compare(v, opt), Catch::Contains("does not exist in variant 'mm2'"));
}
