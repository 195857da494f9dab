// Tabletop exercises: triggers fire when their condition first holds, decisions move the outcome
// the way they should, a log replays to the same results, a log cut short by a crash replays to
// that point, and bad exercise files get located errors.
#include <catch2/catch.hpp>

#include <atomic>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include "sim/engine/engine.hpp"
#include "sim/exercise/analysis.hpp"
#include "sim/exercise/director.hpp"
#include "sim/exercise/log.hpp"
#include "sim/experiment/compare.hpp"
#include "sim/experiment/indicators.hpp"
#include "sim/experiment/replication.hpp"
#include "sim/experiment/runner.hpp"
#include "sim/report/report.hpp"
#include "sim/scenario/exercise_loader.hpp"
#include "sim/scenario/loader.hpp"

using namespace refsim;
namespace fs = std::filesystem;

namespace {

const std::string kExerciseSource = REFSIM_SOURCE_DIR;

/// A fresh folder for one test's files.
fs::path scratch(const std::string& name) {
  static std::atomic<int> n{0};
  const fs::path p = fs::temp_directory_path() /
                     ("refsim-exercise-" + std::to_string(::getpid()) + "-" + name + "-" + std::to_string(n++));
  fs::remove_all(p);
  fs::create_directories(p);
  return p;
}

void write(const fs::path& p, const std::string& text) {
  std::ofstream out(p);
  out << text;
}

/// One desk with one server and a service of exactly one day; ten people arrive together at day 2,
/// nobody else. So: at day 2, one in service and nine waiting; one leaves each day from day 3;
/// the last at day 12.
const char* kDesk = R"([scenario]
name = "one desk"
[run]
horizon = "30d"
[[agency]]
id = "desk"
servers = 1
service = { dist = "deterministic", value = "1d" }
[[source]]
id = "raid"
to = "desk"
at = ["2d"]
cases = 10
)";

std::string exercise_on(const std::string& injects) {
  return R"([exercise]
name = "test"
scenario = "desk.toml"
)" + injects;
}

LoadedExercise load_with(const fs::path& dir, const std::string& injects) {
  write(dir / "desk.toml", kDesk);
  write(dir / "x.toml", exercise_on(injects));
  return load_exercise(dir / "x.toml");
}

/// Plays `x` headless (decisions from `script`) and returns what fired.
std::vector<FiredInject> fired_in(const LoadedExercise& x, const DecisionScript& script = {},
                                  ExerciseLog* log = nullptr) {
  Director d(x.exercise, *x.scenario, Director::Mode::script, script, log, [] { return 0.0; });
  const ReferralGraph g(*x.scenario);
  ReplicationOptions o;
  o.controller = &d;
  (void)run_replication(*x.scenario, g, x.exercise.seed, 0, o);
  return d.fired();
}

Time fired_at(const LoadedExercise& x, const std::vector<FiredInject>& fired, const std::string& id) {
  for (const FiredInject& f : fired) {
    if (x.exercise.injects[f.inject].id == id) return f.at;
  }
  return -1;
}

std::string load_error(const fs::path& dir, const std::string& injects) {
  try {
    (void)load_with(dir, injects);
  } catch (const ScenarioError& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST_CASE("Exercise: triggers fire at the instant their condition first holds", "[exercise]") {
  const fs::path dir = scratch("triggers");
  const LoadedExercise x = load_with(dir, R"(
[[inject]]
id = "timed"
at = "day 1 12:00"
synopsis = "a time"
[[inject]]
id = "queue"
trigger = { measure = "waiting", agency = "desk", at_least = 9 }
synopsis = "nine waiting"
[[inject]]
id = "draining"
trigger = { measure = "waiting", agency = "desk", below = 5, after = "3d" }
synopsis = "fewer than five waiting"
[[inject]]
id = "busy"
trigger = { measure = "full", agency = "desk", for = "3d" }
synopsis = "full for three days"
[[inject]]
id = "empty"
trigger = { measure = "in_system", at_most = 0, after = "3d" }
synopsis = "nobody left"
[[inject]]
id = "never"
trigger = { measure = "waiting", above = 100 }
synopsis = "never"
)");
  const std::vector<FiredInject> f = fired_in(x);
  CHECK(fired_at(x, f, "timed") == 1.5);
  CHECK(fired_at(x, f, "queue") == 2.0);     // the batch's instant
  CHECK(fired_at(x, f, "draining") == 7.0);  // 9 waiting at day 2, one fewer each day from day 3
  CHECK(fired_at(x, f, "busy") == 5.0);      // busy without a break from day 2
  CHECK(fired_at(x, f, "empty") == 12.0);    // the tenth leaves at day 12
  CHECK(fired_at(x, f, "never") == -1);
  REQUIRE(f.size() == 5);
  // Each fires once, in the order of the instants.
  for (std::size_t k = 1; k < f.size(); ++k) CHECK(f[k - 1].at <= f[k].at);
  // Interactive (the visualiser): the run holds at the very instant each inject fires, triggered
  // ones included, until it is let go on.
  {
    Director d(x.exercise, *x.scenario, Director::Mode::interactive, {}, nullptr, [] { return 0.0; });
    const ReferralGraph g(*x.scenario);
    Engine e(*x.scenario, g, x.exercise.seed, 0);
    d.control(e);
    e.add_observer(d);
    e.run_until(0);
    std::vector<Time> held_at;
    for (;;) {
      d.release();
      if (drive(e, d, 30)) break;
      held_at.push_back(e.now());
      CHECK(d.fired().back().at == e.now());
    }
    CHECK(held_at == std::vector<Time>{1.5, 2.0, 5.0, 7.0, 12.0});
  }
  // The state recorded when "queue" fired: nine waiting, before any change of its own.
  for (const auto& [name, value] : f[1].state) {
    if (name == "waiting") CHECK(value == 9);
    if (name == "in_system") CHECK(value == 10);
  }
}

TEST_CASE("Exercise: a decision moves the outcome the way it should", "[exercise]") {
  const fs::path dir = scratch("decision");
  const LoadedExercise x = load_with(dir, R"(
[[inject]]
id = "staff"
at = "4d"
synopsis = "a second desk officer?"
default = "no"
[[inject.option]]
id = "yes"
text = "one more server"
[[inject.option.change]]
agency = "desk"
servers = "+1"
[[inject.option]]
id = "no"
text = "nothing"
[[inject]]
id = "draining"
trigger = { measure = "waiting", agency = "desk", below = 5, after = "3d" }
synopsis = "fewer than five waiting"
)");
  // Without: 7 waiting at day 4, below 5 at day 7. With a second server at day 4: one more starts
  // at once (6 waiting), two leave at day 5 (4 waiting).
  CHECK(fired_at(x, fired_in(x), "draining") == 7.0);
  CHECK(fired_at(x, fired_in(x, {{"staff", "yes"}}), "draining") == 5.0);

  // Stochastic, paired over replications under common random numbers: an M/M/1 desk at 90 %
  // load; a second server from day 50 cuts the mean wait (from about 9 days towards 0.2 in steady
  // state: the whole interval of the difference lies below zero).
  write(dir / "mm1.toml", R"([scenario]
name = "M/M/1"
[run]
horizon = "300d"
[[agency]]
id = "desk"
servers = 1
service = { dist = "exponential", mean = "1d" }
[[source]]
id = "calls"
to = "desk"
rate = 0.9
)");
  write(dir / "mm1x.toml", R"([exercise]
name = "more staff"
scenario = "mm1.toml"
[[inject]]
id = "staff"
at = "50d"
synopsis = "a second desk officer?"
default = "no"
[[inject.option]]
id = "yes"
text = "one more server"
[[inject.option.change]]
agency = "desk"
servers = "+1"
[[inject.option]]
id = "no"
text = "nothing"
)");
  const LoadedExercise mm1 = load_exercise(dir / "mm1x.toml");
  const RunResult no = play(mm1.exercise, *mm1.scenario, {{"staff", "no"}}, 20, 0);
  const RunResult yes = play(mm1.exercise, *mm1.scenario, {{"staff", "yes"}}, 20, 0);
  bool checked = false;
  for (const IndicatorDef& d : indicators(*mm1.scenario)) {
    if (d.name != "agencies.desk.mean_wait_days") continue;
    const auto diff = paired_difference(d.kind, d.series(no), d.series(yes), 1);
    REQUIRE(diff);
    CHECK(diff->replications == 20);
    CHECK(diff->ci95.second < 0);
    checked = true;
  }
  CHECK(checked);

  // The library exercise: the NGO shelter's emergency beds take people whom it turns away otherwise.
  const LoadedExercise lib = load_exercise(kExerciseSource + "/scenarios/exercises/baseline-shelter-closure.toml");
  const RunResult wait = play(lib.exercise, *lib.scenario, {{"closure", "wait"}}, 20, 0);
  const RunResult beds = play(lib.exercise, *lib.scenario, {{"closure", "emergency_beds"}}, 20, 0);
  // The emergency beds take people the closed shelter cannot: fewer turned away at the NGO shelter.
  const AgencyId ngo = *lib.scenario->find_agency("shelter_ngo");
  double turned_wait = 0, turned_beds = 0;
  for (std::uint32_t r = 0; r < 20; ++r) {
    turned_wait += wait.replications[r].agencies[ngo].turned_away;
    turned_beds += beds.replications[r].agencies[ngo].turned_away;
  }
  CHECK(turned_beds < turned_wait);
}

TEST_CASE("Exercise: a log replays to the same results", "[exercise]") {
  const fs::path dir = scratch("replay");
  const LoadedExercise x = load_exercise(kExerciseSource + "/scenarios/exercises/baseline-shelter-closure.toml");
  const Scenario& s = *x.scenario;
  const ReferralGraph g(s);
  const fs::path log_path = dir / "x.log";
  RunResult played;
  std::vector<FiredInject> fired;
  {
    // As the visualiser plays it: interactive decisions, a facilitator's change, a note.
    ExerciseLog log(log_path.string(), s);
    log.append(start_record(x.exercise, x.exercise.file));
    Director d(x.exercise, s, Director::Mode::interactive, {}, &log, [] { return 1.0; });
    ReplicationEngine e(s, g, x.exercise.seed, 0);
    StatisticsCollector stats(e);
    e.set_sink(stats);
    d.control(e);
    e.add_observer(d);
    e.run_until(0);
    const ApplyChange apply = [&](const Change& c) { e.apply(c); };
    REQUIRE_FALSE(drive(e, d, 900));  // held at the closure's decision
    REQUIRE(d.pending());
    CHECK(e.now() == 854.375);
    Change more;
    more.index = *s.find_agency("screening");
    more.servers = 9;
    more.origin = "refsim-viz";
    d.facilitator_change(more, apply);  // while the decision waits
    d.note("facilitator", "the NGO shelter is called", "housing", "strength");
    d.decide(0, "facilitator", apply);
    const auto play_to = [&](Time t, std::size_t option, const char* by) {
      for (;;) {
        d.release();
        if (drive(e, d, t)) return;
        if (d.pending()) d.decide(option, by, apply);
      }
    };
    play_to(900, 0, "facilitator");
    more.servers = 8;
    d.facilitator_change(more, apply);  // and back, later
    play_to(s.run.horizon, 1, "timeout");
    e.end_run(s.run.horizon, s.run.follow_up);
    played.replications.push_back(stats.finish(e.events_processed()));
    played.events_processed = e.events_processed();
    fired = d.fired();
    LogRecord end;
    end.kind = LogRecord::Kind::end;
    end.sim = s.run.horizon;
    log.append(end);
  }
  const std::vector<LogRecord> records = ExerciseLog::read(log_path.string(), &s);
  REQUIRE(log_complete(records));
  const Replayed again = replay(x.exercise, s, records);
  const RunContext ctx{s, x.exercise.seed, 1};
  CHECK(summary_json(ctx, again.result) == summary_json(ctx, played));
  CHECK(agencies_csv(ctx, again.result) == agencies_csv(ctx, played));
  REQUIRE(again.fired.size() == fired.size());
  for (std::size_t k = 0; k < fired.size(); ++k) {
    CHECK(again.fired[k].inject == fired[k].inject);
    CHECK(again.fired[k].at == fired[k].at);
    CHECK(again.fired[k].option == fired[k].option);
  }
  // The note and the change are in the log, with both clocks.
  bool note = false, change = false;
  for (const LogRecord& r : records) {
    note = note || (r.kind == LogRecord::Kind::note && r.objective == "housing" && r.category == "strength");
    change = change || (r.kind == LogRecord::Kind::change && r.change && r.change->servers == 9u);
  }
  CHECK(note);
  CHECK(change);

  // A log that does not match the exercise (an inject's time edited) is refused, naming the line.
  std::ifstream in(log_path);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const auto at = text.find("\"sim_days\":854.375");
  REQUIRE(at != std::string::npos);
  text.replace(at, 18, "\"sim_days\":854.5");
  write(dir / "edited.log", text);
  const std::vector<LogRecord> edited = ExerciseLog::read((dir / "edited.log").string(), &s);
  CHECK_THROWS_WITH(replay(x.exercise, s, edited), Catch::Contains("line 2: the log has inject 'closure'"));
}

TEST_CASE("Exercise: a log cut short by a crash replays to that point", "[exercise]") {
  const fs::path dir = scratch("crash");
  const LoadedExercise x = load_exercise(kExerciseSource + "/scenarios/exercises/baseline-shelter-closure.toml");
  const Scenario& s = *x.scenario;
  const ReferralGraph g(s);
  const fs::path log_path = dir / "x.log";
  std::vector<FiredInject> fired;
  {
    ExerciseLog log(log_path.string(), s);
    log.append(start_record(x.exercise, x.exercise.file));
    Director d(x.exercise, s, Director::Mode::interactive, {}, &log, [] { return 2.0; });
    Engine e(s, g, x.exercise.seed, 0);
    d.control(e);
    e.add_observer(d);
    e.run_until(0);
    const ApplyChange apply = [&](const Change& c) { e.apply(c); };
    REQUIRE_FALSE(drive(e, d, 950));
    d.decide(0, "facilitator", apply);
    for (;;) {  // on to day 870, past the injects that hold the run where they fire
      d.release();
      if (drive(e, d, 870)) break;
      if (d.pending()) d.decide(1, "facilitator", apply);
    }
    d.mark("pause");  // the last record: the program dies here, in the middle of a write
    fired = d.fired();
  }
  {
    std::ofstream tail(log_path, std::ios::app);
    tail << R"({"record":"note","author":"fac)";  // no newline: half a record
  }
  std::vector<LogRecord> records = ExerciseLog::read(log_path.string(), &s);
  REQUIRE_FALSE(log_complete(records));
  CHECK(records.back().kind == LogRecord::Kind::mark);
  const Time last = log_last_time(records);
  CHECK(last == 870);
  Scenario cut = s;
  cut.run.horizon = last;
  const Replayed r = replay(x.exercise, cut, records);
  CHECK_FALSE(r.complete);
  REQUIRE(r.fired.size() == fired.size());
  for (std::size_t k = 0; k < fired.size(); ++k) CHECK(r.fired[k].at == fired[k].at);
  // The same as playing those decisions to that point.
  const RunResult direct = play(x.exercise, cut, decisions_of(records), 1, 1);
  const RunContext ctx{cut, x.exercise.seed, 1};
  CHECK(summary_json(ctx, r.result) == summary_json(ctx, direct));
}

TEST_CASE("Exercise: bad exercise files get located errors", "[exercise]") {
  const fs::path dir = scratch("errors");
  const auto error = [&](const std::string& injects) { return load_error(dir, injects); };
  CHECK_THAT(error(""), Catch::Contains("x.toml:1:1: the exercise file has no [[inject]]"));
  CHECK_THAT(error("[[inject]]\nid = \"a\"\nsynopsis = \"s\"\n"),
             Catch::Contains("x.toml:4:1: inject 'a': give when it fires"));
  CHECK_THAT(error("[[inject]]\nid = \"a\"\nat = \"40d\"\nsynopsis = \"s\"\n"),
             Catch::Contains("x.toml:6:6: inject 'a': at (40d) is after the exercise's horizon (30d)"));
  CHECK_THAT(error("[[inject]]\nid = \"a\"\nat = \"day 3 25:00\"\nsynopsis = \"s\"\n"),
             Catch::Contains("x.toml:6:6: inject 'a': at has no such time of day"));
  CHECK_THAT(error("[[inject]]\nid = \"a\"\ntrigger = { measure = \"full\", agency = \"dsk\" }\nsynopsis = \"s\"\n"),
             Catch::Contains("x.toml:6:40: inject 'a': trigger: agency names unknown agency 'dsk'; known: desk"));
  CHECK_THAT(error("[[inject]]\nid = \"a\"\ntrigger = { measure = \"queue\" }\nsynopsis = \"s\"\n"),
             Catch::Contains("x.toml:6:23: inject 'a': trigger: measure must be one of waiting"));
  CHECK_THAT(error("[[inject]]\nid = \"a\"\ntrigger = { measure = \"waiting\" }\nsynopsis = \"s\"\n"),
             Catch::Contains("inject 'a': trigger: give one comparison"));
  CHECK_THAT(error("[[inject]]\nid = \"a\"\nat = \"3d\"\nsynopsis = \"s\"\n[[inject.change]]\nagency = \"desk\"\n"
                   "servers = \"-2\"\n"),
             Catch::Contains("x.toml:8:1: inject 'a': change 1: leaves agency 'desk' with -1 servers (it has 1)"));
  CHECK_THAT(error("[[inject]]\nid = \"a\"\nat = \"3d\"\nsynopsis = \"s\"\n[[inject.change]]\nagency = \"desk\"\n"
                   "surge = 5\nprofile = \"nobody\"\n"),
             Catch::Contains("x.toml:11:11: inject 'a': change 1: profile names unknown profile 'nobody'"));
  CHECK_THAT(error("[[inject]]\nid = \"a\"\nat = \"3d\"\nsynopsis = \"s\"\ndefault = \"x\"\n[[inject.option]]\nid = "
                   "\"x\"\ntext = \"t\"\n"),
             Catch::Contains("inject 'a': a decision needs two options or more"));
  CHECK_THAT(error("[[inject]]\nid = \"a\"\nat = \"3d\"\nsynopsis = \"s\"\ndefault = \"z\"\n[[inject.option]]\nid = "
                   "\"x\"\ntext = \"t\"\n[[inject.option]]\nid = \"y\"\ntext = \"u\"\n"),
             Catch::Contains("x.toml:8:11: inject 'a': default names unknown option 'z'; options: x, y"));
  CHECK_THAT(error("[[inject]]\nid = \"a\"\nat = \"3d\"\nsynopsis = \"s\"\nobjective = \"o\"\n"),
             Catch::Contains("inject 'a': objective names unknown objective 'o'"));
  CHECK_THAT(error("[[inject]]\nid = \"a\"\nat = \"3d\"\nsynopsis = \"s\"\nwhen = \"3d\"\n"),
             Catch::Contains("x.toml:8:1: unknown key 'when' in inject 'a'; expected one of: id, at, trigger"));
  CHECK_THAT(error("[[inject]]\nid = \"a\"\nat = \"3d\"\nsynopsis = \"s\"\n[[inject]]\nid = \"a\"\nat = \"4d\"\n"
                   "synopsis = \"t\"\n"),
             Catch::Contains("inject id 'a'"));
  CHECK_THAT(error("[[inject]]\nid = \"a\"\nat = \"3d\"\nsynopsis = \"s\"\n[[inject.change]]\nagency = \"desk\"\n"
                   "surge = 4\nfor = \"2d\"\n"),
             Catch::Contains("x.toml:11:7: inject 'a': change 1: for does not apply to a surge"));
  // A bad scenario is reported in the scenario's own file.
  write(dir / "bad.toml", "[scenario]\nname = 1\n");
  write(dir / "y.toml",
        "[exercise]\nname = \"y\"\nscenario = \"bad.toml\"\n[[inject]]\nid = \"a\"\nat = \"1d\"\n"
        "synopsis = \"s\"\n");
  CHECK_THROWS_WITH(load_exercise(dir / "y.toml"), Catch::Contains("bad.toml:2:8"));
  write(dir / "z.toml", "[exercise]\nname = \"z\"\nscenario = \"missing.toml\"\n");
  CHECK_THROWS_WITH(load_exercise(dir / "z.toml"), Catch::Contains("z.toml:3:12: [exercise]: scenario names"));
}

TEST_CASE("Exercise: decisions files name decision points and their options", "[exercise]") {
  const fs::path dir = scratch("decisions");
  const LoadedExercise x = load_exercise(kExerciseSource + "/scenarios/exercises/baseline-shelter-closure.toml");
  write(dir / "ok.toml", "[decisions]\nclosure = \"emergency_beds\"\n");
  CHECK(load_decisions(dir / "ok.toml", x.exercise) ==
        std::map<std::string, std::string>{{"closure", "emergency_beds"}});
  write(dir / "bad1.toml", "[decisions]\nngo_full = \"x\"\n");
  CHECK_THROWS_WITH(load_decisions(dir / "bad1.toml", x.exercise),
                    Catch::Contains("bad1.toml:2:1: [decisions]: 'ngo_full' is not a decision point"));
  write(dir / "bad2.toml", "[decisions]\nclosure = \"sleep\"\n");
  CHECK_THROWS_WITH(load_decisions(dir / "bad2.toml", x.exercise),
                    Catch::Contains("bad2.toml:2:11: [decisions]: inject 'closure' has no option 'sleep'; options: "
                                    "emergency_beds, wait"));
}
