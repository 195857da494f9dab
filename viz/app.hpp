#pragma once
// App: the visualiser's main loop. It owns the live Simulation, the Scene and the UI state;
// window events become Commands, applied between frames; the simulation advances in fixed steps
// of 1/60 s of real time (speed × 1/60 s of simulated time each); every frame draws a const
// Snapshot. The same drawing code renders --screenshot images offscreen.
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include <SFML/Graphics/RenderTarget.hpp>
#include <SFML/Window/Keyboard.hpp>

#include "viz/commands.hpp"
#include "viz/exercise_session.hpp"
#include "viz/exercise_view.hpp"
#include "viz/render.hpp"
#include "viz/scene.hpp"
#include "viz/simulation.hpp"

namespace refsim::viz {

struct Options {
  std::string scenario;
  std::string screenshot;  ///< PNG to write instead of opening a window (empty: interactive)
  Time at = 0;             ///< simulated time to run to before showing / rendering
  std::uint64_t seed = 1;  ///< replication seed
  unsigned width = 1280, height = 800;
  double speed = 1;                 ///< simulated days per real second; kMaxSpeed = as fast as possible
  bool paused = false;              ///< start paused
  std::string dump_layout;          ///< CSV of agency pixel centres to write (empty: none)
  std::optional<AgencyId> inspect;  ///< agency whose inspector is open from the start (--inspect)
  unsigned frames = 0;              ///< interactive: quit after this many frames and report timings (0: never)
  /// Multisampling level 0 (off), 2, 4 or 8; nullopt: default_antialiasing() for the scenario.
  std::optional<unsigned> antialiasing;
  // Exercise mode (an ExerciseSession given to App).
  /// --at inject[:ID]: run until inject ID fires ("": the first inject to fire) instead of to `at`;
  /// decision points met before it take their default (by "default").
  std::optional<std::string> at_inject;
  std::optional<AgencyId> player;  ///< --player: the agency whose player view opens beside
};

/// The player view's image beside a --screenshot FILE: "shot.png" → "shot-player.png".
std::string player_screenshot_path(const std::string& screenshot);

/// Above this many agencies the default is no multisampling: 4x multisampling costs more than
/// half the frame rate on software OpenGL with a large mechanism (docs/viz.md, Performance).
inline constexpr std::size_t kAntialiasMaxAgencies = 100;
inline constexpr unsigned kDefaultAntialiasing = 4;  ///< multisampling level up to kAntialiasMaxAgencies
/// The multisampling level used when --antialias is not given: 4, or 0 above kAntialiasMaxAgencies.
constexpr unsigned default_antialiasing(std::size_t agencies) {
  return agencies > kAntialiasMaxAgencies ? 0 : kDefaultAntialiasing;
}

class App {
 public:
  /// `exercise` (may be null; must outlive the app): exercise mode, the director steering the run.
  App(const Scenario& scenario, const ReferralGraph& graph, const Fonts& fonts, const Options& options,
      ExerciseSession* exercise = nullptr);

  /// Renders the state at options.at to options.screenshot. Returns an exit code.
  int screenshot();
  /// Opens the window and runs until closed. Returns an exit code.
  int interactive();
  /// Writes "id,x,y,radius" per agency: disc centre and radius in pixels of the initial view.
  void write_layout(const std::string& path) const;

 private:
  void apply(const Command& c);
  void step_simulation(double real_seconds);
  void advance_capped(Time t);
  unsigned antialiasing() const;
  // Exercise mode.
  void advance_exercise(Time t);
  void notice_injects();
  void start_exercise();
  void check_timeout();
  void mark(const std::string& what);
  void set_screen(unsigned width, unsigned height);
  void draw(sf::RenderTarget& target) const;
  /// Typing a note: true when the text event was the notes field's.
  bool type_note(std::uint32_t unicode);
  /// Enter, Esc and Backspace while typing a note: true when the key was the notes field's.
  bool note_key(sf::Keyboard::Key key);

  const Fonts& fonts_;
  Options options_;
  Simulation sim_;
  Scene scene_;
  UiState ui_;
  CommandQueue commands_;
  bool quit_ = false;
  bool horizon_noted_ = false;
  bool save_requested_ = false;
  double max_chunk_ = 1;  // simulated days per engine call at max speed, adapted to the budget
  ExerciseSession* exercise_ = nullptr;
  ExerciseUi xui_;
  sf::FloatRect column_;        // the facilitator's column (exercise mode)
  std::size_t fired_seen_ = 0;  // injects noticed (auto-pause, the card)
  double speed_before_jump_ = 1;
};

}  // namespace refsim::viz
