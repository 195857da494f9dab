#pragma once
// Replications: independent runs of one scenario, spread over threads.
//
// Replication r always uses the streams of (seed, r), and results are stored by r, so the output
// is byte-identical whatever the thread count or the order in which threads finish.
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

/// What a replication records besides its statistics.
struct ReplicationOptions {
  /// Sample queues, busy servers, holds and the grounds-decision backlog at t = 0, Δ, 2Δ, … up to
  /// the horizon (ReplicationResult::timeseries); 0: no time series.
  Time sample_every = 0;
  std::vector<ReplicationWatcher*> watchers;  ///< subscribed to this replication (not owned)
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

/// Runs all replications. Exceptions from a replication are rethrown here.
RunResult run_replications(const Scenario& s, const ReferralGraph& g, const RunOptions& options);

}  // namespace refsim
