#pragma once
// The after-action report / improvement plan (AAR/IP) of a tabletop exercise, in the HSEEP shape
// (docs/report.md, "After-action report"): the exercise overview, the timeline of injects and
// decisions on both clocks, expected versus recorded actions per inject (controller notes marked
// as such), the indicators before each decision with the story of every option and the paired
// differences of the options not taken, strengths and areas for improvement per objective, and an
// improvement-plan table pre-filled from the improvement notes, ready to fill in.
//
// Both functions only format what analyse() (sim/exercise/analysis.hpp) computed: no statistics
// here. Every figure says how many observations it rests on; a value that is not there is "n/a"
// with its reason, never 0. All text from the exercise file, the scenario and the log is escaped.
//
//   const refsim::ExerciseAnalysis a = refsim::analyse(exercise, scenario, records);
//   refsim::write_file_atomic(dir / "after-action.md", refsim::after_action_markdown(a));
//   refsim::write_file_atomic(dir / "after-action.html", refsim::after_action_html(a));
#include <string>

#include "sim/exercise/analysis.hpp"

namespace refsim {

/// GitHub-flavoured Markdown. Throws std::invalid_argument when `a.exercise` is null
/// (`a.scenario` may be null: agencies are then named by index and triggers are not described).
std::string after_action_markdown(const ExerciseAnalysis& a);

/// One self-contained HTML file (no URL of any kind; Chart.js inlined, as html.hpp's reports),
/// laid out for printing, with a chart of the paired differences per decision. The page records
/// its outcome on <body> as html.hpp's reports do (data-status, data-charts, data-empty-charts).
/// Throws std::invalid_argument when `a.exercise` is null, std::runtime_error when the build
/// embedded no Chart.js.
std::string after_action_html(const ExerciseAnalysis& a);

}  // namespace refsim
