#pragma once
// Running a sweep's points: every (point, replication) pair is one job for the threads, the
// replication's statistics reduced to its indicators' values at once (so memory holds one
// replication per thread, and the values of the points in progress), and each point handed on
// whole as soon as its last replication has finished.
//
// Replication r of every point runs on the streams of (seed, r): the points meet the same persons
// with the same draws wherever the change does not reach (common random numbers, as `refsim
// compare`). A point's values depend only on its scenario, the seed and r, never on the thread
// count, on the other points or on the order in which jobs finish.
//
//   refsim::SweepRunOptions opt;
//   opt.seed = 7;
//   opt.replications = 10;
//   refsim::run_sweep(points.size(), [&](std::size_t i) { return load_point(i); }, opt,
//                     [&](refsim::SweepRunRecord&& r) { write(r); });
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "sim/experiment/estimate.hpp"
#include "sim/model/scenario.hpp"

namespace refsim {

/// One indicator of one point over its replications.
struct SweepIndicator {
  std::string name, label, unit;
  Kind kind = Kind::unbounded;
  bool key = false;
  std::string not_applicable;  ///< "" when the point's scenario can produce it
  std::vector<double> values;  ///< by replication; NaN when none (or not applicable)
  std::vector<double> basis;   ///< the observations behind each value
  /// The estimate over the replications (as summary.json gives it).
  Estimate estimate() const { return refsim::estimate(kind, values, basis); }
};

/// One run: a point of the sweep with all its replications.
struct SweepRunRecord {
  std::size_t job = 0;  ///< its position in the list given to run_sweep
  std::uint32_t replications = 0;
  std::uint64_t events_processed = 0;
  std::vector<SweepIndicator> indicators;  ///< in the order of indicators(scenario), or of the names chosen
};

struct SweepRunOptions {
  std::uint64_t seed = 1;
  std::uint32_t replications = 1;
  unsigned threads = 0;  ///< 0: all hardware threads
  /// Canonical indicator names to keep (in this order); empty: every indicator of the point. A
  /// name the point does not have is left out of its record.
  std::vector<std::string> indicators;
  /// When true, `done` is called on the worker thread that finished the point, concurrently with
  /// other calls of `done` (for a caller that formats and writes each point itself, so that this
  /// is not serial); when false, the calls are serialised.
  bool concurrent_done = false;
  /// After each replication: (replications done, of total; runs done, of total), serialised.
  std::function<void(std::uint64_t, std::uint64_t, std::size_t, std::size_t)> progress;
};

/// Runs `runs` points, point j's scenario made by scenario_of(j) (called once per point, on a
/// worker thread, while no other call for the same j runs; it may throw). `done` is called with
/// each point's record when its last replication has finished, serialised (unless
/// options.concurrent_done), in the order in which they finish. The first exception (from scenario_of, a replication or
/// done) stops the jobs not yet started and is rethrown. Returns the number of threads used.
unsigned run_sweep(std::size_t runs, const std::function<Scenario(std::size_t)>& scenario_of,
                   const SweepRunOptions& options, const std::function<void(SweepRunRecord&&)>& done);

}  // namespace refsim
