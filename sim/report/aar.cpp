#include "sim/report/aar.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <set>
#include <sstream>
#include <stdexcept>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "sim/report/chartjs.hpp"
#include "sim/report/html.hpp"

namespace refsim {

namespace {

using Json = nlohmann::ordered_json;

// --- A small document model, rendered to Markdown and to HTML -----------------------------------
// The report is built once as blocks of styled text; the two renderers only differ in syntax, so
// both files always say the same thing.

struct Span {
  enum class Style : std::uint8_t { plain, strong, code, na };
  Style style = Style::plain;
  std::string text;
};
using Inline = std::vector<Span>;

Span plain(std::string t) { return {Span::Style::plain, std::move(t)}; }
Span strong(std::string t) { return {Span::Style::strong, std::move(t)}; }
Span code(std::string t) { return {Span::Style::code, std::move(t)}; }
Span na(std::string t) { return {Span::Style::na, std::move(t)}; }
Inline text(std::string t) { return {plain(std::move(t))}; }

/// One figure: the paired differences of one unit's indicators, one series per option not played.
struct Figure {
  std::string title;
  std::string axis;
  std::vector<std::string> rows;
  struct Series {
    std::string label;
    std::vector<std::optional<double>> mean, lo, hi;
    std::vector<bool> significant;
    std::vector<std::optional<std::uint32_t>> pairs;
    void resize(std::size_t n) {
      mean.resize(n);
      lo.resize(n);
      hi.resize(n);
      significant.resize(n, false);
      pairs.resize(n);
    }
  };
  std::vector<Series> series;
};

struct Block {
  enum class Kind : std::uint8_t { heading, paragraph, list, table, banner, figure };
  Kind kind = Kind::paragraph;
  int level = 2;                    ///< heading
  Inline content;                   ///< heading, paragraph, banner
  std::vector<Inline> items;        ///< list
  std::vector<std::string> header;  ///< table
  std::vector<bool> numeric;        ///< table: right-aligned columns
  std::vector<std::vector<Inline>> rows;
  std::string css;  ///< table, paragraph: an HTML class
  Figure figure;
};

class Doc {
 public:
  std::vector<Block> blocks;
  void heading(int level, Inline t) {
    Block b;
    b.kind = Block::Kind::heading;
    b.level = level;
    b.content = std::move(t);
    blocks.push_back(std::move(b));
  }
  void para(Inline t, std::string css = "") {
    Block b;
    b.kind = Block::Kind::paragraph;
    b.content = std::move(t);
    b.css = std::move(css);
    blocks.push_back(std::move(b));
  }
  void banner(Inline t) {
    Block b;
    b.kind = Block::Kind::banner;
    b.content = std::move(t);
    blocks.push_back(std::move(b));
  }
  void list(std::vector<Inline> items) {
    if (items.empty()) return;
    Block b;
    b.kind = Block::Kind::list;
    b.items = std::move(items);
    blocks.push_back(std::move(b));
  }
  void table(std::vector<std::string> header, std::vector<std::vector<Inline>> rows, std::vector<bool> numeric = {},
             std::string css = "") {
    Block b;
    b.kind = Block::Kind::table;
    numeric.resize(header.size(), false);
    b.header = std::move(header);
    b.numeric = std::move(numeric);
    b.rows = std::move(rows);
    b.css = std::move(css);
    blocks.push_back(std::move(b));
  }
  void figure(Figure f) {
    Block b;
    b.kind = Block::Kind::figure;
    b.figure = std::move(f);
    blocks.push_back(std::move(b));
  }
};

// --- Numbers and times ---------------------------------------------------------------------------

/// About three significant digits; whole numbers (counts) without decimals.
std::string aar_fmt(double v) {
  const double a = std::fabs(v);
  char buf[48];
  if (a >= 100 || (v == std::round(v) && a < 1e15)) {
    std::snprintf(buf, sizeof buf, "%.0f", v);
  } else if (a >= 10) {
    std::snprintf(buf, sizeof buf, "%.1f", v);
  } else if (a >= 0.1 || a == 0) {
    std::snprintf(buf, sizeof buf, "%.2f", v);
  } else {
    std::snprintf(buf, sizeof buf, "%.2g", v);
  }
  std::string s = buf;
  if (s.rfind("-0", 0) == 0 && s.find_first_not_of("-0.") == std::string::npos) s.erase(0, 1);
  return s;
}
std::string fmt_signed(double v) {
  std::string s = aar_fmt(v);
  return v > 0 && s.find_first_not_of("0.") != std::string::npos ? "+" + s : s;
}

/// A unit for people, and the factor from the analysis's values: shares become percentages.
struct Shown {
  double scale = 1;
  std::string unit, difference_unit;
};
Shown shown(const std::string& unit) {
  if (unit == "share") return {100, "%", "percentage points"};
  return {1, unit, unit};
}
std::string with_unit(const std::string& number, const std::string& unit) {
  if (unit.empty()) return number;
  return number + " " + unit;
}

constexpr const char* kWeekdays[] = {"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"};

/// "day 12, Sat 09:00": simulated time, t = 0 being Monday 00:00 of day 0 (work_calendar.hpp).
std::string sim_clock(Time t) {
  if (!std::isfinite(t)) return "n/a";
  long long minutes = std::llround(t * 1440);
  if (minutes < 0) minutes = 0;
  const long long day = minutes / 1440, in_day = minutes % 1440;
  char buf[80];
  std::snprintf(buf, sizeof buf, "day %lld, %s %02lld:%02lld", day, kWeekdays[day % 7], in_day / 60, in_day % 60);
  return buf;
}
/// Exercise wall time: "m:ss", or "h:mm:ss" from an hour on.
std::string wall_clock(double seconds) {
  if (!std::isfinite(seconds) || seconds < 0) return "n/a";
  const auto s = static_cast<long long>(std::floor(seconds));  // elapsed: 59.7 s is still 00:59
  char buf[64];
  if (s >= 3600) {
    std::snprintf(buf, sizeof buf, "%lld:%02lld:%02lld", s / 3600, (s / 60) % 60, s % 60);
  } else {
    std::snprintf(buf, sizeof buf, "%02lld:%02lld", s / 60, s % 60);
  }
  return buf;
}
std::string obs(std::uint64_t n) { return "n = " + std::to_string(n); }

// --- What the analysis refers to -----------------------------------------------------------------

class Context {
 public:
  explicit Context(const ExerciseAnalysis& a) : a_(a), x_(*a.exercise) {}
  const ExerciseAnalysis& a() const { return a_; }
  const Exercise& x() const { return x_; }
  const Scenario* s() const { return a_.scenario; }

  std::string agency(AgencyId id) const {
    if (s() && id < s()->agencies.size()) {
      const Agency& ag = s()->agencies[id];
      return ag.name.empty() ? ag.id : ag.name;
    }
    return "agency #" + std::to_string(id);
  }
  const Participant* participant(AgencyId id) const {
    for (const Participant& p : x_.participants) {
      if (p.agency == id) return &p;
    }
    return nullptr;
  }
  /// The organisation that plays agency `id`, else the agency's name.
  std::string organisation(AgencyId id) const {
    const Participant* p = participant(id);
    return p && !p->organisation.empty() ? p->organisation : agency(id);
  }
  const Inject* inject(std::size_t i) const { return i < x_.injects.size() ? &x_.injects[i] : nullptr; }
  std::string inject_id(std::size_t i) const {
    const Inject* in = inject(i);
    return in ? in->id : "#" + std::to_string(i);
  }
  const DecisionOption* option(const Inject& in, const std::string& id) const {
    for (const DecisionOption& o : in.options) {
      if (o.id == id) return &o;
    }
    return nullptr;
  }
  std::string when(const Inject& in) const {
    if (in.at) return "scheduled at " + sim_clock(*in.at);
    if (in.trigger) return "triggered: " + (s() ? in.trigger->describe(*s()) : std::string("a condition"));
    return "";
  }
  std::string capability(const std::string& objective) const {
    const Objective* o = x_.find_objective(objective);
    return o ? o->capability : "";
  }
  /// The index in a.fired of the inject during which something at wall time `wall` happened: the
  /// last one fired at or before it (none before the first).
  std::optional<std::size_t> fired_during(double wall) const {
    std::optional<std::size_t> found;
    for (std::size_t k = 0; k < a_.fired.size(); ++k) {
      if (a_.fired[k].wall <= wall) found = k;
    }
    return found;
  }
  const FiredInject* fired_of(std::size_t inject) const {
    for (const FiredInject& f : a_.fired) {
      if (f.inject == inject) return &f;
    }
    return nullptr;
  }

 private:
  const ExerciseAnalysis& a_;
  const Exercise& x_;
};

/// A value cell: "12.3 days", or "n/a: why".
Inline value_cell(const IndicatorValue& v) {
  const Shown u = shown(v.unit);
  if (!v.value || !std::isfinite(*v.value))
    return {na("n/a: " + (v.not_applicable.empty() ? "no value" : v.not_applicable))};
  return text(with_unit(aar_fmt(*v.value * u.scale), u.unit));
}
/// A value with its observations: "12.3 days (n = 40)".
Inline value_n_cell(const IndicatorValue& v) {
  Inline c = value_cell(v);
  c.push_back(plain(" (" + obs(v.observations) + ")"));
  return c;
}
std::string indicator_label(const IndicatorValue& v) { return v.label.empty() ? v.name : v.label; }

/// Whether the difference's interval excludes 0 (the interval decides when it is there).
bool significant(const OptionDifference& d) {
  if (d.ci_low && d.ci_high) return !(*d.ci_low <= 0 && *d.ci_high >= 0);
  return d.significant;
}

// --- The sections --------------------------------------------------------------------------------

void overview(Doc& d, const Context& c) {
  const Exercise& x = c.x();
  const ExerciseAnalysis& a = c.a();
  d.heading(2, text("Exercise overview"));
  std::vector<std::vector<Inline>> rows;
  auto row = [&](const std::string& k, Inline v) { rows.push_back({text(k), std::move(v)}); };
  row("Exercise name", text(x.name));
  std::string dates = x.start_date.empty() ? "not stated" : x.start_date;
  if (!x.end_date.empty() && x.end_date != x.start_date) dates += " to " + x.end_date;
  row("Dates", text(dates));
  row("Scope", x.description.empty() ? Inline{na("not stated")} : text(x.description));
  std::set<std::string> seen;
  std::string caps;
  for (const Objective& o : x.objectives) {
    if (o.capability.empty() || !seen.insert(o.capability).second) continue;
    caps += (caps.empty() ? "" : "; ") + o.capability;
  }
  row("Capabilities", caps.empty() ? Inline{na("none named")} : text(caps));
  Inline scen;
  if (c.s()) scen.push_back(plain(c.s()->name + " "));
  scen.push_back(code(c.s() && !c.s()->file.empty() ? c.s()->file : x.scenario_file));
  row("Scenario", scen);
  row("Exercise file", {code(x.file)});
  row("Sponsor", x.sponsor.empty() ? Inline{na("not stated")} : text(x.sponsor));
  row("Simulated story",
      text("from " + sim_clock(0) + " to the horizon, " + sim_clock(x.horizon) + "; seed " + std::to_string(a.seed)));
  row("Exercise reached",
      text(sim_clock(a.ended_at) + (a.complete ? " (the log is complete)" : " (the log is incomplete)")));
  row("Replications behind each paired difference", text(std::to_string(a.replications)));
  d.table({"", ""}, std::move(rows), {}, "meta");

  d.heading(3, text("Objectives"));
  if (x.objectives.empty()) {
    d.para({na("The exercise states no objectives.")});
  } else {
    std::vector<std::vector<Inline>> o_rows;
    for (const Objective& o : x.objectives) {
      Inline measured;
      if (o.deadline && c.s() && *o.deadline < c.s()->deadlines.size()) {
        const Deadline& dl = c.s()->deadlines[*o.deadline];
        measured = {plain("compliance with deadline "), code(dl.id), plain(" (" + dl.describe_limit() + ")")};
      } else {
        measured = {na("no deadline: the notes only")};
      }
      o_rows.push_back({{code(o.id)}, text(o.text), text(o.capability), measured});
    }
    d.table({"Objective", "Text", "Capability", "Measured by"}, std::move(o_rows));
  }

  d.heading(3, text("Participating organisations"));
  if (x.participants.empty()) {
    d.para({na("The exercise names no participating organisation.")});
  } else {
    std::vector<std::vector<Inline>> p_rows;
    for (const Participant& p : x.participants) {
      p_rows.push_back({text(p.organisation.empty() ? c.agency(p.agency) : p.organisation), text(c.agency(p.agency)),
                        p.contact.empty() ? Inline{na("not stated")} : text(p.contact)});
    }
    d.table({"Organisation", "Agency played", "Point of contact"}, std::move(p_rows));
  }
}

void timeline(Doc& d, const Context& c) {
  const ExerciseAnalysis& a = c.a();
  d.heading(2, text("Timeline of injects and decisions"));
  d.para(text("Simulated time is the story's clock (day 0 is a Monday); exercise time is the wall clock from the "
              "start of the exercise (minutes:seconds, or hours:minutes:seconds)."),
         "caption");
  struct Entry {
    Time sim;
    double wall;
    int order;
    std::vector<Inline> cells;
  };
  std::vector<Entry> entries;
  int order = 0;
  for (const FiredInject& f : a.fired) {
    const Inject* in = c.inject(f.inject);
    Inline what = {strong("Inject "), code(c.inject_id(f.inject))};
    Inline detail;
    if (in) {
      detail.push_back(plain(in->synopsis));
      std::string meta;
      if (!in->from.empty()) meta += "from " + in->from;
      meta += std::string(meta.empty() ? "" : ", ") + "to " + (in->to ? c.organisation(*in->to) : "all players");
      if (!in->delivery.empty()) meta += ", by " + in->delivery;
      const std::string when = c.when(*in);
      if (!when.empty()) meta += "; " + when;
      detail.push_back(plain(" (" + meta + ")"));
    }
    entries.push_back({f.at, f.wall, order++, {text(sim_clock(f.at)), text(wall_clock(f.wall)), what, detail}});
    if (f.option && in) {
      Inline dwhat = {strong("Decision "), code(c.inject_id(f.inject))};
      Inline ddetail;
      if (*f.option < in->options.size()) {
        const DecisionOption& o = in->options[*f.option];
        ddetail = {code(o.id), plain(" " + o.text)};
      } else {
        ddetail = {na("option #" + std::to_string(*f.option))};
      }
      ddetail.push_back(plain(" (decided by " + (f.decided_by.empty() ? std::string("?") : f.decided_by) + ")"));
      entries.push_back({f.decided_at,
                         f.decided_wall,
                         order++,
                         {text(sim_clock(f.decided_at)), text(wall_clock(f.decided_wall)), dwhat, ddetail}});
    } else if (in && in->is_decision()) {
      entries.push_back({f.at,
                         f.wall,
                         order++,
                         {text(sim_clock(f.at)),
                          text(wall_clock(f.wall)),
                          {strong("Decision "), code(in->id)},
                          {na("not taken: the log ends before it")}}});
    }
  }
  for (const LogRecord& r : a.log) {
    if (r.kind != LogRecord::Kind::change) continue;
    Inline detail = text(r.text + (r.by.empty() ? "" : " (" + r.by + ")"));
    if (!r.refused.empty()) detail.push_back(na(" refused: " + r.refused));
    entries.push_back(
        {r.sim, r.wall, order++, {text(sim_clock(r.sim)), text(wall_clock(r.wall)), {strong("Change")}, detail}});
  }
  std::stable_sort(entries.begin(), entries.end(), [](const Entry& l, const Entry& r) {
    if (l.sim != r.sim) return l.sim < r.sim;
    return l.order < r.order;
  });
  std::vector<std::vector<Inline>> rows;
  for (Entry& e : entries) rows.push_back(std::move(e.cells));
  const double end_wall = a.log.empty() ? 0 : a.log.back().wall;
  rows.push_back({text(sim_clock(a.ended_at)),
                  text(a.log.empty() ? "n/a" : wall_clock(end_wall)),
                  {strong("End")},
                  a.complete ? text("The exercise ended.")
                             : Inline{na("The log ends here: the program was stopped before the end.")}});
  d.table({"Simulated time", "Exercise time", "Event", "Detail"}, std::move(rows));
  std::vector<Inline> pending;
  for (std::size_t i = 0; i < c.x().injects.size(); ++i) {
    if (!c.fired_of(i)) pending.push_back({code(c.x().injects[i].id), plain(" " + c.x().injects[i].synopsis)});
  }
  if (!pending.empty()) {
    d.para(text("Injects of the MSEL that never fired (not reached, or their trigger never held):"));
    d.list(std::move(pending));
  }
}

/// A note as a list item: "[category] author (day …, mm:ss): text".
Inline note_item(const LogRecord& n) {
  Inline item;
  const std::string cat = n.category.empty() ? "observation" : n.category;
  item.push_back(strong(cat));
  item.push_back(plain(" — " + (n.by.empty() ? std::string("unnamed") : n.by) + ", " + sim_clock(n.sim) + ", " +
                       wall_clock(n.wall) + ": "));
  item.push_back(plain(n.text));
  if (!n.objective.empty()) {
    item.push_back(plain(" (objective "));
    item.push_back(code(n.objective));
    item.push_back(plain(")"));
  }
  return item;
}

void expected_versus_recorded(Doc& d, const Context& c) {
  const ExerciseAnalysis& a = c.a();
  d.heading(2, text("Expected versus recorded actions"));
  d.para(text("For each inject of the MSEL: what the players were expected to do, and what was recorded — the "
              "decision taken and by whom, and the notes logged while the inject was in play (until the next inject "
              "fired). Controller notes were for the controllers only and never shown to the players."),
         "caption");
  // The notes during each fired inject.
  std::map<std::size_t, std::vector<const LogRecord*>> during;
  std::vector<const LogRecord*> before_any;
  for (const LogRecord& n : a.notes) {
    if (const auto k = c.fired_during(n.wall)) {
      during[a.fired[*k].inject].push_back(&n);
    } else {
      before_any.push_back(&n);
    }
  }
  for (std::size_t i = 0; i < c.x().injects.size(); ++i) {
    const Inject& in = c.x().injects[i];
    d.heading(3, {plain("Inject "), code(in.id), plain(": " + in.synopsis)});
    std::vector<Inline> items;
    Inline to = {strong("To: "), plain(in.to ? c.organisation(*in.to) : "all players")};
    if (!in.from.empty()) to.push_back(plain("; from: " + in.from));
    if (!in.delivery.empty()) to.push_back(plain("; delivery: " + in.delivery));
    if (in.objective) {
      to.push_back(plain("; objective: "));
      to.push_back(code(*in.objective));
    }
    items.push_back(std::move(to));
    items.push_back({strong("Expected action: "),
                     in.expected_action.empty() ? na("not stated in the MSEL") : plain(in.expected_action)});
    const FiredInject* f = c.fired_of(i);
    if (!f) {
      items.push_back({strong("Recorded: "), na("the inject never fired (not reached, or its trigger never held)")});
    } else {
      items.push_back({strong("Fired: "), plain(sim_clock(f->at) + ", exercise time " + wall_clock(f->wall))});
      if (in.is_decision()) {
        if (f->option && *f->option < in.options.size()) {
          const DecisionOption& o = in.options[*f->option];
          items.push_back({strong("Decision recorded: "), code(o.id),
                           plain(" " + o.text + " — decided by " + f->decided_by + " at " + sim_clock(f->decided_at) +
                                 ", exercise time " + wall_clock(f->decided_wall))});
        } else {
          items.push_back({strong("Decision recorded: "), na("none: the log ends before the decision")});
        }
      }
      const auto it = during.find(i);
      if (it == during.end()) {
        items.push_back({strong("Notes logged: "), na("none")});
      }
    }
    if (!in.controller_note.empty()) {
      items.push_back(
          {strong("Controller note (controllers only, not shown to players): "), plain(in.controller_note)});
    }
    d.list(std::move(items));
    if (const auto it = during.find(i); it != during.end()) {
      d.para({strong("Notes logged during this inject:")});
      std::vector<Inline> notes;
      for (const LogRecord* n : it->second) notes.push_back(note_item(*n));
      d.list(std::move(notes));
    }
  }
  if (!before_any.empty()) {
    d.heading(3, text("Notes logged before the first inject"));
    std::vector<Inline> notes;
    for (const LogRecord* n : before_any) notes.push_back(note_item(*n));
    d.list(std::move(notes));
  }
}

void decisions(Doc& d, const Context& c) {
  const ExerciseAnalysis& a = c.a();
  d.heading(2, text("Decisions: the indicators before and after, and the options not taken"));
  if (a.decisions.empty()) {
    d.para({na("No decision was taken in this exercise (no decision point fired, or the log ends before one).")});
    return;
  }
  d.para(text("Before: the mechanism's state when the decision was taken. After: the exercise's own story (its seed's "
              "first replication) at the horizon, had each option been taken and every other decision been as played. "
              "Versus played: each option not taken minus the option played, paired by replication under common random "
              "numbers (" +
              std::to_string(a.replications) +
              " replications), with its 95 % interval; an interval that includes 0 is not significant."),
         "caption");
  for (const DecisionAnalysis& da : a.decisions) {
    const Inject* in = c.inject(da.inject);
    const std::string id = c.inject_id(da.inject);
    Inline h = {plain("Decision at inject "), code(id)};
    if (in) h.push_back(plain(": " + in->synopsis));
    d.heading(3, h);
    Inline played = {strong("Played: "), code(da.option_played)};
    if (in) {
      if (const DecisionOption* o = c.option(*in, da.option_played)) played.push_back(plain(" " + o->text));
    }
    played.push_back(plain(" — decided by " + (da.decided_by.empty() ? std::string("?") : da.decided_by) + " at " +
                           sim_clock(da.at) + ", exercise time " + wall_clock(da.wall) + "."));
    d.para(played);

    d.heading(4, text("Before the decision"));
    if (da.before.empty()) {
      d.para({na("No state measure recorded.")});
    } else {
      std::vector<std::vector<Inline>> rows;
      for (const IndicatorValue& v : da.before) {
        rows.push_back({text(indicator_label(v)), value_cell(v), text(std::to_string(v.observations))});
      }
      d.table({"Measure", "Value", "Observations"}, std::move(rows), {false, true, true});
    }

    // After: each option's story, indicators in the order first met.
    d.heading(4, text("After: the story at the horizon, per option"));
    std::vector<std::string> names;
    std::map<std::string, std::string> labels;
    for (const OptionOutcome& o : da.options) {
      for (const IndicatorValue& v : o.story) {
        if (!labels.count(v.name)) {
          names.push_back(v.name);
          labels[v.name] = indicator_label(v);
        }
      }
    }
    if (names.empty()) {
      d.para({na("No indicator of the story was computed.")});
    } else {
      std::vector<std::string> header{"Indicator"};
      for (const OptionOutcome& o : da.options) header.push_back(o.option + (o.played ? " (played)" : ""));
      std::vector<std::vector<Inline>> rows;
      for (const std::string& n : names) {
        std::vector<Inline> r{text(labels[n])};
        for (const OptionOutcome& o : da.options) {
          const auto it =
              std::find_if(o.story.begin(), o.story.end(), [&](const IndicatorValue& v) { return v.name == n; });
          r.push_back(it == o.story.end() ? Inline{na("n/a: not computed for this option")} : value_n_cell(*it));
        }
        rows.push_back(std::move(r));
      }
      std::vector<bool> numeric(header.size(), true);
      numeric[0] = false;
      d.table(std::move(header), std::move(rows), std::move(numeric));
      std::vector<Inline> legend;
      for (const OptionOutcome& o : da.options) legend.push_back({code(o.option), plain(": " + o.text)});
      d.list(std::move(legend));
    }

    // Versus played: the table and, per unit, a figure.
    d.heading(4, text("Versus played: the options not taken"));
    std::vector<std::vector<Inline>> rows;
    std::vector<std::string> units;
    std::map<std::string, Figure> figures;
    for (const OptionOutcome& o : da.options) {
      if (o.played) continue;
      for (const OptionDifference& diff : o.versus_played) {
        const Shown u = shown(diff.unit);
        const std::string label = diff.label.empty() ? diff.indicator : diff.label;
        std::vector<Inline> r{text(label), {code(o.option)}};
        const bool measurable = diff.mean && std::isfinite(*diff.mean);
        if (!measurable) {
          r.push_back({na("n/a: " + (diff.not_applicable.empty() ? "not measurable" : diff.not_applicable))});
          r.push_back({na("n/a")});
          r.push_back(text(std::to_string(diff.pairs)));
          r.push_back({na("n/a")});
        } else {
          r.push_back(text(with_unit(fmt_signed(*diff.mean * u.scale), u.difference_unit)));
          if (diff.ci_low && diff.ci_high) {
            r.push_back(text(aar_fmt(*diff.ci_low * u.scale) + " to " + aar_fmt(*diff.ci_high * u.scale)));
          } else {
            r.push_back({na("n/a: too few pairs")});
          }
          r.push_back(text(std::to_string(diff.pairs)));
          const bool none = *diff.mean == 0 && diff.ci_low && diff.ci_high && *diff.ci_low == 0 && *diff.ci_high == 0;
          r.push_back(significant(diff) ? Inline{strong("significant")}
                      : none            ? Inline{plain("not significant (the same in every pair)")}
                                        : Inline{plain("not significant (the interval includes 0)")});
        }
        rows.push_back(std::move(r));
        // The figure of this unit.
        const std::string unit = u.difference_unit.empty() ? "no unit" : u.difference_unit;
        if (!figures.count(unit)) {
          units.push_back(unit);
          Figure f;
          f.title = "Decision " + id + ": options not taken minus played (" + unit + ")";
          f.axis = "Difference, option − played (" + unit + ")";
          figures[unit] = std::move(f);
        }
        Figure& f = figures[unit];
        const auto ri = std::find(f.rows.begin(), f.rows.end(), label);
        const std::size_t index = static_cast<std::size_t>(ri - f.rows.begin());
        if (ri == f.rows.end()) {
          f.rows.push_back(label);
          for (Figure::Series& s : f.series) s.resize(f.rows.size());
        }
        auto si = std::find_if(f.series.begin(), f.series.end(),
                               [&](const Figure::Series& s) { return s.label == o.option; });
        if (si == f.series.end()) {
          Figure::Series s;
          s.label = o.option;
          s.resize(f.rows.size());
          f.series.push_back(std::move(s));
          si = f.series.end() - 1;
        }
        si->pairs[index] = diff.pairs;
        if (measurable) {
          si->mean[index] = *diff.mean * u.scale;
          if (diff.ci_low && diff.ci_high) {
            si->lo[index] = *diff.ci_low * u.scale;
            si->hi[index] = *diff.ci_high * u.scale;
          }
          si->significant[index] = significant(diff);
        }
      }
    }
    if (rows.empty()) {
      d.para({na("No paired difference: the decision had no other option, or none was computed.")});
      continue;
    }
    for (const std::string& unit : units) d.figure(std::move(figures[unit]));
    d.table({"Indicator", "Option", "Difference (option − played)", "95 % interval", "Pairs", "Significance"},
            std::move(rows), {false, false, true, true, true, false});
  }
}

void outcome(Doc& d, const Context& c) {
  d.heading(2, text("Outcome of the played run"));
  if (c.a().outcome.empty()) {
    d.para({na("No indicator of the played run was computed.")});
    return;
  }
  d.para(text("The played story's key indicators at " +
              (c.a().complete ? std::string("the horizon") : "the end of the log") + "."),
         "caption");
  std::vector<std::vector<Inline>> rows;
  for (const IndicatorValue& v : c.a().outcome) {
    rows.push_back({text(indicator_label(v)), value_cell(v), text(std::to_string(v.observations))});
  }
  d.table({"Indicator", "Value", "Observations"}, std::move(rows), {false, true, true});
}

void capabilities(Doc& d, const Context& c) {
  d.heading(2, text("Analysis of capabilities: strengths and areas for improvement"));
  d.para(text("Per objective, from the facilitator's and evaluators' notes (category strength, improvement or "
              "observation) and, when the objective names a deadline of the scenario, its compliance in the played "
              "run."),
         "caption");
  if (c.a().objectives.empty()) {
    d.para({na("No objective to analyse.")});
    return;
  }
  for (const ObjectiveResult& r : c.a().objectives) {
    const Objective* o = c.x().find_objective(r.objective);
    Inline h = {plain("Objective "), code(r.objective)};
    if (o) h.push_back(plain(": " + o->text));
    d.heading(3, h);
    std::vector<Inline> items;
    items.push_back({strong("Capability: "), o && !o->capability.empty() ? plain(o->capability) : na("not stated")});
    if (r.measure) {
      Inline m = {strong("Measure: "), plain(indicator_label(*r.measure) + ": ")};
      for (Span& s : value_cell(*r.measure)) m.push_back(std::move(s));
      m.push_back(plain(" (" + obs(r.measure->observations) + ")"));
      items.push_back(std::move(m));
    } else {
      items.push_back({strong("Measure: "), na("none: the objective names no deadline; the notes only")});
    }
    Inline tested = {strong("Tested by: ")};
    if (r.injects.empty()) {
      tested.push_back(na("no inject"));
    } else {
      for (std::size_t k = 0; k < r.injects.size(); ++k) {
        if (k) tested.push_back(plain(", "));
        tested.push_back(code(r.injects[k]));
      }
    }
    items.push_back(std::move(tested));
    d.list(std::move(items));
    auto group = [&](const std::string& title, const std::vector<std::string>& notes) {
      d.para({strong(title + " (" + std::to_string(notes.size()) + ")")});
      if (notes.empty()) {
        d.para({na("None recorded.")});
        return;
      }
      std::vector<Inline> list;
      for (const std::string& n : notes) list.push_back(text(n));
      d.list(std::move(list));
    };
    group("Strengths", r.strengths);
    group("Areas for improvement", r.improvements);
    if (!r.observations.empty()) group("Other observations", r.observations);
  }
}

void improvement_plan(Doc& d, const Context& c) {
  const ExerciseAnalysis& a = c.a();
  d.heading(2, text("Improvement plan"));
  d.para(text("One row per area for improvement noted during the exercise. Capability, issue and, when the inject in "
              "play was addressed to one organisation, the responsible organisation and its point of contact are "
              "pre-filled; the other cells are for the organisers to fill in."),
         "caption");
  std::vector<std::vector<Inline>> rows;
  for (const LogRecord& n : a.notes) {
    if (n.category != "improvement") continue;
    std::string org, contact;
    std::optional<AgencyId> agency;
    if (const auto k = c.fired_during(n.wall)) {
      if (const Inject* in = c.inject(a.fired[*k].inject)) agency = in->to;
    }
    if (!agency && !n.objective.empty()) {
      // The injects testing the objective, when they address one agency.
      std::set<AgencyId> to;
      bool everybody = false;
      for (const Inject& in : c.x().injects) {
        if (in.objective && *in.objective == n.objective) {
          if (in.to) {
            to.insert(*in.to);
          } else {
            everybody = true;
          }
        }
      }
      if (to.size() == 1 && !everybody) agency = *to.begin();
    }
    if (agency) {
      org = c.organisation(*agency);
      if (const Participant* p = c.participant(*agency)) contact = p->contact;
    }
    rows.push_back({text(c.capability(n.objective)), text(n.text), {}, text(org), text(contact), {}, {}});
  }
  if (rows.empty()) {
    d.para({na("No area for improvement was noted; add rows as the after-action meeting agrees them.")});
    rows.push_back({{}, {}, {}, {}, {}, {}, {}});
  }
  // Blank rows to fill in by hand.
  for (int k = 0; k < 2; ++k) rows.push_back({{}, {}, {}, {}, {}, {}, {}});
  d.table({"Capability", "Issue / area for improvement", "Corrective action", "Responsible organisation",
           "Point of contact", "Start date", "Completion date"},
          std::move(rows), {}, "plan");
}

void all_notes(Doc& d, const Context& c) {
  d.heading(2, text("All notes logged"));
  if (c.a().notes.empty()) {
    d.para({na("No note was logged.")});
    return;
  }
  std::vector<std::vector<Inline>> rows;
  for (const LogRecord& n : c.a().notes) {
    rows.push_back({text(sim_clock(n.sim)), text(wall_clock(n.wall)), text(n.by),
                    text(n.category.empty() ? "observation" : n.category),
                    n.objective.empty() ? Inline{} : Inline{code(n.objective)}, text(n.text)});
  }
  d.table({"Simulated time", "Exercise time", "Author", "Category", "Objective", "Text"}, std::move(rows));
}

Doc build(const ExerciseAnalysis& a, std::string& title) {
  if (!a.exercise) throw std::invalid_argument("after-action report: the analysis has no exercise");
  const Context c(a);
  Doc d;
  title = "After-action report / improvement plan: " + c.x().name;
  if (!a.complete) {
    d.banner({strong("Incomplete exercise log. "),
              plain("The exercise log ends at " + sim_clock(a.ended_at) +
                    ": the program was stopped before the end of the exercise (horizon " + sim_clock(c.x().horizon) +
                    "). What follows covers the exercise up to that point only; injects after it are shown as never "
                    "fired.")});
  }
  d.para(
      text("An after-action report and improvement plan in the HSEEP shape, written from the exercise log after the "
           "exercise, for the organisers: it contains controller notes, which the players never saw. Each figure says "
           "how many observations it rests on; n/a means a figure does not exist (with the reason), never 0."),
      "lead");
  overview(d, c);
  timeline(d, c);
  expected_versus_recorded(d, c);
  decisions(d, c);
  outcome(d, c);
  capabilities(d, c);
  improvement_plan(d, c);
  all_notes(d, c);
  return d;
}

// --- Markdown ------------------------------------------------------------------------------------

/// Text with Markdown's punctuation backslash-escaped (so that "*" or "|" read as written), "<" and
/// ">" as entities (so that "<script>" is text), and line breaks as spaces in a cell.
std::string md_escape(const std::string& t, bool in_cell) {
  std::string out;
  out.reserve(t.size());
  for (char ch : t) {
    switch (ch) {
      case '\\':
      case '`':
      case '*':
      case '_':
      case '[':
      case ']':
      case '|':
      case '#':
      case '~':
      case '&':
        out += '\\';
        out += ch;
        break;
      case '<': out += "&lt;"; break;  // an entity, so no "<script" is left in the file
      case '>': out += "&gt;"; break;
      case '\r': break;
      case '\n': out += in_cell ? " " : "  \n"; break;
      default: out += ch;
    }
  }
  return out;
}
/// A code span; pipes escaped (GitHub's tables split on them even inside code).
std::string md_code(const std::string& t) {
  std::string body;
  for (char ch : t) {
    if (ch == '\n' || ch == '\r') {
      body += ' ';
    } else if (ch == '|') {
      body += "\\|";
    } else {
      body += ch;
    }
  }
  const std::string fence = body.find('`') != std::string::npos ? "``" : "`";
  const std::string pad = fence.size() > 1 || (!body.empty() && (body.front() == '`' || body.back() == '`')) ? " " : "";
  return fence + pad + body + pad + fence;
}
std::string md_inline(const Inline& in, bool cell) {
  std::string out;
  for (const Span& s : in) {
    if (s.text.empty()) continue;
    switch (s.style) {
      case Span::Style::plain: out += md_escape(s.text, cell); break;
      case Span::Style::strong: {
        // Emphasis markers must touch the text: spaces go outside.
        std::string t = s.text;
        std::string tail;
        while (!t.empty() && t.back() == ' ') {
          t.pop_back();
          tail += ' ';
        }
        out += "**" + md_escape(t, cell) + "**" + tail;
        break;
      }
      case Span::Style::code: out += md_code(s.text); break;
      case Span::Style::na: out += "_" + md_escape(s.text, cell) + "_"; break;
    }
  }
  return out;
}

std::string render_markdown(const Doc& d, const std::string& title) {
  std::ostringstream os;
  os << "# " << md_escape(title, true) << "\n\n";
  for (const Block& b : d.blocks) {
    switch (b.kind) {
      case Block::Kind::heading:
        os << std::string(static_cast<std::size_t>(b.level), '#') << ' ' << md_inline(b.content, true) << "\n\n";
        break;
      case Block::Kind::paragraph: os << md_inline(b.content, false) << "\n\n"; break;
      case Block::Kind::banner: os << "> **Warning:** " << md_inline(b.content, true) << "\n\n"; break;
      case Block::Kind::list:
        for (const Inline& item : b.items) os << "- " << md_inline(item, true) << "\n";
        os << "\n";
        break;
      case Block::Kind::table: {
        os << "|";
        for (const std::string& h : b.header) os << ' ' << (h.empty() ? "" : md_escape(h, true)) << " |";
        os << "\n|";
        for (std::size_t k = 0; k < b.header.size(); ++k) os << (b.numeric[k] ? " ---: |" : " --- |");
        os << "\n";
        for (const auto& row : b.rows) {
          os << "|";
          for (std::size_t k = 0; k < b.header.size(); ++k) {
            os << ' ' << (k < row.size() ? md_inline(row[k], true) : "") << " |";
          }
          os << "\n";
        }
        os << "\n";
        break;
      }
      case Block::Kind::figure: break;  // the table that follows has its numbers
    }
  }
  os << "---\n\nMade by refsim " << REFSIM_VERSION << " from the exercise log.\n";
  return os.str();
}

// --- HTML ----------------------------------------------------------------------------------------

// The page's script: draws each figure of the JSON blob #refsim-data — rows (indicators) down the
// y axis, per series (option not played) a floating bar over the 95 % interval and a point at the
// mean, pale when not significant, and a dashed line at 0 — and records the outcome on <body> as
// html.hpp's reports do. Charts are redrawn at the page's width before printing.
constexpr std::string_view kAarScript = R"js(
(function () {
  'use strict';
  var body = document.body;
  function fail(message) { body.dataset.status = 'error: ' + message; }
  window.addEventListener('error', function (e) { fail(e.message || String(e)); });
  window.addEventListener('unhandledrejection', function (e) { fail('unhandled rejection: ' + e.reason); });
  document.addEventListener('securitypolicyviolation', function (e) { fail('blocked ' + e.blockedURI); });
  var palette = ['#0072B2', '#D55E00', '#009E73', '#CC79A7', '#E69F00', '#56B4E9', '#000000'];
  function fade(hex, a) {
    var n = parseInt(hex.slice(1), 16);
    return 'rgba(' + (n >> 16) + ',' + ((n >> 8) & 255) + ',' + (n & 255) + ',' + a + ')';
  }
  function finite(v) { return typeof v === 'number' && isFinite(v); }
  function number(v) {
    if (!finite(v)) return 'n/a';
    var a = Math.abs(v);
    return a >= 100 ? v.toFixed(0) : a >= 10 ? v.toFixed(1) : a >= 1 ? v.toFixed(2) : String(+v.toPrecision(2));
  }
  function draw(canvas, f) {
    var n = f.rows.length, k = f.series.length, band = k > 1 ? 0.8 / k : 0, datasets = [], points = 0;
    f.series.forEach(function (s, j) {
      var off = k > 1 ? (j - (k - 1) / 2) * band : 0, c = palette[j % palette.length];
      var bars = [], colours = [], means = [], meanColours = [];
      for (var i = 0; i < n; i++) {
        var sig = s.significant[i];
        if (finite(s.lo[i]) && finite(s.hi[i])) {
          bars.push({y: i + off, x: [s.lo[i], s.hi[i]]});
          colours.push(fade(c, sig ? 0.55 : 0.18));
        }
        if (finite(s.mean[i])) {
          means.push({x: s.mean[i], y: i + off, significant: sig});
          meanColours.push(sig ? c : fade(c, 0.45));
          points++;
        }
      }
      datasets.push({type: 'bar', label: s.label + ': 95 % interval', data: bars, backgroundColor: colours,
                     borderColor: fade(c, 0.9), borderWidth: 1, barThickness: k > 1 ? 9 : 14, order: 2});
      datasets.push({type: 'scatter', label: s.label + ': mean difference', data: means, pointRadius: 5,
                     pointStyle: 'rectRot', backgroundColor: meanColours, borderColor: '#fff', borderWidth: 1, order: 1});
    });
    datasets.push({type: 'line', label: 'no difference', data: [{x: 0, y: -0.5}, {x: 0, y: n - 0.5}],
                   borderColor: '#444', borderDash: [5, 4], borderWidth: 1.5, pointRadius: 0, order: 0});
    var chart = new Chart(canvas, {
      data: {datasets: datasets},
      options: {
        indexAxis: 'y', responsive: true, maintainAspectRatio: false, animation: false, devicePixelRatio: 2,
        plugins: {
          // One entry per option (its bar and its mean shown or hidden together); no entry for 0.
          legend: {position: 'top', labels: {boxWidth: 14, generateLabels: function (chart) {
            return f.series.map(function (s, j) {
              var c = palette[j % palette.length];
              return {text: s.label + ' − played', fillStyle: c, strokeStyle: c, lineWidth: 1, datasetIndex: 2 * j,
                      hidden: !chart.isDatasetVisible(2 * j)};
            });
          }}, onClick: function (e, item, legend) {
            var chart = legend.chart, show = !chart.isDatasetVisible(item.datasetIndex);
            chart.setDatasetVisibility(item.datasetIndex, show);
            chart.setDatasetVisibility(item.datasetIndex + 1, show);
            chart.update();
          }},
          tooltip: {callbacks: {label: function (ctx) {
            var v = ctx.raw.x, row = f.rows[Math.round(ctx.raw.y)];
            var t = row + ' — ' + ctx.dataset.label + ': ' +
                    (Array.isArray(v) ? number(v[0]) + ' to ' + number(v[1]) : number(v));
            if (ctx.raw.significant === false) t += ' (not significant)';
            return t;
          }}}
        },
        scales: {
          x: {type: 'linear', title: {display: true, text: f.axis}},
          y: {type: 'linear', reverse: true, min: -0.5, max: n - 0.5, grid: {display: false},
              afterBuildTicks: function (axis) { axis.ticks = f.rows.map(function (_, i) { return {value: i}; }); },
              ticks: {autoSkip: false, callback: function (v) { return f.rows[v]; }}}
        }
      }
    });
    return {chart: chart, points: points};
  }
  try {
    if (typeof Chart === 'undefined') throw new Error('Chart.js did not load');
    var data = JSON.parse(document.getElementById('refsim-data').textContent);
    var charts = [], empty = 0;
    data.figures.forEach(function (f) {
      var canvas = document.getElementById(f.id);
      if (!canvas) throw new Error('no canvas for figure ' + f.id);
      var d = draw(canvas, f);
      charts.push(d.chart);
      if (d.points === 0 || d.chart.width === 0 || d.chart.height === 0) {
        empty++;
        canvas.parentNode.dataset.empty = 'true';
      }
    });
    function resize() { charts.forEach(function (c) { c.resize(); }); }
    window.addEventListener('beforeprint', resize);
    window.addEventListener('afterprint', resize);
    body.dataset.charts = String(charts.length);
    body.dataset.emptyCharts = String(empty);
    if (!body.dataset.status) body.dataset.status = 'ok';
  } catch (e) {
    fail(e && e.message ? e.message : String(e));
  }
})();
)js";

constexpr std::string_view kAarStyle = R"css(
body { font-family: "DejaVu Sans", Arial, Helvetica, sans-serif; color: #1a1a1a; max-width: 1100px;
       margin: 0 auto; padding: 1em 2em 3em; line-height: 1.4; }
h1 { font-size: 1.6em; margin-bottom: 0.2em; }
h2 { font-size: 1.3em; margin-top: 1.8em; border-bottom: 2px solid #0b5394; padding-bottom: 0.2em; color: #0b3d6b; }
h3 { font-size: 1.08em; margin-top: 1.4em; }
h4 { font-size: 0.98em; margin: 1em 0 0.3em; color: #333; }
p.lead { font-size: 1.05em; color: #333; }
p.caption { color: #444; font-size: 0.92em; }
table { border-collapse: collapse; font-size: 0.88em; margin: 0.5em 0 1em; width: 100%; }
th, td { border: 1px solid #bbb; padding: 0.25em 0.5em; text-align: left; vertical-align: top; }
th { background: #eef2f7; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
table.meta th, table.meta td:first-child { width: 16em; background: #f6f6f6; font-weight: bold; }
table.plan td { height: 2.6em; }
table.plan th:nth-child(1) { width: 12%; }
table.plan th:nth-child(2), table.plan th:nth-child(3) { width: 22%; }
table.plan th:nth-child(4) { width: 15%; }
table.plan th:nth-child(5) { width: 11%; }
table.plan th:nth-child(6), table.plan th:nth-child(7) { width: 9%; }
table.plan th { font-size: 0.92em; }
.na { color: #666; font-style: italic; }
.figure { position: relative; width: 100%; margin: 0.4em 0; }
.warning { background: #fff4d6; border: 2px solid #e0a400; border-left-width: 8px; padding: 0.6em 0.9em;
           font-size: 1.05em; }
ul { margin: 0.3em 0 0.8em; padding-left: 1.4em; }
li { margin: 0.15em 0; }
code { font-size: 0.92em; background: #f3f3f3; padding: 0 0.2em; }
footer { margin-top: 2em; color: #555; font-size: 0.85em; }
@page { size: A4; margin: 14mm 12mm; }
@media print {
  body { max-width: none; padding: 0; font-size: 10pt; }
  h2 { break-after: avoid; page-break-after: avoid; }
  h3, h4 { break-after: avoid; page-break-after: avoid; }
  table, .figure, li { break-inside: avoid; page-break-inside: avoid; }
  h2.plan { break-before: page; page-break-before: always; }
  th { background: #eef2f7 !important; -webkit-print-color-adjust: exact; print-color-adjust: exact; }
  .warning { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
  code { background: none; }
}
)css";

std::string html_inline(const Inline& in) {
  std::string out;
  for (const Span& s : in) {
    std::string t = html_escape(s.text);
    std::string br;
    for (char ch : t) br += ch == '\n' ? std::string("<br>") : std::string(1, ch);
    switch (s.style) {
      case Span::Style::plain: out += br; break;
      case Span::Style::strong: out += "<strong>" + br + "</strong>"; break;
      case Span::Style::code: out += "<code>" + br + "</code>"; break;
      case Span::Style::na: out += "<span class=\"na\">" + br + "</span>"; break;
    }
  }
  return out;
}

/// A JSON document that may sit inside <script>: "<" as \u003c, so nothing in it ends the element.
std::string aar_script_json(const Json& j) {
  const std::string t = j.dump(-1, ' ', false, Json::error_handler_t::replace);
  std::string out;
  for (char ch : t) {
    if (ch == '<') {
      out += "\\u003c";
    } else {
      out += ch;
    }
  }
  return out;
}
Json number_or_null(const std::optional<double>& v) { return v && std::isfinite(*v) ? Json(*v) : Json(nullptr); }

std::string render_html(const Doc& d, const std::string& title) {
  if (chartjs_source().empty()) {
    throw std::runtime_error(
        "after-action report: this refsim was built without Chart.js (Debian package libjs-chart.js); install it "
        "(scripts/install-deps.sh) and run CMake again");
  }
  std::ostringstream os;
  os << "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
     << "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
        "script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:\">\n"
     << "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
     << "<title>" << html_escape(title) << "</title>\n<style>" << kAarStyle << "</style>\n</head>\n<body>\n";
  os << "<h1>" << html_escape(title) << "</h1>\n";
  Json figures = Json::array();
  for (const Block& b : d.blocks) {
    switch (b.kind) {
      case Block::Kind::heading: {
        const bool plan = b.level == 2 && b.content.size() == 1 && b.content[0].text == "Improvement plan";
        os << "<h" << b.level << (plan ? " class=\"plan\"" : "") << ">" << html_inline(b.content) << "</h" << b.level
           << ">\n";
        break;
      }
      case Block::Kind::paragraph:
        os << "<p" << (b.css.empty() ? "" : " class=\"" + b.css + "\"") << ">" << html_inline(b.content) << "</p>\n";
        break;
      case Block::Kind::banner:
        os << "<div class=\"warning\" role=\"alert\" id=\"incomplete\">" << html_inline(b.content) << "</div>\n";
        break;
      case Block::Kind::list:
        os << "<ul>\n";
        for (const Inline& item : b.items) os << "<li>" << html_inline(item) << "</li>\n";
        os << "</ul>\n";
        break;
      case Block::Kind::table: {
        os << "<table" << (b.css.empty() ? "" : " class=\"" + b.css + "\"") << ">\n";
        const bool header =
            std::any_of(b.header.begin(), b.header.end(), [](const std::string& h) { return !h.empty(); });
        if (header) {
          os << "<tr>";
          for (const std::string& h : b.header) os << "<th>" << html_escape(h) << "</th>";
          os << "</tr>\n";
        }
        for (const auto& row : b.rows) {
          os << "<tr>";
          for (std::size_t k = 0; k < b.header.size(); ++k) {
            os << "<td" << (b.numeric[k] ? " class=\"num\"" : "") << ">" << (k < row.size() ? html_inline(row[k]) : "")
               << "</td>";
          }
          os << "</tr>\n";
        }
        os << "</table>\n";
        break;
      }
      case Block::Kind::figure: {
        const Figure& f = b.figure;
        // Rows with a mean in some series are drawn, unless every option was the same as played in
        // every pair (a zero-width interval at 0: nothing to see); the others are only in the table.
        std::vector<std::size_t> rows;
        std::vector<std::string> same;
        for (std::size_t i = 0; i < f.rows.size(); ++i) {
          bool any = false, all_same = true;
          for (const Figure::Series& s : f.series) {
            any = any || s.mean[i].has_value();
            all_same = all_same && s.mean[i] && *s.mean[i] == 0 && s.lo[i] && *s.lo[i] == 0 && s.hi[i] && *s.hi[i] == 0;
          }
          if (any && all_same) {
            same.push_back(f.rows[i]);
          } else if (any) {
            rows.push_back(i);
          }
        }
        if (!same.empty()) {
          std::string list;
          for (const std::string& l : same) list += (list.empty() ? "" : "; ") + l;
          os << "<p class=\"caption\">" << html_escape(f.title) << ", not drawn: the same under every option in every "
             << "pair: " << html_escape(list) << ".</p>\n";
        }
        if (rows.empty()) {
          os << "<p class=\"caption na\">" << html_escape(f.title) << ": nothing to draw (every difference is n/a or "
             << "0 in every pair; see the table).</p>\n";
          break;
        }
        const std::string id = "figure-" + std::to_string(figures.size() + 1);
        Json j;
        j["id"] = id;
        j["axis"] = f.axis;
        Json labels = Json::array();
        for (std::size_t i : rows) {
          // "Time to identification (20 pairs)", or "(20/18 pairs)" when the options differ.
          std::vector<std::uint32_t> pairs;
          for (const Figure::Series& s : f.series) {
            if (s.pairs[i] && std::find(pairs.begin(), pairs.end(), *s.pairs[i]) == pairs.end())
              pairs.push_back(*s.pairs[i]);
          }
          std::string n;
          for (std::uint32_t p : pairs) n += (n.empty() ? "" : "/") + std::to_string(p);
          labels.push_back(f.rows[i] + " (n = " + (n.empty() ? "0" : n) + " pairs)");
        }
        j["rows"] = std::move(labels);
        Json series = Json::array();
        for (const Figure::Series& s : f.series) {
          Json sj, mean = Json::array(), lo = Json::array(), hi = Json::array(), sig = Json::array();
          sj["label"] = s.label;
          for (std::size_t i : rows) {
            mean.push_back(number_or_null(s.mean[i]));
            lo.push_back(number_or_null(s.lo[i]));
            hi.push_back(number_or_null(s.hi[i]));
            sig.push_back(static_cast<bool>(s.significant[i]));
          }
          sj["mean"] = std::move(mean);
          sj["lo"] = std::move(lo);
          sj["hi"] = std::move(hi);
          sj["significant"] = std::move(sig);
          series.push_back(std::move(sj));
        }
        j["series"] = std::move(series);
        const std::size_t height = std::max<std::size_t>(170, 90 + rows.size() * (20 + 14 * f.series.size()));
        os << "<p class=\"caption\"><strong>" << html_escape(f.title)
           << "</strong>: mean difference (diamond) and 95 % interval (bar) per option not taken; pale: not "
              "significant (the interval includes 0).</p>\n";
        os << "<div class=\"figure\" style=\"height:" << height << "px\"><canvas id=\"" << id
           << "\" role=\"img\" aria-label=\"" << html_escape(f.title)
           << " (the table below has the numbers)\"></canvas></div>\n";
        figures.push_back(std::move(j));
        break;
      }
    }
  }
  os << "<footer>Made by refsim " << html_escape(REFSIM_VERSION)
     << " from the exercise log; charts drawn with Chart.js " << html_escape(std::string(chartjs_version()))
     << " (MIT licence).</footer>\n";
  Json data;
  data["figures"] = std::move(figures);
  os << "<script type=\"application/json\" id=\"refsim-data\">" << aar_script_json(data) << "</script>\n";
  os << "<!-- Chart.js " << chartjs_version()
     << ", MIT licence (its banner below), inlined from Debian's libjs-chart.js -->\n<script>\n"
     << chartjs_source() << "\n</script>\n<script>" << kAarScript << "</script>\n</body>\n</html>\n";
  return os.str();
}

}  // namespace

std::string after_action_markdown(const ExerciseAnalysis& a) {
  std::string title;
  const Doc d = build(a, title);
  return render_markdown(d, title);
}

std::string after_action_html(const ExerciseAnalysis& a) {
  std::string title;
  const Doc d = build(a, title);
  return render_html(d, title);
}

}  // namespace refsim
