#include "viz/snapshot.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <utility>

namespace refsim::viz {

std::vector<AgencyId> rank_bottlenecks(const std::vector<AgencyNow>& agencies, std::size_t limit) {
  std::vector<AgencyId> out;
  for (AgencyId a = 0; a < agencies.size(); ++a)
    if (agencies[a].waiting > 0) out.push_back(a);
  std::sort(out.begin(), out.end(), [&](AgencyId x, AgencyId y) {
    const AgencyNow &a = agencies[x], &b = agencies[y];
    if (a.bottleneck_score != b.bottleneck_score) return a.bottleneck_score > b.bottleneck_score;
    if (a.oldest_wait != b.oldest_wait) return a.oldest_wait > b.oldest_wait;
    return x < y;
  });
  if (out.size() > limit) out.resize(limit);
  return out;
}

std::vector<std::size_t> countries_listed(const std::vector<CountryNow>& countries, std::size_t room) {
  std::vector<std::size_t> out(countries.size());
  for (std::size_t k = 0; k < out.size(); ++k) out[k] = k;
  if (out.size() <= room) return out;
  std::sort(out.begin(), out.end(), [&](std::size_t x, std::size_t y) {
    const CountryNow &a = countries[x], &b = countries[y];
    const std::size_t ca = a.waiting + a.in_service, cb = b.waiting + b.in_service;
    if (ca != cb) return ca > cb;
    if (a.entered_here != b.entered_here) return a.entered_here > b.entered_here;
    return x < y;
  });
  out.resize(room > 0 ? room - 1 : 0);
  std::sort(out.begin(), out.end());
  return out;
}

namespace {

std::vector<CountryNow> country_sums(const Scenario& s, const std::vector<AgencyNow>& agencies, const LiveView& live,
                                     Time now) {
  std::vector<CountryNow> out(s.countries.size());
  std::vector<double> busy_time(out.size()), staffed_time(out.size()), waits(out.size());
  for (std::size_t k = 0; k < out.size(); ++k) {
    out[k].code = s.countries[k];
    out[k].entered_here = live.inside_entered_in(k);
  }
  for (AgencyId a = 0; a < s.agencies.size(); ++a) {
    const std::size_t k = live.country_of(a);
    const AgencyNow& n = agencies[a];
    CountryNow& c = out[k];
    ++c.agencies;
    c.waiting += n.waiting;
    c.in_service += n.busy;
    c.held += n.held;
    c.visits += live.service_starts(a);
    waits[k] += live.wait_total(a);
    if (n.unlimited) continue;
    c.limited = true;
    c.busy += n.busy;
    c.staffed += n.servers;
    busy_time[k] += live.busy_time(a, now);
    staffed_time[k] += live.staffed_time(a, now);
  }
  constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
  for (std::size_t k = 0; k < out.size(); ++k) {
    CountryNow& c = out[k];
    c.utilization = c.limited && staffed_time[k] > 0 ? busy_time[k] / staffed_time[k] : kNaN;
    c.mean_wait = c.visits > 0 ? waits[k] / static_cast<double>(c.visits) : kNaN;
  }
  return out;
}

}  // namespace

Snapshot take_snapshot(const Simulation& sim) {
  const Scenario& s = sim.scenario();
  const Engine& e = sim.engine();
  const LiveView& live = sim.live();
  const Time now = e.now();

  Snapshot snap;
  snap.now = now;
  snap.horizon = s.run.horizon;
  snap.warmup = s.run.warmup;
  snap.seed = sim.seed();
  snap.restarts = sim.restarts();
  snap.window = live.window();
  snap.history = &sim.history();

  Indicators& ind = snap.indicators;
  snap.agencies.resize(s.agencies.size());
  double busiest = -1;
  for (AgencyId a = 0; a < s.agencies.size(); ++a) {
    const Agency& ag = s.agencies[a];
    AgencyNow& n = snap.agencies[a];
    n.unlimited = ag.unlimited;
    n.residential = ag.residential;
    // Capacity as the engine runs it now, not as the scenario declared it.
    n.servers = ag.unlimited ? 0 : e.servers(a);
    n.scenario_servers = ag.unlimited ? 0 : ag.servers;
    n.busy = e.busy(a);
    n.waiting = e.queue_length(a);
    n.held = live.held(a);
    n.open = !ag.hours || ag.hours->is_open(now);
    n.closed = !e.is_open(a);
    n.turned_away = live.turned_away(a);
    n.overflowed = live.overflowed(a);
    n.withdrawals = live.withdrawals(a);
    n.utilization = live.utilization(a, now);
    if (const auto since = live.oldest_waiting_since(a); since && n.waiting > 0) n.oldest_wait = now - *since;
    n.mean_wait = live.mean_wait(a, now);
    n.arrivals_per_day = live.arrival_rate(a, now);
    n.completions_per_day = live.completion_rate(a, now);
    n.bottleneck_score = static_cast<double>(n.waiting) * (std::isnan(n.utilization) ? 0.0 : n.utilization);
    n.breaches_recent = live.recent_breaches(a, now);
    n.breaches = live.breaches(a);
    if (ag.decision) {
      const LiveView::DecisionTally& d = live.decisions(a);
      n.decides = true;
      n.positive = d.positive;
      n.negative = d.negative;
      n.share_positive = d.positive + d.negative
                             ? static_cast<double>(d.positive) / static_cast<double>(d.positive + d.negative)
                             : std::numeric_limits<double>::quiet_NaN();
    }
    if (const auto last = live.last_breach(a); last && now - *last < kBreachFlashDays) {
      snap.breaches.push_back({a, now - *last});
    }
    ind.waiting += n.waiting;
    ind.in_service += n.busy;
    ind.held_now += n.held;
    if (!n.unlimited && n.utilization > busiest) {
      busiest = n.utilization;
      ind.busiest = a;
    }
  }
  snap.bottlenecks = rank_bottlenecks(snap.agencies, kBottlenecksListed);
  snap.changes.assign(live.changes().rbegin(), live.changes().rend());
  snap.changes_heard = live.changes_heard();
  if (s.by_country()) snap.countries = country_sums(s, snap.agencies, live, now);

  snap.referral_flow.resize(s.referrals.size());
  for (ReferralId r = 0; r < s.referrals.size(); ++r) snap.referral_flow[r] = live.referral_rate(r, now);

  const std::vector<Transfer> transfers = e.transfers();
  snap.moving.reserve(transfers.size());
  for (const Transfer& tr : transfers) {
    MovingCase m;
    m.referral = tr.referral;
    m.progress = tr.end > tr.start ? std::clamp((now - tr.start) / (tr.end - tr.start), 0.0, 1.0) : 1.0;
    m.look.age = e.attributes(tr.person)[attr::kChild] != 0 ? AgeGroup::child : AgeGroup::adult;
    snap.moving.push_back(m);
  }
  // Heap order is an implementation detail; draw in a stable order (older transfers first).
  std::stable_sort(snap.moving.begin(), snap.moving.end(),
                   [](const MovingCase& a, const MovingCase& b) { return a.progress > b.progress; });

  ind.in_system = e.cases_in_system();
  ind.in_transfer = snap.moving.size();
  ind.tracks = ind.waiting + ind.in_service + ind.held_now + ind.in_transfer;
  ind.parallel_tracks = std::any_of(s.referrals.begin(), s.referrals.end(), [](const Referral& r) { return r.fork; });
  ind.entries_per_day = live.entry_rate(now);
  ind.throughput_per_day = live.exit_rate(now);
  ind.mean_wait = live.mean_wait_all(now);
  if (!s.deadlines.empty()) ind.deadline_breaches = live.recent_breaches(now);
  ind.lost_referrals = live.recent_lost(now);
  if (s.has_patience()) {
    ind.dropouts = live.recent_dropouts(now);
  }
  ind.consent_refused = live.recent_refused(now);
  auto any_agency = [&](auto pred) { return std::any_of(s.agencies.begin(), s.agencies.end(), pred); };
  if (any_agency([](const Agency& a) { return a.when_full != WhenFull::wait; })) {
    ind.turned_away = live.recent_turned_away(now);
    ind.overflows = live.recent_overflows(now);
  }
  if (any_agency([](const Agency& a) { return a.not_before.has_value(); })) {
    ind.held = ind.held_now;
  }
  for (const auto& [attribute, out] :
       {std::pair{attr::kPresumed, &ind.presumed}, std::pair{attr::kReasonableGrounds, &ind.reasonable_grounds},
        std::pair{attr::kIdentified, &ind.identified}}) {
    const bool decided = std::any_of(s.agencies.begin(), s.agencies.end(), [attribute = attribute](const Agency& ag) {
      return ag.decision && ag.decision->sets == attribute;
    });
    if (!decided) continue;
    const LiveView::DecisionTally& d = live.decisions_on(attribute);
    *out = DecisionNow{live.positive_rate(attribute, now), d.positive, d.negative};
  }
  ind.backlog = sim.backlog();

  snap.deadlines.resize(s.deadlines.size());
  for (DeadlineId d = 0; d < s.deadlines.size(); ++d) {
    const LiveView::DeadlineTally& t = live.deadline(d);
    DeadlineNow& dn = snap.deadlines[d];
    dn.met = t.met;
    dn.breached = t.breached;
    dn.left = t.left;
    const std::uint64_t settled = t.met + t.breached;
    dn.compliance =
        settled ? static_cast<double>(t.met) / static_cast<double>(settled) : std::numeric_limits<double>::quiet_NaN();
  }
  return snap;
}

}  // namespace refsim::viz
