#include "sim/scenario/loader.hpp"

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstring>
#include <fstream>
#include <functional>
#include <initializer_list>
#include <map>
#include <set>
#include <sstream>
#include <variant>

#include <toml++/toml.h>

#include "sim/model/parameters.hpp"
#include "sim/scenario/changes.hpp"

namespace refsim {
namespace {

// ---------------------------------------------------------------------------------------------
// Helpers that turn TOML nodes into values, with located errors.

class Reader {
 public:
  explicit Reader(std::string file) : file_(std::move(file)) {}

  SourceLocation at(const toml::source_region& r) const { return {file_, r.begin.line, r.begin.column}; }
  SourceLocation at(const toml::node& n) const { return at(n.source()); }

  [[noreturn]] void fail(const toml::node& n, const std::string& msg) const { throw ScenarioError(at(n), msg); }
  [[noreturn]] void fail(const SourceLocation& w, const std::string& msg) const { throw ScenarioError(w, msg); }

  const std::string& file() const { return file_; }

 private:
  std::string file_;
};

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
    case toml::node_type::array: return "an array";
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

/// A table being read: remembers which keys were used so that the rest can be rejected.
class TableView {
 public:
  TableView(const Reader& r, const toml::table& t, std::string context, std::vector<std::string> allowed)
      : r_(r), t_(t), context_(std::move(context)), allowed_(std::move(allowed)) {}

  /// Rejects any key not in the allowed list, at the key's position.
  void reject_unknown() const {
    for (auto&& [k, v] : t_) {
      if (std::find(allowed_.begin(), allowed_.end(), k.str()) == allowed_.end()) {
        r_.fail(SourceLocation{r_.file(), k.source().begin.line, k.source().begin.column},
                "unknown key '" + std::string(k.str()) + "' in " + context_ + "; expected one of: " + join(allowed_));
      }
    }
  }

  const std::string& context() const { return context_; }
  const toml::table& table() const { return t_; }
  const Reader& reader() const { return r_; }

  const toml::node* find(std::string_view key) const { return t_.get(key); }

  const toml::node& require(std::string_view key, std::string_view what) const {
    const toml::node* n = t_.get(key);
    if (!n) r_.fail(t_, context_ + ": missing required key '" + std::string(key) + "' (" + std::string(what) + ")");
    return *n;
  }

  [[noreturn]] void fail(const toml::node& n, std::string_view key, const std::string& msg) const {
    r_.fail(n, context_ + ": " + std::string(key) + " " + msg);
  }

  std::string string(std::string_view key, std::string_view what, bool required, std::string dflt = {}) const {
    const toml::node* n = required ? &require(key, what) : find(key);
    if (!n) return dflt;
    if (!n->is_string()) fail(*n, key, "must be a string (" + std::string(what) + "), got " + type_name(*n));
    return std::string(*n->value<std::string_view>());
  }

  double number(const toml::node& n, std::string_view key) const {
    if (n.is_integer()) return static_cast<double>(*n.value<std::int64_t>());
    if (n.is_floating_point()) {
      const double v = *n.value<double>();
      if (!std::isfinite(v)) fail(n, key, "must be a finite number, got " + type_name(n));
      return v;
    }
    fail(n, key, "must be a number, got " + type_name(n));
  }

  double probability(std::string_view key, bool required, double dflt) const {
    const toml::node* n = required ? &require(key, "a probability between 0 and 1") : find(key);
    if (!n) return dflt;
    const double p = number(*n, key);
    if (p < 0 || p > 1)
      fail(*n, key, "must be a probability between 0 and 1, got " + type_name(*n).substr(type_name(*n).find(' ') + 1));
    return p;
  }

  std::int64_t integer(const toml::node& n, std::string_view key, std::string_view expected) const {
    if (!n.is_integer()) fail(n, key, "must be " + std::string(expected) + ", got " + type_name(n));
    return *n.value<std::int64_t>();
  }

  /// A duration: a number of days or a string with a unit.
  double duration(const toml::node& n, std::string_view key) const {
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

  /// A rate: a number per day or a string such as "3/h".
  double rate(const toml::node& n, std::string_view key) const {
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

 private:
  const Reader& r_;
  const toml::table& t_;
  std::string context_;
  std::vector<std::string> allowed_;
};

const toml::table& as_table(const Reader& r, const toml::node& n, const std::string& what) {
  if (!n.is_table()) r.fail(n, what + " must be a table, got " + type_name(n));
  return *n.as_table();
}

// ---------------------------------------------------------------------------------------------
// Distributions: { dist = "exponential", mean = "2h" } or a bare duration (deterministic).

DistributionSpec read_distribution(const Reader& r, const toml::node& node, const std::string& context,
                                   std::string_view key) {
  const std::string ctx = context + ": " + std::string(key);
  if (node.is_string() || node.is_number()) {
    static const toml::table kEmpty;
    const TableView dummy(r, kEmpty, ctx, {});
    DistributionSpec s = DistributionSpec::constant(dummy.duration(node, "value"));
    if (!(s.p0 > 0)) r.fail(node, ctx + " must be > 0, got " + format_duration(s.p0));
    return s;
  }
  if (!node.is_table()) {
    r.fail(node, ctx + " must be a distribution such as { dist = \"exponential\", mean = \"2d\" } or a duration, got " +
                     type_name(node));
  }
  const toml::table& t = *node.as_table();
  const toml::node* dn = t.get("dist");
  if (!dn)
    r.fail(node, ctx +
                     ": missing required key 'dist' (exponential, deterministic, uniform, triangular, lognormal, "
                     "gamma, erlang, weibull, empirical, pert)");
  if (!dn->is_string()) r.fail(*dn, ctx + ": dist must be a string, got " + type_name(*dn));
  const std::string dist(*dn->value<std::string_view>());

  static const std::map<std::string, std::pair<DistKind, std::vector<std::string>>> kKinds = {
      {"exponential", {DistKind::exponential, {"dist", "mean"}}},
      {"deterministic", {DistKind::deterministic, {"dist", "value"}}},
      {"uniform", {DistKind::uniform, {"dist", "min", "max"}}},
      {"triangular", {DistKind::triangular, {"dist", "min", "mode", "max"}}},
      {"lognormal", {DistKind::lognormal, {"dist", "mean", "sd"}}},
      {"gamma", {DistKind::gamma, {"dist", "mean", "cv", "shape", "scale"}}},
      {"erlang", {DistKind::erlang, {"dist", "k", "mean"}}},
      {"weibull", {DistKind::weibull, {"dist", "shape", "scale"}}},
      {"empirical", {DistKind::empirical, {"dist", "values", "weights"}}},
      {"pert", {DistKind::pert, {"dist", "min", "mode", "max"}}},
  };
  const auto it = kKinds.find(dist);
  if (it == kKinds.end()) {
    std::vector<std::string> names;
    for (const auto& [n, _] : kKinds) names.push_back(n);
    r.fail(*dn, ctx + ": unknown distribution '" + dist + "'; known: " + join(names));
  }
  const TableView v(r, t, ctx + " (" + dist + ")", it->second.second);
  v.reject_unknown();
  DistributionSpec s;
  s.kind = it->second.first;

  // A positive duration parameter, located at its value when wrong.
  auto pos_duration = [&](std::string_view k) {
    const toml::node& n = v.require(k, "a duration");
    const double d = v.duration(n, k);
    if (!(d > 0)) v.fail(n, k, "must be > 0, got " + format_duration(d));
    return d;
  };
  auto nonneg_duration = [&](std::string_view k) {
    const toml::node& n = v.require(k, "a duration");
    const double d = v.duration(n, k);
    if (d < 0) v.fail(n, k, "must be >= 0, got " + format_duration(d));
    return d;
  };
  auto pos_number = [&](std::string_view k) {
    const toml::node& n = v.require(k, "a number");
    const double d = v.number(n, k);
    if (!(d > 0)) v.fail(n, k, "must be > 0, got " + type_name(n));
    return d;
  };

  switch (s.kind) {
    case DistKind::exponential: s.p0 = pos_duration("mean"); break;
    case DistKind::deterministic: s.p0 = pos_duration("value"); break;
    case DistKind::uniform:
      s.p0 = nonneg_duration("min");
      s.p1 = nonneg_duration("max");
      break;
    case DistKind::triangular:
      s.p0 = nonneg_duration("min");
      s.p1 = nonneg_duration("mode");
      s.p2 = nonneg_duration("max");
      break;
    case DistKind::lognormal:
      s.p0 = pos_duration("mean");
      s.p1 = pos_duration("sd");
      break;
    case DistKind::gamma: {
      const bool mean_cv = t.get("mean") || t.get("cv");
      const bool shape_scale = t.get("shape") || t.get("scale");
      if (mean_cv == shape_scale) r.fail(node, ctx + ": gamma takes either {mean, cv} or {shape, scale}");
      if (mean_cv) {
        const double mean = pos_duration("mean");
        const double cv = pos_number("cv");
        s.p0 = 1.0 / (cv * cv);
        s.p1 = mean * cv * cv;
      } else {
        s.p0 = pos_number("shape");
        s.p1 = pos_duration("scale");
      }
      break;
    }
    case DistKind::erlang: {
      const toml::node& kn = v.require("k", "an integer >= 1");
      const auto k = v.integer(kn, "k", "an integer >= 1");
      if (k < 1) v.fail(kn, "k", "must be an integer >= 1, got " + std::to_string(k));
      s.p0 = static_cast<double>(k);
      s.p1 = pos_duration("mean");
      break;
    }
    case DistKind::weibull:
      s.p0 = pos_number("shape");
      s.p1 = pos_duration("scale");
      break;
    case DistKind::empirical: {
      const toml::node& vn = v.require("values", "an array of durations");
      if (!vn.is_array() || vn.as_array()->empty())
        v.fail(vn, "values", "must be a non-empty array of durations, got " + type_name(vn));
      for (const toml::node& e : *vn.as_array()) {
        const double d = v.duration(e, "values");
        if (d < 0) v.fail(e, "values", "must be durations >= 0, got " + format_duration(d));
        s.values.push_back(d);
      }
      if (const toml::node* wn = v.find("weights")) {
        if (!wn->is_array()) v.fail(*wn, "weights", "must be an array of numbers, got " + type_name(*wn));
        for (const toml::node& e : *wn->as_array()) {
          const double w = v.number(e, "weights");
          if (w < 0) v.fail(e, "weights", "must be numbers >= 0, got " + type_name(e));
          s.weights.push_back(w);
        }
      }
      break;
    }
    case DistKind::pert: {
      // Located at the value at fault, unlike the generic check after the switch.
      s.p0 = nonneg_duration("min");
      const toml::node& mode = v.require("mode", "a duration");
      s.p1 = v.duration(mode, "mode");
      const toml::node& max = v.require("max", "a duration");
      s.p2 = v.duration(max, "max");
      if (!(s.p2 > s.p0)) v.fail(max, "max", "must be greater than min, got " + format_duration(s.p2));
      if (!(s.p0 <= s.p1 && s.p1 <= s.p2))
        v.fail(mode, "mode", "must lie between min and max, got " + format_duration(s.p1));
      break;
    }
  }
  try {
    validate_distribution(s);
  } catch (const std::invalid_argument& e) {
    r.fail(node, ctx + " (" + dist + "): " + e.what());
  }
  return s;
}

// ---------------------------------------------------------------------------------------------

/// Records `id` (declared in table `t`) in `ids`, or fails at its position naming the first
/// declaration. `what` prefixes "id" in the message ("", "profile ", …); `note` is appended.
void claim_id(const Reader& r, std::map<std::string, SourceLocation>& ids, const std::string& id, const toml::table& t,
              const std::string& what, const std::string& note = "") {
  if (auto [it, fresh] = ids.emplace(id, r.at(*t.get("id"))); !fresh) {
    r.fail(*t.get("id"), "duplicate " + what + "id '" + id + "' (first declared at " + it->second.str() + note + ")");
  }
}

std::string checked_id(const TableView& v, std::string_view key) {
  const toml::node& n = v.require(key, "an identifier of lowercase letters, digits and _");
  if (!n.is_string()) v.fail(n, key, "must be a string, got " + type_name(n));
  const std::string id(*n.value<std::string_view>());
  const bool ok = !id.empty() && std::all_of(id.begin(), id.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
  });
  if (!ok) v.fail(n, key, "must match [a-z0-9_]+, got \"" + id + "\"");
  return id;
}

/// The array of tables `[[name]]`, or nothing.
std::vector<const toml::table*> tables_of(const Reader& r, const toml::table& root, std::string_view name) {
  std::vector<const toml::table*> out;
  const toml::node* n = root.get(name);
  if (!n) return out;
  if (!n->is_array_of_tables()) {
    r.fail(*n, "'" + std::string(name) + "' must be an array of tables, written [[" + std::string(name) + "]]");
  }
  for (const toml::node& e : *n->as_array()) out.push_back(e.as_table());
  return out;
}

void read_run(const Reader& r, const toml::table& root, Scenario& s) {
  const toml::node* rn = root.get("run");
  if (!rn) r.fail(SourceLocation{r.file(), 1, 1}, "missing required table [run] (with at least horizon = \"365d\")");
  const TableView v(r, as_table(r, *rn, "[run]"), "[run]", {"horizon", "warmup", "replications", "seed"});
  v.reject_unknown();
  const toml::node& hn = v.require("horizon", "total simulated time, e.g. \"365d\"");
  s.run.horizon = v.duration(hn, "horizon");
  if (!(s.run.horizon > 0)) v.fail(hn, "horizon", "must be > 0, got " + format_duration(s.run.horizon));
  if (const toml::node* wn = v.find("warmup")) {
    s.run.warmup = v.duration(*wn, "warmup");
    if (s.run.warmup < 0) v.fail(*wn, "warmup", "must be >= 0, got " + format_duration(s.run.warmup));
    if (s.run.warmup >= s.run.horizon) {
      v.fail(
          *wn, "warmup",
          "(" + format_duration(s.run.warmup) + ") must be less than horizon (" + format_duration(s.run.horizon) + ")");
    }
  }
  if (const toml::node* n = v.find("replications")) {
    const auto reps = v.integer(*n, "replications", "an integer >= 1");
    if (reps < 1 || reps > 1000000)
      v.fail(*n, "replications", "must be an integer between 1 and 1000000, got " + std::to_string(reps));
    s.run.replications = static_cast<std::uint32_t>(reps);
  }
  if (const toml::node* n = v.find("seed")) {
    const auto seed = v.integer(*n, "seed", "an integer >= 0");
    if (seed < 0) v.fail(*n, "seed", "must be an integer >= 0, got " + std::to_string(seed));
    s.run.seed = static_cast<std::uint64_t>(seed);
  }
}

/// The index of a state attribute named in a milestone or a decision, or nothing.
std::optional<std::uint32_t> state_attribute(std::string_view name) {
  if (name == "presumed") return attr::kPresumed;
  if (name == "reasonable_grounds") return attr::kReasonableGrounds;
  if (name == "identified") return attr::kIdentified;
  if (name == "convicted") return attr::kConvicted;
  return std::nullopt;
}
constexpr const char* kStateList = "presumed, reasonable_grounds, identified, convicted";
constexpr const char* kMilestoneForms =
    "\"entered\", \"arrival:<agency>\", \"decided:<state>\" or \"positive:<state>\"";

/// A probability — or, with `is_rate`, a rate — that may also be written as an expert range
/// `{ dist = "pert", min = …, mode = …, max = … }`: the range is recorded in s.uncertain (drawn
/// once per replication, from the stream `<stream>:<key>`) and its PERT mean returned.
double read_uncertain(const TableView& v, Scenario& s, std::string_view key, bool required, double dflt,
                      UncertainParameter::Target target, std::uint32_t index, const std::string& stream,
                      bool is_rate = false) {
  const toml::node* n = v.find(key);
  if (!n || !n->is_table()) {
    if (!is_rate) return v.probability(key, required, dflt);
    const toml::node& rn = n ? *n : v.require(key, "a rate such as \"3/w\"");
    return v.rate(rn, key);
  }
  const TableView pv(v.reader(), *n->as_table(), v.context() + ": " + std::string(key), {"dist", "min", "mode", "max"});
  pv.reject_unknown();
  const std::string dist = pv.string("dist", "\"pert\"", true);
  if (dist != "pert")
    pv.fail(*pv.find("dist"), "dist",
            "must be \"pert\" (an expert range { dist = \"pert\", min, mode, max }), got \"" + dist + "\"");
  auto value = [&](std::string_view k) {
    if (!is_rate) return pv.probability(k, true, 0);
    const toml::node& kn = pv.require(k, "a rate such as \"3/w\"");
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

Decision read_decision(const Reader& r, const TableView& agency, const toml::node& node, Scenario& s) {
  using T = UncertainParameter::Target;
  const auto index = static_cast<std::uint32_t>(s.agencies.size());  // the agency being read
  if (!node.is_table()) {
    agency.fail(node, "decision",
                "must be a table such as { sets = \"presumed\", sensitivity = 0.8, specificity = 0.9 }, got " +
                    type_name(node));
  }
  const TableView v(r, *node.as_table(), agency.context() + ": decision",
                    {"sets", "sensitivity", "specificity", "positive_rate"});
  v.reject_unknown();
  Decision d;
  const std::string sets = v.string("sets", std::string("the state it decides: ") + kStateList, true);
  const auto st = state_attribute(sets);
  if (!st) v.fail(*v.find("sets"), "sets", "names unknown state '" + sets + "'; known: " + kStateList);
  d.sets = *st;
  const bool rate = v.find("positive_rate") != nullptr;
  const bool accuracy = v.find("sensitivity") || v.find("specificity");
  if (rate == accuracy) {
    r.fail(node, v.context() +
                     ": give either sensitivity and specificity (P(positive | victim), P(negative | not a "
                     "victim)) or positive_rate, not both");
  }
  d.by_accuracy = accuracy;
  const std::string stream = agency.table().get("id")->value_or(std::string{}) + ":decision";
  d.sensitivity = read_uncertain(v, s, "sensitivity", accuracy, 1, T::sensitivity, index, stream);
  d.specificity = read_uncertain(v, s, "specificity", accuracy, 1, T::specificity, index, stream);
  d.positive_rate = read_uncertain(v, s, "positive_rate", rate, 0, T::positive_rate, index, stream);
  return d;
}

Milestone read_milestone(const TableView& v, const Scenario& s, std::string_view key);

/// `withdrawal = 0.3` or `{ unsupported = 0.35, supported = 0.12 }`.
/// Either form may use expert ranges; a single range applies (one draw) to both.
void read_withdrawal(const Reader& r, const TableView& agency, const toml::node& n, Agency& a, Scenario& s) {
  using T = UncertainParameter::Target;
  const auto index = static_cast<std::uint32_t>(s.agencies.size());
  if (n.is_number() || (n.is_table() && n.as_table()->contains("dist"))) {
    const std::size_t ranges = s.uncertain.size();
    a.withdrawal = read_uncertain(agency, s, "withdrawal", true, 0, T::withdrawal, index, a.id);
    a.withdrawal_supported = a.withdrawal;
    if (s.uncertain.size() > ranges) {               // a range was read
      UncertainParameter both = s.uncertain.back();  // same stream key: the same draw
      both.target = T::withdrawal_supported;
      s.uncertain.push_back(both);
    }
    return;
  }
  if (!n.is_table())
    agency.fail(n, "withdrawal",
                "must be a probability or a table { unsupported = 0.35, supported = 0.12 }, got " + type_name(n));
  const TableView v(r, *n.as_table(), agency.context() + ": withdrawal", {"unsupported", "supported"});
  v.reject_unknown();
  a.withdrawal = read_uncertain(v, s, "unsupported", true, 0, T::withdrawal, index, a.id + ":withdrawal");
  a.withdrawal_supported =
      read_uncertain(v, s, "supported", true, 0, T::withdrawal_supported, index, a.id + ":withdrawal");
}

/// `not_before = { after = "positive:reasonable_grounds", gap = "30d" }`.
NotBefore read_not_before(const Reader& r, const TableView& agency, const toml::node& n, const Scenario& s) {
  if (!n.is_table())
    agency.fail(
        n, "not_before",
        "must be a table such as { after = \"positive:reasonable_grounds\", gap = \"30d\" }, got " + type_name(n));
  const TableView v(r, *n.as_table(), agency.context() + ": not_before", {"after", "gap"});
  v.reject_unknown();
  NotBefore nb;
  // Arrivals are not recorded per person and agency: only entry and decisions can start a gap.
  const std::string after = v.string("after", "a milestone", true);
  if (after.rfind("arrival:", 0) == 0)
    v.fail(*v.find("after"), "after",
           "must be \"entered\", \"decided:<state>\" or \"positive:<state>\", got \"" + after + "\"");
  nb.after = read_milestone(v, s, "after");
  const toml::node& gn = v.require("gap", "a duration such as \"30d\"");
  nb.gap = v.duration(gn, "gap");
  if (!(nb.gap > 0)) v.fail(gn, "gap", "must be > 0, got " + format_duration(nb.gap));
  return nb;
}

const std::vector<std::string> kAgencyKeys = {
    "id",         "name",     "kind",      "country",       "servers",         "beds",       "service",
    "position",   "decision", "patience",  "initial_cases", "initial_profile", "when_full",  "hours",
    "not_before", "supports", "interview", "provides",      "stage",           "withdrawal", "retrafficking"};

void read_agencies(const Reader& r, const toml::table& root, Scenario& s, std::map<std::string, SourceLocation>& ids) {
  for (const toml::table* t : tables_of(r, root, "agency")) {
    const TableView pre(r, *t, "[[agency]]", kAgencyKeys);
    Agency a;
    a.id = checked_id(pre, "id");
    a.where = r.at(*t);
    const TableView v(r, *t, "agency '" + a.id + "'", kAgencyKeys);
    v.reject_unknown();
    claim_id(r, ids, a.id, *t, "");
    a.name = v.string("name", "a display name", false, a.id);
    a.kind = v.string("kind", "the kind of agency, e.g. \"ngo\"", false);
    a.country = v.string("country", "a country code such as \"NA\"", false);
    const toml::node* bn = v.find("beds");
    if (bn && v.find("servers")) v.fail(*bn, "beds", "replaces servers: give one or the other");
    if (bn) {
      const auto beds = v.integer(*bn, "beds", "an integer >= 0");
      if (beds < 0 || beds > 1000000)
        v.fail(*bn, "beds", "must be an integer between 0 and 1000000, got " + std::to_string(beds));
      a.residential = true;
      a.servers = static_cast<std::uint32_t>(beds);
    } else if (const toml::node& sn =
                   v.require("servers", "an integer >= 1 or \"unlimited\"; or beds = N for a residential agency");
               sn.is_string() && *sn.value<std::string_view>() == "unlimited") {
      a.unlimited = true;
    } else {
      if (!sn.is_integer()) v.fail(sn, "servers", "must be an integer >= 1 or \"unlimited\", got " + type_name(sn));
      const auto c = *sn.value<std::int64_t>();
      if (c < 1 || c > 1000000)
        v.fail(sn, "servers", "must be an integer >= 1 or \"unlimited\", got " + std::to_string(c));
      a.servers = static_cast<std::uint32_t>(c);
    }
    a.service = read_distribution(r, v.require("service", "a service-time distribution"), v.context(), "service");
    if (const toml::node* pn = v.find("position")) {
      const toml::array* arr = pn->as_array();
      if (!arr || arr->size() != 2)
        v.fail(*pn, "position", "must be an array of two numbers [x, y], got " + type_name(*pn));
      a.position = std::pair{v.number((*arr)[0], "position"), v.number((*arr)[1], "position")};
    }
    if (const toml::node* dn = v.find("decision")) a.decision = read_decision(r, v, *dn, s);
    if (const toml::node* pn = v.find("patience")) {
      if (a.unlimited) v.fail(*pn, "patience", "has no effect: with servers = \"unlimited\" nobody waits");
      a.patience = read_distribution(r, *pn, v.context(), "patience");
    }
    if (const toml::node* in = v.find("initial_cases")) {
      const auto n = v.integer(*in, "initial_cases", "an integer >= 0");
      if (n < 0 || n > 4000000)
        v.fail(*in, "initial_cases", "must be an integer between 0 and 4000000, got " + std::to_string(n));
      a.initial_cases = static_cast<std::uint32_t>(n);
    }
    if (const toml::node* n = v.find("not_before")) a.not_before = read_not_before(r, v, *n, s);
    if (const toml::node* n = v.find("hours")) {
      if (!n->is_table())
        v.fail(
            *n, "hours",
            "must be a table such as { days = \"mon-fri\", from = \"09:00\", to = \"17:00\" }, got " + type_name(*n));
      const TableView hv(r, *n->as_table(), v.context() + ": hours", {"days", "from", "to"});
      hv.reject_unknown();
      const std::string days = hv.string("days", "weekdays such as \"mon-fri\"", true);
      const std::string from = hv.string("from", "an opening time such as \"09:00\"", true);
      const std::string to = hv.string("to", "a closing time such as \"17:00\"", true);
      try {
        a.hours = WorkCalendar::parse(days, from, to);
      } catch (const std::invalid_argument& e) {
        // The message names the part at fault first ("days …", "from …", "to …").
        const std::string msg = e.what();
        const std::string part = msg.substr(0, msg.find(' '));
        const toml::node* at = hv.find(part);
        r.fail(at ? *at : *n, hv.context() + ": " + msg);
      }
      if (a.unlimited) v.fail(*n, "hours", "cannot apply to servers = \"unlimited\" (a pure delay)");
    }
    auto flag = [&](std::string_view key) {
      const toml::node* n = v.find(key);
      if (!n) return false;
      if (!n->is_boolean()) v.fail(*n, key, "must be true or false, got " + type_name(*n));
      return *n->value<bool>();
    };
    a.supports = flag("supports");
    a.interview = flag("interview");
    if (const toml::node* n = v.find("provides")) {
      const std::string known = [] {
        std::string k;
        for (auto need : kNeeds) k += (k.empty() ? "" : ", ") + std::string(need);
        return k;
      }();
      if (!n->is_array()) v.fail(*n, "provides", "must be an array of needs (" + known + "), got " + type_name(*n));
      for (const toml::node& e : *n->as_array()) {
        const auto* str = e.as_string();
        const auto it = str ? std::find(kNeeds.begin(), kNeeds.end(), str->get()) : kNeeds.end();
        if (it == kNeeds.end())
          v.fail(e, "provides",
                 "must name needs (" + known + "), got " + (str ? "\"" + str->get() + "\"" : type_name(e)));
        a.provides.push_back(static_cast<std::uint32_t>(it - kNeeds.begin()));
      }
    }
    if (const toml::node* n = v.find("stage")) {
      static const std::map<std::string, Stage, std::less<>> kStages = {{"investigation", Stage::investigation},
                                                                        {"prosecution", Stage::prosecution},
                                                                        {"trial", Stage::trial},
                                                                        {"return", Stage::return_home},
                                                                        {"reintegration", Stage::reintegration}};
      const std::string st = v.string("stage", "a stage", true);
      const auto it = kStages.find(st);
      if (it == kStages.end())
        v.fail(*n, "stage",
               "must be one of investigation, prosecution, trial, return, reintegration, got \"" + st + "\"");
      a.stage = it->second;
    }
    if (const toml::node* n = v.find("withdrawal")) read_withdrawal(r, v, *n, a, s);
    if (const toml::node* n = v.find("retrafficking")) {
      if (!n->is_table())
        v.fail(*n, "retrafficking",
               "must be a table { probability = 0.08, after = <a distribution>, reenters = \"<agency>\" }, got " +
                   type_name(*n));
      const TableView rv(r, *n->as_table(), v.context() + ": retrafficking", {"probability", "after", "reenters"});
      rv.reject_unknown();
      Retrafficking rt;
      rt.probability = read_uncertain(rv, s, "probability", true, 0, UncertainParameter::Target::retrafficking,
                                      static_cast<std::uint32_t>(s.agencies.size()), a.id + ":retrafficking");
      rt.after = read_distribution(r, rv.require("after", "a distribution of the delay before re-entry"), rv.context(),
                                   "after");
      (void)rv.require("reenters", "the agency where the person re-enters");  // resolved in read_agency_links
      a.retrafficking = rt;
    }
    s.agencies.push_back(std::move(a));
  }
  if (s.agencies.empty()) {
    r.fail(SourceLocation{r.file(), 1, 1}, "no [[agency]] declared; a scenario needs at least one agency");
  }
}

AgencyId agency_ref(const TableView& v, const Scenario& s, std::string_view key, std::string_view what) {
  const std::string id = v.string(key, what, true);
  const auto found = s.find_agency(id);
  if (!found) v.fail(*v.find(key), key, "names unknown agency '" + id + "'; known: " + s.agency_list());
  return *found;
}

/// The profile named by `key`, or a located error listing the known profiles.
ProfileId profile_ref(const TableView& v, const Scenario& s, std::string_view key) {
  const std::string id = v.string(key, "a profile id", true);
  std::string known;
  for (ProfileId p = 0; p < s.profiles.size(); ++p) {
    if (s.profiles[p].id == id) return p;
    known += (known.empty() ? "" : ", ") + s.profiles[p].id;
  }
  v.fail(*v.find(key), key, "names unknown profile '" + id + "'; known: " + known);
}

void read_sources(const Reader& r, const toml::table& root, Scenario& s, std::map<std::string, SourceLocation>& ids) {
  for (const toml::table* t : tables_of(r, root, "source")) {
    const std::vector<std::string> keys = {"id", "to", "rate", "profile", "seasonality", "at", "cases"};
    const TableView pre(r, *t, "[[source]]", keys);
    Source src;
    src.id = checked_id(pre, "id");
    src.where = r.at(*t);
    const TableView v(r, *t, "source '" + src.id + "'", keys);
    v.reject_unknown();
    claim_id(r, ids, src.id, *t, "", "; agencies and sources share one namespace");
    src.to = agency_ref(v, s, "to", "the agency where cases enter");
    const toml::node* an = v.find("at");
    if (an) {
      if (!an->is_array() || an->as_array()->empty())
        v.fail(*an, "at", "must be a non-empty array of times (durations from the start), got " + type_name(*an));
      for (const toml::node& e : *an->as_array()) {
        const Time when = v.duration(e, "at");
        if (when < 0) v.fail(e, "at", "must be times >= 0, got " + format_duration(when));
        if (!src.batches.empty() && when < src.batches.back()) v.fail(e, "at", "must be in increasing order");
        src.batches.push_back(when);
      }
      const toml::node& cn = v.require("cases", "the number of cases in each batch");
      const auto n = v.integer(cn, "cases", "an integer >= 1");
      if (n < 1 || n > 1000000)
        v.fail(cn, "cases", "must be an integer between 1 and 1000000, got " + std::to_string(n));
      src.batch_size = static_cast<std::uint32_t>(n);
    } else if (const toml::node* cn = v.find("cases")) {
      v.fail(*cn, "cases", "has no effect without at = [times of the batches]");
    }
    if (const toml::node* rn = an ? v.find("rate")
                                  : &v.require("rate",
                                               "Poisson arrivals per day, or a string such as \"3/w\"; "
                                               "or batches: at = [times], cases = N")) {
      src.rate_per_day = read_uncertain(v, s, "rate", true, 0, UncertainParameter::Target::source_rate,
                                        static_cast<std::uint32_t>(s.sources.size()), src.id, true);
      if (!(src.rate_per_day > 0)) {
        v.fail(*rn, "rate",
               rn->is_table() ? "must be > 0 per day: the range's mean, (min + 4 mode + max) / 6, is 0"
                              : "must be > 0 per day, got " + type_name(*rn));
      }
    }
    if (const toml::node* n = v.find("seasonality")) {
      const toml::array* arr = n->as_array();
      if (!arr || arr->size() != 12)
        v.fail(*n, "seasonality", "must be an array of 12 monthly factors (January to December), got " + type_name(*n));
      if (src.rate_per_day == 0) v.fail(*n, "seasonality", "has no effect without a rate");
      for (const toml::node& e : *arr) {
        const double f = v.number(e, "seasonality");
        if (f < 0) v.fail(e, "seasonality", "must be factors >= 0, got " + type_name(e));
        src.seasonality.push_back(f);
      }
      if (*std::max_element(src.seasonality.begin(), src.seasonality.end()) == 0)
        v.fail(*n, "seasonality", "has every factor 0: the source would never produce a case");
    }
    if (v.find("profile")) src.profile = profile_ref(v, s, "profile");
    s.sources.push_back(std::move(src));
  }
  if (s.sources.empty()) {
    r.fail(SourceLocation{r.file(), 1, 1}, "no [[source]] declared; cases would never enter the mechanism");
  }
}

Condition read_condition(const Reader& r, const TableView& v, const Scenario& s, std::string_view key);

// ---------------------------------------------------------------------------------------------
// Profiles, nationalities and the attribute schema.

bool is_country_code(std::string_view c) {
  return !c.empty() && c.size() <= 8 &&
         std::all_of(c.begin(), c.end(),
                     [](char ch) { return (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') || ch == '_'; }) &&
         c[0] >= 'A' && c[0] <= 'Z';
}

/// The nationality values: every country code the scenario names, sorted, then "other".
void collect_nationalities(const Reader& r, const toml::table& root, Scenario& s) {
  std::set<std::string> codes;
  if (!s.home_country.empty()) codes.insert(s.home_country);
  for (const Agency& a : s.agencies) {
    if (!a.country.empty()) codes.insert(a.country);
  }
  for (const toml::table* t : tables_of(r, root, "profile")) {
    const toml::node* n = t->get("nationality");
    if (!n || !n->is_table()) continue;
    for (auto&& [k, v] : *n->as_table()) {
      if (k.str() == "other") continue;
      if (!is_country_code(k.str())) {
        r.fail(SourceLocation{r.file(), k.source().begin.line, k.source().begin.column},
               "nationality '" + std::string(k.str()) +
                   "' must be a country code in capitals (e.g. \"NA\", \"GB\") or \"other\"");
      }
      codes.emplace(k.str());
    }
  }
  s.nationalities.assign(codes.begin(), codes.end());
  s.nationalities.push_back("other");
}

void build_schema(Scenario& s) {
  auto& at = s.schema.attributes;
  at.assign(attr::kCount, {});
  at[attr::kChild] = {"child", {}};
  at[attr::kAdult] = {"adult", {}};
  at[attr::kSex] = {"sex", {kSexes.begin(), kSexes.end()}};
  at[attr::kExploitation] = {"exploitation", {kExploitationTypes.begin(), kExploitationTypes.end()}};
  at[attr::kNationality] = {"nationality", s.nationalities};
  at[attr::kForeign] = {"foreign", {}};
  at[attr::kVictim] = {"victim", {}};
  for (std::size_t i = 0; i < kNeeds.size(); ++i) at[attr::kNeedsFirst + i] = {"needs." + std::string(kNeeds[i]), {}};
  at[attr::kPresumed] = {"presumed", {}};
  at[attr::kReasonableGrounds] = {"reasonable_grounds", {}};
  at[attr::kIdentified] = {"identified", {}};
  at[attr::kConvicted] = {"convicted", {}};
  at[attr::kSupported] = {"supported", {}};
  s.schema.validate();
}

/// Reads `{ a = 0.3, b = 0.7 }` shares over known names; they must sum to 1.
template <class Index>
void read_shares(const TableView& v, std::string_view key, Index index_of, const std::string& known,
                 const std::function<void(std::uint32_t, double)>& put) {
  const toml::node* n = v.find(key);
  if (!n) return;
  if (!n->is_table())
    v.fail(*n, key,
           "must be a table of shares such as { " + known.substr(0, known.find(',')) + " = 0.5, … }, got " +
               type_name(*n));
  const TableView shares(v.reader(), *n->as_table(), v.context() + ": " + std::string(key), {});
  double total = 0;
  for (auto&& [k, node] : *n->as_table()) {
    const auto idx = index_of(k.str());
    if (!idx) {
      v.reader().fail(SourceLocation{v.reader().file(), k.source().begin.line, k.source().begin.column},
                      shares.context() + ": unknown value '" + std::string(k.str()) + "'; known: " + known);
    }
    const double p = shares.number(node, k.str());
    if (p < 0 || p > 1) shares.fail(node, k.str(), "must be a share between 0 and 1");
    total += p;
    put(*idx, p);
  }
  if (std::fabs(total - 1) > 1e-6) {
    std::ostringstream os;
    os << "shares must sum to 1, got " << total;
    v.fail(*n, key, os.str());
  }
}

void read_profiles(const Reader& r, const toml::table& root, Scenario& s) {
  Profile dflt;
  dflt.id = "default";
  const auto home =
      std::find(s.nationalities.begin(), s.nationalities.end(), s.home_country.empty() ? "other" : s.home_country);
  dflt.nationality = {{static_cast<std::uint32_t>(home - s.nationalities.begin()), 1.0}};
  s.profiles.push_back(dflt);
  std::map<std::string, SourceLocation> ids;
  for (const toml::table* t : tables_of(r, root, "profile")) {
    const std::vector<std::string> keys = {"id",           "description", "child", "female",  "victim",
                                           "exploitation", "nationality", "needs", "patience"};
    const TableView pre(r, *t, "[[profile]]", keys);
    Profile p;
    p.id = checked_id(pre, "id");
    const TableView v(r, *t, "profile '" + p.id + "'", keys);
    v.reject_unknown();
    if (p.id == "default")
      v.fail(*t->get("id"), "id", "'default' is reserved for the built-in profile (adult victims)");
    claim_id(r, ids, p.id, *t, "profile ");
    (void)v.string("description", "a description", false);
    p.child = v.probability("child", false, 0);
    p.female = v.probability("female", false, 0.5);
    p.victim = v.probability("victim", false, 1);
    if (const toml::node* pn = v.find("patience")) p.patience = read_distribution(r, *pn, v.context(), "patience");
    auto names = [](auto const& arr) {
      std::string out;
      for (auto x : arr) out += (out.empty() ? "" : ", ") + std::string(x);
      return out;
    };
    if (v.find("exploitation")) p.exploitation.fill(0);
    read_shares(
        v, "exploitation",
        [](std::string_view k) -> std::optional<std::uint32_t> {
          for (std::uint32_t i = 0; i < kExploitationTypes.size(); ++i)
            if (kExploitationTypes[i] == k) return i;
          return std::nullopt;
        },
        names(kExploitationTypes), [&](std::uint32_t i, double x) { p.exploitation[i] = x; });
    read_shares(
        v, "nationality",
        [&](std::string_view k) -> std::optional<std::uint32_t> {
          for (std::uint32_t i = 0; i < s.nationalities.size(); ++i)
            if (s.nationalities[i] == k) return i;
          return std::nullopt;
        },
        names(s.nationalities), [&](std::uint32_t i, double x) { p.nationality.emplace_back(i, x); });
    if (p.nationality.empty()) p.nationality = dflt.nationality;
    if (const toml::node* nn = v.find("needs")) {
      if (!nn->is_table())
        v.fail(*nn, "needs", "must be a table of probabilities such as { shelter = 0.4 }, got " + type_name(*nn));
      const TableView needs(r, *nn->as_table(), v.context() + ": needs", {kNeeds.begin(), kNeeds.end()});
      needs.reject_unknown();
      for (std::size_t i = 0; i < kNeeds.size(); ++i) p.needs[i] = needs.probability(kNeeds[i], false, 0);
    }
    s.profiles.push_back(std::move(p));
  }
}

/// Resolves what agencies name of each other (`when_full = "overflow:<agency>"`,
/// `retrafficking.reenters`), once all agencies are known; rejects overflow cycles.
void read_agency_links(const Reader& r, const toml::table& root, Scenario& s) {
  AgencyId a = 0;
  std::vector<const toml::node*> when_full_nodes(s.agencies.size(), nullptr);
  for (const toml::table* t : tables_of(r, root, "agency")) {
    Agency& ag = s.agencies[a];
    const TableView v(r, *t, "agency '" + ag.id + "'", {});
    if (const toml::node* n = v.find("when_full")) {
      when_full_nodes[a] = n;
      const std::string wf = v.string("when_full", "\"wait\", \"turn_away\" or \"overflow:<agency>\"", true);
      if (wf == "wait") {
        ag.when_full = WhenFull::wait;
      } else if (wf == "turn_away") {
        ag.when_full = WhenFull::turn_away;
      } else if (wf.rfind("overflow:", 0) == 0) {
        const std::string to = wf.substr(9);
        const auto target = s.find_agency(to);
        if (!target) v.fail(*n, "when_full", "names unknown agency '" + to + "'; known: " + s.agency_list());
        if (*target == a) v.fail(*n, "when_full", "cannot overflow to the agency itself");
        ag.when_full = WhenFull::overflow;
        ag.overflow_to = *target;
      } else {
        v.fail(*n, "when_full", "must be \"wait\", \"turn_away\" or \"overflow:<agency>\", got \"" + wf + "\"");
      }
      if (ag.unlimited) v.fail(*n, "when_full", "has no effect: with servers = \"unlimited\" the agency is never full");
    }
    if (ag.residential && ag.servers == 0 && ag.when_full == WhenFull::wait) {
      v.fail(*v.find("beds"), "beds",
             "= 0 with when_full = \"wait\": nobody would ever leave the wait list; set when_full to "
             "\"turn_away\" or \"overflow:<agency>\"");
    }
    if (const toml::node* n = v.find("retrafficking")) {
      const TableView rv(r, *n->as_table(), v.context() + ": retrafficking", {});
      ag.retrafficking->reenters = agency_ref(rv, s, "reenters", "the agency where the person re-enters");
    }
    ++a;
  }
  // Overflow chains must end: following overflow_to from any agency must not come back.
  for (AgencyId start = 0; start < s.agencies.size(); ++start) {
    AgencyId cur = start;
    for (std::size_t steps = 0; s.agencies[cur].when_full == WhenFull::overflow; ++steps) {
      cur = s.agencies[cur].overflow_to;
      if (cur == start || steps > s.agencies.size()) {
        r.fail(*when_full_nodes[start], "agency '" + s.agencies[start].id +
                                            "': when_full: overflow chain comes back to '" + s.agencies[start].id +
                                            "'; cases could be passed round forever when all are full");
      }
    }
  }
}

/// Resolves each agency's `initial_profile` (profiles are read after agencies).
void read_initial_profiles(const Reader& r, const toml::table& root, Scenario& s) {
  AgencyId a = 0;
  for (const toml::table* t : tables_of(r, root, "agency")) {
    Agency& ag = s.agencies[a++];
    const toml::node* pn = t->get("initial_profile");
    if (!pn) continue;
    const TableView v(r, *t, "agency '" + ag.id + "'", {});
    ag.initial_profile = profile_ref(v, s, "initial_profile");
    if (ag.initial_cases == 0) v.fail(*pn, "initial_profile", "has no effect without initial_cases");
  }
}

Milestone read_milestone(const TableView& v, const Scenario& s, std::string_view key) {
  const std::string text = v.string(key, std::string("a milestone: ") + kMilestoneForms, true);
  Milestone m;
  m.text = text;
  if (text == "entered") return m;
  const auto colon = text.find(':');
  const std::string kind = text.substr(0, colon == std::string::npos ? text.size() : colon);
  const std::string arg = colon == std::string::npos ? "" : text.substr(colon + 1);
  if (kind == "arrival" && colon != std::string::npos) {
    const auto a = s.find_agency(arg);
    if (!a) v.fail(*v.find(key), key, "names unknown agency '" + arg + "'; known: " + s.agency_list());
    m.kind = Milestone::Kind::arrival;
    m.target = *a;
    return m;
  }
  if ((kind == "decided" || kind == "positive") && colon != std::string::npos) {
    const auto st = state_attribute(arg);
    if (!st) v.fail(*v.find(key), key, "names unknown state '" + arg + "'; known: " + kStateList);
    m.kind = kind == "decided" ? Milestone::Kind::decided : Milestone::Kind::positive;
    m.target = *st;
    return m;
  }
  v.fail(*v.find(key), key, std::string("must be a milestone: ") + kMilestoneForms + ", got \"" + text + "\"");
}

void read_deadlines(const Reader& r, const toml::table& root, Scenario& s) {
  std::map<std::string, SourceLocation> ids;
  for (const toml::table* t : tables_of(r, root, "deadline")) {
    const std::vector<std::string> keys = {"id", "description", "from", "to", "within", "when"};
    const TableView pre(r, *t, "[[deadline]]", keys);
    Deadline d;
    d.id = checked_id(pre, "id");
    d.where = r.at(*t);
    const TableView v(r, *t, "deadline '" + d.id + "'", keys);
    v.reject_unknown();
    claim_id(r, ids, d.id, *t, "deadline ");
    (void)v.string("description", "a description", false);
    d.from = read_milestone(v, s, "from");
    d.to = read_milestone(v, s, "to");
    if (d.to.kind == Milestone::Kind::entered)
      v.fail(*v.find("to"), "to", "cannot be \"entered\": every case has entered before any deadline starts");
    const toml::node& wn = v.require("within", "the time limit, e.g. \"24h\" or \"5wd\" (working days)");
    const std::string_view text = wn.is_string() ? *wn.value<std::string_view>() : std::string_view{};
    if (text.size() > 2 && text.substr(text.size() - 2) == "wd") {
      // Working days, Monday to Friday.
      const std::string_view number = text.substr(0, text.size() - 2);
      const auto [end, ec] = std::from_chars(number.data(), number.data() + number.size(), d.working_days);
      if (ec != std::errc{} || end != number.data() + number.size()) {
        v.fail(wn, "within",
               "must be a duration such as \"24h\" or working days such as \"5wd\", got \"" + std::string(text) + "\"");
      }
      if (!(d.working_days > 0) || !std::isfinite(d.working_days))
        v.fail(wn, "within", "must be > 0 working days, got \"" + std::string(text) + "\"");
    } else {
      d.limit = v.duration(wn, "within");
      if (!(d.limit > 0)) v.fail(wn, "within", "must be > 0, got " + format_duration(d.limit));
    }
    d.when = read_condition(r, v, s, "when");
    s.deadlines.push_back(std::move(d));
  }
}

/// Compiles a `when` condition, turning its errors into located ones: the column within the
/// expression is added to the position of the string's opening quote.
Condition read_condition(const Reader& r, const TableView& v, const Scenario& s, std::string_view key) {
  const toml::node* n = v.find(key);
  if (!n) return Condition::always();
  if (!n->is_string())
    v.fail(*n, key, "must be a condition in a string, e.g. \"child and foreign\", got " + type_name(*n));
  try {
    return compile_condition(*n->value<std::string_view>(), s.schema);
  } catch (const ExpressionError& e) {
    const auto& b = n->source().begin;
    r.fail(SourceLocation{r.file(), b.line, b.column + e.column()},
           v.context() + ": " + std::string(key) + ": " + e.what());
  }
}

/// For each agency, the main-route (non-fork) probabilities of the rules that apply to one case
/// must not sum above 1 (see route_sum_excess); the error points at the probability that tips over.
void check_route_sums(const Reader& r, const Scenario& s, const std::vector<const toml::node*>& prob_nodes) {
  const Parameters p = Parameters::of(s);
  for (AgencyId a = 0; a < s.agencies.size(); ++a) {
    ReferralId culprit = 0;
    if (auto why = route_sum_excess(s, a, p.referrals, &culprit)) r.fail(*prob_nodes[culprit], *why);
  }
}

void read_referrals(const Reader& r, const toml::table& root, Scenario& s) {
  std::map<std::pair<AgencyId, AgencyId>, SourceLocation> seen;
  std::vector<const toml::node*> prob_nodes;
  for (const toml::table* t : tables_of(r, root, "referral")) {
    const std::vector<std::string> keys = {"from", "to", "probability", "delay", "when", "loss", "consent", "fork"};
    const TableView pre(r, *t, "[[referral]]", keys);
    Referral ref;
    ref.where = r.at(*t);
    ref.from = agency_ref(pre, s, "from", "the referring agency");
    ref.to = agency_ref(pre, s, "to", "the receiving agency");
    ref.key = s.agencies[ref.from].id + "->" + s.agencies[ref.to].id;
    const TableView v(r, *t, "referral " + s.agencies[ref.from].id + " -> " + s.agencies[ref.to].id, keys);
    v.reject_unknown();
    if (auto [it, fresh] = seen.emplace(std::pair{ref.from, ref.to}, ref.where); !fresh) {
      r.fail(*t,
             v.context() + ": declared twice (first at " + it->second.str() + "); a from/to pair appears at most once");
    }
    ref.probability = v.probability("probability", true, 0);
    prob_nodes.push_back(v.find("probability"));
    if (const toml::node* dn = v.find("delay")) ref.delay = read_distribution(r, *dn, v.context(), "delay");
    ref.when = read_condition(r, v, s, "when");
    const auto index = static_cast<std::uint32_t>(s.referrals.size());
    ref.loss = read_uncertain(v, s, "loss", false, 0, UncertainParameter::Target::referral_loss, index, ref.key);
    if (v.find("consent")) {
      ref.consent =
          read_uncertain(v, s, "consent", false, 1, UncertainParameter::Target::referral_consent, index, ref.key);
    }
    if (const toml::node* fn = v.find("fork")) {
      if (!fn->is_boolean()) v.fail(*fn, "fork", "must be true or false, got " + type_name(*fn));
      ref.fork = *fn->value<bool>();
    }
    s.referrals.push_back(std::move(ref));
  }
  check_route_sums(r, s, prob_nodes);
}

// ---------------------------------------------------------------------------------------------
// Scheduled changes: [[change]].

/// The source named by `key`, or a located error listing the known sources.
SourceId source_ref(const TableView& v, const Scenario& s, std::string_view key, std::string_view what) {
  const std::string id = v.string(key, what, true);
  std::string known;
  for (SourceId i = 0; i < s.sources.size(); ++i) {
    if (s.sources[i].id == id) return i;
    known += (known.empty() ? "" : ", ") + s.sources[i].id;
  }
  v.fail(*v.find(key), key, "names unknown source '" + id + "'; known: " + known);
}

/// The keys a change of `target` may set (`residential`: beds instead of servers), as a list.
std::vector<std::string> change_fields(Change::Target target, bool residential) {
  switch (target) {
    case Change::Target::agency:
      return {residential ? "beds" : "servers", "open", "sensitivity", "specificity", "positive_rate"};
    case Change::Target::source: return {"rate", "profile"};
    case Change::Target::referral: return {"probability", "when", "loss", "consent", "delay"};
  }
  return {};
}

/// `c` with only the field written as `key` kept (and its target).
Change only_field(const Change& c, std::string_view key) {
  Change one;
  one.target = c.target;
  one.index = c.index;
  one.origin = c.origin;
  one.where = c.where;
  if (key == "servers" || key == "beds") one.servers = c.servers;
  if (key == "open") one.open = c.open;
  if (key == "sensitivity") one.sensitivity = c.sensitivity;
  if (key == "specificity") one.specificity = c.specificity;
  if (key == "positive_rate") one.positive_rate = c.positive_rate;
  if (key == "rate") one.rate_per_day = c.rate_per_day;
  if (key == "profile") one.profile = c.profile;
  if (key == "probability") one.probability = c.probability;
  if (key == "when") one.when = c.when;
  if (key == "loss") one.loss = c.loss;
  if (key == "consent") one.consent = c.consent;
  if (key == "delay") one.delay = c.delay;
  return one;
}

const std::vector<std::string> kChangeKeys = {"at",      "agency",  "source",      "referral",    "servers",
                                              "beds",    "open",    "sensitivity", "specificity", "positive_rate",
                                              "rate",    "profile", "probability", "when",        "loss",
                                              "consent", "delay",   "note"};

/// Reads every [[change]] into s.changes (declaration order), then applies them in order of `at`
/// (equal times in declaration order) to the scenario's parameters, so that a change that makes
/// no sense when it comes (route probabilities above 1 after it) is reported where it is written.
void read_changes(const Reader& r, const toml::table& root, Scenario& s) {
  struct Field {
    std::string key;
    SourceLocation key_at;
    const toml::node* value;
  };
  struct Written {
    std::string context;
    SourceLocation where;
    std::vector<Field> fields;  ///< the keys it sets, in the order written
  };
  std::vector<Written> written;
  for (const toml::table* t : tables_of(r, root, "change")) {
    const TableView pre(r, *t, "[[change]]", kChangeKeys);
    const toml::node& an = pre.require("at", "when the change applies: a duration from t = 0, such as \"180d\"");
    ScheduledChange sc;
    sc.at = pre.duration(an, "at");
    if (sc.at < 0) pre.fail(an, "at", "must be >= 0, got " + format_duration(sc.at));
    if (sc.at > s.run.horizon) {
      pre.fail(an, "at",
               "(" + format_duration(sc.at) + ") is after the horizon (" + format_duration(s.run.horizon) +
                   "): the change would never apply");
    }
    const std::string at_text = an.is_string() ? std::string(*an.value<std::string_view>()) : format_duration(sc.at);
    const TableView v(r, *t, "[[change]] at " + at_text, kChangeKeys);
    v.reject_unknown();
    Change& c = sc.change;
    c.where = r.at(*t);

    // The keys in the order written (a table iterates in key order).
    std::vector<Field> keys;
    for (auto&& [k, node] : *t) keys.push_back({std::string(k.str()), r.at(k.source()), &node});
    std::sort(keys.begin(), keys.end(), [](const Field& a, const Field& b) {
      return std::pair{a.key_at.line, a.key_at.column} < std::pair{b.key_at.line, b.key_at.column};
    });

    // The target: exactly one of agency, source, referral.
    const Field* target = nullptr;
    for (const Field& f : keys) {
      if (f.key != "agency" && f.key != "source" && f.key != "referral") continue;
      if (target) {
        r.fail(f.key_at, v.context() + ": names both " + target->key + " and " + f.key +
                             "; give exactly one target: agency, source or referral");
      }
      target = &f;
    }
    if (!target) r.fail(*t, v.context() + ": names no target; give one of agency, source or referral");
    std::string object;
    bool residential = false;
    if (target->key == "agency") {
      c.target = Change::Target::agency;
      c.index = agency_ref(v, s, "agency", "the agency to change");
      object = "agency '" + s.agencies[c.index].id + "'";
      residential = s.agencies[c.index].residential;
    } else if (target->key == "source") {
      c.target = Change::Target::source;
      c.index = source_ref(v, s, "source", "the source to change");
      object = "source '" + s.sources[c.index].id + "'";
    } else {
      c.target = Change::Target::referral;
      const std::string text = v.string("referral", "a referral rule written from->to", true);
      const auto found = find_referral(s, text);
      if (const auto* why = std::get_if<std::string>(&found)) v.fail(*target->value, "referral", *why);
      c.index = std::get<ReferralId>(found);
      object = "referral '" + s.referrals[c.index].key + "'";
    }

    // What it sets, each checked against what the target has.
    const std::vector<std::string> takes = change_fields(c.target, residential);
    Written w{v.context(), c.where, {}};
    for (const Field& f : keys) {
      if (f.key == "at" || f.key == "note" || &f == target) continue;
      if (std::find(takes.begin(), takes.end(), f.key) == takes.end()) {
        if (f.key == "servers" && residential)
          r.fail(f.key_at, v.context() + ": servers does not apply to " + object +
                               ", which has beds (a residential agency): write beds = N");
        if (f.key == "beds" && c.target == Change::Target::agency)
          r.fail(f.key_at, v.context() + ": beds does not apply to " + object +
                               ", which has servers, not beds: write servers = N");
        const char* kind = c.target == Change::Target::agency   ? "an agency"
                           : c.target == Change::Target::source ? "a source"
                                                                : "a referral";
        r.fail(f.key_at,
               v.context() + ": " + f.key + " does not apply to " + object + "; " + kind + " takes " + join(takes));
      }
      const toml::node& n = *f.value;
      if (f.key == "servers" || f.key == "beds") {
        const auto k = v.integer(n, f.key, "an integer >= 0");
        if (k < 0 || k > 1000000)
          v.fail(n, f.key, "must be an integer between 0 and 1000000, got " + std::to_string(k));
        c.servers = static_cast<std::uint32_t>(k);
      } else if (f.key == "open") {
        if (!n.is_boolean()) v.fail(n, "open", "must be true or false, got " + type_name(n));
        c.open = *n.value<bool>();
      } else if (f.key == "sensitivity") {
        c.sensitivity = v.probability(f.key, true, 0);
      } else if (f.key == "specificity") {
        c.specificity = v.probability(f.key, true, 0);
      } else if (f.key == "positive_rate") {
        c.positive_rate = v.probability(f.key, true, 0);
      } else if (f.key == "rate") {
        c.rate_per_day = v.rate(n, "rate");
      } else if (f.key == "profile") {
        c.profile = profile_ref(v, s, "profile");
      } else if (f.key == "probability") {
        c.probability = v.probability(f.key, true, 0);
      } else if (f.key == "when") {
        c.when = read_condition(r, v, s, "when");
      } else if (f.key == "loss") {
        c.loss = v.probability(f.key, true, 0);
      } else if (f.key == "consent") {
        c.consent = v.probability(f.key, true, 0);
      } else if (f.key == "delay") {
        c.delay = read_distribution(r, n, v.context(), "delay");
      }
      w.fields.push_back(f);
    }
    if (w.fields.empty())
      r.fail(*t, v.context() + ": changes nothing; give at least one of " + join(takes) + " for " + object);
    c.origin = v.find("note") ? v.string("note", "a note on the change", false) : v.context();
    s.changes.push_back(std::move(sc));
    written.push_back(std::move(w));
  }

  // Applied as the engine will apply them: in order of time, equal times in declaration order.
  std::vector<std::size_t> order(s.changes.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(),
                   [&](std::size_t a, std::size_t b) { return s.changes[a].at < s.changes[b].at; });
  Parameters p = Parameters::of(s);
  for (const std::size_t i : order) {
    const Change& c = s.changes[i].change;
    try {
      p.apply(c, s);
    } catch (const std::invalid_argument& e) {
      // Located at the first field that fails on its own; else (a combination, such as a probability
      // and a condition together) at the probability or the condition.
      const Written& w = written[i];
      const toml::node* at = nullptr;
      for (const Field& f : w.fields) {
        Parameters trial = p;
        try {
          trial.apply(only_field(c, f.key), s);
        } catch (const std::invalid_argument&) {
          at = f.value;
          break;
        }
      }
      for (const Field& f : w.fields) {
        if (!at && (f.key == "probability" || f.key == "when")) at = f.value;
      }
      if (at) r.fail(*at, w.context + ": " + e.what());
      r.fail(w.where, w.context + ": " + e.what());
    }
  }
}

/// The first byte that is not valid UTF-8, or npos.
std::size_t invalid_utf8_at(std::string_view s) {
  std::size_t i = 0;
  while (i < s.size()) {
    const auto c = static_cast<unsigned char>(s[i]);
    std::size_t len = 0;
    std::uint32_t cp = 0;
    if (c < 0x80) {
      ++i;
      continue;
    } else if ((c & 0xE0) == 0xC0) {
      len = 2;
      cp = c & 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
      len = 3;
      cp = c & 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
      len = 4;
      cp = c & 0x07;
    } else {
      return i;
    }
    if (i + len > s.size()) return i;
    for (std::size_t k = 1; k < len; ++k) {
      const auto cc = static_cast<unsigned char>(s[i + k]);
      if ((cc & 0xC0) != 0x80) return i;
      cp = (cp << 6) | (cc & 0x3F);
    }
    const bool overlong = (len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000);
    if (overlong || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return i;
    i += len;
  }
  return std::string_view::npos;
}

/// Keys nested deeper than this (a.b.c… = 1, [a.b.c…]) are refused before parsing: toml++ parses
/// dotted keys recursively and overflows the stack on tens of thousands of levels. Scenarios
/// nest a few levels at most.
constexpr std::size_t kMaxKeyDepth = 64;

/// The offset of the first '.' that makes a dotted key (or table header) deeper than
/// kMaxKeyDepth, or npos. Dots inside strings and comments do not count; the count starts again
/// at each line, '=', ',', '{' and '[' (numbers hold one dot at most between those).
std::size_t too_deep_key_at(std::string_view s) {
  std::size_t dots = 0;
  for (std::size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    if (c == '#') {
      i = std::min(s.find('\n', i), s.size()) - 1;  // the comment ends at the line's end
    } else if (c == '"' || c == '\'') {
      const bool multi = s.compare(i, 3, std::string(3, c)) == 0;
      const std::string_view close = multi ? std::string_view(c == '"' ? "\"\"\"" : "\'\'\'") : s.substr(i, 1);
      std::size_t j = i + (multi ? 3 : 1);
      while (j < s.size() && s.compare(j, close.size(), close) != 0) {
        if (c == '"' && s[j] == '\\') ++j;  // an escape: skip the escaped character
        if (!multi && s[j] == '\n') break;  // an unclosed one-line string: the parser will say so
        ++j;
      }
      i = std::min(j + close.size(), s.size()) - 1;
    } else if (c == '.') {
      if (++dots > kMaxKeyDepth) return i;
    } else if (c == '\n' || c == '=' || c == ',' || c == '{' || c == '[') {
      dots = 0;
    }
  }
  return std::string_view::npos;
}

SourceLocation location_of_offset(const std::string& file, std::string_view text, std::size_t offset) {
  std::uint32_t line = 1, col = 1;
  for (std::size_t i = 0; i < offset; ++i) {
    if (text[i] == '\n') {
      ++line;
      col = 1;
    } else if ((static_cast<unsigned char>(text[i]) & 0xC0) != 0x80) {
      ++col;
    }
  }
  return {file, line, col};
}

}  // namespace

std::variant<ReferralId, std::string> find_referral(const Scenario& s, std::string_view text) {
  const auto hash = text.find('#');
  const std::string key(text.substr(0, hash));
  std::vector<ReferralId> rules;
  std::vector<std::string> known;
  for (ReferralId i = 0; i < s.referrals.size(); ++i) {
    if (s.referrals[i].key == key) rules.push_back(i);
    if (std::find(known.begin(), known.end(), s.referrals[i].key) == known.end()) known.push_back(s.referrals[i].key);
  }
  if (rules.empty()) return "names unknown referral '" + key + "'; known: " + join(known);
  const std::string n = std::to_string(rules.size());
  const std::string choices = rules.size() == 1 ? "one rule, '" + key + "' or '" + key + "#1'"
                                                : n + " rules, '" + key + "#1' to '" + key + "#" + n + "'";
  if (hash == std::string_view::npos) {
    if (rules.size() == 1) return rules[0];
    std::vector<std::string> where;
    for (ReferralId i : rules) where.push_back(s.referrals[i].where.str());
    return "'" + key + "' matches " + n + " rules (declared at " + join(where) + "); pick one by its place in " +
           "declaration order: '" + key + "#1' to '" + key + "#" + n + "'";
  }
  const std::string_view number = text.substr(hash + 1);
  std::size_t k = 0;
  const auto [end, ec] = std::from_chars(number.data(), number.data() + number.size(), k);
  if (ec != std::errc{} || end != number.data() + number.size() || k < 1 || k > rules.size())
    return "'" + std::string(text) + "' names no rule: '" + key + "' has " + choices;
  return rules[k - 1];
}

Scenario load_scenario_text(std::string_view text, const std::string& file) {
  const Reader r(file);
  if (text.find_first_not_of(" \t\r\n") == std::string_view::npos) {
    r.fail(SourceLocation{file, 1, 1},
           "the file is empty; expected a scenario with [scenario], [run], [[agency]] and [[source]] tables");
  }
  if (const auto bad = invalid_utf8_at(text); bad != std::string_view::npos) {
    r.fail(
        location_of_offset(file, text, bad), "the file is not UTF-8 text (invalid byte 0x" + [&] {
          char b[3];
          std::snprintf(b, sizeof b, "%02X", static_cast<unsigned char>(text[bad]));
          return std::string(b);
        }() + "); scenarios are TOML files in UTF-8");
  }
  if (const auto deep = too_deep_key_at(text); deep != std::string_view::npos) {
    r.fail(location_of_offset(file, text, deep),
           "a key nested more than " + std::to_string(kMaxKeyDepth) + " levels deep; scenarios nest a few levels");
  }
  toml::table root;
  try {
    root = toml::parse(text, file);
  } catch (const toml::parse_error& e) {
    const auto& b = e.source().begin;
    throw ScenarioError(SourceLocation{file, b.line, b.column}, "TOML syntax error: " + std::string(e.description()));
  }

  Scenario s;
  s.file = file;
  const TableView top(r, root, "the scenario file",
                      {"scenario", "run", "agency", "source", "referral", "profile", "deadline", "change"});
  top.reject_unknown();
  const toml::node* sn = root.get("scenario");
  if (!sn) r.fail(SourceLocation{file, 1, 1}, "missing required table [scenario] (with at least name = \"...\")");
  const TableView meta(r, as_table(r, *sn, "[scenario]"), "[scenario]", {"name", "description", "country"});
  meta.reject_unknown();
  s.name = meta.string("name", "the scenario's name", true);
  s.description = meta.string("description", "a description", false);
  s.home_country = meta.string("country", "the home country's code, e.g. \"NA\"", false);
  if (!s.home_country.empty() && !is_country_code(s.home_country)) {
    meta.fail(*meta.find("country"), "country",
              "must be a country code in capitals, e.g. \"NA\", got \"" + s.home_country + "\"");
  }
  read_run(r, root, s);
  std::map<std::string, SourceLocation> ids;
  read_agencies(r, root, s, ids);
  collect_nationalities(r, root, s);
  build_schema(s);
  read_profiles(r, root, s);
  read_initial_profiles(r, root, s);
  read_agency_links(r, root, s);
  read_sources(r, root, s, ids);
  read_referrals(r, root, s);
  read_deadlines(r, root, s);
  read_changes(r, root, s);
  return s;
}

Scenario load_scenario(const std::filesystem::path& path) {
  const std::string file = path.string();
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) {
    throw ScenarioError(SourceLocation{file, 0, 0}, "is a directory; expected a scenario file (.toml)");
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    throw ScenarioError(SourceLocation{file, 0, 0}, std::string("cannot open scenario file: ") + std::strerror(errno));
  }
  std::ostringstream buf;
  buf << in.rdbuf();
  if (in.bad()) throw ScenarioError(SourceLocation{file, 0, 0}, "cannot read scenario file");
  return load_scenario_text(buf.str(), file);
}

}  // namespace refsim
