#pragma once
// Drawing positions for the referral graph, for the visualiser and reports.
//
//   std::vector<refsim::NodeBox> boxes(s.agencies.size(), refsim::NodeBox{30, 30, 30, 60});
//   const refsim::GraphLayout l = refsim::layout_agencies(s, boxes);
//   l.positions[a];  // centre of agency a, in the units of the boxes (the visualiser: pixels)
//
// Agencies that declare a `position` keep it (scaled uniformly so that their boxes do not
// overlap; x grows to the right, y grows downwards, as on screen); the others are placed by a
// Boost.Graph spring layout (Kamada–Kawai; Fruchterman–Reingold above a few hundred vertices) and
// mapped onto the declared ones. With LayoutOptions::compact a spring placement is then made
// compact: shrunk and its overlaps pushed apart, or, when that is much smaller, its agencies
// packed in rows in the spring's order.
// Without declared positions, countries are laid out in two levels: each country on its own
// (frames of aspect ratio 1.4, 1 or 2, whichever fills the area best), then the countries (and
// agencies without a country) as blocks the size of their frames, packed in rows that fill
// `LayoutOptions::aspect` (rows spread over the area's height, blocks over each row's width).
// A final pass pushes apart boxes that still overlap and keeps each country's frame clear of
// other agencies. Deterministic: the same scenario and boxes give the same layout bit for bit
// (fixed initial positions on an ellipse; no random device).
//
// Boost.Graph stays inside this module; callers see AgencyId and plain numbers. Cost: O(n²) per
// spring iteration and per separation pass; a few hundred agencies take well under a second.
#include <cstddef>
#include <span>
#include <string>
#include <vector>

#include "sim/model/scenario.hpp"

namespace refsim {

struct Point2 {
  double x = 0;
  double y = 0;
};

/// Axis-aligned rectangle [x0, x1] × [y0, y1].
struct Rect {
  double x0 = 0, y0 = 0, x1 = 0, y1 = 0;
  double width() const { return x1 - x0; }
  double height() const { return y1 - y0; }
};

/// The room a drawn agency needs around its centre (node, label, gauges), in layout units:
/// `left` of the centre, `right` of it, `up` above and `down` below. All must be >= 0.
struct NodeBox {
  double left = 1, right = 1, up = 1, down = 1;
};

/// Agencies sharing a non-empty `country`, and the frame drawn around them.
struct CountryGroup {
  std::string country;
  std::vector<AgencyId> members;  ///< in declaration order
  Rect frame;                     ///< members' boxes plus padding, with a header band on top
};

struct LayoutOptions {
  double gap = 14;            ///< minimum empty space between two agencies' boxes
  double group_padding = 14;  ///< space between a country's agencies and its frame
  double group_header = 24;   ///< extra space at the top of a country frame, for its name
  double edge_room = 50;      ///< force-directed placements are shrunk until about this much
                              ///< space is left between most neighbours (room to see edges)
  double aspect = 1.0;        ///< width / height of the area to fill (placement, country frames' rows)
  unsigned iterations = 400;  ///< Fruchterman–Reingold iterations
  /// Make spring placements compact (for a crowded drawing area): shrink them and push the
  /// overlaps apart, or pack the agencies in rows in the spring's order when that is much smaller.
  /// Off, a placement keeps the spring's spacing.
  bool compact = false;
};

struct GraphLayout {
  std::vector<Point2> positions;     ///< centre of each agency, indexed by AgencyId
  std::vector<CountryGroup> groups;  ///< one per distinct non-empty country, in order of first use
  Rect bounds;                       ///< all boxes and frames
  /// Pairs of agency boxes that still overlap. Only declared positions that coincide can cause
  /// this (their arrangement is kept as given); 0 otherwise.
  std::size_t overlapping_pairs = 0;
};

/// Lays out the agencies of `s`; `boxes[a]` is the room agency a needs. Requires
/// boxes.size() == s.agencies.size().
GraphLayout layout_agencies(const Scenario& s, std::span<const NodeBox> boxes, const LayoutOptions& options = {});

/// True when the boxes of agencies at `a` and `b` overlap (touching does not count).
bool boxes_overlap(Point2 a, const NodeBox& box_a, Point2 b, const NodeBox& box_b);

}  // namespace refsim
