#pragma once
// The views of an exercise played in refsim-viz (--exercise FILE; docs/viz.md "Exercise mode"):
//
// - the facilitator's column, left of the referral graph: the two clocks (simulated, with weekday
//   and hour; exercise wall time), the MSEL timeline (fired, next, pending), the card of the last
//   inject fired (synopsis, from → to, delivery, expected action, objective, the controller-only
//   note, the time allowed counting down), its decision options and the choice, the notes field
//   and the keys;
// - the player view (--player AGENCY, a second window): only what that agency sees — its own
//   queue, staff or beds busy of those in force, the referrals it receives and sends, and the
//   injects addressed to it (synopsis only: never the controller's note, the expected action or
//   the MSEL).
//
// Both read only (a const Simulation and ExerciseSession), like draw_frame.
#include <SFML/Graphics/Rect.hpp>
#include <SFML/Graphics/RenderTarget.hpp>
#include <optional>
#include <string>

#include "viz/exercise_session.hpp"
#include "viz/render.hpp"
#include "viz/simulation.hpp"

namespace refsim::viz {

/// What the exercise views show besides the exercise's state.
struct ExerciseUi {
  bool typing = false;              ///< the notes field has the keyboard (T … Enter / Esc)
  std::string note;                 ///< the note being typed, UTF-8
  std::string message;              ///< the last thing done ("Note logged …", a refusal), or empty
  std::optional<std::size_t> card;  ///< the inject card shown: an index in Director::fired()
  bool run_to_inject = false;       ///< J: running as fast as possible to the next inject
  bool over = false;                ///< the horizon is reached: the log is complete
};

/// The screen of the facilitator's window: ScreenLayout's graph, legend and panel, with the
/// exercise column taken from the left.
struct ExerciseLayout {
  ScreenLayout screen;
  sf::FloatRect column;
  static ExerciseLayout for_size(unsigned width, unsigned height);
};

/// Draws the facilitator's column in `area` (over whatever is there).
void draw_facilitator(sf::RenderTarget& target, const Fonts& fonts, sf::FloatRect area, const ExerciseSession& x,
                      const Simulation& sim, const ExerciseUi& xui, const UiState& ui);

/// Draws the whole player view of agency `a` on `target`.
void draw_player(sf::RenderTarget& target, const Fonts& fonts, const ExerciseSession& x, const Simulation& sim,
                 AgencyId a, bool interactive);

}  // namespace refsim::viz
