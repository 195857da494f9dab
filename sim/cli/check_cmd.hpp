#pragma once
// `refsim check SCENARIO` (a linter for referral mechanisms) and `refsim graph SCENARIO`
// (DOT, GraphML or JSON): see sim/cli/check_cmd.cpp and docs/check.md.
#include <iosfwd>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "sim/graph/referral_graph.hpp"
#include "sim/model/scenario.hpp"

namespace refsim::cli {

struct CheckArgs {
  std::string scenario;
  std::string format = "text";    ///< text, json, sarif
  std::string out;                ///< file to write; empty: standard output
  std::vector<std::string> sets;  ///< --set PATH=VALUE overrides, in order
};

struct GraphArgs {
  std::string scenario;
  std::string format = "dot";  ///< dot, graphml, json
  std::string out;
  std::vector<std::string> sets;
};

CLI::App* add_check_command(CLI::App& app, CheckArgs& args);
/// Exit code: 0 without error findings, 1 with one; throws ScenarioError / UsageError (exit 2).
int run_check(const CheckArgs& args);

CLI::App* add_graph_command(CLI::App& app, GraphArgs& args);
int run_graph(const GraphArgs& args);

/// What `refsim run` prints before it runs: the check's errors, and its warnings that a run makes
/// visible (unreachable agencies, over capacity), as "file:line:column: warning: … [code]".
void print_run_warnings(std::ostream& os, const Scenario& s, const ReferralGraph& g);

}  // namespace refsim::cli
