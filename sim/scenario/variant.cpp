// Variants: a base's table with [set], [remove] and [[add.X]] applied, then --set overrides.
#include "sim/scenario/variant.hpp"

#include <algorithm>
#include <cstdio>
#include <iomanip>
#include <map>
#include <sstream>

#include "sim/scenario/reader.hpp"

namespace refsim::detail {
namespace {

namespace fs = std::filesystem;

/// Bases may nest this deep (a variant of a variant of …); far more than anyone writes.
constexpr std::size_t kMaxBaseDepth = 32;

/// Throws ScenarioError at one place with one prefix ("[set] \"agency.x.servers\": ").
struct Blame {
  SourceLocation where;
  std::string prefix;
  [[noreturn]] void operator()(const std::string& message) const { throw ScenarioError(where, prefix + message); }
};

/// Where node `n` is (in the file it was parsed from; `file` when it has none).
SourceLocation where_of(const toml::source_region& r, const std::string& file) { return Reader(file).at(r); }

}  // namespace

std::vector<std::string> addresses(const toml::array* arr, std::string_view name) {
  std::vector<std::string> out;
  if (!arr) return out;
  std::map<std::string, int> per_pair;
  for (const toml::node& e : *arr) {
    const toml::table* t = e.as_table();
    if (name == "change") {
      out.push_back("#" + std::to_string(out.size() + 1));
    } else if (!t) {
      out.emplace_back();
    } else if (name == "referral") {
      const auto from = (*t)["from"].value<std::string>();
      const auto to = (*t)["to"].value<std::string>();
      if (!from || !to) {
        out.emplace_back();
        continue;
      }
      const std::string pair = *from + "->" + *to;
      const int n = ++per_pair[pair];
      out.push_back(n == 1 ? pair : pair + "#" + std::to_string(n));
    } else {
      out.push_back((*t)["id"].value<std::string>().value_or(""));
    }
  }
  return out;
}

namespace {

/// "agency 'x'", "referral a->b", "[[change]] #2".
std::string describe(std::string_view collection, const std::string& address) {
  if (collection == "referral") return "referral " + address;
  if (collection == "change") return "[[change]] " + address;
  return std::string(collection) + " '" + address + "'";
}

std::string known_list(const std::vector<std::string>& addrs) {
  std::vector<std::string> named;
  for (const auto& a : addrs) {
    if (!a.empty()) named.push_back(a);
  }
  return named.empty() ? "(none)" : join(named);
}

const schema::Section* find_section(std::string_view id) {
  for (const schema::Section& s : schema::sections()) {
    if (s.id == id) return &s;
  }
  return nullptr;
}

/// What a path names: the table holding the key, and the element it belongs to (if any).
struct Target {
  toml::table* table = nullptr;
  std::string key;
  std::string collection;  ///< "agency", …; "" for [run], [scenario], [cohorts]
  std::size_t index = 0;   ///< in root[collection]
};

std::vector<std::string> split_path(const std::string& path, const Blame& fail) {
  std::vector<std::string> segs;
  std::size_t start = 0;
  while (true) {
    const std::size_t dot = path.find('.', start);
    segs.push_back(path.substr(start, dot == std::string::npos ? std::string::npos : dot - start));
    if (segs.back().empty()) fail("a path has no empty parts; write it as agency.<id>.servers, run.horizon, …");
    if (dot == std::string::npos) break;
    start = dot + 1;
  }
  return segs;
}

/// Resolves `path` in `root`, creating the tables on the way that are missing (decision, hours…).
Target resolve(toml::table& root, const std::string& path, const Blame& fail) {
  const schema::Section& file = schema::section("file");
  const std::vector<std::string> segs = split_path(path, fail);
  const schema::Key* top = file.find(segs[0]);
  if (!top) fail("unknown table '" + segs[0] + "'; known: " + file.key_list());
  if (segs.size() < 2) {
    fail("a path names a key, not a whole table: " + segs[0] +
         (top->type == schema::Type::tables ? ".<id>.<key>" : ".<key>"));
  }
  Target t;
  const schema::Section* sec = &schema::section(top->link);
  std::string context;
  std::size_t i = 1;
  if (top->type == schema::Type::tables) {
    if (segs[0] == "change") {
      fail("[[change]] tables have no id for a path to name; add changes with [[add.change]]");
    }
    toml::array* arr = root[segs[0]].as_array();
    const std::vector<std::string> addrs = addresses(arr, segs[0]);
    const auto it = std::find(addrs.begin(), addrs.end(), segs[1]);
    if (it == addrs.end()) fail("unknown " + segs[0] + " '" + segs[1] + "'; known: " + known_list(addrs));
    t.collection = segs[0];
    t.index = static_cast<std::size_t>(it - addrs.begin());
    t.table = (*arr)[t.index].as_table();
    context = describe(segs[0], segs[1]);
    if (segs.size() < 3) fail("a path names a key of " + context + ", one of: " + sec->key_list());
    i = 2;
  } else {
    toml::node* n = root.get(segs[0]);
    if (!n) n = root.insert(segs[0], toml::table{}).first->second.as_table();
    if (!n->is_table()) fail("[" + segs[0] + "] is " + type_name(*n) + ", not a table");
    t.table = n->as_table();
    context = "[" + segs[0] + "]";
  }
  for (; i < segs.size(); ++i) {
    const std::string& k = segs[i];
    const schema::Key* key = sec ? sec->find(k) : nullptr;
    if (sec && !sec->open && !key)
      fail("unknown key '" + k + "' in " + context + "; expected one of: " + sec->key_list());
    if (i + 1 == segs.size()) break;
    toml::node* n = t.table->get(k);
    if (!n) n = t.table->insert(k, toml::table{}).first->second.as_table();
    if (!n->is_table()) {
      std::string whole = segs[0];
      for (std::size_t j = 1; j <= i; ++j) whole += "." + segs[j];
      fail(context + ": " + k + " is " + type_name(*n) + ", not a table; set " + whole + " as a whole");
    }
    t.table = n->as_table();
    const schema::Section* next = nullptr;
    if (key && key->type == schema::Type::distribution) {
      if (const auto d = (*t.table)["dist"].value<std::string>()) next = find_section("dist." + *d);
    } else if (key && !key->link.empty()) {
      next = &schema::section(key->link);
    }
    sec = next;
    context += ": " + k;
  }
  t.key = segs.back();
  if (t.key == "id" && segs.size() == 3 && !t.collection.empty()) {
    fail(context + ": an id cannot be set (other tables name it); remove the " + t.collection + " and add another");
  }
  return t;
}

/// Moves `value` into `t` (keeping its source region) under a key located at `key_at`.
void assign(const Target& t, toml::node& value, const toml::source_region& key_at) {
  toml::key key(t.key, key_at);
  value.visit([&](auto&& v) { t.table->insert_or_assign(std::move(key), std::move(v)); });
}

/// A [set] entry: its full path (dotted keys joined), where its key is, and its value.
struct SetEntry {
  std::string path;
  toml::source_region key_at;
  toml::node* value;
};

/// [set] flattened: `"agency.x.servers" = 6` and `agency.x.servers = 6` alike (a dotted key makes
/// tables that are not inline; an inline table is a value).
void flatten(toml::table& t, const std::string& prefix, const toml::source_region* outer, std::vector<SetEntry>& out) {
  for (auto&& [k, v] : t) {
    const std::string path = prefix.empty() ? std::string(k.str()) : prefix + "." + std::string(k.str());
    const toml::source_region& at = outer ? *outer : k.source();
    if (v.is_table() && !v.as_table()->is_inline()) {
      flatten(*v.as_table(), path, &at, out);
    } else {
      out.push_back({path, at, &v});
    }
  }
}

/// A reference from one table's key to an element that [remove] may take away.
struct Reference {
  std::string_view collection;  ///< whose tables hold it
  std::string_view key;         ///< "to", "retrafficking.reenters"
  std::string_view names;       ///< the collection it names
  std::string_view prefix;      ///< "" (the address itself), "arrival:", "overflow:"
};

constexpr Reference kReferences[] = {
    {"referral", "from", "agency", ""},
    {"referral", "to", "agency", ""},
    {"source", "to", "agency", ""},
    {"agency", "when_full", "agency", "overflow:"},
    {"agency", "retrafficking.reenters", "agency", ""},
    {"deadline", "from", "agency", "arrival:"},
    {"deadline", "to", "agency", "arrival:"},
    {"change", "agency", "agency", ""},
    {"change", "source", "source", ""},
    {"change", "referral", "referral", ""},
    {"source", "profile", "profile", ""},
    {"agency", "initial_profile", "profile", ""},
    {"change", "profile", "profile", ""},
};

/// The value at a dotted key of `t`, or nullptr.
const toml::node* at_key(const toml::table& t, std::string_view dotted) {
  const toml::table* cur = &t;
  while (true) {
    const auto dot = dotted.find('.');
    const toml::node* n = cur->get(dotted.substr(0, dot));
    if (!n || dot == std::string_view::npos) return n;
    cur = n->as_table();
    if (!cur) return nullptr;
    dotted.remove_prefix(dot + 1);
  }
}

struct Removal {
  std::string collection;
  std::string address;
  std::size_t index;
  const toml::node* at;  ///< the string in [remove]
};

/// Fails at the removal of an element that a table left in `root` still names.
void check_dangling(const toml::table& root, const std::vector<Removal>& removals, const std::string& file) {
  for (const Removal& rm : removals) {
    for (const Reference& ref : kReferences) {
      if (ref.names != rm.collection) continue;
      const toml::array* arr = root[ref.collection].as_array();
      if (!arr) continue;
      const std::vector<std::string> addrs = addresses(arr, ref.collection);
      const std::string wanted = std::string(ref.prefix) + rm.address;
      for (std::size_t i = 0; i < arr->size(); ++i) {
        const toml::table* t = (*arr)[i].as_table();
        const toml::node* n = t ? at_key(*t, ref.key) : nullptr;
        if (!n || n->value<std::string>() != wanted) continue;
        std::string who = describe(ref.collection, addrs[i]);
        if (ref.collection == "change") {
          if (const toml::node* at = t->get("at")) who = "[[change]] at " + toml_inline(*at);
        }
        throw ScenarioError(where_of(rm.at->source(), file), "[remove] " + describe(rm.collection, rm.address) +
                                                                 ": removing it leaves a dangling reference: " + who +
                                                                 " (at " + where_of(t->source(), file).str() +
                                                                 ") names it in `" + std::string(ref.key) + " = \"" +
                                                                 wanted + "\"`; remove or change that too");
      }
    }
  }
}

/// A file's top-level [set]/[add]/[remove] without [variant]: say what is missing.
void reject_variant_sections_without_variant(const toml::table& root, const std::string& file) {
  for (const char* k : {"set", "add", "remove"}) {
    if (root.contains(k)) {
      auto it = root.find(k);
      throw ScenarioError(where_of(it->first.source(), file),
                          "'" + std::string(k) +
                              "' belongs in a variant, which needs a [variant] table naming its base "
                              "(base = \"scenario.toml\"); a scenario's top level holds: " +
                              schema::section("file").key_list());
    }
  }
}

std::string display(const fs::path& p) { return p.lexically_normal().string(); }

}  // namespace

std::string toml_inline(const toml::node& n) {
  switch (n.type()) {
    case toml::node_type::string: {
      std::string out = "\"";
      // The view first: a range-for over *optional-temporary would read the destroyed optional.
      const std::string_view text = *n.value<std::string_view>();
      for (const char c : text) {
        if (c == '"' || c == '\\') out += '\\';
        out += c;
      }
      return out + "\"";
    }
    case toml::node_type::integer: return std::to_string(*n.value<std::int64_t>());
    case toml::node_type::floating_point: {
      std::ostringstream os;
      os << std::setprecision(12) << *n.value<double>();
      return os.str();
    }
    case toml::node_type::boolean: return *n.value<bool>() ? "true" : "false";
    case toml::node_type::array: {
      std::string out = "[";
      for (const toml::node& e : *n.as_array()) out += (out.size() > 1 ? ", " : "") + toml_inline(e);
      return out + "]";
    }
    case toml::node_type::table: {
      std::string out = "{";
      for (auto&& [k, v] : *n.as_table()) {
        out += (out.size() > 1 ? ", " : " ") + std::string(k.str()) + " = " + toml_inline(v);
      }
      return out + (out.size() > 1 ? " }" : "}");
    }
    default: {  // dates and times: written back as TOML writes them
      std::ostringstream os;
      n.visit([&](auto&& v) { os << toml::toml_formatter(v); });
      return os.str();
    }
  }
}

void apply_changes(toml::table& root, toml::table& variant, const std::string& file) {
  const Reader r(file);
  // [remove] first resolved against the base, so that a [set] that changes a referral's `to`
  // cannot change which rule a removal names.
  std::vector<Removal> removals;
  if (toml::node* rn = variant.get("remove")) {
    const TableView rv(r, as_table(r, *rn, "[remove]"), "[remove]", schema::section("variant.remove"));
    rv.reject_unknown();
    for (auto&& [k, v] : rv.table()) {
      const std::string collection(k.str());
      if (!v.is_array()) {
        r.fail(v, "[remove] " + collection + " must be an array of " +
                      (collection == "referral" ? "referral keys, such as [\"a->b\"]" : "ids, such as [\"x\"]") +
                      ", got " + type_name(v));
      }
      const std::vector<std::string> addrs = addresses(root[collection].as_array(), collection);
      for (const toml::node& e : *v.as_array()) {
        if (!e.is_string()) r.fail(e, "[remove] " + collection + ": expected a string, got " + type_name(e));
        const std::string address(*e.value<std::string_view>());
        const auto it = std::find(addrs.begin(), addrs.end(), address);
        if (it == addrs.end()) {
          r.fail(e, "[remove] " + collection + ": unknown " + collection + " '" + address +
                        "'; known: " + known_list(addrs));
        }
        const auto index = static_cast<std::size_t>(it - addrs.begin());
        for (const Removal& before : removals) {
          if (before.collection == collection && before.index == index)
            r.fail(e, "[remove] " + describe(collection, address) + " is removed twice");
        }
        removals.push_back({collection, address, index, &e});
      }
    }
  }

  if (toml::node* sn = variant.get("set")) {
    toml::table& st = const_cast<toml::table&>(as_table(r, *sn, "[set]"));
    std::vector<SetEntry> entries;
    flatten(st, "", nullptr, entries);
    for (SetEntry& e : entries) {
      const Blame fail{where_of(e.key_at, file), "[set] \"" + e.path + "\": "};
      const Target t = resolve(root, e.path, fail);
      for (const Removal& rm : removals) {
        if (rm.collection == t.collection && rm.index == t.index) {
          fail(describe(rm.collection, rm.address) + " is also removed (at " + where_of(rm.at->source(), file).str() +
               "); set keys only of what stays");
        }
      }
      assign(t, *e.value, e.key_at);
    }
  }

  // Removals last index first, so that the indices still name the same elements.
  std::vector<const Removal*> order;
  for (const Removal& rm : removals) order.push_back(&rm);
  std::sort(order.begin(), order.end(), [](const Removal* a, const Removal* b) { return a->index > b->index; });
  for (const Removal* rm : order) {
    toml::array& arr = *root[rm->collection].as_array();
    arr.erase(arr.begin() + static_cast<std::ptrdiff_t>(rm->index));
  }

  if (toml::node* an = variant.get("add")) {
    const TableView av(r, as_table(r, *an, "[add]"), "[add]", schema::section("variant.add"));
    av.reject_unknown();
    for (auto&& [k, v] : const_cast<toml::table&>(av.table())) {
      const std::string collection(k.str());
      if (!v.is_array_of_tables()) {
        r.fail(v, "add." + collection + " must be an array of tables, written [[add." + collection + "]]");
      }
      toml::node* target = root.get(collection);
      if (!target) target = root.insert(collection, toml::array{}).first->second.as_array();
      if (!target->is_array()) r.fail(v, "the base's '" + collection + "' is not an array of tables");
      for (toml::node& e : *v.as_array()) target->as_array()->push_back(std::move(*e.as_table()));
    }
  }

  check_dangling(root, removals, file);
}

toml::table resolve_variant(toml::table root, const std::string& file, std::vector<fs::path>& chain) {
  if (!root.contains("variant")) {
    reject_variant_sections_without_variant(root, file);
    return root;
  }
  const Reader r(file);
  const TableView top(r, root, "the variant file", schema::section("variant.file"));
  top.reject_unknown();
  const TableView v(r, as_table(r, *top.find("variant"), "[variant]"), "[variant]", schema::section("variant"));
  v.reject_unknown();
  const toml::node& bn = v.require("base");
  const std::string base_text = v.string(bn, "base");
  if (base_text.empty()) r.fail(bn, "[variant]: base must name the scenario file this variant changes, got \"\"");
  const fs::path base = fs::path(file).parent_path() / base_text;
  std::error_code ec;
  if (!fs::exists(base, ec)) {
    r.fail(bn, "[variant]: base \"" + base_text + "\" does not exist (looked for " + display(base) +
                   "; a base is relative to the variant's directory)");
  }
  if (fs::is_directory(base, ec)) {
    r.fail(bn, "[variant]: base \"" + base_text + "\" is a directory; expected a scenario file (.toml)");
  }
  const fs::path self = fs::weakly_canonical(fs::absolute(file, ec), ec);
  const fs::path canonical_base = fs::weakly_canonical(base, ec);
  if (chain.empty() || chain.back() != self) chain.push_back(self);
  if (std::find(chain.begin(), chain.end(), canonical_base) != chain.end()) {
    std::string cycle;
    for (auto it = std::find(chain.begin(), chain.end(), canonical_base); it != chain.end(); ++it) {
      cycle += it->filename().string() + " → ";
    }
    r.fail(bn, "[variant]: a cycle of bases: " + cycle + canonical_base.filename().string());
  }
  if (chain.size() > kMaxBaseDepth) {
    r.fail(bn, "[variant]: bases nest more than " + std::to_string(kMaxBaseDepth) + " deep");
  }
  chain.push_back(canonical_base);  // a variant has one base: the chain is a line, never a tree
  toml::table merged = resolve_variant(parse_toml(read_scenario_file(base), display(base)), display(base), chain);

  // The variant's name and description replace the base's.
  toml::table* scenario = merged["scenario"].as_table();
  const std::string base_name = scenario ? (*scenario)["name"].value<std::string>().value_or("") : "";
  apply_changes(merged, root, file);
  if (scenario) {
    toml::table& vt = *root["variant"].as_table();
    for (const char* key : {"name", "description"}) {
      const auto it = vt.find(key);
      if (it == vt.end()) continue;
      const toml::key at(key, it->first.source());
      it->second.visit([&](auto&& x) { scenario->insert_or_assign(at, std::move(x)); });
    }
    if (!vt.contains("name") && !base_name.empty()) {
      scenario->insert_or_assign("name", base_name + " — variant " + fs::path(file).stem().string());
    }
  }
  return merged;
}

void apply_overrides(toml::table& root, const std::vector<std::string>& sets) {
  for (const std::string& s : sets) {
    const std::string label = "--set " + s;
    const Blame fail{SourceLocation{label, 0, 0}, ""};
    const auto eq = s.find('=');
    if (eq == std::string::npos || eq == 0) {
      fail("expected PATH=VALUE, such as agency.screening.servers=10 or referral.a->b.probability=0.8");
    }
    const std::string path = s.substr(0, eq), text = s.substr(eq + 1);
    // The value as TOML; what is not a single TOML value is a string (--set agency.x.when_full=turn_away).
    toml::table parsed;
    bool is_toml = false;
    try {
      parsed = toml::parse("v = " + text, label);
      is_toml = parsed.size() == 1 && parsed.contains("v");
    } catch (const toml::parse_error&) {
    }
    if (!is_toml) {
      std::string quoted = "v = \"";
      for (const char c : text) {
        const auto u = static_cast<unsigned char>(c);
        if (c == '"' || c == '\\') {
          quoted += '\\';
          quoted += c;
        } else if (u < 0x20 || u == 0x7F) {
          char esc[8];
          std::snprintf(esc, sizeof esc, "\\u%04X", u);
          quoted += esc;
        } else {
          quoted += c;
        }
      }
      try {
        parsed = toml::parse(quoted + "\"", label);
      } catch (const toml::parse_error& e) {
        fail("the value is neither TOML nor text: " + std::string(e.description()));
      }
    }
    const Target t = resolve(root, path, fail);
    assign(t, *parsed.get("v"), parsed.find("v")->first.source());
  }
}

toml::table load_table(const fs::path& path, const std::vector<std::string>& sets, std::vector<fs::path>* bases) {
  const std::string file = path.string();
  std::vector<fs::path> chain;
  toml::table root = resolve_variant(parse_toml(read_scenario_file(path), file), file, chain);
  if (bases && !chain.empty()) bases->assign(chain.begin() + 1, chain.end());
  apply_overrides(root, sets);
  return root;
}

}  // namespace refsim::detail
