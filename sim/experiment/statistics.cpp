#include "sim/experiment/statistics.hpp"

#include <algorithm>
#include <cmath>

#include "sim/engine/engine.hpp"

namespace refsim {

StatisticsCollector::StatisticsCollector(const EngineState& engine)
    : scenario_(engine.scenario()),
      ledger_(engine.scenario()),
      cohorts_(scenario_.cohorts.count()),
      countries_(scenario_.by_country() ? scenario_.countries.size() : 0),
      window_start_(scenario_.run.warmup),
      window_end_(scenario_.run.horizon),
      acc_(scenario_.agencies.size()),
      referrals_(scenario_.referrals.size()),
      deadlines_(scenario_.deadlines.size()) {
  for (DeadlineAcc& d : deadlines_) d.cohorts.resize(cohorts_.size());
  for (std::size_t a = 0; a < acc_.size(); ++a) {
    acc_[a].interview = scenario_.agencies[a].interview;
    acc_[a].servers = acc_[a].staffed = engine.servers(static_cast<AgencyId>(a));
  }
}

void StatisticsCollector::on_parameter_changed(Time t, const Change& c, const Change&) {
  if (c.target != Change::Target::agency || !c.servers) return;
  Acc& x = acc_[c.index];
  x.advance_staffed(t);
  x.servers = *c.servers;
  x.staffed = std::max(x.servers, x.busy);
  x.servers_changed = true;
}

void StatisticsCollector::on_decision(Time t, AgencyId a, const Case& c, const Attributes& attributes,
                                      std::uint32_t attribute, bool positive) {
  ledger_.on_decision(t, a, c, attributes, attribute, positive);
  Acc& x = acc_[a];
  const bool victim = attributes[attr::kVictim] != 0;
  ++(positive ? x.positive : x.negative);
  x.false_positive += positive && !victim;
  x.false_negative += !positive && victim;
}

void StatisticsCollector::on_dropout(Time t, AgencyId a, const Case& c, Time waited) {
  ledger_.on_dropout(t, a, c, waited);
  Acc& x = acc_[a];
  x.advance(t);
  --x.queue;
  ++x.dropouts;
}

void StatisticsCollector::on_referral_lost(Time t, ReferralId r, const Case& c) {
  ledger_.on_referral_lost(t, r, c);
  referrals_[r].sent += 1;
  referrals_[r].lost += 1;
}

void StatisticsCollector::on_consent_refused(Time t, ReferralId r, const Case& c) {
  ledger_.on_consent_refused(t, r, c);
  referrals_[r].consent_refused += 1;
}

// A case turned away or overflowed was counted in the queue at its arrival; it leaves it here.
void StatisticsCollector::on_turned_away(Time t, AgencyId a, const Case& c) {
  ledger_.on_turned_away(t, a, c);
  Acc& x = acc_[a];
  x.advance(t);
  --x.queue;
  ++x.turned_away;
}

void StatisticsCollector::on_overflow(Time t, AgencyId from, AgencyId to, const Case& c) {
  ledger_.on_overflow(t, from, to, c);
  Acc& x = acc_[from];
  x.advance(t);
  --x.queue;
  ++x.overflowed;
}

// A held case is not in the queue until its hold ends.
void StatisticsCollector::on_hold(Time t, AgencyId a, const Case&, Time) {
  Acc& x = acc_[a];
  x.advance(t);
  --x.queue;
  ++x.held;
  ++x.holds;
}

void StatisticsCollector::on_hold_end(Time t, AgencyId a, const Case&) {
  Acc& x = acc_[a];
  x.advance(t);
  --x.held;
  ++x.queue;
}

void StatisticsCollector::on_withdrawal(Time t, AgencyId a, const Case& c) {
  ledger_.on_withdrawal(t, a, c);
  ++acc_[a].withdrawals;
}

void StatisticsCollector::on_retrafficked(Time t, AgencyId a, const Case& c, Time reentry) {
  ledger_.on_retrafficked(t, a, c, reentry);
}

// The engine settles every deadline while the person is still in the mechanism (a `left` before
// on_case_exited), so the ledger's record, and the cohort fixed at entry, is the person's.
void StatisticsCollector::on_deadline(Time t, DeadlineId d, const Case& c, DeadlineOutcome outcome, AgencyId agency,
                                      Time elapsed) {
  if (!in_window(t - elapsed)) return;  // its clock started before the warm-up ended
  DeadlineAcc& x = deadlines_[d];
  DeadlineAcc::Counts& k = x.cohorts[ledger_[c.person].cohort];
  switch (outcome) {
    case DeadlineOutcome::met:
      ++x.met;
      ++k.met;
      x.elapsed_sum += elapsed;
      break;
    case DeadlineOutcome::breached:
      ++x.breached;
      ++k.breached;
      ++acc_[agency].breaches;
      break;
    case DeadlineOutcome::left:
      ++x.left;
      ++k.left;
      break;
  }
}

void StatisticsCollector::on_case_entered(Time t, const Case& c, const Attributes& a) {
  ++present_;
  ledger_.enter(t, c, a);
  if (!in_window(t)) return;
  ++entered_;
  const PersonRecord& p = ledger_[c.person];
  ++cohorts_[p.cohort].entered;
  if (!countries_.empty()) ++countries_[p.country].entered;
}

void StatisticsCollector::on_case_exited(Time t, const Case& c, Time in_system) {
  --present_;
  ++exited_;
  ledger_.on_case_exited(t, c, in_system);
  if (!in_window(c.entered)) return;  // entered during the warm-up
  ++followed_exits_;
  system_time_sum_ += in_system;
  const PersonRecord& p = ledger_[c.person];
  const std::array<Time, 4> at{p.presumed_at, p.reasonable_grounds_at, p.identified_at, p.first_service_at};
  // The overall cohort is the sum of the others (CohortAcc::merge_counts, in finish()), except
  // for its sums of times: floating-point sums depend on the order of the terms, so they are kept
  // person by person, as adding each exit to an overall accumulator would.
  cohorts_[p.cohort].add(p, at, overall_time_sums_);
  if (!countries_.empty()) {
    std::array<double, 4> unused{};  // the overall sums are kept once, above
    countries_[p.country].add(p, at, unused);
  }
}

void StatisticsCollector::CohortAcc::add(const PersonRecord& p, const std::array<Time, 4>& at,
                                         std::array<double, 4>& overall_time_sums) {
  ++exited;
  victims += p.victim;
  const bool identified_now = p.identified_at >= 0;
  identified += identified_now;
  victims_identified += identified_now && p.victim;
  false_positives += identified_now && !p.victim;
  for (std::size_t k = 0; k < at.size(); ++k) {
    if (at[k] < 0) continue;
    const Time since_entry = at[k] - p.entered;
    times[k].push_back(since_entry);
    time_sums[k] += since_entry;
    overall_time_sums[k] += since_entry;
  }
  for (std::size_t k = 0; k < kNeeds.size(); ++k) {
    if (!(p.needs >> k & 1u)) continue;
    ++need[k];
    covered[k] += p.served >> k & 1u;
  }
  dropouts += p.dropped_out;
  handoffs += p.handoffs;
  interviews += p.interviews;
  withdrawals += p.withdrew;
  investigations += p.investigated;
  prosecutions += p.prosecuted;
  trials += p.tried;
  convictions += p.convicted;
  returns += p.returned;
  reintegrations += p.reintegrated;
  retrafficked += p.retrafficked;
  reentries += p.previous != kNoPrevious;
}

void StatisticsCollector::CohortAcc::merge_counts(const CohortAcc& o) {
  entered += o.entered;
  exited += o.exited;
  victims += o.victims;
  identified += o.identified;
  victims_identified += o.victims_identified;
  false_positives += o.false_positives;
  dropouts += o.dropouts;
  handoffs += o.handoffs;
  interviews += o.interviews;
  withdrawals += o.withdrawals;
  investigations += o.investigations;
  prosecutions += o.prosecutions;
  trials += o.trials;
  convictions += o.convictions;
  returns += o.returns;
  reintegrations += o.reintegrations;
  retrafficked += o.retrafficked;
  reentries += o.reentries;
  for (std::size_t k = 0; k < kNeeds.size(); ++k) {
    need[k] += o.need[k];
    covered[k] += o.covered[k];
  }
  for (std::size_t k = 0; k < times.size(); ++k) times[k].insert(times[k].end(), o.times[k].begin(), o.times[k].end());
}

// The window's event counts and time averages restart here. What is measured from its start
// (visits, persons, deadline clocks that began in the window) is tested on that start instead.
void StatisticsCollector::on_warmup_end(Time t) {
  for (Acc& x : acc_) {
    x.advance(t);
    x.arrivals = x.completions = 0;
    x.positive = x.negative = x.false_positive = x.false_negative = x.dropouts = 0;
    x.turned_away = x.overflowed = x.holds = x.withdrawals = x.interviews = 0;
    x.queue_area = x.busy_area = 0;
    x.staffed_area = 0;
    x.staffed_last = t;
  }
  exited_ = 0;
  std::fill(referrals_.begin(), referrals_.end(), ReferralResult{});
}

void StatisticsCollector::on_horizon(Time t) {
  for (Acc& x : acc_) {
    x.advance(t);
    x.advance_staffed(t);
  }
  window_ = acc_;
  window_referrals_ = referrals_;
  window_exited_ = exited_;
  in_system_at_horizon_ = present_;
  horizon_seen_ = true;
}

double nearest_rank(std::vector<double>& v, double p) {
  const auto n = v.size();
  if (n == 0) return kNaN;
  std::size_t k = static_cast<std::size_t>(std::ceil(p * static_cast<double>(n)));
  k = std::clamp<std::size_t>(k, 1, n) - 1;
  std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(k), v.end());
  return v[k];
}

CohortResult StatisticsCollector::CohortAcc::result() {
  CohortResult c;
  const auto n = [](std::uint64_t v) { return static_cast<double>(v); };
  const auto share = [&](std::uint64_t part, std::uint64_t whole) { return whole ? n(part) / n(whole) : kNaN; };
  c.entered = n(entered);
  c.exited = n(exited);
  c.victims = n(victims);
  c.identified = n(identified);
  c.victims_identified_share = share(victims_identified, victims);
  c.false_positives = n(false_positives);
  const std::array<std::array<double CohortResult::*, 3>, 4> time_fields{{
      {&CohortResult::time_to_presumed_days_mean, &CohortResult::time_to_presumed_days_median,
       &CohortResult::time_to_presumed_days_p90},
      {&CohortResult::time_to_reasonable_grounds_days_mean, &CohortResult::time_to_reasonable_grounds_days_median,
       &CohortResult::time_to_reasonable_grounds_days_p90},
      {&CohortResult::time_to_identified_days_mean, &CohortResult::time_to_identified_days_median,
       &CohortResult::time_to_identified_days_p90},
      {&CohortResult::time_to_first_service_days_mean, &CohortResult::time_to_first_service_days_median,
       &CohortResult::time_to_first_service_days_p90},
  }};
  for (std::size_t k = 0; k < time_fields.size(); ++k) {
    std::vector<double>& v = times[k];
    if (v.empty()) continue;
    const auto [lo, hi] = std::minmax_element(v.begin(), v.end());
    // A mean of equal values is that value exactly (sums of equal doubles may round).
    c.*time_fields[k][0] = *lo == *hi ? *lo : time_sums[k] / n(v.size());
    c.*time_fields[k][1] = nearest_rank(v, 0.5);
    c.*time_fields[k][2] = nearest_rank(v, 0.9);
  }
  for (std::size_t k = 0; k < kNeeds.size(); ++k) c.*kCoveredFields[k] = share(covered[k], need[k]);
  c.dropout_share = share(dropouts, exited);
  c.handoffs_per_case = share(handoffs, exited);
  c.interviews_per_case = share(interviews, exited);
  c.withdrawals = n(withdrawals);
  c.investigations = n(investigations);
  c.prosecutions = n(prosecutions);
  c.trials = n(trials);
  c.convictions = n(convictions);
  c.returns = n(returns);
  c.reintegrations = n(reintegrations);
  c.retrafficked = n(retrafficked);
  c.reentries = n(reentries);
  // The observations behind the figures (Metric::basis).
  c.reached_presumed = n(times[0].size());
  c.reached_reasonable_grounds = n(times[1].size());
  c.reached_identified = n(times[2].size());
  c.reached_first_service = n(times[3].size());
  for (std::size_t k = 0; k < kNeeds.size(); ++k) c.*kNeedingFields[k] = n(need[k]);
  return c;
}

ReplicationResult StatisticsCollector::finish(std::uint64_t events) const {
  ReplicationResult r;
  const double span = window_end_ - window_start_;
  std::vector<Acc> window = horizon_seen_ ? window_ : acc_;
  if (!horizon_seen_) {
    for (Acc& x : window) {
      x.advance(window_end_);
      x.advance_staffed(window_end_);
    }
  }
  r.agencies.resize(acc_.size());
  for (std::size_t i = 0; i < acc_.size(); ++i) {
    const Acc& x = window[i];
    const Acc& followed = acc_[i];  // starts, visits_done, breaches and their sums go on after the horizon
    const Agency& ag = scenario_.agencies[i];
    AgencyResult& out = r.agencies[i];
    out.arrivals = static_cast<double>(x.arrivals);
    out.throughput_per_day = static_cast<double>(x.completions) / span;
    out.mean_queue_length = x.queue_area / span;
    out.mean_in_service = x.busy_area / span;
    if (ag.unlimited) {
      out.utilization = kNaN;
    } else if (!x.servers_changed) {
      out.utilization = std::min(1.0, out.mean_in_service / static_cast<double>(x.servers));  // rounding, as below
    } else {
      // busy <= staffed at every instant, so the ratio is <= 1 in exact arithmetic; the two areas are
      // sums of rounded products, and a fully busy agency can come out at 1 + 1e-15.
      out.utilization = x.staffed_area > 0 ? std::min(1.0, x.busy_area / x.staffed_area) : kNaN;
    }
    if (followed.starts > 0) out.mean_wait_days = followed.wait_sum / static_cast<double>(followed.starts);
    if (followed.visits_done > 0)
      out.mean_time_in_agency_days = followed.time_sum / static_cast<double>(followed.visits_done);
    out.deadline_breaches_caused = static_cast<double>(followed.breaches);
    out.decisions_positive = static_cast<double>(x.positive);
    out.decisions_negative = static_cast<double>(x.negative);
    out.false_positives = static_cast<double>(x.false_positive);
    out.false_negatives = static_cast<double>(x.false_negative);
    out.dropouts = static_cast<double>(x.dropouts);
    if (ag.residential) out.beds_occupied = out.mean_in_service;
    out.turned_away = static_cast<double>(x.turned_away);
    out.overflowed = static_cast<double>(x.overflowed);
    out.held = static_cast<double>(x.holds);
    out.withdrawals = static_cast<double>(x.withdrawals);
    out.interviews = static_cast<double>(x.interviews);
    out.in_agency_at_end = static_cast<double>(x.queue + x.busy + x.held);
    // The observations behind the figures (Metric::basis).
    out.starts = static_cast<double>(followed.starts);
    out.visits_done = static_cast<double>(followed.visits_done);
    out.completions = static_cast<double>(x.completions);
  }
  if (scenario_.by_country()) {
    r.agency_countries.assign(scenario_.countries.size(), AgencyResult{});
    struct Sums {
      double wait = 0, time = 0, busy_limited = 0, staffed = 0, beds = 0;
      bool limited = false, residential = false;
    };
    std::vector<Sums> sums(scenario_.countries.size());
    for (std::size_t i = 0; i < acc_.size(); ++i) {
      const std::uint32_t k = scenario_.entry_country_index(static_cast<AgencyId>(i));
      const Acc& x = window[i];
      const Acc& followed = acc_[i];
      const Agency& ag = scenario_.agencies[i];
      const AgencyResult& one = r.agencies[i];
      AgencyResult& out = r.agency_countries[k];
      Sums& sum = sums[k];
      out.arrivals += one.arrivals;
      out.throughput_per_day += one.throughput_per_day;
      out.mean_queue_length += one.mean_queue_length;
      out.mean_in_service += one.mean_in_service;
      out.deadline_breaches_caused += one.deadline_breaches_caused;
      out.decisions_positive += one.decisions_positive;
      out.decisions_negative += one.decisions_negative;
      out.false_positives += one.false_positives;
      out.false_negatives += one.false_negatives;
      out.dropouts += one.dropouts;
      out.turned_away += one.turned_away;
      out.overflowed += one.overflowed;
      out.held += one.held;
      out.withdrawals += one.withdrawals;
      out.interviews += one.interviews;
      out.in_agency_at_end += one.in_agency_at_end;
      out.starts += one.starts;
      out.visits_done += one.visits_done;
      out.completions += one.completions;
      sum.wait += followed.wait_sum;
      sum.time += followed.time_sum;
      if (!ag.unlimited) {
        sum.limited = true;
        sum.busy_limited += x.busy_area;
        sum.staffed += x.servers_changed ? x.staffed_area : static_cast<double>(x.servers) * span;
      }
      if (ag.residential) {
        sum.residential = true;
        sum.beds += one.beds_occupied;
      }
    }
    for (std::size_t k = 0; k < sums.size(); ++k) {
      AgencyResult& out = r.agency_countries[k];
      const Sums& sum = sums[k];
      out.utilization = sum.limited && sum.staffed > 0 ? std::min(1.0, sum.busy_limited / sum.staffed) : kNaN;
      out.mean_wait_days = out.starts > 0 ? sum.wait / out.starts : kNaN;
      out.mean_time_in_agency_days = out.visits_done > 0 ? sum.time / out.visits_done : kNaN;
      out.beds_occupied = sum.residential ? sum.beds : kNaN;
    }
  }
  r.referrals = horizon_seen_ ? window_referrals_ : referrals_;
  for (ReferralResult& out : r.referrals) out.drawn = out.sent + out.consent_refused;
  for (const DeadlineAcc& x : deadlines_) {
    DeadlineResult d;
    d.met = static_cast<double>(x.met);
    d.breached = static_cast<double>(x.breached);
    d.left = static_cast<double>(x.left);
    if (x.met + x.breached > 0) d.compliance = d.met / (d.met + d.breached);
    if (x.met > 0) d.mean_elapsed_days = x.elapsed_sum / d.met;
    d.cohorts.resize(x.cohorts.size());
    for (std::size_t c = 0; c < x.cohorts.size(); ++c) {
      const DeadlineAcc::Counts& k = x.cohorts[c];
      DeadlineCohortResult& out = d.cohorts[c];
      out.met = static_cast<double>(k.met);
      out.breached = static_cast<double>(k.breached);
      out.left = static_cast<double>(k.left);
      if (k.met + k.breached > 0) out.compliance = out.met / (out.met + out.breached);
      out.measured = out.met + out.breached;
      out.settled = out.measured + out.left;
    }
    d.measured = d.met + d.breached;
    d.settled = d.measured + d.left;
    r.deadlines.push_back(d);
  }
  r.cases.entered = static_cast<double>(entered_);
  r.cases.exited = static_cast<double>(horizon_seen_ ? window_exited_ : exited_);
  r.cases.in_system_at_end = static_cast<double>(horizon_seen_ ? in_system_at_horizon_ : present_);
  r.cases.still_in_after_follow_up = static_cast<double>(entered_ - followed_exits_);
  if (followed_exits_ > 0) r.cases.mean_time_in_system_days = system_time_sum_ / static_cast<double>(followed_exits_);
  r.cases.followed = static_cast<double>(followed_exits_);
  for (std::size_t i = 0; i < scenario_.agencies.size(); ++i) {
    const auto& d = scenario_.agencies[i].decision;
    if (!d || (d->sets != attr::kReasonableGrounds && d->sets != attr::kIdentified)) continue;
    if (std::isnan(r.cases.grounds_backlog_at_end)) r.cases.grounds_backlog_at_end = 0;
    r.cases.grounds_backlog_at_end += r.agencies[i].in_agency_at_end;
  }  // the observations behind the mean (Metric::basis)
  CohortAcc overall;
  for (const CohortAcc& x : cohorts_) overall.merge_counts(x);
  overall.time_sums = overall_time_sums_;
  for (std::size_t i = 0; i <= cohorts_.size(); ++i) {
    CohortAcc x = i < cohorts_.size() ? cohorts_[i] : std::move(overall);  // a copy: quantiles reorder the times
    r.cohorts.push_back(x.result());
  }
  for (const CohortAcc& country : countries_) {
    CohortAcc x = country;
    r.countries.push_back(x.result());
  }
  r.events_processed = events;
  return r;
}

}  // namespace refsim
