#pragma once
// Sweep files (docs/sweeps.md): a `[sweep]` table naming the scenario and the run's settings, and
// one `[[vary]]` table per axis of the grid, each key a swept path (several keys vary in
// lockstep). Every problem is a ScenarioError at file:line:column.
//
//   [sweep]
//   scenario = "../baseline-nrm.toml"          # relative to this file
//   replications = 10                          # optional, as --replications
//   seed = 7                                   # optional, as --seed
//   set = ["run.horizon=400d"]                 # optional, fixed overrides, as --set
//   indicators = ["overall.dropout_share"]     # optional, as --indicator
//   where = "beds + ngo_beds <= 80"            # optional, a constraint or a list of them
//
//   [[vary]]
//   "agency.shelter.beds" = "20..60:10"        # a range or a comma list, as --vary takes it,
//   "agency.shelter_ngo.beds" = [40, 30, 20, 10, 0]   # or an array: in lockstep with beds
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "sim/model/sweep.hpp"

namespace refsim {

struct SweepFile {
  std::string scenario;  ///< the scenario's path, relative to the sweep file's directory resolved
  SweepSpec spec;
  std::vector<std::string> sets;
  std::optional<std::uint64_t> seed;
  std::optional<std::uint32_t> replications;
  std::vector<std::string> indicators;
};

/// Whether `path` is a TOML file with a top-level [sweep] table (false when it does not parse).
bool is_sweep_file(const std::filesystem::path& path);

/// Reads and checks a sweep file. Throws ScenarioError.
SweepFile load_sweep_file(const std::filesystem::path& path);

/// A hash (16 hexadecimal digits) of the scenario at `path` as `sets` leave it: its TOML tables,
/// a variant merged into its base, serialised. Comments and layout do not count; any value does.
/// Throws ScenarioError.
std::string scenario_fingerprint(const std::filesystem::path& path, const std::vector<std::string>& sets);

}  // namespace refsim
