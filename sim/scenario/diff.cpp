// refsim diff: two scenario tables (variants merged) compared against the schema's declarations.
#include "sim/scenario/diff.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <optional>

#include <nlohmann/json.hpp>

#include "sim/model/units.hpp"
#include "sim/scenario/loader.hpp"
#include "sim/scenario/schema.hpp"
#include "sim/scenario/variant.hpp"

namespace refsim {
namespace {

namespace fs = std::filesystem;
using detail::toml_inline;

nlohmann::json to_json(const toml::node& n) {
  switch (n.type()) {
    case toml::node_type::string: return std::string(*n.value<std::string_view>());
    case toml::node_type::integer: return *n.value<std::int64_t>();
    case toml::node_type::floating_point: return *n.value<double>();
    case toml::node_type::boolean: return *n.value<bool>();
    case toml::node_type::array: {
      nlohmann::json out = nlohmann::json::array();
      for (const toml::node& e : *n.as_array()) out.push_back(to_json(e));
      return out;
    }
    case toml::node_type::table: {
      nlohmann::json out = nlohmann::json::object();
      for (auto&& [k, v] : *n.as_table()) out[std::string(k.str())] = to_json(v);
      return out;
    }
    default: return toml_inline(n);
  }
}

/// The declared default of an optional key as a value (`0`, `false`, `"wait"`, `"20y"`), or
/// nothing when the declaration describes it in words ("the id", "none").
const toml::node* default_of(const schema::Key* k) {
  static std::map<const schema::Key*, std::optional<toml::table>> cache;
  if (!k || k->presence != schema::Presence::optional || k->default_value.empty()) return nullptr;
  auto [it, fresh] = cache.try_emplace(k);
  if (fresh) {
    std::string text = k->default_value;
    if (text.size() >= 2 && text.front() == '`' && text.back() == '`') text = text.substr(1, text.size() - 2);
    try {
      it->second = toml::parse("v = " + text);
    } catch (const toml::parse_error&) {
      try {
        (void)parse_duration(text);  // "20y": a duration in a string
        toml::table t;
        t.insert("v", text);
        it->second = std::move(t);
      } catch (const std::invalid_argument&) {
      }
    }
    if (it->second && it->second->size() != 1) it->second.reset();
  }
  return it->second ? it->second->get("v") : nullptr;
}

std::optional<double> numeric(const toml::node& n, double (*parse)(std::string_view)) {
  if (n.is_number()) return *n.value<double>();
  if (!n.is_string()) return std::nullopt;
  try {
    return parse(*n.value<std::string_view>());
  } catch (const std::invalid_argument&) {
    return std::nullopt;
  }
}

bool close(double x, double y) { return x == y || std::abs(x - y) <= 1e-12 * std::max(std::abs(x), std::abs(y)); }

/// Equal as the loader reads them: numbers by value, durations and rates in any unit.
bool same_value(const toml::node& x, const toml::node& y) {
  if (x.is_number() && y.is_number()) return close(*x.value<double>(), *y.value<double>());
  if (x.is_string() && y.is_string() && *x.value<std::string_view>() == *y.value<std::string_view>()) return true;
  if ((x.is_string() || x.is_number()) && (y.is_string() || y.is_number())) {
    for (auto parse : {&parse_duration, &parse_rate}) {
      const auto a = numeric(x, parse), b = numeric(y, parse);
      if (a && b) return close(*a, *b);
    }
    return false;
  }
  if (x.type() != y.type()) return false;
  if (x.is_boolean()) return *x.value<bool>() == *y.value<bool>();
  if (x.is_array()) {
    const toml::array &a = *x.as_array(), &b = *y.as_array();
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i) {
      if (!same_value(a[i], b[i])) return false;
    }
    return true;
  }
  if (x.is_table()) {
    const toml::table &a = *x.as_table(), &b = *y.as_table();
    if (a.size() != b.size()) return false;
    for (auto&& [k, v] : a) {
      const toml::node* w = b.get(k.str());
      if (!w || !same_value(v, *w)) return false;
    }
    return true;
  }
  return toml_inline(x) == toml_inline(y);  // dates and times
}

const schema::Section* find_section(std::string_view id) {
  for (const schema::Section& s : schema::sections()) {
    if (s.id == id) return &s;
  }
  return nullptr;
}

/// Who owns the keys being compared, for the entries and their text.
struct Owner {
  std::string section, id, label;  ///< label: "competent_authority", "source calls", "run"
};

void add_changed(std::vector<DiffEntry>& out, const Owner& o, const std::string& key, const toml::node* x, bool x_given,
                 const toml::node* y, bool y_given) {
  DiffEntry e;
  e.kind = DiffEntry::Kind::changed;
  e.section = o.section;
  e.id = o.id;
  e.key = key;
  e.a = x ? toml_inline(*x) : "";
  e.b = y ? toml_inline(*y) : "";
  e.a_json = x ? to_json(*x).dump() : "null";
  e.b_json = y ? to_json(*y).dump() : "null";
  const auto shown = [](const toml::node* n, bool given) {
    if (!n) return std::string("(not set)");
    return toml_inline(*n) + (given ? "" : " (default)");
  };
  e.text = o.label + ": " + key + " " + shown(x, x_given) + " → " + shown(y, y_given);
  out.push_back(std::move(e));
}

/// The keys of `a` and `b`: the section's in declaration order, then the others in order.
std::vector<std::string> keys_of(const toml::table* a, const toml::table* b, const schema::Section* sec) {
  std::vector<std::string> keys;
  if (sec) {
    for (const schema::Key& k : sec->keys) {
      if ((a && a->contains(k.name)) || (b && b->contains(k.name)) || default_of(&k)) keys.push_back(k.name);
    }
  }
  std::vector<std::string> rest;
  for (const toml::table* t : {a, b}) {
    if (!t) continue;
    for (auto&& [k, v] : *t) {
      const std::string name(k.str());
      if (std::find(keys.begin(), keys.end(), name) == keys.end() &&
          std::find(rest.begin(), rest.end(), name) == rest.end())
        rest.push_back(name);
    }
  }
  std::sort(rest.begin(), rest.end());
  keys.insert(keys.end(), rest.begin(), rest.end());
  return keys;
}

void diff_tables(const toml::table* a, const toml::table* b, const schema::Section* sec, const Owner& o,
                 const std::string& prefix, std::vector<DiffEntry>& out) {
  for (const std::string& key : keys_of(a, b, sec)) {
    const schema::Key* k = sec ? sec->find(key) : nullptr;
    const toml::node* x = a ? a->get(key) : nullptr;
    const toml::node* y = b ? b->get(key) : nullptr;
    const toml::node* dflt = default_of(k);
    const toml::node* ex = x ? x : dflt;
    const toml::node* ey = y ? y : dflt;
    if (!ex && !ey) continue;
    if (ex && ey && ex->is_table() && ey->is_table()) {
      const schema::Section* next = nullptr;
      bool comparable = true;
      if (k && k->type == schema::Type::distribution) {
        const auto da = (*ex->as_table())["dist"].value<std::string>();
        const auto db = (*ey->as_table())["dist"].value<std::string>();
        comparable = da == db;
        if (da) next = find_section("dist." + *da);
      } else if (k && !k->link.empty()) {
        next = find_section(k->link);
      }
      if (comparable) {
        diff_tables(ex->as_table(), ey->as_table(), next, o, prefix + key + ".", out);
        continue;
      }
    }
    if (ex && ey && same_value(*ex, *ey)) continue;
    add_changed(out, o, prefix + key, ex, x != nullptr, ey, y != nullptr);
  }
}

std::string str(const toml::table& t, std::string_view key) {
  const toml::node* n = t.get(key);
  if (!n) return "";
  if (n->is_string()) return std::string(*n->value<std::string_view>());
  return toml_inline(*n);
}

std::string arrow(std::string key) {
  const auto p = key.find("->");
  return p == std::string::npos ? key : key.replace(p, 2, " → ");
}

/// An element in a few words: "agency child_protection ("Child protection", 4 servers)".
std::string summary(std::string_view section, const std::string& address, const toml::table& t) {
  const std::string s(section);
  if (section == "agency") {
    std::string out = "agency " + address + " (";
    if (t.contains("name")) out += "\"" + str(t, "name") + "\", ";
    if (t.contains("beds")) return out + str(t, "beds") + " beds)";
    const std::string servers = str(t, "servers");
    return out +
           (servers == "unlimited" ? "unlimited servers)" : servers + (servers == "1" ? " server)" : " servers)"));
  }
  if (section == "source") {
    std::string out = "source " + address + " → " + str(t, "to");
    if (t.contains("rate")) out += ", rate " + str(t, "rate");
    if (t.contains("at")) out += ", batches of " + str(t, "cases") + " at " + str(t, "at");
    return out;
  }
  if (section == "referral") {
    std::string out = "referral " + arrow(address);
    if (t.contains("when")) out += " when " + str(t, "when");
    out += " (probability " + str(t, "probability");
    if (const auto f = t["fork"].value<bool>(); f && *f) out += ", a fork";
    if (t.contains("consent")) out += ", consent " + str(t, "consent");
    return out + ")";
  }
  if (section == "deadline") {
    std::string out =
        "deadline " + address + ": " + str(t, "from") + " → " + str(t, "to") + " within " + str(t, "within");
    if (t.contains("when")) out += " when " + str(t, "when");
    return out;
  }
  if (section == "change") {
    std::string out = "[[change]] " + address + " at " + str(t, "at");
    for (const char* target : {"agency", "source", "referral"}) {
      if (t.contains(target)) out += " of " + std::string(target) + " " + arrow(str(t, target));
    }
    return out;
  }
  return s + " " + address;
}

std::string owner_label(std::string_view section, const std::string& address) {
  if (section == "agency") return address;
  if (section == "referral") return "referral " + arrow(address);
  if (section == "change") return "[[change]] " + address;
  return std::string(section) + " " + address;
}

void diff_collection(const toml::table& A, const toml::table& B, std::string_view name, bool derived,
                     std::vector<DiffEntry>& out) {
  const toml::array* aa = A[name].as_array();
  const toml::array* ba = B[name].as_array();
  const std::vector<std::string> ka = detail::addresses(aa, name), kb = detail::addresses(ba, name);
  const schema::Section& sec = schema::section(name);
  std::vector<DiffEntry> only_a, only_b;
  const auto only = [&](DiffEntry::Kind kind, const std::string& address, const toml::table& t) {
    DiffEntry e;
    e.kind = kind;
    e.section = std::string(name);
    e.id = address;
    const std::string what = summary(name, address, t);
    if (kind == DiffEntry::Kind::only_in_a) {
      e.a = toml_inline(t);
      e.a_json = to_json(t).dump();
      e.b_json = "null";
      e.text = derived ? "removed " + what : "only in A: " + what;
      only_a.push_back(std::move(e));
    } else {
      e.b = toml_inline(t);
      e.a_json = "null";
      e.b_json = to_json(t).dump();
      e.text = derived ? "new " + what : "only in B: " + what;
      only_b.push_back(std::move(e));
    }
  };
  for (std::size_t i = 0; i < ka.size(); ++i) {
    const toml::table* ta = (*aa)[i].as_table();
    if (!ta) continue;
    const auto j = std::find(kb.begin(), kb.end(), ka[i]);
    if (j == kb.end()) {
      only(DiffEntry::Kind::only_in_a, ka[i], *ta);
    } else {
      const Owner o{std::string(name), ka[i], owner_label(name, ka[i])};
      diff_tables(ta, (*ba)[static_cast<std::size_t>(j - kb.begin())].as_table(), &sec, o, "", out);
    }
  }
  for (std::size_t i = 0; i < kb.size(); ++i) {
    const toml::table* tb = (*ba)[i].as_table();
    if (tb && std::find(ka.begin(), ka.end(), kb[i]) == ka.end()) only(DiffEntry::Kind::only_in_b, kb[i], *tb);
  }
  for (auto* list : {&only_a, &only_b}) {
    for (DiffEntry& e : *list) out.push_back(std::move(e));
  }
}

}  // namespace

ScenarioDiff diff_scenarios(const fs::path& a, const fs::path& b) {
  const Scenario sa = load_scenario(a), sb = load_scenario(b);  // each must load: its error otherwise
  std::vector<fs::path> bases;
  const toml::table ta = detail::load_table(a, {});
  const toml::table tb = detail::load_table(b, {}, &bases);
  ScenarioDiff d;
  d.a_file = a.string();
  d.b_file = b.string();
  d.a_name = sa.name;
  d.b_name = sb.name;
  std::error_code ec;
  const fs::path ca = fs::weakly_canonical(a, ec);
  d.b_based_on_a = std::find(bases.begin(), bases.end(), ca) != bases.end();
  for (const char* t : {"scenario", "run", "cohorts"}) {
    const Owner o{t, "", t};
    diff_tables(ta[t].as_table(), tb[t].as_table(), &schema::section(t), o, "", d.entries);
  }
  for (const char* c : {"agency", "source", "profile", "referral", "deadline", "change"}) {
    diff_collection(ta, tb, c, d.b_based_on_a, d.entries);
  }
  return d;
}

std::string diff_text(const ScenarioDiff& d) {
  std::string out = "A: " + d.a_file + " (\"" + d.a_name + "\")\n";
  out += "B: " + d.b_file + " (\"" + d.b_name + "\")" + (d.b_based_on_a ? ", a variant of A" : "") + "\n";
  if (d.same()) return out + "no differences\n";
  out += std::to_string(d.entries.size()) + (d.entries.size() == 1 ? " difference:\n" : " differences:\n");
  for (const DiffEntry& e : d.entries) out += "  " + e.text + "\n";
  return out;
}

std::string diff_json(const ScenarioDiff& d) {
  nlohmann::json j;
  j["a"] = {{"file", d.a_file}, {"name", d.a_name}};
  j["b"] = {{"file", d.b_file}, {"name", d.b_name}, {"based_on_a", d.b_based_on_a}};
  j["same"] = d.same();
  nlohmann::json list = nlohmann::json::array();
  for (const DiffEntry& e : d.entries) {
    const char* kind = e.kind == DiffEntry::Kind::changed     ? "changed"
                       : e.kind == DiffEntry::Kind::only_in_a ? "only_in_a"
                                                              : "only_in_b";
    list.push_back({{"kind", kind},
                    {"section", e.section},
                    {"id", e.id},
                    {"key", e.key},
                    {"a", nlohmann::json::parse(e.a_json)},
                    {"b", nlohmann::json::parse(e.b_json)},
                    {"text", e.text}});
  }
  j["differences"] = std::move(list);
  return j.dump(2) + "\n";
}

}  // namespace refsim
