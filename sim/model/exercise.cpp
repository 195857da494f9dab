#include "sim/model/exercise.hpp"

#include <sstream>

#include "sim/model/units.hpp"

namespace refsim {

const char* measure_name(Measure m) {
  switch (m) {
    case Measure::waiting: return "waiting";
    case Measure::in_service: return "in_service";
    case Measure::occupancy: return "occupancy";
    case Measure::full: return "full";
    case Measure::in_system: return "in_system";
    case Measure::awaiting_decision: return "awaiting_decision";
  }
  return "?";
}

std::string Trigger::describe(const Scenario& s) const {
  std::string out = agency ? s.agencies[*agency].id + " " : std::string();
  if (measure == Measure::full) {
    out += holds(1) ? "full" : "not full";
  } else {
    out += measure_name(measure);
    switch (compare) {
      case Compare::above: out += " above "; break;
      case Compare::at_least: out += " at least "; break;
      case Compare::below: out += " below "; break;
      case Compare::at_most: out += " at most "; break;
    }
    std::ostringstream os;
    os << threshold;
    out += os.str();
  }
  if (hold_for > 0) out += " for " + format_duration(hold_for);
  if (after > 0) out += ", after " + format_clock(after);
  return out;
}

std::optional<std::size_t> Exercise::find_inject(std::string_view id) const {
  for (std::size_t i = 0; i < injects.size(); ++i) {
    if (injects[i].id == id) return i;
  }
  return std::nullopt;
}

const Objective* Exercise::find_objective(std::string_view id) const {
  for (const Objective& o : objectives) {
    if (o.id == id) return &o;
  }
  return nullptr;
}

}  // namespace refsim
