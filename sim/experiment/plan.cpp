// Planning under a budget: portfolios of costed interventions, run under common random numbers.
#include "sim/experiment/plan.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <map>
#include <mutex>
#include <stdexcept>

#include "sim/experiment/indicators.hpp"
#include "sim/graph/referral_graph.hpp"
#include "sim/model/intervention.hpp"

namespace refsim {

namespace {

std::string label_of(const Scenario& s, const std::vector<std::size_t>& chosen) {
  if (chosen.empty()) return "nothing";
  std::string out;
  for (const std::size_t k : chosen) out += (out.empty() ? "" : " + ") + s.interventions[k].id;
  return out;
}

/// Within the budget, allowing for rounding in the sum of costs.
bool fits(double cost, double budget) { return cost <= budget * (1 + 1e-12) + 1e-9; }

class Evaluator {
 public:
  Evaluator(const Scenario& s, const IndicatorDef& def, const PlanOptions& opt, PlanResult& out)
      : s_(s), graph_(s), def_(def), opt_(opt), out_(out) {}

  /// Runs every portfolio of `batch` not run yet, R replications each, in one pool.
  void run(const std::vector<std::vector<std::size_t>>& batch) {
    std::vector<std::vector<std::size_t>> todo;
    for (const auto& p : batch) {
      if (!series_.count(p) && std::find(todo.begin(), todo.end(), p) == todo.end()) todo.push_back(p);
    }
    if (todo.empty()) return;
    const std::uint32_t R = opt_.replications;
    std::vector<std::pair<double, double>> values(todo.size() * R);
    std::vector<std::uint64_t> events(todo.size() * R, 0);
    total_ += values.size();
    std::mutex mu;
    out_.threads_used = std::max(
        out_.threads_used, run_parallel(static_cast<std::uint32_t>(values.size()), opt_.threads, [&](std::uint32_t j) {
          const std::vector<std::size_t>& p = todo[j / R];
          const std::uint32_t r = j % R;
          // Built per job, not kept: a scenario per portfolio would hold thousands of copies.
          const Scenario with = with_interventions(s_, p);
          const ReplicationResult rr = run_replication(with, graph_, opt_.seed, r);
          values[j] = def_.read(rr);
          events[j] = rr.events_processed;
          if (opt_.progress) {
            std::lock_guard lock(mu);
            opt_.progress(++done_, total_);
          }
        }));
    for (std::size_t i = 0; i < todo.size(); ++i) {
      IndicatorSeries& x = series_[todo[i]];
      for (std::uint32_t r = 0; r < R; ++r) {
        x.values.push_back(values[i * R + r].first);
        x.basis.push_back(values[i * R + r].second);
        out_.events_processed += events[i * R + r];
      }
    }
  }

  const std::map<std::vector<std::size_t>, IndicatorSeries>& series() const { return series_; }

 private:
  const Scenario& s_;
  const ReferralGraph graph_;  // the structure, which interventions never change
  const IndicatorDef& def_;
  const PlanOptions& opt_;
  PlanResult& out_;
  std::map<std::vector<std::size_t>, IndicatorSeries> series_;
  std::uint64_t done_ = 0, total_ = 0;
};

/// Why `p` cannot be run ("" when it can): a conflict, or a change that does not apply with the others.
std::string invalid(const Scenario& s, const std::vector<std::size_t>& p) {
  try {
    (void)with_interventions(s, p);
  } catch (const std::invalid_argument& e) {
    return e.what();
  }
  return {};
}

/// Gain (> 0 better) of `other` over `base`, from their paired difference other − base.
std::optional<Difference> gain(const PlanResult& out, const IndicatorSeries& base, const IndicatorSeries& other,
                               std::size_t comparisons) {
  std::optional<Difference> d = paired_difference(out.kind, base, other, comparisons);
  if (d && !out.larger_is_better) {
    d->mean = -d->mean;
    d->ci95 = {-d->ci95.second, -d->ci95.first};
    d->ci95_adjusted = {-d->ci95_adjusted.second, -d->ci95_adjusted.first};
    d->relative = -d->relative;
  }
  return d;
}

}  // namespace

PlanResult plan(const Scenario& s, const PlanOptions& opt) {
  const auto started = std::chrono::steady_clock::now();
  if (s.interventions.empty()) {
    throw std::invalid_argument(s.file + ": declares no [[intervention]]; there is nothing to plan (docs/plan.md)");
  }
  if (!(opt.budget >= 0) || !std::isfinite(opt.budget)) {
    throw std::invalid_argument("the budget must be a finite amount >= 0");
  }
  if (opt.replications < 2) throw std::invalid_argument("a plan needs two replications or more for its intervals");
  const std::vector<IndicatorDef> defs = indicators(s);
  const auto def =
      std::find_if(defs.begin(), defs.end(), [&](const IndicatorDef& d) { return d.name == opt.indicator; });
  if (def == defs.end()) throw std::invalid_argument("unknown indicator '" + opt.indicator + "'");
  if (!def->not_applicable.empty()) {
    throw std::invalid_argument("indicator '" + opt.indicator + "' is not applicable (" + def->not_applicable + ")");
  }

  PlanResult out;
  out.indicator = def->name;
  out.label = def->label;
  out.unit = def->unit;
  out.kind = def->kind;
  out.larger_is_better = opt.larger_is_better.value_or(!smaller_is_better(def->name));
  out.currency = s.currency;
  out.budget = opt.budget;
  out.replications = opt.replications;
  out.seed = opt.seed;
  Evaluator eval(s, *def, opt, out);
  const std::size_t n = s.interventions.size();
  std::vector<std::vector<std::size_t>> run;  // the portfolios run, in the order planned
  run.emplace_back();                         // nothing

  const auto consider = [&](const std::vector<std::size_t>& p, std::vector<std::vector<std::size_t>>& into) {
    if (!fits(portfolio_cost(s, p), opt.budget)) return false;
    if (const std::string why = invalid(s, p); !why.empty()) {
      const std::string label = label_of(s, p);
      if (std::none_of(out.excluded.begin(), out.excluded.end(), [&](const auto& e) { return e.first == label; }))
        out.excluded.emplace_back(label, why);
      return false;
    }
    into.push_back(p);
    return true;
  };

  if (n <= opt.max_exhaustive) {
    out.method = "exhaustive";
    for (std::uint64_t mask = 1; mask < (std::uint64_t{1} << n); ++mask) {
      std::vector<std::size_t> p;
      for (std::size_t k = 0; k < n; ++k) {
        if (mask >> k & 1) p.push_back(k);
      }
      if (!fits(portfolio_cost(s, p), opt.budget)) {
        ++out.over_budget;
        continue;
      }
      consider(p, run);
    }
    eval.run(run);
  } else {
    // Greedy: from nothing, add the intervention with the largest gain per extra cost among those
    // that fit, while one gains; every step's candidates are run together.
    out.method = "greedy";
    eval.run(run);
    std::vector<std::size_t> current;
    while (true) {
      std::vector<std::vector<std::size_t>> candidates;
      for (std::size_t k = 0; k < n; ++k) {
        if (std::find(current.begin(), current.end(), k) != current.end()) continue;
        std::vector<std::size_t> p = current;
        p.insert(std::upper_bound(p.begin(), p.end(), k), k);
        consider(p, candidates);
      }
      if (candidates.empty()) break;
      eval.run(candidates);
      for (const auto& c : candidates) run.push_back(c);
      const IndicatorSeries& now = eval.series().at(current);
      const double now_cost = portfolio_cost(s, current);
      std::optional<std::vector<std::size_t>> best;
      double best_ratio = 0;
      for (const auto& c : candidates) {
        const auto g = gain(out, now, eval.series().at(c), 1);
        if (!g || !(g->mean > 0)) continue;
        const double extra = portfolio_cost(s, c) - now_cost;
        const double ratio = extra > 0 ? g->mean / extra : std::numeric_limits<double>::infinity();
        if (!best || ratio > best_ratio) {
          best = c;
          best_ratio = ratio;
        }
      }
      if (!best) break;
      current = *best;
    }
  }

  // Results: nothing first, then by gain.
  const std::size_t comparisons = std::max<std::size_t>(1, run.size() - 1);
  const IndicatorSeries& base = eval.series().at({});
  for (const auto& p : run) {
    PortfolioResult r;
    r.interventions = p;
    r.label = label_of(s, p);
    r.cost = portfolio_cost(s, p);
    const IndicatorSeries& x = eval.series().at(p);
    r.value = estimate(out.kind, x.values, x.basis);
    if (!p.empty()) {
      r.effect = gain(out, base, x, comparisons);
      if (r.effect && r.cost > 0) {
        const double k = kCostEffectivenessPer / r.cost;
        r.per_spend = r.effect->mean * k;
        r.per_spend_ci95 = {r.effect->ci95.first * k, r.effect->ci95.second * k};
      }
    }
    out.portfolios.push_back(std::move(r));
  }
  const auto effect_of = [](const PortfolioResult& r) {
    return r.interventions.empty() ? 0.0 : r.effect ? r.effect->mean : kNaN;
  };
  std::stable_sort(out.portfolios.begin() + 1, out.portfolios.end(),
                   [&](const PortfolioResult& a, const PortfolioResult& b) {
                     const double ea = effect_of(a), eb = effect_of(b);
                     if (std::isnan(ea) != std::isnan(eb)) return std::isnan(eb);
                     if (ea != eb) return ea > eb;
                     if (a.cost != b.cost) return a.cost < b.cost;
                     return a.label < b.label;
                   });
  for (PortfolioResult& r : out.portfolios) {
    const double e = effect_of(r);
    if (std::isnan(e)) continue;
    r.frontier = std::none_of(out.portfolios.begin(), out.portfolios.end(), [&](const PortfolioResult& o) {
      const double eo = effect_of(o);
      return &o != &r && !std::isnan(eo) && o.cost <= r.cost && eo >= e && (o.cost < r.cost || eo > e);
    });
  }
  out.wall_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  return out;
}

}  // namespace refsim
