#include "sim/experiment/histogram.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace refsim {

std::size_t LogHistogram::bin_of(double days) {
  if (!(days >= kLowest)) return 0;
  if (days >= kHighest) return kLogBins + 1;
  const double k = std::floor(std::log10(days / kLowest) * kBinsPerDecade);
  return std::min<std::size_t>(static_cast<std::size_t>(k), kLogBins - 1) + 1;
}

void LogHistogram::add(double days) {
  days = std::max(days, 0.0);
  if (count_ == 0) {
    min_ = max_ = days;
  } else {
    min_ = std::min(min_, days);
    max_ = std::max(max_, days);
  }
  ++count_;
  ++bins_[bin_of(days)];
}

void LogHistogram::merge(const LogHistogram& o) {
  if (o.count_ == 0) return;
  if (count_ == 0) {
    min_ = o.min_;
    max_ = o.max_;
  } else {
    min_ = std::min(min_, o.min_);
    max_ = std::max(max_, o.max_);
  }
  count_ += o.count_;
  for (std::size_t b = 0; b < bins_.size(); ++b) bins_[b] += o.bins_[b];
}

double LogHistogram::quantile(double p) const {
  if (count_ == 0) return std::numeric_limits<double>::quiet_NaN();
  const auto rank = std::max<std::uint64_t>(1, static_cast<std::uint64_t>(std::ceil(p * static_cast<double>(count_))));
  std::uint64_t seen = 0;
  std::size_t bin = 0;
  for (; bin < bins_.size(); ++bin) {
    seen += bins_[bin];
    if (seen >= rank) break;
  }
  double estimate;
  if (bin == 0) {
    estimate = kLowest / 2;
  } else if (bin > kLogBins) {
    estimate = max_;
  } else {
    estimate = kLowest * std::pow(10.0, (static_cast<double>(bin - 1) + 0.5) / kBinsPerDecade);
  }
  return std::clamp(estimate, min_, max_);
}

}  // namespace refsim
