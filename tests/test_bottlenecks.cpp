// refsim bottlenecks (sim/experiment/bottlenecks.hpp): attribution adds up to what the run
// measures, shares are shares, the marginal value under common random numbers, the capacity search
// against Erlang C, determinism across thread counts and the errors a user meets.
//
// Fixed seeds throughout. Tolerances: sums of the same observations agree to rounding (1e-9
// relative); the capacity search is checked against Erlang C with a target chosen far (×1.4 or
// more) from the waiting time of both neighbouring staffings.
#include <catch2/catch.hpp>

#include <cmath>
#include <filesystem>
#include <sstream>
#include <stdexcept>

#include "sim/experiment/bottlenecks.hpp"
#include "sim/report/bottlenecks_report.hpp"
#include "support.hpp"

using namespace refsim;

namespace {

/// desk (M/M/c, `servers`, mean service 1 day, Poisson arrivals `rate` per day) → idle (1 server,
/// mean 1 h), downstream, so that capacity at idle cannot change what happens at desk.
std::string desk_scenario(int servers, double rate, double horizon, double warmup, int reps) {
  std::ostringstream os;
  os << "[scenario]\nname = \"desk\"\n[run]\nhorizon = " << horizon << "\nwarmup = " << warmup
     << "\nreplications = " << reps << "\nseed = 2026\n"
     << "[[agency]]\nid = \"desk\"\nservers = " << servers << "\nservice = { dist = \"exponential\", mean = 1 }\n"
     << "[[agency]]\nid = \"idle\"\nservers = 1\nservice = { dist = \"exponential\", mean = \"1h\" }\n"
     << "[[source]]\nid = \"src\"\nto = \"desk\"\nrate = " << rate << "\n"
     << "[[referral]]\nfrom = \"desk\"\nto = \"idle\"\nprobability = 1\n";
  return os.str();
}

/// Erlang C: mean wait in queue of an M/M/c queue (lambda, mu per day); infinity when unstable.
double erlang_c_wq(int c, double lambda, double mu) {
  const double a = lambda / mu, rho = a / c;
  if (rho >= 1) return INFINITY;
  double sum = 0, term = 1;
  for (int k = 0; k < c; ++k) {
    sum += term;
    term *= a / (k + 1);
  }
  const double tail = term / (1 - rho);
  return tail / (sum + tail) / (c * mu - lambda);
}

Scenario library_scenario() {
  return load_scenario(std::filesystem::path(REFSIM_SOURCE_DIR) / "scenarios/baseline-nrm.toml", {"run.horizon=3y"});
}

AgencyId agency_id(const Scenario& s, const std::string& name) {
  for (std::size_t a = 0; a < s.agencies.size(); ++a)
    if (s.agencies[a].id == name) return static_cast<AgencyId>(a);
  FAIL("no agency " << name);
  return 0;
}

bool near(double a, double b) { return std::fabs(a - b) <= 1e-9 * std::max({1.0, std::fabs(a), std::fabs(b)}); }

}  // namespace

TEST_CASE("Bottlenecks: person-days of waiting per agency add up to the waiting the run measures", "[bottlenecks]") {
  const Scenario s = test::scenario(desk_scenario(1, 0.8, 2000, 200, 6));
  BottleneckOptions opt;
  opt.seed = s.run.seed;
  opt.replications = s.run.replications;
  opt.marginal = false;
  const BottleneckResult r = find_bottlenecks(s, opt);
  const RunResult run = test::run_scenario(s);
  for (AgencyId a = 0; a < s.agencies.size(); ++a) {
    double waited = 0, visits = 0;
    for (const auto& rep : run.replications) {
      waited += rep.agencies[a].mean_wait_days * rep.agencies[a].starts;
      visits += rep.agencies[a].arrivals;
    }
    waited /= static_cast<double>(run.replications.size());
    visits /= static_cast<double>(run.replications.size());
    INFO("agency " << s.agencies[a].id << ": attributed " << r.agencies[a].waiting_person_days.mean << ", run "
                   << waited);
    CHECK(near(r.agencies[a].waiting_person_days.mean, waited));
    CHECK(near(r.agencies[a].visits.mean, visits));
  }
  // M/M/1 at ρ = 0.8: waiting is at desk, hardly any at idle (ρ = 0.033).
  CHECK(r.agencies[0].waiting_person_days.mean > 10 * r.agencies[1].waiting_person_days.mean);
}

TEST_CASE("Bottlenecks: breach attribution adds up and shares are shares", "[bottlenecks]") {
  const Scenario s = library_scenario();
  BottleneckOptions opt;
  opt.seed = 7;
  opt.replications = 4;
  opt.marginal = false;
  const BottleneckResult r = find_bottlenecks(s, opt);
  REQUIRE(r.deadlines.size() == s.deadlines.size());
  double any_breach = 0;
  for (std::size_t d = 0; d < r.deadlines.size(); ++d) {
    double sum = 0;
    for (const auto& [loc, e] : r.deadlines[d].by_location) sum += e.mean;
    INFO("deadline " << d);
    CHECK(near(sum, r.deadlines[d].breached.mean));
    any_breach += r.deadlines[d].breached.mean;
  }
  CHECK(any_breach > 0);  // else the test proves nothing
  // Per agency and referral, the breaches in the tables are those of the deadlines' attribution.
  double by_place = 0;
  for (const auto& a : r.agencies) by_place += a.breaches.mean;
  for (const auto& f : r.referrals) by_place += f.breaches.mean;
  CHECK(near(by_place, any_breach));

  for (std::size_t g = 0; g < kBottleneckGroups.size(); ++g)
    for (std::size_t m = 0; m < kBottleneckMilestones.size(); ++m) {
      const MilestoneAttribution& ma = r.milestones[g][m];
      INFO(kBottleneckGroups[g] << " to " << kBottleneckMilestones[m]);
      REQUIRE(ma.persons.mean > 0);
      double sum = 0;
      for (const ShareOfTime& sh : ma.shares) {
        CHECK(sh.share.mean >= 0);
        CHECK(sh.share.mean <= 1);
        if (sh.share.ci95) {
          CHECK(sh.share.ci95->first >= 0);
          CHECK(sh.share.ci95->second <= 1);
        }
        sum += sh.share.mean;
      }
      CHECK(std::fabs(sum - 1) <= 1e-9);
    }
}

TEST_CASE(
    "Bottlenecks: +1 server at a loaded M/M/1 desk cuts its wait and at an idle agency downstream its interval "
    "includes zero",
    "[bottlenecks]") {
  const Scenario s = test::scenario(desk_scenario(1, 0.9, 2000, 200, 8));
  BottleneckOptions opt;
  opt.seed = s.run.seed;
  opt.replications = s.run.replications;
  opt.indicators = {"agencies.desk.mean_wait_days"};
  const BottleneckResult r = find_bottlenecks(s, opt);
  REQUIRE(r.marginal.size() == 2);
  const AgencyId desk = agency_id(s, "desk"), idle = agency_id(s, "idle");
  for (const MarginalValue& m : r.marginal) {
    REQUIRE(m.effects.size() == 1);
    const MarginalEffect& e = m.effects[0];
    REQUIRE(e.difference);
    if (m.agency == desk) {
      // Theory: Wq falls from 9 days (M/M/1, ρ = 0.9) to 0.23 days (M/M/2).
      CHECK(m.rank == 1);
      CHECK(e.difference->ci95_adjusted.second < 0);
      CHECK_FALSE(e.includes_zero);
      CHECK(e.improves);
    } else {
      CHECK(m.agency == idle);
      // Under common random numbers desk's history is the same in both runs: exactly no change.
      CHECK(e.difference->mean == 0);
      CHECK(e.includes_zero);
      CHECK_FALSE(e.improves);
    }
  }
}

TEST_CASE("Bottlenecks: the capacity search finds the Erlang C staffing for a waiting-time target", "[bottlenecks]") {
  const double lambda = 8, mu = 1, target = 0.14;
  // Smallest c with Wq(c) <= target, and the target far from both neighbours.
  int c = 1;
  while (erlang_c_wq(c, lambda, mu) > target) ++c;
  REQUIRE(c == 11);
  REQUIRE(erlang_c_wq(c, lambda, mu) * 1.4 < target);
  REQUIRE(erlang_c_wq(c - 1, lambda, mu) > 1.4 * target);

  const Scenario s = test::scenario(desk_scenario(9, lambda, 3000, 300, 8));
  BottleneckOptions opt;
  opt.seed = s.run.seed;
  opt.replications = s.run.replications;
  opt.marginal = false;
  opt.target = parse_capacity_target("agencies.desk.mean_wait_days<=0.14");
  opt.at = {agency_id(s, "desk")};
  const BottleneckResult r = find_bottlenecks(s, opt);
  REQUIRE(r.capacity.size() == 1);
  const CapacitySearch& cs = r.capacity[0];
  CHECK(cs.current == 9);
  REQUIRE(cs.needed);
  CHECK(*cs.needed == static_cast<std::uint32_t>(c));
  REQUIRE(cs.at_needed.ci95);
  CHECK(cs.at_needed.ci95->second <= target);
  for (const CapacityStep& st : cs.steps)
    if (st.capacity == static_cast<std::uint32_t>(c - 1)) CHECK_FALSE(st.met);
}

TEST_CASE("Bottlenecks: results do not depend on the number of threads", "[bottlenecks]") {
  const Scenario s = library_scenario();
  BottleneckOptions opt;
  opt.seed = 11;
  opt.replications = 4;
  opt.threads = 1;
  const BottleneckResult one = find_bottlenecks(s, opt);
  opt.threads = 2;
  const BottleneckResult two = find_bottlenecks(s, opt);
  REQUIRE(one.agencies.size() == two.agencies.size());
  for (std::size_t a = 0; a < one.agencies.size(); ++a) {
    CHECK(one.agencies[a].waiting_person_days.mean == two.agencies[a].waiting_person_days.mean);
    CHECK(one.agencies[a].held_person_days.mean == two.agencies[a].held_person_days.mean);
    CHECK(one.agencies[a].breaches.mean == two.agencies[a].breaches.mean);
  }
  REQUIRE(one.marginal.size() == two.marginal.size());
  for (std::size_t k = 0; k < one.marginal.size(); ++k) {
    CHECK(one.marginal[k].agency == two.marginal[k].agency);
    REQUIRE(one.marginal[k].effects.size() == two.marginal[k].effects.size());
    for (std::size_t i = 0; i < one.marginal[k].effects.size(); ++i) {
      const auto& x = one.marginal[k].effects[i].difference;
      const auto& y = two.marginal[k].effects[i].difference;
      REQUIRE(x.has_value() == y.has_value());
      if (x) {
        CHECK(x->ci95_adjusted.first == y->ci95_adjusted.first);
        CHECK(x->ci95_adjusted.second == y->ci95_adjusted.second);
      }
    }
  }
  CHECK(one.events_processed == two.events_processed);
}

TEST_CASE("Bottlenecks: a malformed target says what was expected", "[bottlenecks]") {
  CHECK_THROWS_WITH(parse_capacity_target("agencies.desk.mean_wait_days=2"), Catch::Contains("--target"));
  CHECK_THROWS_WITH(parse_capacity_target("agencies.desk.mean_wait_days<=soon"), Catch::Contains("expected a number"));
  const CapacityTarget t = parse_capacity_target("deadlines.x.compliance>=0.95");
  CHECK(t.at_least);
  CHECK(t.value == Approx(0.95));
  CHECK(t.indicator == "deadlines.x.compliance");
}

TEST_CASE("Bottlenecks: an unknown indicator is rejected", "[bottlenecks]") {
  const Scenario s = test::scenario(desk_scenario(1, 0.5, 100, 10, 2));
  BottleneckOptions opt;
  opt.replications = 2;
  opt.indicators = {"agencies.nosuch.mean_wait_days"};
  CHECK_THROWS_AS(find_bottlenecks(s, opt), std::invalid_argument);
  opt.indicators = {};
  opt.marginal = false;
  opt.target = parse_capacity_target("agencies.desk.nosuch<=2");
  opt.at = {0};
  CHECK_THROWS_AS(find_bottlenecks(s, opt), std::invalid_argument);
}

TEST_CASE("Bottlenecks: an effect whose interval excludes 0 is never shown as zeros", "[bottlenecks]") {
  // A difference of 0.004 days, its interval [0.002, 0.006] away from 0, printed at one decimal,
  // read "0.0 [0.0,0.0] +": a table that contradicted its own mark.
  const Scenario s = test::scenario(desk_scenario(2, 0.5, 60, 10, 2));
  BottleneckOptions opt;
  opt.seed = 5;
  opt.replications = 2;
  opt.indicators = {"agencies.desk.mean_wait_days"};
  BottleneckResult r = find_bottlenecks(s, opt);
  REQUIRE(!r.marginal.empty());
  REQUIRE(!r.marginal.front().effects.empty());
  MarginalEffect& e = r.marginal.front().effects.front();
  e.unit = "days";
  e.difference = Difference{};
  e.difference->mean = -0.004;
  e.difference->ci95 = e.difference->ci95_adjusted = {-0.006, -0.002};
  e.includes_zero = false;
  e.improves = true;
  // And one whose interval includes 0 keeps the column's decimals, its sign dropped when it rounds to 0.
  MarginalEffect& f = r.marginal.back().effects.back();
  f.unit = "days";
  f.difference = Difference{};
  f.difference->mean = 0.004;
  f.difference->ci95 = f.difference->ci95_adjusted = {-0.06, 0.07};
  f.includes_zero = true;
  f.improves = false;
  std::ostringstream os;
  print_bottlenecks_table(os, BottleneckContext{s, "desk.toml", 5, opt}, r);
  CHECK_THAT(os.str(), Catch::Matchers::Contains("-0.004 [-0.006,-0.002] +"));
  CHECK_THAT(os.str(), Catch::Matchers::Contains(" 0.0 [-0.1,0.1] ~0"));
}
