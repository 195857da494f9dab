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

const std::string& Scenario::entry_country(AgencyId entry) const {
  return agencies[entry].country.empty() ? home_country : agencies[entry].country;
}

bool Scenario::is_foreign(std::uint32_t nationality, AgencyId entry) const {
  const std::string& country = entry_country(entry);
  return !country.empty() && nationalities[nationality] != country;
}

Attributes Scenario::default_attributes(AgencyId entry) const {
  Attributes a{};
  a[attr::kAdult] = 1;
  a[attr::kExploitation] = static_cast<std::uint32_t>(kExploitationTypes.size() - 1);  // "other"
  a[attr::kNationality] = profiles.front().nationality.front().first;
  a[attr::kVictim] = 1;
  a[attr::kForeign] = is_foreign(a[attr::kNationality], entry);
  return a;
}

std::string Scenario::agency_list() const {
  std::string out;
  for (const auto& a : agencies) {
    if (!out.empty()) out += ", ";
    out += a.id;
  }
  return out;
}

const char* to_string(Stage s) {
  switch (s) {
    case Stage::none: return "none";
    case Stage::investigation: return "investigation";
    case Stage::prosecution: return "prosecution";
    case Stage::trial: return "trial";
    case Stage::return_home: return "return";
    case Stage::reintegration: return "reintegration";
  }
  return "?";
}

}  // namespace refsim
