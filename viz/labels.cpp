#include "viz/labels.hpp"

#include <algorithm>
#include <array>
#include <utility>

namespace refsim::viz {

namespace {

constexpr std::string_view kEllipsis = "…";

/// Known words and phrases and their short forms, tried in this order while a label is too long.
constexpr std::array<std::pair<std::string_view, std::string_view>, 34> kAbbreviations{{
    {"reasonable-grounds", "RG"},
    {"reasonable grounds", "RG"},
    {"Reasonable grounds", "RG"},
    {"conclusive-grounds", "CG"},
    {"conclusive grounds", "CG"},
    {"Conclusive grounds", "CG"},
    {"Competent authority", "Comp. authority"},
    {"competent authority", "comp. authority"},
    {"and", "&"},
    {"psychological", "psych."},
    {"psycho-social", "psychosoc."},
    {"interpretation", "interp."},
    {"International", "Intl."},
    {"international", "intl."},
    {"Organization", "Org."},
    {"Organisation", "Org."},
    {"organization", "org."},
    {"organisation", "org."},
    {"Department", "Dept."},
    {"department", "dept."},
    {"Ministry", "Min."},
    {"Government", "Govt."},
    {"government", "govt."},
    {"National", "Natl."},
    {"national", "natl."},
    {"Multidisciplinary", "Multidisc."},
    {"multidisciplinary", "multidisc."},
    {"Specialised", "Spec."},
    {"specialised", "spec."},
    {"Specialized", "Spec."},
    {"specialized", "spec."},
    {"services", "serv."},
    {"decisions", "dec."},
    {"Investigation", "Invest."},
}};

bool word_char(char c) { return c != ' ' && c != ',' && c != ':' && c != ';' && c != '/' && c != '(' && c != ')'; }

/// Replaces whole-word occurrences of `from` in s by `to`.
std::string replace_words(const std::string& s, std::string_view from, std::string_view to) {
  std::string out;
  std::size_t i = 0;
  while (i < s.size()) {
    const std::size_t at = s.find(from, i);
    if (at == std::string::npos) break;
    const std::size_t end = at + from.size();
    const bool starts = at == 0 || !word_char(s[at - 1]);
    const bool ends = end == s.size() || !word_char(s[end]);
    out.append(s, i, at - i);
    if (starts && ends) {
      out += to;
    } else {
      out.append(s, at, from.size());
    }
    i = end;
  }
  out.append(s, std::min(i, s.size()), std::string::npos);
  return out;
}

/// Spaces collapsed and trimmed; no space before ',', ':' or ';'; no trailing ',', ':' or ';'.
std::string tidy(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == ' ' && (out.empty() || out.back() == ' ')) continue;
    if ((c == ',' || c == ':' || c == ';') && !out.empty() && out.back() == ' ') out.pop_back();
    out += c;
  }
  while (!out.empty() && (out.back() == ' ' || out.back() == ',' || out.back() == ':' || out.back() == ';'))
    out.pop_back();
  return out;
}

std::string without_parentheticals(const std::string& s) {
  std::string out;
  int depth = 0;
  for (char c : s) {
    if (c == '(') {
      ++depth;
    } else if (c == ')' && depth > 0) {
      --depth;
    } else if (depth == 0) {
      out += c;
    }
  }
  return tidy(out);
}

bool fits(const std::string& s, std::size_t columns, std::size_t max_lines) {
  const std::vector<std::string> lines = wrap_label(s, columns, max_lines + 1);
  if (lines.size() > max_lines) return false;
  return std::none_of(lines.begin(), lines.end(), [&](const std::string& l) { return code_points(l) > columns; });
}

/// The first `n` code points of s.
std::string prefix(const std::string& s, std::size_t n) {
  std::size_t i = 0, seen = 0;
  while (i < s.size() && seen < n) {
    ++i;
    while (i < s.size() && (static_cast<unsigned char>(s[i]) & 0xC0) == 0x80) ++i;
    ++seen;
  }
  return s.substr(0, i);
}

bool overlaps(const LabelRect& a, const LabelRect& b) {
  return std::min(a.x1, b.x1) > std::max(a.x0, b.x0) && std::min(a.y1, b.y1) > std::max(a.y0, b.y0);
}

bool overlaps(const LabelRect& a, const DiscMark& d) {
  const float nx = std::clamp(d.x, a.x0, a.x1), ny = std::clamp(d.y, a.y0, a.y1);
  const float dx = d.x - nx, dy = d.y - ny;
  return dx * dx + dy * dy < d.r * d.r;
}

}  // namespace

std::size_t code_points(std::string_view s) {
  return static_cast<std::size_t>(
      std::count_if(s.begin(), s.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; }));
}

std::vector<std::string> wrap_label(std::string_view text, std::size_t columns, std::size_t max_lines) {
  std::vector<std::string> lines;
  std::string line, word;
  bool cut = false;
  auto flush_word = [&] {
    if (word.empty()) return;
    if (code_points(word) > columns) {
      word = prefix(word, columns > 1 ? columns - 1 : 1) + std::string(kEllipsis);
    }
    if (!line.empty() && code_points(line) + 1 + code_points(word) > columns) {
      lines.push_back(line);
      line.clear();
    }
    line += (line.empty() ? "" : " ") + word;
    word.clear();
  };
  for (char c : text) {
    if (c == ' ') {
      flush_word();
    } else {
      word += c;
    }
  }
  flush_word();
  if (!line.empty()) lines.push_back(line);
  if (lines.size() > max_lines) {
    lines.resize(max_lines);
    cut = true;
  }
  if (cut && max_lines > 0) {
    std::string& last = lines.back();
    while (!last.empty() && code_points(last) + 1 > columns) last = prefix(last, code_points(last) - 1);
    while (!last.empty() && (last.back() == ' ' || last.back() == ',' || last.back() == ':')) last.pop_back();
    last += kEllipsis;
  }
  return lines;
}

std::string short_name(std::string_view name, const std::vector<std::string>& drop, std::size_t columns,
                       std::size_t max_lines) {
  std::string s = without_parentheticals(std::string(name));
  for (const std::string& d : drop) {
    if (d.empty()) continue;
    std::string t;
    for (std::size_t at = s.find(d), i = 0;; at = s.find(d, i)) {
      if (at == std::string::npos) {
        t.append(s, i, std::string::npos);
        break;
      }
      t.append(s, i, at - i);
      i = at + d.size();
    }
    s = tidy(t);
  }
  if (s.empty()) s = tidy(std::string(name));
  for (const auto& [from, to] : kAbbreviations) {
    if (fits(s, columns, max_lines)) break;
    s = tidy(replace_words(s, from, to));
  }
  return s;
}

namespace {

std::vector<std::string> words_of(const std::string& s) {
  std::vector<std::string> out;
  std::string w;
  for (char c : s) {
    if (c == ' ') {
      if (!w.empty()) out.push_back(w);
      w.clear();
    } else {
      w += c;
    }
  }
  if (!w.empty()) out.push_back(w);
  return out;
}

std::string joined(const std::vector<std::string>& words, std::size_t from, std::size_t to) {
  std::string out;
  for (std::size_t i = from; i < to; ++i) out += (out.empty() ? "" : " ") + words[i];
  return out;
}

}  // namespace

std::vector<std::vector<std::string>> agency_label_lines(const std::vector<std::string>& names,
                                                         const std::vector<std::string>& countries,
                                                         const std::vector<std::vector<std::string>>& drop,
                                                         std::size_t columns, std::size_t max_lines) {
  const std::size_t n = names.size();
  std::vector<std::string> shorts(n);
  std::vector<std::vector<std::string>> out(n);
  for (std::size_t i = 0; i < n; ++i) {
    shorts[i] = short_name(names[i], drop[i], columns, max_lines);
    out[i] = wrap_label(shorts[i], columns, max_lines);
  }
  const std::vector<std::vector<std::string>> first = out;
  for (std::size_t i = 0; i < n; ++i) {
    // The others whose label is the same as this one's though the names differ.
    std::vector<std::size_t> same{i};
    for (std::size_t j = 0; j < n; ++j)
      if (j != i && first[j] == first[i] && names[j] != names[i] && countries[j] == countries[i]) same.push_back(j);
    if (same.size() < 2) continue;
    // Words the short names of the group begin with alike; the rest tells them apart.
    std::vector<std::vector<std::string>> words;
    for (std::size_t k : same) words.push_back(words_of(shorts[k]));
    std::size_t common = 0;
    while (
        std::all_of(words.begin(), words.end(), [&](const std::vector<std::string>& w) { return common < w.size(); }) &&
        std::all_of(words.begin(), words.end(),
                    [&](const std::vector<std::string>& w) { return w[common] == words[0][common]; }))
      ++common;
    const std::vector<std::string>& mine = words[0];
    const std::string tail = joined(mine, common, mine.size());
    if (tail.empty()) continue;
    for (std::size_t head = common; head > 0; --head) {
      std::string text = joined(mine, 0, head) + std::string(kEllipsis) + " " + tail;
      if (head == common && common == mine.size()) break;
      const std::vector<std::string> lines = wrap_label(text, columns, max_lines + 1);
      const bool fits_all = lines.size() <= max_lines && std::none_of(lines.begin(), lines.end(), [&](const auto& l) {
                              return code_points(l) > columns;
                            });
      if (fits_all) {
        out[i] = lines;
        break;
      }
    }
  }
  return out;
}

std::string common_segment(const std::vector<std::string>& names) {
  if (names.size() < 2) return {};
  // Candidates: the segments of the first name.
  std::vector<std::string> stripped;
  for (const std::string& name : names) stripped.push_back(without_parentheticals(name));
  std::vector<std::string> candidates;
  for (const std::string& name : stripped) {
    for (std::size_t at = name.find(", "); at != std::string::npos; at = name.find(", ", at + 1)) {
      std::size_t end = name.find_first_of(",:(", at + 2);
      if (end == std::string::npos) end = name.size();
      std::string seg = name.substr(at, end - at);
      while (!seg.empty() && seg.back() == ' ') seg.pop_back();
      if (seg.size() > 2 && std::find(candidates.begin(), candidates.end(), seg) == candidates.end())
        candidates.push_back(seg);
    }
  }
  std::stable_sort(candidates.begin(), candidates.end(),
                   [](const std::string& a, const std::string& b) { return a.size() > b.size(); });
  std::string best;
  std::size_t best_count = 0;
  for (const std::string& c : candidates) {
    const auto count =
        static_cast<std::size_t>(std::count_if(stripped.begin(), stripped.end(), [&](const std::string& n) {
          const std::size_t at = n.find(c);
          if (at == std::string::npos) return false;
          const std::size_t end = at + c.size();
          return end == n.size() || !word_char(n[end]) || n[end] == ',';
        }));
    if (count > best_count) {
      best = c;
      best_count = count;
    }
  }
  return 2 * best_count >= names.size() ? best : std::string();
}

std::vector<LabelProblem> label_problems(const std::vector<LabelRect>& labels, const std::vector<bool>& shown,
                                         const std::vector<DiscMark>& discs, const LabelRect& canvas) {
  std::vector<LabelProblem> out;
  const std::size_t n = labels.size();
  for (std::size_t a = 0; a < n; ++a) {
    const auto id = static_cast<AgencyId>(a);
    if (!shown[a]) {
      out.push_back({LabelProblem::Kind::hidden, id, id});
      continue;
    }
    const LabelRect& r = labels[a];
    if (r.x0 < canvas.x0 || r.y0 < canvas.y0 || r.x1 > canvas.x1 || r.y1 > canvas.y1)
      out.push_back({LabelProblem::Kind::outside, id, id});
    for (std::size_t b = a + 1; b < n; ++b)
      if (shown[b] && overlaps(r, labels[b]))
        out.push_back({LabelProblem::Kind::overlaps_label, id, static_cast<AgencyId>(b)});
    for (std::size_t b = 0; b < discs.size(); ++b)
      if (overlaps(r, discs[b])) out.push_back({LabelProblem::Kind::overlaps_disc, id, static_cast<AgencyId>(b)});
  }
  return out;
}

std::string describe(const LabelProblem& p, const Scenario& s) {
  const std::string who = "label of '" + s.agencies[p.agency].id + "'";
  switch (p.kind) {
    case LabelProblem::Kind::outside: return who + " is not entirely inside the canvas";
    case LabelProblem::Kind::hidden: return who + " is not drawn";
    case LabelProblem::Kind::overlaps_label: return who + " overlaps the label of '" + s.agencies[p.other].id + "'";
    case LabelProblem::Kind::overlaps_disc: return who + " overlaps the disc of '" + s.agencies[p.other].id + "'";
  }
  return who;
}

}  // namespace refsim::viz
