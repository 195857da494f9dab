#include "viz/colour.hpp"

#include <cmath>

namespace refsim::viz {

namespace {
constexpr std::array<ScaleStop, 6> kStops{{
    {0.00, {44, 123, 182}},
    {0.50, {171, 217, 233}},
    {0.70, {255, 255, 191}},
    {0.85, {253, 174, 97}},
    {0.95, {215, 48, 39}},
    {1.00, {165, 0, 38}},
}};

// Tol's muted scheme, ordered so that the first countries (sorted codes) differ most.
constexpr std::array<Rgb, kCountryColours> kCountries{{
    {51, 34, 136},    // indigo
    {221, 204, 119},  // sand
    {68, 170, 153},   // teal
    {204, 102, 119},  // rose
    {17, 119, 51},    // green
    {136, 204, 238},  // cyan
    {136, 34, 85},    // wine
    {153, 153, 51},   // olive
    {170, 68, 153},   // purple
}};

constexpr Rgb kChildCase{230, 159, 0};
constexpr Rgb kAdultCase{0, 114, 178};
constexpr Rgb kUnknownCase{60, 60, 60};

std::uint8_t mix(std::uint8_t a, std::uint8_t b, double f) {
  return static_cast<std::uint8_t>(std::lround(a + (b - a) * f));
}
}  // namespace

std::span<const ScaleStop> utilization_stops() { return kStops; }

Rgb utilization_colour(double u) {
  if (std::isnan(u)) return kNoUtilization;
  if (u <= kStops.front().at) return kStops.front().colour;
  if (u >= kStops.back().at) return kStops.back().colour;
  for (std::size_t i = 1; i < kStops.size(); ++i) {
    if (u <= kStops[i].at) {
      const ScaleStop& lo = kStops[i - 1];
      const ScaleStop& hi = kStops[i];
      const double f = (u - lo.at) / (hi.at - lo.at);
      return {mix(lo.colour.r, hi.colour.r, f), mix(lo.colour.g, hi.colour.g, f), mix(lo.colour.b, hi.colour.b, f)};
    }
  }
  return kStops.back().colour;
}

Rgb country_colour(std::size_t k) { return kCountries[k % kCountries.size()]; }

Rgb case_colour(const CaseLook& look) {
  switch (look.age) {
    case AgeGroup::child: return kChildCase;
    case AgeGroup::adult: return kAdultCase;
    case AgeGroup::unknown: break;
  }
  return kUnknownCase;
}

}  // namespace refsim::viz
