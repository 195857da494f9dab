#pragma once
// A sweep's files (docs/sweeps.md has their shape): the plan (plan.json), one file per run
// (runs/<id>.json: every replication's value of every indicator, read back exactly), and the
// results over the runs: sweep.json, the tidy sweep.csv, a terminal table and the HTML report
// (report.html, html.cpp). All of them depend only on the plan and the runs' values, never on the
// thread count, the shard, timing or the command line, so that the results of shards merged are
// byte-identical to those of one process.
#include <iosfwd>
#include <optional>
#include <string>
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

/// One run's share of the results, formatted on its own (by any thread): its element of
/// sweep.json's runs, its rows of sweep.csv, its indicators' definitions, and the little the
/// terminal table and the HTML report need (from the plan's chosen_indicators).
struct SweepRunPart {
  std::size_t index = 0;  ///< the run's position in plan.json's runs
  bool missing = true;    ///< no record: not in the CSV, listed under "missing"
  std::string json;       ///< its element of sweep.json's runs, indented as there (no separator)
  std::string csv;        ///< its rows of sweep.csv
  nlohmann::ordered_json definitions = nlohmann::ordered_json::array();  ///< of its indicators, in order
  /// Its element of runs with the estimates of the chosen indicators (else the key ones) only.
  nlohmann::ordered_json summary;
  std::vector<std::string> table;  ///< its cells of print_sweep_table's row, after its values
};

/// Run `index` of `plan` (`record` null when it is missing).
SweepRunPart sweep_run_part(const nlohmann::ordered_json& plan, std::size_t index, const SweepRunRecord* record);

/// Writes sweep.json and sweep.csv run by run, byte for byte as sweep_document(...).dump(2) + "\n"
/// and sweep_csv, holding one run's part at a time and the summary() of each. The runs array of
/// sweep.json comes after the indicators, known only at the end: it goes to `scratch` first, which
/// finish() copies.
///
///   SweepResultsWriter w(plan, csv_stream, scratch_stream);
///   for (std::size_t i = 0; i < n; ++i) w.add(sweep_run_part(plan, i, record_of(i)));
///   scratch_stream.close(); w.finish(json_stream, scratch_input);
class SweepResultsWriter {
 public:
  /// Writes the CSV header. `plan` must outlive the writer.
  SweepResultsWriter(const nlohmann::ordered_json& plan, std::ostream& csv, std::ostream& scratch);
  /// The parts must come in plan order, each once.
  void add(SweepRunPart&& part);
  /// Writes sweep.json whole to `json`, its runs read from `scratch` (what add wrote there).
  void finish(std::ostream& json, std::istream& scratch);
  /// sweep.json with the estimates of the chosen (else key) indicators only: what
  /// sweep_report_html draws from it is what it draws from sweep.json.
  nlohmann::ordered_json summary() const;
  /// print_sweep_table's table of the runs added.
  void print_table(std::ostream& os) const;
  std::size_t added() const { return runs_.size(); }

 private:
  nlohmann::ordered_json head() const;
  const nlohmann::ordered_json& plan_;
  std::ostream& csv_;
  std::ostream& scratch_;
  nlohmann::ordered_json definitions_ = nlohmann::ordered_json::array();
  std::unordered_set<std::string> seen_, key_names_;
  bool definitions_closed_ = false;
  nlohmann::ordered_json runs_ = nlohmann::ordered_json::array(), missing_ = nlohmann::ordered_json::array();
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

}  // namespace refsim
