#include "sim/cli/cli_common.hpp"

#include <malloc.h>
#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>

#include "sim/model/units.hpp"
#include "sim/random/streams.hpp"

namespace refsim::cli {

std::optional<std::uint64_t> seed_option(const std::string& text) {
  if (text.empty()) return std::nullopt;
  try {
    return parse_seed(text);
  } catch (const std::invalid_argument& e) {
    throw UsageError("--seed " + std::string(e.what()));
  }
}

double sample_option(const std::string& text) {
  if (text == "0") return 0;
  double every = 0;
  try {
    every = parse_duration(text);
  } catch (const std::invalid_argument& e) {
    throw UsageError("--sample: " + std::string(e.what()));
  }
  if (!(every > 0)) throw UsageError("--sample must be a positive duration or 0, got " + text);
  return every;
}

/// "unknown indicator 'x'; did you mean: …" — names sharing the longest prefix with it.
std::string unknown_indicator(const std::string& name, const std::vector<IndicatorDef>& defs, const char* option) {
  std::string msg = std::string(option) + ": unknown indicator '" + name + "'";
  std::size_t best = 0;
  for (const IndicatorDef& d : defs) {
    std::size_t n = 0;
    while (n < d.name.size() && n < name.size() && d.name[n] == name[n]) ++n;
    best = std::max(best, n);
  }
  // The prefix up to its last dot: the level of the path that matched.
  std::string prefix = name.substr(0, best);
  prefix = prefix.substr(0, prefix.find_last_of('.') == std::string::npos ? 0 : prefix.find_last_of('.') + 1);
  // What exists at that level: the next part of the names under the prefix, each once.
  std::vector<std::string> close;
  for (const IndicatorDef& d : defs) {
    if (d.name.rfind(prefix, 0) != 0) continue;
    const std::string next = d.name.substr(prefix.size(), d.name.find('.', prefix.size()) - prefix.size());
    if (std::find(close.begin(), close.end(), next) == close.end()) close.push_back(next);
  }
  msg += prefix.empty() ? "; known: " : "; known under '" + prefix + "': ";
  for (std::size_t i = 0; i < close.size(); ++i) msg += (i ? ", " : "") + close[i];
  return msg + " (every indicator is a path in summary.json joined by dots)";
}

void prefer_large_heap_pages() {
  constexpr std::size_t kStep = std::size_t{64} << 20;
  ::mallopt(M_MMAP_THRESHOLD, static_cast<int>(kStep));
  ::mallopt(M_TRIM_THRESHOLD, static_cast<int>(4 * kStep));
  ::mallopt(M_TOP_PAD, static_cast<int>(kStep));
  // Grow the heap now (the block is larger than any free space the start-up left), then advise
  // the new part, which later allocations fill from its start.
  void* block = std::malloc(std::size_t{1} << 20);
  if (!block) return;
  const auto top = reinterpret_cast<std::uintptr_t>(::sbrk(0));
  const auto at = reinterpret_cast<std::uintptr_t>(block);
  std::free(block);
  // Only when the block lies just below the program break, that is on glibc's main heap.
  if (at < top && top - at <= 2 * kStep) {
    const std::uintptr_t page = static_cast<std::uintptr_t>(::sysconf(_SC_PAGESIZE));
    const std::uintptr_t begin = at & ~(page - 1);
    ::madvise(reinterpret_cast<void*>(begin), top - begin, MADV_HUGEPAGE);
  }
}

}  // namespace refsim::cli
