#include "sim/exercise/analysis.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "sim/experiment/compare.hpp"
#include "sim/experiment/indicators.hpp"
#include "sim/graph/referral_graph.hpp"

namespace refsim {

bool log_complete(const std::vector<LogRecord>& records) {
  return !records.empty() && records.back().kind == LogRecord::Kind::end &&
         records.front().kind == LogRecord::Kind::start && records.back().sim >= records.front().horizon;
}

Time log_last_time(const std::vector<LogRecord>& records) {
  Time t = 0;
  for (const LogRecord& r : records) {
    if (r.kind != LogRecord::Kind::start) t = std::max(t, r.sim);
  }
  return t;
}

Replayed replay(const Exercise& exercise, const Scenario& scenario, const std::vector<LogRecord>& records,
                Time sample_every) {
  const ReferralGraph graph(scenario);
  Director d = Director::replay(exercise, scenario, records, nullptr);
  ReplicationOptions o;
  o.controller = &d;
  o.sample_every = sample_every;
  Replayed out;
  out.result.replications.push_back(run_replication(scenario, graph, exercise.seed, 0, o));
  out.result.events_processed = out.result.replications[0].events_processed;
  out.complete = log_complete(records);
  out.ended_at = scenario.run.horizon;
  // Everything the log recorded must have happened in the replay.
  for (std::size_t k = 0; k < records.size(); ++k) {
    const LogRecord& r = records[k];
    if (r.kind != LogRecord::Kind::inject && r.kind != LogRecord::Kind::decision) continue;
    bool seen = false;
    for (const FiredInject& f : d.fired()) {
      const Inject& in = exercise.injects[f.inject];
      if (in.id != r.inject) continue;
      seen = r.kind == LogRecord::Kind::inject || (f.option && in.options[*f.option].id == r.option);
    }
    if (!seen) {
      throw std::runtime_error("line " + std::to_string(r.line) + ": the log records " +
                               (r.kind == LogRecord::Kind::inject ? "inject '" : "the decision on '") + r.inject +
                               "', which the replay did not reach (the exercise or scenario file changed since?)");
    }
  }
  out.fired = d.fired();
  return out;
}

DecisionScript decisions_of(const std::vector<LogRecord>& records) {
  DecisionScript s;
  for (const LogRecord& r : records) {
    if (r.kind == LogRecord::Kind::decision) s[r.inject] = r.option;
  }
  return s;
}

RunResult play(const Exercise& exercise, const Scenario& scenario, const DecisionScript& script,
               std::uint32_t replications, unsigned threads, std::vector<std::vector<FiredInject>>* fired) {
  const ReferralGraph graph(scenario);
  RunResult out;
  out.replications.resize(replications);
  if (fired) fired->assign(replications, {});
  out.threads_used = run_parallel(replications, threads, [&](std::uint32_t r) {
    Director d(exercise, scenario, Director::Mode::script, script, nullptr, [] { return 0.0; });
    ReplicationOptions o;
    o.controller = &d;
    out.replications[r] = run_replication(scenario, graph, exercise.seed, r, o);
    if (fired) (*fired)[r] = d.fired();
  });
  for (const auto& r : out.replications) out.events_processed += r.events_processed;
  return out;
}

namespace {

/// Whether key indicator `d` is one of those shown: not an agency's, or one of `agencies`'.
bool shown(const IndicatorDef& d, const Scenario& s, const std::vector<AgencyId>& agencies) {
  if (!d.key) return false;
  if (!d.name.starts_with("agencies.")) return true;
  for (AgencyId a : agencies) {
    if (d.name.starts_with("agencies." + s.agencies[a].id + ".")) return true;
  }
  return false;
}

/// Indicator `d` in replication 0 of `r`, with its observations, or why it has no value.
IndicatorValue value_of(const IndicatorDef& d, const RunResult& r) {
  IndicatorValue v;
  v.name = d.name;
  v.label = d.label;
  v.unit = d.unit;
  v.not_applicable = d.not_applicable;
  if (d.not_applicable.empty() && !r.replications.empty()) {
    const auto [value, basis] = d.read(r.replications[0]);
    v.observations = static_cast<std::uint64_t>(std::max(0.0, basis));
    if (std::isfinite(value)) {
      v.value = value;
    } else {
      v.not_applicable = "no observation in this run";
    }
  }
  return v;
}

}  // namespace

std::vector<AgencyId> agencies_of(const Inject& in) {
  std::vector<AgencyId> out;
  const auto add = [&](AgencyId a) {
    if (std::find(out.begin(), out.end(), a) == out.end()) out.push_back(a);
  };
  if (in.to) add(*in.to);
  const auto from = [&](const std::vector<InjectChange>& changes) {
    for (const InjectChange& c : changes) {
      if (c.change.target == Change::Target::agency) add(c.change.index);
    }
  };
  from(in.changes);
  for (const DecisionOption& o : in.options) from(o.changes);
  return out;
}

std::vector<IndicatorValue> key_values(const Scenario& s, const RunResult& r, const std::vector<AgencyId>& agencies) {
  std::vector<IndicatorValue> out;
  for (const IndicatorDef& d : indicators(s)) {
    if (!shown(d, s, agencies)) continue;
    out.push_back(value_of(d, r));
  }
  return out;
}

std::vector<OptionDifference> key_differences(const Scenario& s, const RunResult& base, const RunResult& other,
                                              const std::vector<AgencyId>& agencies) {
  std::vector<OptionDifference> out;
  for (const IndicatorDef& d : indicators(s)) {
    if (!shown(d, s, agencies)) continue;
    OptionDifference od;
    od.indicator = d.name;
    od.label = d.label;
    od.unit = d.unit;
    if (!d.not_applicable.empty()) {
      od.not_applicable = d.not_applicable;
    } else if (const auto diff = paired_difference(d.kind, d.series(base), d.series(other), 1)) {
      od.pairs = static_cast<std::uint32_t>(diff->replications);
      if (std::isfinite(diff->mean)) od.mean = diff->mean;
      if (std::isfinite(diff->ci95.first) && std::isfinite(diff->ci95.second)) {
        od.ci_low = diff->ci95.first;
        od.ci_high = diff->ci95.second;
      }
      od.significant = diff->significant;
    } else {
      od.not_applicable = "fewer than two replications gave a value in both";
    }
    out.push_back(std::move(od));
  }
  return out;
}

ExerciseAnalysis analyse(const Exercise& exercise, const Scenario& scenario, const std::vector<LogRecord>& records,
                         const AnalysisOptions& options) {
  ExerciseAnalysis a;
  a.exercise = &exercise;
  a.scenario = &scenario;
  a.log = records;
  a.replications = options.replications;
  a.seed = exercise.seed;
  const Replayed played = replay(exercise, scenario, records);
  a.fired = played.fired;
  a.complete = played.complete;
  a.ended_at = played.ended_at;
  std::vector<AgencyId> concerned;  // the agencies of every inject, for the outcome
  for (const FiredInject& f : played.fired) {
    for (AgencyId x : agencies_of(exercise.injects[f.inject])) {
      if (std::find(concerned.begin(), concerned.end(), x) == concerned.end()) concerned.push_back(x);
    }
  }
  a.outcome = key_values(scenario, played.result, concerned);
  for (const LogRecord& r : records) {
    if (r.kind == LogRecord::Kind::note) a.notes.push_back(r);
  }

  // The decisions as played, over replications: the pairs' common side.
  const DecisionScript as_played = decisions_of(records);
  RunResult played_runs;
  bool any_decision = false;
  for (const FiredInject& f : a.fired) any_decision = any_decision || f.option.has_value();
  if (any_decision && options.replications >= 2) {
    played_runs = play(exercise, scenario, as_played, options.replications, options.threads);
  }
  for (const FiredInject& f : a.fired) {
    if (!f.option) continue;
    const Inject& in = exercise.injects[f.inject];
    const std::vector<AgencyId> these = agencies_of(in);
    DecisionAnalysis da;
    da.inject = f.inject;
    da.option_played = in.options[*f.option].id;
    da.decided_by = f.decided_by;
    da.at = f.decided_at;
    da.wall = f.decided_wall;
    for (const auto& [name, value] : f.state) {
      IndicatorValue v;
      v.name = "state." + name;
      v.unit = name.ends_with("occupancy") ? "share" : "cases";
      if (name == "in_system") {
        v.label = "Persons in the mechanism";
        v.unit = "persons";
      } else if (name == "waiting") {
        v.label = "Cases waiting, all agencies";
      } else if (name == "awaiting_decision") {
        v.label = "Cases awaiting a grounds decision";
      } else if (name.ends_with(".waiting")) {
        v.label = "Cases waiting at " + name.substr(0, name.size() - 8);
      } else if (name.ends_with(".occupancy")) {
        v.label = "Occupancy of " + name.substr(0, name.size() - 10);
      } else {
        v.label = name;
      }
      v.value = value;
      v.observations = 1;
      da.before.push_back(std::move(v));
    }
    for (std::size_t k = 0; k < in.options.size(); ++k) {
      OptionOutcome oo;
      oo.option = in.options[k].id;
      oo.text = in.options[k].text;
      oo.played = k == *f.option;
      if (oo.played) {
        oo.story = key_values(scenario, played.result, these);
      } else {
        DecisionScript alt = as_played;
        alt[in.id] = oo.option;
        oo.story = key_values(scenario, play(exercise, scenario, alt, 1, 1), these);
        if (options.replications >= 2) {
          const RunResult runs = play(exercise, scenario, alt, options.replications, options.threads);
          oo.versus_played = key_differences(scenario, played_runs, runs, these);
        }
      }
      da.options.push_back(std::move(oo));
    }
    a.decisions.push_back(std::move(da));
  }

  for (const Objective& o : exercise.objectives) {
    ObjectiveResult res;
    res.objective = o.id;
    if (o.deadline) {
      const std::string name = "deadlines." + scenario.deadlines[*o.deadline].id + ".compliance";
      for (const IndicatorDef& d : indicators(scenario)) {
        if (d.name == name) res.measure = value_of(d, played.result);
      }
    }
    for (const LogRecord& n : a.notes) {
      if (n.objective != o.id) continue;
      (n.category == "strength"      ? res.strengths
       : n.category == "improvement" ? res.improvements
                                     : res.observations)
          .push_back(n.text);
    }
    for (const Inject& in : exercise.injects) {
      if (in.objective == o.id) res.injects.push_back(in.id);
    }
    a.objectives.push_back(std::move(res));
  }
  return a;
}

}  // namespace refsim
