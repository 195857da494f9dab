#pragma once
// Writers for run results: summary JSON, tidy CSV, a table for people, and run metadata.
//
// Deterministic outputs (summary.json, agencies.csv, cases.csv) depend only on the scenario, the
// seed and the replication count — never on threads or timing. Timing and provenance go to
// run.json. Files are written atomically (temporary file in the same directory, then rename).
#include <filesystem>
#include <fstream>
#include <iosfwd>
#include <string>
#include <utility>
#include <vector>

#include "sim/experiment/runner.hpp"
#include "sim/model/scenario.hpp"

namespace refsim {

struct RunContext {
  const Scenario& scenario;
  std::uint64_t seed;
  std::uint32_t replications;
  /// How the warm-up was chosen when not the file's (e.g. "MSER-5 …"); summary.json's warmup_rule.
  std::string warmup_rule = {};
  /// What the reader should know about these results (summary.json's warnings, when any).
  std::vector<std::string> warnings = {};
};

std::string summary_json(const RunContext& ctx, const RunResult& result);
std::string agencies_csv(const RunContext& ctx, const RunResult& result);
std::string cases_csv(const RunContext& ctx, const RunResult& result);
std::string referrals_csv(const RunContext& ctx, const RunResult& result);
std::string deadlines_csv(const RunContext& ctx, const RunResult& result);
/// Tidy `replication,deadline,cohort,metric,value`: per replication × deadline × cohort (all 20, in
/// cohort_name order) × `met`, `breached`, `left`, `compliance` (empty when nothing was measured).
std::string deadline_cohorts_csv(const RunContext& ctx, const RunResult& result);
/// Tidy `replication,cohort,metric,value` for the 20 cohorts (cohort_name) and "overall".
std::string cohorts_csv(const RunContext& ctx, const RunResult& result);
/// Tidy `replication,country,group,metric,value,observations,note` for regional scenarios
/// (Scenario::by_country): per country, group `at_its_agencies` (its agencies together, the agency
/// metrics) and `entered_here` (the persons who entered there, the cohort metrics); only the
/// header otherwise.
std::string countries_csv(const RunContext& ctx, const RunResult& result);
/// `replication,time_days,agency,queue,in_service,held,grounds_backlog,capacity`, one row per
/// sample × agency (replication 0's ReplicationResult::timeseries); only the header when there is
/// none. `capacity` is empty for an agency without a limit.
std::string timeseries_csv(const RunContext& ctx, const RunResult& result);
std::string run_json(const RunContext& ctx, const RunResult& result, const std::string& command_line);

/// A per-agency table with 95 % half-widths, the case totals, the deadlines (each with the cohort of
/// lowest compliance), and the cohorts that had exits.
void print_summary_table(std::ostream& os, const RunContext& ctx, const RunResult& result);

/// Display columns of UTF-8 text (setw counts bytes, and "→" is three).
std::size_t display_width(const std::string& text);
/// Rows of cells, the first the header: the first column left-aligned, the others right-aligned,
/// each as wide as its widest cell, two spaces apart, each line after `indent`.
void print_grid(std::ostream& os, const std::string& indent, const std::vector<std::vector<std::string>>& rows);

/// A file written through a temporary name in the same directory and renamed into place.
class AtomicOutputFile {
 public:
  /// Opens the temporary file; throws std::runtime_error naming `path` when it cannot be created.
  explicit AtomicOutputFile(std::filesystem::path path);
  ~AtomicOutputFile();
  AtomicOutputFile(const AtomicOutputFile&) = delete;
  AtomicOutputFile& operator=(const AtomicOutputFile&) = delete;
  std::ostream& stream() { return out_; }
  /// Flushes and closes the temporary file (once); throws std::runtime_error naming `path` when
  /// a write failed (a full disk). Lets several files be written in full before any is renamed.
  void close();
  /// close(), then renames into place; throws std::runtime_error naming `path` on failure.
  void commit();

 private:
  std::filesystem::path path_, tmp_;
  std::ofstream out_;
  bool closed_ = false, committed_ = false;
};

/// Writes `content` to `path` through a temporary file and a rename; throws std::runtime_error.
void write_file_atomic(const std::filesystem::path& path, const std::string& content);

/// Writes each (path, content) through a temporary file, all in full before any is renamed into
/// place: a failure (a full disk) leaves every path as it was. Throws std::runtime_error.
void write_files_atomic(const std::vector<std::pair<std::filesystem::path, std::string>>& files);

/// A CSV cell of text: as it is, or quoted (inner quotes doubled) when it holds a comma, a quote
/// or a line break.
std::string csv_quoted(const std::string& text);

/// Shortest decimal that reads back as the same double ("0.1", "1e-07"); "nan"/"inf" spelled out.
std::string format_number(double v);

}  // namespace refsim
