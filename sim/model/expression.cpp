#include "sim/model/expression.hpp"

#include <algorithm>
#include <set>
#include <utility>

namespace refsim {

struct Condition::Program {
  std::string text;
  std::vector<Test> code;
  std::vector<std::uint64_t> words;
  std::vector<std::uint32_t> attributes_used;
};

namespace {

constexpr std::uint32_t kMaxDepth = 100;
/// Tests (attribute names and constants) in one condition: a rule names a few attributes; a
/// condition of 200,000 terms took 38 s to run (every case evaluates it at every rule).
constexpr std::uint32_t kMaxTerms = 1000;

bool is_keyword(std::string_view s) {
  return s == "and" || s == "or" || s == "not" || s == "in" || s == "true" || s == "false";
}
bool is_lower_start(char c) { return (c >= 'a' && c <= 'z') || c == '_'; }
bool is_lower_char(char c) { return is_lower_start(c) || (c >= '0' && c <= '9') || c == '.'; }
bool is_name_start(char c) { return is_lower_start(c) || (c >= 'A' && c <= 'Z'); }
bool is_name_char(char c) { return is_lower_char(c) || (c >= 'A' && c <= 'Z'); }
bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

bool is_valid_name(std::string_view s) {
  if (s.empty() || !is_lower_start(s.front())) return false;
  return std::all_of(s.begin(), s.end(), is_lower_char);
}

std::string lower_case(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return out;
}

// ---------------------------------------------------------------------------------------------
// Lexer. Produces every token up to the end, or up to and including the first lexical error, which
// becomes an error token: the parser reports it only when it gets there, so that the first problem
// from the left is the one reported.

enum class Tok : std::uint8_t { name, string, lparen, rparen, lbracket, rbracket, comma, eq, ne, end, error };

struct Token {
  Tok kind = Tok::end;
  std::size_t offset = 0;  // bytes from the start of the text
  std::string_view raw;    // as written (a string with its quotes)
  std::string_view value;  // a string's contents
  std::string error;       // the message of an error token
};

std::vector<Token> lex(std::string_view s) {
  std::vector<Token> out;
  std::size_t i = 0;
  const auto emit = [&](Tok kind, std::size_t begin, std::size_t end) {
    out.push_back({kind, begin, s.substr(begin, end - begin), {}, {}});
    i = end;
  };
  const auto fail = [&](std::size_t begin, std::string message) {
    out.push_back({Tok::error, begin, {}, {}, std::move(message)});
  };
  for (;;) {
    while (i < s.size() && is_space(s[i])) ++i;
    const std::size_t b = i;
    if (i == s.size()) {
      emit(Tok::end, b, b);
      return out;
    }
    const char c = s[i];
    const char next = i + 1 < s.size() ? s[i + 1] : '\0';
    if (is_name_start(c)) {
      std::size_t e = i + 1;
      while (e < s.size() && is_name_char(s[e])) ++e;
      const std::string_view name = s.substr(b, e - b);
      if (!is_valid_name(name)) {
        fail(b, "'" + std::string(name) + "' is not lower case; write '" + lower_case(name) + "'");
        return out;
      }
      emit(Tok::name, b, e);
    } else if (is_digit(c)) {
      std::size_t e = i + 1;
      while (e < s.size() && (is_name_char(s[e]))) ++e;
      const std::string number(s.substr(b, e - b));
      fail(b, "unexpected '" + number + "'; values are quoted, e.g. \"" + number + "\"");
      return out;
    } else if (c == '"' || c == '\'') {
      const std::size_t close = s.find(c, i + 1);
      if (close == std::string_view::npos) {
        fail(b, std::string("unterminated string; add the closing ") + c);
        return out;
      }
      emit(Tok::string, b, close + 1);
      out.back().value = s.substr(b + 1, close - b - 1);
    } else if (c == '(') {
      emit(Tok::lparen, b, b + 1);
    } else if (c == ')') {
      emit(Tok::rparen, b, b + 1);
    } else if (c == '[') {
      emit(Tok::lbracket, b, b + 1);
    } else if (c == ']') {
      emit(Tok::rbracket, b, b + 1);
    } else if (c == ',') {
      emit(Tok::comma, b, b + 1);
    } else if (c == '=' && next == '=') {
      emit(Tok::eq, b, b + 2);
    } else if (c == '!' && next == '=') {
      emit(Tok::ne, b, b + 2);
    } else if (c == '=') {
      fail(b, "'=' is not a comparison; write '=='");
      return out;
    } else if (c == '!') {
      fail(b, "'!' is not supported; write 'not'");
      return out;
    } else if (c == '&' || c == '|') {
      const std::string op = next == c ? std::string(2, c) : std::string(1, c);
      fail(b, "'" + op + "' is not supported; write '" + (c == '&' ? "and" : "or") + "'");
      return out;
    } else if (c == '<' || c == '>') {
      fail(b, std::string("'") + c + "' is not supported; compare values with ==, != or in");
      return out;
    } else {
      const auto u = static_cast<unsigned char>(c);
      if (u < 0x20 || u == 0x7f) {
        static const char* const kHex = "0123456789abcdef";
        fail(b, std::string("unexpected control character 0x") + kHex[u >> 4] + kHex[u & 15]);
      } else {
        std::size_t e = i + 1;  // the whole UTF-8 sequence, to quote the character
        while (u >= 0x80 && e < s.size() && (static_cast<unsigned char>(s[e]) & 0xC0) == 0x80) ++e;
        fail(b, "unexpected character '" + std::string(s.substr(b, e - b)) + "'");
      }
      return out;
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Parser: text → a small tree, checked against the schema.

struct Node {
  enum class Kind : std::uint8_t { constant, test, all, any, negate };
  Kind kind = Kind::constant;
  bool value = false;               // constant
  bool negated = false;             // test: true when the value is NOT in the set
  std::uint32_t attribute = 0;      // test
  std::uint32_t limit = 0;          // test: the attribute's value_count()
  std::vector<std::uint64_t> set;   // test: bitset over the attribute's values
  std::vector<std::uint32_t> kids;  // all, any (n-ary), negate (one)
};

class Parser {
 public:
  Parser(std::string_view text, const AttributeSchema& schema) : text_(text), schema_(schema), tokens_(lex(text)) {}

  /// Parses the whole text; returns the root node. Throws ExpressionError.
  std::uint32_t parse() {
    if (tokens_.front().kind == Tok::end) fail(0, "empty expression; to always apply, leave the condition out");
    const std::uint32_t root = parse_or(0, {});
    const Token& t = cur();
    if (t.kind == Tok::rparen) fail(t.offset, "unmatched ')'");
    if (t.kind != Tok::end) fail(t.offset, "unexpected " + describe(t) + "; conditions are joined with 'and' or 'or'");
    return root;
  }

  std::vector<Node>& nodes() { return nodes_; }
  std::vector<std::uint32_t>& used() { return used_; }

 private:
  [[noreturn]] void fail(std::size_t offset, const std::string& message) const {
    throw ExpressionError(column(offset), message);
  }
  /// The 1-based column of byte `offset`, in code points: bytes that do not continue a UTF-8 sequence.
  std::uint32_t column(std::size_t offset) const {
    std::uint32_t c = 1;
    for (std::size_t k = 0; k < offset && k < text_.size(); ++k)
      if ((static_cast<unsigned char>(text_[k]) & 0xC0) != 0x80) ++c;
    return c;
  }

  /// The current token; reaching a lexical error reports it.
  const Token& cur() const {
    const Token& t = tokens_[pos_];
    if (t.kind == Tok::error) fail(t.offset, t.error);
    return t;
  }
  void advance() { ++pos_; }
  bool at_keyword(std::string_view keyword) const {
    const Token& t = cur();
    return t.kind == Tok::name && t.raw == keyword;
  }
  static std::string describe(const Token& t) {
    if (t.kind == Tok::end) return "end of expression";
    if (t.kind == Tok::string) return "the value " + std::string(t.raw);
    return "'" + std::string(t.raw) + "'";
  }

  std::uint32_t add(Node n) {
    nodes_.push_back(std::move(n));
    return static_cast<std::uint32_t>(nodes_.size() - 1);
  }

  std::uint32_t parse_or(std::uint32_t depth, std::string_view after) {
    const std::uint32_t first = parse_and(depth, after);
    if (!at_keyword("or")) return first;
    Node any{Node::Kind::any, {}, {}, {}, {}, {}, {first}};
    while (at_keyword("or")) {
      advance();
      any.kids.push_back(parse_and(depth, "or"));
    }
    return add(std::move(any));
  }

  std::uint32_t parse_and(std::uint32_t depth, std::string_view after) {
    const std::uint32_t first = parse_unary(depth, after);
    if (!at_keyword("and")) return first;
    Node all{Node::Kind::all, {}, {}, {}, {}, {}, {first}};
    while (at_keyword("and")) {
      advance();
      all.kids.push_back(parse_unary(depth, "and"));
    }
    return add(std::move(all));
  }

  std::uint32_t parse_unary(std::uint32_t depth, std::string_view after) {
    if (!at_keyword("not")) return parse_primary(depth, after);
    if (depth >= kMaxDepth) fail(cur().offset, "too deeply nested: more than 100 levels of '(' and 'not'");
    advance();
    const std::uint32_t kid = parse_unary(depth + 1, "not");
    return add({Node::Kind::negate, {}, {}, {}, {}, {}, {kid}});
  }

  [[noreturn]] void expected_condition(const Token& t, std::string_view after) const {
    fail(t.offset, "expected a condition" + (after.empty() ? std::string() : " after '" + std::string(after) + "'") +
                       ", got " + describe(t));
  }

  std::uint32_t parse_primary(std::uint32_t depth, std::string_view after) {
    const Token& t = cur();
    if (t.kind == Tok::lparen) {
      if (depth >= kMaxDepth) fail(t.offset, "too deeply nested: more than 100 levels of '(' and 'not'");
      advance();
      const std::uint32_t inner = parse_or(depth + 1, "(");
      const Token& close = cur();
      if (close.kind == Tok::rparen) {
        advance();
        return inner;
      }
      if (close.kind == Tok::end)
        fail(close.offset, "missing ')' to close the '(' at column " + std::to_string(column(t.offset)));
      fail(close.offset, "unexpected " + describe(close) + "; expected ')', 'and' or 'or'");
    }
    if (t.kind != Tok::name) expected_condition(t, after);
    if (++terms_ > kMaxTerms) {
      fail(t.offset, "more than " + std::to_string(kMaxTerms) +
                         " terms in one condition; a rule's condition names a few attributes (use `in [...]` for "
                         "several values of one, or split the rule)");
    }
    if (t.raw == "true" || t.raw == "false") {
      advance();
      return add({Node::Kind::constant, t.raw == "true", {}, {}, {}, {}, {}});
    }
    if (is_keyword(t.raw)) expected_condition(t, after);
    return parse_attribute(t);
  }

  std::uint32_t parse_attribute(const Token& name) {
    const auto index = schema_.find(name.raw);
    if (!index) fail(name.offset, "unknown attribute '" + std::string(name.raw) + "'; known: " + schema_.name_list());
    const AttributeSchema::Attribute& a = schema_.attributes[*index];
    used_.push_back(*index);
    advance();

    Node test{Node::Kind::test, {}, {}, *index, a.value_count(), {}, {}};
    test.set.assign((test.limit + 63) / 64, 0);
    const Token& op = cur();
    const bool not_in = at_keyword("not") && tokens_[pos_ + 1].kind == Tok::name && tokens_[pos_ + 1].raw == "in";
    const std::string op_text = not_in ? "not in" : std::string(op.raw);
    const bool compare = op.kind == Tok::eq || op.kind == Tok::ne;
    const bool member = not_in || at_keyword("in");

    if (a.boolean()) {
      if (compare || member) {
        fail(op.offset, a.name + " is true/false and cannot be " +
                            (compare ? "compared with '" + op_text + "'" : "used with '" + op_text + "'") + "; write " +
                            a.name + " or not " + a.name);
      }
      test.set[0] = 2;  // the value 1
      return add(std::move(test));
    }
    if (!compare && !member) {
      fail(name.offset, a.name + " is not true/false; compare it, e.g. " + a.name + " == \"" + a.values.front() + "\"");
    }
    advance();
    if (not_in) advance();
    test.negated = op.kind == Tok::ne || not_in;
    if (compare) {
      add_value(a, test, "after '" + op_text + "'");
    } else {
      parse_list(a, test, op_text);
    }
    return add(std::move(test));
  }

  // A quoted value of `a`, added to the test's set; `where` completes "expected a quoted value …".
  void add_value(const AttributeSchema::Attribute& a, Node& test, const std::string& where) {
    const Token& v = cur();
    if (v.kind != Tok::string) {
      std::string hint;
      if (v.kind == Tok::name) hint = "; write \"" + std::string(v.raw) + "\"";
      fail(v.offset, "expected a quoted value " + where + ", got " + describe(v) + hint);
    }
    const auto index = a.find_value(v.value);
    if (!index) fail(v.offset, "unknown value " + std::string(v.raw) + " for " + a.name + "; valid: " + a.value_list());
    test.set[*index / 64] |= std::uint64_t{1} << (*index % 64);
    advance();
  }

  void parse_list(const AttributeSchema::Attribute& a, Node& test, const std::string& op_text) {
    const Token& open = cur();
    if (open.kind != Tok::lbracket) {
      std::string example = "[\"" + a.values[0] + "\"";
      if (a.values.size() > 1) example += ", \"" + a.values[1] + "\"";
      example += "]";
      fail(open.offset, "expected a list such as " + example + " after '" + op_text + "', got " + describe(open));
    }
    const std::size_t open_offset = open.offset;
    advance();
    if (cur().kind == Tok::rbracket) fail(open_offset, "empty list; list at least one value");
    const auto missing_close = [&](const Token& t) {
      fail(t.offset, "missing ']' to close the '[' at column " + std::to_string(column(open_offset)));
    };
    for (;;) {
      if (cur().kind == Tok::end) missing_close(cur());
      add_value(a, test, "in the list");
      const Token& sep = cur();
      if (sep.kind == Tok::rbracket) break;
      if (sep.kind == Tok::end) missing_close(sep);
      if (sep.kind != Tok::comma) fail(sep.offset, "expected ',' or ']' in the list, got " + describe(sep));
      advance();
      if (cur().kind == Tok::rbracket) break;  // a trailing comma
    }
    advance();
  }

  std::string_view text_;
  const AttributeSchema& schema_;
  std::vector<Token> tokens_;
  std::size_t pos_ = 0;
  std::vector<Node> nodes_;
  std::vector<std::uint32_t> used_;
  std::uint32_t terms_ = 0;  // names and constants so far (kMaxTerms)
};

}  // namespace

// ---------------------------------------------------------------------------------------------
// Schema

std::uint32_t AttributeSchema::Attribute::value_count() const {
  return boolean() ? 2u : static_cast<std::uint32_t>(values.size());
}

std::optional<std::uint32_t> AttributeSchema::Attribute::find_value(std::string_view value) const {
  for (std::size_t i = 0; i < values.size(); ++i)
    if (values[i] == value) return static_cast<std::uint32_t>(i);
  return std::nullopt;
}

std::string AttributeSchema::Attribute::value_list() const {
  std::string out;
  for (const auto& v : values) {
    if (!out.empty()) out += ", ";
    out += v;
  }
  return out;
}

std::optional<std::uint32_t> AttributeSchema::find(std::string_view name) const {
  for (std::size_t i = 0; i < attributes.size(); ++i)
    if (attributes[i].name == name) return static_cast<std::uint32_t>(i);
  return std::nullopt;
}

std::string AttributeSchema::name_list() const {
  std::string out;
  for (const auto& a : attributes) {
    if (!out.empty()) out += ", ";
    out += a.name;
  }
  return out;
}

void AttributeSchema::validate() const {
  std::set<std::string_view> names;
  for (const auto& a : attributes) {
    const std::string where = "attribute '" + a.name + "': ";
    if (!is_valid_name(a.name))
      throw std::invalid_argument(where +
                                  "the name must be lower-case letters, digits, '_' and '.', starting with a letter "
                                  "or '_'");
    if (is_keyword(a.name)) throw std::invalid_argument(where + "the name is a reserved word");
    if (!names.insert(a.name).second) throw std::invalid_argument(where + "declared twice");
    if (a.values.size() >= 0xFFFFFFFFu) throw std::invalid_argument(where + "too many values");
    std::set<std::string_view> values;
    for (const auto& v : a.values) {
      if (!values.insert(v).second) throw std::invalid_argument(where + "value \"" + v + "\" is listed twice");
      if (v.find('"') != std::string::npos && v.find('\'') != std::string::npos)
        throw std::invalid_argument(where + "value " + v + " contains both ' and \", so no expression can name it");
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Condition

namespace {

/// Lowers the tree to jumping code: emits tests for `node` so that control reaches `if_true` when it
/// holds and `if_false` otherwise; returns the entry (a test index, or a final result when the node
/// is constant). Operands are emitted before what jumps to them, so jumps point backwards here;
/// compile_condition reverses the order.
template <typename Test>
std::uint32_t lower(const std::vector<Node>& nodes, std::uint32_t at, std::uint32_t if_true, std::uint32_t if_false,
                    std::vector<Test>& code, std::vector<std::uint64_t>& words) {
  const Node& n = nodes[at];
  switch (n.kind) {
    case Node::Kind::constant: return n.value ? if_true : if_false;
    case Node::Kind::negate: return lower(nodes, n.kids[0], if_false, if_true, code, words);
    case Node::Kind::all: {
      std::uint32_t entry = if_true;
      for (auto k = n.kids.rbegin(); k != n.kids.rend(); ++k) entry = lower(nodes, *k, entry, if_false, code, words);
      return entry;
    }
    case Node::Kind::any: {
      std::uint32_t entry = if_false;
      for (auto k = n.kids.rbegin(); k != n.kids.rend(); ++k) entry = lower(nodes, *k, if_true, entry, code, words);
      return entry;
    }
    case Node::Kind::test: {
      if (if_true == if_false) return if_true;
      Test t;
      t.attribute = n.attribute;
      t.limit = n.limit;
      if (n.limit <= 64) {
        t.bits = n.set[0];
      } else {
        t.bits = words.size();
        words.insert(words.end(), n.set.begin(), n.set.end());
        if (n.limit % 64 == 0) words.push_back(0);  // bit `limit`, where larger values are clamped
      }
      t.next = n.negated ? std::array{if_true, if_false} : std::array{if_false, if_true};
      code.push_back(t);
      return static_cast<std::uint32_t>(code.size() - 1);
    }
  }
  return if_false;  // unreachable
}

}  // namespace

Condition compile_condition(std::string_view text, const AttributeSchema& schema) {
  Parser parser(text, schema);
  const std::uint32_t root = parser.parse();

  auto program = std::make_shared<Condition::Program>();
  program->text = std::string(text);
  std::vector<Condition::Test> code;
  const std::uint32_t entry = lower(parser.nodes(), root, Condition::kTrue, Condition::kFalse, code, program->words);

  // Keep the tests reachable from the entry (constants can cut some off), in reverse emission
  // order: the entry comes first and every jump goes forward.
  std::vector<bool> reachable(code.size(), false);
  if (entry < Condition::kFalse) reachable[entry] = true;
  std::vector<std::uint32_t> renumber(code.size(), 0);
  for (std::size_t i = code.size(); i-- > 0;) {
    if (!reachable[i]) continue;
    renumber[i] = static_cast<std::uint32_t>(program->code.size());
    program->code.push_back(code[i]);
    for (const std::uint32_t to : code[i].next) {
      if (to < Condition::kFalse) {
        assert(to < i);
        reachable[to] = true;
      }
    }
  }
  for (auto& t : program->code)
    for (std::uint32_t& to : t.next)
      if (to < Condition::kFalse) to = renumber[to];

  std::vector<std::uint32_t>& used = parser.used();
  std::sort(used.begin(), used.end());
  used.erase(std::unique(used.begin(), used.end()), used.end());
  program->attributes_used = std::move(used);

  Condition c;
  c.entry_ = entry < Condition::kFalse ? 0 : entry;
  c.code_ = program->code.data();
  c.words_ = program->words.data();
  c.program_ = std::move(program);
  return c;
}

const std::string& Condition::text() const {
  static const std::string kEmpty;
  return program_ ? program_->text : kEmpty;
}

const std::vector<std::uint32_t>& Condition::attributes_used() const {
  static const std::vector<std::uint32_t> kNone;
  return program_ ? program_->attributes_used : kNone;
}

std::optional<bool> Condition::constant() const {
  if (entry_ < kFalse) return std::nullopt;
  return entry_ == kTrue;
}

std::size_t Condition::test_count() const { return program_ ? program_->code.size() : 0; }

bool Condition::can_hold(std::span<const std::vector<bool>> possible) const {
  if (entry_ >= kFalse) return entry_ == kTrue;
  // The values still possible for each attribute along the current path through the tests.
  const auto& code = program_->code;
  std::uint32_t attributes = 0;
  for (const Test& t : code) attributes = std::max(attributes, t.attribute + 1);
  std::vector<std::vector<bool>> domain(attributes);
  for (const Test& t : code) {
    auto& d = domain[t.attribute];
    if (!d.empty()) continue;
    d.assign(t.limit, true);
    if (t.attribute < possible.size() && !possible[t.attribute].empty()) {
      const auto& p = possible[t.attribute];
      for (std::uint32_t v = 0; v < t.limit; ++v) d[v] = v < p.size() && p[v];
    }
  }
  const auto in_set = [this](const Test& t, std::uint32_t v) {
    const std::uint64_t word = t.limit <= 64 ? t.bits : words_[t.bits + (v >> 6)];
    return ((word >> (v & 63)) & 1) != 0;
  };
  std::size_t budget = 100000;
  bool exhausted = false;
  const auto search = [&](const auto& self, std::uint32_t at) -> bool {
    if (at >= kFalse) return at == kTrue;
    if (budget == 0) {
      exhausted = true;
      return true;
    }
    --budget;
    const Test& t = code_[at];
    std::vector<bool>& d = domain[t.attribute];
    const std::vector<bool> saved = d;
    for (const bool branch : {true, false}) {
      bool any = false;
      for (std::uint32_t v = 0; v < t.limit; ++v) {
        d[v] = saved[v] && in_set(t, v) == branch;
        any = any || d[v];
      }
      if (any && self(self, t.next[branch ? 1 : 0])) {
        d = saved;
        return true;
      }
    }
    d = saved;
    return false;
  };
  const bool found = search(search, entry_);
  return found || exhausted;
}

}  // namespace refsim
