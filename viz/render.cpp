#include "viz/render.hpp"

#include <SFML/Graphics/RectangleShape.hpp>
#include <SFML/Graphics/Text.hpp>
#include <SFML/Graphics/VertexArray.hpp>
#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <limits>
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

// Character sizes of the text, px.
namespace text_size {
constexpr float kTitle = 15;    // the scenario's name, the inspector's agency name
constexpr float kClock = 22;    // simulated day and time
constexpr float kHeading = 11;  // a section's heading
constexpr float kSmall = 11;    // notes ("+2 more …"), chart titles, legend labels, a change's day, rows per country
constexpr float kHint = 11.5f;  // the run's phase, a refusal, the keys
constexpr float kBody = 12;     // run state, deadlines, changes, chart values, legend titles
constexpr float kKey = 12.5f;   // a row's key
constexpr float kValue = 13;    // a row's value (bold)
constexpr float kFine = 10.5f;  // a change's origin, the footer, "no limit"
constexpr float kTick = 10;     // the utilization scale's percentages, the titles of the columns per country
constexpr float kBanner = 14;   // the notice over the graph
constexpr float kHalo = 2;      // outline of text drawn over the graph, px
constexpr float kHover = 13;    // the full name of the agency under the pointer
}  // namespace text_size

// The graph's marks; "world units" are px at zoom 1.
namespace marks {
constexpr double kGaugeFull = 200;            // cases at which a queue or held gauge is full (log scale)
constexpr float kSegmentsPerPx = 0.6f;        // segments of a drawn circle per px of radius
constexpr int kMinSegments = 8;               // segments of the smallest circle
constexpr int kMaxSegments = 56;              // segments of the largest
constexpr float kMarkZoomMax = 1.6f;          // marks stop growing with the zoom above this zoom
constexpr float kTextZoomFloor = 0.82f;       // text on the graph shrinks with the zoom down to this zoom
constexpr float kCountryEdge = 1.5f;          // a country frame's edge, px
constexpr float kCountryNameMax = 11;         // largest size of a country's name squeezed into its header, px
constexpr float kCountryNameMin = 6;          // a country's name smaller than this is not drawn, px
constexpr float kCountryNameLead = 1.2f;      // line height of a country's name, per px of its size
constexpr float kCountryColourEdge = 2.5f;    // a regional scenario's frame edge, in the country's colour, px
constexpr float kCountryTint = 0.10f;         // share of the country's colour in its frame's fill
constexpr float kCountryNameX = 8;            // a country's name from the frame's left edge, world units
constexpr float kCountryNameY = 5;            // and from its top, world units
constexpr double kMinFlowScale = 0.2;         // referrals per day that the thickest edge stands for, at least
constexpr double kFlowing = 0.01;             // referrals per day above which an edge is drawn darker
constexpr std::uint8_t kEdgeAlpha = 200;      // an edge with referrals flowing
constexpr std::uint8_t kIdleEdgeAlpha = 110;  // an edge without
constexpr std::uint8_t kFadedEdgeAlpha = 45;  // an edge not touching the selected agency
constexpr float kEdgeZoomMin = 0.5f;          // edges stop thinning with the zoom below this zoom
constexpr float kEdgeWidth = 1.2f;            // an edge without flow, px at zoom 1
constexpr float kEdgeFlowWidth = 7.5f;        // added for the busiest referral, px at zoom 1
constexpr float kShortEdge = 120;             // an edge shorter than this on screen is drawn coarser, px
constexpr std::size_t kShortEdgeStride = 4;   // ... with every 4th point of its curve
constexpr float kArrowHalf = 4;               // half the arrowhead's base, at least, px at zoom 1
constexpr float kArrowPerWidth = 0.9f;        // half the arrowhead's base per px of edge width
constexpr float kCaseDot = 4.2f;              // a moving case's dot radius, px at zoom 1
constexpr float kCaseZoomMin = 0.4f;          // dots stop shrinking with the zoom below this zoom
constexpr float kSquareBelow = 3;             // dots smaller than this are drawn as squares, px
constexpr float kCaseHalo = 1.2f;             // white rim of a case's dot, px
constexpr std::uint8_t kCaseHaloAlpha = 230;
constexpr float kClosedText = 9.5f;       // size of "CLOSED" on the band of an agency closed by a change, px at zoom 1
constexpr float kSmallDisc = 10;          // a disc smaller than this (px) gets a band without text
constexpr float kSmallBandWidth = 2.4f;   // such a band's width per px of radius
constexpr float kSmallBandHeight = 0.8f;  // and height
constexpr float kBandPad = 8;             // a band's width beyond "CLOSED", px
constexpr float kBandLead = 1.45f;        // a band's height per px of text size
constexpr float kBandTextTop = 0.08f;     // "CLOSED" from the band's top, share of its height
constexpr float kSelectGap = 4;           // between the ring and the selection's outline, px at zoom 1
constexpr float kSelectOutline = 2;       // the selection's outline, px
constexpr float kDiscRim = 1.2f;          // a disc's dark rim, px
constexpr float kBadgeShare = 0.3f;       // the closed badge's radius per px of the ring's outer radius
constexpr float kBadgeMin = 2.5f;         // the badge's radius, at least, px
constexpr float kBadgeMax = 7;            // and at most, px
constexpr float kBadgeAt = 0.72f;         // the badge's offset from the centre, x and y, per px of the ring's radius
constexpr float kBadgeBarHalfWidth = 0.6f;  // half the badge's white bar, per px of badge radius
constexpr float kBadgeBarHalfHeight = 0.2f;
constexpr float kBadgeHalo = 1;            // background around the badge, px
constexpr double kBreachPulsesPerDay = 4;  // rings a breach sends out per simulated day
constexpr float kBreachInner = 2;          // a breach ring's inner radius beyond the ring, px
constexpr float kBreachOuter = 5;          // and its outer radius, px
constexpr float kBreachSpread = 10;        // how far a breach ring moves out, px
constexpr float kMinStatsSize = 6;         // gauge counts smaller than this are not drawn, px
constexpr float kMinLabelSize = 7;         // agency names smaller than this are hidden, px
constexpr float kLabelRounding = 1;        // a label's rectangle beyond its halo: pixel rounding, px
constexpr float kTextGrowMax = 1.6f;       // text on the graph grows with the zoom up to this many times its size
constexpr float kSelectedLabelSize = 12;   // the selected agency's name when the others are hidden, px
constexpr float kLabelGap = 3;             // between the ring and the name, px at zoom 1
constexpr float kMinRadius = 4;            // a disc's radius, at least, px (drawn_radius())
constexpr float kHitSlop = 3;              // a click this far outside a ring still selects it, px
}  // namespace marks

// The inspector's card, px.
namespace card {
constexpr float kMargin = 12;  // from the graph area's top-left corner, and from its bottom
constexpr float kWidth = 320;
constexpr float kPad = 12;       // text from the card's sides
constexpr float kHeader = 50;    // the name and the line under it
constexpr float kNameTop = 8;    // the name from the card's top
constexpr float kSubTop = 28;    // the line under it from the card's top
constexpr float kNameLine = 18;  // a line of the name, when it takes more than one
constexpr std::size_t kNameLines = 3;
constexpr float kFixed = 52;        // the header and the bottom padding
constexpr float kRow = 18;          // a row of the table
constexpr float kKeyGap = 10;       // a key and its value on one row, at least
constexpr float kKeysLine = 20;     // the facilitator's keys (interactive)
constexpr float kOutsHeading = 22;  // "REFERRALS OUT" with the gap above it
constexpr float kOutsRow = 17;      // a referral out
constexpr float kGap = 8;           // between a referral's target and its figures, at least
constexpr std::uint8_t kAlpha = 240;
}  // namespace card

// The legend under the graph, px.
namespace legend {
constexpr float kHeight = 66;
constexpr float kPad = 14;      // from its left and right edges
constexpr float kTitleTop = 7;  // the titles from its top
constexpr float kBarTop = 26;   // the utilization scale from its top
constexpr float kBarWidth = 260;
constexpr float kBarHeight = 12;
constexpr float kSwatch = 12;                       // the "no limit" swatch
constexpr float kSwatchGap = 12;                    // between the scale and that swatch
constexpr float kSwatchLabel = 16;                  // "no limit" from the swatch's left
constexpr float kNoLimitWidth = 80;                 // the swatch and "no limit", before the cases' entry, at least
constexpr float kColumnGap = 24;                    // between the scale's title and the cases' entry, at least
constexpr float kItemGap = 14;                      // after an entry's label
constexpr float kMarksGap = 10;                     // between the cases' entries and the marks'
constexpr float kKeyBottom = 19;                    // the line of keys from its bottom
constexpr float kRoom = 60;                         // least room left for one more mark's entry
constexpr double kTicks[] = {0.0, 0.5, 0.85, 1.0};  // utilization labelled under the scale
}  // namespace legend

// The panel on the right, px.
namespace panel {
constexpr float kShare = 0.28f;  // of the window's width
constexpr float kMinWidth = 300;
constexpr float kMaxWidth = 380;
constexpr float kMargin = 16;  // text from its left and right edges
constexpr float kTop = 12;     // the first line from its top
constexpr float kRuleGap = 8;  // below a rule
constexpr float kHeadingLine = 17;
constexpr float kTitleLine = 20;  // a line of the scenario's name
constexpr float kClockLine = 30;
constexpr float kPhaseLine = 17;
constexpr float kRunLine = 22;
constexpr float kRow = 19;          // a row of figures
constexpr float kSmallRow = 17;     // a deadline, a change
constexpr float kNoteLine = 15;     // a note's line, a wrapped line
constexpr float kSectionGap = 4;    // below a section's last row
constexpr float kIndent = 12;       // the deadlines under "Deadline breaches"
constexpr float kGap = 8;           // between a key and its value, at least
constexpr float kPairGap = 12;      // between the left pair's value and the middle
constexpr float kPairKey = 4;       // the right pair's key from the middle
constexpr float kBusiestName = 60;  // the busiest agency's name from the left
constexpr float kBusiestGap = 10;   // between its name and its utilization, at least (kBusiestName + this)
constexpr std::size_t kDeadlinesShown = 4;
constexpr double kBreachesAlarm = 0.05;  // recent deadline breaches from which the count is red
constexpr std::size_t kRefusalLines = 3;
// The note beside NOW when the scenario has parallel tracks, and its shorter form for a narrow panel.
constexpr const char* kTracksNote = "below In system: tracks, one per parallel track";
constexpr const char* kTracksNoteShort = "below In system: tracks";
constexpr std::size_t kChangesShown = 3;  // the changes listed (one fewer under a refusal)
constexpr std::size_t kChangeLines = 2;   // lines of a change's description
constexpr float kOriginShare = 0.45f;     // a change's origin, at most, share of the panel's width
constexpr float kOriginGap = 12;          // before a change's origin on its line, at least
constexpr float kFooter = 22;             // the footer line from the bottom
constexpr float kFooterText = 18;         // the footer's text from the bottom
constexpr float kChartHeight = 62;
constexpr float kChartGap = 8;      // between two charts
constexpr float kChartsBelow = 12;  // below the last row of charts
constexpr float kSwatch = 10;       // a bottleneck's colour swatch
constexpr float kSwatchX = 16;      // from the left
constexpr float kSwatchY = 4;       // from its row's top
constexpr float kRankWidth = 32;    // rank and swatch, before the agency's name
constexpr float kRankRoom = 34;     // what they take from the room of the agency's name
constexpr float kLineRoom = 17;     // room a line needs above the footer line
// The block per country (regional scenarios).
constexpr float kCountryRow = 16;           // a country's row
constexpr float kCountryHeader = 14;        // the columns' titles
constexpr float kCountrySwatch = 9;         // a country's colour swatch
constexpr float kCountrySwatchY = 3;        // from its row's top
constexpr float kCountryCodeGap = 5;        // between the swatch and the code
constexpr float kCountryColumnGap = 4;      // between two columns, at least
constexpr std::size_t kCountriesShown = 8;  // rows at most (the busiest, "+N more" in the last)
/// Room left under the block for the bottlenecks: their heading and two rows.
constexpr float kBottlenecksRoom = kHeadingLine + 2 * kRow;
}  // namespace panel

// A chart in the panel, px.
namespace chart {
constexpr float kInset = 4;              // the plot from the box's sides and bottom
constexpr float kTitleBand = 20;         // above the plot
constexpr float kTextInset = 5;          // title and value from the box's sides
constexpr double kHeadroom = 1.1;        // the plot's top, per the largest value
constexpr float kPointsPerPx = 2;        // most points drawn per px of width
constexpr std::uint8_t kFillAlpha = 40;  // the area under the line
constexpr float kLine = 1.6f;            // the line's width
}  // namespace chart

// The notice over the graph, px.
namespace banner {
constexpr float kPad = 12;  // text from the box's sides
constexpr float kHeight = 28;
constexpr float kTop = 10;      // the box from the graph area's top
constexpr float kTextTop = 14;  // the text from the graph area's top
constexpr std::uint8_t kAlpha = 225;
}  // namespace banner

// The full name beside the pointer over an agency, px.
namespace hover {
constexpr float kPad = 8;       // text from the box's sides
constexpr float kPadY = 5;      // and from its top and bottom
constexpr float kLead = 1.3f;   // the box's text line, per px of text size
constexpr float kOffsetX = 14;  // the box from the pointer
constexpr float kOffsetY = 16;
constexpr float kMargin = 4;  // from the window's edges, at least
}  // namespace hover

constexpr std::uint8_t kHaloAlpha = 230;  // the background colour around text drawn over the graph

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
  if (v < 1.0 / kHoursPerDay) return fmt("%.0f min", v * kMinutesPerDay);
  if (v < 1) return fmt("%.1f h", v * kHoursPerDay);
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
/// diameter) at marks::kGaugeFull cases.
float gauge_height(std::size_t cases, float r) {
  return 2 * r * std::min(1.0f, fl(std::log1p(static_cast<double>(cases)) / std::log1p(marks::kGaugeFull)));
}
int segments_for(float radius) {
  return std::clamp(static_cast<int>(radius * marks::kSegmentsPerPx), marks::kMinSegments, marks::kMaxSegments);
}
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

/// Width in px of s drawn at `size` (rounded to whole px, as Writer::text draws it).
float text_px_width(const sf::Font& font, std::string_view s, float size) {
  const sf::Text t(utf8(s), font, static_cast<unsigned>(std::lround(size)));
  return t.getLocalBounds().width + t.getLocalBounds().left;
}

/// The size in px of text on the graph whose size is `base` at zoom 1 and text scale 1: it grows
/// with the scene's text scale and the zoom, up to marks::kTextGrowMax times `base`.
float text_on_graph(float base, const Scene& scene, float zoom) {
  return std::min(base * scene.text_scale() * zoom, base * marks::kTextGrowMax);
}

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
      t.setOutlineColor(with_alpha(kBackground, kHaloAlpha));
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
    return text_px_width(bold ? fonts_.bold : fonts_.regular, s, size);
  }
  const Fonts& fonts() const { return fonts_; }
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
std::vector<std::string> wrap_to_width(const Writer& w, const std::string& s, float size, float max_width,
                                       bool bold = false) {
  std::vector<std::string> lines;
  std::string line;
  std::size_t start = 0;
  while (start <= s.size()) {
    const std::size_t end = std::min(s.find(' ', start), s.size());
    const std::string word = s.substr(start, end - start);
    const std::string longer = line.empty() ? word : line + " " + word;
    if (!line.empty() && w.width(longer, size, bold) > max_width) {
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

sf::Color mix(sf::Color a, Rgb b, float share) {
  auto m = [share](std::uint8_t x, std::uint8_t y) {
    return static_cast<std::uint8_t>(std::lround(static_cast<float>(x) + (static_cast<float>(y) - x) * share));
  };
  return {m(a.r, b.r), m(a.g, b.g), m(a.b, b.b), a.a};
}

void draw_countries(sf::RenderTarget& target, Writer& w, const Scene& scene, const Camera& cam) {
  // A regional scenario's frames take their country's colour (the panel's swatch): the edge in
  // it, the fill lightly tinted. A single country keeps the neutral frame.
  const Scenario& s = scene.scenario();
  sf::VertexArray va(sf::Triangles);
  for (const CountryGroup& g : scene.layout().groups) {
    const sf::Vector2f a = cam.to_screen({g.frame.x0, g.frame.y0}), b = cam.to_screen({g.frame.x1, g.frame.y1});
    sf::Color edge = kCountryEdge, fill = kCountryFill;
    float thick = marks::kCountryEdge;
    if (s.by_country()) {
      const auto it = std::find(s.countries.begin(), s.countries.end(), g.country);
      const Rgb c = country_colour(static_cast<std::size_t>(it - s.countries.begin()));
      edge = col(c);
      fill = mix(kCountryFill, c, marks::kCountryTint);
      thick = marks::kCountryColourEdge;
    }
    add_rect(va, {a.x, a.y, b.x - a.x, b.y - a.y}, edge);
    add_rect(va, {a.x + thick, a.y + thick, b.x - a.x - 2 * thick, b.y - a.y - 2 * thick}, fill);
  }
  target.draw(va);
  // The name in the frame's header band (its height grows with the scene's text scale), smaller
  // when zoomed far out so as to stay above the highest ring in the frame.
  const float z = cam.zoom(), k = scene.text_scale();
  const float clear = (Metrics::kGroupHeader * k + Metrics::kGroupPadding + Metrics::kAboveDisc - Metrics::kRing) * z;
  const float size = std::min(
      text_on_graph(Metrics::kGroupTitle, scene, z),
      std::max(Metrics::kGroupTitle * k * z,
               std::min(marks::kCountryNameMax, (clear - marks::kCountryNameY * z - 1) / marks::kCountryNameLead)));
  if (size < marks::kCountryNameMin) return;
  for (const CountryGroup& g : scene.layout().groups) {
    const sf::Vector2f a = cam.to_screen({g.frame.x0, g.frame.y0});
    w.text(g.country, size, {a.x + marks::kCountryNameX * z, a.y + marks::kCountryNameY * z}, kMuted, true);
  }
}

void draw_edges(sf::RenderTarget& target, const Scene& scene, const Snapshot& snap, const UiState& ui) {
  const Camera& cam = ui.camera;
  const Scenario& s = scene.scenario();
  double fmax = marks::kMinFlowScale;
  for (double f : snap.referral_flow) fmax = std::max(fmax, f);
  const float scale = std::clamp(cam.zoom(), marks::kEdgeZoomMin, marks::kMarkZoomMax);
  sf::VertexArray va(sf::Triangles);
  std::vector<sf::Vector2f> pts;
  for (ReferralId r = 0; r < s.referrals.size(); ++r) {
    const EdgeGeometry& e = scene.edge(r);
    if (!e.drawable) continue;
    const double f = snap.referral_flow[r];
    const bool touches = ui.selected && (s.referrals[r].from == *ui.selected || s.referrals[r].to == *ui.selected);
    std::uint8_t alpha = f > marks::kFlowing ? marks::kEdgeAlpha : marks::kIdleEdgeAlpha;
    if (ui.selected && !touches) alpha = marks::kFadedEdgeAlpha;
    const sf::Color c = with_alpha(touches ? kSelect : kEdge, alpha);
    const float width = (marks::kEdgeWidth + marks::kEdgeFlowWidth * fl(std::sqrt(f / fmax))) * scale;
    pts.clear();
    const sf::Vector2f a0 = cam.to_screen(e.curve.front()), a1 = cam.to_screen(e.curve.back());
    const std::size_t stride = std::hypot(a1.x - a0.x, a1.y - a0.y) < marks::kShortEdge ? marks::kShortEdgeStride : 1;
    for (std::size_t i = 0; i < e.curve.size(); i += stride) pts.push_back(cam.to_screen(e.curve[i]));
    if ((e.curve.size() - 1) % stride != 0) pts.push_back(a1);
    add_polyline(va, pts, width, c);
    // Arrowhead from the curve's end to the tip.
    const sf::Vector2f tip = cam.to_screen(e.tip), base = pts.back();
    const sf::Vector2f d = tip - base;
    const float len = std::hypot(d.x, d.y);
    if (len > 0) {
      const float half = std::max(marks::kArrowHalf * scale, width * marks::kArrowPerWidth);
      const sf::Vector2f n{-d.y / len * half, d.x / len * half};
      add_triangle(va, tip, base + n, base - n, c);
    }
  }
  target.draw(va);
}

void draw_moving_cases(sf::RenderTarget& target, const Scene& scene, const Snapshot& snap, const Camera& cam) {
  const float r = marks::kCaseDot * std::clamp(cam.zoom(), marks::kCaseZoomMin, marks::kMarkZoomMax);
  sf::VertexArray va(sf::Triangles);
  for (const MovingCase& m : snap.moving) {
    const sf::Vector2f p = cam.to_screen(scene.along(m.referral, m.progress));
    if (r < marks::kSquareBelow) {  // zoomed far out: a square is indistinguishable and six times cheaper
      add_rect(va, {p.x - r, p.y - r, 2 * r, 2 * r}, col(case_colour(m.look)));
      continue;
    }
    add_disc(va, p, r + marks::kCaseHalo, sf::Color(255, 255, 255, marks::kCaseHaloAlpha));
    add_disc(va, p, r, col(case_colour(m.look)));
  }
  target.draw(va);
}

/// The size of the "CLOSED" text on the band of an agency closed by a change, at zoom z.
float closed_text_size(float z) {
  return marks::kClosedText * std::clamp(z, marks::kTextZoomFloor, marks::kMarkZoomMax);
}
/// The band across the disc (centre c, radius r on screen) of an agency closed by a change.
sf::FloatRect closed_band(const Writer& w, sf::Vector2f c, float r, float z) {
  const float size = closed_text_size(z);
  const float width =
      r < marks::kSmallDisc ? marks::kSmallBandWidth * r : w.width("CLOSED", size, true) + marks::kBandPad;
  const float height = r < marks::kSmallDisc ? marks::kSmallBandHeight * r : size * marks::kBandLead;
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
    if (ui.selected == a) add_disc(va, c, r + ring + marks::kSelectGap * z + marks::kSelectOutline, kSelect);
    if (ui.selected == a) add_disc(va, c, r + ring + marks::kSelectGap * z, kBackground);
    if (!now.unlimited) {
      // Occupancy ring: busy staff or beds, clockwise from twelve o'clock.
      add_disc(va, c, r + ring, kRingTrack);
      // Against the capacity in force; after a cut below the busy ones (they finish), full.
      const float share = now.servers ? std::min(1.0f, static_cast<float>(now.busy) / static_cast<float>(now.servers))
                                      : (now.busy > 0 ? 1.0f : 0.0f);
      if (share > 0) add_arc(va, c, r, r + ring, -kPi / 2, -kPi / 2 + 2 * kPi * share, kRingBusy);
    }
    add_disc(va, c, r, kDiscEdge);
    add_disc(va, c, std::max(1.0f, r - marks::kDiscRim), col(utilization_colour(now.utilization)));
    if (now.waiting > 0) {
      // Queue gauge: log scale, full height (the disc's diameter) at marks::kGaugeFull waiting.
      const float h = gauge_height(now.waiting, r);
      const float x = c.x + r + ring + Metrics::kGaugeGap * z;
      add_rect(va, {x, c.y + r - h, Metrics::kQueueBar * z, h}, kQueue);
    }
    if (now.held > 0) {
      // Held before service (not_before): the same scale, mirrored on the left, violet.
      const float h = gauge_height(now.held, r);
      const float x = c.x - r - ring - Metrics::kGaugeGap * z - Metrics::kQueueBar * z;
      add_rect(va, {x, c.y + r - h, Metrics::kQueueBar * z, h}, col(kHeld));
    }
    if (!now.open) {
      // Closed (outside opening hours): a grey badge with a white bar at ten-thirty on the ring.
      const float br = std::clamp(marks::kBadgeShare * (r + ring), marks::kBadgeMin, marks::kBadgeMax),
                  d = (r + ring) * marks::kBadgeAt;
      const sf::Vector2f b{c.x - d, c.y - d};
      add_disc(va, b, br + marks::kBadgeHalo, kBackground);
      add_disc(va, b, br, col(kClosed));
      add_rect(va,
               {b.x - br * marks::kBadgeBarHalfWidth, b.y - br * marks::kBadgeBarHalfHeight,
                br * (2 * marks::kBadgeBarHalfWidth), br * (2 * marks::kBadgeBarHalfHeight)},
               sf::Color::White);
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
    const float grow = fl(std::fmod(b.age_days * marks::kBreachPulsesPerDay, 1.0));
    add_arc(va, c, r + marks::kBreachInner + marks::kBreachSpread * grow,
            r + marks::kBreachOuter + marks::kBreachSpread * grow, 0, 2 * kPi,
            with_alpha(kBreach, static_cast<std::uint8_t>(255 * (1 - grow))));
  }
  target.draw(va);

  // Labels: at the sizes agency_labels() gives, where it places them; the gauges' counts scale alike.
  const std::vector<AgencyLabel> labels = agency_labels(scene, snap, cam, w.fonts(), ui.selected);
  const float stats_size = text_on_graph(Metrics::kStatsSize, scene, z);
  for (AgencyId a = 0; a < s.agencies.size(); ++a) {
    const NodeGeometry& g = scene.node(a);
    const AgencyNow& now = snap.agencies[a];
    const sf::Vector2f c = cam.to_screen(scene.centre(a));
    const float r = drawn_radius(g, z), ring = Metrics::kRing * std::max(z, r / g.radius);
    if (now.held > 0 && stats_size >= marks::kMinStatsSize) {
      const float h = gauge_height(now.held, r);
      const float x = c.x - r - ring - Metrics::kGaugeGap * z;  // the gauge's right edge
      w.text("held " + num(static_cast<double>(now.held)), stats_size,
             {x, c.y + r - h - stats_size * Metrics::kStatsLead}, col(kHeld), true, Align::right, text_size::kHalo);
    }
    if (now.waiting > 0 && stats_size >= marks::kMinStatsSize) {
      const float h = gauge_height(now.waiting, r);
      const float x = c.x + r + ring + Metrics::kGaugeGap * z + Metrics::kQueueBar * z / 2;
      w.text(num(static_cast<double>(now.waiting)), stats_size, {x, c.y + r - h - stats_size * Metrics::kStatsLead},
             kQueue, true, Align::centre, text_size::kHalo);
    }
    if (now.closed && r >= marks::kSmallDisc) {
      const sf::FloatRect band = closed_band(w, c, r, z);
      w.text("CLOSED", closed_text_size(z), {c.x, band.top + band.height * marks::kBandTextTop}, sf::Color::White, true,
             Align::centre);
    }
    const AgencyLabel& l = labels[a];
    if (!l.shown) continue;
    float y = l.top;
    for (const std::string& line : g.label_lines) {
      w.text(line, l.name_size, {l.x, y}, kInk, false, Align::centre, text_size::kHalo);
      y += l.name_size * Metrics::kLabelLead;
    }
    w.text(l.stats, l.stats_size, {l.x, y + l.stats_gap}, now.open ? kMuted : kFaint, false, Align::centre,
           text_size::kHalo);
  }
}

// --- Inspector, legend, panel ----------------------------------------------------------------

void draw_inspector(sf::RenderTarget& target, Writer& w, const Scene& scene, const Snapshot& snap, const UiState& ui) {
  if (!ui.selected) return;
  const AgencyId a = *ui.selected;
  const Scenario& s = scene.scenario();
  const Agency& ag = s.agencies[a];
  const AgencyNow& now = snap.agencies[a];
  const float x = ui.screen.graph.left + card::kMargin, width = card::kWidth;
  float y = ui.screen.graph.top + card::kMargin;
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
  for (const auto& [k, v] : rows)
    two_lines.push_back(w.width(k, text_size::kKey) + card::kKeyGap + w.width(v, text_size::kKey) >
                        width - 2 * card::kPad);
  const auto lines =
      static_cast<float>(rows.size() + static_cast<std::size_t>(std::count(two_lines.begin(), two_lines.end(), true)));
  // The card stays inside the graph area: referrals that do not fit are summarised.
  const float room = ui.screen.graph.top + ui.screen.graph.height - card::kMargin - y;
  // Interactive: a last line with the facilitator's keys for this agency.
  const std::string keys =
      std::string(ag.unlimited ? ""
                               : "A / D: one " + std::string(ag.residential ? "bed" : "staff") + " more / less · ") +
      (now.closed ? "C: reopen" : "C: close");
  // The full name, wrapped (at most card::kNameLines lines, the last one cut with "…").
  std::vector<std::string> name_lines = wrap_to_width(w, ag.name, text_size::kTitle, width - 2 * card::kPad, true);
  if (name_lines.size() > card::kNameLines) {
    for (std::size_t k = card::kNameLines; k < name_lines.size(); ++k)
      name_lines[card::kNameLines - 1] += " " + name_lines[k];
    name_lines.resize(card::kNameLines);
  }
  const float name_extra = card::kNameLine * static_cast<float>(name_lines.size() - 1);
  const float fixed = card::kFixed + name_extra + card::kRow * lines + (ui.interactive ? card::kKeysLine : 0.0f);
  std::size_t shown = outs.size();
  while (shown > 0 &&
         fixed + card::kOutsHeading + card::kOutsRow * static_cast<float>(shown + (shown < outs.size())) > room)
    --shown;
  const std::size_t more = outs.size() - shown;
  const float height =
      fixed +
      (outs.empty() || shown == 0 ? 0 : card::kOutsHeading + card::kOutsRow * static_cast<float>(shown + (more > 0)));
  sf::RectangleShape card({width, height});
  card.setPosition(x, y);
  card.setFillColor(sf::Color(255, 255, 255, card::kAlpha));
  card.setOutlineColor(kPanelRule);
  card.setOutlineThickness(1);
  target.draw(card);
  for (std::size_t k = 0; k < name_lines.size(); ++k) {
    w.text(w.fit(name_lines[k], text_size::kTitle, width - 2 * card::kPad, true), text_size::kTitle,
           {x + card::kPad, y + card::kNameTop + card::kNameLine * static_cast<float>(k)}, kInk, true);
  }
  std::string sub = ag.kind.empty() ? ag.id : ag.kind;
  if (!ag.country.empty()) sub += " · " + ag.country;
  w.text(w.fit(sub + "   (Esc: close)", text_size::kBody, width - 2 * card::kPad), text_size::kBody,
         {x + card::kPad, y + card::kSubTop + name_extra}, kMuted);
  y += card::kHeader + name_extra;
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const auto& [k, v] = rows[i];
    w.text(k, text_size::kKey, {x + card::kPad, y}, kMuted);
    if (two_lines[i]) y += card::kRow;
    w.text(w.fit(v, text_size::kKey, width - 2 * card::kPad), text_size::kKey, {x + width - card::kPad, y},
           v == "no deadlines in scenario" ? kFaint : kInk, false, Align::right);
    y += card::kRow;
  }
  if (shown > 0) {
    y += 4;
    w.text("REFERRALS OUT (rule · recent flow)", text_size::kHeading, {x + card::kPad, y}, kMuted, true);
    y += card::kRow;
    for (std::size_t i = 0; i < shown; ++i) {
      const float fw = w.text(outs[i].second, text_size::kBody, {x + width - card::kPad, y}, kInk, false, Align::right);
      w.text(w.fit(outs[i].first, text_size::kBody, width - 2 * card::kPad - fw - card::kGap), text_size::kBody,
             {x + card::kPad, y}, kInk);
      y += card::kOutsRow;
    }
    if (more > 0)
      w.text("+" + std::to_string(more) + " more referrals", text_size::kSmall, {x + card::kPad, y}, kFaint);
    y += more > 0 ? card::kOutsRow : 0;
  }
  if (ui.interactive)
    w.text(w.fit(keys, text_size::kHint, width - 2 * card::kPad), text_size::kHint, {x + card::kPad, y + 2}, kMuted);
}

void draw_legend(sf::RenderTarget& target, Writer& w, const Scene& scene, const Snapshot& snap, const UiState& ui) {
  const sf::FloatRect r = ui.screen.legend;
  sf::VertexArray va(sf::Triangles);
  add_rect(va, r, kPanel);
  add_rect(va, {r.left, r.top, r.width, 1}, kPanelRule);
  // Utilization scale: one quad per pair of stops, so the GPU's blend equals utilization_colour().
  const float x0 = r.left + legend::kPad, bar_w = legend::kBarWidth, y0 = r.top + legend::kBarTop,
              bar_h = legend::kBarHeight;
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
  const float nx = x0 + bar_w + legend::kSwatchGap;
  add_rect(va, {nx, y0, legend::kSwatch, bar_h}, col(kNoUtilization));
  target.draw(va);
  w.text("Utilization, " + num(snap.window) + "-day average", text_size::kBody, {x0, r.top + legend::kTitleTop}, kInk,
         true);
  for (double t : legend::kTicks) {
    w.text(percent(t), text_size::kTick, {x0 + bar_w * fl(t), y0 + bar_h + 1}, kMuted, false,
           t == 0 ? Align::left : (t == 1.0 ? Align::right : Align::centre));
  }
  w.text("no limit", text_size::kFine, {nx + legend::kSwatchLabel, y0 - 1}, kMuted);

  // Case dots by profile.
  const float x = std::max(nx + legend::kNoLimitWidth,
                           x0 + w.width("Utilization, 7-day average", text_size::kBody, true) + legend::kColumnGap);
  w.text("Cases in transfer", text_size::kBody, {x, r.top + legend::kTitleTop}, kInk, true);
  float sx = x;
  const float sy = y0 - 1;
  sf::VertexArray dots(sf::Triangles);
  for (const auto& [age, label] : {std::pair{AgeGroup::child, "child"}, std::pair{AgeGroup::adult, "adult"}}) {
    add_disc(dots, {sx + 5, sy + 7}, 5, col(case_colour(CaseLook{age})));
    sx += 13 + w.text(label, text_size::kSmall, {sx + 13, sy}, kMuted) + legend::kItemGap;
  }
  sx += legend::kMarksGap;
  // Marks at agencies; the held gauge and the closed badge only when the scenario has them.
  const Scenario& s = scene.scenario();
  const bool holds = snap.indicators.held.has_value();
  const bool hours = std::any_of(s.agencies.begin(), s.agencies.end(), [](const Agency& a) { return a.hours; });
  const bool shut =
      std::any_of(snap.agencies.begin(), snap.agencies.end(), [](const AgencyNow& a) { return a.closed; });
  const float end = r.left + r.width - legend::kPad;
  add_arc(dots, {sx + 6, sy + 7}, 4.5f, 7, 0, 2 * kPi, kBreach);
  sx += 17 +
        w.text(w.fit(holds || hours || shut ? "deadline breach" : "deadline breach (at the agency held responsible)",
                     text_size::kSmall, end - sx - 17),
               text_size::kSmall, {sx + 17, sy}, kMuted) +
        legend::kItemGap;
  if (holds && sx + legend::kRoom < end) {
    add_rect(dots, {sx, sy + 1, 5, 12}, col(kHeld));
    sx += 10 +
          w.text(w.fit("held before service", text_size::kSmall, end - sx - 10), text_size::kSmall, {sx + 10, sy},
                 kMuted) +
          legend::kItemGap;
  }
  // Closed: the grey badge of opening hours and / or the dark band of a change, when either shows.
  if ((hours || shut) && sx + legend::kRoom < end) {
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
    w.text(w.fit(what, text_size::kSmall, end - sx), text_size::kSmall, {sx, sy}, kMuted);
  }
  target.draw(dots);
  const float y2 = r.top + r.height - legend::kKeyBottom;
  std::string key = std::string("Ring: busy staff/beds · red bar: cases waiting") + (holds ? ", violet: held" : "") +
                    " (log scale) · edge width: recent referrals per day · " +
                    (s.by_country() ? "country frames: panel colours" : "country frames group agencies");
  if (ui.interactive) {
    key = std::string("Space pause · N step 1 h (Shift: 1 d) · +/− speed · click inspect · A/D staff ± · C close · ") +
          (ui.exercise ? "J next inject · 1–9 decide · T note" : "R restart") +
          " · F fit · wheel/drag zoom, pan · P save · Q quit";
  }
  w.text(w.fit(key, text_size::kHint, r.width - 2 * legend::kPad), text_size::kHint, {r.left + legend::kPad, y2},
         kMuted);
}

void draw_chart(sf::RenderTarget& target, Writer& w, sf::FloatRect box, const std::vector<Sample>& history,
                double Sample::*field, const std::string& title, const std::string& value) {
  sf::VertexArray va(sf::Triangles);
  add_rect(va, box, sf::Color(255, 255, 255));
  const sf::FloatRect plot{box.left + chart::kInset, box.top + chart::kTitleBand, box.width - 2 * chart::kInset,
                           box.height - (chart::kTitleBand + chart::kInset)};
  if (history.size() >= 2) {
    const double t0 = history.front().t, t1 = std::max(history.back().t, t0 + 1e-9);
    double vmax = 0;
    for (const Sample& s : history)
      if (!std::isnan(s.*field)) vmax = std::max(vmax, s.*field);
    vmax = vmax > 0 ? vmax * chart::kHeadroom : 1;
    const std::size_t stride =
        std::max<std::size_t>(1, history.size() / static_cast<std::size_t>(plot.width * chart::kPointsPerPx));
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
               with_alpha(kChartLine, chart::kFillAlpha));
    }
    add_polyline(va, pts, chart::kLine, kChartLine);
  }
  target.draw(va);
  w.text(title, text_size::kSmall, {box.left + chart::kTextInset, box.top + 3}, kMuted);
  w.text(value, text_size::kBody, {box.left + box.width - chart::kTextInset, box.top + 2}, kInk, true, Align::right);
}

/// A count in little room: 987, 9.9k, 99k, 1.2M.
std::string compact_count(std::uint64_t n) {
  const double v = static_cast<double>(n);
  if (n < 1000) return std::to_string(n);
  if (n < 9950) return fmt("%.1fk", v / 1e3);
  if (n < 999500) return fmt("%.0fk", v / 1e3);
  return fmt("%.1fM", v / 1e6);
}

/// The block per country of a regional scenario (snap.countries), from y down to at most
/// `bottom` less the room kept for the bottlenecks; returns the y under it. The busiest countries
/// are listed when not all fit ("+N more"); nothing is drawn when not one row fits.
float draw_country_block(sf::RenderTarget& target, Writer& w, const Snapshot& snap, float x, float right, float y,
                         float bottom) {
  const std::vector<CountryNow>& cs = snap.countries;
  const float inner = right - x;
  const float fixed =
      panel::kHeadingLine + panel::kCountryHeader + panel::kNoteLine + panel::kSectionGap + panel::kRuleGap;
  const float room = bottom - panel::kBottlenecksRoom - y - fixed;
  const auto rows =
      std::min(panel::kCountriesShown, static_cast<std::size_t>(std::max(0.0f, room) / panel::kCountryRow));
  if (cs.empty()) return y;
  if (rows < std::min<std::size_t>(2, cs.size())) {
    // Not even one country and "+N more": say so, if that line fits.
    if (y + panel::kNoteLine + panel::kSectionGap + panel::kRuleGap > bottom - panel::kHeadingLine - panel::kRow)
      return y;
    w.text(w.fit("By country: no room at this window size", text_size::kSmall, inner), text_size::kSmall, {x, y},
           kFaint);
    return y + panel::kNoteLine + panel::kSectionGap;
  }
  const std::vector<std::size_t> listed = countries_listed(cs, rows);

  // The cells of each row listed: entered here, waiting, in service, busy/staffed, utilization so
  // far, mean wait so far (its visits apart, fainter).
  constexpr std::size_t kColumns = 6;
  const std::array<const char*, kColumns> titles{"entered", "waiting", "in serv.", "busy/staff", "util.", "mean wait"};
  struct Row {
    std::array<std::string, kColumns> cell;
    std::string visits;
    bool few = false;
  };
  bool any_na = false, any_few = false;
  std::vector<Row> table;
  for (std::size_t k : listed) {
    const CountryNow& c = cs[k];
    Row r;
    const bool none = c.agencies == 0;
    r.cell[0] = std::to_string(c.entered_here);
    r.cell[1] = none ? "n/a" : std::to_string(c.waiting);
    r.cell[2] = none ? "n/a" : std::to_string(c.in_service);
    r.cell[3] = c.limited ? std::to_string(c.busy) + "/" + std::to_string(c.staffed) : "n/a";
    r.cell[4] = c.limited ? percent(c.utilization) : "n/a";
    if (none) {
      r.cell[5] = "n/a";
    } else if (c.visits == 0) {
      r.cell[5] = "—";
    } else {
      r.few = c.visits < kFewVisits;
      r.cell[5] = days(c.mean_wait) + (r.few ? "*" : "");
      r.visits = " (" + compact_count(c.visits) + ")";
    }
    any_na = any_na || none || !c.limited;
    any_few = any_few || r.few;
    table.push_back(std::move(r));
  }
  // Column widths: the widest of the title and the cells; the visits dropped if the row is too wide.
  float code_w = 0;
  for (std::size_t k : listed) code_w = std::max(code_w, w.width(cs[k].code, text_size::kSmall, true));
  code_w += panel::kCountrySwatch + panel::kCountryCodeGap;
  std::array<float, kColumns> col_w{};
  // On a narrow panel: first the visits go, then the column in service, then busy/staff.
  std::array<bool, kColumns> on{};
  auto measure = [&](bool visits) {
    float total = code_w;
    std::size_t shown = 0;
    for (std::size_t i = 0; i < kColumns; ++i) {
      col_w[i] = 0;
      if (!on[i]) continue;
      ++shown;
      col_w[i] = w.width(titles[i], text_size::kTick);
      for (const Row& r : table)
        col_w[i] = std::max(col_w[i], w.width(r.cell[i], text_size::kSmall) +
                                          (i + 1 == kColumns && visits ? w.width(r.visits, text_size::kFine) : 0));
      total += col_w[i];
    }
    return (inner - total) / static_cast<float>(shown);
  };
  constexpr std::size_t kInService = 2, kBusyStaff = 3;
  on.fill(true);
  bool visits = true;
  float gap = measure(visits);
  if (gap < panel::kCountryColumnGap) gap = measure(visits = false);
  if (gap < panel::kCountryColumnGap) {
    on[kInService] = false;
    gap = measure(visits);
  }
  if (gap < panel::kCountryColumnGap) {
    on[kBusyStaff] = false;
    gap = measure(visits);
  }
  std::array<float, kColumns> col_right{};
  float edge = x + code_w;
  for (std::size_t i = 0; i < kColumns; ++i) col_right[i] = on[i] ? edge += gap + col_w[i] : edge;

  w.text(w.fit("BY COUNTRY (util., wait: since day 0)", text_size::kHeading, inner, true), text_size::kHeading, {x, y},
         kMuted, true);
  y += panel::kHeadingLine;
  for (std::size_t i = 0; i < kColumns; ++i)
    if (on[i]) w.text(titles[i], text_size::kTick, {col_right[i], y}, kMuted, false, Align::right);
  y += panel::kCountryHeader;
  sf::VertexArray swatches(sf::Triangles);
  for (std::size_t j = 0; j < listed.size(); ++j) {
    const std::size_t k = listed[j];
    const Row& r = table[j];
    add_rect(swatches, {x, y + panel::kCountrySwatchY, panel::kCountrySwatch, panel::kCountrySwatch},
             col(country_colour(k)));
    w.text(cs[k].code, text_size::kSmall, {x + panel::kCountrySwatch + panel::kCountryCodeGap, y - 1}, kInk, true);
    for (std::size_t i = 0; i + 1 < kColumns; ++i) {
      if (!on[i]) continue;
      const sf::Color ink = r.cell[i] == "n/a" ? kFaint : (i == 1 && cs[k].waiting > 0 ? kQueue : kInk);
      w.text(r.cell[i], text_size::kSmall, {col_right[i], y - 1}, ink, false, Align::right);
    }
    float wait_right = col_right[kColumns - 1];
    if (visits && !r.visits.empty())
      wait_right -= w.text(r.visits, text_size::kFine, {wait_right, y}, kFaint, false, Align::right);
    w.text(r.cell[kColumns - 1], text_size::kSmall, {wait_right, y - 1}, r.few || r.visits.empty() ? kFaint : kInk,
           false, Align::right);
    y += panel::kCountryRow;
  }
  target.draw(swatches);
  if (listed.size() < cs.size()) {
    std::string more = "+" + std::to_string(cs.size() - listed.size()) + " more, quieter:";
    for (std::size_t k = 0, j = 0; k < cs.size(); ++k) {
      if (j < listed.size() && listed[j] == k) {
        ++j;
      } else {
        more += " " + cs[k].code;
      }
    }
    w.text(w.fit(more, text_size::kSmall, inner), text_size::kSmall, {x, y}, kFaint);
    y += panel::kCountryRow;
  }
  std::string note = visits ? "(n): visits" : "";
  auto add = [&note](const std::string& part) { note += (note.empty() ? "" : " · ") + part; };
  if (any_few) add("*: under " + std::to_string(kFewVisits) + " visits");
  if (any_na) add("n/a: no staff limit");
  if (!note.empty()) {
    w.text(w.fit(note, text_size::kTick, inner), text_size::kTick, {right, y}, kFaint, false, Align::right);
    y += panel::kNoteLine;
  }
  return y + panel::kSectionGap;
}

void draw_panel(sf::RenderTarget& target, Writer& w, const Scene& scene, const Snapshot& snap, const UiState& ui) {
  const sf::FloatRect p = ui.screen.panel;
  const Scenario& s = scene.scenario();
  const Indicators& ind = snap.indicators;
  sf::VertexArray va(sf::Triangles);
  add_rect(va, p, kPanel);
  add_rect(va, {p.left, p.top, 1, p.height}, kPanelRule);
  target.draw(va);
  const float x = p.left + panel::kMargin, right = p.left + p.width - panel::kMargin, inner = right - x;
  float y = p.top + panel::kTop;
  auto rule = [&] {
    sf::RectangleShape line({inner, 1});
    line.setPosition(x, y);
    line.setFillColor(kPanelRule);
    target.draw(line);
    y += panel::kRuleGap;
  };
  auto heading = [&](const std::string& h) {
    w.text(w.fit(h, text_size::kHeading, inner, true), text_size::kHeading, {x, y}, kMuted, true);
    y += panel::kHeadingLine;
  };

  {
    // The scenario's name on up to two lines.
    std::string first = s.name, rest;
    if (w.width(first, text_size::kTitle, true) > inner) {
      std::size_t cut = first.size();
      while (cut > 0 && (first[cut - 1] != ' ' || w.width(first.substr(0, cut - 1), text_size::kTitle, true) > inner))
        --cut;
      if (cut > 0) {
        rest = first.substr(cut);
        first = first.substr(0, cut - 1);
      }
    }
    w.text(w.fit(first, text_size::kTitle, inner, true), text_size::kTitle, {x, y}, kInk, true);
    y += panel::kTitleLine;
    if (!rest.empty()) {
      w.text(w.fit(rest, text_size::kTitle, inner, true), text_size::kTitle, {x, y}, kInk, true);
      y += panel::kTitleLine;
    }
  }
  y += 2;
  w.text(clock_label(snap.now), text_size::kClock, {x, y}, kInk, true);
  y += panel::kClockLine;
  const std::string phase = snap.now < snap.warmup ? "warm-up (until day " + num(snap.warmup) + ")"
                                                   : "after warm-up; horizon day " + num(snap.horizon);
  w.text(phase, text_size::kHint, {x, y}, kMuted);
  y += panel::kPhaseLine;
  std::string run =
      ui.interactive ? (ui.paused ? "PAUSED" : "RUNNING") + std::string(" · ") + speed_label(ui.speed) : "Snapshot";
  run += " · seed " + std::to_string(snap.seed);
  if (snap.restarts > 0) run += " (restart " + std::to_string(snap.restarts) + ")";
  w.text(w.fit(run, text_size::kBody, inner), text_size::kBody, {x, y}, ui.interactive && ui.paused ? kQueue : kMuted,
         ui.interactive);
  y += panel::kRunLine;
  rule();

  if (ind.parallel_tracks) {
    // Why in service may exceed in system, on the heading's line, as the panel's width allows.
    const float room = inner - w.width("NOW", text_size::kHeading, true) - panel::kGap;
    const std::string note =
        w.width(panel::kTracksNote, text_size::kTick) <= room ? panel::kTracksNote : panel::kTracksNoteShort;
    w.text(w.fit(note, text_size::kTick, room), text_size::kTick, {right, y + 1}, kFaint, false, Align::right);
  }
  heading("NOW");
  auto pair_row = [&](const std::string& k1, const std::string& v1, const std::string& k2, const std::string& v2) {
    const float mid = x + inner / 2;
    w.text(k1, text_size::kKey, {x, y}, kMuted);
    w.text(v1, text_size::kValue, {mid - panel::kPairGap, y - 1}, kInk, true, Align::right);
    if (!k2.empty()) {
      w.text(k2, text_size::kKey, {mid + panel::kPairKey, y}, kMuted);
      w.text(v2, text_size::kValue, {right, y - 1}, kInk, true, Align::right);
    }
    y += panel::kRow;
  };
  // Persons in system, and where their tracks are: the tracks add up (Indicators). With parallel
  // tracks in the scenario both counts are shown and a note says why they differ.
  auto count = [](std::size_t n) { return num(static_cast<double>(n)); };
  {
    std::string v = count(ind.in_system) + (ind.in_system == 1 ? " person" : " persons");
    if (ind.parallel_tracks) v += " · " + count(ind.tracks) + (ind.tracks == 1 ? " track" : " tracks");
    const float vw = w.text(v, text_size::kValue, {right, y - 1}, kInk, true, Align::right);
    w.text(w.fit("In system", text_size::kKey, inner - vw - panel::kGap), text_size::kKey, {x, y}, kMuted);
    y += panel::kRow;
  }
  pair_row("Waiting", count(ind.waiting), "In service", count(ind.in_service));
  if (ind.held) {
    pair_row("Held", count(ind.held_now), "In transfer", count(ind.in_transfer));
    pair_row("Mean wait", days(ind.mean_wait), "", "");
  } else {
    pair_row("In transfer", count(ind.in_transfer), "Mean wait", days(ind.mean_wait));
  }
  pair_row("Entering/d", num(ind.entries_per_day, 1), "Leaving/d", num(ind.throughput_per_day, 1));
  if (ind.busiest) {
    const AgencyNow& b = snap.agencies[*ind.busiest];
    const std::string v = percent(b.utilization);
    w.text("Busiest", text_size::kKey, {x, y}, kMuted);
    const float vw = w.text(v, text_size::kValue, {right, y - 1}, kInk, true, Align::right);
    w.text(
        w.fit(s.agencies[*ind.busiest].name, text_size::kKey, inner - (panel::kBusiestName + panel::kBusiestGap) - vw),
        text_size::kKey, {x + panel::kBusiestName, y}, kInk);
    y += panel::kRow;
  }
  y += panel::kSectionGap;
  rule();

  heading("SOP RESULTS (counts: recent = " + num(snap.window) + "-day)");
  if (ind.deadline_breaches) {
    w.text("Deadline breaches", text_size::kKey, {x, y}, kMuted);
    w.text(recent_count(*ind.deadline_breaches), text_size::kValue, {right, y - 1},
           *ind.deadline_breaches >= panel::kBreachesAlarm ? kBreach : kInk, true, Align::right);
    y += panel::kRow;
    // Compliance per deadline so far; the breach count is the panel's most urgent number.
    const std::size_t shown = std::min<std::size_t>(snap.deadlines.size(), panel::kDeadlinesShown);
    for (DeadlineId d = 0; d < shown; ++d) {
      const DeadlineNow& dn = snap.deadlines[d];
      const std::string v =
          percent(dn.compliance) + " met (" + std::to_string(dn.met) + "/" + std::to_string(dn.met + dn.breached) + ")";
      const float vw = w.text(v, text_size::kBody, {right, y}, kInk, false, Align::right);
      w.text(w.fit(s.deadlines[d].id, text_size::kBody, inner - panel::kIndent - vw - panel::kGap), text_size::kBody,
             {x + panel::kIndent, y}, kMuted);
      y += panel::kSmallRow;
    }
    if (snap.deadlines.size() > shown) {
      w.text("+" + std::to_string(snap.deadlines.size() - shown) + " more deadlines", text_size::kSmall,
             {x + panel::kIndent, y}, kFaint);
      y += panel::kNoteLine;
    }
    y += 2;
  } else {
    w.text("No deadlines in the scenario.", text_size::kBody, {x, y}, kFaint);
    y += panel::kRow;
  }
  pair_row("Lost referrals", recent_count(ind.lost_referrals), "No consent", recent_count(ind.consent_refused));
  y += panel::kSectionGap;
  rule();

  // Decisions: shown only for the attributes some agency in the scenario decides.
  heading("DECISIONS (positive: recent/d · so far, share)");
  auto row = [&](const std::string& k, const std::string& v) {
    const float vw = w.text(v, text_size::kValue, {right, y - 1}, kInk, true, Align::right);
    w.text(w.fit(k, text_size::kKey, inner - vw - panel::kGap), text_size::kKey, {x, y}, kMuted);
    y += panel::kRow;
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
    w.text(w.fit("Identified, backlog: no grounds decisions in scenario", text_size::kSmall, inner), text_size::kSmall,
           {x, y}, kFaint);
    y += panel::kNoteLine;
  }
  if (ind.dropouts) {
    row("Drop-outs (recent)", num(*ind.dropouts, 1));
    y += panel::kSectionGap;
  } else {
    w.text(w.fit("Drop-outs: nobody has a patience", text_size::kSmall, inner), text_size::kSmall, {x, y}, kFaint);
    y += panel::kRow;
  }
  if (ind.turned_away) row("Full: turned away · sent on", num(*ind.turned_away, 1) + " · " + num(*ind.overflows, 1));
  rule();

  // Changes to the running mechanism (a scenario's [[change]]s, the facilitator's), newest first,
  // and why the facilitator's last one was refused; shown once there is something to show.
  if (snap.changes_heard > 0 || !ui.change_error.empty()) {
    heading("CHANGES (" + std::to_string(snap.changes_heard) + " so far, newest first)");
    if (!ui.change_error.empty()) {
      std::size_t lines = 0;
      for (const std::string& line : wrap_to_width(w, "Refused: " + ui.change_error, text_size::kHint, inner)) {
        if (++lines > panel::kRefusalLines) break;
        w.text(line, text_size::kHint, {x, y}, kQueue);
        y += panel::kNoteLine;
      }
      y += 3;
    }
    const std::size_t shown = std::min<std::size_t>(
        snap.changes.size(), ui.change_error.empty() ? panel::kChangesShown : panel::kChangesShown - 1);
    for (std::size_t i = 0; i < shown; ++i) {
      // "day 120  shelter: beds 2 → 3   refsim-viz": a description too long for the line wraps
      // once (its end is what changed), and the origin goes under it when it no longer fits.
      const ChangeNote& n = snap.changes[i];
      const float day_w = w.text("day " + num(std::floor(n.t)), text_size::kSmall, {x, y + 1}, kMuted);
      const float left = x + day_w + panel::kGap, room = right - left;
      const std::string origin =
          w.fit(n.origin.empty() ? "scenario" : n.origin, text_size::kFine, inner * panel::kOriginShare);
      const float ow = w.width(origin, text_size::kFine);
      std::vector<std::string> lines = wrap_to_width(w, n.text, text_size::kBody, room);
      if (lines.size() > panel::kChangeLines) {
        for (std::size_t k = panel::kChangeLines; k < lines.size(); ++k)
          lines[panel::kChangeLines - 1] += " " + lines[k];
        lines.resize(panel::kChangeLines);
      }
      for (std::size_t k = 0; k < lines.size(); ++k) {
        w.text(w.fit(lines[k], text_size::kBody, room), text_size::kBody, {left, y}, kInk);
        if (k + 1 < lines.size()) y += panel::kNoteLine;
      }
      if (w.width(lines.back(), text_size::kBody) + panel::kOriginGap + ow > room) y += panel::kNoteLine;
      w.text(origin, text_size::kFine, {right, y + 1}, kFaint, false, Align::right);
      y += panel::kSmallRow;
    }
    y += panel::kSectionGap;
    rule();
  }

  // A regional scenario's block per country, as many rows as leave room for two bottlenecks.
  const float bottom = p.top + p.height - panel::kFooter;
  if (!snap.countries.empty()) {
    const float below = draw_country_block(target, w, snap, x, right, y, bottom);
    if (below > y) {
      y = below;
      rule();
    }
  }

  // The charts: two rows when they fit above the footer line, else one (a change log or the
  // block per country can take the room of the second on a short screen), else none. Beside the
  // block per country, they leave room for two bottlenecks too.
  const float keep = snap.countries.empty() ? 0 : panel::kBottlenecksRoom;
  const float cw = (inner - panel::kChartGap) / 2, ch = panel::kChartHeight;
  const int chart_rows = !snap.history ? 0
                         : y + panel::kHeadingLine + ch + panel::kChartGap + ch + panel::kChartsBelow + keep <= bottom
                             ? 2
                         : y + panel::kHeadingLine + ch + panel::kChartsBelow + keep <= bottom ? 1
                                                                                               : 0;
  if (chart_rows > 0) {
    heading("OVER TIME (recent = " + num(snap.window) + "-day average)");
    const auto& h = *snap.history;
    // With grounds decisions, their backlog replaces the chart of cases in system (a number under NOW).
    if (ind.backlog) {
      draw_chart(target, w, {x, y, cw, ch}, h, &Sample::backlog, "Awaiting decision",
                 num(static_cast<double>(*ind.backlog)));
    } else {
      draw_chart(target, w, {x, y, cw, ch}, h, &Sample::in_system, "Persons in system",
                 num(static_cast<double>(ind.in_system)));
    }
    draw_chart(target, w, {x + cw + panel::kChartGap, y, cw, ch}, h, &Sample::waiting, "Waiting",
               num(static_cast<double>(ind.waiting)));
    y += ch + (chart_rows == 2 ? panel::kChartGap : panel::kChartsBelow);
    if (chart_rows == 2) {
      draw_chart(target, w, {x, y, cw, ch}, h, &Sample::throughput, "Leaving per day", num(ind.throughput_per_day, 1));
      draw_chart(target, w, {x + cw + panel::kChartGap, y, cw, ch}, h, &Sample::mean_wait, "Mean wait",
                 days(ind.mean_wait));
      y += ch + panel::kChartsBelow;
    }
    rule();
  }

  // The list stops above the footer line; on a short screen the section may not fit at all.
  if (y + panel::kHeadingLine + panel::kLineRoom <= bottom) heading("BOTTLENECKS NOW (waiting × utilization)");
  if (snap.bottlenecks.empty() && y + panel::kLineRoom <= bottom) {
    w.text("No agency has cases waiting.", text_size::kKey, {x, y}, kMuted);
    y += panel::kRow;
  }
  std::size_t rank = 0;
  for (AgencyId a : snap.bottlenecks) {
    if (y + panel::kLineRoom > bottom) break;
    const AgencyNow& n = snap.agencies[a];
    ++rank;
    sf::RectangleShape swatch({panel::kSwatch, panel::kSwatch});
    swatch.setPosition(x + panel::kSwatchX, y + panel::kSwatchY);
    swatch.setFillColor(col(utilization_colour(n.utilization)));
    swatch.setOutlineColor(kDiscEdge);
    swatch.setOutlineThickness(1);
    target.draw(swatch);
    w.text(std::to_string(rank), text_size::kKey, {x, y}, kMuted, true);
    const std::string figures = std::to_string(n.waiting) + " waiting · " + days(n.oldest_wait);
    const float fw = w.width(figures, text_size::kBody);
    w.text(w.fit(s.agencies[a].name, text_size::kKey, inner - panel::kRankRoom - fw - panel::kGap, ui.selected == a),
           text_size::kKey, {x + panel::kRankWidth, y}, ui.selected == a ? kSelect : kInk, ui.selected == a);
    w.text(figures, text_size::kBody, {right, y}, kQueue, false, Align::right);
    y += panel::kRow;
  }
  if (ui.interactive) {
    w.text(num(ui.fps) + " fps", text_size::kFine, {right, p.top + p.height - panel::kFooterText}, kFaint, false,
           Align::right);
  } else {
    w.text(w.fit("refsim-viz · " + ui.scenario_file, text_size::kFine, inner), text_size::kFine,
           {x, p.top + p.height - panel::kFooterText}, kFaint);
  }
}

}  // namespace

ScreenLayout ScreenLayout::for_size(unsigned width, unsigned height) {
  const float w = static_cast<float>(width), h = static_cast<float>(height);
  const float pw = std::clamp(w * panel::kShare, panel::kMinWidth, panel::kMaxWidth);
  const float lh = legend::kHeight;
  return {{0, 0, w - pw, h - lh}, {0, h - lh, w - pw, lh}, {w - pw, 0, pw, h}};
}

std::string speed_label(double v) {
  if (v == kMaxSpeed) return "max speed";
  if (std::fabs(v * kSecondsPerDay - 1) < 1e-6) return "real time";
  if (v < 1.0 / kHoursPerDay) return fmt("%.0f min/s", v * kMinutesPerDay);
  if (v < 1) return fmt("%.0f h/s", v * kHoursPerDay);
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
    const float bw = w.width(ui.banner, text_size::kBanner, true) + 2 * banner::kPad;
    sf::RectangleShape box({bw, banner::kHeight});
    box.setPosition(ui.screen.graph.left + ui.screen.graph.width / 2 - bw / 2, ui.screen.graph.top + banner::kTop);
    box.setFillColor(with_alpha(kInk, banner::kAlpha));
    target.draw(box);
    w.text(ui.banner, text_size::kBanner,
           {ui.screen.graph.left + ui.screen.graph.width / 2, ui.screen.graph.top + banner::kTextTop}, sf::Color::White,
           true, Align::centre);
  }
  draw_legend(target, w, scene, snap, ui);
  draw_panel(target, w, scene, snap, ui);
  if (ui.hovered) {
    // The full name beside the pointer, over everything else.
    const sf::Vector2f size = target.getView().getSize();
    const sf::FloatRect box = hover_box(scene, *ui.hovered, ui.pointer, fonts, {0, 0, size.x, size.y});
    sf::RectangleShape back({box.width, box.height});
    back.setPosition(box.left, box.top);
    back.setFillColor(kInk);  // opaque: the name over edges and labels
    target.draw(back);
    w.text(w.fit(scene.scenario().agencies[*ui.hovered].name, text_size::kHover, box.width - 2 * hover::kPad, true),
           text_size::kHover, {box.left + hover::kPad, box.top + hover::kPadY}, sf::Color::White, true);
  }
}

std::vector<AgencyLabel> agency_labels(const Scene& scene, const Snapshot& snap, const Camera& cam, const Fonts& fonts,
                                       std::optional<AgencyId> selected) {
  const Scenario& s = scene.scenario();
  const float z = cam.zoom();
  const float base = text_on_graph(Metrics::kLabelSize, scene, z);
  std::vector<AgencyLabel> out(s.agencies.size());
  for (AgencyId a = 0; a < s.agencies.size(); ++a) {
    const NodeGeometry& g = scene.node(a);
    const AgencyNow& now = snap.agencies[a];
    AgencyLabel& l = out[a];
    // Hidden when too small to read; the selected agency always keeps its own.
    l.name_size = (base < marks::kMinLabelSize && selected == a) ? marks::kSelectedLabelSize : base;
    l.shown = l.name_size >= marks::kMinLabelSize;
    const float k = l.name_size / Metrics::kLabelSize;
    l.stats_size = Metrics::kStatsSize * k;
    l.stats_gap = k;
    const sf::Vector2f c = cam.to_screen(scene.centre(a));
    const float r = drawn_radius(g, z), ring = Metrics::kRing * std::max(z, r / g.radius);
    l.x = c.x;
    l.top = c.y + r + ring + marks::kLabelGap * z;
    l.stats = Scene::stats_line(s.agencies[a], now.busy, now.servers, now.open);
    // The ink of the lines as drawn (glyph bounds, from the first line's top to the stats line's
    // bottom), with the halo and a pixel for rounding.
    float widest = text_px_width(fonts.regular, l.stats, l.stats_size);
    float ink_top = std::numeric_limits<float>::max();
    float y = l.top;
    for (const std::string& line : g.label_lines) {
      widest = std::max(widest, text_px_width(fonts.regular, line, l.name_size));
      const sf::Text t(utf8(line), fonts.regular, static_cast<unsigned>(std::lround(l.name_size)));
      ink_top = std::min(ink_top, std::round(y) + t.getLocalBounds().top);
      y += l.name_size * Metrics::kLabelLead;
    }
    const sf::Text st(utf8(l.stats), fonts.regular, static_cast<unsigned>(std::lround(l.stats_size)));
    const float stats_y = std::round(y + l.stats_gap);
    ink_top = std::min(ink_top, stats_y + st.getLocalBounds().top);
    const float ink_bottom = stats_y + st.getLocalBounds().top + st.getLocalBounds().height;
    const float halo = text_size::kHalo + marks::kLabelRounding;
    l.rect = LabelRect{c.x - widest / 2 - halo, ink_top - halo, c.x + widest / 2 + halo, ink_bottom + halo};
  }
  return out;
}

std::vector<DiscMark> agency_discs(const Scene& scene, const Camera& cam) {
  const float z = cam.zoom();
  std::vector<DiscMark> out;
  for (AgencyId a = 0; a < scene.scenario().agencies.size(); ++a) {
    const NodeGeometry& g = scene.node(a);
    const sf::Vector2f c = cam.to_screen(scene.centre(a));
    const float r = drawn_radius(g, z), ring = Metrics::kRing * std::max(z, r / g.radius);
    out.push_back(DiscMark{c.x, c.y, r + ring});
  }
  return out;
}

sf::FloatRect hover_box(const Scene& scene, AgencyId a, sf::Vector2f pointer, const Fonts& fonts,
                        const sf::FloatRect& window) {
  const std::string& name = scene.scenario().agencies[a].name;
  const float width =
      std::min(text_px_width(fonts.bold, name, text_size::kHover) + 2 * hover::kPad, window.width - 2 * hover::kMargin);
  const float height = text_size::kHover * hover::kLead + 2 * hover::kPadY;
  float x = pointer.x + hover::kOffsetX, y = pointer.y + hover::kOffsetY;
  if (x + width > window.left + window.width - hover::kMargin) x = window.left + window.width - hover::kMargin - width;
  if (y + height > window.top + window.height - hover::kMargin) y = pointer.y - hover::kOffsetY - height;
  x = std::max(x, window.left + hover::kMargin);
  y = std::max(y, window.top + hover::kMargin);
  return {std::round(x), std::round(y), std::round(width), std::round(height)};
}

float drawn_radius(const NodeGeometry& node, float zoom) { return std::max(node.radius * zoom, marks::kMinRadius); }

std::optional<AgencyId> agency_at(const Scene& scene, const Camera& camera, sf::Vector2f p) {
  std::optional<AgencyId> best;
  float best_d = 0;
  for (AgencyId a = 0; a < scene.scenario().agencies.size(); ++a) {
    const sf::Vector2f c = camera.to_screen(scene.centre(a));
    const float d = std::hypot(p.x - c.x, p.y - c.y);
    const float r = drawn_radius(scene.node(a), camera.zoom()) + Metrics::kRing * camera.zoom() + marks::kHitSlop;
    if (d <= r && (!best || d < best_d)) {
      best = a;
      best_d = d;
    }
  }
  return best;
}

}  // namespace refsim::viz
