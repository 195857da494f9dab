#pragma once
// `refsim sweep` and `refsim merge`: see sim/cli/sweep_cmd.cpp and docs/sweeps.md.
#include <optional>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

namespace refsim::cli {

struct SweepArgs {
  std::string file;  ///< a scenario, or a sweep file ([sweep] and [[vary]])
  std::vector<std::string> vary, with, where, sets, indicators;
  std::string out, seed, shard;
  std::optional<std::uint32_t> replications;
  bool resume = false, quiet = false;
  unsigned threads = 0;
  CLI::App* command = nullptr;  ///< for the order of --vary and --with
  CLI::Option *vary_option = nullptr, *with_option = nullptr;
};

struct MergeArgs {
  std::vector<std::string> dirs;
  std::string out;
  bool allow_incomplete = false, quiet = false;
};

/// Declare the subcommands and their options on `app`.
CLI::App* add_sweep_command(CLI::App& app, SweepArgs& args);
CLI::App* add_merge_command(CLI::App& app, MergeArgs& args);
/// Run them; throw UsageError for a command-line mistake, ScenarioError for a bad file.
int run_sweep_command(const SweepArgs& args, const std::string& command_line);
int run_merge_command(const MergeArgs& args, const std::string& command_line);

}  // namespace refsim::cli
