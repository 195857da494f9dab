#pragma once
// Agency labels on the graph: the short name drawn under a disc (the full name is shown on hover
// and in the inspector) and the check that labels are legible — inside the canvas, clear of each
// other and of every disc. SFML-free: the renderer measures text and places the rectangles
// (render.hpp, agency_labels()); these functions only shorten names and compare rectangles.
//
//   const std::string s = short_name("Shelter, Thailand (NGO)", {", Thailand"}, 20, 2);  // "Shelter"
//   wrap_label(s, 20, 2);                                                               // {"Shelter"}
//
// Shortening is deterministic (no font, no locale): the same name always gives the same label.
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "sim/model/scenario.hpp"

namespace refsim::viz {

/// Code points in a UTF-8 string.
std::size_t code_points(std::string_view s);

/// Greedy word wrap at `columns` code points per line; a longer word gets its own line (cut with
/// "…" when longer than `columns`); at most `max_lines` lines, the last one ending in "…" when
/// words were left out.
std::vector<std::string> wrap_label(std::string_view text, std::size_t columns, std::size_t max_lines);

/// The label of an agency called `name`, to be wrapped into `max_lines` lines of `columns` code
/// points. In order, until it fits: (1) parentheticals go ("Return to Myanmar (IOM and consular
/// services)" → "Return to Myanmar"), and so does each of `drop` (e.g. ", Thailand" that every
/// agency of the Thai frame repeats), always — unless nothing would be left; (2) known words are
/// abbreviated ("Competent authority" → "Comp. authority", "reasonable-grounds" → "RG", "and" →
/// "&", …); (3) wrap_label() cuts the end with "…".
std::string short_name(std::string_view name, const std::vector<std::string>& drop, std::size_t columns,
                       std::size_t max_lines);

/// The labels of agencies called `names` in `countries` (drop[i]: as short_name()), wrapped.
/// Labels that would come out the same for different names in one country keep what tells them
/// apart: the words after the ones their short names begin with alike stay at the end, and the
/// ellipsis goes before them ("Woreda labour & social affairs… Oromia" beside "… Amhara"). In
/// different countries the same label is fine: the frames name the countries.
std::vector<std::vector<std::string>> agency_label_lines(const std::vector<std::string>& names,
                                                         const std::vector<std::string>& countries,
                                                         const std::vector<std::vector<std::string>>& drop,
                                                         std::size_t columns, std::size_t max_lines);

/// A segment ", Words" (up to the next ',', ':' or '(' or the end; parentheticals apart) of one of `names` that at
/// least half of them contain: the one most of them contain, then the longest; empty when there
/// are fewer than two names or none is shared so widely. (Its caller drops it from the labels of
/// a country frame, whose header names the country.)
std::string common_segment(const std::vector<std::string>& names);

/// A rectangle on screen, px: [x0, x1] × [y0, y1].
struct LabelRect {
  float x0 = 0, y0 = 0, x1 = 0, y1 = 0;
};
/// A disc on screen (with its ring), px.
struct DiscMark {
  float x = 0, y = 0, r = 0;
};

/// Why a label is not legible.
struct LabelProblem {
  enum class Kind { outside, hidden, overlaps_label, overlaps_disc } kind = Kind::outside;
  AgencyId agency = 0;  ///< whose label
  AgencyId other = 0;   ///< the other label's or disc's agency (overlaps only)
};

/// The problems of the labels `labels[a]` (shown[a] false: not drawn at all) against each other,
/// every disc (their own too) and the canvas; empty when all are legible. Touching is not
/// overlapping. Pairs in order of agency id.
std::vector<LabelProblem> label_problems(const std::vector<LabelRect>& labels, const std::vector<bool>& shown,
                                         const std::vector<DiscMark>& discs, const LabelRect& canvas);

/// "label of 'shelter' overlaps the disc of 'police'", for test output.
std::string describe(const LabelProblem& p, const Scenario& s);

}  // namespace refsim::viz
