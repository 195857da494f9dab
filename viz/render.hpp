#pragma once
// Drawing one frame of refsim-viz from a const Snapshot: the referral graph with its live state,
// the legend under it and the indicator panel on the right. Reads only; never touches the engine.
#include <SFML/Graphics/Font.hpp>
#include <SFML/Graphics/Rect.hpp>
#include <SFML/Graphics/RenderTarget.hpp>
#include <optional>
#include <string>
#include <vector>

#include "viz/labels.hpp"

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
  /// The agency under the mouse pointer and where the pointer is, px: its full name is shown there.
  std::optional<AgencyId> hovered;
  sf::Vector2f pointer;
  bool interactive = true;  ///< show controls and frame rate (not in --screenshot images)
  bool exercise = false;    ///< an exercise runs: its keys are in the exercise column; no restart
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

/// Where an agency's name and the line under it are drawn (px), and the rectangle they cover with
/// their halo: the geometry draw_frame() uses, for label_problems() to check.
struct AgencyLabel {
  bool shown = false;  ///< false when too small to read (zoomed far out), unless selected
  float x = 0;         ///< centre of the lines
  float top = 0;       ///< top of the first line
  float name_size = 0, stats_size = 0;
  float stats_gap = 0;  ///< between the name's last line and the stats line
  std::string stats;    ///< the line under the name (Scene::stats_line)
  LabelRect rect;
};

/// The agencies' labels at this camera, for this snapshot; by AgencyId.
std::vector<AgencyLabel> agency_labels(const Scene& scene, const Snapshot& snap, const Camera& camera,
                                       const Fonts& fonts, std::optional<AgencyId> selected = std::nullopt);
/// The agencies' discs with their rings, on screen, px; by AgencyId.
std::vector<DiscMark> agency_discs(const Scene& scene, const Camera& camera);
/// The box of the full name shown beside the pointer over an agency (UiState::hovered), px; kept
/// inside `window`.
sf::FloatRect hover_box(const Scene& scene, AgencyId a, sf::Vector2f pointer, const Fonts& fonts,
                        const sf::FloatRect& window);

/// Radius in pixels of an agency's disc at `zoom` (never below 4 px, so zoomed-out graphs stay visible).
float drawn_radius(const NodeGeometry& node, float zoom);

/// The agency whose disc is at screen point p, if any.
std::optional<AgencyId> agency_at(const Scene& scene, const Camera& camera, sf::Vector2f p);

/// "real time", "1h/s", "2d/s", "max": a speed for people.
std::string speed_label(double days_per_second);

}  // namespace refsim::viz
