#pragma once
// The exercise director: plays an exercise's MSEL on a running engine. It fires each inject once —
// at its time, or at the first instant its trigger holds — applies the inject's changes, holds the
// run at a decision point until the decision is taken, and appends everything that happens to the
// exercise log (sim/exercise/log.hpp) as it happens.
//
//   refsim::Director d(exercise, scenario, refsim::DirectorMode::script(decisions), &log);
//   refsim::ReplicationOptions o;
//   o.controller = &d;                       // run_replication drives the engine through it
//   refsim::run_replication(scenario, graph, exercise.seed, 0, o);
//
// The director changes the mechanism only through the `apply` it is given (Engine::apply), at the
// instants the engine stops for it (RunController). Whatever happens at one simulated instant is
// done in one order whoever drives the run — headless, the visualiser or a replay: injects due in
// MSEL order, each followed by its decision (a decision point holds the next inject back), then the
// facilitator's own changes in the order made. In interactive mode the run also holds at the
// instant each inject fires until release(), and the facilitator's changes made there come before
// the next inject of that instant; a replay follows the log's order, so it makes the same calls on
// the engine in the same order, and its results are byte-identical.
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "sim/exercise/log.hpp"
#include "sim/experiment/runner.hpp"
#include "sim/model/exercise.hpp"

namespace refsim {

/// Decisions given in advance: option id by inject id (`--decisions D.toml`).
using DecisionScript = std::map<std::string, std::string>;

/// What has happened so far in the exercise, for views and reports.
struct FiredInject {
  std::size_t inject = 0;             ///< index in Exercise::injects
  Time at = 0;                        ///< simulated time it fired
  double wall = 0;                    ///< exercise wall time, seconds from the start
  std::optional<std::size_t> option;  ///< the option chosen (decision points, once decided)
  Time decided_at = 0;
  double decided_wall = 0;
  std::string decided_by;  ///< "default", "decisions file", "facilitator", "timeout"
  /// The mechanism when it fired, before its changes: (name, value) of the state measures
  /// in_system, waiting, awaiting_decision (with grounds-decision agencies), and the addressed
  /// agency's <id>.waiting and <id>.occupancy (with a capacity limit).
  std::vector<std::pair<std::string, double>> state;
};

class Director final : public RunController {
 public:
  /// How decisions are taken: from a script (missing ones: the default), or waiting for decide()
  /// (the visualiser: pending() says which), or from a log being replayed.
  enum class Mode { script, interactive, replay };

  /// `exercise` and `scenario` (the exercise's, loaded) must outlive the director. `log` (not
  /// owned, may be null) hears every record. `wall` gives the exercise wall time in seconds
  /// (default: a steady clock from construction).
  Director(const Exercise& exercise, const Scenario& scenario, Mode mode, DecisionScript script, ExerciseLog* log,
           std::function<double()> wall = {});

  /// A director replaying `records` (a log read back, ExerciseLog::read): the decisions and the
  /// facilitator's changes are taken from it, in its order; each inject must fire at the simulated
  /// time the log says, else act() throws std::runtime_error naming the first difference. `log`
  /// (may be null) receives the replayed records again.
  static Director replay(const Exercise& exercise, const Scenario& scenario, std::vector<LogRecord> records,
                         ExerciseLog* log);

  // RunController.
  void control(EngineState& engine) override;
  Time next_stop() const override;
  void act(const ApplyChange& apply) override;
  /// While a decision waits; in interactive mode also from the instant an inject fires until
  /// release(), so that the visualiser pauses exactly there.
  bool holding() const override { return pending_.has_value() || unreleased_; }
  /// Lets the run go on after the inject that fired last (interactive mode); a decision still
  /// waiting keeps holding it.
  void release() { unreleased_ = false; }

  /// The decision point waiting for its decision (interactive mode), as an index in fired().
  std::optional<std::size_t> pending() const;
  /// Takes option `option` of the pending decision now, `by` whom ("facilitator", "timeout").
  /// Throws std::invalid_argument when none is pending or there is no such option.
  void decide(std::size_t option, const std::string& by, const ApplyChange& apply);
  /// A change made by the facilitator (refsim-viz's keys), applied now and logged; rethrows the
  /// engine's std::invalid_argument (logged as refused) when it is refused.
  void facilitator_change(const Change& change, const ApplyChange& apply);
  /// A note by `author` (the facilitator, an evaluator), logged with both clocks; `objective` (an
  /// objective's id, or "") and `category` ("strength", "improvement", "observation" or "") feed
  /// the after-action report's strengths and areas for improvement.
  void note(const std::string& author, const std::string& text, const std::string& objective = "",
            const std::string& category = "");
  /// Logs the run's state change (pause, resume, speed) with both clocks: the log then says how
  /// far the exercise got even if the program is killed.
  void mark(const std::string& what);

  const std::vector<FiredInject>& fired() const { return fired_; }
  /// Whether inject i has fired.
  bool has_fired(std::size_t i) const { return fired_index_[i] != kNotFired; }
  /// The next inject to fire by time (triggered ones are not predictable): its index, or none.
  std::optional<std::size_t> next_timed() const;
  /// The simulated time of the last thing the replayed log recorded (replay mode).
  Time replay_end() const { return replay_end_; }
  /// Whether every record of the replayed log has been used (replay mode).
  bool replay_done() const { return cursor_ >= records_.size(); }
  const Exercise& exercise() const { return exercise_; }
  double wall_now() const { return wall_(); }

  // Observer: trigger conditions are re-evaluated after events that may change their measure.
  void on_arrival(Time, AgencyId a, const Case&) override { touch(a); }
  void on_service_start(Time, AgencyId a, const Case&, Time) override { touch(a); }
  void on_service_end(Time, AgencyId a, const Case&, Time) override { touch(a); }
  void on_case_entered(Time, const Case&, const Attributes&) override { touch_all(); }
  void on_case_exited(Time, const Case&, Time) override { touch_all(); }
  void on_dropout(Time, AgencyId a, const Case&, Time) override { touch(a); }
  void on_turned_away(Time, AgencyId a, const Case&) override { touch(a); }
  void on_hold(Time, AgencyId a, const Case&, Time) override { touch(a); }
  void on_hold_end(Time, AgencyId a, const Case&) override { touch(a); }
  void on_parameter_changed(Time, const Change&, const Change&) override { touch_all(); }

  /// The value of trigger measure `m` at `agency` now.
  double measure(Measure m, std::optional<AgencyId> agency) const;

 private:
  static constexpr std::size_t kNotFired = ~std::size_t{0};
  struct Armed {
    std::size_t inject;
    Time since = -1;  // when its condition began to hold without a break; < 0: does not hold
  };
  struct Revert {
    Time at;
    Change change;
  };
  void touch(AgencyId a);
  void touch_all();
  void fire(std::size_t inject, const ApplyChange& apply);
  void apply_changes(const std::vector<InjectChange>& changes, const std::string& origin, const ApplyChange& apply);
  void take(std::size_t option, const std::string& by, const ApplyChange& apply);
  /// Fires what is due now; returns whether it did something.
  bool step(const ApplyChange& apply);
  void write(LogRecord r);
  /// Replay: moves the cursor past the records that do not steer the run (start, notes, marks).
  void skip_unread();

  const Exercise& exercise_;
  const Scenario& scenario_;
  Mode mode_;
  DecisionScript script_;
  ExerciseLog* log_;
  std::function<double()> wall_;
  EngineState* engine_ = nullptr;
  std::vector<FiredInject> fired_;
  std::vector<std::size_t> fired_index_;  // per inject: its index in fired_, or kNotFired
  std::vector<std::size_t> timed_;        // timed injects by time (then MSEL order)
  std::size_t next_timed_ = 0;            // index into timed_
  std::vector<Armed> armed_;              // triggered injects not fired yet
  std::vector<Revert> reverts_;           // pending, by time (then order made)
  std::vector<AgencyId> deciders_;        // awaiting_decision's agencies
  std::vector<std::uint8_t> watched_;     // per agency: some armed trigger reads it
  bool watch_all_ = false;                // some armed trigger reads a total
  std::optional<std::size_t> pending_;
  bool unreleased_ = false;  // interactive: an inject fired and the run has not been let go on
  // Replay.
  std::vector<LogRecord> records_;
  std::size_t cursor_ = 0;
  Time replay_end_ = 0;
};

}  // namespace refsim
