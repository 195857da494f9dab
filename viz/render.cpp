#include "viz/render.hpp"

#include <SFML/Graphics/RectangleShape.hpp>
#include <SFML/Graphics/Text.hpp>
#include <SFML/Graphics/VertexArray.hpp>
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <numbers>
#include <string_view>

#include "viz/commands.hpp"

namespace refsim::viz {

namespace {

// Palette of the chrome (meaningful colours live in colour.hpp).
const sf::Color kBackground{247, 247, 244};
const sf::Color kPanel{236, 237, 240};
const sf::Color kPanelRule{205, 208, 214};
const sf::Color kInk{33, 37, 41};
const sf::Color kMuted{104, 110, 118};
const sf::Color kFaint{150, 154, 160};
const sf::Color kCountryFill{228, 234, 243};
const sf::Color kCountryEdge{196, 206, 222};
const sf::Color kEdge{96, 108, 128};
const sf::Color kRingTrack{214, 216, 220};
const sf::Color kRingBusy{52, 62, 74};
const sf::Color kDiscEdge{70, 70, 70};
const sf::Color kQueue{178, 24, 43};
const sf::Color kSelect{20, 20, 20};
const sf::Color kBreach{230, 0, 60};
const sf::Color kChartLine{44, 90, 160};

constexpr float kPi = std::numbers::pi_v<float>;

float fl(double v) { return static_cast<float>(v); }
sf::Color col(Rgb c, std::uint8_t alpha = 255) { return {c.r, c.g, c.b, alpha}; }
sf::Color with_alpha(sf::Color c, std::uint8_t alpha) {
  c.a = alpha;
  return c;
}

std::string fmt(const char* format, double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, format, v);
  return buf;
}
/// A count or rate: "12", "3.4", "—" for NaN.
std::string num(double v, int decimals = 0) {
  if (std::isnan(v)) return "—";
  if (decimals == 0) return fmt("%.0f", v);
  return fmt(decimals == 1 ? "%.1f" : "%.2f", v);
}
/// A recent (exponentially weighted) count: one decimal while small, so a fading event shows.
std::string recent_count(double v) { return num(v, v < 9.95 && v > 0 ? 1 : 0); }
std::string days(double v) {
  if (std::isnan(v)) return "—";
  if (v < 1.0 / 24) return fmt("%.0f min", v * 1440);
  if (v < 1) return fmt("%.1f h", v * 24);
  return fmt(v < 10 ? "%.1f d" : "%.0f d", v);
}
std::string percent(double u) { return std::isnan(u) ? "—" : fmt("%.0f%%", 100 * u); }
std::string decided_name(std::uint32_t attribute);
/// A milestone as the inspector names it: "entry", "positive reasonable grounds", …
std::string milestone_name(const Milestone& m) {
  switch (m.kind) {
    case Milestone::Kind::entered: return "entry";
    case Milestone::Kind::decided: return decided_name(m.target) + " decided";
    case Milestone::Kind::positive: return "positive " + decided_name(m.target);
    case Milestone::Kind::arrival: break;
  }
  return m.text;
}
/// The state attribute a decision sets, as the panel names it.
std::string decided_name(std::uint32_t attribute) {
  if (attribute == attr::kPresumed) return "presumed victim";
  if (attribute == attr::kReasonableGrounds) return "reasonable grounds";
  if (attribute == attr::kIdentified) return "identified";
  return "attribute " + std::to_string(attribute);
}

void add_triangle(sf::VertexArray& va, sf::Vector2f a, sf::Vector2f b, sf::Vector2f c, sf::Color colour) {
  va.append({a, colour});
  va.append({b, colour});
  va.append({c, colour});
}
void add_quad(sf::VertexArray& va, sf::Vector2f a, sf::Vector2f b, sf::Vector2f c, sf::Vector2f d, sf::Color colour) {
  add_triangle(va, a, b, c, colour);
  add_triangle(va, a, c, d, colour);
}
void add_rect(sf::VertexArray& va, sf::FloatRect r, sf::Color colour) {
  add_quad(va, {r.left, r.top}, {r.left + r.width, r.top}, {r.left + r.width, r.top + r.height},
           {r.left, r.top + r.height}, colour);
}
/// Height of a queue or held gauge next to a disc of radius r: log scale, full (the disc's
/// diameter) at 200 cases.
float gauge_height(std::size_t cases, float r) {
  return 2 * r * std::min(1.0f, fl(std::log1p(static_cast<double>(cases)) / std::log1p(200.0)));
}
int segments_for(float radius) { return std::clamp(static_cast<int>(radius * 0.6f), 8, 56); }
void add_disc(sf::VertexArray& va, sf::Vector2f c, float r, sf::Color colour) {
  const int n = segments_for(r);
  for (int i = 0; i < n; ++i) {
    const float a0 = 2 * kPi * static_cast<float>(i) / static_cast<float>(n);
    const float a1 = 2 * kPi * static_cast<float>(i + 1) / static_cast<float>(n);
    add_triangle(va, c, {c.x + r * std::cos(a0), c.y + r * std::sin(a0)},
                 {c.x + r * std::cos(a1), c.y + r * std::sin(a1)}, colour);
  }
}
/// Annulus sector between radii r0 < r1 from angle a0 to a1 (radians, clockwise on screen).
void add_arc(sf::VertexArray& va, sf::Vector2f c, float r0, float r1, float a0, float a1, sf::Color colour) {
  const int n = std::max(2, static_cast<int>(static_cast<float>(segments_for(r1)) * (a1 - a0) / (2 * kPi)) + 1);
  for (int i = 0; i < n; ++i) {
    const float b0 = a0 + (a1 - a0) * static_cast<float>(i) / static_cast<float>(n);
    const float b1 = a0 + (a1 - a0) * static_cast<float>(i + 1) / static_cast<float>(n);
    const sf::Vector2f u0{std::cos(b0), std::sin(b0)}, u1{std::cos(b1), std::sin(b1)};
    add_quad(va, c + u0 * r0, c + u0 * r1, c + u1 * r1, c + u1 * r0, colour);
  }
}
void add_polyline(sf::VertexArray& va, const std::vector<sf::Vector2f>& pts, float width, sf::Color colour) {
  for (std::size_t i = 0; i + 1 < pts.size(); ++i) {
    const sf::Vector2f d = pts[i + 1] - pts[i];
    const float len = std::hypot(d.x, d.y);
    if (len <= 0) continue;
    const sf::Vector2f n{-d.y / len * width / 2, d.x / len * width / 2};
    // Extend each piece by half a width so that joints show no gaps.
    const sf::Vector2f ext = d / len * (width / 2);
    const sf::Vector2f a = pts[i] - (i > 0 ? ext : sf::Vector2f{}), b = pts[i + 1];
    add_quad(va, a + n, b + n, b - n, a - n, colour);
  }
}

enum class Align { left, centre, right };

/// Text drawing with the frame's fonts; returns the width drawn.
class Writer {
 public:
  Writer(sf::RenderTarget& target, const Fonts& fonts) : target_(target), fonts_(fonts) {}
  /// Draws s at pos (top-left, top-centre or top-right); `halo` > 0 outlines the glyphs in the
  /// background colour so that text stays legible over edges.
  float text(std::string_view s, float size, sf::Vector2f pos, sf::Color colour, bool bold = false,
             Align align = Align::left, float halo = 0) {
    sf::Text t(utf8(s), bold ? fonts_.bold : fonts_.regular, static_cast<unsigned>(std::lround(size)));
    t.setFillColor(colour);
    if (halo > 0) {
      t.setOutlineColor(with_alpha(kBackground, 230));
      t.setOutlineThickness(halo);
    }
    const float w = t.getLocalBounds().width + t.getLocalBounds().left;
    float x = pos.x;
    if (align == Align::centre) x -= w / 2;
    if (align == Align::right) x -= w;
    t.setPosition(std::round(x), std::round(pos.y));
    target_.draw(t);
    return w;
  }
  float width(std::string_view s, float size, bool bold = false) const {
    const sf::Text t(utf8(s), bold ? fonts_.bold : fonts_.regular, static_cast<unsigned>(std::lround(size)));
    return t.getLocalBounds().width + t.getLocalBounds().left;
  }
  /// Shortens s with "…" until it fits in max_width (binary search on the length).
  std::string fit(std::string s, float size, float max_width, bool bold = false) const {
    if (width(s, size, bold) <= max_width) return s;
    const sf::String u = utf8(s);
    auto shortened = [&](std::size_t len) {
      const std::basic_string<std::uint8_t> bytes = (u.substring(0, len) + sf::String(L"…")).toUtf8();
      return std::string(bytes.begin(), bytes.end());
    };
    std::size_t lo = 0, hi = u.getSize();  // shortened(lo) fits (or lo == 0); shortened(hi) does not
    while (hi - lo > 1) {
      const std::size_t mid = (lo + hi) / 2;
      (width(shortened(mid), size, bold) <= max_width ? lo : hi) = mid;
    }
    return shortened(lo);
  }

 private:
  sf::RenderTarget& target_;
  const Fonts& fonts_;
};

/// Greedy word wrap of s into lines no wider than max_width (a longer word gets a line of its own).
std::vector<std::string> wrap_to_width(const Writer& w, const std::string& s, float size, float max_width) {
  std::vector<std::string> lines;
  std::string line;
  std::size_t start = 0;
  while (start <= s.size()) {
    const std::size_t end = std::min(s.find(' ', start), s.size());
    const std::string word = s.substr(start, end - start);
    const std::string longer = line.empty() ? word : line + " " + word;
    if (!line.empty() && w.width(longer, size) > max_width) {
      lines.push_back(line);
      line = word;
    } else {
      line = longer;
    }
    start = end + 1;
  }
  if (!line.empty()) lines.push_back(line);
  return lines;
}

std::string clock_label(Time t) {
  const double day = std::floor(t);
  const int minutes = static_cast<int>(std::lround((t - day) * 1440)) % 1440;
  char buf[64];
  std::snprintf(buf, sizeof buf, "Day %.0f  %02d:%02d", day, minutes / 60, minutes % 60);
  return buf;
}

// --- The graph -------------------------------------------------------------------------------

void draw_countries(sf::RenderTarget& target, Writer& w, const Scene& scene, const Camera& cam) {
  sf::VertexArray va(sf::Triangles);
  for (const CountryGroup& g : scene.layout().groups) {
    const sf::Vector2f a = cam.to_screen({g.frame.x0, g.frame.y0}), b = cam.to_screen({g.frame.x1, g.frame.y1});
    add_rect(va, {a.x, a.y, b.x - a.x, b.y - a.y}, kCountryEdge);
    add_rect(va, {a.x + 1.5f, a.y + 1.5f, b.x - a.x - 3, b.y - a.y - 3}, kCountryFill);
  }
  target.draw(va);
  // Zoomed out, frames stay named with a readable floor, but the name must stay above the highest
  // ring in the frame: the header, the padding and the box's room above the disc less the ring.
  const float z = cam.zoom();
  const float clear = (Metrics::kGroupHeader + Metrics::kGroupPadding + Metrics::kAboveDisc - Metrics::kRing) * z;
  const float size = std::max(Metrics::kGroupTitle * z, std::min(11.0f, (clear - 5 * z - 1) / 1.2f));
  if (size < 6) return;
  for (const CountryGroup& g : scene.layout().groups) {
    const sf::Vector2f a = cam.to_screen({g.frame.x0, g.frame.y0});
    w.text(g.country, size, {a.x + 8 * z, a.y + 5 * z}, kMuted, true);
  }
}

void draw_edges(sf::RenderTarget& target, const Scene& scene, const Snapshot& snap, const UiState& ui) {
  const Camera& cam = ui.camera;
  const Scenario& s = scene.scenario();
  double fmax = 0.2;  // referrals per day that the thickest edge stands for, at least
  for (double f : snap.referral_flow) fmax = std::max(fmax, f);
  const float scale = std::clamp(cam.zoom(), 0.5f, 1.6f);
  sf::VertexArray va(sf::Triangles);
  std::vector<sf::Vector2f> pts;
  for (ReferralId r = 0; r < s.referrals.size(); ++r) {
    const EdgeGeometry& e = scene.edge(r);
    if (!e.drawable) continue;
    const double f = snap.referral_flow[r];
    const bool touches = ui.selected && (s.referrals[r].from == *ui.selected || s.referrals[r].to == *ui.selected);
    std::uint8_t alpha = f > 0.01 ? 200 : 110;
    if (ui.selected && !touches) alpha = 45;
    const sf::Color c = with_alpha(touches ? kSelect : kEdge, alpha);
    const float width = (1.2f + 7.5f * fl(std::sqrt(f / fmax))) * scale;
    pts.clear();
    const sf::Vector2f a0 = cam.to_screen(e.curve.front()), a1 = cam.to_screen(e.curve.back());
    const std::size_t stride = std::hypot(a1.x - a0.x, a1.y - a0.y) < 120 ? 4 : 1;  // short on screen: coarser
    for (std::size_t i = 0; i < e.curve.size(); i += stride) pts.push_back(cam.to_screen(e.curve[i]));
    if ((e.curve.size() - 1) % stride != 0) pts.push_back(a1);
    add_polyline(va, pts, width, c);
    // Arrowhead from the curve's end to the tip.
    const sf::Vector2f tip = cam.to_screen(e.tip), base = pts.back();
    const sf::Vector2f d = tip - base;
    const float len = std::hypot(d.x, d.y);
    if (len > 0) {
      const float half = std::max(4.0f * scale, width * 0.9f);
      const sf::Vector2f n{-d.y / len * half, d.x / len * half};
      add_triangle(va, tip, base + n, base - n, c);
    }
  }
  target.draw(va);
}

void draw_moving_cases(sf::RenderTarget& target, const Scene& scene, const Snapshot& snap, const Camera& cam) {
  const float r = 4.2f * std::clamp(cam.zoom(), 0.4f, 1.6f);
  sf::VertexArray va(sf::Triangles);
  for (const MovingCase& m : snap.moving) {
    const sf::Vector2f p = cam.to_screen(scene.along(m.referral, m.progress));
    if (r < 3) {  // zoomed far out: a square is indistinguishable and six times cheaper
      add_rect(va, {p.x - r, p.y - r, 2 * r, 2 * r}, col(case_colour(m.look)));
      continue;
    }
    add_disc(va, p, r + 1.2f, sf::Color(255, 255, 255, 230));
    add_disc(va, p, r, col(case_colour(m.look)));
  }
  target.draw(va);
}

/// The size of the "CLOSED" text on the band of an agency closed by a change, at zoom z.
float closed_text_size(float z) { return 9.5f * std::clamp(z, 0.82f, 1.6f); }
/// The band across the disc (centre c, radius r on screen) of an agency closed by a change.
sf::FloatRect closed_band(const Writer& w, sf::Vector2f c, float r, float z) {
  const float size = closed_text_size(z);
  const float width = r < 10 ? 2.4f * r : w.width("CLOSED", size, true) + 8;
  const float height = r < 10 ? 0.8f * r : size * 1.45f;
  return {std::round(c.x - width / 2), std::round(c.y - height / 2), std::round(width), std::round(height)};
}

void draw_agencies(sf::RenderTarget& target, Writer& w, const Scene& scene, const Snapshot& snap, const UiState& ui) {
  const Camera& cam = ui.camera;
  const Scenario& s = scene.scenario();
  const float z = cam.zoom();
  sf::VertexArray va(sf::Triangles);
  for (AgencyId a = 0; a < s.agencies.size(); ++a) {
    const NodeGeometry& g = scene.node(a);
    const AgencyNow& now = snap.agencies[a];
    const sf::Vector2f c = cam.to_screen(scene.centre(a));
    const float r = drawn_radius(g, z), ring = Metrics::kRing * std::max(z, r / g.radius);
    if (ui.selected == a) add_disc(va, c, r + ring + 4 * z + 2, kSelect);
    if (ui.selected == a) add_disc(va, c, r + ring + 4 * z, kBackground);
    if (!now.unlimited) {
      // Occupancy ring: busy staff or beds, clockwise from twelve o'clock.
      add_disc(va, c, r + ring, kRingTrack);
      // Against the capacity in force; after a cut below the busy ones (they finish), full.
      const float share = now.servers ? std::min(1.0f, static_cast<float>(now.busy) / static_cast<float>(now.servers))
                                      : (now.busy > 0 ? 1.0f : 0.0f);
      if (share > 0) add_arc(va, c, r, r + ring, -kPi / 2, -kPi / 2 + 2 * kPi * share, kRingBusy);
    }
    add_disc(va, c, r, kDiscEdge);
    add_disc(va, c, std::max(1.0f, r - 1.2f), col(utilization_colour(now.utilization)));
    if (now.waiting > 0) {
      // Queue gauge: log scale, full height (the disc's diameter) at 200 waiting.
      const float h = gauge_height(now.waiting, r);
      const float x = c.x + r + ring + 5 * z;
      add_rect(va, {x, c.y + r - h, Metrics::kQueueBar * z, h}, kQueue);
    }
    if (now.held > 0) {
      // Held before service (not_before): the same scale, mirrored on the left, violet.
      const float h = gauge_height(now.held, r);
      const float x = c.x - r - ring - 5 * z - Metrics::kQueueBar * z;
      add_rect(va, {x, c.y + r - h, Metrics::kQueueBar * z, h}, col(kHeld));
    }
    if (!now.open) {
      // Closed (outside opening hours): a grey badge with a white bar at ten-thirty on the ring.
      const float br = std::clamp(0.3f * (r + ring), 2.5f, 7.0f), d = (r + ring) * 0.72f;
      const sf::Vector2f b{c.x - d, c.y - d};
      add_disc(va, b, br + 1, kBackground);
      add_disc(va, b, br, col(kClosed));
      add_rect(va, {b.x - br * 0.6f, b.y - br * 0.2f, br * 1.2f, br * 0.4f}, sf::Color::White);
    }
    if (now.closed) {
      // Closed by a change: a dark band across the disc, "CLOSED" written on it (labels pass).
      const sf::FloatRect band = closed_band(w, c, r, z);
      add_rect(va, {band.left - 1, band.top - 1, band.width + 2, band.height + 2}, kBackground);
      add_rect(va, band, col(kClosedByChange));
    }
  }
  // Deadline breaches flash at the agency held responsible, for kBreachFlashDays after the last one.
  for (const BreachFlash& b : snap.breaches) {
    const sf::Vector2f c = cam.to_screen(scene.centre(b.agency));
    const float r = (scene.node(b.agency).radius + Metrics::kRing) * z;
    const float grow = fl(std::fmod(b.age_days * 4, 1.0));
    add_arc(va, c, r + 2 + 10 * grow, r + 5 + 10 * grow, 0, 2 * kPi,
            with_alpha(kBreach, static_cast<std::uint8_t>(255 * (1 - grow))));
  }
  target.draw(va);

  // Labels: hidden when too small to read; the selected agency always keeps its own. Slightly
  // zoomed out, they keep a readable floor (the layout's gaps leave room for that much).
  const float floor_k = z >= 0.75f ? std::max(z, 0.82f) : z;
  const float name_size = Metrics::kLabelSize * floor_k, stats_size = Metrics::kStatsSize * floor_k;
  for (AgencyId a = 0; a < s.agencies.size(); ++a) {
    const NodeGeometry& g = scene.node(a);
    const AgencyNow& now = snap.agencies[a];
    const sf::Vector2f c = cam.to_screen(scene.centre(a));
    const float r = drawn_radius(g, z), ring = Metrics::kRing * std::max(z, r / g.radius);
    if (now.held > 0 && stats_size >= 6) {
      const float h = gauge_height(now.held, r);
      const float x = c.x - r - ring - 5 * z;  // the gauge's right edge
      w.text("held " + num(static_cast<double>(now.held)), stats_size, {x, c.y + r - h - stats_size * 1.35f},
             col(kHeld), true, Align::right, 2);
    }
    if (now.waiting > 0 && stats_size >= 6) {
      const float h = gauge_height(now.waiting, r);
      const float x = c.x + r + ring + 5 * z + Metrics::kQueueBar * z / 2;
      w.text(num(static_cast<double>(now.waiting)), stats_size, {x, c.y + r - h - stats_size * 1.35f}, kQueue, true,
             Align::centre, 2);
    }
    if (now.closed && r >= 10) {
      const sf::FloatRect band = closed_band(w, c, r, z);
      w.text("CLOSED", closed_text_size(z), {c.x, band.top + band.height * 0.08f}, sf::Color::White, true,
             Align::centre);
    }
    const float size = (name_size < 7 && ui.selected == a) ? 12.0f : name_size;
    if (size < 7) continue;
    const float k = size / Metrics::kLabelSize;
    float y = c.y + r + ring + 3 * z;
    for (const std::string& line : g.label_lines) {
      w.text(line, size, {c.x, y}, kInk, false, Align::centre, 2);
      y += size * 1.25f;
    }
    w.text(Scene::stats_line(s.agencies[a], now.busy, now.servers, now.open), Metrics::kStatsSize * k, {c.x, y + 1 * k},
           now.open ? kMuted : kFaint, false, Align::centre, 2);
  }
}

// --- Inspector, legend, panel ----------------------------------------------------------------

void draw_inspector(sf::RenderTarget& target, Writer& w, const Scene& scene, const Snapshot& snap, const UiState& ui) {
  if (!ui.selected) return;
  const AgencyId a = *ui.selected;
  const Scenario& s = scene.scenario();
  const Agency& ag = s.agencies[a];
  const AgencyNow& now = snap.agencies[a];
  const float x = ui.screen.graph.left + 12, width = 320;
  float y = ui.screen.graph.top + 12;
  std::vector<std::pair<std::string, std::string>> rows;
  const std::string cap(Scene::capacity_word(ag));
  // Capacity in force now; the scenario's beside it once a change has made them differ.
  std::string capacity = std::to_string(now.servers) + " " + cap;
  if (now.servers != now.scenario_servers) capacity += " (scenario: " + std::to_string(now.scenario_servers) + ")";
  rows.emplace_back("Capacity", ag.unlimited ? "no limit" : capacity);
  if (!ag.unlimited) {
    rows.emplace_back(ag.residential ? "Beds occupied now" : "Busy now",
                      std::to_string(now.busy) + " of " + std::to_string(now.servers));
  }
  if (now.closed) rows.emplace_back("Closed by a change", "no service starts till reopened");
  if (ag.hours) {
    rows.emplace_back("Opening hours", ag.hours->describe());
    rows.emplace_back("Open now", now.open ? "yes" : "no: service paused till it opens");
  }
  rows.emplace_back("Waiting now", std::to_string(now.waiting));
  rows.emplace_back("Longest wait now", now.waiting ? days(now.oldest_wait) : "—");
  if (ag.not_before) {
    rows.emplace_back("Held now, before service", std::to_string(now.held));
    rows.emplace_back("Not before", days(ag.not_before->gap) + " after " + milestone_name(ag.not_before->after));
  }
  if (!ag.unlimited) {
    switch (ag.when_full) {
      case WhenFull::wait: rows.emplace_back("When full", "wait list"); break;
      case WhenFull::turn_away:
        rows.emplace_back("When full", "turn away");
        rows.emplace_back("Turned away so far", std::to_string(now.turned_away));
        break;
      case WhenFull::overflow:
        rows.emplace_back("When full", "overflow → " + s.agencies[ag.overflow_to].name);
        rows.emplace_back("Sent on when full, so far", std::to_string(now.overflowed));
        break;
    }
  }
  rows.emplace_back("Utilization (recent)", percent(now.utilization));
  rows.emplace_back("Utilization (long-run, static)",
                    ag.unlimited ? "—" : percent(scene.static_loads()[a].utilization));
  rows.emplace_back("Mean wait (recent)", days(now.mean_wait));
  rows.emplace_back("Arrivals / completions per day",
                    num(now.arrivals_per_day, 1) + " / " + num(now.completions_per_day, 1));
  if (ag.stage != Stage::none) rows.emplace_back("Stage", to_string(ag.stage));
  if (ag.withdrawal > 0 || ag.withdrawal_supported > 0) {
    rows.emplace_back("Withdraws after service",
                      ag.withdrawal == ag.withdrawal_supported
                          ? percent(ag.withdrawal)
                          : percent(ag.withdrawal) + " · supported " + percent(ag.withdrawal_supported));
    rows.emplace_back("Withdrew so far", std::to_string(now.withdrawals));
  }
  if (ag.decision) {
    rows.emplace_back("Decides", decided_name(ag.decision->sets));
    rows.emplace_back("Positive / negative so far",
                      std::to_string(now.positive) + " / " + std::to_string(now.negative));
    rows.emplace_back("Share positive so far", percent(now.share_positive));
  }
  if (s.deadlines.empty()) {
    rows.emplace_back("Deadline breaches", "no deadlines in scenario");
  } else {
    rows.emplace_back("Deadline breaches, recent / so far",
                      recent_count(now.breaches_recent) + " / " + std::to_string(now.breaches));
  }
  std::vector<std::pair<std::string, std::string>> outs;  // (→ target, rule · recent flow)
  for (ReferralId r = 0; r < s.referrals.size(); ++r) {
    if (s.referrals[r].from != a) continue;
    outs.emplace_back("→ " + s.agencies[s.referrals[r].to].name,
                      percent(s.referrals[r].probability) + " · " + num(snap.referral_flow[r], 1) + "/d");
  }
  // A value too long for its row goes on a line of its own under the key.
  std::vector<bool> two_lines;
  for (const auto& [k, v] : rows) two_lines.push_back(w.width(k, 12.5f) + 10 + w.width(v, 12.5f) > width - 24);
  const auto lines =
      static_cast<float>(rows.size() + static_cast<std::size_t>(std::count(two_lines.begin(), two_lines.end(), true)));
  // The card stays inside the graph area: referrals that do not fit are summarised.
  const float room = ui.screen.graph.top + ui.screen.graph.height - 12 - y;
  // Interactive: a last line with the facilitator's keys for this agency.
  const std::string keys =
      std::string(ag.unlimited ? ""
                               : "A / D: one " + std::string(ag.residential ? "bed" : "staff") + " more / less · ") +
      (now.closed ? "C: reopen" : "C: close");
  const float fixed = 52 + 18 * lines + (ui.interactive ? 20.0f : 0.0f);
  std::size_t shown = outs.size();
  while (shown > 0 && fixed + 22 + 17 * static_cast<float>(shown + (shown < outs.size())) > room) --shown;
  const std::size_t more = outs.size() - shown;
  const float height = fixed + (outs.empty() || shown == 0 ? 0 : 22 + 17 * static_cast<float>(shown + (more > 0)));
  sf::RectangleShape card({width, height});
  card.setPosition(x, y);
  card.setFillColor(sf::Color(255, 255, 255, 240));
  card.setOutlineColor(kPanelRule);
  card.setOutlineThickness(1);
  target.draw(card);
  w.text(w.fit(ag.name, 15, width - 24, true), 15, {x + 12, y + 8}, kInk, true);
  std::string sub = ag.kind.empty() ? ag.id : ag.kind;
  if (!ag.country.empty()) sub += " · " + ag.country;
  w.text(w.fit(sub + "   (Esc: close)", 12, width - 24), 12, {x + 12, y + 28}, kMuted);
  y += 50;
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const auto& [k, v] = rows[i];
    w.text(k, 12.5f, {x + 12, y}, kMuted);
    if (two_lines[i]) y += 18;
    w.text(w.fit(v, 12.5f, width - 24), 12.5f, {x + width - 12, y}, v == "no deadlines in scenario" ? kFaint : kInk,
           false, Align::right);
    y += 18;
  }
  if (shown > 0) {
    y += 4;
    w.text("REFERRALS OUT (rule · recent flow)", 11, {x + 12, y}, kMuted, true);
    y += 18;
    for (std::size_t i = 0; i < shown; ++i) {
      const float fw = w.text(outs[i].second, 12, {x + width - 12, y}, kInk, false, Align::right);
      w.text(w.fit(outs[i].first, 12, width - 24 - fw - 8), 12, {x + 12, y}, kInk);
      y += 17;
    }
    if (more > 0) w.text("+" + std::to_string(more) + " more referrals", 11, {x + 12, y}, kFaint);
    y += more > 0 ? 17 : 0;
  }
  if (ui.interactive) w.text(w.fit(keys, 11.5f, width - 24), 11.5f, {x + 12, y + 2}, kMuted);
}

void draw_legend(sf::RenderTarget& target, Writer& w, const Scene& scene, const Snapshot& snap, const UiState& ui) {
  const sf::FloatRect r = ui.screen.legend;
  sf::VertexArray va(sf::Triangles);
  add_rect(va, r, kPanel);
  add_rect(va, {r.left, r.top, r.width, 1}, kPanelRule);
  // Utilization scale: one quad per pair of stops, so the GPU's blend equals utilization_colour().
  const float x0 = r.left + 14, bar_w = 260, y0 = r.top + 26, bar_h = 12;
  const auto stops = utilization_stops();
  for (std::size_t i = 1; i < stops.size(); ++i) {
    const float xa = x0 + bar_w * fl(stops[i - 1].at), xb = x0 + bar_w * fl(stops[i].at);
    const sf::Color ca = col(stops[i - 1].colour), cb = col(stops[i].colour);
    va.append({{xa, y0}, ca});
    va.append({{xb, y0}, cb});
    va.append({{xb, y0 + bar_h}, cb});
    va.append({{xa, y0}, ca});
    va.append({{xb, y0 + bar_h}, cb});
    va.append({{xa, y0 + bar_h}, ca});
  }
  const float nx = x0 + bar_w + 12;
  add_rect(va, {nx, y0, 12, bar_h}, col(kNoUtilization));
  target.draw(va);
  w.text("Utilization, " + num(snap.window) + "-day average", 12, {x0, r.top + 7}, kInk, true);
  for (double t : {0.0, 0.5, 0.85, 1.0}) {
    w.text(percent(t), 10, {x0 + bar_w * fl(t), y0 + bar_h + 1}, kMuted, false,
           t == 0 ? Align::left : (t == 1.0 ? Align::right : Align::centre));
  }
  w.text("no limit", 10.5f, {nx + 16, y0 - 1}, kMuted);

  // Case dots by profile.
  const float x = std::max(nx + 80, x0 + w.width("Utilization, 7-day average", 12, true) + 24);
  w.text("Cases in transfer", 12, {x, r.top + 7}, kInk, true);
  float sx = x;
  const float sy = y0 - 1;
  sf::VertexArray dots(sf::Triangles);
  for (const auto& [age, label] : {std::pair{AgeGroup::child, "child"}, std::pair{AgeGroup::adult, "adult"}}) {
    add_disc(dots, {sx + 5, sy + 7}, 5, col(case_colour(CaseLook{age})));
    sx += 13 + w.text(label, 11, {sx + 13, sy}, kMuted) + 14;
  }
  sx += 10;
  // Marks at agencies; the held gauge and the closed badge only when the scenario has them.
  const Scenario& s = scene.scenario();
  const bool holds = snap.indicators.held.has_value();
  const bool hours = std::any_of(s.agencies.begin(), s.agencies.end(), [](const Agency& a) { return a.hours; });
  const bool shut =
      std::any_of(snap.agencies.begin(), snap.agencies.end(), [](const AgencyNow& a) { return a.closed; });
  const float end = r.left + r.width - 14;
  add_arc(dots, {sx + 6, sy + 7}, 4.5f, 7, 0, 2 * kPi, kBreach);
  sx += 17 +
        w.text(w.fit(holds || hours || shut ? "deadline breach" : "deadline breach (at the agency held responsible)",
                     11, end - sx - 17),
               11, {sx + 17, sy}, kMuted) +
        14;
  if (holds && sx + 60 < end) {
    add_rect(dots, {sx, sy + 1, 5, 12}, col(kHeld));
    sx += 10 + w.text(w.fit("held before service", 11, end - sx - 10), 11, {sx + 10, sy}, kMuted) + 14;
  }
  // Closed: the grey badge of opening hours and / or the dark band of a change, when either shows.
  if ((hours || shut) && sx + 60 < end) {
    if (hours) {
      add_disc(dots, {sx + 5, sy + 7}, 5.5f, col(kClosed));
      add_rect(dots, {sx + 5 - 3.3f, sy + 7 - 1.1f, 6.6f, 2.2f}, sf::Color::White);
      sx += 14;
    }
    if (shut) {
      add_rect(dots, {sx, sy + 3, 16, 8}, col(kClosedByChange));
      sx += 21;
    }
    const char* what = hours && shut ? "closed: hours, change" : (hours ? "closed now" : "closed by a change");
    w.text(w.fit(what, 11, end - sx), 11, {sx, sy}, kMuted);
  }
  target.draw(dots);
  const float y2 = r.top + r.height - 19;
  std::string key = std::string("Ring: busy staff/beds · red bar: cases waiting") + (holds ? ", violet: held" : "") +
                    " (log scale) · edge width: recent referrals per day · country frames group agencies";
  if (ui.interactive) {
    key =
        "Space pause · N step 1 h (Shift: 1 d) · +/− speed · click inspect · A/D staff ± · C close · "
        "R restart · F fit · wheel/drag zoom, pan · P save · Q quit";
  }
  w.text(w.fit(key, 11.5f, r.width - 28), 11.5f, {r.left + 14, y2}, kMuted);
}

void draw_chart(sf::RenderTarget& target, Writer& w, sf::FloatRect box, const std::vector<Sample>& history,
                double Sample::*field, const std::string& title, const std::string& value) {
  sf::VertexArray va(sf::Triangles);
  add_rect(va, box, sf::Color(255, 255, 255));
  const sf::FloatRect plot{box.left + 4, box.top + 20, box.width - 8, box.height - 24};
  if (history.size() >= 2) {
    const double t0 = history.front().t, t1 = std::max(history.back().t, t0 + 1e-9);
    double vmax = 0;
    for (const Sample& s : history)
      if (!std::isnan(s.*field)) vmax = std::max(vmax, s.*field);
    vmax = vmax > 0 ? vmax * 1.1 : 1;
    const std::size_t stride = std::max<std::size_t>(1, history.size() / static_cast<std::size_t>(plot.width * 2));
    std::vector<sf::Vector2f> pts;
    for (std::size_t i = 0; i < history.size(); i += stride) {
      const double v = history[i].*field;
      if (std::isnan(v)) continue;
      pts.push_back(
          {plot.left + plot.width * fl((history[i].t - t0) / (t1 - t0)), plot.top + plot.height * (1 - fl(v / vmax))});
    }
    for (std::size_t i = 0; i + 1 < pts.size(); ++i) {
      const float base = plot.top + plot.height;
      add_quad(va, {pts[i].x, pts[i].y}, {pts[i + 1].x, pts[i + 1].y}, {pts[i + 1].x, base}, {pts[i].x, base},
               sf::Color(44, 90, 160, 40));
    }
    add_polyline(va, pts, 1.6f, kChartLine);
  }
  target.draw(va);
  w.text(title, 11, {box.left + 5, box.top + 3}, kMuted);
  w.text(value, 12, {box.left + box.width - 5, box.top + 2}, kInk, true, Align::right);
}

void draw_panel(sf::RenderTarget& target, Writer& w, const Scene& scene, const Snapshot& snap, const UiState& ui) {
  const sf::FloatRect p = ui.screen.panel;
  const Scenario& s = scene.scenario();
  const Indicators& ind = snap.indicators;
  sf::VertexArray va(sf::Triangles);
  add_rect(va, p, kPanel);
  add_rect(va, {p.left, p.top, 1, p.height}, kPanelRule);
  target.draw(va);
  const float x = p.left + 16, right = p.left + p.width - 16, inner = right - x;
  float y = p.top + 12;
  auto rule = [&] {
    sf::RectangleShape line({inner, 1});
    line.setPosition(x, y);
    line.setFillColor(kPanelRule);
    target.draw(line);
    y += 8;
  };
  auto heading = [&](const std::string& h) {
    w.text(w.fit(h, 11, inner, true), 11, {x, y}, kMuted, true);
    y += 17;
  };

  {
    // The scenario's name on up to two lines.
    std::string first = s.name, rest;
    if (w.width(first, 15, true) > inner) {
      std::size_t cut = first.size();
      while (cut > 0 && (first[cut - 1] != ' ' || w.width(first.substr(0, cut - 1), 15, true) > inner)) --cut;
      if (cut > 0) {
        rest = first.substr(cut);
        first = first.substr(0, cut - 1);
      }
    }
    w.text(w.fit(first, 15, inner, true), 15, {x, y}, kInk, true);
    y += 20;
    if (!rest.empty()) {
      w.text(w.fit(rest, 15, inner, true), 15, {x, y}, kInk, true);
      y += 20;
    }
  }
  y += 2;
  w.text(clock_label(snap.now), 22, {x, y}, kInk, true);
  y += 30;
  const std::string phase = snap.now < snap.warmup ? "warm-up (until day " + num(snap.warmup) + ")"
                                                   : "after warm-up; horizon day " + num(snap.horizon);
  w.text(phase, 11.5f, {x, y}, kMuted);
  y += 17;
  std::string run =
      ui.interactive ? (ui.paused ? "PAUSED" : "RUNNING") + std::string(" · ") + speed_label(ui.speed) : "Snapshot";
  run += " · seed " + std::to_string(snap.seed);
  if (snap.restarts > 0) run += " (restart " + std::to_string(snap.restarts) + ")";
  w.text(w.fit(run, 12, inner), 12, {x, y}, ui.interactive && ui.paused ? kQueue : kMuted, ui.interactive);
  y += 22;
  rule();

  heading("NOW");
  auto pair_row = [&](const std::string& k1, const std::string& v1, const std::string& k2, const std::string& v2) {
    const float mid = x + inner / 2;
    w.text(k1, 12.5f, {x, y}, kMuted);
    w.text(v1, 13, {mid - 12, y - 1}, kInk, true, Align::right);
    if (!k2.empty()) {
      w.text(k2, 12.5f, {mid + 4, y}, kMuted);
      w.text(v2, 13, {right, y - 1}, kInk, true, Align::right);
    }
    y += 19;
  };
  pair_row("In system", num(static_cast<double>(ind.in_system)), "Waiting", num(static_cast<double>(ind.waiting)));
  pair_row("In service", num(static_cast<double>(ind.in_service)), "In transfer",
           num(static_cast<double>(ind.in_transfer)));
  pair_row("Entering/d", num(ind.entries_per_day, 1), "Leaving/d", num(ind.throughput_per_day, 1));
  pair_row("Mean wait", days(ind.mean_wait), "", "");
  if (ind.busiest) {
    const AgencyNow& b = snap.agencies[*ind.busiest];
    const std::string v = percent(b.utilization);
    w.text("Busiest", 12.5f, {x, y}, kMuted);
    const float vw = w.text(v, 13, {right, y - 1}, kInk, true, Align::right);
    w.text(w.fit(s.agencies[*ind.busiest].name, 12.5f, inner - 70 - vw), 12.5f, {x + 60, y}, kInk);
    y += 19;
  }
  y += 4;
  rule();

  heading("SOP RESULTS (counts: recent = " + num(snap.window) + "-day)");
  if (ind.deadline_breaches) {
    w.text("Deadline breaches", 12.5f, {x, y}, kMuted);
    w.text(recent_count(*ind.deadline_breaches), 13, {right, y - 1}, *ind.deadline_breaches >= 0.05 ? kBreach : kInk,
           true, Align::right);
    y += 19;
    // Compliance per deadline so far; the breach count is the panel's most urgent number.
    const std::size_t shown = std::min<std::size_t>(snap.deadlines.size(), 4);
    for (DeadlineId d = 0; d < shown; ++d) {
      const DeadlineNow& dn = snap.deadlines[d];
      const std::string v =
          percent(dn.compliance) + " met (" + std::to_string(dn.met) + "/" + std::to_string(dn.met + dn.breached) + ")";
      const float vw = w.text(v, 12, {right, y}, kInk, false, Align::right);
      w.text(w.fit(s.deadlines[d].id, 12, inner - 12 - vw - 8), 12, {x + 12, y}, kMuted);
      y += 17;
    }
    if (snap.deadlines.size() > shown) {
      w.text("+" + std::to_string(snap.deadlines.size() - shown) + " more deadlines", 11, {x + 12, y}, kFaint);
      y += 15;
    }
    y += 2;
  } else {
    w.text("No deadlines in the scenario.", 12, {x, y}, kFaint);
    y += 19;
  }
  pair_row("Lost referrals", recent_count(ind.lost_referrals), "No consent", recent_count(ind.consent_refused));
  y += 4;
  rule();

  // Decisions: shown only for the attributes some agency in the scenario decides.
  heading("DECISIONS (positive: recent/d · so far, share)");
  auto row = [&](const std::string& k, const std::string& v) {
    const float vw = w.text(v, 13, {right, y - 1}, kInk, true, Align::right);
    w.text(w.fit(k, 12.5f, inner - vw - 8), 12.5f, {x, y}, kMuted);
    y += 19;
  };
  auto decision_row = [&](const char* label, const std::optional<DecisionNow>& d) {
    if (!d) return;
    const std::uint64_t all = d->positive + d->negative;
    std::string v = num(d->positive_per_day, 1) + "/d · " + std::to_string(d->positive);
    if (all > 0) v += " (" + percent(static_cast<double>(d->positive) / static_cast<double>(all)) + ")";
    row(label, v);
  };
  decision_row("Presumed victims", ind.presumed);
  decision_row("Reasonable grounds", ind.reasonable_grounds);
  decision_row("Identified", ind.identified);
  if (ind.backlog) {
    row("Awaiting a grounds decision", num(static_cast<double>(*ind.backlog)));
  } else {
    w.text(w.fit("Identified, backlog: no grounds decisions in scenario", 11, inner), 11, {x, y}, kFaint);
    y += 15;
  }
  if (ind.dropouts) {
    row("Drop-outs (recent)", num(*ind.dropouts, 1));
    y += 4;
  } else {
    w.text(w.fit("Drop-outs: nobody has a patience", 11, inner), 11, {x, y}, kFaint);
    y += 19;
  }
  if (ind.turned_away) row("Full: turned away · sent on", num(*ind.turned_away, 1) + " · " + num(*ind.overflows, 1));
  if (ind.held) row("Held (recovery period)", num(static_cast<double>(*ind.held)));
  rule();

  // Changes to the running mechanism (a scenario's [[change]]s, the facilitator's), newest first,
  // and why the facilitator's last one was refused; shown once there is something to show.
  if (snap.changes_heard > 0 || !ui.change_error.empty()) {
    heading("CHANGES (" + std::to_string(snap.changes_heard) + " so far, newest first)");
    if (!ui.change_error.empty()) {
      std::size_t lines = 0;
      for (const std::string& line : wrap_to_width(w, "Refused: " + ui.change_error, 11.5f, inner)) {
        if (++lines > 3) break;
        w.text(line, 11.5f, {x, y}, kQueue);
        y += 15;
      }
      y += 3;
    }
    const std::size_t shown = std::min<std::size_t>(snap.changes.size(), ui.change_error.empty() ? 3 : 2);
    for (std::size_t i = 0; i < shown; ++i) {
      // "day 120  shelter: beds 2 → 3   refsim-viz": a description too long for the line wraps
      // once (its end is what changed), and the origin goes under it when it no longer fits.
      const ChangeNote& n = snap.changes[i];
      const float day_w = w.text("day " + num(std::floor(n.t)), 11, {x, y + 1}, kMuted);
      const float left = x + day_w + 8, room = right - left;
      const std::string origin = w.fit(n.origin.empty() ? "scenario" : n.origin, 10.5f, inner * 0.45f);
      const float ow = w.width(origin, 10.5f);
      std::vector<std::string> lines = wrap_to_width(w, n.text, 12, room);
      if (lines.size() > 2) {
        for (std::size_t k = 2; k < lines.size(); ++k) lines[1] += " " + lines[k];
        lines.resize(2);
      }
      for (std::size_t k = 0; k < lines.size(); ++k) {
        w.text(w.fit(lines[k], 12, room), 12, {left, y}, kInk);
        if (k + 1 < lines.size()) y += 15;
      }
      if (w.width(lines.back(), 12) + 12 + ow > room) y += 15;
      w.text(origin, 10.5f, {right, y + 1}, kFaint, false, Align::right);
      y += 17;
    }
    y += 4;
    rule();
  }

  // The charts: two rows when they fit above the footer line, else one (a change log can take
  // the room of the second on a short screen), else none.
  const float bottom = p.top + p.height - 22;
  const float cw = (inner - 8) / 2, ch = 62;
  const int chart_rows = !snap.history                         ? 0
                         : y + 17 + ch + 8 + ch + 12 <= bottom ? 2
                         : y + 17 + ch + 12 <= bottom          ? 1
                                                               : 0;
  if (chart_rows > 0) {
    heading("OVER TIME (recent = " + num(snap.window) + "-day average)");
    const auto& h = *snap.history;
    // With grounds decisions, their backlog replaces the chart of cases in system (a number under NOW).
    if (ind.backlog) {
      draw_chart(target, w, {x, y, cw, ch}, h, &Sample::backlog, "Awaiting decision",
                 num(static_cast<double>(*ind.backlog)));
    } else {
      draw_chart(target, w, {x, y, cw, ch}, h, &Sample::in_system, "In system",
                 num(static_cast<double>(ind.in_system)));
    }
    draw_chart(target, w, {x + cw + 8, y, cw, ch}, h, &Sample::waiting, "Waiting",
               num(static_cast<double>(ind.waiting)));
    y += ch + (chart_rows == 2 ? 8 : 12);
    if (chart_rows == 2) {
      draw_chart(target, w, {x, y, cw, ch}, h, &Sample::throughput, "Leaving per day", num(ind.throughput_per_day, 1));
      draw_chart(target, w, {x + cw + 8, y, cw, ch}, h, &Sample::mean_wait, "Mean wait", days(ind.mean_wait));
      y += ch + 12;
    }
    rule();
  }

  // The list stops above the footer line; on a short screen the section may not fit at all.
  if (y + 17 + 17 <= bottom) heading("BOTTLENECKS NOW (waiting × utilization)");
  if (snap.bottlenecks.empty() && y + 17 <= bottom) {
    w.text("No agency has cases waiting.", 12.5f, {x, y}, kMuted);
    y += 19;
  }
  std::size_t rank = 0;
  for (AgencyId a : snap.bottlenecks) {
    if (y + 17 > bottom) break;
    const AgencyNow& n = snap.agencies[a];
    ++rank;
    sf::RectangleShape swatch({10, 10});
    swatch.setPosition(x + 16, y + 4);
    swatch.setFillColor(col(utilization_colour(n.utilization)));
    swatch.setOutlineColor(kDiscEdge);
    swatch.setOutlineThickness(1);
    target.draw(swatch);
    w.text(std::to_string(rank), 12.5f, {x, y}, kMuted, true);
    const std::string figures = std::to_string(n.waiting) + " waiting · " + days(n.oldest_wait);
    const float fw = w.width(figures, 12);
    w.text(w.fit(s.agencies[a].name, 12.5f, inner - 34 - fw - 8, ui.selected == a), 12.5f, {x + 32, y},
           ui.selected == a ? kSelect : kInk, ui.selected == a);
    w.text(figures, 12, {right, y}, kQueue, false, Align::right);
    y += 19;
  }
  if (ui.interactive) {
    w.text(num(ui.fps) + " fps", 10.5f, {right, p.top + p.height - 18}, kFaint, false, Align::right);
  } else {
    w.text(w.fit("refsim-viz · " + ui.scenario_file, 10.5f, inner), 10.5f, {x, p.top + p.height - 18}, kFaint);
  }
}

}  // namespace

ScreenLayout ScreenLayout::for_size(unsigned width, unsigned height) {
  const float w = static_cast<float>(width), h = static_cast<float>(height);
  const float panel = std::clamp(w * 0.28f, 300.0f, 380.0f);
  const float legend = 66;
  return {{0, 0, w - panel, h - legend}, {0, h - legend, w - panel, legend}, {w - panel, 0, panel, h}};
}

std::string speed_label(double v) {
  if (v == kMaxSpeed) return "max speed";
  if (std::fabs(v * 86400 - 1) < 1e-6) return "real time";
  if (v < 1.0 / 24) return fmt("%.0f min/s", v * 1440);
  if (v < 1) return fmt("%.0f h/s", v * 24);
  return fmt(v < 10 ? "%.1f d/s" : "%.0f d/s", v);
}

void draw_frame(sf::RenderTarget& target, const Scene& scene, const Snapshot& snap, const UiState& ui,
                const Fonts& fonts) {
  target.clear(kBackground);
  Writer w(target, fonts);
  draw_countries(target, w, scene, ui.camera);
  draw_edges(target, scene, snap, ui);
  draw_moving_cases(target, scene, snap, ui.camera);
  draw_agencies(target, w, scene, snap, ui);
  draw_inspector(target, w, scene, snap, ui);
  if (!ui.banner.empty()) {
    const float bw = w.width(ui.banner, 14, true) + 24;
    sf::RectangleShape box({bw, 28});
    box.setPosition(ui.screen.graph.left + ui.screen.graph.width / 2 - bw / 2, ui.screen.graph.top + 10);
    box.setFillColor(sf::Color(33, 37, 41, 225));
    target.draw(box);
    w.text(ui.banner, 14, {ui.screen.graph.left + ui.screen.graph.width / 2, ui.screen.graph.top + 14},
           sf::Color::White, true, Align::centre);
  }
  draw_legend(target, w, scene, snap, ui);
  draw_panel(target, w, scene, snap, ui);
}

float drawn_radius(const NodeGeometry& node, float zoom) { return std::max(node.radius * zoom, 4.0f); }

std::optional<AgencyId> agency_at(const Scene& scene, const Camera& camera, sf::Vector2f p) {
  std::optional<AgencyId> best;
  float best_d = 0;
  for (AgencyId a = 0; a < scene.scenario().agencies.size(); ++a) {
    const sf::Vector2f c = camera.to_screen(scene.centre(a));
    const float d = std::hypot(p.x - c.x, p.y - c.y);
    const float r = drawn_radius(scene.node(a), camera.zoom()) + Metrics::kRing * camera.zoom() + 3;
    if (d <= r && (!best || d < best_d)) {
      best = a;
      best_d = d;
    }
  }
  return best;
}

}  // namespace refsim::viz
