#pragma once
// An event-trace fingerprint, as OMNeT++'s fingerprint tests keep one: an Observer that folds
// every hook it hears, in order, into one 64-bit number. Two runs with the same fingerprint
// published the same hooks with the same arguments at the same times; a change anywhere in the
// model, the random streams or the event order shows up as a different number.
//
// What each hook contributes, as 64-bit words folded in this order:
//   its kind (kHook… below, one small number per hook, never reused),
//   the time (the bit pattern of the double),
//   its ids and other integer or enum arguments (agency, referral, deadline, outcome, attribute,
//   positive; in on_case_entered and on_decision the person's attributes up to attr::kEnteredIn;
//   in on_parameter_changed the change's target and index),
//   the person (Case::serial, then Case::track), for the hooks about one,
//   its time-valued arguments (waited, in_agency, delay, in_system, elapsed, until, reentry), as
//   bit patterns.
// Case::person (a recycled slot) and other bookkeeping are left out: they may change without the
// results changing. So are the location attributes (entered_in, in_country): they are the countries
// of agencies whose ids the trace holds already (where the person entered, where the track
// arrived), so folding them would add nothing but a change of every constant when they came in.
//
// The hash is platform-independent: plain 64-bit integer arithmetic on values, never on memory
// layout, and no std::hash. Each word w is folded as h = mix(h ^ w), where mix is SplitMix64's
// step (Steele, Lea and Flood 2014: add the golden gamma, then Stafford's variant-13 finalizer), a
// bijection, so that every word, and the order of the words, changes the result.
//
//   refsim::test::Fingerprint fp;
//   engine.add_observer(fp);
//   engine.end_run(horizon, follow_up);  // on_horizon and on_run_end are folded in too
//   fp.value();  // compare with a stored constant
#include <bit>
#include <cstdint>

#include "sim/engine/observer.hpp"

namespace refsim::test {

class Fingerprint final : public Observer {
 public:
  /// Hook kinds: stable numbers, part of every stored fingerprint. Add new ones at the end.
  enum Hook : std::uint64_t {
    kHookCaseEntered = 1,
    kHookArrival = 2,
    kHookServiceStart = 3,
    kHookServiceEnd = 4,
    kHookReferral = 5,
    kHookCaseExited = 6,
    kHookReferralLost = 7,
    kHookConsentRefused = 8,
    kHookDropout = 9,
    kHookFork = 10,
    kHookDeadline = 11,
    kHookDecision = 12,
    kHookTurnedAway = 13,
    kHookOverflow = 14,
    kHookHold = 15,
    kHookHoldEnd = 16,
    kHookWithdrawal = 17,
    kHookRetrafficked = 18,
    kHookWarmupEnd = 19,
    kHookParameterChanged = 20,
    kHookRunStart = 21,
    kHookRunEnd = 22,
    kHookHorizon = 23,
  };

  /// The fingerprint of every hook heard so far (a fixed starting value before the first).
  std::uint64_t value() const { return h_; }
  /// How many hooks were heard.
  std::uint64_t hooks() const { return hooks_; }

  /// SplitMix64's step: a bijection on 64-bit words.
  static constexpr std::uint64_t mix(std::uint64_t z) {
    z += 0x9E3779B97F4A7C15u;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9u;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBu;
    return z ^ (z >> 31);
  }

  void on_case_entered(Time t, const Case& c, const Attributes& attributes) override {
    begin(kHookCaseEntered, t);
    fold_attributes(attributes);
    person(c);
  }
  void on_arrival(Time t, AgencyId a, const Case& c) override { begin(kHookArrival, t).word(a).person(c); }
  void on_service_start(Time t, AgencyId a, const Case& c, Time waited) override {
    begin(kHookServiceStart, t).word(a).person(c).time(waited);
  }
  void on_service_end(Time t, AgencyId a, const Case& c, Time in_agency) override {
    begin(kHookServiceEnd, t).word(a).person(c).time(in_agency);
  }
  void on_referral(Time t, ReferralId r, const Case& c, Time delay) override {
    begin(kHookReferral, t).word(r).person(c).time(delay);
  }
  void on_case_exited(Time t, const Case& c, Time in_system) override {
    begin(kHookCaseExited, t).person(c).time(in_system);
  }
  void on_referral_lost(Time t, ReferralId r, const Case& c) override { begin(kHookReferralLost, t).word(r).person(c); }
  void on_consent_refused(Time t, ReferralId r, const Case& c) override {
    begin(kHookConsentRefused, t).word(r).person(c);
  }
  void on_dropout(Time t, AgencyId a, const Case& c, Time waited) override {
    begin(kHookDropout, t).word(a).person(c).time(waited);
  }
  void on_fork(Time t, ReferralId r, const Case& c) override { begin(kHookFork, t).word(r).person(c); }
  void on_deadline(Time t, DeadlineId d, const Case& c, DeadlineOutcome outcome, AgencyId agency,
                   Time elapsed) override {
    begin(kHookDeadline, t).word(d).word(static_cast<std::uint64_t>(outcome)).word(agency).person(c).time(elapsed);
  }
  void on_decision(Time t, AgencyId a, const Case& c, const Attributes& attributes, std::uint32_t attribute,
                   bool positive) override {
    begin(kHookDecision, t).word(a).word(attribute).word(positive ? 1 : 0);
    fold_attributes(attributes);
    person(c);
  }
  void on_turned_away(Time t, AgencyId a, const Case& c) override { begin(kHookTurnedAway, t).word(a).person(c); }
  void on_overflow(Time t, AgencyId from, AgencyId to, const Case& c) override {
    begin(kHookOverflow, t).word(from).word(to).person(c);
  }
  void on_hold(Time t, AgencyId a, const Case& c, Time until) override {
    begin(kHookHold, t).word(a).person(c).time(until);
  }
  void on_hold_end(Time t, AgencyId a, const Case& c) override { begin(kHookHoldEnd, t).word(a).person(c); }
  void on_withdrawal(Time t, AgencyId a, const Case& c) override { begin(kHookWithdrawal, t).word(a).person(c); }
  void on_retrafficked(Time t, AgencyId a, const Case& c, Time reentry) override {
    begin(kHookRetrafficked, t).word(a).person(c).time(reentry);
  }
  void on_run_start(Time t) override { begin(kHookRunStart, t); }
  void on_warmup_end(Time t) override { begin(kHookWarmupEnd, t); }
  void on_horizon(Time horizon) override { begin(kHookHorizon, horizon); }
  void on_run_end(Time t) override { begin(kHookRunEnd, t); }
  /// What changed (its target and index), not the values: those show in every hook that follows.
  void on_parameter_changed(Time t, const Change& change, const Change& /*previous*/) override {
    begin(kHookParameterChanged, t).word(static_cast<std::uint64_t>(change.target)).word(change.index);
  }

 private:
  Fingerprint& word(std::uint64_t w) {
    h_ = mix(h_ ^ w);
    return *this;
  }
  Fingerprint& time(Time t) { return word(std::bit_cast<std::uint64_t>(t)); }
  /// The attributes before the location attributes (see the file comment).
  void fold_attributes(const Attributes& attributes) {
    for (std::uint32_t k = 0; k < attr::kEnteredIn; ++k) word(attributes[k]);
  }
  Fingerprint& person(const Case& c) { return word(c.serial).word(c.track); }
  Fingerprint& begin(Hook kind, Time t) {
    ++hooks_;
    return word(kind).time(t);
  }

  std::uint64_t h_ = 0xCBF29CE484222325u;  // FNV-1a's offset basis: any fixed non-zero start would do
  std::uint64_t hooks_ = 0;
};

}  // namespace refsim::test
