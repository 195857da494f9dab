#pragma once
// Static checks of a referral mechanism (`refsim check`): what is wrong with the mechanism itself,
// before any simulation.
//
//   const Scenario s = load_scenario("sop.toml");
//   const ReferralGraph g(s);
//   const LintReport r = lint(s, g);
//   for (const Finding& f : r.findings) std::cout << f.where.str() << ": " << f.message << "\n";
//
// The checks run per *population*: the cases of one profile (those its sources and initial
// backlogs bring in), with the attribute values that profile can take (child or adult, nationality,
// exploitation, needs…; decisions can set the state attributes that some agency decides). A rule
// counts for a population only when its `when` can hold for one of its cases
// (Condition::can_hold), its probability is above 0 and its loss below 1: a rule whose condition
// can never hold is absent. The graph algorithms are Boost.Graph's: breadth-first search for
// reachability, strong components for cycles, the Lengauer–Tarjan dominator tree for single points
// of failure, Dijkstra for the fastest path a deadline allows. Codes (docs/check.md):
//   unreachable-agency, no-path-to-service, dead-end, referral-cycle, single-point-of-failure,
//   over-capacity, near-capacity, deadline-unmeetable, deadline-never-reached,
//   cross-border-without-return.
// Deterministic: the same scenario gives the same findings in the same order (by severity, then
// code, then the scenario's declaration order).
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "sim/graph/referral_graph.hpp"
#include "sim/model/scenario.hpp"

namespace refsim {

enum class Severity : std::uint8_t { error, warning, note };
const char* to_string(Severity s);

struct Finding {
  std::string code;  ///< stable, e.g. "unreachable-agency"
  Severity severity = Severity::warning;
  std::vector<AgencyId> agencies;  ///< involved, the one at fault first
  std::vector<ReferralId> rules;   ///< involved, in declaration order
  std::optional<DeadlineId> deadline;
  std::string profile;   ///< the population it concerns ("" for all)
  SourceLocation where;  ///< the rule, agency or deadline at fault
  std::string message;   ///< one sentence, numbers rounded for people
  std::string advice;    ///< one line: what to change
  /// The figure behind the finding, when there is one: predicted utilization (capacity), expected
  /// number of loops (cycle), fastest path in days (deadline); NaN otherwise. Infinite for a cycle
  /// cases can never leave.
  double value = std::numeric_limits<double>::quiet_NaN();
};

/// Offered load at or above this share of capacity is `near-capacity`; at or above 1, `over-capacity`.
inline constexpr double kNearCapacity = 0.9;

struct LintReport {
  std::vector<Finding> findings;  ///< errors first, then warnings, then notes
  std::vector<AgencyLoad> loads;  ///< ReferralGraph::loads(), reused for the flows table
  std::size_t errors() const;
  std::size_t warnings() const;
};

/// Runs every check on `s` (`g` must be built from `s`).
LintReport lint(const Scenario& s, const ReferralGraph& g);

/// The least value a distribution can take, in days (0 for exponential, lognormal, gamma…).
double distribution_minimum(const DistributionSpec& d);

}  // namespace refsim
