#pragma once
// The engine's event handlers: BasicEngine<Sink>'s members, templates on the sink (see
// engine.hpp). Included by engine.cpp, which instantiates Engine (NoSink), and by the layer that
// instantiates an engine with a sink of its own (sim/experiment/replication.cpp); by nobody else.
#include <algorithm>
#include <cassert>
#include <cmath>
#include <cstring>
#include <limits>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <utility>

#include "sim/engine/engine.hpp"

namespace refsim {

namespace engine_detail {
inline constexpr std::uint8_t kPriorityControl = 0;  // warm-up reset runs before anything at the same time
inline constexpr std::uint8_t kPriorityFlow = 1;
inline constexpr std::uint32_t kNoTrack = 0xFFFFFFFFu;
/// A target reached at the limit, up to rounding of the times added on the way, meets the deadline:
/// the check allows 1e-9 days (86 µs), and the deadline's timer fires that much after the limit.
inline constexpr Time kDeadlineTolerance = 1e-9;
/// Deadlines in working days ("5wd") count Monday to Friday.
inline const WorkCalendar kWorkingWeek = WorkCalendar::parse("mon-fri", "00:00", "24:00");
/// Days in a month of the seasonality table: 12 months of a 365-day year.
inline constexpr Time kMonth = 365.0 / 12.0;

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
}  // namespace engine_detail

template <class Sink>
template <class Hook>
inline void BasicEngine<Sink>::publish(Hook&& hook) {
  // The sink is a final class: direct calls, inlined where the hook is in its header.
  if constexpr (!std::is_same_v<Sink, NoSink>) {
    if (sink_) hook(*sink_);
  }
  for (Observer* o : observers_) hook(*o);
}

template <class Sink>
void BasicEngine<Sink>::apply(const Change& c) {
  if (c.surge && entries_closed_ && c.target == Change::Target::agency && c.index < agencies_.size()) {
    throw std::invalid_argument("agency '" + scenario_.agencies[c.index].id +
                                "': a surge after the horizon: nobody enters the mechanism any more");
  }
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
        // Drawn per send from the sender's visit, as before the change: only the law is new.
        st.delay = Sampler(*p.delay);
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
    if (c.surge) surge(t, c.index, *c.surge, c.origin);
  }
}

template <class Sink>
void BasicEngine<Sink>::surge(Time t, AgencyId a, const Change::Surge& sg, const std::string& origin) {
  // Keys from the origin and the instant, so that two surges (and the same surge in two variants
  // or replays) give their persons the same, distinct streams; no source's keys are used.
  std::uint64_t time_bits = 0;
  static_assert(sizeof(time_bits) == sizeof(t));
  std::memcpy(&time_bits, &t, sizeof(t));
  const std::uint64_t base = mix_key(entity_salt(seed_, replication_, "surge", origin), time_bits);
  for (std::uint32_t k = 0; k < sg.count; ++k) {
    const std::uint64_t key = mix_key(base, k);
    enter(t, kNoSource, a, key, [&](Person& p) {
      p.profile = sg.profile;
      draw_attributes(p.attributes, sg.profile, a, visit_stream(key, StreamPurpose::attributes));
    });
  }
}

template <class Sink>
void BasicEngine<Sink>::on_scheduled(Time t, std::uint32_t slot) {
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

template <class Sink>
bool BasicEngine<Sink>::run_until(Time t) {
  assert(t >= now_);
  if (!started_) {
    started_ = true;
    publish([&](auto& o) { o.on_run_start(now_); });
  }
  while (run_events(t, kProgressEvery)) {
    if (stop_requested_) {
      stop_requested_ = false;
      return false;
    }
    check_progress();
  }
  now_ = t;
  return true;
}

template <class Sink>
void BasicEngine<Sink>::end_run(Time horizon, Time follow_up) {
  run_until(horizon);
  entries_closed_ = true;
  publish([&](auto& o) { o.on_horizon(horizon); });
  if (follow_up > 0) {
    // Everybody in the mechanism is followed to their exit: one event at a time, since the run
    // stops as soon as the last person has left (later events are stale timers and sources).
    const Time limit = horizon + follow_up;
    while (run_events<true>(limit, kProgressEvery)) {
      if (std::exchange(stop_requested_, false)) continue;  // no controller acts in the follow-up
      check_progress();
    }
    if (in_system_ > 0 && !calendar_.empty()) now_ = limit;
  }
  publish([&](auto& o) { o.on_run_end(now_); });
}

template <class Sink>
template <bool kUntilEmpty>
bool BasicEngine<Sink>::run_events(Time t, std::uint64_t budget) {
  budget_ = budget;
  while (!calendar_.empty() && calendar_.next_time() <= t && (!kUntilEmpty || in_system_ > 0)) {
    const Event e = calendar_.pop();
    now_ = e.time;
    ++events_;
    dispatch(e);
    if (--budget_ == 0) return true;
  }
  return false;
}

template <class Sink>
void BasicEngine<Sink>::dispatch(const Event& e) {
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

template <class Sink>
template <class Init>
void BasicEngine<Sink>::enter(Time t, SourceId s, AgencyId a, std::uint64_t key, Init init) {
  const std::uint32_t person = new_person();
  Person& p = persons_[person];
  p.entered = t;
  p.source = s;
  p.key = key;
  init(p);
  const std::uint32_t country = agencies_[a].country;
  p.attributes[attr::kEnteredIn] = p.attributes[attr::kInCountry] = country;
  const std::uint32_t slot = new_track(person, key);
  Case& c = cases_[slot];
  c.agency = a;
  c.country = country;
  publish([&](auto& o) { o.on_case_entered(t, c, p.attributes); });
  if (deadline_count_) milestone(t, slot, Milestone::Kind::entered, 0);
  arrive(t, a, slot);
}

template <class Sink>
void BasicEngine<Sink>::on_initial_cases(Time t, AgencyId agency) {
  const Agency& ag = scenario_.agencies[agency];
  const std::uint64_t base = mix_key(agencies_[agency].salt, static_cast<std::uint64_t>(StreamPurpose::initial_case));
  for (std::uint32_t k = 0; k < ag.initial_cases; ++k) {
    const std::uint64_t key = mix_key(base, k);
    enter(t, kNoSource, agency, key, [&](Person& p) {
      p.profile = ag.initial_profile;
      draw_attributes(p.attributes, ag.initial_profile, agency, visit_stream(key, StreamPurpose::attributes));
    });
  }
}

template <class Sink>
void BasicEngine<Sink>::on_source(Time t, SourceId s) {
  if (entries_closed_) return;  // the follow-up: nobody new enters
  SourceState& src = sources_[s];
  const Source& spec = scenario_.sources[s];
  src.next_at = t + src.gap();
  calendar_.push(src.next_at, engine_detail::kPriorityFlow, EventKind::source_arrival, s);
  if (!spec.seasonality.empty()) {
    // Thinning (Lewis–Shedler): candidates come at the peak rate; one is kept with probability
    // factor(month) / peak.
    const auto month = static_cast<std::size_t>(std::fmod(t, 365.0) / engine_detail::kMonth) % 12;
    if (!(uniform01(src.thinning_rng) * src.peak_factor < spec.seasonality[month])) return;
  }
  const std::uint64_t key = src.keys();
  enter(t, s, spec.to, key, [&](Person& p) {
    p.profile = src.profile;
    draw_attributes(p.attributes, src.profile, spec.to, visit_stream(key, StreamPurpose::attributes));
  });
}

template <class Sink>
void BasicEngine<Sink>::on_batch(Time t, SourceId s) {
  if (entries_closed_) return;
  SourceState& src = sources_[s];
  const Source& spec = scenario_.sources[s];
  if (++src.next_batch < spec.batches.size()) {
    schedule(spec.batches[src.next_batch], engine_detail::kPriorityFlow, {Scheduled::Type::batch, s});
  }
  const std::uint64_t base = mix_key(src.salt, static_cast<std::uint64_t>(StreamPurpose::batch));
  for (std::uint32_t k = 0; k < spec.batch_size; ++k) {
    const std::uint64_t key = mix_key(base, src.batch_made++);
    enter(t, s, spec.to, key, [&](Person& p) {
      p.profile = src.profile;
      draw_attributes(p.attributes, src.profile, spec.to, visit_stream(key, StreamPurpose::attributes));
    });
  }
}

template <class Sink>
void BasicEngine<Sink>::on_reentry(Time t, std::uint32_t slot) {
  const Reentry re = reentries_[slot];
  free_reentries_.push_back(slot);
  if (entries_closed_) return;
  enter(t, kNoSource, re.at, re.key, [&](Person& p) {
    p.attributes = re.attributes;
    p.previous = re.previous;
    p.profile = re.profile;
  });
}

template <class Sink>
void BasicEngine<Sink>::arrive(Time t, AgencyId a, std::uint32_t slot) {
  Case& c = cases_[slot];
  c.agency = a;
  c.in_transfer = false;
  c.arrived = t;
  begin_visit(slot, a);
  publish([&](auto& o) { o.on_arrival(t, a, c); });
  const AgencyState& ag = agencies_[a];
  // Crossing into another country: one compare, the person's attributes written only then (after
  // the hook above, where the agency's state is at hand: cheaper on this path).
  if (ag.country != c.country) [[unlikely]] {
    c.country = ag.country;
    persons_[c.person].attributes[attr::kInCountry] = ag.country;
  }
  if (deadline_count_) {
    milestone(t, slot, Milestone::Kind::arrival, a);
  }
  if (ag.has_not_before) {
    const NotBefore& nb = *scenario_.agencies[a].not_before;
    const Time reached = milestone_time(c.person, nb.after);
    if (reached >= 0 && reached + nb.gap > t) {
      c.held = true;
      publish([&](auto& o) { o.on_hold(t, a, c, reached + nb.gap); });
      schedule(reached + nb.gap, engine_detail::kPriorityFlow, {Scheduled::Type::hold_end, slot});
      return;
    }
  }
  join(t, a, slot);
}

template <class Sink>
void BasicEngine<Sink>::join(Time t, AgencyId a, std::uint32_t slot) {
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
        SplitMix64 rng = visit_stream(streams_[slot].visit, StreamPurpose::patience);
        gives_up_[slot] = t + ag.patience(rng);
        calendar_.push(gives_up_[slot], engine_detail::kPriorityFlow, EventKind::patience_end, slot);
      } else if (ProfileState& prof = profiles_[persons_[c.person].profile]; prof.has_patience) {
        SplitMix64 rng = visit_stream(streams_[slot].visit, StreamPurpose::patience);
        gives_up_[slot] = t + prof.patience(rng);
        calendar_.push(gives_up_[slot], engine_detail::kPriorityFlow, EventKind::patience_end, slot);
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

template <class Sink>
void BasicEngine<Sink>::on_patience_end(Time t, std::uint32_t slot) {
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

template <class Sink>
void BasicEngine<Sink>::start_service(Time t, AgencyId a, std::uint32_t slot) {
  AgencyState& ag = agencies_[a];
  Case& c = cases_[slot];
  ++ag.busy;
  if (ag.supports) persons_[c.person].attributes[attr::kSupported] = 1;
  publish([&](auto& o) { o.on_service_start(t, a, c, t - c.arrived); });
  SplitMix64 rng = visit_stream(streams_[slot].visit, StreamPurpose::service);
  calendar_.push(service_end_time(a, t, ag.service(rng)), engine_detail::kPriorityFlow, EventKind::service_end, slot);
}

template <class Sink>
void BasicEngine<Sink>::end_service(Time t, AgencyId a, std::uint32_t slot) {
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
    SplitMix64 rng = visit_stream(streams_[slot].visit, StreamPurpose::routing);
    const double u = uniform01(rng);
    const auto& c = ag.thresholds;
    static_assert(std::tuple_size_v<std::remove_reference_t<decltype(c)>> == 4, "one term per threshold below");
    const std::size_t k =
        std::size_t{u >= c[0]} + std::size_t{u >= c[1]} + std::size_t{u >= c[2]} + std::size_t{u >= c[3]};
    if (k < routes.size()) chosen = &routes[k].referral;
  } else if (!routes.empty()) {
    Attributes& attrs = persons_[cases_[slot].person].attributes;
    attrs[attr::kInCountry] = ag.country;  // this track's country, should another track be elsewhere
    // Parallel tracks first: each applicable fork is taken independently.
    if (ag.has_forks) {
      SplitMix64 fork_rng = visit_stream(streams_[slot].visit, StreamPurpose::fork);
      for (const Route& r : routes) {
        if (!r.fork) continue;
        if (!r.when(attrs)) continue;
        if (uniform01(fork_rng) < r.probability) {
          if (persons_[cases_[slot].person].tracks >= kMaxTracks) {
            throw std::runtime_error("a person has more than " + std::to_string(kMaxTracks) +
                                     " parallel tracks at once: a fork on a referral loop (see the warnings of "
                                     "`refsim check`)");
          }
          // The new track's key: this visit's, the fork's rule and the fork tag.
          const std::uint64_t key = mix_key(streams_[slot].visit ^ referrals_[r.referral].salt,
                                            static_cast<std::uint64_t>(StreamPurpose::fork_track));
          const std::uint32_t fork = new_track(cases_[slot].person, key);
          Case& f = cases_[fork];
          f.agency = a;
          f.country = ag.country;
          f.arrived = t;
          publish([&](auto& o) { o.on_fork(t, r.referral, f); });
          send(t, r.referral, fork);
        }
      }
    }
    // The main route: one draw, the applicable rules' probabilities in declaration order.
    SplitMix64 rng = visit_stream(streams_[slot].visit, StreamPurpose::routing);
    const double u = uniform01(rng);
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

template <class Sink>
bool BasicEngine<Sink>::end_of_service_rules(Time t, AgencyId a, std::uint32_t slot) {
  AgencyState& ag = agencies_[a];
  if (const auto& decision = ag.decision) {
    const Case& c = cases_[slot];
    Person& p = persons_[c.person];
    Attributes& attrs = p.attributes;
    SplitMix64 rng = visit_stream(streams_[slot].visit, StreamPurpose::decision);
    const bool positive = uniform01(rng) < decision->p_positive(attrs[attr::kVictim] != 0);
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
    SplitMix64 rng = visit_stream(streams_[slot].visit, StreamPurpose::withdrawal);
    if (uniform01(rng) < (supported ? ag.withdrawal_supported : ag.withdrawal)) {
      publish([&](auto& o) { o.on_withdrawal(t, a, c); });
      end_track(t, slot);
      return true;
    }
  }
  if (ag.has_retrafficking) {
    SplitMix64 rng = visit_stream(streams_[slot].visit, StreamPurpose::retrafficking);
    if (uniform01(rng) < ag.retrafficking_probability) {
      const Case& c = cases_[slot];
      const Time at = t + ag.retrafficking_delay(rng);
      publish([&](auto& o) { o.on_retrafficked(t, a, c, at); });
      Reentry re{persons_[c.person].attributes, c.serial, ag.retrafficking_reenters, persons_[c.person].profile,
                 mix_key(streams_[slot].visit, static_cast<std::uint64_t>(StreamPurpose::reentry))};
      for (std::uint32_t k = attr::kPresumed; k < attr::kCount; ++k) re.attributes[k] = 0;
      re.attributes[attr::kForeign] = is_foreign(re.attributes[attr::kNationality], ag.retrafficking_reenters);
      schedule(at, engine_detail::kPriorityFlow,
               {Scheduled::Type::reentry, engine_detail::store(reentries_, free_reentries_, re, "pending re-entries")});
    }
  }
  return false;
}

template <class Sink>
void BasicEngine<Sink>::next_from_queue(Time t, AgencyId a) {
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

template <class Sink>
void BasicEngine<Sink>::send(Time t, ReferralId r, std::uint32_t slot) {
  ReferralState& st = referrals_[r];
  Case& c = cases_[slot];
  // Drawn from the visit the send ends (a new fork's track: its own key), whichever rule it
  // takes: a track sends along one rule per visit.
  const std::uint64_t seed = streams_[slot].visit;
  SplitMix64 decide = visit_stream(seed, StreamPurpose::consent_loss);  // consent, then loss
  if (st.consent && persons_[c.person].attributes[attr::kAdult]) {
    if (uniform01(decide) >= *st.consent) {
      publish([&](auto& o) { o.on_consent_refused(t, r, c); });
      end_track(t, slot);
      return;
    }
  }
  if (st.loss > 0 && uniform01(decide) < st.loss) {
    publish([&](auto& o) { o.on_referral_lost(t, r, c); });
    end_track(t, slot);
    return;
  }
  SplitMix64 delay_rng = visit_stream(seed, StreamPurpose::transfer_delay);
  const Time delay = st.has_delay ? st.delay(delay_rng) : 0.0;
  publish([&](auto& o) { o.on_referral(t, r, c, delay); });
  if (st.has_delay) {
    c.arrived = t;  // start of the transfer
    c.next_agency = st.to;
    c.via = r;
    c.in_transfer = true;
    calendar_.push(t + delay, engine_detail::kPriorityFlow, EventKind::transfer_end, slot);
  } else {
    arrive(t, st.to, slot);
  }
}

template <class Sink>
void BasicEngine<Sink>::end_track(Time t, std::uint32_t slot) {
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
  } else {
    p.attributes[attr::kInCountry] = cases_[p.lead].country;  // the person is where a live track is
  }
  free_.push_back(slot);
}

template <class Sink>
void BasicEngine<Sink>::reach_milestone(Time t, std::uint32_t slot, Milestone::Kind kind, std::uint32_t target) {
  const Case& c = cases_[slot];
  Person& p = persons_[c.person];
  if (kind == Milestone::Kind::entered) {
    for (DeadlineId d = 0; d < deadline_count_; ++d) deadline_state(c.person, d).status = DeadlineState::waiting_start;
  }
  // A deadline starting here applies to the person in the country of the track that reached the
  // milestone; only on parallel tracks may the person's in_country be another track's.
  if (p.tracks > 1) p.attributes[attr::kInCountry] = c.country;
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
    const std::uint32_t timer =
        engine_detail::store(timers_, free_timers_, Timer{c.person, p.serial, d}, "deadline timers");
    const Time due =
        dl.working_days > 0 ? engine_detail::kWorkingWeek.add_working_days(t, dl.working_days) : t + dl.limit;
    calendar_.push(due + engine_detail::kDeadlineTolerance, engine_detail::kPriorityFlow, EventKind::deadline_due,
                   timer);
  }
}

template <class Sink>
void BasicEngine<Sink>::on_deadline_due(Time t, std::uint32_t timer) {
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
    for (std::uint32_t k = p.lead; k != engine_detail::kNoTrack; k = next_track_[k]) {
      if (cases_[k].in_transfer && cases_[k].next_agency == target.target) holder = &cases_[k];
    }
  }
  assert(holder->live && holder->person == tm.person);
  ds.status = DeadlineState::done;
  publish([&](auto& o) {
    o.on_deadline(t, tm.deadline, *holder, DeadlineOutcome::breached, holder->agency, t - ds.start);
  });
}

}  // namespace refsim
