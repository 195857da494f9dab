#pragma once
// A tabletop exercise (HSEEP conventions; docs/exercises.md): a scenario, the objectives the
// exercise tests, the organisations that play, and the master scenario events list (MSEL) of
// injects. Each inject fires once, at a simulated time or when a condition on the running
// mechanism first holds (a trigger); it may change the mechanism (a surge of cases, an agency
// closed, staff cut) and may offer the players a decision between options, each a set of changes,
// with a default taken when the time allowed runs out.
//
// The structure is loaded and checked by sim/scenario (load_exercise); it runs through
// sim/exercise (Director), and changes the mechanism only through Engine::apply, as a scenario's
// [[change]] and the visualiser's facilitator do.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "sim/model/scenario.hpp"

namespace refsim {

/// What an exercise objective tests, tied to a capability ("Victim identification").
struct Objective {
  std::string id;
  std::string text;        ///< "Identify and refer child victims within 24 h"
  std::string capability;  ///< the HSEEP core capability or the mechanism's own name for it
  /// The scenario deadline that measures it, if any (its compliance is reported with the objective).
  std::optional<DeadlineId> deadline;
  SourceLocation where;
};

/// A participating organisation: an agency of the scenario, played by people in the room.
struct Participant {
  AgencyId agency = 0;
  std::string organisation;  ///< as the players call it; the agency's name when not given
  std::string contact;       ///< point of contact, for the improvement plan
  SourceLocation where;
};

/// A quantity of the running mechanism that a trigger watches.
enum class Measure : std::uint8_t {
  waiting,            ///< cases queued (at the agency; all agencies without one)
  in_service,         ///< cases in service (busy servers or beds)
  occupancy,          ///< busy / servers (or beds) in force, 0 … 1; an agency with a limit
  full,               ///< 1 when every server (or bed) in force is busy, else 0; an agency with a limit
  in_system,          ///< persons in the mechanism
  awaiting_decision,  ///< cases waiting or in service at agencies deciding reasonable grounds or identified
};

/// "waiting", "in_service", … as written in exercise files.
const char* measure_name(Measure m);

/// A condition on the running mechanism: `measure` (at `agency`) compared with `threshold`,
/// holding without a break for at least `hold_for` days, not before `after`. Fires once: at the
/// first instant when it has held for `hold_for` (at once when 0).
struct Trigger {
  Measure measure = Measure::waiting;
  std::optional<AgencyId> agency;
  enum class Compare : std::uint8_t { above, at_least, below, at_most } compare = Compare::above;
  double threshold = 0;
  Time hold_for = 0;
  Time after = 0;
  /// Whether `value` satisfies the comparison.
  bool holds(double value) const {
    switch (compare) {
      case Compare::above: return value > threshold;
      case Compare::at_least: return value >= threshold;
      case Compare::below: return value < threshold;
      case Compare::at_most: return value <= threshold;
    }
    return false;
  }
  /// "shelter full for 3d", "awaiting_decision above 30".
  std::string describe(const Scenario& s) const;
};

/// One change an inject or option makes: Change (its origin names the inject), and optionally
/// `revert_after` days later the values it replaced are put back (a shelter closed for 3 days).
struct InjectChange {
  Change change;
  std::optional<Time> revert_after;
  /// Servers (or beds) relative to those in force when it applies ("+20"): Change::servers is set
  /// then, from the engine's value.
  std::optional<std::int64_t> servers_delta;
};

/// A decision option: what the players may decide, and the changes it makes.
struct DecisionOption {
  std::string id;
  std::string text;  ///< "Open 20 overflow beds"
  std::vector<InjectChange> changes;
  SourceLocation where;
};

struct Inject {
  std::string id;
  /// When: a simulated time (days from t = 0), or a trigger. Exactly one is set.
  std::optional<Time> at;
  std::optional<Trigger> trigger;
  std::string synopsis;                  ///< what the players are told
  std::string from;                      ///< who delivers it, in the story ("Labour inspector on site")
  std::optional<AgencyId> to;            ///< the player agency it is addressed to (none: everybody)
  std::string expected_action;           ///< what the player agency should do (for evaluators)
  std::optional<std::string> objective;  ///< the objective's id
  std::string delivery;                  ///< "phone call", "email", "verbal", …
  Time time_allowed = 0;                 ///< exercise (wall) time for the discussion, days; 0: none
  std::string controller_note;           ///< for the controller only: never shown to players
  std::vector<InjectChange> changes;     ///< applied when it fires
  std::vector<DecisionOption> options;   ///< a decision point when not empty
  std::size_t default_option = 0;        ///< index in options: taken when time runs out
  SourceLocation where;
  bool is_decision() const { return !options.empty(); }
};

struct Exercise {
  std::string name;
  std::string file;           ///< the exercise file, as loaded
  std::string scenario_file;  ///< the scenario (or variant) it runs, resolved against the file's folder
  std::string description;    ///< scope: what the exercise is about
  std::string start_date;     ///< "2026-03-10": the exercise's own dates (paperwork), as written
  std::string end_date;
  std::string sponsor;     ///< the organisation that runs it
  std::uint64_t seed = 1;  ///< the scenario's run.seed unless given
  /// How long the story runs, simulated days from t = 0 (the scenario's horizon unless given).
  Time horizon = 0;
  std::vector<Objective> objectives;
  std::vector<Participant> participants;
  std::vector<Inject> injects;  ///< the MSEL, in the order written
  SourceLocation where;

  std::optional<std::size_t> find_inject(std::string_view id) const;
  const Objective* find_objective(std::string_view id) const;
};

}  // namespace refsim
