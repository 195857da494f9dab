#pragma once
// A sweep's files (docs/sweeps.md has their shape): the plan (plan.json), one file per run
// (runs/<id>.json: every replication's value of every indicator, read back exactly), and the
// results over the runs: sweep.json, the tidy sweep.csv, a terminal table and the HTML report
// (report.html, html.cpp). All of them depend only on the plan and the runs' values, never on the
// thread count, the shard, timing or the command line, so that the results of shards merged are
// byte-identical to those of one process.
#include <cstdint>
#include <functional>
#include <iosfwd>
#include <optional>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include <nlohmann/json.hpp>

#include "sim/experiment/sweep.hpp"

namespace refsim {

/// "count", "share", "fraction", "nonnegative", "unbounded"; and back (nothing for another name).
const char* kind_name(Kind k);
std::optional<Kind> kind_of(std::string_view name);

/// A run's file: its id, the sweep's identity, its overrides (plan.json's runs[i].values), and
/// the record. Numbers are written so that they read back as the same doubles.
std::string sweep_run_file(const std::string& identity, const nlohmann::ordered_json& run,
                           const SweepRunRecord& record);

/// A run file read back: nothing when it is not one whole run file of the sweep `identity` and
/// the run `id` (a file cut short, of another sweep, of another run); `why` says which.
std::optional<SweepRunRecord> parse_sweep_run(const std::string& text, const std::string& identity,
                                              const std::string& id, std::string* why = nullptr);

/// The indicators print_sweep_table shows: `chosen` (up to four), else three headline ones.
std::vector<std::string> sweep_table_indicators(const std::vector<std::string>& chosen);

/// sweep.json: the plan (without its list of runs), the indicators, and per run its values and
/// the estimate of every indicator over its replications. `records` is by plan run, null for a
/// run not (yet) made; those are listed under "missing". Holds every run's estimates: the
/// commands stream the same bytes with SweepResultsWriter instead.
nlohmann::ordered_json sweep_document(const nlohmann::ordered_json& plan,
                                      const std::vector<const SweepRunRecord*>& records);

/// Tidy `run,index,<one column per swept path>,indicator,mean,ci95_low,ci95_high,n,replications,note`:
/// one row per run × indicator (mean empty when not applicable or never observed).
std::string sweep_csv(const nlohmann::ordered_json& plan, const std::vector<const SweepRunRecord*>& records);

/// The most indicators the sweep report draws: the first chosen ones, else the first key ones.
inline constexpr std::size_t kSweepReportMaxFigures = 60;

/// One run's estimate of one indicator as the sweep report draws it (sweep.json's estimate).
struct SweepReportCell {
  bool present = false;                      ///< the run has the indicator (else "no such indicator in this run")
  bool applicable = true;                    ///< false: `not_applicable` says why
  std::string not_applicable;                ///< why it does not apply, when it does not
  double mean = kNaN, lo = kNaN, hi = kNaN;  ///< NaN: none (no observation, no interval)
  double n = kNaN;                           ///< observations
  double replications = kNaN;                ///< replications that gave a value
  bool few = false;                          ///< few observations
};

/// What the sweep report draws, given a column at a time, so that it can be drawn from sweep.json
/// in memory or from a scratch file written run by run (SweepResultsWriter::write_report).
struct SweepReportSource {
  /// sweep.json without its runs: the plan's members (axes, scenario, seed, chosen_indicators, …),
  /// "indicators" and "missing".
  const nlohmann::ordered_json& head;
  /// Per run its "index", "id" and "values" (plan.json's runs, or sweep.json's).
  const nlohmann::ordered_json& runs;
  /// Whether run i is missing.
  std::function<bool(std::size_t)> missing;
  /// The j-th indicator drawn (`name`: the first kSweepReportMaxFigures of head's indicators that
  /// are chosen, else key), one cell per run, into `cells`.
  std::function<void(std::size_t j, const std::string& name, std::vector<SweepReportCell>& cells)> column;
};

/// One run's share of the results, formatted on its own (by any thread): its element of
/// sweep.json's runs, its rows of sweep.csv, its indicators' definitions and the estimates the
/// HTML report may draw, and its cells of the terminal table.
struct SweepRunPart {
  std::size_t index = 0;  ///< the run's position in plan.json's runs
  bool missing = true;    ///< no record: not in the CSV, listed under "missing"
  std::string json;       ///< its element of sweep.json's runs, indented as there (no separator)
  std::string csv;        ///< its rows of sweep.csv
  nlohmann::ordered_json definitions = nlohmann::ordered_json::array();  ///< of its indicators, in order
  std::vector<SweepReportCell> cells;                                    ///< by indicator, as `definitions`
  std::vector<std::string> table;  ///< its cells of print_sweep_table's row, after its values
};

/// Run `index` of `plan` (`record` null when it is missing).
SweepRunPart sweep_run_part(const nlohmann::ordered_json& plan, std::size_t index, const SweepRunRecord* record);

/// Writes sweep.json, sweep.csv and the HTML report run by run, byte for byte as
/// sweep_document(...).dump(2) + "\n", sweep_csv and sweep_report_html(sweep_document(...)),
/// holding one run's part at a time. What waits for the end goes to scratch streams: sweep.json's
/// runs (they come after the indicators, known only at the end) to `scratch`, and the estimates
/// the report draws (48 bytes a run and indicator drawn) to `report_scratch`. What the writer
/// keeps per run is its cells of the terminal table and a bit (missing or not).
///
///   SweepResultsWriter w(plan, csv_stream, scratch_stream, report_scratch_stream);
///   for (std::size_t i = 0; i < n; ++i) w.add(sweep_run_part(plan, i, record_of(i)));
///   w.finish(json_stream, scratch_stream);                       // read back from the start
///   w.write_report(html_stream, report_scratch_stream, figures_scratch_stream);
class SweepResultsWriter {
 public:
  /// Writes the CSV header. `plan` must outlive the writer.
  SweepResultsWriter(const nlohmann::ordered_json& plan, std::ostream& csv, std::ostream& scratch,
                     std::ostream& report_scratch);
  /// The parts must come in plan order, each once.
  void add(SweepRunPart&& part);
  /// Writes sweep.json whole to `json`, its runs read from `scratch` (what add wrote there).
  void finish(std::ostream& json, std::istream& scratch);
  /// Writes the HTML report to `html` as sweep_report_html(sweep.json) would, its estimates read
  /// from `report_scratch` (what add wrote there) a column at a time, the figures' data kept in
  /// `figures` (an empty scratch stream) until the end. Throws std::runtime_error when the build
  /// embedded no Chart.js (before writing anything) or a scratch stream fails.
  void write_report(std::ostream& html, std::istream& report_scratch, std::iostream& figures) const;
  /// print_sweep_table's table of the runs added.
  void print_table(std::ostream& os) const;
  std::size_t added() const { return added_; }

 private:
  nlohmann::ordered_json head() const;
  const nlohmann::ordered_json& plan_;
  std::ostream& csv_;
  std::ostream& scratch_;
  std::ostream& report_scratch_;
  std::vector<std::string> chosen_;
  nlohmann::ordered_json definitions_ = nlohmann::ordered_json::array();
  std::unordered_set<std::string> seen_;
  bool definitions_closed_ = false;
  std::size_t added_ = 0;
  std::vector<bool> missing_runs_;
  nlohmann::ordered_json missing_ = nlohmann::ordered_json::array();
  /// The indicators the report draws, as they are first defined, and their positions.
  std::vector<std::string> drawn_;
  std::unordered_map<std::string, std::uint32_t> drawn_index_;
  /// The reasons of "not applicable" seen in the drawn indicators (few, each kept once).
  std::vector<std::string> notes_;
  std::unordered_map<std::string, std::uint32_t> note_index_;
  std::vector<std::vector<std::string>> table_;
};

/// One row per run: its values, then `mean [lo,hi]` of up to four headline indicators (`chosen`,
/// or the mean times to identification and to first service and the drop-out share).
void print_sweep_table(std::ostream& os, const nlohmann::ordered_json& plan,
                       const std::vector<const SweepRunRecord*>& records, const std::vector<std::string>& chosen);

/// The HTML report of a sweep, from sweep.json alone: per indicator (those chosen, else the key
/// ones), its mean and 95 % interval against the first swept parameter, one line per combination
/// of the others, each with a table. Throws std::runtime_error when the build embedded no Chart.js.
std::string sweep_report_html(const nlohmann::ordered_json& sweep);

/// The same page written to `out` as it is made, from `source`, the figures' data kept in
/// `figures` (an empty scratch stream) until the end: memory holds one indicator's column at a time.
void write_sweep_report_html(std::ostream& out, std::iostream& figures, const SweepReportSource& source);

}  // namespace refsim
