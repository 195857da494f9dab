#pragma once
// Per-replication statistics: an Observer that turns engine events into the measures of one run.
//
// Observations count when they complete inside [warmup, horizon]: a wait when service starts, a
// time in agency when service ends, a time in system when the case exits. Time averages (busy
// servers, queue length) integrate over [warmup, horizon]. Call finish(horizon, in_system) once.
#include <array>
#include <cstdint>
#include <limits>
#include <string_view>
#include <vector>

#include "sim/engine/observer.hpp"

namespace refsim {

inline constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

struct AgencyResult {
  double arrivals = 0;                     ///< visits that arrived in the window
  double throughput_per_day = 0;           ///< completions per day in the window
  double utilization = kNaN;               ///< time-average busy servers / servers; NaN if unlimited
  double mean_queue_length = 0;            ///< time-average number waiting (not in service)
  double mean_in_service = 0;              ///< time-average number in service
  double mean_wait_days = kNaN;            ///< arrival → service start; NaN with no observation
  double mean_time_in_agency_days = kNaN;  ///< arrival → service end
  double deadline_breaches_caused = 0;     ///< breaches while the person was held (or sent) here
  double decisions_positive = 0;           ///< decisions taken here (Agency::decision), positive
  double decisions_negative = 0;           ///< … and negative
  double false_positives = 0;              ///< positive for people who are not in fact victims
  double false_negatives = 0;              ///< negative for people who are in fact victims
  double dropouts = 0;                     ///< gave up waiting here (the agency's patience)
};

struct ReferralResult {
  double sent = 0;             ///< referrals made along the rule (forks included)
  double lost = 0;             ///< sent but never received
  double consent_refused = 0;  ///< adults who did not consent: anonymous notifications
};

struct DeadlineResult {
  double met = 0;
  double breached = 0;
  double left = 0;                  ///< left the mechanism before the limit without reaching the target
  double compliance = kNaN;         ///< met / (met + breached); NaN when no case was measured
  double mean_elapsed_days = kNaN;  ///< from start to the target, over cases that met it
};

struct CaseResult {
  double entered = 0;
  double exited = 0;
  double in_system_at_end = 0;
  double mean_time_in_system_days = kNaN;
};

struct ReplicationResult {
  std::vector<AgencyResult> agencies;
  std::vector<ReferralResult> referrals;
  std::vector<DeadlineResult> deadlines;
  CaseResult cases;
  std::uint64_t events_processed = 0;
};

/// A metric declared once: its output name and where it lives. JSON, CSV and tables derive from it.
template <class Row>
struct Metric {
  std::string_view name;
  double Row::*field;
};
inline constexpr std::array<Metric<AgencyResult>, 13> kAgencyMetrics{{
    {"arrivals", &AgencyResult::arrivals},
    {"throughput_per_day", &AgencyResult::throughput_per_day},
    {"utilization", &AgencyResult::utilization},
    {"mean_queue_length", &AgencyResult::mean_queue_length},
    {"mean_in_service", &AgencyResult::mean_in_service},
    {"mean_wait_days", &AgencyResult::mean_wait_days},
    {"mean_time_in_agency_days", &AgencyResult::mean_time_in_agency_days},
    {"deadline_breaches_caused", &AgencyResult::deadline_breaches_caused},
    {"decisions_positive", &AgencyResult::decisions_positive},
    {"decisions_negative", &AgencyResult::decisions_negative},
    {"false_positives", &AgencyResult::false_positives},
    {"false_negatives", &AgencyResult::false_negatives},
    {"dropouts", &AgencyResult::dropouts},
}};
inline constexpr std::array<Metric<ReferralResult>, 3> kReferralMetrics{{
    {"sent", &ReferralResult::sent},
    {"lost", &ReferralResult::lost},
    {"consent_refused", &ReferralResult::consent_refused},
}};
inline constexpr std::array<Metric<DeadlineResult>, 5> kDeadlineMetrics{{
    {"met", &DeadlineResult::met},
    {"breached", &DeadlineResult::breached},
    {"left", &DeadlineResult::left},
    {"compliance", &DeadlineResult::compliance},
    {"mean_elapsed_days", &DeadlineResult::mean_elapsed_days},
}};
inline constexpr std::array<Metric<CaseResult>, 4> kCaseMetrics{{
    {"entered", &CaseResult::entered},
    {"exited", &CaseResult::exited},
    {"in_system_at_end", &CaseResult::in_system_at_end},
    {"mean_time_in_system_days", &CaseResult::mean_time_in_system_days},
}};

class StatisticsCollector final : public Observer {
 public:
  explicit StatisticsCollector(const Scenario& scenario);

  void on_case_entered(Time t, const Case& c) override;
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

  /// Closes the window at `horizon` and returns the results.
  ReplicationResult finish(Time horizon, std::size_t in_system, std::uint64_t events) const;

 private:
  struct Acc {
    std::uint64_t arrivals = 0, starts = 0, completions = 0, breaches = 0;
    std::uint64_t positive = 0, negative = 0, false_positive = 0, false_negative = 0, dropouts = 0;
    double wait_sum = 0, time_sum = 0;
    double queue_area = 0, busy_area = 0;
    double last = 0;
    std::int64_t queue = 0, busy = 0;  // current levels, kept across the warm-up reset
    void advance(Time t) {
      queue_area += static_cast<double>(queue) * (t - last);
      busy_area += static_cast<double>(busy) * (t - last);
      last = t;
    }
  };
  const Scenario& scenario_;
  Time window_start_ = 0;
  std::vector<Acc> acc_;
  std::vector<ReferralResult> referrals_;
  struct DeadlineAcc {
    std::uint64_t met = 0, breached = 0, left = 0;
    double elapsed_sum = 0;
  };
  std::vector<DeadlineAcc> deadlines_;
  std::uint64_t entered_ = 0, exited_ = 0;
  double system_time_sum_ = 0;
};

}  // namespace refsim
