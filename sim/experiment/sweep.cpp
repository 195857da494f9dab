#include "sim/experiment/sweep.hpp"

#include <memory>
#include <mutex>
#include <stdexcept>

#include "sim/experiment/indicators.hpp"
#include "sim/experiment/runner.hpp"
#include "sim/graph/referral_graph.hpp"

namespace refsim {

namespace {

/// A point while its replications run: its scenario, graph and indicators, and the values so far.
struct Slot {
  std::mutex mu;
  bool built = false;
  std::unique_ptr<Scenario> scenario;
  std::unique_ptr<ReferralGraph> graph;
  std::vector<IndicatorDef> defs;
  SweepRunRecord record;
  std::uint32_t finished = 0;
};

}  // namespace

unsigned run_sweep(std::size_t runs, const std::function<Scenario(std::size_t)>& scenario_of,
                   const SweepRunOptions& opt, const std::function<void(SweepRunRecord&&)>& done) {
  const std::uint32_t reps = std::max<std::uint32_t>(1, opt.replications);
  const std::uint64_t total = static_cast<std::uint64_t>(runs) * reps;
  if (total > 0xFFFFFFFFULL) throw std::invalid_argument("a sweep of more than 2^32 - 1 replications");
  std::vector<std::unique_ptr<Slot>> slots(runs);
  for (auto& s : slots) s = std::make_unique<Slot>();
  std::mutex out_mu;  // serialises done and progress
  std::uint64_t reps_done = 0;
  std::size_t runs_done = 0;

  // Jobs are point-major (point j's replications are jobs j·R … j·R + R - 1), so that the points in
  // progress are about as many as the threads.
  return run_parallel(static_cast<std::uint32_t>(total), opt.threads, [&](std::uint32_t job) {
    const std::size_t j = job / reps;
    const std::uint32_t r = job % reps;
    Slot& slot = *slots[j];
    {
      std::lock_guard lock(slot.mu);
      if (!slot.built) {
        slot.scenario = std::make_unique<Scenario>(scenario_of(j));
        slot.graph = std::make_unique<ReferralGraph>(*slot.scenario);
        std::vector<IndicatorDef> all = indicators(*slot.scenario);
        if (opt.indicators.empty()) {
          slot.defs = std::move(all);
        } else {
          for (const std::string& name : opt.indicators) {
            for (IndicatorDef& d : all) {
              if (d.name == name) {
                slot.defs.push_back(std::move(d));
                break;
              }
            }
          }
        }
        slot.record.job = j;
        slot.record.replications = reps;
        for (const IndicatorDef& d : slot.defs) {
          SweepIndicator x;
          x.name = d.name;
          x.label = d.label;
          x.unit = d.unit;
          x.kind = d.kind;
          x.key = d.key;
          x.not_applicable = d.not_applicable;
          x.values.assign(reps, kNaN);
          x.basis.assign(reps, 0);
          slot.record.indicators.push_back(std::move(x));
        }
        slot.built = true;
      }
    }
    // The scenario and graph are immutable once built; the replication runs outside the lock.
    const ReplicationResult res = run_replication(*slot.scenario, *slot.graph, opt.seed, r);
    bool last = false;
    {
      std::lock_guard lock(slot.mu);
      for (std::size_t k = 0; k < slot.defs.size(); ++k) {
        const auto [v, b] = slot.defs[k].read(res);
        SweepIndicator& x = slot.record.indicators[k];
        x.values[r] = x.not_applicable.empty() ? v : kNaN;
        x.basis[r] = b;
      }
      slot.record.events_processed += res.events_processed;
      last = ++slot.finished == reps;
    }
    if (last && opt.concurrent_done) {
      SweepRunRecord rec = std::move(slot.record);
      slots[j].reset();  // the point's scenario and graph go as soon as it is done
      done(std::move(rec));
    }
    std::lock_guard lock(out_mu);
    ++reps_done;
    if (last) {
      ++runs_done;
      if (!opt.concurrent_done) {
        SweepRunRecord rec = std::move(slot.record);
        slots[j].reset();
        done(std::move(rec));
      }
    }
    if (opt.progress) opt.progress(reps_done, total, runs_done, runs);
  });
}

}  // namespace refsim
