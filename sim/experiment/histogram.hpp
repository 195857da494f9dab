#pragma once
// A fixed log-spaced histogram of durations, for quantiles (median, p90) without storing values.
//
// Bins: [0, 1 min) — then 100 bins per decade from 1 minute to 100 years (36,500 days) — then
// [100 y, ∞). A quantile is the nearest-rank value (the ⌈p·n⌉-th smallest, n observations)
// estimated by the geometric midpoint of its bin, clamped to the smallest and largest values seen.
// Resolution: within 1.2 % (half a bin: 10^(1/200) − 1 = 1.16 %) for times from 1 minute to
// 100 years; within 1 minute for shorter times; the largest value seen beyond 100 years. When all
// values are equal the quantile is that value exactly.
//
//   LogHistogram h;
//   for (double days : waits) h.add(days);
//   double median = h.quantile(0.5), p90 = h.quantile(0.9);
//
// Memory is fixed (about 3 KiB); values must be >= 0 (negative values count as 0).
#include <array>
#include <cstdint>

#include "sim/model/units.hpp"

namespace refsim {

class LogHistogram {
 public:
  static constexpr double kLowest = 1.0 / 1440;  ///< 1 minute, in days: the first log bin's lower edge
  static constexpr double kHighest = 36500;      ///< 100 years, in days: the last log bin's upper edge
  static constexpr int kBinsPerDecade = 100;
  /// Log bins between kLowest and kHighest (log10(36500 · 1440) · 100, rounded up).
  static constexpr std::size_t kLogBins = 773;
  /// Relative resolution for values in [kLowest, kHighest): half a bin, 10^(1/200) − 1.
  static constexpr double kRelativeResolution = 0.0116;

  void add(double days);
  /// Adds o's observations: the same histogram as adding them one by one.
  void merge(const LogHistogram& o);
  /// The nearest-rank p-quantile (0 < p <= 1) as described above; NaN when empty.
  double quantile(double p) const;
  std::uint64_t count() const { return count_; }
  double min() const { return min_; }
  double max() const { return max_; }

 private:
  static std::size_t bin_of(double days);
  std::array<std::uint32_t, kLogBins + 2> bins_{};  // [0] below kLowest, [kLogBins + 1] from kHighest
  std::uint64_t count_ = 0;
  double min_ = 0, max_ = 0;
};

}  // namespace refsim
