#include "sim/experiment/runner.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <exception>
#include <mutex>
#include <thread>

#include <boost/math/distributions/students_t.hpp>

#include "sim/engine/engine.hpp"

namespace refsim {

ReplicationResult run_replication(const Scenario& s, const ReferralGraph& g, std::uint64_t seed, std::uint32_t rep) {
  Engine engine(s, g, seed, rep);
  StatisticsCollector stats(s);
  engine.add_observer(stats);
  engine.run_until(s.run.horizon);
  return stats.finish(s.run.horizon, engine.cases_in_system(), engine.events_processed());
}

RunResult run_replications(const Scenario& s, const ReferralGraph& g, const RunOptions& opt) {
  const auto start = std::chrono::steady_clock::now();
  RunResult out;
  out.replications.resize(opt.replications);
  unsigned threads = opt.threads ? opt.threads : std::max(1u, std::thread::hardware_concurrency());
  threads = std::min<unsigned>(threads, std::max<std::uint32_t>(1, opt.replications));
  out.threads_used = threads;

  std::atomic<std::uint32_t> next{0};
  std::atomic<bool> failed{false};
  std::mutex mu;  // guards error and progress
  std::exception_ptr error;
  std::uint32_t done = 0;
  auto worker = [&] {
    for (;;) {
      const std::uint32_t r = next.fetch_add(1);
      if (r >= opt.replications || failed.load()) return;
      try {
        out.replications[r] = run_replication(s, g, opt.seed, r);
      } catch (...) {
        std::lock_guard lock(mu);
        if (!error) error = std::current_exception();
        failed = true;
        return;
      }
      std::lock_guard lock(mu);
      ++done;
      if (opt.progress) opt.progress(done, opt.replications);
    }
  };
  if (threads == 1) {
    worker();
  } else {
    std::vector<std::thread> pool;
    for (unsigned i = 0; i < threads; ++i) pool.emplace_back(worker);
    for (auto& t : pool) t.join();
  }
  if (error) std::rethrow_exception(error);
  for (const auto& r : out.replications) out.events_processed += r.events_processed;
  out.wall_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return out;
}

double student_t_quantile(double alpha, std::size_t dof) {
  const boost::math::students_t dist(static_cast<double>(dof));
  return boost::math::quantile(boost::math::complement(dist, alpha / 2));
}

Estimate estimate(const std::vector<double>& values) {
  Estimate e;
  double sum = 0;
  for (double v : values) {
    if (std::isnan(v)) continue;
    sum += v;
    ++e.n;
  }
  if (e.n == 0) return e;
  e.mean = sum / static_cast<double>(e.n);
  if (e.n < 2) return e;
  double ss = 0;
  for (double v : values) {
    if (!std::isnan(v)) ss += (v - e.mean) * (v - e.mean);
  }
  const double se = std::sqrt(ss / static_cast<double>(e.n - 1) / static_cast<double>(e.n));
  const double h = student_t_quantile(0.05, e.n - 1) * se;
  e.ci95 = std::pair{e.mean - h, e.mean + h};
  return e;
}

}  // namespace refsim
