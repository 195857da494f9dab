#pragma once
// Cohorts: the groups of persons that results are broken down by, fixed at a person's entry.
//
// A scheme is a list of dimensions; a cohort is one value of each, numbered in mixed radix with
// the first dimension most significant, and named by its values joined with '/'. The default,
// age × exploitation × national/foreign, gives today's twenty cohorts, "child/sexual/national" …
// "adult/other/foreign". A scenario may choose others ([cohorts] by = […], at most kMaxCohorts).
//
//   CohortScheme s;                                   // the default
//   s.count();                                        // 20
//   s.name(s.of(attributes, entry_country));          // "adult/labour/foreign"
#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sim/model/profile.hpp"

namespace refsim {

enum class CohortDimension : std::uint8_t {
  age,            ///< "child", "adult"
  sex,            ///< "female", "male"
  exploitation,   ///< kExploitationTypes
  foreign,        ///< "national", "foreign" (nationality against the country of entry)
  nationality,    ///< the nationality's code (Scenario::nationalities, "other" last)
  entry_country,  ///< the country where the person entered (CohortScheme::countries)
};
/// The dimensions' names in scenario files, in enum order.
inline constexpr std::array<std::string_view, 6> kCohortDimensionNames = {"age",     "sex",         "exploitation",
                                                                          "foreign", "nationality", "entry_country"};
std::optional<CohortDimension> cohort_dimension(std::string_view name);

/// More cohorts than this are refused by the loader: every deadline is broken down by cohort,
/// and each person's record keeps their cohort in a byte.
inline constexpr std::size_t kMaxCohorts = 256;

/// The default dimensions: age × exploitation × foreign (twenty cohorts).
std::vector<CohortDimension> default_cohort_dimensions();

struct CohortScheme {
  std::vector<CohortDimension> by = default_cohort_dimensions();
  std::vector<std::string> nationalities;  ///< the values of `nationality` (Scenario::nationalities)
  std::vector<std::string> countries;      ///< the values of `entry_country` (Scenario::countries)

  /// Values of one dimension.
  std::size_t size(CohortDimension d) const;
  /// Cohorts: the product of the dimensions' sizes (1 with no dimension).
  std::size_t count() const;
  /// The cohort of a person with attributes `a` (at entry) who entered in countries[entry_country].
  std::size_t of(const Attributes& a, std::uint32_t entry_country) const { return Digits(*this).of(a, entry_country); }

  /// The scheme compiled for the path of every entry: per dimension, the attribute that holds its
  /// value (age is `adult`: child 0, adult 1) or kEntryCountry, and its number of values.
  struct Digits {
    static constexpr std::uint32_t kEntryCountry = 0xFFFFFFFFu;
    explicit Digits(const CohortScheme& scheme);
    std::size_t of(const Attributes& a, std::uint32_t entry_country) const {
      std::size_t c = 0;
      for (std::size_t i = 0; i < n; ++i)
        c = c * size[i] + (attribute[i] == kEntryCountry ? entry_country : a[attribute[i]]);
      return c;
    }
    std::size_t n = 0;
    std::array<std::uint32_t, kCohortDimensionNames.size()> attribute{}, size{};
  };
  /// "child/labour/foreign": the cohort's values joined with '/'.
  std::string name(std::size_t cohort) const;
  /// "age × exploitation × foreign", for headers.
  std::string describe() const;
};

}  // namespace refsim
