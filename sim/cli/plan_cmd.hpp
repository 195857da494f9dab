#pragma once
// `refsim plan SCENARIO.toml --budget B`: see sim/cli/plan_cmd.cpp and docs/plan.md.
#include <optional>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

namespace refsim::cli {

struct PlanArgs {
  std::string scenario;
  std::string budget;  ///< an amount in the scenario's currency
  std::string indicator = "overall.identified";
  std::string better;  ///< "larger", "smaller" or "" (the indicator's usual sense)
  std::string out;
  std::string seed;  ///< empty: the scenario's run.seed
  std::optional<std::uint32_t> replications;
  std::string report;
  std::string format = "text";
  std::size_t top = 10;
  std::size_t max_exhaustive = 12;
  std::vector<std::string> sets;
  unsigned threads = 0;
  bool quiet = false;
};

/// Declares the subcommand and its options on `app`.
CLI::App* add_plan_command(CLI::App& app, PlanArgs& args);
/// Runs it; throws UsageError for a command-line mistake, ScenarioError for a bad file.
int run_plan(const PlanArgs& args, const std::string& command_line);

}  // namespace refsim::cli
