#pragma once
// The scenario format, declared once: every table a scenario file may hold and every key of each,
// with its type, presence, default, unit, allowed values and meaning.
//
// The loader reads tables through TableView (sim/scenario/reader.hpp), which takes a Section: the
// "unknown key …; expected one of: …" lists are the section's keys in declaration order, a
// required key's "missing required key 'k' (…)" message says what its declaration expects, and
// looking up a key the section does not declare is a bug (std::logic_error), so that parsing and
// declaration cannot drift apart. docs/scenario-reference.md is scenario_reference_markdown()'s
// output, kept current by a test (tests/test_schema.cpp).
//
//   const schema::Section& run = schema::section("run");
//   run.key("horizon").presence;   // Presence::required
//   run.key_list();                // "horizon, warmup, replications, seed"
#include <string>
#include <string_view>
#include <vector>

namespace refsim::schema {

/// Upper limits of the counts a scenario may give: far above any real mechanism, low enough that
/// what is built from them (servers × agencies, cases at t = 0) stays far from overflow and from
/// exhausting memory.
inline constexpr long long kMaxServers = 1'000'000;       ///< servers or beds of one agency
inline constexpr long long kMaxReplications = 1'000'000;  ///< [run] replications
inline constexpr long long kMaxBatchCases = 1'000'000;    ///< people in one batch of a source
inline constexpr long long kMaxInitialCases = 4'000'000;  ///< people at one agency at t = 0

/// What a key's value is, as the reference names it.
enum class Type {
  text,
  identifier,  ///< [a-z0-9_]+
  integer,
  number,
  boolean,
  probability,           ///< a number in [0, 1]
  probability_or_range,  ///< or an expert range (Section "range.probability")
  rate,                  ///< per day: a number, or "3/h", "20/w", "1000/y"
  rate_or_range,         ///< or an expert range (Section "range.rate")
  duration,              ///< days: a number, or "90min", "4h", "2.5d", "1w", "1y"
  distribution,          ///< a table { dist = …, … } or a duration (deterministic)
  condition,             ///< a `when` expression (docs/expressions.md)
  milestone,             ///< "entered", "arrival:<agency>", "decided:<state>", "positive:<state>"
  agency,                ///< an agency's id
  source,                ///< a source's id
  profile,               ///< a profile's id
  referral,              ///< a referral rule's key, from->to
  list,                  ///< an array; `allowed` says of what
  shares,                ///< a table of shares summing to 1; `allowed` names the keys
  table,                 ///< a table; `link` names its Section
  tables,                ///< an array of tables [[name]]; `link` names its Section
};

enum class Presence {
  optional,     ///< absent: Key::default_value
  required,     ///< absent: "missing required key"
  conditional,  ///< required in some cases, which Key::default_value states
};

struct Key {
  std::string name;
  Type type = Type::text;
  Presence presence = Presence::optional;
  /// For an optional key, its default as the reference shows it ("" when there is none); the
  /// loader parses a number from it where it needs the value (TableView::probability). For a
  /// conditional key, when it is required ("required unless `beds`").
  std::string default_value;
  std::string unit;     ///< of a bare number ("days", "per day"), or ""
  std::string allowed;  ///< allowed values or range, for people ("1 to 1000000", "wait, turn_away, …")
  std::string help;     ///< one line: what it means
  /// How messages describe the expected value: "missing required key 'to' (<expects>)",
  /// "must be a string (<expects>)". "" when no message needs it.
  std::string expects;
  std::string link;  ///< the Section of its nested table (Type::table, tables, or a table form)
};

struct Section {
  std::string id;     ///< "agency", "agency.decision", "dist.gamma"; an anchor in the reference
  std::string title;  ///< the heading: "[[agency]]", "decision = { … }"
  int level = 2;      ///< heading level in the reference (2, or 3 for a nested table)
  std::string help;   ///< a paragraph (Markdown)
  std::vector<Key> keys;
  /// The table's keys are data (country codes, exploitation types), not names to declare.
  bool open = false;

  /// The key declared as `name`; throws std::logic_error when there is none (a bug in the loader).
  const Key& key(std::string_view name) const;
  const Key* find(std::string_view name) const;
  /// "id, name, kind, …": the key names in declaration order, as "expected one of" lists them.
  std::string key_list() const;
};

/// Every section, in the reference's order.
const std::vector<Section>& sections();

/// The section `id`; throws std::logic_error when there is none (a bug in the loader).
const Section& section(std::string_view id);

/// The distribution kinds ("exponential", …) in declaration order, from the "dist.<kind>" sections.
std::vector<std::string> distribution_kinds();

}  // namespace refsim::schema

namespace refsim {

/// docs/scenario-reference.md: one section per table, a table of its keys (key, type, default,
/// unit, allowed values, meaning), generated from the declarations above.
std::string scenario_reference_markdown();

}  // namespace refsim
