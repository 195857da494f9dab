#include "sim/report/compare_report.hpp"

#include <cmath>
#include <iomanip>
#include <ostream>
#include <sstream>

#include "sim/report/report.hpp"
#include "sim/report/summary_document.hpp"

namespace refsim {

namespace {

using Json = nlohmann::ordered_json;

Json interval(const std::pair<double, double>& ci) {
  return Json::array({number_or_null(ci.first), number_or_null(ci.second)});
}

/// Decimals for a unit in the table.
int decimals(const std::string& unit) {
  if (unit == "share") return 3;
  if (unit == "days" || unit == "cases") return 1;
  return 2;
}

std::string fixed(double v, int precision) {
  if (!std::isfinite(v)) return "-";
  std::ostringstream os;
  os << std::fixed << std::setprecision(precision) << v;
  std::string s = os.str();
  if (s.find_first_not_of("-0.") == std::string::npos && s[0] == '-') s.erase(0, 1);  // "-0.0"
  return s;
}

/// The indicators the table shows: the chosen ones, else the key ones.
std::vector<const IndicatorComparison*> shown(const CompareResult& r) {
  std::vector<const IndicatorComparison*> out;
  bool all = true;
  for (const auto& c : r.indicators) all = all && !c.key;
  for (const auto& c : r.indicators) {
    if (all || c.key) out.push_back(&c);
  }
  return out;
}

}  // namespace

Json compare_json(const CompareContext& ctx, const CompareResult& res) {
  const auto& vs = ctx.variants;
  Json j;
  j["refsim_version"] = REFSIM_VERSION;
  j["baseline"] = vs[ctx.baseline].key;
  Json keys = Json::array(), files = Json::object(), names = Json::object(), descriptions = Json::object();
  // The baseline first, then the others in the order given.
  std::vector<std::size_t> order{ctx.baseline};
  for (std::size_t v = 0; v < vs.size(); ++v) {
    if (v != ctx.baseline) order.push_back(v);
  }
  for (std::size_t v : order) {
    keys.push_back(vs[v].key);
    files[vs[v].key] = vs[v].file;
    names[vs[v].key] = vs[v].scenario.name;
    descriptions[vs[v].key] = vs[v].scenario.description;
  }
  j["variants"] = std::move(keys);
  j["files"] = std::move(files);
  j["names"] = std::move(names);
  j["descriptions"] = std::move(descriptions);
  j["seed"] = ctx.seed;
  j["replications"] = res.replications;
  j["common_random_numbers"] = !ctx.independent;
  Json seeds = Json::object();
  for (std::size_t v : order) seeds[vs[v].key] = res.seeds[v];
  j["seeds"] = std::move(seeds);
  Json stopping;
  if (ctx.precision) {
    stopping["rule"] = "precision";
    stopping["indicator"] = ctx.precision->indicator;
    stopping["half_width"] = ctx.precision->half_width;
    stopping["reached"] = res.precision_reached;
    stopping["max_replications"] = ctx.max_replications;
  } else {
    stopping["rule"] = "fixed";
  }
  j["stopping"] = std::move(stopping);
  Json mc;
  mc["method"] = res.comparisons >= 2 ? "Bonferroni" : "none";
  mc["comparisons"] = res.comparisons;
  mc["familywise_level"] = 0.95;
  j["multiple_comparisons"] = std::move(mc);

  Json indicators = Json::object();
  for (const IndicatorComparison& c : res.indicators) {
    Json ij;
    ij["label"] = c.label;
    ij["unit"] = c.unit;
    ij["kind"] = c.kind == Kind::count         ? "count"
                 : c.kind == Kind::share       ? "share"
                 : c.kind == Kind::fraction    ? "fraction"
                 : c.kind == Kind::nonnegative ? "nonnegative"
                                               : "unbounded";
    if (c.key) ij["key"] = true;
    Json values = Json::object();
    for (std::size_t v : order) {
      const auto& val = c.values[v];
      Json vj;
      if (!val.missing.empty()) {
        vj["missing"] = val.missing;
      } else if (!val.not_applicable.empty()) {
        vj["not_applicable"] = val.not_applicable;
      } else {
        const Estimate& e = val.estimate;
        vj["mean"] = number_or_null(e.mean);
        vj["ci95"] = e.ci95 ? interval(*e.ci95) : Json(nullptr);
        vj["n"] = static_cast<std::uint64_t>(std::llround(e.observations));
        vj["replications"] = e.replications;
        vj["few_observations"] = e.few_observations;
        if (c.key) {
          Json samples = Json::array();
          for (double x : val.series.values) samples.push_back(number_or_null(x));
          vj["samples"] = std::move(samples);
        }
      }
      values[vs[v].key] = std::move(vj);
    }
    ij["values"] = std::move(values);
    Json diffs = Json::object();
    for (std::size_t v : order) {
      if (v == ctx.baseline) continue;
      Json dj;
      if (const auto& d = c.differences[v]) {
        dj["mean"] = number_or_null(d->mean);
        dj["ci95"] = interval(d->ci95);
        dj["ci95_adjusted"] = interval(d->ci95_adjusted);
        dj["relative"] = number_or_null(d->relative);
        dj["significant"] = d->significant;
        dj["replications"] = d->replications;
      } else if (!c.values[v].missing.empty() || !c.values[ctx.baseline].missing.empty()) {
        dj["missing"] = c.no_difference[v];
      } else {
        dj["not_applicable"] = c.no_difference[v];
      }
      diffs[vs[v].key] = std::move(dj);
    }
    ij["difference"] = std::move(diffs);
    // Appended, not looked up: operator[] on an ordered object searches its keys one by one, and
    // the names are unique already.
    indicators.get_ref<Json::object_t&>().emplace_back(c.name, std::move(ij));
  }
  j["indicators"] = std::move(indicators);

  if (const auto& sel = res.selection) {
    Json sj;
    sj["indicator"] = sel->request.indicator;
    sj["goal"] = sel->request.minimize ? "minimize" : "maximize";
    sj["indifference_zone"] = sel->request.indifference_zone;
    sj["probability_of_correct_selection"] = 1 - sel->request.alpha;
    sj["procedure"] = "Kim-Nelson (KN)";
    sj["first_stage"] = sel->first_stage;
    sj["h2"] = sel->h2;
    sj["best"] = sel->best ? Json(vs[*sel->best].key) : Json(nullptr);
    Json used = Json::object(), eliminated = Json::object(), means = Json::object();
    for (std::size_t v : order) {
      used[vs[v].key] = sel->replications_used[v];
      if (sel->eliminated_at[v] > 0) eliminated[vs[v].key] = sel->eliminated_at[v];
      means[vs[v].key] = number_or_null(sel->means[v]);
    }
    sj["replications_used"] = std::move(used);
    sj["eliminated"] = std::move(eliminated);
    sj["means"] = std::move(means);
    j["selection"] = std::move(sj);
  }

  // The grounds-decision backlog over time, replication 0 of each variant, when sampled.
  bool sampled = false;
  for (std::size_t v : order) sampled = sampled || !res.runs[v].replications[0].timeseries.times.empty();
  if (sampled) {
    Json ts;
    ts["indicator"] = "grounds_backlog";
    ts["label"] = "Grounds-decision backlog (replication 0)";
    ts["unit"] = "cases";
    Json series = Json::object();
    for (std::size_t v : order) {
      const TimeSeries& t = res.runs[v].replications[0].timeseries;
      Json sj;
      sj["t"] = t.times;
      sj["value"] = t.grounds_backlog;
      series[vs[v].key] = std::move(sj);
    }
    ts["series"] = std::move(series);
    j["timeseries"] = std::move(ts);
  }
  return j;
}

std::string compare_csv(const CompareContext& ctx, const CompareResult& res) {
  std::ostringstream os;
  os << "variant,replication,indicator,value,observations\n";
  for (std::size_t v = 0; v < ctx.variants.size(); ++v) {
    for (std::uint32_t r = 0; r < res.replications; ++r) {
      for (const IndicatorComparison& c : res.indicators) {
        const auto& val = c.values[v];
        if (!val.missing.empty()) continue;
        const double x = val.series.values[r];
        os << ctx.variants[v].key << ',' << r << ',' << c.name << ',' << (std::isfinite(x) ? format_number(x) : "")
           << ',' << format_number(val.series.basis[r]) << '\n';
      }
    }
  }
  return os.str();
}

void print_compare_table(std::ostream& os, const CompareContext& ctx, const CompareResult& res) {
  const auto& vs = ctx.variants;
  const std::size_t b = ctx.baseline;
  os << "comparison of " << vs.size() << " variant(s), " << res.replications << " replication(s) each, seed "
     << ctx.seed << ", " << (ctx.independent ? "independent streams" : "common random numbers") << "\n";
  for (std::size_t v = 0; v < vs.size(); ++v) {
    os << "  " << (v == b ? "baseline " : "variant  ") << vs[v].key << ": " << vs[v].scenario.name << " (" << vs[v].file
       << ")\n";
  }
  if (ctx.precision) {
    os << "  stopping: " << (res.precision_reached ? "reached" : "NOT reached") << " a half-width of "
       << format_number(ctx.precision->half_width) << " for " << ctx.precision->indicator << " at " << res.replications
       << " replications" << (res.precision_reached ? "" : " (the cap, --max-replications)") << "\n";
  }
  os << "\n";
  std::vector<std::vector<std::string>> grid;
  std::vector<std::string> header{"indicator", "unit", vs[b].key};
  for (std::size_t v = 0; v < vs.size(); ++v) {
    if (v == b) continue;
    header.push_back(vs[v].key);
    header.push_back("difference [95% CI]" + std::string(res.comparisons >= 2 ? " adj." : ""));
  }
  grid.push_back(header);
  const auto value_cell = [](const IndicatorComparison::Value& val, int p) -> std::string {
    if (!val.missing.empty()) return "absent";
    if (!val.not_applicable.empty()) return "n/a";
    const Estimate& e = val.estimate;
    if (std::isnan(e.mean)) return "-";
    std::string s = fixed(e.mean, p);
    if (e.ci95) s += " [" + fixed(e.ci95->first, p) + "," + fixed(e.ci95->second, p) + "]";
    return s;
  };
  bool any_significant = false;
  for (const IndicatorComparison* c : shown(res)) {
    const int p = decimals(c->unit);
    std::vector<std::string> row{c->label, c->unit, value_cell(c->values[b], p)};
    for (std::size_t v = 0; v < vs.size(); ++v) {
      if (v == b) continue;
      row.push_back(value_cell(c->values[v], p));
      if (const auto& d = c->differences[v]) {
        std::string s = (d->mean > 0 ? "+" : "") + fixed(d->mean, p) + " [" + fixed(d->ci95_adjusted.first, p) + "," +
                        fixed(d->ci95_adjusted.second, p) + "]";
        if (std::isfinite(d->relative))
          s += " " + std::string(d->relative > 0 ? "+" : "") + fixed(100 * d->relative, 1) + "%";
        if (d->significant) {
          s += " *";
          any_significant = true;
        } else {
          s += "  ";
        }
        row.push_back(s);
      } else {
        row.push_back("-");
      }
    }
    grid.push_back(std::move(row));
  }
  print_grid(os, "", grid);
  os << "\n";
  if (any_significant) {
    os << "* the difference is significant: its 95 % interval"
       << (res.comparisons >= 2 ? " (Bonferroni-adjusted for " + std::to_string(res.comparisons) + " comparisons)" : "")
       << " excludes 0\n";
  }
  os << "differences are paired by replication (variant minus " << vs[b].key << "); \"absent\": no such indicator "
     << "in that variant; n/a: the variant cannot produce it; all indicators are in compare.json and compare.csv\n";
  if (const auto& sel = res.selection) {
    os << "\nselection of the best for " << sel->request.indicator << " ("
       << (sel->request.minimize ? "smallest" : "largest") << " is best; indifference zone "
       << format_number(sel->request.indifference_zone)
       << ", Kim-Nelson, P(correct) >= " << format_number(1 - sel->request.alpha) << "):\n";
    for (std::size_t v = 0; v < vs.size(); ++v) {
      os << "  " << vs[v].key << ": mean " << fixed(sel->means[v], decimals("days")) << " over "
         << sel->replications_used[v] << " replication(s)"
         << (sel->best && *sel->best == v ? "  <- best"
             : sel->eliminated_at[v] > 0  ? "  eliminated at " + std::to_string(sel->eliminated_at[v])
                                          : "  still in contention")
         << "\n";
    }
    if (!sel->best) {
      os << "  no single best within " << ctx.max_replications
         << " replications: the variants still in contention are within the indifference zone of each other, "
            "or more replications are needed (--max-replications)\n";
    }
  }
}

}  // namespace refsim
