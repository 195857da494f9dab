// viz model, regional scenarios: the snapshot's figures per country (Snapshot::countries) against
// the engine's state and an independent observer, the countries the panel lists when not all
// fit, and the countries' colours.
#include <catch2/catch.hpp>
#include <cmath>
#include <map>
#include <set>
#include <tuple>
#include <vector>

#include "sim/engine/engine.hpp"
#include "sim/scenario/loader.hpp"
#include "viz/colour.hpp"
#include "viz/facilitator.hpp"
#include "viz/snapshot.hpp"

using namespace refsim;
using namespace refsim::viz;

namespace {

// Three countries. AA (the home country): the hotline (no `country`: the home country's, no
// limit) and screening (2 staff, overloaded at times); BB: a shelter (3 beds) and the police (no
// limit); CC: a border reception (no limit) only. Callers to the hotline go to screening and, on a
// parallel track, to BB's police: one person, two countries at once. Arrivals at CC's border go
// to BB's police, who refer some to AA's screening, who send half on to BB's shelter.
const char* kRegional = R"(
[scenario]
name = "regional"
country = "AA"
[run]
horizon = "1y"
seed = 17
[[agency]]
id = "hotline"
servers = "unlimited"
service = "2h"
[[agency]]
id = "screening"
country = "AA"
servers = 2
service = { dist = "exponential", mean = "12h" }
[[agency]]
id = "shelter"
country = "BB"
beds = 3
service = { dist = "exponential", mean = "4d" }
[[agency]]
id = "police"
country = "BB"
servers = "unlimited"
service = "1d"
[[agency]]
id = "border"
country = "CC"
servers = "unlimited"
service = "6h"
[[source]]
id = "calls"
to = "hotline"
rate = 2
[[source]]
id = "crossings"
to = "border"
rate = 1.5
[[referral]]
from = "hotline"
to = "screening"
probability = 1
[[referral]]
from = "hotline"
to = "police"
probability = 1
fork = true
[[referral]]
from = "border"
to = "police"
probability = 1
delay = "1d"
[[referral]]
from = "police"
to = "screening"
probability = 0.3
delay = { dist = "exponential", mean = "2d" }
[[referral]]
from = "screening"
to = "shelter"
probability = 0.5
delay = "1d"
)";

constexpr AgencyId kHotline = 0, kScreening = 1, kCountryShelter = 2, kPolice = 3, kBorder = 4;
constexpr std::size_t kAA = 0, kBB = 1, kCC = 2;

struct CountriesFixture {
  explicit CountriesFixture(const char* text = kRegional) : s(load_scenario_text(text, "regional.toml")), g(s) {}
  Scenario s;
  ReferralGraph g;
};

/// Persons by country of entry, busy server-time and waits per agency, counted independently of
/// LiveView from the engine's signals.
struct CountryTally : Observer {
  const Scenario& s;
  std::map<std::uint64_t, std::size_t> inside;  // serial → country of entry, persons in the mechanism
  std::vector<std::uint32_t> busy;
  std::vector<double> busy_time, last, waits;
  std::vector<std::uint64_t> starts;
  explicit CountryTally(const Scenario& scenario)
      : s(scenario),
        busy(s.agencies.size()),
        busy_time(s.agencies.size()),
        last(s.agencies.size()),
        waits(s.agencies.size()),
        starts(s.agencies.size()) {}
  void on_case_entered(Time, const Case& c, const Attributes&) override {
    CHECK(inside.emplace(c.serial, s.entry_country_index(c.agency)).second);
  }
  void on_case_exited(Time, const Case& c, Time) override { CHECK(inside.erase(c.serial) == 1); }
  void step(Time t, AgencyId a, int d) {
    busy_time[a] += busy[a] * (t - last[a]);
    last[a] = t;
    busy[a] = static_cast<std::uint32_t>(static_cast<int>(busy[a]) + d);
  }
  void on_service_start(Time t, AgencyId a, const Case&, Time waited) override {
    step(t, a, +1);
    waits[a] += waited;
    ++starts[a];
  }
  void on_service_end(Time t, AgencyId a, const Case&, Time) override { step(t, a, -1); }
  double busy_time_at(AgencyId a, Time now) const { return busy_time[a] + busy[a] * (now - last[a]); }
  std::size_t inside_from(std::size_t k) const {
    std::size_t n = 0;
    for (const auto& [serial, country] : inside) n += country == k;
    return n;
  }
};

}  // namespace

TEST_CASE("Countries: a regional scenario gets one entry per country in the order of Scenario::countries") {
  CountriesFixture f;
  REQUIRE(f.s.by_country());
  REQUIRE(f.s.countries == std::vector<std::string>{"AA", "BB", "CC"});
  Simulation sim(f.s, f.g, 17);
  sim.advance_to(20);
  const Snapshot snap = take_snapshot(sim);
  REQUIRE(snap.countries.size() == 3);
  CHECK(snap.countries[kAA].code == "AA");
  CHECK(snap.countries[kBB].code == "BB");
  CHECK(snap.countries[kCC].code == "CC");
  // The hotline has no `country`: it counts in the home country, as in refsim run's results.
  CHECK(snap.countries[kAA].agencies == 2);
  CHECK(snap.countries[kBB].agencies == 2);
  CHECK(snap.countries[kCC].agencies == 1);
  CHECK(snap.countries[kAA].limited);
  CHECK(snap.countries[kBB].limited);
  // CC has no agency with a capacity limit: no staff, and utilization does not apply.
  CHECK_FALSE(snap.countries[kCC].limited);
  CHECK(snap.countries[kCC].staffed == 0);
  CHECK(std::isnan(snap.countries[kCC].utilization));
}

TEST_CASE("Countries: a scenario with one country or none has no block per country") {
  const char* one = R"(
[scenario]
name = "one"
country = "NA"
[run]
horizon = "30d"
[[agency]]
id = "a"
country = "NA"
servers = 1
service = "1d"
[[source]]
id = "s"
to = "a"
rate = 1
)";
  const char* none = R"(
[scenario]
name = "none"
[run]
horizon = "30d"
[[agency]]
id = "a"
servers = 1
service = "1d"
[[source]]
id = "s"
to = "a"
rate = 1
)";
  for (const char* text : {one, none}) {
    CountriesFixture f(text);
    CHECK_FALSE(f.s.by_country());
    Simulation sim(f.s, f.g, 1);
    sim.advance_to(10);
    CHECK(take_snapshot(sim).countries.empty());
  }
}

TEST_CASE("Countries: the sums over a country's agencies equal the per-agency figures and the engine's") {
  CountriesFixture f;
  Simulation sim(f.s, f.g, 17);
  bool queued = false;
  for (Time t : {0.25, 3.0, 17.5, 60.0, 140.0}) {
    sim.advance_to(t);
    const Snapshot snap = take_snapshot(sim);
    const Engine& e = sim.engine();
    std::vector<CountryNow> want(f.s.countries.size());
    for (AgencyId a = 0; a < f.s.agencies.size(); ++a) {
      CountryNow& w = want[f.s.entry_country_index(a)];
      const AgencyNow& n = snap.agencies[a];
      CHECK(n.waiting == e.queue_length(a));
      CHECK(n.busy == e.busy(a));
      ++w.agencies;
      w.waiting += e.queue_length(a);
      w.in_service += e.busy(a);
      w.held += n.held;
      if (f.s.agencies[a].unlimited) continue;
      w.busy += e.busy(a);
      w.staffed += e.servers(a);
    }
    std::size_t waiting = 0, in_service = 0;
    for (std::size_t k = 0; k < want.size(); ++k) {
      INFO("t = " << t << ", country " << f.s.countries[k]);
      const CountryNow& got = snap.countries[k];
      CHECK(got.agencies == want[k].agencies);
      CHECK(got.waiting == want[k].waiting);
      CHECK(got.in_service == want[k].in_service);
      CHECK(got.held == want[k].held);
      CHECK(got.busy == want[k].busy);
      CHECK(got.staffed == want[k].staffed);
      waiting += got.waiting;
      in_service += got.in_service;
    }
    // And the countries together are the whole mechanism, as the panel's NOW shows it.
    CHECK(waiting == snap.indicators.waiting);
    CHECK(in_service == snap.indicators.in_service);
    queued = queued || snap.countries[kAA].waiting > 0;
  }
  CHECK(queued);  // the test saw screening's queue, not only empty agencies
}

TEST_CASE("Countries: persons by country of entry add up to the persons in the mechanism") {
  CountriesFixture f;
  Simulation sim(f.s, f.g, 17);
  // The same replication again, counted by an independent observer.
  Engine e(f.s, f.g, 17, 0);
  CountryTally tally(f.s);
  e.add_observer(tally);
  bool two_tracks = false;
  for (Time t : {0.5, 4.0, 30.25, 90.0, 200.0}) {
    sim.advance_to(t);
    e.run_until(t);
    const Snapshot snap = take_snapshot(sim);
    std::size_t sum = 0;
    for (std::size_t k = 0; k < snap.countries.size(); ++k) {
      INFO("t = " << t << ", country " << f.s.countries[k]);
      CHECK(snap.countries[k].entered_here == tally.inside_from(k));
      sum += snap.countries[k].entered_here;
    }
    CHECK(sum == sim.engine().cases_in_system());
    CHECK(sum == snap.indicators.in_system);
    // Callers entered in AA; BB has no source: nobody entered there, though many are there now.
    CHECK(snap.countries[kBB].entered_here == 0);
    CHECK(snap.countries[kAA].entered_here > 0);
    CHECK(snap.countries[kCC].entered_here > 0);
    // A caller on two tracks (AA's screening and BB's police) is one person, counted once.
    two_tracks = two_tracks || snap.countries[kAA].entered_here < snap.countries[kAA].in_service +
                                                                      snap.countries[kAA].waiting +
                                                                      snap.countries[kBB].in_service;
  }
  CHECK(tally.inside.size() == sim.engine().cases_in_system());
  CHECK(two_tracks);
}

TEST_CASE("Countries: utilization and mean wait so far are the sums over their agencies since day 0") {
  CountriesFixture f;
  const Time t = 75.5;
  Simulation sim(f.s, f.g, 17);
  sim.advance_to(t);
  const Snapshot snap = take_snapshot(sim);
  Engine e(f.s, f.g, 17, 0);
  CountryTally tally(f.s);
  e.add_observer(tally);
  e.run_until(t);

  for (AgencyId a = 0; a < f.s.agencies.size(); ++a) {
    INFO("agency " << f.s.agencies[a].id);
    CHECK(sim.live().service_starts(a) == tally.starts[a]);
    CHECK(sim.live().wait_total(a) == Approx(tally.waits[a]));
    if (f.s.agencies[a].unlimited) {
      CHECK(sim.live().busy_time(a, t) == 0);
      CHECK(sim.live().staffed_time(a, t) == 0);
    } else {
      // No change and busy <= servers all along: staffed = the servers, from day 0.
      CHECK(sim.live().busy_time(a, t) == Approx(tally.busy_time_at(a, t)));
      CHECK(sim.live().staffed_time(a, t) == Approx(f.s.agencies[a].servers * t));
    }
  }
  // AA: screening's utilization so far (the hotline has no limit); waits over both agencies' visits.
  const CountryNow& aa = snap.countries[kAA];
  CHECK(aa.utilization == Approx(tally.busy_time_at(kScreening, t) / (2 * t)));
  CHECK(aa.visits == tally.starts[kHotline] + tally.starts[kScreening]);
  CHECK(aa.mean_wait == Approx((tally.waits[kHotline] + tally.waits[kScreening]) / static_cast<double>(aa.visits)));
  CHECK(aa.mean_wait > 0);  // screening queues at times; the hotline never does
  // BB: the shelter's beds only; the police's visits (no wait) count in the mean wait.
  const CountryNow& bb = snap.countries[kBB];
  CHECK(bb.utilization == Approx(tally.busy_time_at(kCountryShelter, t) / (3 * t)));
  CHECK(bb.visits == tally.starts[kCountryShelter] + tally.starts[kPolice]);
  CHECK(bb.mean_wait == Approx(tally.waits[kCountryShelter] / static_cast<double>(bb.visits)));
  // CC: no limit anywhere, so no utilization; its visits never wait.
  const CountryNow& cc = snap.countries[kCC];
  CHECK(std::isnan(cc.utilization));
  CHECK(cc.visits == tally.starts[kBorder]);
  CHECK(cc.mean_wait == 0);
  for (const CountryNow& c : snap.countries) CHECK(c.visits >= kFewVisits);
}

TEST_CASE("Countries: before any visit the mean wait is NaN and utilization counts staffed time from day 0") {
  CountriesFixture f;
  Simulation sim(f.s, f.g, 17);
  Snapshot snap = take_snapshot(sim);
  for (const CountryNow& c : snap.countries) {
    CHECK(c.visits == 0);
    CHECK(std::isnan(c.mean_wait));
    CHECK(std::isnan(c.utilization));  // no staffed time yet at t = 0 (and none ever in CC)
    CHECK(c.entered_here == 0);
  }
  sim.advance_to(1e-3);
  snap = take_snapshot(sim);
  CHECK(snap.countries[kBB].utilization == 0);  // staffed, nobody there yet
}

TEST_CASE("Countries: a change of staff counts in staffed time from when it took effect") {
  CountriesFixture f;
  Simulation sim(f.s, f.g, 17);
  sim.advance_to(10);
  const double busy10 = sim.live().busy_time(kScreening, 10);
  CHECK(sim.live().staffed_time(kScreening, 10) == Approx(2 * 10.0));
  REQUIRE_FALSE(facilitate(sim, cmd::ChangeCapacity{+3, kScreening}));
  sim.advance_to(30);
  CHECK(sim.live().staffed_time(kScreening, 30) == Approx(2 * 10.0 + 5 * 20.0));
  CHECK(sim.live().busy_time(kScreening, 30) >= busy10);
  Snapshot snap = take_snapshot(sim);
  CHECK(snap.countries[kAA].staffed == 5);
  CHECK(snap.countries[kAA].utilization ==
        Approx(sim.live().busy_time(kScreening, 30) / sim.live().staffed_time(kScreening, 30)));
  // A cut below the busy ones: staffed is the busy ones while they finish (utilization <= 1).
  REQUIRE_FALSE(facilitate(sim, cmd::ChangeCapacity{-5, kScreening}));
  sim.advance_to(31);
  snap = take_snapshot(sim);
  CHECK(snap.countries[kAA].staffed == 0);
  CHECK(snap.countries[kAA].utilization <= 1);
  CHECK(sim.live().busy_time(kScreening, 31) <= sim.live().staffed_time(kScreening, 31));
}

TEST_CASE("Countries: the figures per country do not depend on how time was advanced") {
  CountriesFixture f;
  Simulation one(f.s, f.g, 23), many(f.s, f.g, 23);
  one.advance_to(50.5);
  for (int i = 1; i <= 505; ++i) many.advance_to(i * 0.1);
  many.advance_to(50.5);
  const Snapshot a = take_snapshot(one), b = take_snapshot(many);
  REQUIRE(a.countries.size() == b.countries.size());
  for (std::size_t k = 0; k < a.countries.size(); ++k) {
    CHECK(a.countries[k].entered_here == b.countries[k].entered_here);
    CHECK(a.countries[k].waiting == b.countries[k].waiting);
    CHECK(a.countries[k].busy == b.countries[k].busy);
    CHECK(a.countries[k].visits == b.countries[k].visits);
    CHECK(a.countries[k].mean_wait == Approx(b.countries[k].mean_wait));
    if (!std::isnan(a.countries[k].utilization))
      CHECK(a.countries[k].utilization == Approx(b.countries[k].utilization));
  }
}

TEST_CASE("Countries: all are listed when they fit and otherwise the busiest and a row for the others") {
  std::vector<CountryNow> cs(5);
  const std::size_t busy[] = {3, 10, 0, 10, 7};
  const std::size_t entered[] = {0, 1, 9, 5, 0};
  for (std::size_t k = 0; k < cs.size(); ++k) {
    cs[k].waiting = busy[k];
    cs[k].entered_here = entered[k];
  }
  CHECK(countries_listed(cs, 5) == std::vector<std::size_t>{0, 1, 2, 3, 4});
  CHECK(countries_listed(cs, 8) == std::vector<std::size_t>{0, 1, 2, 3, 4});
  // Four rows: three countries and "+2 more". 1 and 3 tie on cases; 3 has entered more.
  CHECK(countries_listed(cs, 4) == std::vector<std::size_t>{1, 3, 4});
  CHECK(countries_listed(cs, 3) == std::vector<std::size_t>{1, 3});
  CHECK(countries_listed(cs, 2) == std::vector<std::size_t>{3});
  // Waiting and in service count alike; on a full tie, the first in Scenario::countries.
  for (CountryNow& c : cs) c = CountryNow{};
  cs[4].in_service = 2;
  cs[2].waiting = 2;
  CHECK(countries_listed(cs, 3) == std::vector<std::size_t>{2, 4});
  cs[2].waiting = 0;
  CHECK(countries_listed(cs, 3) == std::vector<std::size_t>{0, 4});
}

TEST_CASE("Colour: countries get distinct colours that repeat after kCountryColours") {
  std::set<std::tuple<int, int, int>> seen;
  for (std::size_t k = 0; k < kCountryColours; ++k) {
    const Rgb c = country_colour(k);
    seen.emplace(c.r, c.g, c.b);
    CHECK_FALSE(c == kNoUtilization);
    CHECK_FALSE(c == case_colour(CaseLook{AgeGroup::child}));
    CHECK_FALSE(c == case_colour(CaseLook{AgeGroup::adult}));
  }
  CHECK(seen.size() == kCountryColours);
  CHECK(country_colour(kCountryColours) == country_colour(0));
  CHECK(country_colour(kCountryColours + 3) == country_colour(3));
}
