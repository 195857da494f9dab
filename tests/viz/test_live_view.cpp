// viz model: LiveView (the visualiser's observer), Simulation (driver), Snapshot and colours.
#include <catch2/catch.hpp>
#include <cmath>
#include <map>

#include "sim/engine/engine.hpp"

#include "sim/scenario/loader.hpp"
#include "viz/colour.hpp"
#include "viz/snapshot.hpp"

using namespace refsim;
using namespace refsim::viz;

namespace {

const char* kSaturated = R"(
[scenario]
name = "saturated"
[run]
horizon = "1y"
seed = 3
[[agency]]
id = "overloaded"
servers = 2
service = "1d"
[[agency]]
id = "steady"
servers = 2
service = "1d"
[[agency]]
id = "idle"
servers = 3
service = "1d"
[[source]]
id = "walk_ins"
to = "overloaded"
rate = 5
[[referral]]
from = "overloaded"
to = "steady"
probability = 0.5
delay = { dist = "exponential", mean = "2d" }
)";

// Half the people are children. Children go to child protection after exactly 24 h in transfer
// (10 % of these referrals are lost), adults to the NGO after 12 h if they consent (half do).
// Deadlines, with the agency charged for a breach:
//   child_24h       always breached (1 h intake + 24 h transfer), in transfer from intake;
//   child_2d        always met;
//   anyone_14h      met by adults who consent (13 h), breached by children in transfer from intake;
//   cp_to_ngo_1h    always breached, in service at child protection (children never reach the NGO).
const char* kRules = R"(
[scenario]
name = "rules"
country = "NA"
[run]
horizon = "200d"
seed = 7
[[profile]]
id = "mixed"
child = 0.5
[[agency]]
id = "intake"
servers = "unlimited"
service = "1h"
[[agency]]
id = "child_protection"
servers = "unlimited"
service = "2h"
[[agency]]
id = "ngo"
servers = "unlimited"
service = "3h"
[[source]]
id = "s"
to = "intake"
rate = 5
profile = "mixed"
[[referral]]
from = "intake"
to = "child_protection"
probability = 1
when = "child"
delay = "24h"
loss = 0.1
[[referral]]
from = "intake"
to = "ngo"
probability = 1
when = "adult"
delay = "12h"
consent = 0.5
[[deadline]]
id = "child_24h"
from = "entered"
to = "arrival:child_protection"
within = "24h"
when = "child"
[[deadline]]
id = "child_2d"
from = "entered"
to = "arrival:child_protection"
within = "2d"
when = "child"
[[deadline]]
id = "anyone_14h"
from = "entered"
to = "arrival:ngo"
within = "14h"
[[deadline]]
id = "cp_to_ngo_1h"
from = "arrival:child_protection"
to = "arrival:ngo"
within = "1h"
when = "child"
)";

// Screening (no limit, 2 h) decides presumed, the authority (2 case workers, exactly 1 day each)
// decides identified, each with a positive rate of 0.5; 3 arrivals a day overload the authority,
// so its backlog grows. The shelter decides nothing and is not part of the backlog.
const char* kDecisions = R"(
[scenario]
name = "decisions"
[run]
horizon = "100d"
seed = 5
[[agency]]
id = "screening"
servers = "unlimited"
service = "2h"
decision = { sets = "presumed", positive_rate = 0.5 }
[[agency]]
id = "authority"
servers = 2
service = "1d"
decision = { sets = "identified", positive_rate = 0.5 }
[[agency]]
id = "shelter"
servers = 1
service = "3d"
[[source]]
id = "s"
to = "screening"
rate = 3
[[referral]]
from = "screening"
to = "authority"
probability = 1
delay = "1h"
[[referral]]
from = "authority"
to = "shelter"
probability = 1
delay = "1h"
)";

// The richer mechanism: screening decides reasonable grounds (positive 0.8) and sends everyone to
// the shelter (2 beds, 10-day stays; full → overflow to the annex, 1 bed, full → turn away) and
// those with positive grounds to the conclusive-grounds desk, which works Mon–Fri 09–17 and may
// not serve anyone before 5 days after the positive decision (they are held), with a withdrawal
// of 0.3 at the end of its service. 3 arrivals a day fill the beds at once.
const char* kResidential = R"(
[scenario]
name = "residential"
[run]
horizon = "60d"
seed = 4
[[agency]]
id = "screening"
servers = "unlimited"
service = "2h"
decision = { sets = "reasonable_grounds", positive_rate = 0.8 }
[[agency]]
id = "shelter"
kind = "ngo"
beds = 2
service = "10d"
when_full = "overflow:annex"
[[agency]]
id = "annex"
beds = 1
service = "10d"
when_full = "turn_away"
[[agency]]
id = "cg"
servers = 1
service = "1h"
hours = { days = "mon-fri", from = "09:00", to = "17:00" }
not_before = { after = "positive:reasonable_grounds", gap = "5d" }
withdrawal = 0.3
stage = "investigation"
[[source]]
id = "s"
to = "screening"
rate = 3
[[referral]]
from = "screening"
to = "shelter"
probability = 1
fork = true
[[referral]]
from = "screening"
to = "cg"
probability = 1
when = "reasonable_grounds"
delay = "1h"
)";

/// Holds, full agencies and withdrawals per agency, counted independently of LiveView.
struct FullTally : Observer {
  std::vector<std::int64_t> held;
  std::vector<std::uint64_t> turned_away, overflowed, withdrawals;
  explicit FullTally(const Scenario& s)
      : held(s.agencies.size()),
        turned_away(s.agencies.size()),
        overflowed(s.agencies.size()),
        withdrawals(s.agencies.size()) {}
  void on_hold(Time, AgencyId a, const Case&, Time) override { ++held[a]; }
  void on_hold_end(Time, AgencyId a, const Case&) override { --held[a]; }
  void on_turned_away(Time, AgencyId a, const Case&) override { ++turned_away[a]; }
  void on_overflow(Time, AgencyId from, AgencyId, const Case&) override { ++overflowed[from]; }
  void on_withdrawal(Time, AgencyId a, const Case&) override { ++withdrawals[a]; }
};

/// Decisions and the cases present at each agency (arrived, service not ended), counted
/// independently of the engine's queues.
struct DecisionTally : Observer {
  std::map<std::uint32_t, LiveView::DecisionTally> on;  // by attribute
  std::vector<LiveView::DecisionTally> by_agency;
  std::map<std::uint32_t, std::vector<Time>> positive_times;
  std::vector<std::int64_t> present;
  explicit DecisionTally(const Scenario& s) : by_agency(s.agencies.size()), present(s.agencies.size()) {}
  void on_arrival(Time, AgencyId a, const Case&) override { ++present[a]; }
  void on_service_end(Time, AgencyId a, const Case&, Time) override { --present[a]; }
  void on_decision(Time t, AgencyId a, const Case&, const Attributes& attributes, std::uint32_t attribute,
                   bool positive) override {
    CHECK(attributes[attribute] == (positive ? 1u : 0u));
    ++(positive ? on[attribute].positive : on[attribute].negative);
    ++(positive ? by_agency[a].positive : by_agency[a].negative);
    if (positive) positive_times[attribute].push_back(t);
  }
};

/// What the engine publishes about deadlines, losses and refusals, counted independently.
struct Tally : Observer {
  std::vector<LiveView::DeadlineTally> deadlines;
  std::vector<std::uint64_t> breaches_at;
  std::vector<Time> breach_times;
  std::uint64_t lost = 0, refused = 0;
  explicit Tally(const Scenario& s) : deadlines(s.deadlines.size()), breaches_at(s.agencies.size()) {}
  void on_referral_lost(Time, ReferralId, const Case&) override { ++lost; }
  void on_consent_refused(Time, ReferralId, const Case&) override { ++refused; }
  void on_deadline(Time t, DeadlineId d, const Case&, DeadlineOutcome outcome, AgencyId agency, Time) override {
    if (outcome == DeadlineOutcome::met) ++deadlines[d].met;
    if (outcome == DeadlineOutcome::left) ++deadlines[d].left;
    if (outcome != DeadlineOutcome::breached) return;
    ++deadlines[d].breached;
    ++breaches_at[agency];
    breach_times.push_back(t);
  }
};

struct LiveFixture {
  explicit LiveFixture(const char* text = kSaturated) : s(load_scenario_text(text, "test.toml")), g(s) {}
  Scenario s;
  ReferralGraph g;
};

}  // namespace

TEST_CASE("LiveView: a saturated agency's utilization tends to 1, an idle one's stays 0") {
  LiveFixture f;
  Simulation sim(f.s, f.g, 3);
  sim.advance_to(60);
  CHECK(sim.live().utilization(0, 60) > 0.999);
  CHECK(sim.live().utilization(1, 60) == Approx(0.5).margin(0.25));
  CHECK(sim.live().utilization(2, 60) == 0);
}

TEST_CASE("LiveView: its queues agree with the engine's, and the oldest wait is in the past") {
  LiveFixture f;
  Simulation sim(f.s, f.g, 3);
  for (Time t : {0.5, 3.0, 17.25, 60.0}) {
    sim.advance_to(t);
    for (AgencyId a = 0; a < 3; ++a) {
      INFO("t = " << t << ", agency " << a);
      CHECK(sim.live().waiting(a) == sim.engine().queue_length(a));
      if (const auto since = sim.live().oldest_waiting_since(a)) CHECK(*since <= t);
    }
  }
  // 5 arrivals a day for 2 a day of capacity: about 3 × 60 waiting.
  CHECK(sim.engine().queue_length(0) > 120);
  CHECK(*sim.live().oldest_waiting_since(0) < 60 - 20);
}

TEST_CASE("LiveView: recent referral and exit rates approach the long-run flows") {
  LiveFixture f;
  Simulation sim(f.s, f.g, 3, /*window=*/60);
  sim.advance_to(300);
  // `overloaded` completes 2 a day; half are referred to `steady`, the rest leave at once, and
  // `steady` sends everyone out: 2 a day leave the mechanism.
  CHECK(sim.live().referral_rate(0, 300) == Approx(1.0).epsilon(0.3));
  CHECK(sim.live().exit_rate(300) == Approx(2.0).epsilon(0.3));
  CHECK(sim.live().entry_rate(300) == Approx(5.0).epsilon(0.3));
}

TEST_CASE("Simulation: history and snapshot do not depend on how time was advanced") {
  LiveFixture f;
  Simulation one(f.s, f.g, 11), many(f.s, f.g, 11);
  one.advance_to(45.5);
  for (int i = 1; i <= 455; ++i) many.advance_to(i * 0.1);
  many.advance_to(45.5);
  REQUIRE(one.history().size() == many.history().size());
  for (std::size_t i = 0; i < one.history().size(); ++i) {
    CHECK(one.history()[i].t == many.history()[i].t);
    CHECK(one.history()[i].in_system == many.history()[i].in_system);
    CHECK(one.history()[i].waiting == many.history()[i].waiting);
  }
  const Snapshot a = take_snapshot(one), b = take_snapshot(many);
  CHECK(a.indicators.in_system == b.indicators.in_system);
  CHECK(a.moving.size() == b.moving.size());
  CHECK(a.agencies[0].utilization == Approx(b.agencies[0].utilization));
}

TEST_CASE("Simulation: restart begins a new replication at t = 0, the same seed repeats it") {
  LiveFixture f;
  Simulation sim(f.s, f.g, 5);
  sim.advance_to(30);
  const std::size_t at30 = sim.engine().cases_in_system();
  sim.restart(6);
  CHECK(sim.now() == 0);
  CHECK(sim.history().size() == 1);
  CHECK(sim.seed() == 6);
  CHECK(sim.restarts() == 1);
  sim.restart(5);
  sim.advance_to(30);
  CHECK(sim.engine().cases_in_system() == at30);
}

TEST_CASE("Snapshot: cases in transfer are placed on their referral, between its ends") {
  LiveFixture f;
  Simulation sim(f.s, f.g, 9);
  // About two cases in transfer at a time (one a day referred, two days on the way): the first
  // day from day 40 on with some (the test does not depend on the seed's luck at one instant).
  sim.advance_to(40);
  for (Time t = 41; sim.engine().transfers().empty() && t <= 80; ++t) sim.advance_to(t);
  const Snapshot snap = take_snapshot(sim);
  CHECK(snap.moving.size() == sim.engine().transfers().size());
  REQUIRE_FALSE(snap.moving.empty());
  for (const MovingCase& m : snap.moving) {
    CHECK(m.referral == 0);
    CHECK(m.progress >= 0);
    CHECK(m.progress <= 1);
    CHECK(m.look.age == AgeGroup::adult);  // the built-in profile: adults only
  }
  CHECK(snap.indicators.in_transfer == snap.moving.size());
  CHECK(snap.indicators.busiest == AgencyId{0});
  // No decisions in the scenario, drop-outs not modelled: no number is made up.
  CHECK_FALSE(snap.indicators.presumed.has_value());
  CHECK_FALSE(snap.indicators.reasonable_grounds.has_value());
  CHECK_FALSE(snap.indicators.identified.has_value());
  CHECK_FALSE(snap.indicators.backlog.has_value());
  CHECK_FALSE(snap.indicators.dropouts.has_value());
  CHECK_FALSE(snap.agencies[0].decides);
  CHECK(std::isnan(sim.history().back().backlog));
  CHECK_FALSE(snap.indicators.deadline_breaches.has_value());
  CHECK(snap.breaches.empty());
}

TEST_CASE("Snapshot: bottlenecks rank by waiting × utilization, then longest wait, then id") {
  std::vector<AgencyNow> a(5);
  a[0].waiting = 0;  // nobody waiting: never a bottleneck
  a[1].waiting = 10, a[1].utilization = 0.5, a[1].bottleneck_score = 5, a[1].oldest_wait = 1;
  a[2].waiting = 4, a[2].utilization = 1.0, a[2].bottleneck_score = 4, a[2].oldest_wait = 9;
  a[3].waiting = 5, a[3].utilization = 1.0, a[3].bottleneck_score = 5, a[3].oldest_wait = 2;
  a[4].waiting = 5, a[4].utilization = 1.0, a[4].bottleneck_score = 5, a[4].oldest_wait = 2;
  CHECK(rank_bottlenecks(a, 10) == std::vector<AgencyId>{3, 4, 1, 2});
  CHECK(rank_bottlenecks(a, 2) == std::vector<AgencyId>{3, 4});
}

TEST_CASE("Snapshot: a child in transfer has the child colour, an adult the adult colour") {
  LiveFixture f(kRules);
  Simulation sim(f.s, f.g, 7);
  std::size_t children = 0, adults = 0;
  // About 5 × 0.5 × 0.9 × 1 d of children and 5 × 0.5 × 0.5 × 0.5 d of adults in transfer at a
  // time: snapshots every half day from day 20.5 until both have been seen (at most 40).
  for (Time t = 20.5; (children == 0 || adults == 0) && t < 40.5; t += 0.5) {
    sim.advance_to(t);
    const Snapshot snap = take_snapshot(sim);
    for (const MovingCase& m : snap.moving) {
      // Only children are referred to child protection (referral 0), only adults to the NGO.
      INFO("referral " << m.referral);
      CHECK(case_colour(m.look) == case_colour({m.referral == 0 ? AgeGroup::child : AgeGroup::adult}));
      (m.referral == 0 ? children : adults)++;
    }
  }
  CHECK(children > 0);
  CHECK(adults > 0);
}

TEST_CASE("Snapshot: a deadline breach flashes at the agency held responsible, compliance is met / settled") {
  LiveFixture f(kRules);
  const Time t = 20.5;
  Simulation sim(f.s, f.g, 7);
  sim.advance_to(t);
  const Snapshot snap = take_snapshot(sim);
  // The same replication again, counted by an independent observer.
  Engine e(f.s, f.g, 7, 0);
  Tally tally(f.s);
  e.add_observer(tally);
  e.run_until(t);

  REQUIRE(snap.deadlines.size() == 4);
  for (DeadlineId d = 0; d < 4; ++d) {
    INFO("deadline " << f.s.deadlines[d].id);
    CHECK(snap.deadlines[d].met == tally.deadlines[d].met);
    CHECK(snap.deadlines[d].breached == tally.deadlines[d].breached);
    CHECK(snap.deadlines[d].left == tally.deadlines[d].left);
  }
  const auto& child_24h = snap.deadlines[0];
  CHECK(child_24h.met == 0);
  CHECK(child_24h.breached > 20);
  CHECK(child_24h.left > 0);  // lost referrals: the child left before the limit
  CHECK(child_24h.compliance == 0);
  const auto& child_2d = snap.deadlines[1];
  CHECK(child_2d.met > 20);
  CHECK(child_2d.breached == 0);
  CHECK(child_2d.compliance == 1);
  const auto& anyone = snap.deadlines[2];
  REQUIRE(anyone.met > 0);
  REQUIRE(anyone.breached > 0);
  CHECK(anyone.compliance ==
        Approx(static_cast<double>(anyone.met) / static_cast<double>(anyone.met + anyone.breached)));
  CHECK(anyone.compliance == Approx(0.25 / (0.25 + 0.45)).margin(0.12));  // consenting adults / them + children
  CHECK(snap.deadlines[3].breached > 20);
  CHECK(snap.deadlines[3].compliance == 0);

  // Breaches in transfer are charged to intake (0), in service to child protection (1); none to the NGO.
  for (AgencyId a = 0; a < 3; ++a) CHECK(snap.agencies[a].breaches == tally.breaches_at[a]);
  CHECK(tally.breaches_at[0] == child_24h.breached + anyone.breached);
  CHECK(tally.breaches_at[1] == snap.deadlines[3].breached);
  CHECK(tally.breaches_at[2] == 0);
  CHECK(snap.agencies[2].breaches_recent == 0);
  REQUIRE(snap.breaches.size() == 2);  // one flash per agency with a breach in the last kBreachFlashDays
  CHECK(snap.breaches[0].agency == AgencyId{0});
  CHECK(snap.breaches[1].agency == AgencyId{1});
  for (const BreachFlash& b : snap.breaches) {
    CHECK(b.age_days >= 0);
    CHECK(b.age_days < kBreachFlashDays);
  }
  CHECK(snap.breaches[0].age_days == Approx(t - tally.breach_times.back()).margin(1.0));

  // Recent = the fading sum of breaches, e^(-age / window) each, over the window's weight so far.
  double faded = 0;
  for (Time bt : tally.breach_times) faded += std::exp(-(t - bt) / snap.window);
  REQUIRE(snap.indicators.deadline_breaches.has_value());
  CHECK(*snap.indicators.deadline_breaches == Approx(faded / -std::expm1(-t / snap.window)));
  CHECK(snap.agencies[0].breaches_recent + snap.agencies[1].breaches_recent ==
        Approx(*snap.indicators.deadline_breaches));

  CHECK(sim.live().lost() == tally.lost);
  CHECK(sim.live().refused() == tally.refused);
  CHECK(tally.lost > 0);
  CHECK(tally.refused > 0);
  CHECK(snap.indicators.lost_referrals > 0);
  CHECK(snap.indicators.consent_refused > 0);
}

TEST_CASE("Snapshot: identified, presumed and the backlog awaiting a decision match an independent count") {
  LiveFixture f(kDecisions);
  const Time t = 30.5;
  Simulation sim(f.s, f.g, 5);
  sim.advance_to(t);
  const Snapshot snap = take_snapshot(sim);
  // The same replication again, counted by an independent observer.
  Engine e(f.s, f.g, 5, 0);
  DecisionTally tally(f.s);
  e.add_observer(tally);
  e.run_until(t);

  const Indicators& ind = snap.indicators;
  CHECK_FALSE(ind.reasonable_grounds.has_value());  // nobody decides it
  CHECK_FALSE(ind.dropouts.has_value());
  for (const auto& [attribute, d] :
       {std::pair{attr::kPresumed, ind.presumed}, std::pair{attr::kIdentified, ind.identified}}) {
    INFO("attribute " << attribute);
    REQUIRE(d.has_value());
    CHECK(d->positive == tally.on[attribute].positive);
    CHECK(d->negative == tally.on[attribute].negative);
    // Positive rate 0.5: about half of each agency's decisions are positive.
    const double all = static_cast<double>(d->positive + d->negative);
    REQUIRE(all > 50);
    CHECK(static_cast<double>(d->positive) / all == Approx(0.5).margin(0.12));
    // Recent per day = the fading sum of positives over the window's weight so far.
    double faded = 0;
    for (Time pt : tally.positive_times[attribute]) faded += std::exp(-(t - pt) / snap.window);
    CHECK(d->positive_per_day == Approx(faded / (snap.window * -std::expm1(-t / snap.window))));
  }
  // The authority serves 2 a day, exactly: about 60 decided by day 30.5, the rest of ~90 in its backlog.
  CHECK(ind.identified->positive + ind.identified->negative == Approx(60).margin(2));
  REQUIRE(ind.backlog.has_value());
  CHECK(static_cast<std::int64_t>(*ind.backlog) == tally.present[1]);
  CHECK(*ind.backlog > 10);
  CHECK(sim.sample_now().backlog == static_cast<double>(*ind.backlog));
  for (const Sample& smp : sim.history()) CHECK_FALSE(std::isnan(smp.backlog));
  CHECK(sim.history().back().backlog > 0);

  // The inspector's figures per agency; the shelter decides nothing.
  for (AgencyId a = 0; a < 2; ++a) {
    INFO("agency " << f.s.agencies[a].id);
    const AgencyNow& n = snap.agencies[a];
    CHECK(n.decides);
    CHECK(n.positive == tally.by_agency[a].positive);
    CHECK(n.negative == tally.by_agency[a].negative);
    CHECK(n.share_positive == Approx(static_cast<double>(n.positive) / static_cast<double>(n.positive + n.negative)));
  }
  CHECK_FALSE(snap.agencies[2].decides);
  CHECK(snap.agencies[2].positive + snap.agencies[2].negative == 0);
}

TEST_CASE("Snapshot: no deadline breach flashes before one happens") {
  LiveFixture f(kRules);
  Simulation sim(f.s, f.g, 7);
  sim.advance_to(0.5);  // the first breach comes 14 h after the first child enters
  const Snapshot snap = take_snapshot(sim);
  CHECK(snap.breaches.empty());
  CHECK(*snap.indicators.deadline_breaches == 0);
  CHECK(std::isnan(snap.deadlines[0].compliance));
}

TEST_CASE("Colour: the utilization scale runs from its first stop to its last, clamped, NaN is grey") {
  const auto stops = utilization_stops();
  CHECK(utilization_colour(0) == stops.front().colour);
  CHECK(utilization_colour(-1) == stops.front().colour);
  CHECK(utilization_colour(1) == stops.back().colour);
  CHECK(utilization_colour(7) == stops.back().colour);
  CHECK(utilization_colour(std::nan("")) == kNoUtilization);
  for (const ScaleStop& s : stops) CHECK(utilization_colour(s.at) == s.colour);
  // The saturated end is red, the idle end blue.
  CHECK(stops.back().colour.r > 2 * stops.back().colour.b);
  CHECK(stops.front().colour.b > 2 * stops.front().colour.r);
}

TEST_CASE("Colour: case dots are coloured by profile, children apart from adults") {
  const Rgb child = case_colour({AgeGroup::child}), adult = case_colour({AgeGroup::adult});
  const Rgb unknown = case_colour({AgeGroup::unknown});
  CHECK_FALSE(child == adult);
  CHECK_FALSE(child == unknown);
  CHECK_FALSE(adult == unknown);
}

TEST_CASE("Snapshot: held, turned away, sent on and withdrawals per agency match an independent count") {
  LiveFixture f(kResidential);
  Simulation sim(f.s, f.g, 4);
  Engine e(f.s, f.g, 4, 0);
  FullTally tally(f.s);
  e.add_observer(tally);
  std::int64_t most_held = 0;
  // Saturday noon (closed), Monday 12:00 (open), Wednesday 20:00 (closed), Friday 10:30 (open), …
  for (Time t : {5.5, 7.5, 9.0 + 20.0 / 24, 11.4375, 19.0, 30.25, 47.6}) {
    sim.advance_to(t);
    e.run_until(t);
    const Snapshot snap = take_snapshot(sim);
    for (AgencyId a = 0; a < f.s.agencies.size(); ++a) {
      INFO("t = " << t << ", agency " << f.s.agencies[a].id);
      const AgencyNow& n = snap.agencies[a];
      CHECK(static_cast<std::int64_t>(n.held) == tally.held[a]);
      CHECK(n.turned_away == tally.turned_away[a]);
      CHECK(n.overflowed == tally.overflowed[a]);
      CHECK(n.withdrawals == tally.withdrawals[a]);
      CHECK(sim.live().waiting(a) == sim.engine().queue_length(a));  // held cases are not queued
    }
    most_held = std::max(most_held, tally.held[3]);
    REQUIRE(snap.indicators.held.has_value());
    CHECK(static_cast<std::int64_t>(*snap.indicators.held) == tally.held[3]);
    // Open only Monday to Friday, 09:00 to 17:00 (t = 0 is Monday 00:00).
    const double day = std::fmod(t, 7.0), hour = std::fmod(t, 1.0) * 24;
    CHECK(snap.agencies[3].open == (day < 5 && hour >= 9 && hour < 17));
    for (AgencyId a = 0; a < 3; ++a) CHECK(snap.agencies[a].open);  // no hours: always open
  }
  const Snapshot snap = take_snapshot(sim);
  CHECK(snap.agencies[1].residential);
  CHECK(snap.agencies[2].residential);
  CHECK_FALSE(snap.agencies[3].residential);
  CHECK(snap.agencies[1].servers == 2);
  // Beds full from the first days on: the shelter sends people on, the annex turns them away;
  // about 2.4 a day are held for 5 days at the desk, and about 30 % of those served withdraw.
  CHECK(snap.agencies[1].overflowed > 20);
  CHECK(snap.agencies[2].turned_away > 20);
  CHECK(snap.agencies[1].turned_away == 0);
  CHECK(snap.agencies[2].overflowed == 0);
  CHECK(most_held > 5);
  CHECK(snap.agencies[3].withdrawals > 10);
}
