#pragma once
// What an after-action report says about a played exercise: its timeline from the log, the
// mechanism's key indicators before and after each decision, the counterfactual of the options not
// taken (the same story replayed with another choice, and paired differences over replications
// under common random numbers), and per objective its measure and the notes about it.
//
//   const refsim::ExerciseAnalysis a = refsim::analyse(exercise, scenario, records, {.replications = 20});
//   refsim::after_action_markdown(a);   // sim/report/aar.hpp
//
// Every figure says how many observations it rests on; what a scenario cannot measure is n/a with
// the reason, never 0.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "sim/exercise/director.hpp"
#include "sim/exercise/log.hpp"
#include "sim/model/exercise.hpp"

namespace refsim {

/// One figure: a key indicator of the run (summary.json path as name) or a state measure.
struct IndicatorValue {
  std::string name;   ///< "cases.time_to_identification_days.mean", "state.awaiting_decision"
  std::string label;  ///< "Time to identification (mean)"
  std::string unit;   ///< "days", "share", "persons"
  std::optional<double> value;
  std::string not_applicable;      ///< why there is no value (when value is empty)
  std::uint64_t observations = 0;  ///< what it rests on (cases, decisions, …; 1 for a state measure)
};

/// A paired difference of one indicator: an option minus the option played, over replications.
struct OptionDifference {
  std::string indicator;  ///< IndicatorValue::name
  std::string label;
  std::string unit;
  std::optional<double> mean;             ///< empty: not measurable in some pair (n/a)
  std::optional<double> ci_low, ci_high;  ///< 95 % Student-t interval
  std::uint32_t pairs = 0;                ///< replications in which both gave a value
  bool significant = false;               ///< the interval excludes 0
  std::string not_applicable;
};

struct OptionOutcome {
  std::string option;  ///< its id
  std::string text;
  bool played = false;
  /// The exercise's own story (replication 0 of the exercise's seed) at the horizon, had this
  /// option been taken and every other decision been as played.
  std::vector<IndicatorValue> story;
  /// This option minus the option played, paired by replication (empty for the played option).
  std::vector<OptionDifference> versus_played;
};

struct DecisionAnalysis {
  std::size_t inject = 0;  ///< index in Exercise::injects
  std::string option_played;
  std::string decided_by;  ///< "facilitator", "default", "timeout", "decisions file"
  Time at = 0;             ///< simulated time of the decision
  double wall = 0;         ///< exercise wall time, seconds
  /// State measures at the decision instant (in system, waiting, awaiting a grounds decision, the
  /// addressed agency's queue and occupancy).
  std::vector<IndicatorValue> before;
  std::vector<OptionOutcome> options;  ///< every option, in the order written; one is played
};

/// What an objective's measure and notes say.
struct ObjectiveResult {
  std::string objective;  ///< its id
  /// Its deadline's compliance in the played run (when the objective names a deadline).
  std::optional<IndicatorValue> measure;
  std::vector<std::string> strengths;     ///< notes with category "strength"
  std::vector<std::string> improvements;  ///< notes with category "improvement"
  std::vector<std::string> observations;  ///< other notes tagged with the objective
  std::vector<std::string> injects;       ///< ids of the injects that test it
};

struct ExerciseAnalysis {
  const Exercise* exercise = nullptr;  ///< not owned
  const Scenario* scenario = nullptr;  ///< not owned
  std::vector<LogRecord> log;          ///< as read (start record first)
  std::vector<FiredInject> fired;      ///< in the order fired (the replay's, matching the log)
  std::vector<DecisionAnalysis> decisions;
  std::vector<IndicatorValue> outcome;      ///< the played run's key indicators at the horizon
  std::vector<ObjectiveResult> objectives;  ///< in the order written
  std::vector<LogRecord> notes;             ///< every note, in order
  Time ended_at = 0;                        ///< simulated time the exercise reached
  bool complete = false;                    ///< the log has its end record
  std::uint32_t replications = 0;           ///< behind each paired difference
  std::uint64_t seed = 0;
};

struct AnalysisOptions {
  std::uint32_t replications = 20;  ///< for the paired differences of the options not taken
  unsigned threads = 0;             ///< 0: all hardware threads
};

/// A log replayed: the run's results (one replication: replication 0 of the log's seed) and what
/// fired. Throws std::runtime_error when the log does not match the exercise.
struct Replayed {
  RunResult result;
  std::vector<FiredInject> fired;
  bool complete = false;  ///< the log has its end record at the horizon (log_complete)
  Time ended_at = 0;      ///< the horizon the replay ran to: the exercise's, or the log's last time
};

/// Whether the log ends with an end record at the exercise's horizon (the start record's); else
/// the simulated time of its last record: a log cut by a crash, or ended early (refsim-viz quit
/// before the horizon: its end record is at the time reached) replays to that point.
bool log_complete(const std::vector<LogRecord>& records);
Time log_last_time(const std::vector<LogRecord>& records);

/// Replays `records` on `scenario` (whose horizon must be the exercise's, or the log's last time
/// when the log is cut short: see log_complete).
Replayed replay(const Exercise& exercise, const Scenario& scenario, const std::vector<LogRecord>& records,
                Time sample_every = 0);

/// The decisions a log records, by inject.
DecisionScript decisions_of(const std::vector<LogRecord>& records);

/// `replications` replications of the exercise with decisions `script` (missing ones: the
/// default), replication r on the streams of (exercise.seed, r); the facilitator's own changes are
/// not in it. `fired` (optional) receives what fired in each replication.
RunResult play(const Exercise& exercise, const Scenario& scenario, const DecisionScript& script,
               std::uint32_t replications, unsigned threads, std::vector<std::vector<FiredInject>>* fired = nullptr);

/// The agencies an inject concerns: the one it is addressed to, and those its changes and its
/// options' changes name.
std::vector<AgencyId> agencies_of(const Inject& in);

/// The key indicators (IndicatorDef::key) of replication 0 of `r`: those of the mechanism as a
/// whole (cases, deadlines) and, of the per-agency ones, those of `agencies` only.
std::vector<IndicatorValue> key_values(const Scenario& s, const RunResult& r, const std::vector<AgencyId>& agencies);
/// `other` minus `base` for the same indicators, paired by replication (95 % Student-t).
std::vector<OptionDifference> key_differences(const Scenario& s, const RunResult& base, const RunResult& other,
                                              const std::vector<AgencyId>& agencies);

/// Replays the log (Director::replay) and the options not taken. Throws as Director::replay does
/// when the log does not match the exercise.
ExerciseAnalysis analyse(const Exercise& exercise, const Scenario& scenario, const std::vector<LogRecord>& records,
                         const AnalysisOptions& options = {});

}  // namespace refsim
