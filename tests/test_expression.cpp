// The `when` language of referral rules: what each operator means, what every mistake is told, and
// that the compiled form agrees with a plain reading of the expression on every case.
#include <catch2/catch.hpp>

#include <array>
#include <cstdint>
#include <functional>
#include <stdexcept>
#include <string>
#include <vector>

#include "sim/model/expression.hpp"

using namespace refsim;

namespace {

// Attribute indices of the test schema.
enum : std::uint32_t {
  kChild,
  kAdult,
  kForeign,
  kPresumed,
  kIdentified,
  kExploitation,
  kNationality,
  kShelter,
  kRegion
};
enum : std::uint32_t { kSexual, kLabour, kDomestic, kCriminal };

// A schema in the shape of an NRM's case record, with one enum wider than 64 values.
const AttributeSchema& schema() {
  static const AttributeSchema s = [] {
    AttributeSchema r{{
        {"child", {}},
        {"adult", {}},
        {"foreign", {}},
        {"presumed", {}},
        {"identified", {}},
        {"exploitation", {"sexual", "labour", "domestic_servitude", "criminal"}},
        {"nationality", {"NA", "GB", "VN", "AL", "C\xC3\xB4te d'Ivoire"}},
        {"needs.shelter", {}},
        {"region", {}},
    }};
    for (int i = 0; i < 100; ++i) r.attributes[kRegion].values.push_back("r" + std::to_string(i));
    return r;
  }();
  return s;
}

Condition compile(std::string_view text) { return compile_condition(text, schema()); }

// "column: message" of the error compiling `text`, or "" when it compiles.
std::string error_of(std::string_view text) {
  try {
    (void)compile(text);
  } catch (const ExpressionError& e) {
    return std::to_string(e.column()) + ": " + e.what();
  }
  return "";
}

// A case record; attributes not given are 0 (false, or the enum's first value).
struct ExprCase {
  std::vector<std::uint32_t> values = std::vector<std::uint32_t>(9, 0);
  ExprCase& set(std::uint32_t attribute, std::uint32_t value) {
    values[attribute] = value;
    return *this;
  }
};

// The condition on two booleans, as a truth table over (a, b) = 00, 01, 10, 11, written "0110".
std::string table2(std::string_view text, std::uint32_t a, std::uint32_t b) {
  const Condition c = compile(text);
  std::string out;
  for (std::uint32_t x = 0; x < 2; ++x)
    for (std::uint32_t y = 0; y < 2; ++y) out += c(ExprCase().set(a, x).set(b, y).values) ? '1' : '0';
  return out;
}

// Over three booleans (a, b, c) = 000 … 111.
std::string table3(std::string_view text) {
  const Condition c = compile(text);
  std::string out;
  for (std::uint32_t i = 0; i < 8; ++i)
    out += c(ExprCase().set(kChild, i >> 2 & 1).set(kForeign, i >> 1 & 1).set(kPresumed, i & 1).values) ? '1' : '0';
  return out;
}

// The condition on exploitation, over sexual, labour, domestic_servitude, criminal.
std::string table_exploitation(std::string_view text) {
  const Condition c = compile(text);
  std::string out;
  for (std::uint32_t v = 0; v < 4; ++v) out += c(ExprCase().set(kExploitation, v).values) ? '1' : '0';
  return out;
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// Meaning

TEST_CASE("Expression: a boolean attribute is true when its value is 1") {
  CHECK(table2("child", kChild, kForeign) == "0011");
  CHECK(table2("needs.shelter", kShelter, kForeign) == "0011");
}

TEST_CASE("Expression: and, or and not follow their truth tables") {
  CHECK(table2("child and foreign", kChild, kForeign) == "0001");
  CHECK(table2("child or foreign", kChild, kForeign) == "0111");
  CHECK(table2("not child", kChild, kForeign) == "1100");
  CHECK(table2("not not child", kChild, kForeign) == "0011");
  CHECK(table2("presumed and not identified", kPresumed, kIdentified) == "0010");
}

TEST_CASE("Expression: true and false are constants") {
  CHECK(table2("true", kChild, kForeign) == "1111");
  CHECK(table2("false", kChild, kForeign) == "0000");
  CHECK(table2("child or true", kChild, kForeign) == "1111");
  CHECK(table2("child and true", kChild, kForeign) == "0011");
  CHECK(table2("false or foreign", kChild, kForeign) == "0101");
  CHECK(table2("not false", kChild, kForeign) == "1111");
}

TEST_CASE("Expression: not binds tighter than and, which binds tighter than or") {
  // a=child, b=foreign, c=presumed; table order abc = 000 … 111.
  CHECK(table3("child or foreign and presumed") == table3("child or (foreign and presumed)"));
  CHECK(table3("child or foreign and presumed") == "00011111");
  CHECK(table3("child and foreign or presumed") == "01010111");
  CHECK(table3("not child and foreign") == "00110000");
  CHECK(table3("not child or foreign and presumed") == "11110001");
  CHECK(table3("not (child or foreign) and presumed") == "01000000");
}

TEST_CASE("Expression: parentheses group") {
  CHECK(table3("(child or foreign) and presumed") == "00010101");
  CHECK(table3("child and (foreign or presumed)") == "00000111");
  CHECK(table3("((child))") == "00001111");
  CHECK(table3("not (child and foreign)") == "11111100");
}

TEST_CASE("Expression: and and or chain any number of operands") {
  CHECK(table3("child and foreign and presumed") == "00000001");
  CHECK(table3("child or foreign or presumed") == "01111111");
}

TEST_CASE("Expression: == and != compare an enum with one value") {
  CHECK(table_exploitation("exploitation == \"labour\"") == "0100");
  CHECK(table_exploitation("exploitation != \"labour\"") == "1011");
  CHECK(table_exploitation("exploitation == 'criminal'") == "0001");
  CHECK(table_exploitation("not exploitation == \"sexual\"") == "0111");
}

TEST_CASE("Expression: in and not in test membership of a list") {
  CHECK(table_exploitation(R"(exploitation in ["sexual", "domestic_servitude"])") == "1010");
  CHECK(table_exploitation(R"(exploitation not in ["sexual", "domestic_servitude"])") == "0101");
  CHECK(table_exploitation(R"(exploitation in ["labour"])") == "0100");
  CHECK(table_exploitation(R"(exploitation in ["labour", "labour"])") == "0100");
  CHECK(table_exploitation(R"(exploitation in ['sexual', "criminal",])") == "1001");
  CHECK(table_exploitation(R"(exploitation in ["sexual", "labour", "domestic_servitude", "criminal"])") == "1111");
}

TEST_CASE("Expression: enum values are matched exactly, case included") {
  const Condition c = compile("nationality != \"NA\"");
  CHECK_FALSE(c(ExprCase().set(kNationality, 0).values));
  CHECK(c(ExprCase().set(kNationality, 1).values));
  CHECK(error_of("nationality == \"na\"") ==
        "16: unknown value \"na\" for nationality; valid: NA, GB, VN, AL, C\xC3\xB4te d'Ivoire");
}

TEST_CASE("Expression: enums with more than 64 values work the same") {
  const Condition in = compile(R"(region in ["r0", "r63", "r64", "r99"])");
  const Condition ne = compile(R"(region != "r70")");
  for (std::uint32_t v = 0; v < 100; ++v) {
    CAPTURE(v);
    CHECK(in(ExprCase().set(kRegion, v).values) == (v == 0 || v == 63 || v == 64 || v == 99));
    CHECK(ne(ExprCase().set(kRegion, v).values) == (v != 70));
  }
}

TEST_CASE("Expression: a value out of an attribute's range matches no value") {
  for (const std::uint32_t bad : {2u, 64u, 100u, 0xFFFFFFFFu}) {
    CAPTURE(bad);
    CHECK_FALSE(compile("child")(ExprCase().set(kChild, bad).values));
    CHECK(compile("not child")(ExprCase().set(kChild, bad).values));
    CHECK_FALSE(compile("exploitation == \"sexual\"")(ExprCase().set(kExploitation, bad).values));
    CHECK(compile("exploitation != \"sexual\"")(ExprCase().set(kExploitation, bad).values));
    CHECK_FALSE(compile("region in [\"r1\", \"r99\"]")(ExprCase().set(kRegion, bad).values));
    CHECK(compile("region not in [\"r1\"]")(ExprCase().set(kRegion, bad).values));
  }
}

TEST_CASE("Expression: enums of exactly 64 and 128 values reject values just past the end") {
  AttributeSchema wide{{{"e64", {}}, {"e128", {}}}};
  for (int i = 0; i < 128; ++i) {
    if (i < 64) wide.attributes[0].values.push_back("v" + std::to_string(i));
    wide.attributes[1].values.push_back("v" + std::to_string(i));
  }
  const Condition c64 = compile_condition("e64 in ['v0', 'v63']", wide);
  const Condition c128 = compile_condition("e128 in ['v0', 'v64', 'v127']", wide);
  const auto at = [](std::uint32_t a, std::uint32_t b) { return std::vector<std::uint32_t>{a, b}; };
  CHECK(c64(at(0, 0)));
  CHECK(c64(at(63, 0)));
  CHECK_FALSE(c64(at(64, 0)));
  CHECK_FALSE(c64(at(128, 0)));
  CHECK(c128(at(0, 127)));
  CHECK(c128(at(0, 64)));
  CHECK_FALSE(c128(at(0, 63)));
  CHECK_FALSE(c128(at(0, 128)));
  CHECK_FALSE(c128(at(0, 0xFFFFFFFFu)));
}

TEST_CASE("Expression: whitespace, tabs and newlines separate tokens anywhere") {
  CHECK(table2("  child\tand\n  foreign  ", kChild, kForeign) == "0001");
  CHECK(table2("(child)and(foreign)", kChild, kForeign) == "0001");
  CHECK(table_exploitation("exploitation==\"labour\"") == "0100");
}

// ---------------------------------------------------------------------------------------------
// The compiled object

TEST_CASE("Condition: always and a default-constructed condition hold for every case") {
  const std::vector<std::uint32_t> none;
  CHECK(Condition::always()(none));
  CHECK(Condition()(none));
  CHECK(Condition::always().text().empty());
  CHECK(Condition::always().attributes_used().empty());
  CHECK(Condition::always().constant() == std::optional<bool>(true));
  CHECK(Condition::always().test_count() == 0);
}

TEST_CASE("Condition: text is kept exactly as given") {
  CHECK(compile("  child and foreign ").text() == "  child and foreign ");
}

TEST_CASE("Condition: attributes_used lists each attribute named, sorted") {
  CHECK(compile("needs.shelter or child and (child or exploitation == 'labour')").attributes_used() ==
        std::vector<std::uint32_t>{kChild, kExploitation, kShelter});
  CHECK(compile("false and foreign").attributes_used() == std::vector<std::uint32_t>{kForeign});
  CHECK(compile("true").attributes_used().empty());
}

TEST_CASE("Condition: constants are folded and parts that cannot matter are dropped") {
  CHECK(compile("true").constant() == std::optional<bool>(true));
  CHECK(compile("not true").constant() == std::optional<bool>(false));
  CHECK(compile("child and false").constant() == std::optional<bool>(false));
  CHECK(compile("(child or foreign) and false").constant() == std::optional<bool>(false));
  CHECK(compile("false and child").test_count() == 0);
  CHECK(compile("(true or child) and foreign").test_count() == 1);
  CHECK(compile("child").constant() == std::nullopt);
  CHECK(compile("child or not child").constant() == std::nullopt);  // tautologies are not detected
  CHECK(compile("child and foreign or presumed and not identified").test_count() == 4);
}

TEST_CASE("Condition: copies share the program and outlive the original") {
  Condition copy;
  {
    const Condition original = compile("child and exploitation in ['labour', 'criminal']");
    copy = original;
  }
  CHECK(copy.text() == "child and exploitation in ['labour', 'criminal']");
  CHECK(copy(ExprCase().set(kChild, 1).set(kExploitation, kCriminal).values));
  CHECK_FALSE(copy(ExprCase().set(kChild, 1).set(kExploitation, kSexual).values));
}

// ---------------------------------------------------------------------------------------------
// Errors: exact message and 1-based column

TEST_CASE("Expression errors: empty expression") {
  CHECK(error_of("") == "1: empty expression; to always apply, leave the condition out");
  CHECK(error_of("  \t ") == "1: empty expression; to always apply, leave the condition out");
}

TEST_CASE("Expression errors: unknown attribute lists the known ones") {
  CHECK(error_of("chlid") ==
        "1: unknown attribute 'chlid'; known: child, adult, foreign, presumed, identified, exploitation, "
        "nationality, needs.shelter, region");
  CHECK(error_of("child and needs.shelters") ==
        "11: unknown attribute 'needs.shelters'; known: child, adult, foreign, presumed, identified, "
        "exploitation, nationality, needs.shelter, region");
}

TEST_CASE("Expression errors: a boolean cannot be compared") {
  CHECK(error_of("child == \"yes\"") ==
        "7: child is true/false and cannot be compared with '=='; write child or "
        "not child");
  CHECK(error_of("foreign != 'x'") ==
        "9: foreign is true/false and cannot be compared with '!='; write foreign or "
        "not foreign");
  CHECK(error_of("child in [\"a\"]") ==
        "7: child is true/false and cannot be used with 'in'; write child or not "
        "child");
  CHECK(error_of("child not in [\"a\"]") ==
        "7: child is true/false and cannot be used with 'not in'; write child or "
        "not child");
}

TEST_CASE("Expression errors: an enum used as a boolean") {
  CHECK(error_of("exploitation") == "1: exploitation is not true/false; compare it, e.g. exploitation == \"sexual\"");
  CHECK(error_of("child and not nationality") ==
        "15: nationality is not true/false; compare it, e.g. nationality == \"NA\"");
  CHECK(error_of("exploitation not labour") ==
        "1: exploitation is not true/false; compare it, e.g. exploitation == \"sexual\"");
}

TEST_CASE("Expression errors: an unknown enum value lists the valid ones") {
  CHECK(error_of("exploitation == \"labor\"") ==
        "17: unknown value \"labor\" for exploitation; valid: sexual, labour, domestic_servitude, criminal");
  CHECK(error_of("exploitation in ['sexual', 'domestic']") ==
        "28: unknown value 'domestic' for exploitation; valid: sexual, labour, domestic_servitude, criminal");
}

TEST_CASE("Expression errors: values must be quoted") {
  CHECK(error_of("exploitation == labour") == "17: expected a quoted value after '==', got 'labour'; write \"labour\"");
  CHECK(error_of("exploitation != ") == "17: expected a quoted value after '!=', got end of expression");
  CHECK(error_of("exploitation == (") == "17: expected a quoted value after '==', got '('");
  CHECK(error_of("nationality == 12") == "16: unexpected '12'; values are quoted, e.g. \"12\"");
}

TEST_CASE("Expression errors: malformed lists") {
  CHECK(error_of("exploitation in \"labour\"") ==
        "17: expected a list such as [\"sexual\", \"labour\"] after 'in', got the value \"labour\"");
  CHECK(error_of("exploitation not in") ==
        "20: expected a list such as [\"sexual\", \"labour\"] after 'not in', got end of expression");
  CHECK(error_of("exploitation in []") == "17: empty list; list at least one value");
  CHECK(error_of("exploitation in [\"sexual\"") == "26: missing ']' to close the '[' at column 17");
  CHECK(error_of("exploitation in [\"sexual\",") == "27: missing ']' to close the '[' at column 17");
  CHECK(error_of("exploitation in [") == "18: missing ']' to close the '[' at column 17");
  CHECK(error_of("exploitation in [\"sexual\" \"labour\"]") ==
        "27: expected ',' or ']' in the list, got the value "
        "\"labour\"");
  CHECK(error_of("exploitation in [sexual]") ==
        "18: expected a quoted value in the list, got 'sexual'; write "
        "\"sexual\"");
  CHECK(error_of("exploitation in [,]") == "18: expected a quoted value in the list, got ','");
}

TEST_CASE("Expression errors: unbalanced parentheses") {
  CHECK(error_of("(child and foreign") == "19: missing ')' to close the '(' at column 1");
  CHECK(error_of("child and ((foreign)") == "21: missing ')' to close the '(' at column 11");
  CHECK(error_of("child)") == "6: unmatched ')'");
  CHECK(error_of("(child foreign)") == "8: unexpected 'foreign'; expected ')', 'and' or 'or'");
  CHECK(error_of("()") == "2: expected a condition after '(', got ')'");
}

TEST_CASE("Expression errors: text after a complete condition") {
  CHECK(error_of("child foreign") == "7: unexpected 'foreign'; conditions are joined with 'and' or 'or'");
  CHECK(error_of("child not foreign") == "7: unexpected 'not'; conditions are joined with 'and' or 'or'");
  CHECK(error_of("true \"x\"") == "6: unexpected the value \"x\"; conditions are joined with 'and' or 'or'");
  CHECK(error_of("exploitation == 'labour' == 'sexual'") ==
        "26: unexpected '=='; conditions are joined with 'and' or 'or'");
  CHECK(error_of("child (foreign)") == "7: unexpected '('; conditions are joined with 'and' or 'or'");
}

TEST_CASE("Expression errors: a missing operand") {
  CHECK(error_of("child and") == "10: expected a condition after 'and', got end of expression");
  CHECK(error_of("child or or foreign") == "10: expected a condition after 'or', got 'or'");
  CHECK(error_of("not") == "4: expected a condition after 'not', got end of expression");
  CHECK(error_of("and child") == "1: expected a condition, got 'and'");
  CHECK(error_of("in") == "1: expected a condition, got 'in'");
  CHECK(error_of("\"labour\"") == "1: expected a condition, got the value \"labour\"");
  CHECK(error_of("== \"labour\"") == "1: expected a condition, got '=='");
}

TEST_CASE("Expression errors: unterminated string") {
  CHECK(error_of("exploitation == \"labour") == "17: unterminated string; add the closing \"");
  CHECK(error_of("exploitation == 'labour\"") == "17: unterminated string; add the closing '");
}

TEST_CASE("Expression errors: C operators name the keyword to write") {
  CHECK(error_of("child && foreign") == "7: '&&' is not supported; write 'and'");
  CHECK(error_of("child || foreign") == "7: '||' is not supported; write 'or'");
  CHECK(error_of("child & foreign") == "7: '&' is not supported; write 'and'");
  CHECK(error_of("!child") == "1: '!' is not supported; write 'not'");
  CHECK(error_of("exploitation = \"labour\"") == "14: '=' is not a comparison; write '=='");
  CHECK(error_of("nationality > \"GB\"") == "13: '>' is not supported; compare values with ==, != or in");
}

TEST_CASE("Expression errors: names and keywords are lower case") {
  CHECK(error_of("Child") == "1: 'Child' is not lower case; write 'child'");
  CHECK(error_of("child AND foreign") == "7: 'AND' is not lower case; write 'and'");
}

TEST_CASE("Expression errors: stray characters") {
  CHECK(error_of("child; foreign") == "6: unexpected character ';'");
  CHECK(error_of("child\x01") == "6: unexpected control character 0x01");
  CHECK(error_of("child and \xC3\xA9tranger") == "11: unexpected character '\xC3\xA9'");
}

TEST_CASE("Expression errors: the first problem from the left is reported") {
  CHECK(error_of("chlid and \"unterminated") ==
        "1: unknown attribute 'chlid'; known: child, adult, foreign, presumed, identified, exploitation, "
        "nationality, needs.shelter, region");
  CHECK(error_of("child) && foreign") == "6: unmatched ')'");
}

TEST_CASE("Expression errors: columns count characters, not bytes") {
  // "Côte d'Ivoire" is 13 characters in 14 bytes.
  CHECK(error_of("nationality == \"C\xC3\xB4te d'Ivoire\" or chlid").substr(0, 31) ==
        "35: unknown attribute 'chlid'; ");
  CHECK(error_of("nationality in [\"C\xC3\xB4te d'Ivoire\", \"C\xC3\xB4te\"]") ==
        "34: unknown value \"C\xC3\xB4te\" for nationality; valid: NA, GB, VN, AL, C\xC3\xB4te d'Ivoire");
  CHECK(error_of("nationality != 'GB'\nor\nchlid").substr(0, 3) == "24:");  // a newline is one character
}

TEST_CASE("Expression errors: nesting deeper than 100 levels") {
  CHECK(error_of(std::string(100, '(') + "child" + std::string(100, ')')).empty());
  CHECK(error_of(std::string(101, '(') + "child" + std::string(101, ')')) ==
        "101: too deeply nested: more than 100 levels of '(' and 'not'");
  std::string nots;
  for (int i = 0; i < 101; ++i) nots += "not ";
  CHECK(error_of(nots + "child") == "401: too deeply nested: more than 100 levels of '(' and 'not'");
}

TEST_CASE("Expression errors: more than 1000 terms in one condition") {
  // Issue 18: a 200,000-term condition took 38 s to run.
  std::string ok = "child";
  for (int i = 1; i < 1000; ++i) ok += " or child";
  CHECK(error_of(ok).empty());
  const std::string over = ok + " or foreign";
  CHECK(error_of(over) == std::to_string(ok.size() + 5) +
                              ": more than 1000 terms in one condition; a rule's condition names a few attributes "
                              "(use `in [...]` for several values of one, or split the rule)");
}

TEST_CASE("AttributeSchema: validate rejects names and values no expression could use") {
  const auto error = [](AttributeSchema s) -> std::string {
    try {
      s.validate();
    } catch (const std::invalid_argument& e) {
      return e.what();
    }
    return "";
  };
  CHECK(error(schema()).empty());
  CHECK(error({{{"Child", {}}}}) ==
        "attribute 'Child': the name must be lower-case letters, digits, '_' and '.', starting with a letter or '_'");
  CHECK(error({{{"2nd", {}}}}) ==
        "attribute '2nd': the name must be lower-case letters, digits, '_' and '.', starting with a letter or '_'");
  CHECK(error({{{"", {}}}}) ==
        "attribute '': the name must be lower-case letters, digits, '_' and '.', starting with a letter or '_'");
  CHECK(error({{{"in", {}}}}) == "attribute 'in': the name is a reserved word");
  CHECK(error({{{"child", {}}, {"child", {"a"}}}}) == "attribute 'child': declared twice");
  CHECK(error({{{"sex", {"f", "m", "f"}}}}) == "attribute 'sex': value \"f\" is listed twice");
  CHECK(error({{{"q", {"it's \"x\""}}}}) ==
        "attribute 'q': value it's \"x\" contains both ' and \", so no expression can name it");
}

// ---------------------------------------------------------------------------------------------
// Agreement with a plain reading, on every case

namespace {

// A small schema whose every combination of values can be enumerated: 2 * 2 * 2 * 3 * 70 cases.
const AttributeSchema& small_schema() {
  static const AttributeSchema s = [] {
    AttributeSchema r{{{"a", {}}, {"b", {}}, {"c", {}}, {"e", {"x", "y", "z"}}, {"w", {}}}};
    for (int i = 0; i < 70; ++i) r.attributes[4].values.push_back("w" + std::to_string(i));
    return r;
  }();
  return s;
}

template <typename F>
void for_each_case(F&& f) {
  std::array<std::uint32_t, 5> v{};
  for (v[0] = 0; v[0] < 2; ++v[0])
    for (v[1] = 0; v[1] < 2; ++v[1])
      for (v[2] = 0; v[2] < 2; ++v[2])
        for (v[3] = 0; v[3] < 3; ++v[3])
          for (v[4] = 0; v[4] < 70; ++v[4]) f(v);
}

// Random expressions, printed with only the parentheses precedence needs (plus some extra), and
// evaluated directly on the tree.
struct RandomExpression {
  enum class Kind { attr, eq, ne, in, not_in, constant, negate, all, any };
  Kind kind;
  std::uint32_t attribute = 0;        // a, b, c (booleans); 3 = e, 4 = w (enums)
  std::vector<std::uint32_t> values;  // eq/ne: one; in/not_in: one or more
  bool value = false;
  std::vector<RandomExpression> kids;
  bool extra_parens = false;

  int precedence() const {
    if (extra_parens) return 4;
    switch (kind) {
      case Kind::any: return 1;
      case Kind::all: return 2;
      case Kind::negate: return 3;
      default: return 4;
    }
  }

  std::string value_text(std::uint32_t v) const { return "'" + small_schema().attributes[attribute].values[v] + "'"; }

  std::string text() const {
    std::string s = body();
    return extra_parens ? "(" + s + ")" : s;
  }

  std::string body() const {
    const std::string name = small_schema().attributes[attribute].name;
    switch (kind) {
      case Kind::attr: return name;
      case Kind::eq: return name + " == " + value_text(values[0]);
      case Kind::ne: return name + " != " + value_text(values[0]);
      case Kind::in:
      case Kind::not_in: {
        std::string s = name + (kind == Kind::in ? " in [" : " not in [");
        for (std::size_t i = 0; i < values.size(); ++i) s += (i ? ", " : "") + value_text(values[i]);
        return s + "]";
      }
      case Kind::constant: return value ? "true" : "false";
      case Kind::negate: return "not " + wrap(kids[0], 3);
      case Kind::all:
      case Kind::any: {
        std::string s;
        for (const auto& k : kids) {
          if (!s.empty()) s += kind == Kind::all ? " and " : " or ";
          s += wrap(k, kind == Kind::all ? 3 : 2);
        }
        return s;
      }
    }
    return {};
  }

  static std::string wrap(const RandomExpression& e, int at_least) {
    return e.precedence() >= at_least ? e.text() : "(" + e.text() + ")";
  }

  bool eval(const std::array<std::uint32_t, 5>& v) const {
    const auto member = [&] {
      for (const auto x : values)
        if (v[attribute] == x) return true;
      return false;
    };
    switch (kind) {
      case Kind::attr: return v[attribute] == 1;
      case Kind::eq:
      case Kind::in: return member();
      case Kind::ne:
      case Kind::not_in: return !member();
      case Kind::constant: return value;
      case Kind::negate: return !kids[0].eval(v);
      case Kind::all:
        for (const auto& k : kids)
          if (!k.eval(v)) return false;
        return true;
      case Kind::any:
        for (const auto& k : kids)
          if (k.eval(v)) return true;
        return false;
    }
    return false;
  }
};

// A fixed pseudo-random sequence (SplitMix64), so failures reproduce.
struct SplitMix {
  std::uint64_t state;
  std::uint32_t below(std::uint32_t n) {
    std::uint64_t z = (state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return static_cast<std::uint32_t>((z ^ (z >> 31)) % n);
  }
};

RandomExpression random_expression(SplitMix& rng, int depth) {
  using K = RandomExpression::Kind;
  RandomExpression e{};
  const std::uint32_t pick = rng.below(depth > 0 ? 9 : 6);
  if (pick < 6) {
    e.kind = std::array{K::attr, K::eq, K::ne, K::in, K::not_in, K::constant}[pick];
    if (e.kind == K::attr) e.attribute = rng.below(3);
    if (e.kind == K::constant) e.value = rng.below(2) == 1;
    if (e.kind != K::attr && e.kind != K::constant) {
      e.attribute = 3 + rng.below(2);
      const std::uint32_t n = small_schema().attributes[e.attribute].value_count();
      const std::uint32_t count = e.kind == K::eq || e.kind == K::ne ? 1 : 1 + rng.below(4);
      for (std::uint32_t i = 0; i < count; ++i) e.values.push_back(rng.below(n));
    }
  } else {
    e.kind = std::array{K::negate, K::all, K::any}[pick - 6];
    const std::uint32_t kids = e.kind == K::negate ? 1 : 2 + rng.below(3);
    for (std::uint32_t i = 0; i < kids; ++i) e.kids.push_back(random_expression(rng, depth - 1));
  }
  e.extra_parens = rng.below(8) == 0;
  return e;
}

}  // namespace

TEST_CASE("Expression: compiled conditions agree with a hand-written reading on every case") {
  using V = std::array<std::uint32_t, 5>;
  const std::vector<std::pair<std::string, std::function<bool(const V&)>>> cases = {
      {"a", [](const V& v) { return v[0] == 1; }},
      {"a and b or c", [](const V& v) { return (v[0] && v[1]) || v[2]; }},
      {"a or b and c", [](const V& v) { return v[0] || (v[1] && v[2]); }},
      {"not a and not b or c", [](const V& v) { return (!v[0] && !v[1]) || v[2]; }},
      {"not (a or b) and c", [](const V& v) { return !(v[0] || v[1]) && v[2]; }},
      {"a and e == 'y'", [](const V& v) { return v[0] && v[3] == 1; }},
      {"e != 'x' or not b", [](const V& v) { return v[3] != 0 || !v[1]; }},
      {"e in ['x', 'z'] and w not in ['w0', 'w64', 'w69']",
       [](const V& v) { return (v[3] == 0 || v[3] == 2) && v[4] != 0 && v[4] != 64 && v[4] != 69; }},
      {"(a or e == 'z') and (b or w in ['w3', 'w65']) or c and not a",
       [](const V& v) { return ((v[0] || v[3] == 2) && (v[1] || v[4] == 3 || v[4] == 65)) || (v[2] && !v[0]); }},
      {"not not not a or false", [](const V& v) { return !v[0]; }},
      {"true and (a or true) and b", [](const V& v) { return v[1] == 1; }},
  };
  for (const auto& [text, reference] : cases) {
    CAPTURE(text);
    const Condition c = compile_condition(text, small_schema());
    std::size_t mismatches = 0;
    for_each_case([&](const V& v) { mismatches += c(v) != reference(v) ? 1 : 0; });
    CHECK(mismatches == 0);
  }
}

TEST_CASE("Expression: random expressions agree with direct evaluation of their tree on every case") {
  SplitMix rng{20240601};
  for (int i = 0; i < 300; ++i) {
    const RandomExpression e = random_expression(rng, 4);
    const std::string text = e.text();
    CAPTURE(text);
    const Condition c = compile_condition(text, small_schema());
    std::size_t mismatches = 0;
    for_each_case([&](const std::array<std::uint32_t, 5>& v) { mismatches += c(v) != e.eval(v) ? 1 : 0; });
    REQUIRE(mismatches == 0);
  }
}
