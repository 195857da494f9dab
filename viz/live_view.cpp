#include "viz/live_view.hpp"

#include <algorithm>
#include <cassert>
#include <limits>

#include "sim/model/parameters.hpp"

namespace refsim::viz {

LiveView::LiveView(const Scenario& scenario, double window)
    : scenario_(scenario),
      window_(window),
      agencies_(scenario.agencies.size()),
      referrals_(scenario.referrals.size()),
      deadlines_(scenario.deadlines.size()),
      entry_country_(scenario.agencies.size()),
      inside_by_country_(std::max<std::size_t>(1, scenario.countries.size())) {
  assert(window > 0);
  for (AgencyId a = 0; a < agencies_.size(); ++a) {
    AgencyLive& ag = agencies_[a];
    ag.servers = scenario.agencies[a].servers;
    if (!scenario.agencies[a].unlimited) ag.level_staffed = ag.servers;
    entry_country_[a] = scenario.entry_country_index(a);
  }
}

void LiveView::busy_changed(AgencyId a, Time t) {
  if (scenario_.agencies[a].unlimited) return;
  AgencyLive& ag = agencies_[a];
  const std::uint32_t staffed = std::max(ag.servers, ag.busy);
  ag.busy_fraction.set(t, staffed ? static_cast<double>(ag.busy) / staffed : 0.0, window_);
  ag.busy_integral += ag.level_busy * (t - ag.level_since);
  ag.staffed_integral += ag.level_staffed * (t - ag.level_since);
  ag.level_busy = ag.busy;
  ag.level_staffed = staffed;
  ag.level_since = t;
}

void LiveView::on_parameter_changed(Time t, const Change& change, const Change& previous) {
  if (change.target == Change::Target::agency && change.servers) {
    agencies_[change.index].servers = *change.servers;
    busy_changed(change.index, t);
  }
  changes_.push_back({t, describe(change, previous, scenario_), change.origin});
  if (changes_.size() > kChangeLog) changes_.pop_front();
  ++changes_heard_;
}

double LiveView::rate(const FadingCount& c, Time now) const {
  // Divide by the weight the window has had so far, so early rates are not biased low.
  const double seen = -std::expm1(-now / window_);
  if (seen <= 0) return 0;
  return c.at(now, window_) / (window_ * seen);
}

void LiveView::on_case_entered(Time t, const Case& c, const Attributes&) {
  entries_.add(t, 1, window_);
  ++entered_;
  if (c.person >= person_country_.size()) person_country_.resize(c.person + 1);
  const std::uint32_t k = entry_country_[c.agency];
  person_country_[c.person] = k;
  ++inside_by_country_[k];
}

void LiveView::on_arrival(Time t, AgencyId a, const Case& c) {
  AgencyLive& ag = agencies_[a];
  ag.arrivals.add(t, 1, window_);
  ag.queue.emplace_back(c.serial, t);
}

void LiveView::on_service_start(Time t, AgencyId a, const Case& c, Time waited) {
  AgencyLive& ag = agencies_[a];
  // Service is first come, first served, except that a case re-arriving at the agency it just
  // left may take the server it freed: look at both ends before searching.
  auto& q = ag.queue;
  if (!q.empty() && q.front().first == c.serial) {
    q.pop_front();
  } else if (!q.empty() && q.back().first == c.serial) {
    q.pop_back();
  } else {
    const auto it = std::find_if(q.begin(), q.end(), [&](const auto& e) { return e.first == c.serial; });
    if (it != q.end()) q.erase(it);
  }
  ++ag.busy;
  busy_changed(a, t);
  ag.wait_sum.add(t, waited, window_);
  ag.wait_count.add(t, 1, window_);
  ++ag.service_starts;
  ag.wait_total += waited;
  wait_sum_.add(t, waited, window_);
  wait_count_.add(t, 1, window_);
}

void LiveView::on_service_end(Time t, AgencyId a, const Case&, Time) {
  AgencyLive& ag = agencies_[a];
  assert(ag.busy > 0);
  --ag.busy;
  busy_changed(a, t);
  ag.completions.add(t, 1, window_);
}

void LiveView::on_referral(Time t, ReferralId r, const Case&, Time) { referrals_[r].add(t, 1, window_); }

void LiveView::on_case_exited(Time t, const Case& c, Time) {
  exits_.add(t, 1, window_);
  ++exited_;
  assert(inside_by_country_[person_country_[c.person]] > 0);
  --inside_by_country_[person_country_[c.person]];
}

void LiveView::leave_queue(AgencyId a, std::uint64_t serial) {
  auto& q = agencies_[a].queue;
  // Usually the newest entry (turned away or held on arrival); drop-outs can be anywhere.
  if (!q.empty() && q.back().first == serial) {
    q.pop_back();
    return;
  }
  const auto it = std::find_if(q.begin(), q.end(), [&](const auto& e) { return e.first == serial; });
  if (it != q.end()) q.erase(it);
}

void LiveView::on_turned_away(Time t, AgencyId a, const Case& c) {
  leave_queue(a, c.serial);
  turned_away_.add(t, 1, window_);
  ++agencies_[a].turned_away;
}

void LiveView::on_overflow(Time t, AgencyId from, AgencyId, const Case& c) {
  leave_queue(from, c.serial);
  overflows_.add(t, 1, window_);
  ++agencies_[from].overflowed;
}

void LiveView::on_withdrawal(Time, AgencyId a, const Case&) { ++agencies_[a].withdrawals; }

void LiveView::on_hold(Time, AgencyId a, const Case& c, Time) {
  leave_queue(a, c.serial);
  ++agencies_[a].held;
}

void LiveView::on_hold_end(Time t, AgencyId a, const Case& c) {
  assert(agencies_[a].held > 0);
  --agencies_[a].held;
  agencies_[a].queue.emplace_back(c.serial, t);  // waits from the end of the hold
}

void LiveView::on_dropout(Time t, AgencyId a, const Case& c, Time) {
  leave_queue(a, c.serial);
  dropouts_.add(t, 1, window_);
  ++dropouts_total_;
}

void LiveView::on_referral_lost(Time t, ReferralId, const Case&) {
  lost_.add(t, 1, window_);
  ++lost_total_;
}

void LiveView::on_consent_refused(Time t, ReferralId, const Case&) {
  refused_.add(t, 1, window_);
  ++refused_total_;
}

void LiveView::on_deadline(Time t, DeadlineId d, const Case&, DeadlineOutcome outcome, AgencyId agency, Time) {
  DeadlineTally& tally = deadlines_[d];
  switch (outcome) {
    case DeadlineOutcome::met: ++tally.met; return;
    case DeadlineOutcome::left: ++tally.left; return;
    case DeadlineOutcome::breached: break;
  }
  ++tally.breached;
  breaches_.add(t, 1, window_);
  AgencyLive& ag = agencies_[agency];
  ag.breaches.add(t, 1, window_);
  ++ag.breach_total;
  ag.last_breach = t;
}

void LiveView::on_decision(Time t, AgencyId a, const Case&, const Attributes&, std::uint32_t attribute, bool positive) {
  const std::size_t i = decided_index(attribute);
  ++(positive ? agencies_[a].decisions.positive : agencies_[a].decisions.negative);
  ++(positive ? decided_[i].positive : decided_[i].negative);
  if (positive) decided_recent_[i].add(t, 1, window_);
}

double LiveView::mean_wait(AgencyId a, Time now) const {
  const double n = agencies_[a].wait_count.at(now, window_);
  return n > 1e-9 ? agencies_[a].wait_sum.at(now, window_) / n : std::numeric_limits<double>::quiet_NaN();
}

double LiveView::mean_wait_all(Time now) const {
  const double n = wait_count_.at(now, window_);
  return n > 1e-9 ? wait_sum_.at(now, window_) / n : std::numeric_limits<double>::quiet_NaN();
}

double LiveView::utilization(AgencyId a, Time now) const {
  if (scenario_.agencies[a].unlimited) return std::numeric_limits<double>::quiet_NaN();
  return agencies_[a].busy_fraction.at(now, window_);
}

std::optional<Time> LiveView::oldest_waiting_since(AgencyId a) const {
  const auto& q = agencies_[a].queue;
  if (q.empty()) return std::nullopt;
  return q.front().second;
}

}  // namespace refsim::viz
