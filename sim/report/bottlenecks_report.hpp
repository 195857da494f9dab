#pragma once
// Writers for `refsim bottlenecks`: bottlenecks.json, tidy bottlenecks.csv, and a ranked table for
// people. They format a BottleneckResult only (docs/bottlenecks.md gives the shapes); the JSON and
// CSV depend on the scenario, the seed and the options, never on threads or timing.
#include <iosfwd>
#include <string>

#include <nlohmann/json.hpp>

#include "sim/experiment/bottlenecks.hpp"

namespace refsim {

struct BottleneckContext {
  const Scenario& scenario;
  std::string file;
  std::uint64_t seed = 0;
  const BottleneckOptions& options;
};

/// The bottlenecks.json document.
nlohmann::ordered_json bottlenecks_json(const BottleneckContext& ctx, const BottleneckResult& result);
/// Tidy rows `section,subject,detail,measure,mean,ci_low,ci_high,n,replications,note`, one per
/// figure of the JSON (empty cells where there is no value).
std::string bottlenecks_csv(const BottleneckContext& ctx, const BottleneckResult& result);
/// Where persons wait (agencies and referrals, most person-days first), the marginal value ranked,
/// and the capacity searches.
void print_bottlenecks_table(std::ostream& os, const BottleneckContext& ctx, const BottleneckResult& result);

}  // namespace refsim
