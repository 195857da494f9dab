// refsim-viz-check — checks refsim-viz screenshots for the CTest suite.
//
//   refsim-viz-check image SHOT.png --size WxH [--layout LAYOUT.csv --expect ID=saturated|idle|held|closed|… ...]
//                    [--countries N]
//       the image has exactly the requested size; it is not blank (many colours, no colour covering
//       most of it); and where each named agency's disc is drawn (LAYOUT.csv from --dump-layout)
//       the pixels are the saturated (utilization 1) or idle (utilization 0) end of the scale;
//       ID=held: the violet held gauge is drawn left of the disc; ID=closed: the closed badge is
//       drawn on its upper left; ID=no-held, ID=no-closed: not a pixel of that colour there.
//       ID=closed-by-change: the "CLOSED" band of an agency closed by a change is drawn across the
//       disc; ID=no-closed-by-change: not a pixel of its colour there.
//       --countries N: the panel shows the swatches of the first N country colours (a square of
//       each, 7x7 px at least, right of the graph) and no swatch of the next colour; the graph
//       shows each of the N (country frames' edges, >= 100 px), and with N = 0 not the first.
//   refsim-viz-check labels A.png B.png --layout LAYOUT.csv --expect ID=changed|unchanged ...
//       the band under each named agency's disc (its name and the "busy/total staff" line) has
//       changed / not changed a pixel between the two images: e.g. before and after a key press
//   refsim-viz-check same A.png B.png     the two images are pixel-identical
//   refsim-viz-check differ A.png B.png   the two images differ somewhere
//
// Prints what it found; exit code 0 when every check passes, 1 otherwise, 2 on bad usage.
#include <SFML/Graphics/Image.hpp>
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <optional>
#include <sstream>
#include <string>
#include <unordered_map>
#include <vector>

#include "viz/colour.hpp"

namespace {

int failures = 0;

void check(bool ok, const std::string& what) {
  std::printf("%s: %s\n", ok ? "ok" : "FAILED", what.c_str());
  if (!ok) ++failures;
}

bool load(sf::Image& img, const std::string& path) {
  if (img.loadFromFile(path)) return true;
  std::printf("FAILED: cannot read image %s\n", path.c_str());
  return false;
}

struct Placed {
  double x = 0, y = 0, radius = 0;
};

std::map<std::string, Placed> read_layout(const std::string& path) {
  std::map<std::string, Placed> out;
  std::ifstream in(path);
  std::string line;
  std::getline(in, line);  // header: id,x,y,radius
  while (std::getline(in, line)) {
    std::stringstream ss(line);
    std::string id, x, y, r;
    if (std::getline(ss, id, ',') && std::getline(ss, x, ',') && std::getline(ss, y, ',') && std::getline(ss, r, ',')) {
      out[id] = Placed{std::stod(x), std::stod(y), std::stod(r)};
    }
  }
  return out;
}

int channel_distance(sf::Color a, refsim::viz::Rgb b) {
  return std::max({std::abs(a.r - b.r), std::abs(a.g - b.g), std::abs(a.b - b.b)});
}

/// Whether a k x k square of exactly colour c lies in the image at x >= x0 (x < x1).
bool has_square(const sf::Image& img, refsim::viz::Rgb c, unsigned x0, unsigned x1, unsigned k) {
  const sf::Vector2u dim = img.getSize();
  // run[x]: how many pixels of colour c end at (x, y) going up; a row of k runs >= k is a square.
  std::vector<unsigned> run(dim.x, 0);
  for (unsigned y = 0; y < dim.y; ++y) {
    unsigned across = 0;
    for (unsigned x = x0; x < x1; ++x) {
      const sf::Color p = img.getPixel(x, y);
      run[x] = (p.r == c.r && p.g == c.g && p.b == c.b) ? run[x] + 1 : 0;
      across = run[x] >= k ? across + 1 : 0;
      if (across >= k) return true;
    }
  }
  return false;
}

std::size_t count_colour(const sf::Image& img, refsim::viz::Rgb c, unsigned x0, unsigned x1) {
  std::size_t n = 0;
  for (unsigned y = 0; y < img.getSize().y; ++y)
    for (unsigned x = x0; x < x1; ++x) {
      const sf::Color p = img.getPixel(x, y);
      n += p.r == c.r && p.g == c.g && p.b == c.b;
    }
  return n;
}

/// The first N country colours in the panel's swatches and the graph's frames (see the header).
void check_countries(const sf::Image& img, std::size_t n) {
  const sf::Vector2u dim = img.getSize();
  // The panel's left edge, as ScreenLayout::for_size (viz/render.cpp) places it.
  const float w = static_cast<float>(dim.x);
  const auto panel_left = static_cast<unsigned>(w - std::clamp(w * 0.28f, 300.0f, 380.0f)) + 1;
  constexpr unsigned kSquare = 7;
  for (std::size_t k = 0; k <= n && k < refsim::viz::kCountryColours; ++k) {
    const refsim::viz::Rgb c = refsim::viz::country_colour(k);
    const bool want = k < n;
    char buf[200];
    std::snprintf(buf, sizeof buf, "country colour %zu (%d,%d,%d): %s swatch in the panel", k, c.r, c.g, c.b,
                  want ? "a" : "no");
    check(has_square(img, c, panel_left, dim.x, kSquare) == want, buf);
    if (!want && n > 0) continue;  // the next colour may be a frame's with more countries than rows
    const std::size_t in_graph = count_colour(img, c, 0, panel_left);
    std::snprintf(buf, sizeof buf, "country colour %zu: %zu pixels in the graph (want %s)", k, in_graph,
                  want ? ">= 100" : "< 20");
    check(want ? in_graph >= 100 : in_graph < 20, buf);
  }
}

int check_image(int argc, char** argv) {
  if (argc < 3) return 2;
  const std::string path = argv[2];
  std::string size, layout;
  std::optional<std::size_t> countries;
  std::vector<std::pair<std::string, std::string>> expect;
  for (int i = 3; i + 1 < argc; i += 2) {
    const std::string opt = argv[i], val = argv[i + 1];
    if (opt == "--size") {
      size = val;
    } else if (opt == "--layout") {
      layout = val;
    } else if (opt == "--countries") {
      countries = static_cast<std::size_t>(std::stoul(val));
    } else if (opt == "--expect") {
      const auto eq = val.find('=');
      if (eq == std::string::npos) return 2;
      expect.emplace_back(val.substr(0, eq), val.substr(eq + 1));
    } else {
      return 2;
    }
  }
  sf::Image img;
  if (!load(img, path)) return 1;
  const sf::Vector2u dim = img.getSize();
  if (!size.empty()) {
    const std::string got = std::to_string(dim.x) + "x" + std::to_string(dim.y);
    check(got == size, "image size " + got + ", requested " + size);
  }

  // Not blank: count colours and the share of the most common one.
  std::unordered_map<std::uint32_t, std::size_t> counts;
  for (unsigned y = 0; y < dim.y; ++y)
    for (unsigned x = 0; x < dim.x; ++x) ++counts[img.getPixel(x, y).toInteger()];
  std::size_t top = 0;
  for (const auto& [c, n] : counts) top = std::max(top, n);
  const double share = static_cast<double>(top) / (static_cast<double>(dim.x) * dim.y);
  check(counts.size() >= 200, std::to_string(counts.size()) + " distinct colours (want >= 200)");
  check(share < 0.85, "most common colour covers " + std::to_string(static_cast<int>(share * 100)) + "% (want < 85%)");
  if (countries) check_countries(img, *countries);

  if (!expect.empty()) {
    const auto placed = read_layout(layout);
    for (auto [id, level] : expect) {
      const auto it = placed.find(id);
      if (it == placed.end()) {
        check(false, "agency '" + id + "' listed in " + layout);
        continue;
      }
      const Placed& p = it->second;
      if (level == "closed-by-change" || level == "no-closed-by-change") {
        // The band across the disc's centre: count pixels of its colour within half a radius.
        const bool absent = level.rfind("no-", 0) == 0;
        const refsim::viz::Rgb want = refsim::viz::kClosedByChange;
        int n = 0;
        for (int y = std::max(0, static_cast<int>(p.y - 0.5 * p.radius));
             y < std::min(static_cast<int>(dim.y), static_cast<int>(p.y + 0.5 * p.radius)); ++y)
          for (int x = std::max(0, static_cast<int>(p.x - p.radius));
               x < std::min(static_cast<int>(dim.x), static_cast<int>(p.x + p.radius)); ++x)
            if (channel_distance(img.getPixel(static_cast<unsigned>(x), static_cast<unsigned>(y)), want) <= 3) ++n;
        char buf[200];
        std::snprintf(buf, sizeof buf,
                      "agency '%s' at (%.0f, %.0f): %d pixels of the closed-by-change colour (want %s)", id.c_str(),
                      p.x, p.y, n, absent ? "0" : ">= 40");
        check(absent ? n == 0 : n >= 40, buf);
        continue;
      }
      if (level == "held" || level == "closed" || level == "no-held" || level == "no-closed") {
        const bool absent = level.rfind("no-", 0) == 0;
        if (absent) level = level.substr(3);
        // held: the violet gauge left of the disc (between 1 and 2.5 radii left of its centre);
        // closed: the grey badge on the ring's upper left. Count pixels of that exact colour.
        const refsim::viz::Rgb want = level == "held" ? refsim::viz::kHeld : refsim::viz::kClosed;
        const double x0 = level == "held" ? p.x - 2.5 * p.radius : p.x - 1.3 * p.radius;
        const double x1 = level == "held" ? p.x - p.radius : p.x - 0.3 * p.radius;
        const double y0 = level == "held" ? p.y - p.radius : p.y - 1.3 * p.radius;
        const double y1 = level == "held" ? p.y + p.radius : p.y - 0.3 * p.radius;
        int n = 0;
        for (int y = std::max(0, static_cast<int>(y0)); y < std::min(static_cast<int>(dim.y), static_cast<int>(y1));
             ++y)
          for (int x = std::max(0, static_cast<int>(x0)); x < std::min(static_cast<int>(dim.x), static_cast<int>(x1));
               ++x)
            if (channel_distance(img.getPixel(static_cast<unsigned>(x), static_cast<unsigned>(y)), want) <= 3) ++n;
        char buf[200];
        std::snprintf(buf, sizeof buf, "agency '%s' at (%.0f, %.0f): %d pixels of the %s colour (%d,%d,%d) (want %s)",
                      id.c_str(), p.x, p.y, n, level.c_str(), want.r, want.g, want.b, absent ? "0" : ">= 12");
        check(absent ? n == 0 : n >= 12, buf);
        continue;
      }
      if (level != "saturated" && level != "idle") return 2;
      const refsim::viz::Rgb want = refsim::viz::utilization_colour(level == "saturated" ? 1.0 : 0.0);
      // Every pixel within 40 % of the disc's radius must have the scale's end colour.
      const double r = 0.4 * p.radius;
      int worst = 0, n = 0;
      for (int dy = -static_cast<int>(r); dy <= static_cast<int>(r); ++dy) {
        for (int dx = -static_cast<int>(r); dx <= static_cast<int>(r); ++dx) {
          if (dx * dx + dy * dy > r * r) continue;
          const int x = static_cast<int>(std::floor(p.x)) + dx, y = static_cast<int>(std::floor(p.y)) + dy;
          if (x < 0 || y < 0 || x >= static_cast<int>(dim.x) || y >= static_cast<int>(dim.y)) {
            worst = 255;
            continue;
          }
          worst =
              std::max(worst, channel_distance(img.getPixel(static_cast<unsigned>(x), static_cast<unsigned>(y)), want));
          ++n;
        }
      }
      char buf[200];
      std::snprintf(
          buf, sizeof buf,
          "agency '%s' at (%.0f, %.0f): %d pixels, largest channel difference %d from the %s colour (%d,%d,%d)",
          id.c_str(), p.x, p.y, n, worst, level.c_str(), want.r, want.g, want.b);
      check(n >= 20 && worst <= 3, buf);
    }
  }
  return failures ? 1 : 0;
}

/// labels A.png B.png --layout CSV --expect ID=changed|unchanged ...
int check_labels(int argc, char** argv) {
  if (argc < 4) return 2;
  std::string layout;
  std::vector<std::pair<std::string, std::string>> expect;
  for (int i = 4; i + 1 < argc; i += 2) {
    const std::string opt = argv[i], val = argv[i + 1];
    const auto eq = val.find('=');
    if (opt == "--layout") {
      layout = val;
    } else if (opt == "--expect" && eq != std::string::npos) {
      expect.emplace_back(val.substr(0, eq), val.substr(eq + 1));
      if (expect.back().second != "changed" && expect.back().second != "unchanged") return 2;
    } else {
      return 2;
    }
  }
  sf::Image ia, ib;
  if (!load(ia, argv[2]) || !load(ib, argv[3])) return 1;
  if (ia.getSize() != ib.getSize()) {
    check(false, "the two images have the same size");
    return 1;
  }
  const sf::Vector2u dim = ia.getSize();
  const auto placed = read_layout(layout);
  for (const auto& [id, want] : expect) {
    const auto it = placed.find(id);
    if (it == placed.end()) {
      check(false, "agency '" + id + "' listed in " + layout);
      continue;
    }
    // The label under the disc: from below the ring (at most 0.3 radii wide) 60 px down, 45 px
    // either side of the centre: a name line and the stats line at the zooms a fitted small
    // scenario gets.
    const Placed& p = it->second;
    const int x0 = std::max(0, static_cast<int>(p.x - 45));
    const int x1 = std::min(static_cast<int>(dim.x), static_cast<int>(p.x + 45));
    const int y0 = std::max(0, static_cast<int>(p.y + 1.3 * p.radius));
    const int y1 = std::min(static_cast<int>(dim.y), static_cast<int>(p.y + 1.3 * p.radius + 60));
    int differing = 0;
    for (int y = y0; y < y1; ++y)
      for (int x = x0; x < x1; ++x)
        if (ia.getPixel(static_cast<unsigned>(x), static_cast<unsigned>(y)) !=
            ib.getPixel(static_cast<unsigned>(x), static_cast<unsigned>(y)))
          ++differing;
    char buf[200];
    std::snprintf(buf, sizeof buf, "agency '%s': %d pixels of its label [%d, %d) x [%d, %d) differ (want %s)",
                  id.c_str(), differing, x0, x1, y0, y1, want == "changed" ? "> 0" : "0");
    check(want == "changed" ? differing > 0 : differing == 0, buf);
  }
  return failures ? 1 : 0;
}

int compare(const std::string& a, const std::string& b, bool want_same) {
  sf::Image ia, ib;
  if (!load(ia, a) || !load(ib, b)) return 1;
  std::size_t differing = 0;
  if (ia.getSize() == ib.getSize()) {
    for (unsigned y = 0; y < ia.getSize().y; ++y)
      for (unsigned x = 0; x < ia.getSize().x; ++x)
        if (ia.getPixel(x, y) != ib.getPixel(x, y)) ++differing;
  } else {
    differing = 1;
  }
  check(want_same ? differing == 0 : differing > 0,
        std::to_string(differing) + " pixels differ between " + a + " and " + b);
  return failures ? 1 : 0;
}

}  // namespace

int main(int argc, char** argv) {
  const std::string usage =
      "usage: refsim-viz-check image SHOT.png --size WxH [--layout CSV --expect "
      "ID=saturated|idle|held|closed|closed-by-change ... --countries N]\n"
      "       refsim-viz-check labels A.png B.png --layout CSV --expect ID=changed|unchanged ...\n"
      "       refsim-viz-check same A.png B.png | differ A.png B.png\n";
  if (argc < 2) {
    std::fputs(usage.c_str(), stderr);
    return 2;
  }
  const std::string mode = argv[1];
  int rc = 2;
  if (mode == "image") rc = check_image(argc, argv);
  if (mode == "labels") rc = check_labels(argc, argv);
  if ((mode == "same" || mode == "differ") && argc == 4) rc = compare(argv[2], argv[3], mode == "same");
  if (rc == 2) std::fputs(usage.c_str(), stderr);
  return rc;
}
