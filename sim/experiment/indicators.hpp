#pragma once
// Indicators: every figure of summary.json as a named series over replications, for comparisons.
//
// An indicator's name is its path in summary.json joined by dots: "agencies.screening.mean_wait_days",
// "cases.mean_time_in_system_days", "overall.time_to_identified_days_median",
// "deadlines.rg_decision_5wd.compliance", "cohorts.child/sexual/national.dropout_share",
// "deadlines.rg_decision_5wd.cohorts.adult/labour/foreign.compliance",
// "countries.ZA.entered_here.time_to_identified_days_mean". "agency." is accepted for "agencies.".
//
//   for (const refsim::IndicatorDef& d : refsim::indicators(scenario)) {
//     refsim::IndicatorSeries x = d.series(result);  // one value per replication, NaN when none
//   }
#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "sim/experiment/estimate.hpp"
#include "sim/experiment/runner.hpp"
#include "sim/model/scenario.hpp"

namespace refsim {

/// One indicator's values over a run's replications, in replication order.
struct IndicatorSeries {
  std::vector<double> values;  ///< per replication; NaN when the replication gave no value
  std::vector<double> basis;   ///< the observations behind each value (Metric::basis)
};

/// An indicator of a scenario: what it is, and how to read it from a replication.
struct IndicatorDef {
  std::string name;   ///< path in summary.json, joined by dots
  std::string label;  ///< for people: "Mean wait at screening"
  std::string unit;   ///< "days", "share", "cases", "per day", "" (a pure number)
  Kind kind = Kind::unbounded;
  /// Why the scenario cannot produce it ("" when it can): reports show "n/a" and the reason.
  std::string not_applicable;
  /// Shown first in tables and reports: the measures NRM evaluators use (time to identification
  /// and to first service, deadline compliance, identified share, drop-out, the grounds-decision
  /// backlog, waits and utilization at agencies, prosecutions and convictions).
  bool key = false;
  /// (value, basis) of one replication.
  std::function<std::pair<double, double>(const ReplicationResult&)> read;

  IndicatorSeries series(const RunResult& r) const;
  /// The estimate over the replications, as summary.json gives it.
  Estimate estimate(const RunResult& r) const;
};

/// Every indicator of `s`, in the order summary.json holds them.
std::vector<IndicatorDef> indicators(const Scenario& s);

/// The canonical form of a name a user typed: "agency.x.y" → "agencies.x.y"; else unchanged.
std::string canonical_indicator_name(std::string_view name);

}  // namespace refsim
