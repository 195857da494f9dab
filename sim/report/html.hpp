#pragma once
// Self-contained HTML reports: one file that opens offline (no URL of any kind; a Content Security
// Policy forbids the page to load anything), with figures drawn by Chart.js, which is inlined from
// the copy embedded at build time (sim/report/chartjs.hpp), and the data as a JSON blob.
//
// The reports only format estimates made elsewhere (summary.json's for a run, compare.json for a
// comparison); every figure has a table beside it with the same numbers, their observations, and
// "n/a" (with the reason) where a measure does not apply. All text is HTML-escaped.
//
// For the browser test, the page records its outcome on <body>: data-status="ok" once every chart
// is drawn (else "error: <message>", from a thrown error, window.onerror, an unhandled rejection
// or a blocked load), data-charts (charts drawn) and data-empty-charts (charts without a finite
// data point).
//
//   write_file_atomic("report.html", run_report_html(ctx, result, command_line));
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "sim/report/report.hpp"

namespace refsim {

/// The report of one run: the scenario's name, description and file, seed, replications, horizon,
/// warm-up, follow-up, refsim and Chart.js versions and `command_line`; utilization and mean wait
/// per agency with 95 % intervals; queues and the grounds-decision backlog over time (replication
/// 0's time series, when sampled); deadline compliance by cohort. Throws std::runtime_error when
/// the build embedded no Chart.js.
std::string run_report_html(const RunContext& ctx, const RunResult& res, const std::string& command_line);

/// The report of a comparison, drawn from the compare.json document alone (docs/report.md has its
/// shape): a forest plot of the paired differences of the key indicators, each variant's values
/// across replications for them, the key backlog over time per variant, and a table of every
/// indicator. Members documented as optional may be absent and any number may be null. Throws
/// std::runtime_error when the build embedded no Chart.js, std::invalid_argument when `compare`
/// lacks `variants` or `indicators`.
std::string compare_report_html(const nlohmann::ordered_json& compare);

/// The page of `refsim bottlenecks`, drawn from the bottlenecks.json document alone (with an added
/// "command_line"): person-days of waiting by agency and of transfer by referral, each with its
/// 95 % interval, the marginal effects of one more server or more beds per indicator (paired
/// differences with their intervals, those including 0 pale), and the capacity searches. Throws
/// std::runtime_error when the build embedded no Chart.js, std::invalid_argument when the document
/// lacks `attribution`.
std::string bottlenecks_report_html(const nlohmann::ordered_json& bottlenecks);

/// `text` with &, <, >, " and ' replaced by entities.
std::string html_escape(std::string_view text);

}  // namespace refsim
