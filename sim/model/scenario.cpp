#include "sim/model/scenario.hpp"

#include <algorithm>
#include <sstream>

#include <boost/random/beta_distribution.hpp>

#include "sim/random/streams.hpp"

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

std::uint32_t Scenario::entry_country_index(AgencyId entry) const {
  const auto it = std::find(countries.begin(), countries.end(), entry_country(entry));
  return it == countries.end() ? 0 : static_cast<std::uint32_t>(it - countries.begin());
}

std::uint32_t Scenario::country_of(AgencyId a) const {
  const std::string& country = entry_country(a);
  const auto it = std::find(nationalities.begin(), nationalities.end(), country.empty() ? "other" : country);
  return static_cast<std::uint32_t>(it - nationalities.begin());
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
  a[attr::kEnteredIn] = a[attr::kInCountry] = country_of(entry);
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

bool Scenario::has_patience() const {
  return std::any_of(agencies.begin(), agencies.end(), [](const Agency& a) { return a.patience.has_value(); }) ||
         std::any_of(profiles.begin(), profiles.end(), [](const Profile& p) { return p.patience.has_value(); });
}

std::string Deadline::describe_limit() const {
  if (working_days > 0) {
    std::ostringstream os;
    os << working_days << "wd";
    return os.str();
  }
  return format_duration(limit);
}

Scenario Scenario::with_parameters_drawn(std::uint64_t seed, std::uint32_t replication) const {
  Scenario out = *this;
  for (const UncertainParameter& u : uncertain) {
    // Beta-PERT: min + (max − min)·Beta(α, β), α = 1 + 4(mode − min)/(max − min), β = 1 + 4(max − mode)/(max − min).
    const double width = u.max - u.min;
    Rng rng = make_stream(seed, replication, u.key, StreamPurpose::parameters);
    boost::random::beta_distribution<double> beta(1 + 4 * (u.mode - u.min) / width, 1 + 4 * (u.max - u.mode) / width);
    const double v = u.min + width * beta(rng);
    using T = UncertainParameter::Target;
    switch (u.target) {
      case T::referral_loss: out.referrals[u.index].loss = v; break;
      case T::referral_consent: out.referrals[u.index].consent = v; break;
      case T::sensitivity: out.agencies[u.index].decision->sensitivity = v; break;
      case T::specificity: out.agencies[u.index].decision->specificity = v; break;
      case T::positive_rate: out.agencies[u.index].decision->positive_rate = v; break;
      case T::withdrawal: out.agencies[u.index].withdrawal = v; break;
      case T::withdrawal_supported: out.agencies[u.index].withdrawal_supported = v; break;
      case T::retrafficking: out.agencies[u.index].retrafficking->probability = v; break;
      case T::source_rate: out.sources[u.index].rate_per_day = v; break;
    }
  }
  return out;
}

}  // namespace refsim
