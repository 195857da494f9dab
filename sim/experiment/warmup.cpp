#include "sim/experiment/warmup.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "sim/engine/engine.hpp"
#include "sim/experiment/runner.hpp"

namespace refsim {

std::size_t mser5_truncation(std::span<const double> series) {
  constexpr std::size_t kBatch = 5;
  const std::size_t m = series.size() / kBatch;
  if (m < 2) return 0;
  std::vector<double> z(m);
  for (std::size_t i = 0; i < m; ++i) {
    double sum = 0;
    for (std::size_t k = 0; k < kBatch; ++k) sum += series[i * kBatch + k];
    z[i] = sum / kBatch;
  }
  // Suffix sums of Z and Z², so that every MSER(d) costs O(1): Σ(Z − Z̄)² = ΣZ² − (ΣZ)² / n.
  std::vector<double> s1(m + 1, 0), s2(m + 1, 0);
  for (std::size_t i = m; i-- > 0;) {
    s1[i] = s1[i + 1] + z[i];
    s2[i] = s2[i + 1] + z[i] * z[i];
  }
  std::size_t best = 0;
  double best_value = 0;
  for (std::size_t d = 0; d <= m / 2; ++d) {
    const double n = static_cast<double>(m - d);
    const double ss = std::max(0.0, s2[d] - s1[d] * s1[d] / n);
    const double value = ss / (n * n);
    if (d == 0 || value < best_value) {
      best = d;
      best_value = value;
    }
  }
  return best * kBatch;
}

WarmupChoice choose_warmup(const Scenario& s, const ReferralGraph& g, std::uint64_t seed, std::uint32_t replications,
                           unsigned threads) {
  WarmupChoice w;
  w.samples = kWarmupSamples;
  w.sample_every = s.run.horizon / static_cast<double>(kWarmupSamples);
  w.replications = std::max<std::uint32_t>(1, replications);
  std::vector<std::vector<double>> series(w.replications);
  run_parallel(w.replications, threads, [&](std::uint32_t r) {
    Engine engine(s, g, seed, r);
    std::vector<double>& v = series[r];
    v.reserve(kWarmupSamples);
    for (std::size_t k = 1; k <= kWarmupSamples; ++k) {
      engine.run_until(k == kWarmupSamples ? s.run.horizon : static_cast<double>(k) * w.sample_every);
      v.push_back(static_cast<double>(engine.cases_in_system()));
    }
  });
  // The mean over replications, in replication order: the same sums whatever the threads.
  std::vector<double> mean(kWarmupSamples, 0);
  for (std::size_t k = 0; k < kWarmupSamples; ++k) {
    for (const auto& v : series) mean[k] += v[k];
    mean[k] /= static_cast<double>(w.replications);
  }
  const std::size_t cut = mser5_truncation(mean);
  w.at_limit = cut >= (kWarmupSamples / 5 / 2) * 5;
  // The first `cut` observations (t = Δ … cut·Δ) are dropped: statistics begin at cut·Δ.
  w.warmup = static_cast<double>(cut) * w.sample_every;
  return w;
}

std::optional<std::string> short_warmup_warning(const Scenario& s, const RunResult& r) {
  if (r.replications.empty()) return std::nullopt;
  for (const Agency& a : s.agencies) {
    if (a.initial_cases > 0) return std::nullopt;
  }
  const auto mean_of = [&](auto value) {
    double sum = 0;
    std::size_t n = 0;
    for (const ReplicationResult& rep : r.replications) {
      const double v = value(rep);
      if (std::isnan(v)) continue;
      sum += v;
      ++n;
    }
    return n ? sum / static_cast<double>(n) : kNaN;
  };
  std::size_t slowest = s.agencies.size();
  double slowest_time = 0;
  for (std::size_t a = 0; a < s.agencies.size(); ++a) {
    const double visits = mean_of([a](const ReplicationResult& rep) { return rep.agencies[a].arrivals; });
    const double time = mean_of([a](const ReplicationResult& rep) { return rep.agencies[a].mean_time_in_agency_days; });
    if (visits >= kFewVisits && time > slowest_time) {
      slowest = a;
      slowest_time = time;
    }
  }
  const double in_system = mean_of([](const ReplicationResult& rep) { return rep.cases.mean_time_in_system_days; });
  const auto days = [](double d) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.1f", d);
    return std::string(buf);
  };
  const std::string advice =
      ": statistics began while the mechanism was still filling up, so its queues, loads and counts read low. "
      "Lengthen [run] warmup to a few times that, or use --warmup auto (MSER-5)";
  if (slowest < s.agencies.size() && s.run.warmup < slowest_time && slowest_time >= in_system) {
    return "the warm-up (" + format_duration(s.run.warmup) + ") is shorter than the time people spend at '" +
           s.agencies[slowest].id + "' (" + days(slowest_time) + " days on average)" + advice;
  }
  if (s.run.warmup < in_system) {
    return "the warm-up (" + format_duration(s.run.warmup) + ") is shorter than the mean time in the mechanism (" +
           days(in_system) + " days)" + advice;
  }
  return std::nullopt;
}

}  // namespace refsim
