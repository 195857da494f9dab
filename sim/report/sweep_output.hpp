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

/// sweep.json: the plan (without its list of runs), the indicators, and per run its values and
/// the estimate of every indicator over its replications. `records` is by plan run, null for a
/// run not (yet) made; those are listed under "missing".
nlohmann::ordered_json sweep_document(const nlohmann::ordered_json& plan,
                                      const std::vector<const SweepRunRecord*>& records);

/// Tidy `run,index,<one column per swept path>,indicator,mean,ci95_low,ci95_high,n,replications,note`:
/// one row per run × indicator (mean empty when not applicable or never observed).
std::string sweep_csv(const nlohmann::ordered_json& plan, const std::vector<const SweepRunRecord*>& records);

/// One row per run: its values, then `mean [lo,hi]` of up to four headline indicators (`chosen`,
/// or the mean times to identification and to first service and the drop-out share).
void print_sweep_table(std::ostream& os, const nlohmann::ordered_json& plan,
                       const std::vector<const SweepRunRecord*>& records, const std::vector<std::string>& chosen);

/// The HTML report of a sweep, from sweep.json alone: per indicator (those chosen, else the key
/// ones), its mean and 95 % interval against the first swept parameter, one line per combination
/// of the others, each with a table. Throws std::runtime_error when the build embedded no Chart.js.
std::string sweep_report_html(const nlohmann::ordered_json& sweep);

}  // namespace refsim
