#include "sim/engine/engine.hpp"

#include <cassert>
#include <stdexcept>
#include <string>

namespace refsim {

namespace {
constexpr std::uint8_t kPriorityControl = 0;  // warm-up reset runs before anything at the same time
constexpr std::uint8_t kPriorityFlow = 1;
}  // namespace

Engine::Engine(const Scenario& s, const ReferralGraph& g, std::uint64_t seed, std::uint32_t replication)
    : scenario_(s), graph_(g) {
  agencies_.reserve(s.agencies.size());
  for (const Agency& a : s.agencies) {
    AgencyState st;
    st.servers = a.servers;
    st.unlimited = a.unlimited;
    st.service = Sampler(a.service);
    st.service_rng = make_stream(seed, replication, a.id, StreamPurpose::service);
    st.routing_rng = make_stream(seed, replication, a.id, StreamPurpose::routing);
    agencies_.push_back(std::move(st));
  }
  for (const Referral& r : s.referrals) {
    ReferralState st;
    st.has_delay = r.delay.has_value();
    if (st.has_delay) st.delay = Sampler(*r.delay);
    st.rng = make_stream(seed, replication, r.key, StreamPurpose::transfer_delay);
    referrals_.push_back(std::move(st));
  }
  for (std::size_t i = 0; i < s.sources.size(); ++i) {
    const Source& src = s.sources[i];
    SourceState st{Sampler(DistributionSpec::exponential(1.0 / src.rate_per_day)),
                   make_stream(seed, replication, src.id, StreamPurpose::interarrival)};
    const Time first = st.gap(st.rng);
    sources_.push_back(std::move(st));
    calendar_.push(first, kPriorityFlow, EventKind::source_arrival, static_cast<std::uint32_t>(i));
  }
  if (s.run.warmup > 0) calendar_.push(s.run.warmup, kPriorityControl, EventKind::warmup_end, 0);
}

void Engine::run_until(Time t) {
  assert(t >= now_);
  while (!calendar_.empty() && calendar_.top().time <= t) {
    const Event e = calendar_.pop();
    now_ = e.time;
    ++events_;
    dispatch(e);
  }
  now_ = t;
}

bool Engine::step() {
  if (calendar_.empty()) return false;
  const Event e = calendar_.pop();
  now_ = e.time;
  ++events_;
  dispatch(e);
  return true;
}

void Engine::dispatch(const Event& e) {
  const std::uint32_t i = e.index();
  switch (e.kind()) {
    case EventKind::warmup_end:
      for (Observer* o : observers_) o->on_warmup_end(e.time);
      break;
    case EventKind::source_arrival: on_source(e.time, i); break;
    case EventKind::transfer_end: arrive(e.time, cases_[i].next_agency, i); break;
    case EventKind::service_end: end_service(e.time, cases_[i].agency, i); break;
  }
}

void Engine::on_source(Time t, SourceId s) {
  SourceState& src = sources_[s];
  calendar_.push(t + src.gap(src.rng), kPriorityFlow, EventKind::source_arrival, s);
  const std::uint32_t slot = new_case();
  Case& c = cases_[slot];
  c.entered = t;
  c.source = s;
  c.agency = scenario_.sources[s].to;
  for (Observer* o : observers_) o->on_case_entered(t, c);
  arrive(t, scenario_.sources[s].to, slot);
}

void Engine::arrive(Time t, AgencyId a, std::uint32_t slot) {
  Case& c = cases_[slot];
  c.agency = a;
  c.arrived = t;
  for (Observer* o : observers_) o->on_arrival(t, a, c);
  AgencyState& ag = agencies_[a];
  if (ag.unlimited || ag.busy < ag.servers) {
    start_service(t, a, slot);
  } else {
    ag.waiting.push_back(slot);
  }
}

void Engine::start_service(Time t, AgencyId a, std::uint32_t slot) {
  AgencyState& ag = agencies_[a];
  Case& c = cases_[slot];
  ++ag.busy;
  c.service_started = t;
  for (Observer* o : observers_) o->on_service_start(t, a, c, t - c.arrived);
  calendar_.push(t + ag.service(ag.service_rng), kPriorityFlow, EventKind::service_end, slot);
}

void Engine::end_service(Time t, AgencyId a, std::uint32_t slot) {
  AgencyState& ag = agencies_[a];
  --ag.busy;
  {
    const Case& c = cases_[slot];
    for (Observer* o : observers_) o->on_service_end(t, a, c, t - c.arrived);
  }
  // Route the case: the first route whose cumulative probability exceeds the draw, else exit.
  const auto routes = graph_.routes(a);
  const Route* chosen = nullptr;
  if (!routes.empty()) {
    const double u = uniform01(ag.routing_rng);
    for (const Route& r : routes) {
      if (u < r.cumulative) {
        chosen = &r;
        break;
      }
    }
  }
  if (chosen) {
    ReferralState& ref = referrals_[chosen->referral];
    const Time delay = ref.has_delay ? ref.delay(ref.rng) : 0.0;
    Case& c = cases_[slot];
    for (Observer* o : observers_) o->on_referral(t, chosen->referral, c, delay);
    if (ref.has_delay) {
      c.arrived = t;  // start of the transfer
      c.next_agency = chosen->to;
      calendar_.push(t + delay, kPriorityFlow, EventKind::transfer_end, slot);
    } else {
      arrive(t, chosen->to, slot);
    }
  } else {
    const Case& c = cases_[slot];
    for (Observer* o : observers_) o->on_case_exited(t, c, t - c.entered);
    free_case(slot);
  }
  // The freed server takes the longest-waiting case (unless a re-arrival took it already).
  if (!ag.waiting.empty() && ag.busy < ag.servers) {
    const std::uint32_t next = ag.waiting.front();
    ag.waiting.pop_front();
    start_service(t, a, next);
  }
}

std::uint32_t Engine::new_case() {
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
  }
  cases_[slot] = Case{};
  cases_[slot].serial = next_serial_++;
  ++in_system_;
  return slot;
}

void Engine::free_case(std::uint32_t slot) {
  free_.push_back(slot);
  --in_system_;
}

std::vector<Transfer> Engine::transfers() const {
  std::vector<Transfer> out;
  for (const Event& e : calendar_.pending()) {
    if (e.kind() != EventKind::transfer_end) continue;
    const Case& c = cases_[e.index()];
    out.push_back(Transfer{c.agency, c.next_agency, c.arrived, e.time, c.serial});
  }
  return out;
}

}  // namespace refsim
