#pragma once
// A hand-built ExerciseAnalysis on the baseline scenario, for the after-action report's tests
// (tests/test_aar.cpp) and its browser test (tests/report/aar_sample_main.cpp, aar_test.sh). It
// holds every case the report must handle: a timed and a triggered inject, a decision with three
// options, significant, not significant and n/a differences, notes of each category (some during
// an inject, one before the first), an inject never fired, and hostile text ("<script>", "|").
#include <cstdint>
#include <memory>
#include <string>

#include "sim/exercise/analysis.hpp"
#include "sim/scenario/loader.hpp"

namespace refsim::test {

struct AarSample {
  Scenario scenario;
  Exercise exercise;
  ExerciseAnalysis analysis;
};

inline IndicatorValue indicator(std::string name, std::string label, std::string unit, std::optional<double> value,
                                std::uint64_t n, std::string why = "") {
  IndicatorValue v;
  v.name = std::move(name);
  v.label = std::move(label);
  v.unit = std::move(unit);
  v.value = value;
  v.observations = n;
  v.not_applicable = std::move(why);
  return v;
}

inline OptionDifference difference(std::string indicator, std::string label, std::string unit,
                                   std::optional<double> mean, std::optional<double> lo, std::optional<double> hi,
                                   std::uint32_t pairs, std::string why = "") {
  OptionDifference d;
  d.indicator = std::move(indicator);
  d.label = std::move(label);
  d.unit = std::move(unit);
  d.mean = mean;
  d.ci_low = lo;
  d.ci_high = hi;
  d.pairs = pairs;
  d.significant = lo && hi && (*lo > 0 || *hi < 0);
  d.not_applicable = std::move(why);
  return d;
}

inline LogRecord note(Time sim, double wall, std::string by, std::string text, std::string objective,
                      std::string category) {
  LogRecord r;
  r.kind = LogRecord::Kind::note;
  r.sim = sim;
  r.wall = wall;
  r.by = std::move(by);
  r.text = std::move(text);
  r.objective = std::move(objective);
  r.category = std::move(category);
  return r;
}

/// The sample; `complete`: whether the log has its end record (else it stops at day 20.5).
/// `scenario_file`: scenarios/baseline-nrm.toml.
inline std::unique_ptr<AarSample> aar_sample(const std::string& scenario_file, bool complete = true) {
  auto out = std::make_unique<AarSample>();
  out->scenario = load_scenario(scenario_file);
  const Scenario& s = out->scenario;
  Exercise& x = out->exercise;
  x.name = "Shelter under pressure <script>alert('x')</script> | tabletop";
  x.file = "scenarios/exercises/shelter-pressure.toml";
  x.scenario_file = scenario_file;
  x.description = "How the mechanism copes when a raid fills the shelter; scope: identification & referral.";
  x.start_date = "2026-03-10";
  x.end_date = "2026-03-11";
  x.sponsor = "National Coordinator's Office";
  x.seed = 7;
  x.horizon = 120;

  Objective o1;
  o1.id = "obj_child";
  o1.text = "Identify and refer child victims within 24 h";
  o1.capability = "Victim identification";
  o1.deadline = 0;  // child_to_child_protection_24h
  Objective o2;
  o2.id = "obj_shelter";
  o2.text = "Place every adult victim in safe accommodation";
  o2.capability = "Protection | assistance";
  x.objectives = {o1, o2};

  const AgencyId police = *s.find_agency("police");
  const AgencyId shelter = *s.find_agency("shelter");
  Participant p1;
  p1.agency = police;
  p1.organisation = "City Police, anti-trafficking unit";
  p1.contact = "DI Ada Jones";
  Participant p2;
  p2.agency = shelter;
  p2.organisation = "Safe House <NGO>";
  p2.contact = "";
  x.participants = {p1, p2};

  Inject i1;
  i1.id = "I1";
  i1.at = 12.375;
  i1.synopsis = "A raid at a fish-processing plant: 60 people, 20 of them children, arrive at the police tonight.";
  i1.from = "Labour inspector on site";
  i1.to = police;
  i1.expected_action = "Screen all 60, refer the 20 children to child protection within 24 h.";
  i1.objective = "obj_child";
  i1.delivery = "phone call";
  i1.controller_note = "If the players forget the children, deliver contingency inject I1b.";
  Inject i2;
  i2.id = "I2";
  Trigger t;
  t.measure = Measure::full;
  t.agency = shelter;
  t.compare = Trigger::Compare::at_least;
  t.threshold = 1;
  t.hold_for = 3;
  i2.trigger = t;
  i2.synopsis = "The shelter has been full for three days; a family of five is waiting at the police station.";
  i2.from = "Shelter manager";
  i2.to = shelter;
  i2.expected_action = "Open overflow beds or ask the neighbouring country's focal point.";
  i2.objective = "obj_shelter";
  i2.delivery = "email";
  i2.time_allowed = 0.01;
  DecisionOption a;
  a.id = "overflow";
  a.text = "Open 20 overflow beds";
  DecisionOption b;
  b.id = "neighbour";
  b.text = "Ask the neighbouring country's focal point";
  DecisionOption c;
  c.id = "nothing";
  c.text = "Do nothing | wait <b>and see</b>";
  i2.options = {a, b, c};
  i2.default_option = 2;
  Inject i3;
  i3.id = "I3";
  i3.at = 60;
  i3.synopsis = "A journalist asks about the children from the raid.";
  i3.from = "Media";
  i3.expected_action = "Refer the journalist to the press office; say nothing about the victims.";
  i3.delivery = "verbal";
  x.injects = {i1, i2, i3};

  ExerciseAnalysis& an = out->analysis;
  an.exercise = &out->exercise;
  an.scenario = &out->scenario;
  an.seed = 7;
  an.replications = 20;
  an.complete = complete;
  an.ended_at = complete ? 120 : 20.5;

  FiredInject f1;
  f1.inject = 0;
  f1.at = 12.375;
  f1.wall = 185;
  FiredInject f2;
  f2.inject = 1;
  f2.at = 20.5;
  f2.wall = 640;
  f2.option = 0;
  f2.decided_at = 20.5;
  f2.decided_wall = 1210;
  f2.decided_by = "facilitator";
  an.fired = {f1, f2};

  LogRecord start;
  start.kind = LogRecord::Kind::start;
  start.exercise = x.name;
  start.seed = 7;
  start.horizon = 120;
  an.notes = {
      note(0, 30, "facilitator", "Players introduced their agencies' roles clearly.", "", "observation"),
      note(12.375, 300, "evaluator 1", "Police screened everyone before transport: good practice.", "obj_child",
           "strength"),
      note(12.375, 420, "evaluator 1", "No interpreter for Vietnamese | Khmer <script>x()</script>", "", "improvement"),
      note(20.5, 900, "evaluator 2", "Nobody knew who may authorise overflow beds.", "obj_shelter", "improvement"),
      note(20.5, 1000, "facilitator", "Shelter and police disagreed on who transports the family.", "obj_shelter", ""),
  };
  LogRecord r1;
  r1.kind = LogRecord::Kind::inject;
  r1.inject = "I1";
  r1.sim = 12.375;
  r1.wall = 185;
  LogRecord r2 = r1;
  r2.inject = "I2";
  r2.sim = 20.5;
  r2.wall = 640;
  LogRecord d2;
  d2.kind = LogRecord::Kind::decision;
  d2.inject = "I2";
  d2.option = "overflow";
  d2.by = "facilitator";
  d2.sim = 20.5;
  d2.wall = 1210;
  LogRecord ch;
  ch.kind = LogRecord::Kind::change;
  ch.by = "refsim-viz";
  ch.text = "shelter: beds 40 → 41";
  ch.sim = 30;
  ch.wall = 1500;
  an.log = {start, an.notes[0], r1, an.notes[1], an.notes[2], r2, an.notes[3], an.notes[4], d2};
  if (complete) {
    an.log.push_back(ch);
    LogRecord end;
    end.kind = LogRecord::Kind::end;
    end.sim = 120;
    end.wall = 4000.5;
    an.log.push_back(end);
  }

  DecisionAnalysis da;
  da.inject = 1;
  da.option_played = "overflow";
  da.decided_by = "facilitator";
  da.at = 20.5;
  da.wall = 1210;
  da.before = {indicator("state.in_system", "In the mechanism", "persons", 143, 1),
               indicator("state.waiting", "Waiting", "persons", 37, 1),
               indicator("state.awaiting_decision", "Awaiting a grounds decision", "persons", 42, 1),
               indicator("state.shelter.occupancy", "Shelter occupancy", "share", 1.0, 1)};
  auto story = [](double tti, std::optional<double> compliance, double conv) {
    return std::vector<IndicatorValue>{
        indicator("cases.time_to_identification_days.mean", "Time to identification (mean)", "days", tti, 212),
        indicator("deadlines.child_to_child_protection_24h.compliance", "Children referred within 24 h", "share",
                  compliance, 31),
        indicator("cases.time_to_conviction_days.mean", "Time to conviction (mean)", "days",
                  conv > 0 ? std::optional<double>(conv) : std::nullopt, 0,
                  conv > 0 ? "" : "no trial concluded before the horizon")};
  };
  OptionOutcome oa;
  oa.option = "overflow";
  oa.text = a.text;
  oa.played = true;
  oa.story = story(41.5, 0.87, 0);
  OptionOutcome ob;
  ob.option = "neighbour";
  ob.text = b.text;
  ob.story = story(44.0, 0.84, 0);
  ob.versus_played = {
      difference("cases.time_to_identification_days.mean", "Time to identification (mean)", "days", 2.6, 0.9, 4.3, 20),
      difference("deadlines.child_to_child_protection_24h.compliance", "Children referred within 24 h", "share", -0.03,
                 -0.08, 0.02, 20),
      difference("cases.time_to_conviction_days.mean", "Time to conviction (mean)", "days", std::nullopt, std::nullopt,
                 std::nullopt, 0, "no trial concluded before the horizon in any pair")};
  OptionOutcome oc;
  oc.option = "nothing";
  oc.text = c.text;
  oc.story = story(52.25, std::nullopt, 0);
  oc.versus_played = {
      difference("cases.time_to_identification_days.mean", "Time to identification (mean)", "days", 9.8, 6.1, 13.4, 20),
      difference("deadlines.child_to_child_protection_24h.compliance", "Children referred within 24 h", "share", -0.11,
                 -0.19, -0.04, 18),
      difference("cases.time_to_conviction_days.mean", "Time to conviction (mean)", "days", std::nullopt, std::nullopt,
                 std::nullopt, 0, "no trial concluded before the horizon in any pair")};
  oc.story[1].not_applicable = "no child entered in this story";
  da.options = {oa, ob, oc};
  an.decisions = {da};

  an.outcome = story(41.5, 0.87, 0);

  ObjectiveResult r_child;
  r_child.objective = "obj_child";
  r_child.measure = indicator("deadlines.child_to_child_protection_24h.compliance", "Children referred within 24 h",
                              "share", 0.87, 31);
  r_child.strengths = {an.notes[1].text};
  r_child.injects = {"I1"};
  ObjectiveResult r_shelter;
  r_shelter.objective = "obj_shelter";
  r_shelter.improvements = {an.notes[3].text};
  r_shelter.observations = {an.notes[4].text};
  r_shelter.injects = {"I2"};
  an.objectives = {r_child, r_shelter};
  return out;
}

}  // namespace refsim::test
