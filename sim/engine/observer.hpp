#pragma once
// What the engine publishes. Observers are read-only subscribers: statistics collectors, event
// logs, the visualiser's live view. The engine never names a sink.
//
// Every hook receives the simulated time and the case concerned as a const reference, valid only
// during the call. Hooks are called in the order the engine performs the steps, on the thread
// running the engine.
#include <cstdint>

#include "sim/model/scenario.hpp"

namespace refsim {

/// Case::source of the cases already in the mechanism at t = 0 (Agency::initial_cases).
inline constexpr SourceId kNoSource = 0xFFFFFFFFu;
/// Case::previous of a first entry (not a re-trafficked person's re-entry).
inline constexpr std::uint64_t kNoPrevious = ~std::uint64_t{0};

/// One track of one person moving through the mechanism. A person starts with one track; a
/// `fork` referral starts another (e.g. criminal justice beside services), and the person leaves
/// the mechanism when the last track ends. Slots are recycled once a track ends.
///
/// 64 bytes, aligned to a cache line: the engine reads its case at every event, and a case that
/// straddled two lines (as 80-byte ones did, three times in four) cost a second cache miss.
struct alignas(64) Case {
  std::uint64_t serial = 0;  ///< the person: 0, 1, 2… in order of entry within a replication
  Time entered = 0;          ///< when the person entered the mechanism
  Time arrived = 0;          ///< when the track arrived at its current agency (or started its transfer;
                             ///< after a hold, when the hold ended: the agency's own time starts then)
  SourceId source = 0;       ///< kNoSource for cases already there at t = 0
  AgencyId agency = 0;       ///< current agency (during a transfer: the referring agency)
  AgencyId next_agency = 0;  ///< during a transfer: the receiving agency
  ReferralId via = 0;        ///< during a transfer: the referral rule it travels along
  std::uint32_t person = 0;  ///< the person's slot (see Engine::attributes)
  std::uint32_t track = 0;   ///< 0 for the first track, 1, 2… for forks, per person
  bool live = false;         ///< the slot holds a track still in the mechanism
  bool in_transfer = false;  ///< on its way from `agency` to `next_agency`
  bool waiting = false;      ///< in `agency`'s queue
  bool held = false;         ///< at `agency` but not yet in its queue (the agency's `not_before`)
  /// The track's country, the in_country of its conditions: that of `agency` (Scenario::country_of).
  std::uint32_t country = 0;
  /// A re-entry after re-trafficking: the serial of the person's previous case; else kNoPrevious.
  std::uint64_t previous = kNoPrevious;
};
static_assert(sizeof(Case) == 64, "one case, one cache line");

/// How a deadline ended for one person.
enum class DeadlineOutcome {
  met,       ///< the target was reached within the limit
  breached,  ///< the limit passed while the person was still in the mechanism
  left,      ///< the person left the mechanism before the limit, without reaching the target
};

class Observer {
 public:
  virtual ~Observer() = default;
  /// A person entered the mechanism (from a source, the initial backlog or a re-entry), with
  /// these attributes (valid during the call); they arrive at their first agency next.
  virtual void on_case_entered(Time /*t*/, const Case& /*c*/, const Attributes& /*attributes*/) {}
  /// The case arrived at agency `a`. It then joins the queue, and exactly one of these follows, at
  /// once or later: on_service_start; on_hold (and later on_hold_end, after which it joins the
  /// queue); on_turned_away or on_overflow (the agency was full); on_dropout (it gave up waiting).
  virtual void on_arrival(Time /*t*/, AgencyId /*a*/, const Case& /*c*/) {}
  /// Service started; `waited` = t − arrival at the agency.
  virtual void on_service_start(Time /*t*/, AgencyId /*a*/, const Case& /*c*/, Time /*waited*/) {}
  /// Service ended; `in_agency` = t − arrival at the agency.
  virtual void on_service_end(Time /*t*/, AgencyId /*a*/, const Case& /*c*/, Time /*in_agency*/) {}
  /// The case was referred along `r`; it arrives after `delay` days.
  virtual void on_referral(Time /*t*/, ReferralId /*r*/, const Case& /*c*/, Time /*delay*/) {}
  /// The case left the mechanism; `in_system` = t − entry.
  virtual void on_case_exited(Time /*t*/, const Case& /*c*/, Time /*in_system*/) {}
  /// The referral along `r` was sent but never received (its `loss`); the track ends.
  virtual void on_referral_lost(Time /*t*/, ReferralId /*r*/, const Case& /*c*/) {}
  /// An adult did not consent to the referral along `r`: counted anonymously; the track ends.
  virtual void on_consent_refused(Time /*t*/, ReferralId /*r*/, const Case& /*c*/) {}
  /// The track gave up waiting at agency `a` after `waited` days (the agency's `patience`) and
  /// left the mechanism: a drop-out.
  virtual void on_dropout(Time /*t*/, AgencyId /*a*/, const Case& /*c*/, Time /*waited*/) {}
  /// A fork along `r` started a new track `c` (besides the track that was served).
  virtual void on_fork(Time /*t*/, ReferralId /*r*/, const Case& /*c*/) {}
  /// Deadline `d` was settled for the person of `c`, `elapsed` days after it started. On a
  /// breach, `agency` is the agency responsible when the limit passed: for an arrival target, the
  /// agency sending one of the person's tracks there, if one is on its way; otherwise the agency
  /// holding (or sending) the person's earliest track;
  /// when met, the target agency; when the person left first, the agency they left from.
  virtual void on_deadline(Time /*t*/, DeadlineId /*d*/, const Case& /*c*/, DeadlineOutcome /*outcome*/,
                           AgencyId /*agency*/, Time /*elapsed*/) {}
  /// Agency `a` decided state attribute `attribute` (attr::kPresumed, …) for the person of `c`,
  /// whose attributes (after the decision) are `attributes`.
  virtual void on_decision(Time /*t*/, AgencyId /*a*/, const Case& /*c*/, const Attributes& /*attributes*/,
                           std::uint32_t /*attribute*/, bool /*positive*/) {}
  /// Agency `a` was full (all servers or beds taken) and its policy is "turn_away": the track ends.
  virtual void on_turned_away(Time /*t*/, AgencyId /*a*/, const Case& /*c*/) {}
  /// Agency `from` was full and its policy is "overflow": the case goes at once to `to`
  /// (on_arrival at `to` follows).
  virtual void on_overflow(Time /*t*/, AgencyId /*from*/, AgencyId /*to*/, const Case& /*c*/) {}
  /// The case arrived at `a` (on_arrival came first) but may not be served before `until` (the
  /// agency's `not_before`, e.g. a recovery and reflection period): it is held, not in the queue.
  virtual void on_hold(Time /*t*/, AgencyId /*a*/, const Case& /*c*/, Time /*until*/) {}
  /// The hold ended: the case joins agency a's queue now (service may start at once, or the
  /// agency's when_full policy apply).
  virtual void on_hold_end(Time /*t*/, AgencyId /*a*/, const Case& /*c*/) {}
  /// The person withdrew at the end of service at `a` (the agency's `withdrawal`): the track ends.
  virtual void on_withdrawal(Time /*t*/, AgencyId /*a*/, const Case& /*c*/) {}
  /// After service at `a` the person was trafficked again; they re-enter as a new case (with
  /// Case::previous = c.serial) at time `reentry`, if that is before the horizon.
  virtual void on_retrafficked(Time /*t*/, AgencyId /*a*/, const Case& /*c*/, Time /*reentry*/) {}
  /// The run starts: heard once, at the first run_until, before any event (t is the clock then, 0).
  virtual void on_run_start(Time /*t*/) {}
  /// Warm-up ended: statistics restart from here.
  virtual void on_warmup_end(Time /*t*/) {}
  /// The observation window closed at the horizon (BasicEngine::end_run): every event up to it
  /// has been heard, and nobody enters after it. The follow-up may come next: the persons still
  /// in the mechanism go on (their hooks follow, at times after the horizon) until they leave.
  virtual void on_horizon(Time /*horizon*/) {}
  /// The run ended at `t` (>= the horizon; later with a follow-up): persons still in the
  /// mechanism stay in it. Heard once, after on_horizon; no hook follows.
  virtual void on_run_end(Time /*t*/) {}
  /// A parameter changed (Engine::apply, a scenario's [[change]], the visualiser, an inject):
  /// `change` as applied, `previous` the same fields with the values they had just before. Heard
  /// after the change took effect but before the services it lets start (those follow, at t).
  virtual void on_parameter_changed(Time /*t*/, const Change& /*change*/, const Change& /*previous*/) {}
};

}  // namespace refsim
