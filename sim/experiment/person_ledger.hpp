#pragma once
// What happened to each person in the mechanism, kept while they are in it: the milestones and
// counts that the cohort report, the milestone file and the event log need.
//
// Records are indexed by the person's slot (Case::person), which the engine recycles once a
// person leaves; enter() resets the slot. Memory is therefore bounded by the persons in the
// mechanism at once, not by all persons ever created.
//
// The ledger is an Observer, but its owner forwards the hooks to it (so that the record is up to
// date when the owner reads it) and calls enter() instead of on_case_entered, with the person's
// attributes at entry (Engine::attributes).
#include <cstdint>
#include <string>
#include <vector>

#include "sim/engine/observer.hpp"

namespace refsim {

/// How the person's last track ended. A track that ends after its service (no referral drawn, or
/// none applied) sets no reason: when the person exits with it, the reason is `completed`.
enum class ExitReason : std::uint8_t {
  completed,        ///< served, and no further referral applied (or was drawn)
  dropout,          ///< gave up waiting (patience)
  withdrawal,       ///< withdrew at the end of a service
  turned_away,      ///< a full agency turned them away
  referral_lost,    ///< the referral was never received
  consent_refused,  ///< an adult refused consent: counted anonymously
  in_mechanism,     ///< not exited: still in the mechanism at the horizon
};
const char* to_string(ExitReason r);

struct PersonRecord {
  std::uint64_t serial = 0;
  std::uint64_t previous = kNoPrevious;  ///< re-entries: the serial of the previous case
  Time entered = 0;
  Time exited = -1;
  /// First positive decision on presumed / reasonable_grounds / identified; first service start
  /// at an agency that `provides` something. Negative: not reached.
  Time presumed_at = -1, reasonable_grounds_at = -1, identified_at = -1, first_service_at = -1;
  std::uint32_t handoffs = 0;    ///< referrals received (not lost) and overflows
  std::uint32_t interviews = 0;  ///< service starts at agencies with `interview = true`
  std::uint8_t cohort = 0;       ///< in the scenario's CohortScheme (Scenario::cohorts), at entry
  std::uint16_t country = 0;     ///< the country of entry: its index in Scenario::countries
  std::uint8_t needs = 0;        ///< bit k: needs.<kNeeds[k]>
  std::uint8_t served = 0;       ///< bit k: served by an agency that provides kNeeds[k]
  bool victim = false;
  bool dropped_out = false, withdrew = false, convicted = false, retrafficked = false;
  bool investigated = false, prosecuted = false, tried = false, returned = false, reintegrated = false;
  ExitReason reason = ExitReason::in_mechanism;
  std::uint32_t reason_track = 0;  ///< the track whose end `reason` describes
};

class PersonLedger final : public Observer {
 public:
  explicit PersonLedger(const Scenario& scenario);

  /// A person entered (call from on_case_entered) with `attributes` at entry.
  void enter(Time t, const Case& c, const Attributes& attributes);
  const PersonRecord& operator[](std::uint32_t person) const { return records_[person]; }
  /// Slots ever used (some free): iterate with live() to find persons still inside.
  std::size_t slots() const { return records_.size(); }
  bool live(std::uint32_t person) const { return person < records_.size() && records_[person].exited < 0; }

  void on_service_start(Time t, AgencyId a, const Case& c, Time waited) override;
  void on_referral(Time t, ReferralId r, const Case& c, Time delay) override;
  void on_overflow(Time t, AgencyId from, AgencyId to, const Case& c) override;
  void on_dropout(Time t, AgencyId a, const Case& c, Time waited) override;
  void on_decision(Time t, AgencyId a, const Case& c, const Attributes& attributes, std::uint32_t attribute,
                   bool positive) override;
  void on_turned_away(Time t, AgencyId a, const Case& c) override;
  void on_referral_lost(Time t, ReferralId r, const Case& c) override;
  void on_consent_refused(Time t, ReferralId r, const Case& c) override;
  void on_withdrawal(Time t, AgencyId a, const Case& c) override;
  void on_retrafficked(Time t, AgencyId a, const Case& c, Time reentry) override;
  /// Sets `exited` and the final `reason`.
  void on_case_exited(Time t, const Case& c, Time in_system) override;

 private:
  void set_reason(const Case& c, ExitReason r) {
    records_[c.person].reason = r;
    records_[c.person].reason_track = c.track;
  }
  /// What on_service_start needs of each agency, copied from the scenario (whose Agency records
  /// are large and would cost cache misses at every service).
  struct AgencyFacts {
    std::uint8_t provides = 0;  ///< bit k: provides kNeeds[k]
    bool interview = false;
    Stage stage = Stage::none;
    std::uint16_t country = 0;  ///< Scenario::entry_country_index: of a person entering here
  };
  CohortScheme::Digits cohorts_;
  std::vector<AgencyFacts> agencies_;
  std::vector<PersonRecord> records_;
};

// Hooks on every event's path, inline for the statistics' direct calls.
inline void PersonLedger::on_service_start(Time t, AgencyId a, const Case& c, Time) {
  PersonRecord& p = records_[c.person];
  const AgencyFacts& ag = agencies_[a];
  if (ag.provides != 0) {
    if (p.first_service_at < 0) p.first_service_at = t;
    p.served |= ag.provides;
  }
  p.interviews += ag.interview;
  switch (ag.stage) {
    case Stage::investigation: p.investigated = true; break;
    case Stage::prosecution: p.prosecuted = true; break;
    case Stage::trial: p.tried = true; break;
    case Stage::return_home: p.returned = true; break;
    case Stage::reintegration: p.reintegrated = true; break;
    case Stage::none: break;
  }
}

inline void PersonLedger::on_referral(Time, ReferralId, const Case& c, Time) { ++records_[c.person].handoffs; }

}  // namespace refsim
