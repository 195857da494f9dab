#pragma once
// Scenario loading: parse (toml++) → validate → freeze.
//
//   refsim::Scenario s = refsim::load_scenario("scenarios/baseline-nrm.toml");
//
// Every problem in the file is reported as a ScenarioError whose what() is one line,
// "file:line:column: what is wrong", pointing at the key or value at fault. Unknown keys are
// errors; an unknown reference lists the valid names.
#include <filesystem>
#include <stdexcept>
#include <string>

#include "sim/model/scenario.hpp"

namespace refsim {

class ScenarioError : public std::runtime_error {
 public:
  ScenarioError(SourceLocation where, const std::string& message)
      : std::runtime_error(where.str() + ": " + message), where_(std::move(where)) {}
  const SourceLocation& where() const { return where_; }

 private:
  SourceLocation where_;
};

/// Reads, validates and freezes a scenario file. Throws ScenarioError.
Scenario load_scenario(const std::filesystem::path& path);

/// Same, from text already in memory; `file` names it in messages.
Scenario load_scenario_text(std::string_view text, const std::string& file);

}  // namespace refsim
