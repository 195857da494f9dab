#include "sim/report/html.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <sstream>
#include <stdexcept>
#include <utility>
#include <vector>

#include "sim/experiment/applicability.hpp"
#include "sim/report/chartjs.hpp"
#include "sim/report/plan_report.hpp"
#include "sim/report/summary_document.hpp"
#include "sim/report/sweep_output.hpp"

namespace refsim {

using Json = nlohmann::ordered_json;

namespace {

// The page's own script: draws the figures described in the JSON blob #refsim-data with Chart.js
// and records the outcome on <body> (see html.hpp). Figures are of two kinds:
//   {"kind": "interval", "id", "rows": [label…], "axis", "min"?, "max"?, "reference"?,
//    "series": [{"label", "mean": […], "lo": […], "hi": […], "highlight"?: [bool…],
//                "samples"?: [[…]…]}]}
//     rows down a linear y axis (one tick per row), a floating bar [lo, hi] and a point at the
//     mean per row and series; `samples` adds each replication's value as a small point; a dashed
//     vertical line at `reference`; rows whose `highlight` is false are drawn pale.
//   {"kind": "line", "id", "xAxis", "yAxis", "series": [{"label", "x": […], "y": […], "bold"?}]}
//   {"kind": "frontier", "id", "xAxis", "yAxis", "points": [{"x", "y", "lo", "hi", "label", "frontier"}]}
//     every point at (x, y) with a vertical bar [lo, hi], and the frontier points joined by a line.
constexpr std::string_view kPageScript = R"js(
(function () {
  'use strict';
  var body = document.body;
  function fail(message) { body.dataset.status = 'error: ' + message; }
  window.addEventListener('error', function (e) { fail(e.message || String(e)); });
  window.addEventListener('unhandledrejection', function (e) { fail('unhandled rejection: ' + e.reason); });
  document.addEventListener('securitypolicyviolation', function (e) { fail('blocked ' + e.blockedURI); });
  var palette = ['#0072B2', '#D55E00', '#009E73', '#CC79A7', '#E69F00', '#56B4E9', '#000000', '#F0E442',
                 '#7F3C8D', '#11A579'];
  function color(i) { return palette[i % palette.length]; }
  function fade(hex, a) {
    var n = parseInt(hex.slice(1), 16);
    return 'rgba(' + (n >> 16) + ',' + ((n >> 8) & 255) + ',' + (n & 255) + ',' + a + ')';
  }
  function finite(v) { return typeof v === 'number' && isFinite(v); }
  function number(v) {
    if (!finite(v)) return 'n/a';
    var a = Math.abs(v);
    return a >= 100 ? v.toFixed(0) : a >= 10 ? v.toFixed(1) : a >= 1 ? v.toFixed(2) : String(+v.toPrecision(2));
  }
  function intervalChart(canvas, f) {
    var n = f.rows.length, k = f.series.length, datasets = [];
    var band = k > 1 ? 0.8 / k : 0;
    f.series.forEach(function (s, j) {
      var off = k > 1 ? (j - (k - 1) / 2) * band : 0, c = color(j), bars = [], colors = [], means = [], samples = [];
      for (var i = 0; i < n; i++) {
        var pale = s.highlight && s.highlight[i] === false;
        if (finite(s.lo[i]) && finite(s.hi[i])) {
          bars.push({y: i + off, x: [s.lo[i], s.hi[i]]});
          colors.push(fade(c, pale ? 0.15 : 0.45));
        }
        if (finite(s.mean[i])) means.push({x: s.mean[i], y: i + off});
        if (s.samples && s.samples[i]) {
          s.samples[i].forEach(function (v, r) {
            if (finite(v)) samples.push({x: v, y: i + off + (((r * 0.618034) % 1) - 0.5) * 0.5 * (band || 0.8)});
          });
        }
      }
      if (samples.length) {
        datasets.push({type: 'scatter', label: s.label + ': each replication', data: samples, pointRadius: 2.5,
                       backgroundColor: fade(c, 0.35), borderColor: fade(c, 0.6), order: 3});
      }
      datasets.push({type: 'bar', label: s.label + ': 95 % interval', data: bars, backgroundColor: colors,
                     borderColor: fade(c, 0.9), borderWidth: 1, barThickness: k > 1 ? 9 : 12,
                     order: 2});
      datasets.push({type: 'scatter', label: s.label + ': mean', data: means, pointRadius: 5, pointStyle: 'rectRot',
                     backgroundColor: c, borderColor: '#fff', borderWidth: 1, order: 1});
    });
    if (finite(f.reference)) {
      datasets.push({type: 'line', label: 'no difference', data: [{x: f.reference, y: -0.5}, {x: f.reference, y: n - 0.5}],
                     borderColor: '#444', borderDash: [5, 4], borderWidth: 1.5, pointRadius: 0, order: 0,
                     refsimReference: true});
    }
    return new Chart(canvas, {
      data: {datasets: datasets},
      options: {
        indexAxis: 'y', responsive: true, maintainAspectRatio: false, animation: false,
        plugins: {
          legend: {position: 'top', labels: {boxWidth: 14}},
          tooltip: {callbacks: {label: function (ctx) {
            var v = ctx.raw.x, row = f.rows[Math.round(ctx.raw.y)];
            return row + ' — ' + ctx.dataset.label + ': ' +
                   (Array.isArray(v) ? number(v[0]) + ' to ' + number(v[1]) : number(v));
          }}}
        },
        scales: {
          x: {type: 'linear', beginAtZero: false, min: f.min, max: f.max, title: {display: true, text: f.axis}},
          y: {type: 'linear', reverse: true, min: -0.5, max: n - 0.5, grid: {display: false},
              afterBuildTicks: function (axis) { axis.ticks = f.rows.map(function (_, i) { return {value: i}; }); },
              ticks: {autoSkip: false, callback: function (v) { return f.rows[v]; }}}
        }
      }
    });
  }
  function lineChart(canvas, f) {
    var datasets = f.series.map(function (s, j) {
      return {label: s.label, data: s.x.map(function (x, i) { return {x: x, y: s.y[i]}; }), borderColor: color(j),
              backgroundColor: color(j), borderWidth: s.bold ? 2.2 : 1.2, borderDash: j >= palette.length ? [6, 3] : [],
              pointRadius: 0, spanGaps: false};
    });
    return new Chart(canvas, {
      type: 'line',
      data: {datasets: datasets},
      options: {
        responsive: true, maintainAspectRatio: false, animation: false, parsing: true,
        interaction: {mode: 'nearest', axis: 'x', intersect: false},
        plugins: {legend: {position: 'top', labels: {boxWidth: 14}}},
        scales: {x: {type: 'linear', title: {display: true, text: f.xAxis}},
                 y: {type: 'linear', beginAtZero: true, title: {display: true, text: f.yAxis}}}
      }
    });
  }
  // {"kind": "sweep", "id", "xAxis", "yAxis", "categories"?: [label…],
  //  "series": [{"label", "x": […], "mean": […], "lo": […], "hi": […]}]}: an indicator against a
  //  swept parameter, the mean as a line with points and the 95 % interval as a bar at each x (x
  //  indexes `categories` when the parameter is not a number).
  function sweepChart(canvas, f) {
    var datasets = [], k = f.series.length;
    var xs = [];
    f.series.forEach(function (s) { s.x.forEach(function (x) { if (xs.indexOf(x) < 0) xs.push(x); }); });
    xs.sort(function (a, b) { return a - b; });
    var gap = Infinity;
    for (var i = 1; i < xs.length; i++) gap = Math.min(gap, xs[i] - xs[i - 1]);
    if (!isFinite(gap)) gap = 1;
    f.series.forEach(function (s, j) {
      var c = color(j), off = k > 1 ? (j - (k - 1) / 2) * gap * 0.6 / k : 0, means = [], bars = [];
      for (var i = 0; i < s.x.length; i++) {
        if (finite(s.mean[i])) means.push({x: s.x[i] + off, y: s.mean[i]});
        if (finite(s.lo[i]) && finite(s.hi[i])) bars.push({x: s.x[i] + off, y: [s.lo[i], s.hi[i]]});
      }
      datasets.push({type: 'line', label: s.label + ': mean', data: means, borderColor: c, backgroundColor: c,
                     borderWidth: 1.8, pointRadius: 3.5, order: 1});
      datasets.push({type: 'bar', label: s.label + ': 95 % interval', data: bars, backgroundColor: fade(c, 0.35),
                     borderColor: fade(c, 0.9), borderWidth: 1, barThickness: 7, grouped: false, order: 2});
    });
    var cats = f.categories;
    return new Chart(canvas, {
      data: {datasets: datasets},
      options: {
        responsive: true, maintainAspectRatio: false, animation: false,
        plugins: {legend: {position: 'top', labels: {boxWidth: 14}},
                  tooltip: {callbacks: {label: function (ctx) {
                    var v = ctx.raw.y;
                    return ctx.dataset.label + ': ' + (Array.isArray(v) ? number(v[0]) + ' to ' + number(v[1]) : number(v));
                  }}}},
        scales: {
          x: {type: 'linear', offset: true, title: {display: true, text: f.xAxis},
              afterBuildTicks: cats ? function (axis) { axis.ticks = cats.map(function (_, i) { return {value: i}; }); }
                                    : undefined,
              ticks: cats ? {autoSkip: false, callback: function (v) { return cats[v]; }} : {}},
          y: {type: 'linear', beginAtZero: false, title: {display: true, text: f.yAxis}}
        }
      }
    });
  }
  function frontierChart(canvas, f) {
    var all = [], bars = [], line = [];
    f.points.forEach(function (p) {
      if (!finite(p.x) || !finite(p.y)) return;
      all.push({x: p.x, y: p.y, label: p.label});
      if (finite(p.lo) && finite(p.hi)) bars.push({x: p.x, y: [p.lo, p.hi], label: p.label});
      if (p.frontier) line.push({x: p.x, y: p.y, label: p.label});
    });
    line.sort(function (a, b) { return a.x - b.x; });
    return new Chart(canvas, {
      data: {datasets: [
        {type: 'line', label: 'frontier (no cheaper portfolio gains as much)', data: line, borderColor: color(1),
         backgroundColor: color(1), borderWidth: 2, pointRadius: 5, order: 1},
        {type: 'scatter', label: 'portfolio: mean gain', data: all, pointRadius: 4, backgroundColor: color(0),
         borderColor: '#fff', borderWidth: 1, order: 2},
        {type: 'bar', label: '95 % interval', data: bars, backgroundColor: fade(color(0), 0.25),
         borderColor: fade(color(0), 0.6), borderWidth: 1, barThickness: 6, order: 3}
      ]},
      options: {
        responsive: true, maintainAspectRatio: false, animation: false,
        plugins: {legend: {position: 'top', labels: {boxWidth: 14}},
                  tooltip: {callbacks: {label: function (ctx) {
                    var v = ctx.raw.y;
                    return ctx.raw.label + ': ' + (Array.isArray(v) ? number(v[0]) + ' to ' + number(v[1]) : number(v)) +
                           ' at ' + number(ctx.raw.x);
                  }}}},
        scales: {x: {type: 'linear', beginAtZero: true, title: {display: true, text: f.xAxis}},
                 y: {type: 'linear', title: {display: true, text: f.yAxis}}}
      }
    });
  }
  function hasFinitePoint(chart) {
    return chart.data.datasets.some(function (d) {
      return !d.refsimReference && d.data.some(function (p) {
        if (finite(p)) return true;
        if (!p || typeof p !== 'object') return false;
        var x = p.x, y = p.y;
        var ok = function (v) { return finite(v) || (Array.isArray(v) && v.length === 2 && finite(v[0]) && finite(v[1])); };
        return ok(x) && ok(y);
      });
    });
  }
  try {
    if (typeof Chart === 'undefined') throw new Error('Chart.js did not load');
    var data = JSON.parse(document.getElementById('refsim-data').textContent);
    var charts = [], empty = 0;
    data.figures.forEach(function (f) {
      var canvas = document.getElementById(f.id);
      if (!canvas) throw new Error('no canvas for figure ' + f.id);
      var chart = f.kind === 'interval' ? intervalChart(canvas, f)
                : f.kind === 'sweep' ? sweepChart(canvas, f)
                : f.kind === 'frontier' ? frontierChart(canvas, f) : lineChart(canvas, f);
      charts.push(chart);
      if (!hasFinitePoint(chart) || chart.width === 0 || chart.height === 0) {
        empty++;
        canvas.parentNode.dataset.empty = 'true';
      }
    });
    body.dataset.charts = String(charts.length);
    body.dataset.emptyCharts = String(empty);
    if (!body.dataset.status) body.dataset.status = 'ok';
  } catch (e) {
    fail(e && e.message ? e.message : String(e));
  }
})();
)js";

constexpr std::string_view kStyle = R"css(
body { font-family: "DejaVu Sans", Arial, Helvetica, sans-serif; color: #1a1a1a; max-width: 1200px;
       margin: 0 auto; padding: 1em 2em 3em; line-height: 1.4; }
h1 { font-size: 1.7em; margin-bottom: 0.2em; }
h2 { font-size: 1.3em; margin-top: 2em; border-bottom: 1px solid #ccc; padding-bottom: 0.2em; }
h3 { font-size: 1.05em; margin-top: 1.5em; }
p.lead { font-size: 1.1em; color: #333; }
p.note, p.caption { color: #444; font-size: 0.92em; }
table { border-collapse: collapse; font-size: 0.88em; margin: 0.6em 0 1em; }
th, td { border: 1px solid #ccc; padding: 0.2em 0.55em; text-align: left; vertical-align: top; }
th { background: #f2f2f2; }
td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
td.na { color: #777; font-style: italic; }
table.meta th { width: 13em; }
.figure { position: relative; width: 100%; margin: 0.5em 0; }
.warning { background: #fff4d6; border-left: 4px solid #e0a400; padding: 0.4em 0.8em; }
.significant { font-weight: bold; }
details { margin: 0.5em 0 1em; }
summary { cursor: pointer; color: #0b5394; }
pre { background: #f7f7f7; padding: 0.8em; overflow-x: auto; font-size: 0.85em; white-space: pre-wrap; }
code { font-size: 0.92em; }
)css";

double number_of(const Json& j) { return j.is_number() ? j.get<double>() : std::nan(""); }

/// A number for a table: about three significant digits, "n/a" when not finite.
std::string fmt(double v) {
  if (!std::isfinite(v)) return "n/a";
  const double a = std::fabs(v);
  char buf[48];
  if (a >= 100) {
    std::snprintf(buf, sizeof buf, "%.0f", v);
  } else if (a >= 10) {
    std::snprintf(buf, sizeof buf, "%.1f", v);
  } else if (a >= 1 || a == 0) {
    std::snprintf(buf, sizeof buf, "%.2f", v);
  } else {
    std::snprintf(buf, sizeof buf, "%.2g", v);
  }
  std::string s = buf;
  return s == "-0" || s == "-0.00" ? s.substr(1) : s;
}

/// A count: rounded to a whole number; empty when not finite.
std::string fmt_count(double v) {
  if (!std::isfinite(v)) return "";
  char buf[48];
  std::snprintf(buf, sizeof buf, "%.0f", v);
  return buf;
}

std::string days(double d) { return fmt(d) + " days"; }

/// "lo – hi", or "n/a".
std::string fmt_interval(double lo, double hi) {
  if (!std::isfinite(lo) || !std::isfinite(hi)) return "n/a";
  return fmt(lo) + " – " + fmt(hi);
}

/// A JSON document that may sit inside <script>: "<" is written as \u003c, so that no "</script>"
/// (or "<!--") can end the element early; the text parses to the same value.
std::string script_json(const Json& j) {
  const std::string text = j.dump(-1, ' ', false, Json::error_handler_t::replace);
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    if (c == '<') {
      out += "\\u003c";
    } else {
      out += c;
    }
  }
  return out;
}

/// One row of an interval figure and of its table.
struct Row {
  std::string label;
  double mean = std::nan(""), lo = std::nan(""), hi = std::nan("");
  double n = std::nan("");  ///< observations
  double replications = std::nan("");
  std::string note;  ///< "n/a: …", "few observations", …
  bool highlight = true;
  std::vector<double> samples;
};

/// A cell from the estimate `e` of an indicator (summary.json's or sweep.json's shape: {"mean",
/// "ci95", "n", "replications", "few_observations"} or {"not_applicable"}; empty: the run has none).
SweepReportCell cell_of(const Json& e) {
  SweepReportCell c;
  if (e.empty()) return c;
  c.present = true;
  if (e.contains("not_applicable")) {
    c.applicable = false;
    c.not_applicable = e["not_applicable"].get<std::string>();
    return c;
  }
  c.mean = number_of(e.value("mean", Json()));
  if (e.contains("ci95") && e["ci95"].is_array() && e["ci95"].size() == 2) {
    c.lo = number_of(e["ci95"][0]);
    c.hi = number_of(e["ci95"][1]);
  }
  c.n = number_of(e.value("n", Json()));
  c.replications = number_of(e.value("replications", Json()));
  c.few = e.value("few_observations", false);
  return c;
}

/// A Row from a cell: its numbers, and the note "n/a: …" or "few observations".
Row row_of_cell(std::string label, const SweepReportCell& c) {
  Row r;
  r.label = std::move(label);
  if (!c.applicable) {
    r.note = "n/a: " + c.not_applicable;
    return r;
  }
  r.mean = c.mean;
  r.lo = c.lo;
  r.hi = c.hi;
  r.n = c.n;
  r.replications = c.replications;
  if (!std::isfinite(r.mean)) {
    r.note = "n/a: no observation";
  } else if (c.few) {
    r.note = "few observations";
  }
  return r;
}

/// A Row from a summary.json estimate ({"mean", "ci95", "n", "replications", …}), scaled by `scale`.
Row row_of(std::string label, const Json& e, double scale = 1) {
  Row r = row_of_cell(std::move(label), cell_of(e));
  r.mean *= scale;
  r.lo *= scale;
  r.hi *= scale;
  return r;
}

struct Series {
  std::string label;
  std::vector<Row> rows;  ///< one per figure row, in order
};

/// Builds a report page: a head, sections and the figures' data, then Chart.js and the script.
class Page {
 public:
  /// A page held in memory, returned by finish().
  explicit Page(const std::string& title) : out_(own_) { open(title); }
  /// A page written to `out` as it is made, the figures' data kept in `figures` (a scratch
  /// stream, read and write) until close() writes it: what the page holds at a time is one
  /// figure's data, not every figure's.
  Page(const std::string& title, std::ostream& out, std::iostream& figures) : out_(out), figure_scratch_(&figures) {
    open(title);
  }
  std::ostream& out() { return out_; }

 private:
  void open(const std::string& title) {
    if (chartjs_source().empty()) {
      throw std::runtime_error(
          "HTML report: this refsim was built without Chart.js (Debian package libjs-chart.js); install it "
          "(scripts/install-deps.sh) and run CMake again");
    }
    out_ << "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
         << "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
            "script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:\">\n"
         << "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
         << "<title>" << html_escape(title) << "</title>\n<style>" << kStyle << "</style>\n</head>\n<body>\n";
  }

 public:
  /// An interval figure: a canvas sized for the rows, its data, and a table of the same numbers.
  /// Rows without a finite mean in any series are left out of the chart and listed below it.
  void interval_figure(const std::string& title, const std::string& caption, const std::string& axis,
                       const std::vector<Series>& series, const Json& extra = Json::object()) {
    out_ << "<h3>" << html_escape(title) << "</h3>\n";
    if (!caption.empty()) out_ << "<p class=\"caption\">" << html_escape(caption) << "</p>\n";
    const std::size_t rows = series.empty() ? 0 : series.front().rows.size();
    std::vector<std::size_t> shown;
    std::vector<std::string> hidden;
    for (std::size_t i = 0; i < rows; ++i) {
      bool any = false, all = true;
      for (const Series& s : series) {
        any = any || std::isfinite(s.rows[i].mean);
        all = all && std::isfinite(s.rows[i].mean);
      }
      if (any) {
        shown.push_back(i);
      } else {
        hidden.push_back(series.front().rows[i].label);
      }
      (void)all;
    }
    if (!shown.empty()) {
      Json f;
      f["kind"] = "interval";
      f["id"] = next_id();
      f["axis"] = axis;
      Json labels = Json::array();
      for (std::size_t i : shown) {
        bool partial = false;
        for (const Series& s : series) partial = partial || !std::isfinite(s.rows[i].mean);
        labels.push_back(series.front().rows[i].label + (partial ? " (n/a in part)" : ""));
      }
      f["rows"] = std::move(labels);
      Json js = Json::array();
      for (const Series& s : series) {
        Json sj;
        sj["label"] = s.label;
        Json mean = Json::array(), lo = Json::array(), hi = Json::array(), hl = Json::array(), samples = Json::array();
        bool any_samples = false, any_pale = false;
        for (std::size_t i : shown) {
          const Row& r = s.rows[i];
          mean.push_back(number_or_null(r.mean));
          lo.push_back(number_or_null(r.lo));
          hi.push_back(number_or_null(r.hi));
          hl.push_back(r.highlight);
          any_pale = any_pale || !r.highlight;
          Json sam = Json::array();
          for (double v : r.samples) sam.push_back(number_or_null(v));
          any_samples = any_samples || !r.samples.empty();
          samples.push_back(std::move(sam));
        }
        sj["mean"] = std::move(mean);
        sj["lo"] = std::move(lo);
        sj["hi"] = std::move(hi);
        if (any_pale) sj["highlight"] = std::move(hl);
        if (any_samples) sj["samples"] = std::move(samples);
        js.push_back(std::move(sj));
      }
      f["series"] = std::move(js);
      f.update(extra);
      // Per row: 30 px for one series, 14 px more for each further one (bars 9 px thick, sides apart).
      bool strips = false;  // each replication's value as a point: rows 16 px taller
      for (const Series& sr : series)
        for (const Row& r : sr.rows) strips = strips || !r.samples.empty();
      const std::size_t height = 90 + shown.size() * (16 + 14 * series.size() + (strips ? 16 : 0));
      canvas(f["id"].get<std::string>(), std::max<std::size_t>(height, 180), title);
      add_figure(std::move(f));
    }
    if (!hidden.empty()) {
      std::string list;
      for (const std::string& h : hidden) list += (list.empty() ? "" : "; ") + h;
      out_ << "<p class=\"note\">Not drawn (not applicable or no observation; see the table): " << html_escape(list)
           << ".</p>\n";
    } else if (shown.empty()) {
      out_ << "<p class=\"note\">Nothing to draw.</p>\n";
    }
    table(series);
  }

  /// A line figure from `series` (label, x, y, bold) and a short table of each series.
  void line_figure(const std::string& title, const std::string& caption, const std::string& x_axis,
                   const std::string& y_axis, const Json& series) {
    out_ << "<h3>" << html_escape(title) << "</h3>\n";
    if (!caption.empty()) out_ << "<p class=\"caption\">" << html_escape(caption) << "</p>\n";
    Json f;
    f["kind"] = "line";
    f["id"] = next_id();
    f["xAxis"] = x_axis;
    f["yAxis"] = y_axis;
    f["series"] = series;
    canvas(f["id"].get<std::string>(), 420, title);
    add_figure(std::move(f));
    out_ << "<table>\n<tr><th>Series</th><th>Samples</th><th>Mean over time</th><th>Maximum</th>"
         << "<th>At the last sample</th></tr>\n";
    for (const Json& s : series) {
      double sum = 0, max = std::nan("");
      std::size_t n = 0;
      for (const Json& v : s["y"]) {
        const double d = number_of(v);
        if (!std::isfinite(d)) continue;
        sum += d;
        ++n;
        max = std::isfinite(max) ? std::max(max, d) : d;
      }
      const double last = s["y"].empty() ? std::nan("") : number_of(s["y"].back());
      out_ << "<tr><td>" << html_escape(s["label"].get<std::string>()) << "</td><td class=\"num\">" << n
           << "</td><td class=\"num\">" << fmt(n ? sum / static_cast<double>(n) : std::nan(""))
           << "</td><td class=\"num\">" << fmt(max) << "</td><td class=\"num\">" << fmt(last) << "</td></tr>\n";
    }
    out_ << "</table>\n";
  }

  /// A figure of another kind: its data (the "kind" and the members the page's script reads; the
  /// "id" is given here) on a canvas `height` pixels high.
  void figure(const std::string& title, const std::string& caption, Json f, std::size_t height) {
    out_ << "<h3>" << html_escape(title) << "</h3>\n";
    if (!caption.empty()) out_ << "<p class=\"caption\">" << html_escape(caption) << "</p>\n";
    f["id"] = next_id();
    canvas(f["id"].get<std::string>(), height, title);
    add_figure(std::move(f));
  }

  /// A frontier figure (see the script): `points` as the script takes them.
  void frontier_figure(const std::string& title, const std::string& caption, const std::string& x_axis,
                       const std::string& y_axis, const Json& points) {
    out_ << "<h3>" << html_escape(title) << "</h3>\n";
    if (!caption.empty()) out_ << "<p class=\"caption\">" << html_escape(caption) << "</p>\n";
    Json f;
    f["kind"] = "frontier";
    f["id"] = next_id();
    f["xAxis"] = x_axis;
    f["yAxis"] = y_axis;
    f["points"] = points;
    canvas(f["id"].get<std::string>(), 460, title);
    add_figure(std::move(f));
  }

  /// The figures' data, Chart.js and the page's script; the page is complete.
  std::string finish() {
    close();
    return own_.str();
  }

  /// The figures' data, Chart.js and the page's script, written to the page's stream: the page is
  /// complete. The data is {"figures": [...]} as one blob, the same bytes whether the figures were
  /// held in memory or in the scratch stream (a compact dump is its members' dumps joined).
  void close() {
    out_ << "<script type=\"application/json\" id=\"refsim-data\">";
    if (figure_scratch_) {
      figure_scratch_->flush();
      if (!*figure_scratch_)
        throw std::runtime_error("HTML report: the figures' scratch file: write failed (disk full?)");
      out_ << "{\"figures\":[";
      if (figures_written_ > 0) {
        figure_scratch_->seekg(0);
        out_ << figure_scratch_->rdbuf();
      }
      out_ << "]}";
    } else {
      Json data;
      data["figures"] = std::move(figures_);
      out_ << script_json(data);
    }
    out_ << "</script>\n";
    out_ << "<!-- Chart.js " << chartjs_version()
         << ", MIT licence (its banner below), inlined from Debian's libjs-chart.js -->\n<script>\n"
         << chartjs_source() << "\n</script>\n<script>" << kPageScript << "</script>\n</body>\n</html>\n";
  }

 private:
  std::string next_id() { return "figure-" + std::to_string(++figure_count_); }
  void canvas(const std::string& id, std::size_t height, const std::string& label) {
    out_ << "<div class=\"figure\" style=\"height:" << height << "px\"><canvas id=\"" << id
         << "\" role=\"img\" aria-label=\"" << html_escape(label)
         << " (the table below has the numbers)\"></canvas></div>\n";
  }
  void table(const std::vector<Series>& series) {
    if (series.empty()) return;
    const bool several = series.size() > 1;
    out_ << "<table>\n<tr><th></th>" << (several ? "<th>Series</th>" : "")
         << "<th>Mean</th><th>95 % interval</th><th>n (observations)</th><th>Replications</th><th>Note</th></tr>\n";
    for (std::size_t i = 0; i < series.front().rows.size(); ++i) {
      for (std::size_t k = 0; k < series.size(); ++k) {
        const Row& r = series[k].rows[i];
        const bool na = !std::isfinite(r.mean);
        out_ << "<tr>";
        if (k == 0) {
          out_ << "<th" << (several ? " rowspan=\"" + std::to_string(series.size()) + "\"" : "") << ">"
               << html_escape(r.label) << "</th>";
        }
        if (several) out_ << "<td>" << html_escape(series[k].label) << "</td>";
        out_ << "<td class=\"num" << (na ? " na" : "") << "\">" << fmt(r.mean) << "</td><td class=\"num\">"
             << fmt_interval(r.lo, r.hi) << "</td><td class=\"num\">" << fmt_count(r.n) << "</td><td class=\"num\">"
             << fmt_count(r.replications) << "</td><td" << (na ? " class=\"na\"" : "") << ">" << html_escape(r.note)
             << "</td></tr>\n";
      }
    }
    out_ << "</table>\n";
  }

  void add_figure(Json f) {
    if (figure_scratch_) {
      *figure_scratch_ << (figures_written_++ ? "," : "") << script_json(f);
    } else {
      figures_.push_back(std::move(f));
    }
  }

  std::ostringstream own_;  // the page, unless it is written to a stream of the caller's
  std::ostream& out_;
  std::iostream* figure_scratch_ = nullptr;
  Json figures_ = Json::array();
  int figure_count_ = 0;  // figures given ids
  int figures_written_ = 0;
};

/// A table of label → value rows (values already escaped HTML).
void meta_table(std::ostream& os, const std::vector<std::pair<std::string, std::string>>& rows) {
  os << "<table class=\"meta\">\n";
  for (const auto& [k, v] : rows) os << "<tr><th>" << html_escape(k) << "</th><td>" << v << "</td></tr>\n";
  os << "</table>\n";
}

/// The comment lines at the top of a scenario file (its description and sources), without "# ".
std::string header_comment(const std::string& file) {
  std::ifstream in(file);
  std::string line, out;
  while (std::getline(in, line)) {
    if (line.empty() && out.empty()) continue;
    if (line.rfind('#', 0) != 0) break;
    line.erase(0, line.size() > 1 && line[1] == ' ' ? 2 : 1);
    out += line + '\n';
  }
  return out;
}

}  // namespace

std::string html_escape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out += c;
    }
  }
  return out;
}

std::string run_report_html(const RunContext& ctx, const RunResult& res, const std::string& command_line) {
  const Scenario& s = ctx.scenario;
  const Json summary = summary_document(ctx, res);
  Page page(s.name + " — refsim run report");
  std::ostream& os = page.out();
  os << "<h1>" << html_escape(s.name) << "</h1>\n";
  if (!s.description.empty()) os << "<p class=\"lead\">" << html_escape(s.description) << "</p>\n";
  os << "<p class=\"note\">A simulation of the referral mechanism the scenario describes: " << ctx.replications
     << " independent replication(s); each figure gives the mean over them with its 95 % confidence interval, "
        "and the table under it the same numbers.</p>\n";
  const std::string warmup =
      days(s.run.warmup) + (ctx.warmup_rule.empty() ? "" : " (" + html_escape(ctx.warmup_rule) + ")");
  meta_table(os,
             {
                 {"Scenario file", "<code>" + html_escape(s.file) + "</code>"},
                 {"Seed", std::to_string(ctx.seed)},
                 {"Replications", std::to_string(ctx.replications)},
                 {"Horizon", days(s.run.horizon)},
                 {"Warm-up (not measured)", warmup},
                 {"Follow-up after the horizon", days(s.run.follow_up)},
                 {"Events processed", std::to_string(res.events_processed)},
                 {"refsim version", html_escape(REFSIM_VERSION)},
                 {"Charts drawn with", "Chart.js " + html_escape(std::string(chartjs_version())) + " (MIT licence)"},
                 {"Command line (to reproduce)", "<code>" + html_escape(command_line) + "</code>"},
             });
  for (const std::string& w : ctx.warnings) os << "<p class=\"warning\">Warning: " << html_escape(w) << "</p>\n";
  if (const std::string header = header_comment(s.file); !header.empty()) {
    os << "<details><summary>Sources and notes (the scenario file's header)</summary><pre>" << html_escape(header)
       << "</pre></details>\n";
  }

  // Agencies.
  os << "<h2>Agencies</h2>\n";
  Series util{"Utilization", {}}, wait{"Mean wait", {}};
  for (const Agency& a : s.agencies) {
    const Json& aj = summary["agencies"][a.id];
    const std::string label = a.name.empty() ? a.id : a.name;
    util.rows.push_back(row_of(label, aj["utilization"], 100));
    if (a.unlimited && util.rows.back().note.rfind("n/a", 0) != 0) util.rows.back().note = "n/a: no limit on servers";
    wait.rows.push_back(row_of(label, aj["mean_wait_days"]));
  }
  page.interval_figure("Utilization per agency",
                       "Busy server (or bed) time as a share of the staffed time in the measured window, with its 95 % "
                       "confidence interval over the replications; n counts the visits that arrived.",
                       "Utilization (% of staffed time busy)", {util}, Json{{"min", 0}, {"max", 100}});
  page.interval_figure(
      "Mean wait per agency",
      "From arrival at the agency to the start of service, over the visits that arrived in the measured "
      "window; n counts those visits.",
      "Mean wait (days)", {wait}, Json{{"min", 0}});

  // Backlog and queues over time.
  os << "<h2>Backlog and queues over time</h2>\n";
  static const TimeSeries kNone;
  const TimeSeries& ts = res.replications.empty() ? kNone : res.replications.front().timeseries;
  if (ts.times.empty()) {
    os << "<p class=\"note\">No time series was sampled (the run used <code>--sample 0</code>).</p>\n";
  } else {
    Json series = Json::array();
    Json t = Json::array();
    for (Time x : ts.times) t.push_back(x);
    Json backlog = Json::array();
    for (std::uint32_t v : ts.grounds_backlog) backlog.push_back(v);
    series.push_back(
        {{"label", "Grounds-decision backlog (waiting or being decided)"}, {"x", t}, {"y", backlog}, {"bold", true}});
    const std::size_t agencies = s.agencies.size();
    std::vector<std::string> never;
    for (std::size_t a = 0; a < agencies; ++a) {
      Json q = Json::array();
      bool any = false;
      for (std::size_t k = 0; k < ts.times.size(); ++k) {
        const std::uint32_t v = ts.queue[k * agencies + a];
        any = any || v > 0;
        q.push_back(v);
      }
      const std::string label = s.agencies[a].name.empty() ? s.agencies[a].id : s.agencies[a].name;
      if (any) {
        series.push_back({{"label", "Queue: " + label}, {"x", t}, {"y", std::move(q)}});
      } else {
        never.push_back(label);
      }
    }
    page.line_figure("Persons waiting over time (replication 0)",
                     "Sampled every " + fmt(ts.times.size() > 1 ? ts.times[1] - ts.times[0] : 0) +
                         " days from day 0 (the warm-up included, which ends at day " + fmt(s.run.warmup) +
                         ") to the horizon; one replication, so no interval. Click a legend entry to hide a series.",
                     "Day of the simulated run (days)", "Persons (cases)", series);
    if (!never.empty()) {
      std::string list;
      for (const std::string& n : never) list += (list.empty() ? "" : "; ") + n;
      os << "<p class=\"note\">Never a queue (not drawn): " << html_escape(list) << ".</p>\n";
    }
  }

  // Deadlines by cohort.
  os << "<h2>Deadline compliance by cohort</h2>\n";
  if (s.deadlines.empty()) {
    os << "<p class=\"note\">The scenario declares no deadlines.</p>\n";
  } else {
    std::vector<Series> series;
    for (const Deadline& d : s.deadlines) {
      const Json& dj = summary["deadlines"][d.id];
      Series sr{d.id, {}};
      sr.rows.push_back(row_of("All persons", dj["compliance"], 100));
      for (std::size_t c = 0; c < s.cohorts.count(); ++c)
        sr.rows.push_back(row_of(s.cohorts.name(c), dj["cohorts"][s.cohorts.name(c)]["compliance"], 100));
      for (Row& r : sr.rows) {
        if (r.note == "n/a: no observation") r.note = "n/a: no case of this cohort was measured";
      }
      series.push_back(std::move(sr));
    }
    page.interval_figure("Deadline compliance by cohort",
                         "Share of the measured cases (met or breached; cohorts as at entry) whose deadline was met, "
                         "with its 95 % interval; n counts the cases measured. A cohort with no case measured is n/a, "
                         "not 0.",
                         "Compliance (% of cases measured)", series, Json{{"min", 0}, {"max", 100}});
  }
  os << "<p class=\"note\">Made by refsim " << html_escape(REFSIM_VERSION)
     << ". Every number here is also in summary.json and the CSV files of the run.</p>\n";
  return page.finish();
}

namespace {

/// `j[key]` when it is there and an object, else an empty object.
const Json& member(const Json& j, const char* key) {
  static const Json kEmpty = Json::object();
  if (!j.is_object()) return kEmpty;
  auto it = j.find(key);
  return it != j.end() && it->is_object() ? *it : kEmpty;
}
std::string text_of(const Json& j, const char* key, const std::string& otherwise = "") {
  if (!j.is_object()) return otherwise;
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) return otherwise;
  return it->is_string() ? it->get<std::string>() : it->dump();
}
/// Why an entry is not a number: its not_applicable or missing member ("" when it is one).
std::string why_not(const Json& v) {
  if (!v.is_object()) return "missing";
  if (v.contains("not_applicable")) return "n/a: " + text_of(v, "not_applicable");
  if (v.contains("missing")) return "missing: " + text_of(v, "missing");
  return "";
}
/// The interval [lo, hi] in `j[key]`, or NaNs.
std::pair<double, double> interval_of(const Json& j, const char* key) {
  if (!j.is_object() || !j.contains(key) || !j[key].is_array() || j[key].size() != 2)
    return {std::nan(""), std::nan("")};
  return {number_of(j[key][0]), number_of(j[key][1])};
}

}  // namespace

std::string compare_report_html(const Json& compare) {
  if (!compare.is_object() || !compare.contains("variants") || !compare["variants"].is_array() ||
      !compare.contains("indicators") || !compare["indicators"].is_object()) {
    throw std::invalid_argument("compare report: the document has no 'variants' array or no 'indicators' object");
  }
  std::vector<std::string> variants;
  for (const Json& v : compare["variants"]) variants.push_back(v.get<std::string>());
  const std::string baseline = text_of(compare, "baseline", variants.empty() ? "" : variants.front());
  const Json& names = member(compare, "names");
  auto name_of = [&](const std::string& key) { return text_of(names, key.c_str(), key); };
  std::vector<std::string> others;
  for (const std::string& v : variants) {
    if (v != baseline) others.push_back(v);
  }

  std::string title = "Comparison: " + name_of(baseline);
  for (const std::string& v : others) title += " vs " + name_of(v);
  Page page(title + " — refsim");
  std::ostream& os = page.out();
  os << "<h1>" << html_escape(title) << "</h1>\n";
  os << "<p class=\"lead\">What changes against the baseline <strong>" << html_escape(name_of(baseline))
     << "</strong> when the mechanism is run as each variant, estimated on paired replications.</p>\n";

  // Variants and provenance.
  os << "<h2>Variants</h2>\n<table>\n<tr><th>Variant</th><th>Scenario</th><th>File</th><th>Description</th></tr>\n";
  for (const std::string& v : variants) {
    os << "<tr><td><code>" << html_escape(v) << "</code>" << (v == baseline ? " (baseline)" : "") << "</td><td>"
       << html_escape(name_of(v)) << "</td><td><code>" << html_escape(text_of(member(compare, "files"), v.c_str()))
       << "</code></td><td>" << html_escape(text_of(member(compare, "descriptions"), v.c_str())) << "</td></tr>\n";
  }
  os << "</table>\n";
  const Json& stopping = member(compare, "stopping");
  std::string stop = html_escape(text_of(stopping, "rule", "not stated"));
  if (text_of(stopping, "rule") == "precision") {
    stop += ": until the 95 % half-width of " + html_escape(text_of(stopping, "indicator")) + " is at most " +
            html_escape(text_of(stopping, "half_width")) + " (at most " +
            html_escape(text_of(stopping, "max_replications")) + " replications; " +
            (stopping.value("reached", false) ? "reached" : "<strong>not reached</strong>") + ")";
  }
  const Json& mc = member(compare, "multiple_comparisons");
  std::vector<std::pair<std::string, std::string>> meta{
      {"Seed", html_escape(text_of(compare, "seed", "not stated"))},
      {"Replications", html_escape(text_of(compare, "replications", "not stated"))},
      {"Common random numbers", compare.value("common_random_numbers", false) ? "yes (paired replications)" : "no"},
      {"Stopping rule", stop},
  };
  if (!mc.empty()) {
    meta.emplace_back("Multiple comparisons",
                      html_escape(text_of(mc, "method")) + ", " + html_escape(text_of(mc, "comparisons")) +
                          " comparisons, familywise level " + html_escape(text_of(mc, "familywise_level")));
  }
  meta.emplace_back("refsim version", html_escape(text_of(compare, "refsim_version", "not stated")));
  meta.emplace_back("Charts drawn with", "Chart.js " + html_escape(std::string(chartjs_version())) + " (MIT licence)");
  meta.emplace_back("Command line (to reproduce)",
                    "<code>" + html_escape(text_of(compare, "command_line")) + "</code>");
  meta_table(os, meta);

  if (const Json& sel = member(compare, "selection"); !sel.empty()) {
    os << "<h2>Selection of the best variant</h2>\n";
    os << "<p>" << html_escape(text_of(sel, "procedure", "A ranking-and-selection procedure")) << " on <code>"
       << html_escape(text_of(sel, "indicator")) << "</code> (goal: " << html_escape(text_of(sel, "goal"))
       << ", indifference zone " << html_escape(text_of(sel, "indifference_zone")) << "): best <strong>"
       << html_escape(name_of(text_of(sel, "best"))) << "</strong>.</p>\n";
    os << "<table>\n<tr><th>Variant</th><th>Replications used</th><th>Eliminated after</th></tr>\n";
    for (const std::string& v : variants) {
      os << "<tr><td>" << html_escape(name_of(v)) << "</td><td class=\"num\">"
         << html_escape(text_of(member(sel, "replications_used"), v.c_str())) << "</td><td class=\"num\">"
         << html_escape(text_of(member(sel, "eliminated"), v.c_str(), "—")) << "</td></tr>\n";
    }
    os << "</table>\n";
  }

  // The key indicators: flagged `key`, else the first ten.
  const Json& indicators = compare["indicators"];
  std::vector<std::string> key;
  for (auto it = indicators.begin(); it != indicators.end(); ++it) {
    if (it->is_object() && it->value("key", false)) key.push_back(it.key());
  }
  for (auto it = indicators.begin(); key.empty() && it != indicators.end(); ++it) {
    if (key.size() < 10) key.push_back(it.key());
  }
  if (key.empty() && indicators.size() > 0) key.push_back(indicators.begin().key());
  auto label_of = [&](const std::string& id) { return text_of(indicators[id], "label", id); };
  auto unit_of = [&](const std::string& id) { return text_of(indicators[id], "unit", "no unit"); };

  os << "<h2>Paired differences (variant − baseline)</h2>\n";
  os << "<p class=\"caption\">Each row is a key indicator: the mean difference between the variant and the baseline "
        "over paired replications, with its 95 % interval"
     << (mc.empty() ? ""
                    : ", widened for multiple comparisons (" + html_escape(text_of(mc, "method")) + ") where given")
     << ". Intervals that exclude 0 (significant) are drawn dark, the others pale. One panel per unit.</p>\n";
  std::map<std::string, std::vector<std::string>> by_unit;
  std::vector<std::string> unit_order;
  for (const std::string& id : key) {
    if (!by_unit.count(unit_of(id))) unit_order.push_back(unit_of(id));
    by_unit[unit_of(id)].push_back(id);
  }
  for (const std::string& unit : unit_order) {
    std::vector<Series> series;
    for (const std::string& v : others) {
      Series sr{name_of(v), {}};
      for (const std::string& id : by_unit[unit]) {
        Row r;
        r.label = label_of(id);
        const Json& d = member(member(indicators[id], "difference"), v.c_str());
        if (const std::string why = why_not(d); !why.empty()) {
          r.note = why;
        } else {
          r.mean = number_of(d.value("mean", Json()));
          auto [lo, hi] = interval_of(d, d.contains("ci95_adjusted") ? "ci95_adjusted" : "ci95");
          r.lo = lo;
          r.hi = hi;
          r.replications = number_of(d.value("replications", Json()));  // the pairs behind it
          r.highlight = d.value("significant", false);
          r.note = r.highlight ? "significant" : "not significant";
          if (const double rel = number_of(d.value("relative", Json())); std::isfinite(rel))
            r.note += "; " + std::string(rel > 0 ? "+" : "") + fmt(rel * 100) + " % relative to the baseline";
        }
        sr.rows.push_back(std::move(r));
      }
      series.push_back(std::move(sr));
    }
    page.interval_figure("Differences in " + unit, "", "Difference, variant − baseline (" + unit + ")", series,
                         Json{{"reference", 0}});
  }

  os << "<h2>Each variant across replications</h2>\n<p class=\"caption\">For each key indicator, every "
        "replication's value (small points), the mean (diamond) and its 95 % interval (bar), per variant.</p>\n";
  for (const std::string& id : key) {
    Series sr{"Variant", {}};
    const Json& values = member(indicators[id], "values");
    for (const std::string& v : variants) {
      const Json& e = member(values, v.c_str());
      Row r;
      if (const std::string why = why_not(e); !why.empty()) {
        r.label = name_of(v);
        r.note = why;
      } else {
        r = row_of(name_of(v), e);
        if (e.contains("samples") && e["samples"].is_array()) {
          for (const Json& x : e["samples"]) r.samples.push_back(number_of(x));
        }
      }
      sr.rows.push_back(std::move(r));
    }
    page.interval_figure(label_of(id) + " (" + unit_of(id) + ")", "", label_of(id) + " (" + unit_of(id) + ")", {sr});
  }

  if (const Json& ts = member(compare, "timeseries"); !ts.empty()) {
    os << "<h2>" << html_escape(text_of(ts, "label", "Time series")) << "</h2>\n";
    Json series = Json::array();
    const Json& per = member(ts, "series");
    for (const std::string& v : variants) {
      const Json& sj = member(per, v.c_str());
      if (!sj.contains("t") || !sj.contains("value")) continue;
      Json y = Json::array();
      for (const Json& x : sj["value"]) y.push_back(number_or_null(number_of(x)));
      series.push_back({{"label", name_of(v)}, {"x", sj["t"]}, {"y", std::move(y)}, {"bold", v == baseline}});
    }
    if (series.empty()) {
      os << "<p class=\"note\">No variant has a time series.</p>\n";
    } else {
      page.line_figure(text_of(ts, "label", "Time series") + ", per variant", "", "Day of the simulated run (days)",
                       text_of(ts, "label", "value") + " (" + text_of(ts, "unit", "no unit") + ")", series);
    }
  }

  // Every indicator.
  os << "<h2>All indicators</h2>\n<details><summary>Show the table of all " << indicators.size()
     << " indicators</summary>\n<table>\n<tr><th>Indicator</th><th>Unit</th>";
  for (const std::string& v : variants) os << "<th>" << html_escape(name_of(v)) << ": mean (95 % interval)</th>";
  for (const std::string& v : others) os << "<th>" << html_escape(name_of(v)) << " − baseline</th>";
  os << "</tr>\n";
  for (auto it = indicators.begin(); it != indicators.end(); ++it) {
    os << "<tr><td>" << html_escape(text_of(*it, "label", it.key())) << "<br><code>" << html_escape(it.key())
       << "</code></td><td>" << html_escape(text_of(*it, "unit")) << "</td>";
    for (const std::string& v : variants) {
      const Json& e = member(member(*it, "values"), v.c_str());
      if (const std::string why = why_not(e); !why.empty()) {
        os << "<td class=\"na\">" << html_escape(why) << "</td>";
        continue;
      }
      auto [lo, hi] = interval_of(e, "ci95");
      os << "<td class=\"num\">" << fmt(number_of(e.value("mean", Json()))) << " (" << fmt_interval(lo, hi)
         << ")<br>n = " << html_escape(text_of(e, "n", "?")) << "</td>";
    }
    for (const std::string& v : others) {
      const Json& d = member(member(*it, "difference"), v.c_str());
      if (const std::string why = why_not(d); !why.empty()) {
        os << "<td class=\"na\">" << html_escape(why) << "</td>";
        continue;
      }
      const bool adjusted = d.contains("ci95_adjusted");
      auto [lo, hi] = interval_of(d, adjusted ? "ci95_adjusted" : "ci95");
      const bool sig = d.value("significant", false);
      os << "<td class=\"num" << (sig ? " significant" : "") << "\">" << fmt(number_of(d.value("mean", Json()))) << " ("
         << fmt_interval(lo, hi) << (adjusted ? ", adjusted" : "") << ")" << (sig ? " *" : "") << "</td>";
    }
    os << "</tr>\n";
  }
  os << "</table>\n<p class=\"note\">* significant: the interval excludes 0.</p>\n</details>\n";
  os << "<p class=\"note\">Made by refsim " << html_escape(text_of(compare, "refsim_version", "")) << ".</p>\n";
  return page.finish();
}

namespace {

const Json& list_of(const Json& j, const char* key) {
  static const Json kEmpty = Json::array();
  const auto it = j.find(key);
  return it != j.end() && it->is_array() ? *it : kEmpty;
}

std::string sweep_title(const Json& head) {
  const Json& scenario = member(head, "scenario");
  return text_of(scenario, "name", text_of(scenario, "file", "a scenario"));
}

/// The sweep page's body (everything but Page's head and tail), from `src` a column at a time.
void sweep_report_body(Page& page, const SweepReportSource& src) {
  const Json& sweep = src.head;
  const Json& scenario = member(sweep, "scenario");
  const std::string name = sweep_title(sweep);
  std::ostream& os = page.out();
  os << "<h1>Sweep: " << html_escape(name) << "</h1>\n";
  std::vector<std::string> paths;
  for (const Json& axis : sweep["axes"]) {
    for (const Json& p : axis) paths.push_back(p.value("path", std::string()));
  }
  std::string swept;
  for (const std::string& p : paths) swept += (swept.empty() ? "" : ", ") + p;
  const Json& runs = src.runs;
  os << "<p class=\"lead\">" << runs.size() << " runs of the scenario, each with other values of <code>"
     << html_escape(swept) << "</code>, every run on the same replications (common random numbers: replication r "
     << "of every run meets the same persons with the same draws wherever the change does not reach).</p>\n";
  std::string where;
  for (const Json& w : list_of(sweep, "where")) where += (where.empty() ? "" : "; ") + w.get<std::string>();
  std::string sets;
  for (const Json& w : list_of(sweep, "set")) sets += (sets.empty() ? "" : "; ") + w.get<std::string>();
  meta_table(
      os,
      {
          {"Scenario file", "<code>" + html_escape(text_of(scenario, "file")) + "</code>"},
          {"Scenario fingerprint", "<code>" + html_escape(text_of(scenario, "fingerprint")) + "</code>"},
          {"Seed", html_escape(text_of(sweep, "seed"))},
          {"Replications per run", html_escape(text_of(sweep, "replications"))},
          {"Runs", std::to_string(runs.size()) + " of " + html_escape(text_of(sweep, "combinations")) +
                       " combinations (" + html_escape(text_of(sweep, "dropped", "0")) + " dropped by the constraint)"},
          {"Constraint", where.empty() ? "none" : html_escape(where)},
          {"Fixed overrides", sets.empty() ? "none" : "<code>" + html_escape(sets) + "</code>"},
          {"Sweep identity", "<code>" + html_escape(text_of(sweep, "identity")) + "</code>"},
          {"refsim version", html_escape(text_of(sweep, "refsim_version"))},
          {"Charts drawn with", "Chart.js " + html_escape(std::string(chartjs_version())) + " (MIT licence)"},
      });
  if (!list_of(sweep, "missing").empty()) {
    os << "<p class=\"warning\">" << list_of(sweep, "missing").size()
       << " runs are missing: the figures and tables leave them out (see the list of runs).</p>\n";
  }

  // The indicators drawn: those chosen, else the key ones (SweepResultsWriter keeps the same).
  std::vector<const Json*> drawn;
  const Json& chosen = list_of(sweep, "chosen_indicators");
  for (const Json& d : sweep["indicators"]) {
    const std::string n = d.value("name", std::string());
    const bool pick = chosen.empty() ? d.value("key", false)
                                     : std::any_of(chosen.begin(), chosen.end(), [&](const Json& c) { return c == n; });
    if (pick) drawn.push_back(&d);
  }
  if (drawn.size() > kSweepReportMaxFigures) drawn.resize(kSweepReportMaxFigures);

  // x: the first swept parameter; a line per combination of the parameters of the other axes.
  const Json& first_axis = sweep["axes"].at(0);
  const std::string x_path = first_axis.at(0).value("path", std::string());
  std::vector<std::string> x_values;
  for (const Json& v : first_axis.at(0).at("values")) x_values.push_back(v.get<std::string>());
  bool numeric = true;
  for (const std::string& v : x_values) {
    char* end = nullptr;
    std::strtod(v.c_str(), &end);
    numeric = numeric && !v.empty() && end && *end == '\0';
  }
  std::vector<std::string> others;
  for (std::size_t a = 1; a < sweep["axes"].size(); ++a) {
    for (const Json& p : sweep["axes"][a]) others.push_back(p.value("path", std::string()));
  }
  std::string x_label = x_path;
  for (std::size_t k = 1; k < first_axis.size(); ++k)
    x_label += " (with " + first_axis[k].value("path", std::string()) + ")";
  std::vector<std::string> series_labels;
  std::vector<std::size_t> series_of(runs.size());
  for (std::size_t i = 0; i < runs.size(); ++i) {
    std::string label;
    for (const std::string& p : others) {
      label += (label.empty() ? "" : ", ") + p + " = " + runs[i]["values"].value(p, std::string());
    }
    if (label.empty()) label = "every run";
    const auto it = std::find(series_labels.begin(), series_labels.end(), label);
    series_of[i] = static_cast<std::size_t>(it - series_labels.begin());
    if (it == series_labels.end()) series_labels.push_back(label);
  }
  os << "<h2>Indicators against " << html_escape(x_path) << "</h2>\n";
  if (drawn.empty()) os << "<p class=\"note\">No indicator to draw.</p>\n";
  std::vector<SweepReportCell> cells;
  for (std::size_t j = 0; j < drawn.size(); ++j) {
    const Json* d = drawn[j];
    const std::string n = d->value("name", std::string());
    const std::string unit = d->value("unit", std::string());
    src.column(j, n, cells);
    if (cells.size() != runs.size()) throw std::logic_error("sweep report: a column without a cell per run");
    Json f;
    f["kind"] = "sweep";
    f["xAxis"] = x_label;
    f["yAxis"] = d->value("label", n) + (unit.empty() ? "" : " (" + unit + ")");
    if (!numeric) f["categories"] = x_values;
    Json series = Json::array();
    for (const std::string& l : series_labels)
      series.push_back(Json{
          {"label", l}, {"x", Json::array()}, {"mean", Json::array()}, {"lo", Json::array()}, {"hi", Json::array()}});
    std::vector<Row> rows(runs.size());
    for (std::size_t i = 0; i < runs.size(); ++i) {
      const std::string xv = runs[i]["values"].value(x_path, std::string());
      Row& row = rows[i];
      if (src.missing(i)) {
        row.note = "missing run";
      } else if (cells[i].present) {
        row = row_of_cell(xv, cells[i]);
      } else {
        row.note = "n/a: no such indicator in this run";
      }
      const std::size_t pos =
          static_cast<std::size_t>(std::find(x_values.begin(), x_values.end(), xv) - x_values.begin());
      Json& s = series[series_of[i]];
      s["x"].push_back(numeric ? Json(std::strtod(xv.c_str(), nullptr)) : Json(pos));
      s["mean"].push_back(number_or_null(row.mean));
      s["lo"].push_back(number_or_null(row.lo));
      s["hi"].push_back(number_or_null(row.hi));
    }
    f["series"] = std::move(series);
    page.figure(d->value("label", n),
                "Indicator " + n + ": the mean over the replications of each run, with its 95 % interval.",
                std::move(f), 380);
    os << "<table>\n<tr><th>" << html_escape(x_path) << "</th>" << (others.empty() ? "" : "<th>Line</th>")
       << "<th>Run</th><th>Mean</th><th>95 % interval</th><th>n (observations)</th><th>Replications</th>"
       << "<th>Note</th></tr>\n";
    for (std::size_t i = 0; i < runs.size(); ++i) {
      const Row& row = rows[i];
      const bool na = !std::isfinite(row.mean);
      os << "<tr><td class=\"num\">" << html_escape(runs[i]["values"].value(x_path, std::string())) << "</td>"
         << (others.empty() ? "" : "<td>" + html_escape(series_labels[series_of[i]]) + "</td>") << "<td><code>"
         << html_escape(runs[i].value("id", std::string())) << "</code></td><td class=\"num" << (na ? " na" : "")
         << "\">" << fmt(row.mean) << "</td><td class=\"num\">" << fmt_interval(row.lo, row.hi)
         << "</td><td class=\"num\">" << fmt_count(row.n) << "</td><td class=\"num\">" << fmt_count(row.replications)
         << "</td><td" << (na ? " class=\"na\"" : "") << ">" << html_escape(row.note) << "</td></tr>\n";
    }
    os << "</table>\n";
  }

  os << "<h2>Runs</h2>\n<table>\n<tr><th>Index</th><th>Run id</th>";
  for (const std::string& p : paths) os << "<th>" << html_escape(p) << "</th>";
  os << "<th>Note</th></tr>\n";
  for (std::size_t i = 0; i < runs.size(); ++i) {
    const Json& r = runs[i];
    os << "<tr><td class=\"num\">" << html_escape(text_of(r, "index")) << "</td><td><code>"
       << html_escape(r.value("id", std::string())) << "</code></td>";
    for (const std::string& p : paths) os << "<td>" << html_escape(r["values"].value(p, std::string())) << "</td>";
    os << "<td>" << (src.missing(i) ? "missing" : "") << "</td></tr>\n";
  }
  os << "</table>\n";
}

}  // namespace

std::string sweep_report_html(const Json& sweep) {
  if (!sweep.is_object() || !sweep.contains("runs") || !sweep.contains("axes") || !sweep.contains("indicators")) {
    throw std::invalid_argument("sweep report: the document has no 'runs', 'axes' or 'indicators'");
  }
  const Json& runs = sweep["runs"];
  const SweepReportSource source{sweep, runs, [&](std::size_t i) { return runs[i].value("missing", false); },
                                 [&](std::size_t, const std::string& name, std::vector<SweepReportCell>& cells) {
                                   cells.clear();
                                   for (const Json& r : runs)
                                     cells.push_back(cell_of(member(member(r, "indicators"), name.c_str())));
                                 }};
  Page page("Sweep: " + sweep_title(sweep) + " — refsim");
  sweep_report_body(page, source);
  return page.finish();
}

void write_sweep_report_html(std::ostream& out, std::iostream& figures, const SweepReportSource& source) {
  Page page("Sweep: " + sweep_title(source.head) + " — refsim", out, figures);
  sweep_report_body(page, source);
  page.close();
}

namespace {

/// `j[key]` when it is an array, else an empty one.
const Json& array_member(const Json& j, const char* key) {
  static const Json kEmpty = Json::array();
  if (!j.is_object()) return kEmpty;
  auto it = j.find(key);
  return it != j.end() && it->is_array() ? *it : kEmpty;
}

/// "12,500": an amount of money in whole units; "" when not finite.
std::string fmt_money(double v) {
  if (!std::isfinite(v)) return "";
  const std::string digits = fmt_count(std::fabs(v));
  std::string out;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return (v <= -0.5 ? "-" : "") + out;
}

}  // namespace

std::string plan_report_html(const Json& plan) {
  if (!plan.is_object() || !plan.contains("portfolios") || !plan["portfolios"].is_array()) {
    throw std::invalid_argument("plan report: the document has no 'portfolios' array");
  }
  const std::string scenario = text_of(plan, "scenario", "a scenario");
  const Json& ind = member(plan, "indicator");
  const std::string indicator = text_of(ind, "label", text_of(ind, "name"));
  const std::string unit = text_of(ind, "unit");
  const std::string currency = text_of(plan, "currency");
  Page page("Plan: " + scenario + " — refsim");
  std::ostream& os = page.out();
  os << "<h1>Plan: " << html_escape(scenario) << "</h1>\n";
  os << "<p class=\"lead\">Which portfolio of interventions, within a budget of "
     << html_escape(fmt_money(number_of(plan.value("budget", Json())))) << " " << html_escape(currency)
     << ", gains most on <strong>" << html_escape(indicator) << "</strong> ("
     << html_escape(text_of(ind, "better", "larger")) << " is better), each run on the same paired replications as "
     << "doing nothing.</p>\n";
  const Json& mc = member(plan, "multiple_comparisons");
  meta_table(os,
             {
                 {"Scenario file", "<code>" + html_escape(text_of(plan, "file")) + "</code>"},
                 {"Indicator", "<code>" + html_escape(text_of(ind, "name")) + "</code>" +
                                   (unit.empty() ? "" : " (" + html_escape(unit) + ")")},
                 {"Method", html_escape(text_of(plan, "method")) + " (docs/plan.md)"},
                 {"Seed", html_escape(text_of(plan, "seed"))},
                 {"Replications per portfolio", html_escape(text_of(plan, "replications"))},
                 {"Multiple comparisons", html_escape(text_of(mc, "comparisons")) +
                                              " portfolios against doing nothing; the table gives Bonferroni "
                                              "intervals too"},
                 {"Costs", "one-off + yearly × the years each runs within the measured period (day " +
                               html_escape(fmt(number_of(member(plan, "cost_period").value("from_days", Json())))) +
                               " to day " +
                               html_escape(fmt(number_of(member(plan, "cost_period").value("to_days", Json())))) + ")"},
                 {"refsim version", html_escape(text_of(plan, "refsim_version", "not stated"))},
                 {"Charts drawn with", "Chart.js " + html_escape(std::string(chartjs_version())) + " (MIT licence)"},
                 {"Command line (to reproduce)", "<code>" + html_escape(text_of(plan, "command_line")) + "</code>"},
             });

  // The interventions.
  os << "<h2>Interventions</h2>\n<table>\n<tr><th>Id</th><th>Name</th><th>One-off</th><th>Yearly</th>"
     << "<th>Starts (day)</th><th>Cost over the period</th><th>Basis</th></tr>\n";
  for (const Json& iv : array_member(plan, "interventions")) {
    os << "<tr><td><code>" << html_escape(text_of(iv, "id")) << "</code></td><td>" << html_escape(text_of(iv, "name"))
       << "</td><td class=\"num\">" << fmt_money(number_of(iv.value("cost_once", Json()))) << "</td><td class=\"num\">"
       << fmt_money(number_of(iv.value("cost_yearly", Json()))) << "</td><td class=\"num\">"
       << fmt(number_of(iv.value("start_days", Json()))) << "</td><td class=\"num\">"
       << fmt_money(number_of(iv.value("cost", Json()))) << "</td><td>" << html_escape(text_of(iv, "basis"))
       << "</td></tr>\n";
  }
  os << "</table>\n";

  // The frontier and the gains.
  os << "<h2>Portfolios</h2>\n";
  Json points = Json::array();
  Series gains{"Gain over doing nothing", {}};
  std::size_t drawn = 0;
  constexpr std::size_t kMaxRows = 60;
  for (const Json& p : plan["portfolios"]) {
    const Json& g = member(p, "gain");
    const auto ci = interval_of(g, "ci95");
    const double mean = number_of(g.value("mean", Json()));
    points.push_back({{"x", number_or_null(number_of(p.value("cost", Json())))},
                      {"y", number_or_null(mean)},
                      {"lo", number_or_null(ci.first)},
                      {"hi", number_or_null(ci.second)},
                      {"label", text_of(p, "label")},
                      {"frontier", p.value("frontier", false)}});
    if (text_of(p, "label") == "nothing" || drawn >= kMaxRows) continue;
    ++drawn;
    Row r;
    r.label = text_of(p, "label") + " (" + fmt_money(number_of(p.value("cost", Json()))) + " " + currency + ")";
    r.mean = mean;
    r.lo = ci.first;
    r.hi = ci.second;
    r.replications = number_of(g.value("pairs", Json()));
    r.n = number_of(member(p, "value").value("n", Json()));
    r.highlight = p.value("frontier", false);
    if (!std::isfinite(mean)) r.note = "n/a: fewer than two pairs with a value";
    if (std::isfinite(r.lo) && std::isfinite(r.hi) && r.lo <= 0 && r.hi >= 0) r.note = "interval includes 0";
    if (p.value("frontier", false)) r.note += (r.note.empty() ? "" : "; ") + std::string("on the frontier");
    gains.rows.push_back(std::move(r));
  }
  page.frontier_figure("Cost against gain",
                       "Each portfolio run: its cost over the measured period and its mean gain over doing nothing "
                       "(paired replications), with the 95 % interval; the line joins the frontier, where no "
                       "cheaper portfolio gains as much.",
                       "Cost (" + currency + ")", indicator + " gained" + (unit.empty() ? "" : " (" + unit + ")"),
                       points);
  page.interval_figure("Gain of each portfolio",
                       "Best first" + std::string(drawn >= kMaxRows ? " (the first 60; plan.json has them all)" : "") +
                           "; pale: not on the frontier. n counts the observations behind the portfolio's value.",
                       indicator + " gained over doing nothing" + (unit.empty() ? "" : " (" + unit + ")"), {gains},
                       Json{{"reference", 0}});
  if (const Json& ex = array_member(plan, "excluded"); !ex.empty()) {
    os << "<h2>Left out</h2>\n<table>\n<tr><th>Portfolio</th><th>Why</th></tr>\n";
    for (const Json& e : ex)
      os << "<tr><td>" << html_escape(text_of(e, "label")) << "</td><td>" << html_escape(text_of(e, "reason"))
         << "</td></tr>\n";
    os << "</table>\n";
  }
  return page.finish();
}

std::string bottlenecks_report_html(const Json& doc) {
  if (!doc.is_object() || !doc.contains("attribution") || !doc["attribution"].is_object()) {
    throw std::invalid_argument("bottlenecks report: the document has no 'attribution' object");
  }
  const Json& att = doc["attribution"];
  const std::string name = text_of(doc, "scenario", "scenario");
  Page page("Bottlenecks: " + name + " — refsim");
  std::ostream& os = page.out();
  os << "<h1>Bottlenecks: " << html_escape(name) << "</h1>\n";
  os << "<p class=\"lead\">Where persons wait, what one more server (or more beds) at each agency would change, "
        "and the capacity that meets a target, on paired replications (common random numbers).</p>\n";
  meta_table(os, {{"Scenario file", "<code>" + html_escape(text_of(doc, "file")) + "</code>"},
                  {"Seed", html_escape(text_of(doc, "seed", "not stated"))},
                  {"Replications", html_escape(text_of(doc, "replications", "not stated"))},
                  {"Horizon (days)", html_escape(text_of(doc, "horizon_days", "not stated"))},
                  {"refsim version", html_escape(text_of(doc, "refsim_version", "not stated"))},
                  {"Charts drawn with", "Chart.js " + html_escape(std::string(chartjs_version())) + " (MIT licence)"},
                  {"Command line (to reproduce)", "<code>" + html_escape(text_of(doc, "command_line")) + "</code>"}});

  os << "<h2>Where persons wait</h2>\n";
  {
    Series waiting{"Waiting (queue)", {}}, held{"Held before service", {}};
    if (att.contains("agencies") && att["agencies"].is_array()) {
      for (const Json& a : att["agencies"]) {
        const std::string id = text_of(a, "agency");
        waiting.rows.push_back(row_of(id, member(a, "waiting_person_days")));
        held.rows.push_back(row_of(id, member(a, "held_person_days")));
      }
    }
    page.interval_figure("Person-days of waiting by agency, per replication",
                         "Queue waits (arrival to service start, drop-out or turn-away) and holds before service "
                         "(not_before) of the visits that arrived in the observation window; 95 % intervals over "
                         "replications; n is the visits.",
                         "Person-days per replication", {waiting, held});
  }
  if (att.contains("referrals") && att["referrals"].is_array() && !att["referrals"].empty()) {
    Series transfer{"Transfer delay", {}};
    for (const Json& r : att["referrals"]) {
      const Json& e = member(r, "transfer_person_days");
      if (number_of(e.value("mean", Json())) > 0) transfer.rows.push_back(row_of(text_of(r, "referral"), e));
    }
    if (!transfer.rows.empty()) {
      page.interval_figure("Person-days in transfer by referral rule, per replication",
                           "The delays of the referrals sent in the window; n is the referrals sent.",
                           "Person-days per replication", {transfer});
    }
  }

  // Deadline breaches, each given to the place where it arose.
  os << "<h2>Deadline breaches</h2>\n";
  if (!att.contains("deadlines") || !att["deadlines"].is_array() || att["deadlines"].empty()) {
    os << "<p class=\"note\">n/a: the scenario sets no deadlines.</p>\n";
  } else {
    Series breaches{"Breaches", {}};
    std::vector<std::string> unbreached;
    for (const Json& d : att["deadlines"]) {
      const std::string id = text_of(d, "deadline");
      const bool any = d.contains("attributed_to") && d["attributed_to"].is_array() && !d["attributed_to"].empty();
      if (!any) {
        unbreached.push_back(id);
        continue;
      }
      for (const Json& b : d["attributed_to"]) {
        breaches.rows.push_back(
            row_of(id + " at " + text_of(b, "location") + " (" + text_of(b, "kind") + ")", member(b, "breaches")));
      }
    }
    if (!breaches.rows.empty()) {
      page.interval_figure("Breaches of each deadline by where they arose, per replication",
                           "A breach is given to the place (an agency's queue or hold, or a referral's transfer) "
                           "where the person spent the most time outside service between the deadline's start and "
                           "its breach; deadlines whose clock started in the observation window; n is the breaches.",
                           "Breaches per replication", {breaches}, Json{{"min", 0}});
    }
    if (!unbreached.empty()) {
      std::string list;
      for (const std::string& id : unbreached)
        list += (list.empty() ? "" : ", ") + ("<code>" + html_escape(id) + "</code>");
      os << "<p class=\"note\">No breach in any replication: " << list << ".</p>\n";
    }
  }

  // The time to each milestone, by where it was spent.
  if (att.contains("milestones") && att["milestones"].is_object()) {
    os << "<h2>Where the time to a milestone goes</h2>\n<p class=\"caption\">Each person's time from entering "
          "the mechanism to the milestone, track by track, split by place and by what happened there (waiting in a "
          "queue, held before service, in service, in transfer); shares of all the track-days to the milestone of "
          "the persons who reached it in the observation window, with 95 % intervals; n is those persons.</p>\n";
    for (const auto& [milestone, groups] : att["milestones"].items()) {
      std::string title = milestone;
      for (char& c : title) c = c == '_' ? ' ' : c;
      const Json& all = member(groups, "all");
      Series shares{"Share of the time", {}};
      if (all.contains("shares") && all["shares"].is_array()) {
        for (const Json& sh : all["shares"]) {
          if (shares.rows.size() == 12) break;  // the largest twelve; the table below has every cohort
          shares.rows.push_back(
              row_of(text_of(sh, "location") + " (" + text_of(sh, "spent") + ")", member(sh, "share"), 100));
        }
      }
      if (shares.rows.empty()) {
        os << "<h3>Time to " << html_escape(title) << "</h3>\n<p class=\"note\">n/a: no person reached "
           << html_escape(title) << " in the observation window.</p>\n";
        continue;
      }
      page.interval_figure("Time to " + title + ": the largest shares, all persons", "",
                           "% of the track-days to " + title, {shares}, Json{{"min", 0}, {"max", 100}});
      os << "<table>\n<tr><th>Cohort</th><th>Persons per replication (n)</th><th>Mean days to " << html_escape(title)
         << " (95 % interval)</th><th>Largest shares (95 % interval)</th></tr>\n";
      for (const auto& [group, g] : groups.items()) {
        const Json& persons = member(g, "persons");
        const double reached = number_of(persons.value("mean", Json()));
        os << "<tr><td>" << html_escape(group) << "</td>";
        if (!(reached > 0)) {
          os << "<td class=\"num\">0</td><td colspan=\"2\">n/a: no person of this cohort reached it</td></tr>\n";
          continue;
        }
        const Json& mean_days = member(g, "mean_days");
        auto [lo, hi] = interval_of(mean_days, "ci95");
        std::string largest;
        if (g.contains("shares") && g["shares"].is_array()) {
          std::size_t k = 0;
          for (const Json& sh : g["shares"]) {
            if (k++ == 3) break;
            const Json& e = member(sh, "share");
            auto [slo, shi] = interval_of(e, "ci95");
            largest += std::string(largest.empty() ? "" : "; ") + text_of(sh, "location") + " " + text_of(sh, "spent") +
                       " " + fmt(100 * number_of(e.value("mean", Json()))) + " % (" +
                       fmt_interval(100 * slo, 100 * shi) + ")";
          }
        }
        os << "<td class=\"num\">" << fmt(reached) << " (" << fmt_count(number_of(persons.value("n", Json())))
           << ")</td><td class=\"num\">" << fmt(number_of(mean_days.value("mean", Json()))) << " ("
           << fmt_interval(lo, hi) << ")</td><td>" << html_escape(largest) << "</td></tr>\n";
      }
      os << "</table>\n";
    }
  }

  const Json& marginal = member(doc, "marginal");
  if (marginal.contains("ranked") && marginal["ranked"].is_array() && !marginal["ranked"].empty()) {
    os << "<h2>Marginal value</h2>\n<p class=\"caption\">For each agency, the paired difference (with the change "
          "minus without) of each indicator, with its 95 % interval Bonferroni-adjusted for "
       << html_escape(text_of(member(marginal, "multiple_comparisons"), "comparisons", "?"))
       << " comparisons. Intervals that include 0 (no effect shown) are drawn pale. Agencies in rank order; n is the "
          "observations behind the baseline's figure.</p>\n";
    const Json& ranked = marginal["ranked"];
    std::vector<std::string> names;
    if (marginal.contains("indicators") && marginal["indicators"].is_array()) {
      for (const Json& n : marginal["indicators"]) names.push_back(n.get<std::string>());
    }
    for (const std::string& ind : names) {
      Series sr{"Difference", {}};
      std::string label = ind, unit;
      for (const Json& v : ranked) {
        const Json& e = member(member(v, "effects"), ind.c_str());
        label = text_of(e, "label", ind);
        unit = text_of(e, "unit");
        Row r;
        r.label = "#" + text_of(v, "rank") + " " + text_of(v, "agency") + " +" +
                  std::to_string(v.value("to", 0) - v.value("from", 0)) + " " + text_of(v, "capacity_unit");
        const Json& d = member(e, "difference");
        r.n = number_of(member(e, "baseline").value("n", Json()));  // the baseline's observations
        if (d.empty()) {
          r.note = "n/a: fewer than two replications with a value";
        } else {
          r.mean = number_of(d.value("mean", Json()));
          auto [lo, hi] = interval_of(d, "ci95_adjusted");
          r.lo = lo;
          r.hi = hi;
          r.replications = number_of(d.value("replications", Json()));
          r.highlight = !e.value("includes_zero", true);
          r.note = e.value("includes_zero", true) ? "includes 0" : e.value("improves", false) ? "improves" : "worsens";
        }
        sr.rows.push_back(std::move(r));
      }
      page.interval_figure(label + " (" + (unit.empty() ? "no unit" : unit) + ")", "",
                           "Difference, with the change − without (" + unit + ")", {sr}, Json{{"reference", 0}});
    }
  }

  if (doc.contains("capacity") && doc["capacity"].is_array() && !doc["capacity"].empty()) {
    os << "<h2>Capacity needed</h2>\n<p class=\"caption\">The smallest capacity whose 95 % interval lies wholly on "
          "the target's side, found by doubling the step from the current capacity, then bisection, on the same "
          "replications (seeds) at every capacity.</p>\n<table>\n<tr><th>Agency</th><th>Target</th><th>Now</th>"
          "<th>Needed</th><th>Indicator there (95 % interval)</th><th>Capacities tried</th><th>Note</th></tr>\n";
    for (const Json& c : doc["capacity"]) {
      const Json& e = member(c, "at_needed");
      auto [lo, hi] = interval_of(e, "ci95");
      std::string tried;
      if (c.contains("steps") && c["steps"].is_array()) {
        for (const Json& st : c["steps"]) {
          tried += (tried.empty() ? "" : ", ") + text_of(st, "capacity") + (st.value("met", false) ? " (met)" : "");
        }
      }
      os << "<tr><td>" << html_escape(text_of(c, "agency")) << "</td><td><code>" << html_escape(text_of(c, "target"))
         << "</code></td><td class=\"num\">" << html_escape(text_of(c, "current")) << " "
         << html_escape(text_of(c, "capacity_unit")) << "</td><td class=\"num\">"
         << html_escape(text_of(c, "needed", "not met")) << "</td><td class=\"num\">"
         << (e.empty() ? std::string("n/a")
                       : fmt(number_of(e.value("mean", Json()))) + " (" + fmt_interval(lo, hi) + ")")
         << "</td><td>" << html_escape(tried) << "</td><td>" << html_escape(text_of(c, "note")) << "</td></tr>\n";
    }
    os << "</table>\n";
  }
  os << "<p class=\"note\">Made by refsim " << html_escape(text_of(doc, "refsim_version", "")) << ".</p>\n";
  return page.finish();
}

}  // namespace refsim
