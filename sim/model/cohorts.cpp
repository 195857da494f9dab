#include "sim/model/cohorts.hpp"

#include <algorithm>

namespace refsim {

std::optional<CohortDimension> cohort_dimension(std::string_view name) {
  for (std::size_t i = 0; i < kCohortDimensionNames.size(); ++i) {
    if (kCohortDimensionNames[i] == name) return static_cast<CohortDimension>(i);
  }
  return std::nullopt;
}

std::vector<CohortDimension> default_cohort_dimensions() {
  std::vector<CohortDimension> by(3);
  by[0] = CohortDimension::age;
  by[1] = CohortDimension::exploitation;
  by[2] = CohortDimension::foreign;
  return by;
}

std::size_t CohortScheme::size(CohortDimension d) const {
  switch (d) {
    case CohortDimension::age: return 2;
    case CohortDimension::sex: return kSexes.size();
    case CohortDimension::exploitation: return kExploitationTypes.size();
    case CohortDimension::foreign: return 2;
    case CohortDimension::nationality: return std::max<std::size_t>(1, nationalities.size());
    case CohortDimension::entry_country: return std::max<std::size_t>(1, countries.size());
  }
  return 1;
}

std::size_t CohortScheme::count() const {
  std::size_t n = 1;
  for (CohortDimension d : by) n *= size(d);
  return n;
}

CohortScheme::Digits::Digits(const CohortScheme& scheme) {
  for (CohortDimension d : scheme.by) {
    std::uint32_t at = kEntryCountry;
    switch (d) {
      case CohortDimension::age: at = attr::kAdult; break;  // child 0, adult 1
      case CohortDimension::sex: at = attr::kSex; break;
      case CohortDimension::exploitation: at = attr::kExploitation; break;
      case CohortDimension::foreign: at = attr::kForeign; break;
      case CohortDimension::nationality: at = attr::kNationality; break;
      case CohortDimension::entry_country: at = kEntryCountry; break;
    }
    attribute[n] = at;
    size[n] = static_cast<std::uint32_t>(scheme.size(d));
    ++n;
  }
}

std::string CohortScheme::name(std::size_t cohort) const {
  std::string out;
  for (std::size_t i = by.size(); i-- > 0;) {
    const CohortDimension d = by[i];
    const std::size_t v = cohort % size(d);
    cohort /= size(d);
    std::string value;
    switch (d) {
      case CohortDimension::age: value = v == 0 ? "child" : "adult"; break;
      case CohortDimension::sex: value = std::string(kSexes[v]); break;
      case CohortDimension::exploitation: value = std::string(kExploitationTypes[v]); break;
      case CohortDimension::foreign: value = v ? "foreign" : "national"; break;
      case CohortDimension::nationality: value = v < nationalities.size() ? nationalities[v] : "other"; break;
      case CohortDimension::entry_country: value = v < countries.size() ? countries[v] : "none"; break;
    }
    out = out.empty() ? value : value + "/" + out;
  }
  return out.empty() ? "all" : out;
}

std::string CohortScheme::describe() const {
  std::string out;
  for (CohortDimension d : by) {
    if (!out.empty()) out += " × ";
    out += kCohortDimensionNames[static_cast<std::size_t>(d)];
  }
  return out.empty() ? "none" : out;
}

}  // namespace refsim
