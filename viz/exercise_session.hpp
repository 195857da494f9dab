#pragma once
// ExerciseSession: a tabletop exercise played in refsim-viz (--exercise FILE): the exercise log
// and the Director that plays the MSEL on the visualiser's Simulation (viz/simulation.hpp,
// Simulation::direct). SFML-free, so that it is unit-testable headless.
//
// The log is the one `refsim exercise run` writes (sim/exercise/log.hpp): a start record here, the
// director's records as things happen (injects, decisions, the facilitator's changes, notes,
// marks for pause / resume / speed), then an end record (finish()), so that `refsim exercise
// replay LOG` reproduces the exercise played in the visualiser.
//
//   refsim::viz::ExerciseSession x(lx.exercise, *lx.scenario, "closure.toml", "closure.log");
//   sim.direct(x.director());
//   ...
//   if (x.timed_out()) sim.decide(x.default_option(), "timeout");
//   x.finish(sim.now());
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "sim/exercise/director.hpp"
#include "sim/exercise/log.hpp"
#include "sim/model/exercise.hpp"

namespace refsim::viz {

/// "day 12 (Fri) 09:00": simulated time t (days; t = 0 is Monday 00:00), as `refsim exercise`
/// prints it.
std::string sim_clock(Time t);
/// "1:02:05": exercise wall time, seconds since the start, as h:mm:ss (negative: 0:00:00).
std::string wall_clock(double seconds);
/// "12:05" (or "1:02:05" from an hour): a countdown of seconds left, rounded up.
std::string countdown(double seconds);

class ExerciseSession {
 public:
  /// `exercise` and `scenario` (the exercise's, from load_exercise) must outlive the session.
  /// `exercise_file`: the file as given (the start record names it, for replay). `log_path`:
  /// the log to create (ExerciseLog: refuses an existing file, std::runtime_error), or empty
  /// for none. `wall`: exercise wall time in seconds (default: a steady clock from now).
  ExerciseSession(const Exercise& exercise, const Scenario& scenario, const std::string& exercise_file,
                  const std::string& log_path, std::function<double()> wall = {});
  ExerciseSession(const ExerciseSession&) = delete;
  ExerciseSession& operator=(const ExerciseSession&) = delete;

  Director& director() { return director_; }
  const Director& director() const { return director_; }
  const Exercise& exercise() const { return exercise_; }
  const Scenario& scenario() const { return scenario_; }
  /// The log's path, or "" when there is none.
  std::string log_path() const { return log_ ? log_->path() : std::string(); }

  /// The inject the director holds the run for (a decision waiting), if any.
  std::optional<std::size_t> pending_inject() const;
  /// Seconds of wall time left for the pending decision (its time_allowed since it fired), or
  /// nullopt when none is pending or it has no time allowed.
  std::optional<double> seconds_left() const;
  /// Whether the pending decision's time allowed has run out: take its default (by "timeout").
  bool timed_out() const;
  /// The pending decision's default option (index); requires pending_inject().
  std::size_t default_option() const;

  /// Writes the end record at simulated time `sim` (once; later calls do nothing).
  void finish(Time sim);
  bool finished() const { return finished_; }

 private:
  const Exercise& exercise_;
  const Scenario& scenario_;
  std::unique_ptr<ExerciseLog> log_;  // before director_, which holds a pointer to it
  Director director_;
  bool finished_ = false;
};

}  // namespace refsim::viz
