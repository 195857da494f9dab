#pragma once
// `refsim exercise check|run|replay|report`: tabletop exercises headless (docs/exercises.md).
#include <cstdint>
#include <string>

#include <CLI/CLI.hpp>

#include "sim/model/scenario.hpp"

namespace refsim::cli {

struct ExerciseArgs {
  CLI::App* check = nullptr;
  CLI::App* run = nullptr;
  CLI::App* replay = nullptr;
  CLI::App* report = nullptr;
  std::string file;                 ///< check, run: the exercise file
  std::string log;                  ///< run: the log to write; replay, report: the log to read
  std::string out;                  ///< run, replay, report: the output directory
  std::string decisions;            ///< run: --decisions D.toml
  std::string exercise;             ///< replay, report: --exercise FILE instead of the log's
  std::string branch_at, choose;    ///< replay: --branch-at INJECT --choose OPTION
  std::uint32_t replications = 20;  ///< replay --branch-at, report: pairs behind each difference
  std::string sample = "1d";
  unsigned threads = 0;
  bool quiet = false;
};

/// Declares `exercise` and its subcommands on `app`.
CLI::App* add_exercise_command(CLI::App& app, ExerciseArgs& args);
/// Runs the subcommand given; throws UsageError, ScenarioError, std::runtime_error.
int run_exercise(const ExerciseArgs& args, const std::string& command_line);

/// "day 12 (Fri) 09:00": simulated time t (format_clock).
std::string sim_clock(Time t);

}  // namespace refsim::cli
