#include "sim/scenario/reader.hpp"

#include <algorithm>
#include <cmath>
#include <sstream>
#include <stdexcept>

namespace refsim::detail {

std::string type_name(const toml::node& n) {
  switch (n.type()) {
    case toml::node_type::string: return "string \"" + std::string(*n.value<std::string_view>()) + "\"";
    case toml::node_type::integer: return "integer " + std::to_string(*n.value<std::int64_t>());
    case toml::node_type::floating_point: {
      std::ostringstream os;
      os << "number " << *n.value<double>();
      return os.str();
    }
    case toml::node_type::boolean: return *n.value<bool>() ? "boolean true" : "boolean false";
    case toml::node_type::table: return "a table";
    case toml::node_type::array: {
      const std::size_t k = n.as_array()->size();
      return k == 0 ? "an empty array" : "an array of " + std::to_string(k) + (k == 1 ? " element" : " elements");
    }
    case toml::node_type::date: return "a date";
    case toml::node_type::time: return "a time";
    case toml::node_type::date_time: return "a date-time";
    default: return "nothing";
  }
}

std::string join(const std::vector<std::string>& names) {
  std::string out;
  for (const auto& n : names) {
    if (!out.empty()) out += ", ";
    out += n;
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// TableView

void TableView::reject_unknown() const {
  for (auto&& [k, v] : t_) {
    if (!section_.find(k.str())) {
      r_.fail(r_.at(k.source()), "unknown key '" + std::string(k.str()) + "' in " + context_ +
                                     "; expected one of: " + section_.key_list());
    }
  }
}

const toml::node* TableView::find(std::string_view key) const {
  (void)section_.key(key);  // throws for an undeclared key: a bug
  return t_.get(key);
}

const toml::node& TableView::require(std::string_view key) const {
  const schema::Key& k = section_.key(key);
  if (k.presence == schema::Presence::optional || k.expects.empty()) {
    throw std::logic_error("key '" + k.name + "' of section '" + section_.id +
                           "' is required by the loader but declared optional or without `expects`");
  }
  const toml::node* n = t_.get(key);
  if (!n) r_.fail(t_, context_ + ": missing required key '" + k.name + "' (" + k.expects + ")");
  return *n;
}

const toml::node* TableView::get(std::string_view key) const {
  return section_.key(key).presence == schema::Presence::required ? &require(key) : find(key);
}

std::string TableView::string(std::string_view key, std::string dflt) const {
  const toml::node* n = get(key);
  return n ? string(*n, key) : dflt;
}

std::string TableView::string(const toml::node& n, std::string_view key) const {
  const schema::Key& k = section_.key(key);
  if (k.expects.empty())
    throw std::logic_error("text key '" + k.name + "' of section '" + section_.id + "' is declared without `expects`");
  if (!n.is_string()) fail(n, key, "must be a string (" + k.expects + "), got " + type_name(n));
  return std::string(*n.value<std::string_view>());
}

double TableView::probability(std::string_view key) const {
  const toml::node* n = get(key);
  if (n) return probability(*n, key);
  const std::string& text = section_.key(key).default_value;
  try {
    return std::stod(text);
  } catch (const std::exception&) {
    throw std::logic_error("probability key '" + std::string(key) + "' of section '" + section_.id +
                           "' has no numeric default, got \"" + text + "\"");
  }
}

double TableView::probability(const toml::node& n, std::string_view key) const {
  const double p = number(n, key);
  if (p < 0 || p > 1)
    fail(n, key, "must be a probability between 0 and 1, got " + type_name(n).substr(type_name(n).find(' ') + 1));
  return p;
}

double TableView::number(const toml::node& n, std::string_view key) const {
  if (n.is_integer()) return static_cast<double>(*n.value<std::int64_t>());
  if (n.is_floating_point()) {
    const double v = *n.value<double>();
    if (!std::isfinite(v)) fail(n, key, "must be a finite number, got " + type_name(n));
    return v;
  }
  fail(n, key, "must be a number, got " + type_name(n));
}

std::int64_t TableView::integer(const toml::node& n, std::string_view key, std::string_view expected) const {
  if (!n.is_integer()) fail(n, key, "must be " + std::string(expected) + ", got " + type_name(n));
  return *n.value<std::int64_t>();
}

double TableView::duration(const toml::node& n, std::string_view key) const {
  if (n.is_string()) {
    try {
      return parse_duration(*n.value<std::string_view>());
    } catch (const std::invalid_argument& e) {
      fail(n, key, std::string("is not valid: ") + e.what());
    }
  }
  if (n.is_number()) return number(n, key);
  fail(n, key, "must be a duration (a number of days or a string such as \"4h\"), got " + type_name(n));
}

double TableView::rate(const toml::node& n, std::string_view key) const {
  if (n.is_string()) {
    try {
      return parse_rate(*n.value<std::string_view>());
    } catch (const std::invalid_argument& e) {
      fail(n, key, std::string("is not valid: ") + e.what());
    }
  }
  if (n.is_number()) return number(n, key);
  fail(n, key, "must be a rate (a number per day or a string such as \"3/h\"), got " + type_name(n));
}

// ---------------------------------------------------------------------------------------------
// Tables, ids and references

const toml::table& as_table(const Reader& r, const toml::node& n, const std::string& what) {
  if (!n.is_table()) r.fail(n, what + " must be a table, got " + type_name(n));
  return *n.as_table();
}

std::vector<const toml::table*> tables_of(const TableView& top, std::string_view name) {
  std::vector<const toml::table*> out;
  const toml::node* n = top.find(name);
  if (!n) return out;
  if (!n->is_array_of_tables()) {
    top.reader().fail(*n,
                      "'" + std::string(name) + "' must be an array of tables, written [[" + std::string(name) + "]]");
  }
  for (const toml::node& e : *n->as_array()) out.push_back(e.as_table());
  return out;
}

void claim_id(const TableView& v, IdMap& ids, const std::string& id, const std::string& what, const std::string& note) {
  const toml::node& at = *v.find("id");
  if (auto [it, fresh] = ids.emplace(id, v.reader().at(at)); !fresh) {
    v.reader().fail(at, "duplicate " + what + "id '" + id + "' (first declared at " + it->second.str() + note + ")");
  }
}

std::string checked_id(const TableView& v, std::string_view key) {
  const toml::node& n = v.require(key);
  if (!n.is_string()) v.fail(n, key, "must be a string, got " + type_name(n));
  const std::string id(*n.value<std::string_view>());
  const bool ok = !id.empty() && std::all_of(id.begin(), id.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
  });
  if (!ok) v.fail(n, key, "must match [a-z0-9_]+, got \"" + id + "\"");
  return id;
}

AgencyId agency_ref(const TableView& v, const Scenario& s, std::string_view key) {
  const toml::node& n = v.require(key);
  const std::string id = v.string(n, key);
  const auto found = s.find_agency(id);
  if (!found) v.fail(n, key, "names unknown agency '" + id + "'; known: " + s.agency_list());
  return *found;
}

SourceId source_ref(const TableView& v, const Scenario& s, std::string_view key) {
  const toml::node& n = v.require(key);
  const std::string id = v.string(n, key);
  std::string known;
  for (SourceId i = 0; i < s.sources.size(); ++i) {
    if (s.sources[i].id == id) return i;
    known += (known.empty() ? "" : ", ") + s.sources[i].id;
  }
  v.fail(n, key, "names unknown source '" + id + "'; known: " + known);
}

ProfileId profile_ref(const TableView& v, const Scenario& s, std::string_view key) {
  const toml::node* n = v.find(key);
  if (!n) throw std::logic_error("profile_ref: '" + std::string(key) + "' is absent; read it only when present");
  const std::string id = v.string(*n, key);
  std::string known;
  for (ProfileId p = 0; p < s.profiles.size(); ++p) {
    if (s.profiles[p].id == id) return p;
    known += (known.empty() ? "" : ", ") + s.profiles[p].id;
  }
  v.fail(*n, key, "names unknown profile '" + id + "'; known: " + known);
}

bool is_country_code(std::string_view c) {
  return !c.empty() && c.size() <= 8 &&
         std::all_of(c.begin(), c.end(),
                     [](char ch) { return (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') || ch == '_'; }) &&
         c[0] >= 'A' && c[0] <= 'Z';
}

// ---------------------------------------------------------------------------------------------
// Milestones, conditions and expert ranges

std::optional<std::uint32_t> state_attribute(std::string_view name) {
  if (name == "presumed") return attr::kPresumed;
  if (name == "reasonable_grounds") return attr::kReasonableGrounds;
  if (name == "identified") return attr::kIdentified;
  if (name == "convicted") return attr::kConvicted;
  return std::nullopt;
}

Milestone read_milestone(const TableView& v, const Scenario& s, std::string_view key) {
  constexpr const char* kForms = "\"entered\", \"arrival:<agency>\", \"decided:<state>\" or \"positive:<state>\"";
  const toml::node& n = v.require(key);
  const std::string text = v.string(n, key);
  Milestone m;
  m.text = text;
  if (text == "entered") return m;
  const auto colon = text.find(':');
  const std::string kind = text.substr(0, colon == std::string::npos ? text.size() : colon);
  const std::string arg = colon == std::string::npos ? "" : text.substr(colon + 1);
  if (kind == "arrival" && colon != std::string::npos) {
    const auto a = s.find_agency(arg);
    if (!a) v.fail(n, key, "names unknown agency '" + arg + "'; known: " + s.agency_list());
    m.kind = Milestone::Kind::arrival;
    m.target = *a;
    return m;
  }
  if ((kind == "decided" || kind == "positive") && colon != std::string::npos) {
    const auto st = state_attribute(arg);
    if (!st) v.fail(n, key, "names unknown state '" + arg + "'; known: " + kStateList);
    m.kind = kind == "decided" ? Milestone::Kind::decided : Milestone::Kind::positive;
    m.target = *st;
    return m;
  }
  v.fail(n, key, std::string("must be a milestone: ") + kForms + ", got \"" + text + "\"");
}

Condition read_condition(const TableView& v, const Scenario& s, std::string_view key) {
  const toml::node* n = v.find(key);
  if (!n) return Condition::always();
  if (!n->is_string())
    v.fail(*n, key, "must be a condition in a string, e.g. \"child and foreign\", got " + type_name(*n));
  try {
    return compile_condition(*n->value<std::string_view>(), s.schema);
  } catch (const ExpressionError& e) {
    // The column within the expression is added to the position of the string's opening quote.
    const auto& b = n->source().begin;
    const SourceLocation at = v.reader().at(*n);
    v.reader().fail(at.line ? SourceLocation{at.file, b.line, b.column + e.column()} : at,
                    v.context() + ": " + std::string(key) + ": " + e.what());
  }
}

double read_uncertain(const TableView& v, Scenario& s, std::string_view key, const toml::node* n, double dflt,
                      UncertainParameter::Target target, std::uint32_t index, const std::string& stream, bool is_rate) {
  if (!n) return dflt;
  if (!n->is_table()) return is_rate ? v.rate(*n, key) : v.probability(*n, key);
  const TableView pv(v.reader(), *n->as_table(), v.context() + ": " + std::string(key),
                     schema::section(is_rate ? "range.rate" : "range.probability"));
  pv.reject_unknown();
  const std::string dist = pv.string("dist");
  if (dist != "pert")
    pv.fail(*pv.find("dist"), "dist",
            "must be \"pert\" (an expert range { dist = \"pert\", min, mode, max }), got \"" + dist + "\"");
  auto value = [&](std::string_view k) {
    if (!is_rate) return pv.probability(k);
    const toml::node& kn = pv.require(k);
    const double x = pv.rate(kn, k);
    if (x < 0) pv.fail(kn, k, "must be >= 0, got " + type_name(kn));
    return x;
  };
  UncertainParameter u{target, index, value("min"), value("mode"), value("max"), stream + ":" + std::string(key)};
  if (!(u.min <= u.mode && u.mode <= u.max && u.min < u.max))
    v.fail(*n, key, "must have min <= mode <= max and min < max");
  s.uncertain.push_back(u);
  return (u.min + 4 * u.mode + u.max) / 6;
}

}  // namespace refsim::detail
