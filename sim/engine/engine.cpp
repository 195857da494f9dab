#include "sim/engine/engine.hpp"

#include <algorithm>
#include <cassert>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>
#include <type_traits>

#include "sim/experiment/statistics.hpp"

namespace refsim {

template <class Hook>
inline void Engine::publish(Hook&& hook) {
  if (stats_) hook(*stats_);  // a final class: direct calls, inlined where the hook is in its header
  for (Observer* o : observers_) hook(*o);
}

namespace {
constexpr std::uint8_t kPriorityControl = 0;  // warm-up reset runs before anything at the same time
constexpr std::uint8_t kPriorityFlow = 1;
constexpr std::uint32_t kNoTrack = 0xFFFFFFFFu;
/// A target reached at the limit, up to rounding of the times added on the way, meets the deadline:
/// the check allows 1e-9 days (86 µs), and the deadline's timer fires that much after the limit.
constexpr Time kDeadlineTolerance = 1e-9;
/// Deadlines in working days ("5wd") count Monday to Friday.
const WorkCalendar kWorkingWeek = WorkCalendar::parse("mon-fri", "00:00", "24:00");
/// Days in a month of the seasonality table: 12 months of a 365-day year.
constexpr Time kMonth = 365.0 / 12.0;

/// Stores `value` in a free slot of `slots` (the last freed one, else a new one) and returns its
/// index, which events carry: more than Event::kMaxIndex slots in use at once is an error.
template <class T>
std::uint32_t store(std::vector<T>& slots, std::vector<std::uint32_t>& free, const T& value, const char* what) {
  if (!free.empty()) {
    const std::uint32_t slot = free.back();
    free.pop_back();
    slots[slot] = value;
    return slot;
  }
  if (slots.size() > Event::kMaxIndex) throw std::runtime_error(std::string("too many ") + what + " at once");
  slots.push_back(value);
  return static_cast<std::uint32_t>(slots.size() - 1);
}

/// Index of the first cumulative share above u (the last index when rounding leaves u above all).
template <class Shares, class Get>
std::size_t pick(const Shares& shares, double u, Get get) {
  double cum = 0;
  for (std::size_t i = 0; i < shares.size(); ++i) {
    cum += get(shares[i]);
    if (u < cum) return i;
  }
  return shares.size() - 1;
}
}  // namespace

Engine::Engine(const Scenario& scenario, const ReferralGraph& g, std::uint64_t seed, std::uint32_t replication)
    : drawn_(scenario.uncertain.empty() ? std::nullopt
                                        : std::optional<Scenario>(scenario.with_parameters_drawn(seed, replication))),
      scenario_(drawn_ ? *drawn_ : scenario),
      seed_(seed),
      replication_(replication),
      params_(Parameters::of(scenario_)),
      deadline_count_(scenario.deadlines.size()) {
  const Scenario& s = scenario_;
  // The engine's own routing table: the graph's, with the probabilities and conditions that
  // changes may alter.
  std::vector<std::size_t> route_begin{0};
  for (AgencyId a = 0; a < s.agencies.size(); ++a) {
    for (const Route& r : g.routes(a)) routes_.push_back(r);
    route_begin.push_back(routes_.size());
  }
  route_of_.resize(s.referrals.size());
  for (std::uint32_t k = 0; k < routes_.size(); ++k) route_of_[routes_[k].referral] = k;
  agencies_.reserve(s.agencies.size());
  for (const Agency& a : s.agencies) {
    AgencyState st;
    const auto id = static_cast<AgencyId>(agencies_.size());
    st.unlimited = a.unlimited;
    st.supports = a.supports;
    st.has_not_before = a.not_before.has_value();
    st.has_hours = a.hours.has_value();
    st.end_rules = a.decision || a.withdrawal > 0 || a.withdrawal_supported > 0 || a.retrafficking;
    st.when_full = a.when_full;
    st.routes = std::span<const Route>(routes_.data() + route_begin[id], route_begin[id + 1] - route_begin[id]);
    for (const Route& r : st.routes) st.has_forks = st.has_forks || r.fork;
    compile_routes(st);
    st.service = SampleStream(a.service, make_stream(seed, replication, a.id, StreamPurpose::service));
    st.routing_rng = make_stream(seed, replication, a.id, StreamPurpose::routing);
    st.fork_rng = make_stream(seed, replication, a.id, StreamPurpose::fork);
    st.decision_rng = make_stream(seed, replication, a.id, StreamPurpose::decision);
    st.has_patience = a.patience.has_value();
    if (st.has_patience) st.patience = Sampler(*a.patience);
    st.patience_rng = make_stream(seed, replication, a.id, StreamPurpose::patience);
    st.initial_rng = make_stream(seed, replication, a.id, StreamPurpose::attributes);
    if (a.withdrawal > 0 || a.withdrawal_supported > 0)
      st.withdrawal_rng = make_stream(seed, replication, a.id, StreamPurpose::withdrawal);
    st.decision = a.decision;
    st.withdrawal = a.withdrawal;
    st.withdrawal_supported = a.withdrawal_supported;
    if (a.retrafficking) {
      st.has_retrafficking = true;
      st.retrafficking_probability = a.retrafficking->probability;
      st.retrafficking_reenters = a.retrafficking->reenters;
      st.retrafficking_rng = make_stream(seed, replication, a.id, StreamPurpose::retrafficking);
      st.retrafficking_delay = Sampler(a.retrafficking->after);
    }
    agencies_.push_back(std::move(st));
    set_capacity(id);
  }
  for (AgencyId a = 0; a < s.agencies.size(); ++a) default_attributes_.push_back(s.default_attributes(a));
  for (std::uint32_t n = 0; n < s.nationalities.size(); ++n) {
    for (AgencyId a = 0; a < s.agencies.size(); ++a) foreign_.push_back(s.is_foreign(n, a) ? 1 : 0);
  }
  for (const Profile& prof : s.profiles) {
    ProfileState st;
    if (prof.patience) {
      st.has_patience = true;
      st.patience = Sampler(*prof.patience);
      st.patience_rng = make_stream(seed, replication, "profile:" + prof.id, StreamPurpose::patience);
    }
    profiles_.push_back(std::move(st));
  }
  for (const Referral& r : s.referrals) {
    ReferralState st;
    st.to = r.to;
    st.consent = r.consent;
    st.loss = r.loss;
    st.has_delay = r.delay.has_value();
    if (st.has_delay)
      st.delay = SampleStream(*r.delay, make_stream(seed, replication, r.key, StreamPurpose::transfer_delay));
    st.decision_rng = make_stream(seed, replication, r.key, StreamPurpose::decision);
    referrals_.push_back(std::move(st));
  }
  for (std::size_t i = 0; i < s.sources.size(); ++i) {
    const Source& src = s.sources[i];
    SourceState st;
    st.profile = src.profile;
    st.attribute_rng = make_stream(seed, replication, src.id, StreamPurpose::attributes);
    if (!src.seasonality.empty()) {
      st.thinning_rng = make_stream(seed, replication, src.id, StreamPurpose::thinning);
      st.peak_factor = *std::max_element(src.seasonality.begin(), src.seasonality.end());
    }
    const double rate = src.rate_per_day * st.peak_factor;
    // At rate 0 (batches only) the stream is there for a change that starts arrivals.
    st.gap = SampleStream(DistributionSpec::exponential(rate > 0 ? 1.0 / rate : 1.0),
                          make_stream(seed, replication, src.id, StreamPurpose::interarrival));
    sources_.push_back(std::move(st));
    schedule_arrival(0, static_cast<SourceId>(i));
    if (!src.batches.empty()) {
      schedule(src.batches.front(), kPriorityFlow, {Scheduled::Type::batch, static_cast<std::uint32_t>(i)});
    }
  }
  deadlines_at_.resize(1 + s.agencies.size() + 2 * kDecidable);
  for (DeadlineId d = 0; d < deadline_count_; ++d) {
    const Deadline& dl = s.deadlines[d];
    const std::size_t from = milestone_key(dl.from.kind, dl.from.target), to = milestone_key(dl.to.kind, dl.to.target);
    deadlines_at_[from].push_back(d);
    if (to != from) deadlines_at_[to].push_back(d);
  }
  if (s.run.warmup > 0) calendar_.push(s.run.warmup, kPriorityControl, EventKind::warmup_end, 0);
  for (const ScheduledChange& sc : s.changes) schedule_change(sc.at, sc.change);
  for (AgencyId a = 0; a < s.agencies.size(); ++a) {
    if (s.agencies[a].initial_cases > 0) schedule(0, kPriorityControl, {Scheduled::Type::initial_cases, a});
  }
}

void Engine::set_capacity(AgencyId a) {
  AgencyState& st = agencies_[a];
  const AgencyParameters& p = params_.agencies[a];
  st.capacity = !p.open ? 0 : st.unlimited ? std::numeric_limits<std::uint32_t>::max() : p.servers;
}

void Engine::compile_routes(AgencyState& st) {
  st.fixed_routes =
      st.routes.size() <= st.thresholds.size() &&
      std::all_of(st.routes.begin(), st.routes.end(), [](const Route& r) { return r.unconditional && !r.fork; });
  if (st.fixed_routes) {
    double cumulative = 0;
    st.thresholds.fill(std::numeric_limits<double>::infinity());
    for (std::size_t k = 0; k < st.routes.size(); ++k) st.thresholds[k] = cumulative += st.routes[k].probability;
  }
}

void Engine::schedule_arrival(Time t, SourceId i) {
  SourceState& src = sources_[i];
  const double rate = params_.sources[i].rate_per_day * src.peak_factor;
  if (!(rate > 0)) {
    src.next_at = -1;  // a pending arrival, if any, is stale
    return;
  }
  src.next_at = t + src.gap();
  calendar_.push(src.next_at, kPriorityFlow, EventKind::source_arrival, i);
}

void Engine::schedule_change(Time at, const Change& change) {
  if (!(at >= now_)) {
    throw std::invalid_argument("a change scheduled at " + format_duration(at) + ", before the current time " +
                                format_duration(now_));
  }
  schedule(at, kPriorityControl,
           {Scheduled::Type::change, store(changes_, free_changes_, change, "scheduled changes")});
}

void Engine::apply(const Change& c) {
  const Change previous = params_.apply(c, scenario_);  // validates; throws before anything changed
  const Time t = now_;
  switch (c.target) {
    case Change::Target::agency: {
      AgencyState& st = agencies_[c.index];
      if (c.sensitivity || c.specificity || c.positive_rate) st.decision = params_.agencies[c.index].decision;
      set_capacity(c.index);
      break;
    }
    case Change::Target::source: {
      SourceState& src = sources_[c.index];
      src.profile = params_.sources[c.index].profile;
      if (c.rate_per_day) {
        // Exponential gaps at the new (peak) rate, from the same stream; the pending arrival is
        // stale and a new gap is drawn from now: by memorylessness, still a Poisson process.
        const double rate = params_.sources[c.index].rate_per_day * src.peak_factor;
        if (rate > 0) src.gap.redistribute(DistributionSpec::exponential(1.0 / rate));
        schedule_arrival(t, c.index);
      }
      break;
    }
    case Change::Target::referral: {
      const ReferralParameters& p = params_.referrals[c.index];
      ReferralState& st = referrals_[c.index];
      st.loss = p.loss;
      st.consent = p.consent;
      if (c.delay) {
        // A rule that had no delay takes the stream it would have had from the start.
        if (!st.has_delay) {
          st.delay = SampleStream(*p.delay, make_stream(seed_, replication_, scenario_.referrals[c.index].key,
                                                        StreamPurpose::transfer_delay));
        } else {
          st.delay.redistribute(*p.delay);
        }
        st.has_delay = true;
      }
      Route& r = routes_[route_of_[c.index]];
      r.probability = p.probability;
      r.when = p.when;
      r.unconditional = p.when.constant() == std::optional<bool>(true);
      compile_routes(agencies_[scenario_.referrals[c.index].from]);
      break;
    }
  }
  publish([&](auto& o) { o.on_parameter_changed(t, c, previous); });
  if (c.target == Change::Target::agency) {
    // New servers, or an agency reopened: the longest-waiting cases start, one per free server.
    AgencyState& st = agencies_[c.index];
    while (st.waiting_count > 0 && st.busy < st.capacity) next_from_queue(t, c.index);
  }
}

void Engine::schedule(Time t, std::uint8_t priority, Scheduled what) {
  calendar_.push(t, priority, EventKind::scheduled, store(scheduled_, free_scheduled_, what, "scheduled actions"));
}

void Engine::on_scheduled(Time t, std::uint32_t slot) {
  const Scheduled what = scheduled_[slot];
  free_scheduled_.push_back(slot);
  switch (what.type) {
    case Scheduled::Type::initial_cases: on_initial_cases(t, what.index); break;
    case Scheduled::Type::batch: on_batch(t, what.index); break;
    case Scheduled::Type::hold_end: {
      Case& c = cases_[what.index];
      c.held = false;
      c.arrived = t;  // waits and time in the agency count from the end of the hold
      publish([&](auto& o) { o.on_hold_end(t, c.agency, c); });
      join(t, c.agency, what.index);
      break;
    }
    case Scheduled::Type::reentry: on_reentry(t, what.index); break;
    case Scheduled::Type::change: {
      const Change change = std::move(changes_[what.index]);
      free_changes_.push_back(what.index);
      apply(change);
      break;
    }
  }
}

void Engine::run_until(Time t) {
  assert(t >= now_);
  while (run_events(t, kProgressEvery)) check_progress();
  now_ = t;
}

bool Engine::run_events(Time t, std::uint64_t budget) {
  while (!calendar_.empty() && calendar_.next_time() <= t) {
    const Event e = calendar_.pop();
    now_ = e.time;
    ++events_;
    dispatch(e);
    if (--budget == 0) return true;
  }
  return false;
}

void Engine::check_progress() {
  if (now_ != progress_time_) {
    progress_time_ = now_;
    stalled_checks_ = 0;
    return;
  }
  if (++stalled_checks_ < stalled_limit_) return;
  throw std::runtime_error("more than " + std::to_string(stalled_limit_ * kProgressEvery) +
                           " events at t = " + format_duration(now_) +
                           " without the clock moving: cases loop through zero-time services and referrals "
                           "(see the warnings of `refsim check`)");
}

void Engine::dispatch(const Event& e) {
  const std::uint32_t i = e.index();
  switch (e.kind()) {
    case EventKind::warmup_end: publish([&](auto& o) { o.on_warmup_end(e.time); }); break;
    case EventKind::source_arrival:
      if (e.time == sources_[i].next_at) on_source(e.time, i);  // else stale: the rate changed
      break;
    case EventKind::transfer_end: arrive(e.time, cases_[i].next_agency, i); break;
    case EventKind::service_end: end_service(e.time, cases_[i].agency, i); break;
    case EventKind::deadline_due: on_deadline_due(e.time, i); break;
    case EventKind::patience_end: on_patience_end(e.time, i); break;
    case EventKind::scheduled: on_scheduled(e.time, i); break;
  }
}

void Engine::draw_attributes(Attributes& a, ProfileId profile, AgencyId entry, Rng& rng) {
  // The built-in profile is fixed (adult victims of the home nationality): nothing to draw. Other
  // profiles take a fixed number of draws per case, so that streams stay aligned.
  if (profile == 0) {
    a = default_attributes_[entry];
    return;
  }
  a.fill(0);
  const Profile& prof = scenario_.profiles[profile];
  const double u_child = uniform01(rng), u_sex = uniform01(rng);
  const double u_expl = uniform01(rng), u_nat = uniform01(rng);
  const double u_victim = uniform01(rng);
  a[attr::kChild] = u_child < prof.child;
  a[attr::kAdult] = 1 - a[attr::kChild];
  a[attr::kSex] = u_sex < prof.female ? 0 : 1;
  a[attr::kExploitation] = static_cast<std::uint32_t>(pick(prof.exploitation, u_expl, [](double x) { return x; }));
  a[attr::kNationality] = prof.nationality[pick(prof.nationality, u_nat, [](const auto& x) { return x.second; })].first;
  a[attr::kVictim] = u_victim < prof.victim;
  for (std::size_t i = 0; i < kNeeds.size(); ++i) a[attr::kNeedsFirst + i] = uniform01(rng) < prof.needs[i];
  a[attr::kForeign] = is_foreign(a[attr::kNationality], entry);
}

template <class Init>
void Engine::enter(Time t, SourceId s, AgencyId a, Init init) {
  const std::uint32_t person = new_person();
  Person& p = persons_[person];
  p.entered = t;
  p.source = s;
  init(p);
  const std::uint32_t slot = new_track(person);
  Case& c = cases_[slot];
  c.agency = a;
  publish([&](auto& o) { o.on_case_entered(t, c); });
  if (deadline_count_) milestone(t, slot, Milestone::Kind::entered, 0);
  arrive(t, a, slot);
}

void Engine::on_initial_cases(Time t, AgencyId agency) {
  const Agency& ag = scenario_.agencies[agency];
  for (std::uint32_t k = 0; k < ag.initial_cases; ++k) {
    enter(t, kNoSource, agency, [&](Person& p) {
      p.profile = ag.initial_profile;
      draw_attributes(p.attributes, ag.initial_profile, agency, agencies_[agency].initial_rng);
    });
  }
}

void Engine::on_source(Time t, SourceId s) {
  SourceState& src = sources_[s];
  const Source& spec = scenario_.sources[s];
  src.next_at = t + src.gap();
  calendar_.push(src.next_at, kPriorityFlow, EventKind::source_arrival, s);
  if (!spec.seasonality.empty()) {
    // Thinning (Lewis–Shedler): candidates come at the peak rate; one is kept with probability
    // factor(month) / peak.
    const auto month = static_cast<std::size_t>(std::fmod(t, 365.0) / kMonth) % 12;
    if (!(uniform01(src.thinning_rng) * src.peak_factor < spec.seasonality[month])) return;
  }
  enter(t, s, spec.to, [&](Person& p) {
    p.profile = src.profile;
    draw_attributes(p.attributes, src.profile, spec.to, src.attribute_rng);
  });
}

void Engine::on_batch(Time t, SourceId s) {
  SourceState& src = sources_[s];
  const Source& spec = scenario_.sources[s];
  if (++src.next_batch < spec.batches.size()) {
    schedule(spec.batches[src.next_batch], kPriorityFlow, {Scheduled::Type::batch, s});
  }
  for (std::uint32_t k = 0; k < spec.batch_size; ++k) {
    enter(t, s, spec.to, [&](Person& p) {
      p.profile = src.profile;
      draw_attributes(p.attributes, src.profile, spec.to, src.attribute_rng);
    });
  }
}

void Engine::on_reentry(Time t, std::uint32_t slot) {
  const Reentry re = reentries_[slot];
  free_reentries_.push_back(slot);
  enter(t, kNoSource, re.at, [&](Person& p) {
    p.attributes = re.attributes;
    p.previous = re.previous;
    p.profile = re.profile;
  });
}

Time Engine::milestone_time(std::uint32_t person, const Milestone& m) const {
  const Person& p = persons_[person];
  switch (m.kind) {
    case Milestone::Kind::entered: return p.entered;
    case Milestone::Kind::decided: return p.decided_at[m.target - attr::kPresumed];
    case Milestone::Kind::positive: return p.positive_at[m.target - attr::kPresumed];
    case Milestone::Kind::arrival: break;  // not recorded per agency; the loader rejects it here
  }
  return -1;
}

void Engine::arrive(Time t, AgencyId a, std::uint32_t slot) {
  Case& c = cases_[slot];
  c.agency = a;
  c.in_transfer = false;
  c.arrived = t;
  publish([&](auto& o) { o.on_arrival(t, a, c); });
  if (deadline_count_) {
    milestone(t, slot, Milestone::Kind::arrival, a);
  }
  if (agencies_[a].has_not_before) {
    const NotBefore& nb = *scenario_.agencies[a].not_before;
    const Time reached = milestone_time(c.person, nb.after);
    if (reached >= 0 && reached + nb.gap > t) {
      c.held = true;
      publish([&](auto& o) { o.on_hold(t, a, c, reached + nb.gap); });
      schedule(reached + nb.gap, kPriorityFlow, {Scheduled::Type::hold_end, slot});
      return;
    }
  }
  join(t, a, slot);
}

void Engine::join(Time t, AgencyId a, std::uint32_t slot) {
  AgencyState& ag = agencies_[a];
  if (ag.busy < ag.capacity) {
    start_service(t, a, slot);
    return;
  }
  Case& c = cases_[slot];
  switch (ag.when_full) {
    case WhenFull::wait:
      ag.waiting.emplace_back(slot, generation_[slot]);
      ++ag.waiting_count;
      c.waiting = true;
      if (ag.has_patience) {
        gives_up_[slot] = t + ag.patience(ag.patience_rng);
        calendar_.push(gives_up_[slot], kPriorityFlow, EventKind::patience_end, slot);
      } else if (ProfileState& prof = profiles_[persons_[c.person].profile]; prof.has_patience) {
        gives_up_[slot] = t + prof.patience(prof.patience_rng);
        calendar_.push(gives_up_[slot], kPriorityFlow, EventKind::patience_end, slot);
      } else {
        gives_up_[slot] = -1;  // an earlier agency's patience event, still pending, must not match
      }
      break;
    case WhenFull::turn_away:
      publish([&](auto& o) { o.on_turned_away(t, a, c); });
      end_track(t, slot);
      break;
    case WhenFull::overflow: {
      const AgencyId to = scenario_.agencies[a].overflow_to;
      publish([&](auto& o) { o.on_overflow(t, a, to, c); });
      arrive(t, to, slot);
      break;
    }
  }
}

Time Engine::service_end_time(AgencyId a, Time t, Time work) const {
  return agencies_[a].has_hours ? scenario_.agencies[a].hours->advance(t, work) : t + work;
}

void Engine::on_patience_end(Time t, std::uint32_t slot) {
  Case& c = cases_[slot];
  // Stale when service started first (or the slot now holds another track that is not waiting
  // until exactly this moment).
  if (!c.live || !c.waiting || gives_up_[slot] != t) return;
  AgencyState& ag = agencies_[c.agency];
  c.waiting = false;
  --ag.waiting_count;  // its queue entry stays and is skipped: the generation no longer matches
  ++generation_[slot];
  publish([&](auto& o) { o.on_dropout(t, c.agency, c, t - c.arrived); });
  end_track(t, slot);
}

void Engine::start_service(Time t, AgencyId a, std::uint32_t slot) {
  AgencyState& ag = agencies_[a];
  Case& c = cases_[slot];
  ++ag.busy;
  if (ag.supports) persons_[c.person].attributes[attr::kSupported] = 1;
  publish([&](auto& o) { o.on_service_start(t, a, c, t - c.arrived); });
  calendar_.push(service_end_time(a, t, ag.service()), kPriorityFlow, EventKind::service_end, slot);
}

void Engine::end_service(Time t, AgencyId a, std::uint32_t slot) {
  AgencyState& ag = agencies_[a];
  --ag.busy;
  {
    const Case& c = cases_[slot];
    publish([&](auto& o) { o.on_service_end(t, a, c, t - c.arrived); });
  }
  if (ag.end_rules && end_of_service_rules(t, a, slot)) {
    next_from_queue(t, a);
    return;
  }
  const std::span<const Route> routes = ag.routes;
  const ReferralId* chosen = nullptr;
  if (ag.fixed_routes && !routes.empty()) {
    // The first route whose cumulative probability exceeds u is the number of those that do not.
    const double u = uniform01(ag.routing_rng);
    const auto& c = ag.thresholds;
    static_assert(std::tuple_size_v<std::remove_reference_t<decltype(c)>> == 4, "one term per threshold below");
    const std::size_t k =
        std::size_t{u >= c[0]} + std::size_t{u >= c[1]} + std::size_t{u >= c[2]} + std::size_t{u >= c[3]};
    if (k < routes.size()) chosen = &routes[k].referral;
  } else if (!routes.empty()) {
    const Attributes& attrs = persons_[cases_[slot].person].attributes;
    // Parallel tracks first: each applicable fork is taken independently.
    if (ag.has_forks) {
      for (const Route& r : routes) {
        if (!r.fork) continue;
        if (!r.when(attrs)) continue;
        if (uniform01(ag.fork_rng) < r.probability) {
          if (persons_[cases_[slot].person].tracks >= kMaxTracks) {
            throw std::runtime_error("a person has more than " + std::to_string(kMaxTracks) +
                                     " parallel tracks at once: a fork on a referral loop (see the warnings of "
                                     "`refsim check`)");
          }
          const std::uint32_t fork = new_track(cases_[slot].person);
          Case& f = cases_[fork];
          f.agency = a;
          f.arrived = t;
          publish([&](auto& o) { o.on_fork(t, r.referral, f); });
          send(t, r.referral, fork);
        }
      }
    }
    // The main route: one draw, the applicable rules' probabilities in declaration order.
    const double u = uniform01(ag.routing_rng);
    double cumulative = 0;
    for (const Route& r : routes) {
      if (r.fork) continue;
      if (!r.unconditional && !r.when(attrs)) continue;
      cumulative += r.probability;
      if (u < cumulative) {
        chosen = &r.referral;
        break;
      }
    }
  }
  if (chosen) {
    send(t, *chosen, slot);
  } else {
    end_track(t, slot);
  }
  next_from_queue(t, a);
}

bool Engine::end_of_service_rules(Time t, AgencyId a, std::uint32_t slot) {
  AgencyState& ag = agencies_[a];
  if (const auto& decision = ag.decision) {
    const Case& c = cases_[slot];
    Person& p = persons_[c.person];
    Attributes& attrs = p.attributes;
    const bool positive = uniform01(ag.decision_rng) < decision->p_positive(attrs[attr::kVictim] != 0);
    attrs[decision->sets] = positive;
    const std::size_t k = decision->sets - attr::kPresumed;
    if (p.decided_at[k] < 0) p.decided_at[k] = t;
    if (positive && p.positive_at[k] < 0) p.positive_at[k] = t;
    publish([&](auto& o) { o.on_decision(t, a, c, attrs, decision->sets, positive); });
    if (deadline_count_) {
      milestone(t, slot, Milestone::Kind::decided, decision->sets);
      if (positive) milestone(t, slot, Milestone::Kind::positive, decision->sets);
    }
  }
  if (ag.withdrawal > 0 || ag.withdrawal_supported > 0) {
    const Case& c = cases_[slot];
    const bool supported = persons_[c.person].attributes[attr::kSupported] != 0;
    if (uniform01(ag.withdrawal_rng) < (supported ? ag.withdrawal_supported : ag.withdrawal)) {
      publish([&](auto& o) { o.on_withdrawal(t, a, c); });
      end_track(t, slot);
      return true;
    }
  }
  if (ag.has_retrafficking) {
    if (uniform01(ag.retrafficking_rng) < ag.retrafficking_probability) {
      const Case& c = cases_[slot];
      const Time at = t + ag.retrafficking_delay(ag.retrafficking_rng);
      publish([&](auto& o) { o.on_retrafficked(t, a, c, at); });
      Reentry re{persons_[c.person].attributes, c.serial, ag.retrafficking_reenters, persons_[c.person].profile};
      for (std::uint32_t k = attr::kPresumed; k < attr::kCount; ++k) re.attributes[k] = 0;
      re.attributes[attr::kForeign] = is_foreign(re.attributes[attr::kNationality], ag.retrafficking_reenters);
      schedule(at, kPriorityFlow,
               {Scheduled::Type::reentry, store(reentries_, free_reentries_, re, "pending re-entries")});
    }
  }
  return false;
}

void Engine::next_from_queue(Time t, AgencyId a) {
  AgencyState& ag = agencies_[a];
  // The freed server takes the longest-waiting case (unless a re-arrival took it already).
  if (ag.waiting_count > 0 && ag.busy < ag.capacity) {
    for (;;) {
      const auto [next, gen] = ag.waiting.front();
      ag.waiting.pop_front();
      if (generation_[next] != gen) continue;  // dropped out while waiting
      --ag.waiting_count;
      cases_[next].waiting = false;
      start_service(t, a, next);
      break;
    }
  }
}

void Engine::send(Time t, ReferralId r, std::uint32_t slot) {
  ReferralState& st = referrals_[r];
  Case& c = cases_[slot];
  if (st.consent && persons_[c.person].attributes[attr::kAdult]) {
    if (uniform01(st.decision_rng) >= *st.consent) {
      publish([&](auto& o) { o.on_consent_refused(t, r, c); });
      end_track(t, slot);
      return;
    }
  }
  if (st.loss > 0 && uniform01(st.decision_rng) < st.loss) {
    publish([&](auto& o) { o.on_referral_lost(t, r, c); });
    end_track(t, slot);
    return;
  }
  const Time delay = st.has_delay ? st.delay() : 0.0;
  publish([&](auto& o) { o.on_referral(t, r, c, delay); });
  if (st.has_delay) {
    c.arrived = t;  // start of the transfer
    c.next_agency = st.to;
    c.via = r;
    c.in_transfer = true;
    calendar_.push(t + delay, kPriorityFlow, EventKind::transfer_end, slot);
  } else {
    arrive(t, st.to, slot);
  }
}

void Engine::end_track(Time t, std::uint32_t slot) {
  Case& c = cases_[slot];
  c.live = false;
  Person& p = persons_[c.person];
  // Unlink the track from the person's list (a handful of tracks at most).
  if (p.lead == slot) {
    p.lead = next_track_[slot];
  } else {
    std::uint32_t prev = p.lead;
    while (next_track_[prev] != slot) prev = next_track_[prev];
    next_track_[prev] = next_track_[slot];
  }
  if (--p.tracks == 0) {
    // Deadlines still running end here: the person left before the limit, without the target.
    for (DeadlineId d = 0; d < deadline_count_; ++d) {
      DeadlineState& ds = deadline_state(c.person, d);
      if (ds.status == DeadlineState::running) {
        ds.status = DeadlineState::done;
        publish([&](auto& o) { o.on_deadline(t, d, c, DeadlineOutcome::left, c.agency, t - ds.start); });
      }
    }
    publish([&](auto& o) { o.on_case_exited(t, c, t - c.entered); });
    free_persons_.push_back(c.person);
    --in_system_;
  }
  free_.push_back(slot);
}

void Engine::reach_milestone(Time t, std::uint32_t slot, Milestone::Kind kind, std::uint32_t target) {
  const Case& c = cases_[slot];
  const Person& p = persons_[c.person];
  if (kind == Milestone::Kind::entered) {
    for (DeadlineId d = 0; d < deadline_count_; ++d) deadline_state(c.person, d).status = DeadlineState::waiting_start;
  }
  // Only the deadlines that start or end at this milestone (in declaration order).
  for (const DeadlineId d : deadlines_at_[milestone_key(kind, target)]) {
    const Deadline& dl = scenario_.deadlines[d];
    DeadlineState& ds = deadline_state(c.person, d);
    // The target first: a milestone that both ends one deadline and starts another does both.
    if (ds.status == DeadlineState::running && dl.to.kind == kind && dl.to.target == target) {
      ds.status = DeadlineState::done;
      // Reaching the target exactly at the limit meets it (the timer fires just after).
      publish([&](auto& o) { o.on_deadline(t, d, c, DeadlineOutcome::met, c.agency, t - ds.start); });
      continue;
    }
    if (ds.status != DeadlineState::waiting_start || dl.from.kind != kind) continue;
    if (kind != Milestone::Kind::entered && dl.from.target != target) continue;
    // The deadline applies to the person as they are when it starts.
    if (!dl.when(p.attributes)) {
      ds.status = DeadlineState::not_applicable;
      continue;
    }
    ds.status = DeadlineState::running;
    ds.start = t;
    const std::uint32_t timer = store(timers_, free_timers_, Timer{c.person, p.serial, d}, "deadline timers");
    const Time due = dl.working_days > 0 ? kWorkingWeek.add_working_days(t, dl.working_days) : t + dl.limit;
    calendar_.push(due + kDeadlineTolerance, kPriorityFlow, EventKind::deadline_due, timer);
  }
}

void Engine::on_deadline_due(Time t, std::uint32_t timer) {
  const Timer tm = timers_[timer];
  free_timers_.push_back(timer);
  Person& p = persons_[tm.person];
  if (p.serial != tm.serial || p.tracks == 0) return;  // the person has left: settled at exit
  DeadlineState& ds = deadline_state(tm.person, tm.deadline);
  if (ds.status != DeadlineState::running) return;  // met already
  // Breached. Responsible: the sender of a track on its way to the target agency, if any; else
  // where the person's earliest live track stands.
  const Case* holder = &cases_[p.lead];
  const Milestone& target = scenario_.deadlines[tm.deadline].to;
  if (target.kind == Milestone::Kind::arrival) {
    for (std::uint32_t k = p.lead; k != kNoTrack; k = next_track_[k]) {
      if (cases_[k].in_transfer && cases_[k].next_agency == target.target) holder = &cases_[k];
    }
  }
  assert(holder->live && holder->person == tm.person);
  ds.status = DeadlineState::done;
  publish([&](auto& o) {
    o.on_deadline(t, tm.deadline, *holder, DeadlineOutcome::breached, holder->agency, t - ds.start);
  });
}

std::uint32_t Engine::new_person() {
  std::uint32_t slot;
  if (!free_persons_.empty()) {
    slot = free_persons_.back();
    free_persons_.pop_back();
  } else {
    slot = static_cast<std::uint32_t>(persons_.size());
    persons_.emplace_back();
    deadline_states_.resize(deadline_states_.size() + deadline_count_);
  }
  // Field by field rather than `p = Person{}`: the caller's init sets every attribute.
  Person& p = persons_[slot];
  p.serial = next_serial_++;
  p.entered = 0;
  p.source = 0;
  p.tracks = p.tracks_made = p.lead = 0;
  p.previous = kNoPrevious;
  p.profile = 0;
  p.decided_at.fill(-1);
  p.positive_at.fill(-1);
  ++in_system_;
  return slot;
}

std::uint32_t Engine::new_track(std::uint32_t person) {
  std::uint32_t slot;
  if (!free_.empty()) {
    slot = free_.back();
    free_.pop_back();
  } else {
    if (cases_.size() > Event::kMaxIndex) {
      throw std::runtime_error("more than " + std::to_string(Event::kMaxIndex + 1) +
                               " cases in the mechanism at once: the scenario is unstable (see `refsim check`)");
    }
    slot = static_cast<std::uint32_t>(cases_.size());
    cases_.emplace_back();
    next_track_.push_back(kNoTrack);
    generation_.push_back(0);
    gives_up_.push_back(-1);
  }
  ++generation_[slot];
  Person& p = persons_[person];
  Case& c = cases_[slot];
  c = Case{};
  c.serial = p.serial;
  c.entered = p.entered;
  c.source = p.source;
  c.previous = p.previous;
  c.person = person;
  c.track = p.tracks_made++;
  c.live = true;
  next_track_[slot] = kNoTrack;
  if (p.tracks++ == 0) {
    p.lead = slot;
  } else {
    std::uint32_t last = p.lead;
    while (next_track_[last] != kNoTrack) last = next_track_[last];
    next_track_[last] = slot;
  }
  return slot;
}

std::vector<Transfer> Engine::transfers() const {
  std::vector<Transfer> out;
  calendar_.for_each_pending([&](const Event& e) {
    if (e.kind() != EventKind::transfer_end) return;
    const Case& c = cases_[e.index()];
    out.push_back(Transfer{c.agency, c.next_agency, c.arrived, e.time, c.serial, c.via, c.person});
  });
  return out;
}

}  // namespace refsim
