#pragma once
// `refsim diff A B`: what differs between two scenarios (variants merged into their bases), in the
// scenarios' own terms. Agencies, sources, profiles and deadlines are matched by id, referral
// rules by their key (from->to, from->to#n), changes by position; keys are compared after the
// schema's defaults are filled in (an omitted `loss` is `loss = 0`), durations and rates by value
// ("12h" is 0.5 days).
//
//   const ScenarioDiff d = diff_scenarios("scenarios/baseline-nrm.toml", "scenarios/variants/x.toml");
//   std::cout << diff_text(d);  // "competent_authority: servers 4 → 6", …
#include <filesystem>
#include <string>
#include <vector>

namespace refsim {

struct DiffEntry {
  enum class Kind { changed, only_in_a, only_in_b };
  Kind kind = Kind::changed;
  std::string
      section;       ///< "scenario", "run", "cohorts", "agency", "source", "profile", "referral", "deadline", "change"
  std::string id;    ///< the element's id or key ("" for scenario, run, cohorts)
  std::string key;   ///< the changed key, dotted when nested ("decision.sensitivity"); "" for a whole element
  std::string a, b;  ///< the values as TOML writes them inline ("" when absent)
  std::string a_json, b_json;  ///< the same as JSON text ("null" when absent)
  std::string text;            ///< the difference in plain words
};

struct ScenarioDiff {
  std::string a_file, b_file;
  std::string a_name, b_name;
  bool b_based_on_a = false;  ///< B is a variant whose chain of bases includes A
  std::vector<DiffEntry> entries;
  bool same() const { return entries.empty(); }
};

/// Loads both (each must load as a scenario: otherwise its ScenarioError) and compares them.
ScenarioDiff diff_scenarios(const std::filesystem::path& a, const std::filesystem::path& b);

/// For people: a header naming A and B, then one line per difference.
std::string diff_text(const ScenarioDiff& d);

/// For programs (shape in docs/variants.md):
/// { "a": {"file", "name"}, "b": {"file", "name", "based_on_a"}, "same": bool,
///   "differences": [ {"kind": "changed"|"only_in_a"|"only_in_b", "section", "id", "key", "a", "b", "text"} ] }
std::string diff_json(const ScenarioDiff& d);

}  // namespace refsim
