// Sweep files: [sweep] and [[vary]] (sim/scenario/sweep_loader.hpp, docs/sweeps.md).
#include "sim/scenario/sweep_loader.hpp"

#include <sstream>
#include <stdexcept>

#include "sim/scenario/loader.hpp"
#include "sim/scenario/reader.hpp"
#include "sim/scenario/variant.hpp"

namespace refsim {

namespace fs = std::filesystem;

namespace {

using namespace detail;

constexpr const char* kSweepKeys = "scenario, replications, seed, set, indicators, where";

SourceLocation where_of(const std::string& file, const toml::source_region& r) {
  return {file, r.begin.line, r.begin.column};
}

/// The strings of `n`: one string, or an array of them.
std::vector<std::string> strings(const std::string& file, const toml::node& n, const std::string& what) {
  std::vector<std::string> out;
  if (const auto s = n.value<std::string>()) return {*s};
  if (const toml::array* a = n.as_array()) {
    for (const toml::node& e : *a) {
      const auto s = e.value<std::string>();
      if (!s) throw ScenarioError(where_of(file, e.source()), what + ": expected strings, got " + type_name(e));
      out.push_back(*s);
    }
    return out;
  }
  throw ScenarioError(where_of(file, n.source()),
                      what + ": expected a string or an array of strings, got " + type_name(n));
}

/// [[vary]] keys, dotted or quoted alike: "agency.x.beds" = … and agency.x.beds = … (an inline
/// table is a value, not a level of the path).
void flatten(const toml::table& t, const std::string& prefix,
             std::vector<std::pair<std::string, const toml::node*>>& out, std::vector<toml::source_region>& at) {
  for (auto&& [k, v] : t) {
    const std::string path = prefix.empty() ? std::string(k.str()) : prefix + "." + std::string(k.str());
    if (v.is_table() && !v.as_table()->is_inline()) {
      flatten(*v.as_table(), path, out, at);
    } else {
      out.emplace_back(path, &v);
      at.push_back(k.source());
    }
  }
}

}  // namespace

bool is_sweep_file(const fs::path& path) {
  try {
    const toml::table t = toml::parse_file(path.string());
    return t.contains("sweep");
  } catch (const std::exception&) {
    return false;
  }
}

SweepFile load_sweep_file(const fs::path& path) {
  const std::string file = path.string();
  const toml::table root = parse_toml(read_scenario_file(path), file);
  SweepFile out;
  for (auto&& [k, v] : root) {
    if (k != "sweep" && k != "vary") {
      throw ScenarioError(where_of(file, k.source()),
                          "unknown key '" + std::string(k.str()) + "' in a sweep file; expected one of: sweep, vary");
    }
  }
  const toml::table* sweep = root["sweep"].as_table();
  if (!sweep) {
    throw ScenarioError({file, 1, 1}, "a sweep file needs a [sweep] table naming its scenario (scenario = \"…\")");
  }
  toml::source_region where_at{};
  for (auto&& [k, v] : *sweep) {
    const std::string key(k.str());
    const SourceLocation at = where_of(file, v.source());
    if (key == "scenario") {
      const auto s = v.value<std::string>();
      if (!s || s->empty()) throw ScenarioError(at, "[sweep]: scenario must be the path of a scenario file");
      const fs::path p = fs::path(*s).is_absolute() ? fs::path(*s) : path.parent_path() / *s;
      std::error_code ec;
      if (!fs::is_regular_file(p, ec)) {
        throw ScenarioError(at, "[sweep]: scenario \"" + *s + "\" does not exist (looked for " +
                                    p.lexically_normal().string() + "; it is relative to the sweep file's directory)");
      }
      out.scenario = p.lexically_normal().string();
    } else if (key == "replications") {
      const auto r = v.value<std::int64_t>();
      if (!v.is_integer() || !r || *r < 1 || *r > 1000000)
        throw ScenarioError(at, "[sweep]: replications must be an integer from 1 to 1000000, got " + toml_inline(v));
      out.replications = static_cast<std::uint32_t>(*r);
    } else if (key == "seed") {
      const auto r = v.value<std::int64_t>();
      if (!v.is_integer() || !r || *r < 0) throw ScenarioError(at, "[sweep]: seed must be an integer >= 0");
      out.seed = static_cast<std::uint64_t>(*r);
    } else if (key == "set") {
      out.sets = strings(file, v, "[sweep]: set");
    } else if (key == "indicators") {
      out.indicators = strings(file, v, "[sweep]: indicators");
    } else if (key == "where") {
      out.spec.where = strings(file, v, "[sweep]: where");
      where_at = v.source();
    } else {
      throw ScenarioError(where_of(file, k.source()),
                          "unknown key '" + key + "' in [sweep]; expected one of: " + kSweepKeys);
    }
  }
  if (out.scenario.empty()) {
    throw ScenarioError(where_of(file, sweep->source()),
                        "[sweep]: missing required key 'scenario' (the scenario file)");
  }
  if (const toml::node* vary = root.get("vary")) {
    const toml::array* arr = vary->as_array();
    if (!arr || !arr->is_array_of_tables()) {
      throw ScenarioError(where_of(file, vary->source()),
                          "vary must be an array of tables: one [[vary]] per axis of the grid");
    }
    for (const toml::node& n : *arr) {
      const toml::table& t = *n.as_table();
      std::vector<std::pair<std::string, const toml::node*>> keys;
      std::vector<toml::source_region> at;
      flatten(t, "", keys, at);
      if (keys.empty()) {
        throw ScenarioError(where_of(file, t.source()), "[[vary]]: no parameter; write \"PATH\" = VALUES");
      }
      SweepAxis axis;
      for (std::size_t i = 0; i < keys.size(); ++i) {
        const auto& [p, node] = keys[i];
        SweepParameter param;
        param.path = p;
        const SourceLocation loc = where_of(file, node->source());
        if (const toml::array* values = node->as_array()) {
          for (const toml::node& e : *values) param.values.push_back(toml_inline(e));
          if (param.values.empty()) throw ScenarioError(loc, "[[vary]] \"" + p + "\": no values");
        } else if (const auto s = node->value<std::string>()) {
          try {
            param.values = parse_sweep_values(*s);
          } catch (const std::invalid_argument& e) {
            throw ScenarioError(loc, "[[vary]] \"" + p + "\": " + e.what());
          }
        } else if (node->is_table()) {
          param.values = {toml_inline(*node)};
        } else {
          param.values = {toml_inline(*node)};
        }
        if (!axis.parameters.empty() && param.values.size() != axis.parameters.front().values.size()) {
          throw ScenarioError(loc, "[[vary]] \"" + p + "\": " + std::to_string(param.values.size()) +
                                       " values, but it varies in lockstep with \"" + axis.parameters.front().path +
                                       "\", which has " + std::to_string(axis.parameters.front().values.size()) +
                                       " (keys of one [[vary]] vary together; give each axis a [[vary]] of its own)");
        }
        axis.parameters.push_back(std::move(param));
      }
      out.spec.axes.push_back(std::move(axis));
    }
  }
  // The grid and the constraint, checked here to be located (the command line may add axes).
  if (!out.spec.axes.empty()) {
    try {
      (void)expand_sweep(out.spec);
    } catch (const std::invalid_argument& e) {
      const std::string m = e.what();
      const bool constraint = m.rfind("--where", 0) == 0 || m.find("constraint") != std::string::npos;
      if (constraint && where_at.begin.line) throw ScenarioError(where_of(file, where_at), "[sweep]: where: " + m);
      // Other grid problems (a path swept twice, too many combinations): at the first [[vary]].
      throw ScenarioError(where_of(file, root.get("vary")->source()), m);
    }
  }
  return out;
}

std::string scenario_fingerprint(const fs::path& path, const std::vector<std::string>& sets) {
  const toml::table t = load_table(path, sets);
  std::ostringstream os;
  os << toml::toml_formatter{t};
  return fnv1a_hex(os.str());
}

}  // namespace refsim
