// refsim-viz-check-hover: checks the box with an agency's full name that refsim-viz draws beside
// the pointer over a disc (render.hpp, hover_box()), in a saved window image.
//
//   refsim-viz-check-hover BEFORE.png AFTER.png X Y "FULL NAME" [FONT]
//
// X, Y: where the pointer was over the disc in AFTER (window px); BEFORE was saved with the
// pointer away from every disc. Passes when AFTER has a dark box starting right-below the pointer
// whose width is that of FULL NAME in bold 13 px plus the box's padding (to 2 px), with light
// text pixels inside it, and BEFORE has no such box there. Needs a display (the font's glyphs).
// Exit code 0 when it passes, 1 when not, 2 on bad usage.
#include <SFML/Graphics/Font.hpp>
#include <SFML/Graphics/Image.hpp>
#include <SFML/Graphics/Text.hpp>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <string>

namespace {

constexpr float kTextSize = 13;   // render.cpp: text_size::kHover
constexpr float kPad = 8;         // hover::kPad
constexpr float kPadY = 5;        // hover::kPadY
constexpr float kOffsetX = 14;    // hover::kOffsetX
constexpr float kOffsetY = 16;    // hover::kOffsetY
constexpr unsigned kDark = 80;    // a box pixel: every channel below this
constexpr unsigned kLight = 190;  // a text pixel: every channel above this

constexpr int kSame = 10;  // a box pixel: within this of the box's first pixel, per channel

bool dark(sf::Color c) { return c.r < kDark && c.g < kDark && c.b < kDark; }
bool light(sf::Color c) { return c.r > kLight && c.g > kLight && c.b > kLight; }
bool same(sf::Color a, sf::Color b) {
  return std::abs(a.r - b.r) <= kSame && std::abs(a.g - b.g) <= kSame && std::abs(a.b - b.b) <= kSame;
}

/// The run of pixels on row y from x rightwards of the colour of the first, when that is dark.
unsigned dark_run(const sf::Image& im, unsigned x, unsigned y) {
  const sf::Color first = im.getPixel(x, y);
  if (!dark(first)) return 0;
  unsigned n = 0;
  while (x + n < im.getSize().x && same(im.getPixel(x + n, y), first)) ++n;
  return n;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 6) {
    std::fputs("usage: refsim-viz-check-hover BEFORE.png AFTER.png X Y \"FULL NAME\" [FONT]\n", stderr);
    return 2;
  }
  sf::Image before, after;
  if (!before.loadFromFile(argv[1]) || !after.loadFromFile(argv[2])) return 2;
  const unsigned px = static_cast<unsigned>(std::atoi(argv[3])), py = static_cast<unsigned>(std::atoi(argv[4]));
  const std::string name = argv[5];
  const std::string font_file = argc > 6 ? argv[6] : "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf";
  sf::Font font;
  if (!font.loadFromFile(font_file)) return 2;
  const sf::Text t(sf::String::fromUtf8(name.begin(), name.end()), font, static_cast<unsigned>(kTextSize));
  const float want = std::round(t.getLocalBounds().width + t.getLocalBounds().left + 2 * kPad);

  // The box's top-left corner (not clamped: the test places the pointer away from the edges).
  const unsigned x0 = px + static_cast<unsigned>(kOffsetX), y0 = py + static_cast<unsigned>(kOffsetY);
  const unsigned row = y0 + 2;  // above the text
  const unsigned got = dark_run(after, x0, row), had = dark_run(before, x0, row);
  bool ok = true;
  std::printf("hover box at (%u, %u): %u px wide, the full name needs %.0f px\n", x0, y0, got, want);
  if (std::fabs(static_cast<float>(got) - want) > 2) {
    std::printf("FAILED: the box is not as wide as \"%s\"\n", name.c_str());
    ok = false;
  }
  unsigned text = 0;
  const unsigned box_h = static_cast<unsigned>(std::round(kTextSize * 1.3f + 2 * kPadY));
  for (unsigned y = y0; y < y0 + box_h && y < after.getSize().y; ++y)
    for (unsigned x = x0; x < x0 + got && x < after.getSize().x; ++x) text += light(after.getPixel(x, y)) ? 1 : 0;
  std::printf("light text pixels in it: %u\n", text);
  if (text < 10 * name.size() / 2) {
    std::printf("FAILED: too little text in the box\n");
    ok = false;
  }
  std::printf("before the pointer came: a dark run of %u px there\n", had);
  if (had + 2 >= got) {
    std::printf("FAILED: the box was there before the pointer came\n");
    ok = false;
  }
  return ok ? 0 : 1;
}
