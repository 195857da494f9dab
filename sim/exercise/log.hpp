#pragma once
// The exercise log: everything that happens in an exercise, one JSON object per line (JSON
// lines), appended as it happens. Each record is one write(2) to a file opened with O_APPEND,
// followed by fdatasync, so a crash (or kill -9) loses nothing already recorded and never leaves
// half a line behind a whole one. docs/exercises.md lists the records and their fields.
//
//   {"record":"start","exercise":"…","exercise_file":"…","scenario_file":"…","seed":7,"horizon_days":120,…}
//   {"record":"inject","inject":"I1","sim_days":12.375,"wall_s":3.2}
//   {"record":"decision","inject":"I1","option":"overflow","by":"facilitator","sim_days":12.375,"wall_s":611.0}
//   {"record":"change","origin":"refsim-viz","change":{…},"text":"shelter: beds 40 → 41","sim_days":…}
//   {"record":"note","author":"evaluator","text":"…","objective":"obj1","category":"strength","sim_days":…,"wall_s":…}
//   {"record":"mark","text":"pause","sim_days":…,"wall_s":…}
//   {"record":"end","sim_days":120,"wall_s":1800.5}
//
// Simulated times are written in the shortest form that reads back as the same double, so that a
// replay stops at exactly the instant recorded.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "sim/model/scenario.hpp"

namespace refsim {

struct LogRecord {
  enum class Kind : std::uint8_t { start, inject, decision, change, note, mark, end };
  Kind kind = Kind::mark;
  Time sim = 0;           ///< simulated days
  double wall = 0;        ///< exercise wall time, seconds from the start
  std::string inject;     ///< inject, decision: the inject's id
  std::string option;     ///< decision: the option's id
  std::string by;         ///< decision: who took it; note: its author; change: its origin
  std::string text;       ///< note: the text; mark: what ("pause", "resume", "speed 1 d/s"); change: its description
  std::string objective;  ///< note: the objective it is about ("" for none)
  std::string category;   ///< note: "strength", "improvement" or "observation" ("" for observation)
  std::optional<Change> change;  ///< change: the facilitator's change (agency servers/open only)
  std::string refused;           ///< change: why the engine refused it ("" when applied)
  // start
  std::string exercise;  ///< the exercise's name
  std::string exercise_file, scenario_file;
  std::uint64_t seed = 0;
  Time horizon = 0;
  std::string started;     ///< UTC, ISO 8601
  std::string version;     ///< refsim's
  std::uint32_t line = 0;  ///< where it was read from (ExerciseLog::read)

  static const char* kind_name(Kind k);
};

/// The `start` record of an exercise's log: `x` (loaded from `exercise_file`, as given), the time
/// now (UTC) and refsim's version.
struct Exercise;
LogRecord start_record(const Exercise& x, const std::string& exercise_file);
/// The time now, UTC, ISO 8601: "2027-03-09T09:00:00Z".
std::string utc_now();

/// "change": the JSON text of record `r` (one line, no newline). Changes are written with the
/// scenario's ids (`s`), so a log stays readable.
std::string to_json_line(const LogRecord& r, const Scenario& s);

class ExerciseLog {
 public:
  /// Creates `path` (which must not exist: an earlier exercise's log is never overwritten; throws
  /// std::runtime_error saying so, or why it cannot be created).
  ExerciseLog(const std::string& path, const Scenario& s);
  ~ExerciseLog();
  ExerciseLog(const ExerciseLog&) = delete;
  ExerciseLog& operator=(const ExerciseLog&) = delete;

  /// Appends `r` as one line and syncs it to disk; throws std::runtime_error when the write fails.
  void append(const LogRecord& r);
  const std::string& path() const { return path_; }

  /// Reads a log back. A last line without its newline (the program was killed while writing it)
  /// is dropped. Errors (not JSON, an unknown record, a missing field, a change naming an agency
  /// the scenario lacks) throw ScenarioError at path:line:column. The first record must be `start`.
  /// Changes are resolved against `s`; with `s` null, only the start record is read (to find the
  /// exercise file).
  static std::vector<LogRecord> read(const std::string& path, const Scenario* s);

 private:
  std::string path_;
  const Scenario& scenario_;
  int fd_ = -1;
};

}  // namespace refsim
