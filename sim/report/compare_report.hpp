#pragma once
// Writers for a comparison's results: compare.json, tidy compare.csv, and a table for people.
//
// compare.json and compare.csv depend only on the variants, the seed and the options (never on
// threads or timing); the command line and timing are not in them.
#include <iosfwd>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "sim/experiment/compare.hpp"

namespace refsim {

struct CompareContext {
  const std::vector<Variant>& variants;
  std::size_t baseline = 0;
  std::uint64_t seed = 0;
  bool independent = false;
  std::optional<PrecisionTarget> precision = std::nullopt;
  std::uint32_t max_replications = 0;
  std::string command_line = {};  ///< for the HTML report only
};

/// The compare.json document (docs/compare.md gives its shape). Per-replication `samples` are
/// given for the key indicators (all of them in compare.csv).
nlohmann::ordered_json compare_json(const CompareContext& ctx, const CompareResult& result);
/// Tidy `variant,replication,indicator,value,observations` for every indicator compared (value
/// empty when the replication gave none or the indicator does not apply).
std::string compare_csv(const CompareContext& ctx, const CompareResult& result);
/// The key indicators (or those chosen), each variant's mean [95 % interval] and its paired
/// difference to the baseline, significant ones marked; the selection, if any.
void print_compare_table(std::ostream& os, const CompareContext& ctx, const CompareResult& result);

}  // namespace refsim
