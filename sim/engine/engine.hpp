#pragma once
// The discrete-event kernel: clock, event calendar, random streams, cases and agencies.
//
//   refsim::ReferralGraph graph(scenario);
//   refsim::Engine engine(scenario, graph, /*seed=*/42, /*replication=*/0);
//   engine.add_observer(stats);          // read-only subscribers
//   engine.run_until(scenario.run.horizon);
//
// One Engine is one replication; it is not thread-safe, but independent engines run on
// different threads. The scenario and graph must outlive the engine. The engine knows nothing of
// files or output formats: it publishes what happens to Observers.
#include <cstdint>
#include <deque>
#include <vector>

#include "sim/engine/event_queue.hpp"
#include "sim/engine/observer.hpp"
#include "sim/graph/referral_graph.hpp"
#include "sim/model/distribution.hpp"
#include "sim/model/scenario.hpp"
#include "sim/random/streams.hpp"

namespace refsim {

/// A case on its way between two agencies, for live views.
struct Transfer {
  AgencyId from;
  AgencyId to;
  Time start;
  Time end;
  std::uint64_t serial;
};

class Engine {
 public:
  Engine(const Scenario& scenario, const ReferralGraph& graph, std::uint64_t seed, std::uint32_t replication);

  /// Subscribes `o` (not owned; must outlive the engine's use of it).
  void add_observer(Observer& o) { observers_.push_back(&o); }

  /// Processes every event with time <= t, then sets the clock to t. Requires t >= now().
  void run_until(Time t);
  /// Processes the next event, if any; returns false when the calendar is empty.
  bool step();

  Time now() const { return now_; }
  std::uint64_t events_processed() const { return events_; }
  const Scenario& scenario() const { return scenario_; }

  // Read-only state, for live views and tests.
  std::size_t queue_length(AgencyId a) const { return agencies_[a].waiting.size(); }
  std::uint32_t busy(AgencyId a) const { return agencies_[a].busy; }
  std::size_t cases_in_system() const { return in_system_; }
  /// Cases currently being transferred along a referral, in no particular order.
  std::vector<Transfer> transfers() const;

 private:
  struct AgencyState {
    std::uint32_t servers = 1;
    bool unlimited = false;
    std::uint32_t busy = 0;
    std::deque<std::uint32_t> waiting;
    Sampler service;
    Rng service_rng;
    Rng routing_rng;
  };
  struct SourceState {
    Sampler gap;
    Rng rng;
  };
  struct ReferralState {
    bool has_delay = false;
    Sampler delay;
    Rng rng;
  };

  void dispatch(const Event& e);
  void on_source(Time t, SourceId s);
  void arrive(Time t, AgencyId a, std::uint32_t slot);
  void start_service(Time t, AgencyId a, std::uint32_t slot);
  void end_service(Time t, AgencyId a, std::uint32_t slot);
  std::uint32_t new_case();
  void free_case(std::uint32_t slot);

  const Scenario& scenario_;
  const ReferralGraph& graph_;
  EventQueue calendar_;
  Time now_ = 0;
  std::uint64_t events_ = 0;
  std::uint64_t next_serial_ = 0;
  std::size_t in_system_ = 0;
  std::vector<AgencyState> agencies_;
  std::vector<SourceState> sources_;
  std::vector<ReferralState> referrals_;
  std::vector<Case> cases_;          // slots; a slot is reused after its case exits
  std::vector<std::uint32_t> free_;  // free slots
  std::vector<Observer*> observers_;
};

}  // namespace refsim
