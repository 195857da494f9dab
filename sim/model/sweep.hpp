#pragma once
// A parameter sweep: the grid of scenario overrides that `refsim sweep` runs (docs/sweeps.md).
//
// Each axis holds one parameter, or several that vary in lockstep (the k-th values together); the
// points are the combinations of the axes' values, the first axis varying slowest, less those
// that a constraint (`--where`) drops. A point is a list of `--set PATH=VALUE` overrides; its run
// id is a hash of them, so that it does not depend on the point's position in the grid.
//
//   refsim::SweepSpec spec;
//   spec.axes.push_back({{{"agency.shelter.beds", refsim::parse_sweep_values("20..60:10")}}});
//   spec.where.push_back("agency.shelter.beds >= 30");
//   refsim::SweepGrid g = refsim::expand_sweep(spec);  // 4 points: beds = 30, 40, 50, 60
//   g.points[0].sets();                                // {"agency.shelter.beds=30"}
//
// Every function throws std::invalid_argument for bad input, with a message for the user.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace refsim {

/// One swept key: an override path (as `--set` takes it) and its values, each as the text of a
/// `--set PATH=VALUE` value (a TOML value, else text).
struct SweepParameter {
  std::string path;
  std::vector<std::string> values;
};

/// One axis of the grid: a parameter, or several of the same length that vary in lockstep.
struct SweepAxis {
  std::vector<SweepParameter> parameters;
};

struct SweepSpec {
  std::vector<SweepAxis> axes;
  std::vector<std::string> where;  ///< constraints: a point is kept when every one holds
};

/// One point of the grid.
struct SweepPoint {
  std::size_t index = 0;                                    ///< in the plan (after the constraint)
  std::vector<std::pair<std::string, std::string>> values;  ///< (path, value), in axis order
  std::string id;                                           ///< sweep_run_id(values)
  /// "PATH=VALUE" for each value, in axis order.
  std::vector<std::string> sets() const;
};

struct SweepGrid {
  std::vector<SweepPoint> points;
  std::size_t combinations = 0;  ///< before the constraint
  std::size_t dropped = 0;       ///< by the constraint
};

/// VALUES of `--vary PATH=VALUES`: a comma list (`2,3,4`), each item a value or a range
/// `FROM..TO:STEP` (`20..60:10`; `60..20:10` descends; a common unit suffix, `12h..48h:12h`, is
/// kept). Commas inside quotes, braces or brackets do not split. At most kMaxSweepValues values.
std::vector<std::string> parse_sweep_values(std::string_view text);

/// `--vary PATH=VALUES` (or `--with`): the path before the first '=', the values after it.
SweepParameter parse_vary(std::string_view text);

/// The points of `spec`; throws for an axis without values, lockstep parameters of unequal
/// lengths, a path swept twice, a constraint that does not parse or names no parameter, or more
/// than kMaxSweepPoints combinations.
SweepGrid expand_sweep(const SweepSpec& spec);

inline constexpr std::size_t kMaxSweepValues = 100'000;
inline constexpr std::size_t kMaxSweepPoints = 1'000'000;

/// A run's id: the first 16 hexadecimal digits of the FNV-1a 64-bit hash of its overrides, one
/// "PATH=VALUE\n" line each, sorted by path (so the order of the --vary options does not matter).
std::string sweep_run_id(const std::vector<std::pair<std::string, std::string>>& values);

/// FNV-1a 64 of `bytes`, as 16 lower-case hexadecimal digits.
std::string fnv1a_hex(std::string_view bytes);

/// A share of the runs: run i (its index in the plan) belongs to shard i mod count.
struct Shard {
  std::uint32_t index = 0, count = 1;
  bool contains(std::size_t run_index) const { return run_index % count == index; }
};

/// "I/N" with 0 <= I < N; throws with a message saying what is expected.
Shard parse_shard(std::string_view text);

}  // namespace refsim
