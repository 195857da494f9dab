#pragma once
// The frozen scenario: plain, immutable data that every other module reads.
//
// Built only by load_scenario (sim/scenario/loader.hpp), which parses, validates and freezes it.
// Agencies, sources and referrals are referred to by their index in these vectors (stable
// integer ids); names are kept for messages, random-stream keys and output.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "sim/model/distribution.hpp"
#include "sim/model/units.hpp"

namespace refsim {

using AgencyId = std::uint32_t;
using SourceId = std::uint32_t;
using ReferralId = std::uint32_t;

/// Where a scenario object was declared: file, 1-based line and column (0 when unknown).
struct SourceLocation {
  std::string file;
  std::uint32_t line = 0;
  std::uint32_t column = 0;
  std::string str() const;  ///< "file:line:column" (or "file" when the position is unknown)
};

struct RunSettings {
  Time horizon = 0;  ///< total simulated days, warm-up included
  Time warmup = 0;   ///< statistics are reset at this time
  std::uint32_t replications = 1;
  std::uint64_t seed = 1;
};

struct Agency {
  std::string id;
  std::string name;           ///< display name; defaults to id
  std::string kind;           ///< free text for now ("ngo", "police", …)
  std::string country;        ///< optional country code
  bool unlimited = false;     ///< a pure delay: every case is served at once
  std::uint32_t servers = 1;  ///< parallel servers when !unlimited
  DistributionSpec service;
  std::optional<std::pair<double, double>> position;  ///< drawing position (x, y), if given
  SourceLocation where;
};

struct Source {
  std::string id;
  AgencyId to = 0;
  double rate_per_day = 0;  ///< Poisson arrivals per day from t = 0
  SourceLocation where;
};

struct Referral {
  AgencyId from = 0;
  AgencyId to = 0;
  double probability = 0;                 ///< drawn independently at each service end
  std::optional<DistributionSpec> delay;  ///< transfer time; no server needed
  SourceLocation where;
  std::string key;  ///< "from->to", the referral's random-stream name
};

struct Scenario {
  std::string name;
  std::string description;
  std::string file;  ///< path it was loaded from
  RunSettings run;
  std::vector<Agency> agencies;
  std::vector<Source> sources;
  std::vector<Referral> referrals;

  std::optional<AgencyId> find_agency(std::string_view id) const;
  /// "a, b, c": the agency ids, for "unknown agency" messages.
  std::string agency_list() const;
};

}  // namespace refsim
