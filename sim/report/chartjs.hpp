#pragma once
// Chart.js, embedded at build time from Debian's libjs-chart.js (the UMD build,
// /usr/share/javascript/chart.js/chart.min.js) into a file generated in the build directory
// (sim/report/chartjs.cpp.in). Internal to the report layer: html.cpp inlines it into each report.
#include <string_view>

namespace refsim {

/// The library's text, banner (copyright, MIT licence) included; empty when the build found no
/// Chart.js (CMake says so: install libjs-chart.js and configure again).
std::string_view chartjs_source();
/// "3.9.1", from the banner; empty when none was found.
std::string_view chartjs_version();

}  // namespace refsim
