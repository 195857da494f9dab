// Results that cannot drift unnoticed: every library scenario and the benchmark scenario, one
// replication each, pinned to an event-trace fingerprint (tests/fingerprint.hpp) and an event count.
//
// Any change to the model, the random streams, the distributions or the event order changes a
// fingerprint. That is the point: a change that alters results must update the stored constant
// here on purpose, with the reason in its commit message. A change meant to leave results alone
// (a refactoring, a faster calendar, a new observer) must leave every constant as it is.
//
// Each replication runs as run_replication runs it (sim/experiment/runner.cpp): replication 0,
// the scenario's own seed, the statistics subscribed, over the scenario's horizon.
#include <catch2/catch.hpp>

#include <cinttypes>
#include <cstdio>
#include <string>

#include "fingerprint.hpp"
#include "sim/experiment/replication.hpp"
#include "support.hpp"

using namespace refsim;

namespace {

struct Trace {
  std::uint64_t fingerprint = 0;
  std::uint64_t events = 0;  ///< Engine::events_processed
  std::uint64_t hooks = 0;   ///< hooks heard (not stored: for the checks of the fingerprint itself)
};

Scenario library(const std::string& relative) { return load_scenario(std::string(REFSIM_SOURCE_DIR) + "/" + relative); }

/// Replication 0 of `s` with its own seed, as run_replication drives it.
Trace trace_of(const Scenario& s) {
  const ReferralGraph g(s);
  test::Fingerprint fp;
  ReplicationEngine engine(s, g, s.run.seed, 0);
  StatisticsCollector stats(engine);
  engine.set_sink(stats);
  engine.add_observer(fp);
  engine.run_until(s.run.horizon);
  return {fp.value(), engine.events_processed(), fp.hooks()};
}

std::string hex(std::uint64_t v) {
  char buf[24];
  std::snprintf(buf, sizeof buf, "0x%016" PRIX64, v);
  return buf;
}

/// As written in the constants below: "{0x…, events}".
std::string constant(const Trace& t) { return "{" + hex(t.fingerprint) + ", " + std::to_string(t.events) + "}"; }

void check_unchanged(const std::string& name, const Scenario& s, Trace stored) {
  const Trace now = trace_of(s);
  INFO(name << " replication 0 (seed " << s.run.seed << ", horizon " << s.run.horizon << " d) now gives "
            << constant(now) << " (fingerprint, events), stored " << constant(stored) << ".\n"
            << "Its results have changed. If that is intended, update its constant in tests/test_fingerprint.cpp "
               "on purpose, to "
            << constant(now) << ", and give the reason in the commit message; if not, find what changed them.");
  CHECK(constant(now) == constant(stored));
}

void check_library(const std::string& name, Trace stored) {
  check_unchanged(name, library("scenarios/" + name + ".toml"), stored);
}

}  // namespace

TEST_CASE("Fingerprint: baseline-nrm replication 0 is unchanged") {
  check_library("baseline-nrm", {0x55EA3122F60E9F15, 40637});
}
TEST_CASE("Fingerprint: eswatini replication 0 is unchanged") { check_library("eswatini", {0x3BD2B95E9EDACB15, 577}); }
TEST_CASE("Fingerprint: ethiopia replication 0 is unchanged") {
  check_library("ethiopia", {0x0BE6EF6EEAFDE8E4, 10095});
}
TEST_CASE("Fingerprint: mexico replication 0 is unchanged") { check_library("mexico", {0x791E3C3E9F85CF79, 19875}); }
TEST_CASE("Fingerprint: morocco replication 0 is unchanged") { check_library("morocco", {0x23DD68A244BE6ACC, 8618}); }
TEST_CASE("Fingerprint: namibia replication 0 is unchanged") { check_library("namibia", {0x10236E2015402D2B, 1352}); }
TEST_CASE("Fingerprint: sea-fisheries replication 0 is unchanged") {
  check_library("sea-fisheries", {0x5892998F2735F0F1, 949682});
}
TEST_CASE("Fingerprint: south-america replication 0 is unchanged") {
  check_library("south-america", {0x5159044D3DE01278, 29495});
}
TEST_CASE("Fingerprint: southern-africa replication 0 is unchanged") {
  check_library("southern-africa", {0x4492CB5CF939FE47, 11172});
}
TEST_CASE("Fingerprint: sri-lanka replication 0 is unchanged") {
  check_library("sri-lanka", {0xD36675C1C1EB1766, 24268});
}
TEST_CASE("Fingerprint: ukraine replication 0 is unchanged") { check_library("ukraine", {0xB7CCC6B91AF6CDB0, 8651}); }

// The fingerprint itself: a change heard is folded in, even one that changes nothing else. No
// library scenario has a [[change]] (yet), so this is where on_parameter_changed is exercised.
TEST_CASE("Fingerprint: a parameter change is folded in, even one that changes nothing else") {
  const Scenario s = library("scenarios/baseline-nrm.toml");
  Scenario same = s;
  ScheduledChange sc;
  sc.at = 400;
  sc.change.index = 0;
  sc.change.servers = s.agencies[0].servers;  // as it was: the run goes on as before
  same.changes.push_back(sc);
  const Trace before = trace_of(s), after = trace_of(same);
  CHECK(after.events == before.events + 1);  // the change's own event
  CHECK(after.hooks == before.hooks + 1);    // on_parameter_changed
  CHECK(after.fingerprint != before.fingerprint);
}

TEST_CASE("Fingerprint: queueing-40 benchmark replication 0 is unchanged") {
  check_unchanged("queueing-40", library("bench/scenarios/queueing-40.toml"), {0x6EAC6C3E1D3BDCC0, 3704615});
}
