#pragma once
// Which measures a scenario can produce at all. A measure that nothing in the scenario can make
// happen (identification when no agency decides `identified`, beds at an agency without beds) is
// not applicable: reports show it as null / empty / "n/a" with the reason, not as a zero that reads
// like a result. A measure that is 0 because the mechanism has a gap (covered_<need> where no agency
// provides the need) stays applicable: that zero is the result.
//
// Decided from the frozen structure only: a [[change]] can change values (a loss, a consent gate's
// rate) but adds no agency, decision, stage or rule, so the structure, plus the loss and consent
// values that changes and uncertain parameters may set, decides.
//
//   const refsim::Applicability ok = refsim::applicability(scenario);
//   if (!ok.cohorts[3].empty()) …  // kCohortMetrics[3] ("identified") is n/a; ok.cohorts[3] says why
#include <array>
#include <string_view>
#include <vector>

#include "sim/experiment/statistics.hpp"
#include "sim/model/scenario.hpp"

namespace refsim {

/// For each metric (by its index in the k…Metrics tables) of each entity: empty when the scenario
/// can produce it, else the reason why not, one short phrase (no commas, so that a CSV can hold it).
/// Deadline metrics always apply.
struct Applicability {
  std::vector<std::array<std::string_view, kAgencyMetrics.size()>> agencies;     ///< by AgencyId
  std::vector<std::array<std::string_view, kReferralMetrics.size()>> referrals;  ///< by ReferralId
  std::array<std::string_view, kCohortMetrics.size()> cohorts{};                 ///< every cohort and overall
  std::array<std::string_view, kCaseMetrics.size()> cases{};
};

Applicability applicability(const Scenario& s);

}  // namespace refsim
