#include "viz/simulation.hpp"

#include <algorithm>
#include <cassert>
#include <limits>
#include <stdexcept>

namespace refsim::viz {

namespace {
constexpr Time kHour = 1.0 / 24;
constexpr double kSamplesPerHorizon = 500;  // history samples aimed at over the scenario's horizon
constexpr Time kMaxSampleEvery = 7.0;       // the longest first interval between samples, simulated days
}  // namespace

bool decides_grounds(const Agency& a) {
  return a.decision && (a.decision->sets == attr::kReasonableGrounds || a.decision->sets == attr::kIdentified);
}

Simulation::Simulation(const Scenario& scenario, const ReferralGraph& graph, std::uint64_t seed, double window)
    : scenario_(scenario),
      graph_(graph),
      window_(window),
      seed_(seed),
      // About 500 points over the horizon, between an hour and a week apart.
      sample_every_(std::clamp(scenario.run.horizon / kSamplesPerHorizon, kHour, kMaxSampleEvery)) {
  for (AgencyId a = 0; a < scenario.agencies.size(); ++a)
    if (decides_grounds(scenario.agencies[a])) deciders_.push_back(a);
  restart(seed);
  restarts_ = 0;
}

void Simulation::restart(std::uint64_t seed) {
  if (director_) throw std::logic_error("an exercise's simulation cannot restart: its log would no longer replay");
  engine_.reset();
  seed_ = seed;
  ++restarts_;
  live_ = std::make_unique<LiveView>(scenario_, window_);
  engine_ = std::make_unique<Engine>(scenario_, graph_, seed, 0);
  engine_->add_observer(*live_);
  history_.clear();
  history_.push_back(sample_now());
  next_sample_ = sample_every_;
}

void Simulation::direct(Director& director) {
  assert(!director_ && now() == 0);
  director_ = &director;
  director.control(*engine_);
  engine_->add_observer(director);
  engine_->run_until(0);  // drive() needs a started engine; run_replication does the same
}

void Simulation::decide(std::size_t option, const std::string& by) {
  if (!director_) throw std::invalid_argument("no exercise is running");
  director_->decide(option, by, [this](const Change& c) { engine_->apply(c); });
}

void Simulation::apply(const Change& change) {
  if (director_) {
    director_->facilitator_change(change, [this](const Change& c) { engine_->apply(c); });
  } else {
    engine_->apply(change);
  }
}

bool Simulation::run_to(Time t) {
  if (director_) {
    director_->release();  // going on lets the run go past the inject it held at
    return drive(*engine_, *director_, t);
  }
  engine_->run_until(t);
  return true;
}

bool Simulation::advance_to(Time t) {
  assert(t >= now());
  while (next_sample_ <= t) {
    if (!run_to(next_sample_)) return false;
    history_.push_back(sample_now());
    if (history_.size() > kMaxSamples) {
      // Keep every other sample: the charts stay bounded and still span the whole run.
      std::size_t w = 0;
      for (std::size_t i = 0; i < history_.size(); i += 2) history_[w++] = history_[i];
      history_.resize(w);
      sample_every_ *= 2;
      next_sample_ = history_.back().t;
    }
    next_sample_ += sample_every_;
  }
  return run_to(t);
}

std::optional<std::size_t> Simulation::backlog() const {
  if (deciders_.empty()) return std::nullopt;
  std::size_t n = 0;
  for (AgencyId a : deciders_) n += engine_->queue_length(a) + engine_->busy(a);
  return n;
}

Sample Simulation::sample_now() const {
  const Time t = engine_->now();
  Sample s;
  s.t = t;
  s.in_system = static_cast<double>(engine_->cases_in_system());
  for (AgencyId a = 0; a < scenario_.agencies.size(); ++a) s.waiting += static_cast<double>(engine_->queue_length(a));
  s.throughput = live_->exit_rate(t);
  s.mean_wait = live_->mean_wait_all(t);
  const auto b = backlog();
  s.backlog = b ? static_cast<double>(*b) : std::numeric_limits<double>::quiet_NaN();
  return s;
}

}  // namespace refsim::viz
