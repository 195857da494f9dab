#pragma once
// Drawing one frame of refsim-viz from a const Snapshot: the referral graph with its live state,
// the legend under it and the indicator panel on the right. Reads only; never touches the engine.
#include <SFML/Graphics/Font.hpp>
#include <SFML/Graphics/Rect.hpp>
#include <SFML/Graphics/RenderTarget.hpp>
#include <optional>
#include <string>

#include "viz/scene.hpp"
#include "viz/snapshot.hpp"

namespace refsim::viz {

struct Fonts {
  sf::Font regular;
  sf::Font bold;
};

/// Where things go on a screen of the given size.
struct ScreenLayout {
  sf::FloatRect graph;   ///< the referral graph
  sf::FloatRect legend;  ///< under the graph
  sf::FloatRect panel;   ///< indicators, charts, bottlenecks (right)
  static ScreenLayout for_size(unsigned width, unsigned height);
};

/// What the frame shows besides the simulation state.
struct UiState {
  Camera camera;
  ScreenLayout screen;
  std::optional<AgencyId> selected;
  bool interactive = true;  ///< show controls and frame rate (not in --screenshot images)
  bool paused = false;
  double speed = 1;  ///< simulated days per real second; kMaxSpeed = as fast as possible
  double fps = 0;
  std::string scenario_file;
  std::string banner;  ///< a short notice over the graph ("Horizon reached …"), or empty
  /// Why the facilitator's last change was refused (shown in the panel's change log), or empty.
  std::string change_error;
};

void draw_frame(sf::RenderTarget& target, const Scene& scene, const Snapshot& snap, const UiState& ui,
                const Fonts& fonts);

/// Radius in pixels of an agency's disc at `zoom` (never below 4 px, so zoomed-out graphs stay visible).
float drawn_radius(const NodeGeometry& node, float zoom);

/// The agency whose disc is at screen point p, if any.
std::optional<AgencyId> agency_at(const Scene& scene, const Camera& camera, sf::Vector2f p);

/// "real time", "1h/s", "2d/s", "max": a speed for people.
std::string speed_label(double days_per_second);

}  // namespace refsim::viz
