#include "sim/engine/engine_impl.hpp"

namespace refsim {

using namespace engine_detail;

EngineState::EngineState(const Scenario& scenario, const ReferralGraph& g, std::uint64_t seed,
                         std::uint32_t replication)
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
    st.country = s.country_of(id);
    st.routes = std::span<const Route>(routes_.data() + route_begin[id], route_begin[id + 1] - route_begin[id]);
    for (const Route& r : st.routes) st.has_forks = st.has_forks || r.fork;
    compile_routes(st);
    // Per-person draws: the salt of the agency's name, mixed into each visit's seed.
    st.salt = entity_salt(seed, replication, "agency", a.id);
    st.service = Sampler(a.service);
    st.has_patience = a.patience.has_value();
    if (st.has_patience) st.patience = Sampler(*a.patience);
    st.decision = a.decision;
    st.withdrawal = a.withdrawal;
    st.withdrawal_supported = a.withdrawal_supported;
    if (a.retrafficking) {
      st.has_retrafficking = true;
      st.retrafficking_probability = a.retrafficking->probability;
      st.retrafficking_reenters = a.retrafficking->reenters;
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
    }
    profiles_.push_back(std::move(st));
  }
  for (const Referral& r : s.referrals) {
    ReferralState st;
    st.to = r.to;
    st.consent = r.consent;
    st.loss = r.loss;
    st.has_delay = r.delay.has_value();
    if (st.has_delay) st.delay = Sampler(*r.delay);
    st.salt = entity_salt(seed, replication, "referral", r.key);
    referrals_.push_back(std::move(st));
  }
  for (std::size_t i = 0; i < s.sources.size(); ++i) {
    const Source& src = s.sources[i];
    SourceState st;
    st.profile = src.profile;
    st.salt = entity_salt(seed, replication, "source", src.id);
    st.keys = SplitMix64(st.salt);
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

void EngineState::set_capacity(AgencyId a) {
  AgencyState& st = agencies_[a];
  const AgencyParameters& p = params_.agencies[a];
  st.capacity = !p.open ? 0 : st.unlimited ? std::numeric_limits<std::uint32_t>::max() : p.servers;
}

void EngineState::compile_routes(AgencyState& st) {
  st.fixed_routes =
      st.routes.size() <= st.thresholds.size() &&
      std::all_of(st.routes.begin(), st.routes.end(), [](const Route& r) { return r.unconditional && !r.fork; });
  if (st.fixed_routes) {
    double cumulative = 0;
    st.thresholds.fill(std::numeric_limits<double>::infinity());
    for (std::size_t k = 0; k < st.routes.size(); ++k) st.thresholds[k] = cumulative += st.routes[k].probability;
  }
}

void EngineState::schedule_arrival(Time t, SourceId i) {
  SourceState& src = sources_[i];
  const double rate = params_.sources[i].rate_per_day * src.peak_factor;
  if (!(rate > 0)) {
    src.next_at = -1;  // a pending arrival, if any, is stale
    return;
  }
  src.next_at = t + src.gap();
  calendar_.push(src.next_at, kPriorityFlow, EventKind::source_arrival, i);
}

void EngineState::schedule_change(Time at, const Change& change) {
  if (!(at >= now_)) {
    throw std::invalid_argument("a change scheduled at " + format_duration(at) + ", before the current time " +
                                format_duration(now_));
  }
  schedule(at, kPriorityControl,
           {Scheduled::Type::change, store(changes_, free_changes_, change, "scheduled changes")});
}

void EngineState::schedule(Time t, std::uint8_t priority, Scheduled what) {
  calendar_.push(t, priority, EventKind::scheduled, store(scheduled_, free_scheduled_, what, "scheduled actions"));
}

void EngineState::check_progress() {
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

void EngineState::draw_attributes(Attributes& a, ProfileId profile, AgencyId entry, SplitMix64 rng) {
  // The built-in profile is fixed (adult victims of the home nationality): nothing to draw. Other
  // profiles take a fixed number of draws per case, so that streams stay aligned.
  if (profile == 0) {
    a = default_attributes_[entry];
    return;
  }
  std::fill(a.begin(), a.begin() + attr::kEnteredIn, 0);  // the location attributes are enter()'s
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

Time EngineState::milestone_time(std::uint32_t person, const Milestone& m) const {
  const Person& p = persons_[person];
  switch (m.kind) {
    case Milestone::Kind::entered: return p.entered;
    case Milestone::Kind::decided: return p.decided_at[m.target - attr::kPresumed];
    case Milestone::Kind::positive: return p.positive_at[m.target - attr::kPresumed];
    case Milestone::Kind::arrival: break;  // not recorded per agency; the loader rejects it here
  }
  return -1;
}

Time EngineState::service_end_time(AgencyId a, Time t, Time work) const {
  return agencies_[a].has_hours ? scenario_.agencies[a].hours->advance(t, work) : t + work;
}

std::uint32_t EngineState::new_person() {
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

std::uint32_t EngineState::counted_visit(std::uint32_t slot, AgencyId a) {
  TrackStreams& ts = streams_[slot];
  for (std::size_t i = 0; i < ts.counted; ++i) {
    if (ts.agency[i] == a) return ts.visits[i]++;
  }
  if (ts.counted < kInlineVisits) {
    ts.agency[ts.counted] = a;
    ts.visits[ts.counted++] = 1;
    return 0;
  }
  if (spill_.size() <= slot) spill_.resize(slot + 1);
  std::vector<std::pair<AgencyId, std::uint32_t>>& spill = spill_[slot];
  if (!streams_[slot].spilled) {
    spill.clear();  // a previous track's, in the same slot
    streams_[slot].spilled = true;
  }
  for (auto& [agency, visits] : spill) {
    if (agency == a) return visits++;
  }
  spill.emplace_back(a, 1);
  return 0;
}

std::uint32_t EngineState::new_track(std::uint32_t person, std::uint64_t key) {
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
    streams_.emplace_back();
  }
  TrackStreams& ts = streams_[slot];
  ts.key = ts.visit = key;
  ts.seen = 0;
  ts.counted = 0;
  ts.spilled = false;
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

std::vector<Transfer> EngineState::transfers() const {
  std::vector<Transfer> out;
  calendar_.for_each_pending([&](const Event& e) {
    if (e.kind() != EventKind::transfer_end) return;
    const Case& c = cases_[e.index()];
    out.push_back(Transfer{c.agency, c.next_agency, c.arrived, e.time, c.serial, c.via, c.person});
  });
  return out;
}

template class BasicEngine<NoSink>;

}  // namespace refsim
