#pragma once
// Writers for a plan's results (refsim plan): plan.json, tidy plan.csv, a table for people and an
// HTML page with the frontier of cost against gain. plan.json and plan.csv depend only on the
// scenario, the seed and the options (never on threads or timing); docs/plan.md gives their shape.
#include <iosfwd>
#include <string>

#include <nlohmann/json.hpp>

#include "sim/experiment/plan.hpp"

namespace refsim {

/// The plan.json document: the indicator and its direction, the budget and currency, the method,
/// every intervention (cost, start, basis), and every portfolio run with its value, its gain over
/// doing nothing (95 % and Bonferroni intervals, pairs), its cost-effectiveness and whether it is on
/// the frontier; the portfolios left out and why.
nlohmann::ordered_json plan_json(const Scenario& s, const PlanResult& p);
/// Tidy `portfolio,interventions,cost,value,gain,gain_lo,gain_hi,gain_per_10000,…,frontier`, one
/// row per portfolio run, best first; empty cells where a figure does not exist.
std::string plan_csv(const Scenario& s, const PlanResult& p);
/// The best `top` portfolios and the frontier: cost, gain [95 % interval], per 10,000 spent.
void print_plan_table(std::ostream& os, const Scenario& s, const PlanResult& p, std::size_t top);
/// The HTML page of a plan.json document (plus "command_line"): the frontier figure, the gains
/// with their intervals, and the tables. Throws std::runtime_error without Chart.js.
std::string plan_report_html(const nlohmann::ordered_json& plan);

}  // namespace refsim
