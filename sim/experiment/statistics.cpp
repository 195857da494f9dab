#include "sim/experiment/statistics.hpp"

#include <algorithm>

namespace refsim {

StatisticsCollector::StatisticsCollector(const Scenario& scenario)
    : scenario_(scenario),
      acc_(scenario.agencies.size()),
      referrals_(scenario.referrals.size()),
      deadlines_(scenario.deadlines.size()) {}

void StatisticsCollector::on_referral(Time, ReferralId r, const Case&, Time) { referrals_[r].sent += 1; }

void StatisticsCollector::on_decision(Time, AgencyId a, const Case&, const Attributes& attributes, std::uint32_t,
                                      bool positive) {
  Acc& x = acc_[a];
  const bool victim = attributes[attr::kVictim] != 0;
  ++(positive ? x.positive : x.negative);
  x.false_positive += positive && !victim;
  x.false_negative += !positive && victim;
}

void StatisticsCollector::on_dropout(Time t, AgencyId a, const Case&, Time) {
  Acc& x = acc_[a];
  x.advance(t);
  --x.queue;
  ++x.dropouts;
}

void StatisticsCollector::on_referral_lost(Time, ReferralId r, const Case&) {
  referrals_[r].sent += 1;
  referrals_[r].lost += 1;
}

void StatisticsCollector::on_consent_refused(Time, ReferralId r, const Case&) { referrals_[r].consent_refused += 1; }

void StatisticsCollector::on_deadline(Time, DeadlineId d, const Case&, DeadlineOutcome outcome, AgencyId agency,
                                      Time elapsed) {
  DeadlineAcc& x = deadlines_[d];
  switch (outcome) {
    case DeadlineOutcome::met:
      ++x.met;
      x.elapsed_sum += elapsed;
      break;
    case DeadlineOutcome::breached:
      ++x.breached;
      ++acc_[agency].breaches;
      break;
    case DeadlineOutcome::left: ++x.left; break;
  }
}

void StatisticsCollector::on_case_entered(Time, const Case&) { ++entered_; }

void StatisticsCollector::on_arrival(Time t, AgencyId a, const Case&) {
  Acc& x = acc_[a];
  x.advance(t);
  ++x.queue;
  ++x.arrivals;
}

void StatisticsCollector::on_service_start(Time t, AgencyId a, const Case&, Time waited) {
  Acc& x = acc_[a];
  x.advance(t);
  --x.queue;
  ++x.busy;
  ++x.starts;
  x.wait_sum += waited;
}

void StatisticsCollector::on_service_end(Time t, AgencyId a, const Case&, Time in_agency) {
  Acc& x = acc_[a];
  x.advance(t);
  --x.busy;
  ++x.completions;
  x.time_sum += in_agency;
}

void StatisticsCollector::on_case_exited(Time, const Case&, Time in_system) {
  ++exited_;
  system_time_sum_ += in_system;
}

void StatisticsCollector::on_warmup_end(Time t) {
  window_start_ = t;
  for (Acc& x : acc_) {
    x.advance(t);
    x.arrivals = x.starts = x.completions = x.breaches = 0;
    x.positive = x.negative = x.false_positive = x.false_negative = x.dropouts = 0;
    x.wait_sum = x.time_sum = x.queue_area = x.busy_area = 0;
  }
  entered_ = exited_ = 0;
  system_time_sum_ = 0;
  std::fill(referrals_.begin(), referrals_.end(), ReferralResult{});
  std::fill(deadlines_.begin(), deadlines_.end(), DeadlineAcc{});
}

ReplicationResult StatisticsCollector::finish(Time horizon, std::size_t in_system, std::uint64_t events) const {
  ReplicationResult r;
  const double span = horizon - window_start_;
  r.agencies.resize(acc_.size());
  for (std::size_t i = 0; i < acc_.size(); ++i) {
    Acc x = acc_[i];
    x.advance(horizon);
    const Agency& ag = scenario_.agencies[i];
    AgencyResult& out = r.agencies[i];
    out.arrivals = static_cast<double>(x.arrivals);
    out.throughput_per_day = static_cast<double>(x.completions) / span;
    out.mean_queue_length = x.queue_area / span;
    out.mean_in_service = x.busy_area / span;
    out.utilization = ag.unlimited ? kNaN : out.mean_in_service / ag.servers;
    if (x.starts > 0) out.mean_wait_days = x.wait_sum / static_cast<double>(x.starts);
    if (x.completions > 0) out.mean_time_in_agency_days = x.time_sum / static_cast<double>(x.completions);
    out.deadline_breaches_caused = static_cast<double>(x.breaches);
    out.decisions_positive = static_cast<double>(x.positive);
    out.decisions_negative = static_cast<double>(x.negative);
    out.false_positives = static_cast<double>(x.false_positive);
    out.false_negatives = static_cast<double>(x.false_negative);
    out.dropouts = static_cast<double>(x.dropouts);
  }
  r.referrals = referrals_;
  for (const DeadlineAcc& x : deadlines_) {
    DeadlineResult d;
    d.met = static_cast<double>(x.met);
    d.breached = static_cast<double>(x.breached);
    d.left = static_cast<double>(x.left);
    if (x.met + x.breached > 0) d.compliance = d.met / (d.met + d.breached);
    if (x.met > 0) d.mean_elapsed_days = x.elapsed_sum / d.met;
    r.deadlines.push_back(d);
  }
  r.cases.entered = static_cast<double>(entered_);
  r.cases.exited = static_cast<double>(exited_);
  r.cases.in_system_at_end = static_cast<double>(in_system);
  if (exited_ > 0) r.cases.mean_time_in_system_days = system_time_sum_ / static_cast<double>(exited_);
  r.events_processed = events;
  return r;
}

}  // namespace refsim
