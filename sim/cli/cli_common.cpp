#include "sim/cli/cli_common.hpp"

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

}  // namespace refsim::cli
