// Fuzz target: the scenario loader (sim/scenario/loader.hpp) and what `refsim check` runs on what
// it accepts (the referral graph and the linter, sim/graph/).
//
// Any bytes are either a scenario or refused with a ScenarioError located in a file, whose what()
// begins with that location: what `refsim run` and `refsim check` print before they exit with
// code 2. Any other exception, a crash, undefined behaviour, a leak, or an input that takes longer
// than the run's -timeout is a finding. The linter's report must be ordered as documented (errors
// first, then warnings, then notes).
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "sim/graph/lint.hpp"
#include "sim/graph/referral_graph.hpp"
#include "sim/scenario/loader.hpp"

namespace {

[[noreturn]] void fail(const char* what, const std::string& detail) {
  std::fprintf(stderr, "fuzz_scenario: %s\n  %s\n", what, detail.c_str());
  std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size > (std::size_t{256} << 10)) return -1;  // the library's largest scenario is ~40 KB
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  refsim::Scenario s;
  try {
    s = refsim::load_scenario_text(text, "fuzz.toml");
  } catch (const refsim::ScenarioError& e) {
    const std::string what = e.what();
    const std::string where = e.where().str();
    if (e.where().file.empty()) fail("ScenarioError without a file", what);
    if (what.compare(0, where.size(), where) != 0 || what.size() <= where.size() + 2) {
      fail("ScenarioError's message does not begin with its location", what);
    }
    return 0;
  }
  const refsim::ReferralGraph graph(s);
  const refsim::LintReport report = refsim::lint(s, graph);
  int last = -1;
  for (const refsim::Finding& f : report.findings) {
    const int rank = static_cast<int>(f.severity);
    if (rank < last) fail("lint findings are not ordered errors, warnings, notes", f.message);
    last = rank;
  }
  return 0;
}
