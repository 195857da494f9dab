// viz model, the panel's counts under NOW: persons in system against their tracks (waiting, in
// service, held, in transfer), with and without parallel tracks.
#include <catch2/catch.hpp>

#include "sim/scenario/loader.hpp"
#include "viz/snapshot.hpp"

using namespace refsim;
using namespace refsim::viz;

namespace {

// A hotline whose callers go to screening (2 staff, often full) and, on a parallel track, to the
// police (no limit): one person, two tracks while both last. A 2-day hold before the authority.
const char* kForked = R"(
[scenario]
name = "forked"
[run]
horizon = "200d"
seed = 5
[[agency]]
id = "hotline"
servers = "unlimited"
service = "2h"
[[agency]]
id = "screening"
servers = 2
service = { dist = "exponential", mean = "12h" }
[[agency]]
id = "police"
servers = "unlimited"
service = { dist = "exponential", mean = "5d" }
[[agency]]
id = "authority"
servers = 1
service = { dist = "exponential", mean = "8h" }
not_before = { after = "entered", gap = "2d" }
[[source]]
id = "calls"
to = "hotline"
rate = 3
[[referral]]
from = "hotline"
to = "screening"
probability = 1
[[referral]]
from = "hotline"
to = "police"
probability = 1
fork = true
delay = "1d"
[[referral]]
from = "screening"
to = "authority"
probability = 0.5
delay = { dist = "exponential", mean = "1d" }
)";

struct CountsFixture {
  explicit CountsFixture(std::string text) : s(load_scenario_text(text, "counts.toml")), g(s) {}
  Scenario s;
  ReferralGraph g;
};

/// The scenario without its parallel track to the police.
std::string without_fork(std::string t) {
  const std::string fork = "[[referral]]\nfrom = \"hotline\"\nto = \"police\"\nprobability = 1\nfork = true\n";
  t.erase(t.find(fork), fork.size());
  return t;
}

}  // namespace

TEST_CASE("Counts: tracks are the sum of waiting and in service and held and in transfer") {
  CountsFixture f(kForked);
  Simulation sim(f.s, f.g, 5);
  for (double t = 0.5; t <= 60; t += 0.75) {
    sim.advance_to(t);
    const Snapshot snap = take_snapshot(sim);
    const Indicators& ind = snap.indicators;
    INFO("t = " << t);
    CHECK(ind.tracks == ind.waiting + ind.in_service + ind.held_now + ind.in_transfer);
    REQUIRE(ind.held.has_value());
    CHECK(*ind.held == ind.held_now);
    std::size_t busy = 0;
    for (AgencyId a = 0; a < f.s.agencies.size(); ++a) busy += sim.engine().busy(a);
    CHECK(ind.in_service == busy);
  }
}

TEST_CASE("Counts: with parallel tracks in service may exceed persons in system but never tracks") {
  CountsFixture f(kForked);
  Simulation sim(f.s, f.g, 5);
  bool exceeded = false;
  for (double t = 0.5; t <= 60; t += 0.75) {
    sim.advance_to(t);
    const Indicators& ind = take_snapshot(sim).indicators;
    INFO("t = " << t);
    CHECK(ind.parallel_tracks);
    CHECK(ind.in_system == sim.engine().cases_in_system());
    CHECK(ind.in_service <= ind.tracks);
    CHECK(ind.in_system <= ind.tracks);
    exceeded = exceeded || ind.in_service > ind.in_system;
  }
  // The police's five days beside everything else: more tracks in service than persons at times.
  CHECK(exceeded);
}

TEST_CASE("Counts: without a fork every person is one track") {
  CountsFixture f(without_fork(kForked));
  Simulation sim(f.s, f.g, 5);
  for (double t = 0.5; t <= 60; t += 0.75) {
    sim.advance_to(t);
    const Indicators& ind = take_snapshot(sim).indicators;
    INFO("t = " << t);
    CHECK_FALSE(ind.parallel_tracks);
    CHECK(ind.tracks == ind.in_system);
  }
}
