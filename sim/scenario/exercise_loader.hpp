#pragma once
// Loading a tabletop exercise file (docs/exercises.md, docs/scenario-reference.md "An exercise
// file") and the scenario it names. Every problem is a ScenarioError at file:line:column, in the
// exercise file or in the scenario.
//
//   const refsim::LoadedExercise x = refsim::load_exercise("scenarios/exercises/fisheries-raid.toml");
//   x.exercise.injects[0].synopsis;   // the MSEL
//   x.scenario.run.horizon;           // the exercise's horizon
#include <filesystem>
#include <map>
#include <memory>
#include <string>

#include "sim/model/exercise.hpp"
#include "sim/model/scenario.hpp"

namespace refsim {

struct LoadedExercise {
  Exercise exercise;
  /// The scenario, with its horizon set to the exercise's (and its warm-up kept below it).
  /// Behind a pointer so that a LoadedExercise can move while a Director refers to the scenario.
  std::unique_ptr<Scenario> scenario;
};

/// Reads, checks and freezes the exercise at `path` and its scenario. Triggers and changes must
/// name agencies, sources, referrals and profiles of that scenario; each change is checked
/// against the scenario's values, a trigger's agency against its measure (occupancy and full need
/// a capacity limit), a decision's default against its options.
LoadedExercise load_exercise(const std::filesystem::path& path);

/// Reads a decisions file for `refsim exercise run --decisions`: a `[decisions]` table of
/// `inject_id = "option_id"`, each naming a decision point of `x` and one of its options.
std::map<std::string, std::string> load_decisions(const std::filesystem::path& path, const Exercise& x);

}  // namespace refsim
