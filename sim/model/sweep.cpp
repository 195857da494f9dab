#include "sim/model/sweep.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <memory>
#include <optional>
#include <stdexcept>
#include <unordered_set>
#include <variant>

#include "sim/model/units.hpp"

namespace refsim {

namespace {

std::string trimmed_copy(std::string_view s) { return std::string(trim_space(s)); }

/// Splits at the commas outside quotes, braces and brackets.
std::vector<std::string> split_top_level(std::string_view text) {
  std::vector<std::string> out;
  int depth = 0;
  char quote = 0;
  std::size_t start = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (quote) {
      if (c == '\\' && quote == '"' && i + 1 < text.size()) {
        ++i;
      } else if (c == quote) {
        quote = 0;
      }
    } else if (c == '"' || c == '\'') {
      quote = c;
    } else if (c == '{' || c == '[') {
      ++depth;
    } else if (c == '}' || c == ']') {
      --depth;
    } else if (c == ',' && depth == 0) {
      out.push_back(trimmed_copy(text.substr(start, i - start)));
      start = i + 1;
    }
  }
  if (quote) throw std::invalid_argument("an unterminated quote in '" + std::string(text) + "'");
  out.push_back(trimmed_copy(text.substr(start)));
  return out;
}

/// A decimal number as written: its value and its digits after the point; nothing otherwise.
std::optional<std::pair<double, int>> decimal(std::string_view s) {
  if (s.empty()) return std::nullopt;
  double v = 0;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v, std::chars_format::fixed);
  if (ec != std::errc() || end != s.data() + s.size() || !std::isfinite(v)) return std::nullopt;
  const std::size_t dot = s.find('.');
  return std::pair{v, dot == std::string_view::npos ? 0 : static_cast<int>(s.size() - dot - 1)};
}

/// The values of one range "FROM..TO:STEP", or nothing when `item` is not a range.
std::optional<std::vector<std::string>> range_values(const std::string& item) {
  const std::size_t dots = item.find("..");
  if (dots == std::string::npos || item.front() == '"' || item.front() == '\'' || item.front() == '{' ||
      item.front() == '[')
    return std::nullopt;
  const std::size_t colon = item.find(':', dots);
  const std::string from_text = trimmed_copy(item.substr(0, dots));
  const std::string to_text =
      trimmed_copy(item.substr(dots + 2, colon == std::string::npos ? std::string::npos : colon - dots - 2));
  if (colon == std::string::npos) {
    throw std::invalid_argument("the range '" + item + "' has no step: write FROM..TO:STEP, e.g. 20..60:10");
  }
  const std::string step_text = trimmed_copy(item.substr(colon + 1));
  // A common unit suffix (letters at the end of all three): 12h..48h:12h.
  const auto suffix_of = [](const std::string& s) {
    std::size_t i = s.size();
    while (i > 0 && std::isalpha(static_cast<unsigned char>(s[i - 1]))) --i;
    return s.substr(i);
  };
  const std::string unit = suffix_of(from_text);
  if (suffix_of(to_text) != unit || suffix_of(step_text) != unit) {
    throw std::invalid_argument("the range '" + item + "': FROM, TO and STEP must have the same unit (or none)");
  }
  const auto number = [&](const std::string& s, const char* what) {
    const auto d = decimal(std::string_view(s).substr(0, s.size() - unit.size()));
    if (!d) {
      throw std::invalid_argument("the range '" + item + "': " + what + " '" + s +
                                  "' is not a number; write FROM..TO:STEP, e.g. 20..60:10 or 0.5..0.9:0.1");
    }
    return *d;
  };
  const auto [from, d1] = number(from_text, "FROM");
  const auto [to, d2] = number(to_text, "TO");
  const auto [step, d3] = number(step_text, "STEP");
  if (!(step > 0)) throw std::invalid_argument("the range '" + item + "': STEP must be greater than 0");
  const int digits = std::max({d1, d2, d3});
  const double count = std::floor(std::fabs(to - from) / step * (1 + 1e-12) + 1e-9) + 1;
  if (count > static_cast<double>(kMaxSweepValues)) {
    throw std::invalid_argument("the range '" + item + "' has more than " + std::to_string(kMaxSweepValues) +
                                " values");
  }
  const double dir = to >= from ? 1 : -1;
  const double scale = std::pow(10.0, digits);
  std::vector<std::string> out;
  for (std::size_t k = 0; k < static_cast<std::size_t>(count); ++k) {
    const double v = std::round((from + dir * static_cast<double>(k) * step) * scale) / scale;
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.*f", digits, v);
    std::string text = buf;
    if (text == "-0" || (text.rfind("-0.", 0) == 0 && text.find_first_not_of("-0.") == std::string::npos))
      text.erase(0, 1);
    out.push_back(text + unit);
  }
  return out;
}

// ---- constraints: a small expression language over the swept parameters ----------------------
//
//   expr := and { "or" and } ; and := not { "and" not } ; not := "not" not | cmp
//   cmp  := sum [ ("<" | "<=" | ">" | ">=" | "==" | "!=") sum ]
//   sum  := term { ("+" | "-") term } ; term := unary { ("*" | "/") unary } ; unary := "-" unary | atom
//   atom := NUMBER | 'text' | "text" | true | false | NAME | "(" expr ")"
// NAME is a swept path or a unique dotted ending of one (`beds` for agency.shelter.beds).

using Value = std::variant<double, std::string, bool>;

struct Node {
  enum class Op { number, text, boolean, name, neg, add, sub, mul, div, lt, le, gt, ge, eq, ne, and_, or_, not_ };
  Op op = Op::number;
  double number = 0;
  std::string text;
  std::size_t param = 0;
  std::unique_ptr<Node> a, b;
};

class ConstraintParser {
 public:
  ConstraintParser(std::string text, const std::vector<std::string>& paths) : s_(std::move(text)), paths_(paths) {}

  std::unique_ptr<Node> parse() {
    auto n = parse_or();
    skip();
    if (i_ < s_.size()) fail("unexpected '" + s_.substr(i_, 12) + "'");
    return n;
  }

 private:
  [[noreturn]] void fail(const std::string& what) const {
    throw std::invalid_argument("--where \"" + s_ + "\": column " + std::to_string(i_ + 1) + ": " + what);
  }
  void skip() {
    while (i_ < s_.size() && std::isspace(static_cast<unsigned char>(s_[i_]))) ++i_;
  }
  bool word(std::string_view w) {
    skip();
    if (s_.compare(i_, w.size(), w) != 0) return false;
    const std::size_t end = i_ + w.size();
    if (end < s_.size() && (std::isalnum(static_cast<unsigned char>(s_[end])) || s_[end] == '_')) return false;
    i_ = end;
    return true;
  }
  bool symbol(std::string_view w) {
    skip();
    if (s_.compare(i_, w.size(), w) != 0) return false;
    i_ += w.size();
    return true;
  }
  static std::unique_ptr<Node> make(Node::Op op, std::unique_ptr<Node> a, std::unique_ptr<Node> b = nullptr) {
    auto n = std::make_unique<Node>();
    n->op = op;
    n->a = std::move(a);
    n->b = std::move(b);
    return n;
  }
  std::unique_ptr<Node> parse_or() {
    auto n = parse_and();
    while (word("or")) n = make(Node::Op::or_, std::move(n), parse_and());
    return n;
  }
  std::unique_ptr<Node> parse_and() {
    auto n = parse_not();
    while (word("and")) n = make(Node::Op::and_, std::move(n), parse_not());
    return n;
  }
  std::unique_ptr<Node> parse_not() {
    if (word("not")) return make(Node::Op::not_, parse_not());
    return parse_cmp();
  }
  std::unique_ptr<Node> parse_cmp() {
    auto n = parse_sum();
    static constexpr std::pair<std::string_view, Node::Op> kOps[] = {{"<=", Node::Op::le}, {">=", Node::Op::ge},
                                                                     {"==", Node::Op::eq}, {"!=", Node::Op::ne},
                                                                     {"<", Node::Op::lt},  {">", Node::Op::gt}};
    for (const auto& [sym, op] : kOps) {
      if (symbol(sym)) return make(op, std::move(n), parse_sum());
    }
    skip();
    if (i_ < s_.size() && s_[i_] == '=') fail("write == to compare, not =");
    return n;
  }
  std::unique_ptr<Node> parse_sum() {
    auto n = parse_term();
    for (;;) {
      skip();
      if (i_ + 1 < s_.size() && s_[i_] == '-' && s_[i_ + 1] == '>') fail("unexpected '->'");
      if (symbol("+")) {
        n = make(Node::Op::add, std::move(n), parse_term());
      } else if (symbol("-")) {
        n = make(Node::Op::sub, std::move(n), parse_term());
      } else {
        return n;
      }
    }
  }
  std::unique_ptr<Node> parse_term() {
    auto n = parse_unary();
    for (;;) {
      if (symbol("*")) {
        n = make(Node::Op::mul, std::move(n), parse_unary());
      } else if (symbol("/")) {
        n = make(Node::Op::div, std::move(n), parse_unary());
      } else {
        return n;
      }
    }
  }
  std::unique_ptr<Node> parse_unary() {
    if (symbol("-")) return make(Node::Op::neg, parse_unary());
    return parse_atom();
  }
  std::unique_ptr<Node> parse_atom() {
    skip();
    if (i_ >= s_.size()) fail("expected a value, a parameter or '(' at the end");
    const char c = s_[i_];
    auto n = std::make_unique<Node>();
    if (c == '(') {
      ++i_;
      n = parse_or();
      if (!symbol(")")) fail("expected ')'");
      return n;
    }
    if (c == '"' || c == '\'') {
      const std::size_t end = s_.find(c, i_ + 1);
      if (end == std::string::npos) fail("an unterminated quote");
      n->op = Node::Op::text;
      n->text = s_.substr(i_ + 1, end - i_ - 1);
      i_ = end + 1;
      return n;
    }
    if (std::isdigit(static_cast<unsigned char>(c)) || c == '.') {
      std::size_t end = i_;
      while (end < s_.size() && (std::isalnum(static_cast<unsigned char>(s_[end])) || s_[end] == '.')) ++end;
      const std::string lit = s_.substr(i_, end - i_);
      n->op = Node::Op::number;
      if (const auto d = decimal(lit)) {
        n->number = d->first;
      } else {
        try {
          n->number = parse_duration(lit);
        } catch (const std::invalid_argument&) {
          fail("'" + lit + "' is not a number or a duration");
        }
      }
      i_ = end;
      return n;
    }
    if (std::isalpha(static_cast<unsigned char>(c)) || c == '_') {
      std::size_t end = i_;
      const auto name_char = [&](std::size_t k) {
        return std::isalnum(static_cast<unsigned char>(s_[k])) || s_[k] == '_' || s_[k] == '.' || s_[k] == '#';
      };
      while (end < s_.size()) {
        if (name_char(end)) {
          ++end;
        } else if (s_.compare(end, 2, "->") == 0) {
          end += 2;  // referral.a->b.probability
        } else {
          break;
        }
      }
      const std::string name = s_.substr(i_, end - i_);
      if (name == "true" || name == "false") {
        n->op = Node::Op::boolean;
        n->number = name == "true" ? 1 : 0;
        i_ = end;
        return n;
      }
      if (name == "and" || name == "or" || name == "not") fail("expected a value before '" + name + "'");
      std::vector<std::size_t> matches;
      for (std::size_t p = 0; p < paths_.size(); ++p) {
        const std::string& path = paths_[p];
        if (path == name) {
          matches = {p};
          break;
        }
        if (path.size() > name.size() && path.compare(path.size() - name.size(), name.size(), name) == 0 &&
            path[path.size() - name.size() - 1] == '.')
          matches.push_back(p);
      }
      if (matches.empty()) {
        std::string known;
        for (const std::string& p : paths_) known += (known.empty() ? "" : ", ") + p;
        fail("'" + name + "' is not a swept parameter; swept: " + known);
      }
      if (matches.size() > 1) {
        std::string which;
        for (std::size_t m : matches) which += (which.empty() ? "" : ", ") + paths_[m];
        fail("'" + name + "' could be any of " + which + "; write more of the path");
      }
      n->op = Node::Op::name;
      n->param = matches.front();
      i_ = end;
      return n;
    }
    fail(std::string("unexpected '") + c + "'");
  }

  std::string s_;
  const std::vector<std::string>& paths_;
  std::size_t i_ = 0;
};

/// A swept value as the constraint sees it: a number (a duration in days), true/false, or text.
Value value_of(const std::string& text) {
  if (text == "true") return true;
  if (text == "false") return false;
  if (const auto d = decimal(text)) return d->first;
  double v = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec == std::errc() && end == text.data() + text.size() && std::isfinite(v)) return v;
  std::string s = text;
  if (s.size() >= 2 && (s.front() == '"' || s.front() == '\'') && s.back() == s.front()) s = s.substr(1, s.size() - 2);
  try {
    return parse_duration(s);
  } catch (const std::invalid_argument&) {
    return s;
  }
}

std::string shown(const Value& v) {
  if (const double* d = std::get_if<double>(&v)) {
    char buf[48];
    std::snprintf(buf, sizeof buf, "%g", *d);
    return buf;
  }
  if (const bool* b = std::get_if<bool>(&v)) return *b ? "true" : "false";
  return "'" + std::get<std::string>(v) + "'";
}

Value eval(const Node& n, const std::vector<Value>& params, const std::string& text) {
  const auto fail = [&](const std::string& what) { throw std::invalid_argument("--where \"" + text + "\": " + what); };
  const auto num = [&](const Node& x) {
    const Value v = eval(x, params, text);
    if (const double* d = std::get_if<double>(&v)) return *d;
    fail("arithmetic or an order on " + shown(v) + ", which is not a number");
    return 0.0;
  };
  const auto truth = [&](const Node& x) {
    const Value v = eval(x, params, text);
    if (const bool* b = std::get_if<bool>(&v)) return *b;
    fail(shown(v) + " is not true or false: a constraint compares (<, <=, ==, …)");
    return false;
  };
  switch (n.op) {
    case Node::Op::number: return n.number;
    case Node::Op::text: return n.text;
    case Node::Op::boolean: return n.number != 0;
    case Node::Op::name: return params[n.param];
    case Node::Op::neg: return -num(*n.a);
    case Node::Op::add: return num(*n.a) + num(*n.b);
    case Node::Op::sub: return num(*n.a) - num(*n.b);
    case Node::Op::mul: return num(*n.a) * num(*n.b);
    case Node::Op::div: return num(*n.a) / num(*n.b);
    case Node::Op::lt: return num(*n.a) < num(*n.b);
    case Node::Op::le: return num(*n.a) <= num(*n.b);
    case Node::Op::gt: return num(*n.a) > num(*n.b);
    case Node::Op::ge: return num(*n.a) >= num(*n.b);
    case Node::Op::eq:
    case Node::Op::ne: {
      const Value a = eval(*n.a, params, text), b = eval(*n.b, params, text);
      if (a.index() != b.index()) fail("compares " + shown(a) + " with " + shown(b) + ", of another kind");
      return (a == b) == (n.op == Node::Op::eq);
    }
    case Node::Op::and_: return truth(*n.a) && truth(*n.b);
    case Node::Op::or_: return truth(*n.a) || truth(*n.b);
    case Node::Op::not_: return !truth(*n.a);
  }
  return false;
}

}  // namespace

std::vector<std::string> SweepPoint::sets() const {
  std::vector<std::string> out;
  out.reserve(values.size());
  for (const auto& [path, value] : values) out.push_back(path + "=" + value);
  return out;
}

SweepParameter parse_vary(std::string_view text) {
  const std::size_t eq = text.find('=');
  if (eq == std::string_view::npos || eq == 0) {
    throw std::invalid_argument(
        "expected PATH=VALUES, such as agency.shelter.beds=20..60:10 or "
        "agency.screening.servers=2,3,4; got '" +
        std::string(text) + "'");
  }
  SweepParameter p;
  p.path = trimmed_copy(text.substr(0, eq));
  try {
    p.values = parse_sweep_values(text.substr(eq + 1));
  } catch (const std::invalid_argument& e) {
    throw std::invalid_argument(p.path + ": " + e.what());
  }
  return p;
}

std::vector<std::string> parse_sweep_values(std::string_view text) {
  if (trimmed_copy(text).empty()) throw std::invalid_argument("no values: write a list (2,3,4) or a range (20..60:10)");
  std::vector<std::string> out;
  for (const std::string& item : split_top_level(text)) {
    if (item.empty()) {
      throw std::invalid_argument("an empty value in '" + std::string(text) + "' (two commas, or one at an end)");
    }
    if (auto r = range_values(item)) {
      out.insert(out.end(), r->begin(), r->end());
    } else {
      out.push_back(item);
    }
    if (out.size() > kMaxSweepValues) {
      throw std::invalid_argument("more than " + std::to_string(kMaxSweepValues) + " values in '" +
                                  std::string(text.substr(0, 80)) + "'");
    }
  }
  return out;
}

SweepGrid expand_sweep(const SweepSpec& spec) {
  if (spec.axes.empty()) throw std::invalid_argument("nothing to sweep: give --vary PATH=VALUES");
  std::vector<std::string> paths;
  std::vector<std::size_t> sizes;
  double combinations = 1;
  for (const SweepAxis& axis : spec.axes) {
    if (axis.parameters.empty()) throw std::invalid_argument("an axis without a parameter");
    const SweepParameter& first = axis.parameters.front();
    for (const SweepParameter& p : axis.parameters) {
      if (std::find(paths.begin(), paths.end(), p.path) != paths.end()) {
        throw std::invalid_argument("'" + p.path + "' is swept twice");
      }
      if (p.values.empty()) throw std::invalid_argument("'" + p.path + "' has no values");
      if (p.values.size() != first.values.size()) {
        throw std::invalid_argument("'" + p.path + "' has " + std::to_string(p.values.size()) +
                                    " values but varies in lockstep with '" + first.path + "', which has " +
                                    std::to_string(first.values.size()) + "; give both the same number");
      }
      for (std::size_t i = 0; i < p.values.size(); ++i) {
        if (std::find(p.values.begin(), p.values.begin() + static_cast<std::ptrdiff_t>(i), p.values[i]) !=
            p.values.begin() + static_cast<std::ptrdiff_t>(i))
          throw std::invalid_argument("'" + p.path + "' has the value " + p.values[i] + " twice");
      }
      paths.push_back(p.path);
    }
    sizes.push_back(first.values.size());
    combinations *= static_cast<double>(first.values.size());
  }
  if (combinations > static_cast<double>(kMaxSweepPoints)) {
    throw std::invalid_argument("the grid has " + std::to_string(static_cast<long long>(combinations)) +
                                " combinations, more than " + std::to_string(kMaxSweepPoints));
  }
  std::vector<std::unique_ptr<Node>> constraints;
  for (const std::string& w : spec.where) constraints.push_back(ConstraintParser(w, paths).parse());

  SweepGrid g;
  g.combinations = static_cast<std::size_t>(combinations);
  std::vector<std::size_t> at(spec.axes.size(), 0);
  for (std::size_t c = 0; c < g.combinations; ++c) {
    // Combination c: the last axis varies fastest.
    std::size_t rest = c;
    for (std::size_t k = spec.axes.size(); k-- > 0;) {
      at[k] = rest % sizes[k];
      rest /= sizes[k];
    }
    SweepPoint p;
    std::vector<Value> values;
    for (std::size_t k = 0; k < spec.axes.size(); ++k) {
      for (const SweepParameter& q : spec.axes[k].parameters) {
        p.values.emplace_back(q.path, q.values[at[k]]);
        values.push_back(value_of(q.values[at[k]]));
      }
    }
    bool keep = true;
    for (std::size_t w = 0; w < constraints.size() && keep; ++w) {
      const Value v = eval(*constraints[w], values, spec.where[w]);
      const bool* b = std::get_if<bool>(&v);
      if (!b) {
        throw std::invalid_argument("--where \"" + spec.where[w] + "\": gives " + shown(v) +
                                    ", not true or false: a constraint compares (<, <=, ==, …)");
      }
      keep = *b;
    }
    if (!keep) {
      ++g.dropped;
      continue;
    }
    p.index = g.points.size();
    p.id = sweep_run_id(p.values);
    g.points.push_back(std::move(p));
  }
  std::unordered_set<std::string> ids;
  for (const SweepPoint& p : g.points) {
    if (!ids.insert(p.id).second) {
      throw std::invalid_argument("two points have the same run id " + p.id + " (a hash collision)");
    }
  }
  if (g.points.empty()) {
    throw std::invalid_argument("the constraint drops every one of the " + std::to_string(g.combinations) +
                                " combinations: nothing to run");
  }
  return g;
}

std::string fnv1a_hex(std::string_view bytes) {
  std::uint64_t h = 0xcbf29ce484222325ULL;
  for (const char c : bytes) {
    h ^= static_cast<unsigned char>(c);
    h *= 0x100000001b3ULL;
  }
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(h));
  return buf;
}

std::string sweep_run_id(const std::vector<std::pair<std::string, std::string>>& values) {
  std::vector<std::pair<std::string, std::string>> sorted = values;
  std::sort(sorted.begin(), sorted.end());
  std::string text;
  for (const auto& [path, value] : sorted) text += path + "=" + value + "\n";
  return fnv1a_hex(text);
}

Shard parse_shard(std::string_view text) {
  const std::string t(text);
  const auto fail = [&]() -> Shard {
    throw std::invalid_argument("--shard " + t + ": expected I/N with N >= 1 and I from 0 to N-1, e.g. 0/4");
  };
  const std::size_t slash = t.find('/');
  if (slash == std::string::npos) return fail();
  unsigned long long i = 0, n = 0;
  const char* b = t.data();
  const auto r1 = std::from_chars(b, b + slash, i);
  const auto r2 = std::from_chars(b + slash + 1, b + t.size(), n);
  if (r1.ec != std::errc() || r1.ptr != b + slash || r2.ec != std::errc() || r2.ptr != b + t.size()) return fail();
  if (n < 1 || n > 1'000'000 || i >= n) return fail();
  return Shard{static_cast<std::uint32_t>(i), static_cast<std::uint32_t>(n)};
}

}  // namespace refsim
