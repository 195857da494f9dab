#include "sim/experiment/compare.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <map>
#include <mutex>
#include <stdexcept>

#include "sim/random/streams.hpp"

namespace refsim {

namespace {

constexpr double kAlpha = 0.05;

struct Moments {
  double mean = 0, variance = 0;
  std::size_t n = 0;
};
Moments moments(const std::vector<double>& x) {
  Moments m;
  m.n = x.size();
  if (x.empty()) return m;
  for (double v : x) m.mean += v;
  m.mean /= static_cast<double>(x.size());
  if (x.size() > 1) {
    for (double v : x) m.variance += (v - m.mean) * (v - m.mean);
    m.variance /= static_cast<double>(x.size() - 1);
  }
  return m;
}

/// Seeds by variant: the common seed, or with `independent` a seed of its own for every variant
/// but the first given.
std::vector<std::uint64_t> variant_seeds(std::size_t n, std::uint64_t seed, bool independent) {
  std::vector<std::uint64_t> out(n, seed);
  if (independent) {
    for (std::size_t v = 1; v < n; ++v) out[v] = mix64(seed ^ mix64(0x1ade5eedULL + v));
  }
  return out;
}

/// The half-width that a precision target is judged on: every non-baseline difference's.
double widest_half_width(const std::vector<std::optional<Difference>>& diffs) {
  double widest = 0;
  for (const auto& d : diffs) {
    if (!d) continue;
    widest = std::max(widest, d->half_width());
  }
  return widest;
}

}  // namespace

std::vector<std::string> variant_keys(const std::vector<std::string>& files) {
  std::vector<std::string> keys;
  for (const std::string& f : files) {
    std::string stem = f;
    if (const auto slash = stem.find_last_of('/'); slash != std::string::npos) stem = stem.substr(slash + 1);
    if (stem.size() > 5 && stem.substr(stem.size() - 5) == ".toml") stem.resize(stem.size() - 5);
    std::string key = stem;
    for (int n = 2; std::find(keys.begin(), keys.end(), key) != keys.end(); ++n) key = stem + "-" + std::to_string(n);
    keys.push_back(key);
  }
  return keys;
}

bool smaller_is_better(const std::string& name) {
  const std::string metric = name.substr(name.find_last_of('.') + 1);
  for (std::string_view larger :
       {"compliance", "victims_identified_share", "identified", "met", "throughput_per_day", "investigations",
        "prosecutions", "trials", "convictions", "returns", "reintegrations"}) {
    if (metric == larger) return false;
  }
  return metric.rfind("covered_", 0) != 0;
}

std::optional<Difference> paired_difference(Kind kind, const IndicatorSeries& base, const IndicatorSeries& other,
                                            std::size_t comparisons) {
  // The pairs in which both gave a value.
  std::vector<std::size_t> pairs;
  const std::size_t n = std::min(base.values.size(), other.values.size());
  for (std::size_t r = 0; r < n; ++r) {
    if (std::isfinite(base.values[r]) && std::isfinite(other.values[r])) pairs.push_back(r);
  }
  if (pairs.size() < 2) return std::nullopt;
  const double m = static_cast<double>(pairs.size());
  Difference d;
  d.replications = pairs.size();
  std::vector<double> terms;  // one per pair; their mean is the difference, their spread its error
  terms.reserve(pairs.size());
  double base_mean = 0;
  if (kind == Kind::share) {
    // Pooled ratios p = Σ numerator / Σ basis; the difference's error by linearisation per
    // replication: e_r = (a_r - p_a n_r) / n̄ for each side.
    double num_b = 0, den_b = 0, num_o = 0, den_o = 0;
    for (std::size_t r : pairs) {
      num_b += base.values[r] * base.basis[r];
      den_b += base.basis[r];
      num_o += other.values[r] * other.basis[r];
      den_o += other.basis[r];
    }
    if (!(den_b > 0) || !(den_o > 0)) return std::nullopt;
    const double pb = num_b / den_b, po = num_o / den_o, nb = den_b / m, no = den_o / m;
    for (std::size_t r : pairs) {
      terms.push_back((other.values[r] - po) * other.basis[r] / no - (base.values[r] - pb) * base.basis[r] / nb);
    }
    d.mean = po - pb;
    base_mean = pb;
  } else {
    for (std::size_t r : pairs) {
      terms.push_back(other.values[r] - base.values[r]);
      base_mean += base.values[r];
    }
    base_mean /= m;
    d.mean = moments(terms).mean;
  }
  const double se = std::sqrt(moments(terms).variance / m);
  const auto interval = [&](double alpha) {
    const double h = student_t_quantile(alpha, pairs.size() - 1) * se;
    std::pair<double, double> ci{d.mean - h, d.mean + h};
    if (kind == Kind::share || kind == Kind::fraction) {
      // A difference of two measures in [0, 1] lies in [-1, 1].
      ci.first = std::max(ci.first, -1.0);
      ci.second = std::min(ci.second, 1.0);
    }
    return ci;
  };
  d.ci95 = interval(kAlpha);
  d.ci95_adjusted = comparisons >= 2 ? interval(kAlpha / static_cast<double>(comparisons)) : d.ci95;
  d.relative = base_mean != 0 ? d.mean / base_mean : kNaN;
  d.significant = d.ci95_adjusted.first > 0 || d.ci95_adjusted.second < 0;
  return d;
}

CompareResult compare(const std::vector<Variant>& variants, const CompareOptions& opt,
                      const std::vector<std::string>& indicator_names) {
  const auto start = std::chrono::steady_clock::now();
  const std::size_t k = variants.size();
  if (k == 0) throw std::invalid_argument("nothing to compare");
  if (opt.baseline >= k) throw std::invalid_argument("the baseline is not one of the variants");
  CompareResult out;
  out.seeds = variant_seeds(k, opt.seed, opt.independent);
  out.comparisons = k - 1;
  out.runs.resize(k);

  std::vector<ReferralGraph> graphs;
  graphs.reserve(k);
  std::vector<std::vector<IndicatorDef>> defs;
  for (const Variant& v : variants) {
    graphs.emplace_back(v.scenario);
    defs.push_back(indicators(v.scenario));
  }
  // The indicators compared: the baseline's in its order, then those only other variants have.
  std::vector<std::string> names;
  std::map<std::string, std::vector<const IndicatorDef*>> by_name;
  const auto add_defs = [&](std::size_t v) {
    for (const IndicatorDef& d : defs[v]) {
      auto& slot = by_name[d.name];
      if (slot.empty()) {
        slot.assign(k, nullptr);
        names.push_back(d.name);
      }
      slot[v] = &d;
    }
  };
  add_defs(opt.baseline);
  for (std::size_t v = 0; v < k; ++v) {
    if (v != opt.baseline) add_defs(v);
  }
  if (!indicator_names.empty()) {
    for (const std::string& n : indicator_names) {
      if (!by_name.count(n)) throw std::invalid_argument("unknown indicator '" + n + "'");
    }
    names = indicator_names;
  }
  const auto defs_of = [&](const std::string& name, const char* what) -> const std::vector<const IndicatorDef*>& {
    const auto it = by_name.find(name);
    if (it == by_name.end()) throw std::invalid_argument(std::string(what) + ": unknown indicator '" + name + "'");
    for (std::size_t v = 0; v < k; ++v) {
      if (!it->second[v]) {
        throw std::invalid_argument(std::string(what) + ": indicator '" + name + "' does not exist in variant '" +
                                    variants[v].key + "'");
      }
      if (!it->second[v]->not_applicable.empty()) {
        throw std::invalid_argument(std::string(what) + ": indicator '" + name + "' is not applicable in variant '" +
                                    variants[v].key + "' (" + it->second[v]->not_applicable + ")");
      }
    }
    return it->second;
  };

  // The indicators that steer the run are checked before anything runs.
  if (opt.precision) {
    if (k < 2) throw std::invalid_argument("--precision needs two variants or more");
    (void)defs_of(opt.precision->indicator, "--precision");
  }
  if (opt.selection) {
    if (k < 2) throw std::invalid_argument("--select needs two variants or more");
    (void)defs_of(opt.selection->indicator, "--select");
    if (!(opt.selection->indifference_zone > 0))
      throw std::invalid_argument("--select: the indifference zone must be > 0");
  }

  // Replications are run in rounds of (variant, replication) jobs; the progress counts all rounds.
  std::mutex progress_mu;
  CompareProgress progress;
  const auto run_jobs = [&](const std::vector<std::pair<std::size_t, std::uint32_t>>& jobs,
                            std::vector<ReplicationResult>& results) {
    results.assign(jobs.size(), ReplicationResult{});
    progress.total += static_cast<std::uint32_t>(jobs.size());
    out.threads_used = std::max(
        out.threads_used, run_parallel(static_cast<std::uint32_t>(jobs.size()), opt.threads, [&](std::uint32_t j) {
          const auto [v, r] = jobs[j];
          ReplicationOptions ro;
          if (r == 0) ro.sample_every = opt.sample_every;
          results[j] = run_replication(variants[v].scenario, graphs[v], out.seeds[v], r, ro);
          if (opt.progress) {
            std::lock_guard lock(progress_mu);
            ++progress.done;
            opt.progress(progress);
          }
        }));
    for (const ReplicationResult& r : results) out.events_processed += r.events_processed;
  };
  // Every variant up to `target` replications.
  const auto extend = [&](std::uint32_t target) {
    std::vector<std::pair<std::size_t, std::uint32_t>> jobs;
    const auto have = static_cast<std::uint32_t>(out.runs[0].replications.size());
    for (std::uint32_t r = have; r < target; ++r) {
      for (std::size_t v = 0; v < k; ++v) jobs.emplace_back(v, r);
    }
    std::vector<ReplicationResult> results;
    run_jobs(jobs, results);
    for (std::size_t j = 0; j < jobs.size(); ++j) out.runs[jobs[j].first].replications.push_back(std::move(results[j]));
  };
  // The paired differences of one indicator over the first `replications` replications (read from
  // the series of all that ran, cut: the results themselves are not copied).
  const auto differences_of = [&](const std::vector<const IndicatorDef*>& d, std::uint32_t replications) {
    std::vector<std::optional<Difference>> diffs(k);
    const auto first = [&](std::size_t v) {
      IndicatorSeries s = d[v]->series(out.runs[v]);
      s.values.resize(replications);
      s.basis.resize(replications);
      return s;
    };
    const IndicatorSeries base = first(opt.baseline);
    for (std::size_t v = 0; v < k; ++v) {
      if (v == opt.baseline) continue;
      diffs[v] = paired_difference(d[v]->kind, base, first(v), out.comparisons);
    }
    return diffs;
  };

  if (opt.precision) {
    const PrecisionTarget& p = *opt.precision;
    const auto& d = defs_of(p.indicator, "--precision");
    const std::uint32_t lowest = std::max<std::uint32_t>(2, opt.min_replications);
    const std::uint32_t cap = std::max(lowest, opt.max_replications);
    std::uint32_t target = lowest, checked = lowest - 1;
    for (;;) {
      extend(target);
      std::optional<std::uint32_t> stop;
      double widest = kNaN;
      for (std::uint32_t r = checked + 1; r <= target && !stop; ++r) {
        const auto diffs = differences_of(d, r);
        bool all = true;  // every variant but the baseline has a difference
        for (std::size_t v = 0; v < k; ++v) all = all && (v == opt.baseline || diffs[v].has_value());
        widest = widest_half_width(diffs);
        if (all && widest <= p.half_width) stop = r;
      }
      checked = target;
      if (stop) {
        for (RunResult& run : out.runs) run.replications.resize(*stop);
        out.precision_reached = true;
        break;
      }
      if (target >= cap) break;
      // The next round: the count that the standard error's 1/sqrt(R) predicts, at least one
      // more per thread, at most double.
      double needed = static_cast<double>(target) + 1;
      if (std::isfinite(widest) && widest > 0)
        needed = std::ceil(target * (widest / p.half_width) * (widest / p.half_width));
      const auto grow = static_cast<std::uint32_t>(std::clamp(needed, static_cast<double>(target) + 1, 2.0 * target));
      target = std::min(cap, grow);
    }
  } else {
    extend(std::max<std::uint32_t>(1, opt.replications));
  }
  out.replications = static_cast<std::uint32_t>(out.runs[0].replications.size());

  for (const std::string& name : names) {
    const auto& d = by_name.at(name);
    IndicatorComparison c;
    c.name = name;
    c.values.resize(k);
    c.differences.resize(k);
    c.no_difference.resize(k);
    for (std::size_t v = 0; v < k; ++v) {
      IndicatorComparison::Value& val = c.values[v];
      if (!d[v]) {
        val.missing = "no such indicator in this variant";
        continue;
      }
      if (c.label.empty()) {
        c.label = d[v]->label;
        c.unit = d[v]->unit;
        c.kind = d[v]->kind;
      }
      c.key = c.key || d[v]->key || !indicator_names.empty();  // chosen ones are all shown
      val.not_applicable = d[v]->not_applicable;
      val.series = d[v]->series(out.runs[v]);
      val.estimate = estimate(d[v]->kind, val.series.values, val.series.basis);
    }
    for (std::size_t v = 0; v < k; ++v) {
      if (v == opt.baseline) continue;
      const auto& b = c.values[opt.baseline];
      const auto& o = c.values[v];
      if (!b.missing.empty() || !o.missing.empty()) {
        c.no_difference[v] = "the indicator exists in only one of the two";
      } else if (!b.not_applicable.empty() || !o.not_applicable.empty()) {
        c.no_difference[v] = "not applicable: " + (b.not_applicable.empty() ? o.not_applicable : b.not_applicable);
      } else {
        c.differences[v] = paired_difference(c.kind, b.series, o.series, out.comparisons);
        if (!c.differences[v]) c.no_difference[v] = "fewer than two replications in which both have a value";
      }
    }
    out.indicators.push_back(std::move(c));
  }

  if (opt.selection && k >= 2) {
    const SelectionRequest& req = *opt.selection;
    const auto& d = defs_of(req.indicator, "--select");
    const std::uint32_t n0 = out.replications;
    if (n0 < 2) throw std::invalid_argument("--select needs at least 2 replications in its first stage");
    Selection sel;
    sel.request = req;
    sel.first_stage = n0;
    // Y: the indicator with the sign that makes larger better.
    std::vector<std::vector<double>> y(k);
    const double sign = req.minimize ? -1 : 1;
    for (std::size_t v = 0; v < k; ++v) {
      const IndicatorSeries s = d[v]->series(out.runs[v]);
      for (std::size_t r = 0; r < s.values.size(); ++r) {
        if (!std::isfinite(s.values[r])) {
          throw std::invalid_argument("--select: indicator '" + req.indicator + "' has no value in replication " +
                                      std::to_string(r) + " of variant '" + variants[v].key +
                                      "'; choose an indicator that every replication measures");
        }
        y[v].push_back(sign * s.values[r]);
      }
    }
    const double kk = static_cast<double>(k);
    const double eta = 0.5 * (std::pow(2 * req.alpha / (kk - 1), -2.0 / (n0 - 1)) - 1);
    sel.h2 = 2 * eta * (n0 - 1);
    std::vector<std::vector<double>> s2(k, std::vector<double>(k, 0));
    for (std::size_t i = 0; i < k; ++i) {
      for (std::size_t l = 0; l < k; ++l) {
        if (i == l) continue;
        std::vector<double> diff(n0);
        for (std::uint32_t r = 0; r < n0; ++r) diff[r] = y[i][r] - y[l][r];
        s2[i][l] = moments(diff).variance;
      }
    }
    const double delta = req.indifference_zone;
    std::vector<bool> alive(k, true);
    sel.eliminated_at.assign(k, 0);
    std::uint32_t r = n0;
    const std::uint32_t cap = std::max(n0, opt.max_replications);
    const auto mean_to = [&](std::size_t v, std::uint32_t n) {
      double sum = 0;
      for (std::uint32_t j = 0; j < n; ++j) sum += y[v][j];
      return sum / n;
    };
    for (;;) {
      // Screening at r: i survives when its mean is not below any other survivor's by more than W_il(r).
      std::vector<bool> next = alive;
      bool any_width = false;
      for (std::size_t i = 0; i < k; ++i) {
        if (!alive[i]) continue;
        for (std::size_t l = 0; l < k; ++l) {
          if (l == i || !alive[l]) continue;
          const double w = std::max(0.0, delta / (2.0 * r) * (sel.h2 * s2[i][l] / (delta * delta) - r));
          any_width = any_width || w > 0;
          if (mean_to(i, r) < mean_to(l, r) - w) next[i] = false;
        }
      }
      for (std::size_t i = 0; i < k; ++i) {
        if (alive[i] && !next[i]) sel.eliminated_at[i] = r;
      }
      alive = next;
      std::size_t survivors = std::count(alive.begin(), alive.end(), true);
      if (survivors > 1 && !any_width) {
        // Every W is 0: the procedure ends with the largest mean (ties: the first given).
        std::size_t best = k;
        for (std::size_t i = 0; i < k; ++i) {
          if (alive[i] && (best == k || mean_to(i, r) > mean_to(best, r))) best = i;
        }
        for (std::size_t i = 0; i < k; ++i) {
          if (alive[i] && i != best) {
            alive[i] = false;
            sel.eliminated_at[i] = r;
          }
        }
        survivors = 1;
      }
      if (survivors == 1 || r >= cap) break;
      // One more replication of every survivor (a round of several, for the threads; those past
      // the point where the procedure stops are not used).
      const std::uint32_t round = std::min(cap - r, std::max<std::uint32_t>(1, opt.threads ? opt.threads : 2));
      std::vector<std::pair<std::size_t, std::uint32_t>> jobs;
      for (std::uint32_t j = 0; j < round; ++j) {
        for (std::size_t v = 0; v < k; ++v) {
          if (alive[v] && y[v].size() <= r + j) jobs.emplace_back(v, r + j);
        }
      }
      std::vector<ReplicationResult> results;
      run_jobs(jobs, results);
      for (std::size_t j = 0; j < jobs.size(); ++j) {
        RunResult one;
        one.replications.push_back(std::move(results[j]));
        y[jobs[j].first].push_back(sign * d[jobs[j].first]->series(one).values[0]);
        if (!std::isfinite(y[jobs[j].first].back())) {
          throw std::invalid_argument("--select: indicator '" + req.indicator + "' has no value in replication " +
                                      std::to_string(jobs[j].second) + " of variant '" + variants[jobs[j].first].key +
                                      "'");
        }
      }
      ++r;
      // Screen again at each further count in turn (the loop's head); replications drawn ahead
      // stay in y for the next counts.
    }
    sel.replications_used.assign(k, 0);
    sel.means.assign(k, kNaN);
    for (std::size_t v = 0; v < k; ++v) {
      const std::uint32_t used = alive[v] ? r : sel.eliminated_at[v];
      sel.replications_used[v] = used;
      sel.means[v] = sign * mean_to(v, used);
    }
    if (std::count(alive.begin(), alive.end(), true) == 1) {
      sel.best = static_cast<std::size_t>(std::find(alive.begin(), alive.end(), true) - alive.begin());
    }
    out.selection = std::move(sel);
  }
  for (RunResult& run : out.runs) {
    for (const ReplicationResult& r : run.replications) run.events_processed += r.events_processed;
  }
  out.wall_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return out;
}

}  // namespace refsim
