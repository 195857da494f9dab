#include "sim/experiment/applicability.hpp"

#include <algorithm>

namespace refsim {

namespace {

bool uncertain(const Scenario& s, UncertainParameter::Target target, std::uint32_t index) {
  return std::any_of(s.uncertain.begin(), s.uncertain.end(),
                     [&](const UncertainParameter& u) { return u.target == target && u.index == index; });
}

}  // namespace

Applicability applicability(const Scenario& s) {
  Applicability out;
  const auto any_agency = [&](auto pred) { return std::any_of(s.agencies.begin(), s.agencies.end(), pred); };
  const auto decides = [&](std::uint32_t attribute) {
    return any_agency([&](const Agency& a) { return a.decision && a.decision->sets == attribute; });
  };
  const auto has_stage = [&](Stage st) { return any_agency([&](const Agency& a) { return a.stage == st; }); };
  const bool profile_patience =
      std::any_of(s.profiles.begin(), s.profiles.end(), [](const Profile& p) { return p.patience.has_value(); });
  const auto withdraws = [](const Agency& a) { return a.withdrawal > 0 || a.withdrawal_supported > 0; };

  out.agencies.resize(s.agencies.size());
  for (std::size_t a = 0; a < s.agencies.size(); ++a) {
    const Agency& ag = s.agencies[a];
    auto& why = out.agencies[a];
    const auto set = [&](double AgencyResult::*field, std::string_view reason) {
      why[metric_index(kAgencyMetrics, field)] = reason;
    };
    if (ag.unlimited) set(&AgencyResult::utilization, "unlimited servers");
    if (s.deadlines.empty()) set(&AgencyResult::deadline_breaches_caused, "no deadlines");
    if (!ag.decision) {
      for (auto f : {&AgencyResult::decisions_positive, &AgencyResult::decisions_negative,
                     &AgencyResult::false_positives, &AgencyResult::false_negatives})
        set(f, "no decision at this agency");
    }
    if (!ag.patience && !profile_patience) set(&AgencyResult::dropouts, "no patience here or in a profile");
    if (!ag.residential) set(&AgencyResult::beds_occupied, "not residential (no beds)");
    if (ag.when_full != WhenFull::turn_away) set(&AgencyResult::turned_away, "when_full is not turn_away");
    if (ag.when_full != WhenFull::overflow) set(&AgencyResult::overflowed, "when_full is not overflow");
    if (!ag.not_before) set(&AgencyResult::held, "no not_before");
    if (!withdraws(ag) && !uncertain(s, UncertainParameter::Target::withdrawal, static_cast<std::uint32_t>(a)) &&
        !uncertain(s, UncertainParameter::Target::withdrawal_supported, static_cast<std::uint32_t>(a)))
      set(&AgencyResult::withdrawals, "no withdrawal here");
    if (!ag.interview) set(&AgencyResult::interviews, "no interview here");
  }

  out.referrals.resize(s.referrals.size());
  for (std::size_t r = 0; r < s.referrals.size(); ++r) {
    const auto index = static_cast<std::uint32_t>(r);
    const auto changed = [&](auto member) {
      return std::any_of(s.changes.begin(), s.changes.end(), [&](const ScheduledChange& sc) {
        return sc.change.target == Change::Target::referral && sc.change.index == index && (sc.change.*member);
      });
    };
    auto& why = out.referrals[r];
    if (!(s.referrals[r].loss > 0) && !changed(&Change::loss) &&
        !uncertain(s, UncertainParameter::Target::referral_loss, index))
      why[metric_index(kReferralMetrics, &ReferralResult::lost)] = "no loss on this referral";
    if (!s.referrals[r].consent && !changed(&Change::consent) &&
        !uncertain(s, UncertainParameter::Target::referral_consent, index))
      why[metric_index(kReferralMetrics, &ReferralResult::consent_refused)] = "no consent gate on this referral";
  }

  const auto set = [&](double CohortResult::*field, std::string_view reason) {
    out.cohorts[metric_index(kCohortMetrics, field)] = reason;
  };
  if (!decides(attr::kIdentified)) {
    for (auto f : {&CohortResult::identified, &CohortResult::victims_identified_share, &CohortResult::false_positives,
                   &CohortResult::time_to_identified_days_mean, &CohortResult::time_to_identified_days_median,
                   &CohortResult::time_to_identified_days_p90})
      set(f, "no agency decides identified");
  }
  if (!decides(attr::kPresumed)) {
    for (auto f : {&CohortResult::time_to_presumed_days_mean, &CohortResult::time_to_presumed_days_median,
                   &CohortResult::time_to_presumed_days_p90})
      set(f, "no agency decides presumed");
  }
  if (!decides(attr::kReasonableGrounds)) {
    for (auto f :
         {&CohortResult::time_to_reasonable_grounds_days_mean, &CohortResult::time_to_reasonable_grounds_days_median,
          &CohortResult::time_to_reasonable_grounds_days_p90})
      set(f, "no agency decides reasonable_grounds");
  }
  if (!any_agency([](const Agency& a) { return !a.provides.empty(); })) {
    for (auto f : {&CohortResult::time_to_first_service_days_mean, &CohortResult::time_to_first_service_days_median,
                   &CohortResult::time_to_first_service_days_p90})
      set(f, "no agency provides a need");
  }
  if (!decides(attr::kConvicted)) set(&CohortResult::convictions, "no agency decides convicted");
  if (!has_stage(Stage::investigation)) set(&CohortResult::investigations, "no agency of stage investigation");
  if (!has_stage(Stage::prosecution)) set(&CohortResult::prosecutions, "no agency of stage prosecution");
  if (!has_stage(Stage::trial)) set(&CohortResult::trials, "no agency of stage trial");
  if (!has_stage(Stage::return_home)) set(&CohortResult::returns, "no agency of stage return");
  if (!has_stage(Stage::reintegration)) set(&CohortResult::reintegrations, "no agency of stage reintegration");
  if (!any_agency([](const Agency& a) { return a.retrafficking.has_value(); })) {
    set(&CohortResult::retrafficked, "no retrafficking");
    set(&CohortResult::reentries, "no retrafficking");
  }
  const bool withdrawal_anywhere =
      any_agency(withdraws) || std::any_of(s.uncertain.begin(), s.uncertain.end(), [](const UncertainParameter& u) {
        return u.target == UncertainParameter::Target::withdrawal ||
               u.target == UncertainParameter::Target::withdrawal_supported;
      });
  if (!withdrawal_anywhere) set(&CohortResult::withdrawals, "no agency has a withdrawal");
  if (!any_agency([](const Agency& a) { return a.interview; }))
    set(&CohortResult::interviews_per_case, "no interviewing agency");
  if (!s.has_patience()) set(&CohortResult::dropout_share, "no patience at an agency or in a profile");
  if (!decides(attr::kReasonableGrounds) && !decides(attr::kIdentified))
    out.cases[metric_index(kCaseMetrics, &CaseResult::grounds_backlog_at_end)] = "no agency takes grounds decisions";
  return out;
}

}  // namespace refsim
