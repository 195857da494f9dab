#include "sim/model/scenario.hpp"

namespace refsim {

std::string SourceLocation::str() const {
  if (line == 0) return file;
  return file + ":" + std::to_string(line) + ":" + std::to_string(column);
}

std::optional<AgencyId> Scenario::find_agency(std::string_view id) const {
  for (std::size_t i = 0; i < agencies.size(); ++i) {
    if (agencies[i].id == id) return static_cast<AgencyId>(i);
  }
  return std::nullopt;
}

std::string Scenario::agency_list() const {
  std::string out;
  for (const auto& a : agencies) {
    if (!out.empty()) out += ", ";
    out += a.id;
  }
  return out;
}

}  // namespace refsim
