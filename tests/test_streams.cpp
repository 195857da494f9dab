// The per-person random streams (sim/random/streams.hpp): common random numbers that survive a
// change. A change at one agency must leave every draw about persons elsewhere alone; a person
// whose path changes keeps the draws of the agencies they still visit; and the per-person draws
// must still be independent draws from the declared laws.
#include <catch2/catch.hpp>

#include <cmath>
#include <map>
#include <numeric>
#include <string>
#include <tuple>
#include <vector>

#include "sim/engine/engine.hpp"
#include "support.hpp"

using namespace refsim;

namespace {

/// Service durations per (person key, track, agency), in the order of the visits; and each
/// source's persons' keys in order of entry.
class ServiceLog final : public Observer {
 public:
  using Key = std::tuple<std::uint64_t, std::uint32_t, AgencyId>;
  explicit ServiceLog(const Engine& e) : engine_(e) {}
  void on_case_entered(Time, const Case& c, const Attributes&) override {
    entered[c.source].push_back(engine_.person_key(c.person));
  }
  void on_service_start(Time t, AgencyId a, const Case& c, Time) override { started_[key(a, c)] = t; }
  void on_service_end(Time t, AgencyId a, const Case& c, Time) override {
    const Key k = key(a, c);
    durations[k].push_back(t - started_.at(k));
    in_order.emplace_back(a, t - started_.at(k));
  }
  std::map<Key, std::vector<Time>> durations;
  std::vector<std::pair<AgencyId, Time>> in_order;  // (agency, duration), in order of service end
  std::map<SourceId, std::vector<std::uint64_t>> entered;

 private:
  Key key(AgencyId a, const Case& c) const { return {engine_.person_key(c.person), c.track, a}; }
  const Engine& engine_;
  std::map<Key, Time> started_;
};

ServiceLog run(const std::string& toml, std::uint64_t seed = 7) {
  const Scenario s = test::scenario(toml);
  const ReferralGraph g(s);
  Engine e(s, g, seed, 0);
  ServiceLog log(e);
  e.add_observer(log);
  e.run_until(s.run.horizon);
  return log;
}

/// A duration is observed as end − start, whose rounding depends on when the service started.
constexpr Time kRounding = 1e-9;

/// For every (person, track) that visited agency `a` in both runs, the durations of the visits
/// both runs saw are equal (up to kRounding) (one run may have seen fewer before the horizon). Returns how many
/// were compared; counts the unequal ones in `unequal`.
std::size_t compare_at(const ServiceLog& x, const ServiceLog& y, AgencyId a, std::size_t& unequal) {
  std::size_t compared = 0;
  for (const auto& [k, dx] : x.durations) {
    if (std::get<2>(k) != a) continue;
    const auto it = y.durations.find(k);
    if (it == y.durations.end()) continue;
    const std::vector<Time>& dy = it->second;
    for (std::size_t i = 0; i < std::min(dx.size(), dy.size()); ++i) {
      ++compared;
      unequal += !(std::fabs(dx[i] - dy[i]) <= kRounding);
    }
  }
  return compared;
}

std::string replace(std::string text, const std::string& from, const std::string& to) {
  const std::size_t at = text.find(from);
  REQUIRE(at != std::string::npos);
  return text.replace(at, from.size(), to);
}

// intake → screening → shelter (D) → aftercare, with a side branch to services: random routes,
// transfer delays and a loss, so that every kind of per-person draw is taken.
const char* kFunnel = R"([scenario]
name = "funnel"
[run]
horizon = "400d"
[[agency]]
id = "intake"
servers = 3
service = { dist = "exponential", mean = "0.5d" }
[[agency]]
id = "screening"
servers = 4
service = { dist = "gamma", shape = 2, scale = "0.3d" }
[[agency]]
id = "shelter"
servers = 2
service = { dist = "exponential", mean = "1.5d" }
[[agency]]
id = "services"
servers = 2
service = { dist = "lognormal", mean = "1d", sd = "0.5d" }
[[agency]]
id = "aftercare"
servers = 4
service = { dist = "exponential", mean = "2d" }
[[source]]
id = "hotline"
to = "intake"
rate = 4
[[source]]
id = "police"
to = "screening"
rate = 1
[[referral]]
from = "intake"
to = "screening"
probability = 0.8
delay = { dist = "exponential", mean = "6h" }
[[referral]]
from = "screening"
to = "shelter"
probability = 0.5
loss = 0.1
[[referral]]
from = "screening"
to = "services"
probability = 0.3
delay = "1d"
[[referral]]
from = "shelter"
to = "aftercare"
probability = 0.6
delay = { dist = "uniform", min = "1h", max = "2d" }
)";

}  // namespace

TEST_CASE("Per-person streams: more servers at one agency leave every service time upstream and there unchanged") {
  const ServiceLog one = run(kFunnel);
  const ServiceLog three = run(replace(kFunnel, "id = \"shelter\"\nservers = 2", "id = \"shelter\"\nservers = 3"));
  // The variant does change the mechanism: the shelter serves in another order and more in all.
  std::size_t shelter_one = 0, shelter_three = 0;
  for (const auto& [a, d] : one.in_order) shelter_one += a == 2;
  for (const auto& [a, d] : three.in_order) shelter_three += a == 2;
  CHECK(shelter_one != shelter_three);
  // Intake, screening (upstream), the shelter itself and aftercare (downstream): each person's
  // service times, visit by visit, are the same.
  for (AgencyId a : {0u, 1u, 2u, 3u, 4u}) {
    INFO("agency " << a);
    std::size_t unequal = 0;
    const std::size_t compared = compare_at(one, three, a, unequal);
    CHECK(compared > 200);
    CHECK(unequal == 0);
  }
  // Upstream, the same persons in the same order: everything there is identical.
  for (AgencyId a : {0u, 1u}) {
    std::size_t n_one = 0, n_three = 0;
    for (const auto& [k, d] : one.durations) n_one += std::get<2>(k) == a ? d.size() : 0;
    for (const auto& [k, d] : three.durations) n_three += std::get<2>(k) == a ? d.size() : 0;
    CHECK(n_one == n_three);
  }
}

TEST_CASE("Per-person streams: a source's persons keep their keys when another source changes") {
  const ServiceLog base = run(kFunnel);
  const ServiceLog busier = run(replace(kFunnel, "to = \"screening\"\nrate = 1", "to = \"screening\"\nrate = 2.5"));
  REQUIRE(base.entered.at(0).size() > 1000);
  CHECK(base.entered.at(0) == busier.entered.at(0));  // the hotline's: same keys, same order
  CHECK(base.entered.at(1).size() < busier.entered.at(1).size());
  // The police's persons in both runs (the first ones) are the same persons too.
  const std::vector<std::uint64_t>& few = base.entered.at(1);
  CHECK(std::equal(few.begin(), few.end(), busier.entered.at(1).begin()));
  // And with queues longer at screening, every person's screening times are still their own.
  std::size_t unequal = 0;
  CHECK(compare_at(base, busier, 1, unequal) > 400);
  CHECK(unequal == 0);
}

namespace {
// a1 → a2 → … → a7, and back from a7 to a3 three times in ten: seven agencies (more than a
// track counts inline) and repeated visits.
std::string chain(bool skip_a2) {
  std::string s = "[scenario]\nname = \"chain\"\n[run]\nhorizon = \"300d\"\n";
  for (int i = 1; i <= 7; ++i) {
    s += "[[agency]]\nid = \"a" + std::to_string(i) + "\"\nservers = 2\nservice = { dist = \"exponential\", mean = \"" +
         std::to_string(0.1 * i) + "d\" }\n";
  }
  s += "[[source]]\nid = \"s\"\nto = \"a1\"\nrate = 3\n";
  auto referral = [&](int from, int to, double p) {
    s += "[[referral]]\nfrom = \"a" + std::to_string(from) + "\"\nto = \"a" + std::to_string(to) +
         "\"\nprobability = " + std::to_string(p) + "\n";
  };
  if (skip_a2) {
    referral(1, 3, 1);
  } else {
    referral(1, 2, 1);
    referral(2, 3, 1);
  }
  for (int i = 3; i < 7; ++i) referral(i, i + 1, 0.9);
  referral(7, 3, 0.3);
  return s;
}
}  // namespace

TEST_CASE("Per-person streams: a person who skips an agency keeps the draws of the agencies both paths visit") {
  const ServiceLog with = run(chain(false));
  const ServiceLog without = run(chain(true));
  std::size_t skipped = 0;
  for (const auto& [k, d] : without.durations) skipped += std::get<2>(k) == 1;
  CHECK(skipped == 0);
  for (AgencyId a : {0u, 2u, 3u, 4u, 5u, 6u}) {
    INFO("agency a" << a + 1);
    std::size_t unequal = 0;
    const std::size_t compared = compare_at(with, without, a, unequal);
    CHECK(compared > 300);
    CHECK(unequal == 0);
  }
  // Repeated visits (the loop back to a3) are matched visit by visit.
  std::size_t repeated = 0;
  for (const auto& [k, d] : with.durations) repeated += std::get<2>(k) == 2 && d.size() > 1;
  CHECK(repeated > 50);
}

TEST_CASE("Per-person streams: exponential service times have the law's mean and variance and no lag-1 correlation") {
  // Unlimited servers: every person is served on arrival, the draws in order of entry; a second
  // agency, half of them referred there, draws from the same persons' visits.
  const std::string text = R"([scenario]
name = "draws"
[run]
horizon = "500d"
[[agency]]
id = "a"
servers = "unlimited"
service = { dist = "exponential", mean = "2d" }
[[agency]]
id = "b"
servers = "unlimited"
service = { dist = "exponential", mean = "2d" }
[[source]]
id = "s"
to = "a"
rate = 40
[[referral]]
from = "a"
to = "b"
probability = 0.5
)";
  const ServiceLog log = run(text, 2027);
  std::vector<double> x;
  for (const auto& [a, d] : log.in_order) {
    if (a == 0) x.push_back(d);
  }
  const auto n = static_cast<double>(x.size());
  REQUIRE(n > 15000);
  double mean = 0;
  for (double v : x) mean += v;
  mean /= n;
  double var = 0, lag = 0;
  for (std::size_t i = 0; i < x.size(); ++i) {
    var += (x[i] - mean) * (x[i] - mean);
    if (i > 0) lag += (x[i] - mean) * (x[i - 1] - mean);
  }
  var /= n - 1;
  const double rho1 = lag / (var * (n - 1));
  // Exponential with mean m: sd m; the sample variance's sd is sqrt(8) m^2 / sqrt(n) (fourth
  // central moment 9 m^4); a lag-1 autocorrelation of independent draws has sd 1 / sqrt(n).
  const double m = 2;
  CHECK(std::fabs(mean - m) < 4 * m / std::sqrt(n));
  CHECK(std::fabs(var - m * m) < 4 * std::sqrt(8.0) * m * m / std::sqrt(n));
  CHECK(std::fabs(rho1) < 4 / std::sqrt(n));
  // Draws of one person at two agencies, and the route drawn at the same visit, are independent
  // of the service time there: correlation within 4 standard errors of 0.
  std::vector<double> at_a, at_b, referred_a, referred;
  for (const auto& [k, d] : log.durations) {
    if (std::get<2>(k) != 0 || d.size() != 1) continue;
    const auto b = log.durations.find({std::get<0>(k), std::get<1>(k), 1});
    referred_a.push_back(d[0]);
    referred.push_back(b != log.durations.end() ? 1 : 0);
    if (b != log.durations.end()) {
      at_a.push_back(d[0]);
      at_b.push_back(b->second.at(0));
    }
  }
  auto correlation = [](const std::vector<double>& u, const std::vector<double>& v) {
    const auto k = static_cast<double>(u.size());
    double mu = 0, mv = 0;
    for (std::size_t i = 0; i < u.size(); ++i) mu += u[i], mv += v[i];
    mu /= k, mv /= k;
    double suv = 0, suu = 0, svv = 0;
    for (std::size_t i = 0; i < u.size(); ++i) {
      suv += (u[i] - mu) * (v[i] - mv);
      suu += (u[i] - mu) * (u[i] - mu);
      svv += (v[i] - mv) * (v[i] - mv);
    }
    return suv / std::sqrt(suu * svv);
  };
  REQUIRE(at_a.size() > 5000);
  CHECK(std::fabs(correlation(at_a, at_b)) < 4 / std::sqrt(static_cast<double>(at_a.size())));
  CHECK(std::fabs(correlation(referred_a, referred)) < 4 / std::sqrt(static_cast<double>(referred.size())));
  const double share = std::accumulate(referred.begin(), referred.end(), 0.0) / static_cast<double>(referred.size());
  CHECK(std::fabs(share - 0.5) < 4 * 0.5 / std::sqrt(static_cast<double>(referred.size())));
}
