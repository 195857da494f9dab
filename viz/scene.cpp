#include "viz/scene.hpp"

#include "viz/labels.hpp"

#include <SFML/Graphics/Text.hpp>
#include <algorithm>
#include <cmath>
#include <map>

namespace refsim::viz {

namespace {

constexpr int kCurveSamples = 24;
constexpr double kCurveBend = 0.12;        // control-point offset, as a fraction of the edge's length
constexpr float kArrow = 9;                // arrow length, world units
constexpr float kUnlimitedRadius = 22;     // disc radius of an agency without capacity limit, world units
constexpr float kBaseRadius = 12;          // disc radius of an agency with no staff or beds, world units
constexpr float kRadiusPerDoubling = 6;    // disc radius added per doubling of staff or beds, world units
constexpr std::uint32_t kWideCount = 888;  // the largest capacity the stats line is sized for, at least
constexpr float kBelowRing = 4;            // room in an agency's box between its ring and its name, world units
constexpr float kLayoutGap = 18;           // least gap between agencies' boxes, world units
constexpr double kEdgeClearance = 1.0;     // between a ring and the end of an arrow, world units
constexpr float kTextSlack = 1.06f;        // text measured at the base size, scaled: room for rounding
constexpr int kScaleRounds = 6;            // layouts tried, at most, to find the text scale
constexpr float kScaleHeadroom = 1.03f;    // the text scale aimed at, per the one needed

float text_width(const sf::Font& font, const std::string& s, float size) {
  const sf::Text t(utf8(s), font, static_cast<unsigned>(size));
  return t.getLocalBounds().width;
}

Point2 bezier(Point2 p0, Point2 c, Point2 p2, double t) {
  const double u = 1 - t;
  return {u * u * p0.x + 2 * u * t * c.x + t * t * p2.x, u * u * p0.y + 2 * u * t * c.y + t * t * p2.y};
}

}  // namespace

sf::String utf8(std::string_view s) { return sf::String::fromUtf8(s.begin(), s.end()); }

std::string_view Scene::capacity_word(const Agency& a) { return a.residential ? "beds" : "staff"; }

std::string Scene::stats_line(const Agency& a, std::uint32_t busy, std::uint32_t servers, bool open) {
  std::string s = a.unlimited
                      ? std::to_string(busy) + " in process"
                      : std::to_string(busy) + "/" + std::to_string(servers) + " " + std::string(capacity_word(a));
  if (!open) s += " · closed";
  return s;
}

Scene::Scene(const Scenario& scenario, const ReferralGraph& graph, const sf::Font& font, sf::Vector2f area)
    : scenario_(scenario), loads_(graph.loads()) {
  const std::size_t n = scenario.agencies.size();
  nodes_.resize(n);
  // Names repeated by every agency of a country frame (", Thailand") go from its labels: the
  // frame names the country.
  std::vector<std::vector<std::string>> drop(n);
  {
    std::map<std::string, std::vector<AgencyId>> by_country;
    for (AgencyId a = 0; a < n; ++a)
      if (!scenario.agencies[a].country.empty()) by_country[scenario.agencies[a].country].push_back(a);
    for (const auto& [country, members] : by_country) {
      std::vector<std::string> names;
      for (AgencyId a : members) names.push_back(scenario.agencies[a].name);
      const std::string common = common_segment(names);
      if (common.empty()) continue;
      for (AgencyId a : members) drop[a].push_back(common);
    }
  }
  {
    std::vector<std::string> names, countries;
    for (const Agency& ag : scenario.agencies) {
      names.push_back(ag.name);
      countries.push_back(ag.country);
    }
    const std::vector<std::vector<std::string>> lines =
        agency_label_lines(names, countries, drop, kLabelColumns, kLabelLines);
    for (std::size_t a = 0; a < n; ++a) nodes_[a].label_lines = lines[a];
  }
  // Text widths at the base sizes; the boxes scale them by the text scale.
  std::vector<float> name_width(n), stats_width(n);
  const float count_width = text_width(font, "8888", Metrics::kStatsSize);
  const float held_width = text_width(font, "held 8888", Metrics::kStatsSize);
  for (std::size_t a = 0; a < n; ++a) {
    const Agency& ag = scenario.agencies[a];
    NodeGeometry& g = nodes_[a];
    // The scenario's staff or beds: a change of capacity while the run goes on leaves the layout
    // where it is; the labels and gauges show the capacity in force.
    g.radius = ag.unlimited ? kUnlimitedRadius
                            : kBaseRadius + kRadiusPerDoubling * static_cast<float>(std::log2(1.0 + ag.servers));
    std::string joined;
    for (const std::string& l : g.label_lines) joined += (joined.empty() ? "" : " ") + l;
    g.shortened = joined != ag.name;
    // The widest stats line we expect: "888/888 staff" (or the real capacity if larger), with
    // " · closed" if the agency has opening hours.
    const std::string wide = std::to_string(std::max<std::uint32_t>(ag.servers, kWideCount));
    stats_width[a] =
        text_width(font, wide + "/" + wide + " " + std::string(capacity_word(ag)) + (ag.hours ? " · closed" : ""),
                   Metrics::kStatsSize);
    for (const std::string& l : g.label_lines)
      name_width[a] = std::max(name_width[a], text_width(font, l, Metrics::kLabelSize));
  }
  auto lay_out = [&](float k, bool compact) {
    std::vector<NodeBox> boxes(n);
    const float line = Metrics::kLabelSize * Metrics::kLabelLead * k;
    const float stats_line = Metrics::kStatsSize * Metrics::kStatsLead * k;
    for (std::size_t a = 0; a < n; ++a) {
      const Agency& ag = scenario.agencies[a];
      NodeGeometry& g = nodes_[a];
      g.label_width = std::max(name_width[a], stats_width[a]) * k * kTextSlack;
      g.label_height = line * static_cast<float>(g.label_lines.size()) + stats_line;
      const float rim = g.radius + Metrics::kRing;
      const float gauge = rim + Metrics::kGaugeGap + std::max(Metrics::kQueueBar, count_width * k * kTextSlack);
      // Held cases (not_before): a gauge on the left, its count right-aligned to it.
      const float held_gauge =
          ag.not_before ? rim + Metrics::kGaugeGap + std::max(Metrics::kQueueBar, held_width * k * kTextSlack) : rim;
      // Above the disc: a full gauge's count reaches one stats line above it.
      const float up = g.radius + std::max(Metrics::kAboveDisc, stats_line + Metrics::kRing);
      g.box = NodeBox{std::max(g.label_width / 2, held_gauge), std::max(g.label_width / 2, gauge), up,
                      rim + kBelowRing + g.label_height};
      boxes[a] = g.box;
    }
    LayoutOptions opt;
    opt.gap = kLayoutGap * k;  // the gap between labels grows with them
    opt.group_padding = Metrics::kGroupPadding;
    opt.group_header = Metrics::kGroupHeader * k;
    opt.aspect = area.y > 0 ? static_cast<double>(area.x) / area.y : 1.0;
    opt.compact = compact;
    return layout_agencies(scenario, boxes, opt);
  };
  // The spring's spacing while the names are readable at the fitted view; else a compact layout,
  // and then the text scale grown from 1 until the names are kReadableLabel px at that view.
  float scale = 1;
  layout_ = lay_out(scale, false);
  auto needed = [&] {
    Camera cam;
    cam.fit(layout_.bounds, {0, 0, area.x, area.y});
    return kReadableLabel / (Metrics::kLabelSize * cam.zoom());
  };
  if (n <= kReadableMaxAgencies && area.x > 0 && area.y > 0 && needed() > scale) {
    layout_ = lay_out(scale, true);
    for (int round = 0; round < kScaleRounds; ++round) {
      const float need = needed();
      if (need <= scale) break;
      scale = std::max(scale, need * kScaleHeadroom);
      layout_ = lay_out(scale, true);
    }
  }
  text_scale_ = scale;

  edges_.resize(scenario.referrals.size());
  for (std::size_t r = 0; r < scenario.referrals.size(); ++r) {
    const Referral& ref = scenario.referrals[r];
    EdgeGeometry& e = edges_[r];
    if (ref.from == ref.to) continue;
    const Point2 p0 = layout_.positions[ref.from], p2 = layout_.positions[ref.to];
    const double dx = p2.x - p0.x, dy = p2.y - p0.y;
    const double len = std::hypot(dx, dy);
    const double r0 = nodes_[ref.from].radius + Metrics::kRing + kEdgeClearance;
    const double r2 = nodes_[ref.to].radius + Metrics::kRing + kEdgeClearance;
    if (len <= r0 + r2 + kArrow) continue;
    // Bend every edge to its right so that A→B and B→A stay apart.
    const Point2 c{(p0.x + p2.x) / 2 - dy * kCurveBend, (p0.y + p2.y) / 2 + dx * kCurveBend};
    const double t0 = r0 / len, t_tip = 1 - r2 / len, t1 = t_tip - kArrow / len;
    e.tip = bezier(p0, c, p2, t_tip);
    for (int k = 0; k <= kCurveSamples; ++k) e.curve.push_back(bezier(p0, c, p2, t0 + (t1 - t0) * k / kCurveSamples));
    e.drawable = true;
  }
}

Point2 Scene::along(ReferralId r, double t) const {
  const EdgeGeometry& e = edges_[r];
  if (!e.drawable) return layout_.positions[scenario_.referrals[r].from];
  const double pos = std::clamp(t, 0.0, 1.0) * (static_cast<double>(e.curve.size()) - 1);
  const std::size_t i = std::min(static_cast<std::size_t>(pos), e.curve.size() - 2);
  const double f = pos - static_cast<double>(i);
  return {e.curve[i].x + (e.curve[i + 1].x - e.curve[i].x) * f, e.curve[i].y + (e.curve[i + 1].y - e.curve[i].y) * f};
}

void Camera::fit(const Rect& world, const sf::FloatRect& viewport, float margin) {
  viewport_ = viewport;
  const double w = std::max(1.0, world.width()), h = std::max(1.0, world.height());
  const double zx = (viewport.width - 2 * margin) / w, zy = (viewport.height - 2 * margin) / h;
  zoom_ = static_cast<float>(std::clamp(std::min(zx, zy), kMinZoom, kMaxFitZoom));
  centre_ = Point2{(world.x0 + world.x1) / 2, (world.y0 + world.y1) / 2};
}

void Camera::zoom_at(float factor, sf::Vector2f anchor) {
  const Point2 before = to_world(anchor);
  zoom_ = std::clamp(zoom_ * factor, static_cast<float>(kMinZoom), kMaxZoom);
  const Point2 after = to_world(anchor);
  centre_.x += before.x - after.x;
  centre_.y += before.y - after.y;
}

void Camera::pan(sf::Vector2f d) {
  centre_.x -= d.x / zoom_;
  centre_.y -= d.y / zoom_;
}

sf::Vector2f Camera::to_screen(Point2 w) const {
  return {static_cast<float>((w.x - centre_.x) * zoom_) + viewport_.left + viewport_.width / 2,
          static_cast<float>((w.y - centre_.y) * zoom_) + viewport_.top + viewport_.height / 2};
}

Point2 Camera::to_world(sf::Vector2f s) const {
  return {(s.x - viewport_.left - viewport_.width / 2) / zoom_ + centre_.x,
          (s.y - viewport_.top - viewport_.height / 2) / zoom_ + centre_.y};
}

}  // namespace refsim::viz
