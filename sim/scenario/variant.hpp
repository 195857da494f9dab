#pragma once
// Variants and overrides, internal to sim/scenario: a variant file names a base scenario and
// changes parts of it ([set], [[add.X]], [remove]), addressing tables by id and referral rules by
// their key, never by position. The merge happens on the TOML tables, before the ordinary loader
// reads the result, so that a variant is an ordinary Scenario to every command. Nodes are moved
// (never copied) from the variant into the merged table: they keep their source regions, and a
// bad value is reported at its line and column in the variant. See docs/variants.md.
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include <toml++/toml.h>

namespace refsim::detail {

/// The scenario table of `file`, whose parsed text is `root`: `root` itself for an ordinary
/// scenario; for a variant, its base's table (a variant's recursively) with the variant's changes
/// applied. `chain` holds the canonical paths of the variants being merged, outermost first (a
/// cycle of bases is an error naming it). Throws ScenarioError.
toml::table resolve_variant(toml::table root, const std::string& file, std::vector<std::filesystem::path>& chain);

/// Applies `--set PATH=VALUE` overrides to a scenario table, in order. Throws ScenarioError at
/// SourceLocation{"--set PATH=VALUE", 0, 0}.
void apply_overrides(toml::table& root, const std::vector<std::string>& sets);

/// The scenario table of the file at `path` (a variant merged), with `sets` applied. `bases`, when
/// given, receives the canonical paths of its bases, nearest first.
toml::table load_table(const std::filesystem::path& path, const std::vector<std::string>& sets,
                       std::vector<std::filesystem::path>* bases = nullptr);

/// The addresses of the elements of the array of tables `name` (root[name]; nullptr: none): an
/// id; for referrals the key "from->to", or "from->to#n" for the n-th rule on a pair (as
/// Referral::key and [[change]] name them); for changes "#n". "" for an element without one.
std::vector<std::string> addresses(const toml::array* arr, std::string_view name);

/// A value as TOML writes it inline: `6`, `"4h"`, `{ dist = "exponential", mean = "2d" }`.
std::string toml_inline(const toml::node& n);

// read_scenario_file: in loader.hpp.

}  // namespace refsim::detail
