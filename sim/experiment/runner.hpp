#pragma once
// Replications: independent runs of one scenario, spread over threads.
//
// Replication r always uses the streams of (seed, r), and results are stored by r, so the output
// is byte-identical whatever the thread count or the order in which threads finish.
#include <algorithm>
#include <cstdint>
#include <functional>
#include <utility>
#include <vector>

#include "sim/experiment/estimate.hpp"
#include "sim/experiment/statistics.hpp"
#include "sim/graph/referral_graph.hpp"
#include "sim/model/scenario.hpp"

namespace refsim {

class EngineState;

/// Watches replication 0 as it runs (the milestone file, the event log): an Observer that may
/// also read the engine's state and the replication's person ledger. Called only on the thread
/// that runs replication 0.
class ReplicationWatcher : public Observer {
 public:
  /// Before the run, with replication 0's engine and the person ledger that its statistics keep
  /// (read-only; valid until on_run_end returns). The ledger hears every hook before any watcher,
  /// so a person's record is up to date when a watcher hears of them.
  virtual void attach(const EngineState& /*engine*/, const PersonLedger& /*ledger*/) {}
};

/// A change applied to the engine now (Engine::apply, whatever the engine's sink).
using ApplyChange = std::function<void(const Change&)>;

/// Steers a run while it goes on (an exercise's director, sim/exercise/director.hpp): it tells
/// the driver when it must act, may stop the engine from a hook (EngineState::request_stop) at an
/// instant it sees only as it happens, and changes the mechanism only through `apply`.
class RunController : public ReplicationWatcher {
 public:
  /// Before the run: the engine it steers (to read its state and request stops).
  virtual void control(EngineState& engine) = 0;
  /// The next simulated time at which it must act (> now once act() has run); +inf for none.
  virtual Time next_stop() const = 0;
  /// The engine stopped at now() (a next_stop, a requested stop, or the driver's target): does
  /// what is due now.
  virtual void act(const ApplyChange& apply) = 0;
  /// Whether it holds the run at now() (a decision waiting to be taken): drive() returns.
  virtual bool holding() const = 0;
};

/// Runs `engine` (a started one: run_until has been called once) up to time t under `c`, which
/// acts at every instant it asks for and at t. Returns true at t, or false, short of t, while `c`
/// holds the run. The same calls on the engine in the same order, however the target times are
/// chosen: stepping to t in several calls gives the same run as one call.
template <class E>
bool drive(E& engine, RunController& c, Time t) {
  const ApplyChange apply = [&engine](const Change& change) { engine.apply(change); };
  for (;;) {
    c.act(apply);
    if (c.holding()) return false;
    if (engine.now() >= t) return true;
    engine.run_until(std::min(t, c.next_stop()));
  }
}

/// What a replication records besides its statistics.
struct ReplicationOptions {
  /// Sample queues, busy servers, holds and the grounds-decision backlog at t = 0, Δ, 2Δ, … up to
  /// the horizon (ReplicationResult::timeseries); 0: no time series.
  Time sample_every = 0;
  std::vector<ReplicationWatcher*> watchers;  ///< subscribed to this replication (not owned)
  /// Steers the run (not owned; also subscribed, after the watchers). Should it hold the run (a
  /// decision without an answer), the run goes on from there to the horizon without it.
  RunController* controller = nullptr;
};

struct RunOptions {
  std::uint64_t seed = 1;
  std::uint32_t replications = 1;
  unsigned threads = 0;  ///< 0: all hardware threads
  /// Called after each replication with (done, total), from worker threads, serialised.
  std::function<void(std::uint32_t, std::uint32_t)> progress;
  /// Time series interval for replication 0 (ReplicationOptions::sample_every); 0: none.
  Time sample_every = 0;
  /// Watchers of replication 0 (not owned): they see its events on whichever thread runs it.
  std::vector<ReplicationWatcher*> watchers;
};

/// At most this many time-series rows (samples × agencies) are kept; more is an error.
inline constexpr std::size_t kMaxTimeSeriesRows = 5'000'000;
/// How many samples `sample_every` gives over `horizon` (t = 0 included); 0 when it is 0. Counts
/// beyond 2^53 (absurd horizons) are given as 2^53, never wrapped around.
std::size_t sample_count(Time horizon, Time sample_every);
/// Whether sampling every `sample_every` over `horizon` for `agencies` agencies would keep more
/// than kMaxTimeSeriesRows rows (computed without overflow).
inline bool too_many_time_series_rows(Time horizon, Time sample_every, std::size_t agencies) {
  return agencies > 0 && sample_count(horizon, sample_every) > kMaxTimeSeriesRows / agencies;
}

struct RunResult {
  std::vector<ReplicationResult> replications;  ///< indexed by replication number
  std::uint64_t events_processed = 0;           ///< over all replications, warm-up included
  double wall_seconds = 0;
  unsigned threads_used = 1;
};

/// Runs one replication to the horizon and returns its statistics. Sampling steps the engine
/// with run_until(t_k); it does not change any result. Throws std::invalid_argument when the time
/// series would exceed kMaxTimeSeriesRows.
ReplicationResult run_replication(const Scenario& s, const ReferralGraph& g, std::uint64_t seed, std::uint32_t rep,
                                  const ReplicationOptions& options = {});

/// Runs job(i) for every i in [0, n) on up to `threads` threads (0: all hardware threads; never
/// more than n), each index exactly once, in increasing order of start. After each job,
/// progress(done, n) is called, serialised, when given. The first exception a job throws stops
/// the jobs not yet started and is rethrown here once the others have finished. Returns the
/// number of threads used. The jobs must store their results by index, so that what they produce
/// does not depend on the thread count.
unsigned run_parallel(std::uint32_t n, unsigned threads, const std::function<void(std::uint32_t)>& job,
                      const std::function<void(std::uint32_t, std::uint32_t)>& progress = {});

/// The most events one replication may process: 10^10, about half an hour at the engine's
/// speed (bench/README.md). A longer run is refused before it starts, not left running.
inline constexpr double kMaxEventsPerReplication = 1e10;
/// What the queues of one waiting case cost, at the most, for the memory estimate: the person,
/// its track and its place in the queue and calendar (sim/engine/engine.hpp).
inline constexpr double kBytesPerWaitingCase = 512;

/// The size of one replication, estimated from the traffic equations (ReferralGraph::loads)
/// before anything runs: the events processed (about three per visit an agency can serve) and
/// the cases left waiting by the end where arrivals outrun service. "About": mid-run changes and
/// the throttling of an overloaded agency's downstream flow are not in it, so it overstates.
struct RunSize {
  double events = 0;           ///< per replication; infinite when cases loop without end
  double waiting = 0;          ///< cases in queues by the end of the horizon
  AgencyId busiest = 0;        ///< the agency with the most events
  double busiest_per_day = 0;  ///< its events a day
  AgencyId fullest = 0;        ///< the agency whose queue grows fastest
  bool known = false;          ///< false when the traffic equations give no figures (too many classes)
};
RunSize estimate_run_size(const Scenario& s, const ReferralGraph& g);

/// Throws ScenarioError (located at the horizon) when a replication would process more than
/// kMaxEventsPerReplication events, or leave more waiting cases than this machine's memory holds
/// (kBytesPerWaitingCase each): the message names the estimate, the bound and the busiest agency.
/// run_replication calls it first, so every command that simulates is covered.
void check_run_size(const Scenario& s, const ReferralGraph& g);

/// Runs all replications. Exceptions from a replication are rethrown here.
RunResult run_replications(const Scenario& s, const ReferralGraph& g, const RunOptions& options);

}  // namespace refsim
