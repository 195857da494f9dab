#pragma once
// `refsim compare A.toml B.toml [C.toml …]`: see sim/cli/compare_cmd.cpp and docs/compare.md.
#include <optional>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

namespace refsim::cli {

struct CompareArgs {
  std::vector<std::string> files;
  std::string out;
  std::string seed;  ///< empty: the baseline's run.seed
  std::optional<std::uint32_t> replications;
  std::string baseline;
  std::vector<std::string> indicators;
  std::string precision;  ///< NAME=HALF_WIDTH
  std::uint32_t max_replications = 0;
  std::string select;  ///< NAME=INDIFFERENCE_ZONE
  std::string goal;    ///< min, max; empty: from the indicator
  bool independent = false;
  std::string report;
  std::string sample = "7d";
  std::vector<std::string> sets;  ///< --set PATH=VALUE, applied to every variant
  unsigned threads = 0;
  bool quiet = false;
};

/// Declares the subcommand and its options on `app`.
CLI::App* add_compare_command(CLI::App& app, CompareArgs& args);
/// Runs it; throws UsageError for a command-line mistake, ScenarioError for a bad file.
int run_compare(const CompareArgs& args, const std::string& command_line);

}  // namespace refsim::cli
