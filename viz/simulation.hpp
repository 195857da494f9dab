#pragma once
// Simulation: one live replication for the visualiser, driven only through the engine's public
// interface (run_until, apply, a new Engine to restart). It owns the Engine and its LiveView and
// records a small history of key indicators for the live charts.
//
//   refsim::viz::Simulation sim(scenario, graph, seed);
//   sim.advance_to(120.0);   // days; samples the charts on a fixed simulated-time grid
//   sim.apply(change);       // a facilitator's change, now (see viz/facilitator.hpp)
//   sim.restart(seed + 1);   // a fresh replication, back at t = 0: the scenario's own
//                            // [[change]]s apply again, changes made through apply() do not
//
// History samples fall on multiples of sample_every(), whatever the steps advance_to() was called
// with, so a screenshot at t looks the same however the run got there.
//
// Exercise mode (refsim-viz --exercise): direct(director) hands the run to an exercise Director
// (sim/exercise/director.hpp) before it starts. The engine then runs only through
// refsim::drive() (and run_until(0) once, at the start), and every change goes through the
// director (decisions: decide(); the facilitator's: apply() → Director::facilitator_change), so
// that `refsim exercise replay` of the director's log makes the same calls on the engine. A
// directed simulation cannot restart.
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "sim/engine/engine.hpp"
#include "sim/exercise/director.hpp"
#include "viz/live_view.hpp"

namespace refsim::viz {

/// Key indicators at one simulated instant, for the live charts.
struct Sample {
  Time t = 0;
  double in_system = 0;   ///< cases anywhere in the mechanism (waiting, served, in transfer)
  double waiting = 0;     ///< cases queued at agencies, not yet served
  double throughput = 0;  ///< cases leaving the mechanism per day, recently
  double mean_wait = 0;   ///< recent mean wait at agencies, days (NaN before the first service)
  double backlog = 0;     ///< see Simulation::backlog(); NaN when the scenario has no such decisions
};

/// True if agency `a` takes a grounds decision: its decision sets reasonable_grounds or identified.
bool decides_grounds(const Agency& a);

/// The default window of the recent figures (LiveView's exponential weighting), simulated days.
inline constexpr double kDefaultWindow = 7.0;

class Simulation {
 public:
  /// `scenario` and `graph` must outlive the simulation. `window`: LiveView's window, days.
  Simulation(const Scenario& scenario, const ReferralGraph& graph, std::uint64_t seed, double window = kDefaultWindow);

  /// Runs the engine up to time t (days, >= now()), sampling the history on the way. Returns
  /// true at t; false, short of t, while the director holds the run (a decision is waiting).
  bool advance_to(Time t);
  /// Throws away the current run and starts a new replication at t = 0 with `seed`. The
  /// scenario's [[change]]s are scheduled again (the engine does that); changes made through
  /// apply() belonged to the old run and are gone.
  /// Directed simulations (direct()) refuse: std::logic_error.
  void restart(std::uint64_t seed);
  /// Exercise mode: `director` (which must outlive the simulation) steers the run from now on.
  /// Call once, before the first advance_to(); runs the engine to t = 0 (its start).
  void direct(Director& director);
  Director* director() const { return director_; }
  /// Takes option `option` of the decision the director holds the run for, now, `by` whom
  /// ("facilitator", "timeout"); Director::decide's std::invalid_argument when there is none.
  void decide(std::size_t option, const std::string& by);
  /// Changes the running mechanism now, at now(): Engine::apply, the one door through which a
  /// scenario's [[change]], an inject and the visualiser's facilitator change a run (STYLE 6).
  /// The LiveView hears it (on_parameter_changed) like any other change. Throws
  /// std::invalid_argument, changing nothing, when the engine refuses the change. Directed: the
  /// director applies it and logs it (Director::facilitator_change), refused or not.
  void apply(const Change& change);

  Time now() const { return engine_->now(); }
  std::uint64_t seed() const { return seed_; }
  std::uint32_t restarts() const { return restarts_; }
  const Scenario& scenario() const { return scenario_; }
  const ReferralGraph& graph() const { return graph_; }
  const Engine& engine() const { return *engine_; }
  const LiveView& live() const { return *live_; }
  /// Samples at multiples of sample_every(); thinned (every other one dropped) past kMaxSamples.
  const std::vector<Sample>& history() const { return history_; }
  Time sample_every() const { return sample_every_; }

  /// Backlog awaiting a grounds decision: cases waiting or in service now at agencies that
  /// decide reasonable_grounds or identified (decides_grounds). nullopt when there is none.
  std::optional<std::size_t> backlog() const;

  /// The indicators now (the same numbers a history sample records).
  Sample sample_now() const;

  static constexpr std::size_t kMaxSamples = 4000;

 private:
  const Scenario& scenario_;
  const ReferralGraph& graph_;
  double window_;
  std::uint64_t seed_;
  std::uint32_t restarts_ = 0;
  Time sample_every_;
  Time next_sample_ = 0;
  std::unique_ptr<LiveView> live_;  // declared before engine_: the engine holds a pointer to it
  std::unique_ptr<Engine> engine_;
  std::vector<Sample> history_;
  std::vector<AgencyId> deciders_;  // agencies counted in backlog()
  Director* director_ = nullptr;    // exercise mode: steers the run (not owned)

  bool run_to(Time t);  // the engine to t: run_until, or drive() under the director
};

}  // namespace refsim::viz
