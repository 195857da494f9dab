#include "viz/exercise_view.hpp"

#include <SFML/Graphics/RectangleShape.hpp>
#include <SFML/Graphics/Text.hpp>
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <vector>

#include "sim/model/units.hpp"

namespace refsim::viz {

namespace {

// Colours: those of render.cpp's panel, and an amber for decisions and the controller's note.
const sf::Color kColumn{236, 237, 240};
const sf::Color kRule{205, 208, 214};
const sf::Color kInk{33, 37, 41};
const sf::Color kMuted{104, 110, 118};
const sf::Color kFaint{150, 154, 160};
const sf::Color kCard{255, 255, 255};
const sf::Color kInfo{44, 90, 160};       // an information inject's strip, the next inject
const sf::Color kDecision{196, 120, 10};  // a decision point's strip, the countdown
const sf::Color kControllerBg{253, 240, 214};
const sf::Color kControllerInk{120, 70, 0};
const sf::Color kAlert{178, 24, 43};  // paused, waiting, time nearly out
const sf::Color kChosen{30, 120, 60};
const sf::Color kClockBg{255, 255, 255};
const sf::Color kFieldBg{255, 255, 255};
const sf::Color kBackground{247, 247, 244};

namespace size {
constexpr float kHeading = 11;
constexpr float kTitle = 16;
constexpr float kClock = 24;
constexpr float kClockNote = 11;
constexpr float kBody = 12.5f;
constexpr float kSynopsis = 14.5f;
constexpr float kSmall = 11;
constexpr float kRow = 12;
}  // namespace size

namespace col {
constexpr float kShare = 0.30f;  // of the window's width
constexpr float kMinWidth = 380;
constexpr float kMaxWidth = 500;
constexpr float kMargin = 14;
constexpr float kTop = 12;
constexpr float kGap = 8;
constexpr float kClockHeight = 66;
constexpr float kRowHeight = 18;
constexpr std::size_t kMaxRows = 8;  // MSEL rows shown; "+N more" below
constexpr float kCardPad = 10;
constexpr float kStrip = 4;
constexpr float kLead = 1.32f;  // line height per px of text size
constexpr float kBar = 6;
constexpr float kFieldHeight = 44;
constexpr float kKeysHeight = 52;
constexpr float kWarnBelow = 60;  // seconds left under which the countdown turns red
}  // namespace col

namespace player {
constexpr float kMargin = 28;
constexpr float kHeader = 92;
constexpr float kName = 30;
constexpr float kSub = 14;
constexpr float kClock = 30;
constexpr float kHeading = 13;
constexpr float kFigure = 40;
constexpr float kFigureLabel = 14;
constexpr float kBody = 16;
constexpr float kSynopsis = 19;
constexpr float kTile = 110;
constexpr float kRow = 26;
constexpr std::size_t kMaxReferrals = 6;
}  // namespace player

sf::String utf8(std::string_view s) { return sf::String::fromUtf8(s.begin(), s.end()); }

/// Text on a target: plain, fitted with "…", wrapped into lines.
class Pen {
 public:
  Pen(sf::RenderTarget& target, const Fonts& fonts) : target_(target), fonts_(fonts) {}
  float text(std::string_view s, float px, sf::Vector2f pos, sf::Color colour, bool bold = false,
             bool right = false) const {
    sf::Text t(utf8(s), bold ? fonts_.bold : fonts_.regular, static_cast<unsigned>(std::lround(px)));
    t.setFillColor(colour);
    const float w = t.getLocalBounds().width + t.getLocalBounds().left;
    t.setPosition(std::round(right ? pos.x - w : pos.x), std::round(pos.y));
    target_.draw(t);
    return w;
  }
  float width(std::string_view s, float px, bool bold = false) const {
    const sf::Text t(utf8(s), bold ? fonts_.bold : fonts_.regular, static_cast<unsigned>(std::lround(px)));
    return t.getLocalBounds().width + t.getLocalBounds().left;
  }
  std::string fit(const std::string& s, float px, float max_width, bool bold = false) const {
    if (width(s, px, bold) <= max_width) return s;
    const sf::String u = utf8(s);
    std::size_t n = u.getSize();
    while (n > 0) {
      const auto bytes = (u.substring(0, n) + sf::String(L"…")).toUtf8();
      std::string out(bytes.begin(), bytes.end());
      if (width(out, px, bold) <= max_width) return out;
      n = n * 9 / 10 == n ? n - 1 : n * 9 / 10;
    }
    return "…";
  }
  /// Lines of at most max_width, broken at spaces (a word too long is cut with "…").
  std::vector<std::string> wrap(const std::string& s, float px, float max_width, bool bold = false) const {
    std::vector<std::string> lines;
    std::string line, word;
    const auto flush_word = [&] {
      if (word.empty()) return;
      const std::string joined = line.empty() ? word : line + " " + word;
      if (width(joined, px, bold) <= max_width) {
        line = joined;
      } else {
        if (!line.empty()) lines.push_back(line);
        line = fit(word, px, max_width, bold);
      }
      word.clear();
    };
    for (char c : s) {
      if (c == ' ' || c == '\n') {
        flush_word();
        if (c == '\n') {
          lines.push_back(line);
          line.clear();
        }
      } else {
        word += c;
      }
    }
    flush_word();
    if (!line.empty()) lines.push_back(line);
    return lines;
  }
  /// Draws s wrapped in `max_width` from (x, y), at most `max_lines` lines (the last one with
  /// "…" when cut); returns the y below it.
  float paragraph(const std::string& s, float px, float x, float y, float max_width, sf::Color colour,
                  bool bold = false, std::size_t max_lines = 99) const {
    std::vector<std::string> lines = wrap(s, px, max_width, bold);
    if (lines.size() > max_lines) {
      lines.resize(max_lines);
      if (max_lines > 0) lines.back() = fit(lines.back() + " …………", px, max_width, bold);
    }
    for (const std::string& l : lines) {
      text(l, px, {x, y}, colour, bold);
      y += px * col::kLead;
    }
    return y;
  }
  sf::RenderTarget& target() const { return target_; }

 private:
  sf::RenderTarget& target_;
  const Fonts& fonts_;
};

void box(sf::RenderTarget& t, sf::FloatRect r, sf::Color fill, sf::Color edge = sf::Color::Transparent,
         float thickness = 0) {
  sf::RectangleShape s({r.width, r.height});
  s.setPosition(r.left, r.top);
  s.setFillColor(fill);
  if (thickness > 0) {
    s.setOutlineColor(edge);
    s.setOutlineThickness(thickness);
  }
  t.draw(s);
}

/// "Mon 09:00" and "day 854": the two parts of sim_clock(t).
std::pair<std::string, std::string> clock_parts(Time t) {
  const std::string c = sim_clock(t);  // "day 854 (Mon) 09:00"
  const auto open = c.find('('), close = c.find(')');
  if (open == std::string::npos || close == std::string::npos) return {c, ""};
  return {c.substr(open + 1, close - open - 1) + c.substr(close + 1), c.substr(0, open - 1)};
}

std::string agency_name(const Scenario& s, std::optional<AgencyId> a) {
  return a ? s.agencies[*a].name : std::string("everyone");
}

std::string when_text(const Inject& in, const Scenario& s) {
  if (in.at) return sim_clock(*in.at);
  return "when " + in.trigger->describe(s);
}

std::string per_week(double per_day) {
  char buf[32];
  std::snprintf(buf, sizeof buf, per_day * 7 < 10 ? "%.1f" : "%.0f", per_day * 7);
  return buf;
}

}  // namespace

ExerciseLayout ExerciseLayout::for_size(unsigned width, unsigned height) {
  const float w = static_cast<float>(width);
  const float cw = std::clamp(w * col::kShare, col::kMinWidth, col::kMaxWidth);
  ExerciseLayout l;
  // The graph, legend and panel of a window cw narrower, moved right by cw.
  l.screen = ScreenLayout::for_size(static_cast<unsigned>(std::max(w - cw, 1.0f)), height);
  for (sf::FloatRect* r : {&l.screen.graph, &l.screen.legend, &l.screen.panel}) r->left += cw;
  l.column = {0, 0, cw, static_cast<float>(height)};
  return l;
}

void draw_facilitator(sf::RenderTarget& target, const Fonts& fonts, sf::FloatRect area, const ExerciseSession& x,
                      const Simulation& sim, const ExerciseUi& xui, const UiState& ui) {
  const Pen pen(target, fonts);
  const Exercise& ex = x.exercise();
  const Scenario& s = x.scenario();
  const Director& d = x.director();
  box(target, area, kColumn);
  box(target, {area.left + area.width - 1, area.top, 1, area.height}, kRule);
  const float left = area.left + col::kMargin, right = area.left + area.width - col::kMargin;
  const float inner = right - left;
  float y = area.top + col::kTop;

  // Title.
  pen.text("EXERCISE — FACILITATOR VIEW", size::kHeading, {left, y}, kMuted, true);
  y += size::kHeading * 1.6f;
  y = pen.paragraph(ex.name, size::kTitle, left, y, inner, kInk, true, 2) + col::kGap / 2;

  // The two clocks, side by side.
  const float cw = (inner - col::kGap) / 2;
  const auto [hour, day] = clock_parts(sim.now());
  const sf::FloatRect sim_box{left, y, cw, col::kClockHeight},
      wall_box{left + cw + col::kGap, y, cw, col::kClockHeight};
  for (const sf::FloatRect& r : {sim_box, wall_box}) box(target, r, kClockBg, kRule, 1);
  pen.text("SIMULATED TIME", size::kSmall, {sim_box.left + 8, y + 5}, kMuted, true);
  pen.text(hour, size::kClock, {sim_box.left + 8, y + 20}, kInk, true);
  pen.text(day + " of " + std::to_string(static_cast<long>(std::ceil(s.run.horizon))), size::kClockNote,
           {sim_box.left + 8, y + 49}, kMuted);
  pen.text("EXERCISE TIME", size::kSmall, {wall_box.left + 8, y + 5}, kMuted, true);
  pen.text(wall_clock(d.wall_now()), size::kClock, {wall_box.left + 8, y + 20}, kInk, true);
  pen.text("h:mm:ss since the start", size::kClockNote, {wall_box.left + 8, y + 49}, kMuted);
  y += col::kClockHeight + col::kGap;

  // The run's state.
  std::string state;
  sf::Color state_colour = kInk;
  if (xui.over) {
    state = "EXERCISE OVER — horizon reached, log complete";
    state_colour = kChosen;
  } else if (x.pending_inject()) {
    state = "WAITING FOR A DECISION";
    state_colour = kAlert;
  } else if (xui.run_to_inject) {
    state = "RUNNING TO THE NEXT INJECT";
    state_colour = kInfo;
  } else if (ui.paused) {
    state = "PAUSED";
    state_colour = kAlert;
  } else {
    state = "RUNNING · " + speed_label(ui.speed);
  }
  pen.text(state, size::kBody, {left, y}, state_colour, true);
  if (!x.log_path().empty()) {
    pen.text(pen.fit("log " + x.log_path(), size::kSmall, inner * 0.45f), size::kSmall, {right, y + 1}, kFaint, false,
             true);
  }
  y += size::kBody * 1.8f;

  // The MSEL: fired (in the order fired), then the others in MSEL order, the next timed one marked.
  box(target, {left, y, inner, 1}, kRule);
  y += col::kGap / 2;
  pen.text("MSEL — CONTROLLER ONLY", size::kHeading, {left, y}, kMuted, true);
  pen.text(std::to_string(d.fired().size()) + " of " + std::to_string(ex.injects.size()) + " fired", size::kSmall,
           {right, y}, kMuted, false, true);
  y += size::kHeading * 1.7f;
  struct Row {
    std::string mark, id, when, to;
    sf::Color colour;
    bool bold;
  };
  std::vector<Row> rows;
  for (const FiredInject& f : d.fired()) {
    const Inject& in = ex.injects[f.inject];
    std::string decision;
    if (in.is_decision()) decision = f.option ? " → " + in.options[*f.option].id : " → deciding…";
    rows.push_back({"✓", in.id, sim_clock(f.at) + decision, agency_name(s, in.to), kMuted, false});
  }
  const auto next = d.next_timed();
  for (std::size_t i = 0; i < ex.injects.size(); ++i) {
    if (d.has_fired(i)) continue;
    const Inject& in = ex.injects[i];
    const bool is_next = next && *next == i;
    rows.push_back({is_next ? "▶" : (in.trigger ? "◇" : "○"), in.id, (is_next ? "next · " : "") + when_text(in, s),
                    agency_name(s, in.to), is_next ? kInfo : kInk, is_next});
  }
  // Two lines a row: the mark, the inject and whom it is for; then when (and the decision).
  std::size_t shown = 0;
  for (const Row& r : rows) {
    if (shown == col::kMaxRows && rows.size() > col::kMaxRows + 1) break;
    pen.text(r.mark, size::kRow, {left, y}, r.colour, true);
    const float id_w =
        pen.text(pen.fit(r.id, size::kRow, inner * 0.5f, true), size::kRow, {left + 18, y}, r.colour, true);
    pen.text(pen.fit("→ " + r.to, size::kRow, inner - 18 - id_w - 12), size::kRow, {right, y}, kMuted, false, true);
    y += col::kRowHeight - 2;
    pen.text(pen.fit(r.when, size::kSmall, inner - 18, r.bold), size::kSmall, {left + 18, y}, r.bold ? kInfo : kMuted,
             r.bold);
    y += col::kRowHeight;
    ++shown;
  }
  if (shown < rows.size()) {
    pen.text("+" + std::to_string(rows.size() - shown) + " more", size::kSmall, {left + 18, y}, kFaint);
    y += col::kRowHeight;
  }
  pen.text("✓ fired   ▶ next by time   ○ timed   ◇ when its trigger first holds", size::kSmall, {left, y + 2}, kFaint);
  y += col::kRowHeight + col::kGap / 2;

  // The bottom: notes field and keys; the card fills what is between.
  const float keys_top = area.top + area.height - col::kKeysHeight;
  const float field_top = keys_top - col::kFieldHeight - col::kGap - size::kSmall * 1.6f;
  {
    float fy = field_top;
    pen.text("NOTES", size::kHeading, {left, fy}, kMuted, true);
    if (!xui.message.empty()) {
      pen.text(pen.fit(xui.message, size::kSmall, inner - 60), size::kSmall, {right, fy}, kChosen, false, true);
    }
    fy += size::kSmall * 1.6f;
    box(target, {left, fy, inner, col::kFieldHeight}, kFieldBg, xui.typing ? kInfo : kRule, xui.typing ? 2.0f : 1.0f);
    if (xui.typing) {
      const std::string shown_text = xui.note + "|";
      // The end of a long note stays in view.
      std::string tail = shown_text;
      while (pen.width(tail, size::kBody) > inner - 16 && tail.size() > 1) {
        std::size_t cut = 1;
        while (cut < tail.size() && (static_cast<unsigned char>(tail[cut]) & 0xC0) == 0x80) ++cut;
        tail.erase(0, cut);
      }
      pen.text(tail, size::kBody, {left + 8, fy + 6}, kInk);
      pen.text("Enter logs the note · Esc cancels", size::kSmall, {left + 8, fy + 26}, kMuted);
    } else {
      std::string about;
      if (xui.card) {
        const Inject& in = ex.injects[d.fired()[*xui.card].inject];
        if (in.objective) about = " (objective " + *in.objective + ")";
      }
      pen.text(pen.fit("T: type a note for the log" + about, size::kBody, inner - 16), size::kBody, {left + 8, fy + 6},
               kMuted);
      pen.text("logged with both clocks", size::kSmall, {left + 8, fy + 26}, kFaint);
    }
  }
  {
    box(target, {left, keys_top - 4, inner, 1}, kRule);
    pen.paragraph(
        "Space pause/resume · J run to the next inject · 1–9 decide · T note · N step 1 h, Shift+N 1 d · "
        "+ − speed · A D C change the selected agency · Q quit · R (restart) is off in an exercise: its "
        "log must replay",
        size::kSmall, left, keys_top + 2, inner, kMuted, false, 3);
  }

  // The inject card.
  const float card_bottom = field_top - col::kGap;
  if (!xui.card) {
    pen.paragraph(d.fired().empty() ? "No inject has fired yet. Space runs the story; J runs to the next inject." : "",
                  size::kBody, left, y + 4, inner, kMuted);
    return;
  }
  const FiredInject& f = d.fired()[*xui.card];
  const Inject& in = ex.injects[f.inject];
  const sf::FloatRect card{left, y, inner, card_bottom - y};
  box(target, card, kCard, kRule, 1);
  box(target, {card.left, card.top, col::kStrip, card.height}, in.is_decision() ? kDecision : kInfo);
  const float cl = card.left + col::kCardPad + col::kStrip, cr = card.left + card.width - col::kCardPad;
  const float cin = cr - cl;
  float cy = card.top + col::kCardPad;
  const auto room = [&](float px) {  // lines of px that fit above the card's bottom
    const float left_px = card_bottom - col::kCardPad - cy;
    return left_px <= 0 ? std::size_t{0} : static_cast<std::size_t>(left_px / (px * col::kLead));
  };
  pen.text((in.is_decision() ? "DECISION POINT  " : "INJECT  ") + in.id, size::kTitle, {cl, cy},
           in.is_decision() ? kDecision : kInfo, true);
  cy += size::kTitle * 1.5f;
  pen.text(pen.fit("fired " + sim_clock(f.at) + " · exercise " + wall_clock(f.wall) +
                       (in.at ? "" : " · trigger: " + in.trigger->describe(s)),
                   size::kSmall, cin),
           size::kSmall, {cl, cy}, kMuted);
  cy += size::kSmall * 1.6f;
  cy = pen.paragraph("From " + (in.from.empty() ? std::string("—") : in.from) + "  →  " + agency_name(s, in.to),
                     size::kBody, cl, cy, cin, kInk, true, std::min<std::size_t>(2, room(size::kBody)));
  if (!in.delivery.empty()) {
    cy = pen.paragraph("Delivery: " + in.delivery, size::kBody, cl, cy, cin, kMuted, false,
                       std::min<std::size_t>(1, room(size::kBody)));
  }
  cy += 4;
  cy = pen.paragraph(in.synopsis, size::kSynopsis, cl, cy, cin, kInk, false,
                     std::min<std::size_t>(5, room(size::kSynopsis)));
  cy += 6;
  if (!in.expected_action.empty() && room(size::kBody) > 1) {
    pen.text("EXPECTED ACTION", size::kSmall, {cl, cy}, kMuted, true);
    cy += size::kSmall * 1.4f;
    cy = pen.paragraph(in.expected_action, size::kBody, cl, cy, cin, kInk, false,
                       std::min<std::size_t>(3, room(size::kBody)));
  }
  if (in.objective && room(size::kBody) > 1) {
    cy += 4;
    const Objective* o = ex.find_objective(*in.objective);
    pen.text("OBJECTIVE", size::kSmall, {cl, cy}, kMuted, true);
    cy += size::kSmall * 1.4f;
    cy = pen.paragraph(*in.objective + (o ? " — " + o->text : std::string()), size::kBody, cl, cy, cin, kInk, false,
                       std::min<std::size_t>(2, room(size::kBody)));
  }
  if (!in.controller_note.empty() && room(size::kBody) > 2) {
    cy += 4;
    const std::vector<std::string> lines = pen.wrap(in.controller_note, size::kBody, cin - 12);
    const std::size_t n = std::min<std::size_t>({lines.size(), 3, room(size::kBody) - 2});
    const float h = size::kSmall * 1.5f + static_cast<float>(n) * size::kBody * col::kLead + 8;
    box(target, {cl, cy, cin, h}, kControllerBg, kDecision, 1);
    pen.text("CONTROLLER ONLY — not for players", size::kSmall, {cl + 6, cy + 4}, kControllerInk, true);
    pen.paragraph(in.controller_note, size::kBody, cl + 6, cy + 4 + size::kSmall * 1.5f, cin - 12, kControllerInk,
                  false, n);
    cy += h + 6;
  }
  // The time allowed, counting down in exercise time while the decision waits.
  if (in.time_allowed > 0 && room(size::kBody) > 1) {
    cy += 6;
    const double allowed = in.time_allowed * 86400;
    const double used = f.option ? f.decided_wall - f.wall : d.wall_now() - f.wall;
    const double left_s = allowed - used;
    std::string t = "Time allowed " + countdown(allowed);
    if (f.option || !in.is_decision()) {
      t += in.is_decision() ? " · decided after " + countdown(used) : " · for the discussion";
    } else {
      t += " · left " + countdown(left_s);
    }
    const bool warn = !f.option && in.is_decision() && left_s < col::kWarnBelow;
    pen.text(t, size::kBody, {cl, cy}, warn ? kAlert : kInk, true);
    cy += size::kBody * 1.5f;
    if (in.is_decision() && !f.option) {
      const float share = static_cast<float>(std::clamp(left_s / allowed, 0.0, 1.0));
      box(target, {cl, cy, cin, col::kBar}, kRule);
      box(target, {cl, cy, cin * share, col::kBar}, warn ? kAlert : kDecision);
      cy += col::kBar + 6;
    }
  }
  // The options, with their keys; the choice once made.
  if (in.is_decision() && room(size::kBody) > 1) {
    pen.text(pen.fit(f.option ? "DECIDED (" + f.decided_by + ", " + sim_clock(f.decided_at) + ")"
                              : "OPTIONS — press 1–" + std::to_string(std::min<std::size_t>(in.options.size(), 9)) +
                                    "; the default when the time runs out",
                     size::kSmall, cin, true),
             size::kSmall, {cl, cy}, f.option ? kChosen : kDecision, true);
    cy += size::kSmall * 1.6f;
    for (std::size_t k = 0; k < in.options.size() && room(size::kBody) > 0; ++k) {
      const DecisionOption& o = in.options[k];
      const bool chosen = f.option && *f.option == k;
      const sf::Color c = f.option ? (chosen ? kChosen : kFaint) : kInk;
      const std::string key = k < 9 ? std::to_string(k + 1) : " ";
      if (chosen) box(target, {cl - 4, cy - 2, cin + 8, size::kBody * col::kLead * 2 + 2}, sf::Color{226, 242, 230});
      pen.text(chosen ? "✓" : key, size::kBody, {cl, cy}, c, true);
      const std::string label = o.text + (k == in.default_option ? "  (default)" : "");
      cy = pen.paragraph(label, size::kBody, cl + 20, cy, cin - 20, c, chosen,
                         std::min<std::size_t>(2, room(size::kBody)));
      cy += 3;
    }
  }
}

void draw_player(sf::RenderTarget& target, const Fonts& fonts, const ExerciseSession& x, const Simulation& sim,
                 AgencyId a, bool interactive) {
  const Pen pen(target, fonts);
  const Scenario& s = x.scenario();
  const Exercise& ex = x.exercise();
  const Engine& e = sim.engine();
  const LiveView& live = sim.live();
  const Agency& ag = s.agencies[a];
  const Time now = sim.now();
  const sf::Vector2u sz = target.getSize();
  const float w = static_cast<float>(sz.x), h = static_cast<float>(sz.y);
  target.clear(kBackground);

  // Header: the agency, the exercise, the simulated time.
  box(target, {0, 0, w, player::kHeader}, kCard);
  box(target, {0, player::kHeader, w, 1}, kRule);
  const float m = player::kMargin;
  const auto [hour, day] = clock_parts(now);
  const float clock_w = std::max(pen.width(hour, player::kClock, true), pen.width(day, player::kSub));
  pen.text(pen.fit(ag.name, player::kName, w - 3 * m - clock_w, true), player::kName, {m, 14}, kInk, true);
  pen.text(pen.fit("Player view · " + ex.name, player::kSub, w - 3 * m - clock_w), player::kSub, {m, 58}, kMuted);
  pen.text(hour, player::kClock, {w - m, 12}, kInk, true, true);
  pen.text(day, player::kSub, {w - m, 58}, kMuted, false, true);

  const float top = player::kHeader + m;
  const float left_w = (w - 3 * m) * 0.46f;
  const float rx = 2 * m + left_w, rw = w - rx - m;

  // Left: the agency now.
  float y = top;
  pen.text("YOUR AGENCY NOW", player::kHeading, {m, y}, kMuted, true);
  y += player::kHeading * 2;
  const float tile_w = (left_w - 2 * 12) / 3;
  const std::string unit = ag.residential ? "beds" : "staff";
  struct Tile {
    std::string value, label;
    sf::Color colour;
  };
  const std::uint32_t busy = e.busy(a), servers = e.servers(a);
  const std::vector<Tile> tiles{
      {std::to_string(e.queue_length(a)), "waiting", e.queue_length(a) > 0 ? kAlert : kInk},
      {ag.unlimited ? std::to_string(busy) : std::to_string(busy) + " / " + std::to_string(servers),
       ag.unlimited ? "in service (no limit)" : unit + " busy", kInk},
      {e.is_open(a) ? "open" : "CLOSED", live.held(a) ? std::to_string(live.held(a)) + " held" : "status",
       e.is_open(a) ? kChosen : kAlert},
  };
  for (std::size_t k = 0; k < tiles.size(); ++k) {
    const sf::FloatRect r{m + static_cast<float>(k) * (tile_w + 12), y, tile_w, player::kTile};
    box(target, r, kCard, kRule, 1);
    pen.text(pen.fit(tiles[k].value, player::kFigure, tile_w - 20, true), player::kFigure, {r.left + 12, r.top + 14},
             tiles[k].colour, true);
    pen.text(pen.fit(tiles[k].label, player::kFigureLabel, tile_w - 20), player::kFigureLabel,
             {r.left + 12, r.top + 72}, kMuted);
  }
  y += player::kTile + 14;
  if (!ag.unlimited && servers > 0) {
    const float share = std::min(1.0f, static_cast<float>(busy) / static_cast<float>(servers));
    box(target, {m, y, left_w, 10}, kRule);
    box(target, {m, y, left_w * share, 10}, share >= 1 ? kAlert : kInfo);
    y += 22;
  }
  pen.text("Arrivals " + per_week(live.arrival_rate(a, now)) + " a week, completed " +
               per_week(live.completion_rate(a, now)) + " a week (recently)",
           player::kBody, {m, y}, kInk);
  y += player::kRow;
  if (live.overflowed(a) + live.turned_away(a) > 0) {
    pen.text("When full since day 0: " + std::to_string(live.overflowed(a)) + " sent on to another agency, " +
                 std::to_string(live.turned_away(a)) + " turned away",
             player::kBody, {m, y}, kAlert);
    y += player::kRow;
  }
  y += player::kRow * 0.6f;

  // Referrals received and sent, busiest first, recent counts.
  struct Flow {
    std::string other;
    double rate;
  };
  std::vector<Flow> in_flows, out_flows;
  for (ReferralId r = 0; r < s.referrals.size(); ++r) {
    const Referral& ref = s.referrals[r];
    if (ref.to == a) in_flows.push_back({s.agencies[ref.from].name, live.referral_rate(r, now)});
    if (ref.from == a) out_flows.push_back({s.agencies[ref.to].name, live.referral_rate(r, now)});
  }
  const auto list = [&](const std::string& title, std::vector<Flow> flows, const char* dir) {
    pen.text(title, player::kHeading, {m, y}, kMuted, true);
    pen.text("a week, recently", player::kHeading, {m + left_w, y}, kFaint, false, true);
    y += player::kHeading * 1.9f;
    if (flows.empty()) {
      pen.text("none in this mechanism", player::kBody, {m, y}, kFaint);
      y += player::kRow;
    }
    std::stable_sort(flows.begin(), flows.end(), [](const Flow& p, const Flow& q) { return p.rate > q.rate; });
    for (std::size_t k = 0; k < flows.size() && k < player::kMaxReferrals; ++k) {
      const std::string n = per_week(flows[k].rate);
      pen.text(pen.fit(std::string(dir) + flows[k].other, player::kBody, left_w - 70), player::kBody, {m, y}, kInk);
      pen.text(n, player::kBody, {m + left_w, y}, kInk, true, true);
      y += player::kRow;
    }
    if (flows.size() > player::kMaxReferrals) {
      pen.text("+" + std::to_string(flows.size() - player::kMaxReferrals) + " more", player::kBody, {m, y}, kFaint);
      y += player::kRow;
    }
    y += player::kRow / 2;
  };
  list("REFERRALS YOU RECEIVE", in_flows, "from ");
  list("REFERRALS YOU SEND", out_flows, "to ");

  // Right: the messages (injects) addressed to this agency or to everyone, newest first.
  float ry = top;
  pen.text("MESSAGES TO YOU", player::kHeading, {rx, ry}, kMuted, true);
  ry += player::kHeading * 2;
  const std::vector<FiredInject>& fired = x.director().fired();
  std::size_t count = 0;
  for (std::size_t k = fired.size(); k-- > 0;) {
    const FiredInject& f = fired[k];
    const Inject& in = ex.injects[f.inject];
    if (in.to && *in.to != a) continue;
    ++count;
    const float bottom = h - m - (interactive ? 0 : 20);
    if (ry > bottom - 80) break;
    const std::vector<std::string> lines = pen.wrap(in.synopsis, player::kSynopsis, rw - 32);
    const std::size_t max_lines =
        static_cast<std::size_t>(std::max(1.0f, (bottom - ry - 70) / (player::kSynopsis * col::kLead)));
    const std::size_t n = std::min(lines.size(), max_lines);
    const bool decided = in.is_decision() && f.option;
    const float ch = 46 + static_cast<float>(n) * player::kSynopsis * col::kLead + (decided ? 30 : 10);
    box(target, {rx, ry, rw, ch}, kCard, count == 1 ? kInfo : kRule, count == 1 ? 2.0f : 1.0f);
    std::string head = sim_clock(f.at);
    if (!in.from.empty()) head += " · from " + in.from;
    if (!in.to) head += " · to everyone";
    pen.text(pen.fit(head, player::kBody, rw - 32, true), player::kBody, {rx + 16, ry + 12}, kInk, true);
    float ty = ry + 40;
    ty = pen.paragraph(in.synopsis, player::kSynopsis, rx + 16, ty, rw - 32, kInk, false, n);
    if (decided) {
      pen.text(pen.fit("Decided: " + in.options[*f.option].text, player::kBody, rw - 32), player::kBody,
               {rx + 16, ty + 4}, kChosen, true);
    }
    ry += ch + 14;
  }
  if (count == 0) pen.text("No messages yet.", player::kBody, {rx, ry}, kFaint);
  if (!interactive) {
    pen.text("refsim-viz · player view of " + ag.id, size::kSmall, {m, h - 22}, kFaint);
  }
}

}  // namespace refsim::viz
