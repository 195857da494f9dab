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

namespace refsim {

/// A located error in a scenario file: "file:line:column: what is wrong". A message that quotes a
/// huge value (a megabyte-long id) keeps its beginning and end, with the middle left out.
class ScenarioError : public std::runtime_error {
 public:
  ScenarioError(SourceLocation where, const std::string& message)
      : std::runtime_error(where.str() + ": " + shortened(message)), where_(std::move(where)) {}
  const SourceLocation& where() const { return where_; }

  static constexpr std::size_t kHead = 400, kTail = 200;  ///< bytes kept of a longer message

 private:
  static std::string shortened(const std::string& m) {
    if (m.size() <= kHead + kTail + 100) return m;
    // Cut at UTF-8 character boundaries (never before a continuation byte).
    const auto continuation = [&](std::size_t i) { return (static_cast<unsigned char>(m[i]) & 0xC0) == 0x80; };
    std::size_t head = kHead, tail = m.size() - kTail;
    while (head > 0 && continuation(head)) --head;
    while (tail < m.size() && continuation(tail)) ++tail;
    return m.substr(0, head) + " […" + std::to_string(tail - head) + " bytes left out…] " + m.substr(tail);
  }
  SourceLocation where_;
};

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
