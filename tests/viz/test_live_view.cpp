// viz model: LiveView (the visualiser's observer), Simulation (driver), Snapshot and colours.
#include <catch2/catch.hpp>
#include <cmath>

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
// (some referrals are lost), adults to the NGO after 12 h if they consent. Deadlines: a child
// reaching child protection within 24 h of entry is always breached (1 h intake + 24 h transfer),
// while in transfer from intake; within 2 days, always met.
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
)";

struct Fixture {
  explicit Fixture(const char* text = kSaturated) : s(load_scenario_text(text, "test.toml")), g(s) {}
  Scenario s;
  ReferralGraph g;
};

}  // namespace

TEST_CASE("LiveView: a saturated agency's utilization tends to 1, an idle one's stays 0") {
  Fixture f;
  Simulation sim(f.s, f.g, 3);
  sim.advance_to(60);
  CHECK(sim.live().utilization(0, 60) > 0.999);
  CHECK(sim.live().utilization(1, 60) == Approx(0.5).margin(0.25));
  CHECK(sim.live().utilization(2, 60) == 0);
}

TEST_CASE("LiveView: its queues agree with the engine's, and the oldest wait is in the past") {
  Fixture f;
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
  Fixture f;
  Simulation sim(f.s, f.g, 3, /*window=*/60);
  sim.advance_to(300);
  // `overloaded` completes 2 a day; half are referred to `steady`, the rest leave at once, and
  // `steady` sends everyone out: 2 a day leave the mechanism.
  CHECK(sim.live().referral_rate(0, 300) == Approx(1.0).epsilon(0.3));
  CHECK(sim.live().exit_rate(300) == Approx(2.0).epsilon(0.3));
  CHECK(sim.live().entry_rate(300) == Approx(5.0).epsilon(0.3));
}

TEST_CASE("Simulation: history and snapshot do not depend on how time was advanced") {
  Fixture f;
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

TEST_CASE("Simulation: restart begins a new replication at t = 0; the same seed repeats it") {
  Fixture f;
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
  Fixture f;
  Simulation sim(f.s, f.g, 9);
  sim.advance_to(40);
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
  // Not modelled yet: no number is made up.
  CHECK_FALSE(snap.indicators.identified.has_value());
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
  Fixture f(kRules);
  Simulation sim(f.s, f.g, 7);
  sim.advance_to(20.5);
  const Snapshot snap = take_snapshot(sim);
  std::size_t children = 0, adults = 0;
  for (const MovingCase& m : snap.moving) {
    // Only children are referred to child protection (referral 0), only adults to the NGO.
    INFO("referral " << m.referral);
    CHECK(case_colour(m.look) == case_colour({m.referral == 0 ? AgeGroup::child : AgeGroup::adult}));
    (m.referral == 0 ? children : adults)++;
  }
  // About 5 × 0.5 × 0.9 × 1 d of children and 5 × 0.5 × 0.5 × 0.5 d of adults in transfer.
  CHECK(children > 0);
  CHECK(adults > 0);
}

TEST_CASE("Colour: the utilization scale runs from its first stop to its last, clamped; NaN is grey") {
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
