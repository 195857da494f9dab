// Exercise files: [exercise], [[objective]], [[participant]], [[inject]] with its trigger, changes
// and options; and `--decisions` files.
#include "sim/scenario/exercise_loader.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <regex>
#include <set>

#include "sim/model/parameters.hpp"
#include "sim/model/units.hpp"
#include "sim/scenario/loader.hpp"
#include "sim/scenario/reader.hpp"
#include "sim/scenario/variant.hpp"

namespace refsim {
namespace {

using namespace detail;

/// "day 12 09:00" (day 0 is the first), or a duration.
Time read_at(const TableView& v, const toml::node& n) {
  if (n.is_string()) {
    static const std::regex day(R"(^\s*day\s+(\d{1,7})(\s+(\d{1,2}):(\d{2}))?\s*$)");
    const std::string text(*n.value<std::string_view>());
    std::smatch m;
    if (std::regex_match(text, m, day)) {
      const double d = std::stod(m[1].str());
      double minutes = 0;
      if (m[2].matched) {
        const int h = std::stoi(m[3].str()), mi = std::stoi(m[4].str());
        if (h > 23 || mi > 59) v.fail(n, "at", "has no such time of day: \"" + text + "\" (00:00 to 23:59)");
        minutes = h * 60.0 + mi;
      }
      return d + minutes / 1440.0;
    }
    if (text.rfind("day", 0) == 0) {
      v.fail(n, "at",
             "must be \"day N\" or \"day N HH:MM\" (day 0 is the first), or a duration such as \"12d\"; got \"" + text +
                 "\"");
    }
  }
  return v.duration(n, "at");
}

Trigger read_trigger(const Reader& r, const toml::node& n, const std::string& context, const Scenario& s) {
  const toml::table& t = as_table(r, n, context + ": trigger");
  const TableView v(r, t, context + ": trigger", schema::section("inject.trigger"));
  v.reject_unknown();
  Trigger tr;
  const toml::node& m = v.require("measure");
  const std::string name = v.string(m, "measure");
  bool known = false;
  for (Measure x : {Measure::waiting, Measure::in_service, Measure::occupancy, Measure::full, Measure::in_system,
                    Measure::awaiting_decision}) {
    if (name == measure_name(x)) tr.measure = x, known = true;
  }
  if (!known) {
    v.fail(m, "measure",
           "must be one of waiting, in_service, occupancy, full, in_system, awaiting_decision; got \"" + name + "\"");
  }
  if (const toml::node* a = v.find("agency")) {
    if (tr.measure == Measure::in_system || tr.measure == Measure::awaiting_decision) {
      v.fail(*a, "agency",
             std::string("does not apply to ") + measure_name(tr.measure) + ", a total over the mechanism");
    }
    tr.agency = agency_ref(v, s, "agency");
    if ((tr.measure == Measure::occupancy || tr.measure == Measure::full) && s.agencies[*tr.agency].unlimited) {
      v.fail(*a, "agency",
             "'" + s.agencies[*tr.agency].id + "' has no capacity limit (servers = \"unlimited\"): it is never " +
                 (tr.measure == Measure::full ? "full" : "occupied in part"));
    }
  } else if (tr.measure == Measure::occupancy || tr.measure == Measure::full) {
    r.fail(t, context + ": trigger: " + measure_name(tr.measure) + " needs an agency (agency = \"…\")");
  }
  if (tr.measure == Measure::awaiting_decision) {
    const bool any = std::any_of(s.agencies.begin(), s.agencies.end(), [](const Agency& a) {
      return a.decision && (a.decision->sets == attr::kReasonableGrounds || a.decision->sets == attr::kIdentified);
    });
    if (!any) {
      v.fail(m, "measure",
             "awaiting_decision: no agency of " + s.file + " decides reasonable_grounds or identified: it is always 0");
    }
  }
  const toml::node* cmp = nullptr;
  const char* cmp_key = nullptr;
  for (const char* k : {"above", "at_least", "below", "at_most"}) {
    if (const toml::node* c = v.find(k)) {
      if (cmp) v.fail(*c, k, std::string("and ") + cmp_key + " both given: give one comparison");
      cmp = c, cmp_key = k;
    }
  }
  if (tr.measure == Measure::full) {
    if (cmp) v.fail(*cmp, cmp_key, "does not apply to full, which holds when every server or bed is busy");
    tr.compare = Trigger::Compare::at_least;
    tr.threshold = 1;
  } else {
    if (!cmp) r.fail(t, context + ": trigger: give one comparison: above, at_least, below or at_most");
    tr.threshold = v.number(*cmp, cmp_key);
    if (!std::isfinite(tr.threshold)) v.fail(*cmp, cmp_key, "must be a finite number");
    const std::string k = cmp_key;
    tr.compare = k == "above"      ? Trigger::Compare::above
                 : k == "at_least" ? Trigger::Compare::at_least
                 : k == "below"    ? Trigger::Compare::below
                                   : Trigger::Compare::at_most;
    if (tr.measure == Measure::occupancy && (tr.threshold < 0 || tr.threshold > 1)) {
      v.fail(*cmp, cmp_key, "must be between 0 and 1 for occupancy (a share of staff or beds busy)");
    }
  }
  if (const toml::node* f = v.find("for")) {
    tr.hold_for = v.duration(*f, "for");
    if (!(tr.hold_for >= 0)) v.fail(*f, "for", "must be >= 0");
  }
  if (const toml::node* a = v.find("after")) {
    tr.after = v.duration(*a, "after");
    if (!(tr.after >= 0)) v.fail(*a, "after", "must be >= 0");
  }
  return tr;
}

std::vector<InjectChange> read_inject_changes(const Reader& r, const TableView& parent, const Scenario& s) {
  std::vector<InjectChange> out;
  std::size_t k = 0;
  for (const toml::table* t : tables_of(parent, "change")) {
    ++k;
    const TableView v(r, *t, parent.context() + ": change " + std::to_string(k), schema::section("exercise.change"));
    v.reject_unknown();
    ChangeFields read = read_change(v, s, {"for", "note"}, ChangeForm::inject);
    InjectChange ic;
    ic.change = std::move(read.change);
    ic.servers_delta = read.servers_delta;
    if (const toml::node* f = v.find("for")) {
      const Time d = v.duration(*f, "for");
      if (!(d > 0) || !std::isfinite(d)) v.fail(*f, "for", "must be a duration > 0");
      const bool only_surge = ic.change.surge && !ic.change.servers && !ic.change.open && !ic.servers_delta &&
                              !ic.change.sensitivity && !ic.change.specificity && !ic.change.positive_rate;
      if (only_surge) v.fail(*f, "for", "does not apply to a surge: persons who entered are not taken back");
      ic.revert_after = d;
    }
    // Checked against the scenario's own values, as a [[change]] is.
    Parameters trial = Parameters::of(s);
    Change c = ic.change;
    if (ic.servers_delta) {
      const std::int64_t next = static_cast<std::int64_t>(trial.agencies[c.index].servers) + *ic.servers_delta;
      if (next < 0) {
        r.fail(*t, v.context() + ": leaves agency '" + s.agencies[c.index].id + "' with " + std::to_string(next) +
                       (s.agencies[c.index].residential ? " beds" : " servers") + " (it has " +
                       std::to_string(trial.agencies[c.index].servers) + ")");
      }
      c.servers = static_cast<std::uint32_t>(next);
    }
    try {
      trial.apply(c, s);
    } catch (const std::invalid_argument& e) {
      r.fail(*t, v.context() + ": " + e.what());
    }
    out.push_back(std::move(ic));
  }
  return out;
}

std::string optional_text(const TableView& v, std::string_view key) { return v.string(key, ""); }

}  // namespace

LoadedExercise load_exercise(const std::filesystem::path& path) {
  const std::string file = path.string();
  const toml::table root = parse_toml(read_scenario_file(path), file);
  const Reader r(file);
  const TableView top(r, root, "the exercise file", schema::section("exercise.file"));
  top.reject_unknown();
  LoadedExercise out;
  Exercise& x = out.exercise;
  x.file = file;

  const toml::node& xn = top.require("exercise");
  const TableView ex(r, as_table(r, xn, "[exercise]"), "[exercise]", schema::section("exercise"));
  ex.reject_unknown();
  x.where = r.at(xn);
  x.name = ex.string("name");
  if (x.name.find_first_not_of(" \t") == std::string::npos) ex.fail(ex.require("name"), "name", "must not be empty");
  const toml::node& sn = ex.require("scenario");
  const std::filesystem::path scenario_path = path.parent_path() / ex.string(sn, "scenario");
  x.scenario_file = scenario_path.lexically_normal().string();
  {
    std::error_code ec;
    if (!std::filesystem::exists(scenario_path, ec)) {
      ex.fail(sn, "scenario",
              "names " + x.scenario_file + ", which does not exist (paths are relative to " +
                  (path.parent_path().empty() ? std::string(".") : path.parent_path().string()) + ")");
    }
  }
  out.scenario = std::make_unique<Scenario>(load_scenario(scenario_path.lexically_normal()));
  Scenario& s = *out.scenario;
  x.description = optional_text(ex, "description");
  x.start_date = optional_text(ex, "start_date");
  x.end_date = optional_text(ex, "end_date");
  static const std::regex date(R"(^\d{4}-\d{2}-\d{2}$)");
  for (const char* k : {"start_date", "end_date"}) {
    if (const toml::node* d = ex.find(k)) {
      if (!std::regex_match(ex.string(*d, k), date)) ex.fail(*d, k, "must be a date written YYYY-MM-DD");
    }
  }
  x.sponsor = optional_text(ex, "sponsor");
  x.seed = s.run.seed;
  if (const toml::node* n = ex.find("seed")) {
    x.seed = static_cast<std::uint64_t>(ex.integer(*n, "seed", "an integer >= 0"));
    if (*n->value<std::int64_t>() < 0) ex.fail(*n, "seed", "must be an integer >= 0");
  }
  x.horizon = s.run.horizon;
  if (const toml::node* n = ex.find("horizon")) {
    x.horizon = ex.duration(*n, "horizon");
    if (!(x.horizon > 0) || !std::isfinite(x.horizon)) ex.fail(*n, "horizon", "must be a duration > 0");
    if (x.horizon > s.run.horizon) {
      ex.fail(*n, "horizon",
              "(" + format_duration(x.horizon) + ") is longer than the scenario's (" + format_duration(s.run.horizon) +
                  "); lengthen the scenario's or shorten the exercise's");
    }
  }
  s.run.horizon = x.horizon;
  s.run.warmup = std::min(s.run.warmup, x.horizon / 2);
  for (const ScheduledChange& c : s.changes) {
    if (c.at > x.horizon) {
      ex.fail(ex.require("horizon"), "horizon",
              "(" + format_duration(x.horizon) + ") ends before the scenario's [[change]] at " + format_duration(c.at) +
                  " (" + c.change.where.str() + ")");
    }
  }

  IdMap objective_ids;
  for (const toml::table* t : tables_of(top, "objective")) {
    const TableView pre(r, *t, "[[objective]]", schema::section("objective"));
    Objective o;
    o.id = checked_id(pre, "id");
    const TableView v(r, *t, "objective '" + o.id + "'", schema::section("objective"));
    v.reject_unknown();
    claim_id(v, objective_ids, o.id, "objective ");
    o.where = r.at(*t);
    o.text = v.string("text");
    o.capability = v.string("capability");
    if (const toml::node* d = v.find("deadline")) {
      const std::string id = v.string(*d, "deadline");
      std::string known;
      for (DeadlineId k = 0; k < s.deadlines.size(); ++k) {
        if (s.deadlines[k].id == id) o.deadline = k;
        known += (known.empty() ? "" : ", ") + s.deadlines[k].id;
      }
      if (!o.deadline) {
        v.fail(*d, "deadline",
               "names unknown deadline '" + id + "'; " + (known.empty() ? "the scenario has none" : "known: " + known));
      }
    }
    x.objectives.push_back(std::move(o));
  }

  std::set<AgencyId> played;
  for (const toml::table* t : tables_of(top, "participant")) {
    const TableView v(r, *t, "[[participant]]", schema::section("participant"));
    v.reject_unknown();
    Participant p;
    p.where = r.at(*t);
    p.agency = agency_ref(v, s, "agency");
    if (!played.insert(p.agency).second) {
      v.fail(v.require("agency"), "agency", "'" + s.agencies[p.agency].id + "' is listed twice");
    }
    p.organisation = v.string("organisation", s.agencies[p.agency].name);
    p.contact = optional_text(v, "contact");
    x.participants.push_back(std::move(p));
  }

  IdMap inject_ids;
  const auto injects = tables_of(top, "inject");
  if (injects.empty()) r.fail(root, "the exercise file has no [[inject]]: the MSEL needs at least one inject");
  for (const toml::table* t : injects) {
    const TableView pre(r, *t, "[[inject]]", schema::section("inject"));
    Inject in;
    in.id = checked_id(pre, "id");
    const TableView v(r, *t, "inject '" + in.id + "'", schema::section("inject"));
    v.reject_unknown();
    claim_id(v, inject_ids, in.id, "inject ");
    in.where = r.at(*t);
    const toml::node* at = v.find("at");
    const toml::node* trig = v.find("trigger");
    if (at && trig) v.fail(*trig, "trigger", "and at both given: an inject fires at a time or on a trigger, not both");
    if (!at && !trig) r.fail(*t, v.context() + ": give when it fires: at = \"day 12 09:00\" or trigger = { … }");
    if (at) {
      in.at = read_at(v, *at);
      if (!(*in.at >= 0)) v.fail(*at, "at", "must be >= 0");
      if (*in.at > x.horizon) {
        v.fail(*at, "at",
               "(" + format_duration(*in.at) + ") is after the exercise's horizon (" + format_duration(x.horizon) +
                   "): it would never fire");
      }
    } else {
      in.trigger = read_trigger(r, *trig, v.context(), s);
      if (in.trigger->after > x.horizon) {
        r.fail(*trig, v.context() + ": trigger: after (" + format_duration(in.trigger->after) +
                          ") is after the exercise's horizon: it would never fire");
      }
    }
    in.synopsis = v.string("synopsis");
    in.from = optional_text(v, "from");
    if (v.find("to")) in.to = agency_ref(v, s, "to");
    in.expected_action = optional_text(v, "expected_action");
    if (const toml::node* o = v.find("objective")) {
      const std::string id = v.string(*o, "objective");
      if (!x.find_objective(id)) {
        std::string known;
        for (const Objective& ob : x.objectives) known += (known.empty() ? "" : ", ") + ob.id;
        v.fail(*o, "objective",
               "names unknown objective '" + id + "'; " +
                   (known.empty() ? "the file declares no [[objective]]" : "known: " + known));
      }
      in.objective = id;
    }
    in.delivery = optional_text(v, "delivery");
    if (const toml::node* d = v.find("time_allowed")) {
      in.time_allowed = v.duration(*d, "time_allowed");
      if (!(in.time_allowed >= 0) || !std::isfinite(in.time_allowed)) v.fail(*d, "time_allowed", "must be >= 0");
    }
    in.controller_note = optional_text(v, "note");
    in.changes = read_inject_changes(r, v, s);
    IdMap option_ids;
    for (const toml::table* ot : tables_of(v, "option")) {
      const TableView opre(r, *ot, v.context() + ": [[inject.option]]", schema::section("option"));
      DecisionOption op;
      op.id = checked_id(opre, "id");
      const TableView ov(r, *ot, v.context() + ": option '" + op.id + "'", schema::section("option"));
      ov.reject_unknown();
      claim_id(ov, option_ids, op.id, "option ");
      op.where = r.at(*ot);
      op.text = ov.string("text");
      op.changes = read_inject_changes(r, ov, s);
      in.options.push_back(std::move(op));
    }
    const toml::node* dflt = v.find("default");
    if (in.options.size() == 1) {
      r.fail(in.options[0].where, v.context() + ": a decision needs two options or more (one may be to do nothing)");
    }
    if (!in.options.empty()) {
      if (!dflt) r.fail(*t, v.context() + ": a decision point needs default = \"<option>\", taken when time runs out");
      const std::string d = v.string(*dflt, "default");
      std::string known;
      bool found = false;
      for (std::size_t k = 0; k < in.options.size(); ++k) {
        known += (known.empty() ? "" : ", ") + in.options[k].id;
        if (in.options[k].id == d) in.default_option = k, found = true;
      }
      if (!found) v.fail(*dflt, "default", "names unknown option '" + d + "'; options: " + known);
    } else if (dflt) {
      v.fail(*dflt, "default", "given without options: only a decision point ([[inject.option]]) has a default");
    }
    x.injects.push_back(std::move(in));
  }
  return out;
}

std::map<std::string, std::string> load_decisions(const std::filesystem::path& path, const Exercise& x) {
  const std::string file = path.string();
  const toml::table root = parse_toml(read_scenario_file(path), file);
  const Reader r(file);
  std::map<std::string, std::string> out;
  for (auto&& [k, node] : root) {
    if (k.str() != "decisions") {
      r.fail(r.at(k.source()), "unknown table '" + std::string(k.str()) + "'; a decisions file holds [decisions]");
    }
  }
  const toml::node* d = root.get("decisions");
  if (!d) r.fail(SourceLocation{file, 1, 1}, "expected a [decisions] table: inject_id = \"option_id\"");
  const toml::table& t = as_table(r, *d, "[decisions]");
  for (auto&& [k, node] : t) {
    const std::string id(k.str());
    const auto i = x.find_inject(id);
    if (!i || !x.injects[*i].is_decision()) {
      std::string known;
      for (const Inject& in : x.injects) {
        if (in.is_decision()) known += (known.empty() ? "" : ", ") + in.id;
      }
      r.fail(r.at(k.source()), "[decisions]: '" + id + "' is not a decision point of " + x.file + "; " +
                                   (known.empty() ? "it has none" : "decision points: " + known));
    }
    if (!node.is_string())
      r.fail(node, "[decisions]: " + id + " must be a string naming an option, got " + type_name(node));
    const std::string option(*node.value<std::string_view>());
    std::string known;
    bool found = false;
    for (const DecisionOption& o : x.injects[*i].options) {
      known += (known.empty() ? "" : ", ") + o.id;
      found = found || o.id == option;
    }
    if (!found) r.fail(node, "[decisions]: inject '" + id + "' has no option '" + option + "'; options: " + known);
    out[id] = option;
  }
  return out;
}

}  // namespace refsim
