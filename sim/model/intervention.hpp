#pragma once
// Costed interventions: what a portfolio of them costs over a run's measured period, and the
// scenario with a portfolio's changes scheduled.
//
//   const Scenario s = load_scenario("eswatini.toml");
//   const std::vector<std::size_t> both = {0, 2};                // s.interventions[0] and [2]
//   double cost = refsim::portfolio_cost(s, both);               // in s.currency
//   refsim::Scenario with = refsim::with_interventions(s, both);  // an ordinary scenario to run
#include <cstddef>
#include <optional>
#include <span>
#include <string>

#include "sim/model/scenario.hpp"

namespace refsim {

/// Days in a year of costs: as a duration's "1y" (sim/model/units).
inline constexpr double kDaysPerCostYear = 365.0;

/// The years intervention `i` runs within the measured period, [warm-up, horizon]: from the later
/// of its start and the warm-up's end to the horizon (0 when it starts after the horizon).
double years_running(const Scenario& s, const Intervention& i);

/// Its cost over the measured period: cost_once + cost_yearly × years_running. A run's figures
/// describe the measured period only, so that is the period its cost is counted over.
double intervention_cost(const Scenario& s, const Intervention& i);

/// The sum of the costs of `chosen` (indices into s.interventions).
double portfolio_cost(const Scenario& s, std::span<const std::size_t> chosen);

/// Why `chosen` cannot be combined ("'a' excludes 'b'"), or nullopt when it can.
std::optional<std::string> portfolio_conflict(const Scenario& s, std::span<const std::size_t> chosen);

/// `s` with the changes of the interventions in `chosen` scheduled at their starts, after the
/// scenario's own changes at the same instants, in the order of `chosen`. Relative servers or
/// beds ("+2") are resolved against the value in force at the start, with the changes scheduled
/// before them (so two "+2" of one agency at one start add up). The result carries no
/// interventions. Throws std::invalid_argument, naming the intervention, when a change does not
/// apply to the values then in force (servers below 0, route probabilities above 1, a conflict).
Scenario with_interventions(const Scenario& s, std::span<const std::size_t> chosen);

}  // namespace refsim
