#pragma once
// `refsim bottlenecks SCENARIO.toml`: see sim/cli/bottlenecks_cmd.cpp and docs/bottlenecks.md.
#include <optional>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

namespace refsim::cli {

struct BottlenecksArgs {
  std::string file;
  std::string out;
  std::string format = "table";
  std::string seed;
  std::optional<std::uint32_t> replications;
  std::vector<std::string> indicators;
  std::string target;
  std::vector<std::string> at;
  std::uint32_t extra_servers = 1;
  std::uint32_t extra_beds = 5;
  std::uint32_t max_capacity = 0;
  bool no_marginal = false;
  std::string horizon;
  std::string report;
  std::vector<std::string> sets;
  unsigned threads = 0;
  bool quiet = false;
};

/// Declares the subcommand and its options on `app`.
CLI::App* add_bottlenecks_command(CLI::App& app, BottlenecksArgs& args);
/// Runs it; throws UsageError for a command-line mistake, ScenarioError for a bad file.
int run_bottlenecks(const BottlenecksArgs& args, const std::string& command_line);

}  // namespace refsim::cli
