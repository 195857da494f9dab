// viz model and changes to a running mechanism: the facilitator's commands (viz/facilitator.hpp)
// go through Simulation::apply → Engine::apply; the snapshot shows the capacity in force and the
// agencies closed by a change; LiveView's utilization and change log follow the changes heard.
#include <catch2/catch.hpp>
#include <cmath>
#include <string>

#include "sim/engine/engine.hpp"
#include "sim/scenario/loader.hpp"
#include "viz/facilitator.hpp"
#include "viz/snapshot.hpp"

using namespace refsim;
using namespace refsim::viz;

namespace {

// `overloaded`: 2 staff, 1 day each, 5 arrivals a day: a queue that grows by about 3 a day.
// `idle`: 3 staff, nobody comes. `outreach`: no capacity limit. `desk`: 1 staff, Mon–Fri 09–17
// (day 0 is a Monday), nobody comes.
const char* kMechanism = R"(
[scenario]
name = "changes"
[run]
horizon = "1y"
seed = 3
[[agency]]
id = "overloaded"
servers = 2
service = "1d"
[[agency]]
id = "idle"
servers = 3
service = "1d"
[[agency]]
id = "outreach"
servers = "unlimited"
service = "1h"
[[agency]]
id = "shelter"
beds = 1
service = "10d"
[[agency]]
id = "desk"
servers = 1
service = "1h"
hours = { days = "mon-fri", from = "09:00", to = "17:00" }
[[source]]
id = "walk_ins"
to = "overloaded"
rate = 5
)";

constexpr AgencyId kOverloaded = 0, kIdle = 1, kOutreach = 2, kShelter = 3, kDesk = 4;

struct Fixture {
  Fixture() : s(load_scenario_text(kMechanism, "test.toml")), g(s) {}
  Scenario s;
  ReferralGraph g;
};

/// A scenario's [[change]] as the loader builds it: agency `a` gets `servers` at `at`.
ScheduledChange scheduled_servers(Time at, AgencyId a, std::uint32_t servers) {
  ScheduledChange sc;
  sc.at = at;
  sc.change.index = a;
  sc.change.servers = servers;
  sc.change.origin = "[[change]] at " + std::to_string(static_cast<int>(at)) + "d";
  return sc;
}

}  // namespace

TEST_CASE("Facilitator: one staff more shows in the snapshot at once and starts a waiting case now") {
  Fixture f;
  Simulation sim(f.s, f.g, 3);
  sim.advance_to(30.5);  // "paused" here: nothing advances the run while the command is applied
  REQUIRE(sim.engine().queue_length(kOverloaded) > 20);
  REQUIRE(take_snapshot(sim).agencies[kOverloaded].busy == 2);

  CHECK_FALSE(facilitate(sim, cmd::ChangeCapacity{+1, kOverloaded}));
  CHECK(sim.now() == 30.5);
  const Snapshot snap = take_snapshot(sim);
  const AgencyNow& n = snap.agencies[kOverloaded];
  CHECK(n.servers == 3);
  CHECK(n.scenario_servers == 2);
  CHECK(n.busy == 3);  // the longest-waiting case started on the new server, at the current time
  CHECK(sim.engine().servers(kOverloaded) == 3);
  CHECK(sim.engine().parameters().agencies[kOverloaded].servers == 3);
  CHECK(sim.live().servers(kOverloaded) == 3);
  REQUIRE(snap.changes.size() == 1);
  CHECK(snap.changes[0].t == 30.5);
  CHECK(snap.changes[0].text == "overloaded: servers 2 → 3");
  CHECK(snap.changes[0].origin == "refsim-viz");

  // Beds likewise, and removing one: the command is relative to the capacity in force.
  CHECK_FALSE(facilitate(sim, cmd::ChangeCapacity{+1, kShelter}));
  CHECK_FALSE(facilitate(sim, cmd::ChangeCapacity{+1, kShelter}));
  CHECK_FALSE(facilitate(sim, cmd::ChangeCapacity{-1, kShelter}));
  CHECK(take_snapshot(sim).agencies[kShelter].servers == 2);
  CHECK(take_snapshot(sim).changes[0].text == "shelter: beds 3 → 2");
}

TEST_CASE("Facilitator: a cut below the busy staff lets them finish; utilization stays at most 1") {
  Fixture f;
  Simulation sim(f.s, f.g, 3);
  sim.advance_to(30.5);
  CHECK_FALSE(facilitate(sim, cmd::ChangeCapacity{-2, kOverloaded}));
  Snapshot snap = take_snapshot(sim);
  CHECK(snap.agencies[kOverloaded].servers == 0);
  CHECK(snap.agencies[kOverloaded].busy == 2);  // the two in service finish
  sim.advance_to(31.6);
  snap = take_snapshot(sim);
  CHECK(snap.agencies[kOverloaded].busy == 0);
  CHECK(snap.agencies[kOverloaded].utilization <= 1.0);
  // With one staff member back, utilization is measured against 1, not the scenario's 2: the
  // queue keeps that one busy, and utilization climbs back towards 100 %, not 50 %.
  CHECK_FALSE(facilitate(sim, cmd::ChangeCapacity{+1, kOverloaded}));
  sim.advance_to(80);
  CHECK(sim.live().utilization(kOverloaded, 80) > 0.99);
  CHECK(sim.live().utilization(kOverloaded, 80) <= 1.0);
}

TEST_CASE("Facilitator: a closed agency shows closed, starts no service, and reopens") {
  Fixture f;
  Simulation sim(f.s, f.g, 3);
  sim.advance_to(10.5);
  CHECK_FALSE(facilitate(sim, cmd::ToggleOpen{kOverloaded}));
  Snapshot snap = take_snapshot(sim);
  CHECK(snap.agencies[kOverloaded].closed);
  CHECK(snap.agencies[kOverloaded].open);  // no opening hours: "open" says the calendar is
  CHECK_FALSE(sim.engine().is_open(kOverloaded));
  CHECK(snap.changes[0].text == "overloaded: closes");
  const std::size_t waiting = snap.agencies[kOverloaded].waiting;
  sim.advance_to(13);  // the two in service finish; nobody starts; about 5 a day join the queue
  snap = take_snapshot(sim);
  CHECK(snap.agencies[kOverloaded].busy == 0);
  CHECK(snap.agencies[kOverloaded].waiting > waiting + 5);
  for (AgencyId a : {kIdle, kOutreach, kShelter, kDesk}) CHECK_FALSE(snap.agencies[a].closed);

  CHECK_FALSE(facilitate(sim, cmd::ToggleOpen{kOverloaded}));
  snap = take_snapshot(sim);
  CHECK_FALSE(snap.agencies[kOverloaded].closed);
  CHECK(snap.agencies[kOverloaded].busy == 2);
  CHECK(snap.changes[0].text == "overloaded: opens");
}

TEST_CASE("Snapshot: closed by a change is apart from closed outside opening hours") {
  Fixture f;
  Simulation sim(f.s, f.g, 3);
  sim.advance_to(0.5);  // Monday 12:00: the desk is open
  CHECK(take_snapshot(sim).agencies[kDesk].open);
  CHECK_FALSE(take_snapshot(sim).agencies[kDesk].closed);
  sim.advance_to(0.9);  // Monday 21:36: outside its hours, not closed by a change
  CHECK_FALSE(take_snapshot(sim).agencies[kDesk].open);
  CHECK_FALSE(take_snapshot(sim).agencies[kDesk].closed);
  CHECK_FALSE(facilitate(sim, cmd::ToggleOpen{kDesk}));
  CHECK_FALSE(take_snapshot(sim).agencies[kDesk].open);
  CHECK(take_snapshot(sim).agencies[kDesk].closed);
  sim.advance_to(1.5);  // Tuesday 12:00: within its hours, still closed by the change
  CHECK(take_snapshot(sim).agencies[kDesk].open);
  CHECK(take_snapshot(sim).agencies[kDesk].closed);
}

TEST_CASE("Facilitator: a refused command gives the reason and changes nothing") {
  Fixture f;
  Simulation sim(f.s, f.g, 3);
  sim.advance_to(5);
  const Snapshot before = take_snapshot(sim);

  // Below zero staff or beds.
  auto why = facilitate(sim, cmd::ChangeCapacity{-4, kIdle});
  REQUIRE(why);
  CHECK(*why == "agency 'idle': servers must be >= 0, got -1");
  why = facilitate(sim, cmd::ChangeCapacity{-2, kShelter});
  REQUIRE(why);
  CHECK(*why == "agency 'shelter': beds must be >= 0, got -1");
  // An agency without a capacity limit: the engine's own message.
  why = facilitate(sim, cmd::ChangeCapacity{+1, kOutreach});
  REQUIRE(why);
  CHECK(*why == "agency 'outreach': has no capacity limit (servers = \"unlimited\"): its servers cannot change");

  const Snapshot after = take_snapshot(sim);
  CHECK(after.changes_heard == 0);
  CHECK(after.changes.empty());
  for (AgencyId a = 0; a < f.s.agencies.size(); ++a) {
    INFO("agency " << f.s.agencies[a].id);
    CHECK(after.agencies[a].servers == before.agencies[a].servers);
    CHECK(after.agencies[a].busy == before.agencies[a].busy);
    CHECK(after.agencies[a].closed == before.agencies[a].closed);
    CHECK(sim.engine().servers(a) == f.s.agencies[a].servers);
  }
  // Down to exactly zero is a change like any other.
  CHECK_FALSE(facilitate(sim, cmd::ChangeCapacity{-3, kIdle}));
  CHECK(take_snapshot(sim).agencies[kIdle].servers == 0);
}

TEST_CASE(
    "Change log: the scenario's [[change]]s and the facilitator's, newest first; a restart keeps the scenario's") {
  Fixture f;
  f.s.changes.push_back(scheduled_servers(10, kOverloaded, 4));
  f.s.changes.push_back(scheduled_servers(40, kIdle, 1));
  Simulation sim(f.s, f.g, 3);
  sim.advance_to(20.25);
  CHECK(take_snapshot(sim).agencies[kOverloaded].servers == 4);
  CHECK_FALSE(facilitate(sim, cmd::ToggleOpen{kShelter}));
  sim.advance_to(50);
  Snapshot snap = take_snapshot(sim);
  REQUIRE(snap.changes.size() == 3);
  CHECK(snap.changes_heard == 3);
  CHECK(snap.changes[0].t == 40);
  CHECK(snap.changes[0].text == "idle: servers 3 → 1");
  CHECK(snap.changes[0].origin == "[[change]] at 40d");
  CHECK(snap.changes[1].t == 20.25);
  CHECK(snap.changes[1].text == "shelter: closes");
  CHECK(snap.changes[1].origin == "refsim-viz");
  CHECK(snap.changes[2].t == 10);
  CHECK(snap.changes[2].text == "overloaded: servers 2 → 4");
  CHECK(snap.changes[2].origin == "[[change]] at 10d");
  CHECK(snap.agencies[kShelter].closed);

  // A restart is a new replication of the scenario: its own changes apply again, the
  // facilitator's are gone with the old run.
  sim.restart(4);
  CHECK(take_snapshot(sim).changes.empty());
  CHECK(take_snapshot(sim).agencies[kOverloaded].servers == 2);
  sim.advance_to(50);
  snap = take_snapshot(sim);
  REQUIRE(snap.changes.size() == 2);
  CHECK(snap.changes[0].text == "idle: servers 3 → 1");
  CHECK(snap.changes[1].text == "overloaded: servers 2 → 4");
  CHECK_FALSE(snap.agencies[kShelter].closed);
  CHECK(snap.agencies[kOverloaded].servers == 4);
}

TEST_CASE("Change log: keeps the last LiveView::kChangeLog changes, and counts them all") {
  Fixture f;
  Simulation sim(f.s, f.g, 3);
  sim.advance_to(1);
  const int n = static_cast<int>(LiveView::kChangeLog) + 3;
  for (int i = 0; i < n; ++i) REQUIRE_FALSE(facilitate(sim, cmd::ChangeCapacity{+1, kIdle}));
  const Snapshot snap = take_snapshot(sim);
  CHECK(snap.changes_heard == static_cast<std::uint64_t>(n));
  REQUIRE(snap.changes.size() == LiveView::kChangeLog);
  CHECK(snap.changes.front().text == "idle: servers " + std::to_string(3 + n - 1) + " → " + std::to_string(3 + n));
  CHECK(snap.changes.back().text == "idle: servers 6 → 7");
}
