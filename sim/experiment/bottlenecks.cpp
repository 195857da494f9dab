#include "sim/experiment/bottlenecks.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>
#include <map>
#include <mutex>
#include <stdexcept>

#include "sim/experiment/indicators.hpp"
#include "sim/graph/referral_graph.hpp"
#include "sim/model/units.hpp"

namespace refsim {

const char* to_string(Spent s) {
  switch (s) {
    case Spent::waiting: return "waiting";
    case Spent::held: return "held";
    case Spent::service: return "service";
    case Spent::transfer: return "transfer";
  }
  return "?";
}

// ---------------------------------------------------------------------------------------------
// Attribution: one replication.

BottleneckObserver::BottleneckObserver(const Scenario& s)
    : scenario_(s),
      agencies_(static_cast<std::uint32_t>(s.agencies.size())),
      warmup_(s.run.warmup),
      horizon_(s.run.horizon) {
  const std::size_t a = s.agencies.size(), r = s.referrals.size();
  for (const Agency& ag : s.agencies) provides_.push_back(!ag.provides.empty());
  sample_.waiting_days.assign(a, 0);
  sample_.held_days.assign(a, 0);
  sample_.service_days.assign(a, 0);
  sample_.visits.assign(a, 0);
  sample_.transfer_days.assign(r, 0);
  sample_.sent.assign(r, 0);
  sample_.breaches.assign(s.deadlines.size(), std::vector<double>(a + r, 0));
  for (auto& group : sample_.milestones) {
    for (auto& m : group) m.days.assign((a + r) * kSpentKinds, 0);
  }
}

BottleneckObserver::Track& BottleneckObserver::track(const Case& c) {
  std::vector<Track>& tracks = persons_[c.person].tracks;
  if (tracks.size() <= c.track) tracks.resize(c.track + 1);
  return tracks[c.track];
}

void BottleneckObserver::close(Time t, const Case& c) {
  Track& k = track(c);
  if (k.open >= 0) persons_[c.person].segments[static_cast<std::size_t>(k.open)].end = t;
  k.open = -1;
}

void BottleneckObserver::open(Time t, const Case& c, std::uint32_t location, Spent kind) {
  close(t, c);
  Person& p = persons_[c.person];
  p.segments.push_back(Segment{location, kind, t, -1});
  track(c).open = static_cast<std::int32_t>(p.segments.size() - 1);
}

void BottleneckObserver::on_case_entered(Time t, const Case& c, const Attributes& a) {
  if (persons_.size() <= c.person) persons_.resize(c.person + 1);
  Person& p = persons_[c.person];
  p.entered = t;
  p.in_window = in_window(t);
  p.reached = 0;
  p.segments.clear();
  p.tracks.clear();
  p.groups = static_cast<std::uint8_t>(1u | (a[attr::kChild] ? 2u : 4u) | (a[attr::kForeign] ? 16u : 8u));
}

void BottleneckObserver::on_arrival(Time t, AgencyId a, const Case& c) {
  open(t, c, a, Spent::waiting);
  track(c).visit_arrived = t;
  if (in_window(t)) ++sample_.visits[a];
}

void BottleneckObserver::on_hold(Time t, AgencyId a, const Case& c, Time) { open(t, c, a, Spent::held); }

void BottleneckObserver::on_hold_end(Time t, AgencyId a, const Case& c) {
  const Track& k = track(c);
  if (k.open >= 0 && in_window(k.visit_arrived)) {
    sample_.held_days[a] += t - persons_[c.person].segments[static_cast<std::size_t>(k.open)].start;
  }
  open(t, c, a, Spent::waiting);
}

void BottleneckObserver::on_service_start(Time t, AgencyId a, const Case& c, Time waited) {
  if (in_window(track(c).visit_arrived)) sample_.waiting_days[a] += waited;
  open(t, c, a, Spent::service);
  if (provides_[a]) reach(t, c, 1);
}

void BottleneckObserver::on_service_end(Time t, AgencyId a, const Case& c, Time) {
  const Track& k = track(c);
  if (k.open >= 0 && in_window(k.visit_arrived)) {
    sample_.service_days[a] += t - persons_[c.person].segments[static_cast<std::size_t>(k.open)].start;
  }
  close(t, c);
}

void BottleneckObserver::on_referral(Time t, ReferralId r, const Case& c, Time delay) {
  open(t, c, agencies_ + r, Spent::transfer);
  if (in_window(t)) {
    sample_.transfer_days[r] += delay;
    ++sample_.sent[r];
  }
}

void BottleneckObserver::on_dropout(Time t, AgencyId a, const Case& c, Time waited) {
  if (in_window(track(c).visit_arrived)) sample_.waiting_days[a] += waited;
  close(t, c);
}

void BottleneckObserver::on_turned_away(Time t, AgencyId, const Case& c) { close(t, c); }

void BottleneckObserver::on_overflow(Time t, AgencyId, AgencyId, const Case& c) { close(t, c); }

void BottleneckObserver::on_decision(Time t, AgencyId, const Case& c, const Attributes&, std::uint32_t attribute,
                                     bool positive) {
  if (positive && attribute == attr::kIdentified) reach(t, c, 0);
}

void BottleneckObserver::reach(Time t, const Case& c, std::size_t milestone) {
  Person& p = persons_[c.person];
  const auto bit = static_cast<std::uint8_t>(1u << milestone);
  if (p.reached & bit) return;
  p.reached |= bit;
  if (!p.in_window) return;
  for (std::size_t g = 0; g < kBottleneckGroups.size(); ++g) {
    if (!(p.groups >> g & 1u)) continue;
    AttributionSample::ToMilestone& x = sample_.milestones[g][milestone];
    ++x.persons;
    x.person_days += t - p.entered;
    for (const Segment& s : p.segments) {
      const Time end = s.end < 0 ? t : std::min(s.end, t);
      const Time d = end - s.start;
      if (!(d > 0)) continue;
      x.days[s.location * kSpentKinds + static_cast<std::size_t>(s.kind)] += d;
      x.track_days += d;
    }
  }
}

// A breach goes to the location (agency queue or hold, or a referral's transfer) where the
// person's tracks spent the most time, outside service, within the deadline's window [start,
// breach]; ties go to the location first entered. With no such time (in service throughout), to
// the agency the engine names (BasicEngine: where the person's earliest track stands).
void BottleneckObserver::on_deadline(Time t, DeadlineId d, const Case& c, DeadlineOutcome outcome, AgencyId agency,
                                     Time elapsed) {
  if (outcome != DeadlineOutcome::breached || !in_window(t - elapsed)) return;
  const Time from = t - elapsed;
  std::vector<std::pair<std::uint32_t, Time>> spent;  // in order of first entry
  for (const Segment& s : persons_[c.person].segments) {
    if (s.kind == Spent::service) continue;
    const Time end = s.end < 0 ? t : std::min(s.end, t);
    const Time overlap = end - std::max(s.start, from);
    if (!(overlap > 0)) continue;
    auto it = std::find_if(spent.begin(), spent.end(), [&](const auto& x) { return x.first == s.location; });
    if (it == spent.end()) {
      spent.emplace_back(s.location, overlap);
    } else {
      it->second += overlap;
    }
  }
  std::uint32_t where = agency;
  Time most = 0;
  for (const auto& [loc, days] : spent) {
    if (days > most) {
      most = days;
      where = loc;
    }
  }
  ++sample_.breaches[d][where];
}

// ---------------------------------------------------------------------------------------------
// Targets and indicators.

CapacityTarget parse_capacity_target(const std::string& text) {
  std::size_t op = text.find(">=");
  bool at_least = true;
  if (op == std::string::npos) {
    op = text.find("<=");
    at_least = false;
  }
  if (op == std::string::npos || op == 0 || op + 2 >= text.size()) {
    throw std::invalid_argument("--target " + text +
                                ": expected INDICATOR>=VALUE or INDICATOR<=VALUE, e.g. "
                                "\"deadlines.rg_decision_5wd.compliance>=0.95\"");
  }
  CapacityTarget t;
  t.text = text;
  t.at_least = at_least;
  t.indicator = canonical_indicator_name(std::string(trim_space(std::string_view(text).substr(0, op))));
  const std::string value(trim_space(std::string_view(text).substr(op + 2)));
  bool ok = false;
  try {
    std::size_t used = 0;
    t.value = std::stod(value, &used);
    ok = used == value.size();
  } catch (const std::exception&) {
  }
  if (!ok) {
    try {
      t.value = parse_duration(value);
      ok = true;
    } catch (const std::exception&) {
    }
  }
  if (!ok || !std::isfinite(t.value)) {
    throw std::invalid_argument("--target " + text + ": expected a number or a duration after '" +
                                (at_least ? ">=" : "<=") + "', got '" + value + "'");
  }
  return t;
}

std::vector<std::string> default_bottleneck_indicators(const Scenario& s) {
  std::vector<std::string> wanted{"overall.time_to_identified_days_mean", "overall.time_to_first_service_days_mean"};
  for (const Deadline& d : s.deadlines) wanted.push_back("deadlines." + d.id + ".compliance");
  wanted.push_back("overall.dropout_share");
  wanted.push_back("cases.grounds_backlog_at_end");
  std::vector<std::string> out;
  const std::vector<IndicatorDef> defs = indicators(s);
  for (const std::string& w : wanted) {
    for (const IndicatorDef& d : defs) {
      if (d.name == w && d.not_applicable.empty()) out.push_back(w);
    }
  }
  return out;
}

std::string location_name(const Scenario& s, std::uint32_t location) {
  if (location < s.agencies.size()) return s.agencies[location].id;
  return s.referrals[location - s.agencies.size()].key;
}

// ---------------------------------------------------------------------------------------------
// The analysis.

namespace {

/// The indicator series of one scenario's replications, for the indicators chosen.
struct SeriesSet {
  std::vector<IndicatorSeries> by_indicator;
  void resize(std::size_t indicators, std::uint32_t replications) {
    by_indicator.assign(indicators,
                        IndicatorSeries{std::vector<double>(replications, kNaN), std::vector<double>(replications, 0)});
  }
};

bool target_met(const CapacityTarget& target, const Estimate& e) {
  if (!e.ci95 || !std::isfinite(e.ci95->first) || !std::isfinite(e.ci95->second)) return false;
  return target.at_least ? e.ci95->first >= target.value : e.ci95->second <= target.value;
}

}  // namespace

BottleneckResult find_bottlenecks(const Scenario& s, const BottleneckOptions& opt) {
  const auto start = std::chrono::steady_clock::now();
  const std::uint32_t R = std::max<std::uint32_t>(1, opt.replications);
  const std::size_t A = s.agencies.size(), Rf = s.referrals.size();
  BottleneckResult out;
  out.replications = R;

  // The indicators: chosen (or default), then the target's if not among them.
  const std::vector<IndicatorDef> all = indicators(s);
  std::vector<std::string> names = opt.indicators.empty() ? default_bottleneck_indicators(s) : opt.indicators;
  out.indicators = names;
  if (opt.target && std::find(names.begin(), names.end(), opt.target->indicator) == names.end())
    names.push_back(opt.target->indicator);
  std::vector<const IndicatorDef*> defs;
  for (const std::string& n : names) {
    const auto it = std::find_if(all.begin(), all.end(), [&](const IndicatorDef& d) { return d.name == n; });
    if (it == all.end()) throw std::invalid_argument("unknown indicator '" + n + "'");
    if (!it->not_applicable.empty())
      throw std::invalid_argument("indicator '" + n + "' is not applicable in this scenario (" + it->not_applicable +
                                  ")");
    defs.push_back(&*it);
  }
  const std::size_t target_index =
      opt.target
          ? static_cast<std::size_t>(std::find(names.begin(), names.end(), opt.target->indicator) - names.begin())
          : names.size();
  for (AgencyId a : opt.at) {
    if (a >= A) throw std::invalid_argument("no such agency");
    if (s.agencies[a].unlimited)
      throw std::invalid_argument("agency '" + s.agencies[a].id +
                                  "' has no limit (unlimited = true): there is no capacity to search");
  }

  // The variants: the baseline, then +step at every agency with a limit.
  std::vector<AgencyId> candidates;
  for (AgencyId a = 0; a < A; ++a) {
    if (!s.agencies[a].unlimited) candidates.push_back(a);
  }
  std::vector<Scenario> scenarios{s};
  if (opt.marginal) {
    for (AgencyId a : candidates) {
      Scenario v = s;
      v.agencies[a].servers += s.agencies[a].residential ? opt.extra_beds : opt.extra_servers;
      scenarios.push_back(std::move(v));
    }
  }
  std::vector<ReferralGraph> graphs;
  graphs.reserve(scenarios.size());
  for (const Scenario& v : scenarios) graphs.emplace_back(v);

  std::mutex mu;  // guards the progress and the event count
  BottleneckProgress progress;
  const auto run_jobs = [&](std::uint32_t n, const std::function<std::uint64_t(std::uint32_t)>& job) {
    {
      std::lock_guard lock(mu);
      progress.total += n;
    }
    const unsigned used = run_parallel(n, opt.threads, [&](std::uint32_t j) {
      const std::uint64_t events = job(j);
      std::lock_guard lock(mu);
      out.events_processed += events;
      ++out.runs;
      ++progress.done;
      if (opt.progress) opt.progress(progress);
    });
    out.threads_used = std::max(out.threads_used, used);
  };
  const auto record = [&](SeriesSet& into, std::uint32_t r, const ReplicationResult& res, std::size_t only) {
    for (std::size_t i = 0; i < defs.size(); ++i) {
      if (only < defs.size() && i != only) continue;
      const auto [v, b] = defs[i]->read(res);
      into.by_indicator[i].values[r] = v;
      into.by_indicator[i].basis[r] = b;
    }
  };

  // Round one: the baseline (with attribution) and every marginal variant, R replications each.
  std::vector<SeriesSet> series(scenarios.size());
  for (SeriesSet& x : series) x.resize(defs.size(), R);
  std::vector<AttributionSample> samples(R);
  std::vector<std::vector<double>> utilization(A, std::vector<double>(R, kNaN)), arrivals(A, std::vector<double>(R, 0));
  run_jobs(static_cast<std::uint32_t>(scenarios.size()) * R, [&](std::uint32_t j) {
    const std::size_t v = j / R;
    const std::uint32_t r = j % R;
    ReplicationOptions ro;
    std::optional<BottleneckObserver> watcher;
    if (v == 0) {
      watcher.emplace(scenarios[0]);
      ro.watchers.push_back(&*watcher);
    }
    const ReplicationResult res = run_replication(scenarios[v], graphs[v], opt.seed, r, ro);
    record(series[v], r, res, defs.size());
    if (v == 0) {
      samples[r] = watcher->result();
      for (std::size_t a = 0; a < A; ++a) {
        utilization[a][r] = res.agencies[a].utilization;
        arrivals[a][r] = res.agencies[a].arrivals;
      }
    }
    return res.events_processed;
  });

  // Attribution estimates.
  const auto over = [&](auto&& value, auto&& basis, Kind kind) {
    std::vector<double> v(R), b(R);
    for (std::uint32_t r = 0; r < R; ++r) {
      v[r] = value(samples[r]);
      b[r] = basis(samples[r]);
    }
    return estimate(kind, v, b);
  };
  out.agencies.resize(A);
  for (std::size_t a = 0; a < A; ++a) {
    AgencyAttribution& x = out.agencies[a];
    const auto visits = [a](const AttributionSample& z) { return z.visits[a]; };
    x.waiting_person_days =
        over([a](const AttributionSample& z) { return z.waiting_days[a]; }, visits, Kind::nonnegative);
    x.held_person_days = over([a](const AttributionSample& z) { return z.held_days[a]; }, visits, Kind::nonnegative);
    x.service_person_days =
        over([a](const AttributionSample& z) { return z.service_days[a]; }, visits, Kind::nonnegative);
    x.visits = over(visits, visits, Kind::count);
    x.breaches = over(
        [a](const AttributionSample& z) {
          double n = 0;
          for (const auto& d : z.breaches) n += d[a];
          return n;
        },
        visits, Kind::count);
    x.utilization = estimate(Kind::fraction, utilization[a], arrivals[a]);
  }
  out.referrals.resize(Rf);
  for (std::size_t r = 0; r < Rf; ++r) {
    ReferralAttribution& x = out.referrals[r];
    const auto sent = [r](const AttributionSample& z) { return z.sent[r]; };
    x.transfer_person_days =
        over([r](const AttributionSample& z) { return z.transfer_days[r]; }, sent, Kind::nonnegative);
    x.sent = over(sent, sent, Kind::count);
    x.breaches = over(
        [r, A](const AttributionSample& z) {
          double n = 0;
          for (const auto& d : z.breaches) n += d[A + r];
          return n;
        },
        sent, Kind::count);
  }
  out.deadlines.resize(s.deadlines.size());
  for (std::size_t d = 0; d < s.deadlines.size(); ++d) {
    const auto total = [d](const AttributionSample& z) {
      double n = 0;
      for (double x : z.breaches[d]) n += x;
      return n;
    };
    DeadlineAttribution& x = out.deadlines[d];
    x.breached = over(total, total, Kind::count);
    for (std::uint32_t loc = 0; loc < A + Rf; ++loc) {
      double any = 0;
      for (const AttributionSample& z : samples) any += z.breaches[d][loc];
      if (any > 0)
        x.by_location.emplace_back(
            loc, over([d, loc](const AttributionSample& z) { return z.breaches[d][loc]; }, total, Kind::count));
    }
    std::stable_sort(x.by_location.begin(), x.by_location.end(),
                     [](const auto& p, const auto& q) { return p.second.mean > q.second.mean; });
  }
  for (std::size_t g = 0; g < kBottleneckGroups.size(); ++g) {
    for (std::size_t m = 0; m < kBottleneckMilestones.size(); ++m) {
      MilestoneAttribution& x = out.milestones[g][m];
      const auto persons = [g, m](const AttributionSample& z) { return z.milestones[g][m].persons; };
      x.persons = over(persons, persons, Kind::count);
      x.mean_days = over(
          [g, m](const AttributionSample& z) {
            const auto& y = z.milestones[g][m];
            return y.persons > 0 ? y.person_days / y.persons : kNaN;
          },
          persons, Kind::nonnegative);
      for (std::size_t k = 0; k < (A + Rf) * kSpentKinds; ++k) {
        double any = 0;
        for (const AttributionSample& z : samples) any += z.milestones[g][m].days[k];
        if (!(any > 0)) continue;
        ShareOfTime sh;
        sh.location = static_cast<std::uint32_t>(k / kSpentKinds);
        sh.kind = static_cast<Spent>(k % kSpentKinds);
        sh.share = over(
            [g, m, k](const AttributionSample& z) {
              const auto& y = z.milestones[g][m];
              return y.track_days > 0 ? y.days[k] / y.track_days : kNaN;
            },
            persons, Kind::fraction);
        x.shares.push_back(std::move(sh));
      }
      std::stable_sort(x.shares.begin(), x.shares.end(),
                       [](const ShareOfTime& p, const ShareOfTime& q) { return p.share.mean > q.share.mean; });
    }
  }
  samples.clear();
  samples.shrink_to_fit();

  // Marginal value.
  if (opt.marginal) {
    out.comparisons = candidates.size();
    for (std::size_t k = 0; k < candidates.size(); ++k) {
      const AgencyId a = candidates[k];
      MarginalValue mv;
      mv.agency = a;
      mv.from = s.agencies[a].servers;
      mv.to = scenarios[k + 1].agencies[a].servers;
      for (std::size_t i = 0; i < out.indicators.size(); ++i) {
        MarginalEffect e;
        e.indicator = defs[i]->name;
        e.label = defs[i]->label;
        e.unit = defs[i]->unit;
        e.kind = defs[i]->kind;
        e.smaller_is_better = smaller_is_better(e.indicator);
        const IndicatorSeries& base = series[0].by_indicator[i];
        e.baseline = estimate(e.kind, base.values, base.basis);
        e.difference = paired_difference(e.kind, base, series[k + 1].by_indicator[i], out.comparisons);
        e.includes_zero = !e.difference || !e.difference->significant;
        e.improves = !e.includes_zero && (e.smaller_is_better ? e.difference->mean < 0 : e.difference->mean > 0);
        mv.effects.push_back(std::move(e));
      }
      out.marginal.push_back(std::move(mv));
    }
    // Ranked: a significant improvement of the first indicator first, then by the number of
    // indicators improved significantly, then by the first indicator's improvement; ties by agency.
    const auto score = [](const MarginalValue& m) {
      if (m.effects.empty() || !m.effects[0].difference) return -std::numeric_limits<double>::infinity();
      const double d = m.effects[0].difference->mean;
      return m.effects[0].smaller_is_better ? -d : d;
    };
    const auto improved = [](const MarginalValue& m) {
      return std::count_if(m.effects.begin(), m.effects.end(), [](const MarginalEffect& e) { return e.improves; });
    };
    std::stable_sort(out.marginal.begin(), out.marginal.end(), [&](const MarginalValue& p, const MarginalValue& q) {
      const bool pf = !p.effects.empty() && p.effects[0].improves, qf = !q.effects.empty() && q.effects[0].improves;
      if (pf != qf) return pf;
      if (improved(p) != improved(q)) return improved(p) > improved(q);
      return score(p) > score(q);
    });
    for (std::size_t i = 0; i < out.marginal.size(); ++i) out.marginal[i].rank = i + 1;
  }

  // Capacity needed.
  if (opt.target) {
    std::vector<AgencyId> at = opt.at;
    if (at.empty()) {
      if (opt.marginal) {
        // Where the marginal step improves the target's indicator significantly, in candidate order.
        for (std::size_t k = 0; k < candidates.size(); ++k) {
          const auto d = paired_difference(defs[target_index]->kind, series[0].by_indicator[target_index],
                                           series[k + 1].by_indicator[target_index], out.comparisons);
          if (d && d->significant && (opt.target->at_least ? d->mean > 0 : d->mean < 0)) at.push_back(candidates[k]);
        }
      } else {
        at = candidates;
      }
    }
    const IndicatorDef& def = *defs[target_index];
    for (AgencyId a : at) {
      CapacitySearch cs;
      cs.agency = a;
      cs.target = *opt.target;
      cs.current = s.agencies[a].servers;
      const std::uint32_t cap =
          opt.max_capacity ? std::max(opt.max_capacity, cs.current) : std::max<std::uint32_t>(64, 16 * cs.current);
      std::map<std::uint32_t, IndicatorSeries> cache;
      cache[cs.current] = series[0].by_indicator[target_index];
      if (opt.marginal) {
        const auto k =
            static_cast<std::size_t>(std::find(candidates.begin(), candidates.end(), a) - candidates.begin());
        cache[scenarios[k + 1].agencies[a].servers] = series[k + 1].by_indicator[target_index];
      }
      const auto evaluate = [&](std::uint32_t c) {
        if (!cache.count(c)) {
          Scenario v = s;
          v.agencies[a].servers = c;
          const ReferralGraph g(v);
          SeriesSet x;
          x.resize(defs.size(), R);
          run_jobs(R, [&](std::uint32_t r) {
            const ReplicationResult res = run_replication(v, g, opt.seed, r);
            record(x, r, res, target_index);
            return res.events_processed;
          });
          cache[c] = std::move(x.by_indicator[target_index]);
        }
        const IndicatorSeries& y = cache[c];
        CapacityStep st;
        st.capacity = c;
        st.estimate = estimate(def.kind, y.values, y.basis);
        st.met = target_met(*opt.target, st.estimate);
        cs.steps.push_back(st);
        cs.max_tried = std::max(cs.max_tried, c);
        return st.met;
      };
      // Bracket [lo, hi] with lo not meeting the target (0: none tried) and hi meeting it,
      // doubling the step away from the current capacity; then bisect. Assumes the indicator
      // improves (or stays) as capacity grows.
      std::uint32_t lo = 0, hi = 0;
      bool found = false;
      if (evaluate(cs.current)) {
        hi = cs.current;
        found = true;
        for (std::uint32_t d = 1;; d *= 2) {
          if (d >= hi) {
            lo = 0;
            break;
          }
          const std::uint32_t c = cs.current - d;
          if (!evaluate(c)) {
            lo = c;
            break;
          }
          hi = c;
        }
      } else {
        lo = cs.current;
        for (std::uint32_t d = 1;; d *= 2) {
          const std::uint32_t c =
              static_cast<std::uint32_t>(std::min<std::uint64_t>(std::uint64_t{cs.current} + d, cap));
          if (c <= lo) break;
          if (evaluate(c)) {
            hi = c;
            found = true;
            break;
          }
          lo = c;
          if (c >= cap) break;
        }
      }
      if (found) {
        while (hi - lo > 1) {
          const std::uint32_t mid = lo + (hi - lo) / 2;
          if (evaluate(mid)) {
            hi = mid;
          } else {
            lo = mid;
          }
        }
        cs.needed = hi;
        const IndicatorSeries& y = cache[hi];
        cs.at_needed = estimate(def.kind, y.values, y.basis);
        if (hi != cs.current) cs.versus_current = paired_difference(def.kind, cache[cs.current], y, 1);
        const std::string what = s.agencies[a].residential ? " beds" : " servers";
        cs.note = hi == cs.current  ? "met at the current capacity, and not with one less"
                  : hi < cs.current ? "met already; " + std::to_string(hi) + what + " would do"
                                    : std::to_string(hi - cs.current) + what + " more";
        if (hi == cs.current && lo == 0 && cs.current == 1) cs.note = "met at the current capacity (1)";
      } else {
        cs.note = "not met with up to " + std::to_string(cs.max_tried) +
                  (s.agencies[a].residential ? " beds" : " servers") + " here";
      }
      out.capacity.push_back(std::move(cs));
    }
  }
  out.wall_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return out;
}

}  // namespace refsim
