// [[intervention]] and `refsim plan`: the loader's errors, costs over the measured period,
// relative servers, portfolios scheduled as changes, and the plan itself (the portfolios run, the
// paired gains checked against brute force, greedy steps, the frontier, determinism).
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <string>

#include "sim/experiment/indicators.hpp"
#include "sim/experiment/plan.hpp"
#include "sim/model/intervention.hpp"
#include "sim/report/plan_report.hpp"
#include "support.hpp"

using namespace refsim;
using refsim::test::load_error;

namespace {

// An M/M/1 desk at 90 % load that decides who is identified; lines 1–19.
const std::string kBase = R"([scenario]
name = "Plan"
currency = "USD"

[run]
horizon = "1y"
warmup = "73d"
replications = 8

[[agency]]
id = "desk"
servers = 1
service = { dist = "exponential", mean = "0.9d" }
decision = { sets = "identified", sensitivity = 0.7, specificity = 0.9 }

[[source]]
id = "walk_in"
to = "desk"
rate = 1.0
)";

const std::string kCaseworker = R"(
[[intervention]]
id = "caseworker"
name = "One more caseworker"
cost_yearly = 30000
[[intervention.change]]
agency = "desk"
servers = "+1"
)";

const std::string kTraining = R"(
[[intervention]]
id = "training"
cost_once = 20000
start = "100d"
[[intervention.change]]
agency = "desk"
sensitivity = 0.85
)";

const std::string kTwo = R"(
[[intervention]]
id = "two_caseworkers"
cost_yearly = 60000
excludes = ["caseworker"]
[[intervention.change]]
agency = "desk"
servers = "+2"
)";

Scenario three() { return test::scenario(kBase + kCaseworker + kTraining + kTwo); }

const PortfolioResult& find(const PlanResult& p, const std::string& label) {
  const auto it = std::find_if(p.portfolios.begin(), p.portfolios.end(),
                               [&](const PortfolioResult& r) { return r.label == label; });
  REQUIRE(it != p.portfolios.end());
  return *it;
}

bool has(const PlanResult& p, const std::string& label) {
  return std::any_of(p.portfolios.begin(), p.portfolios.end(),
                     [&](const PortfolioResult& r) { return r.label == label; });
}

}  // namespace

TEST_CASE("Interventions loader: the fields and their defaults") {
  const Scenario s = three();
  REQUIRE(s.interventions.size() == 3);
  const Intervention& c = s.interventions[0];
  CHECK(c.id == "caseworker");
  CHECK(c.name == "One more caseworker");
  CHECK(c.basis == "illustrative");
  CHECK(c.cost_once == 0);
  CHECK(c.cost_yearly == 30000);
  CHECK(c.start == 0);
  REQUIRE(c.changes.size() == 1);
  CHECK(c.changes[0].servers_delta == 1);
  CHECK(!c.changes[0].change.servers);
  const Intervention& t = s.interventions[1];
  CHECK(t.name == "training");
  CHECK(t.start == 100);
  CHECK(t.changes[0].change.sensitivity == 0.85);
  CHECK(s.interventions[2].excludes == std::vector<std::string>{"caseworker"});
  // A plain run applies none of them.
  CHECK(s.changes.empty());
}

TEST_CASE("Interventions loader: errors are located and say what was expected") {
  // No currency for a cost.
  std::string no_currency = kBase;
  no_currency.replace(no_currency.find("currency = \"USD\"\n"), 17, "");
  CHECK(load_error(no_currency + kCaseworker) ==
        "test.toml:20:1: intervention 'caseworker': has a cost, but [scenario] names no currency; add currency = "
        "\"USD\" (or the currency the costs are in) to [scenario]");
  // Line 21 is [[intervention]] in what follows; 22 the id.
  CHECK(load_error(kBase + "\n[[intervention]]\nid = \"x\"\ncost_once = -5\n[[intervention.change]]\nagency = "
                           "\"desk\"\nservers = 2\n")
            .starts_with("test.toml:23:13: intervention 'x': cost_once must be a finite number >= 0"));
  CHECK(load_error(kBase + "\n[[intervention]]\nid = \"x\"\ncost_once = 5\n") ==
        "test.toml:21:1: intervention 'x': changes nothing; give at least one [[intervention.change]]");
  CHECK(load_error(kBase + "\n[[intervention]]\nid = \"x\"\nstart = \"2y\"\n[[intervention.change]]\nagency = "
                           "\"desk\"\nservers = 2\n")
            .starts_with(
                "test.toml:23:9: intervention 'x': start (2y) is after the horizon (365d): it would never apply"));
  CHECK(load_error(kBase + kCaseworker +
                   "\n[[intervention]]\nid = \"y\"\nexcludes = [\"nope\"]\n[[intervention.change]]"
                   "\nagency = \"desk\"\nservers = 2\n") ==
        "test.toml:31:13: intervention 'y': excludes unknown intervention 'nope'; known: caseworker, y");
  CHECK(load_error(kBase + "\n[[intervention]]\nid = \"y\"\nexcludes = [\"y\"]\n[[intervention.change]]"
                           "\nagency = \"desk\"\nservers = 2\n") ==
        "test.toml:23:13: intervention 'y': excludes itself");
  // A relative change that leaves fewer than 0 servers is refused at load time, at its intervention.
  CHECK(load_error(kBase + "\n[[intervention]]\nid = \"cut\"\n[[intervention.change]]\nagency = \"desk\"\nservers = "
                           "\"-3\"\n") ==
        "test.toml:21:1: intervention 'cut': -3 at agency 'desk' leaves -2 (it has 1 then)");
  // [[change]]'s `at` is not an intervention's key: its `start` is.
  CHECK(load_error(kBase + "\n[[intervention]]\nid = \"x\"\n[[intervention.change]]\nat = \"1d\"\nagency = "
                           "\"desk\"\nservers = 2\n")
            .starts_with("test.toml:24:1: "));
  CHECK(load_error(kBase + kCaseworker + kCaseworker).find("caseworker") != std::string::npos);
}

TEST_CASE("Interventions: cost over the measured period") {
  const Scenario s = three();
  // The measured period is [73 d, 365 d]: 0.8 of a 365-day year.
  CHECK(years_running(s, s.interventions[0]) == Approx(0.8));
  CHECK(intervention_cost(s, s.interventions[0]) == Approx(24000));
  // Training starts at day 100, after the warm-up: it runs 265 days; it has a one-off cost only.
  CHECK(years_running(s, s.interventions[1]) == Approx(265.0 / 365));
  CHECK(intervention_cost(s, s.interventions[1]) == 20000);
  const std::size_t both[] = {0, 1};
  CHECK(portfolio_cost(s, both) == Approx(44000));
  const std::size_t clash[] = {0, 2};
  CHECK(portfolio_conflict(s, clash) == std::optional<std::string>("'two_caseworkers' excludes 'caseworker'"));
  CHECK(!portfolio_conflict(s, both));
}

TEST_CASE("Interventions: a portfolio is scheduled as changes, relative servers resolved at the start") {
  const Scenario s = test::scenario(kBase + R"([[change]]
at = "50d"
agency = "desk"
servers = 3
)" + kCaseworker + R"(
[[intervention]]
id = "more"
start = "200d"
[[intervention.change]]
agency = "desk"
servers = "+2"
)");
  const std::size_t both[] = {0, 1};
  const Scenario with = with_interventions(s, both);
  CHECK(with.interventions.empty());
  REQUIRE(with.changes.size() == 3);
  // The caseworker at t = 0 (1 + 1 = 2), the scenario's own change to 3 at day 50, then +2 at day
  // 200 on the 3 then in force.
  CHECK(with.changes[1].at == 0);
  CHECK(with.changes[1].change.servers == 2u);
  CHECK(with.changes[1].change.origin == "intervention 'caseworker'");
  CHECK(with.changes[2].at == 200);
  CHECK(with.changes[2].change.servers == 5u);
  // Two "+1" of one agency at one start add up.
  const Scenario twice = test::scenario(kBase + kCaseworker + R"(
[[intervention]]
id = "another"
[[intervention.change]]
agency = "desk"
servers = "+1"
)");
  const std::size_t two[] = {0, 1};
  const Scenario w2 = with_interventions(twice, two);
  REQUIRE(w2.changes.size() == 2);
  CHECK(w2.changes[0].change.servers == 2u);
  CHECK(w2.changes[1].change.servers == 3u);
  const std::size_t clash[] = {0, 2};
  CHECK_THROWS_WITH(with_interventions(three(), clash), "'two_caseworkers' excludes 'caseworker'");
}

TEST_CASE("Plan: every portfolio within the budget is run, and each gain is its paired difference") {
  const Scenario s = three();
  PlanOptions opt;
  opt.budget = 50000;  // caseworker 24,000, training 20,000, two caseworkers 48,000
  opt.replications = 6;
  opt.threads = 2;
  const PlanResult p = plan(s, opt);
  CHECK(p.method == "exhaustive");
  // 7 non-empty subsets: 3 singles and caseworker + training fit; the other 3 cost more.
  CHECK(p.over_budget == 3);
  REQUIRE(p.portfolios.size() == 5);
  CHECK(p.portfolios.front().label == "nothing");
  CHECK(has(p, "caseworker + training"));
  CHECK(!has(p, "caseworker + two_caseworkers"));
  CHECK(p.excluded.empty());  // the clashing pair is over the budget anyway
  CHECK(p.currency == "USD");

  // Brute force: each portfolio's scenario run replication by replication on the same streams.
  const ReferralGraph g(s);
  const std::vector<IndicatorDef> defs = indicators(s);
  const auto def =
      std::find_if(defs.begin(), defs.end(), [](const IndicatorDef& d) { return d.name == "overall.identified"; });
  REQUIRE(def != defs.end());
  std::vector<double> nothing;
  for (std::uint32_t r = 0; r < opt.replications; ++r)
    nothing.push_back(def->read(run_replication(s, g, opt.seed, r)).first);
  for (const PortfolioResult& r : p.portfolios) {
    const Scenario with = with_interventions(s, r.interventions);
    double sum = 0, diff = 0;
    for (std::uint32_t k = 0; k < opt.replications; ++k) {
      const double v = def->read(run_replication(with, g, opt.seed, k)).first;
      sum += v;
      diff += v - nothing[k];
    }
    CHECK(r.value.mean == Approx(sum / opt.replications).epsilon(1e-12));
    if (r.interventions.empty()) continue;
    REQUIRE(r.effect);
    CHECK(r.effect->mean == Approx(diff / opt.replications).epsilon(1e-12).margin(1e-12));
    CHECK(r.effect->replications == opt.replications);
    CHECK(r.cost == Approx(portfolio_cost(s, r.interventions)));
    if (r.cost > 0) CHECK(r.per_spend == Approx(r.effect->mean * 10000 / r.cost).margin(1e-12));
  }
  // Best first.
  for (std::size_t i = 2; i < p.portfolios.size(); ++i) {
    CHECK(p.portfolios[i - 1].effect->mean >= p.portfolios[i].effect->mean);
  }
}

TEST_CASE("Plan: training that raises sensitivity gains identifications and staff alone does not") {
  PlanOptions opt;
  opt.budget = 30000;
  opt.replications = 10;
  const PlanResult p = plan(three(), opt);
  // Sensitivity 0.7 -> 0.85 from day 100 on about 265 arrivals a replication (about 0.15 x 265 = 40
  // more identified): the whole interval is above 0.
  const PortfolioResult& t = find(p, "training");
  REQUIRE(t.effect);
  CHECK(t.effect->ci95.first > 0);
  CHECK(t.effect->mean > 20);
  CHECK(t.effect->mean < 60);
  CHECK(p.portfolios[1].label == "training");
  CHECK(t.frontier);
  // With exactly the same persons and draws, a second caseworker identifies the same victims
  // (every case at the desk is decided within the year either way), give or take the few still
  // queueing at the end; it cannot be told from doing nothing.
  const PortfolioResult& c = find(p, "caseworker");
  REQUIRE(c.effect);
  CHECK(c.effect->ci95.first <= 0);
  CHECK(c.effect->ci95.second >= 0);
  CHECK(!c.frontier);  // training gains more at less cost
}

TEST_CASE("Plan: an indicator where smaller is better is signed so that a gain is > 0") {
  PlanOptions opt;
  opt.budget = 30000;
  opt.replications = 10;
  opt.indicator = "agencies.desk.mean_wait_days";
  const PlanResult p = plan(three(), opt);
  CHECK(!p.larger_is_better);
  // An M/M/1 desk at 90 % load waits days; with two servers (M/M/2 at 45 %) a fraction of a day:
  // the wait falls, so the gain is positive, with its whole interval above 0.
  const PortfolioResult& c = find(p, "caseworker");
  REQUIRE(c.effect);
  CHECK(c.effect->mean > 0);
  CHECK(c.effect->ci95.first > 0);
  const PortfolioResult& nothing = p.portfolios.front();
  CHECK(c.effect->mean == Approx(nothing.value.mean - c.value.mean).epsilon(1e-9));
  // Training changes who is identified, not how long anyone waits: under common random numbers its
  // gain is exactly 0.
  const PortfolioResult& t = find(p, "training");
  REQUIRE(t.effect);
  CHECK(t.effect->mean == 0);
  CHECK(t.frontier == false);
  CHECK(p.portfolios[1].label == "caseworker");
}

TEST_CASE("Plan: the greedy search beyond max_exhaustive grows one portfolio step by step") {
  PlanOptions opt;
  opt.budget = 1e6;
  opt.replications = 4;
  opt.max_exhaustive = 2;
  const Scenario s = three();
  const PlanResult p = plan(s, opt);
  CHECK(p.method == "greedy");
  // Step 1: the three singles. Training gains most per cost, so step 2 adds to it: training +
  // caseworker and training + two caseworkers. A third can never join (two caseworkers excludes
  // caseworker), whichever step 2 took, if it took one.
  CHECK(has(p, "caseworker"));
  CHECK(has(p, "training"));
  CHECK(has(p, "two_caseworkers"));
  CHECK(has(p, "caseworker + training"));
  CHECK(has(p, "training + two_caseworkers"));
  CHECK(p.portfolios.size() == 6);
  CHECK(p.excluded.size() <= 1);
  for (const auto& e : p.excluded) CHECK(e.first == "caseworker + training + two_caseworkers");
  CHECK(p.over_budget == 0);  // counted by the exhaustive search only
}

TEST_CASE("Plan: left-out portfolios name why and the frontier is not dominated") {
  PlanOptions opt;
  opt.budget = 1e6;
  opt.replications = 4;
  const PlanResult p = plan(three(), opt);
  REQUIRE(p.excluded.size() == 2);
  CHECK(p.excluded[0].first == "caseworker + two_caseworkers");
  CHECK(p.excluded[0].second == "'two_caseworkers' excludes 'caseworker'");
  CHECK(p.excluded[1].first == "caseworker + training + two_caseworkers");
  for (const PortfolioResult& a : p.portfolios) {
    const double ea = a.effect ? a.effect->mean : 0;
    bool dominated = false;
    for (const PortfolioResult& b : p.portfolios) {
      const double eb = b.effect ? b.effect->mean : 0;
      if (&a != &b && b.cost <= a.cost && eb >= ea && (b.cost < a.cost || eb > ea)) dominated = true;
    }
    CHECK(a.frontier == !dominated);
  }
  CHECK(p.portfolios.front().frontier);  // nothing: the cheapest
}

TEST_CASE("Plan: the same whatever the thread count") {
  const Scenario s = three();
  PlanOptions opt;
  opt.budget = 1e6;
  opt.replications = 5;
  opt.threads = 1;
  const std::string one = plan_json(s, plan(s, opt)).dump() + plan_csv(s, plan(s, opt));
  opt.threads = 2;
  const std::string two = plan_json(s, plan(s, opt)).dump() + plan_csv(s, plan(s, opt));
  CHECK(one == two);
}

TEST_CASE("Plan: what cannot be planned is refused with the reason") {
  PlanOptions opt;
  opt.budget = 1000;
  CHECK_THROWS_WITH(plan(test::scenario(kBase), opt), Catch::Contains("declares no [[intervention]]"));
  opt.budget = -1;
  CHECK_THROWS_WITH(plan(three(), opt), "the budget must be a finite amount >= 0");
  opt.budget = 1000;
  opt.replications = 1;
  CHECK_THROWS_WITH(plan(three(), opt), Catch::Contains("two replications or more"));
  opt.replications = 2;
  opt.indicator = "overall.nope";
  CHECK_THROWS_WITH(plan(three(), opt), "unknown indicator 'overall.nope'");
  // Nothing fits a budget of 1,000: only doing nothing is run, and the plan says so.
  opt.indicator = "overall.identified";
  const PlanResult p = plan(three(), opt);
  CHECK(p.portfolios.size() == 1);
  CHECK(p.over_budget == 7);
}
