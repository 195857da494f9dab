#pragma once
// Scene: the static geometry of the drawing — node sizes, wrapped labels, the layout (from
// sim/graph/layout), referral curves — and the Camera that maps it to the screen. Built once per
// scenario; frames only read it.
#include <SFML/Graphics/Font.hpp>
#include <SFML/Graphics/Rect.hpp>
#include <SFML/System/String.hpp>
#include <SFML/System/Vector2.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "sim/graph/layout.hpp"
#include "sim/graph/referral_graph.hpp"

namespace refsim::viz {

/// UTF-8 (our sources and scenario files) to SFML's string.
sf::String utf8(std::string_view s);

/// Sizes of the drawing in world units (= pixels at zoom 1).
struct Metrics {
  static constexpr float kLabelSize = 13;  ///< agency name, character size
  static constexpr float kStatsSize = 11;  ///< the line under it
  static constexpr float kRing = 5;        ///< occupancy ring width
  static constexpr float kQueueBar = 9;    ///< queue gauge width (right of the disc; the held gauge, left)
  static constexpr float kGroupTitle = 13;
  static constexpr float kGroupHeader = kGroupTitle + 12;  ///< band at the top of a country frame
  static constexpr float kGroupPadding = 14;               ///< between a frame and its agencies' boxes
  static constexpr float kAboveDisc = 16;                  ///< room in an agency's box above its disc
  static constexpr float kGaugeGap = 5;                    ///< between the ring and a queue or held gauge
  static constexpr float kLabelLead = 1.25f;  ///< line height of an agency's name, per unit of character size
  static constexpr float kStatsLead = 1.35f;  ///< line height of the line under it, per unit of character size
};

/// Zoom limits of the Camera (screen px per world unit).
inline constexpr double kMinZoom = 0.05;    ///< farthest out, for fitting and zooming
inline constexpr double kMaxFitZoom = 1.6;  ///< nearest in that fitting a small graph goes
inline constexpr float kMaxZoom = 8;        ///< nearest in that zooming goes
inline constexpr float kFitMargin = 24;     ///< px left free around a fitted graph

/// Agency labels: a name is shortened (short_name(), viz/labels.hpp) to at most this many lines
/// of this many code points; the full name is shown on hover and in the inspector.
inline constexpr std::size_t kLabelColumns = 22;
inline constexpr std::size_t kLabelLines = 2;
/// Agency names are drawn at least this size, px, at the view that fits the whole graph, when
/// the graph has at most kReadableMaxAgencies agencies: the layout leaves them that much room.
inline constexpr float kReadableLabel = 11;
inline constexpr std::size_t kReadableMaxAgencies = 120;

struct NodeGeometry {
  float radius = 0;                      ///< disc radius; grows with log(the scenario's staff or beds)
  std::vector<std::string> label_lines;  ///< the short name, wrapped
  bool shortened = false;                ///< the label says less than the full name
  float label_width = 0;                 ///< widest of the name's lines and the widest stats line, world units
  float label_height = 0;                ///< names + stats line, world units
  NodeBox box;
};

struct EdgeGeometry {
  std::vector<Point2> curve;  ///< from the source's rim to the arrow's base, world coordinates
  Point2 tip;                 ///< arrow tip, on the target's rim
  bool drawable = false;      ///< false for self-referrals and agencies drawn on top of each other
};

class Scene {
 public:
  /// `area`: width and height, px, of the screen area the graph is drawn in. The layout fills its
  /// aspect ratio, and leaves room for the labels at the size they have when the whole graph is
  /// fitted into it (text_scale()).
  Scene(const Scenario& scenario, const ReferralGraph& graph, const sf::Font& font, sf::Vector2f area);

  const Scenario& scenario() const { return scenario_; }
  const GraphLayout& layout() const { return layout_; }
  Point2 centre(AgencyId a) const { return layout_.positions[a]; }
  const NodeGeometry& node(AgencyId a) const { return nodes_[a]; }
  const EdgeGeometry& edge(ReferralId r) const { return edges_[r]; }
  /// Point at fraction t (0 … 1) of the way along referral r's drawn curve.
  Point2 along(ReferralId r, double t) const;
  /// Long-run utilization from the traffic equations (static; assumes every agency keeps up).
  const std::vector<AgencyLoad>& static_loads() const { return loads_; }
  /// World units per unit of text size on the graph (>= 1): text is drawn at Metrics' sizes times
  /// this, times the zoom, so that the names are at least kReadableLabel px when the whole graph
  /// is fitted into the area given to the constructor. 1 above kReadableMaxAgencies agencies.
  float text_scale() const { return text_scale_; }
  /// Staff or beds word for an agency: "beds" for a residential agency (declared with `beds`),
  /// else "staff".
  static std::string_view capacity_word(const Agency& a);
  /// The line under an agency's name: "18/24 beds", "3/4 staff" or "12 in process", `servers`
  /// being the capacity in force now (the engine's, not the scenario's), followed by " · closed"
  /// outside its opening hours (`open` false).
  static std::string stats_line(const Agency& a, std::uint32_t busy, std::uint32_t servers, bool open);

 private:
  const Scenario& scenario_;
  std::vector<NodeGeometry> nodes_;
  std::vector<EdgeGeometry> edges_;
  std::vector<AgencyLoad> loads_;
  GraphLayout layout_;
  float text_scale_ = 1;
};

/// World ↔ screen: screen = (world − centre) × zoom + viewport centre.
class Camera {
 public:
  void fit(const Rect& world, const sf::FloatRect& viewport, float margin = kFitMargin);
  void set_viewport(const sf::FloatRect& viewport) { viewport_ = viewport; }
  const sf::FloatRect& viewport() const { return viewport_; }
  float zoom() const { return zoom_; }
  /// Zooms by `factor` keeping the screen point `anchor` fixed; zoom stays in [0.05, 8].
  void zoom_at(float factor, sf::Vector2f anchor);
  void pan(sf::Vector2f screen_delta);
  sf::Vector2f to_screen(Point2 w) const;
  Point2 to_world(sf::Vector2f s) const;

 private:
  Point2 centre_;
  float zoom_ = 1;
  sf::FloatRect viewport_;
};

}  // namespace refsim::viz
