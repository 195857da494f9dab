// Results that cannot drift unnoticed: every library scenario and the benchmark scenario, one
// replication each, pinned to an event-trace fingerprint (tests/fingerprint.hpp) and an event count.
//
// Any change to the model, the random streams, the distributions or the event order changes a
// fingerprint. That is the point: a change that alters results must update the stored constant
// here on purpose, with the reason in its commit message. A change meant to leave results alone
// (a refactoring, a faster calendar, a new observer) must leave every constant as it is. A new
// Observer hook that every run publishes changes every fingerprint without changing results: fold
// it into tests/fingerprint.hpp and update the constants in the same commit, showing that the event
// counts stayed the same and that the old fingerprints still held just before.
//
// Each replication runs as run_replication runs it (sim/experiment/runner.cpp): replication 0,
// the scenario's own seed, the statistics as the engine's sink, to end_run at the horizon and its follow-up.
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
  engine.end_run(s.run.horizon, s.run.follow_up);
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
  check_library("baseline-nrm", {0xE63F455421EFC654, 64635});
}
TEST_CASE("Fingerprint: eswatini replication 0 is unchanged") { check_library("eswatini", {0x475AA027FACD9CFB, 741}); }
TEST_CASE("Fingerprint: ethiopia replication 0 is unchanged") {
  check_library("ethiopia", {0x83CD93EB5889E876, 12913});
}
TEST_CASE("Fingerprint: mexico replication 0 is unchanged") { check_library("mexico", {0xA24DF518DB44F434, 26675}); }
TEST_CASE("Fingerprint: morocco replication 0 is unchanged") { check_library("morocco", {0x4B86985838F6A143, 15104}); }
TEST_CASE("Fingerprint: namibia replication 0 is unchanged") { check_library("namibia", {0x4E54289CBC54F580, 2528}); }
TEST_CASE("Fingerprint: sea-fisheries replication 0 is unchanged") {
  check_library("sea-fisheries", {0xB18D96BA72F23BFA, 985873});
}
TEST_CASE("Fingerprint: south-america replication 0 is unchanged") {
  check_library("south-america", {0x378647BF2A2AC65A, 36264});
}
TEST_CASE("Fingerprint: southern-africa replication 0 is unchanged") {
  check_library("southern-africa", {0xB140B1F760B58B92, 18956});
}
TEST_CASE("Fingerprint: sri-lanka replication 0 is unchanged") {
  check_library("sri-lanka", {0x6DA28EF1541B3F44, 30221});
}
TEST_CASE("Fingerprint: uk-nrm replication 0 is unchanged") { check_library("uk-nrm", {0xE4EF9BB20DB2441D, 231359}); }
TEST_CASE("Fingerprint: ukraine replication 0 is unchanged") { check_library("ukraine", {0xC2DEA8715831708C, 8901}); }

// The fingerprint itself: a change heard is folded in, even one that changes nothing else (the
// library's one scenario with [[change]] tables, uk-nrm, folds its changes in with everything else).
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
  check_unchanged("queueing-40", library("bench/scenarios/queueing-40.toml"), {0x6F264A28F53B6C02, 3704329});
}

// A run with scheduled changes, so that the change path (a cut at day 180, the staff back at 270)
// is pinned as well as the hook.
TEST_CASE("Fingerprint: staff_cut replication 0 with its two scheduled changes is unchanged") {
  check_unchanged("staff_cut", library("tests/data/staff_cut.toml"), {0x49F3D8FE6016E82A, 1074});
}
