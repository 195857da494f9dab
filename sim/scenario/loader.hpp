#pragma once
// Scenario loading: parse (toml++) → validate → freeze.
//
//   refsim::Scenario s = refsim::load_scenario("scenarios/baseline-nrm.toml");
//
// Every problem in the file is reported as a ScenarioError whose what() is one line,
// "file:line:column: what is wrong", pointing at the key or value at fault. Unknown keys are
// errors; an unknown reference lists the valid names.
#include <cstdint>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "sim/model/scenario.hpp"
#include "sim/model/scenario_error.hpp"

namespace refsim {

// ScenarioError: sim/model/scenario_error.hpp (the engine and experiments raise it too).

/// Reads, validates and freezes a scenario file — or a variant of one ([variant] base = …, see
/// docs/variants.md), merged into its base first. Throws ScenarioError.
Scenario load_scenario(const std::filesystem::path& path);

/// Same, with overrides applied last, each "PATH=VALUE" as `refsim run --set` takes it
/// ("agency.screening.servers=10", "referral.a->b.probability=0.8"): VALUE is a TOML value, or
/// else a string. A bad override throws ScenarioError located at "--set PATH=VALUE" (no line or
/// column), so that its what() reads "--set PATH=VALUE: what is wrong".
Scenario load_scenario(const std::filesystem::path& path, const std::vector<std::string>& sets);

/// Same, from text already in memory; `file` names it in messages.
Scenario load_scenario_text(std::string_view text, const std::string& file);

namespace detail {

/// The largest scenario file read (64 MiB): reading is bounded, whatever the path names.
inline constexpr std::uint64_t kMaxScenarioBytes = std::uint64_t{64} << 20;

/// The text of a scenario file (or of another input, `what` naming it in messages), or
/// ScenarioError ("cannot open scenario file: …", "is a pipe (FIFO)…", "is larger than 64 MiB…").
/// Only regular files are read, and reading never blocks: a FIFO without a writer or /dev/zero is
/// refused at once.
std::string read_scenario_file(const std::filesystem::path& path, std::string_view what = "scenario file");

}  // namespace detail

}  // namespace refsim
