#pragma once
// Every colour that carries meaning in refsim-viz, in one place: the utilization scale (with its
// legend stops) and the colour of a moving case. No SFML here, so tests can use it too.
#include <array>
#include <cstdint>
#include <optional>
#include <span>

#include "sim/model/scenario.hpp"

namespace refsim::viz {

struct Rgb {
  std::uint8_t r = 0, g = 0, b = 0;
  friend bool operator==(const Rgb&, const Rgb&) = default;
};

/// One stop of the utilization scale: at utilization `at` the colour is exactly `colour`.
struct ScaleStop {
  double at;
  Rgb colour;
};

/// The utilization scale, blue (idle) → pale yellow → red (saturated). Its stops crowd the top
/// because waits grow steeply above ~85 % utilization: that is where a trainer must look.
std::span<const ScaleStop> utilization_stops();

/// Colour for utilization `u` (busy staff or beds / total), linear between stops; u is clamped
/// to [0, 1]; NaN (an unlimited agency has no utilization) gives kNoUtilization.
Rgb utilization_colour(double u);

/// Fill of agencies without a capacity limit (pure delays such as "investigation").
inline constexpr Rgb kNoUtilization{189, 189, 189};

/// The gauge and count of cases held before service (not_before, e.g. a recovery and reflection
/// period): violet, apart from the red of the queue — a hold is the rule working, not a jam.
inline constexpr Rgb kHeld{117, 88, 178};
/// The "closed" mark of an agency outside its opening hours: a neutral dark grey.
inline constexpr Rgb kClosed{88, 94, 104};
/// The "CLOSED" badge across the disc of an agency closed by a change (a scenario's [[change]]
/// or the facilitator's C key): a dark navy, apart from the routine grey of opening hours.
inline constexpr Rgb kClosedByChange{40, 48, 72};

/// The colour of country k of a regional scenario (k: its index in Scenario::countries), for the
/// panel's swatch and the edge of the country's frame in the graph: Paul Tol's "muted"
/// qualitative scheme (colour-blind safe), nine colours, repeating from the tenth country on (the
/// code beside the swatch tells them apart). Apart from the utilization scale, which colours discs.
Rgb country_colour(std::size_t k);
/// How many distinct colours country_colour() has before it repeats.
inline constexpr std::size_t kCountryColours = 9;

/// Whom a moving case's dot stands for: the person's profile as the engine drew it. To colour by
/// something else (exploitation type, nationality), add it here and change case_colour() alone.
enum class AgeGroup : std::uint8_t {
  unknown,  ///< the person could not be looked up
  child,
  adult,
};

struct CaseLook {
  AgeGroup age = AgeGroup::unknown;
};

/// The colour of a case dot: children orange, adults blue (Okabe & Ito's colour-blind-safe pair,
/// both dark enough to stand out on a light background); unknown dark grey.
Rgb case_colour(const CaseLook& look);

}  // namespace refsim::viz
