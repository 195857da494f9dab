// `refsim compare`: the same replications of several scenario variants under common random numbers,
// paired differences to a baseline, a stopping rule on precision and the selection of the best.
#include "sim/cli/compare_cmd.hpp"

#include <unistd.h>

#include <cmath>
#include <iomanip>
#include <iostream>
#include <mutex>

#include "sim/cli/cli_common.hpp"
#include "sim/cli/progress.hpp"
#include "sim/experiment/compare.hpp"
#include "sim/model/units.hpp"
#include "sim/random/streams.hpp"
#include "sim/report/compare_report.hpp"
#include "sim/report/html.hpp"
#include "sim/report/output_directory.hpp"
#include "sim/report/report.hpp"
#include "sim/scenario/loader.hpp"

namespace refsim::cli {

namespace {

/// "NAME=VALUE" with VALUE a number or a duration ("7d", "12h": in days), > 0.
std::pair<std::string, double> name_and_amount(const std::string& text, const char* option) {
  const std::size_t eq = text.rfind('=');
  if (eq == std::string::npos || eq == 0 || eq + 1 == text.size()) {
    throw UsageError(std::string(option) + " " + text + ": expected INDICATOR=VALUE, e.g. " +
                     "overall.time_to_identified_days_mean=7");
  }
  const std::string name = canonical_indicator_name(text.substr(0, eq));
  const std::string value = text.substr(eq + 1);
  double amount = 0;
  try {
    std::size_t used = 0;
    amount = std::stod(value, &used);
    if (used != value.size()) amount = parse_duration(value);
  } catch (const std::exception&) {
    try {
      amount = parse_duration(value);
    } catch (const std::invalid_argument& e) {
      throw UsageError(std::string(option) + " " + text + ": expected a number or a duration after '=', got '" + value +
                       "'");
    }
  }
  if (!(amount > 0) || !std::isfinite(amount)) {
    throw UsageError(std::string(option) + " " + text + ": the value must be greater than 0");
  }
  return {name, amount};
}

}  // namespace

CLI::App* add_compare_command(CLI::App& app, CompareArgs& a) {
  auto* c = app.add_subcommand(
      "compare",
      "Compare scenario variants under common random numbers: each variant's figures with 95 % intervals and "
      "paired differences to the baseline (compare.json, compare.csv)");
  c->add_option("scenarios", a.files, "Scenario or variant files (TOML), the baseline first unless --baseline")
      ->required()
      ->expected(2, 64);
  c->add_option("-o,--out", a.out, "Output directory (default: results/compare)");
  c->add_option("--seed", a.seed, "Base random seed, 0 to 2^64 - 1 (default: the baseline's run.seed)")->type_name("N");
  c->add_option("-r,--replications", a.replications,
                "Replications of every variant (default: the baseline's run.replications)")
      ->check(CLI::Range(1u, 1000000u));
  c->add_option("--baseline", a.baseline, "The variant the others are compared with (default: the first file)")
      ->type_name("FILE");
  c->add_option("--indicator", a.indicators,
                "Compare only this indicator (repeatable): its path in summary.json joined by dots, e.g. "
                "agencies.screening.mean_wait_days (default: all; the table shows the key ones)")
      ->type_name("NAME");
  c->add_option("--precision", a.precision,
                "Add replications until every paired 95 % interval of INDICATOR has at most this half-width "
                "(in the indicator's unit; durations such as 2d allowed)")
      ->type_name("INDICATOR=HALF_WIDTH");
  c->add_option("--max-replications", a.max_replications,
                "With --precision or --select: the most replications to run (default: 1000)")
      ->check(CLI::Range(2u, 1000000u));
  c->add_option("--select", a.select,
                "Select the best variant for INDICATOR (Kim-Nelson), differences smaller than the indifference zone "
                "(in the indicator's unit) not mattering")
      ->type_name("INDICATOR=ZONE");
  c->add_option("--goal", a.goal, "With --select: min or max is best (default: from the indicator)")
      ->check(CLI::IsMember({"min", "max"}));
  c->add_flag("--independent", a.independent,
              "Separate random streams per variant instead of common random numbers (to measure what pairing gains)");
  c->add_option("--set", a.sets,
                "Override a key in every variant, e.g. run.horizon=5y (repeatable; as for run; docs/variants.md)")
      ->type_name("PATH=VALUE")
      ->expected(1)
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
  c->add_option("--report", a.report, "Also write a self-contained HTML report to this file")->type_name("FILE.html");
  c->add_option("--sample", a.sample, "Time series interval of replication 0 (the report's backlog figure); 0: none")
      ->default_str("7d");
  c->add_option("-j,--threads", a.threads, "Worker threads (default: all cores; results do not depend on it)")
      ->check(CLI::Range(0u, 1024u));
  c->add_flag("-q,--quiet", a.quiet, "Print nothing but errors");
  return c;
}

int run_compare(const CompareArgs& a, const std::string& command_line) {
  const std::optional<std::uint64_t> given_seed = seed_option(a.seed);
  const Time sample_every = sample_option(a.sample);
  if (a.precision.size() && a.replications) {
    throw UsageError("--precision and --replications exclude each other: --precision chooses the number");
  }
  if (!a.goal.empty() && a.select.empty()) throw UsageError("--goal needs --select");
  if (std::error_code ec; !a.report.empty() && fs::is_directory(a.report, ec)) {
    throw UsageError("--report " + a.report + ": is a directory; expected the name of the HTML file to write");
  }

  const std::vector<std::string> keys = variant_keys(a.files);
  std::size_t baseline = 0;
  if (!a.baseline.empty()) {
    bool found = false;
    for (std::size_t v = 0; v < a.files.size() && !found; ++v) {
      if (a.files[v] == a.baseline || keys[v] == a.baseline ||
          fs::weakly_canonical(a.files[v]) == fs::weakly_canonical(a.baseline)) {
        baseline = v;
        found = true;
      }
    }
    if (!found) {
      std::string known;
      for (std::size_t v = 0; v < a.files.size(); ++v) known += (v ? ", " : "") + a.files[v];
      throw UsageError("--baseline " + a.baseline + ": not one of the files compared (" + known + ")");
    }
  }
  std::vector<Variant> variants;
  for (std::size_t v = 0; v < a.files.size(); ++v)
    variants.push_back({keys[v], a.files[v], load_scenario(a.files[v], a.sets)});
  for (const Variant& v : variants) {
    if (too_many_time_series_rows(v.scenario.run.horizon, sample_every, v.scenario.agencies.size())) {
      throw UsageError("--sample " + a.sample + " gives more than " + std::to_string(kMaxTimeSeriesRows) +
                       " time-series rows for " + v.file + "; sample less often");
    }
  }

  CompareOptions opt;
  const Scenario& base = variants[baseline].scenario;
  opt.seed = given_seed.value_or(base.run.seed);
  opt.replications = a.replications.value_or(base.run.replications);
  opt.baseline = baseline;
  opt.independent = a.independent;
  opt.threads = a.threads;
  opt.sample_every = sample_every;
  if (a.max_replications) opt.max_replications = a.max_replications;

  // Indicator names are checked against every variant's before anything runs.
  std::vector<IndicatorDef> all;
  for (const Variant& v : variants) {
    for (IndicatorDef& d : indicators(v.scenario)) all.push_back(std::move(d));
  }
  const auto known = [&](const std::string& name) {
    return std::any_of(all.begin(), all.end(), [&](const IndicatorDef& d) { return d.name == name; });
  };
  std::vector<std::string> chosen;
  for (const std::string& n : a.indicators) {
    const std::string name = canonical_indicator_name(n);
    if (!known(name)) throw UsageError(unknown_indicator(name, all, "--indicator"));
    if (std::find(chosen.begin(), chosen.end(), name) == chosen.end()) chosen.push_back(name);
  }
  if (!a.precision.empty()) {
    auto [name, hw] = name_and_amount(a.precision, "--precision");
    if (!known(name)) throw UsageError(unknown_indicator(name, all, "--precision"));
    opt.precision = PrecisionTarget{name, hw};
    if (!chosen.empty() && std::find(chosen.begin(), chosen.end(), name) == chosen.end()) chosen.push_back(name);
  }
  if (!a.select.empty()) {
    auto [name, zone] = name_and_amount(a.select, "--select");
    if (!known(name)) throw UsageError(unknown_indicator(name, all, "--select"));
    SelectionRequest req;
    req.indicator = name;
    req.indifference_zone = zone;
    req.minimize = a.goal.empty() ? smaller_is_better(name) : a.goal == "min";
    opt.selection = req;
    if (!chosen.empty() && std::find(chosen.begin(), chosen.end(), name) == chosen.end()) chosen.push_back(name);
  }

  const fs::path out = a.out.empty() ? fs::path("results") / "compare" : fs::path(a.out);
  OutputDirectory out_dir(out, "refsim compare", {"compare.json", "compare.csv"});  // before running
  ProgressBar bar(std::cerr, !a.quiet && ::isatty(STDERR_FILENO), "replications (all variants)");
  opt.progress = [&bar](const CompareProgress& p) { bar.update(p.done, p.total); };

  CompareResult res;
  try {
    res = compare(variants, opt, chosen);
  } catch (const std::invalid_argument& e) {
    throw UsageError(e.what());
  }
  bar.finish();

  CompareContext ctx{variants};
  ctx.baseline = baseline;
  ctx.seed = opt.seed;
  ctx.independent = opt.independent;
  ctx.precision = opt.precision;
  ctx.max_replications = opt.max_replications;
  ctx.command_line = command_line;
  const nlohmann::ordered_json doc = compare_json(ctx, res);
  out_dir.write("compare.json", doc.dump(2) + "\n");
  out_dir.write("compare.csv", compare_csv(ctx, res));
  if (!a.report.empty()) {
    // The report names the command that made it (compare.json does not: it depends on the inputs only).
    nlohmann::ordered_json with_command = doc;
    with_command["command_line"] = command_line;
    write_file_atomic(out_dir.place(a.report), compare_report_html(with_command));
    out_dir.note_file();
  }
  out_dir.commit();

  if (!a.quiet) {
    print_compare_table(std::cout, ctx, res);
    if (opt.precision && !res.precision_reached) {
      std::cerr << "refsim: warning: the half-width " << format_number(opt.precision->half_width) << " for "
                << opt.precision->indicator << " was not reached within " << opt.max_replications
                << " replications (--max-replications)\n";
    }
    std::cout << "\n"
              << res.events_processed << " events in " << std::fixed << std::setprecision(3) << res.wall_seconds
              << " s (" << res.threads_used << " thread(s))\nresults written to " << out.string()
              << "/ (compare.json, compare.csv)\n";
    if (!a.report.empty()) std::cout << "HTML report written to " << a.report << "\n";
  }
  return 0;
}

}  // namespace refsim::cli
