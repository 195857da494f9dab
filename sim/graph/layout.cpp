#include "sim/graph/layout.hpp"

#include <algorithm>
#include <cassert>
#include <cmath>
#include <limits>
#include <map>
#include <numbers>
#include <set>
#include <stdexcept>
#include <utility>

#include <boost/graph/adjacency_list.hpp>
#include <boost/graph/connected_components.hpp>
#include <boost/graph/fruchterman_reingold.hpp>
// GCC 12 at -O3 reports a false "may be used uninitialized" inside Boost's Johnson all-pairs
// shortest paths (a boost::optional in an edge iterator), which Kamada–Kawai calls.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif
#include <boost/graph/kamada_kawai_spring_layout.hpp>
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif
#include <boost/graph/topology.hpp>

namespace refsim {

namespace {

using LayoutGraph = boost::adjacency_list<boost::vecS, boost::vecS, boost::undirectedS, boost::no_property,
                                          boost::property<boost::edge_weight_t, double>>;
using Topology = boost::rectangle_topology<>;  // its generator is default-seeded: deterministic jitter

constexpr unsigned kMaxSeparationPasses = 4000;
// Kamada–Kawai (springs as long as graph distances) reads best, but its cost grows as n² per
// step; above this many vertices Fruchterman–Reingold takes over.
constexpr std::size_t kKamadaKawaiMaxVertices = 320;
constexpr double kRootEdge = 2.5;  // hidden root tying separate components together
// A spring placement is shrunk by each of these factors in turn, overlaps pushed apart, and the
// most compact result kept (up to this many vertices: each try costs a separation pass).
constexpr double kTightenSteps[] = {0.85, 0.7, 0.55, 0.4, 0.3};
constexpr double kTightenGain = 0.03;  // a smaller factor must save this share of the area
constexpr std::size_t kTightenMaxVertices = 200;
constexpr double kCountryAspects[] = {1.4, 1.0, 2.0};  // country frames' aspect ratios tried, the first preferred
constexpr std::size_t kRowsMinVertices = 4;            // fewer agencies keep the spring's placement
constexpr double kRowsGain = 0.75;                     // rows are used when they cover less than this share of its area

/// Kamada–Kawai's stopping rule (relative energy change), with a cap on the number of steps.
struct BoundedTolerance {
  boost::layout_tolerance<double> tolerance{1e-4};
  std::size_t outer = 0, inner = 0, max_outer = 0;
  template <class Graph>
  bool operator()(double delta, typename boost::graph_traits<Graph>::vertex_descriptor p, const Graph& g, bool global) {
    if (global) {
      inner = 0;
      if (++outer > max_outer) return true;
    } else if (++inner > 50) {
      return true;
    }
    return tolerance(delta, p, g, global);
  }
};

Rect box_rect(Point2 p, const NodeBox& b, double margin) {
  return {p.x - b.left - margin, p.y - b.up - margin, p.x + b.right + margin, p.y + b.down + margin};
}

Rect unite(const Rect& a, const Rect& b) {
  return {std::min(a.x0, b.x0), std::min(a.y0, b.y0), std::max(a.x1, b.x1), std::max(a.y1, b.y1)};
}

/// Pushes overlapping rectangles apart along the axis of least overlap, moving `fixed` ones never
/// and sharing the move otherwise. `shift` receives how far each rectangle moved. Returns the
/// number of pairs still overlapping (only pairs of fixed rectangles, unless the pass limit hit).
std::size_t separate(std::vector<Rect>& r, const std::vector<bool>& fixed, std::vector<Point2>& shift) {
  const std::size_t n = r.size();
  shift.assign(n, Point2{});
  std::vector<std::size_t> order(n);
  for (std::size_t i = 0; i < n; ++i) order[i] = i;
  auto move = [&](std::size_t i, double dx, double dy) {
    r[i].x0 += dx;
    r[i].x1 += dx;
    r[i].y0 += dy;
    r[i].y1 += dy;
    shift[i].x += dx;
    shift[i].y += dy;
  };
  std::size_t stuck = 0;
  for (unsigned pass = 0; pass < kMaxSeparationPasses; ++pass) {
    // Sweep along x: a pass that moves nothing has checked every pair under one consistent order.
    std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return r[a].x0 < r[b].x0; });
    bool moved = false;
    stuck = 0;
    for (std::size_t ia = 0; ia < n; ++ia) {
      const std::size_t i = order[ia];
      for (std::size_t ib = ia + 1; ib < n; ++ib) {
        const std::size_t j = order[ib];
        if (r[j].x0 >= r[i].x1) break;
        const double ox = std::min(r[i].x1, r[j].x1) - std::max(r[i].x0, r[j].x0);
        const double oy = std::min(r[i].y1, r[j].y1) - std::max(r[i].y0, r[j].y0);
        if (ox <= 0 || oy <= 0) continue;
        if (fixed[i] && fixed[j]) {
          ++stuck;
          continue;
        }
        moved = true;
        const double share_i = fixed[i] ? 0.0 : (fixed[j] ? 1.0 : 0.5);
        const double share_j = 1.0 - share_i;
        const bool along_x = ox <= oy;
        const double ci = along_x ? r[i].x0 + r[i].x1 : r[i].y0 + r[i].y1;
        const double cj = along_x ? r[j].x0 + r[j].x1 : r[j].y0 + r[j].y1;
        const double sign = cj > ci ? 1.0 : (cj < ci ? -1.0 : (i < j ? 1.0 : -1.0));
        const double amount = (along_x ? ox : oy) * (1.0 + 1e-9) + 1e-9;
        if (along_x) {
          move(i, -sign * amount * share_i, 0);
          move(j, sign * amount * share_j, 0);
        } else {
          move(i, 0, -sign * amount * share_i);
          move(j, 0, sign * amount * share_j);
        }
      }
    }
    if (!moved) return stuck;
  }
  return stuck;
}

struct WeightedEdge {
  std::size_t a, b;
  double length;  // in edges: 1 for a referral
};

/// A spring layout of n vertices: Kamada–Kawai, or Fruchterman–Reingold when large. Separate
/// components are tied to a hidden root. Starts from an ellipse in vertex order.
std::vector<Point2> spring(std::size_t n, const std::vector<WeightedEdge>& edges, std::span<const NodeBox> boxes,
                           double aspect, const LayoutOptions& opt) {
  if (n == 1) return {Point2{}};
  LayoutGraph graph(n);
  for (const WeightedEdge& e : edges) boost::add_edge(e.a, e.b, e.length, graph);
  std::vector<int> component(n);
  const int components = boost::connected_components(graph, component.data());
  if (components > 1) {
    const auto root = boost::add_vertex(graph);
    std::vector<bool> tied(static_cast<std::size_t>(components), false);
    for (std::size_t v = 0; v < n; ++v) {
      const auto c = static_cast<std::size_t>(component[v]);
      if (!tied[c]) boost::add_edge(v, root, kRootEdge, graph);
      tied[c] = true;
    }
  }
  const std::size_t total = boost::num_vertices(graph);

  double area = 0, width = 0;
  for (const NodeBox& b : boxes) {
    area += (b.left + b.right + opt.gap) * (b.up + b.down + opt.gap);
    width += (b.left + b.right) / static_cast<double>(n);
  }
  const double side = std::max(1.0, std::sqrt(4.0 * area));
  aspect = std::clamp(aspect, 0.25, 4.0);
  const double half_w = side * std::sqrt(aspect) / 2, half_h = side / std::sqrt(aspect) / 2;
  const Topology space(-half_w, -half_h, half_w, half_h);

  std::vector<Topology::point_type> pos(total);
  for (std::size_t k = 0; k < n; ++k) {
    const double angle = 2 * std::numbers::pi * static_cast<double>(k) / static_cast<double>(n);
    pos[k][0] = 0.8 * half_w * std::cos(angle);
    pos[k][1] = 0.8 * half_h * std::sin(angle);
  }
  if (total > n) pos[n][0] = pos[n][1] = 1e-3 * side;  // the root, near the centre

  const auto index = boost::get(boost::vertex_index, graph);
  const auto position = boost::make_iterator_property_map(pos.begin(), index);
  bool sprung = false;
  if (total <= kKamadaKawaiMaxVertices) {
    BoundedTolerance done;
    done.max_outer = 60 * total;
    const std::vector<Topology::point_type> start = pos;
    try {
      boost::kamada_kawai_spring_layout(graph, position, boost::get(boost::edge_weight, graph), space,
                                        boost::edge_length(width + opt.edge_room), done);
      sprung = true;
    } catch (const std::exception&) {
      // Boost.Math's hypot overflows when the iteration diverges: Fruchterman–Reingold instead.
      pos = start;
    }
  }
  if (!sprung) {
    std::vector<Topology::point_difference_type> displacement(total);
    boost::fruchterman_reingold_force_directed_layout(
        graph, position, space, boost::square_distance_attractive_force(), boost::square_distance_repulsive_force(),
        boost::all_force_pairs(), boost::linear_cooling<double>(opt.iterations, side / 8),
        boost::make_iterator_property_map(displacement.begin(), index));
  }
  std::vector<Point2> out(n);
  for (std::size_t v = 0; v < n; ++v) out[v] = Point2{pos[v][0], pos[v][1]};
  return out;
}

/// The uniform scale from which boxes i and j at p and q (scaled about the origin) are at least
/// `gap` apart; +infinity when they coincide.
double pair_scale(Point2 p, const NodeBox& bi, Point2 q, const NodeBox& bj, double gap) {
  const double dx = q.x - p.x, dy = q.y - p.y;
  const double need_x = (dx > 0 ? bi.right + bj.left : bi.left + bj.right) + gap;
  const double need_y = (dy > 0 ? bi.down + bj.up : bi.up + bj.down) + gap;
  const double inf = std::numeric_limits<double>::infinity();
  return std::min(dx != 0 ? need_x / std::fabs(dx) : inf, dy != 0 ? need_y / std::fabs(dy) : inf);
}

/// The smallest uniform scale at which no two declared boxes overlap (1 with fewer than two).
double declared_scale(const Scenario& s, std::span<const NodeBox> boxes, double gap) {
  double k = 0;
  const std::size_t n = s.agencies.size();
  for (std::size_t i = 0; i < n; ++i) {
    if (!s.agencies[i].position) continue;
    const Point2 p{s.agencies[i].position->first, s.agencies[i].position->second};
    for (std::size_t j = i + 1; j < n; ++j) {
      if (!s.agencies[j].position) continue;
      const Point2 q{s.agencies[j].position->first, s.agencies[j].position->second};
      const double kij = pair_scale(p, boxes[i], q, boxes[j], gap);
      if (std::isfinite(kij)) k = std::max(k, kij);
    }
  }
  return k > 0 ? k : 1.0;
}

/// Shrinks a force-directed placement (about its centre) until a quarter of the agencies would
/// have less than `room` clear around their boxes; the separation pass then handles those.
void compact(std::vector<Point2>& pos, std::span<const NodeBox> boxes, double room) {
  const std::size_t n = pos.size();
  if (n < 2) return;
  Point2 c;
  for (const Point2& p : pos) {
    c.x += p.x / static_cast<double>(n);
    c.y += p.y / static_cast<double>(n);
  }
  std::vector<double> need(n, 0.0);  // per agency: the scale it needs to clear every other
  for (std::size_t i = 0; i < n; ++i) {
    for (std::size_t j = i + 1; j < n; ++j) {
      const double k = pair_scale(pos[i], boxes[i], pos[j], boxes[j], room);
      if (!std::isfinite(k)) continue;
      need[i] = std::max(need[i], k);
      need[j] = std::max(need[j], k);
    }
  }
  std::sort(need.begin(), need.end());
  // Only ever shrink: growing a crowded placement to clear everything would blow up large
  // graphs; the separation pass pushes the crowded ones apart locally instead.
  const double k = std::min(1.0, need[(n - 1) / 4]);
  if (!(k > 0) || !std::isfinite(k)) return;
  for (Point2& p : pos) p = Point2{c.x + (p.x - c.x) * k, c.y + (p.y - c.y) * k};
}

/// Positions with the overlaps of their boxes (plus half a gap each) pushed apart.
std::vector<Point2> separated(std::vector<Point2> pos, std::span<const NodeBox> boxes, double gap) {
  const std::size_t n = pos.size();
  std::vector<Rect> rects(n);
  for (std::size_t v = 0; v < n; ++v) rects[v] = box_rect(pos[v], boxes[v], gap / 2);
  std::vector<Point2> shift;
  separate(rects, std::vector<bool>(n, false), shift);
  for (std::size_t v = 0; v < n; ++v) {
    pos[v].x += shift[v].x;
    pos[v].y += shift[v].y;
  }
  return pos;
}

double bounding_area(const std::vector<Point2>& pos, std::span<const NodeBox> boxes) {
  Rect b = box_rect(pos[0], boxes[0], 0);
  for (std::size_t v = 0; v < pos.size(); ++v) b = unite(b, box_rect(pos[v], boxes[v], 0));
  return b.width() * b.height();
}

/// The placement, shrunk about its centre by the factor of kTightenSteps whose result, overlaps
/// pushed apart, covers the least area (a smaller factor must save kTightenGain of it): the
/// spring keeps who is next to whom, the shrinking removes the empty space between them.
std::vector<Point2> tighten(const std::vector<Point2>& start, std::span<const NodeBox> boxes,
                            const LayoutOptions& opt) {
  const std::size_t n = start.size();
  if (n < 3 || n > kTightenMaxVertices) return separated(start, boxes, opt.gap);
  Point2 c;
  for (const Point2& p : start) {
    c.x += p.x / static_cast<double>(n);
    c.y += p.y / static_cast<double>(n);
  }
  std::vector<Point2> best = separated(start, boxes, opt.gap);
  double best_area = bounding_area(best, boxes);
  for (double f : kTightenSteps) {
    std::vector<Point2> p(n);
    for (std::size_t v = 0; v < n; ++v) p[v] = Point2{c.x + (start[v].x - c.x) * f, c.y + (start[v].y - c.y) * f};
    p = separated(std::move(p), boxes, opt.gap);
    const double area = bounding_area(p, boxes);
    if (area < best_area * (1 - kTightenGain)) {
      best = std::move(p);
      best_area = area;
    }
  }
  return best;
}

/// Blocks of sizes `sizes` (width, height) packed in rows to fill a `aspect` (width / height)
/// area: the number of rows and the order (the spring's, `at`: rows top to bottom, left to right
/// in a row; or tallest first) that let the whole be drawn largest in such an area. Returns each
/// block's centre; with `spread`, rows are spread over the area's height and blocks over each
/// row's width, else rows are stacked tight and blocks centred in their row.
std::vector<Point2> pack_rows(const std::vector<Point2>& sizes, const std::vector<Point2>& at, double aspect,
                              double gap, bool spread = true) {
  const std::size_t n = sizes.size();
  aspect = std::clamp(aspect, 0.25, 4.0);
  std::vector<std::size_t> by_y(n), by_height(n);
  for (std::size_t b = 0; b < n; ++b) by_y[b] = by_height[b] = b;
  std::stable_sort(by_y.begin(), by_y.end(), [&](std::size_t a, std::size_t b) { return at[a].y < at[b].y; });
  std::stable_sort(by_height.begin(), by_height.end(),
                   [&](std::size_t a, std::size_t b) { return sizes[a].y > sizes[b].y; });
  double total_width = 0;
  for (const Point2& sz : sizes) total_width += sz.x + gap;
  struct Packing {
    std::vector<std::vector<std::size_t>> rows;
    double width = 0, height = 0, score = 0;
  };
  auto pack = [&](const std::vector<std::size_t>& order, std::size_t rows, bool sort_x) {
    Packing p;
    const double target = total_width / static_cast<double>(rows);
    std::vector<std::size_t> row;
    double row_width = 0;
    for (std::size_t b : order) {
      const double w = sizes[b].x + gap;
      if (!row.empty() && row_width + w / 2 > target && p.rows.size() + 1 < rows) {
        p.rows.push_back(row);
        row.clear();
        row_width = 0;
      }
      row.push_back(b);
      row_width += w;
    }
    if (!row.empty()) p.rows.push_back(row);
    for (std::vector<std::size_t>& r : p.rows) {
      if (sort_x) std::stable_sort(r.begin(), r.end(), [&](std::size_t a, std::size_t b) { return at[a].x < at[b].x; });
      double w = 0, h = 0;
      for (std::size_t b : r) {
        w += sizes[b].x + gap;
        h = std::max(h, sizes[b].y + gap);
      }
      p.width = std::max(p.width, w);
      p.height += h;
    }
    p.score = std::min(aspect / p.width, 1.0 / p.height);  // the scale at which it fills the area
    return p;
  };
  Packing best;
  for (std::size_t rows = 1; rows <= n; ++rows) {
    for (bool spring_order : {true, false}) {
      Packing p = spring_order ? pack(by_y, rows, true) : pack(by_height, rows, false);
      if (p.score > best.score * (1 + 1e-9)) best = std::move(p);
    }
  }
  // Spread: the rows over the height the area's aspect gives the widest, blocks over each row.
  const double width = spread ? std::max(best.width, best.height * aspect) : best.width;
  const double height = spread ? std::max(best.height, best.width / aspect) : best.height;
  const double spare_y = (height - best.height) / static_cast<double>(best.rows.size());
  std::vector<Point2> out(n);
  double y = 0;
  for (const std::vector<std::size_t>& r : best.rows) {
    double w = 0, h = 0;
    for (std::size_t b : r) {
      w += sizes[b].x + gap;
      h = std::max(h, sizes[b].y + gap);
    }
    const double spare_x = (width - w) / static_cast<double>(r.size());
    double x = 0;
    for (std::size_t b : r) {
      x += spare_x / 2;
      out[b] = Point2{x + (sizes[b].x + gap) / 2, y + (h + spare_y) / 2};
      x += sizes[b].x + gap + spare_x / 2;
    }
    y += h + spare_y;
  }
  return out;
}

/// Spring layout, shrunk to the typical spacing, overlaps pushed apart, then stretched along one
/// axis to the wanted aspect ratio (stretching only moves boxes apart).
std::vector<Point2> place(std::size_t n, const std::vector<WeightedEdge>& edges, std::span<const NodeBox> boxes,
                          double aspect, const LayoutOptions& opt) {
  const std::vector<Point2> sprung = spring(n, edges, boxes, aspect, opt);
  std::vector<Point2> pos = sprung;
  compact(pos, boxes, opt.edge_room);
  pos = opt.compact ? tighten(pos, boxes, opt) : separated(pos, boxes, opt.gap);
  if (n > 1) {
    Rect b = box_rect(pos[0], boxes[0], 0);
    for (std::size_t v = 0; v < n; ++v) b = unite(b, box_rect(pos[v], boxes[v], 0));
    const double cx = (b.x0 + b.x1) / 2, cy = (b.y0 + b.y1) / 2;
    const double have = b.width() / std::max(1e-9, b.height()), want = std::clamp(aspect, 0.25, 4.0);
    const double sx = have < want ? want / have : 1.0, sy = have > want ? have / want : 1.0;
    for (Point2& p : pos) p = Point2{cx + (p.x - cx) * sx, cy + (p.y - cy) * sy};
  }
  // The same agencies in rows, in the spring's order, when that is much more compact.
  if (opt.compact && n >= kRowsMinVertices && n <= kTightenMaxVertices) {
    std::vector<Point2> sizes(n);
    for (std::size_t v = 0; v < n; ++v) sizes[v] = Point2{boxes[v].left + boxes[v].right, boxes[v].up + boxes[v].down};
    std::vector<Point2> rows = pack_rows(sizes, sprung, aspect, opt.gap, /*spread=*/false);
    for (std::size_t v = 0; v < n; ++v)
      rows[v] = Point2{rows[v].x - (boxes[v].right - boxes[v].left) / 2, rows[v].y - (boxes[v].down - boxes[v].up) / 2};
    if (bounding_area(rows, boxes) < kRowsGain * bounding_area(pos, boxes)) return rows;
  }
  return pos;
}

/// Referrals as undirected layout edges between the vertices `vertex_of` maps agencies to (-1:
/// not in this layout), without self-loops or duplicates.
std::vector<WeightedEdge> referral_edges(const Scenario& s, const std::vector<long>& vertex_of) {
  std::set<std::pair<long, long>> seen;
  std::vector<WeightedEdge> out;
  for (const Referral& r : s.referrals) {
    const long a = vertex_of[r.from], b = vertex_of[r.to];
    if (a < 0 || b < 0 || a == b) continue;
    if (seen.emplace(std::min(a, b), std::max(a, b)).second) {
      out.push_back(WeightedEdge{static_cast<std::size_t>(a), static_cast<std::size_t>(b), 1.0});
    }
  }
  return out;
}

}  // namespace

bool boxes_overlap(Point2 a, const NodeBox& box_a, Point2 b, const NodeBox& box_b) {
  const Rect ra = box_rect(a, box_a, 0), rb = box_rect(b, box_b, 0);
  return std::min(ra.x1, rb.x1) > std::max(ra.x0, rb.x0) && std::min(ra.y1, rb.y1) > std::max(ra.y0, rb.y0);
}

GraphLayout layout_agencies(const Scenario& s, std::span<const NodeBox> boxes, const LayoutOptions& opt) {
  const std::size_t n = s.agencies.size();
  assert(boxes.size() == n);
  GraphLayout out;
  if (n == 0) return out;

  // Countries, in order of first appearance.
  std::vector<int> group_of(n, -1);
  std::map<std::string, int> group_index;
  for (std::size_t a = 0; a < n; ++a) {
    const std::string& c = s.agencies[a].country;
    if (c.empty()) continue;
    auto [it, fresh] = group_index.emplace(c, static_cast<int>(out.groups.size()));
    if (fresh) out.groups.push_back(CountryGroup{c, {}, {}});
    group_of[a] = it->second;
    out.groups[static_cast<std::size_t>(it->second)].members.push_back(static_cast<AgencyId>(a));
  }

  std::vector<bool> pinned(n);
  std::size_t pinned_count = 0;
  for (std::size_t a = 0; a < n; ++a) {
    pinned[a] = s.agencies[a].position.has_value();
    pinned_count += pinned[a] ? 1 : 0;
  }

  std::vector<Point2> pos(n);
  if (pinned_count == 0 && !out.groups.empty()) {
    // Two levels: each country laid out on its own, then countries (and lone agencies) laid out
    // as blocks the size of their frames, linked where referrals cross between them.
    std::vector<std::vector<AgencyId>> blocks;
    for (const CountryGroup& g : out.groups) blocks.push_back(g.members);
    for (std::size_t a = 0; a < n; ++a)
      if (group_of[a] < 0) blocks.push_back({static_cast<AgencyId>(a)});
    std::vector<long> block_of(n, -1);
    for (std::size_t b = 0; b < blocks.size(); ++b)
      for (AgencyId m : blocks[b]) block_of[m] = static_cast<long>(b);
    // Each country placed in a frame of aspect ratio `country_aspect`, then the frames packed in
    // rows; returns the scale at which the whole fills the drawing area (larger is better).
    auto arrange = [&](double country_aspect, bool spread, std::vector<Point2>& out_pos) {
      std::vector<NodeBox> block_boxes;
      for (std::size_t b = 0; b < blocks.size(); ++b) {
        const std::vector<AgencyId>& members = blocks[b];
        std::vector<long> local(n, -1);
        std::vector<NodeBox> member_boxes;
        for (std::size_t i = 0; i < members.size(); ++i) {
          local[members[i]] = static_cast<long>(i);
          member_boxes.push_back(boxes[members[i]]);
        }
        const std::vector<Point2> p =
            place(members.size(), referral_edges(s, local), member_boxes, country_aspect, opt);
        Rect f = box_rect(p[0], member_boxes[0], 0);
        for (std::size_t i = 0; i < members.size(); ++i) {
          out_pos[members[i]] = p[i];
          f = unite(f, box_rect(p[i], member_boxes[i], 0));
        }
        if (b < out.groups.size()) {
          f = Rect{f.x0 - opt.group_padding, f.y0 - opt.group_padding - opt.group_header, f.x1 + opt.group_padding,
                   f.y1 + opt.group_padding};
        }
        block_boxes.push_back(NodeBox{-f.x0, f.x1, -f.y0, f.y1});  // around the block's origin
      }
      // Blocks linked by referrals near each other (the spring), then packed in rows that fill
      // the drawing area's aspect ratio: each block's box is placed with its own origin offset.
      const std::vector<Point2> near =
          blocks.size() > 1 ? spring(blocks.size(), referral_edges(s, block_of), block_boxes, opt.aspect, opt)
                            : std::vector<Point2>(1);
      std::vector<Point2> sizes(blocks.size());
      for (std::size_t b = 0; b < blocks.size(); ++b)
        sizes[b] = Point2{block_boxes[b].left + block_boxes[b].right, block_boxes[b].up + block_boxes[b].down};
      const std::vector<Point2> at = pack_rows(sizes, near, opt.aspect, opt.gap, spread);
      Rect all{std::numeric_limits<double>::max(), std::numeric_limits<double>::max(),
               std::numeric_limits<double>::lowest(), std::numeric_limits<double>::lowest()};
      for (std::size_t b = 0; b < blocks.size(); ++b)
        all = unite(all, Rect{at[b].x - sizes[b].x / 2, at[b].y - sizes[b].y / 2, at[b].x + sizes[b].x / 2,
                              at[b].y + sizes[b].y / 2});
      for (std::size_t a = 0; a < n; ++a) {
        const std::size_t b = static_cast<std::size_t>(block_of[a]);
        const NodeBox& bb = block_boxes[b];
        // The block's centre is at[b]; its origin sits (left − right) / 2, (up − down) / 2 from it.
        const Point2 o{at[b].x + (bb.left - bb.right) / 2, at[b].y + (bb.up - bb.down) / 2};
        out_pos[a] = Point2{o.x + out_pos[a].x, o.y + out_pos[a].y};
      }
      return std::min(std::clamp(opt.aspect, 0.25, 4.0) / all.width(), 1.0 / all.height());
    };
    // The countries' aspect ratio that lets the whole be drawn largest (the first on a tie).
    double best_aspect = kCountryAspects[0], best_score = 0;
    if (n <= kTightenMaxVertices) {
      for (double aspect : kCountryAspects) {
        std::vector<Point2> trial(n);
        const double score = arrange(aspect, false, trial);
        if (score > best_score * (1 + 1e-9)) {
          best_score = score;
          best_aspect = aspect;
        }
      }
    }
    arrange(best_aspect, true, pos);
  } else if (pinned_count < n) {
    std::vector<long> all(n);
    for (std::size_t a = 0; a < n; ++a) all[a] = static_cast<long>(a);
    pos = place(n, referral_edges(s, all), boxes, opt.aspect, opt);
  }
  if (pinned_count > 0) {
    const double k = declared_scale(s, boxes, opt.gap);
    std::vector<Point2> declared(n);
    for (std::size_t a = 0; a < n; ++a)
      if (pinned[a]) declared[a] = Point2{s.agencies[a].position->first * k, s.agencies[a].position->second * k};
    if (pinned_count < n) {
      // Map the force-directed picture onto the declared one (least-squares scale + shift over
      // the declared agencies), so the others land near their declared neighbours.
      Point2 mf, md;
      for (std::size_t a = 0; a < n; ++a) {
        if (!pinned[a]) continue;
        mf.x += pos[a].x / static_cast<double>(pinned_count);
        mf.y += pos[a].y / static_cast<double>(pinned_count);
        md.x += declared[a].x / static_cast<double>(pinned_count);
        md.y += declared[a].y / static_cast<double>(pinned_count);
      }
      double num = 0, den = 0;
      for (std::size_t a = 0; a < n; ++a) {
        if (!pinned[a]) continue;
        num += (pos[a].x - mf.x) * (declared[a].x - md.x) + (pos[a].y - mf.y) * (declared[a].y - md.y);
        den += (pos[a].x - mf.x) * (pos[a].x - mf.x) + (pos[a].y - mf.y) * (pos[a].y - mf.y);
      }
      const double scale = (den > 0 && num > 0) ? num / den : 1.0;
      for (std::size_t a = 0; a < n; ++a) {
        if (!pinned[a]) pos[a] = Point2{md.x + scale * (pos[a].x - mf.x), md.y + scale * (pos[a].y - mf.y)};
      }
    }
    for (std::size_t a = 0; a < n; ++a)
      if (pinned[a]) pos[a] = declared[a];
  }

  // 1. No two agency boxes overlap (declared agencies stay put).
  {
    std::vector<Rect> rects(n);
    for (std::size_t a = 0; a < n; ++a) rects[a] = box_rect(pos[a], boxes[a], opt.gap / 2);
    std::vector<Point2> shift;
    separate(rects, pinned, shift);
    for (std::size_t a = 0; a < n; ++a) {
      pos[a].x += shift[a].x;
      pos[a].y += shift[a].y;
    }
  }

  // 2. Country frames hold no one else: move whole countries (and lone agencies) apart.
  auto frame_of = [&](const CountryGroup& g) {
    Rect f = box_rect(pos[g.members.front()], boxes[g.members.front()], 0);
    for (AgencyId a : g.members) f = unite(f, box_rect(pos[a], boxes[a], 0));
    return Rect{f.x0 - opt.group_padding, f.y0 - opt.group_padding - opt.group_header, f.x1 + opt.group_padding,
                f.y1 + opt.group_padding};
  };
  if (!out.groups.empty()) {
    std::vector<Rect> rects;
    std::vector<bool> fixed;
    std::vector<std::vector<AgencyId>> block_members;
    for (const CountryGroup& g : out.groups) {
      const Rect f = frame_of(g);
      rects.push_back(Rect{f.x0 - opt.gap / 2, f.y0 - opt.gap / 2, f.x1 + opt.gap / 2, f.y1 + opt.gap / 2});
      bool any_pinned = false;
      for (AgencyId a : g.members) any_pinned = any_pinned || pinned[a];
      fixed.push_back(any_pinned);
      block_members.push_back(g.members);
    }
    for (std::size_t a = 0; a < n; ++a) {
      if (group_of[a] >= 0) continue;
      rects.push_back(box_rect(pos[a], boxes[a], opt.gap / 2));
      fixed.push_back(pinned[a]);
      block_members.push_back({static_cast<AgencyId>(a)});
    }
    std::vector<Point2> shift;
    separate(rects, fixed, shift);
    for (std::size_t b = 0; b < block_members.size(); ++b) {
      for (AgencyId a : block_members[b]) {
        pos[a].x += shift[b].x;
        pos[a].y += shift[b].y;
      }
    }
  }

  out.positions = pos;
  out.bounds = box_rect(pos[0], boxes[0], 0);
  for (std::size_t a = 0; a < n; ++a) out.bounds = unite(out.bounds, box_rect(pos[a], boxes[a], 0));
  for (CountryGroup& g : out.groups) {
    g.frame = frame_of(g);
    out.bounds = unite(out.bounds, g.frame);
  }
  for (std::size_t i = 0; i < n; ++i)
    for (std::size_t j = i + 1; j < n; ++j)
      if (boxes_overlap(pos[i], boxes[i], pos[j], boxes[j])) ++out.overlapping_pairs;
  return out;
}

}  // namespace refsim
