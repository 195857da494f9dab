#pragma once
// What may change while a run goes on, apart from the structure that may not.
//
// A Scenario is frozen structure (ids, the referral graph's topology, deadlines' definitions)
// together with the initial values of its parameters. Parameters holds those values for one run:
// each engine takes its own copy (Parameters::of, after uncertain parameters are drawn) and
// changes it only through apply(Change), at the engine's current time. Static analyses
// (`refsim check`, the traffic equations) keep reading the scenario: what the file says.
//
//   refsim::Parameters p = refsim::Parameters::of(scenario);
//   refsim::Change cut;                       // the competent authority loses two caseworkers
//   cut.index = *scenario.find_agency("competent_authority");
//   cut.servers = p.agencies[cut.index].servers - 2;
//   p.apply(cut, scenario);                   // throws std::invalid_argument if it makes no sense
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "sim/model/scenario.hpp"

namespace refsim {

/// The most persons one surge (Change::surge) may bring: as a source's batch.
inline constexpr std::uint32_t kMaxSurge = 1'000'000;

struct AgencyParameters {
  std::uint32_t servers = 1;  ///< servers, or beds (residential); meaningless when unlimited
  bool open = true;           ///< closed: no service starts (cases in service finish)
  std::optional<Decision> decision;
};

struct SourceParameters {
  double rate_per_day = 0;
  ProfileId profile = 0;
};

struct ReferralParameters {
  double probability = 0;
  Condition when;
  double loss = 0;
  std::optional<double> consent;
  std::optional<DistributionSpec> delay;
};

struct Parameters {
  std::vector<AgencyParameters> agencies;     ///< by AgencyId
  std::vector<SourceParameters> sources;      ///< by SourceId
  std::vector<ReferralParameters> referrals;  ///< by ReferralId

  /// The scenario's values (with uncertain parameters as drawn into it).
  static Parameters of(const Scenario& s);

  /// Applies `c`, whose index names an object of `s`. Throws std::invalid_argument, with a message
  /// that names the object ("agency 'shelter': beds must be >= 0, got -2"), when a value is out of
  /// range, names a field the object does not have (servers of an unlimited agency, a sensitivity
  /// where the decision has a positive rate), or a referral probability would make the agency's
  /// main-route probabilities sum above 1 for some case; nothing is changed then. Returns the
  /// change that would undo it: the same fields, with the values they had. A new `when` must never
  /// hold together with that of another rule on the same from/to pair (conditions_overlap).
  Change apply(const Change& c, const Scenario& s);
};

/// Why the main-route (non-fork) probabilities of agency `a`'s rules, with the values in
/// `referrals` (indexed by ReferralId), sum above 1 for some case: "agency 'x': referral
/// probabilities sum to 1.1 for cases with child, more than 1 (…)", and in `*culprit` the rule
/// whose probability tips the sum over; nullopt when they do not. With `when` conditions every
/// combination of the attributes they name is checked (adult follows child; foreign follows
/// nationality and entered_in; in_country is the agency's own country; entered_in takes the
/// countries where cases enter); beyond 200,000 combinations none is (the engine caps the draw
/// at 1 anyway).
std::optional<std::string> route_sum_excess(const Scenario& s, AgencyId a,
                                            const std::vector<ReferralParameters>& referrals,
                                            ReferralId* culprit = nullptr);
/// The same, given the rules out of `a` in declaration order (the loader lists them once for
/// every agency, rather than scanning every rule for each agency).
std::optional<std::string> route_sum_excess(const Scenario& s, AgencyId a, std::span<const ReferralId> rules_from_a,
                                            const std::vector<ReferralParameters>& referrals,
                                            ReferralId* culprit = nullptr);

/// Whether conditions `a` and `b` of two rules out of agency `at` can both hold for one case, over
/// the same combinations as route_sum_excess: nullopt when no combination meets both (they are
/// proved disjoint); else what completes "their conditions …": "both hold for cases with child,
/// nationality == \"GH\"" (one such case), "both hold for every case" (neither names an
/// attribute), or, beyond 200,000 combinations, "cannot be shown never to hold together: …".
std::optional<std::string> conditions_overlap(const Scenario& s, AgencyId at, const Condition& a, const Condition& b);

/// The indices of `changes` in the order the engine applies them: by time, equal times in
/// declaration order (the calendar's order for events of one priority).
std::vector<std::size_t> application_order(const std::vector<ScheduledChange>& changes);

/// A scenario's [[change]] as the engine applies it, with the values it replaces.
struct ReplayedChange {
  Time at = 0;
  std::size_t declared = 0;  ///< its index in Scenario::changes
  Change previous;           ///< what Parameters::apply returned
};
/// The scenario's changes in the order the engine applies them (by time; equal times in
/// declaration order), applied to Parameters::of(s): what each replaces is the file's value (for
/// an uncertain parameter, the mean of its range). Throws std::invalid_argument from the first
/// change that is not valid (a loaded scenario has none: the loader checks them in this order).
std::vector<ReplayedChange> replay_changes(const Scenario& s);

/// "competent_authority: servers 4 → 2": what `c` changed, `previous` being what apply returned.
std::string describe(const Change& c, const Change& previous, const Scenario& s);

}  // namespace refsim
