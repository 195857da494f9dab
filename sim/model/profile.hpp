#pragma once
// Case attributes and the profiles they are drawn from.
//
// Every case carries the same fixed set of attributes, stored as small integers (booleans 0/1,
// enums as the index of their value) so that `when` conditions evaluate without allocation:
//   child, adult            booleans (adult = not child)
//   sex                     "female" | "male"
//   exploitation            "sexual" | "labour" | "criminal" | "domestic_servitude" | "other"
//   nationality             a country code from the scenario, or "other"
//   foreign                 nationality differs from the country where the case entered
//   victim                  whether the person is in fact a victim of trafficking
//   needs.<need>            booleans, one per kind of need below
//   presumed, reasonable_grounds, identified, convicted
//                           state booleans: 0 at entry, set by agencies' decisions
//   supported               state boolean: 0 at entry, 1 once an agency that `supports` victims
//                           (shelter, legal aid, guardian) has started serving the person
//   entered_in              where the case entered: the entry agency's country, else the home
//                           country (Scenario::entry_country); a value of `nationality`
//   in_country              where the case is: the country (as for entered_in) of the agency the
//                           track is at (Case::country); set at entry, rewritten on each arrival in
//                           another country (just after that arrival's on_arrival hook) and, for a
//                           person on parallel tracks, before each condition is evaluated for one
//                           of them and when one ends (see BasicEngine)
// A profile gives the shares from which a source draws these attributes for each new case.
#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "sim/model/distribution.hpp"
#include "sim/model/units.hpp"

namespace refsim {

inline constexpr std::array<std::string_view, 7> kNeeds = {
    "shelter", "medical", "psychological", "legal_aid", "interpretation", "family_tracing", "repatriation"};
inline constexpr std::array<std::string_view, 5> kExploitationTypes = {"sexual", "labour", "criminal",
                                                                       "domestic_servitude", "other"};
inline constexpr std::array<std::string_view, 2> kSexes = {"female", "male"};

/// Fixed attribute positions in a case's attribute vector.
namespace attr {
inline constexpr std::uint32_t kChild = 0;
inline constexpr std::uint32_t kAdult = 1;
inline constexpr std::uint32_t kSex = 2;
inline constexpr std::uint32_t kExploitation = 3;
inline constexpr std::uint32_t kNationality = 4;
inline constexpr std::uint32_t kForeign = 5;
inline constexpr std::uint32_t kVictim = 6;
inline constexpr std::uint32_t kNeedsFirst = 7;  ///< needs.<kNeeds[i]> is at kNeedsFirst + i
/// State attributes, 0 at entry, set by agencies' decisions (Agency::decision).
inline constexpr std::uint32_t kPresumed = kNeedsFirst + static_cast<std::uint32_t>(kNeeds.size());
inline constexpr std::uint32_t kReasonableGrounds = kPresumed + 1;
inline constexpr std::uint32_t kIdentified = kPresumed + 2;
inline constexpr std::uint32_t kConvicted = kPresumed + 3;  ///< a trial's verdict (decision sets = "convicted")
inline constexpr std::uint32_t kSupported = kPresumed + 4;  ///< set by agencies with `supports = true`
/// Location attributes, values of the nationality enum (Scenario::country_of): set by the engine
/// from the agencies' countries, never drawn and never reset as states are.
inline constexpr std::uint32_t kEnteredIn = kPresumed + 5;
inline constexpr std::uint32_t kInCountry = kPresumed + 6;
inline constexpr std::uint32_t kCount = kPresumed + 7;
}  // namespace attr

using Attributes = std::array<std::uint32_t, attr::kCount>;

struct Profile {
  std::string id;
  double child = 0;                                                           ///< P(child)
  double female = 0.5;                                                        ///< P(sex = female)
  double victim = 1;                                                          ///< P(in fact a victim)
  std::array<double, kExploitationTypes.size()> exploitation{0, 0, 0, 0, 1};  ///< shares, sum 1
  std::vector<std::pair<std::uint32_t, double>> nationality;  ///< (index in Scenario::nationalities, share)
  std::array<double, kNeeds.size()> needs{};                  ///< P(need) each, independently
  /// How long people of this profile wait in a queue before giving up, at agencies that declare
  /// no `patience` of their own (an agency's patience takes precedence); none: they wait.
  std::optional<DistributionSpec> patience;
};

}  // namespace refsim
