// Fuzz target: the `when` expression language (sim/model/expression.hpp).
//
// Any text either compiles or is refused with ExpressionError whose column lies within the text
// (plus one, for "expected more at the end"); nothing else may escape. A compiled condition must
// also keep its documented promises, checked on every case of a fixed schema:
//   - text() is the input, exactly;
//   - constant(), when set, is the result for every case;
//   - `not (TEXT)` is its negation and `(TEXT) and true` is itself, case by case;
//   - can_hold() is never false when some case it covers makes the condition true.
// The schema has booleans, small enums and one of 70 values, so that both the 64-bit mask and the
// wide bitset paths run, and values beyond an attribute's range (which match nothing).
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "sim/model/expression.hpp"

namespace {

using refsim::AttributeSchema;
using refsim::compile_condition;
using refsim::Condition;
using refsim::ExpressionError;

const AttributeSchema& fuzz_schema() {
  static const AttributeSchema schema = [] {
    AttributeSchema s;
    for (const char* name : {"child", "foreign", "presumed", "identified", "needs.shelter"}) {
      s.attributes.push_back({name, {}});
    }
    s.attributes.push_back({"exploitation", {"sexual", "labour", "criminal", "domestic"}});
    s.attributes.push_back({"sex", {"female", "male", "other"}});
    // 70 values, past the 64 that fit one mask word: the ISO codes the library's scenarios use, then N13…N69.
    std::vector<std::string> nationality = {"BO", "BR", "CO", "EC", "ID", "KH", "LA",
                                            "MM", "PE", "VN", "ZA", "LS", "MW"};
    for (int i = 13; i < 70; ++i) nationality.push_back("N" + std::to_string(i));
    s.attributes.push_back({"nationality", nationality});
    s.validate();
    return s;
  }();
  return schema;
}

// Stored values tried per attribute: every valid one for the small attributes, a sample around
// the 64-bit boundary for the wide enum, and out-of-range values for the enums.
const std::vector<std::vector<std::uint32_t>>& trial_values() {
  static const std::vector<std::vector<std::uint32_t>> v = {
      {0, 1}, {0, 1}, {0, 1}, {0, 1}, {0, 1}, {0, 1, 2, 3, 4, 99}, {0, 1, 2, 3}, {0, 1, 12, 63, 64, 65, 69, 70, 500}};
  return v;
}

[[noreturn]] void fail(const char* what, std::string_view text) {
  std::fprintf(stderr, "fuzz_condition: %s\n  text: \"%.*s\"\n", what, static_cast<int>(text.size()), text.data());
  std::abort();
}

// Compiles, or returns false for an ExpressionError (checking its column); anything else escapes.
bool compile_or_refuse(std::string_view text, Condition& out) {
  try {
    out = compile_condition(text, fuzz_schema());
    return true;
  } catch (const ExpressionError& e) {
    if (e.column() < 1 || e.column() > text.size() + 1) fail("ExpressionError column outside the text", text);
    if (std::string_view(e.what()).empty()) fail("ExpressionError without a message", text);
    return false;
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size > 4096) return -1;  // SOP conditions are short; long ones only slow the search
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  Condition c;
  if (!compile_or_refuse(text, c)) return 0;
  if (c.text() != text) fail("text() differs from the input", text);

  // The variants may exceed the nesting limit or, for text ending inside a comment-like token,
  // fail to compile; they are checked only when they compile.
  Condition negated, same;
  const std::string wrapped = "(" + std::string(text) + ")";
  const bool have_negated = compile_or_refuse("not " + wrapped, negated);
  const bool have_same = compile_or_refuse(wrapped + " and true", same);

  const auto& trials = trial_values();
  const auto& attrs = fuzz_schema().attributes;
  std::vector<std::uint32_t> values(trials.size(), 0);
  std::vector<std::size_t> at(trials.size(), 0);
  bool some_true_in_range = false;
  for (;;) {
    bool in_range = true;
    for (std::size_t i = 0; i < trials.size(); ++i) {
      values[i] = trials[i][at[i]];
      in_range = in_range && values[i] < attrs[i].value_count();
    }
    const bool r = c(values);
    if (c.constant() && *c.constant() != r) fail("constant() differs from an evaluation", text);
    if (have_negated && negated(values) == r) fail("not (TEXT) is not the negation of TEXT", text);
    if (have_same && same(values) != r) fail("(TEXT) and true differs from TEXT", text);
    some_true_in_range = some_true_in_range || (r && in_range);
    std::size_t i = 0;
    while (i < at.size() && ++at[i] == trials[i].size()) at[i++] = 0;
    if (i == at.size()) break;
  }
  const std::vector<std::vector<bool>> anything;  // every attribute may take any of its values
  if (some_true_in_range && !c.can_hold(anything)) fail("can_hold() is false although a case satisfies it", text);
  return 0;
}
