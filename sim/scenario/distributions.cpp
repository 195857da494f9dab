// Distributions: { dist = "exponential", mean = "2h" } or a bare duration (deterministic).
#include <algorithm>
#include <map>

#include "sim/scenario/reader.hpp"

namespace refsim::detail {

DistributionSpec read_distribution(const Reader& r, const toml::node& node, const std::string& context,
                                   std::string_view key) {
  const std::string ctx = context + ": " + std::string(key);
  if (node.is_string() || node.is_number()) {
    static const toml::table kEmpty;
    const TableView bare(r, kEmpty, ctx, schema::section("dist.deterministic"));
    DistributionSpec s = DistributionSpec::constant(bare.duration(node, "value"));
    if (!(s.p0 > 0)) r.fail(node, ctx + " must be > 0, got " + format_duration(s.p0));
    return s;
  }
  if (!node.is_table()) {
    r.fail(node, ctx + " must be a distribution such as { dist = \"exponential\", mean = \"2d\" } or a duration, got " +
                     type_name(node));
  }
  const toml::table& t = *node.as_table();
  const toml::node* dn = t.get("dist");  // which section's keys apply depends on it
  if (!dn) r.fail(node, ctx + ": missing required key 'dist' (" + join(schema::distribution_kinds()) + ")");
  if (!dn->is_string()) r.fail(*dn, ctx + ": dist must be a string, got " + type_name(*dn));
  const std::string dist(*dn->value<std::string_view>());

  const schema::Section* section = nullptr;
  const std::string section_id = "dist." + dist;
  for (const schema::Section& sec : schema::sections()) {
    if (sec.id == section_id) {
      section = &sec;
      break;
    }
  }
  if (!section) {
    std::vector<std::string> names = schema::distribution_kinds();
    std::sort(names.begin(), names.end());
    r.fail(*dn, ctx + ": unknown distribution '" + dist + "'; known: " + join(names));
  }
  static const std::map<std::string, DistKind, std::less<>> kKinds = {
      {"exponential", DistKind::exponential}, {"deterministic", DistKind::deterministic},
      {"uniform", DistKind::uniform},         {"triangular", DistKind::triangular},
      {"lognormal", DistKind::lognormal},     {"gamma", DistKind::gamma},
      {"erlang", DistKind::erlang},           {"weibull", DistKind::weibull},
      {"empirical", DistKind::empirical},     {"pert", DistKind::pert},
  };
  const TableView v(r, t, ctx + " (" + dist + ")", *section);
  v.reject_unknown();
  DistributionSpec s;
  s.kind = kKinds.at(dist);  // every declared kind is one the sampler knows

  // A positive duration parameter, located at its value when wrong.
  auto pos_duration = [&](std::string_view k) {
    const toml::node& n = v.require(k);
    const double d = v.duration(n, k);
    if (!(d > 0)) v.fail(n, k, "must be > 0, got " + format_duration(d));
    return d;
  };
  auto nonneg_duration = [&](std::string_view k) {
    const toml::node& n = v.require(k);
    const double d = v.duration(n, k);
    if (d < 0) v.fail(n, k, "must be >= 0, got " + format_duration(d));
    return d;
  };
  auto pos_number = [&](std::string_view k) {
    const toml::node& n = v.require(k);
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
      const bool mean_cv = v.find("mean") || v.find("cv");
      const bool shape_scale = v.find("shape") || v.find("scale");
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
      const toml::node& kn = v.require("k");
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
      const toml::node& vn = v.require("values");
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
      const toml::node& mode = v.require("mode");
      s.p1 = v.duration(mode, "mode");
      const toml::node& max = v.require("max");
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

}  // namespace refsim::detail
