// plan.json, plan.csv and the terminal table of `refsim plan`.
#include "sim/report/plan_report.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <iomanip>
#include <ostream>
#include <sstream>
#include <vector>

#include "sim/model/intervention.hpp"
#include "sim/report/report.hpp"
#include "sim/report/summary_document.hpp"

namespace refsim {

namespace {

using Json = nlohmann::ordered_json;

Json pair_json(std::pair<double, double> p) {
  if (!std::isfinite(p.first) || !std::isfinite(p.second)) return nullptr;
  return Json::array({p.first, p.second});
}

std::string csv_num(double v) { return std::isfinite(v) ? format_number(v) : ""; }

/// A figure for the table, to three significant digits ("234", "47.0", "0.0213"; "2.6e-07" below
/// 0.001); "n/a" when not finite.
std::string fmtn(double v) {
  if (!std::isfinite(v)) return "n/a";
  if (v == 0) return "0";
  if (std::abs(v) < 1e-3) {  // "2.6e-07": three significant digits in fixed notation would show 0
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.2g", v);
    return buf;
  }
  const int digits = static_cast<int>(std::floor(std::log10(std::abs(v)))) + 1;
  std::ostringstream os;
  os << std::fixed << std::setprecision(std::clamp(3 - digits, 0, 6)) << v;
  std::string out = os.str();
  if (out.find_first_not_of("-0.") == std::string::npos) out = "0";  // "-0.00"
  return out;
}

/// "12,500" — an amount of money, whole units.
std::string money(double v) {
  if (!std::isfinite(v)) return "n/a";
  const long long whole = std::llround(v);
  std::string digits = std::to_string(whole < 0 ? -whole : whole), out;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return (whole < 0 ? "-" : "") + out;
}

}  // namespace

Json plan_json(const Scenario& s, const PlanResult& p) {
  Json j;
  j["scenario"] = s.name;
  j["file"] = s.file;
  j["refsim_version"] = REFSIM_VERSION;
  j["indicator"] = {{"name", p.indicator},
                    {"label", p.label},
                    {"unit", p.unit},
                    {"better", p.larger_is_better ? "larger" : "smaller"}};
  j["budget"] = p.budget;
  j["currency"] = s.currency;
  j["cost_period"] = {{"from_days", s.run.warmup},
                      {"to_days", s.run.horizon},
                      {"rule", "cost_once + cost_yearly x the years each runs within the measured period"}};
  j["method"] = p.method;
  j["seed"] = p.seed;
  j["replications"] = p.replications;
  j["common_random_numbers"] = true;
  j["multiple_comparisons"] = {{"method", "bonferroni"},
                               {"comparisons", p.portfolios.size() > 1 ? p.portfolios.size() - 1 : 0},
                               {"familywise_level", 0.95}};
  j["cost_effectiveness_per"] = kCostEffectivenessPer;
  Json ivs = Json::array();
  for (const Intervention& iv : s.interventions) {
    ivs.push_back({{"id", iv.id},
                   {"name", iv.name},
                   {"description", iv.description},
                   {"basis", iv.basis},
                   {"cost_once", iv.cost_once},
                   {"cost_yearly", iv.cost_yearly},
                   {"start_days", iv.start},
                   {"years_running", years_running(s, iv)},
                   {"cost", intervention_cost(s, iv)},
                   {"excludes", iv.excludes}});
  }
  j["interventions"] = std::move(ivs);
  Json ps = Json::array();
  for (const PortfolioResult& r : p.portfolios) {
    Json x;
    x["label"] = r.label;
    Json ids = Json::array();
    for (std::size_t k : r.interventions) ids.push_back(s.interventions[k].id);
    x["interventions"] = std::move(ids);
    x["cost"] = r.cost;
    x["value"] = {{"mean", number_or_null(r.value.mean)},
                  {"ci95", r.value.ci95 ? pair_json(*r.value.ci95) : Json(nullptr)},
                  {"replications", r.value.replications},
                  {"n", r.value.observations}};
    if (r.effect) {
      x["gain"] = {{"mean", number_or_null(r.effect->mean)},
                   {"ci95", pair_json(r.effect->ci95)},
                   {"ci95_adjusted", pair_json(r.effect->ci95_adjusted)},
                   {"significant", r.effect->significant},
                   {"pairs", r.effect->replications}};
    } else {
      x["gain"] = r.interventions.empty() ? Json{{"mean", 0.0}, {"reference", true}} : Json(nullptr);
    }
    x["gain_per_spend"] = {{"mean", number_or_null(r.per_spend)}, {"ci95", pair_json(r.per_spend_ci95)}};
    x["frontier"] = r.frontier;
    ps.push_back(std::move(x));
  }
  j["portfolios"] = std::move(ps);
  j["over_budget"] = p.over_budget;
  Json ex = Json::array();
  for (const auto& [label, why] : p.excluded) ex.push_back({{"label", label}, {"reason", why}});
  j["excluded"] = std::move(ex);
  return j;
}

std::string plan_csv(const Scenario& s, const PlanResult& p) {
  std::ostringstream os;
  os << "rank,portfolio,interventions,cost,value,value_lo,value_hi,gain,gain_lo,gain_hi,gain_lo_adjusted,"
        "gain_hi_adjusted,pairs,gain_per_10000,gain_per_10000_lo,gain_per_10000_hi,frontier\n";
  for (std::size_t i = 0; i < p.portfolios.size(); ++i) {
    const PortfolioResult& r = p.portfolios[i];
    std::string ids;
    for (std::size_t k : r.interventions) ids += (ids.empty() ? "" : ";") + s.interventions[k].id;
    const auto ci = r.value.ci95.value_or(std::pair{kNaN, kNaN});
    os << i << ',' << csv_quoted(r.label) << ',' << csv_quoted(ids) << ',' << csv_num(r.cost) << ','
       << csv_num(r.value.mean) << ',' << csv_num(ci.first) << ',' << csv_num(ci.second) << ',';
    if (r.effect) {
      os << csv_num(r.effect->mean) << ',' << csv_num(r.effect->ci95.first) << ',' << csv_num(r.effect->ci95.second)
         << ',' << csv_num(r.effect->ci95_adjusted.first) << ',' << csv_num(r.effect->ci95_adjusted.second) << ','
         << r.effect->replications;
    } else if (r.interventions.empty()) {
      os << "0,,,,,";
    } else {
      os << ",,,,,";
    }
    os << ',' << csv_num(r.per_spend) << ',' << csv_num(r.per_spend_ci95.first) << ','
       << csv_num(r.per_spend_ci95.second) << ',' << (r.frontier ? "true" : "false") << '\n';
  }
  return os.str();
}

void print_plan_table(std::ostream& os, const Scenario& s, const PlanResult& p, std::size_t top) {
  const std::string cur = s.currency.empty() ? "" : " " + s.currency;
  os << "Plan for " << s.name << ": budget " << money(p.budget) << cur << ", indicator " << p.indicator << " ("
     << p.label << (p.unit.empty() ? "" : ", " + p.unit) << "; " << (p.larger_is_better ? "larger" : "smaller")
     << " is better)\n";
  os << p.portfolios.size() << " portfolio(s) run (" << p.method << ", " << p.replications
     << " paired replications each)";
  if (p.over_budget) os << ", " << p.over_budget << " over the budget";
  if (!p.excluded.empty()) os << ", " << p.excluded.size() << " left out (see plan.json)";
  os << "\n\n";
  const PortfolioResult& nothing = p.portfolios.front();
  os << "Doing nothing: " << fmtn(nothing.value.mean);
  if (nothing.value.ci95)
    os << " [" << fmtn(nothing.value.ci95->first) << ", " << fmtn(nothing.value.ci95->second) << "]";
  os << " (95 % CI over " << nothing.value.replications << " replications)\n\n";
  struct Row {
    std::string rank, label, cost, gain, ce, frontier;
  };
  std::vector<Row> rows;
  const auto add = [&](std::size_t i) {
    const PortfolioResult& r = p.portfolios[i];
    Row row{std::to_string(i),          r.label,         money(r.cost),
            "n/a (fewer than 2 pairs)", "n/a (no cost)", r.frontier ? "(frontier)" : ""};
    if (r.effect) {
      row.gain = fmtn(r.effect->mean) + " [" + fmtn(r.effect->ci95.first) + ", " + fmtn(r.effect->ci95.second) + "]" +
                 (r.effect->ci95.first > 0 || r.effect->ci95.second < 0 ? "" : " ~0");
    }
    if (std::isfinite(r.per_spend)) {
      row.ce = fmtn(r.per_spend) + " [" + fmtn(r.per_spend_ci95.first) + ", " + fmtn(r.per_spend_ci95.second) + "]";
    } else if (r.cost > 0) {
      row.ce = "n/a";
    }
    rows.push_back(std::move(row));
  };
  for (std::size_t i = 1; i < p.portfolios.size() && i <= top; ++i) add(i);
  const std::size_t shown = rows.size();
  for (std::size_t i = top + 1; i < p.portfolios.size(); ++i) {
    if (p.portfolios[i].frontier) add(i);
  }
  const Row head{"#", "portfolio", "cost" + cur, "gain over nothing [95 % CI]", "per 10,000 spent [95 % CI]", ""};
  std::size_t w[5] = {head.rank.size(), head.label.size(), head.cost.size(), head.gain.size(), head.ce.size()};
  for (const Row& r : rows) {
    w[0] = std::max(w[0], r.rank.size());
    w[1] = std::max(w[1], r.label.size());
    w[2] = std::max(w[2], r.cost.size());
    w[3] = std::max(w[3], r.gain.size());
    w[4] = std::max(w[4], r.ce.size());
  }
  const auto print = [&](const Row& r) {
    std::ostringstream line;
    line << std::left << std::setw(static_cast<int>(w[0]) + 2) << r.rank << std::setw(static_cast<int>(w[1]) + 2)
         << r.label << std::right << std::setw(static_cast<int>(w[2])) << r.cost << "  " << std::left
         << std::setw(static_cast<int>(w[3]) + 2) << r.gain << std::setw(static_cast<int>(w[4]) + 2) << r.ce
         << r.frontier;
    std::string text = line.str();
    text.erase(text.find_last_not_of(' ') + 1);
    os << text << "\n";
  };
  print(head);
  for (std::size_t i = 0; i < rows.size(); ++i) {
    if (i == shown) os << "… and further on the frontier:\n";
    print(rows[i]);
  }
  os << "\n~0: the gain's 95 % interval includes 0 (not distinguishable from doing nothing). Intervals are per "
        "portfolio; plan.json also gives them adjusted for the "
     << (p.portfolios.size() - 1) << " portfolios compared (Bonferroni).\n";
}

}  // namespace refsim
