// Which measures a scenario can produce (sim/experiment/applicability.hpp): each feature that a
// measure needs, absent and present, and the [[change]]s that can make a measure possible.
#include <catch2/catch.hpp>

#include <string>

#include "sim/experiment/applicability.hpp"
#include "support.hpp"

using namespace refsim;

namespace {

const std::string kBare = R"(
[scenario]
name = "t"
[run]
horizon = "10d"
[[agency]]
id = "intake"
servers = "unlimited"
service = "1d"
[[agency]]
id = "office"
servers = 2
service = "1d"
[[source]]
id = "calls"
to = "intake"
rate = "1/d"
[[referral]]
from = "intake"
to = "office"
probability = 1
)";

std::string_view agency_why(const Applicability& a, std::size_t agency, double AgencyResult::*f) {
  return a.agencies[agency][metric_index(kAgencyMetrics, f)];
}
std::string_view cohort_why(const Applicability& a, double CohortResult::*f) {
  return a.cohorts[metric_index(kCohortMetrics, f)];
}
std::string_view referral_why(const Applicability& a, double ReferralResult::*f) {
  return a.referrals[0][metric_index(kReferralMetrics, f)];
}

}  // namespace

TEST_CASE("Applicability: a bare mechanism produces its queues and counts, not what it lacks") {
  const Applicability a = applicability(test::scenario(kBare));
  REQUIRE(a.agencies.size() == 2);
  CHECK(agency_why(a, 0, &AgencyResult::utilization) == "unlimited servers");
  CHECK(agency_why(a, 1, &AgencyResult::utilization).empty());
  for (std::size_t i : {0u, 1u}) {
    CHECK(agency_why(a, i, &AgencyResult::arrivals).empty());
    CHECK(agency_why(a, i, &AgencyResult::mean_wait_days).empty());
    CHECK(agency_why(a, i, &AgencyResult::decisions_positive) == "no decision at this agency");
    CHECK(agency_why(a, i, &AgencyResult::false_negatives) == "no decision at this agency");
    CHECK(agency_why(a, i, &AgencyResult::dropouts) == "no patience here or in a profile");
    CHECK(agency_why(a, i, &AgencyResult::beds_occupied) == "not residential (no beds)");
    CHECK(agency_why(a, i, &AgencyResult::turned_away) == "when_full is not turn_away");
    CHECK(agency_why(a, i, &AgencyResult::overflowed) == "when_full is not overflow");
    CHECK(agency_why(a, i, &AgencyResult::held) == "no not_before");
    CHECK(agency_why(a, i, &AgencyResult::withdrawals) == "no withdrawal here");
    CHECK(agency_why(a, i, &AgencyResult::interviews) == "no interview here");
    CHECK(agency_why(a, i, &AgencyResult::deadline_breaches_caused) == "no deadlines");
  }
  CHECK(referral_why(a, &ReferralResult::sent).empty());
  CHECK(referral_why(a, &ReferralResult::lost) == "no loss on this referral");
  CHECK(referral_why(a, &ReferralResult::consent_refused) == "no consent gate on this referral");
  CHECK(cohort_why(a, &CohortResult::exited).empty());
  CHECK(cohort_why(a, &CohortResult::victims).empty());
  CHECK(cohort_why(a, &CohortResult::handoffs_per_case).empty());
  CHECK(cohort_why(a, &CohortResult::identified) == "no agency decides identified");
  CHECK(cohort_why(a, &CohortResult::victims_identified_share) == "no agency decides identified");
  CHECK(cohort_why(a, &CohortResult::false_positives) == "no agency decides identified");
  CHECK(cohort_why(a, &CohortResult::time_to_identified_days_p90) == "no agency decides identified");
  CHECK(cohort_why(a, &CohortResult::time_to_presumed_days_mean) == "no agency decides presumed");
  CHECK(cohort_why(a, &CohortResult::time_to_reasonable_grounds_days_median) == "no agency decides reasonable_grounds");
  CHECK(cohort_why(a, &CohortResult::time_to_first_service_days_median) == "no agency provides a need");
  CHECK(cohort_why(a, &CohortResult::convictions) == "no agency decides convicted");
  CHECK(cohort_why(a, &CohortResult::investigations) == "no agency of stage investigation");
  CHECK(cohort_why(a, &CohortResult::reintegrations) == "no agency of stage reintegration");
  CHECK(cohort_why(a, &CohortResult::retrafficked) == "no retrafficking");
  CHECK(cohort_why(a, &CohortResult::reentries) == "no retrafficking");
  CHECK(cohort_why(a, &CohortResult::withdrawals) == "no agency has a withdrawal");
  CHECK(cohort_why(a, &CohortResult::interviews_per_case) == "no interviewing agency");
  CHECK(cohort_why(a, &CohortResult::dropout_share) == "no patience at an agency or in a profile");
  // Needs nobody provides are a gap in the mechanism, a real 0: they apply.
  for (auto f : kCoveredFields) CHECK(cohort_why(a, f).empty());
}

TEST_CASE("Applicability: each feature makes its measures apply") {
  const Applicability a = applicability(test::scenario(R"(
[scenario]
name = "t"
[run]
horizon = "10d"
[[profile]]
id = "impatient"
patience = "2d"
[[agency]]
id = "intake"
servers = "unlimited"
service = "1d"
interview = true
decision = { sets = "identified", positive_rate = 0.5 }
provides = ["medical"]
[[agency]]
id = "shelter"
beds = 2
service = "1d"
when_full = "turn_away"
not_before = { after = "entered", gap = "1d" }
stage = "investigation"
withdrawal = 0.1
[[source]]
id = "calls"
to = "intake"
rate = "1/d"
profile = "impatient"
[[referral]]
from = "intake"
to = "shelter"
probability = 1
loss = 0.1
consent = 0.5
[[deadline]]
id = "d"
from = "entered"
to = "arrival:shelter"
within = "1d"
)"));
  CHECK(agency_why(a, 0, &AgencyResult::decisions_positive).empty());
  CHECK(agency_why(a, 0, &AgencyResult::interviews).empty());
  CHECK(agency_why(a, 0, &AgencyResult::dropouts).empty());  // the profile's patience
  CHECK(agency_why(a, 1, &AgencyResult::decisions_positive) == "no decision at this agency");
  CHECK(agency_why(a, 1, &AgencyResult::beds_occupied).empty());
  CHECK(agency_why(a, 1, &AgencyResult::turned_away).empty());
  CHECK(agency_why(a, 1, &AgencyResult::overflowed) == "when_full is not overflow");
  CHECK(agency_why(a, 1, &AgencyResult::held).empty());
  CHECK(agency_why(a, 1, &AgencyResult::withdrawals).empty());
  CHECK(agency_why(a, 1, &AgencyResult::deadline_breaches_caused).empty());
  CHECK(referral_why(a, &ReferralResult::lost).empty());
  CHECK(referral_why(a, &ReferralResult::consent_refused).empty());
  for (auto f : {&CohortResult::identified, &CohortResult::victims_identified_share,
                 &CohortResult::time_to_identified_days_median, &CohortResult::time_to_first_service_days_median,
                 &CohortResult::investigations, &CohortResult::withdrawals, &CohortResult::interviews_per_case,
                 &CohortResult::dropout_share})
    CHECK(cohort_why(a, f).empty());
  CHECK(cohort_why(a, &CohortResult::prosecutions) == "no agency of stage prosecution");
}

TEST_CASE("Applicability: a change that sets a loss or a consent gate makes them apply, others do not") {
  Scenario s = test::scenario(kBare);
  ScheduledChange c;
  c.at = 5;
  c.change.target = Change::Target::referral;
  c.change.index = 0;
  c.change.loss = 0.2;
  s.changes.push_back(c);
  Applicability a = applicability(s);
  CHECK(referral_why(a, &ReferralResult::lost).empty());
  CHECK(referral_why(a, &ReferralResult::consent_refused) == "no consent gate on this referral");
  s.changes[0].change.loss.reset();
  s.changes[0].change.consent = 0.5;
  a = applicability(s);
  CHECK(referral_why(a, &ReferralResult::lost) == "no loss on this referral");
  CHECK(referral_why(a, &ReferralResult::consent_refused).empty());
  // Servers and opening change values, never the structure.
  ScheduledChange cut;
  cut.at = 3;
  cut.change.index = 1;
  cut.change.servers = 1;
  s.changes.push_back(cut);
  a = applicability(s);
  CHECK(agency_why(a, 1, &AgencyResult::utilization).empty());
  CHECK(agency_why(a, 1, &AgencyResult::beds_occupied) == "not residential (no beds)");
}
