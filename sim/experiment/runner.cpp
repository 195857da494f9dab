#include "sim/experiment/runner.hpp"

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <exception>
#include <limits>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>

#include "sim/experiment/replication.hpp"
#include "sim/model/scenario_error.hpp"

namespace refsim {

std::size_t sample_count(Time horizon, Time every) {
  if (!(every > 0)) return 0;
  // t_k = k · every for k = 0 … ⌊horizon / every⌋ (a last sample within rounding of the horizon counts).
  const double n = std::floor(horizon / every * (1 + 1e-12)) + 1;
  constexpr double kCap = 0x1p53;  // a double-to-integer conversion out of range would be undefined
  return static_cast<std::size_t>(std::min(n, kCap));
}

RunSize estimate_run_size(const Scenario& s, const ReferralGraph& g) {
  constexpr double kInfinity = std::numeric_limits<double>::infinity();
  RunSize out;
  const std::vector<AgencyLoad>& loads = g.cached_loads();
  if (loads.size() != s.agencies.size()) return out;
  double entering = 0;  // cases a day from the sources: no more than these can pile up
  for (const Source& src : s.sources) {
    double rate = src.rate_per_day;
    if (!src.seasonality.empty()) rate *= *std::max_element(src.seasonality.begin(), src.seasonality.end());
    entering += rate + static_cast<double>(src.batches.size()) * src.batch_size / s.run.horizon;
  }
  double events_per_day = 0, looping_per_day = 0, piling_per_day = 0, fastest_pile = -1;
  for (AgencyId a = 0; a < s.agencies.size(); ++a) {
    const Agency& ag = s.agencies[a];
    const double arrivals = loads[a].arrival_rate;
    if (std::isnan(arrivals)) return out;
    const double open_share = ag.hours ? ag.hours->open_per_week() / 7 : 1.0;
    const double mean = ag.service.mean();
    const double capacity = ag.unlimited || !(mean > 0) ? kInfinity : ag.servers * open_share / mean;
    const double served = std::min(arrivals, capacity);
    // An arrival each, and a start and an end of service for each case served. Where cases loop
    // without end (infinite arrivals), what arrives is bounded by what is served plus what enters.
    const double events = std::min(arrivals, served + entering) + 2 * served;
    events_per_day += events;
    // After the horizon the sources stop, but cases on a loop without end go round for the
    // whole follow-up.
    if (std::isinf(arrivals)) looping_per_day += events;
    if (events > out.busiest_per_day || a == 0) {
      out.busiest = a;
      out.busiest_per_day = events;
    }
    if (ag.when_full == WhenFull::wait && arrivals > capacity) {
      const double pile = std::min(arrivals, entering) - capacity;
      if (pile > 0) piling_per_day += pile;
      if (pile > fastest_pile) {
        fastest_pile = pile;
        out.fullest = a;
      }
    }
  }
  out.events = events_per_day * s.run.horizon + looping_per_day * s.run.follow_up;
  out.waiting = std::min(piling_per_day, entering) * s.run.horizon;
  out.known = true;
  return out;
}

namespace {

std::string about(double x) {
  if (std::isinf(x)) return "without end";
  char b[32];
  std::snprintf(b, sizeof b, x < 1e6 ? "%.0f" : "%.2g", x);
  return b;
}

}  // namespace

void check_run_size(const Scenario& s, const ReferralGraph& g) {
  const RunSize z = estimate_run_size(s, g);
  if (!z.known) return;
  const std::string horizon = "horizon = " + format_duration(s.run.horizon);
  if (!(z.events <= kMaxEventsPerReplication)) {
    throw ScenarioError(
        s.run.horizon_at,
        horizon + ": one replication would process about " + about(z.events) + " events (agency '" +
            s.agencies[z.busiest].id + "' alone " + about(z.busiest_per_day) + " a day), more than the " +
            about(kMaxEventsPerReplication) +
            " that refsim runs in one replication; shorten the horizon, or check the arrival rates, service times "
            "and referral loops (refsim check shows the predicted flows)");
  }
  const double memory = static_cast<double>(::sysconf(_SC_PHYS_PAGES)) * static_cast<double>(::sysconf(_SC_PAGE_SIZE));
  if (memory > 0 && z.waiting * kBytesPerWaitingCase > memory) {
    throw ScenarioError(s.run.horizon_at,
                        horizon + ": about " + about(z.waiting) + " cases would be waiting by the end (agency '" +
                            s.agencies[z.fullest].id +
                            "' receives more than it can serve), more than this machine's memory holds (" +
                            about(memory / (1 << 20)) + " MiB at about " + about(kBytesPerWaitingCase) +
                            " bytes a case); shorten the horizon, or add capacity where the queue grows "
                            "(refsim check shows the predicted utilization)");
  }
}

ReplicationResult run_replication(const Scenario& s, const ReferralGraph& g, std::uint64_t seed, std::uint32_t rep,
                                  const ReplicationOptions& opt) {
  check_run_size(s, g);
  const std::size_t samples = sample_count(s.run.horizon, opt.sample_every);
  const std::size_t n_agencies = s.agencies.size();
  if (too_many_time_series_rows(s.run.horizon, opt.sample_every, n_agencies)) {
    throw std::invalid_argument("a sample every " + format_duration(opt.sample_every) + " over " +
                                format_duration(s.run.horizon) + " gives " + std::to_string(samples) + " samples × " +
                                std::to_string(n_agencies) + " agencies, more than " +
                                std::to_string(kMaxTimeSeriesRows) + " time-series rows");
  }
  ReplicationEngine engine(s, g, seed, rep);
  StatisticsCollector stats(engine);
  engine.set_sink(stats);
  for (ReplicationWatcher* w : opt.watchers) {
    w->attach(engine, stats.ledger());
    engine.add_observer(*w);
  }
  RunController* const control = opt.controller;
  if (control) {
    control->attach(engine, stats.ledger());
    control->control(engine);
    engine.add_observer(*control);
  }
  bool held = false;
  engine.run_until(0);
  // Runs to t: under the controller while it does not hold the run.
  const auto advance = [&](Time t) {
    if (!control || held) {
      engine.run_until(t);
    } else if (!drive(engine, *control, t)) {
      held = true;
      engine.run_until(t);
    }
  };
  TimeSeries ts;
  if (samples > 0) {
    std::vector<AgencyId> deciders;
    for (AgencyId a = 0; a < n_agencies; ++a) {
      const auto& d = s.agencies[a].decision;
      if (d && (d->sets == attr::kReasonableGrounds || d->sets == attr::kIdentified)) deciders.push_back(a);
    }
    ts.times.reserve(samples);
    ts.queue.reserve(samples * n_agencies);
    ts.in_service.reserve(samples * n_agencies);
    ts.held.reserve(samples * n_agencies);
    ts.capacity.reserve(samples * n_agencies);
    ts.grounds_backlog.reserve(samples);
    for (std::size_t k = 0; k < samples; ++k) {
      const Time t = std::min(static_cast<double>(k) * opt.sample_every, s.run.horizon);
      advance(t);
      ts.times.push_back(t);
      for (AgencyId a = 0; a < n_agencies; ++a) {
        ts.queue.push_back(static_cast<std::uint32_t>(engine.queue_length(a)));
        ts.in_service.push_back(engine.busy(a));
        ts.held.push_back(stats.held_now(a));
        ts.capacity.push_back(s.agencies[a].unlimited ? TimeSeries::kUnlimited
                              : engine.is_open(a)     ? engine.servers(a)
                                                      : 0);
      }
      std::uint32_t backlog = 0;
      for (AgencyId a : deciders) backlog += static_cast<std::uint32_t>(engine.queue_length(a)) + engine.busy(a);
      ts.grounds_backlog.push_back(backlog);
    }
  }
  if (control) advance(s.run.horizon);
  engine.end_run(s.run.horizon, s.run.follow_up);
  ReplicationResult r = stats.finish(engine.events_processed());
  r.timeseries = std::move(ts);
  return r;
}

unsigned run_parallel(std::uint32_t n, unsigned threads, const std::function<void(std::uint32_t)>& job,
                      const std::function<void(std::uint32_t, std::uint32_t)>& progress) {
  if (n == 0) return 1;
  unsigned used = threads ? threads : std::max(1u, std::thread::hardware_concurrency());
  used = std::min<unsigned>(used, n);
  std::atomic<std::uint32_t> next{0};
  std::atomic<bool> failed{false};
  std::mutex mu;  // guards error, done and progress
  std::exception_ptr error;
  std::uint32_t done = 0;
  auto worker = [&] {
    for (;;) {
      const std::uint32_t i = next.fetch_add(1);
      if (i >= n || failed.load()) return;
      try {
        job(i);
      } catch (...) {
        std::lock_guard lock(mu);
        if (!error) error = std::current_exception();
        failed = true;
        return;
      }
      std::lock_guard lock(mu);
      ++done;
      if (progress) progress(done, n);
    }
  };
  if (used == 1) {
    worker();
  } else {
    std::vector<std::thread> pool;
    for (unsigned i = 1; i < used; ++i) pool.emplace_back(worker);
    worker();  // the calling thread is one of the workers
    for (auto& t : pool) t.join();
  }
  if (error) std::rethrow_exception(error);
  return used;
}

RunResult run_replications(const Scenario& s, const ReferralGraph& g, const RunOptions& opt) {
  const auto start = std::chrono::steady_clock::now();
  RunResult out;
  out.replications.resize(opt.replications);
  out.threads_used = run_parallel(
      opt.replications, opt.threads,
      [&](std::uint32_t r) {
        ReplicationOptions ro;
        if (r == 0) {
          ro.sample_every = opt.sample_every;
          ro.watchers = opt.watchers;
        }
        out.replications[r] = run_replication(s, g, opt.seed, r, ro);
      },
      opt.progress);
  for (const auto& r : out.replications) out.events_processed += r.events_processed;
  out.wall_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return out;
}

}  // namespace refsim
