// Costed interventions: costs over the measured period, and scenarios with a portfolio applied.
#include "sim/model/intervention.hpp"

#include <algorithm>
#include <stdexcept>

#include "sim/model/parameters.hpp"

namespace refsim {

double years_running(const Scenario& s, const Intervention& i) {
  const Time from = std::max(i.start, s.run.warmup);
  return std::max(0.0, s.run.horizon - from) / kDaysPerCostYear;
}

double intervention_cost(const Scenario& s, const Intervention& i) {
  return i.cost_once + i.cost_yearly * years_running(s, i);
}

double portfolio_cost(const Scenario& s, std::span<const std::size_t> chosen) {
  double total = 0;
  for (const std::size_t k : chosen) total += intervention_cost(s, s.interventions.at(k));
  return total;
}

std::optional<std::string> portfolio_conflict(const Scenario& s, std::span<const std::size_t> chosen) {
  for (const std::size_t a : chosen) {
    for (const std::size_t b : chosen) {
      const Intervention& ia = s.interventions.at(a);
      const Intervention& ib = s.interventions.at(b);
      if (a != b && std::find(ia.excludes.begin(), ia.excludes.end(), ib.id) != ia.excludes.end()) {
        return "'" + ia.id + "' excludes '" + ib.id + "'";
      }
    }
  }
  return std::nullopt;
}

namespace {

/// The parameters in force just after every change of `s` scheduled at or before `t` has applied.
Parameters in_force_at(const Scenario& s, Time t) {
  Parameters p = Parameters::of(s);
  for (const std::size_t k : application_order(s.changes)) {
    if (s.changes[k].at > t) break;
    p.apply(s.changes[k].change, s);
  }
  return p;
}

}  // namespace

Scenario with_interventions(const Scenario& s, std::span<const std::size_t> chosen) {
  if (const auto why = portfolio_conflict(s, chosen)) throw std::invalid_argument(*why);
  Scenario out = s;
  out.interventions.clear();
  for (const std::size_t k : chosen) {
    const Intervention& iv = s.interventions.at(k);
    for (const Intervention::Step& step : iv.changes) {
      Change c = step.change;
      c.origin = "intervention '" + iv.id + "'";
      if (step.servers_delta) {
        const Parameters p = in_force_at(out, iv.start);
        const std::int64_t now = p.agencies.at(c.index).servers;
        const std::int64_t next = now + *step.servers_delta;
        if (next < 0) {
          throw std::invalid_argument("intervention '" + iv.id + "': " + std::to_string(*step.servers_delta) +
                                      " at agency '" + s.agencies[c.index].id + "' leaves " + std::to_string(next) +
                                      " (it has " + std::to_string(now) + " then)");
        }
        c.servers = static_cast<std::uint32_t>(next);
      }
      out.changes.push_back({iv.start, std::move(c)});
    }
  }
  // Every change checked against the values in force when it applies, as the engine applies them.
  Parameters p = Parameters::of(out);
  for (const std::size_t k : application_order(out.changes)) {
    try {
      p.apply(out.changes[k].change, out);
    } catch (const std::invalid_argument& e) {
      throw std::invalid_argument(out.changes[k].change.origin + " at " + format_duration(out.changes[k].at) + ": " +
                                  e.what());
    }
  }
  return out;
}

}  // namespace refsim
