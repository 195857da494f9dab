// refsim-viz's exercise mode, headless: the Simulation directed by an exercise's Director
// (Simulation::direct) holds the run at a decision point and goes on once decided; what it plays
// in many small steps, with the history sampled, a decision and a facilitator's change, is logged
// so that the replay fires every inject at the same instant; the clocks and the time allowed.
#include <unistd.h>
#include <catch2/catch.hpp>
#include <filesystem>
#include <string>

#include "sim/exercise/analysis.hpp"
#include "sim/graph/referral_graph.hpp"
#include "sim/scenario/exercise_loader.hpp"
#include "viz/exercise_session.hpp"
#include "viz/facilitator.hpp"
#include "viz/simulation.hpp"

using namespace refsim;
using namespace refsim::viz;

namespace {

const std::string kExercise = std::string(REFSIM_VIZ_TEST_DIR) + "/exercise.toml";

/// A log path that does not exist yet, removed at the end of the test.
struct TempLog {
  std::filesystem::path path =
      std::filesystem::temp_directory_path() / ("refsim-viz-test-" + std::to_string(::getpid()) + ".log");
  TempLog() { std::filesystem::remove(path); }
  ~TempLog() { std::filesystem::remove(path); }
};

AgencyId agency(const Scenario& s, const std::string& id) {
  for (AgencyId a = 0; a < s.agencies.size(); ++a)
    if (s.agencies[a].id == id) return a;
  FAIL("no agency " << id);
  return 0;
}

}  // namespace

TEST_CASE("sim_clock: day 0 is a Monday 00:00; wall_clock and countdown") {
  CHECK(sim_clock(0) == "day 0 (Mon) 00:00");
  CHECK(sim_clock(2.375) == "day 2 (Wed) 09:00");
  CHECK(sim_clock(6.9999999) == "day 7 (Mon) 00:00");
  CHECK(wall_clock(3725.4) == "1:02:05");
  CHECK(wall_clock(-3) == "0:00:00");
  CHECK(countdown(59.2) == "1:00");
  CHECK(countdown(1200) == "20:00");
  CHECK(countdown(3600) == "1:00:00");
  CHECK(countdown(30.0 / 1440 * 86400) == "30:00");  // time_allowed = "30min", in days and back
}

TEST_CASE("Simulation: directed by an exercise it holds at a decision point until it is decided") {
  const LoadedExercise lx = load_exercise(kExercise);
  const Scenario& s = *lx.scenario;
  const ReferralGraph g(s);
  double wall = 0;
  ExerciseSession x(lx.exercise, s, kExercise, "", [&] { return wall; });
  Simulation sim(s, g, lx.exercise.seed);
  sim.direct(x.director());
  CHECK_FALSE(sim.advance_to(3));
  CHECK(sim.now() == 2.375);  // day 2 09:00
  REQUIRE(x.pending_inject());
  CHECK(lx.exercise.injects[*x.pending_inject()].id == "full_call");
  CHECK_FALSE(sim.advance_to(3));  // still held
  CHECK(sim.now() == 2.375);
  // 30 minutes allowed, in exercise wall time from when it fired (wall 0).
  REQUIRE(x.seconds_left());
  CHECK(*x.seconds_left() == Approx(1800));
  wall = 1799;
  CHECK_FALSE(x.timed_out());
  wall = 1800;
  CHECK(x.timed_out());
  CHECK(x.default_option() == 1);
  sim.decide(x.default_option(), "timeout");
  CHECK_FALSE(x.pending_inject());
  CHECK(x.director().fired()[0].decided_by == "timeout");
  CHECK(sim.advance_to(3));
  CHECK(sim.now() == 3);
  CHECK_THROWS_AS(sim.restart(2), std::logic_error);
}

TEST_CASE("Simulation: an exercise played in small steps with a decision and a change replays inject for inject") {
  const LoadedExercise lx = load_exercise(kExercise);
  const Scenario& s = *lx.scenario;
  const ReferralGraph g(s);
  const TempLog log;
  std::vector<FiredInject> played;
  {
    ExerciseSession x(lx.exercise, s, kExercise, log.path.string());
    Simulation sim(s, g, lx.exercise.seed);
    sim.direct(x.director());
    bool changed = false;
    // Steps of 7 hours, as frames would take them; the history is sampled on the way.
    while (sim.now() < s.run.horizon) {
      if (x.pending_inject()) {
        sim.decide(0, "facilitator");
        continue;
      }
      if (!changed && sim.now() >= 8) {
        const auto why = facilitate(sim, cmd::ChangeCapacity{+1, agency(s, "annex")});
        CHECK_FALSE(why);
        changed = true;
      }
      sim.advance_to(std::min(sim.now() + 7.0 / 24, s.run.horizon));
    }
    x.director().note("facilitator", "the annex got a bed", "housing");
    x.finish(sim.now());
    played = x.director().fired();
    CHECK(sim.history().size() > 2);
  }
  REQUIRE(played.size() == 3);
  const std::vector<LogRecord> records = ExerciseLog::read(log.path.string(), &s);
  std::size_t changes = 0;
  for (const LogRecord& r : records) changes += r.kind == LogRecord::Kind::change;
  CHECK(changes == 1);
  const Replayed r = replay(lx.exercise, s, records);
  CHECK(r.complete);
  REQUIRE(r.fired.size() == played.size());
  for (std::size_t k = 0; k < played.size(); ++k) {
    CHECK(r.fired[k].inject == played[k].inject);
    CHECK(r.fired[k].at == played[k].at);
    CHECK(r.fired[k].option == played[k].option);
  }
}
