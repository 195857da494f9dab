#include "sim/experiment/person_ledger.hpp"

namespace refsim {

const char* to_string(ExitReason r) {
  switch (r) {
    case ExitReason::completed: return "completed";
    case ExitReason::dropout: return "dropout";
    case ExitReason::withdrawal: return "withdrawal";
    case ExitReason::turned_away: return "turned_away";
    case ExitReason::referral_lost: return "referral_lost";
    case ExitReason::consent_refused: return "consent_refused";
    case ExitReason::in_mechanism: return "in_mechanism";
  }
  return "?";
}

PersonLedger::PersonLedger(const Scenario& scenario) : cohorts_(scenario.cohorts) {
  agencies_.reserve(scenario.agencies.size());
  for (AgencyId id = 0; id < scenario.agencies.size(); ++id) {
    const Agency& a = scenario.agencies[id];
    AgencyFacts f;
    f.country = static_cast<std::uint16_t>(scenario.entry_country_index(id));
    for (std::uint32_t k : a.provides) f.provides |= static_cast<std::uint8_t>(1u << k);
    f.interview = a.interview;
    f.stage = a.stage;
    agencies_.push_back(f);
  }
}

void PersonLedger::enter(Time t, const Case& c, const Attributes& a) {
  if (c.person >= records_.size()) records_.resize(c.person + 1);
  PersonRecord& p = records_[c.person];
  p = PersonRecord{};
  p.serial = c.serial;
  p.previous = c.previous;
  p.entered = t;
  p.country = agencies_[c.agency].country;  // c.agency: the agency where the person enters
  p.cohort = static_cast<std::uint8_t>(cohorts_.of(a, p.country));
  p.victim = a[attr::kVictim] != 0;
  // In a local: a store to a byte may alias the attributes, and would make each step reload them.
  unsigned needs = 0;
  for (std::size_t k = 0; k < kNeeds.size(); ++k) needs |= (a[attr::kNeedsFirst + k] != 0 ? 1u : 0u) << k;
  p.needs = static_cast<std::uint8_t>(needs);
}

void PersonLedger::on_overflow(Time, AgencyId, AgencyId, const Case& c) { ++records_[c.person].handoffs; }

void PersonLedger::on_dropout(Time, AgencyId, const Case& c, Time) {
  records_[c.person].dropped_out = true;
  set_reason(c, ExitReason::dropout);
}

void PersonLedger::on_decision(Time t, AgencyId, const Case& c, const Attributes&, std::uint32_t attribute,
                               bool positive) {
  if (!positive) return;
  PersonRecord& p = records_[c.person];
  Time* at = attribute == attr::kPresumed            ? &p.presumed_at
             : attribute == attr::kReasonableGrounds ? &p.reasonable_grounds_at
             : attribute == attr::kIdentified        ? &p.identified_at
                                                     : nullptr;
  if (at && *at < 0) *at = t;
  if (attribute == attr::kConvicted) p.convicted = true;
}

void PersonLedger::on_turned_away(Time, AgencyId, const Case& c) { set_reason(c, ExitReason::turned_away); }

void PersonLedger::on_referral_lost(Time, ReferralId, const Case& c) { set_reason(c, ExitReason::referral_lost); }

void PersonLedger::on_consent_refused(Time, ReferralId, const Case& c) { set_reason(c, ExitReason::consent_refused); }

void PersonLedger::on_withdrawal(Time, AgencyId, const Case& c) {
  records_[c.person].withdrew = true;
  set_reason(c, ExitReason::withdrawal);
}

void PersonLedger::on_retrafficked(Time, AgencyId, const Case& c, Time) { records_[c.person].retrafficked = true; }

void PersonLedger::on_case_exited(Time t, const Case& c, Time) {
  PersonRecord& p = records_[c.person];
  p.exited = t;
  // The reason recorded last belongs to another track (e.g. a fork lost on the way) when the
  // exiting track simply finished its service.
  if (p.reason_track != c.track || p.reason == ExitReason::in_mechanism) p.reason = ExitReason::completed;
}

}  // namespace refsim
