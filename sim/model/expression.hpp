#pragma once
// Conditions on case attributes: the `when` of an SOP referral rule.
//
// A scenario declares the attributes a case carries (AttributeSchema). Each referral rule's `when`
// text is compiled once, against that schema, into a Condition; the engine evaluates it at every
// referral decision, so evaluation is allocation-free, exception-free and branch-light:
//
//   AttributeSchema schema{{{"child", {}}, {"foreign", {}}, {"exploitation", {"sexual", "labour"}}}};
//   Condition c = compile_condition(R"(not child and foreign and exploitation == "labour")", schema);
//   std::vector<std::uint32_t> values{0, 1, 1};  // adult, foreign, exploitation = "labour"
//   bool refer = c(values);                       // true
//
// The language (full reference with SOP examples: docs/expressions.md):
//
//   condition  := or_expr
//   or_expr    := and_expr { "or" and_expr }              lowest precedence
//   and_expr   := unary { "and" unary }
//   unary      := "not" unary | primary
//   primary    := "true" | "false" | "(" condition ")"
//               | BOOL_ATTR                                true when the attribute is 1
//               | ENUM_ATTR ("==" | "!=") VALUE
//               | ENUM_ATTR ["not"] "in" "[" VALUE { "," VALUE } [","] "]"
//   BOOL_ATTR, ENUM_ATTR := [a-z_][a-z0-9_.]*              e.g. needs.shelter
//   VALUE      := "..." | '...'                            no escapes; one of the attribute's values
//
// Keywords (and, or, not, in, true, false) are reserved and lower case. The C spellings &&, || and !
// are deliberately NOT accepted (one spelling keeps SOP files uniform); they are rejected with a
// message naming the keyword to write instead. Single-quoted values exist so that a `when` fits in
// a TOML basic string without escapes: when = "exploitation == 'labour'".
//
// Thread safety: a Condition is immutable after compilation; concurrent evaluation is safe.
#include <algorithm>
#include <array>
#include <cassert>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace refsim {

/// The attributes an expression may name. Each attribute is a boolean, or an enum with a fixed list
/// of string values. A case stores one small integer per attribute, at the attribute's index in
/// `attributes`: 0/1 for a boolean, the index into `values` for an enum.
struct AttributeSchema {
  struct Attribute {
    std::string name;                 ///< [a-z_][a-z0-9_.]*, not a keyword
    std::vector<std::string> values;  ///< empty = boolean; otherwise the enum's values, in order

    bool boolean() const { return values.empty(); }
    /// Number of valid stored values: 2 for a boolean, values.size() for an enum.
    std::uint32_t value_count() const;
    /// Index of `value` in `values`, if listed.
    std::optional<std::uint32_t> find_value(std::string_view value) const;
    /// "sexual, labour, …": the values in order, for messages.
    std::string value_list() const;
  };

  std::vector<Attribute> attributes;  ///< order = index into the value vector

  /// Index of the attribute called `name` (the first, should names repeat).
  std::optional<std::uint32_t> find(std::string_view name) const;
  /// "child, adult, exploitation": the attribute names in declaration order, for messages.
  std::string name_list() const;
  /// Checks names (well-formed, not a keyword, unique) and enum values (unique, writable: not
  /// containing both ' and "). Throws std::invalid_argument naming the attribute at fault, e.g.
  /// "attribute 'in': the name is a reserved word". compile_condition does not call this; the code
  /// that builds a schema (the scenario loader) should, once.
  void validate() const;
};

/// A compile error in an expression. what() is the message alone ("unknown attribute 'chlid';
/// known: child, adult"); column() is the 1-based position of the problem within the expression
/// text, counted in characters (UTF-8 code points; a newline counts as one), so the caller can add
/// its own file position.
class ExpressionError : public std::runtime_error {
 public:
  ExpressionError(std::uint32_t column, const std::string& message) : std::runtime_error(message), column_(column) {}
  std::uint32_t column() const { return column_; }

 private:
  std::uint32_t column_;
};

/// A compiled condition. Default-constructed (or always()) it is true for every case.
///
/// Compiled form: a flat array of attribute tests with jump targets ("jumping code"). Each test
/// checks one attribute's value against a set of values (a 64-bit mask, or a bitset for enums with
/// more than 64 values) and jumps to the next test or to a final true/false, so `and`, `or` and
/// `not` cost nothing and evaluation short-circuits. Jumps only go forward, so evaluation takes at
/// most one step per test. Copying shares the compiled program (one reference-count increment).
class Condition {
 public:
  Condition() = default;
  /// The condition of a rule without `when`: true for every case.
  static Condition always() { return Condition(); }

  /// Evaluates the condition for one case. `values[i]` is the stored value of attribute i of the
  /// schema the condition was compiled with; `values` must hold at least every attribute the
  /// condition uses (checked by assert in debug builds). A value outside an attribute's range
  /// (>= value_count()) is defined to match no value: then `a`, `e == "x"` and `e in [...]` are
  /// false, and `not a`, `e != "x"` and `e not in [...]` are true. Never allocates or throws.
  bool operator()(std::span<const std::uint32_t> values) const noexcept {
    std::uint32_t at = entry_;
    while (at < kFalse) {
      const Test& t = code_[at];
      assert(t.attribute < values.size());
      const std::uint32_t v = values[t.attribute];
      // Branch-free on the case's values (they vary from case to case, so branches on them would be
      // mispredicted): the wide bitset has a zero bit at index `limit`, where larger values are clamped.
      const std::uint64_t word = t.limit <= 64 ? t.bits : words_[t.bits + (std::min(v, t.limit) >> 6)];
      const bool hit = (v < t.limit) & (((word >> (v & 63)) & 1) != 0);
      at = t.next[hit];
    }
    return at == kTrue;
  }

  /// The text it was compiled from, exactly as given; "" for always().
  const std::string& text() const;
  /// Indices of the attributes the text names (sorted, unique), including any in parts that can
  /// never decide the result (e.g. `false and child` names child).
  const std::vector<std::uint32_t>& attributes_used() const;
  /// The result, when it does not depend on the case at all (always(), `true`, `child and false`);
  /// std::nullopt otherwise. Only folds the constants true/false, not tautologies such as
  /// `child or not child`.
  std::optional<bool> constant() const;
  /// Number of attribute tests in the compiled form (evaluation visits at most this many).
  std::size_t test_count() const;
  /// Whether the condition holds for some case whose attribute i takes only values v with
  /// possible[i][v] true (an attribute beyond possible.size(), or with an empty vector, may take
  /// any of its values). Exact: `child and not child` cannot hold, `e == "a" or e == "b"` can
  /// when either value is possible; a condition that no possible case satisfies (`false`, or
  /// `child` when only adults are possible) cannot. Searches the compiled tests path by path,
  /// narrowing each attribute's values as it goes; past 100,000 steps (conditions far larger than
  /// SOP rules) it answers true, which callers must read as "may hold". Allocates; never throws
  /// but std::bad_alloc.
  bool can_hold(std::span<const std::vector<bool>> possible) const;

 private:
  friend Condition compile_condition(std::string_view text, const AttributeSchema& schema);

  /// Jump targets at or above kFalse are final results.
  static constexpr std::uint32_t kTrue = 0xFFFFFFFFu;
  static constexpr std::uint32_t kFalse = 0xFFFFFFFEu;

  /// One attribute test: does values[attribute] belong to the set? The set is `bits` itself when
  /// limit <= 64, else the bitset words_[bits .. bits + limit / 64], whose bit `limit` is 0.
  struct Test {
    std::uint64_t bits = 0;
    std::uint32_t attribute = 0;
    std::uint32_t limit = 0;                           ///< the attribute's value_count(); larger values match nothing
    std::array<std::uint32_t, 2> next{kFalse, kTrue};  ///< [0]: where to go when not in the set; [1]: when in it
  };
  struct Program;  // owns text, tests, bitset words and attributes used; defined in expression.cpp

  std::shared_ptr<const Program> program_;  // null for always()
  const Test* code_ = nullptr;              // into *program_, which never changes after compilation
  const std::uint64_t* words_ = nullptr;    // into *program_
  std::uint32_t entry_ = kTrue;             // first test, or a final result
};

/// Compiles `text` against `schema` (assumed valid: see AttributeSchema::validate). Throws
/// ExpressionError at the first problem, left to right: a lexical error (unterminated string,
/// unsupported operator such as && or =, upper-case name), an empty expression, an unknown
/// attribute (listing the known ones), a boolean compared with ==/!=/in, an enum used as a
/// boolean, an unknown enum value (listing the valid ones), an empty or unclosed list, unbalanced
/// parentheses, text after a complete condition, or nesting deeper than 100 levels.
Condition compile_condition(std::string_view text, const AttributeSchema& schema);

}  // namespace refsim
