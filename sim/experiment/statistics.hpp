#pragma once
// Per-replication statistics: an Observer that turns engine events into the measures of one run.
//
// Two kinds of measure, over the window [warmup, horizon]:
// - Counts per day and time averages (arrivals, throughput, decisions taken, utilization, queue
//   length, referrals sent…) count the events inside the window and integrate over it.
// - Times and outcomes follow what BEGAN in the window to its end, however long it lasts: waits
//   and times in agency of the visits that arrived at an agency in the window, times in the
//   mechanism and the cohorts of the persons who entered in it, deadlines whose clock started in
//   it. The engine's follow-up after the horizon (BasicEngine::end_run, [run] follow_up) lets
//   them finish; nobody enters then. Counting only the stays that ended inside the window would
//   leave out the long ones and bias every time low (right-censoring).
// Cohorts (age group × exploitation × national/foreign, and overall) are the persons who entered
// in the window; their measures are over those who left by the end of the follow-up (those still
// inside then are CaseResult::still_in_after_follow_up). Deadline outcomes per cohort
// (DeadlineResult::cohorts) are by the person's cohort at entry.
#include <algorithm>
#include <array>
#include <cstdint>
#include <functional>
#include <limits>
#include <string_view>
#include <vector>

#include "sim/engine/observer.hpp"
#include "sim/experiment/estimate.hpp"
#include "sim/experiment/person_ledger.hpp"

namespace refsim {

class EngineState;

struct AgencyResult {
  double arrivals = 0;            ///< visits that arrived in the window
  double throughput_per_day = 0;  ///< completions per day in the window
  /// Busy server-time / staffed server-time in the window; NaN if unlimited or never staffed. With
  /// servers constant, the time-average busy servers / servers. When a change cuts servers below
  /// the busy ones, those finishing their cases count as staffed until they finish (so it is <= 1).
  double utilization = kNaN;
  double mean_queue_length = 0;  ///< time-average number waiting (not in service)
  double mean_in_service = 0;    ///< time-average number in service
  /// Arrival → service start, over the visits that arrived in the window (followed up); NaN with
  /// no observation.
  double mean_wait_days = kNaN;
  double mean_time_in_agency_days = kNaN;  ///< arrival → service end, over the same visits
  double deadline_breaches_caused = 0;     ///< breaches while the person was held (or sent) here
  double decisions_positive = 0;           ///< decisions taken here (Agency::decision), positive
  double decisions_negative = 0;           ///< … and negative
  double false_positives = 0;              ///< positive for people who are not in fact victims
  double false_negatives = 0;              ///< negative for people who are in fact victims
  double dropouts = 0;                     ///< gave up waiting here (the agency's patience)
  double beds_occupied = kNaN;             ///< residential agencies: time-average beds occupied
  double turned_away = 0;                  ///< found it full and were turned away (when_full)
  double overflowed = 0;                   ///< found it full and were sent on (overflow:<agency>)
  double held = 0;                         ///< arrivals held before service (not_before)
  double withdrawals = 0;                  ///< persons who withdrew at the end of service here
  double interviews = 0;                   ///< service starts here when `interview = true`
  /// Cases here at the horizon: waiting, in service or held (not_before) — a backlog's stock at the
  /// end of the window (e.g. the decisions still pending at a year's end). Not an observation in the
  /// window: cases in transfer towards the agency are not in it.
  double in_agency_at_end = 0;
  // The observations behind the figures above (Metric::basis), not reported as metrics.
  double starts = 0;       ///< service starts of the visits that arrived in the window (followed up)
  double visits_done = 0;  ///< service ends of those visits
  double completions = 0;  ///< service ends in the window
};

struct ReferralResult {
  double sent = 0;             ///< referrals made along the rule (forks included)
  double lost = 0;             ///< sent but never received
  double consent_refused = 0;  ///< adults who did not consent: anonymous notifications
  /// Referrals drawn: sent + consent_refused, the basis of consent_refused (set by finish()).
  double drawn = 0;
};

/// One deadline's outcomes for the persons of one cohort (their cohort at entry, Scenario::cohorts),
/// counted by the same rule as DeadlineResult: when settled inside the window.
struct DeadlineCohortResult {
  double met = 0;
  double breached = 0;
  double left = 0;
  double compliance = kNaN;  ///< met / (met + breached); NaN when no case of the cohort was measured
  double measured = 0;       ///< met + breached: the basis of compliance
  double settled = 0;        ///< met + breached + left: the basis of the counts
};

struct DeadlineResult {
  double met = 0;
  double breached = 0;
  double left = 0;                  ///< left the mechanism before the limit without reaching the target
  double compliance = kNaN;         ///< met / (met + breached); NaN when no case was measured
  double mean_elapsed_days = kNaN;  ///< from start to the target, over cases that met it
  double measured = 0;              ///< met + breached: the basis of compliance
  double settled = 0;               ///< met + breached + left: the basis of the counts
  /// Per cohort of Scenario::cohorts, in its order; each outcome counts in exactly one cohort, so the cohorts'
  /// met, breached and left add up to the fields above.
  std::vector<DeadlineCohortResult> cohorts;
};

struct CaseResult {
  double entered = 0;           ///< persons entering in the window
  double exited = 0;            ///< persons leaving in the window (whenever they entered)
  double in_system_at_end = 0;  ///< persons in the mechanism at the horizon
  /// Persons who entered in the window and were still in the mechanism when the follow-up ended:
  /// their times are unknown (censored). 0 when every stay was followed to its end.
  double still_in_after_follow_up = 0;
  /// Entry → exit, over the persons who entered in the window and left by the end of the follow-up.
  double mean_time_in_system_days = kNaN;
  /// The grounds-decision backlog at the horizon: persons waiting for, held before or in a
  /// reasonable-grounds or conclusive-grounds (identified) decision, at every agency that takes one
  /// (queue + in service + held). NaN when no agency takes such a decision.
  double grounds_backlog_at_end = kNaN;
  /// Persons who entered in the window and left by the end of the follow-up: the basis of
  /// mean_time_in_system_days (Metric::basis), not reported as a metric.
  double followed = 0;
};

/// One cohort's measures over its persons who entered in the window and left by the end of the
/// follow-up (see the file comment). Times are from entry, in days; medians and p90 are exact
/// (nearest rank: the ⌈p·n⌉-th smallest of the n times).
struct CohortResult {
  double entered = 0;                      ///< persons entering in the window
  double exited = 0;                       ///< … who left by the end of the follow-up: the base of what follows
  double victims = 0;                      ///< … who are in fact victims
  double identified = 0;                   ///< … with a positive decision on `identified`
  double victims_identified_share = kNaN;  ///< identified victims / victims
  double false_positives = 0;              ///< identified, but not in fact victims
  double time_to_presumed_days_mean = kNaN, time_to_presumed_days_median = kNaN, time_to_presumed_days_p90 = kNaN;
  double time_to_reasonable_grounds_days_mean = kNaN, time_to_reasonable_grounds_days_median = kNaN,
         time_to_reasonable_grounds_days_p90 = kNaN;
  double time_to_identified_days_mean = kNaN, time_to_identified_days_median = kNaN, time_to_identified_days_p90 = kNaN;
  double time_to_first_service_days_mean = kNaN, time_to_first_service_days_median = kNaN,
         time_to_first_service_days_p90 = kNaN;
  /// Per need: persons with needs.<need> served by an agency that provides it / persons with it.
  double covered_shelter = kNaN, covered_medical = kNaN, covered_psychological = kNaN, covered_legal_aid = kNaN,
         covered_interpretation = kNaN, covered_family_tracing = kNaN, covered_repatriation = kNaN;
  double dropout_share = kNaN;        ///< persons with a drop-out / exited
  double handoffs_per_case = kNaN;    ///< referrals received (forks and overflows included) per person
  double interviews_per_case = kNaN;  ///< service starts at interviewing agencies per person
  double withdrawals = 0;             ///< persons who withdrew
  double investigations = 0;          ///< persons served at a stage = "investigation" agency
  double prosecutions = 0;            ///< … "prosecution"
  double trials = 0;                  ///< … "trial"
  double convictions = 0;             ///< persons with a positive decision on `convicted`
  double returns = 0;                 ///< persons served at a stage = "return" agency
  double reintegrations = 0;          ///< … "reintegration"
  double retrafficked = 0;            ///< persons trafficked again after return / reintegration
  double reentries = 0;               ///< persons who were re-entries (Case::previous set)
  // The observations behind the figures above (Metric::basis), not reported as metrics: persons
  // who reached each milestone (the time_to_* figures), and persons with each need (covered_*).
  double reached_presumed = 0, reached_reasonable_grounds = 0, reached_identified = 0, reached_first_service = 0;
  double needing_shelter = 0, needing_medical = 0, needing_psychological = 0, needing_legal_aid = 0,
         needing_interpretation = 0, needing_family_tracing = 0, needing_repatriation = 0;
};
/// The CohortResult fields for each need, in kNeeds order.
inline constexpr std::array<double CohortResult::*, kNeeds.size()> kCoveredFields{
    &CohortResult::covered_shelter,     &CohortResult::covered_medical,        &CohortResult::covered_psychological,
    &CohortResult::covered_legal_aid,   &CohortResult::covered_interpretation, &CohortResult::covered_family_tracing,
    &CohortResult::covered_repatriation};
/// The CohortResult fields counting the persons with each need, in kNeeds order.
inline constexpr std::array<double CohortResult::*, kNeeds.size()> kNeedingFields{
    &CohortResult::needing_shelter,     &CohortResult::needing_medical,        &CohortResult::needing_psychological,
    &CohortResult::needing_legal_aid,   &CohortResult::needing_interpretation, &CohortResult::needing_family_tracing,
    &CohortResult::needing_repatriation};

/// The nearest-rank p-quantile of `v`: its ⌈p·n⌉-th smallest value (0 < p <= 1), exact; NaN when
/// v is empty. Reorders v (std::nth_element, linear time).
double nearest_rank(std::vector<double>& v, double p);

/// Sampled state over time (replication 0 only; see RunOptions::sample_every). Time-major:
/// entry [k * agencies + a] is agency a at times[k].
struct TimeSeries {
  std::vector<Time> times;
  std::vector<std::uint32_t> queue;       ///< waiting in the queue (Engine::queue_length)
  std::vector<std::uint32_t> in_service;  ///< busy servers or beds (Engine::busy)
  std::vector<std::uint32_t> held;        ///< held before service (not_before)
  /// Servers or beds available for new services (0 while closed by a change); kUnlimited for an
  /// agency without a limit.
  std::vector<std::uint32_t> capacity;
  static constexpr std::uint32_t kUnlimited = 0xFFFFFFFFu;
  /// Per time: cases waiting or in service at agencies whose decision sets reasonable_grounds or
  /// identified.
  std::vector<std::uint32_t> grounds_backlog;
};

struct ReplicationResult {
  std::vector<AgencyResult> agencies;
  std::vector<ReferralResult> referrals;
  std::vector<DeadlineResult> deadlines;
  CaseResult cases;
  std::vector<CohortResult> cohorts;  ///< Scenario::cohorts' cohorts in their order, then overall
  /// Per country of entry (Scenario::countries order), when the scenario names two or more; else empty.
  std::vector<CohortResult> countries;
  /// The agencies of each country together (Scenario::countries order; an agency without a
  /// country counts in the home country's), when the scenario names two or more; else empty. Counts,
  /// queues and beds are sums; waits and times are over all their visits; utilization is busy
  /// server-time over staffed server-time of the agencies with a limit (NaN when none has one).
  std::vector<AgencyResult> agency_countries;
  TimeSeries timeseries;  ///< empty except in replication 0 with sampling on
  std::uint64_t events_processed = 0;
};

/// A metric declared once: its output name, where it lives, its kind (which fixes its range and
/// its interval, sim/experiment/estimate.hpp) and its basis: the field of the same row that counts
/// the observations behind it in a replication (a share's denominator; for a count, the
/// population it counts in, or the count itself). JSON, CSV and tables derive from it.
template <class Row>
struct Metric {
  std::string_view name;
  double Row::*field;
  Kind kind;
  double Row::*basis;
};
/// The index in `metrics` of the metric held in `field` (N when none is).
template <class Row, std::size_t N>
constexpr std::size_t metric_index(const std::array<Metric<Row>, N>& metrics, double Row::*field) {
  for (std::size_t i = 0; i < N; ++i) {
    if (metrics[i].field == field) return i;
  }
  return N;
}
// Bases: a time-average rests on the arrivals, a wait on the service starts of the visits followed, a
// time in agency on their ends, a decision on the completions; a person's measure on the persons who
// exited (or reached the milestone, or had the need).
inline constexpr std::array<Metric<AgencyResult>, 20> kAgencyMetrics{{
    {"arrivals", &AgencyResult::arrivals, Kind::count, &AgencyResult::arrivals},
    {"throughput_per_day", &AgencyResult::throughput_per_day, Kind::nonnegative, &AgencyResult::completions},
    {"utilization", &AgencyResult::utilization, Kind::fraction, &AgencyResult::arrivals},
    {"mean_queue_length", &AgencyResult::mean_queue_length, Kind::nonnegative, &AgencyResult::arrivals},
    {"mean_in_service", &AgencyResult::mean_in_service, Kind::nonnegative, &AgencyResult::arrivals},
    {"mean_wait_days", &AgencyResult::mean_wait_days, Kind::nonnegative, &AgencyResult::starts},
    {"mean_time_in_agency_days", &AgencyResult::mean_time_in_agency_days, Kind::nonnegative,
     &AgencyResult::visits_done},
    {"deadline_breaches_caused", &AgencyResult::deadline_breaches_caused, Kind::count, &AgencyResult::arrivals},
    {"decisions_positive", &AgencyResult::decisions_positive, Kind::count, &AgencyResult::completions},
    {"decisions_negative", &AgencyResult::decisions_negative, Kind::count, &AgencyResult::completions},
    {"false_positives", &AgencyResult::false_positives, Kind::count, &AgencyResult::completions},
    {"false_negatives", &AgencyResult::false_negatives, Kind::count, &AgencyResult::completions},
    {"dropouts", &AgencyResult::dropouts, Kind::count, &AgencyResult::arrivals},
    {"beds_occupied", &AgencyResult::beds_occupied, Kind::nonnegative, &AgencyResult::arrivals},
    {"turned_away", &AgencyResult::turned_away, Kind::count, &AgencyResult::arrivals},
    {"overflowed", &AgencyResult::overflowed, Kind::count, &AgencyResult::arrivals},
    {"held", &AgencyResult::held, Kind::count, &AgencyResult::arrivals},
    {"withdrawals", &AgencyResult::withdrawals, Kind::count, &AgencyResult::completions},
    {"interviews", &AgencyResult::interviews, Kind::count, &AgencyResult::starts},
    {"in_agency_at_end", &AgencyResult::in_agency_at_end, Kind::count, &AgencyResult::arrivals},
}};
inline constexpr std::array<Metric<ReferralResult>, 3> kReferralMetrics{{
    {"sent", &ReferralResult::sent, Kind::count, &ReferralResult::sent},
    {"lost", &ReferralResult::lost, Kind::count, &ReferralResult::sent},
    {"consent_refused", &ReferralResult::consent_refused, Kind::count, &ReferralResult::drawn},
}};
inline constexpr std::array<Metric<DeadlineResult>, 5> kDeadlineMetrics{{
    {"met", &DeadlineResult::met, Kind::count, &DeadlineResult::settled},
    {"breached", &DeadlineResult::breached, Kind::count, &DeadlineResult::settled},
    {"left", &DeadlineResult::left, Kind::count, &DeadlineResult::settled},
    {"compliance", &DeadlineResult::compliance, Kind::share, &DeadlineResult::measured},
    {"mean_elapsed_days", &DeadlineResult::mean_elapsed_days, Kind::nonnegative, &DeadlineResult::met},
}};
inline constexpr std::array<Metric<DeadlineCohortResult>, 4> kDeadlineCohortMetrics{{
    {"met", &DeadlineCohortResult::met, Kind::count, &DeadlineCohortResult::settled},
    {"breached", &DeadlineCohortResult::breached, Kind::count, &DeadlineCohortResult::settled},
    {"left", &DeadlineCohortResult::left, Kind::count, &DeadlineCohortResult::settled},
    {"compliance", &DeadlineCohortResult::compliance, Kind::share, &DeadlineCohortResult::measured},
}};
inline constexpr std::array<Metric<CaseResult>, 6> kCaseMetrics{{
    {"entered", &CaseResult::entered, Kind::count, &CaseResult::entered},
    {"exited", &CaseResult::exited, Kind::count, &CaseResult::exited},
    {"in_system_at_end", &CaseResult::in_system_at_end, Kind::count, &CaseResult::in_system_at_end},
    {"still_in_after_follow_up", &CaseResult::still_in_after_follow_up, Kind::count, &CaseResult::entered},
    {"mean_time_in_system_days", &CaseResult::mean_time_in_system_days, Kind::nonnegative, &CaseResult::followed},
    {"grounds_backlog_at_end", &CaseResult::grounds_backlog_at_end, Kind::count, &CaseResult::entered},
}};

inline constexpr std::array<Metric<CohortResult>, 37> kCohortMetrics{{
    {"entered", &CohortResult::entered, Kind::count, &CohortResult::entered},
    {"exited", &CohortResult::exited, Kind::count, &CohortResult::exited},
    {"victims", &CohortResult::victims, Kind::count, &CohortResult::exited},
    {"identified", &CohortResult::identified, Kind::count, &CohortResult::exited},
    {"victims_identified_share", &CohortResult::victims_identified_share, Kind::share, &CohortResult::victims},
    {"false_positives", &CohortResult::false_positives, Kind::count, &CohortResult::exited},
    {"time_to_presumed_days_mean", &CohortResult::time_to_presumed_days_mean, Kind::nonnegative,
     &CohortResult::reached_presumed},
    {"time_to_presumed_days_median", &CohortResult::time_to_presumed_days_median, Kind::nonnegative,
     &CohortResult::reached_presumed},
    {"time_to_presumed_days_p90", &CohortResult::time_to_presumed_days_p90, Kind::nonnegative,
     &CohortResult::reached_presumed},
    {"time_to_reasonable_grounds_days_mean", &CohortResult::time_to_reasonable_grounds_days_mean, Kind::nonnegative,
     &CohortResult::reached_reasonable_grounds},
    {"time_to_reasonable_grounds_days_median", &CohortResult::time_to_reasonable_grounds_days_median, Kind::nonnegative,
     &CohortResult::reached_reasonable_grounds},
    {"time_to_reasonable_grounds_days_p90", &CohortResult::time_to_reasonable_grounds_days_p90, Kind::nonnegative,
     &CohortResult::reached_reasonable_grounds},
    {"time_to_identified_days_mean", &CohortResult::time_to_identified_days_mean, Kind::nonnegative,
     &CohortResult::reached_identified},
    {"time_to_identified_days_median", &CohortResult::time_to_identified_days_median, Kind::nonnegative,
     &CohortResult::reached_identified},
    {"time_to_identified_days_p90", &CohortResult::time_to_identified_days_p90, Kind::nonnegative,
     &CohortResult::reached_identified},
    {"time_to_first_service_days_mean", &CohortResult::time_to_first_service_days_mean, Kind::nonnegative,
     &CohortResult::reached_first_service},
    {"time_to_first_service_days_median", &CohortResult::time_to_first_service_days_median, Kind::nonnegative,
     &CohortResult::reached_first_service},
    {"time_to_first_service_days_p90", &CohortResult::time_to_first_service_days_p90, Kind::nonnegative,
     &CohortResult::reached_first_service},
    {"covered_shelter", &CohortResult::covered_shelter, Kind::share, &CohortResult::needing_shelter},
    {"covered_medical", &CohortResult::covered_medical, Kind::share, &CohortResult::needing_medical},
    {"covered_psychological", &CohortResult::covered_psychological, Kind::share, &CohortResult::needing_psychological},
    {"covered_legal_aid", &CohortResult::covered_legal_aid, Kind::share, &CohortResult::needing_legal_aid},
    {"covered_interpretation", &CohortResult::covered_interpretation, Kind::share,
     &CohortResult::needing_interpretation},
    {"covered_family_tracing", &CohortResult::covered_family_tracing, Kind::share,
     &CohortResult::needing_family_tracing},
    {"covered_repatriation", &CohortResult::covered_repatriation, Kind::share, &CohortResult::needing_repatriation},
    {"dropout_share", &CohortResult::dropout_share, Kind::share, &CohortResult::exited},
    {"handoffs_per_case", &CohortResult::handoffs_per_case, Kind::nonnegative, &CohortResult::exited},
    {"interviews_per_case", &CohortResult::interviews_per_case, Kind::nonnegative, &CohortResult::exited},
    {"withdrawals", &CohortResult::withdrawals, Kind::count, &CohortResult::exited},
    {"investigations", &CohortResult::investigations, Kind::count, &CohortResult::exited},
    {"prosecutions", &CohortResult::prosecutions, Kind::count, &CohortResult::exited},
    {"trials", &CohortResult::trials, Kind::count, &CohortResult::exited},
    {"convictions", &CohortResult::convictions, Kind::count, &CohortResult::exited},
    {"returns", &CohortResult::returns, Kind::count, &CohortResult::exited},
    {"reintegrations", &CohortResult::reintegrations, Kind::count, &CohortResult::exited},
    {"retrafficked", &CohortResult::retrafficked, Kind::count, &CohortResult::exited},
    {"reentries", &CohortResult::reentries, Kind::count, &CohortResult::exited},
}};

/// Usage: construct with the replication's engine (it reads the scenario and the servers at the
/// start), make it the engine's sink (ReplicationEngine::set_sink), run, then finish().
class StatisticsCollector final : public Observer {
 public:
  explicit StatisticsCollector(const EngineState& engine);

  void on_case_entered(Time t, const Case& c, const Attributes&) override;
  void on_arrival(Time t, AgencyId a, const Case& c) override;
  void on_service_start(Time t, AgencyId a, const Case& c, Time waited) override;
  void on_service_end(Time t, AgencyId a, const Case& c, Time in_agency) override;
  void on_case_exited(Time t, const Case& c, Time in_system) override;
  void on_referral(Time t, ReferralId r, const Case& c, Time delay) override;
  void on_dropout(Time t, AgencyId a, const Case& c, Time waited) override;
  void on_decision(Time t, AgencyId a, const Case& c, const Attributes& attributes, std::uint32_t attribute,
                   bool positive) override;
  void on_referral_lost(Time t, ReferralId r, const Case& c) override;
  void on_consent_refused(Time t, ReferralId r, const Case& c) override;
  void on_deadline(Time t, DeadlineId d, const Case& c, DeadlineOutcome outcome, AgencyId agency,
                   Time elapsed) override;
  void on_warmup_end(Time t) override;
  void on_horizon(Time t) override;
  void on_turned_away(Time t, AgencyId a, const Case& c) override;
  void on_overflow(Time t, AgencyId from, AgencyId to, const Case& c) override;
  void on_hold(Time t, AgencyId a, const Case& c, Time until) override;
  void on_hold_end(Time t, AgencyId a, const Case& c) override;
  void on_withdrawal(Time t, AgencyId a, const Case& c) override;
  void on_retrafficked(Time t, AgencyId a, const Case& c, Time reentry) override;
  void on_parameter_changed(Time t, const Change& change, const Change& previous) override;

  /// What happened to each person in the mechanism, kept once per replication: the watchers of
  /// replication 0 (the milestone file, the event log) read it too.
  const PersonLedger& ledger() const { return ledger_; }
  /// Cases held (not_before) at agency `a` now: for time series.
  std::uint32_t held_now(AgencyId a) const { return static_cast<std::uint32_t>(acc_[a].held); }

  /// The results, after the engine's end_run (with or without a follow-up); `events` is the
  /// engine's count. Without end_run, the window is closed at the scenario's horizon.
  ReplicationResult finish(std::uint64_t events) const;

 private:
  struct Acc {
    // Events in the window (reset at the warm-up, frozen at the horizon: see window_).
    std::uint64_t arrivals = 0, completions = 0;
    std::uint64_t positive = 0, negative = 0, false_positive = 0, false_negative = 0, dropouts = 0;
    double queue_area = 0, busy_area = 0;
    // The visits that arrived in the window, followed to their end; and the breaches of deadlines
    // that started in it. Never reset: the window test is on the arrival or start time.
    std::uint64_t starts = 0, visits_done = 0, breaches = 0;
    double wait_sum = 0, time_sum = 0;
    std::uint64_t turned_away = 0, overflowed = 0, holds = 0, withdrawals = 0, interviews = 0;
    double last = 0;
    std::int64_t queue = 0, busy = 0, held = 0;  // current levels, kept across the warm-up reset
    bool interview = false;                      // the agency's Agency::interview
    void advance(Time t) {
      queue_area += static_cast<double>(queue) * (t - last);
      busy_area += static_cast<double>(busy) * (t - last);
      last = t;
    }
    // Staffed server-time, for utilization once servers change: the servers, or the busy ones
    // when more (a cut lets cases in service finish). It changes only at changes and at service
    // ends above the servers, so it is integrated there, off the common path.
    std::int64_t servers = 0, staffed = 0;  // levels now: staffed = max(servers, busy)
    double staffed_area = 0, staffed_last = 0;
    bool servers_changed = false;  // some change set this agency's servers (before or in the window)
    void advance_staffed(Time t) {
      staffed_area += static_cast<double>(staffed) * (t - staffed_last);
      staffed_last = t;
    }
  };
  struct CohortAcc {
    std::uint64_t entered = 0, exited = 0, victims = 0, identified = 0, victims_identified = 0;
    std::uint64_t false_positives = 0, dropouts = 0, handoffs = 0, interviews = 0, withdrawals = 0;
    std::uint64_t investigations = 0, prosecutions = 0, trials = 0, convictions = 0, returns = 0;
    std::uint64_t reintegrations = 0, retrafficked = 0, reentries = 0;
    std::array<std::uint64_t, kNeeds.size()> need{}, covered{};
    // Times from entry: presumed, reasonable grounds, identified, first service (for exact quantiles).
    std::array<std::vector<double>, 4> times;
    std::array<double, 4> time_sums{};
    /// A person's exit; `at` holds their times of presumed, reasonable grounds, identified and
    /// first service (negative: not reached). Their times from entry are also added, in the same
    /// order, to `overall_time_sums` (the overall cohort's, see on_case_exited).
    void add(const PersonRecord& p, const std::array<Time, 4>& at, std::array<double, 4>& overall_time_sums);
    /// The measures (reorders `times`).
    CohortResult result();
    /// Adds o's counts and times (not its time sums) to these.
    void merge_counts(const CohortAcc& o);
  };
  /// Whether something that began at t began in the window [warmup, horizon].
  bool in_window(Time t) const { return t >= window_start_ && t <= window_end_; }

  const Scenario& scenario_;
  PersonLedger ledger_;
  std::vector<CohortAcc> cohorts_;             // Scenario::cohorts; the overall one is merged in finish()
  std::vector<CohortAcc> countries_;           // per country of entry (Scenario::by_country), else empty
  std::array<double, 4> overall_time_sums_{};  // the overall cohort's CohortAcc::time_sums
  Time window_start_ = 0, window_end_ = 0;     // the scenario's warm-up and horizon
  std::vector<Acc> acc_;
  std::vector<ReferralResult> referrals_;
  // Frozen at the horizon (on_horizon): the window's counts, while the follow-up goes on.
  bool horizon_seen_ = false;
  std::vector<Acc> window_;
  std::vector<ReferralResult> window_referrals_;
  std::uint64_t window_exited_ = 0, in_system_at_horizon_ = 0;
  std::uint64_t present_ = 0;  // persons in the mechanism now
  struct DeadlineAcc {
    std::uint64_t met = 0, breached = 0, left = 0;
    double elapsed_sum = 0;
    struct Counts {
      std::uint64_t met = 0, breached = 0, left = 0;
    };
    std::vector<Counts> cohorts;  // by the person's cohort at entry (the ledger's)
  };
  std::vector<DeadlineAcc> deadlines_;  // deadlines that started in the window
  std::uint64_t entered_ = 0;           // persons who entered in the window
  std::uint64_t exited_ = 0;            // persons who left in the window (reset at the warm-up)
  std::uint64_t followed_exits_ = 0;    // persons who entered in the window and have left
  double system_time_sum_ = 0;          // … their times in the mechanism
};

// The hooks on every event's path, inline for the engine's direct calls (ReplicationEngine).
inline void StatisticsCollector::on_referral(Time t, ReferralId r, const Case& c, Time delay) {
  referrals_[r].sent += 1;
  ledger_.on_referral(t, r, c, delay);
}

inline void StatisticsCollector::on_arrival(Time t, AgencyId a, const Case&) {
  Acc& x = acc_[a];
  x.advance(t);
  ++x.queue;
  ++x.arrivals;
}

inline void StatisticsCollector::on_service_start(Time t, AgencyId a, const Case& c, Time waited) {
  ledger_.on_service_start(t, a, c, waited);
  Acc& x = acc_[a];
  x.advance(t);
  --x.queue;
  ++x.busy;
  x.interviews += x.interview;
  if (in_window(c.arrived)) {
    ++x.starts;
    x.wait_sum += waited;
  }
}

inline void StatisticsCollector::on_service_end(Time t, AgencyId a, const Case& c, Time in_agency) {
  Acc& x = acc_[a];
  x.advance(t);
  if (x.staffed > x.servers) [[unlikely]] {  // a server cut: the staffed level falls with the busy ones
    x.advance_staffed(t);
    x.staffed = std::max(x.servers, x.busy - 1);
  }
  --x.busy;
  ++x.completions;
  if (in_window(c.arrived)) {
    ++x.visits_done;
    x.time_sum += in_agency;
  }
}

}  // namespace refsim
