#pragma once
// The scenario loader's pieces, internal to sim/scenario: located errors, TableView (a TOML table
// read against its declared Section), and the readers of values that several sections share.
//
// Every reader throws ScenarioError ("file:line:column: message") for bad input, and
// std::logic_error for a bug: a key looked up that its section does not declare.
#include <cstdint>
#include <initializer_list>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <toml++/toml.h>

#include "sim/scenario/loader.hpp"
#include "sim/scenario/schema.hpp"

namespace refsim::detail {

/// Turns TOML positions into SourceLocations of one file, and fails there.
class Reader {
 public:
  explicit Reader(std::string file) : file_(std::move(file)) {}

  /// Where `r` is: in the file that the node was parsed from (a variant's nodes come from the
  /// variant, its base's from the base), else in this reader's file. A value given on the command
  /// line (`--set PATH=VALUE`, whose region names it so) has no line or column.
  SourceLocation at(const toml::source_region& r) const {
    if (!r.path) return {file_, r.begin.line, r.begin.column};
    if (r.path->rfind("--set ", 0) == 0) return {*r.path, 0, 0};
    return {*r.path, r.begin.line, r.begin.column};
  }
  SourceLocation at(const toml::node& n) const { return at(n.source()); }

  [[noreturn]] void fail(const toml::node& n, const std::string& msg) const { throw ScenarioError(at(n), msg); }
  [[noreturn]] void fail(const SourceLocation& w, const std::string& msg) const { throw ScenarioError(w, msg); }

  const std::string& file() const { return file_; }

 private:
  std::string file_;
};

/// How a value is named in messages: `string "x"`, `integer 3`, `a table`.
std::string type_name(const toml::node& n);

/// "a, b, c".
std::string join(const std::vector<std::string>& names);

/// A table being read against its declared section: rejects the keys the section does not
/// declare, and takes what "missing required key" and "must be a string" messages say from the
/// declarations. Looking up an undeclared key throws std::logic_error.
class TableView {
 public:
  /// `context` prefixes messages: "agency 'intake'", "[run]".
  TableView(const Reader& r, const toml::table& t, std::string context, const schema::Section& section)
      : r_(r), t_(t), context_(std::move(context)), section_(section) {}

  /// Rejects any key the section does not declare, at the key's position, listing those it does.
  void reject_unknown() const;

  const std::string& context() const { return context_; }
  const toml::table& table() const { return t_; }
  const Reader& reader() const { return r_; }
  const schema::Section& section() const { return section_; }

  /// The value of a declared key, or nullptr.
  const toml::node* find(std::string_view key) const;
  /// The value of a declared required or conditional key, or "missing required key 'k' (<expects>)".
  const toml::node& require(std::string_view key) const;
  /// By the key's declared presence: require() for a required key, find() otherwise.
  const toml::node* get(std::string_view key) const;

  [[noreturn]] void fail(const toml::node& n, std::string_view key, const std::string& msg) const {
    r_.fail(n, context_ + ": " + std::string(key) + " " + msg);
  }

  /// A text key read with get(); `dflt` when absent.
  std::string string(std::string_view key, std::string dflt = {}) const;
  /// Value `n` of `key` as a string, or "must be a string (<expects>)".
  std::string string(const toml::node& n, std::string_view key) const;
  /// A probability key read with get(); its declared default when absent.
  double probability(std::string_view key) const;
  /// Value `n` of `key` as a probability between 0 and 1.
  double probability(const toml::node& n, std::string_view key) const;
  double number(const toml::node& n, std::string_view key) const;
  /// `expected` completes "must be …" ("an integer >= 1").
  std::int64_t integer(const toml::node& n, std::string_view key, std::string_view expected) const;
  /// A duration: a number of days or a string with a unit.
  double duration(const toml::node& n, std::string_view key) const;
  /// A rate: a number per day or a string such as "3/h".
  double rate(const toml::node& n, std::string_view key) const;

 private:
  const Reader& r_;
  const toml::table& t_;
  std::string context_;
  const schema::Section& section_;
};

/// `n` as a table, or "<what> must be a table, got …".
const toml::table& as_table(const Reader& r, const toml::node& n, const std::string& what);

/// The array of tables `[[name]]` (a key of the file's top-level view), or nothing.
std::vector<const toml::table*> tables_of(const TableView& top, std::string_view name);

/// Ids seen so far and where each was declared.
using IdMap = std::map<std::string, SourceLocation>;

/// Records the id of table `v` in `ids`, or fails at its position naming the first declaration.
/// `what` prefixes "id" in the message ("", "profile ", …); `note` is appended.
void claim_id(const TableView& v, IdMap& ids, const std::string& id, const std::string& what,
              const std::string& note = "");

/// The identifier under `key` ([a-z0-9_]+), required.
std::string checked_id(const TableView& v, std::string_view key);

/// The agency, source or profile named by `key`, or a located error listing the known ones. The
/// agency and source keys are required (or conditional); a profile is read only when present.
AgencyId agency_ref(const TableView& v, const Scenario& s, std::string_view key);
SourceId source_ref(const TableView& v, const Scenario& s, std::string_view key);
ProfileId profile_ref(const TableView& v, const Scenario& s, std::string_view key);

/// Whether `c` is a country code: capitals, digits and _, starting with a capital, at most 8.
bool is_country_code(std::string_view c);

/// The index of a state attribute named in a milestone or a decision, or nothing.
std::optional<std::uint32_t> state_attribute(std::string_view name);
inline constexpr const char* kStateList = "presumed, reasonable_grounds, identified, convicted";

/// A milestone under `key` (required): "entered", "arrival:<agency>", "decided:<state>", …
Milestone read_milestone(const TableView& v, const Scenario& s, std::string_view key);

/// A `when` condition under `key` (always true when absent), its errors located inside the string.
Condition read_condition(const TableView& v, const Scenario& s, std::string_view key);

/// A distribution (a table, or a bare duration: deterministic) at `node`, the value of `key`;
/// messages say "<context>: <key> …".
DistributionSpec read_distribution(const Reader& r, const toml::node& node, const std::string& context,
                                   std::string_view key);

/// The probability — or, with `is_rate`, the rate — at `n`, the value of `key`, which may also be
/// an expert range `{ dist = "pert", min = …, mode = …, max = … }`: the range is recorded in
/// s.uncertain (drawn once per replication, from the stream `<stream>:<key>`) and its PERT mean
/// returned. `dflt` when `n` is null.
double read_uncertain(const TableView& v, Scenario& s, std::string_view key, const toml::node* n, double dflt,
                      UncertainParameter::Target target, std::uint32_t index, const std::string& stream,
                      bool is_rate = false);

/// `text`, checked (not empty, UTF-8, keys not nested too deep) and parsed; `file` names it in
/// messages and in every node's source region. Throws ScenarioError.
toml::table parse_toml(std::string_view text, const std::string& file);

/// The scenario in `root` (a file's table, or a variant merged into its base's), read, validated
/// and frozen; `file` is Scenario::file and names positions the nodes do not know.
Scenario read_scenario(const toml::table& root, const std::string& file);

// The sections, read in this order by load_scenario_text (loader.cpp); each file of sim/scenario
// reads one. `top` is the file's top-level view.
void read_settings(const TableView& top, Scenario& s);  ///< [scenario] and [run]
void read_agencies(const TableView& top, Scenario& s, IdMap& ids);
void collect_nationalities(const TableView& top, Scenario& s);  ///< needs the agencies
void build_schema(Scenario& s);                                 ///< the attributes `when` may name
void read_profiles(const TableView& top, Scenario& s);
void read_initial_profiles(const TableView& top, Scenario& s);  ///< agencies' initial_profile
void read_agency_links(const TableView& top, Scenario& s);      ///< when_full overflow, reenters
void read_sources(const TableView& top, Scenario& s, IdMap& ids);
void read_referrals(const TableView& top, Scenario& s);
void read_deadlines(const TableView& top, Scenario& s);
void read_changes(const TableView& top, Scenario& s);

/// One key of a change table, where it is written.
struct ChangeField {
  std::string key;
  SourceLocation key_at;
  const toml::node* value;
};
/// A change table read: the Change (its `where` set, no origin) and the keys it sets, in order.
struct ChangeFields {
  Change change;
  std::vector<ChangeField> fields;
  std::optional<std::int64_t> servers_delta;  ///< an exercise's relative servers or beds ("+20")
};
/// Reads the change table `v` ([[change]], an inject's or option's change): exactly one target
/// (agency, source, referral) and at least one field it takes; `other_keys` are read by the caller
/// and skipped here. With `surge` (an exercise's change), an agency's change may also bring persons
/// (`surge`, `profile`) and give its servers or beds relative to those in force ("+20", "-2"); an
/// intervention's only the latter.
/// What a change table may say beyond a [[change]]'s keys.
enum class ChangeForm {
  scheduled,     ///< a [[change]]: absolute values only
  inject,        ///< an exercise's: relative servers or beds, and surges
  intervention,  ///< an [[intervention.change]]: relative servers or beds
};
ChangeFields read_change(const TableView& v, const Scenario& s, std::initializer_list<std::string_view> other_keys,
                         ChangeForm form);
void read_interventions(const TableView& top, Scenario& s);  ///< [[intervention]], after read_changes
void read_cohorts(const TableView& top, Scenario& s);        ///< [cohorts] and Scenario::countries

}  // namespace refsim::detail
